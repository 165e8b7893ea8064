//! `shenbao review`: a static report of what was read (HTML, CSS and a
//! little JavaScript; no server, no network; opens from the file system).
//!
//! - `index.html`: one row per file and form: status (ok, warnings,
//!   failed with its reason), warnings and their codes, OCR pages and,
//!   with golden files, fields right, wrong and silent; sortable by any
//!   column, filterable by warning code or status.
//! - `forms/*.html`: one page per form: each page of the form drawn with
//!   the box of every field and table row from the record's `provenance`
//!   over it (an SVG `rect` per box, `data-field` the provenance key),
//!   colored by state (read, warned, low OCR confidence; with golden
//!   files right, wrong, silent), and beside it the record's fields with
//!   values, warnings and confidence; hovering a box or a field
//!   highlights both. A text dump shows its lines instead, the lines each
//!   field came from marked.
//! - `pages/`: the pages, shared by every form on them and by identical
//!   files (named by content hash): a text-layer page as an SVG of the
//!   glyphs and rules the reader found ([`svg::page_to_svg`]), a scanned
//!   page as the scan itself (pdftoppm, JPEG at `scan_dpi`); `dumps/`:
//!   each dump's lines, as a script the form pages load.

mod assets;
mod html;
pub mod svg;

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::out::check::{self, FileComparison, Tolerance};
use crate::record::Record;
use crate::run::extract::{Extractor, sha256_hex};

/// Options of [`review`].
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The folder the report is written into (created when missing).
    pub out: PathBuf,
    /// Golden files (`NAME.json` for input `NAME.pdf`) to color fields right
    /// or wrong by.
    pub golden: Option<PathBuf>,
    /// How fields are compared with the golden files.
    pub tolerance: Tolerance,
    /// Resolution of scanned pages' images. Default 60: a form page is
    /// about 60 KB.
    pub scan_dpi: u32,
}

impl ReviewOptions {
    /// A report into `out`, no golden files, scans at 60 dpi.
    pub fn new(out: &Path) -> Self {
        ReviewOptions {
            out: out.to_path_buf(),
            golden: None,
            tolerance: Tolerance::default(),
            scan_dpi: 60,
        }
    }
}

/// What a report holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reviewed {
    /// Input files.
    pub files: usize,
    /// Forms, each with its page.
    pub forms: usize,
    /// Files that failed (a row with the reason).
    pub failed: usize,
}

/// One row of the index: a form, or a file that failed.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// The input path.
    pub file: String,
    /// 0-based form index; `None` for a failed file.
    pub form: Option<usize>,
    /// The form's project name.
    pub project: Option<String>,
    /// `ok`, `warnings` or `failed`.
    pub status: &'static str,
    /// A failed file's reason.
    pub reason: Option<String>,
    /// The form's warning codes, one per warning.
    pub codes: Vec<String>,
    /// Pages read by OCR.
    pub ocr_pages: usize,
    /// With golden files: fields right, wrong, and wrong with no warning.
    pub golden: Option<(usize, usize, usize)>,
    /// The form's page, relative to the report.
    pub href: Option<String>,
}

/// Where a form's page is drawn from.
enum View {
    /// Page images (`src` relative to a form page) by page number, and
    /// the layout's marks on them.
    Pages(Vec<html::Sheet>, Vec<Mark>),
    /// A dump's lines: the script holding them.
    Dump(String),
}

/// A box from the layout stages drawn under the fields' boxes.
#[derive(Debug, Clone)]
pub struct Mark {
    /// 1-based page.
    pub page: usize,
    /// `cell` (the table grid, `--dump cells`), `join` (a cell that took
    /// the text of one cut by a page break, `--dump table`), `free` (text
    /// outside the table no field was read from), `orphan` (a non-empty
    /// cell no label claimed).
    pub kind: &'static str,
    /// The box, points.
    pub bbox: crate::geom::BBox,
    /// Forms it belongs to, by their pages (`orphan` marks: one form's).
    pub form_pages: Option<Vec<usize>>,
    /// What it holds, shown on hover.
    pub text: String,
}

