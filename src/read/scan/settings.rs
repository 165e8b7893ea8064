//! How scanned pages are read: [`OcrSettings`], each field's default and
//! why, and the [`Recognizer`].

use super::*;

/// How scanned pages are read.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrSettings {
    /// OCR pages without a usable text layer. Default true; when false such
    /// files fail with `no_text_layer` as before.
    pub enabled: bool,
    /// When set, OCR stops with [`OcrError::TimedOut`] once this instant
    /// has passed: pdftoppm and tesseract are killed with their process
    /// group at it ([`child::output_within`]), and no page is started
    /// after it. Set per file from the PDF reader's deadline. Default none.
    pub deadline: Option<crate::read::pdf::Deadline>,
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
    /// ~29 px tall, which `chi_sim` reads best. Measured (docs/read-scan.md (history: CHANGELOG.md)):
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
    /// worse (docs/read-scan.md (history: CHANGELOG.md)).
    pub passes: usize,
    /// A page whose text layer holds none of the form's words
    /// ([`crate::template::Template::vocabulary`]) is read by OCR when it
    /// paints an image covering at least this share of the page
    /// ([`PageContent::image_cover`]): a scan under a garbage text layer.
    /// Default 0.5; text-layer pages without such an image are never
    /// sent to OCR, whatever their text.
    pub min_scan_cover: f64,
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
}

impl Default for OcrSettings {
    /// The documented defaults; nothing is read from the environment (the
    /// binary maps its `SHENBAO_*` variables onto these fields).
    fn default() -> Self {
        OcrSettings {
            enabled: true,
            deadline: None,
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
            passes: 3,
            min_scan_cover: 0.5,
        }
    }
}

/// What reads the text of scanned pages (docs/read-scan.md (history: CHANGELOG.md), "Recognizer").
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
