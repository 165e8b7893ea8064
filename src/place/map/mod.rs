//! Form mapping: from the cells of a form's pages to the cells each field
//! was read from ([`FormFields`]). Nothing here parses values; that is
//! [`crate::assemble`]'s job.
//!
//! The table's left column holds the labels. Each left-column cell opens a
//! *band*: the cells to its right over the rows it spans. In a band, a cell
//! whose text is a label takes the next cell to its right as its value, so
//! `项目总预算（元） | amount | 项目当年预算（元） | amount` is read like
//! `项目名称 | name`. The two sub-tables are read by their header rows:
//! each header cell's horizontal extent defines a column, and cells below
//! it (on this page and on continuation pages, where the band's label cell
//! is empty) are assigned to the column holding their centre.

use std::borrow::Cow;

use serde::Serialize;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::geom::{BBox, OcrInfo};
use crate::layout::{CellRef, FreeLine, PageLayout, TextLine};
use crate::record::Warning;
use crate::settings::LayoutSettings;
use crate::template::{FieldSpec, Shape, Template, Vocabulary, label_key, label_key_into};

/// A row of the funding sub-table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FundingRowCells {
    /// The sub-project name cell (子项目名称 column).
    pub name: Option<CellRef>,
    /// The amount cell (预算金额（元） column).
    pub amount: Option<CellRef>,
}

/// A row of the indicator sub-table. A level-1/level-2 cell is the merged
/// cell covering the row (the same cell for every row it spans); the part
/// of it a page break cut off is an empty cell, which the record fills
/// with the level of the row above (`assemble::fields_to_record`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRowCells {
    /// The level-1 indicator cell (一级指标 column).
    pub level1: Option<CellRef>,
    /// The level-2 indicator cell (二级指标 column).
    pub level2: Option<CellRef>,
    /// The level-3 indicator cell (三级指标 column).
    pub level3: Option<CellRef>,
    /// The target value cell (指标目标值 column).
    pub target: Option<CellRef>,
}

/// What a field's label led to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldValue {
    /// Value cells, in reading order (several when a page break split one).
    Cells {
        /// The value cells, in reading order.
        cells: Vec<CellRef>,
    },
    /// Label and value printed in one cell: the text after the label.
    Inline {
        /// The text after the label.
        text: String,
        /// The cell holding label and value.
        cell: CellRef,
    },
    /// The funding sub-table's rows.
    Funding {
        /// The rows, top to bottom.
        rows: Vec<FundingRowCells>,
    },
    /// The indicator sub-table's rows.
    Indicators {
        /// The rows, top to bottom.
        rows: Vec<IndicatorRowCells>,
    },
}

/// A field found on the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldHit {
    /// The field's key in the template.
    pub key: String,
    /// The cell holding the field's label.
    pub label: CellRef,
    /// What the label led to.
    pub value: FieldValue,
}

/// Everything the mapping found for one form.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FormFields {
    /// The form's 1-based page numbers.
    pub pages: Vec<usize>,
    /// The free line holding the form's title.
    pub title: Option<FreeLine>,
    /// The free line holding the year (may be the title line).
    pub year: Option<FreeLine>,
    /// The unit line: the text after its label, its 1-based page, its box.
    pub unit: Option<(String, usize, BBox)>,
    /// The fields found, in the order found.
    pub hits: Vec<FieldHit>,
    /// Non-empty cells that no label claimed.
    pub orphans: Vec<CellRef>,
    /// The form's pages read by OCR, by page number
    /// ([`PageLayout::ocr`]).
    #[serde(skip)]
    pub ocr: BTreeMap<usize, Arc<OcrInfo>>,
    /// What the repair stage did to the fields of OCR'd pages
    /// ([`crate::place::repair_fields`]), said in the record after the record
    /// builder's own warnings.
    #[serde(skip)]
    pub repairs: Vec<Warning>,
}

/// Whether the page carries the form's title (a new form starts there).
pub fn page_has_title(page: &PageLayout, template: &Template) -> bool {
    let title = &template.vocab().title;
    let mut key = String::new();
    let mut has = |chars: &mut dyn Iterator<Item = char>| {
        label_key_into(chars, &mut key);
        key.contains(title.as_str())
    };
    page.free_lines
        .iter()
        .any(|l| has(&mut l.line.text.chars()))
        || page.tables.iter().any(|t| {
            t.cells
                .iter()
                .any(|c| has(&mut c.lines.iter().flat_map(|l| l.text.chars())))
        })
}

