//! The write-ahead log as the write path sees it: appends, and syncs shared by every writer
//! waiting at the time (group commit).
//!
//! As in AsyncFSWAL (and FSHLog's ring buffer with its sync runners, to first order), a writer
//! appends its edit and waits for a sync that covers it; while one sync is in flight, later
//! appends gather and the next sync covers them all, so at high rates one sync acknowledges many
//! writes. An ASYNC_WAL edit is appended without waiting and becomes durable with the next sync;
//! in 2.5 AsyncFSWAL also syncs on its own once `hbase.wal.batch.size` bytes are unsynced. The
//! sync's duration is drawn by the caller from the `[io]` latency distribution.
//!
//! Left for the WAL model to come: WAL files as real bytes, rolling and archiving, maxlogs, sync
//! failures. Entry sizes here are the cells' KeyValue bytes, a 4-byte length per cell and an
//! estimated `WAL_ENTRY_KEY_BYTES` for the WALKey.

use super::region::OperationId;

/// An estimate of one WAL entry's key (encoded region name, table, sequence id, write time,
/// cluster ids, nonces as protobuf) until WAL entries are real bytes.
pub const WAL_ENTRY_KEY_BYTES: u64 = 100;
/// The length prefix of each cell in a WALEdit.
pub const WAL_CELL_FRAMING_BYTES: u64 = 4;

/// A sync in flight and the writers it will acknowledge.
#[derive(Debug, Clone)]
struct SyncInFlight {
    id: u64,
    waiters: Vec<OperationId>,
}

/// The server's single WAL (one per RegionServer with the default provider).
#[derive(Debug, Clone, Default)]
pub struct Wal {
    /// Writers whose edit is appended and not yet covered by a started sync.
    waiting: Vec<OperationId>,
    /// Appends since the last sync started (including ASYNC_WAL ones).
    appends_unsynced: u64,
    bytes_unsynced: u64,
    in_flight: Option<SyncInFlight>,
    next_sync_id: u64,
    pub appends: u64,
    pub syncs: u64,
    pub bytes: u64,
    /// Appends covered by completed syncs, for appends-per-sync.
    pub appends_synced: u64,
    appends_in_flight: u64,
}

impl Wal {
    /// Appends an edit of `bytes`; `waiter` waits for the sync that covers it.
    pub fn append(&mut self, bytes: u64, waiter: Option<OperationId>) {
        self.appends += 1;
        self.bytes += bytes;
        self.appends_unsynced += 1;
        self.bytes_unsynced += bytes;
        if let Some(operation) = waiter {
            self.waiting.push(operation);
        }
    }

    /// Whether a sync should start now: none in flight, and a writer waiting or (AsyncFSWAL)
    /// at least `batch_bytes` unsynced.
    pub fn wants_sync(&self, batch_bytes: Option<u64>) -> bool {
        self.in_flight.is_none()
            && (!self.waiting.is_empty()
                || batch_bytes.is_some_and(|batch| batch > 0 && self.bytes_unsynced >= batch))
    }

    /// Starts a sync covering every append so far; returns its id.
    pub fn start_sync(&mut self) -> u64 {
        assert!(
            self.in_flight.is_none(),
            "a WAL sync started while another is in flight"
        );
        let id = self.next_sync_id;
        self.next_sync_id += 1;
        self.in_flight = Some(SyncInFlight {
            id,
            waiters: std::mem::take(&mut self.waiting),
        });
        self.appends_in_flight = self.appends_unsynced;
        self.appends_unsynced = 0;
        self.bytes_unsynced = 0;
        id
    }

    /// Completes sync `id`; returns the writers it acknowledges, in append order.
    pub fn complete_sync(&mut self, id: u64) -> Vec<OperationId> {
        let sync = self
            .in_flight
            .take()
            .expect("a WAL sync completed that was not in flight");
        assert_eq!(sync.id, id, "WAL syncs complete in the order they started");
        self.syncs += 1;
        self.appends_synced += self.appends_in_flight;
        self.appends_in_flight = 0;
        sync.waiters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Appends that arrive during a sync wait for the next one, which covers them all.
    #[test]
    fn group_commit() {
        let mut wal = Wal::default();
        wal.append(100, Some(1));
        assert!(wal.wants_sync(None));
        let first = wal.start_sync();
        wal.append(100, Some(2));
        wal.append(100, None);
        wal.append(100, Some(3));
        assert!(!wal.wants_sync(None));
        assert_eq!(wal.complete_sync(first), vec![1]);
        assert!(wal.wants_sync(None));
        let second = wal.start_sync();
        assert_eq!(wal.complete_sync(second), vec![2, 3]);
        assert_eq!(
            (wal.appends, wal.syncs, wal.appends_synced, wal.bytes),
            (4, 2, 4, 400)
        );
        assert!(!wal.wants_sync(None));
    }

    // AsyncFSWAL syncs unasked once hbase.wal.batch.size bytes are unsynced.
    #[test]
    fn async_appends_sync_at_the_batch_size() {
        let mut wal = Wal::default();
        wal.append(40_000, None);
        assert!(!wal.wants_sync(Some(65_536)));
        wal.append(40_000, None);
        assert!(wal.wants_sync(Some(65_536)));
        assert!(!wal.wants_sync(None));
    }
}
