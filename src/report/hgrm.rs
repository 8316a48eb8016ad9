//! Writes a latency histogram as HdrHistogram's percentile-distribution text, the `.hgrm` format.
//!
//! The Java HdrHistogram prints this text from
//! `AbstractHistogram.outputPercentileDistribution`, and HdrHistogram's online plotter and most
//! latency tooling read it. The `hdrhistogram` crate can iterate quantiles but has no printer for
//! the format, so this module writes it from the format's description: a header, one row per
//! percentile step (value, percentile as a fraction, cumulative count, `1/(1-percentile)`), the
//! last row at 100% without the fourth column, and a three-line `#[...]` footer with the mean,
//! standard deviation, maximum, total count and the histogram's bucket layout.
//!
//! Byte-for-byte agreement with Java needs three things that the crate does not give directly,
//! so each is done here the way the reference output does it:
//!
//! - The percentile steps are reckoned in percent (0 to 100), not as a fraction, and the step
//!   size is fixed per half-distance to 100% with the number of halvings rounded down. The
//!   crate's `iter_quantiles` works on fractions, so its sums of steps (0.1 + 0.1 + 0.1) miss
//!   levels that Java hits exactly (10 + 10 + 10), which changes which rows appear.
//! - The mean and standard deviation sum every recorded bucket's median value times its count
//!   and divide once at the end; the crate's `mean` divides every term, which can differ in the
//!   last bit and so in a printed digit.
//! - Java's `%f` rounds the shortest decimal form of a double half-up, while Rust's `{:.N}`
//!   rounds the exact binary value half-to-even, so a tie such as 0.0625 prints as 0.063 in Java
//!   and 0.062 in Rust. The numbers here are rounded the Java way.
//!
//! Where Java would fail, this module still returns text: Java throws or never stops when the
//! iteration cannot reach its next level (zero ticks per half-distance, or total counts so large
//! that `100 * count / total` rounds to 100 before the last bucket); here the iteration then
//! goes straight to the closing 100% row. An empty histogram prints the header and the footer
//! with zeros, as Java does: Java's mean and deviation of an empty histogram are 0, not NaN.
//!
//! The logarithm that picks the step size comes from `libm`, like every transcendental function
//! in the simulator, so the rows are the same on every platform.

use std::cmp::Ordering;
use std::fmt::Write as _;

use hdrhistogram::Histogram;

/// Writes `histogram` as HdrHistogram's percentile-distribution text. Values are divided by
/// `value_unit_scaling_ratio` (e.g. 1e6 to turn recorded nanoseconds into milliseconds);
/// `ticks_per_half_distance` is 5 in HdrHistogram's default output.
///
/// As in Java, each row's value is the highest value equivalent to its bucket, and the values,
/// the mean, the standard deviation and the maximum get as many decimals as the histogram has
/// significant value digits. An empty histogram gives the header and a footer of zeros.
pub fn percentile_distribution(
    histogram: &Histogram<u64>,
    value_unit_scaling_ratio: f64,
    ticks_per_half_distance: u32,
) -> String {
    let digits = usize::from(histogram.sigfig());
    let mut out = String::new();
    // Writing into a String cannot fail, so the `fmt::Result`s below carry no information.
    let _ = write!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );

    for row in percentile_rows(histogram, ticks_per_half_distance) {
        // Java converts the value to a double before dividing, as `as f64` does here.
        let value = java_fixed(row.value as f64 / value_unit_scaling_ratio, 12, digits);
        let fraction = row.level / 100.0;
        let percentile = java_fixed(fraction, 2, 12);
        // Java compares the level with exactly 100 to decide that a row is the last one, so the
        // comparison is exact here too.
        if row.level.total_cmp(&100.0) == Ordering::Equal {
            let _ = writeln!(out, "{value} {percentile} {:>10}", row.total_count);
        } else {
            let inverse = java_fixed(1.0 / (1.0 - fraction), 14, 2);
            let _ = writeln!(
                out,
                "{value} {percentile} {:>10} {inverse}",
                row.total_count
            );
        }
    }

    let (mean, std_deviation) = mean_and_std_deviation(histogram);
    let _ = writeln!(
        out,
        "#[Mean    = {}, StdDeviation   = {}]",
        java_fixed(mean / value_unit_scaling_ratio, 12, digits),
        java_fixed(std_deviation / value_unit_scaling_ratio, 12, digits)
    );
    let _ = writeln!(
        out,
        "#[Max     = {}, Total count    = {:>12}]",
        java_fixed(
            histogram.max() as f64 / value_unit_scaling_ratio,
            12,
            digits
        ),
        histogram.len()
    );
    let _ = writeln!(
        out,
        "#[Buckets = {:>12}, SubBuckets     = {:>12}]",
        histogram.buckets(),
        sub_bucket_count(histogram.sigfig())
    );
    out
}

