//! A warm start (`[warm]`): at time 0, before the first event, the server is put in the state
//! a long run reaches — memstores partly full with their edits in the WAL, and stores holding
//! files — so that steady state begins at once instead of after the burst of a cold start,
//! where every region's memstore starts empty and with even writes all reach the flush size
//! together.
//!
//! `WarmPlan` is a pure function of the scenario, drawn from its own streams (`warm.memstore`,
//! `warm.values`, `warm.files`): each region's memstore target, a seeded fraction in
//! [0, `memstore`) of its flush size, and the value sizes of the rows that fill it up to the
//! target without passing it; and each store's file sizes. Targets that add up to more than the
//! global lower limit (`hbase.regionserver.global.memstore.size.lower.limit`) are scaled down
//! together to it: a server whose regions cannot all hold that much runs at the lower limit,
//! where flushOneForGlobalPressure keeps it.
//!
//! The server then applies the plan, files first:
//! - Each store gets its files, oldest first, each with one sequence id below every memstore
//!   edit (the region's flushed sequence id), through the file a bulk load writes
//!   (`StoreFile::spread`) but with its contents summarised from the table's key layout: rows
//!   of the table's first workload (a put of each column, of the workload's mean value size),
//!   as many as the size holds, distinct rows of the region in a seeded order
//!   (`warm.file_rows`). Their modification time is `[server] clock_start` (created at time 0):
//!   SortedCompactionPolicy times a store's major compaction from its oldest file's, so the
//!   first time-based major compaction comes one jittered period after the start (3.5 to 10.5
//!   days with the defaults), the stores spread by their jitter as in a running server. A store
//!   no workload writes gets files whose cells are not known, as bulk-loaded ones.
//! - Each region's memstore gets its rows as puts of the table's first workload, one row per
//!   WAL entry and sequence id, rows drawn uniformly over the region's key range
//!   (`warm.rows`), through the write path's WAL append (`append_wal_entry`) and memstore
//!   (`MemStore::add`, RegionServerAccounting), MVCC, and the durability oracle as acknowledged
//!   with the workload's durability (SKIP_WAL edits are in no WAL). The regions' entries are
//!   interleaved as even writes would have left them: the region with the most rows to go
//!   writes next, so the fullest regions hold the oldest WAL files. The WAL rolls whenever the
//!   current file passes the roll size, as if each entry had been synced alone, and every entry
//!   is durable when the run begins; more rolled files than maxlogs request the flushes a roll
//!   would. Then each region's stores are checked as a region opening is
//!   (HRegionServer.postOpenDeployTasks): one with enough files requests a compaction.
//!
//! A warm start's edits count as acknowledged (`durability.acknowledged`) and its cells as
//! added to memstores (`memstore.bytes_added`, so that bytes are conserved), but its WAL
//! entries, syncs and rolls are not the run's (`wal.appends`, `wal.bytes`, `wal.rolls`); its WAL
//! files count in `wal.files_created`. Tables no workload writes start with empty memstores:
//! nothing would have written them, and the periodic flusher empties a memstore within an hour.
//!
//! Left out: the memstores hold puts only (no delete markers or read-modify-write results of the
//! workload's mix), one row per WAL entry (a batch workload's mini-batches put several); the
//! current values that read-modify-write tables keep hold the memstore's rows but not the
//! files', whose rows are known only as a sketch.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::RegionServer;
use crate::model::config::ServerConfig;
use crate::model::region::hregion::{RegionId, TableLayout};
use crate::model::region::layout::{ClientCells, client_cells, table_layouts};
use crate::model::region::mvcc::Mvcc;
use crate::model::store::cell::{Cell, HeapAccounting, MemSize};
use crate::model::store::key_sketch::KeySketch;
use crate::model::store::store_file::{Contents, Spread, StoreFile, vlong_bytes};
use crate::scenario::Scenario;
use crate::scenario::codec::FamilyCodec;
use crate::scenario::warm::{PRELOAD_FILES_MAX, WarmSpec};
use crate::scenario::workload::{Durability, SizeSpec};
use crate::sim::RandomStream;

