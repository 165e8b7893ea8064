//! The store's tables, derived from the template's field registry
//! ([`crate::template::Template::record_fields`]): `forms` has a column per
//! one-value field and a row count per table field, and each table field
//! has a child table of its name. For the built-in template the tables are
//! those documented in `docs/store.md`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter};

use super::views;
use crate::record::{Location, Money, Record, Value};
use crate::template::{RecordField, ValueKind};

/// The tables that do not depend on the template.
const FILES_SQL: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    file_id           INTEGER PRIMARY KEY,
    path              TEXT NOT NULL UNIQUE,
    sha256            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    pages             INTEGER,
    status            TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error_code        TEXT,
    error             TEXT,
    forms             INTEGER NOT NULL,
    extractor_version TEXT NOT NULL,
    elapsed_ms        INTEGER NOT NULL,
    ingested_at       INTEGER NOT NULL
);
"#;

/// The warnings table.
const WARNINGS_SQL: &str = r#"
CREATE TABLE IF NOT EXISTS warnings (
    form_id  INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field    TEXT NOT NULL,
    code     TEXT NOT NULL,
    message  TEXT NOT NULL,
    PRIMARY KEY (form_id, position)
);
"#;

/// Where a child table's row was read (its `provenance` entry): page and
/// box in points for a PDF, lines for a text dump; the other columns null.
pub const LOCATION_COLUMNS: &[(&str, &str)] = &[
    ("page", "INTEGER"),
    ("x0", "REAL"),
    ("top", "REAL"),
    ("x1", "REAL"),
    ("bottom", "REAL"),
    ("line", "INTEGER"),
    ("line_end", "INTEGER"),
];

/// The views of a store for `t` (dropped and made anew, as they follow
/// the template): `form_copies` ranks each form's copies (the same
/// `form_key` and year, read from a PDF, its scan, a text dump:
/// [`views::copies_select`]); `forms_latest` keeps the first of each, so
/// that it counts each form once; `forms_unkeyed` holds the forms whose
/// key could not be read without doubt (a key field or the year null or
/// warned: mostly OCR'd and dumped copies), counted in neither;
/// `project_years` and `project_year_mismatches` put each project's
/// years side by side ([`views::project_years_select`]).
pub fn views_sql(t: &crate::template::Templates) -> String {
    let key = match t.form_year() {
        Some(y) => format!("template, form_key, {y}"),
        None => "template, form_key".into(),
    };
    let mut sql = format!(
        "DROP VIEW IF EXISTS project_year_mismatches;\n\
         DROP VIEW IF EXISTS project_years;\n\
         DROP VIEW IF EXISTS forms_unkeyed;\n\
         DROP VIEW IF EXISTS forms_latest;\n\
         DROP VIEW IF EXISTS form_copies;\n\
         DROP INDEX IF EXISTS forms_key;\n\
         CREATE INDEX forms_key ON forms({key});\n\
         CREATE VIEW form_copies AS\n{};\n\
         CREATE VIEW forms_latest AS\n\
         SELECT f.* FROM forms f JOIN form_copies c USING (form_id)\n\
         WHERE c.copy_rank = 1 AND f.form_key IS NOT NULL;\n\
         CREATE VIEW forms_unkeyed AS SELECT * FROM forms WHERE form_key IS NULL;\n",
        views::copies_select(t, Some("form_id"))
    );
    if let Some(py) = views::project_years_select(t) {
        sql.push_str(&format!(
            "CREATE VIEW project_years AS\n{py};\n\
             CREATE VIEW project_year_mismatches AS\n\
             SELECT * FROM project_years WHERE mismatch = 1;\n"
        ));
    }
    sql
}

/// The columns of a table field's child table (after `form_id` and
/// `position`, before the [`LOCATION_COLUMNS`]), as `(name, SQL type)`.
pub fn row_columns(f: &RecordField) -> Vec<(String, &'static str)> {
    let fixed = |cols: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
        cols.iter().map(|(n, t)| (n.to_string(), *t)).collect()
    };
    match f.kind {
        ValueKind::FundingTable => fixed(&[("name", "TEXT NOT NULL"), ("amount", "REAL")]),
        ValueKind::IndicatorTable => fixed(&[
            ("level1", "TEXT"),
            ("level2", "TEXT"),
            ("level3", "TEXT"),
            ("target", "TEXT"),
            ("target_op", "TEXT"),
            ("target_value", "REAL"),
            ("target_unit", "TEXT"),
            ("remark", "TEXT"),
        ]),
        ValueKind::Rows => f.columns.iter().map(|c| (c.clone(), "TEXT")).collect(),
        _ => Vec::new(),
    }
}

