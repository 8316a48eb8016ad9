//! HBase's on-heap block cache, LruBlockCache (branch-2.5, as 1.4's): blocks of store files by
//! file and offset, each in one of three priorities — single (cached once), multi (accessed
//! again), in-memory (an IN_MEMORY family's) — and the eviction that keeps each priority near
//! its share. This is the cache alone, for the read path (gets and scans) to read through.
//!
//! As HBase does:
//! - `cache` puts a block in as single, or in-memory for an IN_MEMORY family (LruCachedBlock's
//!   constructor); a block over `hbase.lru.max.block.size` (16 MB) is refused, as cacheBlock
//!   does.
//! - `get` counts a hit or a miss, and a hit makes a single block multi (LruCachedBlock.access)
//!   and the most recently used.
//! - When a block takes the size past the acceptable size (`acceptable.factor` 0.99 of the
//!   capacity), an eviction frees down to the min size (`min.factor` 0.95): the three buckets
//!   (single, multi and memory, sized `single`/`multi`/`memory.percentage` 0.25/0.50/0.25 of the
//!   min size) give in order of their overflow, least first, each at most its overflow and an
//!   equal share of what is left to free; within a bucket the least recently used go first
//!   (LruBlockCache.evict, BlockBucket.free). With `hbase.lru.rs.inmemoryforcemode` (or a memory
//!   share over 0.999), single and multi give first, kept near 1:2, and memory only when they
//!   cannot give enough.
//! - `evict_file` drops a file's blocks (evictBlocksByHfileName, when a compaction or a split
//!   removes a file), which an eviction run does not count.
//!
//! Differences: HBase's eviction runs on its own thread, woken by the insert that passes the
//! acceptable size; here it runs in that insert, so the cache is never above the acceptable
//! size after an insert returns, and HBase's hard limit (`hard.capacity.limit.factor`, 1.2 ×
//! the acceptable size, past which cacheBlock refuses blocks while eviction lags) never binds. The
//! cache's fixed overhead (its map's entries, a few MB on a large heap) is not counted. Sizes
//! are computed in `f32` as HBase computes them (a long times a float factor).

use std::collections::BTreeMap;

/// A block: its file and its offset in it (BlockCacheKey).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlockKey {
    pub file: u64,
    pub offset: u64,
}

/// A block's priority (BlockPriority).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Single,
    Multi,
    Memory,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Single, Priority::Multi, Priority::Memory];

    fn index(self) -> usize {
        self as usize
    }
}

/// The cache's settings (`hbase.lru.*`), with HBase's defaults from `Default`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LruSettings {
    /// The capacity: `hfile.block.cache.size` × the heap.
    pub max_bytes: u64,
    pub acceptable_factor: f32,
    pub min_factor: f32,
    pub single_factor: f32,
    pub multi_factor: f32,
    pub memory_factor: f32,
    pub force_in_memory: bool,
    pub max_block_bytes: u64,
}

impl LruSettings {
    /// HBase's defaults for a cache of `max_bytes`.
    pub fn with_capacity(max_bytes: u64) -> LruSettings {
        LruSettings {
            max_bytes,
            acceptable_factor: 0.99,
            min_factor: 0.95,
            single_factor: 0.25,
            multi_factor: 0.50,
            memory_factor: 0.25,
            force_in_memory: false,
            max_block_bytes: 16 << 20,
        }
    }

    /// floor(max × factor), in `f32` as HBase multiplies a long by a float.
    fn share(&self, factor: f32) -> u64 {
        libm::floorf(self.max_bytes as f32 * factor) as u64
    }

    fn acceptable_bytes(&self) -> u64 {
        self.share(self.acceptable_factor)
    }

    fn min_bytes(&self) -> u64 {
        self.share(self.min_factor)
    }

