//! `regionsim wal dump` and `regionsim wal split` on real files written by the model's writer:
//! what they print, and their exit codes for good, truncated, damaged, empty and foreign input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::wal::{Put, append_put, read_bytes};
use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{WalHeader, WalWriter};
use regionsim::model::wal::reader::ReaderRules;
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
            WalWriter::create(&mut fs, &path, &WalHeader::written_by(ProfileId::Hbase25)).unwrap();
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
    read_bytes(&std::fs::read(path).unwrap(), ReaderRules::Hbase25).entries[index].offset
}

// A clean file dumps its header, every entry and cell, and its trailer, and exits with 0.
#[test]
fn dump_a_clean_wal() {
    let wals = write_wals(&scratch("dump-clean"), 1);
    let file = wals.join("wal.0");
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("writer ProtobufLogWriter"), "{stdout}");
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
        stdout.contains(&format!(
            "entries end at offset {}: the trailer: a clean close",
            length - 8
        )),
        "{stdout}"
    );
    assert!(stdout.contains("4 entries, 4 cells"), "{stdout}");
}

// A truncated file prints the entries before the cut and exits with 2, saying where and why
// HBase's reader stops: the cut entry's key (26 bytes: region 2 + 2, table 2 + 9, sequence id
// 2, write time 7, cell count 2) runs past the file's end, with 19 of its bytes left.
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
            "entries end at offset {last}: a WALKey of 26 bytes where 19 are left"
        )),
        "{stderr}"
    );
}

// A zeroed tag in a key: 2.5.4+'s reader throws an InvalidProtocolBufferException there; 1.4's
// and 2.5.0–2.5.3's take it for the end of the file. Each prints what came before and exits
// with 2; a release the line does not have is refused.
#[test]
fn dump_a_damaged_wal() {
    let wals = write_wals(&scratch("dump-damaged"), 1);
    let file = wals.join("wal.0");
    let second = entry_offset(&file, 1);
    edit(&file, |bytes| bytes[second as usize + 1] = 0);
    let output = regionsim(&["wal", "dump", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "reading the entry at offset {second} failed: InvalidProtocolBufferException in a WALKey: invalid tag (zero)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("1 entries readable before it"), "{stderr}");
    let output = regionsim(&[
        "wal",
        "dump",
        file.to_str().unwrap(),
        "--profile",
        "hbase-1.4",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "entries end at offset {second}: a WALKey that does not parse (invalid tag (zero); EOF)"
        )),
        "{stderr}"
    );
    // 2.5.0 to 2.5.3 read keys as 1.4 does (before HBASE-27644/27668).
    let output = regionsim(&["wal", "dump", file.to_str().unwrap(), "--release", "2.5.3"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("a WALKey that does not parse (invalid tag (zero); EOF)"),
        "{stderr}"
    );
    let output = regionsim(&["wal", "dump", file.to_str().unwrap(), "--release", "2.4.0"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("--release: \"2.4.0\" is not a release of the hbase-2.5 line: hbase-2.5 models releases 2.5.0 to 2.5.16"),
        "{stderr}"
    );
}

// Empty, foreign and missing files are bad input, each with its own message.
#[test]
fn dump_bad_input() {
    let dir = scratch("dump-bad");
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.join("notes.txt");
    std::fs::write(&foreign, b"hello, world").unwrap();
    for (path, profile, message) in [
        (empty, "hbase-2.5", "EOFException: Cannot seek after EOF"),
        (
            foreign.clone(),
            "hbase-1.4",
            "not a WAL: the file starts with 68656c6c",
        ),
        (
            foreign,
            "hbase-2.5",
            "InvalidProtocolBufferException in the header",
        ),
        (dir.join("missing"), "hbase-2.5", "cannot read"),
    ] {
        let output = regionsim(&["wal", "dump", path.to_str().unwrap(), "--profile", profile]);
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

// A WAL whose key 2.5's reader throws on fails the split (exit 1, naming the file, the offset
// and the exception) unless --skip-errors, which sets it aside — to oldWALs/ under 2.5's
// procedures, to corrupt/ with --zk-coordinated — keeping the edits read before the damage.
#[test]
fn split_with_a_damaged_wal() {
    let dir = scratch("split-damaged");
    let wals = write_wals(&dir, 2);
    let file = wals.join("wal.1");
    let third = entry_offset(&file, 2);
    edit(&file, |bytes| bytes[third as usize + 1] = 0);
    let out = dir.join("out");
    let output = split(&wals, &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the split failed"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "wal.1: reading the entry at offset {third} failed: InvalidProtocolBufferException"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-errors"), "{stderr}");

    for (more, set_aside) in [
        (vec!["--skip-errors"], "oldWALs/wal.1"),
        (vec!["--skip-errors", "--zk-coordinated"], "corrupt/wal.1"),
    ] {
        let out = dir.join(format!("out-{}", more.len()));
        let output = split(&wals, &out, &more);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert!(out.join(set_aside).is_file(), "{set_aside}");
        // 4 entries from wal.0, and the 2 before the damage from wal.1.
        let stdout = text(&output.stdout);
        assert!(stdout.contains("6 entries"), "{stdout}");
        assert!(
            stdout.contains(&format!("marked corrupt, moved to {set_aside}")),
            "{stdout}"
        );
    }
    // 1.4 takes the same damage for the end of the file: the split succeeds with the same 6.
    let output = split(&wals, &dir.join("out-1.4"), &["--profile", "hbase-1.4"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("6 entries"));
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
            "is not empty and is not a folder regionsim wrote",
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
