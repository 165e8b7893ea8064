//! Signs the `chi_sim` model cannot write, recognized from their shape.
//!
//! The model's character set has no `≥` or `≤` (see `src/place/repair/`), so it
//! writes whatever it finds closest (`之`, `受`, `>`, `和`…) before the
//! number of an indicator target. [`classify_comparison`] looks at the
//! ink of such a glyph: a `≥` or `≤` is a chevron above a bar nearly as
//! wide (level, or slanted as in `⩾`), the two apart; the chevron opens to
//! the left (`≥`: its strokes spread apart at its left end and meet at
//! its right end) or to the right (`≤`). [`restore_comparisons`] applies it to the characters OCR
//! read just before a digit.

use super::image::GrayImage;
use super::tesseract::{OcrChar, OcrWord};
use crate::geom::BBox;

/// Connected blobs of ink (8-neighbours) inside a window: each blob's
/// pixels (x, y).
fn blobs(
    img: &GrayImage,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
    thr: u8,
) -> Vec<Vec<(usize, usize)>> {
    let w = x1 - x0;
    let mut seen = vec![false; w * (y1 - y0)];
    let mut out = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y - y0) * w + (x - x0);
            if seen[i] || img.get(x, y) >= thr {
                continue;
            }
            seen[i] = true;
            let mut stack = vec![(x, y)];
            let mut blob = Vec::new();
            while let Some((px, py)) = stack.pop() {
                blob.push((px, py));
                for ny in py.saturating_sub(1).max(y0)..=(py + 1).min(y1 - 1) {
                    for nx in px.saturating_sub(1).max(x0)..=(px + 1).min(x1 - 1) {
                        let j = (ny - y0) * w + (nx - x0);
                        if !seen[j] && img.get(nx, ny) < thr {
                            seen[j] = true;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
            out.push(blob);
        }
    }
    out
}

/// `≥`, `≤` or neither, from the ink (pixels darker than `thr`) inside
/// `bbox` (pixels of `img`): exactly two blobs (specks aside), the upper
/// one a chevron, the lower one a bar (straight or slanted, as fonts draw
/// `⩾`) at least 60% as wide and clearly flatter. The chevron points
/// right (`≥`) when its ink spreads over more rows at its left end than
/// at its right end, by 1.6 times or more; left (`≤`) the other way.
pub fn classify_comparison(img: &GrayImage, bbox: &BBox, thr: u8) -> Option<char> {
    // the box, widened a little: OCR's character boxes are loose
    let pad = (bbox.height() * 0.35).ceil().max(2.0);
    let x0 = (bbox.x0 - pad).floor().max(0.0) as usize;
    let y0 = bbox.top.floor().max(0.0) as usize;
    let x1 = ((bbox.x1 + pad).ceil() as usize).min(img.width);
    let y1 = (bbox.bottom.ceil() as usize).min(img.height);
    if x1 <= x0 + 3 || y1 <= y0 + 3 {
        return None;
    }
    let ext = |b: &[(usize, usize)]| {
        let (mut l, mut t, mut r, mut bo) = (usize::MAX, usize::MAX, 0, 0);
        for &(x, y) in b {
            (l, t, r, bo) = (l.min(x), t.min(y), r.max(x), bo.max(y));
        }
        (l, t, r, bo)
    };
    // blobs cut by the window's sides belong to the neighbours; of the
    // rest, the sign's parts share the columns of the one nearest the
    // box's centre
    let mut parts: Vec<Vec<(usize, usize)>> = blobs(img, (x0, y0, x1, y1), thr)
        .into_iter()
        .filter(|b| b.len() >= 4)
        .filter(|b| {
            let (l, _, r, _) = ext(b);
            l > x0 && r + 1 < x1
        })
        .collect();
    let mid = (bbox.x0 + bbox.x1) / 2.0;
    let off = |b: &[(usize, usize)]| {
        let (l, _, r, _) = ext(b);
        (l as f64 - mid).max(mid - (r + 1) as f64).max(0.0)
    };
    if let Some(anchor) = parts.iter().min_by(|a, b| off(a).total_cmp(&off(b))) {
        let (fl, _, fr, _) = ext(anchor);
        parts.retain(|b| {
            let (l, _, r, _) = ext(b);
            l.max(fl) < r.min(fr)
        });
    }
    if parts.len() != 2 {
        return None;
    }
    let cy = |b: &[(usize, usize)]| b.iter().map(|p| p.1 as f64).sum::<f64>() / b.len() as f64;
    parts.sort_by(|a, b| cy(a).total_cmp(&cy(b)));
    let (chevron, bar) = (&parts[0], &parts[1]);
    let (cl, ct, cr, cb) = ext(chevron);
    let (bl, bt, br, bb) = ext(bar);
    let (cw, ch) = (cr - cl + 1, cb - ct + 1);
    if cw < 4 || ch < 4 || (br - bl + 1) * 10 < cw * 6 || (bb - bt + 1) * 10 > ch * 7 {
        return None;
    }
    let spread = |x: usize| {
        let ys: Vec<usize> = chevron.iter().filter(|p| p.0 == x).map(|p| p.1).collect();
        match (ys.iter().min(), ys.iter().max()) {
            (Some(a), Some(b)) => (b - a + 1) as f64,
            _ => 0.0,
        }
    };
    let third = (cw / 3).max(1);
    let mean = |xs: std::ops::Range<usize>| {
        let n = xs.len().max(1) as f64;
        xs.map(spread).sum::<f64>() / n
    };
    // the bar is one thin stroke: few rows of ink in each of its columns
    let thick = (bl..=br)
        .map(|x| bar.iter().filter(|p| p.0 == x).count())
        .sum::<usize>() as f64
        / (br - bl + 1) as f64;
    if thick > 0.3 * ch as f64 || bb <= cb {
        return None;
    }
    let (l, r) = (mean(cl..cl + third), mean(cr + 1 - third..cr + 1));

    if l >= 1.6 * r && l >= 0.5 * ch as f64 {
        Some('≥')
    } else if r >= 1.6 * l && r >= 0.5 * ch as f64 {
        Some('≤')
    } else {
        None
    }
}

/// Boxes of a word's characters: their own (hOCR), or the word's box
/// split evenly.
fn char_boxes(w: &OcrWord) -> Vec<(String, BBox)> {
    if !w.chars.is_empty() && w.chars.iter().map(|c| c.ch.as_str()).collect::<String>() == w.text {
        return w.chars.iter().map(|c| (c.ch.clone(), c.bbox)).collect();
    }
    let chars: Vec<char> = w.text.chars().collect();
    let step = w.bbox.width() / chars.len().max(1) as f64;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = w.bbox.x0 + step * i as f64;
            (
                c.to_string(),
                BBox::new(x, w.bbox.top, x + step, w.bbox.bottom),
            )
        })
        .collect()
}

