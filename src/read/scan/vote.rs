//! Character voting between OCR passes of one page (ROVER-style).
//!
//! Each pass reads the same regions from a differently prepared image
//! (resolution, binarization); their errors fall on different characters
//! more often than on the same one. Per text line: the lines of the passes
//! are matched by region and position, the pass whose reading is closest
//! to the others (the medoid) is the pivot, every other reading is aligned
//! to it (edit distance), and at each position the reading most passes
//! agree on wins, the pivot's when there is no majority. The pivot's words
//! (boxes, confidences) carry the voted characters.

use super::tesseract::OcrWord;
use crate::text::strip_whitespace;

/// One aligned position of a reading against the pivot: what the reading
/// has for pivot character `i` (`sub[i]`: one char, or empty when it drops
/// it) and what it inserts before pivot character `i` (`ins[i]`, with
/// `ins[len]` after the last one).
#[derive(Debug, Clone, PartialEq)]
struct Aligned {
    sub: Vec<String>,
    ins: Vec<String>,
}

/// Aligns `b` to `a` by edit distance (unit costs).
fn align(a: &[char], b: &[char]) -> Aligned {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0u32; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    for (j, v) in d[0].iter_mut().enumerate() {
        *v = j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + u32::from(a[i - 1] != b[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let mut out = Aligned {
        sub: vec![String::new(); n],
        ins: vec![String::new(); n + 1],
    };
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + u32::from(a[i - 1] != b[j - 1]) {
            out.sub[i - 1] = b[j - 1].to_string();
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            i -= 1; // b drops a[i-1]
        } else {
            out.ins[i].insert(0, b[j - 1]);
            j -= 1;
        }
    }
    out
}

fn distance(a: &[char], b: &[char]) -> usize {
    let al = align(a, b);
    let subs = al
        .sub
        .iter()
        .zip(a)
        .filter(|(s, c)| s.chars().ne(std::iter::once(**c)))
        .count();
    subs + al.ins.iter().map(|s| s.chars().count()).sum::<usize>()
}

/// The voted reading of one line. `readings[pivot]` is the pivot; the
/// result gives, for each output character, the index of the pivot
/// character it stands at (insertions at the following one, clamped).
pub fn vote_chars(readings: &[Vec<char>], pivot: usize) -> Vec<(usize, char)> {
    let a = &readings[pivot];
    let others: Vec<Aligned> = readings
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != pivot)
        .map(|(_, r)| align(a, r))
        .collect();
    let need = readings.len() / 2 + 1;
    let majority = |cands: Vec<&str>, own: &str| -> String {
        let mut best = (own.to_string(), 0usize);
        for c in &cands {
            let n = cands.iter().filter(|x| *x == c).count() + usize::from(*c == own);
            if n > best.1 {
                best = (c.to_string(), n);
            }
        }
        if best.1 >= need {
            best.0
        } else {
            own.to_string()
        }
    };
    let mut out = Vec::new();
    let last = a.len().saturating_sub(1);
    for i in 0..=a.len() {
        let ins = majority(others.iter().map(|o| o.ins[i].as_str()).collect(), "");
        out.extend(ins.chars().map(|c| (i.min(last), c)));
        if i < a.len() {
            let own = a[i].to_string();
            let sub = majority(others.iter().map(|o| o.sub[i].as_str()).collect(), &own);
            out.extend(sub.chars().map(|c| (i, c)));
        }
    }
    out
}

/// Lines of one pass: words grouped by their line id, in order.
fn lines_of(words: &[OcrWord]) -> Vec<Vec<&OcrWord>> {
    let mut out: Vec<Vec<&OcrWord>> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(l) if l[0].line == w.line => l.push(w),
            _ => out.push(vec![w]),
        }
    }
    out
}

fn line_chars(l: &[&OcrWord]) -> Vec<char> {
    let text: String = l.iter().map(|w| w.text.as_str()).collect();
    strip_whitespace(&text).chars().collect()
}

fn centre_y(l: &[&OcrWord]) -> f64 {
    l.iter()
        .map(|w| (w.bbox.top + w.bbox.bottom) / 2.0)
        .sum::<f64>()
        / l.len() as f64
}

fn height(l: &[&OcrWord]) -> f64 {
    l.iter().map(|w| w.bbox.height()).fold(0.0, f64::max)
}

/// Region of a line id (see `image_to_page`: regions are 1000 blocks apart).
fn region(w: &OcrWord) -> u32 {
    w.line.0 / 1000
}

