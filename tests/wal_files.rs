//! WAL files as bytes and their split: HBase's TestWALSplit expectations, table-driven, on
//! files written by the model's writer and damaged the way TestWALSplit damages them (its
//! FaultyProtobufLogReader's IOExceptions made by damage that HBase's reader does throw on).

mod common;

use std::collections::BTreeMap;

use common::wal::{Put, append_put};
use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{WalHeader, WalKey, WalWriter};
use regionsim::model::wal::reader::{EndCause, ReaderRules, Stop, read_wal};
use regionsim::model::wal::split::{
    CORRUPT_DIR, Coordination, OLD_WALS_DIR, RegionAtSplit, RegionsAtSplit, SplitOptions,
    SplitOutcome, recovered_edits_dir, recovered_edits_files, region_dir, replay_filter,
    replays_file, split_log_dir,
};
use regionsim::runner::wal_files::{export_sim_fs, import_dir};
use regionsim::scenario::known_bugs::{KnownBug, KnownBugs};
use regionsim::scenario::profile::{DefaultValue, Literal, ProfileId, Release, definition};

/// TestWALSplit's shape: 10 WALs, 10 entries per region in each, regions "bbb" and "ccc".
const NUM_WRITERS: usize = 10;
const ENTRIES: usize = 10;
const REGIONS: [&str; 2] = ["bbb", "ccc"];
const WAL_DIR: &str = "WALs/testwalsplit,16010,1";
const TABLE: &[u8] = b"t1";

fn wal_path(index: usize) -> String {
    format!("{WAL_DIR}/wal.dat.{index}")
}

/// `generateWALs`: `writers` files of `entries` rounds, each round one edit per region, with
/// sequence ids counting up from 0 across all files; the file `leave_open` gets no trailer.
fn generate_wals(
    fs: &mut SimFs,
    writers: usize,
    entries: usize,
    leave_open: Option<usize>,
    regions: &[&str],
) {
    let mut sequence_id = 0;
    for index in 0..writers {
        let mut writer = WalWriter::create(
            fs,
            &wal_path(index),
            &WalHeader::written_by(ProfileId::Hbase25),
        )
        .unwrap();
        for round in 0..entries {
            for (prefix, region) in regions.iter().enumerate() {
                let row = format!("{region}{prefix}{index}{round}");
                append_edit(fs, &mut writer, region, row.as_bytes(), sequence_id);
                sequence_id += 1;
            }
        }
        if leave_open != Some(index) {
            writer.close(fs);
        }
    }
}

/// `appendEntry`: one Put of f1:q1 = "v1".
fn append_edit(fs: &mut SimFs, writer: &mut WalWriter, region: &str, row: &[u8], sequence_id: u64) {
    let put = Put {
        region: region.as_bytes(),
        table: TABLE,
        row,
        family: b"f1",
        qualifier: b"q1",
        value_length_bytes: 2,
    };
    append_put(fs, writer, &put, sequence_id);
}

fn replace(fs: &mut SimFs, path: &str, bytes: &[u8]) {
    fs.delete_file(path).unwrap();
    fs.write_file(path, bytes).unwrap();
}

/// TestWALSplit's `Corruptions`, and FaultyProtobufLogReader's failure points as damaged bytes.
#[derive(Debug, Clone, Copy)]
enum Corruption {
    /// "-----" after the closed file.
    AppendGarbage,
    /// One 0x00 byte before the file.
    InsertGarbageOnFirstLine,
    /// One 0x00 byte inserted at the middle offset.
    InsertGarbageInTheMiddle,
    /// The last 32 + 8 bytes dropped: the trailer and part of the last entry.
    Truncate,
    /// The last 4 bytes dropped: part of the trailer's magic.
    TruncateTrailer,
    /// An IOException before the first entry: the file's block unreadable
    /// (BlockMissingException).
    FaultAtBeginning,
    /// An IOException once half the entries are read: FaultyProtobufLogReader fails when 10
    /// of its 21 queued reads (20 entries and the end) are left, after 11 entries. Here the
    /// 12th entry's first field tag is zeroed, which 2.5's reader throws on (an invalid tag is
    /// not a truncation).
    FaultInTheMiddle,
    /// An IOException in place of the end, after every entry: the trailer's last byte
    /// flipped, so the trailer is not found and its bytes are read as a WALKey missing its
    /// required fields.
    FaultAtEnd,
}

