//! The server's WAL as files: AbstractFSWAL's file side. One file is written at a time under
//! `WALs/<server name>/`; a roll swaps in a new writer and closes the old file (with its
//! trailer) once the roll is done; rolled files wait until every edit in them is flushed and
//! are then archived; more rolled files than `hbase.regionserver.maxlogs` name the regions
//! that must flush to free the oldest.
//!
//! Each file knows how much of it is durable — the bytes a completed sync covered — and the
//! entries written since (their offsets, regions and sequence ids), which is what a crash cuts
//! away, what a torn write leaves part of, and what AsyncFSWAL writes again into the new file
//! after a failed sync. SequenceIdAccounting's per-region highest sequence id per file is kept
//! with each file; the region's lowest unflushed sequence id is the caller's (its memstores
//! know it).
//!
//! Names follow HBase: the directory is the server name `host,port,startcode`, a file is the
//! URL-encoded server name, a dot, and the file's creation time in ms
//! (`AbstractFSWALProvider.getWALDirectoryName`, `AbstractFSWAL.computeFilename`).
//! Archived files leave the simulated filesystem at once: the master's LogCleaner would delete
//! them from oldWALs after `hbase.master.logcleaner.ttl`, and nothing here reads them.

use std::collections::{BTreeMap, VecDeque};

use crate::model::hdfs::sim_fs::{FileId, FsError, SimFs, join};
use crate::model::region::hregion::RegionId;
use crate::model::wal::format::{AppendedEntry, CellEncoder, WalHeader, WalKey, WalWriter};
use crate::model::wal::reader::{ReaderRules, read_wal};
use crate::scenario::profile::ProfileId;
use crate::sim::RandomStream;

/// Why the WAL rolled (AbstractFSWAL's roll request reasons, as far as modelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RollReason {
    /// The file passed the roll size after a sync.
    Size,
    /// hbase.regionserver.logroll.period passed.
    Periodic,
    /// A slow sync took longer than hbase.regionserver.wal.roll.on.sync.ms, or (FSHLog) too many
    /// were slow within an interval (2.5's SLOW_SYNC).
    SlowSync,
    /// A sync failed: the writer is broken.
    Error,
}

impl RollReason {
    pub const ALL: [RollReason; 4] = [
        RollReason::Size,
        RollReason::Periodic,
        RollReason::SlowSync,
        RollReason::Error,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RollReason::Size => "size",
            RollReason::Periodic => "periodic",
            RollReason::SlowSync => "slow_sync",
            RollReason::Error => "error",
        }
    }
}

/// An entry written since the file's durable point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unsynced {
    offset: u64,
    end: u64,
    region: RegionId,
    sequence_id: u64,
}

/// The file being written (or, during a roll, the one being closed).
#[derive(Debug, Clone)]
struct OpenFile {
    writer: WalWriter,
    path: String,
    /// Numbers the files of this WAL in creation order.
    generation: u64,
    durable_bytes: u64,
    unsynced: Vec<Unsynced>,
    /// Per region, the lowest and highest sequence ids in this file.
    regions: BTreeMap<RegionId, (u64, u64)>,
}

/// A rolled (closed) file waiting to be archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolledFile {
    pub path: String,
    /// Per region, the lowest and highest sequence ids in it.
    pub regions: BTreeMap<RegionId, (u64, u64)>,
    pub length_bytes: u64,
}

/// Where a sync started: everything in file `generation` up to `length_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPoint {
    generation: u64,
    length_bytes: u64,
}

/// What a crash left of the file being written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrashCut {
    /// Bytes written but never made durable, cut away.
    pub bytes_lost: u64,
    /// Entries among them (the torn one included).
    pub entries_lost: u64,
    /// With a torn write: the torn entry's offset and the bytes of it left on disk.
    pub torn: Option<(u64, u64)>,
    /// The files the dead writer held open (the current one, and one being closed by a roll):
    /// their leases must be recovered before a split can read them.
    pub open_files: Vec<String>,
}

impl OpenFile {
    /// The file as a rolled one; its bytes stop growing, so they are packed.
    fn rolled_in(self, fs: &mut SimFs) -> RolledFile {
        fs.content_mut(self.writer.file()).pack();
        self.rolled(fs)
    }

