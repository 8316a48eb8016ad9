//! The runs of a comparison, from the folders the command line names: a run's result folder
//! as it is, and a sweep folder as its runs in the sweep's order. A sweep keeps one row per run
//! (`sweep.csv`), not the run's files, so its runs are simulated again into the comparison's
//! folder (`runs/<argument>-run-<index>/`, without charts) and each must come back with the
//! trace hash the sweep recorded — the same run, or the comparison is refused.
//!
//! Everything that can be refused is refused first (`plan_comparison`: what each folder is,
//! whether a sweep's scenarios still load, how many runs there are), before anything is
//! simulated or written; `ComparisonPlan::write` then writes the folder whole.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::single::{RunOptions, RunnerError, run_scenario};
use super::sweep::{METRIC_COLUMNS, PlannedRun, SweepRow, read_sweep_folder};
use crate::report::compare::{
    ComparedRun, Comparison, ComparisonFiles, default_folder, draw_comparison,
};
use crate::report::result_reader::{ResultFolder, ResultReadError};
use crate::report::staged_folder::{FolderError, FolderKind, Input, StagedFolder};
use crate::scenario::Scenario;

/// The most runs side by side: beyond this neither the table nor the charts can be read.
pub const COMPARE_RUNS_MAX: usize = 32;

/// Why a comparison could not be made.
#[derive(Debug, Error)]
pub enum CompareError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{0}")]
    Read(#[from] ResultReadError),
    #[error("compare needs two or more runs, and {given} {holds} {runs}")]
    TooFew {
        given: String,
        holds: &'static str,
        runs: String,
    },
    #[error(
        "the arguments hold {runs} runs: compare shows at most {COMPARE_RUNS_MAX} side by side"
    )]
    TooMany { runs: usize },
    #[error(
        "{sweep} run {index} (seed {seed}) simulates to trace hash {now}, not the sweep's {recorded}: its scenario or regionsim changed since the sweep; compare result folders instead"
    )]
    NotTheSameRun {
        sweep: PathBuf,
        index: u64,
        seed: u64,
        now: String,
        recorded: String,
    },
    #[error("{sweep} run {index} (seed {seed}): {source}")]
    Run {
        sweep: PathBuf,
        index: u64,
        seed: u64,
        source: Box<RunnerError>,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Folder(#[from] FolderError),
}

impl CompareError {
    /// Whether the command was asked for something it must refuse (exit 2), rather than
    /// failing to simulate or write (exit 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            CompareError::Run { source, .. } => {
                matches!(&**source, RunnerError::Folder(folder) if folder.is_bad_input())
            }
            CompareError::Write { .. } => false,
            CompareError::Folder(folder) => folder.is_bad_input(),
            _ => true,
        }
    }
}

/// One folder named on the command line, read.
#[derive(Debug)]
enum Source {
    Run(Box<ComparedRun>),
    Sweep {
        path: PathBuf,
        /// Each row's run, its scenario loaded again, in the sweep's order.
        runs: Vec<(SweepRow, Scenario)>,
    },
}

impl Source {
    fn run_count(&self) -> usize {
        match self {
            Source::Run(_) => 1,
            Source::Sweep { runs, .. } => runs.len(),
        }
    }
}

/// A comparison's folders read and checked; nothing simulated or written yet.
#[derive(Debug)]
pub struct ComparisonPlan {
    sources: Vec<Source>,
}

/// Reads every folder named and checks that together they hold two runs or more (and at most
/// `COMPARE_RUNS_MAX`).
pub fn plan_comparison(folders: &[PathBuf]) -> Result<ComparisonPlan, CompareError> {
    let sources = folders
        .iter()
        .map(|folder| read_source(folder))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = ComparisonPlan { sources };
    let runs = plan.run_count();
    if runs < 2 {
        let given: Vec<String> = folders
            .iter()
            .map(|folder| folder.display().to_string())
            .collect();
        return Err(CompareError::TooFew {
            given: given.join(" and "),
            holds: if folders.len() == 1 { "holds" } else { "hold" },
            runs: match runs {
                0 => "no run".to_string(),
                _ => "one run".to_string(),
            },
        });
    }
    if runs > COMPARE_RUNS_MAX {
        return Err(CompareError::TooMany { runs });
    }
    Ok(plan)
}

/// What the folder at `path` holds: a run, or a sweep's runs.
fn read_source(path: &Path) -> Result<Source, CompareError> {
    let refuse = |message: String| CompareError::Input {
        path: path.to_path_buf(),
        message,
    };
    if !path.exists() {
        return Err(refuse("no such folder".to_string()));
    }
    if !path.is_dir() {
        return Err(refuse(
            "a file, not a result folder or a sweep folder".to_string(),
        ));
    }
    match FolderKind::of_folder(path) {
        Some(FolderKind::Sweep) => read_sweep(path),
        // A folder without a marker may be a result folder from before markers: its files say.
        Some(FolderKind::Run) | None => Ok(Source::Run(Box::new(ComparedRun {
            folder: ResultFolder::read(path)?,
            source: path.display().to_string(),
            name: folder_name(path),
        }))),
        Some(other) => Err(refuse(format!(
            "a regionsim {other} folder; compare takes result folders (regionsim run) and sweep folders (regionsim sweep)"
        ))),
    }
}

