//! Store files (HFiles) as metadata: what a flush writes from a snapshot, and what a compaction
//! writes from its input files.
//!
//! A file keeps HBase's metadata (size, cell count, key range, sequence-id range, newest
//! timestamp, bulk-load and reference flags, creation time) and a summary of its cells instead
//! of the cells: counts and bytes of puts and delete markers, and HyperLogLog sketches of the
//! rows they touch. Writes put every qualifier of a family in a row at once and deletes remove
//! whole rows (DeleteFamily), so rows are the unit a compaction dedups by.
//!
//! A file also knows where its rows fall by bytes (`RowProfile`) and its mid key (`MidKey`):
//! HFileBlockIndex.midkey is the index key of the middle data block by block count (block
//! ⌊N/2⌋ with a single-level index, the leaf entry ⌊(N−1)/2⌋ with a multi-level one, which the
//! writer starts once its first chunk of index entries reaches `hfile.index.block.max.size`,
//! 128 KiB), and a block's index key is HFileWriterImpl.getMidpoint of the last cell before it and
//! its first: the shortest row between them (a prefix of the earlier row with its first differing
//! byte raised), or the row itself when both cells are in one row. A flush knows its cells and
//! cuts them into 64 KiB blocks exactly as the writer does (a block ends once it holds at least
//! the block size), with the index entries sized as first-on-row keys of full rows; a
//! compaction's output (whose cells are not kept) takes the middle block's start from the merged
//! row profiles of its inputs (each weighted by its bytes, their survivors assumed spread as
//! their inputs), a bulk-loaded file (or a warm start's) from rows spread evenly over its key
//! range.
//!
//! A daughter's reference to half of its parent's file reports the parent's whole length
//! (StoreFileInfo opens the referred file and HFileReaderImpl.length is its size), so
//! compaction selection and the store's size see the full parent; it reads only its half, and
//! has no mid key (HalfStoreFileReader.midKey is empty).
//!
//! What survives follows the StoreScanner that flushes and compactions write through
//! (ScanQueryMatcher): a flush and a minor compaction keep delete markers but drop the puts they
//! cover and versions beyond the family's VERSIONS (COMPACT_RETAIN_DELETES); a major compaction
//! also drops the markers (COMPACT_DROP_DELETES). A flush applies this to the snapshot's real
//! cells; a compaction estimates it from the sketches: the union of the inputs' put rows, less
//! the rows whose newest change is a delete (rows both put and deleted, shared out by the
//! inputs' ratio of deletes to puts, since the sketches do not keep order).

use crate::model::store::cell::{Cell, CellType};
use crate::model::store::codec::{BlockBytes, block_bytes};
use crate::model::store::key_sketch::KeySketch;
use crate::scenario::codec::FamilyCodec;
use crate::sim::SimTime;

/// HFile data block size (the column family's BLOCKSIZE default, 64 KiB).
pub const HFILE_BLOCK_BYTES: u64 = 64 << 10;
/// `hfile.index.block.max.size`: once the index entries written so far take this much in the
/// non-root format, the writer starts a multi-level index.
pub const HFILE_INDEX_CHUNK_BYTES: u64 = 128 << 10;
/// Points of a row profile: the rows at 0, 1/32, …, 32/32 of a file's bytes.
const PROFILE_POINTS: usize = 33;
/// Each HFile block's header with checksum type and sizes (HFileBlock.headerSize, v3).
pub const HFILE_BLOCK_HEADER_BYTES: u64 = 33;
/// One CRC32C per `hbase.hstore.bytes.per.checksum` (16 KiB) of block data.
pub const HFILE_CHECKSUM_CHUNK_BYTES: u64 = 16 << 10;

/// How a table names its rows: a common prefix and the row index zero-padded to `digits`,
/// `row_bytes` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowNaming {
    pub digits: u32,
    pub row_bytes: u32,
}

impl RowNaming {
    /// The row part of getMidpoint(a cell in row `left`, the next in row `right`), as the first
    /// row index at or after it, with whether it names a row itself. Rows differ first in a
    /// digit: the midpoint keeps the digits before it and raises that one (the shortest array
    /// between the two), which names a row only if it is the last digit.
    pub fn midpoint(self, left: u64, right: u64) -> MidKey {
        if left >= right {
            return MidKey {
                row: right,
                is_row: true,
            };
        }
        // Digits after the first one that differs.
        let mut after = 0;
        while left / 10u64.pow(after + 1) != right / 10u64.pow(after + 1) {
            after += 1;
        }
        let scale = 10u64.pow(after);
        MidKey {
            row: (left / scale + 1) * scale,
            is_row: after == 0,
        }
    }

    /// The bytes one index entry takes in the non-root format: its offset, size and the key
    /// (a first-on-row key: the row with 12 bytes of framing), taken at the full row's length.
    pub(crate) fn index_entry_bytes(self) -> u64 {
        4 + 8 + 4 + u64::from(self.row_bytes) + 12
    }

    /// Whether an HFile of `blocks` data blocks has a multi-level index: the entries of all but
    /// the last block (written at close, when a lone chunk becomes the root) reached the chunk
    /// size in the non-root format (4 + 4 × (entries + 1) + the entries).
    pub(crate) fn multi_level(self, blocks: u64) -> bool {
        let entries = blocks.saturating_sub(1);
        entries > 0 && 8 + entries * self.index_entry_bytes() >= HFILE_INDEX_CHUNK_BYTES
    }