fn read(fs: &SimFs, path: &str) -> regionsim::model::wal::reader::WalContents {
    read_wal(fs.read(path).unwrap(), ReaderRules::Hbase25)
}

fn corrupt(fs: &mut SimFs, path: &str, corruption: Corruption) {
    if let Corruption::FaultAtBeginning = corruption {
        let id = fs.file(path).unwrap();
        fs.set_unreadable(id, true);
        return;
    }
    let entry_offset = |fs: &SimFs, index: usize| read(fs, path).entries[index].offset as usize;
    let middle = matches!(corruption, Corruption::FaultInTheMiddle).then(|| entry_offset(fs, 11));
    let mut bytes = fs.read(path).unwrap().content.to_bytes();
    match corruption {
        Corruption::AppendGarbage => bytes.extend_from_slice(b"-----"),
        Corruption::InsertGarbageOnFirstLine => bytes.insert(0, 0),
        Corruption::InsertGarbageInTheMiddle => bytes.insert(bytes.len() / 2, 0),
        Corruption::Truncate => bytes.truncate(bytes.len() - (32 + 8)),
        Corruption::TruncateTrailer => bytes.truncate(bytes.len() - 4),
        Corruption::FaultAtBeginning => unreachable!("made unreadable above"),
        Corruption::FaultInTheMiddle => {
            // The entry's one-byte length, then its first tag.
            bytes[middle.expect("the 12th entry") + 1] = 0;
        }
        Corruption::FaultAtEnd => {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x01;
        }
    }
    replace(fs, path, &bytes);
}

/// `splitAndCount`'s count: the entries in each region's recovered-edits files, read back.
fn edits_in_region(fs: &SimFs, region: &str) -> (usize, usize) {
    let files = recovered_edits_files(fs, &region_dir(TABLE, region.as_bytes()));
    let edits = files
        .iter()
        .map(|(path, _)| read(fs, path).entries.len())
        .sum();
    (files.len(), edits)
}

#[derive(Debug, Clone, Copy)]
enum Edits {
    /// Exactly this many in each region.
    PerRegion(usize),
    /// At least this many over all regions.
    AtLeastTotal(usize),
}

#[derive(Debug, Clone, Copy)]
enum CorruptDir {
    Files(usize),
    /// Every WAL that was in the WAL directory.
    AllWals,
}

struct Case {
    /// The TestWALSplit test whose expectations this row carries.
    name: &'static str,
    skip_errors: bool,
    known_bugs: KnownBugs,
    profile: ProfileId,
    setup: fn(&mut SimFs),
    edits: Edits,
    /// Recovered-edits files per region, where the test counts them.
    files_per_region: Option<usize>,
    corrupt_dir: CorruptDir,
    /// WALs still in the WAL directory afterwards.
    left_in_wal_dir: usize,
    /// WALs in oldWALs afterwards, where the test counts them.
    archived: Option<usize>,
    failed: bool,
    give_up: bool,
}

const fn case(name: &'static str, setup: fn(&mut SimFs), edits: Edits) -> Case {
    Case {
        name,
        skip_errors: false,
        known_bugs: KnownBugs::NONE,
        profile: ProfileId::Hbase25,
        setup,
        edits,
        files_per_region: None,
        corrupt_dir: CorruptDir::Files(0),
        left_in_wal_dir: 0,
        archived: None,
        failed: false,
        give_up: false,
    }
}

fn ten_wals(fs: &mut SimFs) {
    generate_wals(fs, NUM_WRITERS, ENTRIES, None, &REGIONS);
}

fn ten_wals_then(fs: &mut SimFs, corruption: Corruption) {
    ten_wals(fs);
    for index in 0..NUM_WRITERS {
        corrupt(fs, &wal_path(index), corruption);
    }
}

/// `ignoreCorruption`: one WAL of 10 entries for "region__1", then damaged.
fn one_region_wal(fs: &mut SimFs, corruption: Corruption) {
    generate_wals(fs, 1, 10, None, &["region__1"]);
    corrupt(fs, &wal_path(0), corruption);
}

