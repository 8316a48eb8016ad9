//! Reading a WAL file as HBase reads it: `WALFactory.createReader`, `ProtobufLogReader` and
//! `ReaderBase.next`, per version, over `DfsInputStream` — so that a damaged file ends, or
//! fails, exactly where and how HBase's would.
//!
//! HBase's reader keeps no checksum of its own and turns most damage into an early, silent end
//! of the file. What happens depends on the version and on *where* the reader is when
//! something is wrong (shared/reference/compaction-and-wal-split.md §5; HBase's
//! `ProtobufLogReader.readNext` in branch-1.4 and branch-2.5):
//!
//! | where | 1.4 and 2.5.0–2.5.3 | 2.5.4 and later (HBASE-27644, HBASE-27668) |
//! | --- | --- | --- |
//! | opening: fewer than 4 bytes | end of file ("nothing to split") | the same |
//! | opening: not `PWAL` | 1.4 tries the pre-0.96 SequenceFile reader: an `IOException` | no magic check (2.5 all) |
//! | opening: no header after the magic | `EOFException` | the same |
//! | opening: a header protobuf cannot parse, an unknown writer class or codec | `IOException` | the same |
//! | a key's first byte or length varint cannot be read (a failed HDFS read) | the `IOException` escapes | the same |
//! | a key's length runs past the file (`available < size`) | end of file | the same |
//! | a negative key length | `IllegalArgumentException` escapes | the same, or `NegativeArraySizeException` at the file's end |
//! | a key protobuf cannot parse | end of file, whatever the reason | end of file if truncated or a partial trailer; any other protobuf error escapes as an `IOException` |
//! | a key missing a required field | end of file ("Partial PB") | the protobuf `IOException` escapes |
//! | a failed HDFS read inside a key | end of file (protobuf 2.5 swallows the cause) | the raw `IOException` escapes |
//! | a key with no cells | end of file | the entry is returned, empty |
//! | an invalid table name | `IllegalArgumentException` escapes | the same |
//! | anything wrong in the cells (short, garbled, a failed HDFS read) | end of file | the same; 2.5 also validates each KeyValue |
//! | an entry running into the trailer | end of file | the same |
//!
//! "End of file" means `next()` returns null: the entries after that point are never read, and
//! nothing tells the splitter the file was damaged. What the splitter does with an escaping
//! exception — an `IOException` goes through `hbase.hlog.split.skip.errors`, a runtime
//! exception fails the split whatever it says — is `wal::split`'s.
//!
//! 1.4 accepts a KeyValue whose lengths are garbage without looking (`new KeyValue(bytes)`
//! validates nothing); such a cell is kept here as unparseable, and the splitter fails on it
//! as HBase's `filterCellByStore` would, reading its family out of bounds.
//!
//! Left out: the pre-0.96 SequenceFile format itself (a file that is one is reported as not
//! supported), WAL compression, encryption, and the lease-recovery retries on "Cannot obtain
//! block length" (a file here is always recovered before it is read).

use std::fmt;

use crate::model::hdfs::content::ValueBytes;
use crate::model::hdfs::dfs_input::{DfsError, DfsInputStream};
use crate::model::hdfs::sim_fs::HdfsFile;
use crate::model::wal::format::{
    DecodedCell, DecodedKey, KeyError, TRAILER, WAL_CELL_CODEC, WAL_COMPLETE_MAGIC, WAL_MAGIC,
    WalEntry, WalHeader,
};
use crate::model::wal::protobuf::{self, Limit, PbError};
use crate::scenario::profile::{ProfileId, Release};

/// Whose reading rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReaderRules {
    Hbase14,
    /// 2.5.0 to 2.5.3: keys read as 1.4 reads them.
    Hbase25Before254,
    /// 2.5.4 and later.
    Hbase25,
}

/// The 2.5 release whose reader stops reading a key's protobuf errors as ends of file
/// (HBASE-27644 and HBASE-27668, in 2.5.4).
const KEY_ERRORS_RAISED_SINCE_2_5: u32 = 4;

impl ReaderRules {
    /// The rules of a release.
    pub fn for_release(release: Release) -> ReaderRules {
        match release.profile {
            ProfileId::Hbase14 => ReaderRules::Hbase14,
            ProfileId::Hbase25 if release.has(KEY_ERRORS_RAISED_SINCE_2_5) => ReaderRules::Hbase25,
            ProfileId::Hbase25 => ReaderRules::Hbase25Before254,
        }
    }

    fn is_2x(self) -> bool {
        self != ReaderRules::Hbase14
    }

    /// Whether any protobuf error in a key is an end of file (`mergeFrom` and "Invalid PB,
    /// EOF?"), rather than only a truncation.
    fn key_errors_are_eof(self) -> bool {
        self != ReaderRules::Hbase25
    }

    /// The writer class names `ProtobufLogReader.getWriterClsNames` accepts.
    fn accepts_writer(self, name: &str) -> bool {
        match self {
            ReaderRules::Hbase14 => name == "ProtobufLogWriter",
            _ => name == "ProtobufLogWriter" || name == "AsyncProtobufLogWriter",
        }
    }
}

