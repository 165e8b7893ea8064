//! Ruling lines of a scanned table: skew estimation and line detection on
//! an ink mask.
//!
//! * [`estimate_skew`]: the angle (degrees, within ±`max_deg`) at which the
//!   horizontal projection profile of the ink is sharpest (sum of squared
//!   row counts after shearing by `tan(angle)`): the whole range on coarse
//!   rows, then finer around the best angle ([`SkewSearch`]).
//! * [`find_segments`]: long horizontal and vertical runs of ink, small
//!   gaps (speckle dropouts, blur) bridged, neighbouring rows (columns)
//!   merged into one segment whose centre line is kept; thick blobs
//!   dropped.

/// A ruling line found in the image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Whether the line runs across the image (else down it).
    pub horizontal: bool,
    /// Along the line: x0..x1 for horizontal, top..bottom for vertical.
    pub start: usize,
    /// The last pixel along the line (inclusive).
    pub end: usize,
    /// Across the line: first and last row (column) of ink.
    pub across0: usize,
    /// The last row (column) of ink across the line (inclusive).
    pub across1: usize,
}

impl Segment {
    /// The centre line (the neighbour smear of [`find_segments`] widens
    /// a segment by one pixel each side; symmetric, so the centre holds).
    pub fn center(&self) -> f64 {
        (self.across0 + self.across1) as f64 / 2.0 + 0.5
    }
    /// Thickness, the smear's two pixels taken off.
    pub fn thickness(&self) -> usize {
        (self.across1 - self.across0 + 1).saturating_sub(2).max(1)
    }
}

/// How [`estimate_skew`] searches: the whole range at `coarse_step_deg`
/// on a profile of `coarse_bin` px rows (cheap, and a coarse profile's
/// peak is wide enough not to fall between steps), then around the best
/// angle on full-resolution rows, at 0.2° then 0.02°.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewSearch {
    /// Largest skew searched, degrees either way.
    pub max_deg: f64,
    /// Step of the coarse search, degrees.
    pub coarse_step_deg: f64,
    /// Row height of the coarse profile, pixels.
    pub coarse_bin: usize,
}

/// Sharpness of the row profile of `points` (x, y) sheared by `t = tan`,
/// rows `bin` px high; `off` is added to every sheared y (room for the
/// steepest shear searched) and `n` rows are counted.
pub fn profile_score(points: &[(f64, f64)], t: f64, off: f64, n: usize, bin: usize) -> f64 {
    let mut bins = vec![0u32; n / bin + 1];
    let b = bin as f64;
    for &(x, y) in points {
        let yy = (y - x * t + off) / b;
        if yy >= 0.0 && (yy as usize) < bins.len() {
            bins[yy as usize] += 1;
        }
    }
    bins.iter().map(|&b| (b as f64) * (b as f64)).sum()
}

/// The skew angle in degrees (positive: lines go down to the right, y
/// down), searched within ±`search.max_deg`. `mask` is the ink mask of a
/// `width`×`height` image.
pub fn estimate_skew(mask: &[bool], width: usize, height: usize, search: SkewSearch) -> f64 {
    // Sample ink pixels of every row, every 3rd column, to bound the work
    // (every row: skipping rows would favour angle 0, where sampled rows
    // fall in every other bin).
    let mut points = Vec::new();
    for y in 0..height {
        for x in (0..width).step_by(3) {
            if mask[y * width + x] {
                points.push((x as f64, y as f64));
            }
        }
    }
    if points.is_empty() {
        return 0.0;
    }
    let max_deg = search.max_deg.abs();
    // room for the steepest shear; the whole pixels added keep the rows'
    // boundaries where they were before the search was widened
    let off = height as f64 * 0.1 + 8.0 + (width as f64 * max_deg.to_radians().tan()).ceil();
    let n = (height as f64 + 2.0 * off) as usize + 1;
    let score = |a: f64, bin: usize| profile_score(&points, a.to_radians().tan(), off, n, bin);
    let best = |angles: &mut dyn Iterator<Item = f64>, bin: usize| {
        angles
            .map(|a| (score(a, bin), a))
            .fold((f64::MIN, 0.0), |b, c| if c.0 > b.0 { c } else { b })
            .1
    };
    let grid = |step: f64| (max_deg / step).floor() as i64;
    // coarse: the whole range on coarse rows
    let step = search.coarse_step_deg.max(0.02);
    let g = grid(step);
    let coarse = best(
        &mut (-g..=g).map(|i| i as f64 * step),
        search.coarse_bin.max(1),
    );
    // then multiples of 0.2° within a coarse step around it, full rows
    let g = grid(0.2);
    let mid = best(
        &mut (-g..=g)
            .map(|i| i as f64 * 0.2)
            .filter(|a| (a - coarse).abs() <= step + 1e-9),
        1,
    );
    // then 0.02° steps within 0.2° around that
    best(&mut (0..=20).map(|j| mid - 0.2 + j as f64 * 0.02), 1)
}

