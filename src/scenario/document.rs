//! A scenario file as a tree of spanned TOML values, read with typed accessors that know where
//! every value came from.
//!
//! Reading goes through `Node` and `Table` rather than serde derive so that each error can name
//! the file, line and column, the key path and what was expected, and so that an unknown key
//! can be answered with the closest known one. `--set path=value` assignments are folded in as
//! the tree is read: a lookup of `workloads[0].arrival.rate` first checks whether an assignment
//! names that path (by index, `workloads.0.arrival.rate`, or by the element's `name`), and then
//! the file. Assignments that name no key the reader asked for are errors too.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::bounds::{BANDWIDTH_MAX, SPAN_MAX};
use super::error::{ErrorKind, Origin, ScenarioError, with_suggestion};
use super::suggest::did_you_mean;
use super::units;
use crate::sim::SimDuration;

/// One `--set PATH=VALUE` assignment, as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub path: String,
    pub value: String,
}

impl Assignment {
    /// Splits `PATH=VALUE` at the first `=`.
    pub fn parse(text: &str) -> Result<Assignment, ScenarioError> {
        let (path, value) = text.split_once('=').ok_or_else(|| {
            ScenarioError::new(
                ErrorKind::InvalidValue,
                format!(
                    "expected PATH=VALUE, such as hbase.hstore.flusher.count=4, found \"{text}\""
                ),
            )
            .at(Some(Origin::Argument(format!("--set {text}"))))
        })?;
        let path = path.trim();
        if path.is_empty() {
            return Err(
                ScenarioError::new(ErrorKind::InvalidValue, "the path before = is empty")
                    .at(Some(Origin::Argument(format!("--set {text}")))),
            );
        }
        Ok(Assignment {
            path: path.to_string(),
            value: value.trim().to_string(),
        })
    }

    pub fn origin(&self) -> Origin {
        Origin::Argument(format!("--set {}={}", self.path, self.value))
    }

    /// The value as TOML if it is a TOML value (`4`, `0.3`, `true`, `"x"`, `{ … }`), otherwise
    /// as a plain string, so that `--set duration=5m` needs no quotes.
    fn parsed_value(&self) -> DeValue<'_> {
        match DeValue::parse(&self.value) {
            Ok(value) => value.into_inner(),
            Err(_) => DeValue::String(self.value.as_str().into()),
        }
    }

    /// The path's segments: `tables[0].regions` and `tables.0.regions` are the same.
    fn segments(&self) -> Vec<String> {
        self.path
            .replace('[', ".")
            .replace(']', "")
            .split('.')
            .filter(|segment| !segment.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// One step of a key path: a table key, or an array index with the element's name if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index { index: usize, name: Option<String> },
}

/// Where a value sits in the scenario, e.g. `workloads[0].arrival.rate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    fn child_key(&self, key: &str) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_string()));
        KeyPath(segments)
    }

    /// The last key of the path ("rate" of `workloads[0].arrival.rate`), for messages.
    fn last_key(&self) -> String {
        self.0
            .iter()
            .rev()
            .find_map(|segment| match segment {
                Segment::Key(key) => Some(key.clone()),
                Segment::Index { .. } => None,
            })
            .unwrap_or_default()
    }

    fn child_index(&self, index: usize, name: Option<String>) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(Segment::Index { index, name });
        KeyPath(segments)
    }

    /// Whether an assignment's segments name this path.
    fn matches(&self, assignment: &[String]) -> bool {
        self.0.len() == assignment.len()
            && self
                .0
                .iter()
                .zip(assignment)
                .all(|(segment, wanted)| match segment {
                    Segment::Key(key) => key == wanted,
                    Segment::Index { index, name } => {
                        wanted.parse::<usize>().ok() == Some(*index)
                            || name.as_deref() == Some(wanted)
                    }
                })
    }

    /// Whether an assignment's segments start with this path (it may name something inside).
    fn is_prefix_of(&self, assignment: &[String]) -> bool {
        self.0.len() <= assignment.len()
            && KeyPath(self.0.clone()).matches(&assignment[..self.0.len()])
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    let bare = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if position > 0 {
                        f.write_str(".")?;
                    }
                    if bare {
                        f.write_str(key)?;
                    } else {
                        write!(f, "\"{key}\"")?;
                    }
                }
                Segment::Index { index, .. } => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A parsed scenario file plus the `--set` assignments that apply to it.
