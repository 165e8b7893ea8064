use super::*;
use crate::text::levenshtein;

fn tpl() -> &'static Template {
    static T: LazyLock<Template> = LazyLock::new(|| Template::builtin().unwrap());
    &T
}

fn tp(op: &str, value: f64, unit: &str) -> Option<TargetParsed> {
    Some(TargetParsed {
        op: op.to_string(),
        value,
        unit: unit.to_string(),
    })
}

// --- fold_width

#[test]
fn fold_width_full_width_digits_and_punctuation() {
    assert_eq!(fold_width("４２，４２９．００"), "42,429.00");
    assert_eq!(fold_width("（２０１９年）"), "(2019年)");
    assert_eq!(fold_width("＞＝９０％"), ">=90%");
}

#[test]
fn fold_width_ideographic_space_to_space() {
    assert_eq!(fold_width("a\u{3000}b"), "a b");
}

#[test]
fn fold_width_keeps_cjk_and_cjk_punctuation() {
    assert_eq!(fold_width("项目概况。、"), "项目概况。、");
}

// --- parse_money

#[test]
fn money_with_separators_and_decimals() {
    assert_eq!(parse_money("42,429,660.00"), Ok(Money(4_242_966_000)));
}

#[test]
fn money_with_separators_no_decimals() {
    assert_eq!(parse_money("19,700,000"), Ok(Money(1_970_000_000)));
}

#[test]
fn money_plain_digits() {
    assert_eq!(parse_money("3480000"), Ok(Money(348_000_000)));
}

#[test]
fn money_one_decimal() {
    assert_eq!(parse_money("1,234.5"), Ok(Money(123_450)));
}

#[test]
fn money_exact_to_the_fen() {
    assert_eq!(parse_money("0.01"), Ok(Money(1)));
    assert_eq!(
        parse_money("90071992547409.93"),
        Ok(Money(9_007_199_254_740_993))
    );
}

#[test]
fn money_full_width() {
    assert_eq!(
        parse_money("４２，４２９，６６０．００"),
        Ok(Money(4_242_966_000))
    );
}

#[test]
fn money_surrounding_spaces_and_yuan_suffix() {
    assert_eq!(parse_money("  19,700,000 元 "), Ok(Money(1_970_000_000)));
    assert_eq!(parse_money("\u{3000}100元"), Ok(Money(10_000)));
}

#[test]
fn money_extra_zero_decimals_ok() {
    assert_eq!(parse_money("12.3400"), Ok(Money(1_234)));
}

#[test]
fn money_extra_nonzero_decimals_error() {
    assert!(matches!(
        parse_money("12.345"),
        Err(MoneyError::Invalid { .. })
    ));
}

#[test]
fn money_negative() {
    assert_eq!(parse_money("-1,000.50"), Ok(Money(-100_050)));
    assert_eq!(parse_money("－５"), Ok(Money(-500)));
}

#[test]
fn money_trailing_decimal_point() {
    assert_eq!(parse_money("100."), Ok(Money(10_000)));
}

#[test]
fn money_blank_is_empty() {
    assert_eq!(parse_money(""), Err(MoneyError::Empty));
    assert_eq!(parse_money("   \u{3000} "), Err(MoneyError::Empty));
    assert_eq!(parse_money("元"), Err(MoneyError::Empty));
    assert!(parse_money(" ").unwrap_err().is_empty());
    assert_eq!(parse_money_opt(" "), Ok(None));
    assert_eq!(parse_money_opt("1"), Ok(Some(Money(100))));
}

#[test]
fn money_wan_yuan_is_error() {
    assert!(matches!(
        parse_money("100万元"),
        Err(MoneyError::Invalid { .. })
    ));
    assert!(matches!(
        parse_money("100万"),
        Err(MoneyError::Invalid { .. })
    ));
}

