//! Stage 2: a page's lines to blocks: header lines, option lines,
//! paragraphs, and the labels and values of the other lines
//! ([`page_to_blocks`]); pages to forms ([`blocks_to_forms`]).

use super::*;
use crate::template::{Term, Vocabulary};

/// A column header cell of a sub-table.
pub use crate::template::Column as HeaderCol;

/// What a piece of a page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// The form's title line.
    Title,
    /// A line holding the year.
    Year(i32),
    /// The unit line: the text after its label (may be empty).
    Unit(String),
    /// A field label (possibly wrapped over lines): the field key.
    Label(String),
    /// A column header of a sub-table.
    Header(HeaderCol),
    /// A line of options with boxes: field key and text.
    Options(String, String),
    /// Indented free text up to a blank line, wrapped lines joined.
    Paragraph(String),
    /// An amount, as printed.
    Money(String),
    /// A date, as printed.
    Date(String),
    /// An indicator target, as printed.
    Target(String),
    /// Any other text.
    Text(String),
}

/// One piece of a page, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What the piece is.
    pub kind: Kind,
    /// 1-based first and last line.
    pub line: usize,
    /// 1-based last line (inclusive).
    pub line_end: usize,
    /// Blocks with the same `row` were printed on one line.
    pub row: usize,
}

pub(super) fn is_money_shaped(t: &str) -> bool {
    let f = normalize::fold_width(t);
    let f = f.trim();
    let body = f.strip_prefix('-').unwrap_or(f);
    let (int, dec) = match body.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return false;
    }
    if let Some(d) = dec
        && (d.is_empty() || d.len() > 2 || !d.chars().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let grouped = int.contains(',');
    let plain_long = !grouped && int.len() >= 5;
    (grouped || dec.is_some() || plain_long) && parse_money(f).is_ok()
}

pub(super) fn is_date_shaped(t: &str) -> bool {
    let has_sep = t.contains(['/', '-', '.', '年']);
    // A line of running text is no date: not parsed (the parser's
    // message for a non-date costs more than the test).
    has_sep
        && t.chars().count() <= DATE_MAX_CHARS
        && !matches!(normalize::parse_date(t), DateParse::Invalid(_))
}

/// Longest token tried as a date (`2019年12月31日` is 11 characters).
const DATE_MAX_CHARS: usize = 24;

/// Whether a token reads as an indicator target: a number, a percentage,
/// a comparison (`≥90%`, `100%`, `6`, `平均减少50%`).
pub(super) fn is_target_shaped(tok: &str, t: &Template) -> bool {
    let tok = tok.trim();
    if tok.is_empty() {
        return false;
    }
    if parse_target(tok, t).is_some() || tok.starts_with(is_operator_char) {
        return true;
    }
    tok.contains(['%', '％']) && tok.chars().count() <= 12
}

/// A target glued before its indicator: operator characters, a number, a
/// percent sign, then the text.
pub(super) static SWAPPED_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    let ops: String = OPERATORS
        .iter()
        .flat_map(|(o, _)| o.chars())
        .map(|c| regex::escape(&c.to_string()))
        .collect();
    Regex::new(&format!(
        r"(?s)^(?<target>[{ops}]*[0-9.]+[%％])(?<text>.+)$"
    ))
    .expect("a valid regex")
});

/// A target printed glued before its indicator (`100%人员到位率`): the two,
/// when the text is at least two characters and holds a CJK one.
pub(super) fn split_swapped_target(t: &str) -> Option<(String, String)> {
    let c = SWAPPED_TARGET.captures(t)?;
    let text = &c["text"];
    (text.chars().count() >= 2 && text.chars().any(is_cjk))
        .then(|| (c["target"].to_string(), text.to_string()))
}

impl From<&Term> for Kind {
    fn from(t: &Term) -> Kind {
        match t {
            Term::Label(k) => Kind::Label(k.clone()),
            Term::Header(c) => Kind::Header(*c),
        }
    }
}

