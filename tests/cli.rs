//! The `shenbao` binary: exit codes, failures as JSON lines, output order.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shenbao"))
}

/// The text-layer fixtures: `fixtures/*.pdf` and `fixtures/text`, not the
/// scanned ones in `fixtures/scanned` (checked by `tests/ocr.rs`).
fn text_layer_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    v.sort();
    v.push(root().join("fixtures/text"));
    v
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("shenbao-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn bad_file_is_reported_by_name_and_the_batch_goes_on() {
    let dir = scratch("bad");
    let bad = dir.join("not-a-pdf.pdf");
    std::fs::write(&bad, "hello, this is text").unwrap();
    let good = root().join("fixtures/sample-2019-dsjzx-1.pdf");
    let out = bin()
        .args(["extract", "--jobs", "2"])
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one file failed");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "the good file's record is written"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr.lines().next().unwrap();
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["code"], "not_pdf");
    assert!(v["file"].as_str().unwrap().ends_with("not-a-pdf.pdf"));
}

#[test]
fn records_come_in_input_order_whatever_the_job_count() {
    let run = |jobs: &str| {
        let out = bin()
            .args(["extract", "--jobs", jobs])
            .args(text_layer_fixtures())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let files: Vec<String> = String::from_utf8(one)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{}#{}",
                v["source"]["file"].as_str().unwrap(),
                v["source"]["form_index"]
            )
        })
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
}

