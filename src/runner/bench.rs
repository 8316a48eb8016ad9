//! The throughput benchmark: how fast one core simulates a scenario, and how much memory it
//! takes. Used by `regionsim bench` and `cargo bench`; wall-clock figures are printed, never
//! asserted.

use std::time::Instant;

use crate::model::RunError;
use crate::scenario::Scenario;

use super::simulate;

/// What one benchmark run measured.
#[derive(Debug, Clone)]
pub struct BenchFigures {
    pub wall_seconds: f64,
    pub simulated_seconds: f64,
    /// Rows written (puts, deletes, … a batch counts its rows).
    pub operations: u64,
    pub events: u64,
    /// Peak resident memory of the process so far (Linux VmHWM), if known.
    pub peak_rss_bytes: Option<u64>,
    pub requests_in_flight_peak: usize,
    pub event_queue_peak: usize,
}

impl BenchFigures {
    pub fn operations_per_wall_second(&self) -> f64 {
        self.operations as f64 / self.wall_seconds.max(1e-9)
    }

    pub fn events_per_wall_second(&self) -> f64 {
        self.events as f64 / self.wall_seconds.max(1e-9)
    }

    pub fn speedup(&self) -> f64 {
        self.simulated_seconds / self.wall_seconds.max(1e-9)
    }

    /// A few lines for people.
    pub fn describe(&self, label: &str) -> String {
        let rss = self.peak_rss_bytes.map_or("unknown".to_string(), |bytes| {
            format!("{:.0} MB", bytes as f64 / 1e6)
        });
        format!(
            "{label}: {:.0} simulated operations/s, {:.0} events/s, {:.0}x real time ({:.1} simulated s in {:.2} wall s), peak RSS {rss}, in-flight peak {}, event-queue peak {}",
            self.operations_per_wall_second(),
            self.events_per_wall_second(),
            self.speedup(),
            self.simulated_seconds,
            self.wall_seconds,
            self.requests_in_flight_peak,
            self.event_queue_peak,
        )
    }
}

/// Simulates `scenario` once and measures it.
pub fn bench(scenario: &Scenario) -> Result<BenchFigures, RunError> {
    let started = Instant::now();
    let outcome = simulate(scenario)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let operations = outcome
        .stats
        .operations
        .values()
        .map(|stats| stats.rows_succeeded)
        .sum();
    Ok(BenchFigures {
        wall_seconds,
        simulated_seconds: outcome.end.as_secs_f64(),
        operations,
        events: outcome.trace_hash.events(),
        peak_rss_bytes: peak_rss_bytes(),
        requests_in_flight_peak: outcome.requests_in_flight_peak,
        event_queue_peak: outcome.event_queue_peak,
    })
}

/// The process's peak resident set size from /proc/self/status (Linux), if readable.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}
