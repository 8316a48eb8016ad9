//! Version profiles: the HBase properties regionsim models, with each line's defaults.
//!
//! `hbase-2.5` and `hbase-1.4` differ in defaults (blockingStoreFiles 16 vs 10, client retries 15
//! vs 35, the WAL roll multiplier 0.5 vs 0.95, …) and in which properties exist at all. The
//! values are hbase-default.xml's where it sets one (it wins over the Java constant at runtime),
//! else the code's; see shared/reference/write-path-and-flush.md §10 for the sources. Defaults that
//! HBase computes from other settings are written as rules (`Derived`) and computed per run.
//!
//! A `Release` names the patch release of the line a run models (the line's newest by default:
//! the model follows the branch heads). A property that arrived in a patch release carries that
//! release (`PropertyDef::since`) and does not exist before it; derived defaults that changed
//! within a line ask the release (`callqueue_length_2_5`).

use std::fmt;

use super::bounds::{
    BANDWIDTH_MAX, FILE_BYTES_MAX, HANDLERS_MAX, HEAP_MAX, SPAN_MAX_MILLIS, SPAN_MAX_SECS,
    THREADS_MAX,
};
use super::properties::{PropertyKind, PropertyValue, Resolver};
use super::table::REGIONS_MAX;
use super::units;
use crate::sim::SimDuration;

/// An HBase release line whose algorithms and defaults a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProfileId {
    /// HBase 2.5 (AsyncFSWAL, sync before the memstore write, data/heap size accounting).
    Hbase25,
    /// HBase 1.4 (FSHLog, memstore write before the sync with rollback, one heap-size counter).
    Hbase14,
}

impl ProfileId {
    pub const ALL: [ProfileId; 2] = [ProfileId::Hbase25, ProfileId::Hbase14];
    pub const NAMES: [&'static str; 2] = ["hbase-2.5", "hbase-1.4"];

    pub fn name(self) -> &'static str {
        match self {
            ProfileId::Hbase25 => "hbase-2.5",
            ProfileId::Hbase14 => "hbase-1.4",
        }
    }

    pub fn from_name(name: &str) -> Option<ProfileId> {
        ProfileId::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ProfileId {
    /// The line's version number, "2.5" or "1.4".
    pub fn line(self) -> &'static str {
        match self {
            ProfileId::Hbase25 => "2.5",
            ProfileId::Hbase14 => "1.4",
        }
    }

    /// The newest release of the line, whose branch head the model follows: 2.5.16 (the last
    /// "Preparing hbase release" commit on branch-2.5, whose head is 2.5.17-SNAPSHOT) and 1.4.14
    /// (the line's last release, October 2021; branch-1.4 ends with it).
    pub fn newest_patch(self) -> u32 {
        match self {
            ProfileId::Hbase25 => 16,
            ProfileId::Hbase14 => 14,
        }
    }
}

/// The release of a line a run models: the algorithms are the line's (its branch head's), and
/// the release decides the behaviours that changed within the line (the call-queue length of
/// HBASE-29141 from 2.5.14, properties that arrived in a patch release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub profile: ProfileId,
    pub patch: u32,
}

impl Release {
    /// The line's newest release: the default.
    pub fn newest(profile: ProfileId) -> Release {
        Release {
            profile,
            patch: profile.newest_patch(),
        }
    }

    /// Reads "2.5.13" as a release of `profile`'s line, or says which releases there are.
    pub fn parse(profile: ProfileId, text: &str) -> Result<Release, String> {
        let allowed = || {
            format!(
                "{profile} models releases {line}.0 to {line}.{newest} ({line}.{newest}, the newest, is the default)",
                line = profile.line(),
                newest = profile.newest_patch()
            )
        };
        let patch = text
            .trim()
            .strip_prefix(profile.line())
            .and_then(|rest| rest.strip_prefix('.'))
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok())
            .filter(|patch| *patch <= profile.newest_patch())
            .ok_or_else(|| {
                format!(
                    "\"{text}\" is not a release of the {profile} line: {}",
                    allowed()
                )
            })?;
        Ok(Release { profile, patch })
    }

    /// Whether this release has what arrived in `patch` of its line.
    pub fn has(self, patch: u32) -> bool {
        self.patch >= patch
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.profile.line(), self.patch)
    }
}

/// The patch release of a line in which a property arrived, and the change that brought it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub patch: u32,
    pub jira: &'static str,
}

/// A fixed default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(&'static str),
}

impl Literal {
    pub fn to_value(self) -> PropertyValue {
        match self {
            Literal::Int(value) => PropertyValue::Int(value),
            Literal::Float(value) => PropertyValue::Float(value),
            Literal::Bool(value) => PropertyValue::Bool(value),
            Literal::Text(value) => PropertyValue::Text(value.to_string()),
        }
    }
}

/// A property's default in one profile.
#[derive(Debug, Clone, Copy)]
pub enum DefaultValue {
    Fixed(Literal),
    /// Computed from other settings by HBase's rule, described in words for `config`.
    Derived {
        rule: &'static str,
        compute: fn(&mut Resolver) -> PropertyValue,
    },
    /// The property exists but has no value unless set (a deprecated name read as a fallback).
    Unset,
    /// The property does not exist in this line.
    Absent,
}

impl DefaultValue {
    pub fn exists(&self) -> bool {
        !matches!(self, DefaultValue::Absent)
    }
}

/// The values a property may take. Every number has both ends: what a real RegionServer could
/// run, within what the simulation's clock and counters hold (`bounds.rs`). A lower end of
/// `i64::MIN` marks a property whose every value at or below 0 means one thing (off, or HBase's
/// computed default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// A flag or one of a fixed set of names.
    NotANumber,
    /// A whole number from `min` to `max`, both included.
    Int { min: i64, max: i64 },
    /// A number above `low` (excluded) and at most `high`.
    Fraction { low: f64, high: f64 },
    /// A number from `min` to `max`, both included.
    Float { min: f64, max: f64 },
}

/// One modelled HBase property.
#[derive(Debug)]
pub struct PropertyDef {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub range: Range,
    /// What it does, in a line.
    pub meaning: &'static str,
    pub hbase_2_5: DefaultValue,
    pub hbase_1_4: DefaultValue,
    /// The release of each line it arrived in, if not the line's first.
    pub since_2_5: Option<Arrival>,
    pub since_1_4: Option<Arrival>,
}

/// Definitions are static and unique by name.
impl PartialEq for PropertyDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl PropertyDef {
    pub fn default_in(&self, profile: ProfileId) -> DefaultValue {
        match profile {
            ProfileId::Hbase25 => self.hbase_2_5,
            ProfileId::Hbase14 => self.hbase_1_4,
        }
    }

    /// The release of `profile`'s line it arrived in, if not the line's first.
    pub fn arrival_in(&self, profile: ProfileId) -> Option<Arrival> {
        match profile {
            ProfileId::Hbase25 => self.since_2_5,
            ProfileId::Hbase14 => self.since_1_4,
        }
    }

    /// Whether HBase `release` has the property.
    pub fn exists_in(&self, release: Release) -> bool {
        self.default_in(release.profile).exists()
            && self
                .arrival_in(release.profile)
                .is_none_or(|arrival| release.has(arrival.patch))
    }

    /// Marks the property as arriving in `patch` of `profile`'s line, with `jira`.
    const fn since(mut self, profile: ProfileId, patch: u32, jira: &'static str) -> PropertyDef {
        let arrival = Some(Arrival { patch, jira });
        match profile {
            ProfileId::Hbase25 => self.since_2_5 = arrival,
            ProfileId::Hbase14 => self.since_1_4 = arrival,
        }
        self
    }

