//! Generated hostile inputs, one per case of issue 15: small files that
//! once stalled a batch or exhausted its memory. Each comes with the
//! failure codes it may end with (`"ok"` for a record); the budgets that
//! stop it are in `PdfSettings` (docs/read-pdf.md, "Budgets").
//!
//! Shared by `tests/budgets.rs` and `tests/fuzz.rs` (the fuzz harness,
//! also run at length by `scripts/fuzz.sh`).
#![allow(dead_code)]

use std::io::Write;

/// One generated input and the outcomes allowed for it.
pub struct Case {
    pub name: &'static str,
    /// Makes the input (only when run: some are tens of MB).
    pub make: fn() -> Vec<u8>,
    /// Failure codes it may end with; `"ok"` for records.
    pub expect: &'static [&'static str],
}

/// A PDF from object bodies: `objs[i]` is object `i + 1` (object 1 the
/// catalog), with a correct cross-reference table.
pub fn pdf(objs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objs.len());
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    )
    .unwrap();
    out
}

/// A stream object body: `dict` (without the `<< >>`) plus /Length.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// 2 GiB of zero bytes, deflated (about 2 MB): made once per run.
pub fn deflated_2g() -> Vec<u8> {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| deflated_zeros(2 << 30)).clone()
}

/// `n` zero bytes, deflated (zlib), written in 1 MiB pieces.
pub fn deflated_zeros(n: usize) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        enc.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    enc.finish().unwrap()
}

/// A one-page PDF: catalog, pages, page (A4) with font /F1 (Helvetica)
/// and the XObjects `xobjects` (name, object number), content `content`,
/// and `extra` objects numbered from 6 on.
pub fn one_page(content: &[u8], xobjects: &[(&str, usize)], extra: Vec<Vec<u8>>) -> Vec<u8> {
    let xo: String = xobjects
        .iter()
        .map(|(n, id)| format!("/{n} {id} 0 R "))
        .collect();
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> /XObject << {xo}>> >> >>"
        )
        .into_bytes(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    objs.extend(extra);
    pdf(&objs)
}

/// The same glyph painted at the same spot `n` times.
pub fn same_spot_glyphs(n: usize) -> Vec<u8> {
    let mut c = b"BT /F1 12 Tf\n".to_vec();
    for _ in 0..n {
        c.extend_from_slice(b"1 0 0 1 100 700 Tm (A) Tj\n");
    }
    c.extend_from_slice(b"ET");
    one_page(&c, &[], vec![])
}

/// `n` dashes on one line, squeezed to fit (`Tz`), one string.
pub fn dashes_on_one_line(n: usize) -> Vec<u8> {
    let mut c = b"BT /F1 10 Tf 0.1 Tz 20 700 Td (".to_vec();
    c.extend(std::iter::repeat_n(b'-', n));
    c.extend_from_slice(b") Tj ET");
    one_page(&c, &[], vec![])
}

/// Form XObjects calling each other `depth` levels deep, `fanout` times
/// each: fanout^depth invocations, the last level painting a glyph.
pub fn xobject_fanout(depth: usize, fanout: usize) -> Vec<u8> {
    // Objects 6.. are the forms X0..X{depth-1}.
    let mut extra = Vec::new();
    for k in 0..depth {
        let (body, res) = if k + 1 < depth {
            let call = format!("/X{} Do\n", k + 1).repeat(fanout);
            (call, format!("/XObject << /X{} {} 0 R >>", k + 1, 7 + k))
        } else {
            (
                "BT /F1 12 Tf 100 700 Td (A) Tj ET".to_string(),
                "/Font << /F1 5 0 R >>".to_string(),
            )
        };
        extra.push(stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << {res} >>"),
            body.as_bytes(),
        ));
    }
    one_page(b"/X0 Do", &[("X0", 6)], extra)
}

/// A font whose ToUnicode stream is `bomb` (deflated zeros).
pub fn tounicode_bomb(bomb: Vec<u8>) -> Vec<u8> {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>";
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        stream("", b"BT /F1 12 Tf 100 700 Td (A) Tj ET"),
        font.as_bytes().to_vec(),
    ];
    objs.push(stream("/Filter /FlateDecode", &bomb));
    pdf(&objs)
}

/// A Form XObject whose stream is `bomb` (deflated zeros).
pub fn form_bomb(bomb: Vec<u8>) -> Vec<u8> {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode",
        &bomb,
    );
    one_page(b"/X0 Do", &[("X0", 6)], vec![form])
}

