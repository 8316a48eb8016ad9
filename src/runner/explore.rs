//! Seed exploration: for each seed, a randomised fault plan (and, with swarm testing, randomised
//! settings) derived from the seed alone, a run, and the invariants checked against it.
//!
//! The derivation is a pure function of (base scenario, seed, swarm), so one seed reproduces its
//! run exactly: `regionsim explore SCENARIO --seeds N` runs it again, and the derived scenario is
//! written for `regionsim run`. A plan holds WAL sync failures, operator actions and, for half
//! the seeds, one fault that kills the server (a crash, a torn WAL write or a ZooKeeper session
//! expiry) early enough for its recovery to finish inside the run. Invariants live here, apart
//! from the model, and look only at what a run reports (TigerBeetle keeps its checkers apart the
//! same way):
//!
//! - `model_assertion`: the model's own assertions (sizes never negative, a region never twice
//!   in the flush queue, MVCC and locks consistent) held — a failed one panics, and is caught;
//! - `byte_conservation`: bytes written into memstores = flushed + still there + rolled back +
//!   lost with the memstores in a crash;
//! - `memstore_limit`: the global memstore went above the upper limit by no more than the
//!   requests in flight could have added;
//! - `flush_queue_law`, `call_queue_law`: Little's law on both queues (within 2%);
//! - `durability`: the durability oracle found no lost edit it cannot explain and no rolled-back
//!   edit back in a store; and, when every workload syncs its edits (USE_DEFAULT, SYNC_WAL or
//!   FSYNC_WAL), no known bug is on and no WAL file is corrupted, no acknowledged edit lost;
//! - `liveness`: once the last fault and action is over and the last recovery has completed,
//!   blocked handlers, regions above their blocking size and queued calls all clear within
//!   `LIVENESS_DEADLINE` — unless the same settings without any fault or action never clear
//!   either (then the settings cannot carry the load, which is the scenario's business, not a
//!   fault-handling bug);
//! - `recovery`: the last crash's recovery, if it had its `recovery_allowance` before the end,
//!   completed (every region opened again) — unless a WAL corruption or HBASE-2643 is in play,
//!   which may hold a split up for ever as HBase would. (A crash while a recovery's regions
//!   still open leaves that recovery unfinished and hands its regions to the next one.)

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use super::simulate;
use crate::model::RunOutcome;
use crate::model::config::ServerConfig;
use crate::model::wal::durability::LossCause;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::scenario::action::{ActionKind, ActionSpec};
use crate::scenario::error::Origin;
use crate::scenario::fault::{CrashPoint, FaultKind, FaultSpec, FaultTiming};
use crate::scenario::known_bugs::{KnownBug, KnownBugs};
use crate::scenario::properties::{Properties, RawValue, Setting, Source};
use crate::scenario::workload::{Durability, OpKind, SizeSpec};
use crate::sim::{RandomStream, SimDuration, SimTime};

/// How long after the last fault or action (or the last recovery) blocking and queues have to
/// clear.
pub const LIVENESS_DEADLINE: SimDuration = SimDuration::from_secs(120);

/// How long a crash's recovery may take before its regions open: the master's 90 s
/// `zookeeper.session.timeout` and the split, with room to spare.
const RECOVERY_BEFORE_OPENING: SimDuration = SimDuration::from_secs(150);

/// Room for one region's replay flush while it opens.
const REPLAY_FLUSH_ALLOWANCE: SimDuration = SimDuration::from_secs(1);

/// How long a crash's recovery may take in `scenario`: `RECOVERY_BEFORE_OPENING`, then the
/// regions opening `hbase.regionserver.executor.openregion.threads` at a time, each wave
/// allowed the region-open latency's 99th percentile (or more) and its replay flush. (400
/// regions at 3 a time take 134 waves: over two minutes of opening alone.) A derived crash comes
/// at least this long before the end, and the last recovery still unfinished this long after its
/// crash is a violation.
pub fn recovery_allowance(scenario: &Scenario) -> SimDuration {
    let regions: u64 = scenario
        .tables
        .iter()
        .map(|table| u64::from(table.regions))
        .sum();
    let threads = ServerConfig::new(scenario)
        .recovery
        .open_region_threads
        .max(1);
    let waves = regions.div_ceil(threads);
    let wave = scenario.io.region_open_latency.p99_or_more() + REPLAY_FLUSH_ALLOWANCE;
    RECOVERY_BEFORE_OPENING + SimDuration::from_nanos(wave.as_nanos().saturating_mul(waves))
}

