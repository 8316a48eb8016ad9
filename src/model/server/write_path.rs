//! A call on an RPC handler: RSRpcServices.mutate/multi → reclaimMemStoreMemory →
//! HRegion.batchMutate, mini-batch by mini-batch, in the profile's order
//! (shared/reference/write-path-and-flush.md §1).
//!
//! For each region's group of actions: reclaimMemStoreMemory (the handler blocks while the
//! global memstore heap is at or above the upper limit, and wakes the flusher above the lower
//! one); then per mini-batch: checkResources (above flush size × block multiplier: request a
//! flush and fail the group's remaining actions with RegionTooBusyException); in 2.5 the
//! StoreHotnessProtector, mutation by mutation before its row lock (a dense mutation for a
//! store with too many under way fails alone with RegionTooBusyException); row locks (1.4
//! waits only for the first row and tries the others, stopping the mini-batch at the first one
//! taken elsewhere; 2.5 waits for every row, at most `hbase.regionserver.minibatch.size`); the
//! updates lock's read side (behind a flush waiting for its write side, for at most the busy
//! wait); a sequence id (= the MVCC write number) and timestamp for the mini-batch; the WAL
//! append; then 1.4 writes the memstore, releases the row locks and waits for the sync, while
//! 2.5 waits for the sync holding its locks and writes the memstore after; the size counters
//! rise after the sync in both; MVCC completeAndWait; requestFlushIfNeeded.
//!
//! Read-modify-write mutations (increment, append, check-and-put) take the row lock's exclusive
//! side and read the current value under it; 1.4's separate increment/append code paths are
//! approximated by this same sequence. A row-lock wait that times out fails the group's
//! remaining actions with TimeoutIOException (2.5 would stop the mini-batch and try again).

use std::collections::BTreeMap;

use super::{RegionServer, RequestId, TransferOwner};
use crate::model::client::request::{Action, Mutation, Request, ServerError};
use crate::model::event::Event;
use crate::model::flusher::FlushReason;
use crate::model::hdfs::devices::Device;
use crate::model::region::hregion::{RegionId, RegionState};
use crate::model::region::row_lock::LockMode;
use crate::model::region::value_index::Undo;
use crate::model::rpc::CallId;
use crate::model::store::cell::{Cell, MemSize};
use crate::scenario::profile::ProfileId;
use crate::scenario::workload::Durability;
use crate::sim::{SimDuration, SimTime};

/// What became of one action of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Success,
    /// A check-and-put whose check failed: answered, nothing written.
    CheckFailed,
    Failed(ServerError),
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Just taken by a handler.
    Start,
    /// The handler is spending the call's CPU.
    Cpu,
    /// Next: the global pressure check for the next region group.
    Reclaim,
    /// Next: checkResources and a new mini-batch.
    Batch,
    RowLocks,
    UpdatesLock,
    /// Waiting for the WAL sync.
    Sync,
    /// Waiting for the MVCC read point.
    Mvcc,
    /// A get or scan reading through the block cache (`read_path`).
    Read,
}

/// What a waiting call waits for, so that a timeout can withdraw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Nothing,
    RowLock(u64),
    UpdatesLock,
}

/// The mini-batch a call is writing.
#[derive(Debug, Clone, Default)]
struct MiniBatch {
    region: RegionId,
    /// One past the last action (index into the call's actions) with its row locked.
    end: usize,
    locks: Vec<(u64, LockMode)>,
    sequence_id: u64,
    timestamp_ms: u64,
    /// Value bytes each action writes (`None`: a failed check writes nothing).
    values: Vec<Option<u32>>,
    edit: MemSize,
    cells_inserted: bool,
    /// When the edit started waiting for a WAL sync.
    sync_since: SimTime,
    /// 1.4: what to take back out of the memstore if the sync fails.
    rollback: Option<Rollback>,
    /// HBASE-11868: acknowledged though its edit went to a broken writer and was never synced.
    unsynced: bool,
}

/// Cells written before the sync (1.4), and the value-index changes, to undo if it fails.
#[derive(Debug, Clone, Default)]
struct Rollback {
    /// Each store written, with what the mini-batch's cells added to its sizes.
    stores: Vec<(usize, MemSize)>,
    values: Undo,
}

/// One RPC at the server.
#[derive(Debug, Clone)]
pub struct Call {
    pub(super) request: RequestId,
    pub(super) attempt: u64,
    /// The handler running it (`usize::MAX` while queued).
    pub(super) handler: usize,
    deadline: SimTime,
    /// Indexes into the request's actions, grouped by region.
    pub(super) actions: Vec<u32>,
    pub(super) results: Vec<Outcome>,
    cursor: usize,
    group_end: usize,
    phase: Phase,
    batch: MiniBatch,
    pub(super) blocked_at: Option<SimTime>,
    wait: Wait,
    wait_generation: u64,
    /// The region whose batchMutate the call is in (startRegionOperation was passed).
    inside: Option<RegionId>,
    /// A read's progress (`None` for a write).
    pub(super) read: Option<Box<super::read_path::ReadCall>>,
}

