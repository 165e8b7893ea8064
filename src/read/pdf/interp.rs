//! A small content-stream interpreter: graphics state with CTM, text state,
//! text showing (Tj, TJ, ', "), paths (m l c v y h re) and their painting,
//! Form XObjects (Do). Images, shadings and colours are ignored.
//!
//! The clip (`W`/`W*` within the page's visible box, not a Form XObject's
//! /BBox) is one page-space rectangle, a non-rectangular path's bounding
//! box, outside which glyphs (by box centre) are dropped and edges cut;
//! `Tr` is not read, so invisible text (`3 Tr`, OCR layers) is kept.

use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfSettings;
use super::budget::{Stop, Tally};
use super::edges::RawEdges;
use super::fold::fold_radical;
use super::font::{Font, FontCache};
use super::lexer::{Lexer, Tok};
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
    /// The stroke / fill colour is white (device gray, RGB or CMYK): what
    /// is painted with it is invisible on paper and gives no edges.
    stroke_white: bool,
    fill_white: bool,
    /// The clipping path's bounding rectangle in page space (top-left
    /// points); `x0 > x1` or `top > bottom` when nothing is visible.
    clip: BBox,
}

/// The interpreter's output and caches for one document.
pub struct Interp<'a> {
    pub doc: &'a Document,
    pub settings: &'a PdfSettings,
    pub fonts: &'a mut FontCache,
    /// The file's shared budgets (bytes inflated, operators run).
    pub tally: &'a mut Tally,
    pub glyphs: Vec<Glyph>,
    pub edges: RawEdges,
    /// Images painted (image XObjects and inline images).
    pub images: usize,
    /// Resolution (pixels per inch) of the largest image XObject painted,
    /// from its /Width, /Height and the size the CTM paints it at; 0 when
    /// none. OCR rasterizes a scanned page at this resolution.
    pub image_dpi: f64,
    /// Area (points²) of the largest image painted (XObject or inline).
    pub image_area: f64,
    gs: GState,
    stack: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    /// Current path in page space: points with "segment from previous is a
    /// straight line" flags, and subpath starts with their closed flag.
    pts: Vec<(f64, f64, bool)>,
    subpaths: Vec<(usize, bool)>,
    /// Curve control points of the current path (page space): only for the
    /// bounding box of a clipping path.
    ctrl: Vec<(f64, f64)>,
    /// `W` / `W*` seen: the current path becomes a clip at its painting
    /// operator.
    clip_pending: bool,
    /// Form XObjects being run (cycle guard).
    forms: Vec<ObjectId>,
    /// Form XObjects invoked on this page, and path points constructed
    /// (per-page budgets).
    xobject_calls: usize,
    path_points: usize,
    /// Operators run since the clock was last read.
    ticks: u32,
    /// Fonts already looked up by `Tf` on this page: the resource
    /// dictionaries searched (by address), the name, the font.
    tf_cache: Vec<TfEntry>,
}

/// A `Tf` lookup: resource dictionaries searched (by address), name, font.
type TfEntry = (Vec<usize>, Vec<u8>, Option<Rc<Font>>);

/// Resource dictionaries to look names up in, innermost first.
type Resources<'a> = Vec<&'a Dictionary>;

fn num(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => *r as f64,
        _ => 0.0,
    }
}

/// The last `N` operands as numbers.
#[inline]
fn nums<const N: usize>(ops: &[Tok]) -> Option<[f64; N]> {
    if ops.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(&ops[ops.len() - N..]) {
        *o = match v {
            Tok::Num(n) => *n,
            _ => return None,
        };
    }
    Some(out)
}

