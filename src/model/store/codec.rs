//! What a family's data block encoding and compression do to its HFiles' data blocks: their
//! bytes on disk, and the CPU a writer and a reader spend on them.
//!
//! HFileWriterImpl.checkBlockBoundary ends a data block once its unencoded bytes reach the
//! BLOCKSIZE, or its encoded bytes reach BLOCKSIZE × `hbase.writer.unified.encoded.blocksize.ratio`
//! (1, so the unencoded bytes decide; the same rule in 1.4's HFileWriterV2), so the number of
//! blocks does not depend on the codec. HFileBlock.Writer then encodes the block
//! (HFileDataBlockEncoderImpl: the encoding's id, 2 bytes, and the encoded cells), compresses
//! it (Compression.Algorithm's compressor over the encoded bytes) and writes the header and
//! the checksums of what it wrote. Here the encoded bytes are the cells' bytes less the
//! encoding's share of their key bytes (plus ROW_INDEX_V1's row index), and the stored bytes
//! the encoded bytes ÷ the codec's ratio, over the whole file rather than block by block.
//!
//! The CPU: a writer encodes each cell and compresses the encoded bytes; a reader decompresses
//! them (the speeds are per byte of uncompressed data) and decodes each cell. The index, bloom
//! and meta blocks are not compressed here (HBase compresses them too; they are well under 1%
//! of a file of ≥ 1 KB cells).

use crate::scenario::codec::{CodecCosts, Compression, DataBlockEncoding, FamilyCodec};
use crate::sim::SimDuration;

/// DataBlockEncoding.ID_SIZE: the encoding's id before each encoded block's cells.
const ENCODING_ID_BYTES: u64 = 2;

/// A file's data block bytes before and after compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockBytes {
    /// Encoded (uncompressed) bytes: what the compressor takes and the decompressor gives back.
    pub encoded: u64,
    /// Bytes written to the file.
    pub stored: u64,
}

/// The data blocks of a file whose cells take `payload` bytes unencoded in `blocks` blocks,
/// `key_bytes` of them keys, in about `rows` rows.
pub fn block_bytes(
    codec: &FamilyCodec,
    payload: u64,
    key_bytes: u64,
    rows: u64,
    blocks: u64,
) -> BlockBytes {
    let encoded = if codec.encoding == DataBlockEncoding::None {
        payload
    } else {
        let removed = (key_bytes as f64 * codec.encoding.key_share_removed()).round() as u64;
        payload - removed.min(payload)
            + rows * codec.encoding.bytes_per_row_added()
            + blocks * ENCODING_ID_BYTES
    };
    let stored = if codec.compression == Compression::None {
        encoded
    } else {
        (encoded as f64 / codec.ratio).ceil() as u64
    };
    BlockBytes { encoded, stored }
}

/// CPU a writer spends on `cells` cells whose blocks are `encoded` bytes: encoding and
/// compression.
pub fn write_work(
    codec: &FamilyCodec,
    costs: &CodecCosts,
    cells: u64,
    encoded: u64,
) -> SimDuration {
    work(
        cells,
        costs.encode_per_cell[codec.encoding as usize],
        encoded,
        costs.compress_bytes_per_sec[codec.compression as usize],
    )
}

/// CPU a reader spends on them: decompression and decoding.
pub fn read_work(codec: &FamilyCodec, costs: &CodecCosts, cells: u64, encoded: u64) -> SimDuration {
    work(
        cells,
        costs.decode_per_cell[codec.encoding as usize],
        encoded,
        costs.decompress_bytes_per_sec[codec.compression as usize],
    )
}

/// `cells` at `per_cell`, and `bytes` at `bytes_per_sec` (none when 0: no codec).
fn work(cells: u64, per_cell: SimDuration, bytes: u64, bytes_per_sec: u64) -> SimDuration {
    let byte_nanos = if bytes_per_sec == 0 {
        0
    } else {
        let nanos = (u128::from(bytes) * 1_000_000_000).div_ceil(u128::from(bytes_per_sec));
        u64::try_from(nanos).unwrap_or(u64::MAX)
    };
    (per_cell.saturating_mul(cells)).saturating_add(SimDuration::from_nanos(byte_nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    // NONE and NONE leave the blocks as they are, and cost nothing.
    #[test]
    fn none_changes_nothing() {
        let bytes = block_bytes(&FamilyCodec::NONE, 1_000_000, 50_000, 900, 16);
        assert_eq!(
            bytes,
            BlockBytes {
                encoded: 1_000_000,
                stored: 1_000_000
            }
        );
        let costs = CodecCosts::default();
        assert!(write_work(&FamilyCodec::NONE, &costs, 900, 1_000_000).is_zero());
        assert!(read_work(&FamilyCodec::NONE, &costs, 900, 1_000_000).is_zero());
    }

    // FAST_DIFF removes 60% of 100 000 key bytes and adds an id per block; LZ4 at 2 stores half;
    // 1 MiB at 700 MiB/s is 1/700 s, and 1000 cells at 80 ns 80 µs.
    #[test]
    fn encoding_then_compression() {
        let codec = FamilyCodec {
            compression: Compression::Lz4,
            encoding: DataBlockEncoding::FastDiff,
            ratio: 2.0,
        };
        let bytes = block_bytes(&codec, 1_000_000, 100_000, 1000, 16);
        assert_eq!(bytes.encoded, 1_000_000 - 60_000 + 32);
        assert_eq!(bytes.stored, bytes.encoded / 2);
        let costs = CodecCosts::default();
        let work = write_work(&codec, &costs, 1000, 1 << 20);
        assert_eq!(work.as_nanos(), 80_000 + 1_000_000_000u64.div_ceil(700));
    }
}
