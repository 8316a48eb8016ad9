//! Reading a file as HBase's readers read it: through HDFS's `DFSInputStream`, which checks
//! checksums as it goes, reads around bad replicas, and fails the way HDFS fails.
//!
//! What a read meets (Hadoop's `DFSInputStream.readBuffer`, `BlockReaderRemote.readNextPacket`,
//! `DFSInputStream.chooseDataNode`/`refetchLocations`, the same in the Hadoop 2.7 that HBase 1.4
//! builds against and the 2.10/3.x of HBase 2.5):
//!
//! - Data comes from the datanode in **packets** of 128 checksum chunks (64 KiB: the datanode's
//!   `BlockSender` sizes packets by `TRANSFERTO_BUFFER_SIZE` = max(io.file.buffer.size, 64 KiB)
//!   when it sends with transferTo, the default), and the client verifies each packet's
//!   checksums when it arrives. So damage in a chunk fails the read that first touches its
//!   *packet*, which may be bytes before the damaged chunk; the bytes before that packet were
//!   delivered.
//! - A replica whose chunk fails its checksum is reported and the read goes on from another
//!   replica (`seekToNewSource`): while one replica of every chunk is good, the reader gets
//!   the file's bytes whole. Each such read-around is counted.
//! - When every replica of a chunk is bad, a file with **one replica** fails the read with
//!   `ChecksumException`; with more, the client marks each node dead in turn, then refetches
//!   the block's locations `dfs.client.max.block.acquire.failures` (3) times with HDFS's
//!   randomised back-off, and fails with `BlockMissingException` (read from the source; HDFS's
//!   tests do not pin this case). The back-off totals 18 s on average (`waitTime` = 3 s ×
//!   failures + 3 s × (failures + 1) × U[0,1) for failures 0, 1, 2); `stalled_ms` adds it up.
//! - A block no datanode can serve fails every read with `BlockMissingException` after the same
//!   back-off.
//! - Reading past the file's end gives what is there, then an end of file, as
//!   `InputStream.read` gives -1.
//!
//! HBase's WAL reader then decides what each of these means (`wal::reader`). Left out: packet
//! boundaries restarting at a seek's chunk (the WAL reader reads from the start of the file,
//! and its one seek back after the trailer check lands in the first chunk), short-circuit local
//! reads (other buffer sizes), and block boundaries (a WAL file is within one block).

use std::fmt;

use crate::model::hdfs::content::{Cursor, ValueBytes};
use crate::model::hdfs::sim_fs::{BYTES_PER_CHECKSUM, HdfsFile};

/// Checksum chunks per packet the datanode sends.
pub const CHUNKS_PER_PACKET: u64 = 128;
/// The data bytes of one packet.
pub const PACKET_BYTES: u64 = CHUNKS_PER_PACKET * BYTES_PER_CHECKSUM;
/// The mean time a read spends refetching block locations before `BlockMissingException`:
/// `dfs.client.retry.window.base` (3 s) × (0 + 0.5 × 1) + (1 + 0.5 × 2) + (2 + 0.5 × 3).
pub const BLOCK_ACQUIRE_STALL_MS: u64 = 18_000;

/// Why a read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DfsError {
    /// The file ended at `offset`.
    EndOfFile { offset: u64 },
    /// `org.apache.hadoop.fs.ChecksumException` for the packet starting at `offset`.
    Checksum { offset: u64 },
    /// `org.apache.hadoop.hdfs.BlockMissingException`: no replica could serve the bytes at
    /// `offset`.
    BlockMissing { offset: u64 },
}

impl DfsError {
    pub fn offset(self) -> u64 {
        match self {
            DfsError::EndOfFile { offset }
            | DfsError::Checksum { offset }
            | DfsError::BlockMissing { offset } => offset,
        }
    }

    /// Whether this is an `IOException` other than an end of file.
    pub fn is_io_error(self) -> bool {
        !matches!(self, DfsError::EndOfFile { .. })
    }
}

impl fmt::Display for DfsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DfsError::EndOfFile { offset } => write!(f, "end of file at offset {offset}"),
            DfsError::Checksum { offset } => write!(
                f,
                "ChecksumException: checksum error in the packet at offset {offset} (every replica bad)"
            ),
            DfsError::BlockMissing { offset } => write!(
                f,
                "BlockMissingException: could not obtain the block holding offset {offset}"
            ),
        }
    }
}

