//! Known HBase bugs that a run can switch back on, to reproduce what an older release did.
//!
//! Each switch is a documented deviation from the modelled release lines (1.4, 2.5), off by
//! default, named by its JIRA, with the releases it affected and the first that fixed it. A
//! scenario's `[bugs]` section names them (`"HBASE-2643" = true`); `KnownBugs::from_entries`
//! reads those names. The model asks `is_on` where the bug would have acted. A bug from a line
//! regionsim does not model acts on either profile: the switch puts the old code back into
//! today's server.
//!
//! - **HBASE-2643** "Figure how to deal with eof splitting logs" (affected the 0.89.2010-06/07/08
//!   developer releases; fixed in 0.89.20100924 and 0.90.0, commit 39e213e62de of 2010-09-03).
//!   Before the fix, `HLog.splitLog` caught the EOFException of a truncated last record as any
//!   other IOException: with `hbase.hlog.split.skip.errors` false the split failed, with it
//!   true the log was moved to the corrupt directory (edits read before the EOF were kept). A
//!   server that dies under load almost always leaves its last WAL truncated, so the bug failed
//!   most crash recoveries. A zero-length log was skipped even then.
//! - **HBASE-2958** "When hbase.hlog.split.skip.errors is set to false, we fail the split but
//!   thats it", the limitation the 0.90 reference guide cites (affected 0.90.0–0.90.5). Until
//!   HBASE-5137 added a retry loop to `MasterFileSystem.splitLog` (shipped in 0.90.6, 0.92.0
//!   and 0.94.0), a failed split was logged and given up: the master went on to assign the dead
//!   server's regions, which opened without the edits of the logs that had not split. 1.4 and
//!   2.5 retry instead (the split task is resubmitted, ServerCrashProcedure retries its
//!   SPLIT_LOGS step; 2.5's SplitWALProcedure without limit).
//! - **HBASE-8755** "A new write thread model for HLog to improve the overall HBase write
//!   throughput" (the old model: 0.94 and earlier, and 0.96.0; the new one shipped in 0.96.1
//!   and 0.98.0, and HBASE-10156's ring buffer replaced it in 1.0). Before it, each handler
//!   went through HLog.syncer itself: whoever found its edit not yet synced took the flush lock
//!   and synced everything appended so far, one sync at a time; the handlers that sync covered
//!   then passed the lock one after another, each finding its edit synced, before the next
//!   sync could start ("heavy race condition on updateLock and flushLock", the JIRA says).
//!   Here, with the switch on, one sync is in flight at most and the next starts only after
//!   its writers have passed the lock, `HBASE_8755_LOCK_PASS_NANOS` each. Left out: the
//!   handlers' own appends to the HDFS stream under the update lock.
//! - **HBASE-10499** "In write heavy scenario one of the regions does not get flushed causing
//!   RegionTooBusyException" (affected 0.95.0–0.98.9; fixed in 0.98.10, 1.0.0, 1.1.0 and 2.0.0).
//!   MemStoreFlusher's FlushRegionEntry compared equal to another when both had the same delay
//!   in milliseconds (HBASE-7588's `equals`), so `flushQueue.remove(entry)` in a
//!   global-pressure flush of region A could take out region B's entry with the same expiry
//!   instead. B stayed in `regionsInQueue` with nothing queued: every later flush request for
//!   it was a no-op, its memstore grew to the blocking size, and its writes failed with
//!   RegionTooBusyException for good, unless a global-pressure flush happened to pick it. The
//!   PriorityQueue under the DelayQueue removes the first equal entry in its heap array; here
//!   that is the earliest queued entry due in the same millisecond, where equal keys sit in a
//!   heap that was filled in order.
//! - **HBASE-11868** "Data loss in hlog when the hdfs is unavailable" (affected 0.98.0–0.98.5;
//!   fixed in 0.98.6). 0.98's FSHLog recorded a failed append or sync (`failedTxid`) and still
//!   advanced `syncedTillHere` past it; a handler checked for the failure only after waiting, so
//!   one that came to wait when `syncedTillHere` had already passed its txid returned success.
//!   On a broken writer every append and sync fails at once, so the handlers whose edits went to
//!   it were passed before they waited: here, with the switch on, the writes appended to a
//!   broken FSHLog writer (after a failed sync, until the roll replaces it) are acknowledged
//!   though nothing made them durable. The writers waiting when a sync failed see the failure,
//!   as in 0.98. Only FSHLog (`hbase.wal.provider = filesystem`, 1.4's default) had the bug.
//! - **HBASE-13811** "Splitting WALs, we are filtering out too many edits -> DATALOSS"
//!   (affected 1.1.0, the first release with per-family flushes (HBASE-10201) and WAL
//!   accounting by store (HBASE-12405); fixed in 1.1.1 by commit 5dd4c983, and in 1.2.0 and
//!   2.0.0 by the refactor that made SequenceIdAccounting). Every report to the master gives
//!   each store's complete sequence id (`HRegion.setCompleteSequenceId`): one below the WAL's
//!   earliest unflushed id for the family, and the master keeps the highest it was told. A
//!   flush's `startCacheFlush` moves the flushing families' lowest ids from the unflushed map
//!   to a flushing one, and before the fix `getEarliestMemstoreSeqNum(region, family)` looked
//!   at the unflushed map only: while a flush wrote its files, a family that had taken a new
//!   edit reported one below that edit, above the edits still only in the snapshot. If the
//!   server died before the flush committed, the split's `filterCellByStore` dropped those
//!   edits as flushed (`TestSplitWalDataLoss`). Here, with the switch on, a report ignores the
//!   stores' snapshots.
//! - **HBASE-21738** "Remove all the CSLM#size operation in our memstore because it's an quite
//!   time consuming" (affected 0.98, 1.0–1.2, 1.3.0–1.3.3, 1.4.0–1.4.9, 2.0.0–2.0.4,
//!   2.1.0–2.1.2; fixed in 1.3.4, 1.4.10 and 1.5.0 by HBASE-21748, in 2.0.5, 2.1.3 and 2.2.0).
//!   A flush's snapshot counted the snapshot's cells with ConcurrentSkipListMap.size(), which
//!   walks every node, while the region's updates lock was held for writing: every write to
//!   the region waited for the walk, a latency spike at each flush. Here the lock is held for
//!   `SKIP_LIST_SIZE_NANOS_PER_CELL` a cell in the stores being snapshotted.