/// A font whose ToUnicode stream is `bomb` and a Form XObject whose stream
/// is `bomb` too: two streams inflating to its size.
pub fn tounicode_bomb_and_form(bomb: Vec<u8>) -> Vec<u8> {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>";
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> /XObject << /X0 7 0 R >> >> >>"
            .to_vec(),
        stream("", b"BT /F1 12 Tf 100 700 Td (A) Tj ET /X0 Do"),
        font.as_bytes().to_vec(),
        stream("/Filter /FlateDecode", &bomb),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode",
            &bomb,
        ),
    ];
    pdf(&objs)
}

/// A page whose content stream is `bomb` (deflated zeros).
pub fn content_bomb(bomb: Vec<u8>) -> Vec<u8> {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &bomb),
    ];
    pdf(&objs)
}

/// A content stream showing one string operand of `n` bytes.
pub fn huge_string(n: usize) -> Vec<u8> {
    let mut c = b"BT /F1 12 Tf 100 700 Td (".to_vec();
    c.extend(std::iter::repeat_n(b'x', n));
    c.extend_from_slice(b") Tj ET");
    one_page(&c, &[], vec![])
}

/// `n` nested parentheses: in a content-stream string and in an object
/// (the document information dictionary's /Title).
pub fn nested_parens(n: usize) -> Vec<u8> {
    let nest = |v: &mut Vec<u8>| {
        v.extend(std::iter::repeat_n(b'(', n));
        v.extend(std::iter::repeat_n(b')', n));
    };
    let mut c = b"BT /F1 12 Tf 100 700 Td ".to_vec();
    nest(&mut c);
    c.extend_from_slice(b" Tj ET");
    let mut info = b"<< /Title ".to_vec();
    nest(&mut info);
    info.extend_from_slice(b" >>");
    one_page(&c, &[], vec![info])
}

/// `n` nested arrays in an object and in a content stream.
pub fn nested_arrays(n: usize) -> Vec<u8> {
    let nest = |v: &mut Vec<u8>| {
        v.extend(std::iter::repeat_n(b'[', n));
        v.extend(std::iter::repeat_n(b']', n));
    };
    let mut c = b"BT /F1 12 Tf 100 700 Td ".to_vec();
    nest(&mut c);
    c.extend_from_slice(b" TJ ET");
    let mut other = b"<< /Deep ".to_vec();
    nest(&mut other);
    other.extend_from_slice(b" >>");
    one_page(&c, &[], vec![other])
}

/// `rows` lines of `cols` distinct glyphs each, in a 1 pt font: the
/// layout stages (words, lines, cells) on half a million glyphs.
pub fn glyph_grid(rows: usize, cols: usize) -> Vec<u8> {
    let mut c = b"BT /F1 1 Tf\n".to_vec();
    let line = "ab".repeat(cols / 2);
    for r in 0..rows {
        writeln!(c, "1 0 0 1 20 {:.2} Tm ({line}) Tj", 20.0 + r as f64 * 1.1).unwrap();
    }
    c.extend_from_slice(b"ET");
    one_page(&c, &[], vec![])
}

/// A table of `n` x `n` ruled cells, a glyph in each.
pub fn cell_grid(n: usize) -> Vec<u8> {
    let mut c = b"0.1 w\n".to_vec();
    let (w, h) = (550.0 / n as f64, 800.0 / n as f64);
    for i in 0..=n {
        let (x, y) = (20.0 + i as f64 * w, 20.0 + i as f64 * h);
        writeln!(c, "20 {y:.2} m 570 {y:.2} l S {x:.2} 20 m {x:.2} 820 l S").unwrap();
    }
    c.extend_from_slice(b"BT /F1 1 Tf\n");
    for r in 0..n {
        for k in 0..n {
            let (x, y) = (20.3 + k as f64 * w, 20.3 + r as f64 * h);
            writeln!(c, "1 0 0 1 {x:.2} {y:.2} Tm (a) Tj").unwrap();
        }
    }
    c.extend_from_slice(b"ET");
    one_page(&c, &[], vec![])
}

/// `n` operators that do nothing (`n`, ending no path), uncompressed.
pub fn operator_flood(n: usize) -> Vec<u8> {
    let c = b"n\n".repeat(n);
    one_page(&c, &[], vec![])
}

/// `n` short stroked segments (ruling-line candidates) on one page.
pub fn path_flood(n: usize) -> Vec<u8> {
    let mut c = Vec::with_capacity(n * 24);
    for i in 0..n {
        let y = 50 + (i % 700);
        let x = 50 + (i / 700) % 400;
        writeln!(c, "{x} {y} m {} {y} l S", x + 2).unwrap();
    }
    one_page(&c, &[], vec![])
}

