//! Ingesting an archive into a [`Store`]: files extracted in parallel by
//! the batch runner ([`crate::run::batch`]), results handed in input order
//! to the calling thread, which stores each file in its own transaction,
//! so memory stays flat and a killed run resumes where it stopped.
//!
//! Per file: read, hash, skip when the store already holds the same path
//! with the same hash and extractor version (unless forced), else run the
//! pipeline under the file's limits ([`Limits`]: wall-clock deadline, page
//! count) with panics caught, and store either its records or the failure.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::out::store::{EXTRACTOR_VERSION, FileRow, Known, Status, Store, StoreError};
use crate::record::Record;
use crate::run::batch::{RunOptions, Ticket, run_ordered};
use crate::run::extract::{Extractor, sha256_hex};
use crate::run::isolate::Pool;
pub use crate::run::limits::{
    DEFAULT_MAX_MEMORY, DEFAULT_OCR_PAGE_TIMEOUT_S, DEFAULT_PAGE_TIMEOUT_S, DEFAULT_TIMEOUT_S,
    Limits, extract_limited, hard_limit,
};

/// One part of an archive split over `n` machines: files whose stored path
/// hashes (64-bit FNV-1a of its UTF-8 bytes) to `k` modulo `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based, below `n`.
    pub k: u64,
    /// How many parts the archive is split into.
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard {s:?}: expected K/N, e.g. 0/4"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: bad K"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: bad N"))?;
        if n == 0 || k >= n {
            return Err(format!("shard {s:?}: need 0 <= K < N"));
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// Whether the file with this stored path belongs to the shard.
    pub fn holds(&self, stored: &str) -> bool {
        fnv1a64(stored.as_bytes()) % self.n == self.k
    }
}

/// 64-bit FNV-1a: a fixed, documented hash (std's hashers may change).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The path a file is stored under: relative to `cwd` when it lies under
/// it (so stores made on machines that mount the archive at different
/// places agree when each runs from the archive's parent), else absolute;
/// `.` components dropped, `/` separators.
pub fn stored_path(p: &Path, cwd: &Path) -> String {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let rel = abs.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(abs);
    let parts: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => c.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    let s = parts.join("/");
    if s.is_empty() { "/".into() } else { s }
}

/// Reads a list of paths, one a line (blank lines and lines starting with
/// `#` ignored), from a file or, for `-`, standard input.
pub fn read_file_list(from: &Path) -> std::io::Result<Vec<PathBuf>> {
    let reader: Box<dyn BufRead> = if from == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(from)?))
    };
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line?;
        let t = line.trim_end_matches('\r');
        if t.trim().is_empty() || t.starts_with('#') {
            continue;
        }
        out.push(PathBuf::from(t));
    }
    Ok(out)
}

/// The files of one ingest: `inputs` then `listed` expanded
/// ([`crate::collect_inputs_with`], links followed when `follow`), each
/// with its stored path, duplicates
/// dropped, kept in input order, and only those of `shard` when given. A
/// missing `inputs` path is an error; a missing `listed` path (from
/// `--files-from`) is kept, to be stored as an `io` failure.
pub fn plan(
    inputs: &[PathBuf],
    listed: &[PathBuf],
    shard: Option<Shard>,
    follow: bool,
) -> Result<Vec<(PathBuf, String)>> {
    let cwd = std::env::current_dir().map_err(|source| Error::Io {
        file: PathBuf::from("."),
        source,
    })?;
    let mut files = crate::collect_inputs_with(inputs, follow);
    for p in listed {
        if std::fs::symlink_metadata(p).is_err() {
            files.push(p.clone());
        } else {
            files.extend(crate::collect_inputs_with(std::slice::from_ref(p), follow));
        }
    }
    let mut seen = HashSet::new();
    Ok(files
        .into_iter()
        .filter_map(|p| {
            let s = stored_path(&p, &cwd);
            (seen.insert(s.clone()) && shard.is_none_or(|sh| sh.holds(&s))).then_some((p, s))
        })
        .collect())
}

/// Options of [`ingest`].
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Worker threads (0: all cores).
    pub jobs: usize,
    /// Extract files again even when stored with the same hash and version.
    pub force: bool,
    /// Extract again the files stored as failed (with the same hash and
    /// version), e.g. under a longer time limit; the files stored with
    /// their forms are skipped.
    pub retry_failed: bool,
    /// Bounds on the time, pages and memory spent on each file.
    pub limits: Limits,
    /// What `files.extractor_version` holds: [`extractor_version`].
    pub version: String,
}

/// The extractor version stored with each file: [`EXTRACTOR_VERSION`], plus
/// `+template.<first 12 hex of its SHA-256>` when a template file other
/// than the built-in one is used, so changing the template re-extracts.
pub fn extractor_version(template_file: Option<&[u8]>) -> String {
    match template_file {
        None => EXTRACTOR_VERSION.to_string(),
        Some(b) => format!("{EXTRACTOR_VERSION}+template.{}", &sha256_hex(b)[..12]),
    }
}

