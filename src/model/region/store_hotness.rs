//! StoreHotnessProtector (2.x, HBASE-19389): a region refuses a mutation with many cells for a
//! store that already has too many such mutations under way, with RegionTooBusyException
//! ("StoreTooBusy"), rather than let writers of dense rows take every handler.
//!
//! `hbase.region.store.parallel.put.limit` (0: off, the default since HBASE-26814) bounds the
//! writers inside HStore.add for one store, and `hbase.region.store.parallel.prepare.put.multiplier`
//! × that limit bounds the mutations of one store "preparing": from HRegion's
//! lockRowsAndBuildMiniBatch, before the row lock, until the mini-batch is done (after the WAL
//! sync and the memstore write). Only a family with more than
//! `hbase.region.store.parallel.put.limit.min.column.count` cells in the mutation counts. The
//! check adds the mutation to each such store's preparing count and refuses it if a store is then
//! above either bound; a refused mutation is taken out again at once and fails alone (the rest
//! of a non-atomic batch goes on). 1.4 has none of this.
//!
//! The memstore insert takes no simulated time here, so no writer is ever inside HStore.add when
//! another checks: the put bound never refuses, and the preparing bound is what acts.

/// The protector's bounds, when it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotnessLimits {
    /// parallel.put.limit × parallel.prepare.put.multiplier.
    pub preparing_max: u32,
    /// A family counts with more cells than this in the mutation.
    pub cells_min: u32,
}

/// One region's protector: per store, the mutations preparing (HBase's preparePutToStoreMap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreHotnessProtector {
    preparing: Vec<u32>,
}

impl StoreHotnessProtector {
    pub fn new(stores: usize) -> StoreHotnessProtector {
        StoreHotnessProtector {
            preparing: vec![0; stores],
        }
    }

    /// StoreHotnessProtector.start for a mutation writing `cells` cells into each of `stores`:
    /// false if some counted store is too busy (the mutation is then not counted).
    pub fn start(&mut self, limits: &HotnessLimits, stores: &[usize], cells: u32) -> bool {
        if cells <= limits.cells_min {
            return true;
        }
        let mut too_busy = false;
        for &store in stores {
            self.preparing[store] += 1;
            too_busy |= self.preparing[store] > limits.preparing_max;
        }
        if too_busy {
            self.finish(limits, stores, cells);
        }
        !too_busy
    }

    /// StoreHotnessProtector.finish: the mutation is done (or failed).
    pub fn finish(&mut self, limits: &HotnessLimits, stores: &[usize], cells: u32) {
        if cells <= limits.cells_min {
            return;
        }
        for &store in stores {
            // HBase keeps a count from going below zero the same way.
            self.preparing[store] = self.preparing[store].saturating_sub(1);
        }
    }

    /// Mutations preparing for `store`.
    pub fn preparing(&self, store: usize) -> u32 {
        self.preparing[store]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // With a put limit of 1 and the default multiplier of 2, a store takes two dense mutations
    // at once and refuses the third (leaving its count as it was); a mutation with no more cells
    // than the minimum is never counted; finishing one makes room again.
    #[test]
    fn the_preparing_bound_refuses_the_mutation_past_it() {
        let limits = HotnessLimits {
            preparing_max: 2,
            cells_min: 100,
        };
        let mut protector = StoreHotnessProtector::new(2);
        assert!(protector.start(&limits, &[0, 1], 101));
        assert!(protector.start(&limits, &[0], 150));
        assert!(!protector.start(&limits, &[0, 1], 101));
        assert_eq!((protector.preparing(0), protector.preparing(1)), (2, 1));
        assert!(protector.start(&limits, &[0], 100));
        assert_eq!(protector.preparing(0), 2);
        protector.finish(&limits, &[0], 150);
        assert!(protector.start(&limits, &[0, 1], 101));
        assert_eq!((protector.preparing(0), protector.preparing(1)), (2, 2));
    }
}
