//! The layout stage's output, [`PageLayout`], and the stage itself,
//! [`page_to_layout`]: one page's glyphs and ruling lines to its tables'
//! cells with their text, and the lines printed outside any table.

use std::sync::Arc;

use serde::Serialize;

use super::{
    TextLine, cell_lines, dedupe_glyphs, drop_rules_through_text, edges_to_grids, glyphs_to_cells,
    text_inset,
};
use crate::geom::{BBox, OcrInfo, PageContent};
use crate::settings::LayoutSettings;
use crate::template::{Template, Vocabulary, label_key};
use crate::text::{similarity, strip_whitespace};

/// A table cell with its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellRef {
    /// 1-based page number.
    pub page: usize,
    /// The cell's box, points.
    pub bbox: BBox,
    /// The cell's first grid row, 0-based ([`crate::layout::Cell::row`]).
    pub row: usize,
    /// The cell's first grid column, 0-based ([`crate::layout::Cell::col`]).
    pub col: usize,
    /// How many grid rows the cell covers.
    pub row_span: usize,
    /// How many grid columns the cell covers.
    pub col_span: usize,
    /// The cell's text, line by line, top to bottom.
    pub lines: Vec<TextLine>,
    /// The cell's top (bottom) is a page cut with no rule drawn
    /// ([`crate::layout::Cell::cut_top`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut_top: bool,
    /// The cell's bottom is a page cut with no rule drawn
    /// ([`crate::layout::Cell::cut_bottom`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut_bottom: bool,
    /// The cell meets a page cut where its text may go on in the cell
    /// across the cut, and the join stage could not tell: its field or row
    /// gets a `page_cut` warning.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut_doubt: bool,
}

impl CellRef {
    /// Lines joined with `\n`.
    pub fn text(&self) -> String {
        crate::layout::lines_text(&self.lines)
    }
    /// Replaces the cell's lines by one line holding `text`, over the box
    /// of the lines it replaces (a repaired or snapped text).
    pub fn set_text(&mut self, text: &str) {
        let bbox = BBox::union_all(self.lines.iter().map(|l| &l.bbox)).unwrap_or_default();
        self.lines = vec![TextLine {
            text: text.to_string(),
            bbox,
            starts_paragraph: false,
        }];
    }
    /// Whether the cell holds no text but white space.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.text.trim().is_empty())
    }
    pub(crate) fn covers_row(&self, r: usize) -> bool {
        r >= self.row && r < self.row + self.row_span
    }
}

/// A line of text printed outside any table (title, year, unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreeLine {
    /// 1-based page number.
    pub page: usize,
    /// The line's text and box.
    pub line: TextLine,
}

/// The cells of one table (grid) on one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCells {
    /// 1-based page number.
    pub page: usize,
    /// The table's outer box, points.
    pub bbox: BBox,
    /// The table's cells, top to bottom, left to right.
    pub cells: Vec<CellRef>,
}

/// One page after layout: its tables' cells and its free lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageLayout {
    /// 1-based page number.
    pub page: usize,
    /// The page's tables, one per grid.
    pub tables: Vec<TableCells>,
    /// The lines printed outside any table.
    pub free_lines: Vec<FreeLine>,
    /// What OCR added, for a page read from its image
    /// ([`PageContent::ocr`]).
    #[serde(skip)]
    pub ocr: Option<Arc<OcrInfo>>,
}

/// One page after layout: its glyphs de-duplicated, its ruling lines
/// turned into grids, each glyph given to the cell holding it (or left as
/// a free line), each cell's text in lines; on a page read by OCR, labels
/// snapped to the template's fixed texts ([`snap_labels`]).
pub fn page_to_layout(page: &PageContent, t: &Template, settings: &LayoutSettings) -> PageLayout {
    let glyphs = dedupe_glyphs(&page.glyphs, settings);
    let edges = drop_rules_through_text(&page.edges, &glyphs, settings);
    let grids = edges_to_grids(&edges, settings);
    let mut taken = vec![false; glyphs.len()];
    let mut tables = Vec::with_capacity(grids.len());
    for grid in &grids {
        let (per_cell, _) = glyphs_to_cells(grid, &glyphs);
        let per_cell: Vec<Vec<usize>> = per_cell
            .into_iter()
            .map(|mut idx| {
                idx.retain(|&i| !taken[i]);
                for &i in &idx {
                    taken[i] = true;
                }
                idx
            })
            .collect();
        let inset = text_inset(
            &grid
                .cells
                .iter()
                .zip(&per_cell)
                .map(|(c, idx)| (c.bbox.x0, idx.as_slice()))
                .collect::<Vec<_>>(),
            &glyphs,
        );
        let cells = grid
            .cells
            .iter()
            .zip(per_cell)
            .map(|(c, idx)| CellRef {
                page: page.number,
                bbox: c.bbox,
                row: c.row,
                col: c.col,
                row_span: c.row_span,
                col_span: c.col_span,
                lines: cell_lines(&glyphs, &idx, inset.map(|d| c.bbox.x0 + d), settings),
                cut_top: c.cut_top,
                cut_bottom: c.cut_bottom,
                cut_doubt: false,
            })
            .collect();
        tables.push(TableCells {
            page: page.number,
            bbox: grid.bbox,
            cells,
        });
    }
    let outside: Vec<usize> = (0..glyphs.len()).filter(|&i| !taken[i]).collect();
    // Free lines are read one by one: each keeps its own paragraph flag.
    let free_lines = cell_lines(&glyphs, &outside, None, settings)
        .into_iter()
        .map(|line| FreeLine {
            page: page.number,
            line,
        })
        .collect();
    let mut layout = PageLayout {
        page: page.number,
        tables,
        free_lines,
        ocr: page.ocr.clone(),
    };
    if layout.ocr.is_some() {
        snap_labels(&mut layout, t, settings);
    }
    layout
}

