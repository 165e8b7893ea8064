//! The store's flat exports: every table as CSV or JSON Lines.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;

use super::schema::{LOCATION_COLUMNS, row_columns, split};
use super::{Store, StoreResult};
use crate::out::file::{OutputFile, named};
use crate::record::Money;
use crate::template::{RecordField, Shape, Templates, ValueKind};

/// How a column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer.
    Int,
    /// 0/1 in the store: `true`/`false` in CSV and JSONL.
    Bool,
    /// A floating-point number.
    Real,
    /// Yuan with exactly two decimals in CSV, a JSON number in JSONL.
    Money,
    /// A string.
    Text,
    /// A date, `YYYY-MM-DD`: text in CSV and JSONL, a DATE in Parquet.
    Date,
    /// JSON text: a string in CSV, the JSON value itself in JSONL.
    Json,
}

impl Kind {
    /// The kind's name in [`tables_json`]: `int`, `bool`, `real`, `money`,
    /// `text`, `date`, `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Int => "int",
            Kind::Bool => "bool",
            Kind::Real => "real",
            Kind::Money => "money",
            Kind::Text => "text",
            Kind::Date => "date",
            Kind::Json => "json",
        }
    }
}

/// What another engine needs to make the exported tables itself
/// (`shenbao schema --tables`; the Spark job, `scripts/spark/`): every
/// table of [`tables`] with its columns, their kinds and the query that
/// reads it from a store (SQLite), and the SQL of
/// the copies and of `project_years` ([`super::views`]), which run over
/// relations named `forms` and `forms_latest`.
pub fn tables_json(t: &Templates) -> serde_json::Value {
    let tables: Vec<serde_json::Value> = tables(t, false)
        .iter()
        .map(|spec| {
            let cols: Vec<serde_json::Value> = spec
                .columns
                .iter()
                .map(|(n, k)| serde_json::json!({"name": n, "kind": k.as_str()}))
                .collect();
            serde_json::json!({"name": spec.name, "columns": cols, "query": spec.query})
        })
        .collect();
    serde_json::json!({
        "tables": tables,
        "templates": t.names().collect::<Vec<_>>(),
        "form_year": t.form_year(),
        "copies_sql": super::views::copies_select(t, None),
        "project_years_sql": super::views::project_years_select(t),
    })
}

/// One exported table: its file name, columns (name, kind) and the query
/// that yields them in a stable order.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// The table's name, also the export file's stem (`NAME.csv`).
    pub name: String,
    /// The columns, in order: name and how each is written.
    pub columns: Vec<(String, Kind)>,
    /// The SQL query yielding the rows, columns in order.
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

/// How a one-value field's column is written.
fn field_kind(f: &RecordField) -> Kind {
    match (f.kind, f.shape) {
        (ValueKind::Int, _) => Kind::Int,
        (ValueKind::Money, _) => Kind::Money,
        (_, Some(Shape::Date)) => Kind::Date,
        _ => Kind::Text,
    }
}

/// A child table's row columns, as exported.
fn row_kind(table: ValueKind, column: &str, sql_type: &str) -> Kind {
    match (table, column) {
        (ValueKind::FundingTable, "amount") => Kind::Money,
        _ if sql_type.starts_with("REAL") => Kind::Real,
        _ if sql_type.starts_with("INTEGER") => Kind::Int,
        _ => Kind::Text,
    }
}

/// A table of child rows keyed to their form (a table field, or the
/// warnings), ordered by form and position; `row` are the table's own
/// columns (all selected from it).
fn child_table(name: &str, row: Vec<(String, Kind)>) -> TableSpec {
    let mut columns = owned(KEY_COLUMNS);
    columns.push(("form_key".into(), Kind::Text));
    columns.push(("position".into(), Kind::Int));
    let query = format!(
        "SELECT f.path, f.form_index, f.form_key, c.position, {} FROM {name} c \
         JOIN forms f USING (form_id) ORDER BY f.path, f.form_index, c.position",
        names(&row, "c.")
    );
    columns.extend(row);
    TableSpec {
        name: name.to_string(),
        columns,
        query,
    }
}

