//! ToUnicode CMaps: `beginbfchar` / `beginbfrange` sections.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-shift hasher for `u32` keys: the ToUnicode lookup runs once
/// per glyph, where SipHash would cost more than the rest of the glyph.
#[derive(Default)]
pub struct U32Hasher(u64);

impl Hasher for U32Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
    }
}

type FastMap = HashMap<u32, (u32, u32), BuildHasherDefault<U32Hasher>>;

/// Code -> Unicode text, the text stored in one pool.
#[derive(Debug, Default)]
pub struct ToUnicode {
    map: FastMap,
    pool: Vec<char>,
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Hex(Vec<u8>),
    Open,
    Close,
    Word(&'a [u8]),
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Tok<'a>;
    fn next(&mut self) -> Option<Tok<'a>> {
        let s = self.s;
        loop {
            while self.i < s.len() && s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.i >= s.len() {
                return None;
            }
            if s[self.i] == b'%' {
                while self.i < s.len() && s[self.i] != b'\n' && s[self.i] != b'\r' {
                    self.i += 1;
                }
                continue;
            }
            break;
        }
        let c = s[self.i];
        match c {
            b'<' if s.get(self.i + 1) == Some(&b'<') => {
                self.i += 2;
                Some(Tok::Word(b"<<"))
            }
            b'<' => {
                self.i += 1;
                let mut out = Vec::new();
                let mut hi: Option<u8> = None;
                while self.i < s.len() && s[self.i] != b'>' {
                    let d = (s[self.i] as char).to_digit(16);
                    self.i += 1;
                    if let Some(d) = d {
                        match hi.take() {
                            None => hi = Some(d as u8),
                            Some(h) => out.push(h << 4 | d as u8),
                        }
                    }
                }
                if let Some(h) = hi {
                    out.push(h << 4);
                }
                self.i += 1;
                Some(Tok::Hex(out))
            }
            b'[' => {
                self.i += 1;
                Some(Tok::Open)
            }
            b']' => {
                self.i += 1;
                Some(Tok::Close)
            }
            b'(' => {
                // Literal strings (rare in ToUnicode): keep the raw bytes.
                self.i += 1;
                let start = self.i;
                let mut depth = 1;
                while self.i < s.len() {
                    match s[self.i] {
                        b'\\' => self.i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                let v = s[start..self.i.min(s.len())].to_vec();
                self.i += 1;
                Some(Tok::Hex(v))
            }
            _ => {
                let start = self.i;
                self.i += 1;
                while self.i < s.len()
                    && !s[self.i].is_ascii_whitespace()
                    && !b"<>[]()/%".contains(&s[self.i])
                {
                    self.i += 1;
                }
                Some(Tok::Word(&s[start..self.i]))
            }
        }
    }
}

fn code_of(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0u32, |a, &x| (a << 8) | x as u32)
}

fn utf16_units(b: &[u8]) -> Vec<u16> {
    if b.len() == 1 {
        return vec![b[0] as u16];
    }
    b.chunks(2)
        .map(|c| ((c[0] as u16) << 8) | *c.get(1).unwrap_or(&0) as u16)
        .collect()
}

/// Largest bfrange expanded; bigger ranges are clamped (garbage guard).
const MAX_RANGE: u32 = 0x1_0000;

impl ToUnicode {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The text for `code`, if mapped. `_nbytes` is the code length (codes
    /// are keyed by value only: no real CMap maps `<41>` and `<0041>` apart).
    #[inline]
    pub fn get(&self, code: u32, _nbytes: usize) -> Option<&[char]> {
        let &(start, len) = self.map.get(&code)?;
        Some(&self.pool[start as usize..(start + len) as usize])
    }

    fn insert_units(&mut self, code: u32, units: &[u16]) {
        let start = self.pool.len() as u32;
        for r in char::decode_utf16(units.iter().copied()) {
            self.pool.push(r.unwrap_or('\u{FFFD}'));
        }
        // Strip NULs some producers use as padding.
        while self.pool.len() as u32 > start && self.pool.last() == Some(&'\0') {
            self.pool.pop();
        }
        let len = self.pool.len() as u32 - start;
        self.map.insert(code, (start, len));
    }

    /// Parses a ToUnicode CMap stream. Garbage is skipped, never an error.
    pub fn parse(data: &[u8]) -> ToUnicode {
        let mut t = ToUnicode::default();
        let toks: Vec<Tok> = Lexer { s: data, i: 0 }.collect();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Word(b"beginbfchar") => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(src), Tok::Hex(dst)) => {
                                t.insert_units(code_of(src), &utf16_units(dst));
                                i += 2;
                            }
                            (Tok::Hex(src), Tok::Word(name)) if name.starts_with(b"/") => {
                                if let Some(c) = super::encoding::glyph_name_to_char(&name[1..]) {
                                    let mut b = [0u16; 2];
                                    t.insert_units(code_of(src), c.encode_utf16(&mut b));
                                }
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(b"beginbfrange") => {
                    i += 1;
                    while i + 2 < toks.len() {
                        let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[i], &toks[i + 1]) else {
                            break;
                        };
                        let (lo, hi) = (code_of(lo), code_of(hi));
                        let hi = hi.max(lo).min(lo.saturating_add(MAX_RANGE));
                        match &toks[i + 2] {
                            Tok::Hex(dst) => {
                                let mut units = utf16_units(dst);
                                for code in lo..=hi {
                                    t.insert_units(code, &units);
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                                i += 3;
                            }
                            Tok::Open => {
                                i += 3;
                                let mut code = lo;
                                while i < toks.len() {
                                    match &toks[i] {
                                        Tok::Hex(dst) => {
                                            if code <= hi {
                                                t.insert_units(code, &utf16_units(dst));
                                            }
                                            code = code.saturating_add(1);
                                            i += 1;
                                        }
                                        Tok::Close => {
                                            i += 1;
                                            break;
                                        }
                                        _ => i += 1,
                                    }
                                }
                            }
                            _ => break,
                        }
                    }
                }
                _ => i += 1,
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfchar_bfrange_and_ligatures_parse() {
        let t = ToUnicode::parse(
            b"2 beginbfchar <0003> <0020> <0004> <00660069> endbfchar\n\
              2 beginbfrange <0010> <0012> <4E00> <0020> <0021> [<0041> <D835DC00>] endbfrange",
        );
        assert_eq!(t.get(3, 2), Some(&[' '][..]));
        assert_eq!(t.get(4, 2), Some(&['f', 'i'][..]));
        assert_eq!(t.get(0x11, 2), Some(&['\u{4E01}'][..]));
        assert_eq!(t.get(0x20, 2), Some(&['A'][..]));
        assert_eq!(t.get(0x21, 2), Some(&['\u{1D400}'][..]));
        assert_eq!(t.get(0x22, 2), None);
    }
}
