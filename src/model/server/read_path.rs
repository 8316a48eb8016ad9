//! A read on an RPC handler: RSRpcServices.get/multi/scan → HRegion.get or a RegionScanner,
//! through the block cache.
//!
//! A read takes no row lock (HRegion.get runs a RegionScanner under startRegionOperation's
//! region lock only), and reads at the region's MVCC read point (READ_COMMITTED:
//! mvcc.getReadPoint): every write answered before it is visible, none still under way is.
//! Per store of the families it reads, a StoreScanner merges the memstore's segments with the
//! store files StoreFileScanner.shouldUseScanner admits: the key range (passesKeyRangeFilter),
//! and for a get the family's ROW bloom filter (passesBloomFilter; a scan never uses it, nor
//! does a whole-row get a ROWCOL bloom). A whole-row get seeks every admitted file for real (no
//! lazy seek without explicit columns), so each costs its data block, after the leaf index
//! block of a two-level index; a scan reads the data blocks its rows span in every file of
//! its range. Index and bloom blocks are cached whatever the read asks
//! (CacheConfig.shouldCacheBlockOnRead, HFileBlockIndex's `cacheBlocks || lookupLevel <
//! searchTreeLevel`), data blocks when `hbase.block.data.cacheonread` and the scan's
//! cacheBlocks allow; an IN_MEMORY family's blocks enter at the in-memory priority.
//!
//! Cost, in the handler that holds the call: `[io] block_seek_cpu` for every block sought (from
//! the cache or just read) and `row_read_cpu` per row and store; a miss waits `[io]
//! hdfs_read_latency`, then moves the block's bytes over the HDFS read pipe compactions share,
//! then decodes it (the family's codec). Misses are read one after another, as the handler's
//! scanners seek them (hbase.storescanner.parallel.seek.enable is off by default). With the
//! CPU model off the CPU is a delay; on, the handler spends it on the cores before it answers.
//! Two reads missing the same block both read it (HFileReaderImpl's IdLock, which makes the
//! second wait for the first, is not modelled).
//!
//! Compacted-away files keep their blocks until the CompactedHFilesDischarger chore archives
//! them (`hbase.hfile.compaction.discharger.interval`, 2 minutes), which evicts them
//! (HStore.closeAndArchiveCompactedFiles → evictBlocksByHfileName); a closing region's files
//! keep theirs unless `hbase.rs.evictblocksonclose`. A split daughter's reference files are
//! cached under their own names here (HBase caches a half reader's blocks under the parent
//! file's name, shared by both daughters).

use std::collections::BTreeMap;

use super::write_path::Outcome;
use super::{RegionServer, TransferOwner};
use crate::model::block_cache::{BlockKey, LruBlockCache};
use crate::model::client::request::{Action, Mutation, ServerError};
use crate::model::config::ServerConfig;
use crate::model::event::Event;
use crate::model::hdfs::devices::Device;
use crate::model::hdfs::latency::LatencySampler;
use crate::model::region::hregion::{RegionId, RegionState};
use crate::model::rpc::CallId;
use crate::model::stats::FILES_PER_GET_SLOTS;
use crate::model::store::codec::read_work;
use crate::model::store::hfile_reads::{BlockKind, FileBlock, FileGeometry};
use crate::scenario::Scenario;
use crate::scenario::table::BloomType;
use crate::scenario::workload::OpKind;
use crate::sim::{RandomStream, SimDuration};

/// The block cache and what reads need beside it (present when a workload reads).
#[derive(Debug)]
pub(super) struct Reads {
    pub(super) cache: LruBlockCache,
    /// Each store file's block layout, made on its first read, dropped with the file.
    geometry: BTreeMap<u64, FileGeometry>,
    hdfs_latency: LatencySampler,
    /// Files compacted away whose blocks wait for the discharger.
    compacted_away: Vec<u64>,
}

