//! The RPC server's call queues and handler threads: SimpleRpcScheduler's general executor,
//! as `hbase.ipc.server.callqueue.type` picks it.
//!
//! `hbase.regionserver.handler.count` handlers are spread over
//! max(1, round(handlers × `hbase.ipc.server.callqueue.handler.factor`)) queues, handler i
//! serving queue i mod queues (RpcExecutor.startHandlers). `fifo` and `codel` run the
//! FastPathBalancedQueueRpcExecutor: a handler whose own queue is empty parks itself on one stack
//! shared by all (FastPathRpcHandler.getCallRunner), and a new call goes straight to the handler
//! parked last, whatever its queue, without the balancer or any queue limit. Only with no handler
//! parked does RandomQueueBalancer pick a queue at random, and the call is rejected with
//! CallQueueTooBigException if that queue already holds its soft limit
//! (`hbase.ipc.server.max.callqueue.length`), else it waits there. `deadline` runs the plain
//! BalancedQueueRpcExecutor: the balancer always picks the queue, the limit applies, and one of
//! that queue's idle handlers (the longest waiting) takes the call at once. Its queues order
//! calls by deadline, which for mutations is their arrival: FIFO. `codel` queues serve the
//! newest call first above the LIFO threshold and drop calls that waited too long while
//! overloaded (`rpc/codel.rs`). A queue's capacity, max(soft limit, 250), is never reached with
//! the soft limit fixed (HBase can resize it online; not modelled).
//!
//! Before either, the connection rejects a call the same way if the request bytes of every call
//! received and not yet finished (queued or running) would exceed
//! `hbase.ipc.server.max.callqueue.size` (RpcServer.callQueueSizeInBytes). A handler keeps its
//! call until it answers, through every wait inside (global memstore pressure, locks, the WAL
//! sync): that is how server-side blocking turns into queueing. The priority (meta/admin) and
//! replication executors are not modelled; admin actions run outside these handlers.
//! Which handler parks first at start is up to thread scheduling in HBase; here handler 0 is
//! taken first.

pub mod codel;

use std::collections::VecDeque;

use crate::metrics::LevelOverTime;
use crate::model::config::CallQueueType;
use crate::sim::{RandomStream, SimTime};

use self::codel::Codel;

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

/// What a handler that finished its call does next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Released {
    /// The call it took from its queue, if any.
    pub next: Option<CallId>,
    /// Calls CoDel dropped on the way (CallDroppedException).
    pub dropped: Vec<CallId>,
}

#[derive(Debug, Clone)]
struct QueuedCall {
    call: CallId,
    bytes: u64,
    queued_at: SimTime,
}

/// One call queue.
#[derive(Debug, Clone)]
struct CallQueue {
    calls: VecDeque<QueuedCall>,
    /// AdaptiveLifoCoDelCallQueue's state, for `codel`.
    codel: Option<Codel>,
}

/// Call queues and handlers.
#[derive(Debug, Clone)]
pub struct RpcScheduler {
    queues: Vec<CallQueue>,
    /// FastPathBalancedQueueRpcExecutor (fifo, codel) rather than BalancedQueueRpcExecutor.
    fast_path: bool,
    /// Fast path: the parked handlers, the most recently parked last (a LIFO stack).
    parked: Vec<usize>,
    /// Plain executor: each queue's handlers waiting in take(), the longest waiting first.
    waiting: Vec<VecDeque<usize>>,
    handler_queue: Vec<usize>,
    /// Each handler's call and its request bytes.
    busy: Vec<Option<(CallId, u64)>>,
    queue_length_max: usize,
    call_bytes_max: u64,
    /// Request bytes of calls received and not finished.
    call_bytes: u64,
    /// RandomQueueBalancer's draws.
    balancer: RandomStream,
    /// Calls waiting in all queues, over time.
    pub queued: LevelOverTime,
    /// Handlers holding a call, over time.
    pub handlers_busy: LevelOverTime,
    /// Calls accepted (taken at once or queued).
    pub accepted: u64,
    pub rejected: u64,
    /// Queued calls CoDel dropped.
    pub dropped: u64,
    /// Total time accepted calls spent queued (nanoseconds), counting calls still queued up to
    /// the time `wait_nanos_until` is asked for.
    wait_nanos: u128,
}

