//! The PDF backend on small PDFs from scripts/make_backend_test_pdfs.py.

use std::path::{Path, PathBuf};

use shenbao::Error;
use shenbao::geom::{Edge, Orientation, PageContent};
use shenbao::read::pdf::{PdfSettings, read_pages};
use shenbao::text::strip_whitespace;

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
    let want = strip_whitespace(&std::fs::read_to_string(data("libreoffice_form.txt")).unwrap());
    let got = strip_whitespace(&text(&pages[0]));
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

// Clipping: small PDFs built here with lopdf. The page is 595 x 842 (top
// = 842 - y); text is Helvetica 10 (glyph box centre 3.8 above the
// baseline).

/// A one-page PDF: `content`, font /F1 (Helvetica), optional /CropBox and
/// Form XObject /Fm0 (content, /BBox).
fn clip_page(content: &str, crop: Option<[i64; 4]>, form: Option<(&str, [i64; 4])>) -> PageContent {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if let Some((body, bbox)) = form {
        let fm = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => bbox.iter().map(|&v| v.into()).collect::<Vec<Object>>(),
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            },
            body.as_bytes().to_vec(),
        ));
        resources.set("XObject", dictionary! { "Fm0" => fm });
    }
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let mut page = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => resources,
    };
    if let Some(c) = crop {
        page.set(
            "CropBox",
            c.iter().map(|&v| v.into()).collect::<Vec<Object>>(),
        );
    }
    let page_id = doc.add_object(page);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let mut pages = read_pages(Path::new("clip.pdf"), &bytes, &PdfSettings::default())
        .unwrap_or_else(|e| panic!("{e}"));
    pages.remove(0)
}

/// `BT /F1 10 Tf x y Td (s) Tj ET`.
fn show_at(x: i64, y: i64, s: &str) -> String {
    format!(" BT /F1 10 Tf {x} {y} Td ({s}) Tj ET ")
}

#[test]
fn text_inside_a_clip_is_kept() {
    let p = clip_page(
        &format!("q 50 700 200 50 re W n{}Q", show_at(100, 720, "In")),
        None,
        None,
    );
    assert_eq!(text(&p), "In");
}

#[test]
fn text_clipped_away_by_re_w_n_is_dropped() {
    // The LibreOffice case: a merged cell's copy painted below the bottom
    // margin's clip, then the visible copy inside it.
    let c = format!(
        "q 0 60 595 722 re W n{}{}Q",
        show_at(100, 40, "Margin"),
        show_at(100, 720, "In")
    );
    assert_eq!(text(&clip_page(&c, None, None)), "In");
    // Even-odd clip and a clip set by a painting operator behave the same.
    let c = format!("q 0 60 595 722 re W* n{}Q", show_at(100, 40, "Margin"));
    assert_eq!(text(&clip_page(&c, None, None)), "");
    let c = format!("q 0 60 595 722 re W f{}Q", show_at(100, 40, "Margin"));
    assert_eq!(text(&clip_page(&c, None, None)), "");
}

#[test]
fn clip_is_restored_by_q() {
    let c = format!(
        "q 50 700 200 50 re W n{}Q{}",
        show_at(100, 600, "Hidden"),
        show_at(100, 600, "Shown")
    );
    assert_eq!(text(&clip_page(&c, None, None)), "Shown");
}

#[test]
fn nested_clips_intersect() {
    // x 0..300, then x 200..595: only 200..300 is visible.
    let c = format!(
        "q 0 0 300 842 re W n q 200 0 395 842 re W n{}{}{}Q{}Q",
        show_at(100, 700, "A"),
        show_at(250, 700, "B"),
        show_at(400, 700, "C"),
        show_at(100, 700, "D"),
    );
    assert_eq!(text(&clip_page(&c, None, None)), "BD");
}