use std::fmt;

use super::suggest::did_you_mean;

/// The time ConcurrentSkipListMap.size() takes a cell under HBASE-21738, calibrated on the one
/// figure published with the fix: "Memstore snapshotting cost: 146ms" on a full 128 MB memstore
/// of YCSB rows with 100-byte values ("user" + 19 digits, family "f", qualifier "field0": a
/// 150-byte KeyValue, 224 bytes of memstore heap, so 599,186 cells): 146 ms ÷ 599,186 cells.
pub const SKIP_LIST_SIZE_NANOS_PER_CELL: u64 = 244;

/// The time one handler takes to pass HLog's flush lock under HBASE-8755's old model (woken,
/// locks, finds its edit synced, unlocks, the next is woken), calibrated on the one figure the
/// JIRA publishes for one server: 12,150 puts/s of 1 KB rows before the change. With the lock
/// passed once per edit, the server can do no more than one edit per pass: 1 s ÷ 12,150.
pub const HBASE_8755_LOCK_PASS_NANOS: u64 = 82_300;

/// One known bug that can be switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KnownBug {
    /// An EOF while splitting a WAL is an error, not the end of the file.
    Hbase2643,
    /// A split that fails with skip.errors false is given up, not retried.
    Hbase2958,
    /// Handlers sync the WAL themselves, one sync at a time, and pass its lock one by one.
    Hbase8755,
    /// A global-pressure flush's removal from the flush queue takes another region's entry.
    Hbase10499,
    /// Writes to a broken FSHLog writer are acknowledged.
    Hbase11868,
    /// A region server report gives a flushing store's complete sequence id past its snapshot.
    Hbase13811,
    /// A flush's snapshot counts its cells by walking them under the updates lock.
    Hbase21738,
}

