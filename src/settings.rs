//! Tolerances used by the layout stages, as settings with documented
//! defaults. All distances are in points unless said otherwise; factors
//! are multiples of the glyph's font size.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LayoutSettings {
    /// Two glyphs of the same character whose boxes are within this distance
    /// on both axes are one glyph drawn twice (fake bold). Default 1.0.
    pub dedupe_tolerance: f64,
    /// A horizontal gap wider than this factor × font size splits two words
    /// (and a space is put between them in text). Default 0.6.
    pub word_gap_factor: f64,
    /// Two glyphs (or words) are on one line when their vertical overlap is
    /// at least this fraction of the smaller height. Default 0.5.
    pub line_overlap_ratio: f64,
    /// Edge positions closer than this are snapped to one grid line.
    /// Default 3.0.
    pub snap_tolerance: f64,
    /// Collinear edge segments with a gap up to this are joined. Default 3.0.
    pub join_tolerance: f64,
    /// Edges shorter than this are ignored (text underlines, box glyph
    /// strokes). Default 8.0.
    pub min_edge_length: f64,
    /// A grid line must cover at least this fraction of a cell side to count
    /// as a border between two cells; otherwise the cells are merged.
    /// Default 0.6.
    pub border_coverage: f64,
    /// A line starts a new paragraph when its first glyph is indented by at
    /// least this factor × font size past the cell's text margin. Default 1.5.
    pub indent_factor: f64,
    /// Column boundaries of a table continued on the next page match when
    /// within this distance. Default 6.0.
    pub column_match_tolerance: f64,
    /// A horizontal rule through a glyph's box, more than this fraction of
    /// its height inside it at the top and at the bottom, runs through text
    /// and is no cell border (`drop_rules_through_text`). Default 0.15.
    pub text_rule_margin: f64,
    /// A table row broken by a page break is joined to the last row of the
    /// previous page cell to cell: a cell joins the cell above that covers
    /// more than this fraction of its width, else it stays a cell of its
    /// own. Default 0.5: the cells of a row do not overlap, so more than
    /// half of a cell's width lies under one cell above at most, and the
    /// match is never a choice between two.
    pub split_row_overlap: f64,
}

impl Default for LayoutSettings {
    fn default() -> Self {
        LayoutSettings {
            dedupe_tolerance: 1.0,
            word_gap_factor: 0.6,
            line_overlap_ratio: 0.5,
            snap_tolerance: 3.0,
            join_tolerance: 3.0,
            min_edge_length: 8.0,
            border_coverage: 0.6,
            indent_factor: 1.5,
            column_match_tolerance: 6.0,
            text_rule_margin: 0.15,
            split_row_overlap: 0.5,
        }
    }
}