    /// The index of the middle data block: ⌊N/2⌋ of the root (single level), or the leaf entry
    /// ⌊(N−1)/2⌋ the mid-key metadata names (multi-level).
    fn middle_block(self, blocks: u64) -> u64 {
        if self.multi_level(blocks) {
            (blocks - 1) / 2
        } else {
            blocks / 2
        }
    }
}

/// The row part of a file's mid key, as the first row index at or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MidKey {
    pub row: u64,
    /// Whether it is a row's own name, not a shortened key between two rows (which equals no
    /// row, so never the file's first or last).
    pub is_row: bool,
}

impl MidKey {
    /// The mid key of a file whose `payload` bytes are spread over rows as `profile` says: the
    /// row where the middle of about payload ÷ 64 KiB blocks starts.
    pub fn estimated(profile: &RowProfile, payload: u64, naming: RowNaming) -> MidKey {
        let blocks = payload.div_ceil(HFILE_BLOCK_BYTES).max(1);
        let middle = naming.middle_block(blocks);
        MidKey {
            row: profile.row_at(middle as f64 / blocks as f64),
            is_row: true,
        }
    }
}

/// The data blocks an HFile writer cuts cells into: a block ends once it holds at least
/// HFILE_BLOCK_BYTES (HFileWriterImpl.checkBlockBoundary before each cell).
#[derive(Debug, Default)]
struct Blocks {
    /// Each block's first row and the bytes before it.
    starts: Vec<(u64, u64)>,
    /// Each block's index key row (after the first block's).
    keys: Vec<MidKey>,
    bytes: u64,
    block_bytes: u64,
    last_row: Option<u64>,
}

impl Blocks {
    fn push(&mut self, row: u64, bytes: u64, naming: RowNaming) {
        match self.last_row {
            None => self.starts.push((row, 0)),
            Some(last) if self.block_bytes >= HFILE_BLOCK_BYTES => {
                self.starts.push((row, self.bytes));
                self.keys.push(naming.midpoint(last, row));
                self.block_bytes = 0;
            }
            Some(_) => {}
        }
        self.bytes += bytes;
        self.block_bytes += bytes;
        self.last_row = Some(row);
    }

    /// The middle block's index key: the first block's is its first cell's row.
    fn mid_key(&self, naming: RowNaming) -> Option<MidKey> {
        let (first, _) = *self.starts.first()?;
        let middle = naming.middle_block(self.starts.len() as u64) as usize;
        Some(match middle {
            0 => MidKey {
                row: first,
                is_row: true,
            },
            block => self.keys[block - 1],
        })
    }
}

/// The rows at evenly spaced byte positions of a file's cells (0, 1/32, …, 32/32 of its bytes):
/// where its bytes fall among its rows, between the points taken as spread evenly over the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowProfile {
    rows: [u64; PROFILE_POINTS],
}

impl RowProfile {
    /// Bytes spread evenly over the rows `first..=last`.
    pub fn uniform(first: u64, last: u64) -> RowProfile {
        let last = last.max(first);
        let span = u128::from(last - first);
        let mut rows = [first; PROFILE_POINTS];
        for (point, row) in rows.iter_mut().enumerate() {
            *row = first + (span * point as u128 / (PROFILE_POINTS as u128 - 1)) as u64;
        }
        RowProfile { rows }
    }

    /// From a writer's blocks.
    fn from_blocks(blocks: &Blocks) -> RowProfile {
        let last_row = blocks.last_row.unwrap_or(0);
        let total = blocks.bytes;
        let starts = &blocks.starts;
        let mut rows = [last_row; PROFILE_POINTS];
        if total == 0 || starts.is_empty() {
            return RowProfile { rows };
        }
        let mut block = 0;
        for (point, row) in rows.iter_mut().enumerate().take(PROFILE_POINTS - 1) {
            let target = total as f64 * point as f64 / (PROFILE_POINTS - 1) as f64;
            while block + 1 < starts.len() && (starts[block + 1].1 as f64) <= target {
                block += 1;
            }
            let (start_row, start_bytes) = starts[block];
            let (end_row, end_bytes) = starts.get(block + 1).copied().unwrap_or((last_row, total));
            let within = if end_bytes > start_bytes {
                (target - start_bytes as f64) / (end_bytes - start_bytes) as f64
            } else {
                0.0
            };
            *row = start_row + ((end_row - start_row) as f64 * within) as u64;
        }
        RowProfile { rows }
    }

    /// The row at `fraction` of the bytes.
    pub fn row_at(&self, fraction: f64) -> u64 {
        let position = fraction.clamp(0.0, 1.0) * (PROFILE_POINTS - 1) as f64;
        let point = (position as usize).min(PROFILE_POINTS - 2);
        let (low, high) = (self.rows[point], self.rows[point + 1]);
        low + ((high - low) as f64 * (position - point as f64)) as u64
    }

