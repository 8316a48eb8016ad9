//! What a run writes: summary.json, the resolved scenario, latency histograms as `.hgrm`, the
//! time series, the regions' names, run.json, and — drawn from those files, so any folder can
//! be redrawn — the charts and report.html; runs side by side (`compare`); every folder written
//! whole (`staged_folder`). Only this module, `runner` and `cli` touch the filesystem.

pub mod charts;
pub mod compare;
pub mod files;
pub mod format;
pub mod hgrm;
pub mod html;
pub mod region_names;
pub mod result_folder;
pub mod result_reader;
pub mod saturation;
pub mod staged_folder;
pub mod summary;
pub mod timeseries;

pub use summary::Summary;
