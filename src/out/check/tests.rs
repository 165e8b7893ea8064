use super::render::{clip, width};
use super::*;
use serde_json::json;

fn form() -> Value {
    json!({
        "title": "上海市财政支出项目绩效目标申报表",
        "year": 2019,
        "unit": "上海市大数据中心",
        "project_name": "市政务外网通信服务费（运维）",
        "project_type": "经常性专项业务费",
        "fund_use": "信息化建设类",
        "start_date": "2019-01-01",
        "end_date": "2019-12-31",
        "overview": "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求建设的。\n上海市政务外网对应国家政务外网。",
        "basis": "根据《国家信息化领导小组关于我国电子政务建设的指导意见》的要求。",
        "necessity": "建设上海市政务外网。",
        "safeguards": "项目实施制度规范包括：《上海市政务外网日常运行管理办法》。",
        "total_budget": 42429660.0,
        "current_year_budget": 42429660.0,
        "prior_year_budget": 44862660.0,
        "prior_year_spent": 44640200.0,
        "funding_components": [{"name": "市政务外网通信服务费", "amount": 42429660.0}],
        "implementation_plan": "根据需要落实市政务外网网络接入建设。",
        "overall_goal": "确保政务外网安全、稳定、高效运行。",
        "annual_goal": "及时完成市政务外网年度网络接入建设。",
        "indicators": [
            {"level1": "产出目标", "level2": "数量目标", "level3": "完成率", "target": "100%",
             "target_parsed": {"op": "=", "value": 100.0, "unit": "%"}},
            {"level1": "产出目标", "level2": "质量目标", "level3": "网络链路达标率", "target": "100%",
             "target_parsed": {"op": "=", "value": 100.0, "unit": "%"}},
            {"level1": "效果目标", "level2": "满意度", "level3": "社会满意度", "target": "≥90%",
             "target_parsed": {"op": "≥", "value": 90.0, "unit": "%"}}
        ],
        "remarks": null
    })
}

fn wrong_fields(c: &FileComparison) -> Vec<&str> {
    c.wrong().map(|(_, r)| r.field.as_str()).collect()
}

#[test]
fn matching_pair_is_all_right() {
    let c = compare_forms(&Fields::builtin(), &[form()], &[form()]);
    assert!(c.all_right());
    assert_eq!(c.total(), Fields::builtin().len());
    assert_eq!(c.right(), Fields::builtin().len());
    assert!(all_right(&[("a".to_string(), c.clone())]));
    assert!(render_diffs(&[("a".to_string(), c)]).is_empty());
}

#[test]
fn extraction_extra_keys_are_ignored() {
    let mut got = form();
    got["source"] = json!({"file": "a.pdf", "sha256": "00", "form_index": 0, "pages": [1, 2]});
    got["warnings"] = json!([]);
    assert!(compare_forms(&Fields::builtin(), &[form()], &[got]).all_right());
}

