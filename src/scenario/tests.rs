//! Loading scenarios: the happy path, each kind of bad input, and the resolved round trip.

use std::path::Path;

use super::*;

const GOOD: &str = r#"
name = "t"
description = "a test"
seed = 7
duration = "1m"
profile = "hbase-2.5"

[server]
heap = "16GB"

[properties]
"hbase.hregion.memstore.flush.size" = "64MB"
"hbase.hstore.flusher.count" = 3

[io]
wal_sync_latency = { dist = "lognormal", median = "2ms", p99 = "25ms" }
hdfs_write_bandwidth = "200MB/s"

[[tables]]
name = "usertable"
regions = 4
families = ["cf"]

[[workloads]]
table = "usertable"
arrival = { kind = "open", rate = "1k/s" }
mix = { put = 0.9, delete = 0.1 }
keys = { dist = "zipfian", count = 1000, theta = 0.99 }
value_size = { dist = "constant", bytes = 100 }
"#;

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    load_str("t.toml", text, Path::new("."), &LoadOptions::default())
}

fn load_with(text: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let options = LoadOptions {
        assignments: sets
            .iter()
            .map(|set| Assignment::parse(set).unwrap())
            .collect(),
        ..LoadOptions::default()
    };
    load_str("t.toml", text, Path::new("."), &options)
}

/// The error's text, checked to carry the file and the given line.
fn error_at_line(text: &str, line: u32) -> String {
    let error = load(text).expect_err("the scenario should be rejected");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("t.toml:{line}:")),
        "expected an error at line {line}, got: {message}"
    );
    message
}

// A good file loads with its values, the profile's defaults and the table's families sorted.
#[test]
fn a_good_scenario_loads() {
    let scenario = load(GOOD).unwrap();
    assert_eq!(scenario.name, "t");
    assert_eq!(scenario.seed, 7);
    assert_eq!(scenario.duration, SimDuration::from_secs(60));
    assert_eq!(scenario.heap_bytes, 16 << 30);
    assert_eq!(
        scenario
            .properties
            .bytes("hbase.hregion.memstore.flush.size"),
        64 << 20
    );
    assert_eq!(scenario.properties.int("hbase.hstore.flusher.count"), 3);
    assert_eq!(
        scenario.properties.int("hbase.regionserver.handler.count"),
        30
    );
    assert_eq!(scenario.tables[0].regions, 4);
    assert_eq!(scenario.workloads[0].name, "workload-0");
    assert_eq!(scenario.workloads[0].mix.len(), 2);
}

// --set reaches properties and scenario keys alike, and --seed replaces the seed.
#[test]
fn command_line_overrides() {
    let scenario = load_with(
        GOOD,
        &[
            "hbase.hstore.flusher.count=5",
            "duration=2m",
            "workloads.0.arrival.rate=5k/s",
            "tables.usertable.regions=8",
        ],
    )
    .unwrap();
    assert_eq!(scenario.properties.int("hbase.hstore.flusher.count"), 5);
    assert_eq!(scenario.duration, SimDuration::from_secs(120));
    assert_eq!(scenario.tables[0].regions, 8);
    match &scenario.workloads[0].arrival {
        workload::Arrival::Open { rate, .. } => assert_eq!(*rate, 5000.0),
        other => panic!("{other:?}"),
    }
    let source = &scenario
        .properties
        .get("hbase.hstore.flusher.count")
        .unwrap()
        .source;
    assert_eq!(source.to_string(), "--set hbase.hstore.flusher.count=5");
}

// A scenario key given twice (two --set, or a sweep's --set then its --vary) takes the later
// value, as a property does, whether named by index or by name; a whole table given later
// replaces what an earlier --set put inside it, and a key inside a table given earlier
// overrides that table's value.
#[test]
fn the_later_assignment_of_a_key_wins() {
    let scenario = load_with(GOOD, &["duration=2m", "duration=3m"]).unwrap();
    assert_eq!(scenario.duration, SimDuration::from_secs(180));
    let scenario = load_with(GOOD, &["tables.0.regions=8", "tables.usertable.regions=6"]).unwrap();
    assert_eq!(scenario.tables[0].regions, 6);
    let scenario = load_with(
        GOOD,
        &[
            "hbase.hstore.flusher.count=5",
            "hbase.hstore.flusher.count=6",
        ],
    )
    .unwrap();
    assert_eq!(scenario.properties.int("hbase.hstore.flusher.count"), 6);
    let scenario = load_with(
        GOOD,
        &[
            "workloads.0.arrival.rate=5k/s",
            "workloads.0.arrival={ kind = \"closed\", clients = 4 }",
        ],
    )
    .unwrap();
    assert_eq!(
        scenario.workloads[0].arrival,
        workload::Arrival::Closed {
            clients: 4,
            think: SimDuration::ZERO
        }
    );
    let scenario = load_with(
        GOOD,
        &[
            "workloads.0.arrival={ kind = \"open\", rate = \"2k/s\" }",
            "workloads.0.arrival.rate=7k/s",
        ],
    )
    .unwrap();
    match &scenario.workloads[0].arrival {
        workload::Arrival::Open { rate, .. } => assert_eq!(*rate, 7000.0),
        other => panic!("{other:?}"),
    }
}