impl Reads {
    /// The reads of `scenario`, `None` when no workload reads.
    pub(super) fn new(scenario: &Scenario, config: &ServerConfig) -> Option<Box<Reads>> {
        scenario
            .workloads
            .iter()
            .any(|workload| workload.reads())
            .then(|| {
                Box::new(Reads {
                    cache: LruBlockCache::new(config.reads.cache),
                    geometry: BTreeMap::new(),
                    hdfs_latency: LatencySampler::new(
                        &scenario.io.hdfs_read_latency,
                        RandomStream::new(scenario.seed, "io.hdfs_read_latency"),
                    ),
                    compacted_away: Vec::new(),
                })
            })
    }
}

/// One block a read asks for.
#[derive(Debug, Clone, Copy)]
struct Access {
    file: u64,
    block: FileBlock,
    /// Whether a miss caches it.
    cache: bool,
    in_memory: bool,
    /// Decompressing and decoding it after a miss.
    decode: SimDuration,
}

/// Where a read call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Next: the next action's stores and files.
    Plan,
    /// Asking the cache for the planned blocks.
    Blocks,
    /// A missed block's read latency is running.
    Latency,
    /// A missed block's bytes are crossing the read pipe.
    Transfer,
    /// Every action read: the CPU left, then the answer.
    Finish,
    Respond,
}

/// A read call's progress.
#[derive(Debug, Clone)]
pub(super) struct ReadCall {
    stage: Stage,
    /// The action being read (a position in the call's actions).
    position: usize,
    accesses: Vec<Access>,
    next: usize,
    /// CPU spent and not yet waited for.
    cpu: SimDuration,
}

impl ReadCall {
    pub(super) fn new() -> Box<ReadCall> {
        Box::new(ReadCall {
            stage: Stage::Plan,
            position: 0,
            accesses: Vec::new(),
            next: 0,
            cpu: SimDuration::ZERO,
        })
    }
}

