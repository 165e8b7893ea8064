//! The per-file pipeline and the batch driver.
//!
//! ```text
//! bytes ─read::pdf::read_pages, read::scan::ocr_pages─▶ pages ─layout::page_to_layout─▶ layouts
//!   ─split_forms, place::join::join_page_cuts─▶ form pages ─place::map::pages_to_fields─▶ fields
//!   ─place::repair::repair_fields─▶ fields ─assemble::fields_to_record─▶ record
//! ```
//!
//! A scanned page is read by OCR into the same page content as a
//! text-layer page; from there on it takes the same stages.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::assemble::fields_to_record;
use crate::error::{Error, Result};
use crate::geom::PageContent;
use crate::layout::{PageLayout, page_to_layout};
use crate::place::map::{FormFields, pages_to_fields};
use crate::place::repair::{RepairSettings, repair_fields};
use crate::read::pdf::{PdfSettings, read_pages};
use crate::read::scan::{OcrError, OcrSettings};
use crate::read::text as textdump;
use crate::record::{Record, Source};
use crate::run::batch::{RunOptions, Ticket, run_ordered};
use crate::settings::{ConfidenceSettings, LayoutSettings};
use crate::template::{Template, TemplateChoice, Templates, label_key};

/// How an input's bytes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputKind {
    /// By content: a text dump when not a PDF and UTF-8 text holding the
    /// title or labels of one of the templates
    /// ([`textdump::looks_like_dump_of_any`]),
    /// else a PDF.
    #[default]
    Auto,
    /// Always as a PDF.
    Pdf,
    /// Always as a text dump.
    Text,
}

/// Everything the pipeline needs, loaded once and shared by all threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    /// The form templates; each form is read with one of them
    /// ([`split_forms`]).
    pub templates: Templates,
    /// Tolerances of the layout stage.
    pub layout: LayoutSettings,
    /// How PDFs are read, and the budgets each file is read within.
    pub pdf: PdfSettings,
    /// How an input's bytes are read (PDF, text dump, or by content).
    pub input: InputKind,
    /// Scanned pages (see [`crate::read::scan`]).
    pub ocr: OcrSettings,
    /// When fields read by OCR are warned about.
    pub confidence: ConfidenceSettings,
    /// How close an OCR reading must be to an option or a level name to be
    /// repaired to it.
    pub repair: RepairSettings,
}

/// The outcome for one input file.
#[derive(Debug)]
pub struct FileResult {
    /// The input file.
    pub path: PathBuf,
    /// Its records, one per form, or why it failed.
    pub result: Result<Vec<Record>>,
}

/// Splits a file's pages into forms, each with the template it is read
/// with: a form starts at each page carrying a template's title, and is
/// read with that template (the forced one, with `--template`). Pages
/// before the first title page form a form of their own (its record then
/// warns that the title is missing), read with the template most of whose
/// labels they hold ([`Templates::by_labels`]).
pub fn split_forms(
    layouts: &[PageLayout],
    templates: &Templates,
) -> Vec<(Range<usize>, TemplateChoice)> {
    let titled: Vec<(usize, usize)> = layouts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, page_title(p, templates)?)))
        .collect();
    let mut starts: Vec<(usize, Option<usize>)> =
        titled.iter().map(|&(i, t)| (i, Some(t))).collect();
    if starts.first().map(|s| s.0) != Some(0) && !layouts.is_empty() {
        starts.insert(0, (0, None));
    }
    let forced = templates.forced();
    starts
        .iter()
        .enumerate()
        .map(|(k, &(s, title))| {
            let r = s..starts.get(k + 1).map_or(layouts.len(), |n| n.0);
            let choice = match (forced, title) {
                (Some(i), _) => TemplateChoice::Only(i),
                (None, Some(i)) => TemplateChoice::Title(i),
                (None, None) => TemplateChoice::Labels(
                    templates.by_labels(&label_key(&layouts_text(&layouts[r.clone()]))),
                ),
            };
            (r, choice)
        })
        .collect()
}

