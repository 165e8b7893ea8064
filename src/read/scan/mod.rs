//! The scan reader: pages without a usable text layer are rasterized,
//! deskewed, their ruling lines found in the image, and their text read by
//! PP-OCR (or Tesseract); the result is a [`PageContent`] like the PDF
//! reader's (glyphs and edges in points, top-left origin), with what OCR
//! added in [`PageContent::ocr`], so every later stage runs unchanged.
//!
//! Files: [`settings`] (what can be tuned), [`page`] (one image to page
//! content), [`regions`] (where text is read), [`ppocr_read`] and
//! [`passes`] (the two recognizers' readings), with the image tools in
//! [`image`], [`lines`], [`prepro`].
//!
//! ```text
//! page ─page_needs_ocr─▶ ─rasterize (pdftoppm, red ink taken out)─▶ GrayImage
//!   ─prepare_image (sheet, illumination, skew)─▶ ─find_rules, find_frame / rectify / warp─▶
//!   ─segments_to_edges─▶ edges (points)
//!   ─erase_segments─▶ ─text_regions─▶ PP-OCR lines read twice (ppocr_read), or
//!   Tesseract passes voted (passes) ─▶ words ─words_to_glyphs─▶ glyphs
//! ```
//!
//! External tools are run as subprocesses: `pdftoppm` from poppler-utils
//! and, where PP-OCR is not installed, `tesseract` with the `chi_sim`
//! data; PP-OCR runs in process (ONNX Runtime). Their paths come from
//! [`OcrSettings`].

pub mod child;
pub mod image;
pub mod lines;
mod page;
mod passes;
pub mod ppocr;
mod ppocr_read;
pub mod prepro;
mod regions;
mod settings;
pub mod symbols;
pub mod tesseract;
pub mod vote;

pub use page::image_to_page;
pub use passes::{OCR_PASSES, OcrPass};
pub use settings::{OcrSettings, Recognizer};
use {passes::*, ppocr_read::*, regions::*};

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::geom::{BBox, Edge, PageContent};
pub use crate::geom::{OcrInfo, OcrReason};
use crate::layout::edges_to_grids;
use crate::settings::LayoutSettings;
use image::{GrayImage, binarize, otsu_threshold, rotate};
use lines::{SkewSearch, connected_segments, erase_segments, estimate_skew, find_segments};
use tesseract::{
    OcrChar, OcrWord, merge_split_percent, parse_hocr, run_tesseract, words_to_glyphs,
};

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
    let mut cmd = Command::new(&s.pdftoppm);
    cmd.args(["-r", &dpi.to_string()]).args([
        "-f",
        &page.to_string(),
        "-l",
        &page.to_string(),
        "-",
    ]);
    let out = child::output_within(&mut cmd, Some(pdf.to_vec()), s.deadline.as_ref()).map_err(
        |e| match e {
            child::ChildError::Spawn(e) => format!("cannot run {}: {e}", s.pdftoppm.display()),
            child::ChildError::TimedOut => TIMED_OUT.to_string(),
            child::ChildError::Io(e) => format!("pdftoppm: {e}"),
        },
    )?;
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

/// The error text of a tool killed at the file's deadline.
pub const TIMED_OUT: &str = "timed out";

/// Why OCR could not read a file's scanned pages.
#[derive(Debug, Clone, PartialEq)]
pub enum OcrError {
    /// The tools (or the language data) are not installed.
    Unavailable(String),
    /// A tool failed on this file.
    Failed(String),
    /// The file's deadline ([`OcrSettings::deadline`]) passed.
    TimedOut,
}

/// The scan reader: every page that [`page_needs_ocr`] is replaced by its
/// OCR reading, a [`PageContent`] like any other (glyphs, ruling lines)
/// whose [`PageContent::ocr`] says what OCR added. Text-layer pages, and
/// every page when OCR is disabled, are left untouched.
pub fn ocr_pages(
    pages: &mut [PageContent],
    pdf: &[u8],
    s: &OcrSettings,
    layout: &LayoutSettings,
    t: &crate::template::Templates,
) -> Result<(), OcrError> {
    if !s.enabled {
        return Ok(());
    }
    let reasons: Vec<Option<OcrReason>> = pages
        .iter()
        .map(|p| page_needs_ocr(p, t.vocabulary(), s, layout))
        .collect();
    if reasons.iter().all(Option::is_none) {
        return Ok(());
    }
    check_tools(s).map_err(OcrError::Unavailable)?;
    // A tool killed at the deadline (or one failing after it) is the
    // deadline's doing.
    let failed = |e: String| match &s.deadline {
        Some(d) if e == TIMED_OUT || d.expired() => OcrError::TimedOut,
        _ => OcrError::Failed(e),
    };
    for (p, reason) in pages.iter_mut().zip(reasons) {
        let Some(reason) = reason else {
            continue;
        };
        if s.deadline.as_ref().is_some_and(|d| !d.start_ocr_page()) {
            return Err(OcrError::TimedOut);
        }
        let (img, red) = rasterize(s, pdf, p.number, render_dpi(s, p)).map_err(failed)?;
        let (mut content, mut inf) =
            image_to_page(&img, p.number, p.width, p.height, s, layout).map_err(failed)?;
        inf.reason = reason;
        inf.seal_removed = red as f64 >= s.min_red_share * img.data.len() as f64;
        content.ocr = Some(std::sync::Arc::new(inf));
        *p = content;
    }
    Ok(())
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
            ocr: None,
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

    fn tpl() -> crate::template::Templates {
        crate::template::Templates::builtin().unwrap()
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
        ocr_pages(&mut pages, b"", &s, &LayoutSettings::default(), &tpl()).unwrap();
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
        let before = pages.clone();
        ocr_pages(&mut pages, b"", &off, &LayoutSettings::default(), &tpl()).unwrap();
        assert_eq!(pages, before);
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
