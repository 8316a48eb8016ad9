//! Crashes and recovery against the durability oracle: what HBase keeps and what it loses,
//! per durability, per fault, per skip.errors setting and per known bug.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{bundled, regionsim, run, scenario};
use regionsim::model::wal::reader::ReaderRules;
use regionsim::report::Summary;
use regionsim::report::summary::RecoverySummary;
use regionsim::runner::wal_files::export_sim_fs;
use regionsim::scenario::{LoadOptions, load_str};
use regionsim::sim::RandomStream;

/// A small server that crashes: four regions, small flushes and WAL files (so that crashes
/// find flushed data, rolled files and archived ones), and a short ZooKeeper timeout and
/// restart so the recovery is over well before the end.
fn small(profile: &str, durability: &str, faults: &str) -> String {
    format!(
        r#"
name = "small-crash"
seed = 1
duration = "90s"
profile = "{profile}"

[server]
heap = "2GB"
restart = "5s"

[properties]
"hbase.hregion.memstore.flush.size" = "4MB"
"hbase.regionserver.hlog.blocksize" = "16MB"
"zookeeper.session.timeout" = 5000

[io]
wal_sync_latency = {{ dist = "lognormal", median = "1ms", p99 = "10ms" }}
hdfs_write_bandwidth = "100MB/s"
hdfs_read_bandwidth = "200MB/s"

[[tables]]
name = "t"
regions = 4

[[workloads]]
table = "t"
arrival = {{ kind = "open", rate = "100/s" }}
mix = {{ batch = 1.0 }}
batch_rows = 20
keys = {{ dist = "uniform", count = 100000 }}
value_size = {{ dist = "constant", bytes = "500B" }}
durability = "{durability}"

{faults}
"#
    )
}

fn only_recovery(summary: &Summary) -> &RecoverySummary {
    assert_eq!(summary.recovery.recoveries.len(), 1, "one crash");
    &summary.recovery.recoveries[0]
}

// With SYNC_WAL and no corruption, a crash at a random time (or at a random sync, flush or
// roll) loses no acknowledged edit, over 200 seeds and both profiles: every region comes back
// with its edits replayed.
#[test]
fn sync_wal_crashes_lose_nothing() {
    let mut replayed_somewhere = 0;
    let mut torn = 0;
    for seed in 1..=200u64 {
        let mut plan = RandomStream::new(seed, "test.crash");
        let at = 5_000 + plan.below(55_000);
        let fault = match plan.below(5) {
            0 => format!("kind = \"crash\"\nduring = \"sync\"\nat = \"{at}ms\""),
            1 => format!("kind = \"crash\"\nduring = \"flush\"\nat = \"{at}ms\""),
            2 => format!("kind = \"wal_torn_write\"\nat = \"{at}ms\""),
            3 => format!("kind = \"zk_expiry\"\nat = \"{at}ms\""),
            _ => format!("kind = \"crash\"\nat = \"{at}ms\""),
        };
        let profile = if seed % 2 == 0 {
            "hbase-2.5"
        } else {
            "hbase-1.4"
        };
        let text = small(profile, "SYNC_WAL", &format!("[[faults]]\n{fault}\n"));
        let (_, summary) = run(&scenario(&text, &[&format!("seed={seed}")]));
        let durability = &summary.durability;
        assert!(durability.acknowledged > 0);
        assert_eq!(
            (
                durability.lost,
                durability.unavailable,
                durability.resurrected
            ),
            (0, 0, 0),
            "seed {seed}, {fault}: {durability:?}"
        );
        let recovery = only_recovery(&summary);
        assert!(
            recovery.completed_at_s.is_some(),
            "seed {seed}: {recovery:?}"
        );
        assert_eq!(recovery.regions_recovered, 4);
        assert!(summary.recovery.server_up_at_end);
        replayed_somewhere += u64::from(summary.recovery.edits_replayed > 0);
        torn += u64::from(recovery.torn_entry_bytes_left.is_some());
    }
    // The test means something: crashes found unflushed edits to replay, and torn entries.
    assert!(replayed_somewhere > 190, "{replayed_somewhere}");
    assert!(torn > 20, "{torn}");
}

