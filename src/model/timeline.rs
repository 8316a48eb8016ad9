//! The run's time series: the server's gauges sampled at every interval boundary, rates and
//! latency percentiles per interval, each region's memstore size, and markers for the moments a
//! reader wants on a chart (flushes, faults, operator actions, regions going offline).
//!
//! Sampling takes no events: before the loop handles an event at time t, it samples every
//! boundary at or before t, reading the state as it stood just before that event (state only
//! changes at events). So the interval changes neither the trace hash nor any result.

use std::collections::BTreeMap;

use crate::metrics::LatencyHistogram;
use crate::scenario::workload::OpKind;
use crate::sim::{SimDuration, SimTime};

/// Most regions × samples of per-region memstore sizes kept (a bound on memory); beyond it the
/// per-region series is dropped and the report shows only the largest region.
pub const REGION_SAMPLES_MAX: usize = 20_000_000;

/// One operation kind in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OperationSample {
    /// Requests acknowledged in the interval.
    pub completed: u64,
    /// Requests that failed for good in the interval.
    pub failed: u64,
    /// Latency of the requests acknowledged in the interval (0 if none).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// The gauges at one interval boundary, and the interval's rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// The boundary: the end of the interval.
    pub time: SimTime,
    pub operations: BTreeMap<OpKind, OperationSample>,
    pub global_heap_bytes: u64,
    pub largest_region_heap_bytes: u64,
    pub flush_queue_length: u64,
    pub flushes_in_progress: u64,
    pub flush_handlers_busy: u64,
    pub rpc_handlers_busy: u64,
    pub call_queue_length: u64,
    pub blocked_writers: u64,
    pub regions_above_blocking: u64,
    pub store_files_max_per_store: u64,
    pub compaction_queue_length: u64,
    pub compactions_in_progress: u64,
    pub wal_syncs_in_flight: u64,
    /// Open-loop arrivals due and waiting at the client for an application thread, and those
    /// not yet answered (waiting, or under way).
    pub client_waiting: u64,
    pub client_unanswered: u64,
    /// With the CPU model on: the share of the cores' time threads ran in the interval, and
    /// the threads that want a core at its end (0 with the model off).
    pub cpu_busy: f64,
    pub cpu_runnable: u64,
    /// With `[jvm] gc = "on"`: the share of the interval collections paused the server, and
    /// the bytes it allocated in the interval (0 with it off).
    pub gc_paused: f64,
    pub gc_allocated_bytes: u64,
    /// The old generation's occupancy (live and garbage) at the interval's end, and the
    /// occupancy that starts the collector's concurrent cycle.
    pub gc_old_bytes: u64,
    pub gc_initiating_bytes: u64,
    pub wal_files: u64,
    pub wal_max_logs: u64,
    pub server_up: bool,
    pub regions_offline: u64,
    /// Client retries and RegionTooBusyException in the interval.
    pub client_retries: u64,
    pub region_too_busy: u64,
}

/// What a marker marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// A flush committed (detail: its reason).
    Flush,
    /// An injected fault struck (detail: its kind).
    Fault,
    /// A WAL roll finished (detail: why it rolled).
    WalRoll,
    /// An operator action began (detail: its kind).
    Action,
    /// A region went offline (closed) or opened.
    RegionOffline,
    RegionOpen,
    /// A compaction committed (detail: minor, all_files or major).
    Compaction,
    /// A region split (detail: "split").
    Split,
    /// Rolled WAL files were archived.
    WalArchive,
    /// A step of crash recovery (detail: server_dead, split_failed, split_given_up, split,
    /// recovered).
    Recovery,
    /// A garbage-collection pause began (detail: its kind: young, mixed, initial_mark, remark,
    /// cleanup, full).
    GcPause,
}

impl MarkerKind {
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Flush => "flush",
            MarkerKind::Fault => "fault",
            MarkerKind::WalRoll => "wal_roll",
            MarkerKind::Action => "action",
            MarkerKind::RegionOffline => "region_offline",
            MarkerKind::RegionOpen => "region_open",
            MarkerKind::Compaction => "compaction",
            MarkerKind::Split => "split",
            MarkerKind::WalArchive => "wal_archive",
            MarkerKind::Recovery => "recovery",
            MarkerKind::GcPause => "gc_pause",
        }
    }
}

/// A moment worth marking on a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub time: SimTime,
    pub kind: MarkerKind,
    /// The region concerned, if one is.
    pub region: Option<u32>,
    pub detail: &'static str,
}

/// What an interval accumulates for one operation kind.
#[derive(Debug, Clone, Default)]
struct OperationInterval {
    completed: u64,
    failed: u64,
    latency: LatencyHistogram,
}

/// The time series of a run, and what the current interval has accumulated.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub interval: SimDuration,
    next_sample: SimTime,
    pub samples: Vec<Sample>,
    /// Each region's memstore heap size at each sample (regions created during the run start
    /// later), unless that would pass `REGION_SAMPLES_MAX`.
    pub region_heap: Option<Vec<Vec<u64>>>,
    pub markers: Vec<Marker>,
    operations: BTreeMap<OpKind, OperationInterval>,
    retries_before: u64,
    region_too_busy_before: u64,
}

