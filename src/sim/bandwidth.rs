//! A shared bandwidth: concurrent transfers split a fixed byte rate equally (processor sharing).
//!
//! This is the resource model behind "flushes, compactions and WAL writes share the disk": a
//! transfer that starts while another runs slows it down, and the first to finish speeds up the
//! rest. Progress is kept in integer byte-nanoseconds (bytes × 10⁹), so completion times are
//! exact and identical on every machine. The owner schedules one wake-up at
//! `next_completion()`; `generation()` changes whenever that time may have moved, which lets
//! the owner ignore stale wake-ups instead of cancelling them.

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
        }
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
        self.advance(now);
        let id = TransferId(self.next_id);
        self.next_id += 1;
        self.transfers.push(Transfer {
            id,
            remaining: u128::from(bytes) * NANOS_PER_SEC,
        });
        self.bytes_started += bytes;
        self.generation += 1;
        id
    }

    /// Changes the pipe's rate from `now` on (a slow disk, a recovered one).
    pub fn set_bytes_per_sec(&mut self, now: SimTime, bytes_per_sec: u64) {
        assert!(bytes_per_sec > 0, "a bandwidth of 0 B/s never finishes");
        self.advance(now);
        self.bytes_per_sec = bytes_per_sec;
        self.generation += 1;
    }

    /// When the next transfer finishes, if any runs.
    pub fn next_completion(&self) -> Option<SimTime> {
        let least = self.transfers.iter().map(|t| t.remaining).min()?;
        let sharers = self.transfers.len() as u128;
        let nanos = (least * sharers).div_ceil(u128::from(self.bytes_per_sec));
        Some(self.updated_at + SimDuration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX)))
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
        }
        finished
    }

    /// Moves every transfer forward to `now` at the equal share each had since the last update.
    fn advance(&mut self, now: SimTime) {
        let elapsed = u128::from(now.duration_since(self.updated_at).as_nanos());
        self.updated_at = now;
        if elapsed == 0 || self.transfers.is_empty() {
            return;
        }
        let progress = elapsed * u128::from(self.bytes_per_sec) / self.transfers.len() as u128;
        for transfer in &mut self.transfers {
            transfer.remaining = transfer.remaining.saturating_sub(progress);
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

    #[test]
    fn zero_bytes_finish_at_once() {
        let mut pipe = SharedBandwidth::new(MB);
        let now = SimTime::from_nanos(7);
        let id = pipe.start(now, 0);
        assert_eq!(pipe.next_completion(), Some(now));
        assert_eq!(pipe.take_finished(now), vec![id]);
    }
}
