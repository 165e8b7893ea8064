//! Human-readable dumps of the intermediate stages (`--dump STAGE`).

use std::fmt::Write;

use crate::geom::{BBox, PageContent};
use crate::layout::PageLayout;
use crate::layout::{dedupe_glyphs, glyphs_to_words, words_to_lines};
use crate::place::map::{FieldValue, FormFields};
use crate::settings::LayoutSettings;

fn b(b: &BBox) -> String {
    format!("[{:.1} {:.1} {:.1} {:.1}]", b.x0, b.top, b.x1, b.bottom)
}

/// One line per glyph: page, character, box, size.
pub fn glyphs(pages: &[PageContent]) -> String {
    let mut s = String::new();
    for p in pages {
        let _ = writeln!(
            s,
            "# page {} ({:.1} x {:.1} pt), {} glyphs, {} edges",
            p.number,
            p.width,
            p.height,
            p.glyphs.len(),
            p.edges.len()
        );
        for g in &p.glyphs {
            let _ = writeln!(s, "{}\t{:?}\t{}\t{:.1}", p.number, g.ch, b(&g.bbox), g.size);
        }
        for e in &p.edges {
            let _ = writeln!(
                s,
                "{}\tedge {:?}\t{}",
                p.number,
                e.orientation,
                b(&BBox::new(e.x0, e.top, e.x1, e.bottom))
            );
        }
    }
    s
}

/// The page's text lines (all glyphs, deduplicated), top to bottom.
pub fn lines(pages: &[PageContent], settings: &LayoutSettings) -> String {
    let mut s = String::new();
    for p in pages {
        let _ = writeln!(s, "# page {}", p.number);
        let g = dedupe_glyphs(&p.glyphs, settings);
        for l in words_to_lines(&glyphs_to_words(&g, settings), settings) {
            let _ = writeln!(s, "{}\t{}", b(&l.bbox), l.text());
        }
    }
    s
}

/// Tables and their cells with text, and the free lines.
pub fn cells(layouts: &[PageLayout]) -> String {
    let mut s = String::new();
    for p in layouts {
        let _ = writeln!(s, "# page {}", p.page);
        for l in &p.free_lines {
            let _ = writeln!(s, "free {}\t{}", b(&l.line.bbox), l.line.text);
        }
        for (ti, t) in p.tables.iter().enumerate() {
            let _ = writeln!(s, "table {ti} {}", b(&t.bbox));
            for c in &t.cells {
                let text = c
                    .lines
                    .iter()
                    .map(|l| format!("{}{}", if l.starts_paragraph { "¶" } else { "" }, l.text))
                    .collect::<Vec<_>>()
                    .join(" ⏎ ");
                let cut = match (c.cut_top, c.cut_bottom) {
                    (true, true) => " cut-top-bottom",
                    (true, false) => " cut-top",
                    (false, true) => " cut-bottom",
                    _ => "",
                };
                let _ = writeln!(
                    s,
                    "  r{} c{} {}x{}{cut} {}\t{}",
                    c.row,
                    c.col,
                    c.row_span,
                    c.col_span,
                    b(&c.bbox),
                    text
                );
            }
        }
    }
    s
}

/// A file's pages after [`crate::place::join::join_page_cuts`]: each form's
/// joins, then the cells as [`cells`] prints them.
pub fn table(layouts: &[PageLayout], forms: &[crate::place::join::JoinReport]) -> String {
    let mut s = String::new();
    for (i, f) in forms.iter().enumerate() {
        let _ = writeln!(
            s,
            "## form {} ({} joins across page cuts, {} repeated header rows dropped)",
            i + 1,
            f.joins.len(),
            f.repeated_headers
        );
        for j in &f.joins {
            let _ = writeln!(
                s,
                "join page {} {} <- page {} {}",
                j.page,
                b(&j.bbox),
                j.from_page,
                b(&j.from)
            );
        }
    }
    s.push_str(&cells(layouts));
    s
}

/// What the mapping assigned to each field.
pub fn fields(forms: &[FormFields]) -> String {
    let mut s = String::new();
    for (i, f) in forms.iter().enumerate() {
        let _ = writeln!(s, "# form {i}, pages {:?}", f.pages);
        if let Some(t) = &f.title {
            let _ = writeln!(s, "title\t{}", t.line.text);
        }
        if let Some(y) = &f.year {
            let _ = writeln!(s, "year\t{}", y.line.text);
        }
        if let Some((u, _, _)) = &f.unit {
            let _ = writeln!(s, "unit\t{u}");
        }
        for h in &f.hits {
            match &h.value {
                FieldValue::Cells { cells } => {
                    let t: Vec<String> = cells
                        .iter()
                        .map(|c| c.text().replace('\n', " ⏎ "))
                        .collect();
                    let _ = writeln!(s, "{}\t{}", h.key, t.join(" ‖ "));
                }
                FieldValue::Inline { text, .. } => {
                    let _ = writeln!(s, "{}\t(inline) {text}", h.key);
                }
                FieldValue::Funding { rows } => {
                    for r in rows {
                        let t = |c: &Option<crate::layout::CellRef>| {
                            c.as_ref()
                                .map(|c| c.text().replace('\n', ""))
                                .unwrap_or_else(|| "∅".into())
                        };
                        let _ = writeln!(s, "{}\t{} | {}", h.key, t(&r.name), t(&r.amount));
                    }
                }
                FieldValue::Indicators { rows } => {
                    for r in rows {
                        let t = |c: &Option<crate::layout::CellRef>| {
                            c.as_ref()
                                .map(|c| c.text().replace('\n', ""))
                                .unwrap_or_else(|| "∅".into())
                        };
                        let _ = writeln!(
                            s,
                            "{}\t{} | {} | {} | {}{}",
                            h.key,
                            t(&r.level1),
                            t(&r.level2),
                            t(&r.level3),
                            t(&r.target),
                            r.remark
                                .as_ref()
                                .map_or(String::new(), |c| format!(" | {}", c.text()))
                        );
                    }
                }
                FieldValue::Rows { rows } => {
                    for r in rows {
                        let t: Vec<String> = r
                            .iter()
                            .map(|c| {
                                c.as_ref()
                                    .map(|c| c.text().replace('\n', ""))
                                    .unwrap_or_else(|| "∅".into())
                            })
                            .collect();
                        let _ = writeln!(s, "{}\t{}", h.key, t.join(" | "));
                    }
                }
            }
        }
        for o in &f.orphans {
            let _ = writeln!(
                s,
                "orphan p{} {}\t{}",
                o.page,
                b(&o.bbox),
                o.text().replace('\n', " ⏎ ")
            );
        }
    }
    s
}
