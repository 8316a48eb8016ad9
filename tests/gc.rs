//! Garbage collection (`[jvm] gc = "on"`): young collections at the rate the allocations fill
//! the young generation, pauses that stop the server's threads and show in the latency tail,
//! and a pause past the ZooKeeper session that aborts the server; the old generation: G1's
//! marking past IHOP and its mixed collections, CMS's cycles and concurrent mode failures,
//! full collections when the heap cannot hold what is promoted.

mod common;

use common::{run, scenario};

/// Single puts at 1000/s into 4 regions with quick syncs: a tight latency distribution, so a
/// pause stands out.
const STEADY: &str = r#"
name = "steady"
seed = 11
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[jvm]
gc = "on"
young = "32MB"
pause_base = "100ms"
[[tables]]
name = "t"
regions = 4
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "1000/s", process = "uniform" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
durability = "SYNC_WAL"
"#;

// A collection whenever the young generation has filled: as many as the run allocated over
// the young size (within one, the part filled at the end).
#[test]
fn young_collections_follow_the_allocation_rate() {
    let (_, summary) = run(&scenario(STEADY, &["jvm.young=\"16MB\""]));
    let gc = summary.gc.as_ref().expect("on");
    let allocated = gc.allocation_bytes_per_sec * summary.simulated_seconds;
    let expected = allocated / gc.young_bytes as f64;
    assert!(gc.young_collections >= 20, "{gc:?}");
    assert!(
        (gc.young_collections as f64 - expected).abs() <= 1.0,
        "{} collections for {expected:.2} young generations allocated",
        gc.young_collections
    );
    assert!(
        (gc.young_collections as f64 / expected - 1.0).abs() <= 0.05,
        "{} collections for {expected:.2}",
        gc.young_collections
    );
    // Doubling the young generation halves them.
    let (_, bigger) = run(&scenario(STEADY, &["jvm.young=\"32MB\""]));
    let halved = bigger.gc.expect("on").young_collections as f64;
    assert!(
        (halved - gc.young_collections as f64 / 2.0).abs() <= 1.0,
        "{halved}"
    );
}

// The pauses stop the server: requests that arrive during one wait for its end, so the
// latency tail grows by about a pause while the median does not move.
#[test]
fn pauses_show_in_the_tail_not_the_median() {
    let (_, with) = run(&scenario(STEADY, &[]));
    let off = STEADY.replace(
        "[jvm]\ngc = \"on\"\nyoung = \"32MB\"\npause_base = \"100ms\"\n",
        "",
    );
    assert_ne!(off, STEADY);
    let (_, without) = run(&scenario(&off, &[]));
    let (with, without) = (&with.operations["put"], &without.operations["put"]);
    assert!(
        (with.latency_ms.p50 - without.latency_ms.p50).abs() < 0.5,
        "{} vs {}",
        with.latency_ms.p50,
        without.latency_ms.p50
    );
    assert!(without.latency_ms.max < 20.0, "{:?}", without.latency_ms);
    assert!(with.latency_ms.max > 90.0, "{:?}", with.latency_ms);
    assert!(with.latency_ms.p999 > 30.0, "{:?}", with.latency_ms);
}

// A pause longer than the ZooKeeper session expires it: the server aborts, recovers as from a
// crash, and every acknowledged SYNC_WAL write is found after the recovery.
#[test]
fn a_pause_past_the_session_aborts_the_server_and_loses_nothing() {
    let (_, summary) = run(&scenario(
        STEADY,
        &[
            "jvm.pause_base=\"5s\"",
            "zookeeper.session.timeout=3000",
            "server.restart=\"10s\"",
        ],
    ));
    let gc = summary.gc.as_ref().expect("on");
    assert!(gc.session_expiries >= 1, "{gc:?}");
    assert_eq!(
        summary.recovery.recoveries.len() as u64,
        gc.session_expiries
    );
    assert!(
        summary
            .recovery
            .recoveries
            .iter()
            .all(|recovery| recovery.cause == "gc_pause")
    );
    assert!(summary.durability.acknowledged > 10_000);
    assert_eq!(summary.durability.lost, 0);
    assert_eq!(summary.durability.violation(), None);
}

