//! The write-ahead log as the write path sees it: appends, and syncs that acknowledge every
//! writer appended before them (group commit), several in flight at once.
//!
//! 2.5's AsyncFSWAL: the consumer thread takes every append published so far and, once the
//! ring buffer is drained and a writer has asked for a sync, issues one sync for all unsynced
//! data — without waiting for syncs already in flight (the fan-out output pipelines them). It
//! also syncs on its own once `hbase.wal.batch.size` bytes are unsynced. 1.4's FSHLog hands sync
//! requests to `hbase.regionserver.hlog.syncer.count` SyncRunner threads; each syncs everything
//! appended so far, so at most that many syncs are in flight and later requests gather behind
//! them. Here a sync covers the appends made while one event was processed (the consumer runs
//! after them), and the caller draws its own time from the `[io]` distribution: the round trip
//! of its last packet, as if it were alone.
//!
//! Syncs complete in order, and cumulatively: a sync is done when its own time is up *and* every
//! earlier sync is done, so one slow sync holds up every later one. HDFS acknowledges a stream's
//! packets in order: AsyncFSWAL's FanOutOneBlockAsyncDFSOutput completes flush futures in order,
//! and finishSync releases every future up to the done txid; FSHLog's SyncRunners each hflush,
//! and an hflush returns once its own last packet is acknowledged, which comes after every
//! earlier packet's. So the stated distribution is each sync's own time, and a writer waits for
//! the slowest sync before its own.
//! An ASYNC_WAL edit is appended without waiting and becomes durable with the next sync.
//!
//! A flush waits for syncs too (HRegion's flush markers: a full sync after START_FLUSH, and
//! COMMIT_FLUSH's own), for the first sync that starts after it asks and completes. A sync that
//! fails or is abandoned leaves its flushes waiting for the next: AsyncFSWAL's waiters do wait
//! through a failure (the entries are written again after the roll), but FSHLog fails the sync
//! and HBase then fails the flush (START_FLUSH) or aborts the server (COMMIT_FLUSH), which is not
//! modelled.
//!
//! The bytes a sync writes also go through the shared HDFS write bandwidth (the server waits for
//! both its latency and its bytes): each entry's length as HBase's writer counts it, from the
//! entry the server appended to its WAL file (`wal::files`, `server/wal_writing`).

use std::collections::BTreeMap;

use crate::model::region::hregion::FlushId;
use crate::model::rpc::CallId;
use crate::sim::{SimDuration, SimTime};

/// A sync in flight and the writers it will acknowledge.
#[derive(Debug, Clone)]
struct SyncInFlight {
    waiters: Vec<CallId>,
    flushes: Vec<FlushId>,
    appends: u64,
    /// Its own time is up; it completes once every earlier sync has.
    own_time_done: bool,
}

/// The server's single WAL (one per RegionServer with the default provider).
#[derive(Debug, Clone)]
pub struct Wal {
    /// Syncs that may be in flight at once (unbounded for AsyncFSWAL).
    syncs_in_flight_max: usize,
    /// Writers whose edit is appended and not yet covered by a started sync.
    waiting: Vec<CallId>,
    /// Flushes waiting for a sync that has not started yet.
    flushes_waiting: Vec<FlushId>,
    /// Flushes whose sync completed, for the caller to take.
    flushes_synced: Vec<FlushId>,
    /// Appends since the last sync started (including ASYNC_WAL ones).
    appends_unsynced: u64,
    bytes_unsynced: u64,
    /// By id, which is start order.
    in_flight: BTreeMap<u64, SyncInFlight>,
    next_sync_id: u64,
    pub appends: u64,
    pub syncs: u64,
    pub bytes: u64,
    /// Appends covered by completed syncs, for appends-per-sync.
    pub appends_synced: u64,
    pub syncs_in_flight_peak: usize,
    pub sync_failures: u64,
}

impl Wal {
    pub fn new(syncs_in_flight_max: usize) -> Wal {
        Wal {
            syncs_in_flight_max: syncs_in_flight_max.max(1),
            waiting: Vec::new(),
            flushes_waiting: Vec::new(),
            flushes_synced: Vec::new(),
            appends_unsynced: 0,
            bytes_unsynced: 0,
            in_flight: BTreeMap::new(),
            next_sync_id: 0,
            appends: 0,
            syncs: 0,
            bytes: 0,
            appends_synced: 0,
            syncs_in_flight_peak: 0,
            sync_failures: 0,
        }
    }

    /// Appends an edit of `bytes`; `waiter` waits for the sync that covers it.
    pub fn append(&mut self, bytes: u64, waiter: Option<CallId>) {
        self.appends += 1;
        self.bytes += bytes;
        self.appends_unsynced += 1;
        self.bytes_unsynced += bytes;
        if let Some(call) = waiter {
            self.waiting.push(call);
        }
    }

