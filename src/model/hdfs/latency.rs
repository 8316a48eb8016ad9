//! Draws of the `[io]` latency distributions (the WAL sync time), each from its own stream.

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
        match &self.spec {
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
        }
    }
}