/// The scheduler's shape and limits.
#[derive(Debug, Clone, Copy)]
pub struct RpcShape {
    pub handlers: usize,
    pub queues: usize,
    /// The soft limit of each queue.
    pub queue_length_max: usize,
    pub call_bytes_max: u64,
    pub queue_type: CallQueueType,
}

impl RpcScheduler {
    pub fn new(shape: RpcShape, balancer: RandomStream) -> RpcScheduler {
        let handlers = shape.handlers;
        let queues = shape.queues.clamp(1, handlers.max(1));
        let handler_queue: Vec<usize> = (0..handlers).map(|handler| handler % queues).collect();
        let codel = match shape.queue_type {
            CallQueueType::Codel(settings) => Some(Codel::new(settings)),
            CallQueueType::Fifo | CallQueueType::Deadline => None,
        };
        let mut scheduler = RpcScheduler {
            queues: vec![
                CallQueue {
                    calls: VecDeque::new(),
                    codel,
                };
                queues
            ],
            fast_path: !matches!(shape.queue_type, CallQueueType::Deadline),
            parked: Vec::new(),
            waiting: vec![VecDeque::new(); queues],
            handler_queue,
            busy: vec![None; handlers],
            queue_length_max: shape.queue_length_max,
            call_bytes_max: shape.call_bytes_max,
            call_bytes: 0,
            balancer,
            queued: LevelOverTime::default(),
            handlers_busy: LevelOverTime::default(),
            accepted: 0,
            rejected: 0,
            dropped: 0,
            wait_nanos: 0,
        };
        scheduler.all_idle();
        scheduler
    }

    /// Every handler idle, handler 0 to be taken first.
    fn all_idle(&mut self) {
        self.parked.clear();
        for waiting in &mut self.waiting {
            waiting.clear();
        }
        for handler in 0..self.busy.len() {
            self.idle(self.busy.len() - 1 - handler);
        }
        for waiting in &mut self.waiting {
            waiting.make_contiguous().reverse();
        }
    }

    /// A handler with nothing to do: parked (fast path) or waiting on its queue.
    fn idle(&mut self, handler: usize) {
        if self.fast_path {
            self.parked.push(handler);
        } else {
            self.waiting[self.handler_queue[handler]].push_back(handler);
        }
    }

    pub fn queue_count(&self) -> usize {
        self.queues.len()
    }

    pub fn handler_count(&self) -> usize {
        self.busy.len()
    }

    /// Offers a call of `bytes`: to a parked handler, else to the queue the balancer picks.
    pub fn dispatch(&mut self, now: SimTime, call: CallId, bytes: u64) -> Dispatch {
        if self.call_bytes + bytes > self.call_bytes_max {
            self.rejected += 1;
            return Dispatch::Rejected;
        }
        if self.fast_path
            && let Some(handler) = self.parked.pop()
        {
            return self.accept_by(now, handler, call, bytes);
        }
        let queue = self.balancer.below(self.queues.len() as u64) as usize;
        if self.queues[queue].calls.len() >= self.queue_length_max {
            self.rejected += 1;
            return Dispatch::Rejected;
        }
        if let Some(handler) = self.waiting[queue].pop_front() {
            return self.accept_by(now, handler, call, bytes);
        }
        self.accepted += 1;
        self.call_bytes += bytes;
        self.queues[queue].calls.push_back(QueuedCall {
            call,
            bytes,
            queued_at: now,
        });
        self.queued.set(now, self.queued.level() + 1);
        Dispatch::Queued
    }

    fn accept_by(&mut self, now: SimTime, handler: usize, call: CallId, bytes: u64) -> Dispatch {
        self.accepted += 1;
        self.call_bytes += bytes;
        self.take(now, handler, call, bytes);
        Dispatch::Handler(handler)
    }

