//! Compactions and splits in whole runs: throttled compactions stall writes as in HBase, the
//! bytes flushes and compactions write add up, a major compaction leaves one file per store, and
//! a growing region splits into daughters that partition its rows.

mod common;

use common::{run, scenario};

/// Four regions taking about 10 MB/s of puts, with small flushes and a low blocking count, so
/// that compactions must keep up with a flush every few seconds.
const BUSY_STORES: &str = r#"
name = "busy-stores"
seed = 3
duration = "3m"
profile = "hbase-2.5"

[server]
heap = "16GB"

[properties]
"hbase.hregion.memstore.flush.size" = "8MB"
"hbase.hstore.blockingStoreFiles" = 8
"hbase.regionserver.region.split.policy" = "org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy"
"hbase.hstore.compaction.throughput.tune.period" = "1h"

[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
hdfs_write_bandwidth = "200MB/s"
hdfs_read_bandwidth = "400MB/s"

[[tables]]
name = "t"
regions = 4

[[workloads]]
table = "t"
arrival = { kind = "open", rate = "200/s" }
mix = { batch = 1.0 }
batch_rows = 50
keys = { dist = "uniform", count = 10_000_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

// The pressure-aware controller starts at its lower bound and, with a tuning period longer than
// the run, stays there: at 512 KB/s for all compactions together they fall behind the flushes,
// a store passes hbase.hstore.blockingStoreFiles, its region's flushes are put off (for up to
// blockingWaitTime), its memstore passes flush size × 4 and checkResources refuses writes. With
// the bound at 400 MB/s compactions keep up and none of that happens.
#[test]
fn throttled_compactions_stall_writes_and_a_higher_limit_removes_the_stall() {
    let (_, slow) = run(&scenario(
        BUSY_STORES,
        &[
            "hbase.hstore.compaction.throughput.lower.bound=512KB",
            "hbase.hstore.compaction.throughput.higher.bound=512KB",
        ],
    ));
    assert!(
        slow.store_files.peak_per_store > 8,
        "peak {} files",
        slow.store_files.peak_per_store
    );
    assert!(slow.flushes.delayed_for_store_files > 0);
    assert!(slow.store_files.flush_wait_seconds > 0.0);
    assert!(slow.region_too_busy > 0);
    assert!(slow.blocked.region_too_busy_seconds > 0.0);

    let (_, fast) = run(&scenario(
        BUSY_STORES,
        &[
            "hbase.hstore.compaction.throughput.lower.bound=400MB",
            "hbase.hstore.compaction.throughput.higher.bound=400MB",
        ],
    ));
    assert_eq!(fast.flushes.delayed_for_store_files, 0);
    assert_eq!(fast.store_files.flush_wait_seconds, 0.0);
    assert_eq!(fast.region_too_busy, 0);
    assert!(fast.compactions.count > slow.compactions.count);
}

// File bytes are conserved: what flushes and compactions wrote, less the compactions' inputs,
// is what the stores hold at the end (no splits, merges or bulk loads here). Write
// amplification is the bytes flushes and compactions wrote over the bytes flushes wrote.
#[test]
fn flushed_and_compacted_bytes_add_up() {
    let (_, summary) = run(&scenario(BUSY_STORES, &["duration=2m"]));
    let compactions = &summary.compactions;
    assert!(compactions.count > 0);
    assert_eq!(
        summary.store_files.bytes + compactions.bytes_read,
        summary.flushes.file_bytes + compactions.bytes_written
    );
    let expected = (summary.flushes.file_bytes + compactions.bytes_written) as f64
        / summary.flushes.file_bytes as f64;
    assert_eq!(summary.write_amplification, expected);
    assert!(summary.write_amplification > 1.0);
    // Every compaction read at least hbase.hstore.compaction.min files.
    assert!(compactions.files_read >= 3 * compactions.count);
}

// An operator's major_compact after the writes stop leaves exactly one file in every store,
// each written by a major compaction (one per store that had files).
#[test]
fn a_major_compaction_leaves_one_file_per_store() {
    let text = format!(
        "{BUSY_STORES}\n[[actions]]\nkind = \"major_compact\"\nat = \"70s\"\ntable = \"t\"\n"
    );
    let (outcome, summary) = run(&scenario(
        &text,
        &["duration=3m", "workloads.0.end=60s", "actions.0.at=90s"],
    ));
    let regions = &outcome.region_map_at_end[0];
    assert_eq!(regions.len(), 4);
    for region in regions {
        assert_eq!(region.store_files, vec![1], "region {}", region.id);
    }
    assert_eq!(summary.compactions.by_kind["major"], 4);
}

// A table of one region under heavy writes splits once its store passes the stepping policy's
// first size (2 × the 8 MB flush size); each daughter splits again at hbase.hregion.max.filesize
// (32 MB here, ± the jitter). The regions left at the end partition the key space exactly.
#[test]
fn growing_regions_split_into_daughters_that_partition_the_rows() {
    let (outcome, summary) = run(&scenario(
        BUSY_STORES,
        &[
            "tables.0.regions=1",
            "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.SteppingSplitPolicy",
            "hbase.hregion.max.filesize=32MB",
            "duration=2m",
            "hbase.hstore.blockingStoreFiles=16",
        ],
    ));
    let splits = summary.regions.split;
    assert!(splits >= 2, "{splits} splits");
    assert!(summary.flushes.by_reason["split"] > 0);
    let regions = &outcome.region_map_at_end[0];
    assert_eq!(regions.len() as u64, 1 + splits);
    assert_eq!(regions.first().unwrap().start_row, 0);
    assert_eq!(regions.last().unwrap().end_row, u64::MAX);
    for pair in regions.windows(2) {
        assert_eq!(pair[0].end_row, pair[1].start_row);
        assert!(pair[0].start_row < pair[0].end_row);
    }
}

// The CompactionChecker finds stores whose oldest file is older than hbase.hregion.majorcompaction
// (here 30 s without jitter, each store examined every run of the 10 s chore) and asks for their
// major compactions; with the default seven days, none is due in a few minutes.
#[test]
fn the_compaction_checker_starts_time_based_major_compactions() {
    let (_, due) = run(&scenario(
        BUSY_STORES,
        &[
            "duration=2m",
            "hbase.hregion.majorcompaction=30s",
            "hbase.hregion.majorcompaction.jitter=0",
            "hbase.server.compactchecker.interval.multiplier=1",
        ],
    ));
    assert!(due.compactions.by_kind["major"] > 0);
    let (_, default) = run(&scenario(BUSY_STORES, &["duration=2m"]));
    assert_eq!(default.compactions.by_kind["major"], 0);
}

/// One region with small flushes that its policy wants split from its third file on (Stepping:
/// a store over 2 × 1 MB with one region), on a server already at its split limit of 1 region.
const AT_THE_SPLIT_LIMIT: &str = r#"
name = "at-the-split-limit"
seed = 4
duration = "40s"
[properties]
"hbase.hregion.memstore.flush.size" = "1MB"
"hbase.regionserver.regionSplitLimit" = 1
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "300/s" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

// MemStoreFlusher.flushRegion: a split if checkSplit finds one, *else* a compaction, with
// requestSplit's refusal ignored. At the split limit every flush from the third on wants a split
// that requestSplit refuses, so no flush asks for a compaction: files pile up to
// hbase.hstore.blockingStoreFiles (16), where the put-off flush's own request (requestSplit
// refused, then requestSystemCompaction) brings the first compaction. Without the limit the
// third file's flush splits the region.
#[test]
fn a_refused_split_after_a_flush_asks_for_no_compaction() {
    let (_, summary) = run(&scenario(AT_THE_SPLIT_LIMIT, &["duration=30s"]));
    assert!(summary.flushes.count >= 6, "{:?}", summary.flushes);
    assert!(summary.flushes.count <= 16, "{:?}", summary.flushes);
    assert_eq!(summary.compactions.requested, 0);
    assert_eq!(summary.regions.split, 0);
    assert_eq!(summary.store_files.count, summary.flushes.count);
    let (_, longer) = run(&scenario(AT_THE_SPLIT_LIMIT, &["duration=90s"]));
    assert!(
        longer.flushes.delayed_for_store_files > 0,
        "{:?}",
        longer.flushes
    );
    assert!(longer.compactions.requested > 0);
    assert!(longer.store_files.peak_per_store >= 17);
    let (_, free) = run(&scenario(
        AT_THE_SPLIT_LIMIT,
        &["hbase.regionserver.regionSplitLimit=1000", "duration=30s"],
    ));
    assert!(free.regions.split >= 1);
}

/// One region written mostly in its first rows: 2000 puts/s over rows 0–199 999 and 200/s over
/// rows 0–899 999, with 8 MB flushes; SteppingSplitPolicy splits it once a store passes 16 MB.
const SKEWED_ROWS: &str = r#"
name = "skewed-rows"
seed = 23
duration = "30s"
[properties]
"hbase.hregion.memstore.flush.size" = "8MB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
name = "dense"
table = "t"
arrival = { kind = "open", rate = "2000/s" }
keys = { dist = "uniform", count = 200_000 }
value_size = { dist = "constant", bytes = 1000 }
[[workloads]]
name = "sparse"
table = "t"
arrival = { kind = "open", rate = "200/s" }
keys = { dist = "uniform", count = 900_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

// The split point is the middle data block's row of the largest file (HFileBlockIndex.midkey),
// where half of its bytes lie: rows 0–199 999 hold 2000/2200 of them, spread evenly, so the
// middle falls near row 0.5 × 2200 / (2000 / 200 000 + 200 / 900 000) ≈ 107 600 — not at the
// middle of the file's row range (about 450 000).
#[test]
fn a_region_splits_at_the_middle_of_its_largest_files_bytes() {
    let (outcome, summary) = run(&scenario(SKEWED_ROWS, &[]));
    assert!(summary.regions.split >= 1, "{:?}", summary.regions);
    let daughters = &outcome.region_map_at_end[0];
    let split_row = daughters[1].start_row;
    assert!(
        (95_000..=120_000).contains(&split_row),
        "split at row {split_row}"
    );
}

/// A region of two families written alike, splitting at 2 MB: both stores' compactions finish
/// at one instant, and the first to commit splits the region, which aborts the other.
const TWIN_STORES: &str = r#"
name = "twin-stores"
seed = 4631350458429796853
duration = "60s"
profile = "hbase-1.4"
[server]
heap = "1GB"
[io]
wal_sync_latency = { dist = "constant", value = "0us" }
hdfs_write_bandwidth = "42MB/s"
[[tables]]
name = "t1"
regions = 1
families = ["f0", "f1"]
versions = 2
memstore_flushsize = "52MB"
max_filesize = "2MB"
[[workloads]]
table = "t1"
arrival = { kind = "open", rate = "79/s", threads = "unbounded" }
mix = { batch = 1.0 }
batch_rows = 100
keys = { dist = "sequential", count = 48336 }
value_size = { dist = "uniform", min = 0, max = 3150 }
columns = 2
durability = "SKIP_WAL"
"#;

// The aborted compaction's transfer, finished in the same instant, comes to nothing (it used to
// panic: "a transfer finishes for a running compaction"); the aborts are counted and the
// region splits on.
#[test]
fn a_compaction_aborted_as_its_twin_commits_comes_to_nothing() {
    let (_, summary) = run(&scenario(TWIN_STORES, &[]));
    assert!(
        summary.compactions.aborted >= 1,
        "{:?}",
        summary.compactions
    );
    assert!(summary.regions.split >= 1);
    assert_eq!(summary.durability.violation(), None);
}
