//! The repair stage: placed fields in, placed fields out
//! ([`repair_fields`]: [`FormFields`] → [`FormFields`], with its own
//! `ocr_repaired` warnings in [`FormFields::repairs`]). It runs on forms
//! holding a page read by OCR, and repairs OCR text by what the form
//! guarantees (the labels themselves were snapped in the layout stage,
//! [`crate::layout::snap_labels`]):
//!
//! * [`fix_options`]: the 项目类型 / 资金用途 cells rebuilt from the options
//!   recognized fuzzily, with the box OCR reads after each (`口` for □; a
//!   dark glyph such as `国` for ■).
//! * [`fix_value`]: characters OCR confuses in amounts, dates and numeric
//!   targets (`O`→`0`, `l`/`I`/`丨`→`1`, `。`→`.`, …), by the field's
//!   value shape.
//! * [`fix_text`]: punctuation in free text that the `chi_sim` model
//!   cannot write. Its character set (`combine_tessdata -u`, file
//!   `lstm-unicharset`) has no full-width `：；（）？！－`, so it writes
//!   `:;()?!` and `一` for them; and it reads the 六角括号 of a document
//!   number (`国发〔2016〕55号`) as `[`, `【` or `]`. Each rule is tied
//!   to the context that decides it: a CJK neighbour, a document-number
//!   shape, digits on both sides. Characters are never guessed otherwise.

use std::sync::LazyLock;

use regex::Regex;

use crate::layout::CellRef;
use crate::place::map::{FieldValue, FormFields};
use crate::record::Warning;
use crate::template::{Shape, Template};
use crate::text::similarity;
use crate::text::{is_cjk, normal_operator, strip_whitespace};
use crate::warning::WarningCode;

/// How close an OCR reading must be to a text the form guarantees to take
/// it. Each is a [`similarity`]: 1 − edit distance / the longer length,
/// white space ignored (0.6 allows two characters wrong in five).
#[derive(Debug, Clone, PartialEq)]
pub struct RepairSettings {
    /// An option of a 项目类型/资金用途 cell is recognized in OCR text at
    /// least this similar ([`fix_options`]); the best match wins. Default
    /// 0.6, as labels: options are a closed list too, and one field's
    /// options are at most 0.71 alike (其他一次性项目, 其他经常性项目).
    pub min_option_similarity: f64,
    /// A level-1/level-2 cell at least this similar to a known level name
    /// of four characters or more ([`crate::template::IndicatorValues::level_names`])
    /// is snapped to it, with a warning. Default 0.8, one character off in
    /// five: the names are open text (a form may bring a new one, which
    /// must survive), and known names are at most 0.75 alike (数量目标,
    /// 质量目标), so a reading this close is no other known name.
    pub min_level_similarity: f64,
}

impl Default for RepairSettings {
    fn default() -> Self {
        RepairSettings {
            min_option_similarity: 0.6,
            min_level_similarity: 0.8,
        }
    }
}

const JUNK: &[char] = &[
    '“', '”', '"', '\'', '‘', '’', '`', '|', ',', '，', '.', '。', '、',
];

/// Rebuilds an option cell's text: `option□option■…` from OCR text, the
/// boxes known by the template's OCR readings of them
/// ([`Template::ocr_checkbox`]).
pub fn fix_options(
    text: &str,
    options: &[String],
    t: &Template,
    settings: &RepairSettings,
) -> String {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && !JUNK.contains(c))
        .collect();
    let mut out = String::new();
    let mut seg: Vec<char> = Vec::new();
    let best = |s: &[char]| -> Option<(String, usize)> {
        // the option best matching a suffix of `s`: (option, suffix length)
        options
            .iter()
            .filter_map(|o| {
                let n = o.chars().count();
                (n.saturating_sub(2)..=n + 2)
                    .filter(|&l| l > 0 && l <= s.len())
                    .map(|l| {
                        let suf: String = s[s.len() - l..].iter().collect();
                        (similarity(&suf, o), l)
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(sim, l)| (sim, o.clone(), l))
            })
            .filter(|(sim, _, _)| *sim >= settings.min_option_similarity)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, o, l)| (o, l))
    };
    let flush = |seg: &[char], mark: Option<char>, out: &mut String| {
        let mut rest = seg;
        let mut parts = Vec::new();
        let mut mark = mark;
        while !rest.is_empty() {
            match best(rest) {
                Some((o, l)) => {
                    parts.push((o, mark.take()));
                    rest = &rest[..rest.len() - l];
                }
                None => break,
            }
        }
        if !rest.is_empty() && parts.is_empty() {
            out.extend(rest.iter());
            if let Some(m) = mark {
                out.push(m);
            }
            return;
        }
        for (o, m) in parts.into_iter().rev() {
            out.push_str(&o);
            if let Some(m) = m {
                out.push(m);
            }
        }
    };
    for &c in &chars {
        let mark = t
            .ocr_checkbox(c)
            .map(|ticked| if ticked { '■' } else { '□' });
        match mark {
            Some(m) if !seg.is_empty() => {
                flush(&seg, Some(m), &mut out);
                seg.clear();
            }
            Some(_) => {}
            None => seg.push(c),
        }
    }
    if !seg.is_empty() {
        flush(&seg, None, &mut out);
    }
    out
}

