//! The durability oracle: every write the server acknowledged, and every write it rolled back,
//! checked against what the stores hold.
//!
//! The unit is one *edit*: the cells of one mini-batch in one region, which share a sequence id
//! (with one row per batch, one mutation). The oracle keeps, per region and store, the sequence
//! ids acknowledged (by the durability they were written with), rolled back, and persisted in
//! a store file (given to it when a flush commits, taken from the flushed snapshot's own cells).
//! A check reads the memstores' cells as they are, so what it verifies is what a crash and its
//! recovery really left: an acknowledged edit is *verified* if every store it wrote holds its
//! sequence id, in a file or in the memstore; *lost* if not; *unavailable* if its region is
//! offline waiting for a recovery that has not finished. A rolled-back edit found in a store is
//! *resurrected*. Sets are kept as runs of sequence ids, which stay few: a region acknowledges
//! its edits in sequence-id order (MVCC completes in order).
//!
//! Each loss is given the cause the oracle can name: the edit was in a WAL file that the split
//! set aside as corrupt (skip.errors) or gave up on (HBASE-2958), in a damaged file whose
//! reader ended early and silently before it (`truncated_by_damage`), its own entry's key or
//! cell framing was damaged before HDFS checksummed it (`damaged_entry`), the split dropped it
//! as flushed because the master had been told its store was complete past it (HBASE-13811,
//! `store_seqid_over_reported`), it was acknowledged though its append went to a broken writer
//! (HBASE-11868, `failed_sync_acknowledged`), it was written with ASYNC_WAL or SKIP_WAL and the
//! crash came before a sync covered it, or — a bug in the model, which exploration reports —
//! nothing explains it.
//!
//! An acknowledged edit that came back from a WAL with a value other than the one written (a
//! byte damaged before HDFS checksummed it, which HBase's reader cannot see) is *corrupted*:
//! present, but not what the client wrote. Replay tells the oracle which edits those are
//! (`corrupted`), from the bytes it read.

use std::collections::BTreeMap;

use crate::model::region::hregion::RegionId;
use crate::scenario::workload::Durability;

/// A set of integers kept as disjoint inclusive runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSet {
    /// Start → end, inclusive; runs neither overlap nor touch.
    runs: BTreeMap<u64, u64>,
}

impl RunSet {
    pub fn insert(&mut self, value: u64) {
        // Values mostly come in increasing order: extend the last run in place.
        if let Some(mut last) = self.runs.last_entry() {
            let end = *last.get();
            if value == end + 1 {
                *last.get_mut() = value;
                return;
            }
            if *last.key() <= value && value <= end {
                return;
            }
        }
        self.insert_run(value, value);
    }

    /// Adds [start, end].
    pub fn insert_run(&mut self, mut start: u64, mut end: u64) {
        assert!(start <= end, "a run goes up");
        // Merge with a run that ends at or just before `start`.
        if let Some((&before_start, &before_end)) = self.runs.range(..=start).next_back()
            && before_end.saturating_add(1) >= start
        {
            start = before_start;
            end = end.max(before_end);
        }
        // Swallow the runs that start inside or just after [start, end].
        while let Some((&next_start, &next_end)) = self
            .runs
            .range(start..)
            .next()
            .filter(|&(&next_start, _)| next_start <= end.saturating_add(1))
        {
            self.runs.remove(&next_start);
            end = end.max(next_end);
        }
        self.runs.insert(start, end);
    }

    pub fn contains(&self, value: u64) -> bool {
        self.runs
            .range(..=value)
            .next_back()
            .is_some_and(|(_, &end)| value <= end)
    }

