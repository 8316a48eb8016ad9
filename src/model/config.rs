//! The server's settings as typed numbers, read once from the scenario's properties, with the
//! arithmetic HBase itself does on them (Java float products, the lower-mark rule).
//!
//! Nothing on the simulation path looks a property up by name: everything it needs is here.

use crate::model::block_cache::LruSettings;
use crate::model::client::buffered_mutator::MutatorLimits;
use crate::model::client::retry::RetryPolicy;
use crate::model::compaction::policy::OffPeakHours;
use crate::model::compaction::throughput::ThroughputController;
use crate::model::flush_throughput::FlushThroughputController;
use crate::model::region::split_policy::SplitPolicyKind;
use crate::model::region::store_hotness::HotnessLimits;
use crate::model::store::cell::{HeapAccounting, ObjectLayout};
use crate::model::wal::slow_sync::{CountRule, SlowSyncSettings};
use crate::scenario::Scenario;
use crate::scenario::profile::{ProfileId, call_queue_count};
use crate::scenario::workload::Durability;
use crate::sim::SimDuration;

/// Which stores a region flush writes (HBase's FlushPolicy classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushPolicyKind {
    /// 2.x default: with one family, that store; else the "large" stores, or all if none is large.
    AllLargeStores,
    /// 1.4 default: the large stores (bound from the configuration), or all if none is.
    LargeStores,
    /// Every store, always.
    AllStores,
}

/// How the RPC server queues calls (hbase.ipc.server.callqueue.type).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CallQueueType {
    /// FastPathBalancedQueueRpcExecutor over FIFO queues.
    Fifo,
    /// BalancedQueueRpcExecutor (no fast path) over BoundedPriorityBlockingQueues ordered by
    /// deadline: the receive time plus min(the priority function's deadline, 5 s), which is 0
    /// for mutations, so writes are served FIFO.
    Deadline,
    /// FastPathBalancedQueueRpcExecutor over AdaptiveLifoCoDelCallQueues.
    Codel(CodelSettings),
}

/// AdaptiveLifoCoDelCallQueue's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodelSettings {
    /// hbase.ipc.server.callqueue.codel.target.delay, in ms.
    pub target_delay_ms: u64,
    /// hbase.ipc.server.callqueue.codel.interval, in ms.
    pub interval_ms: u64,
    /// hbase.ipc.server.callqueue.codel.lifo.threshold.
    pub lifo_threshold: f64,
    /// What the queue's length is divided by before the comparison with the threshold: the soft
    /// limit from 2.5.16 (HBASE-29912), the queue's capacity max(soft limit, 250) before it and
    /// in 1.4.
    pub lifo_denominator: usize,
}

/// The release that has the CoDel LIFO threshold apply to the soft limit (HBASE-29912).
const CODEL_SOFT_LIMIT_SINCE_2_5: u32 = 16;

/// RpcExecutor.DEFAULT_CALL_QUEUE_SIZE_HARD_LIMIT: each queue's capacity is max(soft limit, this).
pub const CALL_QUEUE_CAPACITY_MIN: usize = 250;

/// CompactSplit's settings: its pools, the throughput controller, the CompactionChecker.
#[derive(Debug, Clone)]
pub struct CompactionSettings {
    /// hbase.regionserver.compaction.enabled (2.x; always on in 1.4).
    pub enabled: bool,
    pub small_threads: usize,
    pub large_threads: usize,
    /// The controller as it starts (the pressure-aware one at its lower bound).
    pub throughput: ThroughputController,
    /// hbase.hstore.compaction.throughput.tune.period.
    pub tune_period: SimDuration,
    /// hbase.regionserver.compaction.check.period and the per-store multiplier.
    pub check_period: SimDuration,
    pub check_multiplier: u64,
    /// hbase.regionserver.compactionChecker.majorCompactPriority.
    pub major_compact_priority: i32,
    /// hbase.offpeak.start.hour / end.hour, for the throughput controller's off-peak limit.
    pub off_peak_hours: OffPeakHours,
}