/// One line of the distribution: the bucket's highest equivalent value, the percentile level
/// (0 to 100) that the iteration had reached, and the count of values up to this bucket.
#[derive(Debug, Clone, Copy)]
struct Row {
    value: u64,
    level: f64,
    total_count: u64,
}

/// Walks the recorded buckets the way HdrHistogram's percentile iterator does.
///
/// A row is due whenever the values counted up to the current bucket make up at least the
/// current level; after each row the level moves up by one tick, and the same bucket may yield
/// several rows before the walk moves on. Once every value has been counted, one more row at
/// exactly 100% closes the list. Empty buckets never yield a row, so walking only the recorded
/// buckets gives the same rows as walking every bucket.
fn percentile_rows(histogram: &Histogram<u64>, ticks_per_half_distance: u32) -> Vec<Row> {
    let total = histogram.len();
    let mut rows = Vec::new();
    if total == 0 {
        // Java's iterator has nothing to yield, not even the 100% row, for an empty histogram.
        return rows;
    }
    let total_f = total as f64;
    let mut recorded = histogram
        .iter_recorded()
        .map(|step| (step.value_iterated_to(), step.count_at_value()));
    let mut current: Option<u64> = None;
    let mut running: u64 = 0;
    let mut level = 0.0_f64;

    'rows: while running < total {
        loop {
            if let Some(value) = current {
                // Same expression as Java's, in percent, so that ties resolve the same way.
                if 100.0 * running as f64 / total_f >= level {
                    rows.push(Row {
                        value,
                        level,
                        total_count: running,
                    });
                    let next = next_level(level, ticks_per_half_distance);
                    if next.partial_cmp(&level) != Some(Ordering::Greater) {
                        // The tick has become too small to move the level (or the level is
                        // NaN): Java would repeat this row forever, so close the list instead.
                        break 'rows;
                    }
                    level = next;
                    continue 'rows;
                }
            }
            match recorded.next() {
                Some((value, count)) => {
                    current = Some(value);
                    running = running.saturating_add(count);
                }
                // Java throws here; running out of buckets only happens when the level cannot
                // be reached any more, and the closing row below still says what is known.
                None => break 'rows,
            }
        }
    }

    // The closing row counts every value, including any that an early stop above skipped.
    for (value, count) in recorded {
        current = Some(value);
        running = running.saturating_add(count);
    }
    if let Some(value) = current {
        rows.push(Row {
            value,
            level: 100.0,
            total_count: running,
        });
    }
    rows
}

/// The percentile level after `level`: each half of the remaining distance to 100% is cut into
/// `ticks_per_half_distance` equal steps, so the steps halve at 50%, 75%, 87.5% and so on.
///
/// The arithmetic follows Java's types on purpose: the number of halvings is truncated to a
/// 64-bit integer, the tick count is a wrapping 64-bit product, and float-to-integer casts
/// saturate (as Java's do), so even the degenerate levels at or past 100% come out as in Java.
fn next_level(level: f64, ticks_per_half_distance: u32) -> f64 {
    let halvings = (libm::log(100.0 / (100.0 - level)) / libm::log(2.0)) as i64;
    let slices = libm::pow(2.0, halvings.wrapping_add(1) as f64) as i64;
    let ticks = i64::from(ticks_per_half_distance).wrapping_mul(slices);
    level + 100.0 / ticks as f64
}

