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

// The periodic flusher's settings in 1.4 arrive with their releases: from 1.4.11 the chore runs
// every hbase.regionserver.flush.check.period (1 s here) and from 1.4.8 delays its requests by up
// to rangeofdelayseconds (5 s here), so the idle region is flushed before 60 + 1 + 5 + 1 s; the
// same bound with 2.5. Before 1.4.8 the range was 5 minutes, fixed, and the settings are refused.
#[test]
fn the_periodic_flusher_follows_its_settings_where_the_release_has_them() {
    let settings = [
        "hbase.regionserver.flush.check.period=1s",
        "hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds=5",
    ];
    for profile in ["profile=hbase-2.5", "profile=hbase-1.4"] {
        let bound = 60 + 1 + 5 + 1;
        let mut sets = vec![profile, "duration=67s"];
        sets.extend(settings);
        let (_, summary) = run(&scenario(IDLE_REGION, &sets));
        assert_eq!(
            summary.flushes.by_reason["periodic"], 1,
            "{profile}, {bound}s"
        );
        assert_eq!(summary.memstore.bytes_at_end, 0, "{profile}");
    }
    let text = IDLE_REGION.replace(
        "seed = 3",
        "seed = 3\nrelease = \"1.4.7\"\nprofile = \"hbase-1.4\"",
    );
    let error = regionsim::scenario::load_str(
        "idle.toml",
        &text.replace(
            "[properties]",
            "[properties]\n\"hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds\" = 5",
        ),
        std::path::Path::new("."),
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("arrived in HBase 1.4.8"),
        "{error}"
    );
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
    // Off, the slowest put is one that waited behind a WAL roll (the new file's create and a
    // sync): far below the hold.
    let off_max_ms = off.operations["put"].latency_ms.max;
    assert!(
        off_max_ms < 4.0 && off_max_ms < hold_ms / 2.0,
        "{off_max_ms} ms, hold {hold_ms} ms"
    );
}

// HBASE-10499 on: a global-pressure flush takes region 0's flush request (queued first in the
// same millisecond) out of the queue instead of its own; region 0 never flushes again, grows to
// its blocking size and refuses writes with RegionTooBusyException to the end, while the
// application's threads retry its rows and the arrivals pile up behind them. Off, region 0
// flushes, nothing is refused and the client keeps up. The runs are the same up to that first removal.
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
    assert!(on.region_too_busy > 1_000, "{}", on.region_too_busy);
    // The application's threads end up retrying region 0's rows, and its arrivals pile up.
    assert!(on.client.could_not_keep_up().is_some());
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
    assert_eq!(off.client.could_not_keep_up(), None);
}

// hbase.hstore.blockingWaitTime = 0: FlushRegionEntry.isMaximumWait is
// (currentTime − createTime) > maximumWait in milliseconds, createTime the request's, so a flush
// taken in the millisecond it was requested is put off once (asking for a compaction) and goes
// ahead from the next millisecond; one taken later goes ahead at once. Each flush is put off at
// most once, for a millisecond (and then perhaps behind another flush for a handler). (Comparing `now − created ≤ wait` in nanoseconds
// re-queued the entry due at the same instant forever: the run never ended.)
#[test]
fn a_blocking_wait_of_zero_goes_ahead_with_the_flush() {
    let scenario = bundled(
        "scenarios/write-stall.toml",
        &[
            "duration=12m",
            "hbase.hstore.blockingStoreFiles=1",
            "hbase.hstore.blockingWaitTime=0",
            "io.hdfs_write_bandwidth=200MB/s",
        ],
    );
    let (_, summary) = run(&scenario);
    let flushes = &summary.flushes;
    assert!(flushes.count > 10, "{flushes:?}");
    assert!(flushes.delayed_for_store_files > 0, "{flushes:?}");
    assert!(flushes.delayed_for_store_files <= flushes.count + summary.flush_queue.max_length);
    // Put off for a millisecond, then behind at most one flush for a handler.
    let wait_seconds = 0.001 + flushes.duration_ms.max / 1000.0;
    assert!(
        summary.blocked.store_files_seconds
            <= flushes.delayed_for_store_files as f64 * wait_seconds
    );
}

