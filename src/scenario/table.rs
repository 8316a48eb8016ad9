//! `[[tables]]`: the tables the server hosts, each pre-split into regions, with the table
//! descriptor settings the model reads (MEMSTORE_FLUSHSIZE, DURABILITY, MAX_FILESIZE,
//! COMPACTION_ENABLED, and the families' VERSIONS, COMPRESSION and DATA_BLOCK_ENCODING, which
//! every family of the table shares here).

use super::bounds::{FILE_BYTES_MAX, HEAP_MAX};
use super::codec::FamilyCodec;
use super::document::Node;
use super::error::{ErrorKind, ScenarioError};
use super::profile::ProfileId;
use super::units::format_size;
use super::workload::Durability;
use super::writer::{quote, quote_list};

/// Most regions the server hosts, all tables together (and so most in one table): a bound on
/// memory, far above what one RegionServer hosts in practice (a few hundred to a few thousand).
pub const REGIONS_MAX: u64 = 100_000;

/// Most stores (regions × column families) the server hosts, all tables together: about 400 MB
/// of the model's memory.
pub const STORES_MAX: u64 = 1_000_000;

/// The longest column family name: KeyValue stores its length in one byte, and HBase refuses
/// names longer than Byte.MAX_VALUE.
pub const FAMILY_NAME_BYTES_MAX: usize = 127;

/// One table and its regions.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub name: String,
    /// Regions, pre-split evenly over the key space.
    pub regions: u32,
    /// Column families, sorted by name as HBase orders stores.
    pub families: Vec<String>,
    /// The table descriptor's MEMSTORE_FLUSHSIZE, overriding hbase.hregion.memstore.flush.size.
    pub memstore_flushsize: Option<u64>,
    /// The table descriptor's DURABILITY (USE_DEFAULT: the server's, SYNC_WAL).
    pub durability: Durability,
    /// The families' VERSIONS: versions of a column that flushes and compactions keep (1, as
    /// ColumnFamilyDescriptorBuilder.DEFAULT_MAX_VERSIONS).
    pub versions: u32,
    /// The table descriptor's MAX_FILESIZE, overriding hbase.hregion.max.filesize for splits.
    pub max_filesize: Option<u64>,
    /// The table descriptor's COMPACTION_ENABLED (true). When false, CompactSplit ignores every
    /// compaction request for its regions, user requests included, and the MemStoreFlusher no
    /// longer puts flushes off for too many store files.
    pub compaction_enabled: bool,
    /// The families' COMPRESSION and DATA_BLOCK_ENCODING (NONE and NONE), with the ratio the
    /// codec reaches on this table's data.
    pub codec: FamilyCodec,
    /// The families' BLOOMFILTER (ROW in 1.4 and 2.5: HColumnDescriptor.DEFAULT_BLOOMFILTER,
    /// ColumnFamilyDescriptorBuilder.DEFAULT_BLOOMFILTER).
    pub bloom: BloomType,
    /// The families' IN_MEMORY: their blocks are cached at the in-memory priority.
    pub in_memory: bool,
    /// Bytes of store files the table starts with (its rows written, flushed and compacted
    /// before the clock starts), shared evenly by its stores.
    pub preload: Option<u64>,
}

/// A family's BLOOMFILTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BloomType {
    None,
    /// A bloom of each file's rows: a get skips a file that does not hold its row.
    Row,
    /// A bloom of row and column: only a get of one column can use it (a whole-row get reads
    /// every file in its key range, as with none).
    RowCol,
}

