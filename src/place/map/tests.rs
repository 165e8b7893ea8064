use super::*;
use crate::layout::TableCells;

fn cell(row: usize, col: usize, x0: f64, x1: f64, text: &str) -> CellRef {
    let top = row as f64 * 20.0;
    CellRef {
        page: 1,
        bbox: BBox::new(x0, top, x1, top + 20.0),
        row,
        col,
        row_span: 1,
        col_span: 1,
        lines: text
            .split('\n')
            .filter(|t| !t.is_empty())
            .map(|t| TextLine {
                text: t.to_string(),
                bbox: BBox::new(x0, top, x1, top + 10.0),
                starts_paragraph: false,
            })
            .collect(),
        cut_top: false,
        cut_bottom: false,
        cut_doubt: false,
    }
}

fn page(cells: Vec<CellRef>) -> PageLayout {
    PageLayout {
        page: 1,
        tables: vec![TableCells {
            page: 1,
            bbox: BBox::new(0.0, 0.0, 400.0, 400.0),
            cells,
        }],
        free_lines: vec![],
        ocr: None,
    }
}

fn fields(cells: Vec<CellRef>) -> FormFields {
    let t = Template::builtin().unwrap();
    pages_to_fields(&[page(cells)], &t, &LayoutSettings::default())
}

fn value_text(f: &FormFields, key: &str) -> Option<String> {
    f.hits
        .iter()
        .find(|h| h.key == key)
        .map(|h| match &h.value {
            FieldValue::Cells { cells } => cells.iter().map(|c| c.text()).collect(),
            FieldValue::Inline { text, .. } => text.clone(),
            _ => String::new(),
        })
}

#[test]
fn title_year_and_unit_inside_the_table_border_are_header_lines() {
    let mut title = cell(
        0,
        0,
        0.0,
        400.0,
        "上海市财政支出项目绩效目标申报表\n(2019年)\n申报单位名称：上海市大数据中心",
    );
    title.col_span = 4;
    let f = fields(vec![
        title,
        cell(1, 0, 0.0, 100.0, "项目名称"),
        cell(1, 1, 100.0, 400.0, "某项目"),
    ]);
    assert!(f.title.is_some());
    assert!(f.year.is_some());
    assert_eq!(
        f.unit.as_ref().map(|u| u.0.as_str()),
        Some("上海市大数据中心")
    );
    assert!(f.orphans.is_empty());
    assert_eq!(value_text(&f, "project_name").as_deref(), Some("某项目"));
}

#[test]
fn row_split_by_a_page_break_joins_cells_by_the_overlap_setting() {
    let t = Template::builtin().unwrap();
    let on_page_2 = |mut c: CellRef| {
        c.page = 2;
        c
    };
    let mut second = page(vec![
        on_page_2(cell(0, 0, 0.0, 100.0, "（元）")),
        on_page_2(cell(0, 1, 120.0, 260.0, "续")),
    ]);
    second.page = 2;
    second.tables[0].page = 2;
    let pages = [
        page(vec![
            cell(0, 0, 0.0, 100.0, "项目总预算"),
            cell(0, 1, 100.0, 250.0, "1,000"),
        ]),
        second,
    ];
    let value_cells = |overlap: f64| {
        let s = LayoutSettings {
            split_row_overlap: overlap,
            ..LayoutSettings::default()
        };
        let f = pages_to_fields(&pages, &t, &s);
        match &f
            .hits
            .iter()
            .find(|h| h.key == "total_budget")
            .unwrap()
            .value
        {
            FieldValue::Cells { cells } => cells.iter().map(|c| c.text()).collect::<Vec<_>>(),
            v => panic!("{v:?}"),
        }
    };
    // 130 of the 140 pt of `续` lie under `1,000`: 0.93 of its width
    assert_eq!(value_cells(0.5), ["1,000\n续"]);
    // not joined: a cell of its own beside the value, not read into it
    assert_eq!(value_cells(0.95), ["1,000"]);
}

#[test]
fn four_cell_row_gives_two_label_value_pairs() {
    let f = fields(vec![
        cell(0, 0, 0.0, 100.0, "项目总预算\n（元）"),
        cell(0, 1, 100.0, 200.0, "42,429,660.00"),
        cell(0, 2, 200.0, 300.0, "项目当年预算\n（元）"),
        cell(0, 3, 300.0, 400.0, "19,700,000"),
    ]);
    assert_eq!(
        value_text(&f, "total_budget").as_deref(),
        Some("42,429,660.00")
    );
    assert_eq!(
        value_text(&f, "current_year_budget").as_deref(),
        Some("19,700,000")
    );
}

#[test]
fn label_and_value_in_one_cell_are_split() {
    let f = fields(vec![cell(
        0,
        0,
        0.0,
        400.0,
        "项目名称：市政务外网通信服务费",
    )]);
    assert_eq!(
        value_text(&f, "project_name").as_deref(),
        Some("市政务外网通信服务费")
    );
}

#[test]
fn unknown_row_is_kept_as_an_orphan_not_dropped() {
    let f = fields(vec![
        cell(0, 0, 0.0, 100.0, "联系人"),
        cell(0, 1, 100.0, 400.0, "张三"),
    ]);
    assert_eq!(f.orphans.len(), 2);
}
