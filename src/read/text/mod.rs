//! Forms reassembled from plain-text dumps of the PDFs (no geometry).
//!
//! A dump keeps the text but not where it was: a page's labels often come
//! first and their values later, in another order; rows' cells share a line
//! or swap; labels wrap over lines. Without coordinates the stages below use
//! what the form guarantees: the label vocabulary and field order of the
//! [`Template`], the shapes of values (amounts, dates, targets, ticked
//! boxes), paragraph boundaries (indentation, blank lines), which labels
//! share a page or a printed row, and checks that tie fields together.
//!
//! ```text
//! text ─text_to_pages─▶ pages ─page_to_blocks─▶ blocks ─blocks_to_forms─▶ forms
//!   form ─form_to_candidates─▶ candidates (labelled values claimed; indicator items left)
//!   all candidates ─indicator_roles─▶ names seen as level 1/2/3 in the dump
//!   candidates + roles ─candidates_to_fields─▶ TextFields ─fields_to_record─▶ Record
//! ```
//!
//! Every stage is a pure function; [`dump_blocks`] and [`dump_fields`] print
//! the intermediate results (`shenbao extract --dump blocks|fields`).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::LazyLock;

use regex::Regex;

use crate::assemble::{cross_check_warnings, ticked_option};
use crate::normalize::{
    self, DateParse, indent_width, join_wrapped_lines, parse_money, parse_target, parse_year,
};
use crate::record::{FundingComponent, Indicator, Location, Record, Source, Value, Warning};
use crate::template::{HEADER_FIELDS, Shape, Template, ValueKind, label_key};
use crate::text::{OPERATORS, is_cjk, is_operator_char};

// ---------------------------------------------------------------------------
// Stage 1: pages

/// One physical line of the dump (1-based number), blank or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLine {
    pub no: usize,
    pub text: String,
}

/// The lines of one printed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPage {
    /// 1-based page number within the dump.
    pub number: usize,
    pub lines: Vec<PageLine>,
}

/// Blank lines in a row that end a page.
pub const PAGE_BREAK_BLANKS: usize = 3;

/// Whether a line is all white space (U+3000 included: see [`crate::text`]).
fn is_blank_line(s: &str) -> bool {
    s.trim().is_empty()
}

/// Splits a dump into pages: a form feed, or a run of
/// [`PAGE_BREAK_BLANKS`] or more blank lines, breaks a page. Pages without
/// any text are dropped.
pub fn text_to_pages(text: &str) -> Vec<TextPage> {
    let mut pages = Vec::new();
    let mut cur: Vec<PageLine> = Vec::new();
    let mut blanks = 0usize;
    let flush = |cur: &mut Vec<PageLine>, pages: &mut Vec<TextPage>| {
        if cur.iter().any(|l| !is_blank_line(&l.text)) {
            pages.push(TextPage {
                number: pages.len() + 1,
                lines: std::mem::take(cur),
            });
        } else {
            cur.clear();
        }
    };
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        for (k, part) in raw.split('\u{c}').enumerate() {
            if k > 0 {
                flush(&mut cur, &mut pages);
                blanks = 0;
            }
            if is_blank_line(part) {
                blanks += 1;
                if k == 0 || !part.is_empty() {
                    cur.push(PageLine {
                        no: i + 1,
                        text: String::new(),
                    });
                }
                continue;
            }
            if blanks >= PAGE_BREAK_BLANKS {
                flush(&mut cur, &mut pages);
            }
            blanks = 0;
            cur.push(PageLine {
                no: i + 1,
                text: part.to_string(),
            });
        }
    }
    flush(&mut cur, &mut pages);
    pages
}

// ---------------------------------------------------------------------------
// Stage 2: blocks

/// A column header cell of a sub-table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderCol {
    FundingName,
    FundingAmount,
    Level1,
    Level2,
    Level3,
    Target,
}

/// What a piece of a page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Title,
    Year(i32),
    Unit(String),
    /// A field label (possibly wrapped over lines): the field key.
    Label(String),
    Header(HeaderCol),
    /// A line of options with boxes: field key and text.
    Options(String, String),
    /// Indented free text up to a blank line, wrapped lines joined.
    Paragraph(String),
    Money(String),
    Date(String),
    Target(String),
    Text(String),
}

/// One piece of a page, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: Kind,
    /// 1-based first and last line.
    pub line: usize,
    pub line_end: usize,
    /// Blocks with the same `row` were printed on one line.
    pub row: usize,
}

