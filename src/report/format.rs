//! Numbers for people, shared by the terminal tables and the HTML report: counts with
//! thousands separators and milliseconds with a sensible number of digits.

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

#[cfg(test)]
mod tests {
    use super::*;

    // Separators every three digits from the right; three significant digits for milliseconds
    // (rounded half to even, as Rust formats).
    #[test]
    fn formats() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(millis(0.4125), "0.412ms");
        assert_eq!(millis(31.25), "31.2ms");
        assert_eq!(millis(1250.0), "1250ms");
    }
}