/// Why a file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFailure {
    /// An `EOFException`: an empty or header-less file (`WALSplitter` splits nothing).
    EndOfFile { reason: &'static str },
    /// 1.4: the file does not start with `PWAL`, so `WALFactory` opened it as a pre-0.96
    /// SequenceFile HLog, which it is not ("not a SequenceFile").
    NotAWal { magic: Vec<u8> },
    /// 1.4: a real pre-0.96 SequenceFile HLog, which regionsim does not read.
    SequenceFile,
    /// A failed HDFS read.
    Io(DfsError),
    /// The header is not a protobuf message (`InvalidProtocolBufferException`).
    Header(PbError),
    /// "Got unknown writer class".
    UnknownWriter(String),
    /// The codec cannot be instantiated (`UnsupportedOperationException`, wrapped by
    /// `WALFactory` in "Cannot get log reader").
    UnknownCodec(String),
    /// A compressed or encrypted WAL, which regionsim does not read (HBase would).
    Unsupported(&'static str),
}

impl OpenFailure {
    /// What HBase throws, as the splitter sorts it.
    pub fn thrown(&self) -> Thrown {
        match self {
            OpenFailure::EndOfFile { .. } => Thrown::EndOfFile,
            OpenFailure::Unsupported(_) | OpenFailure::SequenceFile => Thrown::NotModelled,
            _ => Thrown::IoException,
        }
    }
}

impl fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenFailure::EndOfFile { reason } => write!(f, "EOFException: {reason}"),
            OpenFailure::NotAWal { magic } => {
                write!(f, "not a WAL: the file starts with ")?;
                for byte in magic {
                    write!(f, "{byte:02x}")?;
                }
                write!(
                    f,
                    " where \"PWAL\" (5057414c) was expected (1.4 then reads it as a SequenceFile HLog, which it is not)"
                )
            }
            OpenFailure::SequenceFile => {
                f.write_str("a pre-0.96 SequenceFile HLog, which regionsim does not read")
            }
            OpenFailure::Io(error) => write!(f, "{error} (while opening)"),
            OpenFailure::Header(error) => {
                write!(f, "InvalidProtocolBufferException in the header: {error}")
            }
            OpenFailure::UnknownWriter(name) => write!(f, "Got unknown writer class: {name}"),
            OpenFailure::UnknownCodec(name) => {
                write!(f, "Cannot get log reader: unknown cell codec {name}")
            }
            OpenFailure::Unsupported(what) => write!(f, "{what}, which regionsim does not read"),
        }
    }
}

/// How an exception out of the reader counts to the splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thrown {
    /// An `EOFException`.
    EndOfFile,
    /// Another `IOException`: `hbase.hlog.split.skip.errors` decides.
    IoException,
    /// A runtime exception: the split task fails whatever skip.errors says.
    RuntimeException,
    /// Something HBase reads and regionsim does not.
    NotModelled,
}

/// Why `next()` returned null: the file ends here, for the splitter as for a clean end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndCause {
    /// The entries end where the trailer begins: a clean close.
    Trailer,
    /// The file ends between entries.
    EndOfFile,
    /// A key's declared length runs past the file ("Available stream not enough").
    KeyPastEnd { size: i64, available: u64 },
    /// The key's bytes are not a complete WALKey ("Invalid PB, EOF?"): truncated, or (1.4 and
    /// 2.5.0–2.5.3) malformed in any way.
    BadKey(PbError),
    /// The key lacks a required field ("Partial PB"; 1.4 and 2.5.0–2.5.3).
    PartialKey,
    /// A failed HDFS read inside a key, which 1.4's protobuf turns into a parse error.
    KeyReadFailed(DfsError),
    /// The last bytes are part of a trailer (`isWALTrailer`, 2.5).
    PartialTrailer,
    /// A key announcing no cells (1.4 and 2.5.0–2.5.3 stop there).
    NoCells,
    /// Fewer cells than the key announced could be read ("EOF while reading N WAL KVs").
    Cells {
        expected: u32,
        read: u32,
        problem: CellProblem,
    },
    /// An entry runs into the trailer ("Read WALTrailer while reading WALEdits").
    IntoTrailer,
}

/// What stopped the cells of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    /// The file ended.
    EndOfFile,
    /// A failed HDFS read.
    Io(DfsError),
    /// A negative length (`NegativeArraySizeException`).
    NegativeLength(i32),
    /// 2.5's `checkKeyValueBytes` refused the KeyValue.
    Invalid(&'static str),
}

/// An exception out of `next()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    /// A failed HDFS read, raw.
    Io(DfsError),
    /// A protobuf error in a key (2.5.4 and later): an `IOException`.
    BadKey(PbError),
    /// A key missing a required field (2.5.4 and later): an `IOException`.
    MissingRequired,
    /// A negative key length (`IllegalArgumentException` or `NegativeArraySizeException`).
    NegativeKeyLength(i32),
    /// `TableName.valueOf` refused the table name (`IllegalArgumentException`).
    BadTableName { name: Vec<u8>, reason: &'static str },
    /// Not the reader's own: 1.4's splitter reading the family of a KeyValue its reader
    /// accepted without looking, out of its bytes (`filterCellByStore`,
    /// `ArrayIndexOutOfBoundsException`).
    UnparseableKeyValue,
}