impl BloomType {
    const NAMES: [&'static str; 3] = ["NONE", "ROW", "ROWCOL"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The most a table may preload: bounded again by the rows its files summarise
/// (`warm::SKETCHED_ROWS_MAX`).
pub const PRELOAD_MAX: u64 = FILE_BYTES_MAX;

/// The tables together fit on one server: at most `REGIONS_MAX` regions and `STORES_MAX` stores.
pub fn check_server_holds(
    tables: &[TableSpec],
    nodes: &[Node<'_, '_>],
) -> Result<(), ScenarioError> {
    let mut regions = 0;
    let mut stores = 0;
    for (table, node) in tables.iter().zip(nodes) {
        regions += u64::from(table.regions);
        stores += u64::from(table.regions) * table.families.len() as u64;
        if regions > REGIONS_MAX || stores > STORES_MAX {
            return Err(node.error(
                ErrorKind::Impossible,
                format!(
                    "the tables up to \"{}\" have {regions} regions and {stores} stores (regions × families); one server holds at most {REGIONS_MAX} regions and {STORES_MAX} stores",
                    table.name
                ),
            ));
        }
    }
    Ok(())
}

impl TableSpec {
    pub fn read(node: &Node<'_, '_>, profile: ProfileId) -> Result<TableSpec, ScenarioError> {
        let table = node.table()?;
        let name_node = table.require("name", "the table's name")?;
        let name = name_node.string()?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
        {
            return Err(name_node.error(
                ErrorKind::InvalidValue,
                format!("\"{name}\" is not a table name HBase accepts (letters, digits, _ - . and a namespace:)"),
            ));
        }
        let regions = match table.get("regions") {
            Some(node) => {
                let regions = node.u64()?;
                if !(1..=REGIONS_MAX).contains(&regions) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("a table has 1 to {REGIONS_MAX} regions, found {regions}"),
                    ));
                }
                regions as u32
            }
            None => 1,
        };
        let families = match table.get("families") {
            Some(node) => {
                let mut families = Vec::new();
                for item in node.array()? {
                    let family = item.string()?;
                    if family.is_empty()
                        || family.starts_with('.')
                        || family.contains(':')
                        || family.chars().any(|c| c.is_control())
                    {
                        return Err(item.error(
                            ErrorKind::InvalidValue,
                            format!("\"{family}\" is not a column family name HBase accepts"),
                        ));
                    }
                    if family.len() > FAMILY_NAME_BYTES_MAX {
                        return Err(item.error(
                            ErrorKind::InvalidValue,
                            format!(
                                "a column family name is at most {FAMILY_NAME_BYTES_MAX} bytes (KeyValue's limit), found {}",
                                family.len()
                            ),
                        ));
                    }
                    if families.contains(&family) {
                        return Err(item.error(
                            ErrorKind::InvalidValue,
                            format!("column family \"{family}\" is listed twice"),
                        ));
                    }
                    families.push(family);
                }
                if families.is_empty() {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        "a table needs at least one column family",
                    ));
                }
                if families.len() > u8::MAX as usize {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        "a table has at most 255 column families here",
                    ));
                }
                families.sort();
                families
            }
            None => vec!["cf".to_string()],
        };
        let memstore_flushsize = match table.get("memstore_flushsize") {
            Some(node) => {
                let size = node.size_at_most(HEAP_MAX)?;
                if size == 0 {
                    return Err(
                        node.error(ErrorKind::Impossible, "memstore_flushsize must be above 0")
                    );
                }
                Some(size)
            }
            None => None,
        };
        let durability = match table.get("durability") {
            Some(node) => Durability::read(&node)?,
            None => Durability::UseDefault,
        };
        let versions = match table.get("versions") {
            Some(node) => {
                let versions = node.u64()?;
                if !(1..=u64::from(u16::MAX)).contains(&versions) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("versions is 1 to {}, found {versions}", u16::MAX),
                    ));
                }
                versions as u32
            }
            None => 1,
        };
        let max_filesize = match table.get("max_filesize") {
            Some(node) => {
                let size = node.size_at_most(FILE_BYTES_MAX)?;
                if size == 0 {
                    return Err(node.error(ErrorKind::Impossible, "max_filesize must be above 0"));
                }
                Some(size)
            }
            None => None,
        };
        let compaction_enabled = match table.get("compaction_enabled") {
            Some(node) => node.bool()?,
            None => true,
        };
        let codec = FamilyCodec::read(&table, profile)?;
        let bloom = match table.get("bloom") {
            Some(node) => match node.choice(&BloomType::NAMES)? {
                "NONE" => BloomType::None,
                "ROW" => BloomType::Row,
                _ => BloomType::RowCol,
            },
            None => BloomType::Row,
        };
        let in_memory = match table.get("in_memory") {
            Some(node) => node.bool()?,
            None => false,
        };
        let preload = match table.get("preload") {
            Some(node) => {
                let bytes = node.size_at_most(PRELOAD_MAX)?;
                if bytes == 0 {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        "preload is the bytes the table starts with, above 0 (leave it out for none)",
                    ));
                }
                Some(bytes)
            }
            None => None,
        };
        table.finish("[[tables]]")?;
        Ok(TableSpec {
            name,
            regions,
            families,
            memstore_flushsize,
            durability,
            versions,
            max_filesize,
            compaction_enabled,
            codec,
            bloom,
            in_memory,
            preload,
        })
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[[tables]]\n");
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("regions = {}\n", self.regions));
        out.push_str(&format!("families = {}\n", quote_list(&self.families)));
        if let Some(size) = self.memstore_flushsize {
            out.push_str(&format!(
                "memstore_flushsize = {}\n",
                quote(&format_size(size))
            ));
        }
        out.push_str(&format!("durability = {}\n", quote(self.durability.name())));
        out.push_str(&format!("versions = {}\n", self.versions));
        if let Some(size) = self.max_filesize {
            out.push_str(&format!("max_filesize = {}\n", quote(&format_size(size))));
        }
        self.codec.write(out);
        out.push_str(&format!("bloom = {}\n", quote(self.bloom.name())));
        out.push_str(&format!("in_memory = {}\n", self.in_memory));
        if let Some(bytes) = self.preload {
            out.push_str(&format!("preload = {}\n", quote(&format_size(bytes))));
        }
        out.push_str(&format!(
            "compaction_enabled = {}\n\n",
            self.compaction_enabled
        ));
    }
}
