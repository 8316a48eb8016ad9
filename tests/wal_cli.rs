//! `regionsim wal dump` and `regionsim wal split` on real files written by the model's writer:
//! what they print, and their exit codes for good, truncated, corrupt, empty and foreign input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::wal::{Put, append_put};
use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{WalHeader, WalWriter, read_wal};
use regionsim::runner::wal_files::export_sim_fs;
use regionsim::scenario::profile::ProfileId;

fn regionsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regionsim-wal-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A WAL directory `wals` under `dir`: `files` WALs of 4 entries alternating between regions
/// "r1" and "r2", sequence ids 1, 2, … across the files, each entry one put of 100 bytes.
fn write_wals(dir: &Path, files: usize) -> PathBuf {
    let mut fs = SimFs::new();
    let mut sequence_id = 1;
    for index in 0..files {
        let path = format!("wals/wal.{index}");
        let mut writer =
            WalWriter::create(&mut fs, &path, &WalHeader::for_wal(ProfileId::Hbase25)).unwrap();
        for _ in 0..4 {
            let region: &[u8] = if sequence_id % 2 == 1 { b"r1" } else { b"r2" };
            let row = format!("user{sequence_id:07}");
            let put = Put {
                region,
                table: b"usertable",
                row: row.as_bytes(),
                family: b"cf",
                qualifier: b"field0",
                value_length_bytes: 100,
            };
            append_put(&mut fs, &mut writer, &put, sequence_id);
            sequence_id += 1;
        }
        writer.close(&mut fs);
    }
    export_sim_fs(&fs, "", dir).unwrap();
    dir.join("wals")
}

fn edit(path: &Path, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    change(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

/// `regionsim wal split WALS --out OUT` and more arguments.
fn split(wals: &Path, out: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "wal",
        "split",
        wals.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    regionsim(&args)
}

/// The offset of entry `index` in a WAL file on disk.
fn entry_offset(path: &Path, index: usize) -> u64 {
    read_wal(&std::fs::read(path).unwrap()).entries[index].offset
}

// A clean file dumps its header, every entry and cell, and its trailer, and exits with 0.
#[test]
fn dump_a_clean_wal() {
    let wals = write_wals(&scratch("dump-clean"), 1);
    let file = wals.join("wal.0");
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("writer AsyncProtobufLogWriter"), "{stdout}");
    assert!(
        stdout.contains("sequence 3, region r1, table usertable"),
        "{stdout}"
    );
    assert!(
        stdout.contains("user0000003/cf:field0/1700000000003/Put/vlen=100"),
        "{stdout}"
    );
    let length = std::fs::metadata(&file).unwrap().len();
    assert!(
        stdout.contains(&format!("clean end: trailer at offset {}", length - 8)),
        "{stdout}"
    );
    assert!(stdout.contains("4 entries, 4 cells"), "{stdout}");
}

// A truncated file prints the entries before the cut and exits with 2, saying where it ends.
#[test]
fn dump_a_truncated_wal() {
    let wals = write_wals(&scratch("dump-truncated"), 1);
    let file = wals.join("wal.0");
    let last = entry_offset(&file, 3);
    edit(&file, |bytes| bytes.truncate(last as usize + 20));
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stdout).contains("3 entries"));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "truncated at offset {last}: the file ends inside an entry"
        )),
        "{stderr}"
    );
}

// A flipped byte is a checksum mismatch at the offset of the entry it is in.
#[test]
fn dump_a_corrupt_wal() {
    let wals = write_wals(&scratch("dump-corrupt"), 1);
    let file = wals.join("wal.0");
    let second = entry_offset(&file, 1);
    edit(&file, |bytes| bytes[second as usize + 12] ^= 0x10);
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("checksum mismatch at offset {second}")),
        "{stderr}"
    );
    assert!(stderr.contains("1 entries readable before it"), "{stderr}");
}

