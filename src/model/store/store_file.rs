//! Store files (HFiles) as metadata: what a flush writes from a snapshot, and what a compaction
//! writes from its input files.
//!
//! A file keeps HBase's metadata (size, cell count, key range, sequence-id range, newest
//! timestamp, bulk-load and reference flags, creation time) and a summary of its cells instead
//! of the cells: counts and bytes of puts and delete markers, and HyperLogLog sketches of the
//! rows they touch. Writes put every qualifier of a family in a row at once and deletes remove
//! whole rows (DeleteFamily), so rows are the unit a compaction dedups by.
//!
//! What survives follows the StoreScanner that flushes and compactions write through
//! (ScanQueryMatcher): a flush and a minor compaction keep delete markers but drop the puts they
//! cover and versions beyond the family's VERSIONS (COMPACT_RETAIN_DELETES); a major compaction
//! also drops the markers (COMPACT_DROP_DELETES). A flush applies this to the snapshot's real
//! cells; a compaction estimates it from the sketches: the union of the inputs' put rows, less
//! the rows whose newest change is a delete (rows both put and deleted, shared out by the
//! inputs' ratio of deletes to puts, since the sketches do not keep order).

use crate::model::store::cell::{Cell, CellType};
use crate::model::store::key_sketch::KeySketch;
use crate::sim::SimTime;

/// HFile data block size (the column family's BLOCKSIZE default, 64 KiB).
pub const HFILE_BLOCK_BYTES: u64 = 64 << 10;
/// Each HFile block's header with checksum type and sizes (HFileBlock.headerSize, v3).
pub const HFILE_BLOCK_HEADER_BYTES: u64 = 33;
/// One CRC32C per `hbase.hstore.bytes.per.checksum` (16 KiB) of block data.
pub const HFILE_CHECKSUM_CHUNK_BYTES: u64 = 16 << 10;

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
}

/// The metadata of one store file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreFile {
    pub id: u64,
    pub size_bytes: u64,
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
}

