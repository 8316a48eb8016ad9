//! The memstore chart. Above: the global memstore heap against the lower limit (where
//! MemStoreFlusher starts flushing the largest regions) and the upper limit (where
//! reclaimMemStoreMemory blocks writers), with every flush ticked along the bottom. Below: the
//! regions that held the most (`regions.csv`) against the flush size and the blocking size
//! (flush size × hbase.hregion.memstore.block.multiplier, where checkResources throws
//! RegionTooBusyException), each region's flushes ticked in its colour. Sizes are HBase's heap
//! accounting, the number those thresholds compare.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{DrawResult, Edge, Figure, LegendEntry, Mark, PALETTE, Unit, render, ticks};
use super::timeline::{self, Drawn, SeriesPanel, constant, series_panel, title};
use crate::report::result_reader::ResultFolder;
use crate::scenario::units::format_size_approx;

const LOWER_LIMIT: RGBColor = PALETTE[1];
const UPPER_LIMIT: RGBColor = PALETTE[5];
const FLUSH: RGBColor = PALETTE[7];
/// A region limit is drawn if it is within this factor of the most a region held.
const LIMIT_SHOWN_WITHIN: f64 = 2.0;

struct MemstoreFigure<'f> {
    folder: &'f ResultFolder,
}

/// The flush size every table shares, if they all share one.
fn shared_flush_size_bytes(folder: &ResultFolder) -> Option<u64> {
    let scenario = &folder.scenario;
    let default = u64::try_from(
        scenario
            .properties
            .int_opt("hbase.hregion.memstore.flush.size")?,
    )
    .ok()?;
    let mut sizes: Vec<u64> = scenario
        .tables
        .iter()
        .map(|table| table.memstore_flushsize.unwrap_or(default))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    match sizes[..] {
        [size] => Some(size),
        _ => None,
    }
}

/// A heap panel: sizes in bytes, with flushes ticked (and named `flush_label`) if any.
fn heap_panel<'s>(
    caption: &'s str,
    series: Vec<Drawn>,
    flush_label: Option<&str>,
) -> SeriesPanel<'s> {
    SeriesPanel {
        caption,
        unit: Unit::Bytes,
        y_description: "heap",
        auto_scale: false,
        series,
        shaded: Vec::new(),
        extra_legend: flush_label
            .map(|label| LegendEntry::new(label, FLUSH, Mark::Tick))
            .into_iter()
            .collect(),
        notes: Vec::new(),
    }
}

impl MemstoreFigure<'_> {
    fn global<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let folder = self.folder;
        let series: Vec<Drawn> = [
            (
                "global memstore",
                "global_memstore_bytes",
                PALETTE[0],
                Mark::Line,
            ),
            (
                "lower limit",
                "memstore_lower_limit_bytes",
                LOWER_LIMIT,
                Mark::Dashed,
            ),
            (
                "upper limit",
                "memstore_upper_limit_bytes",
                UPPER_LIMIT,
                Mark::Dashed,
            ),
        ]
        .into_iter()
        .filter_map(|(label, column, colour, mark)| {
            Some(Drawn {
                label: label.to_string(),
                points: timeline::series(folder, column)?,
                colour,
                mark,
            })
        })
        .collect();
        let flushes: Vec<f64> = folder
            .events
            .iter()
            .filter(|event| event.is_flush())
            .map(|event| event.time_s)
            .collect();
        let flush_label = (!flushes.is_empty()).then_some("flush");
        let spec = heap_panel("Global memstore", series, flush_label);
        let mut plot = series_panel(area, folder, spec)?;
        ticks(&mut plot, &flushes, FLUSH, Edge::Bottom)
    }

    fn regions<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let folder = self.folder;
        let mut series: Vec<Drawn> = Vec::new();
        let mut region_flushes: Vec<(Vec<f64>, RGBColor)> = Vec::new();
        match &folder.regions {
            Some(regions) => {
                let times = regions.column("time_s").unwrap_or_default();
                let region_columns = regions.names().iter().filter_map(|name| {
                    let region: u64 = name.strip_prefix("region_")?.parse().ok()?;
                    Some((name, region))
                });
                for (index, (name, region)) in region_columns.enumerate() {
                    let colour = PALETTE[index % PALETTE.len()];
                    let values = regions.column(name).unwrap_or_default();
                    series.push(Drawn {
                        label: folder.region_names.label(region),
                        points: times.iter().copied().zip(values.iter().copied()).collect(),
                        colour,
                        mark: Mark::Line,
                    });
                    let flushes = folder
                        .events
                        .iter()
                        .filter(|event| event.is_flush() && event.region == Some(region))
                        .map(|event| event.time_s)
                        .collect();
                    region_flushes.push((flushes, colour));
                }
            }
            None => series.extend(
                timeline::series(folder, "largest_region_memstore_bytes").map(|points| Drawn {
                    label: "largest region".to_string(),
                    points,
                    colour: PALETTE[0],
                    mark: Mark::Line,
                }),
            ),
        }
        let mut notes = Vec::new();
        if let Some(flush_size) = shared_flush_size_bytes(folder) {
            let multiplier = folder
                .scenario
                .properties
                .int_opt("hbase.hregion.memstore.block.multiplier")
                .unwrap_or(0) as f64;
            let flush_size = flush_size as f64;
            let held_max = series
                .iter()
                .flat_map(|drawn| drawn.points.iter().map(|(_, value)| *value))
                .fold(0.0, f64::max);
            let limits = [
                ("flush size", flush_size, LOWER_LIMIT),
                ("blocking size", flush_size * multiplier, UPPER_LIMIT),
            ];
            for (label, size, colour) in limits {
                // Far above what the regions held, a limit would flatten them: say it instead.
                if held_max == 0.0 || size <= held_max * LIMIT_SHOWN_WITHIN {
                    series.push(constant(folder, label.into(), size, colour));
                } else {
                    notes.push(format!(
                        "{label} {} is above the scale",
                        format_size_approx(size)
                    ));
                }
            }
        }
        let any_flush = region_flushes.iter().any(|(times, _)| !times.is_empty());
        let flush_label = any_flush.then_some("flush (in the region's colour)");
        let mut spec = heap_panel("Regions that held the most", series, flush_label);
        spec.notes = notes;
        let mut plot = series_panel(area, folder, spec)?;
        // At the top: a region's memstore falls to the bottom when it flushes.
        for (times, colour) in &region_flushes {
            ticks(&mut plot, times, *colour, Edge::Top)?;
        }
        Ok(())
    }
}

impl Figure for MemstoreFigure<'_> {
    fn panel_count(&self) -> u32 {
        2
    }

    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        self.global(&areas[0])?;
        self.regions(&areas[1])
    }
}

/// The memstore chart.
pub fn chart(folder: &ResultFolder) -> Chart {
    render(
        "memstore",
        &title(folder, "Memstore"),
        &MemstoreFigure { folder },
    )
}
