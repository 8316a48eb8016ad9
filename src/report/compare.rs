//! Runs side by side (`regionsim compare`): the settings that differ between them and the
//! labels they give each run (`settings.rs`), the headline figures with differences and ratios
//! against the first run (`headline.rs`), overlay charts (`charts::compare_charts`) and
//! `compare.html` (`html.rs`), drawn into a folder.
//!
//! Like a run's report, a comparison is a function of the runs' files and of how the runs were
//! named on the command line, never of a clock or of where its own folder is: the same runs,
//! named the same way, give the same bytes.

pub mod headline;
mod html;
pub mod settings;

use std::io;
use std::path::{Path, PathBuf};

use headline::{Figure, headline_figures};
use settings::{DifferingSetting, differing_settings, labels};

use super::charts::{Chart, OverlaidRun, chart_files, compare_charts, write_charts};
use super::files::write_atomic;
use super::result_reader::ResultFolder;

/// One run of a comparison.
#[derive(Debug, Clone)]
pub struct ComparedRun {
    pub folder: ResultFolder,
    /// Where it came from, as the command line named it: "results/a", "sweep run 3".
    pub source: String,
    /// Its label when no setting differs: the folder's name.
    pub name: String,
}

/// Runs side by side, in the order given.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub runs: Vec<ComparedRun>,
    pub differing: Vec<DifferingSetting>,
    /// Per run: its chosen differing settings, or its name.
    pub labels: Vec<String>,
    pub figures: Vec<Figure>,
}

impl Comparison {
    pub fn new(runs: Vec<ComparedRun>) -> Comparison {
        let folders: Vec<&ResultFolder> = runs.iter().map(|run| &run.folder).collect();
        let differing = differing_settings(&folders);
        let names: Vec<String> = runs.iter().map(|run| run.name.clone()).collect();
        let labels = labels(&differing, &names);
        let figures = headline_figures(&folders);
        Comparison {
            runs,
            differing,
            labels,
            figures,
        }
    }

    /// The headline table: a header, then a row per figure (see `headline::headline_table`).
    pub fn headline_table(&self) -> Vec<Vec<String>> {
        headline::headline_table(&self.figures, self.runs.len())
    }

    /// The differing settings someone chose (`chosen`), or those a profile or another
    /// setting decided (not `chosen`), as a table: a header, then per setting its value in
    /// each run.
    pub fn settings_table(&self, chosen: bool) -> Vec<Vec<String>> {
        let mut header = vec!["setting".to_string()];
        header.extend((1..=self.runs.len()).map(|run| run.to_string()));
        let mut rows = vec![header];
        for setting in self
            .differing
            .iter()
            .filter(|setting| setting.chosen == chosen)
        {
            let mut row = vec![setting.key.clone()];
            row.extend(setting.values.iter().cloned());
            rows.push(row);
        }
        rows
    }

    /// The overlay charts.
    pub fn charts(&self) -> Vec<Chart> {
        let runs: Vec<OverlaidRun> = self
            .runs
            .iter()
            .zip(&self.labels)
            .map(|(run, label)| OverlaidRun {
                label,
                folder: &run.folder,
            })
            .collect();
        compare_charts(&runs)
    }
}

/// The default folder of a comparison of runs of the scenarios `names`:
/// `results/<scenario>/compare` if they are one scenario's, `results/compare` otherwise.
pub fn default_folder(names: &[&str]) -> PathBuf {
    match names.first() {
        Some(name) if names.iter().all(|other| other == name) => {
            Path::new("results").join(name).join("compare")
        }
        _ => Path::new("results").join("compare"),
    }
}

/// What `draw_comparison` wrote, relative to the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonFiles {
    pub charts: Vec<PathBuf>,
    pub page: PathBuf,
}

/// Draws `charts/` and `compare.html` into `folder` (one being written).
pub fn draw_comparison(comparison: &Comparison, folder: &Path) -> io::Result<ComparisonFiles> {
    let charts = comparison.charts();
    write_charts(&folder.join("charts"), &charts)?;
    let page = PathBuf::from("compare.html");
    write_atomic(
        &folder.join(&page),
        html::compare_html(comparison, &charts).as_bytes(),
    )?;
    Ok(ComparisonFiles {
        charts: chart_files(&charts),
        page,
    })
}
