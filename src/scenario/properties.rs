//! HBase properties in force for a run: each value, its unit and where it came from.
//!
//! A property is addressed by its real HBase name and holds a value in HBase's own unit (bytes,
//! milliseconds, seconds, a count, a fraction, a flag or a class name), exactly what an
//! `hbase-site.xml` would say. Values are layered, later over earlier: the profile's default
//! (`profile.rs`), an `hbase-site.xml`, the scenario's `[properties]`, then `--set`. Defaults
//! that HBase computes from other settings (`hbase.ipc.server.max.callqueue.length` from the
//! handler count) are computed after the layers, from the final values they depend on.

use std::collections::BTreeMap;
use std::fmt;

use super::error::{ErrorKind, Origin, ScenarioError, with_suggestion};
use super::not_modelled::{self, Standing};
use super::profile::{DefaultValue, ProfileId, PropertyDef, Release, definition, definitions};
use super::suggest::did_you_mean;
use super::units;
use crate::sim::SimDuration;

/// What a property's number means, and so which units a scenario may write it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    /// Bytes; a scenario may write "128MB".
    Bytes,
    /// Megabytes as a plain count (HBase's off-heap size is in MB); "4GB" is accepted too.
    Megabytes,
    /// Milliseconds; a scenario may write "90s".
    Millis,
    /// Seconds; a scenario may write "5m".
    Seconds,
    /// A whole number.
    Count,
    /// A floating-point number (HBase reads these as Java floats).
    Float,
    Bool,
    /// One of a fixed set of names (enum values, class names).
    Choice(&'static [&'static str]),
}

impl PropertyKind {
    fn expected(self) -> String {
        match self {
            PropertyKind::Bytes => format!("{} (bytes)", units::SIZE_EXPECTED),
            PropertyKind::Megabytes => {
                "a number of megabytes or a size such as \"4GB\"".to_string()
            }
            PropertyKind::Millis => {
                format!("{} or a number of milliseconds", units::DURATION_EXPECTED)
            }
            PropertyKind::Seconds => format!("{} or a number of seconds", units::DURATION_EXPECTED),
            PropertyKind::Count => "a whole number".to_string(),
            PropertyKind::Float => "a number".to_string(),
            PropertyKind::Bool => "true or false".to_string(),
            PropertyKind::Choice(names) => format!("one of {}", names.join(", ")),
        }
    }
}

/// A property value in HBase's own unit.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyValue::Int(value) => write!(f, "{value}"),
            PropertyValue::Float(value) => write!(f, "{value:?}"),
            PropertyValue::Bool(value) => write!(f, "{value}"),
            PropertyValue::Text(value) => f.write_str(value),
        }
    }
}

/// A value as written, before it is checked against the property's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Int(i128),
    Float(f64),
    Bool(bool),
}

/// Where a property's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The profile's fixed default.
    Profile,
    /// Computed by HBase's rule from other settings (the rule in words).
    Derived(&'static str),
    /// An hbase-site.xml.
    Site(Origin),
    /// The scenario's `[properties]`.
    Scenario(Origin),
    /// A `--set` argument.
    Argument(Origin),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Profile => f.write_str("profile default"),
            Source::Derived(rule) => write!(f, "derived: {rule}"),
            Source::Site(origin) => write!(f, "site file {origin}"),
            Source::Scenario(origin) => write!(f, "scenario {origin}"),
            Source::Argument(origin) => write!(f, "{origin}"),
        }
    }
}

/// One property in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub definition: &'static PropertyDef,
    /// `None` for a property with no value (a deprecated name nobody set).
    pub value: Option<PropertyValue>,
    pub source: Source,
}

impl PropertyKind {
    /// A value with its unit, for people: "134217728 (128MB)", "90000 (90s)".
    pub fn display(self, value: &PropertyValue) -> String {
        match (self, value) {
            (PropertyKind::Bytes, PropertyValue::Int(bytes)) if *bytes > 0 => {
                format!("{bytes} ({})", units::format_size_approx(*bytes as f64))
            }
            (PropertyKind::Millis, PropertyValue::Int(millis)) if *millis > 0 => {
                format!(
                    "{millis} ({})",
                    span(SimDuration::from_millis(*millis as u64))
                )
            }
            (PropertyKind::Seconds, PropertyValue::Int(secs)) if *secs > 0 => {
                format!("{secs} ({})", span(SimDuration::from_secs(*secs as u64)))
            }
            _ => value.to_string(),
        }
    }
}

/// A span for people; one the clock cannot hold (its constructor saturated) says so.
fn span(duration: SimDuration) -> String {
    if duration == SimDuration::MAX {
        "more than the 584 years the clock holds".to_string()
    } else {
        duration.approx()
    }
}

impl Property {
    /// The value with its unit, for people: "134217728 (128MB)", "90000 (90s)".
    pub fn display_value(&self) -> String {
        match &self.value {
            Some(value) => self.definition.kind.display(value),
            None => "(unset)".to_string(),
        }
    }
}

/// A property from an hbase-site.xml that regionsim does not act on, kept so that `config` can
/// show that it was seen, and `validate` and `run` can warn of what is not modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredProperty {
    pub name: String,
    pub value: String,
    pub origin: Origin,
    pub reason: String,
    /// Whether the setting asks for behaviour regionsim does not model (or is an HBase name it
    /// does not know), rather than something outside what it simulates.
    pub warns: bool,
}