/// Whether `n` colour operands are white: gray 1, RGB 1 1 1, CMYK 0 0 0 0.
fn is_white(ops: &[Tok], n: usize) -> bool {
    let v: [f64; 4] = match n {
        1 => match nums::<1>(ops) {
            Some([g]) => [g, g, g, 0.0],
            None => return false,
        },
        3 => match nums::<3>(ops) {
            Some([r, g, b]) => [r, g, b, 0.0],
            None => return false,
        },
        _ => match nums::<4>(ops) {
            Some([c, m, y, k]) => [1.0 - c, 1.0 - m, 1.0 - y, 1.0 - k],
            None => return false,
        },
    };
    let rgb_white = v[..3].iter().all(|&c| c >= 0.99);
    rgb_white && (n != 4 || v[3] >= 0.99)
}

#[inline]
fn first_num(ops: &[Tok], default: f64) -> f64 {
    match ops.first() {
        Some(Tok::Num(n)) => *n,
        _ => default,
    }
}

/// Operators run between two looks at the clock.
const DEADLINE_EVERY: u32 = 256;

impl<'a> Interp<'a> {
    /// `page_box`: the page's visible box in page space (the initial clip).
    pub fn new(
        doc: &'a Document,
        settings: &'a PdfSettings,
        fonts: &'a mut FontCache,
        tally: &'a mut Tally,
        page_matrix: Matrix,
        page_box: BBox,
    ) -> Self {
        Interp {
            doc,
            settings,
            fonts,
            tally,
            glyphs: Vec::with_capacity(2048),
            edges: RawEdges::new(settings, page_box),
            images: 0,
            image_dpi: 0.0,
            image_area: 0.0,
            gs: GState {
                ctm: page_matrix,
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                h_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
                stroke_white: false,
                fill_white: false,
                clip: page_box,
            },
            stack: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            pts: Vec::new(),
            subpaths: Vec::new(),
            ctrl: Vec::new(),
            clip_pending: false,
            forms: Vec::new(),
            xobject_calls: 0,
            path_points: 0,
            ticks: 0,
            tf_cache: Vec::new(),
        }
    }

