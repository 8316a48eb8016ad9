//! Flushing: the MemStoreFlusher's handlers and queue, flushOneForGlobalPressure, and a region
//! flush from the updates-lock snapshot to the committed store files.
//!
//! A flush (HRegion.flushcache): refused if the region is already flushing or empty; the stores
//! chosen by the flush policy (all of them for an admin flush, those a too-many-WALs request
//! names); the snapshot taken under the updates lock's write side, which waits for in-flight
//! writes and holds new ones back, with the START_FLUSH marker appended unsynced; a full WAL
//! sync (HBASE-8208); the HFiles written, their bytes at the shared HDFS write bandwidth (each
//! writing flush capped at its share of the flush throughput controller's limit, tuned every
//! tune period from the flush pressure) alongside `io.flush_cpu_per_cell` for each snapshot
//! cell and the family's codec work (encoding each written cell, compressing the encoded
//! bytes; `store::codec`); each file validated (a reader
//! opened), renamed from .tmp into the store and opened, one after another
//! (`io.store_file_open_latency` twice and `io.hdfs_rename_latency` per file); the commit: store
//! files added, snapshots dropped, size counters lowered, blocked handlers woken; then the
//! COMMIT_FLUSH marker appended and synced, after which the region is no longer flushing. The
//! markers wait for syncs through the WAL's group commit like any writer; their bytes are not
//! in the WAL file (an append with no bytes counts them).

use super::{Executor, FlushJob, FlushStage, RegionServer, TransferOwner};
use crate::model::event::Event;
use crate::model::flusher::{FlushReason, FlushRequest, FlushStores, FlusherWork, HandlerState};
use crate::model::hdfs::devices::Device;
use crate::model::region::hregion::{
    FlushId, RegionId, RegionView, StoreView, pick_region_for_global_pressure,
    select_stores_to_flush,
};
use crate::model::store::cell::MemSize;
use crate::model::store::codec::write_work;
use crate::model::store::hstore::Store;
use crate::model::timeline::MarkerKind;
use crate::scenario::known_bugs::{KnownBug, SKIP_LIST_SIZE_NANOS_PER_CELL};
use crate::scenario::profile::ProfileId;
use crate::sim::{SimDuration, SimTime};

