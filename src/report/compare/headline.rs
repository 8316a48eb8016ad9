//! The headline figures of runs side by side, read from each `summary.json`: per operation its
//! throughput and latency percentiles, then flushes, compactions, write amplification, time
//! blocked, WAL syncs, store files, durability and the saturation verdict. Each run after the
//! first gets its difference from the first and its ratio to it, so a folder compared with
//! itself shows 0 and 1.00 throughout. A figure a run's summary lacks (an operation it did not
//! send, a field an older version did not write) is "—", and so are its difference and ratio.

use std::collections::BTreeSet;

use crate::report::html::{Format, formatted};
use crate::report::result_reader::ResultFolder;

/// What "absent" shows.
const ABSENT: &str = "—";

/// One figure of one run.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    /// A verdict ("yes", "no") or a name (the bottleneck resource).
    Text(String),
}

/// One headline figure across the runs.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    format: Format,
    /// Per run, in the comparison's order; `None` where the run's summary lacks it.
    pub values: Vec<Option<Value>>,
}

impl Figure {
    fn number(&self, run: usize) -> Option<f64> {
        match self.values.get(run)? {
            Some(Value::Number(value)) => Some(*value),
            _ => None,
        }
    }

    /// Run `run`'s value minus the first run's, for a number both have.
    pub fn difference(&self, run: usize) -> Option<f64> {
        Some(self.number(run)? - self.number(0)?)
    }

    /// Run `run`'s value over the first run's, for a number both have: 1 where both are zero,
    /// none where only the first is.
    pub fn ratio(&self, run: usize) -> Option<f64> {
        let (value, first) = (self.number(run)?, self.number(0)?);
        match (value == 0.0, first == 0.0) {
            (true, true) => Some(1.0),
            (false, true) => None,
            _ => Some(value / first),
        }
    }

    /// Whether run `run`'s value is not the first run's.
    pub fn differs(&self, run: usize) -> bool {
        self.values.get(run) != self.values.first()
    }

    fn shown(&self, run: usize) -> String {
        match &self.values[run] {
            Some(Value::Number(value)) => formatted(Some(*value), self.format),
            Some(Value::Text(text)) => text.clone(),
            None => ABSENT.to_string(),
        }
    }

    /// The difference with its sign, in the figure's unit; "0" for none.
    fn shown_difference(&self, run: usize) -> String {
        if matches!(self.values[run], Some(Value::Text(_))) {
            return if self.differs(run) { "differs" } else { "same" }.to_string();
        }
        match self.difference(run) {
            Some(0.0) => "0".to_string(),
            Some(difference) => {
                let sign = if difference > 0.0 { "+" } else { "-" };
                format!("{sign}{}", formatted(Some(difference.abs()), self.format))
            }
            None => ABSENT.to_string(),
        }
    }

    fn shown_ratio(&self, run: usize) -> String {
        if matches!(self.values[run], Some(Value::Text(_))) {
            return String::new();
        }
        self.ratio(run)
            .map_or(ABSENT.to_string(), |ratio| format!("{ratio:.2}"))
    }
}

/// A figure that is one number of summary.json (or several added up).
struct Numeric {
    name: &'static str,
    pointers: &'static [&'static str],
    format: Format,
}

/// The figures after the operations', in the order the table shows them.
const NUMERIC: [Numeric; 8] = [
    Numeric {
        name: "flushes",
        pointers: &["/flushes/count"],
        format: Format::Count,
    },
    Numeric {
        name: "flushed",
        pointers: &["/flushes/bytes"],
        format: Format::Bytes,
    },
    Numeric {
        name: "compactions",
        pointers: &["/compactions/count"],
        format: Format::Count,
    },
    Numeric {
        name: "write amplification",
        pointers: &["/write_amplification"],
        format: Format::Decimal,
    },
    Numeric {
        // As the sweep's blocked_seconds: the time writes waited on the server's memory.
        name: "blocked (global pressure + regions too busy)",
        pointers: &[
            "/blocked/global_pressure_seconds",
            "/blocked/region_too_busy_seconds",
        ],
        format: Format::Seconds,
    },
    Numeric {
        name: "WAL syncs",
        pointers: &["/wal/syncs"],
        format: Format::Count,
    },
    Numeric {
        name: "most store files in a store",
        pointers: &["/store_files/peak_per_store"],
        format: Format::Count,
    },
    Numeric {
        name: "acknowledged edits lost",
        pointers: &["/durability/lost"],
        format: Format::Count,
    },
];

/// An operation's figures: name suffix, pointer below `/operations/<op>`, format.
const PER_OPERATION: [(&str, &str, Format); 5] = [
    ("per second", "/throughput_per_sec", Format::Decimal),
    ("p50", "/latency_ms/p50", Format::Millis),
    ("p99", "/latency_ms/p99", Format::Millis),
    ("p99.9", "/latency_ms/p999", Format::Millis),
    ("max", "/latency_ms/max", Format::Millis),
];

