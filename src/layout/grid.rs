//! Ruling lines to table grids with merged cells.
//!
//! 1. [`merge_edges`]: snap edge positions that are within
//!    `snap_tolerance`, join collinear segments with gaps up to
//!    `join_tolerance`, drop edges shorter than `min_edge_length`.
//! 2. Group edges into tables: edges that touch or cross belong together.
//! 3. Per table, the distinct x of vertical edges and y of horizontal edges
//!    cut the table into atomic cells; two neighbouring atomic cells are one
//!    merged cell when no edge covers (at least `border_coverage` of) the
//!    side they share.

use serde::Serialize;

use crate::geom::{BBox, Edge, Orientation};
use crate::settings::LayoutSettings;

/// One (possibly merged) cell of a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The grid row of the cell's top atomic cell, 0-based.
    pub row: usize,
    /// The grid column of the cell's left atomic cell, 0-based.
    pub col: usize,
    /// How many grid rows the cell covers (1 when not merged).
    pub row_span: usize,
    /// How many grid columns the cell covers (1 when not merged).
    pub col_span: usize,
    /// The cell's box, points.
    pub bbox: BBox,
    /// The cell's top (bottom) is a page cut with no ruling line: the
    /// table's vertical rules run on past its first (last) horizontal one,
    /// to the page's edge, so the row goes on across the page break.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut_top: bool,
    /// The cell's bottom is a page cut with no ruling line (see `cut_top`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut_bottom: bool,
}

/// A table: its grid lines and its cells, top to bottom, left to right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// Column boundaries, left to right (`cols + 1` values).
    pub xs: Vec<f64>,
    /// Row boundaries, top to bottom (`rows + 1` values).
    pub ys: Vec<f64>,
    /// The cells, top to bottom, left to right.
    pub cells: Vec<Cell>,
    /// The table's outer box, points.
    pub bbox: BBox,
    /// Atomic (row, col) to index in `cells`, row-major; `None` where the
    /// atomic cell lies outside the table's borders.
    #[serde(skip)]
    owner: Vec<Option<usize>>,
}

impl Grid {
    /// Number of atomic grid rows.
    pub fn rows(&self) -> usize {
        self.ys.len() - 1
    }
    /// Number of atomic grid columns.
    pub fn cols(&self) -> usize {
        self.xs.len() - 1
    }
    /// The cell holding the point, if any.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        if !self.bbox.contains(x, y) {
            return None;
        }
        let col = self.xs.partition_point(|&v| v <= x).clamp(1, self.cols()) - 1;
        let row = self.ys.partition_point(|&v| v <= y).clamp(1, self.rows()) - 1;
        self.owner[row * self.cols() + col]
    }
}

/// Clusters sorted positions: values within `tol` of the cluster's first
/// member share the cluster's mean.
fn cluster_positions(mut vals: Vec<f64>, tol: f64) -> Vec<f64> {
    vals.sort_by(f64::total_cmp);
    let mut reps = Vec::new();
    let mut start = 0;
    for i in 1..=vals.len() {
        if i == vals.len() || vals[i] - vals[start] > tol {
            let slice = &vals[start..i];
            reps.push(slice.iter().sum::<f64>() / slice.len() as f64);
            start = i;
        }
    }
    reps
}

fn nearest(reps: &[f64], v: f64) -> f64 {
    let i = reps.partition_point(|&r| r < v);
    let mut best = f64::NAN;
    let mut d = f64::INFINITY;
    for j in [i.saturating_sub(1), i.min(reps.len().saturating_sub(1))] {
        if let Some(&r) = reps.get(j)
            && (r - v).abs() < d
        {
            d = (r - v).abs();
            best = r;
        }
    }
    best
}

