//! Files read in worker processes: what a file costs stays with it.
//!
//! The budgets of [`crate::read::pdf::PdfSettings`] bound what the
//! interpreter does, but not what the PDF parser (lopdf) allocates for a
//! crafted object (an array of ten million numbers takes 1.2 GB), nor
//! the time it takes, which no deadline can interrupt in-process. So the
//! binary's `extract` and `ingest` hand each file to a worker process
//! ([`Pool`]): the same program started again with the same arguments and
//! [`WORKER_ENV`] set, which builds the same [`Extractor`] and then
//! [`serve`]s requests on stdin, one file at a time, replying on stdout.
//!
//! - **Memory**: a worker caps its own data segment (`RLIMIT_DATA`,
//!   [`Limits::max_memory`]); an allocation past it aborts the worker, and
//!   the file fails as `too_complex` ("memory budget"), never the batch.
//! - **Time**: past the file's timeout (plus [`kill_grace`]) the worker is
//!   killed with its process group, so pdftoppm and tesseract go with it;
//!   nothing outlives its file. A worker also dies with its parent
//!   (`PR_SET_PDEATHSIG`).
//! - A dead worker is replaced for the next file. Records cross the pipe as
//!   JSON and come back field for field (tests/fuzz.rs compares them with
//!   in-process extraction).

use std::io::{BufRead, BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::record::Record;
use crate::run::batch::{RunOptions, Ticket, run_ordered};
use crate::run::extract::{Extractor, read_input, sha256_hex};
use crate::run::limits::{Limits, extract_limited};
use crate::template::Templates;

/// Set (to `1`) in a worker's environment: the program serves requests.
pub const WORKER_ENV: &str = "SHENBAO_WORKER";

/// How long past its timeout `t` a file's worker is given to answer
/// before it is killed (the worker's own deadline normally ends the file
/// first): a quarter of `t`, at least 0.2 s and at most 1 s.
pub fn kill_grace(t: Duration) -> Duration {
    (t / 4).clamp(Duration::from_millis(200), Duration::from_secs(1))
}

/// Whether this process was started as a worker.
pub fn is_worker() -> bool {
    std::env::var_os(WORKER_ENV).is_some_and(|v| v == "1")
}

/// One file to read: `path` on disk, `name` as records and errors name it.
#[derive(Serialize, Deserialize)]
struct Request {
    path: Vec<u8>,
    name: Vec<u8>,
}

/// A failure as it crosses the pipe.
#[derive(Serialize, Deserialize)]
struct Failure {
    code: String,
    message: String,
}

/// A worker's answer for one file: this line, then `records` lines of
/// one record each (as `extract` writes them). Before it, any number of
/// [`Budget`] lines.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reply {
    pages: Option<usize>,
    records: usize,
    error: Option<Failure>,
}

/// The file's time budget grew (its pages counted, a page sent to OCR):
/// the parent moves its kill deadline to `budget_ms` from the request.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Budget {
    budget_ms: u64,
}

/// A line of a worker's answer.
#[derive(Deserialize)]
#[serde(untagged)]
enum ReplyLine {
    Budget(Budget),
    Reply(Reply),
}

/// Writes one [`Budget`] line to stdout (from whichever thread grew the
/// budget; stdout is not held between lines).
fn send_budget(budget: Duration) {
    let line = serde_json::to_string(&Budget {
        budget_ms: budget.as_millis() as u64,
    })
    .expect("JSON");
    let mut out = std::io::stdout().lock();
    // A parent gone is seen when the reply is written.
    let _ = writeln!(out, "{line}").and_then(|_| out.flush());
}

