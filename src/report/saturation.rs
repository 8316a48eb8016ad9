//! The saturation verdict of a run: how busy every resource the model has was, whether the
//! server kept up with what the workloads offered, and — when it did not — the resource that
//! limited it.
//!
//! Each resource's use is a share from 0 to 1:
//!
//! | resource | share |
//! | --- | --- |
//! | `client_threads` | the application's threads running an operation, time-averaged, over their number (open-loop workloads with bounded threads) |
//! | `client_tasks` | a BufferedMutator's tasks in progress, time-averaged, over what AsyncProcess lets one server have (`hbase.client.max.perserver.tasks`, at most `max.total.tasks`) |
//! | `rpc_handlers` | handlers holding a call, time-averaged, over the handler count |
//! | `call_queues` | calls queued, time-averaged, over what the queues hold (`hbase.ipc.server.max.callqueue.length` × queues) |
//! | `gc` | the share of the run garbage collections paused the server (with `[jvm] gc = "on"`) |
//! | `cpu` | the share of the cores' time threads ran (with the CPU model on) |
//! | `wal_device` | bytes the WAL's own device moved over what it could have moved (when the WAL has one) |
//! | `hdfs_write` | the same for the HDFS write pipe (flushes, compactions, and the WAL unless it has its own device) |
//! | `hdfs_read` | the same for the HDFS read pipe (compactions' input) |
//! | `flush_handlers` | flush handlers flushing, time-averaged, over their number |
//! | `compaction_threads` | compactions running, time-averaged, over the small and large pools' threads |
//! | `memstore_limits` | the share of the run during which writes were held back by the memstore limits (a handler blocked above the global upper limit, or a region above its blocking size) |
//! | `regions_offline` | region-time offline (closed, splitting, merging, or waiting for crash recovery) over region-time |
//!
//! A resource is saturated at `SATURATED` (90%; 5% for the two shares of time; for `gc`,
//! `GC_SATURATED`). A run is
//! saturated when an open-loop workload could not keep up (more than a second of its arrivals
//! waiting at the end) or the requests waiting grew through the run. Its bottleneck is then the
//! first saturated resource in order of cause: garbage collection (every thread stops in a
//! pause, so it slows whatever else is busy), the cores or a storage pipe (the fullest), the flush handlers
//! or compaction threads (the busier), the memstore limits (or rather, when one was at least
//! half busy, the busiest of what flushes need: the write pipe, the flush handlers, the
//! compactions flushes wait on), regions offline, the RPC handlers, the call queues, the
//! client's task limits, the application's threads (which wait on the task limits). Threads that wait on a full pipe are busy too, so a pipe comes before
//! the threads; handlers are busy whenever anything below them is slow, so they are named only
//! when nothing below them is saturated.

use serde::Serialize;

use crate::model::RunOutcome;
use crate::report::format::count;
use crate::scenario::Scenario;

/// The share at which a resource counts as saturated.
pub const SATURATED: f64 = 0.9;
/// The share of the run at which held-back writes or offline regions count as saturation.
pub const SATURATED_TIME: f64 = 0.05;
/// The share of the run paused at which garbage collection counts as saturated: G1's own
/// throughput goal, `-XX:GCTimeRatio=12` (JDK 9 and later), 1/(1 + 12) of the time in
/// collections; past it G1 grows the heap it may use, and a server at its `-Xmx` cannot.
pub const GC_SATURATED: f64 = 1.0 / 13.0;

/// One resource's use over the run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceUse {
    pub resource: &'static str,
    /// From 0 to 1 (see the module's table).
    pub share: f64,
    pub saturated: bool,
}

/// Whether the server kept up, and how busy each resource was.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SaturationSummary {
    /// Requests per simulated second offered (open loop: arrivals due; closed loop: sent) and
    /// acknowledged, all workloads together.
    pub offered_per_sec: f64,
    pub completed_per_sec: f64,
    /// No open-loop workload ended with more than a second of its arrivals waiting.
    pub kept_up: bool,
    /// The requests waiting (at the client and in the call queues) grew through the run: their
    /// mean over the last quarter of the time series is more than 1.5 times, and more than 10
    /// above, their mean over the second quarter.
    pub backlog_grew: bool,
    /// Not kept up, or a growing backlog.
    pub saturated: bool,
    /// Every resource the run used, in the module table's order.
    pub resources: Vec<ResourceUse>,
}

/// The resource that limited a saturated run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bottleneck {
    pub resource: &'static str,
    pub share: f64,
    /// One sentence for people.
    pub why: String,
}

