//! Comparing extracted records with golden truth (the library side of
//! `shenbao check`).
//!
//! A golden file `golden/NAME.json` is a JSON array of records, one per form
//! of `fixtures/NAME.pdf`, in order, each with the content keys of
//! [`Record`](crate::record::Record) (no `source`, `warnings`,
//! `provenance`). Everything here works on [`serde_json::Value`], so golden
//! files need no Rust type and extra keys on either side are ignored.
//!
//! Rules, per field and per form (forms are paired by index):
//! The fields compared, and how, come from the template's field registry
//! ([`Fields`]):
//! - scalars (the header's title, year and unit; lines, options, dates,
//!   amounts): exact; numbers compare as fen
//!   (`round(x * 100)`);
//! - texts (paragraphs-shaped fields): equal once all white space is removed; `null`
//!   equals only `null` or an all-white-space string; the similarity is kept;
//! - the rows of a `table` field (`schedule`): exact, in order;
//! - tables (`funding_components`, `indicators`): multisets of rows; a row
//!   matches a row equal on every key of the table (strings white space
//!   insensitive, a blank string equal to `null`, numbers as fen,
//!   `target_parsed` included); a missing table or `null` is no rows;
//! - a form missing from (or extra in) the extraction is wrong on every field.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::normalize::text_equivalent;
use crate::template::{Template, Templates, ValueKind};
use crate::text::{similarity, squeeze};

/// The keys of a funding component row.
pub const FUNDING_KEYS: &[&str] = &["name", "amount"];
/// The keys of an indicator row.
pub const INDICATOR_KEYS: &[&str] = &[
    "level1",
    "level2",
    "level3",
    "target",
    "target_parsed",
    "remark",
];

/// How a field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Exact (numbers as fen).
    Scalar,
    /// White-space-insensitive, with a similarity.
    Text,
    /// A multiset of rows with these keys.
    Table(&'static [&'static str]),
}

/// The fields compared, in record order, each with how it is compared:
/// the templates' field registries ([`Template::record_fields`]). A form
/// is compared on the fields of the template its golden record names
/// (`template`; the set's first template when it names none).
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// Each compared field's name with how it is compared, in record
    /// order: the union over the templates ([`Templates::record_fields`]).
    pub fields: Vec<(String, FieldKind)>,
    /// The field naming a form in messages (the first template's first
    /// field).
    pub label: String,
    /// Each template's name with the indices in `fields` of its fields.
    by_template: Vec<(String, Vec<usize>)>,
}

fn field_kind(f: &crate::template::RecordField) -> FieldKind {
    match f.kind {
        ValueKind::FundingTable => FieldKind::Table(FUNDING_KEYS),
        ValueKind::IndicatorTable => FieldKind::Table(INDICATOR_KEYS),
        _ if f.is_paragraphs() => FieldKind::Text,
        _ => FieldKind::Scalar,
    }
}

impl Fields {
    /// The compared fields of one template: paragraphs as text, tables as
    /// rows, anything else exact.
    pub fn of(t: &Template) -> Fields {
        Fields::of_set(&Templates::one(t.clone()))
    }

    /// The compared fields of a set of templates.
    pub fn of_set(set: &Templates) -> Fields {
        let fields: Vec<(String, FieldKind)> = set
            .record_fields()
            .iter()
            .map(|f| (f.key.clone(), field_kind(f)))
            .collect();
        let by_template = set
            .list()
            .iter()
            .map(|t| {
                let idx = t
                    .record_fields()
                    .iter()
                    .filter_map(|f| fields.iter().position(|(k, _)| *k == f.key))
                    .collect();
                (t.name.clone(), idx)
            })
            .collect();
        let label = set
            .first()
            .fields
            .first()
            .map(|f| f.key.clone())
            .unwrap_or_default();
        Fields {
            fields,
            label,
            by_template,
        }
    }

    /// The fields of the built-in templates.
    pub fn builtin() -> Fields {
        Fields::of_set(&Templates::builtin().expect("the built-in templates load"))
    }

    /// The fields a form of template `name` is compared on (the first
    /// template's when `name` is none or unknown), in record order.
    pub fn of_template(&self, name: Option<&str>) -> impl Iterator<Item = &(String, FieldKind)> {
        let idx = name
            .and_then(|n| self.by_template.iter().find(|(t, _)| t == n))
            .or(self.by_template.first())
            .map_or(&[][..], |(_, idx)| idx.as_slice());
        idx.iter().map(|&i| &self.fields[i])
    }

