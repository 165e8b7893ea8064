use super::*;
use crate::geom::BBox;
use crate::layout::TextLine;

fn tpl() -> Template {
    Template::builtin().unwrap()
}

#[test]
fn options_are_rebuilt_with_their_boxes() {
    let opts: Vec<String> = ["市委市政府已确定的新增项目", "结转项目", "其他一次性项目"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        fix_options(
            "市委市 政府已确定的新增项 目口“”结转项目口”其他一次性 项目国",
            &opts,
            &tpl(),
            &RepairSettings::default()
        ),
        "市委市政府已确定的新增项目□结转项目□其他一次性项目■"
    );
    assert_eq!(
        fix_options(
            "市委市政府已确定的新增项目口其他一次性项目",
            &opts,
            &tpl(),
            &RepairSettings::default()
        ),
        "市委市政府已确定的新增项目□其他一次性项目"
    );
}

#[test]
fn box_readings_and_level_names_are_the_templates() {
    let opts: Vec<String> = ["结转项目", "其他一次性项目"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let changed = crate::template::DEFAULT_TEMPLATE
        .replace(r#"ocr_ticked = ["国", "#, r#"ocr_ticked = ["◆", "国", "#)
        .replace(r#""人力资源", "#, r#""人力资源", "信息安全目标", "#);
    let t = Template::parse(&changed, std::path::Path::new("changed.toml")).unwrap();
    let text = "结转项目口其他一次性项目◆";
    // not a box reading: the option's text, read without a box
    assert_eq!(
        fix_options(text, &opts, &tpl(), &RepairSettings::default()),
        "结转项目□其他一次性项目"
    );
    assert_eq!(
        fix_options(text, &opts, &t, &RepairSettings::default()),
        "结转项目□其他一次性项目■"
    );
    // a printed tick (the template's `ticked`) read right is a box
    assert_eq!(
        fix_options(
            "结转项目口其他一次性项目√",
            &opts,
            &tpl(),
            &RepairSettings::default()
        ),
        "结转项目□其他一次性项目■"
    );
    let cell = |text: &str| CellRef {
        page: 1,
        bbox: BBox::default(),
        row: 0,
        col: 0,
        row_span: 1,
        col_span: 1,
        lines: vec![TextLine {
            text: text.to_string(),
            bbox: BBox::default(),
            starts_paragraph: false,
        }],
        cut_top: false,
        cut_bottom: false,
        cut_doubt: false,
    };
    let mut warnings = Vec::new();
    let mut c = cell("信息安仝目标");
    let min = RepairSettings::default().min_level_similarity;
    snap_level(
        &mut c,
        &tpl().indicator_values.level_names,
        min,
        "f",
        &mut warnings,
    );
    assert_eq!(c.text(), "信息安仝目标");
    snap_level(
        &mut c,
        &t.indicator_values.level_names,
        min,
        "f",
        &mut warnings,
    );
    assert_eq!(c.text(), "信息安全目标");
    assert_eq!(warnings.len(), 1);
}

#[test]
fn similarity_thresholds_are_settings() {
    let opts = vec!["其他一次性项目".to_string()];
    let strict = RepairSettings {
        min_option_similarity: 0.9,
        ..RepairSettings::default()
    };
    // one character off in seven: 0.86
    let text = "其他一次生项目国";
    assert_eq!(
        fix_options(text, &opts, &tpl(), &RepairSettings::default()),
        "其他一次性项目■"
    );
    assert_eq!(fix_options(text, &opts, &tpl(), &strict), "其他一次生项目■");
    let names = &tpl().indicator_values.level_names;
    let level = |min: f64| {
        let mut c = CellRef {
            page: 1,
            bbox: BBox::default(),
            row: 0,
            col: 0,
            row_span: 1,
            col_span: 1,
            lines: vec![TextLine {
                text: "经济效宜目标".to_string(),
                bbox: BBox::default(),
                starts_paragraph: false,
            }],
            cut_top: false,
            cut_bottom: false,
            cut_doubt: false,
        };
        snap_level(&mut c, names, min, "f", &mut Vec::new());
        c.text()
    };
    assert_eq!(level(0.8), "经济效益目标");
    assert_eq!(level(0.9), "经济效宜目标");
}

#[test]
fn template_checks_the_box_readings() {
    let both = crate::template::DEFAULT_TEMPLATE
        .replace(r#"ocr_ticked = ["国", "#, r#"ocr_ticked = ["口", "国", "#);
    let e = Template::parse(&both, std::path::Path::new("bad.toml")).unwrap_err();
    assert!(e.to_string().contains("`口` is in both"), "{e}");
    let long = crate::template::DEFAULT_TEMPLATE
        .replace(r#"ocr_ticked = ["国", "#, r#"ocr_ticked = ["国国", "#);
    let e = Template::parse(&long, std::path::Path::new("bad.toml")).unwrap_err();
    assert!(e.to_string().contains("`国国` is not one character"), "{e}");
}

#[test]
fn punctuation_chi_sim_cannot_write_is_restored_in_context() {
    assert_eq!(
        fix_text("《意见》(国发[2016]55号)、《方案(2020一2022年)》"),
        "《意见》（国发〔2016〕55号）、《方案（2020－2022年）》"
    );
    assert_eq!(fix_text("沪财预【2018】56号"), "沪财预〔2018〕56号");
    assert_eq!(fix_text("中办发 [2002]17 号"), "中办发〔2002〕17 号");
    assert_eq!(fix_text("数字体征 平台 2020 年"), "数字体征平台 2020 年");
    assert_eq!(
        fix_text("“推进“一网通办”，打破“数据孤岛””，要"),
        "“推进‘一网通办’，打破‘数据孤岛’”，要"
    );
    assert_eq!(fix_text("“甲”和“乙”"), "“甲”和“乙”");
    assert_eq!(fix_text("国发[2016]j55号）"), "国发〔2016〕55号）");
    assert_eq!(
        fix_text("2020年1月至3月:完成;下一步"),
        "2020年1月至3月：完成；下一步"
    );
    assert_eq!(fix_text("服务费〈运维)"), "服务费（运维）");
    // ASCII context stays ASCII; a lone 〈〉 pair stays; 一 in words stays
    assert_eq!(fix_text("f(x) = 7*24"), "f(x) = 7*24");
    assert_eq!(fix_text("〈标题〉"), "〈标题〉");
    assert_eq!(fix_text("统一2个"), "统一2个");
    // a closing bracket read as `1`; two numbers in one text
    assert_eq!(fix_text("沪府[2016155号"), "沪府〔2016〕55号");
    assert_eq!(
        fix_text("国发【2016】55号和国办发(2019]|3号"),
        "国发〔2016〕55号和国办发〔2019〕3号"
    );
    // not a document number: no 号, or not a year
    assert_eq!(fix_text("[2016]55"), "[2016]55");
    assert_eq!(fix_text("见[1234]5号"), "见[1234]5号");
}

#[test]
fn values_are_fixed_by_shape_only() {
    assert_eq!(
        fix_value("18,13O,000,00", ValueShape::Money),
        "18,130,000.00"
    );
    assert_eq!(fix_value("l9,7OO,OOO", ValueShape::Money), "19,700,000");
    assert_eq!(
        fix_value("31.153,400.00", ValueShape::Money),
        "31,153,400.00"
    );
    assert_eq!(fix_value("12.130,000", ValueShape::Money), "12,130,000");
    // a dropped separator
    assert_eq!(fix_value("1485,000", ValueShape::Money), "1,485,000");
    assert_eq!(
        fix_value("31153,400.00", ValueShape::Money),
        "31,153,400.00"
    );
    // a lost digit is not papered over
    assert_eq!(fix_value("1,48,000", ValueShape::Money), "1,48,000");
    // an amount in 万元 to four places: four digits are no thousands group
    assert_eq!(fix_value("2540.7995万元", ValueShape::Money), "2540.7995");
    assert_eq!(fix_value("55,2277", ValueShape::Money), "55.2277");
    // one digit may be a group cut short: not taken for a decimal
    assert_eq!(fix_value("1,234.5", ValueShape::Money), "1,234,5");
    assert_eq!(fix_value("20l9/12/3l", ValueShape::Date), "2019/12/31");
    assert_eq!(fix_value("201911", ValueShape::Date), "2019/1/1");
    assert_eq!(fix_value("2020/12/131", ValueShape::Date), "2020/12/31");
    assert_eq!(fix_value("2019/12/31", ValueShape::Date), "2019/12/31");
    assert_eq!(fix_value("20191231", ValueShape::Date), "2019/12/31");
    assert_eq!(fix_value("≧5%", ValueShape::Target), "≥5%");
    // a character read for a sign is not guessed from the text
    assert_eq!(fix_value("之5%", ValueShape::Target), "之5%");
    assert_eq!(fix_value("100%0", ValueShape::Target), "100%");
    assert_eq!(fix_value("1009%", ValueShape::Target), "100%");
    assert_eq!(fix_value("≥909%", ValueShape::Target), "≥90%");
    assert_eq!(fix_value("1000%", ValueShape::Target), "100%");
    assert_eq!(fix_value("99%", ValueShape::Target), "99%");
    assert_eq!(fix_value("≦100%", ValueShape::Target), "≤100%");
    assert_eq!(fix_value("合规", ValueShape::Target), "合规");
    assert_eq!(
        fix_value("完善管理制度", ValueShape::Target),
        "完善管理制度"
    );
}
