//! WAL files as bytes: the writer that appends entries to a file in the simulated filesystem,
//! and the reader that reads them back and says exactly where and why it stopped.
//!
//! The layout keeps the structure of HBase's protobuf WAL (`ProtobufLogWriter`,
//! `AsyncProtobufLogWriter`, `ProtobufLogReader`, `WALCellCodec`; shared/reference/
//! compaction-and-wal-split.md §5): the `PWAL` magic, a header naming the writer and the cell
//! codec, one entry per WAL append (a WALKey — encoded region name, table, sequence id, write
//! time, nonces, cluster ids, the count of cells that follow — then the cells), and on a clean
//! close the trailer: an empty WALTrailer, its size as a big-endian int32, and `LAWP`. The
//! encoding is regionsim's own, not protobuf: lengths and numbers are LEB128 varints, and
//! every frame carries CRC32C checksums.
//!
//! ```text
//! offset        bytes  what
//! 0             4      "PWAL"                                  (HBase's PB_WAL_MAGIC)
//! 4             1      format version, 1                       (ours: HBase has none)
//! 5             8+n+4  header frame: body = flags u8 (bit 0 has_compression, 1 has_tag_compression,
//!                      2 has_value_compression is written (2.5), 3 has_value_compression),
//!                      writer class name, cell codec class name (each varint length + UTF-8)
//! …             8+n+4  entry frame, once per append:
//!                        u32 LE body length n, u32 LE CRC32C of those 4 bytes,
//!                        body: WALKey = encoded region name, table name (varint length + bytes
//!                              each), sequence id, write time ms, nonce group, nonce (varints),
//!                              cluster id count (varint) + 16 bytes each, cell count (varint);
//!                              then per cell: row, family, qualifier (varint length + bytes
//!                              each), timestamp ms u64 LE, type u8 (Put 4, Delete 8,
//!                              DeleteColumn 12, DeleteFamily 14), value length (varint),
//!                              value seed u64 LE,
//!                        u32 LE CRC32C of the body
//! end − 8 − t   t      WALTrailer (empty, t = 0, as HBase writes it)   ┐ only after a clean
//! end − 8       4      t as i32 big-endian                             │ close
//! end − 4       4      "LAWP"                                          ┘ (PB_WAL_COMPLETE_MAGIC)
//! ```
//!
//! **The checksums are our addition.** HBase keeps no checksum of its own in a WAL; it relies
//! on HDFS's block checksums, and its reader turns most damage into an end of file. Here every
//! frame's length has a CRC32C of its own and every body another, so what the bytes say is
//! never ambiguous: a file that stops inside a frame is *truncated* (the normal end of a file
//! whose writer died), a length or body that does not match its checksum is *corrupt*, and a
//! file that stops between entries without a trailer was simply not closed. The reader finds
//! the trailer as HBase's does, at the file's end before reading entries (see `find_trailer`);
//! a torn trailer (fewer than 8 bytes left, a prefix of the trailer's bytes) is a truncation,
//! as `ProtobufLogReader.isWALTrailer` treats it.
//!
//! **Values are not stored**: a cell keeps its value's length and a 64-bit seed from which the
//! simulation can regenerate the bytes, so a run that writes gigabytes of WAL holds megabytes.
//! The writer therefore tracks two lengths: the physical bytes in the simulated file, and the
//! nominal length HBase's writer would have reached (`ProtobufLogWriter.getLength`), which is
//! what rolls by size compare. Nominal sizes are HBase's exactly for an uncompressed WAL
//! without tags: the magic, the header as a delimited protobuf, per entry the WALKey as a
//! delimited protobuf (`WALKeyImpl.getBuilder` plus `following_kv_count`) and per cell an int32
//! length and the KeyValue (`WALCellCodec.EnsureKvEncoder`: 4 + 20 + row + family + qualifier
//! + value bytes), and the 8-byte trailer.
//!
//! Left out on purpose: WAL compression (dictionaries, value compression), tags, replication
//! scopes, extended attributes and `orig_sequence_number` (set only by replay), encryption,
//! and the legacy SequenceFile HLog that 1.4's WALFactory falls back to for a file without the
//! magic (here such a file is simply not a WAL).

use std::fmt;

use crate::model::hdfs::sim_fs::{FileId, FsError, SimFs};
use crate::model::store::cell::{self, CellType, KeyShape};
use crate::scenario::profile::ProfileId;

/// `ProtobufLogReader.PB_WAL_MAGIC`.
pub const WAL_MAGIC: [u8; 4] = *b"PWAL";
/// `ProtobufLogReader.PB_WAL_COMPLETE_MAGIC`, the trailer's last bytes.
pub const WAL_COMPLETE_MAGIC: [u8; 4] = *b"LAWP";
/// The one version of this layout.
pub const FORMAT_VERSION: u8 = 1;
/// The trailer a clean close writes: an empty WALTrailer, its size 0 as an int32, `LAWP`.
pub const TRAILER: [u8; 8] = [0, 0, 0, 0, b'L', b'A', b'W', b'P'];
/// A frame's length and the length's checksum.
const FRAME_HEADER_BYTES: usize = 8;
/// A frame's body checksum.
const FRAME_CHECKSUM_BYTES: usize = 4;
/// Where the header frame starts: after the magic and the version.
const HEADER_OFFSET: usize = 5;
/// The smallest entry body: eight one-byte varints (empty names, zero counts).
const ENTRY_BODY_BYTES_MIN: u32 = 8;
/// The largest entry body. An entry is one region's edit of one mini-batch of one RPC, so it
/// is never larger than an RPC request (`hbase.ipc.max.request.size`, 256 MiB).
pub const ENTRY_BODY_BYTES_MAX: u32 = 256 * 1024 * 1024;
/// The smallest header body: flags and two empty names.
const HEADER_BODY_BYTES_MIN: u32 = 3;
/// The largest header body: two class names and the flags fit in far less.
const HEADER_BODY_BYTES_MAX: u32 = 64 * 1024;
/// A cell's smallest encoding: three empty names, timestamp, type, value length, seed.
const CELL_BYTES_MIN: usize = 3 + 8 + 1 + 1 + 8;
/// `WALCellCodec` as the header names it (`hbase.regionserver.wal.codec`'s default).
pub const WAL_CELL_CODEC: &str = "org.apache.hadoop.hbase.regionserver.wal.WALCellCodec";
/// The length prefix `WALCellCodec.EnsureKvEncoder` writes before each KeyValue.
pub const CELL_LENGTH_PREFIX_BYTES: u64 = 4;

