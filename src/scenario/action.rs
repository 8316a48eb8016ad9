//! `[[actions]]`: operator actions on a timeline, such as an admin flush at 8 minutes.

use super::document::Node;
use super::error::{ErrorKind, ScenarioError};
use super::writer::quote;
use crate::sim::SimDuration;

/// The action kinds a scenario may name; only those in `MODELLED` run today.
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
    /// One region by index, or every region of the table.
    pub region: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `Admin.flush`: flushes every store of the region(s), in the RPC handler, bypassing the
    /// flush queue (HBase's RSRpcServices.flushRegion).
    AdminFlush,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::AdminFlush => "admin_flush",
        }
    }
}

impl ActionSpec {
    pub fn read(node: &Node<'_, '_>) -> Result<ActionSpec, ScenarioError> {
        let table = node.table()?;
        let kind_node = table.require("kind", "the kind of action")?;
        let kind = match kind_node.choice(ACTION_KINDS)? {
            "admin_flush" => ActionKind::AdminFlush,
            other => {
                return Err(kind_node.error(
                    ErrorKind::Unsupported,
                    format!("action \"{other}\" is not modelled by this version of regionsim yet (modelled: admin_flush)"),
                ));
            }
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
        out.push('\n');
    }
}