impl RegionServer<'_> {
    /// A scan's RPCs from `row` over `rows` rows (cut at the table's last row): each returns at
    /// most the scan's caching (else `hbase.client.scanner.caching`) rows and stops once it
    /// holds `hbase.client.scanner.max.result.size` of cells, and none crosses a region's end
    /// (the client opens a scanner on the next region).
    pub(super) fn scan_rpcs(&self, client: u32, row: u64, rows: u32) -> Vec<Action> {
        let cells = &self.client_cells[client as usize];
        let layout = &self.tables[cells.table];
        let spec = self.scenario.workloads[client as usize]
            .scan
            .expect("a workload that scans has scan settings");
        let caching = spec.caching.unwrap_or(self.config.reads.scanner_caching);
        let row_bytes = cells.row_bytes(self.clients[client as usize].value_bytes_mean());
        let by_size = self
            .config
            .reads
            .scanner_max_result_bytes
            .div_ceil(row_bytes.max(1));
        let per_rpc = u64::from(caching).min(by_size).max(1);
        let end = (row + u64::from(rows)).min(layout.row_count);
        let mut actions = Vec::new();
        let mut cursor = row;
        while cursor < end {
            let after = layout
                .region_map
                .partition_point(|&(start, _)| start <= cursor);
            let region_end = layout
                .region_map
                .get(after)
                .map_or(u64::MAX, |&(start, _)| start);
            let chunk = per_rpc.min(end - cursor).min(region_end - cursor);
            actions.push(Action::new(Mutation::Put, cursor, chunk as u32, 0));
            cursor += chunk;
        }
        if actions.is_empty() {
            // A scan starting past the table's last row: one RPC that finds nothing.
            actions.push(Action::new(Mutation::Put, end.saturating_sub(1), 1, 0));
        }
        actions
    }

    /// Moves a read call forward until it waits or answers.
    pub(super) fn advance_read(&mut self, call: CallId) {
        loop {
            let stage = self.read_call(call).stage;
            match stage {
                Stage::Plan => {
                    let state = self.calls.get(call);
                    let position = self.read_call(call).position;
                    if position == state.actions.len() {
                        self.read_call_mut(call).stage = Stage::Finish;
                        continue;
                    }
                    let index = state.actions[position] as usize;
                    let action = self.requests.get(state.request).actions[index];
                    if self.regions[action.region as usize].state != RegionState::Open {
                        self.stats.not_serving_region += 1;
                        self.calls.get_mut(call).results[position] =
                            Outcome::Failed(ServerError::NotServingRegion);
                        self.read_call_mut(call).position += 1;
                        continue;
                    }
                    self.plan_read(call, action);
                    self.read_call_mut(call).stage = Stage::Blocks;
                }
                Stage::Blocks => {
                    let read = self.read_call(call);
                    if read.next == read.accesses.len() {
                        let position = read.position;
                        self.calls.get_mut(call).results[position] = Outcome::Success;
                        let read = self.read_call_mut(call);
                        read.position += 1;
                        read.stage = Stage::Plan;
                        continue;
                    }
                    let access = read.accesses[read.next];
                    self.read_call_mut(call).next += 1;
                    let key = BlockKey {
                        file: access.file,
                        offset: access.block.offset,
                    };
                    let seek = self.scenario.io.block_seek_cpu;
                    if self.reads_mut().cache.get(key) {
                        self.read_call_mut(call).cpu += seek;
                        continue;
                    }
                    self.stats.reads.hdfs_blocks += 1;
                    self.stats.reads.hdfs_bytes += access.block.bytes;
                    let latency = self.reads_mut().hdfs_latency.sample();
                    let has_cpu = self.devices.has_cpu();
                    let read = self.read_call_mut(call);
                    read.stage = Stage::Latency;
                    // With the cores modelled the CPU waits for the end; otherwise it is time
                    // the handler spends before this read.
                    let wait = if has_cpu {
                        latency
                    } else {
                        std::mem::take(&mut read.cpu) + latency
                    };
                    self.queue
                        .schedule_in(wait, Event::BlockReadLatency { call });
                    return;
                }
                Stage::Latency => {
                    let read = self.read_call_mut(call);
                    read.stage = Stage::Transfer;
                    let bytes = read.accesses[read.next - 1].block.bytes;
                    let now = self.now();
                    self.devices.start(
                        Device::Read,
                        now,
                        bytes,
                        None,
                        TransferOwner::BlockRead(call),
                    );
                    self.schedule_write_done(Device::Read);
                    return;
                }
                Stage::Transfer => {
                    let read = self.read_call(call);
                    let access = read.accesses[read.next - 1];
                    if access.cache {
                        let key = BlockKey {
                            file: access.file,
                            offset: access.block.offset,
                        };
                        self.reads_mut()
                            .cache
                            .cache(key, access.block.bytes, access.in_memory);
                    }
                    let seek = self.scenario.io.block_seek_cpu;
                    let read = self.read_call_mut(call);
                    read.cpu += seek + access.decode;
                    read.stage = Stage::Blocks;
                }
                Stage::Finish => {
                    let read = self.read_call_mut(call);
                    read.stage = Stage::Respond;
                    let cpu = std::mem::take(&mut read.cpu);
                    if cpu.is_zero() {
                        continue;
                    }
                    self.spend_handler_cpu(call, cpu);
                    return;
                }
                Stage::Respond => {
                    self.respond(call);
                    return;
                }
            }
        }
    }

    fn read_call(&self, call: CallId) -> &ReadCall {
        self.calls
            .get(call)
            .read
            .as_deref()
            .expect("a read call has its read state")
    }

    fn read_call_mut(&mut self, call: CallId) -> &mut ReadCall {
        self.calls
            .get_mut(call)
            .read
            .as_deref_mut()
            .expect("a read call has its read state")
    }

    fn reads_mut(&mut self) -> &mut Reads {
        self.reads
            .as_deref_mut()
            .expect("a server with readers has a block cache")
    }

    /// A family's ROW bloom filter as its files are written: chunk size and error rate (`None`
    /// for NONE, and for ROWCOL, which no whole-row read uses).
    fn bloom_settings(&self, bloom: BloomType) -> Option<(u64, f64)> {
        (bloom == BloomType::Row).then_some((
            self.config.reads.bloom_chunk_bytes,
            self.config.reads.bloom_error_rate,
        ))
    }

    /// The blocks one action (a row, or a scan RPC's rows) asks for, store by store, with the
    /// CPU its rows cost; and the read point's check.
    fn plan_read(&mut self, call: CallId, action: Action) {
        let request = self.requests.get(self.calls.get(call).request);
        let (client, kind) = (request.client as usize, request.kind);
        let scan = kind == OpKind::Scan;
        let cache_data = self.config.reads.cache_data_on_read
            && self.scenario.workloads[client]
                .scan
                .is_none_or(|spec| !scan || spec.cache_blocks);
        let region = &self.regions[action.region as usize];
        let first = action.row.max(region.start_row);
        let last = (action.row + u64::from(action.rows) - 1)
            .min(region.end_row.saturating_sub(1))
            .max(first);
        let rows = last - first + 1;
        // Read-your-writes: the read point is at or past every write answered as done, and
        // short of every write still under way.
        let read_point = region.mvcc.read_point();
        if read_point < region.acknowledged_sequence_id {
            self.stats.reads.stale_reads += 1;
        }
        if region
            .mvcc
            .first_outstanding()
            .is_some_and(|oldest| read_point >= oldest)
        {
            self.stats.reads.dirty_reads += 1;
        }
        let cells = &self.client_cells[client];
        let table = &self.scenario.tables[cells.table];
        let naming = self.tables[cells.table].row_naming();
        let bloom = self.bloom_settings(table.bloom);
        let get_bloom = bloom.is_some() && !scan;
        let error_rate = self.config.reads.bloom_error_rate;
        let codec = table.codec;
        let in_memory = table.in_memory;
        let reads = self
            .reads
            .as_deref_mut()
            .expect("a server with readers has a block cache");
        let read = self
            .calls
            .get_mut(call)
            .read
            .as_deref_mut()
            .expect("a read call has its read state");
        read.accesses.clear();
        read.next = 0;
        read.cpu += self.scenario.io.row_read_cpu * (rows * cells.families.len() as u64);
        let stats = &mut self.stats.reads;
        let mut consulted = 0u64;
        let mut blocks = Vec::new();
        for &family in &cells.families {
            for file in &self.regions[action.region as usize].stores[family].files {
                let geometry = reads
                    .geometry
                    .entry(file.id)
                    .or_insert_with(|| FileGeometry::of(file, naming, bloom));
                if !geometry.overlaps(first, last) {
                    continue;
                }
                if get_bloom {
                    stats.bloom_blocks += 1;
                    read.accesses.push(Access {
                        file: file.id,
                        block: geometry.bloom_chunk(first),
                        cache: true,
                        in_memory,
                        decode: SimDuration::ZERO,
                    });
                    if !geometry.bloom_admits(file.id, first, error_rate) {
                        stats.bloom_skips += 1;
                        continue;
                    }
                    if !geometry.holds(file.id, first) {
                        stats.bloom_false_positives += 1;
                    }
                }
                consulted += 1;
                blocks.clear();
                geometry.blocks_for(first, last, &mut blocks);
                let decode = read_work(
                    &codec,
                    &self.scenario.cpu.codecs,
                    geometry.cells_per_block(),
                    (blocks.first().map_or(0, |block| block.bytes) as f64 * codec.ratio) as u64,
                );
                for &block in &blocks {
                    let data = block.kind == BlockKind::Data;
                    if data {
                        stats.data_blocks += 1;
                        if !scan {
                            stats.get_data_blocks += 1;
                        }
                    } else {
                        stats.index_blocks += 1;
                    }
                    read.accesses.push(Access {
                        file: file.id,
                        block,
                        cache: !data || cache_data,
                        in_memory,
                        decode: if data { decode } else { SimDuration::ZERO },
                    });
                }
            }
        }
        if scan {
            stats.scan_rpcs += 1;
            stats.scan_rows += rows;
        } else {
            stats.gets += 1;
            stats.files_consulted += consulted;
            stats.files_per_get[(consulted as usize).min(FILES_PER_GET_SLOTS - 1)] += 1;
        }
    }

    /// The process died: its block cache goes with it (a new process starts empty), and the
    /// discharger's list with its chore.
    pub(super) fn empty_the_block_cache(&mut self) {
        if let Some(reads) = self.reads.as_deref_mut() {
            reads.cache = LruBlockCache::new(self.config.reads.cache);
            reads.compacted_away.clear();
        }
    }

    /// A store file is gone from its store after a compaction: its blocks stay cached until the
    /// discharger archives it.
    pub(super) fn file_compacted_away(&mut self, file: u64) {
        if let Some(reads) = self.reads.as_deref_mut() {
            reads.compacted_away.push(file);
        }
    }

    /// The CompactedHFilesDischarger chore: compacted-away files are archived and their blocks
    /// evicted; it runs again an interval later.
    pub(super) fn on_discharger(&mut self) {
        let interval = self.config.reads.discharger_interval;
        let Some(reads) = self.reads.as_deref_mut() else {
            return;
        };
        for file in std::mem::take(&mut reads.compacted_away) {
            let blocks = reads.cache.evict_file(file);
            reads.geometry.remove(&file);
            self.stats.reads.files_evicted += 1;
            self.stats.reads.blocks_evicted_with_files += blocks as u64;
        }
        self.queue
            .schedule_in(interval, Event::CompactedFilesDischarger);
    }

    /// A region closes (moved, split, merged): with `hbase.rs.evictblocksonclose` its files'
    /// blocks go (HStore.close's evictOnClose).
    pub(super) fn region_files_closed(&mut self, region: RegionId) {
        let Some(reads) = self.reads.as_deref_mut() else {
            return;
        };
        let evict = self.config.reads.evict_on_close;
        for store in &self.regions[region as usize].stores {
            for file in &store.files {
                reads.geometry.remove(&file.id);
                if evict {
                    let blocks = reads.cache.evict_file(file.id);
                    self.stats.reads.files_evicted += 1;
                    self.stats.reads.blocks_evicted_with_files += blocks as u64;
                }
            }
        }
    }

    /// A flush (or, with `hbase.rs.cachecompactedblocksonwrite`, a compaction) wrote `file` in
    /// `region`'s store `family`: with cache-on-write its blocks enter the cache as written
    /// (HFileWriterImpl's doCacheOnWrite: data, leaf index and bloom blocks).
    pub(super) fn cache_on_write(&mut self, region: RegionId, family: usize, file: u64) {
        let table = &self.scenario.tables[self.regions[region as usize].table];
        let naming = self.tables[self.regions[region as usize].table].row_naming();
        let bloom = self.bloom_settings(table.bloom);
        let Some(reads) = self.reads.as_deref_mut() else {
            return;
        };
        let Some(written) = self.regions[region as usize].stores[family]
            .files
            .iter()
            .find(|candidate| candidate.id == file)
        else {
            return;
        };
        let geometry = reads
            .geometry
            .entry(file)
            .or_insert_with(|| FileGeometry::of(written, naming, bloom));
        let mut blocks = Vec::new();
        geometry.all_blocks(&mut blocks);
        self.stats.reads.cached_on_write += blocks.len() as u64;
        for block in blocks {
            reads.cache.cache(
                BlockKey {
                    file,
                    offset: block.offset,
                },
                block.bytes,
                table.in_memory,
            );
        }
    }
}
