//! `compare.html`: one self-contained page per comparison — the runs and their labels, the
//! settings that differ, the headline figures with differences and ratios, and every overlay
//! chart (inline SVG). It shares `report.html`'s style and rules: no network, no other file,
//! well-formed XML.

use std::fmt::Write as _;

use super::Comparison;
use crate::report::charts::Chart;
use crate::report::html::{STYLE, chart_figures, number, table, text};

/// The page.
pub fn compare_html(comparison: &Comparison, charts: &[Chart]) -> String {
    let runs = comparison.runs.len();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>regionsim: {runs} runs compared</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{runs} runs compared</h1>\n"
    );
    out.push_str("<h2>Runs</h2>\n<p>Each run is labelled by the settings that differ between the runs (those someone chose: profile defaults and derived values are listed below but left out), or by its folder&#39;s name when none does.</p>\n");
    let run_rows: Vec<Vec<(String, bool)>> = comparison
        .runs
        .iter()
        .zip(&comparison.labels)
        .enumerate()
        .map(|(index, (run, label))| {
            vec![
                number((index + 1).to_string()),
                text(label.clone()),
                text(run.source.clone()),
                text(format!(
                    "{}, seed {}",
                    run.folder.scenario.name, run.folder.scenario.seed
                )),
            ]
        })
        .collect();
    table(&mut out, &["run", "label", "from", "scenario"], &run_rows);
    out.push_str("<h2>Settings that differ</h2>\n");
    let chosen = comparison.settings_table(true);
    let followers = comparison.settings_table(false);
    if comparison.differing.is_empty() {
        out.push_str("<p>None: every setting of the resolved scenarios is the same.</p>\n");
    }
    if chosen.len() > 1 {
        settings_table(&mut out, &chosen);
    }
    if followers.len() > 1 {
        out.push_str("<p>Properties at their profile&#39;s default or derived from other settings in every run, which differ because those do:</p>\n");
        settings_table(&mut out, &followers);
    }
    out.push_str("<h2>Headline figures</h2>\n<p>Each run after the first with its difference from run 1 (<code>2−1</code>) and its ratio to it (<code>2/1</code>).</p>\n");
    let figures = comparison.headline_table();
    let header: Vec<&str> = figures[0].iter().map(String::as_str).collect();
    let rows: Vec<Vec<(String, bool)>> = figures[1..]
        .iter()
        .map(|row| {
            let mut cells = vec![text(row[0].clone())];
            cells.extend(row[1..].iter().cloned().map(number));
            cells
        })
        .collect();
    table(&mut out, &header, &rows);
    out.push_str("<h2>Charts</h2>\n");
    chart_figures(&mut out, charts);
    out.push_str("</body>\n</html>\n");
    out
}

/// A table of settings from `Comparison::settings_table`.
fn settings_table(out: &mut String, rows: &[Vec<String>]) {
    let header: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    let cells: Vec<Vec<(String, bool)>> = rows[1..]
        .iter()
        .map(|row| row.iter().cloned().map(text).collect())
        .collect();
    table(out, &header, &cells);
}
