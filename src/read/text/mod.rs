//! Forms reassembled from plain-text dumps of the PDFs (no geometry).
//!
//! A dump keeps the text but not where it was: a page's labels often come
//! first and their values later, in another order; rows' cells share a line
//! or swap; labels wrap over lines. Without coordinates the stages below use
//! what the form guarantees: the label vocabulary and field order of the
//! [`Template`], the shapes of values (amounts, dates, targets, ticked
//! boxes), paragraph boundaries (indentation, blank lines), which labels
//! share a page or a printed row, and checks that tie fields together.
//!
//! ```text
//! text ─text_to_pages─▶ pages ─page_to_blocks─▶ blocks ─blocks_to_forms─▶ forms
//!   form ─form_to_candidates─▶ candidates (labelled values claimed; indicator items left)
//!   all candidates ─indicator_roles─▶ names seen as level 1/2/3 in the dump
//!   candidates + roles ─candidates_to_fields─▶ TextFields
//!   TextFields ─assemble::text_fields_to_record─▶ Record (the record builder)
//! ```
//!
//! Every stage is a pure function; [`dump_blocks`] and [`dump_fields`] print
//! the intermediate results (`shenbao extract --dump blocks|fields`).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::LazyLock;

use regex::Regex;

use crate::normalize::{
    self, DateParse, indent_width, join_wrapped_lines, parse_money, parse_target, parse_year,
};
use crate::record::Warning;
use crate::template::{Shape, Template, label_key};
use crate::text::{OPERATORS, is_cjk, is_operator_char};

mod amounts;
mod blocks;
mod candidates;
mod glued;
mod in_order;
mod indicators;
mod items;
mod margin;
mod pages;
mod texts;

use crate::warning::WarningCode;
#[cfg(test)]
use blocks::*;
pub use blocks::{Block, HeaderCol, Kind, TextForm, blocks_to_forms, page_to_blocks};
pub use candidates::{
    Assigned, FundingRow, IndItem, IndicatorRow, MIN_LABELS_IN_ORDER, TextFields,
    form_to_candidates,
};
pub use glued::unglue_page;
pub use in_order::indicators_in_order;
pub use indicators::{Roles, candidates_to_fields, indicator_roles, place_indicators};
pub use margin::unmargin_pages;
use pages::*;
pub use pages::{
    PAGE_BREAK_BLANKS, PageLine, TextPage, join_labels_cut_by_page_breaks, text_to_pages,
};

/// A label found in a line's tokens: its last token on the line, the line
/// and token count it wrapped into, and what it is.
pub(super) type LabelMatch = (usize, Option<(usize, usize)>, Kind);

/// A dump's text: UTF-8 (a BOM dropped), UTF-16 with a BOM, or else
/// GB18030 (GBK) when it decodes without error. `None` when none fits.
pub fn decode_text(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, bad) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (!bad).then_some(s);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let (s, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!bad).then_some(s)
}

/// Whether bytes look like a text dump of these forms: not a PDF, text
/// ([`decode_text`]), and holding the template's title or three of its
/// labels.
pub fn looks_like_text_dump(bytes: &[u8], t: &Template) -> bool {
    looks_like_dump_of_any(bytes, std::slice::from_ref(t))
}

/// [`looks_like_text_dump`] for any of several templates, the bytes
/// decoded and keyed once.
pub fn looks_like_dump_of_any(bytes: &[u8], templates: &[Template]) -> bool {
    if bytes.starts_with(b"%PDF") || bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return false;
    }
    if bytes.contains(&0) && encoding_rs::Encoding::for_bom(bytes).is_none() {
        return false;
    }
    let Some(s) = decode_text(bytes) else {
        return false;
    };
    let key = label_key(&s);
    templates.iter().any(|t| {
        key.contains(t.vocab().title.as_str())
            || t.labels().filter(|(l, _)| key.contains(*l)).count() >= 3
    })
}

/// Stage 1 over a dump's text: its pages, labels cut by a page break
/// joined, glued lines cut at their labels, free texts printed beside
/// their labels put label first; with the lines of labels printed beside
/// a text whose end is uncertain.
fn read_pages(text: &str, t: &Template) -> (Vec<TextPage>, Vec<usize>) {
    let pages = join_labels_cut_by_page_breaks(text_to_pages(text), t)
        .into_iter()
        .map(|p| unglue_page(p, t))
        .collect();
    unmargin_pages(pages, t)
}

