//! `regionsim explore`: many seeds, each with a randomised fault plan, checked against the
//! invariants; every failing seed printed with the command that reproduces it.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use super::progress::SweepProgress;
use super::{EXIT_BAD_INPUT, EXIT_RUN_FAILED, Failure, ScenarioArgs, parallel_jobs};
use crate::report::files::write_atomic;
use crate::runner::explore::explore;
use crate::runner::sweep::parse_seeds;

#[derive(Debug, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Seeds: 7, 1..1000 (both ends included) or 1,5,9.
    #[arg(long, required = true)]
    seeds: String,
    /// Also randomise settings (flush size, flushers, handlers, block multiplier, blocking
    /// store files) per seed.
    #[arg(long)]
    swarm: bool,
    /// Seeds run in parallel (default: the machine's cores; at most the seeds, and 4 per core);
    /// results do not depend on it.
    #[arg(long)]
    jobs: Option<NonZeroUsize>,
    /// Where failing seeds' scenarios go (default: results/<scenario>/explore).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only failing seeds and the totals.
    #[arg(long, short)]
    quiet: bool,
}

pub fn explore_command(args: ExploreArgs) -> Result<(), Failure> {
    let base = args.scenario.load()?;
    let seeds = parse_seeds(&args.seeds).map_err(|message| Failure {
        message,
        code: EXIT_BAD_INPUT,
    })?;
    let jobs = parallel_jobs(args.jobs, seeds.len());
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&base.name).join("explore"));
    let progress = SweepProgress::new(seeds.len() as u64, args.quiet);
    // A failed model assertion is caught and reported per seed; keep the default hook from
    // printing each one as it happens.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let results = explore(&base, &seeds, args.swarm, jobs, &|| progress.run_done());
    std::panic::set_hook(hook);
    progress.finish();

    let mut by_invariant: BTreeMap<&str, u64> = BTreeMap::new();
    let mut failed = 0;
    let swarm = if args.swarm { " --swarm" } else { "" };
    let sets: String = args
        .scenario
        .sets
        .iter()
        .map(|set| format!(" --set {set}"))
        .collect();
    for explored in &results {
        if explored.violations.is_empty() {
            continue;
        }
        failed += 1;
        let resolved = folder
            .join(format!("seed-{}", explored.seed))
            .join("scenario.resolved.toml");
        write_atomic(&resolved, explored.scenario.to_resolved_toml().as_bytes()).map_err(
            |error| Failure {
                message: format!("cannot write {}: {error}", resolved.display()),
                code: EXIT_RUN_FAILED,
            },
        )?;
        for violation in &explored.violations {
            *by_invariant.entry(violation.invariant).or_default() += 1;
            println!(
                "seed {}: {}: {}",
                explored.seed, violation.invariant, violation.detail
            );
        }
        println!(
            "  reproduce: regionsim explore {}{sets} --seeds {}{swarm}\n         or: regionsim run {}",
            args.scenario.scenario.display(),
            explored.seed,
            resolved.display()
        );
    }
    let totals: Vec<String> = by_invariant
        .iter()
        .map(|(invariant, count)| format!("{invariant} {count}"))
        .collect();
    println!(
        "{} seeds run, {failed} failed{}",
        results.len(),
        if totals.is_empty() {
            String::new()
        } else {
            format!(" ({})", totals.join(", "))
        }
    );
    if failed > 0 {
        return Err(Failure {
            message: format!("{failed} of {} seeds broke an invariant", results.len()),
            code: EXIT_RUN_FAILED,
        });
    }
    Ok(())
}
