//! The fuzz harness (issue 15): every generated hostile case, then seeded
//! mutations of the fixtures for the rest of the time budget, each run
//! through the `shenbao` binary as a user runs it, asserting per file: no
//! panic, no signal, an expected outcome, within 2 x the timeout of wall
//! time and under the memory budget of peak RSS, nothing left running.
//!
//! `SHENBAO_FUZZ_SECONDS` sets the time budget (default 60, as in CI);
//! `scripts/fuzz.sh` runs it at length in release.

mod common;

use common::harness::{Run, run_extract};
use common::hostile;
use common::rng::Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Per-file wall-clock limit given to `--timeout`.
const TIMEOUT: f64 = 10.0;
/// Peak RSS allowed per file, KiB (512 MiB).
const MAX_RSS_KIB: i64 = 512 * 1024;
/// The memory budget given to `--max-memory` (MiB): under 512 MiB of
/// RSS with the program's own pages (the debug binary's and, when a
/// mutated file goes to OCR, ONNX Runtime's: some 100 MB). The default,
/// 1 GiB, leaves room for PP-OCR, which these inputs do not need.
const MAX_MEMORY_MIB: &str = "384";

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("shenbao-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn report(name: &str, r: &Run) {
    eprintln!(
        "{name:<28} {:<12} {:>7.2} s {:>7} MiB  {}",
        r.outcome,
        r.wall.as_secs_f64(),
        r.max_rss_kib / 1024,
        r.message.chars().take(100).collect::<String>()
    );
}

#[test]
fn every_hostile_case_ends_with_its_code_within_budget() {
    let dir = scratch("cases");
    let mut bad = Vec::new();
    for case in hostile::cases() {
        let file = dir.join(format!("{}.pdf", case.name));
        std::fs::write(&file, (case.make)()).unwrap();
        let r = run_one(&file, &dir);
        report(case.name, &r);
        let _ = std::fs::remove_file(&file);
        if !case.expect.contains(&r.outcome.as_str()) || !within_budget(&r) {
            bad.push(format!("{}: {r:?}", case.name));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// No signal, under 2 x the timeout and the RSS budget, nothing left running.
fn within_budget(r: &Run) -> bool {
    r.signal.is_none()
        && !r.killed
        && r.wall.as_secs_f64() <= 2.0 * TIMEOUT
        && r.max_rss_kib <= MAX_RSS_KIB
        && r.leftovers == 0
}

/// `shenbao extract FILE` under the fuzz limits (killed at 4 x the
/// timeout if it ever got there).
fn run_one(file: &Path, dir: &Path) -> Run {
    let hard = Duration::from_secs_f64(TIMEOUT * 4.0);
    run_extract(file, TIMEOUT, &["--max-memory", MAX_MEMORY_MIB], dir, hard)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seeds: the text-layer fixture PDFs and test PDFs, each also with
/// its streams stored uncompressed (so mutations reach content streams,
/// fonts and CMaps), and the text dump fixtures.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["fixtures", "tests/data", "fixtures/text"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf" || x == "txt"))
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(plain) = uncompressed(&bytes) {
                out.push((format!("{name}+plain"), plain));
            }
            out.push((name, bytes));
        }
    }
    out
}

/// The PDF with every stream decompressed, as lopdf writes it.
fn uncompressed(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(bytes).ok()?;
    doc.decompress();
    let mut out = Vec::new();
    doc.save_to(&mut out).ok()?;
    Some(out)
}

/// One mutation of `b` (and what it was, for the report).
fn mutate(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) -> &'static str {
    let len = b.len().max(1);
    match rng.below(8) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(len);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.below(8);
                }
            }
            "bit flips"
        }
        1 => {
            b.truncate(rng.below(len));
            "cut"
        }
        2 => {
            let i = rng.below(len);
            for k in i..(i + 1 + rng.below(64)).min(b.len()) {
                b[k] = rng.next() as u8;
            }
            "garbage span"
        }
        3 => {
            // A span repeated many times: floods of operators or objects.
            let i = rng.below(len);
            let span = b[i.min(b.len())..(i + 1 + rng.below(200)).min(b.len())].to_vec();
            let reps = 1 + rng.below(20_000);
            let tail = b.split_off(i.min(b.len()));
            for _ in 0..reps {
                b.extend_from_slice(&span);
            }
            b.extend_from_slice(&tail);
            "repeated span"
        }
        4 => {
            // A number replaced by an extreme one (/Count, /Length, a
            // coordinate, a font size, an object number).
            let digits: Vec<usize> = (0..b.len()).filter(|&k| b[k].is_ascii_digit()).collect();
            if let Some(&k) = digits.get(rng.below(digits.len())) {
                let v: &[u8] = [
                    &b"999999999"[..],
                    b"-1",
                    b"0",
                    b"2147483648",
                    b"1e308",
                    b"0.0000001",
                    b"-99999",
                ][rng.below(7)];
                b.splice(k..k + 1, v.iter().copied());
            }
            "extreme number"
        }
        5 => {
            // A splice from another seed.
            let i = rng.below(len);
            let j = rng.below(other.len().max(1));
            let n = rng.below(4096);
            let piece = &other[j.min(other.len())..(j + n).min(other.len())];
            b.splice(i.min(b.len())..(i + n).min(b.len()), piece.iter().copied());
            "splice"
        }
        6 => {
            // Deep nesting inserted.
            let i = rng.below(len).min(b.len());
            let (open, close) = [(b'[', b']'), (b'(', b')'), (b'<', b'>')][rng.below(3)];
            let n = 1 + rng.below(50_000);
            let mut nest = vec![open; n];
            if rng.below(2) == 0 {
                nest.extend(std::iter::repeat_n(close, n));
            }
            b.splice(i..i, nest);
            "nesting"
        }
        _ => {
            // A keyword swapped for another.
            let words: [&[u8]; 10] = [
                b"obj",
                b"endobj",
                b"stream",
                b"endstream",
                b"Tj",
                b"Do",
                b"re",
                b"BT",
                b"/Type",
                b"R",
            ];
            let from = words[rng.below(words.len())];
            let to = words[rng.below(words.len())];
            if let Some(k) = b.windows(from.len()).position(|w| w == from) {
                b.splice(k..k + from.len(), to.iter().copied());
            }
            "keyword swap"
        }
    }
}