/// One region with two families: "hot" written at about 1 MB/s and flushed by size (alone: the
/// flush policy's large store), "cold" written slowly, so that only "cold" keeps old WAL files
/// from being archived. Small WAL files (a roll every 2 MB) and maxlogs 12, more than the files
/// between two flushes of "hot". No compactions, so store files count flushes.
const COLD_FAMILY: &str = r#"
name = "cold-family"
seed = 11
duration = "3m"
[properties]
"hbase.hregion.memstore.flush.size" = "32MB"
"hbase.regionserver.hlog.blocksize" = "4MB"
"hbase.regionserver.logroll.multiplier" = 0.5
"hbase.regionserver.maxlogs" = 25
"hbase.regionserver.region.split.policy" = "org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 1
families = ["cold", "hot"]
compaction_enabled = false
[[workloads]]
name = "hot"
table = "t"
families = ["hot"]
arrival = { kind = "open", rate = "1000/s" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
[[workloads]]
name = "cold"
table = "t"
families = ["cold"]
arrival = { kind = "open", rate = "5/s" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

/// Store files of the run's one region, per store ("cold", "hot").
fn store_files(outcome: &regionsim::model::RunOutcome) -> Vec<usize> {
    outcome.region_map_at_end[0][0].store_files.clone()
}

// Too many WAL files (SequenceIdAccounting.findLower): 2.5 flushes exactly the families that
// pin the oldest file — here "cold" alone, so "cold"'s files are the too-many-WALs flushes and
// "hot"'s the size flushes; 1.4 flushes every store of the region (forceFlushAllStores), so
// both families get a file from each. Neither asks the flush policy, which would have flushed
// "hot" alone whenever it was the large store.
#[test]
fn too_many_wals_flush_the_pinning_families_in_2_5_and_every_store_in_1_4() {
    let (outcome, summary) = run(&scenario(COLD_FAMILY, &["profile=hbase-2.5"]));
    let by_reason = &summary.flushes.by_reason;
    assert!(by_reason["too_many_wals"] >= 2, "{by_reason:?}");
    assert!(by_reason["memstore_size"] >= 2, "{by_reason:?}");
    assert_eq!(
        store_files(&outcome),
        vec![
            by_reason["too_many_wals"] as usize,
            by_reason["memstore_size"] as usize
        ]
    );
    let (outcome, summary) = run(&scenario(COLD_FAMILY, &["profile=hbase-1.4"]));
    let by_reason = &summary.flushes.by_reason;
    assert!(by_reason["too_many_wals"] >= 2, "{by_reason:?}");
    assert_eq!(
        store_files(&outcome),
        vec![
            by_reason["too_many_wals"] as usize,
            (by_reason["memstore_size"] + by_reason["too_many_wals"]) as usize
        ]
    );
}

/// Six handlers over three call queues, ten regions, single puts each holding a handler for a
/// 10 ms WAL sync: at 300/s about half the handlers are busy.
const SIX_HANDLERS: &str = r#"
name = "six-handlers"
seed = 19
duration = "30s"
[properties]
"hbase.regionserver.handler.count" = 6
"hbase.ipc.server.callqueue.handler.factor" = 0.5
[io]
wal_sync_latency = { dist = "constant", value = "10ms" }
[[tables]]
name = "t"
regions = 10
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "300/s" }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

// hbase.ipc.server.callqueue.type: fifo (the default) runs the FastPathBalancedQueueRpcExecutor,
// where a new call goes to any parked handler and waits only if none is; deadline runs the plain
// BalancedQueueRpcExecutor, where it waits whenever both handlers of the queue the balancer
// picked are busy — so several times as long on average at the same load. codel uses the fast
// path too and, not overloaded, queues as fifo does.
#[test]
fn idle_handlers_take_calls_from_any_queue_unless_the_queue_type_is_deadline() {
    let wait = |queue_type: &str| {
        let (_, summary) = run(&scenario(
            SIX_HANDLERS,
            &[&format!("hbase.ipc.server.callqueue.type={queue_type}")],
        ));
        assert_eq!(summary.rpc.call_queue_too_big, 0, "{queue_type}");
        summary.rpc.queue_mean_wait_ms
    };
    let (fifo, deadline, codel) = (wait("fifo"), wait("deadline"), wait("codel"));
    assert!(
        deadline > 3.0 * fifo,
        "deadline {deadline} ms, fifo {fifo} ms"
    );
    assert_eq!(codel, fifo);
}

// AdaptiveLifoCoDelCallQueue under three times the load the handlers drain, with a 10 ms
// target: calls that queued over 20 ms while a queue is overloaded are dropped with
// CallDroppedException. In 2.5.16 the LIFO threshold applies to the soft limit (HBASE-29912:
// 0.8 × 20 calls), so full queues serve the newest call first, the least wait stays short and
// nothing is dropped; in 2.5.15 it applied to the capacity (250), never reached, and 1.4 the
// same (capacity max(60, 250)): FIFO, long waits, drops.
#[test]
fn codel_drops_calls_that_waited_too_long_in_an_overloaded_queue() {
    let overloaded = |release: &str| {
        let profile = if release.starts_with("1.4") {
            "profile=hbase-1.4"
        } else {
            "profile=hbase-2.5"
        };
        let (_, summary) = run(&scenario(
            SIX_HANDLERS,
            &[
                profile,
                &format!("release={release}"),
                "hbase.ipc.server.callqueue.type=codel",
                "hbase.ipc.server.callqueue.codel.target.delay=10",
                "workloads.0.arrival.rate=1000/s",
                "duration=20s",
            ],
        ));
        summary
    };
    for release in ["2.5.15", "1.4.14"] {
        let summary = overloaded(release);
        assert!(
            summary.rpc.calls_dropped_codel > 1000,
            "{release}: {:?}",
            summary.rpc
        );
        assert_eq!(
            summary.client.errors["CallDroppedException"], summary.rpc.calls_dropped_codel,
            "{release}"
        );
    }
    let summary = overloaded("2.5.16");
    assert_eq!(summary.rpc.calls_dropped_codel, 0, "{:?}", summary.rpc);
    assert!(summary.rpc.call_queue_too_big > 1000);
}

// A flush's time (HRegion.internalFlushcache) is its snapshot wait, a full WAL sync after
// START_FLUSH, its files' bytes at the write bandwidth alongside the CPU for each snapshot cell
// (10 µs here, more than the bytes' 100 MB/s), one validation open, one rename and one open per
// file (7 + 3 + 7 ms), then COMMIT_FLUSH's sync. With a constant 1 ms sync the two syncs take
// 2 ms, and up to 2 ms more behind syncs in flight. Before, a flush took its snapshot wait and
// its bytes' time only.
#[test]
fn a_flush_costs_its_cells_its_files_and_two_marker_syncs() {
    let (_, summary) = run(&scenario(
        common::ONE_REGION,
        &[
            "duration=60s",
            "io.flush_cpu_per_cell=10us",
            "io.hdfs_rename_latency=3ms",
            "io.store_file_open_latency=7ms",
            "hbase.regionserver.region.split.policy=org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy",
        ],
    ));
    let flushes = &summary.flushes;
    assert!(flushes.count >= 5, "{flushes:?}");
    let memstore = &summary.memstore;
    let cells_per_flush =
        (memstore.cells_added - memstore.cells_at_end) as f64 / flushes.count as f64;
    let cpu_ms = cells_per_flush * 0.010;
    let bytes_ms = flushes.file_bytes as f64 / flushes.count as f64 / (100 << 20) as f64 * 1000.0;
    assert!(
        cpu_ms > bytes_ms,
        "{cpu_ms} ms of CPU, {bytes_ms} ms of bytes"
    );
    let syncs_ms =
        flushes.duration_ms.mean - flushes.snapshot_wait_ms.mean - cpu_ms - (7.0 + 3.0 + 7.0);
    assert!(
        (2.0..=4.0).contains(&syncs_ms),
        "{syncs_ms} ms for the two marker syncs: {flushes:?}"
    );
    // Two markers per committed flush, and the START_FLUSH of one under way at the end.
    let markers = summary.wal.appends - summary.operations["put"].attempted;
    assert!((2 * flushes.count..=2 * flushes.count + 1).contains(&markers));
}

// A call outlives its client's patience: with a 1 ms RPC timeout the client gives up on (and
// may fail for good) a request whose call is still waiting for its WAL sync on the server,
// which applies the write all the same, unseen (as HBase does). The server's call keeps what
// it needs of the request until it is done; it used to read a request the client had
// already dropped.
#[test]
fn a_call_outlives_its_clients_timeout() {
    let text = r#"
name = "impatient"
seed = 3
duration = "30s"
[properties]
"hbase.rpc.timeout" = 1
"hbase.client.pause" = 1
[io]
wal_sync_latency = { dist = "uniform", min = "0us", max = "10ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "20/s" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 1 }
value_size = { dist = "constant", bytes = 10 }
"#;
    let (_, summary) = run(&scenario(text, &[]));
    let put = &summary.operations["put"];
    assert!(put.failed > 0, "{put:?}");
    assert!(put.succeeded > 0);
    assert!(summary.client.errors["CallTimeoutException"] > 0);
    // Writes the clients never heard of are applied and verified all the same.
    assert!(summary.durability.acknowledged > put.succeeded);
    assert_eq!(summary.durability.verified, summary.durability.acknowledged);
}

// HBASE-8755 on (0.94's write model): one WAL sync at a time, and the next only after the last
// one's writers have passed the flush lock, 82.3 µs each; so the server can never do more than
// one edit per pass (12,150 a second), and twice the writers add almost nothing once it is
// near that. Off, the modelled server's syncs overlap and twice the writers nearly double it.
#[test]
fn hbase_8755_levels_off_at_one_edit_per_lock_pass() {
    let throughput = |bug: &str, clients: u32| {
        let (_, summary) = run(&common::bundled(
            "scenarios/hbase-8755.toml",
            &[
                "duration=10s",
                &format!("bugs.HBASE-8755={bug}"),
                &format!("workloads.0.arrival.clients={clients}"),
            ],
        ));
        (
            summary.operations["put"].throughput_per_sec,
            summary.wal.syncs_in_flight_peak,
        )
    };
    let (on_100, peak) = throughput("true", 100);
    let (on_200, _) = throughput("true", 200);
    assert_eq!(peak, 1);
    let ceiling = 1e9 / regionsim::scenario::known_bugs::HBASE_8755_LOCK_PASS_NANOS as f64;
    assert!(on_100 < on_200 && on_200 < ceiling, "{on_100} {on_200}");
    assert!(on_200 < on_100 * 1.25, "{on_100} {on_200}");
    let (off_100, off_peak) = throughput("false", 100);
    let (off_200, _) = throughput("false", 200);
    assert!(off_peak > 1, "{off_peak}");
    assert!(off_100 > 3.0 * on_100, "{off_100} {on_100}");
    assert!(off_200 > 1.8 * off_100, "{off_200} {off_100}");
}
