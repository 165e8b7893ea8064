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

/// CMap tokens; hex strings are left undecoded (the raw digits).
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Hex(&'a [u8]),
    Lit(&'a [u8]),
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
        match s[self.i] {
            b'<' if s.get(self.i + 1) == Some(&b'<') => {
                self.i += 2;
                Some(Tok::Word(b"<<"))
            }
            b'<' => {
                let start = self.i + 1;
                self.i = start;
                while self.i < s.len() && s[self.i] != b'>' {
                    self.i += 1;
                }
                let t = Tok::Hex(&s[start..self.i]);
                self.i += 1;
                Some(t)
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
                // Literal strings (rare in ToUnicode): the raw bytes.
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
                let v = &s[start..self.i.min(s.len())];
                self.i += 1;
                Some(Tok::Lit(v))
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

/// Decodes a string token's bytes into `out` (cleared first).
fn bytes_of(t: &Tok, out: &mut Vec<u8>) -> bool {
    out.clear();
    match t {
        Tok::Hex(raw) => {
            let mut hi: Option<u8> = None;
            for &c in *raw {
                if let Some(d) = (c as char).to_digit(16) {
                    match hi.take() {
                        None => hi = Some(d as u8),
                        Some(h) => out.push(h << 4 | d as u8),
                    }
                }
            }
            if let Some(h) = hi {
                out.push(h << 4);
            }
            true
        }
        Tok::Lit(b) => {
            out.extend_from_slice(b);
            true
        }
        _ => false,
    }
}

fn code_of(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0u32, |a, &x| (a << 8) | x as u32)
}

/// UTF-16BE bytes to code units (a lone byte is one unit).
fn utf16_units(b: &[u8], out: &mut Vec<u16>) {
    out.clear();
    if b.len() == 1 {
        out.push(b[0] as u16);
        return;
    }
    out.extend(
        b.chunks(2)
            .map(|c| ((c[0] as u16) << 8) | *c.get(1).unwrap_or(&0) as u16),
    );
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
        let mut lx = Lexer { s: data, i: 0 };
        let (mut src, mut dst, mut units) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(tok) = lx.next() {
            match tok {
                Tok::Word(b"beginbfchar") => {
                    while let Some(s) = lx.next() {
                        if !bytes_of(&s, &mut src) {
                            break;
                        }
                        let code = code_of(&src);
                        match lx.next() {
                            Some(Tok::Word(name)) if name.starts_with(b"/") => {
                                if let Some(c) = super::encoding::glyph_name_to_char(&name[1..]) {
                                    let mut b = [0u16; 2];
                                    t.insert_units(code, c.encode_utf16(&mut b));
                                }
                            }
                            Some(d) if bytes_of(&d, &mut dst) => {
                                utf16_units(&dst, &mut units);
                                t.insert_units(code, &units);
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(b"beginbfrange") => {
                    while let Some(l) = lx.next() {
                        if !bytes_of(&l, &mut src) {
                            break;
                        }
                        let lo = code_of(&src);
                        let Some(h) = lx.next() else { break };
                        if !bytes_of(&h, &mut src) {
                            break;
                        }
                        let hi = code_of(&src).max(lo).min(lo.saturating_add(MAX_RANGE));
                        match lx.next() {
                            Some(Tok::Open) => {
                                let mut code = lo;
                                for d in lx.by_ref() {
                                    if d == Tok::Close {
                                        break;
                                    }
                                    if bytes_of(&d, &mut dst) {
                                        if code <= hi {
                                            utf16_units(&dst, &mut units);
                                            t.insert_units(code, &units);
                                        }
                                        code = code.saturating_add(1);
                                    }
                                }
                            }
                            Some(d) if bytes_of(&d, &mut dst) => {
                                utf16_units(&dst, &mut units);
                                for code in lo..=hi {
                                    t.insert_units(code, &units);
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                            }
                            _ => break,
                        }
                    }
                }
                _ => {}
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
