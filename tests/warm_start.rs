//! `[warm]`: a run that starts in steady state — memstores partly full with their edits in the
//! WAL, stores holding files — flushes at the steady rate from its first minute, starts with
//! what it was asked for, loses none of its starting edits in a crash, repeats itself per seed,
//! and refuses bad values with the key and the bound.

mod common;

use common::{load, regionsim, run, scenario};
use regionsim::model::RunOutcome;
use regionsim::model::server::WarmPlan;
use regionsim::model::timeline::MarkerKind;
use regionsim::model::wal::reader::{ReaderRules, read_wal};
use regionsim::sim::{SimDuration, SimTime};

/// 50 regions taking even writes: 200 batches a second of 10 rows of 10 KB values over
/// uniform keys, about 20 MB/s (20.1 MB/s of memstore heap). Each region fills its 32 MB
/// flush size in about 80 s, so in steady state the server flushes about 37.7 times a minute
/// (20.1 MB/s × 60 s ÷ 32 MB), while a cold start flushes nothing until the regions reach it
/// together at about 80 s.
const EVEN: &str = r#"
name = "even"
seed = 7
duration = "6m"
profile = "hbase-2.5"

[server]
heap = "16GB"

[properties]
"hbase.hregion.memstore.flush.size" = "32MB"

[io]
wal_sync_latency = { dist = "lognormal", median = "2ms", p99 = "25ms" }
hdfs_write_bandwidth = "200MB/s"
hdfs_read_bandwidth = "400MB/s"

[[tables]]
name = "usertable"
regions = 50

[[workloads]]
table = "usertable"
arrival = { kind = "open", rate = "200/s" }
mix = { batch = 1.0 }
batch_rows = 10
keys = { dist = "uniform", count = 10_000_000 }
value_size = { dist = "constant", bytes = "10KB" }
"#;

/// Steady state in memstores and files: fractions over the whole flush size, and two files a
/// store (one below hbase.hstore.compaction.min, so that nothing compacts at the start).
const WARM: &str = r#"
[warm]
memstore = 1.0
files = 2
file_size = "32MB"
"#;

/// Flushes committed in [from, to) seconds.
fn flushes_between(outcome: &RunOutcome, from: u64, to: u64) -> usize {
    let second = SimDuration::from_secs(1);
    let (from, to) = (SimTime::ZERO + second * from, SimTime::ZERO + second * to);
    outcome
        .timeline
        .markers
        .iter()
        .filter(|marker| marker.kind == MarkerKind::Flush)
        .filter(|marker| marker.time >= from && marker.time < to)
        .count()
}

// A warm start's first minute already flushes at the steady rate: within 30% of the flushes
// per minute over minutes 3 to 6 of the same run. Here the warm run flushed 35 times in its
// first minute and 35.7 a minute over minutes 3 to 6 (the write rate gives 37.7; seeds 1 to
// 6 flushed 28 to 42 in their first minute). The same scenario started cold flushes nothing
// in its first minute — no region has reached its flush size — and then all 50 regions in a
// burst in its second.
#[test]
fn a_warm_first_minute_flushes_at_the_steady_rate() {
    let (warm, _) = run(&scenario(&format!("{EVEN}{WARM}"), &[]));
    let (cold, _) = run(&scenario(EVEN, &[]));
    let steady = flushes_between(&warm, 180, 360) as f64 / 3.0;
    let warm_first = flushes_between(&warm, 0, 60) as f64;
    let cold_first = flushes_between(&cold, 0, 60) as f64;
    assert!((steady - 37.7).abs() < 37.7 * 0.15, "steady {steady}");
    assert!(
        (warm_first - steady).abs() <= steady * 0.3,
        "warm first minute {warm_first}, steady {steady}"
    );
    assert_eq!(cold_first, 0.0, "cold first minute");
    assert_eq!(flushes_between(&cold, 60, 120), 50, "the cold burst");
}

/// Four regions of one family, a put of one column a row (one cell), values of 500 to 1500
/// bytes; the workload starts after the run ends and the table does not compact, so the one
/// second of the run leaves the starting state as it was. 8 MB WAL blocks roll the WAL at
/// 4 MB (hbase.regionserver.logroll.multiplier 0.5).
const STILL: &str = r#"
name = "still"
seed = 3
duration = "1s"
profile = "hbase-2.5"

[server]
heap = "4GB"

[properties]
"hbase.hregion.memstore.flush.size" = "16MB"
"hbase.regionserver.hlog.blocksize" = "8MB"

[[tables]]
name = "t"
regions = 4
compaction_enabled = false

[[workloads]]
table = "t"
start = "10s"
arrival = { kind = "open", rate = "100/s" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "uniform", min = "500B", max = "1500B" }

[warm]
memstore = 1.0
files = 3
file_size = { min = "8MB", max = "24MB" }
"#;

/// The WAL roll size in `STILL`.
const ROLL_BYTES: u64 = 4 << 20;

