//! WAL files in HBase's own layout, byte for byte: what `ProtobufLogWriter` (FSHLog, recovered
//! edits) and `AsyncProtobufLogWriter` (AsyncFSWAL) write, and the messages and cells a reader
//! decodes from them.
//!
//! ```text
//! "PWAL"                                   PB_WAL_MAGIC
//! varint32 length, WALHeader               writeDelimitedTo
//! per entry: varint32 length, WALKey       writeDelimitedTo, following_kv_count = n
//!            n cells                       WALCellCodec.EnsureKvEncoder (KeyValue layout)
//! at a clean close only:
//!   WALTrailer (empty: 0 bytes), int32 BE trailer size (0), "LAWP"
//! ```
//!
//! The messages are WAL.proto's (proto2), written in field-number order as protobuf-java's
//! generated `writeTo` does (shared/reference/compaction-and-wal-split.md §5; the fields are the
//! same in 1.4's `hbase-protocol` and 2.5's `hbase-protocol-shaded`):
//!
//! - **WALHeader**: has_compression (1), has_tag_compression (3), writer_cls_name (4),
//!   cell_codec_cls_name (5), and in 2.5 has_value_compression (6). The booleans are written
//!   even when false (`AbstractProtobufLogWriter.buildWALHeader` sets them, and proto2 writes
//!   a set field). Both writers name themselves `ProtobufLogWriter`: 2.5's async writer
//!   reports that name on purpose so that older readers accept its files. The codec is
//!   `WALCellCodec` (`hbase.regionserver.wal.codec`'s default).
//! - **WALKey**: encoded_region_name (1), table_name (2), log_sequence_number (3), write_time
//!   (4) always; scopes (6) only for replicated families (none here); following_kv_count (7)
//!   always; cluster_ids (8) as UUIDs {least_sig_bits, most_sig_bits}; nonceGroup (9) and
//!   nonce (10) only when not 0 (`HConstants.NO_NONCE`); orig_sequence_number (11) only when
//!   above 0 (replayed edits); extended_attributes (12, 2.5) never by default.
//! - **Cells** (`KeyValueUtil.oswrite` with tags): int32 BE total length, then the KeyValue:
//!   int32 key length, int32 value length, int16 row length, row, int8 family length, family,
//!   qualifier, int64 timestamp, int8 type, value; a tags length and tags only when a cell has
//!   tags (none here). Both versions write the same bytes.
//!
//! There is no checksum anywhere in the file: HBase relies on HDFS's chunk checksums below it
//! (`hdfs::sim_fs`), and its reader turns most damage into an early end of file
//! (`wal::reader`).
//!
//! **Values are generated, not stored**: a cell written with `CellValue::Generated` puts its
//! value into the file as a generated run (`hdfs::content`), so the file reads as HBase's bytes
//! while memory holds a length and a seed per cell.
//!
//! Left out on purpose: WAL compression (dictionaries, tag and value compression), encryption
//! (`SecureProtobufLogWriter`), tags, replication scopes, marker entries (flush, compaction and
//! region-event descriptors under `METAFAMILY`).

use crate::model::hdfs::content::ValueBytes;
use crate::model::hdfs::sim_fs::{FileId, FsError, SimFs};
use crate::model::wal::protobuf::{
    self, FieldValue, Limit, PbError, WIRE_LENGTH_DELIMITED, WIRE_VARINT, bytes_field_len,
    put_bool_field, put_bytes_field, put_varint, put_varint_field, varint_field_len, varint_len,
};
use crate::scenario::profile::ProfileId;