/// Counts of an ingest so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Files in the plan.
    pub total: usize,
    /// Files handled so far (extracted or skipped).
    pub done: usize,
    /// Files skipped as already stored.
    pub skipped: usize,
    /// Files extracted now without failure.
    pub ok: usize,
    /// Files that failed now, plus skipped files stored as failed earlier.
    pub failed: usize,
    /// Forms stored now.
    pub forms: usize,
    /// Pages of the files extracted now.
    pub pages: usize,
    /// Bytes of the files handled so far (skipped ones too).
    pub bytes: u64,
    /// Wall-clock time since the ingest started.
    pub elapsed: Duration,
}

impl Summary {
    /// What the progress bar shows.
    #[cfg(feature = "cli")]
    pub fn tally(&self) -> crate::run::progress::Tally {
        crate::run::progress::Tally {
            done: self.done,
            forms: self.forms,
            failed: self.failed,
            pages: self.pages,
            bytes: self.bytes,
        }
    }

    /// Files handled per second of `elapsed` (0 before any time passed).
    pub fn files_per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.done as f64 / s } else { 0.0 }
    }

    /// The one summary line printed at the end of every ingest.
    pub fn line(&self) -> String {
        format!(
            "shenbao: {} files: {} extracted ({} ok), {} skipped as already stored, {} failed, \
             {} forms stored, {:.1} s, {:.1} files/s",
            self.total,
            self.done - self.skipped,
            self.ok,
            self.skipped,
            self.failed,
            self.forms,
            self.elapsed.as_secs_f64(),
            self.files_per_second()
        )
    }
}

/// The outcome for one file, as sent from a worker to the writer.
enum Outcome {
    Skipped { failed: bool, size: u64 },
    Done(Box<FileRow>, Vec<Record>),
}

