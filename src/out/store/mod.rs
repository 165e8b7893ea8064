//! The SQLite store an archive is ingested into, and its flat exports.
//!
//! One row in `files` per input path (the path as stored: relative to the
//! working directory when under it, see [`crate::run::ingest::stored_path`]);
//! one row in `forms` per record, keyed by `(path, form_index)`, with the
//! scalar fields as columns and the whole record as JSON; child rows in
//! `funding_components`, `indicators` and `warnings` keyed to their form.
//! Each file is written in its own transaction ([`Store::put_file`]), so a
//! process killed at any moment leaves every file either wholly stored or
//! not at all. Column meanings: `docs/store.md`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::record::Record;
use crate::template::Templates;

mod duckdb;
mod export;
#[cfg(feature = "parquet")]
pub mod parquet;
mod schema;
pub mod views;

pub use duckdb::duckdb_sql;
pub use export::{ExportOptions, Exported, Format, Kind, TableSpec, export, tables, tables_json};
pub use schema::schema_sql;

/// Version of the store's tables (kept in `meta`).
/// 2: `forms.form_key`, `source_kind`, `ocr`, `provenance`; row locations
/// in the child tables; the views `form_copies` and `forms_latest`.
/// 3: `form_key` is the project (unit, name), the same every year; a
/// form is its key and its year; the views `project_years` and
/// `project_year_mismatches`, made anew at each opening.
pub const SCHEMA_VERSION: i64 = 4;

/// What `files.extractor_version` holds for files ingested by this build.
/// A file stored with another version is extracted again.
pub const EXTRACTOR_VERSION: &str = concat!("shenbao ", env!("CARGO_PKG_VERSION"));

/// Errors of the store (SQLite or file system).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite's error, said in the message (not as a source: SQLite's
    /// own words and its code's would repeat it).
    #[error("{db}: {}", sql_text(error, db))]
    Sql {
        /// The store's path.
        db: PathBuf,
        /// SQLite's error.
        error: rusqlite::Error,
    },
    /// A file-system error (its message names the path).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The database is not a shenbao store (or not one this build reads).
    #[error("{db}: not a shenbao store ({reason})")]
    Foreign {
        /// The database's path.
        db: PathBuf,
        /// Why it is not taken for a store.
        reason: String,
    },
    /// A stored record could not be read back as JSON.
    #[error("{db}: stored record is not valid JSON: {source}")]
    Json {
        /// The store's path.
        db: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// A result whose error is a [`StoreError`].
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// A read-only connection to a store, also on a read-only file system: a
/// store in WAL mode (as `ingest` leaves it) needs its `-shm` file, which
/// SQLite cannot create there; it is then opened as immutable, unless a
/// `-wal` file holds writes not yet in the database (reading without them
/// would be silently stale).
fn open_read_only_conn(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let probe = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    });
    let cannot = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
        )
    };
    match probe {
        Err(e) if cannot(&e) => {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(e);
            }
            drop(conn);
            Connection::open_with_flags(
                immutable_uri(path),
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            )
        }
        _ => Ok(conn),
    }
}

/// `file:PATH?immutable=1`, the path percent-escaped where a URI needs it
/// (and every byte outside printable ASCII, so any file name survives).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'%' | b'?' | b'#' | 0..=0x20 | 0x7f.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(*b as char),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// SQLite's message without the store's path, which it sometimes appends
/// ("unable to open database file: PATH") and the error already names.
fn sql_text(e: &rusqlite::Error, db: &Path) -> String {
    let text = e.to_string();
    let tail = format!(": {}", db.display());
    text.strip_suffix(&tail).unwrap_or(&text).to_string()
}

/// Outcome of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The file was extracted.
    Ok,
    /// The file failed (see [`FileRow::error_code`]).
    Failed,
}

impl Status {
    /// The status as stored in `files.status`: `ok` or `failed`.
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
    /// The path as stored (see [`crate::run::ingest::stored_path`]).
    pub path: String,
    /// Hex SHA-256 of the bytes; empty when the file could not be read.
    pub sha256: String,
    /// Size of the file, bytes.
    pub size: u64,
    /// Page count, when the PDF could be opened.
    pub pages: Option<usize>,
    /// Whether the file was extracted or failed.
    pub status: Status,
    /// [`crate::Error::code`] of the failure.
    pub error_code: Option<String>,
    /// The failure in words.
    pub error: Option<String>,
    /// The build that extracted the file ([`EXTRACTOR_VERSION`]).
    pub extractor_version: String,
    /// Wall-clock time spent on the file, in milliseconds.
    pub elapsed_ms: u64,
    /// When the file was ingested, in Unix seconds.
    pub ingested_at: i64,
}

/// What the store already holds for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// Hex SHA-256 of the stored file's bytes.
    pub sha256: String,
    /// The build that extracted it.
    pub extractor_version: String,
    /// Whether its status is `failed`.
    pub failed: bool,
}

/// An open store, its tables those of a template set's field registry.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The templates the tables follow.
    templates: Templates,
    /// [`schema::insert_form_sql`] of its fields.
    insert_form_sql: String,
}

impl Store {
    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |error| StoreError::Sql {
            db: self.path.clone(),
            error,
        }
    }

    /// Opens (creating when missing) a store for writing, with the tables
    /// of `templates`' fields.
    pub fn open(path: &Path, templates: &Templates) -> StoreResult<Store> {
        let sql = |error| StoreError::Sql {
            db: path.to_path_buf(),
            error,
        };
        let conn = Connection::open(path).map_err(sql)?;
        // WAL with synchronous=NORMAL: a killed process loses at most the
        // transaction it was in; committed files stay.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
             PRAGMA busy_timeout=10000;",
        )
        .map_err(sql)?;
        let fields = templates.record_fields();
        conn.execute_batch(&schema_sql(fields)).map_err(sql)?;
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
        // the views follow the template: made anew at each opening
        conn.execute_batch(&schema::views_sql(templates))
            .map_err(sql)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            insert_form_sql: schema::insert_form_sql(fields),
            templates: templates.clone(),
        })
    }

    /// Opens an existing store read-only; its tables are those of
    /// `template`'s fields.
    pub fn open_read_only(path: &Path, templates: &Templates) -> StoreResult<Store> {
        let sql = |error| StoreError::Sql {
            db: path.to_path_buf(),
            error,
        };
        if !path.is_file() {
            return Err(StoreError::Foreign {
                db: path.to_path_buf(),
                reason: "no such file".into(),
            });
        }
        let conn = open_read_only_conn(path).map_err(sql)?;
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
            insert_form_sql: schema::insert_form_sql(templates.record_fields()),
            templates: templates.clone(),
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
        let sql = |error| StoreError::Sql {
            db: db.clone(),
            error,
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
            schema::insert_form(
                &tx,
                file_id,
                &file.path,
                rec,
                self.templates.record_fields(),
                &self.insert_form_sql,
            )
            .map_err(sql)?;
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
                Record::from_json(t, &self.templates).map_err(|source| StoreError::Json {
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
        let src = Store::open_read_only(other, &self.templates)?;
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

    /// Row counts of the exported tables, in the order of [`tables`].
    pub fn counts(&self) -> StoreResult<Vec<(String, u64)>> {
        tables(&self.templates, false)
            .into_iter()
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
    /// Files copied from the other store.
    pub copied: usize,
    /// Files skipped: already held with the same hash and extractor version.
    pub skipped: usize,
    /// Forms (records) of the copied files.
    pub forms: usize,
}
