//! A latency histogram in nanoseconds (HdrHistogram, 3 significant digits), with the exact count,
//! sum and maximum kept beside it so that the mean and max are not bucket approximations.

use hdrhistogram::Histogram;

use crate::sim::SimDuration;

/// The longest latency the histogram resolves (30 days); longer ones are recorded as this.
pub const LATENCY_NANOS_MAX: u64 = 30 * 24 * 3600 * 1_000_000_000;

/// Latencies of one kind of operation.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    histogram: Histogram<u64>,
    sum_nanos: u128,
    max_nanos: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            histogram: Histogram::new_with_bounds(1, LATENCY_NANOS_MAX, 3)
                .expect("valid histogram bounds"),
            sum_nanos: 0,
            max_nanos: 0,
        }
    }
}

impl LatencyHistogram {
    #[inline]
    pub fn record(&mut self, latency: SimDuration) {
        let nanos = latency.as_nanos().clamp(1, LATENCY_NANOS_MAX);
        self.histogram.saturating_record(nanos);
        self.sum_nanos += u128::from(latency.as_nanos());
        self.max_nanos = self.max_nanos.max(latency.as_nanos());
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The value at quantile `q` (0..=1), in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        self.histogram.value_at_quantile(q) as f64 / 1e6
    }

    /// The exact mean, in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        (self.sum_nanos / u128::from(self.count())) as f64 / 1e6
    }

    /// The exact maximum, in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.max_nanos as f64 / 1e6
    }

    pub fn histogram(&self) -> &Histogram<u64> {
        &self.histogram
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Percentiles are within the histogram's 3 significant digits; mean and max are exact.
    #[test]
    fn quantiles_mean_and_max() {
        let mut latencies = LatencyHistogram::default();
        for micros in 1..=1000 {
            latencies.record(SimDuration::from_micros(micros));
        }
        assert_eq!(latencies.count(), 1000);
        assert!((latencies.quantile_ms(0.5) - 0.5).abs() < 0.001);
        assert!((latencies.quantile_ms(0.99) - 0.99).abs() < 0.001);
        assert_eq!(latencies.max_ms(), 1.0);
        assert_eq!(latencies.mean_ms(), 0.5005);
        assert_eq!(LatencyHistogram::default().quantile_ms(0.5), 0.0);
    }
}
