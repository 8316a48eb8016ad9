//! Whole runs checked against laws and HBase's formulas: flush counts, byte conservation,
//! Little's law, the global memstore limits.

mod common;

use common::{ONE_REGION, bundled, run, scenario};

// One region at a constant rate flushes every time its heap size passes the flush size, so the
// number of flushes is ⌊heap bytes added / flush size⌋, give or take one (the snapshot also
// takes the few writes that arrive between the request and the snapshot). Splits are turned off
// (the stepping policy would split the region at 2 × 16 MB of store files) and the blocking
// file count is raised, so that only the flush size triggers flushes.
#[test]
fn a_single_region_flushes_once_per_flush_size() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let scenario = scenario(
            ONE_REGION,
            &[
                &format!("profile={profile}"),
                "hbase.hstore.blockingStoreFiles=1000",
                "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy",
            ],
        );
        let (_, summary) = run(&scenario);
        let flush_size = 16u64 << 20;
        let expected = summary.memstore.heap_bytes_added / flush_size;
        let flushes = summary.flushes.count;
        assert!(
            flushes + 1 >= expected && flushes <= expected + 1,
            "{profile}: {flushes} flushes, expected {expected} ± 1"
        );
        assert!(expected > 20, "the test needs many flushes, got {expected}");
        assert_eq!(summary.flushes.by_reason["memstore_size"], flushes);
    }
}

// The cells' sizes are HBase's: a 500-byte value in row "user" + 6 digits, family "cf",
// qualifier "field0" is 20 + 10 + 2 + 6 + 500 = 538 data bytes, and with compressed oops and
// MSLAB 72 + align8(538) = 616 heap. Without compressed oops (HotSpot's choice at 32 GB of heap,
// or -XX:-UseCompressedOops) the skip-list entry is 64 and the cell object 40: 104 + 544 = 648.
// A cell larger than hbase.hregion.memstore.mslab.max.allocation, or any cell without MSLAB, is
// on an array of its own: 72 + align8(16 + 538) = 632.
#[test]
fn cell_sizes_follow_hbase_accounting() {
    for (sets, heap) in [
        (vec![], 616),
        (vec!["server.heap=32GB"], 648),
        (vec!["server.heap=31GB"], 616),
        (vec!["server.compressed_oops=false"], 648),
        (vec!["hbase.hregion.memstore.mslab.max.allocation=537"], 632),
        (vec!["hbase.hregion.memstore.mslab.max.allocation=538"], 616),
        (vec!["hbase.hregion.memstore.mslab.enabled=false"], 632),
    ] {
        let (_, summary) = run(&scenario(ONE_REGION, &sets));
        let cells = summary.memstore.cells_added;
        assert!(cells > 0);
        assert_eq!(summary.memstore.bytes_added, cells * 538, "{sets:?}");
        assert_eq!(summary.memstore.heap_bytes_added, cells * heap, "{sets:?}");
    }
}

// Byte conservation: every byte written into a memstore is either flushed or still there.
#[test]
fn bytes_are_conserved() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let scenario = bundled(
            "scenarios/default.toml",
            &["duration=2m", &format!("profile={profile}")],
        );
        let (_, summary) = run(&scenario);
        let memstore = &summary.memstore;
        assert_eq!(
            memstore.bytes_added,
            summary.flushes.bytes + memstore.bytes_at_end,
            "{profile}"
        );
        assert_eq!(
            memstore.heap_bytes_added,
            summary.flushes.heap_bytes + memstore.heap_bytes_at_end,
            "{profile}"
        );
        assert!(summary.flushes.count > 0);
        // Every acknowledged row went into a memstore: one cell per row here, added or replacing
        // an equal one; rows of requests still in flight may have gone in too.
        let batch = &summary.operations["batch"];
        let written = memstore.cells_added + memstore.cells_replaced;
        assert!(written >= batch.rows_succeeded, "{profile}");
        assert!(
            written <= batch.rows_succeeded + batch.in_flight_at_end * 100,
            "{profile}"
        );
    }
}

// Little's law, L = λW: the time-averaged number of operations in flight equals the throughput
// times the mean latency (to within the run's edges).
#[test]
fn littles_law_holds() {
    let scenario = bundled("scenarios/default.toml", &["duration=1m"]);
    let (_, summary) = run(&scenario);
    let batch = &summary.operations["batch"];
    let lambda = batch.succeeded as f64 / summary.simulated_seconds;
    let w = batch.latency_ms.mean / 1000.0;
    let l = summary.limits.requests_in_flight_mean;
    assert!(
        ((l - lambda * w) / l).abs() < 0.01,
        "L = {l}, λW = {}",
        lambda * w
    );
}

