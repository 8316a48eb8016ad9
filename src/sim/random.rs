//! Named random streams: each subsystem draws from its own ChaCha8 generator, seeded from
//! (run seed, stream name).
//!
//! Separate streams give common random numbers across runs: adding a fault, or a draw in the
//! compaction model, does not shift the workload's arrivals, so an A/B comparison between two
//! settings sees the same traffic. The seed derivation is written here (FNV-1a of the name,
//! SplitMix64 to spread it into 32 bytes) and pinned by a test, so it never changes silently.
//! Floats are built from the top 53 bits of a `u64`, not through `rand`'s distributions, so a
//! dependency upgrade cannot change them either.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::stable_hash::{SPLITMIX64_GAMMA, fnv1a64, splitmix64_mix};

/// One named, seeded source of random numbers.
#[derive(Clone, Debug)]
pub struct RandomStream {
    rng: ChaCha8Rng,
}

/// The 32-byte ChaCha seed of stream `name` in a run seeded with `run_seed`.
pub fn stream_seed(run_seed: u64, name: &str) -> [u8; 32] {
    let mut state = splitmix64_mix(run_seed) ^ fnv1a64(name.as_bytes());
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_exact_mut(8) {
        state = state.wrapping_add(SPLITMIX64_GAMMA);
        chunk.copy_from_slice(&splitmix64_mix(state).to_le_bytes());
    }
    seed
}

impl RandomStream {
    pub fn new(run_seed: u64, name: &str) -> RandomStream {
        RandomStream {
            rng: ChaCha8Rng::from_seed(stream_seed(run_seed, name)),
        }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in [0, 1), 53 bits of precision.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, 1) with a float's 24 bits, as Java's Random.nextFloat.
    #[inline]
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    #[inline]
    pub fn next_f64_open_zero(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, bound), without modulo bias (Lemire's multiply-and-reject).
    #[inline]
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0) has no values to draw");
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(bound);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// True with probability `p` (clamped to [0, 1]).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The first draws of a fixed (seed, name) are pinned: if a dependency upgrade or a change
    // in the seed derivation alters them, every recorded seed would silently mean another run.
    #[test]
    fn first_draws_are_pinned() {
        let mut stream = RandomStream::new(42, "workload.0.arrivals");
        let draws: Vec<u64> = (0..4).map(|_| stream.next_u64()).collect();
        assert_eq!(draws, PINNED_DRAWS);
    }

    const PINNED_DRAWS: [u64; 4] = [
        15300567445055984668,
        7323879894284459771,
        18328346429539084686,
        12044451454882814515,
    ];

    // The seed derivation, recomputed independently (a few lines of Python following the
    // module doc: SplitMix64 of the run seed xor FNV-1a of the name, expanded by SplitMix64).
    #[test]
    fn stream_seed_matches_an_independent_computation() {
        let hex: String = stream_seed(42, "workload.0.arrivals")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            hex,
            "2f325425aa0bf49206e77e169abc179a050988c619c69843c373157fb7e57c9f"
        );
    }

    // Different names or seeds give unrelated streams; the same pair gives the same stream.
    #[test]
    fn streams_depend_on_seed_and_name() {
        let first = |seed, name| RandomStream::new(seed, name).next_u64();
        assert_eq!(first(1, "a"), first(1, "a"));
        assert_ne!(first(1, "a"), first(2, "a"));
        assert_ne!(first(1, "a"), first(1, "b"));
    }

    // below() stays in range and hits every value of a small range.
    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut stream = RandomStream::new(7, "below");
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[stream.below(7) as usize] += 1;
        }
        assert!(
            seen.iter().all(|&count| count > 800 && count < 1200),
            "{seen:?}"
        );
    }

    #[test]
    fn unit_floats_are_in_range() {
        let mut stream = RandomStream::new(3, "floats");
        for _ in 0..10_000 {
            let closed_open = stream.next_f64();
            assert!((0.0..1.0).contains(&closed_open));
            let open_closed = stream.next_f64_open_zero();
            assert!(open_closed > 0.0 && open_closed <= 1.0);
        }
    }
}
