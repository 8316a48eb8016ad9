//! Seed exploration: a seed's plan is a pure function of the seed, its derived scenario
//! reproduces the run, and the checkers catch a broken invariant.

mod common;

use std::path::Path;

use common::{bundled, scenario};
use regionsim::model::RunOutcome;
use regionsim::model::wal::durability::LossCause;
use regionsim::runner::explore::{check, derive, explore, explore_seed, recovery_allowance};
use regionsim::runner::simulate;
use regionsim::scenario::fault::{FaultKind, FaultSpec};
use regionsim::scenario::{LoadOptions, load_str};

// The same seed derives the same scenario; another seed derives another.
#[test]
fn plans_are_pure_functions_of_the_seed() {
    let base = bundled("scenarios/default.toml", &["duration=2m"]);
    for swarm in [false, true] {
        let a = derive(&base, 5, swarm).to_resolved_toml();
        assert_eq!(a, derive(&base, 5, swarm).to_resolved_toml());
        assert_ne!(a, derive(&base, 6, swarm).to_resolved_toml());
    }
}

// The derived scenario, written out and read back, runs to the same trace as the exploration's
// run: the printed `regionsim run …/scenario.resolved.toml` reproduces the seed.
#[test]
fn a_derived_scenario_reproduces_its_run() {
    let base = bundled("scenarios/default.toml", &["duration=2m"]);
    let explored = explore_seed(&base, 3, true);
    assert!(explored.violations.is_empty(), "{:?}", explored.violations);
    let text = explored.scenario.to_resolved_toml();
    let reread = load_str(
        "derived.toml",
        &text,
        Path::new("."),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|error| panic!("{error}\n{text}"));
    let a = simulate(&explored.scenario).unwrap();
    let b = simulate(&reread).unwrap();
    assert_eq!(a.trace_hash, b.trace_hash);
}

// The checkers see what a broken model would report: bytes that do not add up, a memstore far
// above its limit.
#[test]
fn the_checkers_catch_broken_invariants() {
    let scenario = bundled("scenarios/default.toml", &["duration=1m"]);
    let mut outcome = simulate(&scenario).unwrap();
    assert!(check(&scenario, &outcome).is_empty());
    outcome.stats.memstore.data_bytes_added += 1;
    outcome.stats.memstore.global_heap_peak = outcome.global_upper_bytes * 10;
    let broken: Vec<&str> = check(&scenario, &outcome)
        .iter()
        .map(|violation| violation.invariant)
        .collect();
    assert_eq!(broken, vec!["byte_conservation", "memstore_limit"]);
}

/// Four regions taking 50 batches of 10 rows a second for 5 minutes with SYNC_WAL, and a crash
/// at 40 s: its recovery (90 s to notice, the split, the opens) is over by about 131 s, which
/// leaves the liveness check its full deadline before the end.
const CRASHING: &str = r#"
name = "crashing"
seed = 1
duration = "5m"
profile = "hbase-2.5"
[server]
heap = "4GB"
[io]
wal_sync_latency = { dist = "constant", value = "2ms" }
[[tables]]
name = "t"
regions = 4
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "50/s" }
mix = { batch = 1.0 }
batch_rows = 10
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 200 }
durability = "SYNC_WAL"
[[faults]]
kind = "crash"
at = "40s"
"#;

// A crash, whatever else the seed's plan adds (another crash, a torn write, a session expiry,
// failing syncs, operator actions), breaks no invariant: every acknowledged edit survives, the
// recovery completes and the server settles after it.
#[test]
fn exploring_a_crashing_scenario_finds_nothing() {
    let base = scenario(CRASHING, &[]);
    let seeds: Vec<u64> = (1..=6).collect();
    let results = explore(&base, &seeds, false, 2, &|| {});
    assert_eq!(results.len(), seeds.len());
    for explored in &results {
        assert!(
            explored.violations.is_empty(),
            "seed {}: {:?}\n{}",
            explored.seed,
            explored.violations,
            explored.scenario.to_resolved_toml()
        );
        let (_, summary) = common::run(&explored.scenario);
        assert!(summary.recovery.crashes >= 1);
        assert!(summary.durability.acknowledged > 0);
        assert_eq!(summary.durability.lost, 0);
        let last = summary.recovery.recoveries.last().expect("a recovery");
        assert!(
            last.completed_at_s.is_some()
                || last.crashed_at_s + recovery_allowance(&explored.scenario).as_secs_f64()
                    > summary.simulated_seconds,
            "seed {}: {last:?}",
            explored.seed
        );
    }
}