#[test]
fn clip_is_inherited_by_a_form_xobject() {
    // The page clips to x 0..200; the form shows text at 100 and 300 and
    // sets its own clip, which ends with the form.
    let form = format!(
        "{}{} 0 0 10 10 re W n{}",
        show_at(100, 700, "A"),
        show_at(300, 700, "B"),
        show_at(100, 600, "C")
    );
    let c = format!("q 0 0 200 842 re W n /Fm0 Do Q{}", show_at(100, 500, "D"));
    let p = clip_page(&c, None, Some((&form, [0, 0, 595, 842])));
    assert_eq!(text(&p), "AD");
}

#[test]
fn an_edge_half_outside_the_clip_is_cut() {
    // Clip x 100..300, y 100..700 (top 142..742).
    let p = clip_page(
        "q 100 100 200 600 re W n 50 400 m 500 400 l S 150 50 m 150 800 l S \
         400 50 m 400 800 l S 50 750 m 500 750 l S 120 300 180 1 re f Q",
        None,
        None,
    );
    assert!(has_h(&p.edges, 100.0, 300.0, 442.0), "{:#?}", p.edges);
    assert!(has_v(&p.edges, 150.0, 142.0, 742.0), "{:#?}", p.edges);
    // A thin filled rectangle is cut too.
    assert!(has_h(&p.edges, 120.0, 300.0, 541.5), "{:#?}", p.edges);
    // x 400 and y 750 lie wholly outside.
    assert_eq!(p.edges.len(), 3, "{:#?}", p.edges);
}

#[test]
fn a_cell_clip_keeps_the_cell_border_painted_with_it() {
    // The clip takes effect after the painting operator, and a border on
    // the clip's own boundary is inside it.
    let p = clip_page(
        &format!("50 400 200 20 re W S{}", show_at(60, 405, "x")),
        None,
        None,
    );
    assert_eq!(p.edges.len(), 4, "{:#?}", p.edges);
    assert_eq!(text(&p), "x");
}

#[test]
fn non_rectangular_clip_uses_its_bounding_box() {
    // A triangle: (200, 700) is outside it but inside its bounding box.
    let c = format!(
        "q 100 600 m 300 600 l 100 800 l h W n{}{}Q",
        show_at(200, 700, "A"),
        show_at(400, 700, "B")
    );
    assert_eq!(text(&clip_page(&c, None, None)), "A");
    // A curve bulging from y 400 up to 550: its control points count.
    let c = format!(
        "q 100 400 m 100 600 300 600 300 400 c h W n{}{}Q",
        show_at(150, 500, "A"),
        show_at(150, 300, "B")
    );
    assert_eq!(text(&clip_page(&c, None, None)), "A");
    // A rotated square: a diamond around (300, 400), half-diagonal 70.7,
    // set under a rotating CTM that is then undone. (240, 450) is outside
    // the diamond, inside its bounding box.
    let c = format!(
        "q 0.70711 0.70711 -0.70711 0.70711 300 329.29 cm 0 0 100 100 re W n \
         0.70711 -0.70711 0.70711 0.70711 -444.98 -20.71 cm{}{}Q",
        show_at(240, 450, "A"),
        show_at(400, 400, "B")
    );
    assert_eq!(text(&clip_page(&c, None, None)), "A");
}

#[test]
fn text_outside_the_crop_box_is_dropped() {
    // Crop box x 0..300, y 100..842: text at x 400 and below y 100 goes.
    let c = format!(
        "{}{}{}",
        show_at(100, 700, "A"),
        show_at(400, 700, "B"),
        show_at(100, 50, "C")
    );
    let p = clip_page(&c, Some([0, 100, 300, 842]), None);
    assert_eq!(text(&p), "A");
    // Off the media box (no crop box) too.
    let c = format!("{}{}", show_at(100, 700, "A"), show_at(100, -30, "B"));
    assert_eq!(text(&clip_page(&c, None, None)), "A");
}

#[test]
fn invisible_text_3_tr_is_kept() {
    // OCR text layers draw their words with render mode 3.
    let c = " BT 3 Tr /F1 10 Tf 100 700 Td (Layer) Tj ET ";
    assert_eq!(text(&clip_page(c, None, None)), "Layer");
}
