//! Glyphs to words to lines, and glyphs to cell text.

use serde::Serialize;

use crate::geom::{BBox, Glyph};
use crate::layout::grid::Grid;
use crate::settings::LayoutSettings;

/// A run of glyphs on one line with no gap wider than the word gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// The word's characters.
    pub text: String,
    /// The box of the word's glyphs, points.
    pub bbox: BBox,
    /// Font size of the word's first glyph.
    pub size: f64,
}

/// Words sharing a baseline band, left to right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// The line's words, left to right.
    pub words: Vec<Word>,
    /// The box of the line's words, points.
    pub bbox: BBox,
}

impl Line {
    /// The line's text, words separated by one space.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, w) in self.words.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&w.text);
        }
        s
    }
}

/// A physical line of a cell, flagged when it starts a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    /// The line's text.
    pub text: String,
    /// The line's box, points.
    pub bbox: BBox,
    /// Whether the line starts a new paragraph.
    pub starts_paragraph: bool,
}

/// The text of one cell of one grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellText {
    /// Index of the cell in its grid's `cells`.
    pub cell: usize,
    /// The cell's text, line by line, top to bottom.
    pub lines: Vec<TextLine>,
}

impl CellText {
    /// All lines joined with `\n`, as printed (for label matching and dumps).
    pub fn raw(&self) -> String {
        lines_text(&self.lines)
    }
}

/// Lines joined with `\n`.
pub fn lines_text(lines: &[TextLine]) -> String {
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&l.text);
    }
    s
}

/// Removes glyphs drawn twice at (nearly) one spot: producers fake bold by
/// overprinting the same character with a small offset. Of a set of
/// twins (same char, `x0` and `top` within `dedupe_tolerance`), the first
/// in page order (top, x0, index) is kept.
///
/// Real pages take the sorted passes of [`keep_firsts_sorted`], fast when
/// twins are few; a page where those would go quadratic (one glyph painted
/// at one spot over and over, overlapping dashes along a line: hostile
/// PDFs) takes the grid of [`keep_firsts_in_grid`] instead, near-linear.
/// Both keep the same glyphs.
pub fn dedupe_glyphs(glyphs: &[Glyph], settings: &LayoutSettings) -> Vec<Glyph> {
    let tol = settings.dedupe_tolerance;
    let budget = DEDUPE_STEPS_PER_GLYPH * glyphs.len() + DEDUPE_STEPS_MIN;
    let keep = match keep_firsts_sorted(glyphs, tol, budget) {
        Some(keep) => keep,
        None => {
            let order = page_order(glyphs);
            if tol > 0.0 && tol.is_finite() {
                keep_firsts_in_grid(glyphs, &order, tol)
            } else {
                keep_firsts_in_runs(glyphs, &order)
            }
        }
    };
    kept_glyphs(glyphs, keep)
}

/// The glyphs whose `keep` is true, in their order.
fn kept_glyphs(glyphs: &[Glyph], keep: Vec<bool>) -> Vec<Glyph> {
    if !keep.contains(&false) {
        return glyphs.to_vec();
    }
    glyphs
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(g, _)| g.clone())
        .collect()
}

/// Comparisons the sorted passes may make per glyph (plus
/// [`DEDUPE_STEPS_MIN`]) before the grid takes over; real pages make a few.
const DEDUPE_STEPS_PER_GLYPH: usize = 32;
const DEDUPE_STEPS_MIN: usize = 10_000;

/// Glyph indices in page order per char: (char, top, x0, index).
fn page_order(glyphs: &[Glyph]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..glyphs.len() as u32).collect();
    order.sort_unstable_by(|a, b| {
        let (ga, gb) = (&glyphs[*a as usize], &glyphs[*b as usize]);
        ga.ch
            .cmp(&gb.ch)
            .then(ga.bbox.top.total_cmp(&gb.bbox.top))
            .then(ga.bbox.x0.total_cmp(&gb.bbox.x0))
            .then(a.cmp(b))
    });
    order
}

/// With no tolerance twins are equal in char, top and x0: next to each
/// other in page order.
fn keep_firsts_in_runs(glyphs: &[Glyph], order: &[u32]) -> Vec<bool> {
    let mut keep = vec![true; glyphs.len()];
    for w in order.windows(2) {
        let (a, b) = (&glyphs[w[0] as usize], &glyphs[w[1] as usize]);
        if a.ch == b.ch && a.bbox.top == b.bbox.top && a.bbox.x0 == b.bbox.x0 {
            keep[w[1] as usize] = false;
        }
    }
    keep
}