/// The WAL header (`WALHeader`): who wrote the file, and how its cells are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalHeader<'a> {
    /// `writer_cls_name`: `ProtobufLogWriter` (FSHLog, recovered edits) or
    /// `AsyncProtobufLogWriter` (AsyncFSWAL).
    pub writer_class_name: &'a str,
    /// `cell_codec_cls_name`.
    pub cell_codec_class_name: &'a str,
    pub has_compression: bool,
    pub has_tag_compression: bool,
    /// `has_value_compression`: written by 2.5's writers (false unless value compression is
    /// on), absent in 1.4's header (`None`).
    pub has_value_compression: Option<bool>,
}

impl WalHeader<'static> {
    /// The header of a server's WAL in a profile: 2.5 writes through AsyncFSWAL, 1.4 FSHLog.
    pub fn for_wal(profile: ProfileId) -> WalHeader<'static> {
        match profile {
            ProfileId::Hbase25 => WalHeader::written_by("AsyncProtobufLogWriter", profile),
            ProfileId::Hbase14 => WalHeader::written_by("ProtobufLogWriter", profile),
        }
    }

    /// The header of a recovered-edits file: both lines write them with ProtobufLogWriter
    /// (`WALFactory.createRecoveredEditsWriter`).
    pub fn for_recovered_edits(profile: ProfileId) -> WalHeader<'static> {
        WalHeader::written_by("ProtobufLogWriter", profile)
    }

    fn written_by(writer_class_name: &'static str, profile: ProfileId) -> WalHeader<'static> {
        WalHeader {
            writer_class_name,
            cell_codec_class_name: WAL_CELL_CODEC,
            has_compression: false,
            has_tag_compression: false,
            has_value_compression: match profile {
                ProfileId::Hbase25 => Some(false),
                ProfileId::Hbase14 => None,
            },
        }
    }
}

impl WalHeader<'_> {
    /// What HBase writes for this header: the magic and the delimited WALHeader protobuf.
    pub fn nominal_bytes(&self) -> u64 {
        let mut message = PB_BOOL_FIELD_BYTES * 2
            + pb_bytes_field(self.writer_class_name.len() as u64)
            + pb_bytes_field(self.cell_codec_class_name.len() as u64);
        if self.has_value_compression.is_some() {
            message += PB_BOOL_FIELD_BYTES;
        }
        WAL_MAGIC.len() as u64 + pb_delimited(message)
    }

    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.has_compression {
            flags |= 1;
        }
        if self.has_tag_compression {
            flags |= 2;
        }
        if let Some(value_compression) = self.has_value_compression {
            flags |= 4;
            if value_compression {
                flags |= 8;
            }
        }
        flags
    }
}

/// Cluster ids (`WALKey.cluster_ids`): the clusters that have consumed an edit, for
/// replication; 16 bytes each (a UUID, least significant 64 bits first, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClusterIds<'a>(&'a [u8]);

impl<'a> ClusterIds<'a> {
    pub const NONE: ClusterIds<'static> = ClusterIds(&[]);

    /// Cluster ids from their bytes, 16 per id.
    pub fn from_bytes(bytes: &'a [u8]) -> ClusterIds<'a> {
        assert_eq!(bytes.len() % 16, 0, "cluster ids are 16 bytes each");
        ClusterIds(bytes)
    }

    pub fn len(&self) -> usize {
        self.0.len() / 16
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = u128> + 'a {
        self.0
            .chunks_exact(16)
            .map(|chunk| u128::from_le_bytes(chunk.try_into().expect("chunks of 16 bytes")))
    }
}

/// A WAL entry's key (`WALKeyImpl`): which region's edit, and its sequence id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalKey<'a> {
    /// The region's encoded name (32 hex digits in HBase).
    pub encoded_region_name: &'a [u8],
    /// The table's name, `namespace:qualifier` or just the qualifier in the default namespace.
    pub table_name: &'a [u8],
    pub sequence_id: u64,
    pub write_time_ms: u64,
    /// 0 is HBase's NO_NONCE (not written).
    pub nonce_group: u64,
    pub nonce: u64,
    pub cluster_ids: ClusterIds<'a>,
}

impl WalKey<'_> {
    /// What HBase writes for this key ahead of `cell_count` cells: the WALKey protobuf,
    /// length-delimited.
    pub fn nominal_bytes(&self, cell_count: u32) -> u64 {
        let mut message = pb_bytes_field(self.encoded_region_name.len() as u64)
            + pb_bytes_field(self.table_name.len() as u64)
            + pb_varint_field(self.sequence_id)
            + pb_varint_field(self.write_time_ms)
            + pb_varint_field(u64::from(cell_count));
        for id in self.cluster_ids.iter() {
            // UUID { least_sig_bits = 1, most_sig_bits = 2 }, as an embedded message.
            let uuid = pb_varint_field(id as u64) + pb_varint_field((id >> 64) as u64);
            message += 1 + pb_delimited(uuid);
        }
        if self.nonce_group != 0 {
            message += pb_varint_field(self.nonce_group);
        }
        if self.nonce != 0 {
            message += pb_varint_field(self.nonce);
        }
        pb_delimited(message)
    }
}

/// One cell of a WAL entry, its value kept as length and seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalCell<'a> {
    pub row: &'a [u8],
    pub family: &'a [u8],
    pub qualifier: &'a [u8],
    pub timestamp_ms: u64,
    pub cell_type: CellType,
    pub value_length_bytes: u32,
    /// The seed the value's bytes are regenerated from.
    pub value_seed: u64,
}

impl WalCell<'_> {
    /// What `WALCellCodec` writes for this cell: an int32 length and the KeyValue.
    pub fn nominal_bytes(&self) -> u64 {
        let shape = KeyShape {
            row_bytes: self.row.len() as u32,
            family_bytes: self.family.len() as u32,
            qualifier_bytes: self.qualifier.len() as u32,
        };
        CELL_LENGTH_PREFIX_BYTES + cell::data_bytes(shape, self.value_length_bytes)
    }
}

