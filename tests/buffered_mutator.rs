//! Workloads that write through HBase's BufferedMutator: the write buffer flushed when it holds
//! more than `hbase.client.write.buffer`, AsyncProcess's task limits deciding what a flush may
//! send, the application's threads held in `mutate` while they bind, 2.5's flush that waits for
//! its submit and 1.4's that does not, the periodic flush, and the close at the workload's end.

mod common;

use common::{run, scenario};

/// One 20-region table taking 1000-byte puts into row "user" + 7 digits, family "cf", column
/// "field0": each Put's heap size is 1352 bytes (Mutation.heapSize with compressed oops), so the
/// 2MB buffer (2,097,152 bytes) is over its size at the 1552nd row (1551 × 1352 = 2,096,952).
const INGEST: &str = r#"
name = "mutator"
seed = 5
duration = "20s"
profile = "hbase-2.5"
[server]
heap = "16GB"
[io]
wal_sync_latency = { dist = "lognormal", median = "2ms", p99 = "25ms" }
[[tables]]
name = "usertable"
regions = 20
families = ["cf"]
[[workloads]]
name = "ingest"
table = "usertable"
client = "buffered_mutator"
arrival = { kind = "open", rate = "10k/s", threads = 1 }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 10_000_000 }
value_size = { dist = "constant", bytes = 1000 }
durability = "SYNC_WAL"
"#;

// One thread, more arrivals than it can buffer alone: every flush takes the whole buffer, 1552
// rows, as one submit (well within the 4MB request and submit sizes and 2048 rows), and 2.5's
// thread waits for it, so one task is in flight at a time.
#[test]
fn a_flush_sends_the_buffer_as_one_submit_and_waits_for_it() {
    let (_, summary) = run(&scenario(INGEST, &[]));
    let mutator = &summary.client.buffered_mutators[0];
    assert!(mutator.submits > 20, "{mutator:?}");
    assert_eq!(mutator.rows_per_submit, 1552.0, "{mutator:?}");
    assert_eq!(mutator.tasks_peak, 1);
    assert_eq!(mutator.write_buffer_bytes, 2 << 20);
    // Every row acknowledged was sent in a full buffer: acks are whole submits' rows.
    let acked = summary.operations["put"].succeeded;
    assert_eq!(acked % 1552, 0, "{acked}");
}

// 1.4's flushing thread returns once its pass has sent the rows, so one thread keeps several
// submits in flight, up to max.perserver.tasks (5 in 1.4's hbase-default.xml) when the regions
// allow it.
#[test]
fn one_point_four_returns_once_a_submit_is_sent() {
    let (_, summary) = run(&scenario(
        INGEST,
        &[
            "profile=hbase-1.4",
            "hbase.client.max.perregion.tasks=5",
            "duration=10s",
        ],
    ));
    let mutator = &summary.client.buffered_mutators[0];
    assert_eq!(mutator.max_perserver_tasks, 5);
    assert!(
        mutator.tasks_peak > 1 && mutator.tasks_peak <= 5,
        "{mutator:?}"
    );
}

/// A server that answers about 1000 rows a second: one handler spending 1ms of CPU per row.
const SLOW_SERVER: [&str; 4] = [
    "hbase.regionserver.handler.count=1",
    "io.handler_cpu_per_mutation=\"1ms\"",
    r#"workloads.ingest.arrival={ kind = "open", rate = "5k/s", threads = 64 }"#,
    "duration=30s",
];

// Against a slow server, 64 threads share the mutator: AsyncProcess lets no more than
// max.perserver.tasks submits be in flight to the server (with max.perregion.tasks 1 for each
// region's rows), so the requests on the server stay within it; the threads that find no room
// wait inside `mutate`, counted in the blocked line. The server's one handler is what bound
// the run.
#[test]
fn the_task_limits_bound_the_requests_in_flight() {
    for (per_server, per_region) in [(2, 1), (5, 5)] {
        let mut sets = SLOW_SERVER.to_vec();
        let server_limit = format!("hbase.client.max.perserver.tasks={per_server}");
        let region_limit = format!("hbase.client.max.perregion.tasks={per_region}");
        sets.push(&server_limit);
        sets.push(&region_limit);
        let (outcome, summary) = run(&scenario(INGEST, &sets));
        let mutator = &summary.client.buffered_mutators[0];
        assert_eq!(summary.client.retries, 0);
        assert_eq!(mutator.tasks_peak, per_server, "{mutator:?}");
        assert!(
            outcome.requests_in_flight_peak <= per_server as usize,
            "{}",
            outcome.requests_in_flight_peak
        );
        assert!(summary.blocked.client_limit_waits > 0);
        assert!(summary.blocked.client_limit_wait_seconds > 1.0);
        assert!(mutator.blocked_passes >= summary.blocked.client_limit_waits);
        assert!(summary.client.could_not_keep_up().is_some());
        let bottleneck = summary.bottleneck.as_ref().expect("saturated");
        assert_eq!(bottleneck.resource, "rpc_handlers", "{bottleneck:?}");
    }
}

