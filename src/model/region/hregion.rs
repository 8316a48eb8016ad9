//! HRegion: a key range of a table with one store per column family, its memstore size counter,
//! its sequence ids, the flush flags and the updates lock.
//!
//! The updates lock is HBase's `updatesLock`: writers hold the read side from before the WAL
//! append until their edit is applied (2.5: through the sync and the memstore write; 1.4: the
//! flush's `mvcc.completeAndWait` waits for the same writers), and a flush takes the write side to
//! snapshot the memstore. Here that is `writes_in_flight` plus a flush waiting for it to reach
//! zero, behind which new writers queue (`lock_waiters`). A queued writer waits as HRegion.lock
//! does, at most min(hbase.ipc.client.call.purge.timeout, hbase.busy.wait.duration ×
//! min(rows, hbase.busy.wait.multiplier.max)), then gets RegionTooBusyException.

use std::collections::VecDeque;

use crate::model::compaction::policy::CompactionConfig;
use crate::model::config::{FlushPolicyKind, ServerConfig, SplitSettings};
use crate::model::region::mvcc::Mvcc;
use crate::model::region::row_lock::RowLocks;
use crate::model::region::split_policy::{SplitPolicy, SplitPolicyConfig};
use crate::model::region::store_hotness::StoreHotnessProtector;
use crate::model::region::value_index::ValueIndex;
use crate::model::rpc::CallId;
use crate::model::store::cell::{KeyShape, MemSize};
use crate::model::store::hstore::Store;
use crate::model::store::store_file::RowNaming;
use crate::scenario::codec::FamilyCodec;
use crate::sim::SimTime;

/// Identifies a region across all tables.
pub type RegionId = u32;
/// Identifies a flush in progress.
pub type FlushId = u32;

/// The key layout of one table: row names and qualifier names as byte lengths.
#[derive(Debug, Clone)]
pub struct TableLayout {
    pub name: String,
    /// Rows are `prefix` + the index zero-padded to a fixed width, this many bytes in all.
    pub row_bytes: u32,
    /// Rows in the key space (the largest key count of the table's workloads).
    pub row_count: u64,
    pub family_bytes: Vec<u32>,
    /// Qualifier byte lengths by rank; rank 0 is the empty qualifier of a delete marker.
    pub qualifier_bytes: Vec<u32>,
    /// The table's regions by first row, in key order (what hbase:meta says); splits and
    /// merges change it.
    pub region_map: Vec<(u64, RegionId)>,
    pub flush_size_bytes: u64,
    /// Whether its workloads read-modify-write, so that its regions keep a value index.
    pub tracks_values: bool,
    /// The families' VERSIONS.
    pub max_versions: u32,
    /// The table descriptor's MAX_FILESIZE, if set.
    pub max_filesize: Option<u64>,
    /// The table descriptor's COMPACTION_ENABLED.
    pub compaction_enabled: bool,
    /// Its stores' compaction selection settings (they depend on the table's flush size).
    pub compaction: CompactionConfig,
    /// hbase.regionserver.thread.compaction.throttle for its stores.
    pub compaction_throttle_bytes: u64,
    /// The families' COMPRESSION and DATA_BLOCK_ENCODING.
    pub codec: FamilyCodec,
}

impl TableLayout {
    /// A cell's KeyValue length in family `family`.
    pub fn cell_bytes(&self, family: usize, cell: &crate::model::store::cell::Cell) -> u64 {
        crate::model::store::cell::data_bytes(self.shape(family, cell.qualifier), cell.value_bytes)
    }

    /// How the table names its rows.
    pub fn row_naming(&self) -> RowNaming {
        RowNaming {
            digits: crate::model::region::layout::row_digits(self.row_count),
            row_bytes: self.row_bytes,
        }
    }

    /// A region's split policy, configured with `uniform`, its open's jitter draw in [0, 1).
    pub fn split_policy(&self, settings: &SplitSettings, uniform: f32) -> SplitPolicy {
        SplitPolicy::for_region(
            &SplitPolicyConfig {
                kind: settings.policy,
                max_file_size: self.max_filesize.unwrap_or(settings.max_file_size),
                jitter: settings.jitter,
                initial_size: settings.initial_size,
                flush_size: self.flush_size_bytes,
                overall_files: settings.overall_files,
            },
            uniform,
        )
    }

    /// The key shape of a cell in family `family` with qualifier rank `qualifier`.
    pub fn shape(&self, family: usize, qualifier: u16) -> KeyShape {
        KeyShape {
            row_bytes: self.row_bytes,
            family_bytes: self.family_bytes[family],
            qualifier_bytes: self.qualifier_bytes[usize::from(qualifier)],
        }
    }