/// Which glyphs are kept, by two sorted passes; `None` when they would
/// take more than `budget` comparisons.
fn keep_firsts_sorted(glyphs: &[Glyph], tol: f64, budget: usize) -> Option<Vec<bool>> {
    let mut steps = 0usize;
    // Overprints are rare: first find the glyphs that have a possible twin
    // (same char, boxes within `tol` on both axes) cheaply, by sorting on
    // one integer key (char, top in `tol`-sized buckets; twins are at most
    // one bucket apart); only those take part in the exact pass.
    let involved: Vec<usize> = if tol > 0.0 && tol.is_finite() {
        const SHIFT: u32 = 43;
        let bucket = |top: f64| -> u64 {
            let b = (top / tol).floor() as i64;
            (b.clamp(-(1 << 41), (1 << 41) - 1) + (1 << 41)) as u64
        };
        let mut keys: Vec<(u64, u32)> = glyphs
            .iter()
            .enumerate()
            .map(|(i, g)| (((g.ch as u64) << SHIFT) | bucket(g.bbox.top), i as u32))
            .collect();
        keys.sort_unstable_by_key(|k| k.0);
        let mut hit = vec![false; glyphs.len()];
        for (k, &(key, i)) in keys.iter().enumerate() {
            let gi = &glyphs[i as usize];
            for &(kj, j) in &keys[k + 1..] {
                if kj >> SHIFT != key >> SHIFT
                    || (kj & ((1 << SHIFT) - 1)) > (key & ((1 << SHIFT) - 1)) + 1
                {
                    break;
                }
                steps += 1;
                if steps > budget {
                    return None;
                }
                let gj = &glyphs[j as usize];
                if (gj.bbox.x0 - gi.bbox.x0).abs() <= tol
                    && (gj.bbox.top - gi.bbox.top).abs() <= tol
                {
                    hit[i as usize] = true;
                    hit[j as usize] = true;
                }
            }
        }
        if !hit.contains(&true) {
            return Some(vec![true; glyphs.len()]);
        }
        (0..glyphs.len()).filter(|&i| hit[i]).collect()
    } else {
        (0..glyphs.len()).collect()
    };
    // The exact pass: only glyphs of the same char can be duplicates, so
    // they are grouped by char; within a group they keep the page order
    // (top, x0, index), so the first of a set of duplicates in that order
    // is the one kept. The scan for duplicates stops at the first glyph of
    // the group more than `tol` lower.
    let mut order: Vec<(char, f64, f64, u32)> = involved
        .iter()
        .map(|&i| {
            let g = &glyphs[i];
            (g.ch, g.bbox.top, g.bbox.x0, i as u32)
        })
        .collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let mut keep = vec![true; glyphs.len()];
    for (k, &(ch, top, x0, i)) in order.iter().enumerate() {
        if !keep[i as usize] {
            continue;
        }
        for &(cj, tj, xj, j) in &order[k + 1..] {
            if cj != ch || tj - top > tol {
                break;
            }
            steps += 1;
            if steps > budget {
                return None;
            }
            if keep[j as usize] && (xj - x0).abs() <= tol && (tj - top).abs() <= tol {
                keep[j as usize] = false;
            }
        }
    }
    Some(keep)
}

/// Which glyphs are kept: in page order (`order`), each glyph still kept
/// drops its later twins, found in the 3 × 3 grid cells round its own.
fn keep_firsts_in_grid(glyphs: &[Glyph], order: &[u32], tol: f64) -> Vec<bool> {
    let cell = |g: &Glyph| -> (char, i64, i64) {
        // `as` saturates (and maps NaN to 0): such glyphs have no twins.
        (
            g.ch,
            (g.bbox.x0 / tol).floor() as i64,
            (g.bbox.top / tol).floor() as i64,
        )
    };
    let mut grid: std::collections::HashMap<(char, i64, i64), Vec<u32>> =
        std::collections::HashMap::new();
    let mut rank = vec![0u32; glyphs.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
        grid.entry(cell(&glyphs[i as usize])).or_default().push(i);
    }
    let mut keep = vec![true; glyphs.len()];
    for &i in order {
        if !keep[i as usize] {
            continue;
        }
        let gi = &glyphs[i as usize];
        let (ch, cx, cy) = cell(gi);
        for dx in -1i64..=1 {
            for dy in -1i64..=1 {
                let key = (ch, cx.saturating_add(dx), cy.saturating_add(dy));
                let Some(members) = grid.get(&key) else {
                    continue;
                };
                for &j in members {
                    let gj = &glyphs[j as usize];
                    if rank[j as usize] > rank[i as usize]
                        && keep[j as usize]
                        && (gj.bbox.x0 - gi.bbox.x0).abs() <= tol
                        && (gj.bbox.top - gi.bbox.top).abs() <= tol
                    {
                        keep[j as usize] = false;
                    }
                }
            }
        }
    }
    keep
}