/// The verdict and, for a saturated run, its bottleneck.
pub fn saturation(
    scenario: &Scenario,
    outcome: &RunOutcome,
    kept_up: bool,
) -> (SaturationSummary, Option<Bottleneck>) {
    let seconds = outcome.end.as_secs_f64().max(f64::MIN_POSITIVE);
    let stats = &outcome.stats;
    let completed: u64 = stats.operations.values().map(|op| op.succeeded).sum();
    let attempted: u64 = stats.operations.values().map(|op| op.attempted).sum();
    let open_started: u64 = outcome.open_loop.iter().map(|w| w.started).sum();
    let open_offered: u64 = outcome.open_loop.iter().map(|w| w.offered).sum();
    // Closed-loop workloads offer what they send: every request the open loop did not start.
    let offered = open_offered + (attempted - open_started);
    let resources = resources(scenario, outcome, seconds);
    let backlog_grew = backlog_grew(outcome);
    let saturated = !kept_up || backlog_grew;
    let summary = SaturationSummary {
        offered_per_sec: offered as f64 / seconds,
        completed_per_sec: completed as f64 / seconds,
        kept_up,
        backlog_grew,
        saturated,
        resources,
    };
    let bottleneck = saturated.then(|| bottleneck(&summary.resources)).flatten();
    (summary, bottleneck)
}

/// Each resource's share, in the module table's order.
fn resources(scenario: &Scenario, outcome: &RunOutcome, seconds: f64) -> Vec<ResourceUse> {
    let stats = &outcome.stats;
    let mut uses = Vec::new();
    let mut add = |resource: &'static str, share: f64, threshold: f64| {
        let share = share.clamp(0.0, 1.0);
        uses.push(ResourceUse {
            resource,
            share,
            saturated: share >= threshold,
        });
    };
    let bounded: Vec<_> = outcome
        .open_loop
        .iter()
        .filter_map(|w| w.threads.map(|threads| (threads, w.threads_busy_mean)))
        .collect();
    if !bounded.is_empty() {
        let threads: f64 = bounded.iter().map(|(threads, _)| f64::from(*threads)).sum();
        let busy: f64 = bounded.iter().map(|(_, busy)| busy).sum();
        add("client_threads", busy / threads, SATURATED);
    }
    if !outcome.mutators.is_empty() {
        let room: f64 = outcome
            .mutators
            .iter()
            .map(|m| f64::from(m.limits.server_tasks.min(m.limits.total_tasks)))
            .sum();
        let busy: f64 = outcome.mutators.iter().map(|m| m.tasks_mean).sum();
        add("client_tasks", busy / room, SATURATED);
    }
    let handlers = outcome.handlers.max(1) as f64;
    add(
        "rpc_handlers",
        outcome.rpc.handlers_busy.mean(outcome.end) / handlers,
        SATURATED,
    );
    let queue_room = (scenario
        .properties
        .int("hbase.ipc.server.max.callqueue.length")
        .max(1) as f64)
        * outcome.call_queues.max(1) as f64;
    add(
        "call_queues",
        outcome.rpc.queued.mean(outcome.end) / queue_room,
        SATURATED,
    );
    if scenario.jvm.gc {
        add(
            "gc",
            stats.gc_paused.time_above_zero(outcome.end).as_secs_f64() / seconds,
            GC_SATURATED,
        );
    }
    if let Some(cpu) = outcome.pipes.cpu {
        add("cpu", cpu, SATURATED);
    }
    if let Some(wal) = outcome.pipes.wal_device {
        add("wal_device", wal, SATURATED);
    }
    add("hdfs_write", outcome.pipes.hdfs_write, SATURATED);
    add("hdfs_read", outcome.pipes.hdfs_read, SATURATED);
    add(
        "flush_handlers",
        outcome.flusher.handlers_busy.mean(outcome.end) / outcome.flusher_handlers.max(1) as f64,
        SATURATED,
    );
    add(
        "compaction_threads",
        stats.compactions_running.mean(outcome.end) / outcome.compaction_threads.max(1) as f64,
        SATURATED,
    );
    let blocked = stats
        .blocked
        .writers
        .time_above_zero(outcome.end)
        .max(stats.regions_above_blocking.time_above_zero(outcome.end));
    add(
        "memstore_limits",
        blocked.as_secs_f64() / seconds,
        SATURATED_TIME,
    );
    let region_seconds = seconds * outcome.regions_at_end.max(1) as f64;
    add(
        "regions_offline",
        outcome.region_offline_nanos as f64 / 1e9 / region_seconds,
        SATURATED_TIME,
    );
    uses
}

