//! Splitting a dead server's WALs into per-region recovered edits, and the filter that replay
//! applies to them when the regions open again.
//!
//! This is `WALSplitter` (1.4 `splitLogFile`, 2.5 `splitWAL`; shared/reference/
//! compaction-and-wal-split.md §6.3) run on the files of one WAL directory in a `SimFs`:
//!
//! - A file is read through HBase's reader (`wal::reader`), whose rules decide most of what
//!   damage does: almost every problem in an entry is an **end of file** there, and the split
//!   goes on with the next file as if this one had ended — the entries after that point are
//!   dropped without a word, whatever `hbase.hlog.split.skip.errors` says ("truncated files
//!   are expected if a RS crashes (see HBASE-2643)", `getNextLogLine`). So is an empty or
//!   header-less file (`getReader` turns the EOF into "nothing to split").
//! - An **`IOException`** out of the reader (a header that does not parse, an unknown writer,
//!   a failed HDFS read where the reader does not swallow it, 2.5's protobuf errors in a key)
//!   goes through skip.errors. With **true** the file is marked corrupt and the split goes on:
//!   the edits read before the error are written out (the output sink is closed normally after
//!   `CorruptedLogFileException`). With **false** (the default in 1.4 and 2.5,
//!   `WALSplitter.SPLIT_SKIP_ERRORS_DEFAULT`) the split of that file fails: the file stays
//!   where it is, and the outcome carries the error (file and offset) for the caller to retry
//!   while the regions stay offline. `getNextLogLine` lets an `IOException` *caused by* a
//!   `ParseException` or `ChecksumException` end the file quietly too, but it tests the cause
//!   only: a `ChecksumException` thrown as itself has none, and the protobuf reader never
//!   wraps one, so here that rule never applies.
//! - A **runtime exception** (an illegal table name, a negative key length, 1.4 tripping over
//!   a KeyValue it accepted without looking) is not caught at all: the split of that file
//!   fails whatever skip.errors says.
//! - The edits read before a failure are still written out, as HBase's `finally` closes the
//!   output sink on that path too; a retry writes the same files again (HBase deletes an old
//!   edits file of the same name, and keeps the one with more entries when the final names
//!   collide).
//! - A file that splits is archived to `oldWALs/<name>`. Where a file marked corrupt goes
//!   depends on how the split is coordinated: with ZooKeeper (1.4, and 2.5 with
//!   `hbase.split.wal.zk.coordinated`) the master moves it to `corrupt/<name>`
//!   (`HConstants.CORRUPT_DIR_NAME`; 0.90–0.94 used ".corrupt"); with 2.5's procedures (the
//!   default) the corrupt flag is only logged and `SplitWALManager.archive` moves the file to
//!   `oldWALs/`, where the log cleaner later deletes it.
//! - Each file is split on its own, as the distributed split workers do (one task per WAL in
//!   1.4's ZooKeeper-coordinated splitting, one SplitWALProcedure per WAL in 2.5): a file that
//!   fails does not stop the others.
//!
//! Per entry: an edit at or below the region's last flushed sequence id (reported by the
//! server before it died) is skipped; so is a meta edit (its cells all in `METAFAMILY`: flush
//! and region-event markers), unless it is a compaction marker (`keepRegionEvent`); so are cells of a store whose own max flushed sequence id
//! is at or above the edit's (`filterCellByStore`), and entries left with no cells (an empty
//! WALEdit is read but never written). 2.5 also skips every edit of a region whose directory is
//! gone (HBASE-24189: the region was split, merged or dropped); 1.4 writes them.
//!
//! Output: per WAL file and region, one recovered-edits file under
//! `data/<namespace>/<table>/<encoded region>/recovered.edits/`, the region's entries in the
//! order read (a region's sequence ids only grow within a WAL), written first as
//! `<%019d first sequence id>-<wal name>.temp` and renamed on close to `<%019d highest
//! sequence id>`, the name replay's "skip the whole file" check relies on (the reference guide
//! says the first sequence id; the code, 1.4 and 2.5, names it after the maximum). The files
//! are WAL files themselves, written by `WalWriter` with a ProtobufLogWriter header; a value
//! read whole from a generated run is written as that run again.
//!
//! Known bugs (`known_bugs`): HBASE-2643 makes an early end of file an error like an
//! `IOException`; HBASE-2958 marks a failed split as given up instead of to be retried.
//!
//! Left out: lease recovery (a crash's truncation stands for the visible length it leaves;
//! its time is the caller's), the WAL directory's rename to `-splitting` (the caller's
//! choreography), meta edits (region-event and compaction markers), `hbase.wal.split.to.hfile`,
//! and the entry buffers and writer threads (they bound memory and time, not what is written).

