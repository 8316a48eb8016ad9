//! `summary.json`: the headline numbers of one run, a promise to users and scripts.
//!
//! It is a pure function of (scenario, seed, regionsim version): the same run gives the same
//! bytes on any machine, so it carries no wall-clock time or host (those go to `run.json`).
//! Fields appear in the order of the structs below; every field is documented with its unit.
//! Sizes are bytes, times are simulated. "Data" bytes are cells' serialized KeyValue bytes;
//! "heap" bytes are HBase's memstore heap accounting, the number its thresholds compare.
//! Later model work adds fields; existing ones keep their meaning.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::block_cache::CacheAtEnd;

use crate::metrics::LatencyHistogram;
use crate::model::RunOutcome;
use crate::model::flusher::FlushReason;
use crate::model::gc::{Gc, PauseKind};
use crate::model::stats::Recovery;
use crate::model::wal::files::RollReason;
use crate::report::format::count;
use crate::report::saturation::{Bottleneck, SaturationSummary, saturation};
use crate::scenario::Scenario;
use crate::scenario::jvm::JvmSpec;
use crate::sim::{SimDuration, SimTime};

/// The version tag of this layout.
pub const SUMMARY_FORMAT: &str = "regionsim.summary.v1";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Always "regionsim.summary.v1" for this layout.
    pub format: &'static str,
    pub regionsim_version: &'static str,
    /// The scenario's name.
    pub scenario: String,
    pub seed: u64,
    /// "hbase-2.5" or "hbase-1.4".
    pub profile: String,
    /// The release of the profile's line the run modelled ("2.5.16").
    pub release: String,
    /// 16 hex digits folded over every processed event: equal hashes, equal runs.
    pub trace_hash: String,
    /// Events processed.
    pub events: u64,
    pub simulated_seconds: f64,
    /// The warm-up (`[report] warmup`): acknowledgements before it are left out of every
    /// latency figure and throughput.
    pub warmup_seconds: f64,
    /// Per operation kind ("put", "delete", …), only kinds the workloads send.
    pub operations: BTreeMap<String, OperationSummary>,
    /// RegionTooBusyException thrown by checkResources (HBase's blockedRequestsCount), an
    /// updates-lock wait, or the StoreHotnessProtector ("StoreTooBusy", one per mutation).
    pub region_too_busy: u64,
    pub client: ClientSummary,
    /// Whether the server kept up, and how busy each resource was.
    pub saturation: SaturationSummary,
    /// The resource that limited a saturated run (absent when the server kept up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<Bottleneck>,
    /// The server's cores, with the CPU model on (absent with it off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuSummary>,
    /// The JVM's garbage collection, with `[jvm] gc = "on"` (absent with it off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gc: Option<GcSummary>,
    /// Gets and scans and the block cache they read through (absent when no workload reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reads: Option<ReadsSummary>,
    pub rpc: RpcSummary,
    pub flushes: FlushSummary,
    pub flush_queue: FlushQueueSummary,
    pub memstore: MemstoreSummary,
    pub blocked: BlockedSummary,
    pub compactions: CompactionSummary,
    pub regions: RegionSummary,
    /// HFile bytes written by flushes and compactions per HFile byte written by flushes. The
    /// WAL is left out: it is written once per edit whatever the settings.
    pub write_amplification: f64,
    pub wal: WalSummary,
    pub durability: DurabilitySummary,
    pub recovery: RecoveriesSummary,
    /// Injected faults that struck, by kind.
    pub faults: BTreeMap<String, u64>,
    pub store_files: StoreFileSummary,
    /// Bounds the run stayed within (memory follows these, not the run length).
    pub limits: LimitsSummary,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OperationSummary {
    /// Requests clients sent.
    pub attempted: u64,
    /// Requests acknowledged to the client.
    pub succeeded: u64,
    /// Rows those requests wrote (a batch's rows; 1 for a single operation).
    pub rows_succeeded: u64,
    /// Check-and-puts answered "check failed" (nothing written; counted as succeeded).
    pub checks_failed: u64,
    /// Requests that failed for good (after any retries).
    pub failed: u64,
    /// Failures by error name.
    pub failed_by_error: BTreeMap<String, u64>,
    /// Sent but neither acknowledged nor failed when the run ended.
    pub in_flight_at_end: u64,
    /// Acknowledgements per simulated second after the warm-up.
    pub throughput_per_sec: f64,
    /// From when the request was due to be sent to its acknowledgement, retries included;
    /// acknowledgements during the warm-up left out.
    pub latency_ms: LatencySummary,
}

/// Percentiles are HdrHistogram values (3 significant digits); mean and max are exact.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencySummary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl RecoverySummary {
    fn of(recovery: &Recovery) -> RecoverySummary {
        let seconds = |time: SimTime| time.as_secs_f64();
        RecoverySummary {
            cause: recovery.cause.to_string(),
            crashed_at_s: seconds(recovery.crashed_at),
            wal_bytes_cut: recovery.cut.bytes_lost,
            wal_entries_cut: recovery.cut.entries_lost,
            torn_entry_bytes_left: recovery.cut.torn.map(|(_, bytes)| bytes),
            regions: recovery.regions,
            noticed_at_s: recovery.noticed_at.map(seconds),
            split_attempts: u64::from(recovery.split_attempts),
            split_failures: u64::from(recovery.split_failures),
            split_error: recovery.last_split_error.clone(),
            split_given_up: recovery.split_given_up,
            split_done_at_s: recovery.split_done_at.map(seconds),
            files_set_aside: recovery.files_set_aside.clone(),
            entries_split: recovery.entries_split,
            split_files: recovery
                .split_files
                .iter()
                .map(|file| SplitFileSummary {
                    name: file.name.clone(),
                    length_bytes: file.length_bytes,
                    entries_read: file.entries_read,
                    entries_written: file.entries_written,
                    stop: file.stop.clone(),
                    fate: file.fate.to_string(),
                })
                .collect(),
            completed_at_s: recovery.completed_at.map(seconds),
            region_unavailable_ms: LatencySummary::of(&recovery.region_unavailable),
            regions_recovered: recovery.region_unavailable.count(),
            lost_after: recovery.lost_after,
        }
    }
}