impl ReadFailure {
    pub fn thrown(&self) -> Thrown {
        match self {
            ReadFailure::Io(_) | ReadFailure::BadKey(_) | ReadFailure::MissingRequired => {
                Thrown::IoException
            }
            ReadFailure::NegativeKeyLength(_)
            | ReadFailure::BadTableName { .. }
            | ReadFailure::UnparseableKeyValue => Thrown::RuntimeException,
        }
    }
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadFailure::Io(error) => write!(f, "{error}"),
            ReadFailure::BadKey(error) => {
                write!(f, "InvalidProtocolBufferException in a WALKey: {error}")
            }
            ReadFailure::MissingRequired => {
                f.write_str("InvalidProtocolBufferException: WALKey missing required fields")
            }
            ReadFailure::NegativeKeyLength(size) => {
                write!(
                    f,
                    "IllegalArgumentException: a WALKey of negative length {size}"
                )
            }
            ReadFailure::BadTableName { name, reason } => write!(
                f,
                "IllegalArgumentException: illegal table name {:?}: {reason}",
                String::from_utf8_lossy(name)
            ),
            ReadFailure::UnparseableKeyValue => f.write_str(
                "ArrayIndexOutOfBoundsException: a KeyValue whose lengths do not fit its bytes",
            ),
        }
    }
}

impl fmt::Display for EndCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndCause::Trailer => f.write_str("the trailer: a clean close"),
            EndCause::EndOfFile => f.write_str("the end of the file, between entries"),
            EndCause::KeyPastEnd { size, available } => write!(
                f,
                "a WALKey of {size} bytes where {available} are left (EOF: available stream not enough)"
            ),
            EndCause::BadKey(error) => write!(f, "a WALKey that does not parse ({error}; EOF)"),
            EndCause::PartialKey => {
                f.write_str("a WALKey missing required fields (EOF: partial PB)")
            }
            EndCause::KeyReadFailed(error) => write!(f, "{error} inside a WALKey (EOF)"),
            EndCause::PartialTrailer => f.write_str("part of a trailer (EOF)"),
            EndCause::NoCells => f.write_str("a WALKey announcing no cells"),
            EndCause::Cells {
                expected,
                read,
                problem,
            } => write!(
                f,
                "{read} of {expected} cells read, then {} (EOF)",
                match problem {
                    CellProblem::EndOfFile => "the file ended".to_string(),
                    CellProblem::Io(error) => error.to_string(),
                    CellProblem::NegativeLength(length) =>
                        format!("a cell of negative length {length}"),
                    CellProblem::Invalid(reason) => format!("an invalid KeyValue: {reason}"),
                }
            ),
            EndCause::IntoTrailer => f.write_str("an entry running into the trailer (EOF)"),
        }
    }
}

/// Where and why the entries of a file end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    /// Where the entry that could not be read starts (or the trailer, or the file's end).
    pub offset: u64,
    pub cause: EndCause,
}

impl End {
    /// Whether the file ended cleanly: at its trailer or between entries.
    pub fn is_clean(&self) -> bool {
        matches!(self.cause, EndCause::Trailer | EndCause::EndOfFile)
    }
}

/// One call of `next()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Entry(WalEntry),
    /// `next()` returned null.
    End(End),
    /// `next()` threw, reading the entry at `offset`.
    Failed {
        offset: u64,
        failure: ReadFailure,
    },
}

/// A WAL file open for reading.
#[derive(Debug)]
pub struct WalReader<'a> {
    stream: DfsInputStream<'a>,
    rules: ReaderRules,
    header: WalHeader,
    /// `walEditsStopOffset` when a trailer is present.
    trailer_at: Option<u64>,
    /// Whether reading ended (every later `next()` repeats the end).
    done: bool,
}

/// A cell as read, or 1.4's acceptance of garbage.
enum CellRead {
    Cell(DecodedCell),
    /// A KeyValue whose lengths do not fit its bytes (1.4 keeps it).
    Unparseable,
}

