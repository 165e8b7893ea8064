//! The Spark job (`scripts/spark/shenbao_spark.py`) with `local[2]` on
//! `fixtures/` (less `degraded/`, whose 92 scans are minutes of OCR):
//! its Parquet tables equal `shenbao export --format parquet` of the
//! same files row for row, a task that fails once and is retried adds no
//! row (`tests/spark/compare.py`). Needs PySpark and Java
//! (`scripts/setup.sh` installs them).

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pyspark() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyspark"])
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("java")
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "PySpark or Java is missing (scripts/setup.sh installs them)"
    );
    ok
}

/// Every entry of `fixtures/` but `degraded/` (and the README).
fn inputs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "degraded" && n != "README.md")
        .map(|n| format!("fixtures/{n}"))
        .collect();
    v.sort();
    v
}

#[test]
fn spark_tables_equal_the_export_row_for_row_with_a_retried_task() {
    if !pyspark() {
        eprintln!("skipped: PySpark or Java is missing");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let o = Command::new("python3")
        .current_dir(root())
        .arg("tests/spark/compare.py")
        .arg(env!("CARGO_BIN_EXE_shenbao"))
        .arg(work.path())
        .args(inputs())
        .env("TMPDIR", work.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    let tail: String = err
        .chars()
        .rev()
        .take(3000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(o.status.success(), "{out}\n{tail}");
    assert!(out.contains("; 0 failures"), "{out}");
    eprintln!("{}", out.trim());
}