#[test]
fn scalar_mismatch_is_wrong_with_expected_got() {
    let mut got = form();
    got["start_date"] = json!("2019-01-02");
    got["year"] = Value::Null;
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(wrong_fields(&c), vec!["year", "start_date"]);
    let d = render_diffs(&[("f".to_string(), c)]);
    assert!(
        d.contains(r#"start_date (SILENT): expected "2019-01-01", got "2019-01-02""#),
        "{d}"
    );
    assert!(d.contains("year (SILENT): expected 2019, got null"), "{d}");
}

#[test]
fn amounts_compare_as_fen() {
    let mut got = form();
    got["total_budget"] = json!(42429660);
    got["current_year_budget"] = json!(42429660.001);
    assert!(compare_forms(&Fields::builtin(), &[form()], &[got.clone()]).all_right());
    got["prior_year_spent"] = json!(44640200.01);
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(wrong_fields(&c), vec!["prior_year_spent"]);
}

#[test]
fn whitespace_only_text_difference_is_right() {
    let mut got = form();
    got["overview"] = json!(
        "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求\n建设的。 上海市政务外网\u{3000}对应国家政务外网。"
    );
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert!(c.all_right());
    let r = &c.forms[0].fields[Fields::builtin()
        .names()
        .position(|f| f == "overview")
        .unwrap()];
    assert_eq!(r.similarity, Some(1.0));
}

#[test]
fn text_null_equals_only_null_or_blank() {
    let mut got = form();
    got["remarks"] = json!("  \n");
    assert!(compare_forms(&Fields::builtin(), &[form()], &[got.clone()]).all_right());
    got["remarks"] = json!("无");
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(wrong_fields(&c), vec!["remarks"]);
    assert!(
        c.wrong()
            .next()
            .unwrap()
            .1
            .diff
            .as_deref()
            .unwrap()
            .contains("expected null")
    );
}

#[test]
fn text_mismatch_shows_position_context_and_similarity() {
    let mut got = form();
    got["overview"] = json!(
        "国家电子政务外网是按照中办发〔2002〕17号文件明确规定要求建设的。\n上海市政务内网对应国家政务外网。"
    );
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(wrong_fields(&c), vec!["overview"]);
    let (_, r) = c.wrong().next().unwrap();
    let sim = r.similarity.unwrap();
    assert!(sim > 0.9 && sim < 1.0, "{sim}");
    let d = r.diff.as_deref().unwrap();
    assert!(d.contains("first difference at char 40"), "{d}");
    assert!(
        d.contains("expected: …17号文件明确规定要求建设的。上海市政务▶外网对应国家政务外网。"),
        "{d}"
    );
    assert!(
        d.contains("got:      …17号文件明确规定要求建设的。上海市政务▶内网对应国家政务外网。"),
        "{d}"
    );
    assert!(d.contains("similarity 0.9"), "{d}");
}

#[test]
fn reordered_indicator_rows_are_right() {
    let mut got = form();
    got["indicators"].as_array_mut().unwrap().reverse();
    got["funding_components"][0]["name"] = json!("市政务外网 通信服务费");
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert!(c.all_right());
    let r = &c.forms[0].fields[Fields::builtin()
        .names()
        .position(|f| f == "indicators")
        .unwrap()];
    assert_eq!(
        r.rows,
        Some(RowTally {
            matched: 3,
            expected: 3,
            got: 3
        })
    );
}

#[test]
fn missing_indicator_row_is_wrong_and_in_diff() {
    let mut got = form();
    got["indicators"].as_array_mut().unwrap().remove(1);
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(wrong_fields(&c), vec!["indicators"]);
    let d = render_diffs(&[("f".to_string(), c)]);
    assert!(d.contains("2 of 3 expected rows matched"), "{d}");
    assert!(
        d.contains("missing: 产出目标 | 质量目标 | 网络链路达标率 | 100% | {= 100.0 %}"),
        "{d}"
    );
}

#[test]
fn duplicate_rows_count_as_a_multiset() {
    let mut golden = form();
    let row = golden["indicators"][0].clone();
    golden["indicators"].as_array_mut().unwrap().push(row);
    let c = compare_forms(&Fields::builtin(), &[golden], &[form()]);
    assert_eq!(wrong_fields(&c), vec!["indicators"]);
}

#[test]
fn target_parsed_difference_is_an_extra_and_missing_row() {
    let mut got = form();
    got["indicators"][2]["target_parsed"] = Value::Null;
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    let (_, r) = c.wrong().next().unwrap();
    let d = r.diff.as_deref().unwrap();
    assert!(d.contains("1 missing, 1 extra"), "{d}");
    assert!(
        d.contains("extra:   效果目标 | 满意度 | 社会满意度 | ≥90% | null"),
        "{d}"
    );
}

#[test]
fn blank_cell_equals_null_in_rows() {
    let mut golden = form();
    golden["indicators"][0]["level2"] = Value::Null;
    let mut got = form();
    got["indicators"][0]["level2"] = json!(" ");
    assert!(compare_forms(&Fields::builtin(), &[golden], &[got]).all_right());
}

#[test]
fn null_table_equals_empty_table() {
    let mut golden = form();
    golden["funding_components"] = json!([]);
    let mut got = form();
    got["funding_components"] = Value::Null;
    assert!(compare_forms(&Fields::builtin(), &[golden], &[got]).all_right());
}

#[test]
fn form_count_mismatch_counts_every_field_wrong() {
    let c = compare_forms(&Fields::builtin(), &[form(), form()], &[form()]);
    assert!(!c.all_right());
    assert_eq!(c.total(), 2 * Fields::builtin().len());
    assert_eq!(c.right(), Fields::builtin().len());
    assert_eq!(c.forms[1].presence, FormPresence::Missing);
    let files = vec![("two".to_string(), c)];
    assert!(!all_right(&files));
    let d = render_diffs(&files);
    assert!(d.contains("form count: golden 2, extracted 1"), "{d}");
    assert!(
        d.contains("form 2 (市政务外网通信服务费（运维）): missing"),
        "{d}"
    );

    let c = compare_forms(&Fields::builtin(), &[], &[form()]);
    assert_eq!(c.forms[0].presence, FormPresence::Extra);
    assert_eq!(c.right(), 0);
    assert_eq!(c.total(), Fields::builtin().len());
}

#[test]
fn table_few_files_named_columns() {
    let mut got = form();
    got["unit"] = json!("别的单位");
    let files = vec![
        (
            "2019-dsjzx".to_string(),
            compare_forms(&Fields::builtin(), &[form(), form()], &[form(), got]),
        ),
        (
            "other".to_string(),
            compare_forms(&Fields::builtin(), &[form()], &[form()]),
        ),
    ];
    let t = render_table(&Fields::builtin(), &files);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("field"), "{t}");
    assert!(
        lines[0].contains("2019-dsjzx") && lines[0].contains("accuracy"),
        "{t}"
    );
    let unit = lines.iter().find(|l| l.starts_with("unit ")).unwrap();
    assert!(unit.contains("1/2") && unit.contains("2/3 67%"), "{t}");
    let title = lines.iter().find(|l| l.starts_with("title ")).unwrap();
    assert!(title.contains("ok") && title.contains("3/3 100%"), "{t}");
    assert_eq!(lines.len(), 1 + Fields::builtin().len() + 2 + 1, "{t}");
    let total = 3 * Fields::builtin().len();
    assert_eq!(
        *lines.last().unwrap(),
        format!(
            "overall: {}/{total} fields right ({:.1}%), 1 silent (wrong, no warning)",
            total - 1,
            100.0 * (total - 1) as f64 / total as f64
        )
    );
}

