//! Faults that strike at a time, the server's death, and its recovery as HBase runs it
//! (shared/reference/compaction-and-wal-split.md §6):
//!
//! 1. **The crash.** The process dies with its memstores; every call it held is dropped (its
//!    client's connection closes: the attempt fails and is retried), every flush, compaction,
//!    roll and operator task in progress dies with it, and the files being written keep their
//!    durable bytes (with a torn write, part of the next entry too). The pending events of the
//!    dead process are dropped; the clients' and the scenario's stay. Requests reaching the
//!    dead server fail at once (ConnectException).
//! 2. **Detection.** The master notices when the server's ZooKeeper session expires
//!    (`zookeeper.session.timeout`; at once for a session expiry, which it sees as it happens)
//!    or when a new process on the same host and port registers (`[server] restart` after the
//!    crash: `ServerManager.checkAndRecordNewServer` expires the old start code at once),
//!    whichever comes first, and fences the server's WALs by renaming its directory
//!    `-splitting`.
//! 3. **The split.** A region server must run it: with one server, the new process once it has
//!    registered (`restart = "never"` leaves the regions offline). Each WAL file is one task
//!    (SplitWALProcedure in 2.5, a SplitLogManager task in 1.4 and in 2.5 with
//!    `hbase.split.wal.zk.coordinated`), `hbase.regionserver.wal.max.splitters` at a time on the
//!    worker; a task waits for its dispatch (2.5's procedures batch remote calls for
//!    `hbase.procedure.remote.dispatcher.delay.msec`; a ZooKeeper worker sleeps 0.5–1 s after
//!    grabbing a task), for the recovery of the file's HDFS lease if the dead writer held it
//!    open (RecoverLeaseFSUtils: `recoverLease`, then `hbase.lease.recovery.first.pause`, then
//!    `recoverLease` again, which finds the file closed), for HDFS's block refetches if it
//!    meets an unreadable block, and reads the file over the HDFS read pipe the running tasks
//!    share (with the CPU model on, after decoding and encoding its bytes on the cores, at
//!    `[cpu] wal_per_byte` each way). Files are split with `hbase.hlog.split.skip.errors` and
//!    each version's reader rules (`wal::split`), dropping the edits the master knows to be
//!    flushed from the server's last reports (`reports`). A failed split is retried at once, without back-off, as both lines
//!    do (2.5 re-dispatches the task; 1.4's master marks the task failed and the
//!    ServerCrashProcedure runs its split step again), while the regions stay offline; a retry
//!    of the same unchanged files fails the same way and is not read again. HBASE-2958 gives
//!    the split up instead, and the regions open without its edits.
//! 4. **Reassignment.** The regions open on the new process (a new start code, a new WAL
//!    directory), `hbase.regionserver.executor.openregion.threads` at a time: each replays its
//!    recovered edits above its stores' max sequence ids into the memstore, flushing whenever
//!    the region's memstore passes its flush size and once at the end, deletes the edits and
//!    opens after `[io] region_open_latency` plus the time to write those flushes (and with
//!    the CPU model on, the replay's CPU on the cores the open workers share: each edit at
//!    `handler_cpu_per_mutation`, each flushed cell at `flush_cpu_per_cell`).
//!
//! The durability oracle is checked when the last region is back.

use std::collections::BTreeMap;

use super::RegionServer;
use crate::model::client::request::ServerError;
use crate::model::compaction::compact_split::CompactSplit;
use crate::model::event::Event;
use crate::model::flusher::FlushReason;
use crate::model::hdfs::devices::Device;
use crate::model::hdfs::dfs_input::BLOCK_ACQUIRE_STALL_MS;
use crate::model::hdfs::sim_fs::file_name;
use crate::model::region::hregion::{RegionId, RegionState};
use crate::model::region::mvcc::Mvcc;
use crate::model::region::row_lock::RowLocks;
use crate::model::stats::{Recovery, SplitFileRecord};
use crate::model::store::cell::value_seed;
use crate::model::store::cell::{Cell, CellType, MemSize};
use crate::model::store::hstore::Store;
use crate::model::store::memstore::MemStore;
use crate::model::timeline::MarkerKind;
use crate::model::wal::durability::{LossCause, RegionStanding, RunSet};
use crate::model::wal::files::{DamageKind, DamageTarget, FsWal, RolledFile};
use crate::model::wal::reader::{ReaderRules, read_wal};
use crate::model::wal::split::{
    Coordination, OLD_WALS_DIR, RegionAtSplit, RegionsAtSplit, SplitOptions, SplitOutcome,
    WalFileFate, WalFileSplit, recovered_edits_files, region_dir, replay_filter, replays_file,
    split_log_dir,
};
use crate::scenario::fault::{CorruptedFile, CorruptionSource, CorruptionTarget, FaultKind};
use crate::scenario::profile::ProfileId;
use crate::sim::slots::{Job, finish_times};
use crate::sim::{SimDuration, SimTime, Slab};