// A bulk load flushes the region and loads its file at that flush's own sequence id
// (HRegion.bulkLoadHFiles): below every edit written after the flush's snapshot. Loaded at a
// later id, the file would make replay skip those edits as already in a store file: a crash
// before the next flush lost 20–42 acknowledged edits per seed here, none explained.
#[test]
fn a_bulk_load_then_a_crash_loses_nothing() {
    let faults = r#"
[[actions]]
kind = "bulk_load"
at = "20s"
table = "t"
size = "50MB"

[[faults]]
kind = "crash"
at = "22s"
during = "roll"
"#;
    for profile in ["hbase-2.5", "hbase-1.4"] {
        for seed in 1..=4 {
            let text = small(profile, "SYNC_WAL", faults);
            let (_, summary) = run(&scenario(&text, &[&format!("seed={seed}")]));
            let recovery = only_recovery(&summary);
            assert!(recovery.completed_at_s.is_some(), "{profile} seed {seed}");
            assert_eq!(
                (summary.durability.lost, summary.durability.resurrected),
                (0, 0),
                "{profile} seed {seed}: {:?}",
                summary.durability
            );
            assert!(summary.durability.acknowledged > 5_000);
        }
    }
}

// A check-and-put whose check fails writes nothing, so it appends no WAL entry: HRegion
// appends only a non-empty WALEdit. An entry announcing no cells would end 1.4's reader
// there (ProtobufLogReader.readNext), and every edit after it was lost at the split.
#[test]
fn a_failed_check_leaves_no_entry_in_the_wal() {
    let checks = r#"
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "5/s" }
mix = { check_and_put = 1.0 }
keys = { dist = "uniform", count = 100000 }
value_size = { dist = "constant", bytes = "500B" }

[[faults]]
kind = "crash"
at = "30s"
"#;
    for profile in ["hbase-1.4", "hbase-2.5"] {
        let (_, summary) = run(&scenario(&small(profile, "SYNC_WAL", checks), &[]));
        assert!(summary.operations["check_and_put"].checks_failed > 20);
        let split = &only_recovery(&summary).split_files;
        assert!(
            split.iter().all(|file| !file.stop.contains("no cells")),
            "{split:?}"
        );
        assert_eq!(summary.durability.lost, 0, "{profile}");
    }
}

// A torn last entry is the normal end of a crashed server's WAL: with skip.errors false the
// split succeeds at the first attempt and nothing acknowledged is lost.
#[test]
fn torn_last_entry_loses_nothing_without_skip_errors() {
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        "[[faults]]\nkind = \"wal_torn_write\"\nat = \"30s\"\nfraction = 0.5\n",
    );
    let (_, summary) = run(&scenario(&text, &[]));
    let recovery = only_recovery(&summary);
    assert!(
        recovery
            .torn_entry_bytes_left
            .is_some_and(|bytes| bytes > 0)
    );
    assert_eq!((recovery.split_attempts, recovery.split_failures), (1, 0));
    assert_eq!(summary.durability.lost, 0);
    assert!(summary.durability.acknowledged > 0);
}

/// A WAL file damaged a second before the crash: `fault` is the damage's settings.
fn damaged_then_crashed(fault: &str) -> String {
    format!("[[faults]]\n{fault}\nat = \"29s\"\n\n[[faults]]\nkind = \"crash\"\nat = \"30s\"\n")
}

/// `small` with one WAL file and no flush before the crash: every acknowledged edit is in the
/// file being written when it is damaged, and is replayed from it.
fn one_wal_file(profile: &str, fault: &str) -> String {
    small(profile, "SYNC_WAL", &damaged_then_crashed(fault))
        .replace("\"4MB\"", "\"256MB\"")
        .replace("\"16MB\"", "\"1GB\"")
}

/// The WAL file being written becomes unreadable (no datanode serves its block), for good.
const UNREADABLE_THEN_CRASH: &str = "kind = \"wal_unreadable\"";