impl Timeline {
    pub fn new(interval: SimDuration, duration: SimDuration, regions: usize) -> Timeline {
        assert!(
            !interval.is_zero(),
            "a time series needs a positive interval"
        );
        let samples = (duration.as_nanos() / interval.as_nanos()) as usize + 1;
        Timeline {
            interval,
            next_sample: SimTime::ZERO + interval,
            samples: Vec::with_capacity(samples.min(1 << 20)),
            region_heap: (samples.saturating_mul(regions.max(1)) <= REGION_SAMPLES_MAX)
                .then(|| vec![Vec::new(); regions]),
            markers: Vec::new(),
            operations: BTreeMap::new(),
            retries_before: 0,
            region_too_busy_before: 0,
        }
    }

    /// The next boundary to sample, if it is at or before `time`.
    pub fn due(&self, time: SimTime) -> Option<SimTime> {
        (self.next_sample <= time).then_some(self.next_sample)
    }

    pub fn record_completion(&mut self, kind: OpKind, latency: SimDuration) {
        let interval = self.operations.entry(kind).or_default();
        interval.completed += 1;
        interval.latency.record(latency);
    }

    pub fn record_failure(&mut self, kind: OpKind) {
        self.operations.entry(kind).or_default().failed += 1;
    }

    pub fn mark(
        &mut self,
        time: SimTime,
        kind: MarkerKind,
        region: Option<u32>,
        detail: &'static str,
    ) {
        self.markers.push(Marker {
            time,
            kind,
            region,
            detail,
        });
    }

    /// Closes the interval ending at the due boundary: `gauges` holds the state there (its
    /// time and rates are filled in here), `region_heap` each region's memstore, and the
    /// counters their totals so far.
    pub fn sample(
        &mut self,
        mut gauges: Sample,
        region_heap: impl Iterator<Item = u64>,
        retries_total: u64,
        region_too_busy_total: u64,
    ) {
        gauges.time = self.next_sample;
        for (kind, interval) in &mut self.operations {
            gauges.operations.insert(
                *kind,
                OperationSample {
                    completed: interval.completed,
                    failed: interval.failed,
                    p50_ms: interval.latency.quantile_ms(0.5),
                    p99_ms: interval.latency.quantile_ms(0.99),
                    max_ms: interval.latency.max_ms(),
                },
            );
            *interval = OperationInterval::default();
        }
        gauges.client_retries = retries_total - self.retries_before;
        gauges.region_too_busy = region_too_busy_total - self.region_too_busy_before;
        self.retries_before = retries_total;
        self.region_too_busy_before = region_too_busy_total;
        if let Some(series) = self.region_heap.as_mut() {
            let row = self.samples.len();
            for (index, heap) in region_heap.enumerate() {
                if index == series.len() {
                    series.push(Vec::new());
                }
                let region = &mut series[index];
                // A region created during the run has no samples before it existed.
                region.resize(row, 0);
                region.push(heap);
            }
        }
        self.samples.push(gauges);
        self.next_sample += self.interval;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Rates and percentiles cover one interval each; counters become per-interval deltas.
    #[test]
    fn intervals_accumulate_and_reset() {
        let second = SimDuration::from_secs(1);
        let mut timeline = Timeline::new(second, SimDuration::from_secs(3), 2);
        assert_eq!(timeline.due(SimTime::ZERO), None);
        timeline.record_completion(OpKind::Put, SimDuration::from_millis(2));
        timeline.record_completion(OpKind::Put, SimDuration::from_millis(4));
        timeline.record_failure(OpKind::Put);
        assert_eq!(
            timeline.due(SimTime::ZERO + second),
            Some(SimTime::ZERO + second)
        );
        timeline.sample(Sample::default(), [10, 20].into_iter(), 5, 1);
        timeline.sample(Sample::default(), [11, 21, 31].into_iter(), 7, 1);
        let first = &timeline.samples[0];
        assert_eq!(first.time, SimTime::ZERO + second);
        assert_eq!(first.operations[&OpKind::Put].completed, 2);
        assert_eq!(first.operations[&OpKind::Put].failed, 1);
        assert_eq!(first.operations[&OpKind::Put].max_ms, 4.0);
        assert_eq!((first.client_retries, first.region_too_busy), (5, 1));
        let second_sample = &timeline.samples[1];
        assert_eq!(second_sample.operations[&OpKind::Put].completed, 0);
        assert_eq!(
            (second_sample.client_retries, second_sample.region_too_busy),
            (2, 0)
        );
        let regions = timeline.region_heap.as_ref().unwrap();
        assert_eq!(regions[0], vec![10, 11]);
        assert_eq!(regions[2], vec![0, 31]);
    }
}
