//! `cargo bench --bench wal_append`: how fast WAL entries are encoded into a simulated file,
//! for single-put entries and for multi-put entries of five cells (one region's share of a
//! 100-row batch over 20 regions), with the row formatted per cell into a reused buffer as the
//! simulation does. Rolls the file at 128 MiB, as the sim would. Prints figures — entries and
//! cells per second, HBase's bytes per second, and the memory a file holds per entry (values
//! are generated runs, not bytes); asserts nothing about wall-clock time.

use std::io::Write;
use std::time::Instant;

use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{CellValue, WalCell, WalHeader, WalKey, WalWriter};
use regionsim::scenario::profile::ProfileId;

const ROLL_SIZE_BYTES: u64 = 128 * 1024 * 1024;

fn run(entries: u64, cells_per_entry: u32) {
    let header = WalHeader::written_by(ProfileId::Hbase25);
    let mut fs = SimFs::new();
    let mut file_index = 0;
    let mut writer = WalWriter::create(&mut fs, "WALs/rs/wal.0", &header).expect("new file");
    let mut row = Vec::with_capacity(32);
    let mut bytes = 0;
    let mut resident_per_entry = 0.0;
    let started = Instant::now();
    for sequence_id in 0..entries {
        let key = WalKey {
            encoded_region_name: b"0123456789abcdef0123456789abcdef",
            table_name: b"usertable",
            sequence_id,
            write_time_ms: 1_700_000_000_000 + sequence_id / 1000,
            nonce_group: 0,
            nonce: 0,
            cluster_ids: &[],
            orig_sequence_id: 0,
        };
        let appended = writer.append_with(&mut fs, &key, cells_per_entry, |encoder| {
            for cell in 0..u64::from(cells_per_entry) {
                row.clear();
                write!(row, "user{:07}", (sequence_id * 7919 + cell) % 10_000_000).expect("a Vec");
                encoder.cell(WalCell {
                    row: &row,
                    family: b"cf",
                    qualifier: b"field0",
                    timestamp_ms: key.write_time_ms,
                    type_code: 4,
                    value: CellValue::Generated {
                        length_bytes: 1000,
                        seed: sequence_id ^ cell,
                    },
                });
            }
        });
        bytes += appended.length_bytes;
        if writer.length_bytes(&fs) >= ROLL_SIZE_BYTES {
            writer.close(&mut fs);
            let path = format!("WALs/rs/wal.{file_index}");
            let mut content = fs.read(&path).expect("the old file").content.clone();
            content.shrink_to_fit();
            resident_per_entry = content.resident_bytes() as f64 / writer.entries() as f64;
            fs.delete_file(&path).expect("the old file");
            file_index += 1;
            writer = WalWriter::create(&mut fs, &format!("WALs/rs/wal.{file_index}"), &header)
                .expect("new file");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{entries} entries of {cells_per_entry} cell(s): {:.2} M entries/s, {:.2} M cells/s; {:.0} MB/s of HBase's bytes ({} rolls, {:.1} bytes per entry on disk, {:.1} held in memory)",
        entries as f64 / seconds / 1e6,
        (entries * u64::from(cells_per_entry)) as f64 / seconds / 1e6,
        bytes as f64 / seconds / 1e6,
        file_index,
        bytes as f64 / entries as f64,
        resident_per_entry,
    );
}

fn main() {
    run(4_000_000, 1);
    run(1_000_000, 5);
}
