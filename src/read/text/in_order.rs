//! Stage 4a: the indicator table read in reading order
//! ([`indicators_in_order`]), tried before the layout-driven reading of
//! [`super::place_indicators`].
//!
//! Dumps that keep the page's reading order print each row's cells left
//! to right: the level-1 name when a group starts, the level-2 name when a
//! level-2 cell starts, then the level 3 and its target. Knowing which names
//! are level names (the template's `level_names`) the rows follow a small
//! grammar: `[level] [level] level3 target`, where the first row has both
//! levels. What the grammar leaves open is where a cell wrapped over lines
//! ends: `行政审批事项提交材` `料量` is one level 3, `信息安全`
//! `全年重大信息安全事` a level 3 and the start of its target. Every way
//! of reading the pieces is scored ([`Costs`]): a target not shaped like
//! one, a level 3 shaped like a target, a cell carried on after a line
//! that was not full, and the cheapest reading is taken (a shortest path
//! over the pieces). A row whose pieces could be read another way at
//! nearly the same cost is warned. When no reading fits the grammar (a
//! level name where a target belongs, cells after a field label, three
//! level names in a row) the dump is not in reading order, and the table
//! is left to the other reading, which warns where it is unsure.

use unicode_width::UnicodeWidthStr;

use super::*;

/// One cell piece of the table, in dump order.
struct Piece<'a> {
    text: &'a str,
    line: usize,
    /// Display columns (a wide character counts two).
    width: usize,
    /// Printed first on its line: it may carry the cell of the piece
    /// before on (a cell wrapped over lines); a piece after another on its
    /// line seldom does (a space printed inside a cell).
    new_line: bool,
    level: bool,
    target_shaped: bool,
}

/// The table's pieces in dump order; `None` when cells follow a field
/// label (the table was not printed as one stretch).
fn pieces<'a>(
    items: &'a [IndItem],
    is_level: &dyn Fn(&str) -> bool,
    is_target: &dyn Fn(&str) -> bool,
) -> Option<Vec<Piece<'a>>> {
    let mut out: Vec<Piece> = Vec::new();
    let mut ended = false;
    for it in items {
        match it {
            IndItem::Header { .. } | IndItem::Stray { .. } => continue,
            IndItem::Label => {
                ended = !out.is_empty();
                continue;
            }
            _ if ended => return None,
            _ => {}
        }
        let line = it.line().unwrap_or_default();
        for (k, (text, _)) in it.cells().into_iter().enumerate() {
            out.push(Piece {
                text,
                line,
                width: text.width(),
                new_line: k == 0 && out.last().is_some_and(|p| p.line != line),
                level: is_level(text),
                target_shaped: is_target(text),
            });
        }
    }
    Some(out)
}

/// Display columns a wrapped line may fall short of its column's widest
/// line (a half-width character, or one moved to the next line by the
/// rule that a line does not begin with closing punctuation).
const FULL_LINE_SLACK: usize = 1;

/// The widest line of each text column: a line within
/// [`FULL_LINE_SLACK`] of it is full, and the cell may go on below it.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Widths {
    name: usize,
    target: usize,
}

/// What each reading of a piece costs; the cheapest reading of the whole
/// table is taken.
struct Costs;

