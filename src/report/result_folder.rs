//! A run's result folder: `summary.json`, `scenario.resolved.toml`, `latency/<op>.hgrm` (and
//! `latency/wal_sync.hgrm`),
//! `timeseries.csv`, `events.csv`, `regions.csv`, `region-names.csv` and `run.json`; then
//! `charts/` and
//! `report.html`, drawn from those files as `regionsim report` redraws them. The runner writes
//! them into a `StagedFolder`, so the folder appears whole; a redraw replaces the drawn files
//! the same way, leaving no chart of an earlier drawing behind.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use super::charts::{chart_files, run_charts, write_charts};
use super::files::write_atomic;
use super::hgrm::percentile_distribution;
use super::html::report_html;
use super::region_names::region_names_csv;
use super::result_reader::{ResultFolder, ResultReadError};
use super::staged_folder::{FolderError, FolderKind, StagedFolder, restore_interrupted};
use super::summary::Summary;
use super::timeseries::{events_csv, regions_csv, timeseries_csv};
use crate::model::RunOutcome;
use crate::scenario::Scenario;

/// HdrHistogram's default number of rows per halving of the distance to 100%.
const HGRM_TICKS_PER_HALF_DISTANCE: u32 = 5;
/// `.hgrm` values are in milliseconds; the histograms record nanoseconds.
const HGRM_NANOS_PER_UNIT: f64 = 1e6;

/// Facts about the run that are not a function of the scenario and seed.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub regionsim_version: &'static str,
    pub wall_seconds: f64,
    pub host: String,
    /// Simulated seconds per wall-clock second.
    pub speedup: f64,
    pub events_per_wall_second: f64,
    /// The command line that produced the run.
    pub command: Vec<String>,
}

/// The default folder of a run: `results/<scenario>/seed-<N>`.
pub fn default_folder(scenario: &Scenario) -> PathBuf {
    Path::new("results")
        .join(&scenario.name)
        .join(format!("seed-{}", scenario.seed))
}

/// Writes every file of the result folder.
pub fn write_result_folder(
    folder: &Path,
    scenario: &Scenario,
    outcome: &RunOutcome,
    summary: &Summary,
    info: &RunInfo,
) -> io::Result<()> {
    write_atomic(&folder.join("summary.json"), summary.to_json().as_bytes())?;
    write_atomic(
        &folder.join("scenario.resolved.toml"),
        scenario.to_resolved_toml().as_bytes(),
    )?;
    let histograms = outcome
        .stats
        .operations
        .iter()
        .map(|(kind, stats)| (kind.name(), &stats.latency))
        .chain([("wal_sync", &outcome.stats.wal.sync_latency)]);
    for (name, latency) in histograms {
        let text = percentile_distribution(
            latency.histogram(),
            HGRM_NANOS_PER_UNIT,
            HGRM_TICKS_PER_HALF_DISTANCE,
        );
        write_atomic(
            &folder.join("latency").join(format!("{name}.hgrm")),
            text.as_bytes(),
        )?;
    }
    write_atomic(
        &folder.join("timeseries.csv"),
        timeseries_csv(scenario, outcome).as_bytes(),
    )?;
    write_atomic(&folder.join("events.csv"), events_csv(outcome).as_bytes())?;
    if let Some(regions) = regions_csv(outcome) {
        write_atomic(&folder.join("regions.csv"), regions.as_bytes())?;
    }
    write_atomic(
        &folder.join("region-names.csv"),
        region_names_csv(&outcome.region_names).as_bytes(),
    )?;
    let mut run = serde_json::to_string_pretty(info).expect("run info always serializes");
    run.push('\n');
    write_atomic(&folder.join("run.json"), run.as_bytes())
}

/// Why charts and the report could not be drawn.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("{0}")]
    Read(#[from] ResultReadError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Folder(#[from] FolderError),
}

/// What `draw_report` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    /// The chart files, `charts/<name>.svg` and `.png`, relative to the folder.
    pub charts: Vec<PathBuf>,
    pub report: PathBuf,
}

/// The files `draw_report` writes, which a redraw replaces.
const DRAWN: [&str; 2] = ["charts", "report.html"];

/// Redraws `charts/` and `report.html` of a result folder from its files (and only from them),
/// replacing the folder whole: a chart the files no longer call for does not survive, and a
/// kill leaves the folder as it was.
pub fn write_report(folder: &Path) -> Result<ReportFiles, ReportError> {
    // A folder a killed command left aside comes back before it is read.
    restore_interrupted(folder)?;
    let results = ResultFolder::read(folder)?;
    let staged = StagedFolder::amend(folder, FolderKind::Run, &DRAWN)?;
    let files = draw_report(&results, staged.path())?;
    staged.commit()?;
    Ok(files)
}

/// Draws `charts/` and `report.html` into `folder` (one being written) from `results`.
pub fn draw_report(results: &ResultFolder, folder: &Path) -> Result<ReportFiles, ReportError> {
    let charts = run_charts(results);
    let charts_dir = folder.join("charts");
    write_charts(&charts_dir, &charts).map_err(|source| ReportError::Write {
        path: charts_dir.clone(),
        source,
    })?;
    let report = folder.join("report.html");
    write_atomic(&report, report_html(results, &charts).as_bytes()).map_err(|source| {
        ReportError::Write {
            path: report.clone(),
            source,
        }
    })?;
    Ok(ReportFiles {
        charts: chart_files(&charts),
        report: PathBuf::from("report.html"),
    })
}

/// The machine's name, for run.json.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}
