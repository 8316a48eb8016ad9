//! A store's memstore as HBase's DefaultMemStore builds it: an active segment that takes writes
//! and, during a flush, a snapshot segment being written out.
//!
//! `snapshot` moves the active segment aside in O(1), as HBase swaps the segment pointer; if a
//! snapshot is still there (an earlier flush failed), it is kept and the active segment stays
//! (HBase: "Snapshot called again without clearing previous"). Both segments count toward the
//! store's size until the flush commits and `clear_snapshot` drops the snapshot. Each segment
//! keeps its cells in a `BTreeSet` in CellComparator order, the role of HBase's
//! ConcurrentSkipListMap. In-memory compaction (CompactingMemStore) is not modelled.

use std::collections::BTreeSet;

use super::cell::{Cell, MemSize};
use crate::sim::SimTime;

/// An ordered set of cells with its size.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    cells: BTreeSet<Cell>,
    size: MemSize,
    /// When the first cell went into the segment (HBase's timeOfOldestEdit).
    oldest_edit_at: Option<SimTime>,
    /// The smallest sequence id in the segment.
    sequence_id_min: Option<u64>,
    sequence_id_max: Option<u64>,
}

impl Segment {
    pub fn size(&self) -> MemSize {
        self.size
    }

    pub fn cells(&self) -> &BTreeSet<Cell> {
        &self.cells
    }

    pub fn oldest_edit_at(&self) -> Option<SimTime> {
        self.oldest_edit_at
    }

    pub fn sequence_id_min(&self) -> Option<u64> {
        self.sequence_id_min
    }

    pub fn sequence_id_max(&self) -> Option<u64> {
        self.sequence_id_max
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// One store's memstore.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    active: Segment,
    snapshot: Option<Segment>,
}

impl MemStore {
    /// Adds a cell whose serialized length is `data_bytes`; returns what it adds to the sizes.
    ///
    /// A cell equal to one already there (same key, timestamp and sequence id: the same row
    /// written twice in one mini-batch) replaces it, as ConcurrentSkipListMap.put does. With
    /// MSLAB its bytes are still counted, since its chunk space is taken (Segment.updateMetaInfo),
    /// but the cell count is not; without MSLAB it adds nothing.
    pub fn add(&mut self, cell: Cell, data_bytes: u64, now: SimTime, mslab: bool) -> MemSize {
        // One search in the common case; a second only for the rare equal cell.
        let new = self.active.cells.insert(cell);
        if !new {
            self.active.cells.replace(cell);
        }
        let added = match (new, mslab) {
            (true, _) => MemSize::of_cell(data_bytes),
            (false, true) => MemSize {
                cells: 0,
                ..MemSize::of_cell(data_bytes)
            },
            (false, false) => MemSize::default(),
        };
        self.active.size.add(added);
        self.active.oldest_edit_at.get_or_insert(now);
        let sequence_id = cell.sequence_id;
        self.active.sequence_id_min = Some(
            self.active
                .sequence_id_min
                .map_or(sequence_id, |min| min.min(sequence_id)),
        );
        self.active.sequence_id_max = Some(
            self.active
                .sequence_id_max
                .map_or(sequence_id, |max| max.max(sequence_id)),
        );
        added
    }

    /// Takes a rolled-back edit's cells out of the active segment (1.4's rollbackMemstore after a
    /// failed WAL sync), with the size they added.
    pub fn rollback(&mut self, cells: &[Cell], size: MemSize) {
        for cell in cells {
            self.active.cells.remove(cell);
        }
        self.active.size.subtract(size);
    }

    /// Moves the active segment to the snapshot and returns the snapshot's size. An existing
    /// snapshot is kept as it is, as HBase does after a failed flush.
    pub fn snapshot(&mut self) -> MemSize {
        if self.snapshot.is_none() {
            self.snapshot = Some(std::mem::take(&mut self.active));
        }
        self.snapshot_size()
    }

    /// Drops the snapshot once its file is committed, returning it.
    pub fn clear_snapshot(&mut self) -> Segment {
        self.snapshot
            .take()
            .expect("clear_snapshot without a snapshot")
    }

    pub fn snapshot_segment(&self) -> Option<&Segment> {
        self.snapshot.as_ref()
    }

    pub fn active(&self) -> &Segment {
        &self.active
    }

    pub fn snapshot_size(&self) -> MemSize {
        self.snapshot
            .as_ref()
            .map(Segment::size)
            .unwrap_or_default()
    }

    /// Active plus snapshot: what HBase's store size reports during a flush.
    pub fn size(&self) -> MemSize {
        let mut size = self.active.size;
        size.add(self.snapshot_size());
        size
    }

    /// When the oldest edit not yet snapshotted arrived (HBase resets it at snapshot time).
    pub fn oldest_edit_at(&self) -> Option<SimTime> {
        self.active.oldest_edit_at
    }

    /// The smallest sequence id not yet flushed (in the snapshot or the active segment).
    pub fn sequence_id_unflushed_min(&self) -> Option<u64> {
        let snapshot = self.snapshot.as_ref().and_then(Segment::sequence_id_min);
        match (snapshot, self.active.sequence_id_min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cell::CellType;

    fn put(row: u64, sequence_id: u64) -> Cell {
        Cell {
            row,
            timestamp_ms: 1,
            sequence_id,
            qualifier: 1,
            cell_type: CellType::Put,
            value_bytes: 10,
        }
    }

    // A snapshot moves the writes aside; both count until the snapshot is cleared.
    #[test]
    fn snapshot_and_clear() {
        let mut memstore = MemStore::default();
        let t = SimTime::from_nanos(5);
        memstore.add(put(2, 1), 100, t, true);
        memstore.add(put(1, 2), 100, t, true);
        let snapshot = memstore.snapshot();
        assert_eq!(snapshot.cells, 2);
        assert_eq!(memstore.oldest_edit_at(), None);
        memstore.add(put(3, 3), 100, SimTime::from_nanos(9), true);
        // The same cell again replaces it: bytes counted (MSLAB), cell count not.
        let again = memstore.add(put(3, 3), 100, SimTime::from_nanos(9), true);
        assert_eq!((again.cells, again.data), (0, 100));
        assert_eq!(
            memstore.add(put(3, 3), 100, SimTime::from_nanos(9), false),
            MemSize::default()
        );
        assert_eq!(memstore.size().cells, 3);
        assert_eq!(memstore.size().data, 400);
        assert_eq!(memstore.sequence_id_unflushed_min(), Some(1));
        // A second snapshot while one is pending keeps the first (a failed flush's retry).
        assert_eq!(memstore.snapshot().cells, 2);
        let flushed = memstore.clear_snapshot();
        let rows: Vec<u64> = flushed.cells().iter().map(|cell| cell.row).collect();
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(memstore.size().cells, 1);
        assert_eq!(memstore.sequence_id_unflushed_min(), Some(3));
    }
}