/// One broken invariant.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub invariant: &'static str,
    pub detail: String,
}

/// The result of one explored seed.
#[derive(Debug, Clone)]
pub struct Explored {
    pub seed: u64,
    pub scenario: Scenario,
    pub violations: Vec<Violation>,
}

/// The base scenario with a randomised plan from `seed`: a few WAL sync failures, operator
/// actions (admin flushes, closes, splits, merges, snapshots) at random times in the first
/// three quarters of the run, for half the seeds one fault that kills the server (see
/// `server_death`), and with `swarm` randomised settings within sensible ranges.
pub fn derive(base: &Scenario, seed: u64, swarm: bool) -> Scenario {
    let mut scenario = base.clone();
    scenario.seed = seed;
    let mut stream = RandomStream::new(seed, "explore.plan");
    let span = base.duration.as_nanos() * 3 / 4;
    let time = |stream: &mut RandomStream| SimDuration::from_nanos(stream.below(span.max(1)));
    let failures = stream.below(4);
    for _ in 0..failures {
        scenario.faults.push(FaultSpec {
            kind: FaultKind::WalSyncFailure,
            timing: FaultTiming {
                at: Some((time(&mut stream), 1 + stream.below(3) as u32)),
                window: None,
            },
        });
    }
    let actions = stream.below(4);
    for _ in 0..actions {
        let table = &base.tables[stream.below(base.tables.len() as u64) as usize];
        let kind = match stream.below(5) {
            0 => ActionKind::AdminFlush,
            1 => ActionKind::Close {
                reopen_after: SimDuration::from_millis(100 + stream.below(3000)),
            },
            2 => ActionKind::Split {
                reopen_after: SimDuration::from_millis(100 + stream.below(2000)),
            },
            3 if table.regions > 1 => ActionKind::Merge {
                reopen_after: SimDuration::from_millis(100 + stream.below(2000)),
            },
            _ => ActionKind::Snapshot,
        };
        let region = match kind {
            ActionKind::Merge { .. } => Some(stream.below(u64::from(table.regions) - 1) as u32),
            _ => Some(stream.below(u64::from(table.regions)) as u32),
        };
        scenario.actions.push(ActionSpec {
            kind,
            at: time(&mut stream),
            table: table.name.clone(),
            region,
        });
    }
    scenario.actions.sort_by_key(|action| action.at);
    // Drawn after the faults and actions above, so a seed keeps the part of its plan it had
    // before the server could die.
    if let Some(fault) = server_death(base.duration, recovery_allowance(base), &mut stream) {
        scenario.faults.push(fault);
    }
    if swarm {
        randomise_settings(&mut scenario, &mut stream, seed);
    }
    scenario
}

/// At most one fault that kills the server, drawn for half the seeds: a crash at a time, a crash
/// as a sync, flush or roll starts, a torn WAL write or a ZooKeeper session expiry, from a time
/// in the first half of the run. None when that time leaves less than `allowance` (the
/// scenario's `recovery_allowance`) before the end, so the recovery can finish inside the run. Never a WAL corruption: with the
/// default `hbase.hlog.split.skip.errors` false its split fails for ever and the regions stay
/// offline, which is what HBase does.
fn server_death(
    duration: SimDuration,
    allowance: SimDuration,
    stream: &mut RandomStream,
) -> Option<FaultSpec> {
    let choice = stream.below(8);
    let at = SimDuration::from_nanos(stream.below((duration.as_nanos() / 2).max(1)));
    let kind = match choice {
        4 => FaultKind::Crash { during: None },
        5 => FaultKind::Crash {
            during: Some(match stream.below(3) {
                0 => CrashPoint::Sync,
                1 => CrashPoint::Flush,
                _ => CrashPoint::Roll,
            }),
        },
        6 => FaultKind::WalTornWrite { fraction: None },
        7 => FaultKind::ZkExpiry,
        _ => return None,
    };
    if at > duration.saturating_sub(allowance) {
        return None;
    }
    Some(FaultSpec {
        kind,
        timing: FaultTiming {
            at: Some((at, 1)),
            window: None,
        },
    })
}

