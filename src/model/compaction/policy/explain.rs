//! Why a selection came out as it did: one `Step` per decision HBase's policy takes, in the
//! order it takes them, naming files by their index among the store's files (0 the oldest).
//!
//! HBase logs some of these at DEBUG; here they are data, for `regionsim compact-select` and
//! for tests. Building them costs allocations, so a request asks for them (`explain`).

use std::fmt;

use super::major::MajorDecision;
use crate::scenario::units::format_size;

/// Why a request did or did not try a major compaction (SortedCompactionPolicy's
/// `isTryingMajor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MajorAttempt {
    /// A forced major compaction of all files requested by a user: any number of files.
    UserForced,
    /// A forced major compaction of all files, fewer than the maximum.
    Forced,
    /// A time-based major compaction of fewer than the maximum files.
    TimeBased,
    /// A major compaction was asked for or due, but too many files are eligible: minor.
    TooManyFiles { eligible: usize, max_files: usize },
    /// Nothing asked for a major compaction.
    No,
}

/// What the exploring policy made of one window of candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WindowVerdict {
    /// Larger than hbase.hstore.compaction.max.size (or its off-peak value).
    OverMaxSize { max_bytes: u64 },
    /// A file is larger than the ratio times the sum of the others.
    NotInRatio {
        file: usize,
        size_bytes: u64,
        others_bytes: u64,
        ratio: f64,
    },
    /// Accepted, and better than the best so far (more files, or as many for fewer bytes;
    /// when the store may be stuck, ≥ 5% more files per byte).
    Best { ratio_checked: bool },
    /// Accepted, but not better than the best so far.
    NotBetter { ratio_checked: bool },
}

/// One decision of the selection.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The store: its files, how many are compacting, and whether it may be stuck (files not
    /// compacting, plus one for the running compaction's output, reach blockingStoreFiles).
    Store {
        files: usize,
        compacting: usize,
        blocking_store_files: usize,
        may_be_stuck: bool,
    },
    /// Files up to the newest one being compacted are not eligible (HBASE-2856: compactions
    /// stay contiguous in sequence ids).
    ExcludedUpToCompacting { newest_compacting: usize },
    /// The store was forced to a major compaction, but a compaction is running: not forced now.
    ForceMajorDeferred,
    /// A leading file larger than the maximum size (and not a reference) is skipped.
    SkippedLarge {
        file: usize,
        size_bytes: u64,
        max_bytes: u64,
    },
    /// The time-based major compaction check.
    Major(MajorDecision),
    /// Whether this is a major compaction attempt.
    Attempt(MajorAttempt),
    /// Reference files (a split daughter's halves of its parent's files) are among the
    /// candidates: all eligible files are taken, as for a major compaction.
    AfterSplit { references: usize },
    /// A bulk-loaded file marked EXCLUDE_FROM_MINOR_COMPACTION is left out of a minor one.
    ExcludedBulkLoaded { file: usize },
    /// Exploring: one window of candidates, `first..=last` (store indices).
    Window {
        first: usize,
        last: usize,
        files: usize,
        size_bytes: u64,
        verdict: WindowVerdict,
        /// The smallest window so far, kept in case the store may be stuck.
        smallest: bool,
    },
    /// Exploring: every window from `first` ending at `last` or later has too many files.
    WindowsTooLong {
        first: usize,
        last: usize,
        max_files: usize,
    },
    /// Exploring: no acceptable window and the store may be stuck: the smallest window.
    StuckSmallest {
        first: usize,
        last: usize,
        size_bytes: u64,
    },
    /// Ratio: a file larger than max(min size, ratio × the sum of the newer files, at most
    /// max − 1 of them) is passed over.
    RatioSkipped {
        file: usize,
        size_bytes: u64,
        newer_bytes: u64,
        threshold_bytes: u64,
    },
    /// Ratio: the selection starts at this file, which is within the ratio.
    RatioStart {
        file: usize,
        size_bytes: u64,
        threshold_bytes: u64,
    },
    /// Ratio: fewer than the minimum files remain from here on.
    RatioFewLeft { file: usize, min_files: usize },
    /// Fewer than hbase.hstore.compaction.min files: nothing is compacted.
    TooFewFiles { selected: usize, min_files: usize },
    /// More than hbase.hstore.compaction.max files: the oldest max are kept.
    TrimmedToMax { dropped: usize, max_files: usize },
    /// More than the maximum, kept because a user asked for a major compaction.
    KeptOverMax { files: usize, max_files: usize },
}

/// Names a file by its index and size.
fn file(index: usize, size_bytes: u64) -> String {
    format!("#{index} ({})", format_size(size_bytes))
}

/// A size exactly, or "unlimited" for Long.MAX_VALUE.
fn size(bytes: u64) -> String {
    if bytes >= i64::MAX as u64 {
        "unlimited".to_string()
    } else {
        format_size(bytes)
    }
}

impl fmt::Display for MajorAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MajorAttempt::UserForced => {
                f.write_str("major: forced by a user request, all files, no file limit")
            }
            MajorAttempt::Forced => f.write_str("major: forced, all files"),
            MajorAttempt::TimeBased => f.write_str("major: time-based"),
            MajorAttempt::TooManyFiles {
                eligible,
                max_files,
            } => write!(
                f,
                "not major: a major compaction was asked for or due, but {eligible} eligible files are not fewer than hbase.hstore.compaction.max ({max_files})"
            ),
            MajorAttempt::No => f.write_str("not major: minor selection"),
        }
    }
}

