//! Stage 3, what is left for the indicator table: the unclaimed cells of
//! the form as items in dump order ([`indicator_items`]). The table's own
//! label (`分解目标`, printed again on each page the table runs onto) is
//! read as a header; any other label ends a run of the table's cells.

use super::candidates::*;
use super::*;

pub(super) fn indicator_items(
    bs: &[Flat],
    claimed: &[bool],
    table_labels: &HashSet<&str>,
) -> Vec<IndItem> {
    // Pages with some sign of the table.
    let table_pages: HashSet<usize> = bs
        .iter()
        .enumerate()
        .filter(|(i, x)| {
            !claimed[*i] && matches!(x.b.kind, Kind::Target(_)) || is_indicator_header(&x.b.kind)
        })
        .map(|(_, x)| x.page)
        .collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bs.len() {
        let (page, row) = (bs[i].page, bs[i].b.row);
        let mut j = i;
        while j < bs.len() && bs[j].page == page && bs[j].b.row == row {
            j += 1;
        }
        let cells: Vec<&Block> = (i..j)
            .filter(|&k| !claimed[k] || matches!(bs[k].b.kind, Kind::Header(_)))
            .map(|k| bs[k].b)
            .collect();
        let line = bs[i].b.line;
        let has_label = (i..j).any(
            |k| matches!(&bs[k].b.kind, Kind::Label(key) if !table_labels.contains(key.as_str())),
        );
        i = j;
        if !table_pages.contains(&page) {
            // Cells no label claimed, on a page with no sign of the
            // indicator table: rows of it, or lost values; said, not dropped.
            for c in cells.iter().filter(|c| matches!(c.kind, Kind::Text(_))) {
                items.push(IndItem::Stray {
                    text: value_text(&c.kind),
                    line: c.line,
                });
            }
            continue;
        }
        if has_label {
            items.push(IndItem::Label);
        }
        if cells.is_empty() {
            continue;
        }
        if cells.iter().any(|c| matches!(c.kind, Kind::Header(_))) {
            let level2 = cells
                .iter()
                .any(|c| c.kind == Kind::Header(HeaderCol::Level2));
            if cells.iter().any(|c| is_indicator_header(&c.kind)) {
                items.push(IndItem::Header { level2 });
            }
            continue;
        }
        row_items(&cells, line, &mut items);
    }
    items
}

/// The items of one printed row of table cells: a name, a target, a row
/// (level 3 and target), a pair of level 1 and 2, a full row, or its
/// pieces one by one.
pub(super) fn row_items(cells: &[&Block], line: usize, items: &mut Vec<IndItem>) {
    let texts: Vec<String> = cells
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let targets: Vec<String> = cells
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Target(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    match (texts.as_slice(), targets.as_slice()) {
        ([], []) => {}
        ([a], []) => items.push(IndItem::Text {
            text: a.clone(),
            line,
        }),
        ([], [g]) => items.push(IndItem::Target {
            text: g.clone(),
            line,
        }),
        ([a], [g]) => items.push(IndItem::Row {
            l3: a.clone(),
            target: g.clone(),
            line,
        }),
        ([a, b], []) => items.push(IndItem::Pair {
            l1: a.clone(),
            l2: b.clone(),
            line,
        }),
        ([a, b], [g]) => items.push(IndItem::Full {
            l1: None,
            l2: Some(a.clone()),
            l3: b.clone(),
            target: g.clone(),
            line,
        }),
        // More texts than cells: which cell the extra one belongs to is
        // for the next stage to say (it is left as separate texts).
        (ts, [g]) if ts.len() == 3 => items.push(IndItem::Full {
            l1: Some(ts[0].clone()),
            l2: Some(ts[1].clone()),
            l3: ts[2].clone(),
            target: g.clone(),
            line,
        }),
        (ts, gs) => {
            for x in ts {
                items.push(IndItem::Text {
                    text: x.clone(),
                    line,
                });
            }
            for g in gs {
                items.push(IndItem::Target {
                    text: g.clone(),
                    line,
                });
            }
        }
    }
}

/// A column header of the indicator table.
pub(super) fn is_indicator_header(k: &Kind) -> bool {
    matches!(
        k,
        Kind::Header(HeaderCol::Level1 | HeaderCol::Level2 | HeaderCol::Level3 | HeaderCol::Target)
    )
}
