//! `regionsim compact-select`: which files HBase's compaction policy would take from a store
//! of the given file sizes, and why, by the model's `select_compaction`.
//!
//! The files are listed oldest first. Settings come from the profile's defaults, then `--set`
//! (compaction properties only), then `--policy`. The selection runs at a fixed instant; a
//! file's `age=` mark sets how long before it the file was written, and its oldest cell with it.

use clap::{Args, ValueEnum};
use serde_json::json;

use super::Failure;
use crate::model::compaction::policy::{
    self, CandidateFile, CompactionConfig, CompactionKind, PolicyKind, Selection, SelectionRequest,
    select_compaction,
};
use crate::scenario::check_compaction_properties;
use crate::scenario::document::Assignment;
use crate::scenario::error::{Origin, with_suggestion};
use crate::scenario::profile::{COMPACTION_POLICIES, ProfileId, Release};
use crate::scenario::properties::{Properties, RawValue, Setting, Source};
use crate::scenario::suggest::did_you_mean;
use crate::scenario::units::{format_size, parse_duration, parse_size};

/// The heap the property layer derives heap fractions from; no compaction setting reads it.
const HEAP_BYTES: u64 = 16 << 30;
/// The instant of the selection, ms since the epoch (2023-11-14): any time would do, as ages
/// count back from it.
const NOW_MS: u64 = 1_700_000_000_000;
/// What may follow a size, after a colon.
const MARKS: &[&str] = &["ref", "compacting", "bulk", "major", "age="];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PolicyArg {
    /// ExploringCompactionPolicy (the default).
    Exploring,
    /// RatioBasedCompactionPolicy.
    Ratio,
}

#[derive(Debug, Args)]
pub struct CompactSelectArgs {
    /// The store's files, oldest first: a size ("12MB", or bytes), then any of ":ref" (a split
    /// daughter's reference), ":compacting" (already being compacted), ":bulk" (bulk-loaded,
    /// excluded from minor compactions), ":major" (written by a major compaction) and
    /// ":age=DURATION" (written that long ago; default 0).
    #[arg(required = true, value_name = "SIZE[:MARK]…")]
    files: Vec<String>,
    /// The selection policy (default: hbase.hstore.defaultengine.compactionpolicy.class).
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// A compaction property by its HBase name, e.g. hbase.hstore.compaction.ratio=1.5.
    #[arg(long = "set", value_name = "PROP=VALUE")]
    sets: Vec<String>,
    /// Whose defaults and rules: hbase-2.5 or hbase-1.4.
    #[arg(long, default_value = "hbase-2.5", value_parser = ProfileId::NAMES)]
    profile: String,
    /// The request may use the off-peak ratio and size (as if in off-peak hours with no other
    /// off-peak compaction running).
    #[arg(long)]
    off_peak: bool,
    /// The hour of the day of the request: off-peak if hbase.offpeak.start.hour/end.hour say so.
    #[arg(long, value_name = "HOUR", value_parser = clap::value_parser!(u32).range(0..24))]
    hour: Option<u32>,
    /// The store was asked for a major compaction (admin major_compact, or one found due).
    #[arg(long)]
    force_major: bool,
    /// A user's request (priority PRIORITY_USER): a forced major one takes every file.
    #[arg(long)]
    user: bool,
    /// The family's TTL (default: forever).
    #[arg(long, value_name = "DURATION")]
    ttl: Option<String>,
    /// Print one JSON object instead of the explanation.
    #[arg(long)]
    json: bool,
}

