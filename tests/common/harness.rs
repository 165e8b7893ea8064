//! Runs the `shenbao` binary on one file as a user would and measures
//! it: the outcome (record or failure code), wall time, peak RSS (from
//! `wait4`'s rusage), whether a signal ended it, and whether any process
//! it started (pdftoppm, tesseract) outlived it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run came to.
#[derive(Debug, Clone)]
pub struct Run {
    /// `"ok"` (a record written), a failure code, or `"none"` when the
    /// run wrote neither (a crash).
    pub outcome: String,
    /// The failure's message, when it failed.
    pub message: String,
    pub wall: Duration,
    /// Peak resident set of the shenbao process, KiB.
    pub max_rss_kib: i64,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    pub exit: Option<i32>,
    /// Processes of its session still alive after it ended.
    pub leftovers: usize,
    /// Killed by the harness past `hard`.
    pub killed: bool,
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shenbao"))
}

/// Runs `shenbao extract FILE --timeout T` (plus `args`) in a session of
/// its own, killing it past `hard`; `scratch` holds its output files.
pub fn run_extract(
    file: &Path,
    timeout: f64,
    args: &[&str],
    scratch: &Path,
    hard: Duration,
) -> Run {
    run_extract_env(file, timeout, args, &[], scratch, hard)
}

/// [`run_extract`] with environment variables set for the run.
pub fn run_extract_env(
    file: &Path,
    timeout: f64,
    args: &[&str],
    envs: &[(&str, &str)],
    scratch: &Path,
    hard: Duration,
) -> Run {
    use std::os::unix::process::CommandExt;
    let out = scratch.join("out.jsonl");
    let err = scratch.join("errors.jsonl");
    let mut cmd = Command::new(bin());
    cmd.arg("extract")
        .arg(file)
        .args(["--timeout", &timeout.to_string(), "-o"])
        .arg(&out)
        .arg("--errors")
        .arg(&err)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn shenbao");
    let pid = child.id() as i32;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let done = done.clone();
        std::thread::spawn(move || {
            let until = Instant::now() + hard;
            while Instant::now() < until {
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // SAFETY: plain kill(2) of the session we started.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            true
        })
    };
    let (status, rusage) = wait4(pid);
    let wall = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let killed = killer.join().unwrap();
    std::mem::forget(child); // reaped above
    let leftovers = session_members(pid);
    if leftovers > 0 {
        // SAFETY: as above; leave nothing behind for the next run.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let signal = libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status));
    let exit = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let (outcome, message) = outcome_of(&out, &err);
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&err);
    Run {
        outcome,
        message,
        wall,
        max_rss_kib: rusage.ru_maxrss,
        signal,
        exit,
        leftovers,
        killed,
    }
}

fn wait4(pid: i32) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return (status, ru);
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            panic!("wait4: {}", std::io::Error::last_os_error());
        }
    }
}

/// Live processes whose session is `sid`.
pub fn session_members(sid: i32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // pid (comm) state ppid pgrp session ...: after the last ')'.
            let rest = stat.rsplit_once(')').map_or("", |r| r.1);
            let f: Vec<&str> = rest.split_whitespace().collect();
            f.len() > 3 && f[0] != "Z" && f[3] == sid.to_string()
        })
        .count()
}

/// `"ok"` when a record was written, else the failure's code.
fn outcome_of(out: &Path, err: &Path) -> (String, String) {
    let errors = std::fs::read_to_string(err).unwrap_or_default();
    if let Some(line) = errors.lines().next() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        return (
            v["code"].as_str().unwrap_or("unparsed").to_string(),
            v["error"].as_str().unwrap_or(line).to_string(),
        );
    }
    let records = std::fs::read_to_string(out).unwrap_or_default();
    if records.lines().next().is_some() {
        ("ok".to_string(), String::new())
    } else {
        ("none".to_string(), String::new())
    }
}
