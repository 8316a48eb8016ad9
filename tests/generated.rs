//! Small valid scenarios from a random generator — a few tables and families, workloads mixing
//! every operation at every durability, operator actions and faults at random times, extreme
//! but legal settings — each simulated for a minute. None may panic or hang, each must load
//! (the generator stays inside the documented bounds), and the durability oracle must explain
//! every loss. CI runs a few dozen; `REGIONSIM_GENERATED_CASES=5000 cargo test --release --test
//! generated` runs the long check (README, "Long checks").

mod common;

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use regionsim::report::Summary;
use regionsim::runner::simulate;
use regionsim::scenario::{LoadOptions, load_str};

/// Cases in CI; the environment variable asks for more.
const CI_CASES: u32 = 48;

const OPERATIONS: &[&str] = &[
    "put",
    "delete",
    "increment",
    "append",
    "check_and_put",
    "batch",
];
const DURABILITIES: &[&str] = &[
    "SKIP_WAL",
    "ASYNC_WAL",
    "SYNC_WAL",
    "FSYNC_WAL",
    "USE_DEFAULT",
];

#[derive(Debug, Clone)]
struct Table {
    regions: u32,
    /// Rows: every workload on the table names them alike.
    key_count: u64,
    families: u32,
    versions: u32,
    flush_size_mb: Option<u32>,
    max_filesize_mb: Option<u32>,
    compaction_enabled: bool,
}

#[derive(Debug, Clone)]
struct Workload {
    table: usize,
    closed: Option<(u32, u32)>,
    rate: u32,
    mix: Vec<(usize, u32)>,
    batch_rows: u32,
    keys: usize,
    value: (u32, u32),
    columns: u32,
    durability: usize,
    family_subset: bool,
    window: Option<(u32, u32)>,
    /// Through a BufferedMutator (when its mix has no check-and-put).
    buffered: bool,
}

#[derive(Debug, Clone)]
struct Action {
    kind: usize,
    at_ms: u32,
    table: usize,
    region: u32,
    all_regions: bool,
}

#[derive(Debug, Clone)]
struct Fault {
    kind: usize,
    at_ms: u32,
    window: Option<(u32, f64)>,
    setting: u32,
}

#[derive(Debug, Clone)]
struct Generated {
    seed: u64,
    hbase14: bool,
    heap_gb: u32,
    restart_s: Option<u32>,
    tables: Vec<Table>,
    workloads: Vec<Workload>,
    actions: Vec<Action>,
    faults: Vec<Fault>,
    properties: Vec<(usize, u32)>,
    sync_latency_us: (u32, u32),
    write_mb_s: u32,
}

fn table() -> impl Strategy<Value = Table> {
    (
        1u32..6,
        // A few hot rows as often as a wide key space: row locks, increments and appends on
        // the same rows.
        prop_oneof![1u64..8, 1u64..2_000_000],
        1u32..4,
        1u32..4,
        prop::option::of(1u32..64),
        prop::option::of(2u32..512),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(
                regions,
                key_count,
                families,
                versions,
                flush_size_mb,
                max_filesize_mb,
                compaction_enabled,
            )| {
                Table {
                    regions,
                    key_count,
                    families,
                    versions,
                    flush_size_mb,
                    max_filesize_mb,
                    compaction_enabled,
                }
            },
        )
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        (
            0usize..3,
            prop::option::of((1u32..40, 0u32..20)),
            1u32..3_000,
            prop::collection::vec((0..OPERATIONS.len(), 1u32..10), 1..4),
            1u32..150,
        ),
        (
            0usize..4,
            (0u32..4_000, 0u32..4_000),
            1u32..4,
            0..DURABILITIES.len(),
            any::<bool>(),
            prop::option::of((0u32..40, 1u32..60)),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (table, closed, rate, mix, batch_rows),
                (keys, value, columns, durability, family_subset, window, buffered),
            )| Workload {
                table,
                closed,
                rate,
                mix,
                batch_rows,
                keys,
                value,
                columns,
                durability,
                family_subset,
                window,
                buffered,
            },
        )
}

const ACTIONS: &[&str] = &[
    "admin_flush",
    "admin_compact",
    "major_compact",
    "close",
    "split",
    "merge",
    "bulk_load",
    "snapshot",
];

