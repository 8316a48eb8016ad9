//! `[warm]`: a warm start. Without it a run starts cold — every memstore empty, no store file,
//! one empty WAL file — so with uniform writes every region reaches its flush size at about the
//! same moment, they flush in a burst, and the store files and compactions take many simulated
//! minutes to settle. A warm start begins in steady state instead: each region's memstore holds
//! a seeded fraction of its flush size (in the WAL too), and each store holds a number of files.
//!
//! This module reads and writes the section and bounds its work; the model builds the state
//! (`model::server::warm_start`).

use super::bounds::HEAP_MAX;
use super::document::Table;
use super::error::{ErrorKind, ScenarioError};
use super::table::TableSpec;
use super::units::format_size;
use super::workload::{SizeSpec, WorkloadSpec};
use super::writer::{float, quote};

/// The most store files one store starts with: far past hbase.hstore.blockingStoreFiles (16
/// in 2.5), where flushes are already held back.
pub const FILES_MAX: u64 = 100;

/// The most store files all stores start with together (each file's summary takes about 8 KB
/// of the model's memory).
pub const STARTING_FILES_MAX: u64 = 100_000;

/// The largest starting file: 1 TB, far past any region's split size.
pub const FILE_BYTES_MAX: u64 = HEAP_MAX;

/// The most rows the starting files' summaries hold in all: each is hashed into its file's
/// row sketch at the start, about a second's work per hundred million.
pub const SKETCHED_ROWS_MAX: u64 = 1 << 30;

/// KeyValue's framing around a cell's row, family, qualifier and value (its smallest size).
const KEY_VALUE_FRAMING_BYTES: u64 = 20;

/// The starting state of a warm run.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmSpec {
    /// Each region's memstore starts at a uniform fraction in [0, `memstore`) of its flush
    /// size (0 to 1).
    pub memstore: f64,
    /// Store files in each store at the start.
    pub files: u64,
    /// Each starting file's size in bytes: min = max for one size, else uniform over [min, max].
    pub file_bytes: (u64, u64),
}

impl WarmSpec {
    /// Reads `[warm]`, `None` when the scenario has no such section (a cold start).
    /// `present` says whether the file or a `--set` names it.
    pub fn read(table: &Table<'_, '_>, present: bool) -> Result<Option<WarmSpec>, ScenarioError> {
        if !present {
            return Ok(None);
        }
        let memstore = match table.get("memstore") {
            Some(node) => {
                let fraction = node.f64()?;
                if !(0.0..=1.0).contains(&fraction) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!(
                            "memstore is a fraction of the flush size from 0 to 1, found {fraction}"
                        ),
                    ));
                }
                fraction
            }
            None => 1.0,
        };
        let files = match table.get("files") {
            Some(node) => {
                let files = node.u64()?;
                if files > FILES_MAX {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("files is 0 to {FILES_MAX} store files per store, found {files}"),
                    ));
                }
                files
            }
            None => 0,
        };
        let file_bytes = match table.get("file_size") {
            Some(node) => {
                let one = |node: &super::document::Node<'_, '_>| {
                    let bytes = node.size_at_most(FILE_BYTES_MAX)?;
                    if bytes == 0 {
                        return Err(
                            node.error(ErrorKind::Impossible, "a store file has at least one byte")
                        );
                    }
                    Ok(bytes)
                };
                if matches!(node.raw(), toml::de::DeValue::Table(_)) {
                    let range = node.table()?;
                    let min = one(&range.require("min", "the smallest file, such as \"32MB\"")?)?;
                    let max = one(&range.require("max", "the largest file, such as \"128MB\"")?)?;
                    range.finish("[warm] file_size")?;
                    if min > max {
                        return Err(node.error(
                            ErrorKind::Impossible,
                            format!(
                                "min ({}) is above max ({})",
                                format_size(min),
                                format_size(max)
                            ),
                        ));
                    }
                    (min, max)
                } else {
                    let bytes = one(&node)?;
                    (bytes, bytes)
                }
            }
            None if files > 0 => {
                return Err(ScenarioError::new(
                    ErrorKind::MissingKey,
                    format!(
                        "missing key \"file_size\": {files} starting files per store need a size, such as \"64MB\" or {{ min = \"32MB\", max = \"128MB\" }}"
                    ),
                )
                .at(table.origin())
                .key(table.path().to_string()));
            }
            None => (0, 0),
        };
        table.finish("[warm]")?;
        Ok(Some(WarmSpec {
            memstore,
            files,
            file_bytes,
        }))
    }

    /// The starting files fit the bounds: at most `STARTING_FILES_MAX` in all, and at most
    /// `SKETCHED_ROWS_MAX` rows in their summaries. A file's rows are counted from above: its
    /// size over the smallest cells the table's first workload writes (KeyValue's framing and
    /// the smallest value, a cell per column), and at most its region's share of the keys. A
    /// table no workload writes gets files whose cells are not known, and no rows.
    pub fn check_work(
        &self,
        tables: &[TableSpec],
        workloads: &[WorkloadSpec],
        table: &Table<'_, '_>,
    ) -> Result<(), ScenarioError> {
        let error = |message: String| {
            let node = table.get("files").or_else(|| table.get("file_size"));
            match node {
                Some(node) => node.error(ErrorKind::Impossible, message),
                None => ScenarioError::new(ErrorKind::Impossible, message)
                    .at(table.origin())
                    .key("warm".to_string()),
            }
        };
        let stores: u64 = tables
            .iter()
            .map(|table| u64::from(table.regions) * table.families.len() as u64)
            .sum();
        let starting_files = stores.saturating_mul(self.files);
        if starting_files > STARTING_FILES_MAX {
            return Err(error(format!(
                "{stores} stores × {} files is {starting_files} starting files; a warm start places at most {STARTING_FILES_MAX}",
                self.files
            )));
        }
        let mut rows: u64 = 0;
        for spec in tables {
            let Some(workload) = workloads.iter().find(|w| w.table == spec.name) else {
                continue;
            };
            let row_bytes = smallest_row_bytes(workload);
            let region_rows = workload.keys.count.div_ceil(u64::from(spec.regions));
            let file_rows = (self.file_bytes.1 / row_bytes).min(region_rows);
            let stores = u64::from(spec.regions) * spec.families.len() as u64;
            rows = rows.saturating_add(stores.saturating_mul(self.files).saturating_mul(file_rows));
        }
        if rows > SKETCHED_ROWS_MAX {
            return Err(error(format!(
                "the starting files would hold up to {rows} rows ({} files of up to {} per store, each at most its region's share of the keys); a warm start summarises at most {SKETCHED_ROWS_MAX} rows: use fewer or smaller files",
                self.files,
                format_size(self.file_bytes.1)
            )));
        }
        Ok(())
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[warm]\n");
        out.push_str(&format!("memstore = {}\n", float(self.memstore)));
        out.push_str(&format!("files = {}\n", self.files));
        let (min, max) = self.file_bytes;
        if min == max && min > 0 {
            out.push_str(&format!("file_size = {}\n", quote(&format_size(min))));
        } else if min < max {
            out.push_str(&format!(
                "file_size = {{ min = {}, max = {} }}\n",
                quote(&format_size(min)),
                quote(&format_size(max))
            ));
        }
        out.push('\n');
    }
}

