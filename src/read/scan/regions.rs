//! Where the text of a page image is read from: the table's cells (shrunk
//! past their rules) and the bands around the tables ([`text_regions`]),
//! stacked into one image per reading ([`stack_regions`]).

use super::*;

/// Rectangles of the image (pixels) OCR'd one by one, each with its own
/// text: table cells (shrunk past their borders), and the bands above and
/// below the tables.
pub(super) fn text_regions(
    img_mask: &[bool],
    edges: &[Edge],
    k: f64,
    inset_pt: f64,
    w: usize,
    h: usize,
    layout: &LayoutSettings,
) -> Vec<(usize, usize, usize, usize)> {
    let grids = edges_to_grids(edges, layout);
    let mut out = Vec::new();
    let px = |v: f64| (v * k).round().max(0.0) as usize;
    let inset = (inset_pt * k).ceil() as usize;
    let mut top = h;
    let mut bottom = 0;
    for g in &grids {
        top = top.min(px(g.bbox.top));
        bottom = bottom.max(px(g.bbox.bottom));
        for c in &g.cells {
            let (x0, y0) = (px(c.bbox.x0) + inset, px(c.bbox.top) + inset);
            let (x1, y1) = (
                px(c.bbox.x1).saturating_sub(inset).min(w),
                px(c.bbox.bottom).saturating_sub(inset).min(h),
            );
            if x1 > x0 + 4 && y1 > y0 + 4 {
                out.push((x0, y0, x1, y1));
            }
        }
    }
    if grids.is_empty() {
        return vec![(0, 0, w, h)];
    }
    let mut bands = Vec::new();
    if top > 8 {
        bands.push((0, top.saturating_sub(inset)));
    }
    if bottom + inset + 8 < h {
        bands.push((bottom + inset, h));
    }
    let mut lines = Vec::new();
    for (y0, y1) in bands {
        for (a, b) in text_rows(img_mask, w, y0, y1) {
            lines.push((0, a, w, b));
        }
    }
    lines.extend(out);
    lines
}

/// Text lines of a band of the page (rows `y0..y1`): runs of rows holding
/// ink, padded, so the title, the year and the unit line are read each on
/// its own (one wide region mixing a large title and small lines reads
/// badly). Rows with a few specks of noise count as empty.
pub(super) fn text_rows(mask: &[bool], w: usize, y0: usize, y1: usize) -> Vec<(usize, usize)> {
    let min_ink = (w / 400).max(3);
    let inked: Vec<bool> = (y0..y1)
        .map(|y| mask[y * w..(y + 1) * w].iter().filter(|&&b| b).count() >= min_ink)
        .collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, &ink) in inked.iter().chain(std::iter::once(&false)).enumerate() {
        match (ink, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 6 {
                    let pad = ((i - s) / 4).max(4);
                    let a = (y0 + s).saturating_sub(pad).max(y0);
                    let b = (y0 + i + pad).min(y1);
                    match out.last_mut() {
                        Some(last) if last.1 > a => last.1 = b,
                        _ => out.push((a, b)),
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// White margin around each region of a stacked image (pixels).
pub(super) const STACK_GAP: usize = 40;

/// Copies the regions into one tall image, one under the other with white
/// gaps, so one tesseract run reads each region on its own. Returns the
/// image and each region's y offset in it.
pub(super) fn stack_regions(
    img: &GrayImage,
    regions: &[(usize, usize, usize, usize)],
) -> (GrayImage, Vec<usize>) {
    let gap = STACK_GAP;
    let width = regions.iter().map(|r| r.2 - r.0).max().unwrap_or(1) + 2 * gap;
    let height = regions.iter().map(|r| r.3 - r.1 + gap).sum::<usize>() + gap;
    let mut out = GrayImage::new(width, height, 255);
    let mut offsets = Vec::with_capacity(regions.len());
    let mut y = gap;
    for &(x0, y0, x1, y1) in regions {
        offsets.push(y);
        for yy in y0..y1 {
            let src = &img.data[yy * img.width + x0..yy * img.width + x1];
            let dst = (y + yy - y0) * width + gap;
            out.data[dst..dst + (x1 - x0)].copy_from_slice(src);
        }
        y += y1 - y0 + gap;
    }
    (out, offsets)
}
