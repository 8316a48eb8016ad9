//! The write-ahead log: appends and group-committed syncs, the slow syncs that roll it, the
//! WAL's files (rolls, archiving, maxlogs), their bytes in HBase's layout and the protobuf wire
//! format they use, HBase's reader of them, the names an entry carries, the split of a dead
//! server's WALs into recovered edits, and the durability oracle that checks acknowledged edits
//! against the stores.

pub mod durability;
pub mod files;
pub mod format;
pub mod group_commit;
pub mod names;
pub mod protobuf;
pub mod reader;
pub mod sequence_ids;
pub mod serial_work;
pub mod slow_sync;
pub mod split;