/// An entry as read back: where it starts, its key and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalEntry<'a> {
    /// The offset of the entry's frame in the file.
    pub offset: u64,
    pub key: WalKey<'a>,
    pub cells: Vec<WalCell<'a>>,
}

impl WalEntry<'_> {
    /// What HBase would have written for this entry.
    pub fn nominal_bytes(&self) -> u64 {
        self.key.nominal_bytes(self.cells.len() as u32)
            + self.cells.iter().map(WalCell::nominal_bytes).sum::<u64>()
    }
}

/// The sizes of one appended entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendedEntry {
    pub offset: u64,
    pub physical_bytes: u64,
    pub nominal_bytes: u64,
}

/// Appends entries to one WAL file (or recovered-edits file) in a `SimFs`.
#[derive(Debug, Clone)]
pub struct WalWriter {
    file: FileId,
    entries: u64,
    nominal_length_bytes: u64,
    closed: bool,
}

/// Hands cells to an entry being appended, encoding each straight into the file.
#[derive(Debug)]
pub struct CellEncoder<'f> {
    out: &'f mut Vec<u8>,
    cells: u32,
    nominal_bytes: u64,
}

impl CellEncoder<'_> {
    pub fn cell(&mut self, cell: WalCell<'_>) {
        put_bytes(self.out, cell.row);
        put_bytes(self.out, cell.family);
        put_bytes(self.out, cell.qualifier);
        self.out.extend_from_slice(&cell.timestamp_ms.to_le_bytes());
        self.out.push(cell.cell_type as u8);
        put_varint(self.out, u64::from(cell.value_length_bytes));
        self.out.extend_from_slice(&cell.value_seed.to_le_bytes());
        self.cells += 1;
        self.nominal_bytes += cell.nominal_bytes();
    }
}

impl WalWriter {
    /// Creates the file and writes the magic, the version and the header.
    pub fn create(
        fs: &mut SimFs,
        path: &str,
        header: &WalHeader<'_>,
    ) -> Result<WalWriter, FsError> {
        let file = fs.create(path)?;
        let out = fs.bytes_mut(file);
        out.extend_from_slice(&WAL_MAGIC);
        out.push(FORMAT_VERSION);
        let start = begin_frame(out);
        out.push(header.flags());
        put_bytes(out, header.writer_class_name.as_bytes());
        put_bytes(out, header.cell_codec_class_name.as_bytes());
        end_frame(out, start);
        Ok(WalWriter {
            file,
            entries: 0,
            nominal_length_bytes: header.nominal_bytes(),
            closed: false,
        })
    }

    /// The file written to (it keeps its id if renamed).
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Appends an entry whose cells are given as a slice.
    pub fn append(
        &mut self,
        fs: &mut SimFs,
        key: &WalKey<'_>,
        cells: &[WalCell<'_>],
    ) -> AppendedEntry {
        let cell_count = u32::try_from(cells.len()).expect("fewer than 2^32 cells in one entry");
        self.append_with(fs, key, cell_count, |encoder| {
            for cell in cells {
                encoder.cell(*cell);
            }
        })
    }

    /// Appends an entry of `cell_count` cells, which `fill` hands to the encoder one by one
    /// (so a caller can build each cell's row in a buffer of its own and reuse it): nothing
    /// is allocated per cell. Handing over another number of cells is a programmer error.
    pub fn append_with(
        &mut self,
        fs: &mut SimFs,
        key: &WalKey<'_>,
        cell_count: u32,
        fill: impl FnOnce(&mut CellEncoder<'_>),
    ) -> AppendedEntry {
        assert!(!self.closed, "append to a closed WAL");
        let out = fs.bytes_mut(self.file);
        let start = begin_frame(out);
        put_bytes(out, key.encoded_region_name);
        put_bytes(out, key.table_name);
        put_varint(out, key.sequence_id);
        put_varint(out, key.write_time_ms);
        put_varint(out, key.nonce_group);
        put_varint(out, key.nonce);
        put_varint(out, key.cluster_ids.len() as u64);
        out.extend_from_slice(key.cluster_ids.0);
        put_varint(out, u64::from(cell_count));
        let mut encoder = CellEncoder {
            out,
            cells: 0,
            nominal_bytes: 0,
        };
        fill(&mut encoder);
        assert_eq!(
            encoder.cells, cell_count,
            "cells handed over vs the entry's count"
        );
        let nominal_bytes = key.nominal_bytes(cell_count) + encoder.nominal_bytes;
        end_frame(out, start);
        self.entries += 1;
        self.nominal_length_bytes += nominal_bytes;
        AppendedEntry {
            offset: start as u64,
            physical_bytes: (out.len() - start) as u64,
            nominal_bytes,
        }
    }

    /// Counts `entries` of `nominal_bytes` that the caller copied into the file as they were
    /// (AsyncFSWAL writing unacknowledged entries again after a roll).
    pub fn adopt_entries(&mut self, entries: u64, nominal_bytes: u64) {
        assert!(!self.closed, "entries copied into a closed WAL");
        self.entries += entries;
        self.nominal_length_bytes += nominal_bytes;
    }

    /// Writes the trailer (`AbstractProtobufLogWriter.writeWALTrailer`); closing twice writes
    /// it once.
    pub fn close(&mut self, fs: &mut SimFs) {
        if self.closed {
            return;
        }
        fs.append(self.file, &TRAILER);
        self.nominal_length_bytes += TRAILER.len() as u64;
        self.closed = true;
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// The length HBase's writer would report: value bytes counted in full.
    pub fn nominal_length_bytes(&self) -> u64 {
        self.nominal_length_bytes
    }

    /// The bytes actually in the simulated file.
    pub fn physical_length_bytes(&self, fs: &SimFs) -> u64 {
        fs.bytes(self.file).len() as u64
    }
}

/// Reserves a frame's length and checksum; returns where the frame starts.
fn begin_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; FRAME_HEADER_BYTES]);
    start
}