// A WAL whose block no datanode serves: reading it throws BlockMissingException, an
// IOException, so skip.errors decides. False: the split fails and is retried, the regions stay
// offline, nothing is lost and the run says why. True: the file is set aside — to oldWALs/
// under 2.5's procedures, to corrupt/ under 1.4's ZooKeeper tasks — and the oracle counts its
// acknowledged edits as lost, naming the cause.
#[test]
fn unreadable_wal_per_skip_errors() {
    // Each attempt meets HDFS's block refetches (18 s): a longer run sees several.
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        &damaged_then_crashed(UNREADABLE_THEN_CRASH),
    )
    .replace("\"90s\"", "\"150s\"");
    let (_, strict) = run(&scenario(&text, &[]));
    let recovery = only_recovery(&strict);
    assert!(recovery.split_failures >= 3, "{recovery:?}");
    // Retried at once: the attempt after the last failure is under way at the end.
    assert_eq!(recovery.split_attempts, recovery.split_failures + 1);
    assert_eq!(recovery.completed_at_s, None);
    let error = recovery.split_error.as_deref().unwrap();
    assert!(
        error.contains("-splitting/") && error.contains("BlockMissingException"),
        "{error}"
    );
    assert_eq!(strict.durability.lost, 0);
    assert!(strict.durability.unavailable > 0);
    assert!(!strict.recovery.server_up_at_end);

    for (profile, dir) in [("hbase-2.5", "oldWALs/"), ("hbase-1.4", "corrupt/")] {
        let text = small(
            profile,
            "SYNC_WAL",
            &damaged_then_crashed(UNREADABLE_THEN_CRASH),
        );
        let (outcome, skipping) = run(&scenario(&text, &["hbase.hlog.split.skip.errors=true"]));
        let recovery = only_recovery(&skipping);
        assert_eq!(recovery.split_failures, 0);
        assert_eq!(recovery.files_set_aside.len(), 1, "{profile}");
        assert!(recovery.files_set_aside[0].starts_with(dir), "{profile}");
        assert!(outcome.fs.exists(&recovery.files_set_aside[0]));
        let durability = &skipping.durability;
        assert!(durability.lost > 0, "{durability:?}");
        assert_eq!(
            durability.lost_by_cause,
            BTreeMap::from([("corrupt_wal_skipped".to_string(), durability.lost)])
        );
        assert_eq!(durability.unavailable, 0);
    }

    // Datanodes that come back within the retries: the split succeeds then, nothing lost.
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        &damaged_then_crashed("kind = \"wal_unreadable\"\nduration = \"70s\""),
    )
    .replace("\"90s\"", "\"300s\"");
    let (_, back) = run(&scenario(&text, &[]));
    let recovery = only_recovery(&back);
    assert!(recovery.split_failures >= 1, "{recovery:?}");
    assert!(recovery.completed_at_s.is_some());
    assert_eq!(back.durability.lost, 0);
    assert_eq!(back.durability.verified, back.durability.acknowledged);
}

// A value byte changed before HDFS checksummed it: every replica holds it, HBase's reader
// cannot see it, and the edit is replayed with the damaged value — corrupted, not lost, in
// both lines, whatever skip.errors says.
#[test]
fn a_damaged_value_comes_back_corrupted() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        for skip_errors in ["false", "true"] {
            let text = one_wal_file(
                profile,
                "kind = \"wal_corruption\"\nbefore_checksum = true\nin = \"value\"",
            );
            let set = format!("hbase.hlog.split.skip.errors={skip_errors}");
            let (_, summary) = run(&scenario(&text, &[&set]));
            let durability = &summary.durability;
            assert_eq!(
                durability.corrupted, 1,
                "{profile} {skip_errors}: {durability:?}"
            );
            assert_eq!(durability.lost, 0, "{profile}");
            assert_eq!(
                durability.verified + 1,
                durability.acknowledged,
                "{profile}"
            );
            assert_eq!(only_recovery(&summary).split_failures, 0);
        }
    }
}

// A key changed before HDFS checksummed it: every replica holds it and the reader parses it,
// so its edit is split to another region or sequence id (or, with a changed write time, comes
// back as it was). An edit lost that way is named damaged_entry, never unexplained; nothing
// else is lost.
#[test]
fn a_damaged_key_loses_only_its_own_edit() {
    let mut lost_somewhere = 0;
    for profile in ["hbase-2.5", "hbase-1.4"] {
        for seed in 1..=6 {
            let text = one_wal_file(
                profile,
                "kind = \"wal_corruption\"\nbefore_checksum = true\nin = \"key\"",
            );
            let (_, summary) = run(&scenario(&text, &[&format!("seed={seed}")]));
            let durability = &summary.durability;
            assert!(durability.lost <= 1, "{profile} {seed}: {durability:?}");
            if durability.lost == 1 {
                assert_eq!(
                    durability.lost_by_cause,
                    BTreeMap::from([("damaged_entry".to_string(), 1)]),
                    "{profile} {seed}"
                );
            }
            lost_somewhere += durability.lost;
        }
    }
    assert!(lost_somewhere > 0);
}

