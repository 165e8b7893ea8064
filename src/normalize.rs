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
    Invalid { input: String, reason: String },
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
            "amounts in 万元 are not expected (labels say 元)",
        ));
    }
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
    if frac_part.len() > 2 && frac_part[2..].bytes().any(|b| b != b'0') {
        return Err(money_err(s, "more than two decimals (finer than a fen)"));
    }
    let overflow = || money_err(s, "amount too large");
    let mut fen: i64 = 0;
    for b in int_part.bytes().filter(u8::is_ascii_digit) {
        fen = fen
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    let mut frac = frac_part.bytes().chain(std::iter::repeat(b'0')).take(2);
    let jiao = i64::from(frac.next().unwrap_or(b'0') - b'0');
    let fen_digit = i64::from(frac.next().unwrap_or(b'0') - b'0');
    fen = fen
        .checked_mul(100)
        .and_then(|v| v.checked_add(jiao * 10 + fen_digit))
        .ok_or_else(overflow)?;
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
    Repaired { date: String, note: String },
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
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

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

/// The characters of `s` with blanks ([`crate::text::is_blank`]) removed,
/// as [`text_equivalent`] and [`similarity`] see them.
pub fn squeeze(s: &str) -> Vec<char> {
    s.chars().filter(|c| !is_blank(*c)).collect()
}

/// Levenshtein distance over chars: common prefix and suffix stripped
/// (exact, and makes near-equal texts cheap), then a two-row DP.
pub fn levenshtein(a: &[char], b: &[char]) -> usize {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() {
        return b.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `1 - levenshtein / max(len)` over chars with white space removed: 1.0
/// for equivalent texts (two blank texts included), 0.0 for nothing alike.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (squeeze(a), squeeze(b));
    let n = a.len().max(b.len());
    if n == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl() -> &'static Template {
        static T: LazyLock<Template> = LazyLock::new(|| Template::builtin().unwrap());
        &T
    }

    fn tp(op: &str, value: f64, unit: &str) -> Option<TargetParsed> {
        Some(TargetParsed {
            op: op.to_string(),
            value,
            unit: unit.to_string(),
        })
    }

    // --- fold_width

    #[test]
    fn fold_width_full_width_digits_and_punctuation() {
        assert_eq!(fold_width("４２，４２９．００"), "42,429.00");
        assert_eq!(fold_width("（２０１９年）"), "(2019年)");
        assert_eq!(fold_width("＞＝９０％"), ">=90%");
    }

    #[test]
    fn fold_width_ideographic_space_to_space() {
        assert_eq!(fold_width("a\u{3000}b"), "a b");
    }

    #[test]
    fn fold_width_keeps_cjk_and_cjk_punctuation() {
        assert_eq!(fold_width("项目概况。、"), "项目概况。、");
    }

    // --- parse_money

    #[test]
    fn money_with_separators_and_decimals() {
        assert_eq!(parse_money("42,429,660.00"), Ok(Money(4_242_966_000)));
    }

    #[test]
    fn money_with_separators_no_decimals() {
        assert_eq!(parse_money("19,700,000"), Ok(Money(1_970_000_000)));
    }

    #[test]
    fn money_plain_digits() {
        assert_eq!(parse_money("3480000"), Ok(Money(348_000_000)));
    }

    #[test]
    fn money_one_decimal() {
        assert_eq!(parse_money("1,234.5"), Ok(Money(123_450)));
    }

    #[test]
    fn money_exact_to_the_fen() {
        assert_eq!(parse_money("0.01"), Ok(Money(1)));
        assert_eq!(
            parse_money("90071992547409.93"),
            Ok(Money(9_007_199_254_740_993))
        );
    }

    #[test]
    fn money_full_width() {
        assert_eq!(
            parse_money("４２，４２９，６６０．００"),
            Ok(Money(4_242_966_000))
        );
    }

    #[test]
    fn money_surrounding_spaces_and_yuan_suffix() {
        assert_eq!(parse_money("  19,700,000 元 "), Ok(Money(1_970_000_000)));
        assert_eq!(parse_money("\u{3000}100元"), Ok(Money(10_000)));
    }

    #[test]
    fn money_extra_zero_decimals_ok() {
        assert_eq!(parse_money("12.3400"), Ok(Money(1_234)));
    }

    #[test]
    fn money_extra_nonzero_decimals_error() {
        assert!(matches!(
            parse_money("12.345"),
            Err(MoneyError::Invalid { .. })
        ));
    }

    #[test]
    fn money_negative() {
        assert_eq!(parse_money("-1,000.50"), Ok(Money(-100_050)));
        assert_eq!(parse_money("－５"), Ok(Money(-500)));
    }

    #[test]
    fn money_trailing_decimal_point() {
        assert_eq!(parse_money("100."), Ok(Money(10_000)));
    }

    #[test]
    fn money_blank_is_empty() {
        assert_eq!(parse_money(""), Err(MoneyError::Empty));
        assert_eq!(parse_money("   \u{3000} "), Err(MoneyError::Empty));
        assert_eq!(parse_money("元"), Err(MoneyError::Empty));
        assert!(parse_money(" ").unwrap_err().is_empty());
        assert_eq!(parse_money_opt(" "), Ok(None));
        assert_eq!(parse_money_opt("1"), Ok(Some(Money(100))));
    }

    #[test]
    fn money_wan_yuan_is_error() {
        assert!(matches!(
            parse_money("100万元"),
            Err(MoneyError::Invalid { .. })
        ));
        assert!(matches!(
            parse_money("100万"),
            Err(MoneyError::Invalid { .. })
        ));
    }

    #[test]
    fn money_garbage_is_error_with_reason() {
        for bad in [
            "abc",
            "1,2345",
            "12,34.5",
            ".5",
            "1.2.3",
            "1 000",
            "-",
            "1e5",
            "--1",
            "１,２３",
        ] {
            match parse_money(bad) {
                Err(MoneyError::Invalid { reason, .. }) => assert!(!reason.is_empty()),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn money_overflow_is_error() {
        assert!(matches!(
            parse_money("999999999999999999999"),
            Err(MoneyError::Invalid { .. })
        ));
    }

    // --- parse_date

    fn ok(d: &str) -> DateParse {
        DateParse::Ok(d.to_string())
    }

    #[test]
    fn date_slashes() {
        assert_eq!(parse_date("2019/1/1"), ok("2019-01-01"));
        assert_eq!(parse_date("2019/12/31"), ok("2019-12-31"));
    }

    #[test]
    fn date_dashes_and_dots() {
        assert_eq!(parse_date("2019-01-01"), ok("2019-01-01"));
        assert_eq!(parse_date("2019.1.1"), ok("2019-01-01"));
    }

    #[test]
    fn date_chinese() {
        assert_eq!(parse_date("2019年1月1日"), ok("2019-01-01"));
        assert_eq!(parse_date("2019年12月31"), ok("2019-12-31"));
        assert_eq!(parse_date("2019 年 6 月 30 日"), ok("2019-06-30"));
    }

    #[test]
    fn date_full_width_digits() {
        assert_eq!(parse_date("２０１９／１２／３１"), ok("2019-12-31"));
        assert_eq!(parse_date(" 2019/1/1 "), ok("2019-01-01"));
    }

    #[test]
    fn date_leap_years() {
        assert_eq!(parse_date("2020/2/29"), ok("2020-02-29"));
        assert_eq!(parse_date("2000/2/29"), ok("2000-02-29"));
        assert!(matches!(parse_date("2019/2/29"), DateParse::Invalid(_)));
        assert!(matches!(parse_date("2100/2/29"), DateParse::Invalid(_)));
    }

    #[test]
    fn date_invalid_month_or_day() {
        assert!(matches!(parse_date("2019/13/1"), DateParse::Invalid(_)));
        assert!(matches!(parse_date("2019/4/31"), DateParse::Invalid(_)));
        assert!(matches!(parse_date("2019/0/10"), DateParse::Invalid(_)));
        assert!(matches!(parse_date("2019/1/0"), DateParse::Invalid(_)));
    }

    #[test]
    fn date_glued_year_repaired() {
        match parse_date("201912/31") {
            DateParse::Repaired { date, note } => {
                assert_eq!(date, "2019-12-31");
                assert!(note.contains("201912/31"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_date("20191/1").date(), Some("2019-01-01"));
    }

    #[test]
    fn date_glued_implausible_year_invalid() {
        assert!(matches!(parse_date("123412/31"), DateParse::Invalid(_)));
        assert!(matches!(parse_date("201913/31"), DateParse::Invalid(_)));
    }

    #[test]
    fn date_trailing_separator_repaired() {
        assert!(matches!(
            parse_date("2019/12/31/"),
            DateParse::Repaired { ref date, .. } if date == "2019-12-31"
        ));
    }

    #[test]
    fn date_separators_must_be_one_kind_trailing_one_included() {
        assert!(matches!(
            parse_date("2019.12.31."),
            DateParse::Repaired { ref date, ref note } if date == "2019-12-31" && note.contains("'.'")
        ));
        for bad in [
            "2019/12/31-",
            "2019.12/31",
            "2019/12/31//",
            "2019年1月1日日",
        ] {
            assert!(matches!(parse_date(bad), DateParse::Invalid(_)), "{bad:?}");
        }
        assert_eq!(parse_date("2019\u{200B}/1/1"), ok("2019-01-01"));
        // a glued year outside 1990-2100 is no date, whatever the rest
        assert_eq!(
            parse_date("18991/1"),
            DateParse::Invalid("not a date: \"18991/1\"".to_string())
        );
    }

    #[test]
    fn date_other_shapes_invalid() {
        for bad in [
            "",
            "2019",
            "2019/1",
            "19/1/1",
            "2019/1-1",
            "2019/1/1/1",
            "1/1/2019",
            "明年",
            "43466",
            "2019年1月",
            "1850/1/1",
        ] {
            assert!(matches!(parse_date(bad), DateParse::Invalid(_)), "{bad:?}");
        }
    }

    // --- parse_year

    #[test]
    fn year_in_parentheses() {
        assert_eq!(parse_year("(2019年)"), Some(2019));
        assert_eq!(parse_year("（2019年）"), Some(2019));
        assert_eq!(parse_year(" （ ２０２０ 年 ） "), Some(2020));
    }

    #[test]
    fn year_nian_du() {
        assert_eq!(parse_year("2019年度"), Some(2019));
        assert_eq!(parse_year("（2019年度）"), Some(2019));
        assert_eq!(parse_year("2019年"), Some(2019));
    }

    #[test]
    fn year_not_a_year_line() {
        assert_eq!(parse_year("2018年4月12日"), None);
        assert_eq!(parse_year("上海市财政支出项目绩效目标申报表"), None);
        assert_eq!(parse_year("(19年)"), None);
        assert_eq!(parse_year("(1066年)"), None);
    }

    // --- parse_target

    #[test]
    fn target_percent_without_op() {
        assert_eq!(parse_target("100%", tpl()), tp("=", 100.0, "%"));
    }

    #[test]
    fn target_ge_percent() {
        assert_eq!(parse_target("≥90%", tpl()), tp("≥", 90.0, "%"));
    }

    #[test]
    fn target_bare_number() {
        assert_eq!(parse_target("6", tpl()), tp("=", 6.0, ""));
    }

    #[test]
    fn target_le_count() {
        assert_eq!(parse_target("≤2次", tpl()), tp("≤", 2.0, "次"));
    }

    #[test]
    fn target_op_variants_normalized() {
        for (s, op) in [
            ("≧90%", "≥"),
            ("≦90%", "≤"),
            ("＞90%", ">"),
            ("＜90%", "<"),
            ("＝90%", "="),
            (">=90%", "≥"),
            ("<=90%", "≤"),
            ("=>90%", "≥"),
            ("=<90%", "≤"),
            ("≥=90%", "≥"),
            ("＞＝90%", "≥"),
            ("⩾90%", "≥"),
            (">90%", ">"),
        ] {
            assert_eq!(parse_target(s, tpl()), tp(op, 90.0, "%"), "{s}");
        }
    }

    #[test]
    fn target_full_width_folded() {
        assert_eq!(parse_target("≥９５％", tpl()), tp("≥", 95.0, "%"));
        assert_eq!(parse_target("１００％", tpl()), tp("=", 100.0, "%"));
    }

    #[test]
    fn target_decimal_and_thousands() {
        assert_eq!(parse_target("99.5%", tpl()), tp("=", 99.5, "%"));
        assert_eq!(
            parse_target("1,200万人次", tpl()),
            tp("=", 1200.0, "万人次")
        );
        assert_eq!(parse_target("24小时", tpl()), tp("=", 24.0, "小时"));
    }

    #[test]
    fn target_spaces_between_parts() {
        assert_eq!(parse_target(" ≥ 90 % ", tpl()), tp("≥", 90.0, "%"));
    }

    #[test]
    fn target_chinese_comparison_suffix() {
        assert_eq!(parse_target("90%以上", tpl()), tp("≥", 90.0, "%"));
        assert_eq!(parse_target("3天以内", tpl()), tp("≤", 3.0, "天"));
        assert_eq!(parse_target("5个及以上", tpl()), tp("≥", 5.0, "个"));
        assert_eq!(parse_target("≥90%以上", tpl()), None);
    }

    #[test]
    fn target_suffixes_are_the_templates() {
        let changed = crate::template::DEFAULT_TEMPLATE.replace(
            r#""≥" = ["及以上", "以上"]"#,
            r#""≥" = ["及以上", "或以上"]"#,
        );
        let t = Template::parse(&changed, std::path::Path::new("changed.toml")).unwrap();
        assert_eq!(parse_target("90%或以上", &t), tp("≥", 90.0, "%"));
        assert_eq!(parse_target("90%以上", &t), tp("=", 90.0, "%以上"));
        assert_eq!(parse_target("90%以上", tpl()), tp("≥", 90.0, "%"));
        assert_eq!(parse_target("5个及以上", &t), tp("≥", 5.0, "个"));
    }

    #[test]
    fn target_number_shapes() {
        assert_eq!(
            parse_target("1,234,567.5元", tpl()),
            tp("=", 1_234_567.5, "元")
        );
        assert_eq!(parse_target("-5%", tpl()), tp("=", -5.0, "%"));
        assert_eq!(parse_target("≤ -0.5 天", tpl()), tp("≤", -0.5, "天"));
        // blanks (a line break, a zero-width mark) between the parts
        assert_eq!(parse_target("5个\n及以上", tpl()), tp("≥", 5.0, "个"));
        assert_eq!(parse_target("≥\u{200B}90%", tpl()), tp("≥", 90.0, "%"));
        for s in ["1234,567", "1,2345", "12,34", "1.5.3", "+5", "5,5%"] {
            assert_eq!(parse_target(s, tpl()), None, "{s:?}");
        }
    }

    #[test]
    fn target_prose_is_none() {
        for s in [
            "平均减少50%",
            "完善",
            "全年重大信息安全事件≤2次",
            "",
            "≥",
            "%",
            "100%。",
            "5-10天",
            "12345个单位名称",
            "90% 95%",
            "1,23",
            "≥≥90",
            "1.",
        ] {
            assert_eq!(parse_target(s, tpl()), None, "{s:?}");
        }
    }

    // --- text joining

    #[test]
    fn join_cjk_lines_without_space() {
        let lines = [
            TextLine::new(
                "    根据国家和本市要求，建设上海市政务外网，为本市各有关单位开展各种业务应",
                true,
            ),
            TextLine::new("用提供基础性的网络支撑平台。", false),
        ];
        assert_eq!(
            join_paragraphs(&lines),
            "根据国家和本市要求，建设上海市政务外网，为本市各有关单位开展各种业务应用提供基础性的网络支撑平台。"
        );
    }

    #[test]
    fn join_ascii_mid_word_without_space() {
        let lines = [
            TextLine::new("承建单位提供7*24小时网络监", true),
            TextLine::new("控、IPv", false),
            TextLine::new("6改造", false),
        ];
        assert_eq!(
            join_paragraphs(&lines),
            "承建单位提供7*24小时网络监控、IPv6改造"
        );
        let lines = [TextLine::new("informa", true), TextLine::new("tion", false)];
        assert_eq!(join_paragraphs(&lines), "information");
    }

    #[test]
    fn join_keeps_printed_space_between_ascii_words() {
        let lines = [
            TextLine::new("big data ", true),
            TextLine::new("center", false),
        ];
        assert_eq!(join_paragraphs(&lines), "big data center");
        let lines = [TextLine::new("IPv6 ", true), TextLine::new("地址", false)];
        assert_eq!(join_paragraphs(&lines), "IPv6地址");
    }

    #[test]
    fn join_paragraphs_separated_by_newline() {
        let lines = [
            TextLine::new("第一段第", true),
            TextLine::new("一行。", false),
            TextLine::new("\u{3000}\u{3000}第二段。", true),
        ];
        assert_eq!(join_paragraphs(&lines), "第一段第一行。\n第二段。");
    }

    #[test]
    fn join_keeps_inner_spaces_trims_line_ends() {
        let lines = [
            TextLine::new("  基本建设工程类□    信息化建设类■  ", true),
            TextLine::new("  政策补贴类□", false),
        ];
        assert_eq!(
            join_paragraphs(&lines),
            "基本建设工程类□    信息化建设类■政策补贴类□"
        );
    }

    #[test]
    fn join_blank_line_ends_paragraph() {
        let lines = [
            TextLine::new("甲", true),
            TextLine::new("   ", false),
            TextLine::new("乙", false),
        ];
        assert_eq!(join_paragraphs(&lines), "甲\n乙");
        assert_eq!(join_paragraphs(&[]), "");
        assert_eq!(join_paragraphs(&[TextLine::new(" ", true)]), "");
    }

    #[test]
    fn join_first_line_starts_paragraph_even_unflagged() {
        let lines = [TextLine::new("甲", false), TextLine::new("乙", false)];
        assert_eq!(join_paragraphs(&lines), "甲乙");
    }

    #[test]
    fn wrapped_lines_indentation_starts_paragraphs() {
        let lines = [
            "    项目实施制度规范包括：《上海市政务外网日常运行管理办法》、《上海市政务",
            "外网域名系统管理办法》等。",
            "    采取主要措施包括：7*24小时网络监控",
            "、7*24小时客户服务。",
        ];
        assert_eq!(
            join_wrapped_lines(&lines),
            "项目实施制度规范包括：《上海市政务外网日常运行管理办法》、《上海市政务外网域名系统管理办法》等。\n采取主要措施包括：7*24小时网络监控、7*24小时客户服务。"
        );
    }

    #[test]
    fn wrapped_lines_block_indented_as_a_whole_is_one_paragraph() {
        let lines = ["    甲乙", "    丙丁"];
        assert_eq!(join_wrapped_lines(&lines), "甲乙丙丁");
        let lines = ["  甲", "      乙", "  丙"];
        assert_eq!(join_wrapped_lines(&lines), "甲\n乙丙");
    }

    #[test]
    fn wrapped_lines_ideographic_indent() {
        let lines = ["\u{3000}\u{3000}甲", "乙", "\u{3000}丙"];
        assert_eq!(join_wrapped_lines(&lines), "甲乙\n丙");
    }

    #[test]
    fn wrapped_lines_of_a_text_dump() {
        let s = "    根据需要落实市政务外网网络接入建设；做好市政做好务外网日常运行管理，落\r\n实市政务外网7*24小时日常运行保障。\n    第二段。\n";
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            join_wrapped_lines(&lines),
            "根据需要落实市政务外网网络接入建设；做好市政做好务外网日常运行管理，落实市政务外网7*24小时日常运行保障。\n第二段。"
        );
    }

    // --- comparison helpers

    #[test]
    fn text_equivalent_ignores_all_white_space() {
        assert!(text_equivalent("甲 乙\n丙\u{3000}丁", "甲乙丙丁"));
        assert!(text_equivalent("", " \n\t"));
        assert!(!text_equivalent("甲乙", "乙甲"));
    }

    #[test]
    fn similarity_bounds_and_edits() {
        assert_eq!(similarity("abc", "a b c"), 1.0);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("abc", ""), 0.0);
        assert!((similarity("abcd", "abce") - 0.75).abs() < 1e-12);
        assert!((similarity("kitten", "sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-12);
        assert!((similarity("项目概况", "项目概") - 0.75).abs() < 1e-12);
    }

    #[test]
    fn levenshtein_two_row_dp() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
        assert_eq!(levenshtein(&c(""), &c("abc")), 3);
        assert_eq!(levenshtein(&c("abc"), &c("")), 3);
        assert_eq!(levenshtein(&c("flaw"), &c("lawn")), 2);
        assert_eq!(levenshtein(&c("abcXdef"), &c("abcdef")), 1);
        assert_eq!(levenshtein(&c("aaa"), &c("aaaa")), 1);
        assert_eq!(levenshtein(&c("same"), &c("same")), 0);
    }
}
