//! Latency charts. Over time, per operation kind: p50, p99 and max of the requests acknowledged
//! in each interval (from `timeseries.csv`), with the intervals in which writes were blocked
//! shaded (a handler blocked on global pressure or a region above its blocking size) and
//! garbage-collection pauses ticked along the top, and below them the requests completed, failed and retried per second. The percentile plot is
//! HdrHistogram's (its `HistogramLogAnalyzer` and plotter): latency against 1/(1−p) on a log
//! axis, from `latency/<op>.hgrm`, so the tail reads as clearly as the median.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::cpu_gc;
use super::style::{
    Axis, BLOCKED, DrawResult, Figure, LegendEntry, Mark, PALETTE, PanelSpec, Unit, WARMUP, line,
    note, panel, render,
};
use super::timeline::{
    self, Column, CountPanel, Drawn, SeriesPanel, blocked_intervals, count_panel, series_panel,
    title, warmup_interval,
};
use crate::report::format::latency;
use crate::report::result_reader::{PercentileRow, ResultFolder};

/// Whether `timeseries.csv` has the operation's latency columns.
pub fn has_series(folder: &ResultFolder, operation: &str) -> bool {
    folder
        .timeseries
        .column(&format!("{operation}_p99_ms"))
        .is_some()
}

/// A latency column over time; an interval with no acknowledgement holds 0, drawn as a gap
/// rather than a fall to zero.
pub fn latency_series(folder: &ResultFolder, column: &str) -> Option<Vec<(f64, f64)>> {
    let points = timeline::series(folder, column)?;
    Some(
        points
            .into_iter()
            .map(|(time, value)| (time, if value > 0.0 { value } else { f64::NAN }))
            .collect(),
    )
}

struct OverTime<'f> {
    folder: &'f ResultFolder,
    operation: &'f str,
}

impl Figure for OverTime<'_> {
    fn panel_count(&self) -> u32 {
        2
    }

    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let folder = self.folder;
        let operation = self.operation;
        let series: Vec<Drawn> = [
            ("p50", "p50_ms", PALETTE[0]),
            ("p99", "p99_ms", PALETTE[1]),
            ("max", "max_ms", PALETTE[3]),
        ]
        .into_iter()
        .filter_map(|(label, suffix, colour)| {
            Some(Drawn {
                label: label.to_string(),
                points: latency_series(folder, &format!("{operation}_{suffix}"))?,
                colour,
                mark: Mark::Line,
            })
        })
        .collect();
        let pauses = cpu_gc::pause_times(folder);
        let mut plot = series_panel(
            &areas[0],
            folder,
            SeriesPanel {
                caption: &format!("{operation} latency per interval"),
                unit: Unit::Millis,
                y_description: "latency",
                auto_scale: true,
                series,
                shaded: vec![
                    (
                        warmup_interval(folder),
                        LegendEntry::new("warm-up (left out of the figures)", WARMUP, Mark::Band),
                    ),
                    (
                        blocked_intervals(folder),
                        LegendEntry::new("writes blocked", BLOCKED, Mark::Band),
                    ),
                ],
                extra_legend: (!pauses.is_empty())
                    .then(cpu_gc::pause_legend)
                    .into_iter()
                    .collect(),
                notes: Vec::new(),
            },
        )?;
        cpu_gc::tick_pauses(&mut plot, &pauses)?;

        let names = [
            format!("{operation}_completed_per_s"),
            format!("{operation}_failed_per_s"),
        ];
        let columns = [
            Column {
                name: &names[0],
                label: "completed",
                mark: Mark::Line,
            },
            Column {
                name: &names[1],
                label: "failed for good",
                mark: Mark::Line,
            },
            Column {
                name: "client_retries_per_s",
                label: "client retries (all operations)",
                mark: Mark::Line,
            },
        ];
        count_panel(
            &areas[1],
            folder,
            CountPanel {
                caption: &format!("{operation} requests"),
                y_description: "per second",
                columns: &columns,
                limits: Vec::new(),
                missing_notes: &[],
            },
        )?;
        Ok(())
    }
}

