//! The client side of a run: sending requests, each attempt's RPC, its deadline, the answer, and
//! the retries that follow HBase's client (see `client::retry`).

use super::write_path::Outcome;
use super::{RegionServer, RequestId};
use crate::model::client::request::{Action, Mutation, Request, ServerError, Submit};
use crate::model::client::retry::pause_before_retry;
use crate::model::event::Event;
use crate::model::rpc::Dispatch;
use crate::scenario::workload::{Arrival, OpKind};
use crate::sim::SimTime;

/// The slot of an open-loop request (closed-loop requests name their client's slot).
pub(super) const OPEN_LOOP: u32 = u32::MAX;

/// Request bytes an RPC carries besides its cells (header, region specifiers).
const RPC_REQUEST_OVERHEAD_BYTES: u64 = 100;

/// An answer crossing the network back to its client.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    request: RequestId,
    attempt: u64,
    actions: Vec<u32>,
    results: Vec<Outcome>,
}

/// What the client's figures need of a finished request.
struct Finished {
    kind: OpKind,
    /// When its thread started it (a read-modify-write's write keeps its operation timeout).
    started: SimTime,
    client: u32,
    slot: u32,
    due: SimTime,
    rows: u64,
    checks_failed: u32,
    /// A BufferedMutator's submit: its tasks and the thread waiting for it.
    submit: Option<Submit>,
}

