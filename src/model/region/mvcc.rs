//! MultiVersionConcurrencyControl: a region's write numbers and read point.
//!
//! Every write takes the next number (the region's sequence id) when it begins. Its edits become
//! visible when the read point reaches it, and the read point only moves over a prefix of
//! completed writes, so a write that completes early waits (completeAndWait) for every earlier
//! write of the region — a SKIP_WAL put behind a SYNC_WAL put waits for the other's sync.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::rpc::CallId;

#[derive(Debug, Clone, Default)]
pub struct Mvcc {
    /// Writes begun and not yet complete.
    outstanding: BTreeSet<u64>,
    /// The highest number handed out.
    begun: u64,
    read_point: u64,
    /// Calls waiting for the read point to reach a number.
    waiters: BTreeMap<u64, Vec<CallId>>,
}

impl Mvcc {
    /// A region opening with every number up to `number` complete (after a recovery).
    pub fn starting_at(number: u64) -> Mvcc {
        Mvcc {
            begun: number,
            read_point: number,
            ..Mvcc::default()
        }
    }

    /// Registers write number `number` (handed out in increasing order).
    pub fn begin(&mut self, number: u64) {
        assert!(
            number > self.begun,
            "MVCC write numbers only grow: {number} after {}",
            self.begun
        );
        self.begun = number;
        self.outstanding.insert(number);
    }

    /// Marks a write complete; returns the waiting calls whose writes are now visible.
    pub fn complete(&mut self, number: u64) -> Vec<CallId> {
        assert!(
            self.outstanding.remove(&number),
            "MVCC write {number} completed twice or never begun"
        );
        self.read_point = match self.outstanding.first() {
            Some(&first) => first - 1,
            None => self.begun,
        };
        let mut released = Vec::new();
        while let Some(entry) = self.waiters.first_entry()
            && *entry.key() <= self.read_point
        {
            released.extend(entry.remove());
        }
        released
    }

    pub fn read_point(&self) -> u64 {
        self.read_point
    }

    /// The oldest write begun and not complete: its edits, and every later one's, are not
    /// visible yet.
    pub fn first_outstanding(&self) -> Option<u64> {
        self.outstanding.first().copied()
    }

    /// Whether write `number` is visible; if not, `call` waits for it.
    pub fn wait_for(&mut self, number: u64, call: CallId) -> bool {
        if self.read_point >= number {
            return true;
        }
        self.waiters.entry(number).or_default().push(call);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The read point moves over completed prefixes only; late completions release waiters.
    #[test]
    fn read_point_follows_the_completed_prefix() {
        let mut mvcc = Mvcc::default();
        mvcc.begin(1);
        mvcc.begin(2);
        mvcc.begin(3);
        assert!(mvcc.complete(2).is_empty());
        assert_eq!(mvcc.read_point(), 0);
        assert!(!mvcc.wait_for(2, 20));
        assert!(mvcc.complete(3).is_empty());
        assert!(!mvcc.wait_for(3, 30));
        assert_eq!(mvcc.complete(1), vec![20, 30]);
        assert_eq!(mvcc.read_point(), 3);
        assert!(mvcc.wait_for(3, 40));
    }
}
