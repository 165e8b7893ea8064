//! A small content-stream interpreter: graphics state with CTM, text state,
//! text showing (Tj, TJ, ', "), paths (m l c v y h re) and their painting,
//! Form XObjects (Do). Images, shadings, colours and clipping are ignored.

use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfSettings;
use super::edges::RawEdges;
use super::fold::fold_radical;
use super::font::{Font, FontCache};
use crate::geom::{BBox, Glyph};

/// An affine matrix `[a b c d e f]`, row-vector convention as in the PDF
/// spec: `[x y 1] × M`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Matrix {
    pub const IDENTITY: Matrix = Matrix {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };
    pub fn new(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> Matrix {
        Matrix { a, b, c, d, e, f }
    }
    /// `self` then `o`: `[x y 1] × self × o`.
    #[inline]
    pub fn then(&self, o: &Matrix) -> Matrix {
        Matrix {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }
    #[inline]
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            x * self.a + y * self.c + self.e,
            x * self.b + y * self.d + self.f,
        )
    }
}

#[derive(Clone)]
struct GState {
    /// CTM followed by the page matrix (user space to top-left page space).
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

/// The interpreter's output and caches for one document.
pub struct Interp<'a> {
    pub doc: &'a Document,
    pub settings: &'a PdfSettings,
    pub fonts: &'a mut FontCache,
    pub glyphs: Vec<Glyph>,
    pub edges: RawEdges,
    gs: GState,
    stack: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    /// Current path in page space: points with "segment from previous is a
    /// straight line" flags, and subpath starts with their closed flag.
    pts: Vec<(f64, f64, bool)>,
    subpaths: Vec<(usize, bool)>,
    /// Form XObjects being run (cycle guard).
    forms: Vec<ObjectId>,
    /// Operators run since the clock was last read.
    ticks: u32,
}

/// Resource dictionaries to look names up in, innermost first.
type Resources<'a> = Vec<&'a Dictionary>;

fn num(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => *r as f64,
        _ => 0.0,
    }
}

fn nums<const N: usize>(ops: &[Object]) -> Option<[f64; N]> {
    if ops.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(&ops[ops.len() - N..]) {
        *o = match v {
            Object::Integer(i) => *i as f64,
            Object::Real(r) => *r as f64,
            _ => return None,
        };
    }
    Some(out)
}

const MAX_FORM_DEPTH: usize = 12;

/// The error string of a run stopped by [`PdfSettings::deadline`].
pub const TIMED_OUT: &str = "timed out";

/// Operators run between two looks at the clock.
const DEADLINE_EVERY: u32 = 256;

impl<'a> Interp<'a> {
    pub fn new(
        doc: &'a Document,
        settings: &'a PdfSettings,
        fonts: &'a mut FontCache,
        page_matrix: Matrix,
    ) -> Self {
        Interp {
            doc,
            settings,
            fonts,
            glyphs: Vec::with_capacity(2048),
            edges: RawEdges::new(settings),
            gs: GState {
                ctm: page_matrix,
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                h_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
            },
            stack: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            pts: Vec::new(),
            subpaths: Vec::new(),
            forms: Vec::new(),
            ticks: 0,
        }
    }