/// The `forms` table: the keys, where the form was read and how many
/// copies of it the store holds (`counted`: this is the copy
/// `forms_latest` keeps), its one-value fields, its tables' row counts,
/// its warnings' count, and where each field was read.
fn forms_table(scalars: &[&RecordField], table_fields: &[&RecordField]) -> TableSpec {
    let mut forms = owned(KEY_COLUMNS);
    forms.extend(owned(&[
        ("sha256", Kind::Text),
        ("pages", Kind::Json),
        ("template", Kind::Text),
        ("form_key", Kind::Text),
        ("source_kind", Kind::Text),
        ("ocr", Kind::Bool),
    ]));
    let mut select = names(&forms, "f.");
    forms.push(("copies".into(), Kind::Int));
    forms.push(("counted".into(), Kind::Bool));
    select.push_str(", c.copies, c.copy_rank = 1 AND f.form_key IS NOT NULL");
    let mut rest: Vec<(String, Kind)> = scalars
        .iter()
        .map(|f| (f.key.clone(), field_kind(f)))
        .collect();
    rest.extend(
        table_fields
            .iter()
            .map(|f| (format!("n_{}", f.key), Kind::Int)),
    );
    rest.push(("n_warnings".into(), Kind::Int));
    rest.push(("provenance".into(), Kind::Json));
    let query = format!(
        "SELECT {select}, {} FROM forms f JOIN form_copies c USING (form_id) \
         ORDER BY f.path, f.form_index",
        names(&rest, "f.")
    );
    forms.extend(rest);
    TableSpec {
        name: "forms".into(),
        columns: forms,
        query,
    }
}

/// The `project_years` table ([`super::views::project_years_select`]),
/// by project and year; `None` when the template has no `[years]`.
fn project_years_table(set: &Templates) -> Option<TableSpec> {
    let names = super::views::project_years_columns(set)?;
    let t = set.years_template()?;
    let y = t.years.as_ref()?;
    // the view's own columns; the others are fields of the form
    let kind = |c: &str| match c {
        "form_index" | "last_form_index" => Kind::Int,
        "prior_budget_matches" | "spent_within_budget" | "mismatch" => Kind::Bool,
        "budget_growth" => Kind::Real,
        c if c.strip_prefix("last_") == Some(y.budget.as_str()) => Kind::Money,
        _ => t
            .record_fields()
            .iter()
            .find(|f| f.key == c)
            .map_or(Kind::Text, field_kind),
    };
    let columns: Vec<(String, Kind)> = names.iter().map(|c| (c.clone(), kind(c))).collect();
    let year = t.form_year.as_deref()?;
    let query = format!(
        "SELECT {} FROM project_years ORDER BY form_key, {year}",
        self::names(&columns, "")
    );
    Some(TableSpec {
        name: "project_years".into(),
        columns,
        query,
    })
}

/// The exported tables for a template, in the order they are written:
/// `files`, `forms`, one per table field, `warnings`, `project_years`
/// (with `[years]`). Rows are ordered by `path` (byte order of UTF-8),
/// then `form_index`, then `position`; `project_years` by project and
/// year. `timings` adds `elapsed_ms` and `ingested_at` to `files`.
pub fn tables(t: &Templates, timings: bool) -> Vec<TableSpec> {
    let fields = t.record_fields();
    let mut files = owned(FILES_COLUMNS);
    if timings {
        files.extend(owned(TIMING_COLUMNS));
    }
    let files_query = format!("SELECT {} FROM files ORDER BY path", names(&files, ""));
    let (scalars, table_fields) = split(fields);
    let mut out = vec![
        TableSpec {
            name: "files".into(),
            columns: files,
            query: files_query,
        },
        forms_table(&scalars, &table_fields),
    ];
    for f in table_fields {
        let row = row_columns(f)
            .into_iter()
            .chain(LOCATION_COLUMNS.iter().map(|(n, ty)| (n.to_string(), *ty)))
            .map(|(n, ty)| {
                let kind = row_kind(f.kind, &n, ty);
                (n, kind)
            })
            .collect();
        out.push(child_table(&f.key, row));
    }
    let warnings = owned(&[
        ("field", Kind::Text),
        ("code", Kind::Text),
        ("message", Kind::Text),
    ]);
    out.push(child_table("warnings", warnings));
    out.extend(project_years_table(t));
    out
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, one file per table.
    Csv,
    /// JSON Lines, one object per row.
    Jsonl,
    /// Parquet, one file per table, typed (Cargo feature `parquet`).
    Parquet,
}

impl Format {
    /// The file extension, without the dot: `csv` or `jsonl`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }
}

/// Options of [`export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// The file format to write.
    pub format: Format,
    /// Add `elapsed_ms` and `ingested_at` to `files` (makes the export
    /// differ between runs).
    pub timings: bool,
}

/// One written export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The file written.
    pub path: PathBuf,
    /// How many rows it holds.
    pub rows: u64,
}

