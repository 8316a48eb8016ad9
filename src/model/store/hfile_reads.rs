//! What a reader of one store file touches for a row or a run of rows: the blocks a get or a
//! scan asks the block cache for (HFileReaderImpl.readBlock through the block index, the
//! compound bloom filter's chunks), and whether a file holds a row at all.
//!
//! A file is metadata and a summary of its cells (`store_file`), not its cells, so:
//! - Its data blocks are its payload cut at `HFILE_BLOCK_BYTES` (as the writer cuts them), each
//!   taking the file's stored bytes ÷ blocks; a row's block is where its bytes fall among the
//!   file's rows (`RowProfile`).
//! - Its root index is held by the reader (HFileInfo.initMetaAndIndex reads it from the
//!   load-on-open section), so a single-level index costs no block; a multi-level one puts a
//!   leaf index block (`hfile.index.block.max.size` of entries) between the root and each data
//!   block. Index blocks deeper than two levels (files of hundreds of gigabytes) are not kept.
//! - Its ROW bloom filter holds its distinct rows at `io.storefile.bloom.error.rate`
//!   (BloomFilterUtil.computeBitSize: −n·ln(p)/ln(2)² bits), in chunks of
//!   `io.storefile.bloom.block.size`; a row's chunk is where it falls among the file's rows.
//! - Whether it holds a row is decided by a hash of (file, row) against the share of its key
//!   range's rows it holds (its distinct rows from its row sketch): the same answer every time
//!   for the same row, and over many rows the share the file really holds. A file whose cells
//!   are not known (bulk-loaded) is taken to hold every row of its range.

use crate::model::store::store_file::{
    HFILE_BLOCK_BYTES, HFILE_INDEX_CHUNK_BYTES, RowNaming, RowProfile, StoreFile,
};
use crate::sim::stable_hash::splitmix64_mix;

/// Block offsets of a file's leaf index blocks and bloom chunks: tags above any data offset.
const LEAF_INDEX_TAG: u64 = 1 << 62;
const BLOOM_TAG: u64 = 1 << 63;

/// A block a read asks for: its offset (the cache key within its file) and stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileBlock {
    pub offset: u64,
    pub bytes: u64,
    pub kind: BlockKind,
}

/// HFile block categories as CacheConfig sees them: index and bloom blocks are cached on read
/// whatever the scan or the family says (shouldCacheBlockOnRead), data blocks only when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Data,
    Index,
    Bloom,
}

/// A file's block layout for readers.
#[derive(Debug, Clone, PartialEq)]
pub struct FileGeometry {
    first_row: u64,
    last_row: u64,
    profile: RowProfile,
    data_blocks: u64,
    data_block_bytes: u64,
    /// Data blocks a leaf index block covers (`None`: a single-level index).
    leaf_entries: Option<u64>,
    bloom_chunks: u64,
    bloom_chunk_bytes: u64,
    /// The share of its key range's rows it holds (1 when not known).
    row_density: f64,
    /// Cells a data block holds, on average (for the decoding a read spends).
    cells_per_block: u64,
}

impl FileGeometry {
    /// `file`'s layout for a table named as `naming` says, with the family's bloom filter
    /// (`None`: no bloom) at its chunk size and error rate.
    pub fn of(file: &StoreFile, naming: RowNaming, bloom: Option<(u64, f64)>) -> FileGeometry {
        let (first_row, last_row) = (file.first_key.0, file.last_key.0.max(file.first_key.0));
        let payload = file
            .contents
            .as_ref()
            .map_or(file.uncompressed_bytes, |contents| contents.payload_bytes());
        let data_blocks = payload.div_ceil(HFILE_BLOCK_BYTES).max(1);
        let distinct = file.contents.as_ref().map(|contents| {
            (contents.put_rows.estimate() + contents.delete_rows.estimate()) * contents.row_fraction
        });
        let span = (last_row - first_row + 1) as f64;
        let row_density = distinct.map_or(1.0, |rows| (rows / span).clamp(0.0, 1.0));
        let (bloom_chunks, bloom_chunk_bytes) = match bloom {
            Some((chunk_bytes, error_rate)) => {
                let keys = distinct.unwrap_or(span);
                let ln2 = core::f64::consts::LN_2;
                let bits = -keys * libm::log(error_rate) / (ln2 * ln2);
                let bytes = (bits / 8.0).ceil() as u64;
                (
                    bytes.div_ceil(chunk_bytes).max(1),
                    chunk_bytes.min(bytes.max(1)),
                )
            }
            None => (0, 0),
        };
        let leaf_entries = naming
            .multi_level(data_blocks)
            .then(|| (HFILE_INDEX_CHUNK_BYTES / naming.index_entry_bytes()).max(1));
        FileGeometry {
            first_row,
            last_row,
            profile: file.rows_by_bytes,
            data_blocks,
            data_block_bytes: (file.read_bytes / data_blocks).max(1),
            leaf_entries,
            bloom_chunks,
            bloom_chunk_bytes,
            row_density,
            cells_per_block: (file.cells / data_blocks).max(1),
        }
    }

    /// Whether its key range reaches into rows `first..=last` (passesKeyRangeFilter).
    pub fn overlaps(&self, first: u64, last: u64) -> bool {
        self.first_row <= last && first <= self.last_row
    }

    /// Whether the file holds cells of `row` (within its key range).
    pub fn holds(&self, file: u64, row: u64) -> bool {
        self.overlaps(row, row) && unit_hash(file, row, 0) < self.row_density
    }

    /// Whether its ROW bloom filter lets a get of `row` through: it holds the row, or the
    /// filter errs at `error_rate`.
    pub fn bloom_admits(&self, file: u64, row: u64, error_rate: f64) -> bool {
        self.holds(file, row) || unit_hash(file, row, 1) < error_rate
    }

