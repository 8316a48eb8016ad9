//! MemStoreFlusher: the flush queue (a delay queue, one entry per region), its handler threads,
//! and the wake-up token that makes a handler check global memstore pressure.
//!
//! HBase keeps a DelayQueue of FlushRegionEntry (at most one per region, `regionsInQueue`) and a
//! WAKEUP token (at most one pending, `wakeupPending`). An entry is due at `whenToExpire`: at
//! once for requestFlush, after a random delay for the periodic flusher (requestDelayedFlush,
//! only if the region has no entry), and `blockingWaitTime / 100` later each time a flush is put
//! off because a store has too many files (`requeue`, which keeps the entry's creation time, so
//! the wait is bounded by `hbase.hstore.blockingWaitTime` from the first request). In 2.5 a
//! requestFlush replaces a delayed entry that is not yet due with an immediate one (resetting
//! that creation time); in 1.4 it is dropped. `hbase.hstore.flusher.count` handlers poll the
//! queue with a `hbase.server.thread.wakefrequency` timeout; a token or a timeout makes the
//! handler flush the biggest region while the global size is at or above the lower limit, a due
//! entry makes it flush that region. Due entries are taken in due-time order, ties in the order
//! queued (HBase breaks them by identity hash); a pending token is taken first.
//!
//! With HBASE-10499 switched on (`known_bugs`), entries due in the same millisecond are equal
//! to the DelayQueue, so the removal of a region's entry by a global-pressure flush takes the
//! first equal entry (here the earliest queued of that millisecond), which may be another
//! region's. That region stays in `regionsInQueue` with its entry gone (`lost`): every request
//! for it is a no-op until a global-pressure flush or a close takes it out. The region's own
//! entry, if it was not the one taken, stays queued without a place in `regionsInQueue` (an
//! orphan): when it comes due it flushes its region, and the region leaves `regionsInQueue`
//! then, whatever entry it had there.

use std::collections::BTreeMap;

use crate::metrics::LevelOverTime;
use crate::model::region::hregion::{FlushId, RegionId};
use crate::sim::{SimDuration, SimTime};

/// Why a region was flushed; the names are those of `flushes.by_reason` in summary.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlushReason {
    /// The region's memstore passed its flush size (HRegion.requestFlushIfNeeded), or
    /// checkResources found it above the blocking size.
    MemstoreSize,
    /// Chosen by flushOneForGlobalPressure while the global size was at or above the lower limit.
    GlobalPressureLower,
    /// Chosen while the global size was at or above the upper limit (writers blocked).
    GlobalPressureUpper,
    /// The periodic flusher: an edit older than hbase.regionserver.optionalcacheflushinterval.
    Periodic,
    /// The periodic flusher: more than hbase.regionserver.flush.per.changes edits since the
    /// region's last flush.
    TooManyChanges,
    /// An operator's Admin.flush.
    Admin,
    /// A close's pre-close flush (memstore above hbase.hregion.preclose.flush.size).
    ClosePreFlush,
    /// A close's final flush.
    Close,
    /// The flushes of a region closing to split.
    Split,
    /// The flushes of a region closing to merge.
    Merge,
    /// The flush before a bulk load (with assigned sequence ids).
    BulkLoad,
    /// A table snapshot's flush.
    Snapshot,
    /// More WAL files than hbase.regionserver.maxlogs: the region pins the oldest.
    TooManyWals,
    /// The flush after a recovered region replayed its edits.
    RecoveredEdits,
}

