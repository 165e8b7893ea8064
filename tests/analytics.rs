//! Records and exports as analytics tools read them: the same form read
//! from a PDF, its scan and a text dump counts once in `forms_latest`
//! (copies whose key fields carry a warning are kept apart, unkeyed);
//! DuckDB gives amounts a non-integer type and keeps them exact to the fen
//! (inferred, and as `sql/duckdb.sql` declares them); every record is valid
//! against `shenbao schema` (`tests/analytics/check.py`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rusqlite::Connection;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One form (`2019-dsjzx` form 1) is here as a PDF alone, inside a
/// three-form PDF, as its scan, and as two text dumps.
const INPUTS: &[&str] = &[
    "fixtures/2019-dsjzx-forms-1-3.pdf",
    "fixtures/sample-2019-dsjzx-1.pdf",
    "fixtures/synth-09.pdf",
    "fixtures/synth-10.pdf",
    "fixtures/synth-22.pdf",
    "fixtures/text/2019-dsjzx-forms-1-3.txt",
    "fixtures/scanned/sample-2019-dsjzx-1-scan.pdf",
    "fixtures/dumps/tuning/pdftotext/2019-dsjzx-forms-1-3.txt",
    "fixtures/dumps/tuning/pdftotext/synth-09.txt",
    "fixtures/national/tuning/nf-02-docx.pdf",
];

/// The golden file of an input.
fn golden_of(input: &str) -> PathBuf {
    let stem = Path::new(input).file_stem().unwrap().to_str().unwrap();
    let dir = if input.starts_with("fixtures/dumps/") {
        "golden/dumps"
    } else if input.starts_with("fixtures/national/") {
        "golden/national"
    } else {
        "golden"
    };
    root().join(dir).join(format!("{stem}.json"))
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(args)
        .env("TMPDIR", dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "shenbao {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The inputs ingested, exported (CSV and JSONL into one folder) and
/// extracted once for every test here.
struct Built {
    _dir: tempfile::TempDir,
    db: PathBuf,
    export: PathBuf,
    records: PathBuf,
    schema: PathBuf,
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let (db, export, records, schema) = (
            p("store.sqlite"),
            p("export"),
            p("records.jsonl"),
            p("schema.json"),
        );
        let s = |p: &PathBuf| p.to_str().unwrap().to_string();
        let mut ingest = vec!["ingest".to_string(), "--db".into(), s(&db)];
        ingest.extend(INPUTS.iter().map(|x| x.to_string()));
        let ingest: Vec<&str> = ingest.iter().map(String::as_str).collect();
        run(&ingest, dir.path());
        for f in ["csv", "jsonl", "parquet"] {
            run(
                &[
                    "export",
                    "--db",
                    &s(&db),
                    "--format",
                    f,
                    "--out",
                    &s(&export),
                ],
                dir.path(),
            );
        }
        let mut extract = vec!["extract", "-o", records.to_str().unwrap()];
        extract.extend(INPUTS);
        run(&extract, dir.path());
        std::fs::write(&schema, run(&["schema"], dir.path()).stdout).unwrap();
        Built {
            _dir: dir,
            db,
            export,
            records,
            schema,
        }
    })
}

/// The golden records of every input (a form in several inputs is here
/// several times).
fn golden_records() -> Vec<Value> {
    INPUTS
        .iter()
        .flat_map(|i| {
            let text = std::fs::read_to_string(golden_of(i)).unwrap();
            serde_json::from_str::<Vec<Value>>(&text).unwrap()
        })
        .collect()
}

/// The truth: distinct forms (unit, year, project name, normalized as
/// `form_key` documents) per unit and year, from the golden files.
fn forms_per_unit_year() -> BTreeMap<(String, i64), usize> {
    let mut keys: BTreeMap<(String, i64), BTreeSet<String>> = BTreeMap::new();
    for r in golden_records() {
        let unit = r["unit"].as_str().unwrap().to_string();
        let year = r["year"].as_i64().unwrap();
        let name = shenbao::template::normalize_key_part(r["project_name"].as_str().unwrap());
        keys.entry((unit, year)).or_default().insert(name);
    }
    keys.into_iter().map(|(k, v)| (k, v.len())).collect()
}

#[test]
fn one_form_read_from_a_pdf_its_scan_and_dumps_counts_once_in_forms_latest() {
    let b = built();
    let c = Connection::open(&b.db).unwrap();
    let mut st = c
        .prepare("SELECT unit, year, count(*) FROM forms_latest GROUP BY 1, 2 ORDER BY 1, 2")
        .unwrap();
    let got: BTreeMap<(String, i64), usize> = st
        .query_map([], |r| {
            Ok(((r.get(0)?, r.get(1)?), r.get::<_, i64>(2)? as usize))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, forms_per_unit_year());
    let all: i64 = c
        .query_row("SELECT count(*) FROM forms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(all as usize, golden_records().len(), "every copy is stored");
    // the form read five times: a text layer wins; the copies whose key
    // fields were read without doubt share its key, the others (a warning
    // on unit, year or project name) are kept out of the count
    let copies: Vec<(String, i64)> = c
        .prepare(
            "SELECT c.source_kind, c.copies FROM form_copies c JOIN forms f USING (form_id) \
             WHERE c.form_key = '上海市大数据中心|市政务外网通信服务费(运维)' AND f.year = 2019 \
             ORDER BY c.copy_rank",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(copies[0].0, "text_layer");
    assert!(copies.len() >= 2 && copies.iter().all(|c| c.1 == copies.len() as i64));
    let unkeyed_without_doubt: i64 = c
        .query_row(
            "SELECT count(*) FROM forms_unkeyed f WHERE unit IS NOT NULL AND year IS NOT NULL \
             AND project_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM warnings w \
             WHERE w.form_id = f.form_id AND w.field IN ('unit', 'year', 'project_name'))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unkeyed_without_doubt, 0, "only doubtful keys are dropped");
}

#[test]
fn records_and_exports_load_in_duckdb_with_exact_types_and_validate_against_the_schema() {
    let python_ok = Command::new("python3")
        .args(["-c", "import duckdb, jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !python_ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with duckdb and jsonschema is missing (scripts/setup.sh installs them)"
        );
        eprintln!("skipped: python3 with duckdb and jsonschema is missing");
        return;
    }
    let b = built();
    let truth = serde_json::json!({
        "fen_exact": ["fixtures/synth-09.pdf", 0, "机房托管费", "11154000.37"],
        "forms_per_unit_year": forms_per_unit_year()
            .into_iter()
            .map(|((u, y), n)| serde_json::json!([u, y, n]))
            .collect::<Vec<_>>(),
    });
    let truth_path = b.export.join("truth.json");
    std::fs::write(&truth_path, truth.to_string()).unwrap();
    let o = Command::new("python3")
        .current_dir(root())
        .arg("tests/analytics/check.py")
        .args([&b.export, &b.schema, &truth_path, &b.records])
        .arg(b.export.join("records.jsonl"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains(" records validated, 0 failures"), "{out}");
}

#[test]
fn the_committed_duckdb_views_are_those_of_the_built_in_templates() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["schema", "--duckdb"], dir.path());
    let committed = std::fs::read_to_string(root().join("sql/duckdb.sql")).unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout) == committed,
        "sql/duckdb.sql is stale: write it with `shenbao schema --duckdb > sql/duckdb.sql`"
    );
}
