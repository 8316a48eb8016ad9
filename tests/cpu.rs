//! The CPU model: with `[cpu] model = "on"` the handlers', flushes' and compactions' CPU work
//! shares `[server] cores` (processor sharing, a thread at most one core); off, it is a fixed
//! delay as before.

mod common;

use common::{bundled, run, scenario};

/// A closed loop of 64 clients against handlers that each spend 1 ms of CPU per call, with a
/// WAL that costs nearly nothing: the handlers' CPU is all the work there is.
const CPU_BOUND: &str = r#"
name = "cpu-bound"
seed = 9
duration = "20s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[properties]
"hbase.regionserver.handler.count" = 4
[io]
wal_sync_latency = { dist = "constant", value = "10us" }
network_rtt = { dist = "constant", value = "10us" }
handler_cpu_per_call = "1ms"
handler_cpu_per_mutation = "0us"
[cpu]
model = "on"
[[tables]]
name = "t"
regions = 4
[[workloads]]
table = "t"
arrival = { kind = "closed", clients = 64 }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

fn puts_per_sec(sets: &[&str]) -> (f64, f64) {
    let (_, summary) = run(&scenario(CPU_BOUND, sets));
    let cpu = summary.cpu.as_ref().expect("the model is on");
    (
        summary.operations["put"].throughput_per_sec,
        cpu.utilisation,
    )
}

// With cores to spare, twice the handlers answer twice the calls; with one core, the handlers
// share it and more of them add nothing: about 1000 calls a second of 1 ms each, the core
// always busy.
#[test]
fn handlers_scale_with_the_cores_they_share() {
    let (four, _) = puts_per_sec(&["server.cores=64"]);
    let (eight, _) = puts_per_sec(&["server.cores=64", "hbase.regionserver.handler.count=8"]);
    let ratio = eight / four;
    assert!((1.9..2.1).contains(&ratio), "{four} → {eight}");
    let (four, busy_four) = puts_per_sec(&["server.cores=1"]);
    let (eight, busy_eight) =
        puts_per_sec(&["server.cores=1", "hbase.regionserver.handler.count=8"]);
    assert!(eight < four * 1.05, "{four} → {eight}");
    assert!((950.0..1001.0).contains(&eight), "{eight}");
    assert!(
        busy_four > 0.95 && busy_eight > 0.95,
        "{busy_four} {busy_eight}"
    );
}

// One core shared by eight handlers is the run's bottleneck once the clients are open-loop
// and ask for more than it can do; the time series shows it busy interval by interval.
#[test]
fn a_saturated_core_is_named_the_bottleneck() {
    let (outcome, summary) = run(&scenario(
        CPU_BOUND,
        &[
            "server.cores=1",
            "hbase.regionserver.handler.count=8",
            r#"workloads[0].arrival={ kind = "open", rate = "2000/s", threads = 64 }"#,
        ],
    ));
    // The time series' per-interval shares average to the run's utilisation.
    let samples = &outcome.timeline.samples;
    let mean = samples.iter().map(|sample| sample.cpu_busy).sum::<f64>() / samples.len() as f64;
    assert!(samples.iter().all(|sample| sample.cpu_busy <= 1.0));
    let utilisation = summary.cpu.as_ref().expect("on").utilisation;
    assert!((mean - utilisation).abs() < 0.01, "{mean} {utilisation}");
    let bottleneck = summary.bottleneck.expect("saturated");
    assert_eq!(bottleneck.resource, "cpu", "{bottleneck:?}");
    let cpu = summary.cpu.expect("on");
    assert!(cpu.runnable_mean > 7.0, "{cpu:?}");
    assert_eq!(cpu.runnable_peak, 8);
}

/// One region flushing 1MB memstores of 100-byte values: a compaction of three files every
/// few seconds, its merge's CPU (100 µs a cell) far longer than its bytes' transfers.
const COMPACTING: &str = r#"
name = "compacting"
seed = 4
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[properties]
"hbase.hregion.memstore.flush.size" = "1MB"
[io]
flush_cpu_per_cell = "0us"
[cpu]
model = "on"
compaction_per_cell = "100us"
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2000/s", process = "uniform" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 100_000_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

// Twice the CPU per cell, twice as long a compaction: the merge is CPU-bound.
#[test]
fn compactions_take_as_long_as_their_cpu() {
    let (_, once) = run(&scenario(COMPACTING, &[]));
    let (_, twice) = run(&scenario(
        COMPACTING,
        &["cpu.compaction_per_cell=\"200us\""],
    ));
    assert!(once.compactions.count >= 2, "{:?}", once.compactions);
    let (a, b) = (
        once.compactions.duration_ms.mean,
        twice.compactions.duration_ms.mean,
    );
    assert!(a > 500.0, "{a}");
    assert!((1.9..2.1).contains(&(b / a)), "{a} → {b}");
}

