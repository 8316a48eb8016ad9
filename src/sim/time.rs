//! Simulated time: `SimTime` (an instant) and `SimDuration` (a span), both integer nanoseconds.
//!
//! Integers, not floats, so that adding the same durations in any grouping gives the same
//! instant on every machine. An instant minus an earlier instant is a duration; the reverse
//! order is a programmer error and panics. `SimDuration`'s `Display` is exact (it picks the
//! largest unit that divides the value), so a printed duration reads back to the same value.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SEC: u64 = 1_000_000_000;
const NANOS_PER_MIN: u64 = 60 * NANOS_PER_SEC;
const NANOS_PER_HOUR: u64 = 60 * NANOS_PER_MIN;

/// An instant of simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> SimTime {
        SimTime(nanos)
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the start, as HBase cell timestamps count them.
    pub const fn as_millis(self) -> u64 {
        self.0 / NANOS_PER_MILLI
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// The span from `earlier` to `self`; panics if `earlier` is later.
    pub fn duration_since(self, earlier: SimTime) -> SimDuration {
        assert!(
            earlier.0 <= self.0,
            "time went backwards: {} is before {}",
            self.0,
            earlier.0
        );
        SimDuration(self.0 - earlier.0)
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// `self + span`, or `SimTime::MAX` (which no run reaches) if that is past the clock's end:
    /// for a time computed from a rate or a size that may be arbitrarily far off.
    pub fn saturating_add(self, span: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(span.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> SimDuration {
        SimDuration(nanos)
    }

    // The unit constructors saturate at `SimDuration::MAX` rather than wrap: a span too long
    // for the clock stays too long, and input bounds (`scenario::bounds`) keep inputs far below.

    pub const fn from_micros(micros: u64) -> SimDuration {
        SimDuration(micros.saturating_mul(NANOS_PER_MICRO))
    }

    pub const fn from_millis(millis: u64) -> SimDuration {
        SimDuration(millis.saturating_mul(NANOS_PER_MILLI))
    }

    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// Rounds a non-negative number of seconds to the nearest nanosecond, saturating at
    /// `SimDuration::MAX`. Used where a duration comes out of arithmetic on rates.
    pub fn from_secs_f64(secs: f64) -> SimDuration {
        assert!(secs >= 0.0, "negative duration {secs}s");
        let nanos = (secs * NANOS_PER_SEC as f64).round();
        if nanos >= u64::MAX as f64 {
            SimDuration::MAX
        } else {
            SimDuration(nanos as u64)
        }
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_MILLI as f64
    }

    /// Whole milliseconds, rounded down.
    pub const fn as_millis(self) -> u64 {
        self.0 / NANOS_PER_MILLI
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// This duration times `factor` (≥ 0), rounded down to a nanosecond.
    pub fn mul_f64(self, factor: f64) -> SimDuration {
        SimDuration::from_nanos((self.as_nanos() as f64 * factor) as u64)
    }

    pub fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }

    pub fn saturating_mul(self, factor: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(factor))
    }

    /// A human reading of the span with at most three significant digits ("1.25ms",
    /// "3.5s", "12m"), for tables; `Display` is the exact form.
    pub fn approx(self) -> String {
        let nanos = self.0 as f64;
        let (value, unit) = if self.0 < NANOS_PER_MICRO {
            (nanos, "ns")
        } else if self.0 < NANOS_PER_MILLI {
            (nanos / NANOS_PER_MICRO as f64, "us")
        } else if self.0 < NANOS_PER_SEC {
            (nanos / NANOS_PER_MILLI as f64, "ms")
        } else if self.0 < NANOS_PER_MIN {
            (nanos / NANOS_PER_SEC as f64, "s")
        } else if self.0 < NANOS_PER_HOUR {
            (nanos / NANOS_PER_MIN as f64, "m")
        } else {
            (nanos / NANOS_PER_HOUR as f64, "h")
        };
        format!("{}{unit}", three_significant_digits(value))
    }
}

/// Formats with at most three significant digits and no trailing zeros.
fn three_significant_digits(value: f64) -> String {
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

impl fmt::Display for SimDuration {
    /// The largest unit that divides the span exactly: "10m", "90s", "1500us", "0s".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        for (unit_nanos, unit) in [
            (NANOS_PER_HOUR, "h"),
            (NANOS_PER_MIN, "m"),
            (NANOS_PER_SEC, "s"),
            (NANOS_PER_MILLI, "ms"),
            (NANOS_PER_MICRO, "us"),
        ] {
            if self.0 % unit_nanos == 0 {
                return write!(f, "{}{unit}", self.0 / unit_nanos);
            }
        }
        write!(f, "{}ns", self.0)
    }
}

impl fmt::Display for SimTime {
    /// An instant prints as its offset from the start of the run, e.g. "t=90s".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}", SimDuration(self.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;

    /// Panics on overflow: a run never lasts 584 years, so overflow is a bug.
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(
            self.0
                .checked_add(rhs.0)
                .expect("simulated time overflowed u64 nanoseconds"),
        )
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;

    fn sub(self, rhs: SimTime) -> SimDuration {
        self.duration_since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;

    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(
            self.0
                .checked_add(rhs.0)
                .expect("simulated duration overflowed u64 nanoseconds"),
        )
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Mul<u64> for SimDuration {
    type Output = SimDuration;

    fn mul(self, rhs: u64) -> SimDuration {
        SimDuration(
            self.0
                .checked_mul(rhs)
                .expect("simulated duration overflowed u64 nanoseconds"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Display picks the largest unit that divides exactly, so it reads back unchanged.
    #[test]
    fn display_is_exact() {
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
        assert_eq!(SimDuration::from_secs(600).to_string(), "10m");
        assert_eq!(SimDuration::from_secs(90).to_string(), "90s");
        assert_eq!(SimDuration::from_secs(7200).to_string(), "2h");
        assert_eq!(SimDuration::from_micros(1500).to_string(), "1500us");
        assert_eq!(SimDuration::from_millis(2).to_string(), "2ms");
        assert_eq!(SimDuration::from_nanos(1001).to_string(), "1001ns");
        assert_eq!(SimTime::from_nanos(90 * NANOS_PER_SEC).to_string(), "t=90s");
    }

    // The approximate form is for people: three significant digits, trailing zeros dropped.
    #[test]
    fn approx_rounds_to_three_digits() {
        assert_eq!(SimDuration::from_micros(1250).approx(), "1.25ms");
        assert_eq!(SimDuration::from_millis(3500).approx(), "3.5s");
        assert_eq!(SimDuration::from_secs(720).approx(), "12m");
        assert_eq!(SimDuration::from_nanos(999).approx(), "999ns");
        assert_eq!(SimDuration::from_nanos(123_456_789).approx(), "123ms");
    }

    // Subtracting a later instant is a programmer error, caught loudly.
    #[test]
    #[should_panic(expected = "time went backwards")]
    fn subtraction_asserts_order() {
        let _ = SimTime::from_nanos(1) - SimTime::from_nanos(2);
    }

    #[test]
    fn arithmetic() {
        let t = SimTime::ZERO + SimDuration::from_millis(5);
        assert_eq!(t.as_nanos(), 5_000_000);
        assert_eq!(t.as_millis(), 5);
        assert_eq!((t - SimTime::ZERO).as_millis_f64(), 5.0);
        assert_eq!(
            SimDuration::from_secs_f64(1.5),
            SimDuration::from_millis(1500)
        );
        assert_eq!(SimDuration::from_secs_f64(1e300), SimDuration::MAX);
        assert_eq!(
            SimTime::from_nanos(3).saturating_duration_since(SimTime::from_nanos(5)),
            SimDuration::ZERO
        );
    }

    // Spans too long for the clock saturate instead of wrapping around to short ones.
    #[test]
    fn unit_constructors_and_saturating_arithmetic_never_wrap() {
        assert_eq!(SimDuration::from_millis(u64::MAX / 1000), SimDuration::MAX);
        assert_eq!(SimDuration::from_secs(u64::MAX), SimDuration::MAX);
        assert_eq!(SimDuration::from_micros(u64::MAX), SimDuration::MAX);
        assert_eq!(
            SimTime::from_nanos(5).saturating_add(SimDuration::MAX),
            SimTime::MAX
        );
        assert_eq!(
            SimDuration::from_secs(2).saturating_mul(u64::MAX),
            SimDuration::MAX
        );
    }
}
