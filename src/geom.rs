//! Geometry shared by every stage: one coordinate convention.
//!
//! All coordinates are PDF points (1/72 inch) with the origin at the
//! **top-left** corner of the page, `x` growing right and `y` (called `top`)
//! growing down. Backends convert from PDF user space (bottom-left origin,
//! y up) once, when they produce [`Glyph`]s and [`Edge`]s; nothing downstream
//! ever sees a y-up coordinate.

use serde::{Deserialize, Serialize};

/// An axis-aligned box: `x0 <= x1`, `top <= bottom`, in points, top-left origin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct BBox {
    /// Left edge, points.
    pub x0: f64,
    /// Top edge, points from the top of the page.
    pub top: f64,
    /// Right edge, points.
    pub x1: f64,
    /// Bottom edge, points from the top of the page.
    pub bottom: f64,
}

impl BBox {
    /// A box from two corners; the coordinates are sorted so that
    /// `x0 <= x1` and `top <= bottom`.
    pub fn new(x0: f64, top: f64, x1: f64, bottom: f64) -> Self {
        BBox {
            x0: x0.min(x1),
            top: top.min(bottom),
            x1: x0.max(x1),
            bottom: top.max(bottom),
        }
    }
    /// Width, `x1 - x0`, points.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    /// Height, `bottom - top`, points.
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
    /// The centre point, `(x, y)` in points.
    pub fn center(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.top + self.bottom) / 2.0)
    }
    /// Smallest box holding both.
    pub fn union(&self, o: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(o.x0),
            top: self.top.min(o.top),
            x1: self.x1.max(o.x1),
            bottom: self.bottom.max(o.bottom),
        }
    }
    /// Whether the point lies inside (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.top && y <= self.bottom
    }
    /// Length of the vertical overlap of two boxes (0 when disjoint).
    pub fn v_overlap(&self, o: &BBox) -> f64 {
        (self.bottom.min(o.bottom) - self.top.max(o.top)).max(0.0)
    }
    /// Length of the horizontal overlap of two boxes (0 when disjoint).
    pub fn h_overlap(&self, o: &BBox) -> f64 {
        (self.x1.min(o.x1) - self.x0.max(o.x0)).max(0.0)
    }
    /// Whether the two overlap horizontally over at least 0.9 of the
    /// narrower one's width: one lies under the other's columns (a part of
    /// a merged cell, a cell cut in two).
    pub fn spans_most_of_narrower(&self, o: &BBox) -> bool {
        self.h_overlap(o) >= 0.9 * self.width().min(o.width())
    }
    /// Union of many boxes; `None` for an empty iterator.
    pub fn union_all<'a>(it: impl IntoIterator<Item = &'a BBox>) -> Option<BBox> {
        it.into_iter().fold(None, |acc, b| match acc {
            None => Some(*b),
            Some(a) => Some(a.union(b)),
        })
    }
    /// Rounded to 0.01 pt, for stable output.
    pub fn rounded(&self) -> BBox {
        let r = |v: f64| (v * 100.0).round() / 100.0;
        BBox {
            x0: r(self.x0),
            top: r(self.top),
            x1: r(self.x1),
            bottom: r(self.bottom),
        }
    }
}

/// One positioned character as drawn on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glyph {
    /// The Unicode character (already folded: Kangxi radicals to ideographs).
    pub ch: char,
    /// Advance box: from the origin to origin + advance, font ascent to descent.
    pub bbox: BBox,
    /// Font size in points (as rendered, text matrix included).
    pub size: f64,
}

/// Whether a ruling line runs across or down the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Orientation {
    /// Runs across the page (constant `y`).
    Horizontal,
    /// Runs down the page (constant `x`).
    Vertical,
}

/// A ruling line: a stroked segment or a thin filled rectangle, reduced to
/// its centre line. For a horizontal edge `top == bottom`; for a vertical one
/// `x0 == x1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Whether the line runs across or down the page.
    pub orientation: Orientation,
    /// Left end, points.
    pub x0: f64,
    /// Top end, points from the top of the page.
    pub top: f64,
    /// Right end, points.
    pub x1: f64,
    /// Bottom end, points from the top of the page.
    pub bottom: f64,
}

