//! The pdf-extract candidate, for the backend comparison in docs/backend.md:
//! glyph origins via `OutputDev::output_character`, paths via stroke/fill.
//!
//!     cargo run --release --example bench_pdf_extract -- OUTDIR FILE.pdf...

use std::time::Instant;

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

#[derive(Default)]
struct Collect {
    text: String,
    chars: usize,
    /// Axis-aligned straight segments in stroked paths plus filled rects.
    edges: usize,
}

impl OutputDev for Collect {
    fn begin_page(
        &mut self,
        _: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        self.text.push('\u{c}');
        Ok(())
    }
    fn output_character(
        &mut self,
        _trm: &Transform,
        _w: f64,
        _s: f64,
        _fs: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        self.text.push_str(ch);
        self.chars += 1;
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn stroke(
        &mut self,
        _: &Transform,
        _: &ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        let mut last = (0.0, 0.0);
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => last = (x, y),
                PathOp::LineTo(x, y) => {
                    if (x - last.0).abs() < 0.5 || (y - last.1).abs() < 0.5 {
                        self.edges += 1;
                    }
                    last = (x, y);
                }
                PathOp::Rect(..) => self.edges += 4,
                _ => {}
            }
        }
        Ok(())
    }
    fn fill(
        &mut self,
        _: &Transform,
        _: &ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        for op in &path.ops {
            if let PathOp::Rect(_, _, w, h) = *op
                && w.abs().min(h.abs()) <= 2.0
            {
                self.edges += 1;
            }
        }
        Ok(())
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: bench_pdf_extract OUTDIR FILE.pdf...");
    std::fs::create_dir_all(&out).unwrap();
    let (mut total_pages, mut total_ms) = (0usize, 0.0f64);
    for path in args {
        let bytes = std::fs::read(&path).unwrap();
        let run = || {
            std::panic::catch_unwind(|| {
                let doc = pdf_extract::Document::load_mem(&bytes).map_err(|e| e.to_string())?;
                let pages = doc.get_pages().len();
                let mut c = Collect::default();
                pdf_extract::output_doc(&doc, &mut c).map_err(|e| e.to_string())?;
                Ok::<_, String>((pages, c))
            })
        };
        let t = Instant::now();
        let mut reps = 0;
        let mut res = run();
        while t.elapsed().as_millis() < 200 {
            res = run();
            reps += 1;
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0 / (reps + 1) as f64;
        match res {
            Ok(Ok((pages, c))) => {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                std::fs::write(format!("{out}/{name}.txt"), &c.text).unwrap();
                println!(
                    "{path}\tpages={pages}\tms/page={:.3}\tchars={}\tedges~{}",
                    ms / pages.max(1) as f64,
                    c.chars,
                    c.edges
                );
                total_pages += pages;
                total_ms += ms;
            }
            Ok(Err(e)) => println!("{path}\terror: {e}"),
            Err(_) => println!("{path}\tpanic"),
        }
    }
    if total_pages > 0 {
        println!(
            "TOTAL pages={total_pages} ms/page={:.3}",
            total_ms / total_pages as f64
        );
    }
}
