//! Ingest throughput and peak memory on a synthetic archive: copies of
//! `fixtures/*.pdf` in a temp dir, ingested by the release binary into a
//! fresh store, at several archive sizes (default 200 and 2000 files; set
//! `SHENBAO_BENCH_SIZES=200,2000,10000` to change, `SHENBAO_BENCH_JOBS` for
//! `--jobs`, default 0 = all cores).
//!
//! Peak RSS is the child's `ru_maxrss` from `wait4`, so it covers the
//! whole ingest process. Run: `cargo bench --bench ingest`.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    v.sort();
    v
}

/// Waits for `pid`; returns (exit code, peak RSS in KiB).
fn wait_rusage(pid: u32) -> (i32, i64) {
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: plain wait4 on our own child with valid out-pointers.
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(r, pid as libc::pid_t, "wait4 failed");
    let st = std::process::ExitStatus::from_raw(status);
    (st.code().unwrap_or(-1), ru.ru_maxrss)
}

fn main() {
    // `cargo bench` passes `--bench`; any other run (e.g. `cargo test
    // --benches`) just checks that it builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("SHENBAO_BENCH_SIZES")
        .unwrap_or_else(|_| "200,2000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("SHENBAO_BENCH_SIZES: numbers"))
        .collect();
    let jobs = std::env::var("SHENBAO_BENCH_JOBS").unwrap_or_else(|_| "0".into());
    let fx = fixtures();
    let base = std::env::temp_dir().join(format!("shenbao-bench-{}", std::process::id()));
    println!(
        "{:>7} {:>7} {:>9} {:>9} {:>12} {:>5}",
        "files", "forms", "seconds", "files/s", "peak RSS MiB", "exit"
    );
    let mut rows = Vec::new();
    for &n in &sizes {
        let dir = base.join(format!("n{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        for i in 0..n {
            let sub = dir.join(format!("archive/{:04}", i / 100));
            std::fs::create_dir_all(&sub).unwrap();
            let src = &fx[i % fx.len()];
            std::fs::copy(src, sub.join(format!("{i:05}.pdf"))).unwrap();
        }
        let t = Instant::now();
        // Reaped by `wait_rusage` (wait4), which clippy cannot see.
        #[allow(clippy::zombie_processes)]
        let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
            .current_dir(&dir)
            .args(["ingest", "archive", "--db", "store.sqlite", "--jobs", &jobs])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (code, rss_kib) = wait_rusage(child.id());
        let secs = t.elapsed().as_secs_f64();
        let conn = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
        let forms: i64 = conn
            .query_row("SELECT count(*) FROM forms", [], |r| r.get(0))
            .unwrap();
        let files: i64 = conn
            .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
            .unwrap();
        assert_eq!(files as usize, n, "every file stored");
        let mib = rss_kib as f64 / 1024.0;
        println!(
            "{n:>7} {forms:>7} {secs:>9.2} {:>9.1} {mib:>12.1} {code:>5}",
            n as f64 / secs
        );
        rows.push((n, mib));
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last())
        && rows.len() > 1
    {
        println!(
            "peak RSS at {} files is {:.0}% of that at {} files",
            last.0,
            100.0 * last.1 / first.1,
            first.0
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
