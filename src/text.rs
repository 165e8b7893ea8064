//! Character classes every stage shares: white space, CJK, comparison
//! operators. Pure functions and one table, so each class has one
//! definition.
//!
//! Two meanings of "nothing printed here" are kept apart:
//!
//! * **white space**: Unicode `White_Space`, what [`char::is_whitespace`]
//!   and [`str::trim`] test: ASCII spaces, tabs and line breaks, the form
//!   feed, NBSP (U+00A0) and the ideographic space (U+3000), among others.
//!   Labels, options and OCR text are compared with it removed
//!   ([`strip_whitespace`]).
//! * **blank** ([`is_blank`]): white space or a zero-width mark (U+200B–
//!   U+200D, U+FEFF), which carries no content either and which a PDF's
//!   text may hold. Values are parsed and free texts compared with blanks
//!   removed ([`strip_blank`], [`trim_blank`]).

/// The characters of `s` that are not white space (see the module docs;
/// U+3000 included).
pub fn strip_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `c` is blank: white space or a zero-width mark (U+200B–U+200D,
/// U+FEFF), a character with no content (see the module docs).
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// The characters of `s` that are not blank ([`is_blank`]).
pub fn strip_blank(s: &str) -> String {
    s.chars().filter(|c| !is_blank(*c)).collect()
}

/// `s` without blanks ([`is_blank`]) at either end.
pub fn trim_blank(s: &str) -> &str {
    s.trim_matches(is_blank)
}

/// Whether `c` is a CJK ideograph: the unified ideographs (U+4E00–U+9FFF),
/// Extension A (U+3400–U+4DBF), the compatibility ideographs
/// (U+F900–U+FAFF) and the ideographs of planes 2 and 3 (U+20000–U+3FFFF,
/// Extensions B and later).
pub fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Whether `c` is a CJK character, one of the characters Chinese text is
/// printed in besides ASCII:
///
/// * U+2E80–U+9FFF: the run of CJK blocks from the radicals through CJK
///   symbols and punctuation (U+3000–U+303F: `、。〈〉《》【】〔〕`, the
///   ideographic space), kana, bopomofo, enclosed and compatibility
///   characters, Extension A, to the unified ideographs;
/// * U+F900–U+FAFF: compatibility ideographs;
/// * U+FE30–U+FE4F: CJK compatibility forms (vertical punctuation);
/// * U+FF00–U+FFEF: half- and full-width forms (`，：；（）！？％`, full-width
///   digits and letters);
/// * U+20000–U+3FFFF: the ideographs of planes 2 and 3.
///
/// Not the curly quotes `“”‘’` (General Punctuation, shared with Western
/// text).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Comparison operators as the forms print them, with their normal form
/// (one of `≥ ≤ > < =`), longest spelling first (so the first spelling a
/// text starts with is the longest one there).
///
/// The variants are look-alikes (`≧ ≦ ⩾ ⩽`), full-width forms (`＞ ＜ ＝`;
/// value parsers fold them to ASCII first) and two-character spellings
/// (`>=`, `=>`, `≥=`, `==` …).
pub const OPERATORS: &[(&str, &str)] = &[
    (">=", "≥"),
    ("=>", "≥"),
    ("≥=", "≥"),
    ("≧=", "≥"),
    ("⩾=", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("≤=", "≤"),
    ("≦=", "≤"),
    ("⩽=", "≤"),
    ("==", "="),
    ("≥", "≥"),
    ("≧", "≥"),
    ("⩾", "≥"),
    ("≤", "≤"),
    ("≦", "≤"),
    ("⩽", "≤"),
    (">", ">"),
    ("＞", ">"),
    ("<", "<"),
    ("＜", "<"),
    ("=", "="),
    ("＝", "="),
];

/// The normal forms of [`OPERATORS`].
pub const NORMAL_OPERATORS: [&str; 5] = ["≥", "≤", ">", "<", "="];

/// The operator `s` starts with ([`OPERATORS`], longest spelling): its
/// normal form and the rest of `s`.
pub fn operator_prefix(s: &str) -> Option<(&'static str, &str)> {
    OPERATORS
        .iter()
        .find_map(|(spelling, norm)| s.strip_prefix(spelling).map(|rest| (*norm, rest)))
}

/// Whether `c` is an operator character: a one-character spelling in
/// [`OPERATORS`] (every character of the longer spellings is one too).
pub fn is_operator_char(c: char) -> bool {
    normal_operator(c).is_some()
}

/// The normal form of the one-character operator `c` (`≧` → `≥`).
pub fn normal_operator(c: char) -> Option<char> {
    OPERATORS
        .iter()
        .find(|(spelling, _)| {
            let mut s = spelling.chars();
            s.next() == Some(c) && s.next().is_none()
        })
        .and_then(|(_, norm)| norm.chars().next())
}

/// The characters of `s` with blanks ([`is_blank`]) removed,
/// as `normalize::text_equivalent` and [`similarity`] see them.
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

    #[test]
    fn white_space_includes_the_ideographic_space_and_nbsp() {
        assert_eq!(
            strip_whitespace(" 甲\u{3000}乙\t丙\n丁\u{A0}戊\r\u{c}"),
            "甲乙丙丁戊"
        );
        // zero-width marks are no white space, but are blank
        assert_eq!(strip_whitespace("甲\u{200B}乙"), "甲\u{200B}乙");
        assert_eq!(strip_blank("甲\u{200B}乙\u{FEFF} 丙"), "甲乙丙");
        assert_eq!(trim_blank("\u{FEFF}\u{3000} 甲 乙\u{200D}"), "甲 乙");
    }

    #[test]
    fn cjk_and_ideographs() {
        for c in [
            '项', '㐀', '豈', '𠀀', '，', '：', '（', '１', '、', '。', '〔', '\u{3000}', '⽬',
        ] {
            assert!(is_cjk(c), "{c:?}");
        }
        for c in ['a', '1', ':', '(', '“', '”', '‘', '’', '—', '%', '≥', 'é'] {
            assert!(!is_cjk(c), "{c:?}");
        }
        assert!(is_ideograph('项') && is_ideograph('㐀') && is_ideograph('𠀀'));
        assert!(!is_ideograph('，') && !is_ideograph('、') && !is_ideograph('a'));
    }

    #[test]
    fn operators_longest_spelling_first() {
        assert_eq!(operator_prefix(">=90%"), Some(("≥", "90%")));
        assert_eq!(operator_prefix("≧=5"), Some(("≥", "5")));
        assert_eq!(operator_prefix("＞5"), Some((">", "5")));
        assert_eq!(operator_prefix("90%"), None);
        // every spelling is found whole: none is shadowed by a shorter
        // one listed before it
        for (spelling, norm) in OPERATORS {
            assert_eq!(operator_prefix(spelling), Some((*norm, "")), "{spelling}");
            assert!(NORMAL_OPERATORS.contains(norm));
            assert!(spelling.chars().all(is_operator_char));
        }
        assert_eq!(normal_operator('⩽'), Some('≤'));
        assert_eq!(normal_operator('＝'), Some('='));
        assert_eq!(normal_operator('%'), None);
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
}