fn cases() -> Vec<Case> {
    let all = NUM_WRITERS * ENTRIES;
    vec![
        Case {
            files_per_region: Some(NUM_WRITERS),
            ..case("testSplit", ten_wals, Edits::PerRegion(all))
        },
        Case {
            archived: Some(NUM_WRITERS),
            ..case(
                "testLogsGetArchivedAfterSplit",
                ten_wals,
                Edits::PerRegion(all),
            )
        },
        Case {
            archived: Some(NUM_WRITERS + 2),
            ..case(
                "testEmptyLogFiles",
                |fs| {
                    fs.write_file(&format!("{WAL_DIR}/.empty"), b"").unwrap();
                    ten_wals(fs);
                    fs.write_file(&format!("{WAL_DIR}/empty"), b"").unwrap();
                },
                Edits::PerRegion(all),
            )
        },
        case(
            "testOpenZeroLengthReportedFileButWithDataGetsSplit",
            |fs| generate_wals(fs, NUM_WRITERS, ENTRIES, Some(5), &REGIONS),
            Edits::PerRegion(all),
        ),
        Case {
            skip_errors: true,
            files_per_region: Some(NUM_WRITERS),
            // The test counts edits only. 2.5's reader parses the trailer's bytes as a WALKey
            // when garbage follows it, fails with a non-EOF protobuf error, and the file is
            // marked corrupt after its last entry; so here.
            corrupt_dir: CorruptDir::Files(1),
            ..case(
                "testTralingGarbageCorruptionFileSkipErrorsPasses",
                |fs| {
                    ten_wals(fs);
                    corrupt(fs, &wal_path(5), Corruption::AppendGarbage);
                },
                Edits::PerRegion(all),
            )
        },
        Case {
            skip_errors: true,
            files_per_region: Some(NUM_WRITERS - 1),
            corrupt_dir: CorruptDir::Files(1),
            ..case(
                "testFirstLineCorruptionLogFileSkipErrorsPasses",
                |fs| {
                    ten_wals(fs);
                    corrupt(fs, &wal_path(5), Corruption::InsertGarbageOnFirstLine);
                },
                Edits::PerRegion((NUM_WRITERS - 1) * ENTRIES),
            )
        },
        Case {
            skip_errors: true,
            corrupt_dir: CorruptDir::Files(1),
            ..case(
                "testSplitLogFileFirstLineCorruptionLog",
                |fs| {
                    generate_wals(fs, 1, 10, None, &REGIONS);
                    corrupt(fs, &wal_path(0), Corruption::InsertGarbageOnFirstLine);
                },
                Edits::PerRegion(0),
            )
        },
        Case {
            skip_errors: true,
            corrupt_dir: CorruptDir::Files(1),
            ..case(
                "testMiddleGarbageCorruptionSkipErrorsReadsHalfOfFile",
                |fs| {
                    generate_wals(fs, NUM_WRITERS, ENTRIES, Some(5), &REGIONS);
                    corrupt(fs, &wal_path(5), Corruption::InsertGarbageInTheMiddle);
                },
                // REGIONS × (goodEntries + firstHalfEntries) = 2 × (90 + (ceil(10 / 2) − 1)).
                Edits::AtLeastTotal(REGIONS.len() * ((NUM_WRITERS - 1) * ENTRIES + 4)),
            )
        },
        Case {
            skip_errors: true,
            corrupt_dir: CorruptDir::AllWals,
            ..case(
                "testCorruptedFileGetsArchivedIfSkipErrors (BEGINNING)",
                |fs| ten_wals_then(fs, Corruption::FaultAtBeginning),
                Edits::PerRegion(0),
            )
        },
        Case {
            skip_errors: true,
            corrupt_dir: CorruptDir::AllWals,
            // Edits read before the fault are kept: 11 entries of each file, 6 of "bbb" and 5
            // of "ccc", so 60 and 50; the test checks only the corrupt directory.
            ..case(
                "testCorruptedFileGetsArchivedIfSkipErrors (MIDDLE)",
                |fs| ten_wals_then(fs, Corruption::FaultInTheMiddle),
                Edits::AtLeastTotal(NUM_WRITERS * 11),
            )
        },
        Case {
            skip_errors: true,
            corrupt_dir: CorruptDir::AllWals,
            ..case(
                "testCorruptedFileGetsArchivedIfSkipErrors (END)",
                |fs| ten_wals_then(fs, Corruption::FaultAtEnd),
                Edits::PerRegion(all),
            )
        },
        Case {
            left_in_wal_dir: NUM_WRITERS,
            failed: true,
            ..case(
                "testTrailingGarbageCorruptionLogFileSkipErrorsFalseThrows",
                |fs| ten_wals_then(fs, Corruption::FaultAtBeginning),
                Edits::PerRegion(0),
            )
        },
        Case {
            left_in_wal_dir: NUM_WRITERS,
            archived: Some(0),
            failed: true,
            ..case(
                "testCorruptedLogFilesSkipErrorsFalseDoesNotTouchLogs",
                |fs| ten_wals_then(fs, Corruption::FaultAtBeginning),
                Edits::PerRegion(0),
            )
        },
        Case {
            files_per_region: Some(1),
            ..case(
                "testEOFisIgnored",
                |fs| one_region_wal(fs, Corruption::Truncate),
                Edits::PerRegion(0),
            )
        },
        Case {
            files_per_region: Some(1),
            ..case(
                "testCorruptWALTrailer",
                |fs| one_region_wal(fs, Corruption::TruncateTrailer),
                Edits::PerRegion(0),
            )
        },
        Case {
            archived: Some(1),
            ..case(
                "testSplitLogFileEmpty",
                |fs| {
                    fs.write_file(&format!("{WAL_DIR}/.empty"), b"").unwrap();
                },
                Edits::PerRegion(0),
            )
        },
        Case {
            files_per_region: Some(1),
            ..case(
                "testSplitLogFileMultipleRegions",
                |fs| generate_wals(fs, 1, 10, None, &REGIONS),
                Edits::PerRegion(10),
            )
        },
        Case {
            files_per_region: Some(1),
            ..case(
                "testEmptyWALEdit",
                |fs| {
                    let mut writer = WalWriter::create(
                        fs,
                        &wal_path(5),
                        &WalHeader::written_by(ProfileId::Hbase25),
                    )
                    .unwrap();
                    let empty = WalKey {
                        encoded_region_name: b"region__1",
                        table_name: TABLE,
                        sequence_id: 0,
                        write_time_ms: 0,
                        nonce_group: 0,
                        nonce: 0,
                        cluster_ids: &[],
                        orig_sequence_id: 0,
                    };
                    writer.append(fs, &empty, &[]);
                    for sequence_id in 1..=10 {
                        append_edit(
                            fs,
                            &mut writer,
                            "region__1",
                            &[sequence_id as u8],
                            sequence_id,
                        );
                    }
                    writer.close(fs);
                },
                Edits::PerRegion(0),
            )
        },
        // The known bugs, switched on.
        Case {
            known_bugs: KnownBugs::NONE.with(KnownBug::Hbase2643),
            left_in_wal_dir: 1,
            failed: true,
            ..case(
                "testEOFisIgnored with HBASE-2643: the EOF fails the split",
                |fs| one_region_wal(fs, Corruption::Truncate),
                Edits::PerRegion(0),
            )
        },
        Case {
            skip_errors: true,
            known_bugs: KnownBugs::NONE.with(KnownBug::Hbase2643),
            corrupt_dir: CorruptDir::Files(1),
            ..case(
                "testEOFisIgnored with HBASE-2643 and skip.errors: the truncated WAL goes to corrupt",
                |fs| one_region_wal(fs, Corruption::Truncate),
                Edits::PerRegion(0),
            )
        },
        Case {
            known_bugs: KnownBugs::NONE.with(KnownBug::Hbase2958),
            left_in_wal_dir: NUM_WRITERS,
            failed: true,
            give_up: true,
            ..case(
                "testCorruptedLogFilesSkipErrorsFalseDoesNotTouchLogs with HBASE-2958: given up",
                |fs| ten_wals_then(fs, Corruption::FaultAtBeginning),
                Edits::PerRegion(0),
            )
        },
    ]
}

