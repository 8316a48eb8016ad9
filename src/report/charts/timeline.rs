//! Time charts' common parts, read from a result folder: series by column name, the time axis,
//! fault times, blocked intervals, and a panel of count series with their limits — so that the
//! flusher, store-file and WAL charts (and a comparison's overlays) are each a list of columns,
//! not a copy of one another.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    Axis, DrawResult, FAULT, LIMIT, LegendEntry, Mark, PALETTE, PanelSpec, Plot, Unit, dashed,
    line, note, panel, rules, shade,
};
use crate::report::result_reader::ResultFolder;

/// `(time_s, value)` of a `timeseries.csv` column, if the folder has it.
pub fn series(folder: &ResultFolder, column: &str) -> Option<Vec<(f64, f64)>> {
    let times = folder.timeseries.column("time_s")?;
    let values = folder.timeseries.column(column)?;
    Some(times.iter().copied().zip(values.iter().copied()).collect())
}

/// The time axis: the scenario's duration (or the last sample, if later).
pub fn time_axis(folder: &ResultFolder) -> Axis {
    let last_sample_s = folder
        .timeseries
        .column("time_s")
        .and_then(|times| times.last().copied())
        .unwrap_or(0.0);
    Axis::time(folder.scenario.duration.as_secs_f64().max(last_sample_s))
}

/// When faults, crashes and aborts happened.
pub fn fault_times(folder: &ResultFolder) -> Vec<f64> {
    folder
        .events
        .iter()
        .filter(|event| event.is_fault())
        .map(|event| event.time_s)
        .collect()
}

/// The warm-up, from the start to summary.json's `warmup_seconds` (none without one).
pub fn warmup_interval(folder: &ResultFolder) -> Vec<(f64, f64)> {
    match folder.summary_number("/warmup_seconds") {
        Some(seconds) if seconds > 0.0 => vec![(0.0, seconds)],
        _ => Vec::new(),
    }
}

/// The intervals in which writes were blocked: some handler blocked on global pressure
/// (`blocked_writers > 0`), some region above its blocking size (`regions_above_blocking >
/// 0`), or some region offline (closed, splitting, or waiting for crash recovery:
/// `regions_offline > 0`). A row covers the interval that ends at its time; adjacent blocked
/// rows merge.
pub fn blocked_intervals(folder: &ResultFolder) -> Vec<(f64, f64)> {
    let Some(times) = folder.timeseries.column("time_s") else {
        return Vec::new();
    };
    let flags: Vec<bool> = (0..times.len())
        .map(|row| {
            [
                "blocked_writers",
                "regions_above_blocking",
                "regions_offline",
            ]
            .iter()
            .filter_map(|column| folder.timeseries.column(column))
            .any(|values| values[row] > 0.0)
        })
        .collect();
    let mut intervals: Vec<(f64, f64)> = Vec::new();
    for (row, blocked) in flags.iter().enumerate() {
        if !blocked {
            continue;
        }
        let start = if row == 0 { 0.0 } else { times[row - 1] };
        match intervals.last_mut() {
            Some(last) if last.1 == start => last.1 = times[row],
            _ => intervals.push((start, times[row])),
        }
    }
    intervals
}

/// The legend entry for fault lines, if the run had any.
pub fn fault_legend(faults: &[f64]) -> Option<LegendEntry> {
    (!faults.is_empty()).then(|| LegendEntry::new("fault", FAULT, Mark::Rule))
}

/// One series as drawn: solid (a quantity) or dashed (a limit).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
    pub mark: Mark,
}

/// A panel of series over time.
#[derive(Debug)]
pub struct SeriesPanel<'s> {
    pub caption: &'s str,
    pub unit: Unit,
    pub y_description: &'s str,
    /// Log if the values span more than two decades (latency), linear from zero otherwise.
    pub auto_scale: bool,
    pub series: Vec<Drawn>,
    /// Shaded first, under everything: sets of intervals, each with its legend entry.
    pub shaded: Vec<(Vec<(f64, f64)>, LegendEntry)>,
    /// Legend entries for what the caller draws on the returned plot (flush ticks).
    pub extra_legend: Vec<LegendEntry>,
    pub notes: Vec<String>,
}

/// Draws a `SeriesPanel` over the folder's run and its faults; returns the plot for anything
/// more.
pub fn series_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    folder: &ResultFolder,
    spec: SeriesPanel<'_>,
) -> DrawResult<Plot<'a, DB>, DB> {
    series_panel_over(area, time_axis(folder), &fault_times(folder), spec)
}

