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
    /// The remarks cell (备注 column), on forms with one.
    pub remark: Option<CellRef>,
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
    /// A `table` field's rows: each row's cell per column, in the
    /// template's column order.
    Rows {
        /// The rows, top to bottom.
        rows: Vec<Vec<Option<CellRef>>>,
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
    /// The caption of the block the field was read in (`项目资金（万元）`:
    /// the template's `[layout] captions`), when it was read in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// Everything the mapping found for one form.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FormFields {
    /// The name of the template the form is read with.
    pub template: String,
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
    page_title(page, &[template.vocab().title.as_str()]).is_some()
}

/// Which of `titles` (label keys) the page carries, in a free line or a
/// cell: the longest one found (the first of equal length), each line's
/// key made once.
pub fn page_title(page: &PageLayout, titles: &[&str]) -> Option<usize> {
    let mut key = String::new();
    let mut best: Option<usize> = None;
    let mut look = |chars: &mut dyn Iterator<Item = char>| {
        label_key_into(chars, &mut key);
        for (i, t) in titles.iter().enumerate() {
            if key.contains(t) && best.is_none_or(|b| titles[b].len() < t.len()) {
                best = Some(i);
            }
        }
    };
    for l in &page.free_lines {
        look(&mut l.line.text.chars());
    }
    for c in page.tables.iter().flat_map(|t| &t.cells) {
        look(&mut c.lines.iter().flat_map(|l| l.text.chars()));
    }
    best
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
/// required (index 0 and `heads.required`).
fn find_header(cells: &[&CellRef], heads: &Heads) -> Option<(usize, Columns)> {
    let (required, heads) = (heads.required, heads.keys.as_slice());
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
        if cols[0].is_some() && cols[required].is_some() {
            return Some((r + 1, Columns(cols)));
        }
    }
    None
}

/// A sub-table's column headers (label keys per column) and the columns
/// its header row must show: the first and `required`.
struct Heads {
    keys: Vec<Vec<String>>,
    required: usize,
}

/// What kind of sub-table a field is, which decides its rows' cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TableKind {
    Funding,
    Indicators,
    /// A `table` field of this many columns.
    Rows(usize),
}

impl TableKind {
    fn of(spec: &FieldSpec) -> Option<TableKind> {
        match spec.shape {
            Shape::FundingTable => Some(TableKind::Funding),
            Shape::IndicatorTable => Some(TableKind::Indicators),
            Shape::Table => Some(TableKind::Rows(spec.columns.len())),
            _ => None,
        }
    }

    /// The column a row starts at (each of its cells starts one).
    fn key_column(self) -> usize {
        match self {
            TableKind::Indicators => 2,
            TableKind::Funding | TableKind::Rows(_) => 0,
        }
    }

    fn empty(self) -> FieldValue {
        match self {
            TableKind::Funding => FieldValue::Funding { rows: vec![] },
            TableKind::Indicators => FieldValue::Indicators { rows: vec![] },
            TableKind::Rows(_) => FieldValue::Rows { rows: vec![] },
        }
    }
}

/// The column headers of a sub-table field.
fn heads(spec: &FieldSpec, keys: &Vocabulary) -> Heads {
    match spec.shape {
        Shape::FundingTable => Heads {
            keys: keys.funding.to_vec(),
            required: 1,
        },
        Shape::IndicatorTable => {
            let mut k = keys.indicator.to_vec();
            if !keys.indicator_remark.is_empty() {
                k.push(keys.indicator_remark.clone());
            }
            Heads {
                keys: k,
                required: 3,
            }
        }
        _ => {
            let k = keys
                .tables
                .iter()
                .find(|(f, _)| *f == spec.key)
                .map(|(_, cols)| cols.clone())
                .unwrap_or_default();
            Heads {
                required: k.len().saturating_sub(1),
                keys: k,
            }
        }
    }
}

/// State of a sub-table being read across pages.
struct OpenTable {
    hit: usize,
    columns: Columns,
    kind: TableKind,
}

fn is_header_cell(c: &CellRef, keys: &Vocabulary) -> bool {
    let k = cell_key(c);
    keys.funding
        .iter()
        .chain(&keys.indicator)
        .chain(std::iter::once(&keys.indicator_remark))
        .chain(keys.tables.iter().flat_map(|(_, cols)| cols))
        .any(|l| matches_any(&k, l))
}

