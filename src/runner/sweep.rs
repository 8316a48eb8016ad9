//! Sweeps: a scenario run over a grid of settings × a range of seeds, in parallel across runs.
//!
//! The plan is the cartesian product of the `--vary` lists (the last one varying fastest), each
//! point run with every seed (fastest of all); run `i` of the plan is the same run however the
//! sweep is executed. Runs go to a rayon pool of `--jobs` threads, each run single-threaded, and
//! results are gathered in plan order, so `sweep.csv` is the same bytes for any job count.
//! `--shard I/N` runs the plan's runs whose index is I−1 modulo N; `merge` joins shard folders
//! back into exactly what one machine would have written (`write_sweep_folder` writes both,
//! comparison charts included, and writes the folder whole).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::simulate;
use crate::report::Summary;
use crate::report::charts::{sweep_charts, write_charts};
use crate::report::files::write_atomic;
use crate::report::format::{count, latency};
use crate::report::staged_folder::{FolderError, FolderKind, StagedFolder};
use crate::scenario::document::Assignment;
use crate::scenario::error::ScenarioError;
use crate::scenario::{LoadOptions, Scenario, load_file};

/// One varied setting and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

impl Vary {
    /// Parses `PATH=V1,V2,…`.
    pub fn parse(text: &str) -> Result<Vary, String> {
        let (path, values) = text
            .split_once('=')
            .ok_or_else(|| format!("--vary expects PATH=V1,V2,…, found \"{text}\""))?;
        let values: Vec<String> = values
            .split(',')
            .map(|value| value.trim().to_string())
            .collect();
        if path.trim().is_empty() || values.iter().any(String::is_empty) {
            return Err(format!(
                "--vary expects PATH=V1,V2,… with no empty value, found \"{text}\""
            ));
        }
        Ok(Vary {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Parses seeds: `7`, `1..10` (both ends included) or `1,5,9`.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let number = |part: &str| {
        part.trim()
            .parse::<u64>()
            .map_err(|_| format!("seeds are whole numbers: 7, 1..10 or 1,5,9; found \"{text}\""))
    };
    if let Some((first, last)) = text.split_once("..") {
        let (first, last) = (number(first)?, number(last.trim_start_matches('='))?);
        if last < first {
            return Err(format!("the seed range {text} is empty"));
        }
        if last - first >= SWEEP_RUNS_MAX {
            return Err(format!(
                "the seed range {text} has more than {SWEEP_RUNS_MAX} seeds"
            ));
        }
        return Ok((first..=last).collect());
    }
    text.split(',').map(number).collect()
}

/// Most runs in one sweep.
pub const SWEEP_RUNS_MAX: u64 = 10_000_000;

/// What a sweep is: enough to plan it again, and to check that shards belong together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepManifest {
    pub format: String,
    pub scenario: String,
    /// `--set` assignments applied to every run, in order.
    pub sets: Vec<String>,
    pub site: Option<String>,
    pub vary: Vec<Vary>,
    pub seeds: Vec<u64>,
    /// `[I, N]` for a shard; absent for a whole sweep.
    pub shard: Option<[u64; 2]>,
}

/// The manifest's format tag.
pub const SWEEP_FORMAT: &str = "regionsim.sweep.v1";

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRun {
    pub index: u64,
    /// The value of each varied setting, in `vary` order.
    pub values: Vec<String>,
    pub seed: u64,
}

impl SweepManifest {
    /// How many runs the whole sweep has (every grid point × every seed), or why it has too
    /// many: at most `SWEEP_RUNS_MAX`, checked before any plan is built.
    pub fn run_count(&self) -> Result<u64, String> {
        let mut count = self.seeds.len() as u64;
        for vary in &self.vary {
            count = count.saturating_mul(vary.values.len() as u64);
        }
        if count > SWEEP_RUNS_MAX {
            let values: Vec<String> = self
                .vary
                .iter()
                .map(|vary| vary.values.len().to_string())
                .collect();
            return Err(format!(
                "the sweep has {} values × {} seeds = {count} runs, more than {SWEEP_RUNS_MAX}",
                values.join(" × "),
                self.seeds.len()
            ));
        }
        Ok(count)
    }

    /// Every run of the sweep, in plan order; `run_count` says first how many there will be.
    pub fn plan(&self) -> Vec<PlannedRun> {
        let mut points: Vec<Vec<String>> = vec![Vec::new()];
        for vary in &self.vary {
            points = points
                .into_iter()
                .flat_map(|point| {
                    vary.values.iter().map(move |value| {
                        let mut next = point.clone();
                        next.push(value.clone());
                        next
                    })
                })
                .collect();
        }
        let mut runs = Vec::new();
        for values in points {
            for &seed in &self.seeds {
                runs.push(PlannedRun {
                    index: runs.len() as u64,
                    values: values.clone(),
                    seed,
                });
            }
        }
        runs
    }

    /// The runs of this manifest's shard (all of them without one).
    pub fn runs(&self) -> Vec<PlannedRun> {
        let plan = self.plan();
        match self.shard {
            Some([shard, of]) => plan
                .into_iter()
                .filter(|run| run.index % of == shard - 1)
                .collect(),
            None => plan,
        }
    }

    /// The scenario of one run: the file with the sets, the run's values and its seed.
    pub fn load_run(&self, run: &PlannedRun) -> Result<Scenario, ScenarioError> {
        let mut assignments = self
            .sets
            .iter()
            .map(|set| Assignment::parse(set))
            .collect::<Result<Vec<_>, _>>()?;
        for (vary, value) in self.vary.iter().zip(&run.values) {
            assignments.push(Assignment {
                path: vary.path.clone(),
                value: value.clone(),
            });
        }
        load_file(
            Path::new(&self.scenario),
            &LoadOptions {
                seed: Some(run.seed),
                site: self.site.as_ref().map(PathBuf::from),
                assignments,
            },
        )
    }
}

/// Why a sweep could not be done.
#[derive(Debug, Error)]
pub enum SweepError {
    #[error("run {index} ({values}, seed {seed}): {source}")]
    Scenario {
        index: u64,
        values: String,
        seed: u64,
        source: Box<ScenarioError>,
    },
    #[error("run {index} ({values}, seed {seed}): {message}")]
    Run {
        index: u64,
        values: String,
        seed: u64,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{0}")]
    Merge(String),
    #[error("{0}")]
    Folder(#[from] FolderError),
}

/// The columns of `sweep.csv` after the varied settings and the seed: the headline
/// operation's figures, then the run's, then (added last, so earlier columns keep their
/// places) the headline operation's rows per second and requests still open at the end, and
/// the saturation verdict with its bottleneck (empty when the run kept up).
pub const METRIC_COLUMNS: [&str; 23] = [
    "trace_hash",
    "operation",
    "requests",
    "failed",
    "throughput_per_s",
    "p50_ms",
    "p99_ms",
    "p999_ms",
    "max_ms",
    "global_pressure_seconds",
    "region_too_busy_seconds",
    "region_too_busy",
    "retries",
    "flushes",
    "flushed_bytes",
    "memstore_global_peak_bytes",
    "store_files",
    "write_amplification",
    "rows_per_s",
    "in_flight_at_end",
    "saturated",
    "bottleneck",
    "bottleneck_share",
];

/// One row of `sweep.csv`, as text (merging copies rows unchanged).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub index: u64,
    pub values: Vec<String>,
    pub seed: u64,
    /// `METRIC_COLUMNS` in order, formatted.
    pub metrics: Vec<String>,
}

impl SweepRow {
    fn of(run: &PlannedRun, summary: &Summary) -> SweepRow {
        // The headline operation: the kind the run sent most of.
        let (operation, stats) = summary
            .operations
            .iter()
            .max_by_key(|(name, stats)| (stats.attempted, std::cmp::Reverse((*name).clone())))
            .map(|(name, stats)| (name.clone(), Some(stats)))
            .unwrap_or_else(|| ("none".to_string(), None));
        let latency_ms = |pick: fn(&crate::report::summary::LatencySummary) -> f64| {
            stats.map_or(0.0, |stats| pick(&stats.latency_ms))
        };
        let metrics = vec![
            summary.trace_hash.clone(),
            operation,
            stats.map_or(0, |stats| stats.attempted).to_string(),
            stats.map_or(0, |stats| stats.failed).to_string(),
            stats
                .map_or(0.0, |stats| stats.throughput_per_sec)
                .to_string(),
            latency_ms(|l| l.p50).to_string(),
            latency_ms(|l| l.p99).to_string(),
            latency_ms(|l| l.p999).to_string(),
            latency_ms(|l| l.max).to_string(),
            summary.blocked.global_pressure_seconds.to_string(),
            summary.blocked.region_too_busy_seconds.to_string(),
            summary.region_too_busy.to_string(),
            summary.client.retries.to_string(),
            summary.flushes.count.to_string(),
            summary.flushes.bytes.to_string(),
            summary.memstore.global_peak_bytes.to_string(),
            summary.store_files.count.to_string(),
            summary.write_amplification.to_string(),
            stats
                .map_or(0.0, |stats| {
                    stats.rows_succeeded as f64 / summary.simulated_seconds.max(f64::MIN_POSITIVE)
                })
                .to_string(),
            stats.map_or(0, |stats| stats.in_flight_at_end).to_string(),
            summary.saturation.saturated.to_string(),
            summary
                .bottleneck
                .as_ref()
                .map_or(String::new(), |found| found.resource.to_string()),
            summary
                .bottleneck
                .as_ref()
                .map_or(String::new(), |found| found.share.to_string()),
        ];
        SweepRow {
            index: run.index,
            values: run.values.clone(),
            seed: run.seed,
            metrics,
        }
    }

    /// A metric as a number (0 if it is not one).
    pub fn number(&self, column: &str) -> f64 {
        self.text(column).parse().unwrap_or(0.0)
    }

    /// A metric as written ("" for a column it does not have).
    pub fn text(&self, column: &str) -> &str {
        METRIC_COLUMNS
            .iter()
            .position(|name| *name == column)
            .and_then(|position| self.metrics.get(position))
            .map_or("", String::as_str)
    }
}

/// Runs the manifest's runs on `jobs` threads, in plan order; `run_done` is told as each ends.
pub fn run_sweep(
    manifest: &SweepManifest,
    jobs: usize,
    run_done: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, SweepError> {
    let runs = manifest.runs();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|error| SweepError::Merge(format!("cannot start {jobs} threads: {error}")))?;
    pool.install(|| {
        runs.par_iter()
            .map(|run| {
                let describe = || run.values.join(", ");
                let scenario = manifest
                    .load_run(run)
                    .map_err(|source| SweepError::Scenario {
                        index: run.index,
                        values: describe(),
                        seed: run.seed,
                        source: Box::new(source),
                    })?;
                let outcome = simulate(&scenario).map_err(|error| SweepError::Run {
                    index: run.index,
                    values: describe(),
                    seed: run.seed,
                    message: error.to_string(),
                })?;
                let row = SweepRow::of(run, &Summary::new(&scenario, &outcome));
                run_done();
                Ok(row)
            })
            .collect()
    })
}

/// The header of `sweep.csv`.
fn csv_header(manifest: &SweepManifest) -> String {
    let mut columns: Vec<String> = vec!["run".to_string()];
    columns.extend(manifest.vary.iter().map(|vary| vary.path.clone()));
    columns.push("seed".to_string());
    columns.extend(METRIC_COLUMNS.iter().map(|column| column.to_string()));
    columns.join(",")
}

/// `sweep.csv`: a header and one row per run, in plan order.
pub fn sweep_csv(manifest: &SweepManifest, rows: &[SweepRow]) -> String {
    let mut out = csv_header(manifest);
    out.push('\n');
    for row in rows {
        let _ = write!(out, "{}", row.index);
        for value in &row.values {
            let _ = write!(out, ",{value}");
        }
        let _ = write!(out, ",{}", row.seed);
        for metric in &row.metrics {
            let _ = write!(out, ",{metric}");
        }
        out.push('\n');
    }
    out
}

/// The per-point table: across seeds, the medians of the headline operation's requests and
/// rows per second, failed requests and requests open at the end; the median and range of
/// p99, flushes and write amplification; the median time blocked; and the bottleneck.
pub fn point_table(manifest: &SweepManifest, rows: &[SweepRow]) -> Vec<Vec<String>> {
    let mut points: BTreeMap<u64, (Vec<String>, Vec<&SweepRow>)> = BTreeMap::new();
    let seeds = manifest.seeds.len().max(1) as u64;
    for row in rows {
        points
            .entry(row.index / seeds)
            .or_insert_with(|| (row.values.clone(), Vec::new()))
            .1
            .push(row);
    }
    let mut header: Vec<String> = manifest.vary.iter().map(|vary| vary.path.clone()).collect();
    header.extend(
        [
            "seeds",
            "requests/s",
            "rows/s",
            "failed",
            "in flight",
            "p99 (median, range)",
            "blocked s",
            "flushes",
            "write amplification",
            "bottleneck",
        ]
        .map(String::from),
    );
    let mut table = vec![header];
    for (values, rows) in points.values() {
        let sorted = |value: &dyn Fn(&SweepRow) -> f64| {
            let mut numbers: Vec<f64> = rows.iter().map(|row| value(row)).collect();
            numbers.sort_by(f64::total_cmp);
            numbers
        };
        let median = |column: &str| {
            let numbers = sorted(&|row| row.number(column));
            numbers[numbers.len() / 2]
        };
        let with_range = |column: &str, write: &dyn Fn(f64) -> String| {
            let numbers = sorted(&|row| row.number(column));
            let median = numbers[numbers.len() / 2];
            let (low, high) = (numbers[0], numbers[numbers.len() - 1]);
            if numbers.len() == 1 {
                write(median)
            } else {
                format!("{} ({}–{})", write(median), write(low), write(high))
            }
        };
        let whole = |value: f64| count(value.round() as u64);
        let decimals = |decimals: usize| move |value: f64| format!("{value:.decimals$}");
        let blocked = sorted(&|row| {
            row.number("global_pressure_seconds") + row.number("region_too_busy_seconds")
        });
        let mut line = values.clone();
        line.push(rows.len().to_string());
        line.push(whole(median("throughput_per_s")));
        line.push(whole(median("rows_per_s")));
        line.push(whole(median("failed")));
        line.push(whole(median("in_flight_at_end")));
        line.push(with_range("p99_ms", &latency));
        line.push(format!("{:.1}", blocked[blocked.len() / 2]));
        line.push(with_range("flushes", &decimals(0)));
        line.push(with_range("write_amplification", &decimals(2)));
        line.push(bottlenecks(rows));
        table.push(line);
    }
    table
}

/// A grid point's bottleneck: the resource its runs named ("—" for a run with none, as one
/// that kept up), or when its seeds differ, each with how many named it, most first.
fn bottlenecks(rows: &[&SweepRow]) -> String {
    let mut seeds_by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        let name = match row.text("bottleneck") {
            "" => "—",
            name => name,
        };
        *seeds_by_name.entry(name).or_default() += 1;
    }
    if seeds_by_name.len() == 1 {
        return seeds_by_name.into_keys().collect();
    }
    let mut by_seeds: Vec<(&str, usize)> = seeds_by_name.into_iter().collect();
    by_seeds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<String> = by_seeds
        .iter()
        .map(|(name, seeds)| format!("{name} ×{seeds}"))
        .collect();
    named.join(", ")
}

/// Writes `sweep.json`, `sweep.csv`, `sweep.txt` (the point table) and, for a whole sweep (not
/// a shard, whose charts would show a slice), the comparison charts under `charts/`; the folder
/// appears whole, replacing an earlier sweep's.
pub fn write_sweep_folder(
    folder: &Path,
    manifest: &SweepManifest,
    rows: &[SweepRow],
    table_text: &str,
) -> Result<(), SweepError> {
    let staged = StagedFolder::create(folder, FolderKind::Sweep)?;
    let write = |name: &str, text: &str| {
        write_atomic(&staged.path().join(name), text.as_bytes()).map_err(|source| {
            SweepError::Write {
                path: folder.join(name),
                source,
            }
        })
    };
    let mut manifest_text = serde_json::to_string_pretty(manifest).expect("a manifest serializes");
    manifest_text.push('\n');
    write("sweep.json", &manifest_text)?;
    write("sweep.csv", &sweep_csv(manifest, rows))?;
    write("sweep.txt", table_text)?;
    if manifest.shard.is_none() {
        write_charts(&staged.path().join("charts"), &sweep_charts(manifest, rows)).map_err(
            |source| SweepError::Write {
                path: folder.join("charts"),
                source,
            },
        )?;
    }
    staged.commit()?;
    Ok(())
}

/// Reads a sweep (or shard) folder back: its manifest and rows.
pub fn read_sweep_folder(folder: &Path) -> Result<(SweepManifest, Vec<SweepRow>), SweepError> {
    let read = |name: &str| {
        fs::read_to_string(folder.join(name)).map_err(|error| SweepError::Read {
            path: folder.join(name),
            message: error.to_string().to_lowercase(),
        })
    };
    let manifest: SweepManifest =
        serde_json::from_str(&read("sweep.json")?).map_err(|error| SweepError::Read {
            path: folder.join("sweep.json"),
            message: error.to_string(),
        })?;
    if manifest.format != SWEEP_FORMAT {
        return Err(SweepError::Read {
            path: folder.join("sweep.json"),
            message: format!("format \"{}\" is not {SWEEP_FORMAT}", manifest.format),
        });
    }
    manifest.run_count().map_err(|message| SweepError::Read {
        path: folder.join("sweep.json"),
        message,
    })?;
    let text = read("sweep.csv")?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if header != csv_header(&manifest) {
        return Err(SweepError::Read {
            path: folder.join("sweep.csv"),
            message: "its header does not match sweep.json".to_string(),
        });
    }
    let width = 2 + manifest.vary.len() + METRIC_COLUMNS.len();
    let mut rows = Vec::new();
    for (number, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let bad = || SweepError::Read {
            path: folder.join("sweep.csv"),
            message: format!("line {} is not a sweep row", number + 2),
        };
        if fields.len() != width {
            return Err(bad());
        }
        let vary_count = manifest.vary.len();
        rows.push(SweepRow {
            index: fields[0].parse().map_err(|_| bad())?,
            values: fields[1..=vary_count]
                .iter()
                .map(|value| value.to_string())
                .collect(),
            seed: fields[vary_count + 1].parse().map_err(|_| bad())?,
            metrics: fields[vary_count + 2..]
                .iter()
                .map(|value| value.to_string())
                .collect(),
        });
    }
    Ok((manifest, rows))
}

/// Joins shard folders: the same sweep, disjoint shards that cover it all.
pub fn merge_shards(folders: &[PathBuf]) -> Result<(SweepManifest, Vec<SweepRow>), SweepError> {
    let mut whole: Option<SweepManifest> = None;
    let mut rows: BTreeMap<u64, SweepRow> = BTreeMap::new();
    for folder in folders {
        let (manifest, shard_rows) = read_sweep_folder(folder)?;
        let unsharded = SweepManifest {
            shard: None,
            ..manifest.clone()
        };
        match &whole {
            None => whole = Some(unsharded),
            Some(first) if *first != unsharded => {
                return Err(SweepError::Merge(format!(
                    "{} holds a different sweep from {}",
                    folder.display(),
                    folders[0].display()
                )));
            }
            Some(_) => {}
        }
        for row in shard_rows {
            if rows.insert(row.index, row).is_some() {
                return Err(SweepError::Merge(format!(
                    "{} repeats runs of another folder: give each shard once",
                    folder.display()
                )));
            }
        }
    }
    let manifest = whole.ok_or_else(|| SweepError::Merge("no folders to merge".to_string()))?;
    let planned = manifest.plan().len();
    if rows.len() != planned {
        let missing: Vec<String> = (0..planned as u64)
            .filter(|index| !rows.contains_key(index))
            .take(5)
            .map(|index| index.to_string())
            .collect();
        return Err(SweepError::Merge(format!(
            "the shards hold {} of the sweep's {planned} runs (missing runs {}…): merge every shard",
            rows.len(),
            missing.join(", ")
        )));
    }
    Ok((manifest, rows.into_values().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(shard: Option<[u64; 2]>) -> SweepManifest {
        SweepManifest {
            format: SWEEP_FORMAT.to_string(),
            scenario: "s.toml".to_string(),
            sets: vec![],
            site: None,
            vary: vec![
                Vary::parse("a=1,2").unwrap(),
                Vary::parse("b=x,y,z").unwrap(),
            ],
            seeds: vec![7, 8],
            shard,
        }
    }

    // The plan is the grid (last setting fastest) × seeds (fastest of all); shards split it.
    #[test]
    fn plan_and_shards() {
        let plan = manifest(None).plan();
        assert_eq!(plan.len(), 12);
        assert_eq!(plan[0].values, vec!["1", "x"]);
        assert_eq!(
            (plan[1].values.clone(), plan[1].seed),
            (vec!["1".to_string(), "x".to_string()], 8)
        );
        assert_eq!(plan[2].values, vec!["1", "y"]);
        assert_eq!(plan[11].values, vec!["2", "z"]);
        let mut covered: Vec<u64> = (1..=3)
            .flat_map(|shard| manifest(Some([shard, 3])).runs())
            .map(|run| run.index)
            .collect();
        covered.sort();
        assert_eq!(covered, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn seeds_and_varies_parse() {
        assert_eq!(parse_seeds("3..5"), Ok(vec![3, 4, 5]));
        assert_eq!(parse_seeds("7"), Ok(vec![7]));
        assert_eq!(parse_seeds("1,5,9"), Ok(vec![1, 5, 9]));
        assert!(parse_seeds("5..3").is_err());
        assert!(parse_seeds("x").is_err());
        assert!(Vary::parse("a").is_err());
        assert!(Vary::parse("a=1,,2").is_err());
    }
}