    fn rolled(self, fs: &SimFs) -> RolledFile {
        RolledFile {
            length_bytes: self.writer.length_bytes(fs),
            path: self.path,
            regions: self.regions,
        }
    }
}

fn note_sequence_id(regions: &mut BTreeMap<RegionId, (u64, u64)>, region: RegionId, id: u64) {
    let (low, high) = regions.entry(region).or_insert((id, id));
    *low = (*low).min(id);
    *high = (*high).max(id);
}

/// The server's WAL files.
#[derive(Debug, Clone)]
pub struct FsWal {
    dir: String,
    file_prefix: String,
    header: WalHeader,
    current: Option<OpenFile>,
    /// The file a roll swapped out, closed when the roll completes.
    closing: Option<OpenFile>,
    rolled: VecDeque<RolledFile>,
    next_generation: u64,
    /// Files created, archived, and entries appended.
    pub files_created: u64,
    pub files_archived: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// `URLEncoder.encode` of a server name as WAL file names carry it.
fn url_encode(name: &str) -> String {
    name.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

impl FsWal {
    /// The WAL of server `server_name` (`host,port,startcode`), not yet open.
    pub fn new(server_name: &str, profile: ProfileId) -> FsWal {
        FsWal {
            dir: join(crate::model::wal::split::WALS_DIR, server_name),
            file_prefix: url_encode(server_name),
            header: WalHeader::written_by(profile),
            current: None,
            closing: None,
            rolled: VecDeque::new(),
            next_generation: 0,
            files_created: 0,
            files_archived: 0,
            entries: 0,
            bytes: 0,
        }
    }

    /// The server's WAL directory.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// Creates a file and makes it the one written. Two files created in the same millisecond
    /// get the next free millisecond as their name, as names must differ.
    fn create_file(&mut self, fs: &mut SimFs, now_ms: u64) -> Result<OpenFile, FsError> {
        let mut stamp = now_ms;
        let path = loop {
            let path = join(&self.dir, &format!("{}.{stamp}", self.file_prefix));
            if !fs.exists(&path) {
                break path;
            }
            stamp += 1;
        };
        let writer = WalWriter::create(fs, &path, &self.header)?;
        let generation = self.next_generation;
        self.next_generation += 1;
        self.files_created += 1;
        Ok(OpenFile {
            durable_bytes: writer.length_bytes(fs),
            writer,
            path,
            generation,
            unsynced: Vec::new(),
            regions: BTreeMap::new(),
        })
    }

    /// Opens the first file.
    pub fn open(&mut self, fs: &mut SimFs, now_ms: u64) -> Result<(), FsError> {
        assert!(self.current.is_none(), "a WAL is opened once");
        self.current = Some(self.create_file(fs, now_ms)?);
        Ok(())
    }

    fn current(&mut self) -> &mut OpenFile {
        self.current.as_mut().expect("the WAL is open")
    }

    /// Appends one entry for `region` to the current file.
    pub fn append(
        &mut self,
        fs: &mut SimFs,
        region: RegionId,
        key: &WalKey<'_>,
        cell_count: u32,
        fill: impl FnOnce(&mut CellEncoder<'_>),
    ) -> AppendedEntry {
        let file = self.current();
        let appended = file.writer.append_with(fs, key, cell_count, fill);
        file.unsynced.push(Unsynced {
            offset: appended.offset,
            end: appended.offset + appended.length_bytes,
            region,
            sequence_id: key.sequence_id,
        });
        note_sequence_id(&mut file.regions, region, key.sequence_id);
        self.entries += 1;
        self.bytes += appended.length_bytes;
        appended
    }

    /// What a sync starting now covers.
    pub fn sync_point(&self, fs: &SimFs) -> SyncPoint {
        let file = self.current.as_ref().expect("the WAL is open");
        SyncPoint {
            generation: file.generation,
            length_bytes: file.writer.length_bytes(fs),
        }
    }

    /// A sync that started at `point` completed: its bytes are durable.
    pub fn synced(&mut self, point: SyncPoint) {
        for file in [self.current.as_mut(), self.closing.as_mut()]
            .into_iter()
            .flatten()
        {
            if file.generation == point.generation && point.length_bytes > file.durable_bytes {
                file.durable_bytes = point.length_bytes;
                file.unsynced
                    .retain(|entry| entry.offset >= point.length_bytes);
            }
        }
    }

    /// Whether what a sync that started at `point` covers is durable already (a later sync
    /// completed first).
    pub fn is_durable(&self, point: SyncPoint) -> bool {
        [self.current.as_ref(), self.closing.as_ref()]
            .into_iter()
            .flatten()
            .any(|file| {
                file.generation == point.generation && point.length_bytes <= file.durable_bytes
            })
    }

    /// The current file's length as HBase's writer reports it (what a roll by size compares).
    pub fn current_length_bytes(&self, fs: &SimFs) -> u64 {
        self.current
            .as_ref()
            .map_or(0, |file| file.writer.length_bytes(fs))
    }

    /// Entries in the current file.
    pub fn current_entries(&self) -> u64 {
        self.current
            .as_ref()
            .map_or(0, |file| file.writer.entries())
    }

    /// A roll begins: a new file is written from now on; the old one closes when the roll
    /// completes (`roll_finish`).
    pub fn roll_start(&mut self, fs: &mut SimFs, now_ms: u64) -> Result<(), FsError> {
        assert!(self.closing.is_none(), "one roll at a time");
        let new = self.create_file(fs, now_ms)?;
        self.closing = self.current.replace(new);
        Ok(())
    }

    /// The roll completes: the old file gets its trailer and waits to be archived.
    pub fn roll_finish(&mut self, fs: &mut SimFs) {
        let mut old = self.closing.take().expect("a roll in progress");
        old.writer.close(fs);
        self.rolled.push_back(old.rolled_in(fs));
    }

    /// A roll after the writer broke (a failed sync): the broken file cannot be closed, so it
    /// keeps only its durable bytes and no trailer; a new file is written from now on. With
    /// `rewrite` (AsyncFSWAL) the entries that were not durable are written again to the new
    /// file, in order; without it (FSHLog) they are gone, as their writers were failed.
    /// Returns how many entries were rewritten.
    pub fn roll_broken(
        &mut self,
        fs: &mut SimFs,
        now_ms: u64,
        rewrite: bool,
    ) -> Result<u64, FsError> {
        if let Some(closing) = self.closing.take() {
            // A roll in progress is overtaken: its old file is closed as it was.
            self.closing = Some(closing);
            self.roll_finish(fs);
        }
        let mut new = self.create_file(fs, now_ms)?;
        let mut old = self.current.replace(new.clone()).expect("the WAL is open");
        let old_content = fs.content(old.writer.file());
        let tail = old_content.slice(old.durable_bytes, old_content.len());
        fs.content_mut(old.writer.file())
            .truncate(old.durable_bytes);
        let mut rewritten = 0;
        if rewrite && !old.unsynced.is_empty() {
            let base = fs.content(new.writer.file()).len();
            fs.content_mut(new.writer.file()).push_content(&tail);
            new.writer.adopt_entries(old.unsynced.len() as u64);
            for entry in &old.unsynced {
                let shift = base - old.durable_bytes;
                new.unsynced.push(Unsynced {
                    offset: entry.offset + shift,
                    end: entry.end + shift,
                    ..*entry
                });
                note_sequence_id(&mut new.regions, entry.region, entry.sequence_id);
            }
            rewritten = old.unsynced.len() as u64;
            self.current = Some(new);
        }
        old.unsynced.clear();
        self.rolled.push_back(old.rolled_in(fs));
        Ok(rewritten)
    }

    /// Rolled files that can go: every region in them has flushed past its highest sequence
    /// id there (`lowest_unflushed` gives a region's lowest unflushed or flushing sequence id,
    /// `None` if it has nothing unflushed). Returns how many were archived.
    pub fn archive(
        &mut self,
        fs: &mut SimFs,
        lowest_unflushed: impl Fn(RegionId) -> Option<u64>,
    ) -> u64 {
        let before = self.rolled.len();
        let mut kept = VecDeque::with_capacity(before);
        for file in std::mem::take(&mut self.rolled) {
            let all_lower = file.regions.iter().all(|(&region, &(_, highest))| {
                lowest_unflushed(region).is_none_or(|lowest| highest < lowest)
            });
            if all_lower {
                fs.delete_file(&file.path)
                    .expect("a rolled WAL is in its directory");
            } else {
                kept.push_back(file);
            }
        }
        self.rolled = kept;
        let archived = (before - self.rolled.len()) as u64;
        self.files_archived += archived;
        archived
    }

    /// findRegionsToForceFlush: with more than `max_logs` rolled files, each region of the
    /// oldest with what `find_lower` (SequenceIdAccounting.findLower, given the region and its
    /// highest sequence id in that file) says it must flush, for the regions it names.
    pub fn regions_to_force_flush<T>(
        &self,
        max_logs: u64,
        find_lower: impl Fn(RegionId, u64) -> Option<T>,
    ) -> Vec<(RegionId, T)> {
        if (self.rolled.len() as u64) <= max_logs {
            return Vec::new();
        }
        let oldest = self.rolled.front().expect("more than max_logs ≥ 1 files");
        oldest
            .regions
            .iter()
            .filter_map(|(&region, &(_, highest))| Some((region, find_lower(region, highest)?)))
            .collect()
    }

    /// Rolled files (HBase's numRolledLogFiles).
    pub fn rolled_files(&self) -> u64 {
        self.rolled.len() as u64
    }

    /// Every file in the directory: rolled, closing and current.
    pub fn files(&self) -> u64 {
        self.rolled.len() as u64
            + u64::from(self.closing.is_some())
            + u64::from(self.current.is_some())
    }

    /// The paths of the files, oldest first.
    pub fn paths(&self) -> Vec<&str> {
        self.rolled
            .iter()
            .map(|file| file.path.as_str())
            .chain(self.closing.iter().map(|file| file.path.as_str()))
            .chain(self.current.iter().map(|file| file.path.as_str()))
            .collect()
    }

    /// The files still in the directory, oldest first, with what each holds (what the oracle
    /// needs to name the cause of a loss, and a split's time).
    pub fn file_records(&self, fs: &SimFs) -> Vec<RolledFile> {
        self.rolled
            .iter()
            .cloned()
            .chain(
                [self.closing.as_ref(), self.current.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(|file| file.clone().rolled(fs)),
            )
            .collect()
    }

    /// The server died: the files being written keep their durable bytes; with `torn`, part
    /// (that fraction, at least one byte and not all) of the first entry that was not durable
    /// reaches disk too. The WAL is left closed.
    pub fn crash(&mut self, fs: &mut SimFs, torn: Option<f64>) -> CrashCut {
        let mut cut = CrashCut::default();
        let closing = self.closing.take();
        let current = self.current.take();
        for file in [closing, current].into_iter().flatten() {
            let id = file.writer.file();
            let length = fs.content(id).len();
            let mut keep = file.durable_bytes;
            if let (Some(fraction), Some(first), None) = (torn, file.unsynced.first(), cut.torn) {
                let entry_bytes = first.end - first.offset;
                let part = ((entry_bytes as f64 * fraction) as u64).clamp(1, entry_bytes - 1);
                cut.torn = Some((first.offset, part));
                keep = first.offset + part;
            }
            cut.bytes_lost += length - keep;
            cut.entries_lost += file.unsynced.len() as u64;
            cut.open_files.push(file.path.clone());
            fs.content_mut(id).truncate(keep);
            self.rolled.push_back(file.rolled_in(fs));
        }
        cut
    }

    /// The file a fault picks: the one being written, or (`oldest`) the oldest not archived;
    /// the current file counts only its durable bytes.
    fn pick_file(&self, oldest: bool) -> Option<(String, u64)> {
        match (oldest, self.rolled.front(), self.current.as_ref()) {
            (true, Some(file), _) => Some((file.path.clone(), u64::MAX)),
            (_, _, Some(file)) => Some((file.path.clone(), file.durable_bytes)),
            (_, Some(file), None) => Some((file.path.clone(), u64::MAX)),
            (_, None, None) => None,
        }
    }

    /// Damages one byte inside one durable entry of the current file (or, `oldest`, of the
    /// oldest file), in the part of the entry `target` names, chosen with `stream`: the byte
    /// flips before HDFS checksummed it, or its chunk rots in `replicas` replicas (`None`: all
    /// of them). Returns where the damage went, or `None` if that file holds no durable entry
    /// (with the part asked for) yet.
    pub fn damage(
        &self,
        fs: &mut SimFs,
        oldest: bool,
        target: DamageTarget,
        kind: DamageKind,
        stream: &mut RandomStream,
    ) -> Option<Damage> {
        let (path, durable) = self.pick_file(oldest)?;
        let file = fs.read(&path).expect("a WAL file in its directory");
        let parts: Vec<(EntryParts, (u64, u64))> = entry_parts(file)
            .into_iter()
            .filter(|part| part.end <= durable)
            .filter_map(|part| part.span(target).map(|span| (part, span)))
            .collect();
        if parts.is_empty() {
            return None;
        }
        let (part, (start, end)) = &parts[stream.below(parts.len() as u64) as usize];
        let offset = start + stream.below(end - start);
        let in_value = part
            .values
            .iter()
            .any(|(start, end)| (*start..*end).contains(&offset));
        match kind {
            DamageKind::BeforeChecksum => {
                let mask = 1u8 << stream.below(8);
                fs.flip_byte(&path, offset, mask)
            }
            DamageKind::Replicas(count) => {
                let replicas = count.unwrap_or_else(|| file_replication(fs, &path));
                fs.rot_replicas(&path, offset, replicas)
            }
        }
        .expect("an offset inside the file");
        Some(Damage {
            path,
            offset,
            encoded_region_name: part.encoded_region_name.clone(),
            sequence_id: part.sequence_id,
            in_value,
        })
    }

    /// Makes the current (or oldest) file's blocks unreadable; returns it.
    pub fn make_unreadable(&self, fs: &mut SimFs, oldest: bool) -> Option<FileId> {
        let (path, _) = self.pick_file(oldest)?;
        let id = fs.file(&path).expect("a WAL file in its directory");
        fs.set_unreadable(id, true);
        Some(id)
    }
}

fn file_replication(fs: &SimFs, path: &str) -> u8 {
    fs.read(path).expect("a WAL file").replication()
}

/// Where in an entry damage lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageTarget {
    /// Any byte of the entry.
    Entry,
    /// Its WALKey (the delimited length and the message).
    Key,
    /// Its cells (lengths, keys and values).
    Cells,
    /// A value's bytes.
    Value,
}

/// Where a fault's damage went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub path: String,
    pub offset: u64,
    /// The entry it hit, as written: its region and sequence id.
    pub encoded_region_name: Vec<u8>,
    pub sequence_id: u64,
    /// The byte is in a value (not in the entry's key or its cells' framing).
    pub in_value: bool,
}

/// How a byte is damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageKind {
    /// It changes before HDFS checksums it: every replica holds it.
    BeforeChecksum,
    /// Its chunk rots in this many replicas (`None`: all).
    Replicas(Option<u8>),
}

/// The parts of one entry of a file, by offset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EntryParts {
    encoded_region_name: Vec<u8>,
    sequence_id: u64,
    start: u64,
    /// Where the cells begin (after the delimited key).
    cells: u64,
    end: u64,
    /// Each value's range.
    values: Vec<(u64, u64)>,
}