/// `DIR/sample-2019-dsjzx-1.json`: the golden file with a wrong
/// `total_budget` (1.5).
fn write_wrong_golden(dir: &std::path::Path) {
    let g = std::fs::read_to_string(root().join("golden/sample-2019-dsjzx-1.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&g).unwrap();
    v[0]["total_budget"] = serde_json::json!(1.5);
    std::fs::write(dir.join("sample-2019-dsjzx-1.json"), v.to_string()).unwrap();
}

#[test]
fn check_fails_and_shows_the_diff_when_golden_disagrees() {
    let dir = scratch("golden");
    write_wrong_golden(&dir);
    let out = bin()
        .args(["check", "--golden"])
        .arg(&dir)
        .arg(root().join("fixtures/sample-2019-dsjzx-1.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("total_budget"), "{s}");
    assert!(
        s.contains("42429660"),
        "the diff shows the extracted value: {s}"
    );
}

#[test]
fn check_passes_on_the_bundled_fixtures() {
    let out = bin()
        .args(["check", "--golden"])
        .arg(root().join("golden"))
        .args(text_layer_fixtures())
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{s}");
    assert!(s.contains("(100.0%)"), "{s}");
}

#[test]
fn dump_cells_shows_the_table_grid() {
    let out = bin()
        .args(["extract", "--dump", "cells"])
        .arg(root().join("fixtures/sample-2019-dsjzx-1.pdf"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("项目名称"));
    assert!(s.contains("table 0"));
}

#[test]
fn usage_error_exits_2() {
    let out = bin().args(["extract"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn text_dump_is_extracted_and_checked_like_a_pdf() {
    let txt = root().join("fixtures/text/2019-dsjzx-forms-1-3.txt");
    let out = bin().arg("extract").arg(&txt).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(s.lines().count(), 3, "{s}");
    assert!(s.contains("\"line\":"), "provenance in lines: {s}");
    // Forced as a PDF it is not one.
    let out = bin()
        .args(["extract", "--input", "pdf"])
        .arg(&txt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = bin()
        .args(["extract", "--dump", "fields"])
        .arg(&txt)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("indicator\t")
    );
    let out = bin()
        .args(["check", "--golden"])
        .arg(root().join("golden"))
        .arg(root().join("fixtures/text"))
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{s}");
    assert!(s.contains("(100.0%)"), "{s}");
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    // `shenbao extract … | head`: the reader goes away after a few bytes.
    use std::io::Read;
    let mut child = bin()
        .arg("extract")
        .arg(root().join("fixtures/dumps/tuning/pymupdf"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout dropped: the pipe is closed.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("Broken pipe"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn extract_limits_fail_the_file_and_keep_the_batch_going() {
    // synth-01.pdf has two pages; the text dump stays within the limits.
    let out = bin()
        .args(["extract", "--max-pages", "1"])
        .arg(root().join("fixtures/synth-01.pdf"))
        .arg(root().join("fixtures/text"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r#""code":"too_many_pages""#), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let out = bin()
        .args(["extract", "--timeout", "0.000001"])
        .arg(root().join("fixtures/synth-01.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(r#""code":"timeout""#));
}

#[test]
fn an_os_or_sqlite_error_names_the_file_once_and_its_cause_once() {
    let dir = scratch("once");
    let missing = dir.join("no-such-folder");
    let db = missing.join("s.sqlite");
    let out = bin()
        .args(["ingest"])
        .arg(root().join("fixtures/synth-01.pdf"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(e.matches(&*db.display().to_string()).count(), 1, "{e}");
    assert_eq!(e.matches("unable to open database file").count(), 1, "{e}");

    let records = missing.join("records.jsonl");
    let out = bin()
        .arg("extract")
        .arg(root().join("fixtures/synth-01.pdf"))
        .arg("-o")
        .arg(&records)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(e.matches(&*records.display().to_string()).count(), 1, "{e}");
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
    assert!(!e.contains(".shenbao-"), "no temporary name: {e}");
}

#[test]
fn a_full_disk_names_the_output_and_leaves_no_truncated_file() {
    let out = bin()
        .arg("extract")
        .arg(root().join("fixtures/synth-01.pdf"))
        .args(["-o", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("cannot write /dev/full: No space left on device"),
        "{e}"
    );
    // A regular file is written beside its path and renamed at the end:
    // a run that fails leaves the old file as it was.
    let dir = scratch("full");
    let records = dir.join("records.jsonl");
    std::fs::write(&records, "old\n").unwrap();
    let bad = dir.join("bad.pdf");
    std::fs::write(&bad, "not a PDF").unwrap();
    let out = bin()
        .arg("extract")
        .arg(root().join("fixtures/synth-01.pdf"))
        .arg("-o")
        .arg(&records)
        // The bad file's failure line goes to the full device.
        .args(["--errors", "/dev/full"])
        .arg(&bad)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("cannot write /dev/full"), "{e}");
    assert_eq!(std::fs::read_to_string(&records).unwrap(), "old\n");
    let left = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(left, 2, "records.jsonl and bad.pdf, no temporary file");
}

#[test]
fn dash_reads_standard_input_and_dash_o_writes_standard_output() {
    use std::io::Write;
    let pdf = std::fs::read(root().join("fixtures/sample-2019-dsjzx-1.pdf")).unwrap();
    let dir = scratch("stdin");
    let mut child = bin()
        .args(["extract", "-", "-o", "-"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let r: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(r["source"]["file"], "-");
    assert_eq!(r["total_budget"], 42429660.0);
    assert!(!dir.join("-").exists(), "no file named -");
}

#[test]
fn a_missing_path_fails_alone_and_the_others_are_written() {
    let good = root().join("fixtures/sample-2019-dsjzx-1.pdf");
    let out = bin()
        .args(["extract"])
        .arg(&good)
        .arg("/nonexistent/missing.pdf")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    let line: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(line["file"], "/nonexistent/missing.pdf", "{err}");
    assert_eq!(line["code"], "io", "{err}");
    assert!(err.contains("No such file"), "{err}");
}

#[test]
fn a_folder_that_cannot_be_listed_fails_alone_and_the_walk_goes_on() {
    let dir = scratch("unlistable");
    let good = root().join("fixtures/sample-2019-dsjzx-1.pdf");
    std::fs::copy(&good, dir.join("a.pdf")).unwrap();
    std::fs::copy(&good, dir.join("z.pdf")).unwrap();
    // below deep/, a path past PATH_MAX: its deepest folders cannot be
    // listed, by root either (bash: its cd goes on there, dash's does not)
    let name = "d".repeat(200);
    let script = format!(
        "mkdir '{0}/deep' && cd '{0}/deep' && for i in $(seq 24); do mkdir {name} && cd {name} || exit 1; done",
        dir.display()
    );
    let made = Command::new("bash").args(["-c", &script]).status().unwrap();
    assert!(made.success());
    let out = bin()
        .args(["extract", "--jobs", "2"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    let line: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    let file = line["file"].as_str().unwrap();
    assert!(
        file.starts_with(&format!("{}/deep/ddd", dir.display())),
        "{err}"
    );
    assert_eq!(line["code"], "io", "{err}");
    assert!(err.contains("too long"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_to_read_exits_1_for_extract_ingest_and_check() {
    let dir = scratch("empty");
    std::fs::create_dir_all(dir.join("folder")).unwrap();
    for args in [
        &["extract", "folder"][..],
        &["ingest", "folder", "--db", "s.sqlite"][..],
        &["check", "--golden", "folder", "folder"][..],
    ] {
        let out = bin().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no PDF or text file"), "{args:?}: {err}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("100"),
            "{args:?}"
        );
    }
}

#[test]
fn quiet_prints_no_summary_line() {
    let good = root().join("fixtures/sample-2019-dsjzx-1.pdf");
    let out = bin().args(["extract", "-q"]).arg(&good).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn bless_exits_1_when_it_rewrote_a_golden_file_then_0() {
    let dir = scratch("bless");
    write_wrong_golden(&dir);
    let run = || {
        bin()
            .args(["check", "--bless", "--golden"])
            .arg(&dir)
            .arg(root().join("fixtures/sample-2019-dsjzx-1.pdf"))
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(), Some(1), "the golden file disagreed");
    assert_eq!(run(), Some(0), "rewritten, it agrees");
}

#[test]
fn check_json_gives_each_fields_result_and_the_whole_text_difference() {
    let dir = scratch("json");
    let g = std::fs::read_to_string(root().join("golden/sample-2019-dsjzx-1.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&g).unwrap();
    v[0]["total_budget"] = serde_json::json!(1.5);
    // two changes in one text, far apart: both are shown
    let text = v[0]["overview"].as_str().unwrap().to_string();
    let chars: Vec<char> = text.chars().collect();
    let mut changed = chars.clone();
    changed[5] = '甲';
    let last = changed.len() - 3;
    changed[last] = '乙';
    v[0]["overview"] = serde_json::json!(changed.iter().collect::<String>());
    std::fs::write(dir.join("sample-2019-dsjzx-1.json"), v.to_string()).unwrap();
    let out = bin()
        .args(["check", "--json", "--golden"])
        .arg(&dir)
        .arg(root().join("fixtures/sample-2019-dsjzx-1.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["all_right"], false);
    let fields = &j["files"][0]["forms"][0]["fields"];
    let field = |name: &str| {
        fields
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(field("total_budget")["right"], false);
    assert_eq!(field("unit")["right"], true);
    let diff = field("overview")["diff"].as_str().unwrap().to_string();
    // golden (expected) in [-…-], extracted in {+…+}
    assert!(diff.contains("[-甲-]{+"), "{diff}");
    assert!(diff.contains("[-乙-]{+"), "{diff}");
    assert!(
        diff.contains('…'),
        "the long equal run between is cut: {diff}"
    );
}