/// How a file was read (camelot's parsing report): in `report.json` and
/// the index.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ParseReport {
    /// The input path.
    pub file: String,
    /// Pages (dumps: pages split at form feeds).
    pub pages: usize,
    /// Tables found (one per page with a ruled grid).
    pub tables: usize,
    /// Cells in those tables.
    pub cells: usize,
    /// Non-empty cells no label claimed.
    pub cells_unassigned: usize,
    /// Lines of text outside the tables that no field was read from.
    pub free_lines_unused: usize,
    /// Cells that took the text of a cell cut by a page break.
    pub page_cut_joins: usize,
    /// Pages read by OCR.
    pub ocr_pages: usize,
    /// Mean OCR confidence of the fields read by OCR.
    pub ocr_mean_confidence: Option<f64>,
    /// Forms found.
    pub forms: usize,
    /// Wall-clock time to read the file, milliseconds.
    pub elapsed_ms: u64,
    /// The failure, when it failed.
    pub error: Option<String>,
}

/// Writes the report of `files` into `opts.out`.
pub fn review(ex: &Extractor, files: &[PathBuf], opts: &ReviewOptions) -> io::Result<Reviewed> {
    for d in ["", "pages", "forms", "dumps"] {
        std::fs::create_dir_all(opts.out.join(d))?;
    }
    let done: Vec<(Vec<IndexRow>, ParseReport)> = files
        .par_iter()
        .map(|p| {
            let start = std::time::Instant::now();
            let r = crate::run::catch(
                || review_file(ex, p, opts),
                |reason| {
                    let e = Error::Internal {
                        file: p.clone(),
                        reason,
                    };
                    Ok(failed(p, &e))
                },
            );
            r.map(|(rows, mut report)| {
                report.elapsed_ms = start.elapsed().as_millis() as u64;
                (rows, report)
            })
        })
        .collect::<io::Result<_>>()?;
    let (rows, reports): (Vec<Vec<IndexRow>>, Vec<ParseReport>) = done.into_iter().unzip();
    let rows: Vec<IndexRow> = rows.into_iter().flatten().collect();
    let json = serde_json::to_string_pretty(&reports).map_err(io::Error::from)?;
    std::fs::write(opts.out.join("report.json"), json + "\n")?;
    std::fs::write(opts.out.join("review.css"), assets::CSS)?;
    std::fs::write(opts.out.join("review.js"), assets::JS)?;
    std::fs::write(
        opts.out.join("index.html"),
        html::index_page(&rows, &reports),
    )?;
    Ok(Reviewed {
        files: files.len(),
        forms: rows.iter().filter(|r| r.form.is_some()).count(),
        failed: rows.iter().filter(|r| r.form.is_none()).count(),
    })
}

/// A file that failed: its row and report.
fn failed(path: &Path, e: &Error) -> (Vec<IndexRow>, ParseReport) {
    let report = ParseReport {
        file: path.display().to_string(),
        error: Some(format!("{}: {e}", e.code())),
        ..ParseReport::default()
    };
    (vec![failed_row(path, e)], report)
}

fn failed_row(path: &Path, e: &Error) -> IndexRow {
    IndexRow {
        file: path.display().to_string(),
        form: None,
        project: None,
        status: "failed",
        reason: Some(format!("{}: {e}", e.code())),
        codes: Vec::new(),
        ocr_pages: 0,
        golden: None,
        href: None,
    }
}