#[test]
fn wrong_field_with_a_warning_on_it_is_not_silent() {
    let mut got = form();
    got["unit"] = json!("别的单位");
    got["indicators"] = json!([]);
    got["warnings"] = json!([{"field": "indicators[2]", "code": "page_cut", "message": ""}]);
    let c = compare_forms(&Fields::builtin(), &[form()], &[got]);
    assert_eq!(c.total() - c.right(), 2);
    assert_eq!(c.silent(), 1);
    let silent: Vec<&str> = c
        .wrong()
        .filter(|(_, r)| r.silent())
        .map(|(_, r)| r.field.as_str())
        .collect();
    assert_eq!(silent, ["unit"]);
}

#[test]
fn a_warning_on_a_longer_field_name_does_not_cover_a_prefix() {
    let got = json!({"warnings": [{"field": "unit_code", "code": "x", "message": ""}]});
    assert!(!has_warning(&got, "unit"));
    assert!(has_warning(
        &json!({"warnings": [{"field": "unit", "code": "x", "message": ""}]}),
        "unit"
    ));
}

#[test]
fn fields_of_a_file_that_failed_with_its_reason_are_not_silent() {
    let mut c = compare_forms(&Fields::builtin(), &[form()], &[]);
    assert_eq!(c.silent(), Fields::builtin().len());
    c.mark_failed();
    assert_eq!(c.silent(), 0);
    assert_eq!(c.right(), 0);
}

#[test]
fn fields_of_a_missing_form_are_silent() {
    let c = compare_forms(&Fields::builtin(), &[form(), form()], &[form()]);
    assert_eq!(c.silent(), Fields::builtin().len());
}

