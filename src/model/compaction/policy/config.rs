//! CompactionConfiguration: the selection settings as typed numbers, with HBase's own readings
//! (`max(2, …)` for the minimum file count, the ratios read as Java floats), and OffPeakHours.
//!
//! Read once per store from the properties in force. Per-table and per-family configuration
//! (HBase's CompoundConfiguration of the descriptors over the site) is left out, except the
//! table's MEMSTORE_FLUSHSIZE, which 1.4 uses as the default minimum compaction size.

use crate::scenario::profile::ProfileId;
use crate::scenario::properties::{Properties, Source};

/// `hbase.hstore.defaultengine.compactionpolicy.class`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// ExploringCompactionPolicy (the default since 0.96): the best window of every start and
    /// length.
    Exploring,
    /// RatioBasedCompactionPolicy: from the oldest file that is within the ratio of the newer
    /// ones, to the newest.
    RatioBased,
}

impl PolicyKind {
    /// The policy named by its class (or its simple name): ExploringCompactionPolicy or
    /// RatioBasedCompactionPolicy.
    pub fn from_class_name(name: &str) -> Option<PolicyKind> {
        match name.rsplit('.').next()? {
            "ExploringCompactionPolicy" => Some(PolicyKind::Exploring),
            "RatioBasedCompactionPolicy" => Some(PolicyKind::RatioBased),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Exploring => "exploring",
            PolicyKind::RatioBased => "ratio",
        }
    }
}

/// OffPeakHours: `[start, end)` hours of the day, wrapping past midnight when start > end.
/// HBase disables them when both are -1, either is not an hour (0–23) or they are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffPeakHours {
    hours: Option<(u32, u32)>,
}

impl OffPeakHours {
    pub const DISABLED: OffPeakHours = OffPeakHours { hours: None };

    /// OffPeakHours.getInstance(start, end).
    pub fn new(start_hour: i64, end_hour: i64) -> OffPeakHours {
        let hour = |value: i64| u32::try_from(value).ok().filter(|hour| *hour <= 23);
        match (hour(start_hour), hour(end_hour)) {
            (Some(start), Some(end)) if start != end => OffPeakHours {
                hours: Some((start, end)),
            },
            _ => OffPeakHours::DISABLED,
        }
    }

    pub fn is_enabled(self) -> bool {
        self.hours.is_some()
    }

    /// Whether `hour` (0–23) is off-peak.
    pub fn contains_hour(self, hour: u32) -> bool {
        match self.hours {
            None => false,
            Some((start, end)) if start <= end => start <= hour && hour < end,
            Some((start, end)) => hour < end || start <= hour,
        }
    }

    /// Whether the instant `epoch_ms` is off-peak. CurrentHourProvider reads the hour in the
    /// server's time zone; the simulated server keeps UTC.
    pub fn contains(self, epoch_ms: u64) -> bool {
        self.contains_hour(hour_of_day_utc(epoch_ms))
    }
}

/// The hour of the day (0–23, UTC) of an instant in milliseconds since the epoch.
pub fn hour_of_day_utc(epoch_ms: u64) -> u32 {
    ((epoch_ms / 3_600_000) % 24) as u32
}

/// The properties `CompactionConfig::from_properties` reads.
pub const PROPERTIES: &[&str] = &[
    "hbase.hstore.defaultengine.compactionpolicy.class",
    "hbase.hstore.compactionThreshold",
    "hbase.hstore.compaction.min",
    "hbase.hstore.compaction.max",
    "hbase.hstore.compaction.ratio",
    "hbase.hstore.compaction.ratio.offpeak",
    "hbase.hstore.compaction.min.size",
    "hbase.hstore.compaction.max.size",
    "hbase.hstore.compaction.max.size.offpeak",
    "hbase.hstore.blockingStoreFiles",
    "hbase.hregion.majorcompaction",
    "hbase.hregion.majorcompaction.jitter",
    "hbase.offpeak.start.hour",
    "hbase.offpeak.end.hour",
    "hbase.hregion.memstore.flush.size",
];

/// One store's compaction selection settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactionConfig {
    pub policy: PolicyKind,
    /// `max(2, hbase.hstore.compaction.min)`: fewest files of a minor compaction.
    pub min_files: usize,
    /// hbase.hstore.compaction.max.
    pub max_files: usize,
    /// hbase.hstore.compaction.ratio, the Java float widened to a double (1.2F is
    /// 1.2000000476837158).
    pub ratio: f64,
    /// hbase.hstore.compaction.ratio.offpeak, likewise.
    pub ratio_off_peak: f64,
    /// hbase.hstore.compaction.min.size.
    pub min_size_bytes: u64,
    /// hbase.hstore.compaction.max.size (Long.MAX_VALUE by default).
    pub max_size_bytes: u64,
    /// hbase.hstore.compaction.max.size.offpeak.
    pub max_size_off_peak_bytes: u64,
    /// hbase.hstore.blockingStoreFiles: the "may be stuck" threshold and the priority's base.
    pub blocking_store_files: usize,
    /// hbase.hregion.majorcompaction (0: no time-based major compactions).
    pub major_period_ms: u64,
    /// hbase.hregion.majorcompaction.jitter, the Java float widened.
    pub major_jitter: f64,
    pub off_peak_hours: OffPeakHours,
    /// 2.x puts a request over reference files (a split daughter's) first in the queue
    /// (HStore's SPLIT_REGION_COMPACTION_PRIORITY); 1.4 does not.
    pub split_priority: bool,
}

