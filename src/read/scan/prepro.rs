//! Preprocessing of a scanned page before the ruling lines and text are
//! read: a flat, upright, evenly lit page.
//!
//! * [`normalize_illumination`]: the paper's brightness is estimated on a
//!   coarse grid (the brightest pixel of each block, spread to the
//!   neighbouring blocks so that a block covered by ink takes the paper
//!   around it, then smoothed) and divided out, so the paper is white and
//!   the ink dark across the page (a brightness gradient, a shadow, a
//!   dark surround). Skipped when the paper is even already (a flatbed
//!   scan): clean scans are left as they were.
//! * [`find_sheet`] / [`sheet_to_image`]: a photo of the sheet lying on
//!   a desk: the sheet's corners from where the paper ends, the sheet
//!   resampled to fill the image (first, before anything else).
//! * [`paper_level`]: the paper's gray level, to fill what a rotation or
//!   warp brings in from outside the image.
//! * [`find_frame`] / [`rectify`]: a keystone (a phone photo taken at an
//!   angle) from the table's outer frame: the top and bottom rules'
//!   ends are the four corners; a homography maps them to the rectangle
//!   they should form and the page is resampled (bilinear).

use super::image::GrayImage;
use super::lines::Segment;

/// The paper's brightness, one value per `block`×`block` block of `img`:
/// the level a `share` of the block's pixels are at or below (a high
/// one: a block of text is mostly paper; not the brightest pixel, which
/// on a JPEG scan is the ringing beside a stroke), then the median of
/// the blocks within `spread` blocks (a block all ink, inside a filled
/// box or a heavy stroke, takes the paper around it; at the edge of a
/// shadow the lit paper beside it is not carried in), then a 3×3 mean
/// (no steps from block to block). Returns (grid width, grid height,
/// values).
pub fn background_grid(
    img: &GrayImage,
    block: usize,
    spread: usize,
    share: f64,
) -> (usize, usize, Vec<f64>) {
    let block = block.max(1);
    let (gw, gh) = (img.width.div_ceil(block), img.height.div_ceil(block));
    let mut levels = vec![0u8; gw * gh];
    let mut buf = Vec::with_capacity(block * block);
    for gy in 0..gh {
        let rows = gy * block..((gy + 1) * block).min(img.height);
        for gx in 0..gw {
            let cols = gx * block..((gx + 1) * block).min(img.width);
            buf.clear();
            for y in rows.clone() {
                buf.extend_from_slice(
                    &img.data[y * img.width + cols.start..y * img.width + cols.end],
                );
            }
            let k = ((buf.len() - 1) as f64 * share.clamp(0.0, 1.0)).round() as usize;
            levels[gy * gw + gx] = *buf.select_nth_unstable(k).1;
        }
    }
    let window = |src: &[f64], r: usize, combine: fn(&[f64]) -> f64| -> Vec<f64> {
        let mut out = vec![0.0; gw * gh];
        let mut buf = Vec::with_capacity((2 * r + 1) * (2 * r + 1));
        for gy in 0..gh {
            for gx in 0..gw {
                buf.clear();
                for y in gy.saturating_sub(r)..=(gy + r).min(gh - 1) {
                    for x in gx.saturating_sub(r)..=(gx + r).min(gw - 1) {
                        buf.push(src[y * gw + x]);
                    }
                }
                out[gy * gw + gx] = combine(&buf);
            }
        }
        out
    };
    let raw: Vec<f64> = levels.iter().map(|&v| v as f64).collect();
    let spread_out = window(&raw, spread, |b| {
        let mut v = b.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    let smooth = window(&spread_out, 1, |b| b.iter().sum::<f64>() / b.len() as f64);
    (gw, gh, smooth)
}

/// How uneven the paper is: the spread between the darkest and the
/// brightest paper of the grid, the darkest and brightest `tail` share of
/// blocks left out (a few blocks inside a large filled area).
pub fn background_spread(grid: &[f64], tail: f64) -> f64 {
    if grid.is_empty() {
        return 0.0;
    }
    let mut v = grid.to_vec();
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * tail).round() as usize;
    let j = ((v.len() - 1) as f64 * (1.0 - tail)).round() as usize;
    v[j] - v[i]
}

/// How [`normalize_illumination`] estimates the paper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Background {
    /// Block size, pixels.
    pub block: usize,
    /// Blocks around a block whose paper it may take.
    pub spread: usize,
    /// Share of a block's pixels at or below its paper level.
    pub share: f64,
    /// Normalize only when the paper varies by more than this (gray levels).
    pub min_spread: f64,
    /// Share of darkest and brightest blocks left out of that variation.
    pub tail: f64,
    /// A place whose background is darker than this share of the page's
    /// paper (its brightest tenth of blocks) is no paper but the surround
    /// a sheet lies on (a desk, a scanner lid left open): it becomes white.
    pub surround_ratio: f64,
}