/// What decides splits: the policy class and its sizes, and the server's split limit.
#[derive(Debug, Clone, Copy)]
pub struct SplitSettings {
    pub policy: SplitPolicyKind,
    /// hbase.hregion.max.filesize (a table's MAX_FILESIZE overrides it).
    pub max_file_size: u64,
    pub jitter: f64,
    /// hbase.increasing.policy.initial.size (≤ 0: from the flush size).
    pub initial_size: i64,
    /// hbase.hregion.split.overallfiles (2.x).
    pub overall_files: bool,
    /// hbase.regionserver.regionSplitLimit.
    pub region_split_limit: u64,
}

/// Typed server settings for one run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub profile: ProfileId,
    /// hbase.hregion.memstore.block.multiplier.
    pub block_multiplier: u64,
    /// The global memstore upper limit: `(long) (heap × fraction)` in Java float arithmetic
    /// (MemorySizeUtil.getOnheapGlobalMemStoreSize, MemStoreFlusher 1.4), the fraction from
    /// `hbase.regionserver.global.memstore.memory.size` where 2.5.14+ has it set.
    pub global_upper_bytes: u64,
    /// The lower limit: `(long) (upper × lowMarkPercent)`, float arithmetic again.
    pub global_lower_bytes: u64,
    pub flusher_count: u32,
    /// hbase.server.thread.wakefrequency: a flush handler's poll timeout.
    pub flusher_poll_timeout: SimDuration,
    pub flush_policy: FlushPolicyKind,
    /// 1.4 FlushLargeStoresPolicy's bound (hbase.hregion.percolumnfamilyflush.size.lower.bound).
    pub flush_store_lower_bound_bytes: u64,
    /// 2.x floor of flush size ÷ families (…lower.bound.min).
    pub flush_store_lower_bound_min_bytes: u64,
    /// hbase.regionserver.flush.per.changes.
    pub flush_per_changes: u64,
    /// The flush throughput controller as it starts, and how often it is tuned
    /// (hbase.hstore.flush.throughput.tune.period).
    pub flush_throughput: FlushThroughputController,
    pub flush_throughput_tune_period: SimDuration,
    /// hbase.regionserver.optionalcacheflushinterval, if positive: a store whose oldest edit is
    /// older than this is flushed along with the large ones.
    pub flush_check_interval: Option<SimDuration>,
    /// What USE_DEFAULT means for a table: SYNC_WAL, or FSYNC_WAL with hbase.wal.hsync (2.5).
    pub default_durability: Durability,
    /// AsyncFSWAL syncs on its own once this many bytes are unsynced (hbase.wal.batch.size, 2.5;
    /// FSHLog has no such rule).
    pub wal_batch_bytes: Option<u64>,
    /// hbase.regionserver.handler.count.
    pub handlers: usize,
    /// RpcExecutor.computeNumCallQueues.
    pub call_queues: usize,
    /// hbase.ipc.server.max.callqueue.length, per queue.
    pub call_queue_length_max: usize,
    /// hbase.ipc.server.max.callqueue.size.
    pub call_queue_bytes_max: u64,
    /// hbase.ipc.server.callqueue.type.
    pub call_queue_type: CallQueueType,
    pub retry: RetryPolicy,
    /// The BufferedMutator's buffer and AsyncProcess's task limits.
    pub mutator: MutatorLimits,
    /// hbase.rowlock.wait.duration.
    pub row_lock_wait: SimDuration,
    /// hbase.busy.wait.duration, hbase.busy.wait.multiplier.max and the cap
    /// hbase.ipc.client.call.purge.timeout: the updates-lock wait is
    /// min(cap, duration × min(rows, multiplier)).
    pub busy_wait: SimDuration,
    pub busy_wait_multiplier_max: u64,
    pub busy_wait_max: SimDuration,
    /// hbase.regionserver.minibatch.size (2.5); 1.4 has no cap.
    pub minibatch_rows_max: usize,
    /// StoreHotnessProtector's bounds, when hbase.region.store.parallel.put.limit is above 0
    /// (2.5; 1.4 has none).
    pub store_hotness: Option<HotnessLimits>,
    /// WAL syncs in flight at once: unbounded for AsyncFSWAL (it pipelines them), the
    /// SyncRunner count (hbase.regionserver.hlog.syncer.count) for FSHLog.
    pub wal_syncs_in_flight_max: usize,
    /// How a memstore counts a cell: the JVM's object layout ([server] compressed_oops),
    /// hbase.hregion.memstore.mslab.enabled and .max.allocation, the line's duplicate rule.
    pub heap_accounting: HeapAccounting,
    /// hbase.hstore.blockingStoreFiles: more files than this in a store put its flushes off.
    pub blocking_store_files: usize,
    /// hbase.hstore.blockingWaitTime: how long at most.
    pub blocking_wait_time: SimDuration,
    /// The periodic flusher chore's period: hbase.regionserver.flush.check.period (2.5, and 1.4
    /// from 1.4.11), else hbase.server.thread.wakefrequency.
    pub periodic_flush_period: SimDuration,
    /// Periodic flush requests are delayed uniformly in [0, this):
    /// …periodicmemstoreflusher.rangeofdelayseconds (2.5, and 1.4 from 1.4.8), else the 5
    /// minutes HBase had hard-coded.
    pub periodic_flush_delay_range: SimDuration,
    /// hbase.hregion.preclose.flush.size: a close pre-flushes a memstore holding more data.
    pub preclose_flush_bytes: u64,
    /// The AsyncFSWAL provider (2.x default) rather than FSHLog: decides how a failed sync is
    /// handled.
    pub wal_async: bool,
    /// hbase.regionserver.wal.sync.timeout (2.5) / hbase.regionserver.hlog.sync.timeout (1.4).
    pub wal_sync_timeout: SimDuration,
    /// The WAL roll size: (long) (hbase.regionserver.hlog.blocksize ×
    /// hbase.regionserver.logroll.multiplier), in HBase's float arithmetic.
    pub wal_roll_bytes: u64,
    /// hbase.regionserver.logroll.period.
    pub wal_roll_period: SimDuration,
    /// The slow syncs that roll the WAL (2.5; 1.4 has no such roll).
    pub wal_slow_syncs: Option<SlowSyncSettings>,
    /// hbase.regionserver.maxlogs, as the profile computes it.
    pub wal_max_logs: u64,
    /// zookeeper.session.timeout: how long the master takes to see a dead server.
    pub zk_session_timeout: SimDuration,
    /// hbase.hlog.split.skip.errors.
    pub split_skip_errors: bool,
    pub recovery: RecoverySettings,
    pub compaction: CompactionSettings,
    pub split: SplitSettings,
    pub reads: ReadSettings,
}

