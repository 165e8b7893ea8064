//! PDF backend: PDF bytes to positioned glyphs and ruling lines per page.
//!
//! Built on `lopdf` (object parsing, xref repair, decryption, filters) with
//! our own small content-stream interpreter ([`interp`]); see
//! `docs/read-pdf.md` for why, with the measurements.
//!
//! Output follows [`crate::geom`]: points, top-left origin of the page's
//! crop box (media box when none), `/Rotate` applied, so a landscape page
//! comes out as it is displayed.
//!
//! Glyphs come in content-stream order (not reading order); edges sorted
//! (horizontals by y then x, verticals by x then y).
//!
//! * **Glyph boxes**: `x` runs from the glyph origin to origin + advance,
//!   the advance being the font's width (`/Widths`, or `/W` then `/DW` for
//!   CID fonts) times the font size, plus character spacing (and word
//!   spacing on single-byte code 32), times horizontal scaling, all through
//!   the text matrix and CTM. Vertically the box runs from
//!   `baseline - ascent*size` to `baseline + descent*size` with the fixed
//!   [`PdfSettings::ascent`] / [`PdfSettings::descent`] (0.88 / 0.12, the
//!   Noto/Source Han CJK metrics), not the font descriptor's values: those
//!   vary wildly between producers for the same face (SimSun 859/-141,
//!   Microsoft YaHei 1058/-262, subsets with 0), and identical text should
//!   get identical boxes whatever produced it. Set
//!   [`PdfSettings::font_descriptor_metrics`] to use plausible descriptor
//!   values instead. A code whose ToUnicode gives several chars becomes
//!   several glyphs splitting the advance equally.
//! * **Text**: ToUnicode first; else the predefined CJK CMaps (GBK-EUC-H,
//!   GB-EUC-H, GBK2K-H decoded as GBK / GB 18030; UniGB-UCS2-H,
//!   UniGB-UTF16-H as UTF-16BE); else a simple font's encoding; else
//!   U+FFFD (a glyph is there, its text is unknown). Kangxi radicals and
//!   whole-ideograph radical supplement chars are folded to the unified
//!   ideographs ([`fold::fold_radical`]); nothing else is normalized
//!   (U+3000 and full-width forms stay). Control chars are dropped.
//! * **Ruling lines**: straight stroked segments (`m`/`l`, `re`, closing
//!   segments) and filled axis-aligned rectangles (`re` or closed 4-point
//!   `m`/`l` paths; `f`, `F`, `f*`, `B`, `B*`, `b`, `b*`) at most
//!   [`PdfSettings::max_line_thickness`] thick, reduced to their centre
//!   line; diagonals, curves and white lines dropped; duplicates removed. A filled
//!   rectangle thicker than that both ways is a cell background (or a
//!   page-sized white backdrop, as LibreOffice paints): by default it
//!   gives no edges, because shading without a border would otherwise
//!   invent rules; see [`PdfSettings::filled_rect_sides_as_edges`].
//! * **Clipping**: the clip is one page-space rectangle: the visible box
//!   (crop box clipped to the media box), narrowed by each `W`/`W*` path
//!   (a rectangle exactly, any other path by its bounding box, so nothing
//!   that may show is hidden), saved and restored with `q`/`Q` and
//!   inherited by Form XObjects (their /BBox is not applied: a form
//!   drawing outside it, as `tests/data/form_xobject_simple_font.pdf`
//!   does, keeps its text). A glyph whose box centre lies outside it (the
//!   copy of a merged cell LibreOffice paints into the bottom margin, text
//!   off the page) is dropped; a ruling line is cut to it; both with
//!   [`PdfSettings::clip_tolerance`] of slack. Invisible text (`3 Tr`, as
//!   in OCR layers) is kept: the render mode is not read.
//! * **Budgets**: what a file may cost (bytes inflated, operators, glyphs,
//!   path points, XObject calls, lexer sizes; [`PdfSettings`]) is counted
//!   as it is read (`budget.rs`); going over one fails the file with
//!   [`Error::TooComplex`] naming it.

mod budget;
mod cmap;
mod edges;
mod encoding;
pub mod fold;
mod font;
mod interp;
mod lexer;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::error::{Error, Result};
use crate::geom::PageContent;
use budget::{Stop, Tally};
use interp::{Interp, Matrix};

