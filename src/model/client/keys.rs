//! Which row an operation touches: YCSB's key generators, drawn from a seeded stream.
//!
//! The Zipfian generator is Gray et al.'s "Quickly generating billion-record synthetic databases"
//! as YCSB's ZipfianGenerator implements it (the constants zeta(n), zeta(2), alpha and eta, and
//! the two special cases for ranks 0 and 1). ζ(n, θ) is summed exactly up to 1000 terms and the
//! tail by Euler–Maclaurin, so a billion keys cost microseconds to set up and agree with the
//! exact sum to about 1e-12. "Scrambled" spreads the popular ranks over the key space with
//! FNV-1a, as YCSB's ScrambledZipfianGenerator does; unlike YCSB, which draws from a fixed
//! 10¹⁰-item Zipfian and then takes the hash modulo the key count, the ranks here come from a
//! Zipfian over the key count itself, so θ keeps its meaning for any count. The hotspot generator
//! is YCSB's HotspotIntegerGenerator (the hot set at the low end of the key space).

use crate::scenario::workload::{KeyDist, KeySpec};
use crate::sim::RandomStream;
use crate::sim::stable_hash::fnv1a64;

/// Terms of ζ(n, θ) summed directly before the Euler–Maclaurin tail takes over.
const ZETA_EXACT_TERMS: u64 = 1000;

/// ζ(n, θ) = Σ_{i=1..n} i^-θ.
pub fn zeta(n: u64, theta: f64) -> f64 {
    let exact_until = n.min(ZETA_EXACT_TERMS);
    let mut sum = 0.0;
    for i in 1..=exact_until {
        sum += libm::pow(i as f64, -theta);
    }
    if n <= ZETA_EXACT_TERMS {
        return sum;
    }
    // Σ_{i=m+1..n} f(i) by Euler–Maclaurin with f(x) = x^-θ, m = ZETA_EXACT_TERMS:
    // ∫_m^n f + (f(n) − f(m))/2 + (f'(n) − f'(m))/12 − (f'''(n) − f'''(m))/720.
    let m = ZETA_EXACT_TERMS as f64;
    let n = n as f64;
    let f = |x: f64| libm::pow(x, -theta);
    let f1 = |x: f64| -theta * libm::pow(x, -theta - 1.0);
    let f3 = |x: f64| -theta * (theta + 1.0) * (theta + 2.0) * libm::pow(x, -theta - 3.0);
    let integral = (libm::pow(n, 1.0 - theta) - libm::pow(m, 1.0 - theta)) / (1.0 - theta);
    sum + integral + (f(n) - f(m)) / 2.0 + (f1(n) - f1(m)) / 12.0 - (f3(n) - f3(m)) / 720.0
}

/// Gray et al.'s Zipfian ranks over `count` items, as YCSB's ZipfianGenerator draws them.
#[derive(Debug, Clone)]
pub struct ZipfianRanks {
    count: u64,
    theta: f64,
    zeta_n: f64,
    zeta_2: f64,
    alpha: f64,
    eta: f64,
    /// 1 + 0.5^θ: below it (times ζ(n)) the rank is 1.
    rank_one_bound: f64,
}

impl ZipfianRanks {
    fn new(count: u64, theta: f64) -> ZipfianRanks {
        let mut ranks = ZipfianRanks {
            count,
            theta,
            zeta_n: zeta(count, theta),
            zeta_2: zeta(2, theta),
            alpha: 1.0 / (1.0 - theta),
            eta: 0.0,
            rank_one_bound: 1.0 + libm::pow(0.5, theta),
        };
        ranks.eta = ranks.eta_for_count();
        ranks
    }

    fn eta_for_count(&self) -> f64 {
        (1.0 - libm::pow(2.0 / self.count as f64, 1.0 - self.theta))
            / (1.0 - self.zeta_2 / self.zeta_n)
    }

    /// One more item (ZipfianGenerator.nextLong with a grown item count: ζ extended by the
    /// new term, η recomputed).
    fn grow(&mut self) {
        self.count += 1;
        self.zeta_n += libm::pow(self.count as f64, -self.theta);
        self.eta = self.eta_for_count();
    }