    /// A bucket's share: max × its factor × the min factor.
    fn bucket_bytes(&self, priority: Priority) -> u64 {
        let factor = match priority {
            Priority::Single => self.single_factor,
            Priority::Multi => self.multi_factor,
            Priority::Memory => self.memory_factor,
        };
        self.share(factor * self.min_factor)
    }
}

/// What the cache did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    /// Hits by the priority the block had when found (single, multi, memory).
    pub hits_by_priority: [u64; 3],
    pub misses: u64,
    /// Blocks refused as too large.
    pub failed_inserts: u64,
    /// Eviction runs, and the blocks and bytes they evicted (not counting a file's blocks
    /// dropped with it).
    pub evictions: u64,
    pub evicted_blocks: u64,
    pub evicted_bytes: u64,
}

/// The cache at the end of a run: its capacity and contents by priority, and its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheAtEnd {
    pub capacity: u64,
    pub size: u64,
    /// Bytes at each priority (single, multi, memory).
    pub bucket_bytes: [u64; 3],
    pub blocks: u64,
    pub stats: CacheStats,
}

#[derive(Debug, Clone, Copy)]
struct Cached {
    bytes: u64,
    priority: Priority,
    /// The access counter when it was cached or last read: the higher, the more recent.
    accessed: u64,
}

/// LruBlockCache.
#[derive(Debug, Clone)]
pub struct LruBlockCache {
    settings: LruSettings,
    blocks: BTreeMap<BlockKey, Cached>,
    /// Blocks by their last access, oldest first.
    by_access: BTreeMap<u64, BlockKey>,
    size: u64,
    bucket_size: [u64; 3],
    /// The access counter (LruBlockCache.count).
    count: u64,
    pub stats: CacheStats,
}

impl LruBlockCache {
    pub fn new(settings: LruSettings) -> LruBlockCache {
        LruBlockCache {
            settings,
            blocks: BTreeMap::new(),
            by_access: BTreeMap::new(),
            size: 0,
            bucket_size: [0; 3],
            count: 0,
            stats: CacheStats::default(),
        }
    }

    /// Bytes cached.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The cache as the run leaves it.
    pub fn at_end(&self) -> CacheAtEnd {
        CacheAtEnd {
            capacity: self.settings.max_bytes,
            size: self.size,
            bucket_bytes: self.bucket_size,
            blocks: self.blocks.len() as u64,
            stats: self.stats,
        }
    }

    /// Bytes cached at a priority.
    pub fn bucket_size(&self, priority: Priority) -> u64 {
        self.bucket_size[priority.index()]
    }

    pub fn priority(&self, key: BlockKey) -> Option<Priority> {
        self.blocks.get(&key).map(|cached| cached.priority)
    }

    /// Caches a block of `bytes` (cacheBlock); `in_memory` for an IN_MEMORY family. A block
    /// already cached stays as it is.
    pub fn cache(&mut self, key: BlockKey, bytes: u64, in_memory: bool) {
        if bytes > self.settings.max_block_bytes {
            self.stats.failed_inserts += 1;
            return;
        }
        if self.blocks.contains_key(&key) {
            return;
        }
        let acceptable = self.settings.acceptable_bytes();
        self.count += 1;
        let priority = if in_memory {
            Priority::Memory
        } else {
            Priority::Single
        };
        self.blocks.insert(
            key,
            Cached {
                bytes,
                priority,
                accessed: self.count,
            },
        );
        self.by_access.insert(self.count, key);
        self.size += bytes;
        self.bucket_size[priority.index()] += bytes;
        if self.size > acceptable {
            self.evict();
        }
    }

    /// Reads a block (getBlock): true on a hit, which makes a single block multi and the block
    /// the most recently used.
    pub fn get(&mut self, key: BlockKey) -> bool {
        let Some(cached) = self.blocks.get_mut(&key) else {
            self.stats.misses += 1;
            return false;
        };
        self.stats.hits += 1;
        self.stats.hits_by_priority[cached.priority.index()] += 1;
        self.count += 1;
        self.by_access.remove(&cached.accessed);
        cached.accessed = self.count;
        self.by_access.insert(self.count, key);
        if cached.priority == Priority::Single {
            cached.priority = Priority::Multi;
            self.bucket_size[Priority::Single.index()] -= cached.bytes;
            self.bucket_size[Priority::Multi.index()] += cached.bytes;
        }
        true
    }

