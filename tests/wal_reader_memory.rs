//! Reading a crafted WAL asks for no more memory than the file holds: a header or WALKey that
//! declares 2 GB in a file of a few bytes is read as far as the file goes. This test binary
//! measures its own peak memory, so it keeps to that one concern.

use std::alloc::System;

use cap::Cap;
use regionsim::model::hdfs::sim_fs::SimFs;
use regionsim::model::wal::format::{WAL_MAGIC, WalHeader};
use regionsim::model::wal::protobuf::put_varint;
use regionsim::model::wal::reader::{ReaderRules, read_wal};
use regionsim::scenario::profile::ProfileId;

/// The allocator, counting the most bytes held at once.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Reads `bytes` as a WAL by every release's rules and returns the most bytes this test binary
/// has held at once so far.
fn peak_memory_reading(bytes: &[u8]) -> usize {
    let mut fs = SimFs::new();
    let id = fs.write_file("WALs/rs,16020,1/crafted", bytes).unwrap();
    for rules in [
        ReaderRules::Hbase14,
        ReaderRules::Hbase25Before254,
        ReaderRules::Hbase25,
    ] {
        let contents = read_wal(fs.hdfs_file(id), rules);
        assert!(
            !contents.stop.is_clean(),
            "a crafted file reads as a clean WAL"
        );
    }
    ALLOCATOR.max_allocated()
}

/// A bound far above what this binary needs to read a few hundred bytes, and far below a
/// declared 2 GB.
const MUCH: usize = 64 << 20;

#[test]
fn a_header_declaring_two_gigabytes_is_read_as_far_as_the_file_goes() {
    let mut bytes = WAL_MAGIC.to_vec();
    put_varint(&mut bytes, i32::MAX as u64);
    bytes.extend_from_slice(&[0x0a; 40]);
    let peak = peak_memory_reading(&bytes);
    assert!(peak < MUCH, "reading held {peak} bytes at once");
}

#[test]
fn a_key_declaring_two_gigabytes_is_read_as_far_as_the_file_goes() {
    let mut bytes = WAL_MAGIC.to_vec();
    let header = WalHeader::written_by(ProfileId::Hbase25);
    let message = header.encode();
    put_varint(&mut bytes, message.len() as u64);
    bytes.extend_from_slice(&message);
    put_varint(&mut bytes, i32::MAX as u64);
    bytes.extend_from_slice(&[0x0a; 40]);
    let peak = peak_memory_reading(&bytes);
    assert!(peak < MUCH, "reading held {peak} bytes at once");
}
