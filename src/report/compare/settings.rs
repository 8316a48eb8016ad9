//! What differs between runs' settings, and each run's label: every `scenario.resolved.toml`
//! flattened to dotted keys as `--set` names them (`seed`, `profile`, `io.hdfs_write_bandwidth`,
//! `tables.usertable.regions`, `workloads.0.arrival.rate`, an HBase property by its own name),
//! then the keys whose values are not the same in every run.
//!
//! A run's label is the differing settings someone chose — a property counts only if it is
//! away from its profile's default in some run, so that the properties a profile or another
//! setting decides (`maxlogs` following the heap) do not crowd the label of the setting that
//! moved them — or the run's folder name when none differs. The `description` is prose, not a
//! setting, and is left out.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::result_reader::ResultFolder;
use crate::scenario::properties::{PropertyKind, PropertyValue};
use crate::scenario::units::format_size;
use crate::sim::SimDuration;

/// What a setting a run lacks (an unset property, an optional key not written) shows.
pub const UNSET: &str = "(unset)";

/// One setting as a run's resolved scenario holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    /// As written in the file: what "differs" compares.
    written: String,
    /// For people, exact: a property's size or duration in its unit ("64MB", "90s").
    shown: String,
}

/// A setting whose value is not the same in every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DifferingSetting {
    /// The dotted key, as `--set` takes it.
    pub key: String,
    /// Per run, in the comparison's order.
    pub values: Vec<String>,
    /// Whether someone chose it in some run (not only a profile's default or a derived value);
    /// only those go into labels.
    pub chosen: bool,
}

/// The settings that differ between `runs`, by key.
pub fn differing_settings(runs: &[&ResultFolder]) -> Vec<DifferingSetting> {
    let settings: Vec<BTreeMap<String, Setting>> = runs.iter().map(|run| settings(run)).collect();
    let keys: BTreeSet<&String> = settings.iter().flat_map(BTreeMap::keys).collect();
    let changed: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.scenario.properties.changed())
        .map(|(property, _)| property.definition.name)
        .collect();
    keys.into_iter()
        .filter_map(|key| {
            let values: Vec<Option<&Setting>> = settings.iter().map(|run| run.get(key)).collect();
            let written: Vec<Option<&String>> = values
                .iter()
                .map(|value| value.map(|setting| &setting.written))
                .collect();
            if written.iter().all(|value| *value == written[0]) {
                return None;
            }
            let is_property = runs
                .iter()
                .any(|run| run.scenario.properties.get(key).is_some());
            Some(DifferingSetting {
                key: key.clone(),
                values: values
                    .iter()
                    .map(|value| value.map_or(UNSET.to_string(), |setting| setting.shown.clone()))
                    .collect(),
                chosen: !is_property || changed.contains(key.as_str()),
            })
        })
        .collect()
}

/// Each run's label: its chosen differing settings, `key=value` joined by commas, or `names[i]`
/// (its folder's name) when none differs.
pub fn labels(differing: &[DifferingSetting], names: &[String]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .map(|(run, name)| {
            let parts: Vec<String> = differing
                .iter()
                .filter(|setting| setting.chosen)
                .map(|setting| format!("{}={}", setting.key, setting.values[run]))
                .collect();
            if parts.is_empty() {
                name.clone()
            } else {
                parts.join(", ")
            }
        })
        .collect()
}

/// A run's settings by dotted key.
fn settings(run: &ResultFolder) -> BTreeMap<String, Setting> {
    let table: toml::Table = toml::from_str(&run.scenario_text)
        .expect("scenario.resolved.toml was parsed when the folder was read");
    let mut flat = BTreeMap::new();
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("description", _) => {}
            ("properties", toml::Value::Table(properties)) => {
                for (name, value) in properties {
                    let written = written(value);
                    let shown = property_shown(run, name).unwrap_or_else(|| written.clone());
                    flat.insert(name.clone(), Setting { written, shown });
                }
            }
            _ => flatten(key, value, &mut flat),
        }
    }
    flat
}

