//! regionsim: a deterministic discrete-event simulator of an Apache HBase RegionServer's write,
//! flush, WAL and compaction behaviour. See ARCHITECTURE.md for the map of this crate.

pub mod cli;
pub mod metrics;
pub mod model;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sim;