    pub fn len(&self) -> u64 {
        self.runs.iter().map(|(start, end)| end - start + 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The runs, in order.
    pub fn runs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.runs.iter().map(|(&start, &end)| (start, end))
    }

    /// The set of these values not in `other`.
    pub fn difference(&self, other: &RunSet) -> RunSet {
        let mut out = RunSet::default();
        for (start, end) in self.runs() {
            let mut from = start;
            for (other_start, other_end) in other
                .runs
                .range(..=end)
                .map(|(&s, &e)| (s, e))
                .filter(|&(_, e)| e >= start)
            {
                if other_start > from {
                    out.insert_run(from, other_start - 1);
                }
                from = from.max(other_end.saturating_add(1));
                if from > end {
                    break;
                }
            }
            if from <= end && from >= start {
                out.insert_run(from, end);
            }
        }
        out
    }

    /// The values in both.
    pub fn intersection(&self, other: &RunSet) -> RunSet {
        self.difference(&self.difference(other))
    }

    pub fn union_with(&mut self, other: &RunSet) {
        for (start, end) in other.runs() {
            self.insert_run(start, end);
        }
    }

    /// A set of the given values (in any order, repeats allowed). Values packed in a narrow
    /// span (a snapshot's sequence ids) are marked in a bitmap rather than sorted.
    pub fn from_values(mut values: Vec<u64>) -> RunSet {
        let (Some(&low), Some(&high)) = (values.iter().min(), values.iter().max()) else {
            return RunSet::default();
        };
        let span = high - low + 1;
        if span <= 8 * values.len() as u64 {
            let mut present = vec![false; span as usize];
            for value in &values {
                present[(value - low) as usize] = true;
            }
            let mut set = RunSet::default();
            let mut start = None;
            for (offset, &here) in present.iter().enumerate() {
                match (here, start) {
                    (true, None) => start = Some(offset as u64),
                    (false, Some(first)) => {
                        set.runs.insert(low + first, low + offset as u64 - 1);
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(first) = start {
                set.runs.insert(low + first, high);
            }
            return set;
        }
        values.sort_unstable();
        values.dedup();
        let mut set = RunSet::default();
        let mut values = values.into_iter();
        if let Some(first) = values.next() {
            let (mut start, mut end) = (first, first);
            for value in values {
                if value == end + 1 {
                    end = value;
                } else {
                    set.runs.insert(start, end);
                    (start, end) = (value, value);
                }
            }
            set.runs.insert(start, end);
        }
        set
    }
}

/// How an acknowledged edit was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Logged {
    /// SYNC_WAL or FSYNC_WAL: in a WAL before the acknowledgement.
    Synced,
    AsyncWal,
    SkipWal,
    /// Told it was synced though its append went to a broken writer (HBASE-11868).
    AfterFailedSync,
}

/// Why an acknowledged edit was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LossCause {
    /// In a WAL file the split moved to `corrupt/` (skip.errors true).
    CorruptWalSkipped,
    /// In a WAL file whose failed split was given up (HBASE-2958).
    SplitGivenUp,
    /// In a damaged WAL file after the point where HBase's reader ended it early, silently.
    TruncatedByDamage,
    /// Acknowledged though its append went to a broken writer (HBASE-11868).
    FailedSyncAcknowledged,
    /// Its WAL entry's key or cell framing changed before HDFS checksummed it: the split sent
    /// it to another region or sequence id, or replay could not place its cells.
    DamagedEntry,
    /// The split dropped it as flushed: the master had been told its store was complete past
    /// it while it was still in a flush's snapshot (HBASE-13811).
    StoreSeqidOverReported,
    /// ASYNC_WAL, and no sync covered it before the crash.
    AsyncWalWindow,
    /// SKIP_WAL: it never was in a WAL.
    SkipWal,
    /// Nothing the oracle knows explains it: a bug.
    Unexplained,
}

impl LossCause {
    pub fn name(self) -> &'static str {
        match self {
            LossCause::CorruptWalSkipped => "corrupt_wal_skipped",
            LossCause::SplitGivenUp => "split_given_up",
            LossCause::TruncatedByDamage => "truncated_by_damage",
            LossCause::FailedSyncAcknowledged => "failed_sync_acknowledged",
            LossCause::DamagedEntry => "damaged_entry",
            LossCause::StoreSeqidOverReported => "store_seqid_over_reported",
            LossCause::AsyncWalWindow => "async_wal_window",
            LossCause::SkipWal => "skip_wal",
            LossCause::Unexplained => "unexplained",
        }
    }
}

/// What the oracle knows of one store of one region.
#[derive(Debug, Clone, Default)]
struct StoreRecord {
    acknowledged: BTreeMap<Logged, RunSet>,
    rolled_back: RunSet,
    persisted: RunSet,
    /// Edits replayed with a value other than the one written.
    corrupted: RunSet,
}

/// Where a region stands when the oracle checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionStanding {
    /// Open (or closed by an operator after a flush): its stores are what it holds.
    Serving,
    /// Offline after a crash, its recovery not finished: what it held is not readable yet.
    AwaitingRecovery,
}

