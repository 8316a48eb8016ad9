//! The JVM's collections (see `scenario::jvm`): the young generation filling at the allocation
//! rate, the old generation holding what young collections promote, the collector's concurrent
//! cycle (G1's marking then mixed collections, or CMS's mark and sweep), the full collection
//! when a promotion does not fit, and the pauses' figures. Pure arithmetic over bytes; `server`
//! stops its threads for each pause and runs the concurrent cycle's steps as events.
//!
//! What the old generation holds: `old_live` (the server's own structures, constant), the
//! memstore data young collections promoted (live until its memstore is flushed, then garbage),
//! and that garbage until a collection reclaims it. Promotion is the memstore data not yet in
//! the old generation (MSLAB's chunks live until a flush, so they survive and are promoted);
//! a flush turns the oldest promoted data into garbage first (a memstore fills over minutes and
//! a young generation over seconds, so little of what it releases was still young). HBase 2's
//! MSLAB chunk pool (`hbase.hregion.memstore.chunkpool.maxsize`, 1.0 since 2.0, 0 in 1.4)
//! would keep flushed chunks live for reuse instead; it is not modelled, so on the 2.5
//! profile flushed memstore data becomes garbage as it does in 1.4.
//!
//! A young collection that cannot promote into the old generation's room (the heap less the
//! young generation) fails — G1's evacuation failure ("to-space exhausted"), CMS's promotion
//! failure — and a full collection follows in the same stop: every live byte (`old_live` and
//! the whole memstore) compacted at `full_rate`; any concurrent cycle is abandoned (CMS's
//! "concurrent mode failure"). An OutOfMemoryError is not modelled: a live set larger than the
//! old generation's room fails the next young collection again.
//!
//! G1 (HotSpot's G1Policy, JDK 8 to 17): after a young collection leaves the old generation
//! at or above `ihop` percent of the heap, the next young collection is a concurrent start
//! (its initial mark rides on the young pause); marking then takes the old generation's live
//! bytes over `mark_rate`, and ends with a remark pause and a cleanup pause (`pause_base`
//! each; JDK 11's remembered-set rebuild between them is folded into the marking time). What
//! marking found (its snapshot at the start, SATB) decides the mixed collections: the young
//! collection after cleanup is young only ("Prepare Mixed"), then up to
//! `G1MixedGCCountTarget` (8) mixed collections each reclaim an eighth of the candidate
//! garbage and copy an eighth of the candidates' live data, and they stop once the candidate
//! garbage left is at most `G1HeapWastePercent` (5%) of the heap. The simplification: G1's
//! regions are not tracked; the memstore's old data is taken as one pool of regions with one
//! live fraction (live ÷ live + garbage at the marking's start), all candidates if that is
//! below `G1MixedGCLiveThresholdPercent` (85%) and none otherwise; `old_live` lies in dense
//! regions that are never candidates. Adaptive IHOP, humongous objects and the pause-time
//! goal's sizing of the young generation and of each mixed collection are not modelled.
//!
//! CMS (HotSpot's ConcurrentMarkSweepGeneration, JDK 8): ParNew young collections as above;
//! when a young collection leaves the old generation at or above `cms_initiating_fraction`
//! percent of its room, the CMS thread starts a cycle as the pause ends: an initial-mark
//! pause, concurrent marking over the live bytes at `mark_rate`, a remark pause, and a
//! concurrent sweep over the old generation at `mark_rate` that frees the garbage found at
//! remark (what dies later floats to the next cycle). The sweep does not compact, and the
//! fragmentation that MSLAB keeps small is not modelled.

use crate::metrics::LatencyHistogram;
use crate::scenario::jvm::{Collector, JvmSpec};
use crate::sim::SimDuration;

/// `-XX:G1MixedGCCountTarget`'s default: the candidate old regions are spread over this many
/// mixed collections.
pub const G1_MIXED_GC_COUNT_TARGET: u32 = 8;
/// `-XX:G1MixedGCLiveThresholdPercent`'s default: old regions less live than this are
/// candidates for mixed collections.
pub const G1_MIXED_GC_LIVE_THRESHOLD_PERCENT: u64 = 85;
/// `-XX:G1HeapWastePercent`'s default: mixed collections stop once the candidates' garbage is
/// at most this share of the heap.
pub const G1_HEAP_WASTE_PERCENT: u64 = 5;

