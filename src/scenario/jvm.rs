//! `[jvm]`: the RegionServer JVM's garbage collection.
//!
//! Off (the default) no collection pauses the server. With `gc = "on"` the young generation
//! fills at the allocation rate the simulated work produces (each call's request and answer
//! buffers, each mutation's cells, each flushed and compacted byte's block buffers); when it is
//! full a young collection stops every server thread for `pause_base` plus the live data it
//! copies (the memstore cells written since the last collection: MSLAB's chunks survive and are
//! promoted) at `copy_rate`. A pause longer than `zookeeper.session.timeout` expires the
//! server's session, and the server aborts (HRegionServer's "Juliet pause").
//!
//! The old generation holds a baseline live set (`old_live`), the promoted memstore data (live
//! until its memstore is flushed, garbage after) and that garbage until a collection reclaims
//! it. `collector` picks how: `"g1"` (HotSpot's `-XX:+UseG1GC`, the 2.5 profile's default, the
//! JDK 9+ default collector) marks concurrently once the old generation passes `ihop` percent
//! of the heap (`-XX:InitiatingHeapOccupancyPercent`) and then reclaims in mixed collections;
//! `"cms"` (`-XX:+UseConcMarkSweepGC`, the 1.4 profile's default: HBase's `conf/hbase-env.sh`
//! sets it, and the reference guide's "Long GC pauses" starts it at 60 or 70 percent) sweeps
//! concurrently once the old generation passes `cms_initiating_fraction` percent of itself
//! (`-XX:CMSInitiatingOccupancyFraction` with `-XX:+UseCMSInitiatingOccupancyOnly`). Either
//! falls back to a full, stop-the-world collection of the whole live heap at `full_rate` when a
//! young collection cannot promote into the old generation. `model::gc` says what each
//! collector's model leaves out.

use super::document::{Node, Table};
use super::error::{ErrorKind, ScenarioError};
use super::profile::ProfileId;
use super::units::{format_bandwidth, format_size};
use super::writer::quote;
use crate::sim::SimDuration;

/// The young generation unless `young` says otherwise: a common setting for a RegionServer
/// (G1 sizes its own between 5% and 60% of the heap to meet its 200 ms pause goal; set yours
/// from the GC log's eden size).
pub const YOUNG_DEFAULT: u64 = 1 << 30;
/// A young collection's fixed cost (root scanning, reference processing): chosen, a few
/// milliseconds as G1's logs show for a small live set. The short pauses of a concurrent cycle
/// (G1's remark and cleanup, CMS's initial mark and remark) take it too.
pub const PAUSE_BASE_DEFAULT: SimDuration = SimDuration::from_millis(5);
/// How fast a young collection copies live data, all its threads together: 4 GB/s (about 8
/// parallel GC threads at 0.5 GB/s each). Chosen so that a server taking 20 MB/s of writes with
/// a 1 GB young generation pauses about 90 ms, the size of the G1 young pauses published for
/// write-heavy HBase tests; set it from your GC log (copied bytes over pause time).
pub const COPY_RATE_DEFAULT: u64 = 4 << 30;
/// Heap allocated per call beyond its request bytes (the RPC's header, the call and its
/// answer's objects), and per request byte: read into a buffer, decoded into cells, copied into
/// MSLAB's chunks and encoded into the WAL entry, four times. Chosen, not published figures:
/// they make the default scenario (20 MB/s of 1 KB puts) allocate about 84 MB/s.
pub const CALL_BYTES_DEFAULT: u64 = 2 << 10;
pub const PER_REQUEST_BYTE_DEFAULT: u64 = 4;
/// The old generation's live set beside the memstore, as a share of the heap: the server's own
/// structures (regions and stores, store files' block indexes and bloom filters, the WAL's and
/// RPC's buffers, the block cache's blocks). Chosen, not a published figure: 1/20 of the heap
/// (800 MB of 16 GB), about what a RegionServer's old generation keeps after a full collection
/// with its memstores empty and little cached; set it from your GC log.
pub const OLD_LIVE_HEAP_DIVISOR: u64 = 20;
/// `-XX:InitiatingHeapOccupancyPercent`'s default (45, of the whole heap). JDK 9+ adapts the
/// threshold from this start (`G1UseAdaptiveIHOP`); the model keeps it fixed, as
/// `-XX:-G1UseAdaptiveIHOP` and JDK 8 do.
pub const IHOP_DEFAULT: u8 = 45;
/// The CMS initiating occupancy HBase's reference guide suggests (its "Long GC pauses": start
/// at 60 or 70 percent), of the old generation.
pub const CMS_INITIATING_FRACTION_DEFAULT: u8 = 70;
/// A full collection's rate over the live heap, single-threaded: CMS falls back to the serial
/// mark-sweep-compact, and JDK 8's G1 full collection is serial too. About a second per GB of
/// live heap, the usual rule of thumb for a serial mark-compact: chosen, set it from your GC
/// log (live heap after over the pause).
pub const FULL_RATE_SERIAL_DEFAULT: u64 = 1 << 30;
/// A full collection's rate in JDK 10+'s G1, which runs it on the young collections' parallel
/// worker threads (JEP 307): taken as the young collections' copy rate. The 2.5 profile
/// assumes JDK 11 (HBase 2.5 runs on 8 and 11), the 1.4 profile JDK 8.
pub const FULL_RATE_PARALLEL_DEFAULT: u64 = COPY_RATE_DEFAULT;
/// How fast concurrent marking (and CMS's sweep) goes over the old generation: its threads
/// are `-XX:ConcGCThreads`, by default a quarter of the 8 parallel GC threads (HotSpot's
/// `(ParallelGCThreads + 2) / 4` for G1, `+ 3` for CMS: 2), at 0.5 GB/s each as the young
/// copy rate assumes. Chosen; set it from your GC log (the concurrent phases' times).
pub const MARK_RATE_DEFAULT: u64 = 1 << 30;

