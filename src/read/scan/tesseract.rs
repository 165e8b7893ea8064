//! Tesseract through its command line: an image in, word and character
//! boxes out (hOCR with `hocr_char_boxes`, parsed by [`parse_hocr`]; the
//! TSV format has no character boxes), turned into [`Glyph`]s
//! ([`words_to_glyphs`]).

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::geom::{BBox, Glyph};
pub use crate::geom::{OcrChar, OcrWord};
use crate::text::{is_ideograph, strip_whitespace};

impl OcrWord {
    /// Box multiplied by `k` and shifted by (`dx`, `dy`) (after scaling).
    pub fn scaled(&self, k: f64, dx: f64, dy: f64) -> OcrWord {
        let sc = |b: &BBox| {
            BBox::new(
                b.x0 * k + dx,
                b.top * k + dy,
                b.x1 * k + dx,
                b.bottom * k + dy,
            )
        };
        OcrWord {
            bbox: sc(&self.bbox),
            chars: self
                .chars
                .iter()
                .map(|c| OcrChar {
                    bbox: sc(&c.bbox),
                    ..c.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}

/// The numbers after `key ` in an hOCR title (`bbox 1 2 3 4; x_wconf 96`).
fn title_numbers(title: &str, key: &str) -> Vec<f64> {
    title
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(key)?.strip_prefix(' '))
        .map(|v| {
            v.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn bbox_of(v: &[f64]) -> Option<BBox> {
    (v.len() == 4).then(|| BBox::new(v[0], v[1], v[2], v[3]))
}

/// Parses `tesseract … -c hocr_char_boxes=1 hocr` output (XHTML, read
/// with quick-xml): words with their boxes, confidences and characters,
/// lines numbered in reading order (`line = (0, 0, n)`). What cannot be
/// parsed ends the reading there (the words before it are kept).
pub fn parse_hocr(html: &str) -> Vec<OcrWord> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(html);
    let mut out: Vec<OcrWord> = Vec::new();
    let mut line = 0u32;
    // the open `ocrx_cinfo` span: its title and its text so far
    let mut cinfo: Option<(String, String)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let (class, title) = class_and_title(&e);
                match class.as_str() {
                    "ocr_line" | "ocr_caption" | "ocr_textfloat" | "ocr_header" => line += 1,
                    "ocrx_word" => out.extend(word(&title, line)),
                    "ocrx_cinfo" => cinfo = Some((title, String::new())),
                    _ => {}
                }
            }
            Ok(Event::Empty(e)) => {
                let (class, title) = class_and_title(&e);
                if class == "ocrx_word" {
                    out.extend(word(&title, line));
                }
            }
            Ok(Event::Text(t)) => {
                if let (Some((_, text)), Ok(t)) = (&mut cinfo, t.unescape()) {
                    text.push_str(&t);
                }
            }
            Ok(Event::End(_)) => {
                if let (Some((title, text)), Some(w)) = (cinfo.take(), out.last_mut()) {
                    push_char(w, &title, text.trim());
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out.retain(|w| !w.text.is_empty());
    out
}

/// An element's `class` and `title` attributes (empty when absent).
fn class_and_title(e: &quick_xml::events::BytesStart<'_>) -> (String, String) {
    let attr = |name: &[u8]| {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
            .unwrap_or_default()
    };
    (attr(b"class"), attr(b"title"))
}

/// A word from its `ocrx_word` title (`bbox …; x_wconf …`), its text and
/// characters to come.
fn word(title: &str, line: u32) -> Option<OcrWord> {
    let bbox = bbox_of(&title_numbers(title, "bbox"))?;
    let conf = title_numbers(title, "x_wconf")
        .first()
        .copied()
        .unwrap_or(0.0);
    Some(OcrWord {
        text: String::new(),
        bbox,
        conf: conf.clamp(0.0, 100.0) / 100.0,
        line: (0, 0, line),
        chars: Vec::new(),
    })
}

/// Adds one `ocrx_cinfo` character (`x_bboxes …; x_conf …`) to its word.
fn push_char(w: &mut OcrWord, title: &str, text: &str) {
    let Some(bbox) = bbox_of(&title_numbers(title, "x_bboxes")) else {
        return;
    };
    if text.is_empty() {
        return;
    }
    let conf = title_numbers(title, "x_conf")
        .first()
        .copied()
        .unwrap_or(0.0);
    w.text.push_str(text);
    w.chars.push(OcrChar {
        ch: text.to_string(),
        bbox,
        conf: conf.clamp(0.0, 100.0) / 100.0,
    });
}

/// One glyph read as several characters, one of them `%`: the LSTM model
/// reads a percent sign of some fonts as `9%0`, `9%6` or `%%` (its rings
/// as digits). The signature is a `%` followed by a digit or a second `%`
/// whose box overlaps it (nothing follows a real `%` that way). That
/// overlapping tail, and a character before the `%` whose box overlaps
/// it by a third of the narrower box, are parts of the one `%`. Character
/// boxes of running text overlap a little anyway, so nothing is merged
/// without the tail.
pub fn merge_split_percent(w: &mut OcrWord) {
    let overlaps = |a: &BBox, b: &BBox| {
        let ov = a.x1.min(b.x1) - a.x0.max(b.x0);
        ov > 0.0 && ov >= (a.width().min(b.width())) / 3.0
    };
    let tail = |c: &OcrChar| c.ch == "%" || c.ch.chars().all(|d| d.is_ascii_digit());
    let mut i = 0;
    while i < w.chars.len() {
        if w.chars[i].ch != "%" {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < w.chars.len()
            && tail(&w.chars[end])
            && overlaps(&w.chars[end - 1].bbox, &w.chars[end].bbox)
        {
            end += 1;
        }
        if end == i + 1 {
            i += 1;
            continue;
        }
        let start = if i > 0 && overlaps(&w.chars[i - 1].bbox, &w.chars[i].bbox) {
            i - 1
        } else {
            i
        };
        let run = &w.chars[start..end];
        let merged = OcrChar {
            ch: "%".to_string(),
            bbox: BBox::union_all(run.iter().map(|c| &c.bbox)).unwrap_or_default(),
            conf: run.iter().map(|c| c.conf).fold(1.0, f64::min),
        };
        w.chars.splice(start..end, [merged]);
        w.text = w.chars.iter().map(|c| c.ch.as_str()).collect();
        i = start + 1;
    }
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
        let chars: Vec<char> = strip_whitespace(&w.text).chars().collect();
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
            // a lone ideograph is a value (`无`, `是`), not a speck
            t.len() > 1 || w.conf >= 0.6 || near_other(i, w) || is_ideograph(t[0])
        })
        .collect();
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

/// Runs `tesseract IMAGE stdout -l LANG --psm PSM [EXTRA] FORMAT` on a PGM
/// image (given as bytes, passed through a temporary file, removed
/// whatever happens) and returns what it prints (FORMAT `tsv` or `hocr`),
/// within `deadline` ([`super::TIMED_OUT`] past it).
/// `Err` carries a reason: the binary missing, or its failure.
pub fn run_tesseract(
    tesseract: &Path,
    pgm: &[u8],
    (lang, psm): (&str, u32),
    extra: &[&str],
    format: &str,
    deadline: Option<&crate::read::pdf::Deadline>,
) -> Result<String, String> {
    let mut tmp = tempfile::Builder::new()
        .prefix("shenbao-ocr-")
        .suffix(".pgm")
        .tempfile()
        .map_err(|e| format!("cannot write a temporary image: {e}"))?;
    tmp.write_all(pgm)
        .and_then(|_| tmp.flush())
        .map_err(|e| format!("cannot write {}: {e}", tmp.path().display()))?;
    let mut cmd = Command::new(tesseract);
    cmd.arg(tmp.path())
        .arg("stdout")
        .args(["-l", lang, "--psm", &psm.to_string()])
        .args(extra)
        .arg(format)
        .env("OMP_THREAD_LIMIT", "1");
    let out = super::child::output_within(&mut cmd, None, deadline).map_err(|e| match e {
        super::child::ChildError::Spawn(e) => format!("cannot run {}: {e}", tesseract.display()),
        super::child::ChildError::TimedOut => super::TIMED_OUT.to_string(),
        super::child::ChildError::Io(e) => format!("{}: {e}", tesseract.display()),
    })?;
    drop(tmp);
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

    const HOCR: &str = "<div class='ocr_page' title='bbox 0 0 300 100'>\n\
     <span class='ocr_line' id='line_1_1' title=\"bbox 10 10 200 40; baseline 0 0\">\n\
      <span class='ocrx_word' id='word_1_1' title='bbox 10 10 60 40; x_wconf 93'>\n\
       <span class='ocrx_cinfo' title='x_bboxes 10 10 30 40; x_conf 99.5'>减</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 32 10 60 40; x_conf 99.1'>少</span>\n\
      </span>\n\
      <span class='ocrx_word' id='word_1_2' title='bbox 62 12 120 38; x_wconf 90'>\n\
       <span class='ocrx_cinfo' title='x_bboxes 62 12 75 38; x_conf 98.9'>5</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 77 12 92 38; x_conf 98.9'>0</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 91 12 99 38; x_conf 96.4'>9</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 94 12 104 38; x_conf 89.2'>%</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 100 12 120 38; x_conf 96.5'>0</span>\n\
      </span>\n\
     </span>\n\
     <span class='ocr_line' id='line_1_2' title=\"bbox 10 50 200 80\">\n\
      <span class='ocrx_word' id='word_1_3' title='bbox 10 50 40 80; x_wconf 91'>\n\
       <span class='ocrx_cinfo' title='x_bboxes 10 50 40 80; x_conf 91'>&lt;</span>\n\
      </span>\n\
      <span class='ocrx_word' id='word_1_4' title='bbox 42 50 100 80; x_wconf 97'>\n\
       <span class='ocrx_cinfo' title='x_bboxes 42 50 55 80; x_conf 97'>9</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 57 50 70 80; x_conf 97'>0</span>\n\
       <span class='ocrx_cinfo' title='x_bboxes 72 50 98 80; x_conf 97'>%</span>\n\
      </span>\n\
     </span>\n</div>";

    #[test]
    fn hocr_words_carry_their_characters_and_lines() {
        let w = parse_hocr(HOCR);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["减少", "509%0", "<", "90%"]);
        assert_eq!(w[0].line, w[1].line);
        assert_ne!(w[1].line, w[2].line);
        assert!((w[1].conf - 0.90).abs() < 1e-9);
        assert_eq!(w[1].chars[3].bbox, BBox::new(94.0, 12.0, 104.0, 38.0));
        assert!((w[0].chars[0].conf - 0.995).abs() < 1e-9);
    }

    #[test]
    fn percent_sign_read_as_several_overlapping_characters_is_one() {
        let mut w = parse_hocr(HOCR);
        merge_split_percent(&mut w[1]);
        assert_eq!(w[1].text, "50%");
        assert_eq!(w[1].chars[2].bbox, BBox::new(91.0, 12.0, 120.0, 38.0));
        // a real 90% (side by side boxes) is left alone, and so is a `%`
        // overlapping the digit before it with nothing after it
        merge_split_percent(&mut w[3]);
        assert_eq!(w[3].text, "90%");
        let mut w = parse_hocr(&HOCR.replace(
            "x_bboxes 100 12 120 38; x_conf 96.5'>0",
            "x_bboxes 100 12 120 38; x_conf 96.5'>。",
        ));
        merge_split_percent(&mut w[1]);
        assert_eq!(w[1].text, "509%。");
    }

    #[test]
    fn words_to_glyphs_splits_words_and_sizes_small_marks_by_their_line() {
        let word = |text: &str, bbox: BBox| OcrWord {
            text: text.to_string(),
            bbox,
            conf: 0.9,
            line: (1, 1, 1),
            chars: Vec::new(),
        };
        let w = [
            word("项目", BBox::new(10.0, 10.0, 50.0, 30.0)),
            word("、", BBox::new(60.0, 14.0, 70.0, 24.0)),
        ];
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