// Many threads sharing one mutator split the buffer: a thread that finds it over its size
// takes an access to only the mutations added since the last thread took its own, so once the
// limits hold every thread in `mutate`, each task a woken thread sends carries its few rows.
// The server has room (its handlers mostly idle), the task slots are full, and the run cannot
// keep up: the client's task limits are the bottleneck.
#[test]
fn threads_sharing_a_mutator_are_bound_by_its_task_limits() {
    let (_, summary) = run(&scenario(
        INGEST,
        &[r#"workloads.ingest.arrival={ kind = "open", rate = "20k/s", threads = 64 }"#],
    ));
    let mutator = &summary.client.buffered_mutators[0];
    assert!(mutator.rows_per_submit < 200.0, "{mutator:?}");
    assert!(summary.rpc.handler_utilisation < 0.5);
    assert!(summary.client.could_not_keep_up().is_some());
    let bottleneck = summary.bottleneck.as_ref().expect("saturated");
    assert_eq!(bottleneck.resource, "client_tasks", "{bottleneck:?}");
    // One thread is enough for the same rate: each flush sends a whole buffer.
    let (_, one) = run(&scenario(
        INGEST,
        &[r#"workloads.ingest.arrival={ kind = "open", rate = "20k/s", threads = 4 }"#],
    ));
    assert_eq!(one.client.could_not_keep_up(), None);
}

// A retry is a new task, sent without looking at the limits, while the failed one stays
// counted until the retry's runnable (run on its thread) ends: with failing WAL syncs (FSHLog
// fails the writes of a failed sync; AsyncFSWAL would roll and sync them again), more tasks are
// in flight than max.perserver.tasks allows new submits.
#[test]
fn retries_count_against_the_limits_without_being_held_by_them() {
    let mut sets = SLOW_SERVER.to_vec();
    sets.push("hbase.wal.provider=filesystem");
    sets.push(
        r#"faults=[{ kind = "wal_sync_failure", start = "2s", end = "20s", probability = 0.5 }]"#,
    );
    let (_, summary) = run(&scenario(INGEST, &sets));
    let mutator = &summary.client.buffered_mutators[0];
    assert!(summary.client.retries > 0);
    assert!(mutator.tasks_peak > 2, "{mutator:?}");
}

// At a low rate the buffer takes minutes to fill: without a periodic flush its rows wait
// there (unanswered, yet the run kept up: a full buffer's rows are allowed); with a timeout of
// 1s and the timer's 1s tick, every row is sent within about 2s of its arrival.
#[test]
fn a_periodic_flush_bounds_how_long_rows_wait_in_the_buffer() {
    let slow = [
        r#"workloads.ingest.arrival={ kind = "open", rate = "20/s", threads = 4 }"#,
        "duration=60s",
    ];
    let (_, without) = run(&scenario(INGEST, &slow));
    assert_eq!(without.operations["put"].succeeded, 0);
    let mutator = &without.client.buffered_mutators[0];
    assert!(mutator.rows_buffered_at_end > 1000, "{mutator:?}");
    assert_eq!(without.client.could_not_keep_up(), None);
    let mut sets = slow.to_vec();
    sets.push("hbase.client.write.buffer.periodicflush.timeout.ms=1000");
    let (_, with) = run(&scenario(INGEST, &sets));
    let mutator = &with.client.buffered_mutators[0];
    assert!(mutator.periodic_flushes > 20, "{mutator:?}");
    let put = &with.operations["put"];
    assert!(put.succeeded > 1100, "{put:?}");
    assert!(put.latency_ms.max < 2_100.0, "{:?}", put.latency_ms);
    assert!(put.latency_ms.p50 > 200.0, "{:?}", put.latency_ms);
}

// A workload that ends before the run closes its mutator, which sends what is buffered: every
// row is answered.
#[test]
fn closing_at_the_workloads_end_sends_the_buffer() {
    let (_, summary) = run(&scenario(
        INGEST,
        &[
            r#"workloads.ingest.arrival={ kind = "open", rate = "20/s", threads = 4 }"#,
            "workloads.ingest.end=\"10s\"",
        ],
    ));
    let open_loop = &summary.client.open_loop[0];
    assert_eq!(open_loop.finished, open_loop.offered);
    assert_eq!(summary.operations["put"].succeeded, open_loop.offered);
    assert_eq!(summary.client.buffered_mutators[0].rows_buffered_at_end, 0);
}

// Same seed, same run; the mutator's settings change it.
#[test]
fn a_buffered_mutator_run_is_deterministic() {
    let (_, first) = run(&scenario(INGEST, &["duration=5s"]));
    let (_, second) = run(&scenario(INGEST, &["duration=5s"]));
    assert_eq!(first.trace_hash, second.trace_hash);
    let (_, bigger) = run(&scenario(
        INGEST,
        &["duration=5s", "hbase.client.write.buffer=4MB"],
    ));
    assert_ne!(first.trace_hash, bigger.trace_hash);
    // A 4MB buffer is over its size at 3103 rows. 2.5 sends at most 2048 rows in a request
    // (max.perrequest.rows); 1.4 has no such limit, but a request takes rows only up to 4MB of
    // heap (3102 × 1352 = 4,193,904; one more passes 4,194,304), so the last row goes back to
    // the buffer for the next submit.
    assert_eq!(bigger.client.buffered_mutators[0].rows_per_submit, 2048.0);
    let (_, older) = run(&scenario(
        INGEST,
        &[
            "duration=5s",
            "hbase.client.write.buffer=4MB",
            "profile=hbase-1.4",
        ],
    ));
    assert_eq!(older.client.buffered_mutators[0].rows_per_submit, 3102.0);
}
