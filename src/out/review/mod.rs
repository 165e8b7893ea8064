//! `shenbao review`: a static report of what was read (HTML, CSS and a
//! little JavaScript; no server, no network; opens from the file system).
//!
//! - `index.html`: one row per file and form: status (ok, warnings,
//!   failed with its reason), warnings and their codes, OCR pages and,
//!   with golden files, fields right, wrong and silent; sortable by any
//!   column, filterable by warning code or status.
//! - `form.html#PACK/ID`: one page per form, drawn by the viewer from the
//!   packs ([`pack`]): each page of the form drawn with
//!   the box of every field and table row from the record's `provenance`
//!   over it (an SVG `rect` per box, `data-field` the provenance key),
//!   colored by state (read, warned, low OCR confidence; with golden
//!   files right, wrong, silent), and beside it the record's fields with
//!   values, warnings and confidence; hovering a box or a field
//!   highlights both. A text dump shows its lines instead, the lines each
//!   field came from marked.
//! - `packs/N.js`: the form pages, and the pages they are drawn on,
//!   shared by every form on them and by identical files (keyed by
//!   content hash): a text-layer page as an SVG of the glyphs and rules
//!   the reader found ([`svg::page_to_svg`]), a dump's lines; gzipped in
//!   groups of forms alike ([`pack`]).
//! - `pages/`: scanned pages as the scans themselves (pdftoppm, JPEG at
//!   `scan_dpi`), shared the same way.

mod assets;
mod html;
pub mod pack;
pub mod svg;

use std::collections::HashMap;
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
    /// A pack ([`pack`]) is closed once its forms and drawings reach this
    /// many bytes before compression. Default 256 KiB: a form opens
    /// after decompressing at most about that much.
    pub pack_bytes: usize,
    /// A file's time and page limits (files are read in this process:
    /// its memory limit does not apply). Default: `ingest`'s.
    pub limits: crate::run::limits::Limits,
}

