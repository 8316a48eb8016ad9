//! CompactSplit's compaction thread pools and their queues.
//!
//! Two pools, `hbase.regionserver.thread.compaction.large` and `.small` threads (1 each by
//! default). A request whose files are already selected goes to the large pool if its size is
//! above the throttle point (`hbase.regionserver.thread.compaction.throttle`), else to the small
//! one; a system request without a selection (after a flush) always starts in the small pool,
//! is selected when a thread takes it, and moves to the large pool if the selection turns out
//! large. The large pool's queue is a StealJobQueue: a large thread with nothing of its own
//! takes the small pool's next job ("the long pool can process small jobs"), never the reverse.
//! Both queues order by the runner's queued priority (lower first), then runners with a
//! selection before those without, then the request's priority and selection time; HBase breaks
//! remaining ties by identity hash, here by submission order, so runs are repeatable.
//! Selection and the store's "under compaction" mark are the caller's.

use std::collections::BTreeMap;

use crate::model::region::hregion::RegionId;
use crate::sim::SimTime;

/// One of the two pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pool {
    Small,
    Large,
}

/// A request's selected files, with what orders it.
#[derive(Debug, Clone)]
pub struct Selected<S> {
    pub selection: S,
    pub priority: i32,
    pub selected_at: SimTime,
}

/// A CompactionRunner: a store to compact, with or without its files selected.
#[derive(Debug, Clone)]
pub struct Runner<S> {
    pub region: RegionId,
    pub store: usize,
    /// The store's compaction priority when queued (the request's, if selected).
    pub queued_priority: i32,
    pub selected: Option<Selected<S>>,
    /// The pool it was handed to (CompactionRunner.parent), which a re-enqueue goes back to.
    pub parent: Pool,
}

/// Queue order: (queued priority, without selection, request priority, selected at, submission).
type QueueKey = (i32, bool, i32, SimTime, u64);

fn queue_key<S>(runner: &Runner<S>, submission: u64) -> QueueKey {
    match &runner.selected {
        Some(selected) => (
            runner.queued_priority,
            false,
            selected.priority,
            selected.selected_at,
            submission,
        ),
        None => (runner.queued_priority, true, 0, SimTime::ZERO, submission),
    }
}

/// The two pools: their idle threads and queued runners.
#[derive(Debug, Clone)]
pub struct CompactSplit<S> {
    idle: BTreeMap<Pool, usize>,
    queues: BTreeMap<Pool, BTreeMap<QueueKey, Runner<S>>>,
    submissions: u64,
}

/// The pool a selection of `bytes` runs in (HStore.throttleCompaction): the large one above
/// the store's throttle point (`hbase.regionserver.thread.compaction.throttle`).
pub fn pool_for(bytes: u64, throttle_point: u64) -> Pool {
    if bytes > throttle_point {
        Pool::Large
    } else {
        Pool::Small
    }
}

impl<S> CompactSplit<S> {
    pub fn new(small_threads: usize, large_threads: usize) -> CompactSplit<S> {
        CompactSplit {
            idle: BTreeMap::from([(Pool::Small, small_threads), (Pool::Large, large_threads)]),
            queues: BTreeMap::from([
                (Pool::Small, BTreeMap::new()),
                (Pool::Large, BTreeMap::new()),
            ]),
            submissions: 0,
        }
    }

    /// Runners waiting in both queues.
    pub fn queued(&self) -> usize {
        self.queues.values().map(BTreeMap::len).sum()
    }

    /// Hands a runner to `pool`. If a thread can take it now (an idle thread of the pool, or for
    /// the small pool an idle large thread stealing), returns the thread's pool and the runner;
    /// otherwise it waits in the pool's queue.
    pub fn submit(&mut self, pool: Pool, mut runner: Runner<S>) -> Option<(Pool, Runner<S>)> {
        runner.parent = pool;
        let thread = [pool, Pool::Large]
            .into_iter()
            .find(|&thread| self.idle[&thread] > 0 && (thread == pool || pool == Pool::Small));
        if let Some(thread) = thread {
            *self.idle.get_mut(&thread).expect("both pools exist") -= 1;
            return Some((thread, runner));
        }
        let key = queue_key(&runner, self.submissions);
        self.submissions += 1;
        self.queues
            .get_mut(&pool)
            .expect("both pools exist")
            .insert(key, runner);
        None
    }

