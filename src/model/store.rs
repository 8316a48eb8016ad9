//! HStore and what it holds: cells as HBase orders and sizes them, the memstore's segments,
//! the store files (HFiles as metadata and a summary of their cells) and their key sketches.

pub mod cell;
pub mod codec;
pub mod hfile_reads;
pub mod hstore;
pub mod key_sketch;
pub mod memstore;
pub mod store_file;
