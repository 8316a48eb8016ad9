//! Determinism: the same scenario and seed give byte-identical results; another seed gives
//! another run; the resolved scenario reproduces the run.

mod common;

use std::path::Path;

use common::{ONE_REGION, bundled, run, scenario};
use regionsim::model::RegionServer;
use regionsim::model::event::TraceRecord;
use regionsim::scenario::{LoadOptions, load_str};

/// Runs a scenario twice and, if the traces differ, names the first event that diverged.
fn assert_same_trace(first: &regionsim::scenario::Scenario) {
    let record = |scenario| {
        let mut events = Vec::new();
        let mut sink = |record: TraceRecord| events.push(record);
        RegionServer::new(scenario)
            .with_trace_sink(&mut sink)
            .run()
            .unwrap();
        events
    };
    let a = record(first);
    let b = record(first);
    if let Some(index) = a.iter().zip(&b).position(|(x, y)| x != y) {
        panic!(
            "runs diverge at event {index}: {:?} vs {:?}",
            a[index], b[index]
        );
    }
    assert_eq!(a.len(), b.len());
}

// Same scenario, same seed: the same summary.json bytes and the same event trace.
#[test]
fn same_seed_gives_identical_summary() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let scenario = bundled(
            "scenarios/default.toml",
            &["duration=90s", &format!("profile={profile}")],
        );
        let (_, first) = run(&scenario);
        let (_, second) = run(&scenario);
        assert_eq!(first.to_json(), second.to_json(), "{profile}");
    }
    assert_same_trace(&scenario(ONE_REGION, &["duration=20s"]));
}

// Another seed changes the trace hash (and the latencies with it).
#[test]
fn another_seed_changes_the_trace_hash() {
    let (_, a) = run(&bundled("scenarios/default.toml", &["duration=30s"]));
    let (_, b) = run(&bundled(
        "scenarios/default.toml",
        &["duration=30s", "seed=43"],
    ));
    assert_ne!(a.trace_hash, b.trace_hash);
    assert_ne!(
        a.operations["batch"].latency_ms,
        b.operations["batch"].latency_ms
    );
}

// scenario.resolved.toml, run again, gives the same summary.json byte for byte.
#[test]
fn the_resolved_scenario_reproduces_the_run() {
    let original = bundled(
        "scenarios/default.toml",
        &["duration=60s", "hbase.hstore.flusher.count=3"],
    );
    let resolved_text = original.to_resolved_toml();
    let resolved = load_str(
        "resolved.toml",
        &resolved_text,
        Path::new("."),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|error| panic!("{error}\n{resolved_text}"));
    let (_, a) = run(&original);
    let (_, b) = run(&resolved);
    assert_eq!(a.to_json(), b.to_json());
}

// Adding a workload does not move the draws of another: its arrivals keep their times.
#[test]
fn streams_are_independent_per_workload() {
    let extra = format!(
        "{ONE_REGION}\n[[workloads]]\nname = \"other\"\ntable = \"t\"\narrival = {{ kind = \"open\", rate = \"10/s\" }}\nkeys = {{ dist = \"uniform\", count = 1_000_000 }}\n"
    );
    let arrivals = |text: &str| {
        let scenario = scenario(
            text,
            &["duration=2s", "workloads.0.arrival.process=poisson"],
        );
        let mut times = Vec::new();
        let mut sink = |record: TraceRecord| {
            if let regionsim::model::event::Event::OpenArrival { client: 0 } = record.event {
                times.push(record.time_nanos);
            }
        };
        RegionServer::new(&scenario)
            .with_trace_sink(&mut sink)
            .run()
            .unwrap();
        times
    };
    assert_eq!(arrivals(ONE_REGION), arrivals(&extra));
}
