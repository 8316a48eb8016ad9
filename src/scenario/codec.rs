//! A column family's COMPRESSION and DATA_BLOCK_ENCODING (`[[tables]] compression`,
//! `data_block_encoding`, `compression_ratio`) and what each costs (`[cpu] compress`,
//! `decompress`, `encode`, `decode`), with the published figures the defaults come from.
//!
//! The codecs are Compression.Algorithm's NONE, SNAPPY, LZ4, GZ and ZSTD (both lines have all
//! five; LZO, BZIP2 and 2.5's LZMA and BROTLI are left out). The encodings are
//! DataBlockEncoding's: NONE, PREFIX, DIFF, FAST_DIFF and ROW_INDEX_V1 in both lines, and
//! PREFIX_TREE in 1.4 only (HBase 2.0 removed it, HBASE-19179). Both default to NONE, as
//! HColumnDescriptor and ColumnFamilyDescriptorBuilder do.
//!
//! A codec's default ratio and speeds are those of the zstd README's benchmark table (zstd
//! 1.5.6, lzbench on the Silesia corpus, one core of an i7-9700K at 4.9 GHz): ratio and
//! compression and decompression MB/s of uncompressed data, taken as written in regionsim's
//! units. They are the table's fastest levels (zlib -1, zstd -1); HBase runs zstd at level 3
//! (Hadoop's `io.compression.codec.zstd.level`) and gzip at zlib's default level 6, which
//! compress more slowly and somewhat better — the HBase book's codec microbenchmark (256 MB of
//! HFile blocks) times zstd-jni level 3 at 1.28× level 1. Real ratios depend on the data: set
//! `compression_ratio` from a table's `StoreFileSize` against its cells' size.
//!
//! An encoding's effect is a share of the key bytes it removes and a CPU cost per cell, both
//! chosen, not published: PREFIX stores each key's difference from the previous one (rows
//! with the same leading bytes, and every cell of one row, share most of the key); DIFF also
//! stores the timestamp as a difference and drops repeated lengths and types; FAST_DIFF the
//! same with a cheaper encoder; PREFIX_TREE a trie of the block's keys, "similar memory
//! savings … at a cost of slower encoding" (the book); ROW_INDEX_V1 keeps keys whole and adds
//! a row index (4 bytes a row) for faster seeks.

use super::document::{Node, Table};
use super::error::{ErrorKind, ScenarioError};
use super::profile::ProfileId;
use super::units::format_bandwidth;
use super::writer::quote;
use crate::sim::SimDuration;

/// A family's COMPRESSION (Compression.Algorithm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compression {
    None,
    Snappy,
    Lz4,
    Gz,
    Zstd,
}

impl Compression {
    pub const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Gz,
        Compression::Zstd,
    ];
    pub const NAMES: [&'static str; 5] = ["none", "snappy", "lz4", "gz", "zstd"];

    /// Its name as HBase's shell and scenario files write it (Compression.Algorithm.getName).
    pub fn name(self) -> &'static str {
        Compression::NAMES[self as usize]
    }

    /// The compression ratio unless the table says otherwise: the zstd README's Silesia figure
    /// (1 for NONE).
    pub fn ratio_default(self) -> f64 {
        match self {
            Compression::None => 1.0,
            Compression::Snappy => 2.073,
            Compression::Lz4 => 2.101,
            Compression::Gz => 2.743,
            Compression::Zstd => 2.887,
        }
    }

    /// Compression and decompression speeds (bytes of uncompressed data a second on one core)
    /// unless `[cpu]` says otherwise: the zstd README's table (snappy 1.1.9, lz4 1.9.4,
    /// zlib 1.2.11 -1, zstd 1.5.6 -1).
    fn speeds_default(self) -> Option<(u64, u64)> {
        const MB: u64 = 1 << 20;
        match self {
            Compression::None => None,
            Compression::Snappy => Some((530 * MB, 1660 * MB)),
            Compression::Lz4 => Some((700 * MB, 4000 * MB)),
            Compression::Gz => Some((95 * MB, 400 * MB)),
            Compression::Zstd => Some((510 * MB, 1580 * MB)),
        }
    }
}

