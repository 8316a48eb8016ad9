//! `[report] warmup`: the first part of a run is left out of the latency figures and the
//! throughput, and nothing else changes — the simulation is the same run, event for event.

mod common;

use common::{run, scenario};

/// Steady puts at 1000 a second, uniformly spaced: 60,000 in the run, 40,000 after 20 s.
const STEADY: &str = r#"
name = "steady"
seed = 9
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "4GB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 2
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "1000/s", process = "uniform" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

#[test]
fn a_warmup_changes_the_figures_and_not_the_run() {
    let (whole_outcome, whole) = run(&scenario(STEADY, &[]));
    let (warm_outcome, warm) = run(&scenario(STEADY, &["report.warmup=20s"]));
    assert_eq!(whole.trace_hash, warm.trace_hash);
    assert_eq!(whole.events, warm.events);
    assert_eq!(warm.warmup_seconds, 20.0);
    let (put, warm_put) = (&whole.operations["put"], &warm.operations["put"]);
    // The same requests were acknowledged; only those after 20 s are measured.
    assert_eq!(put.succeeded, warm_put.succeeded);
    let measured = warm_outcome.stats.operations.values().next().unwrap();
    assert_eq!(measured.latency.count(), measured.succeeded_measured);
    assert!(
        (measured.succeeded_measured as f64 - 40_000.0).abs() <= 5.0,
        "{}",
        measured.succeeded_measured
    );
    assert_eq!(
        whole_outcome
            .stats
            .operations
            .values()
            .next()
            .unwrap()
            .latency
            .count(),
        put.succeeded
    );
    // Throughput over the 40 measured seconds: still the offered 1000 a second.
    assert!(
        (warm_put.throughput_per_sec - 1000.0).abs() < 2.0,
        "{}",
        warm_put.throughput_per_sec
    );
    assert!(
        scenario(STEADY, &["report.warmup=20s"])
            .to_resolved_toml()
            .contains("warmup = \"20s\"")
    );
    let error = common::load(STEADY, &["report.warmup=60s"])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("leaves nothing of a 1m run to measure"),
        "{error}"
    );
}
