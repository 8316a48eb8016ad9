//! `[[faults]]`: injected failures, each at a time, in a window with a probability, or both.
//!
//! `at` with `count` (default 1) makes the first `count` occasions at or after `at` fail; a
//! window (`start`, `end`) with a `probability` makes each occasion inside it fail with that
//! probability, drawn from the fault's own random stream. WAL sync failures are modelled; the
//! other kinds (crash, torn writes, corruption, slow syncs and disks, ZooKeeper expiry) come with
//! the WAL files and recovery, and are refused clearly until then rather than ignored (a silently
//! skipped crash would give a wrong answer).

use super::document::Node;
use super::error::{ErrorKind, ScenarioError};
use super::writer::float;
use crate::sim::SimDuration;

/// The fault kinds a scenario may name.
pub const FAULT_KINDS: &[&str] = &[
    "crash",
    "wal_sync_failure",
    "wal_slow_sync",
    "wal_torn_write",
    "wal_corruption",
    "slow_disk",
    "zk_expiry",
];

/// Most occasions one timed fault may hit.
pub const FAULT_COUNT_MAX: u64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A WAL sync fails (the HDFS pipeline breaks): handled per provider and profile.
    WalSyncFailure,
}

impl FaultKind {
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::WalSyncFailure => "wal_sync_failure",
        }
    }
}

/// When a fault strikes.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultTiming {
    /// The first `count` occasions at or after `at`.
    pub at: Option<(SimDuration, u32)>,
    /// Each occasion in [start, end) with this probability.
    pub window: Option<(SimDuration, SimDuration, f64)>,
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub timing: FaultTiming,
}

impl FaultSpec {
    pub fn read(node: &Node<'_, '_>, run: SimDuration) -> Result<FaultSpec, ScenarioError> {
        let table = node.table()?;
        let kind_node = table.require("kind", "the kind of fault")?;
        let kind = match kind_node.choice(FAULT_KINDS)? {
            "wal_sync_failure" => FaultKind::WalSyncFailure,
            other => {
                return Err(kind_node.error(
                    ErrorKind::Unsupported,
                    format!(
                        "fault \"{other}\" is not modelled by this version of regionsim yet (modelled: wal_sync_failure); remove the [[faults]] entry to run"
                    ),
                ));
            }
        };
        let at = match table.get("at") {
            Some(node) => {
                let at = node.duration()?;
                if at >= run {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("the fault at {at} comes after the run ends ({run})"),
                    ));
                }
                let count = match table.get("count") {
                    Some(node) => {
                        let count = node.u64()?;
                        if !(1..=FAULT_COUNT_MAX).contains(&count) {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                format!("count must be 1 to {FAULT_COUNT_MAX}, found {count}"),
                            ));
                        }
                        count as u32
                    }
                    None => 1,
                };
                Some((at, count))
            }
            None => None,
        };
        let window = match table.get("probability") {
            Some(node) => {
                let probability = node.f64()?;
                if !(0.0..=1.0).contains(&probability) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("probability must be from 0 to 1, found {probability}"),
                    ));
                }
                let start = match table.get("start") {
                    Some(node) => node.duration()?,
                    None => SimDuration::ZERO,
                };
                let end = match table.get("end") {
                    Some(node) => {
                        let end = node.duration()?;
                        if end <= start {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                format!("end ({end}) must come after start ({start})"),
                            ));
                        }
                        end
                    }
                    None => run,
                };
                Some((start, end, probability))
            }
            None => None,
        };
        if at.is_none() && window.is_none() {
            return Err(node.error(
                ErrorKind::MissingKey,
                "a fault needs `at` (with an optional `count`) or a `probability` (with an optional `start` and `end`)",
            ));
        }
        if at.is_none() && table.get("count").is_some() {
            return Err(node.error(ErrorKind::Impossible, "count goes with at"));
        }
        table.finish(&format!("a {} fault", kind.name()))?;
        Ok(FaultSpec {
            kind,
            timing: FaultTiming { at, window },
        })
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[[faults]]\n");
        out.push_str(&format!("kind = \"{}\"\n", self.kind.name()));
        if let Some((at, count)) = self.timing.at {
            out.push_str(&format!("at = \"{at}\"\ncount = {count}\n"));
        }
        if let Some((start, end, probability)) = self.timing.window {
            out.push_str(&format!(
                "start = \"{start}\"\nend = \"{end}\"\nprobability = {}\n",
                float(probability)
            ));
        }
        out.push('\n');
    }
}