/// Divides the paper's brightness ([`background_grid`]) out of `img` when
/// it varies by more than `b.min_spread` gray levels over the page;
/// returns whether it did. The paper becomes 255, ink keeps its contrast
/// to the paper around it.
pub fn normalize_illumination(img: &mut GrayImage, b: &Background) -> bool {
    let block = b.block.max(1);
    let (gw, gh, grid) = background_grid(img, block, b.spread, b.share);
    if background_spread(&grid, b.tail) <= b.min_spread {
        return false;
    }
    let (w, h) = (img.width, img.height);
    let mut sorted = grid.clone();
    sorted.sort_by(f64::total_cmp);
    let page = sorted[((sorted.len() - 1) as f64 * 0.9).round() as usize];
    let surround = b.surround_ratio * page;
    // bilinear between block centres
    let coord = |p: usize, n: usize| {
        let c = ((p as f64 + 0.5) / block as f64 - 0.5).clamp(0.0, (n - 1) as f64);
        let i0 = c.floor() as usize;
        (i0, (i0 + 1).min(n - 1), c - i0 as f64)
    };
    let cols: Vec<(usize, usize, f64)> = (0..w).map(|x| coord(x, gw)).collect();
    for y in 0..h {
        let (y0, y1, fy) = coord(y, gh);
        for (x, &(x0, x1, fx)) in cols.iter().enumerate() {
            let g = |xx: usize, yy: usize| grid[yy * gw + xx];
            let top = g(x0, y0) * (1.0 - fx) + g(x1, y0) * fx;
            let bot = g(x0, y1) * (1.0 - fx) + g(x1, y1) * fx;
            let bg = (top * (1.0 - fy) + bot * fy).max(1.0);
            let i = y * w + x;
            img.data[i] = if bg < surround {
                255
            } else {
                (img.data[i] as f64 * 255.0 / bg).round().min(255.0) as u8
            };
        }
    }
    true
}

/// The paper's gray level: the most frequent level at or above the ink
/// threshold `thr`.
pub fn paper_level(img: &GrayImage, thr: u8) -> u8 {
    let mut hist = [0usize; 256];
    for &v in &img.data {
        hist[v as usize] += 1;
    }
    (thr as usize..256).max_by_key(|&v| hist[v]).unwrap_or(255) as u8
}

/// A 3×3 homography (row-major, `h[8]` = 1) mapping `from[i]` to `to[i]`
/// for 4 point pairs; `None` when they are degenerate.
pub fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<[f64; 9]> {
    // 8 equations in h0..h7: u = (h0 x + h1 y + h2) / (h6 x + h7 y + 1),
    // v = (h3 x + h4 y + h5) / (h6 x + h7 y + 1)
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gauss-Jordan with partial pivoting
    for c in 0..8 {
        let p = (c..8).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        let pivot = a[c];
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut h = [1.0; 9];
    for (i, (hi, row)) in h.iter_mut().zip(&a).enumerate() {
        *hi = row[8] / row[i];
    }
    Some(h)
}

/// Applies homography `h` to (x, y).
pub fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let d = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / d,
        (h[3] * x + h[4] * y + h[5]) / d,
    )
}

/// Resamples `img` (bilinear): each output pixel (x, y) takes the input at
/// `apply(h, x, y)`; outside the input it is `fill`.
pub fn warp(img: &GrayImage, h: &[f64; 9], fill: u8) -> GrayImage {
    let (w, ht) = (img.width, img.height);
    let mut out = GrayImage::new(w, ht, fill);
    for y in 0..ht {
        for x in 0..w {
            let (sx, sy) = apply(h, x as f64, y as f64);
            if let Some(v) = super::image::bilinear(img, sx, sy) {
                out.data[y * w + x] = v;
            }
        }
    }
    out
}