/// Fills in the length and its checksum, and appends the body's checksum.
fn end_frame(out: &mut Vec<u8>, start: usize) {
    let body = start + FRAME_HEADER_BYTES;
    let body_bytes = u32::try_from(out.len() - body).expect("a frame under 4 GiB");
    assert!(
        body_bytes <= ENTRY_BODY_BYTES_MAX,
        "an entry larger than an RPC"
    );
    let body_checksum = crc32c::crc32c(&out[body..]);
    out.extend_from_slice(&body_checksum.to_le_bytes());
    let length = body_bytes.to_le_bytes();
    out[start..start + 4].copy_from_slice(&length);
    out[start + 4..body].copy_from_slice(&crc32c::crc32c(&length).to_le_bytes());
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The bytes of a value as a (LEB128, protobuf) varint.
pub fn varint_bytes(value: u64) -> u64 {
    u64::from((64 - (value | 1).leading_zeros()).div_ceil(7))
}

/// A protobuf bool field: tag and one byte.
const PB_BOOL_FIELD_BYTES: u64 = 2;

/// A protobuf varint field with a one-byte tag (field numbers below 16).
fn pb_varint_field(value: u64) -> u64 {
    1 + varint_bytes(value)
}

/// A protobuf bytes or string field with a one-byte tag.
fn pb_bytes_field(length_bytes: u64) -> u64 {
    1 + pb_delimited(length_bytes)
}

/// A message or field body preceded by its varint length.
fn pb_delimited(length_bytes: u64) -> u64 {
    varint_bytes(length_bytes) + length_bytes
}

/// The part of a file that a stop is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Magic,
    Version,
    Header,
    /// An entry's length and its checksum.
    EntryLength,
    EntryBody,
    Trailer,
}

impl Section {
    fn describe(self) -> &'static str {
        match self {
            Section::Magic => "the magic",
            Section::Version => "the format version",
            Section::Header => "the header",
            Section::EntryLength => "an entry's length",
            Section::EntryBody => "an entry",
            Section::Trailer => "the trailer",
        }
    }
}

/// How a stop counts: the rules of WAL splitting are written in these terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopClass {
    /// The trailer: the writer closed the file.
    Closed,
    /// Between entries, no trailer: the writer stopped (or is still writing) at a boundary.
    Unclosed,
    /// A file of no bytes.
    Empty,
    /// The file ends inside something: a torn last write, the normal end of a crashed
    /// server's last WAL (HBase's reader reports it as an end of file).
    Truncated,
    /// The bytes are not what a writer wrote, or not a WAL at all.
    Corrupt,
}

/// Where and why reading a file stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalStop {
    /// The trailer starts here: a clean end.
    Trailer {
        offset: u64,
    },
    /// The file ends here, between entries, with no trailer.
    EndOfFile {
        offset: u64,
    },
    Empty,
    /// The file ends inside `section`, which starts at `offset` and needs `needed_bytes` of
    /// which `present_bytes` are there.
    Truncated {
        offset: u64,
        section: Section,
        needed_bytes: u64,
        present_bytes: u64,
    },
    /// A checksum does not match: the length or the body of the frame at `offset`.
    ChecksumMismatch {
        offset: u64,
        section: Section,
        stored: u32,
        computed: u32,
    },
    /// The file does not start with `PWAL`.
    BadMagic {
        found: Vec<u8>,
    },
    UnsupportedVersion {
        version: u8,
    },
    /// A length that passed its checksum but no writer writes.
    ImpossibleLength {
        offset: u64,
        section: Section,
        length_bytes: u64,
    },
    /// A body that passed its checksum but does not parse.
    Malformed {
        offset: u64,
        section: Section,
        reason: &'static str,
    },
    /// A whole trailer at `offset`, then more bytes: something appended after the close.
    GarbageAfterTrailer {
        offset: u64,
        garbage_bytes: u64,
    },
    /// The entry at `offset` runs past where the trailer found at the file's end begins.
    EntryOverlapsTrailer {
        offset: u64,
        trailer_offset: u64,
    },
}

impl WalStop {
    pub fn class(&self) -> StopClass {
        match self {
            WalStop::Trailer { .. } => StopClass::Closed,
            WalStop::EndOfFile { .. } => StopClass::Unclosed,
            WalStop::Empty => StopClass::Empty,
            // HBase's reader: "Read WALTrailer while reading WALEdits" is an EOFException.
            WalStop::Truncated { .. } | WalStop::EntryOverlapsTrailer { .. } => {
                StopClass::Truncated
            }
            WalStop::ChecksumMismatch { .. }
            | WalStop::BadMagic { .. }
            | WalStop::UnsupportedVersion { .. }
            | WalStop::ImpossibleLength { .. }
            | WalStop::Malformed { .. }
            | WalStop::GarbageAfterTrailer { .. } => StopClass::Corrupt,
        }
    }

    /// Where the stop is in the file.
    pub fn offset(&self) -> u64 {
        match self {
            WalStop::Trailer { offset }
            | WalStop::EndOfFile { offset }
            | WalStop::Truncated { offset, .. }
            | WalStop::ChecksumMismatch { offset, .. }
            | WalStop::ImpossibleLength { offset, .. }
            | WalStop::Malformed { offset, .. }
            | WalStop::GarbageAfterTrailer { offset, .. }
            | WalStop::EntryOverlapsTrailer { offset, .. } => *offset,
            WalStop::Empty | WalStop::BadMagic { .. } => 0,
            WalStop::UnsupportedVersion { .. } => WAL_MAGIC.len() as u64,
        }
    }
}