impl RegionServer<'_> {
    /// An open-loop arrival comes due: a free application thread starts its operation, and the
    /// next arrival is scheduled; with every thread busy it waits, and no later arrival is
    /// scheduled until a thread is free (`release_open_thread` sends the ones due by then).
    pub(super) fn on_open_arrival(&mut self, client: u32) {
        let now = self.now();
        if !self.clients[client as usize].take_thread(now) {
            self.clients[client as usize].waiting = Some(now);
            return;
        }
        self.send_request(client, OPEN_LOOP, now);
        if let Some(next) = self.clients[client as usize].next_arrival() {
            self.queue.schedule_at(next, Event::OpenArrival { client });
        }
    }

    /// An open-loop operation is over and its thread free: the arrivals that came due while
    /// every thread was busy start now, oldest first, as long as threads are free; then the
    /// next arrival still to come is scheduled. (An operation that fails at once while these
    /// start frees its thread for this same loop.)
    fn release_open_thread(&mut self, client: u32) {
        let now = self.now();
        let state = &mut self.clients[client as usize];
        state.release_thread(now);
        if state.draining {
            return;
        }
        state.draining = true;
        while let Some(due) = self.clients[client as usize].waiting {
            if !self.clients[client as usize].take_thread(now) {
                break;
            }
            self.send_request(client, OPEN_LOOP, due);
            let state = &mut self.clients[client as usize];
            state.waiting = None;
            match state.next_arrival() {
                Some(next) if next <= now => state.waiting = Some(next),
                Some(next) => self.queue.schedule_at(next, Event::OpenArrival { client }),
                None => {}
            }
        }
        self.clients[client as usize].draining = false;
    }

    /// A client starts a request (`slot` is the closed-loop client, or `OPEN_LOOP`) that was
    /// due at `due`: its latency counts from then, its operation timeout from now.
    pub(super) fn send_request(&mut self, client: u32, slot: u32, due: SimTime) {
        let now = self.now();
        if slot == OPEN_LOOP {
            self.clients[client as usize].started += 1;
            if now > due {
                self.stats.client_waits += 1;
                self.stats.client_wait_nanos += u128::from((now - due).as_nanos());
            }
            if now >= self.measured_from {
                self.stats.client_wait.record(now - due);
            }
        }
        let kind = self.clients[client as usize].draw_kind();
        let mutation = Mutation::of(kind);
        let action = |(row, value_bytes): (u64, u32)| Action::new(mutation, row, 1, value_bytes);
        let actions: Vec<Action> = match kind {
            OpKind::Scan => {
                let (row, _) = self.clients[client as usize].draw_row();
                let rows = self.clients[client as usize].draw_scan_rows();
                self.scan_rpcs(client, row, rows)
            }
            OpKind::Insert => vec![action(self.clients[client as usize].draw_insert_row())],
            // A read sends its rows' keys, no values.
            _ if kind.is_read() => (0..kind.rows(self.client_cells[client as usize].batch_rows))
                .map(|_| action((self.clients[client as usize].draw_row().0, 0)))
                .collect(),
            _ => (0..kind.rows(self.client_cells[client as usize].batch_rows))
                .map(|_| action(self.clients[client as usize].draw_row()))
                .collect(),
        };
        self.stats.operations.entry(kind).or_default().attempted += 1;
        if self.clients[client as usize].mutator.is_some() {
            self.mutate(client, slot, kind, &actions, due);
            return;
        }
        let durability = self.client_cells[client as usize].durability;
        self.open_request(Request::new(
            kind,
            (client, slot),
            durability,
            (due, now),
            actions,
            None,
        ));
    }

    /// The client holds a new request open until it is answered, and sends its first attempt.
    pub(super) fn open_request(&mut self, request: Request) {
        let now = self.now();
        let id = self.requests.insert(request);
        self.requests_open += 1;
        self.requests_open_peak = self.requests_open_peak.max(self.requests_open);
        self.stats.in_flight.set(now, self.requests_open as u64);
        self.send_attempt(id);
    }

    /// Sends the request's pending actions as one RPC. While a garbage-collection pause stops
    /// the server, the request waits at its socket until the pause ends.
    pub(super) fn send_attempt(&mut self, request: RequestId) {
        let now = self.now();
        let attempt = self.next_attempt_id;
        self.next_attempt_id += 1;
        let deadline = now + self.config.retry.rpc_timeout;
        let (actions, bytes) = {
            let state = self.requests.get_mut(request);
            state.attempt = Some(attempt);
            // Each attempt locates its rows' regions afresh: after a split, merge or move the
            // client's location cache is refreshed (NotServingRegionException clears it).
            let table = self.client_cells[state.client as usize].table;
            for action in &mut state.actions {
                action.region = self.tables[table].region_of(action.row);
            }
            // A multi request groups its actions by region (MultiAction keeps them in a map
            // sorted by region name); rows keep their order within one. Sorted as
            // (region, index) packed in one integer, which compares cheaply.
            let mut keys: Vec<u64> = (0..state.actions.len() as u32)
                .filter(|&index| !state.actions[index as usize].done)
                .map(|index| {
                    u64::from(state.actions[index as usize].region) << 32 | u64::from(index)
                })
                .collect();
            if state.reading && state.kind == OpKind::Scan {
                // A scan's RPCs go one after another, each for the rows after the last.
                keys.truncate(1);
            } else {
                keys.sort_unstable();
            }
            let actions: Vec<u32> = keys.into_iter().map(|key| key as u32).collect();
            // A row's key and framing take about 50 bytes beside its value (a read sends none).
            let bytes: u64 = actions
                .iter()
                .map(|&index| u64::from(state.actions[index as usize].value_bytes) + 50)
                .sum();
            (actions, bytes + RPC_REQUEST_OVERHEAD_BYTES)
        };
        if self.requests.get(request).submit.is_some() {
            let regions: Vec<_> = {
                let state = self.requests.get(request);
                actions
                    .iter()
                    .map(|&index| state.actions[index as usize].region)
                    .collect()
            };
            self.count_submit_task(request, regions.into_iter());
        }
        if self.alive && now < self.paused_until {
            // The call waits at the paused server's socket, sent again as the pause ends (a
            // submit's task counted once).
            self.requests.get_mut(request).attempt = None;
            self.queue
                .schedule_at(self.paused_until, Event::ClientRetry { request });
            return;
        }
        if !self.alive {
            // The server process is gone: the connection is refused.
            let results = vec![Outcome::Failed(ServerError::ServerDown); actions.len()];
            self.send_answer(request, attempt, actions, results);
            return;
        }
        let call = self.new_call(request, attempt, actions, deadline);
        match self.rpc.dispatch(now, call, bytes) {
            Dispatch::Handler(handler) => {
                self.calls.get_mut(call).handler = handler;
                self.ready.push_back(call);
            }
            Dispatch::Queued => {}
            Dispatch::Rejected => {
                self.stats.call_queue_too_big += 1;
                let call_state = self.remove_call(call);
                let results =
                    vec![Outcome::Failed(ServerError::CallQueueTooBig); call_state.actions.len()];
                self.send_answer(request, attempt, call_state.actions, results);
                return;
            }
        }
        self.rpc_deadlines.push_back((deadline, request, attempt));
        self.schedule_rpc_deadline();
    }

    /// Keeps one event pending for the earliest deadline of an attempt still outstanding.
    fn schedule_rpc_deadline(&mut self) {
        if self.rpc_deadline_scheduled {
            return;
        }
        while let Some(&(deadline, request, attempt)) = self.rpc_deadlines.front() {
            if self.attempt_is_current(request, attempt) {
                self.queue.schedule_at(deadline, Event::RpcDeadlines);
                self.rpc_deadline_scheduled = true;
                return;
            }
            self.rpc_deadlines.pop_front();
        }
    }

    fn attempt_is_current(&self, request: RequestId, attempt: u64) -> bool {
        self.requests
            .try_get(request)
            .is_some_and(|state| state.attempt == Some(attempt))
    }

    /// Attempts whose RPC timeout passed without an answer fail with CallTimeoutException; the
    /// server may still be working on them, and will apply their writes, unseen.
    pub(super) fn on_rpc_deadlines(&mut self) {
        self.rpc_deadline_scheduled = false;
        let now = self.now();
        while let Some(&(deadline, request, attempt)) = self.rpc_deadlines.front() {
            if deadline > now {
                break;
            }
            self.rpc_deadlines.pop_front();
            if self.attempt_is_current(request, attempt) {
                let pending: Vec<u32> = {
                    let state = self.requests.get(request);
                    (0..state.actions.len() as u32)
                        .filter(|&index| !state.actions[index as usize].done)
                        .collect()
                };
                let results = vec![Outcome::Failed(ServerError::CallTimeout); pending.len()];
                self.stats.call_timeouts += 1;
                self.on_answer(request, attempt, &pending, &results);
            }
        }
        self.schedule_rpc_deadline();
    }

    /// The server answers an attempt; the answer reaches the client one network round trip
    /// after the call reached the server (the whole trip is charged on the way back).
    pub(super) fn send_answer(
        &mut self,
        request: RequestId,
        attempt: u64,
        actions: Vec<u32>,
        results: Vec<Outcome>,
    ) {
        let rtt = self.network_rtt.sample();
        if rtt.is_zero() {
            self.on_answer(request, attempt, &actions, &results);
            return;
        }
        let answer = self.answers.insert(Answer {
            request,
            attempt,
            actions,
            results,
        });
        self.queue.schedule_in(rtt, Event::AnswerArrives { answer });
    }

    pub(super) fn on_answer_arrives(&mut self, answer: u32) {
        let Answer {
            request,
            attempt,
            actions,
            results,
        } = self.answers.remove(answer);
        self.on_answer(request, attempt, &actions, &results);
    }

    /// The answer to an attempt (from the server, or the client's own timeout): record what
    /// succeeded, then finish the request or retry what failed.
    pub(super) fn on_answer(
        &mut self,
        request: RequestId,
        attempt: u64,
        actions: &[u32],
        results: &[Outcome],
    ) {
        if !self.attempt_is_current(request, attempt) {
            return;
        }
        let now = self.now();
        let state = self.requests.get_mut(request);
        state.attempt = None;
        let client = state.client;
        let is_submit = state.submit.is_some();
        let mut error = None;
        let mut rows_done = Vec::new();
        for (&index, result) in actions.iter().zip(results) {
            match result {
                Outcome::Success | Outcome::CheckFailed => {
                    let action = &mut state.actions[index as usize];
                    if !action.done {
                        action.done = true;
                        state.remaining -= 1;
                        if *result == Outcome::CheckFailed {
                            state.checks_failed += 1;
                        }
                        if is_submit {
                            rows_done.push(action.operation);
                        }
                    }
                }
                Outcome::Failed(failure) => error = Some(*failure),
                Outcome::Pending => {
                    unreachable!("a call answers only when every action is decided")
                }
            }
        }
        for operation in rows_done {
            self.submit_row_done(client, operation, None);
        }
        if self.requests.get(request).remaining == 0 {
            self.complete_request(request);
            return;
        }
        if error.is_none() {
            // A scan's RPC answered: the next one goes.
            self.send_attempt(request);
            return;
        }
        let state = self.requests.get_mut(request);
        let failure = error.expect("a request with actions left had a failure");
        state.last_error = Some(failure);
        *self.stats.errors.entry(failure).or_default() += 1;
        let base = if failure.is_server_overloaded(self.config.profile) {
            self.config.retry.pause_server_overloaded
        } else {
            self.config.retry.pause
        };
        let tries = state.tries;
        let pause = pause_before_retry(base, tries, &mut self.retry_jitter);
        let elapsed = now - self.requests.get(request).started;
        if self.config.retry.may_retry(tries, elapsed, pause) {
            let state = self.requests.get_mut(request);
            state.tries += 1;
            self.stats.retries += 1;
            self.queue
                .schedule_in(pause, Event::ClientRetry { request });
        } else {
            self.fail_request(request, failure);
        }
    }

    fn complete_request(&mut self, request: RequestId) {
        let read_row = {
            let state = self.requests.get(request);
            (state.kind == OpKind::ReadModifyWrite && state.reading).then(|| state.actions[0].row)
        };
        let state = self.finish_request(request);
        if let Some(submit) = state.submit {
            self.submit_done(state.client, submit);
            return;
        }
        if let Some(row) = read_row {
            // YCSB's read-modify-write: the row read, its put goes out; the operation's
            // latency spans both.
            let (_, value_bytes) = self.clients[state.client as usize].draw_row();
            let durability = self.client_cells[state.client as usize].durability;
            let mut write = Request::new(
                state.kind,
                (state.client, state.slot),
                durability,
                (state.due, state.started),
                vec![Action::new(Mutation::Put, row, 1, value_bytes)],
                None,
            );
            write.reading = false;
            self.open_request(write);
            return;
        }
        self.record_success(state.kind, state.rows, state.checks_failed, state.due);
        self.answered(state.client, state.slot);
    }

    fn fail_request(&mut self, request: RequestId, error: ServerError) {
        let pending: Vec<u32> = {
            let state = self.requests.get(request);
            state
                .actions
                .iter()
                .filter(|action| !action.done)
                .map(|action| action.operation)
                .collect()
        };
        let state = self.finish_request(request);
        if let Some(submit) = state.submit {
            for operation in pending {
                self.submit_row_done(state.client, operation, Some(error));
            }
            self.submit_done(state.client, submit);
            return;
        }
        self.record_failure(state.kind, error);
        self.answered(state.client, state.slot);
    }

    /// An operation succeeded: its latency counts from when it was due.
    pub(super) fn record_success(
        &mut self,
        kind: OpKind,
        rows: u64,
        checks_failed: u32,
        due: SimTime,
    ) {
        let now = self.now();
        let stats = self.stats.operations.entry(kind).or_default();
        stats.succeeded += 1;
        stats.rows_succeeded += rows;
        stats.checks_failed += u64::from(checks_failed);
        if now >= self.measured_from {
            stats.latency.record(now - due);
            stats.succeeded_measured += 1;
            stats.rows_measured += rows;
        }
        self.timeline.record_completion(kind, now - due);
    }

    /// An operation failed for good.
    pub(super) fn record_failure(&mut self, kind: OpKind, error: ServerError) {
        let stats = self.stats.operations.entry(kind).or_default();
        *stats.failed.entry(error.name()).or_default() += 1;
        self.timeline.record_failure(kind);
    }

    /// A Table operation is answered: an open-loop arrival is done, and the thread goes on.
    fn answered(&mut self, client: u32, slot: u32) {
        if slot == OPEN_LOOP {
            self.clients[client as usize].finished += 1;
        }
        self.next_from_client(client, slot);
    }

    /// The request is done at the client: no attempt of it is current any more, and it goes
    /// once no call on the server works on it. Returns what the client's figures need.
    fn finish_request(&mut self, request: RequestId) -> Finished {
        let now = self.now();
        self.requests_open -= 1;
        self.stats.in_flight.set(now, self.requests_open as u64);
        let state = self.requests.get_mut(request);
        state.finished = true;
        state.attempt = None;
        let finished = Finished {
            kind: state.kind,
            started: state.started,
            client: state.client,
            slot: state.slot,
            due: state.due,
            rows: state.actions.len() as u64,
            checks_failed: state.checks_failed,
            submit: state.submit.take(),
        };
        if state.server_calls == 0 {
            self.requests.remove(request);
        }
        finished
    }

    /// A call on the server is gone: its request goes too if the client is done with it.
    pub(super) fn release_request(&mut self, request: RequestId) {
        let state = self.requests.get_mut(request);
        state.server_calls -= 1;
        if state.finished && state.server_calls == 0 {
            self.requests.remove(request);
        }
    }

    /// The application's thread is free: a closed-loop client thinks, then sends again; an
    /// open-loop thread takes the next arrival.
    pub(super) fn next_from_client(&mut self, client: u32, slot: u32) {
        match self.clients[client as usize].arrival {
            Arrival::Closed { think, .. } => {
                let next = self.now() + think;
                if next < self.clients[client as usize].end {
                    self.queue
                        .schedule_at(next, Event::ClosedSend { client, slot });
                }
            }
            Arrival::Open { .. } => self.release_open_thread(client),
        }
    }
}