/// Seeded mutations of the seeds for `SHENBAO_FUZZ_SECONDS` (default 60),
/// two at a time: each file must end with a record or a known failure
/// (never `internal`, a caught panic, nor a crash) within its budget.
#[test]
fn mutated_inputs_end_with_a_known_outcome_within_budget() {
    let seconds: f64 = std::env::var("SHENBAO_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let seed: u64 = std::env::var("SHENBAO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f022_0015_0001);
    let seeds = std::sync::Arc::new(seeds());
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let seeds = seeds.clone();
            std::thread::spawn(move || fuzz_thread(&seeds, seed ^ (t + 1), until, t))
        })
        .collect();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad = Vec::new();
    let (mut runs, mut max_wall, mut max_rss) = (0usize, 0f64, 0i64);
    for t in threads {
        let s = t.join().unwrap();
        runs += s.runs;
        max_wall = max_wall.max(s.max_wall);
        max_rss = max_rss.max(s.max_rss_kib);
        for (k, v) in s.outcomes {
            *outcomes.entry(k).or_default() += v;
        }
        bad.extend(s.bad);
    }
    eprintln!(
        "fuzz: {runs} runs in {seconds} s, seed {seed:#x}; outcomes {outcomes:?}; \
         slowest {max_wall:.2} s, peak RSS {} MiB; {} over budget or crashed",
        max_rss / 1024,
        bad.len()
    );
    assert!(runs > 0);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[derive(Default)]
struct Tally {
    runs: usize,
    outcomes: BTreeMap<String, usize>,
    max_wall: f64,
    max_rss_kib: i64,
    bad: Vec<String>,
}

fn fuzz_thread(seeds: &[(String, Vec<u8>)], seed: u64, until: Instant, t: u64) -> Tally {
    let mut rng = Rng(seed | 1);
    let dir = scratch(&format!("mut{t}"));
    let mut tally = Tally::default();
    while Instant::now() < until {
        let (name, orig) = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())].1;
        let mut b = orig.clone();
        let mut how = Vec::new();
        for _ in 0..1 + rng.below(3) {
            how.push(mutate(&mut rng, &mut b, other));
        }
        let ext = if name.ends_with(".txt") { "txt" } else { "pdf" };
        let file = dir.join(format!("case.{ext}"));
        std::fs::write(&file, &b).unwrap();
        let r = run_one(&file, &dir);
        tally.runs += 1;
        *tally.outcomes.entry(r.outcome.clone()).or_default() += 1;
        tally.max_wall = tally.max_wall.max(r.wall.as_secs_f64());
        tally.max_rss_kib = tally.max_rss_kib.max(r.max_rss_kib);
        let known = !matches!(r.outcome.as_str(), "internal" | "none" | "unparsed");
        if !known || !within_budget(&r) {
            let keep = dir.join(format!("bad-{}.{ext}", tally.bad.len()));
            let _ = std::fs::copy(&file, &keep);
            tally.bad.push(format!(
                "{name} ({}) kept as {}: {r:?}",
                how.join(", "),
                keep.display()
            ));
        }
    }
    tally
}
