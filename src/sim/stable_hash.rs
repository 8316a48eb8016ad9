//! Hashes whose output is fixed forever: FNV-1a (64-bit) and the SplitMix64 finalizer.
//!
//! `std`'s `DefaultHasher` may change between Rust releases, which would silently change every
//! random stream and trace hash. These two functions are written out here, with their published
//! constants, so a seed means the same run on every toolchain.

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes` (Fowler, Noll, Vo; 64-bit parameters).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_extend(FNV_OFFSET_BASIS, bytes)
}

/// Continues an FNV-1a hash from `state` over more bytes.
pub fn fnv1a64_extend(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

/// The SplitMix64 output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
pub fn splitmix64_mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The SplitMix64 generator's increment (the golden ratio in 64 bits).
pub const SPLITMIX64_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

#[cfg(test)]
mod tests {
    use super::*;

    // Published FNV-1a 64 test vectors (the FNV reference's test suite).
    #[test]
    fn fnv1a64_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    // SplitMix64 seeded with 0 yields this first output in the reference implementation
    // (state += gamma, then mix).
    #[test]
    fn splitmix64_matches_reference_output() {
        assert_eq!(splitmix64_mix(SPLITMIX64_GAMMA), 0xe220a8397b1dcdaf);
    }
}
