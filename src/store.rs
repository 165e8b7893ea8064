//! The SQLite store an archive is ingested into, and its flat exports.
//!
//! One row in `files` per input path (the path as stored: relative to the
//! working directory when under it, see [`crate::ingest::stored_path`]);
//! one row in `forms` per record, keyed by `(path, form_index)`, with the
//! scalar fields as columns and the whole record as JSON; child rows in
//! `funding_components`, `indicators` and `warnings` keyed to their form.
//! Each file is written in its own transaction ([`Store::put_file`]), so a
//! process killed at any moment leaves every file either wholly stored or
//! not at all. Column meanings: `docs/store.md`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::record::{Money, Record};

/// Version of the store's tables (kept in `meta`).
pub const SCHEMA_VERSION: i64 = 1;

/// What `files.extractor_version` holds for files ingested by this build.
/// A file stored with another version is extracted again.
pub const EXTRACTOR_VERSION: &str = concat!("shenbao ", env!("CARGO_PKG_VERSION"));

/// Errors of the store (SQLite or file system).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{db}: {source}")]
    Sql {
        db: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{db}: not a shenbao store ({reason})")]
    Foreign { db: PathBuf, reason: String },
    #[error("{db}: stored record is not valid JSON: {source}")]
    Json {
        db: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

const SCHEMA: &str = r#"
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
CREATE TABLE IF NOT EXISTS forms (
    form_id             INTEGER PRIMARY KEY,
    file_id             INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    path                TEXT NOT NULL,
    form_index          INTEGER NOT NULL,
    sha256              TEXT NOT NULL,
    pages               TEXT NOT NULL,
    title               TEXT,
    year                INTEGER,
    unit                TEXT,
    project_name        TEXT,
    project_type        TEXT,
    fund_use            TEXT,
    start_date          TEXT,
    end_date            TEXT,
    overview            TEXT,
    basis               TEXT,
    necessity           TEXT,
    safeguards          TEXT,
    total_budget        REAL,
    current_year_budget REAL,
    prior_year_budget   REAL,
    prior_year_spent    REAL,
    implementation_plan TEXT,
    overall_goal        TEXT,
    annual_goal         TEXT,
    remarks             TEXT,
    n_funding_components INTEGER NOT NULL,
    n_indicators        INTEGER NOT NULL,
    n_warnings          INTEGER NOT NULL,
    record              TEXT NOT NULL,
    UNIQUE (path, form_index)
);
CREATE INDEX IF NOT EXISTS forms_file ON forms(file_id);
CREATE TABLE IF NOT EXISTS funding_components (
    form_id  INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    amount   REAL,
    PRIMARY KEY (form_id, position)
);
CREATE TABLE IF NOT EXISTS indicators (
    form_id      INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    level1       TEXT,
    level2       TEXT,
    level3       TEXT,
    target       TEXT,
    target_op    TEXT,
    target_value REAL,
    target_unit  TEXT,
    PRIMARY KEY (form_id, position)
);
CREATE TABLE IF NOT EXISTS warnings (
    form_id  INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field    TEXT NOT NULL,
    code     TEXT NOT NULL,
    message  TEXT NOT NULL,
    PRIMARY KEY (form_id, position)
);
"#;

/// Outcome of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
        }
    }
}

/// One row of `files`.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    /// The path as stored (see [`crate::ingest::stored_path`]).
    pub path: String,
    /// Hex SHA-256 of the bytes; empty when the file could not be read.
    pub sha256: String,
    pub size: u64,
    /// Page count, when the PDF could be opened.
    pub pages: Option<usize>,
    pub status: Status,
    /// [`crate::Error::code`] of the failure.
    pub error_code: Option<String>,
    /// The failure in words.
    pub error: Option<String>,
    pub extractor_version: String,
    /// Wall-clock time spent on the file, in milliseconds.
    pub elapsed_ms: u64,
    /// When the file was ingested, in Unix seconds.
    pub ingested_at: i64,
}