/// The option field whose options (or boxes) a line holds.
pub(super) fn options_field(line: &str, t: &Template) -> Option<String> {
    let key = label_key(line);
    let has_box = key.chars().any(|c| t.checkbox(c).is_some());
    let mut best: Option<(usize, &str)> = None;
    for (field, options) in &t.vocab().option_keys {
        let n = options.iter().filter(|o| key.contains(o.as_str())).count();
        if n > 0 && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, field));
        }
    }
    match best {
        Some((n, k)) if n >= 2 || has_box => Some(k.to_string()),
        _ => None,
    }
}

pub(super) enum LineKind {
    Blank,
    Title,
    Year(i32),
    Unit(String),
    Options(String),
    ParagraphStart,
    Tokens,
}

pub(super) fn line_kind(text: &str, t: &Template, v: &Vocabulary) -> LineKind {
    let trimmed = text.trim();
    if is_blank_line(trimmed) {
        return LineKind::Blank;
    }
    let key = label_key(trimmed);
    if key.contains(&v.title) {
        return LineKind::Title;
    }
    if let Some(y) = parse_year(trimmed) {
        return LineKind::Year(y);
    }
    if let Some(u) = v.units.iter().find(|u| key.starts_with(u.as_str())) {
        let rest = key[u.len()..].trim_start_matches('：');
        return LineKind::Unit(rest.to_string());
    }
    if let Some(f) = options_field(trimmed, t) {
        return LineKind::Options(f);
    }
    // An indented line is running text unless it holds cells (dumps by
    // position indent a row whose first cell is empty: `   2,270,000.00
    // 项目当年预算（元） 2,270,000.00`).
    if indent_width(text) >= 2 && !v.exact.contains_key(&key) && no_cells(trimmed, t, v) {
        return LineKind::ParagraphStart;
    }
    if is_prose(trimmed, t, v) {
        return LineKind::ParagraphStart;
    }
    LineKind::Tokens
}

/// Minimum length of an unindented line read as running text.
pub(super) const PROSE_MIN_CHARS: usize = 20;

/// Whether an unindented line is running text (dumps that drop the
/// paragraph indent): long, with sentence punctuation, and no token that is
/// a label or a value shape (so rows of cells are not taken for text).
pub(super) fn is_prose(line: &str, t: &Template, v: &Vocabulary) -> bool {
    if line.chars().count() < PROSE_MIN_CHARS
        || !line.contains(['，', '。', '；', '：', '、', ',', ';'])
    {
        return false;
    }
    no_cells(line, t, v)
}

/// Whether no token of the line is a label, an indicator level name or a
/// value shape.
pub(super) fn no_cells(line: &str, t: &Template, v: &Vocabulary) -> bool {
    !line.split_whitespace().any(|tok| {
        let k = label_key(tok);
        v.exact.contains_key(&k)
            || (v.prefixes.contains(&k) && k.chars().count() >= 4)
            || t.field_with_prefix(tok).is_some()
            || t.indicator_values.is_level_name(&k)
            || is_money_shaped(tok)
            || is_date_shaped(tok)
    })
}