/// Knobs of the PDF backend. All lengths in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfSettings {
    /// A filled rectangle at most this thick (in its short direction) is a
    /// ruling line. Default 2.0.
    pub max_line_thickness: f64,
    /// Edges shorter than this are dropped (dots, zero-length strokes).
    /// Default 1.0.
    pub min_edge_length: f64,
    /// Two edges of the same orientation within this distance of each other,
    /// one's extent inside the other's (± this), are one edge. Default 0.5.
    pub dedupe_tolerance: f64,
    /// A segment is horizontal (vertical) when its ends differ by at most
    /// this in y (x); anything else is diagonal and dropped. Default 0.5.
    pub axis_tolerance: f64,
    /// Whether a filled rectangle thicker than `max_line_thickness` both
    /// ways (a cell background) contributes its 4 sides. Default false.
    pub filled_rect_sides_as_edges: bool,
    /// Glyph box top above the baseline, in units of font size. Default 0.88.
    pub ascent: f64,
    /// Glyph box bottom below the baseline, in units of font size (positive).
    /// Default 0.12.
    pub descent: f64,
    /// Use the font descriptor's /Ascent and /Descent where plausible
    /// instead of `ascent` / `descent`. Default false (see module docs).
    pub font_descriptor_metrics: bool,
    /// Slack of the clipping test: a glyph whose box centre lies at most
    /// this far outside the clipping rectangle (or the page's visible box)
    /// is kept, and so is a ruling line at most this far outside it (a
    /// border stroked on a clip's own boundary, rounding in the producer's
    /// coordinates); a ruling line's ends are cut at the clip's exact
    /// boundary. Text clipped into a margin lies a line height away.
    /// Default 1.0.
    pub clip_tolerance: f64,
    // Budgets: what one file may cost. Going over one fails the file with
    // [`Error::TooComplex`] naming it (never the process); real forms stay
    // far below every default (docs/read-pdf.md, "Budgets").
    /// Largest input file read, in bytes (PDF or text dump; a device or
    /// pipe is read up to it): a larger one fails before it is parsed.
    /// Default 256 MiB.
    pub max_file_bytes: u64,
    /// Most bytes one stream may inflate to: a page's content (all its
    /// streams together), a Form XObject, a ToUnicode CMap, and each object
    /// stream lopdf decodes while loading. Default 64 MiB.
    pub max_stream_bytes: usize,
    /// Most bytes all the streams of a file may inflate to together
    /// (object streams decoded while loading not counted). Default 256 MiB.
    pub max_inflated_bytes: usize,
    /// Most content operators run in a file, Form XObjects' included.
    /// Default 20,000,000 (a form page runs a few thousand).
    pub max_operators: u64,
    /// Most operands one content operator may have. Default 65,536.
    pub max_operands: usize,
    /// Longest string operand in a content stream, in bytes. Default 1 MiB.
    pub max_string_bytes: usize,
    /// Most glyphs one page may paint (before clipping and de-duplication).
    /// Default 500,000 (a dense page holds a few thousand).
    pub max_glyphs_per_page: usize,
    /// Most glyphs all the pages of a file may paint together. Default
    /// 4,000,000 (about 190 MB of glyphs; a 50-page form file paints some
    /// 100,000).
    pub max_glyphs_per_file: usize,
    /// Most path points (`m`, `l`, curve ends, rectangle corners) one page
    /// may construct. Default 1,000,000.
    pub max_path_points_per_page: usize,
    /// Most Form XObject invocations (`Do`) on one page, nested ones
    /// included. Default 10,000.
    pub max_xobject_calls_per_page: usize,
    /// Deepest nesting of Form XObjects; deeper ones are not run (a cycle
    /// never is). Default 12.
    pub max_xobject_depth: usize,
    /// A file with more pages than this is refused with
    /// [`Error::TooManyPages`] before any page is read. 0 (the default):
    /// no limit.
    pub max_pages: usize,
    /// When set, reading stops with [`Error::Timeout`] once this instant
    /// has passed: checked before each page and every few hundred content
    /// operators (form XObjects included), so a runaway content stream
    /// cannot hang a batch. Parsing the file itself (lopdf) is not
    /// interruptible. Default: none.
    pub deadline: Option<Deadline>,
}