/// `ProtobufLogReader.PB_WAL_MAGIC`.
pub const WAL_MAGIC: [u8; 4] = *b"PWAL";
/// `ProtobufLogReader.PB_WAL_COMPLETE_MAGIC`, the trailer's last bytes.
pub const WAL_COMPLETE_MAGIC: [u8; 4] = *b"LAWP";
/// What a clean close writes: the empty WALTrailer (no bytes), its size 0 as an int32, `LAWP`.
pub const TRAILER: [u8; 8] = [0, 0, 0, 0, b'L', b'A', b'W', b'P'];
/// The writer class name every modelled writer puts in the header.
pub const WRITER_CLASS_NAME: &str = "ProtobufLogWriter";
/// `WALCellCodec`'s class name, as the header names the codec.
pub const WAL_CELL_CODEC: &str = "org.apache.hadoop.hbase.regionserver.wal.WALCellCodec";
/// The KeyValue's fixed framing around row, family, qualifier and value: key length (4),
/// value length (4), row length (2), family length (1), timestamp (8), type (1).
pub const KEY_VALUE_INFRASTRUCTURE_BYTES: u64 = 20;
/// The int32 `EnsureKvEncoder` writes before each KeyValue.
pub const CELL_LENGTH_PREFIX_BYTES: u64 = 4;
/// The largest entry a writer appends: an entry is one region's edit of one mini-batch of one
/// RPC, never larger than an RPC request (`hbase.ipc.max.request.size`, 256 MiB).
pub const ENTRY_BYTES_MAX: u64 = 256 * 1024 * 1024;

/// WALHeader as read or written; `None` is a field not present.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalHeader {
    pub has_compression: Option<bool>,
    pub encryption_key: Option<Vec<u8>>,
    pub has_tag_compression: Option<bool>,
    pub writer_class_name: Option<String>,
    pub cell_codec_class_name: Option<String>,
    pub has_value_compression: Option<bool>,
    pub value_compression_algorithm: Option<u32>,
}

impl WalHeader {
    /// The header a writer of `profile` writes: a server's WAL (AsyncFSWAL or FSHLog) and a
    /// recovered-edits file alike.
    pub fn written_by(profile: ProfileId) -> WalHeader {
        WalHeader {
            has_compression: Some(false),
            encryption_key: None,
            has_tag_compression: Some(false),
            writer_class_name: Some(WRITER_CLASS_NAME.to_string()),
            cell_codec_class_name: Some(WAL_CELL_CODEC.to_string()),
            has_value_compression: match profile {
                ProfileId::Hbase25 => Some(false),
                ProfileId::Hbase14 => None,
            },
            value_compression_algorithm: None,
        }
    }

    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(value) = self.has_compression {
            put_bool_field(&mut out, 1, value);
        }
        if let Some(key) = &self.encryption_key {
            put_bytes_field(&mut out, 2, key);
        }
        if let Some(value) = self.has_tag_compression {
            put_bool_field(&mut out, 3, value);
        }
        if let Some(name) = &self.writer_class_name {
            put_bytes_field(&mut out, 4, name.as_bytes());
        }
        if let Some(name) = &self.cell_codec_class_name {
            put_bytes_field(&mut out, 5, name.as_bytes());
        }
        if let Some(value) = self.has_value_compression {
            put_bool_field(&mut out, 6, value);
        }
        if let Some(algorithm) = self.value_compression_algorithm {
            put_varint_field(&mut out, 7, u64::from(algorithm));
        }
        out
    }

    /// Reads the message (no field of WALHeader is required).
    pub fn decode(bytes: &[u8], limit: Limit) -> Result<WalHeader, PbError> {
        let mut header = WalHeader::default();
        for field in protobuf::parse_message(bytes, limit)? {
            match (field.number, field.value) {
                (1, FieldValue::Varint(value)) => header.has_compression = Some(value != 0),
                (2, FieldValue::LengthDelimited(key)) => header.encryption_key = Some(key.to_vec()),
                (3, FieldValue::Varint(value)) => header.has_tag_compression = Some(value != 0),
                (4, FieldValue::LengthDelimited(name)) => {
                    header.writer_class_name = Some(String::from_utf8_lossy(name).into_owned())
                }
                (5, FieldValue::LengthDelimited(name)) => {
                    header.cell_codec_class_name = Some(String::from_utf8_lossy(name).into_owned())
                }
                (6, FieldValue::Varint(value)) => header.has_value_compression = Some(value != 0),
                (7, FieldValue::Varint(value)) => {
                    header.value_compression_algorithm = Some(value as u32)
                }
                _ => {}
            }
        }
        Ok(header)
    }

    /// Whether the file's keys and cells are dictionary-compressed (`hasCompression &&
    /// getHasCompression`, as ProtobufLogReader reads it; tag and value compression only apply
    /// within it).
    pub fn is_compressed(&self) -> bool {
        self.has_compression == Some(true)
    }
}