impl Costs {
    /// A target cell not shaped like a target (`合规`, `明显提升`).
    const TARGET_NOT_SHAPED: f32 = 0.5;
    /// A level 3 shaped like a target (`≥85%`).
    const NAME_SHAPED_AS_TARGET: f32 = 1.5;
    /// A piece carrying a cell on after a line that was not full.
    const CONTINUE_AFTER_SHORT_LINE: f32 = 1.5;
    /// A level 3 carried on by a piece shaped like a target.
    const NAME_CONTINUED_BY_TARGET_SHAPE: f32 = 1.0;
    /// A target carried on after a line ending in a percentage (`≥90%`,
    /// `平均减少50%`): a target's number and unit usually end it.
    const TARGET_CONTINUED_AFTER_NUMBER: f32 = 1.0;
    /// A cell carried on by a piece printed on the same line after a space.
    const CONTINUE_ON_SAME_LINE: f32 = 0.5;
    /// The short rest of a level 3 whose last line was full, printed after
    /// its one-line target: dumpers that order lines by height print a
    /// target centred in a two-line row between the name's lines.
    const NAME_TAIL_AFTER_TARGET: f32 = 0.75;
    /// A level 3 with no target after it: some producers print wrapped
    /// cells after the rest of the page, away from their rows.
    const TARGET_MISSING: f32 = 1.0;
    /// A row is warned when reading one of its pieces another way costs
    /// less than this much more, or when one of its pieces costs this much
    /// (the row was read against what the grammar expects).
    const SURE_MARGIN: f32 = 1.0;
}

/// What a piece is read as.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Read {
    Level,
    NameStart,
    NameMore,
    TargetStart,
    TargetMore,
    /// The rest of a level 3 whose last line was full, printed after the
    /// first line of its target (a one-line target set in the middle of
    /// a two-line row); at most half the name column wide.
    NameTail,
}

const READS: [Read; 6] = [
    Read::Level,
    Read::NameStart,
    Read::NameMore,
    Read::TargetStart,
    Read::TargetMore,
    Read::NameTail,
];

/// Where the grammar stands after a piece.
#[derive(Clone, Copy, PartialEq, Debug)]
enum State {
    /// Before the first row: no level name yet, or one.
    Begin,
    BeginOne,
    /// One level name after a row (a new level 2), or two (a new group).
    One,
    Two,
    InName,
    InTarget,
    /// In a target's first line, after a level 3 whose last line was full.
    InTargetNameOpen,
}

const STATES: [State; 7] = [
    State::Begin,
    State::BeginOne,
    State::One,
    State::Two,
    State::InName,
    State::InTarget,
    State::InTargetNameOpen,
];

fn state_index(s: State) -> usize {
    STATES.iter().position(|&x| x == s).unwrap_or(0)
}

/// The state after reading `p` as `r` from `s`, and what it costs; `None`
/// when the grammar does not allow it. `before` is the piece before `p`.
fn step(s: State, r: Read, p: &Piece, before: Option<&Piece>, w: Widths) -> Option<(State, f32)> {
    use {Read::*, State::*};
    if p.level != (r == Level) {
        return None;
    }
    let full_in =
        |col: usize| before.is_some_and(|b| b.width.saturating_add(FULL_LINE_SLACK) >= col);
    let fits = match r {
        NameStart | NameMore | NameTail => p.width <= w.name,
        TargetStart | TargetMore => p.width <= w.target,
        Level => true,
    };
    if !fits {
        return None;
    }
    let after_full = full_in(if s == InName { w.name } else { w.target });
    // A piece after a space on its line carries the cell on only seldom;
    // one on the next line, freely after a full line.
    let more = |c: f32| {
        c + match (p.new_line, after_full) {
            (false, _) => Costs::CONTINUE_ON_SAME_LINE,
            (true, true) => 0.0,
            (true, false) => Costs::CONTINUE_AFTER_SHORT_LINE,
        }
    };
    let shaped = |yes: f32, no: f32| if p.target_shaped { yes } else { no };
    let in_target = matches!(s, InTarget | InTargetNameOpen);
    Some(match (s, r) {
        (Begin, Level) => (BeginOne, 0.0),
        (BeginOne, Level) => (Two, 0.0),
        (One, Level) => (Two, 0.0),
        (_, Level) if in_target => (One, 0.0),
        (InName, Level) => (One, Costs::TARGET_MISSING),
        (Two | One, NameStart) => (InName, shaped(Costs::NAME_SHAPED_AS_TARGET, 0.0)),
        (_, NameStart) if in_target => (InName, shaped(Costs::NAME_SHAPED_AS_TARGET, 0.0)),
        (InName, NameStart) => (
            InName,
            Costs::TARGET_MISSING + shaped(Costs::NAME_SHAPED_AS_TARGET, 0.0),
        ),
        (InName, NameMore) => (
            InName,
            more(shaped(Costs::NAME_CONTINUED_BY_TARGET_SHAPE, 0.0)),
        ),
        (InName, TargetStart) => {
            let next = if full_in(w.name) {
                InTargetNameOpen
            } else {
                InTarget
            };
            (next, shaped(0.0, Costs::TARGET_NOT_SHAPED))
        }
        (_, TargetMore) if in_target => {
            let number_before = before.is_some_and(|b| b.text.ends_with(ends_a_number));
            let c = if number_before {
                Costs::TARGET_CONTINUED_AFTER_NUMBER
            } else {
                0.0
            };
            (InTarget, more(c))
        }
        (InTargetNameOpen, NameTail) if p.new_line && p.width * 2 <= w.name => {
            (InTarget, Costs::NAME_TAIL_AFTER_TARGET)
        }
        _ => return None,
    })
}

