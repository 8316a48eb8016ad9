//! `summary.json`: the headline numbers of one run, a promise to users and scripts.
//!
//! It is a pure function of (scenario, seed, regionsim version): the same run gives the same
//! bytes on any machine, so it carries no wall-clock time or host (those go to `run.json`).
//! Fields appear in the order of the structs below; every field is documented with its unit.
//! Sizes are bytes, times are simulated. "Data" bytes are cells' serialized KeyValue bytes;
//! "heap" bytes are HBase's memstore heap accounting, the number its thresholds compare.
//! Later model work adds fields; existing ones keep their meaning.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::LatencyHistogram;
use crate::model::RunOutcome;
use crate::model::flusher::FlushReason;
use crate::scenario::Scenario;

/// The version tag of this layout.
pub const SUMMARY_FORMAT: &str = "regionsim.summary.v1";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Always "regionsim.summary.v1" for this layout.
    pub format: &'static str,
    pub regionsim_version: &'static str,
    /// The scenario's name.
    pub scenario: String,
    pub seed: u64,
    /// "hbase-2.5" or "hbase-1.4".
    pub profile: String,
    /// 16 hex digits folded over every processed event: equal hashes, equal runs.
    pub trace_hash: String,
    /// Events processed.
    pub events: u64,
    pub simulated_seconds: f64,
    /// Per operation kind ("put", "delete", …), only kinds the workloads send.
    pub operations: BTreeMap<String, OperationSummary>,
    pub flushes: FlushSummary,
    pub memstore: MemstoreSummary,
    pub blocked: BlockedSummary,
    pub wal: WalSummary,
    pub store_files: StoreFileSummary,
    /// Bounds the run stayed within (memory follows these, not the run length).
    pub limits: LimitsSummary,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OperationSummary {
    /// Requests clients sent.
    pub attempted: u64,
    /// Requests acknowledged to the client.
    pub succeeded: u64,
    /// Rows those requests wrote (a batch's rows; 1 for a single operation).
    pub rows_succeeded: u64,
    /// Check-and-puts answered "check failed" (nothing written; counted as succeeded).
    pub checks_failed: u64,
    /// Requests that failed for good (after any retries).
    pub failed: u64,
    /// Failures by error name.
    pub failed_by_error: BTreeMap<String, u64>,
    /// Sent but neither acknowledged nor failed when the run ended.
    pub in_flight_at_end: u64,
    /// Acknowledgements per simulated second over the run.
    pub throughput_per_sec: f64,
    /// From when the request was due to be sent to its acknowledgement, retries included.
    pub latency_ms: LatencySummary,
}

