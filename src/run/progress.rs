//! A progress bar on stderr for `extract` and `ingest`, drawn only when
//! stderr is a terminal (never into a pipe or a log file).
//!
//! The bar counts files and pages. The ETA is computed from bytes, not
//! files: the time per byte so far times the bytes still to read. Sizes
//! are known for every file up front (page counts only once a file is
//! read, and an estimate of the pages left from the pages per file or per
//! byte so far cancels out to the same ETA), and they follow the work: a
//! scanned page is 100-500 KB of image and seconds of OCR, a text page a
//! few KB and a millisecond. So a run of small text files then a few
//! large scans no longer promises "ETA 0s" before the scans.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// What the bar shows; updated by the caller after each file.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Files handled so far (read, failed or skipped).
    pub done: usize,
    /// Forms read so far.
    pub forms: usize,
    /// Files failed so far.
    pub failed: usize,
    /// Pages of the files read so far (failed ones as far as counted).
    pub pages: usize,
    /// Bytes of the files handled so far.
    pub bytes: u64,
}

/// The bar, or nothing when stderr is not a terminal (or when quiet).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total_bytes: u64,
    start: Instant,
}

impl Progress {
    /// A bar over `total` files of `total_bytes` bytes in all; none when
    /// `quiet` or stderr is not a terminal.
    pub fn new(total: usize, total_bytes: u64, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files, {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.enable_steady_tick(Duration::from_millis(500));
            b
        });
        Progress {
            bar,
            total_bytes,
            start: Instant::now(),
        }
    }

    /// Shows `t`: position, pages and their rate, forms, failures, ETA.
    pub fn update(&self, t: &Tally) {
        if let Some(b) = &self.bar {
            b.set_position(t.done as u64);
            let elapsed = self.start.elapsed();
            let eta = match eta(t, self.total_bytes, elapsed) {
                Some(d) => format!("ETA {}", indicatif::HumanDuration(d)),
                None => "ETA unknown".to_string(),
            };
            let rate = t.pages as f64 / elapsed.as_secs_f64().max(1e-3);
            b.set_message(format!(
                "{} pages ({rate:.1}/s), {} forms, {} failed, {eta}",
                t.pages, t.forms, t.failed
            ));
        }
    }

    /// Runs `f` (which writes to stderr) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The time left: seconds per byte so far times the bytes left. `None`
/// before the first file.
pub fn eta(t: &Tally, total_bytes: u64, elapsed: Duration) -> Option<Duration> {
    if t.bytes == 0 {
        return None;
    }
    let per_byte = elapsed.as_secs_f64() / t.bytes as f64;
    let left = total_bytes.saturating_sub(t.bytes) as f64;
    Some(Duration::from_secs_f64(left * per_byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_follows_the_bytes_left_not_the_files_left() {
        // 99 small text files (10 KB) read in 1 s; one 5 MB scan left:
        // by files 1/99 s is left, by bytes about 5 s
        let t = Tally {
            done: 99,
            pages: 198,
            bytes: 990_000,
            ..Tally::default()
        };
        let d = eta(&t, 990_000 + 5_000_000, Duration::from_secs(1)).unwrap();
        assert_eq!(d.as_secs(), 5);
        assert_eq!(eta(&Tally::default(), 10, Duration::from_secs(1)), None);
    }
}
