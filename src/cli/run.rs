//! `regionsim run`: one run, a short table, and where the results are.

use std::path::PathBuf;

use clap::Args;

use super::format::{count, millis, table};
use super::progress::RunProgress;
use super::{EXIT_RUN_FAILED, Failure, ScenarioArgs};
use crate::report::Summary;
use crate::runner::{RunOptions, run_scenario_with_progress};
use crate::scenario::units::format_size_approx;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The result folder (default: results/<scenario>/seed-<N>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write every processed event to trace.jsonl.
    #[arg(long)]
    trace: bool,
    /// Skip charts/ and report.html (draw them later with `regionsim report DIR`).
    #[arg(long)]
    no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let scenario = args.scenario.load()?;
    let options = RunOptions {
        out: args.out,
        trace: args.trace,
        command: std::env::args().collect(),
        charts: !args.no_charts,
    };
    let mut progress = RunProgress::new(scenario.duration, args.quiet);
    let report = run_scenario_with_progress(&scenario, &options, &mut |time| progress.update(time));
    progress.finish();
    let report = report.map_err(|error| Failure {
        message: format!(
            "{error} (scenario {}, seed {})",
            scenario.name, scenario.seed
        ),
        code: EXIT_RUN_FAILED,
    })?;
    if !args.quiet {
        print!(
            "{}",
            describe(&report.summary, report.info.wall_seconds, &report.folder)
        );
    }
    Ok(())
}

/// The end-of-run table.
fn describe(summary: &Summary, wall_seconds: f64, folder: &std::path::Path) -> String {
    let mut out = format!(
        "regionsim run {} ({}, seed {}): {:.0} simulated seconds in {:.2}s of wall time ({:.0}x)\n\n",
        summary.scenario,
        summary.profile,
        summary.seed,
        summary.simulated_seconds,
        wall_seconds,
        summary.simulated_seconds / wall_seconds.max(1e-9)
    );
    let mut rows = vec![
        [
            "operation",
            "sent",
            "acked",
            "failed",
            "p50",
            "p99",
            "p99.9",
            "max",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (name, operation) in &summary.operations {
        let latency = &operation.latency_ms;
        rows.push(vec![
            name.clone(),
            count(operation.attempted),
            count(operation.succeeded),
            count(operation.failed),
            millis(latency.p50),
            millis(latency.p99),
            millis(latency.p999),
            millis(latency.max),
        ]);
    }
    out.push_str(&table(&rows));
    let flushes = &summary.flushes;
    let reasons: Vec<String> = flushes
        .by_reason
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(reason, count)| format!("{reason} {count}"))
        .collect();
    out.push_str(&format!(
        "\nflushes   {} ({}), {} flushed, {} files written\n",
        count(flushes.count),
        if reasons.is_empty() {
            "none".to_string()
        } else {
            reasons.join(", ")
        },
        format_size_approx(flushes.bytes as f64),
        format_size_approx(flushes.file_bytes as f64),
    ));
    let compactions = &summary.compactions;
    let kinds: Vec<String> = compactions
        .by_kind
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(kind, count)| format!("{kind} {count}"))
        .collect();
    out.push_str(&format!(
        "compacted {} ({}), {} read, {} written; write amplification {:.2}; at most {} files in a store\n",
        count(compactions.count),
        if kinds.is_empty() {
            "none".to_string()
        } else {
            kinds.join(", ")
        },
        format_size_approx(compactions.bytes_read as f64),
        format_size_approx(compactions.bytes_written as f64),
        summary.write_amplification,
        summary.store_files.peak_per_store,
    ));
    if summary.regions.split > 0 || summary.regions.merged > 0 {
        out.push_str(&format!(
            "regions   {} at the end ({} split, {} merged), offline {:.1}s in all\n",
            summary.regions.count_at_end,
            summary.regions.split,
            summary.regions.merged,
            summary.regions.offline_seconds,
        ));
    }
    let blocked = &summary.blocked;
    out.push_str(&format!(
        "blocked   global pressure {:.1}s ({} writes), regions too busy {:.1}s ({} RegionTooBusyException), flushes waiting on store files {:.1}s\n",
        blocked.global_pressure_seconds,
        count(blocked.writes_blocked),
        blocked.region_too_busy_seconds,
        count(summary.region_too_busy),
        blocked.store_files_seconds,
    ));
    let rpc = &summary.rpc;
    out.push_str(&format!(
        "rpc       {} handlers {:.0}% busy, {:.1} calls queued on average (peak {}), {} CallQueueTooBigException, {} client retries\n",
        rpc.handlers,
        rpc.handler_utilisation * 100.0,
        rpc.queue_time_avg_length,
        count(rpc.queue_max_length),
        count(rpc.call_queue_too_big),
        count(summary.client.retries),
    ));
    out.push_str(&format!(
        "memstore  peak {} of {} upper limit (lower {})\n",
        format_size_approx(summary.memstore.global_peak_bytes as f64),
        format_size_approx(summary.memstore.upper_limit_bytes as f64),
        format_size_approx(summary.memstore.lower_limit_bytes as f64),
    ));
    out.push_str(&format!(
        "wal       {} syncs, {:.1} appends per sync\n",
        count(summary.wal.syncs),
        summary.wal.appends_per_sync
    ));
    out.push_str(&format!(
        "trace     {} ({} events)\nresults   {}/\n",
        summary.trace_hash,
        count(summary.events),
        folder.display()
    ));
    out
}
