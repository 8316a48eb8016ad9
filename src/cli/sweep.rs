//! `regionsim sweep` and `regionsim merge`: a grid of settings × seeds in parallel, sharded
//! across machines if wanted, with a per-point table on the terminal.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use super::format::table;
use super::progress::SweepProgress;
use super::{EXIT_BAD_INPUT, EXIT_RUN_FAILED, Failure, ScenarioArgs, parallel_jobs};
use crate::report::staged_folder::{FolderKind, Input, check_apart, check_replaceable};
use crate::runner::sweep::{
    SWEEP_FORMAT, SweepError, SweepManifest, Vary, merge_shards, parse_seeds, point_table,
    run_sweep, write_sweep_folder,
};

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A setting and its values, as for --set: hbase.hregion.memstore.flush.size=64MB,128MB.
    /// Repeat for a grid.
    #[arg(long = "vary", value_name = "PATH=V1,V2,…", required = true)]
    vary: Vec<String>,
    /// Seeds: 7, 1..10 (both ends included) or 1,5,9 (default: the scenario's seed).
    #[arg(long)]
    seeds: Option<String>,
    /// Runs in parallel (default: the machine's cores; at most the runs, and 4 per core);
    /// results do not depend on it.
    #[arg(long)]
    jobs: Option<NonZeroUsize>,
    /// Run only the I-th of N disjoint slices of the sweep (join them with `regionsim merge`).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// The output folder (default: results/<scenario>/sweep, or …/sweep-shard-I-of-N), written
    /// whole; one that exists must be empty or a sweep folder, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders of one sweep.
    #[arg(required = true)]
    folders: Vec<PathBuf>,
    /// Where to write the whole sweep: apart from the shard folders; one that exists must be
    /// empty or a sweep folder, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn sweep_failure(error: SweepError) -> Failure {
    let code = match &error {
        SweepError::Scenario { .. } | SweepError::Read { .. } | SweepError::Merge(_) => {
            EXIT_BAD_INPUT
        }
        SweepError::Folder(folder) if folder.is_bad_input() => EXIT_BAD_INPUT,
        SweepError::Run { .. } | SweepError::Write { .. } | SweepError::Folder(_) => {
            EXIT_RUN_FAILED
        }
    };
    Failure {
        message: error.to_string(),
        code,
    }
}

fn parse_shard(text: &str) -> Result<[u64; 2], Failure> {
    let parsed = text
        .split_once('/')
        .and_then(|(shard, of)| Some([shard.trim().parse().ok()?, of.trim().parse().ok()?]));
    match parsed {
        Some([shard, of]) if of >= 1 && (1..=of).contains(&shard) => Ok([shard, of]),
        _ => Err(Failure::bad_input(format!(
            "--shard expects I/N with 1 ≤ I ≤ N, such as 2/8, found \"{text}\""
        ))),
    }
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    // The base scenario is loaded first, so a bad file or --set fails before any run.
    let base = args.scenario.load()?;
    let vary = args
        .vary
        .iter()
        .map(|text| Vary::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::bad_input)?;
    let seeds = match &args.seeds {
        Some(text) => parse_seeds(text).map_err(Failure::bad_input)?,
        None => vec![base.seed],
    };
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;

    let manifest = SweepManifest {
        format: SWEEP_FORMAT.to_string(),
        scenario: args.scenario.scenario.display().to_string(),
        sets: args.scenario.sets.clone(),
        site: args
            .scenario
            .site
            .as_ref()
            .map(|site| site.display().to_string()),
        vary,
        seeds,
        shard,
    };
    manifest.run_count().map_err(Failure::bad_input)?;
    // Every grid point must load: check them all (with the first seed) before running any.
    for run in manifest.plan().iter().step_by(manifest.seeds.len().max(1)) {
        manifest.load_run(run).map_err(|error| {
            Failure::bad_input(format!("grid point {}: {error}", run.values.join(", ")))
        })?;
    }
    let folder = args.out.clone().unwrap_or_else(|| {
        let name = match shard {
            Some([index, of]) => format!("sweep-shard-{index}-of-{of}"),
            None => "sweep".to_string(),
        };
        PathBuf::from("results").join(&base.name).join(name)
    });
    // Refused before any run: an output folder among the inputs, or one that is not a sweep.
    check_apart("--out", &folder, &args.scenario.inputs())?;
    check_replaceable(&folder, FolderKind::Sweep)?;
    let runs = manifest.runs().len() as u64;
    let jobs = parallel_jobs(args.jobs, runs as usize);
    let progress = SweepProgress::new(runs, args.quiet);
    let started = std::time::Instant::now();
    let rows = run_sweep(&manifest, jobs, &|| progress.run_done());
    progress.finish();
    let rows = rows.map_err(sweep_failure)?;
    let text = table(&point_table(&manifest, &rows));
    write_sweep_folder(&folder, &manifest, &rows, &text).map_err(sweep_failure)?;
    if !args.quiet {
        let seconds = started.elapsed().as_secs_f64();
        print!("{text}");
        println!(
            "\n{runs} runs in {seconds:.1}s ({:.2} runs/s on {jobs} jobs); results {}/",
            runs as f64 / seconds.max(1e-9),
            folder.display()
        );
    }
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let shards: Vec<Input> = args
        .folders
        .iter()
        .map(|folder| Input {
            role: "the shard folder",
            path: folder,
        })
        .collect();
    check_apart("--out", &args.out, &shards)?;
    let (manifest, rows) = merge_shards(&args.folders).map_err(sweep_failure)?;
    let text = table(&point_table(&manifest, &rows));
    write_sweep_folder(&args.out, &manifest, &rows, &text).map_err(sweep_failure)?;
    if !args.quiet {
        print!("{text}");
        println!(
            "\n{} runs from {} shard folders; results {}/",
            rows.len(),
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}