#[derive(Debug)]
pub struct Document<'a> {
    display_path: String,
    line_starts: Vec<usize>,
    text: &'a str,
    root: Spanned<DeTable<'a>>,
    assignments: &'a [Assignment],
    assignment_values: Vec<Spanned<DeValue<'a>>>,
    assignments_used: RefCell<Vec<bool>>,
    paths_read: RefCell<Vec<String>>,
}

impl<'a> Document<'a> {
    /// Parses `text` (the file shown as `display_path` in errors); `assignments` are the
    /// `--set` overrides that are not HBase properties.
    pub fn parse(
        display_path: &str,
        text: &'a str,
        assignments: &'a [Assignment],
    ) -> Result<Document<'a>, ScenarioError> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        let mut document = Document {
            display_path: display_path.to_string(),
            line_starts,
            text,
            root: Spanned::new(0..0, DeTable::default()),
            assignments,
            assignment_values: assignments
                .iter()
                .map(|assignment| Spanned::new(0..0, assignment.parsed_value()))
                .collect(),
            assignments_used: RefCell::new(vec![false; assignments.len()]),
            paths_read: RefCell::new(Vec::new()),
        };
        match DeTable::parse(text) {
            Ok(root) => document.root = root,
            Err(error) => {
                let origin = error.span().map(|span| document.origin_of(&span));
                let message = error.message().trim().trim_end_matches('.').to_lowercase();
                return Err(ScenarioError::new(
                    ErrorKind::Syntax,
                    format!("not valid TOML: {message}"),
                )
                .at(origin));
            }
        }
        Ok(document)
    }

    pub fn display_path(&self) -> &str {
        &self.display_path
    }

    /// The file position of a byte range, 1-based, columns counted in characters.
    fn origin_of(&self, span: &Range<usize>) -> Origin {
        let start = span.start.min(self.text.len());
        let line_index = self.line_starts.partition_point(|&begin| begin <= start) - 1;
        let line_begin = self.line_starts[line_index];
        let column = self
            .text
            .get(line_begin..start)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        Origin::File {
            path: self.display_path.clone(),
            line: line_index as u32 + 1,
            column: column as u32,
        }
    }

    /// The root table.
    pub fn root(&self) -> Table<'_, 'a> {
        Table {
            document: self,
            table: Some(self.root.get_ref()),
            span: Some(self.root.span()),
            assignment: None,
            path: KeyPath::default(),
            keys_read: RefCell::new(Vec::new()),
        }
    }

    /// Fails on the first `--set` assignment that named no key the reader asked for.
    pub fn check_assignments_used(&self) -> Result<(), ScenarioError> {
        let used = self.assignments_used.borrow();
        let paths = self.paths_read.borrow();
        let candidates: Vec<&str> = paths.iter().map(String::as_str).collect();
        let unused = self
            .assignments
            .iter()
            .zip(used.iter())
            .find(|(_, used)| !**used);
        match unused {
            Some((assignment, _)) => {
                let message = with_suggestion(
                    "no such key in the scenario".to_string(),
                    did_you_mean(&assignment.path, &candidates),
                );
                Err(ScenarioError::new(ErrorKind::UnknownKey, message)
                    .at(Some(assignment.origin()))
                    .key(assignment.path.clone()))
            }
            None => Ok(()),
        }
    }

    /// The last assignment that names `path` exactly and comes after `after` (the assignment
    /// the enclosing table came from, which an earlier one inside it cannot override). The later
    /// assignment wins, as it does for properties: it is marked used, and so is every earlier
    /// one at or below `path`, which it replaces.
    fn assignment_for(&self, path: &KeyPath, after: Option<usize>) -> Option<usize> {
        self.paths_read.borrow_mut().push(path.to_string());
        let found = self
            .assignments
            .iter()
            .enumerate()
            .rposition(|(index, assignment)| {
                after.is_none_or(|after| index > after) && path.matches(&assignment.segments())
            })?;
        let mut used = self.assignments_used.borrow_mut();
        for (index, assignment) in self.assignments[..=found].iter().enumerate() {
            if path.is_prefix_of(&assignment.segments()) {
                used[index] = true;
            }
        }
        Some(found)
    }

    /// Whether any assignment names something at or below `path`.
    fn has_assignment_under(&self, path: &KeyPath) -> bool {
        self.assignments
            .iter()
            .any(|assignment| path.is_prefix_of(&assignment.segments()))
    }
}

