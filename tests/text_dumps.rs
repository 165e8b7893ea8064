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