/// The result of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DurabilityCheck {
    pub acknowledged: u64,
    pub verified: u64,
    pub lost: u64,
    /// Present, but with a value other than the one written.
    pub corrupted: u64,
    pub unavailable: u64,
    pub rolled_back: u64,
    pub resurrected: u64,
    pub lost_by_cause: BTreeMap<LossCause, u64>,
    /// The first edit (region, sequence id) lost without a cause, and the first resurrected:
    /// where to start looking for the bug either one is.
    pub first_unexplained: Option<(RegionId, u64)>,
    pub first_resurrected: Option<(RegionId, u64)>,
}

/// Every acknowledged and rolled-back edit of the run.
#[derive(Debug, Clone, Default)]
pub struct DurabilityOracle {
    stores: BTreeMap<(RegionId, usize), StoreRecord>,
    /// Per region, runs of sequence ids whose loss has a known cause: in a WAL file a split
    /// skipped or gave up, past where a damaged file's reader ended, an entry damaged.
    explained: BTreeMap<RegionId, Vec<(RunSet, LossCause)>>,
}

impl DurabilityOracle {
    fn store(&mut self, region: RegionId, store: usize) -> &mut StoreRecord {
        self.stores.entry((region, store)).or_default()
    }

    /// The server acknowledged the edit `sequence_id`, which wrote `stores` of `region`.
    pub fn acknowledged(
        &mut self,
        region: RegionId,
        stores: &[usize],
        sequence_id: u64,
        durability: Durability,
    ) {
        let logged = match durability {
            Durability::SkipWal => Logged::SkipWal,
            Durability::AsyncWal => Logged::AsyncWal,
            Durability::SyncWal | Durability::FsyncWal | Durability::UseDefault => Logged::Synced,
        };
        for &store in stores {
            self.store(region, store)
                .acknowledged
                .entry(logged)
                .or_default()
                .insert(sequence_id);
        }
    }

    /// The server told the writer of edit `sequence_id` that it was synced, though its append
    /// went to a broken writer (HBASE-11868).
    pub fn acknowledged_after_failed_sync(
        &mut self,
        region: RegionId,
        stores: &[usize],
        sequence_id: u64,
    ) {
        for &store in stores {
            self.store(region, store)
                .acknowledged
                .entry(Logged::AfterFailedSync)
                .or_default()
                .insert(sequence_id);
        }
    }

    /// The edit was taken back out of the memstore and its writer told it failed.
    pub fn rolled_back(&mut self, region: RegionId, stores: &[usize], sequence_id: u64) {
        for &store in stores {
            self.store(region, store).rolled_back.insert(sequence_id);
        }
    }

    /// A flush committed a file of the store holding these sequence ids.
    pub fn persisted(&mut self, region: RegionId, store: usize, sequence_ids: Vec<u64>) {
        let set = RunSet::from_values(sequence_ids);
        self.store(region, store).persisted.union_with(&set);
    }

    /// Replay put the edit back into `store` with a value other than the one written.
    pub fn corrupted(&mut self, region: RegionId, store: usize, sequence_id: u64) {
        self.store(region, store).corrupted.insert(sequence_id);
    }