    /// The share of the bytes in rows up to `row`.
    pub(crate) fn share_through(&self, row: u64) -> f64 {
        if row < self.rows[0] {
            return 0.0;
        }
        if row >= self.rows[PROFILE_POINTS - 1] {
            return 1.0;
        }
        let point = self.rows.partition_point(|&at| at <= row) - 1;
        let (low, high) = (self.rows[point], self.rows[point + 1]);
        let within = (row - low + 1) as f64 / (high - low + 1) as f64;
        (point as f64 + within) / (PROFILE_POINTS - 1) as f64
    }

    /// The profile of the bytes in rows `first..last_excluded` (a daughter's half).
    pub fn restricted(&self, first: u64, last_excluded: u64) -> RowProfile {
        let low = if first == 0 {
            0.0
        } else {
            self.share_through(first - 1)
        };
        let high = self.share_through(last_excluded.saturating_sub(1));
        let last = last_excluded.saturating_sub(1).max(first);
        let mut rows = [first; PROFILE_POINTS];
        for (point, row) in rows.iter_mut().enumerate() {
            let share = low + (high - low) * point as f64 / (PROFILE_POINTS - 1) as f64;
            *row = self.row_at(share).clamp(first, last);
        }
        RowProfile { rows }
    }

    /// The profile of several files' bytes together, each with its weight (its bytes): at
    /// each point, the least row through which the weighted share reaches it.
    pub fn merged(profiles: &[(RowProfile, f64)]) -> RowProfile {
        let total: f64 = profiles.iter().map(|(_, weight)| weight).sum();
        let first = profiles.iter().map(|(p, _)| p.rows[0]).min().unwrap_or(0);
        let last = profiles
            .iter()
            .map(|(p, _)| p.rows[PROFILE_POINTS - 1])
            .max()
            .unwrap_or(0);
        if total <= 0.0 {
            return RowProfile::uniform(first, last);
        }
        let share = |row: u64| {
            profiles
                .iter()
                .map(|(profile, weight)| profile.share_through(row) * weight)
                .sum::<f64>()
                / total
        };
        let mut rows = [last; PROFILE_POINTS];
        rows[0] = first;
        for (point, row) in rows.iter_mut().enumerate().take(PROFILE_POINTS - 1).skip(1) {
            let target = point as f64 / (PROFILE_POINTS - 1) as f64;
            let (mut low, mut high) = (first, last);
            while low < high {
                let middle = low + (high - low) / 2;
                if share(middle) >= target {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            *row = low;
        }
        RowProfile { rows }
    }
}

/// What a file's cells amount to.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    pub put_cells: u64,
    pub delete_cells: u64,
    /// Row versions put: (row, timestamp) groups of put cells.
    pub put_versions: u64,
    /// KeyValue bytes of the put cells and of the delete markers.
    pub put_data_bytes: u64,
    pub delete_data_bytes: u64,
    /// Bytes of the cells' sequence ids as HFile v3 writes them (a vlong each).
    pub sequence_bytes: u64,
    /// Bytes of the cells' keys with their two length fields (their KeyValue bytes less the
    /// values): what a data block encoding shortens.
    pub key_bytes: u64,
    pub put_rows: KeySketch,
    pub delete_rows: KeySketch,
    /// The share of the sketched rows that is this file's: ½ for a daughter's reference to
    /// its parent's file, and so on.
    pub row_fraction: f64,
}

impl Contents {
    fn cells(&self) -> u64 {
        self.put_cells + self.delete_cells
    }

    fn data_bytes(&self) -> u64 {
        self.put_data_bytes + self.delete_data_bytes
    }

    /// The bytes its cells take in the file's blocks (KeyValues and sequence ids).
    pub fn payload_bytes(&self) -> u64 {
        self.data_bytes() + self.sequence_bytes
    }

    /// Its file's length and data block bytes when written with `codec`: its rows taken as
    /// its row versions and delete markers.
    pub fn file_bytes(&self, codec: &FamilyCodec) -> (u64, BlockBytes) {
        let payload = self.payload_bytes();
        let blocks = payload.div_ceil(HFILE_BLOCK_BYTES);
        let rows = self.put_versions + self.delete_cells;
        let bytes = block_bytes(codec, payload, self.key_bytes, rows, blocks);
        (hfile_bytes(payload, bytes.stored), bytes)
    }
}

/// The metadata of one store file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreFile {
    pub id: u64,
    /// Its length as StoreFileReader reports it (what compaction selection and the store's
    /// size count): a reference reports its parent file's whole length.
    pub size_bytes: u64,
    /// The bytes a reader of it reads: its length, or for a reference the half it refers to.
    pub read_bytes: u64,
    /// Its data blocks' bytes before compression (encoded): what its writer compressed and a
    /// reader decompresses (for a reference, of the half it reads).
    pub uncompressed_bytes: u64,
    pub cells: u64,
    /// (row, qualifier rank) of the first and last cell.
    pub first_key: (u64, u16),
    pub last_key: (u64, u16),
    pub sequence_id_min: u64,
    pub sequence_id_max: u64,
    pub timestamp_max_ms: u64,
    pub bulk_loaded: bool,
    pub reference: bool,
    /// Whether a major compaction wrote it (HStoreFile.isMajorCompactionResult).
    pub major_compaction_result: bool,
    pub created_at: SimTime,
    /// None for a bulk-loaded file, whose cells are not known: compactions carry it whole.
    pub contents: Option<Contents>,
    /// Where its bytes fall among its rows.
    pub rows_by_bytes: RowProfile,
    /// Its mid key (none for an empty file or a reference).
    pub mid_key: Option<MidKey>,
}

