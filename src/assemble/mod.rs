//! From the cells each field was read from ([`FormFields`]) to the
//! normalized [`Record`], with warnings and provenance.

use std::collections::BTreeMap;

use crate::geom::BBox;
use crate::layout::CellRef;
use crate::normalize::{self, DateParse};
use crate::place::map::{FieldHit, FieldValue, FormFields};
use crate::record::{FundingComponent, Indicator, Location, Money, Record, Source, Value, Warning};
use crate::settings::ConfidenceSettings;
use crate::template::{CheckRule, FieldSpec, HEADER_FIELDS, Shape, Template};
use crate::text::strip_whitespace;
use crate::warning::WarningCode;

mod scanned;
mod text;
pub use scanned::{annotate_scanned, mean_confidence, min_confidence};
pub use text::text_fields_to_record;

/// Text of cells joined as free text: wrapped lines joined, paragraphs kept.
/// A cell's first line starts a paragraph, except in a cell continued from
/// the previous page, where only an indented first line does.
pub fn cells_paragraphs(cells: &[CellRef]) -> String {
    let mut lines = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        for (k, l) in c.lines.iter().enumerate() {
            let starts = l.starts_paragraph || (k == 0 && i == 0);
            lines.push(normalize::TextLine::new(&l.text, starts));
        }
    }
    normalize::join_paragraphs(&lines)
}

/// Text of cells joined as one line (wrapped lines joined, no paragraphs).
pub fn cells_line(cells: &[CellRef]) -> String {
    let lines: Vec<normalize::TextLine> = cells
        .iter()
        .flat_map(|c| c.lines.iter())
        .enumerate()
        .map(|(i, l)| normalize::TextLine::new(&l.text, i == 0))
        .collect();
    normalize::join_paragraphs(&lines)
}

fn loc(cells: &[&CellRef]) -> Option<Location> {
    let first = cells.first()?;
    let same_page: Vec<&BBox> = cells
        .iter()
        .filter(|c| c.page == first.page)
        .map(|c| &c.bbox)
        .collect();
    Some(Location::Pdf {
        page: first.page,
        bbox: BBox::union_all(same_page)?.rounded(),
    })
}

/// The ticked option of an options cell. Options are found by the
/// template's vocabulary (white space ignored); the box glyph right after
/// an option says whether it is ticked; an option with no box is unticked.
/// A ticked box after text that is no known option yields that text, with
/// a warning.
pub fn ticked_option(
    text: &str,
    options: &[String],
    template: &Template,
) -> (Vec<String>, Vec<String>) {
    let chars: Vec<char> = strip_whitespace(text).chars().collect();
    let mut ticked = Vec::new();
    let mut unknown = Vec::new();
    let mut boundary = 0;
    // Each option without white space, computed once.
    let bare: Vec<String> = options.iter().map(|o| strip_whitespace(o)).collect();
    for (p, &c) in chars.iter().enumerate() {
        let Some(is_ticked) = template.checkbox(c) else {
            continue;
        };
        let before: String = chars[boundary..p].iter().collect();
        let known = options
            .iter()
            .zip(&bare)
            .filter(|(_, b)| before.ends_with(b.as_str()))
            .map(|(o, _)| o)
            .max_by_key(|o| o.chars().count());
        if is_ticked {
            match known {
                Some(o) => ticked.push(o.clone()),
                None if !before.is_empty() => {
                    ticked.push(before.clone());
                    unknown.push(before);
                }
                None => {}
            }
        }
        boundary = p + 1;
    }
    (ticked, unknown)
}

struct Builder {
    warnings: Vec<Warning>,
    provenance: BTreeMap<String, Location>,
    /// Money field to the unit its amount was printed in.
    units: BTreeMap<String, String>,
}

impl Builder {
    fn warn(&mut self, field: &str, code: WarningCode, msg: impl Into<String>) {
        self.warnings.push(Warning::new(field, code, msg));
    }

