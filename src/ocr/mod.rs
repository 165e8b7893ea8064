//! OCR of scanned pages: pages without a usable text layer are rasterized,
//! deskewed, their ruling lines found in the image, and their text read by
//! Tesseract; the result is a [`PageContent`] like the PDF backend's
//! (glyphs and edges in points, top-left origin), so layout, mapping and
//! assembly run unchanged.
//!
//! ```text
//! page ─page_needs_ocr─▶ ─rasterize (pdftoppm -gray)─▶ GrayImage
//!   ─normalize_illumination─▶ ─estimate_skew / rotate─▶ ─find_frame / rectify / warp─▶
//!   ─find_segments─▶ edges (points)
//!   ─erase_segments─▶ ─cell strips─▶ tesseract hOCR ─parse_hocr─▶ words ─words_to_glyphs─▶ glyphs
//! ```
//!
//! External tools are run as subprocesses (no linking): `pdftoppm` from
//! poppler-utils and `tesseract` with the `chi_sim` data. Their paths come
//! from [`OcrSettings`].

pub mod fix;
pub mod image;
pub mod lines;
pub mod ppocr;
pub mod prepro;
pub mod symbols;
pub mod tesseract;
pub mod vote;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::geom::{BBox, Edge, PageContent};
use crate::layout::edges_to_grids;
use crate::settings::LayoutSettings;
use image::{GrayImage, binarize, otsu_threshold, rotate};
use lines::{SkewSearch, connected_segments, erase_segments, estimate_skew, find_segments};
use tesseract::{
    OcrChar, OcrWord, merge_split_percent, parse_hocr, run_tesseract, words_to_glyphs,
};

/// How scanned pages are read.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrSettings {
    /// OCR pages without a usable text layer. Default true; when false such
    /// files fail with `no_text_layer` as before.
    pub enabled: bool,
    /// The tesseract binary. Default `tesseract` (the binary: `$SHENBAO_TESSERACT`).
    pub tesseract: PathBuf,
    /// The pdftoppm binary. Default `pdftoppm` (the binary: `$SHENBAO_PDFTOPPM`).
    pub pdftoppm: PathBuf,
    /// Tesseract language. Default `chi_sim`.
    pub lang: String,
    /// What reads the text of a scanned page. Default [`Recognizer::Auto`]
    /// (PP-OCR where installed; the binary: `$SHENBAO_OCR_RECOGNIZER`,
    /// `auto`, `ppocr` or `tesseract`).
    pub recognizer: Recognizer,
    /// Folders searched, in order, for the PP-OCR files
    /// ([`ppocr::find_dir`]). Default [`ppocr::SYSTEM_DIRS`]; the binary
    /// puts `$XDG_DATA_HOME/shenbao/ppocr` (or `~/.local/share/shenbao/ppocr`)
    /// first, and `$SHENBAO_PPOCR_DIR`, when set, alone.
    pub ppocr_dirs: Vec<PathBuf>,
    /// Where intermediate images are written for debugging (page,
    /// passes, line stacks, PGM). Default none (the binary:
    /// `$SHENBAO_OCR_DEBUG_DIR`).
    pub debug_dir: Option<PathBuf>,
    /// Rasterization resolution: 0 (the default) renders a scanned page
    /// at its own image's resolution ([`PageContent::image_dpi`]) held
    /// within `auto_dpi` (300 held within it when unknown);
    /// any other value is a fixed one (the binary: `$SHENBAO_OCR_DPI`).
    pub dpi: u32,
    /// Range the automatic resolution is held within. Default 200..=200,
    /// so every scan is read at 200 dpi: the form's 10.5 pt text is then
    /// ~29 px tall, which `chi_sim` reads best. Measured (docs/ocr.md):
    /// 200 dpi scans misread more when upsampled to 300 or 400; 300 dpi
    /// JPEG scans read at 200 dpi gave 60/66 fields right, at 250 60/66
    /// with a funding table lost, at their own 300 57/66 with an amount
    /// misread. Coarser scans are upsampled to 200.
    pub auto_dpi: (u32, u32),
    /// Take red ink (a seal stamped over the unit's name, the text and
    /// the table) out of color pages as they are turned to gray
    /// ([`image::parse_pnm`]). Default true.
    pub remove_red_ink: bool,
    /// A pixel is red ink when its red exceeds green and blue by more than
    /// this (of 255). Default 60: a red seal's ink is 150+ over its green
    /// and blue; paper tinted warm, or a JPEG's color fringes, under 40.
    pub red_ink_margin: u8,
    /// Pages with at least this share of red-ink pixels say so in
    /// [`OcrInfo::seal_removed`]. Default 0.001.
    pub min_red_share: f64,
    /// Remove specks (blobs of ink smaller than 0.6×0.6 pt) before OCR.
    /// Default true.
    pub despeckle: bool,
    /// Largest skew corrected, degrees either way. Default 10.0: a page
    /// laid on a scanner or photographed by hand is seldom further off.
    pub max_skew_deg: f64,
    /// Step of the coarse skew search over ±`max_skew_deg`, degrees; the
    /// best angle is then refined at 0.2° and 0.02°. Default 0.5.
    pub skew_coarse_step_deg: f64,
    /// Row height of the coarse search's profile, points. Default 1.5
    /// (4 px at 200 dpi): a profile of coarser rows has a peak wider than
    /// the coarse step, so it is not missed between two steps.
    pub skew_coarse_bin_pt: f64,
    /// Divide out the paper's brightness (a gradient, a shadow, a dark
    /// surround) before anything else ([`prepro::normalize_illumination`]).
    /// Default true.
    pub normalize_illumination: bool,
    /// Block over which the paper's brightness is taken (the brightest
    /// pixel), points. Default 4.0: well above a stroke's width, so every
    /// block of text holds paper.
    pub background_block_pt: f64,
    /// A block's paper is the level this share of its pixels are at or
    /// below. Default 0.8: a block of text is mostly paper, and the
    /// brightest pixel is not taken (on a JPEG scan it is the ringing
    /// beside a stroke, brighter than the paper).
    pub background_share: f64,
    /// A block takes the median paper of the blocks within this many
    /// blocks around it. Default 2 (a 20 pt window): a filled box or a
    /// heavy title character (≤ 16 pt) still sees mostly paper. (The
    /// brightest, as first written, carried the lit paper into the edge of
    /// a shadow band, where rules and text then merged: the degraded
    /// tuning set's shadow scans 7/44 fields right, with the median 40/44.)
    pub background_spread_blocks: usize,
    /// The page's brightness is normalized only when its paper varies by
    /// more than this many gray levels (of 255). Default 24.0: a flatbed
    /// scan's paper is even (tinted or not), and is left as it is.
    pub min_background_spread: f64,
    /// Share of the darkest and of the brightest blocks left out when
    /// measuring that variation. Default 0.02.
    pub background_tail: f64,
    /// Illumination: where the background is darker than this share of
    /// the page's paper, it is the surround a sheet lies on (a desk under a
    /// phone photo), not paper, and becomes white. Default 0.0 (off): the
    /// sheet is now found and resampled first ([`OcrSettings::find_sheet`]),
    /// and at 0.5 a shadow band across the page was whitened with its
    /// text.
    pub surround_ratio: f64,
    /// Find the sheet in a photo that shows it on a darker surround (a
    /// desk) and resample it to fill the image ([`prepro::find_sheet`]),
    /// before anything else. Default true; a scan, whose paper reaches the
    /// image's edges, is left as it is.
    pub find_sheet: bool,
    /// The sheet must cover at least this share of the image. Default 0.3.
    pub min_sheet_share: f64,
    /// A line found in the image is a ruling line only when, on one side
    /// of it at least (1.5 pt beyond), under this share of the pixels
    /// along it are ink ([`lines::drop_inked_sides`]); else it is a run of
    /// bold text strokes. Default 0.3.
    pub rule_side_max_ink: f64,
    /// A line found in the image is a ruling line only when at least this
    /// share as dark as the page's rules ([`lines::drop_faint`]); fainter
    /// ones are the back side's rules showing through. Default 0.33: on
    /// the scanned fixtures the rules' darkness spans 52-131 (thin rules
    /// blurred), on a bleed-through scan the front's 100-255 and the
    /// back's 32-90; a third keeps every front rule of both.
    pub min_rule_darkness: f64,
    /// Lines found closer than this to the image's edge, points, are not
    /// ruling lines (a form's table keeps a margin) but the sheet's edge
    /// or a scanner's shadow. Default 6.0.
    pub edge_margin_pt: f64,
    /// Rectify a keystone (a photo taken at an angle) from the table's
    /// outer frame ([`prepro::find_frame`], [`prepro::rectify`]). Default
    /// true.
    pub rectify_perspective: bool,
    /// The frame's top and bottom rules must each span at least this share
    /// of the image's width. Default 0.5.
    pub frame_min_width: f64,
    /// The top and bottom rules must be at least this share of the
    /// image's height apart. Default 0.2 (a table of ~8 rows): the lean
    /// of a shorter frame, extended over the page, is mostly noise.
    pub frame_min_height: f64,
    /// Every rule that long must end on the frame's sides within this,
    /// points, or the frame is not taken (two tables of different widths).
    /// Default 3.0.
    pub frame_tolerance_pt: f64,
    /// A keystone is corrected only when the frame's sides lean by more
    /// than this (the top and bottom rules' ends differ), points. Default
    /// 1.5 (4 px at 200 dpi): a deskewed flat scan's rules end within a
    /// pixel or two of each other.
    pub min_keystone_pt: f64,
    /// OCR each table cell on its own (stacked into one image, one
    /// tesseract run per page) rather than the whole page. Default true
    /// (the binary: `$SHENBAO_OCR_PER_CELL`, `0` for whole-page OCR).
    pub per_cell: bool,
    /// How many of [`OCR_PASSES`] read each page, their readings voted
    /// character by character ([`vote`]). Default 3 (the binary:
    /// `$SHENBAO_OCR_PASSES`); 1 is about three times less CPU and reads
    /// worse (docs/ocr.md).
    pub passes: usize,
    /// A page whose text layer holds none of the form's words
    /// ([`crate::template::Template::vocabulary`]) is read by OCR when it
    /// paints an image covering at least this share of the page
    /// ([`PageContent::image_cover`]): a scan under a garbage text layer.
    /// Default 0.5; text-layer pages without such an image are never
    /// sent to OCR, whatever their text.
    pub min_scan_cover: f64,
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
    /// PP-OCR reads every text line a second time, from a second view of
    /// it ([`second_view`]), and a character the two readings do not agree
    /// on gets confidence [`DISAGREE_CONF`], so its field warns. Default
    /// true. PP-OCR is sure of some wrong characters (`项自` for `项目` at
    /// 0.97, `，` for `。` at 0.99 on the degraded tuning scans): without the
    /// second reading these were wrong fields with no warning. Costs 1.5×
    /// the OCR time.
    pub second_reading: bool,
    /// White margin of the second view, above and below, as a share of
    /// the line's height (half of it left and right). Default 0.35.
    pub second_reading_pad: f64,
    /// How far inside a cell's ruling lines the cell's text is looked for,
    /// points. Default 0.5: the lines themselves are erased first
    /// ([`lines::erase_segments`]); 1.5 cut a `4` written against the left
    /// rule of its cell down to a `1`.
    pub cell_inset_pt: f64,
    /// How close a reading must be to a label, option or level name to be
    /// snapped to it ([`fix::RepairSettings`], documented defaults).
    pub repair: fix::RepairSettings,
}

