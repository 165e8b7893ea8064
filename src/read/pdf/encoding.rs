//! Simple-font encodings and glyph names (a small subset of the Adobe Glyph
//! List: enough for the ASCII and Latin-1 text these forms carry; CJK text
//! comes through ToUnicode or the CID CMaps).

/// cp1252 (WinAnsiEncoding) 0x80..=0x9F; `'\0'` = undefined.
const WIN_ANSI_80: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘',
    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// Code -> char for a simple font's base encoding. Unknown codes are
/// `'\0'`. Symbolic fonts with no /Encoding use Microsoft's symbol
/// convention (U+F000 + code), which keeps e.g. Wingdings checkboxes
/// distinguishable from letters.
pub fn simple_base_table(base: Option<&[u8]>, symbolic_builtin: bool) -> [char; 256] {
    let mut t = ['\0'; 256];
    if symbolic_builtin {
        for (code, slot) in t.iter_mut().enumerate().skip(0x20) {
            *slot = char::from_u32(0xF000 + code as u32).unwrap_or('\0');
        }
        return t;
    }
    for (code, slot) in t.iter_mut().enumerate().take(0x7F).skip(0x20) {
        *slot = code as u8 as char;
    }
    for (code, slot) in t.iter_mut().enumerate().skip(0xA0) {
        *slot = char::from_u32(code as u32).unwrap_or('\0');
    }
    match base {
        Some(b"StandardEncoding") => {
            t[0x27] = '’';
            t[0x60] = '‘';
        }
        Some(b"MacRomanEncoding") => {}
        _ => t[0x80..0xA0].copy_from_slice(&WIN_ANSI_80),
    }
    t
}

const NAMES: &[(&[u8], char)] = &[
    (b"space", ' '),
    (b"exclam", '!'),
    (b"quotedbl", '"'),
    (b"numbersign", '#'),
    (b"dollar", '$'),
    (b"percent", '%'),
    (b"ampersand", '&'),
    (b"quotesingle", '\''),
    (b"quoteright", '’'),
    (b"parenleft", '('),
    (b"parenright", ')'),
    (b"asterisk", '*'),
    (b"plus", '+'),
    (b"comma", ','),
    (b"hyphen", '-'),
    (b"period", '.'),
    (b"slash", '/'),
    (b"zero", '0'),
    (b"one", '1'),
    (b"two", '2'),
    (b"three", '3'),
    (b"four", '4'),
    (b"five", '5'),
    (b"six", '6'),
    (b"seven", '7'),
    (b"eight", '8'),
    (b"nine", '9'),
    (b"colon", ':'),
    (b"semicolon", ';'),
    (b"less", '<'),
    (b"equal", '='),
    (b"greater", '>'),
    (b"question", '?'),
    (b"at", '@'),
    (b"bracketleft", '['),
    (b"backslash", '\\'),
    (b"bracketright", ']'),
    (b"asciicircum", '^'),
    (b"underscore", '_'),
    (b"grave", '`'),
    (b"quoteleft", '‘'),
    (b"braceleft", '{'),
    (b"bar", '|'),
    (b"braceright", '}'),
    (b"asciitilde", '~'),
    (b"bullet", '•'),
    (b"endash", '–'),
    (b"emdash", '—'),
    (b"quotedblleft", '“'),
    (b"quotedblright", '”'),
    (b"ellipsis", '…'),
    (b"percent", '%'),
    (b"nbspace", '\u{A0}'),
    (b"degree", '°'),
    (b"multiply", '×'),
    (b"divide", '÷'),
    (b"plusminus", '±'),
    (b"greaterequal", '≥'),
    (b"lessequal", '≤'),
    (b"yen", '¥'),
    (b"Euro", '€'),
    (b"middot", '·'),
    (b"periodcentered", '·'),
];

/// Unicode for a glyph name: single letters, the names above, `uniXXXX`
/// and `uXXXX[XX]`.
pub fn glyph_name_to_char(name: &[u8]) -> Option<char> {
    if name.len() == 1 && name[0].is_ascii_alphabetic() {
        return Some(name[0] as char);
    }
    // Strip a suffix like ".alt" or "_1".
    let base = name.split(|&b| b == b'.').next().unwrap_or(name);
    if let Some(&(_, c)) = NAMES.iter().find(|(n, _)| *n == base) {
        return Some(c);
    }
    let hex = |s: &[u8]| -> Option<char> {
        let s = std::str::from_utf8(s).ok()?;
        char::from_u32(u32::from_str_radix(s, 16).ok()?)
    };
    if base.len() >= 7 && base.starts_with(b"uni") {
        return hex(&base[3..7]);
    }
    if (5..=7).contains(&base.len()) && base[0] == b'u' {
        return hex(&base[1..]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names_resolve() {
        assert_eq!(glyph_name_to_char(b"A"), Some('A'));
        assert_eq!(glyph_name_to_char(b"zero"), Some('0'));
        assert_eq!(glyph_name_to_char(b"uni4E0A"), Some('上'));
        assert_eq!(glyph_name_to_char(b"u4E0A"), Some('上'));
        assert_eq!(glyph_name_to_char(b"g123"), None);
    }
}