    /// The region holding row `row`: the last whose first row is at or before it.
    pub fn region_of(&self, row: u64) -> RegionId {
        let after = self.region_map.partition_point(|&(start, _)| start <= row);
        self.region_map[after.max(1) - 1].1
    }

    /// The table's regions in key order.
    pub fn regions_in_order(&self) -> impl Iterator<Item = RegionId> + '_ {
        self.region_map.iter().map(|&(_, region)| region)
    }

    /// First rows of `regions` regions splitting [0, rows) evenly (a pre-split table).
    pub fn even_split(rows: u64, regions: u32) -> Vec<u64> {
        (0..u64::from(regions))
            .map(|index| {
                (u128::from(index) * u128::from(rows)).div_ceil(u128::from(regions)) as u64
            })
            .collect()
    }
}

/// Whether a region takes requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionState {
    Open,
    /// Closing (HRegion.doClose has set `closing`): requests get NotServingRegionException.
    Closing,
    /// Closed, or not yet opened: requests get NotServingRegionException.
    Offline,
}

/// One region.
#[derive(Debug)]
pub struct Region {
    pub id: RegionId,
    pub table: usize,
    /// Its rows: [start_row, end_row).
    pub start_row: u64,
    pub end_row: u64,
    pub state: RegionState,
    /// HBase's writestate.writesEnabled: a closing region refuses background flushes.
    pub writes_enabled: bool,
    /// Calls inside HRegion.batchMutate here (holding the region lock's read side); a close
    /// takes the write side and waits for them.
    pub calls_inside: u32,
    /// Operator tasks waiting for a flush to end or for the calls inside to leave.
    pub waiting_tasks: Vec<u32>,
    /// When it went offline, while it is.
    pub offline_since: Option<SimTime>,
    pub stores: Vec<Store>,
    /// The region's memstore size counter (HBase's memStoreSizing): raised when an edit is
    /// applied, lowered when a flush commits; includes a snapshot being flushed.
    pub size: MemSize,
    /// The last sequence id handed out.
    pub sequence_id: u64,
    /// The highest sequence id made durable in a store file (HRegion.maxFlushedSeqId: every
    /// edit at or below it is in a store file, whatever its family).
    pub flushed_sequence_id: u64,
    /// HRegion.lastFlushOpSeqId: the last committed flush's own sequence id, above every edit
    /// written before that flush began (what a report gives a family with nothing unflushed).
    pub last_flush_op_sequence_id: u64,
    /// HBase's writestate.flushRequested: set by requestFlush, cleared when a flush ends.
    pub flush_requested: bool,
    /// HBase's writestate.flushing: at most one flush per region at a time.
    pub flushing: bool,
    /// Writes begun and not yet complete: they hold the updates lock's read side (2.5) or are
    /// what a 1.4 flush's MVCC wait waits for.
    pub writes_in_flight: u32,
    /// A flush waiting for the write side of the updates lock.
    pub flush_waiting_for_lock: Option<FlushId>,
    /// Calls queued behind that flush.
    pub lock_waiters: VecDeque<CallId>,
    pub flush_size_bytes: u64,
    /// checkResources' limit: flush size × hbase.hregion.memstore.block.multiplier.
    pub blocking_size_bytes: u64,
    pub row_locks: RowLocks,
    pub mvcc: Mvcc,
    /// The newest write (sequence id) answered as done: a read that starts after it must see
    /// it (read-your-writes through the read point).
    pub acknowledged_sequence_id: u64,
    /// StoreHotnessProtector's counts (2.x; a region opened again starts from nothing).
    pub hotness: StoreHotnessProtector,
    /// Current values, for tables whose workloads read-modify-write.
    pub values: Option<ValueIndex>,
    /// Its split policy, configured when it opened.
    pub split_policy: SplitPolicy,
}

