//! The one batch runner, under `extract`, `check` and `ingest`.
//!
//! In: `n` jobs (files, by index) and a function doing one. Out: each
//! job's result handed to a sink on the calling thread, **in input order**,
//! as soon as it and every job before it are done.
//!
//! - `jobs` worker threads take the next index from a shared counter; a
//!   worker does not start a job more than [`RunOptions::window`] jobs
//!   ahead of the last one handed to the sink, so memory stays bounded
//!   whatever `n` is.
//! - A panic in a job is caught and turned into that job's result by
//!   `on_panic` (with [`panic_reason`]); the batch goes on.
//! - With a watchdog ([`RunOptions::watchdog`]), a job that called
//!   [`Ticket::arm`] and then runs past the limit is given up: its armed
//!   fallback goes to the sink in its place, its late result is dropped,
//!   and its thread is left behind (it ends with the process). Only a job
//!   stuck where its own deadline is not checked ever gets there.
//! - The sink returning an error stops the batch: workers start no new
//!   job, and the error is returned.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How a batch runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Worker threads; 0: one per core.
    pub jobs: usize,
    /// How far ahead of the sink a worker may start a job, per worker.
    /// Default 4: results waiting for an earlier, slower job stay few.
    pub window_per_job: usize,
    /// Give up a job that armed its [`Ticket`] and has run this long since.
    /// Default none.
    pub watchdog: Option<Duration>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: 0,
            window_per_job: 4,
            watchdog: None,
        }
    }
}

impl RunOptions {
    /// The number of worker threads `jobs` stands for.
    pub fn threads(&self) -> usize {
        match self.jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// How many jobs may be started ahead of the sink.
    pub fn window(&self) -> usize {
        self.threads() * self.window_per_job.max(1)
    }
}

/// A panic's payload in words: `panic: <message>`.
pub fn panic_reason(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_string()
    }
}

/// Runs `f`, a panic caught and given to `on_panic` as [`panic_reason`].
pub fn catch<T>(f: impl FnOnce() -> T, on_panic: impl FnOnce(String) -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(t) => t,
        Err(p) => on_panic(panic_reason(p.as_ref())),
    }
}

/// What a job may leave with the watchdog: the result to hand on should
/// the job be given up.
pub struct Ticket<T> {
    index: usize,
    board: Board<T>,
}

/// The result handed on in place of a job given up, made from how long it
/// ran since it armed its ticket.
type Fallback<T> = Box<dyn FnOnce(Duration) -> T + Send>;
/// A job's own limit, asked each time the watchdog looks (it may grow).
type Limit = Box<dyn Fn() -> Duration + Send>;
type Board<T> = Arc<Mutex<HashMap<usize, Armed<T>>>>;

/// An armed job: since when, its fallback, its own limit if any.
struct Armed<T> {
    since: Instant,
    fallback: Fallback<T>,
    limit: Option<Limit>,
}

impl<T> Ticket<T> {
    /// From now on, the job may be given up once it has run past the
    /// watchdog's limit; `fallback(ran)` is then handed on in its place.
    /// Arming again replaces the fallback and restarts the clock.
    pub fn arm(&self, fallback: impl FnOnce(Duration) -> T + Send + 'static) {
        self.insert(Box::new(fallback), None);
    }

    /// [`Ticket::arm`] with the job's own limit instead of the watchdog's,
    /// asked each time the watchdog looks: a limit that grows with the
    /// work (a file's time budget as its pages are counted).
    pub fn arm_with_limit(
        &self,
        fallback: impl FnOnce(Duration) -> T + Send + 'static,
        limit: impl Fn() -> Duration + Send + 'static,
    ) {
        self.insert(Box::new(fallback), Some(Box::new(limit)));
    }

