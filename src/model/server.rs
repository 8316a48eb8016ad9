//! The RegionServer run: clients send mutations, the write path appends them to the WAL and
//! applies them to memstores, the MemStoreFlusher writes memstores out as store files — all
//! driven by one event queue in simulated time.
//!
//! The write path follows HRegion.batchMutate for a one-operation mini-batch, in the profile's
//! order (shared/reference/write-path-and-flush.md §1): reclaimMemStoreMemory first (a writer
//! blocks while the global memstore heap size is at or above the upper limit, and wakes the
//! flusher above the lower one); then the updates lock; a sequence id and timestamp; the WAL
//! append; in 1.4 the memstore write before the sync and the size counted after it, in 2.5 the
//! sync first and the memstore write after; the acknowledgement; and requestFlushIfNeeded.
//! Durability decides whether the writer waits for a sync (SYNC_WAL, FSYNC_WAL), appends without
//! waiting (ASYNC_WAL) or skips the WAL (SKIP_WAL).
//!
//! Not modelled yet (later work): RPC handlers and the call queue, checkResources and
//! RegionTooBusyException, client retries, the periodic flusher, blocking store files and
//! compactions, WAL files and rolling, faults and recovery.

use std::collections::{BTreeMap, VecDeque};

use thiserror::Error;

use super::cell::{Cell, CellType, MemSize};
use super::client::Client;
use super::config::ServerConfig;
use super::event::{Event, TraceRecord};
use super::flusher::{FlushReason, Flusher, FlusherWork, HandlerState};
use super::io::LatencySampler;
use super::region::{
    FlushId, OperationId, Region, RegionId, RegionView, StoreView, TableLayout,
    pick_region_for_global_pressure, select_stores_to_flush,
};
use super::stats::RunStats;
use super::store::hfile_bytes;
use super::wal::{WAL_CELL_FRAMING_BYTES, WAL_ENTRY_KEY_BYTES, Wal};
use crate::scenario::Scenario;
use crate::scenario::action::ActionKind;
use crate::scenario::profile::ProfileId;
use crate::scenario::workload::{Arrival, Durability, OpKind};
use crate::sim::{
    EventQueue, RandomStream, SharedBandwidth, SimDuration, SimTime, Slab, TraceHash, TransferId,
};

/// Most operations in flight at once before a run is stopped: an open-loop workload far above
/// what the server drains would otherwise grow without bound.
pub const OPERATIONS_IN_FLIGHT_MAX: usize = 20_000_000;

/// Why a run could not finish.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RunError {
    #[error(
        "more than {limit} operations were in flight at {at}: the server cannot keep up with the offered load (lower the rate or add capacity)"
    )]
    TooManyInFlight { limit: usize, at: SimTime },
}

/// One client request in flight.
#[derive(Debug, Clone)]
struct Operation {
    kind: OpKind,
    client: u32,
    /// The closed-loop slot, or `u32::MAX` for open loop.
    slot: u32,
    region: RegionId,
    row: u64,
    value_bytes: u32,
    durability: Durability,
    sequence_id: u64,
    timestamp_ms: u64,
    /// What the edit adds to the memstore, computed at the WAL append.
    edit: MemSize,
    /// When the request was due to be sent: latency is measured from here.
    due: SimTime,
    blocked_at: Option<SimTime>,
}

/// Who runs a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Executor {
    Handler(usize),
    /// An admin flush runs in the RPC handler that received it.
    Admin,
}

#[derive(Debug, Clone)]
struct FlushJob {
    region: RegionId,
    reason: FlushReason,
    executor: Executor,
    stores: Vec<usize>,
    started_at: SimTime,
}

/// Per-workload cell layout: which families it writes, the qualifier ranks of its columns, and
/// the key bytes of each (family, column) cell other than the value.
#[derive(Debug, Clone)]
struct ClientCells {
    families: Vec<usize>,
    qualifiers: Vec<u16>,
    /// [family position][column]: 20 + R + F + Q.
    key_bytes: Vec<Vec<u64>>,
    /// Per family: a DeleteFamily marker's bytes (no qualifier, no value).
    delete_bytes: Vec<u64>,
    durability: Durability,
}

