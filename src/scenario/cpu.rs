//! `[cpu]` and `[server] cores`: whether the server's threads share its cores.
//!
//! With the model off (the default) a thread's CPU work is a fixed delay: a handler holds its
//! call for `[io] handler_cpu_per_call` plus `handler_cpu_per_mutation` per mutation, a flush
//! spends `flush_cpu_per_cell` per cell beside its bytes, and compactions cost no CPU but their
//! codec's work (below); however many threads run, none slows another. With `model = "on"`
//! the same work, and the compactions' merge per cell, is demanded of the server's `cores`,
//! shared by the threads that want them at once (processor sharing, each thread at most one
//! core): more runnable threads than cores slow them all. With the model on the WAL's one
//! consumer thread (AsyncFSWAL's consumer, FSHLog's RingBufferEventHandler with its
//! SyncRunners) demands CPU too: each sync's entries encoded (`wal_per_entry`,
//! `wal_per_byte`) and the sync's own handling (`wal_per_sync`), one sync after another, and a
//! sync ends only once its CPU is done as well as its latency and bytes. And a handler's call
//! costs `rpc_per_byte` for each byte of its request, decoded and answered. With garbage
//! collection modelled too, the collector's ConcGCThreads (sized from the cores as HotSpot
//! does) keep cores busy through each concurrent phase; a pause stops every core.
//!
//! The codecs' work (`compress`, `decompress` per codec, `encode`, `decode` per data block
//! encoding; see `codec`) is CPU in both modes: on, it is demanded of the cores with the
//! flush's or compaction's other CPU; off, it is a fixed delay like `flush_cpu_per_cell`.

use super::codec::{CodecCosts, FamilyCodec};
use super::document::Table;
use super::error::{ErrorKind, ScenarioError};
use crate::sim::SimDuration;

/// The most cores a server may be given.
pub const CORES_MAX: u64 = 1024;
/// The cores of a server when `[server] cores` is not given: a common RegionServer host (two
/// sockets of eight cores).
pub const CORES_DEFAULT: u32 = 16;
/// A compaction's CPU per input cell unless the scenario says otherwise: the flush's 1 µs per
/// cell for writing it (encoding, checksums, bloom), and as much again for reading it back
/// (block decoding) and merging it through the StoreScanner's heap of files. Chosen, not a
/// published figure: HBase's CompactionTool or a compaction's log line ("Completed compaction
/// … in N sec") on an unthrottled store tells yours.
pub const COMPACTION_PER_CELL_DEFAULT_NANOS: u64 = 2_000;
/// The WAL consumer's CPU per entry unless the scenario says otherwise: taking it off the ring
/// buffer, its WALKey's protobuf, the sequence-id accounting. Chosen, not published: a few
/// microseconds, as a profile of a busy consumer thread shows; set yours from one.
pub const WAL_PER_ENTRY_DEFAULT_NANOS: u64 = 2_000;
/// The WAL consumer's CPU per entry byte: copying the cells into the output buffer and the
/// checksums the DFS client computes over them, about 1 GB/s. Chosen.
pub const WAL_PER_BYTE_DEFAULT_NANOS: u64 = 1;
/// The WAL's CPU per sync: the hflush call, completing the sync's futures and waking its
/// handlers. Chosen.
pub const WAL_PER_SYNC_DEFAULT_NANOS: u64 = 20_000;
/// A handler's CPU per request byte: the call's protobuf and cells decoded from the socket's
/// buffer and its answer built, about 1 GB/s. Chosen.
pub const RPC_PER_BYTE_DEFAULT_NANOS: u64 = 1;
/// A per-cell (or per-entry, per-byte, per-sync) cost over a millisecond is a typo rather
/// than a machine.
const PER_CELL_MAX_NANOS: u64 = 1_000_000;