/// A WAL file as a split attempt finds it: what decides how reading it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitFileState {
    path: String,
    length_bytes: u64,
    unreadable: bool,
    /// Damage done to it so far.
    damage: usize,
}

/// A failed split attempt: the files as it found them, and what failed.
#[derive(Debug, Clone)]
pub(super) struct FailedSplit {
    files: Vec<SplitFileState>,
    outcome: SplitOutcome,
}

/// Whether an event is work of the server's own threads, which a garbage-collection pause
/// holds back: what dies with the process, and the operator's requests and the server's chores.
pub(super) fn runs_in_the_server(event: &Event) -> bool {
    dies_with_the_server(event)
        || matches!(
            event,
            Event::Action { .. }
                | Event::PeriodicFlushCheck
                | Event::CompactionCheck
                | Event::CompactionTune
                | Event::FlushThroughputTune
                | Event::SnapshotCounted { .. }
        )
}

/// Whether an event belongs to the server process (and dies with it) rather than to the
/// clients, the operator's timeline, the injected faults or the master.
fn dies_with_the_server(event: &Event) -> bool {
    matches!(
        event,
        Event::LockWaitTimeout { .. }
            | Event::WalSyncDone { .. }
            | Event::WriteDone { .. }
            | Event::FlusherPoll { .. }
            | Event::FlusherWake { .. }
            | Event::FlushQueueDue
            | Event::RegionOpen { .. }
            | Event::WalRollDone
            | Event::WalLockPassed
            | Event::WalPeriodicRoll
            | Event::HandlerCpuDone { .. }
            | Event::BlockReadLatency { .. }
            | Event::CompactedFilesDischarger
            | Event::FlushStepDone { .. }
            | Event::CompactionCpuDone { .. }
            | Event::GcPauseEnds
            | Event::GcSessionExpired
            | Event::GcCycleStep { .. }
    )
}