/// One file: its pages or dump written, a page per form, its index rows
/// and parsing report.
fn review_file(
    ex: &Extractor,
    path: &Path,
    opts: &ReviewOptions,
) -> io::Result<(Vec<IndexRow>, ParseReport)> {
    let bytes = match ex.read(path) {
        Ok(b) => b,
        Err(e) => return Ok(failed(path, &e)),
    };
    let sha = sha256_hex(&bytes);
    let key = &sha[..16];
    let read = if ex.is_text_input(&bytes) {
        read_dump(ex, path, &bytes, key, opts)
    } else {
        read_pdf(ex, path, &bytes, &sha, opts)
    };
    let (records, view, mut report) = match read {
        Ok(x) => x?,
        Err(e) => return Ok(failed(path, &e)),
    };
    report.file = path.display().to_string();
    report.forms = records.len();
    report.ocr_pages = records.iter().map(|r| r.source.ocr_pages.len()).sum();
    let conf: Vec<f64> = records
        .iter()
        .filter_map(|r| r.ocr_confidence.as_ref())
        .flat_map(|c| c.values().copied())
        .collect();
    report.ocr_mean_confidence =
        (!conf.is_empty()).then(|| conf.iter().sum::<f64>() / conf.len() as f64);
    let comparison = opts
        .golden
        .as_ref()
        .and_then(|g| compare(ex, g, path, &records, opts.tolerance));
    let form_key = &sha256_hex(path.display().to_string().as_bytes())[..16];
    let mut rows = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let cmp = comparison.as_ref().and_then(|c| c.forms.get(i));
        let href = format!("forms/{form_key}-{i}.html");
        let page = html::form_page(&html::FormView {
            record: r,
            view: &view,
            comparison: cmp,
            low_confidence: LOW_CONFIDENCE,
        });
        std::fs::write(opts.out.join(&href), page)?;
        rows.push(IndexRow {
            file: path.display().to_string(),
            form: Some(i),
            project: r.text("project_name").map(String::from),
            status: if r.warnings.is_empty() {
                "ok"
            } else {
                "warnings"
            },
            reason: None,
            codes: r.warnings.iter().map(|w| w.code.clone()).collect(),
            ocr_pages: r.source.ocr_pages.len(),
            golden: cmp.map(|c| {
                let wrong = c.fields.iter().filter(|f| !f.right).count();
                let silent = c.fields.iter().filter(|f| f.silent()).count();
                (c.fields.len() - wrong, wrong, silent)
            }),
            href: Some(href),
        });
    }
    Ok((rows, report))
}

/// A field's mean OCR confidence below this is drawn as low confidence.
pub const LOW_CONFIDENCE: f64 = 0.9;

type Read = crate::error::Result<io::Result<(Vec<Record>, View, ParseReport)>>;

/// A PDF's records, its pages drawn into `pages/`, the layout's marks.
fn read_pdf(ex: &Extractor, path: &Path, bytes: &[u8], sha: &str, opts: &ReviewOptions) -> Read {
    let pages = ex.pages(path, bytes)?;
    let mut layouts = ex.layouts(&pages);
    let joins = ex.tables(&mut layouts);
    let forms = ex.joined_fields(&layouts);
    let records = ex.records(path, sha, &forms)?;
    let marks = marks(&layouts, &forms, &joins);
    let count = |kind: &str| marks.iter().filter(|m| m.kind == kind).count();
    let report = ParseReport {
        pages: pages.len(),
        tables: layouts.iter().map(|l| l.tables.len()).sum(),
        cells: count("cell"),
        cells_unassigned: count("orphan"),
        free_lines_unused: count("free"),
        page_cut_joins: count("join"),
        ..ParseReport::default()
    };
    let sheets = pages
        .iter()
        .map(|p| write_page(bytes, &sha[..16], p, (opts, &ex.layout)))
        .collect::<io::Result<Vec<_>>>();
    Ok(sheets.map(|s| (records, View::Pages(s, marks), report)))
}

/// The layout's marks: every cell, every page-cut join, the free lines no
/// field was read from (the title, year and unit lines were), and each
/// form's unclaimed cells.
fn marks(
    layouts: &[crate::layout::PageLayout],
    forms: &[crate::place::FormFields],
    joins: &[crate::place::join::JoinReport],
) -> Vec<Mark> {
    let mark = |page, kind, bbox, text: String| Mark {
        page,
        kind,
        bbox,
        form_pages: None,
        text,
    };
    let mut out = Vec::new();
    for l in layouts {
        for t in &l.tables {
            for c in &t.cells {
                // no text: the drawing shows it
                out.push(mark(c.page, "cell", c.bbox, String::new()));
            }
        }
    }
    for j in joins.iter().flat_map(|r| &r.joins) {
        let text = format!("took the text of page {}'s cut cell", j.from_page);
        out.push(mark(j.page, "join", j.bbox, text));
    }
    let used = |page: usize, b: &crate::geom::BBox| {
        forms.iter().any(|f| {
            let line = |x: &Option<crate::layout::FreeLine>| {
                x.as_ref()
                    .is_some_and(|x| x.page == page && x.line.bbox == *b)
            };
            line(&f.title)
                || line(&f.year)
                || f.unit.as_ref().is_some_and(|u| {
                    let (x, y) = u.2.center();
                    u.1 == page && b.contains(x, y)
                })
        })
    };
    for l in layouts {
        for f in &l.free_lines {
            if !used(f.page, &f.line.bbox) {
                out.push(mark(f.page, "free", f.line.bbox, f.line.text.clone()));
            }
        }
    }
    for f in forms {
        for c in &f.orphans {
            let mut m = mark(c.page, "orphan", c.bbox, cell_text(c));
            m.form_pages = Some(f.pages.clone());
            out.push(m);
        }
    }
    out
}