/// Groups glyphs into lines: sorted top to bottom, a glyph joins the
/// current line when it overlaps it vertically enough; each line's glyphs
/// are then sorted left to right. `at(k)` is the `k`-th of `n` glyphs;
/// the result holds those positions `k`, one range of `order` per line.
fn glyph_rows<'g>(
    n: usize,
    at: impl Fn(usize) -> &'g Glyph,
    settings: &LayoutSettings,
) -> (Vec<usize>, Vec<std::ops::Range<usize>>) {
    let mut rows = RowScratch::default();
    glyph_rows_into(n, at, settings, &mut rows);
    (rows.order, rows.rows)
}

/// Buffers of [`glyph_rows_into`], kept between calls.
#[derive(Default)]
struct RowScratch {
    keys: Vec<(f64, f64, usize)>,
    order: Vec<usize>,
    rows: Vec<std::ops::Range<usize>>,
}

thread_local! {
    static ROW_SCRATCH: std::cell::RefCell<RowScratch> = Default::default();
}

/// [`glyph_rows`] into reused buffers (`out.order`, `out.rows`).
fn glyph_rows_into<'g>(
    n: usize,
    at: impl Fn(usize) -> &'g Glyph,
    settings: &LayoutSettings,
    out: &mut RowScratch,
) {
    let RowScratch { keys, order, rows } = out;
    keys.clear();
    order.clear();
    rows.clear();
    keys.extend((0..n).map(|k| {
        let b = &at(k).bbox;
        ((b.top + b.bottom) / 2.0, b.x0, k)
    }));
    // Centre, then x0, then input position (what a stable sort would keep).
    keys.sort_unstable_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut band: Option<BBox> = None;
    for &(_, _, k) in keys.iter() {
        let b = at(k).bbox;
        if let Some(rb) = band.as_mut() {
            let min_h = rb.height().min(b.height()).max(0.1);
            if rb.v_overlap(&b) >= settings.line_overlap_ratio * min_h {
                // Grow only the horizontal extent and keep the band tight so a
                // tall glyph does not swallow the next line.
                rb.x0 = rb.x0.min(b.x0);
                rb.x1 = rb.x1.max(b.x1);
                order.push(k);
                continue;
            }
            let start = rows.last().map_or(0, |r| r.end);
            rows.push(start..order.len());
        }
        band = Some(b);
        order.push(k);
    }
    if band.is_some() {
        let start = rows.last().map_or(0, |r| r.end);
        rows.push(start..order.len());
    }
    for r in rows.iter() {
        order[r.clone()].sort_by(|&a, &b| at(a).bbox.x0.total_cmp(&at(b).bbox.x0));
    }
}

/// Splits one row of glyphs (left to right) into words at wide gaps and at
/// blank glyphs.
fn row_to_words<'g>(
    at: impl Fn(usize) -> &'g Glyph,
    row: &[usize],
    settings: &LayoutSettings,
) -> Vec<Word> {
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut prev_x1 = f64::NEG_INFINITY;
    for &i in row {
        let g = at(i);
        if g.ch.is_whitespace() {
            if let Some(w) = cur.take() {
                words.push(w);
            }
            prev_x1 = g.bbox.x1;
            continue;
        }
        let gap = g.bbox.x0 - prev_x1;
        let split = gap > settings.word_gap_factor * g.size.max(1.0);
        match cur.as_mut() {
            Some(w) if !split => {
                w.text.push(g.ch);
                w.bbox = w.bbox.union(&g.bbox);
            }
            _ => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
                cur = Some(Word {
                    text: g.ch.to_string(),
                    bbox: g.bbox,
                    size: g.size,
                });
            }
        }
        prev_x1 = g.bbox.x1;
    }
    if let Some(w) = cur {
        words.push(w);
    }
    words
}