// Cells rotted in every replica: the read of their packet fails, the reader (both lines) takes
// it for the end of the file, and the split goes on without a word: the acknowledged edits
// after that point are lost, named truncated_by_damage, whatever skip.errors says. One rotted
// replica of three is read around: nothing lost.
#[test]
fn rotted_cells_end_the_file_silently() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        for skip_errors in ["false", "true"] {
            let text = one_wal_file(
                profile,
                "kind = \"wal_corruption\"\nreplicas = \"all\"\nin = \"value\"",
            );
            let set = format!("hbase.hlog.split.skip.errors={skip_errors}");
            let (_, summary) = run(&scenario(&text, &[&set]));
            let recovery = only_recovery(&summary);
            assert_eq!(recovery.split_failures, 0, "{profile} {skip_errors}");
            assert!(recovery.files_set_aside.is_empty());
            let durability = &summary.durability;
            assert!(
                durability.lost > 0,
                "{profile} {skip_errors}: {durability:?}"
            );
            assert_eq!(
                durability.lost_by_cause,
                BTreeMap::from([("truncated_by_damage".to_string(), durability.lost)])
            );
        }
        let text = one_wal_file(profile, "kind = \"wal_corruption\"\nreplicas = 1");
        let (_, summary) = run(&scenario(&text, &[]));
        assert_eq!(summary.durability.lost, 0, "{profile}");
        assert_eq!(summary.durability.verified, summary.durability.acknowledged);
        assert!(summary.recovery.hdfs_read_around_chunks >= 1);
    }
}

// ASYNC_WAL loses only edits acknowledged within the syncer's window: everything lost was
// in the WAL's unsynced tail that the crash cut away, and is named as such.
#[test]
fn async_wal_loses_only_its_window() {
    let mut lost_somewhere = 0;
    for seed in 1..=10u64 {
        let text = small(
            "hbase-2.5",
            "ASYNC_WAL",
            "[[faults]]\nkind = \"crash\"\nat = \"30s\"\n",
        );
        let (_, summary) = run(&scenario(&text, &[&format!("seed={seed}")]));
        let durability = &summary.durability;
        let recovery = only_recovery(&summary);
        assert!(
            durability.lost <= recovery.wal_entries_cut,
            "seed {seed}: lost {} of {} entries cut",
            durability.lost,
            recovery.wal_entries_cut
        );
        if durability.lost > 0 {
            lost_somewhere += 1;
            assert_eq!(
                durability.lost_by_cause,
                BTreeMap::from([("async_wal_window".to_string(), durability.lost)])
            );
        }
    }
    assert!(lost_somewhere > 0, "ASYNC_WAL never had anything at risk");
}

