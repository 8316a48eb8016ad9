//! The WAL at work: a mini-batch's entry appended as bytes to the current file, the consumer
//! starting group-committed syncs, each sync's parts (its latency, its bytes through the WAL's
//! output stream, and with the CPU model on the consumer thread's CPU for its entries),
//! failures and what each profile does about them, and rolls — by size after a sync, every
//! `hbase.regionserver.logroll.period`, after a sync slower than
//! `hbase.regionserver.wal.roll.on.sync.ms` (2.5), and after an error — with the archiving and
//! the too-many-WALs flushes that follow each roll (shared/reference/write-path-and-flush.md §8).
//! HBASE-8755's switch puts back 0.94's model: one sync at a time, the next only once the last
//! one's writers have passed HLog's flush lock.
//!
//! Slow syncs (2.5, `wal::slow_sync`): a sync over `hbase.regionserver.wal.slowsync.ms` that also
//! passes `…roll.on.sync.ms` rolls, and FSHLog rolls on a train of slow syncs
//! (`…slowsync.roll.threshold` within `…slowsync.roll.interval.ms`).
//!
//! A roll waits until no sync is in flight (FSHLog's safe point, AsyncFSWAL's waitingRoll),
//! swaps in the new file, and takes one sync latency for the create and the close; syncs wait
//! for it, appends go on into the new file. The old file gets its trailer when the roll ends.
//! After an error the broken file is never closed: it keeps its durable bytes only, and
//! AsyncFSWAL writes the entries that were not durable again into the new file.
//!
//! The too-many-WALs flushes go to the MemStoreFlusher directly, as the LogRoller's do: not
//! through the region's flushRequested flag nor its flush policy, with the stores
//! SequenceIdAccounting.findLower names (`wal::sequence_ids`: 2.5 the pinning families, 1.4 every
//! store), and dropped if the region already has an entry in the flush queue (2.5 replacing a
//! delayed entry not yet due).
//!
//! Left out: low-replication rolls (there is no DataNode pipeline).

use super::{RegionServer, TransferOwner};
use crate::model::client::request::ServerError;
use crate::model::event::Event;
use crate::model::faults::Occasion;
use crate::model::flusher::FlushReason;
use crate::model::hdfs::devices::Device;
use crate::model::region::hregion::RegionId;
use crate::model::rpc::CallId;
use crate::model::store::cell::value_seed;
use crate::model::timeline::MarkerKind;
use crate::model::wal::files::RollReason;
use crate::model::wal::format::{CellValue, WalCell, WalKey};
use crate::model::wal::names::encoded_region_name;
use crate::model::wal::sequence_ids::stores_pinning;
use crate::scenario::bounds::SPAN_MAX;
use crate::scenario::fault::FaultKind;
use crate::scenario::known_bugs::{HBASE_8755_LOCK_PASS_NANOS, KnownBug};
use crate::sim::SimDuration;

