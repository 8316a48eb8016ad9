//! Reading a result folder back: the files a run wrote, parsed for the charts and the report.
//!
//! Charts and `report.html` are a function of these files alone, never of a run's in-memory
//! state, so `regionsim report DIR` redraws any folder, old ones included. Columns of
//! `timeseries.csv` are read by name from its header: a column a later version adds is simply
//! there, and one an older folder lacks is absent (`ColumnTable::column` says `None`), never an
//! error. `summary.json` is kept as JSON for the same reason. What a report cannot do without
//! (`summary.json`, `scenario.resolved.toml`, `timeseries.csv`, `events.csv`) is an error naming
//! the file; `regions.csv`, `region-names.csv` and `latency/` are optional (a folder without
//! region names labels its regions by id).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::region_names::RegionNames;
use super::summary::SUMMARY_FORMAT;
use crate::scenario::error::ScenarioError;
use crate::scenario::{LoadOptions, Scenario, load_file};

/// Why a result folder could not be read.
#[derive(Debug, Error)]
pub enum ResultReadError {
    #[error(
        "{folder} is not a complete result folder: {file} is missing (write one with `regionsim run SCENARIO --out {folder}`)"
    )]
    Missing { folder: PathBuf, file: &'static str },
    #[error("cannot read {path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("{path}:{line}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Scenario(Box<ScenarioError>),
}

/// A CSV file of numbers, by column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnTable {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl ColumnTable {
    /// The column's values, if the file has it.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let index = self.names.iter().position(|column| column == name)?;
        Some(&self.columns[index])
    }

    /// Column names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One line of `events.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub time_s: f64,
    pub kind: String,
    pub region: Option<u64>,
    pub detail: String,
}

impl EventRow {
    /// Faults, crashes and aborts: drawn as a vertical line on every time chart.
    pub fn is_fault(&self) -> bool {
        ["fault", "crash", "abort"]
            .iter()
            .any(|word| self.kind.contains(word))
    }

    pub fn is_flush(&self) -> bool {
        self.kind == "flush"
    }

    /// Whether the marker is a garbage collection pausing the server.
    pub fn is_gc_pause(&self) -> bool {
        self.kind == "gc_pause"
    }
}

/// One row of an `.hgrm` percentile distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentileRow {
    pub value_ms: f64,
    /// 0 to 1.
    pub percentile: f64,
    pub total_count: u64,
}

/// Everything a report is drawn from.
#[derive(Debug, Clone)]
pub struct ResultFolder {
    pub path: PathBuf,
    pub scenario: Scenario,
    /// `scenario.resolved.toml` as written.
    pub scenario_text: String,
    pub summary: serde_json::Value,
    pub timeseries: ColumnTable,
    pub events: Vec<EventRow>,
    /// `regions.csv`, if the run wrote one.
    pub regions: Option<ColumnTable>,
    /// `region-names.csv` (empty for a folder written before it was).
    pub region_names: RegionNames,
    /// `latency/<op>.hgrm` by operation name.
    pub latency: BTreeMap<String, Vec<PercentileRow>>,
}

/// The files a report cannot be drawn without.
pub const REQUIRED_FILES: [&str; 4] = [
    "summary.json",
    "scenario.resolved.toml",
    "timeseries.csv",
    "events.csv",
];