/// The mean and population standard deviation of the recorded values, each bucket standing for
/// its median equivalent value, summed in bucket order and divided once at the end as Java does.
/// An empty histogram gives zeros, as in Java.
fn mean_and_std_deviation(histogram: &Histogram<u64>) -> (f64, f64) {
    let total = histogram.len();
    if total == 0 {
        return (0.0, 0.0);
    }
    let total_f = total as f64;
    let mut sum = 0.0_f64;
    for step in histogram.iter_recorded() {
        sum += median_equivalent(histogram, step.value_iterated_to()) as f64
            * step.count_at_value() as f64;
    }
    let mean = sum / total_f;
    let mut squares = 0.0_f64;
    for step in histogram.iter_recorded() {
        let deviation = median_equivalent(histogram, step.value_iterated_to()) as f64 - mean;
        squares += deviation * deviation * step.count_at_value() as f64;
    }
    (mean, (squares / total_f).sqrt())
}

/// The middle of the bucket holding `value` (rounded up), saturating rather than panicking at
/// the top of the `u64` range, where the crate's own `median_equivalent` would `expect`.
fn median_equivalent(histogram: &Histogram<u64>, value: u64) -> u64 {
    histogram
        .lowest_equivalent(value)
        .saturating_add(histogram.equivalent_range(value) >> 1)
}

/// The number of sub-buckets per bucket: the smallest power of two (at least 2) that gives unit
/// resolution up to `2 * 10^sigfig`, which is how every HdrHistogram implementation sizes it.
/// The crate keeps this number private, so it is recomputed from the significant digits.
fn sub_bucket_count(sigfig: u8) -> u64 {
    let largest_with_unit_resolution = 2 * 10_u64.pow(u32::from(sigfig));
    largest_with_unit_resolution.next_power_of_two().max(2)
}

/// Formats `x` as Java's `String.format(Locale.US, "%{width}.{precision}f", x)` does.
///
/// Java rounds the shortest decimal string that identifies the double (what `Double.toString`
/// prints), half-up, and pads with zeros beyond its last digit; Rust's `{:.N}` rounds the exact
/// binary value half-to-even. Starting from Rust's shortest representation (`{:e}`) and rounding
/// its digits half-up gives Java's text. Non-finite values print as Java's `NaN`, `Infinity`
/// and `-Infinity`.
///
/// This is the text of current JDKs (checked against 25). JDK 17 differs only from about 1.8e16
/// up, where it prints a double's exact integer digits instead of its shortest form.
fn java_fixed(x: f64, width: usize, precision: usize) -> String {
    let body = if x.is_nan() {
        "NaN".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        // Java keeps the sign of negative values that round to zero, and of -0.0.
        let sign = if x.is_sign_negative() { "-" } else { "" };
        match shortest_digits(x.abs()) {
            Some((digits, point)) => {
                format!("{sign}{}", round_half_up(digits, point, precision))
            }
            // Rust's `{:e}` always has the shape parsed above; should that ever change, the
            // plain Rust rounding is the closest fallback and differs from Java only at ties.
            None => format!("{x:.precision$}"),
        }
    };
    format!("{body:>width$}")
}

/// The shortest round-trip decimal digits of a finite, non-negative `x` and the position of the
/// decimal point: `x = 0.d1d2d3... * 10^point`. Zero is `([0], 1)`.
///
/// When two shortest candidates are equally close to `x`, Java takes the one whose last digit is
/// even, while Rust's `{:e}` may take the other; such ties are settled the Java way.
fn shortest_digits(x: f64) -> Option<(Vec<u8>, i64)> {
    let (digits, point) = scientific_digits(&format!("{x:e}"))?;
    // A tie needs a decimal step no larger than the double's own spacing, which takes at least
    // 16 significant digits; starting the costly exact expansion below at 15 leaves a margin.
    if digits.len() < 15 {
        return Some((digits, point));
    }
    // 800 significant digits hold every double's exact decimal expansion (at most 767).
    let (mut exact, exact_point) = scientific_digits(&format!("{x:.800e}"))?;
    while exact.len() > 1 && exact.last() == Some(&0) {
        exact.pop();
    }
    let n = digits.len();
    let is_tie = exact_point == point && exact.len() == n + 1 && exact.last() == Some(&5);
    if !is_tie {
        return Some((digits, point));
    }
    // `x` lies exactly between the n-digit truncation of its expansion and the next n-digit
    // number up; the even one of the two is Java's choice, provided it reads back as `x`.
    let mut even = exact[..n].to_vec();
    if even.last().is_some_and(|d| d % 2 == 1) {
        if even.iter().all(|&d| d == 9) {
            // Rounding up would add a digit and change the exponent; keep Rust's choice.
            return Some((digits, point));
        }
        for digit in even.iter_mut().rev() {
            if *digit == 9 {
                *digit = 0;
            } else {
                *digit += 1;
                break;
            }
        }
    }
    let text: String = even.iter().map(|&d| char::from(b'0' + d)).collect();
    let reads_back = format!("0.{text}e{point}").parse::<f64>().ok() == Some(x);
    Some(if reads_back {
        (even, point)
    } else {
        (digits, point)
    })
}

