//! The RegionServer model: everything HBase. Built on the `sim` kernel; reads a checked
//! `Scenario`; counts into `stats`. One folder per HBase subsystem, one module per HBase
//! concept inside it; `server` runs them together in simulated time.

pub mod block_cache;
pub mod client;
pub mod compaction;
pub mod config;
pub mod event;
pub mod faults;
pub mod flush_throughput;
pub mod flusher;
pub mod gc;
pub mod hdfs;
pub mod region;
pub mod rpc;
pub mod server;
pub mod stats;
pub mod store;
pub mod timeline;
pub mod wal;

pub use server::{RegionAtEnd, RegionServer, RunError, RunOutcome};