impl LatencySummary {
    pub fn of(histogram: &LatencyHistogram) -> LatencySummary {
        LatencySummary {
            p50: histogram.quantile_ms(0.5),
            p90: histogram.quantile_ms(0.9),
            p99: histogram.quantile_ms(0.99),
            p999: histogram.quantile_ms(0.999),
            max: histogram.max_ms(),
            mean: histogram.mean_ms(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlushSummary {
    /// Flushes that committed (wrote store files).
    pub count: u64,
    /// Cell data bytes flushed out of memstores.
    pub bytes: u64,
    /// Heap bytes released from memstores by those flushes.
    pub heap_bytes: u64,
    /// HFile bytes written.
    pub file_bytes: u64,
    /// Committed flushes by reason: memstore_size, global_pressure_lower, global_pressure_upper,
    /// periodic, too_many_changes, admin_flush.
    pub by_reason: BTreeMap<String, u64>,
    /// From a handler taking the flush to its commit.
    pub duration_ms: LatencySummary,
    /// Time a flush waited for in-flight writes before its snapshot (the updates lock).
    pub snapshot_wait_ms: LatencySummary,
    /// Flush requests dropped because one was already pending for the region.
    pub requests_deduplicated: u64,
    /// Flush attempts that found the region already flushing or empty.
    pub skipped: u64,
    /// Times a flush was put off because a store had more than hbase.hstore.blockingStoreFiles.
    pub delayed_for_store_files: u64,
    /// Delayed requests queued by the periodic flusher.
    pub periodic_requests: u64,
    /// Flush handlers (hbase.hstore.flusher.count) and the share of time they were flushing.
    pub handlers: u64,
    pub handler_utilisation: f64,
}

/// The MemStoreFlusher's queue of region entries (delayed entries included).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlushQueueSummary {
    /// Entries added (an entry put off and re-queued counts again).
    pub arrivals: u64,
    /// Mean time an entry spent in the queue.
    pub mean_wait_ms: f64,
    /// Time-averaged number of entries (Little's law: arrivals per second × mean wait).
    pub time_avg_length: f64,
    pub max_length: u64,
}

/// The client side: the application's threads, retries and the errors that caused them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClientSummary {
    pub retries: u64,
    /// Failed attempts by error name (each retry follows one).
    pub errors: BTreeMap<String, u64>,
    /// Open-loop operations' wait for a free application thread, from when each was due
    /// (zero when a thread was free; part of their latency).
    pub thread_wait_ms: LatencySummary,
    /// Each open-loop workload: what was offered and what its threads took.
    pub open_loop: Vec<OpenLoopSummary>,
    /// Open-loop arrivals not answered `DRAIN_WINDOW` before the end (all workloads, from the
    /// time series; absent for runs too short to tell): against the end's, whether a backlog
    /// was shrinking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unanswered_before_end: Option<u64>,
    /// Each workload that writes through a BufferedMutator.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buffered_mutators: Vec<MutatorSummary>,
}

/// How far back from the end a backlog is compared, to tell one draining from one growing.
pub const DRAIN_WINDOW: SimDuration = SimDuration::from_secs(10);

/// Open-loop arrivals not answered at the last sample `DRAIN_WINDOW` or more before the end.
fn unanswered_before_end(outcome: &RunOutcome) -> Option<u64> {
    let elapsed = outcome.end.saturating_duration_since(SimTime::ZERO);
    if elapsed < DRAIN_WINDOW {
        return None;
    }
    let before = SimTime::ZERO + elapsed.saturating_sub(DRAIN_WINDOW);
    outcome
        .timeline
        .samples
        .iter()
        .rev()
        .find(|sample| sample.time <= before)
        .map(|sample| sample.client_unanswered)
}

/// One open-loop workload's arrivals.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpenLoopSummary {
    pub workload: String,
    /// The application's threads; absent for unbounded callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
    /// Arrivals per second the workload offers.
    pub rate_per_sec: f64,
    /// Arrivals due during the run.
    pub offered: u64,
    /// Arrivals whose operation started.
    pub started: u64,
    /// Arrivals whose operation finished (acknowledged, or failed for good).
    pub finished: u64,
    /// Arrivals still waiting for a thread at the end (offered − started).
    pub waiting_at_end: u64,
    /// Arrivals not answered at the end: waiting, or under way (offered − finished).
    pub unanswered_at_end: u64,
    /// Through a BufferedMutator: the operations a full write buffer holds, which wait there
    /// until it fills, and which "could not keep up" allows beside a second of arrivals.
    #[serde(skip_serializing_if = "is_zero")]
    pub buffer_allowance: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// A workload's BufferedMutator: its buffer and AsyncProcess's tasks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MutatorSummary {
    pub workload: String,
    /// hbase.client.write.buffer and the task limits the run used.
    pub write_buffer_bytes: u64,
    pub max_total_tasks: u32,
    pub max_perserver_tasks: u32,
    pub max_perregion_tasks: u32,
    /// Submits (one multi request each, first attempts) and their rows.
    pub submits: u64,
    pub rows_per_submit: f64,
    /// Tasks in progress (attempts counted against the limits), time-averaged and at most.
    pub tasks_mean: f64,
    pub tasks_peak: u64,
    /// The buffer's largest heap size, and the rows still in it at the end.
    pub buffered_peak_bytes: u64,
    pub rows_buffered_at_end: u64,
    /// Passes over the buffer that the limits let take nothing, and the time threads waited
    /// in `mutate` for the limits.
    pub blocked_passes: u64,
    pub blocked_seconds: f64,
    /// Flushes the periodic-flush timer made (2.5).
    pub periodic_flushes: u64,
}

impl ClientSummary {
    /// Why an open-loop run could not keep up: a workload ended with more than one second of
    /// its arrivals not answered (waiting for a thread, or under way), and the open-loop
    /// backlog was not shrinking over the last `DRAIN_WINDOW` (a server still working off a
    /// backlog it has the room for, after an outage, kept up).
    pub fn could_not_keep_up(&self) -> Option<String> {
        let behind = self.open_loop.iter().find(|workload| {
            workload.unanswered_at_end as f64
                > workload.rate_per_sec + workload.buffer_allowance as f64
        })?;
        let unanswered: u64 = self.open_loop.iter().map(|w| w.unanswered_at_end).sum();
        if self
            .unanswered_before_end
            .is_some_and(|before| unanswered < before)
        {
            return None;
        }
        Some(format!(
            "the server could not keep up with workload \"{}\": {} of its {} arrivals ({:.1}s of them) were not answered by the end, {} of them still waiting for one of its {} application threads, and the backlog was not shrinking",
            behind.workload,
            count(behind.unanswered_at_end),
            count(behind.offered),
            behind.unanswered_at_end as f64 / behind.rate_per_sec,
            count(behind.waiting_at_end),
            behind
                .threads
                .map_or("unbounded".to_string(), |threads| threads.to_string()),
        ))
    }
}

/// What gets and scans read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReadsSummary {
    /// Rows gets read (a multi-get's each, a read-modify-write's read).
    pub gets: u64,
    /// Store files a get sought in (past its key range and its bloom filter): mean, and gets
    /// by that count (index = files; the last counts that many or more).
    pub files_per_get_mean: f64,
    pub files_per_get: Vec<u64>,
    /// Data blocks a get asked the cache for, on average.
    pub data_blocks_per_get_mean: f64,
    /// Files a bloom filter let a get skip, and files it let through that lacked the row.
    pub bloom_skips: u64,
    pub bloom_false_positives: u64,
    pub scan_rpcs: u64,
    pub scan_rows: u64,
    /// Blocks asked of the cache by kind.
    pub data_blocks: u64,
    pub index_blocks: u64,
    pub bloom_blocks: u64,
    /// Blocks read from HDFS (misses) and their bytes.
    pub hdfs_blocks: u64,
    pub hdfs_bytes: u64,
    /// Reads whose read point missed a write already answered, or saw one still under way
    /// (both 0 unless MVCC is broken).
    pub stale_reads: u64,
    pub dirty_reads: u64,
    pub block_cache: BlockCacheSummary,
}

