//! Damage at every part of a WAL file, read and split by each version's rules: what HBase's
//! reader makes of it (entries read, then a clean end, a silent end, or an exception) and what
//! the splitter then does with each `hbase.hlog.split.skip.errors` value. The expectations are
//! worked out from HBase's `ProtobufLogReader.readNext` (branch-1.4; branch-2.5 before and
//! after HBASE-27644/27668), `KeyValueUtil.checkKeyValueBytes` (2.5) and
//! `WALSplitter.getNextLogLine`, case by case in the comments.

use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{CellValue, WalCell, WalHeader, WalKey, WalWriter};
use regionsim::model::wal::reader::{ReaderRules, Stop, Thrown, read_wal};
use regionsim::model::wal::split::{
    Coordination, RegionsAtSplit, SplitOptions, WalFileFate, split_log_dir,
};
use regionsim::scenario::known_bugs::KnownBugs;
use regionsim::scenario::profile::{ProfileId, Release};

const DIR: &str = "WALs/rs,16020,1";
const PATH: &str = "WALs/rs,16020,1/wal.1";
const ENTRIES: usize = 4;
/// The entry the damage goes into.
const DAMAGED: usize = 2;

/// Where an entry's parts are.
#[derive(Debug, Clone)]
struct EntryLayout {
    offset: usize,
    /// The first byte of the WALKey message (after its one-byte length).
    key: usize,
    /// Each cell's first byte (its int32 total length).
    cells: Vec<usize>,
}

/// A closed WAL of four entries of two puts each (rows "row-N-a" and "row-N-b", family f,
/// qualifier q, values of `value_bytes`), and where each part is.
fn wal(value_bytes: u32, profile: ProfileId) -> (SimFs, Vec<EntryLayout>) {
    let mut fs = SimFs::new();
    let mut writer = WalWriter::create(&mut fs, PATH, &WalHeader::written_by(profile)).unwrap();
    let mut layout = Vec::new();
    for entry in 0..ENTRIES {
        let offset = writer.length_bytes(&fs) as usize;
        let rows = [format!("row-{entry}-a"), format!("row-{entry}-b")];
        let cells: Vec<_> = rows
            .iter()
            .map(|row| WalCell {
                row: row.as_bytes(),
                family: b"f",
                qualifier: b"q",
                timestamp_ms: 1_700_000_000_000,
                type_code: 4,
                value: CellValue::Generated {
                    length_bytes: value_bytes,
                    seed: entry as u64,
                },
            })
            .collect();
        let key = WalKey {
            encoded_region_name: b"0123456789abcdef0123456789abcdef",
            table_name: b"t1",
            sequence_id: entry as u64 + 1,
            write_time_ms: 1_700_000_000_000,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: &[],
            orig_sequence_id: 0,
        };
        let appended = writer.append(&mut fs, &key, &cells);
        let key_start = offset + 1;
        let cells_start = key_start + key.message_len(2) as usize;
        let cell_len = cells[0].encoded_len() as usize;
        layout.push(EntryLayout {
            offset,
            key: key_start,
            cells: vec![cells_start, cells_start + cell_len],
        });
        assert_eq!(
            appended.length_bytes as usize,
            1 + key.message_len(2) as usize + 2 * cell_len
        );
    }
    writer.close(&mut fs);
    (fs, layout)
}

/// The file's bytes changed by `change`, as a fresh file (damage before checksumming).
fn rewrite(fs: &mut SimFs, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = fs.read(PATH).unwrap().content.to_bytes();
    change(&mut bytes);
    fs.delete_file(PATH).unwrap();
    fs.write_file(PATH, &bytes).unwrap();
}

/// What a reader makes of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// All entries, then the trailer or the file's end.
    Clean(usize),
    /// This many entries, then a silent end (`next()` returns null).
    SilentEnd(usize),
    /// This many entries, then an exception of this kind.
    Throws(usize, Thrown),
    /// The file cannot be opened: an exception of this kind (`EndOfFile`: nothing to split).
    OpenFails(Thrown),
}

fn read_as(fs: &SimFs, rules: ReaderRules) -> Read {
    let contents = read_wal(fs.read(PATH).unwrap(), rules);
    let entries = contents.entries.len();
    match &contents.stop {
        Stop::Open(failure) => Read::OpenFails(failure.thrown()),
        Stop::End(end) if end.is_clean() => Read::Clean(entries),
        Stop::End(_) => Read::SilentEnd(entries),
        Stop::Failed { failure, .. } => Read::Throws(entries, failure.thrown()),
    }
}