/// The kinds of pause, as `events.csv` and `summary.json` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    /// A young collection (G1's young-only ones, concurrent starts among them; ParNew's).
    Young,
    /// G1: a young collection that also collects candidate old regions.
    Mixed,
    /// CMS: the pause that starts a concurrent cycle.
    InitialMark,
    /// The pause that ends a cycle's marking (G1 and CMS).
    Remark,
    /// G1: the pause after remark that ends the cycle and picks the mixed collections'
    /// candidates.
    Cleanup,
    /// A full collection of the whole heap, after a young collection failed to promote.
    Full,
}

impl PauseKind {
    pub const ALL: [PauseKind; 6] = [
        PauseKind::Young,
        PauseKind::Mixed,
        PauseKind::InitialMark,
        PauseKind::Remark,
        PauseKind::Cleanup,
        PauseKind::Full,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PauseKind::Young => "young",
            PauseKind::Mixed => "mixed",
            PauseKind::InitialMark => "initial_mark",
            PauseKind::Remark => "remark",
            PauseKind::Cleanup => "cleanup",
            PauseKind::Full => "full",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// HotSpot's ParallelGCThreads for a machine of `cores`: all of them up to 8, then 5/8 of
/// each core beyond (`Abstract_VM_Version::parallel_worker_threads`).
pub fn parallel_gc_threads(cores: u32) -> u32 {
    if cores <= 8 {
        cores
    } else {
        8 + (cores - 8) * 5 / 8
    }
}

/// HotSpot's ConcGCThreads by default: G1's (ParallelGCThreads + 2) / 4, CMS's
/// (ParallelGCThreads + 3) / 4, at least one.
pub fn conc_gc_threads(collector: Collector, cores: u32) -> u32 {
    let parallel = parallel_gc_threads(cores);
    let threads = match collector {
        Collector::G1 => (parallel + 2) / 4,
        Collector::Cms => parallel.div_ceil(4),
    };
    threads.max(1)
}

/// One pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub kind: PauseKind,
    pub duration: SimDuration,
}

/// What a collection or a concurrent cycle's step does to the server: its pauses, one after
/// another in one stop of every thread (a failed young collection and the full one after it),
/// and when the cycle's next step is due after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub pauses: Vec<Pause>,
    pub next_step_after: Option<SimDuration>,
}

impl Stop {
    /// The stop's length: its pauses together.
    pub fn duration(&self) -> SimDuration {
        self.pauses.iter().fold(SimDuration::ZERO, |sum, pause| {
            sum.saturating_add(pause.duration)
        })
    }
}

/// One kind of pause's figures.
#[derive(Debug, Clone, Default)]
pub struct PauseFigures {
    pub pauses: LatencyHistogram,
    pub total: SimDuration,
}

/// A concurrent cycle's phase: what its next step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// G1's concurrent marking; its end is the remark pause.
    G1Marking,
    /// G1 after remark; the cleanup pause ends the cycle.
    G1Cleanup,
    /// CMS's cycle starting: the initial-mark pause.
    CmsInitialMark,
    /// CMS's concurrent marking (and preclean); its end is the remark pause.
    CmsMarking,
    /// CMS's concurrent sweep; its end frees the garbage found at remark.
    CmsSweeping,
}

/// The concurrent cycle under way.
#[derive(Debug, Clone, Copy)]
struct Cycle {
    id: u64,
    phase: Phase,
    /// The memstore's live old data and the old garbage when marking saw them (G1: at the
    /// start; CMS: garbage at remark).
    memstore_live_marked: u64,
    garbage_marked: u64,
}

/// G1's mixed collections after a cycle.
#[derive(Debug, Clone, Copy)]
struct MixedPhase {
    /// The next young collection is young only ("Prepare Mixed").
    prepare: bool,
    left: u32,
    /// Candidate garbage not reclaimed yet.
    reclaimable: u64,
    garbage_per_collection: u64,
    live_per_collection: u64,
}

