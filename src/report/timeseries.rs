//! The time-series files of a result folder: `timeseries.csv` (one row per interval),
//! `events.csv` (markers: flushes, faults, actions, regions closing and opening) and
//! `regions.csv` (the memstore of the regions that held the most).
//!
//! `timeseries.csv` columns, in order:
//!
//! | column | meaning |
//! | --- | --- |
//! | `time_s` | end of the interval, simulated seconds |
//! | `<op>_completed_per_s`, `<op>_failed_per_s` | requests of that kind acknowledged / failed for good in the interval, per second (one group per operation kind the run sent, in the order put, delete, increment, append, check_and_put, batch) |
//! | `<op>_p50_ms`, `<op>_p99_ms`, `<op>_max_ms` | latency of the requests acknowledged in the interval (0 if none) |
//! | `global_memstore_bytes` | all memstores' heap size at the end of the interval |
//! | `memstore_lower_limit_bytes`, `memstore_upper_limit_bytes` | the global limits |
//! | `largest_region_memstore_bytes` | the largest region's memstore heap size |
//! | `flush_queue_length`, `flushes_in_progress`, `flush_handlers_busy` | the MemStoreFlusher |
//! | `rpc_handlers_busy`, `call_queue_length` | the RPC server |
//! | `blocked_writers` | handlers blocked above the global upper limit |
//! | `regions_above_blocking` | regions above flush size × block multiplier |
//! | `store_files_max_per_store`, `blocking_store_files` | the most files in one store, and hbase.hstore.blockingStoreFiles |
//! | `compaction_queue_length`, `compactions_in_progress` | CompactSplit: runners queued in the small and large pools, compactions running |
//! | `wal_syncs_in_flight` | WAL syncs under way |
//! | `wal_files`, `wal_max_logs` | files in the server's WAL directory, and hbase.regionserver.maxlogs (more rolled files than this force flushes) |
//! | `server_up` | 1 while the RegionServer process is up, 0 after a crash until its regions are reassigned |
//! | `regions_offline` | regions closed, splitting, or waiting for crash recovery |
//! | `client_retries_per_s`, `region_too_busy_per_s` | in the interval, per second |
//! | `client_waiting` | open-loop arrivals due and waiting at the client for an application thread |
//! | `client_unanswered` | open-loop arrivals due and not yet answered (waiting, or under way) |
//! | `cpu_busy` | with `[cpu] model = "on"`: the share of the cores' time threads ran in the interval (0 with it off) |
//! | `cpu_runnable` | with the CPU model on: threads that want a core, running or waiting for one |
//! | `gc_paused` | with `[jvm] gc = "on"`: the share of the interval garbage collections paused the server (0 with it off) |
//! | `gc_allocation_bytes_per_s` | with GC modelled: the heap the server allocated in the interval, per second |
//! | `gc_old_bytes` | with GC modelled: the old generation's occupancy, live and garbage, at the interval's end |
//! | `gc_initiating_bytes` | with GC modelled: the occupancy that starts the collector's concurrent cycle (G1's IHOP of the heap, CMS's initiating fraction of the old generation) |
//!
//! `events.csv`: `time_s,kind,region,detail` — kind is flush (detail: the reason), compaction
//! (detail: minor, all_files or major), split, fault (detail: its kind), wal_roll (detail: why:
//! size, periodic, slow_sync, error), wal_archive, recovery (detail: server_dead,
//! split_failed, split_given_up, split, recovered), action (detail: its kind),
//! region_offline or region_open, gc_pause (detail: young, mixed, initial_mark, remark,
//! cleanup or full); region is empty when
//! none applies. `regions.csv`: `time_s` then `region_<id>` columns with the memstore heap bytes
//! of the (up to) eight regions with the largest peak. Both number regions by id;
//! `region-names.csv` (`region_names.rs`) gives each id its table, encoded name and key range.

use std::fmt::Write as _;

use crate::model::RunOutcome;
use crate::scenario::Scenario;
use crate::scenario::workload::OpKind;

/// Regions drawn and written in `regions.csv`.
pub const TOP_REGIONS: usize = 8;

/// The fixed (non-operation) columns of `timeseries.csv`, after the operation groups.
pub const GAUGE_COLUMNS: [&str; 30] = [
    "global_memstore_bytes",
    "memstore_lower_limit_bytes",
    "memstore_upper_limit_bytes",
    "largest_region_memstore_bytes",
    "flush_queue_length",
    "flushes_in_progress",
    "flush_handlers_busy",
    "rpc_handlers_busy",
    "call_queue_length",
    "blocked_writers",
    "regions_above_blocking",
    "store_files_max_per_store",
    "blocking_store_files",
    "compaction_queue_length",
    "compactions_in_progress",
    "wal_syncs_in_flight",
    "wal_files",
    "wal_max_logs",
    "server_up",
    "regions_offline",
    "client_retries_per_s",
    "region_too_busy_per_s",
    "client_waiting",
    "client_unanswered",
    "cpu_busy",
    "cpu_runnable",
    "gc_paused",
    "gc_allocation_bytes_per_s",
    "gc_old_bytes",
    "gc_initiating_bytes",
];

