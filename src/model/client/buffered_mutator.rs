//! HBase's BufferedMutator and the AsyncProcess under it: the write buffer, the threads that
//! flush it, and SimpleRequestController's task limits that decide which buffered rows a submit
//! may take. Pure state: `server::mutating` owns time, the RPCs and the wake-ups.
//!
//! What it follows (BufferedMutatorImpl, AsyncProcess, SimpleRequestController; 1.4.13 and
//! branch-2.5):
//! - `mutate` adds each mutation's heap size (`Mutation.heapSize`, the client JVM's estimate) to
//!   the buffer and to the count of mutations no flusher has taken (`undealtMutationCount`);
//!   when the buffer then holds more than `hbase.client.write.buffer` (strictly) the calling
//!   thread flushes.
//! - A flush takes an access to the mutations undealt so far (`QueueRowAccess`: a count, polled
//!   from the head of the one shared queue) and submits with AT_LEAST_ONE: a pass over the
//!   access's rows asks the checkers of each row in turn — TaskCountChecker (a region already in
//!   this pass: take; the region's tasks ≥ `max.perregion.tasks`: skip; tasks in progress plus
//!   this pass's servers > `max.total.tasks`: skip; the server's tasks ≥ `max.perserver.tasks`:
//!   skip), the request's heap size (`max.perrequest.heapsize`, the first row always fits), its
//!   rows (2.5: `max.perrequest.rows`), and the submit's heap size (once it reaches
//!   `max.submit.heapsize`, the pass ends). A skipped row goes back to the queue's tail; rows
//!   the access did not take return to the undealt count when it closes.
//! - A pass that takes nothing waits for a task to finish (decTaskCounters' notifyAll) or for
//!   waitForRegion's one second, and passes again; the thread stays in `mutate` meanwhile.
//! - The rows a pass took are one task: one multi request to the one server, its rows grouped
//!   by region. A task counts against the limits from when it is sent until its runnable ends;
//!   a retry is a new task, sent without looking at the limits.
//! - 2.5 (HBASE-19680): the flushing thread waits until its submit is done, retries included,
//!   then flushes again while the buffer is still over the limit. 1.4: it returns once a pass
//!   has submitted, passing again while the buffer is over the limit.
//! - 2.5's periodic flush: a timer every `periodicflush.timertick.ms` flushes everything once
//!   the buffer's first mutation is `periodicflush.timeout.ms` old (off by default).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::metrics::LevelOverTime;
use crate::model::client::request::Mutation;
use crate::model::region::hregion::RegionId;
use crate::model::store::cell::ObjectLayout;
use crate::sim::{SimDuration, SimTime};

/// The BufferedMutator's and AsyncProcess's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutatorLimits {
    /// `hbase.client.write.buffer`.
    pub write_buffer: u64,
    /// `hbase.client.max.total.tasks`, `max.perserver.tasks`, `max.perregion.tasks`.
    pub total_tasks: u32,
    pub server_tasks: u32,
    pub region_tasks: u32,
    /// `hbase.client.max.perrequest.heapsize`, `max.submit.heapsize`.
    pub request_heap: u64,
    pub submit_heap: u64,
    /// `hbase.client.max.perrequest.rows` (2.5 only).
    pub request_rows: Option<u64>,
    /// 2.5's periodic flush: the first mutation's age that triggers it, and the timer's tick.
    pub periodic_flush: Option<(SimDuration, SimDuration)>,
    /// 2.5: a flushing thread waits until its submit is done; 1.4 returns once it is sent.
    pub flush_waits: bool,
    /// HConstants.DEFAULT_HBASE_CLIENT_RETRIES_NUMBER, compiled in (15 in 2.5, 31 in 1.4): a
    /// retry whose attempt number is a multiple of it goes to the pool, every other retry runs
    /// on the failed task's own thread (AsyncRequestFutureImpl.sendMultiAction).
    pub retries_constant: u32,
}