    /// The bloom chunk a check of `row` reads.
    pub fn bloom_chunk(&self, row: u64) -> FileBlock {
        let chunk = self.position(row, self.bloom_chunks);
        FileBlock {
            offset: BLOOM_TAG | chunk,
            bytes: self.bloom_chunk_bytes,
            kind: BlockKind::Bloom,
        }
    }

    /// The data blocks holding rows `first..=last` (a get's: one), each after the leaf index
    /// block that points to it when the index has two levels (once per leaf block in a run).
    pub fn blocks_for(&self, first: u64, last: u64, out: &mut Vec<FileBlock>) {
        let from = self.position(first.max(self.first_row), self.data_blocks);
        let to = self.position(last.min(self.last_row), self.data_blocks);
        let mut leaf_read = None;
        for block in from..=to.max(from) {
            if let Some(entries) = self.leaf_entries {
                let leaf = block / entries;
                if leaf_read != Some(leaf) {
                    leaf_read = Some(leaf);
                    out.push(FileBlock {
                        offset: LEAF_INDEX_TAG | leaf,
                        bytes: HFILE_INDEX_CHUNK_BYTES,
                        kind: BlockKind::Index,
                    });
                }
            }
            out.push(FileBlock {
                offset: block * self.data_block_bytes,
                bytes: self.data_block_bytes,
                kind: BlockKind::Data,
            });
        }
    }

    /// Every block the file's writer wrote (cache-on-write): its data blocks, its leaf index
    /// blocks and its bloom chunks.
    pub fn all_blocks(&self, out: &mut Vec<FileBlock>) {
        self.blocks_for(self.first_row, self.last_row, out);
        for chunk in 0..self.bloom_chunks {
            out.push(FileBlock {
                offset: BLOOM_TAG | chunk,
                bytes: self.bloom_chunk_bytes,
                kind: BlockKind::Bloom,
            });
        }
    }

    /// Cells in one data block, on average.
    pub fn cells_per_block(&self) -> u64 {
        self.cells_per_block
    }

    /// Which of `count` equal parts of the file's bytes `row` falls in.
    fn position(&self, row: u64, count: u64) -> u64 {
        let share = self.profile.share_through(row);
        ((share * count as f64) as u64).min(count.saturating_sub(1))
    }
}

/// A uniform draw in [0, 1) fixed by (file, row, salt).
fn unit_hash(file: u64, row: u64, salt: u64) -> f64 {
    let mixed = splitmix64_mix(splitmix64_mix(file ^ salt.rotate_left(32)) ^ row);
    (mixed >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::store::key_sketch::KeySketch;
    use crate::model::store::store_file::{Contents, Spread};
    use crate::scenario::codec::FamilyCodec;
    use crate::sim::SimTime;

    const NAMING: RowNaming = RowNaming {
        digits: 8,
        row_bytes: 12,
    };

    /// A file of `rows` distinct rows of 1 KB spread over rows 0..span.
    fn file(id: u64, rows: u64, span: u64) -> StoreFile {
        let mut sketch = KeySketch::default();
        let stride = span / rows;
        for index in 0..rows {
            sketch.insert(index * stride, 0);
        }
        let contents = Contents {
            put_cells: rows,
            delete_cells: 0,
            put_versions: rows,
            put_data_bytes: rows * 1024,
            delete_data_bytes: 0,
            sequence_bytes: 0,
            key_bytes: rows * 24,
            put_rows: sketch,
            delete_rows: KeySketch::default(),
            row_fraction: 1.0,
        };
        StoreFile::spread(
            Spread {
                id,
                size_bytes: rows * 1024,
                rows: (0, span),
                sequence_ids: (1, 1),
                timestamp_max_ms: 0,
                contents: Some(contents),
            },
            NAMING,
            SimTime::ZERO,
            &FamilyCodec::NONE,
        )
    }

    // A file holding a tenth of its range's rows holds about a tenth of the rows asked for,
    // the same answer each time; its bloom lets through those and 1% of the others.
    #[test]
    fn holds_its_share_of_rows_and_the_bloom_errs_at_its_rate() {
        let geometry = FileGeometry::of(&file(7, 10_000, 100_000), NAMING, Some((128 << 10, 0.01)));
        let held = (0..100_000).filter(|&row| geometry.holds(7, row)).count();
        assert!((9_500..10_500).contains(&held), "{held}");
        assert_eq!(
            (0..1000).filter(|&row| geometry.holds(7, row)).count(),
            (0..1000).filter(|&row| geometry.holds(7, row)).count()
        );
        let admitted = (0..100_000)
            .filter(|&row| geometry.bloom_admits(7, row, 0.01))
            .count();
        let false_positives = admitted - held;
        assert!((700..1100).contains(&false_positives), "{false_positives}");
    }

    // A get reads one data block, at the row's place among the file's blocks; a scan over the
    // whole range reads every block once.
    #[test]
    fn a_row_maps_to_its_block() {
        let file = file(1, 10_000, 10_000);
        let geometry = FileGeometry::of(&file, NAMING, None);
        let blocks = (10_000u64 * 1024).div_ceil(HFILE_BLOCK_BYTES);
        let mut out = Vec::new();
        geometry.blocks_for(0, 0, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].offset, 0);
        out.clear();
        geometry.blocks_for(9_999, 9_999, &mut out);
        assert_eq!(out[0].offset / geometry.data_block_bytes, blocks - 1);
        out.clear();
        geometry.blocks_for(0, 9_999, &mut out);
        assert_eq!(out.len() as u64, blocks);
    }
}
