//! What a run counts while it goes: per operation kind, per flush, memstore volumes, blocked
//! writers. These are model-side tallies; `report::summary` turns them into summary.json.

use std::collections::BTreeMap;

use crate::metrics::{LatencyHistogram, LevelOverTime};
use crate::model::client::request::ServerError;
use crate::model::flusher::FlushReason;
use crate::model::store::cell::MemSize;
use crate::model::wal::files::{CrashCut, RollReason};
use crate::scenario::workload::OpKind;
use crate::sim::SimTime;

/// Counts and latencies of one operation kind.
#[derive(Debug, Clone, Default)]
pub struct OperationStats {
    /// Requests sent by clients.
    pub attempted: u64,
    pub succeeded: u64,
    /// Rows written by the succeeded requests (a batch's rows; one for a single operation).
    pub rows_succeeded: u64,
    /// Failed operations by error name.
    pub failed: BTreeMap<&'static str, u64>,
    /// Check-and-puts whose check failed (answered; nothing written).
    pub checks_failed: u64,
    /// From when the request was due to be sent to its acknowledgement, retries included;
    /// acknowledgements during the warm-up (`[report] warmup`) are left out.
    pub latency: LatencyHistogram,
    /// Requests acknowledged after the warm-up, and their rows: the throughput's numerators.
    pub succeeded_measured: u64,
    pub rows_measured: u64,
}

/// Largest count of files a get consults that `ReadStats::files_per_get` keeps apart (more are
/// counted in the last slot).
pub const FILES_PER_GET_SLOTS: usize = 33;

/// What gets and scans read, beside the block cache's own counts.
#[derive(Debug, Clone)]
pub struct ReadStats {
    /// Rows read by gets (a multi-get's each, a read-modify-write's read).
    pub gets: u64,
    /// Scan RPCs served, and the rows they read.
    pub scan_rpcs: u64,
    pub scan_rows: u64,
    /// Store files a get's StoreScanners seek in (past the key range and the bloom filter),
    /// summed over gets, and gets by that count (the last slot: that many or more).
    pub files_consulted: u64,
    pub files_per_get: [u64; FILES_PER_GET_SLOTS],
    /// Files in a get's key range that its bloom filter skipped, and of those consulted the
    /// ones the filter let through without holding the row (its false positives).
    pub bloom_skips: u64,
    pub bloom_false_positives: u64,
    /// Blocks asked of the cache by kind: data, index (leaf), bloom chunks.
    pub data_blocks: u64,
    pub index_blocks: u64,
    pub bloom_blocks: u64,
    /// Data blocks gets asked for (the rest of `data_blocks` were scans').
    pub get_data_blocks: u64,
    /// Blocks read from HDFS (cache misses) and their bytes.
    pub hdfs_blocks: u64,
    pub hdfs_bytes: u64,
    /// Blocks cached on write by flushes and compactions.
    pub cached_on_write: u64,
    /// Files whose blocks were dropped from the cache (compacted away, or closed with
    /// hbase.rs.evictblocksonclose), and the blocks.
    pub files_evicted: u64,
    pub blocks_evicted_with_files: u64,
    /// Reads whose read point was behind a write already answered as done (read-your-writes
    /// broken), and reads whose read point was past a write not yet complete (a dirty read).
    pub stale_reads: u64,
    pub dirty_reads: u64,
}

impl Default for ReadStats {
    fn default() -> Self {
        ReadStats {
            gets: 0,
            scan_rpcs: 0,
            scan_rows: 0,
            files_consulted: 0,
            files_per_get: [0; FILES_PER_GET_SLOTS],
            bloom_skips: 0,
            bloom_false_positives: 0,
            data_blocks: 0,
            index_blocks: 0,
            bloom_blocks: 0,
            get_data_blocks: 0,
            hdfs_blocks: 0,
            hdfs_bytes: 0,
            cached_on_write: 0,
            files_evicted: 0,
            blocks_evicted_with_files: 0,
            stale_reads: 0,
            dirty_reads: 0,
        }
    }
}

/// Flushes that committed a store file.
#[derive(Debug, Clone, Default)]
pub struct FlushStats {
    pub count: u64,
    /// Cell data bytes written (the memstore data size of the snapshots).
    pub data_bytes: u64,
    /// Heap bytes released from the memstores.
    pub heap_bytes: u64,
    /// HFile bytes written.
    pub file_bytes: u64,
    pub by_reason: BTreeMap<FlushReason, u64>,
    /// From the flush's start (the handler took it) to its commit.
    pub duration: LatencyHistogram,
    /// Time a flush waited for in-flight writes before it could snapshot (the updates lock).
    pub snapshot_wait: LatencyHistogram,
    /// requestFlush calls dropped because the region had a flush requested already.
    pub requests_deduplicated: u64,
    /// Flush attempts that found the region already flushing or its memstore empty.
    pub skipped: u64,
    /// Times a flush was put off because a store had too many files.
    pub delayed_for_store_files: u64,
    /// Delayed flush requests the periodic flusher queued.
    pub periodic_requests: u64,
}

