//! RegionSplitPolicy: when a region splits and where, as pure functions.
//!
//! `hbase.regionserver.region.split.policy` picks the class: SteppingSplitPolicy (2.x default),
//! IncreasingToUpperBoundRegionSplitPolicy (1.4 default), ConstantSizeRegionSplitPolicy or
//! DisabledRegionSplitPolicy. All but the last start from ConstantSize's configureForRegion:
//! the desired size is the table's MAX_FILESIZE or `hbase.hregion.max.filesize`, moved by a
//! jitter drawn once per region open, `(long) (size × (u − 0.5) × jitter)` with u a uniform
//! float in [0, 1) and jitter `hbase.hregion.max.filesize.jitter` (0.25: ±12.5%). The growing
//! policies compare each store's file size (HStore.getSize, the memstore excluded; with 2.x's
//! `hbase.hregion.split.overallfiles` the region's total) with a size that depends on R, the
//! table's regions online on this server:
//!
//! - IncreasingToUpperBound: `R == 0 || R > 100 ? desired : min(desired, initial × R³)`;
//! - Stepping: `R == 1 ? initial : desired`;
//! - ConstantSize: desired;
//!
//! with `initial` = `hbase.increasing.policy.initial.size` if positive, else 2 × the table's
//! flush size. A region can split only when no store holds a reference file (a daughter must
//! compact its references away first). The split point (RegionSplitPolicy.getSplitPoint) is that
//! of the largest store (HStore.getSize; the first of equally large ones) among those that have
//! one: a store with references has none, else it is its largest file's (the first of equally
//! large ones; StoreUtils.getLargestFile), StoreUtils.getFileSplitPoint: the row of the file's
//! mid key (the middle data block's index key, `store_file::MidKey`), none if that is the file's
//! first or last row. 1.4's forced splits (shouldForceSplit) are the `split` action's.

/// The split policy classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitPolicyKind {
    Stepping,
    IncreasingToUpperBound,
    ConstantSize,
    Disabled,
}

impl SplitPolicyKind {
    /// The policy named by its HBase class (one of the profile's choices).
    pub fn from_class(class: &str) -> SplitPolicyKind {
        match class.rsplit('.').next().unwrap_or(class) {
            "SteppingSplitPolicy" => SplitPolicyKind::Stepping,
            "IncreasingToUpperBoundRegionSplitPolicy" => SplitPolicyKind::IncreasingToUpperBound,
            "ConstantSizeRegionSplitPolicy" => SplitPolicyKind::ConstantSize,
            _ => SplitPolicyKind::Disabled,
        }
    }
}

/// A region's split policy, configured for it when it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitPolicy {
    pub kind: SplitPolicyKind,
    /// The jittered desired maximum store size.
    pub desired_max_file_size: u64,
    /// The growing policies' first step.
    pub initial_size: u64,
    /// Compare the sum of the stores' sizes rather than each store's.
    pub overall_files: bool,
}

/// What configures a region's policy.
#[derive(Debug, Clone, Copy)]
pub struct SplitPolicyConfig {
    pub kind: SplitPolicyKind,
    /// The table's MAX_FILESIZE if set, else hbase.hregion.max.filesize.
    pub max_file_size: u64,
    /// hbase.hregion.max.filesize.jitter.
    pub jitter: f64,
    /// hbase.increasing.policy.initial.size (≤ 0: unset).
    pub initial_size: i64,
    /// The table's memstore flush size.
    pub flush_size: u64,
    pub overall_files: bool,
}

/// What the policy sees of one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSplitView {
    /// The sum of its store files' sizes.
    pub files_bytes: u64,
    pub has_references: bool,
    /// Its largest file's split row (StoreUtils.getFileSplitPoint), if it has one.
    pub largest_file_split_row: Option<u64>,
}

impl SplitPolicy {
    /// configureForRegion, with `uniform` the open's draw in [0, 1) (Java's nextFloat).
    pub fn for_region(config: &SplitPolicyConfig, uniform: f32) -> SplitPolicy {
        let jitter_rate = (f64::from(uniform) - 0.5) * config.jitter;
        let jitter_bytes = (config.max_file_size as f64 * jitter_rate) as i64;
        let desired = if jitter_rate > 0.0 && jitter_bytes as u64 > u64::MAX - config.max_file_size
        {
            u64::MAX
        } else {
            config.max_file_size.saturating_add_signed(jitter_bytes)
        };
        let initial_size = if config.initial_size > 0 {
            config.initial_size as u64
        } else {
            2 * config.flush_size
        };
        SplitPolicy {
            kind: config.kind,
            desired_max_file_size: desired,
            initial_size,
            overall_files: config.overall_files,
        }
    }

    /// getSizeToCheck for `regions` of the table online on this server.
    pub fn size_to_check(&self, regions: u64) -> u64 {
        match self.kind {
            SplitPolicyKind::ConstantSize | SplitPolicyKind::Disabled => self.desired_max_file_size,
            SplitPolicyKind::Stepping if regions == 1 => self.initial_size,
            SplitPolicyKind::Stepping => self.desired_max_file_size,
            SplitPolicyKind::IncreasingToUpperBound => {
                if regions == 0 || regions > 100 {
                    self.desired_max_file_size
                } else {
                    self.desired_max_file_size
                        .min(self.initial_size.saturating_mul(regions.pow(3)))
                }
            }
        }
    }

