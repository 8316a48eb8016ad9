//! The RPC server's call queues and handler threads (SimpleRpcScheduler with the default
//! BalancedQueueRpcExecutor and the "fifo" queue type).
//!
//! `hbase.regionserver.handler.count` handlers are spread over
//! max(1, round(handlers × `hbase.ipc.server.callqueue.handler.factor`)) queues, handler i
//! serving queue i mod queues (RpcExecutor.startHandlers). A call goes to a random queue
//! (RandomQueueBalancer). An idle handler of that queue takes it at once (the FastPath
//! executor); otherwise it waits in the queue, unless the queue already holds
//! `hbase.ipc.server.max.callqueue.length` calls, in which case it is rejected with
//! CallQueueTooBigException without running. Before either, the connection rejects it the same
//! way if the request bytes of every call received and not yet finished (queued or running)
//! would exceed `hbase.ipc.server.max.callqueue.size` (RpcServer.callQueueSizeInBytes). A handler keeps its call until it answers,
//! through every wait inside (global memstore pressure, locks, the WAL sync): that is how
//! server-side blocking turns into queueing. The priority (meta/admin) and replication
//! executors are not modelled; admin actions run outside these handlers.

use std::collections::VecDeque;

use crate::metrics::LevelOverTime;
use crate::sim::SimTime;

/// Identifies a call at the server.
pub type CallId = u32;

/// What happened to a call on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// An idle handler took it.
    Handler(usize),
    Queued,
    /// The queue was full (length or bytes): CallQueueTooBigException.
    Rejected,
}

#[derive(Debug, Clone)]
struct QueuedCall {
    call: CallId,
    bytes: u64,
    queued_at: SimTime,
}

/// Call queues and handlers.
#[derive(Debug, Clone)]
pub struct RpcScheduler {
    queues: Vec<VecDeque<QueuedCall>>,
    /// Idle handlers of each queue, the most recently idle last.
    idle: Vec<Vec<usize>>,
    handler_queue: Vec<usize>,
    /// Each handler's call and its request bytes.
    busy: Vec<Option<(CallId, u64)>>,
    queue_length_max: usize,
    call_bytes_max: u64,
    /// Request bytes of calls received and not finished.
    call_bytes: u64,
    /// Calls waiting in all queues, over time.
    pub queued: LevelOverTime,
    /// Handlers holding a call, over time.
    pub handlers_busy: LevelOverTime,
    /// Calls accepted (taken at once or queued).
    pub accepted: u64,
    pub rejected: u64,
    /// Total time accepted calls spent queued (nanoseconds), counting calls still queued up to
    /// the time `wait_nanos_until` is asked for.
    wait_nanos: u128,
}

impl RpcScheduler {
    pub fn new(
        handlers: usize,
        queues: usize,
        queue_length_max: usize,
        call_bytes_max: u64,
    ) -> RpcScheduler {
        let queues = queues.clamp(1, handlers.max(1));
        let handler_queue: Vec<usize> = (0..handlers).map(|handler| handler % queues).collect();
        let mut idle = vec![Vec::new(); queues];
        // Reversed, so that handler 0 of each queue is the first taken.
        for handler in (0..handlers).rev() {
            idle[handler_queue[handler]].push(handler);
        }
        RpcScheduler {
            queues: vec![VecDeque::new(); queues],
            idle,
            handler_queue,
            busy: vec![None; handlers],
            queue_length_max,
            call_bytes_max,
            call_bytes: 0,
            queued: LevelOverTime::default(),
            handlers_busy: LevelOverTime::default(),
            accepted: 0,
            rejected: 0,
            wait_nanos: 0,
        }
    }

    pub fn queue_count(&self) -> usize {
        self.queues.len()
    }

    pub fn handler_count(&self) -> usize {
        self.busy.len()
    }

    /// Offers a call of `bytes` to `queue` (chosen at random by the caller).
    pub fn dispatch(&mut self, now: SimTime, call: CallId, queue: usize, bytes: u64) -> Dispatch {
        if self.call_bytes + bytes > self.call_bytes_max {
            self.rejected += 1;
            return Dispatch::Rejected;
        }
        if let Some(handler) = self.idle[queue].pop() {
            self.accepted += 1;
            self.call_bytes += bytes;
            self.take(now, handler, call, bytes);
            return Dispatch::Handler(handler);
        }
        if self.queues[queue].len() >= self.queue_length_max {
            self.rejected += 1;
            return Dispatch::Rejected;
        }
        self.accepted += 1;
        self.call_bytes += bytes;
        self.queues[queue].push_back(QueuedCall {
            call,
            bytes,
            queued_at: now,
        });
        self.queued.set(now, self.queued.level() + 1);
        Dispatch::Queued
    }