impl fmt::Display for WindowVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let checked = |ratio_checked: &bool| {
            if *ratio_checked {
                "in ratio"
            } else {
                "below the min size, ratio not checked"
            }
        };
        match self {
            WindowVerdict::OverMaxSize { max_bytes } => {
                write!(f, "rejected: over the max size {}", size(*max_bytes))
            }
            WindowVerdict::NotInRatio {
                file: index,
                size_bytes,
                others_bytes,
                ratio,
            } => write!(
                f,
                "rejected: not in ratio, {} > {} × {} of the others",
                file(*index, *size_bytes),
                // The ratio is a Java float: print it as one.
                *ratio as f32,
                size(*others_bytes)
            ),
            WindowVerdict::Best { ratio_checked } => {
                write!(f, "{}, the best so far", checked(ratio_checked))
            }
            WindowVerdict::NotBetter { ratio_checked } => {
                write!(
                    f,
                    "{}, not better than the best so far",
                    checked(ratio_checked)
                )
            }
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Store {
                files,
                compacting,
                blocking_store_files,
                may_be_stuck,
            } => write!(
                f,
                "{files} files, {compacting} compacting, blocking at {blocking_store_files}{}",
                if *may_be_stuck {
                    ": the store may be stuck"
                } else {
                    ""
                }
            ),
            Step::ExcludedUpToCompacting { newest_compacting } => write!(
                f,
                "files #0 to #{newest_compacting} are not eligible: #{newest_compacting} is being compacted"
            ),
            Step::ForceMajorDeferred => {
                f.write_str("the forced major compaction waits: a compaction is running")
            }
            Step::SkippedLarge {
                file: index,
                size_bytes,
                max_bytes,
            } => write!(
                f,
                "{} skipped: larger than the max size {}",
                file(*index, *size_bytes),
                size(*max_bytes)
            ),
            Step::Major(decision) => decision.fmt(f),
            Step::Attempt(attempt) => attempt.fmt(f),
            Step::AfterSplit { references } => write!(
                f,
                "references among the eligible files ({references}), a split daughter's: all eligible files are taken"
            ),
            Step::ExcludedBulkLoaded { file } => write!(
                f,
                "#{file} left out: bulk-loaded with EXCLUDE_FROM_MINOR_COMPACTION"
            ),
            Step::Window {
                first,
                last,
                files,
                size_bytes,
                verdict,
                smallest,
            } => write!(
                f,
                "window #{first}..#{last} ({files} files, {}): {verdict}{}",
                size(*size_bytes),
                if *smallest {
                    "; the smallest so far"
                } else {
                    ""
                }
            ),
            Step::WindowsTooLong {
                first,
                last,
                max_files,
            } => write!(
                f,
                "windows from #{first} to #{last} or later: more than {max_files} files"
            ),
            Step::StuckSmallest {
                first,
                last,
                size_bytes,
            } => write!(
                f,
                "no window qualifies and the store may be stuck: the smallest, #{first}..#{last} ({})",
                size(*size_bytes)
            ),
            Step::RatioSkipped {
                file: index,
                size_bytes,
                newer_bytes,
                threshold_bytes,
            } => write!(
                f,
                "{} passed over: above {}, max(min size, ratio × {} of the newer files)",
                file(*index, *size_bytes),
                size(*threshold_bytes),
                size(*newer_bytes)
            ),
            Step::RatioStart {
                file: index,
                size_bytes,
                threshold_bytes,
            } => write!(
                f,
                "{} starts the selection: not above {}",
                file(*index, *size_bytes),
                size(*threshold_bytes)
            ),
            Step::RatioFewLeft { file, min_files } => write!(
                f,
                "from #{file} on, fewer than {min_files} files remain: the selection starts there"
            ),
            Step::TooFewFiles {
                selected,
                min_files,
            } => write!(
                f,
                "{selected} files selected, fewer than hbase.hstore.compaction.min ({min_files}): nothing to compact"
            ),
            Step::TrimmedToMax { dropped, max_files } => write!(
                f,
                "the newest {dropped} files dropped: at most hbase.hstore.compaction.max ({max_files})"
            ),
            Step::KeptOverMax { files, max_files } => write!(
                f,
                "{files} files kept, more than hbase.hstore.compaction.max ({max_files}): a user-requested major compaction"
            ),
        }
    }
}

/// Collects steps when asked to; otherwise building them costs nothing.
#[derive(Debug)]
pub(super) struct Recorder {
    steps: Option<Vec<Step>>,
}

impl Recorder {
    pub(super) fn new(enabled: bool) -> Recorder {
        Recorder {
            steps: enabled.then(Vec::new),
        }
    }

    pub(super) fn record(&mut self, step: impl FnOnce() -> Step) {
        if let Some(steps) = &mut self.steps {
            steps.push(step());
        }
    }

    pub(super) fn finish(self) -> Vec<Step> {
        self.steps.unwrap_or_default()
    }
}
