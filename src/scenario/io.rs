//! `[io]`: the resource models that decide where time goes — the WAL sync latency distribution,
//! the HDFS write bandwidth that flushes, compactions and the WAL share, optionally a device of
//! the WAL's own, the read bandwidth compactions use, the network round trip of an RPC, the
//! handler CPU a call needs, a flush's CPU per cell and its files' rename and reader opens, and
//! how long a region takes to open (after a split, on recovery).

use super::document::{Node, Table};
use super::error::{ErrorKind, ScenarioError};
use super::units::format_bandwidth;
use super::writer::quote;
use crate::sim::SimDuration;

/// A latency distribution, as a scenario writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum LatencySpec {
    Constant {
        value: SimDuration,
    },
    Uniform {
        min: SimDuration,
        max: SimDuration,
    },
    Exponential {
        mean: SimDuration,
    },
    /// Log-normal given by its median and 99th percentile, the two numbers people know.
    Lognormal {
        median: SimDuration,
        p99: SimDuration,
    },
}

const LATENCY_KINDS: &[&str] = &["constant", "uniform", "exponential", "lognormal"];

impl LatencySpec {
    pub fn read(node: &Node<'_, '_>) -> Result<LatencySpec, ScenarioError> {
        let table = node.table()?;
        let kind = table
            .require("dist", "one of constant, uniform, exponential, lognormal")?
            .choice(LATENCY_KINDS)?;
        let duration =
            |key: &str, what: &str| table.require(key, what)?.duration_at_most(LATENCY_MAX);
        let spec = match kind {
            "constant" => LatencySpec::Constant {
                value: duration("value", "the latency")?,
            },
            "uniform" => {
                let min = duration("min", "the smallest latency")?;
                let max = duration("max", "the largest latency")?;
                if min > max {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("min ({min}) is above max ({max})"),
                    ));
                }
                LatencySpec::Uniform { min, max }
            }
            "exponential" => LatencySpec::Exponential {
                mean: duration("mean", "the mean latency")?,
            },
            "lognormal" => {
                let median = duration("median", "the median latency")?;
                let p99 = duration("p99", "the 99th percentile latency")?;
                if median.is_zero() || p99 <= median {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("a log-normal needs 0 < median < p99, found median {median} and p99 {p99}"),
                    ));
                }
                LatencySpec::Lognormal { median, p99 }
            }
            _ => unreachable!("choice() returned an unlisted kind"),
        };
        table.finish(&format!("a {kind} distribution"))?;
        Ok(spec)
    }

    /// A latency at least as long as 99% of draws: the constant, the uniform's max, five
    /// exponential means (ln 100 ≈ 4.6), the log-normal's p99.
    pub fn p99_or_more(&self) -> SimDuration {
        match *self {
            LatencySpec::Constant { value } => value,
            LatencySpec::Uniform { max, .. } => max,
            LatencySpec::Exponential { mean } => {
                SimDuration::from_nanos(mean.as_nanos().saturating_mul(5))
            }
            LatencySpec::Lognormal { p99, .. } => p99,
        }
    }

    /// The inline-table form that `read` accepts.
    pub fn to_toml(&self) -> String {
        match self {
            LatencySpec::Constant { value } => {
                format!("{{ dist = \"constant\", value = \"{value}\" }}")
            }
            LatencySpec::Uniform { min, max } => {
                format!("{{ dist = \"uniform\", min = \"{min}\", max = \"{max}\" }}")
            }
            LatencySpec::Exponential { mean } => {
                format!("{{ dist = \"exponential\", mean = \"{mean}\" }}")
            }
            LatencySpec::Lognormal { median, p99 } => {
                format!("{{ dist = \"lognormal\", median = \"{median}\", p99 = \"{p99}\" }}")
            }
        }
    }
}

/// The `[io]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct IoSpec {
    pub wal_sync_latency: LatencySpec,
    /// Bytes per second shared by flushes, compactions and (unless it has its own) the WAL.
    pub hdfs_write_bandwidth: u64,
    /// The WAL's own device (hbase.wal.storage.policy ONE_SSD/ALL_SSD), if it has one.
    pub wal_write_bandwidth: Option<u64>,
    /// Bytes per second shared by compaction reads and the blocks gets and scans miss in the
    /// block cache.
    pub hdfs_read_bandwidth: u64,
    /// A block read that missed the cache: HFileBlock's positional read through HDFS (a
    /// short-circuit local read, or a DataNode's), before its bytes cross the read pipe.
    pub hdfs_read_latency: LatencySpec,
    /// A handler's CPU for each block a read seeks in (from the cache or just read): the
    /// index's binary search and the seek among the block's cells.
    pub block_seek_cpu: SimDuration,
    /// A handler's CPU for each row a read returns from each store (the memstore's and the
    /// files' scanners merged, the versions and deletes resolved, the cells copied).
    pub row_read_cpu: SimDuration,
    /// Client → RegionServer → client network time of one RPC (charged on the answer's way).
    pub network_rtt: LatencySpec,
    /// Handler CPU for one call (decoding, dispatch, the answer), holding the handler.
    pub handler_cpu_per_call: SimDuration,
    /// Handler CPU for each mutation in a call (cells, WALEdit, memstore insert).
    pub handler_cpu_per_mutation: SimDuration,
    /// From a region's assignment to its taking requests: opening its stores' files, replaying
    /// recovered edits aside (a split's daughters, a region after recovery).
    pub region_open_latency: LatencySpec,
    /// A flush's CPU for each cell of its snapshots (the StoreScanner over the snapshot, the
    /// HFile writer's encoding, checksums and bloom filter), alongside its bytes' transfer.
    pub flush_cpu_per_cell: SimDuration,
    /// A NameNode call: a flushed file's rename from .tmp into its store, a new WAL file's
    /// create at a roll.
    pub hdfs_rename_latency: SimDuration,
    /// Opening a store file's reader: the block locations, then the trailer and the
    /// load-on-open section (index, file info, bloom metadata). A flushed file is opened twice
    /// (validated, then opened in the store).
    pub store_file_open_latency: SimDuration,
}