impl FlushStats {
    /// A flush committed: it released `released` from the memstores and wrote `file_bytes`.
    pub fn count_commit(&mut self, released: MemSize, file_bytes: u64, reason: FlushReason) {
        self.count += 1;
        self.data_bytes += released.data;
        self.heap_bytes += released.heap;
        self.file_bytes += file_bytes;
        *self.by_reason.entry(reason).or_default() += 1;
    }
}

/// Memstore volumes.
#[derive(Debug, Clone, Default)]
pub struct MemstoreStats {
    pub data_bytes_added: u64,
    pub heap_bytes_added: u64,
    pub cells_added: u64,
    /// Cells that replaced an equal one (the same row twice in a mini-batch).
    pub cells_replaced: u64,
    /// Taken back out after a failed WAL sync (1.4's rollbackMemstore).
    pub data_bytes_rolled_back: u64,
    pub heap_bytes_rolled_back: u64,
    pub cells_rolled_back: u64,
    /// Held in memstores when the server crashed (gone with the process).
    pub data_bytes_lost_in_crash: u64,
    pub heap_bytes_lost_in_crash: u64,
    /// The largest global heap size seen (what the water marks compare).
    pub global_heap_peak: u64,
}

/// Compactions: requested, run, and what they moved.
#[derive(Debug, Clone, Default)]
pub struct CompactionStats {
    /// Store compactions requested (system requests per store, user requests per store).
    pub requested: u64,
    /// Compactions committed.
    pub count: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub files_read: u64,
    /// Committed compactions by kind: minor, all_files, major.
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Compactions stopped because their region closed.
    pub aborted: u64,
    /// Runners waiting in the two queues at most.
    pub queue_peak: u64,
    /// From a compaction's start to its commit.
    pub duration: LatencyHistogram,
}

/// The WAL's files: rolls, rewrites, forced flushes.
#[derive(Debug, Clone, Default)]
pub struct WalStats {
    pub rolls: BTreeMap<RollReason, u64>,
    /// Entries AsyncFSWAL wrote again into a new file after a failed sync.
    pub entries_rewritten: u64,
    /// Flush requests for regions pinning the oldest WAL file (more than maxlogs).
    pub forced_flush_requests: u64,
    /// The most WAL files in the server's directory at once.
    pub files_peak: u64,
    /// Completed syncs, from start to acknowledgement.
    pub sync_latency: LatencyHistogram,
}

/// One crash and its recovery.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// The fault kind that killed the server.
    pub cause: &'static str,
    pub crashed_at: SimTime,
    /// What the crash cut from the WAL file being written.
    pub cut: CrashCut,
    /// Regions the server held.
    pub regions: u64,
    pub noticed_at: Option<SimTime>,
    pub split_attempts: u32,
    pub split_failures: u32,
    pub last_split_error: Option<String>,
    /// HBASE-2958: the failed split was given up.
    pub split_given_up: bool,
    pub split_done_at: Option<SimTime>,
    /// WAL files the split marked corrupt (skip.errors), where they went: `corrupt/` or, under
    /// 2.5's procedures, `oldWALs/`.
    pub files_set_aside: Vec<String>,
    /// Entries written to recovered edits.
    pub entries_split: u64,
    /// What the split did with each WAL file, as its latest attempt found it.
    pub split_files: Vec<SplitFileRecord>,
    /// Each recovered region's time offline, crash to open.
    pub region_unavailable: LatencyHistogram,
    /// When the last region opened.
    pub completed_at: Option<SimTime>,
    /// Acknowledged edits the oracle found lost then.
    pub lost_after: u64,
}

/// One WAL file's split, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFileRecord {
    /// The file's name.
    pub name: String,
    pub length_bytes: u64,
    pub entries_read: u64,
    pub entries_written: u64,
    /// Where and why reading stopped, as HBase's reader would.
    pub stop: String,
    /// `archived`, `set_aside` (marked corrupt), `failed` or `given_up`.
    pub fate: &'static str,
}

/// Handlers held in reclaimMemStoreMemory above the upper limit.
#[derive(Debug, Clone, Default)]
pub struct BlockedStats {
    /// Writers blocked at once, over time.
    pub writers: LevelOverTime,
    /// Writers that were blocked at all.
    pub writers_blocked: u64,
    /// Sum over writers of the time each was blocked, in nanoseconds.
    pub writer_nanos: u128,
    /// Time flushes were put off for too many store files, summed over flushes.
    pub store_files_nanos: u128,
}

