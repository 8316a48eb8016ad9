//! `regionsim capacity`: the largest (or smallest) value of one setting that meets every SLO.
//!
//! The setting must be monotone over the range — more of it only ever harder (an ingest rate)
//! or only ever easier (handlers, heap, bandwidth). Both ends are run first: the end that meets
//! the SLOs and the one that does not say which way the answer lies; then bisection halves the
//! gap between the last value that met them and the first that did not until it is within the
//! precision. A value meets the SLOs when at least the quorum's share of the seeds does (all of
//! them by default). Each value's seeds run in parallel; the values one after another, so the
//! runs made, and the answer, are the same for any `--jobs`.

use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use super::simulate;
use super::sweep::SweepManifest;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::scenario::error::ScenarioError;
use crate::scenario::units::{
    format_size_approx, parse_bandwidth, parse_duration, parse_rate, parse_size,
};
use crate::sim::SimDuration;

/// Most bisection steps: a range of 2^40 halved to its last step.
pub const STEPS_MAX: u32 = 40;

/// What kind of number the searched setting is, so values are halved and written back in its
/// own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A whole number with no unit: handlers, regions, threads.
    Count,
    /// A number with a fraction and no unit: a heap share.
    Fraction,
    /// Per second: "20k/s".
    Rate,
    /// Bytes per second: "200MB/s".
    Bandwidth,
    /// Bytes: "128MB".
    Size,
    /// Nanoseconds: "50ms".
    Duration,
}

impl Quantity {
    /// Reads a value, telling its kind from its form.
    fn read(text: &str) -> Result<(Quantity, f64), String> {
        let text = text.trim();
        if let Ok(count) = text.replace('_', "").parse::<u64>() {
            return Ok((Quantity::Count, count as f64));
        }
        if let Ok(fraction) = text.parse::<f64>()
            && fraction.is_finite()
        {
            return Ok((Quantity::Fraction, fraction));
        }
        // "100/s" is a rate (a bare count per second), "100MB/s" a bandwidth.
        if let Ok(rate) = parse_rate(text) {
            return Ok((Quantity::Rate, rate));
        }
        if let Ok(bytes) = parse_bandwidth(text) {
            return Ok((Quantity::Bandwidth, bytes as f64));
        }
        if let Ok(bytes) = parse_size(text) {
            return Ok((Quantity::Size, bytes as f64));
        }
        if let Ok(duration) = parse_duration(text) {
            return Ok((Quantity::Duration, duration.as_nanos() as f64));
        }
        Err(format!(
            "\"{text}\" is not a number, a rate (20k/s), a bandwidth (200MB/s), a size (128MB) or a duration (50ms)"
        ))
    }

    /// Whether values are whole numbers (bisection stops at a step of one).
    fn is_whole(self) -> bool {
        !matches!(self, Quantity::Fraction | Quantity::Rate)
    }

    /// The value as `--set` takes it.
    pub fn setting(self, value: f64) -> String {
        match self {
            Quantity::Count => format!("{}", value as u64),
            Quantity::Fraction => format!("{value}"),
            Quantity::Rate => format!("{value}/s"),
            Quantity::Bandwidth => format!("{}B/s", value as u64),
            Quantity::Size => format!("{}B", value as u64),
            Quantity::Duration => format!("{}ns", value as u64),
        }
    }

    /// The value for people.
    pub fn show(self, value: f64) -> String {
        match self {
            Quantity::Count => crate::report::format::count(value as u64),
            Quantity::Fraction => format!("{value:.4}"),
            Quantity::Rate => format!("{}/s", significant(value, 4)),
            Quantity::Bandwidth => format!("{}/s", format_size_approx(value)),
            Quantity::Size => format_size_approx(value),
            Quantity::Duration => SimDuration::from_nanos(value as u64).approx(),
        }
    }
}

/// `value` to `digits` significant digits, without trailing zeros: 259.9609 → "260", 1234.6
/// → "1235" (4), 0.01234 → "0.01234".
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = libm::floor(libm::log10(value.abs())) as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `--search PATH=LOW..HIGH`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Search {
    pub path: String,
    pub quantity: Quantity,
    pub low: f64,
    pub high: f64,
}

