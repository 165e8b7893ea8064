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
//! - scalars (`title`, `year`, `unit`, `project_name`, `project_type`,
//!   `fund_use`, dates, the four amounts): exact; numbers compare as fen
//!   (`round(x * 100)`);
//! - texts ([`TEXT_FIELDS`]): equal once all white space is removed; `null`
//!   equals only `null` or an all-white-space string; the similarity is kept;
//! - tables (`funding_components`, `indicators`): multisets of rows; a row
//!   matches a row equal on every key of the table (strings white space
//!   insensitive, a blank string equal to `null`, numbers as fen,
//!   `target_parsed` included); a missing table or `null` is no rows;
//! - a form missing from (or extra in) the extraction is wrong on every field.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::normalize::{similarity, squeeze, text_equivalent};
pub use crate::record::TEXT_FIELDS;

/// Every compared field, in record order.
pub use crate::record::CONTENT_FIELDS as FIELDS;

/// The keys of a funding component row.
pub const FUNDING_KEYS: &[&str] = &["name", "amount"];
/// The keys of an indicator row.
pub const INDICATOR_KEYS: &[&str] = &["level1", "level2", "level3", "target", "target_parsed"];

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

/// How `field` is compared.
pub fn field_kind(field: &str) -> FieldKind {
    match field {
        "funding_components" => FieldKind::Table(FUNDING_KEYS),
        "indicators" => FieldKind::Table(INDICATOR_KEYS),
        f if TEXT_FIELDS.contains(&f) => FieldKind::Text,
        _ => FieldKind::Scalar,
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
    pub field: &'static str,
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
    pub presence: FormPresence,
    /// One result per entry of [`FIELDS`], in that order.
    pub fields: Vec<FieldResult>,
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileComparison {
    pub golden_forms: usize,
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

/// Writes records as a golden file: a JSON array holding only the content
/// keys ([`FIELDS`]), in record order, one table row a line, row keys in
/// table order (`target_parsed` as `op`, `value`, `unit`), so the file reads
/// and edits like the form. Missing keys are written as `null` (`[]` for
/// tables). Parses back ([`parse_records`]) to the same content.
pub fn to_golden_json(records: &[Value]) -> String {
    fn ordered(v: &Value, keys: &[&str]) -> String {
        match v.as_object() {
            Some(m) => {
                let mut parts: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        let x = m.get(*k).unwrap_or(&NULL);
                        let x = if *k == "target_parsed" && x.is_object() {
                            ordered(x, &["op", "value", "unit"])
                        } else {
                            x.to_string()
                        };
                        format!("{}: {x}", Value::from(*k))
                    })
                    .collect();
                // Keys outside the known order are kept, after the known ones.
                let mut rest: Vec<(&String, &Value)> = m
                    .iter()
                    .filter(|(k, _)| !keys.contains(&k.as_str()))
                    .collect();
                rest.sort_by(|a, b| a.0.cmp(b.0));
                parts.extend(
                    rest.into_iter()
                        .map(|(k, x)| format!("{}: {x}", Value::from(k.as_str()))),
                );
                format!("{{{}}}", parts.join(", "))
            }
            None => v.to_string(),
        }
    }
    let mut out = String::from("[");
    for (i, rec) in records.iter().enumerate() {
        out.push_str(if i == 0 { "\n  {" } else { ",\n  {" });
        for (j, field) in FIELDS.iter().enumerate() {
            out.push_str(if j == 0 { "\n" } else { ",\n" });
            let v = rec.get(field).unwrap_or(&NULL);
            let _ = write!(out, "    {}: ", Value::from(*field));
            match field_kind(field) {
                FieldKind::Table(keys) => {
                    let rows = rows_of(v);
                    if rows.is_empty() {
                        out.push_str("[]");
                    } else {
                        out.push('[');
                        for (k, row) in rows.iter().enumerate() {
                            out.push_str(if k == 0 { "\n      " } else { ",\n      " });
                            out.push_str(&ordered(row, keys));
                        }
                        out.push_str("\n    ]");
                    }
                }
                _ => out.push_str(&v.to_string()),
            }
        }
        out.push_str("\n  }");
    }
    out.push_str(if records.is_empty() { "]\n" } else { "\n]\n" });
    out
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
pub const INDICATOR_KEYS_NO_LEVELS: &[&str] = &["level3", "target", "target_parsed"];

/// Compares the forms of one file, paired by index.
pub fn compare_forms(golden: &[Value], got: &[Value]) -> FileComparison {
    compare_forms_with(golden, got, Tolerance::default())
}

/// [`compare_forms`] with a [`Tolerance`].
pub fn compare_forms_with(golden: &[Value], got: &[Value], tol: Tolerance) -> FileComparison {
    let n = golden.len().max(got.len());
    let forms = (0..n)
        .map(|i| {
            let (g, x) = (golden.get(i), got.get(i));
            let label = [g, x]
                .into_iter()
                .flatten()
                .find_map(|v| v.get("project_name").and_then(Value::as_str))
                .map(str::to_string);
            match (g, x) {
                (Some(g), Some(x)) => FormComparison {
                    index: i,
                    label,
                    presence: FormPresence::Both,
                    fields: FIELDS
                        .iter()
                        .map(|f| {
                            let mut r = compare_field_with(f, g, x, tol);
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
                        fields: FIELDS
                            .iter()
                            .map(|f| FieldResult {
                                field: f,
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

/// Compares one field of two records, with a [`Tolerance`].
pub fn compare_field_with(
    field: &'static str,
    golden: &Value,
    got: &Value,
    tol: Tolerance,
) -> FieldResult {
    let g = golden.get(field).unwrap_or(&NULL);
    let x = got.get(field).unwrap_or(&NULL);
    let mut r = FieldResult {
        field,
        right: false,
        similarity: None,
        rows: None,
        diff: None,
        warned: false,
    };
    match field_kind(field) {
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
            let keys = if field == "indicators" && tol.ignore_indicator_levels {
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
        "first difference at char {pos} (white space ignored; expected {} chars, got {}), similarity {:.3}\n  expected: {}▶{}\n  got:      {}▶{}",
        g.len(),
        x.len(),
        similarity,
        before(&g),
        after(&g),
        before(&x),
        after(&x),
    )
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

/// Terminal display width: 2 for East Asian wide/full-width characters.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// At most `w` display columns of `s`, ending in `…` when cut.
fn clip(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(c.encode_utf8(&mut [0; 4])) + 1 > w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn percent(right: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        100.0 * right as f64 / total as f64
    }
}

/// Up to this many files, columns carry (clipped) file names and cells read
/// `ok`, `x` or `right/total`, with a row of per-file accuracy; beyond it,
/// each file is a one-character column (numbered in a vertical header, in
/// groups of ten) reading `✓`, `✗` or `~` (partly right), and a legend
/// after the table names each number with the file's accuracy.
pub const WIDE_FILES: usize = 8;

/// The accuracy table: one row per field (record order), one column per
/// file, a last column with the field's accuracy over all files, and a
/// final line `overall: N/M fields right (P%)`.
///
/// A cell is over all forms of the file: all right, none right, or partly
/// right. A file whose form count differs from the golden one is marked `*`.
pub fn render_table(files: &[(String, FileComparison)]) -> String {
    if files.len() > WIDE_FILES {
        return render_compact(files);
    }
    let headers: Vec<String> = files
        .iter()
        .map(|(name, c)| {
            let star = if c.golden_forms != c.got_forms {
                "*"
            } else {
                ""
            };
            format!("{}{star}", clip(name, 14))
        })
        .collect();
    let col_w: Vec<usize> = headers.iter().map(|h| width(h).max(5)).collect();
    let first_w = first_width();
    let mut out = String::new();
    let mut line = pad("field", first_w);
    for (h, w) in headers.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(h, *w));
    }
    line.push_str("  accuracy");
    out.push_str(&line);
    out.push('\n');
    for field in FIELDS {
        let mut line = pad(field, first_w);
        for ((_, c), w) in files.iter().zip(&col_w) {
            let (r, t) = c.field_tally(field);
            let cell = match (r, t) {
                (_, 0) => "-".to_string(),
                (r, t) if r == t => "ok".to_string(),
                (0, _) => "x".to_string(),
                (r, t) => format!("{r}/{t}"),
            };
            line.push_str("  ");
            line.push_str(&pad(&cell, *w));
        }
        line.push_str("  ");
        line.push_str(&field_accuracy(files, field));
        out.push_str(&line);
        out.push('\n');
    }
    let mut line = pad("all fields", first_w);
    for ((_, c), w) in files.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(&format!("{:.0}%", percent(c.right(), c.total())), *w));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    let mut line = pad("silent", first_w);
    for ((_, c), w) in files.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(&c.silent().to_string(), *w));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    if files.iter().any(|(_, c)| c.golden_forms != c.got_forms) {
        out.push('\n');
        for (name, c) in files.iter().filter(|(_, c)| c.golden_forms != c.got_forms) {
            let _ = writeln!(out, "{name}{}", count_note(c));
        }
    }
    out.push_str(&overall_line(files));
    out
}

fn first_width() -> usize {
    FIELDS
        .iter()
        .map(|f| f.len())
        .max()
        .unwrap_or(0)
        .max("all fields".len())
}

fn field_accuracy(files: &[(String, FileComparison)], field: &str) -> String {
    let (right, total) = files.iter().fold((0, 0), |(r, t), (_, c)| {
        let (fr, ft) = c.field_tally(field);
        (r + fr, t + ft)
    });
    format!("{right}/{total} {:.0}%", percent(right, total))
}

fn overall_line(files: &[(String, FileComparison)]) -> String {
    let (right, total) = files
        .iter()
        .fold((0, 0), |(r, t), (_, c)| (r + c.right(), t + c.total()));
    let silent: usize = files.iter().map(|(_, c)| c.silent()).sum();
    format!(
        "overall: {right}/{total} fields right ({:.1}%), {silent} silent (wrong, no warning)\n",
        percent(right, total)
    )
}

/// The table for many files: one character per file.
fn render_compact(files: &[(String, FileComparison)]) -> String {
    let first_w = first_width();
    let n = files.len();
    let digits = n.to_string().len();
    // Columns of file i (0-based) with a space before every group of ten.
    let row = |cells: &mut dyn Iterator<Item = String>| -> String {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i % 10 == 0 && i > 0 {
                s.push(' ');
            }
            s.push_str(&c);
        }
        s
    };
    let mut out = String::new();
    for d in 0..digits {
        let mut cells = (1..=n).map(|i| {
            let num = format!("{i:>digits$}");
            num[d..d + 1].to_string()
        });
        let label = if d + 1 == digits { "field" } else { "" };
        let mut line = format!("{}  {}", pad(label, first_w), row(&mut cells));
        if d + 1 == digits {
            line.push_str("  accuracy");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for field in FIELDS {
        let mut cells = files.iter().map(|(_, c)| {
            let (r, t) = c.field_tally(field);
            match (r, t) {
                (_, 0) => "-",
                (r, t) if r == t => "✓",
                (0, _) => "✗",
                _ => "~",
            }
            .to_string()
        });
        let _ = writeln!(
            out,
            "{}  {}  {}",
            pad(field, first_w),
            row(&mut cells),
            field_accuracy(files, field)
        );
    }
    out.push_str("\nfiles (✓ all forms right, ✗ none, ~ some, - no forms):\n");
    for (i, (name, c)) in files.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>w$}  {name}: {}/{} {:.0}%{}{}",
            i + 1,
            c.right(),
            c.total(),
            percent(c.right(), c.total()),
            match c.silent() {
                0 => String::new(),
                n => format!(", {n} silent"),
            },
            count_note(c),
            w = digits.max(3)
        );
    }
    out.push_str(&overall_line(files));
    out
}

fn count_note(c: &FileComparison) -> String {
    if c.golden_forms == c.got_forms {
        String::new()
    } else {
        format!(
            " (* form count: golden {}, extracted {})",
            c.golden_forms, c.got_forms
        )
    }
}

/// Every wrong field with its diff, file by file.
pub fn render_diffs(files: &[(String, FileComparison)]) -> String {
    let mut out = String::new();
    for (name, c) in files {
        let wrong = c.total() - c.right();
        if wrong == 0 && c.golden_forms == c.got_forms {
            continue;
        }
        let _ = writeln!(
            out,
            "== {name}: {wrong} wrong of {} fields, {} of them silent",
            c.total(),
            c.silent()
        );
        if c.golden_forms != c.got_forms {
            let _ = writeln!(
                out,
                "form count: golden {}, extracted {}",
                c.golden_forms, c.got_forms
            );
        }
        for form in &c.forms {
            let label = match &form.label {
                Some(l) => format!(" ({l})"),
                None => String::new(),
            };
            if form.presence != FormPresence::Both {
                let what = match form.presence {
                    FormPresence::Missing => "missing from the extraction",
                    _ => "extra, not in the golden file",
                };
                let _ = writeln!(
                    out,
                    "form {}{label}: {what}: all {} fields wrong",
                    form.index + 1,
                    form.fields.len()
                );
                continue;
            }
            for r in form.fields.iter().filter(|r| !r.right) {
                let _ = writeln!(
                    out,
                    "form {}{label} {}{}: {}",
                    form.index + 1,
                    r.field,
                    if r.warned { " (warned)" } else { " (SILENT)" },
                    r.diff.as_deref().unwrap_or("differs")
                );
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form() -> Value {
        json!({
            "title": "上海市财政支出项目绩效目标申报表",
            "year": 2019,
            "unit": "上海市大数据中心",
            "project_name": "市政务外网通信服务费（运维）",
            "project_type": "经常性专项业务费",
            "fund_use": "信息化建设类",
            "start_date": "2019-01-01",
            "end_date": "2019-12-31",
            "overview": "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求建设的。\n上海市政务外网对应国家政务外网。",
            "basis": "根据《国家信息化领导小组关于我国电子政务建设的指导意见》的要求。",
            "necessity": "建设上海市政务外网。",
            "safeguards": "项目实施制度规范包括：《上海市政务外网日常运行管理办法》。",
            "total_budget": 42429660.0,
            "current_year_budget": 42429660.0,
            "prior_year_budget": 44862660.0,
            "prior_year_spent": 44640200.0,
            "funding_components": [{"name": "市政务外网通信服务费", "amount": 42429660.0}],
            "implementation_plan": "根据需要落实市政务外网网络接入建设。",
            "overall_goal": "确保政务外网安全、稳定、高效运行。",
            "annual_goal": "及时完成市政务外网年度网络接入建设。",
            "indicators": [
                {"level1": "产出目标", "level2": "数量目标", "level3": "完成率", "target": "100%",
                 "target_parsed": {"op": "=", "value": 100.0, "unit": "%"}},
                {"level1": "产出目标", "level2": "质量目标", "level3": "网络链路达标率", "target": "100%",
                 "target_parsed": {"op": "=", "value": 100.0, "unit": "%"}},
                {"level1": "效果目标", "level2": "满意度", "level3": "社会满意度", "target": "≥90%",
                 "target_parsed": {"op": "≥", "value": 90.0, "unit": "%"}}
            ],
            "remarks": null
        })
    }

    fn wrong_fields(c: &FileComparison) -> Vec<&'static str> {
        c.wrong().map(|(_, r)| r.field).collect()
    }

    #[test]
    fn matching_pair_is_all_right() {
        let c = compare_forms(&[form()], &[form()]);
        assert!(c.all_right());
        assert_eq!(c.total(), FIELDS.len());
        assert_eq!(c.right(), FIELDS.len());
        assert!(all_right(&[("a".to_string(), c.clone())]));
        assert!(render_diffs(&[("a".to_string(), c)]).is_empty());
    }

    #[test]
    fn extraction_extra_keys_are_ignored() {
        let mut got = form();
        got["source"] = json!({"file": "a.pdf", "sha256": "00", "form_index": 0, "pages": [1, 2]});
        got["warnings"] = json!([]);
        assert!(compare_forms(&[form()], &[got]).all_right());
    }

    #[test]
    fn scalar_mismatch_is_wrong_with_expected_got() {
        let mut got = form();
        got["start_date"] = json!("2019-01-02");
        got["year"] = Value::Null;
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(wrong_fields(&c), vec!["year", "start_date"]);
        let d = render_diffs(&[("f".to_string(), c)]);
        assert!(
            d.contains(r#"start_date (SILENT): expected "2019-01-01", got "2019-01-02""#),
            "{d}"
        );
        assert!(d.contains("year (SILENT): expected 2019, got null"), "{d}");
    }

    #[test]
    fn amounts_compare_as_fen() {
        let mut got = form();
        got["total_budget"] = json!(42429660);
        got["current_year_budget"] = json!(42429660.001);
        assert!(compare_forms(&[form()], &[got.clone()]).all_right());
        got["prior_year_spent"] = json!(44640200.01);
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(wrong_fields(&c), vec!["prior_year_spent"]);
    }

    #[test]
    fn whitespace_only_text_difference_is_right() {
        let mut got = form();
        got["overview"] = json!(
            "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求\n建设的。 上海市政务外网\u{3000}对应国家政务外网。"
        );
        let c = compare_forms(&[form()], &[got]);
        assert!(c.all_right());
        let r = &c.forms[0].fields[FIELDS.iter().position(|f| *f == "overview").unwrap()];
        assert_eq!(r.similarity, Some(1.0));
    }

    #[test]
    fn text_null_equals_only_null_or_blank() {
        let mut got = form();
        got["remarks"] = json!("  \n");
        assert!(compare_forms(&[form()], &[got.clone()]).all_right());
        got["remarks"] = json!("无");
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(wrong_fields(&c), vec!["remarks"]);
        assert!(
            c.wrong()
                .next()
                .unwrap()
                .1
                .diff
                .as_deref()
                .unwrap()
                .contains("expected null")
        );
    }

    #[test]
    fn text_mismatch_shows_position_context_and_similarity() {
        let mut got = form();
        got["overview"] = json!(
            "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求建设的。\n上海市政务内网对应国家政务外网。"
        );
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(wrong_fields(&c), vec!["overview"]);
        let (_, r) = c.wrong().next().unwrap();
        let sim = r.similarity.unwrap();
        assert!(sim > 0.9 && sim < 1.0, "{sim}");
        let d = r.diff.as_deref().unwrap();
        assert!(d.contains("first difference at char 40"), "{d}");
        assert!(
            d.contains("expected: …17号文件明确规定要求建设的。上海市政务▶外网对应国家政务外网。"),
            "{d}"
        );
        assert!(
            d.contains("got:      …17号文件明确规定要求建设的。上海市政务▶内网对应国家政务外网。"),
            "{d}"
        );
        assert!(d.contains("similarity 0.9"), "{d}");
    }

    #[test]
    fn reordered_indicator_rows_are_right() {
        let mut got = form();
        got["indicators"].as_array_mut().unwrap().reverse();
        got["funding_components"][0]["name"] = json!("市政务外网 通信服务费");
        let c = compare_forms(&[form()], &[got]);
        assert!(c.all_right());
        let r = &c.forms[0].fields[FIELDS.iter().position(|f| *f == "indicators").unwrap()];
        assert_eq!(
            r.rows,
            Some(RowTally {
                matched: 3,
                expected: 3,
                got: 3
            })
        );
    }

    #[test]
    fn missing_indicator_row_is_wrong_and_in_diff() {
        let mut got = form();
        got["indicators"].as_array_mut().unwrap().remove(1);
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(wrong_fields(&c), vec!["indicators"]);
        let d = render_diffs(&[("f".to_string(), c)]);
        assert!(d.contains("2 of 3 expected rows matched"), "{d}");
        assert!(
            d.contains("missing: 产出目标 | 质量目标 | 网络链路达标率 | 100% | {= 100.0 %}"),
            "{d}"
        );
    }

    #[test]
    fn duplicate_rows_count_as_a_multiset() {
        let mut golden = form();
        let row = golden["indicators"][0].clone();
        golden["indicators"].as_array_mut().unwrap().push(row);
        let c = compare_forms(&[golden], &[form()]);
        assert_eq!(wrong_fields(&c), vec!["indicators"]);
    }

    #[test]
    fn target_parsed_difference_is_an_extra_and_missing_row() {
        let mut got = form();
        got["indicators"][2]["target_parsed"] = Value::Null;
        let c = compare_forms(&[form()], &[got]);
        let (_, r) = c.wrong().next().unwrap();
        let d = r.diff.as_deref().unwrap();
        assert!(d.contains("1 missing, 1 extra"), "{d}");
        assert!(
            d.contains("extra:   效果目标 | 满意度 | 社会满意度 | ≥90% | null"),
            "{d}"
        );
    }

    #[test]
    fn blank_cell_equals_null_in_rows() {
        let mut golden = form();
        golden["indicators"][0]["level2"] = Value::Null;
        let mut got = form();
        got["indicators"][0]["level2"] = json!(" ");
        assert!(compare_forms(&[golden], &[got]).all_right());
    }

    #[test]
    fn null_table_equals_empty_table() {
        let mut golden = form();
        golden["funding_components"] = json!([]);
        let mut got = form();
        got["funding_components"] = Value::Null;
        assert!(compare_forms(&[golden], &[got]).all_right());
    }

    #[test]
    fn form_count_mismatch_counts_every_field_wrong() {
        let c = compare_forms(&[form(), form()], &[form()]);
        assert!(!c.all_right());
        assert_eq!(c.total(), 2 * FIELDS.len());
        assert_eq!(c.right(), FIELDS.len());
        assert_eq!(c.forms[1].presence, FormPresence::Missing);
        let files = vec![("two".to_string(), c)];
        assert!(!all_right(&files));
        let d = render_diffs(&files);
        assert!(d.contains("form count: golden 2, extracted 1"), "{d}");
        assert!(
            d.contains("form 2 (市政务外网通信服务费（运维）): missing"),
            "{d}"
        );

        let c = compare_forms(&[], &[form()]);
        assert_eq!(c.forms[0].presence, FormPresence::Extra);
        assert_eq!(c.right(), 0);
        assert_eq!(c.total(), FIELDS.len());
    }

    #[test]
    fn table_few_files_named_columns() {
        let mut got = form();
        got["unit"] = json!("别的单位");
        let files = vec![
            (
                "2019-dsjzx".to_string(),
                compare_forms(&[form(), form()], &[form(), got]),
            ),
            ("other".to_string(), compare_forms(&[form()], &[form()])),
        ];
        let t = render_table(&files);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("field"), "{t}");
        assert!(
            lines[0].contains("2019-dsjzx") && lines[0].contains("accuracy"),
            "{t}"
        );
        let unit = lines.iter().find(|l| l.starts_with("unit ")).unwrap();
        assert!(unit.contains("1/2") && unit.contains("2/3 67%"), "{t}");
        let title = lines.iter().find(|l| l.starts_with("title ")).unwrap();
        assert!(title.contains("ok") && title.contains("3/3 100%"), "{t}");
        assert_eq!(lines.len(), 1 + FIELDS.len() + 2 + 1, "{t}");
        let total = 3 * FIELDS.len();
        assert_eq!(
            *lines.last().unwrap(),
            format!(
                "overall: {}/{total} fields right ({:.1}%), 1 silent (wrong, no warning)",
                total - 1,
                100.0 * (total - 1) as f64 / total as f64
            )
        );
    }

    #[test]
    fn wrong_field_with_a_warning_on_it_is_not_silent() {
        let mut got = form();
        got["unit"] = json!("别的单位");
        got["indicators"] = json!([]);
        got["warnings"] = json!([{"field": "indicators[2]", "code": "page_cut", "message": ""}]);
        let c = compare_forms(&[form()], &[got]);
        assert_eq!(c.total() - c.right(), 2);
        assert_eq!(c.silent(), 1);
        let silent: Vec<&str> = c
            .wrong()
            .filter(|(_, r)| r.silent())
            .map(|(_, r)| r.field)
            .collect();
        assert_eq!(silent, ["unit"]);
    }

    #[test]
    fn a_warning_on_a_longer_field_name_does_not_cover_a_prefix() {
        let got = json!({"warnings": [{"field": "unit_code", "code": "x", "message": ""}]});
        assert!(!has_warning(&got, "unit"));
        assert!(has_warning(
            &json!({"warnings": [{"field": "unit", "code": "x", "message": ""}]}),
            "unit"
        ));
    }

    #[test]
    fn fields_of_a_file_that_failed_with_its_reason_are_not_silent() {
        let mut c = compare_forms(&[form()], &[]);
        assert_eq!(c.silent(), FIELDS.len());
        c.mark_failed();
        assert_eq!(c.silent(), 0);
        assert_eq!(c.right(), 0);
    }

    #[test]
    fn fields_of_a_missing_form_are_silent() {
        let c = compare_forms(&[form(), form()], &[form()]);
        assert_eq!(c.silent(), FIELDS.len());
    }

    #[test]
    fn table_many_files_numbered_columns_with_legend() {
        let files: Vec<(String, FileComparison)> = (0..30)
            .map(|i| {
                let mut got = form();
                if i == 3 {
                    got["end_date"] = Value::Null;
                }
                (format!("file-{i:02}"), compare_forms(&[form()], &[got]))
            })
            .collect();
        let t = render_table(&files);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0].trim(), "1 1111111112 2222222223", "{t}");
        assert!(lines[1].starts_with("field "), "{t}");
        assert!(
            lines[1].ends_with("1234567890 1234567890 1234567890  accuracy"),
            "{t}"
        );
        assert!(lines.iter().all(|l| width(l) <= 80), "{t}");
        let end = lines.iter().find(|l| l.starts_with("end_date ")).unwrap();
        assert!(
            end.contains("✓✓✓✗✓✓✓✓✓✓ ✓✓") && end.ends_with("29/30 97%"),
            "{t}"
        );
        assert!(t.contains("  4  file-03: 21/22 95%, 1 silent\n"), "{t}");
        assert!(t.ends_with(&format!(
            "overall: {}/{} fields right (99.8%), 1 silent (wrong, no warning)\n",
            30 * FIELDS.len() - 1,
            30 * FIELDS.len()
        )));
    }

    #[test]
    fn table_marks_form_count_mismatch() {
        let files = vec![(
            "short".to_string(),
            compare_forms(&[form(), form()], &[form()]),
        )];
        let t = render_table(&files);
        assert!(t.lines().next().unwrap().contains("short*"), "{t}");
        assert!(
            t.contains("short (* form count: golden 2, extracted 1)"),
            "{t}"
        );
    }

    #[test]
    fn parse_records_array_or_jsonl() {
        let a = parse_records("[{\"a\":1},{\"a\":2}]").unwrap();
        let b = parse_records("{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert!(parse_records("{").is_err());
    }

    #[test]
    fn golden_json_keeps_content_in_record_order() {
        let mut rec = form();
        rec["source"] = json!({"file": "a.pdf"});
        rec["warnings"] = json!([{"field": "x", "code": "y", "message": "z"}]);
        let text = to_golden_json(&[rec, form()]);
        let back = parse_records(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert!(back[0].get("source").is_none() && back[0].get("warnings").is_none());
        assert!(compare_forms(&[form(), form()], &back).all_right());
        assert!(text.starts_with("[\n  {\n    \"title\": "), "{text}");
        let pos = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        assert!(
            pos("year") < pos("unit") && pos("funding_components") < pos("implementation_plan")
        );
        assert!(text.contains(
            "\n      {\"level1\": \"产出目标\", \"level2\": \"数量目标\", \"level3\": \"完成率\", \"target\": \"100%\", \"target_parsed\": {\"op\": \"=\", \"value\": 100.0, \"unit\": \"%\"}}"
        ), "{text}");
        assert_eq!(to_golden_json(&[]), "[]\n");
        let sparse = parse_records(&to_golden_json(&[json!({"title": "t"})])).unwrap();
        assert_eq!(sparse[0]["indicators"], json!([]));
        assert_eq!(sparse[0]["year"], Value::Null);
    }

    #[test]
    fn clip_and_width_handle_cjk() {
        assert_eq!(width("上海ab"), 6);
        assert_eq!(clip("上海市大数据中心", 7), "上海市…");
        assert_eq!(clip("short", 7), "short");
    }
}