impl KnownBug {
    pub const ALL: [KnownBug; 7] = [
        KnownBug::Hbase2643,
        KnownBug::Hbase2958,
        KnownBug::Hbase8755,
        KnownBug::Hbase10499,
        KnownBug::Hbase11868,
        KnownBug::Hbase13811,
        KnownBug::Hbase21738,
    ];

    /// The JIRA id, which is also the bug's key in a scenario's `[bugs]`.
    pub fn jira(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => "HBASE-2643",
            KnownBug::Hbase2958 => "HBASE-2958",
            KnownBug::Hbase8755 => "HBASE-8755",
            KnownBug::Hbase10499 => "HBASE-10499",
            KnownBug::Hbase11868 => "HBASE-11868",
            KnownBug::Hbase13811 => "HBASE-13811",
            KnownBug::Hbase21738 => "HBASE-21738",
        }
    }

    /// A short name for the behaviour, also accepted in `[bugs]`.
    pub fn name(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => "eof-fails-wal-split",
            KnownBug::Hbase2958 => "failed-wal-split-given-up",
            KnownBug::Hbase8755 => "handlers-sync-the-wal",
            KnownBug::Hbase10499 => "flush-request-lost",
            KnownBug::Hbase11868 => "failed-sync-acknowledged",
            KnownBug::Hbase13811 => "store-seqid-over-reported",
            KnownBug::Hbase21738 => "snapshot-counts-cells",
        }
    }

    /// What switching it on does, in a line.
    pub fn description(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => {
                "a truncated WAL (an EOF mid-entry) fails the split, or with skip.errors goes to corrupt/, instead of ending the file"
            }
            KnownBug::Hbase2958 => {
                "a WAL split that fails with skip.errors false is given up, not retried: the regions open without the unsplit edits"
            }
            KnownBug::Hbase8755 => {
                "the 0.94 write model: one WAL sync at a time, and the handlers it synced pass HLog's flush lock one by one (82.3 µs each) before the next starts"
            }
            KnownBug::Hbase10499 => {
                "a global-pressure flush can take another region's flush request (due the same millisecond) out of the queue: that region never flushes again and refuses writes once at its blocking size"
            }
            KnownBug::Hbase11868 => {
                "writes appended to a broken FSHLog writer (after a failed sync, before the roll) are acknowledged though never synced"
            }
            KnownBug::Hbase13811 => {
                "while a flush writes its files, the server's reports give each flushing family's complete sequence id past the snapshot's edits: a crash before the commit and the WAL split drops them"
            }
            KnownBug::Hbase21738 => {
                "a flush's snapshot holds the region's updates lock while it counts the snapshot's cells, 244 ns a cell"
            }
        }
    }

    /// The HBase releases that had the bug, and the first releases without it.
    pub fn versions(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => "0.89.20100621–0.89.20100830; fixed in 0.89.20100924 and 0.90.0",
            KnownBug::Hbase2958 => {
                "0.90.0–0.90.5; fixed by its successor HBASE-5137 in 0.90.6, 0.92.0 and 0.94.0"
            }
            KnownBug::Hbase8755 => {
                "0.94 and earlier, and 0.96.0; fixed by the new model in 0.96.1 and 0.98.0 (HBASE-10156's ring buffer from 1.0)"
            }
            KnownBug::Hbase10499 => "0.95.0–0.98.9; fixed in 0.98.10, 1.0.0, 1.1.0 and 2.0.0",
            KnownBug::Hbase11868 => "0.98.0–0.98.5; fixed in 0.98.6",
            KnownBug::Hbase13811 => "1.1.0; fixed in 1.1.1, 1.2.0 and 2.0.0",
            KnownBug::Hbase21738 => {
                "0.98 to 1.4.9 and 2.0.0–2.1.2; fixed in 1.3.4, 1.4.10, 2.0.5 and 2.1.3"
            }
        }
    }

    /// Whether it acts in a WAL split (and so means something to `wal split --bug`).
    pub fn acts_in_wal_split(self) -> bool {
        matches!(self, KnownBug::Hbase2643 | KnownBug::Hbase2958)
    }

    /// The bug named by its JIRA id (any case) or its short name.
    pub fn from_name(name: &str) -> Option<KnownBug> {
        KnownBug::ALL.into_iter().find(|bug| {
            bug.jira().eq_ignore_ascii_case(name) || bug.name().eq_ignore_ascii_case(name)
        })
    }
}