use std::collections::BTreeMap;
use std::fmt;

use crate::model::hdfs::sim_fs::{FsError, SimFs, file_name, join};
use crate::model::wal::format::{DecodedCell, WalEntry, WalHeader, WalWriter};
use crate::model::wal::reader::{
    Next, ReadFailure, ReaderRules, Stop, Thrown, WalReader, read_wal,
};
use crate::scenario::known_bugs::{KnownBug, KnownBugs};
use crate::scenario::profile::{ProfileId, Release};

/// Where servers' WAL directories live (`HConstants.HREGION_LOGDIR_NAME`).
pub const WALS_DIR: &str = "WALs";
/// Where split WALs are archived (`HConstants.HREGION_OLDLOGDIR_NAME`).
pub const OLD_WALS_DIR: &str = "oldWALs";
/// Where WALs that could not be read go (`HConstants.CORRUPT_DIR_NAME`).
pub const CORRUPT_DIR: &str = "corrupt";
/// The root of table and region directories (`HConstants.BASE_NAMESPACE_DIR`).
pub const DATA_DIR: &str = "data";
/// A region's directory of recovered edits (`HConstants.RECOVERED_EDITS_DIR`).
pub const RECOVERED_EDITS_DIR: &str = "recovered.edits";
/// The suffix of a recovered-edits file being written (`RECOVERED_LOG_TMPFILE_SUFFIX`).
pub const TEMP_SUFFIX: &str = ".temp";
/// The namespace of a table named without one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// How the master has the split done, which decides where a corrupt file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordination {
    /// SplitLogManager tasks in ZooKeeper (1.4; 2.5 with `hbase.split.wal.zk.coordinated`): a
    /// corrupt file goes to `corrupt/`.
    ZooKeeper,
    /// SplitWALProcedure (2.5's default): a corrupt file goes to `oldWALs/` like any other.
    Procedure,
}

/// How a split runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitOptions {
    pub profile: ProfileId,
    /// Whose reading rules apply.
    pub rules: ReaderRules,
    /// `hbase.hlog.split.skip.errors`.
    pub skip_errors: bool,
    pub coordination: Coordination,
    pub known_bugs: KnownBugs,
}

impl SplitOptions {
    /// A release's defaults: its reader, ZooKeeper coordination in 1.4 and procedures in 2.5.
    pub fn for_release(release: Release, skip_errors: bool, known_bugs: KnownBugs) -> SplitOptions {
        let profile = release.profile;
        SplitOptions {
            profile,
            rules: ReaderRules::for_release(release),
            skip_errors,
            coordination: match profile {
                ProfileId::Hbase14 => Coordination::ZooKeeper,
                ProfileId::Hbase25 => Coordination::Procedure,
            },
            known_bugs,
        }
    }
}

/// What the master knows of a region when it splits the WALs that hold its edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionAtSplit {
    /// Flushed sequence ids as the server last reported them
    /// (`RegionStoreSequenceIds`): the region's, and each store's by family.
    Flushed {
        last_flushed_sequence_id: u64,
        store_sequence_ids: BTreeMap<Vec<u8>, u64>,
    },
    /// The region's directory no longer exists.
    Gone,
}

/// Regions by encoded name; a region not listed is unknown (HBase's -1: keep every edit).
pub type RegionsAtSplit = BTreeMap<Vec<u8>, RegionAtSplit>;

/// Edits read but not written out, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SkippedEdits {
    /// At or below the region's last flushed sequence id.
    pub flushed: u64,
    /// Of a region whose directory is gone (2.5).
    pub region_gone: u64,
    /// With no cells left to write.
    pub empty: u64,
    /// Cells dropped because their store had flushed past the edit.
    pub cells_in_flushed_stores: u64,
    /// Meta edits (flush and region-event markers) recovered edits do not keep.
    pub meta_edits: u64,
}

/// The family of marker cells (`WALEdit.METAFAMILY`).
pub const META_FAMILY: &[u8] = b"METAFAMILY";
/// A compaction marker's qualifier (`WALEdit.COMPACTION`).
pub const COMPACTION_MARKER: &[u8] = b"HBASE::COMPACTION";

