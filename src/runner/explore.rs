//! Seed exploration: for each seed, a randomised fault plan (and, with swarm testing, randomised
//! settings) derived from the seed alone, a run, and the invariants checked against it.
//!
//! The derivation is a pure function of (base scenario, seed, swarm), so one seed reproduces its
//! run exactly: `regionsim explore SCENARIO --seeds N` runs it again, and the derived scenario is
//! written for `regionsim run`. Invariants live here, apart from the model, and look only at what
//! a run reports (TigerBeetle keeps its checkers apart the same way):
//!
//! - `model_assertion`: the model's own assertions (sizes never negative, a region never twice
//!   in the flush queue, MVCC and locks consistent) held — a failed one panics, and is caught;
//! - `byte_conservation`: bytes written into memstores = flushed + still there + rolled back;
//! - `memstore_limit`: the global memstore went above the upper limit by no more than the
//!   requests in flight could have added;
//! - `flush_queue_law`, `call_queue_law`: Little's law on both queues (within 2%);
//! - `liveness`: once the last fault and action is over, blocked handlers, regions above their
//!   blocking size and queued calls all clear within `LIVENESS_DEADLINE` — unless the same
//!   settings without any fault or action never clear either (then the settings cannot carry
//!   the load, which is the scenario's business, not a fault-handling bug).
//!
//! The durability oracle (acknowledged writes survive a crash) joins them with crash recovery.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use super::simulate;
use crate::model::RunOutcome;
use crate::model::cell::heap_bytes;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::scenario::action::{ActionKind, ActionSpec};
use crate::scenario::error::Origin;
use crate::scenario::fault::{FaultKind, FaultSpec, FaultTiming};
use crate::scenario::properties::{Properties, RawValue, Setting, Source};
use crate::scenario::workload::{OpKind, SizeSpec};
use crate::sim::{RandomStream, SimDuration, SimTime};

/// How long after the last fault or action blocking and queues have to clear.
pub const LIVENESS_DEADLINE: SimDuration = SimDuration::from_secs(120);

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
/// three quarters of the run, and with `swarm` randomised settings within sensible ranges.
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
    if swarm {
        randomise_settings(&mut scenario, &mut stream, seed);
    }
    scenario
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
    if let Ok(properties) = Properties::resolve(scenario.profile, &layered, scenario.heap_bytes) {
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
                && !baseline_clears(&scenario)
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
        != summary.flushes.bytes + memstore.bytes_at_end + memstore.bytes_rolled_back
    {
        fail(
            "byte_conservation",
            format!(
                "added {} ≠ flushed {} + at end {} + rolled back {}",
                memstore.bytes_added,
                summary.flushes.bytes,
                memstore.bytes_at_end,
                memstore.bytes_rolled_back
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
    violations
}

/// The most heap one request could add: its rows × families × columns of the largest cell.
fn request_heap_max(scenario: &Scenario) -> u64 {
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
            let cell = heap_bytes(20 + 64 + family + 64 + 2 * value_max);
            rows * table.families.len() as u64 * u64::from(workload.columns) * cell
        })
        .max()
        .unwrap_or(0)
}

/// Whether the scenario without its faults and actions clears its blocking and queues in the
/// same window that liveness asks about.
fn baseline_clears(scenario: &Scenario) -> bool {
    let Some(last) = last_disturbance(scenario) else {
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

/// After the last fault and action, blocking and queueing must clear within the deadline.
fn liveness(scenario: &Scenario, outcome: &RunOutcome) -> Option<String> {
    let last = last_disturbance(scenario)?;
    let deadline = last + LIVENESS_DEADLINE;
    if SimTime::ZERO + deadline > outcome.end || cleared_between(outcome, last, deadline) {
        return None;
    }
    Some(format!(
        "blocking or queued calls did not clear within {} after the last fault or action (at {})",
        LIVENESS_DEADLINE.approx(),
        last.approx()
    ))
}
