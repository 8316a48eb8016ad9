//! A client request as the HBase client sees it: one operation (a put, a delete, an increment,
//! an append, a check-and-put) or a multi-row batch, with its actions, its attempts and the
//! errors that came back.
//!
//! A batch retries only its failed actions, as AsyncProcess resubmits them; a single operation
//! retries as a whole (RpcRetryingCallerImpl). Either way, latency is measured from when the
//! request was due to be sent until the last of its actions succeeded.

use crate::model::region::hregion::RegionId;
use crate::scenario::profile::ProfileId;
use crate::scenario::workload::{Durability, OpKind};
use crate::sim::SimTime;

/// What one action does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    Put,
    /// A Delete of the whole row: one DeleteFamily marker per family.
    Delete,
    /// Adds to an 8-byte counter in field0 of each family.
    Increment,
    /// Appends bytes to field0's value in each family.
    Append,
    /// Puts field0 in each family if it holds no value (checkAndPut with an empty expected value).
    CheckAndPut,
}

impl Mutation {
    /// Read-modify-write mutations take the row lock's exclusive side and read the current value.
    pub fn is_read_modify_write(self) -> bool {
        matches!(
            self,
            Mutation::Increment | Mutation::Append | Mutation::CheckAndPut
        )
    }

    /// What an operation of `kind` writes: a read-modify-write's put once it has read (a read
    /// writes nothing, and its actions' mutation is not looked at).
    pub fn of(kind: OpKind) -> Mutation {
        match kind {
            OpKind::Put
            | OpKind::Batch
            | OpKind::Insert
            | OpKind::ReadModifyWrite
            | OpKind::Get
            | OpKind::MultiGet
            | OpKind::Scan => Mutation::Put,
            OpKind::Delete => Mutation::Delete,
            OpKind::Increment => Mutation::Increment,
            OpKind::Append => Mutation::Append,
            OpKind::CheckAndPut => Mutation::CheckAndPut,
        }
    }
}

/// An error the server (or the client's own timer) reports for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerError {
    /// checkResources: the region's memstore is above flush size × block multiplier, or the
    /// updates lock could not be had within the busy wait.
    RegionTooBusy,
    /// The call queue was full.
    CallQueueTooBig,
    /// CoDel dropped the queued call: it waited too long while its queue was overloaded.
    CallDropped,
    /// No answer within hbase.rpc.timeout (the client gives up on the attempt).
    CallTimeout,
    /// A row lock was not granted within hbase.rowlock.wait.duration.
    RowLockTimeout,
    /// The region is closing or closed (moved, splitting, merging): the client looks it up
    /// again and retries.
    NotServingRegion,
    /// FSHLog: the WAL sync failed, or the writer is broken until the roll replaces it.
    WalSyncFailed,
    /// AsyncFSWAL: the edit was not synced within hbase.regionserver.wal.sync.timeout.
    WalSyncTimeout,
    /// The server process is dead: the connection closes or is refused.
    ServerDown,
}

impl ServerError {
    /// The Java exception name, as summary.json counts errors.
    pub fn name(self) -> &'static str {
        match self {
            ServerError::RegionTooBusy => "RegionTooBusyException",
            ServerError::CallQueueTooBig => "CallQueueTooBigException",
            ServerError::CallDropped => "CallDroppedException",
            ServerError::CallTimeout => "CallTimeoutException",
            ServerError::RowLockTimeout => "TimeoutIOException",
            ServerError::NotServingRegion => "NotServingRegionException",
            ServerError::WalSyncFailed => "DamagedWALException",
            ServerError::WalSyncTimeout => "WALSyncTimeoutIOException",
            ServerError::ServerDown => "ConnectException",
        }
    }

    /// Whether the client retries after the overloaded pause: 2.x's
    /// HBaseServerException.isServerOverloaded (CallQueueTooBigException and
    /// CallDroppedException), 1.4's `t instanceof CallQueueTooBigException`.
    pub fn is_server_overloaded(self, profile: ProfileId) -> bool {
        match self {
            ServerError::CallQueueTooBig => true,
            ServerError::CallDropped => profile == ProfileId::Hbase25,
            _ => false,
        }
    }
}

/// One row's mutation or read within a request (for a scan, one RPC's rows).
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub mutation: Mutation,
    pub row: u64,
    /// Rows it reads from `row` on (a scan RPC's); 1 for a get or a mutation.
    pub rows: u32,
    pub region: RegionId,
    pub value_bytes: u32,
    pub done: bool,
    /// Through a BufferedMutator: the operation (`mutate` call) the row belongs to.
    pub operation: u32,
}

impl Action {
    /// An action not yet sent: `rows` rows from `row` on, writing values of `value_bytes`
    /// (none for a read).
    pub fn new(mutation: Mutation, row: u64, rows: u32, value_bytes: u32) -> Action {
        Action {
            mutation,
            row,
            rows,
            region: 0,
            value_bytes,
            done: false,
            operation: 0,
        }
    }
}

/// A BufferedMutator's submit in flight: the thread waiting for it (2.5) and the tasks it holds
/// against AsyncProcess's limits — its current attempt's, and those of earlier attempts whose
/// runnable is still on the stack under a retry run on its thread.
#[derive(Debug, Clone, Default)]
pub struct Submit {
    pub flusher: Option<u32>,
    /// Each held task's regions (distinct).
    pub tasks_held: Vec<Vec<RegionId>>,
    /// The attempt number whose task is counted (0: none yet): an attempt that waits out a
    /// garbage-collection pause is sent twice and counted once.
    pub attempt_counted: u32,
}

/// A request in flight at the client.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: OpKind,
    /// Whether its actions read (a get, a multi-get, a scan, a read-modify-write's read)
    /// rather than write.
    pub reading: bool,
    pub client: u32,
    /// The closed-loop client slot, or `u32::MAX` for open loop.
    pub slot: u32,
    pub durability: Durability,
    /// When the request was due to be sent: latency counts from here.
    pub due: SimTime,
    /// When the application's thread started it (after any wait for a thread): the operation
    /// timeout counts from here.
    pub started: SimTime,
    pub actions: Vec<Action>,
    /// Actions not yet done.
    pub remaining: u32,
    /// Failed attempts so far.
    pub tries: u32,
    /// The id of the attempt in flight (unique across the run), if one is.
    pub attempt: Option<u64>,
    pub last_error: Option<ServerError>,
    /// Check-and-puts whose check failed (answered, nothing written).
    pub checks_failed: u32,
    /// Calls on the server working on it. The server goes on with a call whose client gave
    /// up (as HBase does), so a finished request stays until its last call is gone.
    pub server_calls: u32,
    /// Completed or failed for good at the client.
    pub finished: bool,
    /// A BufferedMutator's submit (its rows are other operations' rows).
    pub submit: Option<Submit>,
}

impl Request {
    /// A request about to send its first attempt: every action pending, nothing tried yet.
    pub fn new(
        kind: OpKind,
        (client, slot): (u32, u32),
        durability: Durability,
        (due, started): (SimTime, SimTime),
        actions: Vec<Action>,
        submit: Option<Submit>,
    ) -> Request {
        Request {
            kind,
            reading: kind.is_read(),
            client,
            slot,
            durability,
            due,
            started,
            remaining: actions.len() as u32,
            actions,
            tries: 0,
            attempt: None,
            last_error: None,
            checks_failed: 0,
            server_calls: 0,
            finished: false,
            submit,
        }
    }
}