/// The heap's generations, collections so far and what they cost.
#[derive(Debug, Clone)]
pub struct Gc {
    spec: JvmSpec,
    heap_bytes: u64,
    /// Allocated since the last young collection.
    allocated: u64,
    /// The memstore's heap bytes in the old generation, live (promoted, not flushed yet).
    memstore_old: u64,
    /// Old-generation bytes no longer reachable, until a collection reclaims them.
    garbage: u64,
    /// G1: the next young collection starts a marking cycle.
    marking_requested: bool,
    cycle: Option<Cycle>,
    mixed: Option<MixedPhase>,
    pub allocated_total: u128,
    pub promoted_bytes: u128,
    pub reclaimed_bytes: u128,
    /// Live bytes full collections compacted (their pauses are this over `full_rate`).
    pub full_live_bytes: u128,
    pub old_peak_bytes: u64,
    /// Concurrent cycles started, completed, and abandoned for a full collection.
    pub concurrent_cycles: u64,
    pub concurrent_cycles_completed: u64,
    pub concurrent_mode_failures: u64,
    /// The old generation's occupancy when a concurrent cycle started, at least.
    pub old_at_cycle_start_min_bytes: Option<u64>,
    /// Every pause, and each kind's.
    pub pauses: LatencyHistogram,
    pub pause_total: SimDuration,
    by_kind: [PauseFigures; PauseKind::ALL.len()],
}

impl Gc {
    pub fn new(spec: JvmSpec, heap_bytes: u64) -> Gc {
        assert!(
            spec.young_bytes <= heap_bytes / 2,
            "young beyond half the heap"
        );
        assert!(
            spec.old_live_bytes <= heap_bytes / 2,
            "old_live beyond half the heap"
        );
        Gc {
            spec,
            heap_bytes,
            allocated: 0,
            memstore_old: 0,
            garbage: 0,
            marking_requested: false,
            cycle: None,
            mixed: None,
            allocated_total: 0,
            promoted_bytes: 0,
            reclaimed_bytes: 0,
            full_live_bytes: 0,
            old_peak_bytes: spec.old_live_bytes,
            concurrent_cycles: 0,
            concurrent_cycles_completed: 0,
            concurrent_mode_failures: 0,
            old_at_cycle_start_min_bytes: None,
            pauses: LatencyHistogram::default(),
            pause_total: SimDuration::ZERO,
            by_kind: Default::default(),
        }
    }

    // ---- what a sampler or the summary reads ----------------------------------------------

    /// The old generation's occupancy: live and garbage.
    pub fn old_occupancy_bytes(&self) -> u64 {
        self.old_live_bytes() + self.garbage
    }

    /// The old generation's live bytes: the baseline and the promoted memstore data.
    pub fn old_live_bytes(&self) -> u64 {
        self.spec.old_live_bytes + self.memstore_old
    }

    pub fn old_garbage_bytes(&self) -> u64 {
        self.garbage
    }

    /// The old-generation occupancy that starts a concurrent cycle: `ihop` percent of the heap
    /// (G1), `cms_initiating_fraction` percent of the old generation's room (CMS); rounded up,
    /// as the occupancy reaches it when occupancy × 100 ≥ percent × the whole.
    pub fn initiating_bytes(&self) -> u64 {
        let whole = match self.spec.collector {
            Collector::G1 => self.heap_bytes,
            Collector::Cms => self.old_capacity(),
        };
        (u128::from(whole) * u128::from(self.spec.initiating_percent)).div_ceil(100) as u64
    }

    /// The collector.
    pub fn collector(&self) -> Collector {
        self.spec.collector
    }

    /// Whether a concurrent cycle is under way.
    pub fn in_concurrent_cycle(&self) -> bool {
        self.cycle.is_some()
    }

    /// The figures of one kind of pause.
    pub fn figures(&self, kind: PauseKind) -> &PauseFigures {
        &self.by_kind[kind.index()]
    }

    /// The old generation's room: the heap less the young generation.
    fn old_capacity(&self) -> u64 {
        self.heap_bytes - self.spec.young_bytes
    }

