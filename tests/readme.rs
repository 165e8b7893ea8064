//! The README and docs/ say what the commands do: the example record is
//! what `extract` writes for the file it names, the failure codes listed
//! are the ones the library has, and the example commands and queries of
//! docs/store.md run as written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use shenbao::Error;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// The fenced blocks of `lang` in `text`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    text.split(&fence)
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap().to_string())
        .collect()
}

#[test]
fn readme_example_record_is_what_extract_writes_for_its_file() {
    let readme = read("README.md");
    let section = readme.split("## A record").nth(1).unwrap();
    let block = &blocks(section, "json")[0];
    let file = "fixtures/synth-04.pdf";
    assert!(block.contains(&format!("\"file\": \"{file}\"")));
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(["extract", "-q", file])
        .output()
        .unwrap();
    assert!(out.status.success());
    let got: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    // every top-level `"key": value,` line whose value is shown whole
    let mut checked = 0;
    for line in block
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.contains('…'))
    {
        let (key, value) = line.trim().trim_end_matches(',').split_once(": ").unwrap();
        let key: String = serde_json::from_str(key).unwrap();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(value) else {
            continue; // an object or list opened on this line
        };
        assert_eq!(got[&key], value, "README's {key}");
        checked += 1;
    }
    assert!(checked >= 15, "{checked} values checked");
    let first_row = &got["indicators"][0];
    assert!(block.contains(&first_row["level3"].as_str().unwrap().to_string()));
}

/// Whether a failure of this kind is a file's (stored with its code).
fn per_file(e: &Error) -> bool {
    match e {
        Error::Template { .. } | Error::Reported { .. } => false,
        Error::Io { .. }
        | Error::Empty { .. }
        | Error::NotPdf { .. }
        | Error::Damaged { .. }
        | Error::Encrypted { .. }
        | Error::Page { .. }
        | Error::NoTextLayer { .. }
        | Error::OcrUnavailable { .. }
        | Error::Ocr { .. }
        | Error::NoForm { .. }
        | Error::Timeout { .. }
        | Error::TooManyPages { .. }
        | Error::TooComplex { .. }
        | Error::Internal { .. } => true,
    }
}

/// One error of each kind.
fn every_kind() -> Vec<Error> {
    let file = PathBuf::from("f.pdf");
    let reason = String::new();
    vec![
        Error::Io {
            file: file.clone(),
            source: std::io::Error::other("x"),
        },
        Error::Empty { file: file.clone() },
        Error::NotPdf { file: file.clone() },
        Error::Damaged {
            file: file.clone(),
            reason: reason.clone(),
        },
        Error::Encrypted { file: file.clone() },
        Error::Page {
            file: file.clone(),
            page: 1,
            reason: reason.clone(),
        },
        Error::NoTextLayer { file: file.clone() },
        Error::OcrUnavailable {
            file: file.clone(),
            reason: reason.clone(),
        },
        Error::Ocr {
            file: file.clone(),
            reason: reason.clone(),
        },
        Error::NoForm { file: file.clone() },
        Error::Timeout {
            file: file.clone(),
            seconds: 1.0,
        },
        Error::TooManyPages {
            file: file.clone(),
            pages: 2,
            limit: 1,
        },
        Error::TooComplex {
            file: file.clone(),
            budget: reason.clone(),
        },
        Error::Internal {
            file: file.clone(),
            reason: reason.clone(),
        },
        Error::Template { file, reason },
    ]
}

#[test]
fn failure_codes_in_readme_and_store_docs_are_the_librarys() {
    let codes: BTreeSet<String> = every_kind()
        .iter()
        .filter(|e| per_file(e))
        .map(|e| e.code().to_string())
        .collect();
    let store = read("docs/store.md");
    let table: BTreeSet<String> = store
        .lines()
        .skip_while(|l| !l.starts_with("| `error_code` |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(table, codes, "docs/store.md's error_code table");
    let readme = read("README.md");
    let sentence = readme.split("Failure codes").nth(1).unwrap();
    let sentence = sentence.split("Exit").next().unwrap();
    let listed: BTreeSet<String> = sentence
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| codes.contains(*c))
        .map(String::from)
        .collect();
    assert_eq!(listed, codes, "README's failure codes");
}

fn python_with_duckdb() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "python3 with duckdb is missing (scripts/setup.sh installs it)"
    );
    ok
}

#[test]
fn store_docs_example_commands_and_queries_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("archive")).unwrap();
    std::fs::create_dir_all(d.join("sql")).unwrap();
    std::fs::copy(root().join("sql/duckdb.sql"), d.join("sql/duckdb.sql")).unwrap();
    for f in [
        "synth-09.pdf",
        "sample-2019-dsjzx-1.pdf",
        "text/2019-dsjzx-forms-1-3.txt",
    ] {
        let name = Path::new(f).file_name().unwrap();
        std::fs::copy(
            root().join("fixtures").join(f),
            d.join("archive").join(name),
        )
        .unwrap();
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_shenbao")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let store = read("docs/store.md");
    let sh = &blocks(&store, "sh")[0];
    for line in sh.lines() {
        let cmd = line.split(" # ").next().unwrap().trim();
        let out = Command::new("sh")
            .args(["-c", cmd])
            .current_dir(d)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for f in [
        "tables/forms.csv",
        "tables/records.jsonl",
        "record.schema.json",
        "all.sqlite",
    ] {
        assert!(d.join(f).exists(), "{f}");
    }
    if !python_with_duckdb() {
        return;
    }
    let sql = &blocks(&store, "sql")[0];
    std::fs::write(d.join("example.sql"), sql).unwrap();
    let out = Command::new("python3")
        .arg(root().join("tests/analytics/run_sql.py"))
        .arg("example.sql")
        .current_dir(d)
        .output()
        .unwrap();
    let rows = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{rows}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 3 files, 5 forms: the sample PDF's form and its copy in the 3-form
    // dump count once; the dump's other two forms have a project name
    // placed by inference (warned), so no key, and are not counted
    assert!(
        rows.contains("上海市大数据中心\t2019\t1\t42429660.00"),
        "{rows}"
    );
    assert!(rows.contains("上海市社区服务中心\t2021\t1\t"), "{rows}");
}

#[test]
fn library_example_reads_a_form() {
    // built by `cargo test` with the default features; the same source
    // builds without them (`cargo build --no-default-features --examples`,
    // in .ci/run)
    let exe = Path::new(env!("CARGO_BIN_EXE_shenbao"))
        .parent()
        .unwrap()
        .join("examples/extract_one");
    if !exe.exists() {
        // `cargo test` builds the examples; `cargo test --test readme` alone does not
        assert!(
            std::env::var_os("CI").is_none(),
            "{} not built",
            exe.display()
        );
        return;
    }
    let out = Command::new(exe)
        .arg(root().join("fixtures/synth-09.pdf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("社区事务受理平台建设经费 (上海市社区服务中心)"),
        "{text}"
    );
}