    /// Checks a value against the property's range.
    pub fn check_range(&self, value: &PropertyValue) -> Result<(), String> {
        let ok = match (self.range, value) {
            (Range::Int { min, max }, PropertyValue::Int(number)) => (min..=max).contains(number),
            (Range::Fraction { low, high }, PropertyValue::Float(number)) => {
                *number > low && *number <= high
            }
            (Range::Float { min, max }, PropertyValue::Float(number)) => {
                (min..=max).contains(number)
            }
            _ => true,
        };
        if ok {
            return Ok(());
        }
        Err(format!(
            "{} must be {}, found {}",
            self.name,
            self.allowed(),
            self.kind.display(value)
        ))
    }

    /// The values the property may take, in the units a scenario may write ("1 to 10000",
    /// "1ms to 8760h", "1B to 1TB"); empty for a flag or a choice.
    pub fn allowed(&self) -> String {
        match self.range {
            Range::NotANumber => String::new(),
            Range::Int { min, max } => {
                // Sizes and spans have no negative bound but `at_most`'s, which is not shown.
                let bound = |value: i64| {
                    let unsigned = value.max(0) as u64;
                    match self.kind {
                        PropertyKind::Bytes => units::format_size(unsigned),
                        PropertyKind::Megabytes => {
                            units::format_size(unsigned.saturating_mul(1 << 20))
                        }
                        PropertyKind::Millis => SimDuration::from_millis(unsigned).to_string(),
                        PropertyKind::Seconds => SimDuration::from_secs(unsigned).to_string(),
                        _ => value.to_string(),
                    }
                };
                if min == i64::MIN {
                    format!("at most {}", bound(max))
                } else if max == NO_LIMIT {
                    format!("{} to Long.MAX_VALUE (no limit)", bound(min))
                } else {
                    format!("{} to {}", bound(min), bound(max))
                }
            }
            Range::Fraction { low, high } => format!("between {low} (excluded) and {high}"),
            Range::Float { min, max } => format!("{min} to {max}"),
        }
    }
}

/// The definition of a modelled property, by name.
pub fn definition(name: &str) -> Option<&'static PropertyDef> {
    PROPERTIES.iter().find(|def| def.name == name)
}

/// Every modelled property, grouped by subsystem (`config` lists them sorted by name).
pub fn definitions() -> &'static [PropertyDef] {
    PROPERTIES
}

const fn same(value: Literal) -> (DefaultValue, DefaultValue) {
    (DefaultValue::Fixed(value), DefaultValue::Fixed(value))
}

const fn int(value: i64) -> DefaultValue {
    DefaultValue::Fixed(Literal::Int(value))
}

const fn float(value: f64) -> DefaultValue {
    DefaultValue::Fixed(Literal::Float(value))
}

const fn text(value: &'static str) -> DefaultValue {
    DefaultValue::Fixed(Literal::Text(value))
}

const ABSENT: DefaultValue = DefaultValue::Absent;

const fn def(
    name: &'static str,
    kind: PropertyKind,
    range: Range,
    meaning: &'static str,
    defaults: (DefaultValue, DefaultValue),
) -> PropertyDef {
    PropertyDef {
        name,
        kind,
        range,
        meaning,
        hbase_2_5: defaults.0,
        hbase_1_4: defaults.1,
        since_2_5: None,
        since_1_4: None,
    }
}

/// The HDFS default block size, which HBase's WAL block size is derived from.
const HDFS_BLOCK_SIZE: i64 = 128 << 20;

// Derived defaults, each HBase's rule (source in the rule text and the reference notes).

fn global_memstore_size(resolver: &mut Resolver) -> PropertyValue {
    let old = resolver.float("hbase.regionserver.global.memstore.upperLimit");
    PropertyValue::Float(old.unwrap_or(0.4))
}

fn global_memstore_lower_limit(resolver: &mut Resolver) -> PropertyValue {
    // MemorySizeUtil/HeapMemorySizeUtil.getGlobalMemStoreHeapLowerMark: the deprecated
    // lowerLimit is a fraction of the heap; HBase converts it to a fraction of the upper limit.
    match resolver.float("hbase.regionserver.global.memstore.lowerLimit") {
        // HBase caps the lower limit at the upper one (and logs an error, which the scenario
        // check turns into one).
        Some(old) => {
            let upper = memstore_fraction(resolver);
            PropertyValue::Float(f64::from((old as f32).min(upper) / upper))
        }
        None => PropertyValue::Float(0.95),
    }
}

/// RpcExecutor.computeNumCallQueues: max(1, Math.round(handlers × factor)), in float.
pub fn call_queue_count(handlers: i64, factor: f64) -> i64 {
    (libm::floorf(handlers as f32 * factor as f32 + 0.5) as i64).max(1)
}

fn callqueue_length_1_4(resolver: &mut Resolver) -> PropertyValue {
    // SimpleRpcScheduler (1.4): handlerCount × DEFAULT_MAX_CALLQUEUE_LENGTH_PER_HANDLER (10).
    PropertyValue::Int(resolver.int("hbase.regionserver.handler.count") * 10)
}

/// The release that brought HBASE-29141's call-queue length.
pub const CALL_QUEUE_LENGTH_PER_QUEUE_SINCE_2_5: u32 = 14;

fn callqueue_length_2_5(resolver: &mut Resolver) -> PropertyValue {
    // Before 2.5.14, SimpleRpcScheduler passed handlers × 10 to every queue, as 1.4 does.
    // HBASE-29141 (2.5.14) leaves it undefined there, and the RpcExecutor computes
    // (handlers ÷ call queues) × 10 per queue, with handlers at least one per queue.
    if !resolver
        .release()
        .has(CALL_QUEUE_LENGTH_PER_QUEUE_SINCE_2_5)
    {
        return callqueue_length_1_4(resolver);
    }
    let handlers = resolver.int("hbase.regionserver.handler.count");
    let factor = resolver
        .float("hbase.ipc.server.callqueue.handler.factor")
        .unwrap_or(0.1);
    let queues = call_queue_count(handlers, factor);
    PropertyValue::Int((handlers.max(queues) / queues) * 10)
}

fn wal_block_size_1_4(resolver: &mut Resolver) -> PropertyValue {
    PropertyValue::Int(resolver.int("dfs.blocksize"))
}

fn wal_block_size_2_5(resolver: &mut Resolver) -> PropertyValue {
    PropertyValue::Int(resolver.int("dfs.blocksize") * 2)
}

/// The WAL roll size: `(long) (blocksize × multiplier)`, a Java long × float product, so the
/// arithmetic is in `f32` as in HBase.
fn wal_roll_size(resolver: &mut Resolver) -> i64 {
    let block_size = resolver.int("hbase.regionserver.hlog.blocksize");
    let multiplier = resolver
        .float("hbase.regionserver.logroll.multiplier")
        .unwrap_or(0.5) as f32;
    (block_size as f32 * multiplier) as i64
}

/// The memstore fraction as the Java float HBase uses: the absolute size's share of the heap
/// where the release has it and it is set (and allowed), else the configured fraction.
fn memstore_fraction(resolver: &mut Resolver) -> f32 {
    let fraction = resolver
        .float("hbase.regionserver.global.memstore.size")
        .unwrap_or(0.4);
    let bytes = resolver.int_if_exists(GLOBAL_MEMSTORE_MEMORY_SIZE);
    global_memstore_fraction(resolver.heap_bytes(), bytes, fraction)
}

/// `hbase.regionserver.global.memstore.memory.size` (HBASE-28601, 2.5.14).
pub const GLOBAL_MEMSTORE_MEMORY_SIZE: &str = "hbase.regionserver.global.memstore.memory.size";

/// The largest share of the heap the memstores may take (MemorySizeUtil's
/// MEMSTORE_HEAP_MAX_FRACTION).
pub const MEMSTORE_HEAP_FRACTION_MAX: f32 = 0.8;

