//! Text dumps by other extractors (fixtures/dumps, scripts/make_dumps.py):
//! what the text path cannot place for certain it says.

use std::path::PathBuf;

use shenbao::{Extractor, Record};

fn extract(rel: &str) -> Vec<Record> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    Extractor::builtin()
        .unwrap()
        .extract_file(&path)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_text_placed_by_form_order_rather_than_beside_its_label_is_warned() {
    // pdfminer's layout analysis prints this form's goals apart from their
    // labels; the overall goal then goes by form order, with a warning.
    let r = &extract("fixtures/dumps/tuning/pdfminer/synth-02.txt")[0];
    let w: Vec<&str> = r
        .warnings
        .iter()
        .filter(|w| w.field == "overall_goal")
        .map(|w| w.code.as_str())
        .collect();
    assert!(w.contains(&"inferred_value"), "{:?}", r.warnings);
}

#[test]
fn an_optional_field_lost_in_a_dump_is_warned() {
    // Whatever a dump lets the text path place, an optional field left
    // null carries a warning (a dump loses what a printed form keeps).
    let recs = extract("fixtures/dumps/tuning/pdftotext-layout/synth-01.txt");
    for r in &recs {
        for k in ["prior_year_budget", "prior_year_spent", "remarks"] {
            let null = r.get(k).is_none_or(|v| v.is_empty());
            let warned = r.warnings.iter().any(|w| w.field == k);
            assert!(
                !null || warned,
                "{k} null without a warning: {:?}",
                r.warnings
            );
        }
    }
}

/// Silent fields (wrong with no warning) over every tuning dump of one
/// extractor.
fn silent(extractor: &str) -> usize {
    use shenbao::out::check;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fixtures/dumps/tuning").join(extractor);
    let fields = check::Fields::builtin();
    let ex = Extractor::builtin().unwrap();
    let mut silent = 0;
    for path in shenbao::collect_inputs(&[dir]) {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let golden =
            std::fs::read_to_string(root.join(format!("golden/dumps/{stem}.json"))).unwrap();
        let golden = check::parse_records(&golden).unwrap();
        let got: Vec<serde_json::Value> = match ex.extract_file(&path) {
            Ok(recs) => recs
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        };
        let mut c = check::compare_forms(&fields, &golden, &got);
        if got.is_empty() {
            c.mark_failed();
        }
        silent += c.silent();
    }
    silent
}

#[test]
fn no_tuning_dump_of_any_extractor_has_a_silent_field() {
    // Right or warned: every extractor's dumps lose some of the layout
    // (columns of labels, cells out of order, pages as one line), and what
    // the text path cannot place for certain it says. The validation dumps
    // are measured by scripts/check_dumps.sh, not pinned here.
    for ex in [
        "pdftotext",
        "pdftotext-raw",
        "pdftotext-layout",
        "pdfminer",
        "pdfminer-nolayout",
        "pdfminer-margins",
        "pymupdf",
        "pymupdf-sorted",
        "pdfplumber",
        "shuffled-pdftotext-raw",
        "shuffled-pdfminer-nolayout",
        "shuffled-pymupdf",
    ] {
        assert_eq!(silent(ex), 0, "{ex}");
    }
}

#[test]
fn funding_rows_whose_total_was_not_read_are_warned_unchecked() {
    // The current-year budget the funding rows sum to is lost in this
    // dump: a lost row would go unseen, so the rows are warned unchecked.
    let r = &extract("fixtures/dumps/tuning/pdfminer-margins/synth-05.txt")[0];
    assert!(r.money("current_year_budget").is_none());
    assert!(!r.funding("funding_components").is_empty());
    let codes: Vec<&str> = r
        .warnings
        .iter()
        .filter(|w| w.field == "funding_components")
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["unchecked"]);
}

#[test]
fn the_head_of_a_wrapped_label_taken_for_a_value_is_warned() {
    // pdftotext breaks 保证项目实施的制度、措施 after 保证项目实, and that
    // piece can land where the project name should be: right, or warned.
    let r = &extract("fixtures/dumps/tuning/pdftotext/pf-01-docx.txt")[0];
    let right = r.text("project_name") == Some("智慧交通信息平台运行保障经费");
    let warned = r
        .warnings
        .iter()
        .any(|w| w.field == "project_name" && w.code == "value_is_label");
    assert!(
        right || warned,
        "{:?} {:?}",
        r.text("project_name"),
        r.warnings
    );
}

#[test]
fn a_dump_holding_only_page_breaks_fails_as_empty() {
    // pdftotext writes two form feeds for a GBK-encoded fixture it cannot
    // read: an empty file, not "neither a PDF nor a dump".
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dumps/tuning/pdftotext/gbk-01.txt");
    let err = Extractor::builtin()
        .unwrap()
        .extract_file(&path)
        .unwrap_err();
    assert_eq!(err.code(), "empty", "{err}");
}