/// Snaps, joins and filters edges (see the module docs).
pub fn merge_edges(edges: &[Edge], settings: &LayoutSettings) -> Vec<Edge> {
    let mut out = Vec::new();
    for orient in [Orientation::Horizontal, Orientation::Vertical] {
        let pos = |e: &Edge| match orient {
            Orientation::Horizontal => e.top,
            Orientation::Vertical => e.x0,
        };
        let span = |e: &Edge| match orient {
            Orientation::Horizontal => (e.x0, e.x1),
            Orientation::Vertical => (e.top, e.bottom),
        };
        let these: Vec<&Edge> = edges.iter().filter(|e| e.orientation == orient).collect();
        let reps = cluster_positions(
            these.iter().map(|e| pos(e)).collect(),
            settings.snap_tolerance,
        );
        let mut segs: Vec<(f64, f64, f64)> = these
            .iter()
            .map(|e| {
                let (a, b) = span(e);
                (nearest(&reps, pos(e)), a, b)
            })
            .collect();
        segs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut i = 0;
        while i < segs.len() {
            let (p, mut a, mut b) = segs[i];
            let mut j = i + 1;
            while j < segs.len() && segs[j].0 == p {
                if segs[j].1 <= b + settings.join_tolerance {
                    b = b.max(segs[j].2);
                } else {
                    push_edge(&mut out, orient, p, a, b, settings);
                    a = segs[j].1;
                    b = segs[j].2;
                }
                j += 1;
            }
            push_edge(&mut out, orient, p, a, b, settings);
            i = j;
        }
    }
    out
}

fn push_edge(out: &mut Vec<Edge>, o: Orientation, p: f64, a: f64, b: f64, s: &LayoutSettings) {
    if b - a < s.min_edge_length {
        return;
    }
    out.push(match o {
        Orientation::Horizontal => Edge::horizontal(a, b, p),
        Orientation::Vertical => Edge::vertical(p, a, b),
    });
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn touches(h: &Edge, v: &Edge, tol: f64) -> bool {
    v.x0 >= h.x0 - tol && v.x0 <= h.x1 + tol && h.top >= v.top - tol && h.top <= v.bottom + tol
}

/// Fraction of `[a, b]` covered by the segments (disjoint, as `merge_edges`
/// leaves them).
fn coverage(segs: &[(f64, f64)], a: f64, b: f64) -> f64 {
    if b <= a {
        return 1.0;
    }
    let covered: f64 = segs
        .iter()
        .map(|&(s, e)| (e.min(b) - s.max(a)).max(0.0))
        .sum();
    covered / (b - a)
}

/// Where the table's outer vertical rules (at its first and last column
/// boundary) both run on above its first horizontal rule, or below its
/// last, by more than `tol`: the y they reach, the edge of a row cut by a
/// page break with no rule drawn at the cut (Chromium, WeasyPrint,
/// wkhtmltopdf leave the cut open; LibreOffice closes it).
fn open_ends(edges: &[Edge], xs: &[f64], ys: &[f64], tol: f64) -> (Option<f64>, Option<f64>) {
    let reach = |x: f64| {
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Vertical && e.x0 == x)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(t, b), e| {
                (t.min(e.top), b.max(e.bottom))
            })
    };
    let (l, r) = (reach(xs[0]), reach(xs[xs.len() - 1]));
    let top = l.0.max(r.0);
    let bottom = l.1.min(r.1);
    // No horizontal rule at all: a row filling the page, open at both ends.
    let mid = (top + bottom) / 2.0;
    let (first, last) = (
        ys.first().copied().unwrap_or(mid),
        ys.last().copied().unwrap_or(mid),
    );
    (
        (top < first - tol).then_some(top),
        (bottom > last + tol).then_some(bottom),
    )
}