    /// The handler finished its call: it takes the next one of its own queue (the oldest, or
    /// with CoDel above the threshold the newest, skipping the calls CoDel drops), or idles.
    pub fn release(&mut self, now: SimTime, handler: usize) -> Released {
        let (_, bytes) = self.busy[handler]
            .take()
            .unwrap_or_else(|| panic!("handler {handler} released while idle"));
        self.call_bytes -= bytes;
        self.handlers_busy.set(now, self.handlers_busy.level() - 1);
        let queue = self.handler_queue[handler];
        let mut released = Released::default();
        loop {
            let CallQueue { calls, codel } = &mut self.queues[queue];
            let newest = codel
                .as_ref()
                .is_some_and(|codel| codel.takes_newest(calls.len()));
            let taken = if newest {
                calls.pop_back()
            } else {
                calls.pop_front()
            };
            let Some(next) = taken else {
                self.idle(handler);
                return released;
            };
            let drop = codel.as_mut().is_some_and(|codel| {
                codel.need_to_drop(now.as_millis(), next.queued_at.as_millis())
            });
            self.queued.set(now, self.queued.level() - 1);
            self.wait_nanos += u128::from((now - next.queued_at).as_nanos());
            if drop {
                self.dropped += 1;
                self.call_bytes -= next.bytes;
                released.dropped.push(next.call);
                continue;
            }
            self.take(now, handler, next.call, next.bytes);
            released.next = Some(next.call);
            return released;
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
            for queued in queue.calls.drain(..) {
                self.wait_nanos += u128::from((now - queued.queued_at).as_nanos());
                dropped.push(queued.call);
            }
        }
        self.queued.set(now, 0);
        for handler in 0..self.busy.len() {
            if let Some((call, _)) = self.busy[handler].take() {
                dropped.push(call);
            }
        }
        self.all_idle();
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
            .flat_map(|queue| queue.calls.iter())
            .map(|queued| u128::from(now.saturating_duration_since(queued.queued_at).as_nanos()))
            .sum();
        self.wait_nanos + open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::CodelSettings;

    fn scheduler(
        handlers: usize,
        queues: usize,
        queue_length_max: usize,
        queue_type: CallQueueType,
        seed: u64,
    ) -> RpcScheduler {
        RpcScheduler::new(
            RpcShape {
                handlers,
                queues,
                queue_length_max,
                call_bytes_max: u64::MAX,
                queue_type,
            },
            RandomStream::new(seed, "rpc.queue_balancer"),
        )
    }

    // FastPathBalancedQueueRpcExecutor: any parked handler takes a new call, the one parked
    // last first, whatever queue the balancer would pick; only with none parked does the call
    // go to a queue, up to its limit. A handler parks only when its own queue is empty.
    #[test]
    fn any_parked_handler_takes_a_new_call() {
        let t = SimTime::ZERO;
        let mut rpc = scheduler(2, 2, 1, CallQueueType::Fifo, 1);
        assert_eq!(rpc.dispatch(t, 10, 1), Dispatch::Handler(0));
        assert_eq!(rpc.dispatch(t, 11, 1), Dispatch::Handler(1));
        let later = SimTime::from_nanos(50);
        assert_eq!(rpc.release(later, 0), Released::default());
        assert_eq!(rpc.dispatch(later, 12, 1), Dispatch::Handler(0));
        // Both busy: calls queue, one per queue at most.
        let outcomes: Vec<Dispatch> = (13..17).map(|call| rpc.dispatch(later, call, 1)).collect();
        let queued = outcomes.iter().filter(|o| **o == Dispatch::Queued).count();
        assert!((1..=2).contains(&queued), "{outcomes:?}");
        assert_eq!(rpc.rejected, 4 - queued as u64);
        // Releasing drains the handler's own queue before it parks again.
        let own = rpc.release(SimTime::from_nanos(80), 1).next;
        let other = rpc.release(SimTime::from_nanos(80), 0).next;
        assert_eq!(
            own.is_some() as usize + other.is_some() as usize,
            queued,
            "each queued call is taken by its queue's handler"
        );
        // Parked last, taken first.
        let mut rpc = scheduler(3, 3, 10, CallQueueType::Fifo, 1);
        for call in 0..3 {
            rpc.dispatch(t, call, 1);
        }
        rpc.release(later, 2);
        rpc.release(later, 0);
        assert_eq!(rpc.dispatch(later, 9, 1), Dispatch::Handler(0));
        assert_eq!(rpc.dispatch(later, 10, 1), Dispatch::Handler(2));
        assert_eq!(rpc.wait_nanos_until(later), 0);
    }

    // BalancedQueueRpcExecutor (deadline): the balancer always picks the queue, and only that
    // queue's idle handler can take the call, so a call may wait while another queue's handler
    // is idle — for some balancer draws among twenty, never with the fast path.
    #[test]
    fn without_the_fast_path_a_call_waits_for_its_own_queue() {
        let second_waits = |queue_type: CallQueueType, seed: u64| {
            let mut rpc = scheduler(2, 2, 10, queue_type, seed);
            rpc.dispatch(SimTime::ZERO, 0, 1);
            rpc.dispatch(SimTime::ZERO, 1, 1) == Dispatch::Queued
        };
        assert!((0..20).any(|seed| second_waits(CallQueueType::Deadline, seed)));
        assert!((0..20).all(|seed| !second_waits(CallQueueType::Fifo, seed)));
    }

    // CoDel above its LIFO threshold takes the newest call; a call it drops is handed back to
    // be answered, and the handler goes on to the next.
    #[test]
    fn codel_takes_the_newest_above_the_threshold_and_drops() {
        let codel = CallQueueType::Codel(CodelSettings {
            target_delay_ms: 1,
            interval_ms: 1,
            lifo_threshold: 0.5,
            lifo_denominator: 10,
        });
        let mut rpc = scheduler(1, 1, 10, codel, 1);
        let ms = |millis: u64| SimTime::from_nanos(millis * 1_000_000);
        assert_eq!(rpc.dispatch(ms(0), 0, 1), Dispatch::Handler(0));
        for call in 1..=7 {
            assert_eq!(rpc.dispatch(ms(call as u64), call, 1), Dispatch::Queued);
        }
        // 7 of 10 queued > 0.5: the newest (7) first; it resets the interval's minimum.
        assert_eq!(rpc.release(ms(10), 0).next, Some(7));
        // 6 queued: still LIFO. Call 6 waited 4 ms; the interval is over and its least wait,
        // 3 ms, is above the 1 ms target: overloaded, but the first take of an interval is kept.
        assert_eq!(rpc.release(ms(10), 0).next, Some(6));
        // 5 of 10 is not above 0.5: oldest first again, and every one waited over 2 × 1 ms
        // while overloaded: all dropped, and the handler idles.
        let released = rpc.release(ms(10), 0);
        assert_eq!(released.dropped, vec![1, 2, 3, 4, 5]);
        assert_eq!(released.next, None);
        assert_eq!(rpc.dropped, 5);
    }

    #[test]
    fn the_byte_limit_rejects_too() {
        let t = SimTime::ZERO;
        // Running calls count toward the byte limit too.
        let mut rpc = RpcScheduler::new(
            RpcShape {
                handlers: 1,
                queues: 1,
                queue_length_max: 100,
                call_bytes_max: 10,
                queue_type: CallQueueType::Fifo,
            },
            RandomStream::new(1, "rpc.queue_balancer"),
        );
        assert_eq!(rpc.dispatch(t, 1, 8), Dispatch::Handler(0));
        assert_eq!(rpc.dispatch(t, 2, 8), Dispatch::Rejected);
        assert_eq!(rpc.dispatch(t, 3, 2), Dispatch::Queued);
    }
}
