//! The RegionServer run: clients send requests, the RPC layer queues them for handler threads,
//! the handlers run HRegion.batchMutate, the WAL syncs, the MemStoreFlusher writes memstores out
//! as store files — all driven by one event queue in simulated time.
//!
//! The pieces live in submodules that share this struct: `clients` (requests, retries, RPC
//! timeouts), `write_path` (a call on a handler: reclaimMemStoreMemory, checkResources, row
//! locks, the updates lock, the WAL, the memstore, MVCC), `flushing` (the flusher, flushes,
//! global pressure, the periodic flusher) and `actions` (operator actions). Calls that become
//! runnable (a lock granted, a sync done, a handler free) go on a ready list drained after each
//! event, so no wake-up recurses into another.
//!
//! `compacting` runs CompactSplit, `wal_writing` the WAL's files (appends, syncs, rolls,
//! archiving), `recovery` the faults that strike at a time, a crash and HBase's recovery, and
//! `warm_start` the state a `[warm]` run begins in.

mod actions;
mod clients;
mod compacting;
mod flushing;
mod gc_pauses;
mod mutating;
mod read_path;
mod recovery;
mod reports;
mod wal_writing;
mod warm_start;
mod write_path;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use thiserror::Error;

use crate::model::client::buffered_mutator::{BufferedMutator, MutatorAtEnd};
use crate::model::client::request::Request;
use crate::model::client::workload::{Client, OpenLoopAtEnd};
use crate::model::compaction::compact_split::CompactSplit;
use crate::model::compaction::throughput::ThroughputController;
use crate::model::config::ServerConfig;
use crate::model::event::{Event, TraceRecord};
use crate::model::faults::FaultPlan;
use crate::model::flush_throughput::FlushThroughputController;
use crate::model::flusher::Flusher;
use crate::model::hdfs::devices::{Devices, PipeUtilisation, TransferKey};
use crate::model::hdfs::latency::LatencySampler;
use crate::model::hdfs::sim_fs::SimFs;
use crate::model::region::hregion::{FlushId, Region, RegionId, RegionState, TableLayout};
use crate::model::region::layout::{ClientCells, client_cells, table_layouts};
use crate::model::rpc::{CallId, RpcScheduler, RpcShape};
use crate::model::stats::RunStats;
use crate::model::store::cell::{Cell, MemSize};
use crate::model::timeline::{Sample, Timeline};
use crate::model::wal::durability::{DurabilityCheck, DurabilityOracle};
use crate::model::wal::files::{FsWal, RolledFile, SyncPoint};
use crate::model::wal::group_commit::Wal;
use crate::model::wal::names::{RegionName, TableNames};
use crate::model::wal::serial_work::SerialWork;
use crate::model::wal::slow_sync::SlowSyncs;
use crate::scenario::Scenario;
use crate::scenario::known_bugs::KnownBug;
use crate::scenario::workload::{Arrival, ClientApi, OpKind};
use crate::sim::{EventQueue, RandomStream, SimDuration, SimTime, Slab, TraceHash};

pub use warm_start::{WarmPlan, WarmRegion};
pub use write_path::Call;

/// Most requests in flight at once before a run is stopped: an open-loop workload far above
/// what the server drains would otherwise grow without bound.
pub const REQUESTS_IN_FLIGHT_MAX: usize = 20_000_000;

/// Most events pending at once before a run is stopped (about 1 GB of queue).
pub const EVENTS_PENDING_MAX: usize = 30_000_000;

/// Most events at one simulated instant before a run is stopped: past it, something in the
/// model keeps scheduling work without letting time pass, and the run would never end.
pub const EVENTS_AT_ONE_INSTANT_MAX: u64 = 10_000_000;

/// How often (in events) a progress sink hears of the run.
const PROGRESS_EVERY_EVENTS: u64 = 1 << 16;

/// Identifies a request at the client.
pub type RequestId = u32;

/// Why a run could not finish.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RunError {
    #[error(
        "more than {limit} requests were in flight at {at}: the server cannot keep up with the offered load (lower the rate or add capacity)"
    )]
    TooManyInFlight { limit: usize, at: SimTime },
    #[error(
        "more than {limit} events were pending at {at}: the run outgrew the event queue's bound (shorten it, or lower the load)"
    )]
    TooManyEvents { limit: usize, at: SimTime },
    #[error(
        "more than {limit} events at {at} without the simulated clock moving: nothing lets time pass (are latencies and think times all zero?), or a loop in the model"
    )]
    Stuck { limit: u64, at: SimTime },
}

/// What a transfer on a write device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransferOwner {
    Flush(FlushId),
    /// The WAL's output stream writing the bytes of the syncs in `wal_bytes`' running piece.
    WalChunk,
    /// With the CPU model on: the WAL consumer's CPU for the syncs in `wal_cpu`'s piece.
    WalCpu,
    /// With the CPU model on: one of the collector's concurrent threads through a phase.
    GcCpu,
    /// A compaction reading its input files, and writing its output file.
    CompactionRead(u64),
    CompactionWrite(u64),
    /// With the CPU model on: a handler's CPU for its call, a flush's for its cells, a
    /// compaction's for its merge.
    HandlerCpu(CallId),
    FlushCpu(FlushId),
    /// A read's missed block crossing the HDFS read pipe.
    BlockRead(CallId),
    CompactionCpu(u64),
}