/// Cluster ids (`WALKey.cluster_ids`): the clusters that have consumed an edit, for
/// replication.
pub type ClusterId = u128;

/// A WAL entry's key as a writer gives it.
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
    pub cluster_ids: &'a [ClusterId],
    /// The sequence id an edit had in the WAL it was replayed from (0: not written).
    pub orig_sequence_id: u64,
}

/// A UUID message {least_sig_bits = 1, most_sig_bits = 2}.
fn uuid_message(id: ClusterId) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint_field(&mut out, 1, id as u64);
    put_varint_field(&mut out, 2, (id >> 64) as u64);
    out
}

impl WalKey<'_> {
    /// The message's length ahead of `cell_count` cells.
    pub fn message_len(&self, cell_count: u32) -> u64 {
        let mut length = bytes_field_len(self.encoded_region_name.len() as u64)
            + bytes_field_len(self.table_name.len() as u64)
            + varint_field_len(self.sequence_id)
            + varint_field_len(self.write_time_ms)
            + varint_field_len(u64::from(cell_count));
        for &id in self.cluster_ids {
            length += bytes_field_len(uuid_message(id).len() as u64);
        }
        for optional in [self.nonce_group, self.nonce, self.orig_sequence_id] {
            if optional != 0 {
                length += varint_field_len(optional);
            }
        }
        length
    }

    /// Appends the delimited message: its varint32 length, then its fields in field order.
    pub fn write_delimited(&self, cell_count: u32, out: &mut Vec<u8>) {
        put_varint(out, self.message_len(cell_count));
        put_bytes_field(out, 1, self.encoded_region_name);
        put_bytes_field(out, 2, self.table_name);
        put_varint_field(out, 3, self.sequence_id);
        put_varint_field(out, 4, self.write_time_ms);
        put_varint_field(out, 7, u64::from(cell_count));
        for &id in self.cluster_ids {
            put_bytes_field(out, 8, &uuid_message(id));
        }
        for (field, value) in [
            (9, self.nonce_group),
            (10, self.nonce),
            (11, self.orig_sequence_id),
        ] {
            if value != 0 {
                put_varint_field(out, field, value);
            }
        }
    }
}

/// A WALKey as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedKey {
    pub encoded_region_name: Vec<u8>,
    pub table_name: Vec<u8>,
    pub sequence_id: u64,
    pub write_time_ms: u64,
    /// `following_kv_count`; `None` if absent.
    pub following_kv_count: Option<u32>,
    pub nonce_group: u64,
    pub nonce: u64,
    pub cluster_ids: Vec<ClusterId>,
    pub orig_sequence_id: u64,
    /// Families with a replication scope (`scopes`): family and scope type.
    pub scopes: Vec<(Vec<u8>, u64)>,
    /// `extended_attributes` (2.5): name and value.
    pub extended_attributes: Vec<(Vec<u8>, Vec<u8>)>,
}

impl DecodedKey {
    /// The key as a writer gives it (for writing it again, to recovered edits).
    pub fn as_key(&self) -> WalKey<'_> {
        WalKey {
            encoded_region_name: &self.encoded_region_name,
            table_name: &self.table_name,
            sequence_id: self.sequence_id,
            write_time_ms: self.write_time_ms,
            nonce_group: self.nonce_group,
            nonce: self.nonce,
            cluster_ids: &self.cluster_ids,
            orig_sequence_id: self.orig_sequence_id,
        }
    }
}

/// Why a WALKey message, parsed, is not a WALKey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// The bytes are not a message (protobuf-java's exception).
    Protobuf(PbError),
    /// A required field is missing (`isInitialized` false; from `parseFrom`,
    /// "Message missing required fields").
    MissingRequired,
}

