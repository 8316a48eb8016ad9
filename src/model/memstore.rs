//! A store's memstore as HBase's DefaultMemStore builds it: an active segment that takes writes
//! and, during a flush, a snapshot segment being written out.
//!
//! `snapshot` moves the active segment aside, as HBase swaps the segment pointer; if a snapshot
//! is still there (an earlier flush failed), it is kept and the active segment stays (HBase:
//! "Snapshot called again without clearing previous"). Both segments count toward the store's
//! size until the flush commits and `clear_snapshot` drops the snapshot. In-memory compaction
//! (CompactingMemStore) is not modelled.
//!
//! HBase keeps a segment's cells in a ConcurrentSkipListMap in CellComparator order, so that
//! readers can scan it while writers add to it. Nothing here reads the active segment in order:
//! only a flush does, and only a snapshot is flushed. So the active segment (HBase's
//! MutableSegment) appends its cells in arrival order and the snapshot (ImmutableSegment) sorts
//! them once, when it is taken; what a flush iterates is the skip list's order all the same. The
//! sort costs no simulated time, as HBase's pointer swap costs none. What the skip list does on
//! insertion is kept exactly: a cell equal to one already there replaces it. Equal cells have
//! the same sequence id, and one sequence id belongs to one mini-batch, whose cells a store takes
//! in one go; so the active segment looks a cell up only among the current mini-batch's cells,
//! which it indexes by key until the next mini-batch begins.

use std::collections::BTreeMap;

use super::cell::{Cell, MemSize};
use crate::sim::SimTime;

/// A snapshot's cells in CellComparator order, with its size.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    /// In CellComparator order once the segment is a snapshot; in arrival order while it is the
    /// active segment's.
    cells: Vec<Cell>,
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

    /// The cells in CellComparator order, each key once.
    pub fn cells(&self) -> &[Cell] {
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

/// The segment that takes writes: a `Segment` whose cells are in arrival order, and the cells
/// of the mini-batch being written, by key, with their positions.
#[derive(Debug, Clone, Default)]
struct MutableSegment {
    segment: Segment,
    mini_batch_sequence_id: Option<u64>,
    mini_batch_positions: BTreeMap<Cell, usize>,
}

impl MutableSegment {
    /// Appends `cell`, or replaces the equal cell of its mini-batch; returns whether it is new.
    fn insert(&mut self, cell: Cell) -> bool {
        if self.mini_batch_sequence_id != Some(cell.sequence_id) {
            self.mini_batch_sequence_id = Some(cell.sequence_id);
            self.mini_batch_positions.clear();
        }
        let cells = &mut self.segment.cells;
        match self.mini_batch_positions.entry(cell) {
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(cells.len());
                cells.push(cell);
                true
            }
            std::collections::btree_map::Entry::Occupied(entry) => {
                cells[*entry.get()] = cell;
                false
            }
        }
    }

    /// Takes out the cell equal to `cell`, if there is one.
    fn remove(&mut self, cell: &Cell) {
        // A rolled-back edit is among the latest cells: look from the end.
        let Some(position) = self.segment.cells.iter().rposition(|held| held == cell) else {
            return;
        };
        self.segment.cells.remove(position);
        self.mini_batch_positions.remove(cell);
        for later in self.mini_batch_positions.values_mut() {
            if *later > position {
                *later -= 1;
            }
        }
    }

    /// The segment as a snapshot: its cells sorted.
    fn into_snapshot(self) -> Segment {
        let mut segment = self.segment;
        // Cells are distinct under CellComparator (equal ones were replaced), so the unstable
        // sort has one possible outcome.
        segment.cells.sort_unstable();
        segment
    }
}

