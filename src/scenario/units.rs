//! Values with units, as scenario files write them: sizes (`128MB`), durations (`90s`), rates
//! (`20k/s`) and bandwidths (`200MB/s`).
//!
//! Size units are binary, as HBase means them: `MB` is 2²⁰ bytes (hbase-default.xml's
//! 134217728 is "128MB"). Decimal points are allowed where the result is whole (`1.5GB` is a
//! whole number of bytes, `0.3KB` is not), and parsing is exact: the digits are read as an
//! integer and a power of ten, never through a float. Each parser returns a message that says
//! what was expected; the caller adds the file, line and key.
//! Each `format_*` function is exact, so what it writes reads back to the same value.

use crate::sim::SimDuration;

const SIZE_UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kb", 1 << 10),
    ("kib", 1 << 10),
    ("k", 1 << 10),
    ("mb", 1 << 20),
    ("mib", 1 << 20),
    ("m", 1 << 20),
    ("gb", 1 << 30),
    ("gib", 1 << 30),
    ("g", 1 << 30),
    ("tb", 1 << 40),
    ("tib", 1 << 40),
    ("t", 1 << 40),
];

const DURATION_UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

/// What a size looks like, for error messages.
pub const SIZE_EXPECTED: &str =
    "a size such as \"128MB\" (units B, KB, MB, GB, TB, binary as in HBase) or a number of bytes";
/// What a duration looks like, for error messages.
pub const DURATION_EXPECTED: &str = "a duration such as \"90s\" (units ns, us, ms, s, m, h, d)";
/// What a rate looks like, for error messages.
pub const RATE_EXPECTED: &str = "a rate such as \"20k/s\" (suffixes k, M, G; per s, m or h)";
/// What a bandwidth looks like, for error messages.
pub const BANDWIDTH_EXPECTED: &str = "a bandwidth such as \"200MB/s\"";
pub const INSTANT_EXPECTED: &str = "a UTC time such as \"2024-01-01T00:00:00Z\"";

/// A non-negative decimal number read exactly: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    mantissa: u128,
    scale: u32,
}

/// Splits "12.5MB" into the number and the unit text, trimming spaces between them.
fn split_number(text: &str) -> Option<(Decimal, &str)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
    if fraction.contains('.') || whole.len() + fraction.len() > 30 {
        return None;
    }
    let mantissa = format!("{whole}{fraction}").parse::<u128>().ok()?;
    Some((
        Decimal {
            mantissa,
            scale: fraction.len() as u32,
        },
        unit.trim(),
    ))
}

/// `decimal × multiplier` if that is a whole number that fits in a `u64`.
fn whole_product(decimal: Decimal, multiplier: u64) -> Option<u64> {
    let product = decimal.mantissa.checked_mul(u128::from(multiplier))?;
    let divisor = 10u128.checked_pow(decimal.scale)?;
    if product % divisor != 0 {
        return None;
    }
    u64::try_from(product / divisor).ok()
}

fn lookup_unit(units: &[(&str, u64)], unit: &str) -> Option<u64> {
    let lower = unit.to_lowercase();
    units
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|&(_, factor)| factor)
}

/// Parses a size in bytes: "128MB", "1.5GB", "4096", "512 KiB".
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) =
        split_number(text).ok_or_else(|| format!("expected {SIZE_EXPECTED}, found \"{text}\""))?;
    let factor = if unit.is_empty() {
        1
    } else {
        lookup_unit(SIZE_UNITS, unit).ok_or_else(|| {
            format!("unknown size unit \"{unit}\" in \"{text}\" (use B, KB, MB, GB or TB)")
        })?
    };
    whole_product(number, factor)
        .ok_or_else(|| format!("\"{text}\" is not a whole number of bytes that fits in 64 bits"))
}

/// Parses a duration: "90s", "2ms", "1.5h", "250us". A bare number is rejected: the unit is
/// what tells seconds from milliseconds.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let (number, unit) = split_number(text)
        .ok_or_else(|| format!("expected {DURATION_EXPECTED}, found \"{text}\""))?;
    if unit.is_empty() {
        return Err(format!(
            "\"{text}\" has no unit: write it as a duration such as \"{text}s\" or \"{text}ms\""
        ));
    }
    let factor = lookup_unit(DURATION_UNITS, unit).ok_or_else(|| {
        format!("unknown duration unit \"{unit}\" in \"{text}\" (use ns, us, ms, s, m, h or d)")
    })?;
    whole_product(number, factor)
        .map(SimDuration::from_nanos)
        .ok_or_else(|| format!("\"{text}\" is not a whole number of nanoseconds"))
}

