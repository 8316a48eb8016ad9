//! WAL sync failures as each line handles them: 1.4 rolls the edit back out of the memstore and
//! fails the write; 2.5's AsyncFSWAL writes it again after a roll and the writer waits (up to
//! the sync timeout); FSHLog fails writes until the roll is done. And slow syncs, which roll
//! the WAL as 2.5 counts them.

mod common;

use common::{run, scenario};

/// One region, a steady load of single puts, and three failing syncs at 30 s.
const FAILING_SYNCS: &str = r#"
name = "failing-syncs"
seed = 13
duration = "1m"
[io]
wal_sync_latency = { dist = "constant", value = "2ms" }
[[tables]]
name = "t"
regions = 2
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "1k/s" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 100 }
[[faults]]
kind = "wal_sync_failure"
at = "30s"
count = 3
"#;

// 1.4 wrote the memstore before the sync: a failed sync takes those cells back out
// (rollbackMemstore), the client gets the exception and retries, and the bytes still add up:
// added = flushed + in memstores + rolled back.
#[test]
fn hbase_1_4_rolls_a_failed_edit_back() {
    let (_, summary) = run(&scenario(FAILING_SYNCS, &["profile=hbase-1.4"]));
    assert_eq!(summary.wal.sync_failures, 3);
    assert!(summary.wal.rolls["error"] >= 1);
    assert!(summary.memstore.cells_rolled_back > 0);
    assert!(summary.client.errors["DamagedWALException"] > 0);
    let memstore = &summary.memstore;
    assert_eq!(
        memstore.bytes_added,
        summary.flushes.bytes + memstore.bytes_at_end + memstore.bytes_rolled_back
    );
    // Every put got through in the end, and each row is in the memstore once per success.
    let put = &summary.operations["put"];
    assert_eq!(put.failed, 0);
    assert_eq!(
        memstore.cells_added - memstore.cells_rolled_back,
        memstore.cells_at_end
    );
    assert!(memstore.cells_at_end >= put.succeeded - memstore.cells_replaced);
}

// 2.5's AsyncFSWAL keeps the writer waiting: the entries are written again after the roll, so
// nothing is rolled back and no client sees an error, only a longer wait.
#[test]
fn hbase_2_5_asyncfs_rewrites_after_the_roll() {
    let (_, summary) = run(&scenario(FAILING_SYNCS, &["profile=hbase-2.5"]));
    assert_eq!(summary.wal.sync_failures, 3);
    assert_eq!(summary.memstore.cells_rolled_back, 0);
    assert!(
        summary.client.errors.is_empty(),
        "{:?}",
        summary.client.errors
    );
    assert_eq!(summary.operations["put"].failed, 0);
    // A failed sync costs its writers the failure, the roll and the sync again: well over
    // the 2 ms a sync takes.
    assert!(summary.operations["put"].latency_ms.max >= 5.9);
}

// 2.5 with FSHLog fails the writes (DamagedWALException) but had written nothing to the
// memstore, so there is nothing to roll back.
#[test]
fn hbase_2_5_fshlog_fails_without_rollback() {
    let (_, summary) = run(&scenario(
        FAILING_SYNCS,
        &["profile=hbase-2.5", "hbase.wal.provider=filesystem"],
    ));
    assert!(summary.client.errors["DamagedWALException"] > 0);
    assert_eq!(summary.memstore.cells_rolled_back, 0);
    assert_eq!(summary.operations["put"].failed, 0);
}

// With every sync failing for a while, AsyncFSWAL writers give up after
// hbase.regionserver.wal.sync.timeout with WALSyncTimeoutIOException, and retry.
#[test]
fn asyncfs_writers_time_out() {
    let text = FAILING_SYNCS.replace(
        "at = \"30s\"\ncount = 3",
        "start = \"30s\"\nend = \"35s\"\nprobability = 1.0",
    );
    let (_, summary) = run(&scenario(
        &text,
        &["hbase.regionserver.wal.sync.timeout=1s"],
    ));
    assert!(summary.client.errors["WALSyncTimeoutIOException"] > 0);
    assert_eq!(summary.operations["put"].failed, 0);
}

/// One region, single puts, and every sync taking 20 ms.
const SLOW_SYNCS: &str = r#"
name = "slow-syncs"
seed = 5
duration = "270s"
profile = "hbase-2.5"
[io]
wal_sync_latency = { dist = "constant", value = "20ms" }
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "1k/s", process = "uniform" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 100 }
"#;