impl Region {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: RegionId,
        table: usize,
        rows: (u64, u64),
        families: &[String],
        flush_size_bytes: u64,
        block_multiplier: u64,
        tracks_values: bool,
        split_policy: SplitPolicy,
        opened_at: SimTime,
    ) -> Region {
        Region {
            id,
            table,
            start_row: rows.0,
            end_row: rows.1,
            state: RegionState::Open,
            writes_enabled: true,
            calls_inside: 0,
            waiting_tasks: Vec::new(),
            offline_since: None,
            stores: families
                .iter()
                .map(|family| Store::new(family.clone(), opened_at))
                .collect(),
            size: MemSize::default(),
            sequence_id: 0,
            flushed_sequence_id: 0,
            last_flush_op_sequence_id: 0,
            flush_requested: false,
            flushing: false,
            writes_in_flight: 0,
            flush_waiting_for_lock: None,
            lock_waiters: VecDeque::new(),
            flush_size_bytes,
            blocking_size_bytes: flush_size_bytes.saturating_mul(block_multiplier),
            row_locks: RowLocks::default(),
            mvcc: Mvcc::default(),
            acknowledged_sequence_id: 0,
            hotness: StoreHotnessProtector::new(families.len()),
            values: tracks_values.then(ValueIndex::default),
            split_policy,
        }
    }

    /// Hands out the next sequence id (the region's MVCC write number).
    pub fn next_sequence_id(&mut self) -> u64 {
        self.sequence_id += 1;
        self.sequence_id
    }

    /// HRegion.isFlushSize: heap (+ off-heap, zero here) above the flush size, strictly.
    pub fn is_above_flush_size(&self) -> bool {
        self.size.heap > self.flush_size_bytes
    }

    /// checkResources: heap (+ off-heap) above flush size × block multiplier, strictly.
    pub fn is_above_blocking_size(&self) -> bool {
        self.size.heap > self.blocking_size_bytes
    }
}

/// What the flush policy sees of one store.
#[derive(Debug, Clone, Copy)]
pub struct StoreView {
    pub heap_bytes: u64,
    pub data_bytes: u64,
    pub oldest_edit_at: Option<SimTime>,
    pub sequence_id_unflushed_min: Option<u64>,
}

/// HBase's FlushPolicy.selectStoresToFlush, as a pure function: the indexes of the stores a
/// region flush writes. `read_point` is the region's last applied sequence id.
pub fn select_stores_to_flush(
    config: &ServerConfig,
    flush_size_bytes: u64,
    stores: &[StoreView],
    read_point: u64,
    now: SimTime,
) -> Vec<usize> {
    let all = || (0..stores.len()).collect::<Vec<usize>>();
    let lower_bound = match config.flush_policy {
        FlushPolicyKind::AllStores => return all(),
        FlushPolicyKind::AllLargeStores => {
            if stores.len() <= 1 {
                return all();
            }
            (flush_size_bytes / stores.len() as u64).max(config.flush_store_lower_bound_min_bytes)
        }
        FlushPolicyKind::LargeStores => config.flush_store_lower_bound_bytes,
    };
    // HRegion.shouldFlushStore: too many edits since the store's oldest unflushed one, or an
    // edit older than the periodic flush interval.
    let should_flush_store = |store: &StoreView| {
        let too_many_edits = store.sequence_id_unflushed_min.is_some_and(|earliest| {
            earliest > 1 && earliest - 1 + config.flush_per_changes < read_point
        });
        let too_old = match (config.flush_check_interval, store.oldest_edit_at) {
            (Some(interval), Some(oldest)) => now.saturating_duration_since(oldest) > interval,
            _ => false,
        };
        too_many_edits || too_old
    };
    let selected: Vec<usize> = stores
        .iter()
        .enumerate()
        .filter(|(_, store)| store.heap_bytes > lower_bound || should_flush_store(store))
        .map(|(index, _)| index)
        .collect();
    if selected.is_empty() { all() } else { selected }
}

/// What the global-pressure picker sees of one region.
#[derive(Debug, Clone, Copy)]
pub struct RegionView {
    pub id: RegionId,
    pub heap_bytes: u64,
    /// Flushing already, or not flushable (writes disabled by a close).
    pub flushing: bool,
    /// A store holds more files than hbase.hstore.blockingStoreFiles.
    pub too_many_store_files: bool,
}

