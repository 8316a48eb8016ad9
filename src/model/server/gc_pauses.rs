//! Garbage-collection pauses at work (`model::gc`, with `[jvm] gc = "on"`): the server's
//! allocations fill the young generation; a collection stops every server thread until its
//! pause ends (the event loop holds their events back, the cores stop), while clients, the
//! network, HDFS and the master go on; a pause longer than the ZooKeeper session expires it.

use super::RegionServer;
use crate::model::event::Event;
use crate::model::hdfs::devices::Device;
use crate::model::timeline::MarkerKind;
use crate::scenario::jvm::{CALL_BYTES_DEFAULT, PER_REQUEST_BYTE_DEFAULT};

impl RegionServer<'_> {
    /// The server allocates `bytes` on the heap; if that fills the young generation, a young
    /// collection pauses it.
    pub(super) fn allocate(&mut self, bytes: u64) {
        let memstore_added = self.stats.memstore.heap_bytes_added;
        let Some(pause) = self
            .gc
            .as_mut()
            .and_then(|gc| gc.allocate(bytes, memstore_added))
        else {
            return;
        };
        let now = self.now();
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
        self.timeline.mark(now, MarkerKind::GcPause, None, "young");
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