/// Adds `value` under `key`: a table's entries under `key.entry`, an array of tables' elements
/// under `key.<name>` (each element's `name`, if every element has a distinct one) or
/// `key.<index>`, anything else as it is.
fn flatten(key: &str, value: &toml::Value, flat: &mut BTreeMap<String, Setting>) {
    match value {
        toml::Value::Table(table) => {
            for (entry, value) in table {
                flatten(&format!("{key}.{entry}"), value, flat);
            }
        }
        toml::Value::Array(elements)
            if !elements.is_empty() && elements.iter().all(toml::Value::is_table) =>
        {
            let names: Vec<Option<&str>> = elements
                .iter()
                .map(|element| element.get("name").and_then(toml::Value::as_str))
                .collect();
            let distinct: BTreeSet<&str> = names.iter().flatten().copied().collect();
            let by_name = distinct.len() == elements.len();
            for (index, (element, name)) in elements.iter().zip(names).enumerate() {
                let segment = match name {
                    Some(name) if by_name => name.to_string(),
                    _ => index.to_string(),
                };
                flatten(&format!("{key}.{segment}"), element, flat);
            }
        }
        _ => {
            let written = written(value);
            flat.insert(
                key.to_string(),
                Setting {
                    shown: written.clone(),
                    written,
                },
            );
        }
    }
}

/// A value as the file writes it, strings without their quotes.
fn written(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A property's value in its unit, exactly ("64MB", "90s", "1536B"), from the run's resolved
/// properties; `None` for a property regionsim does not know.
fn property_shown(run: &ResultFolder, name: &str) -> Option<String> {
    let property = run.scenario.properties.get(name)?;
    let Some(value) = &property.value else {
        return Some(UNSET.to_string());
    };
    let duration = |span: SimDuration| (span != SimDuration::MAX).then(|| span.to_string());
    let exact = match (property.definition.kind, value) {
        (PropertyKind::Bytes, PropertyValue::Int(bytes)) if *bytes > 0 => {
            Some(format_size(*bytes as u64))
        }
        (PropertyKind::Millis, PropertyValue::Int(millis)) if *millis > 0 => {
            duration(SimDuration::from_millis(*millis as u64))
        }
        (PropertyKind::Seconds, PropertyValue::Int(secs)) if *secs > 0 => {
            duration(SimDuration::from_secs(*secs as u64))
        }
        _ => None,
    };
    Some(exact.unwrap_or_else(|| value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> BTreeMap<String, String> {
        let table: toml::Table = toml::from_str(text).unwrap();
        let mut flat = BTreeMap::new();
        for (key, value) in &table {
            flatten(key, value, &mut flat);
        }
        flat.into_iter()
            .map(|(key, setting)| (key, setting.shown))
            .collect()
    }

    // Tables nest into dotted keys, inline tables too; arrays of tables go by their elements'
    // names when each has its own, by index otherwise; other arrays stay whole.
    #[test]
    fn toml_flattens_to_set_paths() {
        let flattened = flat(
            r#"
seed = 2
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
families = ["cf"]
[[faults]]
kind = "crash"
[[faults]]
kind = "crash"
"#,
        );
        let expected: BTreeMap<String, String> = [
            ("faults.0.kind", "crash"),
            ("faults.1.kind", "crash"),
            ("io.wal_sync_latency.dist", "constant"),
            ("io.wal_sync_latency.value", "1ms"),
            ("seed", "2"),
            ("tables.t.families", "[\"cf\"]"),
            ("tables.t.name", "t"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
        assert_eq!(flattened, expected);
    }

    // A label lists the chosen differing settings; with none, the folder's name.
    #[test]
    fn labels_name_the_chosen_settings() {
        let differing = vec![
            DifferingSetting {
                key: "hbase.regionserver.maxlogs".to_string(),
                values: vec!["102".to_string(), "51".to_string()],
                chosen: false,
            },
            DifferingSetting {
                key: "server.heap".to_string(),
                values: vec!["16GB".to_string(), "8GB".to_string()],
                chosen: true,
            },
        ];
        let names = ["a".to_string(), "b".to_string()];
        assert_eq!(
            labels(&differing, &names),
            ["server.heap=16GB", "server.heap=8GB"]
        );
        assert_eq!(labels(&[], &names), ["a", "b"]);
    }
}