/// Warnings on rows read with doubt: the row's first line and why.
pub type Doubts = Vec<(usize, String)>;

/// A character that ends a target's number and unit: a percent sign (a
/// digit may still be followed by its unit, `≤2` `次`).
fn ends_a_number(c: char) -> bool {
    matches!(c, '%' | '％')
}

/// The indicator rows when the table's pieces read as rows in reading
/// order (see the module docs), with a warning for each row read with
/// doubt (its line and why); `None` when they do not read as rows.
pub fn indicators_in_order(
    items: &[IndItem],
    is_level: &dyn Fn(&str) -> bool,
    is_target: &dyn Fn(&str) -> bool,
) -> Option<(Vec<IndicatorRow>, Doubts)> {
    let ps = pieces(items, is_level, is_target)?;
    let readings: Vec<Reading> = width_hypotheses(&ps)
        .filter_map(|w| cheapest_reading(&ps, w))
        .collect();
    let best = readings.iter().min_by(|a, b| a.cost.total_cmp(&b.cost))?;
    // Close calls under any choice of column widths that reads the table
    // at nearly the best cost, and the pieces such a choice reads otherwise.
    let near = best.cost + Costs::SURE_MARGIN;
    let close: Vec<bool> = (0..ps.len())
        .map(|k| {
            readings.iter().any(|h| {
                if h.reads[k] == best.reads[k] {
                    h.other_cost[k] < near
                } else {
                    h.cost < near
                }
            })
        })
        .collect();
    Some(rows_from_reads(&ps, best, &close))
}

/// Widths the table's two text columns may have: one of the widest few
/// pieces, or wider than any (no cell wrapped in it).
fn width_hypotheses(ps: &[Piece]) -> impl Iterator<Item = Widths> {
    let mut ws: Vec<usize> = ps.iter().filter(|p| !p.level).map(|p| p.width).collect();
    ws.sort_unstable_by(|a, b| b.cmp(a));
    ws.dedup();
    ws.truncate(WIDTH_HYPOTHESES);
    ws.push(usize::MAX);
    let ts = ws.clone();
    ws.into_iter().flat_map(move |name| {
        ts.clone()
            .into_iter()
            .map(move |target| Widths { name, target })
    })
}

/// Widest pieces tried as a column's width.
const WIDTH_HYPOTHESES: usize = 6;

/// The cheapest reading of the pieces under one choice of column widths:
/// its cost, each piece's reading and what it cost, and for each piece
/// the cost of the cheapest reading that reads it otherwise.
struct Reading {
    cost: f32,
    reads: Vec<Read>,
    costs: Vec<f32>,
    other_cost: Vec<f32>,
}

