//! Sweeps: results that do not depend on the job count, and shards that merge into exactly
//! the unsharded sweep.

use std::path::PathBuf;

use regionsim::runner::sweep::{
    SWEEP_FORMAT, SweepManifest, Vary, merge_shards, point_table, read_sweep_folder, run_sweep,
    sweep_csv, write_sweep_folder,
};

fn manifest(shard: Option<[u64; 2]>) -> SweepManifest {
    SweepManifest {
        format: SWEEP_FORMAT.to_string(),
        scenario: concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/write-stall.toml").to_string(),
        sets: vec!["duration=20s".to_string()],
        site: None,
        vary: vec![
            Vary::parse("io.hdfs_write_bandwidth=12MB/s,100MB/s").unwrap(),
            Vary::parse("hbase.hregion.memstore.flush.size=16MB,32MB").unwrap(),
        ],
        seeds: vec![1, 2],
        shard,
    }
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("regionsim-sweep-{}-{name}", std::process::id()))
}

fn table_text(manifest: &SweepManifest, rows: &[regionsim::runner::sweep::SweepRow]) -> String {
    point_table(manifest, rows)
        .iter()
        .map(|row| row.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

// The same sweep on one thread and on two gives the same sweep.csv, byte for byte; shards
// 1/3, 2/3 and 3/3, merged, give the same folder as the unsharded sweep, comparison charts
// included (shards themselves draw none: they hold a slice).
#[test]
fn jobs_and_shards_do_not_change_the_result() {
    let whole = manifest(None);
    let one = run_sweep(&whole, 1, &|| {}).unwrap();
    let two = run_sweep(&whole, 2, &|| {}).unwrap();
    assert_eq!(sweep_csv(&whole, &one), sweep_csv(&whole, &two));
    assert_eq!(one.len(), 8);
    let unsharded = scratch("whole");
    write_sweep_folder(&unsharded, &whole, &one, &table_text(&whole, &one)).unwrap();

    let mut shard_folders = Vec::new();
    for shard in 1..=3 {
        let part = manifest(Some([shard, 3]));
        let rows = run_sweep(&part, 2, &|| {}).unwrap();
        let folder = scratch(&format!("shard-{shard}"));
        write_sweep_folder(&folder, &part, &rows, &table_text(&part, &rows)).unwrap();
        shard_folders.push(folder);
    }
    // Merging in any order gives the whole sweep.
    shard_folders.reverse();
    let (merged_manifest, merged_rows) = merge_shards(&shard_folders).unwrap();
    let merged = scratch("merged");
    write_sweep_folder(
        &merged,
        &merged_manifest,
        &merged_rows,
        &table_text(&merged_manifest, &merged_rows),
    )
    .unwrap();
    let charts = [
        "p99_ms",
        "blocked_seconds",
        "throughput_per_s",
        "write_amplification",
    ]
    .iter()
    .flat_map(|chart| [format!("charts/{chart}.svg"), format!("charts/{chart}.png")]);
    let files: Vec<String> = ["sweep.json", "sweep.csv", "sweep.txt"]
        .map(String::from)
        .into_iter()
        .chain(charts)
        .collect();
    for folder in &shard_folders {
        assert!(!folder.join("charts").exists());
    }
    for file in &files {
        assert_eq!(
            std::fs::read(unsharded.join(file)).unwrap(),
            std::fs::read(merged.join(file)).unwrap(),
            "{file} differs"
        );
    }
    // A missing shard is an error that says so.
    let error = merge_shards(&shard_folders[..2]).unwrap_err();
    assert!(error.to_string().contains("merge every shard"), "{error}");
    // A sweep folder is replaced whole: a shard written over the whole sweep leaves none of
    // the whole sweep's charts behind.
    let (part, rows) = read_sweep_folder(&shard_folders[0]).unwrap();
    write_sweep_folder(&unsharded, &part, &rows, &table_text(&part, &rows)).unwrap();
    assert!(!unsharded.join("charts").exists());
    assert_eq!(
        std::fs::read(unsharded.join("sweep.csv")).unwrap(),
        std::fs::read(shard_folders[0].join("sweep.csv")).unwrap()
    );
    for folder in shard_folders.iter().chain([&unsharded, &merged]) {
        std::fs::remove_dir_all(folder).unwrap();
    }
}

// A sweep may vary a key its --set already gives: the --vary value comes later and wins, as a
// later --set does, rather than leaving the --set "unused".
#[test]
fn vary_overrides_a_set_of_the_same_key() {
    let sweep = SweepManifest {
        vary: vec![Vary::parse("duration=5s,10s").unwrap()],
        ..manifest(None)
    };
    let durations: Vec<String> = sweep
        .plan()
        .iter()
        .map(|run| sweep.load_run(run).unwrap().duration.to_string())
        .collect();
    assert_eq!(durations, ["5s", "5s", "10s", "10s"]);
}