/// Whether `c` belongs to Chinese text: a CJK character
/// ([`crate::text::is_cjk`]) or a curly quote (`“”‘’`, which Chinese text
/// uses for its quotation marks).
fn in_chinese_text(c: char) -> bool {
    is_cjk(c) || matches!(c, '“' | '”' | '‘' | '’')
}

/// The full-width form of the ASCII punctuation `chi_sim` writes for it.
fn full_width_punct(c: char) -> Option<char> {
    Some(match c {
        ':' => '：',
        ';' => '；',
        '(' => '（',
        ')' => '）',
        '?' => '？',
        '!' => '！',
        _ => return None,
    })
}

/// A document number's bracketed year, `X2016Y55号`, with X and Y any of
/// the brackets OCR reads for `〔` and `〕` (`Y` also read as `1`, `l` or
/// `|`), and a stray mark the closing bracket may leave before the serial
/// number (`]j55号`: nothing but the number stands there in a document
/// number). Searched in the text with white space removed.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\[［【〔(（〈{](?:19|20)[0-9]{2}(?<close>[\]］】〕)）〉}1l|])(?<stray>[jJi|'`.])?[0-9]+号",
    )
    .expect("a valid regex")
});

/// Punctuation repairs of free text read by OCR (see the module docs):
/// * `〔YYYY〕N号`: a bracketed year followed by a number and `号`
///   (a document number, brackets per GB/T 9704) gets `〔〕`, and a
///   stray mark between `〕` and the number (`]j55号`) is dropped;
/// * `:;()?!` next to a CJK character become `：；（）？！`;
/// * an opening `〈` closed by `）` (or `（` closed by `〉`) is a pair of
///   `（）` (the model has `〈〉` but no `（）`);
/// * `一` between two digits is `－` (`2020一2022年`);
/// * spaces between two CJK characters are dropped (word gaps of OCR);
/// * a `“…”` inside an open `“` is `‘…’` (the model has no `‘’`).
///
/// Line breaks and spaces are kept.
pub fn fix_text(text: &str) -> String {
    let mut c: Vec<char> = text.chars().collect();
    // document numbers, looked for with spaces (OCR word gaps) skipped
    let at: Vec<usize> = (0..c.len()).filter(|&i| !c[i].is_whitespace()).collect();
    let dense: String = at.iter().map(|&i| c[i]).collect();
    // the index in `c` of the character at a byte offset of `dense`
    let starts: Vec<usize> = dense.char_indices().map(|(b, _)| b).collect();
    let index = |byte: usize| at[starts.partition_point(|&s| s < byte)];
    let mut drop = Vec::new();
    for m in DOC_NUMBER.captures_iter(&dense) {
        let (Some(open), Some(close)) = (m.get(0), m.name("close")) else {
            continue;
        };
        c[index(open.start())] = '〔';
        c[index(close.start())] = '〕';
        drop.extend(m.name("stray").map(|g| index(g.start())));
    }
    for k in drop.into_iter().rev() {
        c.remove(k);
    }
    // spaces between CJK characters: gaps between OCR words (Chinese
    // text puts none there)
    let c: Vec<char> = c
        .iter()
        .enumerate()
        .filter(|&(i, &ch)| {
            !(ch == ' '
                && c[..i]
                    .iter()
                    .rev()
                    .find(|x| **x != ' ')
                    .is_some_and(|p| in_chinese_text(*p))
                && c[i + 1..]
                    .iter()
                    .find(|x| **x != ' ')
                    .is_some_and(|n| in_chinese_text(*n)))
        })
        .map(|(_, &ch)| ch)
        .collect();
    let mut c = c;
    let neighbour = |c: &[char], i: usize, step: isize| {
        let mut k = i as isize + step;
        while k >= 0 && (k as usize) < c.len() && c[k as usize] == ' ' {
            k += step;
        }
        (k >= 0 && (k as usize) < c.len()).then(|| c[k as usize])
    };
    for i in 0..c.len() {
        if let Some(f) = full_width_punct(c[i])
            && (neighbour(&c, i, -1).is_some_and(in_chinese_text)
                || neighbour(&c, i, 1).is_some_and(in_chinese_text))
        {
            c[i] = f;
        }
        if c[i] == '一'
            && i > 0
            && c[i - 1].is_ascii_digit()
            && c.get(i + 1).is_some_and(|d| d.is_ascii_digit())
        {
            c[i] = '－';
        }
    }
    // quotes inside quotes are single (GB/T 15834); the model has no
    // ‘’ and writes “” for them
    let mut depth = 0;
    for ch in c.iter_mut() {
        match *ch {
            '“' if depth == 0 => depth = 1,
            '“' => {
                *ch = '‘';
                depth = 2;
            }
            '”' if depth == 2 => {
                *ch = '’';
                depth = 1;
            }
            '”' => depth = 0,
            _ => {}
        }
    }
    // bracket pairs of mixed kinds
    let mut open: Option<usize> = None;
    for i in 0..c.len() {
        match c[i] {
            '〈' | '（' => open = Some(i),
            '）' | '〉' => {
                if let Some(o) = open.take()
                    && c[o] != if c[i] == '）' { '（' } else { '〈' }
                {
                    c[o] = '（';
                    c[i] = '）';
                }
            }
            _ => {}
        }
    }
    c.into_iter().collect()
}