/// Which collector the JVM runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collector {
    /// Garbage-First (`-XX:+UseG1GC`).
    G1,
    /// Concurrent Mark Sweep with ParNew young collections (`-XX:+UseConcMarkSweepGC`).
    Cms,
}

impl Collector {
    pub fn name(self) -> &'static str {
        match self {
            Collector::G1 => "g1",
            Collector::Cms => "cms",
        }
    }

    /// The collector a profile's JVM runs unless told otherwise.
    pub fn default_for(profile: ProfileId) -> Collector {
        match profile {
            ProfileId::Hbase25 => Collector::G1,
            ProfileId::Hbase14 => Collector::Cms,
        }
    }
}

/// The collector's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JvmSpec {
    /// Whether collections are modelled.
    pub gc: bool,
    pub collector: Collector,
    pub young_bytes: u64,
    pub pause_base: SimDuration,
    /// Bytes per second a young (or mixed) collection copies.
    pub copy_rate: u64,
    /// The old generation's live set beside the memstore.
    pub old_live_bytes: u64,
    /// The old generation's occupancy that starts a concurrent cycle, in percent: of the heap
    /// for G1 (`ihop`), of the old generation for CMS (`cms_initiating_fraction`).
    pub initiating_percent: u8,
    /// Live bytes per second a full collection compacts.
    pub full_rate: u64,
    /// Old-generation bytes per second concurrent marking (and CMS's sweep) goes over.
    pub mark_rate: u64,
}