/// Parses an event rate in events per second: "20k/s", "1.5M/s", "600/m", "20000".
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let expected = || format!("expected {RATE_EXPECTED}, found \"{text}\"");
    let (count_text, per) = match text.trim().split_once('/') {
        Some((count, per)) => (count, per.trim()),
        None => (text, "s"),
    };
    let seconds_per = match per {
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(expected()),
    };
    // Checked with the exact reader, then converted by Rust's correctly rounded float parser,
    // so that a rate written by `format_rate` reads back to the same bits.
    let (_, suffix) = split_number(count_text).ok_or_else(expected)?;
    let multiplier: f64 = match suffix {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        _ => return Err(expected()),
    };
    let digits: String = count_text
        .trim()
        .trim_end_matches(suffix)
        .trim()
        .chars()
        .filter(|&c| c != '_')
        .collect();
    let count: f64 = digits.parse().map_err(|_| expected())?;
    Ok(count * multiplier / seconds_per)
}

/// Parses a bandwidth in bytes per second: "200MB/s", "1GB/s".
pub fn parse_bandwidth(text: &str) -> Result<u64, String> {
    let size = text
        .trim()
        .strip_suffix("/s")
        .ok_or_else(|| format!("expected {BANDWIDTH_EXPECTED}, found \"{text}\""))?;
    parse_size(size)
}

/// The exact size with the largest binary unit that divides it: "128MB", "1000B".
/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// "YYYY-MM-DDTHH:MM:SSZ" (UTC, 1970 to 9999) as milliseconds since the epoch.
pub fn parse_utc_instant(text: &str) -> Result<u64, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes.iter().enumerate().all(|(index, &byte)| match index {
            4 | 7 => byte == b'-',
            10 => byte == b'T',
            13 | 16 => byte == b':',
            19 => byte == b'Z',
            _ => byte.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("expected {INSTANT_EXPECTED}, found \"{text}\""));
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        text[range].parse().expect("digits checked above")
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if year < 1970
        || !(1..=12).contains(&month)
        || day == 0
        || day > month_days[month as usize - 1]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(format!(
            "\"{text}\" is not a valid time between 1970 and 9999"
        ));
    }
    let days = days_from_civil(i64::from(year), month, day) as u64;
    Ok(
        ((days * 24 + u64::from(hour)) * 60 + u64::from(minute)) * 60_000
            + u64::from(second) * 1000,
    )
}

/// Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (the inverse of `parse_utc_instant`
/// for whole seconds).
pub fn format_utc_instant(epoch_ms: u64) -> String {
    let seconds = epoch_ms / 1000;
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // civil_from_days, the inverse of days_from_civil.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

pub fn format_size(bytes: u64) -> String {
    for (unit, factor) in [
        ("TB", 1u64 << 40),
        ("GB", 1 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
    ] {
        if bytes != 0 && bytes % factor == 0 {
            return format!("{}{unit}", bytes / factor);
        }
    }
    format!("{bytes}B")
}

/// A size for people, rounded: "121.6MB", "6.4GB", "900B".
pub fn format_size_approx(bytes: f64) -> String {
    let mut value = bytes;
    for unit in ["B", "KB", "MB", "GB"] {
        if value.abs() < 1024.0 {
            return trim_decimal(value, unit);
        }
        value /= 1024.0;
    }
    trim_decimal(value, "TB")
}

fn trim_decimal(value: f64, unit: &str) -> String {
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}{unit}")
}

/// The exact bandwidth: "200MB/s".
pub fn format_bandwidth(bytes_per_sec: u64) -> String {
    format!("{}/s", format_size(bytes_per_sec))
}

/// A rate that reads back to the same `f64`: "20000/s", "0.5/s".
pub fn format_rate(per_sec: f64) -> String {
    format!("{per_sec}/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known instants: the epoch, 2024-01-01 (1704067200 s), a leap day, and round trips.
    #[test]
    fn utc_instants_parse_and_format() {
        assert_eq!(parse_utc_instant("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_utc_instant("2024-01-01T00:00:00Z"),
            Ok(1_704_067_200_000)
        );
        assert_eq!(
            parse_utc_instant("2020-08-20T03:52:41Z"),
            Ok(1_597_895_561_000)
        );
        assert_eq!(
            parse_utc_instant("2024-02-29T12:00:00Z"),
            Ok(1_709_208_000_000)
        );
        assert!(parse_utc_instant("2023-02-29T12:00:00Z").is_err());
        assert!(parse_utc_instant("2024-01-01 00:00:00").is_err());
        assert!(parse_utc_instant("2024-13-01T00:00:00Z").is_err());
        for text in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2100-03-01T01:02:03Z",
        ] {
            assert_eq!(format_utc_instant(parse_utc_instant(text).unwrap()), text);
        }
    }
    use proptest::prelude::*;

    #[test]
    fn sizes_are_binary_as_in_hbase() {
        assert_eq!(parse_size("128MB"), Ok(134_217_728));
        assert_eq!(parse_size("128 MiB"), Ok(134_217_728));
        assert_eq!(parse_size("1.5GB"), Ok(1_610_612_736));
        assert_eq!(parse_size("16gb"), Ok(17_179_869_184));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("10_000"), Ok(10_000));
        assert_eq!(parse_size("1KB"), Ok(1024));
    }

    #[test]
    fn bad_sizes_say_what_was_expected() {
        assert!(parse_size("0.3KB").unwrap_err().contains("whole number"));
        assert!(
            parse_size("12 MQ")
                .unwrap_err()
                .contains("unknown size unit \"MQ\"")
        );
        assert!(parse_size("-5MB").unwrap_err().contains("expected a size"));
        assert!(parse_size("").unwrap_err().contains("expected a size"));
        assert!(parse_size("99999999999TB").unwrap_err().contains("64 bits"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(SimDuration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(SimDuration::from_secs(600)));
        assert_eq!(parse_duration("2ms"), Ok(SimDuration::from_millis(2)));
        assert_eq!(parse_duration("1.5h"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse_duration("250us"), Ok(SimDuration::from_micros(250)));
        assert!(parse_duration("90").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("0.5ns")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            parse_duration("3 fortnights")
                .unwrap_err()
                .contains("unknown duration unit")
        );
    }

    #[test]
    fn rates_and_bandwidths() {
        assert_eq!(parse_rate("20k/s"), Ok(20_000.0));
        assert_eq!(parse_rate("1.5M/s"), Ok(1_500_000.0));
        assert_eq!(parse_rate("600/m"), Ok(10.0));
        assert_eq!(parse_rate("250"), Ok(250.0));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("20k/fortnight").is_err());
        assert_eq!(parse_bandwidth("200MB/s"), Ok(200 << 20));
        assert!(parse_bandwidth("200MB").is_err());
    }

    #[test]
    fn formatting_is_exact_and_readable() {
        assert_eq!(format_size(134_217_728), "128MB");
        assert_eq!(format_size(1000), "1000B");
        assert_eq!(format_size(0), "0B");
        assert_eq!(format_size(3 << 30), "3GB");
        assert_eq!(format_size_approx(127_506_841.6), "121.6MB");
        assert_eq!(format_size_approx(900.0), "900B");
        assert_eq!(format_bandwidth(200 << 20), "200MB/s");
        assert_eq!(format_rate(20_000.0), "20000/s");
    }

    proptest! {
        // Whatever is formatted reads back to the same value.
        #[test]
        fn sizes_round_trip(bytes in any::<u64>()) {
            prop_assert_eq!(parse_size(&format_size(bytes)), Ok(bytes));
        }

        #[test]
        fn durations_round_trip(nanos in any::<u64>()) {
            let duration = SimDuration::from_nanos(nanos);
            prop_assert_eq!(parse_duration(&duration.to_string()), Ok(duration));
        }

        #[test]
        fn rates_round_trip(per_sec in 0.0f64..1e12) {
            prop_assert_eq!(parse_rate(&format_rate(per_sec)), Ok(per_sec));
        }

        // No text makes a parser panic.
        #[test]
        fn parsers_never_panic(text in "\\PC{0,24}") {
            let _ = parse_size(&text);
            let _ = parse_duration(&text);
            let _ = parse_rate(&text);
            let _ = parse_bandwidth(&text);
        }
    }
}