impl fmt::Display for WalStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalStop::Trailer { offset } => write!(f, "clean end: trailer at offset {offset}"),
            WalStop::EndOfFile { offset } => write!(
                f,
                "end of file at offset {offset}, between entries, without a trailer (the file was not closed)"
            ),
            WalStop::Empty => f.write_str("empty file (0 bytes)"),
            WalStop::Truncated {
                offset,
                section,
                needed_bytes,
                present_bytes,
            } => write!(
                f,
                "truncated at offset {offset}: the file ends inside {} ({present_bytes} of {needed_bytes} bytes present)",
                section.describe()
            ),
            WalStop::ChecksumMismatch {
                offset,
                section,
                stored,
                computed,
            } => write!(
                f,
                "checksum mismatch at offset {offset}: {} is not what was written (crc32c {stored:08x} stored, {computed:08x} computed)",
                section.describe()
            ),
            WalStop::BadMagic { found } => {
                write!(f, "not a WAL: the file starts with ")?;
                for byte in found {
                    write!(f, "{byte:02x}")?;
                }
                write!(f, " where \"PWAL\" (50574144) was expected")
            }
            WalStop::UnsupportedVersion { version } => write!(
                f,
                "unsupported WAL format version {version} at offset 4 (this regionsim reads version {FORMAT_VERSION})"
            ),
            WalStop::ImpossibleLength {
                offset,
                section,
                length_bytes,
            } => write!(
                f,
                "impossible length at offset {offset}: {} of {length_bytes} bytes",
                section.describe()
            ),
            WalStop::Malformed {
                offset,
                section,
                reason,
            } => write!(
                f,
                "malformed {} at offset {offset}: {reason}",
                match section {
                    Section::Header => "header",
                    _ => "entry",
                }
            ),
            WalStop::GarbageAfterTrailer {
                offset,
                garbage_bytes,
            } => write!(
                f,
                "{garbage_bytes} byte(s) of garbage after the trailer at offset {offset}"
            ),
            WalStop::EntryOverlapsTrailer {
                offset,
                trailer_offset,
            } => write!(
                f,
                "the entry at offset {offset} runs into the trailer at offset {trailer_offset}"
            ),
        }
    }
}

/// One step of reading: an entry, or the stop (repeated on every later call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    Entry(WalEntry<'a>),
    Stop(WalStop),
}

/// Reads a WAL file's entries one by one. Never panics, whatever the bytes.
#[derive(Debug, Clone)]
pub struct WalReader<'a> {
    bytes: &'a [u8],
    header: WalHeader<'a>,
    position: usize,
    /// Where the trailer begins, if the file ends with one.
    trailer_offset: Option<usize>,
    stop: Option<WalStop>,
}

impl<'a> WalReader<'a> {
    /// Reads the magic, the version and the header, and looks for the trailer.
    pub fn open(bytes: &'a [u8]) -> Result<WalReader<'a>, WalStop> {
        if bytes.is_empty() {
            return Err(WalStop::Empty);
        }
        let magic_bytes = bytes.len().min(WAL_MAGIC.len());
        if bytes[..magic_bytes] != WAL_MAGIC[..magic_bytes] {
            return Err(WalStop::BadMagic {
                found: bytes[..magic_bytes].to_vec(),
            });
        }
        if bytes.len() < HEADER_OFFSET {
            let section = if bytes.len() < WAL_MAGIC.len() {
                Section::Magic
            } else {
                Section::Version
            };
            return Err(WalStop::Truncated {
                offset: 0,
                section,
                needed_bytes: HEADER_OFFSET as u64,
                present_bytes: bytes.len() as u64,
            });
        }
        let version = bytes[WAL_MAGIC.len()];
        if version != FORMAT_VERSION {
            return Err(WalStop::UnsupportedVersion { version });
        }
        let limits = FrameLimits {
            section_length: Section::Header,
            section_body: Section::Header,
            body_bytes_min: HEADER_BODY_BYTES_MIN,
            body_bytes_max: HEADER_BODY_BYTES_MAX,
        };
        let (body, entries_start) = read_frame(bytes, HEADER_OFFSET, bytes.len(), &limits)?;
        let header = parse_header(body).map_err(|reason| WalStop::Malformed {
            offset: HEADER_OFFSET as u64,
            section: Section::Header,
            reason,
        })?;
        Ok(WalReader {
            bytes,
            header,
            position: entries_start,
            trailer_offset: find_trailer(bytes, entries_start),
            stop: None,
        })
    }

    pub fn header(&self) -> &WalHeader<'a> {
        &self.header
    }

    /// Where the next entry starts.
    pub fn position(&self) -> u64 {
        self.position as u64
    }

    /// Where the trailer begins, if the file has one.
    pub fn trailer_offset(&self) -> Option<u64> {
        self.trailer_offset.map(|offset| offset as u64)
    }

    /// The next entry, or where and why the file stops.
    pub fn next_step(&mut self) -> Step<'a> {
        if let Some(stop) = &self.stop {
            return Step::Stop(stop.clone());
        }
        match self.read_entry() {
            Ok(entry) => Step::Entry(entry),
            Err(stop) => {
                self.stop = Some(stop.clone());
                Step::Stop(stop)
            }
        }
    }

    fn read_entry(&mut self) -> Result<WalEntry<'a>, WalStop> {
        let offset = self.position;
        let end = self.trailer_offset.unwrap_or(self.bytes.len());
        if Some(offset) == self.trailer_offset {
            return Err(WalStop::Trailer {
                offset: offset as u64,
            });
        }
        if offset == self.bytes.len() {
            return Err(WalStop::EndOfFile {
                offset: offset as u64,
            });
        }
        let rest = &self.bytes[offset..];
        if rest.len() < FRAME_HEADER_BYTES && TRAILER.starts_with(rest) {
            return Err(WalStop::Truncated {
                offset: offset as u64,
                section: Section::Trailer,
                needed_bytes: TRAILER.len() as u64,
                present_bytes: rest.len() as u64,
            });
        }
        if rest.len() > TRAILER.len() && rest.starts_with(&TRAILER) {
            return Err(WalStop::GarbageAfterTrailer {
                offset: offset as u64,
                garbage_bytes: (rest.len() - TRAILER.len()) as u64,
            });
        }
        let limits = FrameLimits {
            section_length: Section::EntryLength,
            section_body: Section::EntryBody,
            body_bytes_min: ENTRY_BODY_BYTES_MIN,
            body_bytes_max: ENTRY_BODY_BYTES_MAX,
        };
        let (body, next) = read_frame(self.bytes, offset, end, &limits)?;
        let (key, cells) = parse_entry(body).map_err(|reason| WalStop::Malformed {
            offset: offset as u64,
            section: Section::EntryBody,
            reason,
        })?;
        self.position = next;
        Ok(WalEntry {
            offset: offset as u64,
            key,
            cells,
        })
    }
}

