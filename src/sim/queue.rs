//! The event queue: a priority queue with a total order — by time, then by insertion sequence.
//!
//! Two events due at the same instant come out in the order they were scheduled, whatever
//! the heap's internal layout, so a run is a pure function of its inputs. The queue also keeps
//! the simulation clock: `pop` advances `now`, and scheduling into the past is a programmer
//! error. Cancellation is left to the caller (a generation number in the event, checked when
//! it fires), which keeps the heap simple and fast.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::{SimDuration, SimTime};

/// A scheduled event; ordered so that `BinaryHeap` (a max-heap) yields the earliest first.
#[derive(Debug)]
struct Entry<E> {
    time: SimTime,
    sequence: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.sequence == other.sequence
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the smallest (time, sequence) is the heap's maximum.
        (other.time, other.sequence).cmp(&(self.time, self.sequence))
    }
}

/// The pending events of one simulation and its clock.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now: SimTime,
    next_sequence: u64,
    length_peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            now: SimTime::ZERO,
            next_sequence: 0,
            length_peak: 0,
        }
    }

    /// The time of the event popped last (the simulation clock).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `time`, which must not be in the past.
    pub fn schedule_at(&mut self, time: SimTime, event: E) {
        assert!(
            time >= self.now,
            "event scheduled in the past: {time} < {}",
            self.now
        );
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.heap.push(Entry {
            time,
            sequence,
            event,
        });
        self.length_peak = self.length_peak.max(self.heap.len());
    }

    /// Schedules `event` after `delay` from now; a delay past the clock's end (a transfer too
    /// long for it) schedules it at `SimTime::MAX`, which no run reaches.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.schedule_at(self.now.saturating_add(delay), event);
    }

    /// Removes the earliest event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.heap.pop()?;
        debug_assert!(entry.time >= self.now);
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// Drops the pending events `keep` refuses; the others keep their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|entry| keep(&entry.event));
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|entry| entry.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The most events ever pending at once: memory use follows this, not the run length.
    pub fn length_peak(&self) -> usize {
        self.length_peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Events due at the same instant leave in insertion order, whatever else is queued.
    #[test]
    fn same_time_events_leave_in_insertion_order() {
        let mut queue = EventQueue::new();
        let t = SimTime::from_nanos(10);
        queue.schedule_at(SimTime::from_nanos(20), 100);
        for i in 0..50 {
            queue.schedule_at(t, i);
        }
        queue.schedule_at(SimTime::from_nanos(5), -1);
        let order: Vec<i32> = std::iter::from_fn(|| queue.pop().map(|(_, e)| e)).collect();
        let mut expected = vec![-1];
        expected.extend(0..50);
        expected.push(100);
        assert_eq!(order, expected);
    }

    #[test]
    fn pop_advances_the_clock() {
        let mut queue = EventQueue::new();
        queue.schedule_in(SimDuration::from_millis(3), "a");
        assert_eq!(queue.now(), SimTime::ZERO);
        assert_eq!(queue.pop(), Some((SimTime::from_nanos(3_000_000), "a")));
        assert_eq!(queue.now(), SimTime::from_nanos(3_000_000));
        assert!(queue.pop().is_none());
    }

    #[test]
    #[should_panic(expected = "event scheduled in the past")]
    fn scheduling_into_the_past_panics() {
        let mut queue = EventQueue::new();
        queue.schedule_at(SimTime::from_nanos(10), ());
        queue.pop();
        queue.schedule_at(SimTime::from_nanos(9), ());
    }

    proptest! {
        // For any schedule, the output is sorted by (time, insertion index): the total order.
        #[test]
        fn output_is_sorted_by_time_then_insertion(times in proptest::collection::vec(0u64..20, 0..200)) {
            let mut queue = EventQueue::new();
            for (index, &time) in times.iter().enumerate() {
                queue.schedule_at(SimTime::from_nanos(time), index);
            }
            let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
            expected.sort();
            let output: Vec<(u64, usize)> =
                std::iter::from_fn(|| queue.pop().map(|(t, e)| (t.as_nanos(), e))).collect();
            prop_assert_eq!(output, expected);
        }
    }
}