/// The edits expected in "region__1", for the tests that write only that region
/// (`ignoreCorruption`, `testEmptyWALEdit`).
fn one_region_expectation(name: &str) -> Option<usize> {
    if name.starts_with("testEOFisIgnored") {
        // entryCount − 1: the truncated last entry is lost, nothing else.
        Some(9)
    } else if name.starts_with("testCorruptWALTrailer") {
        Some(10)
    } else if name.starts_with("testEmptyWALEdit") {
        // 11 entries in the WAL; the empty one is not written.
        Some(10)
    } else {
        None
    }
}

fn run_case(case: &Case) -> Result<SplitOutcome, String> {
    let mut fs = SimFs::new();
    (case.setup)(&mut fs);
    let wals_before: Vec<String> = fs
        .list_files(WAL_DIR)
        .iter()
        .map(|path| path.rsplit('/').next().unwrap().to_string())
        .collect();
    // TestWALSplit calls WALSplitter.split, which archives a corrupt file by its flag
    // (corrupt/), as the ZooKeeper-coordinated path does.
    let mut options = SplitOptions::for_release(
        Release::newest(case.profile),
        case.skip_errors,
        case.known_bugs,
    );
    options.coordination = Coordination::ZooKeeper;
    let outcome = split_log_dir(&mut fs, WAL_DIR, &options, &RegionsAtSplit::new());
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    if let Some(expected) = one_region_expectation(case.name) {
        let (files, edits) = edits_in_region(&fs, "region__1");
        check(
            edits == expected,
            format!("region__1 has {edits} edits, expected {expected}"),
        );
        check(
            case.files_per_region.is_none_or(|want| files == want) || case.failed,
            format!("region__1 has {files} files"),
        );
    } else {
        let counts: Vec<(usize, usize)> = REGIONS
            .iter()
            .map(|region| edits_in_region(&fs, region))
            .collect();
        match case.edits {
            Edits::PerRegion(expected) => {
                for (region, (_, edits)) in REGIONS.iter().zip(&counts) {
                    check(
                        *edits == expected,
                        format!("{region} has {edits} edits, expected {expected}"),
                    );
                }
            }
            Edits::AtLeastTotal(expected) => {
                let total: usize = counts.iter().map(|(_, edits)| edits).sum();
                check(
                    total >= expected,
                    format!("{total} edits in all, expected at least {expected}"),
                );
            }
        }
        if let Some(want) = case.files_per_region {
            for (region, (files, _)) in REGIONS.iter().zip(&counts) {
                check(
                    *files == want,
                    format!("{region} has {files} recovered-edits files, expected {want}"),
                );
            }
        }
    }
    let corrupt: Vec<String> = fs
        .list_files(CORRUPT_DIR)
        .iter()
        .map(|path| path.rsplit('/').next().unwrap().to_string())
        .collect();
    match case.corrupt_dir {
        CorruptDir::Files(count) => check(
            corrupt.len() == count,
            format!("corrupt/ holds {corrupt:?}, expected {count} file(s)"),
        ),
        CorruptDir::AllWals => check(
            corrupt == wals_before,
            format!("corrupt/ holds {corrupt:?}, expected {wals_before:?}"),
        ),
    }
    let left = fs.list_files(WAL_DIR).len();
    check(
        left == case.left_in_wal_dir,
        format!(
            "{left} WALs left in the WAL directory, expected {}",
            case.left_in_wal_dir
        ),
    );
    if let Some(want) = case.archived {
        let archived = fs.list_files(OLD_WALS_DIR).len();
        check(
            archived == want,
            format!("{archived} WALs in oldWALs, expected {want}"),
        );
    }
    check(
        outcome.failure.is_some() == case.failed,
        format!("failure: {:?}", outcome.failure),
    );
    if let Some(failure) = &outcome.failure {
        check(
            failure.give_up == case.give_up,
            format!("give_up: {}", failure.give_up),
        );
    }
    if problems.is_empty() {
        Ok(outcome)
    } else {
        Err(problems.join("; "))
    }
}