    /// A rank in [0, count), 0 the most popular.
    fn draw(&self, stream: &mut RandomStream) -> u64 {
        let u = stream.next_f64();
        let uz = u * self.zeta_n;
        if uz < 1.0 {
            0
        } else if uz < self.rank_one_bound {
            1
        } else {
            let rank =
                (self.count as f64 * libm::pow(self.eta * u - self.eta + 1.0, self.alpha)) as u64;
            rank.min(self.count - 1)
        }
    }
}

/// The row of key number `number` in a key space of `count` rows: the loaded keys are rows
/// 0..count in order, and keys inserted after them are named as YCSB's hashed insert order names
/// them (FNV-1a of the number), which lands each on a row of the key space at random.
pub fn row_of_key_number(number: u64, count: u64) -> u64 {
    if number < count {
        number
    } else {
        fnv1a64(&number.to_le_bytes()) % count
    }
}

/// A key generator ready to draw.
#[derive(Debug, Clone)]
pub enum KeyChooser {
    Uniform {
        count: u64,
    },
    Zipfian {
        count: u64,
        ranks: ZipfianRanks,
        scrambled: bool,
    },
    Sequential {
        count: u64,
        next: u64,
    },
    Hotspot {
        hot_count: u64,
        cold_count: u64,
        hot_op_fraction: f64,
    },
    /// Ranks over the keys loaded and inserted so far, the newest first.
    Latest {
        count: u64,
        ranks: ZipfianRanks,
    },
}

impl KeyChooser {
    pub fn new(spec: &KeySpec) -> KeyChooser {
        let count = spec.count;
        match spec.dist {
            KeyDist::Uniform => KeyChooser::Uniform { count },
            KeyDist::Zipfian { theta, scrambled } => KeyChooser::Zipfian {
                count,
                ranks: ZipfianRanks::new(count, theta),
                scrambled,
            },
            KeyDist::Sequential => KeyChooser::Sequential { count, next: 0 },
            KeyDist::Hotspot {
                hot_set_fraction,
                hot_op_fraction,
            } => {
                let hot_count = ((count as f64 * hot_set_fraction) as u64).clamp(1, count);
                KeyChooser::Hotspot {
                    hot_count,
                    cold_count: count - hot_count,
                    hot_op_fraction,
                }
            }
            KeyDist::Latest { theta } => KeyChooser::Latest {
                count,
                ranks: ZipfianRanks::new(count, theta),
            },
        }
    }

    /// The next row index, in [0, count).
    pub fn next(&mut self, stream: &mut RandomStream) -> u64 {
        match self {
            KeyChooser::Uniform { count } => stream.below(*count),
            KeyChooser::Zipfian {
                count,
                ranks,
                scrambled,
            } => {
                let rank = ranks.draw(stream);
                if *scrambled {
                    fnv1a64(&rank.to_le_bytes()) % *count
                } else {
                    rank
                }
            }
            KeyChooser::Sequential { count, next } => {
                let key = *next;
                *next = (*next + 1) % *count;
                key
            }
            KeyChooser::Hotspot {
                hot_count,
                cold_count,
                hot_op_fraction,
            } => {
                if *cold_count == 0 || stream.next_f64() < *hot_op_fraction {
                    stream.below(*hot_count)
                } else {
                    *hot_count + stream.below(*cold_count)
                }
            }
            KeyChooser::Latest { count, ranks } => {
                let newest = ranks.count - 1;
                row_of_key_number(newest - ranks.draw(stream), *count)
            }
        }
    }