/// How gets and scans read, and the block cache they read through.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSettings {
    /// LruBlockCache's capacity (hfile.block.cache.size × the heap) and shares.
    pub cache: LruSettings,
    /// hbase.block.data.cacheonread: data blocks read are cached (index and bloom blocks
    /// always are: CacheConfig.shouldCacheBlockOnRead).
    pub cache_data_on_read: bool,
    /// hbase.rs.cacheblocksonwrite: a flush caches the blocks it writes.
    pub cache_on_flush: bool,
    /// hbase.rs.cachecompactedblocksonwrite (2.5): a compaction caches the blocks it writes.
    pub cache_on_compaction: bool,
    /// hbase.rs.evictblocksonclose: a closing region drops its files' blocks.
    pub evict_on_close: bool,
    /// hbase.hfile.compaction.discharger.interval: compacted-away files are archived, and their
    /// blocks evicted, by this chore.
    pub discharger_interval: SimDuration,
    /// io.storefile.bloom.error.rate.
    pub bloom_error_rate: f64,
    /// io.storefile.bloom.block.size.
    pub bloom_chunk_bytes: u64,
    /// hbase.client.scanner.caching: rows a scan RPC returns unless the scan says.
    pub scanner_caching: u32,
    /// hbase.client.scanner.max.result.size.
    pub scanner_max_result_bytes: u64,
}

