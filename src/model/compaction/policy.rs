//! Which store files a compaction takes: HBase's default store engine's selection
//! (SortedCompactionPolicy.selectCompaction with RatioBasedCompactionPolicy's or
//! ExploringCompactionPolicy's window choice) and the request HStore.requestCompaction builds
//! from it (priority, major or not, off-peak). 1.4 and 2.5 select identically; 2.5 only adds
//! the after-split priority.
//!
//! A pure function: the caller hands over a view of the store's files (oldest first, as
//! DefaultStoreFileManager sorts them, by max sequence id) and what it knows (the time, the TTL,
//! whether a user asked, whether the off-peak ratio may be used), and gets the selection back;
//! marking the files compacting, clearing the store's forced-major flag when the request is
//! major, and holding the server's one off-peak slot (HStore's static offPeakCompactionTracker)
//! while an off-peak selection runs are the caller's. The steps, in HBase's order:
//!
//! 1. The store "may be stuck" if its files not being compacted, plus one for a running
//!    compaction's output, reach `hbase.hstore.blockingStoreFiles`.
//! 2. Eligible files: those newer than the newest file being compacted.
//! 3. Unless a major compaction is forced and every file is eligible, leading files larger than
//!    `hbase.hstore.compaction.max.size` (the off-peak value when off-peak) that are not
//!    references are skipped; a large file after a small one stays for the window choice.
//! 4. A major compaction is tried if forced with every file eligible by a user, or if forced or
//!    due by time (`major.rs`) with fewer eligible files than `hbase.hstore.compaction.max`.
//! 5. A major attempt, or any reference file among the eligible (a split daughter), takes every
//!    eligible file. Otherwise bulk-loaded files marked EXCLUDE_FROM_MINOR_COMPACTION are left
//!    out, the policy chooses (`ratio.rs`, `exploring.rs`), and fewer than
//!    `max(2, hbase.hstore.compaction.min)` files select nothing.
//! 6. Beyond `hbase.hstore.compaction.max`, the newest files are dropped, unless a user asked
//!    for a major compaction.
//! 7. The request is major if it tried to be and took every store file; "all files" (delete
//!    markers dropped too) if it took every file without trying; minor otherwise. It is
//!    off-peak if it may be, selected something and not every file. Its priority is
//!    PRIORITY_USER (1) for a user, else blockingStoreFiles − store files (2 where that is 1);
//!    in 2.5 a request over references is raised to Integer.MIN_VALUE + 1000.
//!
//! Where the notes in shared/reference/compaction-and-wal-split.md §1 and the source differ,
//! this follows the source: 2.5's hbase-default.xml sets `hbase.hstore.compaction.min.size` to
//! 128 MiB outright (only 1.4 falls back to the store's flush size), and the single-file major
//! rule compacts a file whose oldest cell is past the TTL even when it is a major compaction's
//! result. HStore's removal of wholly expired files before selection
//! (`hbase.store.delete.expired.storefile`), coprocessor overrides, HDFS block locality, the
//! 2.5 historical-files option (`hbase.enable.historical.compaction.files`, one more minimum
//! file) and the stripe, date-tiered and FIFO policies are left out.

mod config;
mod explain;
mod exploring;
mod major;
mod ratio;

pub use config::{CompactionConfig, OffPeakHours, PROPERTIES, PolicyKind, hour_of_day_utc};
pub use explain::{MajorAttempt, Step, WindowVerdict};
pub use major::{
    MajorDecision, java_string_hash, next_major_compaction_ms, should_perform_major_compaction,
    store_file_name,
};

use explain::Recorder;

/// Store.PRIORITY_USER: the priority of a user's request.
pub const PRIORITY_USER: i32 = 1;
/// HStore.SPLIT_REGION_COMPACTION_PRIORITY (2.x): a split daughter's compaction goes first.
pub const SPLIT_REGION_COMPACTION_PRIORITY: i32 = i32::MIN + 1000;

/// One store file as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateFile {
    /// The file's id; its name, and so the major compaction jitter, derive from it.
    pub id: u64,
    /// The reader's length (StoreFileReader.length); at most Long.MAX_VALUE.
    pub size_bytes: u64,
    /// Selected by a queued or running compaction (HStore.filesCompacting).
    pub compacting: bool,
    /// A daughter region's Reference to half of its parent's file.
    pub reference: bool,
    /// Bulk-loaded with EXCLUDE_FROM_MINOR_COMPACTION (HStoreFile.excludeFromMinorCompaction).
    pub exclude_from_minor: bool,
    /// Written by a major compaction (the MAJOR_COMPACTION_KEY file info).
    pub major_compaction_result: bool,
    /// HDFS modification time, ms since the epoch (0: unknown, never due a major compaction).
    pub modified_ms: u64,
    /// The oldest cell's timestamp (the file's TimeRange minimum), if known.
    pub timestamp_min_ms: Option<u64>,
}

