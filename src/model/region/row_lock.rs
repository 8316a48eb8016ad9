//! Row locks (HRegion.getRowLockInternal): one read-write lock per row, held by the handler
//! that runs a call. Puts and deletes of a batch take the shared side; increments, appends and
//! check-and-mutate take the exclusive side, so writers of those wait for each other.
//!
//! Grants follow Java's non-fair ReentrantReadWriteLock closely enough: a shared request is
//! granted unless the row is held exclusively or an exclusive request is first in line; an
//! exclusive one when nobody holds the row. Waiters are served in arrival order. A call may take
//! the same row again (the lock is reentrant). Timeouts (`hbase.rowlock.wait.duration`) are the
//! caller's: it cancels its wait.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, VecDeque};

use crate::model::rpc::CallId;

/// Which side of a row's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

#[derive(Debug, Clone, Default)]
struct RowLock {
    shared: u32,
    /// The call holding it exclusively, and how many times.
    exclusive: Option<(CallId, u32)>,
    waiters: VecDeque<(CallId, LockMode)>,
}

impl RowLock {
    fn grantable(&self, call: CallId, mode: LockMode) -> bool {
        match (mode, self.exclusive) {
            (_, Some((holder, _))) => holder == call,
            (LockMode::Shared, None) => {
                !matches!(self.waiters.front(), Some((_, LockMode::Exclusive)))
            }
            (LockMode::Exclusive, None) => self.shared == 0,
        }
    }

    fn grant(&mut self, call: CallId, mode: LockMode) {
        match (mode, &mut self.exclusive) {
            (_, Some((_, count))) => *count += 1,
            (LockMode::Shared, None) => self.shared += 1,
            (LockMode::Exclusive, None) => self.exclusive = Some((call, 1)),
        }
    }

    fn is_free(&self) -> bool {
        self.shared == 0 && self.exclusive.is_none() && self.waiters.is_empty()
    }
}

/// The row locks of one region.
#[derive(Debug, Clone, Default)]
pub struct RowLocks {
    rows: BTreeMap<u64, RowLock>,
}

impl RowLocks {
    /// Takes the lock if it can be had now.
    pub fn try_lock(&mut self, row: u64, mode: LockMode, call: CallId) -> bool {
        let lock = self.rows.entry(row).or_default();
        if lock.grantable(call, mode) {
            lock.grant(call, mode);
            true
        } else {
            false
        }
    }

    /// Takes the lock now, or queues `call` for it; returns whether it was granted now.
    pub fn lock_or_wait(&mut self, row: u64, mode: LockMode, call: CallId) -> bool {
        if self.try_lock(row, mode, call) {
            return true;
        }
        self.rows
            .entry(row)
            .or_default()
            .waiters
            .push_back((call, mode));
        false
    }

    /// Releases one hold; returns the waiters granted as a result, in order.
    pub fn unlock(&mut self, row: u64, mode: LockMode, call: CallId) -> Vec<CallId> {
        let Entry::Occupied(mut entry) = self.rows.entry(row) else {
            panic!("unlock of row {row}, which is not locked");
        };
        let lock = entry.get_mut();
        match (mode, &mut lock.exclusive) {
            (_, Some((holder, count))) => {
                assert_eq!(
                    *holder, call,
                    "row {row} unlocked by a call that does not hold it"
                );
                *count -= 1;
                if *count == 0 {
                    lock.exclusive = None;
                }
            }
            (LockMode::Shared, None) => {
                assert!(lock.shared > 0, "row {row} has no shared holder to release");
                lock.shared -= 1;
            }
            (LockMode::Exclusive, None) => panic!("row {row} is not held exclusively"),
        }
        let mut granted = Vec::new();
        while let Some(&(waiter, wanted)) = lock.waiters.front() {
            let free = match (wanted, lock.exclusive) {
                (_, Some(_)) => false,
                (LockMode::Shared, None) => true,
                (LockMode::Exclusive, None) => lock.shared == 0,
            };
            if !free {
                break;
            }
            lock.waiters.pop_front();
            lock.grant(waiter, wanted);
            granted.push(waiter);
        }
        if lock.is_free() {
            entry.remove();
        }
        granted
    }

    /// Withdraws a waiting request (its wait timed out); returns whether it was waiting.
    pub fn cancel(&mut self, row: u64, call: CallId) -> bool {
        let Some(lock) = self.rows.get_mut(&row) else {
            return false;
        };
        let before = lock.waiters.len();
        lock.waiters.retain(|(waiter, _)| *waiter != call);
        let removed = lock.waiters.len() != before;
        if lock.is_free() {
            self.rows.remove(&row);
        }
        removed
    }

    /// Rows with a holder or a waiter.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shared holders coexist; an exclusive request waits for them and then blocks new sharers.
    #[test]
    fn shared_and_exclusive() {
        let mut locks = RowLocks::default();
        assert!(locks.lock_or_wait(1, LockMode::Shared, 10));
        assert!(locks.lock_or_wait(1, LockMode::Shared, 11));
        assert!(!locks.lock_or_wait(1, LockMode::Exclusive, 12));
        // An exclusive request is first in line: new sharers queue behind it.
        assert!(!locks.lock_or_wait(1, LockMode::Shared, 13));
        assert!(locks.unlock(1, LockMode::Shared, 10).is_empty());
        assert_eq!(locks.unlock(1, LockMode::Shared, 11), vec![12]);
        assert_eq!(locks.unlock(1, LockMode::Exclusive, 12), vec![13]);
        assert!(locks.unlock(1, LockMode::Shared, 13).is_empty());
        assert!(locks.is_empty());
    }

    // Writers of the same row take turns; a timed-out waiter leaves the line.
    #[test]
    fn exclusive_writers_take_turns_and_can_give_up() {
        let mut locks = RowLocks::default();
        assert!(locks.lock_or_wait(7, LockMode::Exclusive, 1));
        assert!(locks.lock_or_wait(7, LockMode::Exclusive, 1), "reentrant");
        assert!(!locks.lock_or_wait(7, LockMode::Exclusive, 2));
        assert!(!locks.lock_or_wait(7, LockMode::Exclusive, 3));
        assert!(locks.cancel(7, 2));
        assert!(locks.unlock(7, LockMode::Exclusive, 1).is_empty());
        assert_eq!(locks.unlock(7, LockMode::Exclusive, 1), vec![3]);
        assert!(!locks.try_lock(7, LockMode::Shared, 4));
        assert!(locks.unlock(7, LockMode::Exclusive, 3).is_empty());
        assert!(locks.is_empty());
    }
}