fn is_money_shaped(t: &str) -> bool {
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

fn is_date_shaped(t: &str) -> bool {
    let has_sep = t.contains(['/', '-', '.', '年']);
    has_sep && !matches!(normalize::parse_date(t), DateParse::Invalid(_))
}

/// Whether a token reads as an indicator target: a number, a percentage,
/// a comparison (`≥90%`, `100%`, `6`, `平均减少50%`).
fn is_target_shaped(tok: &str, t: &Template) -> bool {
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
static SWAPPED_TARGET: LazyLock<Regex> = LazyLock::new(|| {
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
fn split_swapped_target(t: &str) -> Option<(String, String)> {
    let c = SWAPPED_TARGET.captures(t)?;
    let text = &c["text"];
    (text.chars().count() >= 2 && text.chars().any(is_cjk))
        .then(|| (c["target"].to_string(), text.to_string()))
}

struct Vocab {
    title: String,
    units: Vec<String>,
    /// Normalized label or header key to what it is.
    exact: BTreeMap<String, Kind>,
    prefixes: HashSet<String>,
}

fn vocab(t: &Template) -> Vocab {
    let mut exact = BTreeMap::new();
    for (l, f) in t.labels() {
        exact.insert(l.to_string(), Kind::Label(f.key.clone()));
    }
    let cols = [
        (&t.funding_table.name, HeaderCol::FundingName),
        (&t.funding_table.amount, HeaderCol::FundingAmount),
        (&t.indicator_table.level1, HeaderCol::Level1),
        (&t.indicator_table.level2, HeaderCol::Level2),
        (&t.indicator_table.level3, HeaderCol::Level3),
        (&t.indicator_table.target, HeaderCol::Target),
    ];
    for (names, col) in cols {
        for n in names {
            exact.entry(label_key(n)).or_insert(Kind::Header(col));
        }
    }
    let mut prefixes = HashSet::new();
    for k in exact.keys() {
        let chars: Vec<char> = k.chars().collect();
        for n in 1..=chars.len() {
            prefixes.insert(chars[..n].iter().collect::<String>());
        }
    }
    Vocab {
        title: label_key(&t.header.title),
        units: t.header.unit_labels.iter().map(|u| label_key(u)).collect(),
        exact,
        prefixes,
    }
}

/// The option field whose options (or boxes) a line holds.
fn options_field(line: &str, t: &Template) -> Option<String> {
    let key = label_key(line);
    let has_box = key.chars().any(|c| t.checkbox(c).is_some());
    let mut best: Option<(usize, &str)> = None;
    for f in t.fields.iter().filter(|f| f.shape == Shape::Option) {
        let n = f
            .options
            .iter()
            .filter(|o| key.contains(&label_key(o)))
            .count();
        if n > 0 && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, &f.key));
        }
    }
    match best {
        Some((n, k)) if n >= 2 || has_box => Some(k.to_string()),
        _ => None,
    }
}

enum LineKind {
    Blank,
    Title,
    Year(i32),
    Unit(String),
    Options(String),
    ParagraphStart,
    Tokens,
}

fn line_kind(text: &str, t: &Template, v: &Vocab) -> LineKind {
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
    if indent_width(text) >= 2 && !v.exact.contains_key(&key) {
        return LineKind::ParagraphStart;
    }
    if is_prose(trimmed, t, v) {
        return LineKind::ParagraphStart;
    }
    LineKind::Tokens
}

/// Minimum length of an unindented line read as running text.
const PROSE_MIN_CHARS: usize = 20;

/// Whether an unindented line is running text (dumps that drop the
/// paragraph indent): long, with sentence punctuation, and no token that is
/// a label or a value shape (so rows of cells are not taken for text).
fn is_prose(line: &str, t: &Template, v: &Vocab) -> bool {
    if line.chars().count() < PROSE_MIN_CHARS
        || !line.contains(['，', '。', '；', '：', '、', ',', ';'])
    {
        return false;
    }
    no_cells(line, t, v)
}

/// Whether no token of the line is a label or a value shape.
fn no_cells(line: &str, t: &Template, v: &Vocab) -> bool {
    !line.split_whitespace().any(|tok| {
        let k = label_key(tok);
        v.exact.contains_key(&k)
            || (v.prefixes.contains(&k) && k.chars().count() >= 4)
            || t.field_with_prefix(tok).is_some()
            || is_money_shaped(tok)
            || is_date_shaped(tok)
    })
}

/// Splits a page into blocks: header lines, option lines, paragraphs, and
/// the tokens of the other lines (labels found by the template vocabulary,
/// joined when wrapped over lines; values classified by shape).
pub fn page_to_blocks(page: &TextPage, t: &Template) -> Vec<Block> {
    let v = vocab(t);
    let lines = &page.lines;
    let mut kinds: Vec<LineKind> = lines.iter().map(|l| line_kind(&l.text, t, &v)).collect();
    // Unindented running text: a line of plain text directly above running
    // text starts it (its first line may be short or lack punctuation).
    for i in (0..lines.len().saturating_sub(1)).rev() {
        if matches!(kinds[i], LineKind::Tokens)
            && matches!(kinds[i + 1], LineKind::ParagraphStart)
            && indent_width(&lines[i + 1].text) < 2
            && lines[i].text.trim().chars().count() >= PROSE_MIN_CHARS / 2
            && no_cells(lines[i].text.trim(), t, &v)
        {
            kinds[i] = LineKind::ParagraphStart;
        }
    }
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
                if let Some(Kind::Label(k)) = v.exact.get(&label_key(first)) {
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
                let mut j = i;
                while j < lines.len() && !matches!(kinds[j], LineKind::Blank) {
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
                let mut k = 0;
                while k < toks.len() {
                    // Longest label (or header cell) starting at this token,
                    // continued on the next text line when it is the last.
                    let mut acc = String::new();
                    let mut best: Option<LabelMatch> = None;
                    let mut m = k;
                    while m < toks.len() {
                        acc.push_str(&label_key(toks[m]));
                        if !v.prefixes.contains(&acc) {
                            break;
                        }
                        if let Some(kind) = v.exact.get(&acc) {
                            best = Some((m, None, kind.clone()));
                        }
                        m += 1;
                    }
                    if m == toks.len() && v.prefixes.contains(&acc) {
                        // Wrapped: the head of the next non-blank line.
                        let mut j = i + 1;
                        while j < lines.len() && matches!(kinds[j], LineKind::Blank) {
                            j += 1;
                        }
                        if j < lines.len() && matches!(kinds[j], LineKind::Tokens) {
                            let next: Vec<&str> = lines[j].text.split_whitespace().collect();
                            let mut acc2 = acc.clone();
                            for (n, tok) in next.iter().enumerate() {
                                acc2.push_str(&label_key(tok));
                                if !v.prefixes.contains(&acc2) {
                                    break;
                                }
                                if let Some(kind) = v.exact.get(&acc2) {
                                    best = Some((toks.len() - 1, Some((j, n + 1)), kind.clone()));
                                }
                            }
                        }
                    }
                    if let Some((last, wrap, kind)) = best {
                        let mut end = no;
                        if let Some((j, n)) = wrap {
                            skip_tokens[j] = n;
                            end = lines[j].no;
                        }
                        push(&mut out, kind, end, row);
                        k = last + 1;
                        continue;
                    }
                    let tok = toks[k];
                    // A label glued to its value (`项目名称：某项目`).
                    if let Some((spec, rest)) = t.field_with_prefix(tok)
                        && matches!(spec.shape, Shape::Line | Shape::Money | Shape::Date)
                        && !rest.is_empty()
                    {
                        push(&mut out, Kind::Label(spec.key.clone()), no, row);
                        let kind = match spec.shape {
                            Shape::Money if is_money_shaped(&rest) => Kind::Money(rest),
                            Shape::Date if is_date_shaped(&rest) => Kind::Date(rest),
                            _ => Kind::Text(rest),
                        };
                        push(&mut out, kind, no, row);
                        k += 1;
                        continue;
                    }
                    if is_money_shaped(tok) {
                        push(&mut out, Kind::Money(tok.to_string()), no, row);
                    } else if is_date_shaped(tok) {
                        push(&mut out, Kind::Date(tok.to_string()), no, row);
                    } else if let Some((target, text)) = split_swapped_target(tok) {
                        push(&mut out, Kind::Target(target), no, row);
                        push(&mut out, Kind::Text(text), no, row);
                    } else if is_target_shaped(tok, t) {
                        push(&mut out, Kind::Target(tok.to_string()), no, row);
                    } else {
                        push(&mut out, Kind::Text(tok.to_string()), no, row);
                    }
                    k += 1;
                }
            }
        }
        row += 1;
        i += 1;
    }
    out
}

/// A form's pages, each with its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct TextForm {
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

// ---------------------------------------------------------------------------
// Stage 3: candidates and assignments

/// A value placed in a field, with the lines it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    pub value: String,
    pub line: usize,
    pub line_end: usize,
}

/// One funding row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingRow {
    pub name: Option<String>,
    pub amount: Option<String>,
    pub line: usize,
    pub line_end: usize,
}

/// One indicator row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub level3: Option<String>,
    pub target: Option<String>,
    pub line: usize,
    pub line_end: usize,
}

/// What the indicator table's unplaced pieces look like, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub enum IndItem {
    /// A header line (`一级指标 二级指标`); whether it holds the level-2 header.
    Header {
        level2: bool,
    },
    /// Level 3 and target on one line (either order).
    Row {
        l3: String,
        target: String,
        line: usize,
    },
    /// Two name cells on one line: a level 1 and level 2 one row tall.
    Pair {
        l1: String,
        l2: String,
        line: usize,
    },
    /// All cells of a row on one line.
    Full {
        l1: Option<String>,
        l2: Option<String>,
        l3: String,
        target: String,
        line: usize,
    },
    Text {
        text: String,
        line: usize,
    },
    Target {
        text: String,
        line: usize,
    },
    /// A field label printed among the table's cells (`备注`, `分解目标`):
    /// it ends a run of names.
    Label,
}

/// Everything placed in one form, plus what is left for the indicators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextFields {
    pub pages: Vec<usize>,
    pub values: BTreeMap<String, Assigned>,
    pub funding: Vec<FundingRow>,
    pub indicators: Vec<IndicatorRow>,
    pub items: Vec<IndItem>,
    pub warnings: Vec<Warning>,
}

impl TextFields {
    fn set(&mut self, key: &str, value: String, line: usize, line_end: usize) {
        self.values.entry(key.to_string()).or_insert(Assigned {
            value,
            line,
            line_end,
        });
    }
    fn warn(&mut self, field: &str, code: &str, msg: impl Into<String>) {
        self.warnings.push(Warning::new(field, code, msg));
    }
}

struct Flat<'a> {
    page: usize,
    b: &'a Block,
}

fn shape_fits(shape: Shape, k: &Kind) -> bool {
    matches!(
        (shape, k),
        (Shape::Money, Kind::Money(_)) | (Shape::Date, Kind::Date(_))
    )
}

fn value_text(k: &Kind) -> String {
    match k {
        Kind::Money(s) | Kind::Date(s) | Kind::Text(s) | Kind::Target(s) | Kind::Paragraph(s) => {
            s.clone()
        }
        _ => String::new(),
    }
}

fn alone(bs: &[Flat], i: usize) -> bool {
    let r = bs[i].b.row;
    let p = bs[i].page;
    let same = |j: usize| bs[j].page == p && bs[j].b.row == r;
    let before = i > 0 && same(i - 1);
    let after = i + 1 < bs.len() && same(i + 1);
    !before && !after
}