impl FlushReason {
    pub const ALL: [FlushReason; 14] = [
        FlushReason::MemstoreSize,
        FlushReason::GlobalPressureLower,
        FlushReason::GlobalPressureUpper,
        FlushReason::Periodic,
        FlushReason::TooManyChanges,
        FlushReason::Admin,
        FlushReason::ClosePreFlush,
        FlushReason::Close,
        FlushReason::Split,
        FlushReason::Merge,
        FlushReason::BulkLoad,
        FlushReason::Snapshot,
        FlushReason::TooManyWals,
        FlushReason::RecoveredEdits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FlushReason::MemstoreSize => "memstore_size",
            FlushReason::GlobalPressureLower => "global_pressure_lower",
            FlushReason::GlobalPressureUpper => "global_pressure_upper",
            FlushReason::Periodic => "periodic",
            FlushReason::TooManyChanges => "too_many_changes",
            FlushReason::Admin => "admin_flush",
            FlushReason::ClosePreFlush => "close_preflush",
            FlushReason::Close => "close",
            FlushReason::Split => "split",
            FlushReason::Merge => "merge",
            FlushReason::BulkLoad => "bulk_load",
            FlushReason::Snapshot => "snapshot",
            FlushReason::TooManyWals => "too_many_wals",
            FlushReason::RecoveredEdits => "recovered_edits",
        }
    }
}

/// Stores of a region by index, as a set (a table has at most 255 families).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreSet([u64; 4]);

impl StoreSet {
    pub fn insert(&mut self, store: usize) {
        self.0[store / 64] |= 1 << (store % 64);
    }

    pub fn contains(&self, store: usize) -> bool {
        self.0[store / 64] & (1 << (store % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }

    /// The stores, in index order.
    pub fn stores(&self) -> impl Iterator<Item = usize> + '_ {
        (0..256).filter(|&store| self.contains(store))
    }
}

/// Which stores a queued flush writes (the FlushRegionEntry's families, or 1.4's
/// forceFlushAllStores flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushStores {
    /// The region's flush policy chooses (families null: a memstore-size, periodic or
    /// global-pressure flush).
    Policy,
    /// Every store, the policy bypassed (1.4's forceFlushAllStores, an operator's flush).
    All,
    /// Exactly these stores, the policy bypassed (2.5's too-many-WALs flush of the families
    /// that pin the oldest WAL file).
    Only(StoreSet),
}

/// A region waiting in the flush queue (FlushRegionEntry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushRequest {
    pub region: RegionId,
    pub reason: FlushReason,
    /// The stores it flushes: the entry's own, whoever asks later while it is queued.
    pub stores: FlushStores,
    /// When the entry was created: the blocking-files wait is measured from here.
    pub created_at: SimTime,
    /// When it is due.
    pub due_at: SimTime,
    /// Times it was put off for too many store files.
    pub requeues: u32,
    /// When it entered the queue this time, for the queue's wait statistics.
    pub queued_at: SimTime,
    /// When it was first put off for too many store files.
    pub deferred_since: Option<SimTime>,
    /// HBASE-10499: the region's place in regionsInQueue is not this entry (another's, or none).
    pub orphan: bool,
}

impl FlushRequest {
    /// FlushRegionEntry.isDelay: due later than created.
    pub fn is_delayed(&self) -> bool {
        self.due_at > self.created_at
    }
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
    /// Entries by (due time, sequence of queueing): the DelayQueue.
    queue: BTreeMap<(SimTime, u64), FlushRequest>,
    /// regionsInQueue: each region's entry by its key, if it has one (in `queue`, or in `lost`).
    in_queue: Vec<Option<(SimTime, u64)>>,
    /// HBASE-10499: entries taken out of `queue` by another region's removal while their
    /// region kept its place in regionsInQueue.
    lost: BTreeMap<(SimTime, u64), FlushRequest>,
    /// HBASE-10499 is on: entries due in the same millisecond are equal.
    equal_by_delay: bool,
    next_sequence: u64,
    wakeup_pending: bool,
    pub handlers: Vec<HandlerState>,
    next_poll_generation: u64,
    /// Region entries in the queue over time.
    pub queue_length: LevelOverTime,
    /// Entries added to the queue (re-queued entries count again).
    pub enqueued: u64,
    /// Total time entries spent queued (nanoseconds), for entries that have left.
    wait_nanos: u128,
    /// Handlers flushing, over time.
    pub handlers_busy: LevelOverTime,
}

