//! Joining a form's pages into one table: the stage between layout and
//! mapping (`--dump table`).
//!
//! A table row cut by a page break is read in two parts, the last row of
//! one page and the first row of the next. Where the producer drew no rule
//! at the cut (Chromium, WeasyPrint and wkhtmltopdf leave it open), the
//! grid marks both parts ([`CellRef::cut_bottom`], [`CellRef::cut_top`]:
//! the vertical rules run on to the page's edge), and this stage puts the
//! second part's text into the first part's cell, column by column, so the
//! mapping reads one cell where the form has one:
//!
//! ```text
//! page k   | 保证项目实施 | 1、完善项目档案管理…      |  (cut_bottom)
//! page k+1 | 的制度、措施 | 3、引入第三方监理…        |  (cut_top)
//!       ─▶ | 保证项目实施的制度、措施 | 1、… 3、…     |
//! ```
//!
//! The second part keeps its place, emptied of the text moved up, so the
//! mapping sees an empty label cell at the top of the page (the field above
//! goes on) and an empty level cell (the level above goes on). Cells of the
//! second part that no first part lies over are left as they are.
//!
//! Rows cut where the producer did draw a rule (LibreOffice Writer) look
//! like two rows: they are joined when the text of every continued cell
//! fills its last line ([`join_closed_cut`]), and marked for a `page_cut`
//! warning where only some do. A header row repeated at the top of a page
//! is dropped; a sliver of a row cut just below its top moves down. The
//! mapping still continues a field whose label cell is empty and stitches
//! half a label on each page.

use serde::Serialize;

use crate::layout::{CellRef, PageLayout};
use crate::settings::LayoutSettings;

/// One join made: the cell on `page` at `bbox` took the text of the cell
/// on the next page at `from`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutJoin {
    /// 1-based page of the cell that took the text.
    pub page: usize,
    /// Box of the cell that took the text, points.
    pub bbox: crate::geom::BBox,
    /// 1-based page of the cell whose text was taken.
    pub from_page: usize,
    /// Box of the cell whose text was taken, points.
    pub from: crate::geom::BBox,
}

impl CutJoin {
    /// `into` took the text of `from`.
    fn new(into: &CellRef, from: &CellRef) -> Self {
        CutJoin {
            page: into.page,
            bbox: into.bbox,
            from_page: from.page,
            from: from.bbox,
        }
    }
}

/// What [`join_page_cuts`] did to a form's pages.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct JoinReport {
    /// The joins made, one per cell that took another's text.
    pub joins: Vec<CutJoin>,
    /// Header rows repeated at the top of a page and dropped.
    pub repeated_headers: usize,
}

/// Joins the rows cut by page breaks in a form's pages, in place (see the
/// module docs); pages with nothing to join are left untouched.
pub fn join_page_cuts(pages: &mut [PageLayout], settings: &LayoutSettings) -> JoinReport {
    let mut report = JoinReport::default();
    let pairs = page_breaks(pages);
    for &(_, _, k) in &pairs {
        let (before, after) = pages.split_at_mut(k);
        report.repeated_headers +=
            drop_repeated_header(before, &mut after[0].tables[0].cells, settings);
    }
    // Last cut first: a cell running over three pages passes the third
    // page's text to the second, then both to the first.
    for &(pk, ti, k) in pairs.iter().rev() {
        let (before, after) = pages.split_at_mut(k);
        let (upper, lower) = (
            &mut before[pk].tables[ti].cells,
            &mut after[0].tables[0].cells,
        );
        join_open_cut(upper, lower, settings, &mut report.joins);
        join_closed_cut(upper, lower, settings, &mut report.joins);
    }
    report.joins.reverse();
    report
}

/// The consecutive tables across page breaks: (page, table) of the last
/// table before each break and the page of the first table after it; a
/// page with no table (a blank page some producers leave at a forced
/// break) is skipped.
fn page_breaks(pages: &[PageLayout]) -> Vec<(usize, usize, usize)> {
    let mut pairs = Vec::new();
    let mut last: Option<(usize, usize)> = None;
    for (k, p) in pages.iter().enumerate() {
        if p.tables.is_empty() {
            continue;
        }
        if let Some((pk, ti)) = last {
            pairs.push((pk, ti, k));
        }
        last = Some((k, p.tables.len() - 1));
    }
    pairs
}