/// `SIZE[:MARK]…` as a candidate file written at `NOW_MS` less its age.
fn parse_file(index: usize, text: &str) -> Result<CandidateFile, Failure> {
    let mut parts = text.split(':');
    let size_text = parts.next().unwrap_or_default();
    let size_bytes = parse_size(size_text)
        .map_err(|message| Failure::bad_input(format!("file #{index} \"{text}\": {message}")))?;
    if size_bytes > i64::MAX as u64 {
        return Err(Failure::bad_input(format!(
            "file #{index} \"{text}\": HBase sizes are Java longs, at most {}",
            i64::MAX
        )));
    }
    let mut file = CandidateFile {
        id: index as u64,
        size_bytes,
        compacting: false,
        reference: false,
        exclude_from_minor: false,
        major_compaction_result: false,
        modified_ms: NOW_MS,
        timestamp_min_ms: Some(NOW_MS),
    };
    for mark in parts {
        match mark {
            "ref" => file.reference = true,
            "compacting" => file.compacting = true,
            "bulk" => file.exclude_from_minor = true,
            "major" => file.major_compaction_result = true,
            _ if mark.starts_with("age=") => {
                let age = parse_duration(&mark["age=".len()..]).map_err(|message| {
                    Failure::bad_input(format!("file #{index} \"{text}\": {message}"))
                })?;
                let age_ms = age.as_nanos() / 1_000_000;
                file.modified_ms =
                    NOW_MS
                        .checked_sub(age_ms)
                        .filter(|ms| *ms > 0)
                        .ok_or_else(|| {
                            Failure::bad_input(format!(
                                "file #{index} \"{text}\": the age reaches back before 1970"
                            ))
                        })?;
                file.timestamp_min_ms = Some(file.modified_ms);
            }
            _ => {
                return Err(Failure::bad_input(with_suggestion(
                    format!(
                        "file #{index} \"{text}\": unknown mark \"{mark}\" (marks: ref, compacting, bulk, major, age=DURATION)"
                    ),
                    did_you_mean(mark, MARKS),
                )));
            }
        }
    }
    Ok(file)
}

/// The profile's properties with the `--set` compaction properties and `--policy` on top.
fn resolve(args: &CompactSelectArgs, profile: ProfileId) -> Result<Properties, Failure> {
    let mut settings = Vec::new();
    for text in &args.sets {
        let assignment = Assignment::parse(text)?;
        settings.push(Setting {
            name: assignment.path.clone(),
            value: RawValue::Text(assignment.value.clone()),
            source: Source::Argument(assignment.origin()),
        });
    }
    if let Some(policy) = args.policy {
        let class = match policy {
            PolicyArg::Exploring => COMPACTION_POLICIES[0],
            PolicyArg::Ratio => COMPACTION_POLICIES[1],
        };
        settings.push(Setting {
            name: "hbase.hstore.defaultengine.compactionpolicy.class".to_string(),
            value: RawValue::Text(class.to_string()),
            source: Source::Argument(Origin::Argument(format!(
                "--policy {}",
                policy
                    .to_possible_value()
                    .map(|value| value.get_name().to_string())
                    .unwrap_or_default()
            ))),
        });
    }
    // Unknown names and bad values: the property layer's errors, with its suggestions.
    let properties = Properties::resolve(Release::newest(profile), &settings, HEAP_BYTES)?;
    for setting in &settings {
        if !policy::PROPERTIES.contains(&setting.name.as_str()) {
            return Err(Failure::bad_input(with_suggestion(
                format!(
                    "--set {}: not a compaction selection property (compact-select reads {})",
                    setting.name,
                    policy::PROPERTIES.join(", ")
                ),
                did_you_mean(&setting.name, policy::PROPERTIES),
            )));
        }
    }
    check_compaction_properties(&properties)?;
    Ok(properties)
}