impl Flusher {
    /// `equal_by_delay`: HBASE-10499 switched on.
    pub fn new(handlers: u32, regions: usize, equal_by_delay: bool) -> Flusher {
        let mut flusher = Flusher {
            queue: BTreeMap::new(),
            in_queue: vec![None; regions],
            lost: BTreeMap::new(),
            equal_by_delay,
            next_sequence: 0,
            wakeup_pending: false,
            handlers: Vec::new(),
            next_poll_generation: 0,
            queue_length: LevelOverTime::default(),
            enqueued: 0,
            wait_nanos: 0,
            handlers_busy: LevelOverTime::default(),
        };
        for _ in 0..handlers {
            let generation = flusher.new_poll_generation();
            flusher.handlers.push(HandlerState::Idle {
                poll_generation: generation,
            });
        }
        flusher
    }

    /// The server died: the queue empties, the wake-up token goes and every handler is idle
    /// (with a fresh poll generation, so timeouts from before are stale).
    pub fn reset(&mut self, now: SimTime) {
        for request in std::mem::take(&mut self.queue).into_values() {
            self.wait_nanos += u128::from((now - request.queued_at).as_nanos());
        }
        for slot in &mut self.in_queue {
            *slot = None;
        }
        self.lost.clear();
        self.queue_length.set(now, 0);
        self.wakeup_pending = false;
        for handler in 0..self.handlers.len() {
            let generation = self.new_poll_generation();
            self.set_handler(
                now,
                handler,
                HandlerState::Idle {
                    poll_generation: generation,
                },
            );
        }
    }

    /// Makes room for a region created during the run (a daughter, a merged region).
    pub fn add_region(&mut self) {
        self.in_queue.push(None);
    }

    /// A fresh generation for an idle handler's poll timeout.
    pub fn new_poll_generation(&mut self) -> u64 {
        self.next_poll_generation += 1;
        self.next_poll_generation
    }

    /// Sets a handler's state, keeping the count of busy handlers.
    pub fn set_handler(&mut self, now: SimTime, handler: usize, state: HandlerState) {
        let was_busy = matches!(self.handlers[handler], HandlerState::Flushing(_));
        let is_busy = matches!(state, HandlerState::Flushing(_));
        self.handlers[handler] = state;
        if was_busy != is_busy {
            let busy = self.handlers_busy.level();
            self.handlers_busy
                .set(now, if is_busy { busy + 1 } else { busy - 1 });
        }
    }

    fn insert(&mut self, request: FlushRequest) {
        let key = (request.due_at, self.next_sequence);
        self.next_sequence += 1;
        let region = request.region as usize;
        if !request.orphan {
            assert!(
                self.in_queue[region].is_none(),
                "region {} is already in the flush queue",
                request.region
            );
            self.in_queue[region] = Some(key);
        }
        self.queue.insert(key, request);
        self.enqueued += 1;
        self.queue_length
            .set(request.queued_at, self.queue.len() as u64);
    }

    /// Takes the entry at `key` out of the queue, counting its wait.
    fn dequeue(&mut self, now: SimTime, key: (SimTime, u64)) -> FlushRequest {
        let request = self.queue.remove(&key).expect("a queued entry");
        self.wait_nanos += u128::from((now - request.queued_at).as_nanos());
        self.queue_length.set(now, self.queue.len() as u64);
        request
    }

    /// regionsInQueue.remove(region) then flushQueue.remove(its entry): the entry equal to the
    /// region's goes from the queue — its own, or with HBASE-10499 the earliest queued due in
    /// the same millisecond, which another region may then have lost.
    fn remove_equal(&mut self, now: SimTime, region: RegionId) {
        let Some(key) = self.in_queue[region as usize].take() else {
            return;
        };
        self.lost.remove(&key);
        let equal = if self.equal_by_delay {
            let millisecond = key.0.as_millis();
            self.queue
                .keys()
                .filter(|(due_at, _)| due_at.as_millis() == millisecond)
                .min_by_key(|(_, sequence)| *sequence)
                .copied()
        } else {
            Some(key)
        };
        let Some(equal) = equal else {
            return;
        };
        let request = self.dequeue(now, equal);
        if self.in_queue[request.region as usize] == Some(equal) {
            self.lost.insert(equal, request);
        }
    }