/// The CPU model's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuSpec {
    /// The cores the server's threads share; `None`: the model is off.
    pub cores: Option<u32>,
    /// A compaction's CPU per input cell (with the model on).
    pub compaction_per_cell: SimDuration,
    /// The WAL consumer's CPU per entry, per entry byte and per sync (with the model on).
    pub wal_per_entry: SimDuration,
    pub wal_per_byte: SimDuration,
    pub wal_per_sync: SimDuration,
    /// A handler's CPU per request byte (with the model on).
    pub rpc_per_byte: SimDuration,
    /// What the families' codecs cost (with the model on or off).
    pub codecs: CodecCosts,
}

impl CpuSpec {
    /// The WAL consumer's CPU for a sync of `entries` entries and `bytes` bytes.
    pub fn wal_sync_work(&self, entries: u64, bytes: u64) -> SimDuration {
        self.wal_per_sync
            .saturating_add(self.wal_per_entry * entries)
            .saturating_add(self.wal_per_byte * bytes)
    }

    /// Reads `[cpu]`, with `[server] cores` given as `cores` (its value and where it was) and
    /// the codecs the tables' families use.
    pub fn read(
        table: &Table<'_, '_>,
        cores: Option<(u64, ScenarioError)>,
        used: &[FamilyCodec],
    ) -> Result<CpuSpec, ScenarioError> {
        let on = match table.get("model") {
            Some(node) => node.choice(&["on", "off"])? == "on",
            None => false,
        };
        let cost = |key: &str, default_nanos: u64| match table.get(key) {
            Some(node) if !on => Err(off_error(node.error(ErrorKind::Impossible, ""))),
            Some(node) => node.duration_at_most(SimDuration::from_nanos(PER_CELL_MAX_NANOS)),
            None => Ok(SimDuration::from_nanos(default_nanos)),
        };
        let compaction_per_cell = cost("compaction_per_cell", COMPACTION_PER_CELL_DEFAULT_NANOS)?;
        let wal_per_entry = cost("wal_per_entry", WAL_PER_ENTRY_DEFAULT_NANOS)?;
        let wal_per_byte = cost("wal_per_byte", WAL_PER_BYTE_DEFAULT_NANOS)?;
        let wal_per_sync = cost("wal_per_sync", WAL_PER_SYNC_DEFAULT_NANOS)?;
        let rpc_per_byte = cost("rpc_per_byte", RPC_PER_BYTE_DEFAULT_NANOS)?;
        let codecs = CodecCosts::read(table, used)?;
        table.finish("[cpu]")?;
        let cores = match cores {
            Some((_, place)) if !on => return Err(off_error(place)),
            Some((cores, place)) => {
                if !(1..=CORES_MAX).contains(&cores) {
                    return Err(ScenarioError {
                        message: format!("cores must be 1 to {CORES_MAX}, found {cores}"),
                        ..place
                    });
                }
                Some(cores as u32)
            }
            None => on.then_some(CORES_DEFAULT),
        };
        Ok(CpuSpec {
            cores,
            compaction_per_cell,
            wal_per_entry,
            wal_per_byte,
            wal_per_sync,
            rpc_per_byte,
            codecs,
        })
    }

    /// Writes `[cpu]`, with the costs of the codecs `used`.
    pub fn write(&self, used: &[FamilyCodec], out: &mut String) {
        match self.cores {
            None => out.push_str("[cpu]\nmodel = \"off\"\n"),
            Some(_) => out.push_str(&format!(
                "[cpu]\nmodel = \"on\"\ncompaction_per_cell = \"{}\"\nwal_per_entry = \"{}\"\nwal_per_byte = \"{}\"\nwal_per_sync = \"{}\"\nrpc_per_byte = \"{}\"\n",
                self.compaction_per_cell,
                self.wal_per_entry,
                self.wal_per_byte,
                self.wal_per_sync,
                self.rpc_per_byte
            )),
        }
        self.codecs.write(used, out);
        out.push('\n');
    }
}

/// A CPU setting given while the model is off changes nothing: refused, saying so.
fn off_error(place: ScenarioError) -> ScenarioError {
    ScenarioError {
        kind: ErrorKind::Impossible,
        message: "applies only with the CPU model on: add [cpu] model = \"on\" (off, a thread's CPU work is a fixed delay and no cores are shared)".to_string(),
        ..place
    }
}