/// Who runs a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Executor {
    Handler(usize),
    /// An admin flush runs in the RPC handler that received it.
    Admin,
    /// An operator task (close, split, merge, bulk load, snapshot) runs it and goes on after.
    Task(u32),
}

/// Where a flush stands, after HRegion.internalPrepareFlushCache's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlushStage {
    /// Waiting for the updates lock's write side to snapshot.
    Snapshot,
    /// START_FLUSH is appended; waiting for a full WAL sync (HBASE-8208).
    StartMarkerSync,
    /// Writing the HFiles: their bytes through the write pipe and the per-cell CPU, both.
    Writing { parts_left: u8 },
    /// Each file validated (a reader opened and closed), renamed into the store, opened.
    Committing,
    /// Committed, memory released; COMMIT_FLUSH is appended and waits for its sync.
    CommitMarkerSync,
}

#[derive(Debug, Clone)]
struct FlushJob {
    region: RegionId,
    reason: crate::model::flusher::FlushReason,
    executor: Executor,
    stores: Vec<usize>,
    stage: FlushStage,
    /// Cells in the snapshots, each costing `io.flush_cpu_per_cell`.
    snapshot_cells: u64,
    started_at: SimTime,
    /// The region's flushed sequence id once this flush commits.
    flushed_sequence_id: u64,
    /// The flush's own sequence id (HBase's flushOpSeqId): above every edit the snapshot could
    /// hold. A flush of some families hands out no number here; the highest handed out stands
    /// for HBase's next one.
    op_sequence_id: u64,
    /// The store files the snapshots become, by store index (set at the snapshot).
    files: Vec<(usize, crate::model::store::store_file::StoreFile)>,
    /// Its transfer on the write pipe, once it writes.
    write: Option<TransferKey>,
    /// HBASE-21738: the snapshot's cells are being counted with the updates lock held.
    counting_cells: bool,
}

/// A region as the run left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionAtEnd {
    pub id: RegionId,
    pub start_row: u64,
    pub end_row: u64,
    /// Files in each store.
    pub store_files: Vec<usize>,
}

/// What a finished run leaves for the report.
#[derive(Debug)]
pub struct RunOutcome {
    pub stats: RunStats,
    pub trace_hash: TraceHash,
    pub end: SimTime,
    pub global_upper_bytes: u64,
    pub global_lower_bytes: u64,
    /// Memstore data and heap still held at the end, summed over regions.
    pub memstore_at_end: MemSize,
    pub requests_in_flight_at_end: BTreeMap<OpKind, u64>,
    pub requests_in_flight_peak: usize,
    pub store_files: u64,
    pub store_file_bytes: u64,
    pub wal: Wal,
    pub flusher: Flusher,
    pub event_queue_peak: usize,
    pub rpc: RpcScheduler,
    pub handlers: usize,
    pub call_queues: usize,
    pub flusher_handlers: usize,
    /// Regions in the tables' maps at the end.
    pub regions_at_end: usize,
    /// Each table's regions at the end, in key order: their rows [start, end) and their
    /// store files per store.
    pub region_map_at_end: Vec<Vec<RegionAtEnd>>,
    /// Every region the run had (split parents and merged ones too), by id: its table, encoded
    /// name and key range.
    pub region_names: Vec<RegionName>,
    /// Time regions spent offline, summed, counting regions still offline up to the end.
    pub region_offline_nanos: u128,
    pub timeline: Timeline,
    /// The durability oracle's check at the end of the run.
    pub durability: DurabilityCheck,
    /// The simulated filesystem as the run left it (WAL files, corrupt files, edits).
    pub fs: SimFs,
    /// The server's WAL directory at the end, and whether the process was up.
    pub wal_dir: String,
    pub server_up_at_end: bool,
    /// hbase.regionserver.maxlogs as the run used it.
    pub wal_max_logs: u64,
    /// WAL files created and archived over the run (every server process), and in the
    /// directory at the end.
    pub wal_files_created: u64,
    pub wal_files_archived: u64,
    pub wal_files_at_end: u64,
    /// Each open-loop workload's arrivals offered and started.
    pub open_loop: Vec<OpenLoopAtEnd>,
    /// Each BufferedMutator workload's buffer and tasks.
    pub mutators: Vec<MutatorAtEnd>,
    /// The JVM's collections, with `[jvm] gc = "on"`.
    pub gc: Option<crate::model::gc::Gc>,
    /// The block cache at the end (when a workload reads).
    pub block_cache: Option<crate::model::block_cache::CacheAtEnd>,
    /// How full the storage pipes were over the run.
    pub pipes: PipeUtilisation,
    /// The compaction pools' threads (small + large).
    pub compaction_threads: usize,
}