    /// The name of the first template (a golden record naming none is
    /// one of its forms).
    pub fn first_template(&self) -> Option<&str> {
        self.by_template.first().map(|(t, _)| t.as_str())
    }

    /// The compared fields' names, in record order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }

    /// How many fields a form of the first template is compared on.
    pub fn len(&self) -> usize {
        self.of_template(None).count()
    }

    /// Whether no field is compared.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Row counts of a table comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowTally {
    /// Rows found on both sides.
    pub matched: usize,
    /// Rows in the golden table.
    pub expected: usize,
    /// Rows in the extracted table.
    pub got: usize,
}

/// The outcome for one field of one form.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldResult {
    /// The field's name.
    pub field: String,
    /// The extracted value matches the golden one (within the tolerance).
    pub right: bool,
    /// Text fields: similarity of the two texts (white space removed).
    pub similarity: Option<f64>,
    /// Table fields: row counts.
    pub rows: Option<RowTally>,
    /// Wrong fields: what differs, readable.
    pub diff: Option<String>,
    /// The extracted record carries a warning on this field (its `field` is
    /// the field's name, or a row of it: `indicators[3]`).
    pub warned: bool,
}

impl FieldResult {
    /// Wrong with no warning on it: the defect a user cannot see.
    pub fn silent(&self) -> bool {
        !self.right && !self.warned
    }
}

/// Whether a form is on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormPresence {
    /// In both the golden file and the extraction.
    Both,
    /// In the golden file only: the extraction found too few forms.
    Missing,
    /// In the extraction only: it found too many forms.
    Extra,
}

/// The outcome for one form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormComparison {
    /// 0-based form index.
    pub index: usize,
    /// The form's project name (golden, else extracted), for messages.
    pub label: Option<String>,
    /// Whether the form is on both sides, or on one only.
    pub presence: FormPresence,
    /// One result per compared field ([`Fields`]), in that order.
    pub fields: Vec<FieldResult>,
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileComparison {
    /// Forms in the golden file.
    pub golden_forms: usize,
    /// Forms in the extraction.
    pub got_forms: usize,
    /// `max(golden_forms, got_forms)` forms.
    pub forms: Vec<FormComparison>,
}

impl FileComparison {
    /// Fields right, over all forms.
    pub fn right(&self) -> usize {
        self.forms
            .iter()
            .flat_map(|f| &f.fields)
            .filter(|r| r.right)
            .count()
    }
    /// Fields compared, over all forms.
    pub fn total(&self) -> usize {
        self.forms.iter().map(|f| f.fields.len()).sum()
    }
    /// `(right, total)` for one field over all forms.
    pub fn field_tally(&self, field: &str) -> (usize, usize) {
        let mut tally = (0, 0);
        for r in self.forms.iter().flat_map(|f| &f.fields) {
            if r.field == field {
                tally.1 += 1;
                tally.0 += usize::from(r.right);
            }
        }
        tally
    }
    /// Whether every field of every form is right (and the form counts agree).
    pub fn all_right(&self) -> bool {
        self.golden_forms == self.got_forms && self.right() == self.total()
    }
    /// Wrong fields with no warning on them, over all forms (a form missing
    /// from the extraction has no record, so all its fields are silent).
    pub fn silent(&self) -> usize {
        self.forms
            .iter()
            .flat_map(|f| &f.fields)
            .filter(|r| r.silent())
            .count()
    }
    /// Marks every field warned: the file failed with an error naming it
    /// and the reason, so nothing in it is silent.
    pub fn mark_failed(&mut self) {
        for r in self.forms.iter_mut().flat_map(|f| f.fields.iter_mut()) {
            r.warned = true;
        }
    }
    /// The wrong field results with their form.
    pub fn wrong(&self) -> impl Iterator<Item = (&FormComparison, &FieldResult)> {
        self.forms
            .iter()
            .flat_map(|f| f.fields.iter().filter(|r| !r.right).map(move |r| (f, r)))
    }
}

/// Whether every file is all right.
pub fn all_right(files: &[(String, FileComparison)]) -> bool {
    files.iter().all(|(_, c)| c.all_right())
}

/// Reads records from either a JSON array or JSON Lines (one object a line).
pub fn parse_records(text: &str) -> Result<Vec<Value>, serde_json::Error> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str(trimmed);
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect()
}

