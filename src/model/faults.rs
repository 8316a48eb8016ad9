//! When injected faults strike: the scenario's `[[faults]]` turned into decisions, each fault
//! drawing from its own stream (`fault.<index>.<kind>`), so that adding a fault moves no other
//! draw of the run.

use crate::scenario::fault::{FaultKind, FaultSpec};
use crate::sim::{RandomStream, SimTime};

/// One fault's schedule.
#[derive(Debug, Clone)]
struct Schedule {
    /// From `at`, this many occasions left.
    at: Option<(SimTime, u32)>,
    /// In [start, end), each occasion with this probability.
    window: Option<(SimTime, SimTime, f64)>,
    stream: RandomStream,
}

impl Schedule {
    /// Whether this occasion, at `now`, is hit.
    fn strikes(&mut self, now: SimTime) -> bool {
        if let Some((at, left)) = &mut self.at
            && *left > 0
            && now >= *at
        {
            *left -= 1;
            return true;
        }
        match self.window {
            Some((start, end, probability)) if now >= start && now < end => {
                self.stream.chance(probability)
            }
            _ => false,
        }
    }
}

/// The schedules of the WAL sync failures of a run.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    wal_sync_failures: Vec<Schedule>,
}

impl FaultPlan {
    pub fn new(faults: &[FaultSpec], seed: u64) -> FaultPlan {
        let mut plan = FaultPlan::default();
        for (index, fault) in faults.iter().enumerate() {
            let at_time = |duration| SimTime::ZERO + duration;
            let schedule = Schedule {
                at: fault.timing.at.map(|(at, count)| (at_time(at), count)),
                window: fault
                    .timing
                    .window
                    .map(|(start, end, probability)| (at_time(start), at_time(end), probability)),
                stream: RandomStream::new(seed, &format!("fault.{index}.{}", fault.kind.name())),
            };
            match fault.kind {
                FaultKind::WalSyncFailure => plan.wal_sync_failures.push(schedule),
            }
        }
        plan
    }

    /// Whether a WAL sync ending now fails. Every schedule is asked, so each draws the same
    /// way whatever the others decide.
    pub fn wal_sync_fails(&mut self, now: SimTime) -> bool {
        let mut fails = false;
        for schedule in &mut self.wal_sync_failures {
            fails |= schedule.strikes(now);
        }
        fails
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::fault::FaultTiming;
    use crate::sim::SimDuration;

    fn fault(timing: FaultTiming) -> FaultSpec {
        FaultSpec {
            kind: FaultKind::WalSyncFailure,
            timing,
        }
    }

    // `at` with a count hits exactly that many occasions from then on.
    #[test]
    fn timed_faults_hit_count_occasions() {
        let mut plan = FaultPlan::new(
            &[fault(FaultTiming {
                at: Some((SimDuration::from_secs(5), 2)),
                window: None,
            })],
            1,
        );
        let at = |secs| SimTime::ZERO + SimDuration::from_secs(secs);
        assert!(!plan.wal_sync_fails(at(4)));
        assert!(plan.wal_sync_fails(at(5)));
        assert!(plan.wal_sync_fails(at(6)));
        assert!(!plan.wal_sync_fails(at(7)));
    }

    // A window with probability p hits about p of its occasions, none outside it.
    #[test]
    fn windows_hit_with_their_probability() {
        let mut plan = FaultPlan::new(
            &[fault(FaultTiming {
                at: None,
                window: Some((SimDuration::from_secs(10), SimDuration::from_secs(20), 0.25)),
            })],
            1,
        );
        let at = |secs| SimTime::ZERO + SimDuration::from_secs(secs);
        assert!((0..1000).all(|_| !plan.wal_sync_fails(at(5))));
        let hits = (0..10_000).filter(|_| plan.wal_sync_fails(at(15))).count();
        assert!((2300..2700).contains(&hits), "{hits}");
        assert!(!plan.wal_sync_fails(at(20)));
    }
}