fn action() -> impl Strategy<Value = Action> {
    (
        0..ACTIONS.len(),
        0u32..60_000,
        0usize..3,
        0u32..6,
        prop::bool::weighted(0.2),
    )
        .prop_map(|(kind, at_ms, table, region, all_regions)| Action {
            kind,
            at_ms,
            table,
            region,
            all_regions,
        })
}

const FAULTS: &[&str] = &[
    "crash",
    "crash_during",
    "zk_expiry",
    "wal_sync_failure",
    "wal_slow_sync",
    "wal_torn_write",
    "wal_corruption",
    "wal_unreadable",
    "slow_disk",
];

fn fault() -> impl Strategy<Value = Fault> {
    (
        0..FAULTS.len(),
        0u32..60_000,
        prop::option::of((1u32..30_000, 0.0f64..=1.0)),
        0u32..1_000,
    )
        .prop_map(|(kind, at_ms, window, setting)| Fault {
            kind,
            at_ms,
            window,
            setting,
        })
}

/// Properties with extreme but legal values, by index into this list.
const PROPERTIES: &[(&str, &[&str])] = &[
    ("hbase.client.retries.number", &["0", "1", "3", "35"]),
    ("hbase.client.pause", &["1", "100", "1000"]),
    ("hbase.rpc.timeout", &["1", "50", "60000"]),
    ("hbase.client.operation.timeout", &["1", "1000", "1200000"]),
    ("hbase.regionserver.handler.count", &["1", "2", "30", "300"]),
    ("hbase.hstore.blockingStoreFiles", &["1", "3", "16"]),
    ("hbase.hstore.blockingWaitTime", &["0", "1", "90000"]),
    ("hbase.hstore.compactionThreshold", &["2", "3", "10"]),
    ("hbase.hregion.memstore.block.multiplier", &["1", "2", "4"]),
    ("hbase.regionserver.maxlogs", &["1", "2", "32"]),
    ("hbase.regionserver.hlog.blocksize", &["1048576", "4194304"]),
    ("hbase.regionserver.logroll.period", &["1000", "3600000"]),
    ("hbase.hlog.split.skip.errors", &["true", "false"]),
    ("hbase.wal.provider", &["\"filesystem\"", "\"asyncfs\""]),
    ("hbase.hstore.flusher.count", &["1", "2", "8"]),
    (
        "hbase.regionserver.optionalcacheflushinterval",
        &["0", "1000", "3600000"],
    ),
    ("zookeeper.session.timeout", &["1", "1000", "90000"]),
    ("hbase.regionserver.msginterval", &["1", "3000", "600000"]),
    ("hbase.regionserver.thread.compaction.small", &["1", "4"]),
    ("hbase.rowlock.wait.duration", &["0", "1", "30000"]),
    ("hbase.busy.wait.duration", &["0", "1", "60000"]),
    ("hbase.region.store.parallel.put.limit", &["0", "1", "10"]),
    (
        "hbase.ipc.server.callqueue.handler.factor",
        &["0", "0.5", "1"],
    ),
    (
        "hbase.ipc.server.max.callqueue.length",
        &["1", "10", "1000"],
    ),
    ("hbase.hstore.compaction.max", &["10", "30"]),
    ("hbase.hregion.majorcompaction", &["0", "1000", "604800000"]),
    (
        "hbase.hregion.memstore.flush.size",
        &["1048576", "134217728"],
    ),
];

/// Of those, the properties 1.4 does not have.
const ONLY_IN_2_5: &[&str] = &["hbase.region.store.parallel.put.limit"];

fn generated() -> impl Strategy<Value = Generated> {
    (
        (
            any::<u64>(),
            any::<bool>(),
            1u32..33,
            prop::option::of(0u32..60),
            prop::collection::vec(table(), 1..4),
            prop::collection::vec(workload(), 1..4),
        ),
        (
            prop::collection::vec(action(), 0..4),
            prop::collection::vec(fault(), 0..3),
            prop::collection::vec((0..PROPERTIES.len(), 0u32..4), 0..9),
            (0u32..20_000, 0u32..200_000),
            1u32..1_000,
        ),
    )
        .prop_map(
            |(
                (seed, hbase14, heap_gb, restart_s, tables, workloads),
                (actions, faults, properties, sync_latency_us, write_mb_s),
            )| Generated {
                seed,
                hbase14,
                heap_gb,
                restart_s,
                tables,
                workloads,
                actions,
                faults,
                properties,
                sync_latency_us,
                write_mb_s,
            },
        )
}