    /// One warning on each of the fields a failed cross-check ties
    /// together: it shows one of them is wrong, not which.
    fn warn_each(&mut self, fields: &[&str], code: WarningCode, msg: &str) {
        for f in fields {
            self.warn(f, code, msg);
        }
    }

    /// `page_cut` on `field` when one of its cells meets a page cut its
    /// text may run across unjoined ([`CellRef::cut_doubt`]).
    fn warn_cut_doubt(&mut self, field: &str, cells: &[&CellRef]) {
        if let Some(c) = cells.iter().find(|c| c.cut_doubt) {
            self.warn(
                field,
                WarningCode::PageCut,
                format!(
                    "page {}: the text may go on across the page break, read as a separate part",
                    c.page
                ),
            );
        }
    }

    fn hit_text(&mut self, hit: &FieldHit, shape: Shape) -> Option<String> {
        let (text, cells): (String, Vec<&CellRef>) = match &hit.value {
            FieldValue::Cells { cells } => (
                match shape {
                    Shape::Paragraphs => cells_paragraphs(cells),
                    Shape::Option => cells
                        .iter()
                        .map(|c| c.text())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    _ => cells_line(cells),
                },
                cells.iter().collect(),
            ),
            FieldValue::Inline { text, cell } => (text.clone(), vec![cell]),
            _ => return None,
        };
        if let Some(l) = loc(&cells) {
            self.provenance.insert(hit.key.clone(), l);
        }
        self.warn_cut_doubt(&hit.key, &cells);
        let t = text.trim().to_string();
        if t.is_empty() { None } else { Some(t) }
    }

    fn money(&mut self, field: &str, text: Option<String>) -> Option<Money> {
        let text = text?;
        match normalize::parse_money_opt(&text) {
            Ok(m) => m,
            Err(e) => {
                self.warn(field, WarningCode::UnparsedAmount, format!("{text:?}: {e}"));
                None
            }
        }
    }

    /// A money field's amount in the unit it was printed in (the cell's,
    /// the label's, the block caption's, else the template's:
    /// [`printed_unit`]), in yuan; the unit kept for `units`.
    fn money_in(
        &mut self,
        spec: &FieldSpec,
        printed: [Option<&str>; 2],
        text: Option<String>,
        t: &Template,
    ) -> Option<Money> {
        let text = text?;
        if t.money.units.is_empty() {
            return self.money(&spec.key, Some(text));
        }
        let (unit, exponent, number) = printed_unit(&text, printed, spec, t);
        match normalize::parse_money_scaled(&number, exponent) {
            Ok(m) => {
                self.units.insert(spec.key.clone(), unit);
                Some(m)
            }
            Err(e) if e.is_empty() => None,
            Err(e) => {
                let msg = match exponent {
                    0 => format!("{text:?}: {e}"),
                    _ => format!("{text:?} (in {unit}): {e}"),
                };
                self.warn(&spec.key, WarningCode::UnparsedAmount, msg);
                None
            }
        }
    }

    /// A partial date (`YYYY-MM` or `YYYY-MM-DD`, as printed).
    fn partial_date(&mut self, field: &str, text: Option<String>) -> Option<String> {
        let text = text?;
        match normalize::parse_partial_date(&text) {
            Ok(d) => Some(d),
            Err(reason) => {
                self.warn(field, WarningCode::UnparsedDate, reason);
                None
            }
        }
    }

    /// A range of two partial dates, as `start/end`; a start after the end
    /// is kept, with a warning.
    fn date_range(&mut self, field: &str, text: Option<String>) -> Option<String> {
        let text = text?;
        match normalize::parse_date_range(&text) {
            Ok((range, after)) => {
                if after {
                    self.warn(
                        field,
                        WarningCode::DateOrder,
                        format!("{text:?}: the start is after the end"),
                    );
                }
                Some(range)
            }
            Err(reason) => {
                self.warn(field, WarningCode::UnparsedDate, reason);
                None
            }
        }
    }