/// Everything readable in a file, and where reading stopped.
#[derive(Debug, Clone)]
pub struct WalContents<'a> {
    /// `None` if the header could not be read.
    pub header: Option<WalHeader<'a>>,
    pub entries: Vec<WalEntry<'a>>,
    pub stop: WalStop,
}

/// Reads a whole file.
pub fn read_wal(bytes: &[u8]) -> WalContents<'_> {
    let mut reader = match WalReader::open(bytes) {
        Ok(reader) => reader,
        Err(stop) => {
            return WalContents {
                header: None,
                entries: Vec::new(),
                stop,
            };
        }
    };
    let mut entries = Vec::new();
    loop {
        match reader.next_step() {
            Step::Entry(entry) => entries.push(entry),
            Step::Stop(stop) => {
                return WalContents {
                    header: Some(reader.header),
                    entries,
                    stop,
                };
            }
        }
    }
}

/// HBase's `setTrailerIfPresent` looks at the last 8 bytes for a non-negative size and
/// `LAWP`. Every trailer HBase 1.4 and 2.5 write is empty (WALTrailer has no fields), and so is
/// ours, so here a trailer is exactly `TRAILER`: a flipped bit in its size then reads as the
/// corruption it is instead of moving the end of the entries.
fn find_trailer(bytes: &[u8], entries_start: usize) -> Option<usize> {
    let trailer_offset = bytes.len().checked_sub(TRAILER.len())?;
    (trailer_offset >= entries_start && bytes[trailer_offset..] == TRAILER)
        .then_some(trailer_offset)
}

/// What a frame may hold, and which sections to name in a stop.
struct FrameLimits {
    section_length: Section,
    section_body: Section,
    body_bytes_min: u32,
    body_bytes_max: u32,
}

/// Reads the frame at `offset`, which must end by `end`; returns the body and where the next
/// frame starts.
fn read_frame<'a>(
    bytes: &'a [u8],
    offset: usize,
    end: usize,
    limits: &FrameLimits,
) -> Result<(&'a [u8], usize), WalStop> {
    let file_end = bytes.len();
    let truncated = |section, needed_bytes: usize| WalStop::Truncated {
        offset: offset as u64,
        section,
        needed_bytes: needed_bytes as u64,
        present_bytes: (file_end - offset) as u64,
    };
    let body_start = offset + FRAME_HEADER_BYTES;
    if body_start > file_end {
        return Err(truncated(limits.section_length, FRAME_HEADER_BYTES));
    }
    let length: [u8; 4] = bytes[offset..offset + 4].try_into().expect("4 bytes");
    let stored = u32::from_le_bytes(bytes[offset + 4..body_start].try_into().expect("4 bytes"));
    let computed = crc32c::crc32c(&length);
    if stored != computed {
        return Err(WalStop::ChecksumMismatch {
            offset: offset as u64,
            section: limits.section_length,
            stored,
            computed,
        });
    }
    let body_bytes = u32::from_le_bytes(length);
    if body_bytes < limits.body_bytes_min || body_bytes > limits.body_bytes_max {
        return Err(WalStop::ImpossibleLength {
            offset: offset as u64,
            section: limits.section_body,
            length_bytes: u64::from(body_bytes),
        });
    }
    let body_end = body_start + body_bytes as usize;
    let frame_end = body_end + FRAME_CHECKSUM_BYTES;
    if frame_end > end {
        if end < file_end {
            return Err(WalStop::EntryOverlapsTrailer {
                offset: offset as u64,
                trailer_offset: end as u64,
            });
        }
        return Err(truncated(limits.section_body, frame_end - offset));
    }
    let body = &bytes[body_start..body_end];
    let stored = u32::from_le_bytes(bytes[body_end..frame_end].try_into().expect("4 bytes"));
    let computed = crc32c::crc32c(body);
    if stored != computed {
        return Err(WalStop::ChecksumMismatch {
            offset: offset as u64,
            section: limits.section_body,
            stored,
            computed,
        });
    }
    Ok((body, frame_end))
}

/// Reads the fields of a body in order.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn varint(&mut self) -> Result<u64, &'static str> {
        let mut value: u64 = 0;
        for (index, &byte) in self.bytes.iter().enumerate().take(10) {
            let bits = u64::from(byte & 0x7F);
            if index == 9 && bits > 1 {
                return Err("a varint beyond 64 bits");
            }
            value |= bits << (7 * index);
            if byte & 0x80 == 0 {
                self.bytes = &self.bytes[index + 1..];
                return Ok(value);
            }
        }
        Err("a varint runs past the end")
    }

    fn take(&mut self, length_bytes: u64) -> Result<&'a [u8], &'static str> {
        let length = usize::try_from(length_bytes).map_err(|_| "a length beyond memory")?;
        if length > self.bytes.len() {
            return Err("a field runs past the end");
        }
        let (field, rest) = self.bytes.split_at(length);
        self.bytes = rest;
        Ok(field)
    }

    fn bytes_field(&mut self) -> Result<&'a [u8], &'static str> {
        let length = self.varint()?;
        self.take(length)
    }

    fn u8(&mut self) -> Result<u8, &'static str> {
        Ok(self.take(1)?[0])
    }

    fn u64_le(&mut self) -> Result<u64, &'static str> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn finish(&self) -> Result<(), &'static str> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err("bytes left over after the last field")
        }
    }
}

fn parse_header(body: &[u8]) -> Result<WalHeader<'_>, &'static str> {
    let mut cursor = Cursor { bytes: body };
    let flags = cursor.u8()?;
    if flags & !0x0F != 0 {
        return Err("unknown header flags");
    }
    let text = |bytes| std::str::from_utf8(bytes).map_err(|_| "a class name that is not UTF-8");
    let writer_class_name = text(cursor.bytes_field()?)?;
    let cell_codec_class_name = text(cursor.bytes_field()?)?;
    cursor.finish()?;
    Ok(WalHeader {
        writer_class_name,
        cell_codec_class_name,
        has_compression: flags & 1 != 0,
        has_tag_compression: flags & 2 != 0,
        has_value_compression: (flags & 4 != 0).then_some(flags & 8 != 0),
    })
}

