//! What a run writes: summary.json, the resolved scenario, latency histograms as `.hgrm`, and
//! run.json. Only this module and `cli` touch the filesystem.

pub mod files;
pub mod format;
pub mod hgrm;
pub mod result_folder;
pub mod summary;
pub mod timeseries;

pub use summary::Summary;