/// The simulation of one RegionServer.
pub struct RegionServer<'s> {
    scenario: &'s Scenario,
    config: ServerConfig,
    queue: EventQueue<Event>,
    trace: TraceHash,
    trace_sink: Option<&'s mut dyn FnMut(TraceRecord)>,
    /// Told the simulated time every `PROGRESS_EVERY_EVENTS` events (for a progress bar).
    progress_sink: Option<&'s mut dyn FnMut(SimTime)>,
    tables: Vec<TableLayout>,
    regions: Vec<Region>,
    clients: Vec<Client>,
    client_cells: Vec<ClientCells>,
    requests: Slab<Request>,
    /// BufferedMutator threads that can go on (workload, flusher), run after each event.
    mutator_work: VecDeque<(u32, u32)>,
    /// Per workload: a BufferedMutator's one-second rescan is pending.
    mutator_rescan_scheduled: Vec<bool>,
    /// Requests the clients are still waiting on (`requests` also holds finished ones whose
    /// calls the server is still working on), and the most at once.
    requests_open: usize,
    requests_open_peak: usize,
    calls: Slab<Call>,
    /// Answers on their way back to the client.
    answers: Slab<clients::Answer>,
    network_rtt: LatencySampler,
    rpc: RpcScheduler,
    /// The clients' retry jitter.
    retry_jitter: RandomStream,
    next_attempt_id: u64,
    /// Attempts in send order with their RPC deadline (all share hbase.rpc.timeout, so this is
    /// also deadline order); finished attempts are skipped when they reach the front.
    rpc_deadlines: VecDeque<(SimTime, RequestId, u64)>,
    rpc_deadline_scheduled: bool,
    /// The JVM's collections (with `[jvm] gc = "on"`), and the end of the pause under
    /// way: until then no server thread runs.
    gc: Option<crate::model::gc::Gc>,
    paused_until: SimTime,
    /// The cores' work done and possible at the last sample, for each interval's share.
    cpu_work_sampled: (u128, u128),
    /// Time paused by collections and bytes allocated, up to the last sample.
    gc_sampled: (SimDuration, u128),
    /// Per device, the last completion a WriteDone was queued for (time and generation).
    write_done_scheduled: [Option<(SimTime, u64)>; 4],
    /// Calls that can make progress, drained after each event.
    ready: VecDeque<CallId>,
    /// Calls whose handler waits in reclaimMemStoreMemory above the upper limit.
    blocked_calls: VecDeque<CallId>,
    flushes: Slab<FlushJob>,
    /// Operator actions in progress.
    tasks: Slab<actions::OperatorTask>,
    flusher: Flusher,
    /// When the pending FlushQueueDue event fires, if one is pending.
    flush_queue_due_scheduled: Option<SimTime>,
    /// The periodic flusher's random delays.
    periodic_flush_delay: RandomStream,
    wal: Wal,
    wal_sync_latency: LatencySampler,
    /// The simulated filesystem: WAL files, recovered edits, corrupt files.
    fs: SimFs,
    /// The WAL's files.
    fs_wal: FsWal,
    /// Each region's encoded name, by id (filled as regions first write).
    region_names: Vec<Vec<u8>>,
    table_names: Vec<TableNames>,
    /// Buffers for the WAL entry being encoded: its cells, and one row key.
    wal_cells: Vec<(Cell, u64)>,
    wal_row: Vec<u8>,
    /// Where each sync in flight started, and when.
    sync_points: BTreeMap<u64, (SyncPoint, SimTime)>,
    /// A sync failed and the writer is broken until the roll (already under way) replaces it.
    wal_broken: bool,
    roll_requested: Option<crate::model::wal::files::RollReason>,
    roll_in_progress: Option<crate::model::wal::files::RollReason>,
    /// Writers of the old file a roll under way syncs by closing it.
    roll_waiters: Vec<CallId>,
    last_roll_at: SimTime,
    /// The slow syncs counted for a roll (2.5).
    slow_syncs: Option<SlowSyncs>,
    /// Every acknowledged and rolled-back edit.
    oracle: DurabilityOracle,
    /// Whether the server process is up.
    alive: bool,
    /// The dead server's WAL files as it left them, and where they are being split.
    dead_wal_files: Vec<RolledFile>,
    splitting_dir: String,
    /// Regions of the dead server not yet open again.
    regions_recovering: BTreeSet<RegionId>,
    /// WAL files created and archived by server processes that died.
    wal_files_created: u64,
    wal_files_archived: u64,
    /// Torn-write crashes struck and about to happen, with the part of the entry left.
    torn_fraction: BTreeMap<usize, f64>,
    /// The WAL files unreadable faults struck, by fault, until their datanodes are back.
    unreadable_files: BTreeMap<usize, crate::model::hdfs::sim_fs::FileId>,
    /// How many times slower the disks run (slow-disk faults).
    slow_disk_factor: f64,
    faults: FaultPlan,
    /// The HDFS write pipe and the WAL's device, with who each transfer belongs to.
    devices: Devices<TransferOwner>,
    /// WAL syncs in flight and how many of their parts (latency, bytes, and the consumer's
    /// CPU with the CPU model on) are still running.
    sync_parts: BTreeMap<u64, u8>,
    /// The WAL is one HDFS output stream writing the syncs' bytes in turn, and (with the CPU
    /// model on) one consumer thread encoding their entries in turn.
    wal_bytes: SerialWork,
    wal_cpu: SerialWork,
    /// HBASE-8755's old model: the writers of the last sync, passing HLog's flush lock one by
    /// one (the next sync waits until they all have).
    wal_lock_passing: Vec<CallId>,
    /// RegionServerAccounting: every region's memstore size.
    global: MemSize,
    stats: RunStats,
    timeline: Timeline,
    next_file_id: u64,
    /// CompactSplit's pools and queues.
    compact_split: CompactSplit<compacting::Selection>,
    /// Compactions running, by id.
    compactions: BTreeMap<u64, compacting::CompactionJob>,
    next_compaction_id: u64,
    throughput: ThroughputController,
    /// The flush throughput controller in force.
    flush_throughput: FlushThroughputController,
    /// HStore's static offPeakCompactionTracker: one off-peak compaction at a time.
    off_peak_compaction_running: bool,
    /// The CompactionChecker's run count.
    compaction_check_iteration: u64,
    /// Each region open's split-size jitter draw.
    split_jitter: RandomStream,
    /// 1.4's (and 2.5's ZooKeeper-coordinated) split workers' sleep after grabbing a task.
    split_grab: RandomStream,
    /// Dead WAL files whose leases are not recovered yet (the files the writer held open).
    lease_pending: BTreeSet<String>,
    /// The last failed split: a retry of the same files, unchanged, fails the same way and is
    /// not read again.
    last_failed_split: Option<recovery::FailedSplit>,
    /// WALs a split archived to oldWALs/, with when, until the LogCleaner deletes them.
    old_wals: Vec<(crate::model::hdfs::sim_fs::FileId, SimTime)>,
    /// Whether a LogCleaner run is scheduled.
    log_cleaner_scheduled: bool,
    /// The flushed sequence ids the server reported to the master, as the master keeps them.
    master_view: reports::MasterView,
    /// The time regions take to open.
    region_open_latency: LatencySampler,
    /// The block cache and the reads' state (`None` when no workload reads).
    reads: Option<Box<read_path::Reads>>,
    end: SimTime,
    /// The end of the warm-up: latencies and throughput count from here.
    measured_from: SimTime,
}