    /// A flush waits for the next sync (wal.sync()).
    pub fn wait_for_sync(&mut self, flush: FlushId) {
        self.flushes_waiting.push(flush);
    }

    /// The flushes whose sync completed since last asked.
    pub fn take_synced_flushes(&mut self) -> Vec<FlushId> {
        std::mem::take(&mut self.flushes_synced)
    }

    /// Whether a sync should start now: a writer or a flush is waiting (or, for AsyncFSWAL, at
    /// least `batch_bytes` are unsynced) and fewer than the maximum syncs are in flight.
    pub fn wants_sync(&self, batch_bytes: Option<u64>) -> bool {
        self.in_flight.len() < self.syncs_in_flight_max
            && (!self.waiting.is_empty()
                || !self.flushes_waiting.is_empty()
                || batch_bytes.is_some_and(|batch| batch > 0 && self.bytes_unsynced >= batch))
    }

    /// Starts a sync covering every append so far; its latency part ends after `latency`.
    /// Returns its id, when that part ends, and the bytes it writes.
    pub fn start_sync(&mut self, now: SimTime, latency: SimDuration) -> (u64, SimTime, u64) {
        assert!(
            self.in_flight.len() < self.syncs_in_flight_max,
            "too many WAL syncs in flight"
        );
        let id = self.next_sync_id;
        self.next_sync_id += 1;
        self.in_flight.insert(
            id,
            SyncInFlight {
                waiters: std::mem::take(&mut self.waiting),
                flushes: std::mem::take(&mut self.flushes_waiting),
                appends: self.appends_unsynced,
                own_time_done: false,
            },
        );
        self.syncs_in_flight_peak = self.syncs_in_flight_peak.max(self.in_flight.len());
        let bytes = std::mem::take(&mut self.bytes_unsynced);
        self.appends_unsynced = 0;
        (id, now + latency, bytes)
    }

    /// The appends sync `id` covers (0 once it ended).
    pub fn appends_of(&self, id: u64) -> u64 {
        self.in_flight.get(&id).map_or(0, |sync| sync.appends)
    }

    /// Sync `id`'s own time is up (its latency and its bytes); it is ignored if the sync was
    /// abandoned.
    pub fn own_time_done(&mut self, id: u64) {
        if let Some(sync) = self.in_flight.get_mut(&id) {
            sync.own_time_done = true;
        }
    }

    /// The sync that completes next, if it can now: the oldest in flight, once its own time is
    /// up (so syncs complete in start order).
    pub fn next_in_order(&self) -> Option<u64> {
        let (&id, sync) = self.in_flight.first_key_value()?;
        sync.own_time_done.then_some(id)
    }

    /// Ends sync `id`, completed or (an injected fault) failed; returns its writers (its
    /// flushes go to `take_synced_flushes`, or back to waiting if it failed). `None` if the sync
    /// was abandoned (a failure broke the writer it was on).
    pub fn end_sync(&mut self, id: u64, failed: bool) -> Option<Vec<CallId>> {
        let mut sync = self.in_flight.remove(&id)?;
        if failed {
            self.sync_failures += 1;
            self.flushes_waiting.append(&mut sync.flushes);
        } else {
            self.syncs += 1;
            self.appends_synced += sync.appends;
            self.flushes_synced.append(&mut sync.flushes);
        }
        Some(sync.waiters)
    }

    pub fn syncs_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The server died: nothing waits and nothing is in flight any more; the counts stay.
    pub fn reset(&mut self) {
        self.waiting.clear();
        self.flushes_waiting.clear();
        self.flushes_synced.clear();
        self.appends_unsynced = 0;
        self.bytes_unsynced = 0;
        self.in_flight.clear();
    }

    /// The syncs in flight, in start order.
    pub fn in_flight_ids(&self) -> Vec<u64> {
        self.in_flight.keys().copied().collect()
    }

    /// Whether sync `id` is still in flight (not abandoned).
    pub fn is_in_flight(&self, id: u64) -> bool {
        self.in_flight.contains_key(&id)
    }

    /// The writer broke: every other sync in flight is abandoned; returns their writers (their
    /// flushes wait for the next sync).
    pub fn abandon_in_flight(&mut self) -> Vec<CallId> {
        let mut writers = Vec::new();
        for (_, mut sync) in std::mem::take(&mut self.in_flight) {
            writers.append(&mut sync.waiters);
            self.flushes_waiting.append(&mut sync.flushes);
        }
        writers
    }

    /// AsyncFSWAL puts unacknowledged entries back to be written again after the roll: their
    /// writers wait for the next sync, ahead of newer ones.
    pub fn requeue(&mut self, mut writers: Vec<CallId>) {
        self.appends_unsynced += writers.len() as u64;
        writers.append(&mut self.waiting);
        self.waiting = writers;
    }