/// How a crashed server's recovery runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecoverySettings {
    /// `[server] restart`: when the new process has registered with the master after the old
    /// one died (`None`: it never comes back).
    pub restart_after: Option<SimDuration>,
    /// Whether the split goes through ZooKeeper tasks (1.4; 2.5 with
    /// hbase.split.wal.zk.coordinated) rather than master procedures.
    pub zk_coordinated: bool,
    /// hbase.regionserver.wal.max.splitters.
    pub max_splitters: u64,
    /// hbase.lease.recovery.first.pause.
    pub lease_recovery_pause: SimDuration,
    /// hbase.procedure.remote.dispatcher.delay.msec (procedure-based split only).
    pub dispatch_delay: SimDuration,
    /// hbase.regionserver.executor.openregion.threads.
    pub open_region_threads: u64,
    /// hbase.master.cleaner.interval: the LogCleaner chore's period.
    pub log_cleaner_interval: SimDuration,
    /// hbase.master.logcleaner.ttl.
    pub old_wal_ttl: SimDuration,
    /// hbase.regionserver.msginterval: the period of the server's reports to the master.
    pub report_interval: SimDuration,
}

impl RecoverySettings {
    fn new(scenario: &Scenario) -> RecoverySettings {
        let properties = &scenario.properties;
        let zk_coordinated = match scenario.profile {
            ProfileId::Hbase14 => true,
            ProfileId::Hbase25 => properties.bool("hbase.split.wal.zk.coordinated"),
        };
        RecoverySettings {
            restart_after: scenario.restart_after,
            zk_coordinated,
            max_splitters: properties
                .int("hbase.regionserver.wal.max.splitters")
                .max(1) as u64,
            lease_recovery_pause: properties.millis("hbase.lease.recovery.first.pause"),
            dispatch_delay: match scenario.profile {
                ProfileId::Hbase25 => {
                    properties.millis("hbase.procedure.remote.dispatcher.delay.msec")
                }
                ProfileId::Hbase14 => SimDuration::ZERO,
            },
            open_region_threads: properties
                .int("hbase.regionserver.executor.openregion.threads")
                .max(1) as u64,
            log_cleaner_interval: properties.millis("hbase.master.cleaner.interval"),
            old_wal_ttl: properties.millis("hbase.master.logcleaner.ttl"),
            report_interval: properties.millis("hbase.regionserver.msginterval"),
        }
    }
}

impl ServerConfig {
    /// HRegion.lock's wait for the updates lock, for a mini-batch of `rows` rows.
    pub fn updates_lock_wait(&self, rows: u64) -> SimDuration {
        let multiplier = rows.clamp(1, self.busy_wait_multiplier_max.max(1));
        self.busy_wait
            .saturating_mul(multiplier)
            .min(self.busy_wait_max)
    }
}