fn parse_entry(body: &[u8]) -> Result<(WalKey<'_>, Vec<WalCell<'_>>), &'static str> {
    let mut cursor = Cursor { bytes: body };
    let encoded_region_name = cursor.bytes_field()?;
    let table_name = cursor.bytes_field()?;
    let sequence_id = cursor.varint()?;
    let write_time_ms = cursor.varint()?;
    let nonce_group = cursor.varint()?;
    let nonce = cursor.varint()?;
    let cluster_id_count = cursor.varint()?;
    let cluster_ids = cursor.take(cluster_id_count.saturating_mul(16))?;
    let cell_count = cursor.varint()?;
    if cell_count > (cursor.bytes.len() / CELL_BYTES_MIN) as u64 {
        return Err("more cells than the entry has bytes for");
    }
    let mut cells = Vec::with_capacity(cell_count as usize);
    for _ in 0..cell_count {
        let row = cursor.bytes_field()?;
        let family = cursor.bytes_field()?;
        let qualifier = cursor.bytes_field()?;
        let timestamp_ms = cursor.u64_le()?;
        let cell_type = cell_type_from_code(cursor.u8()?).ok_or("an unknown cell type")?;
        let value_length_bytes =
            u32::try_from(cursor.varint()?).map_err(|_| "a value longer than 4 GiB")?;
        let value_seed = cursor.u64_le()?;
        cells.push(WalCell {
            row,
            family,
            qualifier,
            timestamp_ms,
            cell_type,
            value_length_bytes,
            value_seed,
        });
    }
    cursor.finish()?;
    let key = WalKey {
        encoded_region_name,
        table_name,
        sequence_id,
        write_time_ms,
        nonce_group,
        nonce,
        cluster_ids: ClusterIds(cluster_ids),
    };
    Ok((key, cells))
}