/// `keepRegionEvent` of the recovered-edits sinks: of the meta edits, only compaction markers
/// are written out.
fn keeps_region_event(entry: &WalEntry) -> bool {
    entry
        .cells
        .iter()
        .any(|cell| cell.family == META_FAMILY && cell.qualifier == COMPACTION_MARKER)
}

/// `WALEdit.isMetaEdit`: every cell of the edit in `METAFAMILY`.
fn is_meta_edit(entry: &WalEntry) -> bool {
    !entry.cells.is_empty() && entry.cells.iter().all(|cell| cell.family == META_FAMILY)
}

/// What became of a WAL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalFileFate {
    /// Split (to its end, or to where the reader ended it), moved to `oldWALs/`.
    Archived { to: String },
    /// Marked corrupt (skip.errors), moved to `corrupt/` or, under 2.5's procedures,
    /// `oldWALs/`.
    Corrupt { to: String },
    /// The split of this file failed; it stays for the retry.
    LeftInPlace,
}

/// Why the split of one file failed, or why it was marked corrupt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitErrorCause {
    /// Reading stopped where it counts as an error; `because` names the known bug that made
    /// it one, if a bug did.
    Read {
        stop: Stop,
        because: Option<KnownBug>,
    },
    /// A recovered-edits file could not be written (in HBase a writer IOException fails the
    /// split whatever skip.errors says).
    Output(FsError),
}

/// A file whose split failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub path: String,
    pub cause: SplitErrorCause,
}

impl SplitError {
    /// The offset in the WAL file where reading failed, if it was reading.
    pub fn offset(&self) -> Option<u64> {
        match &self.cause {
            SplitErrorCause::Read { stop, .. } => Some(stop.offset()),
            SplitErrorCause::Output(_) => None,
        }
    }
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            SplitErrorCause::Read { stop, because } => {
                write!(f, "{}: {stop}", self.path)?;
                if let Some(bug) = because {
                    write!(f, " (an error only because {bug} is switched on)")?;
                }
                Ok(())
            }
            SplitErrorCause::Output(error) => {
                write!(f, "{}: cannot write recovered edits: {error}", self.path)
            }
        }
    }
}

impl std::error::Error for SplitError {}

/// The split of one WAL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalFileSplit {
    /// Where the file was when the split began.
    pub path: String,
    pub length_bytes: u64,
    /// Where and why reading stopped.
    pub stop: Stop,
    pub entries_read: u64,
    /// Per encoded region name, the highest sequence id read (what lies above it in this file
    /// was not read).
    pub highest_read: BTreeMap<Vec<u8>, u64>,
    /// Chunks HDFS read around a bad replica, and time it spent refetching blocks.
    pub read_around_chunks: u64,
    pub stalled_ms: u64,
    pub skipped: SkippedEdits,
    /// Entries written to recovered edits, by encoded region name.
    pub entries_written: BTreeMap<Vec<u8>, u64>,
    pub fate: WalFileFate,
    /// Why the file is corrupt or its split failed (`None` for a file that split cleanly).
    pub error: Option<SplitError>,
}

/// One recovered-edits file written by the split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredEdits {
    pub path: String,
    pub encoded_region_name: Vec<u8>,
    pub table_name: Vec<u8>,
    /// The WAL it was split from.
    pub wal: String,
    pub entries: u64,
    pub first_sequence_id: u64,
    /// The highest sequence id in the file, which names it.
    pub max_sequence_id: u64,
}

/// A split that failed for some files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFailure {
    pub errors: Vec<SplitError>,
    /// HBASE-2958: the split is given up, not retried (the caller's retry loop must stop and
    /// the regions open without the unsplit edits).
    pub give_up: bool,
}

/// Everything a split did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitOutcome {
    /// Per WAL file, in name order.
    pub files: Vec<WalFileSplit>,
    pub recovered_edits: Vec<RecoveredEdits>,
    /// `None` if every file split (cleanly or moved to corrupt); otherwise the caller keeps the
    /// regions offline and retries, unless told to give up.
    pub failure: Option<SplitFailure>,
}

impl SplitOutcome {
    /// Entries written per region over all files.
    pub fn entries_by_region(&self) -> BTreeMap<Vec<u8>, u64> {
        let mut totals = BTreeMap::new();
        for file in &self.files {
            for (region, entries) in &file.entries_written {
                *totals.entry(region.clone()).or_insert(0) += entries;
            }
        }
        totals
    }