impl<'a> WalReader<'a> {
    /// Opens a file (`WALFactory.createReader` → `ProtobufLogReader.init`).
    pub fn open(file: &'a HdfsFile, rules: ReaderRules) -> Result<WalReader<'a>, OpenFailure> {
        let mut stream = DfsInputStream::open(file);
        if rules == ReaderRules::Hbase14 {
            let mut magic = [0u8; 4];
            let (read, failure) = stream.read(&mut magic);
            match failure {
                Some(error) if error.is_io_error() => return Err(OpenFailure::Io(error)),
                _ => {}
            }
            if read < 4 {
                // SequenceFile.Reader reads its 4-byte version block and hits the end.
                return Err(OpenFailure::EndOfFile {
                    reason: "a file of fewer than 4 bytes",
                });
            }
            if magic != WAL_MAGIC {
                if magic.starts_with(b"SEQ") {
                    return Err(OpenFailure::SequenceFile);
                }
                return Err(OpenFailure::NotAWal {
                    magic: magic.to_vec(),
                });
            }
        } else if stream.seek(WAL_MAGIC.len() as u64).is_err() {
            return Err(OpenFailure::EndOfFile {
                reason: "Cannot seek after EOF",
            });
        }
        let header = read_header(&mut stream)?;
        if let Some(name) = &header.writer_class_name
            && !rules.accepts_writer(name)
        {
            return Err(OpenFailure::UnknownWriter(name.clone()));
        }
        if header.is_compressed() {
            return Err(OpenFailure::Unsupported("a compressed WAL"));
        }
        if header.encryption_key.is_some() {
            return Err(OpenFailure::Unsupported("an encrypted WAL"));
        }
        let after_header = stream.position();
        let trailer_at = trailer_offset(&mut stream);
        stream
            .seek(after_header)
            .expect("back to a position read before");
        if let Some(codec) = &header.cell_codec_class_name
            && codec != WAL_CELL_CODEC
        {
            return Err(OpenFailure::UnknownCodec(codec.clone()));
        }
        Ok(WalReader {
            stream,
            rules,
            header,
            trailer_at,
            done: false,
        })
    }

    pub fn header(&self) -> &WalHeader {
        &self.header
    }

    /// Where the trailer begins, if the file has one.
    pub fn trailer_offset(&self) -> Option<u64> {
        self.trailer_at
    }

    /// Chunks read around a bad replica, and time spent refetching blocks, so far.
    pub fn hdfs_effort(&self) -> (u64, u64) {
        (self.stream.read_around(), self.stream.stalled_ms())
    }

    /// `ReaderBase.next`. After an end or a failure, every later call gives the same end.
    pub fn next_entry(&mut self) -> Next {
        let start = self.stream.position();
        if self.done {
            return Next::End(End {
                offset: start,
                cause: EndCause::EndOfFile,
            });
        }
        let next = self.read_next(start);
        if !matches!(next, Next::Entry(_)) {
            self.done = true;
        }
        next
    }

    fn end(&self, offset: u64, cause: EndCause) -> Next {
        Next::End(End { offset, cause })
    }

    /// `ProtobufLogReader.readNext`.
    fn read_next(&mut self, start: u64) -> Next {
        if self.trailer_at.is_some_and(|at| start > 0 && start == at) {
            return self.end(start, EndCause::Trailer);
        }
        let key = match self.read_key(start) {
            Ok(key) => key,
            Err(Stop::End(end)) => return Next::End(end),
            Err(Stop::Failed { offset, failure }) => return Next::Failed { offset, failure },
            Err(Stop::Open(_)) => unreachable!("a key is read once the file is open"),
        };
        if let Err(reason) = check_table_name(&key.table_name) {
            return Next::Failed {
                offset: start,
                failure: ReadFailure::BadTableName {
                    name: key.table_name,
                    reason,
                },
            };
        }
        let expected = key.following_kv_count.unwrap_or(0);
        if expected == 0 && self.rules.key_errors_are_eof() {
            return self.end(start, EndCause::NoCells);
        }
        let mut cells = Vec::with_capacity(expected.min(1024) as usize);
        let mut unparseable = 0;
        for read in 0..expected {
            match self.read_cell() {
                Ok(CellRead::Cell(cell)) => cells.push(cell),
                Ok(CellRead::Unparseable) => unparseable += 1,
                Err(problem) => {
                    return self.end(
                        start,
                        EndCause::Cells {
                            expected,
                            read,
                            problem,
                        },
                    );
                }
            }
        }
        if self
            .trailer_at
            .is_some_and(|at| self.stream.position() > at)
        {
            return self.end(start, EndCause::IntoTrailer);
        }
        Next::Entry(WalEntry {
            offset: start,
            key,
            cells,
            unparseable_cells: unparseable,
        })
    }

    /// Reads the delimited WALKey at `start`, or what `readNext` makes of it failing.
    fn read_key(&mut self, start: u64) -> Result<DecodedKey, Stop> {
        let first = match self.stream.read_byte() {
            Ok(Some(byte)) => byte,
            Ok(None) => return Err(stop_end(start, EndCause::EndOfFile)),
            Err(error) => {
                return Err(Stop::Failed {
                    offset: start,
                    failure: ReadFailure::Io(error),
                });
            }
        };
        let size = match self.read_size(first) {
            Ok(size) => size,
            Err(SizeError::Io(error)) => {
                return Err(Stop::Failed {
                    offset: start,
                    failure: ReadFailure::Io(error),
                });
            }
            Err(SizeError::Protobuf(error)) => return Err(self.key_protobuf_error(start, error)),
        };
        let available = self.stream.available();
        if available > 0 && (available as i64) < i64::from(size) {
            return Err(stop_end(
                start,
                EndCause::KeyPastEnd {
                    size: i64::from(size),
                    available,
                },
            ));
        }
        if size < 0 {
            return Err(Stop::Failed {
                offset: start,
                failure: ReadFailure::NegativeKeyLength(size),
            });
        }
        // The message's bytes: all `size`, or what a failing read or the file's end left (no
        // more than the file holds, however large the declared size).
        let mut bytes = vec![0u8; (size as u64).min(available) as usize];
        let (read, failure) = self.stream.read(&mut bytes);
        bytes.truncate(read);
        let (limit, read_error) = match failure {
            Some(error) if error.is_io_error() => (Limit::Unknown, Some(error)),
            _ => (Limit::Exact, None),
        };
        if self.rules == ReaderRules::Hbase25 && available == 0 && read < size as usize {
            // At the NameNode's end, 2.5.4+ reads the bytes fully first: a short read is EOF.
            return Err(stop_end(
                start,
                EndCause::KeyPastEnd {
                    size: i64::from(size),
                    available,
                },
            ));
        }
        match DecodedKey::decode(&bytes, limit) {
            Ok(key) => Ok(key),
            Err(KeyError::Protobuf(PbError::NeedMore)) => {
                let error = read_error.expect("bytes cut short by a failed read");
                if self.rules == ReaderRules::Hbase25 {
                    Err(Stop::Failed {
                        offset: start,
                        failure: ReadFailure::Io(error),
                    })
                } else {
                    Err(stop_end(start, EndCause::KeyReadFailed(error)))
                }
            }
            Err(KeyError::Protobuf(error)) => Err(self.key_protobuf_error(start, error)),
            Err(KeyError::MissingRequired) => {
                if self.rules == ReaderRules::Hbase25 {
                    if self.is_wal_trailer(start) {
                        return Err(stop_end(start, EndCause::PartialTrailer));
                    }
                    Err(Stop::Failed {
                        offset: start,
                        failure: ReadFailure::MissingRequired,
                    })
                } else {
                    Err(stop_end(start, EndCause::PartialKey))
                }
            }
        }
    }

    /// `readRawVarint32(firstByte, in)`: the key's length.
    fn read_size(&mut self, first: u8) -> Result<i32, SizeError> {
        let mut bytes = vec![first];
        while bytes.last().is_some_and(|byte| byte & 0x80 != 0) && bytes.len() < 10 {
            match self.stream.read_byte() {
                Ok(Some(byte)) => bytes.push(byte),
                Ok(None) => break,
                Err(error) => return Err(SizeError::Io(error)),
            }
        }
        protobuf::read_varint32(&bytes, Limit::Exact)
            .map(|(size, _)| size)
            .map_err(SizeError::Protobuf)
    }

    /// What a protobuf error while reading a key makes of `next()`.
    fn key_protobuf_error(&mut self, start: u64, error: PbError) -> Stop {
        if self.rules.key_errors_are_eof() || error.is_truncation() {
            return stop_end(start, EndCause::BadKey(error));
        }
        if self.is_wal_trailer(start) {
            return stop_end(start, EndCause::PartialTrailer);
        }
        Stop::Failed {
            offset: start,
            failure: ReadFailure::BadKey(error),
        }
    }

    /// `isWALTrailer`: whether the bytes from `start` to the file's end (fewer than 8) are the
    /// beginning of a trailer.
    fn is_wal_trailer(&mut self, start: u64) -> bool {
        let length = self.stream.length();
        if length - start >= TRAILER.len() as u64 {
            return false;
        }
        let resume = self.stream.position();
        let mut rest = vec![0u8; (length - start) as usize];
        let matched = self.stream.seek(start).is_ok()
            && self.stream.read_fully(&mut rest).is_ok()
            && TRAILER.starts_with(&rest);
        let _ = self.stream.seek(resume);
        matched
    }

    /// One cell: `BaseDecoder.advance` and `KeyValueUtil.createKeyValueFromInputStream` (2.5)
    /// or `iscreate` (1.4).
    fn read_cell(&mut self) -> Result<CellRead, CellProblem> {
        let to_problem = |error: DfsError| match error {
            DfsError::EndOfFile { .. } => CellProblem::EndOfFile,
            other => CellProblem::Io(other),
        };
        let mut length = [0u8; 4];
        self.stream.read_fully(&mut length).map_err(to_problem)?;
        let length = i32::from_be_bytes(length);
        if length < 0 {
            return Err(CellProblem::NegativeLength(length));
        }
        let length = length as u64;
        if length > self.stream.available() {
            // readFully of the KeyValue's bytes ends early ("Premature EOF").
            self.stream.skip_to_end();
            return Err(CellProblem::EndOfFile);
        }
        let mut head = vec![0u8; length.min(8) as usize];
        self.stream.read_fully(&mut head).map_err(to_problem)?;
        let lengths = (head.len() == 8).then(|| {
            (
                i32::from_be_bytes(head[..4].try_into().expect("4 bytes")),
                i32::from_be_bytes(head[4..].try_into().expect("4 bytes")),
            )
        });
        let (key, value, rest) = match lengths {
            Some((key_length, value_length))
                if key_length > 0
                    && value_length >= 0
                    && 8 + key_length as u64 + value_length as u64 <= length =>
            {
                let mut key = vec![0u8; key_length as usize];
                self.stream.read_fully(&mut key).map_err(to_problem)?;
                let value = self
                    .stream
                    .read_value(value_length as u64)
                    .map_err(to_problem)?;
                let mut rest =
                    vec![0u8; (length - 8 - key_length as u64 - value_length as u64) as usize];
                self.stream.read_fully(&mut rest).map_err(to_problem)?;
                (key, value, rest)
            }
            _ => {
                let mut rest = vec![0u8; (length - head.len() as u64) as usize];
                self.stream.read_fully(&mut rest).map_err(to_problem)?;
                if self.rules.is_2x() {
                    return Err(CellProblem::Invalid(match lengths {
                        None => "overflow when reading the key or value length",
                        Some((key_length, _)) if key_length <= 0 => "invalid key length",
                        _ => "invalid value length",
                    }));
                }
                return Ok(CellRead::Unparseable);
            }
        };
        match parse_key_value(&key, value, &rest, self.rules.is_2x()) {
            Ok(cell) => Ok(CellRead::Cell(cell)),
            Err(reason) if self.rules.is_2x() => Err(CellProblem::Invalid(reason)),
            Err(_) => Ok(CellRead::Unparseable),
        }
    }
}

fn stop_end(offset: u64, cause: EndCause) -> Stop {
    Stop::End(End { offset, cause })
}

enum SizeError {
    Io(DfsError),
    Protobuf(PbError),
}

/// Reads the delimited header after the magic (`mergeDelimitedFrom`): nothing there is an
/// `EOFException`; a message the file cuts short ends where the file ends, as protobuf's
/// limited stream does.
fn read_header(stream: &mut DfsInputStream<'_>) -> Result<WalHeader, OpenFailure> {
    let first = match stream.read_byte() {
        Ok(Some(byte)) => byte,
        Ok(None) => {
            return Err(OpenFailure::EndOfFile {
                reason: "Couldn't read WAL PB header",
            });
        }
        Err(error) => return Err(OpenFailure::Io(error)),
    };
    let mut size_bytes = vec![first];
    while size_bytes.last().is_some_and(|byte| byte & 0x80 != 0) && size_bytes.len() < 10 {
        match stream.read_byte() {
            Ok(Some(byte)) => size_bytes.push(byte),
            Ok(None) => break,
            Err(error) => return Err(OpenFailure::Io(error)),
        }
    }
    let (size, _) =
        protobuf::read_varint32(&size_bytes, Limit::Exact).map_err(OpenFailure::Header)?;
    // A negative size makes protobuf's limited stream empty; the read stops at the file's end,
    // so no more than the file holds is asked for.
    let mut bytes = vec![0u8; (size.max(0) as u64).min(stream.available()) as usize];
    let (read, failure) = stream.read(&mut bytes);
    bytes.truncate(read);
    let limit = match failure {
        Some(error) if error.is_io_error() => Limit::Unknown,
        _ => Limit::Exact,
    };
    WalHeader::decode(&bytes, limit).map_err(|error| match (error, failure) {
        (PbError::NeedMore, Some(io)) => OpenFailure::Io(io),
        (error, _) => OpenFailure::Header(error),
    })
}

/// `setTrailerIfPresent`: where the entries end if the file ends with a trailer. Any failure
/// reading it means no trailer.
fn trailer_offset(stream: &mut DfsInputStream<'_>) -> Option<u64> {
    let length = stream.length();
    let size_offset = length.checked_sub(8).filter(|&offset| offset > 0)?;
    stream.seek(size_offset).ok()?;
    let mut last = [0u8; 8];
    stream.read_fully(&mut last).ok()?;
    if last[4..] != WAL_COMPLETE_MAGIC {
        return None;
    }
    let size = i32::from_be_bytes(last[..4].try_into().expect("4 bytes"));
    if size < 0 {
        return None;
    }
    let trailer_start = size_offset.checked_sub(size as u64)?;
    stream.seek(trailer_start).ok()?;
    let mut trailer = vec![0u8; size as usize];
    stream.read_fully(&mut trailer).ok()?;
    // WALTrailer has no fields: any well-formed message is one.
    protobuf::parse_message(&trailer, Limit::Exact).ok()?;
    Some(trailer_start)
}

/// `TableName.valueOf`'s checks (`isLegalNamespaceName`, `isLegalTableQualifierName`): a
/// namespace before the last ':' of letters, digits and '_'; a qualifier of letters, digits,
/// '_', '-' and '.' not starting with '.' or '-'; neither empty nor "zookeeper". Letters and
/// digits are Unicode's, the bytes read as UTF-8 with malformed sequences replaced.
pub fn check_table_name(name: &[u8]) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    let (namespace, qualifier) = match name.iter().rposition(|&byte| byte == b':') {
        Some(colon) => (Some(&name[..colon]), &name[colon + 1..]),
        None => (None, name),
    };
    let qualifier = String::from_utf8_lossy(qualifier);
    if qualifier.is_empty() {
        return Err("the qualifier is empty");
    }
    if qualifier.starts_with('.') || qualifier.starts_with('-') {
        return Err("a qualifier cannot start with '.' or '-'");
    }
    if qualifier == "zookeeper" {
        return Err("tables may not be named 'zookeeper'");
    }
    if !qualifier
        .chars()
        .all(|c| c.is_alphabetic() || c.is_numeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err("an illegal character in the qualifier");
    }
    if let Some(namespace) = namespace {
        let namespace = String::from_utf8_lossy(namespace);
        if namespace.is_empty() {
            return Err("the namespace is empty");
        }
        if namespace == "zookeeper" {
            return Err("tables may not be named 'zookeeper'");
        }
        if !namespace
            .chars()
            .all(|c| c.is_alphabetic() || c.is_numeric() || c == '_')
        {
            return Err("an illegal character in the namespace");
        }
    }
    Ok(())
}

