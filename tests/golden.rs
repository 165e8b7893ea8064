//! Extraction compared with the golden truth of every fixture, field by
//! field, with a readable diff on a mismatch.

use std::path::{Path, PathBuf};

use serde_json::Value;
use shenbao::out::check;
use shenbao::{Extractor, Record};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn content(rec: &Record) -> Value {
    let mut v = serde_json::to_value(rec).unwrap();
    let m = v.as_object_mut().unwrap();
    for k in ["source", "warnings", "provenance"] {
        m.remove(k);
    }
    v
}

fn extract(name: &str) -> Vec<Record> {
    let ex = Extractor::builtin().unwrap();
    let path = root().join("fixtures").join(name);
    ex.extract_file(&path)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn golden(stem: &str) -> Vec<Value> {
    let p = root().join("golden").join(format!("{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn pdf_fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "pdf").then(|| p.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_pdf_fixture_matches_its_golden_file() {
    let names = pdf_fixtures();
    assert!(
        names.len() >= 25,
        "expected the fixture set, found {}",
        names.len()
    );
    let mut reports = Vec::new();
    for name in &names {
        let stem = Path::new(name)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let got: Vec<Value> = extract(name).iter().map(content).collect();
        reports.push((
            stem.clone(),
            check::compare_forms(&check::Fields::builtin(), &golden(&stem), &got),
        ));
    }
    if !check::all_right(&reports) {
        panic!(
            "{}\n{}",
            check::render_table(&check::Fields::builtin(), &reports),
            check::render_diffs(&reports)
        );
    }
}

fn codes(r: &Record) -> Vec<&str> {
    r.warnings.iter().map(|w| w.code.as_str()).collect()
}

#[test]
fn date_typo_201912_31_is_repaired_with_a_warning() {
    let recs = extract("sample-2019-dsjzx-3.pdf");
    assert_eq!(recs[0].text("end_date"), Some("2019-12-31"));
    assert!(
        recs[0]
            .warnings
            .iter()
            .any(|w| w.field == "end_date" && w.code == "date_repaired"),
        "{:?}",
        recs[0].warnings
    );
}

#[test]
fn option_without_box_glyph_reads_as_unticked() {
    // Form 3 prints 其他一次性项目 and 政府购买服务 with no box at all.
    let r = &extract("sample-2019-dsjzx-3.pdf")[0];
    assert_eq!(r.text("project_type"), Some("经常性专项业务费"));
    assert_eq!(r.text("fund_use"), Some("其他事业专业类"));
}

#[test]
fn funding_row_printed_on_the_next_page_is_stitched_to_its_table() {
    let r = &extract("sample-2019-dsjzx-2.pdf")[0];
    assert_eq!(r.funding("funding_components").len(), 8);
    assert!(
        !codes(r).contains(&"funding_sum_mismatch"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn empty_prior_year_cells_are_null_without_warning() {
    let r = &extract("sample-2019-dsjzx-2.pdf")[0];
    assert_eq!(r.money("prior_year_budget"), None);
    assert_eq!(r.money("prior_year_spent"), None);
    assert!(
        !r.warnings.iter().any(|w| w.field.starts_with("prior_year")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn every_record_carries_source_and_provenance() {
    let recs = extract("sample-2019-dsjzx-1.pdf");
    let r = &recs[0];
    assert_eq!(r.source.form_index, 0);
    assert_eq!(r.source.sha256.len(), 64);
    assert!(!r.source.pages.is_empty());
    for f in [
        "project_name",
        "total_budget",
        "overview",
        "indicators[0]",
        "funding_components[0]",
    ] {
        assert!(r.provenance.contains_key(f), "no provenance for {f}");
    }
}

fn text_dump(name: &str) -> Vec<Record> {
    let ex = Extractor::builtin().unwrap();
    let path = root().join("fixtures/text").join(name);
    ex.extract_file(&path)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn text_dump_of_the_three_sample_forms_matches_the_golden_file() {
    let recs = text_dump("2019-dsjzx-forms-1-3.txt");
    let got: Vec<Value> = recs.iter().map(content).collect();
    let stem = "2019-dsjzx-forms-1-3";
    let reports = vec![(
        stem.to_string(),
        check::compare_forms(&check::Fields::builtin(), &golden(stem), &got),
    )];
    if !check::all_right(&reports) {
        panic!(
            "{}\n{}",
            check::render_table(&check::Fields::builtin(), &reports),
            check::render_diffs(&reports)
        );
    }
    // Provenance is in lines; the typo is repaired with a warning.
    assert!(matches!(
        recs[0].provenance.get("total_budget"),
        Some(shenbao::record::Location::Text { line: 34, .. })
    ));
    assert!(codes(&recs[2]).contains(&"date_repaired"));
    assert_eq!(recs[1].source.form_index, 1);
}

#[test]
fn text_dump_with_form_feeds_and_crlf_reads_the_same() {
    let path = root().join("fixtures/text/2019-dsjzx-forms-1-3.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let variant = text.replace("\n\n\n\n", "\n\u{c}").replace('\n', "\r\n");
    let ex = Extractor::builtin().unwrap();
    let a: Vec<Value> = ex
        .extract_bytes(&path, text.as_bytes())
        .unwrap()
        .iter()
        .map(content)
        .collect();
    let b: Vec<Value> = ex
        .extract_bytes(&path, variant.as_bytes())
        .unwrap()
        .iter()
        .map(content)
        .collect();
    assert_eq!(a, b);
}

#[test]
fn text_dump_without_paragraph_indents_reads_the_same() {
    let path = root().join("fixtures/text/2019-dsjzx-forms-1-3.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let flat: String = text
        .lines()
        .map(|l| l.trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    let ex = Extractor::builtin().unwrap();
    let got: Vec<Value> = ex
        .extract_bytes(&path, flat.as_bytes())
        .unwrap()
        .iter()
        .map(content)
        .collect();
    let stem = "2019-dsjzx-forms-1-3";
    let reports = vec![(
        stem.to_string(),
        check::compare_forms(&check::Fields::builtin(), &golden(stem), &got),
    )];
    assert!(
        check::all_right(&reports),
        "{}",
        check::render_diffs(&reports)
    );
}