/// Whether field `number` is there with `wire_type` (a known number with another wire type is
/// an unknown field to protobuf-java, so it does not count).
fn has_field(fields: &[protobuf::Field<'_>], number: u32, wire_type: u8) -> bool {
    fields
        .iter()
        .any(|field| field.number == number && field.wire_type == wire_type)
}

/// Reads an embedded message with two required fields of the given wire types.
fn embedded_pair<'a>(
    bytes: &'a [u8],
    types: (u8, u8),
) -> Result<Option<(FieldValue<'a>, FieldValue<'a>)>, PbError> {
    let fields = protobuf::parse_message(bytes, Limit::Exact)?;
    let find = |number: u32, wire_type: u8| {
        fields
            .iter()
            .rev()
            .find(|field| field.number == number && field.wire_type == wire_type)
            .map(|field| field.value)
    };
    Ok(find(1, types.0).zip(find(2, types.1)))
}

impl DecodedKey {
    /// Reads the message within `bytes` (the delimited length's worth, or what a failing read
    /// left of it).
    pub fn decode(bytes: &[u8], limit: Limit) -> Result<DecodedKey, KeyError> {
        let fields = protobuf::parse_message(bytes, limit).map_err(KeyError::Protobuf)?;
        let mut key = DecodedKey::default();
        // WALKey's required fields; each embedded UUID, FamilyScope and Attribute has its own.
        let mut initialized = has_field(&fields, 1, WIRE_LENGTH_DELIMITED)
            && has_field(&fields, 2, WIRE_LENGTH_DELIMITED)
            && has_field(&fields, 3, WIRE_VARINT)
            && has_field(&fields, 4, WIRE_VARINT);
        for field in &fields {
            match (field.number, field.value) {
                (1, FieldValue::LengthDelimited(name)) => key.encoded_region_name = name.to_vec(),
                (2, FieldValue::LengthDelimited(name)) => key.table_name = name.to_vec(),
                (3, FieldValue::Varint(value)) => key.sequence_id = value,
                (4, FieldValue::Varint(value)) => key.write_time_ms = value,
                (6, FieldValue::LengthDelimited(scope)) => {
                    // FamilyScope { required bytes family = 1; required ScopeType = 2; }
                    match embedded_pair(scope, (WIRE_LENGTH_DELIMITED, WIRE_VARINT))
                        .map_err(KeyError::Protobuf)?
                    {
                        Some((FieldValue::LengthDelimited(family), FieldValue::Varint(kind))) => {
                            key.scopes.push((family.to_vec(), kind))
                        }
                        _ => initialized = false,
                    }
                }
                (7, FieldValue::Varint(value)) => key.following_kv_count = Some(value as u32),
                (8, FieldValue::LengthDelimited(uuid)) => {
                    match embedded_pair(uuid, (WIRE_VARINT, WIRE_VARINT))
                        .map_err(KeyError::Protobuf)?
                    {
                        Some((FieldValue::Varint(low), FieldValue::Varint(high))) => key
                            .cluster_ids
                            .push(u128::from(high) << 64 | u128::from(low)),
                        _ => initialized = false,
                    }
                }
                (9, FieldValue::Varint(value)) => key.nonce_group = value,
                (10, FieldValue::Varint(value)) => key.nonce = value,
                (11, FieldValue::Varint(value)) => key.orig_sequence_id = value,
                (12, FieldValue::LengthDelimited(attribute)) => {
                    match embedded_pair(attribute, (WIRE_LENGTH_DELIMITED, WIRE_LENGTH_DELIMITED))
                        .map_err(KeyError::Protobuf)?
                    {
                        Some((
                            FieldValue::LengthDelimited(name),
                            FieldValue::LengthDelimited(value),
                        )) => key
                            .extended_attributes
                            .push((name.to_vec(), value.to_vec())),
                        _ => initialized = false,
                    }
                }
                // A deprecated cluster_id (5) is read and not used; anything else, including a
                // known number with another wire type, is an unknown field.
                _ => {}
            }
        }
        if initialized {
            Ok(key)
        } else {
            Err(KeyError::MissingRequired)
        }
    }
}