// With the model off the run is today's, event for event, whether `[cpu]` says so or not.
#[test]
fn the_model_off_changes_nothing() {
    let (_, absent) = run(&bundled("scenarios/default.toml", &["duration=30s"]));
    let (_, off) = run(&bundled(
        "scenarios/default.toml",
        &["duration=30s", "cpu.model=off"],
    ));
    assert_eq!(absent.trace_hash, off.trace_hash);
    assert!(absent.cpu.is_none());
    let (_, on) = run(&bundled(
        "scenarios/default.toml",
        &["duration=30s", "cpu.model=on"],
    ));
    assert_ne!(absent.trace_hash, on.trace_hash);
    assert_eq!(on.cpu.expect("on").cores, 16);
}

// Cores are refused with the model off (they would change nothing), and outside 1 to 1024.
#[test]
fn cpu_settings_are_checked() {
    let error = common::load(CPU_BOUND, &["cpu.model=off", "server.cores=4"]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("applies only with the CPU model on"),
        "{error}"
    );
    let error = common::load(CPU_BOUND, &["server.cores=0"]).unwrap_err();
    assert!(
        error.to_string().contains("cores must be 1 to 1024"),
        "{error}"
    );
    let error = common::load(
        CPU_BOUND,
        &["cpu.model=off", "cpu.compaction_per_cell=\"1us\""],
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("applies only with the CPU model on"),
        "{error}"
    );
}

// The WAL's consumer is one thread: at 200 µs of CPU per entry it encodes at most 5,000
// entries a second however many cores there are, and single puts (one entry each) go no
// faster; with its CPU at zero the same clients run far faster.
#[test]
fn the_wal_consumer_is_one_thread() {
    let sets = |per_entry: &'static str| {
        [
            "duration=5s",
            "server.cores=8",
            "hbase.regionserver.handler.count=32",
            "io.handler_cpu_per_call=\"0us\"",
            per_entry,
            "cpu.wal_per_byte=\"0ns\"",
            "cpu.wal_per_sync=\"0us\"",
        ]
    };
    let (_, summary) = run(&scenario(CPU_BOUND, &sets("cpu.wal_per_entry=\"200us\"")));
    let throughput = summary.operations["put"].throughput_per_sec;
    assert!(
        (4_500.0..=5_050.0).contains(&throughput),
        "{throughput} puts/s"
    );
    // One core of eight: the consumer thread, busy all the time.
    let cpu = summary.cpu.expect("on");
    assert!(
        (cpu.utilisation - 1.0 / 8.0).abs() < 0.01,
        "{}",
        cpu.utilisation
    );
    let (_, free) = run(&scenario(CPU_BOUND, &sets("cpu.wal_per_entry=\"0us\"")));
    assert!(
        free.operations["put"].throughput_per_sec > 4.0 * throughput,
        "{}",
        free.operations["put"].throughput_per_sec
    );
}

// The region-open workers replay recovered edits on the cores: on one core their CPU (1 ms
// an edit) takes at least edits × 1 ms from the split's end to the last open, however many
// workers share it; with sixteen cores the three workers each have one and finish sooner.
// Every acknowledged edit is still found.
#[test]
fn region_opens_replay_on_the_cores() {
    let reopen = |cores: &str| {
        let (_, summary) = run(&bundled(
            "scenarios/crash-recovery.toml",
            &[
                "duration=3m",
                "cpu.model=on",
                cores,
                "io.handler_cpu_per_mutation=\"1ms\"",
            ],
        ));
        assert_eq!(summary.durability.lost, 0);
        let recovery = &summary.recovery.recoveries[0];
        let reopen =
            recovery.completed_at_s.expect("back") - recovery.split_done_at_s.expect("split");
        (reopen, summary.recovery.edits_replayed)
    };
    let (one_core, edits) = reopen("server.cores=1");
    let replay_cpu = edits as f64 * 1e-3;
    assert!(edits > 5_000, "{edits}");
    assert!(
        one_core >= replay_cpu,
        "{one_core} s for {replay_cpu} s of CPU"
    );
    let (sixteen, _) = reopen("server.cores=16");
    assert!(sixteen < one_core * 0.75, "{sixteen} vs {one_core}");
}

// A handler decodes its request byte by byte: at 10 µs a byte, a put of a 100-byte value (250
// request bytes with its key and the RPC's header) takes 2.5 ms of a core, and one core answers
// at most 400 a second however many handlers share it.
#[test]
fn requests_cost_their_bytes() {
    let (_, summary) = run(&scenario(
        CPU_BOUND,
        &[
            "server.cores=1",
            "hbase.regionserver.handler.count=8",
            "io.handler_cpu_per_call=\"0us\"",
            "cpu.rpc_per_byte=\"10us\"",
            "cpu.wal_per_entry=\"0us\"",
            "cpu.wal_per_byte=\"0ns\"",
            "cpu.wal_per_sync=\"0us\"",
        ],
    ));
    let throughput = summary.operations["put"].throughput_per_sec;
    assert!((380.0..=401.0).contains(&throughput), "{throughput} puts/s");
    assert!(summary.cpu.expect("on").utilisation > 0.97);
}
