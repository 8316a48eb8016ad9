//! The simulation kernel: time, the event queue, random streams, the trace hash and a shared
//! bandwidth. It knows nothing of HBase; `model` builds the RegionServer on top of it.

pub mod bandwidth;
pub mod distribution;
pub mod queue;
pub mod random;
pub mod slab;
pub mod slots;
pub mod stable_hash;
pub mod time;
pub mod trace;

pub use bandwidth::{SharedBandwidth, TransferId};
pub use queue::EventQueue;
pub use random::RandomStream;
pub use slab::Slab;
pub use time::{SimDuration, SimTime};
pub use trace::TraceHash;
