//! Stage 6, out: what records become. [`store`]: the SQLite store and its
//! flat exports; [`check`]: records compared with golden files;
//! [`dump`]: every intermediate stage printed for one file; [`file`]:
//! output files written whole or not at all.

pub mod check;
pub mod dump;
pub mod file;
pub mod review;
#[cfg(feature = "store")]
pub mod store;
