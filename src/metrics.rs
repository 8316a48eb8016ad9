//! Recorders that the model feeds while it runs: latency histograms and levels over time. They
//! know nothing of HBase; `report` turns what they hold into summaries, `.hgrm` files and charts.

pub mod latency;
pub mod level;

pub use latency::LatencyHistogram;
pub use level::LevelOverTime;