/// The template whose title the page carries (the longest title, when it
/// carries several).
fn page_title(page: &PageLayout, templates: &Templates) -> Option<usize> {
    let titles: Vec<&str> = templates
        .list()
        .iter()
        .map(|t| t.vocab().title.as_str())
        .collect();
    crate::place::map::page_title(page, &titles)
}

/// All text of pages: free lines and cells, in layout order.
fn layouts_text(pages: &[PageLayout]) -> String {
    let mut s = String::new();
    for p in pages {
        for l in &p.free_lines {
            s.push_str(&l.line.text);
        }
        for c in p.tables.iter().flat_map(|t| &t.cells) {
            for l in &c.lines {
                s.push_str(&l.text);
            }
        }
    }
    s
}

/// A text dump's text ([`textdump::decode_text`]), or why it is none.
fn decode_dump<'a>(path: &Path, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>> {
    textdump::decode_text(bytes).ok_or_else(|| Error::Damaged {
        file: path.to_path_buf(),
        reason: "text input is neither UTF-8/16 nor GB18030".to_string(),
    })
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
    /// An extractor for `templates` with default settings, reading inputs
    /// by content ([`InputKind::Auto`]).
    pub fn new(templates: Templates) -> Self {
        Extractor {
            templates,
            layout: LayoutSettings::default(),
            pdf: PdfSettings::default(),
            input: InputKind::Auto,
            ocr: OcrSettings::default(),
            confidence: ConfidenceSettings::default(),
            repair: RepairSettings::default(),
        }
    }

    /// Whether these bytes are read as a text dump.
    pub fn is_text_input(&self, bytes: &[u8]) -> bool {
        match self.input {
            InputKind::Text => true,
            InputKind::Pdf => false,
            InputKind::Auto => textdump::looks_like_dump_of_any(bytes, self.templates.list()),
        }
    }

    /// The text path: a dump's forms, fields placed (stages 1–4 of
    /// [`textdump`]).
    pub fn text_fields(&self, path: &Path, bytes: &[u8]) -> Result<Vec<textdump::TextFields>> {
        let text = decode_dump(path, bytes)?;
        Ok(textdump::text_to_fields(&text, self.dump_template(&text)))
    }

    /// The template a text dump is read with: the forced one, else the one
    /// whose title it holds, else the one most of whose labels it holds
    /// ([`Templates::choose_by_text`]); one for the whole dump.
    pub fn dump_template(&self, text: &str) -> &Template {
        let choice = self.templates.choose_by_text(&label_key(text));
        self.templates.at(choice.index())
    }

    /// The text-dump path over one file's bytes.
    pub fn extract_text(&self, path: &Path, bytes: &[u8]) -> Result<Vec<Record>> {
        let sha = sha256_hex(bytes);
        let text = decode_dump(path, bytes)?;
        let t = self.dump_template(&text);
        let records: Vec<Record> = textdump::text_to_fields(&text, t)
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut source = Source::new(path, &sha, i, &f.pages);
                source.kind = crate::record::SourceKind::TextDump;
                crate::assemble::text_fields_to_record(f, t, source)
            })
            .collect();
        self.forms_only(path, records)
    }

    /// The records that are forms ([`Record::is_form`]): a run of pages
    /// before the first title page holding no field is not one.
    /// [`Error::NoForm`] when none is.
    fn forms_only(&self, path: &Path, mut records: Vec<Record>) -> Result<Vec<Record>> {
        let template = |r: &Record| self.templates.get(&r.template).expect("a set's template");
        records.retain(|r| r.is_form(&template(r).identifying_fields));
        if records.is_empty() {
            return Err(Error::NoForm {
                file: path.to_path_buf(),
            });
        }
        for r in &mut records {
            r.form_key = template(r).form_key(r);
        }
        Ok(records)
    }

    /// The built-in templates and default settings.
    pub fn builtin() -> Result<Self> {
        Ok(Extractor::new(Templates::builtin()?))
    }

    /// Reads a file's bytes.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        read_input(path, self.pdf.max_file_bytes)
    }

    /// Stage 1, read: each page's positioned glyphs and ruling lines,
    /// from its text layer or, where it has none usable, from its image
    /// ([`crate::read::scan::ocr_pages`]: the page then says what OCR added,
    /// [`PageContent::ocr`]).
    pub fn pages(&self, path: &Path, bytes: &[u8]) -> Result<Vec<PageContent>> {
        self.pages_with(path, bytes, &self.pdf)
    }

    /// [`Extractor::pages`] with other PDF settings (a deadline, a page
    /// limit).
    pub fn pages_with(
        &self,
        path: &Path,
        bytes: &[u8],
        pdf: &PdfSettings,
    ) -> Result<Vec<PageContent>> {
        let mut pages = read_pages(path, bytes, pdf)?;
        let file = || path.to_path_buf();
        // OCR within the file's deadline too.
        let limited;
        let ocr = match &pdf.deadline {
            Some(d) => {
                limited = OcrSettings {
                    deadline: Some(d.clone()),
                    ..self.ocr.clone()
                };
                &limited
            }
            None => &self.ocr,
        };
        crate::read::scan::ocr_pages(&mut pages, bytes, ocr, &self.layout, &self.templates)
            .map_err(|e| match e {
                OcrError::TimedOut => Error::Timeout {
                    file: file(),
                    seconds: pdf.deadline.as_ref().map_or(0.0, |d| d.seconds()),
                },
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
        Ok(pages)
    }

    /// Stage 2, layout: every page's cells and free lines
    /// ([`page_to_layout`]).
    pub fn layouts(&self, pages: &[PageContent]) -> Vec<PageLayout> {
        pages.iter().map(|p| self.layout(p)).collect()
    }

    /// One page's layout ([`page_to_layout`]); labels on a page read by
    /// OCR are snapped to the template whose title or labels the page's
    /// text holds most of ([`Templates::choose_by_text`]).
    pub fn layout(&self, page: &PageContent) -> PageLayout {
        let t = match &page.ocr {
            Some(_) => {
                let text: String = page.glyphs.iter().map(|g| g.ch).collect();
                self.templates
                    .at(self.templates.choose_by_text(&label_key(&text)).index())
            }
            None => self.templates.first(),
        };
        page_to_layout(page, t, &self.layout)
    }

    /// Stage 3a, join: each form's pages with the rows cut by page breaks
    /// joined, in place ([`crate::place::join::join_page_cuts`]); what was done,
    /// one report per form.
    pub fn tables(&self, layouts: &mut [PageLayout]) -> Vec<crate::place::join::JoinReport> {
        split_forms(layouts, &self.templates)
            .into_iter()
            .map(|(r, _)| crate::place::join::join_page_cuts(&mut layouts[r], &self.layout))
            .collect()
    }

    /// Stages 3a–3c: the placed fields of every form of a file (its pages
    /// joined on a copy; [`Extractor::tables`] then
    /// [`Extractor::joined_fields`] does it in place).
    pub fn fields(&self, layouts: &[PageLayout]) -> Vec<FormFields> {
        let mut joined = layouts.to_vec();
        self.tables(&mut joined);
        self.joined_fields(&joined)
    }

    /// Stage 3b, place, on pages already joined by [`Extractor::tables`]
    /// ([`pages_to_fields`]), then 3c, repair: the fields of forms holding
    /// a page read by OCR repaired ([`repair_fields`]).
    pub fn joined_fields(&self, layouts: &[PageLayout]) -> Vec<FormFields> {
        split_forms(layouts, &self.templates)
            .into_iter()
            .map(|(r, choice)| {
                let t = self.templates.at(choice.index());
                let mut f = pages_to_fields(&layouts[r], t, &self.layout);
                repair_fields(&mut f, t, &self.repair);
                f
            })
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
        let pages = self.pages_with(path, bytes, pdf)?;
        *pages_seen = Some(pages.len());
        let mut layouts = Vec::with_capacity(pages.len());
        for p in &pages {
            checkpoint()?;
            layouts.push(self.layout(p));
        }
        drop(pages);
        checkpoint()?;
        self.tables(&mut layouts);
        let forms = self.joined_fields(&layouts);
        checkpoint()?;
        self.records(path, sha, &forms)
    }

    /// Stage 4, assemble: one record per form ([`Error::NoForm`] when none
    /// holds a field).
    pub fn records(&self, path: &Path, sha: &str, forms: &[FormFields]) -> Result<Vec<Record>> {
        let records: Vec<Record> = forms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let source = Source::new(path, sha, i, &f.pages);
                let t = self.templates.get(&f.template).expect("a set's template");
                fields_to_record(f, t, source, &self.confidence)
            })
            .collect();
        self.forms_only(path, records)
    }

    /// The whole pipeline over one file, a panic anywhere caught and
    /// reported as that file's internal error.
    pub fn extract_file(&self, path: &Path) -> Result<Vec<Record>> {
        let bytes = self.read(path)?;
        crate::run::catch(
            || self.extract_bytes(path, &bytes),
            |reason| {
                Err(Error::Internal {
                    file: path.to_path_buf(),
                    reason,
                })
            },
        )
    }

    /// Extracts files in parallel on `jobs` threads (0: all cores) and
    /// hands each result to `sink` in input order ([`crate::run`]: as soon
    /// as it and every file before it are done; memory bounded whatever the
    /// number of files; with one job, on the calling thread).
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
    pub fn extract_batch_map<T: Send + 'static>(
        &self,
        files: &[PathBuf],
        jobs: usize,
        map: impl Fn(FileResult) -> T + Send + Sync + 'static,
        sink: impl FnMut(T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.extract_batch_limited(files, jobs, None, map, sink)
    }

    /// [`Extractor::extract_batch_map`] under `limits` (`extract
    /// --timeout --max-pages`), as `ingest` reads a file
    /// ([`crate::run::limits::extract_limited`]): past its deadline or page
    /// limit a file fails (`timeout`, `too_many_pages`); one stuck where
    /// the deadline is not checked is given up by the watchdog
    /// ([`crate::run::limits::hard_limit`]) and the batch goes on.
    pub fn extract_batch_limited<T: Send + 'static>(
        &self,
        files: &[PathBuf],
        jobs: usize,
        limits: Option<crate::run::limits::Limits>,
        map: impl Fn(FileResult) -> T + Send + Sync + 'static,
        sink: impl FnMut(T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let opts = RunOptions {
            jobs,
            watchdog: limits
                .and_then(|l| l.max_budget())
                .map(crate::run::limits::hard_limit),
            ..RunOptions::default()
        };
        let job = Arc::new((self.clone(), files.to_vec(), map));
        let on_panic = {
            let job = job.clone();
            move |i: usize, reason: String| {
                let (_, files, map) = &*job;
                map(FileResult {
                    path: files[i].clone(),
                    result: Err(Error::Internal {
                        file: files[i].clone(),
                        reason,
                    }),
                })
            }
        };
        let work = move |i: usize, ticket: &Ticket<T>| {
            let (ex, files, map) = &*job;
            let path = &files[i];
            let Some(limits) = limits else {
                return map(FileResult {
                    path: path.clone(),
                    result: ex.extract_file(path),
                });
            };
            let deadline = limits.deadline();
            if let Some(d) = deadline.clone() {
                let job = job.clone();
                let fallback = move |ran: std::time::Duration| {
                    let (_, files, map) = &*job;
                    map(FileResult {
                        path: files[i].clone(),
                        result: Err(Error::Timeout {
                            file: files[i].clone(),
                            seconds: ran.as_secs_f64(),
                        }),
                    })
                };
                // given up at twice its budget as it stands, plus a second
                ticket.arm_with_limit(fallback, move || crate::run::limits::hard_limit(d.budget()));
            }
            let result = ex.read(path).and_then(|bytes| {
                let sha = sha256_hex(&bytes);
                crate::run::limits::extract_limited(ex, path, &sha, &bytes, &limits, deadline).1
            });
            map(FileResult {
                path: path.clone(),
                result,
            })
        };
        run_ordered(files.len(), &opts, work, on_panic, sink)
    }
}

