//! Projects linked across years: `fixtures/years/` holds two projects,
//! each declared in 2019 and 2020 (`scripts/make_years.py`); one 2020 form
//! declares as its prior-year budget what its 2019 form budgeted, the
//! other 500,000.00 yuan more. `project_years` (the store's view, and the
//! exported table) lists exactly that one mismatch, with both sources.

use std::path::PathBuf;
use std::process::Command;

use rusqlite::Connection;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shenbao(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// path, year, last_path, prior_budget_matches, mismatch
type Row = (String, i64, Option<String>, Option<i64>, i64);

#[test]
fn project_years_lists_exactly_the_planted_mismatch_with_both_sources() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("years.sqlite");
    let db = db.to_str().unwrap();
    // every field as its truth says
    shenbao(&["check", "--golden", "golden/years", "fixtures/years"]);
    shenbao(&["ingest", "fixtures/years", "--db", db, "-q"]);
    let c = Connection::open(db).unwrap();
    // one key per project: the quotes of 2019 and 2020 differ in print
    let keys: i64 = c
        .query_row("SELECT count(DISTINCT form_key) FROM forms", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(keys, 2);
    let rows: Vec<Row> = c
        .prepare(
            "SELECT path, year, last_path, prior_budget_matches, mismatch \
             FROM project_years ORDER BY path",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let y = |n: &str| format!("fixtures/years/years-{n}.pdf");
    assert_eq!(
        rows,
        vec![
            (y("a-2019"), 2019, None, None, 0),
            (y("a-2020"), 2020, Some(y("a-2019")), Some(1), 0),
            (y("b-2019"), 2019, None, None, 0),
            (y("b-2020"), 2020, Some(y("b-2019")), Some(0), 1),
        ]
    );
    let mismatches: Vec<(String, String, f64, f64)> = c
        .prepare(
            "SELECT path, last_path, prior_year_budget, last_current_year_budget \
             FROM project_year_mismatches",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(mismatches.len(), 1);
    let (path, last, declared, budgeted) = &mismatches[0];
    assert_eq!((path, last), (&y("b-2020"), &y("b-2019")));
    assert_eq!(declared - budgeted, 500_000.0);

    // the export's table says the same
    let out = dir.path().join("tables");
    shenbao(&["export", "--db", db, "--out", out.to_str().unwrap()]);
    let csv = std::fs::read_to_string(out.join("project_years.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let flagged: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[col("mismatch")] == "true")
        .collect();
    assert_eq!(flagged.len(), 1, "{csv}");
    assert_eq!(flagged[0][col("path")], y("b-2020"));
    assert_eq!(flagged[0][col("last_path")], y("b-2019"));
    assert_eq!(flagged[0][col("prior_budget_matches")], "false");
    assert_eq!(flagged[0][col("spent_within_budget")], "true");
}