// Each row is one of HBase's TestWALSplit tests (same in 1.4 and 2.5): the same WALs, damaged
// the same way, split with the same skip.errors; the counts are the test's assertions.
#[test]
fn test_wal_split_expectations() {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|problem| format!("{}: {problem}", case.name))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// A failed split names the file and what the reader threw: an unreadable block at open.
#[test]
fn a_failed_split_names_file_and_cause() {
    let mut fs = SimFs::new();
    generate_wals(&mut fs, 1, 2, None, &REGIONS);
    corrupt(&mut fs, &wal_path(0), Corruption::FaultAtBeginning);
    let options =
        SplitOptions::for_release(Release::newest(ProfileId::Hbase25), false, KnownBugs::NONE);
    let outcome = split_log_dir(&mut fs, WAL_DIR, &options, &RegionsAtSplit::new());
    let failure = outcome.failure.expect("the split fails");
    assert!(!failure.give_up);
    assert_eq!(failure.errors.len(), 1);
    assert_eq!(failure.errors[0].path, wal_path(0));
    assert_eq!(failure.errors[0].offset(), Some(0));
    assert!(
        failure.errors[0].to_string().starts_with(&format!(
            "{}: cannot open: BlockMissingException",
            wal_path(0)
        )),
        "{}",
        failure.errors[0]
    );
}