/// A cell's [`label_key`] (its lines' text; the `\n` joining them is white
/// space, which the key drops).
fn cell_key(c: &CellRef) -> String {
    let mut k = String::new();
    label_key_into(c.lines.iter().flat_map(|l| l.text.chars()), &mut k);
    k
}

/// A band's cells are borrowed from the page layout; only a band stitched
/// to the next page's first band gets its own (joined) copies.
struct Band<'a> {
    label: Cow<'a, CellRef>,
    right: Vec<Cow<'a, CellRef>>,
    first_on_page: bool,
}

fn bands(page: &PageLayout) -> Vec<Band<'_>> {
    let mut out = Vec::new();
    for (ti, t) in page.tables.iter().enumerate() {
        let mut left: Vec<&CellRef> = t.cells.iter().filter(|c| c.col == 0).collect();
        left.sort_by_key(|c| c.row);
        for (k, l) in left.iter().enumerate() {
            let mut right: Vec<&CellRef> = t
                .cells
                .iter()
                .filter(|c| c.col > 0 && c.row >= l.row && c.row < l.row + l.row_span)
                .collect();
            right.sort_by(|a, b| a.row.cmp(&b.row).then(a.bbox.x0.total_cmp(&b.bbox.x0)));
            out.push(Band {
                label: Cow::Borrowed(*l),
                right: right.into_iter().map(Cow::Borrowed).collect(),
                first_on_page: ti == 0 && k == 0,
            });
        }
    }
    out
}

/// Appends `more`'s lines to `cell` (a cell continued on the next page).
fn append_cell(cell: &mut CellRef, more: &CellRef) {
    cell.lines.extend(more.lines.iter().cloned());
}

