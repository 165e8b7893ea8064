//! One page image to page content ([`image_to_page`]): preprocessing
//! (sheet, light, skew, keystone), ruling lines found and erased, the
//! text regions read.

use super::*;

/// Where the ruling-line mask's threshold lies between the text's (Otsu)
/// threshold and white: 0.7 of the way. Thin rules of a JPEG scan come out
/// light gray (150-200 on 255) after anti-aliasing and deskewing; at 0.5
/// (the earlier value) the rules of a 300 dpi JPEG scan read at 200 dpi
/// broke into pieces and the tables were lost (12/66 fields right; 60/66
/// at 0.7), with no change on the 200 dpi fixtures (docs/read-scan.md (history: CHANGELOG.md)). Runs of
/// light text halo stay short and unconnected, so they are not taken.
pub(super) const LINE_MASK_LEVEL: f64 = 0.7;

pub(super) fn line_threshold(text_threshold: u8) -> u8 {
    let t = text_threshold as f64;
    (t + (255.0 - t) * LINE_MASK_LEVEL).round() as u8
}

/// What preprocessing did to a page image before its rules and text are
/// looked for.
pub(super) struct Prepared {
    sheet_found: bool,
    illumination_normalized: bool,
    /// The skew corrected, degrees.
    skew: f64,
    /// The text threshold (Otsu), and the gray level of the paper.
    thr: u8,
    paper: u8,
}

/// The sheet found on a darker surround and made to fill the image, uneven
/// light divided out, the skew estimated and rotated away.
pub(super) fn prepare_image(img: &mut GrayImage, s: &OcrSettings, k: f64) -> Prepared {
    let block = (s.background_block_pt * k).round() as usize;
    let sheet_found = if s.find_sheet
        && let Some(corners) = prepro::find_sheet(img, block, s.min_sheet_share)
        && let Some(h) = prepro::sheet_to_image(corners, img.width, img.height)
    {
        let fill = prepro::paper_level(img, otsu_threshold(img));
        *img = prepro::warp(img, &h, fill);
        true
    } else {
        false
    };
    let illumination_normalized = s.normalize_illumination
        && prepro::normalize_illumination(
            img,
            &prepro::Background {
                block,
                spread: s.background_spread_blocks,
                share: s.background_share,
                min_spread: s.min_background_spread,
                tail: s.background_tail,
                surround_ratio: s.surround_ratio,
            },
        );
    let thr = otsu_threshold(img);
    let mask = binarize(img, thr);
    let search = SkewSearch {
        max_deg: s.max_skew_deg,
        coarse_step_deg: s.skew_coarse_step_deg,
        coarse_bin: (s.skew_coarse_bin_pt * k).round().max(1.0) as usize,
    };
    let skew = estimate_skew(&mask, img.width, img.height, search);
    drop(mask);
    // what a rotation or warp brings in from outside is paper
    let paper = prepro::paper_level(img, thr);
    if skew.abs() >= 0.05 {
        *img = rotate(img, skew, paper);
    }
    Prepared {
        sheet_found,
        illumination_normalized,
        skew,
        thr,
        paper,
    }
}

/// The ruling lines of a page image. Ruling lines are thin and come out
/// light after blur and rotation: found on a lighter threshold than the
/// text.
pub(super) fn find_rules(img: &GrayImage, thr: u8, k: f64, s: &OcrSettings) -> Vec<lines::Segment> {
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
        let extent = if g.horizontal {
            img.height as f64
        } else {
            img.width as f64
        };
        let m = s.edge_margin_pt * k;
        g.center() >= m && g.center() <= extent - m
    })
    .collect()
}

/// Segments (pixels) as edges (points).
pub(super) fn segments_to_edges(segs: &[lines::Segment], k: f64) -> Vec<Edge> {
    segs.iter()
        .map(|g| {
            let (a, b, c) = (g.start as f64 / k, (g.end + 1) as f64 / k, g.center() / k);
            if g.horizontal {
                Edge::horizontal(a, b, c)
            } else {
                Edge::vertical(c, a, b)
            }
        })
        .collect()
}

/// `Err(TIMED_OUT)` once the file's deadline has passed: checked between
/// the stages of a page's reading, each under a second.
fn in_time(s: &OcrSettings) -> Result<(), String> {
    match &s.deadline {
        Some(d) if d.expired() => Err(super::TIMED_OUT.to_string()),
        _ => Ok(()),
    }
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
    let prep = prepare_image(&mut img, s, k);
    in_time(s)?;
    let thr = prep.thr;
    let mut segs = find_rules(&img, thr, k, s);
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
        img = prepro::warp(&img, &h, prep.paper);
        segs = find_rules(&img, thr, k, s);
        perspective_corrected = true;
    }
    if let Some(d) = &s.debug_dir {
        let _ = std::fs::write(d.join(format!("page-{number}.pgm")), image::to_pgm(&img));
    }
    in_time(s)?;
    let tol = (2.0 * k).ceil() as usize;
    let segs = lines::drop_faint(segs, &img, s.min_rule_darkness);
    let segs = connected_segments(&lines::bounded_rules(segs, tol, 0.5), tol);
    let edges = segments_to_edges(&segs, k);
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
    in_time(s)?;
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
            ocr: None,
        },
        OcrInfo {
            words,
            unread,
            skew_deg: prep.skew,
            illumination_normalized: prep.illumination_normalized,
            perspective_corrected,
            sheet_found: prep.sheet_found,
            seal_removed: false,
            reason: OcrReason::NoTextLayer,
            recognizer,
        },
    ))
}