// Recovered edits are named by the highest sequence id in them (%019d), hold their region's
// entries in order, and are WAL files with a ProtobufLogWriter header and a trailer.
#[test]
fn recovered_edits_are_named_by_their_highest_sequence_id() {
    let mut fs = SimFs::new();
    generate_wals(&mut fs, 2, 3, None, &REGIONS);
    let options =
        SplitOptions::for_release(Release::newest(ProfileId::Hbase25), false, KnownBugs::NONE);
    split_log_dir(&mut fs, WAL_DIR, &options, &RegionsAtSplit::new());
    // File 0 holds sequence ids 0..6 (bbb even, ccc odd), file 1 holds 6..12.
    let names: Vec<String> = fs
        .list_files(&recovered_edits_dir(TABLE, b"bbb"))
        .iter()
        .map(|path| path.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["0000000000000000004", "0000000000000000010"]);
    let contents = read(
        &fs,
        &format!("{}/0000000000000000010", recovered_edits_dir(TABLE, b"bbb")),
    );
    let ids: Vec<u64> = contents
        .entries
        .iter()
        .map(|entry| entry.key.sequence_id)
        .collect();
    assert_eq!(ids, [6, 8, 10]);
    assert_eq!(
        contents.header.unwrap().writer_class_name.as_deref(),
        Some("ProtobufLogWriter")
    );
    assert!(matches!(&contents.stop, Stop::End(end) if end.cause == EndCause::Trailer));
}

// Edits at or below the region's last flushed sequence id are skipped at split; so are cells of
// a store flushed past the edit (filterCellByStore); 2.5 drops a gone region's edits, 1.4 keeps
// them.
#[test]
fn split_skips_what_was_flushed() {
    let split = |profile, regions: &RegionsAtSplit| {
        let mut fs = SimFs::new();
        generate_wals(&mut fs, 1, 10, None, &REGIONS);
        let options = SplitOptions::for_release(Release::newest(profile), false, KnownBugs::NONE);
        let outcome = split_log_dir(&mut fs, WAL_DIR, &options, regions);
        (
            outcome,
            [edits_in_region(&fs, "bbb").1, edits_in_region(&fs, "ccc").1],
        )
    };
    // bbb's edits are 0, 2, …, 18; ccc's 1, 3, …, 19.
    let regions: RegionsAtSplit = [
        (
            b"bbb".to_vec(),
            RegionAtSplit::Flushed {
                last_flushed_sequence_id: 8,
                store_sequence_ids: BTreeMap::new(),
            },
        ),
        (
            b"ccc".to_vec(),
            RegionAtSplit::Flushed {
                last_flushed_sequence_id: 0,
                store_sequence_ids: [(b"f1".to_vec(), 13)].into_iter().collect(),
            },
        ),
    ]
    .into_iter()
    .collect();
    let (outcome, edits) = split(ProfileId::Hbase25, &regions);
    // bbb keeps 10..18 (5); ccc keeps 15..19 (3): 1..13 have every cell in a flushed store.
    assert_eq!(edits, [5, 3]);
    let skipped = outcome.files[0].skipped;
    assert_eq!(skipped.flushed, 5);
    assert_eq!(skipped.cells_in_flushed_stores, 7);
    assert_eq!(skipped.empty, 7);
    let gone: RegionsAtSplit = [(b"ccc".to_vec(), RegionAtSplit::Gone)]
        .into_iter()
        .collect();
    assert_eq!(split(ProfileId::Hbase25, &gone).1, [10, 0]);
    assert_eq!(split(ProfileId::Hbase14, &gone).1, [10, 10]);
}