    /// A thread of `thread_pool` finished its runner: it takes the next one it may run (a large
    /// thread its own queue first, then the small queue), or goes idle.
    pub fn next_for(&mut self, thread_pool: Pool) -> Option<Runner<S>> {
        let sources: &[Pool] = match thread_pool {
            Pool::Large => &[Pool::Large, Pool::Small],
            Pool::Small => &[Pool::Small],
        };
        for source in sources {
            if let Some((_, runner)) = self
                .queues
                .get_mut(source)
                .expect("both pools exist")
                .pop_first()
            {
                return Some(runner);
            }
        }
        *self.idle.get_mut(&thread_pool).expect("both pools exist") += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(region: RegionId, priority: i32) -> Runner<u32> {
        Runner {
            region,
            store: 0,
            queued_priority: priority,
            selected: None,
            parent: Pool::Small,
        }
    }

    // One thread per pool: the first two requests run at once (the large thread steals the
    // second small one); later ones queue by priority, lower first, then in submission order.
    #[test]
    fn idle_threads_take_work_and_queues_order_by_priority() {
        let mut pools: CompactSplit<u32> = CompactSplit::new(1, 1);
        assert_eq!(
            pools.submit(Pool::Small, runner(0, 5)).unwrap().0,
            Pool::Small
        );
        assert_eq!(
            pools.submit(Pool::Small, runner(1, 5)).unwrap().0,
            Pool::Large
        );
        assert!(pools.submit(Pool::Small, runner(2, 7)).is_none());
        assert!(pools.submit(Pool::Small, runner(3, 2)).is_none());
        assert!(pools.submit(Pool::Small, runner(4, 2)).is_none());
        assert_eq!(pools.queued(), 3);
        assert_eq!(pools.next_for(Pool::Small).unwrap().region, 3);
        assert_eq!(pools.next_for(Pool::Large).unwrap().region, 4);
        assert_eq!(pools.next_for(Pool::Small).unwrap().region, 2);
        assert!(pools.next_for(Pool::Small).is_none());
        assert!(pools.next_for(Pool::Large).is_none());
    }

    // A small thread never takes a large job; a large thread prefers its own queue.
    #[test]
    fn small_threads_never_take_large_jobs() {
        let mut pools: CompactSplit<u32> = CompactSplit::new(1, 1);
        assert_eq!(pool_for(101, 100), Pool::Large);
        assert_eq!(pool_for(100, 100), Pool::Small);
        pools.submit(Pool::Large, runner(0, 1)).unwrap();
        assert!(pools.submit(Pool::Large, runner(1, 1)).is_none());
        assert!(pools.submit(Pool::Small, runner(2, -5)).is_some());
        assert!(pools.submit(Pool::Small, runner(3, -5)).is_none());
        assert_eq!(pools.next_for(Pool::Small).unwrap().region, 3);
        assert!(pools.next_for(Pool::Small).is_none());
        assert_eq!(pools.next_for(Pool::Large).unwrap().region, 1);
    }

    // With equal queued priority a selected runner goes first, then by request priority.
    #[test]
    fn selected_runners_come_first_at_equal_priority() {
        let mut pools: CompactSplit<u32> = CompactSplit::new(1, 1);
        pools.submit(Pool::Small, runner(0, 0)).unwrap();
        pools.submit(Pool::Small, runner(1, 0)).unwrap();
        assert!(pools.submit(Pool::Small, runner(2, 3)).is_none());
        let mut selected = runner(3, 3);
        selected.selected = Some(Selected {
            selection: 9,
            priority: 3,
            selected_at: SimTime::ZERO,
        });
        assert!(pools.submit(Pool::Small, selected).is_none());
        assert_eq!(pools.next_for(Pool::Small).unwrap().region, 3);
    }
}
