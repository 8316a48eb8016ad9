//! `[[faults]]`: injected failures, each at a time, in a window with a probability, or both.
//!
//! `at` with `count` (default 1) makes the first `count` occasions at or after `at` strike; a
//! window (`start`, `end`) with a `probability` makes each occasion inside it strike with that
//! probability, drawn from the fault's own random stream. What an occasion is depends on the
//! kind:
//!
//! | kind | occasion | settings |
//! | --- | --- | --- |
//! | `crash` | the time `at` itself; with `during`, each WAL sync (`"sync"`), flush (`"flush"`) or WAL roll (`"roll"`) as it starts | `during` |
//! | `zk_expiry` | the time `at` | |
//! | `wal_sync_failure` | each WAL sync as it ends | |
//! | `wal_slow_sync` | each WAL sync as it starts: it takes `delay` longer | `delay` |
//! | `wal_torn_write` | each WAL sync as it starts: the server dies with part of the sync's last entry on disk | `fraction` (of that entry, default drawn) |
//! | `wal_corruption` | the time `at`: one byte inside an entry of a WAL file flips | `file` (`"current"` or `"oldest"`) |
//! | `slow_disk` | the time `at`: for `duration`, the disks run `factor` times slower | `duration`, `factor` |
//!
//! The kinds that strike at a time strike once (no `count`, no `probability`).

use super::document::{Node, Table};
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

/// The largest slow-disk factor.
pub const SLOW_DISK_FACTOR_MAX: f64 = 1_000_000.0;

/// Where in the server's work a crash strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CrashPoint {
    /// As a WAL sync starts: its bytes are handed to HDFS, none acknowledged.
    Sync,
    /// As a flush starts, before its files commit.
    Flush,
    /// As a WAL roll starts: the new file is created, the old one not yet closed.
    Roll,
}

impl CrashPoint {
    pub const NAMES: &'static [&'static str] = &["sync", "flush", "roll"];

    pub fn name(self) -> &'static str {
        match self {
            CrashPoint::Sync => "sync",
            CrashPoint::Flush => "flush",
            CrashPoint::Roll => "roll",
        }
    }
}

/// Which WAL file a corruption damages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptedFile {
    /// The file being written.
    Current,
    /// The oldest file not yet archived.
    Oldest,
}

