//! Stage 3: a form's blocks to candidates: labelled values claimed by
//! their fields, indicator items left for stage 4
//! ([`form_to_candidates`]).

use super::amounts::*;
use super::items::*;
use super::texts::*;
use super::*;

/// A value placed in a field, with the lines it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    /// The value's text.
    pub value: String,
    /// 1-based dump line the value starts on.
    pub line: usize,
    /// 1-based dump line the value ends on (inclusive).
    pub line_end: usize,
}

/// One funding row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingRow {
    /// The sub-project name, as printed.
    pub name: Option<String>,
    /// The amount, as printed.
    pub amount: Option<String>,
    /// 1-based dump line the row starts on.
    pub line: usize,
    /// 1-based dump line the row ends on (inclusive).
    pub line_end: usize,
}

/// One indicator row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    /// The level-1 indicator name.
    pub level1: Option<String>,
    /// The level-2 indicator name.
    pub level2: Option<String>,
    /// The level-3 indicator name.
    pub level3: Option<String>,
    /// The target value, as printed.
    pub target: Option<String>,
    /// 1-based dump line the row starts on.
    pub line: usize,
    /// 1-based dump line the row ends on (inclusive).
    pub line_end: usize,
}

/// What the indicator table's unplaced pieces look like, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub enum IndItem {
    /// A header line (`一级指标 二级指标`); whether it holds the level-2 header.
    Header {
        /// Whether the line holds the level-2 header.
        level2: bool,
    },
    /// Level 3 and target on one line (either order).
    Row {
        /// The level-3 name.
        l3: String,
        /// The target.
        target: String,
        /// 1-based dump line.
        line: usize,
    },
    /// Two name cells on one line: a level 1 and level 2 one row tall.
    Pair {
        /// The level-1 name.
        l1: String,
        /// The level-2 name.
        l2: String,
        /// 1-based dump line.
        line: usize,
    },
    /// All cells of a row on one line.
    Full {
        /// The level-1 name, when printed on the line.
        l1: Option<String>,
        /// The level-2 name, when printed on the line.
        l2: Option<String>,
        /// The level-3 name.
        l3: String,
        /// The target.
        target: String,
        /// 1-based dump line.
        line: usize,
    },
    /// A name cell (not a target) whose level is not yet known.
    Text {
        /// The cell's text.
        text: String,
        /// 1-based dump line.
        line: usize,
    },
    /// A target cell with no name beside it.
    Target {
        /// The target's text.
        text: String,
        /// 1-based dump line.
        line: usize,
    },
    /// A field label printed among the table's cells (`备注`, `分解目标`):
    /// it ends a run of names.
    Label,
    /// Text no label claimed, on a page with no sign of the table.
    Stray {
        /// The text.
        text: String,
        /// 1-based dump line.
        line: usize,
    },
}

impl IndItem {
    /// The cell texts the item holds, in printed order, each with whether
    /// it was read as a target.
    pub fn cells(&self) -> Vec<(&String, bool)> {
        match self {
            IndItem::Text { text, .. } | IndItem::Stray { text, .. } => vec![(text, false)],
            IndItem::Target { text, .. } => vec![(text, true)],
            IndItem::Row { l3, target, .. } => vec![(l3, false), (target, true)],
            IndItem::Pair { l1, l2, .. } => vec![(l1, false), (l2, false)],
            IndItem::Full {
                l1, l2, l3, target, ..
            } => [l1.as_ref(), l2.as_ref(), Some(l3)]
                .into_iter()
                .flatten()
                .map(|n| (n, false))
                .chain([(target, true)])
                .collect(),
            IndItem::Header { .. } | IndItem::Label => Vec::new(),
        }
    }

    /// The cell texts the item holds, in printed order.
    pub fn texts(&self) -> Vec<&String> {
        self.cells().into_iter().map(|(t, _)| t).collect()
    }

    /// The dump line the item was printed on.
    pub fn line(&self) -> Option<usize> {
        match self {
            IndItem::Text { line, .. }
            | IndItem::Stray { line, .. }
            | IndItem::Target { line, .. }
            | IndItem::Row { line, .. }
            | IndItem::Pair { line, .. }
            | IndItem::Full { line, .. } => Some(*line),
            IndItem::Header { .. } | IndItem::Label => None,
        }
    }
}

