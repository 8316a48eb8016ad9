//! "Did you mean …?": the closest known name to a misspelt one.
//!
//! Closeness is the optimal-string-alignment edit distance (insertions, deletions,
//! substitutions and swaps of neighbours), ignoring case; a name is suggested only when it is
//! close relative to its length, so that nonsense gets no suggestion. A dotted tail that names
//! exactly one property ("flush.size") also finds it, since people often drop the prefix.

/// The best suggestion for `word` among `candidates`, if any is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    if let Some(&exact) = candidates
        .iter()
        .find(|candidate| candidate.to_lowercase() == word_lower)
    {
        return Some(exact);
    }
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let distance = edit_distance(&word_lower, &candidate.to_lowercase());
        if distance <= limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    if let Some((_, candidate)) = best {
        return Some(candidate);
    }
    let dotted_tail = format!(".{word_lower}");
    let mut tails = candidates
        .iter()
        .filter(|candidate| candidate.to_lowercase().ends_with(&dotted_tail));
    match (tails.next(), tails.next()) {
        (Some(&only), None) => Some(only),
        _ => None,
    }
}

/// Optimal string alignment distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows suffice: the current one, the previous one, and the one before (for swaps).
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut distance = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROPERTIES: &[&str] = &[
        "hbase.hregion.memstore.flush.size",
        "hbase.hregion.memstore.block.multiplier",
        "hbase.hstore.flusher.count",
    ];

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("flsuh", "flush"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("hbase.hregion.memstore.flsh.size", PROPERTIES),
            Some("hbase.hregion.memstore.flush.size")
        );
        assert_eq!(
            did_you_mean("HBASE.HSTORE.FLUSHER.COUNT", PROPERTIES),
            Some("hbase.hstore.flusher.count")
        );
        assert_eq!(
            did_you_mean("regoins", &["regions", "families"]),
            Some("regions")
        );
        assert_eq!(did_you_mean("zzz", &["regions", "families"]), None);
    }

    #[test]
    fn a_unique_dotted_tail_finds_its_property() {
        assert_eq!(
            did_you_mean("flush.size", PROPERTIES),
            Some("hbase.hregion.memstore.flush.size")
        );
        assert_eq!(did_you_mean("size", &["a.size", "b.size"]), None);
    }
}