/// LruBlockCache over the run, and as the run left it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlockCacheSummary {
    /// hfile.block.cache.size × the heap.
    pub capacity_bytes: u64,
    pub size_bytes: u64,
    pub blocks: u64,
    /// Bytes at each priority at the end.
    pub single_bytes: u64,
    pub multi_bytes: u64,
    pub memory_bytes: u64,
    pub hits: u64,
    pub misses: u64,
    /// hits ÷ (hits + misses), every request counted (CacheStats.getHitRatio).
    pub hit_ratio: f64,
    /// The share of requests that found their block at each priority (they sum to hit_ratio).
    pub hit_ratio_single: f64,
    pub hit_ratio_multi: f64,
    pub hit_ratio_memory: f64,
    /// Eviction runs, and the blocks and bytes they freed.
    pub evictions: u64,
    pub evicted_blocks: u64,
    pub evicted_bytes: u64,
    /// Files whose blocks were dropped with them (compacted away, or closed with
    /// hbase.rs.evictblocksonclose), and those blocks.
    pub files_evicted: u64,
    pub blocks_evicted_with_files: u64,
    /// Blocks cached by flushes and compactions as they wrote them.
    pub cached_on_write: u64,
    /// Blocks refused as larger than hbase.lru.max.block.size.
    pub failed_inserts: u64,
}

impl ReadsSummary {
    fn of(reads: &crate::model::stats::ReadStats, cache: &CacheAtEnd) -> ReadsSummary {
        let per_get = |sum: u64| sum as f64 / reads.gets.max(1) as f64;
        let requests = (cache.stats.hits + cache.stats.misses).max(1) as f64;
        let last_used = reads
            .files_per_get
            .iter()
            .rposition(|&count| count > 0)
            .map_or(0, |last| last + 1);
        ReadsSummary {
            gets: reads.gets,
            files_per_get_mean: per_get(reads.files_consulted),
            files_per_get: reads.files_per_get[..last_used].to_vec(),
            data_blocks_per_get_mean: per_get(reads.get_data_blocks),
            bloom_skips: reads.bloom_skips,
            bloom_false_positives: reads.bloom_false_positives,
            scan_rpcs: reads.scan_rpcs,
            scan_rows: reads.scan_rows,
            data_blocks: reads.data_blocks,
            index_blocks: reads.index_blocks,
            bloom_blocks: reads.bloom_blocks,
            hdfs_blocks: reads.hdfs_blocks,
            hdfs_bytes: reads.hdfs_bytes,
            stale_reads: reads.stale_reads,
            dirty_reads: reads.dirty_reads,
            block_cache: BlockCacheSummary {
                capacity_bytes: cache.capacity,
                size_bytes: cache.size,
                blocks: cache.blocks,
                single_bytes: cache.bucket_bytes[0],
                multi_bytes: cache.bucket_bytes[1],
                memory_bytes: cache.bucket_bytes[2],
                hits: cache.stats.hits,
                misses: cache.stats.misses,
                hit_ratio: cache.stats.hits as f64 / requests,
                hit_ratio_single: cache.stats.hits_by_priority[0] as f64 / requests,
                hit_ratio_multi: cache.stats.hits_by_priority[1] as f64 / requests,
                hit_ratio_memory: cache.stats.hits_by_priority[2] as f64 / requests,
                evictions: cache.stats.evictions,
                evicted_blocks: cache.stats.evicted_blocks,
                evicted_bytes: cache.stats.evicted_bytes,
                files_evicted: reads.files_evicted,
                blocks_evicted_with_files: reads.blocks_evicted_with_files,
                cached_on_write: reads.cached_on_write,
                failed_inserts: cache.stats.failed_inserts,
            },
        }
    }
}