/// MemorySizeUtil.getGlobalMemStoreHeapPercent (2.5.14+): an absolute size above 0 becomes its
/// share of the heap, `(float) bytes / max heap`, used if in (0, 0.8]; otherwise (unset, or
/// outside that range, which HBase logs) the fraction `hbase.regionserver.global.memstore.size`.
pub fn global_memstore_fraction(
    heap_bytes: u64,
    memory_size_bytes: Option<i64>,
    fraction: f64,
) -> f32 {
    if let Some(bytes) = memory_size_bytes.filter(|bytes| *bytes > 0) {
        let share = bytes as f32 / heap_bytes as f32;
        if share > 0.0 && share <= MEMSTORE_HEAP_FRACTION_MAX {
            return share;
        }
    }
    fraction as f32
}

fn max_logs_1_4(resolver: &mut Resolver) -> PropertyValue {
    // FSHLog.calculateMaxLogFiles (1.4): Math.round(max × ratio × 2 / logRollSize), all in
    // float; Math.round(float) is floor(x + 0.5).
    let heap = resolver.heap_bytes() as f32;
    let fraction = memstore_fraction(resolver);
    let roll = wal_roll_size(resolver) as f32;
    // Math.round(float) returns an int, saturating as the cast to i32 does.
    let computed = libm::floorf(heap * fraction * 2.0 / roll + 0.5) as i32;
    PropertyValue::Int(i64::from(computed.max(32)))
}

fn max_logs_2_5(resolver: &mut Resolver) -> PropertyValue {
    // AbstractFSWAL.calculateMaxLogFiles (2.5): (int) (globalMemStoreLimit × 2 / logRollSize) in
    // long arithmetic, where the limit is (long) (max heap × fraction) in float.
    let global_limit = (resolver.heap_bytes() as f32 * memstore_fraction(resolver)) as i64;
    let roll = wal_roll_size(resolver).max(1);
    // Java's (int) cast would wrap a count beyond an int; it saturates here, within the range.
    let computed = (global_limit * 2 / roll).min(i64::from(i32::MAX));
    PropertyValue::Int(computed.max(32))
}

fn slow_sync_millis(resolver: &mut Resolver) -> PropertyValue {
    // AbstractFSWAL reads hbase.regionserver.wal.slowsync.ms with the old name as its default.
    if resolver.is_set("hbase.regionserver.hlog.slowsync.ms") {
        return PropertyValue::Int(resolver.int("hbase.regionserver.hlog.slowsync.ms"));
    }
    PropertyValue::Int(100)
}

fn client_pause(resolver: &mut Resolver) -> PropertyValue {
    PropertyValue::Int(resolver.int("hbase.client.pause"))
}

fn overloaded_pause(resolver: &mut Resolver) -> PropertyValue {
    // 2.5 reads the deprecated hbase.client.pause.cqtbe as a fallback, then hbase.client.pause.
    if resolver.is_set("hbase.client.pause.cqtbe") {
        return PropertyValue::Int(resolver.int("hbase.client.pause.cqtbe"));
    }
    client_pause(resolver)
}

fn compaction_throttle(resolver: &mut Resolver) -> PropertyValue {
    // CompactionConfiguration: 2 × maxFilesToCompact × the store's memstore flush size.
    let max_files = resolver.int("hbase.hstore.compaction.max");
    let flush_size = resolver.int("hbase.hregion.memstore.flush.size");
    PropertyValue::Int(2 * max_files * flush_size)
}

fn wake_frequency(resolver: &mut Resolver) -> PropertyValue {
    PropertyValue::Int(resolver.int("hbase.server.thread.wakefrequency"))
}

fn compaction_threshold(resolver: &mut Resolver) -> PropertyValue {
    // CompactionConfiguration reads hbase.hstore.compaction.min with the old name as default.
    PropertyValue::Int(resolver.int("hbase.hstore.compactionThreshold"))
}

fn memstore_flush_size(resolver: &mut Resolver) -> PropertyValue {
    // 1.4's default is HStore.getMemstoreFlushSize(), the region's flush size; a table with its
    // own MEMSTORE_FLUSHSIZE is resolved per store by the compaction configuration.
    PropertyValue::Int(resolver.int("hbase.hregion.memstore.flush.size"))
}

fn compaction_max_size(resolver: &mut Resolver) -> PropertyValue {
    PropertyValue::Int(resolver.int("hbase.hstore.compaction.max.size"))
}

use PropertyKind::{Bool, Bytes, Choice, Count, Float, Megabytes, Millis, Seconds};
use Range::NotANumber;

const FRACTION: Range = Range::Fraction {
    low: 0.0,
    high: 1.0,
};

/// The memstores' share of the heap, under either name: at most MEMSTORE_HEAP_MAX_FRACTION.
const MEMSTORE_FRACTION: Range = Range::Fraction {
    low: 0.0,
    high: 0.8,
};

const fn ints(min: i64, max: i64) -> Range {
    Range::Int { min, max }
}

const fn floats(min: f64, max: f64) -> Range {
    Range::Float { min, max }
}

/// Every value at or below 0 means one thing (off, or the computed default); at most `max`.
const fn at_most(max: i64) -> Range {
    Range::Int { min: i64::MIN, max }
}

/// A span in milliseconds, from `min` to `SPAN_MAX`.
const fn millis(min: i64) -> Range {
    ints(min, SPAN_MAX_MILLIS)
}

/// A memory size in bytes, from `min` to the largest heap.
const fn memory(min: i64) -> Range {
    ints(min, HEAP_MAX as i64)
}

/// A thread pool's size.
const THREADS: Range = ints(1, THREADS_MAX);

/// A throughput limit in bytes per second.
const BANDWIDTH: Range = ints(1, BANDWIDTH_MAX as i64);

/// Java's Long.MAX_VALUE, which HBase's size limits default to for "no limit".
const NO_LIMIT: i64 = i64::MAX;

/// The largest client write buffer: 1GB, 512 times HBase's default.
const CLIENT_BUFFER_MAX: i64 = 1 << 30;
/// The most tasks a client's limits may name.
const CLIENT_TASKS_MAX: i64 = 1_000_000;
/// The largest heap size of one multi request or submit: 64MB, 16 times HBase's default, so
/// that a request's rows stay within what the model holds per request.
const CLIENT_REQUEST_HEAP_MAX: i64 = 64 << 20;
/// The most rows one multi request may be set to carry.
const CLIENT_REQUEST_ROWS_MAX: i64 = 1_000_000;

/// HRegion.MAX_FLUSH_PER_CHANGES: HBase refuses a larger hbase.regionserver.flush.per.changes.
const MAX_FLUSH_PER_CHANGES: i64 = 1_000_000_000;

/// The most files one compaction may be set to take (HBase's default is 10): enough for any
/// store, and small enough that 1.4's derived throttle (2 × this × the flush size) stays a size.
const COMPACTION_FILES_MAX: i64 = 100;

const FLUSH_POLICIES: &[&str] = &[
    "org.apache.hadoop.hbase.regionserver.FlushAllLargeStoresPolicy",
    "org.apache.hadoop.hbase.regionserver.FlushLargeStoresPolicy",
    "org.apache.hadoop.hbase.regionserver.FlushAllStoresPolicy",
    "org.apache.hadoop.hbase.regionserver.FlushNonSloppyStoresFirstPolicy",
];

/// The two policies of the default store engine (DefaultStoreEngine); FIFO and date-tiered
/// selection are other engines' and not modelled.
pub const COMPACTION_POLICIES: &[&str] = &[
    "org.apache.hadoop.hbase.regionserver.compactions.ExploringCompactionPolicy",
    "org.apache.hadoop.hbase.regionserver.compactions.RatioBasedCompactionPolicy",
];

const COMPACTION_THROUGHPUT_CONTROLLERS: &[&str] = &[
    "org.apache.hadoop.hbase.regionserver.throttle.PressureAwareCompactionThroughputController",
    "org.apache.hadoop.hbase.regionserver.throttle.NoLimitThroughputController",
];

const FLUSH_THROUGHPUT_CONTROLLERS: &[&str] = &[
    "org.apache.hadoop.hbase.regionserver.throttle.NoLimitThroughputController",
    "org.apache.hadoop.hbase.regionserver.throttle.PressureAwareFlushThroughputController",
];