impl RegionServer<'_> {
    /// The server's clock as HBase's: ms since the epoch.
    pub(super) fn wall_clock_ms(&self) -> u64 {
        self.scenario.clock_start_ms + self.now().as_millis()
    }

    /// Appends the WAL entry of `cells_by_family` (the mini-batch's cells, each family's
    /// cells ending at the index given) for `region` at `sequence_id`; returns its bytes as
    /// HBase counts them.
    pub(super) fn append_wal_entry(
        &mut self,
        region: RegionId,
        sequence_id: u64,
        families: &[(usize, usize)],
    ) -> u64 {
        while self.region_names.len() <= region as usize {
            let id = self.region_names.len() as RegionId;
            let table = self.regions[id as usize].table;
            let name = encoded_region_name(&self.table_names[table].name, id);
            self.region_names.push(name);
        }
        let write_time_ms = self.wall_clock_ms();
        let names = &self.table_names[self.regions[region as usize].table];
        let key = WalKey {
            encoded_region_name: &self.region_names[region as usize],
            table_name: &names.name,
            sequence_id,
            write_time_ms,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: &[],
            orig_sequence_id: 0,
        };
        let cells = &self.wal_cells;
        let row = &mut self.wal_row;
        let appended =
            self.fs_wal
                .append(&mut self.fs, region, &key, cells.len() as u32, |encoder| {
                    let mut start = 0;
                    for &(family, end) in families {
                        for (cell, _) in &cells[start..end] {
                            names.write_row(cell.row, row);
                            encoder.cell(WalCell {
                                row,
                                family: &names.families[family],
                                qualifier: &names.qualifiers[usize::from(cell.qualifier)],
                                timestamp_ms: cell.timestamp_ms,
                                type_code: cell.cell_type as u8,
                                value: CellValue::Generated {
                                    length_bytes: cell.value_bytes,
                                    seed: value_seed(cell),
                                },
                            });
                        }
                        start = end;
                    }
                });
        appended.length_bytes
    }

    /// The consumer: starts a sync for what is appended if a writer waits (and the writer is
    /// not broken, no roll is under way, and the in-flight limit allows); starts a requested
    /// roll once no sync is in flight.
    pub(super) fn maybe_start_wal_sync(&mut self) {
        if !self.alive {
            return;
        }
        if self.wal_broken {
            // The writer is broken until the roll replaces it: AsyncFSWAL holds the edits for
            // the new writer; FSHLog fails every sync meanwhile with DamagedWALException.
            if !self.config.wal_async {
                let writers = self.wal.take_waiting();
                self.answer_writers_of_broken_writer(writers);
                self.drain_ready();
            }
            return;
        }
        if self.roll_in_progress.is_some() {
            return;
        }
        // A requested roll waits for the safe point: no sync in flight.
        if self.roll_requested.is_some() {
            if self.wal.syncs_in_flight() == 0 {
                self.start_roll();
            }
            return;
        }
        if !self.wal.wants_sync(self.config.wal_batch_bytes) {
            return;
        }
        // HBASE-8755's old model: one sync holds the flush lock, and the next waits until the
        // last one's writers have passed it.
        if self.scenario.bugs.is_on(KnownBug::Hbase8755)
            && (self.wal.syncs_in_flight() > 0 || !self.wal_lock_passing.is_empty())
        {
            return;
        }
        let now = self.now();
        let mut latency = self.wal_sync_latency.sample();
        if self.slow_disk_factor > 1.0 {
            latency = latency.mul_f64(self.slow_disk_factor).min(SPAN_MAX);
        }
        for index in self.faults.strike(Occasion::SyncStart, now) {
            match self.faults.kind(index) {
                FaultKind::WalSlowSync { delay } => {
                    self.note_fault(index);
                    latency += delay;
                }
                // The sync's bytes are handed to HDFS and the server dies before any is
                // acknowledged (a torn write: with part of its last entry on disk).
                _ => self.crash_now(index),
            }
        }
        let point = self.fs_wal.sync_point(&self.fs);
        let (sync, latency_done, bytes) = self.wal.start_sync(now, latency);
        self.sync_points.insert(sync, (point, now));
        self.queue
            .schedule_at(latency_done, Event::WalSyncDone { sync });
        // The sync's bytes go through the WAL's one output stream, which shares the HDFS write
        // pipe with flushes (and compactions) as one stream among them: the sync ends when both
        // its latency and its bytes are done — and, with the CPU model on, the consumer's CPU
        // for its entries, which the one consumer thread does sync after sync.
        let mut parts = 2;
        if self.devices.has_cpu() {
            parts += 1;
            let work = self
                .scenario
                .cpu
                .wal_sync_work(self.wal.appends_of(sync), bytes);
            if self.wal_cpu.push(sync, work.as_nanos()) {
                self.start_wal_cpu();
            }
        }
        self.sync_parts.insert(sync, parts);
        if self.wal_bytes.push(sync, bytes) {
            self.start_wal_bytes();
        }
    }

    /// The WAL stream writes everything waiting, as one transfer.
    fn start_wal_bytes(&mut self) {
        let bytes = self.wal_bytes.start();
        let device = self.devices.wal_device();
        self.devices
            .start(device, self.now(), bytes, None, TransferOwner::WalChunk);
        self.schedule_write_done(device);
    }

    /// The WAL stream wrote its piece: those syncs' bytes are done; the next piece starts.
    pub(super) fn wal_bytes_done(&mut self) {
        let (syncs, more) = self.wal_bytes.finish();
        for sync in syncs {
            self.wal_sync_part_done(sync);
        }
        if more {
            self.start_wal_bytes();
        }
    }

    /// The consumer thread encodes everything waiting, as one piece of CPU.
    fn start_wal_cpu(&mut self) {
        let nanos = self.wal_cpu.start();
        let now = self.now();
        self.devices
            .start_cpu(now, SimDuration::from_nanos(nanos), TransferOwner::WalCpu);
        self.schedule_write_done(Device::Cpu);
    }

    /// The consumer thread's piece is done: those syncs' CPU is done; the next piece starts.
    pub(super) fn wal_cpu_done(&mut self) {
        let (syncs, more) = self.wal_cpu.finish();
        for sync in syncs {
            self.wal_sync_part_done(sync);
        }
        if more {
            self.start_wal_cpu();
        }
    }

    /// One part (latency, bytes or CPU) of a WAL sync is done; the sync's own time is up with
    /// the last, and it ends once every sync before it has ended (in order, as HDFS acknowledges).
    fn wal_sync_part_done(&mut self, sync: u64) {
        let parts = self
            .sync_parts
            .get_mut(&sync)
            .expect("a sync part ends for a sync that started");
        *parts -= 1;
        if *parts == 0 {
            self.sync_parts.remove(&sync);
            self.wal.own_time_done(sync);
            while let Some(next) = self.wal.next_in_order() {
                self.end_wal_sync(next);
            }
            for flush in self.wal.take_synced_flushes() {
                self.flush_marker_synced(flush);
            }
        }
    }

    pub(super) fn on_wal_sync_done(&mut self, sync: u64) {
        self.wal_sync_part_done(sync);
    }

    /// A sync ended (both parts done): its writers go on, or it failed (an injected fault).
    fn end_wal_sync(&mut self, sync: u64) {
        let (point, started_at) = self
            .sync_points
            .remove(&sync)
            .expect("a sync in flight has its starting point");
        // A failure is decided as the sync ends, so that `count` counts failures seen. A sync
        // whose bytes are already durable (it wrote nothing new) cannot fail: HBase releases
        // its writers with the sync before (highestSyncedTxid).
        let now = self.now();
        let struck = if self.fs_wal.is_durable(point) {
            Vec::new()
        } else {
            self.faults.strike(Occasion::SyncEnd, now)
        };
        let failed = !struck.is_empty();
        for &index in &struck {
            self.note_fault(index);
        }
        let Some(mut writers) = self.wal.end_sync(sync, failed) else {
            return;
        };
        if !failed {
            self.fs_wal.synced(point);
            self.stats.wal.sync_latency.record(now - started_at);
            if self.scenario.bugs.is_on(KnownBug::Hbase8755) && !writers.is_empty() {
                let pass = SimDuration::from_nanos(HBASE_8755_LOCK_PASS_NANOS);
                self.queue
                    .schedule_in(pass * writers.len() as u64, Event::WalLockPassed);
                self.wal_lock_passing = writers;
            } else {
                self.ready.extend(writers);
            }
            self.check_roll_after_sync(now - started_at);
            return;
        }
        // The sync failed: the writer is broken and a roll is requested. The other syncs in
        // flight on it are lost too, but for those with nothing left to make durable.
        for other in self.wal.in_flight_ids() {
            let covered = self
                .sync_points
                .get(&other)
                .is_some_and(|&(point, _)| self.fs_wal.is_durable(point));
            if covered && let Some(released) = self.wal.end_sync(other, false) {
                self.ready.extend(released);
            }
        }
        writers.extend(self.wal.abandon_in_flight());
        self.sync_points.clear();
        if !self.wal_broken {
            self.wal_broken = true;
            self.roll_requested = None;
            self.roll_in_progress = Some(RollReason::Error);
            let roll = self.roll_latency();
            self.queue.schedule_in(roll, Event::WalRollDone);
        }
        if self.config.wal_async {
            // AsyncFSWAL.syncFailed: unacknowledged entries are written again to the new file;
            // their writers keep waiting, up to the sync timeout.
            let timeout = self.config.wal_sync_timeout;
            let (expired, waiting): (Vec<CallId>, Vec<CallId>) =
                writers.into_iter().partition(|&call| {
                    self.waiting_for_sync_since(call)
                        .is_some_and(|since| now - since >= timeout)
                });
            self.wal.requeue(waiting);
            for call in expired {
                self.sync_failed(call, ServerError::WalSyncTimeout);
            }
        } else {
            for call in writers {
                self.sync_failed(call, ServerError::WalSyncFailed);
            }
        }
    }

    /// HBASE-8755's old model: the last sync's writers have passed the flush lock; they go on,
    /// and the next sync may start.
    pub(super) fn on_wal_lock_passed(&mut self) {
        let writers = std::mem::take(&mut self.wal_lock_passing);
        self.ready.extend(writers);
    }

    /// After a sync that succeeded: the roll by size, then (2.5) FSHLog's count of slow syncs
    /// (checkLogRoll), then the sync's own slowness (postSync), which counts it.
    fn check_roll_after_sync(&mut self, latency: SimDuration) {
        let now = self.now();
        let writer_since = self.last_roll_at;
        let roll_idle = self.roll_requested.is_none() && self.roll_in_progress.is_none();
        if self.wal_past_roll_size() {
            self.request_roll(RollReason::Size);
        } else if roll_idle
            && let Some(slow_syncs) = self.slow_syncs.as_mut()
            && slow_syncs.check(now, writer_since)
        {
            self.request_roll(RollReason::SlowSync);
        }
        if let Some(slow_syncs) = self.slow_syncs.as_mut()
            && slow_syncs.record(latency, writer_since)
        {
            self.request_roll(RollReason::SlowSync);
        }
    }

    /// The current file is past the roll size (AbstractFSWAL.postSync's check, after a sync).
    pub(super) fn wal_past_roll_size(&self) -> bool {
        self.fs_wal.current_length_bytes(&self.fs) > self.config.wal_roll_bytes
    }

    /// FSHLog's writers whose edits went to a broken writer: they fail with it
    /// (DamagedWALException). With HBASE-11868 on, they are told their edit is synced: on a
    /// broken writer every append and sync fails at once, and 0.98 advanced syncedTillHere past
    /// a failure, so these writers found it passed before they waited and never checked.
    fn answer_writers_of_broken_writer(&mut self, writers: Vec<CallId>) {
        let acknowledged = self.scenario.bugs.is_on(KnownBug::Hbase11868);
        for call in writers {
            if acknowledged {
                self.acknowledge_unsynced(call);
            } else {
                self.sync_failed(call, ServerError::WalSyncFailed);
            }
        }
    }

    /// requestLogRoll: the LogRoller is woken; the roll starts once no sync is in flight.
    pub(super) fn request_roll(&mut self, reason: RollReason) {
        if self.roll_requested.is_none() && self.roll_in_progress.is_none() && !self.wal_broken {
            self.roll_requested = Some(reason);
        }
    }

    /// How long a roll takes: the new file's create (a NameNode call, `io.hdfs_rename_latency`)
    /// and one sync latency for its header and the old file's close. Never nothing, so a writer
    /// that breaks at every sync still moves the clock between its rolls.
    fn roll_latency(&mut self) -> crate::sim::SimDuration {
        self.scenario.io.hdfs_rename_latency + self.wal_sync_latency.sample()
    }

    /// The LogRoller rolls: a new file is written from now on (`roll_latency`), and syncs wait
    /// for it.
    fn start_roll(&mut self) {
        let reason = self.roll_requested.take().expect("a roll was requested");
        let now = self.now();
        for index in self.faults.strike(Occasion::RollStart, now) {
            self.crash_now(index);
        }
        let now_ms = self.wall_clock_ms();
        self.fs_wal
            .roll_start(&mut self.fs, now_ms)
            .expect("a new WAL file name is free");
        // The writers whose entries went into the old file and wait for a sync are synced at
        // the safe point: the old file's close makes their bytes durable.
        self.roll_waiters = self.wal.take_waiting();
        self.roll_in_progress = Some(reason);
        let latency = self.roll_latency();
        self.queue.schedule_in(latency, Event::WalRollDone);
    }

    /// The roll is done: the old file is closed (or, after an error, cut to its durable bytes),
    /// rolled files whose edits are all flushed are archived, and with more rolled files than
    /// maxlogs the regions pinning the oldest are flushed.
    pub(super) fn on_wal_roll_done(&mut self) {
        let reason = self
            .roll_in_progress
            .take()
            .expect("a roll was in progress");
        let now_ms = self.wall_clock_ms();
        if self.wal_broken {
            self.wal_broken = false;
            if !self.config.wal_async {
                // FSHLog: every append made to the broken writer fails with it (their entries
                // are not carried to the new file).
                let writers = self.wal.take_waiting();
                self.answer_writers_of_broken_writer(writers);
            }
            let rewritten = self
                .fs_wal
                .roll_broken(&mut self.fs, now_ms, self.config.wal_async)
                .expect("a new WAL file name is free");
            self.stats.wal.entries_rewritten += rewritten;
        } else {
            self.fs_wal.roll_finish(&mut self.fs);
            self.ready.extend(std::mem::take(&mut self.roll_waiters));
        }
        let now = self.now();
        *self.stats.wal.rolls.entry(reason).or_default() += 1;
        self.last_roll_at = now;
        self.queue
            .schedule_in(self.config.wal_roll_period, Event::WalPeriodicRoll);
        self.timeline
            .mark(now, MarkerKind::WalRoll, None, reason.name());
        let archived = {
            let regions = &self.regions;
            self.fs_wal
                .archive(&mut self.fs, |region| lowest_unflushed(regions, region))
        };
        if archived > 0 {
            self.timeline
                .mark(now, MarkerKind::WalArchive, None, "archived");
        }
        self.flush_for_too_many_wals();
        self.note_wal_files();
    }

    /// With more rolled files than maxlogs, the stores pinning the oldest are flushed
    /// (AbstractFSWAL.findRegionsToForceFlush after a roll).
    pub(super) fn flush_for_too_many_wals(&mut self) {
        let profile = self.config.profile;
        let to_flush =
            self.fs_wal
                .regions_to_force_flush(self.config.wal_max_logs, |region, highest| {
                    let lowest: Vec<Option<u64>> = self.regions[region as usize]
                        .stores
                        .iter()
                        .map(|store| store.memstore.active_sequence_id_min())
                        .collect();
                    stores_pinning(profile, &lowest, highest)
                });
        // AbstractWALRoller/LogRoller.scheduleFlush: straight to the MemStoreFlusher.
        for (region, stores) in to_flush {
            self.stats.wal.forced_flush_requests += 1;
            self.request_flusher_entry(region, FlushReason::TooManyWals, stores);
        }
    }

    /// The LogRoller's periodic check: a roll once `hbase.regionserver.logroll.period` has
    /// passed since the last one.
    pub(super) fn on_wal_periodic_roll(&mut self) {
        if self.alive && self.now() >= self.last_roll_at + self.config.wal_roll_period {
            self.request_roll(RollReason::Periodic);
        }
    }

    /// Keeps the peak of WAL files in the directory.
    pub(super) fn note_wal_files(&mut self) {
        let files = self.fs_wal.files();
        self.stats.wal.files_peak = self.stats.wal.files_peak.max(files);
    }

    /// A crash at a point of the server's work strikes as the next event at this instant: the
    /// work that began goes no further, and nothing up the stack sees the server vanish.
    pub(super) fn crash_now(&mut self, index: usize) {
        if let FaultKind::WalTornWrite { fraction } = self.faults.kind(index) {
            let fraction = fraction
                .unwrap_or_else(|| self.faults.stream(index).next_f64_open_zero().min(0.999));
            self.torn_fraction.insert(index, fraction);
        }
        self.queue.schedule_in(
            crate::sim::SimDuration::ZERO,
            Event::Fault {
                index: index as u32,
            },
        );
    }

    /// A flush starts: a `crash` fault `during = "flush"` may strike.
    pub(super) fn flush_starts(&mut self) {
        let now = self.now();
        for index in self.faults.strike(Occasion::FlushStart, now) {
            self.crash_now(index);
        }
    }
}

/// A region's lowest sequence id not yet flushed (in a snapshot being flushed or the active
/// segment), `None` if it has nothing unflushed (SequenceIdAccounting's view).
fn lowest_unflushed(
    regions: &[crate::model::region::hregion::Region],
    region: RegionId,
) -> Option<u64> {
    regions[region as usize]
        .stores
        .iter()
        .filter_map(|store| store.memstore.sequence_id_unflushed_min())
        .min()
}