    // ---- what the server tells it ----------------------------------------------------------

    /// The server process died: its successor's heap starts with only the baseline.
    pub fn restart(&mut self) {
        self.allocated = 0;
        self.memstore_old = 0;
        self.garbage = 0;
        self.marking_requested = false;
        self.cycle = None;
        self.mixed = None;
    }

    /// Memstores released `heap_bytes` (a flush committed, a crash): the promoted part becomes
    /// old garbage, oldest first; the rest dies young.
    pub fn memstore_released(&mut self, heap_bytes: u64) {
        let promoted = heap_bytes.min(self.memstore_old);
        self.memstore_old -= promoted;
        self.garbage += promoted;
    }

    /// Allocates `bytes`; when that fills the young generation, a young collection runs with
    /// `memstore_heap` in the memstores, and what it does to the server is returned.
    pub fn allocate(&mut self, bytes: u64, memstore_heap: u64) -> Option<Stop> {
        self.allocated += bytes;
        self.allocated_total += u128::from(bytes);
        if self.allocated < self.spec.young_bytes {
            return None;
        }
        self.allocated = 0;
        Some(self.collect_young(memstore_heap))
    }

    /// A concurrent cycle's step is due (`cycle` the cycle it was scheduled for): its pause,
    /// if any, and when the next step is due; `None` if that cycle was abandoned.
    pub fn cycle_step(&mut self, cycle: u64) -> Option<Stop> {
        let mark_rate = self.spec.mark_rate;
        let live = self.old_live_bytes();
        let occupancy = self.old_occupancy_bytes();
        let garbage = self.garbage;
        let current = self.cycle.as_mut().filter(|current| current.id == cycle)?;
        let (kind, next_step_after) = match current.phase {
            Phase::G1Marking => {
                current.phase = Phase::G1Cleanup;
                (Some(PauseKind::Remark), Some(SimDuration::ZERO))
            }
            Phase::G1Cleanup => {
                let marked = *current;
                self.end_cycle();
                self.choose_mixed(marked);
                (Some(PauseKind::Cleanup), None)
            }
            Phase::CmsInitialMark => {
                current.phase = Phase::CmsMarking;
                (Some(PauseKind::InitialMark), Some(over(live, mark_rate)))
            }
            Phase::CmsMarking => {
                current.phase = Phase::CmsSweeping;
                current.garbage_marked = garbage;
                (Some(PauseKind::Remark), Some(over(occupancy, mark_rate)))
            }
            Phase::CmsSweeping => {
                let freed = current.garbage_marked.min(self.garbage);
                self.end_cycle();
                self.reclaim(freed);
                (None, None)
            }
        };
        let pauses = kind
            .map(|kind| self.record(kind, self.spec.pause_base))
            .into_iter()
            .collect();
        Some(Stop {
            pauses,
            next_step_after,
        })
    }

    /// The cycle under way, whose steps the server schedules.
    pub fn cycle_id(&self) -> Option<u64> {
        self.cycle.map(|cycle| cycle.id)
    }

    // ---- collections -----------------------------------------------------------------------

    /// A young (or mixed) collection: promotes the memstore data not yet in the old generation,
    /// with a mixed collection's share of the candidate regions; a promotion that does not fit
    /// fails into a full collection. Then, the collector's rule for starting a cycle.
    fn collect_young(&mut self, memstore_heap: u64) -> Stop {
        let promoted = memstore_heap.saturating_sub(self.memstore_old);
        let (kind, old_copied, reclaimed) = match self.mixed {
            Some(mixed) if !mixed.prepare => (
                PauseKind::Mixed,
                mixed.live_per_collection,
                mixed
                    .garbage_per_collection
                    .min(mixed.reclaimable)
                    .min(self.garbage),
            ),
            _ => (PauseKind::Young, 0, 0),
        };
        let duration = self
            .spec
            .pause_base
            .saturating_add(over(promoted + old_copied, self.spec.copy_rate));
        let young = self.record(kind, duration);
        if self.old_occupancy_bytes() - reclaimed + promoted > self.old_capacity() {
            self.old_peak_bytes = self.old_peak_bytes.max(self.old_capacity());
            let full = self.collect_full(memstore_heap);
            return Stop {
                pauses: vec![young, full],
                next_step_after: None,
            };
        }
        self.memstore_old += promoted;
        self.promoted_bytes += u128::from(promoted);
        self.reclaim(reclaimed);
        assert!(
            self.old_occupancy_bytes() <= self.old_capacity(),
            "a promotion that fits leaves the old generation within its room"
        );
        self.old_peak_bytes = self.old_peak_bytes.max(self.old_occupancy_bytes());
        self.advance_mixed(kind, reclaimed);
        Stop {
            pauses: vec![young],
            next_step_after: self.maybe_start_cycle(),
        }
    }

