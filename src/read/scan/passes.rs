//! Tesseract's reading of a page: [`OCR_PASSES`] over the stacked
//! regions, voted per character ([`read_regions_tesseract`]), and numbers
//! read again where doubtful.

use super::*;

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
/// the scanned fixtures (docs/read-scan.md (history: CHANGELOG.md)): each alone misreads 20-25 of 88
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
pub(super) fn read_regions(
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
        (&s.lang, 6),
        &["-c", "hocr_char_boxes=1"],
        "hocr",
        s.deadline.as_ref(),
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
pub(super) const DOUBTFUL_NUMBER_CONF: f64 = 0.5;

/// A second opinion on numbers `chi_sim` doubts: the LSTM model reads
/// some fonts' `%` as digits (`5%` as `500`, confidence 0). Such words
/// are cut out (a third of their height around), stacked, and read by
/// Tesseract's `eng` model restricted to `0-9.,%`; its reading replaces
/// the word's only when it holds a `%` the first reading lacks and is
/// otherwise a plain number. Without the `eng` data nothing changes.
/// `words` in pixels of `img`.
pub(super) fn reread_doubtful_numbers(words: &mut [OcrWord], img: &GrayImage, s: &OcrSettings) {
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
        ("eng", 6),
        &[
            "-c",
            "tessedit_char_whitelist=0123456789.,%",
            "-c",
            "hocr_char_boxes=1",
        ],
        "hocr",
        s.deadline.as_ref(),
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

/// Tesseract's reading of the regions: [`OcrSettings::passes`] passes
/// ([`OCR_PASSES`]), run together and voted per character; `≥`/`≤` from
/// their ink; doubtful numbers read again by `eng`. Words in pixels of `img`.
pub(super) fn read_regions_tesseract(
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
pub(super) type Rect = (usize, usize, usize, usize);