impl fmt::Display for KnownBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jira())
    }
}

/// A name in `[bugs]` that is no known bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBug {
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown bug {:?}", self.name)?;
        if let Some(suggestion) = self.suggestion {
            write!(f, " (did you mean {suggestion:?}?)")?;
        }
        let known: Vec<&str> = KnownBug::ALL.iter().map(|bug| bug.jira()).collect();
        write!(f, "; known bugs: {}", known.join(", "))
    }
}

impl std::error::Error for UnknownBug {}

/// The set of known bugs switched on; empty by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KnownBugs {
    /// One bit per `KnownBug`, by its position in `ALL`.
    bits: u32,
}

impl KnownBugs {
    pub const NONE: KnownBugs = KnownBugs { bits: 0 };

    fn bit(bug: KnownBug) -> u32 {
        1 << KnownBug::ALL
            .iter()
            .position(|other| *other == bug)
            .expect("every bug is in ALL")
    }

    /// These bugs with `bug` switched on too.
    pub fn with(self, bug: KnownBug) -> KnownBugs {
        KnownBugs {
            bits: self.bits | KnownBugs::bit(bug),
        }
    }

    pub fn is_on(self, bug: KnownBug) -> bool {
        self.bits & KnownBugs::bit(bug) != 0
    }

    /// The bugs switched on, in `ALL` order.
    pub fn iter(self) -> impl Iterator<Item = KnownBug> {
        KnownBug::ALL
            .into_iter()
            .filter(move |bug| self.is_on(*bug))
    }

    /// Reads `[bugs]` entries (`"HBASE-2643" = true`); `false` leaves a bug off.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> Result<KnownBugs, UnknownBug> {
        let mut bugs = KnownBugs::NONE;
        for (name, on) in entries {
            let bug = KnownBug::from_name(name).ok_or_else(|| {
                let candidates: Vec<&str> = KnownBug::ALL
                    .iter()
                    .flat_map(|bug| [bug.jira(), bug.name()])
                    .collect();
                UnknownBug {
                    name: name.to_string(),
                    suggestion: did_you_mean(name, &candidates),
                }
            })?;
            if on {
                bugs = bugs.with(bug);
            }
        }
        Ok(bugs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Names round-trip, `[bugs]` entries switch bugs on or leave them off, and a misspelt
    // JIRA id gets a suggestion.
    #[test]
    fn names_and_parsing() {
        for bug in KnownBug::ALL {
            assert_eq!(KnownBug::from_name(bug.jira()), Some(bug));
            assert_eq!(KnownBug::from_name(bug.name()), Some(bug));
            assert!(!bug.description().is_empty());
            assert!(bug.versions().contains("fixed"));
        }
        assert_eq!(KnownBug::from_name("hbase-2643"), Some(KnownBug::Hbase2643));
        let bugs = KnownBugs::from_entries([("HBASE-2643", true), ("HBASE-2958", false)]).unwrap();
        assert!(bugs.is_on(KnownBug::Hbase2643));
        assert!(KnownBug::Hbase2958.versions().contains("0.90.6"));
        assert!(!bugs.is_on(KnownBug::Hbase2958));
        assert_eq!(bugs.iter().collect::<Vec<_>>(), [KnownBug::Hbase2643]);
        assert_eq!(KnownBugs::default(), KnownBugs::NONE);
        let error = KnownBugs::from_entries([("HBASE-2463", true)]).unwrap_err();
        assert_eq!(error.suggestion, Some("HBASE-2643"));
        assert_eq!(
            error.to_string(),
            "unknown bug \"HBASE-2463\" (did you mean \"HBASE-2643\"?); known bugs: HBASE-2643, HBASE-2958, HBASE-8755, HBASE-10499, HBASE-11868, HBASE-13811, HBASE-21738"
        );
    }
}
