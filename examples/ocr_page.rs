//! Debug aid: OCR one page of a PDF and print the resolution, the
//! recognizer and the preprocessing that ran (sheet, skew, illumination,
//! keystone), edges, words
//! with their confidences.
//! `cargo run --release --example ocr_page -- FILE.pdf [PAGE]`
use shenbao::read::scan::{OcrSettings, image_to_page, rasterize, render_dpi};
use shenbao::settings::LayoutSettings;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: ocr_page FILE.pdf [PAGE]");
    let bytes = std::fs::read(path).unwrap();
    let page: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let s = OcrSettings {
        debug_dir: std::env::var_os("SHENBAO_OCR_DEBUG_DIR").map(Into::into),
        ..OcrSettings::default()
    };
    let pages = shenbao::read::pdf::read_pages(
        std::path::Path::new(path),
        &bytes,
        &shenbao::read::pdf::PdfSettings::default(),
    )
    .unwrap();
    let p = &pages[page - 1];
    let dpi = render_dpi(&s, p);
    let t = std::time::Instant::now();
    let (img, _) = rasterize(&s, &bytes, page, dpi).unwrap();
    let t_r = t.elapsed();
    let (content, info) = image_to_page(
        &img,
        page,
        p.width,
        p.height,
        &s,
        &LayoutSettings::default(),
    )
    .unwrap();
    let yes = |b: bool| if b { "yes" } else { "no" };
    println!(
        "{dpi} dpi ({}x{} px), raster {t_r:?}, total {:?}, recognizer {}, sheet found {}, \
         skew {:.2}°, illumination normalized {}, perspective corrected {}, {} edges, {} words, \
         {} unread",
        img.width,
        img.height,
        t.elapsed(),
        info.recognizer,
        yes(info.sheet_found),
        info.skew_deg,
        yes(info.illumination_normalized),
        yes(info.perspective_corrected),
        content.edges.len(),
        info.words.len(),
        info.unread.len()
    );
    for e in &content.edges {
        println!("{e:?}");
    }
    for w in &info.words {
        println!("{:.2} {:?} {}", w.conf, w.bbox, w.text);
    }
}
