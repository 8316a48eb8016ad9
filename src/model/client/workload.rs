//! Clients: each workload's request stream — when requests are sent, which row, what kind, how
//! big — drawn from the workload's own named random streams.
//!
//! Four streams per workload (`workload.<name>.arrivals`, `.keys`, `.values`, `.mix`), so that
//! changing the value sizes does not move the keys, and adding a workload moves nothing of the
//! others. Open-loop Poisson gaps are exponential; uniform gaps are exact multiples of 1/rate
//! computed from the request count, so they do not drift.

use crate::model::client::keys::KeyChooser;
use crate::scenario::workload::{Arrival, ArrivalProcess, OpKind, SizeSpec, WorkloadSpec};
use crate::sim::distribution::exponential;
use crate::sim::{RandomStream, SimDuration, SimTime};

/// A workload's request generator.
#[derive(Debug, Clone)]
pub struct Client {
    pub name: String,
    pub table: usize,
    pub start: SimTime,
    /// No requests are sent at or after this.
    pub end: SimTime,
    pub arrival: Arrival,
    keys: KeyChooser,
    /// Cumulative shares of the mix, for one draw per request.
    mix_cumulative: Vec<(OpKind, f64)>,
    value_size: SizeSpec,
    arrivals: RandomStream,
    key_stream: RandomStream,
    value_stream: RandomStream,
    mix_stream: RandomStream,
    /// Open-loop requests scheduled so far.
    pub sent: u64,
}

impl Client {
    pub fn new(spec: &WorkloadSpec, table: usize, seed: u64, run_end: SimTime) -> Client {
        let stream =
            |what: &str| RandomStream::new(seed, &format!("workload.{}.{what}", spec.name));
        let mut total = 0.0;
        let mix_cumulative = spec
            .mix
            .iter()
            .map(|&(kind, share)| {
                total += share;
                (kind, total)
            })
            .collect();
        let start = SimTime::ZERO + spec.start;
        let end = spec
            .end
            .map_or(run_end, |end| (SimTime::ZERO + end).min(run_end));
        Client {
            name: spec.name.clone(),
            table,
            start,
            end,
            arrival: spec.arrival.clone(),
            keys: KeyChooser::new(&spec.keys),
            mix_cumulative,
            value_size: spec.value_size,
            arrivals: stream("arrivals"),
            key_stream: stream("keys"),
            value_stream: stream("values"),
            mix_stream: stream("mix"),
            sent: 0,
        }
    }

    /// The time of the next open-loop request after the one sent at `previous`.
    pub fn next_open_arrival(&mut self, previous: SimTime) -> SimTime {
        let Arrival::Open { rate, process } = self.arrival else {
            unreachable!("only open-loop workloads have scheduled arrivals");
        };
        self.sent += 1;
        match process {
            // A gap longer than the clock holds (a rate near 0) is the clock's end: never.
            ArrivalProcess::Poisson => previous.saturating_add(SimDuration::from_secs_f64(
                exponential(&mut self.arrivals, 1.0 / rate),
            )),
            ArrivalProcess::Uniform => self
                .start
                .saturating_add(SimDuration::from_secs_f64(self.sent as f64 / rate)),
        }
    }

    /// The first open-loop request: one gap after the start for Poisson, at the start otherwise.
    pub fn first_open_arrival(&mut self) -> SimTime {
        match self.arrival {
            Arrival::Open {
                rate,
                process: ArrivalProcess::Poisson,
            } => self
                .start
                .saturating_add(SimDuration::from_secs_f64(exponential(
                    &mut self.arrivals,
                    1.0 / rate,
                ))),
            _ => self.start,
        }
    }

    /// Draws the next request's kind.
    pub fn draw_kind(&mut self) -> OpKind {
        match self.mix_cumulative.as_slice() {
            [(only, _)] => *only,
            kinds => {
                let u = self.mix_stream.next_f64();
                kinds
                    .iter()
                    .find(|(_, cumulative)| u < *cumulative)
                    .or(kinds.last())
                    .map(|(kind, _)| *kind)
                    .expect("a mix has at least one kind")
            }
        }
    }

    /// Draws a row and the value size written to it.
    pub fn draw_row(&mut self) -> (u64, u32) {
        let row = self.keys.next(&mut self.key_stream);
        let value_bytes = match self.value_size {
            SizeSpec::Constant { bytes } => bytes,
            SizeSpec::Uniform { min, max } => min + self.value_stream.below(max - min + 1),
        };
        (row, value_bytes as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::workload::{Durability, KeyDist, KeySpec};

    fn spec(process: ArrivalProcess) -> WorkloadSpec {
        WorkloadSpec {
            name: "w".into(),
            table: "t".into(),
            start: SimDuration::ZERO,
            end: None,
            arrival: Arrival::Open {
                rate: 1000.0,
                process,
            },
            mix: vec![(OpKind::Put, 0.75), (OpKind::Delete, 0.25)],
            keys: KeySpec {
                dist: KeyDist::Uniform,
                count: 100,
                prefix: "user".into(),
            },
            value_size: SizeSpec::Uniform { min: 10, max: 20 },
            columns: 1,
            families: None,
            batch_rows: 1,
            durability: Durability::UseDefault,
        }
    }

    // Poisson arrivals at 1000/s: about 1000 in a second; uniform ones exactly 1 ms apart.
    #[test]
    fn arrival_processes() {
        let end = SimTime::ZERO + SimDuration::from_secs(10);
        let mut client = Client::new(&spec(ArrivalProcess::Poisson), 0, 1, end);
        let mut t = client.first_open_arrival();
        let mut count = 0;
        while t < SimTime::ZERO + SimDuration::from_secs(10) {
            count += 1;
            t = client.next_open_arrival(t);
        }
        assert!((9700..10300).contains(&count), "{count}");
        let mut client = Client::new(&spec(ArrivalProcess::Uniform), 0, 1, end);
        let first = client.first_open_arrival();
        let second = client.next_open_arrival(first);
        let third = client.next_open_arrival(second);
        assert_eq!(second - first, SimDuration::from_millis(1));
        assert_eq!(third - second, SimDuration::from_millis(1));
    }

    // The mix and value sizes follow the spec.
    #[test]
    fn draws_follow_the_mix() {
        let end = SimTime::ZERO + SimDuration::from_secs(1);
        let mut client = Client::new(&spec(ArrivalProcess::Poisson), 0, 1, end);
        let kinds: Vec<OpKind> = (0..10_000).map(|_| client.draw_kind()).collect();
        let deletes = kinds.iter().filter(|kind| **kind == OpKind::Delete).count();
        assert!((2300..2700).contains(&deletes), "{deletes}");
        let rows: Vec<(u64, u32)> = (0..1000).map(|_| client.draw_row()).collect();
        assert!(
            rows.iter()
                .all(|(row, bytes)| (10..=20).contains(bytes) && *row < 100)
        );
    }
}