/// Whether the requests waiting at the client and in the call queues grew through the run.
fn backlog_grew(outcome: &RunOutcome) -> bool {
    let samples = &outcome.timeline.samples;
    if samples.len() < 8 {
        return false;
    }
    let quarter = samples.len() / 4;
    let mean = |range: &[crate::model::timeline::Sample]| {
        range
            .iter()
            .map(|sample| (sample.client_waiting + sample.call_queue_length) as f64)
            .sum::<f64>()
            / range.len() as f64
    };
    let second = mean(&samples[quarter..2 * quarter]);
    let last = mean(&samples[samples.len() - quarter..]);
    last > second * 1.5 && last > second + 10.0
}

/// The share at which a resource feeding the flushes is taken for why the memstore limits
/// held writes back.
const FEEDS_FLUSHES: f64 = 0.5;

/// The saturated resource that comes first in order of cause. The memstore limits hold writes
/// back because flushes cannot keep up, so when they are saturated the busiest of what flushes
/// need (the write pipe, the flush handlers, the compactions that flushes wait on) is named if
/// it was at least half busy.
fn bottleneck(resources: &[ResourceUse]) -> Option<Bottleneck> {
    let busiest = |names: &[&str], at_least: f64| {
        resources
            .iter()
            .filter(|use_| names.contains(&use_.resource))
            .filter(|use_| {
                if at_least > 0.0 {
                    use_.share >= at_least
                } else {
                    use_.saturated
                }
            })
            .max_by(|a, b| a.share.total_cmp(&b.share))
    };
    const FLUSHES_NEED: &[&str] = &["hdfs_write", "flush_handlers", "compaction_threads"];
    let found = busiest(&["gc"], 0.0)
        .or_else(|| busiest(&["cpu", "wal_device", "hdfs_write", "hdfs_read"], 0.0))
        .or_else(|| busiest(&["flush_handlers", "compaction_threads"], 0.0))
        .or_else(|| {
            busiest(&["memstore_limits"], 0.0)
                .map(|limits| busiest(FLUSHES_NEED, FEEDS_FLUSHES).unwrap_or(limits))
        })
        .or_else(|| busiest(&["regions_offline"], 0.0))
        .or_else(|| busiest(&["rpc_handlers"], 0.0))
        .or_else(|| busiest(&["call_queues"], 0.0))
        .or_else(|| busiest(&["client_tasks"], 0.0))
        .or_else(|| busiest(&["client_threads"], 0.0))?;
    Some(Bottleneck {
        resource: found.resource,
        share: found.share,
        why: why(found),
    })
}

fn why(found: &ResourceUse) -> String {
    let percent = format!("{:.0}%", found.share * 100.0);
    match found.resource {
        "gc" => format!("garbage collections paused the server {percent} of the run"),
        "cpu" => format!("the cores were running threads {percent} of the time"),
        "wal_device" => format!("the WAL's device moved {percent} of what it could"),
        "hdfs_write" => format!(
            "the HDFS write pipe (flushes, compactions and a WAL without its own device) moved {percent} of what it could"
        ),
        "hdfs_read" => {
            format!("the HDFS read pipe (compactions' input) moved {percent} of what it could")
        }
        "flush_handlers" => format!("the flush handlers were flushing {percent} of the time"),
        "compaction_threads" => {
            format!("the compaction threads were compacting {percent} of the time")
        }
        "memstore_limits" => format!(
            "the memstore limits held writes back {percent} of the run (flushes could not keep up)"
        ),
        "regions_offline" => format!("regions were offline {percent} of their time"),
        "rpc_handlers" => format!("the RPC handlers held calls {percent} of the time"),
        "call_queues" => format!("the call queues were {percent} full on average"),
        "client_tasks" => format!(
            "the client's task limits were {percent} taken (AsyncProcess's tasks per server, with the server's handlers not saturated)"
        ),
        _ => format!(
            "the application's threads were busy {percent} of the time while the server had room"
        ),
    }
}

/// "offered 200/s, completed 199/s" with counts in the run table's form.
pub fn rates(summary: &SaturationSummary) -> String {
    format!(
        "offered {}/s, completed {}/s",
        count(summary.offered_per_sec.round() as u64),
        count(summary.completed_per_sec.round() as u64)
    )
}