/// A table row broken by a page break leaves half a label on each page
/// (`同名项目上年预` / `算额（元）`, or `项目总预算` / `（元）`). When the
/// second half is no label but the two together are (and the first half is
/// no label or the same one), the first band of the page is joined to the
/// last band of the previous page, cell to cell by horizontal overlap
/// ([`LayoutSettings::split_row_overlap`]).
fn stitch_split_rows<'a>(
    bands: Vec<Band<'a>>,
    template: &Template,
    settings: &LayoutSettings,
) -> Vec<Band<'a>> {
    let mut out: Vec<Band> = Vec::with_capacity(bands.len());
    for b in bands {
        if b.first_on_page
            && let Some(prev) = out.last_mut()
        {
            let (pt, bt) = (prev.label.text(), b.label.text());
            let joined = format!("{pt}{bt}");
            let key = |t: &str| template.field_for_label(t).map(|f| f.key.as_str());
            let joined_key = key(&joined);
            if !prev.label.is_empty()
                && !b.label.is_empty()
                && key(&bt).is_none()
                && joined_key.is_some()
                && (key(&pt).is_none() || key(&pt) == joined_key)
            {
                append_cell(prev.label.to_mut(), &b.label);
                for c in &b.right {
                    let best = prev
                        .right
                        .iter_mut()
                        .filter(|p| {
                            p.bbox.h_overlap(&c.bbox) > settings.split_row_overlap * c.bbox.width()
                        })
                        .max_by(|a, z| {
                            a.bbox
                                .h_overlap(&c.bbox)
                                .total_cmp(&z.bbox.h_overlap(&c.bbox))
                        });
                    match best {
                        Some(p) => append_cell(p.to_mut(), c),
                        None => prev.right.push(c.clone()),
                    }
                }
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// Column extents of a sub-table, from its header cells.
#[derive(Debug, Clone)]
struct Columns(Vec<Option<(f64, f64)>>);

impl Columns {
    fn of(&self, c: &CellRef, tol: f64) -> Option<usize> {
        let (cx, _) = c.bbox.center();
        self.0.iter().position(|r| match r {
            Some((a, b)) => cx >= a - tol && cx <= b + tol,
            None => false,
        })
    }
}

/// Whether a cell's key is one of the label keys.
fn matches_any(key: &str, label_keys: &[String]) -> bool {
    !key.is_empty() && label_keys.iter().any(|l| l == key)
}

/// Finds the header row of a sub-table among the band's cells: the first
/// row holding a cell for each of the listed header label sets that are
/// required (index 0 and the last).
fn find_header(cells: &[&CellRef], heads: &[Vec<String>]) -> Option<(usize, Columns)> {
    let mut rows: Vec<usize> = cells.iter().map(|c| c.row).collect();
    rows.sort();
    rows.dedup();
    for r in rows {
        let in_row: Vec<(&CellRef, String)> = cells
            .iter()
            .filter(|c| c.row == r)
            .map(|c| (*c, cell_key(c)))
            .collect();
        let cols: Vec<Option<(f64, f64)>> = heads
            .iter()
            .map(|labels| {
                in_row
                    .iter()
                    .find(|(_, k)| matches_any(k, labels))
                    .map(|(c, _)| (c.bbox.x0, c.bbox.x1))
            })
            .collect();
        if cols[0].is_some() && cols[cols.len() - 1].is_some() {
            return Some((r + 1, Columns(cols)));
        }
    }
    None
}

/// State of a sub-table being read across pages.
struct OpenTable {
    hit: usize,
    columns: Columns,
    is_funding: bool,
}

fn is_header_cell(c: &CellRef, keys: &Vocabulary) -> bool {
    let k = cell_key(c);
    keys.funding
        .iter()
        .chain(&keys.indicator)
        .any(|l| matches_any(&k, l))
}

/// Reads the rows of a sub-table from cells (starting at `first_row`).
fn table_rows(
    cells: &[&CellRef],
    first_row: usize,
    columns: &Columns,
    is_funding: bool,
    keys: &Vocabulary,
    settings: &LayoutSettings,
    value: &mut FieldValue,
) {
    let tol = settings.column_match_tolerance;
    // The body cells, each with its column.
    let body: Vec<(&CellRef, Option<usize>)> = cells
        .iter()
        .copied()
        .filter(|c| c.row + c.row_span > first_row && !is_header_cell(c, keys))
        .map(|c| (c, columns.of(c, tol)))
        .collect();
    // One row per distinct starting row of the key column's cells.
    let key_col = if is_funding { 0 } else { 2 };
    let mut starts: Vec<usize> = body
        .iter()
        .filter(|(c, col)| *col == Some(key_col) && c.row >= first_row)
        .map(|(c, _)| c.row)
        .collect();
    starts.sort();
    starts.dedup();
    let pick = |r: usize, col: usize| -> Option<CellRef> {
        body.iter()
            .find(|(c, cc)| c.covers_row(r) && *cc == Some(col))
            .map(|(c, _)| (*c).clone())
    };
    // The row's key cell may span rows a rule cut only in another column
    // (a stray line through one cell): the cells of a value column that
    // start within the key cell's rows are one value, read in order.
    let key_span = |r: usize| {
        body.iter()
            .find(|(c, cc)| c.row == r && *cc == Some(key_col))
            .map_or(1, |(c, _)| c.row_span)
    };
    let pick_value = |r: usize, col: usize| -> Option<CellRef> {
        let mut parts = body
            .iter()
            .filter(|(c, cc)| *cc == Some(col) && c.row >= r && c.row < r + key_span(r))
            .map(|(c, _)| *c);
        let mut first = match parts.next() {
            Some(c) => c.clone(),
            None => return pick(r, col),
        };
        for more in parts {
            first.lines.extend(more.lines.iter().cloned());
        }
        Some(first)
    };
    for r in starts {
        match value {
            FieldValue::Funding { rows } => {
                let row = FundingRowCells {
                    name: pick(r, 0),
                    amount: pick_value(r, 1),
                };
                if row.name.as_ref().is_none_or(|c| c.is_empty())
                    && row.amount.as_ref().is_none_or(|c| c.is_empty())
                {
                    continue;
                }
                rows.push(row);
            }
            FieldValue::Indicators { rows } => {
                let row = IndicatorRowCells {
                    level1: pick(r, 0),
                    level2: pick(r, 1),
                    level3: pick(r, 2),
                    target: pick_value(r, 3),
                };
                if row.level3.as_ref().is_none_or(|c| c.is_empty())
                    && row.target.as_ref().is_none_or(|c| c.is_empty())
                {
                    continue;
                }
                rows.push(row);
            }
            _ => {}
        }
    }
}

/// Maps a form's pages to the cells of its fields.
pub fn pages_to_fields(
    pages: &[PageLayout],
    template: &Template,
    settings: &LayoutSettings,
) -> FormFields {
    let mut out = FormFields {
        pages: pages.iter().map(|p| p.page).collect(),
        ocr: pages
            .iter()
            .filter_map(|p| Some((p.page, p.ocr.clone()?)))
            .collect(),
        ..Default::default()
    };
    let keys = template.vocab();
    for p in pages {
        for fl in &p.free_lines {
            read_header_line(&mut out, p.page, &fl.line, keys);
        }
    }
    // The field a continuation band (empty label cell at the top of a
    // page) belongs to: the last one read.
    let mut open_table: Option<OpenTable> = None;
    let mut last_text_hit: Option<usize> = None;
    let all: Vec<Band> = pages.iter().flat_map(bands).collect();
    for band in stitch_split_rows(all, template, settings) {
        let label_text = band.label.text();
        let spec = template
            .field_for_label(&label_text)
            .or_else(|| table_by_header(&band, template, keys));
        // An empty label cell goes on with the field above (a label
        // printed once, on a sub-table's header row or on the first
        // part of a cut cell); so does the open sub-table's own label
        // repeated at the top of a page.
        let opens_table = band.label.is_empty() && spec.is_some();
        let continues = (band.label.is_empty() && !opens_table)
            || (band.first_on_page
                && spec.is_some_and(|s| {
                    open_table
                        .as_ref()
                        .is_some_and(|t| out.hits[t.hit].key == s.key)
                }));
        if continues && continue_band(&band, &mut out, &open_table, last_text_hit, keys, settings) {
            continue;
        }
        open_table = None;
        last_text_hit = None;
        match spec.filter(|s| matches!(s.shape, Shape::FundingTable | Shape::IndicatorTable)) {
            Some(spec) => open_table = read_sub_table(&band, spec, keys, settings, &mut out),
            None => read_pairs(&band, template, keys, &mut out, &mut last_text_hit),
        }
    }
    out
}

/// A band going on with the field above: more rows of the open sub-table,
/// or more cells of the last text field. False when there is neither.
fn continue_band(
    band: &Band,
    out: &mut FormFields,
    open_table: &Option<OpenTable>,
    last_text_hit: Option<usize>,
    keys: &Vocabulary,
    settings: &LayoutSettings,
) -> bool {
    if let Some(t) = open_table {
        let cells: Vec<&CellRef> = band.right.iter().map(|c| c.as_ref()).collect();
        let first = cells.iter().map(|c| c.row).min().unwrap_or(0);
        let mut value = std::mem::replace(
            &mut out.hits[t.hit].value,
            FieldValue::Cells { cells: vec![] },
        );
        table_rows(
            &cells,
            first,
            &t.columns,
            t.is_funding,
            keys,
            settings,
            &mut value,
        );
        out.hits[t.hit].value = value;
        return true;
    }
    if let Some(h) = last_text_hit {
        if let FieldValue::Cells { cells } = &mut out.hits[h].value {
            cells.extend(band.right.iter().map(|c| c.as_ref().clone()));
        }
        return true;
    }
    false
}

/// A sub-table's band: its rows read under its header row, the table left
/// open for the bands that go on with it; without a header row, its cells
/// are orphans.
fn read_sub_table(
    band: &Band,
    spec: &FieldSpec,
    keys: &Vocabulary,
    settings: &LayoutSettings,
    out: &mut FormFields,
) -> Option<OpenTable> {
    let is_funding = spec.shape == Shape::FundingTable;
    let heads: &[Vec<String>] = if is_funding {
        &keys.funding
    } else {
        &keys.indicator
    };
    let mut value = if is_funding {
        FieldValue::Funding { rows: vec![] }
    } else {
        FieldValue::Indicators { rows: vec![] }
    };
    let right: Vec<&CellRef> = band.right.iter().map(|c| c.as_ref()).collect();
    let header = find_header(&right, heads);
    if let Some((first, columns)) = &header {
        table_rows(
            &right, *first, columns, is_funding, keys, settings, &mut value,
        );
    }
    out.hits.push(FieldHit {
        key: spec.key.clone(),
        label: band.label.as_ref().clone(),
        value,
    });
    match header {
        Some((_, columns)) => Some(OpenTable {
            hit: out.hits.len() - 1,
            columns,
            is_funding,
        }),
        None => {
            let orphans = band.right.iter().filter(|c| !c.is_empty());
            out.orphans.extend(orphans.map(|c| c.as_ref().clone()));
            None
        }
    }
}

/// The sub-table whose header row a band with an empty label cell holds:
/// its label was printed elsewhere (centred over a merged cell, on a part
/// of it that is on another page or clipped away), the header says which.
fn table_by_header<'t>(
    band: &Band,
    template: &'t Template,
    keys: &Vocabulary,
) -> Option<&'t crate::template::FieldSpec> {
    if !band.label.is_empty() {
        return None;
    }
    let right: Vec<&CellRef> = band.right.iter().map(|c| c.as_ref()).collect();
    let shape = if find_header(&right, &keys.indicator).is_some() {
        Shape::IndicatorTable
    } else if find_header(&right, &keys.funding).is_some() {
        Shape::FundingTable
    } else {
        return None;
    };
    template.fields.iter().find(|f| f.shape == shape)
}

/// Takes a line as the title, the year or the unit line when it is one and
/// that item is still missing. Returns whether the line was used.
fn read_header_line(out: &mut FormFields, page: usize, line: &TextLine, keys: &Vocabulary) -> bool {
    let text = line.text.trim();
    let key = label_key(text);
    let title_key = &keys.title;
    let free = || FreeLine {
        page,
        line: line.clone(),
    };
    if out.title.is_none() && key.contains(title_key.as_str()) {
        out.title = Some(free());
        // A year printed on the title line: `…申报表（2019年）`.
        if out.year.is_none() {
            let rest = &key[key.find(title_key.as_str()).unwrap_or(0) + title_key.len()..];
            if crate::normalize::parse_year(rest).is_some() {
                out.year = Some(free());
            }
        }
        return true;
    }
    if out.year.is_none() && crate::normalize::parse_year(text).is_some() {
        out.year = Some(free());
        return true;
    }
    if out.unit.is_none() {
        for uk in &keys.units {
            if key.starts_with(uk.as_str()) {
                // The unit is what follows the label and its colon.
                let after = match text.split_once(['：', ':']) {
                    Some((_, v)) => v.trim().to_string(),
                    None => key[uk.len()..].to_string(),
                };
                out.unit = Some((after, page, line.bbox));
                return true;
            }
        }
    }
    false
}

/// Reads `label | value | label | value …` pairs from a band.
fn read_pairs(
    band: &Band,
    template: &Template,
    keys: &Vocabulary,
    out: &mut FormFields,
    last_text_hit: &mut Option<usize>,
) {
    let first_row: Vec<&CellRef> = std::iter::once(band.label.as_ref())
        .chain(
            band.right
                .iter()
                .map(|c| c.as_ref())
                .filter(|c| c.row == band.label.row),
        )
        .collect();
    let mut pending: Option<(&crate::template::FieldSpec, &CellRef)> = None;
    let first_hit = out.hits.len();
    for c in first_row {
        let text = c.text();
        if let Some(spec) = template.field_for_label(&text) {
            if let Some((p, l)) = pending.take() {
                out.hits.push(FieldHit {
                    key: p.key.clone(),
                    label: l.clone(),
                    value: FieldValue::Cells { cells: vec![] },
                });
            }
            pending = Some((spec, c));
            continue;
        }
        if let Some((spec, label)) = pending.take() {
            out.hits.push(FieldHit {
                key: spec.key.clone(),
                label: label.clone(),
                value: FieldValue::Cells {
                    cells: vec![c.clone()],
                },
            });
            if matches!(spec.shape, Shape::Paragraphs | Shape::Line) {
                *last_text_hit = Some(out.hits.len() - 1);
            }
            continue;
        }
        if let Some((spec, rest)) = template.field_with_prefix(&text) {
            out.hits.push(FieldHit {
                key: spec.key.clone(),
                label: c.clone(),
                value: FieldValue::Inline {
                    text: rest,
                    cell: c.clone(),
                },
            });
            continue;
        }
        if !c.is_empty() {
            // Title, year or unit printed inside the table's border.
            let mut used = false;
            for l in &c.lines {
                used |= read_header_line(out, c.page, l, keys);
            }
            if !used {
                out.orphans.push(c.clone());
            }
        }
    }
    if let Some((p, l)) = pending {
        out.hits.push(FieldHit {
            key: p.key.clone(),
            label: l.clone(),
            value: FieldValue::Cells { cells: vec![] },
        });
    }
    read_lower_rows(band, out, first_hit);
}

/// The band's rows below its first (its label merged down over them): a
/// cell under the value cell of a field read from the first row (hits from
/// `first_hit` on) continues that value (a long text split over rows; a
/// value cell a stray rule cut in two); any other non-empty cell is an
/// orphan, never dropped.
fn read_lower_rows(band: &Band, out: &mut FormFields, first_hit: usize) {
    for c in band.right.iter().filter(|c| c.row > band.label.row) {
        let under = (first_hit..out.hits.len()).find(|&h| match &out.hits[h].value {
            FieldValue::Cells { cells } => cells
                .first()
                .is_some_and(|v| v.bbox.spans_most_of_narrower(&c.bbox)),
            _ => false,
        });
        match under {
            Some(h) => {
                if let FieldValue::Cells { cells } = &mut out.hits[h].value {
                    cells.push(c.as_ref().clone());
                }
            }
            None if !c.is_empty() => out.orphans.push(c.as_ref().clone()),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;