    fn date(&mut self, field: &str, text: Option<String>) -> Option<String> {
        let text = text?;
        match normalize::parse_date(&text) {
            DateParse::Ok(d) => Some(d),
            DateParse::Repaired { date, note } => {
                self.warn(
                    field,
                    WarningCode::DateRepaired,
                    format!("{text:?} read as {date}: {note}"),
                );
                Some(date)
            }
            DateParse::Invalid(reason) => {
                self.warn(
                    field,
                    WarningCode::UnparsedDate,
                    format!("{text:?}: {reason}"),
                );
                None
            }
        }
    }

    /// The one ticked option of an option field's text; none (with a
    /// warning) when none or several are ticked.
    fn option(&mut self, spec: &FieldSpec, text: &str, template: &Template) -> Option<String> {
        let key = spec.key.as_str();
        let (ticked, unknown) = ticked_option(text, &spec.options, template);
        for u in &unknown {
            self.warn(
                key,
                WarningCode::UnknownOption,
                format!("ticked option {u:?} is not in the template"),
            );
        }
        match ticked.len() {
            0 => {
                self.warn(key, WarningCode::NoOptionTicked, "no option is ticked");
                None
            }
            1 => ticked.into_iter().next(),
            _ => {
                self.warn(
                    key,
                    WarningCode::SeveralOptionsTicked,
                    format!("ticked: {}", ticked.join(", ")),
                );
                None
            }
        }
    }
}

fn cell_text_line(c: &Option<CellRef>) -> Option<String> {
    let c = c.as_ref()?;
    let t = cells_line(std::slice::from_ref(c)).trim().to_string();
    if t.is_empty() { None } else { Some(t) }
}

/// The record builder: the record of one form from its placed fields,
/// then, on a form holding pages read by OCR, what OCR adds
/// ([`annotate_scanned`]) and the repair stage's warnings
/// ([`FormFields::repairs`]).
pub fn fields_to_record(
    f: &FormFields,
    template: &Template,
    source: Source,
    confidence: &ConfidenceSettings,
) -> Record {
    let mut r = read_fields(f, template, source);
    if !f.ocr.is_empty() {
        annotate_scanned(&mut r, &f.ocr, template, confidence);
    }
    r.warnings.extend(f.repairs.iter().cloned());
    r
}

/// The record of a form's placed fields, before what OCR adds.
fn read_fields(f: &FormFields, template: &Template, source: Source) -> Record {
    let mut b = Builder {
        warnings: Vec::new(),
        provenance: BTreeMap::new(),
        units: BTreeMap::new(),
    };
    let mut r = Record::empty(template, source);
    read_header(f, &mut r, &mut b);
    for spec in &template.fields {
        let hits: Vec<&FieldHit> = f.hits.iter().filter(|h| h.key == spec.key).collect();
        let Some(hit) = hits.first().copied() else {
            if spec.required {
                b.warn(
                    &spec.key,
                    WarningCode::LabelNotFound,
                    format!("no cell labelled {}", spec.labels[0]),
                );
            }
            continue;
        };
        if hits.len() > 1 {
            b.warn(
                &spec.key,
                WarningCode::DuplicateLabel,
                format!(
                    "{} cells labelled {}; the first is used",
                    hits.len(),
                    spec.labels[0]
                ),
            );
        }
        let value = match spec.shape {
            Shape::FundingTable => Value::Funding(read_funding(hit, &mut b)),
            Shape::IndicatorTable => {
                let rows = read_indicators(hit, template, &mut b);
                if rows.is_empty() {
                    b.warn(&spec.key, WarningCode::EmptyValue, "no indicator rows read");
                }
                Value::Indicators(rows)
            }
            Shape::Table => Value::Rows(read_rows(hit, spec, &mut b)),
            _ => read_scalar(spec, hit, template, &mut b),
        };
        r.set(&spec.key, value);
    }
    for spec in template
        .fields
        .iter()
        .filter(|s| s.shape == Shape::FundingTable)
    {
        if r.funding(&spec.key).is_empty() && f.hits.iter().any(|h| h.key == spec.key) {
            b.warn(&spec.key, WarningCode::EmptyValue, "no funding rows read");
        }
    }
    cross_checks(&r, template, &mut b);
    for o in &f.orphans {
        let t: String = o.text().chars().take(40).collect();
        // a cell right beside a field's value, in its row, or right under
        // it over the same columns: the value's cell split by a line that
        // is not the form's (a rule showing through from the back, a
        // stroke); the field may lack its text
        let field = beside_value(&f.hits, o).unwrap_or("");
        b.warn(
            field,
            WarningCode::UnassignedCell,
            format!("page {}: cell with no label: {t:?}", o.page),
        );
    }
    warn_header_not_found(&r, &mut b, "above the table");
    r.warnings = b.warnings;
    r.provenance = b.provenance;
    r.units = b.units;
    r
}

