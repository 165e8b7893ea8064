//! # shenbao
//!
//! Turns printed Shanghai budget declaration forms
//! (上海市财政支出项目绩效目标申报表) into normalized JSON records.
//!
//! The pipeline is a chain of small pure stages, each output kept so it can
//! be dumped (`shenbao extract --dump glyphs|lines|cells|fields FILE`):
//!
//! 1. [`pdf::read_pages`]: PDF bytes to [`PageContent`] (positioned glyphs and
//!    ruling [`Edge`]s, in points with a top-left origin).
//! 2. [`layout`]: glyphs to words to lines; edges to a table grid with spans;
//!    glyphs to cells; cell text lines with paragraph starts
//!    ([`extract::page_to_layout`]).
//! 3. [`join`]: a form's pages with the rows cut open by page breaks
//!    joined into one cell (`--dump table`); then [`mapping`]: label cells found through the [`template`] vocabulary,
//!    values read from the cells beside them, the two sub-tables by their
//!    header columns, stitched across pages ([`mapping::FormFields`]).
//! 4. [`assemble`] with [`normalize`]: dates, money, targets, text; warnings;
//!    provenance ([`Record`]).
//! 5. [`extract::Extractor`]: files in parallel (worker threads), results in input
//!    order; [`check`] compares records with golden files.
//!
//! Text dumps of the PDFs (detected by content, or `--input text`) take
//! their own path to the same records, [`textdump`]: pages split at form
//! feeds or blank runs, blocks (labels by the template vocabulary, values by
//! shape, paragraphs), labelled values placed, the indicator table rebuilt
//! from its pieces; provenance is in lines (`--dump blocks|fields`).
//! 6. [`ingest`] into a [`store`]: a whole archive into SQLite, resumable,
//!    every file accounted for; flat CSV/JSONL exports (`docs/store.md`).

pub mod assemble;
pub mod check;
pub mod dump;
pub mod error;
pub mod extract;
pub mod geom;
pub mod ingest;
pub mod join;
pub mod layout;
pub mod mapping;
pub mod normalize;
pub mod ocr;
pub mod pdf;
pub mod record;
pub mod settings;
pub mod store;
pub mod template;
pub mod text;
pub mod textdump;

pub use error::{Error, Result};
pub use extract::{Extractor, FileResult, collect_inputs};
pub use geom::{BBox, Edge, Glyph, Orientation, PageContent};
pub use record::{Record, Warning};
pub use settings::LayoutSettings;
pub use template::Template;
