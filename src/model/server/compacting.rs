//! Compactions and splits as CompactSplit runs them: requests, the two pools, selection when a
//! thread takes a request, the compaction's I/O under the throughput controller, the commit,
//! and the split checks after flushes and compactions.
//!
//! A system request (after a flush, from the CompactionChecker, on opening a region with
//! references) queues one runner per store in the small pool without a selection; when a thread
//! takes it, the store's priority is recomputed (a runner whose priority got worse goes back to
//! its pool), files are selected (HStore.requestCompaction), and a selection above the throttle
//! point moves to the large pool to be selected again there. A user request (`admin_compact`,
//! `major_compact`) selects at once and picks its pool by size. A running compaction reads its
//! inputs through the HDFS read pipe and writes its output through the write pipe it shares
//! with flushes and the WAL, capped by the throughput controller's per-compaction share
//! (PressureAwareThroughputController paces the cells' serialized bytes, so a compressed
//! output's stored bytes go at that share times its stored ÷ cell bytes; the reads follow at
//! the same pace); beside them runs its CPU: with the CPU model on, the merge per input cell
//! and the family's codec work (decompressing and decoding the inputs, encoding and
//! compressing the output; `store::codec`) on the cores, with it off the codec work as a delay;
//! it ends when all are done. Then its files replace the inputs; a store still at or
//! over its blocking count asks for another compaction ("Recursive enqueue"), otherwise the
//! region's split policy is asked. A region that closes aborts its compactions (HBase's
//! compactions stop at their next `hbase.hstore.close.check.interval`, 10 MB later; here at
//! once) and queued runners of a closed region do nothing when they run.
//!
//! A split (CompactSplit.requestSplit, then 2.x's SplitTableRegionProcedure) closes the parent
//! through the `split` action's close, at the split policy's split point, and the daughters open
//! after `io.region_open_latency`.

use super::{RegionServer, TransferOwner};
use crate::model::compaction::compact_split::{Pool, Runner, Selected, pool_for};
use crate::model::compaction::policy::{
    CandidateFile, CompactionConfig, PRIORITY_USER, SPLIT_REGION_COMPACTION_PRIORITY,
    SelectionRequest, needs_compaction, select_compaction, should_perform_major_compaction,
    store_compaction_priority,
};
use crate::model::compaction::throughput::store_compaction_pressure;
use crate::model::event::Event;
use crate::model::hdfs::devices::{Device, TransferKey};
use crate::model::region::hregion::{RegionId, RegionState};
use crate::model::region::split_policy::{StoreSplitView, split_point};
use crate::model::store::codec::{read_work, write_work};
use crate::model::store::store_file::{CompactedFile, StoreFile, compacted};
use crate::model::timeline::MarkerKind;
use crate::sim::SimTime;

/// Files a compaction selected, as the server keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// File ids, oldest first.
    pub files: Vec<u64>,
    /// Their lengths as HBase's request counts them (a reference at its parent's length):
    /// what picks the pool.
    pub bytes: u64,
    /// The bytes the compaction reads (a reference's half).
    pub read_bytes: u64,
    /// A MAJOR request: every file, trying major.
    pub major: bool,
    /// Every file of the store: delete markers are dropped and the output is marked as a
    /// major compaction's result (MAJOR or ALL_FILES).
    pub all_files: bool,
    pub off_peak: bool,
    /// Whether the selection holds reference files (a daughter after a split).
    pub after_split: bool,
}

/// A compaction running on a thread.
#[derive(Debug, Clone)]
pub(super) struct CompactionJob {
    region: RegionId,
    store: usize,
    thread: Pool,
    selection: Selection,
    output: StoreFile,
    read: TransferKey,
    write: TransferKey,
    /// The merge's and the codec's CPU, with the CPU model on (off, the codec's work is a
    /// `CompactionCpuDone` event).
    cpu: Option<TransferKey>,
    /// Of its parts (the read, the write, the CPU or codec delay), those still running.
    parts_left: u8,
    /// Bytes it stores for its data blocks, and the cells' bytes the throughput controller
    /// counts for them (the same without compression or encoding).
    throttled: (u64, u64),
    started_at: SimTime,
}

