//! Stage 1, read: an input's bytes to pages of positioned glyphs and ruling
//! lines ([`crate::geom::PageContent`], points, top-left origin).
//!
//! - [`pdf`]: a PDF's text layer, by our own content-stream interpreter
//!   over lopdf (`docs/read-pdf.md`).
//! - [`scan`]: a page without a usable text layer, from its image by OCR:
//!   the same page content, plus what OCR added
//!   ([`crate::geom::PageContent::ocr`]).
//! - [`text`]: a plain-text dump of a form (no geometry), which takes its
//!   own placement path to the same record.
//!
//! Nothing here imports a later stage's output types; the scan reader
//! calls the layout's pure geometry functions to find the cells it reads
//! one by one.

pub mod pdf;
pub mod scan;
pub mod text;