fn leftmost_ink(glyphs: &[Glyph], idx: &[usize]) -> f64 {
    idx.iter()
        .map(|&i| &glyphs[i])
        .filter(|g| !g.ch.is_whitespace())
        .map(|g| g.bbox.x0)
        .fold(f64::INFINITY, f64::min)
}

/// The distance from a cell's left border to its unindented text, taken
/// over a table as the smallest distance seen in any non-empty cell (label
/// cells and one-line values are not indented).
pub fn text_inset(cells: &[(f64, &[usize])], glyphs: &[Glyph]) -> Option<f64> {
    cells
        .iter()
        .filter(|(_, idx)| !idx.is_empty())
        .map(|(x0, idx)| (leftmost_ink(glyphs, idx) - x0).max(0.0))
        .filter(|d| d.is_finite())
        .min_by(f64::total_cmp)
}

/// Glyphs to words, in reading order (lines top to bottom, words left to
/// right).
pub fn glyphs_to_words(glyphs: &[Glyph], settings: &LayoutSettings) -> Vec<Word> {
    let at = |k: usize| &glyphs[k];
    let (order, rows) = glyph_rows(glyphs.len(), at, settings);
    rows.into_iter()
        .flat_map(|r| row_to_words(at, &order[r], settings))
        .collect()
}

/// Words to lines: words that overlap vertically form one line.
pub fn words_to_lines(words: &[Word], settings: &LayoutSettings) -> Vec<Line> {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| {
        let (wa, wb) = (&words[a].bbox, &words[b].bbox);
        ((wa.top + wa.bottom) / 2.0)
            .total_cmp(&((wb.top + wb.bottom) / 2.0))
            .then(wa.x0.total_cmp(&wb.x0))
    });
    let mut lines: Vec<Line> = Vec::new();
    for i in order {
        let w = &words[i];
        if let Some(l) = lines.last_mut() {
            let min_h = l.bbox.height().min(w.bbox.height()).max(0.1);
            if l.bbox.v_overlap(&w.bbox) >= settings.line_overlap_ratio * min_h {
                l.bbox.x0 = l.bbox.x0.min(w.bbox.x0);
                l.bbox.x1 = l.bbox.x1.max(w.bbox.x1);
                l.words.push(w.clone());
                continue;
            }
        }
        lines.push(Line {
            words: vec![w.clone()],
            bbox: w.bbox,
        });
    }
    for l in &mut lines {
        l.words.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        l.bbox = BBox::union_all(l.words.iter().map(|w| &w.bbox)).unwrap_or(l.bbox);
    }
    lines
}

/// Assigns each glyph to the cell of `grid` holding its centre. Returns, per
/// cell, the indices of its glyphs, and the indices of glyphs in no cell.
pub fn glyphs_to_cells(grid: &Grid, glyphs: &[Glyph]) -> (Vec<Vec<usize>>, Vec<usize>) {
    // Cells first, then lists of the exact size (no regrowing).
    let cell_of: Vec<Option<usize>> = glyphs
        .iter()
        .map(|g| {
            let (cx, cy) = g.bbox.center();
            grid.cell_at(cx, cy).or_else(|| overflowing_cut(grid, g))
        })
        .collect();
    let mut counts = vec![0usize; grid.cells.len()];
    let mut n_outside = 0;
    for c in &cell_of {
        match c {
            Some(c) => counts[*c] += 1,
            None => n_outside += 1,
        }
    }
    let mut per_cell: Vec<Vec<usize>> = counts.into_iter().map(Vec::with_capacity).collect();
    let mut outside = Vec::with_capacity(n_outside);
    for (i, c) in cell_of.into_iter().enumerate() {
        match c {
            Some(c) => per_cell[c].push(i),
            None => outside.push(i),
        }
    }
    (per_cell, outside)
}

/// The cell cut open by the page (`cut_bottom`, `cut_top`) whose text a
/// glyph outside the grid is: one overlapping the cut, or within three of
/// its own heights past it, in the cell's columns (a merged cell's text
/// centred over its whole height runs past the part on this page; the
/// page's margin holds nothing else).
fn overflowing_cut(grid: &Grid, g: &Glyph) -> Option<usize> {
    let (cx, _) = g.bbox.center();
    let reach = 3.0 * g.bbox.height();
    grid.cells.iter().position(|c| {
        let b = &c.bbox;
        cx >= b.x0
            && cx <= b.x1
            && ((c.cut_bottom && g.bbox.bottom > b.bottom && g.bbox.top < b.bottom + reach)
                || (c.cut_top && g.bbox.top < b.top && g.bbox.bottom > b.top - reach))
    })
}

