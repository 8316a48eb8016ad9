//! `regionsim capacity` against a threshold known from a formula: the WAL on a device of its own
//! that moves 200 KB a second carries at most 200 KB ÷ (WAL bytes per put) puts a second, so
//! the largest rate that keeps up lies just below that. The search finds it within its
//! precision, the same with one job or two; a range that never meets the SLOs exits 1, and bad
//! arguments exit 2 naming what is wrong.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{regionsim, run, scenario};

/// One region, 1000-byte puts, the WAL on a 200 KB/s device of its own.
const WAL_BOUND: &str = r#"
name = "wal-bound"
seed = 5
duration = "60s"
profile = "hbase-2.5"
[server]
heap = "8GB"
[io]
wal_sync_latency = { dist = "constant", value = "200us" }
wal_write_bandwidth = "200KB/s"
[[tables]]
name = "t"
regions = 1
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "50/s", threads = 64 }
mix = { put = 1.0 }
keys = { dist = "uniform", count = 1_000_000 }
value_size = { dist = "constant", bytes = 1000 }
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("capacity-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn capacity(dir: &Path, extra: &[&str]) -> (std::process::Output, PathBuf) {
    let file = dir.join("wal-bound.toml");
    fs::write(&file, WAL_BOUND).unwrap();
    let out = dir.join(format!(
        "out-{}",
        extra.join("-").replace(['/', '.', '%'], "_")
    ));
    let mut args = vec![
        "capacity",
        file.to_str().unwrap(),
        "--search",
        "workloads[0].arrival.rate=50/s..400/s",
        "--slo",
        "kept-up",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (regionsim(&args), out)
}

#[test]
fn capacity_finds_the_wal_devices_limit() {
    // WAL bytes per put, from a run well below the limit.
    let (_, healthy) = run(&scenario(WAL_BOUND, &[]));
    let per_put = healthy.wal.bytes as f64 / healthy.wal.appends as f64;
    let limit = 200.0 * 1024.0 / per_put;
    let dir = scratch("formula");
    let (output, out) = capacity(&dir, &["--jobs", "1"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("capacity.json")).unwrap()).unwrap();
    let answer = json["answer"].as_f64().expect("an answer");
    // At the device's limit: kept-up allows a backlog of one second's arrivals at the end of
    // the 60 s run, so a rate up to 1/60 above the limit still passes, and the answer is within
    // the default 1% precision of the boundary.
    assert!(
        answer <= limit * (1.0 + 1.0 / 60.0) * 1.01 && answer >= limit * 0.95,
        "answer {answer}/s, the device carries {limit:.1}/s ({per_put:.1} bytes a put)"
    );
    assert_eq!(json["direction"], "largest");
    let neighbour = json["failing_neighbour"].as_f64().unwrap();
    assert!(neighbour > answer && neighbour - answer <= 0.01 * answer + 1e-9);
    assert_eq!(json["bottleneck_at_boundary"], "wal_device");
    assert!(out.join("charts/capacity.svg").exists() && out.join("charts/capacity.png").exists());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("answer: the largest workloads[0].arrival.rate meeting kept-up is"));
    // Two jobs: the same runs, the same answer, the same bytes.
    let (output, out_two) = capacity(&dir, &["--jobs", "2"]);
    assert!(output.status.success());
    assert_eq!(
        fs::read(out.join("capacity.json")).unwrap(),
        fs::read(out_two.join("capacity.json")).unwrap()
    );
}

#[test]
fn no_value_meeting_the_slos_exits_1_and_bad_arguments_exit_2() {
    let dir = scratch("refusals");
    let (output, _) = capacity(&dir, &["--slo", "p50<1us"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no value of workloads[0].arrival.rate"),
        "{stderr}"
    );
    for (extra, message) in [
        (&["--slo", "p98<1s"][..], "--slo expects"),
        (&["--precision", "80%"], "--precision 80%"),
        (&["--quorum", "0"], "--quorum"),
        (&["--seeds", "3..1"], "empty"),
    ] {
        let (output, _) = capacity(&dir, extra);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
    }
    let file = dir.join("wal-bound.toml");
    fs::write(&file, WAL_BOUND).unwrap();
    let output = regionsim(&[
        "capacity",
        file.to_str().unwrap(),
        "--search",
        "workloads[0].arrival.rate=400/s..50/s",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("LOW must be below HIGH"));
}
