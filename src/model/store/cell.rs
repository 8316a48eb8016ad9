//! Cells as HBase orders and sizes them (KeyValue, CellComparator, Segment size accounting).
//!
//! A cell here is compact: the row is an index into its table's key space (rows are named
//! prefix + zero-padded index, all of one width per table, so index order is byte order), the
//! family is implied by the store that holds it, and the qualifier is a rank into the table's
//! sorted qualifier names. The value is kept as its length; its bytes are never needed. Order is
//! HBase's: row, qualifier ascending, then timestamp descending, type descending (a delete
//! marker sorts before the put it covers), sequence id descending.
//!
//! Sizes follow HBase exactly (shared/reference/write-path-and-flush.md §7.2):
//! data = KeyValue serialized length = 20 + R + F + Q + V (no tags), and heap = data plus the
//! skip-list entry and the cell object: 2.5 `align(40 + align(32 + len))` (Segment.heapSizeChange
//! with ByteBufferKeyValue.heapSize on an MSLAB chunk), 1.4 `align(40 + 32 + len)`
//! (DefaultMemStore with KeyValue.heapSize at offset ≠ 0). Both equal 72 + align8(len). Left out:
//! 1.4 counts 16 more bytes for the first cell of each 2 MiB MSLAB chunk, and 2.5 adds a
//! segment's small fixed overhead when a snapshot is taken.

use std::cmp::Ordering;

/// KeyValue.Type codes; larger codes sort first among cells of equal key and timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum CellType {
    Put = 4,
    Delete = 8,
    DeleteColumn = 12,
    DeleteFamily = 14,
}

impl CellType {
    /// The type of a KeyValue's type code, for the types a memstore holds (not Minimum,
    /// Maximum or DeleteFamilyVersion).
    pub fn from_code(code: u8) -> Option<CellType> {
        [
            CellType::Put,
            CellType::Delete,
            CellType::DeleteColumn,
            CellType::DeleteFamily,
        ]
        .into_iter()
        .find(|cell_type| *cell_type as u8 == code)
    }
}

/// One cell in a store's memstore or store file.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub row: u64,
    pub timestamp_ms: u64,
    pub sequence_id: u64,
    /// Rank of the qualifier in the table's sorted qualifier names (0 = the empty qualifier).
    pub qualifier: u16,
    pub cell_type: CellType,
    pub value_bytes: u32,
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cell {}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cell {
    /// CellComparator order within one family; the value does not take part.
    fn cmp(&self, other: &Self) -> Ordering {
        // Lazily: the row decides almost every comparison a snapshot's sort makes.
        self.row
            .cmp(&other.row)
            .then_with(|| self.qualifier.cmp(&other.qualifier))
            .then_with(|| other.timestamp_ms.cmp(&self.timestamp_ms))
            .then_with(|| other.cell_type.cmp(&self.cell_type))
            .then_with(|| other.sequence_id.cmp(&self.sequence_id))
    }
}

/// The seed a cell's value bytes are generated from (`hdfs::content::value_byte`): the model
/// keeps a value as its length, and whenever its bytes are needed (a WAL entry, an export) they
/// are generated from the cell's sequence id and row, so the same write always has the same
/// bytes and a value that comes back different from a WAL can be told.
pub fn value_seed(cell: &Cell) -> u64 {
    cell.sequence_id ^ cell.row
}

/// The byte lengths that a cell's size depends on, other than its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyShape {
    pub row_bytes: u32,
    pub family_bytes: u32,
    pub qualifier_bytes: u32,
}

/// KeyValue's fixed framing: key length (4), value length (4), row length (2), family length (1),
/// timestamp (8), type (1).
pub const KEY_VALUE_INFRASTRUCTURE_BYTES: u64 = 20;
/// ClassSize.CONCURRENT_SKIPLISTMAP_ENTRY with compressed oops.
pub const SKIP_LIST_ENTRY_BYTES: u64 = 40;
/// The cell object (KeyValue / ByteBufferKeyValue FIXED_OVERHEAD) with compressed oops.
pub const CELL_OBJECT_BYTES: u64 = 32;

