//! A page drawn from what was read off it: its glyphs as the layout
//! stage's words and its ruling lines, as one SVG (points, top-left
//! origin, the page's own size). Small (a `text` per word, one path for
//! all rules), and exactly what the extractor saw.

use std::fmt::Write;

use crate::geom::PageContent;
use crate::layout::glyphs_to_words;
use crate::settings::LayoutSettings;

/// The page as an SVG document: one `text` per word of the layout stage
/// ([`glyphs_to_words`], with its tolerances), stretched to the word's box.
pub fn page_to_svg(p: &PageContent, settings: &LayoutSettings) -> String {
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
    for w in glyphs_to_words(&p.glyphs, settings) {
        let size = w.size.max(1.0);
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="{:.1}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
            w.bbox.x0,
            w.bbox.bottom - 0.12 * size,
            size,
            w.bbox.width().max(0.1),
            escape(&w.text)
        );
    }
    out.push_str("</g></svg>\n");
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
    use crate::geom::{BBox, Glyph};

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
        let svg = page_to_svg(&p, &LayoutSettings::default());
        assert!(svg.contains(">&lt;项</text>"), "{svg}");
        assert_eq!(svg.matches("<text").count(), 3, "{svg}");
    }
}