/// A family's DATA_BLOCK_ENCODING (DataBlockEncoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataBlockEncoding {
    None,
    Prefix,
    Diff,
    FastDiff,
    PrefixTree,
    RowIndexV1,
}

impl DataBlockEncoding {
    pub const ALL: [DataBlockEncoding; 6] = [
        DataBlockEncoding::None,
        DataBlockEncoding::Prefix,
        DataBlockEncoding::Diff,
        DataBlockEncoding::FastDiff,
        DataBlockEncoding::PrefixTree,
        DataBlockEncoding::RowIndexV1,
    ];
    pub const NAMES: [&'static str; 6] = [
        "none",
        "prefix",
        "diff",
        "fast_diff",
        "prefix_tree",
        "row_index_v1",
    ];

    pub fn name(self) -> &'static str {
        DataBlockEncoding::NAMES[self as usize]
    }

    /// Whether the line has it: PREFIX_TREE left with HBase 2.0 (HBASE-19179).
    pub fn exists_in(self, profile: ProfileId) -> bool {
        self != DataBlockEncoding::PrefixTree || profile == ProfileId::Hbase14
    }

    /// The share of its cells' key bytes (the key with its two length fields) the encoding
    /// removes. Chosen from what each format drops (see the module's note).
    pub fn key_share_removed(self) -> f64 {
        match self {
            DataBlockEncoding::None | DataBlockEncoding::RowIndexV1 => 0.0,
            DataBlockEncoding::Prefix => 0.4,
            DataBlockEncoding::Diff | DataBlockEncoding::FastDiff => 0.6,
            DataBlockEncoding::PrefixTree => 0.55,
        }
    }

    /// Bytes the encoding adds per row: ROW_INDEX_V1's offset of each row (an int).
    pub fn bytes_per_row_added(self) -> u64 {
        match self {
            DataBlockEncoding::RowIndexV1 => 4,
            _ => 0,
        }
    }

    /// Encoding and decoding CPU per cell unless `[cpu]` says otherwise, in nanoseconds:
    /// chosen, small beside a flush's 1 µs a cell (PREFIX_TREE's encoding the slowest, as the
    /// book says).
    fn costs_default_nanos(self) -> Option<(u64, u64)> {
        match self {
            DataBlockEncoding::None => None,
            DataBlockEncoding::Prefix => Some((50, 30)),
            DataBlockEncoding::Diff => Some((100, 60)),
            DataBlockEncoding::FastDiff => Some((80, 50)),
            DataBlockEncoding::PrefixTree => Some((300, 40)),
            DataBlockEncoding::RowIndexV1 => Some((30, 10)),
        }
    }
}

/// The largest `compression_ratio`: published ratios on HBase tables reach about 13 (Alibaba
/// Cloud's monitoring tables with ZSTD); 20 leaves room without admitting typos.
pub const RATIO_MAX: f64 = 20.0;
/// The slowest codec speed `[cpu]` takes: slower is a typo rather than a codec.
const SPEED_MIN: u64 = 1 << 20;
/// A per-cell encoding cost over a millisecond is a typo rather than a machine.
const PER_CELL_MAX: SimDuration = SimDuration::from_nanos(1_000_000);

/// A family's codec settings as a table gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FamilyCodec {
    pub compression: Compression,
    pub encoding: DataBlockEncoding,
    /// The ratio of uncompressed (encoded) to compressed data bytes: 1 with NONE.
    pub ratio: f64,
}

impl FamilyCodec {
    pub const NONE: FamilyCodec = FamilyCodec {
        compression: Compression::None,
        encoding: DataBlockEncoding::None,
        ratio: 1.0,
    };