/// What a finished run leaves for the report.
#[derive(Debug)]
pub struct RunOutcome {
    pub stats: RunStats,
    pub trace_hash: TraceHash,
    pub end: SimTime,
    pub global_upper_bytes: u64,
    pub global_lower_bytes: u64,
    /// Memstore data and heap still held at the end, summed over regions.
    pub memstore_at_end: MemSize,
    pub operations_in_flight_at_end: BTreeMap<OpKind, u64>,
    pub operations_in_flight_peak: usize,
    pub store_files: u64,
    pub store_file_bytes: u64,
    pub store_files_per_store_max: usize,
    pub wal: Wal,
    pub flush_queue_peak: u64,
    pub flush_queue_mean: f64,
    pub event_queue_peak: usize,
    pub flush_queue_enqueued: u64,
}

/// The simulation of one RegionServer.
pub struct RegionServer<'s> {
    scenario: &'s Scenario,
    config: ServerConfig,
    queue: EventQueue<Event>,
    trace: TraceHash,
    trace_sink: Option<&'s mut dyn FnMut(TraceRecord)>,
    tables: Vec<TableLayout>,
    regions: Vec<Region>,
    clients: Vec<Client>,
    client_cells: Vec<ClientCells>,
    operations: Slab<Operation>,
    flushes: Slab<FlushJob>,
    flusher: Flusher,
    wal: Wal,
    wal_sync_latency: LatencySampler,
    hdfs_write: SharedBandwidth,
    transfers: BTreeMap<TransferId, FlushId>,
    /// RegionServerAccounting: every region's memstore size.
    global: MemSize,
    blocked_writers: VecDeque<OperationId>,
    stats: RunStats,
    next_file_id: u64,
    end: SimTime,
}

impl std::fmt::Debug for RegionServer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionServer")
            .field("now", &self.queue.now())
            .field("regions", &self.regions.len())
            .finish_non_exhaustive()
    }
}

/// Builds each table's key layout from its workloads: one row width and one sorted set of
/// qualifier names per table (the scenario checks that a table's workloads agree on the width).
fn table_layouts(scenario: &Scenario, config: &ServerConfig) -> Vec<TableLayout> {
    let _ = config;
    let mut first_region = 0;
    scenario
        .tables
        .iter()
        .map(|table| {
            let workloads: Vec<_> = scenario
                .workloads
                .iter()
                .filter(|workload| workload.table == table.name)
                .collect();
            let row_count = workloads.iter().map(|w| w.keys.count).max().unwrap_or(1);
            let prefix_bytes = workloads.first().map_or(4, |w| w.keys.prefix.len()) as u32;
            let columns = workloads.iter().map(|w| w.columns).max().unwrap_or(0);
            let mut qualifiers: Vec<String> = (0..columns).map(|c| format!("field{c}")).collect();
            qualifiers.sort();
            let mut qualifier_bytes = vec![0u32];
            qualifier_bytes.extend(qualifiers.iter().map(|name| name.len() as u32));
            let layout = TableLayout {
                name: table.name.clone(),
                row_bytes: prefix_bytes + row_digits(row_count),
                row_count,
                family_bytes: table.families.iter().map(|f| f.len() as u32).collect(),
                qualifier_bytes,
                first_region,
                regions: table.regions,
                flush_size_bytes: scenario.flush_size_of(table),
            };
            first_region += table.regions;
            layout
        })
        .collect()
}

/// Decimal digits of the largest row index, the zero-padded width of row names.
pub fn row_digits(row_count: u64) -> u32 {
    let largest = row_count.saturating_sub(1);
    if largest == 0 {
        1
    } else {
        largest.ilog10() + 1
    }
}

/// The qualifier rank of column `column` among a table's sorted names "field0", "field1", ….
fn qualifier_rank(columns_in_table: u32, column: u32) -> u16 {
    let mut names: Vec<String> = (0..columns_in_table).map(|c| format!("field{c}")).collect();
    names.sort();
    let name = format!("field{column}");
    1 + names
        .iter()
        .position(|n| *n == name)
        .expect("column within the table's columns") as u16
}