/// The table's outer frame as four corners (top-left, top-right,
/// bottom-right, bottom-left; pixels) from the topmost and bottommost
/// horizontal rules at least `min_len` long, at least `min_height` apart
/// (a short frame's lean, extrapolated over the page, would be mostly
/// noise), or `None`. Under a keystone
/// the frame's sides lean and the two rules differ in length and
/// position; on a flat page their ends line up. On each side, at least
/// half of the rules that long, and three, must end on the side the two
/// make, within `tol` px (else they are two tables, not one frame; a rule
/// starting at a column inside the table ends on one side only).
pub fn find_frame(
    segs: &[Segment],
    min_len: usize,
    min_height: f64,
    tol: f64,
) -> Option<[(f64, f64); 4]> {
    let mut long: Vec<&Segment> = segs
        .iter()
        .filter(|s| s.horizontal && s.end - s.start + 1 >= min_len.max(1))
        .collect();
    long.sort_by(|a, b| a.center().total_cmp(&b.center()));
    let (top, bot) = (*long.first()?, *long.last()?);
    let (yt, yb) = (top.center(), bot.center());
    if long.len() < 3 || yb - yt < min_height {
        return None;
    }
    let frame = [
        (top.start as f64, yt),
        ((top.end + 1) as f64, yt),
        ((bot.end + 1) as f64, yb),
        (bot.start as f64, yb),
    ];
    let side = |a: (f64, f64), b: (f64, f64), y: f64| a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1);
    let left = long
        .iter()
        .filter(|r| (r.start as f64 - side(frame[0], frame[3], r.center())).abs() <= tol)
        .count();
    let right = long
        .iter()
        .filter(|r| ((r.end + 1) as f64 - side(frame[1], frame[2], r.center())).abs() <= tol)
        .count();
    let needed = 3.max(long.len().div_ceil(2));
    (left >= needed && right >= needed).then_some(frame)
}

/// The homography taking the rectified page back to `img` (for [`warp`])
/// when the `frame`'s sides lean by more than `min_shift` px (the two
/// rules' ends differ by that much); the rectangle kept is the mean of
/// the two rules' extents. `None`: nothing to correct.
pub fn rectify(frame: [(f64, f64); 4], min_shift: f64) -> Option<[f64; 9]> {
    let [tl, tr, br, bl] = frame;
    let shift = (tl.0 - bl.0).abs().max((tr.0 - br.0).abs());
    if shift <= min_shift {
        return None;
    }
    let (left, right) = ((tl.0 + bl.0) / 2.0, (tr.0 + br.0) / 2.0);
    let target = [(left, tl.1), (right, tr.1), (right, br.1), (left, bl.1)];
    homography(target, frame)
}

/// The sheet of paper in a photo that shows it lying on something darker
/// (a desk): its four corners (top-left, top-right, bottom-right,
/// bottom-left; pixels), or `None` when the paper reaches the image's
/// edges (a scan) or no sheet is clear. Blocks of `block` px are paper
/// when their level ([`background_grid`], not spread) is nearer the
/// page's paper (the brightest tenth of blocks) than the surround (the
/// median block on the image's border); the sheet is the largest
/// 4-connected set of paper blocks, and its corners the blocks furthest
/// out along the diagonals. `min_share`: the least share of the image the
/// sheet covers (else it is not the page).
pub fn find_sheet(img: &GrayImage, block: usize, min_share: f64) -> Option<[(f64, f64); 4]> {
    let block = block.max(1);
    let (gw, gh, grid) = background_grid(img, block, 0, 0.8);
    if gw < 8 || gh < 8 {
        return None;
    }
    let mut sorted = grid.clone();
    sorted.sort_by(f64::total_cmp);
    let page = sorted[((sorted.len() - 1) as f64 * 0.9).round() as usize];
    let mut border: Vec<f64> = (0..gw)
        .flat_map(|x| [grid[x], grid[(gh - 1) * gw + x]])
        .chain((0..gh).flat_map(|y| [grid[y * gw], grid[y * gw + gw - 1]]))
        .collect();
    border.sort_by(f64::total_cmp);
    let surround = border[border.len() / 2];
    if surround > 0.75 * page {
        return None; // the border is paper: nothing around the sheet
    }
    let cut = (page + surround) / 2.0;
    let paper: Vec<bool> = grid.iter().map(|&v| v >= cut).collect();
    let sheet = largest_component(&paper, gw, gh);
    if (sheet.len() as f64) < min_share * (gw * gh) as f64 {
        return None;
    }
    let b = block as f64;
    let pick = |key: &dyn Fn(usize, usize) -> f64| {
        let &(x, y) = sheet
            .iter()
            .max_by(|a, c| key(a.0, a.1).total_cmp(&key(c.0, c.1)))
            .expect("sheet not empty");
        (x as f64, y as f64)
    };
    let tl = pick(&|x, y| -((x + y) as f64));
    let tr = pick(&|x, y| x as f64 - y as f64);
    let br = pick(&|x, y| (x + y) as f64);
    let bl = pick(&|x, y| y as f64 - x as f64);
    let (w, h) = (img.width as f64, img.height as f64);
    let coarse = [
        (tl.0 * b, tl.1 * b),
        (((tr.0 + 1.0) * b).min(w), tr.1 * b),
        (((br.0 + 1.0) * b).min(w), ((br.1 + 1.0) * b).min(h)),
        (bl.0 * b, ((bl.1 + 1.0) * b).min(h)),
    ];
    let corners = refine_sheet(img, coarse, cut, b).unwrap_or(coarse);
    // a sheet, not a blob: each side spans most of the image
    let len = |a: (f64, f64), c: (f64, f64)| ((a.0 - c.0).powi(2) + (a.1 - c.1).powi(2)).sqrt();
    let [tl, tr, br, bl] = corners;
    let ok = len(tl, tr).min(len(bl, br)) > 0.5 * w && len(tl, bl).min(len(tr, br)) > 0.5 * h;
    ok.then_some(corners)
}

