//! Work the WAL does in one thread, sync after sync: the output stream writing the syncs'
//! bytes, and (with the CPU model on) the consumer thread encoding their entries. Whatever
//! waits when a piece ends goes next, as one piece: a thread that falls behind catches up in
//! bigger steps, as AsyncFSWAL's consumer and FSHLog's ring-buffer handler batch what queued.

/// Syncs' work waiting for the thread, and the syncs of the piece running.
#[derive(Debug, Default)]
pub struct SerialWork {
    running: Option<Vec<u64>>,
    /// (sync, its amount), in the order the syncs started.
    waiting: Vec<(u64, u64)>,
}

impl SerialWork {
    /// Queues `amount` of sync `sync`'s work; true if the thread is idle (start a piece).
    pub fn push(&mut self, sync: u64, amount: u64) -> bool {
        self.waiting.push((sync, amount));
        self.running.is_none()
    }

    /// Takes everything waiting as the running piece; returns its amount.
    pub fn start(&mut self) -> u64 {
        let waiting = std::mem::take(&mut self.waiting);
        let amount = waiting.iter().map(|&(_, amount)| amount).sum();
        self.running = Some(waiting.into_iter().map(|(sync, _)| sync).collect());
        amount
    }

    /// The running piece ended: its syncs, and whether more waits (start the next piece).
    pub fn finish(&mut self) -> (Vec<u64>, bool) {
        let syncs = self
            .running
            .take()
            .expect("a piece of WAL work was running");
        (syncs, !self.waiting.is_empty())
    }

    /// The process died: its work dies with it.
    pub fn clear(&mut self) {
        self.running = None;
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // What queues while a piece runs goes next as one piece, in order.
    #[test]
    fn what_waits_goes_next_as_one_piece() {
        let mut work = SerialWork::default();
        assert!(work.push(1, 10));
        assert_eq!(work.start(), 10);
        assert!(!work.push(2, 5));
        assert!(!work.push(3, 7));
        assert_eq!(work.finish(), (vec![1], true));
        assert_eq!(work.start(), 12);
        assert_eq!(work.finish(), (vec![2, 3], false));
        assert!(work.push(4, 1));
    }
}
