//! One run: simulate a checked scenario, then write its result folder (and, if asked, draw its
//! charts and report from the files just written).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use thiserror::Error;

use crate::model::event::TraceRecord;
use crate::model::{RegionServer, RunError, RunOutcome};
use crate::report::Summary;
use crate::report::result_folder::{
    ReportError, RunInfo, default_folder, host_name, write_report, write_result_folder,
};
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
    let started = Instant::now();
    let outcome = if options.trace {
        simulate_with_trace(scenario, &folder, progress)?
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
    write_result_folder(&folder, scenario, &outcome, &summary, &info).map_err(|source| {
        RunnerError::Write {
            path: folder.clone(),
            source,
        }
    })?;
    if options.charts {
        write_report(&folder)?;
    }
    if let Some(dir) = &options.export_wal {
        export_sim_fs(&outcome.fs, "", dir)?;
    }
    Ok(RunReport {
        summary,
        outcome,
        folder,
        info,
    })
}

/// Simulates while streaming every event to `folder/trace.jsonl` (through a temporary file
/// renamed at the end, like every result file).
fn simulate_with_trace(
    scenario: &Scenario,
    folder: &PathBuf,
    progress: &mut dyn FnMut(SimTime),
) -> Result<RunOutcome, RunnerError> {
    let path = folder.join("trace.jsonl");
    let temporary = folder.join(".trace.jsonl.tmp");
    let write_error = |source| RunnerError::Write {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(folder).map_err(write_error)?;
    let mut writer = BufWriter::new(fs::File::create(&temporary).map_err(write_error)?);
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
    writer.flush().map_err(write_error)?;
    drop(writer);
    fs::rename(&temporary, &path).map_err(write_error)?;
    Ok(outcome)
}