const SPLIT_POLICIES: &[&str] = &[
    "org.apache.hadoop.hbase.regionserver.SteppingSplitPolicy",
    "org.apache.hadoop.hbase.regionserver.IncreasingToUpperBoundRegionSplitPolicy",
    "org.apache.hadoop.hbase.regionserver.ConstantSizeRegionSplitPolicy",
    "org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy",
];

static PROPERTIES: &[PropertyDef] = &[
    // Memstore size and flushing.
    def(
        "hbase.hregion.memstore.flush.size",
        Bytes,
        memory(1),
        "a region's memstore size that triggers a flush (the table's MEMSTORE_FLUSHSIZE overrides)",
        same(Literal::Int(134_217_728)),
    ),
    def(
        "hbase.hregion.memstore.block.multiplier",
        Count,
        ints(1, 1_000),
        "writes to a region fail with RegionTooBusyException above flush size × this",
        same(Literal::Int(4)),
    ),
    def(
        "hbase.regionserver.global.memstore.upperLimit",
        Float,
        MEMSTORE_FRACTION,
        "deprecated name of hbase.regionserver.global.memstore.size, read as a fallback",
        (DefaultValue::Unset, DefaultValue::Unset),
    ),
    def(
        "hbase.regionserver.global.memstore.size",
        Float,
        MEMSTORE_FRACTION,
        "upper limit of all memstores, a fraction of the heap; writers block above it",
        (
            DefaultValue::Derived {
                rule: "0.4, or the deprecated upperLimit if set",
                compute: global_memstore_size,
            },
            DefaultValue::Derived {
                rule: "0.4, or the deprecated upperLimit if set",
                compute: global_memstore_size,
            },
        ),
    ),
    def(
        GLOBAL_MEMSTORE_MEMORY_SIZE,
        Bytes,
        memory(1),
        "upper limit of all memstores in bytes; wins over the fraction while at most 80% of the heap",
        (DefaultValue::Unset, ABSENT),
    )
    .since(ProfileId::Hbase25, 14, "HBASE-28601"),
    def(
        "hbase.regionserver.global.memstore.lowerLimit",
        Float,
        FRACTION,
        "deprecated lower limit as a fraction of the heap, converted to a fraction of the upper",
        (DefaultValue::Unset, DefaultValue::Unset),
    ),
    def(
        "hbase.regionserver.global.memstore.size.lower.limit",
        Float,
        FRACTION,
        "lower limit as a fraction of the upper; the flusher flushes until below it",
        (
            DefaultValue::Derived {
                rule: "0.95, or lowerLimit ÷ the upper fraction if that deprecated name is set",
                compute: global_memstore_lower_limit,
            },
            DefaultValue::Derived {
                rule: "0.95, or lowerLimit ÷ the upper fraction if that deprecated name is set",
                compute: global_memstore_lower_limit,
            },
        ),
    ),
    def(
        "hbase.regionserver.offheap.global.memstore.size",
        Megabytes,
        ints(0, (HEAP_MAX >> 20) as i64),
        "off-heap memstore limit in MB (0: memstores are on the heap)",
        (int(0), ABSENT),
    ),
    def(
        "hfile.block.cache.size",
        Float,
        floats(0.0, 1.0),
        "block cache fraction of the heap; with the memstore it must leave 20% of the heap free",
        same(Literal::Float(0.4)),
    ),
    def(
        "hbase.lru.blockcache.single.percentage",
        Float,
        floats(0.0, 1.0),
        "LruBlockCache: the single-access bucket's share of the min size",
        same(Literal::Float(0.25)),
    ),
    def(
        "hbase.lru.blockcache.multi.percentage",
        Float,
        floats(0.0, 1.0),
        "LruBlockCache: the multi-access bucket's share of the min size",
        same(Literal::Float(0.5)),
    ),
    def(
        "hbase.lru.blockcache.memory.percentage",
        Float,
        floats(0.0, 1.0),
        "LruBlockCache: the in-memory bucket's share of the min size",
        same(Literal::Float(0.25)),
    ),
    def(
        "hbase.lru.blockcache.acceptable.factor",
        Float,
        floats(0.0, 1.0),
        "LruBlockCache: an eviction starts past this share of the capacity",
        same(Literal::Float(0.99)),
    ),
    def(
        "hbase.lru.blockcache.min.factor",
        Float,
        floats(0.0, 1.0),
        "LruBlockCache: an eviction frees down to this share of the capacity",
        same(Literal::Float(0.95)),
    ),
    def(
        "hbase.lru.rs.inmemoryforcemode",
        Bool,
        NotANumber,
        "LruBlockCache: single and multi blocks are evicted before any in-memory one",
        same(Literal::Bool(false)),
    ),
    def(
        "hbase.lru.max.block.size",
        Bytes,
        ints(0, FILE_BYTES_MAX as i64),
        "LruBlockCache: larger blocks are not cached",
        same(Literal::Int(16 << 20)),
    ),
    def(
        "hbase.block.data.cacheonread",
        Bool,
        NotANumber,
        "data blocks read are cached (index and bloom blocks always are)",
        same(Literal::Bool(true)),
    ),
    def(
        "hbase.rs.cacheblocksonwrite",
        Bool,
        NotANumber,
        "a flush caches the blocks it writes",
        same(Literal::Bool(false)),
    ),
    def(
        "hbase.rs.cachecompactedblocksonwrite",
        Bool,
        NotANumber,
        "a compaction caches the blocks it writes",
        (DefaultValue::Fixed(Literal::Bool(false)), ABSENT),
    ),
    def(
        "hbase.rs.evictblocksonclose",
        Bool,
        NotANumber,
        "a region closing drops its files' blocks from the cache",
        same(Literal::Bool(false)),
    ),
    def(
        "hbase.hfile.compaction.discharger.interval",
        Millis,
        millis(1),
        "the chore that archives compacted-away files (and drops their blocks from the cache)",
        same(Literal::Int(120_000)),
    ),
    def(
        "io.storefile.bloom.error.rate",
        Float,
        floats(0.0, 1.0),
        "bloom filters' false-positive rate",
        same(Literal::Float(0.01)),
    ),
    def(
        "io.storefile.bloom.block.size",
        Bytes,
        ints(1024, FILE_BYTES_MAX as i64),
        "a compound bloom filter's chunk size",
        same(Literal::Int(128 << 10)),
    ),
    def(
        "hbase.client.scanner.caching",
        Count,
        ints(1, i32::MAX as i64),
        "rows a scan RPC returns at most, unless the scan sets its caching",
        same(Literal::Int(i32::MAX as i64)),
    ),
    def(
        "hbase.client.scanner.max.result.size",
        Bytes,
        ints(1, FILE_BYTES_MAX as i64),
        "bytes of cells a scan RPC returns at most",
        same(Literal::Int(2 << 20)),
    ),
    def(
        "hbase.ipc.server.callqueue.read.ratio",
        Float,
        floats(0.0, 1.0),
        "the share of call queues and handlers for reads (0: reads and writes share them)",
        same(Literal::Float(0.0)),
    ),
    def(
        "hbase.ipc.server.callqueue.scan.ratio",
        Float,
        floats(0.0, 1.0),
        "the share of the read queues and handlers for scans",
        same(Literal::Float(0.0)),
    ),
    def(
        "hbase.hstore.flusher.count",
        Count,
        THREADS,
        "MemStoreFlusher handler threads",
        same(Literal::Int(2)),
    ),
    def(
        "hbase.server.thread.wakefrequency",
        Millis,
        millis(1),
        "flush handlers' poll timeout (a global-pressure check when it expires)",
        same(Literal::Int(10_000)),
    ),
    def(
        "hbase.regionserver.flush.check.period",
        Millis,
        millis(1),
        "period of the periodic-flush chore (before it, hbase.server.thread.wakefrequency)",
        (
            DefaultValue::Derived {
                rule: "= hbase.server.thread.wakefrequency",
                compute: wake_frequency,
            },
            DefaultValue::Derived {
                rule: "= hbase.server.thread.wakefrequency",
                compute: wake_frequency,
            },
        ),
    )
    .since(ProfileId::Hbase14, 11, "HBASE-22596"),
    def(
        "hbase.regionserver.optionalcacheflushinterval",
        Millis,
        at_most(SPAN_MAX_MILLIS),
        "periodic flush of a region whose oldest edit is older than this (≤ 0 disables)",
        same(Literal::Int(3_600_000)),
    ),
    def(
        "hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds",
        Seconds,
        ints(0, SPAN_MAX_SECS),
        "periodic flush requests are delayed uniformly in [0, this) (before it, 300 s)",
        (int(300), int(300)),
    )
    .since(ProfileId::Hbase14, 8, "HBASE-19418"),
    def(
        "hbase.regionserver.flush.per.changes",
        Count,
        ints(1, MAX_FLUSH_PER_CHANGES),
        "flush a region after this many edits since its last flush",
        same(Literal::Int(30_000_000)),
    ),
    def(
        "hbase.regionserver.flush.policy",
        Choice(FLUSH_POLICIES),
        NotANumber,
        "which column families a region flush writes",
        (
            text("org.apache.hadoop.hbase.regionserver.FlushAllLargeStoresPolicy"),
            text("org.apache.hadoop.hbase.regionserver.FlushLargeStoresPolicy"),
        ),
    ),
    def(
        "hbase.hregion.percolumnfamilyflush.size.lower.bound",
        Bytes,
        memory(0),
        "a store larger than this is 'large' for the flush policy (2.x reads it from the table only)",
        (ABSENT, int(16_777_216)),
    ),
    def(
        "hbase.hregion.percolumnfamilyflush.size.lower.bound.min",
        Bytes,
        memory(0),
        "floor of flush size ÷ families for the 'large store' bound",
        (int(16_777_216), ABSENT),
    ),
    def(
        "hbase.hregion.preclose.flush.size",
        Bytes,
        memory(0),
        "pre-flush before closing a region whose memstore holds more than this",
        same(Literal::Int(5_242_880)),
    ),
    def(
        "hbase.hregion.memstore.mslab.enabled",
        Bool,
        NotANumber,
        "memstore-local allocation buffers",
        same(Literal::Bool(true)),
    ),
    def(
        "hbase.hregion.memstore.mslab.max.allocation",
        Bytes,
        memory(1),
        "cells larger than this are not copied into MSLAB chunks",
        same(Literal::Int(262_144)),
    ),
    def(
        "hbase.hregion.compacting.memstore.type",
        Choice(&["NONE", "BASIC", "EAGER", "ADAPTIVE"]),
        NotANumber,
        "in-memory compaction (NONE: the default memstore)",
        (text("NONE"), ABSENT),
    ),
    // FlushThroughputControllerFactory and PressureAwareFlushThroughputController: the same
    // class, keys and defaults in both lines.
    def(
        "hbase.regionserver.flush.throughput.controller",
        Choice(FLUSH_THROUGHPUT_CONTROLLERS),
        NotANumber,
        "flush I/O throttle (none by default)",
        same(Literal::Text(
            "org.apache.hadoop.hbase.regionserver.throttle.NoLimitThroughputController",
        )),
    ),
    def(
        "hbase.hstore.flush.throughput.lower.bound",
        Bytes,
        BANDWIDTH,
        "pressure-aware flush limit (bytes/s) with an empty memstore",
        same(Literal::Int(100 << 20)),
    ),
    def(
        "hbase.hstore.flush.throughput.upper.bound",
        Bytes,
        BANDWIDTH,
        "pressure-aware flush limit (bytes/s) just below the global lower limit (unlimited at it)",
        same(Literal::Int(200 << 20)),
    ),
    def(
        "hbase.hstore.flush.throughput.tune.period",
        Millis,
        millis(1),
        "how often the pressure-aware flush controller recomputes its limit",
        same(Literal::Int(20_000)),
    ),
    // Compaction execution (CompactSplit, the throughput controller) and region splits.
    def(
        "hbase.regionserver.compaction.enabled",
        Bool,
        NotANumber,
        "whether this server runs compactions at all",
        (DefaultValue::Fixed(Literal::Bool(true)), ABSENT),
    ),
    def(
        "hbase.regionserver.thread.compaction.large",
        Count,
        THREADS,
        "threads of the large-compaction pool",
        same(Literal::Int(1)),
    ),
    def(
        "hbase.regionserver.thread.compaction.small",
        Count,
        THREADS,
        "threads of the small-compaction pool",
        same(Literal::Int(1)),
    ),
    def(
        "hbase.regionserver.thread.compaction.throttle",
        Bytes,
        ints(0, FILE_BYTES_MAX as i64),
        "a selection larger than this runs in the large-compaction pool",
        (
            int(2_684_354_560),
            DefaultValue::Derived {
                rule: "2 × hbase.hstore.compaction.max × the store's flush size (the table's MEMSTORE_FLUSHSIZE, else hbase.hregion.memstore.flush.size)",
                compute: compaction_throttle,
            },
        ),
    ),
    def(
        "hbase.regionserver.throughput.controller",
        Choice(COMPACTION_THROUGHPUT_CONTROLLERS),
        NotANumber,
        "compaction I/O throttle (pressure-aware in 2.x, none in 1.4)",
        (
            text(
                "org.apache.hadoop.hbase.regionserver.throttle.PressureAwareCompactionThroughputController",
            ),
            text("org.apache.hadoop.hbase.regionserver.throttle.NoLimitThroughputController"),
        ),
    ),
    def(
        "hbase.hstore.compaction.throughput.lower.bound",
        Bytes,
        BANDWIDTH,
        "pressure-aware limit (bytes/s) with no compaction pressure",
        (int(50 << 20), int(10 << 20)),
    ),
    def(
        "hbase.hstore.compaction.throughput.higher.bound",
        Bytes,
        BANDWIDTH,
        "pressure-aware limit (bytes/s) at pressure 1 (a store at its blocking file count)",
        (int(100 << 20), int(20 << 20)),
    ),
    def(
        "hbase.hstore.compaction.throughput.offpeak",
        Bytes,
        ints(1, NO_LIMIT),
        "pressure-aware limit (bytes/s) in off-peak hours (Long.MAX_VALUE: none)",
        same(Literal::Int(i64::MAX)),
    ),
    def(
        "hbase.hstore.compaction.throughput.tune.period",
        Millis,
        millis(1),
        "how often the pressure-aware controller recomputes its limit",
        same(Literal::Int(60_000)),
    ),
    def(
        "hbase.regionserver.compaction.check.period",
        Millis,
        millis(1),
        "period of the CompactionChecker chore",
        (
            DefaultValue::Derived {
                rule: "= hbase.server.thread.wakefrequency",
                compute: wake_frequency,
            },
            DefaultValue::Derived {
                rule: "= hbase.server.thread.wakefrequency",
                compute: wake_frequency,
            },
        ),
    ),
    def(
        "hbase.server.compactchecker.interval.multiplier",
        Count,
        ints(1, 1_000_000),
        "the CompactionChecker looks at each store every this many runs",
        same(Literal::Int(1000)),
    ),
    def(
        "hbase.regionserver.compactionChecker.majorCompactPriority",
        Count,
        ints(i32::MIN as i64, i32::MAX as i64),
        "priority of the checker's time-based major compactions (Integer.MAX_VALUE: the store's)",
        same(Literal::Int(i32::MAX as i64)),
    ),
    def(
        "hbase.regionserver.region.split.policy",
        Choice(SPLIT_POLICIES),
        NotANumber,
        "when a region splits",
        (
            text("org.apache.hadoop.hbase.regionserver.SteppingSplitPolicy"),
            text("org.apache.hadoop.hbase.regionserver.IncreasingToUpperBoundRegionSplitPolicy"),
        ),
    ),
    def(
        "hbase.hregion.max.filesize",
        Bytes,
        ints(1, FILE_BYTES_MAX as i64),
        "a store bigger than this splits its region (the table's MAX_FILESIZE overrides)",
        same(Literal::Int(10 << 30)),
    ),
    def(
        "hbase.hregion.max.filesize.jitter",
        Float,
        floats(0.0, 1.0),
        "the split size is max.filesize × (1 + (u − 0.5) × this), u uniform, drawn per region",
        same(Literal::Float(0.25)),
    ),
    def(
        "hbase.increasing.policy.initial.size",
        Bytes,
        at_most(FILE_BYTES_MAX as i64),
        "the stepping/increasing policies' first split size (≤ 0: 2 × the table's flush size)",
        same(Literal::Int(-1)),
    ),
    def(
        "hbase.hregion.split.overallfiles",
        Bool,
        NotANumber,
        "compare the region's total file size, not each store's, with the split size",
        (DefaultValue::Fixed(Literal::Bool(false)), ABSENT),
    ),
    def(
        "hbase.regionserver.regionSplitLimit",
        Count,
        ints(1, REGIONS_MAX as i64),
        "no split is requested once the server holds this many regions",
        same(Literal::Int(1000)),
    ),
    def(
        "hbase.hstore.blockingStoreFiles",
        Count,
        ints(1, 100_000),
        "a store with more files than this delays its region's flushes",
        (int(16), int(10)),
    ),
    def(
        "hbase.hstore.blockingWaitTime",
        Millis,
        millis(0),
        "how long a flush waits for a compaction when its store has too many files",
        same(Literal::Int(90_000)),
    ),
    def(
        "hbase.hstore.compactionThreshold",
        Count,
        ints(1, COMPACTION_FILES_MAX),
        "old name of hbase.hstore.compaction.min, the one hbase-default.xml sets",
        same(Literal::Int(3)),
    ),
    // Compaction selection (CompactionConfiguration, OffPeakHours, DefaultStoreEngine). 1.4's
    // hbase-default.xml lists none of these but compaction.max, so its defaults are the code's;
    // 2.5's lists them all, compaction.min with an empty value (unset).
    def(
        "hbase.hstore.compaction.min",
        Count,
        ints(1, COMPACTION_FILES_MAX),
        "fewest files a minor compaction takes (HBase uses at least 2)",
        (
            DefaultValue::Derived {
                rule: "= hbase.hstore.compactionThreshold, its old name",
                compute: compaction_threshold,
            },
            DefaultValue::Derived {
                rule: "= hbase.hstore.compactionThreshold, its old name",
                compute: compaction_threshold,
            },
        ),
    ),
    def(
        "hbase.hstore.compaction.max",
        Count,
        ints(1, COMPACTION_FILES_MAX),
        "most files a compaction takes (a user-requested major takes all)",
        same(Literal::Int(10)),
    ),
    def(
        "hbase.hstore.compaction.ratio",
        Float,
        floats(0.0, 1000.0),
        "a file joins a minor compaction if at most this × the sum of the others' sizes",
        same(Literal::Float(1.2)),
    ),
    def(
        "hbase.hstore.compaction.ratio.offpeak",
        Float,
        floats(0.0, 1000.0),
        "the ratio in off-peak hours (one off-peak compaction per server at a time)",
        same(Literal::Float(5.0)),
    ),
    def(
        "hbase.hstore.compaction.min.size",
        Bytes,
        ints(0, FILE_BYTES_MAX as i64),
        "files (and selections) smaller than this skip the ratio test",
        (
            int(134_217_728),
            DefaultValue::Derived {
                rule: "the store's flush size: the table's MEMSTORE_FLUSHSIZE, else hbase.hregion.memstore.flush.size",
                compute: memstore_flush_size,
            },
        ),
    ),
    def(
        "hbase.hstore.compaction.max.size",
        Bytes,
        ints(0, NO_LIMIT),
        "larger files (and minor selections) are left out of minor compactions",
        same(Literal::Int(i64::MAX)),
    ),
    def(
        "hbase.hstore.compaction.max.size.offpeak",
        Bytes,
        ints(0, NO_LIMIT),
        "hbase.hstore.compaction.max.size in off-peak hours",
        (
            DefaultValue::Derived {
                rule: "= hbase.hstore.compaction.max.size",
                compute: compaction_max_size,
            },
            DefaultValue::Derived {
                rule: "= hbase.hstore.compaction.max.size",
                compute: compaction_max_size,
            },
        ),
    ),
    def(
        "hbase.offpeak.start.hour",
        Count,
        ints(-1, 23),
        "first off-peak hour of the day, 0-23 (-1 with the end hour -1: no off-peak hours)",
        same(Literal::Int(-1)),
    ),
    def(
        "hbase.offpeak.end.hour",
        Count,
        ints(-1, 23),
        "hour of the day at which off-peak hours end, 0-23 (excluded)",
        same(Literal::Int(-1)),
    ),
    def(
        "hbase.hregion.majorcompaction",
        Millis,
        millis(0),
        "time between a store's time-based major compactions (0 disables them)",
        same(Literal::Int(604_800_000)),
    ),
    def(
        "hbase.hregion.majorcompaction.jitter",
        Float,
        floats(0.0, 1.0),
        "the major compaction period varies by ± this fraction, fixed per store",
        same(Literal::Float(0.5)),
    ),
    def(
        "hbase.hstore.defaultengine.compactionpolicy.class",
        Choice(COMPACTION_POLICIES),
        NotANumber,
        "the default store engine's compaction selection policy",
        same(Literal::Text(
            "org.apache.hadoop.hbase.regionserver.compactions.ExploringCompactionPolicy",
        )),
    ),
    // Locks on the write path.
    def(
        "hbase.busy.wait.duration",
        Millis,
        millis(0),
        "wait for a region's updates lock per row, times min(rows, the multiplier)",
        same(Literal::Int(60_000)),
    ),
    def(
        "hbase.busy.wait.multiplier.max",
        Count,
        ints(1, 100),
        "cap on the row multiplier of the busy wait",
        same(Literal::Int(2)),
    ),
    def(
        "hbase.ipc.client.call.purge.timeout",
        Millis,
        millis(0),
        "cap on the busy wait",
        same(Literal::Int(120_000)),
    ),
    def(
        "hbase.rowlock.wait.duration",
        Millis,
        millis(0),
        "row-lock wait before a TimeoutIOException",
        same(Literal::Int(30_000)),
    ),
    // StoreHotnessProtector (HBASE-19389, 2.x only; off by default since HBASE-26814).
    def(
        "hbase.region.store.parallel.put.limit",
        Count,
        ints(0, HANDLERS_MAX),
        "StoreHotnessProtector: writers putting into one store at once (0: off)",
        (int(0), ABSENT),
    ),
    def(
        "hbase.region.store.parallel.prepare.put.multiplier",
        Count,
        ints(0, 1_000),
        "StoreHotnessProtector: mutations of one store in mini-batches at once, × the put limit",
        (int(2), ABSENT),
    ),
    def(
        "hbase.region.store.parallel.put.limit.min.column.count",
        Count,
        ints(0, 1_000_000),
        "StoreHotnessProtector: only mutations with more cells than this in a family count",
        (int(100), ABSENT),
    ),
    def(
        "hbase.regionserver.minibatch.size",
        Count,
        ints(1, 1_000_000),
        "most operations in one mini-batch",
        (int(20_000), ABSENT),
    ),
    // The WAL.
    def(
        "hbase.wal.provider",
        Choice(&["asyncfs", "filesystem", "multiwal"]),
        NotANumber,
        "WAL implementation (asyncfs: AsyncFSWAL; filesystem: FSHLog)",
        (text("asyncfs"), text("filesystem")),
    ),
    def(
        "dfs.blocksize",
        Bytes,
        memory(1),
        "HDFS block size, the base of the WAL block size",
        same(Literal::Int(HDFS_BLOCK_SIZE)),
    ),
    def(
        "hbase.regionserver.hlog.blocksize",
        Bytes,
        ints(1, 2 * HEAP_MAX as i64),
        "WAL block size",
        (
            DefaultValue::Derived {
                rule: "2 × dfs.blocksize",
                compute: wal_block_size_2_5,
            },
            DefaultValue::Derived {
                rule: "= dfs.blocksize",
                compute: wal_block_size_1_4,
            },
        ),
    ),
    def(
        "hbase.regionserver.logroll.multiplier",
        Float,
        Range::Fraction {
            low: 0.0,
            high: 1.0,
        },
        "roll the WAL when its file passes block size × this",
        (float(0.5), float(0.95)),
    ),
    def(
        "hbase.regionserver.logroll.period",
        Millis,
        millis(1),
        "roll the WAL at least this often",
        same(Literal::Int(3_600_000)),
    ),
    def(
        "hbase.regionserver.maxlogs",
        Count,
        ints(1, i32::MAX as i64),
        "more WAL files than this force flushes of the regions in the oldest",
        (
            DefaultValue::Derived {
                rule: "max(32, global memstore limit × 2 ÷ WAL roll size)",
                compute: max_logs_2_5,
            },
            DefaultValue::Derived {
                rule: "max(32, round(heap × memstore fraction × 2 ÷ WAL roll size))",
                compute: max_logs_1_4,
            },
        ),
    ),
    def(
        "hbase.regionserver.hlog.syncer.count",
        Count,
        THREADS,
        "FSHLog sync runner threads",
        same(Literal::Int(5)),
    ),
    def(
        "hbase.wal.batch.size",
        Bytes,
        memory(0),
        "AsyncFSWAL syncs on its own once this much is unsynced",
        (int(65_536), ABSENT),
    ),
    // AbstractFSWAL's slow syncs (2.5). 1.4's hbase.regionserver.hlog.slowsync.ms only decides
    // what FSHLog logs, and is refused there (not_modelled.rs).
    def(
        "hbase.regionserver.hlog.slowsync.ms",
        Millis,
        millis(0),
        "deprecated name of hbase.regionserver.wal.slowsync.ms, read as a fallback",
        (DefaultValue::Unset, ABSENT),
    ),
    def(
        "hbase.regionserver.wal.slowsync.ms",
        Millis,
        millis(0),
        "a WAL sync slower than this is slow: counted for the slow-sync roll, and only such a sync can roll on sync",
        (
            DefaultValue::Derived {
                rule: "100, or the deprecated hbase.regionserver.hlog.slowsync.ms if set",
                compute: slow_sync_millis,
            },
            ABSENT,
        ),
    ),
    def(
        "hbase.regionserver.wal.roll.on.sync.ms",
        Millis,
        millis(0),
        "roll the WAL if one slow sync takes longer than this",
        (int(10_000), ABSENT),
    ),
    def(
        "hbase.regionserver.wal.slowsync.roll.threshold",
        Count,
        ints(1, 1_000_000),
        "FSHLog (hbase.wal.provider = filesystem): roll the WAL after this many slow syncs within the interval",
        (int(100), ABSENT),
    ),
    def(
        "hbase.regionserver.wal.slowsync.roll.interval.ms",
        Millis,
        millis(1),
        "FSHLog: the interval over which slow syncs are counted for the roll",
        (int(60_000), ABSENT),
    ),
    def(
        "hbase.regionserver.hlog.sync.timeout",
        Millis,
        millis(1),
        "a handler gives up waiting for a WAL sync after this",
        (ABSENT, int(300_000)),
    ),
    def(
        "hbase.regionserver.wal.sync.timeout",
        Millis,
        millis(1),
        "a handler gives up waiting for a WAL sync after this",
        (int(300_000), ABSENT),
    ),
    def(
        "hbase.wal.hsync",
        Bool,
        NotANumber,
        "default durability FSYNC_WAL (hsync) instead of SYNC_WAL (hflush)",
        (DefaultValue::Fixed(Literal::Bool(false)), ABSENT),
    ),
    // WAL splitting (WALSplitter; SPLIT_SKIP_ERRORS_DEFAULT, not in hbase-default.xml). 0.90's
    // master-side splitter defaulted to true; false everywhere since 0.96.
    def(
        "hbase.hlog.split.skip.errors",
        Bool,
        NotANumber,
        "a WAL split whose reading throws an IOException sets the file aside and goes on, instead of failing to be retried",
        same(Literal::Bool(false)),
    ),
    // HConstants.HBASE_SPLIT_WAL_COORDINATED_BY_ZK: false from 2.4.0 (HBASE-24632); 1.4 always
    // splits through ZooKeeper.
    def(
        "hbase.split.wal.zk.coordinated",
        Bool,
        NotANumber,
        "split WALs through ZooKeeper tasks (a corrupt file goes to corrupt/) rather than master procedures (to oldWALs/)",
        (DefaultValue::Fixed(Literal::Bool(false)), ABSENT),
    ),
    // HConstants.DEFAULT_HBASE_SPLIT_WAL_MAX_SPLITTER (2.5);
    // SplitLogWorkerCoordination.DEFAULT_MAX_SPLITTERS (1.4).
    def(
        "hbase.regionserver.wal.max.splitters",
        Count,
        THREADS,
        "WAL split tasks one region server runs at a time",
        same(Literal::Int(2)),
    ),
    // RecoverLeaseFSUtils (2.5) / FSHDFSUtils (1.4): the pause after the first recoverLease.
    def(
        "hbase.lease.recovery.first.pause",
        Millis,
        millis(0),
        "the wait after asking HDFS to recover the lease of a WAL its dead writer held open",
        same(Literal::Int(4_000)),
    ),
    // RemoteProcedureDispatcher: how long a remote call (a split task) waits to be batched.
    def(
        "hbase.procedure.remote.dispatcher.delay.msec",
        Millis,
        millis(0),
        "the wait before the master dispatches a split task to a worker (procedure-based split)",
        (DefaultValue::Fixed(Literal::Int(150)), ABSENT),
    ),
    // The master's LogCleaner chore (HMaster: hbase.master.cleaner.interval, a code default of
    // 10 minutes in both lines) and TimeToLiveLogCleaner's TTL (hbase-default.xml).
    def(
        "hbase.master.cleaner.interval",
        Millis,
        millis(1),
        "how often the master's LogCleaner deletes old WALs past their TTL from oldWALs/",
        same(Literal::Int(600_000)),
    ),
    def(
        "hbase.master.logcleaner.ttl",
        Millis,
        millis(0),
        "how long a WAL stays in oldWALs/ after it was archived (a split one included)",
        same(Literal::Int(600_000)),
    ),
    // HRegionServer.run: the region server's report to the master (RegionServerReport, with
    // each region's RegionLoad) every msgInterval; hbase-default.xml, 3 s in both lines.
    def(
        "hbase.regionserver.msginterval",
        Millis,
        millis(1),
        "how often the region server reports its regions' flushed sequence ids to the master (what a WAL split filters by)",
        same(Literal::Int(3_000)),
    ),
    // HRegionServer's RS_OPEN_REGION executor.
    def(
        "hbase.regionserver.executor.openregion.threads",
        Count,
        THREADS,
        "regions a region server opens at a time (replaying their recovered edits)",
        same(Literal::Int(3)),
    ),
    // The client.
    def(
        "hbase.client.pause",
        Millis,
        millis(0),
        "base retry pause, times HBase's backoff table",
        same(Literal::Int(100)),
    ),
    def(
        "hbase.client.pause.cqtbe",
        Millis,
        millis(0),
        "retry pause after CallQueueTooBigException (2.x: deprecated fallback name)",
        (
            DefaultValue::Unset,
            DefaultValue::Derived {
                rule: "= hbase.client.pause",
                compute: client_pause,
            },
        ),
    ),
    def(
        "hbase.client.pause.server.overloaded",
        Millis,
        millis(0),
        "retry pause after CallQueueTooBigException or CallDroppedException",
        (
            DefaultValue::Derived {
                rule: "hbase.client.pause.cqtbe if set, else hbase.client.pause",
                compute: overloaded_pause,
            },
            ABSENT,
        ),
    ),
    def(
        "hbase.client.retries.number",
        Count,
        ints(0, 10_000),
        "retries of an operation (attempts = retries + 1)",
        (int(15), int(35)),
    ),
    // The client's BufferedMutator and AsyncProcess (SimpleRequestController), used by
    // workloads with client = "buffered_mutator".
    def(
        "hbase.client.write.buffer",
        Bytes,
        ints(1, CLIENT_BUFFER_MAX),
        "a BufferedMutator sends its buffer once it holds more than this (mutations' heap sizes)",
        same(Literal::Int(2_097_152)),
    ),
    def(
        "hbase.client.max.total.tasks",
        Count,
        ints(1, CLIENT_TASKS_MAX),
        "AsyncProcess: multi requests in flight at once, all servers together",
        same(Literal::Int(100)),
    ),
    def(
        "hbase.client.max.perserver.tasks",
        Count,
        ints(1, CLIENT_TASKS_MAX),
        "AsyncProcess: multi requests in flight to one server",
        (int(2), int(5)),
    ),
    def(
        "hbase.client.max.perregion.tasks",
        Count,
        ints(1, CLIENT_TASKS_MAX),
        "AsyncProcess: multi requests in flight carrying rows of one region",
        same(Literal::Int(1)),
    ),
    def(
        "hbase.client.max.perrequest.heapsize",
        Bytes,
        ints(1, CLIENT_REQUEST_HEAP_MAX),
        "AsyncProcess: a multi request to one server takes rows up to this heap size (the first always)",
        same(Literal::Int(4_194_304)),
    ),
    def(
        "hbase.client.max.submit.heapsize",
        Bytes,
        ints(1, CLIENT_REQUEST_HEAP_MAX),
        "AsyncProcess: one submit stops taking rows once it holds this heap size",
        same(Literal::Int(4_194_304)),
    ),
    def(
        "hbase.client.max.perrequest.rows",
        Count,
        ints(1, CLIENT_REQUEST_ROWS_MAX),
        "AsyncProcess: rows in one multi request to one server",
        (int(2048), ABSENT),
    ),
    def(
        "hbase.client.write.buffer.periodicflush.timeout.ms",
        Millis,
        millis(0),
        "a BufferedMutator's timer sends the buffer once its first mutation is this old (0: never)",
        (int(0), ABSENT),
    ),
    def(
        "hbase.client.write.buffer.periodicflush.timertick.ms",
        Millis,
        millis(100),
        "how often a BufferedMutator's timer looks at its buffer (HBase raises less than 100 to 100)",
        (int(1000), ABSENT),
    ),
    def(
        "hbase.client.operation.timeout",
        Millis,
        millis(1),
        "overall client operation timeout",
        same(Literal::Int(1_200_000)),
    ),
    def(
        "hbase.rpc.timeout",
        Millis,
        millis(1),
        "timeout of one RPC",
        same(Literal::Int(60_000)),
    ),
    // The RPC server.
    def(
        "hbase.regionserver.handler.count",
        Count,
        ints(1, HANDLERS_MAX),
        "RPC handler threads",
        same(Literal::Int(30)),
    ),
    def(
        "hbase.ipc.server.callqueue.handler.factor",
        Float,
        floats(0.0, 1.0),
        "call queues per handler: queues = max(1, round(handlers × this))",
        same(Literal::Float(0.1)),
    ),
    def(
        "hbase.ipc.server.max.callqueue.length",
        Count,
        ints(1, 1_000_000),
        "calls per call queue before CallQueueTooBigException",
        (
            DefaultValue::Derived {
                rule: "per queue: handlers × 10 before 2.5.14, (handlers ÷ call queues) × 10 from 2.5.14 (HBASE-29141)",
                compute: callqueue_length_2_5,
            },
            DefaultValue::Derived {
                rule: "hbase.regionserver.handler.count × 10, per queue",
                compute: callqueue_length_1_4,
            },
        ),
    ),
    def(
        "hbase.ipc.server.max.callqueue.size",
        Bytes,
        memory(1),
        "bytes of queued calls before CallQueueTooBigException",
        same(Literal::Int(1_073_741_824)),
    ),
    def(
        "hbase.ipc.server.callqueue.type",
        Choice(&["fifo", "deadline", "codel", "pluggable"]),
        NotANumber,
        "call queue discipline: fifo and codel with idle handlers taking calls directly, deadline without",
        same(Literal::Text("fifo")),
    ),
    def(
        "hbase.ipc.server.callqueue.codel.target.delay",
        Millis,
        millis(0),
        "codel: a queue whose least queueing time over an interval exceeds this is overloaded",
        same(Literal::Int(100)),
    ),
    def(
        "hbase.ipc.server.callqueue.codel.interval",
        Millis,
        millis(0),
        "codel: the interval over which the least queueing time is measured",
        same(Literal::Int(100)),
    ),
    def(
        "hbase.ipc.server.callqueue.codel.lifo.threshold",
        Float,
        FRACTION,
        "codel: handlers take the newest call once a queue is fuller than this",
        same(Literal::Float(0.8)),
    ),
    // ZooKeeper.
    def(
        "zookeeper.session.timeout",
        Millis,
        millis(1),
        "after this the master considers a silent server dead",
        same(Literal::Int(90_000)),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    // Names are unique, every number has both ends of its range (and only numbers have one),
    // and every default satisfies its own range.
    #[test]
    fn table_is_consistent() {
        for (index, def) in PROPERTIES.iter().enumerate() {
            let number = !matches!(def.kind, PropertyKind::Bool | PropertyKind::Choice(_));
            assert_eq!(
                number,
                def.range != Range::NotANumber,
                "{}: {:?} with {:?}",
                def.name,
                def.kind,
                def.range
            );
            match def.range {
                Range::Int { min, max } => assert!(min < max, "{}", def.name),
                Range::Fraction { low, high } => assert!(low < high, "{}", def.name),
                Range::Float { min, max } => assert!(min < max, "{}", def.name),
                Range::NotANumber => {}
            }
            assert!(
                PROPERTIES[..index]
                    .iter()
                    .all(|other| other.name != def.name),
                "{} is listed twice",
                def.name
            );
            for profile in ProfileId::ALL {
                if let DefaultValue::Fixed(literal) = def.default_in(profile) {
                    def.check_range(&literal.to_value())
                        .unwrap_or_else(|message| panic!("{profile}: {message}"));
                }
            }
        }
    }

    // HBase's documented defaults, spot-checked against the reference table.
    #[test]
    fn defaults_match_hbase() {
        let fixed = |name, profile| match definition(name).unwrap().default_in(profile) {
            DefaultValue::Fixed(literal) => literal,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(
            fixed("hbase.hstore.blockingStoreFiles", ProfileId::Hbase25),
            Literal::Int(16)
        );
        assert_eq!(
            fixed("hbase.hstore.blockingStoreFiles", ProfileId::Hbase14),
            Literal::Int(10)
        );
        assert_eq!(
            fixed("hbase.client.retries.number", ProfileId::Hbase25),
            Literal::Int(15)
        );
        assert_eq!(
            fixed("hbase.client.retries.number", ProfileId::Hbase14),
            Literal::Int(35)
        );
        assert_eq!(
            fixed("hbase.regionserver.logroll.multiplier", ProfileId::Hbase14),
            Literal::Float(0.95)
        );
        assert_eq!(
            fixed(
                "hbase.hstore.flush.throughput.tune.period",
                ProfileId::Hbase14
            ),
            Literal::Int(20_000)
        );
    }
}