impl Search {
    pub fn parse(text: &str) -> Result<Search, String> {
        let expected = || {
            format!(
                "--search expects PATH=LOW..HIGH, such as workloads[0].arrival.rate=10k/s..80k/s, found \"{text}\""
            )
        };
        let (path, range) = text.split_once('=').ok_or_else(expected)?;
        let (low, high) = range.split_once("..").ok_or_else(expected)?;
        if path.trim().is_empty() {
            return Err(expected());
        }
        let (low_kind, low_value) =
            Quantity::read(low).map_err(|e| format!("--search {text}: {e}"))?;
        let (high_kind, high_value) =
            Quantity::read(high).map_err(|e| format!("--search {text}: {e}"))?;
        // A whole number beside a fraction is a fraction.
        let quantity = match (low_kind, high_kind) {
            (a, b) if a == b => a,
            (Quantity::Count | Quantity::Fraction, Quantity::Count | Quantity::Fraction) => {
                Quantity::Fraction
            }
            _ => {
                return Err(format!(
                    "--search {text}: LOW and HIGH must be the same kind of value"
                ));
            }
        };
        if low_value >= high_value {
            return Err(format!("--search {text}: LOW must be below HIGH"));
        }
        Ok(Search {
            path: path.trim().to_string(),
            quantity,
            low: low_value,
            high: high_value,
        })
    }
}

/// How close the answer must be: a share of the answer, or an amount in the setting's terms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Relative(f64),
    Absolute(f64),
}

impl Precision {
    pub fn parse(text: &str, quantity: Quantity) -> Result<Precision, String> {
        let text = text.trim();
        if let Some(percent) = text.strip_suffix('%') {
            let share = percent
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|share| *share > 0.0 && *share <= 50.0)
                .ok_or_else(|| {
                    format!("--precision {text}: a percentage above 0 and at most 50")
                })?;
            return Ok(Precision::Relative(share / 100.0));
        }
        let (kind, amount) = Quantity::read(text).map_err(|e| format!("--precision {e}"))?;
        let same = kind == quantity
            || matches!(
                (kind, quantity),
                (Quantity::Count, Quantity::Fraction) | (Quantity::Fraction, Quantity::Count)
            );
        if !same || amount <= 0.0 {
            return Err(format!(
                "--precision {text}: a percentage (1%) or a positive amount of the searched setting's kind"
            ));
        }
        Ok(Precision::Absolute(amount))
    }

    /// Whether a gap from `passing` to `failing` is close enough.
    fn reached(self, passing: f64, failing: f64, whole: bool) -> bool {
        let gap = (failing - passing).abs();
        if whole && gap <= 1.0 {
            return true;
        }
        match self {
            Precision::Relative(share) => gap <= share * passing.abs().max(f64::MIN_POSITIVE),
            Precision::Absolute(amount) => gap <= amount,
        }
    }
}

/// A latency figure an SLO bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyFigure {
    P50,
    P90,
    P99,
    P999,
    Max,
    Mean,
}

impl LatencyFigure {
    const NAMES: [(&'static str, LatencyFigure); 6] = [
        ("p50", LatencyFigure::P50),
        ("p90", LatencyFigure::P90),
        ("p99", LatencyFigure::P99),
        ("p999", LatencyFigure::P999),
        ("max", LatencyFigure::Max),
        ("mean", LatencyFigure::Mean),
    ];

    fn of(self, latency: &crate::report::summary::LatencySummary) -> f64 {
        match self {
            LatencyFigure::P50 => latency.p50,
            LatencyFigure::P90 => latency.p90,
            LatencyFigure::P99 => latency.p99,
            LatencyFigure::P999 => latency.p999,
            LatencyFigure::Max => latency.max,
            LatencyFigure::Mean => latency.mean,
        }
    }

    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, figure)| *figure == self)
            .map(|(name, _)| *name)
            .expect("every figure is named")
    }
}

/// One service-level objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Slo {
    /// A latency figure below a bound, for one operation kind or for every kind sent.
    Latency {
        operation: Option<String>,
        figure: LatencyFigure,
        below_ms: f64,
    },
    /// No write held back: no handler blocked on global pressure, no region above its
    /// blocking size.
    NoBlocking,
    /// No request failed for good.
    NoFailures,
    /// Every open-loop workload kept up (as `run`'s exit code judges it).
    KeptUp,
}

impl fmt::Display for Slo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slo::Latency {
                operation,
                figure,
                below_ms,
            } => {
                if let Some(operation) = operation {
                    write!(f, "{operation}.")?;
                }
                let bound = SimDuration::from_nanos((below_ms * 1e6).round() as u64);
                write!(f, "{}<{bound}", figure.name())
            }
            Slo::NoBlocking => f.write_str("no-blocking"),
            Slo::NoFailures => f.write_str("no-failures"),
            Slo::KeptUp => f.write_str("kept-up"),
        }
    }
}