/// The heap size of a Put, Delete, Increment or Append as the client estimates it
/// (Mutation.heapSize, the same in 1.4 and 2.5): MUTATION_OVERHEAD, the row array, the family
/// map's entries, and per family its name array, its cell list and each KeyValue
/// (`align(FIXED_OVERHEAD) + align(ARRAY + length)`, the cell on an array of its own). No
/// attributes are set. The client JVM is taken to run with compressed oops (a heap below 32GB).
pub fn mutation_heap_bytes(row_bytes: u64, families: &[(u64, &[u64])]) -> u64 {
    let layout = ObjectLayout::COMPRESSED_OOPS;
    let (reference, object, array) = (
        layout.reference_bytes,
        layout.object_bytes,
        layout.array_bytes,
    );
    let tree_map = align8(object + 2 * 4 + 7 * reference);
    let integer = align8(object + 4);
    let overhead = align8(object + 2 * reference + 8 + reference + reference + tree_map + integer);
    let map_entry = align8(object + 5 * reference + 1);
    let array_list = align8(object + reference + 2 * 4) + align8(array);
    let key_value = align8(object + reference + 2 * 4 + 8);
    let mut heap = overhead + align8(array + row_bytes) + align8(families.len() as u64 * map_entry);
    for (family_bytes, cells) in families {
        heap += align8(array + family_bytes)
            + array_list
            + align8(array + cells.len() as u64 * reference);
        heap += cells
            .iter()
            .map(|&length| key_value + align8(array + length))
            .sum::<u64>();
    }
    align8(heap)
}

fn align8(bytes: u64) -> u64 {
    bytes.div_ceil(8) * 8
}

/// One buffered mutation.
#[derive(Debug, Clone, Copy)]
pub struct BufferedRow {
    /// The operation (one `mutate` call) it belongs to.
    pub operation: u32,
    pub mutation: Mutation,
    pub row: u64,
    pub value_bytes: u32,
    pub heap: u64,
}

/// Who is flushing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    /// An application thread inside `mutate`: an open-loop thread, or a closed-loop client slot.
    Application { slot: Option<u32> },
    /// 2.5's periodic-flush timer.
    Timer,
    /// The application closing the mutator at the workload's end.
    Close,
}

/// Where a flushing thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushingState {
    /// About to look at the buffer (and take an access).
    Ready,
    /// Holding an access to `remainder` rows; its last pass took nothing, so it waits for a task
    /// to finish (or the one-second rescan) before passing again.
    Blocked { remainder: u64, since: SimTime },
    /// Waiting for its submit to be done (2.5).
    Waiting,
    /// 1.4's flush: everything submitted, waiting for every task of the mutator to end.
    Draining,
}

/// A thread flushing the buffer.
#[derive(Debug, Clone, Copy)]
pub struct FlushingThread {
    pub thread: ThreadKind,
    /// `flush()` or `close()`: send everything, not only down to the limit.
    pub flush_all: bool,
    pub state: FlushingState,
}

/// One `mutate` call's mutations, answered when the last of them is.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub kind: crate::scenario::workload::OpKind,
    pub due: SimTime,
    pub rows_left: u32,
    pub rows: u32,
    /// The error of a row that failed for good, if one did.
    pub failed: Option<crate::model::client::request::ServerError>,
}

/// A workload's BufferedMutator at the end of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct MutatorAtEnd {
    pub workload: String,
    pub limits: MutatorLimits,
    /// Submits sent (first attempts), and the rows they carried.
    pub submits: u64,
    pub rows_submitted: u64,
    /// Tasks in progress: the most at once, and time-averaged.
    pub tasks_peak: u64,
    pub tasks_mean: f64,
    /// The most heap bytes buffered at once, and rows still buffered at the end.
    pub buffered_peak: u64,
    pub rows_buffered_at_end: u64,
    /// Passes that took nothing, and the time threads waited on the limits.
    pub blocked_passes: u64,
    pub blocked_nanos: u128,
    pub periodic_flushes: u64,
}