/// A cell's value as a writer gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue<'a> {
    /// `length_bytes` bytes generated from `seed` (`hdfs::content::value_byte`).
    Generated {
        length_bytes: u32,
        seed: u64,
    },
    Bytes(&'a [u8]),
}

impl CellValue<'_> {
    pub fn len(&self) -> u64 {
        match self {
            CellValue::Generated { length_bytes, .. } => u64::from(*length_bytes),
            CellValue::Bytes(bytes) => bytes.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One cell of an entry as a writer gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalCell<'a> {
    pub row: &'a [u8],
    pub family: &'a [u8],
    pub qualifier: &'a [u8],
    pub timestamp_ms: u64,
    /// KeyValue.Type's code (Put 4, Delete 8, DeleteFamilyVersion 10, DeleteColumn 12,
    /// DeleteFamily 14).
    pub type_code: u8,
    pub value: CellValue<'a>,
}

impl WalCell<'_> {
    /// The KeyValue's key length: row length (2), row, family length (1), family, qualifier,
    /// timestamp (8), type (1).
    pub fn key_len(&self) -> u64 {
        2 + self.row.len() as u64 + 1 + self.family.len() as u64 + self.qualifier.len() as u64 + 9
    }

    /// What `EnsureKvEncoder` writes for this cell: the int32 length and the KeyValue.
    pub fn encoded_len(&self) -> u64 {
        CELL_LENGTH_PREFIX_BYTES + 8 + self.key_len() + self.value.len()
    }
}

/// A cell as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedCell {
    pub row: Vec<u8>,
    pub family: Vec<u8>,
    pub qualifier: Vec<u8>,
    /// The timestamp as written: a Java long's bits.
    pub timestamp_ms: u64,
    pub type_code: u8,
    pub value: ValueBytes,
    /// Tag bytes after the value (a tags length was present), as read.
    pub tags: Option<Vec<u8>>,
}

impl DecodedCell {
    /// The cell as a writer gives it (for writing it again).
    pub fn as_cell(&self) -> WalCell<'_> {
        WalCell {
            row: &self.row,
            family: &self.family,
            qualifier: &self.qualifier,
            timestamp_ms: self.timestamp_ms,
            type_code: self.type_code,
            value: match &self.value {
                ValueBytes::Generated { length_bytes, seed } => CellValue::Generated {
                    length_bytes: *length_bytes,
                    seed: *seed,
                },
                ValueBytes::Literal(bytes) => CellValue::Bytes(bytes),
            },
        }
    }
}

/// An entry as read: where it starts, its key and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalEntry {
    pub offset: u64,
    pub key: DecodedKey,
    pub cells: Vec<DecodedCell>,
    /// KeyValues 1.4's reader accepted without looking whose lengths do not fit their bytes.
    pub unparseable_cells: u32,
}

/// The sizes of one appended entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendedEntry {
    pub offset: u64,
    pub length_bytes: u64,
}

/// Appends entries to one WAL file (or recovered-edits file) in a `SimFs`.
#[derive(Debug, Clone)]
pub struct WalWriter {
    file: FileId,
    entries: u64,
    closed: bool,
    /// A scratch buffer the literal bytes of an entry are built in, kept across entries.
    scratch: Vec<u8>,
}

/// Hands cells to an entry being appended, encoding each straight into the file.
#[derive(Debug)]
pub struct CellEncoder<'f> {
    content: &'f mut crate::model::hdfs::content::Content,
    scratch: &'f mut Vec<u8>,
    cells: u32,
}

impl CellEncoder<'_> {
    pub fn cell(&mut self, cell: WalCell<'_>) {
        let out = &mut *self.scratch;
        out.clear();
        let key_len = cell.key_len();
        let total = 8 + key_len + cell.value.len();
        out.extend_from_slice(&(total as u32).to_be_bytes());
        out.extend_from_slice(&(key_len as u32).to_be_bytes());
        out.extend_from_slice(&(cell.value.len() as u32).to_be_bytes());
        out.extend_from_slice(&(cell.row.len() as u16).to_be_bytes());
        out.extend_from_slice(cell.row);
        out.push(cell.family.len() as u8);
        out.extend_from_slice(cell.family);
        out.extend_from_slice(cell.qualifier);
        out.extend_from_slice(&cell.timestamp_ms.to_be_bytes());
        out.push(cell.type_code);
        match cell.value {
            CellValue::Generated { length_bytes, seed } => {
                self.content.push_literal(out);
                self.content.push_generated(length_bytes, seed);
            }
            CellValue::Bytes(bytes) => {
                out.extend_from_slice(bytes);
                self.content.push_literal(out);
            }
        }
        self.cells += 1;
    }
}