/// The largest cell `STILL` writes, in heap: 72 bytes of skip-list entry and cell object and
/// its KeyValue copied into MSLAB, 20 + 9 (row "user" + 5 digits) + 2 (family "cf") + 6
/// (qualifier "field0") + 1500 = 1537 bytes rounded up to 1544.
const CELL_HEAP_MAX: u64 = 72 + 1544;

// The starting state is what the scenario asked for: each region's memstore filled to its
// target (a fraction of the 16 MB flush size) to within one cell, and holding that after the
// run; three files a store with the sizes drawn in [8 MB, 24 MB], and their bytes exactly;
// every starting edit acknowledged, and in the WAL once, in files rolled at the roll size.
#[test]
fn the_starting_state_is_what_was_asked() {
    let scenario = scenario(STILL, &[]);
    let plan = WarmPlan::new(&scenario).expect("a warm scenario has a plan");
    let (outcome, summary) = run(&scenario);
    assert_eq!(plan.regions.len(), 4);
    let region_heap = outcome.timeline.region_heap.as_ref().unwrap();
    for (region, warm) in plan.regions.iter().enumerate() {
        assert!(warm.heap_target_bytes < 16 << 20, "{warm:?}");
        assert!(warm.size.heap <= warm.heap_target_bytes);
        assert!(
            warm.heap_target_bytes - warm.size.heap < CELL_HEAP_MAX,
            "region {region}: {} short of {}",
            warm.heap_target_bytes - warm.size.heap,
            warm.heap_target_bytes
        );
        assert_eq!(warm.size.cells, warm.rows.len() as u64);
        assert_eq!(region_heap[region][0], warm.size.heap, "region {region}");
        assert_eq!(warm.files.len(), 1);
        assert_eq!(warm.files[0].len(), 3);
        for &bytes in &warm.files[0] {
            assert!((8 << 20..=24 << 20).contains(&bytes), "{bytes}");
        }
        assert_eq!(outcome.region_map_at_end[0][region].store_files, vec![3]);
    }
    // Seeded fractions: the regions differ.
    let targets: std::collections::BTreeSet<u64> = plan
        .regions
        .iter()
        .map(|warm| warm.heap_target_bytes)
        .collect();
    assert_eq!(targets.len(), 4);
    let file_bytes: Vec<u64> = plan
        .regions
        .iter()
        .flat_map(|w| w.files[0].clone())
        .collect();
    assert_eq!(outcome.store_files, 12);
    assert_eq!(outcome.store_file_bytes, file_bytes.iter().sum::<u64>());
    assert!(file_bytes.iter().any(|&bytes| bytes != file_bytes[0]));
    let rows: u64 = plan.regions.iter().map(|w| w.rows.len() as u64).sum();
    let heap: u64 = plan.regions.iter().map(|w| w.size.heap).sum();
    assert_eq!(outcome.memstore_at_end.heap, heap);
    assert_eq!(summary.memstore.bytes_added, outcome.memstore_at_end.data);
    assert_eq!(summary.durability.acknowledged, rows);
    assert_eq!(summary.durability.verified, rows);
    assert_eq!(summary.flushes.count, 0);
    // The WAL holds every edit once, above the files' sequence ids (1 to 3); each file but the
    // current one rolled with the entry that took it past the roll size.
    let paths = outcome.fs.list_files(&outcome.wal_dir);
    assert!(paths.len() >= 3, "{paths:?}");
    assert_eq!(summary.wal.files_created, paths.len() as u64);
    assert_eq!(
        summary.wal.rolls.values().sum::<u64>(),
        0,
        "not the run's rolls"
    );
    let mut entries = 0;
    for (index, path) in paths.iter().enumerate() {
        let file = outcome.fs.read(path).unwrap();
        let contents = read_wal(file, ReaderRules::for_release(scenario.release));
        entries += contents.entries.len() as u64;
        assert!(
            contents
                .entries
                .iter()
                .all(|entry| entry.key.sequence_id > 3)
        );
        if index + 1 < paths.len() {
            let last = contents.entries.last().unwrap();
            assert!(
                last.offset <= ROLL_BYTES && file.len() > ROLL_BYTES,
                "{path}"
            );
        }
    }
    assert_eq!(entries, rows);
    // The fullest region's edits are the oldest: the first entry is its.
    let fullest = (0..4)
        .max_by_key(|&r| (plan.regions[r].rows.len(), std::cmp::Reverse(r)))
        .unwrap();
    let first = outcome.fs.read(&paths[0]).unwrap();
    let first = read_wal(first, ReaderRules::for_release(scenario.release));
    assert_eq!(
        first.entries[0].key.encoded_region_name,
        outcome.region_names[fullest].encoded.as_bytes()
    );
}

