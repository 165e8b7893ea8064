//! The bounds on one file's work ([`Limits`]: time, pages, memory) and
//! the pipeline run under them ([`extract_limited`]), shared by `extract`,
//! `ingest` and the worker processes.

use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::read::pdf::Deadline;
use crate::record::Record;
use crate::run::extract::Extractor;

/// Bounds on the work spent on one file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Wall-clock limit per file, before the pages' own allowances;
    /// `None`: unbounded (and so are the pages).
    pub timeout: Option<Duration>,
    /// Time added to a file's limit for each of its pages.
    pub page_timeout: Duration,
    /// Time added to a file's limit for each page read by OCR (on top of
    /// its `page_timeout`).
    pub ocr_page_timeout: Duration,
    /// Most pages a file may have; 0: unbounded.
    pub max_pages: usize,
    /// Memory a file's worker process may allocate (its data segment), in
    /// bytes; `None`: unbounded. Applies where files are read in workers
    /// ([`crate::run::isolate`]).
    pub max_memory: Option<u64>,
}

/// The default time limits of `ingest`: a file gets 10 s, plus 2 s per
/// page, plus 60 s per page read by OCR. The slowest bundled scan takes
/// under 10 s a page with both cores busy; a 50-page text PDF is read in
/// well under a second.
pub const DEFAULT_TIMEOUT_S: u64 = 10;
/// See [`DEFAULT_TIMEOUT_S`].
pub const DEFAULT_PAGE_TIMEOUT_S: u64 = 2;
/// See [`DEFAULT_TIMEOUT_S`].
pub const DEFAULT_OCR_PAGE_TIMEOUT_S: u64 = 60;

impl Limits {
    /// A file's time budget under these limits, starting now (none when
    /// `timeout` is `None`).
    pub fn deadline(&self) -> Option<Deadline> {
        self.timeout
            .map(|t| Deadline::growing(t, self.page_timeout, self.ocr_page_timeout))
    }

    /// The most time a file can be given: every page read by OCR, at
    /// `max_pages` pages (or 50 when unbounded); the in-process watchdog's
    /// limit for a job that gives none of its own ([`hard_limit`]).
    pub fn max_budget(&self) -> Option<Duration> {
        let pages = if self.max_pages == 0 {
            50
        } else {
            self.max_pages
        } as u32;
        self.timeout
            .map(|t| t + (self.page_timeout + self.ocr_page_timeout) * pages)
    }
}

/// The default memory budget of a file's worker: 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Some(Duration::from_secs(DEFAULT_TIMEOUT_S)),
            page_timeout: Duration::from_secs(DEFAULT_PAGE_TIMEOUT_S),
            ocr_page_timeout: Duration::from_secs(DEFAULT_OCR_PAGE_TIMEOUT_S),
            max_pages: 50,
            max_memory: Some(DEFAULT_MAX_MEMORY),
        }
    }
}

/// Runs the pipeline over one file's bytes under `limits` (its page limit)
/// and `deadline` (the file's time budget, [`Limits::deadline`], made by
/// the caller, who may watch it grow): the page count (when the PDF
/// opened) and the records or the failure.
pub fn extract_limited(
    ex: &Extractor,
    path: &Path,
    sha: &str,
    bytes: &[u8],
    limits: &Limits,
    deadline: Option<Deadline>,
) -> (Option<usize>, Result<Vec<Record>>) {
    let mut pdf = ex.pdf.clone();
    pdf.deadline = deadline.clone();
    pdf.max_pages = limits.max_pages;
    let check = || deadline.as_ref().map_or(Ok(()), |d| d.check(path));
    let mut pages_seen = None;
    let run = || ex.extract_bytes_limited(path, sha, bytes, &pdf, &check, &mut pages_seen);
    let r = crate::run::catch(run, |reason| {
        Err(Error::Internal {
            file: path.to_path_buf(),
            reason,
        })
    });
    (pages_seen, r)
}

/// The watchdog's limit for a file: twice the cooperative timeout plus a
/// second. Only a file stuck where the deadline is not checked (inside
/// lopdf's parser) ever reaches it.
pub fn hard_limit(timeout: Duration) -> Duration {
    timeout * 2 + Duration::from_secs(1)
}
