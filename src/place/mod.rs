//! Stage 3, place: a form's page layouts to its placed fields
//! ([`FormFields`]: for each field the cells its value was read from).
//!
//! - [`join`]: rows cut open by page breaks joined into one cell.
//! - [`map`]: label cells found through the template's vocabulary, values
//!   read from the cells beside them, the two sub-tables by their header
//!   columns, stitched across pages ([`pages_to_fields`]).
//! - [`repair`]: on forms holding a page read by OCR, placed fields in,
//!   placed fields out, with the repairs' own warnings
//!   ([`repair_fields`]).

pub mod join;
pub mod map;
pub mod repair;

pub use map::{FieldHit, FieldValue, FormFields, page_has_title, pages_to_fields};
pub use repair::repair_fields;