/// What the store already holds for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub sha256: String,
    pub extractor_version: String,
    pub failed: bool,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sql {
            db: self.path.clone(),
            source,
        }
    }

    /// Opens (creating when missing) a store for writing.
    pub fn open(path: &Path) -> StoreResult<Store> {
        let sql = |source| StoreError::Sql {
            db: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        // WAL with synchronous=NORMAL: a killed process loses at most the
        // transaction it was in; committed files stay.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
             PRAGMA busy_timeout=10000;",
        )
        .map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        let v: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        match v {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )
                .map_err(sql)?;
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(StoreError::Foreign {
                    db: path.to_path_buf(),
                    reason: format!("schema version {v}, this build reads {SCHEMA_VERSION}"),
                });
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing store read-only.
    pub fn open_read_only(path: &Path) -> StoreResult<Store> {
        let sql = |source| StoreError::Sql {
            db: path.to_path_buf(),
            source,
        };
        if !path.is_file() {
            return Err(StoreError::Foreign {
                db: path.to_path_buf(),
                reason: "no such file".into(),
            });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
        let v: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| StoreError::Foreign {
                db: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if v.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(StoreError::Foreign {
                db: path.to_path_buf(),
                reason: format!("schema version {v:?}, this build reads {SCHEMA_VERSION}"),
            });
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Every stored path with its hash, extractor version and status.
    pub fn known(&self) -> StoreResult<HashMap<String, Known>> {
        let mut st = self
            .conn
            .prepare("SELECT path, sha256, extractor_version, status FROM files")
            .map_err(self.sql())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Known {
                        sha256: r.get(1)?,
                        extractor_version: r.get(2)?,
                        failed: r.get::<_, String>(3)? == "failed",
                    },
                ))
            })
            .map_err(self.sql())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.sql())
    }

    /// Stores one file and its records in one transaction, replacing what
    /// was stored for the same path.
    pub fn put_file(&mut self, file: &FileRow, records: &[Record]) -> StoreResult<()> {
        let db = self.path.clone();
        let sql = |source| StoreError::Sql {
            db: db.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute("DELETE FROM files WHERE path = ?1", [&file.path])
            .map_err(sql)?;
        tx.prepare_cached(
            "INSERT INTO files (path, sha256, size, pages, status, error_code, error, forms, \
             extractor_version, elapsed_ms, ingested_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(sql)?
        .execute(params![
            file.path,
            file.sha256,
            file.size as i64,
            file.pages.map(|p| p as i64),
            file.status.as_str(),
            file.error_code,
            file.error,
            records.len() as i64,
            file.extractor_version,
            file.elapsed_ms as i64,
            file.ingested_at,
        ])
        .map_err(sql)?;
        let file_id = tx.last_insert_rowid();
        for rec in records {
            insert_form(&tx, file_id, &file.path, rec).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// The records stored for a path, in form order.
    pub fn records_of(&self, path: &str) -> StoreResult<Vec<Record>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT record FROM forms WHERE path = ?1 ORDER BY form_index")
            .map_err(self.sql())?;
        let texts: Vec<String> = st
            .query_map([path], |r| r.get(0))
            .map_err(self.sql())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.sql())?;
        texts
            .iter()
            .map(|t| {
                serde_json::from_str(t).map_err(|source| StoreError::Json {
                    db: self.path.clone(),
                    source,
                })
            })
            .collect()
    }

    /// Every `files` row, by path.
    pub fn files(&self) -> StoreResult<Vec<FileRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT path, sha256, size, pages, status, error_code, error, extractor_version, \
                 elapsed_ms, ingested_at FROM files ORDER BY path",
            )
            .map_err(self.sql())?;
        let rows = st
            .query_map([], |r| {
                Ok(FileRow {
                    path: r.get(0)?,
                    sha256: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    pages: r.get::<_, Option<i64>>(3)?.map(|p| p as usize),
                    status: if r.get::<_, String>(4)? == "ok" {
                        Status::Ok
                    } else {
                        Status::Failed
                    },
                    error_code: r.get(5)?,
                    error: r.get(6)?,
                    extractor_version: r.get(7)?,
                    elapsed_ms: r.get::<_, i64>(8)? as u64,
                    ingested_at: r.get(9)?,
                })
            })
            .map_err(self.sql())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.sql())
    }

    /// Copies into this store every file of `other` that this store does
    /// not hold with the same hash and extractor version (a path stored
    /// with different content is replaced by `other`'s). Idempotent.
    pub fn merge_from(&mut self, other: &Path) -> StoreResult<MergeStats> {
        let src = Store::open_read_only(other)?;
        let known = self.known()?;
        let mut stats = MergeStats::default();
        for f in src.files()? {
            let same = known.get(&f.path).is_some_and(|k| {
                k.sha256 == f.sha256 && k.extractor_version == f.extractor_version
            });
            if same {
                stats.skipped += 1;
                continue;
            }
            let records = src.records_of(&f.path)?;
            stats.forms += records.len();
            self.put_file(&f, &records)?;
            stats.copied += 1;
        }
        Ok(stats)
    }

    /// Row counts of the five tables, in the order of [`TABLES`].
    pub fn counts(&self) -> StoreResult<Vec<(&'static str, u64)>> {
        TABLES
            .iter()
            .map(|t| {
                let n: i64 = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| {
                        r.get(0)
                    })
                    .map_err(self.sql())?;
                Ok((t.name, n as u64))
            })
            .collect()
    }
}