/// The columns written for one operation kind.
pub fn operation_columns(kind: OpKind) -> [String; 5] {
    let name = kind.name();
    [
        format!("{name}_completed_per_s"),
        format!("{name}_failed_per_s"),
        format!("{name}_p50_ms"),
        format!("{name}_p99_ms"),
        format!("{name}_max_ms"),
    ]
}

/// Operation kinds with a column group: those the run sent.
fn kinds(outcome: &RunOutcome) -> Vec<OpKind> {
    outcome.stats.operations.keys().copied().collect()
}

/// `timeseries.csv`.
pub fn timeseries_csv(scenario: &Scenario, outcome: &RunOutcome) -> String {
    let kinds = kinds(outcome);
    let mut header: Vec<String> = vec!["time_s".to_string()];
    for &kind in &kinds {
        header.extend(operation_columns(kind));
    }
    header.extend(GAUGE_COLUMNS.iter().map(|column| column.to_string()));
    let mut out = header.join(",");
    out.push('\n');
    let seconds = outcome.timeline.interval.as_secs_f64();
    let blocking_files = scenario.properties.int("hbase.hstore.blockingStoreFiles");
    for sample in &outcome.timeline.samples {
        let _ = write!(out, "{}", sample.time.as_secs_f64());
        for kind in &kinds {
            let operation = sample.operations.get(kind).copied().unwrap_or_default();
            let _ = write!(
                out,
                ",{},{},{},{},{}",
                operation.completed as f64 / seconds,
                operation.failed as f64 / seconds,
                operation.p50_ms,
                operation.p99_ms,
                operation.max_ms
            );
        }
        let _ = writeln!(
            out,
            ",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            sample.global_heap_bytes,
            outcome.global_lower_bytes,
            outcome.global_upper_bytes,
            sample.largest_region_heap_bytes,
            sample.flush_queue_length,
            sample.flushes_in_progress,
            sample.flush_handlers_busy,
            sample.rpc_handlers_busy,
            sample.call_queue_length,
            sample.blocked_writers,
            sample.regions_above_blocking,
            sample.store_files_max_per_store,
            blocking_files,
            sample.compaction_queue_length,
            sample.compactions_in_progress,
            sample.wal_syncs_in_flight,
            sample.wal_files,
            sample.wal_max_logs,
            u8::from(sample.server_up),
            sample.regions_offline,
            sample.client_retries as f64 / seconds,
            sample.region_too_busy as f64 / seconds,
            sample.client_waiting,
            sample.client_unanswered,
            sample.cpu_busy,
            sample.cpu_runnable,
            sample.gc_paused,
            sample.gc_allocated_bytes as f64 / seconds,
            sample.gc_old_bytes,
            sample.gc_initiating_bytes,
        );
    }
    out
}

/// `events.csv`.
pub fn events_csv(outcome: &RunOutcome) -> String {
    let mut out = String::from("time_s,kind,region,detail\n");
    for marker in &outcome.timeline.markers {
        let region = marker
            .region
            .map(|region| region.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{}",
            marker.time.as_secs_f64(),
            marker.kind.name(),
            region,
            marker.detail
        );
    }
    out
}

/// `regions.csv`, if the run kept per-region series.
pub fn regions_csv(outcome: &RunOutcome) -> Option<String> {
    let series = outcome.timeline.region_heap.as_ref()?;
    let mut by_peak: Vec<(u64, usize)> = series
        .iter()
        .enumerate()
        .map(|(region, values)| (values.iter().copied().max().unwrap_or(0), region))
        .collect();
    // Largest peak first; ties to the lower id.
    by_peak.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let top: Vec<usize> = by_peak
        .iter()
        .take(TOP_REGIONS)
        .map(|&(_, region)| region)
        .collect();
    let mut out = String::from("time_s");
    for region in &top {
        let _ = write!(out, ",region_{region}");
    }
    out.push('\n');
    for (row, sample) in outcome.timeline.samples.iter().enumerate() {
        let _ = write!(out, "{}", sample.time.as_secs_f64());
        for &region in &top {
            let value = series[region].get(row).copied().unwrap_or(0);
            let _ = write!(out, ",{value}");
        }
        out.push('\n');
    }
    Some(out)
}