fn os_path(b: &[u8]) -> PathBuf {
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

/// The worker's side: caps its memory, then reads one request per line
/// from stdin and writes one reply per line to stdout until stdin ends.
pub fn serve(ex: &Extractor, limits: &Limits) -> std::io::Result<()> {
    // SAFETY: prctl with an integer argument; the worker dies with its
    // parent instead of running on alone.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    if let Some(bytes) = limits.max_memory {
        cap_data_segment(bytes)?;
    }
    let stdin = std::io::stdin().lock();
    for line in stdin.lines() {
        let req: Request = serde_json::from_str(&line?)?;
        let (path, name) = (os_path(&req.path), os_path(&req.name));
        let (pages, result) = match read_input(&path, ex.pdf.max_file_bytes) {
            Ok(bytes) => {
                let sha = sha256_hex(&bytes);
                let deadline = limits.deadline().map(|d| d.notifying(send_budget));
                extract_limited(ex, &name, &sha, &bytes, limits, deadline)
            }
            Err(e) => (None, Err(renamed(e, &name))),
        };
        let (records, error) = match result {
            Ok(records) => (records, None),
            Err(e) => {
                let (code, message) = (e.code().to_string(), e.to_string());
                (Vec::new(), Some(Failure { code, message }))
            }
        };
        let reply = Reply {
            pages,
            records: records.len(),
            error,
        };
        // One write per reply (stdout alone would write each line).
        let mut out = BufWriter::with_capacity(256 << 10, std::io::stdout().lock());
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
        for r in &records {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    Ok(())
}

/// The memory budget a worker gets for `bytes`: that, or the data-segment
/// hard limit this process already has when lower (`ulimit -d`; a limit
/// cannot be raised, and workers inherit it).
pub fn effective_memory(bytes: u64) -> u64 {
    // SAFETY: getrlimit(2) into a plain struct.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrlimit(libc::RLIMIT_DATA, &mut lim) } != 0 {
        return bytes;
    }
    bytes.min(lim.rlim_max as u64)
}

/// Caps this process's data segment at [`effective_memory`] of `bytes`.
fn cap_data_segment(bytes: u64) -> std::io::Result<()> {
    let cap = effective_memory(bytes) as libc::rlim_t;
    let lim = libc::rlimit {
        rlim_cur: cap,
        rlim_max: cap,
    };
    // SAFETY: setrlimit(2) on this process with a plain struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// A read error naming `name` (the path as stored) instead of the path
/// read.
pub(crate) fn renamed(e: Error, name: &Path) -> Error {
    let file = name.to_path_buf();
    match e {
        Error::Io { source, .. } => Error::Io { file, source },
        Error::TooComplex { budget, .. } => Error::TooComplex { file, budget },
        e => e,
    }
}

/// What a worker that died for want of memory under its cap writes to
/// stderr: an allocation that failed, or a thread that could not map its
/// signal stack as it started (std's `stack_overflow.rs` panics, and the
/// worker aborts: seen once in 1,543 fuzzed files at `--max-memory 384`).
const OUT_OF_MEMORY: [&str; 4] = [
    "memory allocation of",
    "failed to allocate an alternative stack",
    "stack_overflow.rs",
    "Cannot allocate memory",
];

/// How much of a worker's stderr is kept per file.
const STDERR_KEPT: usize = 64 << 10;

/// A running worker: its stdin, and its stdout read line by line.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: LineReader,
    /// The start of what it wrote to stderr for the current file (an
    /// abort's message), at most [`STDERR_KEPT`] bytes.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Files it answered for.
    served: usize,
}

impl Worker {
    fn spawn(program: &Path, args: &[std::ffi::OsString]) -> std::io::Result<Worker> {
        let mut child = Command::new(program)
            .args(args)
            .env(WORKER_ENV, "1")
            // An abort's message first, not a backtrace.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = LineReader::new(child.stdout.take().expect("piped stdout"));
        let mut stderr = child.stderr.take().expect("piped stderr");
        let tail = Arc::new(Mutex::new(Vec::new()));
        let keep = tail.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut stderr, &mut buf) {
                if n == 0 {
                    return;
                }
                let mut t = keep.lock().unwrap_or_else(|e| e.into_inner());
                let room = STDERR_KEPT.saturating_sub(t.len());
                t.extend_from_slice(&buf[..n.min(room)]);
            }
        });
        Ok(Worker {
            child,
            stdin,
            stdout,
            stderr: tail,
            served: 0,
        })
    }

    /// Kills the worker and its process group (pdftoppm, tesseract).
    fn kill(mut self) -> std::process::ExitStatus {
        let pgid = self.child.id() as i32;
        // SAFETY: kill(2) of the process group this worker leads.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        self.child
            .wait()
            .unwrap_or_else(|_| std::process::ExitStatus::from_raw(libc::SIGKILL))
    }
}