/// A value set by a site file, the scenario or `--set`, in order of precedence (later wins).
#[derive(Debug, Clone)]
pub struct Setting {
    pub name: String,
    pub value: RawValue,
    pub source: Source,
}

impl Setting {
    fn origin(&self) -> Option<Origin> {
        match &self.source {
            Source::Site(origin) | Source::Scenario(origin) | Source::Argument(origin) => {
                Some(origin.clone())
            }
            Source::Profile | Source::Derived(_) => None,
        }
    }

    fn key(&self) -> String {
        match &self.source {
            Source::Scenario(_) => format!("properties.\"{}\"", self.name),
            _ => self.name.clone(),
        }
    }

    fn error(&self, kind: ErrorKind, message: String) -> ScenarioError {
        ScenarioError::new(kind, message)
            .at(self.origin())
            .key(self.key())
    }

    /// The setting, seen in a site file and not acted on.
    fn ignored(&self, reason: String, warns: bool) -> IgnoredProperty {
        IgnoredProperty {
            name: self.name.clone(),
            value: match &self.value {
                RawValue::Text(text) => text.clone(),
                other => format!("{other:?}"),
            },
            origin: self.origin().unwrap_or(Origin::Argument(String::new())),
            reason,
            warns,
        }
    }
}

/// Every property of the profile with its value in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Properties {
    release: Release,
    /// The base of HBase's heap fractions, which derived defaults read.
    heap_bytes: u64,
    entries: BTreeMap<&'static str, Property>,
    ignored: Vec<IgnoredProperty>,
}

impl Properties {
    /// Resolves the properties of `release` with `settings` layered on top (later wins), then
    /// computes the derived defaults. `heap_bytes` is the base of HBase's heap fractions.
    pub fn resolve(
        release: Release,
        settings: &[Setting],
        heap_bytes: u64,
    ) -> Result<Properties, ScenarioError> {
        let mut explicit: BTreeMap<&'static str, (PropertyValue, Source)> = BTreeMap::new();
        let mut ignored = Vec::new();
        for setting in settings {
            let from_site = matches!(setting.source, Source::Site(_));
            let known = definition(&setting.name).filter(|def| def.exists_in(release));
            let Some(def) = known else {
                let outside = outside_the_table(&setting.name, release);
                if from_site {
                    ignored.push(setting.ignored(outside.site_reason, outside.warns));
                    continue;
                }
                return Err(setting.error(outside.kind, outside.message));
            };
            // An empty value in a site file means "use the default", as in hbase-default.xml.
            if from_site && setting.value == RawValue::Text(String::new()) {
                explicit.remove(def.name);
                continue;
            }
            let value = parse_value(def, &setting.value)
                .map_err(|message| setting.error(ErrorKind::InvalidValue, message))?;
            if let Some(reason) = not_modelled::unmodelled_value(def.name, &value) {
                if from_site {
                    ignored.push(setting.ignored(format!("not modelled: {reason}"), true));
                    continue;
                }
                let message = format!("{} = {value} is not modelled: {reason}", def.name);
                return Err(setting.error(ErrorKind::Unsupported, message));
            }
            explicit.insert(def.name, (value, setting.source.clone()));
        }
        let mut resolver = Resolver {
            release,
            heap_bytes,
            explicit,
            resolved: BTreeMap::new(),
            in_progress: Vec::new(),
        };
        for def in definitions() {
            if def.exists_in(release) {
                resolver.resolve(def);
            }
        }
        Ok(Properties {
            release,
            heap_bytes,
            entries: resolver.resolved,
            ignored,
        })
    }

    pub fn profile(&self) -> ProfileId {
        self.release.profile
    }

    /// The release whose properties these are.
    pub fn release(&self) -> Release {
        self.release
    }

    /// The base of HBase's heap fractions.
    pub fn heap_bytes(&self) -> u64 {
        self.heap_bytes
    }

