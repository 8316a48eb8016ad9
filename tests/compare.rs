//! `regionsim compare`: a folder with itself differs in nothing, two flush sizes are told
//! apart by the setting that differs, a sweep folder expands to its runs (simulated again, the
//! same runs), bad inputs are refused with exit code 2 and the argument named, and the same
//! inputs give the same bytes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{regionsim, scenario};
use regionsim::report::compare::Comparison;
use regionsim::runner::compare::{CompareError, plan_comparison};
use regionsim::runner::sweep::{
    METRIC_COLUMNS, SWEEP_FORMAT, SweepManifest, Vary, run_sweep, write_sweep_folder,
};
use regionsim::runner::{RunOptions, run_scenario};

/// One region taking 1 MB/s of puts for 30 s: a few flushes at 8 MB, more at 4 MB.
const SMALL: &str = r#"
name = "small"
seed = 1
duration = "30s"
[properties]
"hbase.hregion.memstore.flush.size" = "8MB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2k/s" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 500 }
"#;

const FLUSH_SIZE: &str = "hbase.hregion.memstore.flush.size";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regionsim-compare-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs SMALL with `sets` into `folder`, without charts.
fn run_into(folder: &Path, sets: &[&str]) {
    run_scenario(
        &scenario(SMALL, sets),
        &RunOptions {
            out: Some(folder.to_path_buf()),
            ..RunOptions::default()
        },
    )
    .unwrap_or_else(|error| panic!("{error}"));
}