impl std::fmt::Debug for RegionServer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionServer")
            .field("now", &self.queue.now())
            .field("regions", &self.regions.len())
            .finish_non_exhaustive()
    }
}

impl<'s> RegionServer<'s> {
    pub fn new(scenario: &'s Scenario) -> RegionServer<'s> {
        let config = ServerConfig::new(scenario);
        let end = SimTime::ZERO + scenario.duration;
        let tables = table_layouts(scenario);
        let mut split_jitter = RandomStream::new(scenario.seed, "split.jitter");
        let mut regions = Vec::new();
        for (table_index, (table, layout)) in scenario.tables.iter().zip(&tables).enumerate() {
            for (position, &(start_row, id)) in layout.region_map.iter().enumerate() {
                let end_row = layout
                    .region_map
                    .get(position + 1)
                    .map_or(u64::MAX, |&(next, _)| next);
                regions.push(Region::new(
                    id,
                    table_index,
                    (start_row, end_row),
                    &table.families,
                    layout.flush_size_bytes,
                    config.block_multiplier,
                    layout.tracks_values,
                    layout.split_policy(&config.split, split_jitter.next_f32()),
                    SimTime::ZERO,
                ));
            }
        }
        let client_cells = client_cells(scenario, &config, &tables);
        let tables_for_names = tables.clone();
        let clients = scenario
            .workloads
            .iter()
            .zip(&client_cells)
            .map(|(workload, cells)| {
                let mut client = Client::new(workload, cells.table, scenario.seed, end);
                if workload.client == ClientApi::BufferedMutator {
                    client.mutator = Some(Box::new(BufferedMutator::new(config.mutator)));
                }
                client
            })
            .collect::<Vec<Client>>();
        let client_count = clients.len();
        let flusher = Flusher::new(
            config.flusher_count,
            regions.len(),
            scenario.bugs.is_on(KnownBug::Hbase10499),
        );
        let config_compaction = config.compaction.clone();
        let config_flush_throughput = config.flush_throughput.clone();
        let config_slow_syncs = config.wal_slow_syncs;
        let region_count = regions.len();
        let config_wal_syncs = config.wal_syncs_in_flight_max;
        let rpc = RpcScheduler::new(
            RpcShape {
                handlers: config.handlers,
                queues: config.call_queues,
                queue_length_max: config.call_queue_length_max,
                call_bytes_max: config.call_queue_bytes_max,
                queue_type: config.call_queue_type,
            },
            RandomStream::new(scenario.seed, "rpc.queue_balancer"),
        );
        let reads = read_path::Reads::new(scenario, &config);
        RegionServer {
            scenario,
            wal_sync_latency: LatencySampler::new(
                &scenario.io.wal_sync_latency,
                RandomStream::new(scenario.seed, "wal.sync_latency"),
            ),
            devices: Devices::new(
                scenario.io.hdfs_write_bandwidth,
                scenario.io.wal_write_bandwidth,
                scenario.io.hdfs_read_bandwidth,
                scenario.cpu.cores,
            ),
            retry_jitter: RandomStream::new(scenario.seed, "client.retry_jitter"),
            config,
            queue: EventQueue::new(),
            trace: TraceHash::default(),
            trace_sink: None,
            progress_sink: None,
            tables,
            regions,
            clients,
            client_cells,
            requests: Slab::default(),
            mutator_work: VecDeque::new(),
            mutator_rescan_scheduled: vec![false; client_count],
            requests_open: 0,
            requests_open_peak: 0,
            calls: Slab::default(),
            answers: Slab::default(),
            network_rtt: LatencySampler::new(
                &scenario.io.network_rtt,
                RandomStream::new(scenario.seed, "network.rtt"),
            ),
            rpc,
            next_attempt_id: 0,
            rpc_deadlines: VecDeque::new(),
            rpc_deadline_scheduled: false,
            write_done_scheduled: [None; 4],
            cpu_work_sampled: (0, 0),
            gc_sampled: (SimDuration::ZERO, 0),
            gc: scenario
                .jvm
                .gc
                .then(|| crate::model::gc::Gc::new(scenario.jvm, scenario.heap_bytes)),
            paused_until: SimTime::ZERO,
            ready: VecDeque::new(),
            blocked_calls: VecDeque::new(),
            flushes: Slab::default(),
            tasks: Slab::default(),
            flusher,
            flush_queue_due_scheduled: None,
            periodic_flush_delay: RandomStream::new(scenario.seed, "flusher.periodic_delay"),
            wal: Wal::new(config_wal_syncs),
            fs: SimFs::new(),
            fs_wal: FsWal::new(
                &format!("rs1,16020,{}", scenario.clock_start_ms),
                scenario.profile,
            ),
            region_names: Vec::new(),
            table_names: TableNames::for_scenario(scenario, &tables_for_names),
            wal_cells: Vec::new(),
            wal_row: Vec::new(),
            sync_points: BTreeMap::new(),
            wal_broken: false,
            roll_requested: None,
            roll_in_progress: None,
            roll_waiters: Vec::new(),
            last_roll_at: SimTime::ZERO,
            slow_syncs: config_slow_syncs.map(SlowSyncs::new),
            oracle: DurabilityOracle::default(),
            alive: true,
            dead_wal_files: Vec::new(),
            splitting_dir: String::new(),
            regions_recovering: BTreeSet::new(),
            slow_disk_factor: 1.0,
            torn_fraction: BTreeMap::new(),
            unreadable_files: BTreeMap::new(),
            wal_files_created: 0,
            wal_files_archived: 0,
            faults: FaultPlan::new(&scenario.faults, scenario.seed),
            sync_parts: BTreeMap::new(),
            wal_bytes: SerialWork::default(),
            wal_cpu: SerialWork::default(),
            wal_lock_passing: Vec::new(),
            global: MemSize::default(),
            stats: RunStats::new(region_count),
            timeline: Timeline::new(scenario.sample_interval, scenario.duration, region_count),
            next_file_id: 0,
            compact_split: CompactSplit::new(
                config_compaction.small_threads,
                config_compaction.large_threads,
            ),
            compactions: BTreeMap::new(),
            next_compaction_id: 0,
            throughput: config_compaction.throughput.clone(),
            flush_throughput: config_flush_throughput,
            off_peak_compaction_running: false,
            compaction_check_iteration: 1,
            split_jitter,
            split_grab: RandomStream::new(scenario.seed, "recovery.split_grab"),
            lease_pending: BTreeSet::new(),
            last_failed_split: None,
            old_wals: Vec::new(),
            log_cleaner_scheduled: false,
            master_view: reports::MasterView::default(),
            region_open_latency: LatencySampler::new(
                &scenario.io.region_open_latency,
                RandomStream::new(scenario.seed, "region.open_latency"),
            ),
            reads,
            end,
            measured_from: SimTime::ZERO + scenario.warmup,
        }
    }

    /// Sends every processed event to `sink` (for `--trace`).
    pub fn with_trace_sink(mut self, sink: &'s mut dyn FnMut(TraceRecord)) -> Self {
        self.trace_sink = Some(sink);
        self
    }

    /// Tells `sink` how far the run has got, now and then (it must not affect the run).
    pub fn with_progress_sink(mut self, sink: &'s mut dyn FnMut(SimTime)) -> Self {
        self.progress_sink = Some(sink);
        self
    }

    fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// The regions in the tables' maps (hbase:meta), table by table in key order: the ones the
    /// server hosts, as opposed to split or merged parents.
    fn mapped_regions(&self) -> impl Iterator<Item = RegionId> + '_ {
        self.tables
            .iter()
            .flat_map(|table| table.regions_in_order())
    }