/// A workload's BufferedMutator and its AsyncProcess's task counters.
#[derive(Debug, Clone)]
pub struct BufferedMutator {
    pub limits: MutatorLimits,
    buffer: VecDeque<BufferedRow>,
    /// The buffer's heap size (currentWriteBufferSize): rows not yet submitted.
    pub buffered_heap: u64,
    /// Mutations no access holds (undealtMutationCount).
    undealt: u64,
    /// When the buffer last went from empty to not (firstRecordInBufferTimestamp).
    pub first_record_at: SimTime,
    /// Tasks in progress: all, to the server, per region.
    pub tasks: u32,
    region_tasks: BTreeMap<RegionId, u32>,
    pub flushers: crate::sim::Slab<FlushingThread>,
    /// Flushers waiting for a task to end, in the order they began to wait.
    pub blocked: VecDeque<u32>,
    pub operations: crate::sim::Slab<Operation>,
    /// The periodic timer's thread is flushing, and a tick came meanwhile (it runs after).
    pub timer_busy: bool,
    pub timer_due: bool,
    /// Tasks in progress over time, and the most bytes buffered.
    pub tasks_level: LevelOverTime,
    pub buffered_peak: u64,
    /// Submits sent (first attempts) and the rows they carried.
    pub submits: u64,
    pub rows_submitted: u64,
    /// Passes that took nothing, and the time threads spent blocked by the limits.
    pub blocked_passes: u64,
    pub blocked_nanos: u128,
    pub periodic_flushes: u64,
    /// Operations and their heap size added over the run.
    operations_added: u64,
    heap_added: u128,
}

impl BufferedMutator {
    pub fn new(limits: MutatorLimits) -> BufferedMutator {
        BufferedMutator {
            limits,
            buffer: VecDeque::new(),
            buffered_heap: 0,
            undealt: 0,
            first_record_at: SimTime::ZERO,
            tasks: 0,
            region_tasks: BTreeMap::new(),
            flushers: crate::sim::Slab::default(),
            blocked: VecDeque::new(),
            operations: crate::sim::Slab::default(),
            timer_busy: false,
            timer_due: false,
            tasks_level: LevelOverTime::default(),
            buffered_peak: 0,
            submits: 0,
            rows_submitted: 0,
            blocked_passes: 0,
            blocked_nanos: 0,
            periodic_flushes: 0,
            operations_added: 0,
            heap_added: 0,
        }
    }

    /// The operations a full write buffer holds, at the run's mean heap size per operation.
    pub fn operations_a_full_buffer_holds(&self) -> u64 {
        if self.heap_added == 0 {
            return 0;
        }
        (u128::from(self.limits.write_buffer) * u128::from(self.operations_added))
            .div_ceil(self.heap_added) as u64
            + 1
    }

    /// The mutator's figures at `end`.
    pub fn at_end(&self, workload: &str, end: SimTime) -> MutatorAtEnd {
        MutatorAtEnd {
            workload: workload.to_string(),
            limits: self.limits,
            submits: self.submits,
            rows_submitted: self.rows_submitted,
            tasks_peak: self.tasks_level.peak(),
            tasks_mean: self.tasks_level.mean(end),
            buffered_peak: self.buffered_peak,
            rows_buffered_at_end: self.buffer.len() as u64,
            blocked_passes: self.blocked_passes,
            blocked_nanos: self.blocked_nanos,
            periodic_flushes: self.periodic_flushes,
        }
    }

    /// `mutate`: one operation's rows join the buffer's tail.
    pub fn add(&mut self, now: SimTime, rows: impl IntoIterator<Item = BufferedRow>) {
        if self.buffered_heap == 0 {
            self.first_record_at = now;
        }
        self.operations_added += 1;
        for row in rows {
            self.heap_added += u128::from(row.heap);
            self.buffered_heap += row.heap;
            self.undealt += 1;
            self.buffer.push_back(row);
        }
        self.buffered_peak = self.buffered_peak.max(self.buffered_heap);
    }