    /// Every property in force, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Property> {
        self.entries.values()
    }

    /// Site-file properties that regionsim does not act on.
    pub fn ignored(&self) -> &[IgnoredProperty] {
        &self.ignored
    }

    /// The site-file settings of behaviour regionsim does not model (or of HBase names it does
    /// not know): what `validate` and `run` warn of.
    pub fn site_warnings(&self) -> impl Iterator<Item = &IgnoredProperty> {
        self.ignored.iter().filter(|ignored| ignored.warns)
    }

    /// The property, if the profile has it.
    pub fn get(&self, name: &str) -> Option<&Property> {
        self.entries.get(name)
    }

    fn value(&self, name: &str) -> Option<&PropertyValue> {
        assert!(
            definition(name).is_some(),
            "property {name} is not in the property table"
        );
        self.entries.get(name)?.value.as_ref()
    }

    /// An integer-valued property (bytes, milliseconds, seconds, counts), if set.
    pub fn int_opt(&self, name: &str) -> Option<i64> {
        match self.value(name)? {
            PropertyValue::Int(value) => Some(*value),
            other => panic!("property {name} holds {other:?}, not an integer"),
        }
    }

    /// An integer-valued property that the profile always has.
    pub fn int(&self, name: &str) -> i64 {
        self.int_opt(name)
            .unwrap_or_else(|| panic!("property {name} has no value in {}", self.release))
    }

    /// A property in bytes that the profile always has; negative values are rejected at load.
    pub fn bytes(&self, name: &str) -> u64 {
        u64::try_from(self.int(name)).unwrap_or(0)
    }

    /// A property in milliseconds, as a duration.
    pub fn millis(&self, name: &str) -> SimDuration {
        SimDuration::from_millis(u64::try_from(self.int(name)).unwrap_or(0))
    }

    pub fn float_opt(&self, name: &str) -> Option<f64> {
        match self.value(name)? {
            PropertyValue::Float(value) => Some(*value),
            other => panic!("property {name} holds {other:?}, not a number"),
        }
    }

    pub fn float(&self, name: &str) -> f64 {
        self.float_opt(name)
            .unwrap_or_else(|| panic!("property {name} has no value in {}", self.release))
    }

    pub fn bool(&self, name: &str) -> bool {
        match self.value(name) {
            Some(PropertyValue::Bool(value)) => *value,
            other => panic!("property {name} holds {other:?}, not a flag"),
        }
    }

    pub fn text(&self, name: &str) -> &str {
        match self.value(name) {
            Some(PropertyValue::Text(value)) => value,
            other => panic!("property {name} holds {other:?}, not text"),
        }
    }

    /// The profile's default for a property, given every other value in force: the profile's
    /// fixed value, or HBase's rule computed from the other values (so that a call queue length
    /// that follows a changed handler count is not itself a change). `None` for a default that
    /// is unset.
    pub fn default_value(&self, name: &str) -> Option<PropertyValue> {
        let def = definition(name)
            .unwrap_or_else(|| panic!("property {name} is not in the property table"));
        match def.default_in(self.release.profile) {
            DefaultValue::Fixed(value) => Some(value.to_value()),
            DefaultValue::Derived { compute, .. } => {
                let mut resolver = Resolver {
                    release: self.release,
                    heap_bytes: self.heap_bytes,
                    explicit: self
                        .entries
                        .iter()
                        .filter_map(|(name, property)| {
                            Some((*name, (property.value.clone()?, property.source.clone())))
                        })
                        .collect(),
                    resolved: BTreeMap::new(),
                    in_progress: Vec::new(),
                };
                Some(compute(&mut resolver))
            }
            DefaultValue::Unset | DefaultValue::Absent => None,
        }
    }

    /// The properties whose value differs from `default_value`, sorted by name, each with
    /// that default. This compares values, not sources: a file that writes every property out
    /// (`scenario.resolved.toml`) changes only what differs.
    pub fn changed(&self) -> Vec<(&Property, Option<PropertyValue>)> {
        self.iter()
            .filter_map(|property| {
                let default = self.default_value(property.definition.name);
                (property.value != default).then_some((property, default))
            })
            .collect()
    }

    /// The share of the heap the memstores may take, as HBase computes it
    /// (MemorySizeUtil.getGlobalMemStoreHeapPercent / HeapMemorySizeUtil.getGlobalMemStorePercent).
    pub fn global_memstore_fraction(&self) -> f32 {
        super::profile::global_memstore_fraction(
            self.heap_bytes,
            self.int_opt_if_exists(super::profile::GLOBAL_MEMSTORE_MEMORY_SIZE),
            self.float("hbase.regionserver.global.memstore.size"),
        )
    }

    /// An integer property's value, `None` if unset or if the release does not have it.
    pub fn int_opt_if_exists(&self, name: &str) -> Option<i64> {
        self.entries.get(name)?;
        self.int_opt(name)
    }

    /// The origin of a property's value, for errors about settings that clash.
    pub fn origin(&self, name: &str) -> Option<Origin> {
        match &self.entries.get(name)?.source {
            Source::Site(origin) | Source::Scenario(origin) | Source::Argument(origin) => {
                Some(origin.clone())
            }
            Source::Profile | Source::Derived(_) => None,
        }
    }
}

/// What becomes of a name that is not a property of the release: in a scenario, an error of
/// `kind` with `message`; from a site file, a note with `site_reason`, and a warning if `warns`.
struct Outside {
    message: String,
    kind: ErrorKind,
    site_reason: String,
    warns: bool,
}

/// Why a name is not a property of this release, with a suggestion.
fn outside_the_table(name: &str, release: Release) -> Outside {
    let profile = release.profile;
    let standing = not_modelled::standing(name, profile);
    let warns = standing.warns();
    match (standing, definition(name)) {
        (Standing::NotModelled(reason), _) => Outside {
            message: format!("\"{name}\" is not modelled: {reason}; remove it"),
            kind: ErrorKind::Unsupported,
            site_reason: format!("not modelled: {reason}"),
            warns,
        },
        (Standing::Irrelevant(reason), _) => Outside {
            message: format!(
                "\"{name}\" would change nothing: {reason}; remove it (a site file may keep it)"
            ),
            kind: ErrorKind::UnknownKey,
            site_reason: reason.to_string(),
            warns,
        },
        (_, Some(def)) => {
            let message = not_in_this_release(name, def, release);
            Outside {
                site_reason: message.clone(),
                message,
                kind: ErrorKind::UnknownKey,
                warns,
            }
        }
        (_, None) => {
            let names: Vec<&str> = definitions()
                .iter()
                .filter(|def| def.exists_in(release))
                .map(|def| def.name)
                .collect();
            let suggestion = did_you_mean(name, &names);
            let site_reason = match standing {
                Standing::Foreign => "not an HBase property".to_string(),
                _ => with_suggestion(
                    "an HBase property regionsim does not know".to_string(),
                    suggestion,
                ),
            };
            Outside {
                message: with_suggestion(
                    format!(
                        "unknown property \"{name}\" (regionsim models the properties `regionsim config` lists)"
                    ),
                    suggestion,
                ),
                kind: ErrorKind::UnknownKey,
                site_reason,
                warns,
            }
        }
    }
}