/// Moves the text of `lower`'s cut-top cells into the `upper` cut-bottom
/// cell over the same columns; the emptied second parts stay, so the rest
/// of their row keeps its label and level cells (read as carried on).
fn join_open_cut(
    upper: &mut [CellRef],
    lower: &mut [CellRef],
    settings: &LayoutSettings,
    joins: &mut Vec<CutJoin>,
) {
    let tol = settings.column_match_tolerance;
    if move_sliver_down(upper, lower, tol, joins) {
        return;
    }
    for l in lower.iter_mut().filter(|l| l.cut_top) {
        let Some(u) = upper
            .iter_mut()
            .filter(|u| u.cut_bottom && same_columns(u, l, tol))
            .max_by(|a, b| {
                a.bbox
                    .h_overlap(&l.bbox)
                    .total_cmp(&b.bbox.h_overlap(&l.bbox))
            })
        else {
            continue;
        };
        joins.push(CutJoin::new(u, l));
        // A line sliced by the cut is painted on both pages (wkhtmltopdf),
        // each copy showing part of it: read it once.
        if let (Some(a), Some(b)) = (u.lines.last(), l.lines.first())
            && !a.text.trim().is_empty()
            && a.text == b.text
        {
            l.lines.remove(0);
        }
        u.lines.append(&mut l.lines);
    }
}

/// Drops the first row of a page's table when it repeats, cell for cell
/// (same edges, same text, at least two non-empty cells), a row of the
/// pages before: a header row the producer repeats on every page (an HTML
/// `thead`, a Word row marked as header). Returns the number of rows
/// dropped (0 or 1).
fn drop_repeated_header(
    before: &[PageLayout],
    lower: &mut Vec<CellRef>,
    settings: &LayoutSettings,
) -> usize {
    let tol = settings.column_match_tolerance;
    if !repeats_header(before, lower, tol) {
        return 0;
    }
    let Some(top) = first_row_top(lower) else {
        return 0;
    };
    lower.retain(|c| !((c.bbox.top - top).abs() <= tol && c.row_span == 1));
    1
}

/// Whether two cells hold the same lines of text (no allocation).
fn same_text(a: &CellRef, b: &CellRef) -> bool {
    a.lines.len() == b.lines.len() && a.lines.iter().zip(&b.lines).all(|(x, y)| x.text == y.text)
}

/// The top of a table's first row.
fn first_row_top(cells: &[CellRef]) -> Option<f64> {
    cells.iter().map(|c| c.bbox.top).min_by(f64::total_cmp)
}

/// Whether `lower`'s first row repeats, cell for cell, a row of `before`.
fn repeats_header(before: &[PageLayout], lower: &[CellRef], tol: f64) -> bool {
    let Some(top) = first_row_top(lower) else {
        return false;
    };
    let at_top = |c: &&CellRef| (c.bbox.top - top).abs() <= tol;
    let first: Vec<&CellRef> = lower
        .iter()
        .filter(|c| at_top(c) && c.row_span == 1)
        .collect();
    if first.len() < 2 || first.iter().any(|c| c.is_empty()) {
        return false;
    }
    // A merged cell opening in that row (ruled above it, not cut open)
    // begins a block there: the row heads a new table whose header is
    // worded as an earlier one's (two indicator tables), not a repeat.
    if lower
        .iter()
        .any(|c| at_top(&c) && c.row_span > 1 && !c.cut_top)
    {
        return false;
    }
    let repeats = |row: &[&CellRef]| {
        first
            .iter()
            .all(|f| row.iter().any(|c| same_edges(c, f, tol) && same_text(c, f)))
    };
    before
        .iter()
        .flat_map(|p| &p.tables)
        .any(|t| rows_of(&t.cells).any(|row| repeats(&row)))
}

/// The cells of a table grouped by the row they start in.
fn rows_of(cells: &[CellRef]) -> impl Iterator<Item = Vec<&CellRef>> + '_ {
    let mut rows: Vec<usize> = cells.iter().map(|c| c.row).collect();
    rows.sort_unstable();
    rows.dedup();
    rows.into_iter()
        .map(move |r| cells.iter().filter(|c| c.row == r).collect())
}

