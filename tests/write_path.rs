//! The write path and the MemStoreFlusher against laws and HBase's rules: queues obey Little's
//! law, stalls appear exactly when flushes cannot keep up, the periodic flusher's timing, row
//! locks per profile, the two profiles' limits and flush selections, the flush throughput
//! controller, the StoreHotnessProtector, and the known bugs of the flusher (HBASE-10499) and
//! the snapshot (HBASE-21738) with their switches on and off.

mod common;

use common::{bundled, run, scenario};
use regionsim::model::config::ServerConfig;
use regionsim::model::region::hregion::{StoreView, select_stores_to_flush};
use regionsim::model::timeline::MarkerKind;
use regionsim::sim::SimTime;

// Little's law for the MemStoreFlusher's queue and the RPC call queues: the time-averaged
// length equals arrivals per second × mean wait (within 2%), in a run where both are busy.
#[test]
fn littles_law_holds_for_the_flush_and_call_queues() {
    let scenario = bundled("scenarios/write-stall.toml", &["duration=3m"]);
    let (_, summary) = run(&scenario);
    let seconds = summary.simulated_seconds;
    let queue = &summary.flush_queue;
    assert!(queue.arrivals > 10, "{queue:?}");
    let predicted = queue.arrivals as f64 / seconds * queue.mean_wait_ms / 1000.0;
    assert!(
        (queue.time_avg_length - predicted).abs() <= 0.02 * queue.time_avg_length,
        "flush queue: L = {}, λW = {predicted}",
        queue.time_avg_length
    );
    let rpc = &summary.rpc;
    assert!(rpc.queue_time_avg_length > 0.5, "{rpc:?}");
    let predicted = rpc.calls as f64 / seconds * rpc.queue_mean_wait_ms / 1000.0;
    assert!(
        (rpc.queue_time_avg_length - predicted).abs() <= 0.02 * rpc.queue_time_avg_length,
        "call queue: L = {}, λW = {predicted}",
        rpc.queue_time_avg_length
    );
}

// With flush bandwidth below the ingest rate (the WAL on a device of its own), memstores
// outgrow flush size × block multiplier: RegionTooBusyException, retries and blocked time
// appear. With ample bandwidth, none do. With the WAL sharing the starved pipe as one stream,
// the WAL is what falls behind: handlers wait on syncs and the call queue overflows, and no
// memstore reaches its blocking size.
#[test]
fn stalls_appear_exactly_when_flushes_cannot_keep_up() {
    let starved = bundled("scenarios/write-stall.toml", &["duration=6m"]);
    let (_, summary) = run(&starved);
    assert!(summary.region_too_busy > 0);
    assert!(summary.blocked.region_too_busy_seconds > 10.0);
    assert!(summary.client.errors["RegionTooBusyException"] > 0);
    assert!(summary.client.retries > 0);
    let ample = bundled(
        "scenarios/write-stall.toml",
        &["duration=6m", "io.hdfs_write_bandwidth=200MB/s"],
    );
    let (_, summary) = run(&ample);
    assert_eq!(summary.region_too_busy, 0);
    assert_eq!(summary.blocked.region_too_busy_seconds, 0.0);
    assert_eq!(summary.blocked.global_pressure_seconds, 0.0);
    assert_eq!(summary.client.retries, 0);
    assert_eq!(summary.operations["batch"].failed, 0);
    let mut shared = bundled("scenarios/write-stall.toml", &["duration=6m"]);
    shared.io.wal_write_bandwidth = None;
    let (_, summary) = run(&shared);
    assert_eq!(summary.region_too_busy, 0);
    assert!(summary.rpc.handler_utilisation > 0.99, "{:?}", summary.rpc);
    assert!(summary.rpc.call_queue_too_big > 0);
    // The WAL wrote at most what the pipe carries (12 MB/s for 6 minutes).
    assert!(
        summary.wal.bytes <= 12 * 1024 * 1024 * 360,
        "{:?}",
        summary.wal
    );
}

/// One region written for ten seconds, then left alone.
const IDLE_REGION: &str = r#"
name = "idle-region"
seed = 3
duration = "10m"
[properties]
"hbase.regionserver.optionalcacheflushinterval" = "60s"
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
end = "10s"
arrival = { kind = "open", rate = "100/s" }
keys = { dist = "uniform", count = 1000 }
"#;