    /// Runs to the end of the scenario's duration.
    pub fn run(mut self) -> Result<RunOutcome, RunError> {
        self.schedule_start();
        let mut instant = (SimTime::ZERO, 0u64);
        while let Some((time, event)) = self.queue.pop() {
            if time == instant.0 {
                instant.1 += 1;
                if instant.1 > EVENTS_AT_ONE_INSTANT_MAX {
                    return Err(RunError::Stuck {
                        limit: EVENTS_AT_ONE_INSTANT_MAX,
                        at: time,
                    });
                }
            } else {
                instant = (time, 1);
            }
            while let Some(boundary) = self.timeline.due(time) {
                self.take_sample(boundary);
            }
            self.report_to_master_if_due(time);
            let (kind, ids) = event.trace_fields();
            self.trace.fold_event(time.as_nanos(), kind, ids);
            // A garbage-collection pause stops every server thread: what they would do now
            // waits for its end, in its order.
            if time < self.paused_until && recovery::runs_in_the_server(&event) {
                self.queue.schedule_at(self.paused_until, event);
                continue;
            }
            if self.trace.events() % PROGRESS_EVERY_EVENTS == 0
                && let Some(sink) = self.progress_sink.as_mut()
            {
                sink(time);
            }
            if let Some(sink) = self.trace_sink.as_mut() {
                sink(TraceRecord {
                    time_nanos: time.as_nanos(),
                    event,
                });
            }
            match event {
                Event::OpenArrival { client } => self.on_open_arrival(client),
                Event::ClosedSend { client, slot } => {
                    let now = self.now();
                    self.send_request(client, slot, now);
                }
                Event::ClientRetry { request } => self.send_attempt(request),
                Event::MutatorRescan { client } => self.on_mutator_rescan(client),
                Event::MutatorTimer { client } => self.on_mutator_timer(client),
                Event::MutatorClose { client } => self.on_mutator_close(client),
                Event::GcPauseEnds => self.on_gc_pause_ends(),
                Event::GcSessionExpired => self.on_gc_session_expired(),
                Event::GcCycleStep { cycle } => self.on_gc_cycle_step(cycle),
                Event::RpcDeadlines => self.on_rpc_deadlines(),
                Event::LockWaitTimeout { call, generation } => {
                    self.on_lock_wait_timeout(call, generation)
                }
                Event::WalSyncDone { sync } => self.on_wal_sync_done(sync),
                Event::WriteDone { device, generation } => self.on_write_done(device, generation),
                Event::FlusherPoll {
                    handler,
                    generation,
                } => self.on_flusher_poll(handler as usize, generation),
                Event::FlusherWake { handler } => self.on_flusher_wake(handler as usize),
                Event::Action { index } => self.on_action(index as usize),
                Event::FlushQueueDue => self.on_flush_queue_due(),
                Event::PeriodicFlushCheck => self.on_periodic_flush_check(),
                Event::RegionOpen { region } => {
                    self.on_region_open(region);
                    self.region_recovered(region);
                }
                Event::WalRollDone => self.on_wal_roll_done(),
                Event::WalLockPassed => self.on_wal_lock_passed(),
                Event::WalPeriodicRoll => self.on_wal_periodic_roll(),
                Event::Fault { index } => self.on_fault(index as usize),
                Event::SlowDiskEnds { index } => self.on_slow_disk_ends(index as usize),
                Event::WalReadableAgain { index } => self.on_wal_readable_again(index as usize),
                Event::MasterNoticesCrash => self.on_master_notices_crash(),
                Event::ServerRestarts => self.on_server_restarts(),
                Event::LogCleaner => self.on_log_cleaner(),
                Event::WalSplitDone => self.on_wal_split_done(),
                Event::WalSplitRetry => self.on_wal_split_retry(),
                Event::HandlerCpuDone { call } | Event::BlockReadLatency { call } => {
                    self.ready.push_back(call)
                }
                Event::CompactedFilesDischarger => self.on_discharger(),
                Event::FlushStepDone { flush } => self.on_flush_step_done(flush),
                Event::CompactionCpuDone { compaction } => self.compaction_part_done(compaction),
                Event::AnswerArrives { answer } => self.on_answer_arrives(answer),
                Event::CompactionTune => self.on_compaction_tune(),
                Event::FlushThroughputTune => self.on_flush_throughput_tune(),
                Event::SnapshotCounted {
                    flush,
                    started_nanos,
                } => self.on_snapshot_counted(flush, started_nanos),
                Event::CompactionCheck => self.on_compaction_check(),
                Event::End => break,
            }
            self.drain_ready();
            while self.drain_mutator_work() {
                self.drain_ready();
            }
            // The WAL's consumer runs after the appends this event made, and syncs them.
            self.maybe_start_wal_sync();
            if self.requests_open > REQUESTS_IN_FLIGHT_MAX {
                return Err(RunError::TooManyInFlight {
                    limit: REQUESTS_IN_FLIGHT_MAX,
                    at: self.now(),
                });
            }
            if self.queue.len() > EVENTS_PENDING_MAX {
                return Err(RunError::TooManyEvents {
                    limit: EVENTS_PENDING_MAX,
                    at: self.now(),
                });
            }
        }
        Ok(self.finish())
    }