    /// The region's request, wherever it is (queued, or lost to HBASE-10499).
    fn entry(&self, key: (SimTime, u64)) -> &FlushRequest {
        self.queue
            .get(&key)
            .or_else(|| self.lost.get(&key))
            .expect("an indexed entry is queued or lost")
    }

    /// MemStoreFlusher.requestFlush: an immediate entry flushing `stores` unless the region
    /// has one (whose stores then stand). With `replace_delayed` (2.5), a delayed entry not yet
    /// due gives way to an immediate one.
    pub fn request(
        &mut self,
        region: RegionId,
        reason: FlushReason,
        stores: FlushStores,
        now: SimTime,
        replace_delayed: bool,
    ) -> bool {
        if let Some(key) = self.in_queue[region as usize] {
            let existing = self.entry(key);
            if !(replace_delayed && existing.is_delayed() && existing.due_at > now) {
                return false;
            }
            self.remove_equal(now, region);
        }
        self.insert(FlushRequest {
            region,
            reason,
            stores,
            created_at: now,
            due_at: now,
            requeues: 0,
            queued_at: now,
            deferred_since: None,
            orphan: false,
        });
        true
    }

    /// MemStoreFlusher.requestDelayedFlush: only if the region has no entry.
    pub fn request_delayed(
        &mut self,
        region: RegionId,
        reason: FlushReason,
        now: SimTime,
        delay: SimDuration,
    ) -> bool {
        if self.in_queue[region as usize].is_some() {
            return false;
        }
        self.insert(FlushRequest {
            region,
            reason,
            stores: FlushStores::Policy,
            created_at: now,
            due_at: now + delay,
            requeues: 1,
            queued_at: now,
            deferred_since: None,
            orphan: false,
        });
        true
    }

    /// Puts a taken entry back, due `delay` from now (FlushRegionEntry.requeue).
    pub fn requeue(&mut self, mut request: FlushRequest, now: SimTime, delay: SimDuration) {
        request.due_at = now + delay;
        request.requeues += 1;
        request.queued_at = now;
        self.insert(request);
    }

    /// A global-pressure flush of the region takes its entry out of the queue (flushRegion's
    /// emergency path), by equality: with HBASE-10499, maybe another region's entry.
    pub fn remove_for_emergency_flush(&mut self, region: RegionId, now: SimTime) {
        self.remove_equal(now, region);
    }

    /// The region closed: its own entry goes, wherever it is.
    pub fn remove(&mut self, region: RegionId, now: SimTime) {
        let Some(key) = self.in_queue[region as usize].take() else {
            return;
        };
        if self.lost.remove(&key).is_none() {
            self.dequeue(now, key);
        }
    }

    /// HBASE-10499: an orphan entry's region is flushed; flushRegion takes the region out of
    /// regionsInQueue, whatever entry it had there (a queued one becomes an orphan).
    pub fn forget(&mut self, region: RegionId) {
        if let Some(key) = self.in_queue[region as usize].take() {
            self.lost.remove(&key);
        }
    }

    /// wakeupFlushThread: posts the WAKEUP token unless one is pending.
    pub fn post_wakeup(&mut self) {
        self.wakeup_pending = true;
    }

    /// A poll timeout also clears the token, as HBase's handler loop does.
    pub fn clear_wakeup(&mut self) {
        self.wakeup_pending = false;
    }

    /// The first idle handler, if any.
    pub fn idle_handler(&self) -> Option<usize> {
        self.handlers
            .iter()
            .position(|state| matches!(state, HandlerState::Idle { .. }))
    }

