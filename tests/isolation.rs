//! Files read in worker processes (src/run/isolate.rs): a hostile file
//! costs its own time and memory and never the batch's; records are the
//! same as read in-process.

mod common;

use common::harness::{run_extract_env, session_members};
use common::hostile;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cores: held alone by the tests that measure time, shared by the
/// others that keep them busy (a file past its timeout on a machine kept
/// busy by the tests next to it once stopped at 2.07 × its limit).
static CORES: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn timed() -> std::sync::RwLockWriteGuard<'static, ()> {
    CORES.write().unwrap_or_else(|e| e.into_inner())
}

fn busy() -> std::sync::RwLockReadGuard<'static, ()> {
    CORES.read().unwrap_or_else(|e| e.into_inner())
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("shenbao-iso-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `shenbao extract ARGS` under an address-space limit of `kib` (what
/// `ulimit -v` sets): stdout, stderr, exit code.
fn extract_under_ulimit(args: &[&std::ffi::OsStr], kib: u64) -> (String, String, Option<i32>) {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shenbao"));
    cmd.arg("extract").args(args).stdin(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: kib * 1024,
                rlim_max: kib * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// 50 text-layer PDFs of the producers' fixtures.
fn good_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = shenbao::collect_inputs(&[root().join("fixtures/producers/tuning")])
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    v.sort();
    v.truncate(50);
    assert_eq!(v.len(), 50);
    v
}

#[test]
fn a_batch_of_5_hostile_and_50_good_files_under_ulimit_v_2000000() {
    let _cores = timed();
    let dir = scratch("batch");
    let hostile = [
        ("xobjects.pdf", hostile::xobject_fanout(10, 1000)),
        (
            "tounicode-bomb.pdf",
            hostile::tounicode_bomb(hostile::deflated_2g()),
        ),
        ("parser-array.pdf", hostile::parser_array(10_000_000)),
        ("operators.pdf", hostile::operator_flood(30_000_000)),
        ("string.pdf", hostile::huge_string(50 << 20)),
    ];
    let mut files: Vec<PathBuf> = good_files();
    for (k, (name, bytes)) in hostile.iter().enumerate() {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        files.insert(k * 10 + 3, p);
    }
    // The records of the good files, read with no limits, in-process.
    let mut expected = Command::new(env!("CARGO_BIN_EXE_shenbao"));
    expected
        .args(["extract", "--in-process"])
        .args(good_files());
    let expected = String::from_utf8(expected.output().unwrap().stdout).unwrap();

    let mut args: Vec<&std::ffi::OsStr> = ["--jobs", "2", "--timeout", "20"]
        .iter()
        .map(|s| std::ffi::OsStr::new(*s))
        .collect();
    args.extend(files.iter().map(|p| p.as_os_str()));
    let t = Instant::now();
    let (stdout, stderr, code) = extract_under_ulimit(&args, 2_000_000);
    eprintln!("55 files in {:.1} s", t.elapsed().as_secs_f64());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, expected, "every good file's records, as in-process");
    let failures: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(failures.len(), 5, "{stderr}");
    for f in &failures {
        assert_eq!(f["code"], "too_complex", "{f}");
    }
    let memory = failures
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("parser-array.pdf"))
        .unwrap();
    assert!(
        memory["error"]
            .as_str()
            .unwrap()
            .contains("memory budget of 1024 MiB"),
        "{memory}"
    );
}

#[test]
fn a_file_past_its_timeout_is_stopped_with_its_ocr_tools() {
    let _cores = timed();
    // A scan: pdftoppm and OCR take seconds a page. In a worker (killed),
    // and in-process (the tools killed at the deadline, PP-OCR checking it
    // between batches of lines), with either recognizer.
    let scan = root().join("fixtures/scanned/synth-01-scan.pdf");
    let dir = scratch("timeout");
    for args in [&[][..], &["--in-process"][..]] {
        for recognizer in ["auto", "tesseract"] {
            let env = [("SHENBAO_OCR_RECOGNIZER", recognizer)];
            let r = run_extract_env(&scan, 2.0, args, &env, &dir, Duration::from_secs(30));
            let case = format!("{args:?} {recognizer}: {r:?}");
            assert_eq!(r.outcome, "timeout", "{case}");
            assert!(r.message.contains("time limit of 2 s"), "{case}");
            assert!(
                r.wall < Duration::from_secs(4),
                "stopped within 2 x the timeout: {case}"
            );
            assert_eq!(r.leftovers, 0, "no pdftoppm or tesseract left: {case}");
        }
    }
}

