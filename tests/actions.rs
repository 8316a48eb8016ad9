//! Operator actions: each flush trigger counted under its reason, regions that close, split and
//! merge while clients keep writing, and the unavailability they cause.

mod common;

use common::{run, scenario};

/// Four regions, two families, a steady batch load; actions are appended per test.
const BASE: &str = r#"
name = "actions"
seed = 9
duration = "2m"
[io]
wal_sync_latency = { dist = "constant", value = "2ms" }
hdfs_write_bandwidth = "200MB/s"
[[tables]]
name = "t"
regions = 4
families = ["a", "b"]
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "100/s" }
mix = { batch = 1.0 }
batch_rows = 20
keys = { dist = "uniform", count = 1_000_000 }
"#;

fn with_actions(actions: &str) -> String {
    format!("{BASE}\n{actions}")
}

// A close pre-flushes (the regions hold more than 5 MB by then), refuses requests while it
// closes and while the region is offline, and opens again after reopen_after: the clients'
// retries ride it out, so nothing fails, and the region was offline for exactly that long.
#[test]
fn a_closed_region_is_unavailable_then_serves_again() {
    let text = with_actions(
        "[[actions]]\nkind = \"close\"\nat = \"60s\"\ntable = \"t\"\nregion = 1\nreopen_after = \"3s\"\n",
    );
    let (_, summary) = run(&scenario(&text, &[]));
    let by_reason = &summary.flushes.by_reason;
    assert_eq!(by_reason["close_preflush"], 1);
    assert_eq!(by_reason["close"], 1);
    assert_eq!(summary.regions.offline_seconds, 3.0);
    assert!(summary.regions.not_serving_region > 0);
    assert!(summary.client.errors["NotServingRegionException"] > 0);
    assert_eq!(summary.operations["batch"].failed, 0);
    assert_eq!(
        summary.memstore.bytes_added,
        summary.flushes.bytes + summary.memstore.bytes_at_end
    );
}

// A close of a region holding less than hbase.hregion.preclose.flush.size skips the pre-flush.
#[test]
fn a_small_region_closes_without_a_pre_flush() {
    let text =
        with_actions("[[actions]]\nkind = \"close\"\nat = \"1s\"\ntable = \"t\"\nregion = 2\n");
    let (_, summary) = run(&scenario(&text, &[]));
    assert_eq!(summary.flushes.by_reason["close_preflush"], 0);
    assert_eq!(summary.flushes.by_reason["close"], 1);
}

// A split closes the parent (its flushes counted as "split") and puts two daughters in its
// place, each referencing the parent's files; a merge of two neighbours puts one region in their
// place. Writes keep succeeding throughout.
#[test]
fn splits_and_merges_change_the_regions() {
    let text = with_actions(
        "[[actions]]\nkind = \"split\"\nat = \"30s\"\ntable = \"t\"\nregion = 0\n\n[[actions]]\nkind = \"merge\"\nat = \"60s\"\ntable = \"t\"\nregion = 3\n",
    );
    let (_, summary) = run(&scenario(&text, &[]));
    assert_eq!(summary.regions.split, 1);
    assert_eq!(summary.regions.merged, 1);
    assert_eq!(summary.regions.count_at_end, 4);
    assert_eq!(summary.flushes.by_reason["split"], 2);
    assert_eq!(summary.flushes.by_reason["merge"], 4);
    // Daughters and the merged region opened one second after their parents closed.
    assert_eq!(summary.regions.offline_seconds, 3.0);
    assert_eq!(summary.operations["batch"].failed, 0);
    // The split parent's two store files (a, b) live on as references in each daughter, and
    // the merged pair's as references in the merged region; each of those stores compacts its
    // references away when its region opens (HRegionServer.postOpenDeployTasks): 2 daughters ×
    // 2 families + 2 families, every one an all-files compaction.
    assert_eq!(summary.compactions.by_kind["all_files"], 6);
}

// A region in transition is not closed, split or merged again: of two merges of the same
// regions at one instant (or a split of a region being merged), the first runs and the other
// is skipped, as the master refuses it; nothing panics and writes keep succeeding.
#[test]
fn a_second_transition_of_a_region_in_transition_is_skipped() {
    for at in ["0s", "30s"] {
        let merge =
            format!("[[actions]]\nkind = \"merge\"\nat = \"{at}\"\ntable = \"t\"\nregion = 1\n");
        let split =
            format!("[[actions]]\nkind = \"split\"\nat = \"{at}\"\ntable = \"t\"\nregion = 1\n");
        for second in [&merge, &split] {
            let (_, summary) = run(&scenario(&with_actions(&format!("{merge}\n{second}")), &[]));
            assert_eq!(summary.regions.merged, 1, "at {at}");
            assert_eq!(summary.regions.split, 0, "at {at}");
            assert_eq!(
                (summary.regions.actions_run, summary.regions.actions_skipped),
                (1, 1)
            );
            assert_eq!(summary.regions.count_at_end, 3);
            assert_eq!(summary.operations["batch"].failed, 0);
        }
    }
}

// A merge before the regions took any write opens a region whose sequence ids start where
// its parents' ended (at 0): its first write takes 1, and nothing is lost.
#[test]
fn a_merge_before_any_write_opens_a_writable_region() {
    let text =
        with_actions("[[actions]]\nkind = \"merge\"\nat = \"0s\"\ntable = \"t\"\nregion = 0\n")
            .replace(
                "table = \"t\"\narrival",
                "table = \"t\"\nstart = \"2s\"\narrival",
            );
    let (_, summary) = run(&scenario(&text, &["duration=10s"]));
    assert_eq!(summary.regions.merged, 1);
    assert!(summary.durability.acknowledged > 500);
    assert_eq!(summary.durability.verified, summary.durability.acknowledged);
}

// A merge of the last region has no neighbour: refused when the scenario is read.
#[test]
fn merging_the_last_region_is_refused() {
    let text =
        with_actions("[[actions]]\nkind = \"merge\"\nat = \"10s\"\ntable = \"t\"\nregion = 3\n");
    let error = regionsim::scenario::load_str(
        "t.toml",
        &text,
        std::path::Path::new("."),
        &regionsim::scenario::LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("regions 0 to 2 for a merge"),
        "{error}"
    );
}

// A snapshot flushes every region; a bulk load flushes its region and adds one file per family.
#[test]
fn snapshots_and_bulk_loads_flush_first() {
    let text = with_actions(
        "[[actions]]\nkind = \"snapshot\"\nat = \"30s\"\ntable = \"t\"\n\n[[actions]]\nkind = \"bulk_load\"\nat = \"40s\"\ntable = \"t\"\nregion = 2\nsize = \"64MB\"\n",
    );
    let (_, summary) = run(&scenario(&text, &[]));
    assert_eq!(summary.flushes.by_reason["snapshot"], 4);
    assert_eq!(summary.flushes.by_reason["bulk_load"], 1);
    assert_eq!(summary.regions.bulk_loaded_bytes, 2 * (64 << 20));
    assert_eq!(summary.regions.offline_seconds, 0.0);
}