/// Cuts rules where they run through text: a rule through the middle band
/// of a visible glyph (its box less `text_rule_margin` of its height, or
/// width, on each side) is there no cell border; the stretch over the text
/// (lines merged across their gaps, and a glyph's size beyond) goes, the
/// rest is kept when still `min_edge_length` long. A border never crosses
/// the text of its cells: such a rule is (a border never crosses the text of its
/// cells) but a stray line (wkhtmltopdf draws one through the row after a
/// row cut by a page, and column rules of a table further down through
/// the text rows above it) or a strike-through.
pub fn drop_rules_through_text(
    edges: &[Edge],
    glyphs: &[crate::geom::Glyph],
    settings: &LayoutSettings,
) -> Vec<Edge> {
    let m = settings.text_rule_margin;
    let sorted = |o: Orientation, pos: fn(&Edge) -> f64| {
        let mut v: Vec<(f64, usize)> = (0..edges.len())
            .filter(|&i| edges[i].orientation == o)
            .map(|i| (pos(&edges[i]), i))
            .collect();
        v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let hs = sorted(Orientation::Horizontal, |e| e.top);
    let vs = sorted(Orientation::Vertical, |e| e.x0);
    // (edge, start, end along it) for each glyph a rule runs through
    let mut hits: Vec<(usize, f64, f64)> = Vec::new();
    for g in glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
        let b = &g.bbox;
        let (cx, cy) = b.center();
        let (dy, dx) = (m * b.height(), m * b.width());
        let (lo, hi) = (b.top + dy, b.bottom - dy);
        let from = hs.partition_point(|h| h.0 <= lo);
        for &(y, i) in hs[from..].iter().take_while(|h| h.0 < hi) {
            let e = &edges[i];
            if y > lo && cx > e.x0 && cx < e.x1 {
                hits.push((i, b.x0, b.x1));
            }
        }
        let (lo, hi) = (b.x0 + dx, b.x1 - dx);
        let from = vs.partition_point(|v| v.0 <= lo);
        for &(_, i) in vs[from..].iter().take_while(|v| v.0 < hi) {
            let e = &edges[i];
            if cy > e.top && cy < e.bottom {
                hits.push((i, b.top, b.bottom));
            }
        }
    }
    if hits.is_empty() {
        return edges.to_vec();
    }
    hits.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = Vec::with_capacity(edges.len());
    let mut k = 0;
    for (i, e) in edges.iter().enumerate() {
        let n = hits[k..].iter().take_while(|h| h.0 == i).count();
        if n == 0 {
            out.push(*e);
            continue;
        }
        cut_through_text(&mut out, e, &hits[k..k + n], settings);
        k += n;
    }
    out
}

/// Keeps the stretches of `e` between the text it runs through (`hits`:
/// glyph extents along it, sorted; lines merged across gaps up to a
/// glyph's size), when long enough to be rules.
fn cut_through_text(out: &mut Vec<Edge>, e: &Edge, hits: &[(usize, f64, f64)], s: &LayoutSettings) {
    let gap = hits.iter().map(|h| h.2 - h.1).fold(0.0, f64::max);
    let (a, b) = match e.orientation {
        Orientation::Horizontal => (e.x0, e.x1),
        Orientation::Vertical => (e.top, e.bottom),
    };
    let mut start = a;
    let mut i = 0;
    while i < hits.len() {
        let (h0, mut h1) = (hits[i].1, hits[i].2);
        while i + 1 < hits.len() && hits[i + 1].1 <= h1 + gap {
            i += 1;
            h1 = h1.max(hits[i].2);
        }
        keep_piece(out, e, start, h0 - gap, s);
        start = h1 + gap;
        i += 1;
    }
    keep_piece(out, e, start, b, s);
}

/// The part `[a, b]` of `e` (along it), when at least `min_edge_length`.
fn keep_piece(out: &mut Vec<Edge>, e: &Edge, a: f64, b: f64, s: &LayoutSettings) {
    if b - a < s.min_edge_length {
        return;
    }
    out.push(match e.orientation {
        Orientation::Horizontal => Edge::horizontal(a, b, e.top),
        Orientation::Vertical => Edge::vertical(e.x0, a, b),
    });
}