    /// A key was inserted: `latest` counts it among the keys to draw from, first of all.
    pub fn inserted(&mut self) {
        if let KeyChooser::Latest { ranks, .. } = self {
            ranks.grow();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dist: KeyDist, count: u64) -> KeySpec {
        KeySpec {
            dist,
            count,
            prefix: "user".into(),
        }
    }

    // The Euler–Maclaurin tail agrees with the plain sum.
    #[test]
    fn zeta_matches_the_exact_sum() {
        for (n, theta) in [(200_000u64, 0.99), (50_000, 0.5), (1001, 0.8)] {
            let exact: f64 = (1..=n).map(|i| libm::pow(i as f64, -theta)).sum();
            let fast = zeta(n, theta);
            assert!(
                ((fast - exact) / exact).abs() < 1e-10,
                "n={n}: {fast} vs {exact}"
            );
        }
        // YCSB's published constant: ζ(10¹⁰, 0.99) = 26.46902820178302.
        assert!((zeta(10_000_000_000, 0.99) - 26.469_028_201_783_02).abs() < 1e-8);
    }

    // An unscrambled Zipfian gives rank r a share ∝ 1/(r+1)^θ: check the two special cases and
    // a rank drawn by the formula against ζ.
    #[test]
    fn zipfian_frequencies_follow_the_law() {
        let count = 1000;
        let theta = 0.99;
        let mut chooser = KeyChooser::new(&spec(
            KeyDist::Zipfian {
                theta,
                scrambled: false,
            },
            count,
        ));
        let mut stream = RandomStream::new(11, "zipf");
        let draws = 400_000;
        let mut hits = vec![0u32; count as usize];
        for _ in 0..draws {
            hits[chooser.next(&mut stream) as usize] += 1;
        }
        let zeta_n = zeta(count, theta);
        for rank in [0usize, 1, 9] {
            let expected = draws as f64 * libm::pow(rank as f64 + 1.0, -theta) / zeta_n;
            let seen = f64::from(hits[rank]);
            assert!(
                (seen - expected).abs() / expected < 0.05,
                "rank {rank}: {seen} vs {expected}"
            );
        }
    }

    // Scrambling moves the hot keys away from the start of the key space but keeps them in range.
    #[test]
    fn scrambled_zipfian_spreads_hot_keys() {
        let count = 1_000_000;
        let mut chooser = KeyChooser::new(&spec(
            KeyDist::Zipfian {
                theta: 0.99,
                scrambled: true,
            },
            count,
        ));
        let mut stream = RandomStream::new(3, "zipf");
        let draws: Vec<u64> = (0..10_000).map(|_| chooser.next(&mut stream)).collect();
        assert!(draws.iter().all(|&key| key < count));
        let in_first_tenth = draws.iter().filter(|&&key| key < count / 10).count();
        assert!(in_first_tenth < 2000, "{in_first_tenth}");
    }

    // `latest` draws the newest key most, as an unscrambled Zipfian over the keys so far
    // counted back from the newest: after inserts, the inserted keys' rows lead.
    #[test]
    fn latest_draws_the_newest_keys_most() {
        let count = 1000;
        let mut chooser = KeyChooser::new(&spec(KeyDist::Latest { theta: 0.99 }, count));
        let mut stream = RandomStream::new(5, "latest");
        let newest_before = (0..20_000)
            .filter(|_| chooser.next(&mut stream) == count - 1)
            .count() as f64;
        let expected = 20_000.0 / zeta(count, 0.99);
        assert!(
            (newest_before - expected).abs() / expected < 0.05,
            "{newest_before}"
        );
        for _ in 0..100 {
            chooser.inserted();
        }
        let newest_rows: Vec<u64> = (count..count + 100)
            .map(|number| row_of_key_number(number, count))
            .collect();
        let draws = 50_000;
        let among_inserted = (0..draws)
            .filter(|_| newest_rows.contains(&chooser.next(&mut stream)))
            .count() as f64;
        // ζ(100)/ζ(1100) of the draws name an inserted key; an older key names one of those
        // hundred rows (of a thousand) now and then too.
        let share = zeta(100, 0.99) / zeta(1100, 0.99);
        assert!(
            among_inserted / draws as f64 >= share - 0.01
                && among_inserted / draws as f64 <= share + (1.0 - share) * 0.15,
            "{} against {share}",
            among_inserted / draws as f64
        );
    }

    #[test]
    fn sequential_wraps_and_hotspot_concentrates() {
        let mut chooser = KeyChooser::new(&spec(KeyDist::Sequential, 3));
        let mut stream = RandomStream::new(1, "k");
        let keys: Vec<u64> = (0..5).map(|_| chooser.next(&mut stream)).collect();
        assert_eq!(keys, vec![0, 1, 2, 0, 1]);
        let mut chooser = KeyChooser::new(&spec(
            KeyDist::Hotspot {
                hot_set_fraction: 0.1,
                hot_op_fraction: 0.9,
            },
            1000,
        ));
        let hot = (0..10_000)
            .filter(|_| chooser.next(&mut stream) < 100)
            .count();
        assert!((8800..9200).contains(&hot), "{hot}");
    }
}