// The plan's server-killing fault is a pure function of the seed too, appended after the
// older draws: some seeds get one, others none, and each strikes once at a time early enough
// for its recovery to finish, never a WAL corruption.
#[test]
fn some_plans_kill_the_server() {
    let base = scenario(CRASHING, &["duration=4m"]);
    let mut killed = 0;
    let mut crashed = 0;
    for seed in 1..=40 {
        let derived = derive(&base, seed, false);
        assert_eq!(
            derived.to_resolved_toml(),
            derive(&base, seed, false).to_resolved_toml()
        );
        let added: Vec<&FaultSpec> = derived.faults[base.faults.len()..]
            .iter()
            .filter(|fault| fault.kind.is_crash())
            .collect();
        assert!(added.len() <= 1, "seed {seed}: {added:?}");
        for fault in &added {
            let (at, count) = fault.timing.at.expect("at a time");
            assert_eq!(count, 1);
            assert!(fault.timing.window.is_none());
            assert!(
                at + recovery_allowance(&base) <= base.duration,
                "seed {seed}: {fault:?}"
            );
            crashed += usize::from(matches!(fault.kind, FaultKind::Crash { .. }));
        }
        killed += added.len();
        assert!(
            derived
                .faults
                .iter()
                .all(|fault| !matches!(fault.kind, FaultKind::WalCorruption { .. }))
        );
    }
    assert!(crashed > 0, "no crash among seeds 1 to 40");
    assert!(killed < 40, "every seed killed the server");
    // A run too short for a recovery gets no server-killing fault.
    let short = scenario(CRASHING, &["duration=2m"]);
    for seed in 1..=40 {
        let derived = derive(&short, seed, false);
        assert_eq!(
            derived
                .faults
                .iter()
                .filter(|fault| fault.kind.is_crash())
                .count(),
            short.faults.len(),
            "seed {seed}"
        );
    }
}

// The durability and recovery checkers see what a broken model would report: an acknowledged
// edit lost with no cause, a rolled-back edit back in a store, a recovery that never completed.
#[test]
fn the_checkers_catch_lost_edits_and_stalled_recoveries() {
    let scenario = scenario(CRASHING, &[]);
    let mut outcome = simulate(&scenario).unwrap();
    assert!(check(&scenario, &outcome).is_empty());
    assert!(outcome.stats.memstore.data_bytes_lost_in_crash > 0);
    let broken = |outcome: &RunOutcome| -> Vec<&'static str> {
        check(&scenario, outcome)
            .iter()
            .map(|violation| violation.invariant)
            .collect()
    };
    outcome.durability.lost += 1;
    assert_eq!(broken(&outcome), vec!["durability"]);
    // An explained loss with ASYNC_WAL is no violation.
    *outcome
        .durability
        .lost_by_cause
        .entry(LossCause::AsyncWalWindow)
        .or_default() += 1;
    let asynchronous = common::scenario(CRASHING, &["workloads.0.durability=ASYNC_WAL"]);
    assert!(check(&asynchronous, &outcome).is_empty());
    outcome.durability.lost_by_cause.clear();
    outcome.durability.lost -= 1;
    *outcome
        .durability
        .lost_by_cause
        .entry(LossCause::Unexplained)
        .or_default() += 1;
    assert_eq!(broken(&outcome), vec!["durability"]);
    outcome.durability.lost_by_cause.clear();
    outcome.durability.resurrected += 1;
    assert_eq!(broken(&outcome), vec!["durability"]);
    outcome.durability.resurrected -= 1;
    assert!(check(&scenario, &outcome).is_empty());
    outcome.stats.recoveries[0].completed_at = None;
    outcome.stats.recoveries[0].last_split_error = Some("an EOF in wal.1 at 1234".to_string());
    let violations = check(&scenario, &outcome);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].invariant, "recovery");
    assert!(violations[0].detail.contains("an EOF in wal.1 at 1234"));
}

// A recovery reopens the regions `openregion.threads` at a time, each after the open latency
// and its replay flush: the allowance grows by one wave of 1 s + 1 s per three regions, so a
// 400-region server is not called stalled while its regions still open in order.
#[test]
fn the_recovery_allowance_grows_with_the_waves_of_regions_to_open() {
    let seconds = |sets: &[&str]| recovery_allowance(&scenario(CRASHING, sets)).as_secs_f64();
    assert_eq!(seconds(&[]), 150.0 + 2.0 * 2.0);
    assert_eq!(seconds(&["tables[0].regions=400"]), 150.0 + 134.0 * 2.0);
    assert_eq!(
        seconds(&[
            "tables[0].regions=400",
            "hbase.regionserver.executor.openregion.threads=400",
        ]),
        152.0
    );
    assert_eq!(
        seconds(&[r#"io.region_open_latency={ dist = "lognormal", median = "1s", p99 = "9s" }"#]),
        150.0 + 2.0 * 10.0
    );
}
