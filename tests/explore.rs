//! Seed exploration: a seed's plan is a pure function of the seed, its derived scenario
//! reproduces the run, and the checkers catch a broken invariant.

mod common;

use std::path::Path;

use common::bundled;
use regionsim::runner::explore::{check, derive, explore_seed};
use regionsim::runner::simulate;
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
