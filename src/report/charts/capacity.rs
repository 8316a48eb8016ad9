//! The capacity search's chart: the first latency SLO's figure (or, with none, the throughput)
//! of every run against the searched setting, the SLO's bound dashed across, and the answer
//! marked by a vertical line. Runs that met every SLO are dots of the first colour, the others
//! of the fault colour.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{
    Axis, DrawResult, FAULT, Figure, LegendEntry, Mark, PALETTE, PanelSpec, Unit, dashed, note,
    panel, render, rules,
};
use crate::runner::capacity::{CapacityResult, Quantity};

struct CapacityFigure<'r> {
    result: &'r CapacityResult,
    /// Which SLO the y axis shows (its index), if a latency one.
    slo: Option<usize>,
}

impl CapacityFigure<'_> {
    fn y(&self, index: usize) -> f64 {
        let trial = &self.result.trials[index];
        match self.slo {
            Some(slo) => trial.figures[slo],
            None => trial.throughput_per_sec,
        }
    }
}

impl Figure for CapacityFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let result = self.result;
        let quantity = result.search.quantity;
        let xs: Vec<f64> = [result.search.low, result.search.high]
            .into_iter()
            .chain(result.trials.iter().map(|trial| trial.value))
            .collect();
        let x_unit = match quantity {
            Quantity::Size | Quantity::Bandwidth => Unit::Bytes,
            Quantity::Count => Unit::Count,
            _ => Unit::Number,
        };
        let x = Axis::linear(xs, x_unit, &result.search.path);
        let mut ys: Vec<f64> = (0..result.trials.len())
            .map(|index| self.y(index))
            .collect();
        let bound = self.slo.and_then(|slo| {
            let text = &result.slos[slo];
            text.split_once('<')
                .and_then(|(_, bound)| crate::scenario::units::parse_duration(bound).ok())
                .map(|bound| bound.as_millis_f64())
        });
        ys.extend(bound);
        let (unit, description) = match self.slo {
            Some(slo) => (
                Unit::Millis,
                result.slos[slo].split('<').next().unwrap_or(""),
            ),
            None => (Unit::Number, "acknowledged per second"),
        };
        let mut legend = vec![
            LegendEntry::new("met every SLO", PALETTE[0], Mark::Line),
            LegendEntry::new("missed one", FAULT, Mark::Line),
        ];
        if bound.is_some() {
            legend.push(LegendEntry::new(
                "the SLO's bound",
                PALETTE[1],
                Mark::Dashed,
            ));
        }
        if result.answer.is_some() {
            legend.push(LegendEntry::new("the answer", PALETTE[2], Mark::Rule));
        }
        let caption = format!(
            "{} against {}, each run a dot ({} seed{} per value)",
            if self.slo.is_some() {
                description
            } else {
                "throughput"
            },
            result.search.path,
            result.seeds.len(),
            if result.seeds.len() == 1 { "" } else { "s" }
        );
        let y = Axis::linear(
            ys.iter().copied().filter(|y| y.is_finite()),
            unit,
            description,
        );
        let mut plot = panel(
            &areas[0],
            PanelSpec {
                caption: &caption,
                x,
                y,
                legend,
                notes: Vec::new(),
            },
        )?;
        if let Some(bound) = bound {
            dashed(
                &mut plot,
                [(result.search.low, bound), (result.search.high, bound)],
                PALETTE[1],
            )?;
        }
        if let Some(answer) = result.answer {
            rules(&mut plot, &[answer], PALETTE[2])?;
        }
        let points: Vec<((f64, f64), RGBColor)> = {
            let coordinates = plot.as_coord_spec();
            let (x_axis, y_axis) = (coordinates.x_spec(), coordinates.y_spec());
            result
                .trials
                .iter()
                .enumerate()
                .filter_map(|(index, trial)| {
                    let point = x_axis
                        .position(trial.value)
                        .zip(y_axis.position(self.y(index)))?;
                    Some((point, if trial.met { PALETTE[0] } else { FAULT }))
                })
                .collect()
        };
        plot.draw_series(
            points
                .into_iter()
                .map(|(point, colour)| Circle::new(point, 5, colour.filled())),
        )?;
        if result.trials.is_empty() {
            note(&mut plot, "no runs")?;
        }
        Ok(())
    }
}

/// The chart `capacity`, from a search's result.
pub fn chart(result: &CapacityResult) -> Chart {
    let slo = result.slos.iter().position(|slo| slo.contains('<'));
    render(
        "capacity",
        &format!(
            "Capacity: {} meeting {}",
            result.search.path,
            result.slos.join(", ")
        ),
        &CapacityFigure { result, slo },
    )
}
