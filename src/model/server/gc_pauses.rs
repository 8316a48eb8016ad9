//! Garbage-collection pauses at work (`model::gc`, with `[jvm] gc = "on"`): the server's
//! allocations fill the young generation; a collection stops every server thread until its
//! pause ends (the event loop holds their events back, the cores stop), while clients, the
//! network, HDFS and the master go on; the collector's concurrent cycle runs as events between
//! its pauses (held back by a pause too, as HotSpot suspends concurrent work at a safepoint);
//! a pause longer than the ZooKeeper session expires it, whichever kind it is.

use super::{RegionServer, TransferOwner};
use crate::model::event::Event;
use crate::model::gc::{Stop, conc_gc_threads};
use crate::model::hdfs::devices::Device;
use crate::model::timeline::MarkerKind;
use crate::scenario::jvm::{CALL_BYTES_DEFAULT, PER_REQUEST_BYTE_DEFAULT};
use crate::sim::SimDuration;

impl RegionServer<'_> {
    /// The server allocates `bytes` on the heap; if that fills the young generation, a young
    /// collection (and perhaps a full one) pauses it.
    pub(super) fn allocate(&mut self, bytes: u64) {
        let memstore_heap = self.global.heap;
        if let Some(stop) = self
            .gc
            .as_mut()
            .and_then(|gc| gc.allocate(bytes, memstore_heap))
        {
            self.stop_the_world(stop);
        }
    }

    /// The concurrent cycle's next step: a pause, or the end of a sweep.
    pub(super) fn on_gc_cycle_step(&mut self, cycle: u64) {
        if let Some(stop) = self.gc.as_mut().and_then(|gc| gc.cycle_step(cycle)) {
            self.stop_the_world(stop);
        }
    }

    /// Every server thread stops for the stop's pauses (each marked in `events.csv` as it
    /// starts the stop); the cycle's next step is due after them.
    fn stop_the_world(&mut self, stop: Stop) {
        let now = self.now();
        let pause = stop.duration();
        if !stop.pauses.is_empty() {
            self.paused_until = now.saturating_add(pause);
            self.stats.gc_paused.set(now, 1);
            self.devices.set_cpu_running(now, false);
            self.queue
                .schedule_at(self.paused_until, Event::GcPauseEnds);
            if pause > self.config.zk_session_timeout {
                self.queue.schedule_at(
                    now.saturating_add(self.config.zk_session_timeout),
                    Event::GcSessionExpired,
                );
            }
        }
        for kind in stop.pauses.iter().map(|pause| pause.kind) {
            self.timeline
                .mark(now, MarkerKind::GcPause, None, kind.name());
        }
        let cycle = self.gc.as_ref().and_then(|gc| gc.cycle_id());
        if let (Some(after), Some(cycle)) = (stop.next_step_after, cycle) {
            self.queue.schedule_at(
                now.saturating_add(pause).saturating_add(after),
                Event::GcCycleStep { cycle },
            );
            self.run_concurrent_gc_threads(after);
        }
    }

    /// With the cores modelled, the collector's concurrent phase (the time to its next step:
    /// marking, CMS's sweep) keeps its ConcGCThreads busy on the cores throughout, beside the
    /// server's threads. Their work does not set the phase's length (`mark_rate` does); it
    /// takes the cores' time from the threads that share them.
    fn run_concurrent_gc_threads(&mut self, phase: SimDuration) {
        let (Some(cores), Some(gc)) = (self.scenario.cpu.cores, self.gc.as_ref()) else {
            return;
        };
        if phase.is_zero() {
            return;
        }
        let now = self.now();
        for _ in 0..conc_gc_threads(gc.collector(), cores) {
            self.devices.start_cpu(now, phase, TransferOwner::GcCpu);
        }
        self.schedule_write_done(Device::Cpu);
    }

    /// What a call allocates as a handler takes it: its request read into a buffer and
    /// decoded into cells, the call's and its answer's objects.
    pub(super) fn call_allocation(&self, request_bytes: u64) -> u64 {
        CALL_BYTES_DEFAULT + PER_REQUEST_BYTE_DEFAULT * request_bytes
    }

    /// The process died: its pause dies with it, and its successor's threads run.
    pub(super) fn end_pause_with_the_process(&mut self) {
        let now = self.now();
        self.paused_until = self.paused_until.min(now);
        self.stats.gc_paused.set(now, 0);
        self.devices.set_cpu_running(now, true);
    }

    /// The pause is over: the threads run again.
    pub(super) fn on_gc_pause_ends(&mut self) {
        let now = self.now();
        if now < self.paused_until {
            return;
        }
        self.stats.gc_paused.set(now, 0);
        self.devices.set_cpu_running(now, true);
        if self.devices.has_cpu() {
            self.schedule_write_done(Device::Cpu);
        }
    }
}
