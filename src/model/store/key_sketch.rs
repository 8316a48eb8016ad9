//! A HyperLogLog sketch of the distinct cell keys a store file holds, so that a compaction can
//! size its output from the real cells without keeping them.
//!
//! A compaction keeps one version of each (row, qualifier) (the default VERSIONS = 1) and, in a
//! major compaction, drops delete markers and what they cover; how many cells survive depends on
//! how many keys the input files share, which the union of their sketches estimates (about 1.6%
//! standard error with 4096 registers, 4 KB a file). Keys are hashed with SplitMix64, fixed in
//! this project, so estimates are the same on every machine. The estimator is Flajolet et al.'s
//! with the small-range (linear counting) correction; the large-range correction is not needed
//! with 64-bit hashes.

use crate::sim::stable_hash::splitmix64_mix;

/// log2 of the register count.
const PRECISION: u32 = 12;
const REGISTERS: usize = 1 << PRECISION;

/// Distinct keys seen, approximately.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySketch {
    registers: Box<[u8; REGISTERS]>,
}

impl std::fmt::Debug for KeySketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySketch(≈{:.0})", self.estimate())
    }
}

impl Default for KeySketch {
    fn default() -> Self {
        KeySketch {
            registers: Box::new([0; REGISTERS]),
        }
    }
}

impl KeySketch {
    /// Adds the key (row, qualifier rank).
    #[inline]
    pub fn insert(&mut self, row: u64, qualifier: u16) {
        let hash = splitmix64_mix(row.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(qualifier));
        let index = (hash >> (64 - PRECISION)) as usize;
        let rest = hash << PRECISION;
        let rank = (rest.leading_zeros() + 1).min(64 - PRECISION + 1) as u8;
        let register = &mut self.registers[index];
        *register = (*register).max(rank);
    }

    /// Adds every key of `other` (the sketch of a union).
    pub fn merge(&mut self, other: &KeySketch) {
        for (mine, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// The estimated number of distinct keys.
    pub fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let mut sum = 0.0;
        let mut zeros = 0;
        for &register in self.registers.iter() {
            sum += libm::ldexp(1.0, -i32::from(register));
            if register == 0 {
                zeros += 1;
            }
        }
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 {
            m * libm::log(m / f64::from(zeros))
        } else {
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Within a few standard errors of the truth, from tens to millions of keys; duplicates and
    // merges count once.
    #[test]
    fn estimates_distinct_keys() {
        for distinct in [10u64, 1000, 100_000, 2_000_000] {
            let mut sketch = KeySketch::default();
            for row in 0..distinct {
                sketch.insert(row, 1);
                sketch.insert(row, 1);
            }
            let estimate = sketch.estimate();
            let error = (estimate - distinct as f64).abs() / distinct as f64;
            assert!(error < 0.05, "{distinct}: {estimate}");
        }
        let mut a = KeySketch::default();
        let mut b = KeySketch::default();
        for row in 0..50_000 {
            a.insert(row, 1);
            b.insert(row + 25_000, 1);
        }
        a.merge(&b);
        assert!((a.estimate() - 75_000.0).abs() / 75_000.0 < 0.05);
        // Different qualifiers of one row are different keys.
        let mut columns = KeySketch::default();
        for qualifier in 0..100 {
            columns.insert(7, qualifier);
        }
        assert!((columns.estimate() - 100.0).abs() < 3.0);
    }
}