// Settings for the collector are refused with it off.
#[test]
fn jvm_settings_need_gc_on() {
    let error = common::load(STEADY, &["jvm.gc=off", "jvm.young=\"1GB\""]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("applies only with garbage collection"),
        "{error}"
    );
    let error = common::load(STEADY, &["jvm.young=\"8GB\""]).unwrap_err();
    assert!(error.to_string().contains("half the heap"), "{error}");
}

// A crash during a pause ends it with the process: the first collection (about 5 s in, the
// young generation full) pauses the server for 20 s; a crash at 10 s ends that pause, and the
// new process's threads run (with the CPU model too) — its split and region opens finish long
// before the old pause would have ended — and nothing acknowledged is lost.
#[test]
fn a_crash_ends_the_pause_with_the_process() {
    let (outcome, summary) = run(&scenario(
        STEADY,
        &[
            "jvm.pause_base=\"20s\"",
            "cpu.model=on",
            "server.restart=\"1s\"",
            r#"faults=[{ kind = "crash", at = "10s" }]"#,
        ],
    ));
    let first_pause = outcome
        .timeline
        .markers
        .iter()
        .find(|marker| marker.kind == regionsim::model::timeline::MarkerKind::GcPause)
        .expect("a pause")
        .time
        .as_secs_f64();
    assert!((2.0..10.0).contains(&first_pause), "{first_pause}");
    let recovery = &summary.recovery.recoveries[0];
    assert_eq!(recovery.cause, "crash");
    let completed = recovery.completed_at_s.expect("recovered");
    assert!(completed < first_pause + 20.0, "{completed} {first_pause}");
    assert_eq!(summary.gc.as_ref().expect("on").session_expiries, 0);
    assert_eq!(summary.durability.lost, 0);
    assert_eq!(summary.durability.violation(), None);
}

// A submit sent while the server is paused waits at its socket with its task counted, so a
// 1.4 mutator's closed-loop thread (which does not wait for its submits) is held by the task
// limits during a pause instead of submitting without end at one instant. (Found by the
// generator: one core, a 1MB young generation, think time 0.)
#[test]
fn submits_during_a_pause_count_against_the_task_limits() {
    let text = r#"
name = "paused-mutator"
seed = 3
duration = "30s"
profile = "hbase-1.4"
[server]
heap = "1GB"
cores = 1
[cpu]
model = "on"
[jvm]
gc = "on"
young = "1MB"
pause_base = "0ms"
[properties]
"hbase.client.write.buffer" = 1024
"hbase.client.max.perserver.tasks" = 1
[io]
wal_sync_latency = { dist = "constant", value = "0us" }
hdfs_write_bandwidth = "1MB/s"
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "closed", clients = 1, think = "0ms" }
client = "buffered_mutator"
keys = { dist = "uniform", count = 1 }
value_size = { dist = "constant", bytes = 0 }
durability = "SKIP_WAL"
"#;
    let (_, summary) = run(&scenario(text, &[]));
    let gc = summary.gc.as_ref().expect("on");
    assert!(gc.young_collections > 100, "{gc:?}");
    let mutator = &summary.client.buffered_mutators[0];
    assert!(mutator.tasks_peak <= 2, "{mutator:?}");
}

// The time series accounts for every pause: its per-interval shares add up to the run's pause
// time, and its allocation rates to the run's allocation.
#[test]
fn the_time_series_holds_every_pause_and_every_byte_allocated() {
    let (outcome, summary) = run(&scenario(STEADY, &[]));
    let gc = summary.gc.expect("on");
    let interval = outcome.timeline.interval.as_secs_f64();
    let samples = &outcome.timeline.samples;
    let paused: f64 = samples.iter().map(|s| s.gc_paused * interval).sum();
    assert!(
        (paused - gc.pause_total_seconds).abs() < 1e-6,
        "{paused} {}",
        gc.pause_total_seconds
    );
    assert!(samples.iter().all(|s| (0.0..=1.0).contains(&s.gc_paused)));
    let allocated: u64 = samples.iter().map(|s| s.gc_allocated_bytes).sum();
    let total = gc.allocation_bytes_per_sec * summary.simulated_seconds;
    assert!(
        (allocated as f64 - total).abs() / total < 1e-6,
        "{allocated} {total}"
    );
}