// An unknown top-level key names its line and suggests the right one.
#[test]
fn unknown_keys_are_errors_with_suggestions() {
    let text = GOOD.replace("duration = \"1m\"", "duraton = \"1m\"");
    let error = load(&text).unwrap_err();
    // duration is required and missing: that is reported first, at the table.
    assert_eq!(error.kind, ErrorKind::MissingKey);
    let text = GOOD.replace("seed = 7", "sead = 7");
    let message = error_at_line(&text, 4);
    assert!(message.contains("unknown key \"sead\""), "{message}");
    assert!(message.contains("did you mean \"seed\"?"), "{message}");
}

// A misspelt property is reported at its line in [properties], with the property it meant.
#[test]
fn misspelt_properties_are_errors() {
    let text = GOOD.replace("memstore.flush.size", "memstore.flsh.size");
    let message = error_at_line(&text, 12);
    assert!(
        message.contains("did you mean \"hbase.hregion.memstore.flush.size\"?"),
        "{message}"
    );
}

// Impossible values: a negative size, a probability over 1, a mix that does not add up,
// a workload naming a table that does not exist, a lower limit above the upper.
#[test]
fn impossible_settings_are_errors() {
    let text = GOOD.replace("heap = \"16GB\"", "heap = -5");
    let message = error_at_line(&text, 9);
    assert!(message.contains("server.heap"), "{message}");
    assert!(message.contains("non-negative"), "{message}");

    let text = GOOD.replace("put = 0.9, delete = 0.1", "put = 1.5");
    let message = error_at_line(&text, 27);
    assert!(
        message.contains("probability from 0 to 1, found 1.5"),
        "{message}"
    );

    let text = GOOD.replace("put = 0.9, delete = 0.1", "put = 0.5");
    let message = error_at_line(&text, 27);
    assert!(message.contains("add up to 1"), "{message}");

    let text = GOOD.replace("table = \"usertable\"", "table = \"usertabel\"");
    let message = error_at_line(&text, 25);
    assert!(
        message.contains("no table named \"usertabel\""),
        "{message}"
    );
    assert!(message.contains("did you mean \"usertable\"?"), "{message}");

    let text = GOOD.replace(
        "\"hbase.hstore.flusher.count\" = 3",
        "\"hbase.regionserver.global.memstore.lowerLimit\" = 0.5",
    );
    let message = error_at_line(&text, 13);
    assert!(message.contains("above the upper limit"), "{message}");

    let text = GOOD.replace(
        "\"hbase.hstore.flusher.count\" = 3",
        "\"hbase.regionserver.global.memstore.size\" = 0.5",
    );
    let message = error_at_line(&text, 13);
    assert!(
        message.contains("HBase refuses to start above 80%"),
        "{message}"
    );
}

// Syntax errors carry a position too.
#[test]
fn syntax_errors_name_the_line() {
    let text = GOOD.replace("regions = 4", "regions = = 4");
    error_at_line(&text, 21);
}

