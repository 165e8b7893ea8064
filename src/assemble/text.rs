//! The record of a form read from a text dump: the same builder as the
//! PDF path's ([`Builder`]: one normalization of amounts, dates, options
//! and targets, the template's cross-checks, the header's `not_found`),
//! reading placed values with the dump lines they came from
//! ([`TextFields`]) instead of cells; plus the warnings only a dump needs
//! (a field placed nowhere, a free text that may hold a lost one, a
//! funding table whose total was not read).

use std::collections::BTreeMap;

use super::{Builder, cross_checks, warn_header_not_found};
use crate::normalize::parse_target;
use crate::read::text::TextFields;
use crate::record::{FundingComponent, Indicator, Location, Record, Source, Value, Warning};
use crate::template::{CheckRule, FieldSpec, Shape, Template, ValueKind, label_key};
use crate::warning::WarningCode;

/// Where a value was read: dump lines `line` to `line_end`.
fn loc(line: usize, line_end: usize) -> Location {
    Location::Text { line, line_end }
}

/// The record builder for a form read from a text dump.
pub fn text_fields_to_record(f: &TextFields, t: &Template, source: Source) -> Record {
    let mut b = Builder {
        warnings: f.warnings.clone(),
        provenance: BTreeMap::new(),
        units: BTreeMap::new(),
    };
    let mut r = Record::empty(t, source);
    for field in t.record_fields() {
        let key = field.key.as_str();
        if !dump_reads(t, field.kind) {
            b.warn(
                key,
                WarningCode::NotFound,
                "not read from text dumps: this template has more than one such table, \
                 or a table the dump reader does not know",
            );
            continue;
        }
        let value = match field.kind {
            ValueKind::FundingTable => Value::Funding(funding_rows(f, key, &mut b)),
            ValueKind::IndicatorTable => Value::Indicators(indicator_rows(f, key, t, &mut b)),
            kind => {
                let Some(a) = f.values.get(key) else { continue };
                b.provenance
                    .insert(key.to_string(), loc(a.line, a.line_end));
                let text = Some(a.value.trim().to_string()).filter(|s| !s.is_empty());
                match (kind, field.shape) {
                    (ValueKind::Int, _) => Value::Int(text.and_then(|y| y.parse().ok())),
                    (ValueKind::Money, _) => {
                        let spec = t.field(key).expect("a money field of the template");
                        Value::Money(b.money_in(spec, [None, None], text, t))
                    }
                    (_, Some(Shape::Date)) => Value::Text(b.date(key, text)),
                    (_, Some(Shape::PartialDate)) => Value::Text(b.partial_date(key, text)),
                    (_, Some(Shape::DateRange)) => Value::Text(b.date_range(key, text)),
                    (_, Some(Shape::Option)) => {
                        let spec = t.field(key).expect("an option field of the template");
                        Value::Text(text.and_then(|s| b.option(spec, &s, t)))
                    }
                    (_, shape) => {
                        if shape == Some(Shape::Line) {
                            warn_label_fragment(key, &a.value, t, &mut b.warnings);
                        }
                        Value::Text(text)
                    }
                }
            }
        };
        r.set(key, value);
    }
    if t.text_layout.drafts {
        warn_drafts(&r, &mut b.warnings);
    }
    warn_not_placed(f, t, &r, &mut b.warnings);
    warn_texts_that_may_hold_lost_ones(f, t, &mut b.warnings);
    warn_unchecked_tables(&r, t, &mut b.warnings);
    cross_checks(&r, t, &mut b);
    warn_header_not_found(&r, &mut b, "in the dump");
    r.warnings = b.warnings;
    r.provenance = b.provenance;
    r.units = b.units;
    r
}

/// Every value read, when the template's dumps are drafts
/// ([`crate::template::TextLayout::drafts`]): the text path was not
/// measured on this form, so no value of it is trusted without a word.
fn warn_drafts(r: &Record, warnings: &mut Vec<Warning>) {
    for (key, v) in &r.fields {
        if !v.is_empty() {
            warnings.push(Warning::new(
                key,
                WarningCode::InferredValue,
                "read from a text dump of a form whose dumps are not measured: a draft, check it",
            ));
        }
    }
}

/// Whether the dump reader reads fields of this kind of the template: it
/// reads one funding and one indicator table, and no `table` field.
fn dump_reads(t: &Template, kind: ValueKind) -> bool {
    let count = |k: ValueKind| t.record_fields().iter().filter(|f| f.kind == k).count();
    match kind {
        ValueKind::FundingTable | ValueKind::IndicatorTable => count(kind) == 1,
        ValueKind::Rows => false,
        _ => true,
    }
}