    /// Whether the buffer holds more than the write buffer's size (doFlush's test).
    pub fn over_limit(&self) -> bool {
        self.buffered_heap > self.limits.write_buffer
    }

    /// Rows in the buffer, not yet submitted.
    pub fn rows_buffered(&self) -> usize {
        self.buffer.len()
    }

    /// createQueueRowAccess: the access takes every undealt mutation (0: another thread holds
    /// them all).
    pub fn take_access(&mut self) -> u64 {
        std::mem::take(&mut self.undealt)
    }

    /// The access closes: rows it did not submit are undealt again.
    pub fn close_access(&mut self, remainder: u64) {
        self.undealt += remainder;
    }

    /// One pass of AsyncProcess.submit over an access to `remainder` rows: each polled from the
    /// buffer's head, located by `region_of`, taken if every checker includes it, put back at
    /// the tail if one skips it; the pass stops when the submit's heap size is reached. Returns
    /// the rows taken and how many of the access's rows remain.
    pub fn pass(
        &mut self,
        remainder: u64,
        mut region_of: impl FnMut(u64) -> RegionId,
    ) -> (Vec<BufferedRow>, u64) {
        let limits = self.limits;
        let mut taken = Vec::new();
        let mut regions_included: BTreeSet<RegionId> = BTreeSet::new();
        let (mut request_heap, mut request_rows, mut submit_heap) = (0u64, 0u64, 0u64);
        let mut left = remainder;
        for _ in 0..remainder {
            let Some(row) = self.buffer.pop_front() else {
                break;
            };
            self.buffered_heap -= row.heap;
            let region = region_of(row.row);
            // TaskCountChecker, against the counters as they stand before this pass's task: the
            // one server counts as this pass's one new server, so 1 + tasks may not pass the
            // total.
            let task_count_includes = regions_included.contains(&region)
                || (self.region_tasks.get(&region).copied().unwrap_or(0) < limits.region_tasks
                    && self.tasks < limits.total_tasks
                    && self.tasks < limits.server_tasks);
            let request_heap_includes =
                request_heap == 0 || request_heap + row.heap <= limits.request_heap;
            let rows_include = limits
                .request_rows
                .is_none_or(|max| request_rows == 0 || request_rows < max);
            let end = submit_heap >= limits.submit_heap;
            if end {
                self.buffered_heap += row.heap;
                self.buffer.push_back(row);
                break;
            }
            if task_count_includes && request_heap_includes && rows_include {
                regions_included.insert(region);
                request_heap += row.heap;
                request_rows += 1;
                submit_heap += row.heap;
                left -= 1;
                taken.push(row);
            } else {
                self.buffered_heap += row.heap;
                self.buffer.push_back(row);
            }
        }
        (taken, left)
    }

    /// A task is sent carrying rows of `regions` (distinct): it counts against the limits.
    pub fn count_task(&mut self, now: SimTime, regions: &[RegionId]) {
        self.tasks += 1;
        for region in regions {
            *self.region_tasks.entry(*region).or_default() += 1;
        }
        self.tasks_level.set(now, u64::from(self.tasks));
    }

