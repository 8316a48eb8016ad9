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
//! data = KeyValue serialized length L = 20 + R + F + Q + V (no tags), and heap = the skip-list
//! entry (ClassSize.CONCURRENT_SKIPLISTMAP_ENTRY) + the cell object (KeyValue.FIXED_OVERHEAD) +
//! the cell's bytes: align8(L) for a cell MSLAB copied into a chunk (2.5: Segment.heapSizeChange
//! with ByteBufferKeyValue.heapSize; 1.4: DefaultMemStore with KeyValue.heapSize at offset ≠ 0),
//! align8(array header + L) for one on a byte array of its own (no MSLAB, or a cell larger than
//! `hbase.hregion.memstore.mslab.max.allocation`: 2.5 deep-copies it, 1.4 keeps the RPC's exact
//! array). With compressed oops (reference 4, object header 12, array header 16) the entry is 40
//! and the object 32: 72 + align8(L) with MSLAB, 72 + align8(16 + L) without. HBase reads the
//! sizes from the JVM (ClassSize's UnsafeLayout), and HotSpot turns compressed oops off for heaps
//! of about 32 GB and more: then (reference 8, object header 16, array header 24) the entry is 64
//! and the object 40, 104 + align8(L) and 104 + align8(24 + L) (typical HotSpot values; other JVMs
//! may differ). A cell equal to one already in the segment (a row twice in a mini-batch) counts
//! only if MSLAB copied it, its chunk space being taken: 2.5 counts its data and its whole heap
//! size, 1.4 its length L alone. Left out: 1.4 counts 16 more bytes for the first cell of each
//! 2 MiB MSLAB chunk, 2.5 adds a segment's small fixed overhead when a snapshot is taken, and 2.5's
//! upsert of increments and appends into a family of VERSIONS 1 (deep-copied, outside MSLAB,
//! older versions taken out) is taken as an add.

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

/// The JVM's object sizes as ClassSize reads them: a reference, an object header, an array
/// header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectLayout {
    pub reference_bytes: u64,
    pub object_bytes: u64,
    pub array_bytes: u64,
}

impl ObjectLayout {
    /// HotSpot with compressed oops (and compressed class pointers).
    pub const COMPRESSED_OOPS: ObjectLayout = ObjectLayout {
        reference_bytes: 4,
        object_bytes: 12,
        array_bytes: 16,
    };
    /// HotSpot without compressed oops.
    pub const UNCOMPRESSED_OOPS: ObjectLayout = ObjectLayout {
        reference_bytes: 8,
        object_bytes: 16,
        array_bytes: 24,
    };

    /// ClassSize.CONCURRENT_SKIPLISTMAP_ENTRY: a node (object, three references) and half an
    /// index node.
    pub fn skip_list_entry_bytes(self) -> u64 {
        let node = self.object_bytes + 3 * self.reference_bytes;
        align8(node) + align8(node / 2)
    }

    /// KeyValue.FIXED_OVERHEAD (ByteBufferKeyValue's is the same): an object, a reference, two
    /// ints and a long.
    pub fn cell_object_bytes(self) -> u64 {
        align8(self.object_bytes + self.reference_bytes + 2 * 4 + 8)
    }
}

/// How a memstore counts what a cell adds to its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapAccounting {
    pub layout: ObjectLayout,
    /// With MSLAB, the largest cell it copies into a chunk
    /// (`hbase.hregion.memstore.mslab.max.allocation`); `None` without MSLAB.
    pub mslab_max_allocation_bytes: Option<u64>,
    /// 1.4 counts a duplicate MSLAB cell by its length alone.
    pub duplicate_counts_length_only: bool,
}

impl HeapAccounting {
    /// Whether MSLAB copies a cell of `data_bytes` into a chunk.
    pub fn copies_into_mslab(&self, data_bytes: u64) -> bool {
        self.mslab_max_allocation_bytes
            .is_some_and(|max| data_bytes <= max)
    }

    /// What one cell of `data_bytes` adds to a memstore's heap size.
    pub fn heap_bytes(&self, data_bytes: u64) -> u64 {
        let bytes = if self.copies_into_mslab(data_bytes) {
            align8(data_bytes)
        } else {
            align8(self.layout.array_bytes + data_bytes)
        };
        self.layout.skip_list_entry_bytes() + self.layout.cell_object_bytes() + bytes
    }