impl ServerConfig {
    pub fn new(scenario: &Scenario) -> ServerConfig {
        let properties = &scenario.properties;
        let memstore_fraction = properties.global_memstore_fraction();
        let lower_fraction = properties
            .float("hbase.regionserver.global.memstore.size.lower.limit")
            .min(1.0) as f32;
        let global_upper_bytes = (scenario.heap_bytes as f32 * memstore_fraction) as u64;
        let global_lower_bytes = (global_upper_bytes as f32 * lower_fraction) as u64;
        let flush_policy = match properties.text("hbase.regionserver.flush.policy") {
            "org.apache.hadoop.hbase.regionserver.FlushAllStoresPolicy" => {
                FlushPolicyKind::AllStores
            }
            "org.apache.hadoop.hbase.regionserver.FlushLargeStoresPolicy" => {
                FlushPolicyKind::LargeStores
            }
            // FlushNonSloppyStoresFirstPolicy only differs for CompactingMemStore, which is off.
            _ => FlushPolicyKind::AllLargeStores,
        };
        let flush_check_millis = properties.int("hbase.regionserver.optionalcacheflushinterval");
        let hsync = scenario.profile == ProfileId::Hbase25 && properties.bool("hbase.wal.hsync");
        let handlers = properties.int("hbase.regionserver.handler.count").max(1) as usize;
        let call_queues = call_queue_count(
            handlers as i64,
            properties.float("hbase.ipc.server.callqueue.handler.factor"),
        ) as usize;
        let overloaded_pause = match scenario.profile {
            ProfileId::Hbase25 => "hbase.client.pause.server.overloaded",
            ProfileId::Hbase14 => "hbase.client.pause.cqtbe",
        };
        // 1.4 raises a cqtbe pause below hbase.client.pause to it (HBASE-17114).
        let pause = properties.millis("hbase.client.pause");
        let pause_server_overloaded = properties.millis(overloaded_pause).max(pause);
        ServerConfig {
            profile: scenario.profile,
            block_multiplier: properties.bytes("hbase.hregion.memstore.block.multiplier"),
            global_upper_bytes,
            global_lower_bytes,
            flusher_count: properties.int("hbase.hstore.flusher.count").max(1) as u32,
            flusher_poll_timeout: properties.millis("hbase.server.thread.wakefrequency"),
            flush_policy,
            flush_store_lower_bound_bytes: properties
                .int_opt("hbase.hregion.percolumnfamilyflush.size.lower.bound")
                .unwrap_or(16 << 20) as u64,
            flush_store_lower_bound_min_bytes: properties
                .int_opt("hbase.hregion.percolumnfamilyflush.size.lower.bound.min")
                .unwrap_or(16 << 20) as u64,
            flush_per_changes: properties.bytes("hbase.regionserver.flush.per.changes"),
            flush_throughput: if properties
                .text("hbase.regionserver.flush.throughput.controller")
                .ends_with("PressureAwareFlushThroughputController")
            {
                FlushThroughputController::pressure_aware(
                    properties.bytes("hbase.hstore.flush.throughput.lower.bound"),
                    properties.bytes("hbase.hstore.flush.throughput.upper.bound"),
                )
            } else {
                FlushThroughputController::NO_LIMIT
            },
            flush_throughput_tune_period: properties
                .millis("hbase.hstore.flush.throughput.tune.period"),
            flush_check_interval: (flush_check_millis > 0)
                .then(|| SimDuration::from_millis(flush_check_millis as u64)),
            default_durability: if hsync {
                Durability::FsyncWal
            } else {
                Durability::SyncWal
            },
            wal_batch_bytes: properties
                .int_opt("hbase.wal.batch.size")
                .filter(|_| properties.text("hbase.wal.provider") == "asyncfs")
                .map(|bytes| bytes as u64),
            handlers,
            call_queues,
            call_queue_length_max: properties.int("hbase.ipc.server.max.callqueue.length") as usize,
            call_queue_bytes_max: properties.bytes("hbase.ipc.server.max.callqueue.size"),
            call_queue_type: call_queue_type(scenario),
            retry: RetryPolicy {
                pause,
                pause_server_overloaded,
                attempts_max: properties.int("hbase.client.retries.number") as u32 + 1,
                operation_timeout: properties.millis("hbase.client.operation.timeout"),
                rpc_timeout: properties.millis("hbase.rpc.timeout"),
            },
            mutator: MutatorLimits {
                write_buffer: properties.bytes("hbase.client.write.buffer"),
                total_tasks: properties.int("hbase.client.max.total.tasks") as u32,
                server_tasks: properties.int("hbase.client.max.perserver.tasks") as u32,
                region_tasks: properties.int("hbase.client.max.perregion.tasks") as u32,
                request_heap: properties.bytes("hbase.client.max.perrequest.heapsize"),
                submit_heap: properties.bytes("hbase.client.max.submit.heapsize"),
                request_rows: properties
                    .int_opt("hbase.client.max.perrequest.rows")
                    .map(|rows| rows as u64),
                periodic_flush: properties
                    .int_opt("hbase.client.write.buffer.periodicflush.timeout.ms")
                    .filter(|&timeout| timeout > 0)
                    .map(|_| {
                        (
                            properties.millis("hbase.client.write.buffer.periodicflush.timeout.ms"),
                            properties
                                .millis("hbase.client.write.buffer.periodicflush.timertick.ms"),
                        )
                    }),
                flush_waits: scenario.profile == ProfileId::Hbase25,
                retries_constant: match scenario.profile {
                    ProfileId::Hbase25 => 15,
                    ProfileId::Hbase14 => 31,
                },
            },
            row_lock_wait: properties.millis("hbase.rowlock.wait.duration"),
            busy_wait: properties.millis("hbase.busy.wait.duration"),
            busy_wait_multiplier_max: properties.bytes("hbase.busy.wait.multiplier.max"),
            busy_wait_max: properties.millis("hbase.ipc.client.call.purge.timeout"),
            minibatch_rows_max: properties
                .int_opt("hbase.regionserver.minibatch.size")
                .map_or(usize::MAX, |rows| rows as usize),
            store_hotness: properties
                .int_opt("hbase.region.store.parallel.put.limit")
                .filter(|&limit| limit > 0)
                .map(|limit| {
                    let multiplier =
                        properties.int("hbase.region.store.parallel.prepare.put.multiplier");
                    HotnessLimits {
                        preparing_max: (limit.saturating_mul(multiplier)).min(u32::MAX.into())
                            as u32,
                        cells_min: properties
                            .int("hbase.region.store.parallel.put.limit.min.column.count")
                            .min(u32::MAX.into()) as u32,
                    }
                }),
            wal_syncs_in_flight_max: match properties.text("hbase.wal.provider") {
                "filesystem" => properties
                    .int("hbase.regionserver.hlog.syncer.count")
                    .max(1) as usize,
                _ => usize::MAX,
            },
            heap_accounting: HeapAccounting {
                layout: if scenario.compressed_oops() {
                    ObjectLayout::COMPRESSED_OOPS
                } else {
                    ObjectLayout::UNCOMPRESSED_OOPS
                },
                mslab_max_allocation_bytes: properties
                    .bool("hbase.hregion.memstore.mslab.enabled")
                    .then(|| properties.bytes("hbase.hregion.memstore.mslab.max.allocation")),
                duplicate_counts_length_only: scenario.profile == ProfileId::Hbase14,
            },
            blocking_store_files: properties.int("hbase.hstore.blockingStoreFiles").max(0) as usize,
            blocking_wait_time: properties.millis("hbase.hstore.blockingWaitTime"),
            periodic_flush_period: SimDuration::from_millis(
                properties
                    .int_opt_if_exists("hbase.regionserver.flush.check.period")
                    .unwrap_or_else(|| properties.int("hbase.server.thread.wakefrequency"))
                    as u64,
            ),
            periodic_flush_delay_range: SimDuration::from_secs(
                properties
                    .int_opt_if_exists(
                        "hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds",
                    )
                    .unwrap_or(300) as u64,
            ),
            preclose_flush_bytes: properties.bytes("hbase.hregion.preclose.flush.size"),
            wal_async: properties.text("hbase.wal.provider") == "asyncfs",
            wal_sync_timeout: match scenario.profile {
                ProfileId::Hbase25 => properties.millis("hbase.regionserver.wal.sync.timeout"),
                ProfileId::Hbase14 => properties.millis("hbase.regionserver.hlog.sync.timeout"),
            },
            wal_roll_bytes: (properties.bytes("hbase.regionserver.hlog.blocksize") as f32
                * properties.float("hbase.regionserver.logroll.multiplier") as f32)
                as u64,
            wal_roll_period: properties.millis("hbase.regionserver.logroll.period"),
            wal_slow_syncs: (scenario.profile == ProfileId::Hbase25).then(|| SlowSyncSettings {
                slow: properties.millis("hbase.regionserver.wal.slowsync.ms"),
                roll_on_sync: properties.millis("hbase.regionserver.wal.roll.on.sync.ms"),
                count_rule: (properties.text("hbase.wal.provider") == "filesystem").then(|| {
                    CountRule {
                        threshold: properties
                            .bytes("hbase.regionserver.wal.slowsync.roll.threshold"),
                        interval: properties
                            .millis("hbase.regionserver.wal.slowsync.roll.interval.ms"),
                    }
                }),
            }),
            wal_max_logs: properties.int("hbase.regionserver.maxlogs").max(1) as u64,
            zk_session_timeout: properties.millis("zookeeper.session.timeout"),
            split_skip_errors: properties.bool("hbase.hlog.split.skip.errors"),
            recovery: RecoverySettings::new(scenario),
            compaction: CompactionSettings::new(scenario),
            split: SplitSettings {
                policy: SplitPolicyKind::from_class(
                    properties.text("hbase.regionserver.region.split.policy"),
                ),
                max_file_size: properties.bytes("hbase.hregion.max.filesize"),
                jitter: properties.float("hbase.hregion.max.filesize.jitter"),
                initial_size: properties.int("hbase.increasing.policy.initial.size"),
                overall_files: scenario.profile == ProfileId::Hbase25
                    && properties.bool("hbase.hregion.split.overallfiles"),
                region_split_limit: properties.bytes("hbase.regionserver.regionSplitLimit"),
            },
            reads: ReadSettings::new(scenario),
        }
    }
}

