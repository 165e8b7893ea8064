//! Stage 4: the indicator table rebuilt from its items, with the roles
//! names play across the dump ([`indicator_roles`], [`place_indicators`],
//! [`candidates_to_fields`]).

use std::collections::VecDeque;

use super::*;

/// Indicator names seen in a role somewhere in the dump, where the layout
/// left no doubt: a name printed beside a target is a level 3; two names
/// on one line are a level 1 and a level 2; the names listed right under
/// the `二级指标` header are level 2.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    /// Names seen as level-1 indicators.
    pub level1: HashSet<String>,
    /// Names seen as level-2 indicators.
    pub level2: HashSet<String>,
    /// Names seen as level-3 indicators.
    pub level3: HashSet<String>,
}

/// Collects [`Roles`] over all forms of a dump.
pub fn indicator_roles(forms: &[TextFields]) -> Roles {
    let mut r = Roles::default();
    for f in forms {
        let mut after_header = false;
        for it in &f.items {
            match it {
                IndItem::Header { level2 } => after_header = *level2,
                IndItem::Text { text, .. } if after_header => {
                    r.level2.insert(text.clone());
                }
                IndItem::Row { l3, .. } => {
                    r.level3.insert(l3.clone());
                    after_header = false;
                }
                IndItem::Pair { l1, l2, .. } => {
                    r.level1.insert(l1.clone());
                    r.level2.insert(l2.clone());
                    after_header = false;
                }
                _ => after_header = false,
            }
        }
    }
    r
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A level-2 cell one row tall (listed in the column run).
    L2Single,
    /// A level-2 cell spanning rows.
    L2Merged,
    L1,
    /// A level 3 whose target was printed elsewhere: index of the target item.
    L3(usize),
    /// A target matched to a level 3.
    Used,
}

pub(super) fn shared_chars(a: &str, b: &str) -> usize {
    let bs: HashSet<char> = b.chars().collect();
    a.chars()
        .collect::<HashSet<char>>()
        .intersection(&bs)
        .count()
}

/// Matches rows to level-1/level-2 pairs: the assignment sharing most
/// characters between level-2 and level-3 names (a level 3 usually
/// narrows its level 2), dump order breaking ties.
pub(super) fn match_rows_to_pairs(
    rows: &[usize],
    pairs: &[(String, String)],
    l3: &[String],
) -> Vec<usize> {
    let k = rows.len().min(pairs.len());
    if k == 0 || k > 7 {
        return (0..k).collect();
    }
    let mut best: (usize, Vec<usize>) = (0, (0..k).collect());
    let mut perm: Vec<usize> = (0..pairs.len()).collect();
    fn permute(
        perm: &mut Vec<usize>,
        at: usize,
        k: usize,
        score: &dyn Fn(&[usize]) -> usize,
        best: &mut (usize, Vec<usize>),
    ) {
        if at == k {
            let s = score(&perm[..k]);
            if s > best.0 {
                *best = (s, perm[..k].to_vec());
            }
            return;
        }
        for i in at..perm.len() {
            perm.swap(at, i);
            permute(perm, at + 1, k, score, best);
            perm.swap(at, i);
        }
    }
    let score = |p: &[usize]| -> usize {
        p.iter()
            .enumerate()
            .map(|(r, &q)| shared_chars(&pairs[q].1, &l3[rows[r]]))
            .sum()
    };
    permute(&mut perm, 0, k, &score, &mut best);
    best.1
}

