//! Whether a store is due a time-based major compaction
//! (RatioBasedCompactionPolicy.shouldPerformMajorCompaction, SortedCompactionPolicy
//! .getNextMajorCompactTime), the same in 1.4 and 2.5.
//!
//! A store is due when its oldest file (by HDFS modification time) is older than the period
//! `hbase.hregion.majorcompaction` give or take `hbase.hregion.majorcompaction.jitter`. The
//! jitter is deterministic per store: HBase seeds `java.util.Random` with the Java
//! `String.hashCode` of the first (oldest) candidate file's name and takes one `nextDouble`, so
//! every store gets its own period in [period − jitter, period + jitter] and keeps it until its
//! oldest file changes. Both are reproduced bit for bit here. HBase names a store file with a
//! random UUID's 32 hex digits; the simulation names file `id` with the stable hash instead
//! (`store_file_name`), so the draw is a function of the file id.
//!
//! A single file is recompacted only to drop cells past the family's TTL, never just for its
//! age, unless it is not local enough (`hbase.hstore.min.locality.to.skip.major.compact`, 0 by
//! default so never): HDFS block locality is not modelled and taken as full.

use std::fmt;

use super::CandidateFile;
use super::config::CompactionConfig;
use crate::sim::SimDuration;
use crate::sim::stable_hash::{SPLITMIX64_GAMMA, splitmix64_mix};

/// java.lang.String.hashCode: `s[0]·31^(n−1) + … + s[n−1]` over UTF-16 units, wrapping.
pub fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The name of store file `id`: 32 lowercase hex digits, the shape of HBase's names (a random
/// UUID without dashes), derived from the id with the stable hash.
pub fn store_file_name(id: u64) -> String {
    format!(
        "{:016x}{:016x}",
        splitmix64_mix(id),
        splitmix64_mix(id.wrapping_add(SPLITMIX64_GAMMA))
    )
}

/// java.util.Random's linear congruential generator (Knuth's, 48 bits), enough of it for
/// `new Random(seed).nextDouble()`.
#[derive(Debug, Clone)]
struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;

    /// `Random.setSeed(long)`: the seed scrambled with the multiplier.
    fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            state: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    /// `Random.next(bits)` for bits ≤ 31 (always non-negative).
    fn next(&mut self, bits: u32) -> u64 {
        self.state = (self
            .state
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::ADDEND))
            & Self::MASK;
        self.state >> (48 - bits)
    }

    /// `Random.nextDouble()`: 53 random bits over 2⁵³.
    fn next_double(&mut self) -> f64 {
        let high = self.next(26);
        let low = self.next(27);
        ((high << 27) + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// SortedCompactionPolicy.getNextMajorCompactTime over `files` (oldest first): the store's
/// jittered major compaction period in ms, 0 when there are no files or no period.
pub fn next_major_compaction_ms(files: &[&CandidateFile], config: &CompactionConfig) -> u64 {
    let period = config.major_period_ms;
    if period == 0 || config.major_jitter <= 0.0 {
        return period;
    }
    let Some(first) = files.first() else {
        return 0;
    };
    // Math.round(period × jitter) and Math.round(2 × jitter × nextDouble()), in doubles.
    let jitter = libm::round(period as f64 * config.major_jitter) as u64;
    let seed = java_string_hash(&store_file_name(first.id));
    let draw = JavaRandom::new(i64::from(seed)).next_double();
    (period + jitter).saturating_sub(libm::round((2 * jitter) as f64 * draw) as u64)
}

/// Why a store is, or is not, due a time-based major compaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MajorDecision {
    /// No files, or `hbase.hregion.majorcompaction` is 0.
    Disabled,
    /// The oldest file is younger than the store's period, or its age is unknown (HBase
    /// reads a modification time of 0 as unknown).
    NotDue {
        oldest_age_ms: Option<u64>,
        period_ms: u64,
    },
    /// Several files and the oldest is older than the period.
    Due { files: usize, period_ms: u64 },
    /// One file, already the result of a major compaction, nothing past the TTL: skipped.
    SingleMajorResult,
    /// One file with no cells past the TTL (or no TTL): skipped.
    SingleFileNothingExpired,
    /// One file whose oldest cell is past the TTL: recompacted to drop it.
    SingleFileExpired {
        oldest_cell_age_ms: u64,
        ttl_ms: u64,
    },
}

impl MajorDecision {
    pub fn is_due(self) -> bool {
        matches!(
            self,
            MajorDecision::Due { .. } | MajorDecision::SingleFileExpired { .. }
        )
    }
}

/// RatioBasedCompactionPolicy.shouldPerformMajorCompaction over `files` (oldest first), at
/// `now_ms`, for a family whose TTL is `ttl_ms` (None: FOREVER, or MIN_VERSIONS above 0).
pub fn should_perform_major_compaction(
    files: &[&CandidateFile],
    config: &CompactionConfig,
    now_ms: u64,
    ttl_ms: Option<u64>,
) -> MajorDecision {
    let period_ms = next_major_compaction_ms(files, config);
    if files.is_empty() || period_ms == 0 {
        return MajorDecision::Disabled;
    }
    // StoreUtils.getLowestTimestamp: the oldest HDFS modification time; 0 counts as unknown.
    let oldest_modified_ms = files.iter().map(|file| file.modified_ms).min().unwrap_or(0);
    if oldest_modified_ms == 0 || oldest_modified_ms.saturating_add(period_ms) >= now_ms {
        return MajorDecision::NotDue {
            oldest_age_ms: (oldest_modified_ms > 0)
                .then(|| now_ms.saturating_sub(oldest_modified_ms)),
            period_ms,
        };
    }
    let [file] = files else {
        return MajorDecision::Due {
            files: files.len(),
            period_ms,
        };
    };
    // Without a time range HBase takes the age as Long.MIN_VALUE: never past any TTL.
    let oldest_cell_age_ms = file
        .timestamp_min_ms
        .map(|timestamp| now_ms.saturating_sub(timestamp));
    match (ttl_ms, oldest_cell_age_ms) {
        (Some(ttl_ms), Some(age)) if age > ttl_ms => MajorDecision::SingleFileExpired {
            oldest_cell_age_ms: age,
            ttl_ms,
        },
        _ if file.major_compaction_result => MajorDecision::SingleMajorResult,
        _ => MajorDecision::SingleFileNothingExpired,
    }
}

/// Milliseconds, exactly and for people: "775447053 ms (215h)".
fn millis(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{ms} ms ({})", SimDuration::from_millis(ms).approx())
    }
}