/// A value in the scenario, with its location and key path.
#[derive(Debug, Clone)]
pub struct Node<'d, 'a> {
    document: &'d Document<'a>,
    value: &'d DeValue<'a>,
    span: Range<usize>,
    assignment: Option<usize>,
    path: KeyPath,
}

impl<'d, 'a> Node<'d, 'a> {
    pub fn path(&self) -> &KeyPath {
        &self.path
    }

    /// Where the value was written: a file position or a `--set` argument.
    pub fn origin(&self) -> Origin {
        match self.assignment {
            Some(index) => self.document.assignments[index].origin(),
            None => self.document.origin_of(&self.span),
        }
    }

    /// Whether the value came from a `--set` argument.
    pub fn is_assignment(&self) -> bool {
        self.assignment.is_some()
    }

    /// An error about this value.
    pub fn error(&self, kind: ErrorKind, message: impl Into<String>) -> ScenarioError {
        ScenarioError::new(kind, message)
            .at(Some(self.origin()))
            .key(self.path.to_string())
    }

    fn expected(&self, what: &str) -> ScenarioError {
        self.error(
            ErrorKind::InvalidValue,
            format!("expected {what}, found {}", describe(self.value)),
        )
    }

    pub fn raw(&self) -> &DeValue<'a> {
        self.value
    }

    pub fn table(&self) -> Result<Table<'d, 'a>, ScenarioError> {
        match self.value {
            DeValue::Table(table) => Ok(Table {
                document: self.document,
                table: Some(table),
                span: Some(self.span.clone()),
                assignment: self.assignment,
                path: self.path.clone(),
                keys_read: RefCell::new(Vec::new()),
            }),
            _ => Err(self.expected("a table")),
        }
    }

    pub fn array(&self) -> Result<Vec<Node<'d, 'a>>, ScenarioError> {
        let DeValue::Array(items) = self.value else {
            return Err(self.expected("an array"));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let name = match item.get_ref() {
                    DeValue::Table(table) => table
                        .iter()
                        .find(|(key, _)| key.get_ref() == "name")
                        .and_then(|(_, value)| value.get_ref().as_str().map(str::to_string)),
                    _ => None,
                };
                Node {
                    document: self.document,
                    value: item.get_ref(),
                    span: item.span(),
                    assignment: self.assignment,
                    path: self.path.child_index(index, name),
                }
            })
            .collect())
    }

    pub fn string(&self) -> Result<String, ScenarioError> {
        match self.value {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(self.expected("a string")),
        }
    }

    /// One of a fixed set of strings; a near miss gets a suggestion.
    pub fn choice<'c>(&self, allowed: &[&'c str]) -> Result<&'c str, ScenarioError> {
        let text = self.string()?;
        if let Some(&found) = allowed.iter().find(|&&name| name == text) {
            return Ok(found);
        }
        let list = allowed
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ");
        Err(self.error(
            ErrorKind::InvalidValue,
            with_suggestion(
                format!("\"{text}\" is not one of {list}"),
                did_you_mean(&text, allowed),
            ),
        ))
    }

    pub fn bool(&self) -> Result<bool, ScenarioError> {
        match self.value {
            DeValue::Boolean(value) => Ok(*value),
            _ => Err(self.expected("true or false")),
        }
    }

    /// A TOML integer of any sign.
    pub fn integer(&self) -> Result<i128, ScenarioError> {
        match self.value {
            DeValue::Integer(integer) => {
                let digits = integer.as_str().replace('_', "");
                i128::from_str_radix(&digits, integer.radix())
                    .map_err(|_| self.expected("an integer that fits in 64 bits"))
            }
            _ => Err(self.expected("an integer")),
        }
    }

    pub fn u64(&self) -> Result<u64, ScenarioError> {
        let value = self.integer()?;
        u64::try_from(value).map_err(|_| {
            self.error(
                ErrorKind::InvalidValue,
                format!("expected a non-negative integer, found {value}"),
            )
        })
    }

    /// A number: a TOML float, or an integer read as a float.
    pub fn f64(&self) -> Result<f64, ScenarioError> {
        match self.value {
            DeValue::Float(float) => {
                let value: f64 = float
                    .as_str()
                    .replace('_', "")
                    .parse()
                    .map_err(|_| self.expected("a finite number"))?;
                if value.is_finite() {
                    Ok(value)
                } else {
                    Err(self.expected("a finite number"))
                }
            }
            DeValue::Integer(_) => Ok(self.integer()? as f64),
            _ => Err(self.expected("a number")),
        }
    }

    /// A size in bytes: a string with a unit, or an integer number of bytes.
    pub fn size(&self) -> Result<u64, ScenarioError> {
        match self.value {
            DeValue::String(text) => units::parse_size(text)
                .map_err(|message| self.error(ErrorKind::InvalidValue, message)),
            DeValue::Integer(_) => self.u64(),
            _ => Err(self.expected(units::SIZE_EXPECTED)),
        }
    }

    /// A duration: a string with a unit, of at most `SPAN_MAX` (no span a scenario gives is
    /// longer; keys with a tighter bound ask `duration_at_most`).
    pub fn duration(&self) -> Result<SimDuration, ScenarioError> {
        self.duration_at_most(SPAN_MAX)
    }

    /// A duration of at most `max`.
    pub fn duration_at_most(&self, max: SimDuration) -> Result<SimDuration, ScenarioError> {
        let duration = self.any_duration()?;
        self.at_most(duration, max, |value| value.to_string())
    }

    /// A size in bytes of at most `max`.
    pub fn size_at_most(&self, max: u64) -> Result<u64, ScenarioError> {
        let size = self.size()?;
        self.at_most(size, max, units::format_size)
    }

    /// A bandwidth in bytes per second, above 0 and at most `BANDWIDTH_MAX`.
    pub fn bandwidth(&self) -> Result<u64, ScenarioError> {
        let bandwidth = match self.value {
            DeValue::String(text) => units::parse_bandwidth(text)
                .map_err(|message| self.error(ErrorKind::InvalidValue, message))?,
            _ => return Err(self.expected(units::BANDWIDTH_EXPECTED)),
        };
        if bandwidth == 0 {
            return Err(self.error(ErrorKind::Impossible, "a bandwidth of 0 never finishes"));
        }
        self.at_most(bandwidth, BANDWIDTH_MAX, units::format_bandwidth)
    }

    /// `value`, or an error naming the key, the value and `max`.
    fn at_most<T: PartialOrd>(
        &self,
        value: T,
        max: T,
        format: impl Fn(T) -> String,
    ) -> Result<T, ScenarioError> {
        if value > max {
            let key = self.path.last_key();
            return Err(self.error(
                ErrorKind::Impossible,
                format!(
                    "{key} must be at most {}, found {}",
                    format(max),
                    format(value)
                ),
            ));
        }
        Ok(value)
    }

    fn any_duration(&self) -> Result<SimDuration, ScenarioError> {
        match self.value {
            DeValue::String(text) => units::parse_duration(text)
                .map_err(|message| self.error(ErrorKind::InvalidValue, message)),
            DeValue::Integer(integer) => Err(self.error(
                ErrorKind::InvalidValue,
                format!(
                    "{} has no unit: write it as a duration such as \"{}s\" or \"{}ms\"",
                    integer.as_str(),
                    integer.as_str(),
                    integer.as_str()
                ),
            )),
            _ => Err(self.expected(units::DURATION_EXPECTED)),
        }
    }

    /// A rate in events per second: a string such as "20k/s", or a number.
    pub fn rate(&self) -> Result<f64, ScenarioError> {
        match self.value {
            DeValue::String(text) => units::parse_rate(text)
                .map_err(|message| self.error(ErrorKind::InvalidValue, message)),
            DeValue::Integer(_) | DeValue::Float(_) => self.f64(),
            _ => Err(self.expected(units::RATE_EXPECTED)),
        }
    }
}

