//! Clients: each workload's request stream — when requests are sent, which row, what kind, how
//! big — drawn from the workload's own named random streams.
//!
//! Four streams per workload (`workload.<name>.arrivals`, `.keys`, `.values`, `.mix`), so that
//! changing the value sizes does not move the keys, and adding a workload moves nothing of the
//! others. Open-loop Poisson gaps are exponential; uniform gaps are exact multiples of 1/rate
//! computed from the request count, so they do not drift.

use crate::metrics::LevelOverTime;
use crate::model::client::buffered_mutator::BufferedMutator;
use crate::model::client::keys::{KeyChooser, row_of_key_number};
use crate::scenario::workload::{Arrival, ArrivalProcess, OpKind, SizeSpec, WorkloadSpec};
use crate::sim::distribution::exponential;
use crate::sim::{RandomStream, SimDuration, SimTime};

/// The times of an open-loop workload's arrivals, one after another. Two run side by side on
/// the same stream: the one requests are sent from, and one that only counts what has come due,
/// so the arrivals waiting at the client are known without holding them.
#[derive(Debug, Clone)]
struct ArrivalClock {
    rate: f64,
    process: ArrivalProcess,
    start: SimTime,
    stream: RandomStream,
    /// Arrivals drawn so far.
    drawn: u64,
    /// The last one drawn.
    last: SimTime,
}

impl ArrivalClock {
    fn new(rate: f64, process: ArrivalProcess, start: SimTime, stream: RandomStream) -> Self {
        ArrivalClock {
            rate,
            process,
            start,
            stream,
            drawn: 0,
            last: start,
        }
    }

    /// The next arrival: the first one gap after the start for Poisson (at the start for
    /// uniform), then one gap after the one before. Poisson gaps are exponential; uniform
    /// arrivals are exact multiples of 1/rate from the start, so they do not drift. A gap longer
    /// than the clock holds (a rate near 0) is the clock's end: never.
    fn next(&mut self) -> SimTime {
        let next = match self.process {
            ArrivalProcess::Poisson => {
                self.last
                    .saturating_add(SimDuration::from_secs_f64(exponential(
                        &mut self.stream,
                        1.0 / self.rate,
                    )))
            }
            ArrivalProcess::Uniform => self
                .start
                .saturating_add(SimDuration::from_secs_f64(self.drawn as f64 / self.rate)),
        };
        self.drawn += 1;
        self.last = next;
        next
    }
}

/// An open-loop workload at the end of a run: what was offered and what its threads started.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLoopAtEnd {
    pub workload: String,
    /// The application's threads (`None`: unbounded callers).
    pub threads: Option<u32>,
    /// Arrivals per second the workload offers.
    pub rate: f64,
    /// Arrivals due during the run.
    pub offered: u64,
    /// Arrivals whose operation started; the rest were still waiting for a thread at the end.
    pub started: u64,
    /// Arrivals whose operation finished (acknowledged, or failed for good).
    pub finished: u64,
    /// Threads running an operation, time-averaged over the run.
    pub threads_busy_mean: f64,
    /// Through a BufferedMutator: the operations a full write buffer holds, which wait there by
    /// design until the buffer fills (0 for the Table API).
    pub buffer_allowance: u64,
}

impl OpenLoopAtEnd {
    /// Arrivals still waiting for a thread.
    pub fn waiting(&self) -> u64 {
        self.offered - self.started
    }

    /// Arrivals not answered: waiting for a thread, or under way.
    pub fn unanswered(&self) -> u64 {
        self.offered - self.finished
    }
}

