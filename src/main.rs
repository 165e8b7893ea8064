//! The `shenbao` command: a thin layer over the library.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::Value;

use shenbao::out::file::OutputFile;
use shenbao::out::store::{self, Store};
use shenbao::out::{check, dump};
use shenbao::read::scan::{OcrSettings, Recognizer};
use shenbao::run::isolate::{self, Pool};
use shenbao::run::progress::{Progress, Tally};
use shenbao::run::scratch::RunDir;
use shenbao::template::Templates;
use shenbao::{Extractor, Template};

#[derive(Parser)]
#[command(
    name = "shenbao",
    version,
    about = "Extract budget performance-target forms (one template per kind of form, templates/*.toml) from PDFs, scans and text dumps into JSON records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    Glyphs,
    Lines,
    Cells,
    /// Each form's pages with the rows cut open by page breaks joined.
    Table,
    /// Text dumps: the pieces of each page (labels, values, paragraphs).
    /// (`lines` on a text dump: its pages' lines after glued cells were
    /// cut at their labels; `fields`: the values placed, the indicator
    /// table's items, the warnings.)
    Blocks,
    Fields,
}

/// How inputs are read (`auto`: by content).
#[derive(Clone, Copy, ValueEnum)]
enum Input {
    Auto,
    Pdf,
    Text,
}

