//! The compaction throughput controller (`hbase.regionserver.throughput.controller`).
//!
//! 2.5 defaults to PressureAwareCompactionThroughputController; 1.4 to NoLimitThroughputController
//! (CompactionThroughputControllerFactory in each line). The pressure-aware controller starts at
//! its lower bound and, every `hbase.hstore.compaction.throughput.tune.period` (60 s), sets its
//! limit from the server's compaction pressure — the largest of any store's
//! (files − min files to compact) / (blocking files − min files), 0 at or below the minimum:
//! above 1 (a store at its blocking count) unlimited; in off-peak hours the off-peak limit
//! (unlimited by default); otherwise lower + (higher − lower) × pressure. The limit is split
//! evenly over the compactions running (maxThroughputPerOperation, recomputed when one starts or
//! finishes and when the limit is tuned). HBase enforces it by sleeping a compaction whenever it
//! has written `controlPerSize` bytes faster than its share; here that is a cap on the
//! compaction's rate on the write pipe, which the sleeps approximate.

/// Limits at or above this are "unlimited" (PressureAwareThroughputController.throughputDesc).
const UNLIMITED_BYTES_PER_SEC: f64 = 1e15;

/// Which controller, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ThroughputController {
    NoLimit,
    PressureAware {
        lower_bytes_per_sec: f64,
        higher_bytes_per_sec: f64,
        offpeak_bytes_per_sec: f64,
        /// The limit in force (set by `tune`).
        max_bytes_per_sec: f64,
    },
}

impl ThroughputController {
    /// The pressure-aware controller as `setConf` leaves it: at its lower bound.
    pub fn pressure_aware(lower: u64, higher: u64, offpeak: u64) -> ThroughputController {
        ThroughputController::PressureAware {
            lower_bytes_per_sec: lower as f64,
            higher_bytes_per_sec: higher as f64,
            offpeak_bytes_per_sec: offpeak as f64,
            max_bytes_per_sec: lower as f64,
        }
    }

    /// The tuner chore: a new limit from the server's compaction pressure.
    pub fn tune(&mut self, pressure: f64, off_peak: bool) {
        if let ThroughputController::PressureAware {
            lower_bytes_per_sec,
            higher_bytes_per_sec,
            offpeak_bytes_per_sec,
            max_bytes_per_sec,
        } = self
        {
            *max_bytes_per_sec = if pressure > 1.0 {
                f64::MAX
            } else if off_peak {
                *offpeak_bytes_per_sec
            } else {
                *lower_bytes_per_sec + (*higher_bytes_per_sec - *lower_bytes_per_sec) * pressure
            };
        }
    }

    /// The server-wide limit, None when unlimited.
    pub fn limit(&self) -> Option<u64> {
        match self {
            ThroughputController::NoLimit => None,
            ThroughputController::PressureAware {
                max_bytes_per_sec, ..
            } => {
                (*max_bytes_per_sec < UNLIMITED_BYTES_PER_SEC).then_some(*max_bytes_per_sec as u64)
            }
        }
    }

    /// Each running compaction's cap when `active` compactions run, None when unlimited.
    pub fn per_operation_cap(&self, active: usize) -> Option<u64> {
        let limit = self.limit()?;
        Some(limit / active.max(1) as u64)
    }

    /// Whether the tuner chore runs at all.
    pub fn is_tuned(&self) -> bool {
        matches!(self, ThroughputController::PressureAware { .. })
    }
}

/// One store's compaction pressure (DefaultStoreFileManager.getCompactionPressure).
pub fn store_compaction_pressure(
    files: usize,
    min_files_to_compact: usize,
    blocking: usize,
) -> f64 {
    if files <= min_files_to_compact {
        return 0.0;
    }
    (files - min_files_to_compact) as f64 / (blocking as f64 - min_files_to_compact as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    // The 2.x defaults: 50 MB/s at rest, 100 MB/s at pressure 1, unlimited above it, the
    // off-peak limit (unlimited by default) in off-peak hours; split over running compactions.
    #[test]
    fn the_limit_follows_pressure_between_the_bounds() {
        let mut controller = ThroughputController::pressure_aware(50 * MB, 100 * MB, u64::MAX);
        assert_eq!(controller.limit(), Some(50 * MB));
        controller.tune(0.5, false);
        assert_eq!(controller.limit(), Some(75 * MB));
        assert_eq!(controller.per_operation_cap(3), Some(25 * MB));
        controller.tune(1.0, false);
        assert_eq!(controller.limit(), Some(100 * MB));
        controller.tune(1.01, false);
        assert_eq!(controller.limit(), None);
        controller.tune(0.2, true);
        assert_eq!(controller.limit(), None);
        assert_eq!(ThroughputController::NoLimit.per_operation_cap(1), None);
    }

    // (files − min) / (blocking − min): with min 3 and blocking 16, 3 files are no pressure,
    // 16 are 1, 17 are above 1.
    #[test]
    fn store_pressure_is_files_between_min_and_blocking() {
        assert_eq!(store_compaction_pressure(3, 3, 16), 0.0);
        assert_eq!(store_compaction_pressure(16, 3, 16), 1.0);
        assert!(store_compaction_pressure(17, 3, 16) > 1.0);
        assert!((store_compaction_pressure(9, 3, 16) - 6.0 / 13.0).abs() < 1e-12);
    }
}
