//! Fonts: how a shown string splits into character codes, what Unicode each
//! code stands for, and how wide each code is.
//!
//! Parsed once per font object per document (see [`super::interp`]'s cache).
//! Decoding a string never allocates: codes are handed to a callback with a
//! slice of chars borrowed from the font.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::budget::{Stop, Tally};
use super::cmap::ToUnicode;
use super::encoding::{glyph_name_to_char, simple_base_table};

/// How a string's bytes split into codes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Codes {
    /// Simple fonts (Type1, TrueType, Type3): one byte per code.
    OneByte,
    /// Identity-H/V and unknown CMaps: two bytes per code (big endian).
    TwoByte,
    /// GBK-EUC-H, GB-EUC-H: bytes 0x00..=0x80 are one-byte codes, others
    /// start a two-byte code.
    Gbk,
    /// GBK2K-H (GB 18030): 1, 2 or 4 bytes.
    Gb18030,
    /// UniGB-UCS2-H / UniGB-UTF16-H: UTF-16BE code units (a surrogate pair
    /// is one 4-byte code).
    Utf16,
}

/// Where Unicode comes from when the font has no ToUnicode entry for a code.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fallback {
    /// The simple font's encoding table (base encoding + /Differences).
    Table,
    /// Decode the code's bytes as GBK / GB 18030.
    Gbk,
    Gb18030,
    /// The code is a UTF-16 code unit or surrogate pair.
    Utf16,
    /// Nothing known (Identity-H without ToUnicode): U+FFFD.
    None,
}

/// CID widths: `/DW` plus sorted `(first, last, width)` ranges from `/W`.
#[derive(Debug, Default)]
struct CidWidths {
    default: f64,
    ranges: Vec<(u32, u32, f64)>,
}

impl CidWidths {
    /// The /W width of `cid`, if listed.
    fn lookup(&self, cid: u32) -> Option<f64> {
        let i = self.ranges.partition_point(|r| r.1 < cid);
        match self.ranges.get(i) {
            Some(&(first, _, w)) if first <= cid => Some(w),
            _ => None,
        }
    }
    /// The /W width of `cid`, else /DW.
    fn get(&self, cid: u32) -> f64 {
        self.lookup(cid).unwrap_or(self.default)
    }
}

/// A font as the interpreter needs it.
#[derive(Debug)]
pub struct Font {
    codes: Codes,
    fallback: Fallback,
    to_unicode: Option<ToUnicode>,
    /// Simple fonts: code -> char from the encoding (`'\0'` = unknown).
    table: Box<[char; 256]>,
    /// Simple fonts: `/FirstChar` and `/Widths`.
    first_char: u32,
    widths: Vec<f64>,
    missing_width: f64,
    /// Type0 fonts: CID widths.
    cid_widths: CidWidths,
    /// Glyph space to text space for widths (1/1000, or a Type3 FontMatrix).
    width_scale: f64,
    /// Ascent and descent (descent negative) in units of the font size, from
    /// the font descriptor when present and plausible.
    pub ascent: Option<f64>,
    pub descent: Option<f64>,
}

/// One decoded code, handed to the [`Font::decode`] callback.
pub struct Code<'a> {
    /// The Unicode text for the code (may be several chars, or none).
    pub chars: &'a [char],
    /// Horizontal advance in text space units per unit of font size
    /// (glyph width / 1000 for most fonts).
    pub width: f64,
    /// A single-byte code 32: word spacing applies.
    pub is_space: bool,
}

const REPLACEMENT: [char; 1] = ['\u{FFFD}'];

/// Helvetica advance widths (AFM) for codes 32..=126, WinAnsi order.
const HELVETICA_32_126: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48-63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80-95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 96-111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 112-126
];

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o))
}

fn get_dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, d, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn get_num(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, d, key).and_then(num)
}

fn get_name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, d, key)? {
        Object::Name(n) => Some(n.as_slice()),
        _ => None,
    }
}