/// The cell's serialized length: what HBase counts as data size.
pub fn data_bytes(shape: KeyShape, value_bytes: u32) -> u64 {
    KEY_VALUE_INFRASTRUCTURE_BYTES
        + u64::from(shape.row_bytes)
        + u64::from(shape.family_bytes)
        + u64::from(shape.qualifier_bytes)
        + u64::from(value_bytes)
}

/// What one cell adds to a memstore's heap size (the number HBase's thresholds compare).
pub fn heap_bytes(data_bytes: u64) -> u64 {
    align8(SKIP_LIST_ENTRY_BYTES + align8(CELL_OBJECT_BYTES + data_bytes))
}

/// ClassSize.align: up to a multiple of 8.
pub fn align8(bytes: u64) -> u64 {
    bytes.div_ceil(8) * 8
}

/// Both sizes of something held in memory, as HBase's MemStoreSize pairs them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemSize {
    pub data: u64,
    pub heap: u64,
    pub cells: u64,
}

impl MemSize {
    pub fn of_cell(data: u64) -> MemSize {
        MemSize {
            data,
            heap: heap_bytes(data),
            cells: 1,
        }
    }

    pub fn add(&mut self, other: MemSize) {
        self.data += other.data;
        self.heap += other.heap;
        self.cells += other.cells;
    }

    /// Subtracts, asserting that no size goes negative (an accounting bug otherwise).
    pub fn subtract(&mut self, other: MemSize) {
        self.data = self
            .data
            .checked_sub(other.data)
            .expect("memstore data size went negative");
        self.heap = self
            .heap
            .checked_sub(other.heap)
            .expect("memstore heap size went negative");
        self.cells = self
            .cells
            .checked_sub(other.cells)
            .expect("memstore cell count went negative");
    }

    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(
        row: u64,
        qualifier: u16,
        timestamp_ms: u64,
        cell_type: CellType,
        sequence_id: u64,
    ) -> Cell {
        Cell {
            row,
            timestamp_ms,
            sequence_id,
            qualifier,
            cell_type,
            value_bytes: 0,
        }
    }

    // CellComparator: row and qualifier ascending; newer timestamps, delete markers and later
    // sequence ids first.
    #[test]
    fn cells_sort_as_hbase_sorts_them() {
        let mut cells = [
            cell(2, 1, 5, CellType::Put, 1),
            cell(1, 2, 5, CellType::Put, 2),
            cell(1, 1, 5, CellType::Put, 3),
            cell(1, 1, 9, CellType::Put, 4),
            cell(1, 1, 5, CellType::Delete, 5),
            cell(1, 1, 5, CellType::Put, 6),
            cell(1, 0, 5, CellType::DeleteFamily, 7),
        ];
        cells.sort();
        let order: Vec<u64> = cells.iter().map(|c| c.sequence_id).collect();
        assert_eq!(order, vec![7, 4, 5, 6, 3, 2, 1]);
    }

    // The reference's worked example: R=10, F=1, Q=10, V=100 → data 141, heap 216.
    #[test]
    fn sizes_match_hbase_accounting() {
        let shape = KeyShape {
            row_bytes: 10,
            family_bytes: 1,
            qualifier_bytes: 10,
        };
        let data = data_bytes(shape, 100);
        assert_eq!(data, 141);
        assert_eq!(heap_bytes(data), 216);
        // 1.4's align(72 + len) gives the same number.
        assert_eq!(heap_bytes(data), align8(72 + data));
    }

    #[test]
    #[should_panic(expected = "went negative")]
    fn sizes_never_go_negative() {
        let mut size = MemSize::of_cell(10);
        size.subtract(MemSize::of_cell(20));
    }
}
