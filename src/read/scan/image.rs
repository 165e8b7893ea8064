//! A minimal 8-bit gray image: PGM (P5) decoding and encoding, Otsu
//! binarization, rotation about the centre. Dark is 0, paper 255.

/// Row-major 8-bit gray pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct GrayImage {
    /// Width, pixels.
    pub width: usize,
    /// Height, pixels.
    pub height: usize,
    /// The pixels, row-major, `width * height` bytes (0 dark, 255 paper).
    pub data: Vec<u8>,
}

impl GrayImage {
    /// An image of the given size, every pixel `fill`.
    pub fn new(width: usize, height: usize, fill: u8) -> Self {
        GrayImage {
            width,
            height,
            data: vec![fill; width * height],
        }
    }
    /// The pixel at column `x`, row `y` (0-based); panics outside the image.
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.width + x]
    }
    /// Sets the pixel at column `x`, row `y` (0-based); panics outside the image.
    pub fn set(&mut self, x: usize, y: usize, v: u8) {
        self.data[y * self.width + x] = v;
    }
}

/// Decodes a binary PGM (`P5`, maxval ≤ 255, comments allowed).
pub fn parse_pgm(bytes: &[u8]) -> Option<GrayImage> {
    if !bytes.starts_with(b"P5") {
        return None;
    }
    parse_pnm(bytes, None).map(|(img, _)| img)
}

/// Decodes a binary PGM (`P5`) or PPM (`P6`, converted to gray: luminance
/// 0.299 R + 0.587 G + 0.114 B), maxval ≤ 255. With `red_margin` set, a
/// PPM pixel whose red exceeds both green and blue by more than it is red
/// ink (a seal stamped over the form): it takes its red channel, the
/// paper's brightness under the ink, so the seal fades away and the black
/// text under it (dark in every channel) stays. Returns the image and how
/// many pixels were taken as red ink.
pub fn parse_pnm(bytes: &[u8], red_margin: Option<u8>) -> Option<(GrayImage, usize)> {
    let mut pos = 0;
    let mut fields = Vec::with_capacity(4);
    while fields.len() < 4 {
        // skip white space and comments
        while pos < bytes.len() {
            if bytes[pos] == b'#' {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            } else if bytes[pos].is_ascii_whitespace() {
                pos += 1;
            } else {
                break;
            }
        }
        let start = pos;
        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if start == pos {
            return None;
        }
        fields.push(std::str::from_utf8(&bytes[start..pos]).ok()?.to_string());
    }
    pos += 1; // the single white space after maxval
    let channels = match fields[0].as_str() {
        "P5" => 1,
        "P6" => 3,
        _ => return None,
    };
    let width: usize = fields[1].parse().ok()?;
    let height: usize = fields[2].parse().ok()?;
    let maxval: usize = fields[3].parse().ok()?;
    if maxval == 0 || maxval > 255 {
        return None;
    }
    let n = width.checked_mul(height)?;
    let raw = bytes.get(pos..pos.checked_add(n.checked_mul(channels)?)?)?;
    let scale = |v: u8| ((v as usize * 255) / maxval).min(255) as u8;
    let mut red = 0;
    let data = if channels == 1 {
        raw.iter().map(|&v| scale(v)).collect()
    } else {
        raw.chunks_exact(3)
            .map(|p| {
                let (r, g, b) = (scale(p[0]), scale(p[1]), scale(p[2]));
                if let Some(m) = red_margin
                    && r as i32 - g.max(b) as i32 > m as i32
                {
                    red += 1;
                    return r;
                }
                ((299 * r as u32 + 587 * g as u32 + 114 * b as u32 + 500) / 1000) as u8
            })
            .collect()
    };
    Some((
        GrayImage {
            width,
            height,
            data,
        },
        red,
    ))
}

/// Encodes as binary PGM (`P5`, maxval 255).
pub fn to_pgm(img: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", img.width, img.height).into_bytes();
    out.extend_from_slice(&img.data);
    out
}

/// Otsu's threshold: pixels `<` the result are ink.
pub fn otsu_threshold(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &v in &img.data {
        hist[v as usize] += 1;
    }
    let total = img.data.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0) = (0.0, 0.0);
    let (mut best, mut best_t) = (-1.0, 128u8);
    for (t, &count) in hist.iter().enumerate() {
        w0 += count as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * count as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = (t + 1).min(255) as u8;
        }
    }
    best_t
}

/// Ink mask (true = dark) at the given threshold.
pub fn binarize(img: &GrayImage, threshold: u8) -> Vec<bool> {
    img.data.iter().map(|&v| v < threshold).collect()
}

