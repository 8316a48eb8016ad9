//! report.html's Durability section: what the durability oracle found, and why edits were
//! lost, not only how many — each cause in words with its count and, where summary.json knows
//! them, the crash (and when it struck), the WAL files and the region involved; then what each
//! recovery's split did with every WAL file. Like the rest of the page it reads summary.json
//! alone (its `durability` and `recovery` sections).

use std::fmt::Write as _;

use serde_json::Value;

use super::{escape, number, text, wrapping_table};
use crate::model::wal::reader::EndCause;
use crate::report::format::count;
use crate::report::result_reader::ResultFolder;

/// Each cause the oracle names (`durability.lost_by_cause`), in its order, in words.
const CAUSES: [(&str, &str); 9] = [
    (
        "corrupt_wal_skipped",
        "in a WAL file the split set aside as corrupt (hbase.hlog.split.skip.errors = true)",
    ),
    (
        "split_given_up",
        "in a WAL file whose failed split was given up, its regions opened without it (HBASE-2958)",
    ),
    (
        "truncated_by_damage",
        "in a damaged WAL file, past the point where HBase's reader ended it early and silently",
    ),
    (
        "failed_sync_acknowledged",
        "acknowledged though its append went to a broken WAL writer (HBASE-11868)",
    ),
    (
        "damaged_entry",
        "its own WAL entry's key or cell framing changed before HDFS checksummed it",
    ),
    (
        "store_seqid_over_reported",
        "dropped by the split as flushed: the master had been told its store was complete past it (HBASE-13811)",
    ),
    (
        "async_wal_window",
        "written with ASYNC_WAL and not yet synced when the server died",
    ),
    ("skip_wal", "written with SKIP_WAL: never in a WAL"),
    (
        "unexplained",
        "no cause the oracle knows: a bug in the model",
    ),
];

/// The section.
pub(super) fn durability_section(out: &mut String, folder: &ResultFolder) {
    let Some(durability) = folder.summary.get("durability") else {
        return;
    };
    out.push_str("<h2>Durability</h2>\n");
    let figure = |key: &str| durability.get(key).and_then(Value::as_u64).unwrap_or(0);
    let mut found = vec![format!("{} verified", count(figure("verified")))];
    if figure("corrupted") > 0 {
        found.push(format!(
            "{} came back corrupted (a damaged value replayed)",
            count(figure("corrupted"))
        ));
    }
    found.push(format!("{} lost", count(figure("lost"))));
    if figure("unavailable") > 0 {
        found.push(format!(
            "{} in regions still offline",
            count(figure("unavailable"))
        ));
    }
    if figure("resurrected") > 0 {
        found.push(format!(
            "{} rolled-back edits found again",
            count(figure("resurrected"))
        ));
    }
    let _ = writeln!(
        out,
        "<p>{} acknowledged edits: {}.</p>",
        count(figure("acknowledged")),
        escape(&found.join(", "))
    );
    let recoveries: &[Value] = folder
        .summary
        .pointer("/recovery/recoveries")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    losses(out, folder, durability, recoveries);
    split_files(out, recoveries);
}

/// Lost edits by cause: the cause in words, how many, and where and when.
fn losses(out: &mut String, folder: &ResultFolder, durability: &Value, recoveries: &[Value]) {
    let mut by_cause: Vec<(&str, u64)> = durability
        .get("lost_by_cause")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(cause, lost)| Some((cause.as_str(), lost.as_u64()?)))
        .filter(|(_, lost)| *lost > 0)
        .collect();
    if by_cause.is_empty() {
        return;
    }
    // The oracle's order; a cause a later version names comes last, by its name (the sort
    // keeps summary.json's order among equals).
    let rank = |cause: &str| {
        CAUSES
            .iter()
            .position(|(name, _)| *name == cause)
            .unwrap_or(CAUSES.len())
    };
    by_cause.sort_by_key(|(cause, _)| rank(cause));
    let rows: Vec<Vec<(String, bool)>> = by_cause
        .iter()
        .map(|(cause, lost)| {
            let words = CAUSES
                .iter()
                .find(|(name, _)| name == cause)
                .map_or(*cause, |(_, words)| words);
            vec![
                text(format!("{cause}: {words}")),
                number(count(*lost)),
                text(where_and_when(cause, folder, durability, recoveries)),
            ]
        })
        .collect();
    out.push_str("<p>Why acknowledged edits were lost:</p>\n");
    wrapping_table(out, &["cause", "edits lost", "where and when"], &rows);
}