/// [`fix_text`] on a cell's text, its wrapped lines read as one text
/// (a bracket may open on one line and close on the next); the rules
/// keep line breaks, so the lines map back one to one.
fn fix_text_cell(c: &mut CellRef) {
    let fixed = fix_text(&c.text());
    for (l, t) in c.lines.iter_mut().zip(fixed.split('\n')) {
        l.text = t.to_string();
    }
}

/// What a value must look like, for [`fix_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueShape {
    /// An amount of money.
    Money,
    /// A date.
    Date,
    /// An indicator target: only fixed when it is numeric (`≥90%`).
    Target,
}

fn digitish(c: char) -> Option<char> {
    Some(match c {
        '0'..='9' => c,
        'O' | 'o' | 'D' | '〇' | 'Q' => '0',
        'l' | 'I' | '|' | '丨' | 'i' | '!' | ']' | '[' => '1',
        'S' | 's' => '5',
        'B' => '8',
        'Z' | 'z' => '2',
        _ => return None,
    })
}

/// Repairs OCR confusions in a value of the given shape (see module docs).
pub fn fix_value(text: &str, shape: ValueShape) -> String {
    let s = strip_whitespace(&crate::normalize::fold_width(text));
    match shape {
        ValueShape::Money => {
            let mut t: String = s
                .chars()
                .filter_map(|c| match c {
                    '。' | '·' => Some('.'),
                    '，' | '、' => Some(','),
                    '元' => None,
                    c => digitish(c).or(Some(c)),
                })
                .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .collect();
            // `.` and `,` confused: a last separator followed by two
            // digits (fen, `.37`) or by four or more (the places of an
            // amount in 万元, `.7995`: no group of thousands) is a decimal
            // point, every other one groups thousands (one digit after it
            // may be a group cut short: left for the parser to refuse)
            let groups: Vec<&str> = t.split([',', '.']).collect();
            if groups.len() > 1 {
                let last = groups[groups.len() - 1];
                let (int, dec) = if last.len() == 2 || last.len() >= 4 {
                    (&groups[..groups.len() - 1], Some(last))
                } else {
                    (&groups[..], None)
                };
                // a separator OCR dropped (`1485,000`): the first group
                // too long, every later one of three digits; the digits
                // are all there, so they are regrouped (and the repair
                // warned about, and the funding sum checks it)
                let dropped =
                    int.len() > 1 && int[0].len() > 3 && int[1..].iter().all(|g| g.len() == 3);
                let int = if dropped {
                    group_thousands(&int.concat())
                } else {
                    int.join(",")
                };
                t = match dec {
                    Some(d) => format!("{int}.{d}"),
                    None => int,
                };
            }
            t
        }
        ValueShape::Date => repair_date(
            // a speck after the date read as a full stop (`2019/1/1.`)
            s.chars()
                .filter_map(|c| match c {
                    '/' | '-' | '.' | '年' | '月' | '日' => Some(c),
                    c => digitish(c),
                })
                .collect::<String>()
                .trim_end_matches(['.', '-', '/']),
        ),
        ValueShape::Target => {
            // numeric: digits, at most one op-like char before them, a unit
            // of at most 3 chars after
            let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
            let first_digit = s.chars().position(|c| c.is_ascii_digit());
            if digits == 0 || first_digit.is_none_or(|p| p > 1) {
                return text.to_string();
            }
            let mut t: String = s
                .chars()
                .enumerate()
                .map(|(i, c)| match (i, normal_operator(c)) {
                    // a sign's variants to its normal form (chi_sim has
                    // neither `≥` nor `≤`: misread ones are restored from
                    // their ink, `symbols.rs`)
                    (0, Some(op)) => op,
                    _ => digitish(c).unwrap_or(c),
                })
                .collect();
            // junk read after a percent sign (`100%0`, `100%46`)
            if let Some(p) = t.find('%') {
                t.truncate(p + 1);
            }
            // `%` read as `9%`, `0%` or `96`: a percentage above 100 whose
            // last digit is that misreading (`1009%`, `≥909%`, `10096`)
            let op_len = t
                .chars()
                .take_while(|c| !c.is_ascii_digit())
                .map(char::len_utf8)
                .sum::<usize>();
            let (op, body) = t.split_at(op_len);
            let fixed = body
                .strip_suffix("9%")
                .or_else(|| body.strip_suffix("0%"))
                .or_else(|| body.strip_suffix("96"))
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty())
                .filter(|n| n.parse::<u32>().is_ok_and(|v| v <= 100));
            match fixed {
                Some(n)
                    if body
                        .trim_end_matches('%')
                        .parse::<u64>()
                        .is_ok_and(|v| v > 100) =>
                {
                    format!("{op}{n}%")
                }
                _ => t,
            }
        }
    }
}

