//! Sweep comparison charts, from `sweep.csv`'s rows: a metric against the first `--vary`
//! setting (its values in the order given, evenly spaced), one line per combination of the
//! other varied settings, each the median across seeds with the min–max range shaded around
//! it. The median is the same as the sweep table's (the upper middle for an even count).

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{
    Axis, DrawResult, Figure, LegendEntry, Mark, PALETTE, PanelSpec, Unit, line, note, panel,
    render,
};
use crate::runner::sweep::{SweepManifest, SweepRow};

/// A metric a sweep is compared on.
#[derive(Debug, Clone, Copy)]
struct Metric {
    /// The chart's file name.
    name: &'static str,
    title: &'static str,
    unit: Unit,
    y_description: &'static str,
    /// `sweep.csv` columns added together.
    columns: &'static [&'static str],
}

const METRICS: [Metric; 4] = [
    Metric {
        name: "p99_ms",
        title: "p99 latency",
        unit: Unit::Millis,
        y_description: "p99 latency",
        columns: &["p99_ms"],
    },
    Metric {
        name: "blocked_seconds",
        title: "Time writes were blocked (global pressure + regions too busy)",
        unit: Unit::Number,
        y_description: "blocked (s)",
        columns: &["global_pressure_seconds", "region_too_busy_seconds"],
    },
    Metric {
        name: "throughput_per_s",
        title: "Throughput of the headline operation",
        unit: Unit::Number,
        y_description: "acknowledged per second",
        columns: &["throughput_per_s"],
    },
    Metric {
        name: "write_amplification",
        title: "Write amplification (HFile bytes per memstore byte)",
        unit: Unit::Number,
        y_description: "write amplification",
        columns: &["write_amplification"],
    },
];

/// Median, min and max of one line at one x position.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spread {
    median: f64,
    low: f64,
    high: f64,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        Spread {
            median: values[values.len() / 2],
            low: values[0],
            high: values[values.len() - 1],
        }
    }
}

/// One line: its label and a spread per x position (absent where it has no runs).
type Line = (String, Vec<Option<Spread>>);

/// The lines of one metric.
fn lines(manifest: &SweepManifest, rows: &[SweepRow], metric: &Metric) -> Vec<Line> {
    let Some(x_values) = manifest.vary.first().map(|vary| &vary.values) else {
        return Vec::new();
    };
    // Lines keyed by the other settings' value indices, so they sort in the order given.
    let mut grouped: BTreeMap<Vec<usize>, Vec<Vec<f64>>> = BTreeMap::new();
    for row in rows {
        let indices: Vec<usize> = manifest
            .vary
            .iter()
            .zip(&row.values)
            .map(|(vary, value)| {
                vary.values
                    .iter()
                    .position(|candidate| candidate == value)
                    .unwrap_or(0)
            })
            .collect();
        let value: f64 = metric.columns.iter().map(|column| row.number(column)).sum();
        grouped
            .entry(indices[1..].to_vec())
            .or_insert_with(|| vec![Vec::new(); x_values.len()])[indices[0]]
            .push(value);
    }
    grouped
        .into_iter()
        .map(|(others, per_x)| {
            let label = manifest.vary[1..]
                .iter()
                .zip(&others)
                .map(|(vary, index)| format!("{}={}", vary.path, vary.values[*index]))
                .collect::<Vec<_>>()
                .join(", ");
            let spreads = per_x
                .into_iter()
                .map(|values| (!values.is_empty()).then(|| Spread::of(values)))
                .collect();
            (label, spreads)
        })
        .collect()
}

struct SweepFigure<'s> {
    manifest: &'s SweepManifest,
    metric: Metric,
    lines: Vec<Line>,
}

