//! Stage 5: placed values to a record ([`fields_to_record`]).

use super::*;
use crate::template::{CheckRule, FieldSpec};
use crate::warning::WarningCode;

pub(super) fn loc(a: &Assigned) -> Location {
    Location::Text {
        line: a.line,
        line_end: a.line_end,
    }
}

/// Normalizes the placed values into a [`Record`].
pub fn fields_to_record(f: &TextFields, t: &Template, source: Source) -> Record {
    let mut warnings = f.warnings.clone();
    let mut provenance = BTreeMap::new();
    let mut r = Record::empty(t.record_fields(), source);
    for field in t.record_fields() {
        let key = field.key.as_str();
        let value = match field.kind {
            ValueKind::FundingTable => {
                Value::Funding(funding_rows(f, key, &mut provenance, &mut warnings))
            }
            ValueKind::IndicatorTable => {
                Value::Indicators(indicator_rows(f, key, t, &mut provenance))
            }
            kind => {
                let Some(a) = f.values.get(key) else { continue };
                provenance.insert(key.to_string(), loc(a));
                if field.shape == Some(Shape::Line) {
                    warn_label_fragment(key, &a.value, t, &mut warnings);
                }
                scalar_value(key, kind, field.shape, &a.value, &mut warnings)
            }
        };
        r.set(key, value);
    }
    // Fields with nothing placed, as the PDF path says them: the label
    // there and no value (`empty_value`), or no label (`label_not_found`).
    // A dump loses what a printed form keeps, so a null optional field is
    // not trusted without a word either.
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
    warn_texts_that_may_hold_lost_ones(f, t, &mut warnings);
    warn_unchecked_tables(&r, t, &mut warnings);
    for (k, _) in HEADER_FIELDS {
        if !f.values.contains_key(k) {
            warnings.push(Warning::new(
                k,
                WarningCode::NotFound,
                format!("{k} not found"),
            ));
        }
    }
    warnings.extend(cross_check_warnings(&r, t));
    r.warnings = warnings;
    r.provenance = provenance;
    r
}

/// A placed one-value field's value by its kind and shape: text trimmed
/// (null when empty), a year, a date or an amount parsed (null, with a
/// warning, when it does not parse).
pub(super) fn scalar_value(
    key: &str,
    kind: ValueKind,
    shape: Option<Shape>,
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Value {
    let trimmed = text.trim();
    let text_or_null = (!trimmed.is_empty()).then(|| trimmed.to_string());
    match (kind, shape) {
        (ValueKind::Int, _) => Value::Int(text_or_null.and_then(|y| y.parse().ok())),
        (ValueKind::Money, _) => Value::Money(match parse_money(text) {
            Ok(m) => Some(m),
            Err(e) => {
                let msg = format!("{text:?}: {e}");
                warnings.push(Warning::new(key, WarningCode::UnparsedAmount, msg));
                None
            }
        }),
        (_, Some(Shape::Date)) => Value::Text(match normalize::parse_date(text) {
            DateParse::Ok(d) => Some(d),
            DateParse::Repaired { date, note } => {
                let msg = format!("{text:?} read as {date}: {note}");
                warnings.push(Warning::new(key, WarningCode::DateRepaired, msg));
                Some(date)
            }
            DateParse::Invalid(reason) => {
                let msg = format!("{text:?}: {reason}");
                warnings.push(Warning::new(key, WarningCode::UnparsedDate, msg));
                None
            }
        }),
        _ => Value::Text(text_or_null),
    }
}

pub(super) fn funding_rows(
    f: &TextFields,
    key: &str,
    provenance: &mut BTreeMap<String, Location>,
    warnings: &mut Vec<Warning>,
) -> Vec<FundingComponent> {
    let mut out = Vec::with_capacity(f.funding.len());
    for (i, row) in f.funding.iter().enumerate() {
        let amount = row.amount.as_deref().and_then(|a| match parse_money(a) {
            Ok(m) => Some(m),
            Err(e) => {
                let msg = format!("{a:?}: {e}");
                warnings.push(Warning::new(
                    &format!("{key}[{i}]"),
                    WarningCode::UnparsedAmount,
                    msg,
                ));
                None
            }
        });
        out.push(FundingComponent {
            name: row.name.clone().unwrap_or_default(),
            amount,
        });
        let at = Location::Text {
            line: row.line,
            line_end: row.line_end,
        };
        provenance.insert(format!("{key}[{i}]"), at);
    }
    out
}

pub(super) fn indicator_rows(
    f: &TextFields,
    key: &str,
    t: &Template,
    provenance: &mut BTreeMap<String, Location>,
) -> Vec<Indicator> {
    let mut out = Vec::with_capacity(f.indicators.len());
    for (i, row) in f.indicators.iter().enumerate() {
        out.push(Indicator {
            level1: row.level1.clone(),
            level2: row.level2.clone(),
            level3: row.level3.clone(),
            target: row.target.clone(),
            target_parsed: row.target.as_deref().and_then(|s| parse_target(s, t)),
        });
        let at = Location::Text {
            line: row.line,
            line_end: row.line_end,
        };
        provenance.insert(format!("{key}[{i}]"), at);
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