// With a small heap the global limits bind: writers block at the upper limit, the flusher
// flushes the biggest regions, and the heap goes above the upper limit only by edits admitted
// before it was reached (each request in flight adds at most 100 rows of 1112 heap bytes). The
// WAL writes to a device of its own, so that the slow pipe holds back flushes (and the
// compactions beside them) rather than WAL syncs.
#[test]
fn global_pressure_blocks_writers_and_flushes_the_biggest_regions() {
    let scenario = bundled(
        "scenarios/default.toml",
        &[
            "server.heap=1GB",
            "duration=3m",
            "io.hdfs_write_bandwidth=10MB/s",
            "io.wal_write_bandwidth=200MB/s",
        ],
    );
    let (_, summary) = run(&scenario);
    let memstore = &summary.memstore;
    let by_reason = &summary.flushes.by_reason;
    assert!(by_reason["global_pressure_lower"] + by_reason["global_pressure_upper"] > 0);
    assert!(summary.blocked.writes_blocked > 0);
    assert!(summary.blocked.global_pressure_seconds > 0.0);
    let slack = summary.limits.requests_in_flight_peak * 100 * 1112;
    assert!(
        memstore.global_peak_bytes < memstore.upper_limit_bytes + slack,
        "peak {} vs upper {}",
        memstore.global_peak_bytes,
        memstore.upper_limit_bytes
    );
    // 1 GB × 0.4f, and the lower limit 0.95f of it, in Java float arithmetic.
    assert_eq!(
        memstore.upper_limit_bytes,
        ((1u64 << 30) as f32 * 0.4f32) as u64
    );
    assert_eq!(
        memstore.lower_limit_bytes,
        (memstore.upper_limit_bytes as f32 * 0.95f32) as u64
    );
}

// SKIP_WAL and ASYNC_WAL writes are acknowledged without waiting for the WAL: a put takes
// exactly the network round trip plus its handler CPU (the `[io]` defaults: 200 µs + 30 µs per
// call + 5 µs per mutation). SYNC_WAL ones also wait for a sync whose latency is the constant
// 1 ms here, plus up to 1 ms for the sync in flight, plus up to 1 ms behind a flush waiting for
// the updates lock. Whatever the writes' durability, each flush appends its two markers
// (START_FLUSH, COMMIT_FLUSH) to the WAL.
#[test]
fn durability_decides_the_wait() {
    let unhindered_ms = 0.235;
    let skip = scenario(
        ONE_REGION,
        &["workloads.0.durability=SKIP_WAL", "duration=10s"],
    );
    let (_, summary) = run(&skip);
    assert!(summary.flushes.count > 0);
    assert_eq!(summary.wal.appends, 2 * summary.flushes.count);
    let put = &summary.operations["put"].latency_ms;
    assert!((put.max - unhindered_ms).abs() < 1e-9, "{put:?}");
    assert!((put.mean - unhindered_ms).abs() < 1e-9, "{put:?}");
    // The utilisation law: busy handlers = calls per second × CPU per call (35 µs a put).
    let rpc = &summary.rpc;
    let predicted = rpc.calls as f64 / summary.simulated_seconds * 35e-6;
    assert!(
        (rpc.handlers_busy_mean - predicted).abs() <= 0.01 * predicted,
        "busy {} vs XS {predicted}",
        rpc.handlers_busy_mean
    );
    let sync = scenario(ONE_REGION, &["duration=10s"]);
    let (_, summary) = run(&sync);
    let put = &summary.operations["put"];
    assert_eq!(
        summary.wal.appends,
        put.attempted + 2 * summary.flushes.count
    );
    assert!(
        put.latency_ms.p50 >= 1.0 + unhindered_ms && put.latency_ms.max <= 3.0 + unhindered_ms,
        "{:?}",
        put.latency_ms
    );
    let asynchronous = scenario(
        ONE_REGION,
        &["workloads.0.durability=ASYNC_WAL", "duration=10s"],
    );
    let (_, summary) = run(&asynchronous);
    let put = &summary.operations["put"].latency_ms;
    assert!((put.max - unhindered_ms).abs() < 1e-9, "{put:?}");
    assert!(
        summary.wal.syncs > 0,
        "AsyncFSWAL syncs on its own at hbase.wal.batch.size"
    );
}

// An admin flush at a given time flushes every region of the table, whatever their size.
#[test]
fn admin_flush_flushes_every_region() {
    let text = format!(
        "{}\n[[actions]]\nkind = \"admin_flush\"\nat = \"30s\"\ntable = \"usertable\"\n",
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/default.toml"
        ))
        .unwrap()
    );
    let (_, summary) = run(&scenario(&text, &["duration=1m"]));
    assert_eq!(summary.flushes.by_reason["admin_flush"], 20);
}