/// Rebuilds the indicator rows of one form from its items.
///
/// Level 3 and target are certain when printed on one line. A target
/// printed alone goes to the nearest name printed alone that is not known
/// as a level 1 or 2 (names seen beside a target elsewhere in the dump are
/// preferred); close calls get an `ambiguous_assignment` warning. Levels 1
/// and 2 come from the layout: names listed under the `二级指标` header are
/// one-row level 2 cells, taken in order; a name printed alone before rows
/// starts a level-1 group; one printed after some of its group's rows, with
/// no row following, is a level 2 spanning the group; two names on one line
/// are a one-row level 1 and level 2.
pub fn place_indicators(f: &mut TextFields, roles: &Roles) {
    let items = f.items.clone();
    let mut role = level2_runs(&items, roles);
    assign_lone_targets(f, &items, roles, &mut role);
    let row_at = row_positions(&items, &role);
    name_lone_levels(&items, roles, &mut role, &row_at);
    let mut walk = walk_rows(&items, &role, &row_at);
    // Level 2: the group's spanning cell, else the next one-row cell of the
    // column run (listed top to bottom).
    let mut run: VecDeque<String> = items
        .iter()
        .zip(&role)
        .filter_map(|(x, r)| match (x, r) {
            (IndItem::Text { text, .. }, Some(Role::L2Single)) => Some(text.clone()),
            _ => None,
        })
        .collect();
    order_level2_run(f, &mut walk, &mut run);
    fill_levels(f, &items, &role, walk, run);
}

/// A level-1 group of indicator rows: its name, its spanning level 2, its
/// rows (indices into the rows built).
struct Group {
    l1: String,
    l2: Option<String>,
    rows: Vec<usize>,
}

/// The rows built by [`walk_rows`], the groups, and each row's group.
struct Walk {
    out: Vec<IndicatorRow>,
    groups: Vec<Group>,
    row_group: Vec<Option<usize>>,
}

/// Level-2 runs: names under the `二级指标` header, or known as level 2 in
/// a row of such names, are one-row level-2 cells; other names known as
/// level 2, spanning ones.
fn level2_runs(items: &[IndItem], roles: &Roles) -> Vec<Option<Role>> {
    let n = items.len();
    let mut role: Vec<Option<Role>> = vec![None; n];
    let mut after_header = false;
    for i in 0..n {
        match &items[i] {
            IndItem::Header { level2 } => after_header = *level2,
            IndItem::Text { text, .. } => {
                let known2 = roles.level2.contains(text)
                    && !roles.level1.contains(text)
                    && !roles.level3.contains(text);
                let neighbour_known2 = |j: Option<usize>| {
                    j.and_then(|j| items.get(j)).is_some_and(|x| {
                        matches!(x, IndItem::Text { text, .. } if roles.level2.contains(text)
                            && !roles.level1.contains(text) && !roles.level3.contains(text))
                    })
                };
                if after_header
                    || (known2
                        && (neighbour_known2(i.checked_sub(1)) || neighbour_known2(Some(i + 1))))
                {
                    role[i] = Some(Role::L2Single);
                } else if known2 {
                    role[i] = Some(Role::L2Merged);
                }
            }
            _ => after_header = false,
        }
    }
    role
}

/// Lone targets to lone names: the nearest name printed alone that is not
/// known as a level 1 or 2; close calls get an `ambiguous_assignment`
/// warning.
fn assign_lone_targets(
    f: &mut TextFields,
    items: &[IndItem],
    roles: &Roles,
    role: &mut [Option<Role>],
) {
    let n = items.len();
    let targets: Vec<usize> = (0..n)
        .filter(|&i| matches!(items[i], IndItem::Target { .. }))
        .collect();
    for &g in &targets {
        let mut cands: Vec<(i64, usize)> = (0..n)
            .filter(|&i| role[i].is_none())
            .filter_map(|i| match &items[i] {
                IndItem::Text { text, .. } => {
                    let mut s = (i as i64 - g as i64).abs() * 2;
                    if roles.level3.contains(text) {
                        s -= 6;
                    }
                    if roles.level1.contains(text) || roles.level2.contains(text) {
                        s += 6;
                    }
                    if matches!(
                        items.get(i + 1),
                        Some(IndItem::Row { .. } | IndItem::Full { .. })
                    ) {
                        s += 3;
                    }
                    Some((s, i))
                }
                _ => None,
            })
            .collect();
        cands.sort();
        match cands.as_slice() {
            [] => {
                let text = match &items[g] {
                    IndItem::Target { text, .. } => text.clone(),
                    _ => String::new(),
                };
                f.warn(
                    "indicators",
                    WarningCode::UnassignedValue,
                    format!("target {text:?} matched to no indicator"),
                );
            }
            [(s, best), rest @ ..] => {
                role[*best] = Some(Role::L3(g));
                role[g] = Some(Role::Used);
                if let Some((s2, alt)) = rest.first()
                    && s2 - s <= 2
                {
                    let name = |i: usize| match &items[i] {
                        IndItem::Text { text, .. } => text.clone(),
                        _ => String::new(),
                    };
                    let tgt = match &items[g] {
                        IndItem::Target { text, .. } => text.clone(),
                        _ => String::new(),
                    };
                    f.warn(
                        "indicators",
                        WarningCode::AmbiguousAssignment,
                        format!(
                            "target {tgt:?} given to {:?}; alternative {:?}",
                            name(*best),
                            name(*alt)
                        ),
                    );
                }
            }
        }
    }
}