/// `not_found` on each header field (title, year, unit) the record lacks.
fn warn_header_not_found(r: &Record, b: &mut Builder, where_: &str) {
    for (name, _) in HEADER_FIELDS {
        if r.get(name).is_none_or(Value::is_empty) {
            b.warn(
                name,
                WarningCode::NotFound,
                format!("{name} not found {where_}"),
            );
        }
    }
}

/// The header's fields: the title and the year (from the title line) and
/// the unit, read above the table.
fn read_header(f: &FormFields, r: &mut Record, b: &mut Builder) {
    let mut at = |key: &str, page: usize, bbox: &BBox| {
        let l = Location::Pdf {
            page,
            bbox: bbox.rounded(),
        };
        b.provenance.insert(key.into(), l);
    };
    if let Some(l) = &f.title {
        at("title", l.page, &l.line.bbox);
        let title = strip_whitespace(&l.line.text);
        r.set("title", Value::Text(Some(title)));
    }
    if let Some(l) = &f.year {
        at("year", l.page, &l.line.bbox);
        let year = normalize::parse_year(&l.line.text).map(i64::from);
        r.set("year", Value::Int(year));
    }
    if let Some((u, page, bbox)) = &f.unit {
        at("unit", *page, bbox);
        let u = u.trim().to_string();
        r.set("unit", Value::Text((!u.is_empty()).then_some(u)));
    }
}

/// The rows of a funding table.
fn read_funding(hit: &FieldHit, b: &mut Builder) -> Vec<FundingComponent> {
    let FieldValue::Funding { rows } = &hit.value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let name = cell_text_line(&row.name);
        let amount_text = cell_text_line(&row.amount);
        let field = format!("{}[{i}]", hit.key);
        let amount = b.money(&field, amount_text);
        let cells: Vec<&CellRef> = row.name.iter().chain(row.amount.iter()).collect();
        if let Some(l) = loc(&cells) {
            b.provenance.insert(field.clone(), l);
        }
        b.warn_cut_doubt(&field, &cells);
        if name.is_none() {
            b.warn(
                &field,
                WarningCode::EmptyValue,
                "funding row without a name",
            );
        }
        if row.amount.as_ref().is_none_or(|c| c.is_empty()) {
            b.warn(
                &field,
                WarningCode::EmptyValue,
                "funding row without an amount",
            );
        }
        out.push(FundingComponent {
            name: name.unwrap_or_default(),
            amount,
        });
    }
    out
}