/// Everything placed in one form, plus what is left for the indicators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextFields {
    /// The form's 1-based page numbers within the dump.
    pub pages: Vec<usize>,
    /// The values placed, by field key.
    pub values: BTreeMap<String, Assigned>,
    /// The funding sub-table's rows.
    pub funding: Vec<FundingRow>,
    /// The indicator sub-table's rows (filled by stage 4).
    pub indicators: Vec<IndicatorRow>,
    /// The indicator table's pieces left for stage 4, in dump order.
    pub items: Vec<IndItem>,
    /// Warnings about the form's fields.
    pub warnings: Vec<Warning>,
    /// Field keys whose label was printed in the form (line of its first
    /// printing): a field whose label is there but whose value was placed
    /// nowhere is warned about, not silently null.
    pub labels: BTreeMap<String, usize>,
    /// Fields placed by the order of a run of labels
    /// (`place_label_runs`): any empty field of their shape on the page
    /// makes them uncertain.
    pub by_run: Vec<String>,
}

impl TextFields {
    pub(super) fn set(&mut self, key: &str, value: String, line: usize, line_end: usize) {
        self.values.entry(key.to_string()).or_insert(Assigned {
            value,
            line,
            line_end,
        });
    }
    pub(super) fn warn(&mut self, field: &str, code: WarningCode, msg: impl Into<String>) {
        self.warnings.push(Warning::new(field, code, msg));
    }
}

pub(super) struct Flat<'a> {
    pub(super) page: usize,
    pub(super) b: &'a Block,
}

pub(super) fn shape_fits(shape: Shape, k: &Kind) -> bool {
    matches!(
        (shape, k),
        (Shape::Money, Kind::Money(_)) | (Shape::Date, Kind::Date(_))
    )
}

pub(super) fn value_text(k: &Kind) -> String {
    match k {
        Kind::Money(s) | Kind::Date(s) | Kind::Text(s) | Kind::Target(s) | Kind::Paragraph(s) => {
            s.clone()
        }
        _ => String::new(),
    }
}

pub(super) fn alone(bs: &[Flat], i: usize) -> bool {
    let r = bs[i].b.row;
    let p = bs[i].page;
    let same = |j: usize| bs[j].page == p && bs[j].b.row == r;
    let before = i > 0 && same(i - 1);
    let after = i + 1 < bs.len() && same(i + 1);
    !before && !after
}

/// Places the labelled values of one form: header lines, values next to
/// their labels (and in shared rows), options, funding rows, the project
/// name, free texts; leaves the pieces of the indicator table as items.
pub fn form_to_candidates(form: &TextForm, t: &Template) -> TextFields {
    let mut f = TextFields {
        pages: form.pages.iter().map(|(n, _)| *n).collect(),
        ..Default::default()
    };
    let bs: Vec<Flat> = form
        .pages
        .iter()
        .flat_map(|(n, blocks)| blocks.iter().map(move |b| Flat { page: *n, b }))
        .collect();
    let mut claimed = vec![false; bs.len()];
    for x in &bs {
        if let Kind::Label(key) = &x.b.kind {
            f.labels.entry(key.clone()).or_insert(x.b.line);
        }
    }
    place_header(&mut f, &bs, &mut claimed, t);
    place_label_runs(&mut f, &bs, &mut claimed, t);
    place_beside_labels(&mut f, &bs, &mut claimed, t);
    place_options(&mut f, &bs, &mut claimed, t);
    place_funding_rows(&mut f, &bs, &mut claimed, t);
    place_lone_amounts(&mut f, &bs, &mut claimed, t);
    warn_values_an_empty_label_could_own(&mut f, &bs, t);
    place_project_name(&mut f, &bs, &mut claimed, t);
    place_paragraphs(&bs, &mut claimed, t, &mut f);
    mend_split_lists(&mut f, t);

    warn_if_out_of_order(&mut f, &bs, t);
    // What is left and table-shaped goes to the indicator table.
    let table_labels: HashSet<&str> = t
        .fields
        .iter()
        .filter(|s| s.shape == Shape::IndicatorTable)
        .map(|s| s.key.as_str())
        .collect();
    f.items = indicator_items(&bs, &claimed, &table_labels);
    f
}

/// Whether blocks `i` and `j` (if there is one) are on one page.
pub(super) fn same_page(bs: &[Flat], i: usize, j: usize) -> bool {
    j < bs.len() && bs[i].page == bs[j].page
}

/// Header lines: the title, the year, the unit (its name possibly on the
/// next line).
fn place_header(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    for (i, x) in bs.iter().enumerate() {
        let (key, val) = match &x.b.kind {
            Kind::Title => ("title", t.header.title.clone()),
            Kind::Year(y) => ("year", y.to_string()),
            Kind::Unit(u) if !u.is_empty() => ("unit", u.clone()),
            // `申报单位名称：` with the name on the next line (its colon
            // there too, when the dumper cut the line before it).
            Kind::Unit(_) => match bs.get(i + 1).map(|x| &x.b.kind) {
                Some(Kind::Text(u)) if alone(bs, i + 1) && bs[i + 1].page == x.page => {
                    claimed[i + 1] = true;
                    let u = u.trim_start_matches([':', '：']).trim_start();
                    ("unit", u.to_string())
                }
                _ => continue,
            },
            _ => continue,
        };
        if !f.values.contains_key(key) {
            f.set(key, val, x.b.line, x.b.line_end);
            claimed[i] = true;
        }
    }
}

