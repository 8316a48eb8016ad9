//! The saturation verdict and the bottleneck it names: each run below pushes one resource past
//! what it can do, and the verdict names that resource (not the threads that wait on it) and
//! says the server could not keep up; the same server at a rate it carries keeps up and names
//! nothing.

mod common;

use common::{run, scenario};
use regionsim::report::Summary;

/// One region, puts of 1000-byte values, WAL syncs of 200 µs: a server with room everywhere at
/// 500 puts a second. Each test changes one thing, and raises the rate past it.
const ROOMY: &str = r#"
name = "roomy"
seed = 5
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[io]
wal_sync_latency = { dist = "constant", value = "200us" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "500/s", threads = 64 }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

fn rate(per_sec: u32) -> String {
    format!(r#"workloads[0].arrival={{ kind = "open", rate = "{per_sec}/s", threads = 64 }}"#)
}

fn share(summary: &Summary, resource: &str) -> f64 {
    summary
        .saturation
        .resources
        .iter()
        .find(|use_| use_.resource == resource)
        .unwrap_or_else(|| panic!("no {resource}"))
        .share
}

/// Runs `sets` and checks the verdict names `resource` as the bottleneck of a run that could
/// not keep up.
fn limited_by(resource: &str, sets: &[&str]) -> Summary {
    let (_, summary) = run(&scenario(ROOMY, sets));
    let saturation = &summary.saturation;
    assert!(
        saturation.saturated && !saturation.kept_up,
        "{saturation:?}"
    );
    assert!(summary.client.could_not_keep_up().is_some());
    let found = summary.bottleneck.as_ref().expect("a bottleneck");
    assert_eq!(found.resource, resource, "{saturation:#?}\n{found:?}");
    summary
}

#[test]
fn below_capacity_nothing_is_saturated() {
    let (_, summary) = run(&scenario(ROOMY, &[]));
    let saturation = &summary.saturation;
    assert!(saturation.kept_up && !saturation.backlog_grew && !saturation.saturated);
    assert_eq!(summary.bottleneck, None);
    assert!(
        saturation.resources.iter().all(|use_| !use_.saturated),
        "{saturation:?}"
    );
    assert!((saturation.offered_per_sec - 500.0).abs() < 25.0);
    assert!((saturation.completed_per_sec - saturation.offered_per_sec).abs() < 5.0);
}

// One handler spending 5 ms of CPU on each call: 200 calls a second at most.
#[test]
fn too_few_handlers() {
    let summary = limited_by(
        "rpc_handlers",
        &[
            "hbase.regionserver.handler.count=1",
            "io.handler_cpu_per_call=5ms",
        ],
    );
    assert!(share(&summary, "rpc_handlers") > 0.99);
}

// The WAL on a device of its own that moves 200 KB a second: about 190 puts of 1 KB.
#[test]
fn a_slow_wal_device() {
    let summary = limited_by("wal_device", &["io.wal_write_bandwidth=200KB/s"]);
    assert!(share(&summary, "wal_device") > 0.95);
    // The handlers wait on its syncs, busy too, but they are not what limits the server.
    assert!(share(&summary, "hdfs_write") < 0.5);
}

// The HDFS write pipe, shared by the WAL and the flushes, at 200 KB a second.
#[test]
fn a_slow_hdfs_write_pipe() {
    let summary = limited_by("hdfs_write", &["io.hdfs_write_bandwidth=200KB/s"]);
    assert!(share(&summary, "hdfs_write") > 0.95);
}

// One flush handler spending 1 ms of CPU per cell on 1 MB flushes: about 1000 cells a second
// leave the memstore, against 2000 puts a second coming in; the memstore reaches its limits and
// writes are held back, but the flusher is what cannot keep up (busy most of the time: between
// flushes it waits for the next request).
#[test]
fn a_slow_flusher() {
    let summary = limited_by(
        "flush_handlers",
        &[
            &rate(2000),
            "hbase.hstore.flusher.count=1",
            "io.flush_cpu_per_cell=1ms",
            "tables[0].memstore_flushsize=1MB",
            "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy",
        ],
    );
    assert!(share(&summary, "flush_handlers") > 0.8);
    assert!(share(&summary, "memstore_limits") > 0.05);
    assert!(share(&summary, "hdfs_write") < 0.5);
}

// Compactions throttled to 100 KB a second on one thread, three files blocking flushes: the
// store files pile up, flushes wait on them, the memstore fills, and the compaction thread,
// busy all along, is what cannot keep up.
#[test]
fn a_slow_compactor() {
    let summary = limited_by(
        "compaction_threads",
        &[
            &rate(2000),
            "tables[0].memstore_flushsize=2MB",
            "hbase.hstore.blockingStoreFiles=3",
            "hbase.hstore.compactionThreshold=2",
            "hbase.regionserver.thread.compaction.small=1",
            "hbase.hstore.compaction.throughput.lower.bound=102400",
            "hbase.hstore.compaction.throughput.higher.bound=102400",
        ],
    );
    assert!(share(&summary, "compaction_threads") > 0.9);
    assert!(share(&summary, "hdfs_write") < 0.5);
    assert!(share(&summary, "hdfs_read") < 0.5);
}