    fn schedule_start(&mut self) {
        for index in 0..self.clients.len() {
            let client = &mut self.clients[index];
            match client.arrival {
                Arrival::Open { .. } => {
                    if let Some(first) = client.next_arrival() {
                        self.queue.schedule_at(
                            first,
                            Event::OpenArrival {
                                client: index as u32,
                            },
                        );
                    }
                }
                Arrival::Closed { clients, .. } => {
                    if client.start < client.end {
                        for slot in 0..clients {
                            self.queue.schedule_at(
                                client.start,
                                Event::ClosedSend {
                                    client: index as u32,
                                    slot,
                                },
                            );
                        }
                    }
                }
            }
        }
        self.schedule_mutators();
        for (index, action) in self.scenario.actions.iter().enumerate() {
            self.queue.schedule_at(
                SimTime::ZERO + action.at,
                Event::Action {
                    index: index as u32,
                },
            );
        }
        for handler in 0..self.flusher.handlers.len() {
            self.handler_idle(handler);
        }
        self.queue
            .schedule_at(SimTime::ZERO, Event::PeriodicFlushCheck);
        self.queue
            .schedule_at(SimTime::ZERO, Event::CompactionCheck);
        if self.reads.is_some() {
            self.queue.schedule_at(
                SimTime::ZERO + self.config.reads.discharger_interval,
                Event::CompactedFilesDischarger,
            );
        }
        if self.throughput.is_tuned() {
            self.queue.schedule_at(
                SimTime::ZERO + self.config.compaction.tune_period,
                Event::CompactionTune,
            );
        }
        if self.flush_throughput.is_tuned() {
            self.queue.schedule_at(
                SimTime::ZERO + self.config.flush_throughput_tune_period,
                Event::FlushThroughputTune,
            );
        }
        for (at, index) in self.faults.timed() {
            self.queue.schedule_at(
                at,
                Event::Fault {
                    index: index as u32,
                },
            );
        }
        self.fs_wal
            .open(&mut self.fs, self.scenario.clock_start_ms)
            .expect("the first WAL file is created in an empty filesystem");
        self.queue.schedule_at(
            SimTime::ZERO + self.config.wal_roll_period,
            Event::WalPeriodicRoll,
        );
        self.queue.schedule_at(self.end, Event::End);
        self.master_view
            .process_started(SimTime::ZERO, self.config.recovery.report_interval);
        self.warm_start();
    }

