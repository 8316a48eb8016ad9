//! Jobs run a fixed number at a time: each, once it has a slot, waits its own delay, then (when
//! cores are given) runs its CPU work on the cores the running jobs share, a job at most one
//! core, and then moves its bytes over a pipe the running jobs share (`SharedBandwidth`, for
//! the cores as for the pipe). The answer is when
//! each job finishes, from the start — a pure function, for work that the simulation schedules
//! as a whole (a batch of WAL split tasks on a worker's slots, regions opened a few at a time).
//!
//! Jobs take slots in the order given; a slot freed takes the next job at once.

use super::bandwidth::{SharedBandwidth, TransferId};
use super::time::{SimDuration, SimTime};

/// One job: a wait, then CPU on the shared cores, then bytes over the shared pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub delay: SimDuration,
    /// CPU work, run on the cores when they are given (ignored without).
    pub cpu: SimDuration,
    pub bytes: u64,
}

enum Phase {
    Waiting(SimTime),
    Computing(TransferId),
    Moving(TransferId),
}

/// A core's CPU-nanoseconds per second: the cores are a pipe of `cores` × this.
const CORE_NANOS_PER_SEC: u64 = 1_000_000_000;

/// When each job finishes (from time zero), running `slots` at a time over a pipe of
/// `bytes_per_sec`, with their CPU on `cores` (none: CPU costs nothing).
pub fn finish_times(
    jobs: &[Job],
    slots: u64,
    bytes_per_sec: u64,
    cores: Option<u32>,
) -> Vec<SimDuration> {
    assert!(slots > 0, "at least one slot");
    let mut pipe = SharedBandwidth::new(bytes_per_sec.max(1));
    let mut cpu = SharedBandwidth::new(u64::from(cores.unwrap_or(1)) * CORE_NANOS_PER_SEC);
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
                Phase::Computing(_) | Phase::Moving(_) => None,
            })
            .chain(pipe.next_completion())
            .chain(cpu.next_completion())
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
        let computed = cpu.take_finished(now);
        let mut still = Vec::with_capacity(running.len());
        for (job, phase) in running {
            let next = match phase {
                Phase::Waiting(until) if until <= now => {
                    let work = jobs[job].cpu.as_nanos();
                    if cores.is_some() && work > 0 {
                        Some(Phase::Computing(cpu.start_capped(
                            now,
                            work,
                            Some(CORE_NANOS_PER_SEC),
                        )))
                    } else {
                        move_bytes(&mut pipe, now, jobs[job].bytes)
                    }
                }
                Phase::Computing(id) if computed.contains(&id) => {
                    move_bytes(&mut pipe, now, jobs[job].bytes)
                }
                Phase::Moving(id) if done.contains(&id) => None,
                phase => Some(phase),
            };
            match next {
                Some(phase) => still.push((job, phase)),
                None => finished[job] = now.duration_since(SimTime::ZERO),
            }
        }
        running = still;
    }
}

/// A job's bytes start over the pipe (none: it is finished).
fn move_bytes(pipe: &mut SharedBandwidth, now: SimTime, bytes: u64) -> Option<Phase> {
    (bytes > 0).then(|| Phase::Moving(pipe.start(now, bytes)))
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
            cpu: secs(100),
            bytes,
        };
        assert_eq!(
            finish_times(&[job(0, 100), job(0, 100), job(0, 100)], 2, 100, None),
            [secs(2), secs(2), secs(3)]
        );
        assert_eq!(
            finish_times(&[job(4, 100), job(0, 100)], 2, 100, None),
            [secs(5), secs(1)]
        );
        assert_eq!(
            finish_times(&[job(1, 0), job(1, 0), job(1, 0)], 2, 100, None),
            [secs(1), secs(1), secs(2)]
        );
        assert!(finish_times(&[], 3, 100, None).is_empty());
    }

    // A job too long for the clock (10¹⁹ bytes at 1 B/s) finishes never, and so does the one
    // waiting for its slot; those on another slot finish as usual, sharing the pipe with it
    // (a byte at half the rate: 2 s each).
    #[test]
    fn jobs_past_the_clocks_end_finish_never() {
        let job = |bytes| Job {
            delay: SimDuration::ZERO,
            cpu: SimDuration::ZERO,
            bytes,
        };
        assert_eq!(
            finish_times(
                &[job(10_000_000_000_000_000_000), job(1), job(1)],
                2,
                1,
                None
            ),
            [SimDuration::MAX, secs(2), secs(4)]
        );
        assert_eq!(
            finish_times(&[job(10_000_000_000_000_000_000), job(1)], 1, 1, None),
            [SimDuration::MAX, SimDuration::MAX]
        );
    }

    // Three jobs of 2 s of CPU on two slots and one core: the two running share the core (4 s
    // each), the third has it alone (2 s more) and then its 100 bytes (1 s); with four cores
    // each running job has a core of its own (a job is one thread: never more).
    #[test]
    fn cpu_is_shared_by_the_cores_a_job_at_most_one() {
        let job = |bytes| Job {
            delay: SimDuration::ZERO,
            cpu: secs(2),
            bytes,
        };
        let jobs = [job(0), job(0), job(100)];
        assert_eq!(
            finish_times(&jobs, 2, 100, Some(1)),
            [secs(4), secs(4), secs(7)]
        );
        assert_eq!(
            finish_times(&jobs, 2, 100, Some(4)),
            [secs(2), secs(2), secs(5)]
        );
    }
}
