//! Debug aid: OCR one page of a PDF and print the resolution, the
//! preprocessing that ran (skew, illumination, keystone), edges and words
//! with their confidences.
//! `cargo run --release --example ocr_page -- FILE.pdf [PAGE]`
use shenbao::ocr::{OcrSettings, image_to_page, rasterize, render_dpi};
use shenbao::settings::LayoutSettings;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: ocr_page FILE.pdf [PAGE]");
    let bytes = std::fs::read(path).unwrap();
    let page: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let s = OcrSettings::default();
    let pages = shenbao::pdf::read_pages(
        std::path::Path::new(path),
        &bytes,
        &shenbao::pdf::PdfSettings::default(),
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
    println!(
        "{dpi} dpi ({}x{} px), raster {t_r:?}, total {:?}, skew {:.2}°, \
         illumination normalized {}, perspective corrected {}, {} edges, {} words",
        img.width,
        img.height,
        t.elapsed(),
        info.skew_deg,
        if info.illumination_normalized {
            "yes"
        } else {
            "no"
        },
        if info.perspective_corrected {
            "yes"
        } else {
            "no"
        },
        content.edges.len(),
        info.words.len()
    );
    for e in &content.edges {
        println!("{e:?}");
    }
    for w in &info.words {
        println!("{:.2} {:?} {}", w.conf, w.bbox, w.text);
    }
}