/// Worker processes, started as needed and reused, one per file at a time.
pub struct Pool {
    /// Starts workers, on a thread of its own that lives as long as the
    /// pool: a worker's `PR_SET_PDEATHSIG` fires when the thread that
    /// started it ends, and batch threads end before the batch does.
    spawner: Mutex<Sender<Sender<std::io::Result<Worker>>>>,
    limits: Limits,
    /// The templates, to type the records read back.
    templates: Templates,
    idle: Mutex<Vec<Worker>>,
}

impl Pool {
    /// Workers run `program args` (this program, with its own arguments)
    /// under `limits`, which they must also apply themselves ([`serve`]);
    /// `templates` are the workers' templates.
    pub fn new(
        program: PathBuf,
        args: Vec<std::ffi::OsString>,
        limits: Limits,
        templates: &Templates,
    ) -> Pool {
        let (tx, rx) = channel::<Sender<std::io::Result<Worker>>>();
        std::thread::spawn(move || {
            for reply in rx {
                let _ = reply.send(Worker::spawn(&program, &args));
            }
        });
        Pool {
            spawner: Mutex::new(tx),
            limits,
            templates: templates.clone(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Reads the file at `path` in a worker, naming it `name`: the page
    /// count (when the PDF opened) and the records or the failure.
    pub fn extract(&self, path: &Path, name: &Path) -> (Option<usize>, Result<Vec<Record>>) {
        let (pages, lines) = self.extract_lines(path, name);
        let records = lines.and_then(|lines| {
            lines
                .iter()
                .map(|l| Record::from_json(l, &self.templates))
                .collect::<serde_json::Result<Vec<Record>>>()
                .map_err(|e| internal(name, format!("unreadable worker reply: {e}")))
        });
        (pages, records)
    }

    /// [`Pool::extract`] with the records as the worker wrote them: one
    /// JSON object per string, as `extract` writes them.
    ///
    /// A file that fails for want of memory or with an internal error in a
    /// worker that had read other files before is read once more in a new
    /// worker: what a long-lived worker holds (PP-OCR's model, the
    /// allocator's arenas) counts against its memory budget, and a file's
    /// outcome must not depend on the files read before it.
    pub fn extract_lines(&self, path: &Path, name: &Path) -> (Option<usize>, Result<Vec<String>>) {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let w = match idle {
            Some(w) => w,
            None => match self.spawn() {
                Ok(w) => w,
                Err(e) => return (None, Err(cannot_start(name, e))),
            },
        };
        let fresh = w.served == 0;
        let (pages, result) = self.extract_in(w, path, name);
        let history_dependent = match &result {
            Err(Error::TooComplex { budget, .. }) => budget.starts_with("memory budget"),
            Err(Error::Internal { .. }) => true,
            Err(Error::Reported { code, .. }) => code == "internal",
            _ => false,
        };
        if fresh || !history_dependent {
            return (pages, result);
        }
        match self.spawn() {
            Ok(w) => self.extract_in(w, path, name),
            Err(e) => (None, Err(cannot_start(name, e))),
        }
    }

    /// One file read by worker `w` (returned to the idle ones when it
    /// answered).
    fn extract_in(
        &self,
        mut w: Worker,
        path: &Path,
        name: &Path,
    ) -> (Option<usize>, Result<Vec<String>>) {
        let req = Request {
            path: path.as_os_str().as_bytes().to_vec(),
            name: name.as_os_str().as_bytes().to_vec(),
        };
        w.stderr.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let sent = serde_json::to_writer(&mut w.stdin, &req)
            .map_err(std::io::Error::from)
            .and_then(|_| w.stdin.write_all(b"\n"))
            .and_then(|_| w.stdin.flush());
        if sent.is_err() {
            return (None, Err(self.died(w, name)));
        }
        let sent_at = Instant::now();
        let until = |budget: Duration| sent_at + budget + kill_grace(budget);
        let mut budget = self.limits.timeout;
        match Self::answer(&mut w, &mut budget, until) {
            Ok((pages, result)) => {
                w.served += 1;
                self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(w);
                (pages, result.map_err(|f| reported(f, name)))
            }
            Err(Answer::Garbled(why)) => {
                w.kill();
                (
                    None,
                    Err(internal(name, format!("unreadable worker reply: {why}"))),
                )
            }
            Err(Answer::Late) => {
                w.kill();
                let seconds = budget.map_or(0.0, |t| t.as_secs_f64());
                let file = name.to_path_buf();
                (None, Err(Error::Timeout { file, seconds }))
            }
            Err(Answer::Gone) => (None, Err(self.died(w, name))),
        }
    }

    /// A new worker, started by the spawner thread.
    fn spawn(&self) -> std::io::Result<Worker> {
        let (tx, rx) = channel();
        let gone = || std::io::Error::other("the worker spawner is gone");
        self.spawner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(tx)
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }

    /// The worker's reply: [`Budget`] lines (each moving the deadline,
    /// `until` of the budget, and updating `budget`), a header line, then
    /// its records' lines.
    fn answer(
        w: &mut Worker,
        budget: &mut Option<Duration>,
        until: impl Fn(Duration) -> Instant,
    ) -> std::result::Result<WorkerAnswer, Answer> {
        let reply = loop {
            let line = w.stdout.next_line(budget.map(&until))?;
            match serde_json::from_str(&line).map_err(|e| Answer::Garbled(e.to_string()))? {
                ReplyLine::Budget(b) if budget.is_some() => {
                    *budget = Some(Duration::from_millis(b.budget_ms));
                }
                ReplyLine::Budget(_) => {}
                ReplyLine::Reply(r) => break r,
            }
        };
        let deadline = budget.map(&until);
        let mut records = Vec::with_capacity(reply.records);
        for _ in 0..reply.records {
            records.push(w.stdout.next_line(deadline)?);
        }
        Ok(match reply.error {
            Some(f) => (reply.pages, Err(f)),
            None => (reply.pages, Ok(records)),
        })
    }

    /// The failure of a file whose worker ended without answering.
    fn died(&self, w: Worker, name: &Path) -> Error {
        let stderr = w.stderr.clone();
        let status = w.kill();
        let said = String::from_utf8_lossy(&stderr.lock().unwrap_or_else(|e| e.into_inner()))
            .trim()
            .to_string();
        let out_of_memory = OUT_OF_MEMORY.iter().any(|m| said.contains(m));
        match self.limits.max_memory {
            Some(bytes) if out_of_memory => Error::TooComplex {
                file: name.to_path_buf(),
                budget: format!("memory budget of {} MiB", effective_memory(bytes) >> 20),
            },
            _ => {
                let how = match status.signal() {
                    Some(s) => format!("signal {s}"),
                    None => format!("exit status {}", status.code().unwrap_or(-1)),
                };
                let reason = match said.lines().next() {
                    Some(first) => format!("the worker reading it died ({how}): {first}"),
                    None => format!("the worker reading it died ({how})"),
                };
                internal(name, reason)
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|e| e.into_inner()));
        for w in idle {
            // Closing stdin ends a worker; waiting reaps it.
            let Worker {
                mut child, stdin, ..
            } = w;
            drop(stdin);
            let _ = child.wait();
        }
    }
}

fn cannot_start(name: &Path, e: std::io::Error) -> Error {
    internal(name, format!("cannot start a worker: {e}"))
}

fn internal(name: &Path, reason: String) -> Error {
    Error::Internal {
        file: name.to_path_buf(),
        reason,
    }
}

/// A reply read: the page count, and the record lines or the failure.
type WorkerAnswer = (Option<usize>, std::result::Result<Vec<String>, Failure>);

/// Why no reply came.
enum Answer {
    /// Not by the deadline.
    Late,
    /// The worker ended (or its stdout did).
    Gone,
    /// Not a reply.
    Garbled(String),
}

/// A worker's stdout, read a line at a time on the calling thread:
/// `poll(2)` bounds each wait by the file's deadline (no reader thread,
/// no hand-over per line).
struct LineReader {
    out: ChildStdout,
    buf: Vec<u8>,
    /// Where the next line starts in `buf`.
    start: usize,
}

impl LineReader {
    fn new(out: ChildStdout) -> Self {
        LineReader {
            out,
            buf: Vec::with_capacity(64 << 10),
            start: 0,
        }
    }

    /// The next line (without its newline), by `until`.
    fn next_line(&mut self, until: Option<Instant>) -> std::result::Result<String, Answer> {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        let mut scanned = self.start;
        loop {
            if let Some(k) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + k;
                let line = String::from_utf8(self.buf[self.start..end].to_vec())
                    .map_err(|e| Answer::Garbled(e.to_string()));
                self.start = end + 1;
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                return line;
            }
            scanned = self.buf.len();
            let wait_ms = match until {
                None => -1,
                Some(u) => {
                    let left = u.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Answer::Late);
                    }
                    left.as_millis().clamp(1, i32::MAX as u128) as i32
                }
            };
            let mut fd = libc::pollfd {
                fd: self.out.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll(2) on one descriptor we own.
            let n = unsafe { libc::poll(&mut fd, 1, wait_ms) };
            if n < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(Answer::Gone);
            }
            if n == 0 {
                continue; // the deadline is checked above
            }
            let mut chunk = [0u8; 64 << 10];
            match self.out.read(&mut chunk) {
                Ok(0) | Err(_) => return Err(Answer::Gone),
                Ok(k) => self.buf.extend_from_slice(&chunk[..k]),
            }
        }
    }
}

