//! Measures the PDF backend: ms/page (release build) and the text it reads,
//! for comparison with `pdftotext` (scripts/compare_backend_text.py).
//!
//!     cargo run --release --example bench_backend -- OUTDIR FILE.pdf...
//!
//! Writes OUTDIR/<name>.txt (the page glyphs in content order, pages
//! separated by form feeds), OUTDIR/<name>.json (the pages) and prints one line per file.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: bench_backend OUTDIR FILE.pdf...");
    std::fs::create_dir_all(&out).unwrap();
    let settings = shenbao::read::pdf::PdfSettings::default();
    let (mut total_pages, mut total_ms) = (0usize, 0.0f64);
    for path in args {
        let bytes = std::fs::read(&path).unwrap();
        let t = Instant::now();
        let mut reps = 0;
        let mut res = shenbao::read::pdf::read_pages(path.as_ref(), &bytes, &settings);
        // Repeat for at least 200 ms to get a stable figure.
        while t.elapsed().as_millis() < 200 {
            res = shenbao::read::pdf::read_pages(path.as_ref(), &bytes, &settings);
            reps += 1;
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0 / (reps + 1) as f64;
        match res {
            Ok(pages) => {
                let mut text = String::new();
                for p in &pages {
                    text.extend(p.glyphs.iter().map(|g| g.ch));
                    text.push('\u{c}');
                }
                let name = std::path::Path::new(&path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                std::fs::write(format!("{out}/{name}.txt"), &text).unwrap();
                let json = serde_json::to_string_pretty(&pages).unwrap();
                std::fs::write(format!("{out}/{name}.json"), json).unwrap();
                let glyphs: usize = pages.iter().map(|p| p.glyphs.len()).sum();
                let edges: usize = pages.iter().map(|p| p.edges.len()).sum();
                println!(
                    "{path}\tpages={}\tms/page={:.3}\tglyphs={glyphs}\tedges={edges}",
                    pages.len(),
                    ms / pages.len() as f64
                );
                total_pages += pages.len();
                total_ms += ms;
            }
            Err(e) => println!("{path}\terror: {e}"),
        }
    }
    if total_pages > 0 {
        println!(
            "TOTAL pages={total_pages} ms/page={:.3}",
            total_ms / total_pages as f64
        );
    }
}