    /// A split skipped (or gave up on) a WAL file holding, per region, edits up to a highest
    /// sequence id; the edits above what the region had flushed are what it skipped.
    pub fn unsplit(&mut self, region: RegionId, from: u64, to: u64, cause: LossCause) {
        if from > to {
            return;
        }
        let mut set = RunSet::default();
        set.insert_run(from, to);
        self.explained.entry(region).or_default().push((set, cause));
    }

    /// A fault changed the key or cell framing of the WAL entry of edit `sequence_id` before
    /// HDFS checksummed it: if the edit is lost, that is why.
    pub fn damaged_entry(&mut self, region: RegionId, sequence_id: u64) {
        let set = RunSet::from_values(vec![sequence_id]);
        self.explained
            .entry(region)
            .or_default()
            .push((set, LossCause::DamagedEntry));
    }

    /// Checks every edit against the stores: `memstore` gives the sequence ids a store's
    /// memstore holds now, `standing` where a region stands.
    pub fn check(
        &self,
        mut memstore: impl FnMut(RegionId, usize) -> RunSet,
        standing: impl Fn(RegionId) -> RegionStanding,
    ) -> DurabilityCheck {
        let mut check = DurabilityCheck::default();
        let mut regions: BTreeMap<RegionId, Vec<(usize, &StoreRecord)>> = BTreeMap::new();
        for (&(region, store), record) in &self.stores {
            regions.entry(region).or_default().push((store, record));
        }
        for (region, stores) in regions {
            let mut acknowledged = RunSet::default();
            let mut rolled_back = RunSet::default();
            let mut missing: BTreeMap<Logged, RunSet> = BTreeMap::new();
            let mut resurrected = RunSet::default();
            let mut corrupted = RunSet::default();
            for (store, record) in stores {
                let mut present = memstore(region, store);
                present.union_with(&record.persisted);
                for (&logged, set) in &record.acknowledged {
                    acknowledged.union_with(set);
                    missing
                        .entry(logged)
                        .or_default()
                        .union_with(&set.difference(&present));
                    corrupted
                        .union_with(&set.intersection(&present).intersection(&record.corrupted));
                }
                rolled_back.union_with(&record.rolled_back);
                resurrected.union_with(&record.rolled_back.intersection(&present));
            }
            let mut lost_anyhow = RunSet::default();
            for set in missing.values() {
                lost_anyhow.union_with(set);
            }
            check.acknowledged += acknowledged.len();
            check.rolled_back += rolled_back.len();
            check.resurrected += resurrected.len();
            if let Some((first, _)) = resurrected.runs().next() {
                check.first_resurrected.get_or_insert((region, first));
            }
            let lost = lost_anyhow.len();
            let corrupted = corrupted.difference(&lost_anyhow).len();
            check.corrupted += corrupted;
            check.verified += acknowledged.len() - lost - corrupted;
            if lost == 0 {
                continue;
            }
            if standing(region) == RegionStanding::AwaitingRecovery {
                check.unavailable += lost;
                continue;
            }
            check.lost += lost;
            let explained = self.explained.get(&region);
            for (logged, set) in missing {
                // Each lost edit once, under the first cause that explains it (an edit has one
                // durability: its batch's).
                let mut rest = set;
                for (skipped, cause) in explained.into_iter().flatten() {
                    let explained = rest.intersection(skipped);
                    *check.lost_by_cause.entry(*cause).or_default() += explained.len();
                    rest = rest.difference(skipped);
                }
                let cause = match logged {
                    Logged::AsyncWal => LossCause::AsyncWalWindow,
                    Logged::AfterFailedSync => LossCause::FailedSyncAcknowledged,
                    Logged::SkipWal => LossCause::SkipWal,
                    Logged::Synced => LossCause::Unexplained,
                };
                if cause == LossCause::Unexplained
                    && let Some((first, _)) = rest.runs().next()
                {
                    check.first_unexplained.get_or_insert((region, first));
                }
                *check.lost_by_cause.entry(cause).or_default() += rest.len();
            }
            check.lost_by_cause.retain(|_, count| *count > 0);
        }
        check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: &[u64]) -> RunSet {
        RunSet::from_values(values.to_vec())
    }