impl From<Input> for shenbao::run::extract::InputKind {
    fn from(i: Input) -> Self {
        match i {
            Input::Auto => Self::Auto,
            Input::Pdf => Self::Pdf,
            Input::Text => Self::Text,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Extract records (JSONL, one form per line) from PDFs, text dumps of them, and folders.
    Extract {
        /// PDF files, text dumps, or folders (walked recursively for *.pdf, *.txt).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write records here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write failures (JSON lines) here instead of stderr.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// Print one intermediate stage of one file instead of records
        /// (text dumps: blocks, fields).
        #[arg(long, value_enum)]
        dump: Option<Stage>,
        #[command(flatten)]
        reading: Reading,
        /// Wall-clock limit per file in seconds (0: none), to which
        /// --page-timeout and --ocr-page-timeout add; a file past it fails
        /// as timeout and the batch goes on.
        #[arg(long, default_value_t = 0.0)]
        timeout: f64,
        #[command(flatten)]
        page_times: PageTimes,
        /// Files with more pages fail as too_many_pages (0: no limit).
        #[arg(long, default_value_t = 0)]
        max_pages: usize,
        #[command(flatten)]
        isolation: Isolation,
        /// No progress bar and no summary line (failures are still written).
        #[arg(short, long)]
        quiet: bool,
    },
    /// Compare extraction with golden JSON and print a per-field accuracy
    /// table; exits 1 below 100%.
    Check {
        /// Folder of golden files (NAME.json for input NAME.pdf).
        #[arg(long)]
        golden: PathBuf,
        /// Inputs (files or folders).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Rewrite the golden files from the extractor (after printing the diff).
        #[arg(long)]
        bless: bool,
        #[command(flatten)]
        reading: Reading,
        /// Also count a text field right when at least this similar to the
        /// golden text (0..1, e.g. 0.98; default: equal modulo white space).
        /// For text dumps, which can lose or misplace characters.
        #[arg(long, value_name = "MIN")]
        text_similarity: Option<f64>,
        /// Compare indicator rows on level 3 and target only (text dumps
        /// place levels 1 and 2 by layout heuristics).
        #[arg(long)]
        ignore_indicator_levels: bool,
        /// Print the result as JSON (per file, form and field) instead of
        /// the table and diffs.
        #[arg(long)]
        json: bool,
    },
    /// Write a static report (HTML) of what was read: an index of every
    /// file and form, and a page per form with each field's box drawn on
    /// its page (open DIR/index.html in a browser).
    Review {
        /// PDF files, text dumps, or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Folder to write the report into (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Golden files (NAME.json for input NAME.pdf): fields drawn right,
        /// wrong or silent, and counted so in the index.
        #[arg(long, value_name = "DIR")]
        golden: Option<PathBuf>,
        #[command(flatten)]
        reading: Reading,
        /// Resolution of scanned pages' images in the report.
        #[arg(long, default_value_t = 60)]
        scan_dpi: u32,
        /// A file past these is a failed row and the report goes on.
        #[command(flatten)]
        bounds: Bounds,
    },
    /// Ingest PDFs and text dumps (files, folders, or a list) into a SQLite store,
    /// skipping files already stored; exits 1 if any file failed.
    Ingest(IngestArgs),
    /// Write the store's tables as flat CSV or JSONL files (see docs/store.md).
    Export {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Folder to write into (created when missing).
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Add elapsed_ms and ingested_at to files (exports then differ between runs).
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        templates: TemplateArgs,
    },
    /// Print the JSON Schema of a record (or, with --tables, the exported
    /// tables' columns and kinds).
    Schema {
        #[command(flatten)]
        templates: TemplateArgs,
        /// The exported tables instead: each table's columns with their
        /// kinds, and the SQL of the copies and of project_years (what the
        /// Spark job, scripts/spark/, builds its tables from).
        #[arg(long, conflicts_with = "duckdb")]
        tables: bool,
        /// DuckDB views over a CSV export instead, every column typed
        /// (sql/duckdb.sql is this for the built-in templates).
        #[arg(long)]
        duckdb: bool,
    },
    /// Combine stores into one (idempotent: files already there are skipped).
    Merge {
        /// Stores to read.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Store to write (created when missing).
        #[arg(long)]
        db: PathBuf,
        #[command(flatten)]
        templates: TemplateArgs,
    },
}

/// Which templates forms are read with; the store, its exports and the
/// schema follow the same set.
#[derive(clap::Args, Clone)]
struct TemplateArgs {
    /// Read every form with this template: a name (`shanghai-2019`,
    /// `national-project`; see templates/) or a template file (.toml).
    /// Default: each form with the template its title and labels name.
    #[arg(long, value_name = "NAME|FILE")]
    template: Option<String>,
    /// The templates: every *.toml of this folder instead of the built-in
    /// ones (templates/ of the source).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

impl TemplateArgs {
    /// The set, with the forced template.
    fn load(&self) -> Result<Templates> {
        let file = self.template.as_deref().filter(|t| t.ends_with(".toml"));
        let mut set = match (&self.templates, file) {
            (_, Some(f)) => Templates::one(Template::load(Path::new(f))?),
            (Some(dir), None) => Templates::load_dir(dir)?,
            (None, None) => Templates::builtin()?,
        };
        if let Some(name) = self.template.as_deref().filter(|_| file.is_none()) {
            set.force(name)?;
        }
        Ok(set)
    }

    /// What makes extraction differ from the built-in default (stored in
    /// the extractor version, so a change re-extracts): the forced
    /// template and the template files.
    fn identity(&self) -> Result<Option<Vec<u8>>> {
        if self.template.is_none() && self.templates.is_none() {
            return Ok(None);
        }
        // the files' bytes, not the loaded templates (whose maps print in
        // no fixed order)
        let mut files: Vec<PathBuf> = Vec::new();
        if let Some(f) = self.template.as_deref().filter(|t| t.ends_with(".toml")) {
            files.push(PathBuf::from(f));
        } else if let Some(dir) = &self.templates {
            for e in std::fs::read_dir(dir)? {
                let p = e?.path();
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
            files.sort();
        }
        let mut id = self.template.clone().unwrap_or_default().into_bytes();
        for f in files {
            id.push(0);
            id.extend(std::fs::read(&f).with_context(|| f.display().to_string())?);
        }
        Ok(Some(id))
    }
}

#[derive(clap::Args)]
struct IngestArgs {
    /// PDF files, text dumps, or folders (walked recursively for *.pdf,
    /// *.txt); `-`: standard input.
    archive: Vec<PathBuf>,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    quiet: bool,
    /// The SQLite store (created when missing).
    #[arg(long)]
    db: PathBuf,
    /// Also read paths, one a line, from this file (`-`: standard input).
    #[arg(long)]
    files_from: Option<PathBuf>,
    /// Only the files of shard K of N (0-based): FNV-1a of the stored path mod N.
    #[arg(long, value_name = "K/N")]
    shard: Option<shenbao::run::ingest::Shard>,
    /// Worker threads (0: all cores).
    #[arg(short, long, default_value_t = 0)]
    jobs: usize,
    /// Extract again files already stored with the same hash and version.
    #[arg(long)]
    force: bool,
    /// Extract again the files stored as failed (e.g. with a longer
    /// --timeout); files stored with their forms are skipped.
    #[arg(long)]
    retry_failed: bool,
    #[command(flatten)]
    bounds: Bounds,
    #[command(flatten)]
    templates: TemplateArgs,
    /// Follow symbolic links when walking folders (loops are detected).
    #[arg(long)]
    follow: bool,
    #[command(flatten)]
    isolation: Isolation,
}

/// How `extract`, `check` and `review` find and read their inputs.
#[derive(clap::Args)]
struct Reading {
    /// Worker threads (0: all cores).
    #[arg(short, long, default_value_t = 0)]
    jobs: usize,
    #[command(flatten)]
    templates: TemplateArgs,
    /// Read inputs as PDFs, as text dumps (pages split at form feeds or
    /// 3+ blank lines), or decide by content.
    #[arg(long, value_enum, default_value = "auto")]
    input: Input,
    /// Follow symbolic links when walking folders (loops are detected).
    #[arg(long)]
    follow: bool,
}

impl Reading {
    /// The extractor: the template, reading inputs as asked.
    fn extractor(&self) -> Result<Extractor> {
        let mut ex = extractor(&self.templates)?;
        ex.input = self.input.into();
        Ok(ex)
    }

    /// The input files under `paths`.
    fn files(&self, paths: &[PathBuf]) -> Vec<PathBuf> {
        shenbao::collect_inputs_with(paths, self.follow)
    }
}

/// A file's time and page limits with `ingest`'s defaults (`ingest`,
/// `review`).
#[derive(clap::Args)]
struct Bounds {
    /// Wall-clock limit per file in seconds (0: none), to which
    /// --page-timeout and --ocr-page-timeout add.
    #[arg(long, default_value_t = shenbao::run::ingest::DEFAULT_TIMEOUT_S as f64)]
    timeout: f64,
    #[command(flatten)]
    page_times: PageTimes,
    /// Files with more pages fail as too_many_pages (0: no limit).
    #[arg(long, default_value_t = 50)]
    max_pages: usize,
}

impl Bounds {
    /// The limits, page times not given taking `ingest`'s defaults.
    fn limits(&self, isolation: &Isolation) -> Result<shenbao::run::ingest::Limits> {
        let page_times = self.page_times.or_ingest_defaults();
        limits(self.timeout, &page_times, self.max_pages, isolation)
    }
}

/// What each page adds to a file's time limit (with --timeout 0: nothing).
#[derive(clap::Args)]
struct PageTimes {
    /// Seconds added to a file's limit for each of its pages [default:
    /// ingest and review 2, extract 0].
    #[arg(long, value_name = "SECONDS")]
    page_timeout: Option<f64>,
    /// Seconds added to a file's limit for each page read by OCR [default:
    /// ingest and review 60, extract 0].
    #[arg(long, value_name = "SECONDS")]
    ocr_page_timeout: Option<f64>,
}

impl PageTimes {
    /// `ingest`'s defaults where not given.
    fn or_ingest_defaults(&self) -> PageTimes {
        use shenbao::run::ingest::{DEFAULT_OCR_PAGE_TIMEOUT_S, DEFAULT_PAGE_TIMEOUT_S};
        PageTimes {
            page_timeout: self.page_timeout.or(Some(DEFAULT_PAGE_TIMEOUT_S as f64)),
            ocr_page_timeout: self
                .ocr_page_timeout
                .or(Some(DEFAULT_OCR_PAGE_TIMEOUT_S as f64)),
        }
    }
}

/// A file's limits from the command line's numbers (page times not
/// given: 0).
fn limits(
    timeout: f64,
    pages: &PageTimes,
    max_pages: usize,
    isolation: &Isolation,
) -> Result<shenbao::run::ingest::Limits> {
    let secs = |name: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            bail!("--{name} must be a number of seconds >= 0")
        }
    };
    let t = secs("timeout", timeout)?;
    Ok(shenbao::run::ingest::Limits {
        timeout: (!t.is_zero()).then_some(t),
        page_timeout: secs("page-timeout", pages.page_timeout.unwrap_or(0.0))?,
        ocr_page_timeout: secs("ocr-page-timeout", pages.ocr_page_timeout.unwrap_or(0.0))?,
        max_pages,
        max_memory: isolation.max_memory(),
    })
}

/// How files are read: each in a worker process (the default), or here.
#[derive(clap::Args)]
struct Isolation {
    /// Memory a file may take, in MiB (0: no limit): its worker process's
    /// data segment; past it the file fails as too_complex.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    max_memory: u64,
    /// Read files in this process instead of in worker processes: no
    /// memory limit, and a file stuck past its timeout is abandoned (its
    /// thread runs on), not stopped.
    #[arg(long)]
    in_process: bool,
}

impl Isolation {
    fn max_memory(&self) -> Option<u64> {
        (self.max_memory > 0).then_some(self.max_memory << 20)
    }

    /// The pool of worker processes running this program with its own
    /// arguments, or none with `--in-process`.
    fn pool(
        &self,
        ex: &Extractor,
        limits: &shenbao::run::ingest::Limits,
    ) -> Result<Option<Arc<Pool>>> {
        if self.in_process {
            return Ok(None);
        }
        let program =
            std::env::current_exe().context("cannot find this program to start workers")?;
        let args = std::env::args_os().skip(1).collect();
        Ok(Some(Arc::new(Pool::new(
            program,
            args,
            *limits,
            &ex.templates,
        ))))
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Jsonl,
    Parquet,
}

/// One file's output, as JSON lines made on the worker that extracted it.
enum FileLines {
    /// Record lines, how many records, and the file's pages (0: not known).
    Records(Vec<u8>, usize, usize),
    /// The error line.
    Failure(Vec<u8>),
}

fn extractor(templates: &TemplateArgs) -> Result<Extractor> {
    let mut ex = Extractor::new(templates.load()?);
    ocr_settings_from_env(&mut ex.ocr);
    Ok(ex)
}

/// The environment variables the binary maps onto [`OcrSettings`] (the
/// library reads none): `SHENBAO_TESSERACT`, `SHENBAO_PDFTOPPM`,
/// `SHENBAO_OCR_LANG`, `SHENBAO_OCR_RECOGNIZER` (`auto`, `ppocr`,
/// `tesseract`), `SHENBAO_PPOCR_DIR` (the only folder searched),
/// `SHENBAO_OCR_DPI`, `SHENBAO_OCR_PER_CELL` (`0`: whole page),
/// `SHENBAO_OCR_PASSES`, `SHENBAO_OCR_DEBUG_DIR`; the user's own
/// `$XDG_DATA_HOME/shenbao/ppocr` (or `~/.local/share/shenbao/ppocr`) is
/// searched before the system folders.
fn ocr_settings_from_env(s: &mut OcrSettings) {
    use std::env::{var, var_os};
    if let Some(v) = var_os("SHENBAO_TESSERACT") {
        s.tesseract = v.into();
    }
    if let Some(v) = var_os("SHENBAO_PDFTOPPM") {
        s.pdftoppm = v.into();
    }
    if let Ok(v) = var("SHENBAO_OCR_LANG") {
        s.lang = v;
    }
    match var("SHENBAO_OCR_RECOGNIZER").as_deref() {
        Ok("tesseract") => s.recognizer = Recognizer::Tesseract,
        Ok("ppocr") => s.recognizer = Recognizer::PpOcr(None),
        _ => {}
    }
    if let Some(d) = var_os("SHENBAO_PPOCR_DIR") {
        s.ppocr_dirs = vec![d.into()];
    } else if let Some(d) = var_os("XDG_DATA_HOME") {
        s.ppocr_dirs
            .insert(0, PathBuf::from(d).join("shenbao/ppocr"));
    } else if let Some(h) = var_os("HOME") {
        s.ppocr_dirs
            .insert(0, PathBuf::from(h).join(".local/share/shenbao/ppocr"));
    }
    if let Some(dpi) = var("SHENBAO_OCR_DPI").ok().and_then(|v| v.parse().ok()) {
        s.dpi = dpi;
    }
    if let Ok(v) = var("SHENBAO_OCR_PER_CELL") {
        s.per_cell = v != "0";
    }
    if let Some(n) = var("SHENBAO_OCR_PASSES").ok().and_then(|v| v.parse().ok()) {
        s.passes = n;
    }
    s.debug_dir = var_os("SHENBAO_OCR_DEBUG_DIR").map(PathBuf::from);
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        // The reader of our output went away (`| head`): what it wanted was
        // written; end quietly, as ripgrep does.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shenbao: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each said once: a cause whose words the
/// message already holds (an error that prints its source, as ours and
/// rusqlite's do) ends the chain.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            break;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Whether an error comes from writing to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Each file's size, for the progress bar's ETA (a file that cannot be
/// looked at counts 0; `-` too).
fn sizes(files: &[&Path]) -> Vec<u64> {
    files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect()
}

/// Saves standard input to a temporary file when `-` is among `paths`,
/// and names it for the readers ([`shenbao::run::extract::STDIN_COPY_ENV`]:
/// this process and its workers). The file is removed when the returned
/// guard is dropped.
fn save_stdin(paths: &[PathBuf]) -> Result<Option<tempfile::NamedTempFile>> {
    if !paths.iter().any(|p| p == Path::new("-")) {
        return Ok(None);
    }
    let mut f = tempfile::NamedTempFile::new().context("cannot save standard input")?;
    std::io::copy(&mut std::io::stdin().lock(), &mut f).context("cannot read standard input")?;
    f.flush()?;
    // SAFETY: set before any thread of this program starts (the pool and
    // the batch start later); workers inherit it.
    unsafe { std::env::set_var(shenbao::run::extract::STDIN_COPY_ENV, f.path()) };
    Ok(Some(f))
}

/// The error for a run that found nothing to read (exit 1).
fn nothing_found(paths: &[PathBuf]) -> ExitCode {
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "shenbao: no PDF or text file (*.pdf, *.txt) found in {}",
        list.join(", ")
    );
    ExitCode::from(1)
}

/// Where records or failures go: a file (in place only once the run
/// ends well: [`OutputFile`]) or a standard stream.
enum Output {
    File(OutputFile),
    Std(Box<dyn Write>),
}

impl Output {
    /// Writes where asked, or to `default` (also for `-`).
    fn new(path: Option<&Path>, default: Box<dyn Write>) -> Result<Output> {
        Ok(match path {
            Some(p) if p != Path::new("-") => Output::File(OutputFile::create(p)?),
            _ => Output::Std(default),
        })
    }

    /// Flushes, and puts a file in place.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::File(f) => f.commit(),
            Output::Std(mut w) => w.flush(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::File(f) => f.write(buf),
            Output::Std(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::File(f) => f.flush(),
            Output::Std(w) => w.flush(),
        }
    }
}

/// One file's result as JSON lines: its records, or its failure.
fn to_lines(r: shenbao::FileResult) -> std::io::Result<FileLines> {
    let mut buf = Vec::new();
    Ok(match r.result {
        Ok(records) => {
            let pages = records.iter().flat_map(|r| r.source.pages.iter()).max();
            for rec in &records {
                serde_json::to_writer(&mut buf, rec)?;
                buf.push(b'\n');
            }
            FileLines::Records(buf, records.len(), pages.copied().unwrap_or(0))
        }
        Err(e) => {
            let line = serde_json::json!({
                "file": r.path.display().to_string(),
                "code": e.code(),
                "error": e.to_string(),
            });
            serde_json::to_writer(&mut buf, &line)?;
            buf.push(b'\n');
            FileLines::Failure(buf)
        }
    })
}

/// [`to_lines`] for a file read by a worker: its record lines as it wrote
/// them.
fn worker_lines(r: isolate::FileLines) -> std::io::Result<FileLines> {
    match r.result {
        Ok(records) => {
            let mut buf = Vec::new();
            for rec in &records {
                buf.extend_from_slice(rec.as_bytes());
                buf.push(b'\n');
            }
            Ok(FileLines::Records(buf, records.len(), r.pages.unwrap_or(0)))
        }
        Err(e) => to_lines(shenbao::FileResult {
            path: r.path,
            result: Err(e),
        }),
    }
}

fn run_extract(
    ex: &Extractor,
    files: &[PathBuf],
    (output, errors): (Option<&Path>, Option<&Path>),
    (jobs, quiet): (usize, bool),
    (limits, pool): (shenbao::run::ingest::Limits, Option<Arc<Pool>>),
) -> Result<ExitCode> {
    let mut out = Output::new(output, Box::new(BufWriter::new(std::io::stdout().lock())))?;
    let mut err = Output::new(errors, Box::new(std::io::stderr()))?;
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let sizes = sizes(&paths);
    let progress = Progress::new(files.len(), sizes.iter().sum(), quiet);
    let mut tally = Tally::default();
    // Each file's JSON lines are made on the worker that extracted it;
    // this thread only writes them, in input order.
    let sink = |lines: std::io::Result<FileLines>| {
        match lines? {
            FileLines::Records(buf, n, pages) => {
                tally.forms += n;
                tally.pages += pages;
                out.write_all(&buf)?;
            }
            FileLines::Failure(buf) => {
                tally.failed += 1;
                progress.suspend(|| err.write_all(&buf))?;
            }
        }
        tally.bytes += sizes[tally.done];
        tally.done += 1;
        progress.update(&tally);
        Ok(())
    };
    match pool {
        Some(pool) => isolate::extract_batch(pool, files, jobs, worker_lines, sink)?,
        None => {
            let limited = (limits.timeout.is_some() || limits.max_pages > 0).then_some(limits);
            ex.extract_batch_limited(files, jobs, limited, to_lines, sink)?
        }
    }
    // Both written out before either is put in place: a failure to write
    // one leaves the other's file as it was too.
    out.flush()?;
    err.flush()?;
    out.finish()?;
    err.finish()?;
    progress.finish();
    if !quiet {
        eprintln!(
            "shenbao: {} files, {} forms, {} failed",
            files.len(),
            tally.forms,
            tally.failed
        );
    }
    Ok(if tally.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The run's temporary folder ([`RunDir`]), made the temporary folder of
/// this process and the workers and tools it starts.
fn run_dir() -> Result<RunDir> {
    let d = RunDir::create().context("cannot create the run's temporary folder")?;
    // SAFETY: set before any thread of this program starts.
    unsafe { std::env::set_var("TMPDIR", d.path()) };
    Ok(d)
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let reads = matches!(
        cli.command,
        Command::Extract { .. }
            | Command::Check { .. }
            | Command::Ingest(_)
            | Command::Review { .. }
    );
    let _run_dir = match reads && !isolate::is_worker() {
        true => Some(run_dir()?),
        false => None,
    };
    match cli.command {
        Command::Extract {
            paths,
            output,
            errors,
            dump,
            reading,
            timeout,
            page_times,
            max_pages,
            isolation,
            quiet,
        } => {
            let ex = reading.extractor()?;
            if let Some(stage) = dump {
                return run_dump(&ex, &paths, stage);
            }
            let limits = limits(timeout, &page_times, max_pages, &isolation)?;
            if isolate::is_worker() {
                isolate::serve(&ex, &limits)?;
                return Ok(ExitCode::SUCCESS);
            }
            let files = reading.files(&paths);
            if files.is_empty() {
                return Ok(nothing_found(&paths));
            }
            let _stdin = save_stdin(&paths)?;
            let pool = isolation.pool(&ex, &limits)?;
            let out = (output.as_deref(), errors.as_deref());
            run_extract(&ex, &files, out, (reading.jobs, quiet), (limits, pool))
        }
        Command::Check {
            golden,
            paths,
            bless,
            reading,
            text_similarity,
            ignore_indicator_levels,
            json,
        } => {
            let ex = reading.extractor()?;
            let tol = check::Tolerance {
                text_similarity,
                ignore_indicator_levels,
            };
            let files = reading.files(&paths);
            if files.is_empty() {
                return Ok(nothing_found(&paths));
            }
            run_check(&ex, &golden, &files, (bless, json), reading.jobs, tol)
        }
        Command::Review {
            paths,
            out,
            golden,
            reading,
            scan_dpi,
            bounds,
        } => {
            let ex = reading.extractor()?;
            let files = reading.files(&paths);
            if files.is_empty() {
                return Ok(nothing_found(&paths));
            }
            let mut opts = shenbao::out::review::ReviewOptions::new(&out);
            opts.golden = golden;
            opts.scan_dpi = scan_dpi;
            let in_process = Isolation {
                max_memory: 0,
                in_process: true,
            };
            opts.limits = bounds.limits(&in_process)?;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(reading.jobs)
                .build()?;
            let start = std::time::Instant::now();
            let done = pool
                .install(|| shenbao::out::review::review(&ex, &files, &opts))
                .with_context(|| format!("cannot write the report into {}", out.display()))?;
            eprintln!(
                "shenbao: {} files, {} forms, {} failed: {} ({:.1} s)",
                done.files,
                done.forms,
                done.failed,
                out.join("index.html").display(),
                start.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest(a) => run_ingest(a),
        Command::Export {
            db,
            format,
            out,
            timings,
            templates,
        } => {
            let store = Store::open_read_only(&db, &templates.load()?)?;
            let format = match format {
                ExportFormat::Csv => store::Format::Csv,
                ExportFormat::Jsonl => store::Format::Jsonl,
                ExportFormat::Parquet => store::Format::Parquet,
            };
            for e in store::export(&store, &out, store::ExportOptions { format, timings })? {
                eprintln!("shenbao: {} rows to {}", e.rows, e.path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema {
            templates,
            tables,
            duckdb,
        } => {
            let t = templates.load()?;
            let text = match (tables, duckdb, t.forced()) {
                (_, true, _) => store::duckdb_sql(&t),
                (true, _, _) => serde_json::to_string_pretty(&store::tables_json(&t))? + "\n",
                (false, _, Some(i)) if templates.template.is_some() => {
                    serde_json::to_string_pretty(&shenbao::record::record_schema(t.at(i)))? + "\n"
                }
                _ => serde_json::to_string_pretty(&shenbao::record::records_schema(&t))? + "\n",
            };
            match std::io::stdout().lock().write_all(text.as_bytes()) {
                // a closed pipe (`| head`) ends the run quietly
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge {
            inputs,
            db,
            templates,
        } => {
            let mut dst = Store::open(&db, &templates.load()?)?;
            for i in &inputs {
                let s = dst.merge_from(i)?;
                eprintln!(
                    "shenbao: {}: {} files copied ({} forms), {} already there",
                    i.display(),
                    s.copied,
                    s.forms,
                    s.skipped
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_ingest(a: IngestArgs) -> Result<ExitCode> {
    use shenbao::run::ingest;
    let ex = extractor(&a.templates)?;
    let limits = a.bounds.limits(&a.isolation)?;
    if isolate::is_worker() {
        isolate::serve(&ex, &limits)?;
        return Ok(ExitCode::SUCCESS);
    }
    let listed = match &a.files_from {
        Some(f) => {
            ingest::read_file_list(f).with_context(|| format!("cannot read {}", f.display()))?
        }
        None => Vec::new(),
    };
    if a.archive.is_empty() && a.files_from.is_none() {
        bail!("nothing to ingest: give ARCHIVE paths or --files-from");
    }
    let stdin_listed = a.files_from.as_deref() == Some(Path::new("-"));
    if stdin_listed && a.archive.iter().any(|p| p == Path::new("-")) {
        bail!("standard input cannot be both --files-from - and an ARCHIVE -");
    }
    let files = ingest::plan(&a.archive, &listed, a.shard, a.follow)?;
    if files.is_empty() && a.shard.is_none() {
        return Ok(nothing_found(&a.archive));
    }
    let _stdin = save_stdin(&a.archive)?;
    let mut store = Store::open(&a.db, &ex.templates)?;
    let opts = ingest::IngestOptions {
        jobs: a.jobs,
        force: a.force,
        retry_failed: a.retry_failed,
        limits,
        version: ingest::extractor_version(a.templates.identity()?.as_deref()),
    };
    let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    let progress = Progress::new(files.len(), sizes(&paths).iter().sum(), a.quiet);
    let pool = a.isolation.pool(&ex, &limits)?;
    let sum = ingest::ingest(&ex, &mut store, &files, &opts, pool, |s| {
        progress.update(&s.tally())
    })?;
    progress.finish();
    if !a.quiet {
        eprintln!("{}", sum.line());
    }
    Ok(if sum.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_dump(ex: &Extractor, paths: &[PathBuf], stage: Stage) -> Result<ExitCode> {
    let [path] = paths else {
        bail!("--dump takes exactly one file");
    };
    let bytes = ex.read(path)?;
    if ex.is_text_input(&bytes) {
        let decoded = || shenbao::read::text::decode_text(&bytes).unwrap_or_default();
        let text = match stage {
            Stage::Lines => {
                shenbao::read::text::dump_pages(&decoded(), ex.dump_template(&decoded()))
            }
            Stage::Blocks => {
                shenbao::read::text::dump_blocks(&decoded(), ex.dump_template(&decoded()))
            }
            Stage::Fields => shenbao::read::text::dump_fields(&ex.text_fields(path, &bytes)?),
            _ => bail!("text dumps have the stages lines, blocks and fields"),
        };
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let pages = ex.pages(path, &bytes)?;
    let text = match stage {
        Stage::Glyphs => dump::glyphs(&pages),
        Stage::Lines => dump::lines(&pages, &ex.layout),
        Stage::Cells => dump::cells(&ex.layouts(&pages)),
        Stage::Table => {
            let mut layouts = ex.layouts(&pages);
            let reports = ex.tables(&mut layouts);
            dump::table(&layouts, &reports)
        }
        Stage::Blocks => bail!("the blocks stage is for text dumps"),
        Stage::Fields => dump::fields(&ex.fields(&ex.layouts(&pages))),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The record as `check` compares it: content fields and warnings (which
/// tell a wrong field from a silent one); golden files get content only.
fn content_only(rec: &shenbao::Record) -> Result<Value> {
    let mut v = serde_json::to_value(rec)?;
    if let Value::Object(m) = &mut v {
        for k in ["source", "provenance"] {
            m.remove(k);
        }
    }
    Ok(v)
}

fn run_check(
    ex: &Extractor,
    golden: &Path,
    files: &[PathBuf],
    (bless, json): (bool, bool),
    jobs: usize,
    tol: check::Tolerance,
) -> Result<ExitCode> {
    let fields = check::Fields::of_set(&ex.templates);
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    let mut blessed = Vec::new();
    ex.extract_batch(files, jobs, |r| {
        let stem = r
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let gpath = golden.join(format!("{stem}.json"));
        let got: Vec<Value> = match &r.result {
            Ok(recs) => recs.iter().filter_map(|x| content_only(x).ok()).collect(),
            Err(e) => {
                problems.push(format!("{e}"));
                Vec::new()
            }
        };
        match std::fs::read_to_string(&gpath) {
            Ok(text) => match check::parse_records(&text) {
                Ok(g) => {
                    let mut c = check::compare_forms_with(&fields, &g, &got, tol);
                    if r.result.is_err() {
                        c.mark_failed();
                    }
                    reports.push((stem.clone(), c));
                }
                Err(e) => problems.push(format!(
                    "{}: not a JSON array of records: {e}",
                    gpath.display()
                )),
            },
            Err(_) => problems.push(format!(
                "{}: no golden file for {}",
                gpath.display(),
                r.path.display()
            )),
        }
        if bless && r.result.is_ok() {
            blessed.push((gpath, got));
        }
        Ok(())
    })?;
    if json {
        println!("{}", check::to_json(&reports, &problems));
    } else {
        print!("{}", check::render_table(&fields, &reports));
        let diffs = check::render_diffs(&reports);
        if !diffs.is_empty() {
            println!("\n{diffs}");
        }
        for p in &problems {
            println!("problem: {p}");
        }
    }
    if bless {
        for (p, got) in blessed {
            let text = check::to_golden_json(&fields, &got);
            std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
            if json {
                eprintln!("blessed {}", p.display());
            } else {
                println!("blessed {}", p.display());
            }
        }
    }
    // With --bless too: the comparison made before the golden files were
    // rewritten (a script sees that they changed).
    Ok(
        if check::all_right(&reports) && problems.is_empty() && !reports.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}
