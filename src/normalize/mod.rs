//! Value normalization: amounts, dates, years, indicator targets and text.
//!
//! Every function here is pure and works on one cell's text. Value parsers
//! ([`parse_money`], [`parse_date`], [`parse_year`], [`parse_target`]) fold
//! full-width ASCII first ([`fold_width`]); free text is never folded, only
//! re-flowed ([`join_paragraphs`], [`join_wrapped_lines`]).

use std::sync::LazyLock;

use regex::Regex;

use crate::record::{Money, TargetParsed};
use crate::template::Template;
use crate::text::{
    OPERATORS, is_blank, is_operator_char, operator_prefix, strip_blank, trim_blank,
};

/// A regex, compiled once. The patterns write digits `[0-9]`: the regex
/// crate's `\d` is any Unicode digit.
macro_rules! regex {
    ($re:expr) => {
        LazyLock::new(|| Regex::new(&$re).expect("a valid regex"))
    };
}

/// A blank ([`crate::text::is_blank`]) as a regex class.
const BLANK: &str = r"[\s\u{200B}-\u{200D}\u{FEFF}]";

/// Full-width ASCII variants (U+FF01–U+FF5E) to ASCII, and the ideographic
/// space U+3000 to an ASCII space. Everything else is kept.
///
/// For value parsing only (amounts, dates, targets): free text keeps its
/// full-width punctuation as printed.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Money

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The cell is empty or blank: not an error for the record (the field is
    /// null), so callers map it to `None` without a warning.
    #[error("empty amount")]
    Empty,
    /// The cell holds something that is not an amount in yuan.
    #[error("not an amount {input:?}: {reason}")]
    Invalid {
        /// The cell's text as given.
        input: String,
        /// Why it is not an amount.
        reason: String,
    },
}

impl MoneyError {
    /// Whether this is the blank-cell outcome.
    pub fn is_empty(&self) -> bool {
        matches!(self, MoneyError::Empty)
    }
}