/// What a warm start puts in place: a function of the scenario (its seed included).
#[derive(Debug, Clone, PartialEq)]
pub struct WarmPlan {
    /// By region id (the tables in order, each region in key order).
    pub regions: Vec<WarmRegion>,
}

/// One region's starting state.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmRegion {
    /// The memstore heap size it is filled up to, not past.
    pub heap_target_bytes: u64,
    /// The value bytes of each row its memstore starts with, oldest first.
    pub rows: Vec<u32>,
    /// What those rows add to its memstore: within one row of the target.
    pub size: MemSize,
    /// Each store's starting files' sizes, oldest first.
    pub files: Vec<Vec<u64>>,
}

impl WarmPlan {
    /// The scenario's warm start, `None` for a cold one.
    pub fn new(scenario: &Scenario) -> Option<WarmPlan> {
        let config = ServerConfig::new(scenario);
        let tables = table_layouts(scenario);
        let cells = client_cells(scenario, &config, &tables);
        WarmPlan::for_server(scenario, &config, &tables, &cells)
    }

    fn for_server(
        scenario: &Scenario,
        config: &ServerConfig,
        tables: &[TableLayout],
        client_cells: &[ClientCells],
    ) -> Option<WarmPlan> {
        let preloads = scenario.tables.iter().any(|table| table.preload.is_some());
        if scenario.warm.is_none() && !preloads {
            return None;
        }
        // A preload alone starts with empty memstores.
        let spec = scenario.warm.clone().unwrap_or(WarmSpec {
            memstore: 0.0,
            files: 0,
            file_bytes: (0, 0),
        });
        let mut preload_files = RandomStream::new(scenario.seed, "preload.files");
        let mut fractions = RandomStream::new(scenario.seed, "warm.memstore");
        let mut targets = Vec::new();
        for (index, layout) in tables.iter().enumerate() {
            let written = first_writer(client_cells, index).is_some();
            for (position, &(start, _)) in layout.region_map.iter().enumerate() {
                let end = layout
                    .region_map
                    .get(position + 1)
                    .map_or(layout.row_count, |&(next, _)| next);
                // Every region draws, so that one table's workloads move no other's fractions.
                let fraction = fractions.next_f64() * spec.memstore;
                let target = (fraction * layout.flush_size_bytes as f64) as u64;
                // A region with no keys (more regions than rows) is never written.
                targets.push((index, if written && end > start { target } else { 0 }));
            }
        }
        let total: u64 = targets.iter().map(|&(_, target)| target).sum();
        if total > config.global_lower_bytes {
            let scale = config.global_lower_bytes as f64 / total as f64;
            for (_, target) in &mut targets {
                *target = (*target as f64 * scale) as u64;
            }
        }
        let mut values = RandomStream::new(scenario.seed, "warm.values");
        let mut sizes = RandomStream::new(scenario.seed, "warm.files");
        let mut scratch = Vec::new();
        let regions = targets
            .into_iter()
            .map(|(table, heap_target_bytes)| {
                let mut rows = Vec::new();
                let mut size = MemSize::default();
                if let Some(writer) = first_writer(client_cells, table) {
                    let value_size = scenario.workloads[writer].value_size;
                    let cells = &client_cells[writer];
                    loop {
                        let value_bytes = draw_value(value_size, &mut values);
                        let row =
                            row_size(cells, &config.heap_accounting, value_bytes, &mut scratch);
                        if size.heap + row.heap > heap_target_bytes {
                            break;
                        }
                        size.add(row);
                        rows.push(value_bytes);
                    }
                }
                let (min, max) = spec.file_bytes;
                let table_spec = &scenario.tables[table];
                let stores = u64::from(table_spec.regions) * table_spec.families.len() as u64;
                if let Some(preload) = table_spec.preload {
                    let files = (0..table_spec.families.len())
                        .map(|_| preloaded_files(preload / stores, &mut preload_files))
                        .collect();
                    return WarmRegion {
                        heap_target_bytes,
                        rows,
                        size,
                        files,
                    };
                }
                let files = (0..scenario.tables[table].families.len())
                    .map(|_| {
                        (0..spec.files)
                            .map(|_| {
                                min + if max > min {
                                    sizes.below(max - min + 1)
                                } else {
                                    0
                                }
                            })
                            .collect()
                    })
                    .collect();
                WarmRegion {
                    heap_target_bytes,
                    rows,
                    size,
                    files,
                }
            })
            .collect();
        Some(WarmPlan { regions })
    }
}