/// A sweep folder's rows, each with its scenario loaded again.
fn read_sweep(path: &Path) -> Result<Source, CompareError> {
    let refuse = |message: String| CompareError::Input {
        path: path.to_path_buf(),
        message,
    };
    let (manifest, rows) = read_sweep_folder(path).map_err(|error| refuse(error.to_string()))?;
    // Counted before any scenario is loaded: a sweep may hold millions of runs.
    if rows.len() > COMPARE_RUNS_MAX {
        return Err(CompareError::TooMany { runs: rows.len() });
    }
    let runs = rows
        .into_iter()
        .map(|row| {
            let planned = PlannedRun {
                index: row.index,
                values: row.values.clone(),
                seed: row.seed,
            };
            let scenario = manifest.load_run(&planned).map_err(|error| {
                refuse(format!(
                    "run {} cannot be simulated again (sweep.json names the scenario as the sweep was given it): {error}",
                    row.index
                ))
            })?;
            Ok((row, scenario))
        })
        .collect::<Result<Vec<_>, CompareError>>()?;
    Ok(Source::Sweep {
        path: path.to_path_buf(),
        runs,
    })
}

/// The folder's own name (`.` and `..` by their real path's).
fn folder_name(path: &Path) -> String {
    let named = match path.file_name() {
        Some(_) => Some(path.to_path_buf()),
        None => path.canonicalize().ok(),
    };
    named.as_deref().and_then(Path::file_name).map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

impl ComparisonPlan {
    /// Runs in the comparison.
    pub fn run_count(&self) -> usize {
        self.sources.iter().map(Source::run_count).sum()
    }

    /// Runs that `write` simulates again (those of sweep folders).
    pub fn runs_to_simulate(&self) -> usize {
        self.sources
            .iter()
            .filter(|source| matches!(source, Source::Sweep { .. }))
            .map(Source::run_count)
            .sum()
    }

    /// The folders read, which the comparison's folder must stay apart from.
    pub fn inputs(&self) -> Vec<Input<'_>> {
        self.sources
            .iter()
            .map(|source| match source {
                Source::Run(run) => Input {
                    role: "the result folder",
                    path: &run.folder.path,
                },
                Source::Sweep { path, .. } => Input {
                    role: "the sweep folder",
                    path,
                },
            })
            .collect()
    }

    /// The folder written when none is given (`report::compare::default_folder`).
    pub fn default_folder(&self) -> PathBuf {
        let names: Vec<&str> = self
            .sources
            .iter()
            .flat_map(|source| match source {
                Source::Run(run) => vec![run.folder.scenario.name.as_str()],
                Source::Sweep { runs, .. } => runs
                    .iter()
                    .map(|(_, scenario)| scenario.name.as_str())
                    .collect(),
            })
            .collect();
        default_folder(&names)
    }

    /// Simulates the sweeps' runs again, then writes the comparison into `out`, whole.
    pub fn write(self, out: &Path) -> Result<(Comparison, ComparisonFiles), CompareError> {
        let staged = StagedFolder::create(out, FolderKind::Compare)?;
        let mut runs = Vec::new();
        for (position, source) in self.sources.into_iter().enumerate() {
            match source {
                Source::Run(run) => runs.push(*run),
                Source::Sweep { path, runs: sweep } => {
                    for (row, scenario) in sweep {
                        let folder =
                            Path::new("runs").join(format!("{}-run-{}", position + 1, row.index));
                        let folder_path = staged.path().join(&folder);
                        simulate_again(&path, &row, &scenario, &folder_path)?;
                        runs.push(ComparedRun {
                            folder: ResultFolder::read(&folder_path)?,
                            source: format!(
                                "{} run {} (simulated again into {})",
                                path.display(),
                                row.index,
                                folder.display()
                            ),
                            name: format!("{} run {}", folder_name(&path), row.index),
                        });
                    }
                }
            }
        }
        let comparison = Comparison::new(runs);
        let files =
            draw_comparison(&comparison, staged.path()).map_err(|source| CompareError::Write {
                path: out.to_path_buf(),
                source,
            })?;
        staged.commit()?;
        Ok((comparison, files))
    }
}

/// Simulates a sweep's run again into `folder`, and checks that it is the run the sweep made.
fn simulate_again(
    sweep: &Path,
    row: &SweepRow,
    scenario: &Scenario,
    folder: &Path,
) -> Result<(), CompareError> {
    let options = RunOptions {
        out: Some(folder.to_path_buf()),
        ..RunOptions::default()
    };
    let report = run_scenario(scenario, &options).map_err(|source| CompareError::Run {
        sweep: sweep.to_path_buf(),
        index: row.index,
        seed: row.seed,
        source: Box::new(source),
    })?;
    let hash_column = METRIC_COLUMNS
        .iter()
        .position(|column| *column == "trace_hash")
        .expect("sweep.csv records each run's trace hash");
    let recorded = &row.metrics[hash_column];
    if report.summary.trace_hash != *recorded {
        return Err(CompareError::NotTheSameRun {
            sweep: sweep.to_path_buf(),
            index: row.index,
            seed: row.seed,
            now: report.summary.trace_hash,
            recorded: recorded.clone(),
        });
    }
    Ok(())
}