/// Why a modelled property is not one of this release: it arrived in a later release of the
/// line, or exists only in the other line.
fn not_in_this_release(name: &str, def: &PropertyDef, release: Release) -> String {
    let profile = release.profile;
    if let Some(arrival) = def
        .arrival_in(profile)
        .filter(|_| def.default_in(profile).exists())
    {
        let first = format!("{}.{}", profile.line(), arrival.patch);
        return format!(
            "\"{name}\" arrived in HBase {first} ({}); this scenario models {release}: set `release` to {first} or later, or remove the property",
            arrival.jira
        );
    }
    let elsewhere: Vec<String> = ProfileId::ALL
        .into_iter()
        .filter(|other| def.default_in(*other).exists())
        .map(|line| match def.arrival_in(line) {
            Some(arrival) => {
                format!(
                    "{line} from {}.{}, {}",
                    line.line(),
                    arrival.patch,
                    arrival.jira
                )
            }
            None => line.to_string(),
        })
        .collect();
    format!(
        "\"{name}\" is not a property of {profile} (it exists in {})",
        elsewhere.join(", ")
    )
}

/// Checks a raw value against the property's kind and range, converting units to HBase's.
fn parse_value(def: &PropertyDef, raw: &RawValue) -> Result<PropertyValue, String> {
    let wrong = || {
        format!(
            "expected {} for {}, found {}",
            def.kind.expected(),
            def.name,
            describe(raw)
        )
    };
    let value = match (def.kind, raw) {
        (PropertyKind::Bytes, RawValue::Text(text)) => {
            PropertyValue::Int(to_i64(units::parse_size(text)?)?)
        }
        (PropertyKind::Megabytes, RawValue::Text(text)) => match text.trim().parse::<i64>() {
            Ok(megabytes) => PropertyValue::Int(megabytes),
            Err(_) => {
                let bytes = units::parse_size(text)?;
                if bytes % (1 << 20) != 0 {
                    return Err(format!("{text} is not a whole number of megabytes"));
                }
                PropertyValue::Int(to_i64(bytes >> 20)?)
            }
        },
        (PropertyKind::Millis | PropertyKind::Seconds, RawValue::Text(text)) => {
            match text.trim().parse::<i64>() {
                Ok(number) => PropertyValue::Int(number),
                Err(_) => {
                    let duration = units::parse_duration(text)?;
                    let unit = if def.kind == PropertyKind::Millis {
                        SimDuration::from_millis(1)
                    } else {
                        SimDuration::from_secs(1)
                    };
                    if duration.as_nanos() % unit.as_nanos() != 0 {
                        return Err(format!(
                            "{text} is not a whole number of {} ({} takes {})",
                            if def.kind == PropertyKind::Millis {
                                "milliseconds"
                            } else {
                                "seconds"
                            },
                            def.name,
                            if def.kind == PropertyKind::Millis {
                                "milliseconds"
                            } else {
                                "seconds"
                            },
                        ));
                    }
                    PropertyValue::Int(to_i64(duration.as_nanos() / unit.as_nanos())?)
                }
            }
        }
        (
            PropertyKind::Bytes
            | PropertyKind::Megabytes
            | PropertyKind::Millis
            | PropertyKind::Seconds
            | PropertyKind::Count,
            RawValue::Int(number),
        ) => PropertyValue::Int(i64::try_from(*number).map_err(|_| wrong())?),
        (PropertyKind::Count, RawValue::Text(text)) => {
            PropertyValue::Int(text.trim().parse().map_err(|_| wrong())?)
        }
        (PropertyKind::Float, RawValue::Float(number)) => PropertyValue::Float(*number),
        (PropertyKind::Float, RawValue::Int(number)) => PropertyValue::Float(*number as f64),
        (PropertyKind::Float, RawValue::Text(text)) => {
            let number: f64 = text.trim().parse().map_err(|_| wrong())?;
            if !number.is_finite() {
                return Err(wrong());
            }
            PropertyValue::Float(number)
        }
        (PropertyKind::Bool, RawValue::Bool(flag)) => PropertyValue::Bool(*flag),
        // Hadoop's getBoolean ignores case.
        (PropertyKind::Bool, RawValue::Text(text)) => match text.trim().to_lowercase().as_str() {
            "true" => PropertyValue::Bool(true),
            "false" => PropertyValue::Bool(false),
            _ => return Err(wrong()),
        },
        (PropertyKind::Choice(names), RawValue::Text(text)) => {
            let text = text.trim();
            match names.iter().find(|name| **name == text) {
                Some(name) => PropertyValue::Text((*name).to_string()),
                None => {
                    return Err(with_suggestion(
                        format!(
                            "\"{text}\" is not a value of {}: {}",
                            def.name,
                            def.kind.expected()
                        ),
                        did_you_mean(text, names),
                    ));
                }
            }
        }
        _ => return Err(wrong()),
    };
    def.check_range(&value)?;
    Ok(value)
}

fn to_i64(value: u64) -> Result<i64, String> {
    i64::try_from(value).map_err(|_| format!("{value} is too large"))
}