/// Fields with nothing placed, as the PDF path says them: the label
/// there and no value (`empty_value`), or no label (`label_not_found`).
/// A dump loses what a printed form keeps, so a null optional field is
/// not trusted without a word either.
fn warn_not_placed(f: &TextFields, t: &Template, r: &Record, warnings: &mut Vec<Warning>) {
    for spec in &t.fields {
        let placed = match spec.shape.kind() {
            ValueKind::FundingTable | ValueKind::IndicatorTable => {
                r.get(&spec.key).is_some_and(|v| !v.is_empty())
            }
            _ => f.values.contains_key(&spec.key),
        };
        if !placed && !warnings.iter().any(|w| w.field == spec.key) {
            warnings.push(not_placed(f, spec));
        }
    }
}

fn funding_rows(f: &TextFields, key: &str, b: &mut Builder) -> Vec<FundingComponent> {
    let mut out = Vec::with_capacity(f.funding.len());
    for (i, row) in f.funding.iter().enumerate() {
        let field = format!("{key}[{i}]");
        let amount = b.money(&field, row.amount.clone());
        out.push(FundingComponent {
            name: row.name.clone().unwrap_or_default(),
            amount,
        });
        b.provenance.insert(field, loc(row.line, row.line_end));
    }
    out
}

fn indicator_rows(f: &TextFields, key: &str, t: &Template, b: &mut Builder) -> Vec<Indicator> {
    let mut out = Vec::with_capacity(f.indicators.len());
    for (i, row) in f.indicators.iter().enumerate() {
        out.push(Indicator {
            level1: row.level1.clone(),
            level2: row.level2.clone(),
            level3: row.level3.clone(),
            target: row.target.clone(),
            target_parsed: row.target.as_deref().and_then(|s| parse_target(s, t)),
            remark: None,
        });
        b.provenance
            .insert(format!("{key}[{i}]"), loc(row.line, row.line_end));
    }
    out
}

/// When a free text of the form was placed nowhere, its text is most
/// likely glued to another one (a dump without blank lines between
/// paragraphs runs them together); when text was placed in no field, it
/// may be the rest of a free text cut short. Either way every free text
/// placed gets a warning, unless it has one already.
fn warn_texts_that_may_hold_lost_ones(f: &TextFields, t: &Template, warnings: &mut Vec<Warning>) {
    let texts = || t.fields.iter().filter(|s| s.shape == Shape::Paragraphs);
    // Optional texts count too: counting only required ones left 20-22
    // more silent fields on the pdfminer and pdftotext tuning dumps (a
    // remarks text run into the goal above it).
    let lost: Vec<&str> = texts()
        .filter(|s| !f.values.contains_key(&s.key))
        .map(|s| s.key.as_str())
        .collect();
    // Text no label claimed may be the rest of a free text cut short.
    let stray = f
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::UnassignedText.as_str());
    let why = match (lost.is_empty(), stray) {
        (false, _) => format!(
            "{} placed nowhere: their text may be run into this one",
            lost.join(", ")
        ),
        (true, true) => "text placed in no field may be the rest of this one".to_string(),
        (true, false) => return,
    };
    for spec in texts().filter(|s| f.values.contains_key(&s.key)) {
        if !warnings.iter().any(|w| w.field == spec.key) {
            warnings.push(Warning::new(
                &spec.key,
                WarningCode::AmbiguousAssignment,
                why.clone(),
            ));
        }
    }
}

/// The warning on a field nothing was placed in.
fn not_placed(f: &TextFields, spec: &FieldSpec) -> Warning {
    match f.labels.get(&spec.key) {
        Some(line) => Warning::new(
            &spec.key,
            WarningCode::EmptyValue,
            format!("label on line {line}, but no value placed (empty, or lost in the dump)"),
        ),
        None => Warning::new(
            &spec.key,
            WarningCode::LabelNotFound,
            format!(
                "no label {} found (in a dump it may be there, unrecognized)",
                spec.labels[0]
            ),
        ),
    }
}

/// A dump loses table rows as it loses anything else, and the rows' sum
/// is what shows it ([`crate::template::CheckRule::Sum`]): rows whose
/// total was not read are not trusted without a word.
fn warn_unchecked_tables(r: &Record, t: &Template, warnings: &mut Vec<Warning>) {
    for c in t.checks.iter().filter(|c| c.rule == CheckRule::Sum) {
        let [table, total] = [c.fields[0].as_str(), c.fields[1].as_str()];
        if !r.funding(table).is_empty()
            && r.money(total).is_none()
            && !warnings.iter().any(|w| w.field == table)
        {
            let msg = format!("rows not checked: {total} was not read, so rows may be missing");
            warnings.push(Warning::new(table, WarningCode::Unchecked, msg));
        }
    }
}

/// A one-line value that is a label of the form, or the head of one (a
/// label wrapped over lines in the dump, its first part taken for a
/// value), is no value: `value_is_label`, as on the PDF path.
fn warn_label_fragment(key: &str, value: &str, t: &Template, warnings: &mut Vec<Warning>) {
    let k = label_key(value);
    let v = t.vocab();
    if k.chars().count() >= 2 && (v.exact.contains_key(&k) || v.prefixes.contains(&k)) {
        let msg = format!("the value {value:?} is (the head of) a label of the form");
        warnings.push(Warning::new(key, WarningCode::ValueIsLabel, msg));
    }
}