/// The cheapest reading (a shortest path through the grammar's states,
/// forward), and each piece's cheapest other reading (the same backward).
fn cheapest_reading(ps: &[Piece], w: Widths) -> Option<Reading> {
    let n = ps.len();
    let ns = STATES.len();
    let inf = f32::INFINITY;
    let steps = |i: usize, si: usize| {
        let before = i.checked_sub(1).map(|j| &ps[j]);
        READS.into_iter().filter_map(move |r| {
            step(STATES[si], r, &ps[i], before, w).map(|(t, c)| (r, state_index(t), c))
        })
    };
    // fwd[i][s]: cheapest cost of reading pieces ..i ending in state s.
    let mut fwd = vec![vec![inf; ns]; n + 1];
    let mut back: Vec<Vec<Option<(usize, Read, f32)>>> = vec![vec![None; ns]; n + 1];
    fwd[0][state_index(State::Begin)] = 0.0;
    for i in 0..n {
        for si in 0..ns {
            if fwd[i][si] == inf {
                continue;
            }
            for (r, ti, c) in steps(i, si) {
                if fwd[i][si] + c < fwd[i + 1][ti] {
                    fwd[i + 1][ti] = fwd[i][si] + c;
                    back[i + 1][ti] = Some((si, r, c));
                }
            }
        }
    }
    // Ending in a level 3 leaves its target missing.
    let end_cost = |si: usize| match STATES[si] {
        State::InTarget | State::InTargetNameOpen => 0.0,
        State::InName => Costs::TARGET_MISSING,
        _ => inf,
    };
    let end =
        (0..ns).min_by(|&a, &b| (fwd[n][a] + end_cost(a)).total_cmp(&(fwd[n][b] + end_cost(b))))?;
    let best = fwd[n][end] + end_cost(end);
    if best == inf {
        return None;
    }
    // bwd[i][s]: cheapest cost of reading pieces i.. from state s to the end.
    let mut bwd = vec![vec![inf; ns]; n + 1];
    for (si, b) in bwd[n].iter_mut().enumerate() {
        *b = end_cost(si);
    }
    for i in (0..n).rev() {
        for si in 0..ns {
            for (_, ti, c) in steps(i, si) {
                bwd[i][si] = bwd[i][si].min(c + bwd[i + 1][ti]);
            }
        }
    }
    let (mut reads, mut costs) = (vec![Read::Level; n], vec![0.0; n]);
    let mut s = end;
    for i in (0..n).rev() {
        let (prev, r, c) = back[i + 1][s]?;
        (reads[i], costs[i]) = (r, c);
        s = prev;
    }
    let other_cost = (0..n)
        .map(|i| {
            (0..ns)
                .flat_map(|si| steps(i, si).map(move |x| (si, x)))
                .filter(|(_, (r, _, _))| *r != reads[i])
                .map(|(si, (_, ti, c))| fwd[i][si] + c + bwd[i + 1][ti])
                .fold(inf, f32::min)
        })
        .collect();
    Some(Reading {
        cost: best,
        reads,
        costs,
        other_cost,
    })
}