    /// Reads `compression`, `data_block_encoding` and `compression_ratio` of a `[[tables]]`
    /// entry.
    pub fn read(table: &Table<'_, '_>, profile: ProfileId) -> Result<FamilyCodec, ScenarioError> {
        let compression = match table.get("compression") {
            Some(node) => {
                let name = node.choice(&Compression::NAMES)?;
                Compression::ALL[index_of(&Compression::NAMES, name)]
            }
            None => Compression::None,
        };
        let encoding = match table.get("data_block_encoding") {
            Some(node) => read_encoding(&node, profile)?,
            None => DataBlockEncoding::None,
        };
        let ratio = match table.get("compression_ratio") {
            Some(node) if compression == Compression::None => {
                return Err(node.error(
                    ErrorKind::Impossible,
                    "compression_ratio applies only with a compression codec: set compression (\"snappy\", \"lz4\", \"gz\" or \"zstd\") or remove it",
                ));
            }
            Some(node) => {
                let ratio = node.f64()?;
                if !(1.0..=RATIO_MAX).contains(&ratio) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("compression_ratio is 1 to {RATIO_MAX} (uncompressed ÷ compressed bytes), found {ratio}"),
                    ));
                }
                ratio
            }
            None => compression.ratio_default(),
        };
        Ok(FamilyCodec {
            compression,
            encoding,
            ratio,
        })
    }

    /// Writes the settings back, leaving out what is at HBase's default (NONE).
    pub fn write(&self, out: &mut String) {
        if self.compression != Compression::None {
            out.push_str(&format!(
                "compression = {}\ncompression_ratio = {:?}\n",
                quote(self.compression.name()),
                self.ratio
            ));
        }
        if self.encoding != DataBlockEncoding::None {
            out.push_str(&format!(
                "data_block_encoding = {}\n",
                quote(self.encoding.name())
            ));
        }
    }
}

fn read_encoding(
    node: &Node<'_, '_>,
    profile: ProfileId,
) -> Result<DataBlockEncoding, ScenarioError> {
    let name = node.choice(&DataBlockEncoding::NAMES)?;
    let encoding = DataBlockEncoding::ALL[index_of(&DataBlockEncoding::NAMES, name)];
    if !encoding.exists_in(profile) {
        let names: Vec<&str> = DataBlockEncoding::ALL
            .into_iter()
            .filter(|encoding| encoding.exists_in(profile))
            .map(DataBlockEncoding::name)
            .collect();
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "{} has no {} data block encoding (HBase 2.0 removed it, HBASE-19179): use one of {}",
                profile,
                name.to_uppercase(),
                names.join(", ")
            ),
        ));
    }
    Ok(encoding)
}

/// Where `name`, one of `names` (as `choice` returned it), stands among them.
fn index_of(names: &[&str], name: &str) -> usize {
    names
        .iter()
        .position(|&candidate| candidate == name)
        .expect("a name choice accepted")
}

/// What the codecs cost: compression and decompression speeds per codec, encoding and decoding
/// CPU per cell per encoding (`[cpu] compress`, `decompress`, `encode`, `decode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecCosts {
    /// Bytes of uncompressed data a second one core compresses, by `Compression` (0 for NONE).
    pub compress_bytes_per_sec: [u64; 5],
    pub decompress_bytes_per_sec: [u64; 5],
    /// CPU per cell, by `DataBlockEncoding` (zero for NONE).
    pub encode_per_cell: [SimDuration; 6],
    pub decode_per_cell: [SimDuration; 6],
}

impl Default for CodecCosts {
    fn default() -> CodecCosts {
        let speed = |pick: fn((u64, u64)) -> u64| {
            Compression::ALL.map(|codec| codec.speeds_default().map_or(0, pick))
        };
        let cost = |pick: fn((u64, u64)) -> u64| {
            DataBlockEncoding::ALL.map(|encoding| {
                SimDuration::from_nanos(encoding.costs_default_nanos().map_or(0, pick))
            })
        };
        CodecCosts {
            compress_bytes_per_sec: speed(|(compress, _)| compress),
            decompress_bytes_per_sec: speed(|(_, decompress)| decompress),
            encode_per_cell: cost(|(encode, _)| encode),
            decode_per_cell: cost(|(_, decode)| decode),
        }
    }
}