// The periodic flusher: an edit older than the interval makes the chore (every 10 s) request a
// flush delayed by up to 300 s, so the idle region is flushed — by reason "periodic" — before
// interval + chore period + the maximum delay, and not before the interval.
#[test]
fn the_periodic_flusher_flushes_an_idle_region_in_time() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let profile = format!("profile={profile}");
        let bound = 60 + 10 + 300 + 1;
        let (_, summary) = run(&scenario(
            IDLE_REGION,
            &[&profile, &format!("duration={bound}s")],
        ));
        assert_eq!(summary.flushes.by_reason["periodic"], 1, "{profile}");
        assert_eq!(summary.memstore.bytes_at_end, 0, "{profile}");
        let (_, early) = run(&scenario(IDLE_REGION, &[&profile, "duration=59s"]));
        assert_eq!(early.flushes.count, 0, "{profile}");
        assert!(early.memstore.bytes_at_end > 0, "{profile}");
    }
}

/// Closed-loop clients incrementing one counter, with a constant 1 ms WAL sync.
const ONE_COUNTER: &str = r#"
name = "one-counter"
seed = 5
duration = "10s"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "closed", clients = 20 }
mix = { increment = 1.0 }
keys = { dist = "uniform", count = 1 }
"#;

// Increments take the row lock's exclusive side, so writers of one row take turns. 2.5 holds
// the lock through the WAL sync: one increment per sync, about 1000/s with a 1 ms sync. 1.4
// releases the row lock before the sync, so the next increment overlaps it and many more get
// through.
#[test]
fn writers_of_one_row_take_turns_as_each_profile_locks() {
    let (_, modern) = run(&scenario(ONE_COUNTER, &["profile=hbase-2.5"]));
    let rate = modern.operations["increment"].throughput_per_sec;
    assert!((900.0..=1001.0).contains(&rate), "2.5: {rate}/s");
    let (_, old) = run(&scenario(ONE_COUNTER, &["profile=hbase-1.4"]));
    let old_rate = old.operations["increment"].throughput_per_sec;
    assert!(
        old_rate > 3.0 * rate,
        "1.4: {old_rate}/s against 2.5's {rate}/s"
    );
}

// The two profiles on the same heap: both take the upper limit as 0.4 of the heap and the lower
// as 0.95 of that (32 GB → 12.8 GB and 12.16 GB), but choose different stores to flush — 2.5's
// FlushAllLargeStoresPolicy bounds "large" at max(flush size ÷ families, 16 MB), 1.4's
// FlushLargeStoresPolicy at 16 MB regardless.
#[test]
fn profiles_compute_limits_and_flush_selection_as_hbase_does() {
    const MB: u64 = 1 << 20;
    let text = "name = \"p\"\nduration = \"1s\"\n[server]\nheap = \"32GB\"\n[[tables]]\nname = \"t\"\nfamilies = [\"a\", \"b\", \"c\"]\n";
    let stores = [50 * MB, 20 * MB, 10 * MB].map(|heap_bytes| StoreView {
        heap_bytes,
        data_bytes: heap_bytes,
        oldest_edit_at: Some(SimTime::ZERO),
        sequence_id_unflushed_min: Some(1),
    });
    let mut chosen = Vec::new();
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let config = ServerConfig::new(&scenario(text, &[&format!("profile={profile}")]));
        let gib = (1u64 << 30) as f64;
        assert!(
            (config.global_upper_bytes as f64 / gib - 12.8).abs() < 1e-6,
            "{profile}"
        );
        assert!(
            (config.global_lower_bytes as f64 / gib - 12.16).abs() < 1e-6,
            "{profile}"
        );
        chosen.push(select_stores_to_flush(
            &config,
            128 * MB,
            &stores,
            10,
            SimTime::ZERO,
        ));
    }
    assert_eq!(chosen, vec![vec![0], vec![0, 1]]);
}