/// A workload's request generator, and for open-loop workloads the application's threads.
#[derive(Debug, Clone)]
pub struct Client {
    pub name: String,
    pub table: usize,
    pub start: SimTime,
    /// No requests are sent at or after this.
    pub end: SimTime,
    pub arrival: Arrival,
    keys: KeyChooser,
    /// Rows in the key space (the keys loaded before the run).
    key_count: u64,
    /// Rows inserted so far (YCSB's insert key numbers continue from `key_count`).
    inserted: u64,
    /// Rows a scan reads, uniform over [min, max].
    scan_rows: (u32, u32),
    /// Cumulative shares of the mix, for one draw per request.
    mix_cumulative: Vec<(OpKind, f64)>,
    value_size: SizeSpec,
    /// Open loop: the arrivals requests are sent for, and a second copy that counts those due.
    arrivals: Option<ArrivalClock>,
    due_counter: Option<(ArrivalClock, SimTime)>,
    key_stream: RandomStream,
    value_stream: RandomStream,
    mix_stream: RandomStream,
    /// Open loop: application threads not running an operation (`None`: unbounded).
    threads_free: Option<u32>,
    /// Open loop: threads running an operation, over time.
    threads_busy: LevelOverTime,
    /// Open loop: the earliest arrival that came due while every thread was busy.
    pub waiting: Option<SimTime>,
    /// Open loop: arrivals whose operation has started, and has finished.
    pub started: u64,
    pub finished: u64,
    /// Open loop: waiting arrivals are being started (a thread freed meanwhile is taken by that
    /// loop, not by a nested one).
    pub draining: bool,
    /// The workload's BufferedMutator, when it writes through one.
    pub mutator: Option<Box<BufferedMutator>>,
}

impl Client {
    pub fn new(spec: &WorkloadSpec, table: usize, seed: u64, run_end: SimTime) -> Client {
        let stream =
            |what: &str| RandomStream::new(seed, &format!("workload.{}.{what}", spec.name));
        let mut total = 0.0;
        let mix_cumulative = spec
            .mix
            .iter()
            .map(|&(kind, share)| {
                total += share;
                (kind, total)
            })
            .collect();
        let start = SimTime::ZERO + spec.start;
        let end = spec
            .end
            .map_or(run_end, |end| (SimTime::ZERO + end).min(run_end));
        let (arrivals, threads_free) = match spec.arrival {
            Arrival::Open {
                rate,
                process,
                threads,
            } => (
                Some(ArrivalClock::new(rate, process, start, stream("arrivals"))),
                threads,
            ),
            Arrival::Closed { .. } => (None, None),
        };
        Client {
            name: spec.name.clone(),
            table,
            start,
            end,
            arrival: spec.arrival.clone(),
            keys: KeyChooser::new(&spec.keys),
            key_count: spec.keys.count,
            inserted: 0,
            scan_rows: spec.scan.map_or((1, 1), |scan| scan.rows),
            mix_cumulative,
            value_size: spec.value_size,
            due_counter: arrivals.clone().map(|clock| (clock, start)),
            arrivals,
            key_stream: stream("keys"),
            value_stream: stream("values"),
            mix_stream: stream("mix"),
            threads_free,
            threads_busy: LevelOverTime::default(),
            waiting: None,
            started: 0,
            finished: 0,
            draining: false,
            mutator: None,
        }
    }

    /// The next open-loop arrival, if one comes before the workload's end.
    pub fn next_arrival(&mut self) -> Option<SimTime> {
        let clock = self
            .arrivals
            .as_mut()
            .expect("only open-loop workloads have arrivals");
        Some(clock.next()).filter(|&next| next < self.end)
    }

    /// Takes an application thread for an operation; false when every one is busy.
    pub fn take_thread(&mut self, now: SimTime) -> bool {
        match &mut self.threads_free {
            None => {}
            Some(0) => return false,
            Some(free) => *free -= 1,
        }
        self.threads_busy.set(now, self.threads_busy.level() + 1);
        true
    }

    /// An operation is over: its thread is free.
    pub fn release_thread(&mut self, now: SimTime) {
        if let Some(free) = &mut self.threads_free {
            *free += 1;
        }
        self.threads_busy.set(now, self.threads_busy.level() - 1);
    }