impl Default for OcrSettings {
    /// The documented defaults; nothing is read from the environment (the
    /// binary maps its `SHENBAO_*` variables onto these fields).
    fn default() -> Self {
        OcrSettings {
            enabled: true,
            tesseract: PathBuf::from("tesseract"),
            pdftoppm: PathBuf::from("pdftoppm"),
            lang: "chi_sim".to_string(),
            recognizer: Recognizer::Auto,
            ppocr_dirs: ppocr::SYSTEM_DIRS.iter().map(PathBuf::from).collect(),
            debug_dir: None,
            dpi: 0,
            auto_dpi: (200, 200),
            remove_red_ink: true,
            red_ink_margin: 60,
            min_red_share: 0.001,
            despeckle: true,
            max_skew_deg: 10.0,
            skew_coarse_step_deg: 0.5,
            skew_coarse_bin_pt: 1.5,
            normalize_illumination: true,
            background_block_pt: 4.0,
            background_spread_blocks: 2,
            background_share: 0.8,
            min_background_spread: 24.0,
            background_tail: 0.02,
            surround_ratio: 0.0,
            find_sheet: true,
            min_sheet_share: 0.3,
            edge_margin_pt: 6.0,
            rule_side_max_ink: 0.3,
            min_rule_darkness: 0.33,
            rectify_perspective: true,
            frame_min_width: 0.5,
            frame_min_height: 0.2,
            frame_tolerance_pt: 3.0,
            min_keystone_pt: 1.5,
            per_cell: true,
            second_reading: true,
            second_reading_pad: 0.35,
            cell_inset_pt: 0.5,
            repair: fix::RepairSettings::default(),
            passes: 3,
            min_scan_cover: 0.5,
            min_amount_confidence: 0.7,
            min_char_confidence: 0.92,
        }
    }
}

/// What reads the text of scanned pages (docs/ocr.md, "Recognizer").
#[derive(Debug, Clone, PartialEq)]
pub enum Recognizer {
    /// PP-OCR when its files are installed ([`ppocr::find_dir`]), else
    /// Tesseract.
    Auto,
    /// Tesseract (`chi_sim`), three passes voted ([`OcrSettings::passes`]).
    Tesseract,
    /// PP-OCRv4 from this folder, or the one [`ppocr::find_dir`] finds; a
    /// file fails with `ocr_unavailable` when there is none.
    PpOcr(Option<PathBuf>),
}

impl Recognizer {
    /// The PP-OCR folder to read with, `None` for Tesseract.
    pub fn resolve(&self, dirs: &[PathBuf]) -> Result<Option<PathBuf>, String> {
        match self {
            Recognizer::Auto => Ok(ppocr::find_dir(dirs)),
            Recognizer::Tesseract => Ok(None),
            Recognizer::PpOcr(Some(d)) if ppocr::installed_in(d) => Ok(Some(d.clone())),
            Recognizer::PpOcr(Some(d)) => Err(format!(
                "PP-OCR recognizer not found in {} (run scripts/install_ppocr.sh)",
                d.display()
            )),
            Recognizer::PpOcr(None) => ppocr::find_dir(dirs).map(Some).ok_or_else(|| {
                "PP-OCR recognizer not installed (run scripts/install_ppocr.sh)".to_string()
            }),
        }
    }
}

/// What OCR adds to a page beyond its [`PageContent`]: the words with
/// their confidences (points, top-left origin, deskewed frame), the
/// preprocessing that ran (skew corrected, illumination normalized,
/// keystone rectified), and why the page was read by OCR.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrInfo {
    pub words: Vec<OcrWord>,
    /// Lines of ink the recognizer read no text from (points): a field
    /// whose box holds one may have lost text ([`annotate_record`]).
    pub unread: Vec<BBox>,
    pub skew_deg: f64,
    /// The paper's brightness was divided out.
    pub illumination_normalized: bool,
    /// A keystone was rectified from the table's frame.
    pub perspective_corrected: bool,
    /// The sheet was found on a darker surround and made to fill the page.
    pub sheet_found: bool,
    /// Red ink (a seal) was taken out of the page.
    pub seal_removed: bool,
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

/// Whether a page needs OCR, and why ([`OcrReason`]). A page with neither
/// glyphs nor images (a blank page, or one holding only the ruling lines
/// of a table running over) is not sent to OCR, nor is one with a usable
/// text layer: one whose glyphs are mostly known and, unless an image
/// covers `s.min_scan_cover` of the page, whatever they say. With such an
/// image, the text (in content-stream order, and in reading order) must
/// hold one of `vocabulary` (label keys, [`crate::template::label_key`]).
pub fn page_needs_ocr(
    page: &PageContent,
    vocabulary: &[String],
    s: &OcrSettings,
    layout: &LayoutSettings,
) -> Option<OcrReason> {
    if page.glyphs.is_empty() {
        return (page.images > 0).then_some(OcrReason::NoTextLayer);
    }
    let bad = page
        .glyphs
        .iter()
        .filter(|g| matches!(g.ch, '\u{FFFD}' | '\u{E000}'..='\u{F8FF}'))
        .count();
    if bad * 2 > page.glyphs.len() {
        return Some(OcrReason::UnmappedText);
    }
    if page.image_cover < s.min_scan_cover {
        return None;
    }
    let stream = crate::template::label_key(&page.glyphs.iter().map(|g| g.ch).collect::<String>());
    let words = crate::layout::glyphs_to_words(&page.glyphs, layout);
    let read: String = crate::layout::words_to_lines(&words, layout)
        .iter()
        .map(|l| l.text())
        .collect();
    let read = crate::template::label_key(&read);
    let holds = |t: &String| stream.contains(t.as_str()) || read.contains(t.as_str());
    (!vocabulary.iter().any(holds)).then_some(OcrReason::ForeignText)
}

/// Whether the tools can run: `tesseract --list-langs` lists the language
/// and pdftoppm starts. `Err` says what is missing.
pub fn check_tools(s: &OcrSettings) -> Result<(), String> {
    if s.recognizer.resolve(&s.ppocr_dirs)?.is_none() {
        check_tesseract(s)?;
    }
    Command::new(&s.pdftoppm)
        .arg("-v")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("pdftoppm not available ({}: {e})", s.pdftoppm.display()))?;
    Ok(())
}

fn check_tesseract(s: &OcrSettings) -> Result<(), String> {
    let out = Command::new(&s.tesseract)
        .arg("--list-langs")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("tesseract not available ({}: {e})", s.tesseract.display()))?;
    let langs = String::from_utf8_lossy(&out.stdout);
    if !s
        .lang
        .split('+')
        .all(|lang| langs.lines().any(|l| l.trim() == lang))
    {
        return Err(format!(
            "tesseract has no {} data (install tesseract-ocr-chi-sim)",
            s.lang
        ));
    }
    Ok(())
}

/// The resolution a page is rendered at for OCR (see [`OcrSettings::dpi`]).
pub fn render_dpi(s: &OcrSettings, page: &PageContent) -> u32 {
    if s.dpi > 0 {
        return s.dpi;
    }
    let own = if page.image_dpi > 0.0 && page.image_dpi.is_finite() {
        page.image_dpi.round() as u32
    } else {
        300
    };
    own.clamp(s.auto_dpi.0, s.auto_dpi.1.max(s.auto_dpi.0))
}