/// A file spread evenly over a region's rows (`StoreFile::spread`).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub id: u64,
    pub size_bytes: u64,
    /// The region's rows: the first, and the end (excluded).
    pub rows: (u64, u64),
    /// The lowest and highest sequence id of its cells.
    pub sequence_ids: (u64, u64),
    pub timestamp_max_ms: u64,
    /// None when its cells are not known.
    pub contents: Option<Contents>,
}

/// A file's cells as a flush or a compaction writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub contents: Contents,
    pub rows_by_bytes: RowProfile,
    pub mid_key: Option<MidKey>,
}

impl StoreFile {
    /// A file a flush writes with the family's `codec`, sized from its contents.
    pub fn written(
        id: u64,
        written: Written,
        keys: (Option<&Cell>, Option<&Cell>),
        sequence_ids: (u64, u64),
        timestamp_max_ms: u64,
        now: SimTime,
        codec: &FamilyCodec,
    ) -> StoreFile {
        let key = |cell: Option<&Cell>| cell.map_or((0, 0), |cell| (cell.row, cell.qualifier));
        let Written {
            contents,
            rows_by_bytes,
            mid_key,
        } = written;
        let (size_bytes, blocks) = contents.file_bytes(codec);
        StoreFile {
            id,
            size_bytes,
            read_bytes: size_bytes,
            uncompressed_bytes: blocks.encoded,
            rows_by_bytes,
            mid_key,
            cells: contents.cells(),
            first_key: key(keys.0),
            last_key: key(keys.1),
            sequence_id_min: sequence_ids.0,
            sequence_id_max: sequence_ids.1,
            timestamp_max_ms,
            bulk_loaded: false,
            reference: false,
            major_compaction_result: false,
            created_at: now,
            contents: Some(contents),
        }
    }

    /// A file whose cells are not listed, its bytes taken as spread evenly over its rows: a
    /// bulk-loaded file (its contents unknown), or a warm start's file (its contents summarised
    /// from the table's key layout). Its length is the size given exactly; its mid key is where
    /// the middle block of its payload starts. Its blocks are taken as written with the
    /// family's `codec` (a bulk-loaded file's uncompressed bytes as its length × the ratio).
    pub fn spread(
        spread: Spread,
        naming: RowNaming,
        now: SimTime,
        codec: &FamilyCodec,
    ) -> StoreFile {
        let Spread {
            id,
            size_bytes,
            rows: (start, end),
            sequence_ids,
            timestamp_max_ms,
            contents,
        } = spread;
        let rows_by_bytes = RowProfile::uniform(start, end.saturating_sub(1));
        let payload = contents
            .as_ref()
            .map_or(size_bytes, |contents| contents.payload_bytes());
        let uncompressed_bytes = match &contents {
            Some(contents) => contents.file_bytes(codec).1.encoded,
            None => (size_bytes as f64 * codec.ratio).round() as u64,
        };
        StoreFile {
            id,
            size_bytes,
            read_bytes: size_bytes,
            uncompressed_bytes,
            rows_by_bytes,
            mid_key: Some(MidKey::estimated(&rows_by_bytes, payload, naming)),
            cells: contents.as_ref().map_or(0, |contents| contents.cells()),
            first_key: (start, 0),
            last_key: (end.saturating_sub(1), u16::MAX),
            sequence_id_min: sequence_ids.0,
            sequence_id_max: sequence_ids.1,
            timestamp_max_ms,
            bulk_loaded: false,
            reference: false,
            major_compaction_result: false,
            created_at: now,
            contents,
        }
    }

    /// A half of this file for a daughter region after a split (a Reference to its rows): it
    /// reports the whole file's length, reads half of it, and has no mid key.
    pub fn half_reference(&self, id: u64, rows: (u64, u64), now: SimTime) -> StoreFile {
        let mut half = self.clone();
        half.id = id;
        half.reference = true;
        half.created_at = now;
        half.read_bytes = self.read_bytes / 2;
        half.uncompressed_bytes = self.uncompressed_bytes / 2;
        half.rows_by_bytes = self.rows_by_bytes.restricted(rows.0, rows.1);
        half.mid_key = None;
        half.cells = self.cells / 2;
        half.first_key = half.first_key.max((rows.0, 0));
        half.last_key = half.last_key.min((rows.1.saturating_sub(1), u16::MAX));
        if let Some(contents) = &mut half.contents {
            contents.put_cells /= 2;
            contents.delete_cells /= 2;
            contents.put_versions /= 2;
            contents.put_data_bytes /= 2;
            contents.delete_data_bytes /= 2;
            contents.sequence_bytes /= 2;
            contents.key_bytes /= 2;
            contents.row_fraction /= 2.0;
        }
        half
    }

    /// StoreUtils.getFileSplitPoint: the row of its mid key, unless that is its first or last
    /// row (a reference has none).
    pub fn split_row(&self) -> Option<u64> {
        let mid = self.mid_key?;
        let edge = mid.is_row && (mid.row == self.first_key.0 || mid.row == self.last_key.0);
        (!edge).then_some(mid.row)
    }
}

