//! Jobs run a fixed number at a time: each, once it has a slot, waits its own delay and then
//! moves its bytes over a pipe the running jobs share (`SharedBandwidth`). The answer is when
//! each job finishes, from the start — a pure function, for work that the simulation schedules
//! as a whole (a batch of WAL split tasks on a worker's slots, regions opened a few at a time).
//!
//! Jobs take slots in the order given; a slot freed takes the next job at once.

use super::bandwidth::{SharedBandwidth, TransferId};
use super::time::{SimDuration, SimTime};

/// One job: a wait, then bytes over the shared pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub delay: SimDuration,
    pub bytes: u64,
}

enum Phase {
    Waiting(SimTime),
    Moving(TransferId),
}

/// When each job finishes (from time zero), running `slots` at a time over a pipe of
/// `bytes_per_sec`.
pub fn finish_times(jobs: &[Job], slots: u64, bytes_per_sec: u64) -> Vec<SimDuration> {
    assert!(slots > 0, "at least one slot");
    let mut pipe = SharedBandwidth::new(bytes_per_sec.max(1));
    let mut now = SimTime::ZERO;
    let mut finished = vec![SimDuration::ZERO; jobs.len()];
    let mut running: Vec<(usize, Phase)> = Vec::new();
    let mut next = 0;
    loop {
        while (running.len() as u64) < slots && next < jobs.len() {
            running.push((next, Phase::Waiting(now.saturating_add(jobs[next].delay))));
            next += 1;
        }
        if running.is_empty() {
            return finished;
        }
        let wake = running
            .iter()
            .filter_map(|(_, phase)| match phase {
                Phase::Waiting(until) => Some(*until),
                Phase::Moving(_) => None,
            })
            .chain(pipe.next_completion())
            .min()
            .expect("a running job waits or moves bytes");
        if wake == SimTime::MAX {
            // The rest would finish past the clock's end (bytes too many for the pipe's rate):
            // never, in any run.
            for job in running.iter().map(|(job, _)| *job).chain(next..jobs.len()) {
                finished[job] = SimDuration::MAX;
            }
            return finished;
        }
        now = wake;
        let done = pipe.take_finished(now);
        let mut still = Vec::with_capacity(running.len());
        for (job, phase) in running {
            match phase {
                Phase::Waiting(until) if until <= now => {
                    if jobs[job].bytes == 0 {
                        finished[job] = now.duration_since(SimTime::ZERO);
                    } else {
                        still.push((job, Phase::Moving(pipe.start(now, jobs[job].bytes))));
                    }
                }
                Phase::Moving(id) if done.contains(&id) => {
                    finished[job] = now.duration_since(SimTime::ZERO);
                }
                phase => still.push((job, phase)),
            }
        }
        running = still;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(seconds: u64) -> SimDuration {
        SimDuration::from_secs(seconds)
    }

    // Two slots over a 100 B/s pipe: jobs of 100 bytes with no delay share it (2 s each), the
    // third starts when a slot frees and has the pipe alone (1 s); a delay holds a slot
    // without using the pipe.
    #[test]
    fn slots_and_sharing() {
        let job = |delay, bytes| Job {
            delay: secs(delay),
            bytes,
        };
        assert_eq!(
            finish_times(&[job(0, 100), job(0, 100), job(0, 100)], 2, 100),
            [secs(2), secs(2), secs(3)]
        );
        assert_eq!(
            finish_times(&[job(4, 100), job(0, 100)], 2, 100),
            [secs(5), secs(1)]
        );
        assert_eq!(
            finish_times(&[job(1, 0), job(1, 0), job(1, 0)], 2, 100),
            [secs(1), secs(1), secs(2)]
        );
        assert!(finish_times(&[], 3, 100).is_empty());
    }

    // A job too long for the clock (10¹⁹ bytes at 1 B/s) finishes never, and so does the one
    // waiting for its slot; those on another slot finish as usual, sharing the pipe with it
    // (a byte at half the rate: 2 s each).
    #[test]
    fn jobs_past_the_clocks_end_finish_never() {
        let job = |bytes| Job {
            delay: SimDuration::ZERO,
            bytes,
        };
        assert_eq!(
            finish_times(&[job(10_000_000_000_000_000_000), job(1), job(1)], 2, 1),
            [SimDuration::MAX, secs(2), secs(4)]
        );
        assert_eq!(
            finish_times(&[job(10_000_000_000_000_000_000), job(1)], 1, 1),
            [SimDuration::MAX, SimDuration::MAX]
        );
    }
}