/// Ruling lines to tables (see the module docs). Tables come out top to
/// bottom.
pub fn edges_to_grids(edges: &[Edge], settings: &LayoutSettings) -> Vec<Grid> {
    let merged = merge_edges(edges, settings);
    let tol = settings.snap_tolerance;
    let mut uf = UnionFind::new(merged.len());
    for i in 0..merged.len() {
        for j in i + 1..merged.len() {
            let (a, b) = (&merged[i], &merged[j]);
            let hit = match (a.orientation, b.orientation) {
                (Orientation::Horizontal, Orientation::Vertical) => touches(a, b, tol),
                (Orientation::Vertical, Orientation::Horizontal) => touches(b, a, tol),
                _ => false,
            };
            if hit {
                uf.union(i, j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Edge>> = Default::default();
    for (i, e) in merged.iter().enumerate() {
        groups.entry(uf.find(i)).or_default().push(*e);
    }
    let mut groups: Vec<Vec<Edge>> = groups.into_values().collect();
    join_lone_verticals(&mut groups, tol);
    let mut grids: Vec<Grid> = groups
        .into_iter()
        .filter_map(|g| build_grid(&g, settings))
        .collect();
    grids.sort_by(|a, b| a.bbox.top.total_cmp(&b.bbox.top));
    grids
}

/// Vertical rules that touch no horizontal one and run over the same span
/// (within `tol`) are one group: the columns of a table row that fills the
/// whole page, cut at both ends.
fn join_lone_verticals(groups: &mut Vec<Vec<Edge>>, tol: f64) {
    let lone = |g: &Vec<Edge>| g.len() == 1 && g[0].orientation == Orientation::Vertical;
    let (mut singles, rest): (Vec<Vec<Edge>>, Vec<Vec<Edge>>) =
        std::mem::take(groups).into_iter().partition(lone);
    *groups = rest;
    singles.sort_by(|a, b| a[0].top.total_cmp(&b[0].top));
    for s in singles {
        let e = s[0];
        let same = groups.iter_mut().find(|g| {
            g.iter().all(|f| {
                f.orientation == Orientation::Vertical
                    && (f.top - e.top).abs() <= tol
                    && (f.bottom - e.bottom).abs() <= tol
            })
        });
        match same {
            Some(g) => g.push(e),
            None => groups.push(s),
        }
    }
    // A lone vertical rule running over a whole table's height beside it
    // is that table's outer border: a merged cell (a sub-table's label
    // continued over a page) that has no horizontal rule of its own.
    let span = |g: &Vec<Edge>| {
        g.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(t, b), e| {
                (t.min(e.top), b.max(e.bottom))
            })
    };
    let mut k = 0;
    while k < groups.len() {
        let g = &groups[k];
        let vertical_only = g.iter().all(|e| e.orientation == Orientation::Vertical);
        let (t, b) = span(g);
        let host = (0..groups.len()).find(|&j| {
            j != k
                && groups[j]
                    .iter()
                    .any(|e| e.orientation == Orientation::Horizontal)
                && {
                    let (gt, gb) = span(&groups[j]);
                    (gt - t).abs() <= tol && (gb - b).abs() <= tol
                }
        });
        match host {
            Some(j) if vertical_only => {
                let moved = groups.remove(k);
                let j = if j > k { j - 1 } else { j };
                groups[j].extend(moved);
            }
            _ => k += 1,
        }
    }
}

/// A grid's column and row lines: x of the vertical rules, y of the
/// horizontal ones, with a row line added at an open top or bottom (a
/// table cut by the page), which `cut_top`/`cut_bottom` then hold.
struct GridLines {
    xs: Vec<f64>,
    ys: Vec<f64>,
    cut_top: Option<f64>,
    cut_bottom: Option<f64>,
}

/// The grid's lines; `None`: no grid.
fn grid_lines(edges: &[Edge], settings: &LayoutSettings) -> Option<GridLines> {
    let lines = |o: Orientation| {
        let mut v: Vec<f64> = edges
            .iter()
            .filter(|e| e.orientation == o)
            .map(line_at)
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let (xs, mut ys) = (lines(Orientation::Vertical), lines(Orientation::Horizontal));
    if xs.len() < 2 {
        return None;
    }
    let (cut_top, cut_bottom) = open_ends(edges, &xs, &ys, settings.snap_tolerance);
    if ys.is_empty() && cut_top.is_some() != cut_bottom.is_some() {
        return None;
    }
    if let Some(y) = cut_top {
        ys.insert(0, y);
    }
    if let Some(y) = cut_bottom {
        ys.push(y);
    }
    (ys.len() >= 2).then_some(GridLines {
        xs,
        ys,
        cut_top,
        cut_bottom,
    })
}

/// Where a rule lies across its direction: a vertical rule's x, a
/// horizontal rule's y.
fn line_at(e: &Edge) -> f64 {
    match e.orientation {
        Orientation::Vertical => e.x0,
        Orientation::Horizontal => e.top,
    }
}

/// For each line position, the spans of the rules of `o` lying on it.
fn segments_at(edges: &[Edge], o: Orientation, at: &[f64]) -> Vec<Vec<(f64, f64)>> {
    at.iter()
        .map(|&p| {
            edges
                .iter()
                .filter(|e| e.orientation == o)
                .filter(|e| line_at(e) == p)
                .map(|e| {
                    if o == Orientation::Vertical {
                        (e.top, e.bottom)
                    } else {
                        (e.x0, e.x1)
                    }
                })
                .collect()
        })
        .collect()
}

fn build_grid(edges: &[Edge], settings: &LayoutSettings) -> Option<Grid> {
    let GridLines {
        xs,
        ys,
        cut_top,
        cut_bottom,
    } = grid_lines(edges, settings)?;
    let (rows, cols) = (ys.len() - 1, xs.len() - 1);
    let vsegs = segments_at(edges, Orientation::Vertical, &xs);
    let hsegs = segments_at(edges, Orientation::Horizontal, &ys);
    let k = settings.border_coverage;
    let has_v = |xi: usize, r: usize| coverage(&vsegs[xi], ys[r], ys[r + 1]) >= k;
    let has_h = |yi: usize, c: usize| coverage(&hsegs[yi], xs[c], xs[c + 1]) >= k;
    let id = |r: usize, c: usize| r * cols + c;
    let mut uf = UnionFind::new(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            if c + 1 < cols && !has_v(c + 1, r) {
                uf.union(id(r, c), id(r, c + 1));
            }
            if r + 1 < rows && !has_h(r + 1, c) {
                uf.union(id(r, c), id(r + 1, c));
            }
        }
    }
    // A component is outside the table when any of its atomic cells lies on
    // the grid's left or right border without a ruling line there. One
    // open at the top or bottom border (its side rules there) is a cell cut
    // by the page: a merged cell going on over the page break.
    let mut outside = vec![false; rows * cols];
    let mut open_top = vec![false; rows * cols];
    let mut open_bottom = vec![false; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            let root = uf.find(id(r, c));
            if (c == 0 && !has_v(0, r)) || (c + 1 == cols && !has_v(cols, r)) {
                outside[root] = true;
            }
            open_top[root] |= r == 0 && (cut_top.is_some() || !has_h(0, c));
            open_bottom[root] |= r + 1 == rows && (cut_bottom.is_some() || !has_h(rows, c));
        }
    }
    let mut comp_cell: std::collections::HashMap<usize, usize> = Default::default();
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new(); // r0, c0, r1, c1
    let mut roots: Vec<usize> = Vec::new();
    let mut owner = vec![None; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            let root = uf.find(id(r, c));
            if outside[root] {
                continue;
            }
            let ci = *comp_cell.entry(root).or_insert_with(|| {
                spans.push((r, c, r, c));
                roots.push(root);
                spans.len() - 1
            });
            let s = &mut spans[ci];
            s.0 = s.0.min(r);
            s.1 = s.1.min(c);
            s.2 = s.2.max(r);
            s.3 = s.3.max(c);
            owner[id(r, c)] = Some(ci);
        }
    }
    if spans.is_empty() {
        return None;
    }
    let cells: Vec<Cell> = spans
        .iter()
        .zip(&roots)
        .map(|(&(r0, c0, r1, c1), &root)| Cell {
            row: r0,
            col: c0,
            row_span: r1 - r0 + 1,
            col_span: c1 - c0 + 1,
            bbox: BBox::new(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]),
            cut_top: open_top[root],
            cut_bottom: open_bottom[root],
        })
        .collect();
    let bbox = BBox::new(xs[0], ys[0], xs[cols], ys[rows]);
    Some(Grid {
        xs,
        ys,
        cells,
        bbox,
        owner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x0: f64, x1: f64, y: f64) -> Edge {
        Edge::horizontal(x0, x1, y)
    }
    fn v(x: f64, t: f64, b: f64) -> Edge {
        Edge::vertical(x, t, b)
    }

    #[test]
    fn duplicate_and_split_strokes_merge_into_one_edge() {
        let s = LayoutSettings::default();
        let out = merge_edges(
            &[
                h(0.0, 50.0, 10.0),
                h(50.5, 100.0, 10.4),
                h(0.0, 100.0, 10.0),
            ],
            &s,
        );
        assert_eq!(out.len(), 1);
        assert!((out[0].x1 - 100.0).abs() < 1e-9);
    }

    #[test]
    fn rules_running_past_the_last_border_open_a_row_cut_by_the_page() {
        let s = LayoutSettings::default();
        // A row split by a page break with no rule at the cut: the vertical
        // rules go on to the page's edge (y = 80) below the last border.
        let e = [
            h(0.0, 200.0, 0.0),
            h(0.0, 200.0, 20.0),
            v(0.0, 0.0, 80.0),
            v(100.0, 0.0, 80.0),
            v(200.0, 0.0, 80.0),
        ];
        let g = &edges_to_grids(&e, &s)[0];
        assert_eq!(g.rows(), 2);
        assert_eq!(g.cells.len(), 4);
        let cut: Vec<bool> = g.cells.iter().map(|c| c.cut_bottom).collect();
        assert_eq!(cut, [false, false, true, true]);
        assert!(g.cells.iter().all(|c| !c.cut_top));
        assert_eq!(g.cell_at(150.0, 70.0), Some(3));
    }

    #[test]
    fn rules_overshooting_a_border_by_less_than_the_snap_tolerance_open_nothing() {
        let s = LayoutSettings::default();
        let e = [
            h(0.0, 200.0, 10.0),
            h(0.0, 200.0, 30.0),
            v(0.0, 9.0, 31.0),
            v(200.0, 9.0, 31.0),
        ];
        let g = &edges_to_grids(&e, &s)[0];
        assert_eq!(g.rows(), 1);
        assert!(g.cells.iter().all(|c| !c.cut_top && !c.cut_bottom));
    }

    #[test]
    fn rules_with_no_border_at_all_are_one_row_cut_at_both_ends() {
        let s = LayoutSettings::default();
        let e = [
            v(0.0, 50.0, 790.0),
            v(100.0, 50.0, 790.0),
            v(400.0, 50.0, 790.0),
        ];
        let g = &edges_to_grids(&e, &s)[0];
        assert_eq!((g.rows(), g.cols()), (1, 2));
        assert!(g.cells.iter().all(|c| c.cut_top && c.cut_bottom));
    }

    #[test]
    fn two_by_two_grid_has_four_cells() {
        let s = LayoutSettings::default();
        let e = [
            h(0.0, 200.0, 0.0),
            h(0.0, 200.0, 20.0),
            h(0.0, 200.0, 40.0),
            v(0.0, 0.0, 40.0),
            v(100.0, 0.0, 40.0),
            v(200.0, 0.0, 40.0),
        ];
        let grids = edges_to_grids(&e, &s);
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].cells.len(), 4);
        assert_eq!(grids[0].cell_at(150.0, 30.0), Some(3));
    }

    #[test]
    fn label_merged_down_over_two_rows_is_one_cell() {
        let s = LayoutSettings::default();
        // Left column has no border between rows 0 and 1.
        let e = [
            h(0.0, 200.0, 0.0),
            h(100.0, 200.0, 20.0),
            h(0.0, 200.0, 40.0),
            v(0.0, 0.0, 40.0),
            v(100.0, 0.0, 40.0),
            v(200.0, 0.0, 40.0),
        ];
        let g = &edges_to_grids(&e, &s)[0];
        assert_eq!(g.cells.len(), 3);
        let left = &g.cells[g.cell_at(50.0, 30.0).unwrap()];
        assert_eq!((left.row_span, left.col_span), (2, 1));
    }

    #[test]
    fn row_with_extra_column_splits_only_that_row() {
        let s = LayoutSettings::default();
        let e = [
            h(0.0, 200.0, 0.0),
            h(0.0, 200.0, 20.0),
            h(0.0, 200.0, 40.0),
            v(0.0, 0.0, 40.0),
            v(150.0, 20.0, 40.0),
            v(200.0, 0.0, 40.0),
        ];
        let g = &edges_to_grids(&e, &s)[0];
        assert_eq!(g.cells.len(), 3);
        assert_eq!(g.cells[g.cell_at(10.0, 10.0).unwrap()].col_span, 2);
    }

    #[test]
    fn title_underline_apart_from_table_is_not_a_grid() {
        let s = LayoutSettings::default();
        let e = [
            h(0.0, 100.0, -50.0),
            h(0.0, 200.0, 0.0),
            h(0.0, 200.0, 20.0),
            v(0.0, 0.0, 20.0),
            v(200.0, 0.0, 20.0),
        ];
        let grids = edges_to_grids(&e, &s);
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].cells.len(), 1);
    }
}
