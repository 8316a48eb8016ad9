//! `[jvm]`: the RegionServer JVM's garbage collection.
//!
//! Off (the default) no collection pauses the server. With `gc = "on"` the young generation
//! fills at the allocation rate the simulated work produces (each call's request and answer
//! buffers, each mutation's cells, each flushed and compacted byte's block buffers); when it is
//! full a young collection stops every server thread for `pause_base` plus the live data it
//! copies (the memstore cells written since the last collection: MSLAB's chunks survive and are
//! promoted) at `copy_rate`. A pause longer than `zookeeper.session.timeout` expires the
//! server's session, and the server aborts (HRegionServer's "Juliet pause"). The old
//! generation's mixed and full collections are not modelled yet.

use super::document::Table;
use super::error::{ErrorKind, ScenarioError};
use super::units::{format_bandwidth, format_size};
use super::writer::quote;
use crate::sim::SimDuration;

/// The young generation unless `young` says otherwise: a common setting for a RegionServer
/// (G1 sizes its own between 5% and 60% of the heap to meet its 200 ms pause goal; set yours
/// from the GC log's eden size).
pub const YOUNG_DEFAULT: u64 = 1 << 30;
/// A young collection's fixed cost (root scanning, reference processing): chosen, a few
/// milliseconds as G1's logs show for a small live set.
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

/// The collector's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JvmSpec {
    /// Whether collections are modelled.
    pub gc: bool,
    pub young_bytes: u64,
    pub pause_base: SimDuration,
    /// Bytes per second a young collection copies.
    pub copy_rate: u64,
}

impl JvmSpec {
    pub fn read(table: &Table<'_, '_>, heap_bytes: u64) -> Result<JvmSpec, ScenarioError> {
        let gc = match table.get("gc") {
            Some(node) => node.choice(&["on", "off"])? == "on",
            None => false,
        };
        let off_error = |node: &super::document::Node<'_, '_>| {
            node.error(
                ErrorKind::Impossible,
                "applies only with garbage collection modelled: add [jvm] gc = \"on\"",
            )
        };
        let young_bytes = match table.get("young") {
            Some(node) if !gc => return Err(off_error(&node)),
            Some(node) => {
                let young = node.size()?;
                if !(1 << 20..=heap_bytes / 2).contains(&young) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!(
                            "young must be 1MB to half the heap ({}), found {}",
                            format_size(heap_bytes / 2),
                            format_size(young)
                        ),
                    ));
                }
                young
            }
            None => YOUNG_DEFAULT.min(heap_bytes / 2),
        };
        let pause_base = match table.get("pause_base") {
            Some(node) if !gc => return Err(off_error(&node)),
            Some(node) => node.duration_at_most(SimDuration::from_secs(3600))?,
            None => PAUSE_BASE_DEFAULT,
        };
        let copy_rate = match table.get("copy_rate") {
            Some(node) if !gc => return Err(off_error(&node)),
            Some(node) => node.bandwidth()?,
            None => COPY_RATE_DEFAULT,
        };
        table.finish("[jvm]")?;
        Ok(JvmSpec {
            gc,
            young_bytes,
            pause_base,
            copy_rate,
        })
    }

    pub fn write(&self, out: &mut String) {
        if !self.gc {
            out.push_str("[jvm]\ngc = \"off\"\n\n");
            return;
        }
        out.push_str(&format!(
            "[jvm]\ngc = \"on\"\nyoung = {}\npause_base = \"{}\"\ncopy_rate = {}\n\n",
            quote(&format_size(self.young_bytes)),
            self.pause_base,
            quote(&format_bandwidth(self.copy_rate)),
        ));
    }
}