/// Estimates for a 10 GbE LAN and a current JVM; a scenario states its own when it knows them.
const DEFAULT_NETWORK_RTT: SimDuration = SimDuration::from_micros(200);
const DEFAULT_CPU_PER_CALL: SimDuration = SimDuration::from_micros(30);
const DEFAULT_CPU_PER_MUTATION: SimDuration = SimDuration::from_micros(5);
/// A region open, from the master's assignment to serving: a second is typical of a small
/// region on a healthy cluster.
const DEFAULT_REGION_OPEN: SimDuration = SimDuration::from_secs(1);
/// No published per-cell figure exists; 1 µs makes a 128 MB flush of 1 KB cells (about 130 000
/// cells) spend 0.13 s of CPU, a fifth of writing its bytes at 200 MB/s, and stays under the
/// bytes' time down to cells of about 200 bytes. Measure yours with HBase's
/// HFilePerformanceEvaluation (its sequential write) and set it.
const DEFAULT_FLUSH_CPU_PER_CELL: SimDuration = SimDuration::from_micros(1);
/// A NameNode rename takes the namespace write lock and logs an edit synced to the
/// JournalNodes: about a millisecond on a healthy cluster (chosen, not a published figure; the
/// NameNode's RPC processing and queue times say what yours is).
const DEFAULT_HDFS_RENAME: SimDuration = SimDuration::from_millis(1);
/// A reader open asks the NameNode for block locations and reads the file's tail from a
/// DataNode (trailer, then the load-on-open section): two round trips and about a disk seek,
/// 5 ms (chosen, not a published figure).
const DEFAULT_STORE_FILE_OPEN: SimDuration = SimDuration::from_millis(5);
/// A 64 KB positional read: a millisecond at the median (local disks behind the page cache,
/// short-circuit) and 15 ms at the 99th percentile (a disk seek under load, a remote
/// DataNode). Chosen, not a published figure; HBase's own `FSReadLatency` metric says yours.
const DEFAULT_HDFS_READ_MEDIAN: SimDuration = SimDuration::from_millis(1);
const DEFAULT_HDFS_READ_P99: SimDuration = SimDuration::from_millis(15);
/// A seek in a cached 64 KB block: the root index's binary search, then the cells compared up
/// to the row, about 10 µs (chosen; HBase's get p50 on a fully cached table is 100–300 µs,
/// most of it RPC).
const DEFAULT_BLOCK_SEEK_CPU: SimDuration = SimDuration::from_micros(10);
/// Merging a row's cells from a store's scanners into the result: about 2 µs (chosen).
const DEFAULT_ROW_READ_CPU: SimDuration = SimDuration::from_micros(2);
/// The bounds of those settings: a per-cell cost over a millisecond, or a rename, a reader open
/// or a handler's CPU for one call or mutation over a minute, is a typo rather than a cluster;
/// and so is a latency (a sync, a round trip, a region open) over an hour.
const FLUSH_CPU_PER_CELL_MAX: SimDuration = SimDuration::from_millis(1);
const FILE_OPERATION_MAX: SimDuration = SimDuration::from_secs(60);
/// A NameNode call crosses the network: never quicker than this. A WAL roll pays one, so a
/// writer that breaks at every sync still lets the clock move between its rolls.
const NAMENODE_CALL_MIN: SimDuration = SimDuration::from_micros(10);
const HANDLER_CPU_MAX: SimDuration = SimDuration::from_secs(60);
const LATENCY_MAX: SimDuration = SimDuration::from_secs(3600);