/// The SQL type of a one-value field's column in `forms`.
fn column_type(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Int => "INTEGER",
        ValueKind::Money => "REAL",
        _ => "TEXT",
    }
}

/// The one-value fields (columns of `forms`) and the table fields.
pub fn split(fields: &[RecordField]) -> (Vec<&RecordField>, Vec<&RecordField>) {
    fields.iter().partition(|f| !f.is_table())
}

/// Every table of a store for this field registry.
pub fn schema_sql(fields: &[RecordField]) -> String {
    let (scalars, tables) = split(fields);
    let mut forms = vec![
        "form_id INTEGER PRIMARY KEY".to_string(),
        "file_id INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE".to_string(),
        "path TEXT NOT NULL".to_string(),
        "form_index INTEGER NOT NULL".to_string(),
        "sha256 TEXT NOT NULL".to_string(),
        "pages TEXT NOT NULL".to_string(),
        "template TEXT NOT NULL".to_string(),
        "form_key TEXT".to_string(),
        "source_kind TEXT NOT NULL".to_string(),
        "ocr INTEGER NOT NULL".to_string(),
    ];
    forms.extend(
        scalars
            .iter()
            .map(|f| format!("{} {}", f.key, column_type(f.kind))),
    );
    forms.extend(
        tables
            .iter()
            .map(|f| format!("n_{} INTEGER NOT NULL", f.key)),
    );
    forms.push("n_warnings INTEGER NOT NULL".to_string());
    forms.push("provenance TEXT NOT NULL".to_string());
    forms.push("record TEXT NOT NULL".to_string());
    forms.push("UNIQUE (path, form_index)".to_string());
    let mut sql = format!(
        "{FILES_SQL}CREATE TABLE IF NOT EXISTS forms (\n    {}\n);\n\
         CREATE INDEX IF NOT EXISTS forms_file ON forms(file_id);\n",
        forms.join(",\n    ")
    );
    for t in tables {
        let mut cols = vec![
            "form_id INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE".to_string(),
            "position INTEGER NOT NULL".to_string(),
        ];
        cols.extend(
            row_columns(t)
                .iter()
                .map(|(n, ty)| format!("{n} {ty}"))
                .chain(LOCATION_COLUMNS.iter().map(|(n, ty)| format!("{n} {ty}"))),
        );
        cols.push("PRIMARY KEY (form_id, position)".to_string());
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    {}\n);\n",
            t.key,
            cols.join(",\n    ")
        ));
    }
    sql.push_str(WARNINGS_SQL);
    sql
}

fn money(m: Option<Money>) -> SqlValue {
    m.map_or(SqlValue::Null, |m| SqlValue::Real(m.yuan()))
}

fn text(t: Option<&str>) -> SqlValue {
    t.map_or(SqlValue::Null, |t| SqlValue::Text(t.to_string()))
}

/// The `forms` columns of a field registry after the fixed ones: the
/// one-value fields, then the table fields' row counts.
fn form_column_names(fields: &[RecordField]) -> Vec<String> {
    let (scalars, tables) = split(fields);
    let scalars = scalars.iter().map(|f| f.key.clone());
    scalars
        .chain(tables.iter().map(|f| format!("n_{}", f.key)))
        .collect()
}

/// The statement inserting a `forms` row, built once per store.
pub fn insert_form_sql(fields: &[RecordField]) -> String {
    let names = form_column_names(fields);
    let marks: Vec<String> = (1..=names.len() + 12).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO forms (file_id, path, form_index, sha256, pages, template, form_key, source_kind, ocr, \
         {}, n_warnings, provenance, record) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    )
}

/// A record's values for [`form_column_names`], in that order.
fn form_values(r: &Record, fields: &[RecordField]) -> Vec<SqlValue> {
    let (scalars, tables) = split(fields);
    let scalars = scalars.iter().map(|f| match r.get(&f.key) {
        Some(Value::Text(t)) => text(t.as_deref()),
        Some(Value::Int(i)) => i.map_or(SqlValue::Null, SqlValue::Integer),
        Some(Value::Money(m)) => money(*m),
        _ => SqlValue::Null,
    });
    let counts = tables.iter().map(|f| {
        let n = match r.get(&f.key) {
            Some(Value::Funding(rows)) => rows.len(),
            Some(Value::Indicators(rows)) => rows.len(),
            Some(Value::Rows(rows)) => rows.len(),
            _ => 0,
        };
        SqlValue::Integer(n as i64)
    });
    scalars.chain(counts).collect()
}