impl EntryParts {
    fn span(&self, target: DamageTarget) -> Option<(u64, u64)> {
        let span = match target {
            DamageTarget::Entry => (self.start, self.end),
            DamageTarget::Key => (self.start, self.cells),
            DamageTarget::Cells => (self.cells, self.end),
            DamageTarget::Value => *self.values.iter().find(|(start, end)| end > start)?,
        };
        (span.1 > span.0).then_some(span)
    }
}

/// The entries a file holds, with where their keys, cells and values lie (read with 2.5's
/// rules from the file as it is; a file already damaged yields the entries before the damage).
fn entry_parts(file: &crate::model::hdfs::sim_fs::HdfsFile) -> Vec<EntryParts> {
    let contents = read_wal(file, ReaderRules::Hbase25);
    let ends: Vec<u64> = contents
        .entries
        .iter()
        .skip(1)
        .map(|entry| entry.offset)
        .chain([contents.stop.offset()])
        .collect();
    contents
        .entries
        .iter()
        .zip(ends)
        .map(|(entry, end)| {
            let mut position = end;
            let mut values = Vec::with_capacity(entry.cells.len());
            for cell in entry.cells.iter().rev() {
                let tags = cell.tags.as_ref().map_or(0, |tags| tags.len() as u64);
                let value_end = position - tags;
                let value_start = value_end - cell.value.len();
                values.push((value_start, value_end));
                position = value_start - cell.as_cell().key_len() - 12;
            }
            values.reverse();
            EntryParts {
                encoded_region_name: entry.key.encoded_region_name.clone(),
                sequence_id: entry.key.sequence_id,
                start: entry.offset,
                cells: position,
                end,
                values,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wal::format::{CellValue, WalCell};
    use crate::model::wal::reader::{EndCause, Stop};

    fn key(sequence_id: u64) -> WalKey<'static> {
        WalKey {
            encoded_region_name: b"r1",
            table_name: b"t",
            sequence_id,
            write_time_ms: 1,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: &[],
            orig_sequence_id: 0,
        }
    }

    fn append(wal: &mut FsWal, fs: &mut SimFs, region: RegionId, sequence_id: u64) {
        wal.append(fs, region, &key(sequence_id), 1, |cells| {
            cells.cell(WalCell {
                row: b"row",
                family: b"f",
                qualifier: b"q",
                timestamp_ms: 1,
                type_code: 4,
                value: CellValue::Generated {
                    length_bytes: 10,
                    seed: sequence_id,
                },
            })
        });
    }

    fn read(fs: &SimFs, path: &str) -> crate::model::wal::reader::WalContents {
        read_wal(fs.read(path).unwrap(), ReaderRules::Hbase25)
    }

    fn open() -> (FsWal, SimFs) {
        let mut fs = SimFs::new();
        let mut wal = FsWal::new("rs1,16020,1", ProfileId::Hbase25);
        wal.open(&mut fs, 1000).unwrap();
        (wal, fs)
    }

    // Names follow HBase's; a crash keeps the durable bytes only, a torn write part of the
    // next entry, which then reads as a truncation.
    #[test]
    fn crash_keeps_what_was_synced() {
        let (mut wal, mut fs) = open();
        assert_eq!(wal.paths(), ["WALs/rs1,16020,1/rs1%2C16020%2C1.1000"]);
        append(&mut wal, &mut fs, 0, 1);
        let point = wal.sync_point(&fs);
        append(&mut wal, &mut fs, 0, 2);
        append(&mut wal, &mut fs, 0, 3);
        wal.synced(point);
        let cut = wal.crash(&mut fs, Some(0.5));
        assert_eq!(cut.entries_lost, 2);
        let path = wal.paths()[0].to_string();
        let contents = read(&fs, &path);
        assert_eq!(contents.entries.len(), 1);
        assert!(
            matches!(&contents.stop, Stop::End(end) if !end.is_clean()),
            "{:?}",
            contents.stop
        );
        assert_eq!(contents.stop.offset(), cut.torn.unwrap().0);
    }

    // A rolled file is archived once its regions flushed past it; too many rolled files name
    // the regions pinning the oldest.
    #[test]
    fn archiving_and_forced_flushes() {
        let (mut wal, mut fs) = open();
        append(&mut wal, &mut fs, 0, 5);
        append(&mut wal, &mut fs, 1, 7);
        wal.roll_start(&mut fs, 2000).unwrap();
        append(&mut wal, &mut fs, 0, 6);
        wal.roll_finish(&mut fs);
        assert_eq!((wal.files(), wal.rolled_files()), (2, 1));
        let unflushed = |region: RegionId| if region == 0 { Some(6) } else { Some(7) };
        let pinning =
            |region: RegionId, highest: u64| unflushed(region).filter(|lowest| *lowest <= highest);
        assert_eq!(wal.regions_to_force_flush(0, pinning), vec![(1, 7)]);
        assert_eq!(wal.regions_to_force_flush(1, pinning), vec![]);
        assert_eq!(wal.archive(&mut fs, unflushed), 0);
        assert_eq!(wal.archive(&mut fs, |region| (region == 0).then_some(6)), 1);
        assert_eq!(wal.files(), 1);
        assert_eq!(wal.paths(), ["WALs/rs1,16020,1/rs1%2C16020%2C1.2000"]);
        assert!(!fs.exists("WALs/rs1,16020,1/rs1%2C16020%2C1.1000"));
    }

    // After a failed sync, AsyncFSWAL writes the entries that were not durable again to the
    // new file; FSHLog drops them. The broken file keeps its durable bytes, with no trailer.
    #[test]
    fn broken_rolls_rewrite_or_drop() {
        for rewrite in [true, false] {
            let (mut wal, mut fs) = open();
            append(&mut wal, &mut fs, 0, 1);
            let point = wal.sync_point(&fs);
            wal.synced(point);
            append(&mut wal, &mut fs, 0, 2);
            append(&mut wal, &mut fs, 0, 3);
            let rewritten = wal.roll_broken(&mut fs, 2000, rewrite).unwrap();
            assert_eq!(rewritten, if rewrite { 2 } else { 0 });
            let paths: Vec<String> = wal.paths().iter().map(|p| p.to_string()).collect();
            let old = read(&fs, &paths[0]);
            assert_eq!(old.entries.len(), 1);
            assert!(
                matches!(&old.stop, Stop::End(end) if end.cause == EndCause::EndOfFile),
                "{:?}",
                old.stop
            );
            let new = read(&fs, &paths[1]);
            let ids: Vec<u64> = new.entries.iter().map(|e| e.key.sequence_id).collect();
            assert_eq!(ids, if rewrite { vec![2, 3] } else { vec![] });
            assert_eq!(wal.current_entries(), rewritten);
        }
    }

    // Damage lands inside a durable entry, in the part asked for: a flipped value byte reads
    // as the same entries with one value changed; a key rotted in every replica ends the
    // entries at that packet; one rotted replica of three is read around.
    #[test]
    fn damage_hits_a_durable_entry() {
        let setup = || {
            let (mut wal, mut fs) = open();
            for sequence_id in 1..=3 {
                append(&mut wal, &mut fs, 0, sequence_id);
            }
            let point = wal.sync_point(&fs);
            wal.synced(point);
            append(&mut wal, &mut fs, 0, 4);
            (wal, fs)
        };
        let mut stream = RandomStream::new(1, "test");
        let (wal, mut fs) = setup();
        let damage = wal
            .damage(
                &mut fs,
                false,
                DamageTarget::Value,
                DamageKind::BeforeChecksum,
                &mut stream,
            )
            .unwrap();
        let contents = read(&fs, &damage.path);
        assert_eq!(contents.entries.len(), 4);
        let changed: Vec<u64> = contents
            .entries
            .iter()
            .filter(|entry| {
                !entry.cells[0]
                    .value
                    .is_generated_from(entry.key.sequence_id, 10)
            })
            .map(|entry| entry.key.sequence_id)
            .collect();
        assert_eq!(changed, [damage.sequence_id]);
        assert!(damage.in_value);
        assert_eq!(damage.encoded_region_name, b"r1");
        assert!(damage.offset < wal.current.as_ref().unwrap().durable_bytes);

        let (wal, mut fs) = setup();
        let damage = wal
            .damage(
                &mut fs,
                false,
                DamageTarget::Key,
                DamageKind::Replicas(None),
                &mut stream,
            )
            .unwrap();
        // The file is one packet: every read fails, from the header on.
        assert!(!damage.in_value);
        assert!(matches!(read(&fs, &damage.path).stop, Stop::Open(_)));

        let (wal, mut fs) = setup();
        let damage = wal
            .damage(
                &mut fs,
                false,
                DamageTarget::Key,
                DamageKind::Replicas(Some(1)),
                &mut stream,
            )
            .unwrap();
        assert_eq!(read(&fs, &damage.path).entries.len(), 4);
    }
}