    /// Drops every block of `file` (evictBlocksByHfileName); returns how many.
    pub fn evict_file(&mut self, file: u64) -> usize {
        let keys: Vec<BlockKey> = self
            .blocks
            .range(
                BlockKey { file, offset: 0 }..=BlockKey {
                    file,
                    offset: u64::MAX,
                },
            )
            .map(|(key, _)| *key)
            .collect();
        for key in &keys {
            self.remove(*key);
        }
        keys.len()
    }

    fn remove(&mut self, key: BlockKey) -> u64 {
        let cached = self.blocks.remove(&key).expect("a cached block");
        self.by_access.remove(&cached.accessed);
        self.size -= cached.bytes;
        self.bucket_size[cached.priority.index()] -= cached.bytes;
        cached.bytes
    }

    /// LruBlockCache.evict: frees down to the min size.
    fn evict(&mut self) {
        self.stats.evictions += 1;
        let to_free = self.size.saturating_sub(self.settings.min_bytes());
        if to_free == 0 {
            return;
        }
        let settings = self.settings;
        if settings.force_in_memory || settings.memory_factor > 0.999 {
            let single = self.bucket_size(Priority::Single);
            let multi = self.bucket_size(Priority::Multi);
            if to_free > single + multi {
                let mut freed = self.free(Priority::Single, single);
                freed += self.free(Priority::Multi, multi);
                self.free(Priority::Memory, to_free.saturating_sub(freed));
            } else {
                // Keep single and multi near 1:2.
                let remain = single + multi - to_free;
                if 3 * single <= remain {
                    self.free(Priority::Multi, to_free);
                } else if 3 * multi <= 2 * remain {
                    self.free(Priority::Single, to_free);
                } else {
                    let freed = self.free(Priority::Single, single - remain / 3);
                    if freed < to_free {
                        self.free(Priority::Multi, to_free - freed);
                    }
                }
            }
            return;
        }
        // The buckets in order of their overflow, least first (ties, which HBase's
        // PriorityQueue breaks by its heap's layout, in priority order here).
        let mut order: Vec<(i128, Priority)> = Priority::ALL
            .iter()
            .map(|&priority| {
                let overflow = i128::from(self.bucket_size(priority))
                    - i128::from(settings.bucket_bytes(priority));
                (overflow, priority)
            })
            .collect();
        order.sort();
        let mut freed = 0;
        for (remaining, (overflow, priority)) in (1..=3u64).rev().zip(order) {
            if overflow > 0 {
                let share = to_free.saturating_sub(freed) / remaining;
                freed += self.free(priority, (overflow as u64).min(share));
            }
        }
    }

