//! `regionsim bench`: simulated operations per wall-clock second, events per second, the
//! simulated-to-wall time ratio and peak memory, for a scenario (the default one by default).

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_RUN_FAILED, Failure, ScenarioArgs};
use crate::runner::bench::bench as bench_scenario;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The scenario file (default: scenarios/default.toml).
    scenario: Option<PathBuf>,
    /// Override a value, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Runs to measure, 1 to 1000 (each is reported; memory is the process peak).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
}

pub fn bench(args: BenchArgs) -> Result<(), Failure> {
    let scenario_args = ScenarioArgs {
        scenario: args
            .scenario
            .unwrap_or_else(|| PathBuf::from("scenarios/default.toml")),
        sets: args.sets,
        site: None,
        seed: None,
    };
    let scenario = scenario_args.load()?;
    for round in 1..=args.repeat {
        let figures = bench_scenario(&scenario).map_err(|error| Failure {
            message: error.to_string(),
            code: EXIT_RUN_FAILED,
        })?;
        println!(
            "{}",
            figures.describe(&format!("{} run {round}", scenario.name))
        );
    }
    Ok(())
}