    // ---- memstore accounting -------------------------------------------------------------

    /// RegionServerAccounting: moves a region's and the server's memstore size counters
    /// together (up when an edit is applied, down when a flush commits), and keeps the levels
    /// over time that the summary reports.
    fn change_memstore_size(&mut self, region_id: RegionId, delta: MemSize, up: bool) {
        let now = self.now();
        let region = &mut self.regions[region_id as usize];
        let was_blocking = region.is_above_blocking_size();
        if up {
            region.size.add(delta);
            self.global.add(delta);
        } else {
            region.size.subtract(delta);
            self.global.subtract(delta);
            if let Some(gc) = self.gc.as_mut() {
                gc.memstore_released(delta.heap);
            }
        }
        let is_blocking = region.is_above_blocking_size();
        let heap = region.size.heap;
        self.stats.region_heap[region_id as usize].set(now, heap);
        if was_blocking != is_blocking {
            let level = self.stats.regions_above_blocking.level();
            let level = if is_blocking { level + 1 } else { level - 1 };
            self.stats.regions_above_blocking.set(now, level);
        }
        self.stats.global_heap.set(now, self.global.heap);
        let memstore = &mut self.stats.memstore;
        memstore.global_heap_peak = memstore.global_heap_peak.max(self.global.heap);
    }

    // ---- the time series ------------------------------------------------------------------

    /// Samples the gauges at an interval boundary (the state just before the next event).
    fn take_sample(&mut self, at: SimTime) {
        let largest_region = self
            .regions
            .iter()
            .map(|region| region.size.heap)
            .max()
            .unwrap_or(0);
        let store_files_max = self
            .regions
            .iter()
            .flat_map(|region| region.stores.iter())
            .map(|store| store.files.len() as u64)
            .max()
            .unwrap_or(0);
        let (client_unanswered, client_waiting) = self
            .clients
            .iter_mut()
            .filter(|client| matches!(client.arrival, Arrival::Open { .. }))
            .map(|client| client.unanswered_at(at))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        let cpu_busy = match self.devices.cpu_work(at) {
            Some((moved, capacity)) => {
                let (moved_before, capacity_before) =
                    std::mem::replace(&mut self.cpu_work_sampled, (moved, capacity));
                let possible = capacity - capacity_before;
                if possible == 0 {
                    0.0
                } else {
                    (moved - moved_before) as f64 / possible as f64
                }
            }
            None => 0.0,
        };
        let gc_now = (
            self.stats.gc_paused.time_above_zero(at),
            self.gc.as_ref().map_or(0, |gc| gc.allocated_total),
        );
        let (paused_before, allocated_before) = std::mem::replace(&mut self.gc_sampled, gc_now);
        let interval = self.timeline.interval;
        let gauges = Sample {
            time: at,
            gc_paused: if interval.is_zero() {
                0.0
            } else {
                gc_now.0.saturating_sub(paused_before).as_secs_f64() / interval.as_secs_f64()
            },
            gc_allocated_bytes: (gc_now.1 - allocated_before) as u64,
            gc_old_bytes: self.gc.as_ref().map_or(0, |gc| gc.old_occupancy_bytes()),
            gc_initiating_bytes: self.gc.as_ref().map_or(0, |gc| gc.initiating_bytes()),
            cpu_busy,
            cpu_runnable: self.stats.cpu_runnable.level(),
            global_heap_bytes: self.global.heap,
            largest_region_heap_bytes: largest_region,
            flush_queue_length: self.flusher.queue_len() as u64,
            flushes_in_progress: self.flushes.len() as u64,
            flush_handlers_busy: self.flusher.handlers_busy.level(),
            rpc_handlers_busy: self.rpc.handlers_busy.level(),
            call_queue_length: self.rpc.queued.level(),
            blocked_writers: self.blocked_calls.len() as u64,
            regions_above_blocking: self.stats.regions_above_blocking.level(),
            store_files_max_per_store: store_files_max,
            compaction_queue_length: self.compact_split.queued() as u64,
            compactions_in_progress: self.compactions.len() as u64,
            wal_syncs_in_flight: self.wal.syncs_in_flight() as u64,
            client_waiting,
            client_unanswered,
            wal_files: self.fs_wal.files(),
            wal_max_logs: self.config.wal_max_logs,
            server_up: self.alive,
            regions_offline: self
                .mapped_regions()
                .filter(|&region| self.regions[region as usize].state != RegionState::Open)
                .count() as u64,
            ..Sample::default()
        };
        self.timeline.sample(
            gauges,
            self.regions.iter().map(|region| region.size.heap),
            self.stats.retries,
            self.stats.region_too_busy,
        );
    }