    /// The files marked corrupt, by their new paths.
    pub fn corrupt_files(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter_map(|file| match &file.fate {
                WalFileFate::Corrupt { to } => Some(to.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Splits every file directly under `wal_dir`.
pub fn split_log_dir(
    fs: &mut SimFs,
    wal_dir: &str,
    options: &SplitOptions,
    regions: &RegionsAtSplit,
) -> SplitOutcome {
    let mut outcome = SplitOutcome::default();
    for path in fs.list_files(wal_dir) {
        let file = split_wal_file(fs, &path, options, regions, &mut outcome.recovered_edits);
        outcome.files.push(file);
    }
    let errors: Vec<SplitError> = outcome
        .files
        .iter()
        .filter(|file| file.fate == WalFileFate::LeftInPlace)
        .filter_map(|file| file.error.clone())
        .collect();
    if !errors.is_empty() {
        outcome.failure = Some(SplitFailure {
            errors,
            give_up: options.known_bugs.is_on(KnownBug::Hbase2958),
        });
    }
    outcome
}

/// A region's entries read from one WAL, waiting to be written.
struct RegionEdits {
    table_name: Vec<u8>,
    entries: Vec<WalEntry>,
}

/// How reading a file ended, for the split.
enum Reading {
    /// To its end, or to where the reader ended it.
    Done,
    /// skip.errors said go on: the file is corrupt, its edits so far kept.
    Corrupt(SplitErrorCause),
    /// The split of the file fails.
    Failed(SplitErrorCause),
}

/// What the split makes of where reading stopped (`getReader`, `getNextLogLine`).
fn judge(stop: &Stop, options: &SplitOptions) -> Reading {
    let error = |because| SplitErrorCause::Read {
        stop: stop.clone(),
        because,
    };
    let thrown = match stop {
        Stop::Open(failure) => failure.thrown(),
        Stop::End(end) if end.is_clean() => return Reading::Done,
        Stop::End(_) if options.known_bugs.is_on(KnownBug::Hbase2643) => {
            // The EOF is caught as any IOException.
            return if options.skip_errors {
                Reading::Corrupt(error(Some(KnownBug::Hbase2643)))
            } else {
                Reading::Failed(error(Some(KnownBug::Hbase2643)))
            };
        }
        Stop::End(_) => return Reading::Done,
        Stop::Failed { failure, .. } => failure.thrown(),
    };
    match thrown {
        Thrown::EndOfFile => Reading::Done,
        Thrown::IoException if options.skip_errors => Reading::Corrupt(error(None)),
        Thrown::IoException | Thrown::RuntimeException | Thrown::NotModelled => {
            Reading::Failed(error(None))
        }
    }
}

/// Splits one WAL file (`splitLogFile` / `splitWAL`), then archives it.
fn split_wal_file(
    fs: &mut SimFs,
    path: &str,
    options: &SplitOptions,
    regions: &RegionsAtSplit,
    written: &mut Vec<RecoveredEdits>,
) -> WalFileSplit {
    let file = fs.read(path).expect("a file just listed");
    let length_bytes = file.len();
    let mut entries_read = 0;
    let mut highest_read: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut skipped = SkippedEdits::default();
    let mut by_region: BTreeMap<Vec<u8>, RegionEdits> = BTreeMap::new();
    let (stop, read_around_chunks, stalled_ms) = match WalReader::open(file, options.rules) {
        Err(failure) => (Stop::Open(failure), 0, 0),
        Ok(mut reader) => {
            let stop = loop {
                match reader.next_entry() {
                    Next::End(end) => break Stop::End(end),
                    Next::Failed { offset, failure } => break Stop::Failed { offset, failure },
                    Next::Entry(mut entry) => {
                        entries_read += 1;
                        let read = highest_read
                            .entry(entry.key.encoded_region_name.clone())
                            .or_insert(0);
                        *read = (*read).max(entry.key.sequence_id);
                        if entry.unparseable_cells > 0 && !flushed_past(&entry, regions) {
                            break Stop::Failed {
                                offset: entry.offset,
                                failure: ReadFailure::UnparseableKeyValue,
                            };
                        }
                        if keep_entry(&mut entry, options.profile, regions, &mut skipped) {
                            by_region
                                .entry(entry.key.encoded_region_name.clone())
                                .or_insert_with(|| RegionEdits {
                                    table_name: entry.key.table_name.clone(),
                                    entries: Vec::new(),
                                })
                                .entries
                                .push(entry);
                        }
                    }
                }
            };
            let (read_around, stalled) = reader.hdfs_effort();
            (stop, read_around, stalled)
        }
    };
    let mut reading = judge(&stop, options);
    let wal_name = file_name(path).to_string();
    let mut entries_written = BTreeMap::new();
    let mut output_error = None;
    for (region, edits) in &by_region {
        match write_recovered_edits(fs, &wal_name, region, edits, options) {
            Ok(file) => {
                entries_written.insert(region.to_vec(), edits.entries.len() as u64);
                written.push(file);
            }
            Err(fs_error) => output_error = Some(SplitErrorCause::Output(fs_error)),
        }
    }
    // A writer's IOException fails the split whatever skip.errors says.
    if let Some(cause) = output_error {
        reading = Reading::Failed(cause);
    }
    let (fate, error) = match reading {
        Reading::Done => (archive(fs, path, OLD_WALS_DIR, false), None),
        Reading::Corrupt(cause) => {
            let dir = match options.coordination {
                Coordination::ZooKeeper => CORRUPT_DIR,
                Coordination::Procedure => OLD_WALS_DIR,
            };
            (archive(fs, path, dir, true), Some(cause))
        }
        Reading::Failed(cause) => (WalFileFate::LeftInPlace, Some(cause)),
    };
    WalFileSplit {
        path: path.to_string(),
        length_bytes,
        stop,
        entries_read,
        highest_read,
        read_around_chunks,
        stalled_ms,
        skipped,
        entries_written,
        fate,
        error: error.map(|cause| SplitError {
            path: path.to_string(),
            cause,
        }),
    }
}

/// Whether the region's edit is at or below its last flushed sequence id (skipped before its
/// cells are looked at).
fn flushed_past(entry: &WalEntry, regions: &RegionsAtSplit) -> bool {
    matches!(
        regions.get(&entry.key.encoded_region_name),
        Some(RegionAtSplit::Flushed { last_flushed_sequence_id, .. })
            if *last_flushed_sequence_id >= entry.key.sequence_id
    )
}

/// Whether an entry is written out, after dropping cells of stores already flushed past it.
fn keep_entry(
    entry: &mut WalEntry,
    profile: ProfileId,
    regions: &RegionsAtSplit,
    skipped: &mut SkippedEdits,
) -> bool {
    let sequence_id = entry.key.sequence_id;
    match regions.get(&entry.key.encoded_region_name) {
        Some(RegionAtSplit::Gone) if profile == ProfileId::Hbase25 => {
            skipped.region_gone += 1;
            return false;
        }
        Some(RegionAtSplit::Flushed {
            last_flushed_sequence_id,
            store_sequence_ids,
        }) => {
            if *last_flushed_sequence_id >= sequence_id {
                skipped.flushed += 1;
                return false;
            }
            if is_meta_edit(entry) && !keeps_region_event(entry) {
                skipped.meta_edits += 1;
                return false;
            }
            let before = entry.cells.len();
            entry.cells.retain(|cell| {
                cell.family == META_FAMILY
                    || store_sequence_ids
                        .get(&cell.family)
                        .is_none_or(|store_max| *store_max < sequence_id)
            });
            skipped.cells_in_flushed_stores += (before - entry.cells.len()) as u64;
        }
        Some(RegionAtSplit::Gone) | None => {
            if is_meta_edit(entry) && !keeps_region_event(entry) {
                skipped.meta_edits += 1;
                return false;
            }
        }
    }
    if entry.cells.is_empty() {
        skipped.empty += 1;
        return false;
    }
    true
}

/// Writes one region's edits from one WAL: a `.temp` file renamed to its highest sequence id.
fn write_recovered_edits(
    fs: &mut SimFs,
    wal_name: &str,
    region: &[u8],
    edits: &RegionEdits,
    options: &SplitOptions,
) -> Result<RecoveredEdits, FsError> {
    let dir = recovered_edits_dir(&edits.table_name, region);
    let first_sequence_id = edits.entries[0].key.sequence_id;
    let max_sequence_id = edits
        .entries
        .iter()
        .map(|entry| entry.key.sequence_id)
        .max()
        .expect("a region with edits");
    let temp = join(
        &dir,
        &format!("{first_sequence_id:019}-{wal_name}{TEMP_SUFFIX}"),
    );
    if fs.file(&temp).is_some() {
        // "Found old edits file. It could be the result of a previous failed split attempt."
        fs.delete_file(&temp)?;
    }
    let mut writer = WalWriter::create(fs, &temp, &WalHeader::written_by(options.profile))?;
    for entry in &edits.entries {
        let cells: Vec<_> = entry.cells.iter().map(DecodedCell::as_cell).collect();
        writer.append(fs, &entry.key.as_key(), &cells);
    }
    writer.close(fs);
    let path = join(&dir, &format!("{max_sequence_id:019}"));
    if fs.file(&path).is_some() {
        // deleteOneWithFewerEntries: keep whichever holds more entries.
        let existing = read_wal(fs.read(&path)?, options.rules).entries.len() as u64;
        if existing >= writer.entries() {
            fs.delete_file(&temp)?;
        } else {
            fs.delete_file(&path)?;
            fs.rename(&temp, &path)?;
        }
    } else {
        fs.rename(&temp, &path)?;
    }
    Ok(RecoveredEdits {
        path,
        encoded_region_name: region.to_vec(),
        table_name: edits.table_name.to_vec(),
        wal: wal_name.to_string(),
        entries: edits.entries.len() as u64,
        first_sequence_id,
        max_sequence_id,
    })
}

/// Moves a split WAL into `dir` under its own name; a failed move leaves it in place.
fn archive(fs: &mut SimFs, path: &str, dir: &str, corrupt: bool) -> WalFileFate {
    let to = join(dir, file_name(path));
    match fs.rename(path, &to) {
        Ok(()) if corrupt => WalFileFate::Corrupt { to },
        Ok(()) => WalFileFate::Archived { to },
        // HBase logs "Unable to move" and leaves the file; so does this.
        Err(_) => WalFileFate::LeftInPlace,
    }
}

/// A name as a path component: bytes outside `[A-Za-z0-9._-]` as `%XX` (HBase's names are
/// already of those; this keeps any other input from escaping its directory).
fn path_component(name: &[u8]) -> String {
    if name.is_empty() {
        return "%".to_string();
    }
    if name == b"." || name == b".." {
        return name.iter().map(|byte| format!("%{byte:02X}")).collect();
    }
    name.iter()
        .map(|&byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `data/<namespace>/<table>/<encoded region>` (`CommonFSUtils.getRegionDir`): a table named
/// `ns:t` is in namespace `ns`, one without a colon in `default`.
pub fn region_dir(table_name: &[u8], encoded_region_name: &[u8]) -> String {
    let (namespace, qualifier) = match table_name.iter().position(|&byte| byte == b':') {
        Some(colon) => (
            path_component(&table_name[..colon]),
            path_component(&table_name[colon + 1..]),
        ),
        None => (DEFAULT_NAMESPACE.to_string(), path_component(table_name)),
    };
    format!(
        "{DATA_DIR}/{namespace}/{qualifier}/{}",
        path_component(encoded_region_name)
    )
}

/// A region's `recovered.edits` directory.
pub fn recovered_edits_dir(table_name: &[u8], encoded_region_name: &[u8]) -> String {
    join(
        &region_dir(table_name, encoded_region_name),
        RECOVERED_EDITS_DIR,
    )
}

/// The recovered-edits files under a region's directory in replay order, with the sequence
/// id each is named by (`WALSplitUtil.getSplitEditFilesSorted`: names of digits, an optional
/// leading minus read as its absolute value; `.temp` files and others left out).
pub fn recovered_edits_files(fs: &SimFs, region_dir: &str) -> Vec<(String, u64)> {
    fs.list_files(&join(region_dir, RECOVERED_EDITS_DIR))
        .into_iter()
        .filter_map(|path| {
            let name = file_name(&path);
            let digits = name.strip_prefix('-').unwrap_or(name);
            if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            let sequence_id = digits.parse::<u64>().ok()?;
            Some((path, sequence_id))
        })
        .collect()
}

/// `minSeqIdForTheRegion`: the lowest of the stores' max sequence ids (a store with no files
/// counts 0); `None` for a region without stores (HBase's -1).
pub fn min_sequence_id_for_region(store_sequence_ids: &BTreeMap<Vec<u8>, u64>) -> Option<u64> {
    store_sequence_ids.values().copied().min()
}

/// Whether replay reads a recovered-edits file at all: one named by a sequence id at or
/// below every store's is skipped whole.
pub fn replays_file(file_sequence_id: u64, store_sequence_ids: &BTreeMap<Vec<u8>, u64>) -> bool {
    min_sequence_id_for_region(store_sequence_ids).is_none_or(|min| file_sequence_id > min)
}

/// What replay does with one cell of a recovered edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayDecision {
    Apply,
    /// The edit is at or below its store's max sequence id: already in a store file.
    AlreadyInStore,
    /// The region has no such family ("No family for cell").
    NoSuchStore,
}

/// `HRegion.replayRecoveredEdits`, per cell: apply only above the store's max sequence id.
pub fn replay_decision(
    sequence_id: u64,
    family: &[u8],
    store_sequence_ids: &BTreeMap<Vec<u8>, u64>,
) -> ReplayDecision {
    match store_sequence_ids.get(family) {
        None => ReplayDecision::NoSuchStore,
        Some(store_max) if sequence_id <= *store_max => ReplayDecision::AlreadyInStore,
        Some(_) => ReplayDecision::Apply,
    }
}

/// A cell that replay puts back into a memstore, with its edit's sequence id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayedCell<'a> {
    pub sequence_id: u64,
    pub cell: &'a DecodedCell,
}

/// What replay makes of a recovered-edits file's entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplayFilter<'a> {
    pub applied: Vec<ReplayedCell<'a>>,
    pub skipped_already_in_store: u64,
    pub skipped_no_such_store: u64,
    /// The highest sequence id among the entries read (`currentEditSeqId`), if any.
    pub max_sequence_id: Option<u64>,
}

/// Filters a recovered-edits file's entries the way replay does.
pub fn replay_filter<'a>(
    entries: &'a [WalEntry],
    store_sequence_ids: &BTreeMap<Vec<u8>, u64>,
) -> ReplayFilter<'a> {
    let mut filter = ReplayFilter::default();
    for entry in entries {
        let sequence_id = entry.key.sequence_id;
        filter.max_sequence_id = filter.max_sequence_id.max(Some(sequence_id));
        for cell in &entry.cells {
            match replay_decision(sequence_id, &cell.family, store_sequence_ids) {
                ReplayDecision::Apply => filter.applied.push(ReplayedCell { sequence_id, cell }),
                ReplayDecision::AlreadyInStore => filter.skipped_already_in_store += 1,
                ReplayDecision::NoSuchStore => filter.skipped_no_such_store += 1,
            }
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    // Region directories follow HBase's layout, and odd names cannot leave their directory.
    #[test]
    fn region_paths() {
        assert_eq!(
            recovered_edits_dir(b"usertable", b"abc123"),
            "data/default/usertable/abc123/recovered.edits"
        );
        assert_eq!(region_dir(b"ns:t", b"r"), "data/ns/t/r");
        assert_eq!(region_dir(b"a/b", b".."), "data/default/a%2Fb/%2E%2E");
        assert_eq!(region_dir(b"t", b""), "data/default/t/%");
    }

    // Replay skips a file named at or below every store's max sequence id, and within a file
    // each cell at or below its own store's (HRegion.replayRecoveredEditsForPaths and
    // replayRecoveredEdits).
    #[test]
    fn replay_rules() {
        let stores: BTreeMap<Vec<u8>, u64> = [(b"a".to_vec(), 10), (b"b".to_vec(), 20)]
            .into_iter()
            .collect();
        assert_eq!(min_sequence_id_for_region(&stores), Some(10));
        assert!(!replays_file(10, &stores));
        assert!(replays_file(11, &stores));
        assert!(replays_file(0, &BTreeMap::new()));
        assert_eq!(replay_decision(15, b"a", &stores), ReplayDecision::Apply);
        assert_eq!(
            replay_decision(15, b"b", &stores),
            ReplayDecision::AlreadyInStore
        );
        assert_eq!(
            replay_decision(20, b"b", &stores),
            ReplayDecision::AlreadyInStore
        );
        assert_eq!(replay_decision(21, b"b", &stores), ReplayDecision::Apply);
        assert_eq!(
            replay_decision(99, b"c", &stores),
            ReplayDecision::NoSuchStore
        );
    }
}
