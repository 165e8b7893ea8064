//! Ruling lines: stroked segments and thin filled rectangles reduced to
//! centre lines, cut to the clipping rectangle, then de-duplicated.

use super::PdfSettings;
use crate::geom::{BBox, Edge, Orientation};

/// Edges as painted, before de-duplication. Coordinates are page space
/// (points, top-left origin).
#[derive(Debug, Default)]
pub struct RawEdges {
    pub edges: Vec<Edge>,
    /// The clipping rectangle the next edges are painted under: an edge is
    /// cut to it (set by the interpreter before each painting operator).
    pub clip: BBox,
    axis_tol: f64,
    min_len: f64,
    clip_tol: f64,
}

impl RawEdges {
    /// `clip` is the page's visible box.
    pub fn new(settings: &PdfSettings, clip: BBox) -> Self {
        RawEdges {
            edges: Vec::with_capacity(256),
            clip,
            axis_tol: settings.axis_tolerance,
            min_len: settings.min_edge_length,
            clip_tol: settings.clip_tolerance,
        }
    }

    /// Keeps the part of `e` inside the clip: its line must lie within
    /// `clip_tolerance` of the clip (a border stroked on the clip's own
    /// boundary stays), its extent is cut at the clip's exact boundary, and
    /// what is left must be `min_edge_length` long.
    #[inline]
    fn push(&mut self, e: Edge) {
        let (c, t) = (self.clip, self.clip_tol);
        let e = match e.orientation {
            Orientation::Horizontal => {
                if e.top < c.top - t || e.top > c.bottom + t {
                    return;
                }
                let (x0, x1) = (e.x0.max(c.x0), e.x1.min(c.x1));
                if x1 - x0 < self.min_len {
                    return;
                }
                Edge { x0, x1, ..e }
            }
            Orientation::Vertical => {
                if e.x0 < c.x0 - t || e.x0 > c.x1 + t {
                    return;
                }
                let (top, bottom) = (e.top.max(c.top), e.bottom.min(c.bottom));
                if bottom - top < self.min_len {
                    return;
                }
                Edge { top, bottom, ..e }
            }
        };
        self.edges.push(e);
    }

    /// A stroked straight segment: kept when axis-aligned (within the
    /// tolerance) and long enough; diagonals are dropped.
    pub fn segment(&mut self, x0: f64, y0: f64, x1: f64, y1: f64) {
        let (dx, dy) = ((x1 - x0).abs(), (y1 - y0).abs());
        if dy <= self.axis_tol && dx >= self.min_len {
            self.push(Edge::horizontal(x0, x1, (y0 + y1) / 2.0));
        } else if dx <= self.axis_tol && dy >= self.min_len {
            self.push(Edge::vertical((x0 + x1) / 2.0, y0, y1));
        }
    }

    /// A filled axis-aligned rectangle: a ruling line along its long axis
    /// when it is at most `max_line_thickness` thick; otherwise (a cell
    /// background) its 4 sides only if `filled_rect_sides_as_edges`.
    pub fn filled_rect(&mut self, r: BBox, s: &PdfSettings) {
        let (w, h) = (r.width(), r.height());
        if h <= s.max_line_thickness && w >= self.min_len && w >= h {
            self.push(Edge::horizontal(r.x0, r.x1, (r.top + r.bottom) / 2.0));
        } else if w <= s.max_line_thickness && h >= self.min_len {
            self.push(Edge::vertical((r.x0 + r.x1) / 2.0, r.top, r.bottom));
        } else if s.filled_rect_sides_as_edges
            && w > s.max_line_thickness
            && h > s.max_line_thickness
        {
            self.push(Edge::horizontal(r.x0, r.x1, r.top));
            self.push(Edge::horizontal(r.x0, r.x1, r.bottom));
            self.push(Edge::vertical(r.x0, r.top, r.bottom));
            self.push(Edge::vertical(r.x1, r.top, r.bottom));
        }
    }

    /// De-duplicates: an edge lying on another of the same orientation
    /// (position within `tol`, extent inside the other's extended by `tol`)
    /// is dropped. Collinear edges that merely touch or overlap partly are
    /// kept apart: joining them is the layout stage's business.
    /// Output is sorted: horizontals by (y, x0), then verticals by (x, top).
    pub fn finish(mut self, tol: f64) -> Vec<Edge> {
        let key = |e: &Edge| match e.orientation {
            Orientation::Horizontal => (0u8, e.top, e.x0, e.x1),
            Orientation::Vertical => (1u8, e.x0, e.top, e.bottom),
        };
        self.edges.sort_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(ka.2.total_cmp(&kb.2))
                .then(kb.3.total_cmp(&ka.3))
        });
        let mut out: Vec<Edge> = Vec::with_capacity(self.edges.len());
        let mut band_start = 0;
        for e in self.edges {
            let (o, pos, lo, hi) = key(&e);
            // Kept edges of this orientation whose position is within tol.
            while band_start < out.len() {
                let (bo, bpos, _, _) = key(&out[band_start]);
                if bo != o || pos - bpos > tol {
                    band_start += 1;
                } else {
                    break;
                }
            }
            let mut dup = false;
            for k in &mut out[band_start..] {
                let (_, _, klo, khi) = key(k);
                let new_covers = lo <= klo + tol && hi >= khi - tol;
                let kept_covers = klo <= lo + tol && khi >= hi - tol;
                if new_covers && hi - lo > khi - klo {
                    // Keep the longer of the two.
                    *k = e;
                    dup = true;
                    break;
                }
                if kept_covers {
                    dup = true;
                    break;
                }
            }
            if !dup {
                out.push(e);
            }
        }
        out
    }
}