// With more store files than hbase.hstore.blockingStoreFiles (1 here: a store is over it from
// its second file on, before a compaction, which needs three files, can help), each flush is put
// off every blockingWaitTime/100 until blockingWaitTime (90 s) has passed since it was requested,
// a compaction is requested, and writes back up behind the memstore. The flusher asserts that no region is ever in its queue twice through all of it.
#[test]
fn too_many_store_files_put_flushes_off_for_up_to_the_blocking_wait() {
    let scenario = bundled(
        "scenarios/write-stall.toml",
        &[
            "duration=12m",
            "hbase.hstore.blockingStoreFiles=1",
            "io.hdfs_write_bandwidth=200MB/s",
        ],
    );
    let (_, summary) = run(&scenario);
    let flushes = &summary.flushes;
    assert!(flushes.delayed_for_store_files > 0);
    assert!(summary.compactions.requested > 0);
    // Each put-off flush waits at most 90 s (plus one 0.9 s retry step).
    let delayed_flushes = flushes.delayed_for_store_files.div_ceil(100);
    assert!(summary.blocked.store_files_seconds > 0.0);
    assert!(summary.blocked.store_files_seconds <= flushes.count as f64 * 91.0);
    assert!(delayed_flushes <= flushes.count + summary.flush_queue.max_length);
}

// PressureAwareFlushThroughputController: with the memstore far below the global lower limit
// (flush pressure about 0.003), the limit stays at the lower bound plus a hair, so the one
// region (kept from splitting, which would make two flushes share the limit) writes its files
// at about 4 MB/s: the mean flush lasts file bytes ÷ 4 MB/s (within 2%, the snapshot's wait and
// the tuner's hair), where without a controller it takes the pipe's 100 MB/s.
#[test]
fn the_pressure_aware_flush_controller_paces_flushes_at_its_bound() {
    let controller = "hbase.regionserver.flush.throughput.controller=org.apache.hadoop.hbase.regionserver.throttle.PressureAwareFlushThroughputController";
    let no_split = "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy";
    let bounds = [
        "duration=2m",
        no_split,
        controller,
        "hbase.hstore.flush.throughput.lower.bound=4MB",
        "hbase.hstore.flush.throughput.upper.bound=8MB",
    ];
    let (_, paced) = run(&scenario(common::ONE_REGION, &bounds));
    let (_, free) = run(&scenario(common::ONE_REGION, &["duration=2m", no_split]));
    let mean_file_bytes = |summary: &regionsim::report::Summary| {
        summary.flushes.file_bytes as f64 / summary.flushes.count as f64
    };
    assert!(paced.flushes.count >= 5, "{:?}", paced.flushes);
    let expected_ms = mean_file_bytes(&paced) / (4u64 << 20) as f64 * 1000.0;
    let mean_ms = paced.flushes.duration_ms.mean;
    assert!(
        (mean_ms - expected_ms).abs() <= 0.02 * expected_ms,
        "paced flushes last {mean_ms} ms, expected {expected_ms} ms"
    );
    let unpaced_ms = mean_file_bytes(&free) / (100u64 << 20) as f64 * 1000.0;
    assert!(
        free.flushes.duration_ms.mean < 2.0 * unpaced_ms,
        "{} ms against {unpaced_ms} ms",
        free.flushes.duration_ms.mean
    );
}

/// One region (kept from splitting) written by single puts of 150 cells each (150 columns of
/// 10 bytes), synced in 5 ms: about ten puts are between the protector and the end of their
/// mini-batch at once.
const DENSE_PUTS: &str = r#"
name = "dense-puts"
seed = 3
duration = "20s"
profile = "hbase-2.5"

[properties]
"hbase.regionserver.region.split.policy" = "org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy"

[io]
wal_sync_latency = { dist = "constant", value = "5ms" }

[[tables]]
name = "t"
regions = 1