    fn lookup(&self, res: &Resources<'a>, category: &[u8], name: &[u8]) -> Option<&'a Object> {
        for d in res {
            let cat = match d.get(category).ok() {
                Some(Object::Reference(id)) => self.doc.get_object(*id).ok(),
                o => o,
            };
            if let Some(Object::Dictionary(cat)) = cat
                && let Ok(o) = cat.get(name)
            {
                return Some(o);
            }
        }
        None
    }

    /// Runs a content stream with the given resources.
    pub fn run(&mut self, content: &[u8], res: &Resources<'a>) -> Result<(), String> {
        let content = Content::decode(content).map_err(|e| format!("content stream: {e}"))?;
        for op in &content.operations {
            self.ticks += 1;
            if self.ticks >= DEADLINE_EVERY {
                self.ticks = 0;
                if self.settings.deadline.is_some_and(|d| d.expired()) {
                    return Err(TIMED_OUT.to_string());
                }
            }
            let o = &op.operands;
            match op.operator.as_str() {
                // Graphics state
                "q" => self.stack.push(self.gs.clone()),
                "Q" => {
                    if let Some(g) = self.stack.pop() {
                        self.gs = g;
                    }
                }
                "cm" => {
                    if let Some([a, b, c, d, e, f]) = nums::<6>(o) {
                        self.gs.ctm = Matrix::new(a, b, c, d, e, f).then(&self.gs.ctm);
                    }
                }
                // Text objects and state
                "BT" => {
                    self.tm = Matrix::IDENTITY;
                    self.tlm = Matrix::IDENTITY;
                }
                "ET" => {}
                "Tf" if o.len() >= 2 => {
                    self.gs.size = num(&o[1]);
                    self.gs.font = match &o[0] {
                        Object::Name(n) => self
                            .lookup(res, b"Font", n)
                            .and_then(|f| self.fonts.get_or_load(self.doc, f)),
                        _ => None,
                    };
                }
                "Tc" => self.gs.char_spacing = o.first().map(num).unwrap_or(0.0),
                "Tw" => self.gs.word_spacing = o.first().map(num).unwrap_or(0.0),
                "Tz" => self.gs.h_scale = o.first().map(num).unwrap_or(100.0) / 100.0,
                "TL" => self.gs.leading = o.first().map(num).unwrap_or(0.0),
                "Ts" => self.gs.rise = o.first().map(num).unwrap_or(0.0),
                "Td" => {
                    if let Some([tx, ty]) = nums::<2>(o) {
                        self.next_line(tx, ty);
                    }
                }
                "TD" => {
                    if let Some([tx, ty]) = nums::<2>(o) {
                        self.gs.leading = -ty;
                        self.next_line(tx, ty);
                    }
                }
                "Tm" => {
                    if let Some([a, b, c, d, e, f]) = nums::<6>(o) {
                        self.tm = Matrix::new(a, b, c, d, e, f);
                        self.tlm = self.tm;
                    }
                }
                "T*" => self.next_line(0.0, -self.gs.leading),
                "Tj" => {
                    if let Some(Object::String(s, _)) = o.first() {
                        self.show(s);
                    }
                }
                "'" => {
                    self.next_line(0.0, -self.gs.leading);
                    if let Some(Object::String(s, _)) = o.first() {
                        self.show(s);
                    }
                }
                "\"" if o.len() >= 3 => {
                    self.gs.word_spacing = num(&o[0]);
                    self.gs.char_spacing = num(&o[1]);
                    self.next_line(0.0, -self.gs.leading);
                    if let Object::String(s, _) = &o[2] {
                        self.show(s);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        for it in items {
                            match it {
                                Object::String(s, _) => self.show(s),
                                Object::Integer(_) | Object::Real(_) => {
                                    let tx = -num(it) / 1000.0 * self.gs.size * self.gs.h_scale;
                                    self.tm =
                                        Matrix::new(1.0, 0.0, 0.0, 1.0, tx, 0.0).then(&self.tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                // Paths
                "m" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        let (x, y) = self.gs.ctm.apply(x, y);
                        self.subpaths.push((self.pts.len(), false));
                        self.pts.push((x, y, false));
                    }
                }
                "l" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        self.line_to(x, y, true);
                    }
                }
                "c" | "v" | "y" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        self.line_to(x, y, false);
                    }
                }
                "h" => {
                    if let Some(last) = self.subpaths.last_mut() {
                        last.1 = true;
                    }
                }
                "re" => {
                    if let Some([x, y, w, h]) = nums::<4>(o) {
                        let m = self.gs.ctm;
                        self.subpaths.push((self.pts.len(), true));
                        for (px, py, line) in [
                            (x, y, false),
                            (x + w, y, true),
                            (x + w, y + h, true),
                            (x, y + h, true),
                        ] {
                            let (px, py) = m.apply(px, py);
                            self.pts.push((px, py, line));
                        }
                    }
                }
                "S" => self.paint(true, false, false),
                "s" => self.paint(true, false, true),
                "f" | "F" | "f*" => self.paint(false, true, true),
                "B" | "B*" => self.paint(true, true, false),
                "b" | "b*" => self.paint(true, true, true),
                "n" => self.clear_path(),
                "w" => {}
                // XObjects
                "Do" => {
                    if let Some(Object::Name(n)) = o.first() {
                        self.do_xobject(res, n)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = Matrix::new(1.0, 0.0, 0.0, 1.0, tx, ty).then(&self.tlm);
        self.tm = self.tlm;
    }

    fn line_to(&mut self, x: f64, y: f64, straight: bool) {
        let (x, y) = self.gs.ctm.apply(x, y);
        if self.subpaths.is_empty() {
            self.subpaths.push((self.pts.len(), false));
            self.pts.push((x, y, false));
        } else {
            self.pts.push((x, y, straight));
        }
    }

    fn clear_path(&mut self) {
        self.pts.clear();
        self.subpaths.clear();
    }

    /// Paints the current path: straight segments of a stroke become edges;
    /// a filled subpath that is an axis-aligned rectangle becomes an edge
    /// when thin (or its 4 sides, when configured, when not thin).
    fn paint(&mut self, stroke: bool, fill: bool, close: bool) {
        let n = self.subpaths.len();
        for k in 0..n {
            let (start, closed) = self.subpaths[k];
            let end = self
                .subpaths
                .get(k + 1)
                .map(|s| s.0)
                .unwrap_or(self.pts.len());
            let pts = &self.pts[start..end];
            if pts.is_empty() {
                continue;
            }
            // A thin filled rectangle is one ruling line: its centre line,
            // not also its stroked outline (B on a 0.5 pt rect).
            if fill && let Some(r) = as_rect(pts, self.settings.axis_tolerance) {
                let thin = r.width().min(r.height()) <= self.settings.max_line_thickness;
                self.edges.filled_rect(r, self.settings);
                if thin {
                    continue;
                }
            }
            if stroke {
                for w in pts.windows(2) {
                    if w[1].2 {
                        self.edges.segment(w[0].0, w[0].1, w[1].0, w[1].1);
                    }
                }
                if closed || close {
                    let (a, b) = (pts[pts.len() - 1], pts[0]);
                    self.edges.segment(a.0, a.1, b.0, b.1);
                }
            }
        }
        self.clear_path();
    }

    fn do_xobject(&mut self, res: &Resources<'a>, name: &[u8]) -> Result<(), String> {
        let Some(Object::Reference(id)) = self.lookup(res, b"XObject", name) else {
            return Ok(());
        };
        let id = *id;
        if self.forms.contains(&id) || self.forms.len() >= MAX_FORM_DEPTH {
            return Ok(());
        }
        let Ok(Object::Stream(stream)) = self.doc.get_object(id) else {
            return Ok(());
        };
        if !matches!(stream.dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Form") {
            return Ok(());
        }
        let Ok(data) = stream.get_plain_content() else {
            return Ok(());
        };
        let mut inner: Resources<'a> = Vec::with_capacity(res.len() + 1);
        match stream.dict.get(b"Resources") {
            Ok(Object::Dictionary(d)) => inner.push(d),
            Ok(Object::Reference(r)) => {
                if let Ok(Object::Dictionary(d)) = self.doc.get_object(*r) {
                    inner.push(d)
                }
            }
            _ => {}
        }
        inner.extend_from_slice(res);
        let saved_stack = self.stack.len();
        let saved_gs = self.gs.clone();
        let (saved_tm, saved_tlm) = (self.tm, self.tlm);
        if let Ok(Object::Array(m)) = stream.dict.get(b"Matrix")
            && m.len() == 6
        {
            let v: Vec<f64> = m.iter().map(num).collect();
            self.gs.ctm = Matrix::new(v[0], v[1], v[2], v[3], v[4], v[5]).then(&self.gs.ctm);
        }
        self.forms.push(id);
        let r = self.run(&data, &inner);
        self.forms.pop();
        self.stack.truncate(saved_stack);
        self.gs = saved_gs;
        (self.tm, self.tlm) = (saved_tm, saved_tlm);
        r
    }

    /// Shows a string: one glyph per Unicode char, advancing the text matrix.
    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            return;
        };
        let gs = &self.gs;
        let fs = gs.size;
        let (tc, tw, th, rise) = (gs.char_spacing, gs.word_spacing, gs.h_scale, gs.rise);
        let (asc, desc) = if self.settings.font_descriptor_metrics {
            (
                font.ascent.unwrap_or(self.settings.ascent),
                font.descent.unwrap_or(-self.settings.descent),
            )
        } else {
            (self.settings.ascent, -self.settings.descent)
        };
        let (y_lo, y_hi) = (rise + desc * fs, rise + asc * fs);
        let ctm = gs.ctm;
        let mut tm = self.tm;
        let glyphs = &mut self.glyphs;
        font.decode(bytes, |code| {
            let tx = (code.width * fs + tc + if code.is_space { tw } else { 0.0 }) * th;
            let m = tm.then(&ctm);
            let size = fs * (m.c * m.c + m.d * m.d).sqrt();
            let n = code.chars.len();
            for (i, &ch) in code.chars.iter().enumerate() {
                if (ch as u32) < 0x20 {
                    continue;
                }
                let xa = tx * i as f64 / n as f64;
                let xb = tx * (i + 1) as f64 / n as f64;
                let bbox = if m.b == 0.0 && m.c == 0.0 {
                    let (x0, y0) = m.apply(xa, y_lo);
                    let (x1, y1) = m.apply(xb, y_hi);
                    BBox::new(x0, y0, x1, y1)
                } else {
                    let p = [
                        m.apply(xa, y_lo),
                        m.apply(xb, y_lo),
                        m.apply(xa, y_hi),
                        m.apply(xb, y_hi),
                    ];
                    BBox {
                        x0: p.iter().map(|q| q.0).fold(f64::INFINITY, f64::min),
                        x1: p.iter().map(|q| q.0).fold(f64::NEG_INFINITY, f64::max),
                        top: p.iter().map(|q| q.1).fold(f64::INFINITY, f64::min),
                        bottom: p.iter().map(|q| q.1).fold(f64::NEG_INFINITY, f64::max),
                    }
                };
                glyphs.push(Glyph {
                    ch: fold_radical(ch),
                    bbox,
                    size,
                });
            }
            tm = Matrix::new(1.0, 0.0, 0.0, 1.0, tx, 0.0).then(&tm);
        });
        self.tm = tm;
    }
}

/// The bounding box of a subpath that is an axis-aligned rectangle (4
/// corners, optionally repeated first point, straight sides), in page space.
fn as_rect(pts: &[(f64, f64, bool)], tol: f64) -> Option<BBox> {
    let mut p = pts;
    if p.len() == 5 {
        let (a, b) = (p[0], p[4]);
        if (a.0 - b.0).abs() <= tol && (a.1 - b.1).abs() <= tol {
            p = &p[..4];
        }
    }
    if p.len() != 4 || p[1..].iter().any(|q| !q.2) {
        return None;
    }
    for i in 0..4 {
        let (a, b) = (p[i], p[(i + 1) % 4]);
        let dx = (a.0 - b.0).abs();
        let dy = (a.1 - b.1).abs();
        if dx > tol && dy > tol {
            return None;
        }
    }
    let xs = p.iter().map(|q| q.0);
    let ys = p.iter().map(|q| q.1);
    Some(BBox {
        x0: xs.clone().fold(f64::INFINITY, f64::min),
        x1: xs.fold(f64::NEG_INFINITY, f64::max),
        top: ys.clone().fold(f64::INFINITY, f64::min),
        bottom: ys.fold(f64::NEG_INFINITY, f64::max),
    })
}
