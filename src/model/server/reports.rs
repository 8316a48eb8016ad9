//! The region server's reports to the master, and what the master keeps of them: the flushed
//! sequence ids a WAL split filters edits by.
//!
//! Every `hbase.regionserver.msginterval` (3 s) a live server reports its online regions
//! (HRegionServer.run → tryRegionServerReport). Each region's load carries
//! (HRegion.setCompleteSequenceId, the same in 1.4 and 2.5):
//!
//! - the region's complete sequence id, `maxFlushedSeqId`: every edit at or below it is in a
//!   store file;
//! - per store, one below the WAL's earliest unflushed sequence id for the family
//!   (`getEarliestMemStoreSeqNum(region, family)`, SequenceIdAccounting: the lowest id appended
//!   for it and not yet flushed, whether still in the active memstore, in a snapshot being
//!   flushed, or appended and not yet in the memstore), or the region's `lastFlushOpSeqId` when
//!   the family has nothing unflushed.
//!
//! The master keeps the highest value it was told per region and per family
//! (ServerManager.updateLastFlushedSequenceIds) and hands them to the split
//! (`getLastFlushedSequenceId`): before the first report a region is unknown and every edit is
//! kept; after it, what the master knows lags the server by up to one interval, which only
//! makes the split keep edits that replay then finds already in a store file.
//!
//! With HBASE-13811 switched on, the earliest unflushed id ignores the snapshots, as 1.1.0's
//! FSHLog did once `startCacheFlush` had moved a flushing family's id aside: a family that took
//! a new edit during its flush is reported complete past the edits of the snapshot.
//!
//! The reports are taken at their instants without events of their own: between two events the
//! state does not change, so a report due at or before an event's time reads the state just
//! before that event. Runs without a split read none of it, and the trace is as without reports.

use std::collections::BTreeMap;

use super::RegionServer;
use crate::model::region::hregion::{Region, RegionId, RegionState};
use crate::model::wal::durability::LossCause;
use crate::scenario::known_bugs::KnownBug;
use crate::sim::SimTime;

/// What the master was told of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ReportedIds {
    /// The region's complete sequence id.
    pub region: u64,
    /// Each store's complete sequence id, by family name.
    pub stores: BTreeMap<Vec<u8>, u64>,
}

/// The master's record of the reports, which outlives the server processes.
#[derive(Debug, Clone, Default)]
pub(super) struct MasterView {
    regions: BTreeMap<RegionId, ReportedIds>,
    /// When the live process reports next (`None` while it is down).
    next_report: Option<SimTime>,
}

impl MasterView {
    /// The process (re)started at `now`: its first report is one interval later.
    pub fn process_started(&mut self, now: SimTime, interval: crate::sim::SimDuration) {
        self.next_report = Some(now + interval);
    }

    /// The process died: no more reports until a new one starts.
    pub fn process_died(&mut self) {
        self.next_report = None;
    }

    /// Whether a report is due at or before `time`; if so, the next one is set to the first
    /// interval boundary after `time` (reports between two events would read the same state).
    pub fn report_due(&mut self, time: SimTime, interval: crate::sim::SimDuration) -> bool {
        let Some(next) = self.next_report else {
            return false;
        };
        if next > time {
            return false;
        }
        let missed = (time - next).as_nanos() / interval.as_nanos().max(1);
        self.next_report = Some(next + interval * (missed + 1));
        true
    }

    /// ServerManager.updateLastFlushedSequenceIds: keeps the highest of each value.
    pub fn update(&mut self, region: RegionId, reported: ReportedIds) {
        let known = self.regions.entry(region).or_default();
        known.region = known.region.max(reported.region);
        for (family, id) in reported.stores {
            let store = known.stores.entry(family).or_default();
            *store = (*store).max(id);
        }
    }

    /// What the master knows of a region, if it was ever reported.
    pub fn region(&self, region: RegionId) -> Option<&ReportedIds> {
        self.regions.get(&region)
    }
}

/// The lowest unflushed sequence ids of one store, where each one is.
#[derive(Debug, Clone, Copy, Default)]
struct Unflushed {
    /// In the snapshot a flush is writing.
    snapshot: Option<u64>,
    /// In the active memstore segment.
    active: Option<u64>,
    /// Appended to the WAL and not yet in the memstore.
    appended: Option<u64>,
}

/// A store's complete sequence id as HRegion.setCompleteSequenceId reports it: one below the
/// earliest unflushed id the WAL knows for the family, or `last_flush_op` if it knows none.
/// `over_reported` is HBASE-13811: the snapshot's ids were out of sight.
fn store_complete_sequence_id(
    unflushed: Unflushed,
    last_flush_op: u64,
    over_reported: bool,
) -> u64 {
    let snapshot = unflushed.snapshot.filter(|_| !over_reported);
    [snapshot, unflushed.active, unflushed.appended]
        .into_iter()
        .flatten()
        .min()
        .map_or(last_flush_op, |earliest| earliest - 1)
}

