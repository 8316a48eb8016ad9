//! The `regionsim` binary: exit codes, messages and the result folder.

mod common;

use std::path::{Path, PathBuf};

use common::regionsim;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regionsim-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn default_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml"))
        .unwrap()
}

/// Writes a variant of the default scenario and validates it: exit code and stderr.
fn validate_variant(name: &str, from: &str, to: &str) -> (i32, String) {
    let text = default_text();
    assert!(text.contains(from), "the default scenario has no {from:?}");
    let path = scratch(name).join("bad.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let output = regionsim(&["validate", path.to_str().unwrap()]);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The 1-based line of the first occurrence of `needle` in the default scenario.
fn line_of(needle: &str) -> usize {
    default_text()
        .lines()
        .position(|line| line.contains(needle))
        .expect("needle in the default scenario")
        + 1
}

// The bundled scenario validates.
#[test]
fn the_default_scenario_is_valid() {
    let output = regionsim(&["validate", "scenarios/default.toml"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok"));
}

// Bad files exit with 2 and a message naming the file, the line, the key and a suggestion.
#[test]
fn bad_scenarios_exit_2_with_the_key_and_line() {
    let cases = [
        (
            "misspelt-key",
            "regions = 20",
            "regoins = 20",
            "regoins",
            "did you mean \"regions\"?",
        ),
        (
            "misspelt-property",
            "\"hbase.hstore.flusher.count\" = 2",
            "\"hbase.hstore.flusher.cont\" = 2",
            "hbase.hstore.flusher.cont",
            "did you mean \"hbase.hstore.flusher.count\"?",
        ),
        (
            "negative-size",
            "heap = \"16GB\"",
            "heap = -16",
            "server.heap",
            "non-negative",
        ),
        (
            "bad-unit",
            "heap = \"16GB\"",
            "heap = \"16 GQ\"",
            "server.heap",
            "unknown size unit",
        ),
        (
            "missing-table",
            "table = \"usertable\"",
            "table = \"usertabel\"",
            "workloads[0].table",
            "did you mean \"usertable\"?",
        ),
        (
            "probability",
            "mix = { batch = 1.0 }",
            "mix = { batch = 1.5 }",
            "workloads[0].mix.batch",
            "from 0 to 1",
        ),
    ];
    for (name, from, to, key, hint) in cases {
        let (code, stderr) = validate_variant(name, from, to);
        assert_eq!(code, 2, "{name}: {stderr}");
        let line = line_of(from);
        assert!(
            stderr.contains(&format!("bad.toml:{line}:")),
            "{name}: no line {line} in {stderr}"
        );
        assert!(stderr.contains(key), "{name}: no key {key} in {stderr}");
        assert!(
            stderr.contains(hint),
            "{name}: no hint {hint:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn a_missing_file_is_bad_input() {
    let output = regionsim(&["validate", "no/such/file.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("cannot read scenario file no/such/file.toml")
    );
}

// `run` writes the result folder; summary.json is byte-identical across runs.
#[test]
fn run_writes_the_result_folder() {
    let out = scratch("run");
    let run = |folder: &str| {
        let folder = out.join(folder);
        let output = regionsim(&[
            "run",
            "scenarios/default.toml",
            "--set",
            "duration=20s",
            "--seed",
            "7",
            "--out",
            folder.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.stdout.is_empty(), "--quiet prints nothing");
        folder
    };
    let first = run("a");
    let second = run("b");
    for file in [
        "summary.json",
        "scenario.resolved.toml",
        "latency/batch.hgrm",
        "latency/wal_sync.hgrm",
        "run.json",
    ] {
        assert!(first.join(file).is_file(), "{file} is missing");
    }
    let summary = std::fs::read(first.join("summary.json")).unwrap();
    assert_eq!(summary, std::fs::read(second.join("summary.json")).unwrap());
    let json: serde_json::Value = serde_json::from_slice(&summary).unwrap();
    for path in [
        "/scenario",
        "/seed",
        "/profile",
        "/trace_hash",
        "/events",
        "/simulated_seconds",
        "/operations/batch/attempted",
        "/operations/batch/succeeded",
        "/operations/batch/failed",
        "/operations/batch/latency_ms/p50",
        "/operations/batch/latency_ms/p90",
        "/operations/batch/latency_ms/p99",
        "/operations/batch/latency_ms/p999",
        "/operations/batch/latency_ms/max",
        "/operations/batch/latency_ms/mean",
        "/flushes/count",
        "/flushes/bytes",
        "/flushes/by_reason",
        "/memstore/global_peak_bytes",
        "/memstore/bytes_added",
        "/memstore/bytes_at_end",
        "/region_too_busy",
        "/blocked/global_pressure_seconds",
        "/blocked/writes_blocked",
        "/flush_queue/arrivals",
        "/flush_queue/mean_wait_ms",
        "/flush_queue/time_avg_length",
    ] {
        assert!(json.pointer(path).is_some(), "summary.json lacks {path}");
    }
    assert_eq!(json["seed"], 7);
    let hgrm = std::fs::read_to_string(first.join("latency/batch.hgrm")).unwrap();
    assert!(hgrm.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"));
    // The resolved scenario runs again to the same summary.
    let again = out.join("again");
    let output = regionsim(&[
        "run",
        first.join("scenario.resolved.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(summary, std::fs::read(again.join("summary.json")).unwrap());
    std::fs::remove_dir_all(&out).unwrap();
}

// Off a terminal (stderr is captured here) progress is plain lines on stderr: the run's as it
// passes each further tenth of its simulated time, the sweep's as runs end, with no bar's
// control characters; `--quiet` prints none, and stdout holds only the table.
#[test]
fn progress_is_plain_lines_off_a_terminal() {
    let out = scratch("progress");
    let run = |quiet: bool| {
        let folder = out.join("run");
        let mut args = vec![
            "run",
            "scenarios/default.toml",
            "--set",
            "duration=2m",
            "--no-charts",
            "--out",
            folder.to_str().unwrap(),
        ];
        if quiet {
            args.push("--quiet");
        }
        let output = regionsim(&args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        (String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
    };
    let (stdout, stderr) = run(false);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() >= 2, "{stderr}");
    for line in &lines {
        assert!(
            line.starts_with("progress  ") && line.contains("s of 120s simulated ("),
            "{line:?}"
        );
    }
    assert!(!stderr.contains(['\r', '\u{1b}']), "{stderr:?}");
    assert!(
        !stdout.lines().any(|line| line.starts_with("progress")),
        "{stdout}"
    );
    assert_eq!(run(true), (String::new(), String::new()));
    let output = regionsim(&[
        "sweep",
        "scenarios/default.toml",
        "--set",
        "duration=2s",
        "--vary",
        "hbase.hstore.flusher.count=1,2",
        "--jobs",
        "1",
        "--out",
        out.join("sweep").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("progress  1 of 2 runs (50%)"), "{stderr}");
    assert!(stderr.contains("progress  2 of 2 runs (100%)"), "{stderr}");
    std::fs::remove_dir_all(&out).unwrap();
}

// The sweep's table gives each grid point's throughput in requests and rows per second, its
// failed requests and those still open at the end, and the bottleneck its summary names ("—"
// for one that kept up): one handler spending 10 ms of CPU per call cannot carry 200 batches
// a second, thirty can. sweep.csv holds the same as raw values.
#[test]
fn the_sweep_table_shows_throughput_and_the_bottleneck() {
    let out = scratch("sweep-table");
    let output = regionsim(&[
        "sweep",
        "scenarios/default.toml",
        "--set",
        "duration=20s",
        "--set",
        "io.handler_cpu_per_call=10ms",
        "--vary",
        "hbase.regionserver.handler.count=30,1",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = std::fs::read_to_string(out.join("sweep.txt")).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    let header: Vec<&str> = lines[0]
        .split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "hbase.regionserver.handler.count",
            "seeds",
            "requests/s",
            "rows/s",
            "failed",
            "in flight",
            "p99 (median, range)",
            "blocked s",
            "flushes",
            "write amplification",
            "bottleneck"
        ]
    );
    let cells = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .map(String::from)
            .collect()
    };
    let roomy = cells(lines[1]);
    let starved = cells(lines[2]);
    assert_eq!(
        (roomy[0].as_str(), roomy[10].as_str()),
        ("30", "—"),
        "{table}"
    );
    assert_eq!(
        (starved[0].as_str(), starved[10].as_str()),
        ("1", "rpc_handlers"),
        "{table}"
    );
    // About 200 batches of 100 rows a second, all carried; the starved server carries far
    // fewer and ends with requests open.
    let number = |cell: &str| cell.replace(',', "").parse::<u64>().unwrap();
    let (requests, rows) = (number(&roomy[2]), number(&roomy[3]));
    assert!((190..=210).contains(&requests), "{table}");
    assert!(rows.abs_diff(requests * 100) <= 100, "{table}");
    assert!(
        number(&starved[2]) < 100 && number(&starved[5]) > 100,
        "{table}"
    );
    assert!(stdout.is_empty(), "--quiet prints nothing");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",rows_per_s,in_flight_at_end,saturated,bottleneck,bottleneck_share"),
        "{csv}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

// `config` lists every property with its source.
#[test]
fn config_shows_values_and_sources() {
    let output = regionsim(&[
        "config",
        "scenarios/default.toml",
        "--set",
        "hbase.hstore.blockingStoreFiles=20",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing from\n{stdout}"))
            .to_string()
    };
    assert!(
        line("hbase.hstore.blockingStoreFiles ")
            .contains("--set hbase.hstore.blockingStoreFiles=20")
    );
    assert!(
        line("hbase.hregion.memstore.flush.size ").contains("scenario scenarios/default.toml:")
    );
    assert!(line("hbase.client.retries.number ").contains("profile default"));
    assert!(line("hbase.ipc.server.max.callqueue.length ").contains("derived"));
}

// `config`'s table fits a 100-column terminal: long property names and class names go on
// over their row's next lines instead of widening every row; only a row's own long source
// (the last column, kept whole) runs past.
#[test]
fn config_fits_a_100_column_terminal() {
    let output = regionsim(&["config", "scenarios/default.toml"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let short_source = |line: &&str| {
        !["derived:", "scenario ", "--set "]
            .iter()
            .any(|source| line.contains(source))
    };
    for line in stdout.lines().filter(short_source) {
        assert!(line.chars().count() <= 100, "{line:?}");
    }
    let policy = stdout
        .lines()
        .position(|line| line.starts_with("hbase.hstore.defaultengine.compactionpolicy."))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        stdout
            .lines()
            .nth(policy)
            .unwrap()
            .contains("profile default")
    );
    assert!(
        stdout
            .lines()
            .skip(policy + 1)
            .take(3)
            .any(|line| line.trim() == "ExploringCompactionPolicy"),
        "{stdout}"
    );
}

// An unwritable result folder is an operating error: exit 1 and a message, no panic.
#[test]
fn an_unwritable_folder_is_reported() {
    let file = scratch("unwritable").join("a-file");
    std::fs::write(&file, "").unwrap();
    let output = regionsim(&[
        "run",
        "scenarios/default.toml",
        "--set",
        "duration=1s",
        "--out",
        file.join("inside").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}

// --site imports an hbase-site.xml: its values show with their file and line, properties
// regionsim does not model are listed as ignored, and [properties] in the scenario win over it.
#[test]
fn site_files_are_imported() {
    let dir = scratch("site");
    let site = dir.join("hbase-site.xml");
    std::fs::write(
        &site,
        "<?xml version=\"1.0\"?>\n<configuration>\n  <property>\n    <name>hbase.hstore.blockingStoreFiles</name>\n    <value>32</value>\n  </property>\n  <property>\n    <name>hbase.rootdir</name>\n    <value>hdfs://nn/hbase</value>\n  </property>\n  <property>\n    <name>hbase.hstore.flusher.count</name>\n    <value>8</value>\n  </property>\n</configuration>\n",
    )
    .unwrap();
    let output = regionsim(&[
        "config",
        "scenarios/default.toml",
        "--site",
        site.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let blocking = stdout
        .lines()
        .find(|l| l.starts_with("hbase.hstore.blockingStoreFiles "))
        .unwrap();
    assert!(
        blocking.contains("32") && blocking.contains("hbase-site.xml:3:3"),
        "{blocking}"
    );
    // The scenario sets the flusher count itself, which wins over the site file.
    let flushers = stdout
        .lines()
        .find(|l| l.starts_with("hbase.hstore.flusher.count "))
        .unwrap();
    assert!(
        flushers.contains("scenario scenarios/default.toml"),
        "{flushers}"
    );
    assert!(stdout.contains("ignored   hbase.rootdir"), "{stdout}");
    // Where HBase keeps its files changes nothing in a simulation: no warning.
    let output = regionsim(&[
        "validate",
        "scenarios/default.toml",
        "--site",
        site.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A bad value in the site file is bad input, located in the site file.
    std::fs::write(&site, "<configuration><property><name>hbase.hstore.blockingStoreFiles</name><value>many</value></property></configuration>").unwrap();
    let output = regionsim(&[
        "validate",
        "scenarios/default.toml",
        "--site",
        site.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("hbase-site.xml:1:16") && stderr.contains("expected a whole number"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// A site file that sets what regionsim does not model (multiwal's grouping, the client's flush
// on a count of mutations, an HBase name it does not know) is still imported, as HBase would read it, but
// `validate` and `run` warn on stderr of each such property with its file and line; what has no
// part in the simulation (hbase.rootdir) and Hadoop's own settings pass quietly.
#[test]
fn site_settings_not_modelled_are_warned_of() {
    let dir = scratch("site-warnings");
    let site = dir.join("hbase-site.xml");
    std::fs::write(
        &site,
        "<configuration>\n<property><name>hbase.wal.regiongrouping.numgroups</name><value>4</value></property>\n<property><name>hbase.client.write.buffer.maxmutations</name><value>1000</value></property>\n<property><name>hbase.rootdir</name><value>hdfs://nn/hbase</value></property>\n<property><name>dfs.replication</name><value>3</value></property>\n<property><name>hbase.regionserver.made.up</name><value>1</value></property>\n</configuration>\n",
    )
    .unwrap();
    let expect_warnings = |stderr: &str| {
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|line| line.starts_with("warning: "))
            .collect();
        assert_eq!(warnings.len(), 3, "{stderr}");
        assert!(
            warnings[0].contains("hbase-site.xml:2:1: hbase.wal.regiongrouping.numgroups = 4 is ignored: not modelled: multiwal"),
            "{stderr}"
        );
        assert!(
            warnings[1].contains("hbase.client.write.buffer.maxmutations = 1000 is ignored: not modelled: a BufferedMutator's flush on its count of mutations"),
            "{stderr}"
        );
        assert!(
            warnings[2].contains("hbase.regionserver.made.up = 1 is ignored: an HBase property regionsim does not know"),
            "{stderr}"
        );
        assert!(!stderr.contains("hbase.rootdir") && !stderr.contains("dfs.replication"));
    };
    let output = regionsim(&[
        "validate",
        "scenarios/default.toml",
        "--site",
        site.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    expect_warnings(&String::from_utf8_lossy(&output.stderr));
    let output = regionsim(&[
        "run",
        "scenarios/default.toml",
        "--site",
        site.to_str().unwrap(),
        "--set",
        "duration=1s",
        "--no-charts",
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    expect_warnings(&String::from_utf8_lossy(&output.stderr));
    // The same property in the scenario, or with --set, is refused.
    let output = regionsim(&[
        "validate",
        "scenarios/default.toml",
        "--set",
        "hbase.client.write.buffer.maxmutations=1000",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "\"hbase.client.write.buffer.maxmutations\" is not modelled: a BufferedMutator's flush"
        ),
        "{stderr}"
    );
    // The write buffer is modelled, and refused where no workload has a BufferedMutator.
    let output = regionsim(&[
        "validate",
        "scenarios/default.toml",
        "--set",
        "hbase.client.write.buffer=8MB",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("hbase.client.write.buffer applies to a BufferedMutator, and no workload writes through one"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// Numbers past what a RegionServer could run, or past what the simulated clock holds, are bad
// input: refused at load (exit 2) with the key, the value and the bound, by `validate` and by
// `run` alike. Each of these once went through: 2³¹−1 RPC handlers made `run` allocate 17 GB, a
// billion flush handlers 4 GB, and millisecond settings past 1.8·10¹³ overflowed the clock.
#[test]
fn numbers_past_their_bounds_are_refused() {
    let cases = [
        (
            "hbase.regionserver.handler.count=2147483647",
            "hbase.regionserver.handler.count must be 1 to 10000, found 2147483647",
        ),
        (
            "hbase.hstore.flusher.count=1000000000",
            "hbase.hstore.flusher.count must be 1 to 1000, found 1000000000",
        ),
        (
            "hbase.rpc.timeout=18446744000000",
            "hbase.rpc.timeout must be 1ms to 8760h, found 18446744000000",
        ),
        (
            "zookeeper.session.timeout=18446744000000",
            "zookeeper.session.timeout must be 1ms to 8760h",
        ),
        (
            "hbase.regionserver.logroll.period=18446744000000",
            "hbase.regionserver.logroll.period must be 1ms to 8760h",
        ),
        (
            "hbase.server.thread.wakefrequency=18446744000000",
            "hbase.server.thread.wakefrequency must be 1ms to 8760h",
        ),
        (
            "hbase.busy.wait.duration=18446744000000",
            "hbase.busy.wait.duration must be 0s to 8760h",
        ),
    ];
    for (set, expected) in cases {
        let output = regionsim(&["validate", "scenarios/default.toml", "--set", set]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{set}: {stderr}");
        assert!(stderr.contains(expected), "{set}: {stderr}");
        assert!(stderr.contains(&format!("--set {set}")), "{set}: {stderr}");
    }
    let out = scratch("bounds");
    let output = regionsim(&[
        "run",
        "scenarios/crash-recovery.toml",
        "--set",
        "hbase.server.thread.wakefrequency=18446744000000",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.join("summary.json").exists());
}

// A site file's work is bounded before it starts: a 150 KB file whose 4 KB entity is
// referenced 50,000 times (200 MB expanded; a file like it once took `validate` 46 s and
// 7.3 GB), a file nested 200 deep and one of more than 4 MB are refused at once (exit 2), each
// naming the limit.
#[test]
fn site_files_past_their_limits_are_refused() {
    let dir = scratch("site-limits");
    let cases = [
        (
            "entities.xml",
            format!(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [ <!ENTITY e \"{}\"> ]>\n<configuration><property><name>hbase.rootdir</name><value>{}</value></property></configuration>\n",
                "x".repeat(4000),
                "&e;".repeat(50_000)
            ),
            "with its entity references expanded it is larger than 4MB, the most a site file may hold",
        ),
        (
            "deep.xml",
            format!(
                "<configuration>{}{}</configuration>",
                "<a>".repeat(200),
                "</a>".repeat(200)
            ),
            "deep.xml:1:313: elements nest more than 100 deep",
        ),
        (
            "large.xml",
            format!("<configuration>{}</configuration>", " ".repeat(5 << 20)),
            "large.xml: it is larger than 4MB, the most a site file may hold",
        ),
    ];
    for (name, text, expected) in cases {
        let site = dir.join(name);
        std::fs::write(&site, text).unwrap();
        let started = std::time::Instant::now();
        let output = regionsim(&[
            "validate",
            "scenarios/default.toml",
            "--site",
            site.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(started.elapsed().as_secs() < 10, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// A scenario file larger than 4 MB is refused before it is read in full (exit 2, naming the
// limit), as is one that never ends.
#[test]
fn a_huge_scenario_file_is_refused() {
    let dir = scratch("huge-scenario");
    let path = dir.join("huge.toml");
    std::fs::write(
        &path,
        format!("{}\n# {}\n", default_text(), "x".repeat(5 << 20)),
    )
    .unwrap();
    for file in [path.to_str().unwrap(), "/dev/zero"] {
        let output = regionsim(&["validate", file]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains("it is larger than 4MB, the most a scenario file may hold"),
            "{file}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// `--jobs` never starts more threads than there are runs, nor more than 4 per core: a larger
// value (10000 once started ten thousand threads) is lowered with a note on stderr and the
// sweep or exploration runs as usual; 0 is a bad argument. A sweep of more than ten million
// runs is refused before it is planned.
#[test]
fn jobs_are_capped_and_sweeps_bounded() {
    let out = scratch("jobs");
    let output = regionsim(&[
        "sweep",
        "scenarios/default.toml",
        "--set",
        "duration=1s",
        "--vary",
        "hbase.hstore.flusher.count=1,2",
        "--jobs",
        "10000",
        "--out",
        out.join("sweep").to_str().unwrap(),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: --jobs 10000 lowered to 2: at most one job per run (2)"),
        "{stderr}"
    );
    assert!(out.join("sweep/sweep.csv").is_file());
    let output = regionsim(&[
        "explore",
        "scenarios/default.toml",
        "--set",
        "duration=2s",
        "--seeds",
        "1",
        "--jobs",
        "10000",
        "--out",
        out.join("explore").to_str().unwrap(),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: --jobs 10000 lowered to 1: at most one job per run (1)"),
        "{stderr}"
    );
    let output = regionsim(&[
        "sweep",
        "scenarios/default.toml",
        "--vary",
        "duration=1s",
        "--jobs",
        "0",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let values: Vec<String> = (1..=5000).map(|value| value.to_string()).collect();
    let output = regionsim(&[
        "sweep",
        "scenarios/default.toml",
        "--vary",
        &format!("seed={}", values.join(",")),
        "--vary",
        &format!("hbase.hstore.flusher.count={}", values[..1000].join(",")),
        "--seeds",
        "1..3",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "the sweep has 5000 × 1000 values × 3 seeds = 15000000 runs, more than 10000000"
        ),
        "{stderr}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

// `bench --repeat` is bounded like every other number: 1 to 1000 runs; outside, a bad argument
// (exit 2) before anything runs.
#[test]
fn bench_repeats_are_bounded() {
    for repeat in ["0", "1001"] {
        let output = regionsim(&["bench", "--repeat", repeat]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("{repeat} is not in 1..=1000")),
            "{stderr}"
        );
    }
}
