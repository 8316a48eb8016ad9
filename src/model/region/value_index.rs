//! The current value of each cell that read-modify-write operations may read: what a Get of the
//! latest version returns, as a value length (enough to size an append's result and to decide a
//! check-and-put). Kept only for tables whose workloads increment, append or check-and-put, so
//! its memory follows the distinct cells those tables write, not the run's length. Each change
//! returns what undoes it, for an edit rolled back after a failed WAL sync.

use std::collections::BTreeMap;

/// A cell's key here: (row, family index, qualifier rank).
type Key = (u64, u8, u16);

/// What changes replaced: (key, previous value) pairs, applied in reverse to undo them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undo(Vec<(Key, Option<u32>)>);

impl Undo {
    pub fn extend(&mut self, other: Undo) {
        self.0.extend(other.0);
    }
}

/// (row, family index, qualifier rank) → the latest value's length.
#[derive(Debug, Clone, Default)]
pub struct ValueIndex {
    cells: BTreeMap<Key, u32>,
}

impl ValueIndex {
    pub fn get(&self, row: u64, family: usize, qualifier: u16) -> Option<u32> {
        self.cells.get(&(row, family as u8, qualifier)).copied()
    }

    /// Sets a cell's value; returns what undoes it.
    pub fn put(&mut self, row: u64, family: usize, qualifier: u16, value_bytes: u32) -> Undo {
        let key = (row, family as u8, qualifier);
        Undo(vec![(key, self.cells.insert(key, value_bytes))])
    }

    /// A DeleteFamily marker hides every qualifier of the row in that family; returns what
    /// undoes it.
    pub fn delete_family(&mut self, row: u64, family: usize) -> Undo {
        let family = family as u8;
        let doomed: Vec<Key> = self
            .cells
            .range((row, family, 0)..=(row, family, u16::MAX))
            .map(|(key, _)| *key)
            .collect();
        Undo(
            doomed
                .into_iter()
                .map(|key| (key, self.cells.remove(&key)))
                .collect(),
        )
    }

    /// Puts back what the changes recorded in `undo` replaced.
    pub fn undo(&mut self, undo: Undo) {
        for (key, previous) in undo.0.into_iter().rev() {
            match previous {
                Some(value_bytes) => self.cells.insert(key, value_bytes),
                None => self.cells.remove(&key),
            };
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
    fn latest_values_deletes_and_undo() {
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
        // Undoing changes restores what they replaced, in reverse order.
        let mut undo = index.put(6, 0, 1, 41);
        undo.extend(index.put(6, 0, 2, 7));
        undo.extend(index.delete_family(6, 0));
        assert_eq!(index.get(6, 0, 1), None);
        index.undo(undo);
        assert_eq!(index.get(6, 0, 1), Some(40));
        assert_eq!(index.get(6, 0, 2), None);
    }
}