/// Renders one page (1-based) with `pdftoppm -r DPI` (the PDF given on
/// stdin) in color, turned to gray with red ink taken out
/// ([`image::parse_pnm`], [`OcrSettings::remove_red_ink`]). Returns the
/// image and how many pixels were red ink.
pub fn rasterize(
    s: &OcrSettings,
    pdf: &[u8],
    page: usize,
    dpi: u32,
) -> Result<(GrayImage, usize), String> {
    use std::io::Write;
    let mut child = Command::new(&s.pdftoppm)
        .args(["-r", &dpi.to_string()])
        .args(["-f", &page.to_string(), "-l", &page.to_string(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", s.pdftoppm.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let data = pdf.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("pdftoppm: {e}"))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!(
            "pdftoppm failed on page {page}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let red = s.remove_red_ink.then_some(s.red_ink_margin);
    image::parse_pnm(&out.stdout, red)
        .ok_or_else(|| format!("pdftoppm gave no image for page {page}"))
}

/// Rectangles of the image (pixels) OCR'd one by one, each with its own
/// text: table cells (shrunk past their borders), and the bands above and
/// below the tables.
fn text_regions(
    img_mask: &[bool],
    edges: &[Edge],
    k: f64,
    inset_pt: f64,
    w: usize,
    h: usize,
    layout: &LayoutSettings,
) -> Vec<(usize, usize, usize, usize)> {
    let grids = edges_to_grids(edges, layout);
    let mut out = Vec::new();
    let px = |v: f64| (v * k).round().max(0.0) as usize;
    let inset = (inset_pt * k).ceil() as usize;
    let mut top = h;
    let mut bottom = 0;
    for g in &grids {
        top = top.min(px(g.bbox.top));
        bottom = bottom.max(px(g.bbox.bottom));
        for c in &g.cells {
            let (x0, y0) = (px(c.bbox.x0) + inset, px(c.bbox.top) + inset);
            let (x1, y1) = (
                px(c.bbox.x1).saturating_sub(inset).min(w),
                px(c.bbox.bottom).saturating_sub(inset).min(h),
            );
            if x1 > x0 + 4 && y1 > y0 + 4 {
                out.push((x0, y0, x1, y1));
            }
        }
    }
    if grids.is_empty() {
        return vec![(0, 0, w, h)];
    }
    let mut bands = Vec::new();
    if top > 8 {
        bands.push((0, top.saturating_sub(inset)));
    }
    if bottom + inset + 8 < h {
        bands.push((bottom + inset, h));
    }
    let mut lines = Vec::new();
    for (y0, y1) in bands {
        for (a, b) in text_rows(img_mask, w, y0, y1) {
            lines.push((0, a, w, b));
        }
    }
    lines.extend(out);
    lines
}

/// Text lines of a band of the page (rows `y0..y1`): runs of rows holding
/// ink, padded, so the title, the year and the unit line are read each on
/// its own (one wide region mixing a large title and small lines reads
/// badly). Rows with a few specks of noise count as empty.
fn text_rows(mask: &[bool], w: usize, y0: usize, y1: usize) -> Vec<(usize, usize)> {
    let min_ink = (w / 400).max(3);
    let inked: Vec<bool> = (y0..y1)
        .map(|y| mask[y * w..(y + 1) * w].iter().filter(|&&b| b).count() >= min_ink)
        .collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, &ink) in inked.iter().chain(std::iter::once(&false)).enumerate() {
        match (ink, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 6 {
                    let pad = ((i - s) / 4).max(4);
                    let a = (y0 + s).saturating_sub(pad).max(y0);
                    let b = (y0 + i + pad).min(y1);
                    match out.last_mut() {
                        Some(last) if last.1 > a => last.1 = b,
                        _ => out.push((a, b)),
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// White margin around each region of a stacked image (pixels).
const STACK_GAP: usize = 40;

/// Copies the regions into one tall image, one under the other with white
/// gaps, so one tesseract run reads each region on its own. Returns the
/// image and each region's y offset in it.
fn stack_regions(
    img: &GrayImage,
    regions: &[(usize, usize, usize, usize)],
) -> (GrayImage, Vec<usize>) {
    let gap = STACK_GAP;
    let width = regions.iter().map(|r| r.2 - r.0).max().unwrap_or(1) + 2 * gap;
    let height = regions.iter().map(|r| r.3 - r.1 + gap).sum::<usize>() + gap;
    let mut out = GrayImage::new(width, height, 255);
    let mut offsets = Vec::with_capacity(regions.len());
    let mut y = gap;
    for &(x0, y0, x1, y1) in regions {
        offsets.push(y);
        for yy in y0..y1 {
            let src = &img.data[yy * img.width + x0..yy * img.width + x1];
            let dst = (y + yy - y0) * width + gap;
            out.data[dst..dst + (x1 - x0)].copy_from_slice(src);
        }
        y += y1 - y0 + gap;
    }
    (out, offsets)
}

/// How one OCR pass prepares the page image before Tesseract reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcrPass {
    /// Resampling factor (bilinear) applied to the rendered page.
    pub scale: f64,
    /// Threshold to black and white (Otsu's threshold of the page).
    pub binarize: bool,
}

/// The passes, in the order [`OcrSettings::passes`] takes them: the page
/// as rendered; enlarged 1.5× and thresholded; enlarged 1.25×. Chosen on
/// the scanned fixtures (docs/ocr.md): each alone misreads 20-25 of 88
/// fields, mostly at different characters; voted, fewer.
pub const OCR_PASSES: [OcrPass; 3] = [
    OcrPass {
        scale: 1.0,
        binarize: false,
    },
    OcrPass {
        scale: 1.5,
        binarize: true,
    },
    OcrPass {
        scale: 1.25,
        binarize: false,
    },
];

/// One pass over the regions: the image prepared as `pass` says, the
/// regions stacked into one image, one tesseract run; words in pixels of
/// `img` (region lines kept apart: `line.0 += 1000 × region index`).
fn read_regions(
    img: &GrayImage,
    regions: &[(usize, usize, usize, usize)],
    pass: &OcrPass,
    thr: u8,
    s: &OcrSettings,
    debug: Option<PathBuf>,
) -> Result<Vec<OcrWord>, String> {
    let f = pass.scale;
    let mut prepared = if (f - 1.0).abs() > 1e-9 {
        image::resize(img, f)
    } else {
        img.clone()
    };
    if pass.binarize {
        for p in prepared.data.iter_mut() {
            *p = if *p < thr { 0 } else { 255 };
        }
    }
    let sc = |v: usize, max: usize| ((v as f64 * f).round() as usize).min(max);
    let scaled: Vec<_> = regions
        .iter()
        .map(|&(x0, y0, x1, y1)| {
            (
                sc(x0, prepared.width),
                sc(y0, prepared.height),
                sc(x1, prepared.width),
                sc(y1, prepared.height),
            )
        })
        .filter(|r| r.2 > r.0 && r.3 > r.1)
        .collect();
    let (stack, offsets) = stack_regions(&prepared, &scaled);
    if let Some(p) = debug {
        let _ = std::fs::write(p, image::to_pgm(&stack));
    }
    let hocr = run_tesseract(
        &s.tesseract,
        &image::to_pgm(&stack),
        &s.lang,
        6,
        &["-c", "hocr_char_boxes=1"],
        "hocr",
    )?;
    let gap = STACK_GAP as f64;
    Ok(parse_hocr(&hocr)
        .into_iter()
        .filter_map(|w| {
            let cy = (w.bbox.top + w.bbox.bottom) / 2.0;
            let i = offsets
                .partition_point(|&o| (o as f64) <= cy)
                .checked_sub(1)?;
            let (x0, y0, x1, y1) = scaled[i];
            let dx = x0 as f64 - gap;
            let dy = y0 as f64 - offsets[i] as f64;
            let mut w = w.scaled(1.0, dx, dy);
            merge_split_percent(&mut w);
            // keep lines of different regions apart, and words inside
            // the region they were read in
            w.line.0 += 1000 * i as u32;
            let (rx0, ry0, rx1, ry1) = (x0 as f64, y0 as f64, x1 as f64, y1 as f64);
            w.bbox = BBox::new(
                w.bbox.x0.clamp(rx0, rx1),
                w.bbox.top.clamp(ry0, ry1),
                w.bbox.x1.clamp(rx0, rx1),
                w.bbox.bottom.clamp(ry0, ry1),
            );
            Some(w.scaled(1.0 / f, 0.0, 0.0))
        })
        .collect())
}

/// Words read as a number (digits, `.`, `,`, `%`, after a leading `≥`/`≤`)
/// with a confidence below this are read again by [`reread_doubtful_numbers`].
const DOUBTFUL_NUMBER_CONF: f64 = 0.5;

/// A second opinion on numbers `chi_sim` doubts: the LSTM model reads
/// some fonts' `%` as digits (`5%` as `500`, confidence 0). Such words
/// are cut out (a third of their height around), stacked, and read by
/// Tesseract's `eng` model restricted to `0-9.,%`; its reading replaces
/// the word's only when it holds a `%` the first reading lacks and is
/// otherwise a plain number. Without the `eng` data nothing changes.
/// `words` in pixels of `img`.
fn reread_doubtful_numbers(words: &mut [OcrWord], img: &GrayImage, s: &OcrSettings) {
    let split = |t: &str| -> (String, String) {
        let op: String = t.chars().take_while(|c| matches!(c, '≥' | '≤')).collect();
        let rest = t[op.len()..].to_string();
        (op, rest)
    };
    let numeric = |t: &str| {
        !t.is_empty()
            && t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%'))
    };
    let doubtful: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].conf < DOUBTFUL_NUMBER_CONF && numeric(&split(&words[i].text).1))
        .collect();
    if doubtful.is_empty() {
        return;
    }
    let regions: Vec<(usize, usize, usize, usize)> = doubtful
        .iter()
        .map(|&i| {
            let b = &words[i].bbox;
            let pad = b.height() / 3.0;
            let cl = |v: f64, max: usize| (v.max(0.0) as usize).min(max);
            (
                cl(b.x0 - pad, img.width),
                cl(b.top - pad, img.height),
                cl(b.x1 + pad, img.width),
                cl(b.bottom + pad, img.height),
            )
        })
        .collect();
    let (stack, offsets) = stack_regions(img, &regions);
    if let Some(d) = &s.debug_dir {
        let _ = std::fs::write(d.join("numbers.pgm"), image::to_pgm(&stack));
    }
    let Ok(hocr) = run_tesseract(
        &s.tesseract,
        &image::to_pgm(&stack),
        "eng",
        6,
        &[
            "-c",
            "tessedit_char_whitelist=0123456789.,%",
            "-c",
            "hocr_char_boxes=1",
        ],
        "hocr",
    ) else {
        return;
    };
    let mut texts = vec![String::new(); regions.len()];
    for w in parse_hocr(&hocr) {
        let cy = (w.bbox.top + w.bbox.bottom) / 2.0;
        if let Some(r) = offsets
            .partition_point(|&o| (o as f64) <= cy)
            .checked_sub(1)
        {
            texts[r].push_str(&w.text);
        }
    }
    for (&i, eng) in doubtful.iter().zip(texts) {
        let (op, first) = split(&words[i].text);
        if numeric(&eng) && eng.contains('%') && !first.contains('%') {
            words[i].text = format!("{op}{eng}");
            words[i].chars.clear();
        }
    }
}

/// Where the ruling-line mask's threshold lies between the text's (Otsu)
/// threshold and white: 0.7 of the way. Thin rules of a JPEG scan come out
/// light gray (150-200 on 255) after anti-aliasing and deskewing; at 0.5
/// (the earlier value) the rules of a 300 dpi JPEG scan read at 200 dpi
/// broke into pieces and the tables were lost (12/66 fields right; 60/66
/// at 0.7), with no change on the 200 dpi fixtures (docs/ocr.md). Runs of
/// light text halo stay short and unconnected, so they are not taken.
const LINE_MASK_LEVEL: f64 = 0.7;

fn line_threshold(text_threshold: u8) -> u8 {
    let t = text_threshold as f64;
    (t + (255.0 - t) * LINE_MASK_LEVEL).round() as u8
}

/// OCRs one page image into glyphs and edges. `page_w`, `page_h`: the
/// page size in points; the image covers the whole page.
pub fn image_to_page(
    img: &GrayImage,
    number: usize,
    page_w: f64,
    page_h: f64,
    s: &OcrSettings,
    layout: &LayoutSettings,
) -> Result<(PageContent, OcrInfo), String> {
    let k = img.width as f64 / page_w.max(1.0); // pixels per point
    let mut img = img.clone();
    let block = (s.background_block_pt * k).round() as usize;
    let sheet_found = if s.find_sheet
        && let Some(corners) = prepro::find_sheet(&img, block, s.min_sheet_share)
        && let Some(h) = prepro::sheet_to_image(corners, img.width, img.height)
    {
        let fill = prepro::paper_level(&img, otsu_threshold(&img));
        img = prepro::warp(&img, &h, fill);
        true
    } else {
        false
    };
    let illumination_normalized = s.normalize_illumination
        && prepro::normalize_illumination(
            &mut img,
            &prepro::Background {
                block,
                spread: s.background_spread_blocks,
                share: s.background_share,
                min_spread: s.min_background_spread,
                tail: s.background_tail,
                surround_ratio: s.surround_ratio,
            },
        );
    let thr = otsu_threshold(&img);
    let mask = binarize(&img, thr);
    let search = SkewSearch {
        max_deg: s.max_skew_deg,
        coarse_step_deg: s.skew_coarse_step_deg,
        coarse_bin: (s.skew_coarse_bin_pt * k).round().max(1.0) as usize,
    };
    let skew = estimate_skew(&mask, img.width, img.height, search);
    drop(mask);
    // what a rotation or warp brings in from outside is paper
    let paper = prepro::paper_level(&img, thr);
    if skew.abs() >= 0.05 {
        img = rotate(&img, skew, paper);
    }
    // Ruling lines are thin and come out light after blur and rotation:
    // found on a lighter threshold than the text.
    let find = |img: &GrayImage| {
        let line_mask = binarize(img, line_threshold(thr));
        let segs = find_segments(
            &line_mask,
            img.width,
            img.height,
            // horizontal rules ≥ 25 pt, vertical ≥ 18 pt (a one-line row is
            // ~21 pt; the strokes of 10.5-16 pt characters are shorter)
            (25.0 * k) as usize,
            (18.0 * k) as usize,
            (0.7 * k).ceil() as usize,
            // up to 4 pt thick: a rule blurred by σ 1.8 px spreads to ~9
            // px at this light threshold (2.5 pt lost every rule of the
            // degraded `blur2` scans: no table)
            (4.0 * k).ceil() as usize,
        );
        // looked at 1.5 pt beyond the line: past a blurred rule's halo
        let gap = (1.5 * k).ceil() as usize + 1;
        lines::drop_inked_sides(
            segs,
            &line_mask,
            img.width,
            img.height,
            gap,
            s.rule_side_max_ink,
        )
        .into_iter()
        // a form's table never reaches the paper's edge: lines there are
        // the edge of the sheet or the scanner's shadow
        .filter(|g| {
            let (c, extent) = if g.horizontal {
                (g.center(), img.height as f64)
            } else {
                (g.center(), img.width as f64)
            };
            let m = s.edge_margin_pt * k;
            c >= m && c <= extent - m
        })
        .collect::<Vec<_>>()
    };
    let mut segs = find(&img);
    let mut perspective_corrected = false;
    if s.rectify_perspective
        && let Some(frame) = prepro::find_frame(
            &segs,
            (s.frame_min_width * img.width as f64) as usize,
            s.frame_min_height * img.height as f64,
            s.frame_tolerance_pt * k,
        )
        && let Some(h) = prepro::rectify(frame, s.min_keystone_pt * k)
    {
        img = prepro::warp(&img, &h, paper);
        segs = find(&img);
        perspective_corrected = true;
    }
    if let Some(d) = &s.debug_dir {
        let _ = std::fs::write(d.join(format!("page-{number}.pgm")), image::to_pgm(&img));
    }
    let tol = (2.0 * k).ceil() as usize;
    let segs = lines::drop_faint(segs, &img, s.min_rule_darkness);
    let segs = connected_segments(&lines::bounded_rules(segs, tol, 0.5), tol);
    let edges: Vec<Edge> = segs
        .iter()
        .map(|g| {
            let (a, b, c) = (g.start as f64 / k, (g.end + 1) as f64 / k, g.center() / k);
            if g.horizontal {
                Edge::horizontal(a, b, c)
            } else {
                Edge::vertical(c, a, b)
            }
        })
        .collect();
    erase_segments(&mut img, &segs, (0.8 * k).ceil() as usize, thr);
    if s.despeckle {
        let area = ((0.6 * k) * (0.6 * k)).floor().max(2.0) as usize;
        image::despeckle(&mut img, thr, area);
    }
    let text_mask = binarize(&img, thr);
    let regions = if s.per_cell {
        text_regions(
            &text_mask,
            &edges,
            k,
            s.cell_inset_pt,
            img.width,
            img.height,
            layout,
        )
    } else {
        vec![(0, 0, img.width, img.height)]
    };
    let (px, unread, recognizer) = match s.recognizer.resolve(&s.ppocr_dirs)? {
        Some(dir) => {
            let (words, unread) =
                read_regions_ppocr(&img, &text_mask, &regions, k, &dir, s, number)?;
            (tesseract::drop_noise(words), unread, "ppocr")
        }
        None => (
            read_regions_tesseract(&img, &regions, thr, s, number, k)?,
            Vec::new(),
            "tesseract",
        ),
    };
    let unread: Vec<BBox> = unread
        .iter()
        .map(|b| BBox::new(b.x0 / k, b.top / k, b.x1 / k, b.bottom / k))
        .collect();
    let words: Vec<OcrWord> = px.iter().map(|w| w.scaled(1.0 / k, 0.0, 0.0)).collect();
    let glyphs = words_to_glyphs(&words);
    Ok((
        PageContent {
            number,
            width: page_w,
            height: page_h,
            glyphs,
            edges,
            images: 1,
            image_dpi: 0.0,
            image_cover: 1.0,
        },
        OcrInfo {
            words,
            unread,
            skew_deg: skew,
            illumination_normalized,
            perspective_corrected,
            sheet_found,
            seal_removed: false,
            reason: OcrReason::NoTextLayer,
            recognizer,
        },
    ))
}

/// Tesseract's reading of the regions: [`OcrSettings::passes`] passes
/// ([`OCR_PASSES`]), run together and voted per character; `≥`/`≤` from
/// their ink; doubtful numbers read again by `eng`. Words in pixels of `img`.
fn read_regions_tesseract(
    img: &GrayImage,
    regions: &[(usize, usize, usize, usize)],
    thr: u8,
    s: &OcrSettings,
    number: usize,
    k: f64,
) -> Result<Vec<OcrWord>, String> {
    let passes = &OCR_PASSES[..s.passes.clamp(1, OCR_PASSES.len())];
    // the passes' tesseract runs are independent processes: run together
    let readings: Vec<Result<Vec<OcrWord>, String>> = std::thread::scope(|sc| {
        let handles: Vec<_> = passes
            .iter()
            .enumerate()
            .map(|(i, pass)| {
                let (img, regions) = (img, regions);
                sc.spawn(move || {
                    let debug = s
                        .debug_dir
                        .as_ref()
                        .map(|d| d.join(format!("stack-{number}-pass{i}.pgm")));
                    read_regions(img, regions, pass, thr, s, debug).map(|ws| {
                        ws.into_iter()
                            .map(|w| w.scaled(1.0 / k, 0.0, 0.0))
                            .collect()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("OCR pass panicked".to_string()))
            })
            .collect()
    });
    let mut per_pass = Vec::with_capacity(readings.len());
    for r in readings {
        per_pass.push(tesseract::drop_noise(r?));
    }
    // signs the model cannot write, from their ink (pixels of `img`)
    let mut px: Vec<OcrWord> = vote::vote_words(&per_pass)
        .iter()
        .map(|w| w.scaled(k, 0.0, 0.0))
        .collect();
    symbols::restore_comparisons(&mut px, img, thr);
    reread_doubtful_numbers(&mut px, img, s);
    Ok(px)
}

/// A rectangle of an image, pixels: (x0, y0, x1, y1), ends exclusive.
type Rect = (usize, usize, usize, usize);

/// Text lines of a region (pixels): runs of rows holding ink (`mask`),
/// pieces closer than an eighth of an em joined (the strokes of `三`),
/// runs shorter than half an em joined to the nearest run within half an
/// em (a line of punctuation), each cut to its ink's columns and padded;
/// with its inked rows.
/// `em`: the form's 10.5 pt in pixels.
fn region_lines(
    mask: &[bool],
    w: usize,
    r: (usize, usize, usize, usize),
    em: f64,
) -> Vec<(Rect, (usize, usize))> {
    let (x0, y0, x1, y1) = r;
    let ink = |y: usize| mask[y * w + x0..y * w + x1].iter().filter(|&&b| b).count();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for y in y0..=y1 {
        match (y < y1 && ink(y) >= 2, start) {
            (true, None) => start = Some(y),
            (false, Some(a)) => {
                match runs.last_mut() {
                    Some(last) if (a - last.1) as f64 <= em / 8.0 => last.1 = y,
                    _ => runs.push((a, y)),
                }
                start = None;
            }
            _ => {}
        }
    }
    // short runs join their nearest neighbour within half an em
    loop {
        let short = (0..runs.len()).find(|&i| {
            let (a, b) = runs[i];
            let gap_up = (i > 0).then(|| a - runs[i - 1].1);
            let gap_down = runs.get(i + 1).map(|n| n.0 - b);
            ((b - a) as f64) < em / 2.0
                && [gap_up, gap_down]
                    .iter()
                    .flatten()
                    .any(|&g| (g as f64) < em / 2.0)
        });
        let Some(i) = short else { break };
        let gap_up = (i > 0).then(|| runs[i].0 - runs[i - 1].1);
        let gap_down = runs.get(i + 1).map(|n| n.0 - runs[i].1);
        let j = match (gap_up, gap_down) {
            (Some(u), Some(d)) if d < u => i + 1,
            (None, Some(_)) => i + 1,
            _ => i - 1,
        };
        let (a, b) = (runs[i.min(j)].0, runs[i.max(j)].1);
        runs[i.min(j)] = (a, b);
        runs.remove(i.max(j));
    }
    runs.into_iter()
        .filter(|&(a, b)| (b - a) as f64 >= em / 6.0)
        .filter_map(|(a, b)| {
            let cols: Vec<usize> = (x0..x1)
                .filter(|&x| (a..b).any(|y| mask[y * w + x]))
                .collect();
            let (&c0, &c1) = (cols.first()?, cols.last()?);
            let h = b - a;
            let (pv, ph) = ((h / 4).max(2), (h / 2).max(3));
            let rect = (
                c0.saturating_sub(ph).max(x0),
                a.saturating_sub(pv).max(y0),
                (c1 + 1 + ph).min(x1),
                (b + pv).min(y1),
            );
            Some((rect, (a, b)))
        })
        .collect()
}

/// PP-OCR's reading of the regions ([`ppocr::read_lines`]): each region cut
/// into its text lines ([`region_lines`]), the lines read on the rayon
/// pool; a line's characters become words where PP-OCR read a space or
/// where two characters are more than half the line's height apart. Words
/// in pixels of `img`, lines numbered as Tesseract's (`1000 × region`);
/// and the boxes of lines holding ink that gave no text (pixels).
fn read_regions_ppocr(
    img: &GrayImage,
    mask: &[bool],
    regions: &[(usize, usize, usize, usize)],
    k: f64,
    dir: &std::path::Path,
    s: &OcrSettings,
    number: usize,
) -> Result<(Vec<OcrWord>, Vec<BBox>), String> {
    let second_pad = s.second_reading.then_some(s.second_reading_pad);
    use rayon::prelude::*;
    let em = 10.5 * k;
    let mut lines = Vec::new(); // (region, line, rect, inked rows)
    for (i, &r) in regions.iter().enumerate() {
        for (j, (l, ink)) in region_lines(mask, img.width, r, em).into_iter().enumerate() {
            lines.push((i, j, l, ink));
        }
    }
    let crops: Vec<GrayImage> = lines.iter().map(|&(_, _, r, _)| crop(img, r)).collect();
    let debug = s.debug_dir.clone();
    if let Some(d) = &debug {
        let rects: Vec<_> = lines.iter().map(|l| l.2).collect();
        let _ = std::fs::write(
            d.join(format!("ppocr-lines-{number}.pgm")),
            image::to_pgm(&stack_regions(img, &rects).0),
        );
    }
    // each line's characters, the lines read 16 at a time on the rayon pool
    let read_all = |imgs: &[GrayImage]| -> Result<Vec<Vec<ppocr::LineChar>>, String> {
        let read: Vec<Vec<Vec<ppocr::LineChar>>> = imgs
            .par_chunks(16)
            .map(|c| ppocr::read_lines(dir, c))
            .collect::<Result<_, _>>()?;
        Ok(read.into_iter().flatten().collect())
    };
    let mut read = read_all(&crops)?;
    if let Some(pad) = second_pad {
        let views: Vec<GrayImage> = lines
            .iter()
            .map(|&(_, _, r, _)| second_view(img, mask, r, pad))
            .collect();
        for (a, b) in read.iter_mut().zip(&read_all(&views)?) {
            doubt_disagreements(a, b, DISAGREE_CONF);
        }
    }
    if let Some(d) = &debug {
        let log: String = read
            .iter()
            .map(|chars| {
                let l: Vec<String> = chars
                    .iter()
                    .map(|c| format!("{}:{:.2}", c.ch, c.conf))
                    .collect();
                l.join(" ") + "\n"
            })
            .collect();
        let _ = std::fs::write(d.join(format!("ppocr-chars-{number}.txt")), log);
    }
    let mut words = Vec::new();
    let mut unread = Vec::new();
    for (&(i, j, (x0, _, x1, _), (a, b)), chars) in lines.iter().zip(read) {
        let line = (1000 * i as u32, 0, j as u32);
        let span = (x0 as f64, x1 as f64);
        let read = chars_to_words(&chars, span, a as f64, b as f64, line);
        if (b - a) as f64 >= em / 3.0 {
            unread.extend(unread_ink(mask, img.width, (x0, a, x1, b), &read));
        }
        words.extend(read);
    }
    Ok((words, unread))
}

/// Ink of a text line (`mask`, rectangle `r`: its columns, its inked
/// rows) that none of its read characters covers: a character the
/// recognizer skipped (CTC can drop one with no trace in the confidences
/// of the others), the end of a line it stopped reading, or a whole line
/// read as nothing. Columns holding ink, outside every character's box
/// widened by a quarter of the line's height, grouped across gaps under a
/// third of the height; groups at least half the height wide with a third
/// of it inked are returned (pixels). Specks are narrower.
fn unread_ink(mask: &[bool], w: usize, r: Rect, words: &[OcrWord]) -> Vec<BBox> {
    let (x0, a, x1, b) = r;
    let h = (b - a) as f64;
    let covered = |x: usize| {
        let x = x as f64 + 0.5;
        words
            .iter()
            .flat_map(|wd| &wd.chars)
            .any(|c| x >= c.bbox.x0 - h / 4.0 && x <= c.bbox.x1 + h / 4.0)
    };
    let inked: Vec<usize> = (x0..x1)
        .filter(|&x| (a..b).any(|y| mask[y * w + x]) && !covered(x))
        .collect();
    let mut out = Vec::new();
    let mut group: Vec<usize> = Vec::new();
    let flush = |g: &mut Vec<usize>, out: &mut Vec<BBox>| {
        if let (Some(&s), Some(&e)) = (g.first(), g.last())
            && (e + 1 - s) as f64 >= h / 2.0
            && g.len() as f64 >= h / 3.0
        {
            out.push(BBox::new(s as f64, a as f64, (e + 1) as f64, b as f64));
        }
        g.clear();
    };
    for x in inked {
        if group.last().is_some_and(|&l| (x - l) as f64 > h / 3.0) {
            flush(&mut group, &mut out);
        }
        group.push(x);
    }
    flush(&mut group, &mut out);
    out.extend(skipped_between(mask, w, r, words));
    out
}

/// Gaps in a line's run of characters where one was skipped: two read
/// characters whose centres are more than 1.6 times the line's median
/// pitch apart (a line of 4 characters or more) with ink between their
/// boxes (at least a tenth of the line's height of inked columns, 2 at
/// least; a space between words has none). A skipped `、` is too small for
/// [`unread_ink`]'s groups, but leaves such a gap.
fn skipped_between(mask: &[bool], w: usize, r: Rect, words: &[OcrWord]) -> Vec<BBox> {
    let (_, a, _, b) = r;
    let h = (b - a) as f64;
    let boxes: Vec<&BBox> = words
        .iter()
        .flat_map(|wd| &wd.chars)
        .map(|c| &c.bbox)
        .collect();
    if boxes.len() < 4 {
        return Vec::new();
    }
    let centre = |b: &BBox| (b.x0 + b.x1) / 2.0;
    let mut pitches: Vec<f64> = boxes
        .windows(2)
        .map(|p| centre(p[1]) - centre(p[0]))
        .collect();
    pitches.sort_by(f64::total_cmp);
    let pitch = pitches[pitches.len() / 2];
    boxes
        .windows(2)
        .filter(|p| centre(p[1]) - centre(p[0]) > 1.6 * pitch)
        .filter_map(|p| {
            let (g0, g1) = (p[0].x1.ceil() as usize, p[1].x0.floor() as usize);
            let inked = (g0..g1.min(w))
                .filter(|&x| (a..b).any(|y| mask[y * w + x]))
                .count();
            ((inked as f64) >= (h / 10.0).max(2.0))
                .then(|| BBox::new(p[0].x1, a as f64, p[1].x0, b as f64))
        })
        .collect()
}

/// Confidence given to a character that two readings of its line do not
/// agree on ([`doubt_disagreements`]).
const DISAGREE_CONF: f64 = 0.5;

/// The second view of the text line `r` of `img` that PP-OCR reads
/// ([`OcrSettings::second_reading`]): only its ink (pixels not in `mask`
/// whitened: faint bleed-through, halos and noise gone), with white
/// margins of `pad` of its height above and below and half that left and
/// right (a smaller scale in the recognizer's 48-pixel input). Two views
/// that differ this much err at different places.
fn second_view(img: &GrayImage, mask: &[bool], r: Rect, pad: f64) -> GrayImage {
    let (x0, y0, x1, y1) = r;
    let (w, h) = (x1 - x0, y1 - y0);
    let v = (h as f64 * pad).round() as usize;
    let hp = v / 2;
    let mut out = GrayImage::new(w + 2 * hp, h + 2 * v, 255);
    for y in 0..h {
        for x in 0..w {
            let i = (y0 + y) * img.width + x0 + x;
            if mask[i] {
                out.data[(y + v) * out.width + hp + x] = img.data[i];
            }
        }
    }
    out
}

/// Lowers to `conf` the confidence of every character of reading `a` that
/// reading `b` of the same line does not have at the same place (outside
/// their longest common subsequence, spaces ignored), and of the character
/// before each run of characters that only `b` has (a character `a`
/// dropped, such as a line's last `。`).
fn doubt_disagreements(a: &mut [ppocr::LineChar], b: &[ppocr::LineChar], conf: f64) {
    let ia: Vec<usize> = (0..a.len()).filter(|&i| !a[i].ch.is_whitespace()).collect();
    let cb: Vec<char> = b
        .iter()
        .map(|c| c.ch)
        .filter(|c| !c.is_whitespace())
        .collect();
    let ca: Vec<char> = ia.iter().map(|&i| a[i].ch).collect();
    let (n, m) = (ia.len(), cb.len());
    let mut l = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if ca[i] == cb[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let mut doubted = vec![false; n];
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && ca[i] == cb[j] {
            i += 1;
            j += 1;
        } else if i < n && j < m && l[i][j] == l[i + 1][j + 1] {
            // read as different characters
            doubted[i] = true;
            i += 1;
            j += 1;
        } else if j < m && (i == n || l[i][j + 1] >= l[i + 1][j]) {
            // only b has cb[j]: doubt a's neighbour before (or after) it
            if n > 0 {
                doubted[i.saturating_sub(1).min(n - 1)] = true;
            }
            j += 1;
        } else {
            doubted[i] = true;
            i += 1;
        }
    }
    for (k, &d) in doubted.iter().enumerate() {
        if d {
            a[ia[k]].conf = a[ia[k]].conf.min(conf);
        }
    }
}

/// The pixels of `r` of `img`.
fn crop(img: &GrayImage, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> GrayImage {
    let mut out = GrayImage::new(x1 - x0, y1 - y0, 255);
    for y in y0..y1 {
        out.data[(y - y0) * out.width..(y - y0 + 1) * out.width]
            .copy_from_slice(&img.data[y * img.width + x0..y * img.width + x1]);
    }
    out
}

/// Tick marks: in a field of text they are strokes of a signature or a
/// seal read as one ([`annotate_record`]).
const TICK_MARKS: &[char] = &['√', '✓', '✔', '☑', '☒', '■'];

/// PP-OCR characters `‘’·`'` read with less than this confidence are
/// specks, not text ([`chars_to_words`]). 0.5: on the scanned fixtures
/// the speck seen (`‘` before a `（`) came out at 0.34, the text's quotes
/// at 0.9 and above.
const SPECK_CONF: f64 = 0.5;

/// One line's characters (spans in pixels of its crop, which covers
/// columns `span` of the page image; the line's ink on rows `top..bottom`)
/// as words: each character a box centred on its span, as wide as the line
/// is high at most, never into its neighbour's half of the gap nor out of
/// the crop (so a glyph never reaches a ruling line beside it); a space or
/// a gap wider than half the line's height starts a new word.
fn chars_to_words(
    chars: &[ppocr::LineChar],
    span: (f64, f64),
    top: f64,
    bottom: f64,
    line: (u32, u32, u32),
) -> Vec<OcrWord> {
    let h = (bottom - top).max(1.0);
    let dx = span.0;
    let centre = |c: &ppocr::LineChar| dx + (c.x0 + c.x1) / 2.0;
    let mut words: Vec<OcrWord> = Vec::new();
    let mut prev: Option<f64> = None; // the previous character's right edge
    let mut boundary = true;
    let mut carried: Option<f64> = None; // a dropped speck's confidence
    for (i, c) in chars.iter().enumerate() {
        if c.ch.is_whitespace() {
            boundary = true;
            continue;
        }
        // a speck read as a quote or a dot, doubted: dropped, its doubt
        // passed on to the next character (so the field still warns)
        if matches!(c.ch, '‘' | '’' | '·' | '`' | '\'') && c.conf < SPECK_CONF {
            carried = Some(carried.map_or(c.conf, |p: f64| p.min(c.conf)));
            continue;
        }
        let conf = carried.take().map_or(c.conf, |p| p.min(c.conf));
        let cx = centre(c);
        let left = i
            .checked_sub(1)
            .map_or(h / 2.0, |p| ((cx - centre(&chars[p])) / 2.0).min(h / 2.0));
        let right = chars
            .get(i + 1)
            .map_or(h / 2.0, |n| ((centre(n) - cx) / 2.0).min(h / 2.0));
        let bbox = BBox::new(
            (cx - left).max(span.0),
            top,
            (cx + right).min(span.1),
            bottom,
        );
        if prev.is_some_and(|p| bbox.x0 - p > h / 2.0) {
            boundary = true;
        }
        prev = Some(bbox.x1);
        let ch = OcrChar {
            ch: c.ch.to_string(),
            bbox,
            conf,
        };
        match words.last_mut() {
            Some(w) if !boundary => {
                w.text.push(c.ch);
                w.bbox = w.bbox.union(&bbox);
                w.chars.push(ch);
            }
            _ => words.push(OcrWord {
                text: c.ch.to_string(),
                bbox,
                conf: 0.0,
                line,
                chars: vec![ch],
            }),
        }
        boundary = false;
    }
    for w in &mut words {
        w.conf = w.chars.iter().map(|c| c.conf).sum::<f64>() / w.chars.len() as f64;
    }
    words
}

/// Why OCR could not read a file's scanned pages.
#[derive(Debug, Clone, PartialEq)]
pub enum OcrError {
    /// The tools (or the language data) are not installed.
    Unavailable(String),
    /// A tool failed on this file.
    Failed(String),
}

/// Replaces every page that [`page_needs_ocr`] with its OCR reading.
/// Returns, per page, the OCR details (`None` for text-layer pages, which
/// are left untouched, and for every page when OCR is disabled).
pub fn ocr_pages(
    pages: &mut [PageContent],
    pdf: &[u8],
    s: &OcrSettings,
    layout: &LayoutSettings,
    t: &crate::template::Template,
) -> Result<Vec<Option<OcrInfo>>, OcrError> {
    let mut info = vec![None; pages.len()];
    if !s.enabled {
        return Ok(info);
    }
    let reasons: Vec<Option<OcrReason>> = pages
        .iter()
        .map(|p| page_needs_ocr(p, t.vocabulary(), s, layout))
        .collect();
    if reasons.iter().all(Option::is_none) {
        return Ok(info);
    }
    check_tools(s).map_err(OcrError::Unavailable)?;
    for (i, p) in pages.iter_mut().enumerate() {
        let Some(reason) = reasons[i] else {
            continue;
        };
        let (img, red) = rasterize(s, pdf, p.number, render_dpi(s, p)).map_err(OcrError::Failed)?;
        let (content, mut inf) = image_to_page(&img, p.number, p.width, p.height, s, layout)
            .map_err(OcrError::Failed)?;
        inf.reason = reason;
        inf.seal_removed = red as f64 >= s.min_red_share * img.data.len() as f64;
        *p = content;
        info[i] = Some(inf);
    }
    Ok(info)
}

/// Mean OCR confidence (0..1) of the words whose centre lies in `bbox`
/// (points) on a page; `None` when there is none.
pub fn mean_confidence(words: &[OcrWord], bbox: &BBox) -> Option<f64> {
    let b = BBox::new(
        bbox.x0 - 1.0,
        bbox.top - 1.0,
        bbox.x1 + 1.0,
        bbox.bottom + 1.0,
    );
    let (n, sum) = words
        .iter()
        .filter(|w| {
            let (x, y) = w.bbox.center();
            b.contains(x, y)
        })
        .fold((0usize, 0.0), |(n, s), w| (n + 1, s + w.conf));
    (n > 0).then(|| sum / n as f64)
}

/// The lowest confidence of a character (of a word, where OCR gave no
/// characters) whose box centre lies in `bbox` (grown by 1 pt).
pub fn min_confidence(words: &[OcrWord], bbox: &BBox) -> Option<f64> {
    let b = BBox::new(
        bbox.x0 - 1.0,
        bbox.top - 1.0,
        bbox.x1 + 1.0,
        bbox.bottom + 1.0,
    );
    let inside = |bb: &BBox| {
        let (x, y) = bb.center();
        b.contains(x, y)
    };
    words
        .iter()
        .filter(|w| inside(&w.bbox))
        .flat_map(|w| {
            let chars = w.chars.iter().map(|c| c.conf);
            let word = w.chars.is_empty().then_some(w.conf);
            chars.chain(word)
        })
        .min_by(f64::total_cmp)
}

/// Marks a record read from (partly) OCR'd pages: `source.ocr`; an
/// `ocr_text_layer_ignored` warning per page whose text layer was set
/// aside (garbage rather than none); the mean word confidence of every
/// field with a PDF provenance on an OCR'd page (`info` is indexed by page
/// number - 1); and an `ocr_low_confidence` warning on each amount read
/// below [`OcrSettings::min_amount_confidence`], and on any field holding
/// a character read below [`OcrSettings::min_char_confidence`].
pub fn annotate_record(
    r: &mut crate::record::Record,
    info: &[Option<OcrInfo>],
    t: &crate::template::Template,
    s: &OcrSettings,
) {
    use crate::record::Location;
    let on = |p: usize| {
        p.checked_sub(1)
            .and_then(|i| info.get(i))
            .and_then(|x| x.as_ref())
    };
    if !r.source.pages.iter().any(|&p| on(p).is_some()) {
        return;
    }
    r.source.ocr = true;
    r.source.ocr_pages = r
        .source
        .pages
        .iter()
        .filter_map(|&p| {
            let inf = on(p)?;
            Some(crate::record::OcrPage {
                page: p,
                recognizer: inf.recognizer.to_string(),
                skew_deg: (inf.skew_deg * 100.0).round() / 100.0,
                sheet_found: inf.sheet_found,
                illumination_normalized: inf.illumination_normalized,
                perspective_corrected: inf.perspective_corrected,
                seal_removed: inf.seal_removed,
            })
        })
        .collect();
    for &p in &r.source.pages {
        if let Some(inf) = on(p)
            && inf.reason != OcrReason::NoTextLayer
        {
            r.warnings.push(crate::record::Warning::new(
                "source",
                "ocr_text_layer_ignored",
                format!("page {p} read by OCR: {}", inf.reason.describe()),
            ));
        }
    }
    let mut conf = std::collections::BTreeMap::new();
    let mut doubtful = std::collections::BTreeMap::new();
    let mut unread = Vec::new();
    for (field, loc) in &r.provenance {
        if let Location::Pdf { page, bbox } = loc
            && let Some(inf) = on(*page)
            && let Some(c) = mean_confidence(&inf.words, bbox)
        {
            conf.insert(field.clone(), (c * 1000.0).round() / 1000.0);
            if let Some(m) = min_confidence(&inf.words, bbox)
                && m < s.min_char_confidence
            {
                doubtful.insert(field.clone(), m);
            }
        }
    }
    // An amount no check covers can be misread with nothing to show for
    // it but a low confidence: say so.
    let money: Vec<&str> = t
        .fields
        .iter()
        .filter(|f| f.shape == crate::template::Shape::Money)
        .map(|f| f.key.as_str())
        .collect();
    let value = serde_json::to_value(&*r).unwrap_or_default();
    for (field, &c) in &conf {
        // the amount read, when `field` is one: a money field, or a
        // funding row (`funding_components[i]`)
        let amount = match field.split_once('[') {
            Some(("funding_components", rest)) => rest
                .trim_end_matches(']')
                .parse::<usize>()
                .ok()
                .and_then(|i| value.get("funding_components")?.get(i)?.get("amount")),
            Some(_) => None,
            None if money.contains(&field.as_str()) => value.get(field),
            None => None,
        };
        if amount.is_some_and(|v| !v.is_null()) && c < s.min_amount_confidence {
            doubtful.remove(field);
            r.warnings.push(crate::record::Warning::new(
                field,
                "ocr_low_confidence",
                format!(
                    "amount read by OCR with confidence {c:.2} (below {:.2}): check it against the scan",
                    s.min_amount_confidence
                ),
            ));
        }
    }
    // Ink in a field's box that the recognizer read nothing from: the
    // field may have lost text (a null may be a value not read).
    for (field, loc) in &r.provenance {
        if let Location::Pdf { page, bbox } = loc
            && let Some(inf) = on(*page)
            && let Some(u) = inf.unread.iter().find(|u| {
                let (cx, cy) = ((u.x0 + u.x1) / 2.0, (u.top + u.bottom) / 2.0);
                cx >= bbox.x0 && cx <= bbox.x1 && cy >= bbox.top && cy <= bbox.bottom
            })
        {
            unread.push(crate::record::Warning::new(
                field,
                "ocr_unread",
                format!(
                    "page {page}: ink at [{:.0} {:.0} {:.0} {:.0}] was not read as text: check the field against the scan",
                    u.x0, u.top, u.x1, u.bottom
                ),
            ));
        }
    }
    r.warnings.append(&mut unread);
    // Printed forms carry every label; on a scan an optional field whose
    // label was not found may be one OCR did not read.
    for spec in t.fields.iter().filter(|f| !f.required) {
        if !r.provenance.contains_key(&spec.key) && !r.warnings.iter().any(|w| w.field == spec.key)
        {
            r.warnings.push(crate::record::Warning::new(
                &spec.key,
                "label_not_found",
                format!(
                    "no cell labelled {} (on a scanned page: it may be there, unread)",
                    spec.labels[0]
                ),
            ));
        }
    }
    // A tick in a line of text is a stroke of a signature or a seal read
    // as one, not the form's text.
    for spec in &t.fields {
        if matches!(
            spec.shape,
            crate::template::Shape::Line | crate::template::Shape::Paragraphs
        ) && value
            .get(&spec.key)
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.contains(TICK_MARKS))
        {
            r.warnings.push(crate::record::Warning::new(
                &spec.key,
                "ocr_low_confidence",
                "a tick mark read in a text field: a stroke of a signature or a seal may have been read as text; check the field against the scan",
            ));
        }
    }
    // Any other field: a character read below the setting may be misread.
    for (field, m) in doubtful {
        r.warnings.push(crate::record::Warning::new(
            &field,
            "ocr_low_confidence",
            format!(
                "a character read by OCR with confidence {m:.2} (below {:.2}): check the field against the scan",
                s.min_char_confidence
            ),
        ));
    }
    r.ocr_confidence = Some(conf);
}

fn is_ocr(info: &[Option<OcrInfo>], page: usize) -> bool {
    page.checked_sub(1)
        .and_then(|i| info.get(i))
        .is_some_and(|x| x.is_some())
}

/// [`fix::snap_labels`] on the OCR'd pages' layouts (by page number).
pub fn fix_layouts(
    layouts: &mut [crate::mapping::PageLayout],
    info: &[Option<OcrInfo>],
    t: &crate::template::Template,
    repair: &fix::RepairSettings,
) {
    for l in layouts.iter_mut().filter(|l| is_ocr(info, l.page)) {
        fix::snap_labels(l, t, repair);
    }
}

/// [`fix::fix_fields`] on the forms that hold an OCR'd page; the
/// repairs' warnings, per form (empty for text-layer forms).
pub fn fix_forms(
    forms: &mut [crate::mapping::FormFields],
    info: &[Option<OcrInfo>],
    t: &crate::template::Template,
    repair: &fix::RepairSettings,
) -> Vec<Vec<crate::record::Warning>> {
    forms
        .iter_mut()
        .map(|f| {
            if f.pages.iter().any(|&p| is_ocr(info, p)) {
                fix::fix_fields(f, t, repair)
            } else {
                Vec::new()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::Glyph;

    fn lc(ch: char, x0: f64, x1: f64, conf: f64) -> ppocr::LineChar {
        ppocr::LineChar { ch, x0, x1, conf }
    }

    #[test]
    fn region_lines_split_a_cell_into_its_lines_and_keep_thin_characters_whole() {
        let (w, h) = (300, 120);
        let mut m = vec![false; w * h];
        let mut ink = |x0: usize, x1: usize, y0: usize, y1: usize| {
            for y in y0..y1 {
                for x in x0..x1 {
                    m[y * w + x] = true;
                }
            }
        };
        ink(20, 200, 10, 38); // a line of text, 28 px
        // `三` alone: three strokes 3 px apart
        ink(20, 48, 60, 63);
        ink(22, 46, 70, 73);
        ink(20, 48, 82, 85);
        let lines = region_lines(&m, w, (0, 0, w, h), 29.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].1, (10, 38));
        assert_eq!(lines[1].1, (60, 85), "the strokes of 三 are one line");
        let (x0, _, x1, _) = lines[0].0;
        assert!(x0 < 20 && x1 > 200 && x1 <= w);
    }

    fn confs(chars: &[ppocr::LineChar]) -> Vec<f64> {
        chars.iter().map(|c| c.conf).collect()
    }

    #[test]
    fn a_character_two_readings_disagree_on_is_doubted() {
        let line = |s: &str| -> Vec<ppocr::LineChar> {
            s.chars().map(|c| lc(c, 0.0, 1.0, 0.99)).collect()
        };
        // 目 read as 自 in one reading only
        let mut a = line("项自主要");
        doubt_disagreements(&mut a, &line("项目主要"), 0.5);
        assert_eq!(confs(&a), [0.99, 0.5, 0.99, 0.99]);
        // the same reading twice (spaces aside): nothing doubted
        let mut a = line("项目 主要");
        doubt_disagreements(&mut a, &line("项目主要"), 0.5);
        assert!(confs(&a).iter().all(|&c| c == 0.99));
        // a line's last 。 dropped by the first reading: its last character doubted
        let mut a = line("以上");
        doubt_disagreements(&mut a, &line("以上。"), 0.5);
        assert_eq!(confs(&a), [0.99, 0.5]);
        // a first character only the second reading has: the first doubted
        let mut a = line("1,000");
        doubt_disagreements(&mut a, &line("41,000"), 0.5);
        assert_eq!(confs(&a)[0], 0.5);
        // a lower confidence is kept
        let mut a = vec![lc('目', 0.0, 1.0, 0.3)];
        doubt_disagreements(&mut a, &line("自"), 0.5);
        assert_eq!(confs(&a), [0.3]);
        // nothing read the second time: every character doubted
        let mut a = line("目标");
        doubt_disagreements(&mut a, &[], 0.5);
        assert_eq!(confs(&a), [0.5, 0.5]);
    }

    #[test]
    fn second_view_keeps_only_ink_with_margins() {
        let (w, h) = (8, 4);
        let mut img = GrayImage::new(w, h, 200); // faint background
        img.set(3, 1, 20);
        let mask = binarize(&img, 128);
        let v = second_view(&img, &mask, (2, 0, 6, 4), 0.5);
        // 4 x 4 line, 2 px above and below, 1 px left and right
        assert_eq!((v.width, v.height), (6, 8));
        assert_eq!(v.get(1 + 1, 2 + 1), 20, "the ink is kept at its place");
        let dark = v.data.iter().filter(|&&p| p < 255).count();
        assert_eq!(dark, 1, "the faint background is whitened");
    }

    #[test]
    fn ppocr_characters_become_words_split_at_spaces_and_gaps() {
        let chars = [
            lc('项', 0.0, 16.0, 0.99),
            lc('目', 24.0, 40.0, 0.98),
            lc(' ', 48.0, 56.0, 0.9),
            lc('5', 72.0, 80.0, 0.97),
            lc('0', 84.0, 92.0, 0.95),
            // a doubted speck read as a quote: dropped, its doubt carried
            lc('‘', 100.0, 104.0, 0.3),
            lc('%', 106.0, 114.0, 0.99),
        ];
        let words = chars_to_words(&chars, (10.0, 200.0), 100.0, 130.0, (0, 0, 1));
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["项目", "50%"]);
        let pct = &words[1].chars[2];
        assert_eq!(pct.ch, "%");
        assert!((pct.conf - 0.3).abs() < 1e-9, "the speck's doubt moves on");
        // boxes stay inside the crop and on the line's ink rows
        assert!(words[0].bbox.x0 >= 10.0 && words[0].bbox.top == 100.0);
    }

    #[test]
    fn ink_no_character_covers_is_unread() {
        let (w, h) = (400, 40);
        let mut m = vec![false; w * h];
        for y in 5..35 {
            for x in (10..130).chain(250..330) {
                m[y * w + x] = true;
            }
        }
        // four characters read over 10..130; the ink at 250..330 not read
        let chars: Vec<ppocr::LineChar> = (0..4)
            .map(|i| lc('字', i as f64 * 30.0, i as f64 * 30.0 + 30.0, 0.99))
            .collect();
        let words = chars_to_words(&chars, (10.0, 400.0), 5.0, 35.0, (0, 0, 0));
        let unread = unread_ink(&m, w, (10, 5, 400, 35), &words);
        assert_eq!(unread.len(), 1, "{unread:?}");
        assert!(unread[0].x0 >= 240.0 && unread[0].x1 <= 331.0);
        assert!(unread_ink(&m[..], w, (10, 5, 130, 35), &words).is_empty());
    }

    #[test]
    fn a_skipped_small_mark_between_two_read_characters_is_unread() {
        let (w, h) = (400, 40);
        let mut m = vec![false; w * h];
        // `化、智`: the recognizer read 化 at 70..100 and 智 at 130..160, a
        // small mark between them at 108..113
        for y in 25..32 {
            for x in 108..113 {
                m[y * w + x] = true;
            }
        }
        let mut chars: Vec<ppocr::LineChar> = (0..3)
            .map(|i| lc('字', i as f64 * 30.0, i as f64 * 30.0 + 30.0, 0.99))
            .collect();
        chars.push(lc('智', 120.0, 150.0, 0.99));
        chars.push(lc('能', 150.0, 180.0, 0.99));
        let words = chars_to_words(&chars, (10.0, 400.0), 5.0, 35.0, (0, 0, 0));
        let gaps = skipped_between(&m, w, (10, 5, 400, 35), &words);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        // the same gap without ink is a space between words
        let blank = vec![false; w * h];
        assert!(skipped_between(&blank, w, (10, 5, 400, 35), &words).is_empty());
    }

    fn page(chars: &str) -> PageContent {
        PageContent {
            number: 1,
            width: 595.0,
            height: 842.0,
            glyphs: chars
                .chars()
                .enumerate()
                .map(|(i, ch)| Glyph {
                    ch,
                    bbox: BBox::new(i as f64 * 10.0, 0.0, i as f64 * 10.0 + 10.0, 10.0),
                    size: 10.0,
                })
                .collect(),
            edges: Vec::new(),
            // An empty test page stands for a scan: it paints an image.
            images: usize::from(chars.is_empty()),
            image_dpi: 0.0,
            image_cover: if chars.is_empty() { 1.0 } else { 0.0 },
        }
    }

    fn needs(p: &PageContent) -> Option<OcrReason> {
        page_needs_ocr(
            p,
            tpl().vocabulary(),
            &OcrSettings::default(),
            &LayoutSettings::default(),
        )
    }

    fn tpl() -> crate::template::Template {
        crate::template::Template::builtin().unwrap()
    }

    #[test]
    fn blank_page_without_an_image_is_not_sent_to_ocr() {
        let mut blank = page("");
        blank.images = 0;
        assert_eq!(needs(&blank), None);
        let s = OcrSettings {
            tesseract: PathBuf::from("/nonexistent/tesseract"),
            ..OcrSettings::default()
        };
        // A text-layer file with a blank page needs no OCR tools at all.
        let mut pages = vec![page("项目名称"), blank];
        assert!(ocr_pages(&mut pages, b"", &s, &LayoutSettings::default(), &tpl()).is_ok());
    }

    #[test]
    fn pages_needing_ocr_are_detected_cheaply() {
        assert_eq!(needs(&page("")), Some(OcrReason::NoTextLayer));
        assert_eq!(
            needs(&page("\u{FFFD}\u{FFFD}\u{E001}项")),
            Some(OcrReason::UnmappedText)
        );
        assert_eq!(needs(&page("项目名称\u{FFFD}")), None);
    }

    #[test]
    fn amounts_and_doubtful_characters_read_by_ocr_are_warned_about() {
        use crate::record::Location;
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let ex = crate::Extractor::builtin().unwrap();
        let mut r = ex
            .extract_file(&root.join("fixtures/synth-01.pdf"))
            .unwrap()
            .remove(0);
        r.warnings.clear();
        let word = |k: &str, conf: f64| {
            let Some(Location::Pdf { bbox, .. }) = r.provenance.get(k) else {
                panic!("{k}: no PDF provenance");
            };
            OcrWord {
                text: "1,000".into(),
                bbox: *bbox,
                conf,
                line: (1, 1, 1),
                chars: Vec::new(),
            }
        };
        let mut overview = word("overview", 0.99);
        overview.chars = vec![
            crate::ocr::tesseract::OcrChar {
                ch: "覆".into(),
                bbox: overview.bbox,
                conf: 0.85,
            },
            crate::ocr::tesseract::OcrChar {
                ch: "盖".into(),
                bbox: overview.bbox,
                conf: 0.99,
            },
        ];
        let words = vec![
            word("total_budget", 0.59),
            word("current_year_budget", 0.95),
            word("funding_components[0]", 0.5),
            word("project_name", 0.1),
            word("basis", 0.97),
            overview,
        ];
        let info: Vec<Option<OcrInfo>> = r
            .source
            .pages
            .iter()
            .map(|_| {
                Some(OcrInfo {
                    words: words.clone(),
                    unread: Vec::new(),
                    skew_deg: 0.0,
                    illumination_normalized: false,
                    perspective_corrected: false,
                    sheet_found: false,
                    seal_removed: false,
                    reason: OcrReason::NoTextLayer,
                    recognizer: "tesseract",
                })
            })
            .collect();
        annotate_record(&mut r, &info, &tpl(), &OcrSettings::default());
        assert!(r.source.ocr);
        let low: Vec<(&str, bool)> = r
            .warnings
            .iter()
            .filter(|w| w.code == "ocr_low_confidence")
            .map(|w| (w.field.as_str(), w.message.starts_with("amount")))
            .collect();
        // amounts below 0.7 (mean); any field holding a character below
        // 0.92 (a word's own confidence where it has no characters): the
        // project name, and the overview for one doubtful character of a
        // confident word; not the current-year budget (0.95) nor the basis
        assert_eq!(
            low,
            [
                ("funding_components[0]", true),
                ("total_budget", true),
                ("overview", false),
                ("project_name", false)
            ]
        );
        assert!(
            !r.warnings
                .iter()
                .any(|w| w.code == "ocr_text_layer_ignored")
        );
    }

    #[test]
    fn scans_are_rendered_at_their_resolution_held_within_the_auto_range() {
        let mut p = page("");
        let wide = OcrSettings {
            auto_dpi: (200, 400),
            ..OcrSettings::default()
        };
        for (own, want) in [(150.0, 200), (300.0, 300), (600.0, 400), (0.0, 300)] {
            p.image_dpi = own;
            assert_eq!(render_dpi(&wide, &p), want, "{own} dpi");
        }
        let default = OcrSettings {
            dpi: 0,
            ..OcrSettings::default()
        };
        for own in [150.0, 300.0, 600.0, 0.0] {
            p.image_dpi = own;
            assert_eq!(render_dpi(&default, &p), 200, "{own} dpi");
        }
        let fixed = OcrSettings {
            dpi: 333,
            ..OcrSettings::default()
        };
        assert_eq!(render_dpi(&fixed, &p), 333);
    }

    #[test]
    fn garbage_text_layer_over_a_page_sized_image_is_sent_to_ocr() {
        // GBK bytes of 上海市财政支出项目 read as Latin-1: mojibake.
        let mut scan = page("ÉÏº£ÊÐ²ÆÕþÖ§³öÏîÄ¿");
        scan.images = 1;
        scan.image_cover = 0.98;
        assert_eq!(needs(&scan), Some(OcrReason::ForeignText));
        // The same image under a text layer that holds a label: trusted.
        let mut good = page("一、项目名称 某某项目");
        good.images = 1;
        good.image_cover = 0.98;
        assert_eq!(needs(&good), None);
        // Foreign text without a page-sized image (a logo) is a text
        // page: never OCR'd, whatever it says.
        let mut logo = page("ÉÏº£ÊÐ²ÆÕþ");
        logo.images = 1;
        logo.image_cover = 0.05;
        assert_eq!(needs(&logo), None);
    }

    #[test]
    fn text_layer_pages_never_reach_the_tools() {
        let s = OcrSettings {
            tesseract: PathBuf::from("/nonexistent/tesseract"),
            pdftoppm: PathBuf::from("/nonexistent/pdftoppm"),
            ..OcrSettings::default()
        };
        let mut pages = vec![page("项目名称"), page("上海市")];
        let before = pages.clone();
        let info = ocr_pages(&mut pages, b"", &s, &LayoutSettings::default(), &tpl()).unwrap();
        assert_eq!(info, vec![None, None]);
        assert_eq!(pages, before);
        // a scanned page with the tools missing: unavailable, not a failure
        let mut pages = vec![page("项目名称"), page("")];
        assert!(matches!(
            ocr_pages(&mut pages, b"", &s, &LayoutSettings::default(), &tpl()),
            Err(OcrError::Unavailable(_))
        ));
        // OCR disabled: left as is
        let off = OcrSettings {
            enabled: false,
            ..s
        };
        assert_eq!(
            ocr_pages(&mut pages, b"", &off, &LayoutSettings::default(), &tpl()).unwrap(),
            vec![None, None]
        );
    }

    #[test]
    fn stacked_regions_map_back() {
        let mut img = GrayImage::new(100, 60, 255);
        img.set(10, 10, 0);
        img.set(70, 50, 0);
        let regions = [(5, 5, 20, 20), (60, 40, 90, 58)];
        let (stack, offsets) = stack_regions(&img, &regions);
        assert_eq!(offsets.len(), 2);
        // pixel (10,10) is at (gap + 5, offsets[0] + 5)
        assert_eq!(stack.get(40 + 5, offsets[0] + 5), 0);
        assert_eq!(stack.get(40 + 10, offsets[1] + 10), 0);
    }
}