fn describe(raw: &RawValue) -> String {
    match raw {
        RawValue::Text(text) => format!("\"{text}\""),
        RawValue::Int(number) => number.to_string(),
        RawValue::Float(number) => number.to_string(),
        RawValue::Bool(flag) => flag.to_string(),
    }
}

/// Computes each property's final value, resolving derived defaults on demand.
#[derive(Debug)]
pub struct Resolver {
    release: Release,
    heap_bytes: u64,
    explicit: BTreeMap<&'static str, (PropertyValue, Source)>,
    resolved: BTreeMap<&'static str, Property>,
    in_progress: Vec<&'static str>,
}

impl Resolver {
    pub fn profile(&self) -> ProfileId {
        self.release.profile
    }

    pub fn release(&self) -> Release {
        self.release
    }

    pub fn heap_bytes(&self) -> u64 {
        self.heap_bytes
    }

    /// Whether the property was set explicitly (by a site file, the scenario or `--set`).
    pub fn is_set(&self, name: &str) -> bool {
        self.explicit.contains_key(name)
    }

    /// The final value of another property, for a derived default.
    pub fn value(&mut self, name: &str) -> Option<PropertyValue> {
        let def =
            definition(name).unwrap_or_else(|| panic!("derived default reads unknown {name}"));
        self.resolve(def).value
    }

    pub fn int(&mut self, name: &str) -> i64 {
        match self.value(name) {
            Some(PropertyValue::Int(value)) => value,
            other => panic!("derived default reads {name} = {other:?}, not an integer"),
        }
    }

    /// An integer property's value, `None` if unset or if the release does not have it.
    pub fn int_if_exists(&mut self, name: &str) -> Option<i64> {
        let def =
            definition(name).unwrap_or_else(|| panic!("derived default reads unknown {name}"));
        if !def.exists_in(self.release) {
            return None;
        }
        match self.resolve(def).value {
            Some(PropertyValue::Int(value)) => Some(value),
            None => None,
            other => panic!("derived default reads {name} = {other:?}, not an integer"),
        }
    }

    pub fn float(&mut self, name: &str) -> Option<f64> {
        match self.value(name) {
            Some(PropertyValue::Float(value)) => Some(value),
            None => None,
            other => panic!("derived default reads {name} = {other:?}, not a number"),
        }
    }

    fn resolve(&mut self, def: &'static PropertyDef) -> Property {
        if let Some(done) = self.resolved.get(def.name) {
            return done.clone();
        }
        assert!(
            !self.in_progress.contains(&def.name),
            "derived defaults form a cycle through {}",
            def.name
        );
        self.in_progress.push(def.name);
        let property = match self.explicit.get(def.name).cloned() {
            Some((value, source)) => Property {
                definition: def,
                value: Some(value),
                source,
            },
            None => match def.default_in(self.release.profile) {
                DefaultValue::Fixed(value) => Property {
                    definition: def,
                    value: Some(value.to_value()),
                    source: Source::Profile,
                },
                DefaultValue::Derived { rule, compute } => Property {
                    definition: def,
                    value: Some(compute(self)),
                    source: Source::Derived(rule),
                },
                DefaultValue::Unset => Property {
                    definition: def,
                    value: None,
                    source: Source::Profile,
                },
                DefaultValue::Absent => unreachable!("absent properties are skipped"),
            },
        };
        self.in_progress.pop();
        self.resolved.insert(def.name, property.clone());
        property
    }
}

#[cfg(test)]
mod tests {
    use super::super::profile::Range;
    use super::*;

    const HEAP: u64 = 16 << 30;

    fn scenario_setting(name: &str, value: RawValue) -> Setting {
        Setting {
            name: name.to_string(),
            value,
            source: Source::Scenario(Origin::File {
                path: "s.toml".into(),
                line: 3,
                column: 1,
            }),
        }
    }