/// Runs of ink of at least `min_len` along one row, gaps up to `max_gap`
/// bridged: (start, end) inclusive.
fn runs(line: impl Iterator<Item = bool>, min_len: usize, max_gap: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    for (i, ink) in line.enumerate() {
        if !ink {
            continue;
        }
        cur = match cur {
            Some((s, e)) if i - e <= max_gap + 1 => Some((s, i)),
            Some((s, e)) => {
                if e - s + 1 >= min_len {
                    out.push((s, e));
                }
                Some((i, i))
            }
            None => Some((i, i)),
        };
    }
    if let Some((s, e)) = cur
        && e - s + 1 >= min_len
    {
        out.push((s, e));
    }
    out
}

/// Long straight runs of ink, horizontal then vertical. `min_len_h` and
/// `min_len_v` are the shortest segments kept (pixels), `max_gap` the
/// largest gap bridged along a line, `max_thickness` the thickest line.
pub fn find_segments(
    mask: &[bool],
    width: usize,
    height: usize,
    min_len_h: usize,
    min_len_v: usize,
    max_gap: usize,
    max_thickness: usize,
) -> Vec<Segment> {
    let mut out = Vec::new();
    for horizontal in [true, false] {
        let (n_lines, n_along) = if horizontal {
            (height, width)
        } else {
            (width, height)
        };
        let min_len = if horizontal { min_len_h } else { min_len_v };
        let mut open: Vec<Segment> = Vec::new();
        let mut done: Vec<Segment> = Vec::new();
        for a in 0..n_lines {
            // Each row (column) is OR-ed with its neighbours, so a line
            // drifting by a pixel (residual skew) still gives one long run.
            let rs = if horizontal {
                let lo = a.saturating_sub(1);
                let hi = (a + 1).min(height - 1);
                runs(
                    (0..width).map(|x| (lo..=hi).any(|y| mask[y * width + x])),
                    min_len,
                    max_gap,
                )
            } else {
                let lo = a.saturating_sub(1);
                let hi = (a + 1).min(width - 1);
                runs(
                    (0..height).map(|y| (lo..=hi).any(|x| mask[y * width + x])),
                    min_len,
                    max_gap,
                )
            };
            let mut next_open = Vec::new();
            let mut used = vec![false; open.len()];
            for (s, e) in rs {
                // Join the open segment of the previous row overlapping most.
                let hit = open.iter().enumerate().find(|(i, o)| {
                    !used[*i] && {
                        let ov = e.min(o.end) as i64 - s.max(o.start) as i64;
                        ov * 2 >= ((e - s).min(o.end - o.start)) as i64
                    }
                });
                match hit {
                    Some((i, o)) => {
                        used[i] = true;
                        next_open.push(Segment {
                            start: o.start.min(s),
                            end: o.end.max(e),
                            across1: a,
                            ..*o
                        });
                    }
                    None => next_open.push(Segment {
                        horizontal,
                        start: s,
                        end: e,
                        across0: a,
                        across1: a,
                    }),
                }
            }
            for (i, o) in open.into_iter().enumerate() {
                if !used[i] {
                    done.push(o);
                }
            }
            open = next_open;
        }
        done.extend(open);
        let _ = n_along;
        out.extend(done.into_iter().filter(|s| s.thickness() <= max_thickness));
    }
    out
}