/// Inserts one record: its `forms` row (`sql`: [`insert_form_sql`] of
/// `fields`), its tables' rows, its warnings.
pub fn insert_form(
    tx: &rusqlite::Transaction<'_>,
    file_id: i64,
    path: &str,
    r: &Record,
    fields: &[RecordField],
    sql: &str,
) -> rusqlite::Result<()> {
    let to_sql = |e: serde_json::Error| rusqlite::Error::ToSqlConversionFailure(e.into());
    let json = serde_json::to_string(r).map_err(to_sql)?;
    let pages = serde_json::to_string(&r.source.pages).map_err(to_sql)?;
    let provenance = serde_json::to_string(&r.provenance).map_err(to_sql)?;
    let mut values = vec![
        SqlValue::Integer(file_id),
        SqlValue::Text(path.to_string()),
        SqlValue::Integer(r.source.form_index as i64),
        SqlValue::Text(r.source.sha256.clone()),
        SqlValue::Text(pages),
        SqlValue::Text(r.template.clone()),
        text(r.form_key.as_deref()),
        SqlValue::Text(r.source.kind.as_str().to_string()),
        SqlValue::Integer(r.source.ocr.into()),
    ];
    values.extend(form_values(r, fields));
    values.push(SqlValue::Integer(r.warnings.len() as i64));
    values.push(SqlValue::Text(provenance));
    values.push(SqlValue::Text(json));
    tx.prepare_cached(sql)?.execute(params_from_iter(values))?;
    let form_id = tx.last_insert_rowid();
    for (k, v) in &r.fields {
        if let Some(f) = fields.iter().find(|f| &f.key == k) {
            insert_rows(tx, form_id, f, v, r)?;
        }
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO warnings (form_id, position, field, code, message) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, w) in r.warnings.iter().enumerate() {
        st.execute(params![form_id, i as i64, w.field, w.code, w.message])?;
    }
    Ok(())
}

/// The [`LOCATION_COLUMNS`] of row `i` of table `table` (its provenance
/// entry `table[i]`).
fn location_values(r: &Record, table: &str, i: usize) -> [SqlValue; 7] {
    let int = |v: usize| SqlValue::Integer(v as i64);
    match r.provenance.get(&format!("{table}[{i}]")) {
        Some(Location::Pdf { page, bbox }) => [
            int(*page),
            SqlValue::Real(bbox.x0),
            SqlValue::Real(bbox.top),
            SqlValue::Real(bbox.x1),
            SqlValue::Real(bbox.bottom),
            SqlValue::Null,
            SqlValue::Null,
        ],
        Some(Location::Text { line, line_end }) => {
            let mut v: [SqlValue; 7] = std::array::from_fn(|_| SqlValue::Null);
            v[5] = int(*line);
            v[6] = int(*line_end);
            v
        }
        None => std::array::from_fn(|_| SqlValue::Null),
    }
}

/// The rows of one table field into its child table, each with its row
/// values, then its location.
fn insert_rows(
    tx: &rusqlite::Transaction<'_>,
    form_id: i64,
    f: &RecordField,
    v: &Value,
    r: &Record,
) -> rusqlite::Result<()> {
    let table = f.key.as_str();
    let rows: Vec<Vec<SqlValue>> = match v {
        Value::Funding(rows) => rows
            .iter()
            .map(|c| vec![SqlValue::Text(c.name.clone()), money(c.amount)])
            .collect(),
        Value::Indicators(rows) => rows
            .iter()
            .map(|x| {
                let tp = x.target_parsed.as_ref();
                vec![
                    text(x.level1.as_deref()),
                    text(x.level2.as_deref()),
                    text(x.level3.as_deref()),
                    text(x.target.as_deref()),
                    text(tp.map(|t| t.op.as_str())),
                    tp.map_or(SqlValue::Null, |t| SqlValue::Real(t.value)),
                    text(tp.map(|t| t.unit.as_str())),
                    text(x.remark.as_deref()),
                ]
            })
            .collect(),
        Value::Rows(rows) => rows
            .iter()
            .map(|row| f.columns.iter().map(|c| text(row.get(c))).collect())
            .collect(),
        _ => return Ok(()),
    };
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = row_columns(f)
        .into_iter()
        .map(|(n, _)| n)
        .chain(LOCATION_COLUMNS.iter().map(|(n, _)| n.to_string()))
        .collect();
    let marks: Vec<String> = (1..=names.len() + 2).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} (form_id, position, {}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    );
    let mut st = tx.prepare_cached(&sql)?;
    for (i, row) in rows.into_iter().enumerate() {
        let mut values = vec![SqlValue::Integer(form_id), SqlValue::Integer(i as i64)];
        values.extend(row);
        values.extend(location_values(r, table, i));
        st.execute(params_from_iter(values))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_templates_tables_are_created() {
        let t = crate::template::Templates::builtin().unwrap();
        let sql = schema_sql(t.record_fields()) + &views_sql(&t);
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(&sql)
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        // again: the views are made anew
        c.execute_batch(&views_sql(&t)).unwrap();
    }
}
