//! Charts and report.html: the same run gives the same bytes, `regionsim report` redraws them
//! from the folder's files alone, every PNG decodes, the page needs nothing outside itself,
//! and folders that lack or garble a file are refused with exit code 2.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bundled, regionsim, scenario};
use regionsim::report::charts::WIDTH_PX;
use regionsim::report::result_folder::write_report;
use regionsim::runner::{RunOptions, run_scenario};
use regionsim::scenario::Scenario;

/// Two regions, flushes by size, a WAL sync failure at 20 s and a region closed at 40 s.
const FAULTED: &str = r#"
name = "faulted"
seed = 3
duration = "1m"
[properties]
"hbase.hregion.memstore.flush.size" = "4MB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 2
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2k/s" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 500 }
[[faults]]
kind = "wal_sync_failure"
at = "20s"
count = 2
[[actions]]
kind = "close"
at = "40s"
table = "t"
region = 1
reopen_after = "2s"
"#;

/// The files a report is drawn from.
const DATA_FILES: [&str; 8] = [
    "summary.json",
    "scenario.resolved.toml",
    "timeseries.csv",
    "events.csv",
    "regions.csv",
    "region-names.csv",
    "latency/put.hgrm",
    "latency/wal_sync.hgrm",
];

/// The charts of a run whose workload sends puts only.
const CHARTS: [&str; 6] = [
    "latency-put",
    "latency-percentiles",
    "memstore",
    "flusher",
    "store-files",
    "wal",
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regionsim-report-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Runs FAULTED (flusher count set away from its default) into `folder`, charts included.
fn run_into(folder: &Path) {
    run_scenario_into(
        &scenario(FAULTED, &["hbase.hstore.flusher.count=3"]),
        folder,
    );
}

/// Runs `scenario` into `folder`, charts included.
fn run_scenario_into(scenario: &Scenario, folder: &Path) {
    run_scenario(
        scenario,
        &RunOptions {
            out: Some(folder.to_path_buf()),
            charts: true,
            ..RunOptions::default()
        },
    )
    .unwrap_or_else(|error| panic!("{error}"));
}

/// Asserts that the command succeeded, showing its errors if not.
fn assert_ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every drawn file of a folder: the charts, then report.html.
fn drawn_files() -> Vec<String> {
    let mut files: Vec<String> = CHARTS
        .iter()
        .flat_map(|chart| [format!("charts/{chart}.svg"), format!("charts/{chart}.png")])
        .collect();
    files.push("report.html".to_string());
    files
}

fn copy_data_files(from: &Path, to: &Path) {
    for file in DATA_FILES {
        fs::create_dir_all(to.join(file).parent().unwrap()).unwrap();
        fs::copy(from.join(file), to.join(file)).unwrap();
    }
}

// The same run into two folders draws the same bytes, SVG, PNG and HTML; `regionsim report`
// on a folder holding only the data files draws those bytes again.
#[test]
fn the_same_run_draws_the_same_bytes_and_report_redraws_them() {
    let (first, second, redrawn) = (scratch("a"), scratch("b"), scratch("redrawn"));
    run_into(&first);
    run_into(&second);
    let mut names: Vec<String> = fs::read_dir(first.join("charts"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = drawn_files()
        .into_iter()
        .filter_map(|file| file.strip_prefix("charts/").map(str::to_string))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    copy_data_files(&first, &redrawn);
    assert_ok(&regionsim(&["report", redrawn.to_str().unwrap()]));
    for file in drawn_files() {
        let bytes = fs::read(first.join(&file)).unwrap();
        assert_eq!(
            bytes,
            fs::read(second.join(&file)).unwrap(),
            "{file} differs"
        );
        assert_eq!(
            bytes,
            fs::read(redrawn.join(&file)).unwrap(),
            "{file} redrawn differs"
        );
    }
    for folder in [first, second, redrawn] {
        fs::remove_dir_all(folder).unwrap();
    }
}

/// The `height="…"` of an SVG's root element.
fn svg_height(svg: &str) -> u32 {
    let start = svg.find("height=\"").unwrap() + "height=\"".len();
    let end = start + svg[start..].find('"').unwrap();
    svg[start..end].parse().unwrap()
}

// Every PNG decodes, is as wide as the charts are drawn and as tall as its SVG, and has
// something drawn on it (a good share of pixels that are not white).
#[test]
fn every_png_decodes_at_the_svg_size() {
    let folder = scratch("png");
    run_into(&folder);
    for chart in CHARTS {
        let bytes = fs::read(folder.join(format!("charts/{chart}.png"))).unwrap();
        let mut reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let svg = fs::read_to_string(folder.join(format!("charts/{chart}.svg"))).unwrap();
        assert_eq!(
            (info.width, info.height),
            (WIDTH_PX, svg_height(&svg)),
            "{chart}"
        );
        assert_eq!(info.color_type, png::ColorType::Rgb, "{chart}");
        let inked = pixels[..info.buffer_size()]
            .chunks(3)
            .filter(|pixel| pixel.iter().any(|channel| *channel < 200))
            .count();
        let total = (info.width * info.height) as usize;
        assert!(
            inked * 100 > total,
            "{chart}: only {inked} of {total} pixels drawn"
        );
    }
    fs::remove_dir_all(&folder).unwrap();
}

/// Attributes that load something.
const LOADING_ATTRIBUTES: [&str; 8] = [
    "src",
    "href",
    "srcset",
    "action",
    "data",
    "poster",
    "background",
    "formaction",
];

// report.html parses as XML and loads nothing: no element that fetches (script, link, img,
// iframe, object, embed), no attribute pointing anywhere but into the page (or a data: URI),
// no URL or protocol-relative path anywhere, no url() or @import in its CSS. It inlines one SVG
// per chart, lists the changed property with its default (and not the call queue length that
// follows the handler count), and puts the fault and the close on the timeline.
#[test]
fn the_report_is_self_contained() {
    let folder = scratch("html");
    run_into(&folder);
    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    let document = parse_page(&html);
    let mut svgs = 0;
    for node in document.descendants() {
        if node.is_element() {
            let name = node.tag_name().name();
            assert!(
                ![
                    "script", "link", "img", "iframe", "object", "embed", "image", "use"
                ]
                .contains(&name),
                "report.html has a <{name}>"
            );
            if name == "svg" {
                svgs += 1;
            }
            for attribute in node.attributes() {
                let value = attribute.value();
                if LOADING_ATTRIBUTES.contains(&attribute.name()) {
                    assert!(
                        value.starts_with('#') || value.starts_with("data:"),
                        "<{name} {}=\"{value}\"> points outside the page",
                        attribute.name()
                    );
                }
                for forbidden in ["http:", "https:", "file:", "url("] {
                    assert!(
                        !value.contains(forbidden),
                        "<{name}> attribute holds {value}"
                    );
                }
                assert!(!value.starts_with("//"), "<{name}> attribute holds {value}");
            }
        }
        if let Some(text) = node.text() {
            for forbidden in ["http:", "https:", "file:", "url(", "@import"] {
                assert!(
                    !text.contains(forbidden),
                    "report.html text holds {forbidden}"
                );
            }
        }
    }
    assert_eq!(svgs, CHARTS.len());
    let rows = table_rows(&document);
    assert!(
        rows.contains(&vec![
            "hbase.hstore.flusher.count".to_string(),
            "3".to_string(),
            "2".to_string()
        ]),
        "the changed flusher count is missing"
    );
    assert!(
        !rows
            .iter()
            .any(|row| row[0] == "hbase.ipc.server.max.callqueue.length")
    );
    assert!(
        rows.iter()
            .any(|row| row[1] == "fault" && row[3] == "wal_sync_failure")
    );
    // Regions are named as region-names.csv names them: table, id and the start of the
    // encoded name (region 1 is the one closed), in the timeline and the memstore chart.
    let names = fs::read_to_string(folder.join("region-names.csv")).unwrap();
    let label = |id: usize| {
        let encoded = names
            .lines()
            .nth(id + 1)
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap();
        format!("t#{id} ({}…)", &encoded[..8])
    };
    assert!(
        rows.iter()
            .any(|row| row[1] == "action" && row[2] == label(1) && row[3] == "close"),
        "{rows:?}"
    );
    let legend = svg_texts(&folder, "memstore");
    assert!(
        legend.contains(&label(0)) && legend.contains(&label(1)),
        "{legend:?}"
    );
    // The settings table's cells (long property and class names) wrap rather than widen the
    // page.
    assert!(html.contains("table.wrap td:not(.number) { overflow-wrap: anywhere; }"));
    assert!(html.contains("<table class=\"wrap\">\n<tr><th>property</th>"));
    assert!(html.contains("regionsim run scenario.resolved.toml --out rerun"));
    fs::remove_dir_all(&folder).unwrap();
}

/// report.html parsed as XML (it has a doctype).
fn parse_page(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|error| panic!("report.html is not well-formed: {error}"))
}

/// Every table row of a page, as its cells' texts.
fn table_rows(document: &roxmltree::Document) -> Vec<Vec<String>> {
    document
        .descendants()
        .filter(|node| node.has_tag_name("tr"))
        .map(|row| {
            row.children()
                .filter(|cell| cell.is_element())
                .map(|cell| cell.text().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

// A crash after the current WAL's block became unreadable, with skip.errors true: the split
// sets the file aside and its acknowledged edits are lost. The Durability section says why:
// the cause in words with the count summary.json gives, the crash and when it struck, and the
// file set aside and where it went; the split's files are listed with their fates. Long
// cells (file names, class names) may wrap, so no table widens the page.
#[test]
fn the_report_says_why_edits_were_lost() {
    let folder = scratch("durability");
    run_scenario_into(
        &bundled("scenarios/skip-errors-data-loss.toml", &["duration=3m"]),
        &folder,
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(folder.join("summary.json")).unwrap()).unwrap();
    let lost = summary
        .pointer("/durability/lost_by_cause/corrupt_wal_skipped")
        .and_then(serde_json::Value::as_u64)
        .unwrap();
    assert!(lost > 0);
    let set_aside = summary
        .pointer("/recovery/recoveries/0/files_set_aside/0")
        .and_then(serde_json::Value::as_str)
        .unwrap()
        .to_string();
    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(html.contains("<h2>Durability</h2>"));
    let rows = table_rows(&parse_page(&html));
    let cause = rows
        .iter()
        .find(|row| row[0].starts_with("corrupt_wal_skipped: "))
        .unwrap_or_else(|| panic!("no row for the cause in {rows:?}"));
    assert!(cause[0].contains("set aside as corrupt"), "{cause:?}");
    assert_eq!(cause[1], regionsim::report::format::count(lost));
    let file = set_aside.rsplit('/').next().unwrap();
    assert!(
        cause[2].starts_with("crash at 120.0s (8 regions): ")
            && cause[2].contains(&format!("{file}, moved to {set_aside} (cannot open: ")),
        "{cause:?}"
    );
    assert!(
        rows.iter()
            .any(|row| row[0] == "crash at 120.0s" && row[1] == file && row[4] == "set_aside"),
        "{rows:?}"
    );
    fs::remove_dir_all(&folder).unwrap();
}

// A folder without a needed file, with a garbled one, or no folder at all: exit 2 and a
// message that names the file (and the line).
#[test]
fn missing_and_corrupt_files_exit_2() {
    let folder = scratch("broken");
    run_into(&folder);
    let report = |folder: &Path| {
        let output = regionsim(&["report", folder.to_str().unwrap()]);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let timeseries = fs::read_to_string(folder.join("timeseries.csv")).unwrap();
    fs::remove_file(folder.join("timeseries.csv")).unwrap();
    let (code, stderr) = report(&folder);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("timeseries.csv is missing"), "{stderr}");
    let mut lines: Vec<String> = timeseries.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen(',', ",x", 1);
    fs::write(folder.join("timeseries.csv"), lines.join("\n")).unwrap();
    let (code, stderr) = report(&folder);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("timeseries.csv:3: column"), "{stderr}");
    fs::write(
        folder.join("summary.json"),
        "{\"format\": \"something else\"}",
    )
    .unwrap();
    let (code, stderr) = report(&folder);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regionsim summary"), "{stderr}");
    let (code, stderr) = report(&folder.join("no-such-folder"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("summary.json is missing"), "{stderr}");
    fs::remove_dir_all(&folder).unwrap();
}

/// The texts of a chart's SVG, in order.
fn svg_texts(folder: &Path, chart: &str) -> Vec<String> {
    let svg = fs::read_to_string(folder.join(format!("charts/{chart}.svg"))).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap();
    document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| node.text().unwrap_or_default().trim().to_string())
        .collect()
}

/// How many times the fault colour is drawn in a chart.
fn fault_strokes(folder: &Path, chart: &str) -> usize {
    fs::read_to_string(folder.join(format!("charts/{chart}.svg")))
        .unwrap()
        .matches("#C80028")
        .count()
}

// Columns that later models add (the WAL files here) are drawn once a folder has them, and their
// absence is noted;
// a crash event (a kind this version does not write) gets a fault line in each time panel,
// and an event kind nobody knows is ignored.
#[test]
fn new_columns_and_event_kinds_are_drawn() {
    let folder = scratch("columns");
    run_into(&folder);
    let note = |chart: &str, text: &str| svg_texts(&folder, chart).contains(&text.to_string());
    assert!(note("wal", "WAL files") && note("wal", "maxlogs"));
    assert!(!note("wal", "WAL files are not modelled in this run"));
    assert!(note("store-files", "compactions queued"));
    let memstore_faults = fault_strokes(&folder, "memstore");

    let mut events = fs::read_to_string(folder.join("events.csv")).unwrap();
    events.push_str("30.5,crash,,server\n31,tidal_wave,,nobody knows this\n");
    fs::write(folder.join("events.csv"), events).unwrap();
    write_report(&folder).unwrap();
    // The memstore chart has two panels: one more line in each.
    assert_eq!(fault_strokes(&folder, "memstore"), memstore_faults + 2);

    // A folder from before WAL files were modelled has no such columns: the chart says so.
    let timeseries = fs::read_to_string(folder.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = timeseries.lines().next().unwrap().split(',').collect();
    let dropped: Vec<usize> = ["wal_files", "wal_max_logs"]
        .iter()
        .map(|name| header.iter().position(|column| column == name).unwrap())
        .collect();
    let narrowed: Vec<String> = timeseries
        .lines()
        .map(|line| {
            line.split(',')
                .enumerate()
                .filter(|(index, _)| !dropped.contains(index))
                .map(|(_, value)| value)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    fs::write(folder.join("timeseries.csv"), narrowed.join("\n") + "\n").unwrap();
    write_report(&folder).unwrap();
    let note = |chart: &str, text: &str| svg_texts(&folder, chart).contains(&text.to_string());
    assert!(note("wal", "WAL files are not modelled in this run"));
    fs::remove_dir_all(&folder).unwrap();
}

// `run --no-charts` writes the data files but neither charts/ nor report.html.
#[test]
fn no_charts_skips_them() {
    let folder = scratch("no-charts");
    assert_ok(&regionsim(&[
        "run",
        "scenarios/default.toml",
        "--set",
        "duration=5s",
        "--out",
        folder.to_str().unwrap(),
        "--no-charts",
        "--quiet",
    ]));
    assert!(folder.join("summary.json").is_file());
    assert!(!folder.join("charts").exists());
    assert!(!folder.join("report.html").exists());
    fs::remove_dir_all(&folder).unwrap();
}
