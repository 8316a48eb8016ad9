//! Writing WAL entries in tests: one put per entry, its write time and timestamp
//! 1_700_000_000_000 ms + the sequence id, its value seeded by the sequence id.

use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{CellValue, WalCell, WalKey, WalWriter};

/// Where a put goes and what it writes.
pub struct Put<'a> {
    pub region: &'a [u8],
    pub table: &'a [u8],
    pub row: &'a [u8],
    pub family: &'a [u8],
    pub qualifier: &'a [u8],
    pub value_length_bytes: u32,
}

/// Appends one entry of one put.
pub fn append_put(fs: &mut SimFs, writer: &mut WalWriter, put: &Put<'_>, sequence_id: u64) {
    let write_time_ms = 1_700_000_000_000 + sequence_id;
    let key = WalKey {
        encoded_region_name: put.region,
        table_name: put.table,
        sequence_id,
        write_time_ms,
        nonce_group: 0,
        nonce: 0,
        cluster_ids: &[],
        orig_sequence_id: 0,
    };
    let cell = WalCell {
        row: put.row,
        family: put.family,
        qualifier: put.qualifier,
        timestamp_ms: write_time_ms,
        type_code: 4,
        value: CellValue::Generated {
            length_bytes: put.value_length_bytes,
            seed: sequence_id,
        },
    };
    writer.append(fs, &key, &[cell]);
}

/// Reads a file's bytes (from a real directory) with a reader's rules.
pub fn read_bytes(
    bytes: &[u8],
    rules: regionsim::model::wal::reader::ReaderRules,
) -> regionsim::model::wal::reader::WalContents {
    let mut fs = SimFs::new();
    fs.write_file("wal", bytes).unwrap();
    regionsim::model::wal::reader::read_wal(fs.read("wal").unwrap(), rules)
}
