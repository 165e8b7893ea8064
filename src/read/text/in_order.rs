//! Stage 4a: the indicator table read in reading order
//! ([`indicators_in_order`]), tried before the layout-driven reading of
//! [`super::place_indicators`].
//!
//! Dumps that keep the page's reading order print each row's cells left
//! to right: the level-1 name when a group starts, the level-2 name when a
//! level-2 cell starts, then the level 3 and its target. Knowing which names
//! are level names (the template's `level_names`) the rows follow without
//! guessing. Any cell that
//! does not fit that grammar (a level name where a target belongs, a target
//! with no level 3 before it, more than two level names in a row, cells
//! after a field label) means the dump is not in reading order, and the
//! table is left to the other reading, which warns where it is unsure.

use super::*;

/// One cell of the table, in dump order.
enum Cell<'a> {
    Name(&'a str, usize),
    Target(&'a str, usize),
}

/// The table's cells in dump order; `None` when cells follow a field label
/// (the table was not printed as one stretch).
fn cells(items: &[IndItem]) -> Option<Vec<Cell<'_>>> {
    let mut out = Vec::new();
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
        for (text, target) in it.cells() {
            out.push(if target {
                Cell::Target(text, line)
            } else {
                Cell::Name(text, line)
            });
        }
    }
    Some(out)
}

/// Longest piece joined to the level 3 before it without a warning: the
/// tail of a wrapped cell (`网络链路达标` then `率`); a longer piece may
/// be a level-2 name the template does not know.
const WRAPPED_TAIL_MAX_CHARS: usize = 3;

/// The indicator rows when the table's cells read as rows in reading
/// order (see the module docs), with the lines of rows whose target is not
/// shaped like one (taken by position alone: a cell wrapped over lines
/// reads as a level 3 and a target just as well); `None` when they do not
/// read as rows. A text taken for a target is, when that leaves cells
/// that read as no row, taken instead for the tail of a wrapped level 3
/// (`资金使用合规` `性` `合规`), and the cells read again.
pub fn indicators_in_order(
    items: &[IndItem],
    is_level: &dyn Fn(&str) -> bool,
    is_target: &dyn Fn(&str) -> bool,
) -> Option<(Vec<IndicatorRow>, Vec<usize>)> {
    let cells = cells(items)?;
    let mut joins = Vec::new();
    for _ in 0..MAX_REREADS {
        match read_rows(&cells, &joins, is_level, is_target) {
            Ok(r) => return Some(r),
            Err(Some(k)) if !joins.contains(&k) => joins.push(k),
            Err(_) => return None,
        }
    }
    None
}

/// Times the cells are read again with one more text taken for a tail.
const MAX_REREADS: usize = 8;

type Rows = (Vec<IndicatorRow>, Vec<usize>);

/// One reading of the cells; `joins` are cells taken for the tail of the
/// level 3 before them. On failure, the last cell taken for a target by
/// position alone (to be read as a tail next), if any.
fn read_rows(
    cells: &[Cell],
    joins: &[usize],
    is_level: &dyn Fn(&str) -> bool,
    is_target: &dyn Fn(&str) -> bool,
) -> Result<Rows, Option<usize>> {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    let mut levels: Vec<&str> = Vec::new();
    let mut unsure = Vec::new();
    let mut soft: Option<usize> = None;
    let mut l3: Option<(String, usize, bool)> = None;
    let (mut l1, mut l2): (Option<&str>, Option<&str>) = (None, None);
    for (k, c) in cells.iter().enumerate() {
        let tail_next = matches!(cells.get(k + 1), Some(Cell::Target(..))) || joins.contains(&k);
        match (c, &mut l3) {
            (Cell::Name(n, _), None) if is_level(n) => {
                levels.push(n);
                if levels.len() > 2 {
                    return Err(soft);
                }
            }
            (Cell::Name(n, line), None) => l3 = Some((n.to_string(), *line, false)),
            (Cell::Target(..), None) => return Err(soft),
            (Cell::Name(n, _), Some(_)) if is_level(n) => return Err(soft),
            // A level 3 wrapped over lines: its tail, then the target.
            (Cell::Name(n, _), Some((name, _, guessed))) if tail_next => {
                name.push_str(n);
                *guessed |= n.chars().count() > WRAPPED_TAIL_MAX_CHARS;
            }
            (Cell::Name(t, end) | Cell::Target(t, end), Some((name, line, guessed))) => {
                match levels.as_slice() {
                    [] => {}
                    [b] => l2 = Some(*b),
                    [a, b] => (l1, l2) = (Some(*a), Some(*b)),
                    _ => return Err(soft),
                }
                levels.clear();
                if !is_target(t) {
                    soft = Some(k);
                }
                if !is_target(t) || *guessed {
                    unsure.push(*line);
                }
                let (Some(a), Some(b)) = (l1, l2) else {
                    return Err(soft);
                };
                rows.push(IndicatorRow {
                    level1: Some(a.to_string()),
                    level2: Some(b.to_string()),
                    level3: Some(std::mem::take(name)),
                    target: Some(t.to_string()),
                    line: *line,
                    line_end: *end,
                });
                l3 = None;
            }
        }
    }
    if l3.is_none() && levels.is_empty() && !rows.is_empty() {
        Ok((rows, unsure))
    } else {
        Err(soft)
    }
}