/// The size of an HFile whose cells total `payload` bytes (KeyValues and sequence ids), cut
/// into 64 KiB blocks, and are `stored` bytes once encoded and compressed (`payload` without a
/// codec): each block carries a header, and a CRC32C per 16 KiB of what is stored. The block
/// index, bloom filter, file info and trailer are left out (well under 1% for ≥ 1 KB cells).
pub fn hfile_bytes(payload: u64, stored: u64) -> u64 {
    let blocks = payload.div_ceil(HFILE_BLOCK_BYTES);
    let checksums = stored.div_ceil(HFILE_CHECKSUM_CHUNK_BYTES);
    stored + blocks * HFILE_BLOCK_HEADER_BYTES + checksums * 4
}

/// Bytes of Hadoop's WritableUtils.writeVLong for a non-negative value.
pub fn vlong_bytes(value: u64) -> u64 {
    if value <= 127 {
        1
    } else {
        1 + (64 - u64::from(value.leading_zeros())).div_ceil(8)
    }
}

/// The cells of a snapshot a flush writes, with each cell's KeyValue bytes: puts covered by a
/// newer DeleteFamily of their row and versions beyond `max_versions` per column are dropped,
/// markers kept (COMPACT_RETAIN_DELETES). `cells` come in CellComparator order.
pub fn flush_survivors<'c>(
    cells: impl IntoIterator<Item = &'c Cell>,
    max_versions: u32,
) -> impl Iterator<Item = &'c Cell> {
    let mut row = None;
    let mut deleted_up_to = None;
    let mut column = None;
    let mut versions = 0;
    cells.into_iter().filter(move |cell| {
        if row != Some(cell.row) {
            row = Some(cell.row);
            deleted_up_to = None;
            column = None;
        }
        if cell.cell_type != CellType::Put {
            if cell.cell_type == CellType::DeleteFamily {
                deleted_up_to = deleted_up_to.max(Some(cell.timestamp_ms));
            }
            return true;
        }
        if deleted_up_to.is_some_and(|deleted| cell.timestamp_ms <= deleted) {
            return false;
        }
        if column != Some(cell.qualifier) {
            column = Some(cell.qualifier);
            versions = 0;
        }
        versions += 1;
        versions <= max_versions
    })
}

/// What a flush writes: the contents of the surviving cells, `kv_bytes` giving each cell's
/// KeyValue length.
pub fn flushed<'c>(
    survivors: impl Iterator<Item = &'c Cell>,
    kv_bytes: impl Fn(&Cell) -> u64,
    naming: RowNaming,
) -> Written {
    let mut contents = Contents {
        put_cells: 0,
        delete_cells: 0,
        put_versions: 0,
        put_data_bytes: 0,
        delete_data_bytes: 0,
        sequence_bytes: 0,
        key_bytes: 0,
        put_rows: KeySketch::default(),
        delete_rows: KeySketch::default(),
        row_fraction: 1.0,
    };
    let mut last_version = None;
    let mut blocks = Blocks::default();
    for cell in survivors {
        let sequence_bytes = vlong_bytes(cell.sequence_id);
        let cell_bytes = kv_bytes(cell);
        blocks.push(cell.row, cell_bytes + sequence_bytes, naming);
        contents.sequence_bytes += sequence_bytes;
        contents.key_bytes += cell_bytes - u64::from(cell.value_bytes);
        if cell.cell_type == CellType::Put {
            contents.put_cells += 1;
            contents.put_data_bytes += cell_bytes;
            if last_version != Some((cell.row, cell.timestamp_ms, cell.sequence_id)) {
                last_version = Some((cell.row, cell.timestamp_ms, cell.sequence_id));
                contents.put_versions += 1;
                contents.put_rows.insert(cell.row, 0);
            }
        } else {
            contents.delete_cells += 1;
            contents.delete_data_bytes += cell_bytes;
            contents.delete_rows.insert(cell.row, 0);
        }
    }
    Written {
        contents,
        rows_by_bytes: RowProfile::from_blocks(&blocks),
        mid_key: blocks.mid_key(naming),
    }
}

/// Estimated rows whose newest change among `inputs` (oldest first) is a delete and that an
/// older input put: for each file's delete rows D, those also in the older files' puts P and
/// in none of the newer changes X (this file's puts, which survived its flush and so are
/// newer, and later files' puts and deletes): |D∩P| − |D∩P∩X|, by inclusion–exclusion.
fn rows_deleted_last(inputs: &[&Contents]) -> f64 {
    let count = inputs.len();
    // newer[i]: every put in files ≥ i and every delete in files > i.
    let mut newer = vec![KeySketch::default(); count + 1];
    for index in (0..count).rev() {
        let mut sketch = newer[index + 1].clone();
        sketch.merge(&inputs[index].put_rows);
        if index + 1 < count {
            sketch.merge(&inputs[index + 1].delete_rows);
        }
        newer[index] = sketch;
    }
    let union = |sets: &[&KeySketch]| {
        let mut all = KeySketch::default();
        for set in sets {
            all.merge(set);
        }
        all.estimate()
    };
    let mut older_puts = KeySketch::default();
    let mut deleted = 0.0;
    for (index, contents) in inputs.iter().enumerate() {
        let (d, p, x) = (&contents.delete_rows, &older_puts, &newer[index]);
        if contents.delete_cells > 0 && index > 0 {
            let both = d.estimate() + p.estimate() - union(&[d, p]);
            let all_three = d.estimate() + p.estimate() + x.estimate()
                - union(&[d, p])
                - union(&[d, x])
                - union(&[p, x])
                + union(&[d, p, x]);
            deleted += (both - all_three).max(0.0);
        }
        older_puts.merge(&contents.put_rows);
    }
    deleted
}