fn reported(f: Failure, name: &Path) -> Error {
    Error::Reported {
        file: name.to_path_buf(),
        code: f.code,
        message: f.message,
    }
}

/// One file's outcome from a worker, its records as JSON lines.
pub struct FileLines {
    /// The input file.
    pub path: PathBuf,
    /// The file's pages, when it was opened.
    pub pages: Option<usize>,
    /// The records, one JSON object each, or the failure.
    pub result: Result<Vec<String>>,
}

/// [`Extractor::extract_batch_map`] with every file read by a worker of
/// `pool`, its records kept as the JSON the worker wrote: results in input
/// order, `jobs` files at a time (0: one per core), each file bounded by
/// the pool's limits.
pub fn extract_batch<T: Send + 'static>(
    pool: Arc<Pool>,
    files: &[PathBuf],
    jobs: usize,
    map: impl Fn(FileLines) -> T + Send + Sync + 'static,
    sink: impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let opts = RunOptions {
        jobs,
        ..RunOptions::default()
    };
    let job = Arc::new((files.to_vec(), map));
    let on_panic = {
        let job = job.clone();
        move |i: usize, reason: String| {
            let (files, map) = &*job;
            let file = files[i].clone();
            map(FileLines {
                path: file.clone(),
                pages: None,
                result: Err(Error::Internal { file, reason }),
            })
        }
    };
    let work = move |i: usize, _: &Ticket<T>| {
        let (files, map) = &*job;
        let path = &files[i];
        let (pages, result) = pool.extract_lines(path, path);
        map(FileLines {
            path: path.clone(),
            pages,
            result,
        })
    };
    run_ordered(files.len(), &opts, work, on_panic, sink)
}
