//! Seeding: the one random number generator deepgm uses everywhere.
//!
//! Every algorithm that involves randomness takes a `seed: u64` in its params and builds its generator with
//! [`seeded`]; the same seed gives the same output on every platform, because Xoshiro256++
//! is a fully specified algorithm (unlike `rand`'s `StdRng`, whose algorithm may change).

use rand::SeedableRng;

/// The named, portable generator used by all deepgm crates.
pub type DeepRng = rand_xoshiro::Xoshiro256PlusPlus;

/// A generator seeded from a user-visible `u64` seed.
pub fn seeded(seed: u64) -> DeepRng {
    DeepRng::seed_from_u64(seed)
}

/// An independent generator for stream `index` derived from `seed`, for parallel work whose
/// output must not depend on the number of threads (each chunk of work gets its own stream).
/// `seed_from_u64` expands its argument through SplitMix64, so neighbouring streams are
/// decorrelated.
pub fn stream(seed: u64, index: u64) -> DeepRng {
    DeepRng::seed_from_u64(seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_seed_same_sequence() {
        let (mut r1, mut r2) = (seeded(7), seeded(7));
        let a: Vec<u64> = (0..5).map(|_| r1.random()).collect();
        let b: Vec<u64> = (0..5).map(|_| r2.random()).collect();
        assert_eq!(a, b);
        let c: u64 = seeded(8).random();
        assert_ne!(a[0], c);
    }

    #[test]
    fn streams_differ() {
        let a: u64 = stream(1, 0).random();
        let b: u64 = stream(1, 1).random();
        assert_ne!(a, b);
    }
}