/// The rows of an indicator table, the level-1/level-2 text of merged
/// cells carried down to every row they span.
fn read_indicators(hit: &FieldHit, template: &Template, b: &mut Builder) -> Vec<Indicator> {
    let FieldValue::Indicators { rows } = &hit.value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut prev: (Option<String>, Option<String>) = (None, None);
    let mut prev_page: Option<usize> = None;
    type CellId = Option<(usize, usize, usize)>;
    let mut prev_cells: (CellId, CellId) = (None, None);
    for (i, row) in rows.iter().enumerate() {
        let field = format!("{}[{i}]", hit.key);
        // A merged level-1/level-2 cell split by a page break prints its
        // text on one page only: the empty part opening the table on the
        // next page (its first row there, or a part cut open at its top)
        // continues the cell above.
        let page = row.level3.as_ref().or(row.target.as_ref()).map(|c| c.page);
        let new_page = i > 0 && page != prev_page;
        prev_page = page;
        let split_part = |c: &Option<CellRef>| {
            c.as_ref()
                .is_some_and(|c| c.is_empty() && (c.row == 0 || c.cut_top || new_page))
        };
        // The same merged cell as the row above's (or its carried part):
        // the same level.
        let id = |c: &Option<CellRef>| c.as_ref().map(|c| (c.page, c.row, c.col));
        let level = |c: &Option<CellRef>, prev_id: CellId, prev_text: &Option<String>| {
            if split_part(c) || (id(c).is_some() && id(c) == prev_id) {
                prev_text.clone()
            } else {
                cell_text_line(c)
            }
        };
        let level1 = level(&row.level1, prev_cells.0, &prev.0);
        let level2 = level(&row.level2, prev_cells.1, &prev.1);
        prev = (level1.clone(), level2.clone());
        prev_cells = (id(&row.level1), id(&row.level2));
        let target = cell_text_line(&row.target);
        let target_parsed = target
            .as_deref()
            .and_then(|t| normalize::parse_target(t, template));
        let level3 = cell_text_line(&row.level3);
        for (name, v) in [
            ("level1", &level1),
            ("level2", &level2),
            ("level3", &level3),
            ("target", &target),
        ] {
            if v.is_none() {
                b.warn(
                    &field,
                    WarningCode::EmptyValue,
                    format!("indicator row without {name}"),
                );
            }
        }
        let cells: Vec<&CellRef> = row.level3.iter().chain(row.target.iter()).collect();
        if let Some(l) = loc(&cells) {
            b.provenance.insert(field.clone(), l);
        }
        b.warn_cut_doubt(&field, &cells);
        out.push(Indicator {
            level1,
            level2,
            level3,
            target,
            target_parsed,
            remark: cell_text_line(&row.remark),
        });
    }
    out
}

/// A one-value field (line, paragraphs, option, date, money).
fn read_scalar(spec: &FieldSpec, hit: &FieldHit, template: &Template, b: &mut Builder) -> Value {
    let key = spec.key.as_str();
    let text = b.hit_text(hit, spec.shape);
    if text.is_none() && spec.required {
        b.warn(
            key,
            WarningCode::EmptyValue,
            format!("{} has no value", spec.labels[0]),
        );
    }
    match spec.shape {
        Shape::Money => {
            let label = hit.label.text();
            let printed = [Some(label.as_str()), hit.caption.as_deref()];
            Value::Money(b.money_in(spec, printed, text, template))
        }
        Shape::Date => Value::Text(b.date(key, text)),
        Shape::PartialDate => Value::Text(b.partial_date(key, text)),
        Shape::DateRange => Value::Text(b.date_range(key, text)),
        Shape::Option => Value::Text(text.and_then(|t| b.option(spec, &t, template))),
        _ => {
            // a label read as a value: the mapping took the next field's
            // label cell (its own value's cell lost or misread)
            if let Some(t) = &text
                && template
                    .vocabulary()
                    .contains(&crate::template::label_key(t))
            {
                b.warn(
                    key,
                    WarningCode::ValueIsLabel,
                    format!("the value {t:?} is a label of the form"),
                );
            }
            Value::Text(text)
        }
    }
}

