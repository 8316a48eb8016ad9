//! AdaptiveLifoCoDelCallQueue (`hbase.ipc.server.callqueue.type = codel`): a call queue that
//! serves the newest call first once it is fuller than the LIFO threshold, and drops calls that
//! waited too long while it is overloaded (Facebook's "Fail at Scale" CoDel for job queues).
//!
//! Each queue keeps the least queueing time seen in the current interval. When a handler takes a
//! call after the interval has ended, the queue counts as overloaded for the next interval if
//! that least time was above the target delay, and the call taken starts the new minimum (it is
//! never dropped). While overloaded, a call that waited more than twice the target is dropped:
//! its client gets CallDroppedException and the handler takes the next. Times are the server
//! clock's milliseconds, as HBase's EnvironmentEdgeManager gives them; the interval starts when
//! the server does.

use crate::model::config::CodelSettings;

/// One queue's CoDel state (needToDrop's fields).
#[derive(Debug, Clone)]
pub struct Codel {
    settings: CodelSettings,
    /// The least queueing time of the interval, in ms.
    min_delay_ms: u64,
    /// When the interval ends, in ms since the server started.
    interval_end_ms: u64,
    /// The next call taken starts a new minimum.
    reset_delay: bool,
    overloaded: bool,
}

impl Codel {
    pub fn new(settings: CodelSettings) -> Codel {
        Codel {
            settings,
            min_delay_ms: 0,
            interval_end_ms: 0,
            reset_delay: true,
            overloaded: false,
        }
    }

    /// Whether a handler taking from a queue of `length` calls takes the newest
    /// (`queue.size() / limit > lifoThreshold`, in doubles).
    pub fn takes_newest(&self, length: usize) -> bool {
        length as f64 / self.settings.lifo_denominator as f64 > self.settings.lifo_threshold
    }

    /// needToDrop for a call taken at `now_ms` that arrived at `received_ms`.
    pub fn need_to_drop(&mut self, now_ms: u64, received_ms: u64) -> bool {
        let delay = now_ms - received_ms;
        let min_delay = self.min_delay_ms;
        if now_ms > self.interval_end_ms && !self.reset_delay {
            self.reset_delay = true;
            self.interval_end_ms = now_ms + self.settings.interval_ms;
            self.overloaded = min_delay > self.settings.target_delay_ms;
        }
        if self.reset_delay {
            self.reset_delay = false;
            self.min_delay_ms = delay;
            return false;
        }
        if delay < min_delay {
            self.min_delay_ms = delay;
        }
        self.overloaded && delay > 2 * self.settings.target_delay_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CodelSettings {
        CodelSettings {
            target_delay_ms: 100,
            interval_ms: 100,
            lifo_threshold: 0.8,
            lifo_denominator: 100,
        }
    }

    // needToDrop step by step (target and interval 100 ms): the first take after an interval
    // ends starts the next, with the verdict "overloaded" if the least wait of the one before
    // was over the target, and is itself kept; while overloaded, calls that waited over 200 ms
    // are dropped; a short wait ends the overload at the next interval.
    #[test]
    fn drops_follow_the_least_wait_of_the_last_interval() {
        let mut codel = Codel::new(settings());
        let steps = [
            // (now, received, dropped)
            (10, 0, false),    // resets the minimum: 10
            (20, 0, false),    // interval over (least 10): not overloaded; resets: 20
            (130, 0, false),   // over at 120 (least 20): not overloaded; resets: 130
            (240, 0, false),   // over at 230 (least 130 > 100): overloaded; resets: 240
            (250, 0, true),    // 250 ms > 200 ms while overloaded
            (260, 100, false), // 160 ms: kept, the new least
            (350, 340, false), // over at 340 (least 160): overloaded again; resets: 10
            (360, 0, true),    // 360 ms
            (460, 0, false),   // over at 450 (least 10): no longer overloaded; resets
            (470, 0, false),   // 470 ms, but not overloaded
        ];
        for (now, received, dropped) in steps {
            assert_eq!(codel.need_to_drop(now, received), dropped, "at {now} ms");
        }
    }

    // The LIFO switch: length ÷ the denominator above the threshold.
    #[test]
    fn the_newest_call_goes_first_above_the_threshold() {
        let codel = Codel::new(settings());
        assert!(!codel.takes_newest(80));
        assert!(codel.takes_newest(81));
    }
}