/// Stages 1–4 over a dump's text.
pub fn text_to_fields(text: &str, t: &Template) -> Vec<TextFields> {
    let (pages, unsure) = read_pages(text, t);
    let pages: Vec<(usize, Vec<Block>)> = pages
        .iter()
        .map(|p| (p.number, page_to_blocks(p, t)))
        .collect();
    let mut forms: Vec<TextFields> = blocks_to_forms(pages)
        .iter()
        .map(|f| form_to_candidates(f, t))
        .collect();
    for f in &mut forms {
        let beside: Vec<(String, usize)> = f
            .labels
            .iter()
            .filter(|(_, line)| unsure.contains(line))
            .map(|(k, l)| (k.clone(), *l))
            .collect();
        for (key, line) in beside {
            f.warn(
                &key,
                WarningCode::AmbiguousAssignment,
                format!(
                    "label on line {line} printed beside its text, which no single cut \
                     of the lines round it fits: where the text ends is uncertain"
                ),
            );
        }
    }
    candidates_to_fields(forms, t)
}

/// The pages the later stages read, one numbered line per line, after
/// glued lines were cut at their labels (`--dump lines` on a text dump).
pub fn dump_pages(text: &str, t: &Template) -> String {
    let mut s = String::new();
    for p in read_pages(text, t).0 {
        let _ = writeln!(s, "# page {}", p.number);
        for l in p.lines.iter().filter(|l| !l.text.trim().is_empty()) {
            let _ = writeln!(s, "{}\t{}", l.no, l.text);
        }
    }
    s
}

/// The blocks of every page, one per line (`--dump blocks`).
pub fn dump_blocks(text: &str, t: &Template) -> String {
    let mut s = String::new();
    for p in read_pages(text, t).0 {
        let _ = writeln!(s, "# page {}", p.number);
        for b in page_to_blocks(&p, t) {
            let kind = match &b.kind {
                Kind::Paragraph(x) => {
                    let head: String = x.chars().take(30).collect();
                    format!("Paragraph({head:?}…)")
                }
                k => format!("{k:?}"),
            };
            let _ = writeln!(s, "{}-{}\tr{}\t{kind}", b.line, b.line_end, b.row);
        }
    }
    s
}

