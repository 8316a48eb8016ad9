//! Sampling from continuous distributions, with `libm` for every transcendental function.
//!
//! `f64::ln` and friends call the platform's math library, whose last bits may differ between
//! systems; `libm` is one pure-Rust implementation, so the same draws give the same numbers
//! everywhere. Each function takes the stream it draws from, so callers keep their streams apart.

use super::random::RandomStream;

/// The 99th percentile of the standard normal distribution.
pub const STANDARD_NORMAL_P99: f64 = 2.326_347_874_040_840_8;

/// Exponentially distributed with the given mean (inverse transform).
pub fn exponential(stream: &mut RandomStream, mean: f64) -> f64 {
    -mean * libm::log(stream.next_f64_open_zero())
}

/// Standard normal, by the Box–Muller transform (one of the pair; the other is discarded so
/// that each call consumes exactly two draws).
pub fn standard_normal(stream: &mut RandomStream) -> f64 {
    let u1 = stream.next_f64_open_zero();
    let u2 = stream.next_f64();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// Log-normal with the given median and shape `sigma` (the standard deviation of its log).
pub fn lognormal(stream: &mut RandomStream, median: f64, sigma: f64) -> f64 {
    median * libm::exp(sigma * standard_normal(stream))
}

/// The `sigma` of the log-normal whose median and 99th percentile are given.
pub fn lognormal_sigma_from_p99(median: f64, p99: f64) -> f64 {
    libm::log(p99 / median) / STANDARD_NORMAL_P99
}

#[cfg(test)]
mod tests {
    use super::*;

    // Sample statistics agree with the distributions' known moments and quantiles.
    #[test]
    fn exponential_has_the_requested_mean() {
        let mut stream = RandomStream::new(1, "exp");
        let n = 200_000;
        let mean = (0..n).map(|_| exponential(&mut stream, 2.0)).sum::<f64>() / n as f64;
        assert!((mean - 2.0).abs() < 0.02, "{mean}");
    }

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let mut stream = RandomStream::new(2, "lognormal");
        let sigma = lognormal_sigma_from_p99(2.0, 25.0);
        let mut samples: Vec<f64> = (0..200_000)
            .map(|_| lognormal(&mut stream, 2.0, sigma))
            .collect();
        samples.sort_by(f64::total_cmp);
        let median = samples[samples.len() / 2];
        let p99 = samples[samples.len() * 99 / 100];
        assert!((median - 2.0).abs() < 0.05, "median {median}");
        assert!((p99 - 25.0).abs() < 1.5, "p99 {p99}");
    }
}