// More WAL files than maxlogs force flushes of the regions pinning the oldest, which keeps the
// file count bounded; without the limit the files pile up.
#[test]
fn too_many_wals_keep_the_file_count_bounded() {
    // Many regions each taking a trickle: no region reaches its flush size for a long time.
    let text = small("hbase-2.5", "SYNC_WAL", "")
        .replace("regions = 4", "regions = 40")
        .replace("\"4MB\"", "\"256MB\"")
        .replace("\"16MB\"", "\"2MB\"");
    let (_, limited) = run(&scenario(&text, &["hbase.regionserver.maxlogs=4"]));
    let (_, unlimited) = run(&scenario(&text, &["hbase.regionserver.maxlogs=1000"]));
    assert!(limited.wal.forced_flush_requests > 0);
    assert!(limited.flushes.by_reason["too_many_wals"] > 0);
    assert!(
        limited.wal.files_peak <= 4 + 3,
        "peak {} with maxlogs 4",
        limited.wal.files_peak
    );
    assert!(
        unlimited.wal.files_peak > 3 * limited.wal.files_peak,
        "{} vs {}",
        unlimited.wal.files_peak,
        limited.wal.files_peak
    );
    assert_eq!(unlimited.flushes.by_reason.get("too_many_wals"), Some(&0));
    assert_eq!(limited.durability.lost, 0);
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("regionsim-recovery-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The (encoded region, sequence id) of every entry `wal dump` prints for a file.
fn dumped_edits(file: &Path) -> BTreeSet<(String, u64)> {
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("entry    "))
        .map(|line| {
            let sequence = line.split("sequence ").nth(1).unwrap();
            let sequence: u64 = sequence.split(',').next().unwrap().parse().unwrap();
            let region = line.split("region ").nth(1).unwrap();
            (region.split(',').next().unwrap().to_string(), sequence)
        })
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

// A dead server's WAL files, exported, dumped and split by the commands, give the same edits
// as the simulation's own split of the same files: the same scenario run on past the
// master's notice splits exactly the entries `wal dump` lists, and `wal split` writes them all
// to recovered edits.
#[test]
fn exported_wals_dump_and_split_to_the_simulations_edits() {
    // No flush before the crash, so that neither split filters anything.
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        "[[faults]]\nkind = \"crash\"\nat = \"20s\"\n",
    )
    .replace("\"4MB\"", "\"256MB\"")
    .replace("5000", "60000")
    .replace("\"5s\"", "\"60s\"");
    let (_, recovered) = run(&scenario(&text, &[]));
    let entries_split = only_recovery(&recovered).entries_split;
    assert!(entries_split > 100);

    // The same run stopped before the master notices: the WALs are as the crash left them.
    let (outcome, before) = run(&scenario(&text, &["duration=50s"]));
    assert!(only_recovery(&before).noticed_at_s.is_none());
    let exported = scratch("export");
    export_sim_fs(&outcome.fs, "WALs", &exported).unwrap();
    let wal_files = files_under(&exported);
    assert!(!wal_files.is_empty());
    let mut dumped = BTreeSet::new();
    for file in &wal_files {
        let bytes = std::fs::read(file).unwrap();
        let entries = common::wal::read_bytes(&bytes, ReaderRules::Hbase25)
            .entries
            .len();
        let edits = dumped_edits(file);
        assert_eq!(edits.len(), entries, "{}", file.display());
        dumped.extend(edits);
    }
    assert_eq!(dumped.len() as u64, entries_split);

    let server_dir = std::fs::read_dir(&exported)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let out = scratch("split");
    let output = regionsim(&[
        "wal",
        "split",
        server_dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut split = BTreeSet::new();
    for file in files_under(&out.join("data")) {
        split.extend(dumped_edits(&file));
    }
    assert_eq!(split, dumped);
    std::fs::remove_dir_all(&exported).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
}

// The bundled crash scenario recovers and loses nothing; the skip-errors scenario loses edits
// to the corrupt file with skip.errors true, and with false loses none but stalls.
#[test]
fn bundled_crash_scenarios() {
    let (_, crash) = run(&bundled("scenarios/crash-recovery.toml", &[]));
    assert_eq!(crash.durability.lost, 0);
    assert!(only_recovery(&crash).completed_at_s.is_some());
    assert!(crash.recovery.edits_replayed > 0);

    let (_, skipped) = run(&bundled("scenarios/skip-errors-data-loss.toml", &[]));
    assert!(skipped.durability.lost_by_cause["corrupt_wal_skipped"] > 0);
    assert!(only_recovery(&skipped).completed_at_s.is_some());
    let (_, strict) = run(&bundled(
        "scenarios/skip-errors-data-loss.toml",
        &["hbase.hlog.split.skip.errors=false"],
    ));
    assert_eq!(strict.durability.lost, 0);
    assert!(strict.durability.unavailable > 0);
    assert_eq!(only_recovery(&strict).completed_at_s, None);
    // 2.5 sets the unreadable file aside in oldWALs/, 1.4 in corrupt/.
    assert!(only_recovery(&skipped).files_set_aside[0].starts_with("oldWALs/"));
    let (_, old) = run(&bundled(
        "scenarios/skip-errors-data-loss.toml",
        &["profile=hbase-1.4"],
    ));
    assert!(only_recovery(&old).files_set_aside[0].starts_with("corrupt/"));

    // wal-damage.toml, as its comment says: one edit corrupted, 969 lost to the silent end,
    // skip.errors or not; with one bad replica only, nothing lost.
    for sets in [&[][..], &["hbase.hlog.split.skip.errors=true"][..]] {
        let (_, damage) = run(&bundled("scenarios/wal-damage.toml", sets));
        let durability = &damage.durability;
        assert_eq!((durability.corrupted, durability.lost), (1, 969));
        assert_eq!(durability.lost_by_cause["truncated_by_damage"], 969);
        // The damaged file split to where its rotted packet begins, silently.
        let files = &only_recovery(&damage).split_files;
        let damaged = files.last().unwrap();
        assert_eq!(damaged.fate, "archived");
        assert!(
            damaged.stop.contains("BlockMissingException"),
            "{}",
            damaged.stop
        );
        assert!(damaged.entries_read < files[0].entries_read);
    }
    let (_, around) = run(&bundled(
        "scenarios/wal-damage.toml",
        &["faults.1.replicas=1"],
    ));
    assert_eq!(
        (around.durability.corrupted, around.durability.lost),
        (1, 0)
    );
    assert_eq!(around.recovery.hdfs_read_around_chunks, 1);
}

// HBASE-2643 on: the torn last WAL fails the split for good and the regions stay offline; off:
// the split succeeds and the regions come back with nothing lost.
#[test]
fn hbase_2643_stalls_with_the_switch_on_only() {
    let (_, on) = run(&bundled("scenarios/hbase-2643.toml", &[]));
    let recovery = only_recovery(&on);
    assert_eq!(recovery.completed_at_s, None);
    assert!(recovery.split_failures >= 3);
    assert!(
        recovery
            .split_error
            .as_deref()
            .unwrap()
            .contains("HBASE-2643")
    );
    assert!(on.durability.unavailable > 0);
    assert_eq!(on.durability.lost, 0);

    let (_, off) = run(&bundled(
        "scenarios/hbase-2643.toml",
        &["bugs.HBASE-2643=false"],
    ));
    let recovery = only_recovery(&off);
    assert!(recovery.completed_at_s.is_some());
    assert_eq!(recovery.split_failures, 0);
    assert_eq!((off.durability.lost, off.durability.unavailable), (0, 0));
}

// HBASE-2958 on: the failed split is given up and the regions open without its edits, which
// the oracle counts as lost; off: the split is retried and the regions stay offline, but
// nothing is lost.
#[test]
fn hbase_2958_loses_with_the_switch_on_only() {
    let (_, on) = run(&bundled("scenarios/hbase-2958.toml", &[]));
    let recovery = only_recovery(&on);
    assert!(recovery.split_given_up);
    assert!(recovery.completed_at_s.is_some());
    assert!(on.durability.lost_by_cause["split_given_up"] > 0);
    assert_eq!(
        on.durability.lost,
        on.durability.lost_by_cause["split_given_up"]
    );

    let (_, off) = run(&bundled(
        "scenarios/hbase-2958.toml",
        &["bugs.HBASE-2958=false"],
    ));
    let recovery = only_recovery(&off);
    assert!(!recovery.split_given_up);
    assert_eq!(recovery.completed_at_s, None);
    assert_eq!(off.durability.lost, 0);
    assert!(off.durability.unavailable > 0);
}

// HBASE-11868 on: writes appended to FSHLog's broken writer, between a failed sync and the roll,
// are acknowledged unsynced, and a crash loses those still only in the memstore (named as
// acknowledged before any sync covered them, the oracle's nearest cause); off: they fail with
// DamagedWALException and are rolled back and retried, and nothing is lost. Every writer that
// is not failed is acknowledged instead, so the two runs' failures and acknowledgements differ
// by the same writers.
#[test]
fn hbase_11868_loses_with_the_switch_on_only() {
    let (_, on) = run(&bundled("scenarios/hbase-11868.toml", &[]));
    let (_, off) = run(&bundled(
        "scenarios/hbase-11868.toml",
        &["bugs.HBASE-11868=false"],
    ));
    assert!(on.durability.lost > 0);
    assert_eq!(
        on.durability.lost,
        on.durability.lost_by_cause["failed_sync_acknowledged"]
    );
    assert_eq!((off.durability.lost, off.durability.unavailable), (0, 0));
    let failed =
        |summary: &regionsim::report::Summary| summary.client.errors["DamagedWALException"];
    assert!(failed(&on) < failed(&off));
    assert!(
        failed(&on) > 0,
        "writers waiting when a sync fails still see it"
    );
    assert_eq!(on.durability.rolled_back, failed(&on));
    assert_eq!(off.durability.rolled_back, failed(&off));
}

// HBASE-11868 lived in FSHLog: with AsyncFSWAL (2.5's default provider) the switch could not
// act, so it is refused.
#[test]
fn hbase_11868_needs_fshlog() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hbase-11868.toml"),
    )
    .unwrap()
    .replace("profile = \"hbase-1.4\"", "profile = \"hbase-2.5\"");
    let error = load_str("s.toml", &text, Path::new("."), &LoadOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("HBASE-11868 lived in FSHLog, and hbase.wal.provider is asyncfs"),
        "{error}"
    );
}

// HBASE-13811 on: the server crashes while per-family flushes write their files, and the split
// drops the snapshots' edits as flushed, because the reports told the master the flushing
// family was complete past them; every loss has that cause, in both profiles. Off: nothing is
// lost, and the split writes out more entries (what the master knows lags the flushes, never
// runs ahead of them).
#[test]
fn hbase_13811_loses_with_the_switch_on_only() {
    for profile in ["profile=hbase-2.5", "profile=hbase-1.4"] {
        let (_, on) = run(&bundled("scenarios/hbase-13811.toml", &[profile]));
        let (_, off) = run(&bundled(
            "scenarios/hbase-13811.toml",
            &[profile, "bugs.HBASE-13811=false"],
        ));
        assert!(on.durability.lost > 1_000, "{profile}: {:?}", on.durability);
        assert_eq!(
            on.durability.lost,
            on.durability.lost_by_cause["store_seqid_over_reported"]
        );
        assert_eq!((off.durability.lost, off.durability.unavailable), (0, 0));
        assert!(only_recovery(&off).entries_split > only_recovery(&on).entries_split);
    }
}

// The same crash scenario and seed give the same summary, byte for byte.
#[test]
fn crash_recovery_is_deterministic() {
    let text = small(
        "hbase-1.4",
        "SYNC_WAL",
        &damaged_then_crashed(UNREADABLE_THEN_CRASH),
    );
    let a = run(&scenario(&text, &["hbase.hlog.split.skip.errors=true"])).1;
    let b = run(&scenario(&text, &["hbase.hlog.split.skip.errors=true"])).1;
    assert_eq!(a.to_json(), b.to_json());
    assert!(a.durability.lost > 0);
}

// FSHLog after a failed sync, then a crash: nothing acknowledged is lost and nothing rolled
// back comes back — the appends made to the broken writer fail with it, a sync covered by a
// later one cannot fail, and the writers of a file being rolled are synced by its close.
#[test]
fn sync_failures_then_crashes_keep_the_oracle_whole() {
    let mut rolled_back = 0;
    for seed in 1..=40u64 {
        let mut plan = RandomStream::new(seed, "test.sync_failure");
        let failure = 10_000 + plan.below(40_000);
        let crash = failure + 200 + plan.below(5_000);
        let faults = format!(
            "[[faults]]\nkind = \"wal_sync_failure\"\nat = \"{failure}ms\"\ncount = 3\n\n[[faults]]\nkind = \"crash\"\nat = \"{crash}ms\"\n"
        );
        let profile = if seed % 2 == 0 {
            "hbase-2.5"
        } else {
            "hbase-1.4"
        };
        let text =
            small(profile, "SYNC_WAL", &faults).replace("rate = \"100/s\"", "rate = \"400/s\"");
        let (_, summary) = run(&scenario(
            &text,
            &[&format!("seed={seed}"), "hbase.wal.provider=filesystem"],
        ));
        let durability = &summary.durability;
        assert_eq!(
            (durability.lost, durability.resurrected),
            (0, 0),
            "seed {seed}: {durability:?}"
        );
        assert!(
            summary.wal.sync_failures > 0,
            "seed {seed}: {:?}",
            summary.faults
        );
        rolled_back += durability.rolled_back;
    }
    assert!(rolled_back > 0);
}

/// `small`'s crash at 30 s with `[server] restart` and more settings.
fn timed_crash(profile: &str, restart: &str, sets: &[&str]) -> Summary {
    let text = small(
        profile,
        "SYNC_WAL",
        "[[faults]]\nkind = \"crash\"\nat = \"30s\"\n",
    )
    .replace("restart = \"5s\"", &format!("restart = \"{restart}\""))
    .replace(
        "hdfs_read_bandwidth = \"200MB/s\"",
        "hdfs_read_bandwidth = \"200MB/s\"\nregion_open_latency = { dist = \"constant\", value = \"1s\" }",
    );
    let mut all = vec!["duration=120s"];
    all.extend_from_slice(sets);
    run(&scenario(&text, &all)).1
}

// The recovery's timing, as HBase spends it:
// - the master notices a crash when a new process on the same host registers, if that comes
//   before the ZooKeeper session expires (5 s here); a later restart holds the split, which
//   needs a live region server, and "never" leaves the regions offline;
// - the file the dead writer held open costs its lease recovery (4 s by default) before it is
//   split;
// - regions open `openregion.threads` at a time: 4 regions with a 1 s open, 3 at a time, take
//   2 s; one at a time, 4 s.
#[test]
fn recovery_timing_as_hbase_runs_it() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let early = timed_crash(profile, "2s", &[]);
        let recovery = only_recovery(&early);
        assert_eq!(recovery.noticed_at_s, Some(32.0), "{profile}");
        let split = recovery.split_done_at_s.unwrap() - 32.0;
        assert!(
            split >= 4.0,
            "{profile}: the lease recovery takes 4 s: {split}"
        );
        let quick = timed_crash(profile, "2s", &["hbase.lease.recovery.first.pause=0"]);
        let quick_split = only_recovery(&quick).split_done_at_s.unwrap() - 32.0;
        assert!(
            split - quick_split >= 3.0,
            "{profile}: {split} vs {quick_split}"
        );

        let late = timed_crash(profile, "20s", &[]);
        let recovery = only_recovery(&late);
        assert_eq!(recovery.noticed_at_s, Some(35.0), "{profile}");
        assert!(recovery.split_done_at_s.unwrap() >= 50.0 + 4.0);

        let never = timed_crash(profile, "never", &[]);
        let recovery = only_recovery(&never);
        assert_eq!(recovery.noticed_at_s, Some(35.0));
        assert_eq!(
            (recovery.split_attempts, recovery.completed_at_s),
            (0, None)
        );
        assert!(never.durability.unavailable > 0);

        let open = |threads: &str| {
            let summary = timed_crash(
                profile,
                "2s",
                &[&format!(
                    "hbase.regionserver.executor.openregion.threads={threads}"
                )],
            );
            let recovery = only_recovery(&summary).clone();
            recovery.completed_at_s.unwrap() - recovery.split_done_at_s.unwrap()
        };
        let (three, one) = (open("3"), open("1"));
        assert!((2.0..2.5).contains(&three), "{profile}: {three}");
        assert!((4.0..4.5).contains(&one), "{profile}: {one}");
    }
}