    /// Open loop: arrivals due by `now` not yet answered (waiting for a thread, or under way),
    /// and of those the ones still waiting for a thread.
    pub fn unanswered_at(&mut self, now: SimTime) -> (u64, u64) {
        let due = self.arrivals_due_by(now);
        (due - self.finished, due - self.started)
    }

    /// Open loop: what was offered and started by `end`; `None` for closed loop.
    pub fn open_loop_at(&mut self, end: SimTime) -> Option<OpenLoopAtEnd> {
        let Arrival::Open { threads, rate, .. } = self.arrival else {
            return None;
        };
        Some(OpenLoopAtEnd {
            workload: self.name.clone(),
            threads,
            rate,
            offered: self.arrivals_due_by(end),
            started: self.started,
            finished: self.finished,
            threads_busy_mean: self.threads_busy.mean(end),
            buffer_allowance: self
                .mutator
                .as_ref()
                .map_or(0, |mutator| mutator.operations_a_full_buffer_holds()),
        })
    }

    /// Open loop: the arrivals due at or before `now` (and before the end), counted once each.
    pub fn arrivals_due_by(&mut self, now: SimTime) -> u64 {
        let (clock, next) = self
            .due_counter
            .as_mut()
            .expect("only open-loop workloads have arrivals");
        if clock.drawn == 0 {
            *next = clock.next();
        }
        while *next <= now && *next < self.end {
            *next = clock.next();
        }
        // The last draw is the first arrival not yet due (or past the end).
        clock.drawn - 1
    }

    /// Draws the next request's kind.
    pub fn draw_kind(&mut self) -> OpKind {
        match self.mix_cumulative.as_slice() {
            [(only, _)] => *only,
            kinds => {
                let u = self.mix_stream.next_f64();
                kinds
                    .iter()
                    .find(|(_, cumulative)| u < *cumulative)
                    .or(kinds.last())
                    .map(|(kind, _)| *kind)
                    .expect("a mix has at least one kind")
            }
        }
    }

    /// Draws a row and the value size written to it.
    pub fn draw_row(&mut self) -> (u64, u32) {
        let row = self.keys.next(&mut self.key_stream);
        (row, self.draw_value())
    }

    /// The mean value size it writes.
    pub fn value_bytes_mean(&self) -> u64 {
        match self.value_size {
            SizeSpec::Constant { bytes } => bytes,
            SizeSpec::Uniform { min, max } => (min + max) / 2,
        }
    }

    fn draw_value(&mut self) -> u32 {
        let bytes = match self.value_size {
            SizeSpec::Constant { bytes } => bytes,
            SizeSpec::Uniform { min, max } => min + self.value_stream.below(max - min + 1),
        };
        bytes as u32
    }

    /// Draws an insert's value size; its row is the next insert number's, which the `latest`
    /// distribution draws from from now on.
    pub fn draw_insert_row(&mut self) -> (u64, u32) {
        let value_bytes = self.draw_value();
        let number = self.key_count + self.inserted;
        self.inserted += 1;
        self.keys.inserted();
        (row_of_key_number(number, self.key_count), value_bytes)
    }

