//! Compactions: which files a compaction takes (the default store engine's selection
//! policies), CompactSplit's thread pools and queues, and the throughput controller that paces
//! their writes.

pub mod compact_split;
pub mod policy;
pub mod throughput;