/// Combines the words of several passes over the same regions (boxes in
/// one frame) into one reading; `passes[0]` gives the line structure.
/// With one pass its words are returned as they are.
pub fn vote_words(passes: &[Vec<OcrWord>]) -> Vec<OcrWord> {
    if passes.len() < 2 {
        return passes.first().cloned().unwrap_or_default();
    }
    let lines: Vec<Vec<Vec<&OcrWord>>> = passes.iter().map(|p| lines_of(p)).collect();
    let mut used: Vec<Vec<bool>> = lines.iter().map(|l| vec![false; l.len()]).collect();
    let mut out = Vec::new();
    for base in &lines[0] {
        // the same line in the other passes: same region, centres within
        // half a line height
        let (cy, h, reg) = (centre_y(base), height(base), region(base[0]));
        let mut group: Vec<&Vec<&OcrWord>> = vec![base];
        for (p, pl) in lines.iter().enumerate().skip(1) {
            let hit = pl.iter().enumerate().find(|(k, l)| {
                !used[p][*k]
                    && region(l[0]) == reg
                    && (centre_y(l) - cy).abs() < 0.5 * h.max(height(l))
            });
            if let Some((k, l)) = hit {
                used[p][k] = true;
                group.push(l);
            }
        }
        let readings: Vec<Vec<char>> = group.iter().map(|l| line_chars(l)).collect();
        let pivot = (0..group.len())
            .min_by_key(|&i| {
                readings
                    .iter()
                    .map(|r| distance(&readings[i], r))
                    .sum::<usize>()
            })
            .unwrap_or(0);
        let voted = vote_chars(&readings, pivot);
        // the pivot's words, each with the voted characters standing at
        // its own characters
        let words = group[pivot];
        let mut owner = Vec::new();
        for (wi, w) in words.iter().enumerate() {
            owner.extend(strip_whitespace(&w.text).chars().map(|_| wi));
        }
        let mut texts = vec![String::new(); words.len()];
        for (i, c) in voted {
            if let Some(&wi) = owner.get(i) {
                texts[wi].push(c);
            }
        }
        for (w, t) in words.iter().zip(texts) {
            if !t.is_empty() {
                let chars = if t == w.text {
                    w.chars.clone()
                } else {
                    Vec::new()
                };
                out.push(OcrWord {
                    text: t,
                    line: base[0].line,
                    chars,
                    ..(*w).clone()
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::BBox;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn voted(rs: &[&str], pivot: usize) -> String {
        let r: Vec<Vec<char>> = rs.iter().map(|s| chars(s)).collect();
        vote_chars(&r, pivot).into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn each_pass_misreading_a_different_character_is_outvoted() {
        assert_eq!(
            voted(&["平台歼盖全市", "平台覆盖全市", "平台覆盖金市"], 0),
            "平台覆盖全市"
        );
        // an insertion one pass makes, a deletion another makes
        assert_eq!(voted(&["安人全稳定", "安全稳定", "安全稳"], 0), "安全稳定");
        // no majority: the pivot stays
        assert_eq!(voted(&["甲乙", "甲丙", "甲丁"], 0), "甲乙");
    }

    fn word(text: &str, x0: f64, line: (u32, u32, u32)) -> OcrWord {
        OcrWord {
            text: text.to_string(),
            bbox: BBox::new(x0, 10.0, x0 + 10.0 * text.chars().count() as f64, 30.0),
            conf: 0.9,
            line,
            chars: Vec::new(),
        }
    }

    #[test]
    fn lines_are_matched_by_region_and_position_and_keep_the_pivot_boxes() {
        let a = vec![
            word("随着业务量", 0.0, (1, 1, 1)),
            word("持续增长", 60.0, (1, 1, 1)),
        ];
        let b = vec![word("随着业务量持续增长", 0.0, (1, 2, 1))];
        let c = vec![
            word("随着业务量", 0.0, (1, 1, 1)),
            word("蔡位增长", 60.0, (1, 1, 1)),
        ];
        let v = vote_words(&[c, a.clone(), b]);
        let text: String = v.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(text, "随着业务量持续增长");
        // a pass's line in another region is not matched
        let far = vec![word("随着业务量蔡位增长", 0.0, (1001, 1, 1))];
        let v = vote_words(&[a.clone(), far.clone(), far]);
        let text: String = v.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(text, "随着业务量持续增长");
    }
}