/// The key's fields and the tags after the value; with `validate` (2.5's `checkKeyValueBytes`)
/// a negative timestamp, an unknown type or malformed tags refuse the cell too.
fn parse_key_value(
    key: &[u8],
    value: ValueBytes,
    rest: &[u8],
    validate: bool,
) -> Result<DecodedCell, &'static str> {
    if key.len() < 2 {
        return Err("overflow when reading the row length");
    }
    let row_length = i16::from_be_bytes([key[0], key[1]]);
    if row_length < 0 || 2 + row_length as usize >= key.len() {
        return Err("invalid row length");
    }
    let mut position = 2 + row_length as usize;
    let row = key[2..position].to_vec();
    let family_length = key[position] as i8;
    position += 1;
    if family_length < 0 || position + family_length as usize > key.len() {
        return Err("invalid family length");
    }
    let family = key[position..position + family_length as usize].to_vec();
    position += family_length as usize;
    let Some(qualifier_length) = key.len().checked_sub(position + 9) else {
        return Err("invalid qualifier length");
    };
    let qualifier = key[position..position + qualifier_length].to_vec();
    position += qualifier_length;
    let timestamp = u64::from_be_bytes(key[position..position + 8].try_into().expect("8 bytes"));
    let type_code = key[position + 8];
    if validate {
        if (timestamp as i64) < 0 {
            return Err("a negative timestamp");
        }
        if ![0, 4, 8, 10, 12, 14, 255].contains(&type_code) {
            return Err("an invalid type");
        }
        check_tags(rest)?;
    }
    Ok(DecodedCell {
        row,
        family,
        qualifier,
        timestamp_ms: timestamp,
        type_code,
        value,
        tags: (!rest.is_empty()).then(|| rest.to_vec()),
    })
}