impl<'s> RegionServer<'s> {
    pub fn new(scenario: &'s Scenario) -> RegionServer<'s> {
        let config = ServerConfig::new(scenario);
        let end = SimTime::ZERO + scenario.duration;
        let tables = table_layouts(scenario, &config);
        let mut regions = Vec::new();
        for (table_index, (table, layout)) in scenario.tables.iter().zip(&tables).enumerate() {
            for index in 0..table.regions {
                regions.push(Region::new(
                    layout.first_region + index,
                    table_index,
                    index,
                    &table.families,
                    layout.flush_size_bytes,
                    SimTime::ZERO,
                ));
            }
        }
        let mut clients = Vec::new();
        let mut client_cells = Vec::new();
        for workload in &scenario.workloads {
            let table_index = scenario
                .tables
                .iter()
                .position(|table| table.name == workload.table)
                .expect("the scenario checked that the table exists");
            let table = &scenario.tables[table_index];
            let layout = &tables[table_index];
            let families: Vec<usize> = match &workload.families {
                Some(names) => names
                    .iter()
                    .map(|name| {
                        table
                            .families
                            .iter()
                            .position(|f| f == name)
                            .expect("checked family")
                    })
                    .collect(),
                None => (0..table.families.len()).collect(),
            };
            let columns_in_table = (layout.qualifier_bytes.len() - 1) as u32;
            let qualifiers: Vec<u16> = (0..workload.columns)
                .map(|column| qualifier_rank(columns_in_table, column))
                .collect();
            let key_bytes = families
                .iter()
                .map(|&family| {
                    qualifiers
                        .iter()
                        .map(|&qualifier| {
                            super::cell::data_bytes(layout.shape(family, qualifier), 0)
                        })
                        .collect()
                })
                .collect();
            let delete_bytes = families
                .iter()
                .map(|&family| super::cell::data_bytes(layout.shape(family, 0), 0))
                .collect();
            let durability = match (workload.durability, table.durability) {
                (Durability::UseDefault, Durability::UseDefault) => config.default_durability,
                (Durability::UseDefault, table_durability) => table_durability,
                (own, _) => own,
            };
            clients.push(Client::new(workload, table_index, scenario.seed, end));
            client_cells.push(ClientCells {
                families,
                qualifiers,
                key_bytes,
                delete_bytes,
                durability,
            });
        }
        let flusher = Flusher::new(config.flusher_count, regions.len());
        RegionServer {
            scenario,
            wal_sync_latency: LatencySampler::new(
                &scenario.io.wal_sync_latency,
                RandomStream::new(scenario.seed, "wal.sync_latency"),
            ),
            hdfs_write: SharedBandwidth::new(scenario.io.hdfs_write_bandwidth),
            config,
            queue: EventQueue::new(),
            trace: TraceHash::default(),
            trace_sink: None,
            tables,
            regions,
            clients,
            client_cells,
            operations: Slab::default(),
            flushes: Slab::default(),
            flusher,
            wal: Wal::default(),
            transfers: BTreeMap::new(),
            global: MemSize::default(),
            blocked_writers: VecDeque::new(),
            stats: RunStats::default(),
            next_file_id: 0,
            end,
        }
    }

    /// Sends every processed event to `sink` (for `--trace`).
    pub fn with_trace_sink(mut self, sink: &'s mut dyn FnMut(TraceRecord)) -> Self {
        self.trace_sink = Some(sink);
        self
    }

    fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Runs to the end of the scenario's duration.
    pub fn run(mut self) -> Result<RunOutcome, RunError> {
        self.schedule_start();
        while let Some((time, event)) = self.queue.pop() {
            let (kind, ids) = event.trace_fields();
            self.trace.fold_event(time.as_nanos(), kind, ids);
            if let Some(sink) = self.trace_sink.as_mut() {
                sink(TraceRecord {
                    time_nanos: time.as_nanos(),
                    event,
                });
            }
            match event {
                Event::OpenArrival { client } => self.on_open_arrival(client),
                Event::ClosedSend { client, slot } => self.send(client, slot),
                Event::WalSyncDone { sync } => self.on_wal_sync_done(sync),
                Event::HdfsWriteDone { generation } => self.on_hdfs_write_done(generation),
                Event::FlusherPoll {
                    handler,
                    generation,
                } => self.on_flusher_poll(handler as usize, generation),
                Event::FlusherWake { handler } => self.on_flusher_wake(handler as usize),
                Event::Action { index } => self.on_action(index as usize),
                Event::End => break,
            }
            if self.operations.len() > OPERATIONS_IN_FLIGHT_MAX {
                return Err(RunError::TooManyInFlight {
                    limit: OPERATIONS_IN_FLIGHT_MAX,
                    at: self.now(),
                });
            }
        }
        Ok(self.finish())
    }

    fn schedule_start(&mut self) {
        for index in 0..self.clients.len() {
            let client = &mut self.clients[index];
            match client.arrival {
                Arrival::Open { .. } => {
                    let first = client.first_open_arrival();
                    if first < client.end {
                        self.queue.schedule_at(
                            first,
                            Event::OpenArrival {
                                client: index as u32,
                            },
                        );
                    }
                }
                Arrival::Closed { clients, .. } => {
                    if client.start < client.end {
                        for slot in 0..clients {
                            self.queue.schedule_at(
                                client.start,
                                Event::ClosedSend {
                                    client: index as u32,
                                    slot,
                                },
                            );
                        }
                    }
                }
            }
        }
        for (index, action) in self.scenario.actions.iter().enumerate() {
            self.queue.schedule_at(
                SimTime::ZERO + action.at,
                Event::Action {
                    index: index as u32,
                },
            );
        }
        for handler in 0..self.flusher.handlers.len() {
            self.handler_idle(handler);
        }
        self.queue.schedule_at(self.end, Event::End);
    }

    // ---- clients ------------------------------------------------------------------------

    fn on_open_arrival(&mut self, client: u32) {
        self.send(client, u32::MAX);
        let now = self.now();
        let next = self.clients[client as usize].next_open_arrival(now);
        if next < self.clients[client as usize].end {
            self.queue.schedule_at(next, Event::OpenArrival { client });
        }
    }

    /// A client sends one request (`slot` is the closed-loop client, or `u32::MAX`).
    fn send(&mut self, client: u32, slot: u32) {
        let now = self.now();
        let draw = self.clients[client as usize].draw();
        let table = self.clients[client as usize].table;
        let region = self.tables[table].region_of(draw.row);
        let operation = Operation {
            kind: draw.kind,
            client,
            slot,
            region,
            row: draw.row,
            value_bytes: draw.value_bytes,
            durability: self.client_cells[client as usize].durability,
            sequence_id: 0,
            timestamp_ms: 0,
            edit: MemSize::default(),
            due: now,
            blocked_at: None,
        };
        self.stats
            .operations
            .entry(draw.kind)
            .or_default()
            .attempted += 1;
        let id = self.operations.insert(operation);
        self.stats.in_flight.set(now, self.operations.len() as u64);
        self.reclaim_memstore_memory(id);
    }

    /// The client got its answer: record the latency, and a closed-loop client thinks and
    /// sends again.
    fn complete_operation(&mut self, id: OperationId) {
        let now = self.now();
        let operation = self.operations.remove(id);
        self.stats.in_flight.set(now, self.operations.len() as u64);
        let stats = self.stats.operations.entry(operation.kind).or_default();
        stats.succeeded += 1;
        stats.latency.record(now - operation.due);
        if self.regions[operation.region as usize].is_above_flush_size() {
            self.request_flush(operation.region, FlushReason::MemstoreSize);
        }
        if let Arrival::Closed { think, .. } = self.clients[operation.client as usize].arrival {
            let next = now + think;
            if next < self.clients[operation.client as usize].end {
                self.queue.schedule_at(
                    next,
                    Event::ClosedSend {
                        client: operation.client,
                        slot: operation.slot,
                    },
                );
            }
        }
    }

    // ---- the write path -----------------------------------------------------------------

    /// MemStoreFlusher.reclaimMemStoreMemory, run by the RPC handler before batchMutate.
    fn reclaim_memstore_memory(&mut self, id: OperationId) {
        if self.global.heap >= self.config.global_upper_bytes {
            let now = self.now();
            self.operations.get_mut(id).blocked_at = Some(now);
            self.blocked_writers.push_back(id);
            self.stats.blocked.writers_blocked += 1;
            self.stats
                .blocked
                .writers
                .set(now, self.blocked_writers.len() as u64);
            self.flusher.post_wakeup();
            self.dispatch_flusher();
            return;
        }
        if self.global.heap >= self.config.global_lower_bytes {
            self.flusher.post_wakeup();
            self.dispatch_flusher();
        }
        self.batch_mutate(id);
    }

    /// wakeUpIfBlocking: blocked writers re-check the upper limit; each that finds the global
    /// size below it goes on.
    fn release_blocked_writers(&mut self) {
        let now = self.now();
        while !self.blocked_writers.is_empty() && self.global.heap < self.config.global_upper_bytes
        {
            let id = self.blocked_writers.pop_front().expect("checked non-empty");
            let blocked_at = self
                .operations
                .get_mut(id)
                .blocked_at
                .take()
                .expect("a blocked writer records when it blocked");
            self.stats.blocked.writer_nanos += u128::from((now - blocked_at).as_nanos());
            self.stats
                .blocked
                .writers
                .set(now, self.blocked_writers.len() as u64);
            self.batch_mutate(id);
        }
    }

    /// HRegion.batchMutate for a one-operation mini-batch.
    fn batch_mutate(&mut self, id: OperationId) {
        let now = self.now();
        let region_id = self.operations.get(id).region;
        let region = &mut self.regions[region_id as usize];
        if region.flush_waiting_for_lock.is_some() {
            // A flush holds (or waits for) the updates lock's write side.
            region.lock_waiters.push_back(id);
            return;
        }
        let sequence_id = region.next_sequence_id();
        let edit = self.edit_size(id);
        let operation = self.operations.get_mut(id);
        operation.sequence_id = sequence_id;
        operation.timestamp_ms = now.as_millis();
        operation.edit = edit;
        let durability = operation.durability;
        let wal_bytes = WAL_ENTRY_KEY_BYTES + edit.data + edit.cells * WAL_CELL_FRAMING_BYTES;
        match durability {
            Durability::SkipWal => {
                self.insert_cells(id);
                self.add_to_memstore_size(region_id, edit);
                self.complete_operation(id);
            }
            Durability::AsyncWal => {
                self.wal.append(wal_bytes, None);
                self.insert_cells(id);
                self.add_to_memstore_size(region_id, edit);
                self.maybe_start_wal_sync();
                self.complete_operation(id);
            }
            Durability::SyncWal | Durability::FsyncWal => {
                self.regions[region_id as usize].writes_in_flight += 1;
                self.wal.append(wal_bytes, Some(id));
                if self.config.profile == ProfileId::Hbase14 {
                    // 1.4: the memstore is written before the sync (and rolled back if it fails);
                    // the size counters go up only after it.
                    self.insert_cells(id);
                }
                self.maybe_start_wal_sync();
            }
            Durability::UseDefault => {
                unreachable!("durability is resolved when the client is built")
            }
        }
    }

    /// The writer's sync completed: apply the edit, release the lock, acknowledge.
    fn finish_synced_write(&mut self, id: OperationId) {
        let operation = self.operations.get(id);
        let region_id = operation.region;
        let edit = operation.edit;
        if self.config.profile == ProfileId::Hbase25 {
            self.insert_cells(id);
        }
        self.add_to_memstore_size(region_id, edit);
        let region = &mut self.regions[region_id as usize];
        region.writes_in_flight -= 1;
        if region.writes_in_flight == 0
            && let Some(flush) = region.flush_waiting_for_lock
        {
            self.take_snapshot(flush);
        }
        self.complete_operation(id);
    }

    /// The edit's cells: every column of every family written, or a DeleteFamily marker per
    /// family for a delete.
    fn edit_size(&self, id: OperationId) -> MemSize {
        let operation = self.operations.get(id);
        let cells = &self.client_cells[operation.client as usize];
        let mut size = MemSize::default();
        for position in 0..cells.families.len() {
            match operation.kind {
                OpKind::Delete => size.add(MemSize::of_cell(cells.delete_bytes[position])),
                _ => {
                    for key_bytes in &cells.key_bytes[position] {
                        size.add(MemSize::of_cell(
                            key_bytes + u64::from(operation.value_bytes),
                        ));
                    }
                }
            }
        }
        size
    }

    /// Writes the edit's cells into the memstores. The bytes are counted here, as cells enter
    /// the memstore, independently of the size counters (so that byte conservation is a check).
    fn insert_cells(&mut self, id: OperationId) {
        let now = self.now();
        let operation = self.operations.get(id);
        let cells = &self.client_cells[operation.client as usize];
        let region = &mut self.regions[operation.region as usize];
        let mut inserted = MemSize::default();
        for (position, &family) in cells.families.iter().enumerate() {
            let memstore = &mut region.stores[family].memstore;
            match operation.kind {
                OpKind::Delete => {
                    let cell = Cell {
                        row: operation.row,
                        timestamp_ms: operation.timestamp_ms,
                        sequence_id: operation.sequence_id,
                        qualifier: 0,
                        cell_type: CellType::DeleteFamily,
                        value_bytes: 0,
                    };
                    inserted.add(memstore.add(cell, cells.delete_bytes[position], now));
                }
                _ => {
                    for (column, &qualifier) in cells.qualifiers.iter().enumerate() {
                        let cell = Cell {
                            row: operation.row,
                            timestamp_ms: operation.timestamp_ms,
                            sequence_id: operation.sequence_id,
                            qualifier,
                            cell_type: CellType::Put,
                            value_bytes: operation.value_bytes,
                        };
                        let bytes =
                            cells.key_bytes[position][column] + u64::from(operation.value_bytes);
                        inserted.add(memstore.add(cell, bytes, now));
                    }
                }
            }
        }
        let memstore = &mut self.stats.memstore;
        memstore.data_bytes_added += inserted.data;
        memstore.heap_bytes_added += inserted.heap;
        memstore.cells_added += inserted.cells;
    }

    /// Raises the region's and the server's memstore size counters together.
    fn add_to_memstore_size(&mut self, region: RegionId, edit: MemSize) {
        self.regions[region as usize].size.add(edit);
        self.global.add(edit);
        let memstore = &mut self.stats.memstore;
        memstore.global_heap_peak = memstore.global_heap_peak.max(self.global.heap);
    }

    // ---- the WAL ------------------------------------------------------------------------

    fn maybe_start_wal_sync(&mut self) {
        if !self.wal.wants_sync(self.config.wal_batch_bytes) {
            return;
        }
        let sync = self.wal.start_sync();
        let latency = self.wal_sync_latency.sample();
        self.queue.schedule_in(latency, Event::WalSyncDone { sync });
    }

    fn on_wal_sync_done(&mut self, sync: u64) {
        for id in self.wal.complete_sync(sync) {
            self.finish_synced_write(id);
        }
        self.maybe_start_wal_sync();
    }

    // ---- flushing -----------------------------------------------------------------------

    /// HRegion.requestFlush: deduplicated by the region's flushRequested flag.
    fn request_flush(&mut self, region: RegionId, reason: FlushReason) {
        let now = self.now();
        let state = &mut self.regions[region as usize];
        if state.flush_requested {
            self.stats.flushes.requests_deduplicated += 1;
            return;
        }
        state.flush_requested = true;
        self.flusher.enqueue(region, reason, now);
        self.dispatch_flusher();
    }

    /// Idle handlers take work until there is none or no handler is idle.
    fn dispatch_flusher(&mut self) {
        while let Some(handler) = self.flusher.idle_handler() {
            let now = self.now();
            let Some(work) = self.flusher.take_work(now) else {
                break;
            };
            match work {
                FlusherWork::GlobalPressureCheck => self.flush_one_for_global_pressure(handler),
                FlusherWork::Region(request) => {
                    if !self.start_flush(request.region, request.reason, Executor::Handler(handler))
                    {
                        self.handler_idle(handler);
                    }
                }
            }
        }
    }

    /// A handler polls again, with a fresh timeout.
    fn handler_idle(&mut self, handler: usize) {
        let generation = self.flusher.new_poll_generation();
        self.flusher.handlers[handler] = HandlerState::Idle {
            poll_generation: generation,
        };
        self.queue.schedule_in(
            self.config.flusher_poll_timeout,
            Event::FlusherPoll {
                handler: handler as u32,
                generation,
            },
        );
    }

    fn on_flusher_poll(&mut self, handler: usize, generation: u64) {
        if self.flusher.handlers[handler]
            != (HandlerState::Idle {
                poll_generation: generation,
            })
        {
            return;
        }
        self.flusher.clear_wakeup();
        self.flush_one_for_global_pressure(handler);
        self.dispatch_flusher();
    }

    fn on_flusher_wake(&mut self, handler: usize) {
        self.release_blocked_writers();
        self.flusher.post_wakeup();
        self.handler_idle(handler);
        self.dispatch_flusher();
    }

    /// The handler's global-pressure check: below the lower limit nothing happens; above it the
    /// handler flushes the region HBase would pick, or sleeps a second if none can be flushed.
    fn flush_one_for_global_pressure(&mut self, handler: usize) {
        if self.global.heap < self.config.global_lower_bytes {
            self.handler_idle(handler);
            return;
        }
        let views: Vec<RegionView> = self
            .regions
            .iter()
            .map(|region| RegionView {
                id: region.id,
                heap_bytes: region.size.heap,
                flushing: region.flushing,
                too_many_store_files: false,
            })
            .collect();
        match pick_region_for_global_pressure(&views) {
            Some(region) => {
                let now = self.now();
                self.flusher.remove(region, now);
                if !self.start_flush(
                    region,
                    FlushReason::GlobalPressure,
                    Executor::Handler(handler),
                ) {
                    // HBase counts CANNOT_FLUSH as done and wakes itself again at once, which
                    // would spin here; it is treated as "nothing flushable" instead.
                    self.handler_sleeps(handler);
                }
            }
            None => self.handler_sleeps(handler),
        }
    }

    /// Nothing could be flushed under pressure: HBase's handler sleeps a second.
    fn handler_sleeps(&mut self, handler: usize) {
        self.flusher.handlers[handler] = HandlerState::Sleeping;
        self.queue.schedule_in(
            SimDuration::from_secs(1),
            Event::FlusherWake {
                handler: handler as u32,
            },
        );
    }

    /// HRegion.flushcache up to the snapshot: returns false when the region is already flushing
    /// or has nothing to flush (CANNOT_FLUSH).
    fn start_flush(
        &mut self,
        region_id: RegionId,
        reason: FlushReason,
        executor: Executor,
    ) -> bool {
        let now = self.now();
        let region = &mut self.regions[region_id as usize];
        if region.flushing {
            self.stats.flushes.skipped += 1;
            return false;
        }
        if region.size.data == 0 {
            // CANNOT_FLUSH_MEMSTORE_EMPTY, after which flushcache's finally clears the flag.
            region.flush_requested = false;
            self.stats.flushes.skipped += 1;
            return false;
        }
        region.flushing = true;
        let stores = if reason == FlushReason::Admin {
            (0..region.stores.len()).collect()
        } else {
            let views: Vec<StoreView> = region
                .stores
                .iter()
                .map(|store| {
                    let size = store.memstore.size();
                    StoreView {
                        heap_bytes: size.heap,
                        data_bytes: size.data,
                        oldest_edit_at: store.memstore.oldest_edit_at(),
                        sequence_id_unflushed_min: store.memstore.sequence_id_unflushed_min(),
                    }
                })
                .collect();
            select_stores_to_flush(
                &self.config,
                region.flush_size_bytes,
                &views,
                region.sequence_id,
                now,
            )
        };
        let waits_for_lock = region.writes_in_flight > 0;
        let flush = self.flushes.insert(FlushJob {
            region: region_id,
            reason,
            executor,
            stores,
            started_at: now,
        });
        if let Executor::Handler(handler) = executor {
            self.flusher.handlers[handler] = HandlerState::Flushing(flush);
        }
        if waits_for_lock {
            self.regions[region_id as usize].flush_waiting_for_lock = Some(flush);
        } else {
            self.take_snapshot(flush);
        }
        true
    }

    /// Under the updates lock's write side: snapshot the chosen stores, release the lock (the
    /// writers queued behind it go on), and start writing the HFiles.
    fn take_snapshot(&mut self, flush: FlushId) {
        let now = self.now();
        let job = self.flushes.get(flush).clone();
        self.stats
            .flushes
            .snapshot_wait
            .record(now - job.started_at);
        let region = &mut self.regions[job.region as usize];
        region.flush_waiting_for_lock = None;
        let mut file_bytes = 0;
        for &store in &job.stores {
            let memstore = &mut region.stores[store].memstore;
            let snapshot = memstore.snapshot();
            if let Some(segment) = memstore.snapshot_segment()
                && !segment.is_empty()
            {
                file_bytes += hfile_bytes(snapshot.data, segment.cells());
            }
        }
        let transfer = self.hdfs_write.start(now, file_bytes);
        self.transfers.insert(transfer, flush);
        self.schedule_hdfs_write_done();
        let waiters = std::mem::take(&mut self.regions[job.region as usize].lock_waiters);
        for id in waiters {
            self.batch_mutate(id);
        }
    }

    fn schedule_hdfs_write_done(&mut self) {
        if let Some(at) = self.hdfs_write.next_completion() {
            let generation = self.hdfs_write.generation();
            self.queue
                .schedule_at(at, Event::HdfsWriteDone { generation });
        }
    }

    fn on_hdfs_write_done(&mut self, generation: u64) {
        if generation != self.hdfs_write.generation() {
            return;
        }
        let now = self.now();
        for transfer in self.hdfs_write.take_finished(now) {
            let flush = self
                .transfers
                .remove(&transfer)
                .expect("every HDFS write belongs to a flush");
            self.commit_flush(flush);
        }
        self.schedule_hdfs_write_done();
    }

    /// The HFiles are written: commit them, drop the snapshots, lower the size counters, and
    /// wake whoever waits on memory.
    fn commit_flush(&mut self, flush: FlushId) {
        let now = self.now();
        let job = self.flushes.remove(flush);
        let region = &mut self.regions[job.region as usize];
        let mut released = MemSize::default();
        let mut file_bytes = 0;
        for &store_index in &job.stores {
            let store = &mut region.stores[store_index];
            let segment = store.memstore.clear_snapshot();
            store.last_flush_at = job.started_at;
            if segment.is_empty() {
                continue;
            }
            released.add(segment.size());
            let file = store.commit_flush(&segment, self.next_file_id, now);
            self.next_file_id += 1;
            region.flushed_sequence_id = region.flushed_sequence_id.max(file.sequence_id_max);
            file_bytes += file.size_bytes;
        }
        region.size.subtract(released);
        region.flushing = false;
        region.flush_requested = false;
        self.global.subtract(released);
        let stats = &mut self.stats.flushes;
        stats.count += 1;
        stats.data_bytes += released.data;
        stats.heap_bytes += released.heap;
        stats.file_bytes += file_bytes;
        *stats.by_reason.entry(job.reason).or_default() += 1;
        stats.duration.record(now - job.started_at);
        if let Executor::Handler(handler) = job.executor {
            self.handler_idle(handler);
            if job.reason == FlushReason::GlobalPressure {
                self.flusher.post_wakeup();
            }
        }
        self.release_blocked_writers();
        self.dispatch_flusher();
    }

    // ---- operator actions ---------------------------------------------------------------

    fn on_action(&mut self, index: usize) {
        let action = &self.scenario.actions[index];
        match action.kind {
            ActionKind::AdminFlush => {
                let table = self
                    .tables
                    .iter()
                    .find(|table| table.name == action.table)
                    .expect("the scenario checked the action's table");
                let regions: Vec<RegionId> = match action.region {
                    Some(region) => vec![table.first_region + region],
                    None => (table.first_region..table.first_region + table.regions).collect(),
                };
                for region in regions {
                    self.start_flush(region, FlushReason::Admin, Executor::Admin);
                }
            }
        }
    }

    // ---- the end ------------------------------------------------------------------------

    fn finish(self) -> RunOutcome {
        let mut memstore_at_end = MemSize::default();
        let mut store_files = 0;
        let mut store_file_bytes = 0;
        let mut store_files_per_store_max = 0;
        for region in &self.regions {
            for store in &region.stores {
                memstore_at_end.add(store.memstore.size());
                store_files += store.files.len() as u64;
                store_file_bytes += store.files.iter().map(|file| file.size_bytes).sum::<u64>();
                store_files_per_store_max = store_files_per_store_max.max(store.files.len());
            }
        }
        let mut operations_in_flight_at_end = BTreeMap::new();
        for (kind, stats) in &self.stats.operations {
            let failed: u64 = stats.failed.values().sum();
            operations_in_flight_at_end.insert(*kind, stats.attempted - stats.succeeded - failed);
        }
        let end = self.end;
        RunOutcome {
            trace_hash: self.trace,
            end,
            global_upper_bytes: self.config.global_upper_bytes,
            global_lower_bytes: self.config.global_lower_bytes,
            memstore_at_end,
            operations_in_flight_at_end,
            operations_in_flight_peak: self.operations.len_peak(),
            store_files,
            store_file_bytes,
            store_files_per_store_max,
            flush_queue_peak: self.flusher.queue_length.peak(),
            flush_queue_mean: self.flusher.queue_length.mean(end),
            event_queue_peak: self.queue.length_peak(),
            flush_queue_enqueued: self.flusher.enqueued,
            wal: self.wal,
            stats: self.stats,
        }
    }
}