/// A file's bytes, at most `max_bytes` of them: a larger file (or an
/// endless device such as `/dev/zero`) fails as `too_complex`, read no
/// further than one byte past the budget.
pub fn read_input(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| Error::Io {
        file: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    let file = std::fs::File::open(stdin_copy(path).map_err(io)?).map_err(io)?;
    // a folder (one a walk could not list): the reason it cannot be listed
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        let why = std::fs::read_dir(path)
            .err()
            .unwrap_or_else(|| std::io::Error::other("a folder, not a file"));
        return Err(io(why));
    }
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::TooComplex {
            file: path.to_path_buf(),
            budget: format!("file size budget of {max_bytes} bytes"),
        });
    }
    Ok(bytes)
}

/// The environment variable naming the copy of standard input a run
/// reads for the input path `-` ([`stdin_copy`]): the command saves its
/// standard input to a temporary file and names it here, for itself and
/// its worker processes.
pub const STDIN_COPY_ENV: &str = "SHENBAO_STDIN_COPY";

/// The file to open for an input path: `path`, or for `-` (standard
/// input) the copy named by [`STDIN_COPY_ENV`].
fn stdin_copy(path: &Path) -> std::io::Result<PathBuf> {
    if path != Path::new("-") {
        return Ok(path.to_path_buf());
    }
    std::env::var_os(STDIN_COPY_ENV)
        .map(PathBuf::from)
        .ok_or_else(|| std::io::Error::other("standard input was not saved for reading"))
}