impl CorruptedFile {
    pub fn name(self) -> &'static str {
        match self {
            CorruptedFile::Current => "current",
            CorruptedFile::Oldest => "oldest",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// The RegionServer process dies (at a time, or at a point of its work).
    Crash { during: Option<CrashPoint> },
    /// The server's ZooKeeper session expires: the master sees it dead at once and the server
    /// aborts when told.
    ZkExpiry,
    /// A WAL sync fails (the HDFS pipeline breaks): handled per provider and profile.
    WalSyncFailure,
    /// A WAL sync takes `delay` longer.
    WalSlowSync { delay: SimDuration },
    /// The server dies while a sync writes; `fraction` of the last entry's bytes reach disk
    /// (`None`: drawn from the fault's stream).
    WalTornWrite { fraction: Option<f64> },
    /// A byte inside an entry of a WAL file flips.
    WalCorruption { file: CorruptedFile },
    /// For `duration`, the WAL and HDFS disks run `factor` times slower (bandwidth ÷ factor,
    /// sync latency × factor).
    SlowDisk { duration: SimDuration, factor: f64 },
}

impl FaultKind {
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash { .. } => "crash",
            FaultKind::ZkExpiry => "zk_expiry",
            FaultKind::WalSyncFailure => "wal_sync_failure",
            FaultKind::WalSlowSync { .. } => "wal_slow_sync",
            FaultKind::WalTornWrite { .. } => "wal_torn_write",
            FaultKind::WalCorruption { .. } => "wal_corruption",
            FaultKind::SlowDisk { .. } => "slow_disk",
        }
    }

    /// Whether the fault strikes at its time `at`, once, rather than at occasions.
    pub fn strikes_at_a_time(self) -> bool {
        matches!(
            self,
            FaultKind::Crash { during: None }
                | FaultKind::ZkExpiry
                | FaultKind::WalCorruption { .. }
                | FaultKind::SlowDisk { .. }
        )
    }

    /// Whether it kills the server.
    pub fn is_crash(self) -> bool {
        matches!(
            self,
            FaultKind::Crash { .. } | FaultKind::ZkExpiry | FaultKind::WalTornWrite { .. }
        )
    }

    fn read(kind: &str, table: &Table<'_, '_>) -> Result<FaultKind, ScenarioError> {
        Ok(match kind {
            "crash" => FaultKind::Crash {
                during: match table.get("during") {
                    Some(node) => Some(match node.choice(CrashPoint::NAMES)? {
                        "sync" => CrashPoint::Sync,
                        "flush" => CrashPoint::Flush,
                        _ => CrashPoint::Roll,
                    }),
                    None => None,
                },
            },
            "zk_expiry" => FaultKind::ZkExpiry,
            "wal_sync_failure" => FaultKind::WalSyncFailure,
            "wal_slow_sync" => {
                let node = table.require("delay", "how much longer each slow sync takes")?;
                let delay = node.duration()?;
                if delay.is_zero() {
                    return Err(node.error(ErrorKind::Impossible, "delay must be above zero"));
                }
                FaultKind::WalSlowSync { delay }
            }
            "wal_torn_write" => FaultKind::WalTornWrite {
                fraction: match table.get("fraction") {
                    Some(node) => {
                        let fraction = node.f64()?;
                        if !(fraction > 0.0 && fraction < 1.0) {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                format!(
                                    "fraction must be above 0 and below 1 (part of an entry), found {fraction}"
                                ),
                            ));
                        }
                        Some(fraction)
                    }
                    None => None,
                },
            },
            "wal_corruption" => FaultKind::WalCorruption {
                file: match table.get("file") {
                    Some(node) => match node.choice(&["current", "oldest"])? {
                        "current" => CorruptedFile::Current,
                        _ => CorruptedFile::Oldest,
                    },
                    None => CorruptedFile::Current,
                },
            },
            _ => {
                let duration_node = table.require("duration", "how long the disks are slow")?;
                let duration = duration_node.duration()?;
                if duration.is_zero() {
                    return Err(
                        duration_node.error(ErrorKind::Impossible, "duration must be above zero")
                    );
                }
                let factor_node = table.require("factor", "how many times slower the disks run")?;
                let factor = factor_node.f64()?;
                if !(factor > 1.0 && factor <= SLOW_DISK_FACTOR_MAX) {
                    return Err(factor_node.error(
                        ErrorKind::Impossible,
                        format!(
                            "factor must be above 1 and at most {SLOW_DISK_FACTOR_MAX}, found {factor}"
                        ),
                    ));
                }
                FaultKind::SlowDisk { duration, factor }
            }
        })
    }

    fn write(self, out: &mut String) {
        match self {
            FaultKind::Crash {
                during: Some(point),
            } => out.push_str(&format!("during = \"{}\"\n", point.name())),
            FaultKind::WalSlowSync { delay } => out.push_str(&format!("delay = \"{delay}\"\n")),
            FaultKind::WalTornWrite {
                fraction: Some(fraction),
            } => out.push_str(&format!("fraction = {}\n", float(fraction))),
            FaultKind::WalCorruption { file } => {
                out.push_str(&format!("file = \"{}\"\n", file.name()))
            }
            FaultKind::SlowDisk { duration, factor } => out.push_str(&format!(
                "duration = \"{duration}\"\nfactor = {}\n",
                float(factor)
            )),
            _ => {}
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
        let kind = FaultKind::read(kind_node.choice(FAULT_KINDS)?, &table)?;
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
                        if kind.strikes_at_a_time() && count != 1 {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                format!(
                                    "a {} fault strikes once, at `at`; add one [[faults]] entry per occasion",
                                    kind.name()
                                ),
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
                if kind.strikes_at_a_time() {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!(
                            "a {} fault strikes at a time (`at`), not with a probability{}",
                            kind.name(),
                            if matches!(kind, FaultKind::Crash { .. }) {
                                "; give `during = \"sync\" | \"flush\" | \"roll\"` for occasions to draw at"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
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
                if kind.strikes_at_a_time() {
                    format!("a {} fault needs `at`", kind.name())
                } else {
                    "a fault needs `at` (with an optional `count`) or a `probability` (with an optional `start` and `end`)".to_string()
                },
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
        self.kind.write(out);
        if let Some((at, count)) = self.timing.at {
            out.push_str(&format!("at = \"{at}\"\n"));
            if !self.kind.strikes_at_a_time() {
                out.push_str(&format!("count = {count}\n"));
            }
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