/// What summary.json says of where a cause's losses came from: the files it touches in each
/// recovery, or the crashes, or (for a bug) the first edit lost.
fn where_and_when(
    cause: &str,
    folder: &ResultFolder,
    durability: &Value,
    recoveries: &[Value],
) -> String {
    if cause == "unexplained" {
        let first = durability.get("first_unexplained");
        let field = |key: &str| first.and_then(|edit| edit.get(key)).and_then(Value::as_u64);
        return match (field("region"), field("sequence_id")) {
            (Some(region), Some(sequence_id)) => format!(
                "the first: region {}, sequence id {sequence_id}",
                folder.region_names.label(region)
            ),
            _ => String::new(),
        };
    }
    // Which of a recovery's WAL files a cause is about, if it is about files.
    let files: Option<fn(&Value) -> bool> = match cause {
        "corrupt_wal_skipped" => Some(|file| fate(file) == "set_aside"),
        "split_given_up" => Some(|file| fate(file) == "given_up"),
        "truncated_by_damage" => Some(|file| !ended_cleanly(stop(file))),
        _ => None,
    };
    let mut parts = Vec::new();
    for recovery in recoveries {
        let regions = recovery.get("regions").and_then(Value::as_u64).unwrap_or(0);
        let crash = format!("{} ({regions} regions)", crash(recovery));
        match files {
            None => parts.push(crash),
            Some(involved) => {
                let named: Vec<String> = split_files_of(recovery)
                    .iter()
                    .filter(|file| involved(file))
                    .map(|file| match set_aside_to(recovery, name(file)) {
                        Some(to) => format!("{}, moved to {to} ({})", name(file), stop(file)),
                        None => format!("{} ({})", name(file), stop(file)),
                    })
                    .collect();
                if !named.is_empty() {
                    parts.push(format!("{crash}: {}", named.join("; ")));
                }
            }
        }
    }
    parts.join("; ")
}

/// The crash that began a recovery, and when: `crash at 120.0s`.
fn crash(recovery: &Value) -> String {
    let at = recovery
        .get("crashed_at_s")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let cause = recovery
        .get("cause")
        .and_then(Value::as_str)
        .unwrap_or("crash");
    format!("{cause} at {at:.1}s")
}

/// Where a recovery's split put a file it set aside (`corrupt/…` or `oldWALs/…`).
fn set_aside_to<'v>(recovery: &'v Value, file: &str) -> Option<&'v str> {
    recovery
        .get("files_set_aside")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .find(|path| path.rsplit('/').next() == Some(file))
}

fn split_files_of(recovery: &Value) -> &[Value] {
    recovery
        .get("split_files")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn field<'v>(file: &'v Value, key: &str) -> &'v str {
    file.get(key).and_then(Value::as_str).unwrap_or("")
}

fn name(file: &Value) -> &str {
    field(file, "name")
}

fn fate(file: &Value) -> &str {
    field(file, "fate")
}

fn stop(file: &Value) -> &str {
    field(file, "stop")
}

/// Whether HBase's reader read a file to its end: its trailer, or the end of the file between
/// entries (summary.json gives where the reader stopped as the reader words it).
fn ended_cleanly(stop: &str) -> bool {
    [EndCause::Trailer, EndCause::EndOfFile]
        .iter()
        .any(|end| stop.ends_with(&end.to_string()))
}

/// Every recovery's WAL files: what the split read from each, and what became of it.
fn split_files(out: &mut String, recoveries: &[Value]) {
    let rows: Vec<Vec<(String, bool)>> = recoveries
        .iter()
        .flat_map(|recovery| {
            let crash = crash(recovery);
            split_files_of(recovery).iter().map(move |file| {
                let figure = |key: &str| {
                    number(
                        file.get(key)
                            .and_then(Value::as_u64)
                            .map_or("—".to_string(), count),
                    )
                };
                vec![
                    text(crash.clone()),
                    text(name(file)),
                    figure("entries_read"),
                    figure("entries_written"),
                    text(fate(file)),
                    text(stop(file)),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<p>The WAL files each recovery split, and their fate (archived, set aside as corrupt, failed to be retried, or given up):</p>\n");
    wrapping_table(
        out,
        &[
            "crash",
            "WAL file",
            "entries read",
            "entries written",
            "fate",
            "where HBase's reader stopped",
        ],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    // A file read to its trailer or to its end between entries ended cleanly; one whose reader
    // stopped at damage did not (the words are the reader's own, so they cannot drift apart).
    #[test]
    fn clean_ends_are_the_reader_s() {
        assert!(ended_cleanly(
            "entries end at offset 765: the trailer: a clean close"
        ));
        assert!(ended_cleanly(
            "entries end at offset 52672243: the end of the file, between entries"
        ));
        assert!(!ended_cleanly(
            "entries end at offset 86507023: 0 of 10 cells read, then BlockMissingException: could not obtain the block holding offset 86507520 (EOF)"
        ));
    }
}
