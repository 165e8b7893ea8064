//! Stage 3, amounts and dates: runs of labels and their values, the
//! funding table's rows, amounts printed alone ([`place_funding_rows`],
//! [`place_label_runs`], [`place_lone_amounts`]).

use std::collections::HashMap;

use super::candidates::*;
use super::*;

/// A run of labels printed one after another, then their values (dumps
/// that print a column of labels, then the column of values): the amounts
/// and dates printed right after the run go to the run's amount and date
/// fields in order, as both columns are printed top to bottom.
/// Only runs of two or more such fields with as many values; with fewer
/// values the one beside the last label is warned.
pub(super) fn place_label_runs(
    f: &mut TextFields,
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
) {
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
                WarningCode::AmbiguousAssignment,
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
pub(super) fn place_run(
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
pub(super) fn warn_values_an_empty_label_could_own(f: &mut TextFields, bs: &[Flat], t: &Template) {
    // Each field's first label, by position in the form's blocks.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, x) in bs.iter().enumerate() {
        if let Kind::Label(k) = &x.b.kind {
            first.entry(k.as_str()).or_insert(i);
        }
    }
    let label_at = |key: &str| first.get(key).copied();
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
            WarningCode::AmbiguousAssignment,
            format!(
                "line {line}: the value may be {e}'s, whose label was printed before and got none"
            ),
        );
    }
}

/// Funding rows: a name and an amount on one line; a lone name printed
/// right after the rows is a row whose amount was printed elsewhere.
pub(super) fn place_funding_rows(
    f: &mut TextFields,
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
) {
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
pub(super) fn zip_funding_columns(
    f: &mut TextFields,
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
) {
    let Some(key) = t
        .fields
        .iter()
        .find(|s| s.shape == Shape::FundingTable)
        .map(|s| s.key.clone())
    else {
        return;
    };
    let (names, amounts, others) = funding_stretch_cells(bs, claimed, t);
    if !others.is_empty() {
        // Text in the table that is no row's name: a piece of a name
        // wrapped round its amount, or of the label; a row may be cut.
        let texts: Vec<String> = others.iter().map(|&i| value_text(&bs[i].b.kind)).collect();
        f.warn(
            &key,
            WarningCode::UnassignedText,
            format!(
                "text in the funding table placed in no row (a row's name may be cut): {}",
                texts.join(", ")
            ),
        );
    }
    if names.is_empty() {
        return;
    }
    for &i in &names {
        claimed[i] = true;
    }
    if names.len() != amounts.len() {
        f.warn(
            &key,
            WarningCode::AmbiguousAssignment,
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
        // An amount on a line of its own right under its name, and text
        // right under the amount: a name wrapped round its amount (set in
        // the middle of the row) may go on there.
        if bs[a].b.line == bs[n].b.line_end + 1
            && let Some(next) = bs.get(a + 1)
            && next.b.line == bs[a].b.line_end + 1
            && matches!(next.b.kind, Kind::Text(_) | Kind::Paragraph(_))
        {
            f.warn(
                &key,
                WarningCode::AmbiguousAssignment,
                format!(
                    "line {}: the name {:?} may go on under its amount, on line {}",
                    bs[n].b.line,
                    value_text(&bs[n].b.kind),
                    next.b.line
                ),
            );
        }
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
/// [`zip_funding_columns`]), in dump order, and its other unclaimed texts
/// (printed beside another cell, or too long for a name).
pub(super) fn funding_stretch_cells(
    bs: &[Flat],
    claimed: &[bool],
    t: &Template,
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let in_table = |k: &Kind| match k {
        Kind::Header(c) => matches!(c, HeaderCol::FundingName | HeaderCol::FundingAmount),
        Kind::Label(key) => t.field(key).is_some_and(|s| s.shape == Shape::FundingTable),
        _ => false,
    };
    let (mut names, mut amounts, mut others) = (Vec::new(), Vec::new(), Vec::new());
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
        return (names, amounts, others);
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
            Kind::Text(_) => others.push(i),
            _ => {}
        }
    }
    (names, amounts, others)
}

/// Amounts printed alone, away from any label: the one that closes the
/// funding sum goes to the row without an amount; a money field whose
/// label has no value takes the single lone amount on its page (both with
/// a warning); the rest are reported unplaced.
pub(super) fn place_lone_amounts(
    f: &mut TextFields,
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
) {
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
                        WarningCode::InferredValue,
                        format!(
                            "amount of {name:?} printed away from it (line {}); placed because the rows then sum to current_year_budget",
                            bs[i].b.line
                        ),
                    );
                } else {
                    f.warn(
                        "funding_components",
                        WarningCode::MissingAmount,
                        "a funding row has no amount and no lone amount closes the sum",
                    );
                }
            }
            _ => f.warn(
                "funding_components",
                WarningCode::MissingAmount,
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
                WarningCode::InferredValue,
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
            WarningCode::UnassignedValue,
            format!(
                "line {}: amount {} placed in no field",
                bs[i].b.line,
                value_text(&bs[i].b.kind)
            ),
        );
    }
}