impl ResultFolder {
    /// Reads the folder at `path`.
    pub fn read(path: &Path) -> Result<ResultFolder, ResultReadError> {
        for file in REQUIRED_FILES {
            if !path.join(file).is_file() {
                return Err(ResultReadError::Missing {
                    folder: path.to_path_buf(),
                    file,
                });
            }
        }
        let summary_path = path.join("summary.json");
        let summary: serde_json::Value =
            serde_json::from_str(&read_text(&summary_path)?).map_err(|error| {
                ResultReadError::Corrupt {
                    path: summary_path.clone(),
                    line: error.line(),
                    message: format!("not JSON: {error}"),
                }
            })?;
        if summary.get("format").and_then(serde_json::Value::as_str) != Some(SUMMARY_FORMAT) {
            return Err(ResultReadError::Corrupt {
                path: summary_path,
                line: 1,
                message: format!(
                    "not a regionsim summary (its \"format\" is not {SUMMARY_FORMAT})"
                ),
            });
        }
        let scenario_path = path.join("scenario.resolved.toml");
        let scenario_text = read_text(&scenario_path)?;
        let scenario = load_file(&scenario_path, &LoadOptions::default())
            .map_err(|error| ResultReadError::Scenario(Box::new(error)))?;
        let timeseries = read_numbers(&path.join("timeseries.csv"))?;
        let events = read_events(&path.join("events.csv"))?;
        let regions_path = path.join("regions.csv");
        let regions = if regions_path.is_file() {
            Some(read_numbers(&regions_path)?)
        } else {
            None
        };
        let names_path = path.join("region-names.csv");
        let region_names = if names_path.is_file() {
            RegionNames::parse(&read_text(&names_path)?).map_err(|(line, message)| {
                ResultReadError::Corrupt {
                    path: names_path.clone(),
                    line,
                    message,
                }
            })?
        } else {
            RegionNames::default()
        };
        let latency = read_latency(&path.join("latency"))?;
        Ok(ResultFolder {
            path: path.to_path_buf(),
            scenario,
            scenario_text,
            summary,
            timeseries,
            events,
            regions,
            region_names,
            latency,
        })
    }

    /// A number from summary.json by JSON pointer ("/flushes/count"), if present.
    pub fn summary_number(&self, pointer: &str) -> Option<f64> {
        self.summary.pointer(pointer)?.as_f64()
    }

    /// A string from summary.json by JSON pointer, if present.
    pub fn summary_text(&self, pointer: &str) -> Option<&str> {
        self.summary.pointer(pointer)?.as_str()
    }
}

fn read_text(path: &Path) -> Result<String, ResultReadError> {
    fs::read_to_string(path).map_err(|error| unreadable(path, &error))
}

fn unreadable(path: &Path, error: &io::Error) -> ResultReadError {
    ResultReadError::Unreadable {
        path: path.to_path_buf(),
        message: error.to_string().to_lowercase(),
    }
}

/// A CSV of numbers with a header line.
fn read_numbers(path: &Path) -> Result<ColumnTable, ResultReadError> {
    let text = read_text(path)?;
    let mut lines = text.lines();
    let corrupt = |line: usize, message: String| ResultReadError::Corrupt {
        path: path.to_path_buf(),
        line,
        message,
    };
    let header = lines
        .next()
        .filter(|header| !header.trim().is_empty())
        .ok_or_else(|| corrupt(1, "the file is empty: it should start with a header".into()))?;
    let names: Vec<String> = header.split(',').map(|name| name.to_string()).collect();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for (index, line) in lines.enumerate() {
        let line_number = index + 2;
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != names.len() {
            return Err(corrupt(
                line_number,
                format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    names.len()
                ),
            ));
        }
        for (column, field) in fields.iter().enumerate() {
            let value: f64 = field.parse().map_err(|_| {
                corrupt(
                    line_number,
                    format!("column {} holds \"{field}\", not a number", names[column]),
                )
            })?;
            columns[column].push(value);
        }
    }
    Ok(ColumnTable { names, columns })
}

/// `events.csv`: `time_s,kind,region,detail`; the detail is the rest of the line.
fn read_events(path: &Path) -> Result<Vec<EventRow>, ResultReadError> {
    let text = read_text(path)?;
    let corrupt = |line: usize, message: String| ResultReadError::Corrupt {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text.lines();
    if lines.next() != Some("time_s,kind,region,detail") {
        return Err(corrupt(
            1,
            "the header is not time_s,kind,region,detail".into(),
        ));
    }
    let mut events = Vec::new();
    for (index, line) in lines.enumerate() {
        let line_number = index + 2;
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let [time, kind, region, detail] = fields[..] else {
            return Err(corrupt(
                line_number,
                "expected time_s,kind,region,detail".into(),
            ));
        };
        let time_s: f64 = time
            .parse()
            .map_err(|_| corrupt(line_number, format!("time_s \"{time}\" is not a number")))?;
        let region = if region.is_empty() {
            None
        } else {
            Some(region.parse().map_err(|_| {
                corrupt(line_number, format!("region \"{region}\" is not a number"))
            })?)
        };
        events.push(EventRow {
            time_s,
            kind: kind.to_string(),
            region,
            detail: detail.to_string(),
        });
    }
    Ok(events)
}

/// Every `latency/<op>.hgrm`, by operation name (a run that sent nothing has none).
fn read_latency(dir: &Path) -> Result<BTreeMap<String, Vec<PercentileRow>>, ResultReadError> {
    let mut latency = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(latency);
    }
    let entries = fs::read_dir(dir).map_err(|error| unreadable(dir, &error))?;
    for entry in entries {
        let entry = entry.map_err(|error| unreadable(dir, &error))?;
        let path = entry.path();
        let Some(operation) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".hgrm"))
        else {
            continue;
        };
        latency.insert(operation.to_string(), read_hgrm(&path)?);
    }
    Ok(latency)
}