/// Replaces the characters OCR read for a `≥`/`≤` sign: one or two
/// non-digit characters starting a word, followed by a digit (in the word
/// or starting the next word of the line), or the one character before
/// the first digit of a longer word (`事件么2次`), whose ink
/// [`classify_comparison`] recognizes. `words` in pixels of `img`.
pub fn restore_comparisons(words: &mut [OcrWord], img: &GrayImage, thr: u8) {
    for i in 0..words.len() {
        let boxes = char_boxes(&words[i]);
        let prefix = boxes
            .iter()
            .take_while(|(c, _)| !c.chars().all(|d| d.is_ascii_digit()))
            .count();
        let digit_follows = if prefix < boxes.len() {
            true
        } else {
            words.get(i + 1).is_some_and(|n| {
                n.line == words[i].line && n.text.starts_with(|c: char| c.is_ascii_digit())
            })
        };
        if prefix > 2 && digit_follows {
            // inside a word (`事件么2次`): the one character before the
            // first digit
            let k = prefix - 1;
            if let Some(op) = classify_comparison(img, &boxes[k].1, thr) {
                let w = &mut words[i];
                let text: String = boxes
                    .iter()
                    .enumerate()
                    .map(|(j, (c, _))| if j == k { op.to_string() } else { c.clone() })
                    .collect();
                w.text = text;
                if w.chars.len() == boxes.len() {
                    w.chars[k].ch = op.to_string();
                } else {
                    w.chars.clear();
                }
            }
            continue;
        }
        if prefix == 0 || prefix > 2 || !digit_follows {
            continue;
        }
        if boxes[..prefix]
            .iter()
            .any(|(c, _)| matches!(c.as_str(), "≥" | "≤"))
        {
            continue;
        }
        // the glyph: the prefix's boxes, to the word's full height
        let Some(b) = BBox::union_all(boxes[..prefix].iter().map(|(_, b)| b)) else {
            continue;
        };
        let b = BBox::new(b.x0, words[i].bbox.top, b.x1, words[i].bbox.bottom);
        if let Some(op) = classify_comparison(img, &b, thr) {
            let w = &mut words[i];
            let rest: String = boxes[prefix..].iter().map(|(c, _)| c.as_str()).collect();
            w.text = format!("{op}{rest}");
            if w.chars.len() == boxes.len() {
                let conf = w.chars[..prefix].iter().map(|c| c.conf).fold(1.0, f64::min);
                w.chars.splice(
                    ..prefix,
                    [OcrChar {
                        ch: op.to_string(),
                        bbox: b,
                        conf,
                    }],
                );
            } else {
                w.chars.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stroke from one point to another.
    type Stroke = ((f64, f64), (f64, f64));

    /// A 30×30 glyph drawn with the given strokes (thickness 2) on paper.
    fn glyph(strokes: &[Stroke]) -> GrayImage {
        let mut img = GrayImage::new(40, 40, 255);
        for &((ax, ay), (bx, by)) in strokes {
            for t in 0..=200 {
                let t = t as f64 / 200.0;
                let (x, y) = (ax + (bx - ax) * t, ay + (by - ay) * t);
                for dx in 0..2 {
                    for dy in 0..2 {
                        img.set(x as usize + dx + 5, y as usize + dy + 5, 0);
                    }
                }
            }
        }
        img
    }

    fn class(strokes: &[Stroke]) -> Option<char> {
        classify_comparison(&glyph(strokes), &BBox::new(0.0, 0.0, 40.0, 40.0), 128)
    }

    const BAR: Stroke = ((2.0, 27.0), (26.0, 27.0));

    #[test]
    fn comparison_signs_are_told_by_the_chevron_over_a_bar() {
        // ≥: strokes from the left ends meet at the right
        let ge = [((2.0, 2.0), (26.0, 11.0)), ((2.0, 20.0), (26.0, 11.0)), BAR];
        assert_eq!(class(&ge), Some('≥'));
        let le = [((26.0, 2.0), (2.0, 11.0)), ((26.0, 20.0), (2.0, 11.0)), BAR];
        assert_eq!(class(&le), Some('≤'));
        // ⩾: the bar slanted under the lower stroke, as the fixtures' font
        let slanted = [
            ((2.0, 2.0), (26.0, 11.0)),
            ((2.0, 20.0), (26.0, 11.0)),
            ((2.0, 29.0), (26.0, 19.0)),
        ];
        assert_eq!(class(&slanted), Some('≥'));
    }

    #[test]
    fn glyphs_without_a_separate_bar_or_a_chevron_are_not_signs() {
        // > alone (the model's own reading stands)
        assert_eq!(
            class(&[((2.0, 2.0), (26.0, 11.0)), ((2.0, 20.0), (26.0, 11.0))]),
            None
        );
        // 三: three bars
        assert_eq!(
            class(&[((4.0, 2.0), (24.0, 2.0)), ((6.0, 14.0), (22.0, 14.0)), BAR]),
            None
        );
        // 之-like: a dot, and the bottom stroke joined to the strokes above
        assert_eq!(
            class(&[
                ((10.0, 2.0), (14.0, 6.0)),
                ((4.0, 10.0), (22.0, 10.0)),
                ((22.0, 10.0), (2.0, 27.0)),
                ((2.0, 27.0), (26.0, 27.0))
            ]),
            None
        );
        // 二
        assert_eq!(class(&[((6.0, 8.0), (22.0, 8.0)), BAR]), None);
        // 上: a stem standing on the bar
        assert_eq!(
            class(&[
                ((12.0, 2.0), (12.0, 27.0)),
                ((12.0, 13.0), (22.0, 13.0)),
                BAR
            ]),
            None
        );
    }

    #[test]
    fn a_misread_sign_before_a_number_is_restored() {
        let img = glyph(&[((2.0, 2.0), (26.0, 11.0)), ((2.0, 20.0), (26.0, 11.0)), BAR]);
        let word = |text: &str, x0: f64, x1: f64| OcrWord {
            text: text.to_string(),
            bbox: BBox::new(x0, 3.0, x1, 36.0),
            conf: 0.9,
            line: (0, 0, 1),
            chars: Vec::new(),
        };
        let mut ws = vec![word("之", 4.0, 34.0), word("90%", 40.0, 40.0)];
        restore_comparisons(&mut ws, &img, 128);
        assert_eq!(ws[0].text, "≥");
        // not before a number: left alone
        let mut ws = vec![word("之", 4.0, 34.0), word("后", 40.0, 40.0)];
        restore_comparisons(&mut ws, &img, 128);
        assert_eq!(ws[0].text, "之");
    }
}