/// A file's wall-clock time budget, shared by every stage that reads the
/// file (clones share it). It starts at a base and grows as the work is
/// learned: [`Deadline::add_pages`] when the page count is known,
/// [`Deadline::add_ocr_page`] before a page is read by OCR, so that a
/// limit scales with the file (`ingest --timeout --page-timeout
/// --ocr-page-timeout`). Each growth is reported to the `notify` hook (a
/// worker process tells its parent, which kills it past the budget).
#[derive(Clone)]
pub struct Deadline {
    start: std::time::Instant,
    budget_ms: std::sync::Arc<std::sync::atomic::AtomicU64>,
    per_page: std::time::Duration,
    per_ocr_page: std::time::Duration,
    notify: Option<std::sync::Arc<dyn Fn(std::time::Duration) + Send + Sync>>,
}

impl std::fmt::Debug for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline")
            .field("budget", &self.budget())
            .field("per_page", &self.per_page)
            .field("per_ocr_page", &self.per_ocr_page)
            .finish()
    }
}

impl PartialEq for Deadline {
    fn eq(&self, o: &Self) -> bool {
        self.start == o.start && std::sync::Arc::ptr_eq(&self.budget_ms, &o.budget_ms)
    }
}

impl Deadline {
    /// A fixed deadline `limit` from now (it does not grow).
    pub fn after(limit: std::time::Duration) -> Self {
        Self::growing(limit, std::time::Duration::ZERO, std::time::Duration::ZERO)
    }

    /// A budget of `base` from now, growing by `per_page` for each page and
    /// by `per_ocr_page` for each page read by OCR.
    pub fn growing(
        base: std::time::Duration,
        per_page: std::time::Duration,
        per_ocr_page: std::time::Duration,
    ) -> Self {
        Deadline {
            start: std::time::Instant::now(),
            budget_ms: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(
                base.as_millis() as u64
            )),
            per_page,
            per_ocr_page,
            notify: None,
        }
    }

    /// The same budget, calling `f` with the new total after each growth.
    pub fn notifying(mut self, f: impl Fn(std::time::Duration) + Send + Sync + 'static) -> Self {
        self.notify = Some(std::sync::Arc::new(f));
        self
    }

    /// The budget so far, from the start.
    pub fn budget(&self) -> std::time::Duration {
        let ms = self.budget_ms.load(std::sync::atomic::Ordering::Relaxed);
        std::time::Duration::from_millis(ms)
    }

    /// The budget in seconds (for the message).
    pub fn seconds(&self) -> f64 {
        self.budget().as_secs_f64()
    }

    /// The instant the budget ends (as it stands).
    pub fn at(&self) -> std::time::Instant {
        self.start + self.budget()
    }

    /// Whether the budget has run out.
    pub fn expired(&self) -> bool {
        std::time::Instant::now() >= self.at()
    }

    /// `Err(Error::Timeout)` once expired.
    pub fn check(&self, file: &Path) -> Result<()> {
        if self.expired() {
            Err(Error::Timeout {
                file: file.to_path_buf(),
                seconds: self.seconds(),
            })
        } else {
            Ok(())
        }
    }

    /// Grows the budget for `n` pages.
    pub fn add_pages(&self, n: usize) {
        self.extend(self.per_page * n as u32);
    }

    /// Grows the budget for one page read by OCR.
    pub fn add_ocr_page(&self) {
        self.extend(self.per_ocr_page);
    }

    /// Before a page is read by OCR: `false` when the budget is already
    /// spent, else `true` with the budget grown for that page.
    pub fn start_ocr_page(&self) -> bool {
        if self.expired() {
            return false;
        }
        self.add_ocr_page();
        true
    }

    fn extend(&self, d: std::time::Duration) {
        if d.is_zero() {
            return;
        }
        let ms = d.as_millis() as u64;
        self.budget_ms
            .fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
        if let Some(f) = &self.notify {
            f(self.budget());
        }
    }
}

impl Default for PdfSettings {
    fn default() -> Self {
        PdfSettings {
            max_line_thickness: 2.0,
            min_edge_length: 1.0,
            dedupe_tolerance: 0.5,
            axis_tolerance: 0.5,
            filled_rect_sides_as_edges: false,
            ascent: 0.88,
            descent: 0.12,
            font_descriptor_metrics: false,
            clip_tolerance: 1.0,
            max_file_bytes: 256 << 20,
            max_stream_bytes: 64 << 20,
            max_inflated_bytes: 256 << 20,
            max_operators: 20_000_000,
            max_operands: 65_536,
            max_string_bytes: 1 << 20,
            max_glyphs_per_page: 500_000,
            max_glyphs_per_file: 4_000_000,
            max_path_points_per_page: 1_000_000,
            max_xobject_calls_per_page: 10_000,
            max_xobject_depth: 12,
            max_pages: 0,
            deadline: None,
        }
    }
}