impl IoSpec {
    pub fn read(table: &Table<'_, '_>) -> Result<IoSpec, ScenarioError> {
        let wal_sync_latency = match table.get("wal_sync_latency") {
            Some(node) => LatencySpec::read(&node)?,
            None => LatencySpec::Lognormal {
                median: SimDuration::from_millis(2),
                p99: SimDuration::from_millis(25),
            },
        };
        let bandwidth = |key: &str, default: u64| match table.get(key) {
            Some(node) => node.bandwidth(),
            None => Ok(default),
        };
        let network_rtt = match table.get("network_rtt") {
            Some(node) => LatencySpec::read(&node)?,
            None => LatencySpec::Constant {
                value: DEFAULT_NETWORK_RTT,
            },
        };
        let region_open_latency = match table.get("region_open_latency") {
            Some(node) => LatencySpec::read(&node)?,
            None => LatencySpec::Constant {
                value: DEFAULT_REGION_OPEN,
            },
        };
        let hdfs_read_latency = match table.get("hdfs_read_latency") {
            Some(node) => LatencySpec::read(&node)?,
            None => LatencySpec::Lognormal {
                median: DEFAULT_HDFS_READ_MEDIAN,
                p99: DEFAULT_HDFS_READ_P99,
            },
        };
        let bounded = |key: &str, default: SimDuration, max: SimDuration| match table.get(key) {
            Some(node) => node.duration_at_most(max),
            None => Ok(default),
        };
        let spec = IoSpec {
            wal_sync_latency,
            network_rtt,
            handler_cpu_per_call: bounded(
                "handler_cpu_per_call",
                DEFAULT_CPU_PER_CALL,
                HANDLER_CPU_MAX,
            )?,
            handler_cpu_per_mutation: bounded(
                "handler_cpu_per_mutation",
                DEFAULT_CPU_PER_MUTATION,
                HANDLER_CPU_MAX,
            )?,
            hdfs_write_bandwidth: bandwidth("hdfs_write_bandwidth", 200 << 20)?,
            wal_write_bandwidth: match table.get("wal_write_bandwidth") {
                Some(_) => Some(bandwidth("wal_write_bandwidth", 0)?),
                None => None,
            },
            hdfs_read_bandwidth: bandwidth("hdfs_read_bandwidth", 400 << 20)?,
            hdfs_read_latency,
            block_seek_cpu: bounded(
                "block_seek_cpu",
                DEFAULT_BLOCK_SEEK_CPU,
                FLUSH_CPU_PER_CELL_MAX,
            )?,
            row_read_cpu: bounded("row_read_cpu", DEFAULT_ROW_READ_CPU, FLUSH_CPU_PER_CELL_MAX)?,
            region_open_latency,
            flush_cpu_per_cell: bounded(
                "flush_cpu_per_cell",
                DEFAULT_FLUSH_CPU_PER_CELL,
                FLUSH_CPU_PER_CELL_MAX,
            )?,
            hdfs_rename_latency: match table.get("hdfs_rename_latency") {
                Some(node) => {
                    let value = node.duration_at_most(FILE_OPERATION_MAX)?;
                    if value < NAMENODE_CALL_MIN {
                        return Err(node.error(
                            ErrorKind::Impossible,
                            format!(
                                "hdfs_rename_latency is a NameNode call: at least {NAMENODE_CALL_MIN}, found {value}"
                            ),
                        ));
                    }
                    value
                }
                None => DEFAULT_HDFS_RENAME,
            },
            store_file_open_latency: bounded(
                "store_file_open_latency",
                DEFAULT_STORE_FILE_OPEN,
                FILE_OPERATION_MAX,
            )?,
        };
        table.finish("[io]")?;
        Ok(spec)
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[io]\n");
        out.push_str(&format!(
            "wal_sync_latency = {}\n",
            self.wal_sync_latency.to_toml()
        ));
        out.push_str(&format!(
            "hdfs_write_bandwidth = {}\n",
            quote(&format_bandwidth(self.hdfs_write_bandwidth))
        ));
        if let Some(wal) = self.wal_write_bandwidth {
            out.push_str(&format!(
                "wal_write_bandwidth = {}\n",
                quote(&format_bandwidth(wal))
            ));
        }
        out.push_str(&format!(
            "hdfs_read_bandwidth = {}\n",
            quote(&format_bandwidth(self.hdfs_read_bandwidth))
        ));
        out.push_str(&format!(
            "hdfs_read_latency = {}\n",
            self.hdfs_read_latency.to_toml()
        ));
        out.push_str(&format!("network_rtt = {}\n", self.network_rtt.to_toml()));
        out.push_str(&format!(
            "handler_cpu_per_call = {}\n",
            quote(&self.handler_cpu_per_call.to_string())
        ));
        out.push_str(&format!(
            "handler_cpu_per_mutation = {}\n",
            quote(&self.handler_cpu_per_mutation.to_string())
        ));
        out.push_str(&format!(
            "region_open_latency = {}\n",
            self.region_open_latency.to_toml()
        ));
        for (key, value) in [
            ("flush_cpu_per_cell", self.flush_cpu_per_cell),
            ("block_seek_cpu", self.block_seek_cpu),
            ("row_read_cpu", self.row_read_cpu),
            ("hdfs_rename_latency", self.hdfs_rename_latency),
            ("store_file_open_latency", self.store_file_open_latency),
        ] {
            out.push_str(&format!("{key} = {}\n", quote(&value.to_string())));
        }
        out.push('\n');
    }
}
