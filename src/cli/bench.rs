//! `regionsim bench`: simulated operations per wall-clock second, events per second, the
//! simulated-to-wall time ratio and peak memory, for a scenario (the default one by default).

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_BAD_INPUT, EXIT_RUN_FAILED, Failure, ScenarioArgs};
use crate::runner::bench::{BenchFigures, bench as bench_scenario};
use crate::scenario::Scenario;
use crate::scenario::workload::Arrival;

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
    /// Then run the scenario again with every open-loop rate multiplied by this factor (an
    /// overloaded server: 5.2 puts the default scenario at about 4× its capacity) and compare
    /// the wall time each takes per simulated second.
    #[arg(long, value_name = "FACTOR")]
    overload: Option<f64>,
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
    let measure = |scenario: &Scenario| {
        bench_scenario(scenario).map_err(|error| Failure {
            message: error.to_string(),
            code: EXIT_RUN_FAILED,
        })
    };
    let mut healthy = None;
    for round in 1..=args.repeat {
        let figures = measure(&scenario)?;
        println!(
            "{}",
            figures.describe(&format!("{} run {round}", scenario.name))
        );
        healthy = Some(figures);
    }
    if let (Some(factor), Some(healthy)) = (args.overload, healthy) {
        if !(factor > 0.0 && factor <= 1000.0) {
            return Err(Failure {
                message: format!("--overload is a factor above 0 and at most 1000, found {factor}"),
                code: EXIT_BAD_INPUT,
            });
        }
        let mut overloaded = scenario.clone();
        for workload in &mut overloaded.workloads {
            if let Arrival::Open { rate, .. } = &mut workload.arrival {
                *rate *= factor;
            }
        }
        let figures = measure(&overloaded)?;
        println!(
            "{}",
            figures.describe(&format!(
                "{} with open-loop rates × {factor}",
                scenario.name
            ))
        );
        let per_simulated =
            |figures: &BenchFigures| figures.wall_seconds / figures.simulated_seconds.max(1e-9);
        println!(
            "wall time per simulated second: {:.4}s healthy, {:.4}s overloaded ({:.2}× the healthy run)",
            per_simulated(&healthy),
            per_simulated(&figures),
            per_simulated(&figures) / per_simulated(&healthy).max(1e-12)
        );
    }
    Ok(())
}