    /// A new cell's sizes.
    pub fn cell(&self, data_bytes: u64) -> MemSize {
        MemSize {
            data: data_bytes,
            heap: self.heap_bytes(data_bytes),
            cells: 1,
        }
    }

    /// What a cell equal to one already in the segment adds: nothing unless MSLAB copied it.
    pub fn duplicate(&self, data_bytes: u64) -> MemSize {
        if !self.copies_into_mslab(data_bytes) {
            return MemSize::default();
        }
        MemSize {
            data: data_bytes,
            heap: if self.duplicate_counts_length_only {
                data_bytes
            } else {
                self.heap_bytes(data_bytes)
            },
            cells: 0,
        }
    }
}

/// The cell's serialized length: what HBase counts as data size.
pub fn data_bytes(shape: KeyShape, value_bytes: u32) -> u64 {
    KEY_VALUE_INFRASTRUCTURE_BYTES
        + u64::from(shape.row_bytes)
        + u64::from(shape.family_bytes)
        + u64::from(shape.qualifier_bytes)
        + u64::from(value_bytes)
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

    fn accounting(layout: ObjectLayout, mslab: Option<u64>) -> HeapAccounting {
        HeapAccounting {
            layout,
            mslab_max_allocation_bytes: mslab,
            duplicate_counts_length_only: false,
        }
    }

    // The reference's worked example: R=10, F=1, Q=10, V=100 → data 141, heap 216 with MSLAB;
    // the fact sheet's: R=20, F=1, Q=10, V=100 → L = 151: 72 + 152 = 224 with MSLAB, 72 +
    // align(167) = 240 without, and without compressed oops 104 + 152 = 256 and 104 +
    // align(175) = 280. ClassSize's derived sizes: the skip-list entry 40 or 64, the cell
    // object 32 or 40.
    #[test]
    fn sizes_match_hbase_accounting() {
        let shape = KeyShape {
            row_bytes: 10,
            family_bytes: 1,
            qualifier_bytes: 10,
        };
        let data = data_bytes(shape, 100);
        assert_eq!(data, 141);
        let compressed = ObjectLayout::COMPRESSED_OOPS;
        let wide = ObjectLayout::UNCOMPRESSED_OOPS;
        let mslab = Some(256 << 10);
        assert_eq!(accounting(compressed, mslab).heap_bytes(data), 216);
        let long = data_bytes(
            KeyShape {
                row_bytes: 20,
                ..shape
            },
            100,
        );
        assert_eq!(long, 151);
        assert_eq!(accounting(compressed, mslab).heap_bytes(long), 224);
        assert_eq!(accounting(compressed, None).heap_bytes(long), 240);
        assert_eq!(accounting(wide, mslab).heap_bytes(long), 256);
        assert_eq!(accounting(wide, None).heap_bytes(long), 280);
        assert_eq!(
            (
                compressed.skip_list_entry_bytes(),
                compressed.cell_object_bytes()
            ),
            (40, 32)
        );
        assert_eq!(
            (wide.skip_list_entry_bytes(), wide.cell_object_bytes()),
            (64, 40)
        );
    }

    // MSLAB copies a cell up to max.allocation bytes (MemStoreLABImpl: size > maxAlloc is left
    // out); a larger one is counted on its own array; a duplicate counts only if copied, in
    // 2.5 whole, in 1.4 by its length.
    #[test]
    fn big_cells_and_duplicates() {
        let compressed = ObjectLayout::COMPRESSED_OOPS;
        let heap = accounting(compressed, Some(1000));
        assert_eq!(heap.heap_bytes(1000), 72 + 1000);
        assert_eq!(heap.heap_bytes(1001), 72 + align8(16 + 1001));
        assert_eq!(heap.duplicate(1001), MemSize::default());
        assert_eq!(
            heap.duplicate(1000),
            MemSize {
                data: 1000,
                heap: 1072,
                cells: 0
            }
        );
        let old = HeapAccounting {
            duplicate_counts_length_only: true,
            ..heap
        };
        assert_eq!(old.duplicate(1000).heap, 1000);
        assert_eq!(
            accounting(compressed, None).duplicate(10),
            MemSize::default()
        );
    }

    #[test]
    #[should_panic(expected = "went negative")]
    fn sizes_never_go_negative() {
        let heap = accounting(ObjectLayout::COMPRESSED_OOPS, None);
        let mut size = heap.cell(10);
        size.subtract(heap.cell(20));
    }
}