/// Where a cell lies in its table on the page: in the bottom row, the top
/// row, both (a one-row table), or neither.
#[derive(Clone, Copy)]
struct Edges {
    bottom: bool,
    top: bool,
}

/// The closest vocabulary entry at least `min` similar, unless the text is
/// already one exactly, or is the head of that entry in the table's bottom
/// row or its tail in the top row: a label cut by a page break, half on
/// each page, which the mapping stitches whole (snapping the head to the
/// whole label left the tail on the next page to be read as a value).
fn closest<'a>(text: &str, v: &'a Vocabulary, min: f64, at: Edges) -> Option<&'a String> {
    let key = label_key(text);
    if key.is_empty() || v.cell_keys.contains(&key) {
        return None;
    }
    let (_, k, text) = v
        .cell_keys
        .iter()
        .zip(&v.cell_texts)
        .map(|(k, text)| (similarity(k, &key), k, text))
        .filter(|(s, _, _)| *s >= min)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let cut = (at.bottom && k.starts_with(&key)) || (at.top && k.ends_with(&key));
    (!cut).then_some(text)
}

/// Snaps the fixed texts of a page read by OCR: a cell (or free line)
/// whose text is at least `ocr_label_similarity` alike to one of the template's fixed
/// texts (field labels, sub-table headers: [`Template::cell_texts`]; the
/// title; the unit label before its value) takes that text. OCR garbles
/// labels as it garbles anything; labels are a closed vocabulary, values
/// are not. A cell of the table's bottom row holding the head of a label,
/// or of its top row holding the tail, keeps its text: half a label cut by
/// a page break. `settings`: `ocr_label_similarity`, and `snap_tolerance`
/// for a cell's edge lying on the table's.
pub fn snap_labels(layout: &mut PageLayout, t: &Template, settings: &LayoutSettings) {
    let (min, tol) = (settings.ocr_label_similarity, settings.snap_tolerance);
    for table in &mut layout.tables {
        let outer = table.bbox;
        for cell in &mut table.cells {
            let at = Edges {
                bottom: (cell.bbox.bottom - outer.bottom).abs() <= tol,
                top: (cell.bbox.top - outer.top).abs() <= tol,
            };
            let text = cell.text();
            if let Some(v) = closest(&text, t.vocab(), min, at) {
                cell.set_text(v);
            }
        }
    }
    let title = &t.header.title;
    for fl in &mut layout.free_lines {
        let text = strip_whitespace(&fl.line.text);
        let n = title.chars().count();
        // the title, possibly with junk around it
        if !text.contains(title.as_str()) && text.chars().count() <= n + 4 {
            let best = (0..=text.chars().count().saturating_sub(n.saturating_sub(3)))
                .map(|i| {
                    let w: String = text.chars().skip(i).take(n).collect();
                    similarity(&w, title)
                })
                .fold(0.0, f64::max);
            if best >= min {
                fl.line.text = title.clone();
                continue;
            }
        }
        // `申报单位名称：unit` with the label garbled
        for label in &t.header.unit_labels {
            let n = label.chars().count();
            let head: String = text.chars().take(n).collect();
            if head != *label && similarity(&head, label) >= min {
                let rest: String = text.chars().skip(n).collect();
                let rest = rest.trim_start_matches([':', '：', ';', '；', '.']);
                fl.line.text = format!("{label}：{rest}");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-column table of label cells, one per row, 20 pt high.
    fn column(texts: &[&str]) -> PageLayout {
        let cells = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let bbox = BBox::new(
                    50.0,
                    100.0 + 20.0 * i as f64,
                    130.0,
                    120.0 + 20.0 * i as f64,
                );
                CellRef {
                    page: 1,
                    bbox,
                    row: i,
                    col: 0,
                    row_span: 1,
                    col_span: 1,
                    lines: vec![TextLine {
                        text: t.to_string(),
                        bbox,
                        starts_paragraph: false,
                    }],
                    cut_top: false,
                    cut_bottom: false,
                    cut_doubt: false,
                }
            })
            .collect();
        let n = texts.len() as f64;
        PageLayout {
            page: 1,
            tables: vec![TableCells {
                page: 1,
                bbox: BBox::new(50.0, 100.0, 130.0, 100.0 + 20.0 * n),
                cells,
            }],
            free_lines: Vec::new(),
            ocr: None,
        }
    }

    fn texts(layout: &PageLayout) -> Vec<String> {
        layout.tables[0].cells.iter().map(CellRef::text).collect()
    }

    #[test]
    fn half_a_label_at_a_page_cut_is_not_snapped_to_the_whole_label() {
        let set = crate::template::Templates::builtin().unwrap();
        let t = set.get("national-project").unwrap();
        let settings = LayoutSettings::default();
        // the tail in the top row, a garbled label inside, the head in
        // the bottom row
        let mut page = column(&["申报的必要性", "项日名称", "项目申报的必"]);
        snap_labels(&mut page, t, &settings);
        assert_eq!(texts(&page), ["申报的必要性", "项目名称", "项目申报的必"]);
        // the same head inside the table is a garbled label
        let mut page = column(&["项目名称", "项目申报的必", "项目属性"]);
        snap_labels(&mut page, t, &settings);
        assert_eq!(texts(&page), ["项目名称", "项目申报的必要性", "项目属性"]);
    }
}