    /// Everything live compacted: the baseline and every memstore byte (the young ones too);
    /// the garbage gone, any cycle and mixed collections abandoned.
    fn collect_full(&mut self, memstore_heap: u64) -> Pause {
        let live = self.spec.old_live_bytes + memstore_heap;
        self.full_live_bytes += u128::from(live);
        self.promoted_bytes += u128::from(memstore_heap.saturating_sub(self.memstore_old));
        self.memstore_old = memstore_heap;
        self.reclaim(self.garbage);
        if self.cycle.take().is_some() {
            self.concurrent_mode_failures += 1;
        }
        self.mixed = None;
        self.marking_requested = false;
        self.record(PauseKind::Full, over(live, self.spec.full_rate))
    }

    /// After a young collection: G1 asks for a concurrent start when the old generation has
    /// reached IHOP and starts marking at the collection after; CMS starts a cycle as soon as
    /// it has reached its initiating fraction. Returns when the cycle's first step is due
    /// after the pause.
    fn maybe_start_cycle(&mut self) -> Option<SimDuration> {
        if self.cycle.is_some() || self.mixed.is_some() {
            return None;
        }
        let reached = self.old_occupancy_bytes() >= self.initiating_bytes();
        let phase = match self.spec.collector {
            Collector::G1 if self.marking_requested => Phase::G1Marking,
            Collector::G1 => {
                self.marking_requested = reached;
                return None;
            }
            Collector::Cms if reached => Phase::CmsInitialMark,
            Collector::Cms => return None,
        };
        self.marking_requested = false;
        self.concurrent_cycles += 1;
        let occupancy = self.old_occupancy_bytes();
        self.old_at_cycle_start_min_bytes = Some(
            self.old_at_cycle_start_min_bytes
                .map_or(occupancy, |min| min.min(occupancy)),
        );
        self.cycle = Some(Cycle {
            id: self.concurrent_cycles,
            phase,
            memstore_live_marked: self.memstore_old,
            garbage_marked: self.garbage,
        });
        Some(match phase {
            Phase::G1Marking => over(self.old_live_bytes(), self.spec.mark_rate),
            _ => SimDuration::ZERO,
        })
    }

    /// G1's cleanup: the candidates from what marking saw, and whether they are worth mixed
    /// collections.
    fn choose_mixed(&mut self, marked: Cycle) {
        let pool = marked.memstore_live_marked + marked.garbage_marked;
        let candidates = marked.garbage_marked > 0
            && u128::from(marked.memstore_live_marked) * 100
                < u128::from(G1_MIXED_GC_LIVE_THRESHOLD_PERCENT) * u128::from(pool);
        if candidates && !self.below_waste(marked.garbage_marked) {
            let count = u64::from(G1_MIXED_GC_COUNT_TARGET);
            self.mixed = Some(MixedPhase {
                prepare: true,
                left: G1_MIXED_GC_COUNT_TARGET,
                reclaimable: marked.garbage_marked,
                garbage_per_collection: marked.garbage_marked.div_ceil(count),
                live_per_collection: marked.memstore_live_marked / count,
            });
        }
    }

