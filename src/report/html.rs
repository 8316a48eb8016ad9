//! `report.html`: one self-contained page per run — the run, its headline numbers, every chart
//! (inline SVG), the fault and action timeline, why edits were lost (`html/durability.rs`),
//! flushes by reason, the HBase properties that differ from the profile's defaults, the rest of
//! the scenario, and the command that reproduces it.
//!
//! Self-contained means no network and no other file: CSS is inline, charts are inline SVG,
//! nothing is linked. The page is also well-formed XML (polyglot markup), so it can be checked
//! with an XML parser. Like the charts it is a function of the result folder's files only —
//! never of paths, clocks or `run.json` — so the same run gives the same bytes.

mod durability;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::charts::Chart;
use super::format::{count, latency};
use super::result_reader::{EventRow, ResultFolder};
use crate::scenario::properties::{Property, Source};
use crate::scenario::units::format_size_approx;

/// Timeline rows shown before the rest are summarised in a line.
const TIMELINE_ROWS_MAX: usize = 500;

pub(super) const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, sans-serif; color: #222; margin: 2em auto; max-width: 1240px; padding: 0 1em; line-height: 1.4; }
h1 { margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
p.lead { font-size: 1.1em; color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #d4d4d4; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.wrap td:not(.number) { overflow-wrap: anywhere; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; border: 1px solid #e0e0e0; padding: 0.8em; overflow-x: auto; }
code { font-family: 'DejaVu Sans Mono', Menlo, monospace; }
";

/// Escapes text for HTML and XML alike.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A table: header cells (none for a list of names and values), then rows of (text, numeric)
/// cells.
pub(super) fn table(out: &mut String, header: &[&str], rows: &[Vec<(String, bool)>]) {
    out.push_str("<table>\n");
    table_body(out, header, rows);
}

/// A table whose text cells break anywhere when they must (long property names, class names,
/// WAL file names), so that it stays within the page.
fn wrapping_table(out: &mut String, header: &[&str], rows: &[Vec<(String, bool)>]) {
    out.push_str("<table class=\"wrap\">\n");
    table_body(out, header, rows);
}

/// A table's rows and its end, after its opening tag.
fn table_body(out: &mut String, header: &[&str], rows: &[Vec<(String, bool)>]) {
    if !header.is_empty() {
        out.push_str("<tr>");
        for cell in header {
            let _ = write!(out, "<th>{}</th>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    for row in rows {
        out.push_str("<tr>");
        for (cell, numeric) in row {
            let class = if *numeric { " class=\"number\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

pub(super) fn text(cell: impl Into<String>) -> (String, bool) {
    (cell.into(), false)
}

pub(super) fn number(cell: impl Into<String>) -> (String, bool) {
    (cell.into(), true)
}

/// The page.
pub fn report_html(folder: &ResultFolder, charts: &[Chart]) -> String {
    let scenario = &folder.scenario;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>regionsim: {} (seed {})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&scenario.name),
        scenario.seed
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&scenario.name));
    if !scenario.description.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"lead\">{}</p>",
            escape(&scenario.description)
        );
    }
    run_table(&mut out, folder);
    verdict(&mut out, folder);
    out.push_str("<h2>Summary</h2>\n");
    operations_table(&mut out, folder);
    headline_table(&mut out, folder);
    out.push_str("<h2>Charts</h2>\n");
    chart_figures(&mut out, charts);
    out.push_str("<h2>Faults, actions and regions</h2>\n");
    timeline(&mut out, folder);
    durability::durability_section(&mut out, folder);
    out.push_str("<h2>Flushes by reason</h2>\n");
    flush_reasons(&mut out, folder);
    let _ = writeln!(
        out,
        "<h2>Settings that differ from {}&#39;s defaults</h2>",
        escape(&scenario.profile.to_string())
    );
    changed_settings(&mut out, folder);
    out.push_str("<h2>The rest of the scenario</h2>\n<p>Every value in force apart from the HBase properties, as <code>scenario.resolved.toml</code> holds it.</p>\n");
    let _ = writeln!(
        out,
        "<pre><code>{}</code></pre>",
        escape(&without_properties(&folder.scenario_text))
    );
    out.push_str("<h2>Reproduce</h2>\n<p>From this folder, this reruns the run byte for byte (the same trace hash means the same run); <code>regionsim report</code> on a result folder redraws its charts and this page.</p>\n");
    out.push_str("<pre><code>regionsim run scenario.resolved.toml --out rerun\nregionsim report rerun</code></pre>\n");
    out.push_str("</body>\n</html>\n");
    out
}

/// Each chart inline, captioned with its files.
pub(super) fn chart_figures(out: &mut String, charts: &[Chart]) {
    for chart in charts {
        let _ = writeln!(
            out,
            "<figure id=\"chart-{}\">\n{}<figcaption>charts/{}.svg and .png</figcaption>\n</figure>",
            escape(&chart.name),
            inline_svg(&chart.svg),
            escape(&chart.name)
        );
    }
}

/// The chart's SVG for inlining: HTML needs no namespace declaration, and leaving it out keeps
/// the page free of any URL.
fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn run_table(out: &mut String, folder: &ResultFolder) {
    let scenario = &folder.scenario;
    let summary_text = |pointer: &str| folder.summary_text(pointer).unwrap_or("—").to_string();
    let rows = vec![
        vec![
            text("profile"),
            text(format!(
                "{} (release {})",
                scenario.profile, scenario.release
            )),
        ],
        vec![text("seed"), text(scenario.seed.to_string())],
        vec![text("simulated time"), text(scenario.duration.to_string())],
        vec![
            text("events"),
            text(
                folder
                    .summary_number("/events")
                    .map_or("—".to_string(), |events| count(events as u64)),
            ),
        ],
        vec![text("trace hash"), text(summary_text("/trace_hash"))],
        vec![
            text("regionsim version"),
            text(summary_text("/regionsim_version")),
        ],
    ];
    table(out, &[], &rows);
}

fn operations_table(out: &mut String, folder: &ResultFolder) {
    let Some(operations) = folder
        .summary
        .get("operations")
        .and_then(serde_json::Value::as_object)
    else {
        out.push_str("<p>No operations in summary.json.</p>\n");
        return;
    };
    let rows: Vec<Vec<(String, bool)>> = operations
        .iter()
        .map(|(name, operation)| {
            let value = |pointer: &str| operation.pointer(pointer).and_then(|v| v.as_f64());
            let counted =
                |pointer: &str| number(value(pointer).map_or("—".into(), |v| count(v as u64)));
            let latency_cell = |key: &str| {
                number(value(&format!("/latency_ms/{key}")).map_or("—".into(), latency))
            };
            vec![
                text(name.clone()),
                counted("/attempted"),
                counted("/succeeded"),
                counted("/failed"),
                number(value("/throughput_per_sec").map_or("—".into(), |v| format!("{v:.1}"))),
                latency_cell("p50"),
                latency_cell("p90"),
                latency_cell("p99"),
                latency_cell("p999"),
                latency_cell("max"),
                latency_cell("mean"),
            ]
        })
        .collect();
    table(
        out,
        &[
            "operation",
            "sent",
            "acknowledged",
            "failed",
            "per second",
            "p50",
            "p90",
            "p99",
            "p99.9",
            "max",
            "mean",
        ],
        &rows,
    );
}

/// How a headline number is written.
#[derive(Debug, Clone, Copy)]
pub(super) enum Format {
    Count,
    Bytes,
    Seconds,
    Millis,
    Percent,
    Decimal,
}

pub(super) fn formatted(value: Option<f64>, format: Format) -> String {
    let Some(value) = value else {
        return "—".to_string();
    };
    match format {
        Format::Count => count(value as u64),
        Format::Bytes => format_size_approx(value),
        Format::Seconds => format!("{value:.1}s"),
        Format::Millis => latency(value),
        Format::Percent => format!("{:.0}%", value * 100.0),
        Format::Decimal => format!("{value:.2}"),
    }
}

/// One headline number: its label, its JSON pointer into summary.json, how it is written.
type Headline = (&'static str, &'static str, Format);

/// Headline numbers from summary.json, by what they are about.
const HEADLINES: [(&str, &[Headline]); 12] = [
    (
        "flushes",
        &[
            ("committed", "/flushes/count", Format::Count),
            ("data flushed", "/flushes/bytes", Format::Bytes),
            ("files written", "/flushes/file_bytes", Format::Bytes),
            ("mean duration", "/flushes/duration_ms/mean", Format::Millis),
            (
                "handlers busy",
                "/flushes/handler_utilisation",
                Format::Percent,
            ),
        ],
    ),
    (
        "flush queue",
        &[
            ("mean wait", "/flush_queue/mean_wait_ms", Format::Millis),
            (
                "mean length",
                "/flush_queue/time_avg_length",
                Format::Decimal,
            ),
            ("longest", "/flush_queue/max_length", Format::Count),
        ],
    ),
    (
        "blocked",
        &[
            (
                "global pressure",
                "/blocked/global_pressure_seconds",
                Format::Seconds,
            ),
            (
                "writes blocked there",
                "/blocked/writes_blocked",
                Format::Count,
            ),
            (
                "regions too busy",
                "/blocked/region_too_busy_seconds",
                Format::Seconds,
            ),
            ("RegionTooBusyException", "/region_too_busy", Format::Count),
            (
                "flushes waiting on store files",
                "/blocked/store_files_seconds",
                Format::Seconds,
            ),
            (
                "CallQueueTooBigException",
                "/blocked/call_queue_too_big",
                Format::Count,
            ),
            (
                "regions offline",
                "/blocked/regions_offline_seconds",
                Format::Seconds,
            ),
            (
                "waiting for a client thread",
                "/blocked/client_wait_seconds",
                Format::Seconds,
            ),
            (
                "held by the client's task limits",
                "/blocked/client_limit_wait_seconds",
                Format::Seconds,
            ),
        ],
    ),
    (
        "rpc",
        &[
            ("handlers", "/rpc/handlers", Format::Count),
            ("handlers busy", "/rpc/handler_utilisation", Format::Percent),
            (
                "calls queued (mean)",
                "/rpc/queue_time_avg_length",
                Format::Decimal,
            ),
            (
                "calls queued (peak)",
                "/rpc/queue_max_length",
                Format::Count,
            ),
            (
                "CallQueueTooBigException",
                "/rpc/call_queue_too_big",
                Format::Count,
            ),
            ("client retries", "/client/retries", Format::Count),
        ],
    ),
    (
        "memstore",
        &[
            ("global peak", "/memstore/global_peak_bytes", Format::Bytes),
            ("lower limit", "/memstore/lower_limit_bytes", Format::Bytes),
            ("upper limit", "/memstore/upper_limit_bytes", Format::Bytes),
            ("global mean", "/memstore/global_mean_bytes", Format::Bytes),
        ],
    ),
    (
        "wal",
        &[
            ("syncs", "/wal/syncs", Format::Count),
            ("appends per sync", "/wal/appends_per_sync", Format::Decimal),
            ("bytes", "/wal/bytes", Format::Bytes),
            ("sync p99", "/wal/sync_latency_ms/p99", Format::Millis),
            ("sync failures", "/wal/sync_failures", Format::Count),
            ("rolls by size", "/wal/rolls/size", Format::Count),
            ("most files", "/wal/files_peak", Format::Count),
            ("maxlogs", "/wal/max_logs", Format::Count),
            (
                "too_many_wals requests",
                "/wal/forced_flush_requests",
                Format::Count,
            ),
        ],
    ),
    (
        "durability",
        &[
            ("acknowledged", "/durability/acknowledged", Format::Count),
            ("verified", "/durability/verified", Format::Count),
            ("lost", "/durability/lost", Format::Count),
            ("unavailable", "/durability/unavailable", Format::Count),
            ("resurrected", "/durability/resurrected", Format::Count),
        ],
    ),
    (
        "recovery",
        &[
            ("crashes", "/recovery/crashes", Format::Count),
            ("edits replayed", "/recovery/edits_replayed", Format::Count),
        ],
    ),
    (
        "store files",
        &[
            ("at the end", "/store_files/count", Format::Count),
            (
                "most in one store",
                "/store_files/peak_per_store",
                Format::Count,
            ),
            (
                "flushes put off",
                "/store_files/flush_wait_seconds",
                Format::Seconds,
            ),
        ],
    ),
    (
        "compactions",
        &[
            ("requested", "/compactions/requested", Format::Count),
            ("committed", "/compactions/count", Format::Count),
            ("major", "/compactions/by_kind/major", Format::Count),
            ("read", "/compactions/bytes_read", Format::Bytes),
            ("written", "/compactions/bytes_written", Format::Bytes),
            ("most queued", "/compactions/queue_peak", Format::Count),
            (
                "mean duration",
                "/compactions/duration_ms/mean",
                Format::Millis,
            ),
        ],
    ),
    (
        "regions",
        &[
            ("at the end", "/regions/count_at_end", Format::Count),
            ("split", "/regions/split", Format::Count),
            ("merged", "/regions/merged", Format::Count),
            ("offline", "/regions/offline_seconds", Format::Seconds),
            (
                "NotServingRegionException",
                "/regions/not_serving_region",
                Format::Count,
            ),
        ],
    ),
    (
        "amplification",
        &[(
            "write amplification",
            "/write_amplification",
            Format::Decimal,
        )],
    ),
];

fn headline_table(out: &mut String, folder: &ResultFolder) {
    let rows: Vec<Vec<(String, bool)>> = HEADLINES
        .iter()
        .map(|(what, items)| {
            let values: Vec<String> = items
                .iter()
                .map(|(label, pointer, format)| {
                    format!(
                        "{label} {}",
                        formatted(folder.summary_number(pointer), *format)
                    )
                })
                .collect();
            vec![text(*what), text(values.join(" · "))]
        })
        .collect();
    table(out, &[], &rows);
}

/// Whether the server kept up, the bottleneck of a run that did not, and every resource's use.
fn verdict(out: &mut String, folder: &ResultFolder) {
    let summary = &folder.summary;
    let Some(saturation) = summary.get("saturation") else {
        return;
    };
    let figure = |key: &str| {
        saturation
            .get(key)
            .and_then(|value| value.as_f64())
            .unwrap_or(0.0)
    };
    let flag = |key: &str| saturation.get(key).and_then(|value| value.as_bool()) == Some(true);
    let rates = format!(
        "offered {}/s, completed {}/s",
        count(figure("offered_per_sec").round() as u64),
        count(figure("completed_per_sec").round() as u64)
    );
    out.push_str("<h2>Verdict</h2>\n");
    if !flag("saturated") {
        let _ = writeln!(out, "<p>The server kept up ({rates}).</p>");
    } else {
        let mut how = Vec::new();
        if !flag("kept_up") {
            how.push("it could not keep up with the open-loop load (more than a second of arrivals still waiting for an application thread at the end)");
        }
        if flag("backlog_grew") {
            how.push("the requests waiting grew through the run");
        }
        let bottleneck = match summary.get("bottleneck") {
            Some(found) => format!(
                " Bottleneck: <strong>{}</strong>, {}.",
                escape(found.get("resource").and_then(|v| v.as_str()).unwrap_or("")),
                escape(found.get("why").and_then(|v| v.as_str()).unwrap_or(""))
            ),
            None => " No resource was saturated.".to_string(),
        };
        let _ = writeln!(
            out,
            "<p>The server was saturated: {} ({rates}).{bottleneck}</p>",
            how.join("; ")
        );
    }
    let rows: Vec<Vec<(String, bool)>> = saturation
        .get("resources")
        .and_then(|value| value.as_array())
        .into_iter()
        .flatten()
        .map(|use_| {
            let share = use_.get("share").and_then(|v| v.as_f64()).unwrap_or(0.0);
            let saturated = use_.get("saturated").and_then(|v| v.as_bool()) == Some(true);
            vec![
                text(use_.get("resource").and_then(|v| v.as_str()).unwrap_or("")),
                number(format!("{:.0}%", share * 100.0)),
                text(if saturated { "saturated" } else { "" }),
            ]
        })
        .collect();
    table(out, &["resource", "use", ""], &rows);
}

/// Every event but flushes (those are counted by reason below and ticked on the memstore chart).
fn timeline(out: &mut String, folder: &ResultFolder) {
    let shown: Vec<&EventRow> = folder
        .events
        .iter()
        .filter(|event| !event.is_flush())
        .collect();
    if shown.is_empty() {
        out.push_str("<p>No faults, operator actions or region changes in this run.</p>\n");
        return;
    }
    let rows: Vec<Vec<(String, bool)>> = shown
        .iter()
        .take(TIMELINE_ROWS_MAX)
        .map(|event| {
            vec![
                number(format!("{:.3}", event.time_s)),
                text(event.kind.clone()),
                text(
                    event
                        .region
                        .map(|region| folder.region_names.label(region))
                        .unwrap_or_default(),
                ),
                text(event.detail.clone()),
            ]
        })
        .collect();
    table(out, &["time (s)", "event", "region", "detail"], &rows);
    if shown.len() > TIMELINE_ROWS_MAX {
        let _ = writeln!(
            out,
            "<p>… and {} more (all are in events.csv).</p>",
            count((shown.len() - TIMELINE_ROWS_MAX) as u64)
        );
    }
}

fn flush_reasons(out: &mut String, folder: &ResultFolder) {
    let reasons: BTreeMap<&str, u64> = folder
        .summary
        .pointer("/flushes/by_reason")
        .and_then(serde_json::Value::as_object)
        .map(|reasons| {
            reasons
                .iter()
                .filter_map(|(reason, flushes)| Some((reason.as_str(), flushes.as_u64()?)))
                .filter(|(_, flushes)| *flushes > 0)
                .collect()
        })
        .unwrap_or_default();
    let total: u64 = reasons.values().sum();
    if total == 0 {
        out.push_str("<p>No flushes committed.</p>\n");
        return;
    }
    let rows: Vec<Vec<(String, bool)>> = reasons
        .iter()
        .map(|(reason, flushes)| {
            vec![
                text(*reason),
                number(count(*flushes)),
                number(format!("{:.1}%", *flushes as f64 * 100.0 / total as f64)),
            ]
        })
        .collect();
    table(out, &["reason", "flushes", "share"], &rows);
}

fn changed_settings(out: &mut String, folder: &ResultFolder) {
    let properties = &folder.scenario.properties;
    let changed = properties.changed();
    if changed.is_empty() {
        let _ = writeln!(
            out,
            "<p>None: every modelled HBase property has {}&#39;s default.</p>",
            escape(&folder.scenario.profile.to_string())
        );
        return;
    }
    let rows: Vec<Vec<(String, bool)>> = changed
        .into_iter()
        .map(|(property, default)| {
            let default = Property {
                definition: property.definition,
                value: default,
                source: Source::Profile,
            };
            vec![
                text(property.definition.name),
                text(property.display_value()),
                text(default.display_value()),
            ]
        })
        .collect();
    wrapping_table(out, &["property", "value", "profile default"], &rows);
}

/// `scenario.resolved.toml` without its `[properties]` table (shown above, changes only).
fn without_properties(resolved: &str) -> String {
    let mut out = String::new();
    let mut in_properties = false;
    for line in resolved.lines() {
        if line.starts_with('[') {
            in_properties = line.trim() == "[properties]";
        }
        if !in_properties {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Text is escaped for HTML and XML alike.
    #[test]
    fn escapes() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
    }

    // The [properties] table is dropped up to the next table; everything else stays.
    #[test]
    fn drops_the_properties_table() {
        let resolved =
            "name = \"x\"\n\n[server]\nheap = \"16GB\"\n\n[properties]\n\"a\" = 1\n\n[io]\nb = 2\n";
        assert_eq!(
            without_properties(resolved),
            "name = \"x\"\n\n[server]\nheap = \"16GB\"\n\n[io]\nb = 2\n"
        );
    }
}
