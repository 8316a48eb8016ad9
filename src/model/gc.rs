//! The JVM's young collections (see `scenario::jvm`): the young generation filling at the
//! allocation rate, each collection's pause from the live data it copies, and the pauses'
//! figures. Pure arithmetic; `server` stops its threads for each pause.

use crate::metrics::LatencyHistogram;
use crate::scenario::jvm::JvmSpec;
use crate::sim::SimDuration;

/// Collections so far and what they cost.
#[derive(Debug, Clone)]
pub struct Gc {
    spec: JvmSpec,
    /// Allocated since the last young collection.
    allocated: u64,
    /// Memstore heap bytes added up to the last collection (the live data after it is what
    /// was added since).
    live_mark: u64,
    pub allocated_total: u128,
    pub young_collections: u64,
    pub promoted_bytes: u128,
    pub pauses: LatencyHistogram,
    pub pause_total: SimDuration,
}

impl Gc {
    pub fn new(spec: JvmSpec) -> Gc {
        Gc {
            spec,
            allocated: 0,
            live_mark: 0,
            allocated_total: 0,
            young_collections: 0,
            promoted_bytes: 0,
            pauses: LatencyHistogram::default(),
            pause_total: SimDuration::ZERO,
        }
    }

    /// The server process died: its successor's young generation starts empty.
    pub fn restart(&mut self, memstore_added: u64) {
        self.allocated = 0;
        self.live_mark = memstore_added;
    }

    /// Allocates `bytes`; when that fills the young generation, a young collection runs: it
    /// copies (and promotes) the memstore data written since the last one — `memstore_added`
    /// is the memstore heap bytes added over the run so far — and its pause is returned.
    pub fn allocate(&mut self, bytes: u64, memstore_added: u64) -> Option<SimDuration> {
        self.allocated += bytes;
        self.allocated_total += u128::from(bytes);
        if self.allocated < self.spec.young_bytes {
            return None;
        }
        self.allocated = 0;
        let live = memstore_added.saturating_sub(self.live_mark);
        self.live_mark = memstore_added;
        self.young_collections += 1;
        self.promoted_bytes += u128::from(live);
        let copy = SimDuration::from_secs_f64(live as f64 / self.spec.copy_rate as f64);
        let pause = self.spec.pause_base.saturating_add(copy);
        self.pauses.record(pause);
        self.pause_total = self.pause_total.saturating_add(pause);
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 1 MB young generation collects once per MB allocated; its pause is the base plus the
    // memstore data written since the last one at the copy rate.
    #[test]
    fn collections_follow_allocation_and_pauses_follow_live_data() {
        let mut gc = Gc::new(JvmSpec {
            gc: true,
            young_bytes: 1 << 20,
            pause_base: SimDuration::from_millis(5),
            copy_rate: 100 << 20,
        });
        assert_eq!(gc.allocate(512 << 10, 0), None);
        let pause = gc.allocate(512 << 10, 10 << 20).expect("full");
        assert_eq!(pause, SimDuration::from_millis(105));
        assert_eq!(
            gc.allocate(1 << 20, 10 << 20),
            Some(SimDuration::from_millis(5))
        );
        assert_eq!(gc.young_collections, 2);
        assert_eq!(gc.promoted_bytes, 10 << 20);
    }
}