/// What a compaction request asks for, besides the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectionRequest<'a> {
    /// Every file of the store, oldest first.
    pub files: &'a [CandidateFile],
    /// Requested by a user (priority PRIORITY_USER): a forced major one may exceed the max.
    pub user: bool,
    /// The store's forceMajor flag (HStore.triggerMajorCompaction: an admin's major_compact,
    /// or the CompactionChecker finding one due); it counts only while nothing is compacting.
    pub force_major: bool,
    /// Off-peak hours, and no other off-peak compaction on the server (HStore's tracker).
    pub may_use_off_peak: bool,
    /// The time, ms since the epoch.
    pub now_ms: u64,
    /// The family's TTL in ms (None: FOREVER, or MIN_VERSIONS above 0).
    pub ttl_ms: Option<u64>,
    /// Record the steps in `Selection::explanation`.
    pub explain: bool,
}

/// CompactionRequestImpl's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompactionKind {
    /// Some of the files: delete markers are kept.
    Minor,
    /// Every file, but not as a major compaction (references, or a minor selection that happens
    /// to take everything): delete markers are dropped all the same.
    AllFiles,
    /// Every file, as a major compaction.
    Major,
}

impl CompactionKind {
    /// "minor", "all_files" or "major".
    pub fn name(self) -> &'static str {
        match self {
            CompactionKind::Minor => "minor",
            CompactionKind::AllFiles => "all_files",
            CompactionKind::Major => "major",
        }
    }
}

/// The outcome of a selection: an empty `files` means no request.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Indices into the request's files, oldest first.
    pub files: Vec<usize>,
    pub kind: CompactionKind,
    /// Selected with the off-peak ratio and size: the caller keeps the off-peak slot until it
    /// finishes.
    pub off_peak: bool,
    /// Reference files were among the eligible.
    pub after_split: bool,
    /// The request's priority (lower first).
    pub priority: i32,
    /// The steps taken, if asked for.
    pub explanation: Vec<Step>,
}

impl Selection {
    pub fn is_major(&self) -> bool {
        self.kind == CompactionKind::Major
    }

    /// Whether the compaction drops delete markers (Compactor's scan type for all files).
    pub fn is_all_files(&self) -> bool {
        self.kind != CompactionKind::Minor
    }
}

/// DefaultStoreFileManager.getStoreCompactionPriority: blockingStoreFiles − store files, moved
/// to 2 where it would equal PRIORITY_USER. At or below 0 the store is at its blocking limit.
pub fn store_compaction_priority(store_files: usize, config: &CompactionConfig) -> i32 {
    let priority = i32::try_from(config.blocking_store_files).unwrap_or(i32::MAX)
        - i32::try_from(store_files).unwrap_or(i32::MAX);
    if priority == PRIORITY_USER {
        priority + 1
    } else {
        priority
    }
}

/// RatioBasedCompactionPolicy.needsCompaction: enough files not already compacting.
pub fn needs_compaction(files: &[CandidateFile], config: &CompactionConfig) -> bool {
    let compacting = files.iter().filter(|file| file.compacting).count();
    files.len() - compacting >= config.min_files
}