// Replay flushes whenever the region's memstore passes its flush size, not only at the end: a
// server whose flushes cannot keep up (1 MB/s to HDFS) holds memstores of several flush sizes
// when it crashes (up to the blocking size, 4 × 4 MB), and replaying them flushes each region
// more than once; nothing is lost.
#[test]
fn replay_flushes_at_flush_size() {
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        "[[faults]]\nkind = \"crash\"\nat = \"60s\"\n",
    )
    .replace("\"100/s\"", "\"400/s\"")
    .replace(
        "hdfs_write_bandwidth = \"100MB/s\"",
        "hdfs_write_bandwidth = \"1MB/s\"",
    );
    let (_, summary) = run(&scenario(&text, &["duration=150s"]));
    assert_eq!(summary.durability.lost, 0);
    assert!(only_recovery(&summary).completed_at_s.is_some());
    let replay_flushes = summary.flushes.by_reason["recovered_edits"];
    assert!(replay_flushes > 4, "{replay_flushes} flushes");
}

// Each WAL file is a split task, `hbase.regionserver.wal.max.splitters` at a time on the one
// worker: with about 30 small files, each task mostly its dispatch wait (150 ms in 2.5, a
// 0.5–1 s sleep after the grab in 1.4), one splitter takes about twice as long as two.
#[test]
fn split_tasks_run_max_splitters_at_a_time() {
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let split = |splitters: &str| {
            let text = small(
                profile,
                "SYNC_WAL",
                "[[faults]]\nkind = \"crash\"\nat = \"30s\"\n",
            )
            .replace("\"16MB\"", "\"2MB\"")
            .replace("\"4MB\"", "\"256MB\"");
            let sets = [
                "duration=120s".to_string(),
                format!("hbase.regionserver.wal.max.splitters={splitters}"),
                "hbase.lease.recovery.first.pause=0".to_string(),
            ];
            let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
            let (_, summary) = run(&scenario(&text, &sets));
            let recovery = only_recovery(&summary).clone();
            assert_eq!(summary.durability.lost, 0);
            recovery.split_done_at_s.unwrap() - recovery.noticed_at_s.unwrap()
        };
        let (one, two) = (split("1"), split("2"));
        assert!(
            one > 1.8 * two && one < 2.2 * two,
            "{profile}: {one} vs {two}"
        );
    }
}

// The WALs a split archives to oldWALs/ (a file set aside under 2.5's procedures among them)
// stay there until the master's LogCleaner, every 10 minutes from its start, finds them past
// their 10-minute TTL.
#[test]
fn the_log_cleaner_deletes_split_wals_after_their_ttl() {
    let text = small(
        "hbase-2.5",
        "SYNC_WAL",
        &damaged_then_crashed(UNREADABLE_THEN_CRASH),
    );
    let skip = "hbase.hlog.split.skip.errors=true";
    // Split at about 57 s, past its TTL at about 657 s: the chore at 10 minutes finds it too
    // young, the one at 20 minutes deletes it.
    let (kept, summary) = run(&scenario(&text, &[skip, "duration=1199s"]));
    let set_aside = &only_recovery(&summary).files_set_aside[0];
    assert!(set_aside.starts_with("oldWALs/"));
    assert!(kept.fs.exists(set_aside));
    assert!(!kept.fs.list_files("oldWALs").is_empty());
    let (cleaned, _) = run(&scenario(&text, &[skip, "duration=1201s"]));
    assert!(cleaned.fs.list_files("oldWALs").is_empty());
}