// A young generation too small for the allocation rate pauses the server for more than G1's
// throughput goal (1/13 of the time): garbage collection is named the bottleneck of a run
// that cannot keep up, ahead of the handlers its pauses keep busy.
#[test]
fn collections_past_the_throughput_goal_are_the_bottleneck() {
    let (_, summary) = run(&scenario(
        STEADY,
        &[
            "jvm.young=\"4MB\"",
            r#"workloads[0].arrival={ kind = "open", rate = "4000/s", threads = 8 }"#,
        ],
    ));
    let gc = summary
        .saturation
        .resources
        .iter()
        .find(|use_| use_.resource == "gc")
        .expect("gc is a resource with it on");
    assert!(gc.saturated && gc.share > 1.0 / 13.0, "{gc:?}");
    let bottleneck = summary.bottleneck.expect("saturated");
    assert_eq!(bottleneck.resource, "gc", "{bottleneck:?}");
}

/// 20 MB/s of 1 KB puts (200 multi-puts of 100 rows a second) into 4 regions of a 2 GB heap
/// with a 128 MB young generation: about 22 MB/s of memstore heap promoted, turned into old
/// garbage as the regions flush, so the old generation fills within a minute.
const HEAVY: &str = r#"
name = "heavy"
seed = 5
duration = "240s"
profile = "hbase-2.5"
[server]
heap = "2GB"
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[jvm]
gc = "on"
young = "128MB"
[[tables]]
name = "t"
regions = 4
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "200/s", process = "uniform" }
mix = { batch = 1.0 }
batch_rows = 100
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
durability = "SYNC_WAL"
"#;

/// HEAVY on a 1 GB heap with a 400 MB baseline and a 256 MB young generation: the old
/// generation's room (768 MB) cannot hold the baseline and a memstore near its global limit
/// (410 MB), so promotion fails. Full collections at 100 MB/s.
const TOO_SMALL: [&str; 5] = [
    "duration=\"60s\"",
    "server.heap=\"1GB\"",
    "jvm.old_live=\"400MB\"",
    "jvm.young=\"256MB\"",
    "jvm.full_rate=\"100MB/s\"",
];

// G1 starts marking at the young collection after the one that left the old generation at
// 45% of the heap: every cycle's start finds it at or above IHOP × heap, and above it by at
// most two young collections' promotion (each promotes less than the young generation).
// Mixed collections follow, at most G1MixedGCCountTarget (8) a cycle, reclaim the flushed
// memstores' garbage, and keep the heap from filling: no full collection.
#[test]
fn g1_marks_past_ihop_and_mixed_collections_reclaim() {
    let (outcome, summary) = run(&scenario(HEAVY, &[]));
    let gc = summary.gc.as_ref().expect("on");
    assert_eq!(gc.collector, "g1");
    let heap = 2u64 << 30;
    let ihop = heap * 45 / 100;
    assert!(gc.concurrent_cycles >= 3, "{gc:?}");
    let started = outcome
        .gc
        .as_ref()
        .and_then(|gc| gc.old_at_cycle_start_min_bytes)
        .expect("a cycle");
    assert!(started >= ihop, "{started} below {ihop}");
    assert!(started <= ihop + 2 * gc.young_bytes, "{started}");
    assert!(
        gc.mixed_collections >= gc.concurrent_cycles_completed - 1,
        "{gc:?}"
    );
    assert!(
        gc.mixed_collections <= 8 * gc.concurrent_cycles_completed,
        "{gc:?}"
    );
    assert!(gc.reclaimed_bytes > gc.promoted_bytes / 2, "{gc:?}");
    assert_eq!(gc.full_collections, 0);
    assert!(gc.old_peak_bytes < heap - gc.young_bytes, "{gc:?}");
    // A mixed pause copies old regions' live data too: longer than a young one.
    let kinds = &gc.pauses_by_kind;
    assert!(
        kinds["mixed"].pause_ms.mean > kinds["young"].pause_ms.mean,
        "{kinds:?}"
    );
    assert_eq!(kinds["remark"].count, gc.concurrent_cycles_completed);
    assert_eq!(kinds["cleanup"].count, gc.concurrent_cycles_completed);
    // IHOP at 90% of the heap starts marking too late: the old generation's room (94% of the
    // heap here) fills before mixed collections reclaim, and promotion fails into full
    // collections.
    let (_, late) = run(&scenario(HEAVY, &["jvm.ihop=90"]));
    let late = late.gc.expect("on");
    assert!(late.full_collections >= 1, "{late:?}");
}