/// The sheet's edges to the pixel: along each side of the `coarse`
/// quadrilateral (block precision), every 4 px, the first pixel from
/// outside that is paper (three in a row at or above `cut`) within
/// `3 × block` of the coarse side; a line fitted to them (least squares,
/// refitted without points more than 3 px off); the corners where the
/// four lines meet. `None` when a side has too few points.
fn refine_sheet(
    img: &GrayImage,
    coarse: [(f64, f64); 4],
    cut: f64,
    block: f64,
) -> Option<[(f64, f64); 4]> {
    let [tl, tr, br, bl] = coarse;
    let paper = |x: usize, y: usize| img.data[y * img.width + x] as f64 >= cut;
    let reach = 3.0 * block;
    // one side: `along` runs over the side, `across(t)` the coarse
    // position across it; `inward` +1 or -1; `horizontal`: the side runs
    // along x (top, bottom)
    let side = |a: (f64, f64), c: (f64, f64), horizontal: bool, inward: f64| {
        let (a0, a1, c0, c1) = if horizontal {
            (a.0, c.0, a.1, c.1)
        } else {
            (a.1, c.1, a.0, c.0)
        };
        let (lo, hi) = (a0.min(a1) + 2.0 * block, a0.max(a1) - 2.0 * block);
        let (limit_along, limit_across) = if horizontal {
            (img.width, img.height)
        } else {
            (img.height, img.width)
        };
        let mut pts = Vec::new();
        let mut t = lo;
        while t < hi {
            let across = c0 + (c1 - c0) * (t - a0) / (a1 - a0);
            let start = across - inward * reach;
            let ti = t.round() as usize;
            if ti < limit_along {
                for step in 0..(2.0 * reach) as usize {
                    let v = start + inward * step as f64;
                    if v < 0.0 || v + 3.0 >= limit_across as f64 {
                        continue;
                    }
                    let vi = v as usize;
                    let hit = (0..3).all(|d| {
                        let u = if inward > 0.0 { vi + d } else { vi - d.min(vi) };
                        if horizontal {
                            paper(ti, u)
                        } else {
                            paper(u, ti)
                        }
                    });
                    if hit {
                        pts.push((t, v));
                        break;
                    }
                }
            }
            t += 4.0;
        }
        fit_line(&pts)
    };
    let top = side(tl, tr, true, 1.0)?;
    let bottom = side(bl, br, true, -1.0)?;
    let left = side(tl, bl, false, 1.0)?;
    let right = side(tr, br, false, -1.0)?;
    // y = a x + b (top, bottom) meets x = c y + d (left, right)
    let meet = |(a, b): (f64, f64), (c, d): (f64, f64)| {
        let x = (c * b + d) / (1.0 - c * a);
        (x, a * x + b)
    };
    Some([
        meet(top, left),
        meet(top, right),
        meet(bottom, right),
        meet(bottom, left),
    ])
}

