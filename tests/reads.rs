//! Reads: gets and scans through the memstores and store files, and LruBlockCache's
//! priorities as the read path uses them.

mod common;

use common::{load, run, scenario};
use regionsim::report::summary::ReadsSummary;

/// Uniform gets over 16 stores of one 128 MB file each (a single-level index, no bloom), the
/// cache a quarter of the data.
const UNIFORM_GETS: &str = r#"
name = "uniform-gets"
seed = 5
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "4GB"
[properties]
"hfile.block.cache.size" = 0.125
[warm]
memstore = 0.0
files = 1
file_size = "128MB"
[[tables]]
name = "t"
regions = 16
bloom = "NONE"
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "5k/s" }
mix = { get = 1.0 }
keys = { dist = "uniform", count = 1_600_000 }
value_size = { dist = "constant", bytes = "1200B" }
"#;

// A uniform get workload over a working set W with a cache of C hits about C/W of the time:
// the cache holds between its min and acceptable sizes (0.95 and 0.99 of C), any block as
// likely as another. Twice the cache, about twice the hits.
#[test]
fn uniform_gets_hit_the_share_of_the_working_set_the_cache_holds() {
    for (fraction, sets) in [(0.125, vec![]), (0.25, vec!["hfile.block.cache.size=0.25"])] {
        let (outcome, summary) = run(&scenario(UNIFORM_GETS, &sets));
        let reads = summary.reads.as_ref().expect("the workload reads");
        let cache = &reads.block_cache;
        assert!(reads.gets > 250_000, "{}", reads.gets);
        assert_eq!(reads.files_per_get_mean, 1.0);
        let expected = 0.97 * cache.capacity_bytes as f64 / outcome.store_file_bytes as f64;
        assert!(
            (expected - 0.25 * fraction / 0.125).abs() < 0.03,
            "C/W is {expected}"
        );
        assert!(
            (cache.hit_ratio - expected).abs() < 0.03,
            "cache {fraction}: hit ratio {} against C/W {expected}",
            cache.hit_ratio
        );
        assert!(cache.size_bytes <= cache.capacity_bytes);
        assert!(cache.evictions > 0);
    }
}

/// Gets against six files per store, each holding a sixth of the region's rows or so.
const SIX_FILES: &str = r#"
name = "six-files"
seed = 3
duration = "20s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[properties]
"hbase.hstore.compaction.min" = 10
"hbase.hstore.blockingStoreFiles" = 20
[warm]
memstore = 0.0
files = 6
file_size = "16MB"
[[tables]]
name = "t"
regions = 4
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2k/s" }
mix = { get = 1.0 }
keys = { dist = "uniform", count = 400_000 }
value_size = { dist = "constant", bytes = "1000B" }
"#;

// Without a bloom filter every file whose key range holds the row is sought; a ROW bloom
// skips the files that do not hold it, letting through about 1% of them by error.
#[test]
fn bloom_filters_skip_files_that_do_not_hold_the_row() {
    let (_, none) = run(&scenario(SIX_FILES, &["tables.0.bloom=NONE"]));
    let (_, row) = run(&scenario(SIX_FILES, &[]));
    let none = none.reads.unwrap();
    let row = row.reads.unwrap();
    assert_eq!(none.files_per_get_mean, 6.0);
    assert_eq!(none.bloom_skips, 0);
    assert_eq!(none.bloom_blocks, 0);
    // Each 16 MB file holds about 16k of a region's 100k rows.
    assert!(
        (0.7..1.3).contains(&row.files_per_get_mean),
        "{}",
        row.files_per_get_mean
    );
    assert!(row.bloom_skips > 4 * row.gets);
    let false_positive_rate = row.bloom_false_positives as f64 / row.bloom_skips as f64;
    assert!(
        (0.007..0.013).contains(&false_positive_rate),
        "{false_positive_rate}"
    );
    assert!(row.data_blocks_per_get_mean < none.data_blocks_per_get_mean / 4.0);
}

// Four files per store compact at once; the inputs' blocks stay cached until the discharger
// archives them two minutes on, then go.
#[test]
fn a_compaction_evicts_its_inputs_blocks_when_the_discharger_runs() {
    let text = SIX_FILES.replace("files = 6", "files = 4").replace(
        "\"hbase.hstore.compaction.min\" = 10",
        "\"hbase.hstore.compaction.min\" = 3",
    );
    let (_, before) = run(&scenario(&text, &["duration=100s"]));
    let before = before.reads.unwrap();
    assert_eq!(before.block_cache.files_evicted, 0);
    let (_, after) = run(&scenario(&text, &["duration=130s"]));
    let after_summary = after.compactions.count;
    let after = after.reads.unwrap();
    assert!(after_summary >= 4, "{after_summary} compactions");
    assert_eq!(after.block_cache.files_evicted, 16);
    assert!(after.block_cache.blocks_evicted_with_files > 1000);
    // After the compactions a get seeks one file, not four.
    assert!(after.files_per_get_mean < before.files_per_get_mean);
}

/// A hot set of gets (1% of the rows take 90% of them) beside a client scanning the whole
/// table, which is four times the cache.
const HOT_GETS_AND_A_SCAN: &str = r#"
name = "scan-beside-hot-gets"
seed = 11
duration = "120s"
profile = "hbase-2.5"
[server]
heap = "4GB"
[properties]
"hfile.block.cache.size" = 0.125
[warm]
memstore = 0.0
files = 1
file_size = "128MB"
[[tables]]
name = "t"
regions = 16
[[workloads]]
name = "hot"
table = "t"
arrival = { kind = "open", rate = "4k/s" }
mix = { get = 1.0 }
keys = { dist = "hotspot", count = 1_600_000, hot_set_fraction = 0.01, hot_op_fraction = 0.9 }
value_size = { dist = "constant", bytes = "1200B" }
[[workloads]]
name = "scanner"
table = "t"
arrival = { kind = "closed", clients = 1 }
mix = { scan = 1.0 }
keys = { dist = "sequential", count = 1_600_000 }
scan = { rows = 100_000, caching = 1000 }
value_size = { dist = "constant", bytes = "1200B" }
"#;