/// The failure in words, without the leading `path: ` the error's own
/// message carries (the path has its own column).
pub fn reason(e: &Error, stored: &str) -> String {
    let s = e.to_string();
    match s.strip_prefix(stored).and_then(|r| r.strip_prefix(": ")) {
        Some(r) => r.to_string(),
        None => s,
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The row of a file that failed before it was read.
fn failed_row(stored: &str, e: &Error, opts: &IngestOptions) -> FileRow {
    FileRow {
        path: stored.to_string(),
        sha256: String::new(),
        size: 0,
        pages: None,
        status: Status::Failed,
        error_code: Some(e.code().to_string()),
        error: Some(reason(e, stored)),
        extractor_version: opts.version.clone(),
        elapsed_ms: 0,
        ingested_at: now_unix(),
    }
}

fn process(
    ex: &Extractor,
    path: &Path,
    stored: &str,
    opts: &IngestOptions,
    known: &HashMap<String, Known>,
    pool: Option<&Pool>,
    ticket: &Ticket<Outcome>,
) -> Outcome {
    let start = Instant::now();
    let spath = Path::new(stored);
    let bytes = match crate::run::extract::read_input(path, ex.pdf.max_file_bytes) {
        Ok(b) => b,
        Err(e) => {
            let e = crate::run::isolate::renamed(e, spath);
            let mut row = failed_row(stored, &e, opts);
            row.elapsed_ms = start.elapsed().as_millis() as u64;
            return Outcome::Done(Box::new(row), Vec::new());
        }
    };
    let sha = sha256_hex(&bytes);
    if !opts.force
        && let Some(k) = known.get(stored)
        && k.sha256 == sha
        && k.extractor_version == opts.version
        && !(opts.retry_failed && k.failed)
    {
        return Outcome::Skipped {
            failed: k.failed,
            size: bytes.len() as u64,
        };
    }
    let deadline = opts.limits.deadline();
    if let Some(d) = deadline.as_ref().filter(|_| pool.is_none()) {
        arm_watchdog(ticket, d, stored, &sha, bytes.len() as u64, opts);
    }
    let size = bytes.len() as u64;
    let (pages, result) = match pool {
        Some(pool) => {
            drop(bytes); // the worker reads the file itself
            pool.extract(path, spath)
        }
        None => extract_limited(ex, spath, &sha, &bytes, &opts.limits, deadline),
    };
    let (status, error_code, error, records) = match result {
        Ok(r) => (Status::Ok, None, None, r),
        Err(e) => (
            Status::Failed,
            Some(e.code().to_string()),
            Some(reason(&e, stored)),
            Vec::new(),
        ),
    };
    let row = FileRow {
        path: stored.to_string(),
        sha256: sha,
        size,
        pages,
        status,
        error_code,
        error,
        extractor_version: opts.version.clone(),
        elapsed_ms: start.elapsed().as_millis() as u64,
        ingested_at: now_unix(),
    };
    Outcome::Done(Box::new(row), records)
}

/// With `--in-process`, gives a file to the watchdog: stuck where its
/// deadline is not checked (inside lopdf's parser) past [`hard_limit`] of
/// its budget as it stands, it is stored as `timeout`, its thread left.
fn arm_watchdog(
    ticket: &Ticket<Outcome>,
    deadline: &crate::read::pdf::Deadline,
    stored: &str,
    sha: &str,
    size: u64,
    opts: &IngestOptions,
) {
    let (stored, sha, version) = (stored.to_string(), sha.to_string(), opts.version.clone());
    let fallback = move |ran: Duration| {
        let e = Error::Timeout {
            file: PathBuf::from(&stored),
            seconds: ran.as_secs_f64(),
        };
        let row = FileRow {
            path: stored.clone(),
            sha256: sha,
            size,
            pages: None,
            status: Status::Failed,
            error_code: Some(e.code().to_string()),
            error: Some(format!(
                "{} (stuck where the deadline is not checked; abandoned by the watchdog)",
                reason(&e, &stored)
            )),
            extractor_version: version,
            elapsed_ms: ran.as_millis() as u64,
            ingested_at: now_unix(),
        };
        Outcome::Done(Box::new(row), Vec::new())
    };
    let d = deadline.clone();
    ticket.arm_with_limit(fallback, move || hard_limit(d.budget()));
}

/// Ingests `files` (from [`plan`]) into `store`. `on_progress` is called
/// by the writer after each file. Store errors stop the run (a file's
/// failure does not). With a timeout, a watchdog backs up the cooperative
/// deadline ([`hard_limit`]): a file stuck past it is stored as `timeout`
/// and its worker thread left behind.
///
/// With `pool`, each file is read in a worker process of it
/// ([`crate::run::isolate`]: its memory capped, killed past its timeout)
/// and no watchdog is needed.
pub fn ingest(
    ex: &Extractor,
    store: &mut Store,
    files: &[(PathBuf, String)],
    opts: &IngestOptions,
    pool: Option<Arc<Pool>>,
    mut on_progress: impl FnMut(&Summary),
) -> std::result::Result<Summary, StoreError> {
    let start = Instant::now();
    let known = store.known()?;
    let mut sum = Summary {
        total: files.len(),
        ..Summary::default()
    };
    let run = RunOptions {
        jobs: opts.jobs,
        watchdog: opts
            .limits
            .max_budget()
            .filter(|_| pool.is_none())
            .map(hard_limit),
        ..RunOptions::default()
    };
    let job = Arc::new((ex.clone(), files.to_vec(), opts.clone(), known, pool));
    let on_panic = {
        let job = job.clone();
        move |i: usize, reason: String| {
            let (_, files, opts, _, _) = &*job;
            let stored = &files[i].1;
            let e = Error::Internal {
                file: PathBuf::from(stored),
                reason,
            };
            Outcome::Done(Box::new(failed_row(stored, &e, opts)), Vec::new())
        }
    };
    let work = move |i: usize, ticket: &Ticket<Outcome>| {
        let (ex, files, opts, known, pool) = &*job;
        let (path, stored) = &files[i];
        process(ex, path, stored, opts, known, pool.as_deref(), ticket)
    };
    run_ordered(files.len(), &run, work, on_panic, |outcome| {
        match outcome {
            Outcome::Skipped { failed, size } => {
                sum.skipped += 1;
                sum.failed += failed as usize;
                sum.bytes += size;
            }
            Outcome::Done(row, records) => {
                store.put_file(&row, &records)?;
                sum.pages += row.pages.unwrap_or(0);
                sum.bytes += row.size;
                match row.status {
                    Status::Ok => sum.ok += 1,
                    Status::Failed => sum.failed += 1,
                }
                sum.forms += records.len();
            }
        }
        sum.done += 1;
        sum.elapsed = start.elapsed();
        on_progress(&sum);
        Ok::<(), StoreError>(())
    })?;
    sum.elapsed = start.elapsed();
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_paths_are_relative_under_the_working_directory() {
        let cwd = Path::new("/data/work");
        assert_eq!(stored_path(Path::new("a/b.pdf"), cwd), "a/b.pdf");
        assert_eq!(stored_path(Path::new("./a/./b.pdf"), cwd), "a/b.pdf");
        assert_eq!(stored_path(Path::new("/data/work/x.pdf"), cwd), "x.pdf");
        assert_eq!(
            stored_path(Path::new("/elsewhere/x.pdf"), cwd),
            "/elsewhere/x.pdf"
        );
    }

    #[test]
    fn shards_partition_the_paths() {
        let shards: Vec<Shard> = (0..3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for i in 0..200 {
            let p = format!("archive/{i}.pdf");
            assert_eq!(shards.iter().filter(|s| s.holds(&p)).count(), 1);
        }
        assert!("3/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        // The hash is fixed: these values are part of the documented contract.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