    /// A task's runnable has ended.
    pub fn release_task(&mut self, now: SimTime, regions: &[RegionId]) {
        self.tasks -= 1;
        self.tasks_level.set(now, u64::from(self.tasks));
        for region in regions {
            let count = self
                .region_tasks
                .get_mut(region)
                .expect("a released task's region was counted");
            *count -= 1;
            if *count == 0 {
                self.region_tasks.remove(region);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> MutatorLimits {
        MutatorLimits {
            write_buffer: 1000,
            total_tasks: 100,
            server_tasks: 2,
            region_tasks: 1,
            request_heap: 4 << 20,
            submit_heap: 4 << 20,
            request_rows: Some(2048),
            periodic_flush: None,
            flush_waits: true,
            retries_constant: 15,
        }
    }

    fn row(row: u64, heap: u64) -> BufferedRow {
        BufferedRow {
            operation: 0,
            mutation: Mutation::Put,
            row,
            value_bytes: 10,
            heap,
        }
    }

    // A Put of one 1000-byte value in row "user0000001" (11 bytes), family "cf", qualifier
    // "field0": KeyValue length 20 + 11 + 2 + 6 + 1000 = 1039. By hand with compressed oops:
    // overhead 104, row 32, map 40, family 24 + list 40 + refs 24, KeyValue 32 + 1056 = 1352.
    #[test]
    fn a_put_heap_size_follows_mutation_heap_size() {
        assert_eq!(mutation_heap_bytes(11, &[(2, &[1039])]), 1352);
        // Two families of three cells add per family and per cell.
        let two = mutation_heap_bytes(11, &[(2, &[1039; 3]), (2, &[1039; 3])]);
        assert_eq!(two, 104 + 32 + 80 + 2 * (24 + 40 + 32 + 3 * 1088));
    }

    // A region with a task in flight is skipped (its rows go to the tail, in order); the
    // server's limit skips every other region once reached; the submit ends at its heap size.
    #[test]
    fn a_pass_takes_what_the_limits_allow() {
        let mut mutator = BufferedMutator::new(limits());
        mutator.add(SimTime::ZERO, (0..6).map(|index| row(index, 100)));
        let access = mutator.take_access();
        assert_eq!(access, 6);
        mutator.count_task(SimTime::ZERO, &[0]);
        // Rows 0, 2, 4 in region 0 (busy), 1, 3, 5 in region 1.
        let (taken, left) = mutator.pass(access, |row| (row % 2) as RegionId);
        assert_eq!(
            taken.iter().map(|row| row.row).collect::<Vec<_>>(),
            [1, 3, 5]
        );
        assert_eq!(left, 3);
        assert_eq!(mutator.buffered_heap, 300);
        mutator.close_access(left);
        mutator.count_task(SimTime::ZERO, &[1]);
        // Two tasks to the server: nothing more goes until one ends.
        let access = mutator.take_access();
        let (taken, _) = mutator.pass(access, |_| 7);
        assert!(taken.is_empty());
        mutator.release_task(SimTime::ZERO, &[0]);
        let (taken, left) = mutator.pass(access, |row| (row % 2) as RegionId);
        assert_eq!(
            taken.iter().map(|row| row.row).collect::<Vec<_>>(),
            [0, 2, 4]
        );
        assert_eq!((left, mutator.buffered_heap), (0, 0));
        // The submit's heap size ends a pass: the row that reaches it is the last taken.
        let mut mutator = BufferedMutator::new(MutatorLimits {
            submit_heap: 250,
            ..limits()
        });
        mutator.add(SimTime::ZERO, (0..6).map(|index| row(index, 100)));
        let access = mutator.take_access();
        let (taken, left) = mutator.pass(access, |_| 0);
        assert_eq!((taken.len(), left), (3, 3));
        // Rows per request (2.5) and the request's heap size skip what would pass them.
        let mut mutator = BufferedMutator::new(MutatorLimits {
            request_rows: Some(2),
            ..limits()
        });
        mutator.add(SimTime::ZERO, (0..6).map(|index| row(index, 100)));
        let access = mutator.take_access();
        assert_eq!(mutator.pass(access, |_| 0).0.len(), 2);
    }

    // The buffer flushes when it holds more than the write buffer, not at it.
    #[test]
    fn over_the_limit_is_strictly_more() {
        let mut mutator = BufferedMutator::new(limits());
        mutator.add(SimTime::ZERO, (0..10).map(|index| row(index, 100)));
        assert!(!mutator.over_limit());
        mutator.add(SimTime::ZERO, [row(10, 1)]);
        assert!(mutator.over_limit());
    }
}
