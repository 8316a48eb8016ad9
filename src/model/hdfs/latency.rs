//! Draws of the `[io]` latency distributions (the WAL sync time), each from its own stream.
//!
//! A draw is cut at `SPAN_MAX` (a year): a log-normal's or an exponential's tail is unbounded,
//! and a draw past the clock's end would overflow it. No realistic distribution reaches the cut.

use crate::scenario::bounds::SPAN_MAX;
use crate::scenario::io::LatencySpec;
use crate::sim::distribution::{exponential, lognormal, lognormal_sigma_from_p99};
use crate::sim::{RandomStream, SimDuration};

/// A latency distribution with the stream it draws from.
#[derive(Debug, Clone)]
pub struct LatencySampler {
    spec: LatencySpec,
    /// The log-normal's sigma, computed once.
    sigma: f64,
    stream: RandomStream,
}

impl LatencySampler {
    pub fn new(spec: &LatencySpec, stream: RandomStream) -> LatencySampler {
        let sigma = match spec {
            LatencySpec::Lognormal { median, p99 } => {
                lognormal_sigma_from_p99(median.as_secs_f64(), p99.as_secs_f64())
            }
            _ => 0.0,
        };
        LatencySampler {
            spec: spec.clone(),
            sigma,
            stream,
        }
    }

    pub fn sample(&mut self) -> SimDuration {
        let draw = match &self.spec {
            LatencySpec::Constant { value } => *value,
            LatencySpec::Uniform { min, max } => {
                let span = max.as_nanos() - min.as_nanos();
                SimDuration::from_nanos(min.as_nanos() + self.stream.below(span.saturating_add(1)))
            }
            LatencySpec::Exponential { mean } => {
                SimDuration::from_secs_f64(exponential(&mut self.stream, mean.as_secs_f64()))
            }
            LatencySpec::Lognormal { median, .. } => SimDuration::from_secs_f64(lognormal(
                &mut self.stream,
                median.as_secs_f64(),
                self.sigma,
            )),
        };
        draw.min(SPAN_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A log-normal from 1 ns to a p99 of an hour has a tail past a year about once in a
    // thousand draws: those draws are cut at SPAN_MAX, the rest left as drawn.
    #[test]
    fn draws_are_cut_at_a_year() {
        let spec = LatencySpec::Lognormal {
            median: SimDuration::from_nanos(1),
            p99: SimDuration::from_secs(3600),
        };
        let mut sampler = LatencySampler::new(&spec, RandomStream::new(1, "latency"));
        let draws: Vec<SimDuration> = (0..100_000).map(|_| sampler.sample()).collect();
        assert!(draws.iter().all(|draw| *draw <= SPAN_MAX));
        let cut = draws.iter().filter(|draw| **draw == SPAN_MAX).count();
        assert!((20..1000).contains(&cut), "{cut} draws cut");
    }
}