/// What the split does, from what the reader did, with skip.errors false and true: the file's
/// fate, and the entries written out.
fn split_as(fs: &SimFs, release: Release, skip_errors: bool) -> (&'static str, u64) {
    let mut fs = fs.clone();
    let mut options = SplitOptions::for_release(release, skip_errors, KnownBugs::NONE);
    options.coordination = Coordination::ZooKeeper;
    let outcome = split_log_dir(&mut fs, DIR, &options, &RegionsAtSplit::new());
    let file = &outcome.files[0];
    let fate = match file.fate {
        WalFileFate::Archived { .. } => "archived",
        WalFileFate::Corrupt { .. } => "corrupt",
        WalFileFate::LeftInPlace => "failed",
    };
    (fate, file.entries_written.values().sum())
}

/// The split a read leads to: silent ends archive what was read; an IOException fails the
/// split without skip.errors and sets the file aside with what was read with it; a runtime
/// exception fails it either way.
fn expected_split(read: Read, skip_errors: bool) -> (&'static str, u64) {
    match (read, skip_errors) {
        (Read::Clean(entries) | Read::SilentEnd(entries), _) => ("archived", entries as u64),
        (Read::OpenFails(Thrown::EndOfFile), _) => ("archived", 0),
        (Read::OpenFails(Thrown::IoException), true) => ("corrupt", 0),
        (Read::Throws(entries, Thrown::IoException), true) => ("corrupt", entries as u64),
        (Read::OpenFails(_), _) => ("failed", 0),
        (Read::Throws(entries, _), _) => ("failed", entries as u64),
    }
}