/// The placed fields of every form (`--dump fields`).
pub fn dump_fields(forms: &[TextFields]) -> String {
    let mut s = String::new();
    for (i, f) in forms.iter().enumerate() {
        let _ = writeln!(s, "# form {i} (pages {:?})", f.pages);
        for (k, a) in &f.values {
            let v: String = a.value.chars().take(40).collect();
            let _ = writeln!(s, "{k}\tlines {}-{}\t{v:?}", a.line, a.line_end);
        }
        for r in &f.funding {
            let _ = writeln!(
                s,
                "funding\tlines {}-{}\t{:?}\t{:?}",
                r.line, r.line_end, r.name, r.amount
            );
        }
        for r in &f.indicators {
            let _ = writeln!(
                s,
                "indicator\tlines {}-{}\t{} | {} | {} | {}",
                r.line,
                r.line_end,
                r.level1.as_deref().unwrap_or("-"),
                r.level2.as_deref().unwrap_or("-"),
                r.level3.as_deref().unwrap_or("-"),
                r.target.as_deref().unwrap_or("-"),
            );
        }
        for it in &f.items {
            let _ = writeln!(s, "item\t{it:?}");
        }
        for w in &f.warnings {
            let _ = writeln!(s, "warning\t{}\t{}\t{}", w.field, w.code, w.message);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assemble::text_fields_to_record as fields_to_record;
    use crate::record::Source;

    fn t() -> Template {
        Template::builtin().unwrap()
    }

    fn page(text: &str) -> TextPage {
        text_to_pages(text).remove(0)
    }

    fn kinds(text: &str) -> Vec<Kind> {
        page_to_blocks(&page(text), &t())
            .into_iter()
            .map(|b| b.kind)
            .collect()
    }

    fn fields(text: &str) -> Vec<TextFields> {
        text_to_fields(text, &t())
    }

    fn value<'a>(f: &'a TextFields, k: &str) -> Option<&'a str> {
        f.values.get(k).map(|a| a.value.as_str())
    }

    fn label(k: &str) -> Kind {
        Kind::Label(k.to_string())
    }

    #[test]
    fn an_optional_field_placed_nowhere_in_a_dump_is_warned_not_silently_null() {
        let sample = include_str!("../../../fixtures/text/2019-dsjzx-forms-1-3.txt");
        let source = || crate::record::Source::new(std::path::Path::new("d.txt"), "", 0, &[1]);
        let warned = |text: &str| -> Vec<(String, String)> {
            let r = fields_to_record(&fields(text)[0], &t(), source());
            r.warnings
                .iter()
                .filter(|w| w.field == "remarks")
                .map(|w| (w.code.clone(), w.message.clone()))
                .collect()
        };
        // the label printed, its (empty) value nowhere: said, with the line
        let w = warned(sample);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, "empty_value");
        assert!(w[0].1.starts_with("label on line 84"), "{}", w[0].1);
        // the label itself lost: said too
        let lost = sample.replacen("\n备注\n", "\n\n", 1);
        let w = warned(&lost);
        assert_eq!(
            w.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            ["label_not_found"]
        );
    }

    #[test]
    fn labels_side_by_side_take_the_values_below_them_by_place() {
        // The first label wrapped round its value line (not recognized as
        // a label); the second still takes the second value, not the first.
        let f = &fields(
            "上海市财政支出项目绩效目标申报表\n\
             同名项目上年预算 同名项目上年预算执行数\n\
             29,730,000.00 26,051,000.00\n\
             额（元） （元）\n",
        )[0];
        assert_eq!(value(f, "prior_year_spent"), Some("26,051,000.00"));
        // Another number of values than labels: none taken, said.
        let f = &fields(
            "上海市财政支出项目绩效目标申报表\n\
             同名项目上年预算 同名项目上年预算执行数\n\
             29,730,000.00 26,051,000.00 1,000.00\n",
        )[0];
        assert_eq!(value(f, "prior_year_spent"), None);
        assert!(
            f.warnings
                .iter()
                .any(|w| w.field == "prior_year_spent" && w.code == "ambiguous_assignment"),
            "{:?}",
            f.warnings
        );
    }

    #[test]
    fn an_indented_row_of_cells_is_not_running_text() {
        // Dumps by position indent a row whose first cell (a label wrapped
        // round it) is printed on the lines above and below.
        let f = &fields(
            "上海市财政支出项目绩效目标申报表\n\
             项目总预算\n\
             \x20            2,270,000.00    项目当年预算（元）  2,270,000.00\n\
             （元）\n",
        )[0];
        assert_eq!(value(f, "current_year_budget"), Some("2,270,000.00"));
    }

    #[test]
    fn a_funding_name_wrapped_round_its_amount_is_warned() {
        let f = &fields(
            "上海市财政支出项目绩效目标申报表\n\
             \x20        子项目名称                        预算金额（元）\n\
             项目当年投入\n\
             资金构成     业务应用系统功能完善和适配改造开发费\n\
             \x20                            48,390,000.00\n\
             \x20        （含国产化适配）\n\
             \x20           全年：做好系统日常运行维护和技术支撑服务。\n\
             项目实施计划\n",
        )[0];
        assert!(
            f.warnings.iter().any(|w| w.field == "funding_components"
                && w.code == "ambiguous_assignment"
                && w.message.contains("may go on")),
            "{:?}",
            f.warnings
        );
    }

    #[test]
    fn a_label_cut_by_a_page_break_is_joined() {
        let (pages, _) = read_pages(
            "上海市财政支出项目绩效目标申报表\n子项目名称 预算金额（元）\n项目当年投入资金\u{c}构成 硬件设备购置费\n",
            &t(),
        );
        assert_eq!(pages[0].lines.last().unwrap().text, "项目当年投入资金构成");
        assert_eq!(pages[1].lines[0].text.trim(), "硬件设备购置费");
    }

    #[test]
    fn form_feed_and_blank_runs_both_break_pages() {
        let p = text_to_pages("a\n\nb\n\n\n\nc\u{c}d\n\u{c}\n\n");
        let texts: Vec<Vec<&str>> = p
            .iter()
            .map(|p| {
                p.lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .collect();
        assert_eq!(texts, vec![vec!["a", "b"], vec!["c"], vec!["d"]]);
        // Two blank lines do not break; line numbers are kept.
        let p = text_to_pages("a\n\n\nb");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].lines.last().unwrap().no, 4);
    }

    #[test]
    fn wrapped_label_across_lines_is_one_label() {
        assert_eq!(
            kinds("保证项目实施的制度、\n措施\n"),
            vec![label("safeguards")]
        );
        // Across a blank line, the value following the wrapped part.
        assert_eq!(
            kinds("同名项目上年预算执行\n\n数（元）\n44,640,200.00\n"),
            vec![
                label("prior_year_spent"),
                Kind::Money("44,640,200.00".into())
            ]
        );
        // A full label variant extended by its wrapped unit.
        let b = page_to_blocks(&page("同名项目上年预算执行数\n\n（元）\n"), &t());
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].line, b[0].line_end), (1, 3));
    }

    #[test]
    fn row_cells_on_one_line_are_split_into_label_value_pairs() {
        assert_eq!(
            kinds("项目总预算（元） 42,429,660.00 项目当年预算（元） 19,700,000"),
            vec![
                label("total_budget"),
                Kind::Money("42,429,660.00".into()),
                label("current_year_budget"),
                Kind::Money("19,700,000".into()),
            ]
        );
        let f = &fields("项目总预算（元） 42,429,660.00 项目当年预算（元） 19,700,000\n")[0];
        assert_eq!(value(f, "total_budget"), Some("42,429,660.00"));
        assert_eq!(value(f, "current_year_budget"), Some("19,700,000"));
    }

    #[test]
    fn value_before_the_second_label_of_a_row_belongs_to_the_first() {
        let f = &fields("开始时间\n\n项目概况\n\n2019/1/1 结束时间 201912/31\n")[0];
        assert_eq!(value(f, "start_date"), Some("2019/1/1"));
        assert_eq!(value(f, "end_date"), Some("201912/31"));
        let r = fields_to_record(f, &t(), source());
        assert_eq!(r.text("end_date"), Some("2019-12-31"));
        assert!(r.warnings.iter().any(|w| w.code == "date_repaired"));
    }

    #[test]
    fn swapped_target_and_indicator_are_reordered() {
        assert_eq!(
            kinds("100%人员到位率"),
            vec![Kind::Target("100%".into()), Kind::Text("人员到位率".into())]
        );
        let f = &fields(
            "一级指标 二级指标\n\n人力资源\n\n备注\n\n影响力目标\n\n100%人员到位率\n\n完成率 ≥95%\n",
        )[0];
        let got: Vec<(&str, &str)> = f
            .indicators
            .iter()
            .map(|r| (r.level3.as_deref().unwrap(), r.target.as_deref().unwrap()))
            .collect();
        assert_eq!(got, vec![("人员到位率", "100%"), ("完成率", "≥95%")]);
        assert_eq!(f.indicators[0].level1.as_deref(), Some("影响力目标"));
        assert_eq!(f.indicators[0].level2.as_deref(), Some("人力资源"));
    }

    #[test]
    fn swapped_target_needs_a_percentage_then_chinese_text() {
        let split = split_swapped_target;
        assert_eq!(
            split("≥90.5％满意度"),
            Some(("≥90.5％".to_string(), "满意度".to_string()))
        );
        assert_eq!(
            split("⩾90%满意度"),
            Some(("⩾90%".to_string(), "满意度".to_string()))
        );
        for t in [
            "90%",
            "100%人",
            "100%ab",
            "≥%满意度",
            "90满意度",
            "a90%满意度",
        ] {
            assert_eq!(split(t), None, "{t:?}");
        }
    }

    #[test]
    fn funding_amount_on_the_next_page_joins_its_row() {
        let text = "项目总预算（元） 300.00 项目当年预算（元） 300.00\n\n\n\n\
                    项目当年投入资金构成\n\n子项目名称 预算金额（元）\n\n甲 100.00\n\n乙\n\n\n\n\
                    200.00\n\n完成率 100%\n";
        let f = &fields(text)[0];
        let rows: Vec<(Option<&str>, Option<&str>)> = f
            .funding
            .iter()
            .map(|r| (r.name.as_deref(), r.amount.as_deref()))
            .collect();
        assert_eq!(
            rows,
            vec![(Some("甲"), Some("100.00")), (Some("乙"), Some("200.00"))]
        );
        assert!(f.warnings.iter().any(|w| w.code == "inferred_value"));
    }

    #[test]
    fn lone_amount_that_does_not_close_the_sum_is_left_unplaced() {
        let text =
            "项目当年预算（元） 300.00\n\n项目当年投入资金构成\n\n甲 100.00\n\n乙\n\n999.00\n";
        let f = &fields(text)[0];
        assert_eq!(f.funding[1].amount, None);
        let codes: Vec<&str> = f.warnings.iter().map(|w| w.code.as_str()).collect();
        assert!(codes.contains(&"missing_amount"), "{codes:?}");
        assert!(codes.contains(&"unassigned_value"), "{codes:?}");
    }

    #[test]
    fn paragraph_after_its_label_is_its_own_and_the_rest_follow_form_order() {
        // Values of the page's lower rows printed above the title line.
        let text = "项目概况\n\n立项依据\n\n项目设立的必要性\n    必要。\n\n    依据。\n\n\
                    上海市财政支出项目绩效目标申报表\n\n(2019年)\n\n申报单位名称：某单位\n\n某项目\n\n    概况。\n";
        let f = &fields(text)[0];
        assert_eq!(value(f, "necessity"), Some("必要。"));
        assert_eq!(value(f, "overview"), Some("概况。"));
        assert_eq!(value(f, "basis"), Some("依据。"));
        assert_eq!(value(f, "project_name"), Some("某项目"));
        assert_eq!(value(f, "unit"), Some("某单位"));
        assert_eq!(value(f, "year"), Some("2019"));
    }

    #[test]
    fn option_wrapped_over_lines_and_missing_box_are_read() {
        let text =
            "资金用途\n基本建设工程类□    政府购买服务    资产\n购置类□    其他事业专业类■\n";
        let r = fields_to_record(&fields(text)[0], &t(), source());
        assert_eq!(r.text("fund_use"), Some("其他事业专业类"));
    }

    #[test]
    fn header_variants_year_on_title_line_unit_on_next_line_glued_label() {
        let text = "上海市财政支出项目绩效目标申报表（2020年）\n申报单位名称：\n某单位\n项目名称：某项目\n";
        let f = &fields(text)[0];
        assert_eq!(value(f, "year"), Some("2020"));
        assert_eq!(value(f, "unit"), Some("某单位"));
        assert_eq!(value(f, "project_name"), Some("某项目"));
    }

    #[test]
    fn merged_level_cells_printed_once_carry_down_to_later_rows() {
        let text = "产出目标 数量目标 完成率 100%\n\n质量目标 达标率 ≥90%\n\n及时率 100%\n";
        let f = &fields(text)[0];
        let got: Vec<String> = f
            .indicators
            .iter()
            .map(|r| {
                format!(
                    "{}/{}/{}",
                    r.level1.as_deref().unwrap_or("-"),
                    r.level2.as_deref().unwrap_or("-"),
                    r.level3.as_deref().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                "产出目标/数量目标/完成率",
                "产出目标/质量目标/达标率",
                "产出目标/质量目标/及时率"
            ]
        );
    }

    #[test]
    fn text_dump_is_detected_by_content() {
        let t = t();
        assert!(looks_like_text_dump(
            "上海市财政支出项目绩效目标申报表\n".as_bytes(),
            &t
        ));
        assert!(!looks_like_text_dump(b"%PDF-1.7\n...", &t));
        assert!(!looks_like_text_dump(&[0xff, 0xfe, 0x00], &t));
        assert!(!looks_like_text_dump("hello".as_bytes(), &t));
        // GBK and UTF-8 with a BOM.
        let (gbk, _, _) = encoding_rs::GBK.encode("上海市财政支出项目绩效目标申报表\n");
        assert!(looks_like_text_dump(&gbk, &t));
        assert_eq!(
            decode_text(&gbk).unwrap(),
            "上海市财政支出项目绩效目标申报表\n"
        );
        let bom = "\u{feff}上海市财政支出项目绩效目标申报表".as_bytes();
        assert!(looks_like_text_dump(bom, &t));
    }

    fn source() -> Source {
        Source {
            file: "x.txt".into(),
            sha256: String::new(),
            form_index: 0,
            pages: vec![1],
            kind: crate::record::SourceKind::TextDump,
            ocr: false,
            ocr_pages: Vec::new(),
        }
    }
}