/// Splits a page into blocks: header lines, option lines, paragraphs, and
/// the tokens of the other lines (labels found by the template vocabulary,
/// joined when wrapped over lines; values classified by shape).
pub fn page_to_blocks(page: &TextPage, t: &Template) -> Vec<Block> {
    let v = t.vocab();
    let lines = &page.lines;
    let kinds = line_kinds(lines, t);
    // Tokens of token lines: (line index, token).
    let mut out: Vec<Block> = Vec::new();
    let mut i = 0;
    let mut row = 0;
    // Tokens consumed from the head of a line by a wrapped label.
    let mut skip_tokens = vec![0usize; lines.len()];
    while i < lines.len() {
        let no = lines[i].no;
        let push = |out: &mut Vec<Block>, kind: Kind, line_end: usize, row: usize| {
            out.push(Block {
                kind,
                line: no,
                line_end,
                row,
            })
        };
        match &kinds[i] {
            LineKind::Blank => {
                i += 1;
                continue;
            }
            LineKind::Title => {
                push(&mut out, Kind::Title, no, row);
                // `……申报表（2019年）` on one line.
                let key = label_key(&lines[i].text);
                if let Some(rest) = key.split(v.title.as_str()).nth(1)
                    && let Some(y) = parse_year(rest)
                {
                    push(&mut out, Kind::Year(y), no, row);
                }
            }
            LineKind::Year(y) => push(&mut out, Kind::Year(*y), no, row),
            LineKind::Unit(u) => push(&mut out, Kind::Unit(u.clone()), no, row),
            LineKind::Options(f) => {
                let text = lines[i].text.trim();
                let first = text.split_whitespace().next().unwrap_or("");
                let mut rest = text;
                if let Some(Term::Label(k)) = v.exact.get(&label_key(first)) {
                    push(&mut out, Kind::Label(k.clone()), no, row);
                    rest = text[first.len()..].trim();
                }
                push(
                    &mut out,
                    Kind::Options(f.clone(), rest.to_string()),
                    no,
                    row,
                );
            }
            LineKind::ParagraphStart => {
                let mut j = i + 1;
                while j < lines.len()
                    && !matches!(
                        kinds[j],
                        LineKind::Blank
                            | LineKind::Title
                            | LineKind::Year(_)
                            | LineKind::Unit(_)
                            | LineKind::Options(_)
                    )
                    && !line_is_label(lines, &kinds, j, t)
                    && !lines[j].text.split_whitespace().any(is_money_shaped)
                {
                    j += 1;
                }
                let texts: Vec<&str> = lines[i..j].iter().map(|l| l.text.as_str()).collect();
                let end = lines[j - 1].no;
                push(
                    &mut out,
                    Kind::Paragraph(join_wrapped_lines(&texts)),
                    end,
                    row,
                );
                row += 1;
                i = j;
                continue;
            }
            LineKind::Tokens => {
                let toks: Vec<&str> = lines[i]
                    .text
                    .split_whitespace()
                    .skip(skip_tokens[i])
                    .collect();
                let joined = join_target_units(&toks, t);
                let toks: Vec<&str> = joined.iter().map(String::as_str).collect();
                let mut k = 0;
                while k < toks.len() {
                    if let Some((last, wrap, kind)) = longest_label(&toks, k, lines, &kinds, i, v) {
                        let mut end = no;
                        if let Some((j, n)) = wrap {
                            // Lines between were wholly part of the label.
                            for (m, skip) in skip_tokens.iter_mut().enumerate().take(j).skip(i + 1)
                            {
                                *skip = lines[m].text.split_whitespace().count();
                            }
                            skip_tokens[j] = n;
                            end = lines[j].no;
                        }
                        push(&mut out, kind, end, row);
                        k = last + 1;
                        continue;
                    }
                    for kind in token_kinds(toks[k], t) {
                        push(&mut out, kind, no, row);
                    }
                    k += 1;
                }
            }
        }
        row += 1;
        i += 1;
    }
    join_cut_paragraphs(out, lines)
}

/// A number and its unit printed apart (`≤30 分钟`): a token that reads
/// as a target, then a short one that the target's unit is made of, read
/// as one target (`≤30分钟`), as the number and unit of one cell.
fn join_target_units(toks: &[&str], t: &Template) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    for tok in toks {
        if let Some(prev) = out.last_mut()
            && tok.chars().count() <= UNIT_MAX_CHARS
            && tok.chars().all(is_cjk)
            && parse_target(prev, t).is_some_and(|p| p.unit.is_empty())
            && parse_target(&format!("{prev}{tok}"), t).is_some_and(|p| p.unit == *tok)
        {
            prev.push_str(tok);
            continue;
        }
        out.push(tok.to_string());
    }
    out
}

/// Longest unit word joined to the number before it.
const UNIT_MAX_CHARS: usize = 2;