/// The files to read: each path given, and the `.pdf` and `.txt` files
/// under each folder given, walked in name order (walkdir). Below a
/// folder given, links to folders are not followed unless `follow` (a
/// link to `.` or two links into each other would give files again or
/// never end; when followed, a loop is detected and not entered); links
/// to files are read, broken ones listed to fail as unreadable; hidden
/// entries (`.git`, `.cache`) are skipped. Each file is listed once, at
/// its first sight (by canonical path), however many paths lead to it.
/// A path given that is no folder is listed as it is, also when it does
/// not exist (reading it fails, for that file alone, as `io`) or is `-`
/// (standard input, [`STDIN_COPY_ENV`]); so is a folder below that
/// cannot be listed (reading it fails as `io` with the reason the
/// listing failed), and the walk goes on.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<PathBuf> {
    collect_inputs_with(paths, false)
}

/// [`collect_inputs`], following symbolic links below folders when
/// `follow` (`--follow`).
pub fn collect_inputs_with(paths: &[PathBuf], follow: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |p: PathBuf, out: &mut Vec<PathBuf>| {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.insert(key) {
            out.push(p);
        }
    };
    for p in paths {
        // A path that is no folder (or cannot be looked at, or `-`) is
        // listed: reading it fails, for it alone, with the reason.
        if !std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
            push(p.clone(), &mut out);
            continue;
        }
        let walk = walkdir::WalkDir::new(p)
            .follow_links(follow)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        let named_input = |path: &Path| {
            path.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("pdf") || x.eq_ignore_ascii_case("txt"))
        };
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                // A loop of links (when following): its files are listed
                // through the way in that came first.
                Err(e) if e.loop_ancestor().is_some() => continue,
                // A broken link named as an input (when following): listed,
                // to fail as unreadable rather than vanish.
                Err(e) if e.path().is_some_and(|x| x.is_symlink() && named_input(x)) => {
                    push(e.path().expect("a path").to_path_buf(), &mut out);
                    continue;
                }
                // A folder that cannot be listed (no permission, a name
                // too long): listed itself, to fail alone as unreadable
                // with the reason; the rest of the walk goes on.
                Err(e) => {
                    push(
                        e.path().map_or_else(|| p.clone(), Path::to_path_buf),
                        &mut out,
                    );
                    continue;
                }
            };
            // A link to a file (or a broken one) named as an input is
            // read; only links to folders wait for `follow`.
            let file_like = entry.file_type().is_file()
                || (entry.file_type().is_symlink() && !entry.path().is_dir());
            if file_like && named_input(entry.path()) {
                push(entry.into_path(), &mut out);
            }
        }
    }
    out
}