    /// Writers waiting for a sync not started yet (taken, as FSHLog fails them during a roll).
    pub fn take_waiting(&mut self) -> Vec<CallId> {
        self.appends_unsynced = 0;
        self.bytes_unsynced = 0;
        std::mem::take(&mut self.waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> SimDuration {
        SimDuration::from_millis(millis)
    }

    // Appends gathered before a sync starts share it; with one sync allowed in flight (FSHLog
    // with one syncer), later appends wait for the next one, which covers them all.
    #[test]
    fn group_commit_with_one_sync_in_flight() {
        let t = SimTime::ZERO;
        let mut wal = Wal::new(1);
        wal.append(100, Some(1));
        wal.append(100, Some(2));
        assert!(wal.wants_sync(None));
        let (first, _, _) = wal.start_sync(t, ms(2));
        wal.append(100, Some(3));
        wal.append(100, None);
        wal.append(100, Some(4));
        assert!(!wal.wants_sync(None));
        assert_eq!(wal.end_sync(first, false).unwrap(), vec![1, 2]);
        assert!(wal.wants_sync(None));
        let (second, _, _) = wal.start_sync(t, ms(2));
        assert_eq!(wal.end_sync(second, false).unwrap(), vec![3, 4]);
        assert_eq!(
            (wal.appends, wal.syncs, wal.appends_synced, wal.bytes),
            (5, 2, 5, 500)
        );
        assert!(!wal.wants_sync(None));
    }

    // Syncs in flight together complete in start order: a fast sync behind a slow one waits
    // for it, and both complete when the slow one's time is up (HDFS's in-order acks).
    #[test]
    fn a_slow_sync_holds_up_the_later_ones() {
        let t = SimTime::ZERO;
        let mut wal = Wal::new(usize::MAX);
        wal.append(100, Some(1));
        let (slow, slow_done, _) = wal.start_sync(t, ms(10));
        wal.append(100, Some(2));
        let (fast, fast_done, _) = wal.start_sync(t + ms(1), ms(2));
        assert_eq!((slow_done, fast_done), (t + ms(10), t + ms(3)));
        assert_eq!(wal.syncs_in_flight_peak, 2);
        wal.own_time_done(fast);
        assert_eq!(wal.next_in_order(), None);
        wal.own_time_done(slow);
        assert_eq!(wal.next_in_order(), Some(slow));
        assert_eq!(wal.end_sync(slow, false).unwrap(), vec![1]);
        assert_eq!(wal.next_in_order(), Some(fast));
        assert_eq!(wal.end_sync(fast, false).unwrap(), vec![2]);
        assert_eq!(wal.next_in_order(), None);
        assert_eq!(wal.syncs, 2);
    }

    // A failure breaks the writer: the other syncs in flight are abandoned (their writers
    // returned to the caller), and requeued writers go ahead of newer ones.
    #[test]
    fn failures_abandon_and_requeue() {
        let t = SimTime::ZERO;
        let mut wal = Wal::new(usize::MAX);
        wal.append(100, Some(1));
        let (first, _, _) = wal.start_sync(t, ms(2));
        wal.append(100, Some(2));
        let (second, _, _) = wal.start_sync(t, ms(2));
        wal.append(100, Some(3));
        assert_eq!(wal.end_sync(first, true), Some(vec![1]));
        assert_eq!(wal.abandon_in_flight(), vec![2]);
        assert!(!wal.is_in_flight(second));
        assert_eq!(wal.end_sync(second, false), None);
        wal.requeue(vec![1, 2]);
        let (third, _, _) = wal.start_sync(t, ms(2));
        assert_eq!(wal.end_sync(third, false), Some(vec![1, 2, 3]));
        assert_eq!((wal.syncs, wal.sync_failures), (1, 1));
    }

    // A flush waiting for a sync makes one start, and is released with it; if that sync fails
    // it waits for the next.
    #[test]
    fn flushes_wait_for_the_next_sync() {
        let t = SimTime::ZERO;
        let mut wal = Wal::new(usize::MAX);
        wal.append(0, None);
        assert!(!wal.wants_sync(None));
        wal.wait_for_sync(7);
        assert!(wal.wants_sync(None));
        let (first, _, _) = wal.start_sync(t, ms(1));
        assert_eq!(wal.end_sync(first, true), Some(vec![]));
        assert!(wal.take_synced_flushes().is_empty());
        assert!(wal.wants_sync(None));
        let (second, _, _) = wal.start_sync(t, ms(1));
        assert_eq!(wal.end_sync(second, false), Some(vec![]));
        assert_eq!(wal.take_synced_flushes(), vec![7]);
    }

    // AsyncFSWAL syncs unasked once hbase.wal.batch.size bytes are unsynced.
    #[test]
    fn async_appends_sync_at_the_batch_size() {
        let mut wal = Wal::new(usize::MAX);
        wal.append(40_000, None);
        assert!(!wal.wants_sync(Some(65_536)));
        wal.append(40_000, None);
        assert!(wal.wants_sync(Some(65_536)));
        assert!(!wal.wants_sync(None));
    }
}
