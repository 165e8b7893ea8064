//! Debug aid: OCR one page of a PDF and print the skew, edges and text lines.
//! `cargo run --release --example ocr_page -- FILE.pdf [PAGE]`
use shenbao::ocr::{OcrSettings, image_to_page, rasterize};
use shenbao::settings::LayoutSettings;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let page: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let s = OcrSettings::default();
    let t = std::time::Instant::now();
    let img = rasterize(&s, &bytes, page).unwrap();
    let t_r = t.elapsed();
    let thr = shenbao::ocr::image::otsu_threshold(&img);
    let mask = shenbao::ocr::image::binarize(&img, thr);
    let ink = mask.iter().filter(|&&b| b).count();
    println!("{}x{} thr {thr} ink {ink}", img.width, img.height);
    for a in [-1.6f64, -1.2, -0.8, -0.4, 0.0, 0.4, 0.8, 1.2] {
        let mut pts = vec![];
        for y in 0..img.height {
            for x in (0..img.width).step_by(2) {
                if mask[y * img.width + x] {
                    pts.push((x as f64, y as f64));
                }
            }
        }
        println!(
            "{a}: {:e}",
            shenbao::ocr::lines::profile_score(&pts, a.to_radians().tan(), img.height as f64)
        );
    }
    let pages = shenbao::pdf::read_pages(
        std::path::Path::new(&args[1]),
        &bytes,
        &shenbao::pdf::PdfSettings::default(),
    )
    .unwrap();
    let p = &pages[page - 1];
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
        "raster {:?}, total {:?}, skew {:.2}°, {} edges, {} words",
        t_r,
        t.elapsed(),
        info.skew_deg,
        content.edges.len(),
        info.words.len()
    );
    let r = shenbao::ocr::image::rotate(&img, info.skew_deg);
    let m = shenbao::ocr::image::binarize(&r, thr);
    for sg in shenbao::ocr::lines::find_segments(&m, r.width, r.height, 104, 5000, 4, 10000) {
        println!("SEG {sg:?}");
    }
    std::fs::write("/tmp/rot.pgm", shenbao::ocr::image::to_pgm(&r)).unwrap();
    for e in &content.edges {
        println!("{e:?}");
    }
}

#[allow(dead_code)]
fn unused() {}
