//! Workloads that write through a BufferedMutator (`client::buffered_mutator`): an application
//! thread's `mutate`, the threads that flush the buffer under AsyncProcess's task limits, each
//! submit sent as one multi request with its retries, the periodic-flush timer (2.5) and the
//! close at the workload's end.
//!
//! A flushing thread runs from the work list, drained after each event beside the ready list,
//! so that a task ending (which wakes every thread waiting on the limits) never runs a flush
//! inside the answer that ended it.

use super::RegionServer;
use super::clients::OPEN_LOOP;
use crate::model::client::buffered_mutator::{
    BufferedMutator, BufferedRow, FlushingState, FlushingThread, Operation, ThreadKind,
};
use crate::model::client::request::{Action, Request, ServerError, Submit};
use crate::model::event::Event;
use crate::model::region::hregion::RegionId;
use crate::scenario::workload::{Arrival, OpKind};
use crate::sim::{SimDuration, SimTime};

/// waitForRegion's longest wait before a blocked submit looks at the buffer again
/// (SimpleRequestController.MAX_WAITING_TIME).
const RESCAN_AFTER: SimDuration = SimDuration::from_secs(1);

impl RegionServer<'_> {
    fn mutator(&mut self, client: u32) -> &mut BufferedMutator {
        self.clients[client as usize]
            .mutator
            .as_mut()
            .expect("a buffered-mutator workload has its mutator")
    }

    /// `mutate`: the application thread (`slot`: a closed-loop client, or `OPEN_LOOP`) adds one
    /// operation's rows to the buffer, then flushes if the buffer is over its size.
    pub(super) fn mutate(
        &mut self,
        client: u32,
        slot: u32,
        kind: OpKind,
        actions: &[Action],
        due: SimTime,
    ) {
        let now = self.now();
        let cells = &self.client_cells[client as usize];
        let layout = &self.tables[cells.table];
        let heaps: Vec<u64> = actions
            .iter()
            .map(|action| cells.mutation_heap(layout, action.mutation, action.value_bytes))
            .collect();
        let mutator = self.mutator(client);
        let operation = mutator.operations.insert(Operation {
            kind,
            due,
            rows_left: actions.len() as u32,
            rows: actions.len() as u32,
            failed: None,
        });
        mutator.add(
            now,
            actions.iter().zip(heaps).map(|(action, heap)| BufferedRow {
                operation,
                mutation: action.mutation,
                row: action.row,
                value_bytes: action.value_bytes,
                heap,
            }),
        );
        let flusher = mutator.flushers.insert(FlushingThread {
            thread: ThreadKind::Application {
                slot: (slot != OPEN_LOOP).then_some(slot),
            },
            flush_all: false,
            state: FlushingState::Ready,
        });
        self.mutator_work.push_back((client, flusher));
    }

    /// Runs the flushing threads that can go on; true if there were any.
    pub(super) fn drain_mutator_work(&mut self) -> bool {
        let mut any = false;
        while let Some((client, flusher)) = self.mutator_work.pop_front() {
            any = true;
            self.run_flusher(client, flusher);
        }
        any
    }

    /// A flushing thread goes on from where it stopped: doFlush's loop (2.5) or mutate's and
    /// backgroundFlushCommits' (1.4), until the buffer is within its size (everything sent, for
    /// a flush or close), or until it waits for the limits or for its submit.
    fn run_flusher(&mut self, client: u32, id: u32) {
        let now = self.now();
        let table = self.client_cells[client as usize].table;
        loop {
            let mutator = self.clients[client as usize]
                .mutator
                .as_mut()
                .expect("a buffered-mutator workload has its mutator");
            let flusher = *mutator.flushers.get(id);
            let (remainder, blocked_since) = match flusher.state {
                FlushingState::Ready => {
                    if !flusher.flush_all && !mutator.over_limit() {
                        return self.flusher_done(client, id);
                    }
                    let access = mutator.take_access();
                    if access == 0 {
                        // Another thread holds every buffered row (or none is left). 1.4's
                        // flush then waits for every task of the mutator to end.
                        if flusher.flush_all && !mutator.limits.flush_waits {
                            mutator.flushers.get_mut(id).state = FlushingState::Draining;
                            continue;
                        }
                        return self.flusher_done(client, id);
                    }
                    (access, None)
                }
                FlushingState::Blocked { remainder, since } => (remainder, Some(since)),
                FlushingState::Draining => {
                    if mutator.tasks == 0 {
                        return self.flusher_done(client, id);
                    }
                    mutator.blocked.push_back(id);
                    return;
                }
                FlushingState::Waiting => unreachable!("a waiting flusher is resumed as ready"),
            };
            // waitForFreeSlot, then one pass of the checkers.
            let region_map = &self.tables[table];
            let (rows, left) = if mutator.tasks >= mutator.limits.total_tasks {
                (Vec::new(), remainder)
            } else {
                mutator.pass(remainder, |row| region_map.region_of(row))
            };
            if rows.is_empty() {
                mutator.blocked_passes += 1;
                mutator.flushers.get_mut(id).state = FlushingState::Blocked {
                    remainder,
                    since: blocked_since.unwrap_or(now),
                };
                mutator.blocked.push_back(id);
                if !self.mutator_rescan_scheduled[client as usize] {
                    self.mutator_rescan_scheduled[client as usize] = true;
                    self.queue
                        .schedule_in(RESCAN_AFTER, Event::MutatorRescan { client });
                }
                return;
            }
            if let Some(since) = blocked_since {
                let waited = (now - since).as_nanos();
                mutator.blocked_nanos += u128::from(waited);
                self.stats.client_limit_waits += 1;
                self.stats.client_limit_wait_nanos += u128::from(waited);
            }
            mutator.close_access(left);
            let waits = mutator.limits.flush_waits;
            mutator.flushers.get_mut(id).state = if waits {
                FlushingState::Waiting
            } else {
                FlushingState::Ready
            };
            self.submit(client, &rows, waits.then_some(id));
            if waits {
                return;
            }
        }
    }

    /// The flushing thread is done: an application thread returns from `mutate` (free for the
    /// next operation), the timer for its next tick.
    fn flusher_done(&mut self, client: u32, id: u32) {
        let flusher = self.mutator(client).flushers.remove(id);
        match flusher.thread {
            ThreadKind::Application { slot } => {
                self.next_from_client(client, slot.unwrap_or(OPEN_LOOP));
            }
            ThreadKind::Timer => {
                let mutator = self.mutator(client);
                mutator.timer_busy = false;
                if std::mem::take(&mut mutator.timer_due) {
                    self.on_mutator_timer_tick(client);
                }
            }
            ThreadKind::Close => {}
        }
    }

    /// AsyncProcess.submitMultiActions: the rows one pass took, as one multi request.
    fn submit(&mut self, client: u32, rows: &[BufferedRow], flusher: Option<u32>) {
        let now = self.now();
        let actions: Vec<Action> = rows
            .iter()
            .map(|row| Action {
                operation: row.operation,
                ..Action::new(row.mutation, row.row, 1, row.value_bytes)
            })
            .collect();
        let mutator = self.mutator(client);
        mutator.submits += 1;
        mutator.rows_submitted += rows.len() as u64;
        let durability = self.client_cells[client as usize].durability;
        self.open_request(Request::new(
            OpKind::Batch,
            (client, OPEN_LOOP),
            durability,
            (now, now),
            actions,
            Some(Submit {
                flusher,
                tasks_held: Vec::new(),
                attempt_counted: 0,
            }),
        ));
    }

    /// A submit's attempt is sent as a task (getNewMultiActionRunnable's incTaskCounters), with
    /// `regions` its rows' regions in order. A retry's runnable (attempt 2 on) runs on the failed
    /// one's thread, whose task stays counted until the retry's ends, except every
    /// `retries_constant`-th attempt, handed to the pool, which lets the chain's tasks go.
    pub(super) fn count_submit_task(
        &mut self,
        request: u32,
        regions: impl Iterator<Item = RegionId>,
    ) {
        let state = self.requests.get_mut(request);
        let client = state.client;
        let attempt = state.tries + 1;
        let mut task: Vec<RegionId> = regions.collect();
        task.dedup();
        let submit = state.submit.as_mut().expect("a submit");
        if submit.attempt_counted == attempt {
            return;
        }
        submit.attempt_counted = attempt;
        let retries_constant = self.clients[client as usize]
            .mutator
            .as_ref()
            .expect("a buffered-mutator workload has its mutator")
            .limits
            .retries_constant;
        let released = if attempt > 1 && attempt % retries_constant == 0 {
            std::mem::take(&mut submit.tasks_held)
        } else {
            Vec::new()
        };
        submit.tasks_held.push(task.clone());
        let now = self.now();
        let mutator = self.mutator(client);
        for held in &released {
            mutator.release_task(now, held);
        }
        mutator.count_task(now, &task);
        if !released.is_empty() {
            self.wake_blocked_flushers(client);
        }
    }

    /// A row of a submit is answered (`error`: failed for good): its operation is answered
    /// once all its rows are.
    pub(super) fn submit_row_done(
        &mut self,
        client: u32,
        operation: u32,
        error: Option<ServerError>,
    ) {
        let mutator = self.mutator(client);
        let state = mutator.operations.get_mut(operation);
        state.rows_left -= 1;
        if error.is_some() {
            state.failed = error;
        }
        if state.rows_left > 0 {
            return;
        }
        let Operation {
            kind,
            due,
            rows,
            failed,
            ..
        } = mutator.operations.remove(operation);
        match failed {
            None => self.record_success(kind, u64::from(rows), 0, due),
            Some(error) => self.record_failure(kind, error),
        }
        let client = &mut self.clients[client as usize];
        if matches!(client.arrival, Arrival::Open { .. }) {
            client.finished += 1;
        }
    }

    /// A submit is done at the client (every row answered or failed for good): its tasks end,
    /// which wakes the threads waiting on the limits, and the thread waiting for it goes on.
    pub(super) fn submit_done(&mut self, client: u32, submit: Submit) {
        let now = self.now();
        let mutator = self.mutator(client);
        for task in &submit.tasks_held {
            mutator.release_task(now, task);
        }
        if let Some(flusher) = submit.flusher {
            mutator.flushers.get_mut(flusher).state = FlushingState::Ready;
            self.mutator_work.push_back((client, flusher));
        }
        self.wake_blocked_flushers(client);
    }

    /// decTaskCounters' notifyAll: every thread waiting on the limits passes again, in the
    /// order they began to wait.
    fn wake_blocked_flushers(&mut self, client: u32) {
        let mutator = self.mutator(client);
        let woken: Vec<u32> = mutator.blocked.drain(..).collect();
        self.mutator_work
            .extend(woken.into_iter().map(|flusher| (client, flusher)));
    }

    /// waitForRegion's one second is up: the waiting threads look again (a split may have
    /// moved their rows to regions with no task).
    pub(super) fn on_mutator_rescan(&mut self, client: u32) {
        self.mutator_rescan_scheduled[client as usize] = false;
        self.wake_blocked_flushers(client);
    }

    /// The periodic-flush timer's tick (2.5, BufferedMutatorImpl's java.util.Timer at a fixed
    /// delay): if the buffer's first mutation is old enough, the timer's thread flushes it all;
    /// a tick that comes while it still flushes runs when that flush is done.
    pub(super) fn on_mutator_timer(&mut self, client: u32) {
        let now = self.now();
        let end = self.clients[client as usize].end;
        let mutator = self.mutator(client);
        let Some((_, tick)) = mutator.limits.periodic_flush else {
            return;
        };
        if now + tick < end {
            self.queue
                .schedule_at(now + tick, Event::MutatorTimer { client });
        }
        if self.mutator(client).timer_busy {
            self.mutator(client).timer_due = true;
            return;
        }
        self.on_mutator_timer_tick(client);
    }

    fn on_mutator_timer_tick(&mut self, client: u32) {
        let now = self.now();
        let mutator = self.mutator(client);
        let Some((timeout, _)) = mutator.limits.periodic_flush else {
            return;
        };
        if mutator.buffered_heap == 0 || mutator.first_record_at + timeout > now {
            return;
        }
        mutator.periodic_flushes += 1;
        mutator.timer_busy = true;
        self.start_flush_all(client, ThreadKind::Timer);
    }

    /// The workload's end: the application closes its mutator, sending what is buffered.
    pub(super) fn on_mutator_close(&mut self, client: u32) {
        self.start_flush_all(client, ThreadKind::Close);
    }

    fn start_flush_all(&mut self, client: u32, thread: ThreadKind) {
        let flusher = self.mutator(client).flushers.insert(FlushingThread {
            thread,
            flush_all: true,
            state: FlushingState::Ready,
        });
        self.mutator_work.push_back((client, flusher));
    }

    /// At the start: each mutator's timer and close.
    pub(super) fn schedule_mutators(&mut self) {
        for index in 0..self.clients.len() {
            let client = &self.clients[index];
            let Some(mutator) = &client.mutator else {
                continue;
            };
            let client_id = index as u32;
            if let Some((_, tick)) = mutator.limits.periodic_flush
                && client.start + tick < client.end
            {
                self.queue.schedule_at(
                    client.start + tick,
                    Event::MutatorTimer { client: client_id },
                );
            }
            if client.end < self.end {
                self.queue
                    .schedule_at(client.end, Event::MutatorClose { client: client_id });
            }
        }
    }
}