/// Reads the rows of a sub-table from cells (starting at `first_row`).
fn table_rows(
    cells: &[&CellRef],
    first_row: usize,
    columns: &Columns,
    kind: TableKind,
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
    let key_col = kind.key_column();
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
                    remark: pick_value(r, 4),
                };
                if row.level3.as_ref().is_none_or(|c| c.is_empty())
                    && row.target.as_ref().is_none_or(|c| c.is_empty())
                {
                    continue;
                }
                rows.push(row);
            }
            FieldValue::Rows { rows } => {
                let n = match kind {
                    TableKind::Rows(n) => n,
                    _ => 0,
                };
                let row: Vec<Option<CellRef>> = (0..n)
                    .map(|c| if c == 0 { pick(r, 0) } else { pick_value(r, c) })
                    .collect();
                if row.iter().all(|c| c.as_ref().is_none_or(|c| c.is_empty())) {
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
        template: template.name.clone(),
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
    // The caption of the block being read, which its continuation keeps.
    let mut caption: Option<String> = None;
    let all: Vec<Band> = pages.iter().flat_map(bands).collect();
    for band in stitch_split_rows(all, template, settings) {
        let label_text = band.label.text();
        let heading = layout_heading(&label_text, template);
        if heading == Some(Heading::Skip) {
            // no form data (审核意见, signatures): read no further
            (open_table, last_text_hit, caption) = (None, None, None);
            continue;
        }
        let spec = template
            .field_for_label(&label_text)
            .or_else(|| table_by_header(&band, template, keys, &out));
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
        // a block of label/value rows going on across a page break
        let pairs_go_on = continues && caption.is_some() && holds_label(&band, template);
        if continues
            && !pairs_go_on
            && continue_band(&band, &mut out, &open_table, last_text_hit, keys, settings)
        {
            continue;
        }
        open_table = None;
        last_text_hit = None;
        if !pairs_go_on {
            caption = (heading == Some(Heading::Caption)).then(|| label_text.clone());
        }
        match spec.filter(|s| TableKind::of(s).is_some()) {
            Some(spec) => open_table = read_sub_table(&band, spec, keys, settings, &mut out),
            None => {
                let ctx = PairContext {
                    template,
                    keys,
                    caption: caption.as_deref(),
                    label_is_caption: caption.is_some() && !pairs_go_on,
                };
                read_pairs(&band, &ctx, &mut out, &mut last_text_hit)
            }
        }
    }
    out
}

/// What a band's label cell is besides a field's label
/// ([`crate::template::LayoutTexts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heading {
    /// A block caption: the band holds label/value pairs.
    Caption,
    /// A block of no form data.
    Skip,
}

fn layout_heading(text: &str, t: &Template) -> Option<Heading> {
    let v = t.vocab();
    if v.skip.is_empty() && v.captions.is_empty() {
        return None;
    }
    let key = label_key(text);
    if key.is_empty() {
        return None;
    }
    let is = |list: &[String]| list.contains(&key);
    if is(&v.skip) {
        Some(Heading::Skip)
    } else if is(&v.captions) {
        Some(Heading::Caption)
    } else {
        None
    }
}

