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
//! | `wal_corruption` | the time `at`: one byte inside an entry of a WAL file is damaged | `file` (`"current"` or `"oldest"`), `in` (`"entry"`, `"key"`, `"cells"` or `"value"`), and where the damage is: `replicas` (`1`, `2`, … or `"all"`: the byte's 512-byte chunk rots on disk in that many replicas, which HDFS's checksums see) or `before_checksum = true` (the byte changed in the writer before HDFS checksummed it: every replica holds it) |
//! | `wal_unreadable` | the time `at`: no datanode can serve a WAL file's blocks (`BlockMissingException`) | `file`, `duration` (then readable again; for good without it) |
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
    "wal_unreadable",
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

    fn read(table: &Table<'_, '_>) -> Result<CorruptedFile, ScenarioError> {
        Ok(match table.get("file") {
            Some(node) => match node.choice(&["current", "oldest"])? {
                "current" => CorruptedFile::Current,
                _ => CorruptedFile::Oldest,
            },
            None => CorruptedFile::Current,
        })
    }
}

/// The most replicas a corruption may name; more than a file has counts as all of them.
pub const CORRUPTED_REPLICAS_MAX: u64 = 16;

/// Where a damaged byte's damage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptionSource {
    /// The byte changed in the writer before HDFS checksummed it: every replica holds it under
    /// a valid checksum.
    BeforeChecksum,
    /// The byte's chunk rotted on disk in this many replicas (`None`: all).
    Replicas(Option<u8>),
}

/// Which part of an entry a corruption damages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptionTarget {
    Entry,
    Key,
    Cells,
    Value,
}

impl CorruptionTarget {
    pub const NAMES: &'static [&'static str] = &["entry", "key", "cells", "value"];

    pub fn name(self) -> &'static str {
        match self {
            CorruptionTarget::Entry => "entry",
            CorruptionTarget::Key => "key",
            CorruptionTarget::Cells => "cells",
            CorruptionTarget::Value => "value",
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
    /// A byte inside an entry of a WAL file is damaged.
    WalCorruption {
        file: CorruptedFile,
        target: CorruptionTarget,
        source: CorruptionSource,
    },
    /// A WAL file's blocks cannot be read, for `duration` (`None`: for good).
    WalUnreadable {
        file: CorruptedFile,
        duration: Option<SimDuration>,
    },
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
            FaultKind::WalUnreadable { .. } => "wal_unreadable",
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
                | FaultKind::WalUnreadable { .. }
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
                file: CorruptedFile::read(table)?,
                target: match table.get("in") {
                    Some(node) => match node.choice(CorruptionTarget::NAMES)? {
                        "entry" => CorruptionTarget::Entry,
                        "key" => CorruptionTarget::Key,
                        "cells" => CorruptionTarget::Cells,
                        _ => CorruptionTarget::Value,
                    },
                    None => CorruptionTarget::Entry,
                },
                source: read_corruption_source(table)?,
            },
            "wal_unreadable" => FaultKind::WalUnreadable {
                file: CorruptedFile::read(table)?,
                duration: match table.get("duration") {
                    Some(node) => {
                        let duration = node.duration()?;
                        if duration.is_zero() {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                "duration must be above zero (leave it out for a file unreadable for good)",
                            ));
                        }
                        Some(duration)
                    }
                    None => None,
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
            FaultKind::WalCorruption {
                file,
                target,
                source,
            } => {
                out.push_str(&format!(
                    "file = \"{}\"\nin = \"{}\"\n",
                    file.name(),
                    target.name()
                ));
                match source {
                    CorruptionSource::BeforeChecksum => out.push_str("before_checksum = true\n"),
                    CorruptionSource::Replicas(Some(count)) => {
                        out.push_str(&format!("replicas = {count}\n"))
                    }
                    CorruptionSource::Replicas(None) => out.push_str("replicas = \"all\"\n"),
                }
            }
            FaultKind::WalUnreadable { file, duration } => {
                out.push_str(&format!("file = \"{}\"\n", file.name()));
                if let Some(duration) = duration {
                    out.push_str(&format!("duration = \"{duration}\"\n"));
                }
            }
            FaultKind::SlowDisk { duration, factor } => out.push_str(&format!(
                "duration = \"{duration}\"\nfactor = {}\n",
                float(factor)
            )),
            _ => {}
        }
    }
}

/// Where a corruption's damage is: `replicas` or `before_checksum`, exactly one of them. A
/// corruption that says neither is refused with what replaced the old meaning (a flipped bit
/// that the WAL's own checksum caught: HBase's WAL has none).
fn read_corruption_source(table: &Table<'_, '_>) -> Result<CorruptionSource, ScenarioError> {
    match (table.get("replicas"), table.get("before_checksum")) {
        (Some(node), None) => {
            if node.choice(&["all"]).is_ok() {
                return Ok(CorruptionSource::Replicas(None));
            }
            let count = node.u64().map_err(|_| {
                node.error(
                    ErrorKind::InvalidValue,
                    format!(
                        "replicas is a number of replicas (1 to {CORRUPTED_REPLICAS_MAX}) or \"all\""
                    ),
                )
            })?;
            if !(1..=CORRUPTED_REPLICAS_MAX).contains(&count) {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!(
                        "replicas must be 1 to {CORRUPTED_REPLICAS_MAX} or \"all\", found {count}"
                    ),
                ));
            }
            Ok(CorruptionSource::Replicas(Some(count as u8)))
        }
        (None, Some(node)) => {
            if node.bool()? {
                Ok(CorruptionSource::BeforeChecksum)
            } else {
                Err(node.error(
                    ErrorKind::Impossible,
                    "before_checksum = false says nothing: give `replicas` for damage on disk instead",
                ))
            }
        }
        (Some(node), Some(_)) => Err(node.error(
            ErrorKind::Impossible,
            "give `replicas` (damage on disk, which HDFS's checksums see) or `before_checksum = true` (damage every replica holds), not both",
        )),
        (None, None) => Err(ScenarioError::new(
            ErrorKind::MissingKey,
            "a wal_corruption fault says where the damage is: `replicas = 1 | 2 | … | \"all\"` (the byte's chunk rots on disk in that many replicas; HDFS reads around a bad replica while a good one is left, and with every replica bad the read fails there) or `before_checksum = true` (the byte changed before HDFS checksummed it, so every replica holds it and readers get it). HBase's WAL has no checksum of its own, so a flipped byte is never simply \"detected\"".to_string(),
        )
        .at(table.origin())
        .key(table.path().to_string())),
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
