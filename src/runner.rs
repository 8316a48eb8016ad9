//! Running scenarios: one run to a result folder, and the throughput benchmark. (Sweeps and
//! seed exploration will live here too.) The simulation itself never touches the filesystem;
//! this layer does, after it.

pub mod bench;
pub mod capacity;
pub mod compare;
pub mod explore;
pub mod single;
pub mod sweep;
pub mod wal_files;

pub use single::{
    RunOptions, RunReport, RunnerError, run_scenario, run_scenario_with_progress, simulate,
};