    // Runs merge when they touch, and set operations agree with a plain model.
    #[test]
    fn run_sets() {
        let mut runs = RunSet::default();
        for value in [5, 3, 4, 10, 12, 11, 1] {
            runs.insert(value);
        }
        assert_eq!(runs.runs().collect::<Vec<_>>(), [(1, 1), (3, 5), (10, 12)]);
        assert_eq!(runs.len(), 7);
        assert!(runs.contains(4) && !runs.contains(6) && !runs.contains(0));
        runs.insert_run(2, 9);
        assert_eq!(runs.runs().collect::<Vec<_>>(), [(1, 12)]);
        let a = set(&[1, 2, 3, 7, 8, 9, 20]);
        let b = set(&[2, 8, 9, 10, 20]);
        assert_eq!(a.difference(&b), set(&[1, 3, 7]));
        assert_eq!(a.intersection(&b), set(&[2, 8, 9, 20]));
        assert_eq!(b.difference(&a), set(&[10]));
        assert_eq!(a.difference(&RunSet::default()), a);
        // The bitmap path and the sorting path agree.
        let sparse = set(&[1, 1000, 1001, 5000]);
        assert_eq!(
            sparse.runs().collect::<Vec<_>>(),
            [(1, 1), (1000, 1001), (5000, 5000)]
        );
        let mut one_by_one = RunSet::default();
        for value in [9, 3, 4, 5, 7, 8, 3] {
            one_by_one.insert(value);
        }
        assert_eq!(one_by_one, set(&[3, 4, 5, 7, 8, 9]));
    }

    // An edit is verified when every store it wrote holds it, lost (with its cause) when one
    // does not; rolled-back edits that show up are resurrected.
    #[test]
    fn checks_name_losses() {
        let mut oracle = DurabilityOracle::default();
        for sequence_id in 1..=10 {
            oracle.acknowledged(0, &[0, 1], sequence_id, Durability::SyncWal);
        }
        oracle.acknowledged(0, &[0, 1], 11, Durability::AsyncWal);
        oracle.rolled_back(0, &[0, 1], 12);
        oracle.persisted(0, 0, (1..=5).collect());
        oracle.persisted(0, 1, (1..=5).collect());
        oracle.unsplit(0, 8, 9, LossCause::CorruptWalSkipped);
        // Store 1 lost 7 to 11 in its memstore; store 0 holds everything and, wrongly, 12.
        let memstore = |_: RegionId, store: usize| {
            if store == 0 {
                set(&[6, 7, 8, 9, 10, 11, 12])
            } else {
                set(&[6])
            }
        };
        let check = oracle.check(memstore, |_| RegionStanding::Serving);
        assert_eq!(
            (
                check.acknowledged,
                check.verified,
                check.lost,
                check.resurrected
            ),
            (11, 6, 5, 1)
        );
        // Unexplained: 7 and 10 (8 and 9 were in a skipped file, 11 was ASYNC_WAL).
        assert_eq!(
            (check.first_unexplained, check.first_resurrected),
            (Some((0, 7)), Some((0, 12)))
        );
        let causes: Vec<(LossCause, u64)> = check.lost_by_cause.into_iter().collect();
        assert_eq!(
            causes,
            [
                (LossCause::CorruptWalSkipped, 2),
                (LossCause::AsyncWalWindow, 1),
                (LossCause::Unexplained, 2)
            ]
        );
        let waiting = oracle.check(memstore, |_| RegionStanding::AwaitingRecovery);
        assert_eq!((waiting.lost, waiting.unavailable), (0, 5));
        // An edit replayed with a damaged value is corrupted, not verified; one lost in
        // another store stays lost.
        oracle.corrupted(0, 1, 6);
        oracle.corrupted(0, 0, 7);
        let check = oracle.check(memstore, |_| RegionStanding::Serving);
        assert_eq!((check.verified, check.corrupted, check.lost), (5, 1, 5));
    }
}
