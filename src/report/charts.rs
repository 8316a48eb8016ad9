//! Charts of a result folder (and of a sweep), each drawn as SVG and as PNG with plotters.
//!
//! | file under `charts/` | what |
//! | --- | --- |
//! | `latency-<op>` | p50, p99 and max latency per interval (blocked periods shaded), and requests completed, failed and retried per second |
//! | `latency-percentiles` | HdrHistogram's percentile plot: latency against 1/(1−p) on a log axis, one line per operation |
//! | `memstore` | the global memstore against the lower and upper limits, and the largest regions against flush size and blocking size, with flushes ticked |
//! | `flusher` | the MemStoreFlusher's queue and handlers, and the RPC handlers, call queue and blocked writers |
//! | `store-files` | the most store files in a store against hbase.hstore.blockingStoreFiles, and the compaction queue |
//! | `wal` | WAL files against hbase.regionserver.maxlogs, and syncs in flight |
//!
//! Faults, crashes and aborts (any event kind naming one) are a red vertical line on every
//! time chart. Charts are a function of the folder's files (`ResultFolder`), so any folder can
//! be redrawn; a column the run did not write (compactions and WAL files before they were
//! modelled) leaves its series out with a note saying so. Sweep charts (`sweep.rs`) are a
//! function of `sweep.csv`'s rows, a comparison's overlays (`compare.rs`) of its runs' folders.
//! Same files ⇒ same bytes, SVG and PNG alike.

pub mod capacity;
mod compare;
mod cpu_gc;
mod flusher;
mod latency;
mod memstore;
mod store_files;
mod style;
mod sweep;
mod timeline;
mod wal;

use std::io;
use std::path::{Path, PathBuf};

pub use compare::{OverlaidRun, compare_charts};
pub use style::WIDTH_PX;
pub use sweep::sweep_charts;

use super::files::write_atomic;
use super::result_reader::ResultFolder;

/// One chart, drawn twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The file name without extension: `memstore` is `memstore.svg` and `memstore.png`.
    pub name: String,
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Every chart of a run, in report order.
pub fn run_charts(folder: &ResultFolder) -> Vec<Chart> {
    let mut charts: Vec<Chart> = folder
        .latency
        .keys()
        .filter(|operation| latency::has_series(folder, operation))
        .map(|operation| latency::over_time(folder, operation))
        .collect();
    charts.push(latency::percentiles(folder));
    charts.push(memstore::chart(folder));
    charts.push(flusher::chart(folder));
    if cpu_gc::applies(folder) {
        charts.push(cpu_gc::chart(folder));
    }
    charts.push(store_files::chart(folder));
    charts.push(wal::chart(folder));
    charts
}

/// The files `write_charts` writes into a folder's `charts/`, relative to the folder.
pub fn chart_files(charts: &[Chart]) -> Vec<PathBuf> {
    charts
        .iter()
        .flat_map(|chart| {
            ["svg", "png"].map(|ext| Path::new("charts").join(format!("{}.{ext}", chart.name)))
        })
        .collect()
}

/// Writes `<name>.svg` and `<name>.png` of each chart into `dir`.
pub fn write_charts(dir: &Path, charts: &[Chart]) -> io::Result<()> {
    for chart in charts {
        write_atomic(
            &dir.join(format!("{}.svg", chart.name)),
            chart.svg.as_bytes(),
        )?;
        write_atomic(&dir.join(format!("{}.png", chart.name)), &chart.png)?;
    }
    Ok(())
}