// 2.5's slow syncs: with hbase.regionserver.wal.slowsync.ms at 10 ms every 20 ms sync is slow,
// so FSHLog counts far more than the threshold (100) in each minute and rolls at the first sync
// a minute after its writer started (the roll itself takes a sync's 20 ms): 4 rolls in 270 s.
// AsyncFSWAL counts them and never looks, and syncs under the slow threshold count for nothing.
// One slow sync over hbase.regionserver.wal.roll.on.sync.ms rolls by itself, but a sync under
// the slow threshold never does, whatever the roll threshold.
#[test]
fn slow_syncs_roll_the_wal_as_2_5_counts_them() {
    let rolls = |sets: &[&str]| {
        let (_, summary) = run(&scenario(SLOW_SYNCS, sets));
        summary.wal.rolls.get("slow_sync").copied().unwrap_or(0)
    };
    let fshlog = "hbase.wal.provider=filesystem";
    let slow = "hbase.regionserver.wal.slowsync.ms=10";
    assert_eq!(rolls(&[fshlog, slow]), 4);
    assert_eq!(rolls(&[slow]), 0);
    assert_eq!(rolls(&[fshlog, "hbase.regionserver.wal.slowsync.ms=30"]), 0);
    assert_eq!(
        rolls(&[
            fshlog,
            slow,
            "hbase.regionserver.wal.slowsync.roll.threshold=1000000"
        ]),
        0
    );
    // Every sync is slow and over a 15 ms roll threshold: the WAL rolls after each sync that
    // finds no roll under way.
    assert!(rolls(&[slow, "hbase.regionserver.wal.roll.on.sync.ms=15"]) > 1000);
    assert_eq!(rolls(&["hbase.regionserver.wal.roll.on.sync.ms=15"]), 0);
}

/// Twenty regions, 500 single puts a second, 100 handlers, a constant 1 ms sync, and one sync
/// 2 s slower at 10 s.
const ONE_SLOW_SYNC: &str = r#"
name = "one-slow-sync"
seed = 17
duration = "20s"
[properties]
"hbase.regionserver.handler.count" = 100
[io]
wal_sync_latency = { dist = "constant", value = "1ms" }
[[tables]]
name = "t"
regions = 20
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "500/s" }
keys = { dist = "uniform", count = 100_000 }
value_size = { dist = "constant", bytes = 100 }
[[faults]]
kind = "wal_slow_sync"
at = "10s"
delay = "2s"
"#;

// WAL syncs complete in order (HDFS acknowledges a stream's packets in order): every sync
// started while the slow one is out completes when it does, so every put of those 2 s waits
// for it — about a tenth of the run's puts, so the 99th percentile is over half a second.
// Were each sync to end on its own time, only the slow sync's region would wait (its later
// writes behind the slow one's MVCC number: about 50 puts, held by as many of the 100
// handlers), and the 99th percentile would stay near 1 ms. In both profiles (AsyncFSWAL's
// fan-out output and FSHLog's SyncRunners alike).
#[test]
fn a_slow_sync_holds_up_every_later_one() {
    for profile in ["profile=hbase-2.5", "profile=hbase-1.4"] {
        let (_, summary) = run(&scenario(ONE_SLOW_SYNC, &[profile]));
        assert_eq!(summary.faults["wal_slow_sync"], 1, "{profile}");
        let put = &summary.operations["put"];
        assert!(
            put.latency_ms.p99 > 500.0,
            "{profile}: {:?}",
            put.latency_ms
        );
        assert!(put.latency_ms.p50 < 5.0, "{profile}: {:?}", put.latency_ms);
        assert!(summary.wal.sync_latency_ms.max >= 1999.0, "{profile}");
    }
}

// Every sync failing for a second, with syncs that take no time: each failure rolls the WAL,
// and a roll takes at least the new file's create (a NameNode call, 1 ms by default), so the
// clock moves on — at most a thousand rolls, then the writes go on — in both profiles and with
// either provider. It used to fail, roll and rewrite forever at one instant.
#[test]
fn a_window_of_failing_instant_syncs_ends() {
    let text = FAILING_SYNCS
        .replace("value = \"2ms\"", "value = \"0ms\"")
        .replace(
            "at = \"30s\"\ncount = 3",
            "start = \"30s\"\nend = \"31s\"\nprobability = 1.0",
        );
    for sets in [
        &["profile=hbase-2.5"][..],
        &["profile=hbase-1.4"],
        &["profile=hbase-2.5", "hbase.wal.provider=filesystem"],
    ] {
        let (_, summary) = run(&scenario(&text, sets));
        let rolls = summary.wal.rolls["error"];
        assert!((100..=1_001).contains(&rolls), "{sets:?}: {rolls} rolls");
        // Writes went on after the window: the last ten seconds acknowledged puts.
        assert!(summary.operations["put"].succeeded > 50_000, "{sets:?}");
        assert_eq!(summary.durability.lost, 0);
    }
}
