//! Stage 3: a form's blocks to candidates: labelled values claimed by
//! their fields, indicator items left for stage 4
//! ([`form_to_candidates`]).

use super::*;
use crate::template::Vocabulary;

/// A value placed in a field, with the lines it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    pub value: String,
    pub line: usize,
    pub line_end: usize,
}

/// One funding row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingRow {
    pub name: Option<String>,
    pub amount: Option<String>,
    pub line: usize,
    pub line_end: usize,
}

/// One indicator row as placed.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub level3: Option<String>,
    pub target: Option<String>,
    pub line: usize,
    pub line_end: usize,
}

/// What the indicator table's unplaced pieces look like, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub enum IndItem {
    /// A header line (`一级指标 二级指标`); whether it holds the level-2 header.
    Header {
        level2: bool,
    },
    /// Level 3 and target on one line (either order).
    Row {
        l3: String,
        target: String,
        line: usize,
    },
    /// Two name cells on one line: a level 1 and level 2 one row tall.
    Pair {
        l1: String,
        l2: String,
        line: usize,
    },
    /// All cells of a row on one line.
    Full {
        l1: Option<String>,
        l2: Option<String>,
        l3: String,
        target: String,
        line: usize,
    },
    Text {
        text: String,
        line: usize,
    },
    Target {
        text: String,
        line: usize,
    },
    /// A field label printed among the table's cells (`备注`, `分解目标`):
    /// it ends a run of names.
    Label,
    /// Text no label claimed, on a page with no sign of the table.
    Stray {
        text: String,
        line: usize,
    },
}

/// Everything placed in one form, plus what is left for the indicators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextFields {
    pub pages: Vec<usize>,
    pub values: BTreeMap<String, Assigned>,
    pub funding: Vec<FundingRow>,
    pub indicators: Vec<IndicatorRow>,
    pub items: Vec<IndItem>,
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
    pub(super) fn warn(&mut self, field: &str, code: &str, msg: impl Into<String>) {
        self.warnings.push(Warning::new(field, code, msg));
    }
}

pub(super) struct Flat<'a> {
    page: usize,
    b: &'a Block,
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

    // What is left and table-shaped goes to the indicator table.
    f.items = indicator_items(&bs, &claimed);
    f
}