/// A row cut a few points below its top leaves a sliver on the first page,
/// too short for the rules between its cells (shorter than
/// `min_edge_length`): one cut cell there spans several of the second
/// part's. The row is then the second part's: every line of the sliver's
/// cut cells moves down to the second part's cut cell under its centre
/// (and nothing moves up). Returns whether it did.
fn move_sliver_down(
    upper: &mut [CellRef],
    lower: &mut [CellRef],
    tol: f64,
    joins: &mut Vec<CutJoin>,
) -> bool {
    let spans_several = upper.iter().filter(|u| u.cut_bottom).any(|u| {
        lower
            .iter()
            .filter(|l| l.cut_top && l.bbox.x0 >= u.bbox.x0 - tol && l.bbox.x1 <= u.bbox.x1 + tol)
            .count()
            >= 2
    });
    if !spans_several {
        return false;
    }
    for u in upper.iter_mut().filter(|u| u.cut_bottom) {
        for line in std::mem::take(&mut u.lines) {
            let (cx, _) = line.bbox.center();
            let target = lower
                .iter_mut()
                .find(|l| l.cut_top && cx >= l.bbox.x0 && cx <= l.bbox.x1);
            match target {
                Some(l) => {
                    joins.push(CutJoin::new(l, u));
                    l.lines.insert(0, line);
                }
                None => u.lines.push(line),
            }
        }
    }
    true
}

/// A row cut where the producer drew a rule on both sides of the cut
/// (LibreOffice Writer) looks like two rows. It is one when every
/// non-empty cell of the next page's first row lies under a cell of this
/// page's last row with the same left and right edges whose text fills its last line from margin to margin
/// (the text was stopped by the page, not by its end), and no cell of
/// that first row has text under an empty cell. Then the second part's
/// text moves up as for an open cut. A new row under a row whose text
/// happens to fill its last line is told apart by its other cells: a
/// short target or an amount never fills its line.
fn join_closed_cut(
    upper: &mut [CellRef],
    lower: &mut [CellRef],
    settings: &LayoutSettings,
    joins: &mut Vec<CutJoin>,
) {
    let (join, pairs) = closed_cut_plan(upper, lower, settings.column_match_tolerance);
    for (u, l) in pairs {
        if !join {
            // Not one row by this rule; the cell above fills its last
            // line, so its text may still go on below: say so on both.
            upper[u].cut_doubt = true;
            lower[l].cut_doubt = true;
            continue;
        }
        joins.push(CutJoin::new(&upper[u], &lower[l]));
        let mut moved = std::mem::take(&mut lower[l].lines);
        upper[u].lines.append(&mut moved);
    }
}

/// What [`join_closed_cut`] does, read only: `(true, pairs)` to join
/// every pair (above, below); `(false, pairs)` where only those pairs'
/// upper cells fill their last line (doubt); no pairs: nothing.
fn closed_cut_plan(upper: &[CellRef], lower: &[CellRef], tol: f64) -> (bool, Vec<(usize, usize)>) {
    let (Some(bottom), Some(top)) = (
        upper.iter().map(|c| c.bbox.bottom).max_by(f64::total_cmp),
        lower.iter().map(|c| c.bbox.top).min_by(f64::total_cmp),
    ) else {
        return (false, Vec::new());
    };
    let last: Vec<usize> = (0..upper.len())
        .filter(|&i| (upper[i].bbox.bottom - bottom).abs() <= tol && !upper[i].cut_bottom)
        .collect();
    // Each non-empty cell below with the cell above it (same edges) and
    // whether that one's last line is filled.
    let matched: Vec<(Option<usize>, usize, bool)> = (0..lower.len())
        .filter(|&i| (lower[i].bbox.top - top).abs() <= tol && !lower[i].cut_top)
        .filter(|&i| !lower[i].is_empty())
        .map(|l| {
            let u = last
                .iter()
                .copied()
                .find(|&u| same_edges(&upper[u], &lower[l], tol));
            (u, l, u.is_some_and(|u| fills_last_line(&upper[u])))
        })
        .collect();
    let join = !matched.is_empty() && matched.iter().all(|m| m.2);
    let pairs = matched
        .iter()
        .filter(|m| m.2)
        .filter_map(|m| Some((m.0?, m.1)))
        .collect();
    (join, pairs)
}

/// Whether a cell's last line runs from its text margin to the opposite
/// one: its width is within two characters (its height) of the cell's
/// width less the left margin on both sides (the margin read from the line
/// that starts furthest left). Two, not one: a line may not end before a
/// closing punctuation mark (`制，` moves to the next line together).
fn fills_last_line(c: &CellRef) -> bool {
    let Some(last) = c.lines.last() else {
        return false;
    };
    if last.text.trim().is_empty() {
        return false;
    }
    let margin = c
        .lines
        .iter()
        .map(|l| l.bbox.x0 - c.bbox.x0)
        .fold(f64::INFINITY, f64::min)
        .max(0.0);
    let inner = c.bbox.width() - 2.0 * margin;
    last.bbox.width() >= inner - 2.0 * last.bbox.height()
}