/// Values beside their labels, and in rows shared with another label.
fn place_beside_labels(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    for i in 0..n {
        let Kind::Label(key) = &bs[i].b.kind else {
            continue;
        };
        claimed[i] = true;
        let Some(spec) = t.field(key) else { continue };
        if matches!(spec.shape, Shape::Money | Shape::Date) {
            if let Some((first, false)) = t.row_partner(key)
                && i > 0
                && !claimed[i - 1]
                && same_page(bs, i, i - 1)
                && bs[i - 1].b.row == bs[i].b.row
                && shape_fits(spec.shape, &bs[i - 1].b.kind)
                && !(i >= 2 && bs[i - 2].b.kind == Kind::Label(first.to_string()))
                && !f.values.contains_key(first)
            {
                let b = bs[i - 1].b;
                f.set(first, value_text(&b.kind), b.line, b.line_end);
                claimed[i - 1] = true;
            }
            // The next block, past lines of options (another field's, known
            // by their own words, printed from another column).
            let mut j = (i + 1..n)
                .find(|&j| !matches!(bs[j].b.kind, Kind::Options(..)))
                .unwrap_or(n);
            if same_page(bs, i, j) && bs[j].b.row != bs[i].b.row {
                match value_below(bs, i, j) {
                    Ok(k) => j = k,
                    Err(cells) => {
                        f.warn(
                            key,
                            WarningCode::AmbiguousAssignment,
                            format!(
                                "label on line {} printed above a row of {cells} values, \
                                 in another number of cells than its own row",
                                bs[i].b.line
                            ),
                        );
                        continue;
                    }
                }
            }
            if same_page(bs, i, j) && !claimed[j] && shape_fits(spec.shape, &bs[j].b.kind) {
                let b = bs[j].b;
                if !f.values.contains_key(key) {
                    f.set(key, value_text(&b.kind), b.line, b.line_end);
                    claimed[j] = true;
                }
            }
        } else if spec.shape == Shape::Line || spec.shape == Shape::Paragraphs {
            let j = i + 1;
            if same_page(bs, i, j)
                && !claimed[j]
                && bs[j].b.row == bs[i].b.row
                && let Kind::Text(s) = &bs[j].b.kind
            {
                let mut value = s.clone();
                let mut end = bs[j].b.line_end;
                // A free text's first line beside its label, the rest as
                // running text on the lines right after.
                if spec.shape == Shape::Paragraphs
                    && let Some(next) = bs.get(j + 1)
                    && !claimed[j + 1]
                    && same_page(bs, j, j + 1)
                    && next.b.line == end + 1
                    && let Kind::Paragraph(p) = &next.b.kind
                {
                    value.push_str(p);
                    end = next.b.line_end;
                    claimed[j + 1] = true;
                } else if spec.shape == Shape::Paragraphs
                    && !bs
                        .get(j + 1)
                        .is_none_or(|x| matches!(x.b.kind, Kind::Label(_) | Kind::Title))
                {
                    // Something else follows: the text may go on elsewhere.
                    continue;
                }
                f.set(key, value, bs[j].b.line, end);
                claimed[j] = true;
            }
        }
    }
}

/// The value under label `i` when the next block `j` starts another row:
/// `j` itself when either row holds one cell, else the cell at the label's
/// place in its own row when both rows hold as many cells (labels printed
/// side by side, their values on the line below); `Err` with the row's
/// number of cells when they differ.
fn value_below(bs: &[Flat], i: usize, j: usize) -> Result<usize, usize> {
    let row_of = |k: usize| -> Vec<usize> {
        (0..bs.len())
            .filter(|&m| bs[m].page == bs[k].page && bs[m].b.row == bs[k].b.row)
            .collect()
    };
    let (own, below) = (row_of(i), row_of(j));
    if own.len() < 2 || below.len() < 2 {
        return Ok(j);
    }
    let at = own.iter().position(|&m| m == i).unwrap_or(0);
    if own.len() == below.len() {
        Ok(below[at])
    } else {
        Err(below.len())
    }
}

