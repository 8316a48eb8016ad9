//! MemStoreFlusher: the flush queue, its handler threads, and the wake-up token that makes a
//! handler check global memstore pressure.
//!
//! HBase keeps a DelayQueue of region entries (at most one per region, `regionsInQueue`) and a
//! WAKEUP token (at most one pending, `wakeupPending`). `hbase.hstore.flusher.count` handlers
//! poll it with a `hbase.server.thread.wakefrequency` timeout; a token or a timeout makes the
//! handler flush the biggest region while the global size is at or above the lower limit
//! (flushOneForGlobalPressure), a region entry makes it flush that region. Entries due now are
//! taken in the order they were queued; a pending token is taken before them (in HBase the two
//! compare by delay and then by identity hash, so their relative order is arbitrary there).

use std::collections::VecDeque;

use super::region::{FlushId, RegionId};
use crate::metrics::LevelOverTime;
use crate::sim::SimTime;

/// Why a region was flushed; the names are those of `flushes.by_reason` in summary.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlushReason {
    /// The region's memstore passed its flush size (HRegion.requestFlushIfNeeded).
    MemstoreSize,
    /// Chosen by flushOneForGlobalPressure: the biggest region while the global size is at or
    /// above the lower limit.
    GlobalPressure,
    /// An operator's Admin.flush.
    Admin,
}

impl FlushReason {
    pub const ALL: [FlushReason; 3] = [
        FlushReason::MemstoreSize,
        FlushReason::GlobalPressure,
        FlushReason::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FlushReason::MemstoreSize => "memstore_size",
            FlushReason::GlobalPressure => "global_pressure",
            FlushReason::Admin => "admin_flush",
        }
    }
}

/// A region waiting in the flush queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushRequest {
    pub region: RegionId,
    pub reason: FlushReason,
    pub queued_at: SimTime,
}

/// What a flush handler is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerState {
    /// Polling the queue; the poll times out at the event with this generation.
    Idle {
        poll_generation: u64,
    },
    Flushing(FlushId),
    /// Nothing could be flushed under pressure: HBase sleeps a second before trying again.
    Sleeping,
}

/// The work a handler takes from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlusherWork {
    /// Check global pressure (a WAKEUP token or a poll timeout).
    GlobalPressureCheck,
    Region(FlushRequest),
}

#[derive(Debug, Clone)]
pub struct Flusher {
    queue: VecDeque<FlushRequest>,
    in_queue: Vec<bool>,
    wakeup_pending: bool,
    pub handlers: Vec<HandlerState>,
    next_poll_generation: u64,
    /// Region entries in the queue over time.
    pub queue_length: LevelOverTime,
    /// Entries added to the queue.
    pub enqueued: u64,
}

impl Flusher {
    pub fn new(handlers: u32, regions: usize) -> Flusher {
        let mut flusher = Flusher {
            queue: VecDeque::new(),
            in_queue: vec![false; regions],
            wakeup_pending: false,
            handlers: Vec::new(),
            next_poll_generation: 0,
            queue_length: LevelOverTime::default(),
            enqueued: 0,
        };
        for _ in 0..handlers {
            let generation = flusher.new_poll_generation();
            flusher.handlers.push(HandlerState::Idle {
                poll_generation: generation,
            });
        }
        flusher
    }

    /// A fresh generation for an idle handler's poll timeout.
    pub fn new_poll_generation(&mut self) -> u64 {
        self.next_poll_generation += 1;
        self.next_poll_generation
    }

    /// MemStoreFlusher.requestFlush: queues the region unless it is already queued.
    pub fn enqueue(&mut self, region: RegionId, reason: FlushReason, now: SimTime) -> bool {
        if self.in_queue[region as usize] {
            return false;
        }
        self.in_queue[region as usize] = true;
        self.queue.push_back(FlushRequest {
            region,
            reason,
            queued_at: now,
        });
        self.enqueued += 1;
        self.queue_length.set(now, self.queue.len() as u64);
        true
    }

    /// Removes a region's entry, as an emergency (global-pressure) flush of it does.
    pub fn remove(&mut self, region: RegionId, now: SimTime) {
        if !self.in_queue[region as usize] {
            return;
        }
        self.in_queue[region as usize] = false;
        self.queue.retain(|request| request.region != region);
        self.queue_length.set(now, self.queue.len() as u64);
    }

    /// wakeupFlushThread: posts the WAKEUP token unless one is pending.
    pub fn post_wakeup(&mut self) {
        self.wakeup_pending = true;
    }

    /// The first idle handler, if any.
    pub fn idle_handler(&self) -> Option<usize> {
        self.handlers
            .iter()
            .position(|state| matches!(state, HandlerState::Idle { .. }))
    }

    /// Takes the next piece of work for a handler: the token first, then the oldest entry.
    pub fn take_work(&mut self, now: SimTime) -> Option<FlusherWork> {
        if self.wakeup_pending {
            self.wakeup_pending = false;
            return Some(FlusherWork::GlobalPressureCheck);
        }
        let request = self.queue.pop_front()?;
        self.in_queue[request.region as usize] = false;
        self.queue_length.set(now, self.queue.len() as u64);
        Some(FlusherWork::Region(request))
    }

    /// A poll timeout also clears the token, as HBase's handler loop does.
    pub fn clear_wakeup(&mut self) {
        self.wakeup_pending = false;
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One entry per region; the token goes first; removal takes a region out of the queue.
    #[test]
    fn queue_rules() {
        let now = SimTime::ZERO;
        let mut flusher = Flusher::new(2, 4);
        assert!(flusher.enqueue(2, FlushReason::MemstoreSize, now));
        assert!(!flusher.enqueue(2, FlushReason::MemstoreSize, now));
        assert!(flusher.enqueue(1, FlushReason::MemstoreSize, now));
        assert!(flusher.enqueue(3, FlushReason::MemstoreSize, now));
        flusher.post_wakeup();
        flusher.post_wakeup();
        flusher.remove(1, now);
        assert_eq!(
            flusher.take_work(now),
            Some(FlusherWork::GlobalPressureCheck)
        );
        let next = |flusher: &mut Flusher| match flusher.take_work(now) {
            Some(FlusherWork::Region(request)) => Some(request.region),
            _ => None,
        };
        assert_eq!(next(&mut flusher), Some(2));
        assert_eq!(next(&mut flusher), Some(3));
        assert_eq!(next(&mut flusher), None);
        assert!(flusher.enqueue(2, FlushReason::MemstoreSize, now));
        assert_eq!(flusher.queue_length.peak(), 3);
        assert_eq!(flusher.idle_handler(), Some(0));
    }
}
