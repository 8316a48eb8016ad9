//! The `cpu-gc` chart, drawn when a run models the cores (`[cpu] model = "on"`) or garbage
//! collection (`[jvm] gc = "on"`): the cores busy and the threads that want one against the
//! cores; the share of each interval collections paused the server, with every pause ticked;
//! the heap allocated per second, which sets how often the young generation fills; and the old
//! generation's occupancy against the one that starts the collector's concurrent cycle.

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
        let cores_f = f64::from(cores);
        let series = [
            self.column("cpu_busy", "cores busy", PALETTE[0], Mark::Line, cores_f),
            self.column(
                "cpu_runnable",
                "threads wanting a core",
                PALETTE[1],
                Mark::Line,
                1.0,
            ),
            Some(constant(
                self.folder,
                format!("cores ({cores})"),
                cores_f,
                LIMIT,
            )),
        ];
        self.panel(
            area,
            "CPU",
            Unit::Number,
            "cores or threads",
            series.into_iter().flatten().collect(),
            Vec::new(),
        )?;
        Ok(())
    }

    fn paused<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let pauses = pause_times(self.folder);
        let paused = self.column("gc_paused", "paused", PALETTE[3], Mark::Line, 100.0);
        let legend = (!pauses.is_empty()).then(pause_legend);
        let mut plot = self.panel(
            area,
            "Garbage collection: the server paused",
            Unit::Number,
            "% of the interval",
            paused.into_iter().collect(),
            legend.into_iter().collect(),
        )?;
        tick_pauses(&mut plot, &pauses)
    }

    fn allocation<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let allocated = self.column(
            "gc_allocation_bytes_per_s",
            "allocated",
            PALETTE[2],
            Mark::Line,
            1.0,
        );
        self.panel(
            area,
            "Heap allocation",
            Unit::Bytes,
            "per second",
            allocated.into_iter().collect(),
            Vec::new(),
        )?;
        Ok(())
    }

    fn old_generation<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> DrawResult<(), DB> {
        let series = [
            self.column("gc_old_bytes", "occupied", PALETTE[4], Mark::Line, 1.0),
            self.column(
                "gc_initiating_bytes",
                "starts a concurrent cycle",
                LIMIT,
                Mark::Dashed,
                1.0,
            ),
        ];
        self.panel(
            area,
            "Old generation: live and garbage",
            Unit::Bytes,
            "occupancy",
            series.into_iter().flatten().collect(),
            Vec::new(),
        )?;
        Ok(())
    }

    /// A `timeseries.csv` column scaled by `scale`, if the folder has it.
    fn column(
        &self,
        name: &str,
        label: &str,
        colour: RGBColor,
        mark: Mark,
        scale: f64,
    ) -> Option<Drawn> {
        Some(Drawn {
            label: label.to_string(),
            points: series(self.folder, name)?
                .into_iter()
                .map(|(time, value)| (time, value * scale))
                .collect(),
            colour,
            mark,
        })
    }

    /// A linear panel of `series` from zero.
    fn panel<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        caption: &str,
        unit: Unit,
        y_description: &str,
        series: Vec<Drawn>,
        extra_legend: Vec<LegendEntry>,
    ) -> DrawResult<Plot<'a, DB>, DB> {
        series_panel(
            area,
            self.folder,
            SeriesPanel {
                caption,
                unit,
                y_description,
                auto_scale: false,
                series,
                shaded: Vec::new(),
                extra_legend,
                notes: Vec::new(),
            },
        )
    }
}

impl Figure for CpuGcFigure<'_> {
    fn panel_count(&self) -> u32 {
        let cpu = u32::from(self.folder.scenario.cpu.cores.is_some());
        let gc = if self.folder.scenario.jvm.gc { 3 } else { 0 };
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
            self.old_generation(&areas[next + 2])?;
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