/// `v = a t + b` fitted to `pts` (t, v): least squares, then again
/// without the points more than 3 px off. `None` under 10 points.
fn fit_line(pts: &[(f64, f64)]) -> Option<(f64, f64)> {
    let fit = |p: &[&(f64, f64)]| -> Option<(f64, f64)> {
        let n = p.len() as f64;
        if p.len() < 10 {
            return None;
        }
        let (st, sv) = p.iter().fold((0.0, 0.0), |a, q| (a.0 + q.0, a.1 + q.1));
        let (mt, mv) = (st / n, sv / n);
        let (mut stt, mut stv) = (0.0, 0.0);
        for q in p {
            stt += (q.0 - mt) * (q.0 - mt);
            stv += (q.0 - mt) * (q.1 - mv);
        }
        let a = if stt > 0.0 { stv / stt } else { 0.0 };
        Some((a, mv - a * mt))
    };
    let all: Vec<&(f64, f64)> = pts.iter().collect();
    let (a, b) = fit(&all)?;
    let near: Vec<&(f64, f64)> = pts
        .iter()
        .filter(|q| (q.1 - (a * q.0 + b)).abs() <= 3.0)
        .collect();
    fit(&near).or(Some((a, b)))
}

/// The cells of the largest 4-connected set of `true` in a `w`×`h` grid.
fn largest_component(mask: &[bool], w: usize, h: usize) -> Vec<(usize, usize)> {
    let mut seen = vec![false; mask.len()];
    let mut best: Vec<(usize, usize)> = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut comp = Vec::new();
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            comp.push((x, y));
            let mut push = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < w {
                push(i + 1);
            }
            if y > 0 {
                push(i - w);
            }
            if y + 1 < h {
                push(i + w);
            }
        }
        if comp.len() > best.len() {
            best = comp;
        }
    }
    best
}

