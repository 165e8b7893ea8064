//! The PDF backend on small PDFs from scripts/make_backend_test_pdfs.py.

use std::path::{Path, PathBuf};

use shenbao::Error;
use shenbao::geom::{Edge, Orientation, PageContent};
use shenbao::pdf::{PdfSettings, read_pages};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(name: &str) -> Vec<PageContent> {
    read_with(name, &PdfSettings::default())
}

fn read_with(name: &str, s: &PdfSettings) -> Vec<PageContent> {
    let p = data(name);
    let bytes = std::fs::read(&p).unwrap();
    read_pages(&p, &bytes, s).unwrap_or_else(|e| panic!("{e}"))
}

fn text(p: &PageContent) -> String {
    p.glyphs.iter().map(|g| g.ch).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

fn has_h(edges: &[Edge], x0: f64, x1: f64, y: f64) -> bool {
    edges.iter().any(|e| {
        e.orientation == Orientation::Horizontal
            && close(e.x0, x0)
            && close(e.x1, x1)
            && close(e.top, y)
    })
}

fn has_v(edges: &[Edge], x: f64, top: f64, bottom: f64) -> bool {
    edges.iter().any(|e| {
        e.orientation == Orientation::Vertical
            && close(e.x0, x)
            && close(e.top, top)
            && close(e.bottom, bottom)
    })
}

#[test]
fn gbk_euc_h_font_without_tounicode_decodes_cjk() {
    let pages = read("gbk_euc_h.pdf");
    assert_eq!(pages.len(), 1);
    assert_eq!(
        text(&pages[0]),
        "上海市财政支出项目绩效目标申报表(2019年) ABC 123"
    );
}

#[test]
fn gbk_euc_h_single_byte_ascii_takes_its_width_from_w_via_adobe_gb1_cid() {
    let p = &read("gbk_euc_h.pdf")[0];
    // 20 pt ideographs: /DW 1000 -> 20 pt each, starting at x = 50.
    let g0 = &p.glyphs[0];
    assert!(
        close(g0.bbox.x0, 50.0) && close(g0.bbox.x1, 70.0),
        "{:?}",
        g0.bbox
    );
    // Line 2 at 12 pt: "(" is CID 9 in [1 95 500] -> 6 pt; "年" is 2-byte -> 12 pt.
    let line2: Vec<_> = p.glyphs.iter().filter(|g| close(g.size, 12.0)).collect();
    assert_eq!(line2[0].ch, '(');
    assert!(close(line2[0].bbox.x0, 50.0) && close(line2[0].bbox.x1, 56.0));
    let nian = line2.iter().find(|g| g.ch == '年').unwrap();
    assert!(
        close(nian.bbox.x0, 80.0) && close(nian.bbox.x1, 92.0),
        "{:?}",
        nian.bbox
    );
    let three = line2.last().unwrap();
    assert_eq!(three.ch, '3');
    assert!(close(three.bbox.x1, 146.0), "{:?}", three.bbox);
}

#[test]
fn glyph_box_runs_from_ascent_to_descent_in_top_left_coordinates() {
    let p = &read("gbk_euc_h.pdf")[0];
    // Baseline y = 780 in a 842 pt page: 62 pt from the top; size 20.
    let b = p.glyphs[0].bbox;
    assert!(close(b.top, 62.0 - 0.88 * 20.0), "{b:?}");
    assert!(close(b.bottom, 62.0 + 0.12 * 20.0), "{b:?}");
    assert!(close(p.glyphs[0].size, 20.0));
    assert!(close(p.width, 595.0) && close(p.height, 842.0));
}

#[test]
fn unigb_ucs2_h_font_decodes_utf16_code_units() {
    let p = &read("unigb_ucs2_h.pdf")[0];
    assert_eq!(text(p), "项目名称：信息化建设（一期）");
    // Full-width punctuation is left as is; every code is /DW 1000 wide.
    for (i, g) in p.glyphs.iter().enumerate() {
        assert!(close(g.bbox.x0, 72.0 + 10.0 * i as f64), "{i} {:?}", g.bbox);
    }
}

#[test]
fn kangxi_radicals_fold_to_ideographs() {
    let p = &read("kangxi_tounicode.pdf")[0];
    assert!(text(p).starts_with("人工金"), "{}", text(p));
}

#[test]
fn tounicode_code_with_several_chars_splits_its_advance() {
    let p = &read("kangxi_tounicode.pdf")[0];
    let f = p.glyphs.iter().position(|g| g.ch == 'f').unwrap();
    let (gf, gi) = (&p.glyphs[f], &p.glyphs[f + 1]);
    assert_eq!(gi.ch, 'i');
    // CID 4 is 600 wide at 12 pt = 7.2 pt, split in two.
    assert!(
        close(gf.bbox.x0, 136.0) && close(gf.bbox.x1, 139.6),
        "{:?}",
        gf.bbox
    );
    assert!(
        close(gi.bbox.x0, 139.6) && close(gi.bbox.x1, 143.2),
        "{:?}",
        gi.bbox
    );
}

#[test]
fn tj_array_numbers_move_the_next_glyph_and_w_ranges_give_widths() {
    let p = &read("kangxi_tounicode.pdf")[0];
    let t = text(p);
    assert!(t.ends_with("123"), "{t}");
    let n = p.glyphs.len();
    let (g1, g2, g3) = (&p.glyphs[n - 3], &p.glyphs[n - 2], &p.glyphs[n - 1]);
    // CIDs 16..18 are 500 wide (range form of /W) = 6 pt; -500 moves 6 pt right.
    assert!(
        close(g1.bbox.x0, 143.2) && close(g1.bbox.x1, 149.2),
        "{:?}",
        g1.bbox
    );
    assert!(
        close(g2.bbox.x0, 155.2) && close(g2.bbox.x1, 161.2),
        "{:?}",
        g2.bbox
    );
    assert!(close(g3.bbox.x0, 161.2), "{:?}", g3.bbox);
}

#[test]
fn libreoffice_form_reads_all_text_and_table_rulings() {
    let pages = read("libreoffice_form.pdf");
    assert_eq!(pages.len(), 1);
    let want: String = std::fs::read_to_string(data("libreoffice_form.txt"))
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let got: String = text(&pages[0])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(got, want);
    let edges = &pages[0].edges;
    let h = edges
        .iter()
        .filter(|e| e.orientation == Orientation::Horizontal)
        .count();
    let v = edges.len() - h;
    // 5 rows: 6 horizontal rules; 2 full-height verticals plus 3 inner
    // column rules (the inner ones span only the 4-cell rows).
    assert_eq!((h, v), (6, 5), "{edges:#?}");
}

#[test]
fn libreoffice_duplicate_strokes_are_deduplicated() {
    // rulings.pdf strokes 100..300 at y=700 three times (one 0.1 pt off).
    let p = &read("rulings.pdf")[0];
    let at_142: Vec<_> = p
        .edges
        .iter()
        .filter(|e| e.orientation == Orientation::Horizontal && (e.top - 142.0).abs() < 1.0)
        .collect();
    assert_eq!(at_142.len(), 1, "{at_142:?}");
    assert!(has_h(&p.edges, 100.0, 300.0, 142.0));
    // And the LibreOffice form has no two edges on top of each other.
    let lo = &read("libreoffice_form.pdf")[0];
    for (i, a) in lo.edges.iter().enumerate() {
        for b in &lo.edges[i + 1..] {
            let same = a.orientation == b.orientation
                && (a.x0 - b.x0).abs() < 0.5
                && (a.top - b.top).abs() < 0.5
                && (a.x1 - b.x1).abs() < 0.5
                && (a.bottom - b.bottom).abs() < 0.5;
            assert!(!same, "{a:?} {b:?}");
        }
    }
}

#[test]
fn stroked_rectangle_gives_four_edges() {
    let p = &read("rulings.pdf")[0];
    // 100 500 200 100 re S -> y 500 and 600 -> top 342 and 242.
    assert!(has_h(&p.edges, 100.0, 300.0, 342.0));
    assert!(has_h(&p.edges, 100.0, 300.0, 242.0));
    assert!(has_v(&p.edges, 100.0, 242.0, 342.0));
    assert!(has_v(&p.edges, 300.0, 242.0, 342.0));
}

#[test]
fn thin_filled_rects_become_ruling_lines_at_their_centre() {
    let p = &read("rulings.pdf")[0];
    assert!(has_h(&p.edges, 100.0, 300.0, 842.0 - 450.25)); // re f
    assert!(has_h(&p.edges, 100.0, 300.0, 842.0 - 440.3)); // re f*
    assert!(has_v(&p.edges, 100.0, 442.0, 542.0)); // re B: one centre line, no outline
    assert!(has_v(&p.edges, 400.4, 442.0, 542.0)); // closed m/l rectangle, f
}

#[test]
fn cell_background_is_not_an_edge_by_default() {
    let p = &read("rulings.pdf")[0];
    assert!(
        !p.edges
            .iter()
            .any(|e| close(e.x0, 110.0) || close(e.x1, 190.0))
    );
    let s = PdfSettings {
        filled_rect_sides_as_edges: true,
        ..Default::default()
    };
    let p = &read_with("rulings.pdf", &s)[0];
    // 110 610 80 30 re f -> tops 202 and 232.
    assert!(has_h(&p.edges, 110.0, 190.0, 202.0));
    assert!(has_h(&p.edges, 110.0, 190.0, 232.0));
    assert!(has_v(&p.edges, 110.0, 202.0, 232.0));
    assert!(has_v(&p.edges, 190.0, 202.0, 232.0));
}

#[test]
fn diagonal_lines_and_curves_are_dropped_and_the_ctm_applies() {
    let p = &read("rulings.pdf")[0];
    // Expected: 6 horizontals, 4 verticals; nothing from the diagonal
    // (100,100)-(200,200) or the curve at y=100.
    assert_eq!(p.edges.len(), 10, "{:#?}", p.edges);
    // 2 0 0 2 50 50 cm, 0 0 m 50 0 l -> (50,50)-(150,50) -> top 792.
    assert!(has_h(&p.edges, 50.0, 150.0, 792.0));
}

fn err_of(name: &str, bytes: &[u8]) -> Error {
    read_pages(Path::new(name), bytes, &PdfSettings::default()).unwrap_err()
}

#[test]
fn empty_file_is_an_error_naming_it() {
    let e = err_of("/in/empty.pdf", b"");
    assert!(matches!(e, Error::Empty { .. }), "{e:?}");
    assert!(e.to_string().contains("/in/empty.pdf"), "{e}");
    assert_eq!(e.code(), "empty");
}

#[test]
fn file_without_pdf_header_is_not_pdf() {
    let e = err_of("notes.pdf", "申报表\n项目名称 x\n".as_bytes());
    assert!(matches!(e, Error::NotPdf { .. }), "{e:?}");
    assert!(e.to_string().contains("notes.pdf"));
}

#[test]
fn truncated_pdf_is_damaged_not_a_panic() {
    let bytes = std::fs::read(data("libreoffice_form.pdf")).unwrap();
    for cut in [20, 200, bytes.len() / 3, bytes.len() / 2] {
        let r = read_pages(Path::new("cut.pdf"), &bytes[..cut], &PdfSettings::default());
        match r {
            Err(Error::Damaged { file, reason }) => {
                assert_eq!(file, Path::new("cut.pdf"));
                assert!(!reason.is_empty());
            }
            // lopdf may rebuild the xref of a half file and find some pages;
            // what it must never do is panic or return another error kind.
            Ok(_) | Err(Error::Page { .. }) => {}
            Err(e) => panic!("cut at {cut}: {e:?}"),
        }
    }
}

#[test]
fn header_then_garbage_is_damaged() {
    let e = err_of("junk.pdf", b"%PDF-1.7\nthis is not a pdf at all\n");
    assert!(matches!(e, Error::Damaged { .. }), "{e:?}");
}

#[test]
fn encrypted_pdf_without_the_password_is_an_encrypted_error() {
    let p = data("encrypted.pdf");
    let bytes = std::fs::read(&p).unwrap();
    let e = read_pages(&p, &bytes, &PdfSettings::default()).unwrap_err();
    assert!(matches!(e, Error::Encrypted { .. }), "{e:?}");
    assert_eq!(e.code(), "encrypted");
}

#[test]
fn multi_page_file_numbers_pages_from_one() {
    let pages = read("libreoffice_3pages.pdf");
    assert!(pages.len() >= 2);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.number, i + 1);
        assert!(!p.glyphs.is_empty());
        assert!(!p.edges.is_empty());
    }
}