impl RegionServer<'_> {
    /// A fault's strike, counted and marked.
    pub(super) fn note_fault(&mut self, index: usize) {
        let name = self.faults.kind(index).name();
        *self.stats.faults.entry(name).or_default() += 1;
        let now = self.now();
        self.timeline.mark(now, MarkerKind::Fault, None, name);
    }

    /// A fault that strikes at a time.
    pub(super) fn on_fault(&mut self, index: usize) {
        let kind = self.faults.kind(index);
        match kind {
            FaultKind::Crash { .. } | FaultKind::ZkExpiry => self.crash(index, None),
            FaultKind::WalTornWrite { .. } => {
                let torn = self.torn_fraction.remove(&index);
                self.crash(index, torn);
            }
            FaultKind::WalCorruption {
                file,
                target,
                source,
            } => {
                if !self.alive {
                    return;
                }
                let oldest = file == CorruptedFile::Oldest;
                let target = match target {
                    CorruptionTarget::Entry => DamageTarget::Entry,
                    CorruptionTarget::Key => DamageTarget::Key,
                    CorruptionTarget::Cells => DamageTarget::Cells,
                    CorruptionTarget::Value => DamageTarget::Value,
                };
                let kind = match source {
                    CorruptionSource::BeforeChecksum => DamageKind::BeforeChecksum,
                    CorruptionSource::Replicas(count) => DamageKind::Replicas(count),
                };
                let stream = self.faults.stream(index);
                let Some(damage) = self
                    .fs_wal
                    .damage(&mut self.fs, oldest, target, kind, stream)
                else {
                    return;
                };
                self.note_fault(index);
                // A changed key or cell framing, which every replica holds, can send the edit
                // elsewhere (another region, sequence id or row) or make its cells unplaceable.
                if kind == DamageKind::BeforeChecksum && !damage.in_value {
                    let region = self
                        .region_names
                        .iter()
                        .position(|name| *name == damage.encoded_region_name)
                        .expect("a WAL entry names a region of this server");
                    self.oracle
                        .damaged_entry(region as RegionId, damage.sequence_id);
                }
            }
            FaultKind::WalUnreadable { file, duration } => {
                if !self.alive {
                    return;
                }
                let oldest = file == CorruptedFile::Oldest;
                if let Some(id) = self.fs_wal.make_unreadable(&mut self.fs, oldest) {
                    self.note_fault(index);
                    self.unreadable_files.insert(index, id);
                    if let Some(duration) = duration {
                        self.queue.schedule_in(
                            duration,
                            Event::WalReadableAgain {
                                index: index as u32,
                            },
                        );
                    }
                }
            }
            FaultKind::SlowDisk { duration, factor } => {
                self.note_fault(index);
                self.slow_disk_factor *= factor;
                self.scale_devices();
                self.queue.schedule_in(
                    duration,
                    Event::SlowDiskEnds {
                        index: index as u32,
                    },
                );
            }
            FaultKind::WalSyncFailure | FaultKind::WalSlowSync { .. } => {
                unreachable!("sync failures and slow syncs strike at their sync, not as events")
            }
        }
    }

    /// The datanodes serving the file an unreadable fault struck are back.
    pub(super) fn on_wal_readable_again(&mut self, index: usize) {
        if let Some(id) = self.unreadable_files.remove(&index)
            && self.fs.is_live(id)
        {
            self.fs.set_unreadable(id, false);
        }
    }

    pub(super) fn on_slow_disk_ends(&mut self, index: usize) {
        if let FaultKind::SlowDisk { factor, .. } = self.faults.kind(index) {
            self.slow_disk_factor /= factor;
            if (self.slow_disk_factor - 1.0).abs() < 1e-9 {
                self.slow_disk_factor = 1.0;
            }
            self.scale_devices();
        }
    }

    fn scale_devices(&mut self) {
        let io = &self.scenario.io;
        let now = self.now();
        self.devices.scale_bandwidth(
            now,
            [
                Some(io.hdfs_write_bandwidth),
                io.wal_write_bandwidth,
                Some(io.hdfs_read_bandwidth),
            ],
            1.0 / self.slow_disk_factor,
        );
        let wal = self.devices.wal_device();
        for device in [Device::Shared, Device::Read] {
            self.schedule_write_done(device);
        }
        if wal == Device::Wal {
            self.schedule_write_done(wal);
        }
    }

    /// The server dies (fault `index`; `torn`: part of the next WAL entry reaches disk).
    pub(super) fn crash(&mut self, index: usize, torn: Option<f64>) {
        if !self.alive {
            return;
        }
        self.note_fault(index);
        let kind = self.faults.kind(index);
        // A ZooKeeper expiry is seen by the master at once; any other death when the session
        // times out (or a new process registers).
        let session_gone = match kind {
            FaultKind::ZkExpiry => SimDuration::ZERO,
            _ => self.config.zk_session_timeout,
        };
        self.die(kind.name(), session_gone, torn);
    }

    /// A garbage-collection pause outlasted the ZooKeeper session: the session expires (the
    /// master sees it gone at once) and the server, waking, aborts.
    pub(super) fn on_gc_session_expired(&mut self) {
        if !self.alive {
            return;
        }
        self.stats.gc_session_expiries += 1;
        self.die("gc_pause", SimDuration::ZERO, None);
    }

    /// The process dies, `cause` named in its recovery; the master notices after
    /// `session_gone` (or when a new process registers, if sooner).
    fn die(&mut self, cause: &'static str, session_gone: SimDuration, torn: Option<f64>) {
        if let Some(gc) = self.gc.as_mut() {
            gc.restart();
        }
        self.empty_the_block_cache();
        self.end_pause_with_the_process();
        let now = self.now();
        self.alive = false;
        self.master_view.process_died();
        self.explain_over_reported_stores();
        let cut = self.fs_wal.crash(&mut self.fs, torn);
        let wal_files = self.fs_wal.file_records(&self.fs);
        self.queue.retain(|event| !dies_with_the_server(event));
        for call in std::mem::take(&mut self.blocked_calls) {
            if let Some(blocked_at) = self.calls.get_mut(call).blocked_at.take() {
                self.stats.blocked.writer_nanos += u128::from((now - blocked_at).as_nanos());
            }
        }
        self.stats.blocked.writers.set(now, 0);
        // Every call the server held: its connection closes.
        for call in self.calls.handles() {
            let state = self.remove_call(call);
            let results = vec![
                super::write_path::Outcome::Failed(ServerError::ServerDown);
                state.actions.len()
            ];
            self.send_answer(state.request, state.attempt, state.actions, results);
        }
        self.calls = Slab::default();
        self.rpc.reset(now);
        self.ready.clear();
        self.flushes = Slab::default();
        self.tasks = Slab::default();
        self.flusher.reset(now);
        self.flush_queue_due_scheduled = None;
        self.devices.cancel_all(now);
        self.stats.cpu_runnable.set(now, 0);
        self.compactions.clear();
        self.stats.compactions_running.set(now, 0);
        self.compact_split = CompactSplit::new(
            self.config.compaction.small_threads,
            self.config.compaction.large_threads,
        );
        self.off_peak_compaction_running = false;
        self.wal.reset();
        self.sync_parts.clear();
        self.sync_points.clear();
        self.wal_bytes.clear();
        self.wal_cpu.clear();
        self.wal_lock_passing.clear();
        self.wal_broken = false;
        self.roll_in_progress = None;
        self.roll_requested = None;
        self.roll_waiters.clear();
        let mapped: Vec<RegionId> = self.mapped_regions().collect();
        for region_id in 0..self.regions.len() as RegionId {
            let mut lost = MemSize::default();
            let region = &mut self.regions[region_id as usize];
            for store in &mut region.stores {
                lost.add(store.memstore.size());
                store.memstore = MemStore::default();
                store.compacting.clear();
            }
            self.stats.memstore.data_bytes_lost_in_crash += lost.data;
            self.stats.memstore.heap_bytes_lost_in_crash += lost.heap;
            region.writes_enabled = false;
            region.calls_inside = 0;
            region.waiting_tasks.clear();
            region.flush_requested = false;
            region.flushing = false;
            region.writes_in_flight = 0;
            region.flush_waiting_for_lock = None;
            region.lock_waiters.clear();
            region.row_locks = RowLocks::default();
            region.mvcc = Mvcc::starting_at(region.sequence_id);
            let counted = region.size;
            if mapped.contains(&region_id) {
                region.state = RegionState::Offline;
                region.offline_since.get_or_insert(now);
                self.timeline
                    .mark(now, MarkerKind::RegionOffline, Some(region_id), "crashed");
            }
            self.change_memstore_size(region_id, counted, false);
        }
        let restart = self.config.recovery.restart_after;
        // A new process registering on the same host and port expires the old one at once.
        let noticed_after = restart.map_or(session_gone, |restart| session_gone.min(restart));
        self.lease_pending = cut
            .open_files
            .iter()
            .map(|path| file_name(path).to_string())
            .collect();
        self.last_failed_split = None;
        self.stats.recoveries.push(Recovery {
            cause,
            crashed_at: now,
            cut,
            regions: mapped.len() as u64,
            ..Recovery::default()
        });
        self.dead_wal_files = wal_files;
        self.queue
            .schedule_in(noticed_after, Event::MasterNoticesCrash);
        if let Some(restart) = restart.filter(|restart| *restart > noticed_after) {
            self.queue.schedule_in(restart, Event::ServerRestarts);
        }
    }

    /// Whether the new server process has registered (it runs the split and opens the
    /// regions).
    fn process_registered(&mut self) -> bool {
        let now = self.now();
        let crashed_at = self.recovery().crashed_at;
        self.config
            .recovery
            .restart_after
            .is_some_and(|restart| crashed_at + restart <= now)
    }

    fn recovery(&mut self) -> &mut Recovery {
        self.stats
            .recoveries
            .last_mut()
            .expect("a recovery under way")
    }

    /// The master sees the server dead: it fences the WAL directory and splits it.
    pub(super) fn on_master_notices_crash(&mut self) {
        let now = self.now();
        self.recovery().noticed_at = Some(now);
        self.timeline
            .mark(now, MarkerKind::Recovery, None, "server_dead");
        let dir = self.fs_wal.dir().to_string();
        let splitting = format!("{dir}-splitting");
        if self.fs.is_dir(&dir) {
            self.fs
                .rename(&dir, &splitting)
                .expect("the splitting directory is free");
        }
        self.splitting_dir = splitting;
        if self.process_registered() {
            self.schedule_split();
        }
    }

    /// The new process registered after the master had noticed the crash: the split can run.
    pub(super) fn on_server_restarts(&mut self) {
        let recovery = self.recovery();
        if recovery.noticed_at.is_some() && recovery.split_attempts == 0 {
            self.schedule_split();
        }
    }

    /// One attempt of the split: each file a task on the worker's slots; `WalSplitDone` when
    /// the last one is through.
    fn schedule_split(&mut self) {
        let read = (self.scenario.io.hdfs_read_bandwidth as f64 / self.slow_disk_factor) as u64;
        let settings = self.config.recovery;
        let mut jobs = Vec::new();
        for path in self.fs.list_files(&self.splitting_dir) {
            let dispatch = if settings.zk_coordinated {
                SimDuration::from_secs_f64(0.5 + 0.5 * self.split_grab.next_f64())
            } else {
                settings.dispatch_delay
            };
            let lease = if self.lease_pending.remove(file_name(&path)) {
                settings.lease_recovery_pause
            } else {
                SimDuration::ZERO
            };
            let file = self.fs.read(&path).expect("listed just now");
            let blocks_refetched = file.is_unreadable()
                || (file.replication() > 1
                    && file
                        .bad_chunks_from(0)
                        .any(|(_, bad)| bad >= file.replication()));
            let stall = if blocks_refetched {
                SimDuration::from_millis(BLOCK_ACQUIRE_STALL_MS)
            } else {
                SimDuration::ZERO
            };
            jobs.push(Job {
                delay: dispatch + lease + stall,
                // With the CPU model on, the split worker's CPU: every byte decoded from the
                // WAL and encoded again into recovered edits, at the WAL consumer's cost.
                cpu: self.scenario.cpu.wal_per_byte * (2 * file.len()),
                bytes: file.len(),
            });
        }
        let time = finish_times(
            &jobs,
            settings.max_splitters,
            read.max(1),
            self.scenario.cpu.cores,
        )
        .into_iter()
        .max()
        .unwrap_or(SimDuration::ZERO)
        .max(SimDuration::from_millis(1));
        self.recovery().split_attempts += 1;
        self.queue.schedule_in(time, Event::WalSplitDone);
    }

    /// The files of the splitting directory as the split would find them.
    fn splitting_files(&self) -> Vec<SplitFileState> {
        self.fs
            .list_files(&self.splitting_dir)
            .into_iter()
            .map(|path| {
                let file = self.fs.read(&path).expect("listed just now");
                SplitFileState {
                    length_bytes: file.len(),
                    unreadable: file.is_unreadable(),
                    damage: file.damage().len(),
                    path,
                }
            })
            .collect()
    }

    /// What the master knows of each region as it splits: the flushed sequence ids the server
    /// reported (`reports`), or (2.5) that a split or merged parent is gone. A region never
    /// reported is left out: the split keeps all its edits.
    fn regions_at_split(&self) -> RegionsAtSplit {
        let mapped: Vec<RegionId> = self.mapped_regions().collect();
        let mut regions = RegionsAtSplit::new();
        for (id, name) in self.region_names.iter().enumerate() {
            let at_split = if !mapped.contains(&(id as RegionId))
                && self.config.profile == ProfileId::Hbase25
            {
                RegionAtSplit::Gone
            } else if let Some(reported) = self.master_view.region(id as RegionId) {
                RegionAtSplit::Flushed {
                    last_flushed_sequence_id: reported.region,
                    store_sequence_ids: reported.stores.clone(),
                }
            } else {
                continue;
            };
            regions.insert(name.clone(), at_split);
        }
        regions
    }

    /// A split attempt is over.
    pub(super) fn on_wal_split_done(&mut self) {
        let now = self.now();
        let mut options = SplitOptions::for_release(
            self.scenario.release,
            self.config.split_skip_errors,
            self.scenario.bugs,
        );
        if self.config.profile == ProfileId::Hbase25 && self.config.recovery.zk_coordinated {
            options.coordination = Coordination::ZooKeeper;
        }
        let regions = self.regions_at_split();
        let dir = self.splitting_dir.clone();
        let files = self.splitting_files();
        let outcome = match self.last_failed_split.take() {
            Some(failed) if failed.files == files => failed.outcome,
            _ => split_log_dir(&mut self.fs, &dir, &options, &regions),
        };
        let by_name: BTreeMap<String, RolledFile> = self
            .dead_wal_files
            .iter()
            .map(|file| (file_name(&file.path).to_string(), file.clone()))
            .collect();
        for file in &outcome.files {
            let Some(record) = by_name.get(file_name(&file.path)) else {
                continue;
            };
            match &file.fate {
                WalFileFate::Corrupt { to } => {
                    self.recovery().files_set_aside.push(to.clone());
                    for (&region, &(low, high)) in &record.regions {
                        self.oracle
                            .unsplit(region, low, high, LossCause::CorruptWalSkipped);
                    }
                }
                WalFileFate::Archived { to } if !file.stop.is_clean() => {
                    self.note_truncation_by_damage(file, record, to);
                }
                WalFileFate::LeftInPlace => {
                    if outcome
                        .failure
                        .as_ref()
                        .is_some_and(|failure| failure.give_up)
                    {
                        for (&region, &(low, high)) in &record.regions {
                            self.oracle
                                .unsplit(region, low, high, LossCause::SplitGivenUp);
                        }
                    }
                }
                WalFileFate::Archived { .. } => {}
            }
            if let WalFileFate::Archived { to } | WalFileFate::Corrupt { to } = &file.fate
                && to.starts_with(OLD_WALS_DIR)
                && let Some(id) = self.fs.file(to)
            {
                self.old_wals.push((id, now));
            }
            let given_up = outcome
                .failure
                .as_ref()
                .is_some_and(|failure| failure.give_up);
            let record = SplitFileRecord {
                name: file_name(&file.path).to_string(),
                length_bytes: file.length_bytes,
                entries_read: file.entries_read,
                entries_written: file.entries_written.values().sum(),
                stop: file.stop.to_string(),
                fate: match file.fate {
                    WalFileFate::Archived { .. } => "archived",
                    WalFileFate::Corrupt { .. } => "set_aside",
                    WalFileFate::LeftInPlace if given_up => "given_up",
                    WalFileFate::LeftInPlace => "failed",
                },
            };
            let records = &mut self.recovery().split_files;
            match records.iter_mut().find(|known| known.name == record.name) {
                Some(known) => *known = record,
                None => records.push(record),
            }
            // A file that failed is split again; what it read counts when it is through.
            if file.fate != WalFileFate::LeftInPlace {
                self.stats.hdfs_read_around_chunks += file.read_around_chunks;
                let recovery = self.recovery();
                recovery.entries_split += file.entries_written.values().sum::<u64>();
            }
        }
        if let Some(failure) = &outcome.failure {
            let message = failure
                .errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            let give_up = failure.give_up;
            let recovery = self.recovery();
            recovery.split_failures += 1;
            recovery.last_split_error = Some(message);
            if give_up {
                recovery.split_given_up = true;
                self.timeline
                    .mark(now, MarkerKind::Recovery, None, "split_given_up");
            } else {
                self.timeline
                    .mark(now, MarkerKind::Recovery, None, "split_failed");
                // Retried at once: each task's dispatch is its only wait. What failed is kept:
                // the same files, unchanged, fail the same way again.
                let failed = SplitOutcome {
                    files: outcome
                        .files
                        .into_iter()
                        .filter(|file| file.fate == WalFileFate::LeftInPlace)
                        .collect(),
                    recovered_edits: Vec::new(),
                    failure: outcome.failure,
                };
                self.last_failed_split = Some(FailedSplit {
                    files: self.splitting_files(),
                    outcome: failed,
                });
                self.queue
                    .schedule_in(SimDuration::ZERO, Event::WalSplitRetry);
                return;
            }
        }
        self.recovery().split_done_at = Some(now);
        self.timeline.mark(now, MarkerKind::Recovery, None, "split");
        self.schedule_log_cleaner();
        self.reassign_regions();
    }

    /// The LogCleaner's next run that finds the oldest archived WAL past its TTL: the chore
    /// runs every `hbase.master.cleaner.interval` from the master's start.
    fn schedule_log_cleaner(&mut self) {
        if self.log_cleaner_scheduled {
            return;
        }
        let Some(&(_, archived_at)) = self.old_wals.first() else {
            return;
        };
        let settings = self.config.recovery;
        let due = (archived_at + settings.old_wal_ttl).as_nanos();
        let period = settings.log_cleaner_interval.as_nanos().max(1);
        let run = SimTime::from_nanos(due.div_ceil(period).saturating_mul(period));
        self.queue.schedule_at(run, Event::LogCleaner);
        self.log_cleaner_scheduled = true;
    }

    /// TimeToLiveLogCleaner: archived WALs older than the TTL go.
    pub(super) fn on_log_cleaner(&mut self) {
        self.log_cleaner_scheduled = false;
        let now = self.now();
        let ttl = self.config.recovery.old_wal_ttl;
        let fs = &mut self.fs;
        self.old_wals.retain(|&(id, archived_at)| {
            if archived_at + ttl > now {
                return true;
            }
            if let Some(path) = fs.path_of(id) {
                fs.delete_file(&path).expect("a file just found");
            }
            false
        });
        self.schedule_log_cleaner();
    }

    /// A damaged file the reader ended early: its edits above what was read are lost to the
    /// damage. (A file that ended early without damage is a crash's torn tail, which holds
    /// nothing acknowledged; a loss there stays unexplained.)
    fn note_truncation_by_damage(&mut self, file: &WalFileSplit, record: &RolledFile, at: &str) {
        let damaged = self
            .fs
            .read(at)
            .is_ok_and(|archived| !archived.damage().is_empty());
        if !damaged {
            return;
        }
        for (&region, &(low, high)) in &record.regions {
            let from = self
                .region_names
                .get(region as usize)
                .and_then(|name| file.highest_read.get(name))
                .map_or(low, |&read| read + 1);
            self.oracle
                .unsplit(region, from.max(low), high, LossCause::TruncatedByDamage);
        }
    }

    pub(super) fn on_wal_split_retry(&mut self) {
        self.schedule_split();
    }

    /// The server comes back as a new process, and the dead one's regions open on it.
    fn reassign_regions(&mut self) {
        let now = self.now();
        // DELETE_SPLIT_WALS_DIR: every file was archived or moved aside; a split given up
        // (HBASE-2958) leaves the unsplit ones where they are.
        if !self.recovery().split_given_up {
            self.fs.delete_dir(&self.splitting_dir);
        }
        self.alive = true;
        self.master_view
            .process_started(now, self.config.recovery.report_interval);
        self.wal_files_created += self.fs_wal.files_created;
        self.wal_files_archived += self.fs_wal.files_archived;
        let start_code = self.wall_clock_ms();
        self.fs_wal = FsWal::new(&format!("rs1,16020,{start_code}"), self.config.profile);
        let now_ms = self.wall_clock_ms();
        self.fs_wal
            .open(&mut self.fs, now_ms)
            .expect("a new server's WAL directory is free");
        self.last_roll_at = now;
        self.queue
            .schedule_in(self.config.wal_roll_period, Event::WalPeriodicRoll);
        if self.reads.is_some() {
            self.queue.schedule_in(
                self.config.reads.discharger_interval,
                Event::CompactedFilesDischarger,
            );
        }
        for handler in 0..self.flusher.handlers.len() {
            self.handler_idle(handler);
        }
        let mapped: Vec<RegionId> = self.mapped_regions().collect();
        self.regions_recovering = mapped.iter().copied().collect();
        let mut jobs = Vec::with_capacity(mapped.len());
        let io = &self.scenario.io;
        let (per_edit, per_cell) = (io.handler_cpu_per_mutation, io.flush_cpu_per_cell);
        for &region in &mapped {
            let replayed = self.replay_recovered_edits(region);
            jobs.push(Job {
                delay: self.region_open_latency.sample(),
                // With the CPU model on, the open worker's CPU: each edit put into the
                // memstore as a handler would, each cell flushed.
                cpu: per_edit * replayed.edits + per_cell * replayed.cells,
                bytes: replayed.file_bytes,
            });
        }
        let opened = finish_times(
            &jobs,
            self.config.recovery.open_region_threads,
            self.scenario.io.hdfs_write_bandwidth,
            self.scenario.cpu.cores,
        );
        for (region, open) in mapped.into_iter().zip(opened) {
            self.queue.schedule_in(open, Event::RegionOpen { region });
        }
        if self.regions_recovering.is_empty() {
            self.finish_recovery();
        }
    }

    /// HRegion.replayRecoveredEditsIfAny: the region's recovered edits above its stores' max
    /// sequence ids go into the memstore, flushed whenever the region's memstore passes its
    /// flush size (`isFlushSize` after each entry, 2.5; after each edit's cells, 1.4) and once
    /// at the end; the edits are deleted. Returns what was replayed and the bytes the flushes
    /// wrote.
    fn replay_recovered_edits(&mut self, region_id: RegionId) -> Replayed {
        let now = self.now();
        let table = self.regions[region_id as usize].table;
        let Some(encoded) = self.region_names.get(region_id as usize) else {
            return Replayed::default();
        };
        let dir = region_dir(&self.table_names[table].name, encoded);
        let files = recovered_edits_files(&self.fs, &dir);
        let stores_by_family = store_sequence_ids(&self.regions[region_id as usize].stores);
        let flush_size = self.regions[region_id as usize].flush_size_bytes;
        let heap = self.config.heap_accounting;
        let mut replayed = 0;
        let mut added = MemSize::default();
        let mut unflushed = MemSize::default();
        let mut file_bytes = 0;
        let mut highest = self.regions[region_id as usize].flushed_sequence_id;
        let mut batch: Vec<(Cell, u64)> = Vec::new();
        for (path, file_sequence_id) in &files {
            if !replays_file(*file_sequence_id, &stores_by_family) {
                continue;
            }
            let file = self.fs.read(path).expect("listed just now");
            let contents = read_wal(file, ReaderRules::for_release(self.scenario.release));
            let filter = replay_filter(&contents.entries, &stores_by_family);
            self.stats.recovery_cells_skipped += filter.skipped_already_in_store;
            let mut applied = filter.applied.iter().peekable();
            while let Some(first) = applied.next() {
                // One entry's cells per family go into the store together, as one mini-batch.
                let family = &first.cell.family;
                let sequence_id = first.sequence_id;
                let mut group = vec![first];
                while let Some(next) =
                    applied.next_if(|c| c.sequence_id == sequence_id && &c.cell.family == family)
                {
                    group.push(next);
                }
                let names = &self.table_names[table];
                let layout = &self.tables[table];
                let Some(store) = names.family_index(family) else {
                    self.stats.recovery_cells_skipped += group.len() as u64;
                    continue;
                };
                batch.clear();
                let mut damaged = false;
                let mut skipped = 0;
                for replayed_cell in group {
                    let cell = replayed_cell.cell;
                    let (Some(row), Some(qualifier), Some(cell_type), Ok(value_bytes)) = (
                        names.parse_row(&cell.row),
                        names.qualifier_rank(&cell.qualifier),
                        CellType::from_code(cell.type_code),
                        u32::try_from(cell.value.len()),
                    ) else {
                        skipped += 1;
                        continue;
                    };
                    let model = Cell {
                        row,
                        timestamp_ms: cell.timestamp_ms,
                        sequence_id,
                        qualifier,
                        cell_type,
                        value_bytes,
                    };
                    damaged |= !cell
                        .value
                        .is_generated_from(value_seed(&model), value_bytes);
                    batch.push((model, layout.cell_bytes(store, &model)));
                }
                self.stats.recovery_cells_skipped += skipped;
                if batch.is_empty() {
                    continue;
                }
                replayed += 1;
                if damaged {
                    self.oracle.corrupted(region_id, store, sequence_id);
                }
                highest = highest.max(sequence_id);
                let size = self.regions[region_id as usize].stores[store]
                    .memstore
                    .add(&mut batch, now, &heap);
                added.add(size);
                unflushed.add(size);
                if unflushed.heap > flush_size {
                    file_bytes += self.flush_replayed(region_id, highest);
                    unflushed = MemSize::default();
                }
            }
        }
        self.fs.delete_dir(&crate::model::hdfs::sim_fs::join(
            &dir,
            crate::model::wal::split::RECOVERED_EDITS_DIR,
        ));
        self.stats.recovery_edits_replayed += replayed;
        self.stats.memstore.data_bytes_added += added.data;
        self.stats.memstore.heap_bytes_added += added.heap;
        self.stats.memstore.cells_added += added.cells;
        if replayed > 0 {
            file_bytes += self.flush_replayed(region_id, highest);
        }
        Replayed {
            edits: replayed,
            cells: added.cells,
            file_bytes,
        }
    }

    /// A flush of the replayed region (internalFlushcache), written inline: the region is not
    /// open. Returns the bytes written.
    fn flush_replayed(&mut self, region_id: RegionId, highest: u64) -> u64 {
        let mut file_bytes = 0;
        let mut released = MemSize::default();
        for store in 0..self.regions[region_id as usize].stores.len() {
            let file = self.snapshot_store(region_id, store);
            let store_state = &mut self.regions[region_id as usize].stores[store];
            let segment = store_state.memstore.clear_snapshot();
            let Some(file) = file else {
                continue;
            };
            released.add(segment.size());
            self.oracle
                .persisted(region_id, store, segment.sequence_ids());
            file_bytes += file.size_bytes;
            store_state.add_file(file);
        }
        let region = &mut self.regions[region_id as usize];
        region.flushed_sequence_id = region.flushed_sequence_id.max(highest);
        region.last_flush_op_sequence_id = region.flushed_sequence_id;
        self.stats
            .flushes
            .count_commit(released, file_bytes, FlushReason::RecoveredEdits);
        file_bytes
    }

    /// A region opened: if it was recovering, its unavailability is measured; when the last
    /// is back, the recovery is over.
    pub(super) fn region_recovered(&mut self, region: RegionId) {
        if !self.regions_recovering.remove(&region) {
            return;
        }
        let now = self.now();
        let recovery = self.recovery();
        let offline = now - recovery.crashed_at;
        recovery.region_unavailable.record(offline);
        if self.regions_recovering.is_empty() {
            self.finish_recovery();
        }
    }

    fn finish_recovery(&mut self) {
        let now = self.now();
        let check = self.check_durability();
        let recovery = self.recovery();
        recovery.completed_at = Some(now);
        recovery.lost_after = check.lost;
        self.timeline
            .mark(now, MarkerKind::Recovery, None, "recovered");
    }

    /// The durability oracle against the stores as they are.
    pub(super) fn check_durability(&self) -> crate::model::wal::durability::DurabilityCheck {
        let regions = &self.regions;
        let awaiting = !self.alive || !self.regions_recovering.is_empty();
        self.oracle.check(
            |region, store| {
                RunSet::from_values(
                    regions[region as usize].stores[store]
                        .memstore
                        .sequence_ids(),
                )
            },
            |region| {
                if awaiting && regions[region as usize].state != RegionState::Open {
                    RegionStanding::AwaitingRecovery
                } else {
                    RegionStanding::Serving
                }
            },
        )
    }
}

/// Each store's max sequence id in its files, by family (0 for a store without files).
fn store_sequence_ids(stores: &[Store]) -> BTreeMap<Vec<u8>, u64> {
    stores
        .iter()
        .map(|store| {
            (
                store.family.clone().into_bytes(),
                store.max_file_sequence_id(),
            )
        })
        .collect()
}

/// What a region's open replayed from its recovered edits.
#[derive(Debug, Clone, Copy, Default)]
struct Replayed {
    /// Edits (one entry's cells of one family) put into the memstore, and their cells.
    edits: u64,
    cells: u64,
    /// Bytes the replay's flushes wrote.
    file_bytes: u64,
}