/// KeyValue.Type from its code, for the types a WAL carries.
fn cell_type_from_code(code: u8) -> Option<CellType> {
    [
        CellType::Put,
        CellType::Delete,
        CellType::DeleteColumn,
        CellType::DeleteFamily,
    ]
    .into_iter()
    .find(|cell_type| *cell_type as u8 == code)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const REGION: &[u8] = b"1588230740abcdef1588230740abcdef";

    fn key(sequence_id: u64) -> WalKey<'static> {
        WalKey {
            encoded_region_name: REGION,
            table_name: b"usertable",
            sequence_id,
            write_time_ms: 1_700_000_000_000 + sequence_id,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: ClusterIds::NONE,
        }
    }

    fn put(row: &[u8], value_length_bytes: u32) -> WalCell<'_> {
        WalCell {
            row,
            family: b"cf",
            qualifier: b"field0",
            timestamp_ms: 1_700_000_000_000,
            cell_type: CellType::Put,
            value_length_bytes,
            value_seed: 0x5EED,
        }
    }

    /// A closed WAL of `entries` entries of two cells each.
    fn wal(entries: u64) -> Vec<u8> {
        let mut fs = SimFs::new();
        let mut writer =
            WalWriter::create(&mut fs, "w", &WalHeader::for_wal(ProfileId::Hbase25)).unwrap();
        for sequence_id in 1..=entries {
            writer.append(
                &mut fs,
                &key(sequence_id),
                &[put(b"user0001234", 1000), put(b"user0001235", 10)],
            );
        }
        writer.close(&mut fs);
        fs.read("w").unwrap().to_vec()
    }

    // Entries come back as written, in order, and a closed file ends at its trailer.
    #[test]
    fn round_trip() {
        let bytes = wal(3);
        let contents = read_wal(&bytes);
        assert_eq!(
            contents.header,
            Some(WalHeader::for_wal(ProfileId::Hbase25))
        );
        assert_eq!(contents.entries.len(), 3);
        assert_eq!(contents.entries[2].key, key(3));
        assert_eq!(contents.entries[0].cells[1], put(b"user0001235", 10));
        assert_eq!(
            contents.stop,
            WalStop::Trailer {
                offset: bytes.len() as u64 - 8
            }
        );
        assert_eq!(contents.stop.class(), StopClass::Closed);
    }

    // Nominal sizes are HBase's, worked out by hand from WAL.proto and KeyValue's layout.
    #[test]
    fn nominal_sizes_are_hbase_s() {
        // WALHeader in 2.5: has_compression (2) + has_tag_compression (2) +
        // has_value_compression (2) + writer_cls_name "AsyncProtobufLogWriter" (1 + 1 + 22) +
        // cell_codec_cls_name (1 + 1 + 53) = 85, delimited 86, after the 4-byte magic 90.
        assert_eq!(WalHeader::for_wal(ProfileId::Hbase25).nominal_bytes(), 90);
        // 1.4: no has_value_compression, "ProtobufLogWriter" (17): 2 + 2 + 19 + 55 = 78 → 83.
        assert_eq!(WalHeader::for_wal(ProfileId::Hbase14).nominal_bytes(), 83);
        // WALKey: region (1 + 1 + 32) + table (1 + 1 + 9) + seq 7 (1 + 1) + write time
        // 1_700_000_000_007 (41 bits: 1 + 6) + following_kv_count 2 (1 + 1) = 56, delimited 57.
        assert_eq!(key(7).nominal_bytes(2), 57);
        // Cell: 4 + 20 + row 11 + family 2 + qualifier 6 + value 1000 = 1043.
        assert_eq!(put(b"user0001234", 1000).nominal_bytes(), 1043);
        let mut fs = SimFs::new();
        let mut writer =
            WalWriter::create(&mut fs, "w", &WalHeader::for_wal(ProfileId::Hbase25)).unwrap();
        let appended = writer.append(&mut fs, &key(7), &[put(b"user0001234", 1000)]);
        assert_eq!(appended.nominal_bytes, 57 + 1043);
        writer.close(&mut fs);
        assert_eq!(writer.nominal_length_bytes(), 90 + 57 + 1043 + 8);
        assert_eq!(writer.physical_length_bytes(&fs), fs.len("w").unwrap());
        // Physical: magic and version 5, header frame 8 + (1 + 23 + 54) + 4 = 90; entry frame
        // 8 + key (33 + 10 + 1 + 6 + 1 + 1 + 1 + 1 = 54) + cell (12 + 3 + 7 + 8 + 1 + 2 + 8 =
        // 41) + 4 = 107; trailer 8.
        assert_eq!(writer.physical_length_bytes(&fs), 5 + 90 + 107 + 8);
    }

    // A cluster id adds a UUID message: tag, length, and two uint64 fields (tag and a 10-byte
    // varint each for halves with the top bit set): 1 + 1 + 22 on the 56-byte message above.
    #[test]
    fn cluster_ids_are_counted() {
        let id = u128::MAX.to_le_bytes();
        let with_cluster = WalKey {
            cluster_ids: ClusterIds::from_bytes(&id),
            ..key(7)
        };
        assert_eq!(with_cluster.nominal_bytes(2), 1 + 56 + 1 + 1 + 22);
        assert_eq!(
            with_cluster.cluster_ids.iter().collect::<Vec<_>>(),
            [u128::MAX]
        );
    }

    // Every prefix of a closed file reads as the entries wholly inside it, then a truncation
    // or a clean boundary: never a corruption.
    #[test]
    fn every_truncation_is_an_end_of_file() {
        let bytes = wal(3);
        let complete = read_wal(&bytes).entries;
        for length in 0..bytes.len() {
            let contents = read_wal(&bytes[..length]);
            let class = contents.stop.class();
            assert!(
                matches!(
                    class,
                    StopClass::Truncated | StopClass::Unclosed | StopClass::Empty
                ),
                "{length}: {}",
                contents.stop
            );
            let whole = complete
                .iter()
                .filter(|entry| entry.offset + (entry_len(&bytes, entry.offset)) <= length as u64)
                .count();
            assert_eq!(contents.entries.len(), whole, "{length}");
        }
    }

    fn entry_len(bytes: &[u8], offset: u64) -> u64 {
        let at = offset as usize;
        u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())) + 12
    }

    // Every single flipped byte is named: a checksum mismatch, a bad magic or version, or a
    // trailer that is no longer one — the entries before it still read.
    #[test]
    fn every_flipped_byte_is_detected() {
        let bytes = wal(3);
        let complete = read_wal(&bytes).entries;
        for offset in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[offset] ^= 0x01;
            let contents = read_wal(&damaged);
            assert_eq!(
                contents.stop.class(),
                StopClass::Corrupt,
                "{offset}: {}",
                contents.stop
            );
            let before = complete
                .iter()
                .filter(|entry| entry.offset + entry_len(&bytes, entry.offset) <= offset as u64)
                .count();
            assert_eq!(contents.entries.len(), before, "{offset}");
        }
    }

    // The trailer cases of HBase's TestWALSplit: its last 4 bytes cut (TRUNCATE_TRAILER) is a
    // truncation; bytes appended after it (APPEND_GARBAGE) are garbage after the trailer.
    #[test]
    fn damaged_trailers() {
        let bytes = wal(2);
        let cut = read_wal(&bytes[..bytes.len() - 4]);
        assert_eq!(cut.entries.len(), 2);
        assert!(matches!(
            cut.stop,
            WalStop::Truncated {
                section: Section::Trailer,
                ..
            }
        ));
        let mut appended = bytes.clone();
        appended.extend_from_slice(b"-----");
        let garbage = read_wal(&appended);
        assert_eq!(garbage.entries.len(), 2);
        assert_eq!(
            garbage.stop,
            WalStop::GarbageAfterTrailer {
                offset: bytes.len() as u64 - 8,
                garbage_bytes: 5
            }
        );
        assert_eq!(read_wal(b"").stop, WalStop::Empty);
        assert!(matches!(
            read_wal(b"PW").stop,
            WalStop::Truncated {
                section: Section::Magic,
                ..
            }
        ));
        assert_eq!(
            read_wal(b"\0PWAL").stop,
            WalStop::BadMagic {
                found: b"\0PWA".to_vec()
            }
        );
        assert_eq!(
            read_wal(b"PWAL\x07rest").stop,
            WalStop::UnsupportedVersion { version: 7 }
        );
    }

    // A length that passes its checksum but is out of range is named as such.
    #[test]
    fn impossible_lengths() {
        let mut bytes = wal(1);
        let entry = read_wal(&bytes).entries[0].offset as usize;
        let huge = (ENTRY_BODY_BYTES_MAX + 1).to_le_bytes();
        bytes[entry..entry + 4].copy_from_slice(&huge);
        bytes[entry + 4..entry + 8].copy_from_slice(&crc32c::crc32c(&huge).to_le_bytes());
        assert!(matches!(
            read_wal(&bytes).stop,
            WalStop::ImpossibleLength { .. }
        ));
    }

    // Varint sizes at the boundaries of 7-bit groups.
    #[test]
    fn varint_sizes() {
        for (value, size) in [
            (0, 1),
            (127, 1),
            (128, 2),
            (16_383, 2),
            (16_384, 3),
            (u64::MAX, 10),
        ] {
            assert_eq!(varint_bytes(value), size, "{value}");
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out.len() as u64, size);
            assert_eq!(Cursor { bytes: &out }.varint(), Ok(value));
        }
    }

    proptest! {
        // Random bytes, with or without a valid start, never make the reader panic, and it
        // never reads past the end.
        #[test]
        fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400), prefix in 0usize..3) {
            let mut bytes = match prefix {
                0 => Vec::new(),
                1 => b"PWAL\x01".to_vec(),
                _ => wal(1)[..40].to_vec(),
            };
            bytes.extend_from_slice(&tail);
            let contents = read_wal(&bytes);
            prop_assert!(contents.stop.offset() <= bytes.len() as u64);
        }

        // A real file with a few bytes overwritten, cut or extended still reads without a
        // panic, and whatever entries it yields precede the stop.
        #[test]
        fn mutated_files_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            cut in any::<prop::sample::Index>(),
            extra in proptest::collection::vec(any::<u8>(), 0..20),
        ) {
            let mut bytes = wal(4);
            for (index, value) in edits {
                let at = index.index(bytes.len());
                bytes[at] = value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes.extend_from_slice(&extra);
            let contents = read_wal(&bytes);
            for entry in &contents.entries {
                prop_assert!(entry.offset < contents.stop.offset().max(1));
            }
        }
    }
}