/// Where each row happens: its own line, or for a level 3 printed apart
/// from its target, the earlier of the two.
fn row_positions(items: &[IndItem], role: &[Option<Role>]) -> Vec<Option<usize>> {
    let n = items.len();
    let mut row_at: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        match (&items[i], role[i]) {
            (IndItem::Row { .. } | IndItem::Full { .. }, _) => row_at[i] = Some(i),
            (IndItem::Text { .. }, Some(Role::L3(g))) => row_at[i.min(g)] = Some(i),
            _ => {}
        }
    }
    row_at
}

/// Remaining lone names: a level 1 starts a group; a name printed after
/// some of its group's rows, with no more rows to come (or rows that can
/// go to an earlier group still without rows), is a level 2 spanning the
/// group, which it closes.
fn name_lone_levels(
    items: &[IndItem],
    roles: &Roles,
    role: &mut [Option<Role>],
    row_at: &[Option<usize>],
) {
    let n = items.len();
    let name_at = |i: usize, role: &[Option<Role>]| match (&items[i], role[i]) {
        (IndItem::Text { text, .. }, None | Some(Role::L2Merged)) => Some(text.clone()),
        _ => None,
    };
    let mut groups: Vec<usize> = Vec::new(); // rows per group
    let mut cur: Option<usize> = None;
    let mut closed = false;
    for i in 0..n {
        if row_at[i].is_some() {
            match cur {
                Some(c) if closed => {
                    let g = groups.iter().position(|&r| r == 0).unwrap_or(c);
                    groups[g] += 1;
                    if g != c {
                        cur = Some(g);
                        closed = false;
                    }
                }
                Some(c) => groups[c] += 1,
                None => {}
            }
        }
        match (&items[i], role[i]) {
            (IndItem::Pair { .. }, _) => cur = None,
            (IndItem::Text { text, .. }, None) => {
                let rows_follow = (i + 1..n)
                    .take_while(|&j| name_at(j, role).is_none())
                    .any(|j| row_at[j].is_some());
                let empty_before = cur.is_some_and(|c| groups[..c].contains(&0));
                let merged2 = !roles.level1.contains(text)
                    && cur.is_some_and(|c| groups[c] > 0)
                    && !closed
                    && (!rows_follow || empty_before);
                if merged2 {
                    role[i] = Some(Role::L2Merged);
                    closed = true;
                } else {
                    role[i] = Some(Role::L1);
                    groups.push(0);
                    cur = Some(groups.len() - 1);
                    closed = false;
                }
            }
            _ => {}
        }
    }
}

/// Gives the rows under one-row level-1/level-2 pairs their pair, matched
/// by names ([`match_rows_to_pairs`]), and empties the pending lists.
fn flush_pairs(
    pairs: &mut Vec<(String, String)>,
    pair_rows: &mut Vec<usize>,
    out: &mut [IndicatorRow],
) {
    if pairs.is_empty() {
        return;
    }
    let l3: Vec<String> = out
        .iter()
        .map(|r| r.level3.clone().unwrap_or_default())
        .collect();
    let m = match_rows_to_pairs(pair_rows, pairs, &l3);
    for (r, &q) in pair_rows.iter().zip(&m) {
        out[*r].level1 = Some(pairs[q].0.clone());
        out[*r].level2 = Some(pairs[q].1.clone());
    }
    pairs.clear();
    pair_rows.clear();
}

/// A row's parts, from its own line or from a level 3 and its target
/// printed apart: (level 3, target, first line, last line, level 1,
/// level 2). `None`: the item holds no row.
type RowParts = (String, String, usize, usize, Option<String>, Option<String>);