impl CodecCosts {
    /// Reads `[cpu] compress = { lz4 = "700MB/s", … }` and the like. Only the codecs and
    /// encodings some family uses may be given: any other would change nothing.
    pub fn read(table: &Table<'_, '_>, used: &[FamilyCodec]) -> Result<CodecCosts, ScenarioError> {
        let mut costs = CodecCosts::default();
        let codec_used = |index: usize| {
            used.iter()
                .any(|family| family.compression == Compression::ALL[index])
        };
        let encoding_used = |index: usize| {
            used.iter()
                .any(|family| family.encoding == DataBlockEncoding::ALL[index])
        };
        let speeds = PerName {
            names: &Compression::NAMES,
            setting: "compression",
            used: &codec_used,
        };
        let per_cell = PerName {
            names: &DataBlockEncoding::NAMES,
            setting: "data_block_encoding",
            used: &encoding_used,
        };
        speeds.read(
            table,
            "compress",
            &mut costs.compress_bytes_per_sec,
            read_speed,
        )?;
        speeds.read(
            table,
            "decompress",
            &mut costs.decompress_bytes_per_sec,
            read_speed,
        )?;
        let read_cost = |node: &Node<'_, '_>| node.duration_at_most(PER_CELL_MAX);
        per_cell.read(table, "encode", &mut costs.encode_per_cell, read_cost)?;
        per_cell.read(table, "decode", &mut costs.decode_per_cell, read_cost)?;
        Ok(costs)
    }

    /// Writes the costs of the codecs and encodings the families use.
    pub fn write(&self, used: &[FamilyCodec], out: &mut String) {
        let codecs = kinds_used(used, |family| family.compression as usize);
        let encodings = kinds_used(used, |family| family.encoding as usize);
        let speeds = |speeds: &[u64; 5]| -> Vec<(&str, String)> {
            codecs
                .iter()
                .map(|&index| (Compression::NAMES[index], format_bandwidth(speeds[index])))
                .collect()
        };
        let per_cell = |costs: &[SimDuration; 6]| -> Vec<(&str, String)> {
            encodings
                .iter()
                .map(|&index| (DataBlockEncoding::NAMES[index], costs[index].to_string()))
                .collect()
        };
        for (key, entries) in [
            ("compress", speeds(&self.compress_bytes_per_sec)),
            ("decompress", speeds(&self.decompress_bytes_per_sec)),
            ("encode", per_cell(&self.encode_per_cell)),
            ("decode", per_cell(&self.decode_per_cell)),
        ] {
            if entries.is_empty() {
                continue;
            }
            let list: Vec<String> = entries
                .iter()
                .map(|(name, value)| format!("{name} = {}", quote(value)))
                .collect();
            out.push_str(&format!("{key} = {{ {} }}\n", list.join(", ")));
        }
    }
}

/// The indexes of the codecs (or encodings) the families use, NONE (index 0) left out.
fn kinds_used(used: &[FamilyCodec], index: impl Fn(&FamilyCodec) -> usize) -> Vec<usize> {
    let mut kinds: Vec<usize> = used.iter().map(index).filter(|&kind| kind != 0).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// A codec speed: a bandwidth of at least `SPEED_MIN`.
fn read_speed(node: &Node<'_, '_>) -> Result<u64, ScenarioError> {
    let speed = node.bandwidth()?;
    if speed < SPEED_MIN {
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "a codec speed is at least {}, found {}",
                format_bandwidth(SPEED_MIN),
                format_bandwidth(speed)
            ),
        ));
    }
    Ok(speed)
}

/// A `[cpu]` table of values by codec or encoding name (NONE, index 0, has none).
struct PerName<'u> {
    names: &'u [&'static str],
    setting: &'static str,
    used: &'u dyn Fn(usize) -> bool,
}

impl PerName<'_> {
    /// Reads `key = { name = value, … }` into `values` by index.
    fn read<T>(
        &self,
        table: &Table<'_, '_>,
        key: &str,
        values: &mut [T],
        read_value: impl Fn(&Node<'_, '_>) -> Result<T, ScenarioError>,
    ) -> Result<(), ScenarioError> {
        let Some(node) = table.get(key) else {
            return Ok(());
        };
        let entries = node.table()?;
        for (index, name) in self.names.iter().enumerate().skip(1) {
            let Some(value) = entries.get(name) else {
                continue;
            };
            if !(self.used)(index) {
                return Err(unused(&value, self.setting, name));
            }
            values[index] = read_value(&value)?;
        }
        entries.finish(&format!("[cpu] {key} (by {} name)", self.setting))
    }
}

/// A cost given for a codec or encoding no family uses changes nothing: refused, saying so.
fn unused(node: &Node<'_, '_>, setting: &str, name: &str) -> ScenarioError {
    node.error(
        ErrorKind::Impossible,
        format!("no table has {setting} = \"{name}\", so its cost changes nothing: set it on a table or remove this"),
    )
}
