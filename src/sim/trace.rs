//! The trace hash: one 64-bit fingerprint folded over every processed event.
//!
//! Two runs with the same trace hash processed the same events, at the same times, in the same
//! order. Printed with every result, it turns "is this run identical?" into comparing two hex
//! strings. The fold is FNV-1a style over 64-bit words with a SplitMix64 finish, both fixed here.

use std::fmt;

use super::stable_hash::splitmix64_mix;

const FOLD_PRIME: u64 = 0x0000_0100_0000_01b3;
const FOLD_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// A running fingerprint of the events processed so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHash {
    state: u64,
    events: u64,
}

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash {
            state: FOLD_BASIS,
            events: 0,
        }
    }
}

impl TraceHash {
    /// Folds one event: its time in nanoseconds, a kind code and the ids it concerns.
    #[inline]
    pub fn fold_event(&mut self, time_nanos: u64, kind: u64, ids: [u64; 2]) {
        for word in [time_nanos, kind, ids[0], ids[1]] {
            self.state = (self.state ^ word).wrapping_mul(FOLD_PRIME);
        }
        self.events += 1;
    }

    /// The number of events folded so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The fingerprint, mixed so that nearby states give unrelated values.
    pub fn value(&self) -> u64 {
        splitmix64_mix(self.state ^ self.events)
    }
}

impl fmt::Display for TraceHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The hash sees time, kind, ids and order: changing any one changes it.
    #[test]
    fn every_field_and_the_order_matter() {
        let hash = |events: &[(u64, u64, [u64; 2])]| {
            let mut trace = TraceHash::default();
            for &(time, kind, ids) in events {
                trace.fold_event(time, kind, ids);
            }
            trace.value()
        };
        let base = hash(&[(1, 2, [3, 4]), (5, 6, [7, 8])]);
        assert_eq!(base, hash(&[(1, 2, [3, 4]), (5, 6, [7, 8])]));
        assert_ne!(base, hash(&[(5, 6, [7, 8]), (1, 2, [3, 4])]));
        assert_ne!(base, hash(&[(1, 2, [3, 4]), (5, 6, [7, 9])]));
        assert_ne!(base, hash(&[(1, 2, [3, 4]), (5, 7, [7, 8])]));
        assert_ne!(base, hash(&[(1, 2, [3, 4]), (6, 6, [7, 8])]));
        assert_ne!(base, hash(&[(1, 2, [3, 4])]));
    }

    #[test]
    fn display_is_sixteen_hex_digits() {
        assert_eq!(TraceHash::default().to_string().len(), 16);
    }
}