    /// Takes the next piece of work for a handler: the token first, then the entry due first,
    /// if it is due.
    pub fn take_work(&mut self, now: SimTime) -> Option<FlusherWork> {
        if self.wakeup_pending {
            self.wakeup_pending = false;
            return Some(FlusherWork::GlobalPressureCheck);
        }
        let (&key, _) = self.queue.first_key_value()?;
        if key.0 > now {
            return None;
        }
        let mut request = self.dequeue(now, key);
        if self.in_queue[request.region as usize] == Some(key) {
            self.in_queue[request.region as usize] = None;
        } else {
            request.orphan = true;
        }
        Some(FlusherWork::Region(request))
    }

    /// When the earliest entry not yet due becomes due.
    pub fn next_due(&self, now: SimTime) -> Option<SimTime> {
        let (&(due_at, _), _) = self.queue.first_key_value()?;
        (due_at > now).then_some(due_at)
    }

    pub fn is_queued(&self, region: RegionId) -> bool {
        self.in_queue[region as usize].is_some()
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Total time entries spent queued up to `now`, counting those still queued.
    pub fn wait_nanos_until(&self, now: SimTime) -> u128 {
        let open: u128 = self
            .queue
            .values()
            .map(|request| u128::from(now.saturating_duration_since(request.queued_at).as_nanos()))
            .sum();
        self.wait_nanos + open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_millis(millis)
    }

    fn next_region(flusher: &mut Flusher, now: SimTime) -> Option<RegionId> {
        match flusher.take_work(now) {
            Some(FlusherWork::Region(request)) => Some(request.region),
            _ => None,
        }
    }

    // One entry per region; the token goes first; removal takes a region out of the queue.
    #[test]
    fn queue_rules() {
        let now = at(0);
        let mut flusher = Flusher::new(2, 4, false);
        assert!(flusher.request(2, FlushReason::MemstoreSize, FlushStores::Policy, now, true));
        assert!(!flusher.request(2, FlushReason::MemstoreSize, FlushStores::Policy, now, true));
        assert!(flusher.request(1, FlushReason::MemstoreSize, FlushStores::Policy, now, true));
        assert!(flusher.request(3, FlushReason::MemstoreSize, FlushStores::Policy, now, true));
        flusher.post_wakeup();
        flusher.post_wakeup();
        flusher.remove(1, now);
        assert_eq!(
            flusher.take_work(now),
            Some(FlusherWork::GlobalPressureCheck)
        );
        assert_eq!(next_region(&mut flusher, now), Some(2));
        assert_eq!(next_region(&mut flusher, now), Some(3));
        assert_eq!(next_region(&mut flusher, now), None);
        assert_eq!(flusher.queue_length.peak(), 3);
        assert_eq!(flusher.idle_handler(), Some(0));
    }

    // An entry keeps the stores it was queued with: a later request naming other stores is
    // dropped while it waits; in 2.5 a delayed periodic entry gives way to it, stores and all.
    #[test]
    fn an_entry_keeps_its_own_stores() {
        let mut only_cold = StoreSet::default();
        only_cold.insert(0);
        let mut flusher = Flusher::new(1, 2, false);
        assert!(flusher.request(
            0,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(0),
            true
        ));
        let wals = FlushStores::Only(only_cold);
        assert!(!flusher.request(0, FlushReason::TooManyWals, wals, at(0), true));
        let Some(FlusherWork::Region(request)) = flusher.take_work(at(0)) else {
            panic!("the entry is due")
        };
        assert_eq!(request.stores, FlushStores::Policy);
        assert!(flusher.request_delayed(
            1,
            FlushReason::Periodic,
            at(0),
            SimDuration::from_secs(9)
        ));
        assert!(!flusher.request(1, FlushReason::TooManyWals, FlushStores::All, at(1), false));
        assert!(flusher.request(1, FlushReason::TooManyWals, wals, at(1), true));
        let Some(FlusherWork::Region(request)) = flusher.take_work(at(1)) else {
            panic!("the replacing entry is due at once")
        };
        assert_eq!(
            (request.reason, request.stores),
            (FlushReason::TooManyWals, wals)
        );
        assert_eq!(only_cold.stores().collect::<Vec<_>>(), vec![0]);
    }

    // Delayed entries wait for their time; in 2.5 an immediate request replaces one not yet due,
    // in 1.4 it is dropped; a delayed request never replaces anything.
    #[test]
    fn delayed_entries() {
        let mut flusher = Flusher::new(1, 3, false);
        assert!(flusher.request_delayed(
            0,
            FlushReason::Periodic,
            at(0),
            SimDuration::from_secs(100)
        ));
        assert!(!flusher.request_delayed(
            0,
            FlushReason::Periodic,
            at(0),
            SimDuration::from_secs(5)
        ));
        assert_eq!(flusher.take_work(at(50)), None);
        assert_eq!(flusher.next_due(at(50)), Some(at(100_000)));
        assert!(!flusher.request(
            0,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(60),
            false
        ));
        assert!(flusher.request(
            0,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(60),
            true
        ));
        assert_eq!(next_region(&mut flusher, at(60)), Some(0));
        // A requeued entry keeps its creation time and comes back after its delay.
        assert!(flusher.request(
            1,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(60),
            true
        ));
        let Some(FlusherWork::Region(request)) = flusher.take_work(at(60)) else {
            panic!("the entry is due")
        };
        flusher.requeue(request, at(70), SimDuration::from_millis(900));
        assert_eq!(flusher.take_work(at(500)), None);
        let Some(FlusherWork::Region(again)) = flusher.take_work(at(970)) else {
            panic!("the entry is due again")
        };
        assert_eq!((again.created_at, again.requeues), (at(60), 1));
        // Queue time: 0 → 60 ms for region 0, 70 → 970 ms for region 1 (and 0 before).
        assert_eq!(flusher.wait_nanos_until(at(970)), 960 * 1_000_000);
    }

    // HBASE-10499: three regions request a flush in the same millisecond; a global-pressure
    // flush of the third takes the first's entry out instead of its own. The first keeps its
    // place in regionsInQueue with nothing queued: its requests are no-ops and it never comes
    // due; the third's own entry comes due as an orphan. A later global-pressure flush of the
    // first takes it out, and its requests work again. Without the bug the third's own entry
    // goes.
    #[test]
    fn hbase_10499_loses_another_regions_entry() {
        let now = at(5);
        let mut buggy = Flusher::new(1, 3, true);
        for region in 0..3 {
            assert!(buggy.request(
                region,
                FlushReason::TooManyWals,
                FlushStores::Policy,
                now,
                false
            ));
        }
        buggy.remove_for_emergency_flush(2, now);
        assert!(buggy.is_queued(0) && !buggy.is_queued(2));
        assert!(!buggy.request(
            0,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(6),
            false
        ));
        assert!(!buggy.request_delayed(0, FlushReason::Periodic, at(6), SimDuration::ZERO));
        assert_eq!(next_region(&mut buggy, at(6)), Some(1));
        let Some(FlusherWork::Region(orphan)) = buggy.take_work(at(6)) else {
            panic!("the third region's entry is still queued")
        };
        assert_eq!((orphan.region, orphan.orphan), (2, true));
        assert_eq!(buggy.take_work(at(1_000_000)), None);
        assert!(buggy.is_queued(0));
        buggy.remove_for_emergency_flush(0, at(7));
        assert!(!buggy.is_queued(0));
        assert!(buggy.request(
            0,
            FlushReason::MemstoreSize,
            FlushStores::Policy,
            at(8),
            false
        ));
        assert_eq!(next_region(&mut buggy, at(8)), Some(0));

        let mut fixed = Flusher::new(1, 3, false);
        for region in 0..3 {
            assert!(fixed.request(
                region,
                FlushReason::TooManyWals,
                FlushStores::Policy,
                now,
                false
            ));
        }
        fixed.remove_for_emergency_flush(2, now);
        assert_eq!(next_region(&mut fixed, now), Some(0));
        assert_eq!(next_region(&mut fixed, now), Some(1));
        assert_eq!(next_region(&mut fixed, now), None);
    }
}