impl ReviewOptions {
    /// A report into `out`, no golden files, scans at 60 dpi.
    pub fn new(out: &Path) -> Self {
        ReviewOptions {
            out: out.to_path_buf(),
            golden: None,
            tolerance: Tolerance::default(),
            scan_dpi: 60,
            pack_bytes: 256 << 10,
            limits: crate::run::limits::Limits {
                max_memory: None,
                ..Default::default()
            },
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
    /// The form's page, relative to the report (while the report is
    /// written: the form's id).
    pub href: Option<String>,
}

/// Where a form's page is drawn from.
enum View {
    /// Page pictures by page number, and the layout's marks on them.
    Pages(Vec<html::Sheet>, Vec<Mark>),
    /// A dump's lines: the item holding them.
    Dump(String),
}

/// What one file gives the report: its index rows, its parsing report,
/// its forms' pages and the items (drawings, dump lines) they show.
#[derive(Default)]
struct FileOut {
    rows: Vec<IndexRow>,
    report: ParseReport,
    forms: Vec<pack::FormOut>,
    items: Vec<(String, String)>,
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
    for d in ["", "pages"] {
        std::fs::create_dir_all(opts.out.join(d))?;
    }
    let done: Vec<FileOut> = files
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
            r.map(|mut f| {
                f.report.elapsed_ms = start.elapsed().as_millis() as u64;
                f
            })
        })
        .collect::<io::Result<_>>()?;
    let mut rows = Vec::new();
    let mut reports = Vec::with_capacity(done.len());
    let mut forms = Vec::new();
    let mut items = HashMap::new();
    for f in done {
        rows.extend(f.rows);
        reports.push(f.report);
        forms.extend(f.forms);
        for (k, v) in f.items {
            items.entry(k).or_insert(v);
        }
    }
    let addr = pack::write_packs(&opts.out, forms, &items, opts.pack_bytes)?;
    for r in &mut rows {
        r.href = r.href.take().and_then(|id| addr.get(&id).cloned());
    }
    let json = serde_json::to_string_pretty(&reports).map_err(io::Error::from)?;
    std::fs::write(opts.out.join("report.json"), json + "\n")?;
    std::fs::write(opts.out.join("review.css"), assets::CSS)?;
    std::fs::write(opts.out.join("review.js"), assets::JS)?;
    std::fs::write(opts.out.join("form.html"), assets::FORM_HTML)?;
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
fn failed(path: &Path, e: &Error) -> FileOut {
    let report = ParseReport {
        file: path.display().to_string(),
        error: Some(format!("{}: {e}", e.code())),
        ..ParseReport::default()
    };
    FileOut {
        rows: vec![failed_row(path, e)],
        report,
        ..FileOut::default()
    }
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

/// One file: its forms' pages and the items they show, its index rows
/// and parsing report.
fn review_file(ex: &Extractor, path: &Path, opts: &ReviewOptions) -> io::Result<FileOut> {
    let bytes = match ex.read(path) {
        Ok(b) => b,
        Err(e) => return Ok(failed(path, &e)),
    };
    let sha = sha256_hex(&bytes);
    let read = if ex.is_text_input(&bytes) {
        read_dump(ex, path, &bytes, &sha[..16])
    } else {
        read_pdf(ex, path, &bytes, &sha, opts)
    };
    let (records, view, mut report, items) = match read {
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
    let file_key = &sha256_hex(path.display().to_string().as_bytes())[..16];
    let mut out = FileOut {
        report,
        items,
        ..FileOut::default()
    };
    for (i, r) in records.iter().enumerate() {
        let cmp = comparison.as_ref().and_then(|c| c.forms.get(i));
        let id = format!("{file_key}-{i}");
        let title = html::form_title(r).to_string();
        out.forms.push(pack::FormOut {
            id: id.clone(),
            order: (title.clone(), path.display().to_string(), i),
            title,
            body: html::form_body(&html::FormView {
                record: r,
                view: &view,
                comparison: cmp,
                low_confidence: LOW_CONFIDENCE,
            }),
            refs: view.items(&r.source.pages),
        });
        out.rows.push(IndexRow {
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
            href: Some(id),
        });
    }
    Ok(out)
}

impl View {
    /// The items a form on `pages` shows.
    fn items(&self, pages: &[usize]) -> Vec<String> {
        match self {
            View::Pages(sheets, _) => sheets
                .iter()
                .filter(|s| pages.contains(&s.page))
                .filter_map(|s| match &s.picture {
                    html::Picture::Item(k) => Some(k.clone()),
                    html::Picture::File(_) => None,
                })
                .collect(),
            View::Dump(k) => vec![k.clone()],
        }
    }
}

/// A field's mean OCR confidence below this is drawn as low confidence.
pub const LOW_CONFIDENCE: f64 = 0.9;

/// A file's records, how its forms are drawn, its parsing report, the
/// items its pages are drawn from (key, content).
type Read =
    crate::error::Result<io::Result<(Vec<Record>, View, ParseReport, Vec<(String, String)>)>>;

/// A PDF's records, its pages drawn (SVG items; scans as `pages/` JPEGs),
/// the layout's marks.
fn read_pdf(ex: &Extractor, path: &Path, bytes: &[u8], sha: &str, opts: &ReviewOptions) -> Read {
    let deadline = opts.limits.deadline();
    let mut pdf = ex.pdf.clone();
    pdf.deadline = deadline.clone();
    pdf.max_pages = opts.limits.max_pages;
    let in_time = || deadline.as_ref().map_or(Ok(()), |d| d.check(path));
    let pages = ex.pages_with(path, bytes, &pdf)?;
    in_time()?;
    let mut layouts = ex.layouts(&pages);
    in_time()?;
    let joins = ex.tables(&mut layouts);
    let forms = ex.joined_fields(&layouts);
    in_time()?;
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
    let mut items = Vec::new();
    let sheets = pages
        .iter()
        .map(|p| draw_page(bytes, &sha[..16], p, (opts, &ex.layout), &mut items))
        .collect::<io::Result<Vec<_>>>();
    Ok(sheets.map(|s| (records, View::Pages(s, marks), report, items)))
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

/// One page's picture: a scan as `pages/KEY-N.jpg` (written once per
/// content hash), else an SVG drawing pushed onto `items`.
fn draw_page(
    bytes: &[u8],
    key: &str,
    p: &crate::geom::PageContent,
    (opts, layout): (&ReviewOptions, &crate::settings::LayoutSettings),
    items: &mut Vec<(String, String)>,
) -> io::Result<html::Sheet> {
    let name = format!("{key}-{}", p.number);
    let sheet = |picture| html::Sheet {
        page: p.number,
        width: p.width,
        height: p.height,
        picture,
    };
    if p.ocr.is_some() {
        let stem = opts.out.join("pages").join(&name);
        if stem.with_extension("jpg").exists() || rasterize(bytes, p.number, &stem, opts.scan_dpi) {
            return Ok(sheet(html::Picture::File(format!("pages/{name}.jpg"))));
        }
    }
    items.push((name.clone(), svg::page_to_svg(p, layout)));
    Ok(sheet(html::Picture::Item(name)))
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

/// A dump's records, and its lines as an item (joined by `\n`).
fn read_dump(ex: &Extractor, path: &Path, bytes: &[u8], key: &str) -> Read {
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
    let item = format!("dump-{key}");
    let items = vec![(item.clone(), lines.join("\n"))];
    Ok(Ok((records, View::Dump(item), report, items)))
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
    let fields = check::Fields::of_set(&ex.templates);
    Some(check::compare_forms_with(&fields, &g, &got, tol))
}