/// Splits Rust's `{:e}` text (`d.ddde±x`) into its digits and the decimal point's position as
/// `0.ddd * 10^point`.
fn scientific_digits(scientific: &str) -> Option<(Vec<u8>, i64)> {
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i64 = exponent.parse().ok()?;
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.is_empty() {
        return None;
    }
    Some((digits, exponent.checked_add(1)?))
}

/// Renders `0.digits * 10^point` with `precision` decimals, rounding half-up on the digits.
fn round_half_up(mut digits: Vec<u8>, mut point: i64, precision: usize) -> String {
    let precision_i = i64::try_from(precision).unwrap_or(i64::MAX);
    // How many leading digits survive: those before the point plus `precision` after it.
    let keep = point.saturating_add(precision_i);
    if keep < 0 {
        // Even the first digit lies beyond the half-unit position, so the value rounds to zero.
        digits.clear();
    } else if let Ok(keep) = usize::try_from(keep) {
        if keep < digits.len() {
            let round_up = digits[keep] >= 5;
            digits.truncate(keep);
            if round_up {
                // Propagate the carry; a carry out of the first digit adds a leading 1.
                let mut carried = true;
                for digit in digits.iter_mut().rev() {
                    if *digit == 9 {
                        *digit = 0;
                    } else {
                        *digit += 1;
                        carried = false;
                        break;
                    }
                }
                if carried {
                    digits.insert(0, 1);
                    point += 1;
                }
            }
        }
    }

    let digit_at = |position: i64| -> char {
        usize::try_from(position)
            .ok()
            .and_then(|i| digits.get(i))
            .map_or('0', |&d| char::from(b'0' + d))
    };
    let mut text = String::new();
    if point <= 0 {
        text.push('0');
    } else {
        text.extend((0..point).map(digit_at));
    }
    if precision > 0 {
        text.push('.');
        text.extend((0..precision_i).map(|i| digit_at(point + i)));
    }
    text
}

#[cfg(test)]
mod tests {
    //! The expected texts below were printed by the Java HdrHistogram itself
    //! (`AbstractHistogram.outputPercentileDistribution(System.out, 5, ratio)`, built from the
    //! HdrHistogram/HdrHistogram repository at commit de84b0a, run on OpenJDK 17.0.15; Temurin
    //! 25.0.3 printed the same bytes) for histograms with the same bounds and recorded values.

    use super::*;

    /// The bounds HdrHistogram's examples use: 1 ns to an hour.
    const HOUR_NS: u64 = 3_600_000_000_000;

    fn histogram(sigfig: u8, values: &[(u64, u64)]) -> Histogram<u64> {
        let mut histogram =
            Histogram::<u64>::new_with_bounds(1, HOUR_NS, sigfig).expect("valid test bounds");
        for &(value, count) in values {
            histogram
                .record_n(value, count)
                .expect("test values are within the bounds");
        }
        histogram
    }