/// The JVM's collections.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GcSummary {
    /// The collector: "g1" or "cms".
    pub collector: String,
    pub young_bytes: u64,
    /// Young-only collections (G1's concurrent starts among them; CMS's ParNew ones).
    pub young_collections: u64,
    /// Every pause: their lengths, summed, and the longest (in `pause_ms.max`).
    pub pause_ms: LatencySummary,
    pub pause_total_seconds: f64,
    /// Heap allocated per second, and memstore data the collections copied and promoted.
    pub allocation_bytes_per_sec: f64,
    pub promoted_bytes: u64,
    /// Pauses that outlasted the ZooKeeper session (the server aborted).
    pub session_expiries: u64,
    /// G1's mixed collections, and full collections (after a young one failed to promote).
    pub mixed_collections: u64,
    pub full_collections: u64,
    /// Concurrent cycles (G1's marking, CMS's mark and sweep): started, completed, and
    /// abandoned for a full collection (CMS's concurrent mode failure).
    pub concurrent_cycles: u64,
    pub concurrent_cycles_completed: u64,
    pub concurrent_mode_failures: u64,
    /// The old generation: its baseline live set, its peak occupancy (live and garbage),
    /// and the garbage collections reclaimed from it.
    pub old_live_bytes: u64,
    pub old_peak_bytes: u64,
    pub reclaimed_bytes: u64,
    /// Live bytes the full collections compacted (their pauses are this over `full_rate`).
    pub full_live_bytes: u64,
    /// Each kind of pause that happened (young, mixed, initial_mark, remark, cleanup, full):
    /// count, lengths and their sum.
    pub pauses_by_kind: BTreeMap<String, GcPauseSummary>,
}

/// One kind of garbage-collection pause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GcPauseSummary {
    pub count: u64,
    pub pause_ms: LatencySummary,
    pub pause_total_seconds: f64,
}

