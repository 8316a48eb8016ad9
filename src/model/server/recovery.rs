//! Faults that strike at a time, the server's death, and its recovery as HBase runs it
//! (shared/reference/compaction-and-wal-split.md §6):
//!
//! 1. **The crash.** The process dies with its memstores; every call it held is dropped (its
//!    client's connection closes: the attempt fails and is retried), every flush, compaction,
//!    roll and operator task in progress dies with it, and the files being written keep their
//!    durable bytes (with a torn write, part of the next entry too). The pending events of the
//!    dead process are dropped; the clients' and the scenario's stay. Requests reaching the
//!    dead server fail at once (ConnectException).
//! 2. **Detection.** The master notices after `zookeeper.session.timeout` (at once for a
//!    ZooKeeper session expiry, which the master sees as it happens; the server aborts when it
//!    learns of it), and fences the server's WALs by renaming its directory `-splitting`.
//! 3. **The split.** Each WAL is split (in parallel, as the split workers do: the split takes
//!    as long as reading the largest file at the HDFS read bandwidth) with
//!    `hbase.hlog.split.skip.errors` and the profile's rules (`wal::split`). A failed split is
//!    retried while the regions stay offline, after a back-off of 1 s doubling per attempt up
//!    to 10 minutes — the shape of 2.x's procedure retries (ProcedureUtil.getBackoffTimeMs);
//!    1.4's SplitLogManager resubmits on timers of its own (`hbase.splitlog.manager.timeout`),
//!    which this does not model. HBASE-2958 gives the split up instead, and the regions open
//!    without its edits.
//! 4. **Reassignment.** The server comes back as a new process (a new start code, a new WAL
//!    directory) and its regions open on it: each replays its recovered edits above its
//!    stores' max sequence ids into the memstore, flushes them, deletes the edits and opens
//!    after `[io] region_open_latency` plus the time to write that flush.
//!
//! The durability oracle is checked when the last region is back.

use std::collections::BTreeMap;

use super::RegionServer;
use crate::model::client::request::ServerError;
use crate::model::compaction::compact_split::CompactSplit;
use crate::model::event::Event;
use crate::model::flusher::FlushReason;
use crate::model::hdfs::devices::Device;
use crate::model::hdfs::sim_fs::file_name;
use crate::model::region::hregion::{RegionId, RegionState};
use crate::model::region::mvcc::Mvcc;
use crate::model::region::row_lock::RowLocks;
use crate::model::stats::Recovery;
use crate::model::store::cell::{Cell, MemSize};
use crate::model::store::hstore::Store;
use crate::model::store::memstore::MemStore;
use crate::model::timeline::MarkerKind;
use crate::model::wal::durability::{LossCause, RegionStanding, RunSet};
use crate::model::wal::files::{FsWal, RolledFile};
use crate::model::wal::format::read_wal;
use crate::model::wal::split::{
    RegionAtSplit, RegionsAtSplit, SplitOptions, WalFileFate, recovered_edits_files, region_dir,
    replay_filter, replays_file, split_log_dir,
};
use crate::scenario::fault::FaultKind;
use crate::sim::{SimDuration, Slab};