// Each fault kind is read with its own settings and timing rules; a wrong one is refused clearly.
#[test]
fn faults_are_checked() {
    let faults = |body: &str| load(&format!("{GOOD}\n[[faults]]\n{body}\n"));
    assert!(faults("kind = \"crash\"\nat = \"30s\"").is_ok());
    let error = faults("kind = \"crash\"\nprobability = 0.1").unwrap_err();
    assert!(error.to_string().contains("during"), "{error}");
    assert!(faults("kind = \"crash\"\nduring = \"sync\"\nprobability = 0.1").is_ok());
    let error = faults("kind = \"crash\"\nduring = \"lunch\"\nat = \"1s\"").unwrap_err();
    assert!(error.to_string().contains("flush"), "{error}");
    let error = faults("kind = \"zk_expiry\"\nat = \"1s\"\ncount = 2").unwrap_err();
    assert!(error.to_string().contains("strikes once"), "{error}");
    assert_eq!(
        faults("kind = \"wal_slow_sync\"\nat = \"1s\"")
            .unwrap_err()
            .kind,
        ErrorKind::MissingKey
    );
    assert!(faults("kind = \"wal_torn_write\"\nat = \"1s\"\nfraction = 1.0").is_err());
    assert!(faults("kind = \"slow_disk\"\nat = \"1s\"\nduration = \"5s\"\nfactor = 0.5").is_err());
    let error = faults("kind = \"wal_sync_failure\"\nat = \"1s\"\ndelay = \"1s\"").unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnknownKey);
    let text = format!("{GOOD}\n[[faults]]\nkind = \"wal_sync_failure\"\n");
    assert_eq!(load(&text).unwrap_err().kind, ErrorKind::MissingKey);
    let text = format!("{GOOD}\n[[faults]]\nkind = \"wal_sync_failure\"\nprobability = 1.5\n");
    assert!(load(&text).unwrap_err().to_string().contains("from 0 to 1"));
    let text =
        format!("{GOOD}\n[[faults]]\nkind = \"wal_sync_failure\"\nat = \"30s\"\ncount = 2\n");
    let scenario = load(&text).unwrap();
    assert_eq!(scenario.faults.len(), 1);
}

// An unused --set is an error that suggests the key it probably meant.
#[test]
fn unused_assignments_are_errors() {
    let error = load_with(GOOD, &["workloads.0.arival.rate=5k/s"]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnknownKey);
    assert!(
        error
            .to_string()
            .starts_with("--set workloads.0.arival.rate=5k/s")
    );
    let error = load_with(GOOD, &["hbase.hstore.flusher.cont=4"]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("did you mean \"hbase.hstore.flusher.count\"?")
    );
}

// The resolved file reads back to the same scenario (comments aside, the same text again).
#[test]
fn resolved_scenario_round_trips() {
    let scenario = load(GOOD).unwrap();
    let resolved = scenario.to_resolved_toml();
    let again = load(&resolved).unwrap_or_else(|error| panic!("{error}\n{resolved}"));
    let strip = |text: &str| -> String {
        text.lines()
            .map(|line| line.split("  #").next().unwrap_or(""))
            .filter(|line| !line.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&again.to_resolved_toml()), strip(&resolved));
    assert_eq!(again.workloads, scenario.workloads);
    assert_eq!(again.tables, scenario.tables);
    assert_eq!(again.io, scenario.io);
}

// `release` names a release of the profile's line: the newest (2.5.16, 1.4.14) by default, any
// of the line's otherwise; one of another line, or a later one, is refused with the range
// allowed. It is written into the resolved scenario and read back.
#[test]
fn the_release_belongs_to_the_profiles_line() {
    let scenario = load(GOOD).unwrap();
    assert_eq!(scenario.release.to_string(), "2.5.16");
    let old = load(&GOOD.replace("hbase-2.5", "hbase-1.4")).unwrap();
    assert_eq!(old.release.to_string(), "1.4.14");
    let chosen = load_with(GOOD, &["release=2.5.13"]).unwrap();
    assert_eq!(chosen.release.patch, 13);
    assert!(
        chosen
            .to_resolved_toml()
            .contains("profile = \"hbase-2.5\"\nrelease = \"2.5.13\"\n")
    );
    assert_eq!(
        load(&chosen.to_resolved_toml()).unwrap().release,
        chosen.release
    );
    for wrong in ["1.4.14", "2.5.17", "2.5.x", "2.50.1", "2.5."] {
        let error = load_with(GOOD, &[&format!("release={wrong}")]).unwrap_err();
        let message = error.to_string();
        assert_eq!(error.kind, ErrorKind::InvalidValue, "{message}");
        assert!(
            message.contains(&format!(
                "\"{wrong}\" is not a release of the hbase-2.5 line"
            )) && message.contains("releases 2.5.0 to 2.5.16"),
            "{message}"
        );
    }
    let error = load_with(GOOD, &["profile=hbase-1.4", "release=2.5.13"]).unwrap_err();
    assert!(error.to_string().contains("1.4.0 to 1.4.14"), "{error}");
}