/// A page tree of `n` pages sharing one empty content stream.
pub fn many_pages(n: usize) -> Vec<u8> {
    let kids: String = (0..n).map(|i| format!("{} 0 R ", 5 + i)).collect();
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>").into_bytes(),
        stream("", b""),
        b"<< >>".to_vec(),
    ];
    for _ in 0..n {
        objs.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>".to_vec(),
        );
    }
    pdf(&objs)
}

/// `pages` pages sharing one content stream that paints a 50-glyph Form
/// XObject `calls` times at one spot: slow (millions of glyphs) but
/// within every budget when `calls` <= 9,000 and `pages * calls * 50` <=
/// 4,000,000.
pub fn slow_pages(pages: usize, calls: usize) -> Vec<u8> {
    let kids: String = (0..pages).map(|i| format!("{} 0 R ", 7 + i)).collect();
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {pages} >>").into_bytes(),
        stream("", "/X Do\n".repeat(calls).as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>",
            format!("BT /F1 12 Tf 100 700 Td ({}) Tj ET", "x".repeat(50)).as_bytes(),
        ),
        b"<< /XObject << /X 5 0 R >> >>".to_vec(),
    ];
    for _ in 0..pages {
        objs.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R /Resources 6 0 R >>"
                .to_vec(),
        );
    }
    pdf(&objs)
}

/// An object holding an array of `n` numbers: nothing for the content
/// budgets, but the PDF parser's objects take some 120 bytes a number.
pub fn parser_array(n: usize) -> Vec<u8> {
    let mut big = b"<< /Big [".to_vec();
    big.extend(b"0 ".repeat(n));
    big.extend_from_slice(b"] >>");
    one_page(b"", &[], vec![big])
}

/// A page that is one big image and no text: a scan, which goes to OCR
/// (`w` × `h` gray pixels, deflated, painted over the whole page).
pub fn big_scan(w: usize, h: usize) -> Vec<u8> {
    // Mid-gray noise-free stripes: cheap to store, slow to render and read.
    let mut px = vec![255u8; w * h];
    for (i, p) in px.iter_mut().enumerate() {
        if (i / w) % 40 < 2 || (i % w) % 60 < 2 {
            *p = 0;
        }
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&px).unwrap();
    let img = stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Filter /FlateDecode"
        ),
        &enc.finish().unwrap(),
    );
    one_page(b"q 595 0 0 842 0 0 cm /Im0 Do Q", &[("Im0", 6)], vec![img])
}

/// Every case at the size the issue measured it, and what it must end as.
/// `"no_form"`: read within budget, no form in it (the right answer).
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "same_spot_glyphs_100k",
            make: || same_spot_glyphs(100_000),
            expect: &["no_form"],
        },
        Case {
            name: "dashes_on_one_line_40k",
            make: || dashes_on_one_line(40_000),
            expect: &["no_form"],
        },
        Case {
            name: "glyph_grid_490k",
            make: || glyph_grid(700, 700),
            expect: &["no_form"],
        },
        Case {
            name: "cell_grid_300x300",
            make: || cell_grid(300),
            expect: &["no_form"],
        },
        Case {
            name: "xobject_fanout_10x1000",
            make: || xobject_fanout(10, 1000),
            expect: &["too_complex"],
        },
        Case {
            name: "tounicode_bomb_2g",
            make: || tounicode_bomb(deflated_2g()),
            expect: &["too_complex"],
        },
        Case {
            name: "form_bomb_2g",
            make: || form_bomb(deflated_2g()),
            expect: &["too_complex"],
        },
        Case {
            name: "content_bomb_2g",
            make: || content_bomb(deflated_2g()),
            expect: &["too_complex"],
        },
        Case {
            name: "huge_string_50m",
            make: || huge_string(50 << 20),
            expect: &["too_complex"],
        },
        Case {
            name: "nested_parens_100k",
            make: || nested_parens(100_000),
            expect: &["no_form"],
        },
        Case {
            name: "nested_arrays_100k",
            make: || nested_arrays(100_000),
            expect: &["too_complex"],
        },
        Case {
            name: "operator_flood_30m",
            make: || operator_flood(30_000_000),
            expect: &["too_complex"],
        },
        Case {
            name: "parser_array_10m",
            make: || parser_array(10_000_000),
            expect: &["too_complex"],
        },
        Case {
            name: "path_flood_1m",
            make: || path_flood(1 << 20),
            expect: &["too_complex"],
        },
    ]
}
