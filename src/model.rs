//! The RegionServer model: everything HBase. Built on the `sim` kernel; reads a checked
//! `Scenario`; counts into `stats`. One module per HBase concept.

pub mod cell;
pub mod client;
pub mod config;
pub mod event;
pub mod flusher;
pub mod io;
pub mod keys;
pub mod memstore;
pub mod region;
pub mod server;
pub mod stats;
pub mod store;
pub mod wal;

pub use server::{RegionServer, RunError, RunOutcome};