/// The font's ToUnicode map, its stream inflated within the budgets
/// (`None` when absent, undecodable or empty).
fn load_to_unicode(
    doc: &Document,
    d: &Dictionary,
    tally: &mut Tally,
) -> Result<Option<ToUnicode>, Stop> {
    let Some(Object::Stream(s)) = get(doc, d, b"ToUnicode") else {
        return Ok(None);
    };
    let Some(data) = tally.inflate(s)? else {
        return Ok(None);
    };
    let map = ToUnicode::parse(&data);
    Ok(if map.is_empty() { None } else { Some(map) })
}

/// Ascent and descent from a font descriptor, in units of the font size.
fn metrics(doc: &Document, fd: Option<&Dictionary>) -> (Option<f64>, Option<f64>) {
    let Some(fd) = fd else { return (None, None) };
    let a = get_num(doc, fd, b"Ascent").map(|v| v / 1000.0);
    let d = get_num(doc, fd, b"Descent").map(|v| v / 1000.0);
    // Some producers write 0 or absurd values: keep only plausible ones.
    let a = a.filter(|v| *v > 0.3 && *v < 1.5);
    let d = d.map(|v| -v.abs()).filter(|v| *v > -0.6 && *v < 0.0);
    (a, d)
}

impl Font {
    /// Parses a font dictionary. Fails only over a budget (its ToUnicode
    /// stream inflating past it): anything unreadable falls back to
    /// one-byte codes, U+FFFD and a 0.5 em width.
    pub fn load(doc: &Document, dict: &Dictionary, tally: &mut Tally) -> Result<Font, Stop> {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"");
        let to_unicode = load_to_unicode(doc, dict, tally)?;
        let mut f = if subtype == b"Type0" {
            Self::load_type0(doc, dict)
        } else {
            Self::load_simple(doc, dict, subtype == b"Type3")
        };
        f.to_unicode = to_unicode;
        Ok(f)
    }

    fn empty(codes: Codes, fallback: Fallback) -> Font {
        Font {
            codes,
            fallback,
            to_unicode: None,
            table: Box::new(['\0'; 256]),
            first_char: 0,
            widths: Vec::new(),
            missing_width: 500.0,
            cid_widths: CidWidths {
                default: 1000.0,
                ranges: Vec::new(),
            },
            width_scale: 0.001,
            ascent: None,
            descent: None,
        }
    }

    fn load_simple(doc: &Document, dict: &Dictionary, type3: bool) -> Font {
        let mut f = Font::empty(Codes::OneByte, Fallback::Table);
        let fd = get_dict(doc, dict, b"FontDescriptor");
        let symbolic = fd
            .and_then(|fd| get_num(doc, fd, b"Flags"))
            .map(|fl| (fl as i64) & 4 != 0)
            .unwrap_or(false);
        // Encoding: a name, or a dict with /BaseEncoding and /Differences.
        let (base, diffs) = match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => (Some(n.as_slice()), None),
            Some(Object::Dictionary(e)) => (
                get_name(doc, e, b"BaseEncoding"),
                match get(doc, e, b"Differences") {
                    Some(Object::Array(a)) => Some(a),
                    _ => None,
                },
            ),
            _ => (None, None),
        };
        *f.table = simple_base_table(base, symbolic && base.is_none());
        if let Some(diffs) = diffs {
            let mut code = 0usize;
            for o in diffs {
                match deref(doc, o) {
                    Object::Integer(i) => code = (*i).clamp(0, 255) as usize,
                    Object::Name(n) => {
                        if code < 256
                            && let Some(c) = glyph_name_to_char(n)
                        {
                            f.table[code] = c;
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        f.first_char = get_num(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as u32;
        if let Some(Object::Array(ws)) = get(doc, dict, b"Widths") {
            f.widths = ws
                .iter()
                .map(|o| num(deref(doc, o)).unwrap_or(0.0))
                .collect();
        }
        if let Some(fd) = fd
            && let Some(mw) = get_num(doc, fd, b"MissingWidth")
        {
            f.missing_width = mw;
        }
        if f.widths.is_empty() {
            // Standard 14 fonts without /Widths (iText writes Helvetica so):
            // Courier is 600; Helvetica/Arial get the Helvetica AFM widths
            // for ASCII; others a 500 average.
            let base_font = get_name(doc, dict, b"BaseFont").unwrap_or(b"");
            let has = |n: &[u8]| base_font.windows(n.len()).any(|w| w == n);
            if has(b"Courier") {
                f.missing_width = 600.0;
            } else if has(b"Helvetica") || has(b"Arial") {
                f.first_char = 32;
                f.widths = HELVETICA_32_126.iter().map(|&w| w as f64).collect();
            }
        }
        if type3
            && let Some(Object::Array(m)) = get(doc, dict, b"FontMatrix")
            && let Some(a) = m.first().and_then(|o| num(deref(doc, o)))
        {
            f.width_scale = a;
        }
        (f.ascent, f.descent) = metrics(doc, fd);
        f
    }

    fn load_type0(doc: &Document, dict: &Dictionary) -> Font {
        let enc = get_name(doc, dict, b"Encoding").unwrap_or(b"Identity-H");
        let (codes, fallback) = match enc {
            b"GBK-EUC-H" | b"GBK-EUC-V" | b"GB-EUC-H" | b"GB-EUC-V" | b"GBKp-EUC-H"
            | b"GBKp-EUC-V" | b"GBpc-EUC-H" | b"GBpc-EUC-V" => (Codes::Gbk, Fallback::Gbk),
            b"GBK2K-H" | b"GBK2K-V" => (Codes::Gb18030, Fallback::Gb18030),
            b"UniGB-UCS2-H" | b"UniGB-UCS2-V" | b"UniGB-UTF16-H" | b"UniGB-UTF16-V" => {
                (Codes::Utf16, Fallback::Utf16)
            }
            _ => (Codes::TwoByte, Fallback::None),
        };
        let mut f = Font::empty(codes, fallback);
        let desc = match get(doc, dict, b"DescendantFonts") {
            Some(Object::Array(a)) => a.first().map(|o| deref(doc, o)),
            _ => None,
        };
        if let Some(Object::Dictionary(cf)) = desc {
            f.cid_widths.default = get_num(doc, cf, b"DW").unwrap_or(1000.0);
            if let Some(Object::Array(w)) = get(doc, cf, b"W") {
                f.cid_widths.ranges = parse_w(doc, w);
            }
            (f.ascent, f.descent) = metrics(doc, get_dict(doc, cf, b"FontDescriptor"));
        }
        f
    }

    /// Width (glyph units) of a multi-byte font's code.
    ///
    /// Identity CMaps: CID = code. GB CMaps, single-byte ASCII: the CID the
    /// Adobe CMap gives (GBK-EUC-H / GB-EUC-H: 0x20 -> 7716, 0x21..=0x7E ->
    /// 814..; GBK2K-H and UniGB-UCS2/UTF16-H: 0x20..=0x7E -> 1..=95) is
    /// looked up in /W first, then the proportional CID `byte - 0x1F`
    /// (what many producers' /W lists), then /DW. Other codes take /DW: their
    /// CIDs would need the whole CMap.
    #[inline]
    fn cid_width(&self, code: u32, nbytes: usize) -> f64 {
        let w = &self.cid_widths;
        match self.codes {
            Codes::TwoByte => w.get(code),
            Codes::Gbk if nbytes == 1 && (0x20..=0x7E).contains(&code) => {
                let cmap_cid = if code == 0x20 {
                    7716
                } else {
                    814 + code - 0x21
                };
                w.lookup(cmap_cid)
                    .or_else(|| w.lookup(code - 0x1F))
                    .unwrap_or(w.default)
            }
            Codes::Gb18030 if nbytes == 1 && (0x20..=0x7E).contains(&code) => w.get(code - 0x1F),
            Codes::Utf16 if (0x20..=0x7E).contains(&code) => w.get(code - 0x1F),
            _ => w.default,
        }
    }

    #[inline]
    fn width_of(&self, code: u32, nbytes: usize) -> f64 {
        let w = match self.codes {
            Codes::OneByte => {
                let i = code.wrapping_sub(self.first_char) as usize;
                match self.widths.get(i) {
                    Some(&w) if code >= self.first_char => w,
                    _ => self.missing_width,
                }
            }
            _ => self.cid_width(code, nbytes),
        };
        w * self.width_scale
    }

    /// Splits `bytes` into codes and calls `f` once per code, in order.
    #[inline]
    pub fn decode(&self, bytes: &[u8], mut f: impl FnMut(Code<'_>)) {
        let mut i = 0;
        let mut buf = ['\0'; 2];
        while i < bytes.len() {
            let rest = &bytes[i..];
            let n = match self.codes {
                Codes::OneByte => 1,
                Codes::TwoByte => 2.min(rest.len()),
                Codes::Gbk => {
                    if rest[0] <= 0x80 || rest.len() < 2 {
                        1
                    } else {
                        2
                    }
                }
                Codes::Gb18030 => {
                    if rest[0] <= 0x80 || rest.len() < 2 {
                        1
                    } else if (0x30..=0x39).contains(&rest[1]) && rest.len() >= 4 {
                        4
                    } else {
                        2
                    }
                }
                Codes::Utf16 => {
                    if rest.len() >= 4 && (0xD8..=0xDB).contains(&rest[0]) {
                        4
                    } else {
                        2.min(rest.len())
                    }
                }
            };
            let raw = &rest[..n];
            let code = raw.iter().fold(0u32, |acc, &b| (acc << 8) | b as u32);
            i += n;
            let width = self.width_of(code, n);
            let is_space = n == 1 && code == 32;
            if let Some(s) = self.to_unicode.as_ref().and_then(|t| t.get(code, n)) {
                f(Code {
                    chars: s,
                    width,
                    is_space,
                });
                continue;
            }
            let chars: &[char] = match self.fallback {
                Fallback::Table => {
                    let c = self.table[(code & 0xFF) as usize];
                    if c == '\0' {
                        &REPLACEMENT
                    } else {
                        buf[0] = c;
                        &buf[..1]
                    }
                }
                Fallback::Gbk | Fallback::Gb18030 => {
                    let enc = if self.fallback == Fallback::Gbk {
                        encoding_rs::GBK
                    } else {
                        encoding_rs::GB18030
                    };
                    match decode_one(enc, raw) {
                        Some(c) => {
                            buf[0] = c;
                            &buf[..1]
                        }
                        None => &REPLACEMENT,
                    }
                }
                Fallback::Utf16 => {
                    let c = if n == 4 {
                        let hi = (code >> 16) as u16;
                        let lo = (code & 0xFFFF) as u16;
                        char::decode_utf16([hi, lo]).next().and_then(|r| r.ok())
                    } else {
                        char::from_u32(code).filter(|_| !(0xD800..0xE000).contains(&code))
                    };
                    match c {
                        Some(c) => {
                            buf[0] = c;
                            &buf[..1]
                        }
                        None => &REPLACEMENT,
                    }
                }
                Fallback::None => &REPLACEMENT,
            };
            f(Code {
                chars,
                width,
                is_space,
            });
        }
    }
}

/// Decodes one multi-byte code to a char without allocating.
fn decode_one(enc: &'static encoding_rs::Encoding, raw: &[u8]) -> Option<char> {
    if raw.len() == 1 && raw[0] < 0x80 {
        return Some(raw[0] as char);
    }
    let mut dec = enc.new_decoder_without_bom_handling();
    let mut out = [0u8; 8];
    let (res, _read, written) = dec.decode_to_utf8_without_replacement(raw, &mut out, true);
    if !matches!(res, encoding_rs::DecoderResult::InputEmpty) {
        return None;
    }
    std::str::from_utf8(&out[..written]).ok()?.chars().next()
}

/// Parses a CIDFont `/W` array: `c [w1 w2 ...]` and `c_first c_last w`.
fn parse_w(doc: &Document, w: &[Object]) -> Vec<(u32, u32, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let Some(first) = num(deref(doc, &w[i])) else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, o) in ws.iter().enumerate() {
                    if let Some(v) = num(deref(doc, o)) {
                        let c = first + k as u32;
                        out.push((c, c, v));
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = num(o).unwrap_or(first as f64).max(0.0) as u32;
                let v = w.get(i + 2).and_then(|o| num(deref(doc, o))).unwrap_or(0.0);
                out.push((first, last.max(first), v));
                i += 3;
            }
            None => break,
        }
    }
    out.sort_by_key(|r| r.0);
    out
}

/// Cache of parsed fonts, keyed by object id (or, for a font dictionary
/// written inline, by its address, stable while the document lives).
#[derive(Default)]
pub struct FontCache {
    by_key: HashMap<(u32, u16, usize), std::rc::Rc<Font>>,
}

impl FontCache {
    /// The font `obj` is or refers to, parsed once per document; `None`
    /// when it is no font dictionary.
    pub fn get_or_load(
        &mut self,
        doc: &Document,
        obj: &Object,
        tally: &mut Tally,
    ) -> Result<Option<std::rc::Rc<Font>>, Stop> {
        let (key, dict) = match obj {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(Object::Dictionary(d)) => ((id.0, id.1, 0), d),
                _ => return Ok(None),
            },
            Object::Dictionary(d) => ((0, 0, d as *const Dictionary as usize), d),
            _ => return Ok(None),
        };
        if let Some(f) = self.by_key.get(&key) {
            return Ok(Some(f.clone()));
        }
        let f = std::rc::Rc::new(Font::load(doc, dict, tally)?);
        self.by_key.insert(key, f.clone());
        Ok(Some(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w_array_range_form_gives_one_width_to_the_whole_range() {
        let doc = Document::new();
        let w = vec![
            Object::Integer(1),
            Object::Integer(95),
            Object::Integer(500),
            Object::Integer(100),
            Object::Array(vec![Object::Integer(600), Object::Real(700.0)]),
        ];
        let cw = CidWidths {
            default: 1000.0,
            ranges: parse_w(&doc, &w),
        };
        assert_eq!(cw.get(1), 500.0);
        assert_eq!(cw.get(50), 500.0);
        assert_eq!(cw.get(95), 500.0);
        assert_eq!(cw.get(96), 1000.0);
        assert_eq!(cw.get(100), 600.0);
        assert_eq!(cw.get(101), 700.0);
        assert_eq!(cw.get(102), 1000.0);
    }

    #[test]
    fn gbk_euc_h_ascii_width_prefers_the_cmap_cid_then_the_proportional_one() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let mut f = Font::empty(Codes::Gbk, Fallback::Gbk);
        // The Adobe GBK-EUC-H CMap: <20> -> 7716, <21>..<7e> -> 814...
        f.cid_widths.ranges = vec![(1, 95, 500.0), (814, 907, 600.0), (7716, 7716, 300.0)];
        assert!(close(f.width_of(b'(' as u32, 1), 0.6));
        assert!(close(f.width_of(0x20, 1), 0.3));
        // Only the proportional CIDs listed: byte - 0x1F.
        f.cid_widths.ranges = vec![(1, 95, 500.0)];
        assert!(close(f.width_of(b'(' as u32, 1), 0.5));
        // Two-byte codes: /DW.
        assert!(close(f.width_of(0xC9CF, 2), 1.0));
        // GBK2K-H maps ASCII to 1..=95 directly.
        let mut g = Font::empty(Codes::Gb18030, Fallback::Gb18030);
        g.cid_widths.ranges = vec![(1, 95, 500.0), (814, 907, 600.0)];
        assert!(close(g.width_of(b'(' as u32, 1), 0.5));
    }

    #[test]
    fn gbk_bytes_decode_one_code_at_a_time() {
        assert_eq!(decode_one(encoding_rs::GBK, &[0xC9, 0xCF]), Some('上'));
        assert_eq!(decode_one(encoding_rs::GBK, b"A"), Some('A'));
        assert_eq!(
            decode_one(encoding_rs::GB18030, &[0x81, 0x30, 0x81, 0x30]),
            Some('\u{80}')
        );
    }
}