    // With nothing set, every property takes the profile's default or HBase's derived rule.
    #[test]
    fn defaults_and_derived_values() {
        let properties =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &[], HEAP).unwrap();
        assert_eq!(
            properties.bytes("hbase.hregion.memstore.flush.size"),
            128 << 20
        );
        // 30 handlers over 3 queues, 10 calls per handler per queue (2.5.15+).
        assert_eq!(properties.int("hbase.ipc.server.max.callqueue.length"), 100);
        assert_eq!(properties.int("hbase.hstore.blockingStoreFiles"), 16);
        let old = Properties::resolve(Release::newest(ProfileId::Hbase14), &[], HEAP).unwrap();
        assert_eq!(old.int("hbase.hstore.blockingStoreFiles"), 10);
        assert_eq!(old.int("hbase.ipc.server.max.callqueue.length"), 300);
        assert_eq!(old.int("hbase.client.retries.number"), 35);
    }

    fn release(text: &str) -> Release {
        let profile = if text.starts_with("2.5") {
            ProfileId::Hbase25
        } else {
            ProfileId::Hbase14
        };
        Release::parse(profile, text).unwrap()
    }

    // The default call-queue length per queue follows the release: handlers × 10 in 1.4 and
    // before 2.5.14 (SimpleRpcScheduler: 30 handlers → 300 per queue), (handlers ÷ queues) × 10
    // from 2.5.14 (HBASE-29141: 30 handlers over 3 queues → 100; 45 over round(4.5) = 5 → 90).
    #[test]
    fn the_call_queue_length_follows_the_release() {
        let length = |release_text: &str, handlers: i64| {
            let settings = [scenario_setting(
                "hbase.regionserver.handler.count",
                RawValue::Int(handlers.into()),
            )];
            Properties::resolve(release(release_text), &settings, HEAP)
                .unwrap()
                .int("hbase.ipc.server.max.callqueue.length")
        };
        assert_eq!(length("2.5.13", 30), 300);
        assert_eq!(length("2.5.14", 30), 100);
        assert_eq!(length("2.5.16", 45), 90);
        assert_eq!(length("2.5.0", 45), 450);
        assert_eq!(length("1.4.14", 30), 300);
    }

    // A property that arrived in a patch release is refused before it, naming the release and
    // the change; from it, it is accepted. A site file's such property is ignored, as HBase
    // ignores a key it does not read.
    #[test]
    fn properties_arrive_with_their_release() {
        let cases = [
            (
                "hbase.regionserver.global.memstore.memory.size",
                "2.5.13",
                "2.5.14",
                "HBASE-28601",
            ),
            (
                "hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds",
                "1.4.7",
                "1.4.8",
                "HBASE-19418",
            ),
            (
                "hbase.regionserver.flush.check.period",
                "1.4.10",
                "1.4.11",
                "HBASE-22596",
            ),
        ];
        for (name, before, from, jira) in cases {
            let settings = [scenario_setting(name, RawValue::Int(60))];
            let error = Properties::resolve(release(before), &settings, HEAP).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains(&format!("arrived in HBase {from} ({jira})"))
                    && message.contains(&format!("models {before}")),
                "{message}"
            );
            let accepted = Properties::resolve(release(from), &settings, HEAP).unwrap();
            assert_eq!(accepted.int(name), 60);
            assert!(accepted.get(name).is_some());
            assert!(
                Properties::resolve(release(before), &[], HEAP)
                    .unwrap()
                    .get(name)
                    .is_none()
            );
            let site = [Setting {
                source: Source::Site(Origin::File {
                    path: "hbase-site.xml".into(),
                    line: 2,
                    column: 1,
                }),
                ..scenario_setting(name, RawValue::Text("60".into()))
            }];
            let ignored = Properties::resolve(release(before), &site, HEAP).unwrap();
            assert_eq!(ignored.ignored().len(), 1);
        }
        let settings = [scenario_setting(
            "hbase.regionserver.global.memstore.memory.size",
            RawValue::Int(1),
        )];
        let error = Properties::resolve(release("1.4.14"), &settings, HEAP).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("it exists in hbase-2.5 from 2.5.14, HBASE-28601"),
            "{error}"
        );
    }

    // HBASE-28601: an absolute memstore size is its share of the heap while that is at most
    // 0.8, and then it also sets maxlogs' default: 4 GiB of a 16 GiB heap → 0.25, maxlogs
    // max(32, 4 GiB × 2 ÷ 128 MiB) = 64 instead of 0.4's (6871947776 × 2 ÷ 134217728) = 102; the
    // deprecated lowerLimit (a heap fraction) becomes a fraction of that upper limit.
    #[test]
    fn the_absolute_memstore_size_sets_the_fraction_and_maxlogs() {
        let settings = [
            scenario_setting(
                "hbase.regionserver.global.memstore.memory.size",
                RawValue::Text("4GB".into()),
            ),
            scenario_setting(
                "hbase.regionserver.global.memstore.lowerLimit",
                RawValue::Float(0.2),
            ),
        ];
        let properties = Properties::resolve(release("2.5.14"), &settings, HEAP).unwrap();
        assert_eq!(properties.global_memstore_fraction(), 0.25);
        assert_eq!(properties.int("hbase.regionserver.maxlogs"), 64);
        assert_eq!(
            properties.float("hbase.regionserver.global.memstore.size.lower.limit"),
            f64::from(0.2f32 / 0.25f32)
        );
        let plain = Properties::resolve(release("2.5.14"), &[], HEAP).unwrap();
        assert_eq!(plain.global_memstore_fraction(), 0.4);
        assert_eq!(plain.int("hbase.regionserver.maxlogs"), 102);
        // Above 80% of the heap HBase falls back to the fraction.
        assert_eq!(
            super::super::profile::global_memstore_fraction(HEAP, Some(14 << 30), 0.4),
            0.4
        );
    }

    // A derived default follows the setting it is derived from.
    #[test]
    fn derived_defaults_follow_their_inputs() {
        let settings = [scenario_setting(
            "hbase.regionserver.handler.count",
            RawValue::Int(50),
        )];
        let properties =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap();
        // 50 handlers → 5 queues of 10 handlers → 100 calls per queue; 45 handlers → round(4.5)
        // = 5 queues of 9 → 90.
        assert_eq!(properties.int("hbase.ipc.server.max.callqueue.length"), 100);
        let settings = [scenario_setting(
            "hbase.regionserver.handler.count",
            RawValue::Int(45),
        )];
        let fewer =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap();
        assert_eq!(fewer.int("hbase.ipc.server.max.callqueue.length"), 90);
        assert!(matches!(
            properties
                .get("hbase.ipc.server.max.callqueue.length")
                .unwrap()
                .source,
            Source::Derived(_)
        ));
    }

    // changed() compares values with the profile's defaults: a handler count of 50 is a change,
    // the call queue length derived from it is not, a flush size set to its default is not,
    // and a file that writes every value out (as scenario.resolved.toml does) changes nothing.
    #[test]
    fn changed_compares_values_with_defaults() {
        let settings = [
            scenario_setting("hbase.regionserver.handler.count", RawValue::Int(50)),
            scenario_setting(
                "hbase.hregion.memstore.flush.size",
                RawValue::Text("128MB".into()),
            ),
        ];
        let properties =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap();
        let changed: Vec<(&str, Option<PropertyValue>)> = properties
            .changed()
            .into_iter()
            .map(|(property, default)| (property.definition.name, default))
            .collect();
        assert_eq!(
            changed,
            vec![(
                "hbase.regionserver.handler.count",
                Some(PropertyValue::Int(30))
            )]
        );
        let everything: Vec<Setting> =
            Properties::resolve(Release::newest(ProfileId::Hbase14), &[], HEAP)
                .unwrap()
                .iter()
                .filter_map(|property| {
                    let value = match property.value.clone()? {
                        PropertyValue::Int(value) => RawValue::Int(value.into()),
                        PropertyValue::Float(value) => RawValue::Float(value),
                        PropertyValue::Bool(value) => RawValue::Bool(value),
                        PropertyValue::Text(value) => RawValue::Text(value),
                    };
                    Some(scenario_setting(property.definition.name, value))
                })
                .collect();
        let written_out =
            Properties::resolve(Release::newest(ProfileId::Hbase14), &everything, HEAP).unwrap();
        assert!(written_out.changed().is_empty());
    }

    // Units are converted to HBase's: "256MB" → bytes, "90s" → milliseconds.
    #[test]
    fn units_convert_to_hbase_units() {
        let settings = [
            scenario_setting(
                "hbase.hregion.memstore.flush.size",
                RawValue::Text("256MB".into()),
            ),
            scenario_setting("hbase.hstore.blockingWaitTime", RawValue::Text("2m".into())),
        ];
        let properties =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap();
        assert_eq!(
            properties.int("hbase.hregion.memstore.flush.size"),
            256 << 20
        );
        assert_eq!(properties.int("hbase.hstore.blockingWaitTime"), 120_000);
    }

    // A misspelt property is an error with a suggestion; one from the other line says where it lives.
    #[test]
    fn unknown_properties_are_errors_with_suggestions() {
        let settings = [scenario_setting(
            "hbase.hregion.memstore.flsh.size",
            RawValue::Int(1),
        )];
        let error =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnknownKey);
        assert!(
            error
                .to_string()
                .contains("did you mean \"hbase.hregion.memstore.flush.size\"?"),
            "{error}"
        );
        let settings = [scenario_setting("hbase.wal.batch.size", RawValue::Int(1))];
        let error =
            Properties::resolve(Release::newest(ProfileId::Hbase14), &settings, HEAP).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("not a property of hbase-1.4 (it exists in hbase-2.5)")
        );
    }

    // Every number has both ends: each property at either end resolves, with every value in
    // force (derived ones included) within its own range, so a resolved scenario that writes
    // them all out reads back; one past either end is refused, naming the value and the range.
    #[test]
    fn every_number_is_bounded_and_its_bounds_are_usable() {
        let release = Release::newest(ProfileId::Hbase25);
        for profile in ProfileId::ALL {
            let release = Release::newest(profile);
            for def in definitions().iter().filter(|def| def.exists_in(release)) {
                let (low, high, below, above) = match def.range {
                    Range::Int { min, max } => (
                        RawValue::Int(min.into()),
                        RawValue::Int(max.into()),
                        RawValue::Int(i128::from(min) - 1),
                        RawValue::Int(i128::from(max) + 1),
                    ),
                    Range::Float { min, max } => (
                        RawValue::Float(min),
                        RawValue::Float(max),
                        RawValue::Float(min - 1.0),
                        RawValue::Float(max + 1.0),
                    ),
                    Range::Fraction { low, high } => (
                        RawValue::Float(low + 1e-6),
                        RawValue::Float(high),
                        RawValue::Float(low),
                        RawValue::Float(high + 1.0),
                    ),
                    Range::NotANumber => continue,
                };
                for value in [low, high] {
                    let settings = [scenario_setting(def.name, value.clone())];
                    let properties = match Properties::resolve(release, &settings, HEAP) {
                        Ok(properties) => properties,
                        // An off-heap memstore size is bounded but not modelled.
                        Err(error) if error.kind == ErrorKind::Unsupported => continue,
                        Err(error) => panic!("{} = {value:?}: {error}", def.name),
                    };
                    for property in properties.iter() {
                        if let Some(value) = &property.value {
                            property
                                .definition
                                .check_range(value)
                                .unwrap_or_else(|message| {
                                    panic!("with {} at a bound: {message}", def.name)
                                });
                        }
                    }
                }
                for value in [below, above] {
                    let outside = matches!(&value, RawValue::Int(number)
                        if i64::try_from(*number).is_ok())
                        || matches!(value, RawValue::Float(_));
                    if !outside {
                        continue;
                    }
                    let settings = [scenario_setting(def.name, value.clone())];
                    let error = Properties::resolve(release, &settings, HEAP).unwrap_err();
                    assert_eq!(error.kind, ErrorKind::InvalidValue, "{error}");
                    assert!(
                        error.to_string().contains(&format!(
                            "{} must be {}",
                            def.name,
                            def.allowed()
                        )),
                        "{error}"
                    );
                }
            }
        }
        // The reproduced cases: 2³¹−1 RPC handlers (which allocated 17 GB), a billion flush
        // handlers (4 GB), an RPC timeout past what the clock holds.
        for (name, value, expected) in [
            (
                "hbase.regionserver.handler.count",
                2_147_483_647,
                "hbase.regionserver.handler.count must be 1 to 10000, found 2147483647",
            ),
            (
                "hbase.hstore.flusher.count",
                1_000_000_000,
                "hbase.hstore.flusher.count must be 1 to 1000, found 1000000000",
            ),
            (
                "hbase.rpc.timeout",
                18_446_744_000_000,
                "hbase.rpc.timeout must be 1ms to 8760h, found 18446744000000",
            ),
        ] {
            let settings = [scenario_setting(name, RawValue::Int(value))];
            let error = Properties::resolve(release, &settings, HEAP).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    // Out-of-range values are rejected with the range.
    #[test]
    fn ranges_are_checked() {
        let settings = [scenario_setting(
            "hbase.regionserver.global.memstore.size",
            RawValue::Float(1.5),
        )];
        let error =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidValue);
        assert!(error.to_string().contains("between"), "{error}");
    }

    fn site_setting(name: &str, value: &str, line: u32) -> Setting {
        Setting {
            name: name.into(),
            value: RawValue::Text(value.into()),
            source: Source::Site(Origin::File {
                path: "hbase-site.xml".into(),
                line,
                column: 3,
            }),
        }
    }

    // A site file is imported as it is: what regionsim does not act on is kept as ignored, and
    // warned of when it asks for behaviour regionsim does not model (or is an HBase name it does
    // not know), not when it has no part in the simulation (or is Hadoop's own).
    #[test]
    fn site_properties_not_acted_on_are_ignored_not_fatal() {
        let settings = [
            site_setting("hbase.rootdir", "hdfs://nn/hbase", 4),
            site_setting("hbase.client.write.buffer.maxmutations", "1000", 8),
            site_setting("hbase.regionserver.made.up", "1", 12),
            site_setting("dfs.replication", "3", 16),
            site_setting("hbase.wal.provider", "multiwal", 20),
        ];
        let properties =
            Properties::resolve(Release::newest(ProfileId::Hbase25), &settings, HEAP).unwrap();
        let ignored: Vec<(&str, bool)> = properties
            .ignored()
            .iter()
            .map(|ignored| (ignored.name.as_str(), ignored.warns))
            .collect();
        assert_eq!(
            ignored,
            [
                ("hbase.rootdir", false),
                ("hbase.client.write.buffer.maxmutations", true),
                ("hbase.regionserver.made.up", true),
                ("dfs.replication", false),
                ("hbase.wal.provider", true),
            ]
        );
        assert!(
            properties.ignored()[1]
                .reason
                .contains("flush on its count of mutations")
        );
        // multiwal was ignored: the profile's provider is simulated.
        assert_eq!(properties.text("hbase.wal.provider"), "asyncfs");
        assert_eq!(properties.site_warnings().count(), 3);
    }

    // In a scenario or with --set, a property HBase has and regionsim does not model is refused,
    // naming what is not modelled; so is a modelled property's unmodelled value, and a property
    // that would change nothing.
    #[test]
    fn unmodelled_settings_are_refused_in_a_scenario() {
        let refused = |name: &str, value: RawValue| {
            Properties::resolve(
                Release::newest(ProfileId::Hbase25),
                &[scenario_setting(name, value)],
                HEAP,
            )
            .unwrap_err()
        };
        let error = refused(
            "hbase.client.perserver.requests.threshold",
            RawValue::Int(4),
        );
        assert_eq!(error.kind, ErrorKind::Unsupported);
        assert_eq!(
            error.to_string(),
            "s.toml:3:1: properties.\"hbase.client.perserver.requests.threshold\": \"hbase.client.perserver.requests.threshold\" is not modelled: the RPC client's limit of concurrent requests per server (ServerTooBusyException) is not modelled: HBase's default, 2147483647, never binds; remove it"
        );
        let error = refused("hbase.wal.provider", RawValue::Text("multiwal".into()));
        assert_eq!(error.kind, ErrorKind::Unsupported);
        assert!(
            error
                .to_string()
                .contains("multiwal (several WALs per server"),
            "{error}"
        );
        let error = refused(
            "hbase.regionserver.offheap.global.memstore.size",
            RawValue::Text("4GB".into()),
        );
        assert!(
            error
                .to_string()
                .contains("off-heap memstores are not modelled"),
            "{error}"
        );
        let error = refused("hbase.rootdir", RawValue::Text("hdfs://nn/hbase".into()));
        assert_eq!(error.kind, ErrorKind::UnknownKey);
        assert!(
            error.to_string().contains("would change nothing"),
            "{error}"
        );
        // 1.4's hlog.slowsync.ms only sets what FSHLog logs; 2.5 reads it as a fallback.
        let error = Properties::resolve(
            Release::newest(ProfileId::Hbase14),
            &[scenario_setting(
                "hbase.regionserver.hlog.slowsync.ms",
                RawValue::Int(50),
            )],
            HEAP,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("logging is not modelled"),
            "{error}"
        );
        let fallback = Properties::resolve(
            Release::newest(ProfileId::Hbase25),
            &[scenario_setting(
                "hbase.regionserver.hlog.slowsync.ms",
                RawValue::Int(50),
            )],
            HEAP,
        )
        .unwrap();
        assert_eq!(fallback.int("hbase.regionserver.wal.slowsync.ms"), 50);
    }
}