impl RegionServer<'_> {
    pub(super) fn new_call(
        &mut self,
        request: RequestId,
        attempt: u64,
        actions: Vec<u32>,
        deadline: SimTime,
    ) -> CallId {
        let count = actions.len();
        let state = self.requests.get_mut(request);
        state.server_calls += 1;
        let read = state.reading.then(super::read_path::ReadCall::new);
        self.calls.insert(Call {
            request,
            attempt,
            handler: usize::MAX,
            deadline,
            actions,
            results: vec![Outcome::Pending; count],
            cursor: 0,
            group_end: 0,
            phase: Phase::Start,
            batch: MiniBatch::default(),
            blocked_at: None,
            wait: Wait::Nothing,
            wait_generation: 0,
            inside: None,
            read,
        })
    }

    /// Takes a call off the server (answered, rejected, or dropped with the process).
    pub(super) fn remove_call(&mut self, call: CallId) -> Call {
        let state = self.calls.remove(call);
        self.release_request(state.request);
        state
    }

    /// Runs every call that can make progress.
    pub(super) fn drain_ready(&mut self) {
        while let Some(call) = self.ready.pop_front() {
            self.advance(call);
        }
    }

    fn region_of_action(&self, call: CallId, position: usize) -> RegionId {
        let state = self.calls.get(call);
        let index = state.actions[position] as usize;
        self.requests.get(state.request).actions[index].region
    }

    /// Moves a call forward until it waits or answers.
    fn advance(&mut self, call: CallId) {
        loop {
            let phase = self.calls.get(call).phase;
            match phase {
                Phase::Start => {
                    // CallRunner drops a call whose deadline passed while it was queued; the
                    // client is no longer listening.
                    if self.now() > self.calls.get(call).deadline {
                        self.stats.calls_dropped_stale += 1;
                        let state = self.remove_call(call);
                        self.release_handler(state.handler);
                        return;
                    }
                    self.calls.get_mut(call).phase = Phase::Cpu;
                    let request_bytes = self.call_request_bytes(call);
                    self.allocate(self.call_allocation(request_bytes));
                    let cpu = self.call_cpu(call, request_bytes);
                    if !cpu.is_zero() {
                        self.spend_handler_cpu(call, cpu);
                        return;
                    }
                }
                Phase::Cpu => {
                    let state = self.calls.get_mut(call);
                    state.phase = if state.read.is_some() {
                        Phase::Read
                    } else {
                        Phase::Reclaim
                    };
                }
                Phase::Read => {
                    self.advance_read(call);
                    return;
                }
                Phase::Reclaim => {
                    let state = self.calls.get(call);
                    if state.cursor == state.actions.len() {
                        self.respond(call);
                        return;
                    }
                    let region = self.region_of_action(call, state.cursor);
                    let mut group_end = state.cursor + 1;
                    while group_end < state.actions.len()
                        && self.region_of_action(call, group_end) == region
                    {
                        group_end += 1;
                    }
                    let state = self.calls.get_mut(call);
                    state.group_end = group_end;
                    state.phase = Phase::Batch;
                    if self.global.heap >= self.config.global_upper_bytes {
                        self.block_on_global_pressure(call);
                        return;
                    }
                    if self.global.heap >= self.config.global_lower_bytes {
                        self.flusher.post_wakeup();
                        self.dispatch_flusher();
                    }
                }
                Phase::Batch => {
                    let state = self.calls.get(call);
                    if state.cursor == state.group_end {
                        self.leave_region(call);
                        self.calls.get_mut(call).phase = Phase::Reclaim;
                        continue;
                    }
                    let region = self.region_of_action(call, state.cursor);
                    if state.inside.is_none() {
                        // startRegionOperation: a closing or closed region refuses the call.
                        if self.regions[region as usize].state != RegionState::Open {
                            self.stats.not_serving_region += 1;
                            self.fail_rest_of_group(call, ServerError::NotServingRegion);
                            continue;
                        }
                        self.regions[region as usize].calls_inside += 1;
                        self.calls.get_mut(call).inside = Some(region);
                    }
                    if self.regions[region as usize].is_above_blocking_size() {
                        // checkResources: HBase requests a flush, then refuses the write.
                        self.stats.region_too_busy += 1;
                        self.request_flush(region, FlushReason::MemstoreSize);
                        self.fail_rest_of_group(call, ServerError::RegionTooBusy);
                        continue;
                    }
                    let state = self.calls.get_mut(call);
                    let rows_max =
                        (state.group_end - state.cursor).min(self.config.minibatch_rows_max);
                    // The last mini-batch's buffers are reused, empty.
                    let mut locks = std::mem::take(&mut state.batch.locks);
                    assert!(locks.is_empty(), "a mini-batch starts holding no row lock");
                    locks.reserve(rows_max);
                    let mut values = std::mem::take(&mut state.batch.values);
                    values.clear();
                    state.batch = MiniBatch {
                        region,
                        end: state.cursor,
                        locks,
                        values,
                        ..MiniBatch::default()
                    };
                    state.phase = Phase::RowLocks;
                }
                Phase::RowLocks => {
                    if !self.lock_rows(call) {
                        return;
                    }
                    let state = self.calls.get_mut(call);
                    if state.batch.locks.is_empty() {
                        // Every mutation was refused as StoreTooBusy: nothing is ready to write.
                        state.cursor = state.batch.end;
                        state.phase = Phase::Batch;
                        continue;
                    }
                    state.phase = Phase::UpdatesLock;
                }
                Phase::UpdatesLock => {
                    let region = self.calls.get(call).batch.region;
                    if self.regions[region as usize]
                        .flush_waiting_for_lock
                        .is_some()
                    {
                        self.wait_for_updates_lock(call, region);
                        return;
                    }
                    self.regions[region as usize].writes_in_flight += 1;
                    if self.write_mini_batch(call) {
                        return;
                    }
                }
                Phase::Sync => {
                    self.apply_after_sync(call);
                    self.calls.get_mut(call).phase = Phase::Mvcc;
                }
                Phase::Mvcc => {
                    let state = self.calls.get(call);
                    let (region, sequence_id) = (state.batch.region, state.batch.sequence_id);
                    if !self.regions[region as usize]
                        .mvcc
                        .wait_for(sequence_id, call)
                    {
                        return;
                    }
                    self.finish_mini_batch(call);
                }
            }
        }
    }

    /// reclaimMemStoreMemory: the handler waits, holding its call, until the global size is
    /// below the upper limit again; it wakes the flusher first.
    fn block_on_global_pressure(&mut self, call: CallId) {
        let now = self.now();
        self.calls.get_mut(call).blocked_at = Some(now);
        self.blocked_calls.push_back(call);
        self.stats.blocked.writers_blocked += 1;
        self.stats
            .blocked
            .writers
            .set(now, self.blocked_calls.len() as u64);
        self.flusher.post_wakeup();
        self.dispatch_flusher();
    }

    /// wakeUpIfBlocking: handlers blocked on global pressure re-check the upper limit.
    pub(super) fn release_blocked_calls(&mut self) {
        let now = self.now();
        while !self.blocked_calls.is_empty() && self.global.heap < self.config.global_upper_bytes {
            let call = self.blocked_calls.pop_front().expect("checked non-empty");
            let blocked_at = self
                .calls
                .get_mut(call)
                .blocked_at
                .take()
                .expect("a blocked call records when it blocked");
            self.stats.blocked.writer_nanos += u128::from((now - blocked_at).as_nanos());
            self.stats
                .blocked
                .writers
                .set(now, self.blocked_calls.len() as u64);
            self.ready.push_back(call);
        }
    }

    /// Takes the mini-batch's row locks; returns false if the call now waits for one. In 2.5 the
    /// StoreHotnessProtector sees each mutation first, before its row lock.
    fn lock_rows(&mut self, call: CallId) -> bool {
        loop {
            let state = self.calls.get(call);
            let position = state.batch.end;
            let taken = state.batch.locks.len();
            if position == state.group_end || taken >= self.config.minibatch_rows_max {
                return true;
            }
            let action = self.requests.get(state.request).actions[state.actions[position] as usize];
            // A read-modify-write mutation is atomic and goes alone.
            if taken > 0 && action.mutation.is_read_modify_write() {
                return true;
            }
            let region = state.batch.region as usize;
            if !self.start_hotness(call, position) {
                // StoreTooBusy: this mutation fails alone and the mini-batch goes on without it.
                self.stats.region_too_busy += 1;
                let state = self.calls.get_mut(call);
                state.results[position] = Outcome::Failed(ServerError::RegionTooBusy);
                state.batch.end += 1;
                continue;
            }
            let mode = if action.mutation.is_read_modify_write() {
                LockMode::Exclusive
            } else {
                LockMode::Shared
            };
            let waits = taken == 0 || self.config.profile == ProfileId::Hbase25;
            let granted = if waits {
                self.regions[region]
                    .row_locks
                    .lock_or_wait(action.row, mode, call)
            } else {
                self.regions[region]
                    .row_locks
                    .try_lock(action.row, mode, call)
            };
            if granted {
                let state = self.calls.get_mut(call);
                state.batch.locks.push((action.row, mode));
                state.batch.end += 1;
                continue;
            }
            if !waits {
                // 1.4 (HBASE-18233): only the first row is waited for; the mini-batch stops here.
                return true;
            }
            let wait = self.config.row_lock_wait;
            self.start_wait(call, Wait::RowLock(action.row), wait);
            return false;
        }
    }

    /// A row lock this call waited for was granted.
    fn row_lock_granted(&mut self, call: CallId, row: u64) {
        let state = self.calls.get_mut(call);
        assert_eq!(
            state.wait,
            Wait::RowLock(row),
            "a row lock granted to a call not waiting for it"
        );
        let mode = {
            let action_index = state.actions[state.batch.end] as usize;
            let request = self.requests.get(state.request);
            if request.actions[action_index]
                .mutation
                .is_read_modify_write()
            {
                LockMode::Exclusive
            } else {
                LockMode::Shared
            }
        };
        let state = self.calls.get_mut(call);
        state.batch.locks.push((row, mode));
        state.batch.end += 1;
        state.wait = Wait::Nothing;
        state.wait_generation += 1;
        self.ready.push_back(call);
    }

    /// StoreHotnessProtector.start for the mutation at `position` (true when it is off, or the
    /// mutation has few cells, or its stores are not too busy).
    fn start_hotness(&mut self, call: CallId, position: usize) -> bool {
        let Some(limits) = self.config.store_hotness else {
            return true;
        };
        let (region, stores, cells) = self.hotness_of(call, position);
        self.regions[region as usize]
            .hotness
            .start(&limits, &stores, cells)
    }

    /// StoreHotnessProtector.finish for the mutations at `positions` that are still pending
    /// (a refused one was finished when it was refused).
    fn finish_hotness(&mut self, call: CallId, positions: std::ops::Range<usize>) {
        let Some(limits) = self.config.store_hotness else {
            return;
        };
        for position in positions {
            if self.calls.get(call).results[position] != Outcome::Pending {
                continue;
            }
            let (region, stores, cells) = self.hotness_of(call, position);
            self.regions[region as usize]
                .hotness
                .finish(&limits, &stores, cells);
        }
    }

    /// The region, the stores and the cells per store of the mutation at `position`.
    fn hotness_of(&self, call: CallId, position: usize) -> (RegionId, Vec<usize>, u32) {
        let state = self.calls.get(call);
        let request = self.requests.get(state.request);
        let action = request.actions[state.actions[position] as usize];
        let cells = &self.client_cells[request.client as usize];
        let per_family = match action.mutation {
            Mutation::Put => cells.qualifiers.len() as u32,
            // A row delete is one DeleteFamily marker a family; the others write field0.
            _ => 1,
        };
        (state.batch.region, cells.families.clone(), per_family)
    }

    fn wait_for_updates_lock(&mut self, call: CallId, region: RegionId) {
        self.regions[region as usize].lock_waiters.push_back(call);
        let state = self.calls.get(call);
        let rows = state.batch.locks.len() as u64;
        let wait = self.config.updates_lock_wait(rows);
        self.start_wait(call, Wait::UpdatesLock, wait);
    }

    /// A flush took its snapshot and released the updates lock: its waiters go on.
    pub(super) fn updates_lock_released(&mut self, region: RegionId) {
        let waiters = std::mem::take(&mut self.regions[region as usize].lock_waiters);
        for call in waiters {
            let state = self.calls.get_mut(call);
            state.wait = Wait::Nothing;
            state.wait_generation += 1;
            self.ready.push_back(call);
        }
    }

    fn start_wait(&mut self, call: CallId, wait: Wait, limit: crate::sim::SimDuration) {
        let state = self.calls.get_mut(call);
        state.wait = wait;
        state.wait_generation += 1;
        let generation = state.wait_generation;
        self.queue
            .schedule_in(limit, Event::LockWaitTimeout { call, generation });
    }

    /// A lock wait ran out: a row lock → TimeoutIOException, the updates lock →
    /// RegionTooBusyException ("failed to get a lock"), for the group's remaining actions.
    pub(super) fn on_lock_wait_timeout(&mut self, call: CallId, generation: u64) {
        let Some(state) = self.calls.try_get(call) else {
            return;
        };
        if state.wait_generation != generation {
            return;
        }
        let region = state.batch.region;
        let (cursor, end) = (state.cursor, state.batch.end);
        let error = match state.wait {
            Wait::RowLock(row) => {
                self.regions[region as usize].row_locks.cancel(row, call);
                self.stats.row_lock_timeouts += 1;
                // lockRowsAndBuildMiniBatch finishes only the mutation whose lock timed out; the
                // ones locked before it in the mini-batch stay counted (HBase 2.5 does the same).
                self.finish_hotness(call, end..end + 1);
                ServerError::RowLockTimeout
            }
            Wait::UpdatesLock => {
                self.finish_hotness(call, cursor..end);
                self.regions[region as usize]
                    .lock_waiters
                    .retain(|waiter| *waiter != call);
                self.stats.region_too_busy += 1;
                ServerError::RegionTooBusy
            }
            Wait::Nothing => unreachable!("a current wait generation has a wait"),
        };
        let state = self.calls.get_mut(call);
        state.wait = Wait::Nothing;
        state.wait_generation += 1;
        self.release_row_locks(call);
        self.fail_rest_of_group(call, error);
        self.ready.push_back(call);
    }

    /// The call's batchMutate on a region is over (closeRegionOperation): a close waiting for
    /// the requests inside may go on.
    fn leave_region(&mut self, call: CallId) {
        let Some(region) = self.calls.get_mut(call).inside.take() else {
            return;
        };
        let state = &mut self.regions[region as usize];
        state.calls_inside -= 1;
        if state.calls_inside == 0 && !state.waiting_tasks.is_empty() {
            self.wake_region_tasks(region);
        }
    }

    fn fail_rest_of_group(&mut self, call: CallId, error: ServerError) {
        self.leave_region(call);
        let state = self.calls.get_mut(call);
        for position in state.cursor..state.group_end {
            state.results[position] = Outcome::Failed(error);
        }
        state.cursor = state.group_end;
        state.phase = Phase::Reclaim;
    }

    fn release_row_locks(&mut self, call: CallId) {
        let state = self.calls.get_mut(call);
        let region = state.batch.region as usize;
        // Out of the call while waiters are granted, then back, empty, for the next mini-batch.
        let mut locks = std::mem::take(&mut state.batch.locks);
        for (row, mode) in locks.drain(..) {
            for granted in self.regions[region].row_locks.unlock(row, mode, call) {
                self.row_lock_granted(granted, row);
            }
        }
        self.calls.get_mut(call).batch.locks = locks;
    }

    /// Assigns the sequence id, reads what read-modify-write needs, appends to the WAL and, as
    /// durability and profile say, writes the memstore. Returns true if the call now waits for
    /// the sync.
    fn write_mini_batch(&mut self, call: CallId) -> bool {
        let now = self.now();
        let (region_id, start, end, request_id) = {
            let state = self.calls.get(call);
            (
                state.batch.region,
                state.cursor,
                state.batch.end,
                state.request,
            )
        };
        let mut values = std::mem::take(&mut self.calls.get_mut(call).batch.values);
        let region = &mut self.regions[region_id as usize];
        let sequence_id = region.next_sequence_id();
        region.mvcc.begin(sequence_id);
        let request = self.requests.get(request_id);
        let cells = &self.client_cells[request.client as usize];
        let state = self.calls.get(call);
        values.extend((start..end).map(|position| {
            let action = request.actions[state.actions[position] as usize];
            if state.results[position] != Outcome::Pending {
                // Refused as StoreTooBusy: it writes nothing.
                return None;
            }
            match action.mutation {
                Mutation::Put | Mutation::Delete => Some(action.value_bytes),
                Mutation::Increment => Some(8),
                Mutation::Append | Mutation::CheckAndPut => {
                    let current = region.values.as_ref().and_then(|index| {
                        index.get(action.row, cells.families[0], cells.qualifiers[0])
                    });
                    match (action.mutation, current) {
                        (Mutation::Append, current) => {
                            Some(current.unwrap_or(0).saturating_add(action.value_bytes))
                        }
                        (_, None) => Some(action.value_bytes),
                        (_, Some(_)) => None,
                    }
                }
            }
        }));
        let mut edit = MemSize::default();
        for (position, value) in (start..end).zip(&values) {
            if let Some(value_bytes) = value {
                let action = request.actions[state.actions[position] as usize];
                edit.add(self.action_edit_size(request.client, action.mutation, *value_bytes));
            }
        }
        // A mini-batch that writes nothing (its check-and-puts failed their checks, its rows
        // were refused) appends no WAL entry and waits for no sync: HRegion appends only a
        // non-empty WALEdit (1.4's FSHLog drops an empty one), so no WAL holds a key without
        // cells.
        let durability = if values.iter().all(Option::is_none) {
            Durability::SkipWal
        } else {
            request.durability
        };
        let state = self.calls.get_mut(call);
        state.batch.sequence_id = sequence_id;
        state.batch.timestamp_ms = now.as_millis();
        state.batch.values = values;
        state.batch.edit = edit;
        let wal_bytes = if durability == Durability::SkipWal {
            0
        } else {
            self.append_mini_batch_to_wal(call)
        };
        match durability {
            Durability::SkipWal => {
                self.apply_cells(call, true);
                self.complete_write(call);
                self.calls.get_mut(call).phase = Phase::Mvcc;
                false
            }
            Durability::AsyncWal => {
                self.wal.append(wal_bytes, None);
                self.apply_cells(call, true);
                self.complete_write(call);
                self.calls.get_mut(call).phase = Phase::Mvcc;
                false
            }
            Durability::SyncWal | Durability::FsyncWal => {
                self.calls.get_mut(call).batch.sync_since = now;
                self.wal.append(wal_bytes, Some(call));
                if self.config.profile == ProfileId::Hbase14 {
                    // 1.4: memstore first (rolled back if the sync fails), locks released before
                    // the sync; the size counters rise only after it.
                    self.apply_cells(call, false);
                    self.release_row_locks(call);
                }
                self.calls.get_mut(call).phase = Phase::Sync;
                true
            }
            Durability::UseDefault => {
                unreachable!("durability is resolved when the client is built")
            }
        }
    }

    /// Appends the mini-batch's WAL entry (its cells in the workload's families, built as the
    /// memstore gets them); returns the entry's bytes as HBase counts them.
    fn append_mini_batch_to_wal(&mut self, call: CallId) -> u64 {
        let state = self.calls.get(call);
        let request = self.requests.get(state.request);
        let cells = &self.client_cells[request.client as usize];
        let (region, sequence_id) = (state.batch.region, state.batch.sequence_id);
        let mut families = Vec::with_capacity(cells.families.len());
        self.wal_cells.clear();
        for (position, &family) in cells.families.iter().enumerate() {
            cells.family_cells(
                position,
                (state.batch.timestamp_ms, sequence_id),
                written_actions(state, request),
                &mut self.wal_cells,
            );
            families.push((family, self.wal_cells.len()));
        }
        self.append_wal_entry(region, sequence_id, &families)
    }

    /// Per region and store, the lowest sequence id appended to the WAL and not yet in the
    /// memstore (SequenceIdAccounting has it from the append): 2.5 writes the memstore after
    /// the sync, 1.4 before it.
    pub(super) fn edits_awaiting_memstore(&self) -> BTreeMap<RegionId, Vec<Option<u64>>> {
        let mut lowest: BTreeMap<RegionId, Vec<Option<u64>>> = BTreeMap::new();
        if self.config.profile != ProfileId::Hbase25 {
            return lowest;
        }
        for handle in self.calls.handles() {
            let call = self.calls.get(handle);
            if call.phase != Phase::Sync {
                continue;
            }
            let (region, sequence_id) = (call.batch.region, call.batch.sequence_id);
            let stores = lowest
                .entry(region)
                .or_insert_with(|| vec![None; self.regions[region as usize].stores.len()]);
            let client = self.requests.get(call.request).client;
            for &family in &self.client_cells[client as usize].families {
                let slot = &mut stores[family];
                *slot = Some(slot.map_or(sequence_id, |id| id.min(sequence_id)));
            }
        }
        lowest
    }

    /// The sync covering the call's edit completed.
    fn apply_after_sync(&mut self, call: CallId) {
        if self.config.profile == ProfileId::Hbase25 {
            self.apply_cells(call, true);
        } else {
            let state = self.calls.get(call);
            let (region, edit) = (state.batch.region, state.batch.edit);
            self.add_to_memstore_size(region, edit);
        }
        self.complete_write(call);
    }

    /// MVCC complete: later writes waiting for this one go on; a flush waiting for the updates
    /// lock may snapshot.
    fn complete_write(&mut self, call: CallId) {
        let state = self.calls.get(call);
        let (region_id, sequence_id) = (state.batch.region, state.batch.sequence_id);
        let region = &mut self.regions[region_id as usize];
        for waiter in region.mvcc.complete(sequence_id) {
            self.ready.push_back(waiter);
        }
        region.writes_in_flight -= 1;
        if region.writes_in_flight == 0
            && let Some(flush) = region.flush_waiting_for_lock
        {
            self.take_snapshot(flush);
        }
    }

    /// The mini-batch is visible: release what is held, record the results, and request a
    /// flush if the region passed its flush size.
    fn finish_mini_batch(&mut self, call: CallId) {
        self.release_row_locks(call);
        let state = self.calls.get(call);
        self.finish_hotness(call, state.cursor..state.batch.end);
        let state = self.calls.get_mut(call);
        for position in state.cursor..state.batch.end {
            if state.results[position] != Outcome::Pending {
                continue;
            }
            state.results[position] = match state.batch.values[position - state.cursor] {
                Some(_) => Outcome::Success,
                None => Outcome::CheckFailed,
            };
        }
        state.cursor = state.batch.end;
        state.phase = Phase::Batch;
        let region = state.batch.region;
        if state.batch.values.iter().any(Option::is_some) {
            let request = self.requests.get(state.request);
            let stores = &self.client_cells[request.client as usize].families;
            let sequence_id = state.batch.sequence_id;
            let acknowledged = &mut self.regions[region as usize].acknowledged_sequence_id;
            *acknowledged = (*acknowledged).max(sequence_id);
            if state.batch.unsynced {
                self.oracle
                    .acknowledged_after_failed_sync(region, stores, sequence_id);
            } else {
                self.oracle
                    .acknowledged(region, stores, sequence_id, request.durability);
            }
        }
        if self.regions[region as usize].is_above_flush_size() {
            self.request_flush(region, FlushReason::MemstoreSize);
        }
    }

    /// The CPU a call holds its handler for: decoding, dispatch and the answer, plus the work
    /// for each mutation (cells, the WALEdit, the memstore insert). It is charged when the
    /// handler takes the call, before any lock: HBase does the per-cell work under the row
    /// locks and the updates lock, but for microseconds that waits elsewhere dwarf.
    fn call_cpu(&self, call: CallId, request_bytes: u64) -> SimDuration {
        let io = &self.scenario.io;
        let fixed = io.handler_cpu_per_call
            + io.handler_cpu_per_mutation * self.calls.get(call).actions.len() as u64;
        if self.devices.has_cpu() {
            // With the cores modelled, the request's bytes decoded (and the answer built) too.
            fixed + self.scenario.cpu.rpc_per_byte * request_bytes
        } else {
            fixed
        }
    }

    /// The bytes of a call's request: its cells' values and keys, about 50 bytes a row
    /// beside its value, and the RPC's own header.
    fn call_request_bytes(&self, call: CallId) -> u64 {
        let state = self.calls.get(call);
        let request = self.requests.get(state.request);
        state
            .actions
            .iter()
            .map(|&index| u64::from(request.actions[index as usize].value_bytes) + 50)
            .sum::<u64>()
            + 100
    }

    /// The call's handler spends `cpu` (on the cores with the CPU model on, else as a delay),
    /// then the call goes on.
    pub(super) fn spend_handler_cpu(&mut self, call: CallId, cpu: SimDuration) {
        if self.devices.has_cpu() {
            let now = self.now();
            self.devices
                .start_cpu(now, cpu, TransferOwner::HandlerCpu(call));
            self.schedule_write_done(Device::Cpu);
        } else {
            self.queue.schedule_in(cpu, Event::HandlerCpuDone { call });
        }
    }

    /// The answer goes back; the handler takes its next call.
    pub(super) fn respond(&mut self, call: CallId) {
        let state = self.remove_call(call);
        self.release_handler(state.handler);
        self.send_answer(state.request, state.attempt, state.actions, state.results);
    }

    /// The handler takes its next call, answering those CoDel dropped on the way with
    /// CallDroppedException.
    fn release_handler(&mut self, handler: usize) {
        let now = self.now();
        let released = self.rpc.release(now, handler);
        for dropped in released.dropped {
            let state = self.remove_call(dropped);
            let results = vec![Outcome::Failed(ServerError::CallDropped); state.actions.len()];
            self.send_answer(state.request, state.attempt, state.actions, results);
        }
        if let Some(next) = released.next {
            self.calls.get_mut(next).handler = handler;
            self.ready.push_back(next);
        }
    }

    /// What one action's cells add to the memstore.
    fn action_edit_size(&self, client: u32, mutation: Mutation, value_bytes: u32) -> MemSize {
        let cells = &self.client_cells[client as usize];
        let heap = &self.config.heap_accounting;
        let mut size = MemSize::default();
        for position in 0..cells.families.len() {
            match mutation {
                Mutation::Delete => size.add(heap.cell(cells.delete_bytes[position])),
                Mutation::Put => {
                    for key_bytes in &cells.key_bytes[position] {
                        size.add(heap.cell(key_bytes + u64::from(value_bytes)));
                    }
                }
                Mutation::Increment | Mutation::Append | Mutation::CheckAndPut => {
                    size.add(heap.cell(cells.key_bytes[position][0] + u64::from(value_bytes)));
                }
            }
        }
        size
    }

    /// Writes the mini-batch's cells into the memstores (and the value index), and, if
    /// `count_size`, raises the size counters. Bytes are counted here as cells enter, apart
    /// from the counters, so that byte conservation is a real check. Without `count_size` (1.4,
    /// before the sync) the stores written are remembered so that a failed sync can roll the
    /// cells back.
    fn apply_cells(&mut self, call: CallId, count_size: bool) {
        let now = self.now();
        let state = self.calls.get(call);
        assert!(
            !state.batch.cells_inserted,
            "a mini-batch's cells are inserted once"
        );
        let request = self.requests.get(state.request);
        let cells = &self.client_cells[request.client as usize];
        let region = &mut self.regions[state.batch.region as usize];
        let heap = self.config.heap_accounting;
        let mut rollback = Rollback::default();
        let mut inserted = MemSize::default();
        let mut written = 0;
        // HRegion's applyToMemStore hands each store all of the mini-batch's cells for its
        // family at once.
        let mut write: Vec<(Cell, u64)> =
            Vec::with_capacity(state.batch.values.len() * cells.qualifiers.len());
        for (position, &family) in cells.families.iter().enumerate() {
            write.clear();
            cells.family_cells(
                position,
                (state.batch.timestamp_ms, state.batch.sequence_id),
                written_actions(state, request),
                &mut write,
            );
            if write.is_empty() {
                continue;
            }
            let added = region.stores[family].memstore.add(&mut write, now, &heap);
            inserted.add(added);
            written += write.len() as u64;
            if !count_size {
                rollback.stores.push((family, added));
            }
        }
        if let Some(index) = region.values.as_mut() {
            for (action, value_bytes) in written_actions(state, request) {
                for &family in &cells.families {
                    let row = action.row;
                    match action.mutation {
                        Mutation::Delete => {
                            rollback.values.extend(index.delete_family(row, family))
                        }
                        Mutation::Put => {
                            for &qualifier in &cells.qualifiers {
                                let undo = index.put(row, family, qualifier, value_bytes);
                                rollback.values.extend(undo);
                            }
                        }
                        Mutation::Increment | Mutation::Append | Mutation::CheckAndPut => {
                            let undo = index.put(row, family, cells.qualifiers[0], value_bytes);
                            rollback.values.extend(undo);
                        }
                    }
                }
            }
        }
        assert!(
            inserted.data <= state.batch.edit.data && inserted.cells <= state.batch.edit.cells,
            "the memstore took more than the edit that was logged"
        );
        let region_id = state.batch.region;
        // What the memstore took (a row twice in one mini-batch counts its cell once) is what
        // the size counters get, now or after the sync.
        let batch = &mut self.calls.get_mut(call).batch;
        batch.cells_inserted = true;
        batch.edit = inserted;
        if !count_size {
            batch.rollback = Some(rollback);
        }
        let memstore = &mut self.stats.memstore;
        memstore.data_bytes_added += inserted.data;
        memstore.heap_bytes_added += inserted.heap;
        memstore.cells_added += inserted.cells;
        memstore.cells_replaced += written - inserted.cells;
        if count_size {
            self.add_to_memstore_size(region_id, inserted);
        }
    }

    /// When the call's edit started waiting for a WAL sync (AsyncFSWAL's sync timeout counts
    /// from here), if it is waiting.
    pub(super) fn waiting_for_sync_since(&self, call: CallId) -> Option<SimTime> {
        let state = self.calls.get(call);
        (state.phase == Phase::Sync).then_some(state.batch.sync_since)
    }

    /// The WAL sync covering the call's edit failed (FSHLog) or timed out (AsyncFSWAL): 1.4
    /// rolls the cells it wrote back out of the memstore (rollbackMemstore); MVCC completes
    /// without waiting; the locks go; the exception leaves batchMutate, failing the region
    /// group's remaining actions, and the client retries.
    pub(super) fn sync_failed(&mut self, call: CallId, error: ServerError) {
        let state = self.calls.get_mut(call);
        assert_eq!(
            state.phase,
            Phase::Sync,
            "only a call waiting for a sync can lose it"
        );
        let region_id = state.batch.region;
        if let Some(rollback) = state.batch.rollback.take() {
            let region = &mut self.regions[region_id as usize];
            let mut removed = MemSize::default();
            for &(store, added) in &rollback.stores {
                region.stores[store]
                    .memstore
                    .rollback(state.batch.sequence_id, added);
                removed.add(added);
            }
            if let Some(index) = region.values.as_mut() {
                index.undo(rollback.values);
            }
            let request = self.requests.get(state.request);
            self.oracle.rolled_back(
                region_id,
                &self.client_cells[request.client as usize].families,
                state.batch.sequence_id,
            );
            let memstore = &mut self.stats.memstore;
            memstore.data_bytes_rolled_back += removed.data;
            memstore.heap_bytes_rolled_back += removed.heap;
            memstore.cells_rolled_back += removed.cells;
        }
        self.complete_write(call);
        self.release_row_locks(call);
        let state = self.calls.get(call);
        self.finish_hotness(call, state.cursor..state.batch.end);
        self.fail_rest_of_group(call, error);
        self.ready.push_back(call);
    }

    /// HBASE-11868: the writer's edit went to a broken FSHLog writer, whose failure passed
    /// syncedTillHere beyond it before it waited: it goes on as if its sync had succeeded.
    pub(super) fn acknowledge_unsynced(&mut self, call: CallId) {
        let state = self.calls.get_mut(call);
        assert_eq!(
            state.phase,
            Phase::Sync,
            "only a call waiting for a sync can be told it is synced"
        );
        state.batch.unsynced = true;
        self.ready.push_back(call);
    }

    /// Raises the region's and the server's memstore size counters together.
    pub(super) fn add_to_memstore_size(&mut self, region: RegionId, edit: MemSize) {
        self.change_memstore_size(region, edit, true);
    }
}

/// The mini-batch's actions that write, each with the value bytes it writes (a failed check
/// writes nothing): what the WAL entry and the memstore are both built from.
fn written_actions<'a>(
    state: &'a Call,
    request: &'a Request,
) -> impl Iterator<Item = (Action, u32)> + 'a {
    state
        .batch
        .values
        .iter()
        .enumerate()
        .filter_map(move |(offset, value)| {
            let action = request.actions[state.actions[state.cursor + offset] as usize];
            value.map(|value_bytes| (action, value_bytes))
        })
}