/// A preloaded store's files, oldest first: its share of the preload written, flushed and
/// compacted into 1 to `PRELOAD_FILES_MAX` files (seeded), the oldest (the last major
/// compaction's) holding two thirds when there are two.
fn preloaded_files(bytes: u64, stream: &mut RandomStream) -> Vec<u64> {
    let bytes = bytes.max(1);
    match 1 + stream.below(PRELOAD_FILES_MAX) {
        1 => vec![bytes],
        _ => {
            let newer = (bytes / 3).max(1);
            vec![(bytes - newer).max(1), newer]
        }
    }
}

/// The workload whose cells a table starts with: the first in the file that writes it.
fn first_writer(client_cells: &[ClientCells], table: usize) -> Option<usize> {
    client_cells.iter().position(|cells| cells.table == table)
}

/// A value size of `spec`, as the workload draws them.
fn draw_value(spec: SizeSpec, stream: &mut RandomStream) -> u32 {
    let bytes = match spec {
        SizeSpec::Constant { bytes } => bytes,
        SizeSpec::Uniform { min, max } => min + stream.below(max - min + 1),
    };
    u32::try_from(bytes).expect("a value size is at most hbase.client.keyvalue.maxsize")
}

/// What one put of every column in each of the workload's families adds to a memstore.
fn row_size(
    cells: &ClientCells,
    heap: &HeapAccounting,
    value_bytes: u32,
    scratch: &mut Vec<(Cell, u64)>,
) -> MemSize {
    scratch.clear();
    for position in 0..cells.families.len() {
        cells.put_cells(position, (0, 0), (0, value_bytes), scratch);
    }
    let mut size = MemSize::default();
    for &(_, bytes) in scratch.iter() {
        size.add(heap.cell(bytes));
    }
    size
}