struct Case {
    name: &'static str,
    damage: fn(&mut SimFs, &[EntryLayout]),
    /// What 1.4, 2.5.0–2.5.3 and 2.5.4+ read.
    expected: [Read; 3],
    /// 1.4's split where it fails on what its reader handed over (whatever skip.errors says).
    split_14: Option<(&'static str, u64)>,
}

const RULES: [ReaderRules; 3] = [
    ReaderRules::Hbase14,
    ReaderRules::Hbase25Before254,
    ReaderRules::Hbase25,
];

fn cases() -> Vec<Case> {
    use Read::{Clean, OpenFails, SilentEnd, Throws};
    use Thrown::{EndOfFile, IoException, RuntimeException};
    let d = DAMAGED;
    vec![
        Case {
            name: "undamaged",
            damage: |_, _| {},
            expected: [Clean(4), Clean(4), Clean(4)],
            split_14: None,
        },
        Case {
            // 1.4's WALFactory checks the magic and opens anything else as a SequenceFile
            // HLog, which this is not; 2.5 skips the 4 bytes unread.
            name: "magic",
            damage: |fs, _| rewrite(fs, |bytes| bytes[3] = b'X'),
            expected: [OpenFails(IoException), Clean(4), Clean(4)],
            split_14: None,
        },
        Case {
            // Fewer than 4 bytes: an EOF at open, nothing to split.
            name: "three bytes",
            damage: |fs, _| rewrite(fs, |bytes| bytes.truncate(3)),
            expected: [OpenFails(EndOfFile); 3],
            split_14: None,
        },
        Case {
            // The header's first tag zeroed: an invalid tag, an IOException at open.
            name: "header tag",
            damage: |fs, _| rewrite(fs, |bytes| bytes[5] = 0),
            expected: [OpenFails(IoException); 3],
            split_14: None,
        },
        Case {
            // The key's length past the end of the file: "available stream not enough", EOF.
            name: "key length past the end",
            damage: |fs, layout| {
                let at = layout[DAMAGED].offset;
                rewrite(fs, |bytes| {
                    bytes[at] = 0xFF;
                    bytes.insert(at + 1, 0xFF);
                    bytes.insert(at + 2, 0x7F);
                })
            },
            expected: [SilentEnd(d); 3],
            split_14: None,
        },
        Case {
            // The key's length one short: its last field runs past the message, a truncation,
            // which every version takes for an EOF.
            name: "key length one short",
            damage: |fs, layout| {
                let at = layout[DAMAGED].offset;
                rewrite(fs, |bytes| bytes[at] -= 1)
            },
            expected: [SilentEnd(d); 3],
            split_14: None,
        },
        Case {
            // The key's first tag zeroed: 1.4 and early 2.5 take any protobuf error for an
            // EOF; 2.5.4+ throws on one that is not a truncation.
            name: "key tag zeroed",
            damage: |fs, layout| {
                let at = layout[DAMAGED].key;
                rewrite(fs, |bytes| bytes[at] = 0)
            },
            expected: [SilentEnd(d), SilentEnd(d), Throws(d, IoException)],
            split_14: None,
        },
        Case {
            // The sequence id's tag turned into field 5's (varint where a message is declared):
            // an unknown field, so a required field is missing: "Partial PB", an EOF, before
            // 2.5.4; a protobuf IOException from 2.5.4.
            name: "required field missing",
            damage: |fs, layout| {
                // Field 3's tag follows the region name (2 + 32) and the table (2 + 2).
                let at = layout[DAMAGED].key + 34 + 4;
                rewrite(fs, |bytes| {
                    assert_eq!(bytes[at], 0x18);
                    bytes[at] = 0x28;
                })
            },
            expected: [SilentEnd(d), SilentEnd(d), Throws(d, IoException)],
            split_14: None,
        },
        Case {
            // An illegal table name ("-1"): TableName.valueOf throws IllegalArgumentException,
            // which nothing catches.
            name: "table name",
            damage: |fs, layout| {
                let at = layout[DAMAGED].key + 34 + 2;
                rewrite(fs, |bytes| {
                    assert_eq!(bytes[at], b't');
                    bytes[at] = b'-';
                })
            },
            expected: [Throws(d, RuntimeException); 3],
            split_14: None,
        },
        Case {
            // A negative cell length: NegativeArraySizeException while reading cells, which
            // readNext turns into an EOF.
            name: "cell length negative",
            damage: |fs, layout| {
                let at = layout[DAMAGED].cells[0];
                rewrite(fs, |bytes| bytes[at] = 0x80)
            },
            expected: [SilentEnd(d); 3],
            split_14: None,
        },
        Case {
            // A KeyValue's key length zeroed: 2.5 refuses it (checkKeyValueBytes), an EOF;
            // 1.4 accepts it unseen and reads on, and the split fails on it (its family read
            // out of bounds: a runtime exception).
            name: "key value's key length",
            damage: |fs, layout| {
                let at = layout[DAMAGED].cells[0] + 4;
                rewrite(fs, |bytes| bytes[at..at + 4].copy_from_slice(&[0, 0, 0, 0]))
            },
            expected: [Clean(4), SilentEnd(d), SilentEnd(d)],
            split_14: Some(("failed", d as u64)),
        },
        Case {
            // A negative timestamp: 2.5 refuses the KeyValue, 1.4 takes it.
            name: "negative timestamp",
            damage: |fs, layout| {
                // After the total length, key and value lengths (12), row length (2), row (7),
                // family length and family (2), qualifier (1).
                let at = layout[DAMAGED].cells[0] + 12 + 2 + 7 + 2 + 1;
                rewrite(fs, |bytes| bytes[at] |= 0x80)
            },
            expected: [Clean(4), SilentEnd(d), SilentEnd(d)],
            split_14: None,
        },
        Case {
            // An unknown type code (5): 2.5 refuses the KeyValue, 1.4 takes it.
            name: "type code",
            damage: |fs, layout| {
                let at = layout[DAMAGED].cells[0] + 12 + 2 + 7 + 2 + 1 + 8;
                rewrite(fs, |bytes| {
                    assert_eq!(bytes[at], 4);
                    bytes[at] = 5;
                })
            },
            expected: [Clean(4), SilentEnd(d), SilentEnd(d)],
            split_14: None,
        },
        Case {
            // A value's byte: nothing sees it.
            name: "value byte",
            damage: |fs, layout| {
                let at = layout[DAMAGED].cells[1] - 1;
                rewrite(fs, |bytes| bytes[at] ^= 0x20)
            },
            expected: [Clean(4); 3],
            split_14: None,
        },
        Case {
            // The file cut inside an entry's cells: the normal end of a crashed writer's file.
            name: "truncated in cells",
            damage: |fs, layout| {
                let at = layout[DAMAGED].cells[1] + 3;
                rewrite(fs, |bytes| bytes.truncate(at))
            },
            expected: [SilentEnd(d); 3],
            split_14: None,
        },
        Case {
            // The trailer's last byte flipped: no trailer is found, and its bytes read as a
            // WALKey of length 0, missing its required fields: "Partial PB" (an EOF) before
            // 2.5.4, a protobuf IOException from 2.5.4 (not a partial trailer: 8 bytes remain).
            name: "trailer magic",
            damage: |fs, _| {
                rewrite(fs, |bytes| {
                    let last = bytes.len() - 1;
                    bytes[last] ^= 1;
                })
            },
            expected: [
                SilentEnd(ENTRIES),
                SilentEnd(ENTRIES),
                Throws(ENTRIES, IoException),
            ],
            split_14: None,
        },
        Case {
            // Two bytes of the trailer left: a partial trailer, which every version ends at.
            name: "partial trailer",
            damage: |fs, _| {
                rewrite(fs, |bytes| {
                    let keep = bytes.len() - 6;
                    bytes.truncate(keep);
                })
            },
            expected: [SilentEnd(ENTRIES); 3],
            split_14: None,
        },
        Case {
            // One replica of three rotted: HDFS reads around it.
            name: "one replica rotted",
            damage: |fs, layout| {
                fs.rot_replicas(PATH, layout[DAMAGED].cells[0] as u64, 1)
                    .unwrap()
            },
            expected: [Clean(4); 3],
            split_14: None,
        },
        Case {
            // Every replica of a chunk in the only packet rotted: the header's read fails,
            // an IOException at open.
            name: "the first packet rotted",
            damage: |fs, layout| {
                fs.rot_replicas(PATH, layout[DAMAGED].cells[0] as u64, 3)
                    .unwrap()
            },
            expected: [OpenFails(IoException); 3],
            split_14: None,
        },
        Case {
            // No datanode serves the block: BlockMissingException at open.
            name: "unreadable",
            damage: |fs, _| {
                let id = fs.file(PATH).unwrap();
                fs.set_unreadable(id, true);
            },
            expected: [OpenFails(IoException); 3],
            split_14: None,
        },
    ]
}

// Each damage, each version's reader: the entries read and how reading ended; and the split's
// fate for each skip.errors value, which follows from them.
#[test]
fn damage_by_version_and_skip_errors() {
    let mut problems = Vec::new();
    for case in cases() {
        for (rules, expected) in RULES.into_iter().zip(case.expected) {
            // Each rule set is a release's: 1.4.14, 2.5.3 and 2.5.16.
            let release = match rules {
                ReaderRules::Hbase14 => Release::newest(ProfileId::Hbase14),
                ReaderRules::Hbase25Before254 => {
                    Release::parse(ProfileId::Hbase25, "2.5.3").unwrap()
                }
                ReaderRules::Hbase25 => Release::newest(ProfileId::Hbase25),
            };
            assert_eq!(ReaderRules::for_release(release), rules);
            let profile = release.profile;
            let (mut fs, layout) = wal(100, profile);
            (case.damage)(&mut fs, &layout);
            let read = read_as(&fs, rules);
            if read != expected {
                problems.push(format!(
                    "{} ({rules:?}): read {read:?}, expected {expected:?}",
                    case.name
                ));
            }
            for skip_errors in [false, true] {
                let split = split_as(&fs, release, skip_errors);
                let want = match (rules, case.split_14) {
                    (ReaderRules::Hbase14, Some(split)) => split,
                    _ => expected_split(expected, skip_errors),
                };
                if split != want {
                    problems.push(format!(
                        "{} ({release}, skip.errors={skip_errors}): split {split:?}, expected {want:?}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

// In a file of several packets, every replica of one chunk rotted fails the read that first
// touches that chunk's 64 KiB packet. Where that packet begins decides, as for any read error:
// in an entry's first byte or key length the exception escapes (an IOException: skip.errors
// decides), inside a key 1.4 takes it for an EOF and 2.5.4+ throws, and in the cells every
// version ends the file there, silently.
#[test]
fn rot_fails_the_packet_it_is_in() {
    use regionsim::model::hdfs::dfs_input::PACKET_BYTES;
    for rules in [ReaderRules::Hbase14, ReaderRules::Hbase25] {
        let profile = match rules {
            ReaderRules::Hbase14 => ProfileId::Hbase14,
            _ => ProfileId::Hbase25,
        };
        // Values of 40,000 bytes: four entries of 80 KB, across five packets.
        for (chunk_offset, what) in [(1, "cells"), (2, "cells")] {
            let (mut fs, layout) = wal(40_000, profile);
            let target = layout[chunk_offset].cells[1] as u64 + 100;
            let packet_start = (target / PACKET_BYTES * PACKET_BYTES) as usize;
            fs.rot_replicas(PATH, target, 3).unwrap();
            // The entry holding the packet's first byte is where reading stops.
            let holder = layout
                .iter()
                .rposition(|entry| entry.offset <= packet_start)
                .unwrap();
            let in_cells = packet_start >= layout[holder].cells[0];
            assert!(
                in_cells,
                "{what}: the packet starts in entry {holder}'s cells"
            );
            assert_eq!(read_as(&fs, rules), Read::SilentEnd(holder), "{rules:?}");
        }
    }
}