/// Swarm testing: a handful of settings drawn within ranges where the server still works.
fn randomise_settings(scenario: &mut Scenario, stream: &mut RandomStream, seed: u64) {
    let origin = Origin::Argument(format!("explore --swarm, seed {seed}"));
    let mut pick = |name: &str, choices: &[i64]| Setting {
        name: name.to_string(),
        value: RawValue::Int(i128::from(
            choices[stream.below(choices.len() as u64) as usize],
        )),
        source: Source::Argument(origin.clone()),
    };
    let settings = [
        pick(
            "hbase.hregion.memstore.flush.size",
            &[16 << 20, 32 << 20, 64 << 20, 128 << 20],
        ),
        pick("hbase.hstore.flusher.count", &[1, 2, 4]),
        pick("hbase.regionserver.handler.count", &[10, 30, 100]),
        pick("hbase.hregion.memstore.block.multiplier", &[2, 4, 8]),
        pick("hbase.hstore.blockingStoreFiles", &[4, 16, 64]),
    ];
    let mut layered: Vec<Setting> = scenario
        .properties
        .iter()
        .filter(|property| {
            !matches!(property.source, Source::Profile | Source::Derived(_))
                && !settings
                    .iter()
                    .any(|setting| setting.name == property.definition.name)
        })
        .filter_map(|property| {
            let value = match property.value.as_ref()? {
                crate::scenario::properties::PropertyValue::Int(value) => {
                    RawValue::Int(i128::from(*value))
                }
                crate::scenario::properties::PropertyValue::Float(value) => RawValue::Float(*value),
                crate::scenario::properties::PropertyValue::Bool(value) => RawValue::Bool(*value),
                crate::scenario::properties::PropertyValue::Text(value) => {
                    RawValue::Text(value.clone())
                }
            };
            Some(Setting {
                name: property.definition.name.to_string(),
                value,
                source: property.source.clone(),
            })
        })
        .collect();
    layered.extend(settings);
    if let Ok(properties) = Properties::resolve(scenario.release, &layered, scenario.heap_bytes) {
        scenario.properties = properties;
    }
}

/// Runs one seed and checks every invariant.
pub fn explore_seed(base: &Scenario, seed: u64, swarm: bool) -> Explored {
    let scenario = derive(base, seed, swarm);
    let outcome = catch_unwind(AssertUnwindSafe(|| simulate(&scenario)));
    let violations = match outcome {
        Err(panic) => vec![Violation {
            invariant: "model_assertion",
            detail: panic_message(panic.as_ref()),
        }],
        Ok(Err(error)) => vec![Violation {
            invariant: "liveness",
            detail: error.to_string(),
        }],
        Ok(Ok(outcome)) => {
            let mut violations = check(&scenario, &outcome);
            if violations
                .iter()
                .any(|violation| violation.invariant == "liveness")
                && !baseline_clears(&scenario, &outcome)
            {
                violations.retain(|violation| violation.invariant != "liveness");
            }
            violations
        }
    };
    Explored {
        seed,
        scenario,
        violations,
    }
}

/// Explores every seed on `jobs` threads; results in seed order.
pub fn explore(
    base: &Scenario,
    seeds: &[u64],
    swarm: bool,
    jobs: usize,
    seed_done: &(dyn Fn() + Sync),
) -> Vec<Explored> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build();
    let work = || {
        seeds
            .par_iter()
            .map(|&seed| {
                let explored = explore_seed(base, seed, swarm);
                seed_done();
                explored
            })
            .collect()
    };
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => seeds
            .iter()
            .map(|&seed| explore_seed(base, seed, swarm))
            .collect(),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "the model panicked".to_string())
}