/// SortedCompactionPolicy.selectCompaction and HStore.requestCompaction's request properties.
pub fn select_compaction(request: &SelectionRequest<'_>, config: &CompactionConfig) -> Selection {
    let files = request.files;
    let total_bytes = files
        .iter()
        .try_fold(0u64, |total, file| total.checked_add(file.size_bytes))
        .filter(|total| *total <= i64::MAX as u64);
    assert!(
        total_bytes.is_some(),
        "store files total more than a Java long"
    );
    let mut recorder = Recorder::new(request.explain);
    let compacting = files.iter().filter(|file| file.compacting).count();
    let may_be_stuck =
        files.len() - compacting + usize::from(compacting > 0) >= config.blocking_store_files;
    recorder.record(|| Step::Store {
        files: files.len(),
        compacting,
        blocking_store_files: config.blocking_store_files,
        may_be_stuck,
    });
    let first_eligible = match files.iter().rposition(|file| file.compacting) {
        Some(newest_compacting) => {
            recorder.record(|| Step::ExcludedUpToCompacting { newest_compacting });
            newest_compacting + 1
        }
        None => 0,
    };
    let mut eligible: Vec<usize> = (first_eligible..files.len()).collect();
    let force_major = request.force_major && compacting == 0;
    if request.force_major && !force_major {
        recorder.record(|| Step::ForceMajorDeferred);
    }
    let all_eligible = eligible.len() == files.len();
    if !(force_major && all_eligible) {
        let max_bytes = config.max_size(request.may_use_off_peak);
        let skipped = eligible
            .iter()
            .take_while(|&&index| {
                let file = &files[index];
                !file.reference && file.size_bytes > max_bytes
            })
            .count();
        for &index in &eligible[..skipped] {
            recorder.record(|| Step::SkippedLarge {
                file: index,
                size_bytes: files[index].size_bytes,
                max_bytes,
            });
        }
        eligible.drain(..skipped);
    }
    let all_eligible = eligible.len() == files.len();
    let (attempt, decision) =
        major_attempt(request, config, &eligible, force_major && all_eligible);
    if let Some(decision) = decision {
        recorder.record(|| Step::Major(decision));
    }
    recorder.record(|| Step::Attempt(attempt));
    let trying_major = matches!(
        attempt,
        MajorAttempt::UserForced | MajorAttempt::Forced | MajorAttempt::TimeBased
    );
    let references = eligible
        .iter()
        .filter(|&&index| files[index].reference)
        .count();
    let after_split = references > 0;
    let mut selected = if trying_major || after_split {
        if after_split {
            recorder.record(|| Step::AfterSplit { references });
        }
        eligible
    } else {
        minor_selection(
            files,
            eligible,
            config,
            request,
            may_be_stuck,
            &mut recorder,
        )
    };
    if selected.len() > config.max_files {
        if trying_major && request.user {
            recorder.record(|| Step::KeptOverMax {
                files: selected.len(),
                max_files: config.max_files,
            });
        } else {
            recorder.record(|| Step::TrimmedToMax {
                dropped: selected.len() - config.max_files,
                max_files: config.max_files,
            });
            selected.truncate(config.max_files);
        }
    }
    let all_files = selected.len() == files.len();
    let kind = match (all_files, trying_major) {
        (false, _) => CompactionKind::Minor,
        (true, true) => CompactionKind::Major,
        (true, false) => CompactionKind::AllFiles,
    };
    let mut priority = if request.user {
        PRIORITY_USER
    } else {
        store_compaction_priority(files.len(), config)
    };
    if after_split && config.split_priority {
        priority = priority.min(SPLIT_REGION_COMPACTION_PRIORITY);
    }
    Selection {
        off_peak: !selected.is_empty() && !all_files && request.may_use_off_peak,
        files: selected,
        kind,
        after_split,
        priority,
        explanation: recorder.finish(),
    }
}

/// SortedCompactionPolicy's `isTryingMajor`, with the time-based check when HBase evaluates it
/// (Java's `||` skips it when the major compaction is forced over all files).
fn major_attempt(
    request: &SelectionRequest<'_>,
    config: &CompactionConfig,
    eligible: &[usize],
    forced_over_all: bool,
) -> (MajorAttempt, Option<MajorDecision>) {
    if forced_over_all && request.user {
        return (MajorAttempt::UserForced, None);
    }
    let decision = (!forced_over_all).then(|| {
        let eligible_files: Vec<&CandidateFile> = eligible
            .iter()
            .map(|&index| &request.files[index])
            .collect();
        should_perform_major_compaction(&eligible_files, config, request.now_ms, request.ttl_ms)
    });
    let wanted = forced_over_all || decision.is_some_and(MajorDecision::is_due);
    let attempt = match (wanted, eligible.len() < config.max_files) {
        (false, _) => MajorAttempt::No,
        (true, false) => MajorAttempt::TooManyFiles {
            eligible: eligible.len(),
            max_files: config.max_files,
        },
        (true, true) if forced_over_all => MajorAttempt::Forced,
        (true, true) => MajorAttempt::TimeBased,
    };
    (attempt, decision)
}

/// RatioBasedCompactionPolicy.createCompactionRequest's minor path: bulk-load exclusion, the
/// policy's choice, then the minimum file count.
fn minor_selection(
    files: &[CandidateFile],
    mut eligible: Vec<usize>,
    config: &CompactionConfig,
    request: &SelectionRequest<'_>,
    may_be_stuck: bool,
    recorder: &mut Recorder,
) -> Vec<usize> {
    eligible.retain(|&index| {
        let excluded = files[index].exclude_from_minor;
        if excluded {
            recorder.record(|| Step::ExcludedBulkLoaded { file: index });
        }
        !excluded
    });
    let candidates: Vec<(usize, u64)> = eligible
        .iter()
        .map(|&index| (index, files[index].size_bytes))
        .collect();
    let off_peak = request.may_use_off_peak;
    let chosen = match config.policy {
        PolicyKind::RatioBased => {
            ratio::selection_start(&candidates, config, off_peak, recorder)..candidates.len()
        }
        PolicyKind::Exploring => {
            exploring::select(&candidates, config, off_peak, may_be_stuck, recorder)
        }
    };
    let selected: Vec<usize> = eligible[chosen].to_vec();
    if selected.len() < config.min_files {
        recorder.record(|| Step::TooFewFiles {
            selected: selected.len(),
            min_files: config.min_files,
        });
        return Vec::new();
    }
    selected
}