impl RegionServer<'_> {
    /// HRegion.requestFlush: deduplicated by the region's flushRequested flag, then by the
    /// flusher's one entry per region.
    pub(super) fn request_flush(&mut self, region: RegionId, reason: FlushReason) {
        let state = &mut self.regions[region as usize];
        if state.flush_requested {
            self.stats.flushes.requests_deduplicated += 1;
            return;
        }
        state.flush_requested = true;
        self.request_flusher_entry(region, reason, FlushStores::Policy);
    }

    /// MemStoreFlusher.requestFlush, directly (the LogRoller's too-many-WALs flush, which
    /// bypasses the region's flushRequested flag): queued unless the region has an entry.
    pub(super) fn request_flusher_entry(
        &mut self,
        region: RegionId,
        reason: FlushReason,
        stores: FlushStores,
    ) {
        let now = self.now();
        let replace_delayed = self.config.profile == ProfileId::Hbase25;
        if !self
            .flusher
            .request(region, reason, stores, now, replace_delayed)
        {
            self.stats.flushes.requests_deduplicated += 1;
        }
        self.dispatch_flusher();
    }

    /// Idle handlers take work until there is none (or none due) or no handler is idle.
    pub(super) fn dispatch_flusher(&mut self) {
        while let Some(handler) = self.flusher.idle_handler() {
            let now = self.now();
            let Some(work) = self.flusher.take_work(now) else {
                break;
            };
            match work {
                FlusherWork::GlobalPressureCheck => self.flush_one_for_global_pressure(handler),
                FlusherWork::Region(request) => self.flush_region_entry(handler, request),
            }
        }
        self.schedule_flush_queue_due();
    }

    /// Keeps an event pending for when the earliest delayed entry becomes due.
    fn schedule_flush_queue_due(&mut self) {
        let now = self.now();
        let Some(due) = self.flusher.next_due(now) else {
            return;
        };
        if self
            .flush_queue_due_scheduled
            .is_some_and(|scheduled| scheduled > now && scheduled <= due)
        {
            return;
        }
        self.flush_queue_due_scheduled = Some(due);
        self.queue.schedule_at(due, Event::FlushQueueDue);
    }

    pub(super) fn on_flush_queue_due(&mut self) {
        self.flush_queue_due_scheduled = None;
        self.dispatch_flusher();
    }

    /// MemStoreFlusher.flushRegion(FlushRegionEntry): a region with a store over
    /// hbase.hstore.blockingStoreFiles is put off (a split, else a compaction, requested the
    /// first time) and retried every blockingWaitTime/100 ms, until FlushRegionEntry.isMaximumWait:
    /// more than blockingWaitTime since the entry was created, in the server clock's whole
    /// milliseconds, strictly; then it is flushed anyway. A retry step of 0 ms (a wait under
    /// 100 ms) has HBase's handler take the entry straight back, again and again, until the
    /// clock passes the wait: that spin is taken as one step to the first millisecond at which
    /// the wait is over.
    fn flush_region_entry(&mut self, handler: usize, mut request: FlushRequest) {
        let now = self.now();
        let wait_ms = self.config.blocking_wait_time.as_millis();
        let waited_ms = now.as_millis() - request.created_at.as_millis();
        if self.has_too_many_store_files(request.region) && waited_ms <= wait_ms {
            if request.requeues == 0 && !self.request_split(request.region) {
                self.request_system_compaction(request.region, None);
            }
            request.deferred_since.get_or_insert(now);
            self.stats.flushes.delayed_for_store_files += 1;
            let step_ms = wait_ms / 100;
            let due = if step_ms > 0 {
                now + SimDuration::from_millis(step_ms)
            } else {
                SimTime::ZERO
                    + SimDuration::from_millis(request.created_at.as_millis() + wait_ms + 1)
            };
            self.flusher.requeue(request, now, due - now);
            self.handler_idle(handler);
            return;
        }
        if let Some(since) = request.deferred_since {
            self.stats.blocked.store_files_nanos += u128::from((now - since).as_nanos());
        }
        if request.orphan {
            self.flusher.forget(request.region);
        }
        if !self.start_flush(
            request.region,
            request.reason,
            request.stores,
            Executor::Handler(handler),
        ) {
            self.handler_idle(handler);
        }
    }

    /// The periodic flusher chore (HRegionServer.PeriodicMemStoreFlusher): each region that
    /// HRegion.shouldFlush picks gets a delayed flush request, the delay uniform in
    /// [0, range of delay).
    pub(super) fn on_periodic_flush_check(&mut self) {
        let now = self.now();
        for index in 0..self.regions.len() {
            let region = &self.regions[index];
            let reason = if region.flushed_sequence_id > 0
                && region.flushed_sequence_id + self.config.flush_per_changes
                    < region.mvcc.read_point()
            {
                Some(FlushReason::TooManyChanges)
            } else {
                match self.config.flush_check_interval {
                    Some(interval) => {
                        let earliest_flush = region
                            .stores
                            .iter()
                            .map(|store| store.last_flush_at)
                            .min()
                            .unwrap_or(SimTime::ZERO);
                        let recently_flushed =
                            now.saturating_duration_since(earliest_flush) < interval;
                        let old_edit = region.stores.iter().any(|store| {
                            store.memstore.oldest_edit_at().is_some_and(|oldest| {
                                now.saturating_duration_since(oldest) > interval
                            })
                        });
                        (!recently_flushed && old_edit).then_some(FlushReason::Periodic)
                    }
                    None => None,
                }
            };
            if let Some(reason) = reason {
                let range = self.config.periodic_flush_delay_range.as_nanos();
                let delay = SimDuration::from_nanos(if range == 0 {
                    0
                } else {
                    self.periodic_flush_delay.below(range / 1_000_000) * 1_000_000
                });
                if self.flusher.request_delayed(region.id, reason, now, delay) {
                    self.stats.flushes.periodic_requests += 1;
                }
            }
        }
        self.queue
            .schedule_in(self.config.periodic_flush_period, Event::PeriodicFlushCheck);
        self.dispatch_flusher();
    }

    /// A handler polls again, with a fresh timeout.
    pub(super) fn handler_idle(&mut self, handler: usize) {
        let now = self.now();
        let generation = self.flusher.new_poll_generation();
        self.flusher.set_handler(
            now,
            handler,
            HandlerState::Idle {
                poll_generation: generation,
            },
        );
        self.queue.schedule_in(
            self.config.flusher_poll_timeout,
            Event::FlusherPoll {
                handler: handler as u32,
                generation,
            },
        );
    }

    pub(super) fn on_flusher_poll(&mut self, handler: usize, generation: u64) {
        if self.flusher.handlers[handler]
            != (HandlerState::Idle {
                poll_generation: generation,
            })
        {
            return;
        }
        self.flusher.clear_wakeup();
        self.flush_one_for_global_pressure(handler);
        self.dispatch_flusher();
    }

    pub(super) fn on_flusher_wake(&mut self, handler: usize) {
        self.release_blocked_calls();
        self.flusher.post_wakeup();
        self.handler_idle(handler);
        self.dispatch_flusher();
    }

    /// The handler's global-pressure check: below the lower limit nothing happens; above it the
    /// handler flushes the region HBase would pick, or sleeps a second if none can be flushed.
    pub(super) fn flush_one_for_global_pressure(&mut self, handler: usize) {
        if self.global.heap < self.config.global_lower_bytes {
            self.handler_idle(handler);
            return;
        }
        let views: Vec<RegionView> = self
            .regions
            .iter()
            .map(|region| RegionView {
                id: region.id,
                heap_bytes: region.size.heap,
                flushing: region.flushing || !region.writes_enabled,
                too_many_store_files: self.has_too_many_store_files(region.id),
            })
            .collect();
        let reason = if self.global.heap >= self.config.global_upper_bytes {
            FlushReason::GlobalPressureUpper
        } else {
            FlushReason::GlobalPressureLower
        };
        match pick_region_for_global_pressure(&views) {
            Some(region) => {
                let now = self.now();
                self.flusher.remove_for_emergency_flush(region, now);
                if !self.start_flush(
                    region,
                    reason,
                    FlushStores::Policy,
                    Executor::Handler(handler),
                ) {
                    // HBase counts CANNOT_FLUSH as done and wakes itself again at once, which
                    // would spin here; it is treated as "nothing flushable" instead.
                    self.handler_sleeps(handler);
                }
            }
            None => self.handler_sleeps(handler),
        }
    }

    /// Nothing could be flushed under pressure: HBase's handler sleeps a second.
    pub(super) fn handler_sleeps(&mut self, handler: usize) {
        let now = self.now();
        self.flusher
            .set_handler(now, handler, HandlerState::Sleeping);
        self.queue.schedule_in(
            SimDuration::from_secs(1),
            Event::FlusherWake {
                handler: handler as u32,
            },
        );
    }

    /// HRegion.flushcache up to the snapshot, of `stores`: returns false when the region is
    /// already flushing or has nothing to flush (CANNOT_FLUSH).
    pub(super) fn start_flush(
        &mut self,
        region_id: RegionId,
        reason: FlushReason,
        stores: FlushStores,
        executor: Executor,
    ) -> bool {
        let now = self.now();
        let region = &mut self.regions[region_id as usize];
        // A close disables background and admin flushes (writestate.writesEnabled); its own
        // flushes (HRegion.internalFlushcache) go ahead.
        let background = !matches!(executor, Executor::Task(_));
        if region.flushing || (background && !region.writes_enabled) {
            self.stats.flushes.skipped += 1;
            return false;
        }
        if region.size.data == 0 {
            // CANNOT_FLUSH_MEMSTORE_EMPTY, after which flushcache's finally clears the flag.
            region.flush_requested = false;
            self.stats.flushes.skipped += 1;
            return false;
        }
        region.flushing = true;
        self.flush_starts();
        let region = &mut self.regions[region_id as usize];
        // Admin flushes, closes, bulk loads, snapshots and 1.4's too-many-WALs flushes write
        // every store, 2.5's too-many-WALs flushes the families named; the others ask the flush
        // policy (HRegion.flushcache with families null, forceFlushAllStores false).
        let stores = match stores {
            FlushStores::All => (0..region.stores.len()).collect(),
            FlushStores::Only(set) => set.stores().collect(),
            FlushStores::Policy => {
                let views: Vec<StoreView> = region
                    .stores
                    .iter()
                    .map(|store| {
                        let size = store.memstore.size();
                        StoreView {
                            heap_bytes: size.heap,
                            data_bytes: size.data,
                            oldest_edit_at: store.memstore.oldest_edit_at(),
                            sequence_id_unflushed_min: store.memstore.sequence_id_unflushed_min(),
                        }
                    })
                    .collect();
                select_stores_to_flush(
                    &self.config,
                    region.flush_size_bytes,
                    &views,
                    region.sequence_id,
                    now,
                )
            }
        };
        let waits_for_lock = region.writes_in_flight > 0;
        let flush = self.flushes.insert(FlushJob {
            region: region_id,
            reason,
            executor,
            stores,
            stage: FlushStage::Snapshot,
            snapshot_cells: 0,
            started_at: now,
            flushed_sequence_id: 0,
            op_sequence_id: 0,
            files: Vec::new(),
            write: None,
            counting_cells: false,
        });
        if let Executor::Handler(handler) = executor {
            self.flusher
                .set_handler(now, handler, HandlerState::Flushing(flush));
        }
        if waits_for_lock {
            self.regions[region_id as usize].flush_waiting_for_lock = Some(flush);
        } else {
            self.take_snapshot(flush);
        }
        true
    }

    /// Under the updates lock's write side: snapshot the chosen stores, release the lock (the
    /// writers queued behind it go on), and start writing the HFiles. With HBASE-21738 the lock
    /// is held on while ConcurrentSkipListMap.size() walks the snapshot's cells.
    pub(super) fn take_snapshot(&mut self, flush: FlushId) {
        let now = self.now();
        let job = self.flushes.get(flush).clone();
        if job.counting_cells {
            return;
        }
        self.stats
            .flushes
            .snapshot_wait
            .record(now - job.started_at);
        let region = &mut self.regions[job.region as usize];
        // HRegion.internalPrepareFlushCache: flushedSeqId is one below the earliest edit left
        // unflushed in the stores not flushed, or the flush's own sequence id if none is.
        let unflushed_elsewhere = region
            .stores
            .iter()
            .enumerate()
            .filter(|(index, _)| !job.stores.contains(index))
            .filter_map(|(_, store)| store.memstore.sequence_id_unflushed_min())
            .min();
        let (flushed_sequence_id, op_sequence_id) = match unflushed_elsewhere {
            Some(earliest) => (earliest - 1, region.sequence_id),
            None => {
                let flush_sequence_id = region.next_sequence_id();
                region.mvcc.begin(flush_sequence_id);
                for waiter in region.mvcc.complete(flush_sequence_id) {
                    self.ready.push_back(waiter);
                }
                (flush_sequence_id, flush_sequence_id)
            }
        };
        let job_ids = self.flushes.get_mut(flush);
        job_ids.flushed_sequence_id = flushed_sequence_id;
        job_ids.op_sequence_id = op_sequence_id;
        // The HFiles the snapshots become: known now, since a snapshot does not change.
        let files: Vec<_> = job
            .stores
            .iter()
            .filter_map(|&store| Some((store, self.snapshot_store(job.region, store)?)))
            .collect();
        let snapshot_cells: u64 = job
            .stores
            .iter()
            .map(|&store| {
                self.regions[job.region as usize].stores[store]
                    .memstore
                    .snapshot_size()
                    .cells
            })
            .sum();
        let state = self.flushes.get_mut(flush);
        state.files = files;
        state.snapshot_cells = snapshot_cells;
        if self.scenario.bugs.is_on(KnownBug::Hbase21738) && snapshot_cells > 0 {
            self.flushes.get_mut(flush).counting_cells = true;
            self.queue.schedule_in(
                SimDuration::from_nanos(snapshot_cells * SKIP_LIST_SIZE_NANOS_PER_CELL),
                Event::SnapshotCounted {
                    flush,
                    started_nanos: job.started_at.as_nanos(),
                },
            );
            return;
        }
        self.snapshot_taken(flush);
    }

    /// HBASE-21738: the snapshot's cells are counted; the flush goes on (unless a crash took
    /// it: the event then finds another flush, or none, under its id).
    pub(super) fn on_snapshot_counted(&mut self, flush: FlushId, started_nanos: u64) {
        let counted = self
            .flushes
            .try_get(flush)
            .is_some_and(|job| job.counting_cells && job.started_at.as_nanos() == started_nanos);
        if counted {
            self.flushes.get_mut(flush).counting_cells = false;
            self.snapshot_taken(flush);
        }
    }

    /// The snapshot is taken: START_FLUSH is appended under the lock, unsynced; the lock goes
    /// (the writers queued behind it go on); then a full sync.
    fn snapshot_taken(&mut self, flush: FlushId) {
        let region = self.flushes.get(flush).region;
        self.wait_for_flush_marker(flush, FlushStage::StartMarkerSync);
        self.regions[region as usize].flush_waiting_for_lock = None;
        self.updates_lock_released(region);
    }
    /// A flush marker (START_FLUSH, COMMIT_FLUSH) is appended and the flush waits for a WAL
    /// sync covering it, through the group commit. The markers' bytes are not written into the
    /// WAL file: the append counts, with no bytes.
    fn wait_for_flush_marker(&mut self, flush: FlushId, stage: FlushStage) {
        self.flushes.get_mut(flush).stage = stage;
        self.wal.append(0, None);
        self.wal.wait_for_sync(flush);
    }

    /// A WAL sync a flush waited for completed: after START_FLUSH it writes its files; after
    /// COMMIT_FLUSH it is done.
    pub(super) fn flush_marker_synced(&mut self, flush: FlushId) {
        match self.flushes.get(flush).stage {
            FlushStage::StartMarkerSync => self.write_flush_files(flush),
            FlushStage::CommitMarkerSync => self.finish_flush(flush),
            stage => unreachable!("a flush at {stage:?} waits for no sync"),
        }
    }

    /// HStore.flushCache for each store: the HFiles' bytes go through the shared write pipe
    /// while the flusher spends `io.flush_cpu_per_cell` on each snapshot cell, and the family's
    /// codec encodes and compresses what it writes; both must end.
    fn write_flush_files(&mut self, flush: FlushId) {
        let now = self.now();
        let job = self.flushes.get(flush);
        let file_bytes = job.files.iter().map(|(_, file)| file.size_bytes).sum();
        let codec = &self.tables[self.regions[job.region as usize].table].codec;
        let written_cells = job.files.iter().map(|(_, file)| file.cells).sum();
        let uncompressed = job
            .files
            .iter()
            .map(|(_, file)| file.uncompressed_bytes)
            .sum();
        let cpu =
            (self.scenario.io.flush_cpu_per_cell * job.snapshot_cells).saturating_add(write_work(
                codec,
                &self.scenario.cpu.codecs,
                written_cells,
                uncompressed,
            ));
        // The HFile writer's block buffers: about its bytes, once.
        self.allocate(file_bytes);
        let write = self.devices.start(
            Device::Shared,
            now,
            file_bytes,
            None,
            TransferOwner::Flush(flush),
        );
        self.flushes.get_mut(flush).write = Some(write);
        self.apply_flush_throughput_caps();
        self.schedule_write_done(Device::Shared);
        let parts_left = if cpu.is_zero() {
            1
        } else if self.devices.has_cpu() {
            self.devices
                .start_cpu(now, cpu, TransferOwner::FlushCpu(flush));
            self.schedule_write_done(Device::Cpu);
            2
        } else {
            self.queue.schedule_in(cpu, Event::FlushStepDone { flush });
            2
        };
        self.flushes.get_mut(flush).stage = FlushStage::Writing { parts_left };
    }

    /// A flush's writing part (bytes or CPU) or its commit's file operations are done.
    pub(super) fn on_flush_step_done(&mut self, flush: FlushId) {
        match self.flushes.get(flush).stage {
            FlushStage::Writing { parts_left } if parts_left > 1 => {
                self.flushes.get_mut(flush).stage = FlushStage::Writing {
                    parts_left: parts_left - 1,
                };
            }
            FlushStage::Writing { .. } => self.commit_flush_files(flush),
            FlushStage::Committing => self.commit_flush(flush),
            stage => unreachable!("a flush at {stage:?} has no step running"),
        }
    }

    /// The files are written: each is validated (a reader opened and closed), renamed from
    /// .tmp into the store and opened (StoreEngine.commitStoreFiles), one after another.
    fn commit_flush_files(&mut self, flush: FlushId) {
        let io = &self.scenario.io;
        let per_file = io.store_file_open_latency * 2 + io.hdfs_rename_latency;
        let files = self.flushes.get(flush).files.len() as u64;
        self.flushes.get_mut(flush).stage = FlushStage::Committing;
        let time = per_file * files;
        if time.is_zero() {
            self.commit_flush(flush);
        } else {
            self.queue.schedule_in(time, Event::FlushStepDone { flush });
        }
    }

    /// Snapshots a store's memstore and makes the HFile the snapshot becomes (none for an
    /// empty snapshot).
    pub(super) fn snapshot_store(
        &mut self,
        region: RegionId,
        store: usize,
    ) -> Option<crate::model::store::store_file::StoreFile> {
        let now = self.now();
        let region = &mut self.regions[region as usize];
        let layout = &self.tables[region.table];
        let memstore = &mut region.stores[store].memstore;
        memstore.snapshot();
        let segment = memstore
            .snapshot_segment()
            .filter(|segment| !segment.is_empty())?;
        let file = Store::flush_file(
            segment,
            self.next_file_id,
            now,
            layout.max_versions,
            |cell| layout.cell_bytes(store, cell),
            layout.row_naming(),
            &layout.codec,
        );
        self.next_file_id += 1;
        Some(file)
    }

    /// Wakes the server when the device's next transfer may have finished.
    pub(super) fn schedule_write_done(&mut self, device: Device) {
        if device == Device::Cpu {
            let now = self.now();
            self.stats
                .cpu_runnable
                .set(now, self.devices.active(Device::Cpu) as u64);
        }
        if let Some((at, generation)) = self.devices.next_completion(device) {
            // A transfer that finished during a garbage-collection pause is seen now.
            let at = at.max(self.now());
            // One wake-up per completion: asking again before anything changed (the same
            // generation and time) must not queue a twin, which would wake and ask again.
            let last = &mut self.write_done_scheduled[device.index() as usize];
            if *last == Some((at, generation)) {
                return;
            }
            *last = Some((at, generation));
            self.queue
                .schedule_at(at, Event::WriteDone { device, generation });
        }
    }

    pub(super) fn on_write_done(&mut self, device: Device, generation: u64) {
        let now = self.now();
        let crashes = self.stats.recoveries.len();
        for owner in self.devices.take_finished(device, generation, now) {
            // What one finish sets off may kill the process (a crash as a flush starts): the
            // transfers that finished with it died with it.
            if self.stats.recoveries.len() != crashes {
                break;
            }
            match owner {
                TransferOwner::Flush(flush) => {
                    // Its bytes are written: it no longer takes a share of the flush limit.
                    self.flushes.get_mut(flush).write = None;
                    self.apply_flush_throughput_caps();
                    self.on_flush_step_done(flush);
                }
                TransferOwner::WalChunk => self.wal_bytes_done(),
                TransferOwner::WalCpu => self.wal_cpu_done(),
                TransferOwner::GcCpu => {}
                TransferOwner::CompactionRead(compaction)
                | TransferOwner::CompactionWrite(compaction)
                | TransferOwner::CompactionCpu(compaction) => self.compaction_part_done(compaction),
                TransferOwner::HandlerCpu(call) | TransferOwner::BlockRead(call) => {
                    self.ready.push_back(call)
                }
                TransferOwner::FlushCpu(flush) => self.on_flush_step_done(flush),
            }
        }
        self.schedule_write_done(device);
    }

    /// Every writing flush's transfer gets the flush throughput controller's share (none
    /// without the pressure-aware controller).
    fn apply_flush_throughput_caps(&mut self) {
        if !self.flush_throughput.is_tuned() {
            return;
        }
        let now = self.now();
        let writes: Vec<_> = self
            .flushes
            .handles()
            .into_iter()
            .filter_map(|flush| self.flushes.get(flush).write)
            .collect();
        let cap = self.flush_throughput.per_operation_cap(writes.len());
        for write in writes {
            self.devices.set_cap(now, write, cap);
        }
        self.schedule_write_done(Device::Shared);
    }

    /// The flush throughput tuner chore: a new limit from the flush pressure.
    pub(super) fn on_flush_throughput_tune(&mut self) {
        let pressure = self.global.heap as f64 / self.config.global_lower_bytes.max(1) as f64;
        self.flush_throughput.tune(pressure);
        self.apply_flush_throughput_caps();
        self.queue.schedule_in(
            self.config.flush_throughput_tune_period,
            Event::FlushThroughputTune,
        );
    }

    /// The HFiles are committed: add them, drop the snapshots, lower the size counters, wake
    /// whoever waits on memory; then COMMIT_FLUSH waits for its sync.
    fn commit_flush(&mut self, flush: FlushId) {
        let mut job = self.flushes.get(flush).clone();
        let region = &mut self.regions[job.region as usize];
        let mut released = MemSize::default();
        let mut file_bytes = 0;
        for &store_index in &job.stores {
            let store = &mut region.stores[store_index];
            let segment = store.memstore.clear_snapshot();
            store.last_flush_at = job.started_at;
            released.add(segment.size());
            self.oracle
                .persisted(job.region, store_index, segment.sequence_ids());
        }
        let mut written = Vec::new();
        for (store_index, file) in std::mem::take(&mut job.files) {
            file_bytes += file.size_bytes;
            written.push((store_index, file.id));
            let store = &mut region.stores[store_index];
            store.add_file(file);
            let peak = &mut self.stats.store_files_peak_per_store;
            *peak = (*peak).max(store.files.len() as u64);
        }
        region.flushed_sequence_id = region.flushed_sequence_id.max(job.flushed_sequence_id);
        region.last_flush_op_sequence_id = job.op_sequence_id;
        self.flushes.get_mut(flush).files.clear();
        if self.config.reads.cache_on_flush {
            for (store_index, file) in written {
                self.cache_on_write(job.region, store_index, file);
            }
        }
        self.change_memstore_size(job.region, released, false);
        self.stats
            .flushes
            .count_commit(released, file_bytes, job.reason);
        self.release_blocked_calls();
        self.wait_for_flush_marker(flush, FlushStage::CommitMarkerSync);
    }

    /// COMMIT_FLUSH is synced: the flush is over (HRegion.flushcache's finally clears the
    /// region's flushing and flushRequested flags); then the split or compaction checks.
    fn finish_flush(&mut self, flush: FlushId) {
        let now = self.now();
        let job = self.flushes.remove(flush);
        let region = &mut self.regions[job.region as usize];
        region.flushing = false;
        region.flush_requested = false;
        self.timeline
            .mark(now, MarkerKind::Flush, Some(job.region), job.reason.name());
        self.stats.flushes.duration.record(now - job.started_at);
        // After the MemStoreFlusher's flushes (MemStoreFlusher.flushRegion) HBase asks for a
        // split if HRegion.checkSplit finds one, else a compaction if a flushed store needs one
        // (FlushResult.isCompactionNeeded): requestSplit's answer is ignored there, so a split
        // it refuses (the server's split limit, a store at its blocking count) asks for no
        // compaction either. An admin flush asks only for the compaction
        // (RSRpcServices.flushRegion); the flushes of a close, split, merge, bulk load or
        // snapshot ask for neither.
        let compaction_needed = job
            .stores
            .iter()
            .any(|&store| self.store_needs_compaction(job.region, store));
        match job.executor {
            Executor::Handler(_) => {
                if self.check_split(job.region).is_some() {
                    self.request_split(job.region);
                } else if compaction_needed {
                    self.request_system_compaction(job.region, None);
                }
            }
            Executor::Admin if compaction_needed => {
                self.request_system_compaction(job.region, None);
            }
            Executor::Admin | Executor::Task(_) => {}
        }
        if let Executor::Handler(handler) = job.executor {
            self.handler_idle(handler);
            if matches!(
                job.reason,
                FlushReason::GlobalPressureLower | FlushReason::GlobalPressureUpper
            ) {
                self.flusher.post_wakeup();
            }
        }
        self.release_blocked_calls();
        if let Executor::Task(task) = job.executor {
            self.tasks.get_mut(task).flush_op_sequence_id = Some(job.op_sequence_id);
            self.advance_task(task);
        }
        self.wake_region_tasks(job.region);
        self.dispatch_flusher();
    }
}
