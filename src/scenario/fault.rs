//! `[[faults]]`: injected failures. The vocabulary is fixed now so that scenario files are
//! stable; the WAL fault and crash/recovery models that act on them come later, and until then a
//! fault is refused with a clear error rather than ignored (a silently skipped crash would give
//! a wrong answer).

use super::document::Node;
use super::error::{ErrorKind, ScenarioError};

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

/// Reads one fault entry; every kind is refused for now, after checking that it is a real one.
pub fn read_fault(node: &Node<'_, '_>) -> Result<(), ScenarioError> {
    let table = node.table()?;
    let kind_node = table.require("kind", "the kind of fault")?;
    let kind = kind_node.choice(FAULT_KINDS)?;
    Err(kind_node.error(
        ErrorKind::Unsupported,
        format!("fault \"{kind}\" is not modelled by this version of regionsim yet; remove the [[faults]] entry to run"),
    ))
}
