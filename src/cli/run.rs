//! `regionsim run`: one run, a short table, and where the results are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::format::{count, latency, table};
use super::progress::RunProgress;
use super::{EXIT_RUN_FAILED, Failure, ScenarioArgs};
use crate::report::Summary;
use crate::report::result_folder::default_folder;
use crate::report::saturation;
use crate::report::staged_folder::check_apart;
use crate::report::summary::RecoverySummary;
use crate::runner::{RunOptions, RunnerError, run_scenario_with_progress};
use crate::scenario::units::format_size_approx;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The result folder (default: results/<scenario>/seed-<N>), written whole; one that
    /// exists must be empty or a result folder, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write every processed event to trace.jsonl.
    #[arg(long)]
    trace: bool,
    /// Skip charts/ and report.html (draw them later with `regionsim report DIR`).
    #[arg(long)]
    no_charts: bool,
    /// Also write the simulated WAL files (with corrupt/ and any recovered edits left) to DIR,
    /// for `regionsim wal dump` and `wal split`; written whole, as the result folder is.
    #[arg(long, value_name = "DIR")]
    export_wal: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let scenario = args.scenario.load()?;
    if !args.quiet {
        super::warn_of_site_settings(&scenario);
    }
    let out = args.out.unwrap_or_else(|| default_folder(&scenario));
    check_apart("--out", &out, &args.scenario.inputs())?;
    if let Some(dir) = &args.export_wal {
        check_apart("--export-wal", dir, &args.scenario.inputs())?;
    }
    let options = RunOptions {
        out: Some(out),
        trace: args.trace,
        command: std::env::args().collect(),
        charts: !args.no_charts,
        export_wal: args.export_wal,
    };
    let mut progress = RunProgress::new(scenario.duration, args.quiet);
    let report = run_scenario_with_progress(&scenario, &options, &mut |time| progress.update(time));
    progress.finish();
    let report = report.map_err(|error| match error {
        // A refused folder is about the folder, not about the run.
        RunnerError::Folder(folder) if folder.is_bad_input() => Failure::from(folder),
        error => Failure {
            message: format!(
                "{error} (scenario {}, seed {})",
                scenario.name, scenario.seed
            ),
            code: EXIT_RUN_FAILED,
        },
    })?;
    if !args.quiet {
        print!(
            "{}",
            describe(&report.summary, report.info.wall_seconds, &report.folder)
        );
    }
    if let Some(violation) = report.summary.durability.violation() {
        return Err(Failure {
            message: format!(
                "{violation}: a bug in the model (scenario {}, seed {}; results in {})",
                scenario.name,
                scenario.seed,
                report.folder.display()
            ),
            code: EXIT_RUN_FAILED,
        });
    }
    if let Some(reason) = report.summary.client.could_not_keep_up() {
        let bottleneck = report
            .summary
            .bottleneck
            .as_ref()
            .map(|found| format!("; bottleneck {}: {}", found.resource, found.why))
            .unwrap_or_default();
        return Err(Failure {
            message: format!(
                "{reason}{bottleneck} (scenario {}, seed {}; results in {})",
                scenario.name,
                scenario.seed,
                report.folder.display()
            ),
            code: EXIT_RUN_FAILED,
        });
    }
    Ok(())
}

/// The saturation verdict's line: kept up or saturated, the rates, and the bottleneck (or the
/// busiest resource of a run that kept up).
fn verdict(summary: &Summary) -> String {
    let saturation = &summary.saturation;
    let rates = saturation::rates(saturation);
    if !saturation.saturated {
        let busiest = saturation
            .resources
            .iter()
            .max_by(|a, b| a.share.total_cmp(&b.share))
            .map(|busiest| {
                format!(
                    "; busiest {} {:.0}%",
                    busiest.resource,
                    busiest.share * 100.0
                )
            })
            .unwrap_or_default();
        return format!("verdict   kept up ({rates}){busiest}\n");
    }
    let mut how = Vec::new();
    if !saturation.kept_up {
        how.push("could not keep up");
    }
    if saturation.backlog_grew {
        how.push("backlog grew");
    }
    let bottleneck = match &summary.bottleneck {
        Some(found) => format!("bottleneck {}: {}", found.resource, found.why),
        None => "no resource saturated".to_string(),
    };
    format!(
        "verdict   saturated: {} ({rates}); {bottleneck}\n",
        how.join(", ")
    )
}

/// `name count` for each name counted at least once, in name order.
fn nonzero_counts(counts: &BTreeMap<String, u64>) -> Vec<String> {
    counts
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(name, count)| format!("{name} {count}"))
        .collect()
}