/// The field whose value cell (one of its cells) ends where `o` starts,
/// in the same row band (top and bottom within 1 pt), or ends where `o`
/// begins below it, over the same columns (left and right within 1 pt),
/// on the same page: the value's cell split by a line.
fn beside_value<'a>(hits: &'a [FieldHit], o: &CellRef) -> Option<&'a str> {
    const TOL: f64 = 1.0;
    hits.iter().find_map(|h| {
        let cells: Vec<&CellRef> = match &h.value {
            FieldValue::Cells { cells } => cells.iter().collect(),
            FieldValue::Inline { cell, .. } => vec![cell],
            _ => return None,
        };
        cells
            .iter()
            .any(|c| {
                let near = |a: f64, b: f64| (a - b).abs() <= TOL;
                let beside = near(c.bbox.top, o.bbox.top)
                    && near(c.bbox.bottom, o.bbox.bottom)
                    && near(c.bbox.x1, o.bbox.x0);
                let below = near(c.bbox.x0, o.bbox.x0)
                    && near(c.bbox.x1, o.bbox.x1)
                    && near(c.bbox.bottom, o.bbox.top);
                c.page == o.page && (beside || below)
            })
            .then_some(h.key.as_str())
    })
}

/// The rows of a `table` field: each column's cell as one line, a
/// `partial_date` column read as one (null, with a warning on the row,
/// when it is none).
fn read_rows(hit: &FieldHit, spec: &FieldSpec, b: &mut Builder) -> Vec<crate::record::Row> {
    let FieldValue::Rows { rows } = &hit.value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let field = format!("{}[{i}]", hit.key);
        let mut values = Vec::with_capacity(spec.columns.len());
        for (col, cell) in spec.columns.iter().zip(row) {
            let text = cell_text_line(cell);
            let v = match col.shape {
                Shape::PartialDate => b.partial_date(&field, text),
                _ => text,
            };
            if v.is_none() && cell.as_ref().is_none_or(|c| c.is_empty()) {
                b.warn(
                    &field,
                    WarningCode::EmptyValue,
                    format!("row without {}", col.key),
                );
            }
            values.push((col.key.clone(), v));
        }
        let cells: Vec<&CellRef> = row.iter().flatten().collect();
        if let Some(l) = loc(&cells) {
            b.provenance.insert(field.clone(), l);
        }
        b.warn_cut_doubt(&field, &cells);
        out.push(crate::record::Row(values));
    }
    out
}

/// The unit an amount was printed in, its power of ten, and the amount's
/// text without it: the unit at the end of the cell's text; else one in
/// brackets in `printed`, the field's label (`资金总额（万元）`) and the
/// caption of its block (`项目资金（万元）`); else the field's `unit`,
/// else the template's default.
fn printed_unit(
    text: &str,
    printed: [Option<&str>; 2],
    spec: &FieldSpec,
    t: &Template,
) -> (String, u32, String) {
    let units = t.money.names_longest_first();
    let folded = normalize::fold_width(text);
    let trimmed = folded.trim();
    for &(name, e) in &units {
        if let Some(number) = trimmed.strip_suffix(name) {
            return (name.to_string(), e, number.trim().to_string());
        }
    }
    let bracketed = |s: &str| {
        let key = crate::template::label_key(s);
        units
            .iter()
            .find(|(name, _)| key.contains(&format!("（{name}）")))
            .copied()
    };
    let declared = spec.unit.as_deref().unwrap_or(&t.money.default);
    let (name, e) = printed
        .into_iter()
        .flatten()
        .find_map(bracketed)
        .unwrap_or((declared, t.money.exponent(declared).unwrap_or(0)));
    (name.to_string(), e, trimmed.to_string())
}

