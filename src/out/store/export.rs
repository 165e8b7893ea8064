//! The store's flat exports: every table as CSV or JSON Lines.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;

use super::schema::{row_columns, split};
use super::{Store, StoreResult};
use crate::out::file::{OutputFile, named};
use crate::record::Money;
use crate::template::{RecordField, ValueKind};

/// How a column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    /// Yuan with exactly two decimals in CSV, a JSON number in JSONL.
    Money,
    Text,
    /// JSON text: a string in CSV, the JSON value itself in JSONL.
    Json,
}

/// One exported table: its file name, columns (name, kind) and the query
/// that yields them in a stable order.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub name: String,
    pub columns: Vec<(String, Kind)>,
    pub query: String,
}

const FILES_COLUMNS: &[(&str, Kind)] = &[
    ("path", Kind::Text),
    ("sha256", Kind::Text),
    ("size", Kind::Int),
    ("pages", Kind::Int),
    ("status", Kind::Text),
    ("error_code", Kind::Text),
    ("error", Kind::Text),
    ("forms", Kind::Int),
    ("extractor_version", Kind::Text),
];

/// The `files` columns written with timings.
const TIMING_COLUMNS: &[(&str, Kind)] = &[("elapsed_ms", Kind::Int), ("ingested_at", Kind::Int)];

const KEY_COLUMNS: &[(&str, Kind)] = &[("path", Kind::Text), ("form_index", Kind::Int)];

fn owned(cols: &[(&str, Kind)]) -> Vec<(String, Kind)> {
    cols.iter().map(|(n, k)| (n.to_string(), *k)).collect()
}

fn names(cols: &[(String, Kind)], prefix: &str) -> String {
    let n: Vec<String> = cols.iter().map(|(n, _)| format!("{prefix}{n}")).collect();
    n.join(", ")
}

/// How a column of a field's kind is written.
fn field_kind(kind: ValueKind) -> Kind {
    match kind {
        ValueKind::Int => Kind::Int,
        ValueKind::Money => Kind::Money,
        _ => Kind::Text,
    }
}

/// A child table's row columns, as exported.
fn row_kind(table: ValueKind, column: &str, sql_type: &str) -> Kind {
    match (table, column) {
        (ValueKind::FundingTable, "amount") => Kind::Money,
        _ if sql_type.starts_with("REAL") => Kind::Real,
        _ => Kind::Text,
    }
}

/// A table of child rows keyed to their form (a table field, or the
/// warnings), ordered by form and position.
fn child_table(name: &str, row: Vec<(String, Kind)>) -> TableSpec {
    let mut columns = owned(KEY_COLUMNS);
    columns.push(("position".into(), Kind::Int));
    let query = format!(
        "SELECT f.path, f.form_index, c.position, {} FROM {name} c JOIN forms f USING (form_id) \
         ORDER BY f.path, f.form_index, c.position",
        names(&row, "c.")
    );
    columns.extend(row);
    TableSpec {
        name: name.to_string(),
        columns,
        query,
    }
}

/// The exported tables for a field registry, in the order they are
/// written: `files`, `forms`, one per table field, `warnings`. Rows are
/// ordered by `path` (byte order of UTF-8), then `form_index`, then
/// `position`. `timings` adds `elapsed_ms` and `ingested_at` to `files`.
pub fn tables(fields: &[RecordField], timings: bool) -> Vec<TableSpec> {
    let mut files = owned(FILES_COLUMNS);
    if timings {
        files.extend(owned(TIMING_COLUMNS));
    }
    let files_query = format!("SELECT {} FROM files ORDER BY path", names(&files, ""));
    let (scalars, table_fields) = split(fields);
    let mut forms = owned(KEY_COLUMNS);
    forms.push(("sha256".into(), Kind::Text));
    forms.push(("pages".into(), Kind::Json));
    forms.extend(scalars.iter().map(|f| (f.key.clone(), field_kind(f.kind))));
    forms.extend(
        table_fields
            .iter()
            .map(|f| (format!("n_{}", f.key), Kind::Int)),
    );
    forms.push(("n_warnings".into(), Kind::Int));
    let forms_query = format!(
        "SELECT {} FROM forms ORDER BY path, form_index",
        names(&forms, "")
    );
    let mut out = vec![
        TableSpec {
            name: "files".into(),
            columns: files,
            query: files_query,
        },
        TableSpec {
            name: "forms".into(),
            columns: forms,
            query: forms_query,
        },
    ];
    for f in table_fields {
        let row = row_columns(f.kind)
            .iter()
            .map(|(n, ty)| (n.to_string(), row_kind(f.kind, n, ty)))
            .collect();
        out.push(child_table(&f.key, row));
    }
    let warnings = owned(&[
        ("field", Kind::Text),
        ("code", Kind::Text),
        ("message", Kind::Text),
    ]);
    out.push(child_table("warnings", warnings));
    out
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// Options of [`export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub format: Format,
    /// Add `elapsed_ms` and `ingested_at` to `files` (makes the export
    /// differ between runs).
    pub timings: bool,
}