/// hbase.ipc.server.callqueue.type with its CoDel settings (pluggable is refused at load).
fn call_queue_type(scenario: &Scenario) -> CallQueueType {
    let properties = &scenario.properties;
    match properties.text("hbase.ipc.server.callqueue.type") {
        "deadline" => CallQueueType::Deadline,
        "codel" => {
            let soft_limit = properties.int("hbase.ipc.server.max.callqueue.length") as usize;
            let on_soft_limit = scenario.profile == ProfileId::Hbase25
                && scenario.release.has(CODEL_SOFT_LIMIT_SINCE_2_5);
            CallQueueType::Codel(CodelSettings {
                target_delay_ms: properties.bytes("hbase.ipc.server.callqueue.codel.target.delay"),
                interval_ms: properties.bytes("hbase.ipc.server.callqueue.codel.interval"),
                lifo_threshold: properties.float("hbase.ipc.server.callqueue.codel.lifo.threshold"),
                lifo_denominator: if on_soft_limit {
                    soft_limit
                } else {
                    soft_limit.max(CALL_QUEUE_CAPACITY_MIN)
                },
            })
        }
        _ => CallQueueType::Fifo,
    }
}

impl CompactionSettings {
    fn new(scenario: &Scenario) -> CompactionSettings {
        let properties = &scenario.properties;
        let pressure_aware = properties
            .text("hbase.regionserver.throughput.controller")
            .ends_with("PressureAwareCompactionThroughputController");
        CompactionSettings {
            enabled: scenario.profile == ProfileId::Hbase14
                || properties.bool("hbase.regionserver.compaction.enabled"),
            small_threads: properties
                .int("hbase.regionserver.thread.compaction.small")
                .max(1) as usize,
            large_threads: properties
                .int("hbase.regionserver.thread.compaction.large")
                .max(1) as usize,
            throughput: if pressure_aware {
                ThroughputController::pressure_aware(
                    properties.bytes("hbase.hstore.compaction.throughput.lower.bound"),
                    properties.bytes("hbase.hstore.compaction.throughput.higher.bound"),
                    properties.bytes("hbase.hstore.compaction.throughput.offpeak"),
                )
            } else {
                ThroughputController::NoLimit
            },
            tune_period: properties.millis("hbase.hstore.compaction.throughput.tune.period"),
            check_period: properties.millis("hbase.regionserver.compaction.check.period"),
            check_multiplier: properties
                .bytes("hbase.server.compactchecker.interval.multiplier")
                .max(1),
            off_peak_hours: OffPeakHours::new(
                properties.int("hbase.offpeak.start.hour"),
                properties.int("hbase.offpeak.end.hour"),
            ),
            major_compact_priority: properties
                .int("hbase.regionserver.compactionChecker.majorCompactPriority")
                .clamp(i64::from(i32::MIN), i64::from(i32::MAX))
                as i32,
        }
    }
}