/// Latency over time of one operation kind.
pub fn over_time(folder: &ResultFolder, operation: &str) -> Chart {
    render(
        &format!("latency-{operation}"),
        &title(folder, &format!("Latency of {operation} requests")),
        &OverTime { folder, operation },
    )
}

/// One line of a percentile plot: an `.hgrm` distribution.
#[derive(Debug, Clone)]
pub struct PercentileLine<'r> {
    pub label: String,
    pub rows: &'r [PercentileRow],
    pub colour: RGBColor,
}

/// A percentile plot of some distributions: one run's operations, or one operation's runs.
#[derive(Debug)]
pub struct Percentiles<'r> {
    pub lines: Vec<PercentileLine<'r>>,
    /// Said in the plot when there is no line.
    pub empty_note: &'r str,
}

/// A percentile's position on the 1/(1−p) axis: log10(1/(1−p)); none for p = 1.
fn percentile_position(percentile: f64) -> Option<f64> {
    (percentile < 1.0).then(|| libm::log10(1.0 / (1.0 - percentile)))
}

/// The label of decade `nines` of the 1/(1−p) axis: 0%, 90%, 99%, 99.9%, …
fn nines_label(nines: u32) -> String {
    match nines {
        0 => "0%".to_string(),
        1 => "90%".to_string(),
        2 => "99%".to_string(),
        _ => format!("99.{}%", "9".repeat(nines as usize - 2)),
    }
}

impl Figure for Percentiles<'_> {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let lines = &self.lines;
        let positions = lines
            .iter()
            .flat_map(|line| line.rows)
            .filter_map(|row| percentile_position(row.percentile));
        // The axis ends where the distribution does; a tick at each whole number of nines.
        let end = positions.fold(1.0, f64::max);
        let ticks = (0..=libm::floor(end) as u32)
            .map(|decade| (f64::from(decade), nines_label(decade)))
            .collect();
        let x = Axis::with_ticks(0.0..end, ticks, "percentile (1/(1−p) on a log scale)");
        let values: Vec<f64> = lines
            .iter()
            .flat_map(|line| line.rows)
            .map(|row| row.value_ms)
            .collect();
        let legend = lines
            .iter()
            .map(|line| LegendEntry::new(line.label.clone(), line.colour, Mark::Line))
            .collect();
        let mut plot = panel(
            &areas[0],
            PanelSpec {
                caption: "Latency by percentile",
                x,
                y: Axis::auto(&values, Unit::Millis, "latency"),
                legend,
                notes: Vec::new(),
            },
        )?;
        for drawn in lines {
            let points = drawn
                .rows
                .iter()
                .filter_map(|row| Some((percentile_position(row.percentile)?, row.value_ms)));
            line(&mut plot, points, drawn.colour.stroke_width(2))?;
        }
        if lines.is_empty() {
            note(&mut plot, self.empty_note)?;
        }
        Ok(())
    }
}

/// The label of a distribution's line: what it is, then its maximum.
pub fn with_max(what: &str, rows: &[PercentileRow]) -> String {
    let max = rows.last().map_or(0.0, |row| row.value_ms);
    format!("{what} (max {})", latency(max))
}

/// The percentile plot of every operation kind.
pub fn percentiles(folder: &ResultFolder) -> Chart {
    let lines = folder
        .latency
        .iter()
        .enumerate()
        .map(|(index, (operation, rows))| PercentileLine {
            label: with_max(operation, rows),
            rows,
            colour: PALETTE[index % PALETTE.len()],
        })
        .collect();
    render(
        "latency-percentiles",
        &title(folder, "Latency percentiles"),
        &Percentiles {
            lines,
            empty_note: "no requests in this run",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each decade of 1/(1−p) is one more nine: p = 0.99 is 100 = 10², p = 0.999 is 10³.
    #[test]
    fn the_percentile_axis_counts_nines() {
        assert_eq!(percentile_position(0.0), Some(0.0));
        assert!((percentile_position(0.99).unwrap() - 2.0).abs() < 1e-9);
        assert!((percentile_position(0.999).unwrap() - 3.0).abs() < 1e-9);
        assert_eq!(percentile_position(1.0), None);
        let labels: Vec<String> = (0..5).map(nines_label).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%"]);
    }
}
