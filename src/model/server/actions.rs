//! Operator actions: admin flush, table snapshot, bulk load, and the region closes behind a
//! move, a split and a merge.
//!
//! Close follows HRegion.doClose (2.x): background flushes are disabled and any flush running
//! is waited for; a pre-close flush runs if the memstore holds more than
//! `hbase.hregion.preclose.flush.size` (writes still accepted); then `closing` is set (new
//! requests get NotServingRegionException), the region lock's write side waits for the
//! requests inside, and the final flush empties the memstore. The region is then offline until
//! it opens again — itself after a move, or as daughters after a split, or as one region after
//! a merge. Daughters and merged regions hold reference files to their parents' store files,
//! half a file's cells each for a split. A snapshot or bulk load waits for a flush already
//! running, then flushes every store. Each flush here counts under its action's reason.

use super::{Executor, RegionServer};
use crate::model::event::Event;
use crate::model::flusher::{FlushReason, FlushStores};
use crate::model::region::hregion::{Region, RegionId, RegionState};
use crate::model::region::mvcc::Mvcc;
use crate::model::region::store_hotness::StoreHotnessProtector;
use crate::model::store::store_file::{Spread, StoreFile};
use crate::model::timeline::MarkerKind;
use crate::scenario::action::ActionKind;
use crate::sim::SimTime;

/// An action working on one region.
#[derive(Debug, Clone)]
pub(super) struct OperatorTask {
    kind: ActionKind,
    region: RegionId,
    step: Step,
    /// For a merge: the other half's task, and whether this task finishes the merge.
    partner: Option<u32>,
    /// For a split the split policy asked for: the first row of the second daughter (an
    /// operator's split takes the middle row).
    split_row: Option<u64>,
    /// The own sequence id of the last flush the task ran (a bulk-loaded file takes it).
    pub(super) flush_op_sequence_id: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Waiting for a flush already running on the region.
    Start,
    /// A close's pre-close flush is running.
    PreFlush,
    /// Closing: waiting for the requests inside the region.
    Closing,
    /// The final flush (or the flush of a snapshot or bulk load) is running.
    Flushing,
    /// Closed, waiting for the merge partner.
    Closed,
}

