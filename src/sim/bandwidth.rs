//! A shared bandwidth: concurrent transfers split a fixed byte rate equally (processor sharing),
//! except that a transfer may be capped below its share (a throttled compaction), and then what
//! it leaves goes to the others — max-min fairness, found by water-filling.
//!
//! This is the resource model behind "flushes, compactions and WAL writes share the disk": a
//! transfer that starts while another runs slows it down, and the first to finish speeds up the
//! rest. Progress is kept in integer byte-nanoseconds (bytes × 10⁹) and rates as exact
//! fractions, so completion times are exact and identical on every machine. The owner schedules
//! one wake-up at `next_completion()`; `generation()` changes whenever that time may have moved,
//! which lets the owner ignore stale wake-ups instead of cancelling them.

use super::time::{SimDuration, SimTime};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Identifies one transfer on a `SharedBandwidth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransferId(pub u64);

#[derive(Debug, Clone)]
struct Transfer {
    id: TransferId,
    /// Work left, in byte-nanoseconds: bytes × 10⁹.
    remaining: u128,
    /// The most bytes per second this transfer may take.
    cap: Option<u64>,
}

/// A transfer's rate in bytes per second, as the fraction `num / den`.
#[derive(Debug, Clone, Copy)]
struct Rate {
    num: u128,
    den: u128,
}

/// Transfers in progress on one pipe of fixed bandwidth.
#[derive(Debug, Clone)]
pub struct SharedBandwidth {
    bytes_per_sec: u64,
    transfers: Vec<Transfer>,
    updated_at: SimTime,
    next_id: u64,
    generation: u64,
    bytes_started: u64,
    /// Each transfer's rate, in `transfers` order, recomputed whenever transfers or caps change.
    rates: Vec<Rate>,
    /// Up to `updated_at`: the bytes moved and the bytes the pipe could have moved (both in
    /// byte-nanoseconds per second, the unit of `remaining`), for its utilisation.
    moved: u128,
    capacity: u128,
}

impl SharedBandwidth {
    pub fn new(bytes_per_sec: u64) -> SharedBandwidth {
        assert!(bytes_per_sec > 0, "a bandwidth of 0 B/s never finishes");
        SharedBandwidth {
            bytes_per_sec,
            transfers: Vec::new(),
            updated_at: SimTime::ZERO,
            next_id: 0,
            generation: 0,
            bytes_started: 0,
            rates: Vec::new(),
            moved: 0,
            capacity: 0,
        }
    }

    /// The share of what the pipe could have moved since the start that it moved, up to `now`
    /// (at or after its last change): 1 when transfers kept it full all along.
    pub fn utilisation(&self, now: SimTime) -> f64 {
        let (moved, capacity) = self.work(now);
        if capacity == 0 {
            0.0
        } else {
            moved as f64 / capacity as f64
        }
    }

    /// From the start up to `now` (at or after its last change): what the pipe moved and what
    /// it could have moved, in byte-nanoseconds per second; differences of two give an
    /// interval's utilisation.
    pub fn work(&self, now: SimTime) -> (u128, u128) {
        let elapsed = u128::from(now.duration_since(self.updated_at).as_nanos());
        let moved: u128 = self.moved
            + self
                .transfers
                .iter()
                .zip(&self.rates)
                .map(|(transfer, rate)| (elapsed * rate.num / rate.den).min(transfer.remaining))
                .sum::<u128>();
        (
            moved,
            self.capacity + elapsed * u128::from(self.bytes_per_sec),
        )
    }

    pub fn bytes_per_sec(&self) -> u64 {
        self.bytes_per_sec
    }

    /// How many transfers share the pipe now.
    pub fn active(&self) -> usize {
        self.transfers.len()
    }

    /// Changes whenever `next_completion` may have changed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Total bytes of all transfers ever started.
    pub fn bytes_started(&self) -> u64 {
        self.bytes_started
    }

    /// The time one transfer of `bytes` would take alone on the pipe.
    pub fn solo_duration(&self, bytes: u64) -> SimDuration {
        let nanos = (u128::from(bytes) * NANOS_PER_SEC).div_ceil(u128::from(self.bytes_per_sec));
        SimDuration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Starts a transfer of `bytes` at `now`.
    pub fn start(&mut self, now: SimTime, bytes: u64) -> TransferId {
        self.start_capped(now, bytes, None)
    }

    /// Starts a transfer of `bytes` at `now` that takes at most `cap` bytes per second.
    pub fn start_capped(&mut self, now: SimTime, bytes: u64, cap: Option<u64>) -> TransferId {
        self.advance(now);
        let id = TransferId(self.next_id);
        self.next_id += 1;
        self.transfers.push(Transfer {
            id,
            remaining: u128::from(bytes) * NANOS_PER_SEC,
            cap: cap.map(|cap| cap.max(1)),
        });
        self.bytes_started += bytes;
        self.generation += 1;
        self.rates = self.water_fill();
        id
    }

    /// Changes a running transfer's cap from `now` on (None: uncapped).
    pub fn set_cap(&mut self, now: SimTime, id: TransferId, cap: Option<u64>) {
        self.advance(now);
        if let Some(transfer) = self.transfers.iter_mut().find(|t| t.id == id) {
            transfer.cap = cap.map(|cap| cap.max(1));
            self.generation += 1;
            self.rates = self.water_fill();
        }
    }

    /// Bytes a running transfer still has to move (rounded up).
    pub fn remaining_bytes(&self, now: SimTime, id: TransferId) -> Option<u64> {
        let elapsed = u128::from(now.duration_since(self.updated_at).as_nanos());
        self.transfers
            .iter()
            .zip(&self.rates)
            .find(|(transfer, _)| transfer.id == id)
            .map(|(transfer, rate)| {
                let left = transfer
                    .remaining
                    .saturating_sub(elapsed * rate.num / rate.den);
                u64::try_from(left.div_ceil(NANOS_PER_SEC)).unwrap_or(u64::MAX)
            })
    }

    /// Changes the pipe's rate from `now` on (a slow disk, a recovered one).
    pub fn set_bytes_per_sec(&mut self, now: SimTime, bytes_per_sec: u64) {
        assert!(bytes_per_sec > 0, "a bandwidth of 0 B/s never finishes");
        self.advance(now);
        self.bytes_per_sec = bytes_per_sec;
        self.generation += 1;
        self.rates = self.water_fill();
    }

    /// When the next transfer finishes, if any runs.
    pub fn next_completion(&self) -> Option<SimTime> {
        let nanos = self
            .transfers
            .iter()
            .zip(&self.rates)
            .map(|(transfer, rate)| (transfer.remaining * rate.den).div_ceil(rate.num))
            .min()?;
        // A transfer too long for the clock finishes at its end, which no run reaches.
        Some(self.updated_at.saturating_add(SimDuration::from_nanos(
            u64::try_from(nanos).unwrap_or(u64::MAX),
        )))
    }

    /// Each transfer's rate, in `transfers` order: water-filling, so capped transfers below the
    /// fair share get their cap and the rest split what is left equally.
    fn water_fill(&self) -> Vec<Rate> {
        let count = self.transfers.len();
        let mut capped: Vec<(u64, usize)> = self
            .transfers
            .iter()
            .enumerate()
            .filter_map(|(index, transfer)| transfer.cap.map(|cap| (cap, index)))
            .collect();
        capped.sort_unstable();
        let mut rates = vec![Rate { num: 0, den: 1 }; count];
        let mut fixed = vec![false; count];
        let mut left = u128::from(self.bytes_per_sec);
        let mut sharers = count as u128;
        for (cap, index) in capped {
            // The cap binds only if it is below an equal share of what is left.
            if u128::from(cap) * sharers >= left {
                break;
            }
            rates[index] = Rate {
                num: u128::from(cap),
                den: 1,
            };
            fixed[index] = true;
            left -= u128::from(cap);
            sharers -= 1;
        }
        for (rate, fixed) in rates.iter_mut().zip(fixed) {
            if !fixed {
                *rate = Rate {
                    num: left,
                    den: sharers,
                };
            }
        }
        rates
    }

    /// Removes and returns, in start order, every transfer that has finished by `now`.
    pub fn take_finished(&mut self, now: SimTime) -> Vec<TransferId> {
        self.advance(now);
        let mut finished = Vec::new();
        self.transfers.retain(|transfer| {
            if transfer.remaining == 0 {
                finished.push(transfer.id);
                false
            } else {
                true
            }
        });
        if !finished.is_empty() {
            self.generation += 1;
            self.rates = self.water_fill();
        }
        finished
    }

    /// Stops a running transfer at `now` (its work is abandoned); false if it is not running.
    pub fn cancel(&mut self, now: SimTime, id: TransferId) -> bool {
        self.advance(now);
        let before = self.transfers.len();
        self.transfers.retain(|transfer| transfer.id != id);
        if self.transfers.len() == before {
            return false;
        }
        self.generation += 1;
        self.rates = self.water_fill();
        true
    }

    /// Moves every transfer forward to `now` at the rate each had since the last update.
    fn advance(&mut self, now: SimTime) {
        let elapsed = u128::from(now.duration_since(self.updated_at).as_nanos());
        self.updated_at = now;
        self.capacity += elapsed * u128::from(self.bytes_per_sec);
        if elapsed == 0 || self.transfers.is_empty() {
            return;
        }
        for (transfer, rate) in self.transfers.iter_mut().zip(&self.rates) {
            let progress = (elapsed * rate.num / rate.den).min(transfer.remaining);
            self.moved += progress;
            transfer.remaining -= progress;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    // Alone, a transfer takes bytes / rate.
    #[test]
    fn a_lone_transfer_takes_bytes_over_rate() {
        let mut pipe = SharedBandwidth::new(100 * MB);
        let id = pipe.start(SimTime::ZERO, 50 * MB);
        let done = pipe.next_completion().unwrap();
        assert_eq!(done, SimTime::ZERO + SimDuration::from_millis(500));
        assert_eq!(pipe.take_finished(done), vec![id]);
        assert_eq!(pipe.active(), 0);
        assert_eq!(pipe.next_completion(), None);
    }

    // Utilisation: a transfer of 50 MB on a 100 MB/s pipe keeps it full for 0.5 s; over 2 s
    // that is a quarter; a capped transfer fills only its cap's share.
    #[test]
    fn utilisation_is_bytes_moved_over_bytes_possible() {
        let mut pipe = SharedBandwidth::new(100 * MB);
        let at = |millis| SimTime::ZERO + SimDuration::from_millis(millis);
        assert_eq!(pipe.utilisation(at(1000)), 0.0);
        pipe.start(SimTime::ZERO, 50 * MB);
        assert_eq!(pipe.utilisation(at(250)), 1.0);
        let done = pipe.next_completion().unwrap();
        pipe.take_finished(done);
        assert_eq!(pipe.utilisation(at(2000)), 0.25);
        let mut capped = SharedBandwidth::new(100 * MB);
        capped.start_capped(SimTime::ZERO, 100 * MB, Some(25 * MB));
        assert_eq!(capped.utilisation(at(1000)), 0.25);
    }

    // Two equal transfers started together share the pipe and finish together at 2 × solo time;
    // a second one started halfway delays the first by exactly its shared part.
    #[test]
    fn concurrent_transfers_share_equally() {
        let mut pipe = SharedBandwidth::new(100 * MB);
        let a = pipe.start(SimTime::ZERO, 100 * MB);
        let half = SimTime::ZERO + SimDuration::from_millis(500);
        let b = pipe.start(half, 100 * MB);
        // a has 50 MB left at half rate: 1 s more; it ends at 1.5 s.
        let first = pipe.next_completion().unwrap();
        assert_eq!(first, SimTime::ZERO + SimDuration::from_millis(1500));
        assert_eq!(pipe.take_finished(first), vec![a]);
        // b moved 50 MB in that second and now runs alone: 0.5 s more.
        let second = pipe.next_completion().unwrap();
        assert_eq!(second, SimTime::ZERO + SimDuration::from_millis(2000));
        assert_eq!(pipe.take_finished(second), vec![b]);
    }

    // Byte conservation: whatever the overlap, the pipe is never faster than its rate, and it is
    // never idle while work remains, so n transfers of B bytes end at n·B/rate.
    #[test]
    fn the_pipe_is_work_conserving() {
        let mut pipe = SharedBandwidth::new(10 * MB);
        let mut now = SimTime::ZERO;
        for i in 0..5 {
            pipe.start(now, (i + 1) * MB);
            now += SimDuration::from_millis(37);
        }
        let mut last = now;
        while let Some(done) = pipe.next_completion() {
            last = done;
            pipe.take_finished(done);
        }
        let total = 15 * MB;
        let ideal = SimTime::ZERO + pipe.solo_duration(total);
        assert!(
            last >= ideal && last <= ideal + SimDuration::from_nanos(5),
            "{last} vs {ideal}"
        );
    }

    // Max-min fairness: a transfer capped below its equal share gets its cap, the others split
    // the rest; a cap above the share does not bind; lifting a cap speeds the transfer up.
    #[test]
    fn a_capped_transfer_leaves_its_unused_share_to_the_others() {
        let mut pipe = SharedBandwidth::new(100 * MB);
        let capped = pipe.start_capped(SimTime::ZERO, 10 * MB, Some(10 * MB));
        let free = pipe.start(SimTime::ZERO, 90 * MB);
        // capped runs at 10 MB/s, free at 90 MB/s: both end at 1 s.
        let done = pipe.next_completion().unwrap();
        assert_eq!(done, SimTime::ZERO + SimDuration::from_secs(1));
        assert_eq!(pipe.take_finished(done), vec![capped, free]);

        let mut pipe = SharedBandwidth::new(100 * MB);
        let loose = pipe.start_capped(SimTime::ZERO, 60 * MB, Some(80 * MB));
        pipe.start(SimTime::ZERO, 100 * MB);
        // 80 MB/s is above the equal share of 50: both run at 50 MB/s.
        assert_eq!(
            pipe.remaining_bytes(SimTime::ZERO + SimDuration::from_secs(1), loose),
            Some(10 * MB)
        );
        let mut pipe = SharedBandwidth::new(100 * MB);
        let slow = pipe.start_capped(SimTime::ZERO, 20 * MB, Some(10 * MB));
        let half = SimTime::ZERO + SimDuration::from_secs(1);
        pipe.set_cap(half, slow, None);
        // 10 MB moved in the first second, then 10 MB at the full 100 MB/s: 0.1 s more.
        assert_eq!(
            pipe.next_completion(),
            Some(half + SimDuration::from_millis(100))
        );
    }

    // A cancelled transfer leaves the pipe to the others from then on.
    #[test]
    fn a_cancelled_transfer_gives_its_share_back() {
        let mut pipe = SharedBandwidth::new(100 * MB);
        let gone = pipe.start(SimTime::ZERO, 100 * MB);
        let kept = pipe.start(SimTime::ZERO, 100 * MB);
        let half = SimTime::ZERO + SimDuration::from_secs(1);
        assert!(pipe.cancel(half, gone));
        assert!(!pipe.cancel(half, gone));
        // 50 MB moved at 50 MB/s, the other 50 MB at 100 MB/s: done at 1.5 s.
        let done = pipe.next_completion().unwrap();
        assert_eq!(done, half + SimDuration::from_millis(500));
        assert_eq!(pipe.take_finished(done), vec![kept]);
    }

    #[test]
    fn zero_bytes_finish_at_once() {
        let mut pipe = SharedBandwidth::new(MB);
        let now = SimTime::from_nanos(7);
        let id = pipe.start(now, 0);
        assert_eq!(pipe.next_completion(), Some(now));
        assert_eq!(pipe.take_finished(now), vec![id]);
    }
}
