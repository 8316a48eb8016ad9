//! A family's COMPRESSION and DATA_BLOCK_ENCODING: the default (NONE, NONE) changes nothing,
//! a codec's per-byte costs set how long its compactions take, its ratio how large its files
//! are, bad values are refused, and a run with a codec repeats exactly.

mod common;

use common::{bundled, load, run, scenario};

/// One region flushing 8MB memstores of 1 KB values, compacting every few flushes, with the
/// merge's own CPU at zero and pipes so fast that the codec's CPU is all a compaction costs.
/// Both codecs get the same ratio, so that their files, and so the compactions' selections,
/// are the same.
const CODEC_BOUND: &str = r#"
name = "codec-bound"
seed = 3
duration = "90s"
profile = "hbase-2.5"
[server]
heap = "8GB"
cores = 64
[properties]
"hbase.hregion.memstore.flush.size" = "8MB"
"hbase.regionserver.throughput.controller" = "org.apache.hadoop.hbase.regionserver.throttle.NoLimitThroughputController"
[io]
flush_cpu_per_cell = "0us"
hdfs_write_bandwidth = "100GB/s"
hdfs_read_bandwidth = "100GB/s"
[cpu]
model = "on"
compaction_per_cell = "0us"
[[tables]]
name = "t"
regions = 1
compression = "lz4"
compression_ratio = 2.0
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "4000/s", process = "uniform" }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 100_000_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

// With the default scenario's family at NONE and NONE, saying so changes nothing, event for
// event; a codec does change the run.
#[test]
fn none_and_none_change_nothing() {
    let (_, absent) = run(&bundled("scenarios/default.toml", &["duration=2m"]));
    let (_, none) = run(&bundled(
        "scenarios/default.toml",
        &[
            "duration=2m",
            "tables.0.compression=none",
            "tables.0.data_block_encoding=none",
        ],
    ));
    assert_eq!(absent.trace_hash, none.trace_hash);
    let (_, lz4) = run(&bundled(
        "scenarios/default.toml",
        &["duration=2m", "tables.0.compression=lz4"],
    ));
    assert_ne!(absent.trace_hash, lz4.trace_hash);
}

// A compaction's time is its codec's work: decompressing what it reads and compressing what
// it writes, each byte at the codec's speed (LZ4 700 and 4000 MB/s, GZ 95 and 400 MB/s by
// default), the merge itself free and the transfers running beside it, far faster. With both
// at a ratio of 2 the data each reads and writes is twice its stored bytes, so the compactions'
// mean duration is predicted from the costs alone: (2 × read ÷ decompression speed + 2 ×
// written ÷ compression speed) ÷ count. Each run is within 1% of its prediction (the stored
// bytes include block headers and checksums, 0.08%, which are not compressed data), and GZ's
// compactions are longer than LZ4's by the ratio of the predictions (about 7.7). With the
// model off the codec's work is a delay beside the transfers, and the same holds.
#[test]
fn a_costlier_codec_lengthens_compactions_in_proportion() {
    const MB: f64 = 1048576.0;
    for text in [CODEC_BOUND.to_string(), model_off(CODEC_BOUND)] {
        let measured_and_predicted = |codec: &str, (compress, decompress): (f64, f64)| {
            let compression = format!("tables.0.compression={codec}");
            let (_, summary) = run(&scenario(&text, &[&compression]));
            let compactions = summary.compactions;
            assert!(compactions.count >= 3, "{compactions:?}");
            let seconds = (2.0 * compactions.bytes_read as f64 / (decompress * MB)
                + 2.0 * compactions.bytes_written as f64 / (compress * MB))
                / compactions.count as f64;
            (compactions.duration_ms.mean, seconds * 1000.0)
        };
        let (lz4, lz4_predicted) = measured_and_predicted("lz4", (700.0, 4000.0));
        let (gz, gz_predicted) = measured_and_predicted("gz", (95.0, 400.0));
        for (measured, predicted) in [(lz4, lz4_predicted), (gz, gz_predicted)] {
            assert!(
                (measured / predicted - 1.0).abs() < 0.01,
                "{measured} ms against {predicted} ms"
            );
        }
        let (ratio, expected) = (gz / lz4, gz_predicted / lz4_predicted);
        assert!(expected > 7.0, "{expected}");
        assert!(
            (ratio / expected - 1.0).abs() < 0.02,
            "{ratio} against {expected}"
        );
    }
}

/// `CODEC_BOUND` with the CPU model off.
fn model_off(text: &str) -> String {
    text.replace("cores = 64\n", "")
        .replace("compaction_per_cell = \"0us\"\n", "")
        .replace("model = \"on\"", "model = \"off\"")
}

/// `CODEC_BOUND` without compression.
fn uncompressed(text: &str) -> String {
    text.replace("compression = \"lz4\"\n", "")
        .replace("compression_ratio = 2.0\n", "")
}