    /// A young collection moves the mixed collections on: past "Prepare Mixed", or one mixed
    /// collection fewer, ending when none is left or the garbage left is below the waste.
    fn advance_mixed(&mut self, kind: PauseKind, reclaimed: u64) {
        let Some(mut mixed) = self.mixed else {
            return;
        };
        if kind == PauseKind::Young {
            mixed.prepare = false;
        } else {
            assert!(mixed.left > 0, "a mixed collection beyond the count target");
            mixed.left -= 1;
            mixed.reclaimable -= reclaimed;
        }
        let done = mixed.left == 0 || self.below_waste(mixed.reclaimable);
        self.mixed = (!done).then_some(mixed);
    }

    /// Whether `garbage` is at most G1HeapWastePercent of the heap.
    fn below_waste(&self, garbage: u64) -> bool {
        u128::from(garbage) * 100 <= u128::from(G1_HEAP_WASTE_PERCENT) * u128::from(self.heap_bytes)
    }

    fn end_cycle(&mut self) {
        self.cycle = None;
        self.concurrent_cycles_completed += 1;
    }

    fn reclaim(&mut self, bytes: u64) {
        self.garbage -= bytes;
        self.reclaimed_bytes += u128::from(bytes);
    }

    fn record(&mut self, kind: PauseKind, duration: SimDuration) -> Pause {
        self.pauses.record(duration);
        self.pause_total = self.pause_total.saturating_add(duration);
        let figures = &mut self.by_kind[kind.index()];
        figures.pauses.record(duration);
        figures.total = figures.total.saturating_add(duration);
        Pause { kind, duration }
    }
}

