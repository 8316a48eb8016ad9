//! Every kind of thing that happens in a RegionServer run, as one closed enum: the event queue
//! holds these, the trace hash folds them, and `--trace` prints them.

use crate::model::hdfs::devices::Device;

/// A scheduled happening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An open-loop client's next request is due.
    OpenArrival { client: u32 },
    /// A closed-loop client slot sends its next request.
    ClosedSend { client: u32, slot: u32 },
    /// A request's pause before its next attempt is over.
    ClientRetry { request: u32 },
    /// A BufferedMutator's threads waiting on the task limits look again (waitForRegion's
    /// second is up).
    MutatorRescan { client: u32 },
    /// A BufferedMutator's periodic-flush timer ticks.
    MutatorTimer { client: u32 },
    /// A workload ends and closes its BufferedMutator.
    MutatorClose { client: u32 },
    /// A garbage-collection pause is over: the server's threads run again.
    GcPauseEnds,
    /// A pause has outlasted the ZooKeeper session: it expires.
    GcSessionExpired,
    /// The collector's concurrent cycle `cycle` reaches its next step (a pause, or the end of
    /// CMS's sweep); stale if that cycle was abandoned.
    GcCycleStep { cycle: u64 },
    /// The earliest outstanding RPC deadline has come.
    RpcDeadlines,
    /// A handler's wait for a row lock or the updates lock has run out (stale unless the
    /// call's wait generation matches).
    LockWaitTimeout { call: u32, generation: u64 },
    /// A WAL sync completed.
    WalSyncDone { sync: u64 },
    /// Transfers on a write device may have finished (stale unless the generation matches).
    WriteDone { device: Device, generation: u64 },
    /// A flush handler's queue poll timed out (stale unless the generation matches).
    FlusherPoll { handler: u32, generation: u64 },
    /// A flush handler's one-second sleep after finding nothing to flush ended.
    FlusherWake { handler: u32 },
    /// An operator action from the scenario's timeline.
    Action { index: u32 },
    /// A delayed flush-queue entry is due.
    FlushQueueDue,
    /// The periodic flusher chore runs.
    PeriodicFlushCheck,
    /// A region opens (after a move, a split or a merge).
    RegionOpen { region: u32 },
    /// A WAL roll is done: the new writer takes syncs.
    WalRollDone,
    /// HBASE-8755's old model: the handlers a sync covered have passed HLog's flush lock.
    WalLockPassed,
    /// A handler has spent the CPU its call needs and goes on with it.
    HandlerCpuDone { call: u32 },
    /// A call's answer has crossed the network back to its client.
    AnswerArrives { answer: u32 },
    /// The compaction throughput tuner chore runs.
    CompactionTune,
    /// The flush throughput tuner chore runs.
    FlushThroughputTune,
    /// HBASE-21738: a flush has counted its snapshot's cells (stale unless the flush with this
    /// id started at `started_nanos` and is counting).
    SnapshotCounted { flush: u32, started_nanos: u64 },
    /// The CompactionChecker chore runs.
    CompactionCheck,
    /// A fault that strikes at a time (crash, ZooKeeper expiry, corruption, slow disk).
    Fault { index: u32 },
    /// A slow-disk fault's window is over.
    SlowDiskEnds { index: u32 },
    /// The datanodes holding a WAL file an unreadable fault struck serve it again.
    WalReadableAgain { index: u32 },
    /// The LogRoller checks whether the periodic roll is due.
    WalPeriodicRoll,
    /// The master sees the crashed server dead: its ZooKeeper session gone, or a new process
    /// on the same host and port registering.
    MasterNoticesCrash,
    /// A new server process has registered with the master after a crash.
    ServerRestarts,
    /// The master's LogCleaner chore runs.
    LogCleaner,
    /// A flush's per-cell CPU, or its files' commit (validation, rename, open), is done.
    FlushStepDone { flush: u32 },
    /// A compaction's codec work (decompression, decoding, encoding, compression) is done,
    /// with the CPU model off.
    CompactionCpuDone { compaction: u64 },
    /// A read's block read from HDFS has waited its latency: its bytes cross the read pipe.
    BlockReadLatency { call: u32 },
    /// The CompactedHFilesDischarger chore runs (only when a workload reads).
    CompactedFilesDischarger,
    /// A WAL split attempt is over.
    WalSplitDone,
    /// A failed WAL split is tried again.
    WalSplitRetry,
    /// The simulated duration is over.
    End,
}

