//! The application in front of HBase's client: an open-loop workload's arrivals are taken by a
//! bounded number of application threads, each running its operation synchronously (retries
//! included, as a Table API caller does). Arrivals that find every thread busy wait at the
//! client, their latency counting from when they were due; an open-loop run that ends with more
//! than a second of arrivals waiting could not keep up.

mod common;

use common::{run, scenario};
use regionsim::scenario::workload::{Arrival, ArrivalProcess};

/// One region, one handler that spends 1 ms of CPU per call: the server answers at most about
/// 1000 puts a second. Arrivals are uniform, so the numbers offered are exact.
const ONE_HANDLER: &str = r#"
name = "one-handler"
seed = 3
duration = "20s"
profile = "hbase-2.5"
[server]
heap = "4GB"
[properties]
"hbase.regionserver.handler.count" = 1
[io]
wal_sync_latency = { dist = "constant", value = "200us" }
handler_cpu_per_call = "1ms"
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "500/s", process = "uniform", threads = 8 }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

// Below capacity the threads never all get busy: nothing waits, every arrival starts when due,
// and the run is event for event the run of unbounded callers.
#[test]
fn a_healthy_run_never_waits_for_a_thread() {
    let (_, bounded) = run(&scenario(ONE_HANDLER, &[]));
    let open_loop = &bounded.client.open_loop[0];
    assert_eq!(open_loop.offered, 10_000);
    assert_eq!(open_loop.started, 10_000);
    assert_eq!(open_loop.waiting_at_end, 0);
    assert_eq!(bounded.client.thread_wait_ms.max, 0.0);
    assert_eq!(bounded.blocked.client_waits, 0);
    assert_eq!(bounded.client.could_not_keep_up(), None);
    let (_, unbounded) = run(&scenario(
        ONE_HANDLER,
        &[
            r#"workloads[0].arrival={ kind = "open", rate = "500/s", process = "uniform", threads = "unbounded" }"#,
        ],
    ));
    assert_eq!(unbounded.trace_hash, bounded.trace_hash);
    assert_eq!(unbounded.client.open_loop[0].threads, None);
}

// At four times the server's capacity, the eight threads bound the requests in flight; the
// arrivals they cannot take wait at the client (offered = started + waiting, exactly), and
// their latency includes that wait, so it far exceeds the server's own time. Unbounded callers
// instead pile requests onto the server.
#[test]
fn overload_waits_at_the_client_not_on_the_server() {
    let overloaded = r#"workloads[0].arrival={ kind = "open", rate = "4000/s", process = "uniform", threads = 8 }"#;
    let (outcome, summary) = run(&scenario(ONE_HANDLER, &[overloaded]));
    assert!(
        outcome.requests_in_flight_peak <= 8,
        "{}",
        outcome.requests_in_flight_peak
    );
    let open_loop = &summary.client.open_loop[0];
    assert_eq!(open_loop.offered, 80_000);
    assert_eq!(
        open_loop.started + open_loop.waiting_at_end,
        open_loop.offered
    );
    // About 1000 a second can be served: most of the 80,000 still wait at the end.
    assert!(open_loop.started < 25_000, "{open_loop:?}");
    assert!(summary.client.thread_wait_ms.max > 10_000.0);
    // Every started arrival but the first few waited; the blocked figures say so.
    let waited = summary.blocked.client_waits;
    assert!(
        waited < open_loop.started && open_loop.started - waited <= 16,
        "{waited}"
    );
    assert!(summary.blocked.client_wait_seconds > 1_000.0);
    let put = &summary.operations["put"];
    assert!(put.latency_ms.max >= summary.client.thread_wait_ms.max);
    assert!(put.latency_ms.p50 > 1_000.0, "{:?}", put.latency_ms);
    let reason = summary.client.could_not_keep_up().expect("behind");
    assert!(
        reason.contains("could not keep up with workload")
            && reason.contains("8 application threads"),
        "{reason}"
    );
    let unbounded = r#"workloads[0].arrival={ kind = "open", rate = "4000/s", process = "uniform", threads = "unbounded" }"#;
    let (outcome, _) = run(&scenario(ONE_HANDLER, &[unbounded]));
    assert!(outcome.requests_in_flight_peak > 1_000);
}

// The threads' count is read, written back and bounded; unbounded callers must be asked for.
#[test]
fn threads_are_read_with_their_bounds() {
    let threads_of = |arrival: &Arrival| match arrival {
        Arrival::Open { threads, .. } => *threads,
        Arrival::Closed { .. } => panic!("open loop"),
    };
    let loaded = scenario(ONE_HANDLER, &[]);
    assert_eq!(threads_of(&loaded.workloads[0].arrival), Some(8));
    let default = scenario(
        ONE_HANDLER,
        &[r#"workloads[0].arrival={ kind = "open", rate = "500/s" }"#],
    );
    assert_eq!(
        default.workloads[0].arrival,
        Arrival::Open {
            rate: 500.0,
            process: ArrivalProcess::Poisson,
            threads: Some(256)
        }
    );
    let resolved = default.to_resolved_toml();
    assert!(resolved.contains("threads = 256"), "{resolved}");
    for (value, message) in [
        (
            "0",
            "threads must be 1 to 1000000 (or \"unbounded\"), found 0",
        ),
        ("1000001", "threads must be 1 to 1000000"),
        ("\"many\"", "\"many\" is not one of \"unbounded\""),
    ] {
        let set = format!(
            r#"workloads[0].arrival={{ kind = "open", rate = "500/s", threads = {value} }}"#
        );
        let error = common::load(ONE_HANDLER, &[&set]).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
    }
}

// A backlog still being worked off at the end is no failure to keep up when it is shrinking:
// 1500 arrivals a second for 20 s against about 830 served leave some 13,000 waiting; ten
// seconds later thousands still wait, but fewer than ten seconds before. A run that ends while
// the backlog still grows could not keep up.
#[test]
fn a_shrinking_backlog_kept_up() {
    let burst = [
        r#"workloads[0].arrival={ kind = "open", rate = "1500/s", process = "uniform", threads = 8 }"#,
        "workloads[0].end=20s",
    ];
    let (_, draining) = run(&scenario(
        ONE_HANDLER,
        &[burst[0], burst[1], "duration=30s"],
    ));
    let open_loop = &draining.client.open_loop[0];
    assert!(open_loop.unanswered_at_end as f64 > 1500.0, "{open_loop:?}");
    let before = draining
        .client
        .unanswered_before_end
        .expect("a sample 10 s before");
    assert!(
        open_loop.unanswered_at_end < before,
        "{before} {open_loop:?}"
    );
    assert_eq!(draining.client.could_not_keep_up(), None);
    let (_, growing) = run(&scenario(
        ONE_HANDLER,
        &[burst[0], burst[1], "duration=20s"],
    ));
    assert!(growing.client.could_not_keep_up().is_some());
}
