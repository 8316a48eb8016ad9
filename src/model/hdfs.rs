//! What HBase writes to and reads from: the simulated filesystem the WAL files live in, the
//! storage pipes flushes, compactions and the WAL share, and the `[io]` latency draws.

pub mod content;
pub mod devices;
pub mod dfs_input;
pub mod latency;
pub mod sim_fs;
