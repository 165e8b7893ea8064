//! # shenbao
//!
//! Turns printed budget performance-target forms (Shanghai's
//! 上海市财政支出项目绩效目标申报表, the national 项目支出绩效目标申报表)
//! into normalized JSON records, each form read with the template of its
//! kind ([`template::Templates`]).
//!
//! The pipeline is a chain of small pure stages, one folder each; every
//! intermediate is kept so it can be dumped (`shenbao extract --dump
//! glyphs|lines|cells|table|fields FILE`):
//!
//! ```text
//! bytes ─read─▶ pages ─layout─▶ page layouts ─place─▶ placed fields ─assemble─▶ record ─out─▶ JSONL, store
//! ```
//!
//! 1. [`read`]: bytes to [`PageContent`] (positioned glyphs and ruling
//!    [`Edge`]s, points, top-left origin): a PDF's text layer
//!    ([`read::pdf`]), or a scanned page's image by OCR ([`read::scan`]),
//!    which yields the same page content plus what OCR added. Text dumps
//!    ([`read::text`]) have no geometry and take their own placement path.
//! 2. [`layout`]: glyphs to words to lines; edges to a table grid with
//!    spans; glyphs to cells; cell text lines with paragraph starts
//!    ([`layout::page_to_layout`]).
//! 3. [`place`]: a form's pages with the rows cut by page breaks joined;
//!    label cells found through the [`template`] vocabulary, values read
//!    from the cells beside them, the sub-tables by their header columns
//!    ([`place::FormFields`]); on scanned forms, OCR repairs.
//! 4. [`assemble`] with [`normalize`]: dates, money, targets, text;
//!    warnings; provenance; OCR confidence ([`Record`]).
//! 5. [`run`]: the per-file pipeline ([`Extractor`]) and the one batch
//!    runner (files in parallel, results in input order) under `extract`,
//!    `check` and `ingest`; each file read within budgets
//!    ([`read::pdf::PdfSettings`]) and, from the binary, in a worker
//!    process whose memory and time are capped ([`run::isolate`]).
//! 6. [`out`]: the SQLite store and its exports, `check` against golden
//!    files, dumps; output files written whole or not at all.
//!
//! A form is data: [`template`] loads `templates/*.toml`, one file per
//! kind of form (labels, options, shapes, units, checks), and builds the
//! field registry every record, store column, schema and check derives
//! from; a form is read with the template its title (else its labels)
//! names ([`run::split_forms`]).
//!
//! ## Use
//!
//! ```
//! use shenbao::Extractor;
//!
//! // the built-in template and default settings
//! let ex = Extractor::builtin()?;
//! // every form of the file (a PDF, a scan, or a text dump); an error
//! // names the file and the reason, and `e.code()` its kind
//! let records = ex.extract_file("fixtures/synth-09.pdf".as_ref())?;
//! let r = &records[0];
//! assert_eq!(r.text("unit"), Some("上海市社区服务中心"));
//! assert_eq!(r.int("year"), Some(2021));
//! // money is exact: integer fen, written in yuan
//! let first = &r.funding("funding_components")[0];
//! assert_eq!(first.amount.map(|m| m.fen()), Some(1_115_400_037));
//! // a value that was not read is None with a warning on its field
//! for w in &r.warnings {
//!     assert!(!w.field.is_empty() && !w.code.is_empty());
//! }
//! // one JSON line, as `shenbao extract` writes it
//! let line = serde_json::to_string(r).unwrap();
//! assert!(line.contains(r#""amount":11154000.37"#));
//! # Ok::<(), shenbao::Error>(())
//! ```
//!
//! Cargo features: `cli` (default: the `shenbao` binary; clap, indicatif)
//! and `store` (the SQLite store, `ingest`, exports; in `cli`). With
//! `default-features = false` the library reads forms into records with
//! neither. `examples/extract_one.rs` is a whole program.

#![warn(missing_docs)]

pub mod assemble;
pub mod error;
pub mod geom;
pub mod layout;
pub mod normalize;
pub mod out;
pub mod place;
pub mod read;
pub mod record;
pub mod run;
pub mod settings;
pub mod template;
pub mod text;
pub mod warning;

pub use error::{Error, Result};
pub use geom::{BBox, Edge, Glyph, Orientation, PageContent};
pub use record::{Record, Warning};
pub use run::{Extractor, FileResult, collect_inputs, collect_inputs_with};
pub use settings::LayoutSettings;
pub use template::{Template, Templates};
pub use warning::WarningCode;
