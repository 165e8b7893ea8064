//! Per-file budgets: a file over one fails with `too_complex`, naming it.

use shenbao::Extractor;

#[test]
fn a_file_over_the_size_budget_fails_as_too_complex() {
    let mut ex = Extractor::new(shenbao::template::Templates::builtin().unwrap());
    ex.pdf.max_file_bytes = 1000;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    std::fs::write(&big, vec![b'x'; 1001]).unwrap();
    let e = ex.extract_file(&big).unwrap_err();
    assert_eq!(e.code(), "too_complex");
    assert!(
        e.to_string().contains("file size budget of 1000 bytes"),
        "{e}"
    );
    // At the budget: read (and then refused for what it is, not its size).
    let fits = dir.path().join("fits.pdf");
    std::fs::write(&fits, vec![b'x'; 1000]).unwrap();
    assert_ne!(ex.extract_file(&fits).unwrap_err().code(), "too_complex");
}

#[test]
fn an_endless_device_is_read_no_further_than_the_budget() {
    let mut ex = Extractor::new(shenbao::template::Templates::builtin().unwrap());
    ex.pdf.max_file_bytes = 1 << 20;
    let e = ex
        .extract_file(std::path::Path::new("/dev/zero"))
        .unwrap_err();
    assert_eq!(e.code(), "too_complex");
}

mod common;

use common::hostile;
use shenbao::read::pdf::{PdfSettings, read_pages};

/// Reads generated PDF bytes with `settings`; the failure's code and
/// message.
fn refused(bytes: &[u8], settings: &PdfSettings) -> (String, String) {
    match read_pages(std::path::Path::new("hostile.pdf"), bytes, settings) {
        Ok(pages) => ("ok".into(), format!("{} pages", pages.len())),
        Err(e) => (e.code().to_string(), e.to_string()),
    }
}

fn over(bytes: &[u8], settings: &PdfSettings, budget: &str) {
    let (code, msg) = refused(bytes, settings);
    assert_eq!(code, "too_complex", "{msg}");
    assert!(msg.contains(budget), "{msg}");
}

#[test]
fn a_page_painting_too_many_glyphs_fails_naming_the_glyph_budget() {
    let s = PdfSettings {
        max_glyphs_per_page: 1000,
        ..PdfSettings::default()
    };
    over(
        &hostile::same_spot_glyphs(1001),
        &s,
        "glyph budget of 1000 per page (page 1)",
    );
    assert_eq!(refused(&hostile::same_spot_glyphs(1000), &s).0, "ok");
}

#[test]
fn pages_painting_too_many_glyphs_together_fail_naming_the_file_budget() {
    // 3 pages of 50 x 10 glyphs.
    let s = PdfSettings {
        max_glyphs_per_file: 1000,
        ..PdfSettings::default()
    };
    over(
        &hostile::slow_pages(3, 10),
        &s,
        "glyph budget of 1000 per file (page 3)",
    );
}

#[test]
fn form_xobjects_calling_each_other_fail_naming_the_xobject_budget() {
    over(
        &hostile::xobject_fanout(10, 1000),
        &PdfSettings::default(),
        "XObject budget of 10000 invocations per page",
    );
    // A cycle is not run again, and is no failure.
    let s = PdfSettings {
        max_xobject_calls_per_page: 5,
        ..PdfSettings::default()
    };
    assert_eq!(refused(&hostile::xobject_fanout(2, 4), &s).0, "ok");
    over(&hostile::xobject_fanout(2, 5), &s, "XObject budget of 5");
}

#[test]
fn streams_inflating_past_the_budget_fail_whichever_stream_it_is() {
    let bomb = hostile::deflated_zeros(3 << 20);
    let s = PdfSettings {
        max_stream_bytes: 2 << 20,
        ..PdfSettings::default()
    };
    let per_stream = "inflated-bytes budget of 2097152 per stream";
    over(&hostile::content_bomb(bomb.clone()), &s, per_stream);
    over(&hostile::form_bomb(bomb.clone()), &s, per_stream);
    over(&hostile::tounicode_bomb(bomb.clone()), &s, per_stream);
    // Each stream within its budget, all of them over the file's.
    let s = PdfSettings {
        max_inflated_bytes: 4 << 20,
        ..PdfSettings::default()
    };
    let small = hostile::deflated_zeros(3 << 20);
    assert_eq!(refused(&hostile::form_bomb(small.clone()), &s).0, "ok");
    over(
        &hostile::tounicode_bomb_and_form(small),
        &s,
        "inflated-bytes budget of 4194304 per file",
    );
}

#[test]
fn content_operators_past_the_budget_fail_naming_it() {
    let s = PdfSettings {
        max_operators: 10_000,
        ..PdfSettings::default()
    };
    over(
        &hostile::operator_flood(10_001),
        &s,
        "operator budget of 10000",
    );
    assert_eq!(refused(&hostile::operator_flood(10_000), &s).0, "ok");
}

#[test]
fn lexer_strings_and_operand_lists_past_their_budgets_fail() {
    let s = PdfSettings {
        max_string_bytes: 1000,
        max_operands: 100,
        ..PdfSettings::default()
    };
    over(
        &hostile::huge_string(1001),
        &s,
        "string budget of 1000 bytes",
    );
    over(&hostile::nested_arrays(60), &s, "operand budget of 100");
    // Deep parentheses are one long string: read in linear time.
    assert_eq!(refused(&hostile::nested_parens(400), &s).0, "ok");
}

#[test]
fn paths_past_the_point_budget_fail_naming_it() {
    let s = PdfSettings {
        max_path_points_per_page: 1000,
        ..PdfSettings::default()
    };
    over(
        &hostile::path_flood(501),
        &s,
        "path budget of 1000 points per page",
    );
    assert_eq!(refused(&hostile::path_flood(500), &s).0, "ok");
}