/// Whether one of the band's cells is a field's label.
fn holds_label(band: &Band, t: &Template) -> bool {
    band.right
        .iter()
        .any(|c| t.field_for_label(&c.text()).is_some())
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
            &cells, first, &t.columns, t.kind, keys, settings, &mut value,
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
    let kind = TableKind::of(spec)?;
    let mut value = kind.empty();
    let right: Vec<&CellRef> = band.right.iter().map(|c| c.as_ref()).collect();
    let header = find_header(&right, &heads(spec, keys));
    if let Some((first, columns)) = &header {
        table_rows(&right, *first, columns, kind, keys, settings, &mut value);
    }
    out.hits.push(FieldHit {
        key: spec.key.clone(),
        label: band.label.as_ref().clone(),
        value,
        caption: None,
    });
    match header {
        Some((_, columns)) => Some(OpenTable {
            hit: out.hits.len() - 1,
            columns,
            kind,
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
/// of it that is on another page or clipped away), the header says which;
/// of several fields with that header, the first not read yet.
fn table_by_header<'t>(
    band: &Band,
    template: &'t Template,
    keys: &Vocabulary,
    out: &FormFields,
) -> Option<&'t FieldSpec> {
    if !band.label.is_empty() {
        return None;
    }
    let right: Vec<&CellRef> = band.right.iter().map(|c| c.as_ref()).collect();
    let tables = || {
        template
            .fields
            .iter()
            .filter(|f| TableKind::of(f).is_some())
    };
    // indicator tables first, then funding, then `table` fields
    let order = [Shape::IndicatorTable, Shape::FundingTable, Shape::Table];
    let shape = order.into_iter().find(|&shape| {
        tables()
            .find(|f| f.shape == shape)
            .is_some_and(|f| find_header(&right, &heads(f, keys)).is_some())
    })?;
    let candidates: Vec<&FieldSpec> = tables()
        .filter(|f| f.shape == shape && find_header(&right, &heads(f, keys)).is_some())
        .collect();
    candidates
        .iter()
        .find(|f| !out.hits.iter().any(|h| h.key == f.key))
        .or(candidates.first())
        .copied()
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

/// What [`read_pairs`] reads a band with.
struct PairContext<'a> {
    template: &'a Template,
    keys: &'a Vocabulary,
    /// The caption of the block the band is in.
    caption: Option<&'a str>,
    /// The band's label cell is that caption (no field, no orphan).
    label_is_caption: bool,
}

/// Reads `label | value | label | value …` pairs from a band: its first
/// row (the label cell first, unless it is a caption), then each lower
/// row holding a label; the cells of its other lower rows go on with the
/// values above them ([`read_lower_rows`]).
fn read_pairs(
    band: &Band,
    ctx: &PairContext,
    out: &mut FormFields,
    last_text_hit: &mut Option<usize>,
) {
    let first_hit = out.hits.len();
    let mut rows: Vec<usize> = band.right.iter().map(|c| c.row).collect();
    rows.push(band.label.row);
    rows.sort();
    rows.dedup();
    let mut plain: Vec<&CellRef> = Vec::new();
    for (k, &r) in rows.iter().enumerate() {
        let in_row = band.right.iter().map(|c| c.as_ref()).filter(|c| c.row == r);
        let row: Vec<&CellRef> = if r == band.label.row && !ctx.label_is_caption {
            std::iter::once(band.label.as_ref()).chain(in_row).collect()
        } else {
            in_row.collect()
        };
        let labelled = || {
            row.iter()
                .any(|c| ctx.template.field_for_label(&c.text()).is_some())
        };
        if k == 0 || labelled() {
            read_pair_row(&row, ctx, out, last_text_hit);
        } else {
            plain.extend(row);
        }
    }
    read_lower_rows(&plain, out, first_hit);
}

/// One row of `label | value …` cells.
fn read_pair_row(
    row: &[&CellRef],
    ctx: &PairContext,
    out: &mut FormFields,
    last_text_hit: &mut Option<usize>,
) {
    let template = ctx.template;
    let caption = ctx.caption.map(str::to_string);
    let hit = |key: &str, label: &CellRef, value: FieldValue| FieldHit {
        key: key.to_string(),
        label: label.clone(),
        value,
        caption: caption.clone(),
    };
    let mut pending: Option<(&FieldSpec, &CellRef)> = None;
    for &c in row {
        let text = c.text();
        if let Some(spec) = template.field_for_label(&text) {
            if let Some((p, l)) = pending.take() {
                out.hits
                    .push(hit(&p.key, l, FieldValue::Cells { cells: vec![] }));
            }
            pending = Some((spec, c));
            continue;
        }
        if let Some((spec, label)) = pending.take() {
            let cells = vec![c.clone()];
            out.hits
                .push(hit(&spec.key, label, FieldValue::Cells { cells }));
            if matches!(spec.shape, Shape::Paragraphs | Shape::Line) {
                *last_text_hit = Some(out.hits.len() - 1);
            }
            continue;
        }
        if let Some((spec, rest)) = template.field_with_prefix(&text) {
            let value = FieldValue::Inline {
                text: rest,
                cell: c.clone(),
            };
            out.hits.push(hit(&spec.key, c, value));
            continue;
        }
        if !c.is_empty() && layout_heading(&text, template).is_none() {
            // Title, year or unit printed inside the table's border.
            let mut used = false;
            for l in &c.lines {
                used |= read_header_line(out, c.page, l, ctx.keys);
            }
            if !used {
                out.orphans.push(c.clone());
            }
        }
    }
    if let Some((p, l)) = pending {
        out.hits
            .push(hit(&p.key, l, FieldValue::Cells { cells: vec![] }));
    }
}

/// The band's rows below its first (its label merged down over them) that
/// hold no label: a cell under the value cell of a field read from the
/// band (hits from `first_hit` on) continues that value (a long text
/// split over rows; a value cell a stray rule cut in two); any other
/// non-empty cell is an orphan, never dropped.
fn read_lower_rows(cells: &[&CellRef], out: &mut FormFields, first_hit: usize) {
    for &c in cells {
        let under = (first_hit..out.hits.len()).find(|&h| match &out.hits[h].value {
            FieldValue::Cells { cells } => cells
                .first()
                .is_some_and(|v| v.bbox.spans_most_of_narrower(&c.bbox)),
            _ => false,
        });
        match under {
            Some(h) => {
                if let FieldValue::Cells { cells } = &mut out.hits[h].value {
                    cells.push(c.clone());
                }
            }
            None if !c.is_empty() => out.orphans.push(c.clone()),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;