impl StoreFile {
    /// A file a flush or a compaction writes, sized from its contents.
    pub fn written(
        id: u64,
        contents: Contents,
        keys: (Option<&Cell>, Option<&Cell>),
        sequence_ids: (u64, u64),
        timestamp_max_ms: u64,
        now: SimTime,
    ) -> StoreFile {
        let key = |cell: Option<&Cell>| cell.map_or((0, 0), |cell| (cell.row, cell.qualifier));
        StoreFile {
            id,
            size_bytes: contents_file_bytes(&contents),
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

    /// A half of this file for a daughter region after a split (a Reference to its rows).
    pub fn half_reference(&self, id: u64, rows: (u64, u64), now: SimTime) -> StoreFile {
        let mut half = self.clone();
        half.id = id;
        half.reference = true;
        half.created_at = now;
        half.size_bytes = self.size_bytes / 2;
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
            contents.row_fraction /= 2.0;
        }
        half
    }
}

/// The size of an HFile whose cells total `payload` bytes (KeyValues and sequence ids): 64 KiB
/// blocks that each carry a header and a CRC32C per 16 KiB. The block index, bloom filter, file
/// info and trailer are left out (well under 1% for ≥ 1 KB cells).
pub fn hfile_bytes(payload: u64) -> u64 {
    let blocks = payload.div_ceil(HFILE_BLOCK_BYTES);
    let checksums = payload.div_ceil(HFILE_CHECKSUM_CHUNK_BYTES);
    payload + blocks * HFILE_BLOCK_HEADER_BYTES + checksums * 4
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
pub fn flushed_contents<'c>(
    survivors: impl Iterator<Item = &'c Cell>,
    kv_bytes: impl Fn(&Cell) -> u64,
) -> Contents {
    let mut contents = Contents {
        put_cells: 0,
        delete_cells: 0,
        put_versions: 0,
        put_data_bytes: 0,
        delete_data_bytes: 0,
        sequence_bytes: 0,
        put_rows: KeySketch::default(),
        delete_rows: KeySketch::default(),
        row_fraction: 1.0,
    };
    let mut last_version = None;
    for cell in survivors {
        contents.sequence_bytes += vlong_bytes(cell.sequence_id);
        if cell.cell_type == CellType::Put {
            contents.put_cells += 1;
            contents.put_data_bytes += kv_bytes(cell);
            if last_version != Some((cell.row, cell.timestamp_ms, cell.sequence_id)) {
                last_version = Some((cell.row, cell.timestamp_ms, cell.sequence_id));
                contents.put_versions += 1;
                contents.put_rows.insert(cell.row, 0);
            }
        } else {
            contents.delete_cells += 1;
            contents.delete_data_bytes += kv_bytes(cell);
            contents.delete_rows.insert(cell.row, 0);
        }
    }
    contents
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

/// The file a compaction of `inputs` (oldest first) writes: its size and contents (none if no
/// input's cells are known). `drop_deletes` for a major compaction; bulk-loaded files pass
/// through whole.
pub fn compacted(
    inputs: &[&StoreFile],
    drop_deletes: bool,
    max_versions: u32,
) -> (u64, Option<Contents>) {
    let described: Vec<&Contents> = inputs
        .iter()
        .filter_map(|file| file.contents.as_ref())
        .collect();
    let opaque_bytes: u64 = inputs
        .iter()
        .filter(|file| file.contents.is_none())
        .map(|file| file.size_bytes)
        .sum();
    if described.is_empty() {
        return (opaque_bytes, None);
    }
    let sum = |field: fn(&Contents) -> u64| described.iter().map(|c| field(c)).sum::<u64>();
    let put_cells = sum(|c| c.put_cells);
    let delete_cells = sum(|c| c.delete_cells);
    let put_versions = sum(|c| c.put_versions);
    let put_data = sum(|c| c.put_data_bytes);
    let delete_data = sum(|c| c.delete_data_bytes);
    let sequence_bytes = sum(|c| c.sequence_bytes);
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
        put_rows,
        delete_rows: if drop_deletes {
            KeySketch::default()
        } else {
            delete_rows
        },
        row_fraction: fraction,
    };
    (
        contents_file_bytes(&contents) + opaque_bytes,
        Some(contents),
    )
}

/// A store file's size from its contents.
pub fn contents_file_bytes(contents: &Contents) -> u64 {
    hfile_bytes(contents.data_bytes() + contents.sequence_bytes)
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

    fn file(id: u64, cells: &[Cell]) -> StoreFile {
        let set: BTreeSet<Cell> = cells.iter().copied().collect();
        let contents = flushed_contents(flush_survivors(&set, 1), |cell| {
            30 + u64::from(cell.value_bytes)
        });
        StoreFile {
            id,
            size_bytes: contents_file_bytes(&contents),
            cells: contents.cells(),
            first_key: (0, 0),
            last_key: (0, 0),
            sequence_id_min: 0,
            sequence_id_max: id,
            timestamp_max_ms: 0,
            bulk_loaded: false,
            reference: false,
            major_compaction_result: false,
            created_at: SimTime::ZERO,
            contents: Some(contents),
        }
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
        let (size, contents) = compacted(&inputs, false, 1);
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
        let (size, _) = compacted(&inputs, true, 1);
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
        let (size, contents) = compacted(&[&puts, &deletes], true, 1);
        let contents = contents.unwrap();
        assert_eq!(contents.delete_cells, 0);
        assert!(contents.put_cells < 250, "{contents:?}");
        assert!(size < puts.size_bytes);
        let (_, minor) = compacted(&[&puts, &deletes], false, 1);
        assert!(minor.unwrap().delete_cells > 4500);
        // Puts made after the deletes bring the rows back.
        let again = file(2, &(0..5000).map(|row| put(row, 3, 3)).collect::<Vec<_>>());
        let (_, contents) = compacted(&[&puts, &deletes, &again], true, 1);
        assert!(contents.unwrap().put_cells > 4750);
    }
}