impl JvmSpec {
    pub fn read(
        table: &Table<'_, '_>,
        heap_bytes: u64,
        profile: ProfileId,
    ) -> Result<JvmSpec, ScenarioError> {
        let gc = match table.get("gc") {
            Some(node) => node.choice(&["on", "off"])? == "on",
            None => false,
        };
        // A setting of the model, refused with the model off.
        let setting = |key: &str| -> Result<Option<Node<'_, '_>>, ScenarioError> {
            match table.get(key) {
                Some(node) if !gc => Err(node.error(
                    ErrorKind::Impossible,
                    "applies only with garbage collection modelled: add [jvm] gc = \"on\"",
                )),
                found => Ok(found),
            }
        };
        let collector = match setting("collector")? {
            Some(node) => match node.choice(&["g1", "cms"])? {
                "g1" => Collector::G1,
                _ => Collector::Cms,
            },
            None => Collector::default_for(profile),
        };
        let young_bytes = match setting("young")? {
            Some(node) => size_to_half_heap(&node, 1 << 20, heap_bytes, "young")?,
            None => YOUNG_DEFAULT.min(heap_bytes / 2),
        };
        let pause_base = match setting("pause_base")? {
            Some(node) => node.duration_at_most(SimDuration::from_secs(3600))?,
            None => PAUSE_BASE_DEFAULT,
        };
        let copy_rate = match setting("copy_rate")? {
            Some(node) => node.bandwidth()?,
            None => COPY_RATE_DEFAULT,
        };
        let old_live_bytes = match setting("old_live")? {
            Some(node) => size_to_half_heap(&node, 0, heap_bytes, "old_live")?,
            None => heap_bytes / OLD_LIVE_HEAP_DIVISOR,
        };
        // Each collector's initiating occupancy, the other's refused.
        let mut initiating_percent = match collector {
            Collector::G1 => IHOP_DEFAULT,
            Collector::Cms => CMS_INITIATING_FRACTION_DEFAULT,
        };
        for (key, owner) in [
            ("ihop", Collector::G1),
            ("cms_initiating_fraction", Collector::Cms),
        ] {
            let Some(node) = setting(key)? else {
                continue;
            };
            if collector != owner {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!(
                        "{key} applies only with collector = \"{}\" (this run's collector is \"{}\")",
                        owner.name(),
                        collector.name()
                    ),
                ));
            }
            let percent = node.u64()?;
            if percent > 100 {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!("{key} is a percentage, 0 to 100, found {percent}"),
                ));
            }
            initiating_percent = percent as u8;
        }
        let full_rate = match setting("full_rate")? {
            Some(node) => node.bandwidth()?,
            None if collector == Collector::G1 && profile == ProfileId::Hbase25 => {
                FULL_RATE_PARALLEL_DEFAULT
            }
            None => FULL_RATE_SERIAL_DEFAULT,
        };
        let mark_rate = match setting("mark_rate")? {
            Some(node) => node.bandwidth()?,
            None => MARK_RATE_DEFAULT,
        };
        table.finish("[jvm]")?;
        Ok(JvmSpec {
            gc,
            collector,
            young_bytes,
            pause_base,
            copy_rate,
            old_live_bytes,
            initiating_percent,
            full_rate,
            mark_rate,
        })
    }

    pub fn write(&self, out: &mut String) {
        if !self.gc {
            out.push_str("[jvm]\ngc = \"off\"\n\n");
            return;
        }
        let initiating_key = match self.collector {
            Collector::G1 => "ihop",
            Collector::Cms => "cms_initiating_fraction",
        };
        out.push_str(&format!(
            "[jvm]\ngc = \"on\"\ncollector = \"{}\"\nyoung = {}\npause_base = \"{}\"\ncopy_rate = {}\nold_live = {}\n{initiating_key} = {}\nfull_rate = {}\nmark_rate = {}\n\n",
            self.collector.name(),
            quote(&format_size(self.young_bytes)),
            self.pause_base,
            quote(&format_bandwidth(self.copy_rate)),
            quote(&format_size(self.old_live_bytes)),
            self.initiating_percent,
            quote(&format_bandwidth(self.full_rate)),
            quote(&format_bandwidth(self.mark_rate)),
        ));
    }
}

/// A size of `min` up to half the heap, or an error naming `key` and both ends.
fn size_to_half_heap(
    node: &Node<'_, '_>,
    min: u64,
    heap_bytes: u64,
    key: &str,
) -> Result<u64, ScenarioError> {
    let size = node.size()?;
    if (min..=heap_bytes / 2).contains(&size) {
        return Ok(size);
    }
    Err(node.error(
        ErrorKind::Impossible,
        format!(
            "{key} must be {} to half the heap ({}), found {}",
            format_size(min),
            format_size(heap_bytes / 2),
            format_size(size)
        ),
    ))
}