/// A region's load: its complete sequence id and its stores'. `appended` gives, per store, the
/// lowest sequence id appended to the WAL and not yet in the memstore.
fn region_load(region: &Region, appended: &[Option<u64>], over_reported: bool) -> ReportedIds {
    let stores = region
        .stores
        .iter()
        .enumerate()
        .map(|(index, store)| {
            let unflushed = Unflushed {
                snapshot: store
                    .memstore
                    .snapshot_segment()
                    .and_then(|segment| segment.sequence_id_min()),
                active: store.memstore.active_sequence_id_min(),
                appended: appended.get(index).copied().flatten(),
            };
            let complete = store_complete_sequence_id(
                unflushed,
                region.last_flush_op_sequence_id,
                over_reported,
            );
            (store.family.clone().into_bytes(), complete)
        })
        .collect();
    ReportedIds {
        region: region.flushed_sequence_id,
        stores,
    }
}

impl RegionServer<'_> {
    /// The reports due before the event at `time`.
    pub(super) fn report_to_master_if_due(&mut self, time: SimTime) {
        if !self
            .master_view
            .report_due(time, self.config.recovery.report_interval)
        {
            return;
        }
        let over_reported = self.scenario.bugs.is_on(KnownBug::Hbase13811);
        let unapplied = self.edits_awaiting_memstore();
        for region in &self.regions {
            if region.state != RegionState::Open {
                continue;
            }
            let lowest = unapplied
                .get(&region.id)
                .map_or(&[][..], |stores| stores.as_slice());
            let load = region_load(region, lowest, over_reported);
            self.master_view.update(region.id, load);
        }
    }

    /// The process died: where the master was told a store is complete past what its files
    /// hold (only HBASE-13811 tells it so), the split will drop those edits as flushed, and
    /// the oracle learns why they are lost.
    pub(super) fn explain_over_reported_stores(&mut self) {
        if !self.scenario.bugs.is_on(KnownBug::Hbase13811) {
            return;
        }
        for region in &self.regions {
            let Some(reported) = self.master_view.region(region.id) else {
                continue;
            };
            for store in &region.stores {
                let in_files = store.max_file_sequence_id();
                let told = reported
                    .stores
                    .get(store.family.as_bytes())
                    .copied()
                    .unwrap_or(0);
                self.oracle.unsplit(
                    region.id,
                    in_files + 1,
                    told,
                    LossCause::StoreSeqidOverReported,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimDuration;

    // Reports come every interval from the process's start, one per gap between events,
    // none while the process is down.
    #[test]
    fn reports_follow_the_interval_while_the_process_lives() {
        let interval = SimDuration::from_millis(3_000);
        let at = |ms: u64| SimTime::ZERO + SimDuration::from_millis(ms);
        let mut view = MasterView::default();
        assert!(!view.report_due(at(10_000), interval));
        view.process_started(at(0), interval);
        assert!(!view.report_due(at(2_999), interval));
        assert!(view.report_due(at(3_000), interval));
        assert!(!view.report_due(at(3_000), interval));
        // A quiet stretch: one report, then the next boundary after it.
        assert!(view.report_due(at(10_000), interval));
        assert!(!view.report_due(at(11_999), interval));
        assert!(view.report_due(at(12_000), interval));
        view.process_died();
        assert!(!view.report_due(at(60_000), interval));
        view.process_started(at(61_000), interval);
        assert!(view.report_due(at(64_000), interval));
    }

    // TestSplitWalDataLoss's sequence: edit 10 is in the snapshot of a flush, edit 11 came after
    // it. Reported right, the family is complete to 9; with HBASE-13811 to 10, so a split drops
    // edit 10 though no file holds it. An edit appended and not yet in the memstore counts; a
    // family with nothing unflushed reports the last flush's own id.
    #[test]
    fn a_store_is_complete_below_its_earliest_unflushed_edit() {
        let during_flush = Unflushed {
            snapshot: Some(10),
            active: Some(11),
            appended: None,
        };
        assert_eq!(store_complete_sequence_id(during_flush, 5, false), 9);
        assert_eq!(store_complete_sequence_id(during_flush, 5, true), 10);
        let snapshot_only = Unflushed {
            active: None,
            ..during_flush
        };
        assert_eq!(store_complete_sequence_id(snapshot_only, 5, false), 9);
        assert_eq!(store_complete_sequence_id(snapshot_only, 5, true), 5);
        let syncing = Unflushed {
            snapshot: None,
            active: Some(11),
            appended: Some(8),
        };
        for over_reported in [false, true] {
            assert_eq!(store_complete_sequence_id(syncing, 5, over_reported), 7);
            assert_eq!(
                store_complete_sequence_id(Unflushed::default(), 42, over_reported),
                42
            );
        }
    }

    // The master keeps the highest value per region and per family, whatever order they come in.
    #[test]
    fn the_master_keeps_the_highest_reported() {
        let ids = |region, a, b| ReportedIds {
            region,
            stores: BTreeMap::from([(b"a".to_vec(), a), (b"b".to_vec(), b)]),
        };
        let mut view = MasterView::default();
        assert_eq!(view.region(4), None);
        view.update(4, ids(10, 12, 9));
        view.update(4, ids(8, 20, 5));
        assert_eq!(view.region(4), Some(&ids(10, 20, 9)));
    }
}