/// Sentence-final marks: running text that ends without one goes on.
const SENTENCE_ENDS: [char; 8] = ['。', '；', '！', '？', '.', ';', '”', '）'];

/// A line this close to the page's longest (in characters) is a full
/// one: its text was wrapped, it did not end there.
const FULL_LINE_SHARE: f64 = 0.9;

/// Running text cut into pieces by the dumper (a box per line, blank
/// lines between): a piece whose last line is full and ends mid-sentence
/// is joined with the running text printed right after it (a paragraph,
/// or a line of text alone on its row).
fn join_cut_paragraphs(blocks: Vec<Block>, lines: &[PageLine]) -> Vec<Block> {
    let width = |no: usize| {
        lines
            .iter()
            .find(|l| l.no == no)
            .map_or(0, |l| l.text.trim().chars().count())
    };
    let longest = lines
        .iter()
        .map(|l| l.text.trim().chars().count())
        .max()
        .unwrap_or(0);
    let full = |no: usize| width(no) as f64 >= FULL_LINE_SHARE * longest as f64;
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        if let Some(prev) = out.last_mut()
            && let Kind::Paragraph(p) = &mut prev.kind
            && !p.trim_end().ends_with(SENTENCE_ENDS)
            && full(prev.line_end)
            && prev.row != b.row
        {
            let more = match &b.kind {
                Kind::Paragraph(q) | Kind::Text(q) => Some(q.clone()),
                _ => None,
            };
            if let Some(q) = more {
                p.push_str(&q);
                prev.line_end = b.line_end;
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// What one token of a line of cells is: a label glued to its value
/// (`项目名称：某项目`, two kinds), an amount, a date, a target (with the
/// text it was swapped with), or text.
fn token_kinds(tok: &str, t: &Template) -> Vec<Kind> {
    if let Some((spec, rest)) = t.field_with_prefix(tok)
        && matches!(spec.shape, Shape::Line | Shape::Money | Shape::Date)
        && !rest.is_empty()
    {
        let kind = match spec.shape {
            Shape::Money if is_money_shaped(&rest) => Kind::Money(rest),
            Shape::Date if is_date_shaped(&rest) => Kind::Date(rest),
            _ => Kind::Text(rest),
        };
        return vec![Kind::Label(spec.key.clone()), kind];
    }
    if is_money_shaped(tok) {
        vec![Kind::Money(tok.to_string())]
    } else if is_date_shaped(tok) {
        vec![Kind::Date(tok.to_string())]
    } else if let Some((target, text)) = split_swapped_target(tok) {
        vec![Kind::Target(target), Kind::Text(text)]
    } else if is_target_shaped(tok, t) {
        vec![Kind::Target(tok.to_string())]
    } else {
        vec![Kind::Text(tok.to_string())]
    }
}

/// Each line's kind, and unindented running text: a line of plain text
/// directly above running text starts it (its first line may be short or
/// lack punctuation).
fn line_kinds(lines: &[PageLine], t: &Template) -> Vec<LineKind> {
    let v = t.vocab();
    let mut kinds: Vec<LineKind> = lines.iter().map(|l| line_kind(&l.text, t, v)).collect();
    for i in 0..lines.len() {
        if let Some(j) = free_text_label_end(lines, &kinds, i, t)
            && j + 1 < lines.len()
            && matches!(kinds[j + 1], LineKind::Tokens)
            && !line_is_label(lines, &kinds, j + 1, t)
            && !lines[j + 1].text.split_whitespace().any(is_money_shaped)
        {
            kinds[j + 1] = LineKind::ParagraphStart;
        }
    }
    for i in (0..lines.len().saturating_sub(1)).rev() {
        if matches!(kinds[i], LineKind::Tokens)
            && matches!(kinds[i + 1], LineKind::ParagraphStart)
            && indent_width(&lines[i + 1].text) < 2
            && lines[i].text.trim().chars().count() >= PROSE_MIN_CHARS / 2
            && no_cells(lines[i].text.trim(), t, v)
        {
            kinds[i] = LineKind::ParagraphStart;
        }
    }
    kinds
}

/// The longest label (or header cell) starting at token `k` of line `i`,
/// continued on the next text line when it reaches the line's last token.
fn longest_label(
    toks: &[&str],
    k: usize,
    lines: &[PageLine],
    kinds: &[LineKind],
    i: usize,
    v: &Vocabulary,
) -> Option<LabelMatch> {
    let mut acc = String::new();
    let mut best: Option<LabelMatch> = None;
    let mut m = k;
    while m < toks.len() {
        acc.push_str(&label_key(toks[m]));
        if !v.prefixes.contains(&acc) {
            break;
        }
        if let Some(kind) = v.exact.get(&acc) {
            best = Some((m, None, Kind::from(kind)));
        }
        m += 1;
    }
    // Wrapped: the head of the next non-blank lines, as long as the text so
    // far is the start of a label (a label may wrap over several lines).
    let mut j = i;
    while m == toks.len() && v.prefixes.contains(&acc) {
        j += 1;
        while j < lines.len() && matches!(kinds[j], LineKind::Blank) {
            j += 1;
        }
        if j >= lines.len() || !matches!(kinds[j], LineKind::Tokens) {
            break;
        }
        let next: Vec<&str> = lines[j].text.split_whitespace().collect();
        m = 0;
        while m < next.len() {
            acc.push_str(&label_key(next[m]));
            if !v.prefixes.contains(&acc) {
                break;
            }
            if let Some(kind) = v.exact.get(&acc) {
                best = Some((toks.len() - 1, Some((j, m + 1)), Kind::from(kind)));
            }
            m += 1;
        }
        if m < next.len() {
            break;
        }
        m = toks.len();
    }
    best
}

/// When line `i` is a free-text field's label and nothing else (wrapped
/// over the next line or not), the line it ends on: the lines after it, up
/// to the next label, blank line or amount, are that field's text however
/// they look (`2018-09-02 启动需求分析；` is a line of the plan, not a date
/// cell).
fn free_text_label_end(
    lines: &[PageLine],
    kinds: &[LineKind],
    i: usize,
    t: &Template,
) -> Option<usize> {
    let toks: Vec<&str> = lines[i].text.split_whitespace().collect();
    let (last, wrap, kind) = longest_label(&toks, 0, lines, kinds, i, t.vocab())?;
    let Kind::Label(key) = kind else { return None };
    if t.field(&key)?.shape != Shape::Paragraphs || last + 1 != toks.len() {
        return None;
    }
    match wrap {
        None => Some(i),
        Some((j, n)) => (lines[j].text.split_whitespace().count() == n).then_some(j),
    }
}

/// Whether line `i` starts with a label or a column header (its first
/// words, wrapped over the next line or not), or is an indicator level
/// name: running text stops there, for dumps that put no blank line
/// between a cell's text and the next cell.
fn line_is_label(lines: &[PageLine], kinds: &[LineKind], i: usize, t: &Template) -> bool {
    let toks: Vec<&str> = lines[i].text.split_whitespace().collect();
    if longest_label(&toks, 0, lines, kinds, i, t.vocab()).is_some() {
        return true;
    }
    let key = label_key(&lines[i].text);
    t.indicator_values.is_level_name(&key)
}

/// A form's pages, each with its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct TextForm {
    /// The form's pages: 1-based page number and the page's blocks.
    pub pages: Vec<(usize, Vec<Block>)>,
}

/// Splits pages into forms: a form starts on each page carrying the title;
/// pages before the first title page make a form of their own.
pub fn blocks_to_forms(pages: Vec<(usize, Vec<Block>)>) -> Vec<TextForm> {
    let mut forms: Vec<TextForm> = Vec::new();
    for (n, blocks) in pages {
        let has_title = blocks.iter().any(|b| b.kind == Kind::Title);
        if has_title || forms.is_empty() {
            forms.push(TextForm { pages: Vec::new() });
        }
        forms.last_mut().expect("pushed").pages.push((n, blocks));
    }
    forms
}
