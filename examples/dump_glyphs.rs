//! Prints a PDF's glyphs as visual lines with positions, and its edges, to
//! eyeball the backend's output.
//!
//!     cargo run --release --example dump_glyphs -- FILE.pdf [PAGE] [--boxes] [--edges]
//!
//! Each line: `top..bottom x0: text`; with `--boxes` every glyph is listed
//! as `ch x0,top-x1,bottom`.

use shenbao::geom::{Glyph, PageContent};

/// Groups glyphs into visual lines: by vertical centre, then left to right.
pub fn lines(page: &PageContent) -> Vec<Vec<&Glyph>> {
    let mut gs: Vec<&Glyph> = page.glyphs.iter().collect();
    gs.sort_by(|a, b| a.bbox.center().1.total_cmp(&b.bbox.center().1));
    let mut out: Vec<Vec<&Glyph>> = Vec::new();
    for g in gs {
        let cy = g.bbox.center().1;
        match out.last_mut() {
            Some(line) if (line[0].bbox.center().1 - cy).abs() <= 0.3 * g.size.max(1.0) => {
                line.push(g)
            }
            _ => out.push(vec![g]),
        }
    }
    for l in &mut out {
        l.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
    }
    out
}

/// `println!` that stops quietly when stdout is closed (`| head`).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write;
        if writeln!(std::io::stdout().lock(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: dump_glyphs FILE.pdf [PAGE] [--boxes] [--edges]");
        std::process::exit(2);
    };
    let page_no: Option<usize> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .nth(1)
        .and_then(|s| s.parse().ok());
    let boxes = args.iter().any(|a| a == "--boxes");
    let show_edges = args.iter().any(|a| a == "--edges");
    let bytes = std::fs::read(path).expect("read");
    let pages = match shenbao::read::pdf::read_pages(path.as_ref(), &bytes, &Default::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for p in pages
        .iter()
        .filter(|p| page_no.is_none_or(|n| n == p.number))
    {
        out!(
            "=== page {} ({:.1} x {:.1} pt): {} glyphs, {} edges",
            p.number,
            p.width,
            p.height,
            p.glyphs.len(),
            p.edges.len()
        );
        for line in lines(p) {
            let text: String = line.iter().map(|g| g.ch).collect();
            let b = line[0].bbox;
            out!("{:7.2}..{:7.2} {:7.2}: {}", b.top, b.bottom, b.x0, text);
            if boxes {
                for g in &line {
                    let b = g.bbox;
                    out!(
                        "    {} {:.2},{:.2}-{:.2},{:.2} size {:.2}",
                        g.ch,
                        b.x0,
                        b.top,
                        b.x1,
                        b.bottom,
                        g.size
                    );
                }
            }
        }
        if show_edges {
            for e in &p.edges {
                out!(
                    "  edge {:?} {:.2},{:.2}-{:.2},{:.2}",
                    e.orientation,
                    e.x0,
                    e.top,
                    e.x1,
                    e.bottom
                );
            }
        }
    }
}
