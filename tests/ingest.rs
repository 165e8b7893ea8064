//! `shenbao ingest`, `export`, `merge`, `schema`: every bad-input kind is
//! stored as a failure with its reason, a killed run resumes with no loss
//! and no duplicate, exports are byte-identical at any job count.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lopdf::{Document, Object, Stream, dictionary};

mod common;
use rusqlite::Connection;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shenbao"));
    c.current_dir(dir);
    c
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("shenbao-ingest-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("archive")).unwrap();
    d
}

fn ingest(dir: &Path, extra: &[&str]) -> Output {
    bin(dir)
        .args(["ingest", "archive", "--db", "store.sqlite"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (status, error_code, error) of the stored file.
fn file_row(dir: &Path, path: &str) -> (String, Option<String>, Option<String>) {
    let c = Connection::open(dir.join("store.sqlite")).unwrap();
    c.query_row(
        "SELECT status, error_code, error FROM files WHERE path = ?1",
        [path],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn count(db: &Path, table: &str) -> i64 {
    let c = Connection::open(db).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Ingests one bad file next to a good one: the good one is stored, the bad
/// one failed with `code`; exit 1. Returns the bad file's reason.
fn bad_file_case(name: &str, bytes: &[u8], code: &str, extra: &[&str]) -> String {
    let dir = scratch(name);
    std::fs::write(dir.join("archive").join(name), bytes).unwrap();
    std::fs::copy(
        root().join("fixtures/sample-2019-dsjzx-1.pdf"),
        dir.join("archive/good.pdf"),
    )
    .unwrap();
    let out = ingest(&dir, extra);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 failed"), "{}", stderr(&out));
    let (status, got, reason) = file_row(&dir, &format!("archive/{name}"));
    assert_eq!(status, "failed");
    assert_eq!(got.as_deref(), Some(code), "{reason:?}");
    let (status, _, _) = file_row(&dir, "archive/good.pdf");
    assert_eq!(status, "ok", "the batch goes on");
    assert_eq!(count(&dir.join("store.sqlite"), "forms"), 1);
    reason.unwrap()
}

/// A one-page PDF with the given content stream and resources.
fn one_page_pdf(doc: &mut Document, content: &[u8], resources: lopdf::Dictionary) -> Vec<u8> {
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A scanned page: one image, no text.
fn image_only_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let img = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 2,
            "Height" => 2,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    ));
    one_page_pdf(
        &mut doc,
        b"q 500 0 0 700 40 60 cm /Im0 Do Q",
        dictionary! { "XObject" => dictionary! { "Im0" => img } },
    )
}

/// A small file whose content takes practically forever: form XObjects
/// nested 11 deep, each drawing the next 10 times (10^11 draws).
fn runaway_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let bbox = || vec![0.into(), 0.into(), 10.into(), 10.into()];
    let mut prev = doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => bbox() },
        b"0 0 m 1 1 l S".to_vec(),
    ));
    for _ in 0..11 {
        prev = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => bbox(),
                "Resources" => dictionary! { "XObject" => dictionary! { "X" => prev } },
            },
            "/X Do ".repeat(10).into_bytes(),
        ));
    }
    one_page_pdf(
        &mut doc,
        b"/X Do",
        dictionary! { "XObject" => dictionary! { "X" => prev } },
    )
}

#[test]
fn empty_file_is_stored_as_failed_empty() {
    let reason = bad_file_case("empty.pdf", b"", "empty", &[]);
    assert_eq!(
        reason,
        "empty file (no bytes, or only white space and page breaks)"
    );
}

