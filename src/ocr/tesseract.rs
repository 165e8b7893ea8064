//! Tesseract through its command line: an image in, TSV word boxes out,
//! parsed here ([`parse_tsv`]) and turned into [`Glyph`]s ([`words_to_glyphs`]).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::geom::{BBox, Glyph};

/// One recognized word, in pixels of the image OCR saw (or points, after
/// [`OcrWord::scaled`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    pub bbox: BBox,
    /// Tesseract's confidence, 0..1.
    pub conf: f64,
    /// (block, paragraph, line) numbers: words of one line share it.
    pub line: (u32, u32, u32),
}

impl OcrWord {
    /// Box multiplied by `k` and shifted by (`dx`, `dy`) (after scaling).
    pub fn scaled(&self, k: f64, dx: f64, dy: f64) -> OcrWord {
        let b = &self.bbox;
        OcrWord {
            bbox: BBox::new(
                b.x0 * k + dx,
                b.top * k + dy,
                b.x1 * k + dx,
                b.bottom * k + dy,
            ),
            ..self.clone()
        }
    }
}

/// Parses `tesseract … tsv` output: the level-5 (word) rows with text.
pub fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    let mut out = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let text = f[11..].join("\t").trim().to_string();
        if text.is_empty() {
            continue;
        }
        let n = |i: usize| f[i].trim().parse::<f64>().unwrap_or(0.0);
        let (left, top, w, h) = (n(6), n(7), n(8), n(9));
        let conf = n(10).clamp(0.0, 100.0) / 100.0;
        let u = |i: usize| f[i].trim().parse::<u32>().unwrap_or(0);
        out.push(OcrWord {
            text,
            bbox: BBox::new(left, top, left + w, top + h),
            conf,
            line: (u(2), u(3), u(4)),
        });
    }
    out
}

/// Words to glyphs: each word's box split evenly among its characters.
/// Tesseract's order is trusted over its boxes: within a line, a word
/// starts no earlier than the previous word ends (overlapping boxes
/// would otherwise shuffle characters when glyphs are sorted by x), and
/// every glyph of a line gets the line's median word height, centred on
/// the line's median word centre, so a line stays one line (single small
/// characters such as `、` would otherwise get boxes of their own).
/// Font size = that height.
pub fn words_to_glyphs(words: &[OcrWord]) -> Vec<Glyph> {
    use std::collections::HashMap;
    type Heights = (Vec<f64>, Vec<f64>);
    let mut per_line: HashMap<(u32, u32, u32), Heights> = HashMap::new();
    for w in words {
        let e = per_line.entry(w.line).or_default();
        e.0.push(w.bbox.height());
        e.1.push((w.bbox.top + w.bbox.bottom) / 2.0);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let line_box: HashMap<_, (f64, f64)> = per_line
        .into_iter()
        .map(|(k, (h, c))| (k, (median(h), median(c))))
        .collect();
    let mut out = Vec::new();
    let mut prev: Option<((u32, u32, u32), f64)> = None;
    for (wi, w) in words.iter().enumerate() {
        let chars: Vec<char> = w.text.chars().filter(|c| !c.is_whitespace()).collect();
        if chars.is_empty() {
            continue;
        }
        let (h, cy) = line_box[&w.line];
        let h = h.max(1.0);
        // Tesseract's boxes of multi-character words are often far too
        // wide (`同名` spanning the next three words): a word ends where
        // the next word of its line starts, and starts no earlier than the
        // previous one ended.
        let mut x1 = w.bbox.x1;
        if let Some(next) = words.get(wi + 1)
            && next.line == w.line
            && next.bbox.x0 > w.bbox.x0
        {
            x1 = x1.min(next.bbox.x0);
        }
        let mut x0 = w.bbox.x0;
        if let Some((line, end)) = prev
            && line == w.line
            && end < x1
        {
            x0 = x0.max(end);
        }
        prev = Some((w.line, x1));
        let step = (x1 - x0) / chars.len() as f64;
        for (i, &ch) in chars.iter().enumerate() {
            let gx = x0 + step * i as f64;
            out.push(Glyph {
                ch,
                bbox: BBox::new(gx, cy - h / 2.0, gx + step, cy + h / 2.0),
                size: h,
            });
        }
    }
    out
}

/// Drops what is most likely noise read as text: words of ruling-line
/// remnants (`|`, `丨`), and a lone low-confidence character far from
/// every other word of its line (or alone on it).
pub fn drop_noise(words: Vec<OcrWord>) -> Vec<OcrWord> {
    let near_other = |i: usize, w: &OcrWord| {
        let h = w.bbox.height().max(1.0);
        words.iter().enumerate().any(|(j, o)| {
            j != i
                && o.line == w.line
                && (o.bbox.x0 - w.bbox.x1).max(w.bbox.x0 - o.bbox.x1) < 1.5 * h
        })
    };
    let keep: Vec<bool> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let t: Vec<char> = w.text.chars().collect();
            // rule remnants: bars whatever their neighbours
            if t.iter().all(|c| matches!(c, '|' | '丨' | '!' | '_')) && t.len() <= 2 && w.conf < 0.8
            {
                return false;
            }
            // dashes and dots: noise when alone, but a full stop or a comma
            // right after the text of its line is punctuation
            if t.iter()
                .all(|c| matches!(c, '-' | '—' | '一' | '.' | '。' | ','))
                && t.len() <= 2
                && w.conf < 0.8
                && !near_other(i, w)
            {
                return false;
            }
            // a doubtful quote or comma opening or closing a line: the
            // remnant of a ruling line or a speck
            let first = i == 0 || words[i - 1].line != w.line;
            let last = words.get(i + 1).is_none_or(|n| n.line != w.line);
            if t.len() == 1
                && w.conf < 0.7
                && ((first
                    && matches!(t[0], '“' | '”' | '"' | '\'' | '‘' | '’' | ',' | '，' | '、'))
                    || (last && matches!(t[0], '“' | '"' | '\'' | '‘' | ',' | '、')))
            {
                return false;
            }
            t.len() > 1 || w.conf >= 0.6 || near_other(i, w)
        })
        .collect();
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

