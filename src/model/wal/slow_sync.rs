//! AbstractFSWAL's slow syncs (2.5): which syncs ask for a roll because they were slow.
//!
//! A sync slower than `hbase.regionserver.wal.slowsync.ms` is slow (postSync). A slow sync that
//! also took longer than `hbase.regionserver.wal.roll.on.sync.ms` asks for a roll at once; a
//! sync under the slow threshold never does, however long the roll threshold is set. FSHLog
//! (`hbase.wal.provider = filesystem`) also rolls on a train of them: after each sync that
//! succeeds with no roll requested (checkLogRoll, before that sync is counted), once
//! `hbase.regionserver.wal.slowsync.roll.interval.ms` has passed since the last check, it asks
//! for a roll if `hbase.regionserver.wal.slowsync.roll.threshold` slow syncs were counted —
//! unless two intervals or more have passed (a train that almost made it, then a long quiet
//! spell) — and counts afresh (doCheckSlowSync). A new writer (a roll, or a new server process)
//! counts afresh too. AsyncFSWAL counts slow syncs but never checks the count; 1.4's FSHLog only
//! logs them, so 1.4 has none of this.

use crate::sim::{SimDuration, SimTime};

/// FSHLog's count rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountRule {
    pub threshold: u64,
    pub interval: SimDuration,
}

/// The slow-sync settings of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowSyncSettings {
    /// hbase.regionserver.wal.slowsync.ms.
    pub slow: SimDuration,
    /// hbase.regionserver.wal.roll.on.sync.ms.
    pub roll_on_sync: SimDuration,
    /// FSHLog's count rule; `None` for AsyncFSWAL.
    pub count_rule: Option<CountRule>,
}

/// The WAL's count of slow syncs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowSyncs {
    settings: SlowSyncSettings,
    /// Slow syncs since the last check (or the writer's start).
    count: u64,
    /// lastTimeCheckSlowSync.
    last_check: SimTime,
    /// When the writer counted for started.
    writer_since: SimTime,
}

impl SlowSyncs {
    pub fn new(settings: SlowSyncSettings) -> SlowSyncs {
        SlowSyncs {
            settings,
            count: 0,
            last_check: SimTime::ZERO,
            writer_since: SimTime::ZERO,
        }
    }

    /// The writer in use started at `since`: a newer writer counts afresh.
    fn writer(&mut self, since: SimTime) {
        if since > self.writer_since {
            self.writer_since = since;
            self.last_check = since;
            self.count = 0;
        }
    }

    /// FSHLog's checkSlowSync after a sync that succeeded with no roll requested, on the writer
    /// started at `writer_since`: true to ask for a roll.
    pub fn check(&mut self, now: SimTime, writer_since: SimTime) -> bool {
        self.writer(writer_since);
        let Some(rule) = self.settings.count_rule else {
            return false;
        };
        let elapsed = now.saturating_duration_since(self.last_check);
        if elapsed < rule.interval {
            return false;
        }
        let roll = self.count >= rule.threshold && elapsed < rule.interval * 2;
        self.last_check = now;
        self.count = 0;
        roll
    }

    /// postSync: counts the sync if it was slow; true if it was slow enough to ask for a roll
    /// by itself.
    pub fn record(&mut self, latency: SimDuration, writer_since: SimTime) -> bool {
        self.writer(writer_since);
        if latency <= self.settings.slow {
            return false;
        }
        self.count += 1;
        latency > self.settings.roll_on_sync
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> SimDuration {
        SimDuration::from_millis(millis)
    }

    fn at(millis: u64) -> SimTime {
        SimTime::ZERO + ms(millis)
    }

    const FSHLOG: SlowSyncSettings = SlowSyncSettings {
        slow: SimDuration::from_millis(100),
        roll_on_sync: SimDuration::from_millis(10_000),
        count_rule: Some(CountRule {
            threshold: 3,
            interval: SimDuration::from_millis(60_000),
        }),
    };

    // Only a slow sync can roll on its own, and only above the roll threshold; a roll threshold
    // of 0 makes every slow sync roll.
    #[test]
    fn one_sync_rolls_only_when_slow_and_over_the_roll_threshold() {
        let mut syncs = SlowSyncs::new(FSHLOG);
        assert!(!syncs.record(ms(100), at(0)));
        assert!(!syncs.record(ms(9_000), at(0)));
        assert!(syncs.record(ms(10_001), at(0)));
        let mut eager = SlowSyncs::new(SlowSyncSettings {
            roll_on_sync: SimDuration::ZERO,
            slow: ms(20_000),
            count_rule: None,
        });
        assert!(!eager.record(ms(15_000), at(0)));
        assert!(eager.record(ms(20_001), at(0)));
    }

    // The count is looked at once an interval has passed since the last check: at the threshold
    // it rolls, below it not, and after two intervals or more it does not either; each check
    // and each new writer counts afresh. Without the rule (AsyncFSWAL) nothing rolls.
    #[test]
    fn a_train_of_slow_syncs_rolls_fshlog() {
        let mut syncs = SlowSyncs::new(FSHLOG);
        for _ in 0..3 {
            syncs.record(ms(150), at(0));
        }
        assert!(!syncs.check(at(59_999), at(0)));
        assert!(syncs.check(at(60_000), at(0)));
        for _ in 0..2 {
            syncs.record(ms(150), at(0));
        }
        assert!(!syncs.check(at(120_000), at(0)));
        for _ in 0..3 {
            syncs.record(ms(150), at(0));
        }
        assert!(!syncs.check(at(240_000), at(0)));
        for _ in 0..3 {
            syncs.record(ms(150), at(0));
        }
        // A roll at 250 s: the count starts again, and so does the interval.
        assert!(!syncs.check(at(301_000), at(250_000)));
        let mut asynchronous = SlowSyncs::new(SlowSyncSettings {
            count_rule: None,
            ..FSHLOG
        });
        for _ in 0..10 {
            asynchronous.record(ms(150), at(0));
        }
        assert!(!asynchronous.check(at(60_000), at(0)));
    }
}