/// A TOML table being read: remembers which keys were asked for, so that `finish` can reject
/// the others as unknown, with a suggestion taken from the keys that exist.
#[derive(Debug)]
pub struct Table<'d, 'a> {
    document: &'d Document<'a>,
    /// `None` for a section the file leaves out, read as empty so that defaults and `--set`
    /// assignments below it still apply.
    table: Option<&'d DeTable<'a>>,
    span: Option<Range<usize>>,
    assignment: Option<usize>,
    path: KeyPath,
    keys_read: RefCell<Vec<String>>,
}

impl<'d, 'a> Table<'d, 'a> {
    pub fn path(&self) -> &KeyPath {
        &self.path
    }

    /// Where the table starts (the file's first line for a missing section).
    pub fn origin(&self) -> Option<Origin> {
        match (self.assignment, &self.span) {
            (Some(index), _) => Some(self.document.assignments[index].origin()),
            (None, Some(span)) => Some(self.document.origin_of(span)),
            (None, None) => None,
        }
    }

    /// The value at `key`, from a `--set` assignment or the file.
    pub fn get(&self, key: &str) -> Option<Node<'d, 'a>> {
        self.keys_read.borrow_mut().push(key.to_string());
        let path = self.path.child_key(key);
        if let Some(index) = self.document.assignment_for(&path, self.assignment) {
            return Some(Node {
                document: self.document,
                value: self.document.assignment_values[index].get_ref(),
                span: 0..0,
                assignment: Some(index),
                path,
            });
        }
        let (_, value) = self.table?.iter().find(|(name, _)| name.get_ref() == key)?;
        Some(Node {
            document: self.document,
            value: value.get_ref(),
            span: value.span(),
            assignment: self.assignment,
            path,
        })
    }

