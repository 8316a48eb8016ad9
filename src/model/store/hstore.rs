//! HStore: one column family of one region — its memstore, its store files, and the
//! compaction bookkeeping HStore keeps (filesCompacting, forceMajor).
//!
//! The file list is ordered as DefaultStoreFileManager orders it: by max sequence id, oldest
//! first (StoreFileComparators.SEQ_ID; equal ids keep insertion order here, where HBase goes on
//! to compare bulk-load time, size and name). A file's metadata and contents live in
//! `store_file`; selection is `compaction::policy`'s; the server owns when and at what cost.

use std::collections::BTreeSet;

use crate::model::store::cell::Cell;
use crate::model::store::memstore::{MemStore, Segment};
use crate::model::store::store_file::{RowNaming, StoreFile, flush_survivors, flushed};
use crate::scenario::codec::FamilyCodec;
use crate::sim::SimTime;

/// One column family's store in one region.
#[derive(Debug, Clone)]
pub struct Store {
    pub family: String,
    pub memstore: MemStore,
    /// Ordered oldest first (by max sequence id).
    pub files: Vec<StoreFile>,
    /// When this store last started a flush (HBase's lastStoreFlushTime).
    pub last_flush_at: SimTime,
    /// Ids of the files a compaction has selected and not yet replaced (filesCompacting).
    pub compacting: BTreeSet<u64>,
    /// HStore.forceMajor: the next selection with nothing compacting is a major compaction
    /// (set by a major-compaction request, cleared when a major compaction is selected).
    pub force_major: bool,
}

impl Store {
    pub fn new(family: String, opened_at: SimTime) -> Store {
        Store {
            family,
            memstore: MemStore::default(),
            files: Vec::new(),
            last_flush_at: opened_at,
            compacting: BTreeSet::new(),
            force_major: false,
        }
    }

    /// The file a flush of `snapshot` writes: its surviving cells (VERSIONS `max_versions`,
    /// covered puts dropped, markers kept) with `kv_bytes` giving each cell's KeyValue length.
    pub fn flush_file(
        snapshot: &Segment,
        file_id: u64,
        now: SimTime,
        max_versions: u32,
        kv_bytes: impl Fn(&Cell) -> u64,
        naming: RowNaming,
        codec: &FamilyCodec,
    ) -> StoreFile {
        let cells = snapshot.cells();
        let written = flushed(flush_survivors(cells, max_versions), kv_bytes, naming);
        StoreFile::written(
            file_id,
            written,
            (cells.first(), cells.last()),
            (
                snapshot.sequence_id_min().unwrap_or(0),
                snapshot.sequence_id_max().unwrap_or(0),
            ),
            cells
                .iter()
                .map(|cell| cell.timestamp_ms)
                .max()
                .unwrap_or(0),
            now,
            codec,
        )
    }

    /// Adds a file in DefaultStoreFileManager's order (by max sequence id, oldest first).
    pub fn add_file(&mut self, file: StoreFile) {
        let position = self
            .files
            .partition_point(|existing| existing.sequence_id_max <= file.sequence_id_max);
        self.files.insert(position, file);
    }

    /// The sum of the store's file sizes (HStore.getSize, the split policy's measure): a
    /// reference counts its parent's whole length.
    /// HStore.getMaxSequenceId: the highest sequence id in its files (0 without files).
    pub fn max_file_sequence_id(&self) -> u64 {
        self.files
            .iter()
            .map(|file| file.sequence_id_max)
            .max()
            .unwrap_or(0)
    }

    pub fn files_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.size_bytes).sum()
    }

    /// Whether any file is a reference to a parent's file (a daughter not yet compacted,
    /// which HStore.canSplit refuses).
    pub fn has_references(&self) -> bool {
        self.files.iter().any(|file| file.reference)
    }

    /// Replaces a compaction's input files by its output (HStore.replaceStoreFiles), releasing
    /// them from filesCompacting.
    pub fn replace_files(&mut self, inputs: &[u64], output: Option<StoreFile>) {
        for id in inputs {
            assert!(
                self.compacting.remove(id),
                "a compaction replaces only files it selected"
            );
        }
        let before = self.files.len();
        self.files.retain(|file| !inputs.contains(&file.id));
        assert_eq!(
            before - self.files.len(),
            inputs.len(),
            "a compaction's inputs are all in the store"
        );
        if let Some(file) = output {
            self.add_file(file);
        }
    }
}