/// Whether a workload writes through a BufferedMutator: asked for, and no check-and-put.
fn buffered(workload: &Workload) -> bool {
    let check_and_put = OPERATIONS
        .iter()
        .position(|operation| *operation == "check_and_put");
    workload.buffered
        && !workload
            .mix
            .iter()
            .any(|(operation, _)| Some(*operation) == check_and_put)
}

/// The scenario's text.
fn render(g: &Generated) -> String {
    let mut out = String::new();
    let profile = if g.hbase14 { "hbase-1.4" } else { "hbase-2.5" };
    writeln!(
        out,
        "name = \"generated\"\nseed = {}\nduration = \"60s\"\nprofile = \"{profile}\"\n",
        g.seed
    )
    .unwrap();
    writeln!(out, "[server]\nheap = \"{}GB\"", g.heap_gb).unwrap();
    // A third of the cases share one to four cores among their threads.
    let cpu_on = (g.seed >> 32) % 3 == 0;
    if cpu_on {
        writeln!(out, "cores = {}", 1 + (g.seed >> 40) % 4).unwrap();
    }
    match g.restart_s {
        Some(seconds) => writeln!(out, "restart = \"{seconds}s\"\n").unwrap(),
        None => writeln!(out, "restart = \"never\"\n").unwrap(),
    }
    if cpu_on {
        // The WAL consumer's CPU per entry from the default to a thread that cannot keep up.
        let per_entry_us = [2, 50, 500][((g.seed >> 44) % 3) as usize];
        writeln!(
            out,
            "[cpu]\nmodel = \"on\"\nwal_per_entry = \"{per_entry_us}us\"\n"
        )
        .unwrap();
    }
    // A third of the cases collect garbage, with a small young generation and pauses from
    // nothing to seconds (past the session where the generated properties shorten it); either
    // collector, starting its cycles at once, half way or never, with no baseline, the
    // default or half the heap live in the old generation, and full collections and
    // concurrent phases from crawling to fast.
    if (g.seed >> 48) % 3 == 0 {
        let young_mb = [1, 16, 256][((g.seed >> 50) % 3) as usize].min(g.heap_gb * 512);
        let pause_ms = [0, 50, 3000][((g.seed >> 52) % 3) as usize];
        let collector = ["g1", "cms"][((g.seed >> 54) % 2) as usize];
        let initiating_key = match collector {
            "g1" => "ihop",
            _ => "cms_initiating_fraction",
        };
        let initiating = [0, 50, 100][((g.seed >> 55) % 3) as usize];
        let old_live_mb = [0, g.heap_gb * 51, g.heap_gb * 512][((g.seed >> 57) % 3) as usize];
        let full_rate = ["1MB/s", "1GB/s", "10GB/s"][((g.seed >> 59) % 3) as usize];
        let mark_rate = ["1MB/s", "4GB/s"][((g.seed >> 61) % 2) as usize];
        writeln!(
            out,
            "[jvm]\ngc = \"on\"\nyoung = \"{young_mb}MB\"\npause_base = \"{pause_ms}ms\"\n\
             collector = \"{collector}\"\n{initiating_key} = {initiating}\nold_live = \"{old_live_mb}MB\"\n\
             full_rate = \"{full_rate}\"\nmark_rate = \"{mark_rate}\"\n"
        )
        .unwrap();
    }
    writeln!(out, "[properties]").unwrap();
    let mut seen = Vec::new();
    for &(index, choice) in &g.properties {
        if seen.contains(&index) {
            continue;
        }
        seen.push(index);
        let (name, values) = PROPERTIES[index];
        if g.hbase14 && ONLY_IN_2_5.contains(&name) {
            continue;
        }
        writeln!(
            out,
            "\"{name}\" = {}",
            values[choice as usize % values.len()]
        )
        .unwrap();
    }
    if g.workloads.iter().any(buffered) {
        // A BufferedMutator's settings, from the seed's bits: buffers from 1KB (a flush every
        // few rows) to HBase's 2MB, one to three tasks per server and region, and in 2.5 a
        // periodic flush or none.
        let bits = g.seed;
        let buffer = [1024, 65_536, 2_097_152][(bits % 3) as usize];
        writeln!(out, "\"hbase.client.write.buffer\" = {buffer}").unwrap();
        writeln!(
            out,
            "\"hbase.client.max.perserver.tasks\" = {}",
            1 + (bits >> 8) % 3
        )
        .unwrap();
        writeln!(
            out,
            "\"hbase.client.max.perregion.tasks\" = {}",
            1 + (bits >> 16) % 3
        )
        .unwrap();
        if !g.hbase14 {
            let timeout = [0, 100, 1000][((bits >> 24) % 3) as usize];
            writeln!(
                out,
                "\"hbase.client.write.buffer.periodicflush.timeout.ms\" = {timeout}"
            )
            .unwrap();
        }
    }
    let (low, high) = g.sync_latency_us;
    let (median, p99) = (low.min(high), low.max(high));
    writeln!(
        out,
        "\n[io]\nwal_sync_latency = {{ dist = \"uniform\", min = \"{median}us\", max = \"{p99}us\" }}\nhdfs_write_bandwidth = \"{}MB/s\"\n",
        g.write_mb_s
    )
    .unwrap();
    for (index, table) in g.tables.iter().enumerate() {
        let families: Vec<String> = (0..table.families).map(|f| format!("\"f{f}\"")).collect();
        writeln!(
            out,
            "[[tables]]\nname = \"t{index}\"\nregions = {}\nfamilies = [{}]\nversions = {}\ncompaction_enabled = {}",
            table.regions,
            families.join(", "),
            table.versions,
            table.compaction_enabled
        )
        .unwrap();
        if let Some(mb) = table.flush_size_mb {
            writeln!(out, "memstore_flushsize = \"{mb}MB\"").unwrap();
        }
        if let Some(mb) = table.max_filesize_mb {
            writeln!(out, "max_filesize = \"{mb}MB\"").unwrap();
        }
        writeln!(out).unwrap();
    }
    for workload in &g.workloads {
        let table_index = workload.table % g.tables.len();
        let table = &g.tables[table_index];
        writeln!(out, "[[workloads]]\ntable = \"t{table_index}\"").unwrap();
        match workload.closed {
            Some((clients, think_ms)) => writeln!(
                out,
                "arrival = {{ kind = \"closed\", clients = {clients}, think = \"{think_ms}ms\" }}"
            )
            .unwrap(),
            None => writeln!(
                out,
                "arrival = {{ kind = \"open\", rate = \"{}/s\" }}",
                workload.rate
            )
            .unwrap(),
        }
        let mut mix: Vec<(usize, u32)> = Vec::new();
        for &(operation, weight) in &workload.mix {
            if !mix.iter().any(|(seen, _)| *seen == operation) {
                mix.push((operation, weight));
            }
        }
        let total: u32 = mix.iter().map(|(_, weight)| weight).sum();
        let mix: Vec<String> = mix
            .iter()
            .map(|(operation, weight)| {
                let share = f64::from(*weight) / f64::from(total);
                format!("{} = {share:.12}", OPERATIONS[*operation])
            })
            .collect();
        writeln!(out, "mix = {{ {} }}", mix.join(", ")).unwrap();
        writeln!(out, "batch_rows = {}", workload.batch_rows).unwrap();
        if buffered(workload) {
            writeln!(out, "client = \"buffered_mutator\"").unwrap();
        }
        let count = table.key_count;
        let keys = match workload.keys {
            0 => format!("{{ dist = \"uniform\", count = {count} }}"),
            1 => format!("{{ dist = \"zipfian\", count = {count}, theta = 0.99 }}"),
            2 => format!("{{ dist = \"sequential\", count = {count} }}"),
            _ => format!(
                "{{ dist = \"hotspot\", count = {count}, hot_set_fraction = 0.01, hot_op_fraction = 0.9 }}"
            ),
        };
        writeln!(out, "keys = {keys}").unwrap();
        let (a, b) = workload.value;
        writeln!(
            out,
            "value_size = {{ dist = \"uniform\", min = {}, max = {} }}",
            a.min(b),
            a.max(b)
        )
        .unwrap();
        writeln!(
            out,
            "columns = {}\ndurability = \"{}\"",
            workload.columns, DURABILITIES[workload.durability]
        )
        .unwrap();
        if workload.family_subset && table.families > 1 {
            writeln!(out, "families = [\"f0\"]").unwrap();
        }
        if let Some((start, length)) = workload.window {
            writeln!(out, "start = \"{start}s\"\nend = \"{}s\"", start + length).unwrap();
        }
        writeln!(out).unwrap();
    }
    for action in &g.actions {
        let table_index = action.table % g.tables.len();
        let regions = g.tables[table_index].regions;
        let kind = ACTIONS[action.kind];
        if kind == "merge" && regions < 2 {
            continue;
        }
        writeln!(
            out,
            "[[actions]]\nkind = \"{kind}\"\nat = \"{}ms\"\ntable = \"t{table_index}\"",
            action.at_ms
        )
        .unwrap();
        let limit = if kind == "merge" {
            regions - 1
        } else {
            regions
        };
        if kind == "merge" || !action.all_regions {
            writeln!(out, "region = {}", action.region % limit).unwrap();
        }
        match kind {
            "close" | "split" | "merge" => writeln!(out, "reopen_after = \"1s\"").unwrap(),
            "bulk_load" => writeln!(out, "size = \"{}MB\"", 1 + action.region * 7).unwrap(),
            _ => {}
        }
        writeln!(out).unwrap();
    }
    for fault in &g.faults {
        let kind = FAULTS[fault.kind];
        let at = format!("at = \"{}ms\"", fault.at_ms);
        let window = fault.window.map(|(length, probability)| {
            format!(
                "start = \"{}ms\"\nend = \"{}ms\"\nprobability = {probability}",
                fault.at_ms,
                fault.at_ms + length
            )
        });
        let body = match kind {
            "crash" | "zk_expiry" => at,
            "crash_during" => {
                let during = ["sync", "flush", "roll"][fault.setting as usize % 3];
                match &window {
                    Some(window) => format!("during = \"{during}\"\n{window}"),
                    None => format!("during = \"{during}\"\n{at}"),
                }
            }
            "wal_sync_failure" => match &window {
                Some(window) => window.clone(),
                None => format!("{at}\ncount = {}", 1 + fault.setting % 20),
            },
            "wal_slow_sync" => format!(
                "{}\ndelay = \"{}ms\"",
                window.clone().unwrap_or(at),
                fault.setting
            ),
            "wal_torn_write" => window.clone().unwrap_or(at),
            "wal_corruption" => {
                let place = ["entry", "key", "cells", "value"][fault.setting as usize % 4];
                let file = ["current", "oldest"][fault.setting as usize / 4 % 2];
                let damage = match fault.setting % 3 {
                    0 => "replicas = \"all\"".to_string(),
                    1 => "replicas = 1".to_string(),
                    _ => "before_checksum = true".to_string(),
                };
                format!("{at}\nfile = \"{file}\"\nin = \"{place}\"\n{damage}")
            }
            "wal_unreadable" => format!("{at}\nduration = \"{}ms\"", 1 + fault.setting * 20),
            _ => format!(
                "{at}\nduration = \"{}ms\"\nfactor = {}",
                1 + fault.setting * 50,
                2 + fault.setting % 100
            ),
        };
        let kind = if kind == "crash_during" {
            "crash"
        } else {
            kind
        };
        writeln!(out, "[[faults]]\nkind = \"{kind}\"\n{body}\n").unwrap();
    }
    out
}