    /// BlockBucket.free: the bucket's least recently used blocks until `to_free` bytes are
    /// gone (the last one may take it past); returns the bytes freed.
    fn free(&mut self, priority: Priority, to_free: u64) -> u64 {
        let mut victims = Vec::new();
        let mut freed = 0;
        for key in self.by_access.values() {
            let cached = &self.blocks[key];
            if cached.priority != priority {
                continue;
            }
            victims.push(*key);
            freed += cached.bytes;
            if freed >= to_free {
                break;
            }
        }
        for key in &victims {
            self.remove(*key);
        }
        self.stats.evicted_blocks += victims.len() as u64;
        self.stats.evicted_bytes += freed;
        freed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: u64 = 64 << 10;

    fn key(file: u64, offset: u64) -> BlockKey {
        BlockKey { file, offset }
    }

    /// A cache of 100 blocks.
    fn cache() -> LruBlockCache {
        LruBlockCache::new(LruSettings::with_capacity(100 * BLOCK))
    }

    // Past the acceptable size (99 blocks) an eviction frees down to the min size (95 blocks),
    // and the cache never holds more than its capacity.
    #[test]
    fn eviction_frees_to_the_min_factor() {
        let mut cache = cache();
        for offset in 0..99 {
            cache.cache(key(1, offset), BLOCK, false);
        }
        assert_eq!(cache.size(), 99 * BLOCK);
        assert_eq!(cache.stats.evictions, 0);
        cache.cache(key(1, 99), BLOCK, false);
        assert_eq!(cache.stats.evictions, 1);
        assert_eq!(cache.size(), 95 * BLOCK);
        for offset in 100..1000 {
            cache.cache(key(1, offset), BLOCK, false);
            assert!(cache.size() <= 99 * BLOCK);
        }
        // The least recently used went: the oldest blocks are gone, the newest are there.
        assert!(!cache.get(key(1, 0)));
        assert!(cache.get(key(1, 999)));
    }

    // A block read again moves from single to multi.
    #[test]
    fn a_second_access_makes_a_block_multi() {
        let mut cache = cache();
        cache.cache(key(1, 0), BLOCK, false);
        assert_eq!(cache.priority(key(1, 0)), Some(Priority::Single));
        assert!(cache.get(key(1, 0)));
        assert_eq!(cache.priority(key(1, 0)), Some(Priority::Multi));
        assert_eq!(cache.bucket_size(Priority::Multi), BLOCK);
        assert_eq!(cache.bucket_size(Priority::Single), 0);
        assert_eq!((cache.stats.hits, cache.stats.misses), (1, 0));
    }

    // A scan once over five times the cache, beside a hot set of 40 blocks read once every 100
    // scanned blocks: more than the cache holds comes between two reads of a hot block, so a
    // plain LRU would lose the hot set; here the single blocks overflow their share and are
    // what goes, and the hot set (multi, under its share) stays whole.
    #[test]
    fn a_scan_leaves_the_hot_set() {
        let mut cache = cache();
        for offset in 0..40 {
            cache.cache(key(1, offset), BLOCK, false);
            cache.get(key(1, offset));
        }
        for offset in 0..500 {
            cache.cache(key(2, offset), BLOCK, false);
            if offset % 100 == 99 {
                for hot in 0..40 {
                    assert!(
                        cache.get(key(1, hot)),
                        "hot block {hot} at scan block {offset}"
                    );
                }
            }
        }
        assert_eq!(cache.bucket_size(Priority::Multi), 40 * BLOCK);
    }

    // In-memory blocks are evicted last: a cache full of single blocks and a quarter of
    // in-memory ones gives up single blocks, the in-memory bucket staying within its share.
    #[test]
    fn in_memory_blocks_go_last() {
        let mut cache = cache();
        for offset in 0..23 {
            cache.cache(key(1, offset), BLOCK, true);
        }
        for offset in 0..300 {
            cache.cache(key(2, offset), BLOCK, false);
        }
        assert_eq!(cache.bucket_size(Priority::Memory), 23 * BLOCK);
        for offset in 0..23 {
            assert!(cache.get(key(1, offset)));
        }
    }

    // A file's blocks go with it, outside any eviction run; a block too large is refused.
    #[test]
    fn files_drop_their_blocks_and_big_blocks_are_refused() {
        let mut cache = cache();
        for offset in 0..10 {
            cache.cache(key(1, offset), BLOCK, false);
            cache.cache(key(2, offset), BLOCK, false);
        }
        assert_eq!(cache.evict_file(1), 10);
        assert_eq!(cache.size(), 10 * BLOCK);
        assert_eq!(cache.stats.evictions, 0);
        assert!(!cache.get(key(1, 3)) && cache.get(key(2, 3)));
        cache.cache(key(3, 0), (16 << 20) + 1, false);
        assert_eq!(cache.stats.failed_inserts, 1);
        assert_eq!(cache.priority(key(3, 0)), None);
    }
}