impl Figure for SweepFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let vary = &self.manifest.vary[0];
        let count = vary.values.len();
        let x = Axis::with_ticks(
            -0.5..count as f64 - 0.5,
            vary.values
                .iter()
                .enumerate()
                .map(|(index, value)| (index as f64, value.clone()))
                .collect(),
            &vary.path,
        );
        let values: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|(_, spreads)| spreads.iter().flatten())
            .flat_map(|spread| [spread.low, spread.high])
            .collect();
        let seeds = self.manifest.seeds.len();
        let legend = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, (label, _))| {
                let label = if label.is_empty() { "median" } else { label };
                LegendEntry::new(label, PALETTE[index % PALETTE.len()], Mark::Line)
            })
            .collect();
        let caption = format!(
            "{} across {seeds} seed{}: median line, min–max shaded",
            self.metric.y_description,
            if seeds == 1 { "" } else { "s" }
        );
        let mut plot = panel(
            &areas[0],
            PanelSpec {
                caption: &caption,
                x,
                y: Axis::auto(&values, self.metric.unit, self.metric.y_description),
                legend,
                notes: Vec::new(),
            },
        )?;
        let y_axis = plot.as_coord_spec().y_spec().clone();
        for (index, (_, spreads)) in self.lines.iter().enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            let present: Vec<(f64, Spread)> = spreads
                .iter()
                .enumerate()
                .filter_map(|(x, spread)| Some((x as f64, (*spread)?)))
                .collect();
            // The band: along the maxima, back along the minima.
            let band: Vec<(f64, f64)> = present
                .iter()
                .filter_map(|(x, spread)| Some((*x, y_axis.position(spread.high)?)))
                .chain(
                    present
                        .iter()
                        .rev()
                        .filter_map(|(x, spread)| Some((*x, y_axis.position(spread.low)?))),
                )
                .collect();
            if present.iter().any(|(_, spread)| spread.high > spread.low) {
                plot.draw_series(std::iter::once(Polygon::new(
                    band,
                    colour.mix(0.18).filled(),
                )))?;
            }
            line(
                &mut plot,
                present.iter().map(|(x, spread)| (*x, spread.median)),
                colour.stroke_width(3),
            )?;
            let dots: Vec<(f64, f64)> = present
                .iter()
                .filter_map(|(x, spread)| Some((*x, y_axis.position(spread.median)?)))
                .collect();
            plot.draw_series(
                dots.into_iter()
                    .map(|point| Circle::new(point, 5, colour.filled())),
            )?;
        }
        if self.lines.is_empty() {
            note(&mut plot, "no runs")?;
        }
        Ok(())
    }
}

/// The comparison charts of a sweep (none for a sweep without a varied setting).
pub fn sweep_charts(manifest: &SweepManifest, rows: &[SweepRow]) -> Vec<Chart> {
    if manifest.vary.is_empty() {
        return Vec::new();
    }
    METRICS
        .iter()
        .map(|metric| {
            let figure = SweepFigure {
                manifest,
                metric: *metric,
                lines: lines(manifest, rows, metric),
            };
            let title = format!("{} against {}", metric.title, manifest.vary[0].path);
            render(metric.name, &title, &figure)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::sweep::{SWEEP_FORMAT, Vary};

    fn row(index: u64, values: [&str; 2], seed: u64, p99_ms: &str) -> SweepRow {
        let mut metrics = vec!["0".to_string(); crate::runner::sweep::METRIC_COLUMNS.len()];
        metrics[5] = "10".to_string();
        metrics[6] = p99_ms.to_string();
        SweepRow {
            index,
            values: values.map(String::from).to_vec(),
            seed,
            metrics,
        }
    }

    // One line per value of the second setting, in the order given; at each value of the
    // first, the median (upper middle) and range of the seeds' p99.
    #[test]
    fn lines_are_medians_and_ranges_across_seeds() {
        let manifest = SweepManifest {
            format: SWEEP_FORMAT.to_string(),
            scenario: "s.toml".to_string(),
            sets: vec![],
            site: None,
            vary: vec![Vary::parse("a=1,2").unwrap(), Vary::parse("b=y,x").unwrap()],
            seeds: vec![1, 2, 3],
            shard: None,
        };
        assert_eq!(crate::runner::sweep::METRIC_COLUMNS[6], "p99_ms");
        let mut rows = Vec::new();
        let p99s = [
            ["5", "1", "3"],
            ["7", "7", "7"],
            ["2", "4", "6"],
            ["9", "8", "7"],
        ];
        for (point, values) in [["1", "y"], ["1", "x"], ["2", "y"], ["2", "x"]]
            .iter()
            .enumerate()
        {
            for (seed, p99) in p99s[point].iter().enumerate() {
                rows.push(row(rows.len() as u64, *values, seed as u64 + 1, p99));
            }
        }
        let lines = lines(&manifest, &rows, &METRICS[0]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0, "b=y");
        assert_eq!(
            lines[0].1,
            vec![
                Some(Spread {
                    median: 3.0,
                    low: 1.0,
                    high: 5.0
                }),
                Some(Spread {
                    median: 4.0,
                    low: 2.0,
                    high: 6.0
                }),
            ]
        );
        assert_eq!(lines[1].0, "b=x");
        assert_eq!(
            lines[1].1[1],
            Some(Spread {
                median: 8.0,
                low: 7.0,
                high: 9.0
            })
        );
    }
}
