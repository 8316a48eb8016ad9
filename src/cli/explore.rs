//! `regionsim explore`: many seeds, each with a randomised fault plan, checked against the
//! invariants; every failing seed printed with the command that reproduces it. The folder holds
//! the latest exploration whole: each failing seed's scenario and `explore.txt`, what was
//! printed.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::Args;

use super::progress::SweepProgress;
use super::{EXIT_BAD_INPUT, EXIT_RUN_FAILED, Failure, ScenarioArgs, parallel_jobs};
use crate::report::files::write_atomic;
use crate::report::staged_folder::{FolderKind, StagedFolder, check_apart};
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
    /// Where failing seeds' scenarios go (default: results/<scenario>/explore), written whole;
    /// one that exists must be empty or an explore folder, which is replaced.
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
    // Refused before any seed runs.
    check_apart("--out", &folder, &args.scenario.inputs())?;
    let staged = StagedFolder::create(&folder, FolderKind::Explore)?;
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
    let mut text = String::new();
    let swarm = if args.swarm { " --swarm" } else { "" };
    let sets: String = args
        .scenario
        .sets
        .iter()
        .map(|set| format!(" --set {set}"))
        .collect();
    let write_error = |path: &Path| {
        let path = folder.join(path);
        move |error| Failure {
            message: format!("cannot write {}: {error}", path.display()),
            code: EXIT_RUN_FAILED,
        }
    };
    for explored in &results {
        if explored.violations.is_empty() {
            continue;
        }
        failed += 1;
        let resolved = Path::new(&format!("seed-{}", explored.seed)).join("scenario.resolved.toml");
        write_atomic(
            &staged.path().join(&resolved),
            explored.scenario.to_resolved_toml().as_bytes(),
        )
        .map_err(write_error(&resolved))?;
        for violation in &explored.violations {
            *by_invariant.entry(violation.invariant).or_default() += 1;
            text += &format!(
                "seed {}: {}: {}\n",
                explored.seed, violation.invariant, violation.detail
            );
        }
        text += &format!(
            "  reproduce: regionsim explore {}{sets} --seeds {}{swarm}\n         or: regionsim run {}\n",
            args.scenario.scenario.display(),
            explored.seed,
            folder.join(&resolved).display()
        );
    }
    let totals: Vec<String> = by_invariant
        .iter()
        .map(|(invariant, count)| format!("{invariant} {count}"))
        .collect();
    text += &format!(
        "{} seeds run, {failed} failed{}\n",
        results.len(),
        if totals.is_empty() {
            String::new()
        } else {
            format!(" ({})", totals.join(", "))
        }
    );
    let summary = Path::new("explore.txt");
    write_atomic(&staged.path().join(summary), text.as_bytes()).map_err(write_error(summary))?;
    staged.commit()?;
    print!("{text}");
    if failed > 0 {
        return Err(Failure {
            message: format!("{failed} of {} seeds broke an invariant", results.len()),
            code: EXIT_RUN_FAILED,
        });
    }
    Ok(())
}