impl RegionServer<'_> {
    /// Whether CompactSplit takes requests for the region at all.
    fn compactions_allowed(&self, region: RegionId) -> bool {
        let table = self.regions[region as usize].table;
        self.config.compaction.enabled && self.tables[table].compaction_enabled
    }

    /// MemStoreFlusher.isTooManyStoreFiles: a store of the region has more files than
    /// hbase.hstore.blockingStoreFiles, and the table compacts at all.
    pub(super) fn has_too_many_store_files(&self, region: RegionId) -> bool {
        let state = &self.regions[region as usize];
        self.tables[state.table].compaction_enabled
            && state
                .stores
                .iter()
                .any(|store| store.files.len() > self.config.blocking_store_files)
    }

    /// The store's compaction settings (its table's).
    fn compaction_config(&self, region: RegionId) -> &CompactionConfig {
        &self.tables[self.regions[region as usize].table].compaction
    }

    /// HStore.getCompactPriority: blockingStoreFiles − files, never PRIORITY_USER.
    fn store_compact_priority(&self, region: RegionId, store: usize) -> i32 {
        let files = self.regions[region as usize].stores[store].files.len();
        store_compaction_priority(files, self.compaction_config(region))
    }

    /// HRegion.getCompactPriority: its most urgent store's.
    fn region_compact_priority(&self, region: RegionId) -> i32 {
        (0..self.regions[region as usize].stores.len())
            .map(|store| self.store_compact_priority(region, store))
            .min()
            .unwrap_or(i32::MAX)
    }

    /// The policy's view of a store's files, oldest first.
    fn candidates(&self, region: RegionId, store: usize) -> Vec<CandidateFile> {
        let store = &self.regions[region as usize].stores[store];
        store
            .files
            .iter()
            .map(|file| CandidateFile {
                id: file.id,
                size_bytes: file.size_bytes,
                compacting: store.compacting.contains(&file.id),
                reference: file.reference,
                exclude_from_minor: false,
                major_compaction_result: file.major_compaction_result,
                modified_ms: self.epoch_ms(file.created_at),
                timestamp_min_ms: None,
            })
            .collect()
    }

    /// Milliseconds since the epoch at simulated time `at` (`[server] clock_start`).
    fn epoch_ms(&self, at: SimTime) -> u64 {
        self.scenario.clock_start_ms + at.as_millis()
    }

    /// HStore.needsCompaction: enough files not already compacting.
    pub(super) fn store_needs_compaction(&self, region: RegionId, store: usize) -> bool {
        needs_compaction(
            &self.candidates(region, store),
            self.compaction_config(region),
        )
    }

    /// CompactSplit.requestSystemCompaction for one store, or every store of the region.
    pub(super) fn request_system_compaction(&mut self, region: RegionId, store: Option<usize>) {
        if !self.compactions_allowed(region) {
            return;
        }
        let stores: Vec<usize> = match store {
            Some(store) => vec![store],
            None => (0..self.regions[region as usize].stores.len()).collect(),
        };
        for store in stores {
            self.stats.compactions.requested += 1;
            let runner = Runner {
                region,
                store,
                queued_priority: self.store_compact_priority(region, store),
                selected: None,
                parent: Pool::Small,
            };
            self.submit_runner(Pool::Small, runner);
        }
    }

    /// A user compaction (RSRpcServices.compactRegion): every store selected now at
    /// PRIORITY_USER, after setting forceMajor for a major one.
    pub(super) fn request_user_compaction(&mut self, region: RegionId, major: bool) {
        for store in 0..self.regions[region as usize].stores.len() {
            if major {
                self.regions[region as usize].stores[store].force_major = true;
            }
            self.request_compaction_now(region, store, Some(PRIORITY_USER));
        }
    }

    /// CompactSplit.requestCompaction with selectNow: the files are chosen at once (at
    /// `priority`, or the store's) and the pool by their size.
    fn request_compaction_now(&mut self, region: RegionId, store: usize, priority: Option<i32>) {
        if !self.compactions_allowed(region) {
            return;
        }
        self.stats.compactions.requested += 1;
        let priority = priority.unwrap_or_else(|| self.store_compact_priority(region, store));
        let Some((selection, priority)) = self.select_compaction(region, store, priority) else {
            return;
        };
        let pool = pool_for(selection.bytes, self.throttle_point(region));
        let runner = Runner {
            region,
            store,
            queued_priority: priority,
            selected: Some(Selected {
                selection,
                priority,
                selected_at: self.now(),
            }),
            parent: pool,
        };
        self.submit_runner(pool, runner);
    }

    /// The store's throttle point: larger selections belong to the large pool.
    fn throttle_point(&self, region: RegionId) -> u64 {
        self.tables[self.regions[region as usize].table].compaction_throttle_bytes
    }

    /// Hands a runner to a pool; a thread free to take it runs it now.
    fn submit_runner(&mut self, pool: Pool, runner: Runner<Selection>) {
        if let Some((thread, runner)) = self.compact_split.submit(pool, runner) {
            self.thread_takes(thread, runner);
        }
    }

    /// A thread runs `runner`, and the next ones it may take while none starts a compaction.
    fn thread_takes(&mut self, thread: Pool, runner: Runner<Selection>) {
        let mut next = Some(runner);
        while let Some(runner) = next {
            if self.run_runner(thread, runner) {
                return;
            }
            next = self.compact_split.next_for(thread);
        }
        self.note_compaction_queue();
    }

    /// CompactionRunner.run on `thread`: true if a compaction started.
    fn run_runner(&mut self, thread: Pool, mut runner: Runner<Selection>) -> bool {
        let (region, store) = (runner.region, runner.store);
        if !self.compactions_allowed(region) {
            if let Some(selected) = &runner.selected {
                self.cancel_selection(region, store, &selected.selection);
            }
            return false;
        }
        let selection = match runner.selected.take() {
            Some(selected) => selected.selection,
            None => {
                let queued = runner.queued_priority;
                runner.queued_priority = self.store_compact_priority(region, store);
                if runner.queued_priority > queued {
                    // The store's priority got worse while it waited: back into its pool.
                    self.submit_runner(runner.parent, runner);
                    return false;
                }
                let Some((selection, _)) =
                    self.select_compaction(region, store, runner.queued_priority)
                else {
                    return false;
                };
                if runner.parent == Pool::Small
                    && pool_for(selection.bytes, self.throttle_point(region)) == Pool::Large
                {
                    // Too big for the small pool: cancel and select again in the large one.
                    self.cancel_selection(region, store, &selection);
                    self.submit_runner(Pool::Large, runner);
                    return false;
                }
                selection
            }
        };
        // HRegion.compact: nothing on a closing or closed region.
        let state = &self.regions[region as usize];
        if state.state != RegionState::Open || !state.writes_enabled {
            self.cancel_selection(region, store, &selection);
            return false;
        }
        self.start_compaction(thread, region, store, selection);
        true
    }

    /// HStore.requestCompaction: the policy's selection for the store, its files marked as
    /// compacting, the forced major cleared by a major request, the server's one off-peak slot
    /// taken by an off-peak one; and the request's priority (`priority`, raised in 2.5 for a
    /// split daughter's references).
    fn select_compaction(
        &mut self,
        region: RegionId,
        store: usize,
        priority: i32,
    ) -> Option<(Selection, i32)> {
        let state = &self.regions[region as usize];
        if !state.writes_enabled || state.state == RegionState::Offline {
            return None;
        }
        let now_ms = self.epoch_ms(self.now());
        let config = self.compaction_config(region);
        let files = self.candidates(region, store);
        let store_state = &state.stores[store];
        let request = SelectionRequest {
            files: &files,
            user: priority == PRIORITY_USER,
            force_major: store_state.force_major && store_state.compacting.is_empty(),
            may_use_off_peak: config.off_peak_hours.contains(now_ms)
                && !self.off_peak_compaction_running,
            now_ms,
            ttl_ms: None,
            explain: false,
        };
        let chosen = select_compaction(&request, config);
        if chosen.files.is_empty() {
            return None;
        }
        let selection = Selection {
            files: chosen.files.iter().map(|&index| files[index].id).collect(),
            bytes: chosen
                .files
                .iter()
                .map(|&index| files[index].size_bytes)
                .sum(),
            read_bytes: state.stores[store]
                .files
                .iter()
                .filter(|file| chosen.files.iter().any(|&index| files[index].id == file.id))
                .map(|file| file.read_bytes)
                .sum(),
            major: chosen.is_major(),
            all_files: chosen.is_all_files(),
            off_peak: chosen.off_peak,
            after_split: chosen.after_split,
        };
        let priority = if chosen.after_split && config.split_priority {
            priority.min(SPLIT_REGION_COMPACTION_PRIORITY)
        } else {
            priority
        };
        if selection.off_peak {
            self.off_peak_compaction_running = true;
        }
        let store_state = &mut self.regions[region as usize].stores[store];
        store_state
            .compacting
            .extend(selection.files.iter().copied());
        if selection.major {
            store_state.force_major = false;
        }
        Some((selection, priority))
    }

    /// HStore.cancelRequestedCompaction: the files are no longer compacting.
    fn cancel_selection(&mut self, region: RegionId, store: usize, selection: &Selection) {
        let store = &mut self.regions[region as usize].stores[store];
        for id in &selection.files {
            store.compacting.remove(id);
        }
        if selection.off_peak {
            self.off_peak_compaction_running = false;
        }
    }

    /// Starts the compaction's reads and writes; its output is known from its inputs.
    fn start_compaction(
        &mut self,
        thread: Pool,
        region: RegionId,
        store: usize,
        selection: Selection,
    ) {
        let now = self.now();
        let state = &self.regions[region as usize];
        let max_versions = self.tables[state.table].max_versions;
        let inputs: Vec<&StoreFile> = state.stores[store]
            .files
            .iter()
            .filter(|file| selection.files.contains(&file.id))
            .collect();
        let naming = self.tables[state.table].row_naming();
        let codec = self.tables[state.table].codec;
        let CompactedFile {
            size_bytes: output_bytes,
            uncompressed_bytes,
            contents,
            rows_by_bytes,
            mid_key,
        } = compacted(&inputs, selection.all_files, max_versions, naming, &codec);
        // The readers decompress and decode what they read; the writer encodes and compresses.
        let input_cells: u64 = inputs.iter().map(|file| file.cells).sum();
        let input_uncompressed: u64 = inputs.iter().map(|file| file.uncompressed_bytes).sum();
        let output_cells = contents
            .as_ref()
            .map_or(0, |contents| contents.put_cells + contents.delete_cells);
        // The controller counts the cells' serialized bytes (Compactor.performCompaction controls
        // by Cell.getSerializedSize); the write pipe carries the bytes stored for them.
        let throttled = contents.as_ref().map_or((1, 1), |contents| {
            (
                contents.file_bytes(&codec).1.stored,
                contents.payload_bytes(),
            )
        });
        let costs = &self.scenario.cpu.codecs;
        let codec_work = read_work(&codec, costs, input_cells, input_uncompressed)
            .saturating_add(write_work(&codec, costs, output_cells, uncompressed_bytes));
        let output = StoreFile {
            id: self.next_file_id,
            size_bytes: output_bytes,
            read_bytes: output_bytes,
            uncompressed_bytes,
            rows_by_bytes,
            mid_key,
            cells: output_cells,
            first_key: inputs
                .iter()
                .map(|file| file.first_key)
                .min()
                .unwrap_or((0, 0)),
            last_key: inputs
                .iter()
                .map(|file| file.last_key)
                .max()
                .unwrap_or((0, 0)),
            sequence_id_min: inputs
                .iter()
                .map(|file| file.sequence_id_min)
                .min()
                .unwrap_or(0),
            sequence_id_max: inputs
                .iter()
                .map(|file| file.sequence_id_max)
                .max()
                .unwrap_or(0),
            timestamp_max_ms: inputs
                .iter()
                .map(|file| file.timestamp_max_ms)
                .max()
                .unwrap_or(0),
            bulk_loaded: false,
            reference: false,
            major_compaction_result: selection.all_files,
            created_at: now,
            contents,
        };
        self.next_file_id += 1;
        let id = self.next_compaction_id;
        self.next_compaction_id += 1;
        let active = self.compactions.len() + 1;
        let cap = scaled_cap(
            self.throughput.per_operation_cap(active),
            throttled.0,
            throttled.1,
        );
        let read_cap = scaled_cap(cap, selection.read_bytes, output_bytes);
        let read = self.devices.start(
            Device::Read,
            now,
            selection.read_bytes,
            read_cap,
            TransferOwner::CompactionRead(id),
        );
        let write = self.devices.start(
            Device::Shared,
            now,
            output_bytes,
            cap,
            TransferOwner::CompactionWrite(id),
        );
        // The readers' and the writer's block buffers: about the bytes read and written.
        self.allocate(selection.read_bytes + output_bytes);
        // With the CPU model on, the merge's CPU per input cell and the codec's work run on the
        // cores beside the transfers; with it off, the codec's work is a delay beside them.
        let cpu_work = if self.devices.has_cpu() {
            (self.scenario.cpu.compaction_per_cell * input_cells).saturating_add(codec_work)
        } else {
            if !codec_work.is_zero() {
                self.queue
                    .schedule_in(codec_work, Event::CompactionCpuDone { compaction: id });
            }
            codec_work
        };
        let cpu = (self.devices.has_cpu() && !cpu_work.is_zero()).then(|| {
            self.devices
                .start_cpu(now, cpu_work, TransferOwner::CompactionCpu(id))
        });
        self.compactions.insert(
            id,
            CompactionJob {
                region,
                store,
                thread,
                selection,
                output,
                read,
                write,
                cpu,
                parts_left: if cpu_work.is_zero() { 2 } else { 3 },
                throttled,
                started_at: now,
            },
        );
        if cpu.is_some() {
            self.schedule_write_done(Device::Cpu);
        }
        self.stats
            .compactions_running
            .set(now, self.compactions.len() as u64);
        self.apply_throughput_caps();
        self.schedule_write_done(Device::Read);
        self.schedule_write_done(Device::Shared);
        self.note_compaction_queue();
    }

    /// Every running compaction's transfers get the controller's per-compaction share.
    fn apply_throughput_caps(&mut self) {
        let now = self.now();
        let cap = self.throughput.per_operation_cap(self.compactions.len());
        for job in self.compactions.values() {
            let cap = scaled_cap(cap, job.throttled.0, job.throttled.1);
            let read_cap = scaled_cap(cap, job.selection.read_bytes, job.output.size_bytes);
            self.devices.set_cap(now, job.write, cap);
            self.devices.set_cap(now, job.read, read_cap);
        }
        self.schedule_write_done(Device::Read);
        self.schedule_write_done(Device::Shared);
    }

    /// One of a compaction's parts finished; the compaction ends with the last. A
    /// compaction gone already was aborted by what another transfer finishing at this instant
    /// set off (a compaction of another store committing, its region then splitting): its
    /// transfer's finish comes to nothing.
    pub(super) fn compaction_part_done(&mut self, id: u64) {
        let Some(job) = self.compactions.get_mut(&id) else {
            return;
        };
        job.parts_left -= 1;
        if job.parts_left == 0 {
            self.finish_compaction(id);
        }
    }

    /// HStore.doCompaction's commit: the output replaces the inputs; then the recursive enqueue
    /// or the split check, and the thread takes its next runner.
    fn finish_compaction(&mut self, id: u64) {
        let now = self.now();
        let job = self
            .compactions
            .remove(&id)
            .expect("a finishing compaction is running");
        self.stats
            .compactions_running
            .set(now, self.compactions.len() as u64);
        let stats = &mut self.stats.compactions;
        stats.count += 1;
        stats.bytes_read += job.selection.read_bytes;
        stats.bytes_written += job.output.size_bytes;
        stats.files_read += job.selection.files.len() as u64;
        *stats.by_kind.entry(kind_name(&job.selection)).or_default() += 1;
        stats.duration.record(now - job.started_at);
        if job.selection.off_peak {
            self.off_peak_compaction_running = false;
        }
        for &input in &job.selection.files {
            self.file_compacted_away(input);
        }
        let output = job.output.id;
        self.regions[job.region as usize].stores[job.store]
            .replace_files(&job.selection.files, Some(job.output));
        if self.config.reads.cache_on_compaction {
            self.cache_on_write(job.region, job.store, output);
        }
        self.timeline.mark(
            now,
            MarkerKind::Compaction,
            Some(job.region),
            kind_name(&job.selection),
        );
        self.apply_throughput_caps();
        if self.store_compact_priority(job.region, job.store) <= 0 {
            self.request_system_compaction(job.region, Some(job.store));
        } else {
            self.request_split(job.region);
        }
        self.thread_next(job.thread);
    }

    /// A thread that finished (or gave up) takes its next runner, or goes idle.
    fn thread_next(&mut self, thread: Pool) {
        if let Some(runner) = self.compact_split.next_for(thread) {
            self.thread_takes(thread, runner);
        }
        self.note_compaction_queue();
    }

    /// A closing region's compactions stop, their files released.
    pub(super) fn abort_compactions(&mut self, region: RegionId) {
        let now = self.now();
        let ids: Vec<u64> = self
            .compactions
            .iter()
            .filter(|(_, job)| job.region == region)
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            let job = self.compactions.remove(&id).expect("listed just now");
            self.stats
                .compactions_running
                .set(now, self.compactions.len() as u64);
            self.devices.cancel(now, job.read);
            self.devices.cancel(now, job.write);
            if let Some(cpu) = job.cpu {
                self.devices.cancel(now, cpu);
                self.schedule_write_done(Device::Cpu);
            }
            self.cancel_selection(job.region, job.store, &job.selection);
            self.stats.compactions.aborted += 1;
            self.apply_throughput_caps();
            self.thread_next(job.thread);
        }
    }

    /// The throughput tuner chore: a new limit from the compaction pressure.
    pub(super) fn on_compaction_tune(&mut self) {
        let pressure = self
            .regions
            .iter()
            .filter(|region| region.state == RegionState::Open)
            .flat_map(|region| {
                let config = &self.tables[region.table].compaction;
                region.stores.iter().map(|store| {
                    store_compaction_pressure(
                        store.files.len(),
                        config.min_files,
                        config.blocking_store_files,
                    )
                })
            })
            .fold(0.0, f64::max);
        let now_ms = self.epoch_ms(self.now());
        let off_peak = self.config.compaction.off_peak_hours.contains(now_ms);
        self.throughput.tune(pressure, off_peak);
        self.apply_throughput_caps();
        self.queue
            .schedule_in(self.config.compaction.tune_period, Event::CompactionTune);
    }

    /// The CompactionChecker chore: every `multiplier` runs, each store that needs a compaction
    /// gets a system request, and one due a time-based major compaction a major request.
    pub(super) fn on_compaction_check(&mut self) {
        let iteration = self.compaction_check_iteration;
        self.compaction_check_iteration += 1;
        if iteration % self.config.compaction.check_multiplier == 0 {
            for region in 0..self.regions.len() as RegionId {
                if self.regions[region as usize].state != RegionState::Open
                    || !self.compactions_allowed(region)
                {
                    continue;
                }
                for store in 0..self.regions[region as usize].stores.len() {
                    if self.store_needs_compaction(region, store) {
                        self.request_system_compaction(region, Some(store));
                    } else if self.major_compaction_due(region, store) {
                        self.regions[region as usize].stores[store].force_major = true;
                        // The configured priority, when it is more urgent than the region's;
                        // else the store's own.
                        let configured = self.config.compaction.major_compact_priority;
                        let priority = (configured != i32::MAX
                            && configured <= self.region_compact_priority(region))
                        .then_some(configured);
                        self.request_compaction_now(region, store, priority);
                    }
                }
            }
        }
        self.queue
            .schedule_in(self.config.compaction.check_period, Event::CompactionCheck);
    }

    /// HStore.shouldPerformMajorCompaction: the time-based major compaction is due.
    fn major_compaction_due(&self, region: RegionId, store: usize) -> bool {
        let files = self.candidates(region, store);
        let files: Vec<&CandidateFile> = files.iter().collect();
        let now_ms = self.epoch_ms(self.now());
        should_perform_major_compaction(&files, self.compaction_config(region), now_ms, None)
            .is_due()
    }

    /// Samples the compaction queue's length for its peak.
    fn note_compaction_queue(&mut self) {
        let queued = self.compact_split.queued() as u64;
        let stats = &mut self.stats.compactions;
        stats.queue_peak = stats.queue_peak.max(queued);
    }

    /// CompactSplit.requestSplit(region): if the server is below its split limit, no store is
    /// at its blocking count, and HRegion.checkSplit gives a split point, the parent is closed
    /// and split there. Returns whether a split was requested.
    pub(super) fn request_split(&mut self, region: RegionId) -> bool {
        let online = self
            .regions
            .iter()
            .filter(|region| region.state == RegionState::Open)
            .count() as u64;
        if online >= self.config.split.region_split_limit
            || self.region_compact_priority(region) < PRIORITY_USER
        {
            return false;
        }
        let Some(row) = self.check_split(region) else {
            return false;
        };
        self.start_split(region, row);
        true
    }

    /// HRegion.checkSplit: the split row, if the region is open (not closing), its policy finds
    /// it big enough, and the largest store has a split point inside the region.
    pub(super) fn check_split(&self, region: RegionId) -> Option<u64> {
        let state = &self.regions[region as usize];
        if state.state != RegionState::Open || !state.writes_enabled {
            return None;
        }
        let table_online = self.tables[state.table]
            .regions_in_order()
            .filter(|&id| self.regions[id as usize].state == RegionState::Open)
            .count() as u64;
        let views: Vec<StoreSplitView> = state
            .stores
            .iter()
            .map(|store| StoreSplitView {
                files_bytes: store.files_bytes(),
                has_references: store.has_references(),
                largest_file_split_row: store
                    .files
                    .iter()
                    .rev()
                    .max_by_key(|file| file.size_bytes)
                    .and_then(|file| file.split_row()),
            })
            .collect();
        if !state.split_policy.should_split(&views, table_online) {
            return None;
        }
        split_point(&views).filter(|&row| row > state.start_row && row < state.end_row)
    }
}

/// A cap in other bytes: `cap` × `bytes` ÷ `per` (none without a cap or with `per` 0). A
/// compaction's writes carry its data's stored bytes per byte of cells the controller counts,
/// and its reads keep pace with its capped writes.
fn scaled_cap(cap: Option<u64>, bytes: u64, per: u64) -> Option<u64> {
    let cap = cap?;
    if per == 0 {
        return None;
    }
    Some(((u128::from(cap) * u128::from(bytes)) / u128::from(per)).max(1) as u64)
}

/// How the summary counts a compaction: `major` (a MAJOR request), `all_files` (every file
/// without trying major, which also drops deletes), or `minor`.
fn kind_name(selection: &Selection) -> &'static str {
    if selection.major {
        "major"
    } else if selection.all_files {
        "all_files"
    } else {
        "minor"
    }
}