/// `1485000` → `1,485,000`.
fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Slashes of `Y/M/D` that OCR lost or read as `1`: `201911` → `2019/1/1`,
/// `2020/12/131` → `2020/12/31`. Only when the result is a valid date and
/// the input is not already one.
///
/// A hand parser, not a regex: the lost slashes are repaired only when
/// exactly one way of splitting the digits gives a valid month and day,
/// which needs every split tried and counted.
fn repair_date(s: &str) -> String {
    let valid = |m: u32, d: u32| (1..=12).contains(&m) && (1..=31).contains(&d);
    let parts: Vec<&str> = s.split('/').collect();
    let num = |p: &str| p.parse::<u32>().ok();
    if parts.len() == 3 && parts[0].len() == 4 {
        if let (Some(m), Some(d)) = (num(parts[1]), num(parts[2])) {
            if valid(m, d) {
                return s.to_string();
            }
            // a slash read as `1` before the day
            if let Some(rest) = parts[2].strip_prefix('1')
                && num(rest).is_some_and(|d| valid(m, d))
            {
                return format!("{}/{}/{}", parts[0], parts[1], rest);
            }
        }
        return s.to_string();
    }
    if parts.len() == 1 && s.len() >= 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = s.split_at(4);
        // slashes dropped: M and D of one digit each, or MMDD
        let cands: Vec<(u32, u32)> = (1..rest.len())
            .filter_map(|k| Some((num(&rest[..k])?, num(&rest[k..])?)))
            .filter(|&(m, d)| valid(m, d))
            .filter(|&(m, d)| {
                // no leading zeros dropped or invented
                m.to_string().len() + d.to_string().len() == rest.len()
            })
            .collect();
        if cands.len() == 1 {
            return format!("{y}/{}/{}", cands[0].0, cands[0].1);
        }
    }
    s.to_string()
}

fn repaired(field: &str, old: &str, new: &str) -> Warning {
    Warning::new(
        field,
        WarningCode::OcrRepaired,
        format!("OCR read {:?}, repaired to {new:?}", strip_whitespace(old)),
    )
}

fn fix_cells(cells: &mut [CellRef], shape: ValueShape, field: &str, warnings: &mut Vec<Warning>) {
    for c in cells {
        let text = c.text();
        let fixed = fix_value(&text, shape);
        if fixed != text && fixed != strip_whitespace(&text) {
            if fixed != strip_whitespace(&crate::normalize::fold_width(&text)) {
                warnings.push(repaired(field, &text, &fixed));
            }
            c.set_text(&fixed);
        }
    }
}