/// Looser comparisons, opted into for inputs that cannot carry everything
/// (text dumps). The default is exact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tolerance {
    /// A text field also counts as right at this similarity or above.
    pub text_similarity: Option<f64>,
    /// Indicator rows are compared on level 3 and target only.
    pub ignore_indicator_levels: bool,
}

/// The indicator keys compared when levels 1 and 2 are ignored.
pub const INDICATOR_KEYS_NO_LEVELS: &[&str] = &["level3", "target", "target_parsed", "remark"];

/// Compares the forms of one file, paired by index.
pub fn compare_forms(fields: &Fields, golden: &[Value], got: &[Value]) -> FileComparison {
    compare_forms_with(fields, golden, got, Tolerance::default())
}

/// [`compare_forms`] with a [`Tolerance`].
pub fn compare_forms_with(
    fields: &Fields,
    golden: &[Value],
    got: &[Value],
    tol: Tolerance,
) -> FileComparison {
    let n = golden.len().max(got.len());
    let forms = (0..n)
        .map(|i| {
            let (g, x) = (golden.get(i), got.get(i));
            let label = [g, x]
                .into_iter()
                .flatten()
                .find_map(|v| v.get(&fields.label).and_then(Value::as_str))
                .map(str::to_string);
            // the golden record's template (a golden record naming none
            // is of the first template); the extracted one's when there is
            // no golden record
            let template = match g {
                Some(g) => g.get("template").and_then(Value::as_str),
                None => x.and_then(|x| x.get("template")).and_then(Value::as_str),
            };
            match (g, x) {
                (Some(g), Some(x)) => FormComparison {
                    index: i,
                    label,
                    presence: FormPresence::Both,
                    fields: fields
                        .of_template(template)
                        .map(|(f, kind)| {
                            let mut r = compare_field_with(f, *kind, g, x, tol);
                            r.warned = has_warning(x, f);
                            r
                        })
                        .collect(),
                },
                (g, x) => {
                    let (presence, msg) = if g.is_some() {
                        (FormPresence::Missing, "form missing from the extraction")
                    } else {
                        (FormPresence::Extra, "extra form, not in the golden file")
                    };
                    FormComparison {
                        index: i,
                        label,
                        presence,
                        fields: fields
                            .of_template(template)
                            .map(|(f, _)| FieldResult {
                                field: f.to_string(),
                                right: false,
                                similarity: None,
                                rows: None,
                                diff: Some(msg.to_string()),
                                warned: x.is_some_and(|x| has_warning(x, f)),
                            })
                            .collect(),
                    }
                }
            }
        })
        .collect();
    FileComparison {
        golden_forms: golden.len(),
        got_forms: got.len(),
        forms,
    }
}

const NULL: Value = Value::Null;

/// Whether `record`'s `warnings` hold one on `field` or on a row of it
/// (`indicators[3]`).
pub fn has_warning(record: &Value, field: &str) -> bool {
    let Some(ws) = record.get("warnings").and_then(Value::as_array) else {
        return false;
    };
    ws.iter()
        .filter_map(|w| w.get("field").and_then(Value::as_str))
        .any(|f| {
            f == field
                || f.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('['))
        })
}

/// Compares one field of two records, as `kind` says, with a
/// [`Tolerance`].
pub fn compare_field_with(
    field: &str,
    kind: FieldKind,
    golden: &Value,
    got: &Value,
    tol: Tolerance,
) -> FieldResult {
    let g = golden.get(field).unwrap_or(&NULL);
    let x = got.get(field).unwrap_or(&NULL);
    let mut r = FieldResult {
        field: field.to_string(),
        right: false,
        similarity: None,
        rows: None,
        diff: None,
        warned: false,
    };
    match kind {
        FieldKind::Scalar => {
            r.right = scalar_eq(g, x);
            if !r.right {
                r.diff = Some(format!("expected {}, got {}", show(g), show(x)));
            }
        }
        FieldKind::Text => {
            let (gt, xt) = (text_of(g), text_of(x));
            r.right = match (&gt, &xt) {
                (None, None) => true,
                (None, Some(s)) | (Some(s), None) => squeeze(s).is_empty(),
                (Some(a), Some(b)) => text_equivalent(a, b),
            };
            let sim = similarity(gt.as_deref().unwrap_or(""), xt.as_deref().unwrap_or(""));
            r.similarity = Some(sim);
            if let Some(min) = tol.text_similarity
                && gt.is_some() == xt.is_some()
                && sim >= min
            {
                r.right = true;
            }
            if !r.right {
                r.diff = Some(text_diff(gt.as_deref(), xt.as_deref(), sim));
            }
        }
        FieldKind::Table(keys) => {
            let keys = if keys == INDICATOR_KEYS && tol.ignore_indicator_levels {
                INDICATOR_KEYS_NO_LEVELS
            } else {
                keys
            };
            let (tally, diff) = table_diff(keys, g, x);
            r.right = diff.is_none();
            r.rows = Some(tally);
            r.diff = diff;
        }
    }
    r
}