#[test]
fn table_many_files_numbered_columns_with_legend() {
    let files: Vec<(String, FileComparison)> = (0..30)
        .map(|i| {
            let mut got = form();
            if i == 3 {
                got["end_date"] = Value::Null;
            }
            (
                format!("file-{i:02}"),
                compare_forms(&Fields::builtin(), &[form()], &[got]),
            )
        })
        .collect();
    let t = render_table(&Fields::builtin(), &files);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0].trim(), "1 1111111112 2222222223", "{t}");
    assert!(lines[1].starts_with("field "), "{t}");
    assert!(
        lines[1].ends_with("1234567890 1234567890 1234567890  accuracy"),
        "{t}"
    );
    assert!(lines.iter().all(|l| width(l) <= 80), "{t}");
    let end = lines.iter().find(|l| l.starts_with("end_date ")).unwrap();
    assert!(
        end.contains("✓✓✓✗✓✓✓✓✓✓ ✓✓") && end.ends_with("29/30 97%"),
        "{t}"
    );
    assert!(t.contains("  4  file-03: 21/22 95%, 1 silent\n"), "{t}");
    assert!(t.ends_with(&format!(
        "overall: {}/{} fields right (99.8%), 1 silent (wrong, no warning)\n",
        30 * Fields::builtin().len() - 1,
        30 * Fields::builtin().len()
    )));
}

#[test]
fn table_marks_form_count_mismatch() {
    let files = vec![(
        "short".to_string(),
        compare_forms(&Fields::builtin(), &[form(), form()], &[form()]),
    )];
    let t = render_table(&Fields::builtin(), &files);
    assert!(t.lines().next().unwrap().contains("short*"), "{t}");
    assert!(
        t.contains("short (* form count: golden 2, extracted 1)"),
        "{t}"
    );
}

#[test]
fn parse_records_array_or_jsonl() {
    let a = parse_records("[{\"a\":1},{\"a\":2}]").unwrap();
    let b = parse_records("{\"a\":1}\n\n{\"a\":2}\n").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    assert!(parse_records("{").is_err());
}

#[test]
fn golden_json_keeps_content_in_record_order() {
    let mut rec = form();
    rec["source"] = json!({"file": "a.pdf"});
    rec["warnings"] = json!([{"field": "x", "code": "y", "message": "z"}]);
    let text = to_golden_json(&Fields::builtin(), &[rec, form()]);
    let back = parse_records(&text).unwrap();
    assert_eq!(back.len(), 2);
    assert!(back[0].get("source").is_none() && back[0].get("warnings").is_none());
    assert!(compare_forms(&Fields::builtin(), &[form(), form()], &back).all_right());
    assert!(text.starts_with("[\n  {\n    \"title\": "), "{text}");
    let pos = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    assert!(pos("year") < pos("unit") && pos("funding_components") < pos("implementation_plan"));
    assert!(text.contains(
        "\n      {\"level1\": \"产出目标\", \"level2\": \"数量目标\", \"level3\": \"完成率\", \"target\": \"100%\", \"target_parsed\": {\"op\": \"=\", \"value\": 100.0, \"unit\": \"%\"}}"
    ), "{text}");
    assert_eq!(to_golden_json(&Fields::builtin(), &[]), "[]\n");
    let sparse = parse_records(&to_golden_json(
        &Fields::builtin(),
        &[json!({"title": "t"})],
    ))
    .unwrap();
    assert_eq!(sparse[0]["indicators"], json!([]));
    assert_eq!(sparse[0]["year"], Value::Null);
}

#[test]
fn clip_and_width_handle_cjk() {
    assert_eq!(width("上海ab"), 6);
    assert_eq!(clip("上海市大数据中心", 7), "上海市…");
    assert_eq!(clip("short", 7), "short");
}

#[test]
fn inline_diff_shows_every_difference_with_context() {
    let c = |s: &str| s.chars().collect::<Vec<char>>();
    let g = c("第一段落的文字在这里结束。第二段落的文字也在这里结束。");
    let x = c("第一段落的文字在那里结束。第二段落的文字也在这里结尾。");
    let d = inline_diff(&g, &x);
    assert!(d.contains("[-这-]{+那+}"), "{d}");
    assert!(d.contains("[-束-]{+尾+}"), "{d}");
    assert_eq!(inline_diff(&c("abc"), &c("abc")), "abc");
    assert_eq!(inline_diff(&c("ab"), &c("abX")), "ab{+X+}");
}