impl fmt::Display for MajorDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MajorDecision::Disabled => f.write_str("time-based major compactions are off"),
            MajorDecision::NotDue {
                oldest_age_ms: None,
                ..
            } => f.write_str("no major compaction due: the oldest file's time is unknown (0)"),
            MajorDecision::NotDue {
                oldest_age_ms: Some(age_ms),
                period_ms,
            } => write!(
                f,
                "no major compaction due: the oldest file is {} old, the store's period {}",
                millis(*age_ms),
                millis(*period_ms)
            ),
            MajorDecision::Due { files, period_ms } => write!(
                f,
                "a major compaction is due: {files} files, the oldest older than the store's period of {}",
                millis(*period_ms)
            ),
            MajorDecision::SingleMajorResult => f.write_str(
                "the period has passed, but the store's only file is a major compaction's result with nothing past the TTL: not recompacted",
            ),
            MajorDecision::SingleFileNothingExpired => f.write_str(
                "the period has passed, but the store's only file has no cells past the TTL: not recompacted",
            ),
            MajorDecision::SingleFileExpired {
                oldest_cell_age_ms,
                ttl_ms,
            } => write!(
                f,
                "a major compaction is due: the only file's oldest cell is {} old, past the TTL of {}",
                millis(*oldest_cell_age_ms),
                millis(*ttl_ms)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // String.hashCode's documented formula on known values: "" → 0, "abc" → 96354,
    // "hello" → 99162322; file 0's name, whose hash the JDK prints as -1956277652.
    #[test]
    fn java_string_hashes() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("abc"), 96_354);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // SplitMix64's mix of 0 is 0, and of the gamma its published first output.
        assert_eq!(store_file_name(0), "0000000000000000e220a8397b1dcdaf");
        assert_eq!(java_string_hash(&store_file_name(0)), -1_956_277_652);
    }

    fn config(period_ms: u64, jitter: f32) -> CompactionConfig {
        CompactionConfig {
            policy: super::super::PolicyKind::Exploring,
            min_files: 3,
            max_files: 10,
            ratio: f64::from(1.2f32),
            ratio_off_peak: 5.0,
            min_size_bytes: 128 << 20,
            max_size_bytes: i64::MAX as u64,
            max_size_off_peak_bytes: i64::MAX as u64,
            blocking_store_files: 16,
            major_period_ms: period_ms,
            major_jitter: f64::from(jitter),
            off_peak_hours: super::super::OffPeakHours::DISABLED,
            split_priority: true,
        }
    }

    fn file(id: u64, modified_ms: u64) -> CandidateFile {
        CandidateFile {
            id,
            size_bytes: 1000,
            compacting: false,
            reference: false,
            exclude_from_minor: false,
            major_compaction_result: false,
            modified_ms,
            timestamp_min_ms: Some(modified_ms),
        }
    }

    // getNextMajorCompactTime for a store whose oldest file is file 0, as the JDK computes it
    // (period + jitter − Math.round(2 × jitter × new Random(name.hashCode()).nextDouble())):
    // 775447053 ms with the defaults (7 days, 0.5), 11129 ms with TestMajorCompaction's 10 s
    // and 0.2F. No jitter gives the bare period; no files or no period, 0.
    #[test]
    fn the_jitter_is_the_jdk_draw_seeded_by_the_oldest_file() {
        let oldest = file(0, 1);
        let newer = file(5, 2);
        let files = [&oldest, &newer];
        assert_eq!(
            next_major_compaction_ms(&files, &config(604_800_000, 0.5)),
            775_447_053
        );
        assert_eq!(
            next_major_compaction_ms(&files, &config(10_000, 0.2)),
            11_129
        );
        assert_eq!(
            next_major_compaction_ms(&files, &config(10_000, 0.0)),
            10_000
        );
        assert_eq!(next_major_compaction_ms(&[], &config(10_000, 0.2)), 0);
        assert_eq!(next_major_compaction_ms(&files, &config(0, 0.2)), 0);
    }

    // new Random(0).nextDouble() and new Random(42).nextDouble() as the JDK prints them.
    #[test]
    fn java_random_matches_the_jdk() {
        assert_eq!(JavaRandom::new(0).next_double(), 0.730_967_787_376_657);
        assert_eq!(JavaRandom::new(42).next_double(), 0.727_563_680_032_868_1);
        // Negative seeds (most file names hash below 0) are sign-extended: Random(-1).nextInt()
        // is 1155099827 in the JDK.
        assert_eq!(JavaRandom::new(-1).next(32) as u32 as i32, 1_155_099_827);
    }
}