/// The fewest bytes a row of `workload` takes in a file: KeyValue's framing and the smallest
/// value, a cell per column (rows counted from above by a size over it).
fn smallest_row_bytes(workload: &WorkloadSpec) -> u64 {
    let value_min = match workload.value_size {
        SizeSpec::Constant { bytes } => bytes,
        SizeSpec::Uniform { min, .. } => min,
    };
    u64::from(workload.columns) * (KEY_VALUE_FRAMING_BYTES + value_min)
}

/// Store files a preloaded store starts with at most: fewer than a compaction selects
/// (hbase.hstore.compactionThreshold's default, 3), as a table looks once its compactions
/// have caught up.
pub const PRELOAD_FILES_MAX: u64 = 2;

/// The tables' preloads fit the bounds the warm start's files have: at most `STARTING_FILES_MAX`
/// files and `SKETCHED_ROWS_MAX` rows summarised, with `[warm]`'s own files beside them; and a
/// preloaded table is named by a workload, whose columns and value sizes say what its rows hold.
pub fn check_preloads(
    tables: &[TableSpec],
    workloads: &[WorkloadSpec],
    warm: Option<&WarmSpec>,
    nodes: &[super::document::Node<'_, '_>],
) -> Result<(), ScenarioError> {
    let mut files: u64 = 0;
    let mut rows: u64 = 0;
    for (spec, node) in tables.iter().zip(nodes) {
        let stores = u64::from(spec.regions) * spec.families.len() as u64;
        let Some(preload) = spec.preload else {
            files += stores * warm.map_or(0, |warm| warm.files);
            continue;
        };
        let error = |message: String| match node.table().ok().and_then(|t| t.get("preload")) {
            Some(preload) => preload.error(ErrorKind::Impossible, message),
            None => node.error(ErrorKind::Impossible, message),
        };
        let Some(workload) = workloads.iter().find(|w| w.table == spec.name) else {
            return Err(error(format!(
                "table \"{}\" is preloaded but no workload names it: the first workload on a table says what its rows hold (columns, value sizes, keys)",
                spec.name
            )));
        };
        let row_bytes = smallest_row_bytes(workload);
        files = files.saturating_add(stores.saturating_mul(PRELOAD_FILES_MAX));
        rows = rows.saturating_add((preload / row_bytes).min(workload.keys.count));
        if files > STARTING_FILES_MAX || rows > SKETCHED_ROWS_MAX {
            return Err(error(format!(
                "the tables up to \"{}\" start with up to {files} store files holding up to {rows} rows; a run starts with at most {STARTING_FILES_MAX} files and {SKETCHED_ROWS_MAX} rows summarised: preload less, or fewer regions",
                spec.name
            )));
        }
    }
    Ok(())
}