/// Everything counted in one run.
#[derive(Debug, Clone)]
pub struct RunStats {
    pub operations: BTreeMap<OpKind, OperationStats>,
    /// Gets and scans (all zero when no workload reads).
    pub reads: ReadStats,
    pub flushes: FlushStats,
    pub memstore: MemstoreStats,
    pub blocked: BlockedStats,
    /// Requests sent and not yet finished, over time (L in Little's law).
    pub in_flight: LevelOverTime,
    /// Each open-loop operation's wait at the client for an application thread (zero when one
    /// was free): part of its latency. Operations started during the warm-up are left out.
    pub client_wait: LatencyHistogram,
    /// Open-loop operations that waited for a thread at all, and their waits summed (the
    /// whole run, warm-up included).
    pub client_waits: u64,
    pub client_wait_nanos: u128,
    /// BufferedMutator threads held in `mutate` by AsyncProcess's task limits: how many waits,
    /// and their time.
    pub client_limit_waits: u64,
    pub client_limit_wait_nanos: u128,
    /// The global memstore heap size over time.
    pub global_heap: LevelOverTime,
    /// Each region's memstore heap size over time.
    pub region_heap: Vec<LevelOverTime>,
    /// Regions above their blocking size (checkResources refuses writes), over time.
    pub regions_above_blocking: LevelOverTime,
    /// RegionTooBusyException thrown (HBase's blockedRequestsCount).
    pub region_too_busy: u64,
    /// Calls rejected with CallQueueTooBigException.
    pub call_queue_too_big: u64,
    /// Attempts the client gave up on after hbase.rpc.timeout.
    pub call_timeouts: u64,
    /// Calls dropped unrun because their deadline passed in the queue.
    pub calls_dropped_stale: u64,
    /// Row-lock waits that ran out.
    pub row_lock_timeouts: u64,
    /// Region groups refused with NotServingRegionException (closing or offline).
    pub not_serving_region: u64,
    /// Failed attempts by error.
    pub errors: BTreeMap<ServerError, u64>,
    /// Retries the clients made.
    pub retries: u64,
    pub compactions: CompactionStats,
    /// Compactions running (each on a thread of the small or large pool), over time.
    pub compactions_running: LevelOverTime,
    /// With the CPU model on: threads that want a core (running or waiting for one).
    pub cpu_runnable: LevelOverTime,
    /// Garbage-collection pauses that outlasted the ZooKeeper session.
    pub gc_session_expiries: u64,
    /// 1 while a collection pauses the server (the pause as it ran: cut short if the process
    /// died in it).
    pub gc_paused: LevelOverTime,
    /// The most files one store held at any time.
    pub store_files_peak_per_store: u64,
    /// Operator actions run, and those skipped (their region gone or out of range).
    pub actions_run: u64,
    pub actions_skipped: u64,
    pub bulk_loaded_bytes: u64,
    pub regions_split: u64,
    pub regions_merged: u64,
    /// Time regions spent offline (closed, or not yet opened), summed over regions.
    pub region_offline_nanos: u128,
    pub wal: WalStats,
    /// Injected faults that struck, by kind.
    pub faults: BTreeMap<&'static str, u64>,
    pub recoveries: Vec<Recovery>,
    /// Recovered edits put back into memstores, and cells of recovered edits skipped: already in
    /// a store file, or naming a family, row or qualifier the table does not have.
    pub recovery_edits_replayed: u64,
    pub recovery_cells_skipped: u64,
    /// Checksum chunks HDFS read from another replica because one failed (WAL splits).
    pub hdfs_read_around_chunks: u64,
}

impl RunStats {
    pub fn new(regions: usize) -> RunStats {
        RunStats {
            operations: BTreeMap::new(),
            reads: ReadStats::default(),
            flushes: FlushStats::default(),
            memstore: MemstoreStats::default(),
            blocked: BlockedStats::default(),
            in_flight: LevelOverTime::default(),
            client_wait: LatencyHistogram::default(),
            client_waits: 0,
            client_wait_nanos: 0,
            client_limit_waits: 0,
            client_limit_wait_nanos: 0,
            global_heap: LevelOverTime::default(),
            region_heap: vec![LevelOverTime::default(); regions],
            regions_above_blocking: LevelOverTime::default(),
            region_too_busy: 0,
            call_queue_too_big: 0,
            call_timeouts: 0,
            calls_dropped_stale: 0,
            row_lock_timeouts: 0,
            not_serving_region: 0,
            errors: BTreeMap::new(),
            retries: 0,
            compactions: CompactionStats::default(),
            compactions_running: LevelOverTime::default(),
            cpu_runnable: LevelOverTime::default(),
            gc_session_expiries: 0,
            gc_paused: LevelOverTime::default(),
            store_files_peak_per_store: 0,
            actions_run: 0,
            actions_skipped: 0,
            bulk_loaded_bytes: 0,
            regions_split: 0,
            regions_merged: 0,
            region_offline_nanos: 0,
            wal: WalStats::default(),
            faults: BTreeMap::new(),
            recoveries: Vec::new(),
            recovery_edits_replayed: 0,
            recovery_cells_skipped: 0,
            hdfs_read_around_chunks: 0,
        }
    }

    /// Makes room for a region created during the run.
    pub fn add_region(&mut self) {
        self.region_heap.push(LevelOverTime::default());
    }
}
