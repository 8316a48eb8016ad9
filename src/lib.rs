//! regionsim: a deterministic discrete-event simulator of an Apache HBase RegionServer's write,
//! flush, WAL and compaction behaviour. See ARCHITECTURE.md for the map of this crate.

pub mod sim;