    /// The handler finished its call: it takes the next one of its queue, if any.
    pub fn release(&mut self, now: SimTime, handler: usize) -> Option<CallId> {
        let (_, bytes) = self.busy[handler]
            .take()
            .unwrap_or_else(|| panic!("handler {handler} released while idle"));
        self.call_bytes -= bytes;
        self.handlers_busy.set(now, self.handlers_busy.level() - 1);
        let queue = self.handler_queue[handler];
        match self.queues[queue].pop_front() {
            Some(next) => {
                self.queued.set(now, self.queued.level() - 1);
                self.wait_nanos += u128::from((now - next.queued_at).as_nanos());
                self.take(now, handler, next.call, next.bytes);
                Some(next.call)
            }
            None => {
                self.idle[queue].push(handler);
                None
            }
        }
    }

    fn take(&mut self, now: SimTime, handler: usize, call: CallId, bytes: u64) {
        self.busy[handler] = Some((call, bytes));
        self.handlers_busy.set(now, self.handlers_busy.level() + 1);
    }

    /// The server died: every queued call and every handler's call is dropped; returns them.
    pub fn reset(&mut self, now: SimTime) -> Vec<CallId> {
        let mut dropped = Vec::new();
        for queue in &mut self.queues {
            for queued in queue.drain(..) {
                self.wait_nanos += u128::from((now - queued.queued_at).as_nanos());
                dropped.push(queued.call);
            }
        }
        self.queued.set(now, 0);
        for handler in 0..self.busy.len() {
            if let Some((call, _)) = self.busy[handler].take() {
                dropped.push(call);
                self.idle[self.handler_queue[handler]].push(handler);
            }
        }
        for idle in &mut self.idle {
            idle.sort_unstable_by(|a, b| b.cmp(a));
        }
        self.handlers_busy.set(now, 0);
        self.call_bytes = 0;
        dropped
    }

    /// The call a handler holds.
    pub fn call_of(&self, handler: usize) -> Option<CallId> {
        self.busy[handler].map(|(call, _)| call)
    }

    /// Total queueing time of accepted calls up to `now`, counting calls still waiting.
    pub fn wait_nanos_until(&self, now: SimTime) -> u128 {
        let open: u128 = self
            .queues
            .iter()
            .flatten()
            .map(|queued| u128::from(now.saturating_duration_since(queued.queued_at).as_nanos()))
            .sum();
        self.wait_nanos + open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Handlers serve queue i mod queues; a call takes an idle handler of its queue, else waits,
    // else is rejected when the queue is full.
    #[test]
    fn dispatch_fastpath_queue_and_reject() {
        let t = SimTime::ZERO;
        let mut rpc = RpcScheduler::new(4, 2, 1, u64::MAX);
        assert_eq!(rpc.dispatch(t, 10, 0, 1), Dispatch::Handler(0));
        assert_eq!(rpc.dispatch(t, 11, 0, 1), Dispatch::Handler(2));
        assert_eq!(rpc.dispatch(t, 12, 0, 1), Dispatch::Queued);
        assert_eq!(rpc.dispatch(t, 13, 0, 1), Dispatch::Rejected);
        assert_eq!(rpc.dispatch(t, 14, 1, 1), Dispatch::Handler(1));
        let later = SimTime::from_nanos(50);
        assert_eq!(rpc.release(later, 2), Some(12));
        assert_eq!(rpc.call_of(2), Some(12));
        assert_eq!(rpc.release(later, 2), None);
        assert_eq!(rpc.accepted, 4);
        assert_eq!(rpc.rejected, 1);
        assert_eq!(rpc.wait_nanos_until(later), 50);
        assert_eq!(rpc.handlers_busy.level(), 2);
    }

    #[test]
    fn the_byte_limit_rejects_too() {
        let t = SimTime::ZERO;
        // Running calls count toward the byte limit too.
        let mut rpc = RpcScheduler::new(1, 1, 100, 10);
        assert_eq!(rpc.dispatch(t, 1, 0, 8), Dispatch::Handler(0));
        assert_eq!(rpc.dispatch(t, 2, 0, 8), Dispatch::Rejected);
        assert_eq!(rpc.dispatch(t, 3, 0, 2), Dispatch::Queued);
    }
}