/// The headline figures of `runs`: every operation any run sent, then the rest; the saturation
/// verdict and bottleneck if any run's summary has a verdict.
pub fn headline_figures(runs: &[&ResultFolder]) -> Vec<Figure> {
    let operations: BTreeSet<&String> = runs
        .iter()
        .filter_map(|run| run.summary.get("operations")?.as_object())
        .flat_map(|operations| operations.keys())
        .collect();
    let mut figures = Vec::new();
    for operation in operations {
        for (what, pointer, format) in PER_OPERATION {
            let pointer = format!("/operations/{operation}{pointer}");
            figures.push(Figure {
                name: format!("{operation} {what}"),
                format,
                values: runs
                    .iter()
                    .map(|run| run.summary_number(&pointer).map(Value::Number))
                    .collect(),
            });
        }
    }
    for numeric in &NUMERIC {
        figures.push(Figure {
            name: numeric.name.to_string(),
            format: numeric.format,
            values: runs
                .iter()
                .map(|run| {
                    let values: Option<Vec<f64>> = numeric
                        .pointers
                        .iter()
                        .map(|pointer| run.summary_number(pointer))
                        .collect();
                    Some(Value::Number(values?.iter().sum()))
                })
                .collect(),
        });
    }
    if runs
        .iter()
        .any(|run| run.summary.get("saturation").is_some())
    {
        figures.push(text_figure("saturated", runs, |run| {
            let saturated = run.summary.pointer("/saturation/saturated")?.as_bool()?;
            Some(if saturated { "yes" } else { "no" }.to_string())
        }));
        figures.push(text_figure("bottleneck", runs, |run| {
            run.summary.get("saturation")?;
            let resource = run.summary_text("/bottleneck/resource").unwrap_or("none");
            Some(resource.to_string())
        }));
    }
    figures
}

/// A figure of texts, `value` read from each run.
fn text_figure(
    name: &str,
    runs: &[&ResultFolder],
    value: impl Fn(&ResultFolder) -> Option<String>,
) -> Figure {
    Figure {
        name: name.to_string(),
        // Not used: texts are shown as they are.
        format: Format::Count,
        values: runs.iter().map(|run| value(run).map(Value::Text)).collect(),
    }
}

/// The table of `figures` for `runs` runs: a header, then one row per figure — each run's
/// value, and after the first run's, each other run's difference (`2−1`) and ratio (`2/1`).
pub fn headline_table(figures: &[Figure], runs: usize) -> Vec<Vec<String>> {
    let mut header = vec!["figure".to_string(), "1".to_string()];
    for run in 2..=runs {
        header.extend([run.to_string(), format!("{run}−1"), format!("{run}/1")]);
    }
    let mut rows = vec![header];
    for figure in figures {
        let mut row = vec![figure.name.clone(), figure.shown(0)];
        for run in 1..runs {
            row.extend([
                figure.shown(run),
                figure.shown_difference(run),
                figure.shown_ratio(run),
            ]);
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(values: [Option<f64>; 3]) -> Figure {
        Figure {
            name: "x".to_string(),
            format: Format::Count,
            values: values
                .iter()
                .map(|value| value.map(Value::Number))
                .collect(),
        }
    }

    // Differences and ratios against the first run; 0 over 0 is a ratio of 1, x over 0 none;
    // an absent value has neither.
    #[test]
    fn differences_and_ratios() {
        let counts = figure([Some(4.0), Some(6.0), None]);
        assert_eq!(counts.difference(1), Some(2.0));
        assert_eq!(counts.ratio(1), Some(1.5));
        assert_eq!(counts.difference(2), None);
        let zeros = figure([Some(0.0), Some(0.0), Some(3.0)]);
        assert_eq!(zeros.ratio(1), Some(1.0));
        assert_eq!(zeros.ratio(2), None);
        let table = headline_table(&[counts, zeros], 3);
        assert_eq!(
            table[0],
            ["figure", "1", "2", "2−1", "2/1", "3", "3−1", "3/1"]
        );
        assert_eq!(table[1], ["x", "4", "6", "+2", "1.50", "—", "—", "—"]);
        assert_eq!(table[2], ["x", "0", "0", "0", "1.00", "3", "+3", "—"]);
    }

    // Texts are the same or differ; they have no ratio.
    #[test]
    fn texts_are_same_or_different() {
        let verdict = Figure {
            name: "saturated".to_string(),
            format: Format::Count,
            values: vec![
                Some(Value::Text("no".to_string())),
                Some(Value::Text("no".to_string())),
                Some(Value::Text("yes".to_string())),
            ],
        };
        let table = headline_table(&[verdict], 3);
        assert_eq!(
            table[1],
            ["saturated", "no", "no", "same", "", "yes", "differs", ""]
        );
    }
}