    #[test]
    fn one_to_ten_matches_java() {
        // Rows driven by the crate's `iter_quantiles` differ here: its fractions add up to
        // 0.30000000000000004 rather than 0.3, so it prints 4, 7, 8, 9 and 10 at the 30%, 60%,
        // 70%, 80% and 90% levels where Java prints 3, 6, 7, 8 and 9, and it leaves out the
        // 91.25% row.
        let values: Vec<(u64, u64)> = (1..=10).map(|v| (v, 1)).collect();
        let expected = concat!(
            "       Value     Percentile TotalCount 1/(1-Percentile)\n",
            "\n",
            "       1.000 0.000000000000          1           1.00\n",
            "       1.000 0.100000000000          1           1.11\n",
            "       2.000 0.200000000000          2           1.25\n",
            "       3.000 0.300000000000          3           1.43\n",
            "       4.000 0.400000000000          4           1.67\n",
            "       5.000 0.500000000000          5           2.00\n",
            "       6.000 0.550000000000          6           2.22\n",
            "       6.000 0.600000000000          6           2.50\n",
            "       7.000 0.650000000000          7           2.86\n",
            "       7.000 0.700000000000          7           3.33\n",
            "       8.000 0.750000000000          8           4.00\n",
            "       8.000 0.775000000000          8           4.44\n",
            "       8.000 0.800000000000          8           5.00\n",
            "       9.000 0.825000000000          9           5.71\n",
            "       9.000 0.850000000000          9           6.67\n",
            "       9.000 0.875000000000          9           8.00\n",
            "       9.000 0.887500000000          9           8.89\n",
            "       9.000 0.900000000000          9          10.00\n",
            "      10.000 0.912500000000         10          11.43\n",
            "      10.000 1.000000000000         10\n",
            "#[Mean    =        5.500, StdDeviation   =        2.872]\n",
            "#[Max     =       10.000, Total count    =           10]\n",
            "#[Buckets =           32, SubBuckets     =         2048]\n",
        );
        assert_eq!(
            percentile_distribution(&histogram(3, &values), 1.0, 5),
            expected
        );
    }

    #[test]
    fn nanoseconds_scaled_to_milliseconds_match_java() {
        let values = [
            (1_234_567, 1),
            (2_500_000, 2),
            (48_000_000, 1),
            (3_000_000_000, 1),
        ];
        let expected = concat!(
            "       Value     Percentile TotalCount 1/(1-Percentile)\n",
            "\n",
            "       1.235 0.000000000000          1           1.00\n",
            "       1.235 0.100000000000          1           1.11\n",
            "       1.235 0.200000000000          1           1.25\n",
            "       2.501 0.300000000000          3           1.43\n",
            "       2.501 0.400000000000          3           1.67\n",
            "       2.501 0.500000000000          3           2.00\n",
            "       2.501 0.550000000000          3           2.22\n",
            "       2.501 0.600000000000          3           2.50\n",
            "      48.005 0.650000000000          4           2.86\n",
            "      48.005 0.700000000000          4           3.33\n",
            "      48.005 0.750000000000          4           4.00\n",
            "      48.005 0.775000000000          4           4.44\n",
            "      48.005 0.800000000000          4           5.00\n",
            "    3001.025 0.825000000000          5           5.71\n",
            "    3001.025 1.000000000000          5\n",
            "#[Mean    =      610.840, StdDeviation   =     1194.701]\n",
            "#[Max     =     3001.025, Total count    =            5]\n",
            "#[Buckets =           32, SubBuckets     =         2048]\n",
        );
        assert_eq!(
            percentile_distribution(&histogram(3, &values), 1e6, 5),
            expected
        );
    }

    #[test]
    fn ties_round_half_up_like_java() {
        // 1/8 = 0.125 prints as 0.13 in Java; Rust's `{:.2}` would print 0.12.
        let expected = concat!(
            "       Value     Percentile TotalCount 1/(1-Percentile)\n",
            "\n",
            "        0.00 0.000000000000          1           1.00\n",
            "        0.00 0.100000000000          1           1.11\n",
            "        0.00 0.200000000000          1           1.25\n",
            "        0.00 0.300000000000          1           1.43\n",
            "        0.00 0.400000000000          1           1.67\n",
            "        0.00 0.500000000000          1           2.00\n",
            "        0.13 0.550000000000          2           2.22\n",
            "        0.13 1.000000000000          2\n",
            "#[Mean    =         0.06, StdDeviation   =         0.06]\n",
            "#[Max     =         0.13, Total count    =            2]\n",
            "#[Buckets =           35, SubBuckets     =          256]\n",
        );
        assert_eq!(
            percentile_distribution(&histogram(2, &[(0, 1), (1, 1)]), 8.0, 5),
            expected
        );
    }