impl Slo {
    /// Parses `p99<200ms`, `batch.p999<1s`, `no-blocking`, `no-failures` or `kept-up`.
    pub fn parse(text: &str) -> Result<Slo, String> {
        let text = text.trim();
        match text {
            "no-blocking" => return Ok(Slo::NoBlocking),
            "no-failures" => return Ok(Slo::NoFailures),
            "kept-up" => return Ok(Slo::KeptUp),
            _ => {}
        }
        let expected = || {
            format!(
                "--slo expects FIGURE<DURATION (p50, p90, p99, p999, max or mean, optionally after an operation: batch.p99<200ms), no-blocking, no-failures or kept-up; found \"{text}\""
            )
        };
        let (left, bound) = text.split_once('<').ok_or_else(expected)?;
        let (operation, figure) = match left.trim().rsplit_once('.') {
            Some((operation, figure)) => (Some(operation.trim().to_string()), figure.trim()),
            None => (None, left.trim()),
        };
        let figure = LatencyFigure::NAMES
            .iter()
            .find(|(name, _)| *name == figure)
            .map(|(_, figure)| *figure)
            .ok_or_else(expected)?;
        if let Some(operation) = &operation
            && !crate::scenario::workload::OpKind::ALL
                .iter()
                .any(|kind| kind.name() == operation)
        {
            return Err(format!(
                "--slo {text}: \"{operation}\" is not an operation (put, delete, increment, append, check_and_put, batch, get, multi_get, scan, insert, read_modify_write)"
            ));
        }
        let bound =
            parse_duration(bound.trim()).map_err(|error| format!("--slo {text}: {error}"))?;
        if bound.is_zero() {
            return Err(format!("--slo {text}: the bound must be above 0"));
        }
        Ok(Slo::Latency {
            operation,
            figure,
            below_ms: bound.as_millis_f64(),
        })
    }

    /// The figure a run shows against this SLO (milliseconds for a latency, else a count or
    /// seconds), and whether it met it. A latency SLO for an operation the run did not send
    /// is not met.
    fn judge(&self, summary: &Summary) -> (f64, bool) {
        match self {
            Slo::Latency {
                operation,
                figure,
                below_ms,
            } => {
                let figures: Vec<f64> = summary
                    .operations
                    .iter()
                    .filter(|(name, _)| operation.as_ref().is_none_or(|wanted| wanted == *name))
                    .map(|(_, op)| figure.of(&op.latency_ms))
                    .collect();
                let worst = figures.iter().copied().fold(f64::NAN, f64::max);
                (worst, !figures.is_empty() && worst < *below_ms)
            }
            Slo::NoBlocking => {
                let seconds = summary.blocked.global_pressure_seconds
                    + summary.blocked.region_too_busy_seconds;
                (seconds, seconds == 0.0)
            }
            Slo::NoFailures => {
                let failed: u64 = summary.operations.values().map(|op| op.failed).sum();
                (failed as f64, failed == 0)
            }
            Slo::KeptUp => {
                let kept_up = summary.client.could_not_keep_up().is_none();
                (f64::from(u8::from(kept_up)), kept_up)
            }
        }
    }
}

/// One run the search made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    /// The setting's value, as `--set` took it, and for people.
    pub value: f64,
    pub setting: String,
    pub seed: u64,
    pub met: bool,
    /// Each SLO's figure, in the order given.
    pub figures: Vec<f64>,
    /// The first SLO not met, if any.
    pub missed: Option<String>,
    pub trace_hash: String,
    pub bottleneck: Option<String>,
    pub throughput_per_sec: f64,
}

/// Which end of the range is the answer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The largest value that meets the SLOs (more is harder).
    Largest,
    /// The smallest value that meets them (more is easier).
    Smallest,
}

/// The search's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityResult {
    pub search: Search,
    pub slos: Vec<String>,
    pub seeds: Vec<u64>,
    /// The share of seeds that must meet the SLOs for a value to.
    pub quorum: f64,
    pub precision: Precision,
    /// Which way the answer lay (from the ends); absent when neither end met the SLOs.
    pub direction: Option<Direction>,
    /// The value found, as `--set` takes it and for people; absent when no value met the SLOs.
    pub answer: Option<f64>,
    pub answer_setting: Option<String>,
    pub answer_shown: Option<String>,
    /// The nearest value tried that did not meet them (the margin's other side); absent when
    /// both ends met them (the boundary lies outside the range).
    pub failing_neighbour: Option<f64>,
    /// What limited the runs at the failing neighbour (its first seed's bottleneck).
    pub bottleneck_at_boundary: Option<String>,
    /// Every run made, in the order made (values in search order, seeds in order).
    pub trials: Vec<Trial>,
}