// Replay reads a recovered-edits file only if it is named above the lowest store's max
// sequence id, and applies each cell only above its own store's.
#[test]
fn replay_filter_over_recovered_edits() {
    let mut fs = SimFs::new();
    generate_wals(&mut fs, 2, 3, None, &REGIONS);
    let options =
        SplitOptions::for_release(Release::newest(ProfileId::Hbase25), false, KnownBugs::NONE);
    split_log_dir(&mut fs, WAL_DIR, &options, &RegionsAtSplit::new());
    // bbb: files 0000…04 (0, 2, 4) and 0000…10 (6, 8, 10); f1 flushed up to 6.
    let stores: BTreeMap<Vec<u8>, u64> = [(b"f1".to_vec(), 6)].into_iter().collect();
    let files = recovered_edits_files(&fs, &region_dir(TABLE, b"bbb"));
    let replayed: Vec<u64> = files
        .iter()
        .filter(|(_, sequence_id)| replays_file(*sequence_id, &stores))
        .map(|(_, sequence_id)| *sequence_id)
        .collect();
    assert_eq!(replayed, [10]);
    let contents = read(&fs, &files[1].0);
    let filter = replay_filter(&contents.entries, &stores);
    let applied: Vec<u64> = filter.applied.iter().map(|cell| cell.sequence_id).collect();
    assert_eq!(applied, [8, 10]);
    assert_eq!(filter.skipped_already_in_store, 1);
    assert_eq!(filter.max_sequence_id, Some(10));
}

// Exporting a SimFs to a real directory and importing it back gives the same bytes at the
// same paths.
#[test]
fn export_and_import_round_trip() {
    let mut fs = SimFs::new();
    generate_wals(&mut fs, 2, 2, Some(1), &REGIONS);
    let dir = std::env::temp_dir().join(format!("regionsim-wal-files-{}", std::process::id()));
    let written = export_sim_fs(&fs, "WALs", &dir).unwrap();
    assert_eq!(written.len(), 2);
    let mut back = SimFs::new();
    assert_eq!(import_dir(&dir, &mut back, "WALs").unwrap(), 2);
    let bytes = |fs: &SimFs| -> Vec<(String, Vec<u8>)> {
        fs.walk("")
            .map(|(path, file)| (path.to_string(), file.content.to_bytes()))
            .collect()
    };
    assert_eq!(bytes(&fs), bytes(&back));
    std::fs::remove_dir_all(&dir).unwrap();
}

// hbase.hlog.split.skip.errors is false by default in both lines (SPLIT_SKIP_ERRORS_DEFAULT).
#[test]
fn skip_errors_defaults_to_false() {
    let def = definition("hbase.hlog.split.skip.errors").expect("the property is modelled");
    for profile in ProfileId::ALL {
        assert!(
            matches!(
                def.default_in(profile),
                DefaultValue::Fixed(Literal::Bool(false))
            ),
            "{profile}"
        );
    }
}

// Meta edits — marker entries whose cells are all in METAFAMILY — are not written to recovered
// edits, except compaction markers (the recovered-edits sinks' keepRegionEvent), in both lines.
#[test]
fn split_drops_markers_but_compactions() {
    use regionsim::model::wal::format::{CellValue, WalCell};
    for profile in ProfileId::ALL {
        let mut fs = SimFs::new();
        let mut writer =
            WalWriter::create(&mut fs, &wal_path(0), &WalHeader::written_by(profile)).unwrap();
        append_edit(&mut fs, &mut writer, "bbb", b"row", 1);
        for (sequence_id, qualifier) in [(2, &b"HBASE::FLUSH"[..]), (3, b"HBASE::COMPACTION")] {
            let key = WalKey {
                encoded_region_name: b"bbb",
                table_name: TABLE,
                sequence_id,
                write_time_ms: 1,
                nonce_group: 0,
                nonce: 0,
                cluster_ids: &[],
                orig_sequence_id: 0,
            };
            let marker = WalCell {
                row: b"METAROW",
                family: b"METAFAMILY",
                qualifier,
                timestamp_ms: 1,
                type_code: 4,
                value: CellValue::Bytes(b"descriptor"),
            };
            writer.append(&mut fs, &key, &[marker]);
        }
        writer.close(&mut fs);
        let options = SplitOptions::for_release(Release::newest(profile), false, KnownBugs::NONE);
        let outcome = split_log_dir(&mut fs, WAL_DIR, &options, &RegionsAtSplit::new());
        assert_eq!(outcome.files[0].skipped.meta_edits, 1, "{profile}");
        let files = recovered_edits_files(&fs, &region_dir(TABLE, b"bbb"));
        let ids: Vec<u64> = read(&fs, &files[0].0)
            .entries
            .iter()
            .map(|entry| entry.key.sequence_id)
            .collect();
        assert_eq!(ids, [1, 3], "{profile}");
    }
}