/// Checks that tie fields together; a disagreement is a warning on every
/// field it ties.
fn cross_checks(r: &Record, template: &Template, b: &mut Builder) {
    for c in &template.checks {
        let [x, y] = [c.fields[0].as_str(), c.fields[1].as_str()];
        if c.rule == CheckRule::PartsSum {
            parts_sum(r, &c.fields, &c.message, b);
            continue;
        }
        let (code, values) = match c.rule {
            CheckRule::Sum => (
                WarningCode::FundingSumMismatch,
                sum_mismatch(r.funding(x), r.money(y)),
            ),
            CheckRule::NotAbove => (
                WarningCode::ExceedsTotal,
                match (r.money(x), r.money(y)) {
                    (Some(a), Some(b)) if a > b => Some((a.to_string(), b.to_string())),
                    _ => None,
                },
            ),
            CheckRule::NotAfter => (
                WarningCode::DateOrder,
                match (r.text(x), r.text(y)) {
                    (Some(a), Some(b)) if a > b => Some((a.to_string(), b.to_string())),
                    _ => None,
                },
            ),
            CheckRule::PartsSum => continue,
        };
        if let Some((a, v)) = values {
            let msg = c.message.replace("{a}", &a).replace("{b}", &v);
            b.warn_each(&[x, y], code, &msg);
        }
    }
}

/// `parts_sum`: the first money field is the sum of the others (a blank
/// part counting as 0), checked when the total and a part have values and
/// no part is warned; a disagreement is a warning on each.
fn parts_sum(r: &Record, fields: &[String], message: &str, b: &mut Builder) {
    let (total, parts) = (&fields[0], &fields[1..]);
    let Some(t) = r.money(total) else {
        return;
    };
    let warned = |k: &String| b.warnings.iter().any(|w| &w.field == k);
    if parts.iter().any(warned) || parts.iter().all(|p| r.money(p).is_none()) {
        return;
    }
    let sum: i64 = parts
        .iter()
        .filter_map(|p| r.money(p))
        .map(Money::fen)
        .sum();
    if sum != t.fen() {
        let msg = message
            .replace("{a}", &Money(sum).to_string())
            .replace("{b}", &t.to_string());
        let all: Vec<&str> = fields.iter().map(String::as_str).collect();
        b.warn_each(&all, WarningCode::FundingSumMismatch, &msg);
    }
}

/// The rows' sum and the total, when every row's amount was read and they
/// disagree.
fn sum_mismatch(rows: &[FundingComponent], total: Option<Money>) -> Option<(String, String)> {
    let total = total?;
    if rows.is_empty() || rows.iter().any(|c| c.amount.is_none()) {
        return None;
    }
    let sum: i64 = rows.iter().filter_map(|c| c.amount).map(|m| m.fen()).sum();
    (sum != total.fen()).then(|| (Money(sum).to_string(), total.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(x0: f64, top: f64, x1: f64, bottom: f64) -> CellRef {
        CellRef {
            page: 1,
            bbox: BBox::new(x0, top, x1, bottom),
            row: 0,
            col: 0,
            row_span: 1,
            col_span: 1,
            lines: Vec::new(),
            cut_top: false,
            cut_bottom: false,
            cut_doubt: false,
        }
    }

    #[test]
    fn a_cell_split_off_a_value_beside_or_below_it_belongs_to_that_field() {
        let hits = vec![FieldHit {
            key: "annual_goal".into(),
            label: cell(50.0, 100.0, 125.0, 140.0),
            value: FieldValue::Cells {
                cells: vec![cell(125.0, 100.0, 263.0, 120.0)],
            },
            caption: None,
        }];
        // beside, in the same row band
        assert_eq!(
            beside_value(&hits, &cell(263.0, 100.0, 544.0, 120.0)),
            Some("annual_goal")
        );
        // below, over the same columns
        assert_eq!(
            beside_value(&hits, &cell(125.0, 120.0, 263.0, 140.0)),
            Some("annual_goal")
        );
        // the next row's cell in another column, and a cell of another row
        assert_eq!(beside_value(&hits, &cell(263.0, 120.0, 544.0, 140.0)), None);
        assert_eq!(beside_value(&hits, &cell(263.0, 90.0, 544.0, 130.0)), None);
    }
}
