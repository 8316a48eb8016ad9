//! SequenceIdAccounting.findLower: which stores of a region hold the edits that keep the oldest
//! WAL file from being archived, as each line answers it when there are more rolled files than
//! `hbase.regionserver.maxlogs`.
//!
//! SequenceIdAccounting keeps, per region and family, the lowest sequence id of an edit not yet
//! being flushed (lowestUnflushedSequenceIds: a flush moves its families' ids aside as it starts,
//! so these are the active memstore segments' lowest ids). Given the region's highest sequence id
//! in the oldest file, 2.5 names the families whose lowest unflushed id is at or below it, and
//! the LogRoller has exactly those flushed (MemStoreFlusher.requestFlush(region, families), the
//! flush policy bypassed); 1.4 compares the region's lowest over all its families and has the
//! region flushed with every store (requestFlush(region, forceFlushAllStores = true)). Left out:
//! the METAFAMILY of flush markers, which 2.5 skips and which has no store here.

use crate::model::flusher::{FlushStores, StoreSet};
use crate::scenario::profile::ProfileId;

/// What a too-many-WALs flush of a region must write, given each store's lowest unflushed
/// sequence id (`None`: nothing unflushed) and the region's highest sequence id in the oldest
/// file; `None` if no store pins it.
pub fn stores_pinning(
    profile: ProfileId,
    lowest_unflushed: &[Option<u64>],
    highest_in_file: u64,
) -> Option<FlushStores> {
    match profile {
        ProfileId::Hbase25 => {
            let mut families = StoreSet::default();
            for (store, lowest) in lowest_unflushed.iter().enumerate() {
                if lowest.is_some_and(|lowest| lowest <= highest_in_file) {
                    families.insert(store);
                }
            }
            (!families.is_empty()).then_some(FlushStores::Only(families))
        }
        ProfileId::Hbase14 => {
            let lowest = lowest_unflushed.iter().flatten().min()?;
            (*lowest <= highest_in_file).then_some(FlushStores::All)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A region whose family 0 still holds edit 5 of a file reaching edit 7, family 1 only
    // edits from 9 on, family 2 nothing: 2.5 flushes family 0 alone; 1.4 the whole region.
    // Nothing at or below the file's highest id: neither flushes.
    #[test]
    fn each_line_names_what_pins_the_oldest_file() {
        let lowest = [Some(5), Some(9), None];
        let Some(FlushStores::Only(families)) = stores_pinning(ProfileId::Hbase25, &lowest, 7)
        else {
            panic!("2.5 names families")
        };
        assert_eq!(families.stores().collect::<Vec<_>>(), vec![0]);
        assert_eq!(
            stores_pinning(ProfileId::Hbase14, &lowest, 7),
            Some(FlushStores::All)
        );
        for profile in ProfileId::ALL {
            assert_eq!(stores_pinning(profile, &lowest, 4), None);
            assert_eq!(stores_pinning(profile, &[None, None], 100), None);
        }
        // The id equal to the file's highest still pins it.
        assert!(stores_pinning(ProfileId::Hbase25, &[Some(7)], 7).is_some());
    }
}
