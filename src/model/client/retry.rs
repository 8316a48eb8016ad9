//! The HBase client's retry policy: the pause before each retry, when to give up.
//!
//! ConnectionUtils.getPauseTime (1.4 and 2.5): pause × RETRY_BACKOFF[min(tries, 12)], plus a
//! jitter of `(long) (pause × backoff × nextFloat × 0.01)`, so 0–1% on top, never below. The
//! base pause is `hbase.client.pause` (100 ms), or for server-overloaded errors
//! (CallQueueTooBigException; 2.x also CallDroppedException, which 1.4 retries after the plain
//! pause) `hbase.client.pause.cqtbe` (1.4) /
//! `hbase.client.pause.server.overloaded` (2.5). RpcRetryingCallerImpl.callWithRetries gives up
//! after `hbase.client.retries.number + 1` attempts, or when the time already spent plus the next
//! pause passes `hbase.client.operation.timeout`. RegionTooBusyException is a plain retriable
//! IOException and takes the normal pause.

use crate::sim::{RandomStream, SimDuration};

/// HConstants.RETRY_BACKOFF.
pub const RETRY_BACKOFF: [u64; 13] = [1, 2, 3, 5, 10, 20, 40, 100, 100, 100, 100, 200, 200];

/// The client's settings for retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub pause: SimDuration,
    pub pause_server_overloaded: SimDuration,
    /// Attempts in all: retries + 1.
    pub attempts_max: u32,
    pub operation_timeout: SimDuration,
    pub rpc_timeout: SimDuration,
}

/// The pause before retry number `tries + 1` (tries counts failed attempts so far, from 0).
pub fn pause_before_retry(base: SimDuration, tries: u32, stream: &mut RandomStream) -> SimDuration {
    let index = (tries as usize).min(RETRY_BACKOFF.len() - 1);
    let normal_millis = base.as_nanos() / 1_000_000 * RETRY_BACKOFF[index];
    // Java: (long) (normalPause * nextFloat() * 0.01f), a float product truncated.
    let next_float = (stream.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
    let jitter_millis = (normal_millis as f32 * next_float * 0.01f32) as u64;
    SimDuration::from_millis(normal_millis + jitter_millis)
}

impl RetryPolicy {
    /// Whether another attempt may follow attempt number `tries` (0-based) that just failed,
    /// after `elapsed` since the operation started and a pause of `pause`.
    pub fn may_retry(&self, tries: u32, elapsed: SimDuration, pause: SimDuration) -> bool {
        tries + 1 < self.attempts_max && elapsed.saturating_add(pause) <= self.operation_timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference's sequence for a 100 ms pause: 100, 200, 300, 500, 1000, 2000, 4000, 10000,
    // …, 20000 ms, each with at most 1% jitter on top.
    #[test]
    fn pauses_follow_the_backoff_table() {
        let mut stream = RandomStream::new(1, "retry");
        let pause = SimDuration::from_millis(100);
        let expected = [
            100, 200, 300, 500, 1000, 2000, 4000, 10000, 10000, 10000, 10000, 20000, 20000, 20000,
        ];
        for (tries, millis) in expected.iter().enumerate() {
            let slept = pause_before_retry(pause, tries as u32, &mut stream);
            let base = SimDuration::from_millis(*millis);
            assert!(
                slept >= base && slept <= SimDuration::from_millis(millis + millis / 100),
                "try {tries}: {slept}"
            );
        }
        // 15 retries sleep about 128.1 s in all (the reference's figure), before jitter.
        let total: u64 = (0..15)
            .map(|tries| 100 * RETRY_BACKOFF[tries.min(12)])
            .sum();
        assert_eq!(total, 128_100);
    }

    #[test]
    fn gives_up_after_the_attempts_or_the_operation_timeout() {
        let policy = RetryPolicy {
            pause: SimDuration::from_millis(100),
            pause_server_overloaded: SimDuration::from_millis(100),
            attempts_max: 3,
            operation_timeout: SimDuration::from_secs(10),
            rpc_timeout: SimDuration::from_secs(60),
        };
        let pause = SimDuration::from_millis(100);
        assert!(policy.may_retry(0, SimDuration::ZERO, pause));
        assert!(policy.may_retry(1, SimDuration::ZERO, pause));
        assert!(!policy.may_retry(2, SimDuration::ZERO, pause));
        assert!(!policy.may_retry(0, SimDuration::from_millis(9_950), pause));
    }
}