// A scan over more than the cache enters its blocks as single-access; the hot set, read again
// and again, sits in the multi bucket, which the scan's blocks do not push out.
#[test]
fn a_scan_over_more_than_the_cache_leaves_the_hot_set_in_multi() {
    let (_, alone) = run(&scenario(HOT_GETS_AND_A_SCAN, &["workloads.1.end=1s"]));
    let (_, beside) = run(&scenario(HOT_GETS_AND_A_SCAN, &[]));
    let alone = alone.reads.unwrap();
    let beside = beside.reads.unwrap();
    assert!(
        beside.scan_rows as f64 * 1.3e3 > 4.0 * beside.block_cache.capacity_bytes as f64,
        "the scan reads {} rows",
        beside.scan_rows
    );
    assert!(beside.block_cache.evictions > 0);
    // The hot set: 1% of 2 GB of blocks.
    let hot_bytes = 20 << 20;
    assert!(alone.block_cache.multi_bytes > hot_bytes);
    assert!(
        beside.block_cache.multi_bytes > hot_bytes,
        "multi {} with the scan",
        beside.block_cache.multi_bytes
    );
    assert!(beside.block_cache.single_bytes > beside.block_cache.multi_bytes);
    // The gets still find the hot set: multi hits as many as without the scan, within 5%.
    let hot_hits = |reads: &ReadsSummary| {
        reads.block_cache.hit_ratio_multi
            * (reads.block_cache.hits + reads.block_cache.misses) as f64
    };
    assert!(
        hot_hits(&beside) > 0.95 * hot_hits(&alone),
        "{} against {}",
        hot_hits(&beside),
        hot_hits(&alone)
    );
}

/// A YCSB workload on a preloaded table.
fn ycsb(workload: &str) -> String {
    format!(
        r#"
name = "ycsb-{workload}"
seed = 21
duration = "20s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[[tables]]
name = "usertable"
regions = 4
families = ["family"]
preload = "1GB"
[[workloads]]
table = "usertable"
ycsb = "{workload}"
arrival = {{ kind = "open", rate = "2k/s" }}
keys = {{ count = 1_000_000 }}
columns = 10
value_size = {{ dist = "constant", bytes = "100B" }}
"#
    )
}

// Each YCSB core workload sends the operations it names in its proportions, and its reads
// see every write answered before them and none still under way.
#[test]
fn ycsb_workloads_send_their_proportions_and_read_their_writes() {
    let expected: [(&str, &[(&str, f64)]); 6] = [
        ("a", &[("get", 0.5), ("put", 0.5)]),
        ("b", &[("get", 0.95), ("put", 0.05)]),
        ("c", &[("get", 1.0)]),
        ("d", &[("get", 0.95), ("insert", 0.05)]),
        ("e", &[("scan", 0.95), ("insert", 0.05)]),
        ("f", &[("get", 0.5), ("read_modify_write", 0.5)]),
    ];
    for (workload, shares) in expected {
        let (_, summary) = run(&scenario(&ycsb(workload), &[]));
        let total: u64 = summary.operations.values().map(|op| op.attempted).sum();
        assert!(total > 35_000, "{workload}: {total}");
        assert_eq!(summary.operations.len(), shares.len(), "{workload}");
        for (kind, share) in shares {
            let sent = summary.operations[*kind].attempted as f64 / total as f64;
            assert!(
                (sent - share).abs() < 0.01,
                "ycsb {workload}: {kind} {sent} against {share}"
            );
            assert_eq!(summary.operations[*kind].failed, 0);
        }
        let reads = summary.reads.unwrap();
        assert_eq!((reads.stale_reads, reads.dirty_reads), (0, 0), "{workload}");
    }
}

// Same scenario and seed, same run; a read scenario leaves write-only runs as they were.
#[test]
fn reads_are_deterministic() {
    let text = ycsb("a");
    let (first, _) = run(&scenario(&text, &[]));
    let (second, _) = run(&scenario(&text, &[]));
    assert_eq!(first.trace_hash, second.trace_hash);
}

// Settings a read path refuses: scan settings without scans, a mix beside ycsb, reads through
// a BufferedMutator, block cache shares that do not total 1, BucketCache.
#[test]
fn read_settings_are_checked() {
    let text = ycsb("b");
    for (line, expected) in [
        ("scan = { rows = 10 }", "scan settings need scans"),
        ("mix = { get = 1.0 }", "ycsb names a YCSB core workload"),
        ("client = \"buffered_mutator\"", "get is a Table call"),
    ] {
        let error = load(&format!("{text}{line}\n"), &[])
            .expect_err("refused")
            .to_string();
        assert!(error.contains(expected), "{line}: {error}");
    }
    for (sets, expected) in [
        (
            vec!["hbase.lru.blockcache.single.percentage=0.5"],
            "total 1.0",
        ),
        (vec!["hbase.bucketcache.ioengine=offheap"], "BucketCache"),
        (
            vec!["hbase.ipc.server.callqueue.read.ratio=0.5"],
            "RWQueueRpcExecutor",
        ),
        (vec!["tables.0.preload=0B"], "preload is the bytes"),
    ] {
        let error = load(&text, &sets).expect_err("refused").to_string();
        assert!(error.contains(expected), "{sets:?}: {error}");
    }
}