/// The segments with paper beside them: a ruling line has paper on both
/// sides (text may touch one side), while a run of bold text strokes (the
/// horizontal strokes of a line of characters, joined at a light
/// threshold) has the characters' other strokes on both. Kept: segments
/// where, on at least one side, `gap` px beyond the segment, under
/// `max_ink` of the pixels along it are ink.
pub fn drop_inked_sides(
    segs: Vec<Segment>,
    mask: &[bool],
    width: usize,
    height: usize,
    gap: usize,
    max_ink: f64,
) -> Vec<Segment> {
    let ink_share = |s: &Segment, across: Option<usize>| -> f64 {
        let Some(a) = across else { return 0.0 };
        let limit = if s.horizontal { height } else { width };
        if a >= limit {
            return 0.0;
        }
        let n = s.end - s.start + 1;
        let inked = (s.start..=s.end)
            .filter(|&t| {
                let (x, y) = if s.horizontal { (t, a) } else { (a, t) };
                x < width && y < height && mask[y * width + x]
            })
            .count();
        inked as f64 / n as f64
    };
    segs.into_iter()
        .filter(|s| {
            let before = ink_share(s, s.across0.checked_sub(gap));
            let after = ink_share(s, Some(s.across1 + gap));
            before.min(after) < max_ink
        })
        .collect()
}

/// The segments that belong to a table: each meets (crosses or touches,
/// within `tol` pixels) at least one segment of the other direction.
/// A long run of text strokes (the aligned horizontal strokes of a few
/// characters, bridged by blur) floats free of every vertical rule and
/// is dropped here, so it is neither an edge nor erased from the text.
pub fn connected_segments(segs: &[Segment], tol: usize) -> Vec<Segment> {
    let meets = |a: &Segment, b: &Segment| {
        let (ac, bc) = (a.center(), b.center());
        let t = tol as f64;
        bc >= a.start as f64 - t
            && bc <= a.end as f64 + 1.0 + t
            && ac >= b.start as f64 - t
            && ac <= b.end as f64 + 1.0 + t
    };
    segs.iter()
        .filter(|a| {
            segs.iter()
                .any(|b| b.horizontal != a.horizontal && meets(a, b))
        })
        .copied()
        .collect()
}

/// The horizontal segments that are ruling lines rather than runs of text
/// strokes: a rule runs from a vertical rule to a vertical rule (both its
/// ends meet one, within `tol` px), while the strokes of a line of text
/// start and end inside its cell. Horizontal segments at least
/// `long_share` of the longest horizontal segment are kept whatever their
/// ends (a faint rule broken in places). Vertical segments are kept.
pub fn bounded_rules(segs: Vec<Segment>, tol: usize, long_share: f64) -> Vec<Segment> {
    let t = tol as f64;
    let longest = segs
        .iter()
        .filter(|s| s.horizontal)
        .map(|s| s.end - s.start)
        .max()
        .unwrap_or(0) as f64;
    let verticals: Vec<Segment> = segs.iter().filter(|s| !s.horizontal).copied().collect();
    let end_meets = |x: f64, y: f64| {
        verticals.iter().any(|v| {
            (v.center() - x).abs() <= t && y >= v.start as f64 - t && y <= v.end as f64 + 1.0 + t
        })
    };
    segs.into_iter()
        .filter(|s| {
            !s.horizontal
                || (s.end - s.start) as f64 >= long_share * longest
                || (end_meets(s.start as f64, s.center())
                    && end_meets((s.end + 1) as f64, s.center()))
        })
        .collect()
}