/// The time `bytes` take at `rate` bytes per second.
fn over(bytes: u64, rate: u64) -> SimDuration {
    SimDuration::from_secs_f64(bytes as f64 / rate as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    /// A G1 JVM with a 1000 MB heap (IHOP 45%: 450 MB), a 100 MB young generation, no baseline
    /// and round rates: copying at 100 MB/s, marking at 50 MB/s, full collections at 10 MB/s.
    fn spec(collector: Collector) -> JvmSpec {
        JvmSpec {
            gc: true,
            collector,
            young_bytes: 100 * MB,
            pause_base: SimDuration::from_millis(5),
            copy_rate: 100 * MB,
            old_live_bytes: 0,
            initiating_percent: match collector {
                Collector::G1 => 45,
                Collector::Cms => 70,
            },
            full_rate: 10 * MB,
            mark_rate: 50 * MB,
        }
    }

    fn kinds(stop: &Stop) -> Vec<PauseKind> {
        stop.pauses.iter().map(|pause| pause.kind).collect()
    }

    // A young generation collects once per young size allocated; its pause is the base plus
    // the memstore data not yet promoted at the copy rate.
    #[test]
    fn collections_follow_allocation_and_pauses_follow_live_data() {
        let mut gc = Gc::new(spec(Collector::G1), 1000 * MB);
        assert_eq!(gc.allocate(50 * MB, 0), None);
        let stop = gc.allocate(50 * MB, 10 * MB).expect("full");
        assert_eq!(stop.duration(), SimDuration::from_millis(105));
        let stop = gc.allocate(100 * MB, 10 * MB).expect("full");
        assert_eq!(stop.duration(), SimDuration::from_millis(5));
        assert_eq!(gc.figures(PauseKind::Young).pauses.count(), 2);
        assert_eq!(gc.promoted_bytes, u128::from(10 * MB));
        assert_eq!(gc.old_occupancy_bytes(), 10 * MB);
    }

    // A flush turns promoted data into garbage (occupancy unchanged); data flushed before it
    // was promoted dies young.
    #[test]
    fn a_flush_turns_promoted_data_into_garbage() {
        let mut gc = Gc::new(spec(Collector::G1), 1000 * MB);
        gc.allocate(100 * MB, 30 * MB);
        gc.memstore_released(20 * MB);
        assert_eq!(gc.old_live_bytes(), 10 * MB);
        assert_eq!(gc.old_garbage_bytes(), 20 * MB);
        gc.memstore_released(15 * MB);
        assert_eq!(gc.old_live_bytes(), 0);
        assert_eq!(gc.old_occupancy_bytes(), 30 * MB);
    }

    // G1: the young collection that leaves the old generation at IHOP (450 MB of 1000) asks for
    // marking, the next one starts it; marking takes live ÷ mark rate, then remark and
    // cleanup pauses; then one young-only collection and mixed collections, each reclaiming
    // an eighth of the garbage marking saw and copying an eighth of its live data, until the
    // garbage left is at most 5% of the heap (50 MB).
    #[test]
    fn g1_marks_past_ihop_then_mixed_collections_reclaim() {
        let mut gc = Gc::new(spec(Collector::G1), 1000 * MB);
        // 400 MB promoted, 360 of it flushed: 40 live, 360 garbage — below IHOP.
        assert_eq!(
            gc.allocate(100 * MB, 400 * MB).unwrap().next_step_after,
            None
        );
        gc.memstore_released(360 * MB);
        // 50 MB more: 450 MB, at IHOP: marking asked for, not started.
        let stop = gc.allocate(100 * MB, 90 * MB).unwrap();
        assert_eq!(
            (kinds(&stop), stop.next_step_after),
            (vec![PauseKind::Young], None)
        );
        assert_eq!(gc.concurrent_cycles, 0);
        // The next young collection (10 MB more) starts marking: 100 MB live at 50 MB/s.
        let stop = gc.allocate(100 * MB, 100 * MB).unwrap();
        assert_eq!(stop.next_step_after, Some(SimDuration::from_secs(2)));
        assert_eq!(gc.old_at_cycle_start_min_bytes, Some(460 * MB));
        let cycle = gc.cycle_id().expect("marking");
        let remark = gc.cycle_step(cycle).unwrap();
        assert_eq!(kinds(&remark), vec![PauseKind::Remark]);
        assert_eq!(remark.next_step_after, Some(SimDuration::ZERO));
        let cleanup = gc.cycle_step(cycle).unwrap();
        assert_eq!(
            (kinds(&cleanup), cleanup.next_step_after),
            (vec![PauseKind::Cleanup], None)
        );
        assert_eq!(gc.cycle_id(), None);
        assert_eq!(gc.cycle_step(cycle), None);
        // Prepare Mixed: young only.
        assert_eq!(
            kinds(&gc.allocate(100 * MB, 100 * MB).unwrap()),
            vec![PauseKind::Young]
        );
        // Marking saw 100 MB live and 360 MB garbage (22% live): 45 MB reclaimed and 12.5 MB
        // copied per mixed collection, until at most 50 MB is left: 7 of them.
        for left in (0..7u64).rev() {
            let stop = gc.allocate(100 * MB, 100 * MB).unwrap();
            assert_eq!(kinds(&stop), vec![PauseKind::Mixed]);
            assert_eq!(
                stop.duration(),
                SimDuration::from_millis(5) + over(100 * MB / 8, 100 * MB)
            );
            assert_eq!(gc.old_garbage_bytes(), 45 * MB + left * 45 * MB);
        }
        assert_eq!(
            kinds(&gc.allocate(100 * MB, 100 * MB).unwrap()),
            vec![PauseKind::Young]
        );
        assert_eq!(gc.figures(PauseKind::Mixed).pauses.count(), 7);
        assert_eq!(gc.reclaimed_bytes, u128::from(315 * MB));
    }

    // G1: marking that finds the memstore's regions too live (above 85%: 440 MB live, 60 MB
    // garbage) or too little garbage (at most 5% of the heap: 40 MB beside a 400 MB baseline)
    // gives no mixed collections.
    #[test]
    fn g1_skips_mixed_collections_without_worthwhile_candidates() {
        for (old_live, promoted, flushed) in [(0, 500, 60), (400, 100, 40)] {
            let mut gc = Gc::new(
                JvmSpec {
                    old_live_bytes: old_live * MB,
                    ..spec(Collector::G1)
                },
                1000 * MB,
            );
            gc.allocate(100 * MB, promoted * MB);
            gc.memstore_released(flushed * MB);
            gc.allocate(100 * MB, (promoted - flushed) * MB);
            let cycle = gc.cycle_id().expect("marking");
            gc.cycle_step(cycle);
            gc.cycle_step(cycle);
            assert_eq!(gc.concurrent_cycles_completed, 1);
            for _ in 0..2 {
                let stop = gc.allocate(100 * MB, (promoted - flushed) * MB).unwrap();
                assert_eq!(kinds(&stop), vec![PauseKind::Young], "{old_live} {flushed}");
            }
        }
    }

    // A promotion that does not fit in the heap less the young generation (900 MB) fails into
    // a full collection of the live data (here 950 MB of memstore) at the full rate; the
    // garbage is gone and marking abandoned.
    #[test]
    fn a_promotion_that_does_not_fit_fails_into_a_full_collection() {
        let mut gc = Gc::new(spec(Collector::G1), 1000 * MB);
        gc.allocate(100 * MB, 500 * MB);
        gc.memstore_released(100 * MB);
        gc.allocate(100 * MB, 800 * MB);
        assert!(gc.in_concurrent_cycle() || gc.marking_requested);
        let stop = gc.allocate(100 * MB, 950 * MB).unwrap();
        assert_eq!(kinds(&stop), vec![PauseKind::Young, PauseKind::Full]);
        assert_eq!(stop.pauses[1].duration, SimDuration::from_secs(95));
        assert_eq!(gc.old_occupancy_bytes(), 950 * MB);
        assert_eq!(gc.old_garbage_bytes(), 0);
        assert_eq!(gc.old_peak_bytes, 900 * MB);
        assert!(!gc.in_concurrent_cycle());
    }

    // CMS: past 70% of the old generation (630 MB of 900) a cycle starts as the young pause
    // ends: initial mark, marking over the live data, remark, a sweep over the occupancy that
    // frees the garbage found at remark. Promotion that fills the old generation during the
    // cycle is a concurrent mode failure.
    #[test]
    fn cms_sweeps_past_its_fraction_and_fails_when_promotion_outruns_it() {
        let mut gc = Gc::new(spec(Collector::Cms), 1000 * MB);
        gc.allocate(100 * MB, 600 * MB);
        gc.memstore_released(500 * MB);
        let stop = gc.allocate(100 * MB, 130 * MB).unwrap();
        assert_eq!(stop.next_step_after, Some(SimDuration::ZERO));
        let cycle = gc.cycle_id().expect("a cycle");
        let initial = gc.cycle_step(cycle).unwrap();
        assert_eq!(kinds(&initial), vec![PauseKind::InitialMark]);
        // 130 MB live at 50 MB/s.
        assert_eq!(initial.next_step_after, Some(over(130 * MB, 50 * MB)));
        let remark = gc.cycle_step(cycle).unwrap();
        assert_eq!(kinds(&remark), vec![PauseKind::Remark]);
        assert_eq!(remark.next_step_after, Some(over(630 * MB, 50 * MB)));
        gc.memstore_released(30 * MB);
        let sweep = gc.cycle_step(cycle).unwrap();
        assert!(sweep.pauses.is_empty());
        // The 500 MB seen at remark freed; the 30 MB flushed since floats.
        assert_eq!(gc.old_garbage_bytes(), 30 * MB);
        assert_eq!(gc.concurrent_cycles_completed, 1);

        let mut gc = Gc::new(spec(Collector::Cms), 1000 * MB);
        gc.allocate(100 * MB, 600 * MB);
        gc.memstore_released(500 * MB);
        gc.allocate(100 * MB, 130 * MB);
        let stop = gc.allocate(100 * MB, 500 * MB).unwrap();
        assert_eq!(kinds(&stop), vec![PauseKind::Young, PauseKind::Full]);
        assert_eq!(gc.concurrent_mode_failures, 1);
    }

    // ParallelGCThreads and ConcGCThreads as HotSpot sizes them: 16 cores give 13 parallel
    // threads, so 3 concurrent ones for G1 and 4 for CMS; one core still gets one.
    #[test]
    fn gc_threads_follow_the_cores() {
        assert_eq!(parallel_gc_threads(4), 4);
        assert_eq!(parallel_gc_threads(16), 13);
        assert_eq!(parallel_gc_threads(36), 25);
        assert_eq!(conc_gc_threads(Collector::G1, 16), 3);
        assert_eq!(conc_gc_threads(Collector::Cms, 16), 4);
        assert_eq!(conc_gc_threads(Collector::G1, 1), 1);
    }
}
