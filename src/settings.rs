//! Tolerances used by the layout stages, as settings with documented
//! defaults. All distances are in points unless said otherwise; factors
//! are multiples of the glyph's font size.

use serde::{Deserialize, Serialize};

/// The layout stage's tolerances (points, or factors of the font size);
/// missing keys take their defaults.
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
    /// On a page read by OCR, a cell or free line at least this similar
    /// (`text::similarity`: 1 − edit distance / the longer length,
    /// white space ignored) to one of the template's fixed texts (a label,
    /// sub-table header, the title, a unit label) takes that text
    /// (`layout::snap_labels`); the closest one wins. Default 0.6: labels
    /// are a closed vocabulary, and at 0.7 garbled labels of the scanned
    /// fixtures stayed unread (commit 409d723 lowered it). Labels of
    /// different fields are up to 0.86 alike (同名项目上年预算数（元）,
    /// 同名项目上年预算执行数（元）): the closer one decides, not the bar.
    pub ocr_label_similarity: f64,
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
            ocr_label_similarity: 0.6,
            split_row_overlap: 0.5,
        }
    }
}

/// When the record builder warns about a field read by OCR
/// (`assemble::annotate_scanned`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceSettings {
    /// An amount (a money field, a funding row) whose OCR confidence is
    /// below this gets an `ocr_low_confidence` warning. Default 0.7:
    /// over the 85 amounts of the scanned fixtures and two 300 dpi JPEG
    /// scans, the one misread amount (a digit, no cross-check covering
    /// it) had 0.59, one right amount 0.59, every other right one ≥ 0.76.
    pub min_amount_confidence: f64,
    /// Any field (text, scalar, table row) holding a character read with a
    /// confidence below this gets an `ocr_low_confidence` warning. Default
    /// 0.92: dense characters (`覆`, `亟`) are misread the same way by every
    /// pass with a confidence of 0.84-0.92 (the JPEG set) or at most 0.85
    /// (the tuning set), so anything lower is not trusted. It warns about a
    /// quarter of the right fields on the scanned fixtures too: on scans,
    /// a warning asks for a look, it does not say the value is wrong.
    pub min_char_confidence: f64,
}

impl Default for ConfidenceSettings {
    fn default() -> Self {
        ConfidenceSettings {
            min_amount_confidence: 0.7,
            min_char_confidence: 0.92,
        }
    }
}
