//! The per-file pipeline and the batch driver.
//!
//! ```text
//! bytes ─pdf::read_pages─▶ pages ─page_to_layout─▶ layouts ─split_forms─▶ forms
//!   form pages ─mapping::pages_to_fields─▶ fields ─assemble::fields_to_record─▶ record
//! ```

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use sha2::{Digest, Sha256};

use crate::assemble::fields_to_record;
use crate::error::{Error, Result};
use crate::geom::PageContent;
use crate::layout::{cell_lines, dedupe_glyphs, edges_to_grids, glyphs_to_cells, text_inset};
use crate::mapping::{
    CellRef, FormFields, FreeLine, PageLayout, TableCells, page_has_title, pages_to_fields,
};
use crate::ocr::{OcrError, OcrInfo, OcrSettings};
use crate::pdf::{PdfSettings, read_pages};
use crate::record::{Record, Source};
use crate::settings::LayoutSettings;
use crate::template::Template;
use crate::textdump;

/// How an input's bytes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputKind {
    /// By content: a text dump when not a PDF and UTF-8 text holding the
    /// template's title or labels ([`textdump::looks_like_text_dump`]),
    /// else a PDF.
    #[default]
    Auto,
    Pdf,
    Text,
}

/// Everything the pipeline needs, loaded once and shared by all threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    pub template: Template,
    pub layout: LayoutSettings,
    pub pdf: PdfSettings,
    pub input: InputKind,
    /// Scanned pages (see [`crate::ocr`]).
    pub ocr: OcrSettings,
}

/// The outcome for one input file.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    pub result: Result<Vec<Record>>,
}

/// One page after layout (see [`crate::mapping::PageLayout`]).
pub fn page_to_layout(page: &PageContent, settings: &LayoutSettings) -> PageLayout {
    let glyphs = dedupe_glyphs(&page.glyphs, settings);
    let edges = crate::layout::drop_rules_through_text(&page.edges, &glyphs, settings);
    let grids = edges_to_grids(&edges, settings);
    let mut taken = vec![false; glyphs.len()];
    let mut tables = Vec::with_capacity(grids.len());
    for grid in &grids {
        let (per_cell, _) = glyphs_to_cells(grid, &glyphs);
        let per_cell: Vec<Vec<usize>> = per_cell
            .into_iter()
            .map(|mut idx| {
                idx.retain(|&i| !taken[i]);
                for &i in &idx {
                    taken[i] = true;
                }
                idx
            })
            .collect();
        let inset = text_inset(
            &grid
                .cells
                .iter()
                .zip(&per_cell)
                .map(|(c, idx)| (c.bbox.x0, idx.as_slice()))
                .collect::<Vec<_>>(),
            &glyphs,
        );
        let cells = grid
            .cells
            .iter()
            .zip(per_cell)
            .map(|(c, idx)| CellRef {
                page: page.number,
                bbox: c.bbox,
                row: c.row,
                col: c.col,
                row_span: c.row_span,
                col_span: c.col_span,
                lines: cell_lines(&glyphs, &idx, inset.map(|d| c.bbox.x0 + d), settings),
                cut_top: c.cut_top,
                cut_bottom: c.cut_bottom,
                cut_doubt: false,
            })
            .collect();
        tables.push(TableCells {
            page: page.number,
            bbox: grid.bbox,
            cells,
        });
    }
    let outside: Vec<usize> = (0..glyphs.len()).filter(|&i| !taken[i]).collect();
    // Free lines are read one by one: each keeps its own paragraph flag.
    let free_lines = cell_lines(&glyphs, &outside, None, settings)
        .into_iter()
        .map(|line| FreeLine {
            page: page.number,
            line,
        })
        .collect();
    PageLayout {
        page: page.number,
        tables,
        free_lines,
    }
}