[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2k/s", process = "uniform" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 10 }
columns = 150
"#;

// StoreHotnessProtector: with hbase.region.store.parallel.put.limit = 1, a store takes at most
// 1 × the multiplier (2) dense puts between the protector and the end of their mini-batch (a
// 5 ms sync, 2.5 holding the mini-batch through it), so at most 2 ÷ 5 ms = 400 puts/s get
// through; the rest of the 2k/s are refused with RegionTooBusyException and retried — every
// refusal is a retry, but for those whose retry was still to come at the end. Off (the default
// 0), or with the puts' 150 cells not above the minimum column count, nothing is refused.
#[test]
fn the_store_hotness_protector_refuses_dense_puts_past_its_bound() {
    let (_, on) = run(&scenario(
        DENSE_PUTS,
        &["hbase.region.store.parallel.put.limit=1"],
    ));
    assert!(on.region_too_busy > 1000, "{}", on.region_too_busy);
    let puts = &on.operations["put"];
    assert!(on.client.retries <= on.region_too_busy);
    assert!(on.region_too_busy - on.client.retries <= puts.in_flight_at_end);
    assert!(
        puts.throughput_per_sec <= 400.0 && puts.throughput_per_sec > 350.0,
        "{puts:?}"
    );
    let (_, off) = run(&scenario(DENSE_PUTS, &[]));
    assert_eq!((off.region_too_busy, off.client.retries), (0, 0));
    assert!(off.operations["put"].throughput_per_sec > 1990.0);
    let (_, sparse) = run(&scenario(
        DENSE_PUTS,
        &[
            "hbase.region.store.parallel.put.limit=1",
            "hbase.region.store.parallel.put.limit.min.column.count=150",
        ],
    ));
    assert_eq!((sparse.region_too_busy, sparse.client.retries), (0, 0));
    assert_eq!(sparse.trace_hash, off.trace_hash);
}

// HBASE-21738 on: a flush's snapshot holds the region's updates lock while it counts the
// snapshot's cells, 244 ns a cell, so the put that arrives as the lock is taken waits the whole
// count: with one region of 16 MB flushes put at a steady 5k/s (one every 0.2 ms, each synced
// in 1 ms), the slowest put takes at least the hold less 0.2 ms, and not 3 ms more (the 1 ms
// sync, and the 30 handlers working off the puts that queued behind the lock). Off, no put
// takes 3 ms (its sync, a roll's, its CPU and the network).
#[test]
fn hbase_21738_holds_writers_for_the_cell_count() {
    let no_split = "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy";
    let sets = ["duration=2m", no_split, "bugs.HBASE-21738=true"];
    let (_, on) = run(&scenario(common::ONE_REGION, &sets));
    let memstore = &on.memstore;
    let cells_flushed = memstore.cells_added - memstore.cells_at_end;
    assert!(on.flushes.count >= 5, "{:?}", on.flushes);
    let hold_ms = (cells_flushed as f64 / on.flushes.count as f64) * 244e-6;
    let max_ms = on.operations["put"].latency_ms.max;
    assert!(
        max_ms >= hold_ms - 0.2 && max_ms <= hold_ms + 3.0,
        "the slowest put took {max_ms} ms, the hold is {hold_ms} ms"
    );
    let (_, off) = run(&scenario(common::ONE_REGION, &["duration=2m", no_split]));
    let off_max_ms = off.operations["put"].latency_ms.max;
    assert!(off_max_ms < 3.0, "{off_max_ms} ms");
}

// HBASE-10499 on: a global-pressure flush takes region 0's flush request (queued first in the
// same millisecond) out of the queue instead of its own; region 0 never flushes again, grows to
// its blocking size and refuses writes with RegionTooBusyException to the end. Off, region 0
// flushes and nothing is refused. The runs are the same up to that first removal.
#[test]
fn hbase_10499_leaves_a_region_unflushed_with_the_switch_on_only() {
    let region_0_flushes = |outcome: &regionsim::model::RunOutcome| {
        outcome
            .timeline
            .markers
            .iter()
            .filter(|marker| marker.kind == MarkerKind::Flush && marker.region == Some(0))
            .count()
    };
    let (on_outcome, on) = run(&bundled("scenarios/hbase-10499.toml", &[]));
    assert!(on.region_too_busy > 100_000, "{}", on.region_too_busy);
    assert_eq!(region_0_flushes(&on_outcome), 0);
    let region_0 = on_outcome
        .region_map_at_end
        .iter()
        .flatten()
        .find(|region| region.id == 0)
        .unwrap();
    assert_eq!(region_0.store_files, vec![0]);
    let (off_outcome, off) = run(&bundled(
        "scenarios/hbase-10499.toml",
        &["bugs.HBASE-10499=false"],
    ));
    assert_eq!(off.region_too_busy, 0);
    assert!(region_0_flushes(&off_outcome) > 0);
}
