//! The `cpu-gc` chart, drawn when a run models the cores (`[cpu] model = "on"`) or garbage
//! collection (`[jvm] gc = "on"`): the cores busy and the threads that want one against the
//! cores; the share of each interval collections paused the server, with every pause ticked;
//! and the heap allocated per second, which sets how often the young generation fills.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{
    DrawResult, Edge, Figure, LIMIT, LegendEntry, Mark, PALETTE, Plot, Unit, render, ticks,
};
use super::timeline::{Drawn, SeriesPanel, constant, series, series_panel, title};
use crate::report::result_reader::ResultFolder;

/// The colour of a pause's tick.
const PAUSE: RGBColor = RGBColor(120, 60, 170);

/// Whether the run has the chart: the cores or the collector modelled.
pub fn applies(folder: &ResultFolder) -> bool {
    folder.scenario.cpu.cores.is_some() || folder.scenario.jvm.gc
}

/// When collections paused the server.
pub fn pause_times(folder: &ResultFolder) -> Vec<f64> {
    folder
        .events
        .iter()
        .filter(|event| event.is_gc_pause())
        .map(|event| event.time_s)
        .collect()
}

/// The legend entry for pause ticks.
pub fn pause_legend() -> LegendEntry {
    LegendEntry::new("GC pause", PAUSE, Mark::Rule)
}

/// Ticks each pause along the top of `plot`.
pub fn tick_pauses<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    pauses: &[f64],
) -> DrawResult<(), DB> {
    ticks(plot, pauses, PAUSE, Edge::Top)
}

struct CpuGcFigure<'f> {
    folder: &'f ResultFolder,
}

impl CpuGcFigure<'_> {
    fn cpu<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        cores: u32,
    ) -> DrawResult<(), DB> {
        let folder = self.folder;
        let mut drawn = Vec::new();
        if let Some(busy) = series(folder, "cpu_busy") {
            drawn.push(Drawn {
                label: "cores busy".to_string(),
                points: busy
                    .into_iter()
                    .map(|(time, share)| (time, share * f64::from(cores)))
                    .collect(),
                colour: PALETTE[0],
                mark: Mark::Line,
            });
        }
        if let Some(runnable) = series(folder, "cpu_runnable") {
            drawn.push(Drawn {
                label: "threads wanting a core".to_string(),
                points: runnable,
                colour: PALETTE[1],
                mark: Mark::Line,
            });
        }
        drawn.push(constant(
            folder,
            format!("cores ({cores})"),
            f64::from(cores),
            LIMIT,
        ));
        series_panel(
            area,
            folder,
            SeriesPanel {
                caption: "CPU",
                unit: Unit::Number,
                y_description: "cores or threads",
                auto_scale: false,
                series: drawn,
                shaded: Vec::new(),
                extra_legend: Vec::new(),
                notes: Vec::new(),
            },
        )?;
        Ok(())
    }

    fn paused<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let folder = self.folder;
        let pauses = pause_times(folder);
        let series: Vec<Drawn> = series(folder, "gc_paused")
            .map(|points| Drawn {
                label: "paused".to_string(),
                points: points
                    .into_iter()
                    .map(|(time, share)| (time, share * 100.0))
                    .collect(),
                colour: PALETTE[3],
                mark: Mark::Line,
            })
            .into_iter()
            .collect();
        let mut plot = series_panel(
            area,
            folder,
            SeriesPanel {
                caption: "Garbage collection: the server paused",
                unit: Unit::Number,
                y_description: "% of the interval",
                auto_scale: false,
                series,
                shaded: Vec::new(),
                extra_legend: (!pauses.is_empty())
                    .then(pause_legend)
                    .into_iter()
                    .collect(),
                notes: Vec::new(),
            },
        )?;
        tick_pauses(&mut plot, &pauses)
    }

    fn allocation<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let folder = self.folder;
        let series: Vec<Drawn> = series(folder, "gc_allocation_bytes_per_s")
            .map(|points| Drawn {
                label: "allocated".to_string(),
                points,
                colour: PALETTE[2],
                mark: Mark::Line,
            })
            .into_iter()
            .collect();
        series_panel(
            area,
            folder,
            SeriesPanel {
                caption: "Heap allocation",
                unit: Unit::Bytes,
                y_description: "per second",
                auto_scale: false,
                series,
                shaded: Vec::new(),
                extra_legend: Vec::new(),
                notes: Vec::new(),
            },
        )?;
        Ok(())
    }
}

impl Figure for CpuGcFigure<'_> {
    fn panel_count(&self) -> u32 {
        let cpu = u32::from(self.folder.scenario.cpu.cores.is_some());
        let gc = if self.folder.scenario.jvm.gc { 2 } else { 0 };
        (cpu + gc).max(1)
    }

    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let mut next = 0;
        if let Some(cores) = self.folder.scenario.cpu.cores {
            self.cpu(&areas[next], cores)?;
            next += 1;
        }
        if self.folder.scenario.jvm.gc {
            self.paused(&areas[next])?;
            self.allocation(&areas[next + 1])?;
        }
        Ok(())
    }
}

/// The `cpu-gc` chart.
pub fn chart(folder: &ResultFolder) -> Chart {
    render(
        "cpu-gc",
        &title(folder, "Cores and garbage collection"),
        &CpuGcFigure { folder },
    )
}