/// Draws a `SeriesPanel` over the time axis `x` with faults at `faults`: one run's, or (for a
/// comparison) the longest run's span and every run's faults.
pub fn series_panel_over<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Axis,
    faults: &[f64],
    spec: SeriesPanel<'_>,
) -> DrawResult<Plot<'a, DB>, DB> {
    let shaded: Vec<_> = spec
        .shaded
        .into_iter()
        .filter(|(intervals, _)| !intervals.is_empty())
        .collect();
    let mut legend: Vec<LegendEntry> = spec
        .series
        .iter()
        .map(|drawn| LegendEntry::new(drawn.label.clone(), drawn.colour, drawn.mark))
        .collect();
    legend.extend(shaded.iter().map(|(_, entry)| entry.clone()));
    legend.extend(spec.extra_legend);
    legend.extend(fault_legend(faults));
    let values: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|drawn| drawn.points.iter().map(|(_, value)| *value))
        .collect();
    let y = if spec.auto_scale {
        Axis::auto(&values, spec.unit, spec.y_description)
    } else {
        Axis::linear(values, spec.unit, spec.y_description)
    };
    let mut plot = panel(
        area,
        PanelSpec {
            caption: spec.caption,
            x,
            y,
            legend,
            notes: spec.notes,
        },
    )?;
    for (intervals, entry) in &shaded {
        shade(&mut plot, intervals, entry.colour)?;
    }
    // Limits first, then the quantities in reverse, so the first listed is drawn on top.
    let limits = spec
        .series
        .iter()
        .filter(|drawn| drawn.mark == Mark::Dashed);
    let quantities = spec
        .series
        .iter()
        .filter(|drawn| drawn.mark != Mark::Dashed);
    for drawn in limits {
        dashed(&mut plot, drawn.points.iter().copied(), drawn.colour)?;
    }
    for drawn in quantities.rev() {
        line(
            &mut plot,
            drawn.points.iter().copied(),
            drawn.colour.stroke_width(2),
        )?;
    }
    if spec.series.iter().all(|drawn| drawn.mark == Mark::Dashed) {
        note(&mut plot, "not recorded in this run")?;
    }
    rules(&mut plot, faults, FAULT)?;
    Ok(plot)
}

/// A constant across the run, as a dashed series.
pub fn constant(folder: &ResultFolder, label: String, value: f64, colour: RGBColor) -> Drawn {
    let x = time_axis(folder);
    Drawn {
        label,
        points: vec![(x.low(), value), (x.high(), value)],
        colour,
        mark: Mark::Dashed,
    }
}

/// One column of a count panel, drawn solid (a quantity) or dashed (a limit).
#[derive(Debug, Clone, Copy)]
pub struct Column<'n> {
    pub name: &'n str,
    pub label: &'n str,
    pub mark: Mark,
}

/// What a panel of counts over time shows.
#[derive(Debug)]
pub struct CountPanel<'s> {
    pub caption: &'s str,
    pub y_description: &'s str,
    /// Drawn if the folder has them, each in its palette colour (limits dashed and dark).
    pub columns: &'s [Column<'s>],
    /// Constant limits from the scenario's settings: label and value, dashed.
    pub limits: Vec<(String, f64)>,
    /// A note for columns the folder lacks: said when none of the named columns is there.
    pub missing_notes: &'s [(&'s [&'s str], &'s str)],
}

/// Draws a `CountPanel` (the columns the folder has, the limits) and the faults.
pub fn count_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    folder: &ResultFolder,
    spec: CountPanel<'_>,
) -> DrawResult<(), DB> {
    let mut series: Vec<Drawn> = spec
        .columns
        .iter()
        .enumerate()
        .filter_map(|(index, column)| {
            Some(Drawn {
                label: column.label.to_string(),
                points: self::series(folder, column.name)?,
                colour: match column.mark {
                    Mark::Dashed => LIMIT,
                    _ => PALETTE[index % PALETTE.len()],
                },
                mark: column.mark,
            })
        })
        .collect();
    series.extend(
        spec.limits
            .into_iter()
            .map(|(label, value)| constant(folder, label, value, LIMIT)),
    );
    let notes = spec
        .missing_notes
        .iter()
        .filter(|(needed, _)| {
            needed
                .iter()
                .all(|name| folder.timeseries.column(name).is_none())
        })
        .map(|(_, note)| note.to_string())
        .collect();
    series_panel(
        area,
        folder,
        SeriesPanel {
            caption: spec.caption,
            unit: Unit::Count,
            y_description: spec.y_description,
            auto_scale: false,
            series,
            shaded: Vec::new(),
            extra_legend: Vec::new(),
            notes,
        },
    )?;
    Ok(())
}

/// A chart title: what it shows, then the run.
pub fn title(folder: &ResultFolder, what: &str) -> String {
    format!(
        "{what} — {}, seed {}",
        folder.scenario.name, folder.scenario.seed
    )
}