/// Percentiles are HdrHistogram values (3 significant digits); mean and max are exact.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencySummary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl LatencySummary {
    pub fn of(histogram: &LatencyHistogram) -> LatencySummary {
        LatencySummary {
            p50: histogram.quantile_ms(0.5),
            p90: histogram.quantile_ms(0.9),
            p99: histogram.quantile_ms(0.99),
            p999: histogram.quantile_ms(0.999),
            max: histogram.max_ms(),
            mean: histogram.mean_ms(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlushSummary {
    /// Flushes that committed (wrote store files).
    pub count: u64,
    /// Cell data bytes flushed out of memstores.
    pub bytes: u64,
    /// Heap bytes released from memstores by those flushes.
    pub heap_bytes: u64,
    /// HFile bytes written.
    pub file_bytes: u64,
    /// Committed flushes by reason: memstore_size, global_pressure, admin_flush.
    pub by_reason: BTreeMap<String, u64>,
    /// From a handler taking the flush to its commit.
    pub duration_ms: LatencySummary,
    /// Time a flush waited for in-flight writes before its snapshot (the updates lock).
    pub snapshot_wait_ms: LatencySummary,
    /// Flush requests dropped because one was already pending for the region.
    pub requests_deduplicated: u64,
    /// Flush attempts that found the region already flushing or empty.
    pub skipped: u64,
    /// Region entries added to the MemStoreFlusher's queue.
    pub queue_enqueued: u64,
    pub queue_peak: u64,
    /// Time-averaged queue length.
    pub queue_mean: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MemstoreSummary {
    /// The largest global memstore heap size (what the limits compare).
    pub global_peak_bytes: u64,
    /// The global upper limit: heap × hbase.regionserver.global.memstore.size.
    pub upper_limit_bytes: u64,
    /// The lower limit: upper × …global.memstore.size.lower.limit.
    pub lower_limit_bytes: u64,
    /// Cell data bytes written into memstores.
    pub bytes_added: u64,
    pub heap_bytes_added: u64,
    pub cells_added: u64,
    /// Cells that replaced an equal one: the same row twice in one mini-batch (same key,
    /// timestamp and sequence id). With MSLAB their bytes still count, as in HBase.
    pub cells_replaced: u64,
    /// Cell data bytes still in memstores when the run ended (bytes_added − flushes.bytes).
    pub bytes_at_end: u64,
    pub heap_bytes_at_end: u64,
    pub cells_at_end: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlockedSummary {
    /// Time during which at least one writer was blocked on global memstore pressure.
    pub global_pressure_seconds: f64,
    /// Sum over writers of the time each was blocked.
    pub writer_seconds: f64,
    /// Writers that blocked at all.
    pub writers_blocked: u64,
    /// The most writers blocked at once.
    pub writers_blocked_peak: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WalSummary {
    pub appends: u64,
    pub syncs: u64,
    /// Appends covered per completed sync (group commit).
    pub appends_per_sync: f64,
    /// Bytes appended.
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoreFileSummary {
    /// Store files at the end of the run.
    pub count: u64,
    pub bytes: u64,
    /// The most files one store held at the end.
    pub peak_per_store: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LimitsSummary {
    pub requests_in_flight_peak: u64,
    /// Time-averaged requests in flight (Little's law: ≈ throughput × mean latency).
    pub requests_in_flight_mean: f64,
    pub event_queue_peak: u64,
}

impl Summary {
    pub fn new(scenario: &Scenario, outcome: &RunOutcome) -> Summary {
        let seconds = outcome.end.as_secs_f64();
        let stats = &outcome.stats;
        let operations = stats
            .operations
            .iter()
            .map(|(kind, operation)| {
                let failed: u64 = operation.failed.values().sum();
                (
                    kind.name().to_string(),
                    OperationSummary {
                        attempted: operation.attempted,
                        succeeded: operation.succeeded,
                        rows_succeeded: operation.rows_succeeded,
                        checks_failed: operation.checks_failed,
                        failed,
                        failed_by_error: operation
                            .failed
                            .iter()
                            .map(|(error, count)| (error.to_string(), *count))
                            .collect(),
                        in_flight_at_end: outcome
                            .requests_in_flight_at_end
                            .get(kind)
                            .copied()
                            .unwrap_or(0),
                        throughput_per_sec: if seconds > 0.0 {
                            operation.succeeded as f64 / seconds
                        } else {
                            0.0
                        },
                        latency_ms: LatencySummary::of(&operation.latency),
                    },
                )
            })
            .collect();
        let flushes = &stats.flushes;
        Summary {
            format: SUMMARY_FORMAT,
            regionsim_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            profile: scenario.profile.to_string(),
            trace_hash: outcome.trace_hash.to_string(),
            events: outcome.trace_hash.events(),
            simulated_seconds: seconds,
            operations,
            flushes: FlushSummary {
                count: flushes.count,
                bytes: flushes.data_bytes,
                heap_bytes: flushes.heap_bytes,
                file_bytes: flushes.file_bytes,
                by_reason: FlushReason::ALL
                    .iter()
                    .map(|reason| {
                        (
                            reason.name().to_string(),
                            flushes.by_reason.get(reason).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                duration_ms: LatencySummary::of(&flushes.duration),
                snapshot_wait_ms: LatencySummary::of(&flushes.snapshot_wait),
                requests_deduplicated: flushes.requests_deduplicated,
                skipped: flushes.skipped,
                queue_enqueued: outcome.flush_queue_enqueued,
                queue_peak: outcome.flush_queue_peak,
                queue_mean: outcome.flush_queue_mean,
            },
            memstore: MemstoreSummary {
                global_peak_bytes: stats.memstore.global_heap_peak,
                upper_limit_bytes: outcome.global_upper_bytes,
                lower_limit_bytes: outcome.global_lower_bytes,
                bytes_added: stats.memstore.data_bytes_added,
                heap_bytes_added: stats.memstore.heap_bytes_added,
                cells_added: stats.memstore.cells_added,
                cells_replaced: stats.memstore.cells_replaced,
                bytes_at_end: outcome.memstore_at_end.data,
                heap_bytes_at_end: outcome.memstore_at_end.heap,
                cells_at_end: outcome.memstore_at_end.cells,
            },
            blocked: BlockedSummary {
                global_pressure_seconds: stats
                    .blocked
                    .writers
                    .time_above_zero(outcome.end)
                    .as_secs_f64(),
                writer_seconds: stats.blocked.writer_nanos as f64 / 1e9,
                writers_blocked: stats.blocked.writers_blocked,
                writers_blocked_peak: stats.blocked.writers.peak(),
            },
            wal: WalSummary {
                appends: outcome.wal.appends,
                syncs: outcome.wal.syncs,
                appends_per_sync: if outcome.wal.syncs > 0 {
                    outcome.wal.appends_synced as f64 / outcome.wal.syncs as f64
                } else {
                    0.0
                },
                bytes: outcome.wal.bytes,
            },
            store_files: StoreFileSummary {
                count: outcome.store_files,
                bytes: outcome.store_file_bytes,
                peak_per_store: outcome.store_files_per_store_max as u64,
            },
            limits: LimitsSummary {
                requests_in_flight_peak: outcome.requests_in_flight_peak as u64,
                requests_in_flight_mean: stats.in_flight.mean(outcome.end),
                event_queue_peak: outcome.event_queue_peak as u64,
            },
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a summary always serializes");
        text.push('\n');
        text
    }
}
