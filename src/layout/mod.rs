//! Layout: a chain of small pure stages from glyphs and ruling lines to
//! table cells with text.
//!
//! ```text
//! glyphs ──dedupe_glyphs──▶ glyphs ──glyphs_to_words──▶ words ──words_to_lines──▶ lines
//! (edges, glyphs) ──drop_rules_through_text──▶ edges ──edges_to_grids──▶ grids (cells with row/column spans)
//! (grids, glyphs) ──glyphs_to_cells──▶ cells with their glyphs ──cell_lines──▶ text lines
//! ```
//!
//! Every stage takes the previous stage's output and the
//! [`LayoutSettings`](crate::settings::LayoutSettings); nothing here knows
//! about the form but [`snap_labels`], which snaps the text of pages read
//! by OCR to the template's fixed texts. [`page_to_layout`] runs the chain
//! over one page into a [`PageLayout`].

mod grid;
mod page;
mod text;

pub use page::{CellRef, FreeLine, PageLayout, TableCells, page_to_layout, snap_labels};

pub use grid::{Cell, Grid, drop_rules_through_text, edges_to_grids, merge_edges};
pub use text::{
    CellText, Line, TextLine, Word, cell_lines, dedupe_glyphs, glyphs_to_cells, glyphs_to_words,
    lines_text, text_inset, words_to_lines,
};