// A heap that cannot hold the baseline and the memstore's promoted data fails a young
// collection's promotion into a full collection of all the live data: its pause is the live
// bytes over the full rate (each at least the baseline, at most the baseline and the
// memstore's peak), and it abandons any marking under way.
#[test]
fn a_heap_too_small_for_the_memstore_collects_in_full() {
    let (_, summary) = run(&scenario(HEAVY, &TOO_SMALL));
    let gc = summary.gc.as_ref().expect("on");
    let full = &gc.pauses_by_kind["full"];
    assert!(full.count >= 1, "{gc:?}");
    assert_eq!(full.count, gc.full_collections);
    let full_rate = 100.0 * (1u64 << 20) as f64;
    assert!(
        (full.pause_total_seconds - gc.full_live_bytes as f64 / full_rate).abs() < 1e-6,
        "{full:?} for {} live bytes",
        gc.full_live_bytes
    );
    let baseline = 400u64 << 20;
    let memstore_peak = summary.memstore.global_peak_bytes;
    assert!(gc.full_live_bytes >= full.count * baseline, "{gc:?}");
    assert!(
        gc.full_live_bytes <= full.count * (baseline + memstore_peak),
        "{gc:?}"
    );
    assert!(gc.old_peak_bytes <= (1 << 30) - gc.young_bytes, "{gc:?}");
    assert!(gc.concurrent_mode_failures >= 1, "{gc:?}");
}

// The Juliet pause: a full collection (about 8 s of live heap at 100 MB/s) longer than the
// ZooKeeper session (5 s) expires it; the server aborts, recovers as from a crash, and every
// acknowledged SYNC_WAL write is found after the recovery.
#[test]
fn a_full_collection_past_the_session_aborts_the_server_and_loses_nothing() {
    let mut sets = TOO_SMALL.to_vec();
    sets.extend(["zookeeper.session.timeout=5000", "server.restart=\"10s\""]);
    let (_, summary) = run(&scenario(HEAVY, &sets));
    let gc = summary.gc.as_ref().expect("on");
    assert!(gc.pauses_by_kind["full"].pause_ms.max > 5000.0, "{gc:?}");
    assert!(gc.session_expiries >= 1, "{gc:?}");
    assert!(
        summary
            .recovery
            .recoveries
            .iter()
            .all(|recovery| recovery.cause == "gc_pause")
    );
    assert_eq!(
        summary.recovery.recoveries.len() as u64,
        gc.session_expiries
    );
    assert!(summary.durability.acknowledged > 10_000);
    assert_eq!(summary.durability.lost, 0);
    assert_eq!(summary.durability.violation(), None);
}

// CMS (the 1.4 profile's collector) with slow concurrent phases (100 MB/s): started at 95% of
// the old generation, the cycle cannot finish before promotion fills the rest — a concurrent
// mode failure and a serial full collection; started at 50%, every cycle finishes in time and
// frees the garbage without a full collection.
#[test]
fn cms_fails_when_started_too_late_and_not_when_started_early() {
    let cms = ["profile=\"hbase-1.4\"", "jvm.mark_rate=\"100MB/s\""];
    let late = [&cms[..], &["jvm.cms_initiating_fraction=95"]].concat();
    let (_, summary) = run(&scenario(HEAVY, &late));
    let gc = summary.gc.as_ref().expect("on");
    assert_eq!(gc.collector, "cms");
    assert!(gc.concurrent_mode_failures >= 1, "{gc:?}");
    assert_eq!(gc.full_collections, gc.concurrent_mode_failures, "{gc:?}");
    assert!(gc.pauses_by_kind.contains_key("initial_mark"));
    assert!(!gc.pauses_by_kind.contains_key("mixed"));
    let early = [&cms[..], &["jvm.cms_initiating_fraction=50"]].concat();
    let (_, summary) = run(&scenario(HEAVY, &early));
    let gc = summary.gc.as_ref().expect("on");
    assert!(gc.concurrent_cycles_completed >= 3, "{gc:?}");
    assert_eq!(gc.concurrent_mode_failures, 0, "{gc:?}");
    assert_eq!(gc.full_collections, 0, "{gc:?}");
    assert!(gc.reclaimed_bytes > 0);
}

