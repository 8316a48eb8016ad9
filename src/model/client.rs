//! The client side of HBase: what the application sends (each workload's request stream and
//! its keys), a request as the HBase client holds it, the client's retry policy, and the
//! BufferedMutator with AsyncProcess's task limits.

pub mod buffered_mutator;
pub mod keys;
pub mod request;
pub mod retry;
pub mod workload;