/// The longest back-off between split attempts (ProcedureUtil.getBackoffTimeMs's cap).
const SPLIT_RETRY_BACKOFF_MAX: SimDuration = SimDuration::from_secs(600);

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
            | Event::WalPeriodicRoll
            | Event::HandlerCpuDone { .. }
            | Event::FlushStepDone { .. }
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
            FaultKind::WalCorruption { file } => {
                if !self.alive {
                    return;
                }
                let oldest = file == crate::scenario::fault::CorruptedFile::Oldest;
                let stream = self.faults.stream(index);
                if self.fs_wal.corrupt(&mut self.fs, oldest, stream).is_some() {
                    self.note_fault(index);
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
        let now = self.now();
        self.alive = false;
        let cut = self.fs_wal.crash(&mut self.fs, torn);
        let wal_files = self.fs_wal.file_records();
        self.queue.retain(|event| !dies_with_the_server(event));
        for call in std::mem::take(&mut self.blocked_calls) {
            if let Some(blocked_at) = self.calls.get_mut(call).blocked_at.take() {
                self.stats.blocked.writer_nanos += u128::from((now - blocked_at).as_nanos());
            }
        }
        self.stats.blocked.writers.set(now, 0);
        // Every call the server held: its connection closes.
        for call in self.calls.handles() {
            let state = self.calls.remove(call);
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
        self.compactions.clear();
        self.compact_split = CompactSplit::new(
            self.config.compaction.small_threads,
            self.config.compaction.large_threads,
        );
        self.off_peak_compaction_running = false;
        self.wal.reset();
        self.sync_parts.clear();
        self.sync_points.clear();
        self.wal_chunk = None;
        self.wal_bytes_waiting.clear();
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
        let noticed_after = match kind {
            FaultKind::ZkExpiry => SimDuration::ZERO,
            _ => self.config.zk_session_timeout,
        };
        self.stats.recoveries.push(Recovery {
            cause: kind.name(),
            crashed_at: now,
            cut,
            regions: mapped.len() as u64,
            ..Recovery::default()
        });
        self.dead_wal_files = wal_files;
        self.queue
            .schedule_in(noticed_after, Event::MasterNoticesCrash);
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
        self.schedule_split();
    }

    fn schedule_split(&mut self) {
        let read = self.scenario.io.hdfs_read_bandwidth as f64 / self.slow_disk_factor;
        let largest = self
            .fs
            .list_files(&self.splitting_dir)
            .iter()
            .map(|path| self.fs.len(path).expect("listed"))
            .max()
            .unwrap_or(0);
        // The bytes read are the files' nominal lengths (values included).
        let nominal = self
            .dead_wal_files
            .iter()
            .map(|file| file.nominal_bytes)
            .max()
            .unwrap_or(largest)
            .max(largest);
        let time = SimDuration::from_secs_f64(nominal as f64 / read.max(1.0))
            .max(SimDuration::from_millis(1));
        self.recovery().split_attempts += 1;
        self.queue.schedule_in(time, Event::WalSplitDone);
    }

    /// What the master knows of each region as it splits: the flushed sequence ids the server
    /// last reported, or (2.5) that a split or merged parent is gone.
    fn regions_at_split(&self) -> RegionsAtSplit {
        let mapped: Vec<RegionId> = self.mapped_regions().collect();
        let mut regions = RegionsAtSplit::new();
        for (id, name) in self.region_names.iter().enumerate() {
            let region = &self.regions[id];
            let at_split = if !mapped.contains(&(id as RegionId))
                && self.config.profile == crate::scenario::profile::ProfileId::Hbase25
            {
                RegionAtSplit::Gone
            } else {
                RegionAtSplit::Flushed {
                    last_flushed_sequence_id: region.flushed_sequence_id,
                    store_sequence_ids: store_sequence_ids(&region.stores),
                }
            };
            regions.insert(name.clone(), at_split);
        }
        regions
    }

    /// A split attempt is over.
    pub(super) fn on_wal_split_done(&mut self) {
        let now = self.now();
        let options = SplitOptions {
            profile: self.config.profile,
            skip_errors: self.config.split_skip_errors,
            known_bugs: self.scenario.bugs,
        };
        let regions = self.regions_at_split();
        let dir = self.splitting_dir.clone();
        let outcome = split_log_dir(&mut self.fs, &dir, &options, &regions);
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
                WalFileFate::MovedToCorrupt { to } => {
                    self.recovery().files_moved_to_corrupt.push(to.clone());
                    for (&region, &(low, high)) in &record.regions {
                        self.oracle
                            .unsplit(region, low, high, LossCause::CorruptWalSkipped);
                    }
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
            let recovery = self.recovery();
            recovery.entries_split += file.entries_written.values().sum::<u64>();
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
                let attempts = self.recovery().split_attempts;
                let backoff =
                    SimDuration::from_secs(1u64 << attempts.min(20)).min(SPLIT_RETRY_BACKOFF_MAX);
                self.queue.schedule_in(backoff, Event::WalSplitRetry);
                return;
            }
        }
        self.recovery().split_done_at = Some(now);
        self.timeline.mark(now, MarkerKind::Recovery, None, "split");
        self.reassign_regions();
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
        for handler in 0..self.flusher.handlers.len() {
            self.handler_idle(handler);
        }
        let mapped: Vec<RegionId> = self.mapped_regions().collect();
        self.regions_recovering = mapped.iter().copied().collect();
        for region in mapped {
            let flush_bytes = self.replay_recovered_edits(region);
            let write = SimDuration::from_secs_f64(
                flush_bytes as f64 / self.scenario.io.hdfs_write_bandwidth as f64,
            );
            let open = self.region_open_latency.sample() + write;
            self.queue.schedule_in(open, Event::RegionOpen { region });
        }
        if self.regions_recovering.is_empty() {
            self.finish_recovery();
        }
    }

    /// HRegion.replayRecoveredEditsIfAny: the region's recovered edits above its stores' max
    /// sequence ids go into the memstore, which is then flushed; the edits are deleted. Returns
    /// the bytes the flush wrote.
    fn replay_recovered_edits(&mut self, region_id: RegionId) -> u64 {
        let now = self.now();
        let table = self.regions[region_id as usize].table;
        let names = &self.table_names[table];
        let Some(encoded) = self.region_names.get(region_id as usize) else {
            return 0;
        };
        let dir = region_dir(&names.name, encoded);
        let files = recovered_edits_files(&self.fs, &dir);
        let region = &mut self.regions[region_id as usize];
        let stores_by_family = store_sequence_ids(&region.stores);
        let layout = &self.tables[table];
        let heap = self.config.heap_accounting;
        let mut replayed = 0;
        let mut added = MemSize::default();
        let mut highest = region.flushed_sequence_id;
        let mut batch: Vec<(Cell, u64)> = Vec::new();
        for (path, file_sequence_id) in &files {
            if !replays_file(*file_sequence_id, &stores_by_family) {
                continue;
            }
            let bytes = self.fs.read(path).expect("listed just now");
            let contents = read_wal(bytes);
            let filter = replay_filter(&contents.entries, &stores_by_family);
            self.stats.recovery_cells_skipped += filter.skipped_already_in_store;
            let mut applied = filter.applied.iter().peekable();
            while let Some(first) = applied.next() {
                // One entry's cells per family go into the store together, as one mini-batch.
                let family = first.cell.family;
                let sequence_id = first.sequence_id;
                batch.clear();
                let mut group = vec![first];
                while let Some(next) =
                    applied.next_if(|c| c.sequence_id == sequence_id && c.cell.family == family)
                {
                    group.push(next);
                }
                let Some(store) = names.family_index(family) else {
                    self.stats.recovery_cells_skipped += group.len() as u64;
                    continue;
                };
                for replayed_cell in group {
                    let cell = replayed_cell.cell;
                    let (Some(row), Some(qualifier)) = (
                        names.parse_row(cell.row),
                        names.qualifier_rank(cell.qualifier),
                    ) else {
                        continue;
                    };
                    let model = Cell {
                        row,
                        timestamp_ms: cell.timestamp_ms,
                        sequence_id,
                        qualifier,
                        cell_type: cell.cell_type,
                        value_bytes: cell.value_length_bytes,
                    };
                    batch.push((model, layout.cell_bytes(store, &model)));
                }
                if batch.is_empty() {
                    continue;
                }
                replayed += 1;
                highest = highest.max(sequence_id);
                added.add(region.stores[store].memstore.add(&mut batch, now, &heap));
            }
        }
        self.fs.delete_dir(&crate::model::hdfs::sim_fs::join(
            &dir,
            crate::model::wal::split::RECOVERED_EDITS_DIR,
        ));
        self.stats.recovery_edits_replayed += replayed;
        if replayed == 0 {
            return 0;
        }
        self.stats.memstore.data_bytes_added += added.data;
        self.stats.memstore.heap_bytes_added += added.heap;
        self.stats.memstore.cells_added += added.cells;
        // The flush after replay (internalFlushcache), written inline: the region is not open.
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
            let max = store
                .files
                .iter()
                .map(|file| file.sequence_id_max)
                .max()
                .unwrap_or(0);
            (store.family.clone().into_bytes(), max)
        })
        .collect()
}