// The default scenario with collections on stays healthy under G1's defaults: no full
// collection, a few marking cycles in ten minutes with mixed collections after them (at most
// eight a cycle) whose pauses stay under G1's 200 ms pause goal, and the server keeps up.
#[test]
fn the_default_scenario_with_gc_on_is_healthy() {
    let (_, summary) = run(&common::bundled("scenarios/default.toml", &["jvm.gc=on"]));
    let gc = summary.gc.as_ref().expect("on");
    assert_eq!(gc.collector, "g1");
    assert_eq!(gc.full_collections, 0, "{gc:?}");
    assert_eq!(gc.session_expiries, 0);
    assert!((1..=5).contains(&gc.concurrent_cycles), "{gc:?}");
    assert!(gc.mixed_collections >= 1, "{gc:?}");
    assert!(gc.mixed_collections <= 8 * gc.concurrent_cycles, "{gc:?}");
    assert!(gc.pauses_by_kind["mixed"].pause_ms.max < 200.0, "{gc:?}");
    assert!(summary.saturation.kept_up, "{:?}", summary.saturation);
}

// Settings of the other collector, out-of-range percentages and sizes, and unknown
// collectors are refused with a message naming the fix.
#[test]
fn old_generation_settings_are_checked() {
    let refused = |sets: &[&str], expected: &str| {
        let error = common::load(HEAVY, sets).unwrap_err().to_string();
        assert!(error.contains(expected), "{sets:?}: {error}");
    };
    refused(
        &["jvm.collector=\"cms\"", "jvm.ihop=30"],
        "ihop applies only with collector = \"g1\"",
    );
    refused(
        &["jvm.cms_initiating_fraction=60"],
        "cms_initiating_fraction applies only with collector = \"cms\"",
    );
    refused(&["jvm.ihop=101"], "0 to 100");
    refused(&["jvm.old_live=\"2GB\""], "half the heap");
    refused(&["jvm.collector=\"zgc\""], "\"g1\", \"cms\"");
    refused(
        &["jvm.gc=off", "jvm.collector=\"g1\""],
        "applies only with garbage collection",
    );
    refused(&["jvm.mark_rate=\"0B/s\""], "never finishes");
    // Each collector is the default of its profile.
    let cms = common::load(HEAVY, &["profile=\"hbase-1.4\""]).unwrap();
    assert_eq!(cms.jvm.collector, regionsim::scenario::jvm::Collector::Cms);
}

// The same scenario and seed give the same collections: summary and trace hash alike.
#[test]
fn old_generation_runs_are_deterministic() {
    let sets = ["duration=\"90s\""];
    let (first_outcome, first) = run(&scenario(HEAVY, &sets));
    let (second_outcome, second) = run(&scenario(HEAVY, &sets));
    assert!(first.gc.as_ref().expect("on").concurrent_cycles >= 1);
    assert_eq!(first, second);
    assert_eq!(first_outcome.trace_hash, second_outcome.trace_hash);
}

// With the cores modelled, G1's concurrent marking keeps its ConcGCThreads busy (one on two
// cores: (2 + 2) / 4): marking at 20 MB/s lasts tens of seconds a cycle and takes a core the
// whole time, against about a second a cycle at the default 1 GB/s.
#[test]
fn concurrent_marking_takes_the_cores() {
    let utilisation = |mark_rate: &str| {
        let (_, summary) = run(&scenario(
            HEAVY,
            &["cpu.model=on", "server.cores=2", mark_rate],
        ));
        let gc = summary.gc.expect("on");
        assert!(gc.concurrent_cycles >= 2, "{gc:?}");
        summary.cpu.expect("on").utilisation
    };
    let slow = utilisation("jvm.mark_rate=\"20MB/s\"");
    let fast = utilisation("jvm.mark_rate=\"1GB/s\"");
    assert!(slow > fast + 0.15, "{slow} {fast}");
}