/// Places the labelled values of one form: header lines, values next to
/// their labels (and in shared rows), options, funding rows, the project
/// name, free texts; leaves the pieces of the indicator table as items.
pub fn form_to_candidates(form: &TextForm, t: &Template) -> TextFields {
    let mut f = TextFields {
        pages: form.pages.iter().map(|(n, _)| *n).collect(),
        ..Default::default()
    };
    let bs: Vec<Flat> = form
        .pages
        .iter()
        .flat_map(|(n, blocks)| blocks.iter().map(move |b| Flat { page: *n, b }))
        .collect();
    let n = bs.len();
    let mut claimed = vec![false; n];
    let same_page = |i: usize, j: usize| j < n && bs[i].page == bs[j].page;

    // Header lines.
    for (i, x) in bs.iter().enumerate() {
        let (key, val) = match &x.b.kind {
            Kind::Title => ("title", t.header.title.clone()),
            Kind::Year(y) => ("year", y.to_string()),
            Kind::Unit(u) if !u.is_empty() => ("unit", u.clone()),
            // `申报单位名称：` with the name on the next line.
            Kind::Unit(_) => match bs.get(i + 1).map(|x| &x.b.kind) {
                Some(Kind::Text(u)) if alone(&bs, i + 1) && bs[i + 1].page == x.page => {
                    claimed[i + 1] = true;
                    ("unit", u.clone())
                }
                _ => continue,
            },
            _ => continue,
        };
        if !f.values.contains_key(key) {
            f.set(key, val, x.b.line, x.b.line_end);
            claimed[i] = true;
        }
    }

    // Values beside their labels, and in rows shared with another label.
    for i in 0..n {
        let Kind::Label(key) = &bs[i].b.kind else {
            continue;
        };
        claimed[i] = true;
        let Some(spec) = t.field(key) else { continue };
        if matches!(spec.shape, Shape::Money | Shape::Date) {
            if let Some((first, false)) = t.row_partner(key)
                && i > 0
                && !claimed[i - 1]
                && same_page(i, i - 1)
                && bs[i - 1].b.row == bs[i].b.row
                && shape_fits(spec.shape, &bs[i - 1].b.kind)
                && !(i >= 2 && bs[i - 2].b.kind == Kind::Label(first.to_string()))
                && !f.values.contains_key(first)
            {
                let b = bs[i - 1].b;
                f.set(first, value_text(&b.kind), b.line, b.line_end);
                claimed[i - 1] = true;
            }
            let j = i + 1;
            if same_page(i, j) && !claimed[j] && shape_fits(spec.shape, &bs[j].b.kind) {
                let b = bs[j].b;
                if !f.values.contains_key(key) {
                    f.set(key, value_text(&b.kind), b.line, b.line_end);
                    claimed[j] = true;
                }
            }
        } else if spec.shape == Shape::Line {
            let j = i + 1;
            if same_page(i, j)
                && !claimed[j]
                && bs[j].b.row == bs[i].b.row
                && let Kind::Text(s) = &bs[j].b.kind
            {
                f.set(key, s.clone(), bs[j].b.line, bs[j].b.line_end);
                claimed[j] = true;
            }
        }
    }

    // Options, joined per field over their lines.
    for spec in t.fields.iter().filter(|s| s.shape == Shape::Option) {
        let idx: Vec<usize> = (0..n)
            .filter(|&i| matches!(&bs[i].b.kind, Kind::Options(k, _) if *k == spec.key))
            .collect();
        if idx.is_empty() {
            continue;
        }
        let text: String = idx
            .iter()
            .map(|&i| match &bs[i].b.kind {
                Kind::Options(_, s) => s.as_str(),
                _ => "",
            })
            .collect();
        for &i in &idx {
            claimed[i] = true;
        }
        let (line, end) = (
            bs[idx[0]].b.line,
            bs[*idx.last().expect("nonempty")].b.line_end,
        );
        let (ticked, unknown) = ticked_option(&text, &spec.options, t);
        for u in unknown {
            f.warn(
                &spec.key,
                "unknown_option",
                format!("ticked text {u:?} is no known option"),
            );
        }
        match ticked.as_slice() {
            [one] => f.set(&spec.key, one.clone(), line, end),
            [] => f.warn(&spec.key, "no_option_ticked", "no option is ticked"),
            many => f.warn(
                &spec.key,
                "several_options_ticked",
                format!("ticked: {}", many.join(", ")),
            ),
        }
    }

    // Funding rows: a name and an amount on one line; a lone name printed
    // right after the rows is a row whose amount was printed elsewhere.
    let mut i = 0;
    while i + 1 < n {
        if !claimed[i]
            && !claimed[i + 1]
            && same_page(i, i + 1)
            && bs[i].b.row == bs[i + 1].b.row
            && let (Kind::Text(name), Kind::Money(m)) = (&bs[i].b.kind, &bs[i + 1].b.kind)
        {
            f.funding.push(FundingRow {
                name: Some(name.clone()),
                amount: Some(m.clone()),
                line: bs[i].b.line,
                line_end: bs[i + 1].b.line_end,
            });
            claimed[i] = true;
            claimed[i + 1] = true;
            let j = i + 2;
            if j < n
                && !claimed[j]
                && same_page(i, j)
                && alone(&bs, j)
                && let Kind::Text(name) = &bs[j].b.kind
            {
                f.funding.push(FundingRow {
                    name: Some(name.clone()),
                    amount: None,
                    line: bs[j].b.line,
                    line_end: bs[j].b.line_end,
                });
                claimed[j] = true;
            }
            i += 2;
            continue;
        }
        i += 1;
    }

    // Amounts printed alone, away from any label.
    let mut lone_money: Vec<usize> = (0..n)
        .filter(|&i| !claimed[i] && alone(&bs, i) && matches!(bs[i].b.kind, Kind::Money(_)))
        .collect();
    let nameless: Vec<usize> = (0..f.funding.len())
        .filter(|&r| f.funding[r].amount.is_none())
        .collect();
    if !nameless.is_empty() {
        let cur = f
            .values
            .get("current_year_budget")
            .and_then(|a| parse_money(&a.value).ok());
        let known: i64 = f
            .funding
            .iter()
            .filter_map(|r| r.amount.as_deref().and_then(|a| parse_money(a).ok()))
            .map(|m| m.fen())
            .sum();
        let money = |i: usize| parse_money(&value_text(&bs[i].b.kind)).ok();
        match (cur, nameless.as_slice()) {
            (Some(cur), [r]) => {
                let gap = cur.fen() - known;
                let fits: Vec<usize> = lone_money
                    .iter()
                    .copied()
                    .filter(|&i| money(i).is_some_and(|m| m.fen() == gap))
                    .collect();
                if let Some(&i) = fits.first() {
                    let row = &mut f.funding[*r];
                    row.amount = Some(value_text(&bs[i].b.kind));
                    row.line = row.line.min(bs[i].b.line);
                    row.line_end = row.line_end.max(bs[i].b.line_end);
                    claimed[i] = true;
                    lone_money.retain(|&x| x != i);
                    let name = row.name.clone().unwrap_or_default();
                    f.warn(
                        "funding_components",
                        "inferred_value",
                        format!(
                            "amount of {name:?} printed away from it (line {}); placed because the rows then sum to current_year_budget",
                            bs[i].b.line
                        ),
                    );
                } else {
                    f.warn(
                        "funding_components",
                        "missing_amount",
                        "a funding row has no amount and no lone amount closes the sum",
                    );
                }
            }
            _ => f.warn(
                "funding_components",
                "missing_amount",
                format!("{} funding rows have no amount", nameless.len()),
            ),
        }
    }
    // Money fields whose label has no value: a single lone amount on the
    // label's page is taken, with a warning; more are left unplaced.
    for spec in t.fields.iter().filter(|s| s.shape == Shape::Money) {
        if f.values.contains_key(&spec.key) {
            continue;
        }
        let Some(li) = (0..n).find(|&i| bs[i].b.kind == Kind::Label(spec.key.clone())) else {
            continue;
        };
        let page = bs[li].page;
        let open: Vec<&str> = t
            .fields
            .iter()
            .filter(|s| s.shape == Shape::Money && !f.values.contains_key(&s.key))
            .filter(|s| {
                (0..n).any(|i| bs[i].page == page && bs[i].b.kind == Kind::Label(s.key.clone()))
            })
            .map(|s| s.key.as_str())
            .collect();
        let here: Vec<usize> = lone_money
            .iter()
            .copied()
            .filter(|&i| bs[i].page == page)
            .collect();
        if let ([only], [i]) = (open.as_slice(), here.as_slice()) {
            let b = bs[*i].b;
            f.set(only, value_text(&b.kind), b.line, b.line_end);
            claimed[*i] = true;
            lone_money.retain(|x| x != i);
            f.warn(
                only,
                "inferred_value",
                format!(
                    "the only amount printed alone on its page (line {})",
                    b.line
                ),
            );
        }
    }
    for i in lone_money {
        f.warn(
            "",
            "unassigned_value",
            format!(
                "line {}: amount {} placed in no field",
                bs[i].b.line,
                value_text(&bs[i].b.kind)
            ),
        );
    }

    // The project name: a line of text alone, right after the unit line
    // (else the first such line on the label's page).
    if let Some(spec) = t.fields.iter().find(|s| s.shape == Shape::Line)
        && !f.values.contains_key(&spec.key)
    {
        let unit = (0..n).find(|&i| matches!(bs[i].b.kind, Kind::Unit(_)));
        let label = (0..n).find(|&i| bs[i].b.kind == Kind::Label(spec.key.clone()));
        let lone_text =
            |i: usize| !claimed[i] && alone(&bs, i) && matches!(bs[i].b.kind, Kind::Text(_));
        let pick = unit
            .and_then(|u| {
                (u + 1..n)
                    .take_while(|&j| same_page(u, j))
                    .find(|&j| lone_text(j))
            })
            .or_else(|| {
                label.and_then(|l| {
                    (0..n)
                        .filter(|&j| bs[j].page == bs[l].page)
                        .find(|&j| lone_text(j))
                })
            });
        if let Some(j) = pick {
            f.set(
                &spec.key,
                value_text(&bs[j].b.kind),
                bs[j].b.line,
                bs[j].b.line_end,
            );
            claimed[j] = true;
        }
    }

    place_paragraphs(&bs, &mut claimed, t, &mut f);

    // What is left and table-shaped goes to the indicator table.
    f.items = indicator_items(&bs, &claimed);
    f
}