/// `checkKeyValueTagBytes`: a tags length, then tags of a length of at least 1 each, filling
/// it exactly.
fn check_tags(rest: &[u8]) -> Result<(), &'static str> {
    if rest.is_empty() {
        return Ok(());
    }
    if rest.len() < 2 {
        return Err("overflow when reading the tags length");
    }
    let tags_length = i16::from_be_bytes([rest[0], rest[1]]);
    if tags_length < 0 || 2 + tags_length as usize > rest.len() {
        return Err("invalid tags length");
    }
    let end = 2 + tags_length as usize;
    let mut position = 2;
    while position < end {
        if position + 2 > rest.len() {
            return Err("overflow when reading a tag length");
        }
        let tag_length = i16::from_be_bytes([rest[position], rest[position + 1]]);
        position += 2;
        if tag_length < 1 || position + tag_length as usize > rest.len() {
            return Err("invalid tag length");
        }
        position += tag_length as usize;
    }
    if position != rest.len() {
        return Err("redundant bytes after the tags");
    }
    Ok(())
}

/// Everything readable in a file, and where reading stopped.
#[derive(Debug, Clone)]
pub struct WalContents {
    /// `None` if the file could not be opened.
    pub header: Option<WalHeader>,
    pub entries: Vec<WalEntry>,
    pub stop: Stop,
}

