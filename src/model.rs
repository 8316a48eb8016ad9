//! The RegionServer model: everything HBase. Built on the `sim` kernel; reads a checked
//! `Scenario`; counts into `stats`. One module per HBase concept.

pub mod cell;
pub mod client;
pub mod compact_split;
pub mod compaction_policy;
pub mod config;
pub mod devices;
pub mod durability;
pub mod event;
pub mod faults;
pub mod flusher;
pub mod fs_wal;
pub mod io;
pub mod key_sketch;
pub mod keys;
pub mod layout;
pub mod memstore;
pub mod mvcc;
pub mod region;
pub mod request;
pub mod retry;
pub mod row_lock;
pub mod rpc;
pub mod server;
pub mod sim_fs;
pub mod split_policy;
pub mod stats;
pub mod store;
pub mod store_file;
pub mod throughput;
pub mod timeline;
pub mod value_index;
pub mod wal;
pub mod wal_cells;
pub mod wal_format;
pub mod wal_split;

pub use server::{RegionAtEnd, RegionServer, RunError, RunOutcome};
