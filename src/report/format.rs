//! Numbers for people, shared by the terminal tables, the HTML report and the charts: counts
//! with thousands separators, and latencies in the one form every output uses.

/// An integer with thousands separators: 12,000,000.
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Nanoseconds in a microsecond, a millisecond and a second.
const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// From this many milliseconds (999.5 s, which rounds to 1000 s) a latency is whole seconds.
const WHOLE_SECONDS_FROM_MS: f64 = 999_500.0;

/// A latency given in milliseconds, as people read it everywhere: at most three significant
/// digits in the unit that suits it — `850µs` below a millisecond, `210ms` up to 999 ms,
/// `63.2s` from a second (no minutes: seconds compare at a glance) — whole seconds with
/// separators from 1000 s (`3,654s`), and `0` for zero.
///
/// The value is rounded to whole nanoseconds (the simulation's resolution) and then to three
/// significant digits before the unit is chosen, so 999.5 µs reads `1ms`, never `1000µs`.
pub fn latency(value_ms: f64) -> String {
    // NaN and negative values cannot come from a run; they read as no latency at all.
    if value_ms.is_nan() || value_ms <= 0.0 {
        return "0".to_string();
    }
    if value_ms >= WHOLE_SECONDS_FROM_MS {
        // Saturating: a value past u64's seconds is no latency a run can have.
        return format!("{}s", count((value_ms / 1000.0).round() as u64));
    }
    let nanos = (value_ms * 1e6).round() as u64;
    if nanos == 0 {
        return "0".to_string();
    }
    let rounded = three_significant_digits(nanos);
    let (unit_nanos, unit) = if rounded < NANOS_PER_MILLI {
        (NANOS_PER_MICRO, "µs")
    } else if rounded < NANOS_PER_SECOND {
        (NANOS_PER_MILLI, "ms")
    } else {
        (NANOS_PER_SECOND, "s")
    };
    format!("{}{unit}", decimal(rounded, unit_nanos))
}

/// `value` rounded (half up) to three significant decimal digits.
fn three_significant_digits(value: u64) -> u64 {
    let digits = value.ilog10() + 1;
    if digits <= 3 {
        return value;
    }
    let step = 10u128.pow(digits - 3);
    let rounded = (u128::from(value) + step / 2) / step * step;
    u64::try_from(rounded).unwrap_or(u64::MAX)
}

/// `value / unit` written exactly, without trailing zeros: 1050 / 1000 is "1.05".
fn decimal(value: u64, unit: u64) -> String {
    let (whole, fraction) = (value / unit, value % unit);
    if fraction == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let fraction = format!("{fraction:0width$}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Separators every three digits from the right.
    #[test]
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
    }

    // The unit follows the value rounded to three significant digits, so each boundary reads
    // in the larger unit as soon as rounding reaches it: 999.5 µs is 1ms, 999.5 ms is 1s.
    #[test]
    fn latency_units_change_at_the_rounded_boundaries() {
        assert_eq!(latency(0.0), "0");
        assert_eq!(latency(0.000_000_4), "0");
        assert_eq!(latency(0.000_412), "0.412µs");
        assert_eq!(latency(0.85), "850µs");
        assert_eq!(latency(0.999_4), "999µs");
        assert_eq!(latency(0.999_5), "1ms");
        assert_eq!(latency(1.0), "1ms");
        assert_eq!(latency(999.0), "999ms");
        assert_eq!(latency(999.4), "999ms");
        assert_eq!(latency(999.5), "1s");
        assert_eq!(latency(1000.0), "1s");
    }

    // At most three significant digits, trailing zeros dropped; seconds past a minute stay
    // seconds; from 1000 s whole seconds with separators; absurd values saturate, not panic.
    #[test]
    fn latency_digits_and_large_values() {
        assert_eq!(latency(1.05), "1.05ms");
        assert_eq!(latency(31.25), "31.3ms");
        assert_eq!(latency(98.44), "98.4ms");
        assert_eq!(latency(210.0), "210ms");
        assert_eq!(latency(1500.0), "1.5s");
        assert_eq!(latency(59_900.0), "59.9s");
        assert_eq!(latency(59_950.0), "60s");
        assert_eq!(latency(63_240.0), "63.2s");
        assert_eq!(latency(999_400.0), "999s");
        assert_eq!(latency(999_500.0), "1,000s");
        assert_eq!(latency(3_654_321.0), "3,654s");
        assert_eq!(latency(2_592_000_000.0), "2,592,000s");
        assert_eq!(latency(1e300), format!("{}s", count(u64::MAX)));
        assert_eq!(latency(f64::NAN), "0");
    }
}
