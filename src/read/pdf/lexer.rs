//! A zero-allocation content-stream lexer.
//!
//! `lopdf::content::Content::decode` builds an `Operation` (a `String` and
//! a `Vec<Object>`) per operator, which was two thirds of the backend's time
//! on form pages. This lexer hands out one operator at a time with its
//! operands in a reused buffer; string bytes go to a reused arena.
//! Dictionaries (`BDC` properties) are skipped, inline images (`BI` ... `ID`
//! ... `EI`) are stepped over.

/// One operand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tok {
    Num(f64),
    /// A name without the slash: a range of the content bytes.
    Name(u32, u32),
    /// A string's decoded bytes: a range of the arena.
    Str(u32, u32),
    ArrOpen,
    ArrClose,
    /// A dictionary, boolean or null: present but not needed.
    Other,
}

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// Operands of the operator last returned.
    pub ops: Vec<Tok>,
    /// String bytes of those operands.
    pub arena: Vec<u8>,
    max_operands: usize,
    max_string: usize,
    /// Set when an operator had more operands, or a string more bytes,
    /// than allowed: the budget's description. The stream ends there.
    pub over: Option<String>,
}

#[inline]
fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

#[inline]
fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[inline]
fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    /// A lexer over `data` allowing at most `max_operands` operands per
    /// operator and `max_string` bytes per string operand (past either,
    /// [`Lexer::next_op`] ends and [`Lexer::over`] says which).
    pub fn new(data: &'a [u8], max_operands: usize, max_string: usize) -> Self {
        Lexer {
            data,
            pos: 0,
            ops: Vec::with_capacity(16),
            arena: Vec::with_capacity(256),
            max_operands,
            max_string,
            over: None,
        }
    }

    /// The bytes of a `Name` operand.
    #[inline]
    pub fn name(&self, t: Tok) -> Option<&'a [u8]> {
        match t {
            Tok::Name(s, e) => Some(&self.data[s as usize..e as usize]),
            _ => None,
        }
    }

    /// The bytes of a `Str` operand.
    #[inline]
    pub fn str(&self, t: Tok) -> Option<&[u8]> {
        match t {
            Tok::Str(s, e) => Some(&self.arena[s as usize..e as usize]),
            _ => None,
        }
    }

    fn skip_white(&mut self) {
        let d = self.data;
        while self.pos < d.len() {
            let b = d[self.pos];
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < d.len() && d[self.pos] != b'\n' && d[self.pos] != b'\r' {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next operator; its operands are in `self.ops`. `None` at the end.
    pub fn next_op(&mut self) -> Option<&'a [u8]> {
        self.ops.clear();
        self.arena.clear();
        let d = self.data;
        loop {
            self.skip_white();
            if self.pos >= d.len() || self.over_budget() {
                return None;
            }
            let b = d[self.pos];
            match b {
                b'/' => {
                    self.pos += 1;
                    let s = self.pos;
                    while self.pos < d.len() && !is_white(d[self.pos]) && !is_delim(d[self.pos]) {
                        self.pos += 1;
                    }
                    self.ops.push(Tok::Name(s as u32, self.pos as u32));
                }
                b'(' => self.literal_string(),
                b'<' if d.get(self.pos + 1) == Some(&b'<') => {
                    self.skip_dict();
                    self.ops.push(Tok::Other);
                }
                b'<' => self.hex_string(),
                b'[' => {
                    self.pos += 1;
                    self.ops.push(Tok::ArrOpen);
                }
                b']' => {
                    self.pos += 1;
                    self.ops.push(Tok::ArrClose);
                }
                b'+' | b'-' | b'.' | b'0'..=b'9' => {
                    let n = self.number();
                    self.ops.push(Tok::Num(n));
                }
                b')' | b'>' | b'{' | b'}' => self.pos += 1, // stray: skip
                _ => {
                    let s = self.pos;
                    while self.pos < d.len() && !is_white(d[self.pos]) && !is_delim(d[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &d[s..self.pos];
                    match word {
                        b"true" | b"false" | b"null" => self.ops.push(Tok::Other),
                        b"BI" => {
                            self.skip_inline_image();
                            self.ops.clear();
                            return Some(word);
                        }
                        _ => return Some(word),
                    }
                }
            }
        }
    }

    /// Whether the operands read so far are over a budget (then noted).
    fn over_budget(&mut self) -> bool {
        if self.over.is_some() {
            return true;
        }
        if self.ops.len() > self.max_operands {
            self.over = Some(format!(
                "operand budget of {} per content operator",
                self.max_operands
            ));
        } else if let Some(Tok::Str(s, e)) = self.ops.last()
            && (e - s) as usize > self.max_string
        {
            self.over = Some(format!(
                "string budget of {} bytes per content string",
                self.max_string
            ));
        }
        self.over.is_some()
    }

    fn number(&mut self) -> f64 {
        let d = self.data;
        let mut neg = false;
        // PDF producers sometimes write "--5" or "+-5": take the signs as they come.
        while self.pos < d.len() && (d[self.pos] == b'-' || d[self.pos] == b'+') {
            neg ^= d[self.pos] == b'-';
            self.pos += 1;
        }
        let mut v = 0.0f64;
        while self.pos < d.len() && d[self.pos].is_ascii_digit() {
            v = v * 10.0 + (d[self.pos] - b'0') as f64;
            self.pos += 1;
        }
        if self.pos < d.len() && d[self.pos] == b'.' {
            self.pos += 1;
            let mut scale = 0.1;
            while self.pos < d.len() && d[self.pos].is_ascii_digit() {
                v += (d[self.pos] - b'0') as f64 * scale;
                scale *= 0.1;
                self.pos += 1;
            }
        }
        // Garbage glued to a number ("12.5.3", "3e5"): consume it.
        while self.pos < d.len() && !is_white(d[self.pos]) && !is_delim(d[self.pos]) {
            self.pos += 1;
        }
        if neg { -v } else { v }
    }

    fn literal_string(&mut self) {
        let d = self.data;
        self.pos += 1;
        let start = self.arena.len() as u32;
        let mut depth = 1;
        while self.pos < d.len() {
            let b = d[self.pos];
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    self.arena.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    self.arena.push(b);
                }
                b'\\' => {
                    let Some(&e) = d.get(self.pos) else { break };
                    self.pos += 1;
                    match e {
                        b'n' => self.arena.push(b'\n'),
                        b'r' => self.arena.push(b'\r'),
                        b't' => self.arena.push(b'\t'),
                        b'b' => self.arena.push(8),
                        b'f' => self.arena.push(12),
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match d.get(self.pos) {
                                    Some(&c @ b'0'..=b'7') => {
                                        v = v * 8 + (c - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            self.arena.push(v as u8);
                        }
                        b'\r' => {
                            if d.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => self.arena.push(other),
                    }
                }
                _ => self.arena.push(b),
            }
        }
        self.ops.push(Tok::Str(start, self.arena.len() as u32));
    }

    fn hex_string(&mut self) {
        let d = self.data;
        self.pos += 1;
        let start = self.arena.len() as u32;
        let mut hi: Option<u8> = None;
        while self.pos < d.len() && d[self.pos] != b'>' {
            if let Some(v) = hexval(d[self.pos]) {
                match hi.take() {
                    None => hi = Some(v),
                    Some(h) => self.arena.push(h << 4 | v),
                }
            }
            self.pos += 1;
        }
        if let Some(h) = hi {
            self.arena.push(h << 4);
        }
        self.pos += 1;
        self.ops.push(Tok::Str(start, self.arena.len() as u32));
    }

    /// Skips `<< ... >>`, nested dictionaries and strings included.
    fn skip_dict(&mut self) {
        let d = self.data;
        let mut depth = 0usize;
        while self.pos < d.len() {
            match d[self.pos] {
                b'<' if d.get(self.pos + 1) == Some(&b'<') => {
                    depth += 1;
                    self.pos += 2;
                }
                b'>' if d.get(self.pos + 1) == Some(&b'>') => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        return;
                    }
                }
                b'(' => {
                    let keep = self.arena.len();
                    self.literal_string();
                    self.ops.pop();
                    self.arena.truncate(keep);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// After `BI`: skips the image dictionary, `ID`, the data and `EI`.
    fn skip_inline_image(&mut self) {
        let d = self.data;
        // Find the ID keyword (as a whole word).
        while self.pos + 1 < d.len() {
            if d[self.pos] == b'I'
                && d[self.pos + 1] == b'D'
                && self.pos > 0
                && is_white(d[self.pos - 1])
                && d.get(self.pos + 2).is_none_or(|&b| is_white(b))
            {
                self.pos += 3;
                break;
            }
            self.pos += 1;
        }
        // Binary data up to whitespace + EI + (whitespace | end).
        while self.pos + 1 < d.len() {
            if d[self.pos] == b'E'
                && d[self.pos + 1] == b'I'
                && is_white(d[self.pos - 1])
                && d.get(self.pos + 2)
                    .is_none_or(|&b| is_white(b) || is_delim(b))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
        self.pos = d.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &[u8]) -> Vec<(String, Vec<String>)> {
        let mut lx = Lexer::new(src, 1000, 1000);
        let mut out = Vec::new();
        while let Some(op) = lx.next_op() {
            let ops = lx
                .ops
                .iter()
                .map(|&t| match t {
                    Tok::Num(n) => format!("{n}"),
                    Tok::Name(..) => format!("/{}", String::from_utf8_lossy(lx.name(t).unwrap())),
                    Tok::Str(..) => format!("{:?}", lx.str(t).unwrap()),
                    Tok::ArrOpen => "[".into(),
                    Tok::ArrClose => "]".into(),
                    Tok::Other => "?".into(),
                })
                .collect();
            out.push((String::from_utf8_lossy(op).into_owned(), ops));
        }
        out
    }

    #[test]
    fn operators_operands_strings_and_arrays_lex() {
        let v = all(
            b"q 1 0 0 -1.5 .5 -3 cm BT /F1 12 Tf (a\\(b\\)\\101\\n) Tj [<0102> -250 (x)] TJ ET Q",
        );
        assert_eq!(v[0], ("q".into(), vec![]));
        assert_eq!(v[1].1, vec!["1", "0", "0", "-1.5", "0.5", "-3"]);
        assert_eq!(v[3], ("Tf".into(), vec!["/F1".into(), "12".into()]));
        assert_eq!(v[4].1, vec![format!("{:?}", b"a(b)A\n")]);
        assert_eq!(v[5].1, vec!["[", "[1, 2]", "-250", "[120]", "]"]);
        assert_eq!(v.len(), 8);
    }

    #[test]
    fn inline_images_dicts_and_comments_are_skipped() {
        let v = all(
            b"/P <</MCID 0 /A (x>>)>> BDC % comment\nBI /W 2 /H 1 /BPC 8 ID \x00EI\xff\n EI Q 5 w",
        );
        assert_eq!(v[0], ("BDC".into(), vec!["/P".into(), "?".into()]));
        assert_eq!(v[1].0, "BI");
        assert_eq!(v[2].0, "Q");
        assert_eq!(v[3], ("w".into(), vec!["5".into()]));
    }
}
