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
//! MutableSegment) keeps its cells in arrival order and the snapshot (ImmutableSegment) sorts
//! them once, when it is taken; what a flush iterates is the skip list's order all the same. The
//! sort costs no simulated time, as HBase's pointer swap costs none.
//!
//! What the skip list does on insertion is kept exactly: a cell equal to one already there
//! replaces it. Equal cells have the same sequence id, and one sequence id is one mini-batch,
//! whose cells for a family a store takes together (2.5: HRegion.applyToMemStore hands them to
//! HStore.add as one list; 1.4's applyFamilyMapToMemstore adds them one after another). So `add`
//! finds the equal cells among the mini-batch's own cells, by sorting them, and nothing already
//! in the segment needs to be searched. For the same reason a rollback takes out the cells of one
//! sequence id, which sit together near the segment's end.

use crate::model::store::cell::{Cell, HeapAccounting, MemSize};
use crate::sim::SimTime;

/// A segment's cells with its size.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    /// In CellComparator order once the segment is a snapshot; in arrival order while it is the
    /// active segment, one mini-batch after another.
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

    /// A snapshot's cells, in CellComparator order, each key once.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    pub fn oldest_edit_at(&self) -> Option<SimTime> {
        self.oldest_edit_at
    }

    pub fn sequence_id_min(&self) -> Option<u64> {
        self.sequence_id_min
    }

    /// The sequence ids of its cells, in cell order (for the durability oracle).
    pub fn sequence_ids(&self) -> Vec<u64> {
        self.cells.iter().map(|cell| cell.sequence_id).collect()
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
    /// Cells in arrival order (see `Segment::cells`).
    active: Segment,
    snapshot: Option<Segment>,
}