/// What [`Store::merge_from`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MergeStats {
    pub copied: usize,
    pub skipped: usize,
    pub forms: usize,
}

fn money(m: Option<Money>) -> Option<f64> {
    m.map(Money::yuan)
}

fn insert_form(
    tx: &rusqlite::Transaction<'_>,
    file_id: i64,
    path: &str,
    r: &Record,
) -> rusqlite::Result<()> {
    let json =
        serde_json::to_string(r).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    let pages = serde_json::to_string(&r.source.pages)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    tx.prepare_cached(
        "INSERT INTO forms (file_id, path, form_index, sha256, pages, title, year, unit, \
         project_name, project_type, fund_use, start_date, end_date, overview, basis, necessity, \
         safeguards, total_budget, current_year_budget, prior_year_budget, prior_year_spent, \
         implementation_plan, overall_goal, annual_goal, remarks, n_funding_components, \
         n_indicators, n_warnings, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
         ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, \
         ?28, ?29)",
    )?
    .execute(params![
        file_id,
        path,
        r.source.form_index as i64,
        r.source.sha256,
        pages,
        r.title,
        r.year,
        r.unit,
        r.project_name,
        r.project_type,
        r.fund_use,
        r.start_date,
        r.end_date,
        r.overview,
        r.basis,
        r.necessity,
        r.safeguards,
        money(r.total_budget),
        money(r.current_year_budget),
        money(r.prior_year_budget),
        money(r.prior_year_spent),
        r.implementation_plan,
        r.overall_goal,
        r.annual_goal,
        r.remarks,
        r.funding_components.len() as i64,
        r.indicators.len() as i64,
        r.warnings.len() as i64,
        json,
    ])?;
    let form_id = tx.last_insert_rowid();
    let mut st = tx.prepare_cached(
        "INSERT INTO funding_components (form_id, position, name, amount) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, c) in r.funding_components.iter().enumerate() {
        st.execute(params![form_id, i as i64, c.name, money(c.amount)])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO indicators (form_id, position, level1, level2, level3, target, target_op, \
         target_value, target_unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, x) in r.indicators.iter().enumerate() {
        let tp = x.target_parsed.as_ref();
        st.execute(params![
            form_id,
            i as i64,
            x.level1,
            x.level2,
            x.level3,
            x.target,
            tp.map(|t| t.op.as_str()),
            tp.map(|t| t.value),
            tp.map(|t| t.unit.as_str()),
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO warnings (form_id, position, field, code, message) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, w) in r.warnings.iter().enumerate() {
        st.execute(params![form_id, i as i64, w.field, w.code, w.message])?;
    }
    Ok(())
}

// ---------------------------------------------------------------- exports

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
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub query: &'static str,
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

const FILES_COLUMNS_TIMED: &[(&str, Kind)] = &[
    ("path", Kind::Text),
    ("sha256", Kind::Text),
    ("size", Kind::Int),
    ("pages", Kind::Int),
    ("status", Kind::Text),
    ("error_code", Kind::Text),
    ("error", Kind::Text),
    ("forms", Kind::Int),
    ("extractor_version", Kind::Text),
    ("elapsed_ms", Kind::Int),
    ("ingested_at", Kind::Int),
];

/// The exported tables, in the order they are written. Rows are ordered
/// by `path` (byte order of UTF-8), then `form_index`, then `position`.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "files",
        columns: FILES_COLUMNS,
        query: "SELECT path, sha256, size, pages, status, error_code, error, forms, \
                extractor_version FROM files ORDER BY path",
    },
    TableSpec {
        name: "forms",
        columns: &[
            ("path", Kind::Text),
            ("form_index", Kind::Int),
            ("sha256", Kind::Text),
            ("pages", Kind::Json),
            ("title", Kind::Text),
            ("year", Kind::Int),
            ("unit", Kind::Text),
            ("project_name", Kind::Text),
            ("project_type", Kind::Text),
            ("fund_use", Kind::Text),
            ("start_date", Kind::Text),
            ("end_date", Kind::Text),
            ("overview", Kind::Text),
            ("basis", Kind::Text),
            ("necessity", Kind::Text),
            ("safeguards", Kind::Text),
            ("total_budget", Kind::Money),
            ("current_year_budget", Kind::Money),
            ("prior_year_budget", Kind::Money),
            ("prior_year_spent", Kind::Money),
            ("implementation_plan", Kind::Text),
            ("overall_goal", Kind::Text),
            ("annual_goal", Kind::Text),
            ("remarks", Kind::Text),
            ("n_funding_components", Kind::Int),
            ("n_indicators", Kind::Int),
            ("n_warnings", Kind::Int),
        ],
        query: "SELECT path, form_index, sha256, pages, title, year, unit, project_name, \
                project_type, fund_use, start_date, end_date, overview, basis, necessity, \
                safeguards, total_budget, current_year_budget, prior_year_budget, \
                prior_year_spent, implementation_plan, overall_goal, annual_goal, remarks, \
                n_funding_components, n_indicators, n_warnings FROM forms \
                ORDER BY path, form_index",
    },
    TableSpec {
        name: "funding_components",
        columns: &[
            ("path", Kind::Text),
            ("form_index", Kind::Int),
            ("position", Kind::Int),
            ("name", Kind::Text),
            ("amount", Kind::Money),
        ],
        query: "SELECT f.path, f.form_index, c.position, c.name, c.amount \
                FROM funding_components c JOIN forms f USING (form_id) \
                ORDER BY f.path, f.form_index, c.position",
    },
    TableSpec {
        name: "indicators",
        columns: &[
            ("path", Kind::Text),
            ("form_index", Kind::Int),
            ("position", Kind::Int),
            ("level1", Kind::Text),
            ("level2", Kind::Text),
            ("level3", Kind::Text),
            ("target", Kind::Text),
            ("target_op", Kind::Text),
            ("target_value", Kind::Real),
            ("target_unit", Kind::Text),
        ],
        query: "SELECT f.path, f.form_index, i.position, i.level1, i.level2, i.level3, \
                i.target, i.target_op, i.target_value, i.target_unit \
                FROM indicators i JOIN forms f USING (form_id) \
                ORDER BY f.path, f.form_index, i.position",
    },
    TableSpec {
        name: "warnings",
        columns: &[
            ("path", Kind::Text),
            ("form_index", Kind::Int),
            ("position", Kind::Int),
            ("field", Kind::Text),
            ("code", Kind::Text),
            ("message", Kind::Text),
        ],
        query: "SELECT f.path, f.form_index, w.position, w.field, w.code, w.message \
                FROM warnings w JOIN forms f USING (form_id) \
                ORDER BY f.path, f.form_index, w.position",
    },
];

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