#[test]
fn encrypted_pdf_with_empty_user_password_opens() {
    // Permissions password only (RC4): readers open it without asking.
    let p = &read("encrypted_owner_only.pdf")[0];
    assert!(
        text(p).starts_with("上海市财政支出项目绩效目标申报表"),
        "{}",
        text(p)
    );
    assert_eq!(p.edges.len(), 11);
}

#[test]
fn form_xobject_text_and_paths_use_its_matrix_and_resources() {
    let p = &read("form_xobject_simple_font.pdf")[0];
    // /Differences maps code 65 to uni4E0A; widths from /FirstChar 49 /Widths.
    assert_eq!(text(p), "上b1");
    let g = &p.glyphs;
    assert!(
        close(g[0].bbox.x0, 100.0) && close(g[0].bbox.x1, 106.67),
        "{:?}",
        g[0].bbox
    );
    assert!(close(g[1].bbox.x1, 112.23) && close(g[2].bbox.x1, 117.79));
    // Baseline: form at y 700, page cm -100 -> 600 -> 242 from the top.
    assert!(close(g[0].bbox.bottom, 242.0 + 1.2), "{:?}", g[0].bbox);
    assert!(has_h(&p.edges, 100.0, 300.0, 252.0));
}

#[test]
fn rotated_page_is_returned_as_displayed() {
    let p = &read("form_xobject_simple_font.pdf")[1];
    assert_eq!(p.number, 2);
    assert!(close(p.width, 842.0) && close(p.height, 595.0));
    // A horizontal user-space line becomes vertical on a /Rotate 90 page.
    assert!(has_v(&p.edges, 700.0, 100.0, 300.0), "{:?}", p.edges);
    let b = p.glyphs[0].bbox;
    assert!(
        close(b.x0, 798.8) && close(b.x1, 808.8) && close(b.top, 100.0),
        "{b:?}"
    );
}