/// Reads every page of a PDF: glyphs and ruling lines, top-left origin.
///
/// `file` only names the input in errors. Errors: [`Error::Empty`] for no
/// bytes or only white space, [`Error::NotPdf`] without `%PDF` in the first 1024 bytes,
/// [`Error::Damaged`] when the file cannot be parsed or has no pages,
/// [`Error::Encrypted`] when the empty user password does not open it,
/// [`Error::Page`] for a page whose content cannot be read,
/// [`Error::TooManyPages`] over [`PdfSettings::max_pages`],
/// [`Error::Timeout`] past [`PdfSettings::deadline`], and
/// [`Error::Internal`] if the PDF library panics (caught here).
pub fn read_pages(file: &Path, bytes: &[u8], settings: &PdfSettings) -> Result<Vec<PageContent>> {
    // No bytes, or only white space and page breaks (an extractor's dump
    // of a page it could not read).
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty {
            file: file.to_path_buf(),
        });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(4).any(|w| w == b"%PDF") {
        return Err(Error::NotPdf {
            file: file.to_path_buf(),
        });
    }
    guarded(file, || read_pages_inner(file, bytes, settings))
}

/// Runs `f`, turning a panic (of lopdf, or ours) into [`Error::Internal`]
/// naming the file and carrying the panic message.
fn guarded<T>(file: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::Internal {
                file: file.to_path_buf(),
                reason: format!("PDF library panicked: {msg}"),
            })
        }
    }
}

fn damaged(file: &Path, reason: impl Into<String>) -> Error {
    Error::Damaged {
        file: file.to_path_buf(),
        reason: reason.into(),
    }
}

fn read_pages_inner(file: &Path, bytes: &[u8], settings: &PdfSettings) -> Result<Vec<PageContent>> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(settings.max_stream_bytes),
        ..Default::default()
    };
    let mut doc = match Document::load_mem_with_options(bytes, options) {
        Ok(d) => d,
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => {
            return Err(Error::Encrypted {
                file: file.to_path_buf(),
            });
        }
        Err(e) => return Err(damaged(file, e.to_string())),
    };
    if doc.is_encrypted() {
        // lopdf tries the empty user password while loading; still
        // encrypted means that failed, but try once more explicitly.
        if doc.decrypt("").is_err() || doc.is_encrypted() {
            return Err(Error::Encrypted {
                file: file.to_path_buf(),
            });
        }
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(damaged(file, "no pages"));
    }
    if settings.max_pages > 0 && pages.len() > settings.max_pages {
        return Err(Error::TooManyPages {
            file: file.to_path_buf(),
            pages: pages.len(),
            limit: settings.max_pages,
        });
    }
    if let Some(d) = &settings.deadline {
        d.add_pages(pages.len());
    }
    let mut fonts = font::FontCache::default();
    let mut tally = Tally::new(settings);
    let mut out = Vec::with_capacity(pages.len());
    for (&number, &page_id) in &pages {
        let number = number as usize;
        if let Some(d) = &settings.deadline {
            d.check(file)?;
        }
        let page = read_page(&doc, page_id, number, settings, &mut fonts, &mut tally)
            .map_err(|stop| stopped(file, number, settings, stop))?;
        tally.glyphs += page.glyphs.len();
        out.push(page);
    }
    Ok(out)
}

/// The error for a page whose reading stopped.
fn stopped(file: &Path, page: usize, settings: &PdfSettings, stop: Stop) -> Error {
    let file = file.to_path_buf();
    match stop {
        Stop::Timeout => Error::Timeout {
            file,
            seconds: settings.deadline.as_ref().map_or(0.0, Deadline::seconds),
        },
        Stop::Over(budget) => Error::TooComplex {
            file,
            budget: format!("{budget} (page {page})"),
        },
        Stop::Page(reason) => Error::Page { file, page, reason },
    }
}

/// A page attribute, inherited through /Parent.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut d = page;
    for _ in 0..32 {
        if let Ok(o) = d.get(key) {
            return Some(match o {
                Object::Reference(id) => doc.get_object(*id).ok()?,
                o => o,
            });
        }
        d = match d.get(b"Parent") {
            Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok()?,
            _ => return None,
        };
    }
    None
}