/// One crash's line: when the master saw it, the split, when the regions were back.
fn describe_recovery(recovery: &RecoverySummary) -> String {
    let mut line = format!(
        "recovery  {} at {:.1}s",
        recovery.cause, recovery.crashed_at_s
    );
    if let Some(noticed) = recovery.noticed_at_s {
        line.push_str(&format!(", noticed {noticed:.1}s"));
    }
    match (recovery.split_done_at_s, &recovery.split_error) {
        (Some(done), _) => line.push_str(&format!(
            ", split {done:.1}s ({} attempt{}{})",
            recovery.split_attempts,
            if recovery.split_attempts == 1 {
                ""
            } else {
                "s"
            },
            if recovery.split_given_up {
                ", given up: HBASE-2958"
            } else {
                ""
            }
        )),
        (None, Some(error)) => line.push_str(&format!(
            ", split failing after {} attempts: {error}",
            recovery.split_attempts
        )),
        (None, None) => {}
    }
    if !recovery.files_set_aside.is_empty() {
        line.push_str(&format!(
            ", {} set aside as corrupt ({})",
            recovery.files_set_aside.len(),
            recovery.files_set_aside.join(", ")
        ));
    }
    match recovery.completed_at_s {
        Some(done) => line.push_str(&format!(
            ", regions back {done:.1}s (each offline up to {})",
            latency(recovery.region_unavailable_ms.max)
        )),
        None => line.push_str(&format!(
            "; {} of {} regions still offline at the end",
            recovery.regions - recovery.regions_recovered,
            recovery.regions
        )),
    }
    line.push('\n');
    line
}