/// Free texts, page by page: a paragraph printed right after its label is
/// that label's; the other paragraphs go to the page's other text labels in
/// form order, reading the page from its title line on and then what was
/// printed before it (a page's lower rows can come out above the title).
fn place_paragraphs(bs: &[Flat], claimed: &mut [bool], t: &Template, f: &mut TextFields) {
    let n = bs.len();
    let is_text_field = |k: &str| t.field(k).is_some_and(|s| s.shape == Shape::Paragraphs);
    let pages: Vec<usize> = f.pages.clone();
    for page in pages {
        let idx: Vec<usize> = (0..n).filter(|&i| bs[i].page == page).collect();
        let mut labels: Vec<(usize, String)> = Vec::new();
        for &i in &idx {
            if let Kind::Label(k) = &bs[i].b.kind
                && is_text_field(k)
                && !f.values.contains_key(k)
                && !labels.iter().any(|(_, x)| x == k)
            {
                labels.push((i, k.clone()));
            }
        }
        // Adjacent paragraphs.
        labels.retain(|(i, k)| {
            let j = i + 1;
            if j < n
                && bs[j].page == page
                && !claimed[j]
                && let Kind::Paragraph(p) = &bs[j].b.kind
            {
                f.set(k, p.clone(), bs[j].b.line, bs[j].b.line_end);
                claimed[j] = true;
                return false;
            }
            true
        });
        let title = idx.iter().copied().find(|&i| bs[i].b.kind == Kind::Title);
        let mut paras: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !claimed[i] && matches!(bs[i].b.kind, Kind::Paragraph(_)))
            .collect();
        if let Some(ti) = title {
            paras.sort_by_key(|&i| (i < ti, i));
        }
        let order = |k: &str| {
            t.fields
                .iter()
                .position(|s| s.key == k)
                .unwrap_or(usize::MAX)
        };
        labels.sort_by_key(|(_, k)| order(k));
        // More labels than texts: optional fields are left empty first.
        while labels.len() > paras.len() {
            match labels
                .iter()
                .rposition(|(_, k)| t.field(k).is_some_and(|s| !s.required))
            {
                Some(p) => {
                    labels.remove(p);
                }
                None => break,
            }
        }
        if labels.len() != paras.len() && !labels.is_empty() && !paras.is_empty() {
            let names: Vec<&str> = labels.iter().map(|(_, k)| k.as_str()).collect();
            f.warn(
                names[0],
                "ambiguous_assignment",
                format!(
                    "page {page}: {} texts for labels {}; placed in form order",
                    paras.len(),
                    names.join(", ")
                ),
            );
        }
        for ((_, k), &p) in labels.iter().zip(&paras) {
            let b = bs[p].b;
            f.set(k, value_text(&b.kind), b.line, b.line_end);
            claimed[p] = true;
        }
        for &p in paras.iter().skip(labels.len()) {
            let text: String = value_text(&bs[p].b.kind).chars().take(30).collect();
            f.warn(
                "",
                "unassigned_text",
                format!("line {}: text placed in no field: {text:?}", bs[p].b.line),
            );
            claimed[p] = true;
        }
    }
}