/// Whether blocks `i` and `j` (if there is one) are on one page.
fn same_page(bs: &[Flat], i: usize, j: usize) -> bool {
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
            // `申报单位名称：` with the name on the next line.
            Kind::Unit(_) => match bs.get(i + 1).map(|x| &x.b.kind) {
                Some(Kind::Text(u)) if alone(bs, i + 1) && bs[i + 1].page == x.page => {
                    claimed[i + 1] = true;
                    ("unit", u.clone())
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

/// A run of labels printed one after another, then their values (dumps
/// that print a column of labels, then the column of values): the amounts
/// and dates printed right after the run go to the run's amount and date
/// fields in order, as both columns are printed top to bottom.
/// Only runs of two or more such fields with as many values; with fewer
/// values the one beside the last label is warned.
fn place_label_runs(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let shape_of = |i: usize| match &bs[i].b.kind {
        Kind::Label(k) => t.field(k).map(|s| s.shape),
        _ => None,
    };
    let mut i = 0;
    while i < bs.len() {
        if !matches!(bs[i].b.kind, Kind::Label(_)) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bs.len() && same_page(bs, i, j) && matches!(bs[j].b.kind, Kind::Label(_)) {
            j += 1;
        }
        let fields: Vec<usize> = (i..j)
            .filter(|&k| matches!(shape_of(k), Some(Shape::Money | Shape::Date)))
            .collect();
        let mut values = Vec::new();
        let mut end = j;
        while end < bs.len()
            && same_page(bs, i, end)
            && !claimed[end]
            && matches!(bs[end].b.kind, Kind::Money(_) | Kind::Date(_))
        {
            values.push(end);
            end += 1;
        }
        if fields.len() >= 2 && values.len() == fields.len() {
            place_run(f, bs, claimed, t, &fields, &values);
        } else if fields.len() >= 2
            && !values.is_empty()
            && let Kind::Label(key) = &bs[fields[fields.len() - 1]].b.kind
        {
            // Fewer values than fields: the value beside the last label may
            // be its own (rows printed in order) or an earlier label's
            // (columns), and nothing tells which.
            f.warn(
                key,
                "ambiguous_assignment",
                format!(
                    "line {}: {} values after a run of {} labels; the value beside this label may be an earlier one's",
                    bs[values[0]].b.line,
                    values.len(),
                    fields.len()
                ),
            );
        }
        i = j;
    }
}

/// Pairs a run's fields with the values after it, in order, while shapes
/// fit (see [`place_label_runs`]).
fn place_run(
    f: &mut TextFields,
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
    fields: &[usize],
    values: &[usize],
) {
    for (&l, &v) in fields.iter().zip(values) {
        let Kind::Label(key) = &bs[l].b.kind else {
            continue;
        };
        let Some(spec) = t.field(key) else { continue };
        if !shape_fits(spec.shape, &bs[v].b.kind) || f.values.contains_key(key) {
            break;
        }
        let b = bs[v].b;
        f.set(key, value_text(&b.kind), b.line, b.line_end);
        f.by_run.push(key.clone());
        claimed[v] = true;
    }
}

/// An amount or date placed in field L while a field E of the same shape
/// labelled on the same page got none: unless L's value shares a line with
/// L's label and E's label comes after both, the value may be E's (labels
/// printed as a column, values after, in any order), so L is warned.
fn warn_values_an_empty_label_could_own(f: &mut TextFields, bs: &[Flat], t: &Template) {
    let label_at = |key: &str| {
        bs.iter()
            .position(|x| matches!(&x.b.kind, Kind::Label(k) if k == key))
    };
    let mut warned = Vec::new();
    for spec in t
        .fields
        .iter()
        .filter(|s| matches!(s.shape, Shape::Money | Shape::Date))
    {
        let (Some(a), Some(l)) = (f.values.get(&spec.key), label_at(&spec.key)) else {
            continue;
        };
        let empty_before = t.fields.iter().find(|e| {
            e.shape == spec.shape
                && e.key != spec.key
                && !f.values.contains_key(&e.key)
                && label_at(&e.key).is_some_and(|el| {
                    let by_run = f.by_run.contains(&spec.key);
                    let on_label_line = a.line == bs[l].b.line_end;
                    bs[el].page == bs[l].page
                        && (by_run || !on_label_line || (el < l && bs[el].b.line < a.line))
                })
        });
        if let Some(e) = empty_before {
            warned.push((spec.key.clone(), e.key.clone(), a.line));
        }
    }
    for (k, e, line) in warned {
        f.warn(
            &k,
            "ambiguous_assignment",
            format!(
                "line {line}: the value may be {e}'s, whose label was printed before and got none"
            ),
        );
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
            let j = i + 1;
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

/// Options, joined per field over their lines.
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
        let (ticked, unknown) = ticked_option(&text, &spec.options, t);
        for u in unknown {
            f.warn(
                &spec.key,
                "unknown_option",
                format!("ticked text {u:?} is no known option"),
            );
        }
        match ticked.as_slice() {
            [one] => f.set(&spec.key, one.clone(), line, end),
            [] => f.warn(&spec.key, "no_option_ticked", "no option is ticked"),
            many => f.warn(
                &spec.key,
                "several_options_ticked",
                format!("ticked: {}", many.join(", ")),
            ),
        }
    }
}

/// Funding rows: a name and an amount on one line; a lone name printed
/// right after the rows is a row whose amount was printed elsewhere.
fn place_funding_rows(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    let mut i = 0;
    while i + 1 < n {
        if !claimed[i]
            && !claimed[i + 1]
            && same_page(bs, i, i + 1)
            && bs[i].b.row == bs[i + 1].b.row
            && let (Kind::Text(name), Kind::Money(m)) = (&bs[i].b.kind, &bs[i + 1].b.kind)
        {
            f.funding.push(FundingRow {
                name: Some(name.clone()),
                amount: Some(m.clone()),
                line: bs[i].b.line,
                line_end: bs[i + 1].b.line_end,
            });
            claimed[i] = true;
            claimed[i + 1] = true;
            let j = i + 2;
            if j < n
                && !claimed[j]
                && same_page(bs, i, j)
                && alone(bs, j)
                && let Kind::Text(name) = &bs[j].b.kind
            {
                f.funding.push(FundingRow {
                    name: Some(name.clone()),
                    amount: None,
                    line: bs[j].b.line,
                    line_end: bs[j].b.line_end,
                });
                claimed[j] = true;
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    zip_funding_columns(f, bs, claimed, t);
}

/// Funding rows printed one cell per line, or a column of names then a
/// column of amounts: the names and amounts left in the funding table's
/// stretch of the dump (from its label or column header to the next label
/// of a field that holds neither an amount nor the table) are paired in
/// order, the k-th name with the k-th amount, as both columns are printed
/// top to bottom. A name is a lone text, or a short text wrapped over lines
/// (no sentence end). When the counts differ
/// no pairing is safe: the names are kept out of the indicator table, the
/// amounts left for the money fields, and the field is warned.
fn zip_funding_columns(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let Some(key) = t
        .fields
        .iter()
        .find(|s| s.shape == Shape::FundingTable)
        .map(|s| s.key.clone())
    else {
        return;
    };
    let (names, amounts) = funding_stretch_cells(bs, claimed, t);
    if names.is_empty() {
        return;
    }
    for &i in &names {
        claimed[i] = true;
    }
    if names.len() != amounts.len() {
        f.warn(
            &key,
            "ambiguous_assignment",
            format!(
                "{} row names and {} amounts printed apart: rows not paired",
                names.len(),
                amounts.len()
            ),
        );
        return;
    }
    for (&n, &a) in names.iter().zip(&amounts) {
        claimed[a] = true;
        f.funding.push(FundingRow {
            name: Some(value_text(&bs[n].b.kind)),
            amount: Some(value_text(&bs[a].b.kind)),
            line: bs[n].b.line.min(bs[a].b.line),
            line_end: bs[n].b.line_end.max(bs[a].b.line_end),
        });
    }
    f.funding.sort_by_key(|r| r.line);
}

/// Longest funding row name printed as wrapped text.
const WRAPPED_NAME_MAX_CHARS: usize = 60;

/// The unclaimed names and amounts of the funding table's stretch (see
/// [`zip_funding_columns`]), in dump order.
fn funding_stretch_cells(bs: &[Flat], claimed: &[bool], t: &Template) -> (Vec<usize>, Vec<usize>) {
    let in_table = |k: &Kind| match k {
        Kind::Header(c) => matches!(c, HeaderCol::FundingName | HeaderCol::FundingAmount),
        Kind::Label(key) => t.field(key).is_some_and(|s| s.shape == Shape::FundingTable),
        _ => false,
    };
    let (mut names, mut amounts) = (Vec::new(), Vec::new());
    // The column headers open the table; its label may be printed with
    // the other labels, far from the rows.
    let header = |k: &Kind| {
        matches!(
            k,
            Kind::Header(HeaderCol::FundingName | HeaderCol::FundingAmount)
        )
    };
    let Some(start) = bs
        .iter()
        .position(|x| header(&x.b.kind))
        .or_else(|| bs.iter().position(|x| in_table(&x.b.kind)))
    else {
        return (names, amounts);
    };
    for (i, x) in bs.iter().enumerate().skip(start + 1) {
        match &x.b.kind {
            Kind::Label(k)
                if t.field(k)
                    .is_some_and(|s| !matches!(s.shape, Shape::Money | Shape::FundingTable)) =>
            {
                break;
            }
            _ if claimed[i] => {}
            Kind::Text(_) if alone(bs, i) => names.push(i),
            Kind::Paragraph(p)
                if p.chars().count() <= WRAPPED_NAME_MAX_CHARS && !p.contains(['。', '；']) =>
            {
                names.push(i)
            }
            Kind::Money(_) => amounts.push(i),
            _ => {}
        }
    }
    (names, amounts)
}

/// Amounts printed alone, away from any label: the one that closes the
/// funding sum goes to the row without an amount; a money field whose
/// label has no value takes the single lone amount on its page (both with
/// a warning); the rest are reported unplaced.
fn place_lone_amounts(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    let mut lone_money: Vec<usize> = (0..n)
        .filter(|&i| !claimed[i] && alone(bs, i) && matches!(bs[i].b.kind, Kind::Money(_)))
        .collect();
    let nameless: Vec<usize> = (0..f.funding.len())
        .filter(|&r| f.funding[r].amount.is_none())
        .collect();
    if !nameless.is_empty() {
        let cur = f
            .values
            .get("current_year_budget")
            .and_then(|a| parse_money(&a.value).ok());
        let known: i64 = f
            .funding
            .iter()
            .filter_map(|r| r.amount.as_deref().and_then(|a| parse_money(a).ok()))
            .map(|m| m.fen())
            .sum();
        let money = |i: usize| parse_money(&value_text(&bs[i].b.kind)).ok();
        match (cur, nameless.as_slice()) {
            (Some(cur), [r]) => {
                let gap = cur.fen() - known;
                let fits: Vec<usize> = lone_money
                    .iter()
                    .copied()
                    .filter(|&i| money(i).is_some_and(|m| m.fen() == gap))
                    .collect();
                if let Some(&i) = fits.first() {
                    let row = &mut f.funding[*r];
                    row.amount = Some(value_text(&bs[i].b.kind));
                    row.line = row.line.min(bs[i].b.line);
                    row.line_end = row.line_end.max(bs[i].b.line_end);
                    claimed[i] = true;
                    lone_money.retain(|&x| x != i);
                    let name = row.name.clone().unwrap_or_default();
                    f.warn(
                        "funding_components",
                        "inferred_value",
                        format!(
                            "amount of {name:?} printed away from it (line {}); placed because the rows then sum to current_year_budget",
                            bs[i].b.line
                        ),
                    );
                } else {
                    f.warn(
                        "funding_components",
                        "missing_amount",
                        "a funding row has no amount and no lone amount closes the sum",
                    );
                }
            }
            _ => f.warn(
                "funding_components",
                "missing_amount",
                format!("{} funding rows have no amount", nameless.len()),
            ),
        }
    }
    // Money fields whose label has no value: a single lone amount on the
    // label's page is taken, with a warning; more are left unplaced.
    for spec in t.fields.iter().filter(|s| s.shape == Shape::Money) {
        if f.values.contains_key(&spec.key) {
            continue;
        }
        let Some(li) = (0..n).find(|&i| bs[i].b.kind == Kind::Label(spec.key.clone())) else {
            continue;
        };
        let page = bs[li].page;
        let open: Vec<&str> = t
            .fields
            .iter()
            .filter(|s| s.shape == Shape::Money && !f.values.contains_key(&s.key))
            .filter(|s| {
                (0..n).any(|i| bs[i].page == page && bs[i].b.kind == Kind::Label(s.key.clone()))
            })
            .map(|s| s.key.as_str())
            .collect();
        let here: Vec<usize> = lone_money
            .iter()
            .copied()
            .filter(|&i| bs[i].page == page)
            .collect();
        if let ([only], [i]) = (open.as_slice(), here.as_slice()) {
            let b = bs[*i].b;
            f.set(only, value_text(&b.kind), b.line, b.line_end);
            claimed[*i] = true;
            lone_money.retain(|x| x != i);
            f.warn(
                only,
                "inferred_value",
                format!(
                    "the only amount printed alone on its page (line {})",
                    b.line
                ),
            );
        }
    }
    for i in lone_money {
        f.warn(
            "",
            "unassigned_value",
            format!(
                "line {}: amount {} placed in no field",
                bs[i].b.line,
                value_text(&bs[i].b.kind)
            ),
        );
    }
}

/// The project name: a line of text alone, right after the unit line
/// (else the first such line on the label's page).
fn place_project_name(f: &mut TextFields, bs: &[Flat], claimed: &mut [bool], t: &Template) {
    let n = bs.len();
    if let Some(spec) = t.fields.iter().find(|s| s.shape == Shape::Line)
        && !f.values.contains_key(&spec.key)
    {
        let unit = (0..n).find(|&i| matches!(bs[i].b.kind, Kind::Unit(_)));
        let label = (0..n).find(|&i| bs[i].b.kind == Kind::Label(spec.key.clone()));
        let lone_text =
            |i: usize| !claimed[i] && alone(bs, i) && matches!(bs[i].b.kind, Kind::Text(_));
        let pick = unit
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
        if let Some(j) = pick {
            f.set(
                &spec.key,
                value_text(&bs[j].b.kind),
                bs[j].b.line,
                bs[j].b.line_end,
            );
            claimed[j] = true;
        }
    }
}

/// Free texts, page by page: a paragraph printed right after its label is
/// that label's; the other paragraphs go to the page's other text labels in
/// form order, reading the page from its title line on and then what was
/// printed before it (a page's lower rows can come out above the title).
pub(super) fn place_paragraphs(
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
    f: &mut TextFields,
) {
    let n = bs.len();
    let is_text_field = |k: &str| t.field(k).is_some_and(|s| s.shape == Shape::Paragraphs);
    let pages: Vec<usize> = f.pages.clone();
    for page in pages {
        let idx: Vec<usize> = (0..n).filter(|&i| bs[i].page == page).collect();
        let mut labels: Vec<(usize, String)> = Vec::new();
        for &i in &idx {
            if let Kind::Label(k) = &bs[i].b.kind
                && is_text_field(k)
                && !f.values.contains_key(k)
                && !labels.iter().any(|(_, x)| x == k)
            {
                labels.push((i, k.clone()));
            }
        }
        continue_cut_text(bs, claimed, page, t, f);
        // Adjacent paragraphs, unless the label ends a run of free-text
        // labels still without text (a column of labels: the text after
        // it may be the first label's).
        let pending: Vec<usize> = labels.iter().map(|(i, _)| *i).collect();
        labels.retain(|(i, k)| {
            let j = i + 1;
            let ends_run = *i > 0 && pending.contains(&(i - 1));
            if j < n
                && !ends_run
                && bs[j].page == page
                && !claimed[j]
                && let Kind::Paragraph(p) = &bs[j].b.kind
            {
                f.set(k, p.clone(), bs[j].b.line, bs[j].b.line_end);
                claimed[j] = true;
                return false;
            }
            true
        });
        let title = idx.iter().copied().find(|&i| bs[i].b.kind == Kind::Title);
        let mut paras: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !claimed[i] && matches!(bs[i].b.kind, Kind::Paragraph(_)))
            .collect();
        if let Some(ti) = title {
            paras.sort_by_key(|&i| (i < ti, i));
        }
        let order = |k: &str| {
            t.fields
                .iter()
                .position(|s| s.key == k)
                .unwrap_or(usize::MAX)
        };
        labels.sort_by_key(|(_, k)| order(k));
        // More labels than texts: optional fields are left empty first.
        while labels.len() > paras.len() {
            match labels
                .iter()
                .rposition(|(_, k)| t.field(k).is_some_and(|s| !s.required))
            {
                Some(p) => {
                    labels.remove(p);
                }
                None => break,
            }
        }
        if labels.len() != paras.len() && !labels.is_empty() && !paras.is_empty() {
            let names: Vec<&str> = labels.iter().map(|(_, k)| k.as_str()).collect();
            f.warn(
                names[0],
                "ambiguous_assignment",
                format!(
                    "page {page}: {} texts for labels {}; placed in form order",
                    paras.len(),
                    names.join(", ")
                ),
            );
        }
        // Placed by form order, not beside their labels: a guess unless it
        // is the page's one label and one text.
        let guessed = labels.len().min(paras.len()) > 1;
        for ((li, k), &p) in labels.iter().zip(&paras) {
            let b = bs[p].b;
            f.set(k, value_text(&b.kind), b.line, b.line_end);
            claimed[p] = true;
            if guessed {
                f.warn(
                    k,
                    "inferred_value",
                    format!(
                        "text on line {} placed by form order, not beside its label (line {})",
                        b.line, bs[*li].b.line
                    ),
                );
            }
        }
        for &p in paras.iter().skip(labels.len()) {
            let text: String = value_text(&bs[p].b.kind).chars().take(30).collect();
            f.warn(
                "",
                "unassigned_text",
                format!("line {}: text placed in no field: {text:?}", bs[p].b.line),
            );
            claimed[p] = true;
        }
    }
}

/// A cell cut by a page break: when a page opens with running text (no
/// label before it) and the previous page closed with the text of a field
/// placed beside its label, the opening text is that field's continuation,
/// as the page cut joins of the PDF path.
fn continue_cut_text(
    bs: &[Flat],
    claimed: &mut [bool],
    page: usize,
    t: &Template,
    f: &mut TextFields,
) {
    let is_text_field = |k: &str| t.field(k).is_some_and(|s| s.shape == Shape::Paragraphs);
    let Some(first) = bs.iter().position(|x| x.page == page) else {
        return;
    };
    if first == 0 || claimed[first] || !matches!(bs[first].b.kind, Kind::Paragraph(_)) {
        return;
    }
    let prev = bs[first - 1].b;
    let text = value_text(&bs[first].b.kind);
    if !matches!(prev.kind, Kind::Paragraph(_)) || holds_labels(&text, t.vocab()) {
        return;
    }
    let Some(a) = f
        .values
        .iter_mut()
        .find(|(k, a)| a.line_end == prev.line_end && is_text_field(k))
        .map(|(_, a)| a)
    else {
        return;
    };
    a.value.push('\n');
    a.value.push_str(&text);
    a.line_end = bs[first].b.line_end;
    claimed[first] = true;
}

/// Labels at least this long found inside running text mean the text is
/// a run of cells glued together, not one cell's text.
const GLUED_LABEL_MIN_CHARS: usize = 4;

/// Whether running text holds a field label of
/// [`GLUED_LABEL_MIN_CHARS`] or more characters.
fn holds_labels(text: &str, v: &Vocabulary) -> bool {
    let key = label_key(text);
    v.exact.iter().any(|(l, term)| {
        matches!(term, crate::template::Term::Label(_))
            && l.chars().count() >= GLUED_LABEL_MIN_CHARS
            && key.contains(l.as_str())
    })
}

/// A numbered item at the start of a text: its number.
static ITEM_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([0-9]{1,2})[、.．]").expect("valid"));

/// A numbered list cut by its label: a label printed level with its
/// text's middle line (vertically centred in a tall cell) leaves the
/// text's first items in the field printed before it. When a free text
/// starts at item k > 1 and the text printed right before it holds item
/// k-1 with no later item, the part from item k-1 on moves back to it;
/// both fields are warned, as the move is inferred.
fn mend_split_lists(f: &mut TextFields, t: &Template) {
    let texts: Vec<String> = t
        .fields
        .iter()
        .filter(|s| s.shape == Shape::Paragraphs)
        .map(|s| s.key.clone())
        .filter(|k| f.values.contains_key(k))
        .collect();
    for b in &texts {
        let (b_line, b_start) = {
            let v = &f.values[b];
            let Some(k) = ITEM_START
                .captures(&v.value)
                .and_then(|c| c[1].parse::<usize>().ok())
            else {
                continue;
            };
            (v.line, k)
        };
        if b_start < 2 {
            continue;
        }
        let Some(a) = texts
            .iter()
            .find(|a| *a != b && f.values[*a].line_end + 1 == b_line)
            .cloned()
        else {
            continue;
        };
        let prev = format!("{}、", b_start - 1);
        let a_text = &f.values[&a].value;
        let Some(at) = a_text.rfind(&prev) else {
            continue;
        };
        let tail = &a_text[at..];
        if tail.contains(&format!("{b_start}、")) || at == 0 {
            continue;
        }
        let tail = tail.to_string();
        let head = a_text[..at].trim_end().to_string();
        f.values.get_mut(&a).expect("present").value = head;
        let bv = f.values.get_mut(b).expect("present");
        bv.value = format!("{tail}\n{}", bv.value);
        for k in [&a, b] {
            f.warn(
                k,
                "inferred_value",
                format!(
                    "item {} moved from {a} to {b}: the list was cut by {b}'s label",
                    b_start - 1
                ),
            );
        }
    }
}

pub(super) fn indicator_items(bs: &[Flat], claimed: &[bool]) -> Vec<IndItem> {
    // Pages with some sign of the table.
    let table_pages: HashSet<usize> = bs
        .iter()
        .enumerate()
        .filter(|(i, x)| {
            !claimed[*i] && matches!(x.b.kind, Kind::Target(_)) || is_indicator_header(&x.b.kind)
        })
        .map(|(_, x)| x.page)
        .collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bs.len() {
        let (page, row) = (bs[i].page, bs[i].b.row);
        let mut j = i;
        while j < bs.len() && bs[j].page == page && bs[j].b.row == row {
            j += 1;
        }
        let cells: Vec<&Block> = (i..j)
            .filter(|&k| !claimed[k] || matches!(bs[k].b.kind, Kind::Header(_)))
            .map(|k| bs[k].b)
            .collect();
        let line = bs[i].b.line;
        let has_label = (i..j).any(|k| matches!(bs[k].b.kind, Kind::Label(_)));
        i = j;
        if !table_pages.contains(&page) {
            // Cells no label claimed, on a page with no sign of the
            // indicator table: rows of it, or lost values; said, not dropped.
            for c in cells.iter().filter(|c| matches!(c.kind, Kind::Text(_))) {
                items.push(IndItem::Stray {
                    text: value_text(&c.kind),
                    line: c.line,
                });
            }
            continue;
        }
        if has_label {
            items.push(IndItem::Label);
        }
        if cells.is_empty() {
            continue;
        }
        if cells.iter().any(|c| matches!(c.kind, Kind::Header(_))) {
            let level2 = cells
                .iter()
                .any(|c| c.kind == Kind::Header(HeaderCol::Level2));
            if cells.iter().any(|c| is_indicator_header(&c.kind)) {
                items.push(IndItem::Header { level2 });
            }
            continue;
        }
        row_items(&cells, line, &mut items);
    }
    items
}

/// The items of one printed row of table cells: a name, a target, a row
/// (level 3 and target), a pair of level 1 and 2, a full row, or its
/// pieces one by one.
fn row_items(cells: &[&Block], line: usize, items: &mut Vec<IndItem>) {
    let texts: Vec<String> = cells
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let targets: Vec<String> = cells
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Target(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    match (texts.as_slice(), targets.as_slice()) {
        ([], []) => {}
        ([a], []) => items.push(IndItem::Text {
            text: a.clone(),
            line,
        }),
        ([], [g]) => items.push(IndItem::Target {
            text: g.clone(),
            line,
        }),
        ([a], [g]) => items.push(IndItem::Row {
            l3: a.clone(),
            target: g.clone(),
            line,
        }),
        ([a, b], []) => items.push(IndItem::Pair {
            l1: a.clone(),
            l2: b.clone(),
            line,
        }),
        ([a, b], [g]) => items.push(IndItem::Full {
            l1: None,
            l2: Some(a.clone()),
            l3: b.clone(),
            target: g.clone(),
            line,
        }),
        // More texts than cells: which cell the extra one belongs to is
        // for the next stage to say (it is left as separate texts).
        (ts, [g]) if ts.len() == 3 => items.push(IndItem::Full {
            l1: Some(ts[0].clone()),
            l2: Some(ts[1].clone()),
            l3: ts[2].clone(),
            target: g.clone(),
            line,
        }),
        (ts, gs) => {
            for x in ts {
                items.push(IndItem::Text {
                    text: x.clone(),
                    line,
                });
            }
            for g in gs {
                items.push(IndItem::Target {
                    text: g.clone(),
                    line,
                });
            }
        }
    }
}

/// A column header of the indicator table.
fn is_indicator_header(k: &Kind) -> bool {
    matches!(
        k,
        Kind::Header(HeaderCol::Level1 | HeaderCol::Level2 | HeaderCol::Level3 | HeaderCol::Target)
    )
}
