//! Numbers for people, shared by the terminal tables and the HTML report: counts with
//! thousands separators, milliseconds with a sensible number of digits, and latencies that
//! switch to seconds and minutes when milliseconds stop being readable.

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

/// Milliseconds with a sensible number of digits: 0.412ms, 2.05ms, 31.2ms, 1250ms.
pub fn millis(value: f64) -> String {
    if value < 1.0 {
        format!("{value:.3}ms")
    } else if value < 10.0 {
        format!("{value:.2}ms")
    } else if value < 100.0 {
        format!("{value:.1}ms")
    } else {
        format!("{value:.0}ms")
    }
}

/// A latency: milliseconds below ten seconds, then seconds, then minutes and seconds:
/// 31.2ms, 9870ms, 12.3s, 2m10s, 1h5m.
pub fn latency(value_ms: f64) -> String {
    if value_ms < 10_000.0 {
        return millis(value_ms);
    }
    if value_ms < 60_000.0 {
        return format!("{:.1}s", value_ms / 1000.0);
    }
    let seconds = (value_ms / 1000.0).round() as u64;
    if seconds < 3600 {
        format!("{}m{}s", seconds / 60, seconds % 60)
    } else {
        format!("{}h{}m", seconds / 3600, seconds % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Separators every three digits from the right; three significant digits for milliseconds
    // (rounded half to even, as Rust formats); latencies past ten seconds in seconds and minutes.
    #[test]
    fn formats() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(millis(0.4125), "0.412ms");
        assert_eq!(millis(31.25), "31.2ms");
        assert_eq!(millis(1250.0), "1250ms");
        assert_eq!(latency(9870.0), "9870ms");
        assert_eq!(latency(12_345.0), "12.3s");
        assert_eq!(latency(130_499.0), "2m10s");
        assert_eq!(latency(3_930_000.0), "1h5m");
    }
}