// HBASE-28601's absolute memstore size (2.5.14+) is refused above 80% of the heap (where HBase
// would ignore it); a periodic-flush delay range of 0 is refused (HBase's chore would throw on
// every run).
#[test]
fn settings_hbase_would_ignore_or_choke_on_are_refused() {
    let with = |property: &str| {
        GOOD.replace(
            "\"hbase.hstore.flusher.count\" = 3",
            &format!("{property}\n\"hbase.hstore.flusher.count\" = 3"),
        )
    };
    let message = error_at_line(
        &with("\"hbase.regionserver.global.memstore.memory.size\" = \"14GB\""),
        13,
    );
    assert!(message.contains("87.5% of the heap"), "{message}");
    assert!(message.contains("only up to 80%"), "{message}");
    assert!(
        load(&with(
            "\"hbase.regionserver.global.memstore.memory.size\" = \"6GB\""
        ))
        .is_ok()
    );
    let message = error_at_line(
        &with("\"hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds\" = 0"),
        13,
    );
    assert!(message.contains("throw on every run"), "{message}");
}

// [server] compressed_oops: "auto" (the default: on below 32 GB of heap, as HotSpot), true or
// false; true with a heap of 32 GB or more is refused (HotSpot turns them off there); it is
// written into the resolved scenario.
#[test]
fn compressed_oops_follow_the_heap_unless_set() {
    let auto = load(GOOD).unwrap();
    assert_eq!(auto.compressed_oops, CompressedOops::Auto);
    assert!(auto.compressed_oops());
    assert!(
        !load_with(GOOD, &["server.heap=32GB"])
            .unwrap()
            .compressed_oops()
    );
    let off = load_with(GOOD, &["server.compressed_oops=false"]).unwrap();
    assert!(!off.compressed_oops());
    assert!(off.to_resolved_toml().contains("compressed_oops = false\n"));
    assert_eq!(
        load(&off.to_resolved_toml()).unwrap().compressed_oops,
        CompressedOops::Off
    );
    let error = load_with(GOOD, &["server.heap=48GB", "server.compressed_oops=true"]).unwrap_err();
    assert!(error.to_string().contains("below 32GB"), "{error}");
    let error = load_with(GOOD, &["server.compressed_oops=maybe"]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidValue, "{error}");
}

// [io]'s flush costs have bounds: a per-cell CPU over a millisecond, or a rename or reader open
// over a minute, is refused naming the bound; within them they are read and written back.
#[test]
fn flush_costs_are_bounded() {
    let error = load_with(GOOD, &["io.flush_cpu_per_cell=2ms"]).unwrap_err();
    assert!(error.to_string().contains("at most 1ms"), "{error}");
    let error = load_with(GOOD, &["io.hdfs_rename_latency=2m"]).unwrap_err();
    assert!(error.to_string().contains("at most 1m"), "{error}");
    let scenario = load_with(GOOD, &["io.store_file_open_latency=20ms"]).unwrap();
    assert_eq!(
        scenario.io.store_file_open_latency,
        SimDuration::from_millis(20)
    );
    assert!(
        scenario
            .to_resolved_toml()
            .contains("store_file_open_latency = \"20ms\"")
    );
}

// A CoDel setting without codel call queues would change nothing: refused, naming the type;
// with them it is read. A pluggable queue is refused as not modelled.
#[test]
fn codel_settings_need_codel_queues() {
    let error = load_with(GOOD, &["hbase.ipc.server.callqueue.codel.target.delay=10"]).unwrap_err();
    assert!(
        error.to_string().contains("applies only to codel"),
        "{error}"
    );
    assert!(
        load_with(
            GOOD,
            &[
                "hbase.ipc.server.callqueue.type=codel",
                "hbase.ipc.server.callqueue.codel.target.delay=10"
            ]
        )
        .is_ok()
    );
    let error = load_with(GOOD, &["hbase.ipc.server.callqueue.type=pluggable"]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error}");
}