#[test]
fn standard_helvetica_without_widths_uses_afm_widths() {
    let p = &read("helvetica_no_widths.pdf")[0];
    assert_eq!(text(p), "Hello, World 2019/12/31 @x");
    // Word ends as pdftotext -bbox reports them: "Hello," 10..35.56,
    // "World" ..64.45, "@x" ..135.20.
    let comma = p.glyphs.iter().find(|g| g.ch == ',').unwrap();
    assert!(close(comma.bbox.x1, 35.56), "{:?}", comma.bbox);
    let d = p.glyphs.iter().find(|g| g.ch == 'd').unwrap();
    assert!(close(d.bbox.x1, 64.45), "{:?}", d.bbox);
    assert!(close(p.glyphs.last().unwrap().bbox.x1, 135.20));
}

#[test]
fn white_lines_are_invisible_and_give_no_edges() {
    let p = &read("rulings.pdf")[0];
    assert!(!p.edges.iter().any(|e| e.x0 >= 449.0), "{:#?}", p.edges);
}

#[test]
fn char_word_spacing_scaling_leading_and_quote_operators_apply() {
    let p = &read("text_state.pdf")[0];
    assert_eq!(text(p), "a bcdH");
    let g = &p.glyphs;
    let bx = |i: usize| (g[i].bbox.x0, g[i].bbox.x1, g[i].bbox.bottom);
    // a: (5.56 + Tc 2) * Tz 0.5; space adds Tw 5; baseline 842 - 700 = 142.
    let (x0, x1, bottom) = bx(0);
    assert!(
        close(x0, 100.0) && close(x1, 103.78) && close(bottom, 143.2),
        "{:?}",
        g[0].bbox
    );
    let (x0, x1, _) = bx(1);
    assert!(close(x0, 103.78) && close(x1, 108.67), "{:?}", g[1].bbox);
    assert!(close(g[2].bbox.x1, 112.45), "{:?}", g[2].bbox);
    // T* then ' : two lines of 12 down: baseline 166.
    assert!(
        close(g[3].bbox.x0, 100.0) && close(g[3].bbox.x1, 103.5) && close(g[3].bbox.bottom, 167.2)
    );
    // " sets Tw 1, Tc 0 and moves one more line: baseline 178.
    assert!(
        close(g[4].bbox.x1, 102.78) && close(g[4].bbox.bottom, 179.2),
        "{:?}",
        g[4].bbox
    );
    // Tm scaling 2: 5 pt font renders at 10 pt. Tz 50 is text state and
    // outlives ET: H = 722/1000 * 5 * 0.5 * 2.
    let h = &g[5];
    assert!(close(h.size, 10.0));
    assert!(
        close(h.bbox.x0, 300.0) && close(h.bbox.x1, 303.61) && close(h.bbox.top, 333.2),
        "{:?}",
        h.bbox
    );
}