#[test]
fn unreadable_file_is_stored_as_failed_io() {
    // A dangling symlink: listed by the walk, cannot be read (root reads
    // any mode, so permissions would not do).
    let dir = scratch("io");
    std::os::unix::fs::symlink("/nonexistent/gone.pdf", dir.join("archive/gone.pdf")).unwrap();
    let out = ingest(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (status, code, reason) = file_row(&dir, "archive/gone.pdf");
    assert_eq!((status.as_str(), code.as_deref()), ("failed", Some("io")));
    assert!(reason.unwrap().starts_with("cannot read"));
}

#[test]
fn text_file_named_pdf_is_stored_as_not_a_pdf() {
    let reason = bad_file_case("notes.pdf", b"minutes of the meeting\n", "not_pdf", &[]);
    assert!(reason.contains("not a PDF"), "{reason}");
}

#[test]
fn truncated_pdf_is_stored_as_damaged() {
    let full = std::fs::read(root().join("fixtures/sample-2019-dsjzx-1.pdf")).unwrap();
    let reason = bad_file_case("truncated.pdf", &full[..full.len() / 2], "damaged", &[]);
    assert!(reason.contains("damaged or truncated"), "{reason}");
}

#[test]
fn encrypted_pdf_is_stored_as_encrypted() {
    let bytes = std::fs::read(root().join("tests/data/encrypted.pdf")).unwrap();
    let reason = bad_file_case("encrypted.pdf", &bytes, "encrypted", &[]);
    assert_eq!(reason, "encrypted PDF");
}

#[test]
fn image_only_pdf_is_stored_as_no_text_layer() {
    let reason = bad_file_case("scan.pdf", &image_only_pdf(), "no_text_layer", &[]);
    assert!(reason.contains("OCR"), "{reason}");
}

#[test]
fn pdf_without_the_form_is_stored_as_no_form() {
    let bytes = std::fs::read(root().join("tests/data/kangxi_tounicode.pdf")).unwrap();
    let reason = bad_file_case("letter.pdf", &bytes, "no_form", &[]);
    assert_eq!(reason, "no form found");
}

#[test]
fn runaway_pdf_is_stored_as_too_complex_and_the_batch_goes_on() {
    // 10^11 nested Form XObject calls: over the per-page budget at once.
    let t = Instant::now();
    let reason = bad_file_case("runaway.pdf", &runaway_pdf(), "too_complex", &[]);
    assert!(
        reason.contains("XObject budget of 10000 invocations per page (page 1)"),
        "{reason}"
    );
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn slow_pdf_times_out_and_the_batch_goes_on() {
    // Millions of glyphs within every budget: slower than 0.05 s.
    let t = Instant::now();
    let slow = common::hostile::slow_pages(9, 8000);
    let reason = bad_file_case(
        "slow.pdf",
        &slow,
        "timeout",
        &["--timeout", "0.05", "--page-timeout", "0"],
    );
    assert!(reason.contains("time limit of 0.05 s"), "{reason}");
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "the deadline stops the file: {:?}",
        t.elapsed()
    );
}

#[test]
fn pdf_over_the_page_limit_is_stored_as_too_many_pages() {
    let bytes = std::fs::read(root().join("fixtures/2019-dsjzx-forms-1-3.pdf")).unwrap();
    let reason = bad_file_case("long.pdf", &bytes, "too_many_pages", &["--max-pages", "2"]);
    assert!(reason.contains("over the limit of 2"), "{reason}");
}

/// Copies every fixture `copies` times into `dir/archive/cK/`, plus a few
/// bad files; returns the number of files.
fn make_archive(dir: &Path, copies: usize) -> usize {
    let mut n = 0;
    // Text-layer fixtures only: the scanned ones (OCR, seconds a page) are
    // covered by tests/ocr.rs.
    let top = root().join("fixtures");
    let fixtures: Vec<PathBuf> = shenbao::collect_inputs(std::slice::from_ref(&top))
        .into_iter()
        .filter(|p| p.parent() == Some(top.as_path()))
        .collect();
    for k in 0..copies {
        let sub = dir.join(format!("archive/c{k:03}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in &fixtures {
            std::fs::copy(f, sub.join(f.file_name().unwrap())).unwrap();
            n += 1;
        }
    }
    std::fs::write(dir.join("archive/empty.pdf"), b"").unwrap();
    std::fs::copy(
        root().join("tests/data/encrypted.pdf"),
        dir.join("archive/encrypted.pdf"),
    )
    .unwrap();
    n + 2
}

fn export(dir: &Path, db: &str, format: &str, out: &str) -> PathBuf {
    let o = bin(dir)
        .args(["export", "--db", db, "--format", format, "--out", out])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(out)
}

fn read_dir_bytes(d: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn exports_are_byte_identical_at_jobs_1_and_2() {
    let dir = scratch("jobs");
    make_archive(&dir, 1);
    for jobs in ["1", "2"] {
        let o = bin(&dir)
            .args(["ingest", "archive", "--db"])
            .arg(format!("j{jobs}.sqlite"))
            .args(["--jobs", jobs])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        for f in ["csv", "jsonl"] {
            export(
                &dir,
                &format!("j{jobs}.sqlite"),
                f,
                &format!("out-{f}-{jobs}"),
            );
        }
    }
    for f in ["csv", "jsonl"] {
        let a = read_dir_bytes(&dir.join(format!("out-{f}-1")));
        let b = read_dir_bytes(&dir.join(format!("out-{f}-2")));
        // files, forms, the 5 tables of the two built-in templates' table
        // fields, warnings, project_years (JSONL: and records)
        assert_eq!(a.len(), if f == "csv" { 9 } else { 10 });
        for ((na, da), (nb, db)) in a.iter().zip(&b) {
            assert_eq!(na, nb);
            assert!(da == db, "{na} differs between --jobs 1 and --jobs 2");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn killed_ingest_resumes_with_no_file_lost_and_no_row_duplicated() {
    let dir = scratch("kill");
    let n = make_archive(&dir, 5) as i64;
    let db = dir.join("store.sqlite");
    let mut child = bin(&dir)
        .args(["ingest", "archive", "--db", "store.sqlite", "--jobs", "2"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some files are stored, then SIGKILL mid-run.
    let t = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        // Read-only: never create the store before the child does.
        let stored = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.query_row("SELECT count(*) FROM files", [], |r| r.get::<_, i64>(0)))
            .unwrap_or(0);
        if stored >= 10 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        assert!(t.elapsed() < Duration::from_secs(120), "no progress");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count(&db, "files");
    assert!(partial < n, "killed before the end ({partial} of {n})");

    let o = ingest(&dir, &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(1), "two bad files: {}", stderr(&o));
    assert!(stderr(&o).contains("skipped as already stored"));
    assert_eq!(count(&db, "files"), n, "every file accounted for");

    // The same archive ingested in one go gives the same store content.
    let o = bin(&dir)
        .args(["ingest", "archive", "--db", "clean.sqlite", "--jobs", "2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    for t in ["forms", "funding_components", "indicators", "warnings"] {
        assert_eq!(count(&db, t), count(&dir.join("clean.sqlite"), t), "{t}");
    }
    let a = read_dir_bytes(&export(&dir, "store.sqlite", "jsonl", "resumed"));
    let b = read_dir_bytes(&export(&dir, "clean.sqlite", "jsonl", "clean"));
    assert!(a == b, "resumed store exports like the uninterrupted one");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_export_reads_back_with_a_csv_reader_and_matches_the_store() {
    let dir = scratch("csv");
    make_archive(&dir, 1);
    ingest(&dir, &[]);
    let out = export(&dir, "store.sqlite", "csv", "csv");
    let db = dir.join("store.sqlite");
    let header_of = |t: &str| -> Vec<String> {
        let mut r = csv::Reader::from_path(out.join(format!("{t}.csv"))).unwrap();
        r.headers().unwrap().iter().map(String::from).collect()
    };
    for t in [
        "files",
        "forms",
        "funding_components",
        "indicators",
        "warnings",
    ] {
        let mut r = csv::Reader::from_path(out.join(format!("{t}.csv"))).unwrap();
        let width = r.headers().unwrap().len();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len() as i64, count(&db, t), "{t}");
        assert!(rows.iter().all(|x| x.len() == width), "{t}: ragged rows");
    }
    assert_eq!(header_of("forms")[..2], ["path", "form_index"]);
    // Money has two decimals; a multi-line text survives quoting.
    let mut r = csv::Reader::from_path(out.join("forms.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.iter().any(|x| x[col("total_budget")].ends_with(".00")));
    assert!(rows.iter().any(|x| x[col("overview")].contains('\n')));
}

#[test]
fn merging_shards_twice_equals_one_whole_ingest() {
    let dir = scratch("merge");
    make_archive(&dir, 1);
    ingest(&dir, &[]);
    for k in 0..2 {
        let o = bin(&dir)
            .args(["ingest", "archive", "--shard", &format!("{k}/2"), "--db"])
            .arg(format!("s{k}.sqlite"))
            .output()
            .unwrap();
        assert!(o.status.code().is_some(), "{}", stderr(&o));
    }
    let (a, b) = (
        count(&dir.join("s0.sqlite"), "files"),
        count(&dir.join("s1.sqlite"), "files"),
    );
    assert!(a > 0 && b > 0, "both shards hold files: {a}, {b}");
    assert_eq!(a + b, count(&dir.join("store.sqlite"), "files"));
    for _ in 0..2 {
        let o = bin(&dir)
            .args(["merge", "s0.sqlite", "s1.sqlite", "--db", "all.sqlite"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for t in [
        "files",
        "forms",
        "funding_components",
        "indicators",
        "warnings",
    ] {
        assert_eq!(
            count(&dir.join("all.sqlite"), t),
            count(&dir.join("store.sqlite"), t),
            "{t}"
        );
    }
    let a = read_dir_bytes(&export(&dir, "all.sqlite", "jsonl", "merged"));
    let b = read_dir_bytes(&export(&dir, "store.sqlite", "jsonl", "whole"));
    assert!(a == b, "the merged store exports like the whole one");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rerun_skips_stored_files_and_force_redoes_them() {
    let dir = scratch("rerun");
    std::fs::copy(
        root().join("fixtures/synth-01.pdf"),
        dir.join("archive/a.pdf"),
    )
    .unwrap();
    let o = ingest(&dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ingest(&dir, &[]);
    assert!(
        stderr(&o).contains("0 extracted (0 ok), 1 skipped"),
        "{}",
        stderr(&o)
    );
    let o = ingest(&dir, &["--force"]);
    assert!(
        stderr(&o).contains("1 extracted (1 ok), 0 skipped"),
        "{}",
        stderr(&o)
    );
    assert_eq!(count(&dir.join("store.sqlite"), "files"), 1);
    assert_eq!(count(&dir.join("store.sqlite"), "forms"), 1);
}

#[test]
fn retry_failed_takes_again_the_files_that_failed_and_skips_the_others() {
    let dir = scratch("retry");
    let slow = common::hostile::slow_pages(9, 8000);
    std::fs::write(dir.join("archive/slow.pdf"), slow).unwrap();
    std::fs::copy(
        root().join("fixtures/synth-01.pdf"),
        dir.join("archive/good.pdf"),
    )
    .unwrap();
    let tight = ["--timeout", "0.05", "--page-timeout", "0"];
    let o = ingest(&dir, &tight);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        file_row(&dir, "archive/slow.pdf").1.as_deref(),
        Some("timeout")
    );
    // a longer limit alone skips both as stored
    let o = ingest(&dir, &["--timeout", "0"]);
    assert!(
        stderr(&o).contains("0 extracted (0 ok), 2 skipped"),
        "{}",
        stderr(&o)
    );
    // --retry-failed takes the failed one again, and only it
    let o = ingest(&dir, &["--timeout", "0", "--retry-failed"]);
    let said = stderr(&o);
    assert!(
        said.contains("1 extracted") && said.contains("1 skipped"),
        "{said}"
    );
    assert_ne!(
        file_row(&dir, "archive/slow.pdf").1.as_deref(),
        Some("timeout")
    );
    assert_eq!(count(&dir.join("store.sqlite"), "files"), 2);
}

#[test]
fn files_from_stdin_are_ingested_and_a_missing_one_is_recorded() {
    let dir = scratch("stdin");
    for n in ["synth-01.pdf", "synth-02.pdf"] {
        std::fs::copy(root().join("fixtures").join(n), dir.join("archive").join(n)).unwrap();
    }
    let mut child = bin(&dir)
        .args(["ingest", "--files-from", "-", "--db", "store.sqlite"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"archive/synth-02.pdf\n\n./archive/synth-01.pdf\narchive/missing.pdf\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(file_row(&dir, "archive/synth-01.pdf").0, "ok");
    assert_eq!(file_row(&dir, "archive/synth-02.pdf").0, "ok");
    let (status, code, _) = file_row(&dir, "archive/missing.pdf");
    assert_eq!(
        (status.as_str(), code.as_deref()),
        ("failed", Some("io")),
        "a listed file that is gone is accounted for"
    );
}

#[test]
fn ingest_usage_error_exits_2() {
    let dir = scratch("usage");
    let o = bin(&dir).args(["ingest", "archive"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "no --db");
    let o = bin(&dir)
        .args(["ingest", "archive", "--db", "x.sqlite", "--shard", "2/2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "bad shard");
}

#[test]
fn schema_describes_the_record_with_money_as_a_number() {
    let dir = scratch("schema");
    let o = bin(&dir).arg("schema").output().unwrap();
    assert!(o.status.success());
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all["title"], "Record");
    // one schema per template, told apart by `template`
    let one_of = all["oneOf"].as_array().unwrap();
    let names: Vec<&str> = one_of
        .iter()
        .map(|s| s["properties"]["template"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shanghai-2019", "national-project"]);
    let v = &one_of[0];
    for k in [
        "project_name",
        "indicators",
        "source",
        "provenance",
        "units",
    ] {
        assert!(v["properties"][k].is_object(), "{k}");
    }
    let money = &v["$defs"]["Money"];
    assert_eq!(money["type"], "number");
    assert!(one_of[1]["properties"]["total_funds"].is_object());
    // one template's alone
    let o = bin(&dir)
        .args(["schema", "--template", "national-project"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["properties"]["template"]["const"], "national-project");
    assert!(v["properties"]["project_period"]["pattern"].is_string());
}

#[test]
fn text_dump_in_the_archive_is_ingested_like_a_pdf() {
    let dir = scratch("textdump");
    std::fs::copy(
        root().join("fixtures/text/2019-dsjzx-forms-1-3.txt"),
        dir.join("archive/dump.txt"),
    )
    .unwrap();
    let out = ingest(&dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file_row(&dir, "archive/dump.txt").0, "ok");
    assert_eq!(count(&dir.join("store.sqlite"), "forms"), 3);
}

/// Makes `dir` read-only: a read-only bind mount (as root, which file
/// modes do not stop), else its mode; `None` when neither can be done here.
fn read_only(dir: &Path) -> Option<Box<dyn FnOnce()>> {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
        let d = dir.to_path_buf();
        return Some(Box::new(move || {
            let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755));
        }));
    }
    let mount = |args: &[&str]| Command::new("mount").args(args).arg(dir).arg(dir).status();
    if !mount(&["--bind"]).is_ok_and(|s| s.success()) {
        return None;
    }
    if !mount(&["-o", "remount,ro,bind"]).is_ok_and(|s| s.success()) {
        let _ = Command::new("umount").arg(dir).status();
        return None;
    }
    let d = dir.to_path_buf();
    Some(Box::new(move || {
        let _ = Command::new("umount").arg(&d).status();
    }))
}

#[test]
fn a_store_on_a_read_only_file_system_is_exported_and_merged() {
    let dir = scratch("readonly");
    std::fs::copy(
        root().join("fixtures/sample-2019-dsjzx-1.pdf"),
        dir.join("archive/a.pdf"),
    )
    .unwrap();
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("store.sqlite");
    let out = bin(&dir)
        .args(["ingest", "archive", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(undo) = read_only(&ro) else {
        eprintln!("skipped: cannot make a folder read-only here");
        return;
    };
    let export = bin(&dir)
        .args(["export", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(dir.join("exp"))
        .output()
        .unwrap();
    let merge = bin(&dir)
        .args(["merge"])
        .arg(&db)
        .arg("--db")
        .arg(dir.join("merged.sqlite"))
        .output()
        .unwrap();
    undo();
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(merge.status.success(), "{}", stderr(&merge));
    assert_eq!(count(&dir.join("merged.sqlite"), "forms"), 1);
    let forms = std::fs::read_to_string(dir.join("exp/forms.csv")).unwrap();
    assert_eq!(forms.lines().count(), 2, "{forms}");
}

#[test]
fn a_file_over_the_memory_budget_is_stored_as_too_complex_and_not_retried() {
    // The PDF parser takes some 120 bytes a number: 1.2 GB for this file.
    // Before workers, the run aborted here, and again on every rerun.
    let array = common::hostile::parser_array(10_000_000);
    let extra = ["--max-memory", "256"];
    let reason = bad_file_case("array.pdf", &array, "too_complex", &extra);
    assert!(reason.contains("memory budget of 256 MiB"), "{reason}");
    let dir = std::env::temp_dir().join(format!("shenbao-ingest-{}-array.pdf", std::process::id()));
    let again = ingest(&dir, &extra);
    let e = stderr(&again);
    assert!(e.contains("2 skipped as already stored, 1 failed"), "{e}");
}

#[test]
fn a_forced_template_is_part_of_the_version_and_a_rerun_with_it_skips() {
    let dir = scratch("forced");
    std::fs::copy(
        root().join("fixtures/national/tuning/nf-01-docx.pdf"),
        dir.join("archive/n.pdf"),
    )
    .unwrap();
    let forced = ["--template", "national-project"];
    let o = ingest(&dir, &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ingest(&dir, &forced);
    assert!(
        stderr(&o).contains("0 extracted (0 ok), 1 skipped"),
        "the same forced template: {}",
        stderr(&o)
    );
    // by default the form is read with the set: another extraction
    let o = ingest(&dir, &[]);
    assert!(
        stderr(&o).contains("1 extracted (1 ok), 0 skipped"),
        "{}",
        stderr(&o)
    );
    let c = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
    let t: String = c
        .query_row("SELECT template FROM forms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(t, "national-project");
}