/// The segments about as dark as the page's rules: a rule printed on the
/// back of the sheet that shows through (bleed-through) is a fainter copy.
/// A segment's darkness is `255 -` the mean, along it, of the darkest
/// pixel across it; the page's rules' darkness is the 90th percentile of
/// the segments'. Kept: segments at least `min_share` of that.
pub fn drop_faint(
    segs: Vec<Segment>,
    img: &super::image::GrayImage,
    min_share: f64,
) -> Vec<Segment> {
    let darkness = |s: &Segment| -> f64 {
        let mut sum = 0.0;
        for t in s.start..=s.end {
            let darkest = (s.across0..=s.across1)
                .map(|a| {
                    let (x, y) = if s.horizontal { (t, a) } else { (a, t) };
                    if x < img.width && y < img.height {
                        img.get(x, y)
                    } else {
                        255
                    }
                })
                .min()
                .unwrap_or(255);
            sum += 255.0 - darkest as f64;
        }
        sum / (s.end - s.start + 1) as f64
    };
    let d: Vec<f64> = segs.iter().map(darkness).collect();
    let mut sorted = d.clone();
    sorted.sort_by(f64::total_cmp);
    let Some(&reference) = sorted.get(((sorted.len().max(1) - 1) as f64 * 0.9).round() as usize)
    else {
        return segs;
    };
    segs.into_iter()
        .zip(d)
        .filter(|(_, d)| *d >= min_share * reference)
        .map(|(s, _)| s)
        .collect()
}

