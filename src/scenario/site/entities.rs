//! How much text a site file becomes once its entity references are expanded, found before the
//! XML parser expands them: a file of a few hundred kilobytes whose entity is referenced fifty
//! thousand times would otherwise have the parser build gigabytes.
//!
//! The estimate never falls short of what roxmltree builds. Every `<!ENTITY name "value">` in
//! the text counts as a declaration (one in a comment too; of a name declared twice, the longer
//! value), read as roxmltree reads it: the value runs from its quote to the next such quote. An
//! entity expands to its value with its own references expanded, as deep as roxmltree goes (ten
//! levels, then it stops with an error); the text expands to its length plus what every
//! reference in it expands to, those inside declarations and comments included.

use std::collections::BTreeMap;

/// How deep roxmltree expands references inside entities before it gives up with an error.
const DEPTH_MAX: usize = 10;

/// The names XML predefines, which expand to one character.
const PREDEFINED: &[&str] = &["amp", "lt", "gt", "apos", "quot"];

/// The longest entity name looked for; a longer run of name characters is not a reference.
const NAME_BYTES_MAX: usize = 1024;

/// At least the length of `text` with every entity reference expanded, saturating at u64::MAX.
pub fn expanded_bytes(text: &str) -> u64 {
    let length = text.len() as u64;
    if !text.contains("<!ENTITY") {
        return length;
    }
    let declared = declarations(text);
    // Each entity's expansion, one more level of references each round.
    let mut expanded: BTreeMap<&str, u64> = declared
        .iter()
        .map(|(name, value)| (*name, value.len() as u64))
        .collect();
    for _ in 0..DEPTH_MAX {
        expanded = declared
            .iter()
            .map(|(name, value)| (*name, with_references(value, &expanded)))
            .collect();
    }
    with_references(text, &expanded)
}

/// `text`'s length plus what each reference in it expands to.
fn with_references(text: &str, expanded: &BTreeMap<&str, u64>) -> u64 {
    references(text)
        .filter_map(|name| expanded.get(name))
        .fold(text.len() as u64, |total, bytes| {
            total.saturating_add(*bytes)
        })
}

/// Every `<!ENTITY name "value">` (or a parameter entity's `<!ENTITY % name 'value'>`), the
/// longest value of each name.
fn declarations(text: &str) -> BTreeMap<&str, &str> {
    let mut declared: BTreeMap<&str, &str> = BTreeMap::new();
    for (at, _) in text.match_indices("<!ENTITY") {
        let rest = text[at + "<!ENTITY".len()..].trim_start();
        let rest = rest.strip_prefix('%').map_or(rest, str::trim_start);
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '>')
            .unwrap_or(rest.len());
        let (name, rest) = rest.split_at(name_end);
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &rest[1..];
        let value = &body[..body.find(quote).unwrap_or(body.len())];
        let longest = declared.entry(name).or_insert(value);
        if value.len() > longest.len() {
            *longest = value;
        }
    }
    declared
}

/// The names of the general entity references in `text` (`&name;`), predefined ones and
/// character references left out.
fn references(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('&').filter_map(move |(at, _)| {
        let rest = &text[at + 1..];
        let end = rest
            .char_indices()
            .take(NAME_BYTES_MAX)
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .filter(|(_, c)| *c == ';')?
            .0;
        let name = &rest[..end];
        (!name.is_empty() && !PREDEFINED.contains(&name)).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Without declarations the text is what it is; a reference adds its entity's value, a
    // nested one what its own references add, a loop stops at roxmltree's depth.
    #[test]
    fn references_add_what_they_expand_to() {
        let plain = "<a>&amp;&#65;&lt;</a>";
        assert_eq!(expanded_bytes(plain), plain.len() as u64);
        let text = "<!DOCTYPE c [<!ENTITY e \"12345\">]><c>&e;&e;</c>";
        assert_eq!(expanded_bytes(text), text.len() as u64 + 10);
        let nested = "<!DOCTYPE c [<!ENTITY e \"12345\"><!ENTITY f '&e;&e;&e;'>]><c>&f;</c>";
        // f is its 9 bytes plus 3 × 5; the reference in f's declaration counts too (5).
        assert_eq!(expanded_bytes(nested), nested.len() as u64 + 24 + 15);
        let looping = "<!DOCTYPE c [<!ENTITY a '&b;'><!ENTITY b '&a;'>]><c>&a;</c>";
        assert!(expanded_bytes(looping) < 1000);
    }

    // A billion laughs is counted in full (saturating), and a declaration hidden in a comment
    // still counts.
    #[test]
    fn laughs_and_hidden_declarations_are_counted() {
        let mut dtd = String::from("<!ENTITY l0 \"lol\">");
        for level in 1..=9 {
            let refs = format!("&l{};", level - 1).repeat(10);
            dtd.push_str(&format!("<!ENTITY l{level} \"{refs}\">"));
        }
        let text = format!("<!DOCTYPE c [{dtd}]><c>&l9;</c>");
        assert!(expanded_bytes(&text) > 3_000_000_000);
        let hidden = format!(
            "<c><!-- <!ENTITY e \"{}\"> -->{}</c>",
            "x".repeat(1000),
            "&e;".repeat(10)
        );
        assert!(expanded_bytes(&hidden) > 10_000);
    }
}