// Every number a scenario gives has a bound, checked where the key is read and named in the
// message with the value: spans (a year, or tighter: a latency an hour, a handler's CPU a
// minute), bandwidths, sizes, the entries of each list, and what the server holds in all
// (regions, stores, closed-loop clients, cells in one request, a row's and a family's length).
#[test]
fn scenario_numbers_are_bounded() {
    let refused = |sets: &[&str], expected: &str| {
        let error = load_with(GOOD, sets).unwrap_err();
        assert!(error.to_string().contains(expected), "{sets:?}: {error}");
    };
    refused(
        &["workloads.0.arrival={ kind = \"closed\", clients = 4, think = \"400d\" }"],
        "think must be at most 8760h, found 9600h",
    );
    refused(&["workloads.0.start=400d"], "start must be at most 8760h");
    refused(
        &["io.network_rtt={ dist = \"constant\", value = \"2h\" }"],
        "value must be at most 1h, found 2h",
    );
    refused(
        &["io.hdfs_write_bandwidth=2TB/s"],
        "hdfs_write_bandwidth must be at most 1TB/s, found 2TB/s",
    );
    refused(
        &["io.hdfs_read_bandwidth=0B/s"],
        "a bandwidth of 0 never finishes",
    );
    refused(
        &["io.handler_cpu_per_call=2m"],
        "handler_cpu_per_call must be at most 1m, found 2m",
    );
    refused(
        &["tables.usertable.max_filesize=2048TB"],
        "max_filesize must be at most 1024TB, found 2048TB",
    );
    refused(&["report.interval=31d"], "interval must be at most 720h");
    refused(
        &["duration=31d"],
        "duration must be at most 720h, found 744h",
    );
    refused(
        &["server.restart=2d"],
        "restart must be at most 24h, found 48h",
    );
    refused(
        &[
            "workloads.0.batch_rows=100000",
            "workloads.0.columns=1000",
            "workloads.0.mix={ batch = 1.0 }",
        ],
        "a request writes 100000 rows × 1000 columns × 1 families = 100000000 cells, more than 1000000",
    );
    refused(
        &[
            "workloads.0.keys={ dist = \"uniform\", count = 10, prefix = \"PREFIX\" }"
                .replace("PREFIX", &"p".repeat(40_000))
                .as_str(),
        ],
        "prefix must be at most 32748 bytes",
    );
    refused(
        &[format!("tables.usertable.families=[\"{}\"]", "f".repeat(128)).as_str()],
        "a column family name is at most 127 bytes",
    );
    let faults = |body: &str| load(&format!("{GOOD}\n[[faults]]\n{body}\n"));
    let error =
        faults("kind = \"wal_slow_sync\"\nprobability = 0.1\ndelay = \"400d\"").unwrap_err();
    assert!(
        error.to_string().contains("delay must be at most 8760h"),
        "{error}"
    );
    let error =
        faults("kind = \"slow_disk\"\nat = \"1s\"\nduration = \"400d\"\nfactor = 2").unwrap_err();
    assert!(
        error.to_string().contains("duration must be at most 8760h"),
        "{error}"
    );
    let error = load(&format!(
        "{GOOD}\n[[actions]]\nkind = \"bulk_load\"\nat = \"1s\"\ntable = \"usertable\"\nsize = \"2TB\"\n"
    ))
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("size must be at most 1TB, found 2TB"),
        "{error}"
    );
    let error = load(&format!(
        "{GOOD}{}",
        "\n[[faults]]\nkind = \"zk_expiry\"\nat = \"1s\"\n".repeat(10_001)
    ))
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("a scenario lists at most 10000 [[faults]] entries, found 10001"),
        "{error}"
    );
    // What one server holds, all tables and workloads together.
    let two_tables = |regions: u32, families: &str| {
        format!(
            "{}\n[[tables]]\nname = \"other\"\nregions = {regions}\nfamilies = {families}\n",
            GOOD.replace("regions = 4", "regions = 60000")
        )
    };
    let error = load(&two_tables(60_000, "[\"cf\"]")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the tables up to \"other\" have 120000 regions")
            && error
                .to_string()
                .contains("at most 100000 regions and 1000000 stores"),
        "{error}"
    );
    let error = load(&two_tables(30_000, "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", \"l\", \"m\", \"n\", \"o\", \"p\", \"q\", \"r\", \"s\", \"t\", \"u\", \"v\", \"w\", \"x\", \"y\", \"z\", \"aa\", \"ab\", \"ac\", \"ad\", \"ae\", \"af\", \"ag\", \"ah\"]")).unwrap_err();
    assert!(error.to_string().contains("1080000 stores"), "{error}");
    let closed = "arrival = { kind = \"closed\", clients = 600000 }";
    let text = GOOD.replace("arrival = { kind = \"open\", rate = \"1k/s\" }", closed);
    let second = text[text.find("[[workloads]]").unwrap()..].to_string();
    let error = load(&format!("{text}\n{second}")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("have 1200000 closed-loop clients; at most 1000000 in all"),
        "{error}"
    );
    // The bounds themselves are accepted.
    assert!(
        load_with(
            GOOD,
            &["io.hdfs_write_bandwidth=1TB/s", "workloads.0.start=8760h"]
        )
        .is_ok()
    );
}