/// Why a search could not be made.
#[derive(Debug)]
pub enum CapacityError {
    /// A value of the setting the scenario refuses.
    Scenario(String),
    /// A run that failed outright (a bound on its size, a model error).
    Run(String),
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapacityError::Scenario(message) | CapacityError::Run(message) => f.write_str(message),
        }
    }
}

/// What the search needs to load a run: the scenario file with its sets (as a sweep keeps it).
#[derive(Debug, Clone)]
pub struct CapacityPlan {
    /// The scenario, sets and seeds, as a sweep of the one setting would hold them: its one
    /// `vary` names the searched path (its values are the search's to choose).
    pub manifest: SweepManifest,
    pub search: Search,
    pub slos: Vec<Slo>,
    pub quorum: f64,
    pub precision: Precision,
}

impl CapacityPlan {
    fn scenario(&self, value: f64, seed: u64) -> Result<Scenario, ScenarioError> {
        self.manifest.load_run(&super::sweep::PlannedRun {
            index: 0,
            values: vec![self.search.quantity.setting(value)],
            seed,
        })
    }

    /// Runs `value` with every seed (in parallel on the current pool).
    fn try_value(&self, value: f64) -> Result<Vec<Trial>, CapacityError> {
        let setting = self.search.quantity.setting(value);
        self.manifest
            .seeds
            .par_iter()
            .map(|&seed| {
                let scenario = self.scenario(value, seed).map_err(|error| {
                    CapacityError::Scenario(format!(
                        "{} = {setting} (seed {seed}): {error}",
                        self.search.path
                    ))
                })?;
                let outcome = simulate(&scenario).map_err(|error| {
                    CapacityError::Run(format!(
                        "{} = {setting} (seed {seed}): {error}",
                        self.search.path
                    ))
                })?;
                let summary = Summary::new(&scenario, &outcome);
                let judged: Vec<(f64, bool)> =
                    self.slos.iter().map(|slo| slo.judge(&summary)).collect();
                let missed = self
                    .slos
                    .iter()
                    .zip(&judged)
                    .find(|(_, (_, met))| !met)
                    .map(|(slo, _)| slo.to_string());
                let acknowledged: f64 = summary
                    .operations
                    .values()
                    .map(|op| op.throughput_per_sec)
                    .sum();
                Ok(Trial {
                    value,
                    setting: setting.clone(),
                    seed,
                    met: missed.is_none(),
                    figures: judged.iter().map(|(figure, _)| *figure).collect(),
                    missed,
                    trace_hash: summary.trace_hash.clone(),
                    bottleneck: summary
                        .bottleneck
                        .as_ref()
                        .map(|found| found.resource.to_string()),
                    throughput_per_sec: acknowledged,
                })
            })
            .collect()
    }

    /// Whether enough of a value's seeds met the SLOs.
    fn met(&self, trials: &[Trial]) -> bool {
        let met = trials.iter().filter(|trial| trial.met).count() as f64;
        met >= self.quorum * trials.len() as f64 - 1e-9
    }