    // ---- the end ------------------------------------------------------------------------

    fn finish(mut self) -> RunOutcome {
        self.note_wal_files();
        let durability = self.check_durability();
        let mut memstore_at_end = MemSize::default();
        let mut store_files = 0;
        let mut store_file_bytes = 0;
        for region in &self.regions {
            for store in &region.stores {
                memstore_at_end.add(store.memstore.size());
            }
        }
        // The files of the regions in hbase:meta: a split or merged parent's files go to the
        // archive once its daughters have compacted their references away.
        for region in self.mapped_regions() {
            for store in &self.regions[region as usize].stores {
                store_files += store.files.len() as u64;
                store_file_bytes += store.files.iter().map(|file| file.read_bytes).sum::<u64>();
            }
        }
        let mut requests_in_flight_at_end = BTreeMap::new();
        for (kind, stats) in &self.stats.operations {
            let failed: u64 = stats.failed.values().sum();
            requests_in_flight_at_end.insert(*kind, stats.attempted - stats.succeeded - failed);
        }
        let end = self.end;
        let regions_at_end = self.tables.iter().map(|table| table.region_map.len()).sum();
        let region_map_at_end = self
            .tables
            .iter()
            .map(|table| {
                table
                    .regions_in_order()
                    .map(|id| {
                        let region = &self.regions[id as usize];
                        RegionAtEnd {
                            id,
                            start_row: region.start_row,
                            end_row: region.end_row,
                            store_files: region.stores.iter().map(|s| s.files.len()).collect(),
                        }
                    })
                    .collect()
            })
            .collect();
        let region_names = self
            .regions
            .iter()
            .map(|region| {
                self.table_names[region.table].region_name(
                    region.id,
                    region.start_row,
                    region.end_row,
                    self.tables[region.table].row_count,
                )
            })
            .collect();
        let still_offline: u128 = self
            .regions
            .iter()
            .filter_map(|region| region.offline_since)
            .map(|since| u128::from(end.saturating_duration_since(since).as_nanos()))
            .sum();
        let region_offline_nanos = self.stats.region_offline_nanos + still_offline;
        let open_loop = self
            .clients
            .iter_mut()
            .filter_map(|client| client.open_loop_at(end))
            .collect();
        let mutators = self
            .clients
            .iter()
            .filter_map(|client| Some(client.mutator.as_ref()?.at_end(&client.name, end)))
            .collect();
        RunOutcome {
            open_loop,
            mutators,
            gc: self.gc.clone(),
            block_cache: self.reads.as_ref().map(|reads| reads.cache.at_end()),
            pipes: self.devices.utilisation(end),
            compaction_threads: self.config.compaction.small_threads
                + self.config.compaction.large_threads,
            durability,
            wal_dir: self.fs_wal.dir().to_string(),
            wal_files_created: self.wal_files_created + self.fs_wal.files_created,
            wal_files_archived: self.wal_files_archived + self.fs_wal.files_archived,
            wal_files_at_end: self.fs_wal.files(),
            fs: self.fs,
            server_up_at_end: self.alive,
            wal_max_logs: self.config.wal_max_logs,
            timeline: self.timeline,
            regions_at_end,
            region_map_at_end,
            region_names,
            region_offline_nanos,
            trace_hash: self.trace,
            end,
            global_upper_bytes: self.config.global_upper_bytes,
            global_lower_bytes: self.config.global_lower_bytes,
            memstore_at_end,
            requests_in_flight_at_end,
            requests_in_flight_peak: self.requests_open_peak,
            store_files,
            store_file_bytes,
            event_queue_peak: self.queue.length_peak(),
            handlers: self.rpc.handler_count(),
            call_queues: self.rpc.queue_count(),
            flusher_handlers: self.flusher.handlers.len(),
            flusher: self.flusher,
            rpc: self.rpc,
            wal: self.wal,
            stats: self.stats,
        }
    }
}
