//! Stage 5, run: the per-file pipeline ([`Extractor`]) and the batch
//! runner every command shares ([`batch`]: input order, bounded memory,
//! panics caught, an optional watchdog); [`ingest`] drives it into a
//! store.

pub mod batch;
pub mod extract;
#[cfg(feature = "store")]
pub mod ingest;
pub mod isolate;
pub mod limits;
#[cfg(feature = "cli")]
pub mod progress;
pub mod scratch;

pub use batch::{RunOptions, Ticket, catch, panic_reason, run_ordered};
pub use extract::{
    Extractor, FileResult, InputKind, collect_inputs, collect_inputs_with, sha256_hex, split_forms,
};