fn indicator_items(bs: &[Flat], claimed: &[bool]) -> Vec<IndItem> {
    // Pages with some sign of the table.
    let table_pages: HashSet<usize> = bs
        .iter()
        .enumerate()
        .filter(|(i, x)| {
            !claimed[*i] && matches!(x.b.kind, Kind::Target(_))
                || matches!(
                    x.b.kind,
                    Kind::Header(
                        HeaderCol::Level1
                            | HeaderCol::Level2
                            | HeaderCol::Level3
                            | HeaderCol::Target
                    )
                )
        })
        .map(|(_, x)| x.page)
        .collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bs.len() {
        let (page, row) = (bs[i].page, bs[i].b.row);
        let mut j = i;
        while j < bs.len() && bs[j].page == page && bs[j].b.row == row {
            j += 1;
        }
        let cells: Vec<&Block> = (i..j)
            .filter(|&k| !claimed[k] || matches!(bs[k].b.kind, Kind::Header(_)))
            .map(|k| bs[k].b)
            .collect();
        let line = bs[i].b.line;
        let has_label = (i..j).any(|k| matches!(bs[k].b.kind, Kind::Label(_)));
        i = j;
        if !table_pages.contains(&page) {
            continue;
        }
        if has_label {
            items.push(IndItem::Label);
        }
        if cells.is_empty() {
            continue;
        }
        if cells.iter().any(|c| matches!(c.kind, Kind::Header(_))) {
            let level2 = cells
                .iter()
                .any(|c| c.kind == Kind::Header(HeaderCol::Level2));
            if cells.iter().any(|c| {
                matches!(
                    c.kind,
                    Kind::Header(
                        HeaderCol::Level1
                            | HeaderCol::Level2
                            | HeaderCol::Level3
                            | HeaderCol::Target
                    )
                )
            }) {
                items.push(IndItem::Header { level2 });
            }
            continue;
        }
        let texts: Vec<String> = cells
            .iter()
            .filter_map(|c| match &c.kind {
                Kind::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let targets: Vec<String> = cells
            .iter()
            .filter_map(|c| match &c.kind {
                Kind::Target(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        match (texts.as_slice(), targets.as_slice()) {
            ([], []) => {}
            ([a], []) => items.push(IndItem::Text {
                text: a.clone(),
                line,
            }),
            ([], [g]) => items.push(IndItem::Target {
                text: g.clone(),
                line,
            }),
            ([a], [g]) => items.push(IndItem::Row {
                l3: a.clone(),
                target: g.clone(),
                line,
            }),
            ([a, b], []) => items.push(IndItem::Pair {
                l1: a.clone(),
                l2: b.clone(),
                line,
            }),
            ([a, b], [g]) => items.push(IndItem::Full {
                l1: None,
                l2: Some(a.clone()),
                l3: b.clone(),
                target: g.clone(),
                line,
            }),
            (ts, [g, ..]) if ts.len() >= 3 => items.push(IndItem::Full {
                l1: Some(ts[0].clone()),
                l2: Some(ts[1].clone()),
                l3: ts[2..].join(""),
                target: g.clone(),
                line,
            }),
            (ts, gs) => {
                for x in ts {
                    items.push(IndItem::Text {
                        text: x.clone(),
                        line,
                    });
                }
                for g in gs {
                    items.push(IndItem::Target {
                        text: g.clone(),
                        line,
                    });
                }
            }
        }
    }
    items
}

// ---------------------------------------------------------------------------
// Stage 4: the indicator table

/// Indicator names seen in a role somewhere in the dump, where the layout
/// left no doubt: a name printed beside a target is a level 3; two names
/// on one line are a level 1 and a level 2; the names listed right under
/// the `二级指标` header are level 2.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    pub level1: HashSet<String>,
    pub level2: HashSet<String>,
    pub level3: HashSet<String>,
}

/// Collects [`Roles`] over all forms of a dump.
pub fn indicator_roles(forms: &[TextFields]) -> Roles {
    let mut r = Roles::default();
    for f in forms {
        let mut after_header = false;
        for it in &f.items {
            match it {
                IndItem::Header { level2 } => after_header = *level2,
                IndItem::Text { text, .. } if after_header => {
                    r.level2.insert(text.clone());
                }
                IndItem::Row { l3, .. } => {
                    r.level3.insert(l3.clone());
                    after_header = false;
                }
                IndItem::Pair { l1, l2, .. } => {
                    r.level1.insert(l1.clone());
                    r.level2.insert(l2.clone());
                    after_header = false;
                }
                _ => after_header = false,
            }
        }
    }
    r
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A level-2 cell one row tall (listed in the column run).
    L2Single,
    /// A level-2 cell spanning rows.
    L2Merged,
    L1,
    /// A level 3 whose target was printed elsewhere: index of the target item.
    L3(usize),
    /// A target matched to a level 3.
    Used,
}

fn shared_chars(a: &str, b: &str) -> usize {
    let bs: HashSet<char> = b.chars().collect();
    a.chars()
        .collect::<HashSet<char>>()
        .intersection(&bs)
        .count()
}

/// Matches rows to level-1/level-2 pairs: the assignment sharing most
/// characters between level-2 and level-3 names (a level 3 usually
/// narrows its level 2), dump order breaking ties.
fn match_rows_to_pairs(rows: &[usize], pairs: &[(String, String)], l3: &[String]) -> Vec<usize> {
    let k = rows.len().min(pairs.len());
    if k == 0 || k > 7 {
        return (0..k).collect();
    }
    let mut best: (usize, Vec<usize>) = (0, (0..k).collect());
    let mut perm: Vec<usize> = (0..pairs.len()).collect();
    fn permute(
        perm: &mut Vec<usize>,
        at: usize,
        k: usize,
        score: &dyn Fn(&[usize]) -> usize,
        best: &mut (usize, Vec<usize>),
    ) {
        if at == k {
            let s = score(&perm[..k]);
            if s > best.0 {
                *best = (s, perm[..k].to_vec());
            }
            return;
        }
        for i in at..perm.len() {
            perm.swap(at, i);
            permute(perm, at + 1, k, score, best);
            perm.swap(at, i);
        }
    }
    let score = |p: &[usize]| -> usize {
        p.iter()
            .enumerate()
            .map(|(r, &q)| shared_chars(&pairs[q].1, &l3[rows[r]]))
            .sum()
    };
    permute(&mut perm, 0, k, &score, &mut best);
    best.1
}

/// Rebuilds the indicator rows of one form from its items.
///
/// Level 3 and target are certain when printed on one line. A target
/// printed alone goes to the nearest name printed alone that is not known
/// as a level 1 or 2 (names seen beside a target elsewhere in the dump are
/// preferred); close calls get an `ambiguous_assignment` warning. Levels 1
/// and 2 come from the layout: names listed under the `二级指标` header are
/// one-row level 2 cells, taken in order; a name printed alone before rows
/// starts a level-1 group; one printed after some of its group's rows, with
/// no row following, is a level 2 spanning the group; two names on one line
/// are a one-row level 1 and level 2.
pub fn place_indicators(f: &mut TextFields, roles: &Roles) {
    let items = f.items.clone();
    let n = items.len();
    let mut role: Vec<Option<Role>> = vec![None; n];
    // Level-2 runs: under the header, or names known as level 2 in a row.
    let mut after_header = false;
    for i in 0..n {
        match &items[i] {
            IndItem::Header { level2 } => after_header = *level2,
            IndItem::Text { text, .. } => {
                let known2 = roles.level2.contains(text)
                    && !roles.level1.contains(text)
                    && !roles.level3.contains(text);
                let neighbour_known2 = |j: Option<usize>| {
                    j.and_then(|j| items.get(j)).is_some_and(|x| {
                        matches!(x, IndItem::Text { text, .. } if roles.level2.contains(text)
                            && !roles.level1.contains(text) && !roles.level3.contains(text))
                    })
                };
                if after_header
                    || (known2
                        && (neighbour_known2(i.checked_sub(1)) || neighbour_known2(Some(i + 1))))
                {
                    role[i] = Some(Role::L2Single);
                } else if known2 {
                    role[i] = Some(Role::L2Merged);
                }
            }
            _ => after_header = false,
        }
    }
    // Lone targets to lone names.
    let targets: Vec<usize> = (0..n)
        .filter(|&i| matches!(items[i], IndItem::Target { .. }))
        .collect();
    for &g in &targets {
        let mut cands: Vec<(i64, usize)> = (0..n)
            .filter(|&i| role[i].is_none())
            .filter_map(|i| match &items[i] {
                IndItem::Text { text, .. } => {
                    let mut s = (i as i64 - g as i64).abs() * 2;
                    if roles.level3.contains(text) {
                        s -= 6;
                    }
                    if roles.level1.contains(text) || roles.level2.contains(text) {
                        s += 6;
                    }
                    if matches!(
                        items.get(i + 1),
                        Some(IndItem::Row { .. } | IndItem::Full { .. })
                    ) {
                        s += 3;
                    }
                    Some((s, i))
                }
                _ => None,
            })
            .collect();
        cands.sort();
        match cands.as_slice() {
            [] => {
                let text = match &items[g] {
                    IndItem::Target { text, .. } => text.clone(),
                    _ => String::new(),
                };
                f.warn(
                    "indicators",
                    "unassigned_value",
                    format!("target {text:?} matched to no indicator"),
                );
            }
            [(s, best), rest @ ..] => {
                role[*best] = Some(Role::L3(g));
                role[g] = Some(Role::Used);
                if let Some((s2, alt)) = rest.first()
                    && s2 - s <= 2
                {
                    let name = |i: usize| match &items[i] {
                        IndItem::Text { text, .. } => text.clone(),
                        _ => String::new(),
                    };
                    let tgt = match &items[g] {
                        IndItem::Target { text, .. } => text.clone(),
                        _ => String::new(),
                    };
                    f.warn(
                        "indicators",
                        "ambiguous_assignment",
                        format!(
                            "target {tgt:?} given to {:?}; alternative {:?}",
                            name(*best),
                            name(*alt)
                        ),
                    );
                }
            }
        }
    }
    // Where each row happens: its own line, or for a level 3 printed apart
    // from its target, the earlier of the two.
    let mut row_at: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        match (&items[i], role[i]) {
            (IndItem::Row { .. } | IndItem::Full { .. }, _) => row_at[i] = Some(i),
            (IndItem::Text { .. }, Some(Role::L3(g))) => row_at[i.min(g)] = Some(i),
            _ => {}
        }
    }
    let name_at = |i: usize, role: &[Option<Role>]| match (&items[i], role[i]) {
        (IndItem::Text { text, .. }, None | Some(Role::L2Merged)) => Some(text.clone()),
        _ => None,
    };
    // Remaining lone names: a level 1 starts a group; a name printed after
    // some of its group's rows, with no more rows to come (or rows that can
    // go to an earlier group still without rows), is a level 2 spanning
    // the group, which it closes.
    {
        let mut groups: Vec<usize> = Vec::new(); // rows per group
        let mut cur: Option<usize> = None;
        let mut closed = false;
        for i in 0..n {
            if row_at[i].is_some() {
                match cur {
                    Some(c) if closed => {
                        let g = groups.iter().position(|&r| r == 0).unwrap_or(c);
                        groups[g] += 1;
                        if g != c {
                            cur = Some(g);
                            closed = false;
                        }
                    }
                    Some(c) => groups[c] += 1,
                    None => {}
                }
            }
            match (&items[i], role[i]) {
                (IndItem::Pair { .. }, _) => cur = None,
                (IndItem::Text { text, .. }, None) => {
                    let rows_follow = (i + 1..n)
                        .take_while(|&j| name_at(j, &role).is_none())
                        .any(|j| row_at[j].is_some());
                    let empty_before = cur.is_some_and(|c| groups[..c].contains(&0));
                    let merged2 = !roles.level1.contains(text)
                        && cur.is_some_and(|c| groups[c] > 0)
                        && !closed
                        && (!rows_follow || empty_before);
                    if merged2 {
                        role[i] = Some(Role::L2Merged);
                        closed = true;
                    } else {
                        role[i] = Some(Role::L1);
                        groups.push(0);
                        cur = Some(groups.len() - 1);
                        closed = false;
                    }
                }
                _ => {}
            }
        }
    }
    // Walk again, placing rows in groups (or under one-row pairs).
    struct Group {
        l1: String,
        l2: Option<String>,
        rows: Vec<usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut out: Vec<IndicatorRow> = Vec::new();
    let mut row_group: Vec<Option<usize>> = Vec::new();
    let mut cur: Option<usize> = None;
    let mut closed = false;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut pair_rows: Vec<usize> = Vec::new();
    let mut last_full: Option<(Option<String>, Option<String>)> = None;
    let flush_pairs = |pairs: &mut Vec<(String, String)>,
                       pair_rows: &mut Vec<usize>,
                       out: &mut Vec<IndicatorRow>| {
        if pairs.is_empty() {
            return;
        }
        let l3: Vec<String> = out
            .iter()
            .map(|r| r.level3.clone().unwrap_or_default())
            .collect();
        let m = match_rows_to_pairs(pair_rows, pairs, &l3);
        for (r, &q) in pair_rows.iter().zip(&m) {
            out[*r].level1 = Some(pairs[q].0.clone());
            out[*r].level2 = Some(pairs[q].1.clone());
        }
        pairs.clear();
        pair_rows.clear();
    };
    for i in 0..n {
        if let Some(r) = row_at[i] {
            let (l3, target, line, line_end, l1, l2) = match (&items[r], role[r]) {
                (IndItem::Row { l3, target, line }, _) => {
                    (l3.clone(), target.clone(), *line, *line, None, None)
                }
                (
                    IndItem::Full {
                        l1,
                        l2,
                        l3,
                        target,
                        line,
                    },
                    _,
                ) => (
                    l3.clone(),
                    target.clone(),
                    *line,
                    *line,
                    l1.clone(),
                    l2.clone(),
                ),
                (IndItem::Text { text, line }, Some(Role::L3(g))) => {
                    let (t, tl) = match &items[g] {
                        IndItem::Target { text, line } => (text.clone(), *line),
                        _ => (String::new(), *line),
                    };
                    (
                        text.clone(),
                        t,
                        (*line).min(tl),
                        (*line).max(tl),
                        None,
                        None,
                    )
                }
                _ => continue,
            };
            let (mut l1, mut l2) = (l1, l2);
            let explicit = l1.is_some() || l2.is_some();
            if explicit && l1.is_none() {
                // `L2 L3 target` under a level 1 printed on an earlier row.
                l1 = last_full.as_ref().and_then(|(a, _)| a.clone());
            }
            let mut g = None;
            if explicit {
                last_full = Some((l1.clone(), l2.clone()));
            } else {
                match cur {
                    None if !pairs.is_empty() => pair_rows.push(out.len()),
                    None if last_full.is_some() => {
                        // `L3 target` under cells printed on an earlier row.
                        let (a, b) = last_full.clone().expect("checked");
                        (l1, l2) = (a, b);
                    }
                    None => {}
                    Some(c) => {
                        let mut k = c;
                        if closed && let Some(e) = groups.iter().position(|x| x.rows.is_empty()) {
                            k = e;
                            cur = Some(e);
                            closed = false;
                        }
                        groups[k].rows.push(out.len());
                        g = Some(k);
                    }
                }
            }
            row_group.push(g);
            out.push(IndicatorRow {
                level1: l1,
                level2: l2,
                level3: Some(l3),
                target: Some(target),
                line,
                line_end,
            });
        }
        match (&items[i], role[i]) {
            (IndItem::Text { text, .. }, Some(Role::L1)) => {
                flush_pairs(&mut pairs, &mut pair_rows, &mut out);
                groups.push(Group {
                    l1: text.clone(),
                    l2: None,
                    rows: Vec::new(),
                });
                cur = Some(groups.len() - 1);
                closed = false;
                last_full = None;
            }
            (IndItem::Text { text, .. }, Some(Role::L2Merged)) => {
                if let Some(c) = cur
                    && groups[c].l2.is_none()
                {
                    groups[c].l2 = Some(text.clone());
                    closed = true;
                }
            }
            (IndItem::Pair { l1, l2, .. }, _) => {
                cur = None;
                last_full = None;
                pairs.push((l1.clone(), l2.clone()));
            }
            _ => {}
        }
    }
    flush_pairs(&mut pairs, &mut pair_rows, &mut out);
    // Level 2: the group's spanning cell, else the next one-row cell of the
    // column run (listed top to bottom).
    let mut run: std::collections::VecDeque<String> = items
        .iter()
        .zip(&role)
        .filter_map(|(x, r)| match (x, r) {
            (IndItem::Text { text, .. }, Some(Role::L2Single)) => Some(text.clone()),
            _ => None,
        })
        .collect();
    // The one-row level-2 cells are listed top to bottom; the groups that
    // take them (no spanning level 2) are in dump order, which need not be
    // the printed order. When their rows account for the whole list, lay
    // the groups over it in the order whose level-2/level-3 names share
    // most characters, after giving a one-row group (a level-1 cell spans
    // at least two rows, else it prints beside its level 2) the row of a
    // neighbouring group most like its own.
    let l3_of = |out: &[IndicatorRow], r: usize| out[r].level3.clone().unwrap_or_default();
    let run_groups: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].l2.is_none() && !groups[g].rows.is_empty())
        .collect();
    let total: usize = run_groups.iter().map(|&g| groups[g].rows.len()).sum();
    if total == run.len() && run_groups.len() >= 2 && run_groups.len() <= 6 {
        for k in 0..run_groups.len() {
            let g = run_groups[k];
            if groups[g].rows.len() != 1 {
                continue;
            }
            let own = l3_of(&out, groups[g].rows[0]);
            let mut best: Option<(usize, usize, usize)> = None; // (score, group, index)
            for h in [k.checked_sub(1), Some(k + 1)]
                .into_iter()
                .flatten()
                .filter_map(|h| run_groups.get(h).copied())
            {
                if groups[h].rows.len() < 3 {
                    continue;
                }
                for (x, &r) in groups[h].rows.iter().enumerate() {
                    let s = shared_chars(&own, &l3_of(&out, r));
                    if s > 0 && best.is_none_or(|(b, _, _)| s > b) {
                        best = Some((s, h, x));
                    }
                }
            }
            if let Some((_, h, x)) = best {
                let r = groups[h].rows.remove(x);
                groups[g].rows.push(r);
                row_group[r] = Some(g);
                f.warn(
                    "indicators",
                    "ambiguous_assignment",
                    format!(
                        "{:?} moved under {:?} (a level-1 cell spans two rows or more)",
                        l3_of(&out, r),
                        groups[g].l1
                    ),
                );
            }
        }
        let names: Vec<String> = run.iter().cloned().collect();
        let score = |order: &[usize]| -> usize {
            let mut at = 0;
            let mut s = 0;
            for &g in order {
                for &r in &groups[g].rows {
                    s += shared_chars(&names[at], &l3_of(&out, r));
                    at += 1;
                }
            }
            s
        };
        let mut perm = run_groups.clone();
        let mut scores: Vec<(usize, Vec<usize>)> = Vec::new();
        fn each_perm(p: &mut Vec<usize>, at: usize, f: &mut dyn FnMut(&[usize])) {
            if at == p.len() {
                f(p);
                return;
            }
            for i in at..p.len() {
                p.swap(at, i);
                each_perm(p, at + 1, f);
                p.swap(at, i);
            }
        }
        each_perm(&mut perm, 0, &mut |p| scores.push((score(p), p.to_vec())));
        // Highest score; dump order (the first permutation) on ties.
        let best = scores
            .iter()
            .enumerate()
            .max_by_key(|(i, (s, _))| (*s, std::cmp::Reverse(*i)))
            .map(|(_, x)| x.clone())
            .expect("at least one order");
        if scores.iter().filter(|(s, _)| *s == best.0).count() > 1 {
            f.warn(
                "indicators",
                "ambiguous_assignment",
                "order of level-1 groups over the level-2 column not settled by the names; dump order kept where tied",
            );
        }
        let mut at = 0;
        for &g in &best.1 {
            for &r in &groups[g].rows {
                out[r].level2 = Some(names[at].clone());
                at += 1;
            }
        }
        run.clear();
    }
    for (r, g) in row_group.iter().enumerate() {
        let Some(g) = g else {
            if out[r].level1.is_none() && out[r].level2.is_none() {
                out[r].level2 = run.pop_front();
            }
            continue;
        };
        out[r].level1 = Some(groups[*g].l1.clone());
        if out[r].level2.is_none() {
            out[r].level2 = groups[*g].l2.clone().or_else(|| run.pop_front());
        }
    }
    if !run.is_empty() {
        f.warn(
            "indicators",
            "unassigned_value",
            format!(
                "level-2 names matched to no row: {}",
                run.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    for r in &out {
        if r.level1.is_none() || r.level2.is_none() {
            f.warn(
                "indicators",
                "not_found",
                format!(
                    "line {}: no level 1/2 found for {:?}",
                    r.line,
                    r.level3.as_deref().unwrap_or("")
                ),
            );
        }
    }
    for (x, r) in items.iter().zip(&role) {
        if let (IndItem::Text { text, line }, None) = (x, r) {
            f.warn(
                "indicators",
                "unassigned_value",
                format!("line {line}: {text:?} placed nowhere"),
            );
        }
    }
    f.indicators = out;
}

/// Places the indicator rows of every form, with roles learned across the
/// dump.
pub fn candidates_to_fields(mut forms: Vec<TextFields>) -> Vec<TextFields> {
    let roles = indicator_roles(&forms);
    for f in &mut forms {
        place_indicators(f, &roles);
    }
    forms
}

// ---------------------------------------------------------------------------
// Stage 5: records

fn loc(a: &Assigned) -> Location {
    Location::Text {
        line: a.line,
        line_end: a.line_end,
    }
}

/// Normalizes the placed values into a [`Record`].
pub fn fields_to_record(f: &TextFields, t: &Template, source: Source) -> Record {
    let mut warnings = f.warnings.clone();
    let mut provenance = BTreeMap::new();
    let mut r = Record::empty(t.record_fields(), source);
    for field in t.record_fields() {
        let key = field.key.as_str();
        let value = match field.kind {
            ValueKind::FundingTable => Value::Funding(funding_rows(f, key, &mut provenance)),
            ValueKind::IndicatorTable => {
                Value::Indicators(indicator_rows(f, key, t, &mut provenance))
            }
            kind => {
                let Some(a) = f.values.get(key) else { continue };
                provenance.insert(key.to_string(), loc(a));
                scalar_value(key, kind, field.shape, &a.value, &mut warnings)
            }
        };
        r.set(key, value);
    }
    // Required fields with nothing placed.
    for spec in t.fields.iter().filter(|s| s.required) {
        let present = match spec.shape.kind() {
            ValueKind::FundingTable | ValueKind::IndicatorTable => {
                r.get(&spec.key).is_some_and(|v| !v.is_empty())
            }
            _ => f.values.contains_key(&spec.key),
        };
        if !present && !warnings.iter().any(|w| w.field == spec.key) {
            warnings.push(Warning::new(&spec.key, "not_found", "no value placed"));
        }
    }
    for (k, _) in HEADER_FIELDS {
        if !f.values.contains_key(k) {
            warnings.push(Warning::new(k, "not_found", format!("{k} not found")));
        }
    }
    warnings.extend(cross_check_warnings(&r, t));
    r.warnings = warnings;
    r.provenance = provenance;
    r
}

/// A placed one-value field's value by its kind and shape: text trimmed
/// (null when empty), a year, a date or an amount parsed (null, with a
/// warning, when it does not parse).
fn scalar_value(
    key: &str,
    kind: ValueKind,
    shape: Option<Shape>,
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Value {
    let trimmed = text.trim();
    let text_or_null = (!trimmed.is_empty()).then(|| trimmed.to_string());
    match (kind, shape) {
        (ValueKind::Int, _) => Value::Int(text_or_null.and_then(|y| y.parse().ok())),
        (ValueKind::Money, _) => Value::Money(match parse_money(text) {
            Ok(m) => Some(m),
            Err(e) => {
                let msg = format!("{text:?}: {e}");
                warnings.push(Warning::new(key, "unparsed_amount", msg));
                None
            }
        }),
        (_, Some(Shape::Date)) => Value::Text(match normalize::parse_date(text) {
            DateParse::Ok(d) => Some(d),
            DateParse::Repaired { date, note } => {
                warnings.push(Warning::new(key, "repaired_date", note));
                Some(date)
            }
            DateParse::Invalid(reason) => {
                warnings.push(Warning::new(key, "unparsed_date", reason));
                None
            }
        }),
        _ => Value::Text(text_or_null),
    }
}

fn funding_rows(
    f: &TextFields,
    key: &str,
    provenance: &mut BTreeMap<String, Location>,
) -> Vec<FundingComponent> {
    let mut out = Vec::with_capacity(f.funding.len());
    for (i, row) in f.funding.iter().enumerate() {
        let amount = row.amount.as_deref().and_then(|a| parse_money(a).ok());
        out.push(FundingComponent {
            name: row.name.clone().unwrap_or_default(),
            amount,
        });
        let at = Location::Text {
            line: row.line,
            line_end: row.line_end,
        };
        provenance.insert(format!("{key}[{i}]"), at);
    }
    out
}

fn indicator_rows(
    f: &TextFields,
    key: &str,
    t: &Template,
    provenance: &mut BTreeMap<String, Location>,
) -> Vec<Indicator> {
    let mut out = Vec::with_capacity(f.indicators.len());
    for (i, row) in f.indicators.iter().enumerate() {
        out.push(Indicator {
            level1: row.level1.clone(),
            level2: row.level2.clone(),
            level3: row.level3.clone(),
            target: row.target.clone(),
            target_parsed: row.target.as_deref().and_then(|s| parse_target(s, t)),
        });
        let at = Location::Text {
            line: row.line,
            line_end: row.line_end,
        };
        provenance.insert(format!("{key}[{i}]"), at);
    }
    out
}

// ---------------------------------------------------------------------------
// Driver and dumps

/// A label found in a line's tokens: its last token on the line, the line
/// and token count it wrapped into, and what it is.
type LabelMatch = (usize, Option<(usize, usize)>, Kind);

/// A dump's text: UTF-8 (a BOM dropped), UTF-16 with a BOM, or else
/// GB18030 (GBK) when it decodes without error. `None` when none fits.
pub fn decode_text(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, bad) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (!bad).then_some(s);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let (s, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!bad).then_some(s)
}

/// Whether bytes look like a text dump of these forms: not a PDF, text
/// ([`decode_text`]), and holding the template's title or three of its
/// labels.
pub fn looks_like_text_dump(bytes: &[u8], t: &Template) -> bool {
    if bytes.starts_with(b"%PDF") || bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return false;
    }
    if bytes.contains(&0) && encoding_rs::Encoding::for_bom(bytes).is_none() {
        return false;
    }
    let Some(s) = decode_text(bytes) else {
        return false;
    };
    let key = label_key(&s);
    if key.contains(&label_key(&t.header.title)) {
        return true;
    }
    t.labels().filter(|(l, _)| key.contains(*l)).count() >= 3
}

/// Stages 1–4 over a dump's text.
pub fn text_to_fields(text: &str, t: &Template) -> Vec<TextFields> {
    let pages: Vec<(usize, Vec<Block>)> = text_to_pages(text)
        .iter()
        .map(|p| (p.number, page_to_blocks(p, t)))
        .collect();
    let forms: Vec<TextFields> = blocks_to_forms(pages)
        .iter()
        .map(|f| form_to_candidates(f, t))
        .collect();
    candidates_to_fields(forms)
}

/// The blocks of every page, one per line (`--dump blocks`).
pub fn dump_blocks(text: &str, t: &Template) -> String {
    let mut s = String::new();
    for p in text_to_pages(text) {
        let _ = writeln!(s, "# page {}", p.number);
        for b in page_to_blocks(&p, t) {
            let kind = match &b.kind {
                Kind::Paragraph(x) => {
                    let head: String = x.chars().take(30).collect();
                    format!("Paragraph({head:?}…)")
                }
                k => format!("{k:?}"),
            };
            let _ = writeln!(s, "{}-{}\tr{}\t{kind}", b.line, b.line_end, b.row);
        }
    }
    s
}

/// The placed fields of every form (`--dump fields`).
pub fn dump_fields(forms: &[TextFields]) -> String {
    let mut s = String::new();
    for (i, f) in forms.iter().enumerate() {
        let _ = writeln!(s, "# form {i} (pages {:?})", f.pages);
        for (k, a) in &f.values {
            let v: String = a.value.chars().take(40).collect();
            let _ = writeln!(s, "{k}\tlines {}-{}\t{v:?}", a.line, a.line_end);
        }
        for r in &f.funding {
            let _ = writeln!(
                s,
                "funding\tlines {}-{}\t{:?}\t{:?}",
                r.line, r.line_end, r.name, r.amount
            );
        }
        for r in &f.indicators {
            let _ = writeln!(
                s,
                "indicator\tlines {}-{}\t{} | {} | {} | {}",
                r.line,
                r.line_end,
                r.level1.as_deref().unwrap_or("-"),
                r.level2.as_deref().unwrap_or("-"),
                r.level3.as_deref().unwrap_or("-"),
                r.target.as_deref().unwrap_or("-"),
            );
        }
        for w in &f.warnings {
            let _ = writeln!(s, "warning\t{}\t{}\t{}", w.field, w.code, w.message);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Template {
        Template::builtin().unwrap()
    }

    fn page(text: &str) -> TextPage {
        text_to_pages(text).remove(0)
    }

    fn kinds(text: &str) -> Vec<Kind> {
        page_to_blocks(&page(text), &t())
            .into_iter()
            .map(|b| b.kind)
            .collect()
    }

    fn fields(text: &str) -> Vec<TextFields> {
        text_to_fields(text, &t())
    }

    fn value<'a>(f: &'a TextFields, k: &str) -> Option<&'a str> {
        f.values.get(k).map(|a| a.value.as_str())
    }

    fn label(k: &str) -> Kind {
        Kind::Label(k.to_string())
    }

    #[test]
    fn form_feed_and_blank_runs_both_break_pages() {
        let p = text_to_pages("a\n\nb\n\n\n\nc\u{c}d\n\u{c}\n\n");
        let texts: Vec<Vec<&str>> = p
            .iter()
            .map(|p| {
                p.lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .collect();
        assert_eq!(texts, vec![vec!["a", "b"], vec!["c"], vec!["d"]]);
        // Two blank lines do not break; line numbers are kept.
        let p = text_to_pages("a\n\n\nb");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].lines.last().unwrap().no, 4);
    }

    #[test]
    fn wrapped_label_across_lines_is_one_label() {
        assert_eq!(
            kinds("保证项目实施的制度、\n措施\n"),
            vec![label("safeguards")]
        );
        // Across a blank line, the value following the wrapped part.
        assert_eq!(
            kinds("同名项目上年预算执行\n\n数（元）\n44,640,200.00\n"),
            vec![
                label("prior_year_spent"),
                Kind::Money("44,640,200.00".into())
            ]
        );
        // A full label variant extended by its wrapped unit.
        let b = page_to_blocks(&page("同名项目上年预算执行数\n\n（元）\n"), &t());
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].line, b[0].line_end), (1, 3));
    }

    #[test]
    fn row_cells_on_one_line_are_split_into_label_value_pairs() {
        assert_eq!(
            kinds("项目总预算（元） 42,429,660.00 项目当年预算（元） 19,700,000"),
            vec![
                label("total_budget"),
                Kind::Money("42,429,660.00".into()),
                label("current_year_budget"),
                Kind::Money("19,700,000".into()),
            ]
        );
        let f = &fields("项目总预算（元） 42,429,660.00 项目当年预算（元） 19,700,000\n")[0];
        assert_eq!(value(f, "total_budget"), Some("42,429,660.00"));
        assert_eq!(value(f, "current_year_budget"), Some("19,700,000"));
    }

    #[test]
    fn value_before_the_second_label_of_a_row_belongs_to_the_first() {
        let f = &fields("开始时间\n\n项目概况\n\n2019/1/1 结束时间 201912/31\n")[0];
        assert_eq!(value(f, "start_date"), Some("2019/1/1"));
        assert_eq!(value(f, "end_date"), Some("201912/31"));
        let r = fields_to_record(f, &t(), source());
        assert_eq!(r.text("end_date"), Some("2019-12-31"));
        assert!(r.warnings.iter().any(|w| w.code == "repaired_date"));
    }

    #[test]
    fn swapped_target_and_indicator_are_reordered() {
        assert_eq!(
            kinds("100%人员到位率"),
            vec![Kind::Target("100%".into()), Kind::Text("人员到位率".into())]
        );
        let f = &fields(
            "一级指标 二级指标\n\n人力资源\n\n备注\n\n影响力目标\n\n100%人员到位率\n\n完成率 ≥95%\n",
        )[0];
        let got: Vec<(&str, &str)> = f
            .indicators
            .iter()
            .map(|r| (r.level3.as_deref().unwrap(), r.target.as_deref().unwrap()))
            .collect();
        assert_eq!(got, vec![("人员到位率", "100%"), ("完成率", "≥95%")]);
        assert_eq!(f.indicators[0].level1.as_deref(), Some("影响力目标"));
        assert_eq!(f.indicators[0].level2.as_deref(), Some("人力资源"));
    }

    #[test]
    fn swapped_target_needs_a_percentage_then_chinese_text() {
        let split = split_swapped_target;
        assert_eq!(
            split("≥90.5％满意度"),
            Some(("≥90.5％".to_string(), "满意度".to_string()))
        );
        assert_eq!(
            split("⩾90%满意度"),
            Some(("⩾90%".to_string(), "满意度".to_string()))
        );
        for t in [
            "90%",
            "100%人",
            "100%ab",
            "≥%满意度",
            "90满意度",
            "a90%满意度",
        ] {
            assert_eq!(split(t), None, "{t:?}");
        }
    }

    #[test]
    fn funding_amount_on_the_next_page_joins_its_row() {
        let text = "项目总预算（元） 300.00 项目当年预算（元） 300.00\n\n\n\n\
                    项目当年投入资金构成\n\n子项目名称 预算金额（元）\n\n甲 100.00\n\n乙\n\n\n\n\
                    200.00\n\n完成率 100%\n";
        let f = &fields(text)[0];
        let rows: Vec<(Option<&str>, Option<&str>)> = f
            .funding
            .iter()
            .map(|r| (r.name.as_deref(), r.amount.as_deref()))
            .collect();
        assert_eq!(
            rows,
            vec![(Some("甲"), Some("100.00")), (Some("乙"), Some("200.00"))]
        );
        assert!(f.warnings.iter().any(|w| w.code == "inferred_value"));
    }

    #[test]
    fn lone_amount_that_does_not_close_the_sum_is_left_unplaced() {
        let text =
            "项目当年预算（元） 300.00\n\n项目当年投入资金构成\n\n甲 100.00\n\n乙\n\n999.00\n";
        let f = &fields(text)[0];
        assert_eq!(f.funding[1].amount, None);
        let codes: Vec<&str> = f.warnings.iter().map(|w| w.code.as_str()).collect();
        assert!(codes.contains(&"missing_amount"), "{codes:?}");
        assert!(codes.contains(&"unassigned_value"), "{codes:?}");
    }

    #[test]
    fn paragraph_after_its_label_is_its_own_and_the_rest_follow_form_order() {
        // Values of the page's lower rows printed above the title line.
        let text = "项目概况\n\n立项依据\n\n项目设立的必要性\n    必要。\n\n    依据。\n\n\
                    上海市财政支出项目绩效目标申报表\n\n(2019年)\n\n申报单位名称：某单位\n\n某项目\n\n    概况。\n";
        let f = &fields(text)[0];
        assert_eq!(value(f, "necessity"), Some("必要。"));
        assert_eq!(value(f, "overview"), Some("概况。"));
        assert_eq!(value(f, "basis"), Some("依据。"));
        assert_eq!(value(f, "project_name"), Some("某项目"));
        assert_eq!(value(f, "unit"), Some("某单位"));
        assert_eq!(value(f, "year"), Some("2019"));
    }

    #[test]
    fn option_wrapped_over_lines_and_missing_box_are_read() {
        let text =
            "资金用途\n基本建设工程类□    政府购买服务    资产\n购置类□    其他事业专业类■\n";
        let f = &fields(text)[0];
        assert_eq!(value(f, "fund_use"), Some("其他事业专业类"));
    }

    #[test]
    fn header_variants_year_on_title_line_unit_on_next_line_glued_label() {
        let text = "上海市财政支出项目绩效目标申报表（2020年）\n申报单位名称：\n某单位\n项目名称：某项目\n";
        let f = &fields(text)[0];
        assert_eq!(value(f, "year"), Some("2020"));
        assert_eq!(value(f, "unit"), Some("某单位"));
        assert_eq!(value(f, "project_name"), Some("某项目"));
    }

    #[test]
    fn merged_level_cells_printed_once_carry_down_to_later_rows() {
        let text = "产出目标 数量目标 完成率 100%\n\n质量目标 达标率 ≥90%\n\n及时率 100%\n";
        let f = &fields(text)[0];
        let got: Vec<String> = f
            .indicators
            .iter()
            .map(|r| {
                format!(
                    "{}/{}/{}",
                    r.level1.as_deref().unwrap_or("-"),
                    r.level2.as_deref().unwrap_or("-"),
                    r.level3.as_deref().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                "产出目标/数量目标/完成率",
                "产出目标/质量目标/达标率",
                "产出目标/质量目标/及时率"
            ]
        );
    }

    #[test]
    fn text_dump_is_detected_by_content() {
        let t = t();
        assert!(looks_like_text_dump(
            "上海市财政支出项目绩效目标申报表\n".as_bytes(),
            &t
        ));
        assert!(!looks_like_text_dump(b"%PDF-1.7\n...", &t));
        assert!(!looks_like_text_dump(&[0xff, 0xfe, 0x00], &t));
        assert!(!looks_like_text_dump("hello".as_bytes(), &t));
        // GBK and UTF-8 with a BOM.
        let (gbk, _, _) = encoding_rs::GBK.encode("上海市财政支出项目绩效目标申报表\n");
        assert!(looks_like_text_dump(&gbk, &t));
        assert_eq!(
            decode_text(&gbk).unwrap(),
            "上海市财政支出项目绩效目标申报表\n"
        );
        let bom = "\u{feff}上海市财政支出项目绩效目标申报表".as_bytes();
        assert!(looks_like_text_dump(bom, &t));
    }

    fn source() -> Source {
        Source {
            file: "x.txt".into(),
            sha256: String::new(),
            form_index: 0,
            pages: vec![1],
            ocr: false,
            ocr_pages: Vec::new(),
        }
    }
}
