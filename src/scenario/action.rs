//! `[[actions]]`: operator actions on a timeline, such as an admin flush at 8 minutes or a region
//! split at 5.
//!
//! `region` is an index into the table's regions in key order at the time of the action (so after
//! a split, region 1 is the first daughter's neighbour).

use super::document::Node;
use super::error::{ErrorKind, ScenarioError};
use super::units::format_size;
use super::writer::quote;
use crate::sim::SimDuration;

/// The action kinds a scenario may name.
pub const ACTION_KINDS: &[&str] = &[
    "admin_flush",
    "admin_compact",
    "major_compact",
    "split",
    "merge",
    "bulk_load",
    "snapshot",
    "close",
];

/// An operator action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionSpec {
    pub kind: ActionKind,
    pub at: SimDuration,
    pub table: String,
    /// One region by its index in key order, or every region of the table.
    pub region: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `Admin.flush`: flushes every store of the region(s), in the RPC handler, bypassing the
    /// flush queue (RSRpcServices.flushRegion); a region already flushing is skipped.
    AdminFlush,
    /// Unassign and reassign (a region move back to the same server): HRegion.doClose with its
    /// pre-close flush and final flush, offline for `reopen_after`, then open again.
    Close { reopen_after: SimDuration },
    /// SplitTableRegionProcedure: the parent is closed (with its flushes) and replaced by two
    /// daughters at the middle row, whose store files are references to the parent's halves;
    /// they open after `reopen_after`.
    Split { reopen_after: SimDuration },
    /// MergeTableRegionsProcedure: `region` and the next one are closed and replaced by one
    /// region whose store files reference both; it opens after `reopen_after`.
    Merge { reopen_after: SimDuration },
    /// A bulk load with assigned sequence ids: a flush of every store, then one bulk-loaded file
    /// of `bytes` per family.
    BulkLoad { bytes: u64 },
    /// A table snapshot: every region flushed (FlushSnapshotSubprocedure), waiting for a flush
    /// already running.
    Snapshot,
    /// `Admin.compact` / `Admin.majorCompact` (RSRpcServices.compactRegion): a user compaction
    /// of every store (PRIORITY_USER, files selected at once); a major one first sets each
    /// store's forceMajor (HStore.triggerMajorCompaction).
    Compact { major: bool },
}

impl ActionKind {
    /// Whether it takes its region offline (a close, a split, a merge).
    pub fn closes_region(self) -> bool {
        matches!(
            self,
            ActionKind::Close { .. } | ActionKind::Split { .. } | ActionKind::Merge { .. }
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ActionKind::AdminFlush => "admin_flush",
            ActionKind::Close { .. } => "close",
            ActionKind::Split { .. } => "split",
            ActionKind::Merge { .. } => "merge",
            ActionKind::BulkLoad { .. } => "bulk_load",
            ActionKind::Snapshot => "snapshot",
            ActionKind::Compact { major: false } => "admin_compact",
            ActionKind::Compact { major: true } => "major_compact",
        }
    }
}

/// How long an operator-closed region stays offline by default: the time to open it again.
const REOPEN_AFTER_DEFAULT: SimDuration = SimDuration::from_secs(1);
/// The size of each family's bulk-loaded file by default.
const BULK_LOAD_BYTES_DEFAULT: u64 = 1 << 30;
/// The largest bulk-loaded file: 1TB, so that a scenario's every bulk load (255 families,
/// `ENTRIES_MAX` actions) still counts in a u64.
const BULK_LOAD_BYTES_MAX: u64 = 1 << 40;

impl ActionSpec {
    pub fn read(node: &Node<'_, '_>) -> Result<ActionSpec, ScenarioError> {
        let table = node.table()?;
        let kind_node = table.require("kind", "the kind of action")?;
        let kind_name = kind_node.choice(ACTION_KINDS)?;
        let reopen_after = || -> Result<SimDuration, ScenarioError> {
            match table.get("reopen_after") {
                Some(node) => node.duration(),
                None => Ok(REOPEN_AFTER_DEFAULT),
            }
        };
        let kind = match kind_name {
            "admin_flush" => ActionKind::AdminFlush,
            "close" => ActionKind::Close {
                reopen_after: reopen_after()?,
            },
            "split" => ActionKind::Split {
                reopen_after: reopen_after()?,
            },
            "merge" => ActionKind::Merge {
                reopen_after: reopen_after()?,
            },
            "bulk_load" => ActionKind::BulkLoad {
                bytes: match table.get("size") {
                    Some(node) => {
                        let bytes = node.size_at_most(BULK_LOAD_BYTES_MAX)?;
                        if bytes == 0 {
                            return Err(node.error(
                                ErrorKind::Impossible,
                                "a bulk-loaded file has at least one byte",
                            ));
                        }
                        bytes
                    }
                    None => BULK_LOAD_BYTES_DEFAULT,
                },
            },
            "snapshot" => ActionKind::Snapshot,
            "admin_compact" => ActionKind::Compact { major: false },
            "major_compact" => ActionKind::Compact { major: true },
            _ => unreachable!("choice() returned an unlisted kind"),
        };
        let at = table.require("at", "when, such as \"8m\"")?.duration()?;
        let table_name = table.require("table", "the table it acts on")?.string()?;
        let region = match table.get("region") {
            Some(node) => Some(u32::try_from(node.u64()?).map_err(|_| {
                node.error(
                    ErrorKind::Impossible,
                    "region is an index into the table's regions",
                )
            })?),
            None if matches!(kind, ActionKind::Merge { .. }) => {
                return Err(table
                    .require("region", "the first of the two regions to merge")?
                    .error(ErrorKind::MissingKey, "a merge names its first region"));
            }
            None => None,
        };
        table.finish(&format!("a {} action", kind.name()))?;
        Ok(ActionSpec {
            kind,
            at,
            table: table_name,
            region,
        })
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[[actions]]\n");
        out.push_str(&format!("kind = \"{}\"\n", self.kind.name()));
        out.push_str(&format!("at = \"{}\"\n", self.at));
        out.push_str(&format!("table = {}\n", quote(&self.table)));
        if let Some(region) = self.region {
            out.push_str(&format!("region = {region}\n"));
        }
        match self.kind {
            ActionKind::Close { reopen_after }
            | ActionKind::Split { reopen_after }
            | ActionKind::Merge { reopen_after } => {
                out.push_str(&format!("reopen_after = \"{reopen_after}\"\n"));
            }
            ActionKind::BulkLoad { bytes } => {
                out.push_str(&format!("size = {}\n", quote(&format_size(bytes))));
            }
            ActionKind::AdminFlush | ActionKind::Snapshot | ActionKind::Compact { .. } => {}
        }
        out.push('\n');
    }
}
