//! Bounds that several settings share: the longest run, the longest span any setting may give,
//! and the largest heap, file, bandwidth and thread pool. Each scenario key and property states
//! its own bound where it is defined, most often one of these.
//!
//! They are what a real RegionServer could run, and they keep the arithmetic safe. Simulated time
//! is u64 nanoseconds (584 years): a run lasts at most `DURATION_MAX` and no setting gives a
//! span above `SPAN_MAX`, so the clock plus any span the model adds to it (even the client's
//! 200 × pause backoff) stays below what it holds. Sizes stay below a pebibyte, so sums and
//! products of them in u64 counters are far from overflowing.

use crate::sim::SimDuration;

/// The longest simulated run: a bound on event counts and on what a typo ("10000h") can cost.
pub const DURATION_MAX: SimDuration = SimDuration::from_secs(30 * 24 * 3600);

/// The longest span any setting may give — a timeout, a period, a latency, a window: a year.
/// It is far past the longest run, and above the "forever" people write (Integer.MAX_VALUE
/// milliseconds, 24.8 days).
pub const SPAN_MAX: SimDuration = SimDuration::from_secs(SPAN_MAX_SECS as u64);
/// `SPAN_MAX` in milliseconds, the unit of most HBase properties.
pub const SPAN_MAX_MILLIS: i64 = SPAN_MAX_SECS * 1000;
/// `SPAN_MAX` in seconds.
pub const SPAN_MAX_SECS: i64 = 365 * 24 * 3600;

/// The largest heap, and so the largest memstore, call queue or allocation: 1 TB.
pub const HEAP_MAX: u64 = 1 << 40;

/// The largest size of a store file, a region or a compaction's selection: 1 PB.
pub const FILE_BYTES_MAX: u64 = 1 << 50;

/// The largest bandwidth or throughput limit: 1 TB/s, past any disk or network.
pub const BANDWIDTH_MAX: u64 = 1 << 40;

/// The most threads in one of the server's pools (flush handlers, compaction threads, WAL sync
/// runners, split workers, region openers): HBase's defaults are 1 to 5, and a thousand is
/// more than a machine runs usefully.
pub const THREADS_MAX: i64 = 1_000;

/// The most RPC handlers: HBase's default is 30 and large servers run a few hundred.
pub const HANDLERS_MAX: i64 = 10_000;

/// The most entries in each of a scenario's lists (tables, workloads, actions, faults): far more
/// than any scenario needs, and few enough that their counters and memory stay small.
pub const ENTRIES_MAX: usize = 10_000;