/// The rows a reading makes, and a warning for each row read with doubt:
/// a piece with a close other reading, a piece read against what the
/// grammar expects, a row printed twice in a row (a row split by a page
/// break is printed on both pages; the second is dropped).
fn rows_from_reads(ps: &[Piece], reading: &Reading, close: &[bool]) -> (Vec<IndicatorRow>, Doubts) {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    let mut doubts: Doubts = Vec::new();
    let mut levels: Vec<&str> = Vec::new();
    let (mut l1, mut l2): (Option<&str>, Option<&str>) = (None, None);
    for (k, (p, r)) in ps.iter().zip(&reading.reads).enumerate() {
        match r {
            Read::Level => levels.push(p.text),
            Read::NameStart => {
                match levels.as_slice() {
                    [b] => l2 = Some(*b),
                    [a, b] => (l1, l2) = (Some(*a), Some(*b)),
                    _ => {}
                }
                levels.clear();
                drop_repeated_row(&mut rows, &mut doubts);
                rows.push(IndicatorRow {
                    level1: l1.map(str::to_string),
                    level2: l2.map(str::to_string),
                    level3: Some(p.text.to_string()),
                    target: Some(String::new()),
                    line: p.line,
                    line_end: p.line,
                });
            }
            Read::NameMore | Read::NameTail | Read::TargetStart | Read::TargetMore => {
                let Some(row) = rows.last_mut() else { continue };
                let cell = match r {
                    Read::NameMore | Read::NameTail => row.level3.get_or_insert_default(),
                    _ => row.target.get_or_insert_default(),
                };
                cell.push_str(p.text);
                row.line_end = p.line;
            }
        }
        if *r == Read::Level {
            continue;
        }
        let line = rows.last().map_or(p.line, |x| x.line);
        let why = if reading.costs[k] >= Costs::SURE_MARGIN {
            format!("line {line}: {:?} read against the table's grammar", p.text)
        } else if close[k] {
            format!("line {line}: {:?} could belong to another cell", p.text)
        } else {
            continue;
        };
        if doubts.last().is_none_or(|(l, _)| *l != line) {
            doubts.push((line, why));
        }
    }
    drop_repeated_row(&mut rows, &mut doubts);
    for row in rows.iter_mut().filter(|r| r.target.as_deref() == Some("")) {
        row.target = None;
        let name = row.level3.as_deref().unwrap_or_default();
        doubts.push((
            row.line,
            format!("line {}: no target printed after {name:?}", row.line),
        ));
    }
    (rows, doubts)
}