fn rect_of(doc: &Document, o: Option<&Object>) -> Option<[f64; 4]> {
    let Some(Object::Array(a)) = o else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, o) in v.iter_mut().zip(a) {
        let o = match o {
            Object::Reference(id) => doc.get_object(*id).ok()?,
            o => o,
        };
        *slot = match o {
            Object::Integer(i) => *i as f64,
            Object::Real(r) => *r as f64,
            _ => return None,
        };
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// The page matrix (user space to top-left display space) and the
/// displayed width and height.
fn page_matrix(x0: f64, y0: f64, x1: f64, y1: f64, rotate: i64) -> (Matrix, f64, f64) {
    let (w, h) = (x1 - x0, y1 - y0);
    match rotate.rem_euclid(360) {
        90 => (Matrix::new(0.0, 1.0, 1.0, 0.0, h - y1, -x0), h, w),
        180 => (Matrix::new(-1.0, 0.0, 0.0, 1.0, w + x0, -y0), w, h),
        270 => (Matrix::new(0.0, -1.0, -1.0, 0.0, y1, w + x0), h, w),
        _ => (Matrix::new(1.0, 0.0, 0.0, -1.0, -x0, y1), w, h),
    }
}

fn read_page(
    doc: &Document,
    page_id: ObjectId,
    number: usize,
    settings: &PdfSettings,
    fonts: &mut font::FontCache,
    tally: &mut Tally,
) -> std::result::Result<PageContent, Stop> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| Stop::Page(format!("page object: {e}")))?;
    let media = rect_of(doc, inherited(doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let bx = match rect_of(doc, inherited(doc, page, b"CropBox")) {
        // The crop box clipped to the media box; ignored when degenerate.
        Some(c) => {
            let r = [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ];
            if r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0 {
                r
            } else {
                media
            }
        }
        None => media,
    };
    let rotate = match inherited(doc, page, b"Rotate") {
        Some(Object::Integer(r)) => *r,
        _ => 0,
    };
    let (m, width, height) = page_matrix(bx[0], bx[1], bx[2], bx[3], rotate);

    let content = tally.page_content(doc, page_id)?;
    let mut res: Vec<&Dictionary> = Vec::new();
    if let Ok((direct, ids)) = doc.get_page_resources(page_id) {
        res.extend(direct);
        for id in ids {
            if let Ok(d) = doc.get_dictionary(id) {
                res.push(d);
            }
        }
    }
    let page_box = crate::geom::BBox::new(0.0, 0.0, width, height);
    let mut it = Interp::new(doc, settings, fonts, tally, m, page_box);
    it.run(&content, &res)?;
    let glyphs = std::mem::take(&mut it.glyphs);
    let edges = std::mem::take(&mut it.edges).finish(settings.dedupe_tolerance);
    Ok(PageContent {
        number,
        width,
        height,
        glyphs,
        edges,
        images: it.images,
        image_dpi: it.image_dpi,
        ocr: None,
        image_cover: if width > 0.0 && height > 0.0 {
            (it.image_area / (width * height)).min(1.0)
        } else {
            0.0
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_panic_becomes_internal_error_with_message() {
        let e = guarded::<()>(Path::new("x.pdf"), || panic!("boom at offset 42")).unwrap_err();
        match e {
            Error::Internal { file, reason } => {
                assert_eq!(file, Path::new("x.pdf"));
                assert!(reason.contains("boom at offset 42"), "{reason}");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn page_matrix_maps_corners_for_every_rotation() {
        // A4 portrait media box [0 0 595 842].
        let (m, w, h) = page_matrix(0.0, 0.0, 595.0, 842.0, 0);
        assert_eq!((w, h), (595.0, 842.0));
        assert_eq!(m.apply(0.0, 842.0), (0.0, 0.0));
        let (m, w, h) = page_matrix(0.0, 0.0, 595.0, 842.0, 90);
        assert_eq!((w, h), (842.0, 595.0));
        // Unrotated top-left goes to the displayed top-right.
        assert_eq!(m.apply(0.0, 842.0), (842.0, 0.0));
        let (m, _, _) = page_matrix(0.0, 0.0, 595.0, 842.0, 180);
        assert_eq!(m.apply(0.0, 842.0), (595.0, 842.0));
        let (m, _, _) = page_matrix(0.0, 0.0, 595.0, 842.0, 270);
        assert_eq!(m.apply(0.0, 842.0), (0.0, 595.0));
    }
}
