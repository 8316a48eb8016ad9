//! When injected faults strike: the scenario's `[[faults]]` turned into decisions, each fault
//! drawing from its own stream (`fault.<index>.<kind>`), so that adding a fault moves no other
//! draw of the run. Faults that strike at a time become events; the others are asked at their
//! occasion (a sync starting or ending, a flush or a roll starting).

use crate::scenario::fault::{CrashPoint, FaultKind, FaultSpec};
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

/// The moments of the server's work at which faults may strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    SyncStart,
    SyncEnd,
    FlushStart,
    RollStart,
}

impl Occasion {
    /// The occasion a fault kind strikes at; `None` for kinds that strike at a time.
    fn of(kind: FaultKind) -> Option<Occasion> {
        match kind {
            FaultKind::WalSyncFailure => Some(Occasion::SyncEnd),
            FaultKind::WalSlowSync { .. }
            | FaultKind::WalTornWrite { .. }
            | FaultKind::Crash {
                during: Some(CrashPoint::Sync),
            } => Some(Occasion::SyncStart),
            FaultKind::Crash {
                during: Some(CrashPoint::Flush),
            } => Some(Occasion::FlushStart),
            FaultKind::Crash {
                during: Some(CrashPoint::Roll),
            } => Some(Occasion::RollStart),
            FaultKind::Crash { during: None }
            | FaultKind::ZkExpiry
            | FaultKind::WalCorruption { .. }
            | FaultKind::WalUnreadable { .. }
            | FaultKind::SlowDisk { .. } => None,
        }
    }
}

/// One fault of the plan.
#[derive(Debug, Clone)]
struct Planned {
    kind: FaultKind,
    occasion: Option<Occasion>,
    schedule: Schedule,
}

/// The faults of a run: when each strikes, and each one's own random stream.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    faults: Vec<Planned>,
}

impl FaultPlan {
    pub fn new(faults: &[FaultSpec], seed: u64) -> FaultPlan {
        let at_time = |duration| SimTime::ZERO + duration;
        let faults = faults
            .iter()
            .enumerate()
            .map(|(index, fault)| Planned {
                kind: fault.kind,
                occasion: Occasion::of(fault.kind),
                schedule: Schedule {
                    at: fault.timing.at.map(|(at, count)| (at_time(at), count)),
                    window: fault.timing.window.map(|(start, end, probability)| {
                        (at_time(start), at_time(end), probability)
                    }),
                    stream: RandomStream::new(
                        seed,
                        &format!("fault.{index}.{}", fault.kind.name()),
                    ),
                },
            })
            .collect();
        FaultPlan { faults }
    }

    /// The faults that strike at a time, by index, with that time.
    pub fn timed(&self) -> Vec<(SimTime, usize)> {
        self.faults
            .iter()
            .enumerate()
            .filter(|(_, fault)| fault.occasion.is_none())
            .filter_map(|(index, fault)| fault.schedule.at.map(|(at, _)| (at, index)))
            .collect()
    }

    pub fn kind(&self, index: usize) -> FaultKind {
        self.faults[index].kind
    }

    /// The faults that strike at this occasion, by index. Every fault of the occasion is
    /// asked, so each draws the same way whatever the others decide.
    pub fn strike(&mut self, occasion: Occasion, now: SimTime) -> Vec<usize> {
        let mut struck = Vec::new();
        for (index, fault) in self.faults.iter_mut().enumerate() {
            if fault.occasion == Some(occasion) && fault.schedule.strikes(now) {
                struck.push(index);
            }
        }
        struck
    }

    /// The fault's own stream, for what it decides when it strikes (where a byte flips, how
    /// much of an entry is torn).
    pub fn stream(&mut self, index: usize) -> &mut RandomStream {
        &mut self.faults[index].schedule.stream
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
        let fails =
            |plan: &mut FaultPlan, secs| !plan.strike(Occasion::SyncEnd, at(secs)).is_empty();
        assert!(!fails(&mut plan, 4));
        assert!(fails(&mut plan, 5));
        assert!(fails(&mut plan, 6));
        assert!(!fails(&mut plan, 7));
        assert!(plan.strike(Occasion::SyncStart, at(5)).is_empty());
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
        let mut fails = |secs| !plan.strike(Occasion::SyncEnd, at(secs)).is_empty();
        assert!((0..1000).all(|_| !fails(5)));
        let hits = (0..10_000).filter(|_| fails(15)).count();
        assert!((2300..2700).contains(&hits), "{hits}");
        assert!(!fails(20));
    }
}