/// Compares `folders` into `out` through the library.
fn compare(folders: &[&Path], out: &Path) -> Comparison {
    let folders: Vec<PathBuf> = folders.iter().map(|folder| folder.to_path_buf()).collect();
    let plan = plan_comparison(&folders).unwrap_or_else(|error| panic!("{error}"));
    plan.write(out).unwrap_or_else(|error| panic!("{error}")).0
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

// A folder compared with itself: no setting differs, both runs carry the folder's name, and
// every figure shows a difference of zero and a ratio of 1 (texts: the same).
#[test]
fn a_folder_with_itself_shows_no_difference() {
    let dir = scratch("itself");
    let run = dir.join("run");
    run_into(&run, &[]);
    let comparison = compare(&[&run, &run], &dir.join("out"));
    assert!(
        comparison.differing.is_empty(),
        "{:?}",
        comparison.differing
    );
    assert_eq!(comparison.labels, ["run", "run"]);
    assert!(comparison.figures.len() > 10);
    for figure in &comparison.figures {
        assert!(!figure.differs(1), "{}", figure.name);
        if let Some(difference) = figure.difference(1) {
            assert_eq!(difference, 0.0, "{}", figure.name);
            assert_eq!(figure.ratio(1), Some(1.0), "{}", figure.name);
        }
    }
    let table = comparison.headline_table();
    assert_eq!(table[0], ["figure", "1", "2", "2−1", "2/1"]);
    for row in &table[1..] {
        assert!(["0", "same"].contains(&row[3].as_str()), "{row:?}");
        assert!(["1.00", ""].contains(&row[4].as_str()), "{row:?}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

// Two runs that differ only in the flush size: that setting is the one difference, each
// label names it with its value, the smaller size flushes more often, and the command prints
// the setting with both values.
#[test]
fn two_flush_sizes_show_the_differing_setting() {
    let dir = scratch("flush-sizes");
    let (large, small) = (dir.join("8mb"), dir.join("4mb"));
    run_into(&large, &[]);
    run_into(&small, &[&format!("{FLUSH_SIZE}=4MB")]);
    let comparison = compare(&[&large, &small], &dir.join("out"));
    let keys: Vec<&str> = comparison
        .differing
        .iter()
        .map(|setting| setting.key.as_str())
        .collect();
    assert_eq!(keys, [FLUSH_SIZE]);
    assert_eq!(comparison.differing[0].values, ["8MB", "4MB"]);
    assert_eq!(
        comparison.labels,
        [format!("{FLUSH_SIZE}=8MB"), format!("{FLUSH_SIZE}=4MB")]
    );
    let flushes = comparison
        .figures
        .iter()
        .find(|figure| figure.name == "flushes")
        .expect("a flushes figure");
    let more = flushes.difference(1).expect("both runs count flushes");
    assert!(more > 0.0, "4 MB flushed {more} more times than 8 MB");

    let out = dir.join("cli");
    let output = regionsim(&["compare", path(&large), path(&small), "--out", path(&out)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("{FLUSH_SIZE}  8MB  4MB")),
        "{stdout}"
    );
    assert!(
        fs::read_to_string(out.join(".regionsim"))
            .unwrap()
            .starts_with("regionsim compare\n")
    );
    fs::remove_dir_all(&dir).unwrap();
}

// A sweep folder expands to its runs in the sweep's order, each simulated again into the
// comparison's runs/ folder with the trace hash the sweep recorded; a sweep whose recorded
// hash the run no longer gives is refused as bad input.
#[test]
fn a_sweep_folder_expands_to_its_runs() {
    let dir = scratch("sweep");
    let scenario_file = dir.join("small.toml");
    fs::write(&scenario_file, SMALL).unwrap();
    let manifest = SweepManifest {
        format: SWEEP_FORMAT.to_string(),
        scenario: path(&scenario_file).to_string(),
        sets: vec![],
        site: None,
        vary: vec![Vary::parse(&format!("{FLUSH_SIZE}=4MB,8MB")).unwrap()],
        seeds: vec![1],
        shard: None,
    };
    let rows = run_sweep(&manifest, 1, &|| {}).unwrap();
    let sweep = dir.join("sweep");
    write_sweep_folder(&sweep, &manifest, &rows, "").unwrap();
    let out = dir.join("out");
    let comparison = compare(&[&sweep], &out);
    assert_eq!(
        comparison.labels,
        [format!("{FLUSH_SIZE}=4MB"), format!("{FLUSH_SIZE}=8MB")]
    );
    for index in 0..2 {
        assert!(
            out.join(format!("runs/1-run-{index}/summary.json"))
                .is_file()
        );
    }

    let csv = sweep.join("sweep.csv");
    assert_eq!(METRIC_COLUMNS[0], "trace_hash");
    let hash = &rows[1].metrics[0];
    let text = fs::read_to_string(&csv).unwrap();
    fs::write(&csv, text.replacen(hash.as_str(), "0123456789abcdef", 1)).unwrap();
    let plan = plan_comparison(std::slice::from_ref(&sweep)).unwrap();
    let error = plan.write(&dir.join("changed")).unwrap_err();
    assert!(
        matches!(error, CompareError::NotTheSameRun { index: 1, .. }),
        "{error}"
    );
    assert!(error.is_bad_input());
    assert!(!dir.join("changed").exists());
    fs::remove_dir_all(&dir).unwrap();
}

// Fewer than two runs, a path that is no folder or no result folder, another kind of
// regionsim folder, and an --out that is or lies inside an input: exit 2, the argument named.
#[test]
fn bad_inputs_exit_2_naming_the_argument() {
    let dir = scratch("bad");
    let run = dir.join("run");
    run_into(&run, &[]);
    let notes = dir.join("notes");
    fs::create_dir(&notes).unwrap();
    fs::write(notes.join("todo.txt"), "mine").unwrap();
    let comparison = dir.join("comparison");
    compare(&[&run, &run], &comparison);
    let missing = dir.join("missing");
    let summary = run.join("summary.json");
    let inside = run.join("out");
    let cases: [(Vec<&str>, String); 7] = [
        (
            vec![path(&run)],
            format!(
                "compare needs two or more runs, and {} holds one run",
                path(&run)
            ),
        ),
        (
            vec![path(&run), path(&missing)],
            format!("{}: no such folder", path(&missing)),
        ),
        (
            vec![path(&run), path(&summary)],
            format!("{}: a file, not a result folder", path(&summary)),
        ),
        (
            vec![path(&run), path(&notes)],
            format!("{} is not a complete result folder", path(&notes)),
        ),
        (
            vec![path(&run), path(&comparison)],
            format!("{}: a regionsim compare folder", path(&comparison)),
        ),
        (
            vec![path(&run), path(&run), "--out", path(&run)],
            format!("--out {} is the result folder {}", path(&run), path(&run)),
        ),
        (
            vec![path(&run), path(&run), "--out", path(&inside)],
            format!("--out {} is inside the result folder", path(&inside)),
        ),
    ];
    for (arguments, message) in cases {
        let mut command = vec!["compare"];
        command.extend(arguments.iter().copied());
        if !command.contains(&"--out") {
            command.extend(["--out", path(&comparison)]);
        }
        let output = regionsim(&command);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(&message),
            "{command:?}: {}",
            stderr(&output)
        );
    }
    assert!(!inside.exists());
    fs::remove_dir_all(&dir).unwrap();
}

// The same inputs give the same compare.html and charts, byte for byte; the page is
// well-formed, inlines every chart, and names nothing outside itself.
#[test]
fn the_same_inputs_give_the_same_bytes() {
    let dir = scratch("bytes");
    let (first, second) = (dir.join("8mb"), dir.join("4mb"));
    run_into(&first, &[]);
    run_into(&second, &[&format!("{FLUSH_SIZE}=4MB")]);
    let (a, b) = (dir.join("a"), dir.join("b"));
    compare(&[&first, &second], &a);
    compare(&[&first, &second], &b);
    let mut files = vec!["compare.html".to_string()];
    let mut charts: Vec<String> = fs::read_dir(a.join("charts"))
        .unwrap()
        .map(|entry| format!("charts/{}", entry.unwrap().file_name().to_string_lossy()))
        .collect();
    charts.sort();
    assert!(charts.contains(&"charts/latency-percentiles-put.svg".to_string()));
    assert!(charts.contains(&"charts/memstore.png".to_string()));
    files.extend(charts.iter().cloned());
    for file in &files {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let html = fs::read_to_string(a.join("compare.html")).unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(&html, options)
        .unwrap_or_else(|error| panic!("compare.html is not well-formed: {error}"));
    let svgs = document
        .descendants()
        .filter(|node| node.has_tag_name("svg"))
        .count();
    assert_eq!(svgs * 2, charts.len());
    for forbidden in ["http:", "https:", "<script", "<img", "<link", "url("] {
        assert!(!html.contains(forbidden), "compare.html holds {forbidden}");
    }
    assert!(html.contains(&format!("{FLUSH_SIZE}=4MB")));
    fs::remove_dir_all(&dir).unwrap();
}