    fn insert(&self, fallback: Fallback<T>, limit: Option<Limit>) {
        let armed = Armed {
            since: Instant::now(),
            fallback,
            limit,
        };
        lock(&self.board).insert(self.index, armed);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// State the workers share with the calling thread.
struct Shared<T> {
    next: AtomicUsize,
    stop: AtomicBool,
    /// How many results the sink has had, and a signal when it grows.
    handed: (Mutex<usize>, Condvar),
    board: Board<T>,
}

/// Runs `work(i, ticket)` for every `i` in `0..n` and hands the results to
/// `sink` in input order (see the module docs). With one thread and no
/// watchdog, jobs run on the calling thread.
pub fn run_ordered<T, E, W, P>(
    n: usize,
    opts: &RunOptions,
    work: W,
    on_panic: P,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send + 'static,
    W: Fn(usize, &Ticket<T>) -> T + Send + Sync + 'static,
    P: Fn(usize, String) -> T + Send + Sync + 'static,
{
    let threads = opts.threads().min(n.max(1));
    if threads == 1 && opts.watchdog.is_none() {
        let board: Board<T> = Arc::default();
        for i in 0..n {
            let ticket = Ticket {
                index: i,
                board: board.clone(),
            };
            sink(catch(|| work(i, &ticket), |r| on_panic(i, r)))?;
        }
        return Ok(());
    }
    let shared = Arc::new(Shared {
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        handed: (Mutex::new(0), Condvar::new()),
        board: Arc::default(),
    });
    let (tx, rx) = sync_channel::<(usize, T)>(opts.window());
    let job = Arc::new((work, on_panic));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (shared, tx, job) = (shared.clone(), tx.clone(), job.clone());
            let window = opts.window();
            std::thread::spawn(move || worker(n, window, &shared, &tx, &job))
        })
        .collect();
    drop(tx);
    let mut pending = BTreeMap::new();
    let mut abandoned = HashSet::new();
    let mut done = 0;
    let mut result = Ok(());
    while done < n && result.is_ok() {
        let msg = match opts.watchdog {
            Some(_) => rx.recv_timeout(Duration::from_millis(200)),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match msg {
            Ok((i, t)) => {
                if !abandoned.contains(&i) {
                    pending.insert(i, t);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                let limit = opts.watchdog.unwrap_or(Duration::MAX);
                let mut board = lock(&shared.board);
                let overdue: Vec<usize> = board
                    .iter()
                    .filter(|(_, a)| a.since.elapsed() > a.limit.as_ref().map_or(limit, |f| f()))
                    .map(|(&i, _)| i)
                    .collect();
                for i in overdue {
                    let a = board.remove(&i).expect("listed");
                    abandoned.insert(i);
                    pending.insert(i, (a.fallback)(a.since.elapsed()));
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
        while let Some(t) = pending.remove(&done) {
            done += 1;
            result = sink(t);
            {
                // `stop` is set under the lock so a worker cannot miss it
                // between its check and its wait.
                let mut h = lock(&shared.handed.0);
                *h = done;
                if result.is_err() {
                    shared.stop.store(true, Ordering::Relaxed);
                }
            }
            shared.handed.1.notify_all();
            if result.is_err() {
                break;
            }
        }
    }
    // Dropping the receiver fails the workers' next send.
    drop(rx);
    shared.stop.store(true, Ordering::Relaxed);
    shared.handed.1.notify_all();
    if abandoned.is_empty() {
        for w in workers {
            let _ = w.join();
        }
    }
    result
}

type Job<W, P> = (W, P);

fn worker<T, W, P>(
    n: usize,
    window: usize,
    shared: &Shared<T>,
    tx: &SyncSender<(usize, T)>,
    (work, on_panic): &Job<W, P>,
) where
    W: Fn(usize, &Ticket<T>) -> T,
    P: Fn(usize, String) -> T,
{
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            return;
        }
        let mut h = lock(&shared.handed.0);
        while i >= *h + window && !shared.stop.load(Ordering::Relaxed) {
            h = shared.handed.1.wait(h).unwrap_or_else(|e| e.into_inner());
        }
        drop(h);
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let ticket = Ticket {
            index: i,
            board: shared.board.clone(),
        };
        let t = catch(|| work(i, &ticket), |r| on_panic(i, r));
        lock(&shared.board).remove(&i);
        if tx.send((i, t)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(jobs: usize, watchdog: Option<Duration>) -> RunOptions {
        RunOptions {
            jobs,
            watchdog,
            ..RunOptions::default()
        }
    }

    fn collect(n: usize, o: &RunOptions, work: fn(usize) -> String) -> Vec<String> {
        let mut got = Vec::new();
        run_ordered(
            n,
            o,
            move |i, t: &Ticket<String>| {
                t.arm(move |_| format!("{i} given up"));
                work(i)
            },
            |i, r| format!("{i} {r}"),
            |s| {
                got.push(s);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        got
    }

    #[test]
    fn a_job_with_its_own_growing_limit_is_given_up_by_that_limit() {
        use std::sync::atomic::AtomicU64;
        // the watchdog's own limit is an hour; job 1's is 200 ms, grown
        // to 400 ms before it is reached, then never again
        let limit = Arc::new(AtomicU64::new(200));
        let mut got = Vec::new();
        let t = Instant::now();
        run_ordered(
            3,
            &opts(2, Some(Duration::from_secs(3600))),
            move |i, tk: &Ticket<String>| {
                if i == 1 {
                    let l = limit.clone();
                    tk.arm_with_limit(
                        move |ran| format!("1 given up after {}", ran.as_millis()),
                        move || Duration::from_millis(l.load(Ordering::Relaxed)),
                    );
                    std::thread::sleep(Duration::from_millis(100));
                    limit.store(400, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_secs(30));
                }
                i.to_string()
            },
            |i, r| format!("{i} {r}"),
            |s| {
                got.push(s);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got[0], "0");
        let ran: u64 = got[1]
            .strip_prefix("1 given up after ")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (400..3000).contains(&ran),
            "the grown limit, not 200 ms: {got:?}"
        );
        assert_eq!(got[2], "2");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }

    #[test]
    fn results_come_in_input_order_whatever_order_jobs_finish_in() {
        let slow_first = |i: usize| {
            std::thread::sleep(Duration::from_millis(if i.is_multiple_of(3) {
                30
            } else {
                1
            }));
            i.to_string()
        };
        let want: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        for jobs in [1, 2, 3] {
            assert_eq!(collect(20, &opts(jobs, None), slow_first), want);
        }
    }

    #[test]
    fn a_panicking_job_becomes_its_result_and_the_batch_goes_on() {
        let work = |i: usize| {
            if i == 2 {
                panic!("boom");
            }
            i.to_string()
        };
        for jobs in [1, 2] {
            let got = collect(4, &opts(jobs, None), work);
            assert_eq!(got, ["0", "1", "2 panic: boom", "3"]);
        }
    }

    #[test]
    fn the_watchdog_gives_up_a_stuck_job_in_its_place_and_the_batch_goes_on() {
        let work = |i: usize| {
            if i == 1 {
                std::thread::sleep(Duration::from_secs(30));
            }
            i.to_string()
        };
        let t = Instant::now();
        let got = collect(5, &opts(2, Some(Duration::from_millis(300))), work);
        assert_eq!(got, ["0", "1 given up", "2", "3", "4"]);
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    #[test]
    fn a_sink_error_stops_the_batch() {
        let started = Arc::new(AtomicUsize::new(0));
        let s = started.clone();
        let mut handed = 0;
        let r = run_ordered(
            1000,
            &opts(2, None),
            move |i, _: &Ticket<usize>| {
                s.fetch_add(1, Ordering::Relaxed);
                i
            },
            |i, _| i,
            |i| {
                handed += 1;
                if i == 3 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(r, Err(3));
        assert_eq!(handed, 4);
        // the window bounds how far the workers got
        assert!(started.load(Ordering::Relaxed) <= 4 + opts(2, None).window() + 2);
    }
}