/// MemStoreFlusher.flushOneForGlobalPressure's choice, as a pure function.
///
/// Regions are ranked by memstore heap size, biggest first, in a map keyed by size, so regions of
/// exactly equal size overwrite each other and only one is a candidate (HBase iterates its
/// online-regions hash map, so which one survives is arbitrary there; here the highest id does).
/// The best flushable region is the biggest that is not flushing and has no store over the
/// blocking file count; the best of any is the biggest not flushing. The latter wins when it is
/// more than twice as big.
pub fn pick_region_for_global_pressure(regions: &[RegionView]) -> Option<RegionId> {
    let mut by_size: std::collections::BTreeMap<u64, RegionView> =
        std::collections::BTreeMap::new();
    for region in regions {
        by_size.insert(region.heap_bytes, *region);
    }
    let ranked = || by_size.values().rev().filter(|region| !region.flushing);
    let best_any = ranked().next()?;
    let best_flushable = ranked().find(|region| !region.too_many_store_files);
    match best_flushable {
        Some(flushable) if best_any.heap_bytes <= 2 * flushable.heap_bytes => Some(flushable.id),
        _ => Some(best_any.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimDuration;

    const MB: u64 = 1 << 20;

    /// The hbase-2.5 profile's settings, with the given flush policy.
    fn config(flush_policy: FlushPolicyKind) -> ServerConfig {
        let scenario = crate::scenario::for_tests("");
        ServerConfig {
            flush_policy,
            ..ServerConfig::new(&scenario)
        }
    }

    fn store(heap_mb: u64) -> StoreView {
        StoreView {
            heap_bytes: heap_mb * MB,
            data_bytes: heap_mb * MB,
            oldest_edit_at: Some(SimTime::ZERO),
            sequence_id_unflushed_min: Some(1),
        }
    }

    // FlushAllLargeStoresPolicy: the bound is max(flush size ÷ families, 16 MB); stores above it
    // are chosen, or all when none is (the reference's example: 128 MB, 3 families → 42.67 MB).
    #[test]
    fn large_stores_are_selected() {
        let config = config(FlushPolicyKind::AllLargeStores);
        let now = SimTime::ZERO;
        let stores = [store(50), store(40), store(10)];
        assert_eq!(
            select_stores_to_flush(&config, 128 * MB, &stores, 10, now),
            vec![0]
        );
        let stores = [store(20), store(20), store(20)];
        assert_eq!(
            select_stores_to_flush(&config, 128 * MB, &stores, 10, now),
            vec![0, 1, 2]
        );
        // One family: always that store, whatever its size.
        assert_eq!(
            select_stores_to_flush(&config, 128 * MB, &[store(1)], 10, now),
            vec![0]
        );
        // 1.4's FlushLargeStoresPolicy uses the configured 16 MB bound regardless of families.
        let old = self::config(FlushPolicyKind::LargeStores);
        let stores = [store(20), store(10), store(17)];
        assert_eq!(
            select_stores_to_flush(&old, 128 * MB, &stores, 10, now),
            vec![0, 2]
        );
    }

    // A store with an edit older than the periodic interval is flushed with the large ones.
    #[test]
    fn old_edits_join_the_flush() {
        let config = config(FlushPolicyKind::AllLargeStores);
        let now = SimTime::ZERO + SimDuration::from_secs(4000);
        let mut small_and_old = store(1);
        small_and_old.oldest_edit_at = Some(SimTime::ZERO + SimDuration::from_secs(100));
        let mut small_and_new = store(1);
        small_and_new.oldest_edit_at = Some(SimTime::ZERO + SimDuration::from_secs(3000));
        let stores = [store(100), small_and_old, small_and_new];
        assert_eq!(
            select_stores_to_flush(&config, 128 * MB, &stores, 10, now),
            vec![0, 1]
        );
    }

    fn view(id: RegionId, heap_mb: u64, flushing: bool, too_many_store_files: bool) -> RegionView {
        RegionView {
            id,
            heap_bytes: heap_mb * MB,
            flushing,
            too_many_store_files,
        }
    }

    // flushOneForGlobalPressure: the biggest non-flushing region; one with too many store files
    // only if more than twice the best flushable one; equal sizes collapse to one candidate.
    #[test]
    fn global_pressure_picks_like_hbase() {
        assert_eq!(pick_region_for_global_pressure(&[]), None);
        let regions = [
            view(0, 10, false, false),
            view(1, 30, false, false),
            view(2, 20, false, false),
        ];
        assert_eq!(pick_region_for_global_pressure(&regions), Some(1));
        let regions = [
            view(0, 10, false, false),
            view(1, 30, true, false),
            view(2, 20, false, false),
        ];
        assert_eq!(pick_region_for_global_pressure(&regions), Some(2));
        let regions = [view(0, 10, false, false), view(1, 30, false, true)];
        assert_eq!(pick_region_for_global_pressure(&regions), Some(1));
        let regions = [view(0, 20, false, false), view(1, 30, false, true)];
        assert_eq!(pick_region_for_global_pressure(&regions), Some(0));
        // Region 0 hides behind the flushing region 1 of the same size; region 2 is chosen.
        let regions = [
            view(0, 30, false, false),
            view(1, 30, true, false),
            view(2, 5, false, false),
        ];
        assert_eq!(pick_region_for_global_pressure(&regions), Some(2));
        let regions = [view(0, 30, true, false)];
        assert_eq!(pick_region_for_global_pressure(&regions), None);
    }
}