/// The invariants a finished run must satisfy.
pub fn check(scenario: &Scenario, outcome: &RunOutcome) -> Vec<Violation> {
    let summary = Summary::new(scenario, outcome);
    let mut violations = Vec::new();
    let mut fail = |invariant, detail: String| violations.push(Violation { invariant, detail });
    let memstore = &summary.memstore;
    if memstore.bytes_added
        != summary.flushes.bytes
            + memstore.bytes_at_end
            + memstore.bytes_rolled_back
            + memstore.bytes_lost_in_crash
    {
        fail(
            "byte_conservation",
            format!(
                "added {} ≠ flushed {} + at end {} + rolled back {} + lost in a crash {}",
                memstore.bytes_added,
                summary.flushes.bytes,
                memstore.bytes_at_end,
                memstore.bytes_rolled_back,
                memstore.bytes_lost_in_crash
            ),
        );
    }
    let durability = &summary.durability;
    let unexplained = durability
        .lost_by_cause
        .get(LossCause::Unexplained.name())
        .copied()
        .unwrap_or(0);
    if unexplained > 0
        || durability.resurrected > 0
        || (durability.lost > 0 && nothing_may_be_lost(scenario))
    {
        fail(
            "durability",
            format!(
                "of {} acknowledged edits {} lost (by cause {:?}); {} of {} rolled back found again",
                durability.acknowledged,
                durability.lost,
                durability.lost_by_cause,
                durability.resurrected,
                durability.rolled_back
            ),
        );
    }
    let request_heap_max = request_heap_max(scenario);
    let allowance = summary
        .limits
        .requests_in_flight_peak
        .saturating_mul(request_heap_max);
    if memstore.global_peak_bytes > memstore.upper_limit_bytes.saturating_add(allowance) {
        fail(
            "memstore_limit",
            format!(
                "global peak {} above upper limit {} plus {} in flight",
                memstore.global_peak_bytes, memstore.upper_limit_bytes, allowance
            ),
        );
    }
    let seconds = summary.simulated_seconds;
    let law = |arrivals: u64, mean_wait_ms: f64, length: f64| {
        let predicted = arrivals as f64 / seconds * mean_wait_ms / 1000.0;
        (length - predicted).abs() <= 0.02 * length.max(predicted) + 1e-9
    };
    let queue = &summary.flush_queue;
    if !law(queue.arrivals, queue.mean_wait_ms, queue.time_avg_length) {
        fail("flush_queue_law", format!("{queue:?}"));
    }
    let rpc = &summary.rpc;
    if !law(rpc.calls, rpc.queue_mean_wait_ms, rpc.queue_time_avg_length) {
        fail("call_queue_law", format!("{rpc:?}"));
    }
    if let Some(detail) = liveness(scenario, outcome) {
        fail("liveness", detail);
    }
    if let Some(detail) = stalled_recovery(scenario, &summary) {
        fail("recovery", detail);
    }
    violations
}

/// Whether every acknowledged edit must survive: each workload writes it to the WAL and syncs
/// it (its own durability, or its table's when USE_DEFAULT, is USE_DEFAULT, SYNC_WAL or
/// FSYNC_WAL), no known bug is on, and no WAL file is corrupted (with skip.errors true its
/// split moves the file to `corrupt/`, edits and all).
fn nothing_may_be_lost(scenario: &Scenario) -> bool {
    let synced = |durability: Durability| {
        matches!(
            durability,
            Durability::UseDefault | Durability::SyncWal | Durability::FsyncWal
        )
    };
    scenario.bugs == KnownBugs::NONE
        && !corrupts_a_wal(scenario)
        && scenario.workloads.iter().all(|workload| {
            let table = scenario
                .tables
                .iter()
                .find(|table| table.name == workload.table);
            synced(workload.durability)
                && (workload.durability != Durability::UseDefault
                    || table.is_none_or(|table| synced(table.durability)))
        })
}

fn corrupts_a_wal(scenario: &Scenario) -> bool {
    scenario.faults.iter().any(|fault| {
        matches!(
            fault.kind,
            FaultKind::WalCorruption { .. } | FaultKind::WalUnreadable { .. }
        )
    })
}