/// Options, their lines joined per field (the text with its boxes).
fn place_options(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    for spec in t.fields.iter().filter(|s| s.shape == Shape::Option) {
        let idx: Vec<usize> = (0..n)
            .filter(|&i| matches!(&bs[i].b.kind, Kind::Options(k, _) if *k == spec.key))
            .collect();
        if idx.is_empty() {
            continue;
        }
        let text: String = idx
            .iter()
            .map(|&i| match &bs[i].b.kind {
                Kind::Options(_, s) => s.as_str(),
                _ => "",
            })
            .collect();
        for &i in &idx {
            claimed[i] = true;
        }
        let (line, end) = (
            bs[idx[0]].b.line,
            bs[*idx.last().expect("nonempty")].b.line_end,
        );
        // The boxes are read by the record builder, as on the PDF path.
        f.set(&spec.key, text, line, end);
    }
}

/// The project name: a line of text alone right after its label; else,
/// warned, the first such line after the unit line (else on the label's
/// page).
fn place_project_name(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    if let Some(spec) = t.fields.iter().find(|s| s.shape == Shape::Line)
        && !f.values.contains_key(&spec.key)
    {
        let unit = (0..n).find(|&i| matches!(bs[i].b.kind, Kind::Unit(_)));
        let label = (0..n).find(|&i| bs[i].b.kind == Kind::Label(spec.key.clone()));
        let lone_text =
            |i: usize| !claimed[i] && alone(bs, i) && matches!(bs[i].b.kind, Kind::Text(_));
        // Right after its label: its own.
        let after_label = label
            .map(|l| l + 1)
            .filter(|&j| j < n && same_page(bs, j - 1, j) && lone_text(j));
        let guess = unit
            .and_then(|u| {
                (u + 1..n)
                    .take_while(|&j| same_page(bs, u, j))
                    .find(|&j| lone_text(j))
            })
            .or_else(|| {
                label.and_then(|l| {
                    (0..n)
                        .filter(|&j| bs[j].page == bs[l].page)
                        .find(|&j| lone_text(j))
                })
            });
        let pick = after_label.or(guess);
        if let Some(j) = pick {
            f.set(
                &spec.key,
                value_text(&bs[j].b.kind),
                bs[j].b.line,
                bs[j].b.line_end,
            );
            claimed[j] = true;
            if after_label.is_none() {
                f.warn(
                    &spec.key,
                    WarningCode::InferredValue,
                    format!(
                        "line {}: the first line of text after the unit (or on the label's page), not beside its label",
                        bs[j].b.line
                    ),
                );
            }
        }
    }
}

/// Below this share of labels printed after the one before them in form
/// order, a dump's order is not the page's (a shuffled content stream):
/// measured on the dump corpus, dumps in reading or column order keep 0.83
/// or more, shuffled ones 0.39-0.56 (0.67-0.88 once glued lines are cut
/// at their labels, which keeps form order by construction).
pub const MIN_LABELS_IN_ORDER: f64 = 0.8;

/// The share of the form's labels (each field's first) printed after the
/// one printed before them in form order; `None` with fewer than three.
pub(super) fn labels_in_order(bs: &[Flat], t: &Template) -> Option<f64> {
    let mut seen = HashSet::new();
    let ranks: Vec<usize> = bs
        .iter()
        .filter_map(|x| match &x.b.kind {
            Kind::Label(k) if seen.insert(k.clone()) => t.fields.iter().position(|f| f.key == *k),
            _ => None,
        })
        .collect();
    (ranks.len() >= 3).then(|| {
        let up = ranks.windows(2).filter(|w| w[1] > w[0]).count();
        up as f64 / (ranks.len() - 1) as f64
    })
}

/// In a dump printed out of the page's order ([`MIN_LABELS_IN_ORDER`]),
/// what follows a label need not be its value: every one-value field
/// placed (options and the header lines excepted: they carry their own
/// words) is warned, unless it has a warning already.
fn warn_if_out_of_order(f: &mut TextFields, bs: &[Flat], t: &Template) {
    let Some(share) = labels_in_order(bs, t).filter(|s| *s < MIN_LABELS_IN_ORDER) else {
        return;
    };
    let keys: Vec<String> = t
        .fields
        .iter()
        .filter(|s| {
            matches!(
                s.shape,
                Shape::Line | Shape::Paragraphs | Shape::Money | Shape::Date
            )
        })
        .map(|s| s.key.clone())
        .filter(|k| f.values.contains_key(k) && !f.warnings.iter().any(|w| w.field == *k))
        .collect();
    for k in keys {
        f.warn(
            &k,
            WarningCode::InferredValue,
            format!(
                "the dump prints the form's labels out of order ({:.0}% in order): the text after a label may be another's",
                share * 100.0
            ),
        );
    }
}