/// How reading a whole file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Open(OpenFailure),
    End(End),
    Failed { offset: u64, failure: ReadFailure },
}

impl Stop {
    /// Where reading stopped.
    pub fn offset(&self) -> u64 {
        match self {
            Stop::Open(_) => 0,
            Stop::End(end) => end.offset,
            Stop::Failed { offset, .. } => *offset,
        }
    }

    /// Whether the file was read to a clean end.
    pub fn is_clean(&self) -> bool {
        matches!(self, Stop::End(end) if end.is_clean())
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Open(failure) => write!(f, "cannot open: {failure}"),
            Stop::End(end) => write!(f, "entries end at offset {}: {}", end.offset, end.cause),
            Stop::Failed { offset, failure } => {
                write!(f, "reading the entry at offset {offset} failed: {failure}")
            }
        }
    }
}

/// Reads a whole file.
pub fn read_wal(file: &HdfsFile, rules: ReaderRules) -> WalContents {
    let mut reader = match WalReader::open(file, rules) {
        Ok(reader) => reader,
        Err(failure) => {
            return WalContents {
                header: None,
                entries: Vec::new(),
                stop: Stop::Open(failure),
            };
        }
    };
    let mut entries = Vec::new();
    loop {
        match reader.next_entry() {
            Next::Entry(entry) => entries.push(entry),
            Next::End(end) => {
                return WalContents {
                    header: Some(reader.header),
                    entries,
                    stop: Stop::End(end),
                };
            }
            Next::Failed { offset, failure } => {
                return WalContents {
                    header: Some(reader.header),
                    entries,
                    stop: Stop::Failed { offset, failure },
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::hdfs::sim_fs::SimFs;
    use crate::model::wal::format::{CellValue, WalCell, WalKey, WalWriter};

    const RULES: [ReaderRules; 3] = [
        ReaderRules::Hbase14,
        ReaderRules::Hbase25Before254,
        ReaderRules::Hbase25,
    ];

    /// A closed WAL of three entries of two cells.
    fn wal_bytes() -> Vec<u8> {
        let mut fs = SimFs::new();
        let mut writer =
            WalWriter::create(&mut fs, "w", &WalHeader::written_by(ProfileId::Hbase25)).unwrap();
        for sequence_id in 1..=3u64 {
            let key = WalKey {
                encoded_region_name: b"0123456789abcdef0123456789abcdef",
                table_name: b"usertable",
                sequence_id,
                write_time_ms: 1_700_000_000_000,
                nonce_group: 0,
                nonce: 0,
                cluster_ids: &[],
                orig_sequence_id: 0,
            };
            let cell = |row: &'static [u8]| WalCell {
                row,
                family: b"cf",
                qualifier: b"q",
                timestamp_ms: 1_700_000_000_000,
                type_code: 4,
                value: CellValue::Generated {
                    length_bytes: 30,
                    seed: sequence_id,
                },
            };
            writer.append(&mut fs, &key, &[cell(b"row1"), cell(b"row2")]);
        }
        writer.close(&mut fs);
        fs.read("w").unwrap().content.to_bytes()
    }

    fn read_all(bytes: &[u8], rules: ReaderRules) -> WalContents {
        let mut fs = SimFs::new();
        fs.write_file("w", bytes).unwrap();
        read_wal(fs.read("w").unwrap(), rules)
    }

    // A file written whole reads back whole, to its trailer, under every version's rules.
    #[test]
    fn round_trip() {
        let bytes = wal_bytes();
        for rules in RULES {
            let contents = read_all(&bytes, rules);
            assert_eq!(contents.entries.len(), 3, "{rules:?}");
            assert_eq!(contents.entries[2].key.sequence_id, 3);
            assert!(contents.entries[1].cells[1].value.is_generated_from(2, 30));
            assert_eq!(
                contents.stop,
                Stop::End(End {
                    offset: bytes.len() as u64 - 8,
                    cause: EndCause::Trailer
                })
            );
        }
    }

    // Every prefix of a file ends quietly (an EOF of some kind) with the entries wholly inside
    // it, or cannot be opened: a crash's cut never makes the reader throw.
    #[test]
    fn every_truncation_is_an_end_of_file() {
        let bytes = wal_bytes();
        let whole = read_all(&bytes, ReaderRules::Hbase25);
        for length in 0..bytes.len() {
            for rules in RULES {
                let contents = read_all(&bytes[..length], rules);
                let fits = whole
                    .entries
                    .iter()
                    .zip(
                        whole
                            .entries
                            .iter()
                            .skip(1)
                            .map(|entry| entry.offset)
                            .chain([bytes.len() as u64 - 8]),
                    )
                    .filter(|(_, end)| *end <= length as u64)
                    .count();
                match &contents.stop {
                    Stop::End(_) => assert_eq!(contents.entries.len(), fits, "{length} {rules:?}"),
                    Stop::Open(failure) => {
                        assert!(length < 90, "{length}: {failure}");
                    }
                    Stop::Failed { failure, .. } => panic!("{length} {rules:?}: {failure}"),
                }
            }
        }
    }

    proptest! {
        // Whatever follows the magic, every version's reader ends without panicking.
        #[test]
        fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = b"PWAL".to_vec();
            bytes.extend_from_slice(&tail);
            for rules in RULES {
                let _ = read_all(&bytes, rules);
            }
        }

        // Files with bytes changed, inserted or cut anywhere read without panicking.
        #[test]
        fn mutated_files_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        ) {
            let mut bytes = wal_bytes();
            for (index, byte, how) in edits {
                let at = index.index(bytes.len().max(1));
                match how {
                    0 if !bytes.is_empty() => bytes[at] = byte,
                    1 => bytes.insert(at.min(bytes.len()), byte),
                    _ => bytes.truncate(at),
                }
            }
            for rules in RULES {
                let _ = read_all(&bytes, rules);
            }
        }
    }
}
