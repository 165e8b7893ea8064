//! PP-OCR's reading of a page's regions ([`read_regions_ppocr`]): each
//! region cut into text lines, every line read twice (the second view:
//! its ink only), characters the readings disagree on doubted, ink no
//! character covers reported unread.

use super::*;

/// Text lines of a region (pixels): runs of rows holding ink (`mask`),
/// pieces closer than an eighth of an em joined (the strokes of `三`),
/// runs shorter than half an em joined to the nearest run within half an
/// em (a line of punctuation), each cut to its ink's columns and padded;
/// with its inked rows.
/// `em`: the form's 10.5 pt in pixels.
pub(super) fn region_lines(
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
pub(super) fn read_regions_ppocr(
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
    // each line's characters, the lines read 16 at a time on the rayon
    // pool; past the file's deadline no chunk starts and the model calls
    // in flight are terminated
    let read_all =
        |imgs: &[GrayImage], calls: &ppocr::Calls| -> Result<Vec<Vec<ppocr::LineChar>>, String> {
            let read: Vec<Vec<Vec<ppocr::LineChar>>> = imgs
                .par_chunks(16)
                .map(|c| match &s.deadline {
                    Some(d) if d.expired() => Err(super::TIMED_OUT.to_string()),
                    _ => ppocr::read_lines(dir, c, calls),
                })
                .collect::<Result<_, _>>()?;
            Ok(read.into_iter().flatten().collect())
        };
    let calls = ppocr::Calls::new(dir)?;
    let read = calls.within(s.deadline.as_ref(), |calls| {
        let mut read = read_all(&crops, calls)?;
        if let Some(pad) = second_pad {
            let views: Vec<GrayImage> = lines
                .iter()
                .map(|&(_, _, r, _)| second_view(img, mask, r, pad))
                .collect();
            for (a, b) in read.iter_mut().zip(&read_all(&views, calls)?) {
                doubt_disagreements(a, b, DISAGREE_CONF);
            }
        }
        Ok::<_, String>(read)
    })?;
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
pub(super) fn unread_ink(mask: &[bool], w: usize, r: Rect, words: &[OcrWord]) -> Vec<BBox> {
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
pub(super) fn skipped_between(mask: &[bool], w: usize, r: Rect, words: &[OcrWord]) -> Vec<BBox> {
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
pub(super) const DISAGREE_CONF: f64 = 0.5;

/// The second view of the text line `r` of `img` that PP-OCR reads
/// ([`OcrSettings::second_reading`]): only its ink (pixels not in `mask`
/// whitened: faint bleed-through, halos and noise gone), with white
/// margins of `pad` of its height above and below and half that left and
/// right (a smaller scale in the recognizer's 48-pixel input). Two views
/// that differ this much err at different places.
pub(super) fn second_view(img: &GrayImage, mask: &[bool], r: Rect, pad: f64) -> GrayImage {
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
pub(super) fn doubt_disagreements(a: &mut [ppocr::LineChar], b: &[ppocr::LineChar], conf: f64) {
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
pub(super) fn crop(img: &GrayImage, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> GrayImage {
    let mut out = GrayImage::new(x1 - x0, y1 - y0, 255);
    for y in y0..y1 {
        out.data[(y - y0) * out.width..(y - y0 + 1) * out.width]
            .copy_from_slice(&img.data[y * img.width + x0..y * img.width + x1]);
    }
    out
}

/// PP-OCR characters `‘’·`'` read with less than this confidence are
/// specks, not text ([`chars_to_words`]). 0.5: on the scanned fixtures
/// the speck seen (`‘` before a `（`) came out at 0.34, the text's quotes
/// at 0.9 and above.
pub(super) const SPECK_CONF: f64 = 0.5;

/// One line's characters (spans in pixels of its crop, which covers
/// columns `span` of the page image; the line's ink on rows `top..bottom`)
/// as words: each character a box centred on its span, as wide as the line
/// is high at most, never into its neighbour's half of the gap nor out of
/// the crop (so a glyph never reaches a ruling line beside it); a space or
/// a gap wider than half the line's height starts a new word.
pub(super) fn chars_to_words(
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