    /// The value at `key`, or an error naming the missing key.
    pub fn require(&self, key: &str, what: &str) -> Result<Node<'d, 'a>, ScenarioError> {
        self.get(key).ok_or_else(|| {
            ScenarioError::new(
                ErrorKind::MissingKey,
                format!("missing key \"{key}\" ({what})"),
            )
            .at(self.origin())
            .key(self.path.to_string())
        })
    }

    /// The sub-table at `key`; an absent one reads as empty.
    pub fn section(&self, key: &str) -> Result<Table<'d, 'a>, ScenarioError> {
        match self.get(key) {
            Some(node) => node.table(),
            None => Ok(Table {
                document: self.document,
                table: None,
                span: None,
                assignment: None,
                path: self.path.child_key(key),
                keys_read: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Every key of a free-form table, in the file's order of keys (sorted by name).
    pub fn entries(&self) -> Vec<(String, Node<'d, 'a>)> {
        let Some(table) = self.table else {
            return Vec::new();
        };
        table
            .iter()
            .map(|(key, value)| {
                self.keys_read.borrow_mut().push(key.get_ref().to_string());
                (
                    key.get_ref().to_string(),
                    Node {
                        document: self.document,
                        value: value.get_ref(),
                        span: key.span(),
                        assignment: self.assignment,
                        path: self.path.child_key(key.get_ref()),
                    },
                )
            })
            .collect()
    }

    /// Whether a `--set` assignment names something under this table.
    pub fn has_assignments(&self) -> bool {
        self.document.has_assignment_under(&self.path)
    }

    /// Fails on the first key that was never asked for.
    pub fn finish(&self, context: &str) -> Result<(), ScenarioError> {
        let Some(table) = self.table else {
            return Ok(());
        };
        let known = self.keys_read.borrow();
        let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
        for (key, _) in table.iter() {
            let name = key.get_ref();
            if !known.iter().any(|read| read == name) {
                let message = with_suggestion(
                    format!("unknown key \"{name}\" in {context}"),
                    did_you_mean(name, &candidates),
                );
                return Err(ScenarioError::new(ErrorKind::UnknownKey, message)
                    .at(Some(match self.assignment {
                        Some(index) => self.document.assignments[index].origin(),
                        None => self.document.origin_of(&key.span()),
                    }))
                    .key(self.path.child_key(name).to_string()));
            }
        }
        Ok(())
    }
}

/// A short description of a value for "expected …, found …".
fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("the string \"{text}\""),
        DeValue::Integer(integer) => format!("the integer {}", integer.as_str()),
        DeValue::Float(float) => format!("the number {}", float.as_str()),
        DeValue::Boolean(flag) => format!("{flag}"),
        DeValue::Datetime(datetime) => format!("the date {datetime}"),
        DeValue::Array(_) => "an array".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "name = \"x\"\n[server]\nheap = \"16GB\"\n\n[[tables]]\nname = \"t\"\nregions = 20\n";

    // Values carry their file position; an unknown key is reported at its own line.
    #[test]
    fn positions_and_unknown_keys() {
        let document = Document::parse("s.toml", TEXT, &[]).unwrap();
        let root = document.root();
        let server = root.section("server").unwrap();
        let heap = server.require("heap", "the heap size").unwrap();
        assert_eq!(heap.size().unwrap(), 16 << 30);
        assert_eq!(heap.origin().to_string(), "s.toml:3:8");
        assert_eq!(heap.path().to_string(), "server.heap");
        server.finish("[server]").unwrap();
        let tables = root.require("tables", "").unwrap().array().unwrap();
        let table = tables[0].table().unwrap();
        table.get("name");
        table.get("region");
        let error = table.finish("[[tables]]").unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnknownKey);
        assert_eq!(
            error.to_string(),
            "s.toml:7:1: tables[0].regions: unknown key \"regions\" in [[tables]] (did you mean \"region\"?)"
        );
    }

    // --set assignments override file values by index or by name, and unused ones are errors.
    #[test]
    fn assignments_override_and_must_be_used() {
        let assignments = vec![
            Assignment::parse("tables.t.regions=40").unwrap(),
            Assignment::parse("server.heap=32GB").unwrap(),
            Assignment::parse("sever.heap=1GB").unwrap(),
        ];
        let document = Document::parse("s.toml", TEXT, &assignments).unwrap();
        let root = document.root();
        let heap = root.section("server").unwrap().get("heap").unwrap();
        assert_eq!(heap.size().unwrap(), 32 << 30);
        assert!(heap.is_assignment());
        let tables = root.get("tables").unwrap().array().unwrap();
        let regions = tables[0].table().unwrap().get("regions").unwrap();
        assert_eq!(regions.u64().unwrap(), 40);
        assert_eq!(regions.origin().to_string(), "--set tables.t.regions=40");
        let error = document.check_assignments_used().unwrap_err();
        assert_eq!(
            error.to_string(),
            "--set sever.heap=1GB: sever.heap: no such key in the scenario (did you mean \"server.heap\"?)"
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = Document::parse("s.toml", "name = \"x\"\nseed = = 3\n", &[]).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Syntax);
        assert!(error.to_string().starts_with("s.toml:2:"), "{error}");
    }

    #[test]
    fn type_errors_say_what_was_expected() {
        let document = Document::parse("s.toml", "seed = \"x\"\nduration = 90\n", &[]).unwrap();
        let root = document.root();
        let error = root.get("seed").unwrap().u64().unwrap_err();
        assert_eq!(
            error.to_string(),
            "s.toml:1:8: seed: expected an integer, found the string \"x\""
        );
        let error = root.get("duration").unwrap().duration().unwrap_err();
        assert!(error.to_string().contains("90 has no unit"), "{error}");
    }
}