// A crash a few seconds into a warm run loses nothing: the starting edits were acknowledged
// and are in the WAL, so the split and replay bring them back with the run's own. Half the
// flush size at most, so that no region flushes before the crash and every starting edit is
// replayed.
#[test]
fn a_crash_after_a_warm_start_loses_nothing() {
    let text = format!(
        "{}\n[[faults]]\nkind = \"crash\"\nat = \"3s\"\n",
        STILL
            .replace("duration = \"1s\"", "duration = \"40s\"")
            .replace("start = \"10s\"", "start = \"0s\"")
            .replace("memstore = 1.0", "memstore = 0.5")
    );
    let text = text.replace(
        "[server]\nheap = \"4GB\"",
        "[server]\nheap = \"4GB\"\nrestart = \"5s\"",
    );
    let scenario = scenario(&text, &["zookeeper.session.timeout=5000"]);
    let plan = WarmPlan::new(&scenario).unwrap();
    let rows: u64 = plan.regions.iter().map(|w| w.rows.len() as u64).sum();
    let (_, summary) = run(&scenario);
    let durability = &summary.durability;
    assert!(durability.acknowledged > rows, "{durability:?}");
    assert_eq!(
        (durability.lost, durability.unavailable),
        (0, 0),
        "{durability:?}"
    );
    assert_eq!(durability.verified, durability.acknowledged);
    assert_eq!(summary.recovery.recoveries.len(), 1);
    assert!(summary.recovery.recoveries[0].completed_at_s.is_some());
    assert!(
        summary.recovery.edits_replayed >= rows,
        "{} replayed, {rows} starting edits",
        summary.recovery.edits_replayed
    );
}

// Same seed, same run; another seed fills the memstores differently (and so runs
// differently).
#[test]
fn warm_starts_repeat_per_seed() {
    let text = STILL.replace("duration = \"1s\"", "duration = \"20s\"");
    let text = text.replace("start = \"10s\"", "start = \"0s\"");
    let (_, first) = run(&scenario(&text, &[]));
    let (_, again) = run(&scenario(&text, &[]));
    assert_eq!(first, again);
    let other = scenario(&text, &["seed=4"]);
    let (_, other_summary) = run(&other);
    assert_ne!(first.trace_hash, other_summary.trace_hash);
    let plan = WarmPlan::new(&scenario(&text, &[])).unwrap();
    let other_plan = WarmPlan::new(&other).unwrap();
    for (mine, theirs) in plan.regions.iter().zip(&other_plan.regions) {
        assert_ne!(mine.size, theirs.size);
        assert_ne!(mine.files, theirs.files);
    }
    // The plan is the resolved scenario's: written out and read back, the same.
    let resolved = scenario(&scenario(&text, &[]).to_resolved_toml(), &[]);
    assert_eq!(WarmPlan::new(&resolved), Some(plan));
}

// Bad values are refused at load (exit 2) naming the key, the value and the bound.
#[test]
fn bad_warm_values_are_refused() {
    let cases = [
        (
            "warm.memstore=1.5",
            "warm.memstore: memstore is a fraction of the flush size from 0 to 1, found 1.5",
        ),
        ("warm.memstore=-0.1", "from 0 to 1, found -0.1"),
        (
            "warm.files=101",
            "warm.files: files is 0 to 100 store files per store, found 101",
        ),
        (
            "warm.file_size=0",
            "warm.file_size: a store file has at least one byte",
        ),
        (
            "warm.file_size=-5",
            "warm.file_size: expected a non-negative integer, found -5",
        ),
        (
            "warm.file_size=2TB",
            "warm.file_size: file_size must be at most 1TB, found 2TB",
        ),
        (
            "warm.file_size={ min = \"64MB\", max = \"32MB\" }",
            "warm.file_size: min (64MB) is above max (32MB)",
        ),
        ("warm.memstor=1", "did you mean \"warm.memstore\"?"),
    ];
    for (set, expected) in cases {
        let output = regionsim(&["validate", "scenarios/default.toml", "--set", set]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{set}: {stderr}");
        assert!(stderr.contains(expected), "{set}: {stderr}");
        assert!(!stderr.contains("panicked"), "{set}: {stderr}");
    }
    // Starting files need a size; and the work they take is bounded, in files and in rows.
    let refusals = [
        (
            vec!["warm.files=3"],
            "missing key \"file_size\": 3 starting files per store need a size",
        ),
        (
            vec![
                "warm.files=100",
                "warm.file_size=1GB",
                "tables.0.regions=2000",
            ],
            "2000 stores × 100 files is 200000 starting files; a warm start places at most 100000",
        ),
        (
            vec![
                "warm.files=100",
                "warm.file_size=1TB",
                "tables.0.regions=1000",
                "workloads.0.keys.count=100000000000",
            ],
            "a warm start summarises at most 1073741824 rows",
        ),
    ];
    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml"),
    )
    .unwrap();
    for (sets, expected) in refusals {
        let error = load(&default, &sets).unwrap_err().to_string();
        assert!(error.contains(expected), "{sets:?}: {error}");
        assert!(error.contains("warm"), "{error}");
    }
}
