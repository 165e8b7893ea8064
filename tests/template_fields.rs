//! The field registry: a field or an option added to a copy of the
//! template reaches the record, the store's columns and exports, the JSON
//! Schema and `check`, with no code changed.

use std::path::Path;

use shenbao::assemble::fields_to_record;
use shenbao::geom::BBox;
use shenbao::layout::{CellRef, PageLayout, TableCells, TextLine};
use shenbao::out::check;
use shenbao::out::store::{ExportOptions, FileRow, Format, Status, Store, export};
use shenbao::place::map::pages_to_fields;
use shenbao::record::{Source, record_schema};
use shenbao::settings::{ConfidenceSettings, LayoutSettings};
use shenbao::template::{DEFAULT_TEMPLATE, Template, Templates};

/// The built-in template with a new line field `contact_person`
/// (项目负责人) after `project_name`, and a new option of `project_type`.
fn extended() -> Template {
    let text = DEFAULT_TEMPLATE
        .replacen(
            "[[fields]]\nkey = \"project_type\"",
            "[[fields]]\nkey = \"contact_person\"\nlabels = [\"项目负责人\"]\nshape = \"line\"\n\n\
             [[fields]]\nkey = \"project_type\"",
            1,
        )
        .replacen(
            "\"其他经常性项目\"]",
            "\"其他经常性项目\", \"试点项目\"]",
            1,
        );
    assert_ne!(text, *DEFAULT_TEMPLATE);
    Template::parse(&text, Path::new("extended.toml")).unwrap()
}

fn cell(row: usize, col: usize, text: &str) -> CellRef {
    let (x0, top) = (col as f64 * 200.0, row as f64 * 20.0);
    CellRef {
        page: 1,
        bbox: BBox::new(x0, top, x0 + 200.0, top + 20.0),
        row,
        col,
        row_span: 1,
        col_span: 1,
        lines: vec![TextLine {
            text: text.to_string(),
            bbox: BBox::new(x0 + 2.0, top + 2.0, x0 + 100.0, top + 12.0),
            starts_paragraph: true,
        }],
        cut_top: false,
        cut_bottom: false,
        cut_doubt: false,
    }
}

/// A one-page form holding three labelled rows.
fn page() -> PageLayout {
    let rows = [
        ("项目名称", "市政务外网运维"),
        ("项目负责人", "张三"),
        ("项目类型", "结转项目□试点项目■"),
    ];
    let cells = rows
        .iter()
        .enumerate()
        .flat_map(|(r, (label, value))| [cell(r, 0, label), cell(r, 1, value)])
        .collect();
    PageLayout {
        page: 1,
        tables: vec![TableCells {
            page: 1,
            bbox: BBox::new(0.0, 0.0, 400.0, 60.0),
            cells,
        }],
        free_lines: Vec::new(),
        ocr: None,
    }
}

fn record_json(t: &Template) -> serde_json::Value {
    serde_json::to_value(record(t)).unwrap()
}

fn record(t: &Template) -> shenbao::Record {
    let f = pages_to_fields(&[page()], t, &LayoutSettings::default());
    let source = Source::new(Path::new("extended.pdf"), &"0".repeat(64), 0, &[1]);
    fields_to_record(&f, t, source, &ConfidenceSettings::default())
}

#[test]
fn a_field_added_to_the_template_is_read_into_the_record_in_its_place() {
    let v = record_json(&extended());
    assert_eq!(v["contact_person"], "张三");
    // in the written JSON, between the fields it was put between
    let text = serde_json::to_string(&record(&extended())).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    assert!(at("project_name") < at("contact_person"));
    assert!(at("contact_person") < at("project_type"));
    // the built-in template has no such field: the label is a stray cell
    let v = record_json(&Template::builtin().unwrap());
    assert!(v.get("contact_person").is_none());
}

#[test]
fn an_option_added_to_the_template_is_read_and_allowed_by_the_schema() {
    let t = extended();
    assert_eq!(record_json(&t)["project_type"], "试点项目");
    let schema = record_schema(&t);
    let allowed = &schema["properties"]["project_type"]["enum"];
    assert!(allowed.as_array().unwrap().contains(&"试点项目".into()));
    assert_eq!(schema["properties"]["contact_person"]["type"][0], "string");
}

#[test]
fn a_field_added_to_the_template_is_a_store_column_and_is_exported() {
    let t = extended();
    let r = record(&t);
    let dir = tempfile::tempdir().unwrap();
    let set = Templates::one(t.clone());
    let mut store = Store::open(&dir.path().join("s.sqlite"), &set).unwrap();
    let row = FileRow {
        path: "extended.pdf".into(),
        sha256: "0".repeat(64),
        size: 1,
        pages: Some(1),
        status: Status::Ok,
        error_code: None,
        error: None,
        extractor_version: "test".into(),
        elapsed_ms: 0,
        ingested_at: 0,
    };
    store.put_file(&row, std::slice::from_ref(&r)).unwrap();
    assert_eq!(store.records_of("extended.pdf").unwrap(), vec![r]);
    let out = dir.path().join("csv");
    let opts = ExportOptions {
        format: Format::Csv,
        timings: false,
    };
    export(&store, &out, opts).unwrap();
    let mut forms = csv::Reader::from_path(out.join("forms.csv")).unwrap();
    let header = forms.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "contact_person").unwrap();
    let first = forms.records().next().unwrap().unwrap();
    assert_eq!(&first[col], "张三");
}

#[test]
fn check_compares_a_field_added_to_the_template() {
    let t = extended();
    let fields = check::Fields::of(&t);
    assert!(fields.names().any(|n| n == "contact_person"));
    let got = record_json(&t);
    let mut golden = got.clone();
    golden["contact_person"] = "李四".into();
    let c = check::compare_forms(&fields, &[golden], &[got]);
    let wrong: Vec<&str> = c.wrong().map(|(_, r)| r.field.as_str()).collect();
    assert_eq!(wrong, ["contact_person"]);
}