fn row_parts(items: &[IndItem], role: &[Option<Role>], r: usize) -> Option<RowParts> {
    Some(match (&items[r], role[r]) {
        (IndItem::Row { l3, target, line }, _) => {
            (l3.clone(), target.clone(), *line, *line, None, None)
        }
        (
            IndItem::Full {
                l1,
                l2,
                l3,
                target,
                line,
            },
            _,
        ) => (
            l3.clone(),
            target.clone(),
            *line,
            *line,
            l1.clone(),
            l2.clone(),
        ),
        (IndItem::Text { text, line }, Some(Role::L3(g))) => {
            let (t, tl) = match &items[g] {
                IndItem::Target { text, line } => (text.clone(), *line),
                _ => (String::new(), *line),
            };
            (
                text.clone(),
                t,
                (*line).min(tl),
                (*line).max(tl),
                None,
                None,
            )
        }
        _ => return None,
    })
}

/// Walks the items again, placing rows in level-1 groups (or under
/// one-row pairs).
fn walk_rows(items: &[IndItem], role: &[Option<Role>], row_at: &[Option<usize>]) -> Walk {
    let n = items.len();
    let mut groups: Vec<Group> = Vec::new();
    let mut out: Vec<IndicatorRow> = Vec::new();
    let mut row_group: Vec<Option<usize>> = Vec::new();
    let mut cur: Option<usize> = None;
    let mut closed = false;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut pair_rows: Vec<usize> = Vec::new();
    let mut last_full: Option<(Option<String>, Option<String>)> = None;
    for i in 0..n {
        if let Some(r) = row_at[i] {
            let Some((l3, target, line, line_end, l1, l2)) = row_parts(items, role, r) else {
                continue;
            };
            let (mut l1, mut l2) = (l1, l2);
            let explicit = l1.is_some() || l2.is_some();
            if explicit && l1.is_none() {
                // `L2 L3 target` under a level 1 printed on an earlier row.
                l1 = last_full.as_ref().and_then(|(a, _)| a.clone());
            }
            let mut g = None;
            if explicit {
                last_full = Some((l1.clone(), l2.clone()));
            } else {
                match cur {
                    None if !pairs.is_empty() => pair_rows.push(out.len()),
                    None if last_full.is_some() => {
                        // `L3 target` under cells printed on an earlier row.
                        let (a, b) = last_full.clone().expect("checked");
                        (l1, l2) = (a, b);
                    }
                    None => {}
                    Some(c) => {
                        let mut k = c;
                        if closed && let Some(e) = groups.iter().position(|x| x.rows.is_empty()) {
                            k = e;
                            cur = Some(e);
                            closed = false;
                        }
                        groups[k].rows.push(out.len());
                        g = Some(k);
                    }
                }
            }
            row_group.push(g);
            out.push(IndicatorRow {
                level1: l1,
                level2: l2,
                level3: Some(l3),
                target: Some(target),
                line,
                line_end,
            });
        }
        match (&items[i], role[i]) {
            (IndItem::Text { text, .. }, Some(Role::L1)) => {
                flush_pairs(&mut pairs, &mut pair_rows, &mut out);
                groups.push(Group {
                    l1: text.clone(),
                    l2: None,
                    rows: Vec::new(),
                });
                cur = Some(groups.len() - 1);
                closed = false;
                last_full = None;
            }
            (IndItem::Text { text, .. }, Some(Role::L2Merged)) => {
                if let Some(c) = cur
                    && groups[c].l2.is_none()
                {
                    groups[c].l2 = Some(text.clone());
                    closed = true;
                }
            }
            (IndItem::Pair { l1, l2, .. }, _) => {
                cur = None;
                last_full = None;
                pairs.push((l1.clone(), l2.clone()));
            }
            _ => {}
        }
    }
    flush_pairs(&mut pairs, &mut pair_rows, &mut out);
    flush_pairs(&mut pairs, &mut pair_rows, &mut out);
    Walk {
        out,
        groups,
        row_group,
    }
}