fn money_err(input: &str, reason: impl Into<String>) -> MoneyError {
    MoneyError::Invalid {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Reads an amount in yuan, exactly to the fen.
///
/// Accepted: `42,429,660.00`, `19,700,000`, `3480000`, `1,234.5`, full-width
/// digits and separators (`４２，４２９，６６０．００`), surrounding white
/// space, a trailing `元`, a leading `-` (or `−`) for negative amounts, a
/// trailing decimal point (`100.`). Thousands separators must group by three.
/// More than two decimals is an error unless the extra digits are zeros.
/// `万元` amounts are an error (the form's labels say （元）).
///
/// A blank cell (or one holding only `元`) gives [`MoneyError::Empty`].
pub fn parse_money(s: &str) -> Result<Money, MoneyError> {
    let folded = fold_width(s);
    let mut t = trim_blank(&folded);
    if let Some(rest) = t.strip_suffix('元') {
        t = trim_blank(rest);
    }
    if t.is_empty() {
        return Err(MoneyError::Empty);
    }
    if t.contains('万') {
        return Err(money_err(
            s,
            "an amount in ten-thousands of yuan where the form's unit is the yuan",
        ));
    }
    parse_scaled(s, t, 0)
}

/// Reads an amount printed in a unit of `10^exponent` yuan (`万元`: 4)
/// to yuan, exactly to the fen: the number as [`parse_money`] reads it
/// (no unit in it; the caller strips the printed unit), with up to
/// `2 + exponent` decimals (more only as trailing zeros), times
/// `10^exponent`. `exponent` 0 is [`parse_money`].
pub fn parse_money_scaled(s: &str, exponent: u32) -> Result<Money, MoneyError> {
    if exponent == 0 {
        return parse_money(s);
    }
    let folded = fold_width(s);
    let t = trim_blank(&folded);
    if t.is_empty() {
        return Err(MoneyError::Empty);
    }
    parse_scaled(s, t, exponent)
}

/// The number `t` (of the input `s`) in units of `10^exponent` yuan, in
/// fen.
fn parse_scaled(s: &str, t: &str, exponent: u32) -> Result<Money, MoneyError> {
    let (negative, body) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if body.is_empty() {
        return Err(money_err(s, "a sign with no digits"));
    }
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int_part.is_empty() {
        return Err(money_err(s, "no digits before the decimal point"));
    }
    if let Some(c) = int_part.chars().find(|c| !c.is_ascii_digit() && *c != ',') {
        return Err(money_err(s, format!("unexpected character {c:?}")));
    }
    if let Some(c) = frac_part.chars().find(|c| !c.is_ascii_digit()) {
        return Err(money_err(
            s,
            format!("unexpected character {c:?} after the decimal point"),
        ));
    }
    if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(money_err(s, "thousands separators not in groups of three"));
        }
    }
    let places = 2 + exponent as usize;
    if frac_part.len() > places && frac_part[places..].bytes().any(|b| b != b'0') {
        return Err(money_err(s, "more decimals than a fen"));
    }
    let overflow = || money_err(s, "amount too large");
    // the integer digits, then the decimals padded to a fen
    let digits = int_part.bytes().filter(u8::is_ascii_digit).chain(
        frac_part
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(places),
    );
    let mut fen: i64 = 0;
    for b in digits {
        fen = fen
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    Ok(Money(if negative { -fen } else { fen }))
}

/// [`parse_money`] with the blank cell mapped to `Ok(None)`.
pub fn parse_money_opt(s: &str) -> Result<Option<Money>, MoneyError> {
    match parse_money(s) {
        Ok(m) => Ok(Some(m)),
        Err(MoneyError::Empty) => Ok(None),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Dates and years

/// The outcome of reading a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateParse {
    /// A valid date, as `YYYY-MM-DD`.
    Ok(String),
    /// A date read from a known typo; `note` says what was repaired (the
    /// caller turns it into a warning).
    Repaired {
        /// The repaired date, as `YYYY-MM-DD`.
        date: String,
        /// What was repaired.
        note: String,
    },
    /// Not a date; the string is the reason.
    Invalid(String),
}

impl DateParse {
    /// The date, repaired or not.
    pub fn date(&self) -> Option<&str> {
        match self {
            DateParse::Ok(d) | DateParse::Repaired { date: d, .. } => Some(d),
            DateParse::Invalid(_) => None,
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Plausible years for a form (also the range a glued year must fall in).
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

fn ymd(input: &str, y: &str, m: &str, d: &str) -> Result<String, String> {
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(format!("not a date: {input:?}"));
    };
    if !YEARS.contains(&y) {
        return Err(format!("implausible year {y} in {input:?}"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("no month {m} in {input:?}"));
    }
    if d == 0 || d > days_in_month(y, m) {
        return Err(format!("no day {d} in month {y}-{m:02} in {input:?}"));
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// `2019年1月1日`, the `日` optional.
static DATE_CJK: LazyLock<Regex> = regex!(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?$");
/// `2019/1/1`, `2019-01-01`, `2019.1.1`, with a trailing separator or not.
/// That all separators are one kind is checked after the match (the regex
/// crate has no back-references).
static DATE_SEPARATED: LazyLock<Regex> =
    regex!(r"^([0-9]{4})([/.-])([0-9]{1,2})([/.-])([0-9]{1,2})([/.-])?$");
/// `201912/31`: the year glued to a month of one or two digits.
static DATE_GLUED: LazyLock<Regex> = regex!(r"^([0-9]{4})([0-9]{1,2})[/.-]([0-9]{1,2})$");
/// `(2019年)`, `2019年度` … (after [`fold_width`], blanks removed).
static YEAR_LINE: LazyLock<Regex> = regex!(r"^\(?([0-9]{4})年度?\)?$");

/// Reads a date to `YYYY-MM-DD`.
///
/// Accepted: `2019/1/1`, `2019-01-01`, `2019.1.1` (one separator kind per
/// date), `2019年1月1日` (the `日` may be missing), full-width digits, white
/// space anywhere. The year must be in 1990–2100, month and day must exist
/// (leap years checked).
///
/// Repaired (with a note):
/// - the year glued to the month, `201912/31` → `2019-12-31` (5–6 digits, a
///   separator, a day; the first four digits a year in 1990–2100);
/// - one trailing separator, `2019/12/31/` → `2019-12-31`.
///
/// Anything else is [`DateParse::Invalid`].
pub fn parse_date(s: &str) -> DateParse {
    let t = strip_blank(&fold_width(s));
    if t.is_empty() {
        return DateParse::Invalid("empty date".to_string());
    }
    let Some((y, m, d, repair)) = date_parts(&t) else {
        return DateParse::Invalid(format!("not a date: {s:?}"));
    };
    match (ymd(s, y, m, d), repair) {
        (Ok(date), None) => DateParse::Ok(date),
        (Ok(date), Some(DateRepair::TrailingSeparator(sep))) => DateParse::Repaired {
            note: format!("trailing {sep:?} removed from {s:?}, read as {date}"),
            date,
        },
        (Ok(date), Some(DateRepair::GluedYear)) => DateParse::Repaired {
            note: format!("year glued to the month in {s:?}, read as {date}"),
            date,
        },
        (Err(e), _) => DateParse::Invalid(e),
    }
}

/// A typo [`parse_date`] reads through.
enum DateRepair {
    TrailingSeparator(char),
    GluedYear,
}

/// Year, month and day of a date's text (blanks removed) by its shape,
/// with the typo read through; `None` when no shape fits (or a glued year
/// is implausible).
fn date_parts(t: &str) -> Option<(&str, &str, &str, Option<DateRepair>)> {
    if let Some(c) = DATE_CJK.captures(t) {
        let (_, [y, m, d]) = c.extract();
        return Some((y, m, d, None));
    }
    if let Some(c) = DATE_SEPARATED.captures(t) {
        let group = |i: usize| c.get(i).map(|g| g.as_str());
        let (sep, trailing) = (group(2)?, group(6));
        if group(4)? != sep || trailing.is_some_and(|x| x != sep) {
            return None;
        }
        let repair = trailing.and_then(|x| x.chars().next().map(DateRepair::TrailingSeparator));
        return Some((group(1)?, group(3)?, group(5)?, repair));
    }
    let c = DATE_GLUED.captures(t)?;
    let (_, [y, m, d]) = c.extract();
    y.parse::<i32>()
        .is_ok_and(|y| YEARS.contains(&y))
        .then_some((y, m, d, Some(DateRepair::GluedYear)))
}

/// A date to the month or the day: `2021年3月`, `2021年3月15日`,
/// `2021.3`, `2021-03-15`, `2021/3` (one separator kind).
static PARTIAL_DATE: LazyLock<Regex> = regex!(
    r"^([0-9]{4})(?:年([0-9]{1,2})月(?:([0-9]{1,2})日?)?|([/.-])([0-9]{1,2})(?:([/.-])([0-9]{1,2}))?)$"
);

/// Reads a date printed to the month or to the day, to `YYYY-MM` or
/// `YYYY-MM-DD` as printed (blanks and full-width forms folded); the
/// reason when it is none.
pub fn parse_partial_date(s: &str) -> Result<String, String> {
    let t = strip_blank(&fold_width(s));
    if t.is_empty() {
        return Err("empty date".into());
    }
    let c = PARTIAL_DATE
        .captures(&t)
        .ok_or_else(|| format!("not a date: {s:?}"))?;
    let g = |i: usize| c.get(i).map(|m| m.as_str());
    let (y, m, d) = match g(2) {
        Some(m) => (&c[1], m, g(3)),
        None => {
            if g(6).is_some_and(|x| Some(x) != g(4)) {
                return Err(format!("mixed separators in {s:?}"));
            }
            (&c[1], g(5).unwrap_or(""), g(7))
        }
    };
    match d {
        Some(d) => ymd(s, y, m, d),
        // the month checked through its first day
        None => ymd(s, y, m, "1").map(|full| full[..7].to_string()),
    }
}

/// The words and dashes between a range's two dates (`至`, `到`, `-`, `—`,
/// `~`), blanks around them.
static RANGE_SEP: LazyLock<Regex> = regex!(r"\s*(?:至|到|—+|–|~|～|-{1,2})\s*");

/// Reads a range of two partial dates ([`parse_partial_date`]): `2021年1月
/// 至2021年12月`, `2021.01-2021.12`, `2021-01-01至2021-12-31`. The range
/// is cut at the separator that leaves a date on both sides. Returns the
/// ISO 8601 interval `start/end` and whether start is after end; the
/// reason when it is no range.
pub fn parse_date_range(s: &str) -> Result<(String, bool), String> {
    let t = trim_blank(s);
    if t.is_empty() {
        return Err("empty range".into());
    }
    for m in RANGE_SEP.find_iter(t) {
        let (a, b) = (&t[..m.start()], &t[m.end()..]);
        if let (Ok(a), Ok(b)) = (parse_partial_date(a), parse_partial_date(b)) {
            let after = a[..a.len().min(b.len())] > b[..a.len().min(b.len())];
            return Ok((format!("{a}/{b}"), after));
        }
    }
    Err(format!("not a range of two dates: {s:?}"))
}

/// Reads the form's year line: `(2019年)`, `（2019年）`, `2019年度`,
/// `（2019年度）`, `2019年`. The whole trimmed line must have that shape (so a
/// date in running text is not a year line); the year must be in 1990–2100.
pub fn parse_year(s: &str) -> Option<i32> {
    let t = strip_blank(&fold_width(s));
    let c = YEAR_LINE.captures(&t)?;
    c[1].parse().ok().filter(|y| YEARS.contains(y))
}

// ---------------------------------------------------------------------------
// Indicator targets

/// `[op] number rest`: an operator of [`OPERATORS`] (the first spelling
/// listed that fits, so the longest), blanks, a number (an optional `-`,
/// digits in groups of three or not grouped, optional decimals), blanks,
/// and the rest (unit and suffix, checked by [`parse_target`]).
static TARGET: LazyLock<Regex> = regex!({
    let ops: Vec<String> = OPERATORS.iter().map(|(o, _)| regex::escape(o)).collect();
    format!(
        r"(?s)^(?<op>{})?{BLANK}*(?<number>-?(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.[0-9]+)?){BLANK}*(?<rest>.*)$",
        ops.join("|")
    )
});

/// Characters a unit may not contain besides digits, white space and
/// operators: sentence punctuation, so `100%。` or `5,6` stay unparsed.
fn is_unit_punct(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | '，'
            | '。'
            | '；'
            | '：'
            | '、'
            | '！'
            | '？'
            | '-'
            | '+'
    )
}

/// Reads a target of the shape `[op] number [unit]`.
///
/// - `op`: `≥ ≤ > < =` and their variants ([`crate::text::OPERATORS`]:
///   `≧ ≦ ⩾ ⩽`, full-width `＞ ＜ ＝`, `>=`, `<=`, `=>`, `=<`, `≥=`, `≤=`,
///   `==`), normalized to one of `≥ ≤ > < =`; missing means `=`.
/// - `number`: digits, optional decimals, optional thousands separators, an
///   optional leading `-`; full-width digits folded.
/// - `unit`: 1–4 characters that are not digits, white space, operators or
///   sentence punctuation (`%`, `％`→`%`, `次`, `个`, `小时`, `万人次`), or none.
/// - the template's target suffixes ([`Template::target_suffixes`]:
///   `以上` / `及以上` → `≥`, `以下` / `及以下` / `以内` → `≤`) after the
///   unit are read as the operator when no operator is printed (`90%以上`
///   → `≥ 90 %`); with a printed operator they make the target unparsed.
///
/// White space may separate the parts. The whole trimmed target must match,
/// else `None` (`平均减少50%`, `完善`, `全年重大信息安全事件≤2次`).
pub fn parse_target(s: &str, t: &Template) -> Option<TargetParsed> {
    let folded = fold_width(s);
    let c = TARGET.captures(trim_blank(&folded))?;
    let mut op = c
        .name("op")
        .and_then(|o| operator_prefix(o.as_str()))
        .map(|(norm, _)| norm);
    let value: f64 = c["number"].replace(',', "").parse().ok()?;
    // The unit.
    let mut unit = c.name("rest").map_or("", |r| r.as_str());
    for s in t.target_suffixes() {
        if let Some(rest) = unit.strip_suffix(s.suffix.as_str()) {
            if op.is_some() {
                return None;
            }
            op = Some(s.op);
            unit = trim_blank(rest);
            break;
        }
    }
    let unit_ok = unit.chars().count() <= 4
        && unit.chars().all(|c| {
            !c.is_ascii_digit() && !is_blank(c) && !is_operator_char(c) && !is_unit_punct(c)
        });
    if !unit_ok {
        return None;
    }
    Some(TargetParsed {
        op: op.unwrap_or("=").to_string(),
        value,
        unit: unit.to_string(),
    })
}

// ---------------------------------------------------------------------------
// Text

/// One physical line of a text cell, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLine<'a> {
    /// The line as printed (leading and trailing white space allowed).
    pub text: &'a str,
    /// Whether the line begins a paragraph (e.g. it is indented). The first
    /// line always does.
    pub starts_paragraph: bool,
}

impl<'a> TextLine<'a> {
    /// A line with its text and paragraph flag.
    pub fn new(text: &'a str, starts_paragraph: bool) -> Self {
        TextLine {
            text,
            starts_paragraph,
        }
    }
}

/// Joins the physical lines of a text cell into paragraphs separated by `\n`.
///
/// - Every line is trimmed at both ends (ASCII and ideographic spaces, tabs,
///   other white space); runs of inner spaces are kept as printed. So a
///   paragraph's indentation is removed.
/// - Within a paragraph, wrapped lines are joined with nothing: the forms
///   wrap Chinese anywhere and ASCII words mid-word with no hyphen.
///   One exception: when the previous line ended with white space as printed,
///   or the next line began with it, and the join is between an ASCII
///   character (not a space) and an ASCII letter or digit, one space is kept
///   (`data ` / `center` → `data center`): the printed space is the only
///   evidence of a word break. PDF lines rarely carry it, so usually this
///   does not apply.
/// - A blank line ends the paragraph; empty paragraphs are dropped.
pub fn join_paragraphs(lines: &[TextLine]) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut prev_trailing_space = false;
    for line in lines {
        let text = trim_blank(line.text);
        if text.is_empty() {
            if let Some(p) = current.take() {
                paragraphs.push(p);
            }
            continue;
        }
        let leading_space = line.text.starts_with(is_blank);
        match current.as_mut() {
            Some(p) if !line.starts_paragraph => {
                let last = p.chars().next_back();
                let first = text.chars().next();
                let spaced = (prev_trailing_space || leading_space)
                    && last.is_some_and(|c| c.is_ascii_graphic())
                    && first.is_some_and(|c| c.is_ascii_alphanumeric());
                if spaced {
                    p.push(' ');
                }
                p.push_str(text);
            }
            _ => {
                if let Some(p) = current.take() {
                    paragraphs.push(p);
                }
                current = Some(text.to_string());
            }
        }
        prev_trailing_space = line.text.ends_with(is_blank);
    }
    if let Some(p) = current.take() {
        paragraphs.push(p);
    }
    paragraphs.join("\n")
}

/// Indentation width of a line: an ASCII space (or NBSP) counts 1, an
/// ideographic space 2, a tab 4.
pub fn indent_width(line: &str) -> usize {
    line.chars()
        .map_while(|c| match c {
            ' ' | '\u{A0}' => Some(1),
            '\u{3000}' => Some(2),
            '\t' => Some(4),
            _ => None,
        })
        .sum()
}

/// [`join_paragraphs`] for lines whose indentation marks paragraph starts: a
/// non-blank line starts a paragraph when it is indented at least 2 columns
/// (see [`indent_width`]) more than the least-indented non-blank line of the
/// input, so a block indented as a whole is still one paragraph.
pub fn join_wrapped_lines(lines: &[&str]) -> String {
    let base = lines
        .iter()
        .filter(|l| !trim_blank(l).is_empty())
        .map(|l| indent_width(l))
        .min()
        .unwrap_or(0);
    let tl: Vec<TextLine> = lines
        .iter()
        .map(|l| TextLine::new(l, indent_width(l) >= base + 2))
        .collect();
    join_paragraphs(&tl)
}

/// Whether two texts are equal once all blanks (white space incl. U+3000
/// and line breaks, zero-width marks: [`crate::text::is_blank`]) are
/// removed.
pub fn text_equivalent(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| !is_blank(*c))
        .eq(b.chars().filter(|c| !is_blank(*c)))
}

#[cfg(test)]
mod tests;
