//! A comparison's overlay charts: one line per run, in the run's colour, labelled by what
//! differs between the runs. Per operation, the percentile plot (`latency-percentiles-<op>`,
//! from `latency/<op>.hgrm`, the WAL's syncs included) and p99 per interval
//! (`latency-<op>`); then the global memstore (`memstore`), the flush queue (`flush-queue`),
//! the most store files in one store (`store-files`) and the WAL files (`wal-files`) over time.
//!
//! Time runs over the longest run; every run's faults are drawn. A run without a column (an
//! older folder) draws no line and is named in a note; a chart no run has a column for is left
//! out. Limits (memstore limits, maxlogs, blockingStoreFiles) are the run charts' business:
//! one per run would bury the lines. Colours repeat past the palette's eight.

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::latency::{PercentileLine, Percentiles, has_series, latency_series, with_max};
use super::style::{Axis, DrawResult, Figure, Mark, PALETTE, Unit, render};
use super::timeline::{Drawn, SeriesPanel, fault_times, series, series_panel_over, time_axis};
use crate::report::result_reader::ResultFolder;

/// One run of a comparison as its charts show it.
#[derive(Debug, Clone, Copy)]
pub struct OverlaidRun<'r> {
    pub label: &'r str,
    pub folder: &'r ResultFolder,
}

/// The colour of the `index`-th run on every chart.
fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// A quantity over time, and how the axis shows it.
struct Quantity {
    name: String,
    title: String,
    caption: String,
    unit: Unit,
    y_description: &'static str,
    /// Log if the values span more than two decades (latency).
    auto_scale: bool,
}

/// One quantity over time, a line per run.
struct Overlay {
    quantity: Quantity,
    x: Axis,
    faults: Vec<f64>,
    series: Vec<Drawn>,
    notes: Vec<String>,
}

impl Figure for Overlay {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let quantity = &self.quantity;
        series_panel_over(
            &areas[0],
            self.x.clone(),
            &self.faults,
            SeriesPanel {
                caption: &quantity.caption,
                unit: quantity.unit,
                y_description: quantity.y_description,
                auto_scale: quantity.auto_scale,
                series: self.series.clone(),
                shaded: Vec::new(),
                extra_legend: Vec::new(),
                notes: self.notes.clone(),
            },
        )?;
        Ok(())
    }
}

/// The overlay of `quantity`, each run's points read by `points`, or none if no run recorded
/// it.
fn overlay(
    runs: &[OverlaidRun],
    quantity: Quantity,
    points: impl Fn(&ResultFolder) -> Option<Vec<(f64, f64)>>,
) -> Option<Chart> {
    let mut series = Vec::new();
    let mut notes = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        match points(run.folder) {
            Some(points) => series.push(Drawn {
                label: run.label.to_string(),
                points,
                colour: colour(index),
                mark: Mark::Line,
            }),
            None => notes.push(format!("not recorded by {}", run.label)),
        }
    }
    if series.is_empty() {
        return None;
    }
    let end_s = runs
        .iter()
        .map(|run| time_axis(run.folder).high())
        .fold(0.0, f64::max);
    let (name, title) = (quantity.name.clone(), self::title(runs, &quantity.title));
    let figure = Overlay {
        quantity,
        x: Axis::time(end_s),
        faults: runs
            .iter()
            .flat_map(|run| fault_times(run.folder))
            .collect(),
        series,
        notes,
    };
    Some(render(&name, &title, &figure))
}

/// A chart title: what it shows, then how many runs.
fn title(runs: &[OverlaidRun], what: &str) -> String {
    format!("{what} — {} runs compared", runs.len())
}

/// The percentile plot of one distribution (an operation's, or the WAL syncs'), a line per
/// run that has it.
fn percentiles(runs: &[OverlaidRun], distribution: &str) -> Chart {
    let lines = runs
        .iter()
        .enumerate()
        .filter_map(|(index, run)| {
            let rows = run.folder.latency.get(distribution)?;
            Some(PercentileLine {
                label: with_max(run.label, rows),
                rows,
                colour: colour(index),
            })
        })
        .collect();
    render(
        &format!("latency-percentiles-{distribution}"),
        &title(runs, &format!("Latency percentiles of {distribution}")),
        &Percentiles {
            lines,
            empty_note: "no requests in these runs",
        },
    )
}

/// Every overlay chart of `runs`, in report order.
pub fn compare_charts(runs: &[OverlaidRun]) -> Vec<Chart> {
    let distributions: BTreeSet<&String> = runs
        .iter()
        .flat_map(|run| run.folder.latency.keys())
        .collect();
    let mut charts: Vec<Chart> = distributions
        .iter()
        .map(|distribution| percentiles(runs, distribution))
        .collect();
    let operations = distributions
        .iter()
        .filter(|operation| runs.iter().any(|run| has_series(run.folder, operation)));
    for operation in operations {
        let column = format!("{operation}_p99_ms");
        charts.extend(overlay(
            runs,
            Quantity {
                name: format!("latency-{operation}"),
                title: format!("p99 latency of {operation} requests"),
                caption: format!("{operation} p99 per interval"),
                unit: Unit::Millis,
                y_description: "latency",
                auto_scale: true,
            },
            |folder| latency_series(folder, &column),
        ));
    }
    let counts = [
        (
            "memstore",
            "Global memstore",
            "global_memstore_bytes",
            Unit::Bytes,
            "heap",
        ),
        (
            "flush-queue",
            "MemStoreFlusher queue",
            "flush_queue_length",
            Unit::Count,
            "entries",
        ),
        (
            "store-files",
            "Most store files in one store",
            "store_files_max_per_store",
            Unit::Count,
            "files",
        ),
        ("wal-files", "WAL files", "wal_files", Unit::Count, "files"),
    ];
    for (name, what, column, unit, y_description) in counts {
        charts.extend(overlay(
            runs,
            Quantity {
                name: name.to_string(),
                title: what.to_string(),
                caption: what.to_string(),
                unit,
                y_description,
                auto_scale: false,
            },
            |folder| series(folder, column),
        ));
    }
    charts
}