pub fn compact_select(args: CompactSelectArgs) -> Result<(), Failure> {
    let profile = ProfileId::from_name(&args.profile)
        .ok_or_else(|| Failure::bad_input(format!("unknown profile \"{}\"", args.profile)))?;
    let files = args
        .files
        .iter()
        .enumerate()
        .map(|(index, text)| parse_file(index, text))
        .collect::<Result<Vec<_>, _>>()?;
    let total = files
        .iter()
        .try_fold(0u64, |total, file| total.checked_add(file.size_bytes))
        .filter(|total| *total <= i64::MAX as u64);
    if total.is_none() {
        return Err(Failure::bad_input(format!(
            "the files total more than a Java long ({} bytes)",
            i64::MAX
        )));
    }
    let ttl_ms = match &args.ttl {
        Some(text) => Some(
            parse_duration(text)
                .map_err(|message| Failure::bad_input(format!("--ttl {text}: {message}")))?
                .as_nanos()
                / 1_000_000,
        ),
        None => None,
    };
    let properties = resolve(&args, profile)?;
    let flush_size = properties.bytes("hbase.hregion.memstore.flush.size");
    let config = CompactionConfig::from_properties(&properties, flush_size);
    let may_use_off_peak = args.off_peak
        || args
            .hour
            .is_some_and(|hour| config.off_peak_hours.contains_hour(hour));
    let selection = select_compaction(
        &SelectionRequest {
            files: &files,
            user: args.user,
            force_major: args.force_major,
            may_use_off_peak,
            now_ms: NOW_MS,
            ttl_ms,
            explain: true,
        },
        &config,
    );
    if args.json {
        println!("{}", json_report(profile, &config, &files, &selection));
    } else {
        print!("{}", text_report(profile, &config, &files, &selection));
    }
    Ok(())
}

fn json_report(
    profile: ProfileId,
    config: &CompactionConfig,
    files: &[CandidateFile],
    selection: &Selection,
) -> serde_json::Value {
    let sizes = |indices: &[usize]| -> Vec<u64> {
        indices
            .iter()
            .map(|&index| files[index].size_bytes)
            .collect()
    };
    let all: Vec<usize> = (0..files.len()).collect();
    json!({
        "profile": profile.name(),
        "policy": config.policy.name(),
        "files": sizes(&all),
        "selected": sizes(&selection.files),
        "selected_indices": selection.files,
        "selected_bytes": sizes(&selection.files).iter().sum::<u64>(),
        "major": selection.is_major(),
        "kind": selection.kind.name(),
        "off_peak": selection.off_peak,
        "after_split": selection.after_split,
        "priority": selection.priority,
        "explanation": selection.explanation.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn text_report(
    profile: ProfileId,
    config: &CompactionConfig,
    files: &[CandidateFile],
    selection: &Selection,
) -> String {
    let mut out = String::new();
    let listed: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(index, file)| format!("#{index} {}", format_size(file.size_bytes)))
        .collect();
    out.push_str(&format!("files (oldest first): {}\n", listed.join(", ")));
    let max_size = |bytes: u64| {
        if bytes >= i64::MAX as u64 {
            "unlimited".to_string()
        } else {
            format_size(bytes)
        }
    };
    out.push_str(&format!(
        "{} policy, {profile}: {} to {} files, ratio {} (off-peak {}), min size {}, max size {} (off-peak {}), blocking at {} files\n",
        match config.policy {
            PolicyKind::Exploring => "exploring",
            PolicyKind::RatioBased => "ratio-based",
        },
        config.min_files,
        config.max_files,
        config.ratio as f32,
        config.ratio_off_peak as f32,
        format_size(config.min_size_bytes),
        max_size(config.max_size_bytes),
        max_size(config.max_size_off_peak_bytes),
        config.blocking_store_files
    ));
    for step in &selection.explanation {
        out.push_str(&format!("  {step}\n"));
    }
    if selection.files.is_empty() {
        out.push_str("selected: nothing (no compaction request)\n");
        return out;
    }
    let chosen: Vec<String> = selection
        .files
        .iter()
        .map(|&index| format!("#{index} {}", format_size(files[index].size_bytes)))
        .collect();
    let total: u64 = selection
        .files
        .iter()
        .map(|&index| files[index].size_bytes)
        .sum();
    out.push_str(&format!(
        "selected: {} ({} files, {}): {}{}, priority {}\n",
        chosen.join(", "),
        selection.files.len(),
        format_size(total),
        match selection.kind {
            CompactionKind::Minor => "a minor compaction",
            CompactionKind::AllFiles => "all files, not major (delete markers dropped)",
            CompactionKind::Major => "a major compaction",
        },
        if selection.off_peak { ", off-peak" } else { "" },
        selection.priority
    ));
    out
}