    /// The font `Tf` names: looked up once per page per resources and name
    /// (a page sets its few fonts again for every text run).
    fn tf_font(&mut self, res: &Resources<'a>, name: &[u8]) -> Result<Option<Rc<Font>>, Stop> {
        let same_res = |v: &[usize]| {
            v.len() == res.len()
                && v.iter()
                    .zip(res)
                    .all(|(&a, &d)| a == d as *const Dictionary as usize)
        };
        if let Some((_, _, f)) = self
            .tf_cache
            .iter()
            .find(|(r, n, _)| n == name && same_res(r))
        {
            return Ok(f.clone());
        }
        let font = match self.lookup(res, b"Font", name) {
            Some(f) => self.fonts.get_or_load(self.doc, f, self.tally)?,
            None => None,
        };
        let ptrs = res
            .iter()
            .map(|&d| d as *const Dictionary as usize)
            .collect();
        self.tf_cache.push((ptrs, name.to_vec(), font.clone()));
        Ok(font)
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

    /// Runs a content stream with the given resources, within the
    /// deadline and the budgets.
    pub fn run(&mut self, content: &[u8], res: &Resources<'a>) -> Result<(), Stop> {
        let s = self.settings;
        let mut lx = Lexer::new(content, s.max_operands, s.max_string_bytes);
        while let Some(op) = lx.next_op() {
            self.tally.operator()?;
            self.ticks += 1;
            if self.ticks >= DEADLINE_EVERY {
                self.ticks = 0;
                if s.deadline.as_ref().is_some_and(|d| d.expired()) {
                    return Err(Stop::Timeout);
                }
            }
            let o = &lx.ops[..];
            if self.text_op(op, o, &lx, res)? {
                self.check_glyphs()?;
                continue;
            }
            if self.path_op(op, o) {
                if self.path_points > s.max_path_points_per_page {
                    return Err(Stop::Over(format!(
                        "path budget of {} points per page",
                        s.max_path_points_per_page
                    )));
                }
                continue;
            }
            match op {
                // Graphics state
                b"q" => self.stack.push(self.gs.clone()),
                b"Q" => {
                    if let Some(g) = self.stack.pop() {
                        self.gs = g;
                    }
                }
                b"cm" => {
                    if let Some([a, b, c, d, e, f]) = nums::<6>(o) {
                        self.gs.ctm = Matrix::new(a, b, c, d, e, f).then(&self.gs.ctm);
                    }
                }
                b"W" | b"W*" => self.clip_pending = true,
                // Colours: only whether they are white.
                b"G" => self.gs.stroke_white = is_white(o, 1),
                b"g" => self.gs.fill_white = is_white(o, 1),
                b"RG" => self.gs.stroke_white = is_white(o, 3),
                b"rg" => self.gs.fill_white = is_white(o, 3),
                b"K" => self.gs.stroke_white = is_white(o, 4),
                b"k" => self.gs.fill_white = is_white(o, 4),
                b"CS" | b"SC" | b"SCN" => self.gs.stroke_white = false,
                b"cs" | b"sc" | b"scn" => self.gs.fill_white = false,
                // XObjects
                b"BI" => {
                    // An inline image fills the unit square the CTM maps.
                    self.images += 1;
                    let m = self.gs.ctm;
                    let area = m.a.hypot(m.b) * m.c.hypot(m.d);
                    if area > self.image_area {
                        self.image_area = area;
                        self.image_dpi = 0.0;
                    }
                }
                b"Do" => {
                    if let Some(n) = o.first().and_then(|&t| lx.name(t)) {
                        self.do_xobject(res, n)?;
                    }
                }
                _ => {}
            }
        }
        match lx.over {
            Some(what) => Err(Stop::Over(what)),
            None => Ok(()),
        }
    }

    /// Whether the glyphs painted are within the page's and the file's
    /// budgets.
    fn check_glyphs(&self) -> Result<(), Stop> {
        let s = self.settings;
        if self.glyphs.len() > s.max_glyphs_per_page {
            return Err(Stop::Over(format!(
                "glyph budget of {} per page",
                s.max_glyphs_per_page
            )));
        }
        if self.glyphs.len() + self.tally.glyphs > s.max_glyphs_per_file {
            return Err(Stop::Over(format!(
                "glyph budget of {} per file",
                s.max_glyphs_per_file
            )));
        }
        Ok(())
    }

    /// A text object or text state operator; false when `op` is none.
    fn text_op(
        &mut self,
        op: &[u8],
        o: &[Tok],
        lx: &Lexer<'_>,
        res: &Resources<'a>,
    ) -> Result<bool, Stop> {
        match op {
            // Text objects and state
            b"BT" => {
                self.tm = Matrix::IDENTITY;
                self.tlm = Matrix::IDENTITY;
            }
            b"Tf" => {
                if let (Some(&name), Some([size])) = (o.first(), nums::<1>(o)) {
                    self.gs.size = size;
                    self.gs.font = match lx.name(name) {
                        Some(n) => self.tf_font(res, n)?,
                        None => None,
                    };
                }
            }
            b"Tc" => self.gs.char_spacing = first_num(o, 0.0),
            b"Tw" => self.gs.word_spacing = first_num(o, 0.0),
            b"Tz" => self.gs.h_scale = first_num(o, 100.0) / 100.0,
            b"TL" => self.gs.leading = first_num(o, 0.0),
            b"Ts" => self.gs.rise = first_num(o, 0.0),
            b"Td" => {
                if let Some([tx, ty]) = nums::<2>(o) {
                    self.next_line(tx, ty);
                }
            }
            b"TD" => {
                if let Some([tx, ty]) = nums::<2>(o) {
                    self.gs.leading = -ty;
                    self.next_line(tx, ty);
                }
            }
            b"Tm" => {
                if let Some([a, b, c, d, e, f]) = nums::<6>(o) {
                    self.tm = Matrix::new(a, b, c, d, e, f);
                    self.tlm = self.tm;
                }
            }
            b"T*" => self.next_line(0.0, -self.gs.leading),
            b"Tj" => {
                if let Some(s) = o.last().and_then(|&t| lx.str(t)) {
                    self.show(s);
                }
            }
            b"'" => {
                self.next_line(0.0, -self.gs.leading);
                if let Some(s) = o.last().and_then(|&t| lx.str(t)) {
                    self.show(s);
                }
            }
            b"\"" => {
                if let [Tok::Num(aw), Tok::Num(ac), t @ Tok::Str(..)] = o {
                    self.gs.word_spacing = *aw;
                    self.gs.char_spacing = *ac;
                    self.next_line(0.0, -self.gs.leading);
                    if let Some(s) = lx.str(*t) {
                        self.show(s);
                    }
                }
            }
            b"TJ" => {
                for &t in o {
                    match t {
                        Tok::Str(..) => {
                            if let Some(s) = lx.str(t) {
                                self.show(s);
                            }
                        }
                        Tok::Num(n) => {
                            let tx = -n / 1000.0 * self.gs.size * self.gs.h_scale;
                            self.tm = Matrix::new(1.0, 0.0, 0.0, 1.0, tx, 0.0).then(&self.tm);
                        }
                        _ => {}
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A path construction or painting operator; false when `op` is none.
    fn path_op(&mut self, op: &[u8], o: &[Tok]) -> bool {
        match op {
            // Paths
            b"m" => {
                if let Some([x, y]) = nums::<2>(o) {
                    let (x, y) = self.gs.ctm.apply(x, y);
                    self.subpaths.push((self.pts.len(), false));
                    self.pts.push((x, y, false));
                    self.path_points += 1;
                }
            }
            b"l" => {
                if let Some([x, y]) = nums::<2>(o) {
                    self.line_to(x, y, true);
                }
            }
            b"c" | b"v" | b"y" => {
                if let Some([x, y]) = nums::<2>(o) {
                    // Control points: the operands before the end point.
                    let n = if op == b"c" { 6 } else { 4 };
                    if o.len() >= n {
                        for k in (o.len() - n..o.len() - 2).step_by(2) {
                            if let (Tok::Num(cx), Tok::Num(cy)) = (&o[k], &o[k + 1]) {
                                let p = self.gs.ctm.apply(*cx, *cy);
                                self.ctrl.push(p);
                            }
                        }
                    }
                    self.line_to(x, y, false);
                }
            }
            b"h" => {
                if let Some(last) = self.subpaths.last_mut() {
                    last.1 = true;
                }
            }
            b"re" => {
                if let Some([x, y, w, h]) = nums::<4>(o) {
                    let m = self.gs.ctm;
                    self.path_points += 4;
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
            b"S" => self.paint(true, false, false),
            b"s" => self.paint(true, false, true),
            b"f" | b"F" | b"f*" => self.paint(false, true, true),
            b"B" | b"B*" => self.paint(true, true, false),
            b"b" | b"b*" => self.paint(true, true, true),
            b"n" => self.end_path(),
            _ => return false,
        }
        true
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = Matrix::new(1.0, 0.0, 0.0, 1.0, tx, ty).then(&self.tlm);
        self.tm = self.tlm;
    }

    fn line_to(&mut self, x: f64, y: f64, straight: bool) {
        self.path_points += 1;
        let (x, y) = self.gs.ctm.apply(x, y);
        if self.subpaths.is_empty() {
            self.subpaths.push((self.pts.len(), false));
            self.pts.push((x, y, false));
        } else {
            self.pts.push((x, y, straight));
        }
    }

    /// Ends the path after its painting operator: a pending clip (`W`)
    /// narrows the current one to the path's bounding box, then the path
    /// is cleared.
    fn end_path(&mut self) {
        if self.clip_pending {
            self.clip_pending = false;
            let pts = self.pts.iter().map(|p| (p.0, p.1));
            let mut it = pts.chain(self.ctrl.iter().copied());
            if let Some((x, y)) = it.next() {
                let b = it.fold(BBox::new(x, y, x, y), |b, (x, y)| BBox {
                    x0: b.x0.min(x),
                    top: b.top.min(y),
                    x1: b.x1.max(x),
                    bottom: b.bottom.max(y),
                });
                self.clip_to(b);
            }
        }
        self.pts.clear();
        self.subpaths.clear();
        self.ctrl.clear();
    }

    /// Intersects the clip with `b` (page space).
    fn clip_to(&mut self, b: BBox) {
        let c = &mut self.gs.clip;
        *c = BBox {
            x0: c.x0.max(b.x0),
            top: c.top.max(b.top),
            x1: c.x1.min(b.x1),
            bottom: c.bottom.min(b.bottom),
        };
    }

    /// Paints the current path: straight segments of a stroke become edges;
    /// a filled subpath that is an axis-aligned rectangle becomes an edge
    /// when thin (or its 4 sides, when configured, when not thin).
    fn paint(&mut self, stroke: bool, fill: bool, close: bool) {
        let stroke = stroke && !self.gs.stroke_white;
        let fill = fill && !self.gs.fill_white;
        self.edges.clip = self.gs.clip;
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
        self.end_path();
    }

    fn do_xobject(&mut self, res: &Resources<'a>, name: &[u8]) -> Result<(), Stop> {
        let Some(Object::Reference(id)) = self.lookup(res, b"XObject", name) else {
            return Ok(());
        };
        let id = *id;
        if self.forms.contains(&id) || self.forms.len() >= self.settings.max_xobject_depth {
            return Ok(());
        }
        let Ok(Object::Stream(stream)) = self.doc.get_object(id) else {
            return Ok(());
        };
        match stream.dict.get(b"Subtype") {
            Ok(Object::Name(n)) if n == b"Form" => {}
            Ok(Object::Name(n)) if n == b"Image" => {
                self.images += 1;
                let m = self.gs.ctm;
                let (w_pt, h_pt) = (m.a.hypot(m.b), m.c.hypot(m.d));
                let px = |k: &[u8]| match stream.dict.get(k) {
                    Ok(Object::Integer(v)) => *v as f64,
                    Ok(Object::Real(v)) => *v as f64,
                    _ => 0.0,
                };
                let (w_px, h_px) = (px(b"Width"), px(b"Height"));
                if w_pt > 1.0 && h_pt > 1.0 && w_pt * h_pt > self.image_area {
                    self.image_area = w_pt * h_pt;
                    self.image_dpi = (w_px * 72.0 / w_pt).max(h_px * 72.0 / h_pt);
                }
                return Ok(());
            }
            _ => return Ok(()),
        }
        self.xobject_calls += 1;
        if self.xobject_calls > self.settings.max_xobject_calls_per_page {
            return Err(Stop::Over(format!(
                "XObject budget of {} invocations per page",
                self.settings.max_xobject_calls_per_page
            )));
        }
        let Some(data) = self.tally.inflate_once(id, stream)? else {
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
        // A glyph is kept when its box centre lies in the clip (± the
        // tolerance): compared doubled, [x0 + x1, top + bottom] against
        // twice the bounds. NaN boxes stay, as before clipping was read.
        let t = 2.0 * self.settings.clip_tolerance;
        let c = &gs.clip;
        let clip = [
            2.0 * c.x0 - t,
            2.0 * c.x1 + t,
            2.0 * c.top - t,
            2.0 * c.bottom + t,
        ];
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
                let (cx, cy) = (bbox.x0 + bbox.x1, bbox.top + bbox.bottom);
                if cx < clip[0] || cx > clip[1] || cy < clip[2] || cy > clip[3] {
                    continue;
                }
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