    /// Draws the rows of a scan's length.
    pub fn draw_scan_rows(&mut self) -> u32 {
        let (min, max) = self.scan_rows;
        min + self.key_stream.below(u64::from(max - min) + 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::workload::{ClientApi, Durability, KeyDist, KeySpec};

    fn spec(process: ArrivalProcess) -> WorkloadSpec {
        WorkloadSpec {
            name: "w".into(),
            table: "t".into(),
            start: SimDuration::ZERO,
            end: None,
            arrival: Arrival::Open {
                rate: 1000.0,
                process,
                threads: Some(2),
            },
            mix: vec![(OpKind::Put, 0.75), (OpKind::Delete, 0.25)],
            keys: KeySpec {
                dist: KeyDist::Uniform,
                count: 100,
                prefix: "user".into(),
            },
            value_size: SizeSpec::Uniform { min: 10, max: 20 },
            columns: 1,
            families: None,
            batch_rows: 1,
            durability: Durability::UseDefault,
            client: ClientApi::Table,
            scan: None,
        }
    }

    // Poisson arrivals at 1000/s: about 1000 in a second; uniform ones exactly 1 ms apart.
    #[test]
    fn arrival_processes() {
        let end = SimTime::ZERO + SimDuration::from_secs(10);
        let mut client = Client::new(&spec(ArrivalProcess::Poisson), 0, 1, end);
        let mut count = 0;
        while client.next_arrival().is_some() {
            count += 1;
        }
        assert!((9700..10300).contains(&count), "{count}");
        let mut client = Client::new(&spec(ArrivalProcess::Uniform), 0, 1, end);
        let first = client.next_arrival().unwrap();
        let second = client.next_arrival().unwrap();
        let third = client.next_arrival().unwrap();
        assert_eq!(first, SimTime::ZERO);
        assert_eq!(second - first, SimDuration::from_millis(1));
        assert_eq!(third - second, SimDuration::from_millis(1));
    }

    // The count of arrivals due follows the very arrivals requests are sent for, at any pace
    // of asking, and stops at the end.
    #[test]
    fn arrivals_due_are_the_arrivals_sent() {
        let end = SimTime::ZERO + SimDuration::from_secs(2);
        for process in [ArrivalProcess::Poisson, ArrivalProcess::Uniform] {
            let mut sender = Client::new(&spec(process), 0, 7, end);
            let mut times = Vec::new();
            while let Some(at) = sender.next_arrival() {
                times.push(at);
            }
            let mut counter = Client::new(&spec(process), 0, 7, end);
            for millis in [0, 1, 5, 5, 250, 1999, 2000, 5000] {
                let now = SimTime::ZERO + SimDuration::from_millis(millis);
                let expected = times.iter().filter(|&&at| at <= now).count() as u64;
                assert_eq!(
                    counter.arrivals_due_by(now),
                    expected,
                    "{process:?} at {now}"
                );
            }
        }
    }

    // Two threads: a third operation waits until one is released; unbounded callers never wait.
    #[test]
    fn threads_bound_the_operations_under_way() {
        let end = SimTime::ZERO + SimDuration::from_secs(1);
        let mut client = Client::new(&spec(ArrivalProcess::Poisson), 0, 1, end);
        let now = SimTime::ZERO;
        assert!(client.take_thread(now) && client.take_thread(now));
        assert!(!client.take_thread(now));
        client.release_thread(now);
        assert!(client.take_thread(now));
        let mut unbounded = spec(ArrivalProcess::Poisson);
        unbounded.arrival = Arrival::Open {
            rate: 1000.0,
            process: ArrivalProcess::Poisson,
            threads: None,
        };
        let mut client = Client::new(&unbounded, 0, 1, end);
        assert!((0..10_000).all(|_| client.take_thread(SimTime::ZERO)));
    }

    // The mix and value sizes follow the spec.
    #[test]
    fn draws_follow_the_mix() {
        let end = SimTime::ZERO + SimDuration::from_secs(1);
        let mut client = Client::new(&spec(ArrivalProcess::Poisson), 0, 1, end);
        let kinds: Vec<OpKind> = (0..10_000).map(|_| client.draw_kind()).collect();
        let deletes = kinds.iter().filter(|kind| **kind == OpKind::Delete).count();
        assert!((2300..2700).contains(&deletes), "{deletes}");
        let rows: Vec<(u64, u32)> = (0..1000).map(|_| client.draw_row()).collect();
        assert!(
            rows.iter()
                .all(|(row, bytes)| (10..=20).contains(bytes) && *row < 100)
        );
    }
}