// Empty, foreign and missing files are bad input, each with its own message.
#[test]
fn dump_bad_input() {
    let dir = scratch("dump-bad");
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.join("notes.txt");
    std::fs::write(&foreign, b"hello, world").unwrap();
    for (path, message) in [
        (empty, "empty file (0 bytes)"),
        (foreign, "not a WAL: the file starts with 68656c6c"),
        (dir.join("missing"), "cannot read"),
    ] {
        let output = regionsim(&["wal", "dump", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        assert!(
            text(&output.stderr).contains(message),
            "{}",
            text(&output.stderr)
        );
        assert!(!text(&output.stderr).contains("panicked"));
    }
}

// A clean directory splits into one recovered-edits file per WAL and region, named by the
// highest sequence id in it, and exits with 0.
#[test]
fn split_a_clean_directory() {
    let dir = scratch("split-clean");
    let wals = write_wals(&dir, 2);
    let out = dir.join("out");
    let output = split(&wals, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // wal.0 holds 1..4, wal.1 5..8; r1 has the odd ones, r2 the even.
    let r1 = out.join("data/default/usertable/r1/recovered.edits");
    let mut names: Vec<String> = std::fs::read_dir(&r1)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["0000000000000000003", "0000000000000000007"]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("2 region(s), 8 entries in 4 recovered-edits file(s)"),
        "{stdout}"
    );
    assert!(!out.join("corrupt").exists());
}

// A corrupt WAL fails the split (exit 1, naming the file and offset) unless --skip-errors,
// which moves it to corrupt/ and keeps the edits read before the damage.
#[test]
fn split_with_a_corrupt_wal() {
    let dir = scratch("split-corrupt");
    let wals = write_wals(&dir, 2);
    let file = wals.join("wal.1");
    let third = entry_offset(&file, 2);
    edit(&file, |bytes| bytes[third as usize + 9] ^= 0x01);
    let out = dir.join("out");
    let output = split(&wals, &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the split failed"), "{stderr}");
    assert!(
        stderr.contains(&format!("wal.1: checksum mismatch at offset {third}")),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-errors"), "{stderr}");

    let out = dir.join("out-skip");
    let output = split(&wals, &out, &["--skip-errors"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(out.join("corrupt/wal.1").is_file());
    // 4 entries from wal.0, and the 2 before the damage from wal.1.
    assert!(
        text(&output.stdout).contains("6 entries"),
        "{}",
        text(&output.stdout)
    );
}

// A truncated WAL splits (an EOF is the end of the file), unless HBASE-2643 is switched back on.
#[test]
fn split_with_a_truncated_wal() {
    let dir = scratch("split-truncated");
    let wals = write_wals(&dir, 1);
    let file = wals.join("wal.0");
    let last = entry_offset(&file, 3);
    edit(&file, |bytes| bytes.truncate(last as usize + 5));
    let out = dir.join("out");
    let output = split(&wals, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("3 entries in"),
        "{}",
        text(&output.stdout)
    );
    let output = split(&wals, &dir.join("out-bug"), &["--bug", "HBASE-2643"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("because HBASE-2643 is switched on"));
}

// Bad arguments exit with 2: not a directory, nothing to split, a non-empty --out, an
// unknown bug (with a suggestion).
#[test]
fn split_bad_input() {
    let dir = scratch("split-bad");
    let wals = write_wals(&dir, 1);
    let empty = dir.join("empty-dir");
    std::fs::create_dir_all(&empty).unwrap();
    let full = dir.join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("x"), b"x").unwrap();
    let wal = wals.join("wal.0");
    let cases: [(Vec<&str>, &str); 4] = [
        (vec![wal.to_str().unwrap()], "not a directory"),
        (vec![empty.to_str().unwrap()], "no files to split"),
        (
            vec![wals.to_str().unwrap(), "--out", full.to_str().unwrap()],
            "the output folder is not empty",
        ),
        (
            vec![wals.to_str().unwrap(), "--bug", "HBASE-2463"],
            "did you mean \"HBASE-2643\"",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["wal", "split"];
        all.extend(args);
        let output = regionsim(&all);
        assert_eq!(output.status.code(), Some(2), "{all:?}");
        assert!(
            text(&output.stderr).contains(message),
            "{}",
            text(&output.stderr)
        );
    }
}