/// What a compaction writes.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactedFile {
    pub size_bytes: u64,
    /// Its data blocks' bytes before compression.
    pub uncompressed_bytes: u64,
    /// None if no input's cells are known.
    pub contents: Option<Contents>,
    /// Its inputs' profiles merged, each weighted by the bytes it reads.
    pub rows_by_bytes: RowProfile,
    pub mid_key: Option<MidKey>,
}

/// The file a compaction of `inputs` (oldest first) writes with the family's `codec`.
/// `drop_deletes` for a major compaction; bulk-loaded files pass through whole.
pub fn compacted(
    inputs: &[&StoreFile],
    drop_deletes: bool,
    max_versions: u32,
    naming: RowNaming,
    codec: &FamilyCodec,
) -> CompactedFile {
    let profiles: Vec<(RowProfile, f64)> = inputs
        .iter()
        .map(|file| (file.rows_by_bytes, file.read_bytes as f64))
        .collect();
    let rows_by_bytes = RowProfile::merged(&profiles);
    let (size_bytes, uncompressed_bytes, contents) =
        compacted_contents(inputs, drop_deletes, max_versions, codec);
    let payload = contents
        .as_ref()
        .map_or(size_bytes, |contents| contents.payload_bytes());
    CompactedFile {
        size_bytes,
        uncompressed_bytes,
        contents,
        rows_by_bytes,
        mid_key: (size_bytes > 0).then(|| MidKey::estimated(&rows_by_bytes, payload, naming)),
    }
}

