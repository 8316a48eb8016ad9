//! The client side of HBase: what the application sends (each workload's request stream and
//! its keys), a request as the HBase client holds it, and the client's retry policy.

pub mod keys;
pub mod request;
pub mod retry;
pub mod workload;