fn fen(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => fen(x) == fen(y),
        _ => a == b,
    }
}

fn show(v: &Value) -> String {
    v.to_string()
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Characters of context shown on each side of a text difference.
const CONTEXT: usize = 20;

fn text_diff(golden: Option<&str>, got: Option<&str>, similarity: f64) -> String {
    let preview = |s: &str| {
        let c = squeeze(s);
        let head: String = c.iter().take(2 * CONTEXT).collect();
        let more = if c.len() > 2 * CONTEXT { "…" } else { "" };
        format!("{} chars: «{head}{more}»", c.len())
    };
    match (golden, got) {
        (Some(g), None) => return format!("expected text ({}), got null", preview(g)),
        (None, Some(x)) => return format!("expected null, got text ({})", preview(x)),
        _ => {}
    }
    let (g, x) = (squeeze(golden.unwrap_or("")), squeeze(got.unwrap_or("")));
    let pos = g.iter().zip(&x).take_while(|(a, b)| a == b).count();
    let before = |c: &[char]| -> String {
        let start = pos.saturating_sub(CONTEXT);
        let dots = if start > 0 { "…" } else { "" };
        format!("{dots}{}", c[start..pos].iter().collect::<String>())
    };
    let after = |c: &[char]| -> String {
        let end = (pos + CONTEXT).min(c.len());
        let dots = if end < c.len() { "…" } else { "" };
        let s: String = c[pos..end].iter().collect();
        if s.is_empty() {
            "(end)".to_string()
        } else {
            format!("{s}{dots}")
        }
    };
    format!(
        "first difference at char {pos} (white space ignored; expected {} chars, got {}), similarity {:.3}\n  expected: {}▶{}\n  got:      {}▶{}\n  diff:     {}",
        g.len(),
        x.len(),
        similarity,
        before(&g),
        after(&g),
        before(&x),
        after(&x),
        inline_diff(&g, &x),
    )
}

/// Every difference between two texts (white space removed), inline:
/// `[-expected-]{+got+}`, each equal run cut to [`CONTEXT`] characters
/// after the change before it and before the change after it (`…`).
pub fn inline_diff(golden: &[char], got: &[char]) -> String {
    use similar::{Algorithm, DiffTag, capture_diff_slices};
    let ops = capture_diff_slices(Algorithm::Myers, golden, got);
    let mut out = String::new();
    for (i, op) in ops.iter().enumerate() {
        let (old, new) = (&golden[op.old_range()], &got[op.new_range()]);
        match op.tag() {
            DiffTag::Equal => {
                // kept: after the change before, and before the change after
                let after_prev = if i > 0 { CONTEXT } else { 0 };
                let before_next = if i + 1 < ops.len() { CONTEXT } else { 0 };
                if ops.len() == 1 || old.len() <= after_prev + before_next {
                    out.extend(old);
                } else {
                    out.extend(&old[..after_prev]);
                    out.push('…');
                    out.extend(&old[old.len() - before_next..]);
                }
            }
            DiffTag::Delete => out.push_str(&format!("[-{}-]", old.iter().collect::<String>())),
            DiffTag::Insert => out.push_str(&format!("{{+{}+}}", new.iter().collect::<String>())),
            DiffTag::Replace => out.push_str(&format!(
                "[-{}-]{{+{}+}}",
                old.iter().collect::<String>(),
                new.iter().collect::<String>()
            )),
        }
    }
    out
}

/// A canonical string for one cell value: strings white-space-squeezed
/// (blank = null), numbers as fen, objects with sorted keys.
fn canon(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push('~'),
        Value::Bool(b) => {
            let _ = write!(out, "b{b}");
        }
        Value::Number(n) => match n.as_f64() {
            Some(x) => {
                let _ = write!(out, "n{}", fen(x));
            }
            None => {
                let _ = write!(out, "n{n}");
            }
        },
        Value::String(s) => {
            let c = squeeze(s);
            if c.is_empty() {
                out.push('~');
            } else {
                let _ = write!(out, "s{}:", c.len());
                out.extend(c);
            }
        }
        Value::Array(a) => {
            out.push('[');
            for x in a {
                canon(x, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for k in keys {
                let _ = write!(out, "{}:{k}=", k.len());
                canon(&m[k], out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

fn row_key(keys: &[&str], row: &Value) -> String {
    let mut out = String::new();
    for k in keys {
        canon(row.get(k).unwrap_or(&NULL), &mut out);
        out.push('|');
    }
    out
}

fn rows_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// A row for messages: its values in key order, ` | `-separated.
fn show_row(keys: &[&str], row: &Value) -> String {
    if !row.is_object() {
        return row.to_string();
    }
    keys.iter()
        .map(|k| match row.get(k).unwrap_or(&NULL) {
            Value::Null => "null".to_string(),
            Value::String(s) => s.clone(),
            Value::Object(m) if m.contains_key("op") && m.contains_key("value") => {
                let f = |k: &str| match m.get(k) {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => String::new(),
                };
                format!("{{{} {} {}}}", f("op"), f("value"), f("unit"))
            }
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn table_diff(keys: &[&str], golden: &Value, got: &Value) -> (RowTally, Option<String>) {
    let (g, x) = (rows_of(golden), rows_of(got));
    let mut pool: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in g.iter().enumerate().rev() {
        pool.entry(row_key(keys, row)).or_default().push(i);
    }
    let mut matched_golden = vec![false; g.len()];
    let mut extra = Vec::new();
    for row in &x {
        match pool.get_mut(&row_key(keys, row)).and_then(Vec::pop) {
            Some(i) => matched_golden[i] = true,
            None => extra.push(*row),
        }
    }
    let missing: Vec<&Value> = g
        .iter()
        .zip(&matched_golden)
        .filter(|(_, m)| !**m)
        .map(|(r, _)| *r)
        .collect();
    let tally = RowTally {
        matched: g.len() - missing.len(),
        expected: g.len(),
        got: x.len(),
    };
    if missing.is_empty() && extra.is_empty() {
        return (tally, None);
    }
    let mut d = format!(
        "{} of {} expected rows matched ({} rows extracted); {} missing, {} extra",
        tally.matched,
        tally.expected,
        tally.got,
        missing.len(),
        extra.len()
    );
    for r in &missing {
        let _ = write!(d, "\n  missing: {}", show_row(keys, r));
    }
    for r in &extra {
        let _ = write!(d, "\n  extra:   {}", show_row(keys, r));
    }
    (tally, Some(d))
}

// ---------------------------------------------------------------------------
// Rendering

mod render;
pub use render::{WIDE_FILES, render_diffs, render_table, to_golden_json};

/// The comparison as JSON (`check --json`): per file its forms, per form
/// each field's result; the problems (a missing or unreadable golden
/// file, a file that failed); totals.
pub fn to_json(reports: &[(String, FileComparison)], problems: &[String]) -> Value {
    use serde_json::json;
    let field = |f: &FieldResult| {
        json!({
            "field": f.field,
            "right": f.right,
            "warned": f.warned,
            "silent": f.silent(),
            "similarity": f.similarity,
            "rows": f.rows.map(|r| json!({"matched": r.matched, "expected": r.expected, "got": r.got})),
            "diff": f.diff,
        })
    };
    let files: Vec<Value> = reports
        .iter()
        .map(|(name, c)| {
            let forms: Vec<Value> = c
                .forms
                .iter()
                .map(|f| {
                    let presence = match f.presence {
                        FormPresence::Both => "both",
                        FormPresence::Missing => "missing",
                        FormPresence::Extra => "extra",
                    };
                    json!({
                        "index": f.index,
                        "label": f.label,
                        "presence": presence,
                        "fields": f.fields.iter().map(field).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "file": name,
                "golden_forms": c.golden_forms,
                "got_forms": c.got_forms,
                "right": c.right(),
                "total": c.total(),
                "silent": c.silent(),
                "forms": forms,
            })
        })
        .collect();
    let right: usize = reports.iter().map(|(_, c)| c.right()).sum();
    let total: usize = reports.iter().map(|(_, c)| c.total()).sum();
    let silent: usize = reports.iter().map(|(_, c)| c.silent()).sum();
    json!({
        "files": files,
        "problems": problems,
        "right": right,
        "total": total,
        "silent": silent,
        "all_right": all_right(reports) && problems.is_empty() && !reports.is_empty(),
    })
}

#[cfg(test)]
mod tests;