    #[test]
    fn empty_histogram_prints_header_and_zero_footer() {
        let text = percentile_distribution(&histogram(3, &[]), 1e6, 5);
        let expected = concat!(
            "       Value     Percentile TotalCount 1/(1-Percentile)\n",
            "\n",
            "#[Mean    =        0.000, StdDeviation   =        0.000]\n",
            "#[Max     =        0.000, Total count    =            0]\n",
            "#[Buckets =           32, SubBuckets     =         2048]\n",
        );
        assert_eq!(text, expected);
        let footer: Vec<&str> = text.lines().skip(2).collect();
        assert_eq!(footer.len(), 3);
        assert!(footer[0].starts_with("#[Mean    = ") && footer[0].ends_with(']'));
        assert!(footer[1].starts_with("#[Max     = ") && footer[1].ends_with(']'));
        assert!(footer[2].starts_with("#[Buckets = ") && footer[2].ends_with(']'));
        assert!(!text.contains("NaN") && !text.contains("Infinity") && !text.contains("inf"));
    }

    #[test]
    fn zero_ticks_still_close_at_one_hundred_percent() {
        // Java throws here after the first row; this module ends with the 100% row instead.
        let text = percentile_distribution(&histogram(3, &[(5, 1), (7, 1), (9, 3)]), 1.0, 0);
        let rows: Vec<&str> = text
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with('#'))
            .collect();
        assert_eq!(
            rows,
            [
                "       5.000 0.000000000000          1           1.00",
                "       9.000 1.000000000000          5",
            ]
        );
    }

    #[test]
    fn huge_counts_end_instead_of_repeating_forever() {
        // With 2^62 values in one bucket, `100 * count / total` rounds to 100 before the last
        // bucket and the level's tick stops moving it: Java prints the same row forever.
        let text =
            percentile_distribution(&histogram(3, &[(10, 1 << 62), (20, 1), (30, 1)]), 1.0, 5);
        let rows: Vec<&str> = text
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with('#'))
            .collect();
        assert!(rows.len() < 300, "{} rows", rows.len());
        assert_eq!(
            rows.last().copied(),
            Some("      30.000 1.000000000000 4611686018427387906")
        );
    }

    #[test]
    fn java_fixed_matches_java_formatter() {
        // Each expected string is what `String.format(Locale.US, "%.Nf", x)` printed on
        // OpenJDK 17.0.15 and Temurin 25.0.3.
        let cases: [(f64, usize, &str); 15] = [
            (0.0625, 3, "0.063"),
            (0.125, 2, "0.13"),
            (2.5, 0, "3"),
            (0.5, 0, "1"),
            (9.9995, 3, "10.000"),
            (0.15, 1, "0.2"),
            (1.005, 2, "1.01"),
            (2.675, 2, "2.68"),
            (0.000_499_99, 3, "0.000"),
            (0.000_499_99, 12, "0.000499990000"),
            (-0.0, 3, "-0.000"),
            (1e22, 1, "10000000000000000000000.0"),
            (5e-324, 2, "0.00"),
            // Doubles exactly halfway between two shortest decimal forms, written as exact sums
            // because their full literals are longer than the shortest form: Java takes the
            // even one, Rust's `{:e}` the other.
            (176_611_750_092_960.0 + 0.625, 2, "176611750092960.62"),
            (643_371_375_338_642.0 + 0.25, 2, "643371375338642.20"),
        ];
        for (x, precision, expected) in cases {
            assert_eq!(
                java_fixed(x, 0, precision),
                expected,
                "{x:e} to {precision}"
            );
        }
        assert_eq!(java_fixed(f64::NAN, 12, 3), "         NaN");
        assert_eq!(java_fixed(f64::INFINITY, 2, 12), "Infinity");
        assert_eq!(java_fixed(f64::NEG_INFINITY, 14, 2), "     -Infinity");
    }

    #[test]
    fn sub_bucket_count_matches_the_histogram_layout() {
        // The crate's counts array holds (buckets + 1) half-buckets of sub-buckets.
        for sigfig in 0..=5 {
            let histogram = histogram(sigfig, &[]);
            let from_layout =
                2 * histogram.distinct_values() as u64 / (u64::from(histogram.buckets()) + 1);
            assert_eq!(sub_bucket_count(sigfig), from_layout, "sigfig {sigfig}");
        }
    }
}
