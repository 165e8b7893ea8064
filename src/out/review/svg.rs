//! A page drawn from what was read off it: its glyphs as text runs and
//! its ruling lines, as one SVG (points, top-left origin, the page's
//! own size). Small (a text run per line, one path for all rules), so a
//! report of hundreds of pages stays a few megabytes, and exactly what
//! the extractor saw.

use std::fmt::Write;

use crate::geom::{Glyph, PageContent};

/// The page as an SVG document.
pub fn page_to_svg(p: &PageContent) -> String {
    let mut out = String::with_capacity(4096 + p.glyphs.len() * 8);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.1} {h:.1}" width="{w:.1}" height="{h:.1}"><rect width="100%" height="100%" fill="#fff"/>"##,
        w = p.width,
        h = p.height
    );
    let mut rules = String::new();
    for e in &p.edges {
        let _ = write!(
            rules,
            "M{:.1} {:.1}L{:.1} {:.1}",
            e.x0, e.top, e.x1, e.bottom
        );
    }
    if !rules.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{rules}" stroke="#555" stroke-width="0.6" fill="none"/>"##
        );
    }
    out.push_str(r##"<g font-family="sans-serif" fill="#222">"##);
    for run in runs(&p.glyphs) {
        let (first, last) = (run[0], run[run.len() - 1]);
        let text: String = run.iter().map(|g| g.ch).collect();
        let width = (last.bbox.x1 - first.bbox.x0).max(0.1);
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="{:.1}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
            first.bbox.x0,
            first.bbox.bottom - 0.12 * first.size.max(1.0),
            first.size.max(1.0),
            width,
            escape(&text)
        );
    }
    out.push_str("</g></svg>\n");
    out
}

/// Glyphs in runs: lines by top (within a fifth of the size), each left
/// to right, cut where the size changes or a gap is wider than a
/// character.
fn runs(glyphs: &[Glyph]) -> Vec<Vec<&Glyph>> {
    let mut sorted: Vec<&Glyph> = glyphs.iter().filter(|g| !g.ch.is_whitespace()).collect();
    sorted.sort_by(|a, b| a.bbox.top.total_cmp(&b.bbox.top));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match lines.last_mut() {
            Some(l) if (g.bbox.top - l[0].bbox.top).abs() <= 0.2 * l[0].size.max(1.0) => l.push(g),
            _ => lines.push(vec![g]),
        }
    }
    let mut out: Vec<Vec<&Glyph>> = Vec::new();
    for mut line in lines {
        line.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let mut run: Vec<&Glyph> = Vec::new();
        for g in line {
            let joins = run.last().is_some_and(|p| {
                (p.size - g.size).abs() < 0.5 && g.bbox.x0 - p.bbox.x1 < p.size.max(1.0)
            });
            if !joins && !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
            run.push(g);
        }
        if !run.is_empty() {
            out.push(run);
        }
    }
    out
}

/// Text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::BBox;

    fn g(ch: char, x0: f64, top: f64) -> Glyph {
        Glyph {
            ch,
            bbox: BBox::new(x0, top, x0 + 10.0, top + 10.0),
            size: 10.0,
        }
    }

    #[test]
    fn glyphs_on_one_line_make_one_run_and_text_is_escaped() {
        let p = PageContent {
            number: 1,
            width: 100.0,
            height: 50.0,
            glyphs: vec![
                g('<', 10.0, 5.0),
                g('项', 20.0, 5.0),
                g('目', 60.0, 5.0),
                g('a', 10.0, 30.0),
            ],
            edges: Vec::new(),
            images: 0,
            image_dpi: 0.0,
            image_cover: 0.0,
            ocr: None,
        };
        let svg = page_to_svg(&p);
        assert!(svg.contains(">&lt;项</text>"), "{svg}");
        assert_eq!(svg.matches("<text").count(), 3, "{svg}");
    }
}