impl RegionServer<'_> {
    pub(super) fn on_action(&mut self, index: usize) {
        if !self.alive {
            // The server is down: the operator's request finds no server.
            self.stats.actions_skipped += 1;
            return;
        }
        let action = self.scenario.actions[index].clone();
        let table = self
            .tables
            .iter()
            .position(|table| table.name == action.table)
            .expect("the scenario checked the action's table");
        let in_order: Vec<RegionId> = self.tables[table].regions_in_order().collect();
        let chosen: Vec<RegionId> = match action.region {
            Some(position) => match in_order.get(position as usize) {
                Some(&region) => vec![region],
                None => {
                    self.stats.actions_skipped += 1;
                    return;
                }
            },
            None => in_order.clone(),
        };
        let closes = action.kind.closes_region();
        let mut involved = chosen.clone();
        if let (ActionKind::Merge { .. }, Some(position)) = (action.kind, action.region) {
            involved.extend(in_order.get(position as usize + 1));
        }
        if closes && involved.iter().any(|&region| self.in_transition(region)) {
            // The master refuses to close, split or merge a region in transition
            // (MergeTableRegionsProcedure, SplitTableRegionProcedure, the unassign's checks).
            self.stats.actions_skipped += 1;
            return;
        }
        self.stats.actions_run += 1;
        let now = self.now();
        self.timeline
            .mark(now, MarkerKind::Action, action.region, action.kind.name());
        match action.kind {
            ActionKind::AdminFlush => {
                for region in chosen {
                    self.start_flush(
                        region,
                        FlushReason::Admin,
                        FlushStores::All,
                        Executor::Admin,
                    );
                }
            }
            ActionKind::Compact { major } => {
                for region in chosen {
                    if self.regions[region as usize].state == RegionState::Open {
                        self.request_user_compaction(region, major);
                    }
                }
            }
            ActionKind::Merge { .. } => {
                let position = action.region.expect("a merge names its region") as usize;
                let Some(&second) = in_order.get(position + 1) else {
                    self.stats.actions_skipped += 1;
                    return;
                };
                let first = chosen[0];
                let a = self.new_task(action.kind, first);
                let b = self.new_task(action.kind, second);
                self.tasks.get_mut(a).partner = Some(b);
                self.tasks.get_mut(b).partner = Some(a);
                self.advance_task(a);
                self.advance_task(b);
            }
            kind => {
                for region in chosen {
                    let task = self.new_task(kind, region);
                    self.advance_task(task);
                }
            }
        }
    }

    /// Whether a region is offline, or a close, split or merge of it is under way (its writes
    /// disabled for it).
    fn in_transition(&self, region: RegionId) -> bool {
        let state = &self.regions[region as usize];
        state.state != RegionState::Open || !state.writes_enabled
    }

    fn new_task(&mut self, kind: ActionKind, region: RegionId) -> u32 {
        self.tasks.insert(OperatorTask {
            kind,
            region,
            step: Step::Start,
            partner: None,
            split_row: None,
            flush_op_sequence_id: None,
        })
    }

    /// A split the split policy asked for, at `row`: the parent closes and the daughters open
    /// after a region open's time.
    pub(super) fn start_split(&mut self, region: RegionId, row: u64) {
        let reopen_after = self.region_open_latency.sample();
        let task = self.new_task(ActionKind::Split { reopen_after }, region);
        self.tasks.get_mut(task).split_row = Some(row);
        self.advance_task(task);
    }

    fn reason_of(kind: ActionKind) -> FlushReason {
        match kind {
            ActionKind::AdminFlush => FlushReason::Admin,
            ActionKind::Close { .. } => FlushReason::Close,
            ActionKind::Split { .. } => FlushReason::Split,
            ActionKind::Merge { .. } => FlushReason::Merge,
            ActionKind::BulkLoad { .. } => FlushReason::BulkLoad,
            ActionKind::Snapshot => FlushReason::Snapshot,
            ActionKind::Compact { .. } => unreachable!("a compaction request flushes nothing"),
        }
    }

    /// Moves a task on until it waits for a flush or for requests inside the region.
    pub(super) fn advance_task(&mut self, task: u32) {
        loop {
            let OperatorTask {
                kind, region, step, ..
            } = self.tasks.get(task).clone();
            let state = &mut self.regions[region as usize];
            if state.state == RegionState::Offline && step != Step::Closed {
                // Closed by something else (a merge partner's split, say): nothing to do.
                self.stats.actions_skipped += 1;
                self.tasks.remove(task);
                return;
            }
            let closes = kind.closes_region();
            match step {
                Step::Start => {
                    if closes {
                        state.writes_enabled = false;
                        self.abort_compactions(region);
                    }
                    let state = &mut self.regions[region as usize];
                    if state.flushing {
                        state.waiting_tasks.push(task);
                        return;
                    }
                    if closes {
                        let pre_flush = state.size.data > self.config.preclose_flush_bytes;
                        self.tasks.get_mut(task).step = Step::PreFlush;
                        if pre_flush {
                            let reason = if matches!(kind, ActionKind::Close { .. }) {
                                FlushReason::ClosePreFlush
                            } else {
                                Self::reason_of(kind)
                            };
                            if self.start_flush(
                                region,
                                reason,
                                FlushStores::All,
                                Executor::Task(task),
                            ) {
                                return;
                            }
                        }
                    } else {
                        self.tasks.get_mut(task).step = Step::Flushing;
                        if self.start_flush(
                            region,
                            Self::reason_of(kind),
                            FlushStores::All,
                            Executor::Task(task),
                        ) {
                            return;
                        }
                    }
                }
                Step::PreFlush => {
                    state.state = RegionState::Closing;
                    self.tasks.get_mut(task).step = Step::Closing;
                }
                Step::Closing => {
                    if state.calls_inside > 0 || state.flushing {
                        state.waiting_tasks.push(task);
                        return;
                    }
                    self.tasks.get_mut(task).step = Step::Flushing;
                    if state.size.data > 0
                        && self.start_flush(
                            region,
                            Self::reason_of(kind),
                            FlushStores::All,
                            Executor::Task(task),
                        )
                    {
                        return;
                    }
                }
                Step::Flushing => {
                    if closes && state.size.data > 0 {
                        // Writes that were in flight left more: flush again, as doClose loops.
                        if self.start_flush(
                            region,
                            Self::reason_of(kind),
                            FlushStores::All,
                            Executor::Task(task),
                        ) {
                            return;
                        }
                    }
                    self.finish_task(task);
                    return;
                }
                Step::Closed => return,
            }
        }
    }

    /// A task's flushes are done: close, load or just finish.
    fn finish_task(&mut self, task: u32) {
        let now = self.now();
        let OperatorTask {
            kind,
            region,
            partner,
            ..
        } = self.tasks.get(task).clone();
        match kind {
            ActionKind::AdminFlush | ActionKind::Snapshot | ActionKind::Compact { .. } => {
                self.tasks.remove(task);
            }
            ActionKind::BulkLoad { bytes } => {
                // HRegion.bulkLoadHFiles: the files take the sequence id of the flush before
                // them — above every edit that flush wrote, below every edit after its
                // snapshot, which replay must not take for loaded — or, with nothing to flush,
                // a new one.
                let flushed = self.tasks.remove(task).flush_op_sequence_id;
                let state = &mut self.regions[region as usize];
                let sequence_id = match flushed {
                    Some(sequence_id) => sequence_id,
                    None => {
                        let sequence_id = state.next_sequence_id();
                        state.mvcc.begin(sequence_id);
                        for waiter in state.mvcc.complete(sequence_id) {
                            self.ready.push_back(waiter);
                        }
                        sequence_id
                    }
                };
                let state = &mut self.regions[region as usize];
                let rows = (state.start_row, state.end_row);
                let naming = self.tables[state.table].row_naming();
                let codec = self.tables[state.table].codec;
                for store in &mut state.stores {
                    // A bulk-loaded file's cells are not known: its rows are taken as spread
                    // evenly over the region.
                    let file = StoreFile {
                        bulk_loaded: true,
                        ..StoreFile::spread(
                            Spread {
                                id: self.next_file_id,
                                size_bytes: bytes,
                                rows,
                                sequence_ids: (sequence_id, sequence_id),
                                timestamp_max_ms: now.as_millis(),
                                contents: None,
                            },
                            naming,
                            now,
                            &codec,
                        )
                    };
                    self.next_file_id += 1;
                    store.add_file(file);
                    let peak = &mut self.stats.store_files_peak_per_store;
                    *peak = (*peak).max(store.files.len() as u64);
                }
                self.stats.bulk_loaded_bytes +=
                    bytes * self.regions[region as usize].stores.len() as u64;
            }
            ActionKind::Close { reopen_after } => {
                self.tasks.remove(task);
                self.take_offline(region);
                self.queue
                    .schedule_in(reopen_after, Event::RegionOpen { region });
            }
            ActionKind::Split { reopen_after } => {
                let split_row = self.tasks.remove(task).split_row;
                self.take_offline(region);
                let parent = &self.regions[region as usize];
                let table = parent.table;
                let end = parent.end_row.min(self.tables[table].row_count);
                let middle = split_row
                    .unwrap_or(parent.start_row + (end.saturating_sub(parent.start_row)) / 2);
                if middle <= parent.start_row || middle >= parent.end_row {
                    // A region of one row cannot split: it opens again as it was.
                    self.stats.actions_skipped += 1;
                    self.queue
                        .schedule_in(reopen_after, Event::RegionOpen { region });
                    return;
                }
                let daughters = [(parent.start_row, middle), (middle, parent.end_row)];
                let mut ids = Vec::new();
                for rows in daughters {
                    let id = self.add_region(table, rows, &[region], now);
                    ids.push(id);
                    self.queue
                        .schedule_in(reopen_after, Event::RegionOpen { region: id });
                }
                self.replace_in_map(table, &[region], &ids);
                self.stats.regions_split += 1;
                self.timeline
                    .mark(now, MarkerKind::Split, Some(region), "split");
            }
            ActionKind::Merge { reopen_after } => {
                let partner = partner.expect("a merge task has a partner");
                self.take_offline(region);
                if self.tasks.get(partner).step != Step::Closed {
                    self.tasks.get_mut(task).step = Step::Closed;
                    return;
                }
                self.tasks.remove(task);
                let other = self.tasks.remove(partner).region;
                let (low, high) = if self.regions[region as usize].start_row
                    < self.regions[other as usize].start_row
                {
                    (region, other)
                } else {
                    (other, region)
                };
                let table = self.regions[low as usize].table;
                let rows = (
                    self.regions[low as usize].start_row,
                    self.regions[high as usize].end_row,
                );
                let merged = self.add_region(table, rows, &[low, high], now);
                self.replace_in_map(table, &[low, high], &[merged]);
                self.queue
                    .schedule_in(reopen_after, Event::RegionOpen { region: merged });
                self.stats.regions_merged += 1;
            }
        }
    }

    /// The region is closed: requests get NotServingRegionException until it opens again.
    fn take_offline(&mut self, region: RegionId) {
        let now = self.now();
        let state = &mut self.regions[region as usize];
        assert_eq!(state.size.data, 0, "a region closes with an empty memstore");
        assert_eq!(
            state.calls_inside, 0,
            "a region closes with no requests inside"
        );
        state.state = RegionState::Offline;
        state.offline_since = Some(now);
        self.flusher.remove(region, now);
        self.region_files_closed(region);
        self.timeline
            .mark(now, MarkerKind::RegionOffline, Some(region), "closed");
    }

    /// RegionOpen: the region (moved back, a daughter, a merged region) takes requests.
    pub(super) fn on_region_open(&mut self, region: RegionId) {
        let now = self.now();
        let state = &mut self.regions[region as usize];
        state.state = RegionState::Open;
        state.writes_enabled = true;
        state.flush_requested = false;
        state.hotness = StoreHotnessProtector::new(state.stores.len());
        if let Some(since) = state.offline_since.take() {
            self.stats.region_offline_nanos += u128::from((now - since).as_nanos());
        }
        self.timeline
            .mark(now, MarkerKind::RegionOpen, Some(region), "opened");
        self.compact_after_open(region);
    }

    /// HRegionServer.postOpenDeployTasks: stores with references or enough files compact.
    pub(super) fn compact_after_open(&mut self, region: RegionId) {
        for store in 0..self.regions[region as usize].stores.len() {
            if self.regions[region as usize].stores[store].has_references()
                || self.store_needs_compaction(region, store)
            {
                self.request_system_compaction(region, Some(store));
            }
        }
    }

    /// A new region (a daughter or a merged region), offline until it opens, whose stores hold
    /// references to its parents' files (for a daughter, the half of each file in its rows).
    fn add_region(
        &mut self,
        table: usize,
        rows: (u64, u64),
        parents: &[RegionId],
        now: SimTime,
    ) -> RegionId {
        let id = self.regions.len() as RegionId;
        let families = self.scenario.tables[table].families.clone();
        let layout = &self.tables[table];
        let split_policy = layout.split_policy(&self.config.split, self.split_jitter.next_f32());
        let mut region = Region::new(
            id,
            table,
            rows,
            &families,
            layout.flush_size_bytes,
            self.config.block_multiplier,
            layout.tracks_values,
            split_policy,
            now,
        );
        region.state = RegionState::Offline;
        region.offline_since = Some(now);
        let sequence_id = parents
            .iter()
            .map(|&parent| self.regions[parent as usize].sequence_id)
            .max()
            .unwrap_or(0);
        region.sequence_id = sequence_id;
        region.flushed_sequence_id = sequence_id;
        region.last_flush_op_sequence_id = sequence_id;
        // Every number up to the parents' is spent (even none, before any write).
        region.mvcc = Mvcc::starting_at(sequence_id);
        for &parent in parents {
            let parent_region = &self.regions[parent as usize];
            let halves = parents.len() == 1;
            for (store, parent_store) in region.stores.iter_mut().zip(&parent_region.stores) {
                for file in &parent_store.files {
                    let reference = if halves {
                        file.half_reference(self.next_file_id, rows, now)
                    } else {
                        let mut whole = file.clone();
                        whole.id = self.next_file_id;
                        whole.reference = true;
                        whole.created_at = now;
                        whole
                    };
                    self.next_file_id += 1;
                    store.add_file(reference);
                }
            }
        }
        self.regions.push(region);
        self.flusher.add_region();
        self.stats.add_region();
        id
    }

    /// hbase:meta after a split or merge: `old` regions give way to `new` ones, whose offline
    /// time counts the unavailability from here on.
    fn replace_in_map(&mut self, table: usize, old: &[RegionId], new: &[RegionId]) {
        for &region in old {
            self.regions[region as usize].offline_since = None;
        }
        let map = &mut self.tables[table].region_map;
        map.retain(|(_, region)| !old.contains(region));
        for &region in new {
            map.push((self.regions[region as usize].start_row, region));
        }
        map.sort_unstable();
    }

    /// A task waiting on `region` (for a flush to end or requests to leave) tries again.
    pub(super) fn wake_region_tasks(&mut self, region: RegionId) {
        let waiting = std::mem::take(&mut self.regions[region as usize].waiting_tasks);
        for task in waiting {
            self.advance_task(task);
        }
    }
}