// A flush writes its cells with LZ4 at a ratio of 2.5 into files 2.5× smaller: the data
// blocks shrink by the ratio, and the block headers and checksums (under 0.1% of a file) by
// a little less. The compactions then read and write the smaller files. (The compression's
// CPU moves the flushes a little in time, so each run's file bytes are taken per byte of
// cells it flushed.)
#[test]
fn files_shrink_by_the_ratio() {
    let text = model_off(CODEC_BOUND);
    let (_, none) = run(&scenario(&uncompressed(&text), &[]));
    let (_, lz4) = run(&scenario(&text, &["tables.0.compression_ratio=2.5"]));
    let per_cell_byte = |flushes: &regionsim::report::summary::FlushSummary| {
        flushes.file_bytes as f64 / flushes.bytes as f64
    };
    let shrink = per_cell_byte(&none.flushes) / per_cell_byte(&lz4.flushes);
    assert!((2.49..2.5).contains(&shrink), "{shrink}");
    let shrink = none.compactions.bytes_written as f64 / lz4.compactions.bytes_written as f64;
    assert!((2.4..2.6).contains(&shrink), "{shrink}");
}

// A data block encoding shortens keys only: FAST_DIFF's files are smaller than NONE's, by
// less than the keys' share of a 1 KB cell (about 5%).
#[test]
fn an_encoding_shortens_the_keys() {
    let text = uncompressed(CODEC_BOUND);
    let (_, none) = run(&scenario(&text, &[]));
    let (_, encoded) = run(&scenario(
        &text,
        &["tables.0.data_block_encoding=fast_diff"],
    ));
    let shrink = encoded.flushes.file_bytes as f64 / none.flushes.file_bytes as f64;
    assert!((0.95..0.995).contains(&shrink), "{shrink}");
}

// Each refusal names the value and what would be accepted.
#[test]
fn bad_codec_settings_are_refused() {
    let refused = |sets: &[&str], expected: &str| {
        let error = load(CODEC_BOUND, sets).unwrap_err().to_string();
        assert!(error.contains(expected), "{sets:?}: {error}");
    };
    refused(
        &["tables.0.compression=lzo"],
        r#""lzo" is not one of "none", "snappy", "lz4", "gz", "zstd""#,
    );
    refused(
        &["tables.0.compression=none"],
        "compression_ratio applies only with a compression codec",
    );
    refused(
        &["tables.0.compression_ratio=0.5"],
        "compression_ratio is 1 to 20 (uncompressed ÷ compressed bytes), found 0.5",
    );
    refused(
        &["tables.0.data_block_encoding=prefix_tree"],
        "hbase-2.5 has no PREFIX_TREE data block encoding (HBase 2.0 removed it, HBASE-19179): use one of none, prefix, diff, fast_diff, row_index_v1",
    );
    assert!(
        load(
            CODEC_BOUND,
            &[
                "profile=hbase-1.4",
                "tables.0.data_block_encoding=prefix_tree"
            ]
        )
        .is_ok()
    );
    refused(
        &[r#"cpu.compress={ zstd = "100MB/s" }"#],
        r#"no table has compression = "zstd", so its cost changes nothing"#,
    );
    refused(
        &[r#"cpu.compress={ none = "100MB/s" }"#],
        r#"unknown key "none" in [cpu] compress"#,
    );
    refused(
        &[r#"cpu.decompress={ lz4 = "1KB/s" }"#],
        "a codec speed is at least 1MB/s, found 1KB/s",
    );
    refused(
        &[
            "tables.0.data_block_encoding=diff",
            r#"cpu.encode={ diff = "2ms" }"#,
        ],
        "at most 1ms, found 2ms",
    );
}

// A run with a codec and an encoding repeats exactly, and its resolved scenario reads back
// to the same scenario.
#[test]
fn codec_runs_are_deterministic() {
    let sets = [
        "tables.0.compression=zstd",
        "tables.0.data_block_encoding=fast_diff",
        "duration=40s",
    ];
    let first = scenario(CODEC_BOUND, &sets);
    let (_, a) = run(&first);
    let (_, b) = run(&scenario(CODEC_BOUND, &sets));
    assert_eq!(a.trace_hash, b.trace_hash);
    let written = first.to_resolved_toml();
    assert!(written.contains("compression = \"zstd\""), "{written}");
    assert!(written.contains("data_block_encoding = \"fast_diff\""));
    assert!(
        written.contains("compress = { zstd = \"510MB/s\" }"),
        "{written}"
    );
    let again = load(&written, &[]).unwrap_or_else(|error| panic!("{error}\n{written}"));
    assert_eq!(again.tables, first.tables);
    assert_eq!(again.cpu, first.cpu);
}

// The bundled calibration scenario runs, and its codec choice changes what it sustains: at a
// rate LZ4 keeps up with, GZ's compression work saturates the two cores.
#[test]
fn the_calibration_scenario_separates_the_codecs() {
    let at = |codec: &str| {
        let compression = format!("tables.0.compression={codec}");
        let (_, summary) = run(&bundled(
            "scenarios/compaction-codec.toml",
            &["workloads.0.arrival.rate=600/s", &compression],
        ));
        summary
    };
    let lz4 = at("lz4");
    let gz = at("gz");
    assert!(lz4.saturation.kept_up, "{:?}", lz4.saturation);
    assert!(!gz.saturation.kept_up || gz.saturation.backlog_grew);
    assert_eq!(gz.bottleneck.expect("saturated").resource, "cpu");
}