/// Loads, simulates and checks one generated scenario.
fn check(g: &Generated) -> Result<(), TestCaseError> {
    let text = render(g);
    let scenario = load_str(
        "generated.toml",
        &text,
        Path::new("."),
        &LoadOptions::default(),
    )
    .map_err(|error| TestCaseError::fail(format!("refused: {error}")))?;
    match simulate(&scenario) {
        // Overload is an answer (exit 1), not a fault of the model.
        Err(error) => prop_assert!(error.to_string().contains("cannot keep up"), "{error}"),
        Ok(outcome) => {
            let summary = Summary::new(&scenario, &outcome);
            prop_assert_eq!(summary.durability.violation(), None);
        }
    }
    Ok(())
}

#[test]
fn generated_scenarios_run_clean() {
    let cases = std::env::var("REGIONSIM_GENERATED_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(CI_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // CI draws the same cases every time; a long run draws new ones.
    let mut runner = if cases == CI_CASES {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    } else {
        TestRunner::new(config)
    };
    match runner.run(&generated(), |g| check(&g)) {
        Ok(()) => {}
        Err(TestError::Fail(reason, minimal)) => {
            panic!(
                "{reason}\nthe smallest failing scenario:\n{}",
                render(&minimal)
            )
        }
        Err(error) => panic!("{error}"),
    }
}
