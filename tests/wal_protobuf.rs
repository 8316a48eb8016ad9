//! The WAL files a run writes are HBase's: decoded here by an independent protobuf decoder
//! against HBase's message definitions (tests/data/wal.proto), and their cells by KeyValue's
//! layout read by hand — nothing of regionsim's own reader is used.

mod common;

use common::{bundled, run};
use protobuf::reflect::{FileDescriptor, MessageDescriptor, ReflectValueRef};

/// HBase's WAL messages, parsed from the .proto text by protobuf-parse (no protoc).
fn messages() -> FileDescriptor {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let parsed = protobuf_parse::Parser::new()
        .pure()
        .include(dir)
        .input(format!("{dir}/wal.proto"))
        .parse_and_typecheck()
        .expect("wal.proto parses");
    FileDescriptor::new_dynamic_fds(parsed.file_descriptors, &[])
        .expect("wal.proto's descriptors")
        .into_iter()
        .next()
        .expect("one file")
}

/// A base-128 varint at `at`: its value and length.
fn varint(bytes: &[u8], at: usize) -> (u64, usize) {
    let mut value = 0;
    for (index, &byte) in bytes[at..].iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            return (value, index + 1);
        }
    }
    panic!("a varint at {at} runs on");
}

fn u64_field(
    message: &dyn protobuf::MessageDyn,
    descriptor: &MessageDescriptor,
    name: &str,
) -> u64 {
    match descriptor
        .field_by_name(name)
        .unwrap()
        .get_singular(message)
    {
        Some(ReflectValueRef::U64(value)) => value,
        Some(ReflectValueRef::U32(value)) => u64::from(value),
        other => panic!("{name}: {other:?}"),
    }
}

fn bytes_field(
    message: &dyn protobuf::MessageDyn,
    descriptor: &MessageDescriptor,
    name: &str,
) -> Vec<u8> {
    match descriptor
        .field_by_name(name)
        .unwrap()
        .get_singular(message)
    {
        Some(ReflectValueRef::Bytes(value)) => value.to_vec(),
        other => panic!("{name}: {other:?}"),
    }
}

fn be32(bytes: &[u8], at: usize) -> usize {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

/// A WAL file as decoded: the header's writer and codec names, and per entry its sequence
/// id, cell count and table.
struct Decoded {
    writer: String,
    codec: String,
    entries: Vec<(u64, usize, Vec<u8>)>,
}

/// Reads a whole WAL file by HBase's layout.
fn decode(bytes: &[u8], messages: &FileDescriptor) -> Decoded {
    let header_type = messages
        .message_by_package_relative_name("WALHeader")
        .unwrap();
    let key_type = messages.message_by_package_relative_name("WALKey").unwrap();
    let trailer_type = messages
        .message_by_package_relative_name("WALTrailer")
        .unwrap();
    assert_eq!(&bytes[..4], b"PWAL");
    let (length, used) = varint(bytes, 4);
    let mut at = 4 + used;
    let header = header_type
        .parse_from_bytes(&bytes[at..at + length as usize])
        .expect("a WALHeader");
    at += length as usize;
    let text = |name: &str| match header_type
        .field_by_name(name)
        .unwrap()
        .get_singular(&*header)
    {
        Some(ReflectValueRef::String(value)) => value.to_string(),
        other => panic!("{name}: {other:?}"),
    };
    let (writer, codec) = (text("writer_cls_name"), text("cell_codec_cls_name"));
    // A closed file ends with an empty WALTrailer, its size 0 as an int32, and "LAWP".
    let end = if bytes.ends_with(b"LAWP") {
        let size = be32(bytes, bytes.len() - 8);
        assert_eq!(size, 0);
        trailer_type
            .parse_from_bytes(&bytes[bytes.len() - 8 - size..bytes.len() - 8])
            .expect("a WALTrailer");
        bytes.len() - 8
    } else {
        bytes.len()
    };
    let mut entries = Vec::new();
    while at < end {
        let (length, used) = varint(bytes, at);
        at += used;
        let key = key_type
            .parse_from_bytes(&bytes[at..at + length as usize])
            .expect("a WALKey");
        assert!(key.is_initialized_dyn());
        at += length as usize;
        let cells = u64_field(&*key, &key_type, "following_kv_count") as usize;
        for _ in 0..cells {
            // int32 total, then the KeyValue: int32 key length, int32 value length, the key
            // (int16 row length, row, int8 family length, family, qualifier, int64 timestamp,
            // int8 type), the value; no tags.
            let total = be32(bytes, at);
            let key_length = be32(bytes, at + 4);
            let value_length = be32(bytes, at + 8);
            assert_eq!(total, 8 + key_length + value_length);
            let row_length =
                u16::from_be_bytes(bytes[at + 12..at + 14].try_into().unwrap()) as usize;
            let family_length = bytes[at + 14 + row_length] as usize;
            let qualifier_length = key_length - 2 - row_length - 1 - family_length - 9;
            let type_code = bytes[at + 12 + key_length - 1];
            assert!([4, 8, 12, 14].contains(&type_code), "type {type_code}");
            assert!(qualifier_length < 1024);
            at += 4 + total;
        }
        entries.push((
            u64_field(&*key, &key_type, "log_sequence_number"),
            cells,
            bytes_field(&*key, &key_type, "table_name"),
        ));
    }
    assert_eq!(at, end, "the entries end where the trailer begins");
    Decoded {
        writer,
        codec,
        entries,
    }
}

// Every WAL file of a run, in both profiles, decodes by HBase's messages and layout: the
// header names ProtobufLogWriter and WALCellCodec, every WALKey has its required fields and
// a cell count that the KeyValues after it fill exactly, and a
// rolled file ends with the trailer.
#[test]
fn run_wals_decode_as_hbase_s() {
    let messages = messages();
    for profile in ["hbase-2.5", "hbase-1.4"] {
        let scenario = bundled(
            "scenarios/default.toml",
            &[
                "duration=20s",
                &format!("profile={profile}"),
                "hbase.regionserver.hlog.blocksize=8MB",
            ],
        );
        let (outcome, _) = run(&scenario);
        let mut files = 0;
        let mut closed = 0;
        let mut entries = 0;
        for (path, file) in outcome.fs.walk("WALs") {
            let bytes = file.content.to_bytes();
            let decoded = decode(&bytes, &messages);
            assert_eq!(decoded.writer, "ProtobufLogWriter", "{path}");
            assert_eq!(
                decoded.codec,
                "org.apache.hadoop.hbase.regionserver.wal.WALCellCodec"
            );
            assert!(
                decoded
                    .entries
                    .iter()
                    .all(|(_, cells, table)| *cells > 0 && table == b"usertable")
            );
            files += 1;
            closed += usize::from(bytes.ends_with(b"LAWP"));
            entries += decoded.entries.len();
        }
        assert!(files >= 3, "{profile}: {files} files");
        assert!(closed >= 2, "{profile}: {closed} closed");
        assert!(entries > 1000, "{profile}: {entries} entries");
    }
}