/// The contents of a starting file of `size_bytes` in the store of the workload's family at
/// `position`: as many rows (a put of each column, of `value_bytes`) as an HFile of that size
/// holds, on distinct rows of the region `rows` in a seeded order — all of them, each several
/// versions, if the region has fewer rows.
fn starting_contents(
    cells: &ClientCells,
    position: usize,
    (value_bytes, size_bytes): (u64, u64),
    (sequence_id, codec): (u64, &FamilyCodec),
    rows: (u64, u64),
    stream: &mut RandomStream,
) -> Contents {
    let columns = cells.qualifiers.len() as u64;
    let key_per_row: u64 = cells.key_bytes[position].iter().sum();
    let data_per_row = key_per_row + columns * value_bytes;
    let sequence_per_row = columns * vlong_bytes(sequence_id);
    let of_rows = |file_rows: u64| Contents {
        put_cells: file_rows * columns,
        delete_cells: 0,
        put_versions: file_rows,
        put_data_bytes: file_rows * data_per_row,
        delete_data_bytes: 0,
        sequence_bytes: file_rows * sequence_per_row,
        key_bytes: file_rows * key_per_row,
        put_rows: KeySketch::default(),
        delete_rows: KeySketch::default(),
        row_fraction: 1.0,
    };
    // The most rows whose HFile (their payload in blocks, encoded and compressed with the
    // family's codec) fits in the size.
    // At most: the size uncompressed, over a row's bytes less its keys (all an encoding removes).
    let row_bytes_least = (data_per_row + sequence_per_row - key_per_row).max(1);
    let rows_at_most = (size_bytes as f64 * codec.ratio) as u64 / row_bytes_least;
    let (mut low, mut high) = (0, rows_at_most);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if of_rows(middle).file_bytes(codec).0 <= size_bytes {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    Contents {
        put_rows: distinct_rows(rows, low, stream),
        ..of_rows(low)
    }
}

/// A sketch of `count` distinct rows of [start, end) (all of them if fewer): row i is
/// start + (b + a·i) mod span, for a random offset b and a random stride a coprime with the
/// span, a permutation of the rows that costs a step per row.
fn distinct_rows((start, end): (u64, u64), count: u64, stream: &mut RandomStream) -> KeySketch {
    let span = end - start;
    let mut sketch = KeySketch::default();
    let mut offset = stream.below(span);
    let stride = loop {
        let stride = 1 + stream.below(span.max(2) - 1);
        if greatest_common_divisor(stride, span) == 1 {
            break stride;
        }
    };
    for _ in 0..count.min(span) {
        sketch.insert(start + offset, 0);
        offset += stride;
        if offset >= span {
            offset -= span;
        }
    }
    sketch
}

fn greatest_common_divisor(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl RegionServer<'_> {
    /// Puts the `[warm]` state in place (before the first event); nothing for a cold start.
    pub(super) fn warm_start(&mut self) {
        let Some(plan) = WarmPlan::for_server(
            self.scenario,
            &self.config,
            &self.tables,
            &self.client_cells,
        ) else {
            return;
        };
        self.place_starting_files(&plan);
        self.fill_memstores(&plan);
        let point = self.fs_wal.sync_point(&self.fs);
        self.fs_wal.synced(point);
        self.flush_for_too_many_wals();
        self.note_wal_files();
        for region in 0..self.regions.len() as RegionId {
            self.compact_after_open(region);
        }
    }

    /// The region's rows a starting file spreads over: the table's key space ends the last one.
    fn key_range(&self, region: RegionId) -> (u64, u64) {
        let state = &self.regions[region as usize];
        let row_count = self.tables[state.table].row_count;
        (state.start_row, state.end_row.min(row_count))
    }

    /// Each store's starting files, with sequence ids 1, 2, … oldest first; the region has
    /// flushed up to the last.
    fn place_starting_files(&mut self, plan: &WarmPlan) {
        let now = self.now();
        let mut file_rows = RandomStream::new(self.scenario.seed, "warm.file_rows");
        for (region, warm) in plan.regions.iter().enumerate() {
            let region = region as RegionId;
            let rows = self.key_range(region);
            let table = self.regions[region as usize].table;
            let naming = self.tables[table].row_naming();
            let writer = first_writer(&self.client_cells, table);
            let mut flushed = 0;
            for (store, sizes) in warm.files.iter().enumerate() {
                for (index, &size_bytes) in sizes.iter().enumerate() {
                    let sequence_id = index as u64 + 1;
                    flushed = flushed.max(sequence_id);
                    // A region with no keys has no rows to summarise.
                    let contents = writer.filter(|_| rows.1 > rows.0).and_then(|writer| {
                        let cells = &self.client_cells[writer];
                        let position = cells.families.iter().position(|&f| f == store)?;
                        let value_bytes = match self.scenario.workloads[writer].value_size {
                            SizeSpec::Constant { bytes } => bytes,
                            SizeSpec::Uniform { min, max } => min + (max - min) / 2,
                        };
                        Some(starting_contents(
                            cells,
                            position,
                            (value_bytes, size_bytes),
                            (sequence_id, &self.tables[table].codec),
                            rows,
                            &mut file_rows,
                        ))
                    });
                    let file = StoreFile::spread(
                        Spread {
                            id: self.next_file_id,
                            size_bytes,
                            rows,
                            sequence_ids: (sequence_id, sequence_id),
                            timestamp_max_ms: now.as_millis(),
                            contents,
                        },
                        naming,
                        now,
                        &self.tables[table].codec,
                    );
                    self.next_file_id += 1;
                    let store = &mut self.regions[region as usize].stores[store];
                    store.add_file(file);
                    let peak = &mut self.stats.store_files_peak_per_store;
                    *peak = (*peak).max(store.files.len() as u64);
                }
            }
            let state = &mut self.regions[region as usize];
            state.sequence_id = flushed;
            state.mvcc = Mvcc::starting_at(flushed);
            state.flushed_sequence_id = flushed;
            state.last_flush_op_sequence_id = flushed;
        }
    }

    /// Every region's memstore rows, the regions interleaved as even writes leave them: the
    /// region with the most rows still to write goes next (the lowest id among equals).
    fn fill_memstores(&mut self, plan: &WarmPlan) {
        let mut rows = RandomStream::new(self.scenario.seed, "warm.rows");
        let mut to_go: BinaryHeap<(usize, Reverse<RegionId>)> = plan
            .regions
            .iter()
            .enumerate()
            .filter(|(_, warm)| !warm.rows.is_empty())
            .map(|(region, warm)| (warm.rows.len(), Reverse(region as RegionId)))
            .collect();
        while let Some((left, Reverse(region))) = to_go.pop() {
            let warm = &plan.regions[region as usize];
            let value_bytes = warm.rows[warm.rows.len() - left];
            self.write_starting_row(region, value_bytes, &mut rows);
            if left > 1 {
                to_go.push((left - 1, Reverse(region)));
            }
        }
        for (region, warm) in plan.regions.iter().enumerate() {
            assert_eq!(
                self.regions[region].size, warm.size,
                "a warm memstore holds what its plan added up"
            );
        }
    }

    /// One row put into a region before the run, as an acknowledged write leaves it: its
    /// sequence id begun and complete, its WAL entry appended (and the WAL rolled past the roll
    /// size), its cells in the memstore and counted, and the oracle told.
    fn write_starting_row(&mut self, region: RegionId, value_bytes: u32, rows: &mut RandomStream) {
        let now = self.now();
        let (start, end) = self.key_range(region);
        let row = start + rows.below(end - start);
        let state = &mut self.regions[region as usize];
        let writer = first_writer(&self.client_cells, state.table)
            .expect("only a table a workload writes starts with memstore rows");
        let sequence_id = state.next_sequence_id();
        state.mvcc.begin(sequence_id);
        let cells = &self.client_cells[writer];
        let mut families = Vec::with_capacity(cells.families.len());
        self.wal_cells.clear();
        for (position, &family) in cells.families.iter().enumerate() {
            let version = (now.as_millis(), sequence_id);
            cells.put_cells(position, version, (row, value_bytes), &mut self.wal_cells);
            families.push((family, self.wal_cells.len()));
        }
        let durability = cells.durability;
        if durability != Durability::SkipWal {
            self.append_wal_entry(region, sequence_id, &families);
            if self.wal_past_roll_size() {
                self.roll_starting_wal();
            }
        }
        let heap = self.config.heap_accounting;
        let state = &mut self.regions[region as usize];
        let mut added = MemSize::default();
        let mut first = 0;
        for &(family, end) in &families {
            let written = &mut self.wal_cells[first..end];
            if let Some(index) = state.values.as_mut() {
                for (cell, _) in written.iter() {
                    index.put(cell.row, family, cell.qualifier, cell.value_bytes);
                }
            }
            added.add(state.stores[family].memstore.add(written, now, &heap));
            first = end;
        }
        let waiters = state.mvcc.complete(sequence_id);
        assert!(waiters.is_empty(), "nothing waits before the run");
        let stores = &self.client_cells[writer].families;
        self.oracle
            .acknowledged(region, stores, sequence_id, durability);
        let memstore = &mut self.stats.memstore;
        memstore.data_bytes_added += added.data;
        memstore.heap_bytes_added += added.heap;
        memstore.cells_added += added.cells;
        self.add_to_memstore_size(region, added);
    }

    /// A roll by size before the run: the file is durable, closed and replaced at once (no sync
    /// is in flight to wait for). It is not one of the run's rolls.
    fn roll_starting_wal(&mut self) {
        let point = self.fs_wal.sync_point(&self.fs);
        self.fs_wal.synced(point);
        let now_ms = self.wall_clock_ms();
        self.fs_wal
            .roll_start(&mut self.fs, now_ms)
            .expect("a new WAL file name is free");
        self.fs_wal.roll_finish(&mut self.fs);
    }
}
