//! Terminal tables (the number formats are shared with the HTML report, in `report::format`).

pub use crate::report::format::{count, latency};

/// Left-aligned columns separated by two spaces.
pub fn table(rows: &[Vec<String>]) -> String {
    table_within(rows, &[])
}

/// Left-aligned columns separated by two spaces, column `i` at most `widths[i]` wide (columns
/// past the list as wide as their longest cell): a longer cell goes on over the row's next
/// lines, broken at spaces, and a word still too long after its dots (a Java class name), so
/// that one long value does not pad every row. A piece with no such break stays whole and
/// runs past its column on that line.
pub fn table_within(rows: &[Vec<String>], widths: &[usize]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            let longest = rows
                .iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0);
            widths.get(column).map_or(longest, |cap| longest.min(*cap))
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let pieces: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| wrap(cell, *width))
            .collect();
        let height = pieces.iter().map(Vec::len).max().unwrap_or(0);
        for line in 0..height {
            let cells: Vec<String> = pieces
                .iter()
                .zip(&widths)
                .map(|(cell, width)| {
                    let piece = cell.get(line).map_or("", String::as_str);
                    format!("{piece:<width$}")
                })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
    }
    out
}

/// `text` in lines of at most `width` characters where it can be broken: at spaces, and inside
/// a word longer than the width, after its dots.
fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.chars().count() <= width {
        return vec![text.to_string()];
    }
    // Each piece with whether it starts a word (and so follows a space).
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    for word in text.split(' ') {
        if word.chars().count() <= width {
            pieces.push((word, true));
        } else {
            let parts = word.split_inclusive('.').enumerate();
            pieces.extend(parts.map(|(index, part)| (part, index == 0)));
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (piece, starts_word) in pieces {
        let joined = if line.is_empty() || !starts_word {
            format!("{line}{piece}")
        } else {
            format!("{line} {piece}")
        };
        if joined.chars().count() <= width || line.is_empty() {
            line = joined;
        } else {
            lines.push(std::mem::take(&mut line));
            line = piece.to_string();
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            table(&[
                vec!["a".into(), "bb".into()],
                vec!["ccc".into(), "d".into()]
            ]),
            "a    bb\nccc  d\n"
        );
    }

    // A column held to its width: a long cell goes on over the row's next lines, broken at
    // spaces or, in a word too long, after dots; a piece with no break runs past its column;
    // the other columns keep their place and the last column is as wide as it needs.
    #[test]
    fn long_cells_wrap_within_their_column() {
        let rows = [
            vec!["name".into(), "value".into(), "source".into()],
            vec![
                "a.policy".into(),
                "org.apache.hadoop.hbase.SomeLongClassName".into(),
                "profile default".into(),
            ],
            vec![
                "b".into(),
                "9223372036854775807 (8388608TB)".into(),
                "scenario s.toml:3:1".into(),
            ],
            vec!["c".into(), "it ends. then more words".into(), "".into()],
        ];
        assert_eq!(
            table_within(&rows, &[8, 20]),
            "name      value                 source\n\
             a.policy  org.apache.hadoop.    profile default\n\
             \x20         hbase.\n\
             \x20         SomeLongClassName\n\
             b         9223372036854775807   scenario s.toml:3:1\n\
             \x20         (8388608TB)\n\
             c         it ends. then more\n\
             \x20         words\n"
        );
    }
}
