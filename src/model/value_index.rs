//! The current value of each cell that read-modify-write operations may read: what a Get of the
//! latest version returns, as a value length (enough to size an append's result and to decide a
//! check-and-put). Kept only for tables whose workloads increment, append or check-and-put, so
//! its memory follows the distinct cells those tables write, not the run's length.

use std::collections::BTreeMap;

/// (row, family index, qualifier rank) → the latest value's length.
#[derive(Debug, Clone, Default)]
pub struct ValueIndex {
    cells: BTreeMap<(u64, u8, u16), u32>,
}

impl ValueIndex {
    pub fn get(&self, row: u64, family: usize, qualifier: u16) -> Option<u32> {
        self.cells.get(&(row, family as u8, qualifier)).copied()
    }

    pub fn put(&mut self, row: u64, family: usize, qualifier: u16, value_bytes: u32) {
        self.cells
            .insert((row, family as u8, qualifier), value_bytes);
    }

    /// A DeleteFamily marker hides every qualifier of the row in that family.
    pub fn delete_family(&mut self, row: u64, family: usize) {
        let family = family as u8;
        let doomed: Vec<(u64, u8, u16)> = self
            .cells
            .range((row, family, 0)..=(row, family, u16::MAX))
            .map(|(key, _)| *key)
            .collect();
        for key in doomed {
            self.cells.remove(&key);
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_values_and_deletes() {
        let mut index = ValueIndex::default();
        index.put(5, 0, 1, 10);
        index.put(5, 0, 2, 20);
        index.put(5, 1, 1, 30);
        index.put(6, 0, 1, 40);
        index.put(5, 0, 1, 11);
        assert_eq!(index.get(5, 0, 1), Some(11));
        index.delete_family(5, 0);
        assert_eq!(index.get(5, 0, 1), None);
        assert_eq!(index.get(5, 0, 2), None);
        assert_eq!(index.get(5, 1, 1), Some(30));
        assert_eq!(index.get(6, 0, 1), Some(40));
        assert_eq!(index.len(), 2);
    }
}
