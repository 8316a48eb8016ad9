//! Result folders are written whole or not at all: a run into a used folder leaves none of the
//! old run's files, a folder regionsim did not write is refused and left as it was, a killed
//! run leaves the old folder intact and the next command tidies what it left, and no command
//! writes over its own inputs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::regionsim;

/// Two regions taking 1k puts/s for 20 s.
const PUTS: &str = r#"
name = "folders"
seed = 1
duration = "20s"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 2
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "1k/s" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 10_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

/// An empty folder of its own under the temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regionsim-folders-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the puts scenario, and the same with deletes instead, into `dir`.
fn scenarios(dir: &Path) -> (PathBuf, PathBuf) {
    let puts = dir.join("puts.toml");
    let deletes = dir.join("deletes.toml");
    std::fs::write(&puts, PUTS).unwrap();
    std::fs::write(&deletes, PUTS.replace("put = 1.0", "delete = 1.0")).unwrap();
    (puts, deletes)
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
}

/// `regionsim run SCENARIO --out OUT --quiet` and more arguments.
fn run(scenario: &Path, out: &Path, more: &[&str]) -> Output {
    let mut args = vec!["run", path(scenario), "--out", path(out), "--quiet"];
    args.extend_from_slice(more);
    regionsim(&args)
}

/// Every file under `dir` (hidden ones too) by its path below `dir`, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                found.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// The names of the files under `dir`.
fn names(dir: &Path) -> Vec<String> {
    files(dir).into_keys().collect()
}

