//! One run: simulate a checked scenario, then write its result folder (and, if asked, draw its
//! charts and report from the files just written). The folder, and the `--export-wal` folder,
//! are written whole: into temporary siblings made before the simulation starts (so that a
//! folder that may not be replaced is refused at once), put in place when every file is there.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use thiserror::Error;

use crate::model::event::TraceRecord;
use crate::model::{RegionServer, RunError, RunOutcome};
use crate::report::Summary;
use crate::report::result_folder::{
    ReportError, RunInfo, default_folder, draw_report, host_name, write_result_folder,
};
use crate::report::result_reader::ResultFolder;
use crate::report::staged_folder::{FolderError, FolderKind, Input, StagedFolder, check_apart};
use crate::runner::wal_files::{WalFilesError, export_sim_fs};
use crate::scenario::Scenario;
use crate::sim::SimTime;

/// How to run and where to write.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The result folder; `results/<scenario>/seed-<N>` if absent.
    pub out: Option<PathBuf>,
    /// Also write every processed event to `trace.jsonl`.
    pub trace: bool,
    /// The command line, recorded in run.json.
    pub command: Vec<String>,
    /// Also draw `charts/` and `report.html` (from the folder's files, after they are written).
    pub charts: bool,
    /// Also write the simulated filesystem (WAL files, corrupt files, recovered edits left) to
    /// this directory, in HBase's layout.
    pub export_wal: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum RunnerError {
    #[error("{0}")]
    Run(#[from] RunError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Report(#[from] ReportError),
    #[error("--export-wal: {0}")]
    ExportWal(#[from] WalFilesError),
    #[error("{0}")]
    Folder(#[from] FolderError),
}

/// What a finished run reports back.
#[derive(Debug)]
pub struct RunReport {
    pub summary: Summary,
    pub outcome: RunOutcome,
    pub folder: PathBuf,
    pub info: RunInfo,
}

/// Simulates the scenario; no files are read or written.
pub fn simulate(scenario: &Scenario) -> Result<RunOutcome, RunError> {
    RegionServer::new(scenario).run()
}

/// Simulates the scenario and writes its result folder.
pub fn run_scenario(scenario: &Scenario, options: &RunOptions) -> Result<RunReport, RunnerError> {
    run_scenario_with_progress(scenario, options, &mut |_| {})
}

/// As `run_scenario`, telling `progress` the simulated time now and then.
pub fn run_scenario_with_progress(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(SimTime),
) -> Result<RunReport, RunnerError> {
    let folder = options
        .out
        .clone()
        .unwrap_or_else(|| default_folder(scenario));
    let staged = StagedFolder::create(&folder, FolderKind::Run)?;
    let export = match &options.export_wal {
        Some(dir) => {
            check_apart(
                "--export-wal",
                dir,
                &[Input {
                    role: "the result folder",
                    path: &folder,
                }],
            )?;
            Some(StagedFolder::create(dir, FolderKind::WalExport)?)
        }
        None => None,
    };
    let started = Instant::now();
    let outcome = if options.trace {
        simulate_with_trace(scenario, staged.path(), progress)?
    } else {
        RegionServer::new(scenario)
            .with_progress_sink(progress)
            .run()?
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    let summary = Summary::new(scenario, &outcome);
    let info = RunInfo {
        regionsim_version: env!("CARGO_PKG_VERSION"),
        wall_seconds,
        host: host_name(),
        speedup: outcome.end.as_secs_f64() / wall_seconds.max(1e-9),
        events_per_wall_second: outcome.trace_hash.events() as f64 / wall_seconds.max(1e-9),
        command: options.command.clone(),
    };
    write_result_folder(staged.path(), scenario, &outcome, &summary, &info).map_err(|source| {
        RunnerError::Write {
            path: folder.clone(),
            source,
        }
    })?;
    if options.charts {
        let results = ResultFolder::read(staged.path()).map_err(ReportError::from)?;
        draw_report(&results, staged.path())?;
    }
    if let Some(export) = &export {
        export_sim_fs(&outcome.fs, "", export.path())?;
    }
    // Both folders are complete before either is put in place.
    staged.commit()?;
    if let Some(export) = export {
        export.commit()?;
    }
    Ok(RunReport {
        summary,
        outcome,
        folder,
        info,
    })
}

/// Simulates while streaming every event to `folder/trace.jsonl` (`folder` is the run's
/// temporary folder, so a half-written trace never shows).
fn simulate_with_trace(
    scenario: &Scenario,
    folder: &Path,
    progress: &mut dyn FnMut(SimTime),
) -> Result<RunOutcome, RunnerError> {
    let path = folder.join("trace.jsonl");
    let write_error = |source| RunnerError::Write {
        path: path.clone(),
        source,
    };
    let mut writer = BufWriter::new(fs::File::create(&path).map_err(write_error)?);
    let mut failure: Option<io::Error> = None;
    let mut sink = |record: TraceRecord| {
        if failure.is_none() {
            let (_, ids) = record.event.trace_fields();
            if let Err(error) = writeln!(
                writer,
                "{{\"t_ns\":{},\"event\":\"{}\",\"ids\":[{},{}]}}",
                record.time_nanos,
                record.event.name(),
                ids[0],
                ids[1]
            ) {
                failure = Some(error);
            }
        }
    };
    let outcome = RegionServer::new(scenario)
        .with_trace_sink(&mut sink)
        .with_progress_sink(progress)
        .run()?;
    if let Some(error) = failure {
        return Err(write_error(error));
    }
    let file = writer
        .into_inner()
        .map_err(|error| write_error(error.into_error()))?;
    file.sync_all().map_err(write_error)?;
    Ok(outcome)
}
