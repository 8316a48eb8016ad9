//! HStore: one column family of one region — its memstore and its store files.
//!
//! A store file carries the metadata HBase keeps for an HFile (size, cell count, key range,
//! sequence-id range, newest timestamp, bulk-load and reference flags, creation time); its cells
//! are not kept once flushed. The file list is ordered as DefaultStoreFileManager orders it:
//! by max sequence id, oldest first. Compaction arrives with its own model later.

use super::cell::Cell;
use super::memstore::{MemStore, Segment};
use crate::sim::SimTime;

/// HFile data block size (the column family's BLOCKSIZE default, 64 KiB).
pub const HFILE_BLOCK_BYTES: u64 = 64 << 10;
/// Each HFile block's header with checksum type and sizes (HFileBlock.headerSize, v3).
pub const HFILE_BLOCK_HEADER_BYTES: u64 = 33;
/// One CRC32C per `hbase.hstore.bytes.per.checksum` (16 KiB) of block data.
pub const HFILE_CHECKSUM_CHUNK_BYTES: u64 = 16 << 10;

/// The metadata of one store file.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub created_at: SimTime,
}

/// The size of the HFile a flush writes for cells totalling `data_bytes`: each cell is written as
/// its KeyValue bytes plus its sequence id as a variable-length long (HFile v3 keeps the MVCC
/// read point), in 64 KiB blocks that each carry a header and a CRC32C per 16 KiB. The block
/// index, bloom filter, file info and trailer are left out (well under 1% for ≥ 1 KB cells).
pub fn hfile_bytes(data_bytes: u64, cells: &[Cell]) -> u64 {
    let sequence_bytes: u64 = cells.iter().map(|cell| vlong_bytes(cell.sequence_id)).sum();
    let payload = data_bytes + sequence_bytes;
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

/// One column family's store in one region.
#[derive(Debug, Clone)]
pub struct Store {
    pub family: String,
    pub memstore: MemStore,
    /// Ordered oldest first (by max sequence id).
    pub files: Vec<StoreFile>,
    /// When this store last started a flush (HBase's lastStoreFlushTime).
    pub last_flush_at: SimTime,
}

impl Store {
    pub fn new(family: String, opened_at: SimTime) -> Store {
        Store {
            family,
            memstore: MemStore::default(),
            files: Vec::new(),
            last_flush_at: opened_at,
        }
    }

    /// Turns a flushed snapshot into a store file and adds it in sequence-id order.
    pub fn commit_flush(&mut self, snapshot: &Segment, file_id: u64, now: SimTime) -> StoreFile {
        let cells = snapshot.cells();
        let first = cells.first().expect("an empty snapshot is never flushed");
        let last = cells.last().expect("an empty snapshot is never flushed");
        let file = StoreFile {
            id: file_id,
            size_bytes: hfile_bytes(snapshot.size().data, cells),
            cells: snapshot.size().cells,
            first_key: (first.row, first.qualifier),
            last_key: (last.row, last.qualifier),
            sequence_id_min: snapshot.sequence_id_min().unwrap_or(0),
            sequence_id_max: snapshot.sequence_id_max().unwrap_or(0),
            timestamp_max_ms: cells
                .iter()
                .map(|cell| cell.timestamp_ms)
                .max()
                .unwrap_or(0),
            bulk_loaded: false,
            reference: false,
            created_at: now,
        };
        self.add_file(file.clone());
        file
    }

    /// Adds a file in DefaultStoreFileManager's order (by max sequence id, oldest first).
    pub fn add_file(&mut self, file: StoreFile) {
        let position = self
            .files
            .partition_point(|existing| existing.sequence_id_max <= file.sequence_id_max);
        self.files.insert(position, file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