impl Edge {
    /// A horizontal edge at height `y` from `x0` to `x1` (ends sorted), points.
    pub fn horizontal(x0: f64, x1: f64, y: f64) -> Self {
        Edge {
            orientation: Orientation::Horizontal,
            x0: x0.min(x1),
            x1: x0.max(x1),
            top: y,
            bottom: y,
        }
    }
    /// A vertical edge at `x` from `top` to `bottom` (ends sorted), points.
    pub fn vertical(x: f64, top: f64, bottom: f64) -> Self {
        Edge {
            orientation: Orientation::Vertical,
            x0: x,
            x1: x,
            top: top.min(bottom),
            bottom: top.max(bottom),
        }
    }
}

/// What a backend reads off one page: its size, glyphs and ruling lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageContent {
    /// 1-based page number in the file.
    pub number: usize,
    /// Page width, points.
    pub width: f64,
    /// Page height, points.
    pub height: f64,
    /// The characters drawn on the page.
    pub glyphs: Vec<Glyph>,
    /// The ruling lines drawn on the page.
    pub edges: Vec<Edge>,
    /// How many images the page paints (a scanned page paints one; a page
    /// with no glyphs and no image is blank, not scanned).
    #[serde(default)]
    pub images: usize,
    /// Resolution (pixels per inch) of the largest image the page paints,
    /// 0 when none or unknown: a scan's own resolution.
    #[serde(default)]
    pub image_dpi: f64,
    /// Share of the page's area (0..=1) covered by the largest image it
    /// paints: about 1 for a scan, small for a logo or a stamp.
    #[serde(default)]
    pub image_cover: f64,
    /// A page read from its image: what OCR adds (words with their
    /// confidences, the preprocessing that ran, why). `None` for a page
    /// read from its text layer.
    #[serde(skip)]
    pub ocr: Option<std::sync::Arc<OcrInfo>>,
}

// What OCR adds to a scanned page. The scan reader (`crate::read::scan`) fills it;
// later stages read it: the layout snaps labels on such pages, the repair
// stage fixes their fields, the record builder reports their confidence.

/// One recognized word, in pixels of the image OCR saw (or points, after
/// `OcrWord::scaled`).
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    /// The recognized text.
    pub text: String,
    /// The word's box (pixels, or points once scaled).
    pub bbox: BBox,
    /// Tesseract's confidence, 0..1.
    pub conf: f64,
    /// (block, paragraph, line) numbers: words of one line share it.
    pub line: (u32, u32, u32),
    /// The characters with their own boxes, when the output gave them
    /// (hOCR); their text is the word's.
    pub chars: Vec<OcrChar>,
}

/// One recognized character of a word (hOCR `ocrx_cinfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct OcrChar {
    /// The recognized character (as a string).
    pub ch: String,
    /// The character's box, in the same units as its word's.
    pub bbox: BBox,
    /// The recognizer's confidence, 0..1.
    pub conf: f64,
}

/// What OCR adds to a page beyond its [`PageContent`]: the words with
/// their confidences (points, top-left origin, deskewed frame), the
/// preprocessing that ran (skew corrected, illumination normalized,
/// keystone rectified), and why the page was read by OCR.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrInfo {
    /// The recognized words, points, top-left origin, deskewed frame.
    pub words: Vec<OcrWord>,
    /// Lines of ink the recognizer read no text from (points): a field
    /// whose box holds one may have lost text (the record builder warns `ocr_unread`).
    pub unread: Vec<BBox>,
    /// The skew corrected, degrees.
    pub skew_deg: f64,
    /// The paper's brightness was divided out.
    pub illumination_normalized: bool,
    /// A keystone was rectified from the table's frame.
    pub perspective_corrected: bool,
    /// The sheet was found on a darker surround and made to fill the page.
    pub sheet_found: bool,
    /// Red ink (a seal) was taken out of the page.
    pub seal_removed: bool,
    /// Why the page was read by OCR.
    pub reason: OcrReason,
    /// `ppocr` or `tesseract`.
    pub recognizer: &'static str,
}

/// Why a page's text layer was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrReason {
    /// No glyphs, and an image.
    NoTextLayer,
    /// Mostly glyphs whose text is unknown (U+FFFD, private use area).
    UnmappedText,
    /// Glyphs over a page-sized image, their text holding none of the
    /// form's words: a garbage text layer (mojibake, another program's
    /// failed OCR).
    ForeignText,
}

impl OcrReason {
    /// Said in the record's `ocr_text_layer_ignored` warning.
    pub fn describe(self) -> &'static str {
        match self {
            OcrReason::NoTextLayer => "no text layer",
            OcrReason::UnmappedText => "its text layer is mostly unmapped glyphs",
            OcrReason::ForeignText => "its text layer holds none of the form's words",
        }
    }
}