impl MemStore {
    /// Adds one mini-batch's cells, each with its serialized length, and returns what they add
    /// to the sizes. `cells` is left sorted by key.
    ///
    /// A cell equal to an earlier one (same key, timestamp and sequence id: the same row written
    /// twice in the mini-batch) replaces it, as ConcurrentSkipListMap.put does. If MSLAB copied
    /// it, its bytes are still counted, since its chunk space is taken (2.5's
    /// Segment.updateMetaInfo, 1.4's DefaultMemStore.internalAdd), but the cell count is not;
    /// otherwise it adds nothing (`HeapAccounting::duplicate`).
    pub fn add(
        &mut self,
        cells: &mut [(Cell, u64)],
        now: SimTime,
        heap: &HeapAccounting,
    ) -> MemSize {
        let Some(&(first, _)) = cells.first() else {
            return MemSize::default();
        };
        let sequence_id = first.sequence_id;
        assert!(
            cells
                .iter()
                .all(|(cell, _)| cell.sequence_id == sequence_id),
            "a mini-batch's cells share its sequence id"
        );
        // Stable: equal cells stay in arrival order, so the last of each run is the one kept.
        cells.sort_by_key(|&(cell, _)| cell);
        let mut added = MemSize::default();
        for run in cells.chunk_by(|(a, _), (b, _)| a == b) {
            let (_, first_bytes) = run[0];
            added.add(heap.cell(first_bytes));
            for &(_, bytes) in &run[1..] {
                added.add(heap.duplicate(bytes));
            }
            let (kept, _) = run[run.len() - 1];
            self.active.cells.push(kept);
        }
        let active = &mut self.active;
        active.size.add(added);
        active.oldest_edit_at.get_or_insert(now);
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

    /// Takes a rolled-back mini-batch's cells out of the active segment (1.4's rollbackMemstore
    /// after a failed WAL sync), with the size they added.
    pub fn rollback(&mut self, sequence_id: u64, size: MemSize) {
        let cells = &mut self.active.cells;
        // `add` put the mini-batch's cells together; a failed sync comes soon after.
        if let Some(last) = cells
            .iter()
            .rposition(|cell| cell.sequence_id == sequence_id)
        {
            let first = cells[..last]
                .iter()
                .rposition(|cell| cell.sequence_id != sequence_id)
                .map_or(0, |before| before + 1);
            cells.drain(first..=last);
        }
        self.active.size.subtract(size);
    }

    /// The sequence ids of every cell held, active and snapshot (for the durability oracle).
    pub fn sequence_ids(&self) -> Vec<u64> {
        let mut ids = self.active.sequence_ids();
        if let Some(snapshot) = &self.snapshot {
            ids.extend(snapshot.sequence_ids());
        }
        ids
    }

    /// Moves the active segment to the snapshot and returns the snapshot's size. An existing
    /// snapshot is kept as it is, as HBase does after a failed flush.
    pub fn snapshot(&mut self) -> MemSize {
        if self.snapshot.is_none() {
            let mut segment = std::mem::take(&mut self.active);
            // The sort's other buffer, about the size this store's segments reach, takes the
            // next writes: a growing segment then seldom reallocates, and the allocator is not
            // left with the holes of ever-doubling buffers.
            self.active.cells = sort_cells(&mut segment.cells);
            self.snapshot = Some(segment);
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
        let mut size = self.active.size;
        size.add(self.snapshot_size());
        size
    }

    /// When the oldest edit not yet snapshotted arrived (HBase resets it at snapshot time).
    pub fn oldest_edit_at(&self) -> Option<SimTime> {
        self.active.oldest_edit_at
    }

    /// The smallest sequence id in the active segment: what SequenceIdAccounting keeps as the
    /// family's lowest unflushed id (a flush sets the snapshot's aside as it starts).
    pub fn active_sequence_id_min(&self) -> Option<u64> {
        self.active.sequence_id_min
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

/// Sorts a segment's cells into CellComparator order: a least-significant-digit radix sort on
/// the row, a pass per byte of the largest row, then each row's cells by the whole comparator.
/// The row decides almost every comparison, and a pass over the cells costs less than the
/// comparisons of a comparison sort. The cells are distinct under the comparator (equal ones
/// were replaced), so the order is the one a sorted set iterates. Returns the other buffer of
/// the radix sort, empty.
fn sort_cells(cells: &mut Vec<Cell>) -> Vec<Cell> {
    let Some(&any) = cells.first() else {
        return Vec::new();
    };
    let row_max = cells.iter().map(|cell| cell.row).max().unwrap_or(0);
    let mut sorted = vec![any; cells.len()];
    let mut shift = 0;
    while shift < u64::BITS && row_max >> shift != 0 {
        let digit = |cell: &Cell| ((cell.row >> shift) & 0xff) as usize;
        let mut next = [0usize; 256];
        for cell in cells.iter() {
            next[digit(cell)] += 1;
        }
        let mut start = 0;
        for slot in &mut next {
            (*slot, start) = (start, start + *slot);
        }
        for cell in cells.iter() {
            let slot = &mut next[digit(cell)];
            sorted[*slot] = *cell;
            *slot += 1;
        }
        std::mem::swap(cells, &mut sorted);
        shift += 8;
    }
    for row in cells.chunk_by_mut(|a, b| a.row == b.row) {
        row.sort_unstable();
    }
    sorted.clear();
    sorted
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::store::cell::{CellType, ObjectLayout};

    /// HBase's default accounting (compressed oops, MSLAB), or without MSLAB.
    fn heap(mslab: bool) -> HeapAccounting {
        HeapAccounting {
            layout: ObjectLayout::COMPRESSED_OOPS,
            mslab_max_allocation_bytes: mslab.then_some(256 << 10),
            duplicate_counts_length_only: false,
        }
    }

    fn put(row: u64, sequence_id: u64, value_bytes: u32) -> Cell {
        Cell {
            row,
            timestamp_ms: 1,
            sequence_id,
            qualifier: 1,
            cell_type: CellType::Put,
            value_bytes,
        }
    }

    /// Each cell with a serialized length of 100 bytes.
    fn batch(cells: &[Cell]) -> Vec<(Cell, u64)> {
        cells.iter().map(|&cell| (cell, 100)).collect()
    }

    /// Snapshots the memstore and returns the cells the flush writes.
    fn flush(memstore: &mut MemStore) -> Vec<Cell> {
        memstore.snapshot();
        memstore.clear_snapshot().cells().to_vec()
    }

    // A snapshot moves the writes aside; both count until the snapshot is cleared.
    #[test]
    fn snapshot_and_clear() {
        let mut memstore = MemStore::default();
        let t = SimTime::from_nanos(5);
        memstore.add(&mut batch(&[put(2, 1, 10)]), t, &heap(true));
        memstore.add(&mut batch(&[put(1, 2, 10)]), t, &heap(true));
        let snapshot = memstore.snapshot();
        assert_eq!(snapshot.cells, 2);
        assert_eq!(memstore.oldest_edit_at(), None);
        let later = SimTime::from_nanos(9);
        memstore.add(&mut batch(&[put(3, 3, 10)]), later, &heap(true));
        assert_eq!(memstore.oldest_edit_at(), Some(later));
        assert_eq!(memstore.size().cells, 3);
        assert_eq!(memstore.size().data, 300);
        assert_eq!(memstore.sequence_id_unflushed_min(), Some(1));
        // A second snapshot while one is pending keeps the first (a failed flush's retry).
        assert_eq!(memstore.snapshot().cells, 2);
        let flushed = memstore.clear_snapshot();
        let rows: Vec<u64> = flushed.cells().iter().map(|cell| cell.row).collect();
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(memstore.size().cells, 1);
        assert_eq!(memstore.sequence_id_unflushed_min(), Some(3));
    }

    // The same cell twice in a mini-batch: the later one is kept; with MSLAB its bytes count
    // and its cell does not, without MSLAB it adds nothing.
    #[test]
    fn a_row_twice_in_a_mini_batch_is_replaced() {
        let t = SimTime::from_nanos(1);
        let cells = [put(3, 7, 10), put(1, 7, 10), put(3, 7, 20), put(3, 7, 30)];
        let mut with_mslab = MemStore::default();
        let added = with_mslab.add(&mut batch(&cells), t, &heap(true));
        assert_eq!((added.cells, added.data), (2, 400));
        let mut without = MemStore::default();
        let added = without.add(&mut batch(&cells), t, &heap(false));
        assert_eq!((added.cells, added.data), (2, 200));
        let kept: Vec<(u64, u32)> = flush(&mut without)
            .iter()
            .map(|cell| (cell.row, cell.value_bytes))
            .collect();
        assert_eq!(kept, vec![(1, 10), (3, 30)]);
    }

    // A failed sync's rollback takes out exactly its mini-batch's cells and size, also when a
    // later mini-batch came in between.
    #[test]
    fn rollback_removes_one_mini_batch() {
        let mut memstore = MemStore::default();
        let t = SimTime::from_nanos(1);
        memstore.add(&mut batch(&[put(9, 1, 10)]), t, &heap(true));
        let failed = memstore.add(&mut batch(&[put(5, 2, 10), put(2, 2, 10)]), t, &heap(true));
        memstore.add(&mut batch(&[put(5, 3, 10)]), t, &heap(true));
        memstore.rollback(2, failed);
        assert_eq!((memstore.size().cells, memstore.size().data), (2, 200));
        let left: Vec<(u64, u64)> = flush(&mut memstore)
            .iter()
            .map(|cell| (cell.row, cell.sequence_id))
            .collect();
        assert_eq!(left, vec![(5, 3), (9, 1)]);
    }

    /// The memstore as ordered sets, a cell at a time: insertion replaces an equal cell, and a
    /// rollback removes the equal cell of each of its mini-batch's cells.
    #[derive(Default)]
    struct ReferenceMemStore {
        active: BTreeSet<Cell>,
        active_size: MemSize,
        snapshot: Option<(BTreeSet<Cell>, MemSize)>,
    }

    impl ReferenceMemStore {
        fn add(&mut self, cell: Cell, data_bytes: u64, mslab: bool) -> MemSize {
            let added = if self.active.insert(cell) {
                heap(mslab).cell(data_bytes)
            } else {
                self.active.replace(cell);
                if mslab {
                    MemSize {
                        cells: 0,
                        ..heap(mslab).cell(data_bytes)
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
        /// A mini-batch: sequence-id key, timestamp, and its cells as (row, qualifier, delete
        /// marker or put, value bytes).
        MiniBatch(u64, u64, Vec<(u64, u16, bool, u32)>),
        /// A sync fails: the n-th mini-batch (modulo those since the snapshot) is rolled back.
        Rollback(usize),
        Snapshot,
        ClearSnapshot,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        // Few rows, so that mini-batches repeat them, spread over every byte of a row so that
        // the radix sort makes all its passes.
        let row = proptest::sample::select(vec![0, 1, 255, 256, 65_793, 1 << 40, u64::MAX]);
        let cell = (row, 0u16..3, any::<bool>(), 0u32..50);
        prop_oneof![
            6 => (0u64..1000, 0u64..3, proptest::collection::vec(cell, 0..12))
                .prop_map(|(key, ts, cells)| Step::MiniBatch(key, ts, cells)),
            1 => (0usize..8).prop_map(Step::Rollback),
            1 => Just(Step::Snapshot),
            1 => Just(Step::ClearSnapshot),
        ]
    }

    proptest::proptest! {
        // Adding mini-batches, rolling them back and sorting at snapshot time gives what
        // ordered sets taking a cell at a time give: the same size change for every
        // mini-batch, the same sizes, and the same cells, values included, in the same order
        // when a snapshot is flushed.
        #[test]
        fn matches_ordered_sets(steps in proptest::collection::vec(step(), 0..100), mslab: bool) {
            let mut memstore = MemStore::default();
            let mut reference = ReferenceMemStore::default();
            let now = SimTime::from_nanos(1);
            // Since the last snapshot: each mini-batch's sequence id, cells and size, if not
            // rolled back yet.
            let mut batches: Vec<Option<(u64, Vec<Cell>, MemSize)>> = Vec::new();
            for (index, step) in steps.into_iter().enumerate() {
                match step {
                    Step::MiniBatch(key, timestamp_ms, specs) => {
                        // Unique, but not in increasing order (2.5 writes after the sync).
                        let sequence_id = key * 1000 + index as u64;
                        let cells: Vec<Cell> = specs
                            .into_iter()
                            .map(|(row, qualifier, delete, value_bytes)| Cell {
                                row,
                                timestamp_ms,
                                sequence_id,
                                qualifier: if delete { 0 } else { qualifier },
                                cell_type: if delete { CellType::DeleteFamily } else { CellType::Put },
                                value_bytes,
                            })
                            .collect();
                        let mut writes: Vec<(Cell, u64)> = cells
                            .iter()
                            .map(|&cell| (cell, 30 + u64::from(cell.value_bytes)))
                            .collect();
                        let mut expected = MemSize::default();
                        for &(cell, data_bytes) in &writes {
                            expected.add(reference.add(cell, data_bytes, mslab));
                        }
                        let added = memstore.add(&mut writes, now, &heap(mslab));
                        proptest::prop_assert_eq!(added, expected);
                        batches.push(Some((sequence_id, cells, added)));
                    }
                    Step::Rollback(which) => {
                        let which = which % batches.len().max(1);
                        if let Some(Some((sequence_id, cells, size))) =
                            batches.get_mut(which).map(Option::take)
                        {
                            memstore.rollback(sequence_id, size);
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
                            // Only the active segment's edits can be rolled back.
                            batches.clear();
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