/// The one-row level-2 cells of the column run laid over the groups that
/// take them, when their rows account for the whole run.
fn order_level2_run(f: &mut TextFields, walk: &mut Walk, run: &mut VecDeque<String>) {
    // The one-row level-2 cells are listed top to bottom; the groups that
    // take them (no spanning level 2) are in dump order, which need not be
    // the printed order. When their rows account for the whole list, lay
    // the groups over it in the order whose level-2/level-3 names share
    // most characters, after giving a one-row group (a level-1 cell spans
    // at least two rows, else it prints beside its level 2) the row of a
    // neighbouring group most like its own.
    let l3_of = |out: &[IndicatorRow], r: usize| out[r].level3.clone().unwrap_or_default();
    let run_groups: Vec<usize> = (0..walk.groups.len())
        .filter(|&g| walk.groups[g].l2.is_none() && !walk.groups[g].rows.is_empty())
        .collect();
    let total: usize = run_groups.iter().map(|&g| walk.groups[g].rows.len()).sum();
    if total == run.len() && run_groups.len() >= 2 && run_groups.len() <= 6 {
        for k in 0..run_groups.len() {
            let g = run_groups[k];
            if walk.groups[g].rows.len() != 1 {
                continue;
            }
            let own = l3_of(&walk.out, walk.groups[g].rows[0]);
            let mut best: Option<(usize, usize, usize)> = None; // (score, group, index)
            for h in [k.checked_sub(1), Some(k + 1)]
                .into_iter()
                .flatten()
                .filter_map(|h| run_groups.get(h).copied())
            {
                if walk.groups[h].rows.len() < 3 {
                    continue;
                }
                for (x, &r) in walk.groups[h].rows.iter().enumerate() {
                    let s = shared_chars(&own, &l3_of(&walk.out, r));
                    if s > 0 && best.is_none_or(|(b, _, _)| s > b) {
                        best = Some((s, h, x));
                    }
                }
            }
            if let Some((_, h, x)) = best {
                let r = walk.groups[h].rows.remove(x);
                walk.groups[g].rows.push(r);
                walk.row_group[r] = Some(g);
                f.warn(
                    "indicators",
                    WarningCode::AmbiguousAssignment,
                    format!(
                        "{:?} moved under {:?} (a level-1 cell spans two rows or more)",
                        l3_of(&walk.out, r),
                        walk.groups[g].l1
                    ),
                );
            }
        }
        let names: Vec<String> = run.iter().cloned().collect();
        let score = |order: &[usize]| -> usize {
            let mut at = 0;
            let mut s = 0;
            for &g in order {
                for &r in &walk.groups[g].rows {
                    s += shared_chars(&names[at], &l3_of(&walk.out, r));
                    at += 1;
                }
            }
            s
        };
        let mut perm = run_groups.clone();
        let mut scores: Vec<(usize, Vec<usize>)> = Vec::new();
        fn each_perm(p: &mut Vec<usize>, at: usize, f: &mut dyn FnMut(&[usize])) {
            if at == p.len() {
                f(p);
                return;
            }
            for i in at..p.len() {
                p.swap(at, i);
                each_perm(p, at + 1, f);
                p.swap(at, i);
            }
        }
        each_perm(&mut perm, 0, &mut |p| scores.push((score(p), p.to_vec())));
        // Highest score; dump order (the first permutation) on ties.
        let best = scores
            .iter()
            .enumerate()
            .max_by_key(|(i, (s, _))| (*s, std::cmp::Reverse(*i)))
            .map(|(_, x)| x.clone())
            .expect("at least one order");
        if scores.iter().filter(|(s, _)| *s == best.0).count() > 1 {
            f.warn(
                "indicators",
                WarningCode::AmbiguousAssignment,
                "order of level-1 groups over the level-2 column not settled by the names; dump order kept where tied",
            );
        }
        let mut at = 0;
        for &g in &best.1 {
            for &r in &walk.groups[g].rows {
                walk.out[r].level2 = Some(names[at].clone());
                at += 1;
            }
        }
        run.clear();
    }
}