/// The size, uncompressed data bytes and contents of a compaction's output.
fn compacted_contents(
    inputs: &[&StoreFile],
    drop_deletes: bool,
    max_versions: u32,
    codec: &FamilyCodec,
) -> (u64, u64, Option<Contents>) {
    let described: Vec<&Contents> = inputs
        .iter()
        .filter_map(|file| file.contents.as_ref())
        .collect();
    let opaque = inputs.iter().filter(|file| file.contents.is_none());
    let opaque_bytes: u64 = opaque.clone().map(|file| file.read_bytes).sum();
    let opaque_uncompressed: u64 = opaque.map(|file| file.uncompressed_bytes).sum();
    if described.is_empty() {
        return (opaque_bytes, opaque_uncompressed, None);
    }
    let sum = |field: fn(&Contents) -> u64| described.iter().map(|c| field(c)).sum::<u64>();
    let put_cells = sum(|c| c.put_cells);
    let delete_cells = sum(|c| c.delete_cells);
    let put_versions = sum(|c| c.put_versions);
    let put_data = sum(|c| c.put_data_bytes);
    let delete_data = sum(|c| c.delete_data_bytes);
    let sequence_bytes = sum(|c| c.sequence_bytes);
    let key_bytes = sum(|c| c.key_bytes);
    let cells = (put_cells + delete_cells) as f64;
    let fraction = if cells > 0.0 {
        described
            .iter()
            .map(|c| c.row_fraction * c.cells() as f64)
            .sum::<f64>()
            / cells
    } else {
        1.0
    };
    let mut put_rows = KeySketch::default();
    let mut delete_rows = KeySketch::default();
    for contents in &described {
        put_rows.merge(&contents.put_rows);
        delete_rows.merge(&contents.delete_rows);
    }
    let puts = put_rows.estimate() * fraction;
    let live_rows = (puts - rows_deleted_last(&described) * fraction).max(0.0);
    let per = |total: u64, count: u64| {
        if count > 0 {
            total as f64 / count as f64
        } else {
            0.0
        }
    };
    let versions_per_row = if puts > 0.0 {
        (put_versions as f64 / puts).clamp(1.0, f64::from(max_versions))
    } else {
        0.0
    };
    let out_versions = ((live_rows * versions_per_row).round() as u64).min(put_versions);
    let out_puts =
        ((out_versions as f64 * per(put_cells, put_versions)).round() as u64).min(put_cells);
    let out_deletes = if drop_deletes {
        0
    } else {
        ((delete_rows.estimate() * fraction).round() as u64).min(delete_cells)
    };
    let contents = Contents {
        put_cells: out_puts,
        delete_cells: out_deletes,
        put_versions: out_versions,
        put_data_bytes: (out_puts as f64 * per(put_data, put_cells)).round() as u64,
        delete_data_bytes: (out_deletes as f64 * per(delete_data, delete_cells)).round() as u64,
        sequence_bytes: ((out_puts + out_deletes) as f64
            * per(sequence_bytes, put_cells + delete_cells))
        .round() as u64,
        key_bytes: ((out_puts + out_deletes) as f64 * per(key_bytes, put_cells + delete_cells))
            .round() as u64,
        put_rows,
        delete_rows: if drop_deletes {
            KeySketch::default()
        } else {
            delete_rows
        },
        row_fraction: fraction,
    };
    let (size_bytes, blocks) = contents.file_bytes(codec);
    (
        size_bytes + opaque_bytes,
        blocks.encoded + opaque_uncompressed,
        Some(contents),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn put(row: u64, timestamp_ms: u64, sequence_id: u64) -> Cell {
        Cell {
            row,
            timestamp_ms,
            sequence_id,
            qualifier: 1,
            cell_type: CellType::Put,
            value_bytes: 100,
        }
    }

    fn delete(row: u64, timestamp_ms: u64, sequence_id: u64) -> Cell {
        Cell {
            qualifier: 0,
            cell_type: CellType::DeleteFamily,
            value_bytes: 0,
            ..put(row, timestamp_ms, sequence_id)
        }
    }

    const NAMING: RowNaming = RowNaming {
        digits: 7,
        row_bytes: 11,
    };

    fn file(id: u64, cells: &[Cell]) -> StoreFile {
        let set: BTreeSet<Cell> = cells.iter().copied().collect();
        let written = flushed(
            flush_survivors(&set, 1),
            |cell| 30 + u64::from(cell.value_bytes),
            NAMING,
        );
        StoreFile::written(
            id,
            written,
            (set.first(), set.last()),
            (0, id),
            0,
            SimTime::ZERO,
            &FamilyCodec::NONE,
        )
    }

    /// A put of a 1000-byte value: 1030 bytes of KeyValue here, 1031 with its sequence id.
    fn put_row(row: u64, qualifier: u16) -> Cell {
        Cell {
            qualifier,
            value_bytes: 1000,
            ..put(row, 1, 1)
        }
    }

    // getMidpoint's row between two rows, as the first row at or after it: "0004999" and
    // "0005001" first differ in the fourth digit, so the midpoint is "0005" (a prefix: no row's
    // name), whose first row is 5000; "0000123" and "0000125" give "0000124", a row itself;
    // "0000123" and "0000124" give the right row.
    #[test]
    fn midpoints_between_rows() {
        let naming = RowNaming {
            digits: 7,
            row_bytes: 11,
        };
        let midpoint = |left, right| naming.midpoint(left, right);
        assert_eq!(
            midpoint(4999, 5001),
            MidKey {
                row: 5000,
                is_row: false
            }
        );
        assert_eq!(
            midpoint(123, 125),
            MidKey {
                row: 124,
                is_row: true
            }
        );
        assert_eq!(
            midpoint(123, 124),
            MidKey {
                row: 124,
                is_row: true
            }
        );
        assert_eq!(
            midpoint(7, 7),
            MidKey {
                row: 7,
                is_row: true
            }
        );
        assert_eq!(
            midpoint(0, 1_000_000),
            MidKey {
                row: 1_000_000,
                is_row: false
            }
        );
        // The index is single-level while all but the last block's entries (39 bytes each here)
        // stay under 128 KiB: block ⌊N/2⌋; then the leaf entry ⌊(N−1)/2⌋.
        assert_eq!(naming.middle_block(10), 5);
        assert_eq!(naming.middle_block(3361), 1680);
        assert_eq!(naming.middle_block(4000), 1999);
    }

    // A flush cuts its cells into blocks that end once they hold 64 KiB: 1000 rows of one
    // 1031-byte cell (1030 of KeyValue, 1 of sequence id) make blocks of 64 cells, 16 blocks in
    // all; the mid key is block 8's index key, the midpoint of rows 511 and 512: row 512 —
    // not the middle of the key range (500). When the rows' bytes are skewed, so is the mid key:
    // with ten cells in each of rows 0–99 and one in each of rows 100–999 (30 blocks), the middle
    // block, the 15th, starts with cell 960, in row 96. A file of one block has its first row as mid key: no split row.
    #[test]
    fn the_mid_key_is_the_middle_blocks() {
        let even: Vec<Cell> = (0..1000).map(|row| put_row(row, 1)).collect();
        let even = file(0, &even);
        assert_eq!(even.read_bytes, even.size_bytes);
        assert_eq!(
            even.mid_key,
            Some(MidKey {
                row: 512,
                is_row: true
            })
        );
        assert_eq!(even.split_row(), Some(512));
        let skewed: Vec<Cell> = (0..1000)
            .flat_map(|row| {
                let columns = if row < 100 { 10 } else { 1 };
                (1..=columns).map(move |qualifier| put_row(row, qualifier))
            })
            .collect();
        let skewed = file(1, &skewed);
        let row = skewed.split_row().unwrap();
        assert!((90..=100).contains(&row), "{row}");
        assert!((skewed.rows_by_bytes.row_at(0.5) as i64 - row as i64).abs() <= 10);
        let small = file(2, &[put_row(3, 1), put_row(9, 1)]);
        assert_eq!(
            small.mid_key,
            Some(MidKey {
                row: 3,
                is_row: true
            })
        );
        assert_eq!(small.split_row(), None);
    }

    // A daughter's half reference reports its parent's whole length, reads half, has no split
    // row, and profiles only its own rows.
    #[test]
    fn a_reference_reports_its_parents_length() {
        let parent = file(0, &(0..1000).map(|row| put_row(row, 1)).collect::<Vec<_>>());
        let half = parent.half_reference(1, (500, 1000), SimTime::ZERO);
        assert_eq!(half.size_bytes, parent.size_bytes);
        assert_eq!(half.read_bytes, parent.read_bytes / 2);
        assert_eq!(half.split_row(), None);
        assert!(half.rows_by_bytes.row_at(0.0) >= 500);
        assert!((740..=760).contains(&half.rows_by_bytes.row_at(0.5)));
    }

    // Row profiles: even bytes give the middle row at half; merging weighs each file by its
    // bytes (three quarters of the bytes in rows 0–99 put the merged middle there).
    #[test]
    fn row_profiles_merge_by_weight() {
        let low = RowProfile::uniform(0, 99);
        let high = RowProfile::uniform(100, 999);
        assert_eq!(low.row_at(0.5), 49);
        let merged = RowProfile::merged(&[(low, 3.0), (high, 1.0)]);
        assert!((60..=70).contains(&merged.row_at(0.5)), "{:?}", merged);
        assert!(merged.row_at(0.9) > 500);
        assert_eq!(merged.row_at(1.0), 999);
    }

    // WritableUtils.writeVLong: one byte up to 127, then a length byte plus the value's bytes.
    #[test]
    fn vlong_sizes() {
        assert_eq!(vlong_bytes(0), 1);
        assert_eq!(vlong_bytes(127), 1);
        assert_eq!(vlong_bytes(128), 2);
        assert_eq!(vlong_bytes(255), 2);
        assert_eq!(vlong_bytes(256), 3);
        assert_eq!(vlong_bytes(u64::MAX), 9);
    }

    // A flush keeps one version per column (VERSIONS 1), drops puts a newer DeleteFamily covers
    // and keeps the marker and the put made after it.
    #[test]
    fn a_flush_drops_covered_puts_and_old_versions() {
        let cells: BTreeSet<Cell> = [
            put(1, 10, 1),
            put(1, 20, 2),
            delete(2, 30, 3),
            put(2, 25, 4),
            put(2, 40, 5),
        ]
        .into_iter()
        .collect();
        let kept: Vec<(u64, u64)> = flush_survivors(&cells, 1)
            .map(|cell| (cell.row, cell.timestamp_ms))
            .collect();
        assert_eq!(kept, vec![(1, 20), (2, 30), (2, 40)]);
        assert_eq!(flush_survivors(&cells, 3).count(), 4);
    }

    // Disjoint files compact to (about) their sum; files rewriting the same rows compact to
    // (about) one of them; a major compaction drops delete markers and the rows they cover.
    #[test]
    fn compaction_output_follows_the_rows_the_inputs_share() {
        let disjoint: Vec<StoreFile> = (0..4)
            .map(|part| {
                let cells: Vec<Cell> = (0..5000).map(|row| put(part * 5000 + row, 1, 1)).collect();
                file(part, &cells)
            })
            .collect();
        let inputs: Vec<&StoreFile> = disjoint.iter().collect();
        let (size, _, contents) = compacted_contents(&inputs, false, 1, &FamilyCodec::NONE);
        let sum: u64 = disjoint.iter().map(|file| file.size_bytes).sum();
        assert!(
            (size as f64 - sum as f64).abs() < 0.05 * sum as f64,
            "{size} vs {sum}"
        );
        assert!(contents.unwrap().put_cells <= 20_000);

        let rewrites: Vec<StoreFile> = (0..4)
            .map(|version| {
                let cells: Vec<Cell> = (0..5000)
                    .map(|row| put(row, version + 1, version + 1))
                    .collect();
                file(version, &cells)
            })
            .collect();
        let inputs: Vec<&StoreFile> = rewrites.iter().collect();
        let (size, _, _) = compacted_contents(&inputs, true, 1, &FamilyCodec::NONE);
        let one = rewrites[0].size_bytes;
        assert!(
            (size as f64 - one as f64).abs() < 0.05 * one as f64,
            "{size} vs {one}"
        );

        let puts = file(0, &(0..5000).map(|row| put(row, 1, 1)).collect::<Vec<_>>());
        let deletes = file(
            1,
            &(0..5000).map(|row| delete(row, 2, 2)).collect::<Vec<_>>(),
        );
        let (size, _, contents) =
            compacted_contents(&[&puts, &deletes], true, 1, &FamilyCodec::NONE);
        let contents = contents.unwrap();
        assert_eq!(contents.delete_cells, 0);
        assert!(contents.put_cells < 250, "{contents:?}");
        assert!(size < puts.size_bytes);
        let (_, _, minor) = compacted_contents(&[&puts, &deletes], false, 1, &FamilyCodec::NONE);
        assert!(minor.unwrap().delete_cells > 4500);
        // Puts made after the deletes bring the rows back.
        let again = file(2, &(0..5000).map(|row| put(row, 3, 3)).collect::<Vec<_>>());
        let (_, _, contents) =
            compacted_contents(&[&puts, &deletes, &again], true, 1, &FamilyCodec::NONE);
        assert!(contents.unwrap().put_cells > 4750);
    }
}