/// A reader of one file.
#[derive(Debug)]
pub struct DfsInputStream<'a> {
    file: &'a HdfsFile,
    cursor: Cursor<'a>,
    /// The packets up to here were checked (packet index, exclusive).
    verified_packets: u64,
    /// Chunks read from another replica because one failed its checksum.
    read_around: u64,
    stalled_ms: u64,
}

impl<'a> DfsInputStream<'a> {
    /// Opens `file` at offset 0.
    pub fn open(file: &'a HdfsFile) -> DfsInputStream<'a> {
        DfsInputStream {
            file,
            cursor: file.content.cursor(0),
            verified_packets: 0,
            read_around: 0,
            stalled_ms: 0,
        }
    }

    /// The file's length as the NameNode reports it.
    pub fn length(&self) -> u64 {
        self.file.len()
    }

    pub fn position(&self) -> u64 {
        self.cursor.position()
    }

    /// `available()`: the bytes from here to the file's end.
    pub fn available(&self) -> u64 {
        self.cursor.remaining()
    }

    /// Chunks read around a bad replica so far.
    pub fn read_around(&self) -> u64 {
        self.read_around
    }

    /// Time spent refetching block locations so far.
    pub fn stalled_ms(&self) -> u64 {
        self.stalled_ms
    }

    /// `seek`: past the end is an `EOFException` ("Cannot seek after EOF").
    pub fn seek(&mut self, offset: u64) -> Result<(), DfsError> {
        if offset > self.length() {
            return Err(DfsError::EndOfFile {
                offset: self.length(),
            });
        }
        self.cursor.seek(offset);
        // A seek starts a new block reader: packets are checked again as they arrive.
        self.verified_packets = 0;
        Ok(())
    }

    /// Moves to the file's end (a read that ran out of bytes).
    pub fn skip_to_end(&mut self) {
        self.cursor.skip(self.cursor.remaining());
    }

    /// Checks the packets holding `start..end`, in order; returns how many of those bytes can
    /// be delivered, and the failure at the first packet that cannot.
    fn check(&mut self, start: u64, end: u64) -> (u64, Option<DfsError>) {
        if start >= end {
            return (0, None);
        }
        if self.file.is_unreadable() {
            self.stalled_ms += BLOCK_ACQUIRE_STALL_MS;
            return (0, Some(DfsError::BlockMissing { offset: start }));
        }
        let first = (start / PACKET_BYTES).max(self.verified_packets);
        let last = (end - 1) / PACKET_BYTES;
        for packet in first..=last {
            let chunks = packet * CHUNKS_PER_PACKET..(packet + 1) * CHUNKS_PER_PACKET;
            let replication = self.file.replication();
            let mut all_bad = false;
            for (chunk, bad) in self.file.bad_chunks_from(chunks.start) {
                if chunk >= chunks.end {
                    break;
                }
                if bad >= replication {
                    all_bad = true;
                    break;
                }
                self.read_around += 1;
            }
            if all_bad {
                let offset = (packet * PACKET_BYTES).max(start);
                let error = if replication == 1 {
                    DfsError::Checksum { offset }
                } else {
                    self.stalled_ms += BLOCK_ACQUIRE_STALL_MS;
                    DfsError::BlockMissing { offset }
                };
                return (offset - start, Some(error));
            }
            self.verified_packets = packet + 1;
        }
        (end - start, None)
    }

    /// `read()`: one byte, or `None` at the end of the file.
    pub fn read_byte(&mut self) -> Result<Option<u8>, DfsError> {
        if self.available() == 0 {
            return Ok(None);
        }
        let mut byte = [0u8];
        self.read_fully(&mut byte)?;
        Ok(Some(byte[0]))
    }

    /// Reads as much of `out` as the file has before a failure; returns how many bytes it
    /// read and the failure that stopped it, if one did (an end of file counts when `out` is
    /// not filled).
    pub fn read(&mut self, out: &mut [u8]) -> (usize, Option<DfsError>) {
        let start = self.position();
        let end = start + (out.len() as u64).min(self.available());
        let (deliverable, failure) = self.check(start, end);
        let read = self.cursor.read(&mut out[..deliverable as usize]);
        match failure {
            Some(error) => (read, Some(error)),
            None if read < out.len() => (
                read,
                Some(DfsError::EndOfFile {
                    offset: self.position(),
                }),
            ),
            None => (read, None),
        }
    }

    /// `readFully`: all of `out`, or the failure.
    pub fn read_fully(&mut self, out: &mut [u8]) -> Result<(), DfsError> {
        match self.read(out) {
            (_, Some(error)) => Err(error),
            (_, None) => Ok(()),
        }
    }

    /// Reads `length_bytes` as a value (a generated run stays a run), or the failure.
    pub fn read_value(&mut self, length_bytes: u64) -> Result<ValueBytes, DfsError> {
        let start = self.position();
        let end = start + length_bytes.min(self.available());
        let (deliverable, failure) = self.check(start, end);
        if let Some(error) = failure {
            self.cursor.skip(deliverable);
            return Err(error);
        }
        match self.cursor.value(length_bytes) {
            Some(value) => Ok(value),
            None => {
                self.cursor.skip(length_bytes);
                Err(DfsError::EndOfFile {
                    offset: self.position(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hdfs::sim_fs::SimFs;

    fn file_of(fs: &mut SimFs, length: usize) {
        let bytes: Vec<u8> = (0..length).map(|i| i as u8).collect();
        fs.write_file("f", &bytes).unwrap();
    }

    // One bad replica of three is read around; all three bad fail the read at the start of the
    // damaged chunk's packet (BlockMissingException after the back-off); with one replica the
    // failure is a ChecksumException. The bytes before the packet are delivered.
    #[test]
    fn replicas_and_packets() {
        let mut fs = SimFs::new();
        file_of(&mut fs, 3 * PACKET_BYTES as usize);
        let target = PACKET_BYTES + 1000;
        fs.rot_replicas("f", target, 1).unwrap();
        let mut whole = vec![0; 3 * PACKET_BYTES as usize];
        let mut stream = DfsInputStream::open(fs.read("f").unwrap());
        stream.read_fully(&mut whole).unwrap();
        assert_eq!(whole[target as usize], target as u8);
        assert_eq!(stream.read_around(), 1);

        fs.rot_replicas("f", target, 2).unwrap();
        let mut stream = DfsInputStream::open(fs.read("f").unwrap());
        let (read, failure) = stream.read(&mut whole);
        assert_eq!(read as u64, PACKET_BYTES);
        assert_eq!(
            failure,
            Some(DfsError::BlockMissing {
                offset: PACKET_BYTES
            })
        );
        assert_eq!(stream.stalled_ms(), BLOCK_ACQUIRE_STALL_MS);

        let mut fs = SimFs::new();
        file_of(&mut fs, 3 * PACKET_BYTES as usize);
        let id = fs.file("f").unwrap();
        fs.set_replication(id, 1);
        fs.rot_replicas("f", target, 1).unwrap();
        let mut stream = DfsInputStream::open(fs.read("f").unwrap());
        stream.seek(PACKET_BYTES - 10).unwrap();
        let mut ten = [0u8; 10];
        stream.read_fully(&mut ten).unwrap();
        assert_eq!(
            stream.read_byte(),
            Err(DfsError::Checksum {
                offset: PACKET_BYTES
            })
        );
    }

    // An unreadable file fails every read; an end of file is told apart from an I/O error.
    #[test]
    fn unreadable_and_end_of_file() {
        let mut fs = SimFs::new();
        file_of(&mut fs, 10);
        let mut stream = DfsInputStream::open(fs.read("f").unwrap());
        let mut twelve = [0u8; 12];
        assert_eq!(
            stream.read(&mut twelve),
            (10, Some(DfsError::EndOfFile { offset: 10 }))
        );
        assert_eq!(stream.read_byte(), Ok(None));
        assert_eq!(stream.seek(11), Err(DfsError::EndOfFile { offset: 10 }));
        fs.set_unreadable(fs.file("f").unwrap(), true);
        let mut stream = DfsInputStream::open(fs.read("f").unwrap());
        assert_eq!(
            stream.read_byte(),
            Err(DfsError::BlockMissing { offset: 0 })
        );
        assert!(!DfsError::EndOfFile { offset: 0 }.is_io_error());
        assert!(DfsError::Checksum { offset: 0 }.is_io_error());
    }
}
