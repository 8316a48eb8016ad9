//! HRegion and what it owns: its size counter, sequence ids, flush flags and updates lock, the
//! flush policy, row locks, MVCC, the StoreHotnessProtector, the current values read-modify-writes
//! read, the table's key layout, and the split policy.

pub mod hregion;
pub mod layout;
pub mod mvcc;
pub mod row_lock;
pub mod split_policy;
pub mod store_hotness;
pub mod value_index;