/// The names of the entries directly in `dir`, hidden ones too.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// A run of puts with --trace and charts, then a run of deletes without either into the same
// folder: the folder holds exactly what the second run writes into a new folder — no
// trace.jsonl, no latency/put.hgrm, no charts or report.html of the first — and `regionsim
// report` on it draws what it draws for the new folder, with no put latency chart and no
// stale histogram in the percentile chart. Nothing is left beside the folder.
#[test]
fn a_second_run_leaves_none_of_the_first_runs_files() {
    let dir = scratch("second-run");
    let (puts, deletes) = scenarios(&dir);
    let (used, fresh) = (dir.join("used"), dir.join("fresh"));
    assert_ok(&run(&puts, &used, &["--trace"]));
    assert!(used.join("trace.jsonl").is_file());
    assert!(used.join("latency/put.hgrm").is_file());
    assert_ok(&run(&deletes, &used, &["--no-charts"]));
    assert_ok(&run(&deletes, &fresh, &["--no-charts"]));
    assert_eq!(names(&used), names(&fresh));
    for stale in ["trace.jsonl", "latency/put.hgrm", "report.html"] {
        assert!(!used.join(stale).exists(), "{stale} survived");
    }
    assert!(!used.join("charts").exists());
    assert_eq!(
        entries(&dir),
        ["deletes.toml", "fresh", "puts.toml", "used"]
    );
    for folder in [&used, &fresh] {
        assert_ok(&regionsim(&["report", path(folder), "--quiet"]));
    }
    assert!(used.join("charts/latency-delete.svg").is_file());
    assert!(!used.join("charts/latency-put.svg").exists());
    for drawn in ["report.html", "charts/latency-percentiles.svg"] {
        assert_eq!(
            std::fs::read(used.join(drawn)).unwrap(),
            std::fs::read(fresh.join(drawn)).unwrap(),
            "{drawn} differs"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// `regionsim report` replaces the drawn files whole: a chart it no longer draws (here one
// planted as if drawn from an earlier version of the files) does not survive the redraw, and
// the files it reads are untouched.
#[test]
fn a_redraw_leaves_no_chart_of_an_earlier_drawing() {
    let dir = scratch("redraw");
    let (puts, _) = scenarios(&dir);
    let folder = dir.join("run");
    assert_ok(&run(&puts, &folder, &[]));
    let data = files(&folder);
    std::fs::write(folder.join("charts/latency-get.svg"), "<svg/>").unwrap();
    assert_ok(&regionsim(&["report", path(&folder), "--quiet"]));
    assert!(!folder.join("charts/latency-get.svg").exists());
    assert_eq!(files(&folder), data);
    assert_eq!(entries(&dir), ["deletes.toml", "puts.toml", "run"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// An exploration replaces the last one's folder whole: a seed folder an earlier exploration
// left does not survive, and the folder says what this exploration found (explore.txt, the
// lines it printed).
#[test]
fn an_exploration_replaces_the_last_ones_folder() {
    let dir = scratch("explore");
    let (puts, _) = scenarios(&dir);
    let folder = dir.join("explore");
    let explore = || {
        regionsim(&[
            "explore",
            path(&puts),
            "--seeds",
            "1",
            "--out",
            path(&folder),
        ])
    };
    let output = explore();
    assert_ok(&output);
    std::fs::create_dir(folder.join("seed-99")).unwrap();
    std::fs::write(folder.join("seed-99/scenario.resolved.toml"), PUTS).unwrap();
    let output = explore();
    assert_ok(&output);
    assert_eq!(names(&folder), [".regionsim", "explore.txt"]);
    assert_eq!(
        std::fs::read(folder.join("explore.txt")).unwrap(),
        output.stdout
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 seeds run, 0 failed\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// A folder that holds files regionsim did not write — as `--out ~/Documents` would — is refused
// by every command that writes a folder, with exit 2 and a message naming it, before any work;
// its files are left exactly as they were and nothing is created beside it. A file is refused
// as an output folder; an empty folder is fine.
#[test]
fn a_folder_regionsim_did_not_write_is_refused_and_untouched() {
    let dir = scratch("not-ours");
    let (puts, _) = scenarios(&dir);
    let documents = dir.join("documents");
    std::fs::create_dir_all(documents.join("letters")).unwrap();
    std::fs::write(documents.join("notes.txt"), "mine").unwrap();
    std::fs::write(documents.join("letters/a.txt"), "also mine").unwrap();
    let before = files(&documents);
    let elsewhere = dir.join("elsewhere");
    let wals = scratch("not-ours-wals");
    let commands: [Vec<&str>; 5] = [
        vec!["run", path(&puts), "--out", path(&documents)],
        vec![
            "run",
            path(&puts),
            "--out",
            path(&elsewhere),
            "--export-wal",
            path(&documents),
        ],
        vec![
            "sweep",
            path(&puts),
            "--vary",
            "hbase.hstore.flusher.count=1,2",
            "--out",
            path(&documents),
        ],
        vec![
            "explore",
            path(&puts),
            "--seeds",
            "1..2",
            "--out",
            path(&documents),
        ],
        vec!["wal", "split", path(&wals), "--out", path(&documents)],
    ];
    for args in commands {
        let output = regionsim(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(&format!(
                "{} is not empty and is not a folder regionsim wrote",
                documents.display()
            )),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(files(&documents), before, "{args:?} changed the folder");
        assert_eq!(
            entries(&dir),
            ["deletes.toml", "documents", "puts.toml"],
            "{args:?}"
        );
    }
    let (_, file) = scenarios(&dir);
    let text = std::fs::read(&file).unwrap();
    let output = run(&puts, &file, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("{} is a file, not a folder", file.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&file).unwrap(), text);
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_ok(&run(&puts, &empty, &["--no-charts"]));
    assert!(empty.join("summary.json").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&wals).unwrap();
}

// A run killed while it writes its trace leaves the old result exactly as it was (and its
// temporary folder beside it); the next run into the folder removes that leftover. A kill
// between commit's two renames — the old folder set aside, the new one not yet in — leaves the
// old folder aside and a temporary one: the next command on the folder (here `report`) puts
// the old one back and removes the rest.
#[test]
fn a_killed_run_leaves_the_old_result_and_the_next_command_tidies_up() {
    let dir = scratch("killed");
    let (puts, deletes) = scenarios(&dir);
    let folder = dir.join("run");
    assert_ok(&run(&puts, &folder, &[]));
    let old = files(&folder);

    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args([
            "run",
            path(&default),
            "--out",
            path(&folder),
            "--trace",
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staging = dir.join(format!(".run.tmp-{}", child.id()));
    let trace = staging.join("trace.jsonl");
    let started = Instant::now();
    while std::fs::metadata(&trace).map_or(true, |metadata| metadata.len() == 0) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its trace appeared in {}",
            staging.display()
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no trace in a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(files(&folder), old, "the killed run changed the old result");
    assert!(staging.is_dir());

    assert_ok(&run(&deletes, &folder, &["--no-charts"]));
    assert_eq!(entries(&dir), ["deletes.toml", "puts.toml", "run"]);
    let second = files(&folder);

    let aside = dir.join(".run.old-4000001");
    std::fs::rename(&folder, &aside).unwrap();
    let half = dir.join(".run.tmp-4000002");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join("summary.json"), "{").unwrap();
    assert_ok(&regionsim(&["report", path(&folder), "--quiet"]));
    assert_eq!(entries(&dir), ["deletes.toml", "puts.toml", "run"]);
    let redrawn = files(&folder);
    for (name, bytes) in &second {
        assert_eq!(redrawn.get(name), Some(bytes), "{name} did not come back");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// `merge` refuses an --out that is one of its shard folders, lies inside one or holds one,
// naming both, and leaves the shard as it was; into a folder of its own it merges, and merges
// again over its earlier merge. `sweep` refuses an --out that holds its scenario file, and
// `run` refuses to replace a sweep.
#[test]
fn outputs_stay_apart_from_inputs() {
    let dir = scratch("apart");
    let (puts, _) = scenarios(&dir);
    let shards: Vec<PathBuf> = (1..=2)
        .map(|shard| dir.join(format!("shard-{shard}")))
        .collect();
    for (index, shard) in shards.iter().enumerate() {
        assert_ok(&regionsim(&[
            "sweep",
            path(&puts),
            "--vary",
            "hbase.hstore.flusher.count=1,2",
            "--shard",
            &format!("{}/2", index + 1),
            "--out",
            path(shard),
            "--quiet",
        ]));
    }
    let shard = files(&shards[0]);
    let merge = |out: &Path| {
        regionsim(&[
            "merge",
            path(&shards[0]),
            path(&shards[1]),
            "--out",
            path(out),
            "--quiet",
        ])
    };
    let inside = shards[0].join("merged");
    for (out, relation) in [(&shards[0], "is"), (&inside, "is inside"), (&dir, "holds")] {
        let output = merge(out);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let expected = format!(
            "--out {} {relation} the shard folder {}",
            out.display(),
            shards[0].display()
        );
        assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
        assert_eq!(files(&shards[0]), shard);
    }
    let merged = dir.join("merged");
    assert_ok(&merge(&merged));
    assert_ok(&merge(&merged));
    let csv = std::fs::read_to_string(merged.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");

    let result = dir.join("result");
    assert_ok(&run(&puts, &result, &["--no-charts"]));
    let resolved = result.join("scenario.resolved.toml");
    let output = regionsim(&[
        "sweep",
        path(&resolved),
        "--vary",
        "hbase.hstore.flusher.count=1,2",
        "--out",
        path(&result),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "--out {} holds the scenario file {}",
            result.display(),
            resolved.display()
        )),
        "{}",
        stderr(&output)
    );
    let output = run(&puts, &merged, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("holds a regionsim sweep, not a run"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