/// Levels 1 and 2 of every row from its group or the run; warnings for
/// rows left without them and names placed nowhere.
fn fill_levels(
    f: &mut TextFields,
    items: &[IndItem],
    role: &[Option<Role>],
    walk: Walk,
    mut run: VecDeque<String>,
) {
    let Walk {
        mut out,
        groups,
        row_group,
    } = walk;
    for (r, g) in row_group.iter().enumerate() {
        let Some(g) = g else {
            if out[r].level1.is_none() && out[r].level2.is_none() {
                out[r].level2 = run.pop_front();
            }
            continue;
        };
        out[r].level1 = Some(groups[*g].l1.clone());
        if out[r].level2.is_none() {
            out[r].level2 = groups[*g].l2.clone().or_else(|| run.pop_front());
        }
    }
    if !run.is_empty() {
        f.warn(
            "indicators",
            WarningCode::UnassignedValue,
            format!(
                "level-2 names matched to no row: {}",
                run.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    for r in &out {
        if r.level1.is_none() || r.level2.is_none() {
            f.warn(
                "indicators",
                WarningCode::EmptyValue,
                format!(
                    "line {}: no level 1/2 found for {:?}",
                    r.line,
                    r.level3.as_deref().unwrap_or("")
                ),
            );
        }
    }
    for (x, r) in items.iter().zip(role) {
        if let (IndItem::Text { text, line }, None) = (x, r) {
            f.warn(
                "indicators",
                WarningCode::UnassignedValue,
                format!("line {line}: {text:?} placed nowhere"),
            );
        }
    }
    f.indicators = out;
}

/// Places the indicator rows of every form, with roles learned across the
/// dump.
pub fn candidates_to_fields(mut forms: Vec<TextFields>, t: &Template) -> Vec<TextFields> {
    let roles = indicator_roles(&forms);
    // Only the template's names: roles learned from two names on one line
    // also catch a level 3 printed beside a target that is text.
    let is_level = |s: &str| t.indicator_values.is_level_name(s);
    for f in &mut forms {
        warn_strays(f);
        match indicators_in_order(&f.items, &is_level, &|s| blocks::is_target_shaped(s, t)) {
            Some((rows, doubts)) => {
                f.indicators = rows;
                for (_, why) in doubts {
                    f.warn("indicators", WarningCode::AmbiguousAssignment, why);
                }
            }
            None => {
                place_indicators(f, &roles);
                warn_unknown_levels(f, &is_level);
                warn_unused_cells(f);
            }
        }
    }
    forms
}

/// Rows rebuilt from a table not printed in reading order whose level 1
/// or 2 is no name the template knows: in a dump nothing else shows where
/// a cell ended, so such a row is warned (a new name is possible, a piece
/// of another cell likelier).
fn warn_unknown_levels(f: &mut TextFields, is_level: &dyn Fn(&str) -> bool) {
    let unknown: Vec<String> = f
        .indicators
        .iter()
        .flat_map(|r| [&r.level1, &r.level2])
        .flatten()
        .filter(|n| !is_level(n))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        f.warn(
            "indicators",
            WarningCode::InferredValue,
            format!(
                "level names the template does not know: {}",
                unknown.join(", ")
            ),
        );
    }
}

/// Takes the [`IndItem::Stray`] cells out of a form's items, each warned:
/// text placed nowhere, maybe a lost indicator row.
fn warn_strays(f: &mut TextFields) {
    let items = std::mem::take(&mut f.items);
    for it in items {
        match it {
            IndItem::Stray { text, line } => f.warn(
                "indicators",
                WarningCode::UnassignedValue,
                format!("line {line}: {text:?} placed nowhere (a lost indicator row?)"),
            ),
            it => f.items.push(it),
        }
    }
}

/// Cells of the table that the layout-driven reading put in no row: said,
/// not dropped (a row may be lost).
fn warn_unused_cells(f: &mut TextFields) {
    let used = |s: &str| {
        f.indicators.iter().any(|r| {
            [&r.level1, &r.level2, &r.level3, &r.target]
                .into_iter()
                .flatten()
                .any(|x| x.contains(s))
        })
    };
    let lost: Vec<String> = f
        .items
        .iter()
        .flat_map(IndItem::texts)
        .filter(|t| !used(t))
        .cloned()
        .collect();
    if !lost.is_empty() {
        f.warn(
            "indicators",
            WarningCode::UnassignedValue,
            format!("table cells placed in no row: {}", lost.join(", ")),
        );
    }
}