/// The homography taking the whole image back to the sheet's `corners`
/// (for [`warp`]): the sheet, resampled, fills the image.
pub fn sheet_to_image(corners: [(f64, f64); 4], w: usize, h: usize) -> Option<[f64; 9]> {
    let (w, h) = (w as f64, h as f64);
    homography([(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)], corners)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo: a sheet (paper 230, some text bars) as the quadrilateral
    /// `q` on a dark desk (40).
    fn photo(w: usize, h: usize, q: [(f64, f64); 4]) -> GrayImage {
        let mut img = GrayImage::new(w, h, 40);
        let inside = |x: f64, y: f64| {
            (0..4).all(|i| {
                let (a, b) = (q[i], q[(i + 1) % 4]);
                (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0) >= 0.0
            })
        };
        for y in 0..h {
            for x in 0..w {
                if inside(x as f64 + 0.5, y as f64 + 0.5) {
                    let text = y % 30 < 5 && x % 12 < 7 && (100..500).contains(&x);
                    img.set(x, y, if text { 60 } else { 230 });
                }
            }
        }
        img
    }

    #[test]
    fn a_sheet_on_a_dark_desk_is_found_to_the_pixel() {
        let q = [(62.0, 48.0), (548.0, 71.0), (531.0, 752.0), (40.0, 731.0)];
        let img = photo(600, 800, q);
        let found = find_sheet(&img, 10, 0.3).expect("sheet");
        for (f, t) in found.iter().zip(q) {
            assert!(
                (f.0 - t.0).abs() < 3.0 && (f.1 - t.1).abs() < 3.0,
                "{found:?}"
            );
        }
        // the sheet resampled fills the image: its corners go to the
        // image's corners
        let hm = sheet_to_image(found, 600, 800).unwrap();
        let (x, y) = apply(&hm, 0.0, 0.0);
        assert!((x - found[0].0).abs() < 1e-6 && (y - found[0].1).abs() < 1e-6);
    }

    #[test]
    fn a_scan_whose_paper_reaches_the_edges_has_no_sheet_to_find() {
        let img = photo(
            600,
            800,
            [(0.0, 0.0), (600.0, 0.0), (600.0, 800.0), (0.0, 800.0)],
        );
        assert_eq!(find_sheet(&img, 10, 0.3), None);
    }

    /// A page of "text" (dark bars) on paper whose brightness falls from
    /// 255 at the left to `right` at the right.
    fn gradient_page(right: f64) -> GrayImage {
        let (w, h) = (400, 200);
        let mut img = GrayImage::new(w, h, 255);
        for y in 0..h {
            for x in 0..w {
                let paper = 255.0 - (255.0 - right) * x as f64 / (w - 1) as f64;
                let ink = (y % 20 < 4) && (x % 10 < 6);
                let v = if ink { paper * 0.25 } else { paper };
                img.set(x, y, v.round() as u8);
            }
        }
        img
    }

    const BG: Background = Background {
        block: 10,
        spread: 2,
        share: 0.8,
        min_spread: 24.0,
        tail: 0.02,
        surround_ratio: 0.5,
    };

    #[test]
    fn brightness_gradient_is_divided_out() {
        let mut img = gradient_page(150.0);
        assert!(normalize_illumination(&mut img, &BG));
        // paper white, ink dark, left and right alike
        for x in [5, 200, 395] {
            assert!(
                img.get(x + 3, 10) >= 240,
                "paper at {x}: {}",
                img.get(x + 3, 10)
            );
            assert!(img.get(x, 1) <= 70, "ink at {x}: {}", img.get(x, 1));
        }
        let t = super::super::image::otsu_threshold(&img);
        assert!(img.get(395, 1) < t && img.get(398, 10) >= t);
    }

    #[test]
    fn even_paper_is_left_alone() {
        let mut img = gradient_page(245.0);
        let before = img.clone();
        assert!(!normalize_illumination(&mut img, &BG));
        assert_eq!(img, before);
    }

    #[test]
    fn filled_box_keeps_the_paper_around_it() {
        // a 24 px black square on uneven paper stays black
        let mut img = gradient_page(120.0);
        for y in 100..124 {
            for x in 300..324 {
                img.set(x, y, 0);
            }
        }
        assert!(normalize_illumination(&mut img, &BG));
        assert!(img.get(312, 112) < 40);
    }

    #[test]
    fn paper_level_is_the_commonest_light_gray() {
        let mut img = GrayImage::new(10, 10, 230);
        img.set(1, 1, 0);
        img.set(2, 2, 255);
        assert_eq!(paper_level(&img, 128), 230);
    }

    #[test]
    fn homography_maps_the_four_corners() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0), (0.0, 50.0)];
        let to = [(10.0, 5.0), (90.0, 5.0), (105.0, 60.0), (-5.0, 60.0)];
        let h = homography(from, to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let (u, v) = apply(&h, f.0, f.1);
            assert!((u - t.0).abs() < 1e-6 && (v - t.1).abs() < 1e-6, "{u},{v}");
        }
    }

    fn rule(start: usize, end: usize, y: usize) -> Segment {
        Segment {
            horizontal: true,
            start,
            end,
            across0: y - 1,
            across1: y + 1,
        }
    }

    #[test]
    fn keystone_frame_is_rectified() {
        // top rule shorter than the bottom one: the frame's sides lean in
        let segs = [rule(60, 339, 20), rule(50, 349, 100), rule(40, 359, 180)];
        let frame = find_frame(&segs, 100, 100.0, 3.0).unwrap();
        let h = rectify(frame, 2.0).unwrap();
        // the rectangle's top-left corner is taken from the top rule's start
        let (u, v) = apply(&h, 50.0, frame[0].1);
        assert!((u - 60.0).abs() < 1e-6 && (v - frame[0].1).abs() < 1e-6);
        // a warped keystone page: the vertical side comes out vertical
        let mut img = GrayImage::new(400, 200, 255);
        for y in 20..=180 {
            let x = 60.0 - 20.0 * (y - 20) as f64 / 160.0;
            img.set(x.round() as usize, y, 0);
        }
        let out = warp(&img, &h, 255);
        for y in [30, 100, 170] {
            let dark = (0..400).find(|&x| out.get(x, y) < 128).unwrap();
            assert!((dark as i64 - 50).abs() <= 1, "row {y}: {dark}");
        }
    }

    #[test]
    fn square_frame_is_not_rectified() {
        let segs = [rule(50, 349, 20), rule(50, 349, 90), rule(51, 349, 180)];
        let frame = find_frame(&segs, 100, 100.0, 3.0).unwrap();
        assert!(rectify(frame, 2.0).is_none());
    }

    #[test]
    fn two_tables_of_different_widths_are_not_a_frame() {
        // a wide table above a narrower one: no keystone to find
        let segs = [
            rule(50, 349, 20),
            rule(50, 349, 60),
            rule(80, 319, 120),
            rule(80, 319, 180),
        ];
        assert!(find_frame(&segs, 100, 100.0, 3.0).is_none());
    }
}
