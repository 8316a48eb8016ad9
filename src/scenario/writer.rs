//! Small helpers for writing TOML text by hand (the resolved scenario is written as text so that
//! it can carry comments and keep the order a person reads in).

/// A TOML basic string, escaped.
pub fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML array of strings.
pub fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quote(item)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A float that TOML reads back to the same bits (always with a decimal point or exponent).
pub fn float(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) || !value.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes() {
        // Whatever form toml picks, it reads back to the same string.
        for text in ["plain", "a\"b", "back\\slash", "new\nline", "it's"] {
            let parsed: toml::Table = toml::from_str(&format!("k = {}", quote(text))).unwrap();
            assert_eq!(parsed["k"].as_str(), Some(text));
        }
        assert_eq!(quote_list(&["x".into(), "y".into()]), "[\"x\", \"y\"]");
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.95), "0.95");
        assert_eq!(float(1e300), "1e300");
    }
}