/// Paints as paper every connected blob of ink (8-connected pixels darker
/// than `threshold`) of at most `max_area` pixels: speckle noise, which
/// OCR otherwise reads as dots, quotes and strokes. Strokes and
/// punctuation are larger than a speck at any resolution where the text
/// is legible; `max_area` comes from the resolution (see the caller).
pub fn despeckle(img: &mut GrayImage, threshold: u8, max_area: usize) {
    let (w, h) = (img.width, img.height);
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut blob = Vec::new();
    for start in 0..w * h {
        if seen[start] || img.data[start] >= threshold {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        blob.clear();
        let mut big = false;
        while let Some(i) = stack.pop() {
            if !big {
                blob.push(i);
                big = blob.len() > max_area;
            }
            let (x, y) = (i % w, i / w);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if !seen[j] && img.data[j] < threshold {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if !big {
            for &i in &blob {
                img.data[i] = 255;
            }
        }
    }
}

/// Resamples by factor `f` (bilinear).
pub fn resize(img: &GrayImage, f: f64) -> GrayImage {
    let w = ((img.width as f64 * f).round() as usize).max(1);
    let h = ((img.height as f64 * f).round() as usize).max(1);
    let mut out = GrayImage::new(w, h, 255);
    let (mx, my) = (img.width - 1, img.height - 1);
    for y in 0..h {
        let sy = ((y as f64 + 0.5) / f - 0.5).clamp(0.0, my as f64);
        let y0 = sy.floor() as usize;
        let (y1, fy) = ((y0 + 1).min(my), sy - y0 as f64);
        for x in 0..w {
            let sx = ((x as f64 + 0.5) / f - 0.5).clamp(0.0, mx as f64);
            let x0 = sx.floor() as usize;
            let (x1, fx) = ((x0 + 1).min(mx), sx - x0 as f64);
            let p = |xx: usize, yy: usize| img.data[yy * img.width + xx] as f64;
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            out.data[y * w + x] = (top * (1.0 - fy) + bot * fy).round() as u8;
        }
    }
    out
}

/// Rotates the content by `-angle_deg` about the centre (bilinear),
/// undoing a scan rotated so that horizontal lines run at slope
/// `tan(angle)` (y down). Same size as the input; what comes in from
/// outside it is `fill` (the paper's level, never black).
pub fn rotate(img: &GrayImage, angle_deg: f64, fill: u8) -> GrayImage {
    let (w, h) = (img.width, img.height);
    let mut out = GrayImage::new(w, h, fill);
    let (s, c) = angle_deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    for y in 0..h {
        let dy = y as f64 - cy;
        for x in 0..w {
            let dx = x as f64 - cx;
            let sx = cx + c * dx - s * dy;
            let sy = cy + s * dx + c * dy;
            if let Some(v) = bilinear(img, sx, sy) {
                out.data[y * w + x] = v;
            }
        }
    }
    out
}

/// The image's level at (`sx`, `sy`) between its four nearest pixels;
/// `None` outside it (or for a NaN position).
pub fn bilinear(img: &GrayImage, sx: f64, sy: f64) -> Option<u8> {
    if !(sx >= 0.0 && sy >= 0.0) {
        return None;
    }
    let (w, h) = (img.width, img.height);
    let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
    if x0 + 1 >= w || y0 + 1 >= h {
        return None;
    }
    let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
    let p = |xx: usize, yy: usize| img.data[yy * w + xx] as f64;
    let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
    let bot = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
    Some((top * (1.0 - fy) + bot * fy).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_seal_ink_fades_and_black_text_under_it_stays() {
        // white paper, a red seal pixel, black text, black text under red
        let mut ppm = b"P6\n4 1\n255\n".to_vec();
        ppm.extend_from_slice(&[250, 250, 250, 220, 40, 50, 10, 10, 10, 60, 5, 5]);
        let (img, red) = parse_pnm(&ppm, Some(60)).unwrap();
        assert_eq!(red, 1);
        assert_eq!(img.data[0], 250);
        assert_eq!(img.data[1], 220, "the seal takes the paper's brightness");
        assert_eq!(img.data[2], 10);
        assert!(
            img.data[3] < 80,
            "text under the seal stays dark: {}",
            img.data[3]
        );
        let (plain, none) = parse_pnm(&ppm, None).unwrap();
        assert_eq!(none, 0);
        assert!(plain.data[1] < 100, "without removal the seal is gray ink");
    }

    #[test]
    fn pgm_round_trip_and_maxval_scaling() {
        let img = GrayImage {
            width: 3,
            height: 2,
            data: vec![0, 10, 255, 128, 7, 9],
        };
        assert_eq!(parse_pgm(&to_pgm(&img)).unwrap(), img);
        let p = b"P5\n# c\n2 1\n15\n\x00\x0f";
        assert_eq!(parse_pgm(p).unwrap().data, vec![0, 255]);
        assert!(parse_pgm(b"P6\n1 1\n255\n\x00\x00\x00").is_none());
        assert!(parse_pgm(b"P5\n4 4\n255\n\x00").is_none(), "truncated");
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut img = GrayImage::new(10, 10, 240);
        for x in 0..10 {
            img.set(x, 3, 20);
        }
        let t = otsu_threshold(&img);
        assert!(t > 20 && t <= 240, "{t}");
    }

    #[test]
    fn specks_go_and_strokes_stay() {
        let mut img = GrayImage::new(20, 10, 255);
        img.set(2, 2, 0); // a speck
        img.set(10, 5, 40);
        img.set(11, 5, 40); // a two-pixel speck
        for x in 4..16 {
            img.set(x, 8, 0); // a stroke
        }
        despeckle(&mut img, 128, 2);
        assert_eq!(img.get(2, 2), 255);
        assert_eq!(img.get(10, 5), 255);
        assert!((4..16).all(|x| img.get(x, 8) == 0));
    }

    #[test]
    fn rotation_fills_the_corners_with_paper_not_black() {
        let img = GrayImage::new(100, 60, 230);
        let r = rotate(&img, 8.0, 230);
        assert_eq!(r.get(0, 0), 230);
        assert_eq!(r.get(99, 59), 230);
    }

    #[test]
    fn rotate_by_zero_is_identity_inside() {
        let mut img = GrayImage::new(20, 10, 255);
        img.set(5, 5, 0);
        let r = rotate(&img, 0.0, 255);
        assert_eq!(r.get(5, 5), 0);
    }
}
