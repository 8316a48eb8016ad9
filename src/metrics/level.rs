//! A level that changes over time (writers blocked, requests queued): its peak, the time it
//! spent above zero, and its time average, integrated exactly in level × nanoseconds.

use crate::sim::{SimDuration, SimTime};

#[derive(Debug, Clone, Default)]
pub struct LevelOverTime {
    level: u64,
    since: SimTime,
    peak: u64,
    /// ∫ level dt, in level × nanoseconds.
    integral: u128,
    nanos_above_zero: u64,
}

impl LevelOverTime {
    /// Sets the level from `now` on.
    pub fn set(&mut self, now: SimTime, level: u64) {
        self.advance(now);
        self.level = level;
        self.peak = self.peak.max(level);
    }

    pub fn level(&self) -> u64 {
        self.level
    }

    pub fn peak(&self) -> u64 {
        self.peak
    }

    /// Time spent with the level above zero, up to `now`.
    pub fn time_above_zero(&self, now: SimTime) -> SimDuration {
        let open = if self.level > 0 {
            now.saturating_duration_since(self.since).as_nanos()
        } else {
            0
        };
        SimDuration::from_nanos(self.nanos_above_zero + open)
    }

    /// ∫ level dt up to `now`, in level × seconds.
    pub fn integral_seconds(&self, now: SimTime) -> f64 {
        let open = u128::from(self.level)
            * u128::from(now.saturating_duration_since(self.since).as_nanos());
        (self.integral + open) as f64 / 1e9
    }

    /// The time average from the start to `now`.
    pub fn mean(&self, now: SimTime) -> f64 {
        if now == SimTime::ZERO {
            return 0.0;
        }
        self.integral_seconds(now) / now.as_secs_f64()
    }

    fn advance(&mut self, now: SimTime) {
        let elapsed = now.duration_since(self.since).as_nanos();
        self.integral += u128::from(self.level) * u128::from(elapsed);
        if self.level > 0 {
            self.nanos_above_zero += elapsed;
        }
        self.since = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_exactly() {
        let mut level = LevelOverTime::default();
        let at = |secs| SimTime::ZERO + SimDuration::from_secs(secs);
        level.set(at(1), 2);
        level.set(at(3), 0);
        level.set(at(6), 1);
        assert_eq!(level.peak(), 2);
        assert_eq!(level.time_above_zero(at(10)), SimDuration::from_secs(6));
        assert_eq!(level.integral_seconds(at(10)), 8.0);
        assert_eq!(level.mean(at(10)), 0.8);
    }
}