impl Event {
    /// A stable name, for traces.
    pub fn name(&self) -> &'static str {
        match self {
            Event::OpenArrival { .. } => "open_arrival",
            Event::ClosedSend { .. } => "closed_send",
            Event::ClientRetry { .. } => "client_retry",
            Event::MutatorRescan { .. } => "mutator_rescan",
            Event::MutatorTimer { .. } => "mutator_timer",
            Event::MutatorClose { .. } => "mutator_close",
            Event::GcPauseEnds => "gc_pause_ends",
            Event::GcSessionExpired => "gc_session_expired",
            Event::GcCycleStep { .. } => "gc_cycle_step",
            Event::RpcDeadlines => "rpc_deadlines",
            Event::LockWaitTimeout { .. } => "lock_wait_timeout",
            Event::WalSyncDone { .. } => "wal_sync_done",
            Event::WriteDone { .. } => "write_done",
            Event::FlusherPoll { .. } => "flusher_poll",
            Event::FlusherWake { .. } => "flusher_wake",
            Event::Action { .. } => "action",
            Event::End => "end",
            Event::FlushQueueDue => "flush_queue_due",
            Event::PeriodicFlushCheck => "periodic_flush_check",
            Event::RegionOpen { .. } => "region_open",
            Event::WalRollDone => "wal_roll_done",
            Event::WalLockPassed => "wal_lock_passed",
            Event::HandlerCpuDone { .. } => "handler_cpu_done",
            Event::AnswerArrives { .. } => "answer_arrives",
            Event::CompactionTune => "compaction_tune",
            Event::FlushThroughputTune => "flush_throughput_tune",
            Event::SnapshotCounted { .. } => "snapshot_counted",
            Event::CompactionCheck => "compaction_check",
            Event::Fault { .. } => "fault",
            Event::SlowDiskEnds { .. } => "slow_disk_ends",
            Event::WalReadableAgain { .. } => "wal_readable_again",
            Event::ServerRestarts => "server_restarts",
            Event::LogCleaner => "log_cleaner",
            Event::WalPeriodicRoll => "wal_periodic_roll",
            Event::MasterNoticesCrash => "master_notices_crash",
            Event::FlushStepDone { .. } => "flush_step_done",
            Event::CompactionCpuDone { .. } => "compaction_cpu_done",
            Event::BlockReadLatency { .. } => "block_read_latency",
            Event::CompactedFilesDischarger => "compacted_files_discharger",
            Event::WalSplitDone => "wal_split_done",
            Event::WalSplitRetry => "wal_split_retry",
        }
    }

    /// A stable kind code and the ids the event concerns, for the trace hash.
    pub fn trace_fields(&self) -> (u64, [u64; 2]) {
        match *self {
            Event::OpenArrival { client } => (1, [u64::from(client), 0]),
            Event::ClosedSend { client, slot } => (2, [u64::from(client), u64::from(slot)]),
            Event::WalSyncDone { sync } => (3, [sync, 0]),
            Event::WriteDone { device, generation } => (4, [generation, device.index()]),
            Event::FlusherPoll {
                handler,
                generation,
            } => (5, [u64::from(handler), generation]),
            Event::FlusherWake { handler } => (6, [u64::from(handler), 0]),
            Event::Action { index } => (7, [u64::from(index), 0]),
            Event::End => (8, [0, 0]),
            Event::ClientRetry { request } => (9, [u64::from(request), 0]),
            Event::RpcDeadlines => (10, [0, 0]),
            Event::LockWaitTimeout { call, generation } => (11, [u64::from(call), generation]),
            Event::FlushQueueDue => (12, [0, 0]),
            Event::PeriodicFlushCheck => (13, [0, 0]),
            Event::RegionOpen { region } => (14, [u64::from(region), 0]),
            Event::WalRollDone => (15, [0, 0]),
            Event::HandlerCpuDone { call } => (16, [u64::from(call), 0]),
            Event::AnswerArrives { answer } => (17, [u64::from(answer), 0]),
            Event::CompactionTune => (18, [0, 0]),
            Event::CompactionCheck => (19, [0, 0]),
            Event::Fault { index } => (20, [u64::from(index), 0]),
            Event::SlowDiskEnds { index } => (21, [u64::from(index), 0]),
            Event::WalPeriodicRoll => (22, [0, 0]),
            Event::MasterNoticesCrash => (23, [0, 0]),
            Event::WalSplitDone => (24, [0, 0]),
            Event::WalSplitRetry => (25, [0, 0]),
            Event::WalReadableAgain { index } => (26, [u64::from(index), 0]),
            Event::ServerRestarts => (27, [0, 0]),
            Event::LogCleaner => (28, [0, 0]),
            Event::FlushThroughputTune => (29, [0, 0]),
            Event::SnapshotCounted {
                flush,
                started_nanos,
            } => (30, [u64::from(flush), started_nanos]),
            Event::FlushStepDone { flush } => (31, [u64::from(flush), 0]),
            Event::MutatorRescan { client } => (32, [u64::from(client), 0]),
            Event::MutatorTimer { client } => (33, [u64::from(client), 0]),
            Event::MutatorClose { client } => (34, [u64::from(client), 0]),
            Event::GcPauseEnds => (35, [0, 0]),
            Event::GcSessionExpired => (36, [0, 0]),
            Event::GcCycleStep { cycle } => (37, [cycle, 0]),
            Event::WalLockPassed => (38, [0, 0]),
            Event::CompactionCpuDone { compaction } => (39, [compaction, 0]),
            Event::BlockReadLatency { call } => (40, [u64::from(call), 0]),
            Event::CompactedFilesDischarger => (41, [0, 0]),
        }
    }
}

/// One line of the event trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRecord {
    pub time_nanos: u64,
    pub event: Event,
}