/// Runs `tesseract IMAGE stdout -l LANG --psm PSM tsv` on a PGM image
/// (given as bytes, passed through a temporary file) and returns its TSV.
/// `Err` carries a reason: the binary missing, or its failure.
pub fn run_tsv(
    tesseract: &Path,
    pgm: &[u8],
    lang: &str,
    psm: u32,
    extra: &[&str],
) -> Result<String, String> {
    let dir = std::env::temp_dir();
    let tmp = dir.join(format!(
        "shenbao-ocr-{}-{:?}-{}.pgm",
        std::process::id(),
        std::thread::current().id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(pgm))
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let out = Command::new(tesseract)
        .arg(&tmp)
        .arg("stdout")
        .args(["-l", lang, "--psm", &psm.to_string()])
        .args(extra)
        .arg("tsv")
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .output();
    let _ = std::fs::remove_file(&tmp);
    let out = out.map_err(|e| format!("cannot run {}: {e}", tesseract.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            tesseract.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "tesseract wrote non-UTF-8 output".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
4\t1\t1\t1\t1\t0\t10\t10\t80\t20\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t90.5\t项目\n\
5\t1\t1\t1\t1\t2\t60\t14\t10\t10\t80\t、\n\
5\t1\t1\t1\t1\t3\t80\t10\t10\t20\t50\t \n";

    #[test]
    fn tsv_words_and_glyphs() {
        let w = parse_tsv(TSV);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "项目");
        assert!((w[0].conf - 0.905).abs() < 1e-9);
        let g = words_to_glyphs(&w);
        let s: String = g.iter().map(|g| g.ch).collect();
        assert_eq!(s, "项目、");
        assert_eq!(g[0].bbox, BBox::new(10.0, 10.0, 30.0, 30.0));
        assert_eq!(g[1].bbox, BBox::new(30.0, 10.0, 50.0, 30.0));
        // the small 、 gets the line's height and centre
        assert_eq!(g[2].bbox.height(), 20.0);
        assert_eq!(g[2].bbox.top, 10.0);
        assert_eq!(g[2].size, 20.0);
    }
}