#[test]
fn money_garbage_is_error_with_reason() {
    for bad in [
        "abc",
        "1,2345",
        "12,34.5",
        ".5",
        "1.2.3",
        "1 000",
        "-",
        "1e5",
        "--1",
        "１,２３",
    ] {
        match parse_money(bad) {
            Err(MoneyError::Invalid { reason, .. }) => assert!(!reason.is_empty()),
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
}

#[test]
fn money_overflow_is_error() {
    assert!(matches!(
        parse_money("999999999999999999999"),
        Err(MoneyError::Invalid { .. })
    ));
}

// --- parse_date

fn ok(d: &str) -> DateParse {
    DateParse::Ok(d.to_string())
}

#[test]
fn date_slashes() {
    assert_eq!(parse_date("2019/1/1"), ok("2019-01-01"));
    assert_eq!(parse_date("2019/12/31"), ok("2019-12-31"));
}

#[test]
fn date_dashes_and_dots() {
    assert_eq!(parse_date("2019-01-01"), ok("2019-01-01"));
    assert_eq!(parse_date("2019.1.1"), ok("2019-01-01"));
}

#[test]
fn date_chinese() {
    assert_eq!(parse_date("2019年1月1日"), ok("2019-01-01"));
    assert_eq!(parse_date("2019年12月31"), ok("2019-12-31"));
    assert_eq!(parse_date("2019 年 6 月 30 日"), ok("2019-06-30"));
}

#[test]
fn date_full_width_digits() {
    assert_eq!(parse_date("２０１９／１２／３１"), ok("2019-12-31"));
    assert_eq!(parse_date(" 2019/1/1 "), ok("2019-01-01"));
}

#[test]
fn date_leap_years() {
    assert_eq!(parse_date("2020/2/29"), ok("2020-02-29"));
    assert_eq!(parse_date("2000/2/29"), ok("2000-02-29"));
    assert!(matches!(parse_date("2019/2/29"), DateParse::Invalid(_)));
    assert!(matches!(parse_date("2100/2/29"), DateParse::Invalid(_)));
}

#[test]
fn date_invalid_month_or_day() {
    assert!(matches!(parse_date("2019/13/1"), DateParse::Invalid(_)));
    assert!(matches!(parse_date("2019/4/31"), DateParse::Invalid(_)));
    assert!(matches!(parse_date("2019/0/10"), DateParse::Invalid(_)));
    assert!(matches!(parse_date("2019/1/0"), DateParse::Invalid(_)));
}

#[test]
fn date_glued_year_repaired() {
    match parse_date("201912/31") {
        DateParse::Repaired { date, note } => {
            assert_eq!(date, "2019-12-31");
            assert!(note.contains("201912/31"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parse_date("20191/1").date(), Some("2019-01-01"));
}

#[test]
fn date_glued_implausible_year_invalid() {
    assert!(matches!(parse_date("123412/31"), DateParse::Invalid(_)));
    assert!(matches!(parse_date("201913/31"), DateParse::Invalid(_)));
}

#[test]
fn date_trailing_separator_repaired() {
    assert!(matches!(
        parse_date("2019/12/31/"),
        DateParse::Repaired { ref date, .. } if date == "2019-12-31"
    ));
}

#[test]
fn date_separators_must_be_one_kind_trailing_one_included() {
    assert!(matches!(
        parse_date("2019.12.31."),
        DateParse::Repaired { ref date, ref note } if date == "2019-12-31" && note.contains("'.'")
    ));
    for bad in [
        "2019/12/31-",
        "2019.12/31",
        "2019/12/31//",
        "2019年1月1日日",
    ] {
        assert!(matches!(parse_date(bad), DateParse::Invalid(_)), "{bad:?}");
    }
    assert_eq!(parse_date("2019\u{200B}/1/1"), ok("2019-01-01"));
    // a glued year outside 1990-2100 is no date, whatever the rest
    assert_eq!(
        parse_date("18991/1"),
        DateParse::Invalid("not a date: \"18991/1\"".to_string())
    );
}

#[test]
fn date_other_shapes_invalid() {
    for bad in [
        "",
        "2019",
        "2019/1",
        "19/1/1",
        "2019/1-1",
        "2019/1/1/1",
        "1/1/2019",
        "明年",
        "43466",
        "2019年1月",
        "1850/1/1",
    ] {
        assert!(matches!(parse_date(bad), DateParse::Invalid(_)), "{bad:?}");
    }
}

// --- parse_year

#[test]
fn year_in_parentheses() {
    assert_eq!(parse_year("(2019年)"), Some(2019));
    assert_eq!(parse_year("（2019年）"), Some(2019));
    assert_eq!(parse_year(" （ ２０２０ 年 ） "), Some(2020));
}

#[test]
fn year_nian_du() {
    assert_eq!(parse_year("2019年度"), Some(2019));
    assert_eq!(parse_year("（2019年度）"), Some(2019));
    assert_eq!(parse_year("2019年"), Some(2019));
}

#[test]
fn year_not_a_year_line() {
    assert_eq!(parse_year("2018年4月12日"), None);
    assert_eq!(parse_year("上海市财政支出项目绩效目标申报表"), None);
    assert_eq!(parse_year("(19年)"), None);
    assert_eq!(parse_year("(1066年)"), None);
}

// --- parse_target

#[test]
fn target_percent_without_op() {
    assert_eq!(parse_target("100%", tpl()), tp("=", 100.0, "%"));
}

#[test]
fn target_ge_percent() {
    assert_eq!(parse_target("≥90%", tpl()), tp("≥", 90.0, "%"));
}

#[test]
fn target_bare_number() {
    assert_eq!(parse_target("6", tpl()), tp("=", 6.0, ""));
}

#[test]
fn target_le_count() {
    assert_eq!(parse_target("≤2次", tpl()), tp("≤", 2.0, "次"));
}

#[test]
fn target_op_variants_normalized() {
    for (s, op) in [
        ("≧90%", "≥"),
        ("≦90%", "≤"),
        ("＞90%", ">"),
        ("＜90%", "<"),
        ("＝90%", "="),
        (">=90%", "≥"),
        ("<=90%", "≤"),
        ("=>90%", "≥"),
        ("=<90%", "≤"),
        ("≥=90%", "≥"),
        ("＞＝90%", "≥"),
        ("⩾90%", "≥"),
        (">90%", ">"),
    ] {
        assert_eq!(parse_target(s, tpl()), tp(op, 90.0, "%"), "{s}");
    }
}

#[test]
fn target_full_width_folded() {
    assert_eq!(parse_target("≥９５％", tpl()), tp("≥", 95.0, "%"));
    assert_eq!(parse_target("１００％", tpl()), tp("=", 100.0, "%"));
}

#[test]
fn target_decimal_and_thousands() {
    assert_eq!(parse_target("99.5%", tpl()), tp("=", 99.5, "%"));
    assert_eq!(
        parse_target("1,200万人次", tpl()),
        tp("=", 1200.0, "万人次")
    );
    assert_eq!(parse_target("24小时", tpl()), tp("=", 24.0, "小时"));
}

#[test]
fn target_spaces_between_parts() {
    assert_eq!(parse_target(" ≥ 90 % ", tpl()), tp("≥", 90.0, "%"));
}

#[test]
fn target_chinese_comparison_suffix() {
    assert_eq!(parse_target("90%以上", tpl()), tp("≥", 90.0, "%"));
    assert_eq!(parse_target("3天以内", tpl()), tp("≤", 3.0, "天"));
    assert_eq!(parse_target("5个及以上", tpl()), tp("≥", 5.0, "个"));
    assert_eq!(parse_target("≥90%以上", tpl()), None);
}

#[test]
fn target_suffixes_are_the_templates() {
    let changed = crate::template::DEFAULT_TEMPLATE.replace(
        r#""≥" = ["及以上", "以上"]"#,
        r#""≥" = ["及以上", "或以上"]"#,
    );
    let t = Template::parse(&changed, std::path::Path::new("changed.toml")).unwrap();
    assert_eq!(parse_target("90%或以上", &t), tp("≥", 90.0, "%"));
    assert_eq!(parse_target("90%以上", &t), tp("=", 90.0, "%以上"));
    assert_eq!(parse_target("90%以上", tpl()), tp("≥", 90.0, "%"));
    assert_eq!(parse_target("5个及以上", &t), tp("≥", 5.0, "个"));
}

#[test]
fn target_number_shapes() {
    assert_eq!(
        parse_target("1,234,567.5元", tpl()),
        tp("=", 1_234_567.5, "元")
    );
    assert_eq!(parse_target("-5%", tpl()), tp("=", -5.0, "%"));
    assert_eq!(parse_target("≤ -0.5 天", tpl()), tp("≤", -0.5, "天"));
    // blanks (a line break, a zero-width mark) between the parts
    assert_eq!(parse_target("5个\n及以上", tpl()), tp("≥", 5.0, "个"));
    assert_eq!(parse_target("≥\u{200B}90%", tpl()), tp("≥", 90.0, "%"));
    for s in ["1234,567", "1,2345", "12,34", "1.5.3", "+5", "5,5%"] {
        assert_eq!(parse_target(s, tpl()), None, "{s:?}");
    }
}

#[test]
fn target_prose_is_none() {
    for s in [
        "平均减少50%",
        "完善",
        "全年重大信息安全事件≤2次",
        "",
        "≥",
        "%",
        "100%。",
        "5-10天",
        "12345个单位名称",
        "90% 95%",
        "1,23",
        "≥≥90",
        "1.",
    ] {
        assert_eq!(parse_target(s, tpl()), None, "{s:?}");
    }
}

// --- text joining

#[test]
fn join_cjk_lines_without_space() {
    let lines = [
        TextLine::new(
            "    根据国家和本市要求，建设上海市政务外网，为本市各有关单位开展各种业务应",
            true,
        ),
        TextLine::new("用提供基础性的网络支撑平台。", false),
    ];
    assert_eq!(
        join_paragraphs(&lines),
        "根据国家和本市要求，建设上海市政务外网，为本市各有关单位开展各种业务应用提供基础性的网络支撑平台。"
    );
}

#[test]
fn join_ascii_mid_word_without_space() {
    let lines = [
        TextLine::new("承建单位提供7*24小时网络监", true),
        TextLine::new("控、IPv", false),
        TextLine::new("6改造", false),
    ];
    assert_eq!(
        join_paragraphs(&lines),
        "承建单位提供7*24小时网络监控、IPv6改造"
    );
    let lines = [TextLine::new("informa", true), TextLine::new("tion", false)];
    assert_eq!(join_paragraphs(&lines), "information");
}

#[test]
fn join_keeps_printed_space_between_ascii_words() {
    let lines = [
        TextLine::new("big data ", true),
        TextLine::new("center", false),
    ];
    assert_eq!(join_paragraphs(&lines), "big data center");
    let lines = [TextLine::new("IPv6 ", true), TextLine::new("地址", false)];
    assert_eq!(join_paragraphs(&lines), "IPv6地址");
}

#[test]
fn join_paragraphs_separated_by_newline() {
    let lines = [
        TextLine::new("第一段第", true),
        TextLine::new("一行。", false),
        TextLine::new("\u{3000}\u{3000}第二段。", true),
    ];
    assert_eq!(join_paragraphs(&lines), "第一段第一行。\n第二段。");
}

#[test]
fn join_keeps_inner_spaces_trims_line_ends() {
    let lines = [
        TextLine::new("  基本建设工程类□    信息化建设类■  ", true),
        TextLine::new("  政策补贴类□", false),
    ];
    assert_eq!(
        join_paragraphs(&lines),
        "基本建设工程类□    信息化建设类■政策补贴类□"
    );
}

#[test]
fn join_blank_line_ends_paragraph() {
    let lines = [
        TextLine::new("甲", true),
        TextLine::new("   ", false),
        TextLine::new("乙", false),
    ];
    assert_eq!(join_paragraphs(&lines), "甲\n乙");
    assert_eq!(join_paragraphs(&[]), "");
    assert_eq!(join_paragraphs(&[TextLine::new(" ", true)]), "");
}

#[test]
fn join_first_line_starts_paragraph_even_unflagged() {
    let lines = [TextLine::new("甲", false), TextLine::new("乙", false)];
    assert_eq!(join_paragraphs(&lines), "甲乙");
}

#[test]
fn wrapped_lines_indentation_starts_paragraphs() {
    let lines = [
        "    项目实施制度规范包括：《上海市政务外网日常运行管理办法》、《上海市政务",
        "外网域名系统管理办法》等。",
        "    采取主要措施包括：7*24小时网络监控",
        "、7*24小时客户服务。",
    ];
    assert_eq!(
        join_wrapped_lines(&lines),
        "项目实施制度规范包括：《上海市政务外网日常运行管理办法》、《上海市政务外网域名系统管理办法》等。\n采取主要措施包括：7*24小时网络监控、7*24小时客户服务。"
    );
}

#[test]
fn wrapped_lines_block_indented_as_a_whole_is_one_paragraph() {
    let lines = ["    甲乙", "    丙丁"];
    assert_eq!(join_wrapped_lines(&lines), "甲乙丙丁");
    let lines = ["  甲", "      乙", "  丙"];
    assert_eq!(join_wrapped_lines(&lines), "甲\n乙丙");
}

#[test]
fn wrapped_lines_ideographic_indent() {
    let lines = ["\u{3000}\u{3000}甲", "乙", "\u{3000}丙"];
    assert_eq!(join_wrapped_lines(&lines), "甲乙\n丙");
}

#[test]
fn wrapped_lines_of_a_text_dump() {
    let s = "    根据需要落实市政务外网网络接入建设；做好市政做好务外网日常运行管理，落\r\n实市政务外网7*24小时日常运行保障。\n    第二段。\n";
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(
        join_wrapped_lines(&lines),
        "根据需要落实市政务外网网络接入建设；做好市政做好务外网日常运行管理，落实市政务外网7*24小时日常运行保障。\n第二段。"
    );
}

// --- comparison helpers

#[test]
fn text_equivalent_ignores_all_white_space() {
    assert!(text_equivalent("甲 乙\n丙\u{3000}丁", "甲乙丙丁"));
    assert!(text_equivalent("", " \n\t"));
    assert!(!text_equivalent("甲乙", "乙甲"));
}

#[test]
fn levenshtein_two_row_dp() {
    let c = |s: &str| s.chars().collect::<Vec<_>>();
    assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
    assert_eq!(levenshtein(&c(""), &c("abc")), 3);
    assert_eq!(levenshtein(&c("abc"), &c("")), 3);
    assert_eq!(levenshtein(&c("flaw"), &c("lawn")), 2);
    assert_eq!(levenshtein(&c("abcXdef"), &c("abcdef")), 1);
    assert_eq!(levenshtein(&c("aaa"), &c("aaaa")), 1);
    assert_eq!(levenshtein(&c("same"), &c("same")), 0);
}

#[test]
fn an_amount_in_wan_yuan_is_yuan_exact_to_the_fen() {
    let fen = |s: &str| parse_money_scaled(s, 4).map(|m| m.fen());
    assert_eq!(fen("1,931.1180"), Ok(1_931_118_000));
    assert_eq!(fen("0.0001"), Ok(100), "one yuan");
    assert_eq!(fen("12.345678"), Ok(12_345_678), "to the fen: six decimals");
    assert_eq!(fen("１２．５"), Ok(12_500_000), "full width");
    assert!(fen("12.3456789").is_err(), "finer than a fen");
    assert!(fen("1,93.1").is_err(), "bad grouping");
    assert!(matches!(
        parse_money_scaled("  ", 4),
        Err(MoneyError::Empty)
    ));
    // exponent 0 is parse_money, unchanged
    assert_eq!(
        parse_money_scaled("42,429,660.00", 0).unwrap(),
        parse_money("42,429,660.00").unwrap()
    );
}

#[test]
fn a_partial_date_keeps_the_precision_printed() {
    assert_eq!(parse_partial_date("2021年3月"), Ok("2021-03".into()));
    assert_eq!(
        parse_partial_date("2021 年 3 月 15 日"),
        Ok("2021-03-15".into())
    );
    assert_eq!(parse_partial_date("2021.03"), Ok("2021-03".into()));
    assert_eq!(parse_partial_date("2021-3-15"), Ok("2021-03-15".into()));
    assert!(
        parse_partial_date("2021.03-15").is_err(),
        "mixed separators"
    );
    assert!(parse_partial_date("2021年13月").is_err());
    assert!(parse_partial_date("2021年2月30日").is_err());
    assert!(parse_partial_date("全年").is_err());
}

#[test]
fn a_date_range_is_an_iso_interval_cut_where_both_sides_are_dates() {
    let r = |s: &str| parse_date_range(s);
    assert_eq!(
        r("2021年1月至2021年12月"),
        Ok(("2021-01/2021-12".into(), false))
    );
    assert_eq!(r("2021.01-2023.12"), Ok(("2021-01/2023-12".into(), false)));
    assert_eq!(r("2021-01-2021-12"), Ok(("2021-01/2021-12".into(), false)));
    assert_eq!(
        r("2021年1月1日至2021年12月31日"),
        Ok(("2021-01-01/2021-12-31".into(), false))
    );
    assert_eq!(
        r("2022年1月—2021年12月"),
        Ok(("2022-01/2021-12".into(), true))
    );
    assert!(r("2021年1月").is_err(), "one date is no range");
    assert!(r("长期").is_err());
}