/// Writes every table of [`tables`] as `DIR/NAME.csv` or `DIR/NAME.jsonl`
/// (and, for JSONL, the whole records as `DIR/records.jsonl`).
pub fn export(store: &Store, dir: &Path, opts: ExportOptions) -> StoreResult<Vec<Exported>> {
    std::fs::create_dir_all(dir).map_err(|e| named("create", dir, e))?;
    let mut out = Vec::new();
    for spec in tables(&store.templates, opts.timings) {
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
    if format == Format::Parquet {
        return export_parquet(store, spec, path);
    }
    let w = OutputFile::create(path)?;
    let mut st = store.conn.prepare(&spec.query).map_err(store.sql())?;
    let mut rows = st.query([]).map_err(store.sql())?;
    let mut values = Vec::with_capacity(spec.columns.len());
    let mut next = |values: &mut Vec<SqlValue>| -> StoreResult<bool> {
        values.clear();
        let Some(r) = rows.next().map_err(store.sql())? else {
            return Ok(false);
        };
        for i in 0..spec.columns.len() {
            values.push(r.get(i).map_err(store.sql())?);
        }
        Ok(true)
    };
    let mut n = 0u64;
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(w);
            out.write_record(spec.columns.iter().map(|(name, _)| name))
                .map_err(|e| csv_error(path, e))?;
            while next(&mut values)? {
                let fields = values.iter().zip(&spec.columns);
                out.write_record(fields.map(|(v, (_, kind))| csv_value(v, *kind)))
                    .map_err(|e| csv_error(path, e))?;
                n += 1;
            }
            let w = out
                .into_inner()
                .map_err(|e| csv_error(path, e.into_error()))?;
            w.commit()?;
        }
        Format::Jsonl | Format::Parquet => {
            let mut w = w;
            while next(&mut values)? {
                let row = JsonRow {
                    columns: &spec.columns,
                    values: &values,
                };
                serde_json::to_writer(&mut w, &row).map_err(std::io::Error::from)?;
                w.write_all(b"\n")?;
                n += 1;
            }
            w.commit()?;
        }
    }
    Ok(n)
}

#[cfg(feature = "parquet")]
fn export_parquet(store: &Store, spec: &TableSpec, path: &Path) -> StoreResult<u64> {
    super::parquet::export_table(store, spec, path)
}

#[cfg(not(feature = "parquet"))]
fn export_parquet(_: &Store, _: &TableSpec, path: &Path) -> StoreResult<u64> {
    Err(std::io::Error::other(format!(
        "{}: this build writes no Parquet (build with the Cargo feature `parquet`)",
        path.display()
    ))
    .into())
}

/// The csv crate's error as the I/O error it wraps (writing fails only
/// there), named with the path.
fn csv_error(path: &Path, e: impl Into<csv::Error>) -> std::io::Error {
    let e: csv::Error = e.into();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => named("write", path, std::io::Error::other(format!("{other:?}"))),
    }
}

/// A CSV field. NULL and an empty text are both written empty (the csv
/// crate, like DuckDB and pandas when they read, does not tell them apart;
/// JSONL keeps `null` and `""`).
fn csv_value(v: &SqlValue, kind: Kind) -> String {
    match (v, kind) {
        (SqlValue::Null, _) => String::new(),
        (SqlValue::Integer(i), Kind::Money) => format!("{i}.00"),
        (SqlValue::Integer(i), Kind::Bool) => (*i != 0).to_string(),
        (SqlValue::Real(x), Kind::Money) => Money((x * 100.0).round() as i64).to_string(),
        (SqlValue::Integer(i), _) => i.to_string(),
        (SqlValue::Real(x), _) => format!("{x}"),
        (SqlValue::Text(s), _) => s.clone(),
        (SqlValue::Blob(b), _) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// One JSONL row: the columns in their order, each value by its kind.
struct JsonRow<'a> {
    columns: &'a [(String, Kind)],
    values: &'a [SqlValue],
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let mut m = s.serialize_map(Some(self.columns.len()))?;
        for ((name, kind), v) in self.columns.iter().zip(self.values) {
            match (v, kind) {
                (SqlValue::Null, _) => m.serialize_entry(name, &())?,
                (SqlValue::Integer(i), Kind::Money) => m.serialize_entry(name, &Money(i * 100))?,
                (SqlValue::Integer(i), Kind::Bool) => m.serialize_entry(name, &(*i != 0))?,
                (SqlValue::Real(x), Kind::Money) => {
                    m.serialize_entry(name, &Money((x * 100.0).round() as i64))?
                }
                (SqlValue::Integer(i), _) => m.serialize_entry(name, i)?,
                (SqlValue::Real(x), _) => m.serialize_entry(name, x)?,
                (SqlValue::Text(t), Kind::Json) => {
                    let j: serde_json::Value = serde_json::from_str(t).map_err(S::Error::custom)?;
                    m.serialize_entry(name, &j)?
                }
                (SqlValue::Text(t), _) => m.serialize_entry(name, t)?,
                (SqlValue::Blob(b), _) => m.serialize_entry(name, &String::from_utf8_lossy(b))?,
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