/// Reads a row printed twice in a row once, with a warning: a row cut by
/// a page break is printed on both pages, whole or clipped (`100%` then
/// `00%`), and its level names, when they start there, only on the
/// second. The same level 3 twice, with the same levels and target, or
/// a target that is the end of the other (clipped): the first printing is
/// dropped when the second names other levels (those printed after the
/// break), else the second; the whole target is kept.
fn drop_repeated_row(rows: &mut Vec<IndicatorRow>, doubts: &mut Doubts) {
    let n = rows.len();
    if n < 2 {
        return;
    }
    let (a, b) = (&rows[n - 2], &rows[n - 1]);
    let (ta, tb) = (
        a.target.clone().unwrap_or_default(),
        b.target.clone().unwrap_or_default(),
    );
    if a.level3 != b.level3 || !(ta.ends_with(&tb) || tb.ends_with(&ta)) {
        return;
    }
    let same_levels = (&a.level1, &a.level2) == (&b.level1, &b.level2);
    // The same row under other levels, whole both times: two rows.
    if !same_levels && ta == tb {
        return;
    }
    let longer = if ta.len() >= tb.len() { ta } else { tb };
    let second = rows.pop().expect("two rows");
    let first = rows.pop().expect("two rows");
    let (mut kept, row) = if same_levels {
        (first, second)
    } else {
        (second, first)
    };
    kept.target = Some(longer);
    rows.push(kept);
    doubts.push((
        row.line,
        format!(
            "line {}: row {:?} printed twice (a page break?), read once",
            row.line,
            row.level3.as_deref().unwrap_or_default()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [&str; 6] = [
        "产出目标",
        "成本目标",
        "效果目标",
        "经济效益目标",
        "投入和管理目标",
        "管理目标",
    ];

    /// The items of a dump printing one cell per line.
    fn lines(cells: &[&str]) -> Vec<IndItem> {
        cells
            .iter()
            .enumerate()
            .map(|(line, t)| IndItem::Text {
                text: t.to_string(),
                line,
            })
            .collect()
    }

    fn read(cells: &[&str]) -> Option<(Vec<[String; 4]>, Doubts)> {
        let is_level = |s: &str| LEVELS.contains(&s);
        let is_target = |s: &str| s.contains('%') || s.starts_with(['≥', '≤']);
        let (rows, doubts) = indicators_in_order(&lines(cells), &is_level, &is_target)?;
        let rows = rows
            .into_iter()
            .map(|r| [r.level1, r.level2, r.level3, r.target].map(Option::unwrap_or_default))
            .collect();
        Some((rows, doubts))
    }

    fn row(cells: [&str; 4]) -> [String; 4] {
        cells.map(str::to_string)
    }

    #[test]
    fn a_level_3_wrapped_after_a_full_line_is_joined() {
        let (rows, doubts) = read(&[
            "产出目标",
            "成本目标",
            "成本控制率",
            "≤100%",
            "效果目标",
            "经济效益目标",
            "行政审批事项提交材",
            "料量",
            "平均减少50%",
            "信息安全",
            "全年重大信息安全事",
            "件≤2次",
        ])
        .unwrap();
        assert_eq!(
            rows,
            [
                row(["产出目标", "成本目标", "成本控制率", "≤100%"]),
                row([
                    "效果目标",
                    "经济效益目标",
                    "行政审批事项提交材料量",
                    "平均减少50%"
                ]),
                row([
                    "效果目标",
                    "经济效益目标",
                    "信息安全",
                    "全年重大信息安全事件≤2次"
                ]),
            ]
        );
        assert!(doubts.is_empty(), "{doubts:?}");
    }

    #[test]
    fn a_target_wrapped_in_a_column_narrower_than_the_names_is_joined() {
        // `单位运维成本` is no full line in a column where `项目按期完成率`
        // fits; `较上年下降` is the target column's widest line.
        let (rows, _) = read(&[
            "产出目标",
            "成本目标",
            "项目按期完成率",
            "100%",
            "单位运维成本",
            "较上年下降",
            "5%",
        ])
        .unwrap();
        assert_eq!(
            rows[1],
            row(["产出目标", "成本目标", "单位运维成本", "较上年下降5%"])
        );
    }

    #[test]
    fn short_targets_after_full_names_that_read_two_ways_are_warned() {
        // Every name fills its line: `健全` may end the first name as well as
        // be its target.
        let (_, doubts) = read(&[
            "投入和管理目标",
            "管理目标",
            "管理制度健全性",
            "健全",
            "档案管理规范性",
            "规范",
        ])
        .unwrap();
        assert!(!doubts.is_empty());
    }

    #[test]
    fn a_row_printed_again_after_a_page_break_is_read_once_and_warned() {
        let (rows, doubts) = read(&[
            "投入和管理目标",
            "管理目标",
            "合同履约率",
            "100%",
            "合同履约率",
            "100%",
        ])
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert!(doubts[0].1.contains("printed twice"), "{doubts:?}");
    }

    #[test]
    fn a_row_cut_by_a_page_break_and_clipped_takes_the_levels_after_the_break() {
        let (rows, doubts) = read(&[
            "产出目标",
            "成本目标",
            "成本控制率",
            "≤100%",
            "预算执行率",
            "100%",
            "投入和管理目标",
            "管理目标",
            "预算执行率",
            "00%",
        ])
        .unwrap();
        assert_eq!(
            rows,
            [
                row(["产出目标", "成本目标", "成本控制率", "≤100%"]),
                row(["投入和管理目标", "管理目标", "预算执行率", "100%"]),
            ]
        );
        assert!(doubts[0].1.contains("printed twice"), "{doubts:?}");
    }

    #[test]
    fn the_same_row_under_two_groups_is_two_rows() {
        let (rows, _) = read(&[
            "产出目标",
            "成本目标",
            "人员到位率",
            "100%",
            "投入和管理目标",
            "管理目标",
            "人员到位率",
            "100%",
        ])
        .unwrap();
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_level_name_where_a_target_belongs_is_not_read_in_order() {
        assert!(read(&["产出目标", "成本目标", "成本控制率", "效果目标"]).is_none());
    }
}