/// The last crash's recovery, if it had its `recovery_allowance` before the run ended and did not
/// complete. (An earlier recovery may never complete: a crash of the new process while its
/// regions still open hands them all to the next recovery.) A damaged or unreadable WAL, or HBASE-2643
/// (which takes a truncated last entry for one), may hold a split up for ever as HBase would,
/// so neither is a stall here.
fn stalled_recovery(scenario: &Scenario, summary: &Summary) -> Option<String> {
    if corrupts_a_wal(scenario) || scenario.bugs.is_on(KnownBug::Hbase2643) {
        return None;
    }
    let allowance = recovery_allowance(scenario).as_secs_f64();
    let stalled = summary.recovery.recoveries.last().filter(|recovery| {
        recovery.completed_at_s.is_none()
            && recovery.crashed_at_s + allowance <= summary.simulated_seconds
    })?;
    Some(format!(
        "the recovery from the {} at {:.3}s did not complete by the end ({:.3}s): noticed at {}, {} split attempts, {} failed, split done at {}, {} of {} regions back; last split error: {}",
        stalled.cause,
        stalled.crashed_at_s,
        summary.simulated_seconds,
        seconds_or_never(stalled.noticed_at_s),
        stalled.split_attempts,
        stalled.split_failures,
        seconds_or_never(stalled.split_done_at_s),
        stalled.regions_recovered,
        stalled.regions,
        stalled.split_error.as_deref().unwrap_or("none"),
    ))
}

fn seconds_or_never(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "never".to_string(), |seconds| format!("{seconds:.3}s"))
}

/// The most heap one request could add: its rows × families × columns of the largest cell.
fn request_heap_max(scenario: &Scenario) -> u64 {
    let heap = ServerConfig::new(scenario).heap_accounting;
    scenario
        .workloads
        .iter()
        .map(|workload| {
            let table = scenario
                .tables
                .iter()
                .find(|table| table.name == workload.table)
                .expect("a workload's table exists");
            let rows = if workload.mix.iter().any(|(kind, _)| *kind == OpKind::Batch) {
                u64::from(workload.batch_rows)
            } else {
                1
            };
            let value_max = match workload.value_size {
                SizeSpec::Constant { bytes } => bytes,
                SizeSpec::Uniform { max, .. } => max,
            };
            // Key bytes are bounded generously: a 64-byte row and qualifier, the longest family;
            // an append may grow a value by the drawn size each time, so allow for it twice.
            let family = table.families.iter().map(String::len).max().unwrap_or(0) as u64;
            let cell = heap.heap_bytes(20 + 64 + family + 64 + 2 * value_max);
            rows * table.families.len() as u64 * u64::from(workload.columns) * cell
        })
        .max()
        .unwrap_or(0)
}

/// Whether the scenario without its faults and actions clears its blocking and queues in the
/// same window that liveness asks about in `outcome`.
fn baseline_clears(scenario: &Scenario, outcome: &RunOutcome) -> bool {
    let Some((last, _)) = quiet_from(scenario, outcome) else {
        return true;
    };
    let mut quiet = scenario.clone();
    quiet.faults.clear();
    quiet.actions.clear();
    match catch_unwind(AssertUnwindSafe(|| simulate(&quiet))) {
        Ok(Ok(outcome)) => cleared_between(&outcome, last, last + LIVENESS_DEADLINE),
        _ => false,
    }
}

/// From when the run should settle, if anything disturbs it: the later of the last fault or
/// action and the last recovery to complete (the regions are offline until then); and whether
/// it is the recovery.
fn quiet_from(scenario: &Scenario, outcome: &RunOutcome) -> Option<(SimDuration, bool)> {
    let disturbance = last_disturbance(scenario)?;
    let recovered = outcome
        .stats
        .recoveries
        .iter()
        .filter_map(|recovery| recovery.completed_at)
        .max()
        .map(|at| at.saturating_duration_since(SimTime::ZERO));
    Some(match recovered {
        Some(recovered) if recovered >= disturbance => (recovered, true),
        _ => (disturbance, false),
    })
}

/// When the last fault or action happens, if any does.
fn last_disturbance(scenario: &Scenario) -> Option<SimDuration> {
    scenario
        .faults
        .iter()
        .flat_map(|fault| {
            let at = fault.timing.at.map(|(at, _)| at);
            let window_end = fault.timing.window.map(|(_, end, _)| end);
            at.into_iter().chain(window_end)
        })
        .chain(scenario.actions.iter().map(|action| action.at))
        .max()
}