impl GcSummary {
    fn of(gc: &Gc, spec: &JvmSpec, session_expiries: u64, seconds: f64) -> GcSummary {
        let collections = |kind: PauseKind| gc.figures(kind).pauses.count();
        GcSummary {
            collector: spec.collector.name().to_string(),
            young_bytes: spec.young_bytes,
            young_collections: collections(PauseKind::Young),
            pause_ms: LatencySummary::of(&gc.pauses),
            pause_total_seconds: gc.pause_total.as_secs_f64(),
            allocation_bytes_per_sec: gc.allocated_total as f64 / seconds.max(f64::MIN_POSITIVE),
            promoted_bytes: gc.promoted_bytes as u64,
            session_expiries,
            mixed_collections: collections(PauseKind::Mixed),
            full_collections: collections(PauseKind::Full),
            concurrent_cycles: gc.concurrent_cycles,
            concurrent_cycles_completed: gc.concurrent_cycles_completed,
            concurrent_mode_failures: gc.concurrent_mode_failures,
            old_live_bytes: spec.old_live_bytes,
            old_peak_bytes: gc.old_peak_bytes,
            reclaimed_bytes: gc.reclaimed_bytes as u64,
            full_live_bytes: gc.full_live_bytes as u64,
            pauses_by_kind: PauseKind::ALL
                .iter()
                .map(|&kind| (kind, gc.figures(kind)))
                .filter(|(_, figures)| figures.pauses.count() > 0)
                .map(|(kind, figures)| {
                    (
                        kind.name().to_string(),
                        GcPauseSummary {
                            count: figures.pauses.count(),
                            pause_ms: LatencySummary::of(&figures.pauses),
                            pause_total_seconds: figures.total.as_secs_f64(),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// The cores the server's threads share (the CPU model on).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CpuSummary {
    pub cores: u32,
    /// The share of the cores' time threads ran.
    pub utilisation: f64,
    /// Threads that wanted a core (running or waiting for one): time-averaged, and at most.
    pub runnable_mean: f64,
    pub runnable_peak: u64,
}

/// The RPC server: call queues and handlers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RpcSummary {
    pub handlers: u64,
    pub call_queues: u64,
    /// Calls taken by a handler or queued.
    pub calls: u64,
    /// Calls rejected with CallQueueTooBigException.
    pub call_queue_too_big: u64,
    /// Calls dropped unrun because their deadline passed while queued.
    pub calls_dropped_stale: u64,
    /// Queued calls CoDel dropped (CallDroppedException; `codel` queues only).
    pub calls_dropped_codel: u64,
    /// Attempts the client gave up on after hbase.rpc.timeout.
    pub call_timeouts: u64,
    /// Mean time a call waited in a queue (zero for calls an idle handler took at once).
    pub queue_mean_wait_ms: f64,
    /// Time-averaged number of queued calls, all queues together.
    pub queue_time_avg_length: f64,
    pub queue_max_length: u64,
    /// Time-averaged busy handlers, and that divided by the handler count.
    pub handlers_busy_mean: f64,
    pub handler_utilisation: f64,
    /// Row-lock waits that ran out (TimeoutIOException).
    pub row_lock_timeouts: u64,
}

/// Regions and the operator actions that changed them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionSummary {
    /// Regions at the end (the tables' regions after splits and merges).
    pub count_at_end: u64,
    pub split: u64,
    pub merged: u64,
    /// Time regions spent closed or not yet opened, summed over regions.
    pub offline_seconds: f64,
    /// Region groups refused with NotServingRegionException.
    pub not_serving_region: u64,
    /// Operator actions run, and skipped (their region gone, or a region that cannot split).
    pub actions_run: u64,
    pub actions_skipped: u64,
    /// Bytes added by bulk loads.
    pub bulk_loaded_bytes: u64,
}

/// Compactions: requests, what ran, what they read and wrote.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompactionSummary {
    /// Store compactions requested: system requests (after flushes, by flushes put off for
    /// too many files, recursive enqueues, the CompactionChecker, regions opening with
    /// references), one per store, and user requests.
    pub requested: u64,
    /// Compactions committed.
    pub count: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub files_read: u64,
    /// `minor`, `all_files` (every file, not trying major; drops deletes) and `major`.
    pub by_kind: BTreeMap<String, u64>,
    /// Stopped because their region closed.
    pub aborted: u64,
    /// Most runners waiting in the small and large queues together.
    pub queue_peak: u64,
    pub duration_ms: LatencySummary,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MemstoreSummary {
    /// The largest global memstore heap size (what the limits compare).
    pub global_peak_bytes: u64,
    /// The global upper limit: heap × hbase.regionserver.global.memstore.size.
    pub upper_limit_bytes: u64,
    /// The lower limit: upper × …global.memstore.size.lower.limit.
    pub lower_limit_bytes: u64,
    /// Cell data bytes written into memstores.
    pub bytes_added: u64,
    pub heap_bytes_added: u64,
    pub cells_added: u64,
    /// Cells that replaced an equal one: the same row twice in one mini-batch (same key,
    /// timestamp and sequence id). With MSLAB their bytes still count, as in HBase.
    pub cells_replaced: u64,
    /// Cell data bytes taken back out of memstores after failed WAL syncs (1.4's rollback).
    pub bytes_rolled_back: u64,
    pub cells_rolled_back: u64,
    /// Cell data bytes the memstores held when the server crashed.
    pub bytes_lost_in_crash: u64,
    /// Cell data bytes still in memstores when the run ended
    /// (bytes_added − flushes.bytes − bytes_rolled_back − bytes_lost_in_crash).
    pub bytes_at_end: u64,
    /// Time-averaged global heap size.
    pub global_mean_bytes: f64,
    /// The largest and the mean over regions of each region's time-averaged heap size.
    pub region_mean_bytes_max: f64,
    pub region_mean_bytes_mean: f64,
    pub heap_bytes_at_end: u64,
    pub cells_at_end: u64,
}

/// Blocked time by cause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlockedSummary {
    /// Time during which at least one handler was blocked on global memstore pressure
    /// (reclaimMemStoreMemory above the upper limit).
    pub global_pressure_seconds: f64,
    /// Handler-seconds blocked there, summed over writes.
    pub writer_seconds: f64,
    /// Writes (region groups of calls) that blocked there.
    pub writes_blocked: u64,
    /// The most handlers blocked there at once.
    pub writes_blocked_peak: u64,
    /// Time during which at least one region was above its blocking size (checkResources
    /// refusing writes with RegionTooBusyException).
    pub region_too_busy_seconds: f64,
    /// Time flushes were put off for too many store files, summed over flushes.
    pub store_files_seconds: f64,
    /// Calls refused because their call queue was full (CallQueueTooBigException).
    pub call_queue_too_big: u64,
    /// Open-loop arrivals that waited for an application thread (and then started), and their
    /// waits summed.
    pub client_waits: u64,
    pub client_wait_seconds: f64,
    /// BufferedMutator threads held in `mutate` by AsyncProcess's task limits (each wait until
    /// a pass could submit), and their waits summed.
    pub client_limit_waits: u64,
    pub client_limit_wait_seconds: f64,
    /// Region groups refused because their region was offline (NotServingRegionException),
    /// and the time regions were offline, summed over regions.
    pub not_serving_region: u64,
    pub regions_offline_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WalSummary {
    pub appends: u64,
    pub syncs: u64,
    /// Appends covered per completed sync (group commit).
    pub appends_per_sync: f64,
    /// Syncs that failed (injected faults).
    pub sync_failures: u64,
    /// Completed syncs, start to acknowledgement.
    pub sync_latency_ms: LatencySummary,
    /// The most syncs in flight at once.
    pub syncs_in_flight_peak: u64,
    /// Bytes appended, as HBase's writer counts them (values included).
    pub bytes: u64,
    /// Rolls by reason: size, periodic, slow_sync, error.
    pub rolls: BTreeMap<String, u64>,
    pub files_created: u64,
    pub files_archived: u64,
    /// The most files in the server's WAL directory at once, and at the end.
    pub files_peak: u64,
    pub files_at_end: u64,
    /// hbase.regionserver.maxlogs as the profile computed it.
    pub max_logs: u64,
    /// Flushes requested for regions pinning the oldest file (too many WALs).
    pub forced_flush_requests: u64,
    /// Entries written again into a new file after a failed sync (AsyncFSWAL).
    pub entries_rewritten: u64,
}

/// The durability oracle's check at the end of the run, in edits (a mini-batch's cells in
/// one region, one sequence id).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DurabilitySummary {
    /// Edits the server acknowledged.
    pub acknowledged: u64,
    /// Found in a store file or a memstore, as written.
    pub verified: u64,
    /// Found, but with a value other than the one written (damaged in a WAL where HBase's
    /// reader could not see it, and replayed).
    pub corrupted: u64,
    /// Not found.
    pub lost: u64,
    /// In regions still waiting for a recovery at the end (neither verified nor lost).
    pub unavailable: u64,
    /// Rolled back out of the memstore after a failed sync, and of those found again.
    pub rolled_back: u64,
    pub resurrected: u64,
    /// Lost edits by cause: corrupt_wal_skipped, split_given_up, truncated_by_damage,
    /// damaged_entry, store_seqid_over_reported, failed_sync_acknowledged (HBASE-11868's
    /// acknowledgement of a write to a broken writer), async_wal_window, skip_wal,
    /// unexplained (a bug).
    pub lost_by_cause: BTreeMap<String, u64>,
    /// The first edit lost without a cause, and the first resurrected (only when there is one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_unexplained: Option<EditRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_resurrected: Option<EditRef>,
}

/// One edit: its region and sequence id.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct EditRef {
    pub region: u32,
    pub sequence_id: u64,
}

impl EditRef {
    fn of((region, sequence_id): (u32, u64)) -> EditRef {
        EditRef {
            region,
            sequence_id,
        }
    }
}

impl DurabilitySummary {
    /// Edits lost with no cause the oracle knows.
    pub fn unexplained(&self) -> u64 {
        self.lost_by_cause.get("unexplained").copied().unwrap_or(0)
    }

    /// Why the run must not pass for a good one: acknowledged edits lost without a cause, or
    /// rolled-back edits found again — each a bug in the model.
    pub fn violation(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(first) = self.first_unexplained {
            parts.push(format!(
                "{} acknowledged edits lost without a cause (the first: region {}, sequence id {})",
                self.unexplained(),
                first.region,
                first.sequence_id
            ));
        }
        if let Some(first) = self.first_resurrected {
            parts.push(format!(
                "{} rolled-back edits found again (the first: region {}, sequence id {})",
                self.resurrected, first.region, first.sequence_id
            ));
        }
        (!parts.is_empty()).then(|| format!("the durability oracle found {}", parts.join(" and ")))
    }
}

/// One crash and its recovery.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecoverySummary {
    /// The fault kind that killed the server.
    pub cause: String,
    pub crashed_at_s: f64,
    /// Bytes and entries written and never durable, cut from the WAL by the crash; the torn
    /// entry's bytes left on disk, if the write was torn.
    pub wal_bytes_cut: u64,
    pub wal_entries_cut: u64,
    pub torn_entry_bytes_left: Option<u64>,
    pub regions: u64,
    /// When the master saw the server dead.
    pub noticed_at_s: Option<f64>,
    pub split_attempts: u64,
    pub split_failures: u64,
    /// Why the last failed split failed (the file, the offset and what was found).
    pub split_error: Option<String>,
    pub split_given_up: bool,
    pub split_done_at_s: Option<f64>,
    /// WAL files the split marked corrupt, where they went (`corrupt/…`, or `oldWALs/…`
    /// under 2.5's procedure-based split).
    pub files_set_aside: Vec<String>,
    pub entries_split: u64,
    /// What the split did with each WAL file (its latest attempt).
    pub split_files: Vec<SplitFileSummary>,
    /// When the last region opened again; `null` if some never did.
    pub completed_at_s: Option<f64>,
    /// Each recovered region's time offline, crash to open.
    pub region_unavailable_ms: LatencySummary,
    /// Regions that came back.
    pub regions_recovered: u64,
    /// Acknowledged edits the oracle found lost when the recovery completed.
    pub lost_after: u64,
}

/// Crashes and recoveries.
/// One WAL file's split.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SplitFileSummary {
    pub name: String,
    pub length_bytes: u64,
    pub entries_read: u64,
    pub entries_written: u64,
    /// Where and why HBase's reader stopped.
    pub stop: String,
    /// `archived`, `set_aside` (marked corrupt), `failed` (to be retried) or `given_up`.
    pub fate: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecoveriesSummary {
    pub crashes: u64,
    /// Recovered edits replayed into memstores, and cells skipped (already in a store file, or
    /// naming what the table does not have).
    pub edits_replayed: u64,
    pub cells_skipped: u64,
    /// Checksum chunks the splits read from another replica because one had rotted.
    pub hdfs_read_around_chunks: u64,
    /// Whether the server process was up at the end.
    pub server_up_at_end: bool,
    pub recoveries: Vec<RecoverySummary>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoreFileSummary {
    /// Store files at the end of the run.
    pub count: u64,
    pub bytes: u64,
    /// The most files one store held at any time.
    pub peak_per_store: u64,
    /// Time flushes spent put off for too many store files, summed over flushes.
    pub flush_wait_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LimitsSummary {
    pub requests_in_flight_peak: u64,
    /// Time-averaged requests in flight (Little's law: ≈ throughput × mean latency).
    pub requests_in_flight_mean: f64,
    pub event_queue_peak: u64,
}

/// A total in nanoseconds over a count, in milliseconds; 0 for none.
fn mean_ms(total_nanos: u128, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        total_nanos as f64 / count as f64 / 1e6
    }
}

impl Summary {
    pub fn new(scenario: &Scenario, outcome: &RunOutcome) -> Summary {
        let seconds = outcome.end.as_secs_f64();
        let stats = &outcome.stats;
        let measured_seconds = seconds - scenario.warmup.as_secs_f64().min(seconds);
        let operations = stats
            .operations
            .iter()
            .map(|(kind, operation)| {
                let failed: u64 = operation.failed.values().sum();
                (
                    kind.name().to_string(),
                    OperationSummary {
                        attempted: operation.attempted,
                        succeeded: operation.succeeded,
                        rows_succeeded: operation.rows_succeeded,
                        checks_failed: operation.checks_failed,
                        failed,
                        failed_by_error: operation
                            .failed
                            .iter()
                            .map(|(error, count)| (error.to_string(), *count))
                            .collect(),
                        in_flight_at_end: outcome
                            .requests_in_flight_at_end
                            .get(kind)
                            .copied()
                            .unwrap_or(0),
                        throughput_per_sec: if measured_seconds > 0.0 {
                            operation.succeeded_measured as f64 / measured_seconds
                        } else {
                            0.0
                        },
                        latency_ms: LatencySummary::of(&operation.latency),
                    },
                )
            })
            .collect();
        let flushes = &stats.flushes;
        let region_means: Vec<f64> = stats
            .region_heap
            .iter()
            .map(|level| level.mean(outcome.end))
            .collect();
        let client = ClientSummary {
            retries: stats.retries,
            errors: stats
                .errors
                .iter()
                .map(|(error, count)| (error.name().to_string(), *count))
                .collect(),
            thread_wait_ms: LatencySummary::of(&stats.client_wait),
            open_loop: outcome
                .open_loop
                .iter()
                .map(|workload| OpenLoopSummary {
                    workload: workload.workload.clone(),
                    threads: workload.threads,
                    rate_per_sec: workload.rate,
                    offered: workload.offered,
                    started: workload.started,
                    finished: workload.finished,
                    waiting_at_end: workload.waiting(),
                    unanswered_at_end: workload.unanswered(),
                    buffer_allowance: workload.buffer_allowance,
                })
                .collect(),
            unanswered_before_end: unanswered_before_end(outcome),
            buffered_mutators: outcome
                .mutators
                .iter()
                .map(|mutator| MutatorSummary {
                    workload: mutator.workload.clone(),
                    write_buffer_bytes: mutator.limits.write_buffer,
                    max_total_tasks: mutator.limits.total_tasks,
                    max_perserver_tasks: mutator.limits.server_tasks,
                    max_perregion_tasks: mutator.limits.region_tasks,
                    submits: mutator.submits,
                    rows_per_submit: mutator.rows_submitted as f64 / mutator.submits.max(1) as f64,
                    tasks_mean: mutator.tasks_mean,
                    tasks_peak: mutator.tasks_peak,
                    buffered_peak_bytes: mutator.buffered_peak,
                    rows_buffered_at_end: mutator.rows_buffered_at_end,
                    blocked_passes: mutator.blocked_passes,
                    blocked_seconds: mutator.blocked_nanos as f64 / 1e9,
                    periodic_flushes: mutator.periodic_flushes,
                })
                .collect(),
        };
        let (saturation, bottleneck) =
            saturation(scenario, outcome, client.could_not_keep_up().is_none());
        Summary {
            format: SUMMARY_FORMAT,
            regionsim_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            profile: scenario.profile.to_string(),
            release: scenario.release.to_string(),
            trace_hash: outcome.trace_hash.to_string(),
            events: outcome.trace_hash.events(),
            simulated_seconds: seconds,
            warmup_seconds: scenario.warmup.as_secs_f64(),
            operations,
            flushes: FlushSummary {
                count: flushes.count,
                bytes: flushes.data_bytes,
                heap_bytes: flushes.heap_bytes,
                file_bytes: flushes.file_bytes,
                by_reason: FlushReason::ALL
                    .iter()
                    .map(|reason| {
                        (
                            reason.name().to_string(),
                            flushes.by_reason.get(reason).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                duration_ms: LatencySummary::of(&flushes.duration),
                snapshot_wait_ms: LatencySummary::of(&flushes.snapshot_wait),
                requests_deduplicated: flushes.requests_deduplicated,
                skipped: flushes.skipped,
                delayed_for_store_files: flushes.delayed_for_store_files,
                periodic_requests: flushes.periodic_requests,
                handlers: outcome.flusher_handlers as u64,
                handler_utilisation: outcome.flusher.handlers_busy.mean(outcome.end)
                    / outcome.flusher_handlers.max(1) as f64,
            },
            flush_queue: FlushQueueSummary {
                arrivals: outcome.flusher.enqueued,
                mean_wait_ms: mean_ms(
                    outcome.flusher.wait_nanos_until(outcome.end),
                    outcome.flusher.enqueued,
                ),
                time_avg_length: outcome.flusher.queue_length.mean(outcome.end),
                max_length: outcome.flusher.queue_length.peak(),
            },
            region_too_busy: stats.region_too_busy,
            client,
            saturation,
            bottleneck,
            rpc: RpcSummary {
                handlers: outcome.handlers as u64,
                call_queues: outcome.call_queues as u64,
                calls: outcome.rpc.accepted,
                call_queue_too_big: outcome.rpc.rejected,
                calls_dropped_stale: stats.calls_dropped_stale,
                calls_dropped_codel: outcome.rpc.dropped,
                call_timeouts: stats.call_timeouts,
                queue_mean_wait_ms: mean_ms(
                    outcome.rpc.wait_nanos_until(outcome.end),
                    outcome.rpc.accepted,
                ),
                queue_time_avg_length: outcome.rpc.queued.mean(outcome.end),
                queue_max_length: outcome.rpc.queued.peak(),
                handlers_busy_mean: outcome.rpc.handlers_busy.mean(outcome.end),
                handler_utilisation: outcome.rpc.handlers_busy.mean(outcome.end)
                    / outcome.handlers.max(1) as f64,
                row_lock_timeouts: stats.row_lock_timeouts,
            },
            compactions: CompactionSummary {
                requested: stats.compactions.requested,
                count: stats.compactions.count,
                bytes_read: stats.compactions.bytes_read,
                bytes_written: stats.compactions.bytes_written,
                files_read: stats.compactions.files_read,
                by_kind: ["minor", "all_files", "major"]
                    .into_iter()
                    .map(|kind| {
                        let count = stats.compactions.by_kind.get(kind).copied();
                        (kind.to_string(), count.unwrap_or(0))
                    })
                    .collect(),
                aborted: stats.compactions.aborted,
                queue_peak: stats.compactions.queue_peak,
                duration_ms: LatencySummary::of(&stats.compactions.duration),
            },
            write_amplification: if flushes.file_bytes == 0 {
                0.0
            } else {
                (flushes.file_bytes + stats.compactions.bytes_written) as f64
                    / flushes.file_bytes as f64
            },
            regions: RegionSummary {
                count_at_end: outcome.regions_at_end as u64,
                split: stats.regions_split,
                merged: stats.regions_merged,
                offline_seconds: outcome.region_offline_nanos as f64 / 1e9,
                not_serving_region: stats.not_serving_region,
                actions_run: stats.actions_run,
                actions_skipped: stats.actions_skipped,
                bulk_loaded_bytes: stats.bulk_loaded_bytes,
            },
            memstore: MemstoreSummary {
                global_peak_bytes: stats.memstore.global_heap_peak,
                upper_limit_bytes: outcome.global_upper_bytes,
                lower_limit_bytes: outcome.global_lower_bytes,
                bytes_added: stats.memstore.data_bytes_added,
                heap_bytes_added: stats.memstore.heap_bytes_added,
                cells_added: stats.memstore.cells_added,
                cells_replaced: stats.memstore.cells_replaced,
                bytes_rolled_back: stats.memstore.data_bytes_rolled_back,
                cells_rolled_back: stats.memstore.cells_rolled_back,
                bytes_lost_in_crash: stats.memstore.data_bytes_lost_in_crash,
                bytes_at_end: outcome.memstore_at_end.data,
                global_mean_bytes: stats.global_heap.mean(outcome.end),
                region_mean_bytes_max: region_means.iter().copied().fold(0.0, f64::max),
                region_mean_bytes_mean: region_means.iter().sum::<f64>()
                    / region_means.len().max(1) as f64,
                heap_bytes_at_end: outcome.memstore_at_end.heap,
                cells_at_end: outcome.memstore_at_end.cells,
            },
            blocked: BlockedSummary {
                global_pressure_seconds: stats
                    .blocked
                    .writers
                    .time_above_zero(outcome.end)
                    .as_secs_f64(),
                writer_seconds: stats.blocked.writer_nanos as f64 / 1e9,
                writes_blocked: stats.blocked.writers_blocked,
                writes_blocked_peak: stats.blocked.writers.peak(),
                region_too_busy_seconds: stats
                    .regions_above_blocking
                    .time_above_zero(outcome.end)
                    .as_secs_f64(),
                store_files_seconds: stats.blocked.store_files_nanos as f64 / 1e9,
                call_queue_too_big: stats.call_queue_too_big,
                client_waits: stats.client_waits,
                client_wait_seconds: stats.client_wait_nanos as f64 / 1e9,
                client_limit_waits: stats.client_limit_waits,
                client_limit_wait_seconds: stats.client_limit_wait_nanos as f64 / 1e9,
                not_serving_region: stats.not_serving_region,
                regions_offline_seconds: outcome.region_offline_nanos as f64 / 1e9,
            },
            wal: WalSummary {
                sync_latency_ms: LatencySummary::of(&stats.wal.sync_latency),
                rolls: RollReason::ALL
                    .iter()
                    .map(|reason| {
                        let count = stats.wal.rolls.get(reason).copied().unwrap_or(0);
                        (reason.name().to_string(), count)
                    })
                    .collect(),
                files_created: outcome.wal_files_created,
                files_archived: outcome.wal_files_archived,
                files_peak: stats.wal.files_peak,
                files_at_end: outcome.wal_files_at_end,
                max_logs: outcome.wal_max_logs,
                forced_flush_requests: stats.wal.forced_flush_requests,
                entries_rewritten: stats.wal.entries_rewritten,
                appends: outcome.wal.appends,
                syncs: outcome.wal.syncs,
                appends_per_sync: if outcome.wal.syncs > 0 {
                    outcome.wal.appends_synced as f64 / outcome.wal.syncs as f64
                } else {
                    0.0
                },
                bytes: outcome.wal.bytes,
                sync_failures: outcome.wal.sync_failures,
                syncs_in_flight_peak: outcome.wal.syncs_in_flight_peak as u64,
            },
            durability: DurabilitySummary {
                acknowledged: outcome.durability.acknowledged,
                verified: outcome.durability.verified,
                corrupted: outcome.durability.corrupted,
                lost: outcome.durability.lost,
                unavailable: outcome.durability.unavailable,
                rolled_back: outcome.durability.rolled_back,
                resurrected: outcome.durability.resurrected,
                lost_by_cause: outcome
                    .durability
                    .lost_by_cause
                    .iter()
                    .map(|(cause, count)| (cause.name().to_string(), *count))
                    .collect(),
                first_unexplained: outcome.durability.first_unexplained.map(EditRef::of),
                first_resurrected: outcome.durability.first_resurrected.map(EditRef::of),
            },
            recovery: RecoveriesSummary {
                crashes: stats.recoveries.len() as u64,
                edits_replayed: stats.recovery_edits_replayed,
                cells_skipped: stats.recovery_cells_skipped,
                hdfs_read_around_chunks: stats.hdfs_read_around_chunks,
                server_up_at_end: outcome.server_up_at_end,
                recoveries: stats.recoveries.iter().map(RecoverySummary::of).collect(),
            },
            faults: stats
                .faults
                .iter()
                .map(|(kind, count)| (kind.to_string(), *count))
                .collect(),
            store_files: StoreFileSummary {
                count: outcome.store_files,
                bytes: outcome.store_file_bytes,
                peak_per_store: stats.store_files_peak_per_store,
                flush_wait_seconds: stats.blocked.store_files_nanos as f64 / 1e9,
            },
            gc: outcome.gc.as_ref().map(|gc| {
                GcSummary::of(
                    gc,
                    &scenario.jvm,
                    stats.gc_session_expiries,
                    outcome.end.as_secs_f64(),
                )
            }),
            reads: outcome
                .block_cache
                .as_ref()
                .map(|cache| ReadsSummary::of(&stats.reads, cache)),
            cpu: scenario.cpu.cores.map(|cores| CpuSummary {
                cores,
                utilisation: outcome.pipes.cpu.unwrap_or(0.0),
                runnable_mean: stats.cpu_runnable.mean(outcome.end),
                runnable_peak: stats.cpu_runnable.peak(),
            }),
            limits: LimitsSummary {
                requests_in_flight_peak: outcome.requests_in_flight_peak as u64,
                requests_in_flight_mean: stats.in_flight.mean(outcome.end),
                event_queue_peak: outcome.event_queue_peak as u64,
            },
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a summary always serializes");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn durability(lost_by_cause: &[(&str, u64)]) -> DurabilitySummary {
        DurabilitySummary {
            acknowledged: 100,
            verified: 90,
            corrupted: 0,
            lost: lost_by_cause.iter().map(|(_, count)| count).sum(),
            unavailable: 0,
            rolled_back: 4,
            resurrected: 0,
            lost_by_cause: lost_by_cause
                .iter()
                .map(|(cause, count)| (cause.to_string(), *count))
                .collect(),
            first_unexplained: None,
            first_resurrected: None,
        }
    }

    // A loss with a cause is HBase's behaviour; one without, or a resurrected edit, is a bug
    // and says where to look.
    #[test]
    fn only_unexplained_losses_and_resurrections_are_violations() {
        assert_eq!(durability(&[("corrupt_wal_skipped", 10)]).violation(), None);
        let mut bad = durability(&[("skip_wal", 3), ("unexplained", 7)]);
        bad.first_unexplained = Some(EditRef {
            region: 2,
            sequence_id: 4_711,
        });
        assert_eq!(
            bad.violation().unwrap(),
            "the durability oracle found 7 acknowledged edits lost without a cause (the first: region 2, sequence id 4711)"
        );
        bad.resurrected = 1;
        bad.first_resurrected = Some(EditRef {
            region: 0,
            sequence_id: 9,
        });
        assert!(bad.violation().unwrap().ends_with(
            " and 1 rolled-back edits found again (the first: region 0, sequence id 9)"
        ));
        // Absent when there is nothing to point at: summary.json is as before.
        let json = serde_json::to_string(&durability(&[])).unwrap();
        assert!(!json.contains("first_"), "{json}");
    }
}