/// Whitens the ruling lines `segs` in `img`, so OCR does not read them as
/// `|` or `一`: the line's own rows
/// (columns) `across0..=across1` wholly, and `pad` pixels beyond them
/// where lighter than `ink` (a blurred line's halo): a darker pixel there
/// is a character touching the line, and is kept (erasing the whole pad
/// cut a `4` written against a rule down to a `1`).
pub fn erase_segments(img: &mut super::image::GrayImage, segs: &[Segment], pad: usize, ink: u8) {
    for s in segs {
        let a0 = s.across0.saturating_sub(pad);
        let a1 = s.across1 + pad;
        for a in a0..=a1 {
            let core = (s.across0..=s.across1).contains(&a);
            for t in s.start..=s.end {
                let (x, y) = if s.horizontal { (t, a) } else { (a, t) };
                if x < img.width && y < img.height && (core || img.get(x, y) >= ink) {
                    img.set(x, y, 255);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_with(width: usize, height: usize, ink: impl Fn(usize, usize) -> bool) -> Vec<bool> {
        let mut m = vec![false; width * height];
        for y in 0..height {
            for x in 0..width {
                m[y * width + x] = ink(x, y);
            }
        }
        m
    }

    #[test]
    fn skew_of_tilted_lines_is_found() {
        let (w, h) = (600, 400);
        let t = 1.0f64.to_radians().tan();
        let m = mask_with(w, h, |x, y| {
            [100.0, 200.0, 300.0]
                .iter()
                .any(|&y0| ((y as f64) - (y0 + x as f64 * t)).abs() < 1.0)
        });
        let a = estimate_skew(&m, w, h, SEARCH);
        assert!((a - 1.0).abs() < 0.1, "{a}");
    }

    const SEARCH: SkewSearch = SkewSearch {
        max_deg: 10.0,
        coarse_step_deg: 0.5,
        coarse_bin: 4,
    };

    #[test]
    fn skew_of_eight_degrees_is_found() {
        // rows of text-like dashes, rotated 8° and -6.3°
        let (w, h) = (800, 600);
        for deg in [8.0f64, -6.3] {
            let t = deg.to_radians().tan();
            let m = mask_with(w, h, |x, y| {
                let yy = y as f64 - x as f64 * t;
                (x % 14 < 9) && yy.rem_euclid(40.0) < 6.0
            });
            let a = estimate_skew(&m, w, h, SEARCH);
            assert!((a - deg).abs() < 0.1, "{deg}: {a}");
        }
    }

    #[test]
    fn lines_with_gaps_are_found_and_text_strokes_are_not() {
        let (w, h) = (300, 200);
        let m = mask_with(w, h, |x, y| {
            // a 2-px horizontal rule with dropouts, a vertical rule, a short stroke
            ((y == 50 || y == 51) && (10..290).contains(&x) && x % 37 != 0)
                || (x == 150 && (20..180).contains(&y))
                || (y == 120 && (30..45).contains(&x))
        });
        let segs = find_segments(&m, w, h, 60, 40, 2, 6);
        let hs: Vec<_> = segs.iter().filter(|s| s.horizontal).collect();
        let vs: Vec<_> = segs.iter().filter(|s| !s.horizontal).collect();
        assert_eq!(hs.len(), 1, "{segs:?}");
        assert_eq!((hs[0].start, hs[0].end), (10, 289));
        assert!((hs[0].center() - 51.0).abs() < 0.01);
        assert_eq!(vs.len(), 1, "{segs:?}");
        assert_eq!((vs[0].start, vs[0].end), (20, 179));
    }

    /// A segment 3 px thick.
    fn seg(horizontal: bool, start: usize, end: usize, across: usize) -> Segment {
        Segment {
            horizontal,
            start,
            end,
            across0: across,
            across1: across + 2,
        }
    }

    #[test]
    fn text_stroke_runs_floating_free_of_the_grid_are_dropped() {
        let segs = [
            // a cell: two rules and two borders that meet them
            seg(true, 10, 300, 20),
            seg(true, 10, 300, 120),
            seg(false, 20, 122, 9),
            seg(false, 20, 122, 299),
            // aligned strokes of a line of text inside the cell
            seg(true, 60, 180, 70),
        ];
        let kept = connected_segments(&segs, 4);
        assert_eq!(kept.len(), 4);
        assert!(!kept.contains(&segs[4]));
    }

    #[test]
    fn text_stroke_runs_touching_one_border_are_not_rules() {
        let segs = vec![
            seg(true, 10, 300, 20),
            seg(true, 10, 300, 120),
            seg(false, 20, 122, 9),
            seg(false, 20, 122, 150),
            seg(false, 20, 122, 299),
            // bold digits starting right by the left border, ending mid-cell
            seg(true, 13, 100, 70),
            // a rule from the middle border to the right one
            seg(true, 150, 300, 60),
        ];
        let kept = bounded_rules(segs.clone(), 4, 0.5);
        assert!(!kept.contains(&segs[5]), "{kept:?}");
        assert!(kept.contains(&segs[6]));
        assert_eq!(kept.len(), 6);
    }

    #[test]
    fn rules_showing_through_from_the_back_are_dropped() {
        let mut img = super::super::image::GrayImage::new(200, 100, 250);
        let seg = |start, end, across| Segment {
            horizontal: true,
            start,
            end,
            across0: across,
            across1: across,
        };
        for x in 10..190 {
            img.set(x, 20, 30); // the front's rules
            img.set(x, 40, 60);
            img.set(x, 60, 200); // the back's, faint
        }
        let segs = vec![seg(10, 189, 20), seg(10, 189, 40), seg(10, 189, 60)];
        let kept = drop_faint(segs.clone(), &img, 0.33);
        assert_eq!(kept, segs[..2].to_vec());
    }

    #[test]
    fn lines_with_ink_on_both_sides_are_text_not_rules() {
        let (w, h) = (200, 60);
        // a rule at row 10 with paper around; at row 40 a run inside bold
        // text (ink 3 px above and below along most of it)
        let m = mask_with(w, h, |x, y| {
            (y == 10 && x < 190) || ((34..=46).contains(&y) && x < 150 && x % 4 != 0)
        });
        let seg = |across0, across1| Segment {
            horizontal: true,
            start: 0,
            end: 149,
            across0,
            across1,
        };
        let segs = vec![seg(9, 11), seg(39, 41)];
        let kept = drop_inked_sides(segs.clone(), &m, w, h, 3, 0.3);
        assert_eq!(kept, vec![segs[0]]);
    }

    #[test]
    fn erasing_a_rule_keeps_a_character_touching_it() {
        use super::super::image::GrayImage;
        // a vertical rule at x 10..=12 with a light halo at 9 and 13, and a
        // character's dark stroke touching it at x 14..=15
        let mut img = GrayImage::new(30, 40, 255);
        for y in 0..40 {
            for x in 10..=12 {
                img.set(x, y, 60);
            }
            img.set(9, y, 210);
            img.set(13, y, 210);
        }
        for y in 15..25 {
            img.set(14, y, 30);
            img.set(15, y, 30);
        }
        erase_segments(&mut img, &[seg(false, 0, 39, 10)], 3, 128);
        assert!(
            (0..40).all(|y| (9..=13).all(|x| img.get(x, y) == 255)),
            "rule and halo gone"
        );
        assert_eq!(img.get(14, 20), 30, "the touching stroke is kept");
        assert_eq!(img.get(15, 20), 30);
    }
}