/// Snaps a level-1/level-2 cell's OCR reading to one of the template's
/// level names ([`crate::template::IndicatorValues::level_names`]) when it
/// is very close (one character off in five or more), so a new name
/// survives.
fn snap_level(
    c: &mut CellRef,
    names: &[String],
    min_similarity: f64,
    field: &str,
    warnings: &mut Vec<Warning>,
) {
    let text = strip_whitespace(&c.text());
    let junk: &[char] = &['、', '，', ',', '。', '.', '“', '”', '|'];
    let trimmed = text.trim_matches(junk);
    if names.iter().any(|n| n == trimmed) {
        if trimmed != text {
            c.set_text(trimmed);
        }
        return;
    }
    if let Some(best) = names
        .iter()
        .map(|n| (similarity(n, trimmed), n))
        .filter(|(s, n)| *s >= min_similarity && n.chars().count() >= 4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
    {
        warnings.push(repaired(field, &text, best.1));
        c.set_text(best.1);
    }
}

/// The repair stage: on a form holding a page read by OCR, the repairs of
/// [`fix_fields`], their warnings kept in [`FormFields::repairs`]. A form
/// read from text layers only is left as it is.
pub fn repair_fields(f: &mut FormFields, t: &Template, s: &RepairSettings) {
    if !f.ocr.is_empty() {
        f.repairs = fix_fields(f, t, s);
    }
}

/// Applies [`fix_options`] and [`fix_value`] to a form's fields by their
/// template shape. Returns an `ocr_repaired` warning for every value
/// changed beyond white space and width (option cells and labels aside).
pub fn fix_fields(f: &mut FormFields, t: &Template, s: &RepairSettings) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for hit in &mut f.hits {
        let Some(spec) = t.fields.iter().find(|s| s.key == hit.key) else {
            continue;
        };
        let shape = match spec.shape {
            Shape::Money => Some(ValueShape::Money),
            Shape::Date => Some(ValueShape::Date),
            _ => None,
        };
        let free_text = matches!(spec.shape, Shape::Line | Shape::Paragraphs);
        match &mut hit.value {
            FieldValue::Cells { cells } => {
                if let Some(shape) = shape {
                    fix_cells(cells, shape, &hit.key, &mut warnings);
                } else if free_text {
                    cells.iter_mut().for_each(fix_text_cell);
                } else if spec.shape == Shape::Option {
                    for c in cells.iter_mut() {
                        let fixed = fix_options(&c.text(), &spec.options, t, s);
                        c.set_text(&fixed);
                    }
                }
            }
            FieldValue::Inline { text, .. } => {
                if let Some(shape) = shape {
                    let fixed = fix_value(text, shape);
                    if fixed != strip_whitespace(&crate::normalize::fold_width(text)) {
                        warnings.push(repaired(&hit.key, text, &fixed));
                    }
                    *text = fixed;
                } else if free_text {
                    *text = fix_text(text);
                } else if spec.shape == Shape::Option {
                    *text = fix_options(text, &spec.options, t, s);
                }
            }
            FieldValue::Funding { rows } => {
                for (i, r) in rows.iter_mut().enumerate() {
                    if let Some(n) = &mut r.name {
                        fix_text_cell(n);
                    }
                    if let Some(a) = &mut r.amount {
                        let field = format!("{}[{i}]", hit.key);
                        fix_cells(
                            std::slice::from_mut(a),
                            ValueShape::Money,
                            &field,
                            &mut warnings,
                        );
                    }
                }
            }
            FieldValue::Indicators { rows } => {
                for (i, r) in rows.iter_mut().enumerate() {
                    let field = format!("{}[{i}]", hit.key);
                    if let Some(n) = &mut r.level3 {
                        fix_text_cell(n);
                    }
                    if let Some(a) = &mut r.target {
                        fix_text_cell(a);
                        fix_cells(
                            std::slice::from_mut(a),
                            ValueShape::Target,
                            &field,
                            &mut warnings,
                        );
                    }
                    for l in [&mut r.level1, &mut r.level2].into_iter().flatten() {
                        let names = &t.indicator_values.level_names;
                        snap_level(l, names, s.min_level_similarity, &field, &mut warnings);
                    }
                    if let Some(n) = &mut r.remark {
                        fix_text_cell(n);
                    }
                }
            }
            FieldValue::Rows { rows } => {
                for c in rows.iter_mut().flatten().flatten() {
                    fix_text_cell(c);
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests;
