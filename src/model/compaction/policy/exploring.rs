//! ExploringCompactionPolicy.applyCompactionPolicy (HBASE-7842; the stuck-store rules of
//! HBASE-8669), the same in 1.4 and 2.5: every contiguous window of `min` to `max` candidates
//! is considered, oldest start first and shortest first.
//!
//! A window is rejected when its total is above the max size, or, if its total is at least
//! `hbase.hstore.compaction.min.size`, when one of its files is larger than the ratio times the
//! sum of the others. Of the rest, the best has the most files, then the fewest bytes; ties keep
//! the earlier window. When the store may be stuck the best is the one that removes the most
//! files per byte, and a later window must beat it by 5% to replace it; if no window qualifies
//! at all, the smallest window is taken, even one over the max size.
//!
//! Left out: 2.5's `selectCompactFiles`, which only other store engines call. HBase sums each
//! window anew; prefix sums give the same totals.

use super::config::CompactionConfig;
use super::explain::{Recorder, Step, WindowVerdict};

/// HBase's REPLACE_IF_BETTER_BY when the store may be stuck.
const REPLACE_IF_BETTER_BY: f64 = 1.05;

/// A window of candidates: offsets `start..end` (end excluded) and its total size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: usize,
    end: usize,
    size_bytes: u64,
}

impl Window {
    fn files(self) -> usize {
        self.end - self.start
    }
}

/// ExploringCompactionPolicy.isBetterSelection.
fn is_better(best: Option<Window>, candidate: Window, may_be_stuck: bool) -> bool {
    let Some(best) = best else {
        // Anything beats the empty selection: it has more files.
        return true;
    };
    if may_be_stuck && best.size_bytes > 0 && candidate.size_bytes > 0 {
        let threshold = (best.files() as f64 / best.size_bytes as f64) * REPLACE_IF_BETTER_BY;
        return threshold < candidate.files() as f64 / candidate.size_bytes as f64;
    }
    candidate.files() > best.files()
        || (candidate.files() == best.files() && candidate.size_bytes < best.size_bytes)
}

/// ExploringCompactionPolicy.filesInRatio: every file at most ratio × the sum of the others;
/// the first that is not, if any.
fn first_out_of_ratio(sizes: &[u64], total_bytes: u64, ratio: f64) -> Option<(usize, u64)> {
    if sizes.len() < 2 {
        return None;
    }
    sizes
        .iter()
        .position(|&size| size as f64 > (total_bytes - size) as f64 * ratio)
        .map(|offset| (offset, total_bytes - sizes[offset]))
}

/// The selected offsets `start..end` of `candidates` ((store index, size), oldest first); an
/// empty range when nothing qualifies.
pub(super) fn select(
    candidates: &[(usize, u64)],
    config: &CompactionConfig,
    off_peak: bool,
    may_be_stuck: bool,
    recorder: &mut Recorder,
) -> std::ops::Range<usize> {
    let ratio = config.ratio(off_peak);
    let max_bytes = config.max_size(off_peak);
    let sizes: Vec<u64> = candidates.iter().map(|&(_, size)| size).collect();
    let mut prefix = vec![0u64; sizes.len() + 1];
    for (offset, size) in sizes.iter().enumerate() {
        prefix[offset + 1] = prefix[offset] + size;
    }
    let mut best: Option<Window> = None;
    let mut smallest: Option<Window> = None;
    let (min_files, max_files) = (config.min_files, config.max_files);
    for start in 0..sizes.len() {
        for end in start + min_files..=sizes.len() {
            let window = Window {
                start,
                end,
                size_bytes: prefix[end] - prefix[start],
            };
            if window.files() > max_files {
                // Every longer window from this start is too long as well.
                recorder.record(|| Step::WindowsTooLong {
                    first: candidates[start].0,
                    last: candidates[end - 1].0,
                    max_files,
                });
                break;
            }
            // HBase starts the smallest size at Long.MAX_VALUE.
            let smallest_bytes = smallest.map_or(i64::MAX as u64, |smallest| smallest.size_bytes);
            let is_smallest = may_be_stuck && window.size_bytes < smallest_bytes;
            if is_smallest {
                smallest = Some(window);
            }
            let verdict = if window.size_bytes > max_bytes {
                WindowVerdict::OverMaxSize { max_bytes }
            } else {
                let ratio_checked = window.size_bytes >= config.min_size_bytes;
                let out_of_ratio = ratio_checked
                    .then(|| first_out_of_ratio(&sizes[start..end], window.size_bytes, ratio))
                    .flatten();
                match out_of_ratio {
                    Some((offset, others_bytes)) => WindowVerdict::NotInRatio {
                        file: candidates[start + offset].0,
                        size_bytes: sizes[start + offset],
                        others_bytes,
                        ratio,
                    },
                    None if is_better(best, window, may_be_stuck) => {
                        best = Some(window);
                        WindowVerdict::Best { ratio_checked }
                    }
                    None => WindowVerdict::NotBetter { ratio_checked },
                }
            };
            recorder.record(|| Step::Window {
                first: candidates[start].0,
                last: candidates[end - 1].0,
                files: window.files(),
                size_bytes: window.size_bytes,
                verdict,
                smallest: is_smallest,
            });
        }
    }
    match (best, smallest) {
        (Some(best), _) => best.start..best.end,
        (None, Some(smallest)) => {
            recorder.record(|| Step::StuckSmallest {
                first: candidates[smallest.start].0,
                last: candidates[smallest.end - 1].0,
                size_bytes: smallest.size_bytes,
            });
            smallest.start..smallest.end
        }
        (None, None) => 0..0,
    }
}