/// One written export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub path: PathBuf,
    pub rows: u64,
}

/// Writes every table of [`tables`] as `DIR/NAME.csv` or `DIR/NAME.jsonl`
/// (and, for JSONL, the whole records as `DIR/records.jsonl`).
pub fn export(store: &Store, dir: &Path, opts: ExportOptions) -> StoreResult<Vec<Exported>> {
    std::fs::create_dir_all(dir).map_err(|e| named("create", dir, e))?;
    let mut out = Vec::new();
    for spec in tables(&store.fields, opts.timings) {
        let path = dir.join(format!("{}.{}", spec.name, opts.format.extension()));
        let rows = export_table(store, &spec, opts.format, &path)?;
        out.push(Exported { path, rows });
    }
    if opts.format == Format::Jsonl {
        let path = dir.join("records.jsonl");
        let mut w = OutputFile::create(&path)?;
        let mut st = store
            .conn
            .prepare("SELECT record FROM forms ORDER BY path, form_index")
            .map_err(store.sql())?;
        let mut rows = st.query([]).map_err(store.sql())?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(store.sql())? {
            let s: String = r.get(0).map_err(store.sql())?;
            w.write_all(s.as_bytes())?;
            w.write_all(b"\n")?;
            n += 1;
        }
        w.commit()?;
        out.push(Exported { path, rows: n });
    }
    Ok(out)
}

fn export_table(store: &Store, spec: &TableSpec, format: Format, path: &Path) -> StoreResult<u64> {
    let mut w = OutputFile::create(path)?;
    if format == Format::Csv {
        let header: Vec<String> = spec.columns.iter().map(|(n, _)| csv_field(n)).collect();
        w.write_all(header.join(",").as_bytes())?;
        w.write_all(b"\n")?;
    }
    let mut st = store.conn.prepare(&spec.query).map_err(store.sql())?;
    let mut rows = st.query([]).map_err(store.sql())?;
    let mut n = 0u64;
    let mut line = String::new();
    while let Some(r) = rows.next().map_err(store.sql())? {
        line.clear();
        if format == Format::Jsonl {
            line.push('{');
        }
        for (i, (name, kind)) in spec.columns.iter().enumerate() {
            let v: SqlValue = r.get(i).map_err(store.sql())?;
            if i > 0 {
                line.push(',');
            }
            match format {
                Format::Csv => line.push_str(&csv_value(&v, *kind)),
                Format::Jsonl => {
                    line.push_str(&serde_json::Value::from(name.as_str()).to_string());
                    line.push(':');
                    line.push_str(&json_value(&v, *kind));
                }
            }
        }
        if format == Format::Jsonl {
            line.push('}');
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        n += 1;
    }
    w.commit()?;
    Ok(n)
}

/// A CSV field: quoted when it holds a comma, quote, CR or LF, or is
/// empty (an empty quoted field is an empty string; an unquoted empty
/// field is NULL).
fn csv_field(s: &str) -> String {
    if s.is_empty() || s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_value(v: &SqlValue, kind: Kind) -> String {
    match (v, kind) {
        (SqlValue::Null, _) => String::new(),
        (SqlValue::Integer(i), Kind::Money) => format!("{i}.00"),
        (SqlValue::Real(x), Kind::Money) => Money((x * 100.0).round() as i64).to_string(),
        (SqlValue::Integer(i), _) => i.to_string(),
        (SqlValue::Real(x), _) => format!("{x}"),
        (SqlValue::Text(s), _) => csv_field(s),
        (SqlValue::Blob(b), _) => csv_field(&String::from_utf8_lossy(b)),
    }
}

fn json_value(v: &SqlValue, kind: Kind) -> String {
    match (v, kind) {
        (SqlValue::Null, _) => "null".into(),
        (SqlValue::Integer(i), Kind::Money) => serde_json::Value::from(*i as f64).to_string(),
        (SqlValue::Integer(i), _) => i.to_string(),
        (SqlValue::Real(x), _) => serde_json::Value::from(*x).to_string(),
        (SqlValue::Text(s), Kind::Json) => s.clone(),
        (SqlValue::Text(s), _) => serde_json::Value::from(s.as_str()).to_string(),
        (SqlValue::Blob(b), _) => {
            serde_json::Value::from(String::from_utf8_lossy(b).into_owned()).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field(""), "\"\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
    }

    #[test]
    fn money_is_written_with_two_decimals_in_csv() {
        assert_eq!(
            csv_value(&SqlValue::Real(42429660.5), Kind::Money),
            "42429660.50"
        );
        assert_eq!(csv_value(&SqlValue::Real(0.07), Kind::Money), "0.07");
        assert_eq!(csv_value(&SqlValue::Null, Kind::Money), "");
    }
}
