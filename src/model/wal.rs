//! The write-ahead log: appends and group-committed syncs, the WAL's files (rolls, archiving,
//! maxlogs), their bytes in HBase's layout, the names an entry carries, the split of a dead
//! server's WALs into recovered edits, and the durability oracle that checks acknowledged edits
//! against the stores.

pub mod durability;
pub mod files;
pub mod format;
pub mod group_commit;
pub mod names;
pub mod sequence_ids;
pub mod split;