/// Widens a property read as a Java float, as `conf.getFloat` then a double would.
fn java_float(value: f64) -> f64 {
    f64::from(value as f32)
}

impl CompactionConfig {
    /// The settings of a store whose region flushes at `store_flush_size_bytes` (the table's
    /// MEMSTORE_FLUSHSIZE, else hbase.hregion.memstore.flush.size). The properties must have
    /// passed `scenario::check_compaction_properties`.
    pub fn from_properties(properties: &Properties, store_flush_size_bytes: u64) -> Self {
        let min_size = "hbase.hstore.compaction.min.size";
        // 1.4 defaults the minimum size to the store's flush size; the property layer only
        // knows the server-wide one.
        let min_size_bytes = match properties.get(min_size).map(|property| &property.source) {
            Some(Source::Derived(_)) => store_flush_size_bytes,
            _ => properties.bytes(min_size),
        };
        let policy_class = properties.text("hbase.hstore.defaultengine.compactionpolicy.class");
        let config = CompactionConfig {
            policy: PolicyKind::from_class_name(policy_class)
                .unwrap_or_else(|| panic!("the property layer accepted policy {policy_class}")),
            min_files: properties.int("hbase.hstore.compaction.min").max(2) as usize,
            max_files: properties.int("hbase.hstore.compaction.max").max(1) as usize,
            ratio: java_float(properties.float("hbase.hstore.compaction.ratio")),
            ratio_off_peak: java_float(properties.float("hbase.hstore.compaction.ratio.offpeak")),
            min_size_bytes,
            max_size_bytes: properties.bytes("hbase.hstore.compaction.max.size"),
            max_size_off_peak_bytes: properties.bytes("hbase.hstore.compaction.max.size.offpeak"),
            blocking_store_files: properties.int("hbase.hstore.blockingStoreFiles").max(0) as usize,
            major_period_ms: properties.int("hbase.hregion.majorcompaction").max(0) as u64,
            major_jitter: java_float(properties.float("hbase.hregion.majorcompaction.jitter")),
            off_peak_hours: OffPeakHours::new(
                properties.int("hbase.offpeak.start.hour"),
                properties.int("hbase.offpeak.end.hour"),
            ),
            split_priority: properties.profile() == ProfileId::Hbase25,
        };
        assert!(
            config.min_files <= config.max_files,
            "compaction min files above max: the load-time check was skipped"
        );
        config
    }

    /// CompactionConfiguration.getMaxCompactSize(mayUseOffPeak).
    pub fn max_size(&self, off_peak: bool) -> u64 {
        if off_peak {
            self.max_size_off_peak_bytes
        } else {
            self.max_size_bytes
        }
    }

    /// The ratio of a selection that may use the off-peak ratio.
    pub fn ratio(&self, off_peak: bool) -> f64 {
        if off_peak {
            self.ratio_off_peak
        } else {
            self.ratio
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // TestOffPeakHours: at 15:00, no settings → not off-peak; [14, 16) → off-peak;
    // [13, 14) → not. Wrapping and HBase's disabling rules follow OffPeakHours.getInstance.
    #[test]
    fn off_peak_hours_follow_hbase() {
        assert!(!OffPeakHours::new(-1, -1).contains_hour(15));
        assert!(OffPeakHours::new(14, 16).contains_hour(15));
        assert!(!OffPeakHours::new(13, 14).contains_hour(15));
        // The end hour is excluded, the start included; start > end wraps past midnight.
        assert!(!OffPeakHours::new(14, 15).contains_hour(15));
        assert!(OffPeakHours::new(15, 16).contains_hour(15));
        assert!(OffPeakHours::new(22, 6).contains_hour(23));
        assert!(OffPeakHours::new(22, 6).contains_hour(0));
        assert!(!OffPeakHours::new(22, 6).contains_hour(6));
        // Equal hours, or an hour outside 0-23, disable them.
        assert!(!OffPeakHours::new(5, 5).is_enabled());
        assert!(!OffPeakHours::new(5, 24).is_enabled());
        assert!(!OffPeakHours::new(-1, 6).is_enabled());
    }

    // TestCurrentHourProvider: 1597895561000 ms is 11:52 in a zone 8 hours east of UTC and
    // 1597907081000 ms is 15:04 there, so 3 and 7 o'clock UTC.
    #[test]
    fn hours_of_the_day_are_utc() {
        assert_eq!(hour_of_day_utc(1_597_895_561_000), 3);
        assert_eq!(hour_of_day_utc(1_597_895_561_000 + 28_800_000), 11);
        assert_eq!(hour_of_day_utc(1_597_907_081_000 + 28_800_000), 15);
    }

    // The policy class names are HBase's, and only the default engine's two are known.
    #[test]
    fn policy_classes() {
        assert_eq!(
            PolicyKind::from_class_name(
                "org.apache.hadoop.hbase.regionserver.compactions.ExploringCompactionPolicy"
            ),
            Some(PolicyKind::Exploring)
        );
        assert_eq!(
            PolicyKind::from_class_name("RatioBasedCompactionPolicy"),
            Some(PolicyKind::RatioBased)
        );
        assert_eq!(PolicyKind::from_class_name("FIFOCompactionPolicy"), None);
    }
}