/// The end-of-run table.
fn describe(summary: &Summary, wall_seconds: f64, folder: &std::path::Path) -> String {
    let mut out = format!(
        "regionsim run {} ({} {}, seed {}): {:.0} simulated seconds in {:.2}s of wall time ({:.0}x)\n\n",
        summary.scenario,
        summary.profile,
        summary.release,
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
        let latency_ms = &operation.latency_ms;
        rows.push(vec![
            name.clone(),
            count(operation.attempted),
            count(operation.succeeded),
            count(operation.failed),
            latency(latency_ms.p50),
            latency(latency_ms.p99),
            latency(latency_ms.p999),
            latency(latency_ms.max),
        ]);
    }
    out.push_str(&table(&rows));
    let flushes = &summary.flushes;
    let reasons = nonzero_counts(&flushes.by_reason);
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
    let kinds = nonzero_counts(&compactions.by_kind);
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
        "blocked   global pressure {:.1}s ({} writes), regions too busy {:.1}s ({} RegionTooBusyException), flushes waiting on store files {:.1}s\n          call queues full ({} CallQueueTooBigException), regions offline {:.1}s ({} NotServingRegionException), arrivals waiting for a client thread {:.1}s ({}){}\n",
        blocked.global_pressure_seconds,
        count(blocked.writes_blocked),
        blocked.region_too_busy_seconds,
        count(summary.region_too_busy),
        blocked.store_files_seconds,
        count(blocked.call_queue_too_big),
        blocked.regions_offline_seconds,
        count(blocked.not_serving_region),
        blocked.client_wait_seconds,
        count(blocked.client_waits),
        if summary.client.buffered_mutators.is_empty() {
            String::new()
        } else {
            format!(
                "\n          client task limits {:.1}s ({} waits in mutate)",
                blocked.client_limit_wait_seconds,
                count(blocked.client_limit_waits)
            )
        },
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
    if let Some(cpu) = &summary.cpu {
        out.push_str(&format!(
            "cpu       {} {} {:.0}% busy, {:.1} threads runnable on average (peak {})\n",
            cpu.cores,
            if cpu.cores == 1 { "core" } else { "cores" },
            cpu.utilisation * 100.0,
            cpu.runnable_mean,
            cpu.runnable_peak,
        ));
    }
    if let Some(gc) = &summary.gc {
        out.push_str(&format!(
            "gc        {}: {} young, {} mixed, {} full collections, {} concurrent cycles; pauses p50 {} p99 {} max {}, {:.1}s in all; old gen peak {}, {}/s allocated{}\n",
            gc.collector,
            count(gc.young_collections),
            count(gc.mixed_collections),
            count(gc.full_collections),
            count(gc.concurrent_cycles),
            latency(gc.pause_ms.p50),
            latency(gc.pause_ms.p99.min(gc.pause_ms.max)),
            latency(gc.pause_ms.max),
            gc.pause_total_seconds,
            format_size_approx(gc.old_peak_bytes as f64),
            format_size_approx(gc.allocation_bytes_per_sec),
            if gc.session_expiries > 0 {
                format!(
                    "; {} pauses outlasted the ZooKeeper session",
                    gc.session_expiries
                )
            } else {
                String::new()
            },
        ));
    }
    out.push_str(&verdict(summary));
    let client = &summary.client;
    if !client.open_loop.is_empty() {
        let offered: u64 = client.open_loop.iter().map(|w| w.offered).sum();
        let waiting: u64 = client.open_loop.iter().map(|w| w.waiting_at_end).sum();
        // HdrHistogram's p99 is its bucket's highest value, which can pass the exact max: a
        // histogram of waits of zero says 1 ns.
        let wait_ms = &client.thread_wait_ms;
        out.push_str(&format!(
            "client    {} arrivals offered, waited for an application thread p99 {} (max {}), {} still waiting at the end\n",
            count(offered),
            latency(wait_ms.p99.min(wait_ms.max)),
            latency(wait_ms.max),
            count(waiting),
        ));
    }
    for mutator in &client.buffered_mutators {
        out.push_str(&format!(
            "mutator   {}: {} submits of {:.0} rows, tasks {:.1} on average (peak {}, at most {} per server), buffer peak {}, {} rows buffered at the end\n",
            mutator.workload,
            count(mutator.submits),
            mutator.rows_per_submit,
            mutator.tasks_mean,
            mutator.tasks_peak,
            mutator.max_perserver_tasks,
            format_size_approx(mutator.buffered_peak_bytes as f64),
            count(mutator.rows_buffered_at_end),
        ));
    }
    if let Some(reads) = &summary.reads {
        let cache = &reads.block_cache;
        out.push_str(&format!(
            "reads     {} gets: {:.2} files and {:.2} data blocks per get; {} scan RPCs, {} rows; {} blocks from HDFS ({})\n",
            count(reads.gets),
            reads.files_per_get_mean,
            reads.data_blocks_per_get_mean,
            count(reads.scan_rpcs),
            count(reads.scan_rows),
            count(reads.hdfs_blocks),
            format_size_approx(reads.hdfs_bytes as f64),
        ));
        out.push_str(&format!(
            "cache     {:.1}% hits (single {:.1}%, multi {:.1}%, memory {:.1}%); {} of {} (single {}, multi {}, memory {}); {} evictions of {} blocks\n",
            cache.hit_ratio * 100.0,
            cache.hit_ratio_single * 100.0,
            cache.hit_ratio_multi * 100.0,
            cache.hit_ratio_memory * 100.0,
            format_size_approx(cache.size_bytes as f64),
            format_size_approx(cache.capacity_bytes as f64),
            format_size_approx(cache.single_bytes as f64),
            format_size_approx(cache.multi_bytes as f64),
            format_size_approx(cache.memory_bytes as f64),
            count(cache.evictions),
            count(cache.evicted_blocks),
        ));
    }
    out.push_str(&format!(
        "memstore  peak {} of {} upper limit (lower {})\n",
        format_size_approx(summary.memstore.global_peak_bytes as f64),
        format_size_approx(summary.memstore.upper_limit_bytes as f64),
        format_size_approx(summary.memstore.lower_limit_bytes as f64),
    ));
    let wal = &summary.wal;
    let rolls = nonzero_counts(&wal.rolls);
    out.push_str(&format!(
        "wal       {} syncs, {:.1} appends per sync, p99 {}; {} rolls{}; at most {} files (maxlogs {}), {} archived{}\n",
        count(wal.syncs),
        wal.appends_per_sync,
        latency(wal.sync_latency_ms.p99),
        count(wal.rolls.values().sum()),
        if rolls.is_empty() { String::new() } else { format!(" ({})", rolls.join(", ")) },
        wal.files_peak,
        wal.max_logs,
        count(wal.files_archived),
        if wal.forced_flush_requests > 0 {
            format!(", {} too_many_wals flush requests", count(wal.forced_flush_requests))
        } else {
            String::new()
        },
    ));
    for recovery in &summary.recovery.recoveries {
        out.push_str(&describe_recovery(recovery));
    }
    let durability = &summary.durability;
    let causes = nonzero_counts(&durability.lost_by_cause);
    out.push_str(&format!(
        "durable   {} acknowledged edits: {} verified, {}{} lost{}{}{}\n",
        count(durability.acknowledged),
        count(durability.verified),
        if durability.corrupted > 0 {
            format!(
                "{} came back corrupted (a damaged value replayed), ",
                count(durability.corrupted)
            )
        } else {
            String::new()
        },
        count(durability.lost),
        if causes.is_empty() {
            String::new()
        } else {
            format!(" ({})", causes.join(", "))
        },
        if durability.unavailable > 0 {
            format!(
                ", {} in regions still offline",
                count(durability.unavailable)
            )
        } else {
            String::new()
        },
        if durability.resurrected > 0 {
            format!(
                ", {} rolled-back edits came back",
                count(durability.resurrected)
            )
        } else {
            String::new()
        },
    ));
    out.push_str(&format!(
        "trace     {} ({} events)\nresults   {}/\n",
        summary.trace_hash,
        count(summary.events),
        folder.display()
    ));
    out
}
