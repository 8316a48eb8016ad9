//! The flush throughput controller (`hbase.regionserver.flush.throughput.controller`).
//!
//! Both lines default to NoLimitThroughputController (FlushThroughputControllerFactory, the same
//! in 1.4 and 2.5). The alternative, PressureAwareFlushThroughputController, starts at its lower
//! bound (`hbase.hstore.flush.throughput.lower.bound`, 100 MB/s) and, every
//! `hbase.hstore.flush.throughput.tune.period` (20 s, the first a period after start), sets its
//! limit from the server's flush pressure: the global memstore heap size over the global lower
//! limit (RegionServerAccounting.getFlushPressure in 2.5, HRegionServer.getFlushPressure in 1.4).
//! At a pressure of 1 or more the limit goes (flushing must not wait once the flusher is
//! flushing for memory); below it the limit is lower + (upper − lower) × pressure. The limit is
//! split evenly over the flushes writing (PressureAwareThroughputController's
//! maxThroughputPerOperation, one operation per store flushing, and a region flushes its stores
//! one after another). HBase enforces the share by sleeping a flush whenever it has written
//! `hbase.hstore.flush.throughput.control.check.interval` (10 MB) faster than allowed; here the
//! share is a cap on the flush's rate on the write pipe, as for compactions, which the sleeps
//! approximate. Off-peak hours play no part: the flush controller reads them and never uses
//! them.

/// Limits at or above this are "unlimited" (PressureAwareThroughputController.throughputDesc).
const UNLIMITED_BYTES_PER_SEC: f64 = 1e15;

/// The pressure-aware controller's bounds (bytes per second).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    lower: f64,
    upper: f64,
}

/// The flush throughput controller in force.
#[derive(Debug, Clone, PartialEq)]
pub struct FlushThroughputController {
    /// The pressure-aware controller's bounds; `None` for NoLimitThroughputController.
    bounds: Option<Bounds>,
    /// The limit in force, for all flushes together.
    max_bytes_per_sec: f64,
}

impl FlushThroughputController {
    pub const NO_LIMIT: FlushThroughputController = FlushThroughputController {
        bounds: None,
        max_bytes_per_sec: f64::MAX,
    };

    /// The pressure-aware controller as `setConf` leaves it: at its lower bound.
    pub fn pressure_aware(lower_bytes_per_sec: u64, upper_bytes_per_sec: u64) -> Self {
        FlushThroughputController {
            bounds: Some(Bounds {
                lower: lower_bytes_per_sec as f64,
                upper: upper_bytes_per_sec as f64,
            }),
            max_bytes_per_sec: lower_bytes_per_sec as f64,
        }
    }

    /// Whether the tuner chore runs at all.
    pub fn is_tuned(&self) -> bool {
        self.bounds.is_some()
    }

    /// The tuner chore: a new limit from the flush pressure (global memstore heap ÷ the lower
    /// limit).
    pub fn tune(&mut self, flush_pressure: f64) {
        let Some(bounds) = self.bounds else {
            return;
        };
        self.max_bytes_per_sec = if flush_pressure >= 1.0 {
            f64::MAX
        } else {
            bounds.lower + (bounds.upper - bounds.lower) * flush_pressure
        };
    }

    /// Each writing flush's cap when `active` flushes write, `None` when unlimited.
    pub fn per_operation_cap(&self, active: usize) -> Option<u64> {
        (self.max_bytes_per_sec < UNLIMITED_BYTES_PER_SEC)
            .then(|| self.max_bytes_per_sec as u64 / active.max(1) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    // HBase's defaults: 100 MB/s with no pressure, 150 MB/s at half the lower limit, unlimited
    // from the lower limit on; the limit is shared by the flushes writing. NoLimit never caps.
    #[test]
    fn the_limit_follows_flush_pressure() {
        let mut controller = FlushThroughputController::pressure_aware(100 * MB, 200 * MB);
        assert!(controller.is_tuned());
        assert_eq!(controller.per_operation_cap(1), Some(100 * MB));
        controller.tune(0.5);
        assert_eq!(controller.per_operation_cap(1), Some(150 * MB));
        assert_eq!(controller.per_operation_cap(3), Some(50 * MB));
        controller.tune(0.999);
        assert!(controller.per_operation_cap(1).is_some());
        controller.tune(1.0);
        assert_eq!(controller.per_operation_cap(1), None);
        controller.tune(0.0);
        assert_eq!(controller.per_operation_cap(2), Some(50 * MB));
        let mut none = FlushThroughputController::NO_LIMIT;
        none.tune(0.0);
        assert!(!none.is_tuned());
        assert_eq!(none.per_operation_cap(1), None);
    }
}