#[test]
fn a_slow_file_past_its_timeout_fails_and_the_next_file_is_read() {
    let _cores = busy();
    let dir = scratch("slow");
    let slow = dir.join("slow.pdf");
    std::fs::write(&slow, hostile::slow_pages(9, 8000)).unwrap();
    let good = root().join("fixtures/sample-2019-dsjzx-1.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["extract", "--jobs", "1", "--timeout", "0.05"])
        .arg(&slow)
        .arg(&good)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r#""code":"timeout""#), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn records_read_in_workers_equal_records_read_in_process() {
    let _cores = busy();
    let inputs = [
        root().join("fixtures/producers/validation"),
        root().join("fixtures/text"),
        root().join("fixtures/dumps/validation/pdftotext"),
    ];
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
            .arg("extract")
            .args(extra)
            .args(&inputs)
            .output()
            .unwrap();
        (out.stdout, out.stderr)
    };
    let (isolated, e1) = run(&[]);
    let (in_process, e2) = run(&["--in-process"]);
    assert!(!isolated.is_empty());
    assert_eq!(isolated, in_process);
    let failures = |e: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(e)
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(String::from)
            .collect()
    };
    assert_eq!(failures(&e1), failures(&e2));
}

#[test]
fn session_members_sees_a_running_child() {
    // The leftover check the tests above rely on can fail.
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("sleep");
    cmd.arg("5");
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(session_members(child.id() as i32), 1);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(session_members(child.id() as i32), 0);
}

#[test]
fn n_files_past_their_timeout_cost_about_n_timeouts_over_the_jobs() {
    let _cores = timed();
    // 4 slow files (0.7 s each in release) at --timeout 0.2 on 2 jobs:
    // about 0.4 s, not 4 x 1.4 s as with the watchdog.
    let dir = scratch("many-slow");
    let mut files = Vec::new();
    for k in 0..4 {
        let p = dir.join(format!("slow-{k}.pdf"));
        std::fs::write(&p, hostile::slow_pages(9, 8000)).unwrap();
        files.push(p);
    }
    files.push(root().join("fixtures/sample-2019-dsjzx-1.pdf"));
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["extract", "--jobs", "2", "--timeout", "0.2"])
        .args(&files)
        .output()
        .unwrap();
    let took = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches(r#""code":"timeout""#).count(), 4, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    // 4 x 0.2 s / 2 jobs, plus the kill grace and the good file.
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// `extract` of one scan (2 pages, both read by OCR) with a base limit of
/// `timeout` s and `ocr_page` s per OCR page: (succeeded, stderr).
fn extract_scan(timeout: &str, ocr_page: &str, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args([
            "extract",
            "--timeout",
            timeout,
            "--ocr-page-timeout",
            ocr_page,
        ])
        .args(extra)
        .arg(root().join("fixtures/scanned/synth-01-scan.pdf"))
        .output()
        .unwrap();
    let ok = out.status.success() && String::from_utf8_lossy(&out.stdout).lines().count() == 1;
    (ok, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_scan_past_its_base_limit_is_read_within_its_ocr_page_allowance() {
    let _cores = busy();
    // ~2.5 s of OCR a page; 0.5 s alone cannot read it, 0.5 + 2 x 60 can,
    // in a worker (the parent follows the budget the worker reports) and
    // in-process alike.
    let (ok, stderr) = extract_scan("0.5", "0", &[]);
    assert!(!ok && stderr.contains(r#""code":"timeout""#), "{stderr}");
    assert!(stderr.contains("over the time limit of 0.5 s"), "{stderr}");
    for extra in [&[][..], &["--in-process"][..]] {
        let (ok, stderr) = extract_scan("0.5", "60", extra);
        assert!(ok, "{extra:?}: {stderr}");
    }
}

#[test]
fn a_scan_past_its_grown_limit_names_the_grown_limit() {
    let _cores = busy();
    // 0.2 s + 2 OCR pages x 0.3 s: the first page alone takes longer.
    let (ok, stderr) = extract_scan("0.2", "0.3", &[]);
    assert!(!ok && stderr.contains(r#""code":"timeout""#), "{stderr}");
    assert!(
        stderr.contains("over the time limit of 0.5 s") || stderr.contains("of 0.8 s"),
        "{stderr}"
    );
}

/// The `shenbao-run-*` folders under `tmp`.
fn run_dirs(tmp: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("shenbao-run-")
        })
        .collect()
}

#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next_run() {
    let _cores = busy();
    let tmp = scratch("tmpdir");
    let scan = root().join("fixtures/scanned/synth-01-scan.pdf");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["extract", "-o", "/dev/null"])
        .arg(&scan)
        .env("TMPDIR", &tmp)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // killed mid-OCR: its folder stays behind
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(run_dirs(&tmp).len(), 1, "the killed run's folder");
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["extract", "-o", "/dev/null"])
        .arg(root().join("fixtures/sample-2019-dsjzx-1.pdf"))
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(run_dirs(&tmp), Vec::<PathBuf>::new(), "both removed");
}