/// Whether two cells have the same left and right edges (within `tol`).
fn same_edges(a: &CellRef, b: &CellRef, tol: f64) -> bool {
    (a.bbox.x0 - b.bbox.x0).abs() <= tol && (a.bbox.x1 - b.bbox.x1).abs() <= tol
}

/// Whether two cells cover the same columns: their left and right edges
/// within `tol`, or (a part of a merged cell drawn narrower) most of the
/// narrower one under the wider.
fn same_columns(a: &CellRef, b: &CellRef, tol: f64) -> bool {
    same_edges(a, b, tol) || a.bbox.spans_most_of_narrower(&b.bbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::BBox;
    use crate::layout::TableCells;
    use crate::layout::TextLine;

    fn cell(page: usize, row: usize, x0: f64, x1: f64, text: &str) -> CellRef {
        CellRef {
            page,
            bbox: BBox::new(x0, 100.0 + row as f64 * 20.0, x1, 120.0 + row as f64 * 20.0),
            row,
            col: usize::from(x0 > 0.0),
            row_span: 1,
            col_span: 1,
            lines: text
                .split('\n')
                .map(|t| TextLine {
                    text: t.to_string(),
                    bbox: BBox::new(x0, 0.0, x1, 10.0),
                    starts_paragraph: false,
                })
                .collect(),
            cut_top: false,
            cut_bottom: false,
            cut_doubt: false,
        }
    }

    fn page(n: usize, cells: Vec<CellRef>) -> PageLayout {
        PageLayout {
            page: n,
            tables: vec![TableCells {
                page: n,
                bbox: BBox::new(0.0, 0.0, 400.0, 800.0),
                cells,
            }],
            free_lines: vec![],
            ocr: None,
        }
    }

    fn texts(p: &PageLayout) -> Vec<String> {
        p.tables[0].cells.iter().map(|c| c.text()).collect()
    }

    #[test]
    fn open_cut_text_row_is_joined_label_to_label_value_to_value() {
        let mut a = cell(1, 5, 0.0, 100.0, "保证项目实施");
        let mut b = cell(1, 5, 100.0, 400.0, "1、完善项目档案管理");
        a.cut_bottom = true;
        b.cut_bottom = true;
        let mut c = cell(2, 0, 0.0, 100.0, "的制度、措施");
        let mut d = cell(2, 0, 100.0, 400.0, "3、引入第三方监理");
        c.cut_top = true;
        d.cut_top = true;
        let next = cell(2, 1, 0.0, 100.0, "项目总预算（元）");
        let mut pages = [page(1, vec![a, b]), page(2, vec![c, d, next])];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(
            texts(&pages[0]),
            [
                "保证项目实施\n的制度、措施",
                "1、完善项目档案管理\n3、引入第三方监理"
            ]
        );
        assert_eq!(texts(&pages[1]), ["", "", "项目总预算（元）"]);
        assert_eq!(j.joins.len(), 2);
    }

    #[test]
    fn cell_over_three_pages_gathers_its_text_on_the_first() {
        let mut a = cell(1, 9, 100.0, 400.0, "第一段");
        a.cut_bottom = true;
        let mut b = cell(2, 0, 100.0, 400.0, "第二段");
        b.cut_top = true;
        b.cut_bottom = true;
        let mut c = cell(3, 0, 100.0, 400.0, "第三段");
        c.cut_top = true;
        let mut pages = [page(1, vec![a]), page(2, vec![b]), page(3, vec![c])];
        join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(texts(&pages[0]), ["第一段\n第二段\n第三段"]);
        assert!(pages[1].tables[0].cells[0].is_empty());
        assert!(pages[2].tables[0].cells[0].is_empty());
    }

    #[test]
    fn second_part_spanning_more_rows_stays_as_an_empty_cell() {
        let mut a = cell(1, 9, 0.0, 100.0, "分解目标");
        a.cut_bottom = true;
        let mut c = cell(2, 0, 0.0, 100.0, "");
        c.cut_top = true;
        c.row_span = 4;
        let mut pages = [page(1, vec![a]), page(2, vec![c])];
        join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(pages[1].tables[0].cells.len(), 1);
        assert!(pages[1].tables[0].cells[0].is_empty());
    }

    #[test]
    fn line_sliced_by_the_cut_and_painted_on_both_pages_is_read_once() {
        let mut a = cell(1, 5, 100.0, 400.0, "合同履约率");
        a.cut_bottom = true;
        let mut c = cell(2, 0, 100.0, 400.0, "合同履约率");
        c.cut_top = true;
        let mut pages = [page(1, vec![a]), page(2, vec![c])];
        join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(texts(&pages[0]), ["合同履约率"]);
    }

    /// A cell whose last line is `width` points wide, 10 pt high, starting
    /// 5 pt inside the cell.
    fn with_last_line(mut c: CellRef, width: f64) -> CellRef {
        let x0 = c.bbox.x0 + 5.0;
        if let Some(l) = c.lines.last_mut() {
            l.bbox = BBox::new(x0, 0.0, x0 + width, 10.0);
        }
        c
    }

    #[test]
    fn closed_cut_under_a_short_last_line_is_two_rows() {
        // 300 pt cell, 290 pt inside: a 200 pt line stopped at its end
        let a = with_last_line(cell(1, 5, 100.0, 400.0, "1、完善项目档案管理"), 200.0);
        let c = with_last_line(cell(2, 0, 100.0, 400.0, "3、引入第三方监理"), 200.0);
        let mut pages = [page(1, vec![a]), page(2, vec![c])];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert!(j.joins.is_empty());
        assert_eq!(texts(&pages[1]), ["3、引入第三方监理"]);
    }

    #[test]
    fn closed_cut_under_full_last_lines_is_one_row() {
        // level 3 and target both stopped by the page: each last line fills
        // its cell (within two characters); the level cells below are empty
        let l3 = with_last_line(cell(1, 9, 100.0, 200.0, "跨部门数据共享交"), 80.0);
        let t = with_last_line(cell(1, 9, 200.0, 300.0, "实现跨部门数据共"), 80.0);
        let l3b = with_last_line(cell(2, 0, 100.0, 200.0, "换接口按时响应"), 70.0);
        let tb = with_last_line(cell(2, 0, 200.0, 300.0, "享"), 10.0);
        let lvl = with_last_line(cell(2, 0, 0.0, 100.0, ""), 0.0);
        let mut pages = [page(1, vec![l3, t]), page(2, vec![lvl, l3b, tb])];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(
            texts(&pages[0]),
            ["跨部门数据共享交\n换接口按时响应", "实现跨部门数据共\n享"]
        );
        assert_eq!(j.joins.len(), 2);
    }

    #[test]
    fn closed_cut_with_a_short_cell_above_a_new_value_is_two_rows() {
        // the name fills its line, but the amount above does not: a new row
        let name = with_last_line(cell(1, 9, 100.0, 200.0, "第三方软件测评费用"), 85.0);
        let amount = with_last_line(cell(1, 9, 200.0, 300.0, "1,000.00"), 40.0);
        let name2 = with_last_line(cell(2, 0, 100.0, 200.0, "印刷费"), 30.0);
        let amount2 = with_last_line(cell(2, 0, 200.0, 300.0, "2,000.00"), 40.0);
        let mut pages = [page(1, vec![name, amount]), page(2, vec![name2, amount2])];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert!(j.joins.is_empty());
        // the filled name may still go on below: both parts are in doubt
        let doubt = |p: &PageLayout| -> Vec<bool> {
            p.tables[0].cells.iter().map(|c| c.cut_doubt).collect()
        };
        assert_eq!(doubt(&pages[0]), [true, false]);
        assert_eq!(doubt(&pages[1]), [true, false]);
    }

    #[test]
    fn header_row_repeated_at_the_top_of_a_page_is_dropped() {
        let head = |p: usize, r: usize| {
            vec![
                cell(p, r, 100.0, 200.0, "三级指标"),
                cell(p, r, 200.0, 300.0, "指标目标值"),
            ]
        };
        let mut p1 = head(1, 3);
        p1.push(with_last_line(cell(1, 4, 100.0, 200.0, "系统可用率"), 50.0));
        let mut p2 = head(2, 0);
        p2.push(cell(2, 1, 100.0, 200.0, "培训人次"));
        let mut pages = [page(1, p1), page(2, p2)];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(j.repeated_headers, 1);
        assert_eq!(texts(&pages[1]), ["培训人次"]);
    }

    #[test]
    fn open_cut_part_under_no_upper_part_is_kept() {
        let mut a = cell(1, 5, 100.0, 400.0, "某子项目");
        a.cut_bottom = true;
        let mut c = cell(2, 0, 0.0, 100.0, "");
        c.cut_top = true;
        let mut pages = [page(1, vec![a]), page(2, vec![c])];
        let j = join_page_cuts(&mut pages, &LayoutSettings::default());
        assert_eq!(pages[1].tables[0].cells.len(), 1);
        assert!(j.joins.is_empty());
    }
}