/// One page's picture in `pages/` (written once per content hash).
fn write_page(
    bytes: &[u8],
    key: &str,
    p: &crate::geom::PageContent,
    (opts, layout): (&ReviewOptions, &crate::settings::LayoutSettings),
) -> io::Result<html::Sheet> {
    let sheet = |ext: &str| html::Sheet {
        page: p.number,
        width: p.width,
        height: p.height,
        src: format!("../pages/{key}-{}.{ext}", p.number),
    };
    if p.ocr.is_some() {
        let stem = opts.out.join(format!("pages/{key}-{}", p.number));
        if stem.with_extension("jpg").exists() || rasterize(bytes, p.number, &stem, opts.scan_dpi) {
            return Ok(sheet("jpg"));
        }
    }
    let file = opts.out.join(format!("pages/{key}-{}.svg", p.number));
    if !file.exists() {
        std::fs::write(&file, svg::page_to_svg(p, layout))?;
    }
    Ok(sheet("svg"))
}

/// A cell's text, its lines joined by a space.
fn cell_text(c: &crate::layout::CellRef) -> String {
    let lines: Vec<&str> = c.lines.iter().map(|x| x.text.as_str()).collect();
    lines.join(" ")
}

/// A scanned page as `STEM.jpg` (pdftoppm); false when it could not be.
fn rasterize(bytes: &[u8], page: usize, stem: &Path, dpi: u32) -> bool {
    use std::io::Write;
    let n = page.to_string();
    let child = std::process::Command::new("pdftoppm")
        .args(["-jpeg", "-jpegopt", "quality=70", "-gray", "-singlefile"])
        .args(["-r", &dpi.to_string(), "-f", &n, "-l", &n, "-"])
        .arg(stem)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    let fed = child
        .stdin
        .take()
        .is_some_and(|mut i| i.write_all(bytes).is_ok());
    child.wait().is_ok_and(|s| s.success()) && fed
}

/// A dump's records, and its lines as `dumps/KEY.js`.
fn read_dump(ex: &Extractor, path: &Path, bytes: &[u8], key: &str, opts: &ReviewOptions) -> Read {
    let records = ex.extract_text(path, bytes)?;
    let text = crate::read::text::decode_text(bytes).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let report = ParseReport {
        pages: records
            .iter()
            .flat_map(|r| r.source.pages.iter())
            .max()
            .copied()
            .unwrap_or(0),
        ..ParseReport::default()
    };
    let file = opts.out.join(format!("dumps/{key}.js"));
    let js = serde_json::to_string(&lines).map(|l| format!("window.SHENBAO_DUMP = {l};\n"));
    let written = js.map_err(io::Error::from).and_then(|js| {
        if file.exists() {
            Ok(())
        } else {
            std::fs::write(&file, js)
        }
    });
    Ok(written.map(|_| (records, View::Dump(format!("../dumps/{key}.js")), report)))
}

/// The records compared with `GOLDEN/STEM.json`, when there is one.
fn compare(
    ex: &Extractor,
    golden: &Path,
    path: &Path,
    records: &[Record],
    tol: Tolerance,
) -> Option<FileComparison> {
    let stem = path.file_stem()?.to_string_lossy();
    let text = std::fs::read_to_string(golden.join(format!("{stem}.json"))).ok()?;
    let g = check::parse_records(&text).ok()?;
    let got: Vec<serde_json::Value> = records
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    let fields = check::Fields::of(&ex.template);
    Some(check::compare_forms_with(&fields, &g, &got, tol))
}
