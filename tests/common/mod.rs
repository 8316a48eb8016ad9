//! Helpers shared by the integration tests: one way in (scenario text → summary) per boundary.

#![allow(dead_code)]

pub mod wal;

use std::path::Path;
use std::process::{Command, Output};

use regionsim::model::RunOutcome;
use regionsim::report::Summary;
use regionsim::runner::simulate;
use regionsim::scenario::document::Assignment;
use regionsim::scenario::error::ScenarioError;
use regionsim::scenario::{LoadOptions, Scenario, load_file, load_str};

/// Load options carrying `--set` style overrides.
fn options(sets: &[&str]) -> LoadOptions {
    LoadOptions {
        assignments: sets
            .iter()
            .map(|set| Assignment::parse(set).unwrap())
            .collect(),
        ..LoadOptions::default()
    }
}

/// Loads scenario text with `--set` style overrides, or the error that refuses it.
pub fn load(text: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    load_str("test.toml", text, Path::new("."), &options(sets))
}

/// Loads scenario text with `--set` style overrides.
pub fn scenario(text: &str, sets: &[&str]) -> Scenario {
    load(text, sets).unwrap_or_else(|error| panic!("{error}"))
}

/// Loads a bundled scenario file with overrides, or the error that refuses them.
pub fn load_bundled(path: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    load_file(&manifest.join(path), &options(sets))
}

/// Loads a bundled scenario file with overrides.
pub fn bundled(path: &str, sets: &[&str]) -> Scenario {
    load_bundled(path, sets).unwrap_or_else(|error| panic!("{error}"))
}

/// Runs the `regionsim` binary from the crate's folder.
pub fn regionsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// Simulates and summarises.
pub fn run(scenario: &Scenario) -> (RunOutcome, Summary) {
    let outcome = simulate(scenario).unwrap_or_else(|error| panic!("{error}"));
    let summary = Summary::new(scenario, &outcome);
    (outcome, summary)
}

/// One table with one region, a constant put rate of constant-size values, one family.
pub const ONE_REGION: &str = r#"
name = "one-region"
seed = 1
duration = "5m"
profile = "hbase-2.5"

[server]
heap = "16GB"

[properties]
"hbase.hregion.memstore.flush.size" = "16MB"

[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
hdfs_write_bandwidth = "100MB/s"

[[tables]]
name = "t"
regions = 1

[[workloads]]
table = "t"
arrival = { kind = "open", rate = "5k/s", process = "uniform" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 500 }
"#;