impl ReadSettings {
    fn new(scenario: &Scenario) -> ReadSettings {
        let properties = &scenario.properties;
        let fraction = |name: &str| properties.float(name) as f32;
        // LruBlockCache's constructor: the capacity is the heap × hfile.block.cache.size as a
        // float product (MemorySizeUtil.getOnHeapCacheSize).
        let capacity = (scenario.heap_bytes as f32 * fraction("hfile.block.cache.size")) as u64;
        let mut cache = LruSettings::with_capacity(capacity);
        cache.single_factor = fraction("hbase.lru.blockcache.single.percentage");
        cache.multi_factor = fraction("hbase.lru.blockcache.multi.percentage");
        cache.memory_factor = fraction("hbase.lru.blockcache.memory.percentage");
        cache.acceptable_factor = fraction("hbase.lru.blockcache.acceptable.factor");
        cache.min_factor = fraction("hbase.lru.blockcache.min.factor");
        cache.force_in_memory = properties.bool("hbase.lru.rs.inmemoryforcemode");
        cache.max_block_bytes = properties.bytes("hbase.lru.max.block.size");
        ReadSettings {
            cache,
            cache_data_on_read: properties.bool("hbase.block.data.cacheonread"),
            cache_on_flush: properties.bool("hbase.rs.cacheblocksonwrite"),
            cache_on_compaction: scenario.profile == ProfileId::Hbase25
                && properties.bool("hbase.rs.cachecompactedblocksonwrite"),
            evict_on_close: properties.bool("hbase.rs.evictblocksonclose"),
            discharger_interval: SimDuration::from_millis(
                properties.int("hbase.hfile.compaction.discharger.interval") as u64,
            ),
            bloom_error_rate: properties.float("io.storefile.bloom.error.rate"),
            bloom_chunk_bytes: properties.bytes("io.storefile.bloom.block.size"),
            scanner_caching: properties.int("hbase.client.scanner.caching") as u32,
            scanner_max_result_bytes: properties.bytes("hbase.client.scanner.max.result.size"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(heap: &str, extra: &str) -> Scenario {
        crate::scenario::for_tests(&format!(
            "[server]\nheap = \"{heap}\"\n[properties]\n{extra}\n"
        ))
    }

    // The limits come out as HBase computes them, float rounding included: 16 GiB × 0.4f is
    // 6871947776 in float arithmetic (not 6871947673), and the lower mark is 0.95f of that.
    #[test]
    fn global_limits_use_java_float_arithmetic() {
        let config = ServerConfig::new(&scenario("16GB", ""));
        assert_eq!(config.global_upper_bytes, 6_871_947_776);
        assert_eq!(
            config.global_lower_bytes,
            (6_871_947_776f32 * 0.95f32) as u64
        );
        // The reference's example: 32 GiB → high 12.8 GiB, low 12.16 GiB (to float precision).
        let config = ServerConfig::new(&scenario("32GB", ""));
        assert!((config.global_upper_bytes as f64 / (1u64 << 30) as f64 - 12.8).abs() < 1e-6);
        assert!((config.global_lower_bytes as f64 / (1u64 << 30) as f64 - 12.16).abs() < 1e-6);
    }

    // HBASE-28601 (2.5.14+): an absolute memstore size sets the upper limit, as
    // (long) (heap × (float) (bytes ÷ heap)) — exactly 4 GiB of 16 GiB — and the lower mark is
    // 0.95 of it.
    #[test]
    fn the_absolute_memstore_size_sets_the_limits() {
        let config = ServerConfig::new(&scenario(
            "16GB",
            "\"hbase.regionserver.global.memstore.memory.size\" = \"4GB\"",
        ));
        assert_eq!(config.global_upper_bytes, 4 << 30);
        assert_eq!(
            config.global_lower_bytes,
            ((4u64 << 30) as f32 * 0.95f32) as u64
        );
    }

    // The deprecated lowerLimit (a heap fraction) becomes a fraction of the upper limit.
    #[test]
    fn deprecated_lower_limit_is_converted() {
        let config = ServerConfig::new(&scenario(
            "10GB",
            "\"hbase.regionserver.global.memstore.lowerLimit\" = 0.35",
        ));
        let expected = config.global_upper_bytes as f64 * 0.35 / 0.4;
        assert!((config.global_lower_bytes as f64 - expected).abs() / expected < 1e-6);
    }

    // maxlogs as each line computes it: 2.5 with 32 GiB → 204; 1.4 with 32 GiB → 216; a small
    // heap → the floor of 32 (the reference's worked examples).
    #[test]
    fn max_logs_follow_each_line() {
        let max_logs = |heap: &str, profile: &str| {
            crate::scenario::for_tests(&format!(
                "profile = \"{profile}\"\n[server]\nheap = \"{heap}\"\n"
            ))
            .properties
            .int("hbase.regionserver.maxlogs")
        };
        assert_eq!(max_logs("32GB", "hbase-2.5"), 204);
        assert_eq!(max_logs("32GB", "hbase-1.4"), 216);
        assert_eq!(max_logs("4GB", "hbase-2.5"), 32);
    }
}