    /// The search, `on_value` told of each value as its runs end.
    pub fn run(
        &self,
        on_value: &(dyn Fn(&[Trial]) + Sync),
    ) -> Result<CapacityResult, CapacityError> {
        let mut trials = Vec::new();
        let attempt = |value: f64, trials: &mut Vec<Trial>| -> Result<bool, CapacityError> {
            let runs = self.try_value(value)?;
            on_value(&runs);
            let met = self.met(&runs);
            trials.extend(runs);
            Ok(met)
        };
        let search = &self.search;
        let low_met = attempt(search.low, &mut trials)?;
        let high_met = attempt(search.high, &mut trials)?;
        let whole = search.quantity.is_whole();
        let (direction, mut passing, mut failing) = match (low_met, high_met) {
            (true, false) => (
                Some(Direction::Largest),
                Some(search.low),
                Some(search.high),
            ),
            (false, true) => (
                Some(Direction::Smallest),
                Some(search.high),
                Some(search.low),
            ),
            // Every value meets them: the boundary lies beyond HIGH (or below LOW); the range's
            // far end is the answer as far as it goes.
            (true, true) => (Some(Direction::Largest), Some(search.high), None),
            (false, false) => (None, None, None),
        };
        let mut steps = 0;
        while let (Some(pass), Some(fail)) = (passing, failing) {
            if self.precision.reached(pass, fail, whole) || steps >= STEPS_MAX {
                break;
            }
            let mut middle = (pass + fail) / 2.0;
            if whole {
                middle = middle.round();
                if middle == pass || middle == fail {
                    break;
                }
            }
            steps += 1;
            if attempt(middle, &mut trials)? {
                passing = Some(middle);
            } else {
                failing = Some(middle);
            }
        }
        let bottleneck_at_boundary = failing.and_then(|fail| {
            trials
                .iter()
                .find(|trial| trial.value == fail && !trial.met)
                .and_then(|trial| trial.bottleneck.clone())
        });
        Ok(CapacityResult {
            search: search.clone(),
            slos: self.slos.iter().map(Slo::to_string).collect(),
            seeds: self.manifest.seeds.clone(),
            quorum: self.quorum,
            precision: self.precision,
            direction,
            answer: passing,
            answer_setting: passing.map(|value| search.quantity.setting(value)),
            answer_shown: passing.map(|value| search.quantity.show(value)),
            failing_neighbour: failing,
            bottleneck_at_boundary,
            trials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_by_their_form() {
        assert_eq!(Quantity::read("30").unwrap(), (Quantity::Count, 30.0));
        assert_eq!(Quantity::read("0.4").unwrap(), (Quantity::Fraction, 0.4));
        assert_eq!(Quantity::read("20k/s").unwrap(), (Quantity::Rate, 20_000.0));
        assert_eq!(Quantity::read("100/s").unwrap(), (Quantity::Rate, 100.0));
        assert_eq!(
            Quantity::read("2MB/s").unwrap(),
            (Quantity::Bandwidth, 2.0 * 1024.0 * 1024.0)
        );
        assert_eq!(
            Quantity::read("64MB").unwrap(),
            (Quantity::Size, 64.0 * 1024.0 * 1024.0)
        );
        assert_eq!(Quantity::read("50ms").unwrap(), (Quantity::Duration, 5e7));
        assert!(Quantity::read("lots").is_err());
        assert_eq!(Quantity::Rate.setting(1234.5), "1234.5/s");
        assert_eq!(Quantity::Size.setting(1048576.0), "1048576B");
        assert_eq!(Quantity::Rate.show(259.9609375), "260/s");
        assert_eq!(Quantity::Rate.show(1234.6), "1235/s");
        assert_eq!(Quantity::Rate.show(0.5), "0.5/s");
    }

    #[test]
    fn searches_and_slos_parse() {
        let search = Search::parse("workloads[0].arrival.rate=10k/s..80k/s").unwrap();
        assert_eq!(search.quantity, Quantity::Rate);
        assert_eq!((search.low, search.high), (10_000.0, 80_000.0));
        assert!(
            Search::parse("x=80..10")
                .unwrap_err()
                .contains("LOW must be below HIGH")
        );
        assert!(
            Search::parse("x=1MB..10k/s")
                .unwrap_err()
                .contains("same kind")
        );
        assert!(Search::parse("x=1..").is_err());
        assert_eq!(
            Slo::parse("batch.p999<1s").unwrap(),
            Slo::Latency {
                operation: Some("batch".into()),
                figure: LatencyFigure::P999,
                below_ms: 1000.0
            }
        );
        assert_eq!(Slo::parse("p99<200ms").unwrap().to_string(), "p99<200ms");
        assert_eq!(Slo::parse("no-blocking").unwrap(), Slo::NoBlocking);
        assert!(Slo::parse("p98<1s").is_err());
        assert!(
            Slo::parse("fetch.p99<1s")
                .unwrap_err()
                .contains("not an operation")
        );
        assert!(Slo::parse("p99<0ms").unwrap_err().contains("above 0"));
        assert_eq!(
            Precision::parse("2%", Quantity::Rate).unwrap(),
            Precision::Relative(0.02)
        );
        assert_eq!(
            Precision::parse("100/s", Quantity::Rate).unwrap(),
            Precision::Absolute(100.0)
        );
        assert!(Precision::parse("1MB", Quantity::Rate).is_err());
    }

    #[test]
    fn precision_stops_at_a_share_or_a_whole_step() {
        assert!(Precision::Relative(0.01).reached(1000.0, 1009.0, false));
        assert!(!Precision::Relative(0.01).reached(1000.0, 1011.0, false));
        assert!(Precision::Relative(0.0001).reached(7.0, 8.0, true));
        assert!(Precision::Absolute(5.0).reached(100.0, 95.0, false));
    }
}