    /// shouldSplit: every store splittable, and a store (or the region) above the size.
    pub fn should_split(&self, stores: &[StoreSplitView], regions: u64) -> bool {
        if self.kind == SplitPolicyKind::Disabled || stores.iter().any(|store| store.has_references)
        {
            return false;
        }
        let size = self.size_to_check(regions);
        if self.overall_files {
            stores.iter().map(|store| store.files_bytes).sum::<u64>() > size
        } else {
            stores.iter().any(|store| store.files_bytes > size)
        }
    }
}

/// RegionSplitPolicy.getSplitPoint: the split row of the largest store that has one (the first
/// of equally large stores), or None.
pub fn split_point(stores: &[StoreSplitView]) -> Option<u64> {
    let mut best: Option<(u64, u64)> = None;
    for store in stores {
        if store.has_references {
            continue;
        }
        let Some(row) = store.largest_file_split_row else {
            continue;
        };
        if best.is_none_or(|(size, _)| size < store.files_bytes) {
            best = Some((store.files_bytes, row));
        }
    }
    best.map(|(_, row)| row)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;
    const GB: u64 = 1 << 30;

    fn config(kind: SplitPolicyKind) -> SplitPolicyConfig {
        SplitPolicyConfig {
            kind,
            max_file_size: 10 * GB,
            jitter: 0.25,
            initial_size: -1,
            flush_size: 128 * MB,
            overall_files: false,
        }
    }

    fn store(files_bytes: u64) -> StoreSplitView {
        StoreSplitView {
            files_bytes,
            has_references: false,
            largest_file_split_row: Some(500),
        }
    }

    // The reference's sizes: IncreasingToUpperBound with 128 MB flushes splits at 256 MB with
    // one region, 2 GB with two, 6.75 GB with three, then the 10 GB cap; Stepping at 256 MB with
    // one region and the cap with more; both cap at 0 or over 100 regions.
    #[test]
    fn sizes_to_check_follow_hbase() {
        let increasing =
            SplitPolicy::for_region(&config(SplitPolicyKind::IncreasingToUpperBound), 0.5);
        assert_eq!(increasing.desired_max_file_size, 10 * GB);
        assert_eq!(increasing.size_to_check(1), 256 * MB);
        assert_eq!(increasing.size_to_check(2), 2 * GB);
        assert_eq!(increasing.size_to_check(3), 6912 * MB);
        assert_eq!(increasing.size_to_check(4), 10 * GB);
        assert_eq!(increasing.size_to_check(0), 10 * GB);
        assert_eq!(increasing.size_to_check(101), 10 * GB);
        let stepping = SplitPolicy::for_region(&config(SplitPolicyKind::Stepping), 0.5);
        assert_eq!(stepping.size_to_check(1), 256 * MB);
        assert_eq!(stepping.size_to_check(2), 10 * GB);
        assert_eq!(stepping.size_to_check(0), 10 * GB);
        let mut explicit = config(SplitPolicyKind::Stepping);
        explicit.initial_size = 64 * MB as i64;
        assert_eq!(
            SplitPolicy::for_region(&explicit, 0.5).size_to_check(1),
            64 * MB
        );
    }

    // The jitter moves the desired size by (u − 0.5) × 0.25: at most ±12.5%.
    #[test]
    fn jitter_spreads_the_desired_size() {
        let config = config(SplitPolicyKind::ConstantSize);
        let low = SplitPolicy::for_region(&config, 0.0).desired_max_file_size;
        let high = SplitPolicy::for_region(&config, 0.999_999).desired_max_file_size;
        assert_eq!(low, 10 * GB - (10 * GB) / 8);
        assert!(high < 10 * GB + (10 * GB) / 8 && high > 10 * GB + (10 * GB) / 9);
    }

    // A store over the size splits its region, unless a store holds references; with
    // overallfiles the stores' sum counts; Disabled never splits.
    #[test]
    fn should_split_needs_a_big_store_and_no_references() {
        let policy = SplitPolicy::for_region(&config(SplitPolicyKind::Stepping), 0.5);
        assert!(!policy.should_split(&[store(256 * MB)], 1));
        assert!(policy.should_split(&[store(256 * MB + 1)], 1));
        let mut reference = store(300 * MB);
        reference.has_references = true;
        assert!(!policy.should_split(&[reference], 1));
        assert!(!policy.should_split(&[store(200 * MB), store(200 * MB)], 1));
        let mut overall = config(SplitPolicyKind::Stepping);
        overall.overall_files = true;
        let policy = SplitPolicy::for_region(&overall, 0.5);
        assert!(policy.should_split(&[store(200 * MB), store(200 * MB)], 1));
        let disabled = SplitPolicy::for_region(&config(SplitPolicyKind::Disabled), 0.5);
        assert!(!disabled.should_split(&[store(100 * GB)], 1));
    }

    // The largest store that has a split point gives it (the first of equally large ones); a
    // store with references, or without a split row, gives none.
    #[test]
    fn split_point_is_the_largest_stores() {
        let mut small = store(10 * MB);
        small.largest_file_split_row = Some(50);
        let mut big = store(20 * MB);
        big.largest_file_split_row = Some(1000);
        assert_eq!(split_point(&[small, big]), Some(1000));
        let mut none = store(30 * MB);
        none.largest_file_split_row = None;
        assert_eq!(split_point(&[none, small]), Some(50));
        let mut twin = store(20 * MB);
        twin.largest_file_split_row = Some(7);
        assert_eq!(split_point(&[big, twin]), Some(1000));
        let mut referenced = store(40 * MB);
        referenced.has_references = true;
        assert_eq!(split_point(&[referenced, small]), Some(50));
    }
}