/// The text lines of a set of glyphs (one cell's), with paragraph starts:
/// a line starts a paragraph when it begins with blank glyphs (U+3000 or
/// spaces as indentation) or is indented past the cell's text margin by
/// `indent_factor` × font size. The first line is flagged only when it is
/// indented, so a cell continued from the previous page can tell whether it
/// continues a paragraph; readers treat a cell's first line as a start.
///
/// `margin` is where unindented text starts in this cell (the cell's left
/// border plus the table's text inset, see [`text_inset`]); `None` takes the
/// cell's leftmost ink.
pub fn cell_lines(
    glyphs: &[Glyph],
    idx: &[usize],
    margin: Option<f64>,
    settings: &LayoutSettings,
) -> Vec<TextLine> {
    ROW_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => cell_lines_with(glyphs, idx, margin, settings, &mut scratch),
        Err(_) => cell_lines_with(glyphs, idx, margin, settings, &mut RowScratch::default()),
    })
}

fn cell_lines_with(
    glyphs: &[Glyph],
    idx: &[usize],
    margin: Option<f64>,
    settings: &LayoutSettings,
    scratch: &mut RowScratch,
) -> Vec<TextLine> {
    let at = |k: usize| &glyphs[idx[k]];
    glyph_rows_into(idx.len(), at, settings, scratch);
    let (order, rows) = (&scratch.order, &scratch.rows);
    let ink = leftmost_ink(glyphs, idx);
    let margin = margin.map_or(ink, |m| m.min(ink));
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let row = &order[row.clone()];
        // The row's words (as `row_to_words` splits them) written straight
        // into the line's text, one space between words.
        let mut text = String::with_capacity(4 * row.len());
        let mut bbox: Option<BBox> = None;
        let mut first_word: Option<(f64, f64)> = None; // x0, size
        let mut in_word = false;
        let mut prev_x1 = f64::NEG_INFINITY;
        for &k in row {
            let g = at(k);
            if g.ch.is_whitespace() {
                in_word = false;
                prev_x1 = g.bbox.x1;
                continue;
            }
            let gap = g.bbox.x0 - prev_x1;
            let split = gap > settings.word_gap_factor * g.size.max(1.0);
            if !in_word || split {
                if first_word.is_none() {
                    first_word = Some((g.bbox.x0, g.size));
                } else {
                    text.push(' ');
                }
                in_word = true;
            }
            text.push(g.ch);
            bbox = Some(bbox.map_or(g.bbox, |b| b.union(&g.bbox)));
            prev_x1 = g.bbox.x1;
        }
        let (Some((first_ink, size)), Some(bbox)) = (first_word, bbox) else {
            continue;
        };
        let indented_by_blank = at(row[0]).ch.is_whitespace();
        let indented_by_geometry = first_ink - margin >= settings.indent_factor * size;
        out.push(TextLine {
            text,
            bbox,
            starts_paragraph: indented_by_blank || indented_by_geometry,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(ch: char, x: f64, top: f64) -> Glyph {
        Glyph {
            ch,
            bbox: BBox::new(x, top, x + 10.0, top + 10.0),
            size: 10.0,
        }
    }

    fn line_of(s: &str, x: f64, top: f64) -> Vec<Glyph> {
        s.chars()
            .enumerate()
            .map(|(i, c)| g(c, x + 10.0 * i as f64, top))
            .collect()
    }

    #[test]
    fn fake_bold_overprint_is_removed() {
        let mut gs = line_of("项目", 0.0, 0.0);
        gs.push(g('项', 0.3, 0.2));
        let out = dedupe_glyphs(&gs, &LayoutSettings::default());
        assert_eq!(out.len(), 2);
    }

    /// The original quadratic-window algorithm, as the reference.
    fn dedupe_reference(glyphs: &[Glyph], tol: f64) -> Vec<Glyph> {
        let mut order: Vec<usize> = (0..glyphs.len()).collect();
        order.sort_by(|&a, &b| {
            let (ga, gb) = (&glyphs[a].bbox, &glyphs[b].bbox);
            ga.top
                .total_cmp(&gb.top)
                .then(ga.x0.total_cmp(&gb.x0))
                .then(a.cmp(&b))
        });
        let mut keep = vec![true; glyphs.len()];
        for (k, &i) in order.iter().enumerate() {
            if !keep[i] {
                continue;
            }
            let gi = &glyphs[i];
            for &j in &order[k + 1..] {
                let gj = &glyphs[j];
                if gj.bbox.top - gi.bbox.top > tol {
                    break;
                }
                if keep[j]
                    && gj.ch == gi.ch
                    && (gj.bbox.x0 - gi.bbox.x0).abs() <= tol
                    && (gj.bbox.top - gi.bbox.top).abs() <= tol
                {
                    keep[j] = false;
                }
            }
        }
        kept_glyphs(glyphs, keep)
    }

    #[test]
    fn dedupe_matches_the_reference_on_chains_of_overprints() {
        // Pseudo-random glyphs on a coarse lattice so twins, chains of
        // near-twins, bucket boundaries and negative tops all occur.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for tol in [0.0, 0.5, 1.0, 2.5] {
            let s = LayoutSettings {
                dedupe_tolerance: tol,
                ..LayoutSettings::default()
            };
            for _ in 0..200 {
                let n = (next() % 60) as usize;
                let gs: Vec<Glyph> = (0..n)
                    .map(|_| {
                        let ch = ['项', '目', '0', '1'][(next() % 4) as usize];
                        let x = (next() % 40) as f64 * 0.25;
                        let top = (next() % 40) as f64 * 0.25 - 5.0;
                        g(ch, x, top)
                    })
                    .collect();
                let want = dedupe_reference(&gs, tol);
                assert_eq!(dedupe_glyphs(&gs, &s), want);
                // The fallback for hostile pages keeps the same glyphs.
                let order = page_order(&gs);
                let keep = if tol > 0.0 {
                    keep_firsts_in_grid(&gs, &order, tol)
                } else {
                    keep_firsts_in_runs(&gs, &order)
                };
                assert_eq!(kept_glyphs(&gs, keep), want);
            }
        }
    }

    #[test]
    fn one_glyph_painted_many_times_at_one_spot_is_kept_once() {
        // Hostile input: the same glyph painted 100,000 times at one spot
        // (was quadratic), and 40,000 dashes overlapping along one line.
        let same: Vec<Glyph> = (0..100_000).map(|_| g('x', 5.0, 5.0)).collect();
        assert_eq!(dedupe_glyphs(&same, &LayoutSettings::default()).len(), 1);
        let tol = LayoutSettings::default().dedupe_tolerance;
        let dashes: Vec<Glyph> = (0..40_000)
            .map(|i| g('-', i as f64 * tol * 0.6, 0.0))
            .collect();
        let kept = dedupe_glyphs(&dashes, &LayoutSettings::default());
        // Every kept dash drops the next (0.6 tol away), not the one after.
        assert_eq!(kept.len(), 20_000);
    }

    #[test]
    fn same_char_side_by_side_is_kept() {
        let gs = line_of("100", 0.0, 0.0);
        assert_eq!(dedupe_glyphs(&gs, &LayoutSettings::default()).len(), 3);
    }

    #[test]
    fn wide_gap_splits_words_and_lines_stay_apart() {
        let mut gs = line_of("结转项目□", 0.0, 0.0);
        gs.extend(line_of("其他", 100.0, 0.5));
        gs.extend(line_of("第二行", 0.0, 14.0));
        let s = LayoutSettings::default();
        let words = glyphs_to_words(&gs, &s);
        let lines = words_to_lines(&words, &s);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "结转项目□ 其他");
        assert_eq!(lines[1].text(), "第二行");
    }

    #[test]
    fn indented_line_starts_a_paragraph() {
        let mut gs = line_of("根据国家要求建设", 20.0, 0.0);
        gs.extend(line_of("网络平台。", 0.0, 14.0));
        gs.extend(line_of("第二段开始", 20.0, 28.0));
        let idx: Vec<usize> = (0..gs.len()).collect();
        let lines = cell_lines(&gs, &idx, None, &LayoutSettings::default());
        let flags: Vec<bool> = lines.iter().map(|l| l.starts_paragraph).collect();
        assert_eq!(flags, vec![true, false, true]);
        assert!(lines[0].starts_paragraph, "indented first line");
    }

    #[test]
    fn every_line_indented_from_the_cell_margin_starts_a_paragraph() {
        let mut gs = line_of("启动需求分析；", 20.0, 0.0);
        gs.extend(line_of("开始项目建设；", 20.0, 14.0));
        let idx: Vec<usize> = (0..gs.len()).collect();
        let lines = cell_lines(&gs, &idx, Some(2.0), &LayoutSettings::default());
        assert!(lines.iter().all(|l| l.starts_paragraph));
    }
}
