//! Scenario errors: where the bad input is (file, line, column, or the command-line argument),
//! which key, and what was expected.
//!
//! Messages are lowercase, without a trailing full stop, and suggest the fix where one is
//! known, e.g. `default.toml:12:1: properties."hbase.hregion.memstore.flsh.size": unknown
//! property (did you mean "hbase.hregion.memstore.flush.size"?)`.

use std::fmt;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A position in a file (a scenario or an hbase-site.xml), 1-based.
    File {
        path: String,
        line: u32,
        column: u32,
    },
    /// A command-line argument such as `--set hbase.hstore.flusher.count=4`.
    Argument(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Origin::Argument(argument) => write!(f, "{argument}"),
        }
    }
}

/// What went wrong, for callers that react differently (and for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// Not valid TOML or XML.
    Syntax,
    /// A key or property that does not exist.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong type or form.
    InvalidValue,
    /// Values that are each valid but impossible together, or out of range.
    Impossible,
    /// Valid input that this version of regionsim does not model yet.
    Unsupported,
}

/// A problem with a scenario, a site file or a `--set` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub kind: ErrorKind,
    pub origin: Option<Origin>,
    /// The key path, e.g. `workloads[0].arrival.rate` or `properties."hbase.x"`.
    pub key: Option<String>,
    pub message: String,
}

impl ScenarioError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            kind,
            origin: None,
            key: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, origin: Option<Origin>) -> ScenarioError {
        self.origin = origin;
        self
    }

    /// Names the key; the empty path (the file's top level) names none.
    pub fn key(mut self, key: impl Into<String>) -> ScenarioError {
        let key = key.into();
        self.key = (!key.is_empty()).then_some(key);
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Adds "(did you mean …?)" when there is a suggestion.
pub fn with_suggestion(message: String, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(name) => format!("{message} (did you mean \"{name}\"?)"),
        None => message,
    }
}