impl WalWriter {
    /// Creates the file and writes the magic and the delimited header.
    pub fn create(fs: &mut SimFs, path: &str, header: &WalHeader) -> Result<WalWriter, FsError> {
        let file = fs.create(path)?;
        let mut out = WAL_MAGIC.to_vec();
        let message = header.encode();
        put_varint(&mut out, message.len() as u64);
        out.extend_from_slice(&message);
        fs.append(file, &out);
        Ok(WalWriter {
            file,
            entries: 0,
            closed: false,
            scratch: Vec::new(),
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
    /// (so a caller can build each cell's row in a buffer of its own and reuse it). Handing
    /// over another number of cells is a programmer error.
    pub fn append_with(
        &mut self,
        fs: &mut SimFs,
        key: &WalKey<'_>,
        cell_count: u32,
        fill: impl FnOnce(&mut CellEncoder<'_>),
    ) -> AppendedEntry {
        assert!(!self.closed, "append to a closed WAL");
        let content = fs.content_mut(self.file);
        let offset = content.len();
        self.scratch.clear();
        key.write_delimited(cell_count, &mut self.scratch);
        content.push_literal(&self.scratch);
        let mut encoder = CellEncoder {
            content,
            scratch: &mut self.scratch,
            cells: 0,
        };
        fill(&mut encoder);
        assert_eq!(
            encoder.cells, cell_count,
            "cells handed over vs the entry's count"
        );
        let length_bytes = encoder.content.len() - offset;
        assert!(
            length_bytes <= ENTRY_BYTES_MAX,
            "an entry larger than an RPC"
        );
        self.entries += 1;
        AppendedEntry {
            offset,
            length_bytes,
        }
    }

    /// Counts `entries` that the caller copied into the file as they were (AsyncFSWAL writing
    /// unacknowledged entries again after a roll).
    pub fn adopt_entries(&mut self, entries: u64) {
        assert!(!self.closed, "entries copied into a closed WAL");
        self.entries += entries;
    }

    /// Writes the trailer (`AbstractProtobufLogWriter.writeWALTrailer`); closing twice writes
    /// it once.
    pub fn close(&mut self, fs: &mut SimFs) {
        if self.closed {
            return;
        }
        fs.append(self.file, &TRAILER);
        self.closed = true;
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// The file's length (`ProtobufLogWriter.getLength`).
    pub fn length_bytes(&self, fs: &SimFs) -> u64 {
        fs.content(self.file).len()
    }
}

/// The bytes of a delimited message of `length` bytes.
pub fn delimited_len(length: u64) -> u64 {
    varint_len(length) + length
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGION: &[u8] = b"1588230740abcdef1588230740abcdef";

    fn key(sequence_id: u64) -> WalKey<'static> {
        WalKey {
            encoded_region_name: REGION,
            table_name: b"usertable",
            sequence_id,
            write_time_ms: 1_700_000_000_000,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: &[],
            orig_sequence_id: 0,
        }
    }

    // The header's bytes, worked out by hand from WAL.proto: has_compression = false (08 00),
    // has_tag_compression = false (18 00), writer_cls_name (22, length 17, "ProtobufLogWriter"),
    // cell_codec_cls_name (2A, length 53, the codec), and in 2.5 has_value_compression = false
    // (30 00): 78 bytes in 1.4 (delimited by 4E), 80 in 2.5 (by 50).
    #[test]
    fn headers_are_hbase_s() {
        let mut expected = vec![0x08, 0x00, 0x18, 0x00, 0x22, 17];
        expected.extend_from_slice(b"ProtobufLogWriter");
        expected.extend_from_slice(&[0x2A, 53]);
        expected.extend_from_slice(WAL_CELL_CODEC.as_bytes());
        assert_eq!(WalHeader::written_by(ProfileId::Hbase14).encode(), expected);
        assert_eq!(expected.len(), 78);
        expected.extend_from_slice(&[0x30, 0x00]);
        assert_eq!(WalHeader::written_by(ProfileId::Hbase25).encode(), expected);
        let mut fs = SimFs::new();
        WalWriter::create(&mut fs, "w", &WalHeader::written_by(ProfileId::Hbase25)).unwrap();
        let bytes = fs.read("w").unwrap().content.to_bytes();
        assert_eq!(&bytes[..5], b"PWAL\x50");
        assert_eq!(bytes.len(), 4 + 1 + 80);
        assert_eq!(
            WalHeader::decode(&bytes[5..], Limit::Exact).unwrap(),
            WalHeader::written_by(ProfileId::Hbase25)
        );
    }

    // A cell's bytes are KeyValue's: the example worked out by hand (row r1, family f,
    // qualifier q, timestamp 1700000000000, Put, value v1): total 26, key 16, value 2.
    #[test]
    fn cells_are_key_values() {
        let mut fs = SimFs::new();
        let file = fs.create("c").unwrap();
        let mut scratch = Vec::new();
        let mut encoder = CellEncoder {
            content: fs.content_mut(file),
            scratch: &mut scratch,
            cells: 0,
        };
        encoder.cell(WalCell {
            row: b"r1",
            family: b"f",
            qualifier: b"q",
            timestamp_ms: 1_700_000_000_000,
            type_code: 4,
            value: CellValue::Bytes(b"v1"),
        });
        assert_eq!(
            fs.content(file).to_bytes(),
            [
                0x00, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02,
                0x72, 0x31, 0x01, 0x66, 0x71, 0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, 0x04,
                0x76, 0x31
            ]
        );
    }

    // The key's bytes: region (0A 20 + 32), table (12 09 + 9), sequence id 7 (18 07), write
    // time 1700000000000 (20 80 D0 95 FF BC 31), following_kv_count 2 (38 02) = 56 bytes,
    // delimited by 38; nonces and cluster ids appear only when set.
    #[test]
    fn keys_are_hbase_s() {
        let mut out = Vec::new();
        key(7).write_delimited(2, &mut out);
        let mut expected = vec![56, 0x0A, 32];
        expected.extend_from_slice(REGION);
        expected.extend_from_slice(&[0x12, 9]);
        expected.extend_from_slice(b"usertable");
        expected.extend_from_slice(&[0x18, 7, 0x20, 0x80, 0xD0, 0x95, 0xFF, 0xBC, 0x31, 0x38, 2]);
        assert_eq!(out, expected);
        let decoded = DecodedKey::decode(&out[1..], Limit::Exact).unwrap();
        assert_eq!(decoded.as_key(), key(7));
        assert_eq!(decoded.following_kv_count, Some(2));
        let ids = [u128::MAX, 5];
        let with = WalKey {
            nonce_group: 3,
            nonce: 4,
            cluster_ids: &ids,
            orig_sequence_id: 6,
            ..key(7)
        };
        let mut out = Vec::new();
        with.write_delimited(1, &mut out);
        assert_eq!(out.len() as u64, delimited_len(with.message_len(1)));
        let decoded = DecodedKey::decode(&out[1..], Limit::Exact).unwrap();
        assert_eq!(decoded.as_key(), with);
        // Field 3 written with the wrong wire type is an unknown field, so a required field
        // is missing.
        let mut odd = Vec::new();
        put_bytes_field(&mut odd, 1, REGION);
        put_bytes_field(&mut odd, 2, b"t");
        put_bytes_field(&mut odd, 3, b"x");
        put_varint_field(&mut odd, 4, 1);
        assert_eq!(
            DecodedKey::decode(&odd, Limit::Exact),
            Err(KeyError::MissingRequired)
        );
    }
}
