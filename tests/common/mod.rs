//! Support shared by the integration tests that include it (`mod common;`).
pub mod harness;
pub mod hostile;
pub mod rng;