/// Whether some sample in (from, to] shows no blocked handler, no region above its blocking
/// size and no queued call.
fn cleared_between(outcome: &RunOutcome, from: SimDuration, to: SimDuration) -> bool {
    outcome.timeline.samples.iter().any(|sample| {
        sample.time > SimTime::ZERO + from
            && sample.time <= SimTime::ZERO + to
            && sample.blocked_writers == 0
            && sample.regions_above_blocking == 0
            && sample.call_queue_length == 0
    })
}

/// After the last fault and action, and the last recovery to complete, blocking and queueing
/// must clear within the deadline.
fn liveness(scenario: &Scenario, outcome: &RunOutcome) -> Option<String> {
    let (last, recovery) = quiet_from(scenario, outcome)?;
    let deadline = last + LIVENESS_DEADLINE;
    if SimTime::ZERO + deadline > outcome.end || cleared_between(outcome, last, deadline) {
        return None;
    }
    Some(format!(
        "blocking or queued calls did not clear within {} after {} (at {})",
        LIVENESS_DEADLINE.approx(),
        if recovery {
            "the last recovery completed"
        } else {
            "the last fault or action"
        },
        last.approx()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::for_tests;

    fn workload(durability: &str, table_durability: &str) -> Scenario {
        for_tests(&format!(
            r#"name = "test"
[[tables]]
name = "t"
durability = "{table_durability}"
[[workloads]]
table = "t"
arrival = {{ kind = "open", rate = "10/s" }}
keys = {{ dist = "uniform", count = 1000 }}
value_size = {{ dist = "constant", bytes = 100 }}
durability = "{durability}"
"#
        ))
    }

    // Losses are a violation only where every edit was synced: a workload's own durability, or
    // its table's when it says USE_DEFAULT; no known bug; no corrupted WAL.
    #[test]
    fn which_runs_may_lose_nothing() {
        assert!(nothing_may_be_lost(&workload("SYNC_WAL", "ASYNC_WAL")));
        assert!(nothing_may_be_lost(&workload("USE_DEFAULT", "FSYNC_WAL")));
        assert!(nothing_may_be_lost(&workload("USE_DEFAULT", "USE_DEFAULT")));
        assert!(!nothing_may_be_lost(&workload("USE_DEFAULT", "ASYNC_WAL")));
        assert!(!nothing_may_be_lost(&workload("SKIP_WAL", "SYNC_WAL")));
        let mut bug = workload("SYNC_WAL", "USE_DEFAULT");
        bug.bugs = KnownBugs::NONE.with(KnownBug::Hbase2958);
        assert!(!nothing_may_be_lost(&bug));
        let mut corrupt = workload("SYNC_WAL", "USE_DEFAULT");
        corrupt.faults.push(FaultSpec {
            kind: FaultKind::WalCorruption {
                file: crate::scenario::fault::CorruptedFile::Current,
                target: crate::scenario::fault::CorruptionTarget::Entry,
                source: crate::scenario::fault::CorruptionSource::Replicas(None),
            },
            timing: FaultTiming {
                at: Some((SimDuration::ZERO, 1)),
                window: None,
            },
        });
        assert!(!nothing_may_be_lost(&corrupt));
    }

    // A server-killing fault strikes once, at a time in the first half of the run that leaves
    // the recovery its allowance; a run too short for that gets none.
    #[test]
    fn server_deaths_leave_time_to_recover() {
        let duration = SimDuration::from_secs(600);
        let allowance = SimDuration::from_secs(150);
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let mut stream = RandomStream::new(seed, "explore.plan");
            let Some(fault) = server_death(duration, allowance, &mut stream) else {
                continue;
            };
            assert!(fault.kind.is_crash());
            let (at, count) = fault.timing.at.unwrap();
            assert_eq!((count, fault.timing.window), (1, None));
            assert!(at < SimDuration::from_secs(300) && at + allowance <= duration);
            kinds.insert(format!("{:?}", fault.kind));
        }
        // A crash at a time, at each point, a torn write, a session expiry.
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        for seed in 0..200 {
            let mut stream = RandomStream::new(seed, "explore.plan");
            assert!(server_death(SimDuration::from_secs(149), allowance, &mut stream).is_none());
            let long_allowance = SimDuration::from_secs(600);
            assert!(server_death(duration, long_allowance, &mut stream).is_none());
        }
    }
}