/// One store's memstore.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    active: MutableSegment,
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
        let new = self.active.insert(cell);
        let added = match (new, mslab) {
            (true, _) => MemSize::of_cell(data_bytes),
            (false, true) => MemSize {
                cells: 0,
                ..MemSize::of_cell(data_bytes)
            },
            (false, false) => MemSize::default(),
        };
        let active = &mut self.active.segment;
        active.size.add(added);
        active.oldest_edit_at.get_or_insert(now);
        let sequence_id = cell.sequence_id;
        active.sequence_id_min = Some(
            active
                .sequence_id_min
                .map_or(sequence_id, |min| min.min(sequence_id)),
        );
        active.sequence_id_max = Some(
            active
                .sequence_id_max
                .map_or(sequence_id, |max| max.max(sequence_id)),
        );
        added
    }

    /// Takes a rolled-back edit's cells out of the active segment (1.4's rollbackMemstore after a
    /// failed WAL sync), with the size they added.
    pub fn rollback(&mut self, cells: &[Cell], size: MemSize) {
        for cell in cells {
            self.active.remove(cell);
        }
        self.active.segment.size.subtract(size);
    }

    /// Moves the active segment to the snapshot and returns the snapshot's size. An existing
    /// snapshot is kept as it is, as HBase does after a failed flush.
    pub fn snapshot(&mut self) -> MemSize {
        if self.snapshot.is_none() {
            self.snapshot = Some(std::mem::take(&mut self.active).into_snapshot());
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

    pub fn snapshot_size(&self) -> MemSize {
        self.snapshot
            .as_ref()
            .map(Segment::size)
            .unwrap_or_default()
    }

    /// Active plus snapshot: what HBase's store size reports during a flush.
    pub fn size(&self) -> MemSize {
        let mut size = self.active.segment.size;
        size.add(self.snapshot_size());
        size
    }

    /// When the oldest edit not yet snapshotted arrived (HBase resets it at snapshot time).
    pub fn oldest_edit_at(&self) -> Option<SimTime> {
        self.active.segment.oldest_edit_at
    }

    /// The smallest sequence id not yet flushed (in the snapshot or the active segment).
    pub fn sequence_id_unflushed_min(&self) -> Option<u64> {
        let snapshot = self.snapshot.as_ref().and_then(Segment::sequence_id_min);
        match (snapshot, self.active.segment.sequence_id_min) {
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

    // A failed sync's rollback takes out exactly its mini-batch's cells, also when a later
    // mini-batch came in between and when the rolled-back batch had a row twice (the replaced
    // cell is gone already, so its second removal finds nothing).
    #[test]
    fn rollback_removes_one_mini_batch() {
        let mut memstore = MemStore::default();
        let t = SimTime::from_nanos(1);
        let first = memstore.add(put(5, 1), 100, t, true);
        let again = memstore.add(put(5, 1), 100, t, true);
        let other = memstore.add(put(2, 1), 100, t, true);
        memstore.add(put(5, 2), 100, t, true);
        let mut size = first;
        size.add(again);
        size.add(other);
        assert_eq!((size.cells, size.data), (2, 300));
        memstore.rollback(&[put(5, 1), put(5, 1), put(2, 1)], size);
        assert_eq!((memstore.size().cells, memstore.size().data), (1, 100));
        memstore.snapshot();
        let left: Vec<(u64, u64)> = memstore
            .clear_snapshot()
            .cells()
            .iter()
            .map(|cell| (cell.row, cell.sequence_id))
            .collect();
        assert_eq!(left, vec![(5, 2)]);
    }

    /// What the memstore did before it appended: the segments as ordered sets, with insertion
    /// replacing an equal cell, and a rollback removing the equal cell wherever it is.
    #[derive(Default)]
    struct ReferenceMemStore {
        active: std::collections::BTreeSet<Cell>,
        active_size: MemSize,
        snapshot: Option<(std::collections::BTreeSet<Cell>, MemSize)>,
    }

    impl ReferenceMemStore {
        fn add(&mut self, cell: Cell, data_bytes: u64, mslab: bool) -> MemSize {
            let new = self.active.insert(cell);
            let added = if new {
                MemSize::of_cell(data_bytes)
            } else {
                self.active.replace(cell);
                if mslab {
                    MemSize {
                        cells: 0,
                        ..MemSize::of_cell(data_bytes)
                    }
                } else {
                    MemSize::default()
                }
            };
            self.active_size.add(added);
            added
        }

        fn size(&self) -> MemSize {
            let mut size = self.active_size;
            if let Some((_, snapshot)) = &self.snapshot {
                size.add(*snapshot);
            }
            size
        }
    }

    /// Every field of a cell, the value included (cell equality ignores it).
    fn fields(cells: &[Cell]) -> Vec<(u64, u16, u64, CellType, u64, u32)> {
        cells
            .iter()
            .map(|c| {
                let (row, qualifier, ts) = (c.row, c.qualifier, c.timestamp_ms);
                (
                    row,
                    qualifier,
                    ts,
                    c.cell_type,
                    c.sequence_id,
                    c.value_bytes,
                )
            })
            .collect()
    }

    #[derive(Debug, Clone)]
    enum Step {
        /// A cell of the current mini-batch: row, qualifier, delete marker or put, value bytes.
        Cell(u64, u16, bool, u32),
        /// The next mini-batch begins, with this sequence-id key and timestamp.
        MiniBatch(u64, u64),
        /// A sync fails: the n-th mini-batch (modulo those since the snapshot) is rolled back.
        Rollback(usize),
        Snapshot,
        ClearSnapshot,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            8 => (0u64..6, 0u16..3, any::<bool>(), 0u32..50)
                .prop_map(|(row, qualifier, delete, value)| Step::Cell(row, qualifier, delete, value)),
            3 => (0u64..1000, 0u64..3).prop_map(|(key, ts)| Step::MiniBatch(key, ts)),
            1 => (0usize..8).prop_map(Step::Rollback),
            1 => Just(Step::Snapshot),
            1 => Just(Step::ClearSnapshot),
        ]
    }

    proptest::proptest! {
        // Appending with per-mini-batch replacement, rolling back and sorting at snapshot time
        // gives what ordered sets give: the same size changes for every cell, the same sizes,
        // and the same cells, values included, in the same order when a snapshot is flushed.
        #[test]
        fn matches_ordered_sets(steps in proptest::collection::vec(step(), 0..300), mslab: bool) {
            let mut memstore = MemStore::default();
            let mut reference = ReferenceMemStore::default();
            let now = SimTime::from_nanos(1);
            let (mut sequence_id, mut timestamp_ms) = (0, 0);
            // Since the last snapshot: each mini-batch's cells and what they added, if not
            // rolled back yet.
            let mut batches: Vec<Option<(Vec<Cell>, MemSize)>> = vec![Some(Default::default())];
            for (index, step) in steps.into_iter().enumerate() {
                match step {
                    Step::Cell(row, qualifier, delete, value_bytes) => {
                        let cell_type = if delete { CellType::DeleteFamily } else { CellType::Put };
                        let cell = Cell {
                            row,
                            timestamp_ms,
                            sequence_id,
                            qualifier: if delete { 0 } else { qualifier },
                            cell_type,
                            value_bytes,
                        };
                        let data_bytes = 30 + u64::from(value_bytes);
                        let added = memstore.add(cell, data_bytes, now, mslab);
                        proptest::prop_assert_eq!(added, reference.add(cell, data_bytes, mslab));
                        if let Some(Some((cells, size))) = batches.last_mut() {
                            cells.push(cell);
                            size.add(added);
                        }
                    }
                    Step::MiniBatch(key, ts) => {
                        // Unique, but not in increasing order (2.5 writes after the sync).
                        sequence_id = key * 1000 + index as u64;
                        timestamp_ms = ts;
                        batches.push(Some(Default::default()));
                    }
                    Step::Rollback(which) => {
                        let which = which % batches.len();
                        if let Some((cells, size)) = batches[which].take() {
                            memstore.rollback(&cells, size);
                            for cell in &cells {
                                reference.active.remove(cell);
                            }
                            reference.active_size.subtract(size);
                        }
                    }
                    Step::Snapshot => {
                        let taken = memstore.snapshot();
                        if reference.snapshot.is_none() {
                            let active = std::mem::take(&mut reference.active);
                            let size = std::mem::take(&mut reference.active_size);
                            reference.snapshot = Some((active, size));
                            // Only the active segment's edits can be rolled back, and the
                            // batch being written goes on in the new active segment.
                            batches = vec![Some(Default::default())];
                        }
                        let expected = reference.snapshot.as_ref().map(|(_, size)| *size);
                        proptest::prop_assert_eq!(Some(taken), expected);
                    }
                    Step::ClearSnapshot => {
                        if let Some((cells, _)) = reference.snapshot.take() {
                            let cells: Vec<Cell> = cells.into_iter().collect();
                            let flushed = memstore.clear_snapshot();
                            proptest::prop_assert_eq!(fields(flushed.cells()), fields(&cells));
                        }
                    }
                }
                proptest::prop_assert_eq!(memstore.size(), reference.size());
            }
        }
    }
}
