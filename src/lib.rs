//! # shenbao
//!
//! Turns printed Shanghai budget declaration forms
//! (上海市财政支出项目绩效目标申报表) into normalized JSON records.
//!
//! The pipeline is a chain of small pure stages, each output kept so it can
//! be dumped (`shenbao extract --dump glyphs|lines|cells|fields`):
//!
//! 1. [`pdf::read_pages`]: PDF bytes to [`PageContent`] (positioned glyphs and
//!    ruling [`Edge`]s, top-left origin, points).
//! 2. [`layout`]: glyphs to words to lines; edges to a table grid with spans;
//!    glyphs to cells; cell text with wrapped lines joined.
//! 3. [`mapping`]: label cells found through the [`template`] vocabulary,
//!    values read from the cells beside or below them.
//! 4. [`normalize`]: dates, money, targets, text.
//! 5. [`record::Record`] plus warnings and provenance, written as JSONL.

pub mod error;
pub mod geom;
pub mod pdf;
pub mod record;

pub use error::{Error, Result};
pub use geom::{BBox, Edge, Glyph, Orientation, PageContent};
pub use record::{Record, Warning};
