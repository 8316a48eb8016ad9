//! RatioBasedCompactionPolicy.applyCompactionPolicy, the same in 1.4 and 2.5: the selection
//! runs from the oldest candidate that is not too big for the files after it, to the newest.
//!
//! A file is too big when it is larger than both `hbase.hstore.compaction.min.size` and
//! `(long) (ratio × the sum of the next max − 1 newer files)`; the scan stops there, or when
//! fewer than `min` files remain. The newer files are not tested ("given normal skew, any newer
//! files will also meet this criteria"), and neither is the total against the max size.
//! HBase's fallback for a store that may be stuck ("compact the newest min files if nothing
//! started") cannot be reached, since the scan always stops before the last file; it is left
//! out, so a stuck store is handled exactly as any other.

use super::config::CompactionConfig;
use super::explain::{Recorder, Step};

/// The offset in `candidates` ((store index, size), oldest first) where the selection starts.
pub(super) fn selection_start(
    candidates: &[(usize, u64)],
    config: &CompactionConfig,
    off_peak: bool,
    recorder: &mut Recorder,
) -> usize {
    let count = candidates.len();
    let ratio = config.ratio(off_peak);
    // newer[i]: the sum of the sizes of candidates [i, i + max − 1), as HBase's sumSize.
    let window = config.max_files.saturating_sub(1);
    let mut newer = vec![0u64; count + 1];
    for i in (0..count).rev() {
        let leaving = candidates.get(i + window).map_or(0, |&(_, size)| size);
        newer[i] = candidates[i].1 + newer[i + 1] - leaving;
    }
    let mut start = 0;
    while count - start >= config.min_files {
        let (index, size_bytes) = candidates[start];
        // (long) (sumSize × ratio): a double product truncated toward zero.
        let scaled = (newer[start + 1] as f64 * ratio) as u64;
        let threshold_bytes = config.min_size_bytes.max(scaled);
        if size_bytes <= threshold_bytes {
            recorder.record(|| Step::RatioStart {
                file: index,
                size_bytes,
                threshold_bytes,
            });
            return start;
        }
        recorder.record(|| Step::RatioSkipped {
            file: index,
            size_bytes,
            newer_bytes: newer[start + 1],
            threshold_bytes,
        });
        start += 1;
    }
    if let Some(&(index, _)) = candidates.get(start) {
        recorder.record(|| Step::RatioFewLeft {
            file: index,
            min_files: config.min_files,
        });
    }
    start
}
