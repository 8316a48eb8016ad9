//! The command line: clap arguments become library calls; errors become messages and exit
//! codes (0 ok, 1 the run failed, 2 bad input).

mod bench;
mod capacity;
mod compact_select;
mod compare;
mod config;
mod explore;
mod format;
mod progress;
mod report;
mod run;
mod sweep;
mod wal;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::report::staged_folder::{FolderError, Input};
use crate::scenario::document::Assignment;
use crate::scenario::error::ScenarioError;
use crate::scenario::{LoadOptions, Scenario, load_file};

/// Exit code of a run that failed (cannot keep up, results not writable).
pub const EXIT_RUN_FAILED: u8 = 1;
/// Exit code of bad input: a malformed scenario, an impossible setting, a bad argument.
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "regionsim",
    version,
    about = "A deterministic simulator of an Apache HBase RegionServer's write path, flushes, WAL and compactions",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and write its result folder.
    Run(run::RunArgs),
    /// Check a scenario file; exit 0 if it is good, 2 with the problem if not.
    Validate(ScenarioArgs),
    /// Print every HBase property in force, its value and where it came from.
    Config(config::ConfigArgs),
    /// Measure how fast a scenario simulates (default: scenarios/default.toml).
    Bench(bench::BenchArgs),
    /// Run a grid of settings × seeds in parallel and tabulate the results.
    Sweep(sweep::SweepArgs),
    /// Join the shard folders of a sweep into the whole sweep.
    Merge(sweep::MergeArgs),
    /// Search one setting for the largest (or smallest) value that meets every SLO.
    Capacity(capacity::CapacityArgs),
    /// Run many seeds with randomised faults and check the invariants.
    Explore(explore::ExploreArgs),
    /// Which store files HBase's compaction policy would select, and why.
    CompactSelect(compact_select::CompactSelectArgs),
    /// Read WAL files: dump one, or split a directory of them into recovered edits.
    Wal(wal::WalArgs),
    /// Redraw the charts and report.html of a result folder from its files.
    Report(report::ReportArgs),
    /// Put runs side by side: the settings that differ, headline figures, overlay charts.
    Compare(compare::CompareArgs),
}

/// How a scenario is named and adjusted on the command line.
#[derive(Debug, Args)]
struct ScenarioArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Override a value: an HBase property (hbase.hstore.flusher.count=4) or a scenario key
    /// (duration=5m, io.hdfs_write_bandwidth=100MB/s, workloads.0.arrival.rate=40k/s).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Import properties from an hbase-site.xml (replaces the scenario's `site`).
    #[arg(long, value_name = "FILE")]
    site: Option<PathBuf>,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
}

impl ScenarioArgs {
    /// The files the command reads, which its output folder must stay apart from.
    fn inputs(&self) -> Vec<Input<'_>> {
        let mut inputs = vec![Input {
            role: "the scenario file",
            path: &self.scenario,
        }];
        if let Some(site) = &self.site {
            inputs.push(Input {
                role: "the site file",
                path: site,
            });
        }
        inputs
    }

    fn load(&self) -> Result<Scenario, ScenarioError> {
        let assignments = self
            .sets
            .iter()
            .map(|set| Assignment::parse(set))
            .collect::<Result<Vec<_>, _>>()?;
        load_file(
            &self.scenario,
            &LoadOptions {
                seed: self.seed,
                site: self.site.clone(),
                assignments,
            },
        )
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate(args),
        Command::Config(args) => config::config(args),
        Command::Bench(args) => bench::bench(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => sweep::merge(args),
        Command::Capacity(args) => capacity::capacity(args),
        Command::Explore(args) => explore::explore_command(args),
        Command::CompactSelect(args) => compact_select::compact_select(args),
        Command::Wal(args) => wal::wal(args),
        Command::Report(args) => report::report(args),
        Command::Compare(args) => compare::compare(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// A failed command: what to print and how to exit.
#[derive(Debug)]
struct Failure {
    message: String,
    code: u8,
}

impl From<ScenarioError> for Failure {
    fn from(error: ScenarioError) -> Failure {
        Failure {
            message: error.to_string(),
            code: EXIT_BAD_INPUT,
        }
    }
}

impl Failure {
    /// Bad input: a malformed argument or scenario (exit 2).
    fn bad_input(message: String) -> Failure {
        Failure {
            message,
            code: EXIT_BAD_INPUT,
        }
    }

    /// A run or a write that failed (exit 1).
    fn run_failed(message: String) -> Failure {
        Failure {
            message,
            code: EXIT_RUN_FAILED,
        }
    }

    /// Exit 2 when the error is about the input, else exit 1.
    fn classified(bad_input: bool, message: String) -> Failure {
        if bad_input {
            Failure::bad_input(message)
        } else {
            Failure::run_failed(message)
        }
    }
}

impl From<FolderError> for Failure {
    fn from(error: FolderError) -> Failure {
        Failure::classified(error.is_bad_input(), error.to_string())
    }
}

/// The most runs in parallel per core: each run is single-threaded and busy, so more threads
/// than this only cost memory.
const JOBS_PER_CORE_MAX: usize = 4;

/// How many runs go in parallel for `--jobs` (the machine's cores without it): never more than
/// the `runs` there are, nor than `JOBS_PER_CORE_MAX` per core. A `--jobs` above that is
/// lowered to it, with a note on stderr.
fn parallel_jobs(requested: Option<NonZeroUsize>, runs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let most = runs.min(cores * JOBS_PER_CORE_MAX).max(1);
    match requested.map(NonZeroUsize::get) {
        Some(jobs) if jobs > most => {
            eprintln!(
                "note: --jobs {jobs} lowered to {most}: at most one job per run ({runs}) and {JOBS_PER_CORE_MAX} per core ({cores})"
            );
            most
        }
        Some(jobs) => jobs,
        None => cores.min(most),
    }
}

/// Warns on stderr of each site-file setting of behaviour regionsim does not model (or of an
/// HBase name it does not know): a site file is imported as it is, so these are not errors.
fn warn_of_site_settings(scenario: &Scenario) {
    for ignored in scenario.properties.site_warnings() {
        eprintln!(
            "warning: {}: {} = {} is ignored: {}",
            ignored.origin, ignored.name, ignored.value, ignored.reason
        );
    }
}

fn validate(args: ScenarioArgs) -> Result<(), Failure> {
    let scenario = args.load()?;
    warn_of_site_settings(&scenario);
    let regions: u32 = scenario.tables.iter().map(|table| table.regions).sum();
    println!(
        "{}: ok ({} {}, {} table(s), {} region(s), {} workload(s), {} simulated)",
        args.scenario.display(),
        scenario.profile,
        scenario.release,
        scenario.tables.len(),
        regions,
        scenario.workloads.len(),
        scenario.duration
    );
    for bug in scenario.bugs.iter() {
        println!(
            "known bug switched on: {} ({}): {}",
            bug.jira(),
            bug.versions(),
            bug.description()
        );
    }
    Ok(())
}