/// HdrHistogram's percentile-distribution text: a header, rows of
/// `value percentile total_count [1/(1-percentile)]`, then `#[…]` footer lines.
fn read_hgrm(path: &Path) -> Result<Vec<PercentileRow>, ResultReadError> {
    let text = read_text(path)?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if index == 0 || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('#') {
            break;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        let parsed = match fields[..] {
            [value, percentile, count, ..] => value
                .parse()
                .ok()
                .zip(percentile.parse().ok())
                .zip(count.parse().ok())
                .map(|((value_ms, percentile), total_count)| PercentileRow {
                    value_ms,
                    percentile,
                    total_count,
                }),
            _ => None,
        };
        rows.push(parsed.ok_or_else(|| ResultReadError::Corrupt {
            path: path.to_path_buf(),
            line: index + 1,
            message: "expected \"value percentile total_count 1/(1-percentile)\"".into(),
        })?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("regionsim-reader-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    // Columns are found by name whatever their order, and a missing one is None.
    #[test]
    fn columns_by_name() {
        let dir = scratch("columns");
        let path = dir.join("t.csv");
        fs::write(&path, "time_s,b,a\n1,10,100\n2,20,200\n").unwrap();
        let table = read_numbers(&path).unwrap();
        assert_eq!(table.column("a"), Some(&[100.0, 200.0][..]));
        assert_eq!(table.column("b"), Some(&[10.0, 20.0][..]));
        assert_eq!(table.column("wal_files"), None);
        assert_eq!(table.len(), 2);
        fs::write(&path, "time_s,a\n1,x\n").unwrap();
        let error = read_numbers(&path).unwrap_err().to_string();
        assert!(
            error.ends_with("t.csv:2: column a holds \"x\", not a number"),
            "{error}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    // An event's detail keeps its commas; an empty region is None; fault kinds are recognised.
    #[test]
    fn events_parse() {
        let dir = scratch("events");
        let path = dir.join("events.csv");
        fs::write(
            &path,
            "time_s,kind,region,detail\n1.5,flush,3,memstore_size\n2,fault,,wal_sync_failure, again\n3,server_abort,,x\n",
        )
        .unwrap();
        let events = read_events(&path).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].region, Some(3));
        assert!(events[0].is_flush() && !events[0].is_fault());
        assert_eq!(events[1].detail, "wal_sync_failure, again");
        assert!(events[1].is_fault() && events[2].is_fault());
        fs::remove_dir_all(&dir).unwrap();
    }

    // The rows of an .hgrm file, the last one (percentile 1) without its 1/(1-p) column.
    #[test]
    fn hgrm_rows() {
        let dir = scratch("hgrm");
        let path = dir.join("put.hgrm");
        fs::write(
            &path,
            "       Value     Percentile TotalCount 1/(1-Percentile)\n\n      25.182 0.000000000000          1           1.00\n      80.740 0.500000000000      59980           2.00\n     576.193 1.000000000000     119781\n#[Mean    =       87.721, StdDeviation   =       34.591]\n",
        )
        .unwrap();
        let rows = read_hgrm(&path).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].value_ms, 80.740);
        assert_eq!(rows[2].percentile, 1.0);
        assert_eq!(rows[2].total_count, 119781);
        fs::remove_dir_all(&dir).unwrap();
    }

    // A folder without summary.json names the missing file and how to make one.
    #[test]
    fn a_missing_file_is_named() {
        let dir = scratch("missing");
        let error = ResultFolder::read(&dir).unwrap_err().to_string();
        assert!(error.contains("summary.json is missing"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