/// Splits a file's pages into forms: a form starts at each page carrying
/// the title. Pages before the first title page form a form of their own
/// (its record then warns that the title is missing).
pub fn split_forms(layouts: &[PageLayout], template: &Template) -> Vec<Range<usize>> {
    let mut starts: Vec<usize> = layouts
        .iter()
        .enumerate()
        .filter(|(_, p)| page_has_title(p, template))
        .map(|(i, _)| i)
        .collect();
    if starts.first() != Some(&0) && !layouts.is_empty() {
        starts.insert(0, 0);
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| s..starts.get(k + 1).copied().unwrap_or(layouts.len()))
        .collect()
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Hex SHA-256 of the bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

impl Extractor {
    pub fn new(template: Template) -> Self {
        Extractor {
            template,
            layout: LayoutSettings::default(),
            pdf: PdfSettings::default(),
            input: InputKind::Auto,
            ocr: OcrSettings::default(),
        }
    }

    /// Whether these bytes are read as a text dump.
    pub fn is_text_input(&self, bytes: &[u8]) -> bool {
        match self.input {
            InputKind::Text => true,
            InputKind::Pdf => false,
            InputKind::Auto => textdump::looks_like_text_dump(bytes, &self.template),
        }
    }

    /// The text path: a dump's forms, fields placed (stages 1–4 of
    /// [`textdump`]).
    pub fn text_fields(&self, path: &Path, bytes: &[u8]) -> Result<Vec<textdump::TextFields>> {
        let text = textdump::decode_text(bytes).ok_or_else(|| Error::Damaged {
            file: path.to_path_buf(),
            reason: "text input is neither UTF-8/16 nor GB18030".to_string(),
        })?;
        Ok(textdump::text_to_fields(&text, &self.template))
    }

    /// The text-dump path over one file's bytes.
    pub fn extract_text(&self, path: &Path, bytes: &[u8]) -> Result<Vec<Record>> {
        let sha = sha256_hex(bytes);
        let records: Vec<Record> = self
            .text_fields(path, bytes)?
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let source = Source {
                    file: path.display().to_string(),
                    sha256: sha.clone(),
                    form_index: i,
                    pages: f.pages.clone(),
                    ocr: false,
                    ocr_pages: Vec::new(),
                };
                textdump::fields_to_record(f, &self.template, source)
            })
            .filter(|r| r.title.is_some() || r.project_name.is_some() || !r.indicators.is_empty())
            .collect();
        if records.is_empty() {
            return Err(Error::NoForm {
                file: path.to_path_buf(),
            });
        }
        Ok(records)
    }

    /// The built-in template and default settings.
    pub fn builtin() -> Result<Self> {
        Ok(Extractor::new(Template::builtin()?))
    }

    /// Reads a file's bytes.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        std::fs::read(path).map_err(|source| Error::Io {
            file: path.to_path_buf(),
            source,
        })
    }

    /// Stage 1: positioned glyphs and ruling lines.
    pub fn pages(&self, path: &Path, bytes: &[u8]) -> Result<Vec<PageContent>> {
        Ok(self.pages_ocr(path, bytes, &self.pdf)?.0)
    }

    /// Stage 1 with OCR: pages without a usable text layer are read from
    /// their image ([`crate::ocr::ocr_pages`]); the second list tells which
    /// (by page index), with the OCR words.
    pub fn pages_ocr(
        &self,
        path: &Path,
        bytes: &[u8],
        pdf: &PdfSettings,
    ) -> Result<(Vec<PageContent>, Vec<Option<OcrInfo>>)> {
        let mut pages = read_pages(path, bytes, pdf)?;
        let file = || path.to_path_buf();
        let info =
            crate::ocr::ocr_pages(&mut pages, bytes, &self.ocr, &self.layout, &self.template)
                .map_err(|e| match e {
                    OcrError::Unavailable(reason) => Error::OcrUnavailable {
                        file: file(),
                        reason,
                    },
                    OcrError::Failed(reason) => Error::Ocr {
                        file: file(),
                        reason,
                    },
                })?;
        if !pages.is_empty() && pages.iter().all(|p| p.glyphs.is_empty()) {
            return Err(Error::NoTextLayer { file: file() });
        }
        Ok((pages, info))
    }

    /// Stage 2: layout of every page.
    pub fn layouts(&self, pages: &[PageContent]) -> Vec<PageLayout> {
        pages
            .iter()
            .map(|p| page_to_layout(p, &self.layout))
            .collect()
    }

    /// Stage 3a: each form's pages with the rows cut by page breaks
    /// joined, in place ([`crate::join::join_page_cuts`]); what was done,
    /// one report per form.
    pub fn tables(&self, layouts: &mut [PageLayout]) -> Vec<crate::join::JoinReport> {
        split_forms(layouts, &self.template)
            .into_iter()
            .map(|r| crate::join::join_page_cuts(&mut layouts[r], &self.layout))
            .collect()
    }

    /// Stage 3: the fields of every form of a file (its pages joined on a
    /// copy; [`Extractor::tables`] then [`Extractor::joined_fields`] does
    /// it in place).
    pub fn fields(&self, layouts: &[PageLayout]) -> Vec<FormFields> {
        let mut joined = layouts.to_vec();
        self.tables(&mut joined);
        self.joined_fields(&joined)
    }

    /// Stage 3 on pages already joined by [`Extractor::tables`].
    pub fn joined_fields(&self, layouts: &[PageLayout]) -> Vec<FormFields> {
        split_forms(layouts, &self.template)
            .into_iter()
            .map(|r| pages_to_fields(&layouts[r], &self.template, &self.layout))
            .collect()
    }

    /// The whole pipeline over one file's bytes.
    pub fn extract_bytes(&self, path: &Path, bytes: &[u8]) -> Result<Vec<Record>> {
        if self.is_text_input(bytes) {
            return self.extract_text(path, bytes);
        }
        self.extract_bytes_limited(
            path,
            &sha256_hex(bytes),
            bytes,
            &self.pdf,
            &|| Ok(()),
            &mut None,
        )
    }

    /// The whole pipeline under limits: `pdf` carries the deadline and page
    /// limit the PDF reader checks, `checkpoint` runs between stages (and
    /// fails the file when time is up); `pages_seen` gets the page count once
    /// the PDF opened.
    pub fn extract_bytes_limited(
        &self,
        path: &Path,
        sha: &str,
        bytes: &[u8],
        pdf: &PdfSettings,
        checkpoint: &dyn Fn() -> Result<()>,
        pages_seen: &mut Option<usize>,
    ) -> Result<Vec<Record>> {
        if self.is_text_input(bytes) {
            return self.extract_text(path, bytes);
        }
        let (pages, ocr) = self.pages_ocr(path, bytes, pdf)?;
        *pages_seen = Some(pages.len());
        let mut layouts = Vec::with_capacity(pages.len());
        for p in &pages {
            checkpoint()?;
            layouts.push(page_to_layout(p, &self.layout));
        }
        drop(pages);
        crate::ocr::fix_layouts(&mut layouts, &ocr, &self.template, &self.ocr.repair);
        checkpoint()?;
        self.tables(&mut layouts);
        let mut forms = self.joined_fields(&layouts);
        let ocr_warnings =
            crate::ocr::fix_forms(&mut forms, &ocr, &self.template, &self.ocr.repair);
        checkpoint()?;
        self.records(path, sha, &forms, &ocr, &ocr_warnings)
    }

    /// Stage 4: one record per form ([`Error::NoForm`] when none holds a
    /// field), with the OCR annotations of scanned pages.
    pub fn records(
        &self,
        path: &Path,
        sha: &str,
        forms: &[FormFields],
        ocr: &[Option<OcrInfo>],
        ocr_warnings: &[Vec<crate::record::Warning>],
    ) -> Result<Vec<Record>> {
        let records: Vec<Record> = forms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let source = Source {
                    file: path.display().to_string(),
                    sha256: sha.to_string(),
                    form_index: i,
                    pages: f.pages.clone(),
                    ocr: false,
                    ocr_pages: Vec::new(),
                };
                let mut r = fields_to_record(f, &self.template, source);
                crate::ocr::annotate_record(&mut r, ocr, &self.template, &self.ocr);
                r.warnings.extend(ocr_warnings[i].iter().cloned());
                r
            })
            .filter(|r| {
                // A run of pages before the first title page that holds no
                // field at all is not a form.
                r.title.is_some() || r.project_name.is_some() || !r.indicators.is_empty()
            })
            .collect();
        if records.is_empty() {
            return Err(Error::NoForm {
                file: path.to_path_buf(),
            });
        }
        Ok(records)
    }

    /// The whole pipeline over one file, a panic anywhere caught and
    /// reported as that file's internal error.
    pub fn extract_file(&self, path: &Path) -> Result<Vec<Record>> {
        let bytes = self.read(path)?;
        match catch_unwind(AssertUnwindSafe(|| self.extract_bytes(path, &bytes))) {
            Ok(r) => r,
            Err(p) => Err(Error::Internal {
                file: path.to_path_buf(),
                reason: panic_message(p.as_ref()),
            }),
        }
    }

    /// Extracts files in parallel on `jobs` threads (0: all cores) and
    /// hands each result to `sink` in input order.
    ///
    /// Workers take the next file from a shared counter and send its result
    /// to the calling thread, which writes results in input order as soon
    /// as they are complete, so no core waits for a batch to finish. A
    /// worker does not start a file more than `4 × jobs` files ahead of the
    /// last one written, so memory stays bounded whatever the number of
    /// files. With one job, files are extracted on the calling thread.
    pub fn extract_batch(
        &self,
        files: &[PathBuf],
        jobs: usize,
        sink: impl FnMut(FileResult) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.extract_batch_map(files, jobs, |r| r, sink)
    }

    /// [`Extractor::extract_batch`], with `map` applied to each result on
    /// the worker that extracted it (e.g. serializing it, so the writing
    /// thread only writes) before `sink` gets it, in input order.
    pub fn extract_batch_map<T: Send>(
        &self,
        files: &[PathBuf],
        jobs: usize,
        map: impl Fn(FileResult) -> T + Sync,
        mut sink: impl FnMut(T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let jobs = match jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let one = |p: &PathBuf| {
            map(FileResult {
                path: p.clone(),
                result: self.extract_file(p),
            })
        };
        if jobs == 1 || files.len() < 2 {
            return files.iter().try_for_each(|p| sink(one(p)));
        }
        let window = 4 * jobs;
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        // How many results have been written, and a signal when it grows.
        let written = (Mutex::new(0usize), Condvar::new());
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(window);
        // A dedicated rayon pool of `jobs` threads runs the workers; this
        // thread writes.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(std::io::Error::other)?;
        pool.in_place_scope(|scope| {
            for _ in 0..jobs.min(files.len()) {
                let tx = tx.clone();
                let (next, stop, written, one) = (&next, &stop, &written, &one);
                scope.spawn(move |_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= files.len() {
                            break;
                        }
                        let mut w = written.0.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *w + window && !stop.load(Ordering::Relaxed) {
                            w = written.1.wait(w).unwrap_or_else(|e| e.into_inner());
                        }
                        drop(w);
                        if stop.load(Ordering::Relaxed) || tx.send((i, one(&files[i]))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut pending: std::collections::BTreeMap<usize, T> = Default::default();
            let mut done = 0;
            // `rx` is moved in here: leaving early (a sink error) drops it,
            // so workers blocked on a full channel get an error and stop.
            for (i, r) in rx {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&done) {
                    done += 1;
                    let res = sink(r);
                    {
                        // `stop` is set under the lock so a worker cannot
                        // miss it between its check and its wait.
                        let mut w = written.0.lock().unwrap_or_else(|e| e.into_inner());
                        *w = done;
                        if res.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    written.1.notify_all();
                    res?;
                }
            }
            Ok(())
        })
    }
}

/// Expands the inputs: files are taken as given, folders are walked
/// (sorted, recursively) for `*.pdf` and `*.txt` files (any case). The result keeps the
/// order of the inputs.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| Error::Io {
            file: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io {
        file: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(io)?;
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, out)?;
        } else if e
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("pdf") || x.eq_ignore_ascii_case("txt"))
        {
            out.push(e);
        }
    }
    Ok(())
}