/// Writes every table of [`TABLES`] as `DIR/NAME.csv` or `DIR/NAME.jsonl`
/// (and, for JSONL, the whole records as `DIR/records.jsonl`).
pub fn export(store: &Store, dir: &Path, opts: ExportOptions) -> StoreResult<Vec<Exported>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for t in TABLES {
        let mut spec = *t;
        if spec.name == "files" && opts.timings {
            spec.columns = FILES_COLUMNS_TIMED;
            spec.query = "SELECT path, sha256, size, pages, status, error_code, error, forms, \
                          extractor_version, elapsed_ms, ingested_at FROM files ORDER BY path";
        }
        let path = dir.join(format!("{}.{}", spec.name, opts.format.extension()));
        let rows = export_table(store, &spec, opts.format, &path)?;
        out.push(Exported { path, rows });
    }
    if opts.format == Format::Jsonl {
        let path = dir.join("records.jsonl");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
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
        w.flush()?;
        out.push(Exported { path, rows: n });
    }
    Ok(out)
}

fn export_table(store: &Store, spec: &TableSpec, format: Format, path: &Path) -> StoreResult<u64> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    if format == Format::Csv {
        let header: Vec<String> = spec.columns.iter().map(|(n, _)| csv_field(n)).collect();
        w.write_all(header.join(",").as_bytes())?;
        w.write_all(b"\n")?;
    }
    let mut st = store.conn.prepare(spec.query).map_err(store.sql())?;
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
                    line.push_str(&serde_json::Value::from(*name).to_string());
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
    w.flush()?;
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
