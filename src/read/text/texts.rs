//! Stage 3, free texts: texts beside their labels or by form order, cells
//! cut by a page break, lists cut by a label ([`place_paragraphs`],
//! [`mend_split_lists`]).

use super::candidates::*;
use super::*;
use crate::template::Vocabulary;

/// Free texts, page by page: a paragraph printed right after its label is
/// that label's; the other paragraphs go to the page's other text labels in
/// form order, reading the page from its title line on and then what was
/// printed before it (a page's lower rows can come out above the title).
pub(super) fn place_paragraphs(
    bs: &[Flat],
    claimed: &mut [bool],
    t: &Template,
    f: &mut TextFields,
) {
    let n = bs.len();
    let is_text_field = |k: &str| t.field(k).is_some_and(|s| s.shape == Shape::Paragraphs);
    let pages: Vec<usize> = f.pages.clone();
    for page in pages {
        let idx: Vec<usize> = (0..n).filter(|&i| bs[i].page == page).collect();
        let mut labels: Vec<(usize, String)> = Vec::new();
        for &i in &idx {
            if let Kind::Label(k) = &bs[i].b.kind
                && is_text_field(k)
                && !f.values.contains_key(k)
                && !labels.iter().any(|(_, x)| x == k)
            {
                labels.push((i, k.clone()));
            }
        }
        continue_cut_text(bs, claimed, page, t, f);
        // Adjacent paragraphs, unless the label ends a run of free-text
        // labels still without text (a column of labels: the text after
        // it may be the first label's).
        let pending: Vec<usize> = labels.iter().map(|(i, _)| *i).collect();
        labels.retain(|(i, k)| {
            let j = i + 1;
            // A text on the line right under its label was printed with it
            // (one box of the dump): its own even at the end of a run.
            let touching = j < n && bs[j].b.line == bs[*i].b.line_end + 1;
            // The labels printed right before this one (a run of labels,
            // of any field): one of them still waiting for its text?
            let run_before = || {
                (0..*i)
                    .rev()
                    .take_while(|&m| matches!(bs[m].b.kind, Kind::Label(_)))
                    .any(|m| pending.contains(&m))
            };
            let ends_run = *i > 0 && pending.contains(&(i - 1)) && !touching;
            let after_run = run_before() && !touching;
            if j < n
                && !ends_run
                && bs[j].page == page
                && !claimed[j]
                && let Kind::Paragraph(p) = &bs[j].b.kind
            {
                let mut text = p.clone();
                let mut end = bs[j].b.line_end;
                claimed[j] = true;
                // Not after a label still waiting for its text, the
                // paragraphs right after this one (no label between) are
                // more of the same cell (a dump that boxes each paragraph).
                if !run_before() {
                    let mut m = j + 1;
                    while m < n
                        && bs[m].page == page
                        && !claimed[m]
                        && let Kind::Paragraph(q) = &bs[m].b.kind
                    {
                        text.push('\n');
                        text.push_str(q);
                        end = bs[m].b.line_end;
                        claimed[m] = true;
                        m += 1;
                    }
                }
                f.set(k, text, bs[j].b.line, end);
                if *i > 0
                    && bs[i - 1].page == page
                    && matches!(bs[i - 1].b.kind, Kind::Paragraph(_))
                {
                    // Running text right above the label: the cell's first
                    // lines, its label printed level with its middle?
                    f.warn(
                        k,
                        WarningCode::AmbiguousAssignment,
                        format!(
                            "line {}: the text right above its label may be its beginning",
                            bs[i - 1].b.line
                        ),
                    );
                }
                if after_run {
                    f.warn(
                        k,
                        WarningCode::AmbiguousAssignment,
                        format!(
                            "line {}: the text after a run of labels may be an earlier label's",
                            bs[j].b.line
                        ),
                    );
                }
                if end != bs[j].b.line_end
                    && let Some(Kind::Label(next)) = bs.iter().skip(j + 1).find_map(|x| {
                        matches!(x.b.kind, Kind::Label(_)).then_some(&x.b.kind)
                    })
                {
                    f.warn(
                        next,
                        WarningCode::InferredValue,
                        format!("its text may begin above its label, taken as {k}'s"),
                    );
                }
                if end != bs[j].b.line_end {
                    // The last of them may be the next field's text, its
                    // label printed level with its middle.
                    f.warn(
                        k,
                        WarningCode::InferredValue,
                        format!(
                            "lines {}-{end}: the paragraphs after its text, up to the next label, taken as its (they may start the next field's text)",
                            bs[j].b.line_end + 1
                        ),
                    );
                }
                return false;
            }
            true
        });
        let pages_text_fields: Vec<String> = idx
            .iter()
            .filter_map(|&i| match &bs[i].b.kind {
                Kind::Label(k) if is_text_field(k) => Some(k.clone()),
                _ => None,
            })
            .collect();
        let title = idx.iter().copied().find(|&i| bs[i].b.kind == Kind::Title);
        let mut paras: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !claimed[i] && matches!(bs[i].b.kind, Kind::Paragraph(_)))
            .collect();
        if let Some(ti) = title {
            paras.sort_by_key(|&i| (i < ti, i));
        }
        let order = |k: &str| {
            t.fields
                .iter()
                .position(|s| s.key == k)
                .unwrap_or(usize::MAX)
        };
        labels.sort_by_key(|(_, k)| order(k));
        // More labels than texts: optional fields are left empty first.
        while labels.len() > paras.len() {
            match labels
                .iter()
                .rposition(|(_, k)| t.field(k).is_some_and(|s| !s.required))
            {
                Some(p) => {
                    labels.remove(p);
                }
                None => break,
            }
        }
        if labels.len() != paras.len() && !labels.is_empty() && !paras.is_empty() {
            let names: Vec<&str> = labels.iter().map(|(_, k)| k.as_str()).collect();
            f.warn(
                names[0],
                WarningCode::AmbiguousAssignment,
                format!(
                    "page {page}: {} texts for labels {}; placed in form order",
                    paras.len(),
                    names.join(", ")
                ),
            );
        }
        // Placed by form order, not beside their labels: a guess unless it
        // is the page's one label and one text and no text of the page was
        // placed under doubt (then the one left may be another's).
        let doubted = f.warnings.iter().any(|w| {
            w.code == WarningCode::AmbiguousAssignment.as_str()
                && labels.iter().all(|(_, k)| *k != w.field)
                && pages_text_fields.contains(&w.field)
        });
        let guessed = labels.len().min(paras.len()) > 1 || doubted;
        for ((li, k), &p) in labels.iter().zip(&paras) {
            let b = bs[p].b;
            f.set(k, value_text(&b.kind), b.line, b.line_end);
            claimed[p] = true;
            if guessed {
                f.warn(
                    k,
                    WarningCode::InferredValue,
                    format!(
                        "text on line {} placed by form order, not beside its label (line {})",
                        b.line, bs[*li].b.line
                    ),
                );
            }
        }
        for &p in paras.iter().skip(labels.len()) {
            let text: String = value_text(&bs[p].b.kind).chars().take(30).collect();
            f.warn(
                "",
                WarningCode::UnassignedText,
                format!("line {}: text placed in no field: {text:?}", bs[p].b.line),
            );
            claimed[p] = true;
        }
    }
}

/// A cell cut by a page break: when a page opens with running text (no
/// label before it) and the previous page closed with the text of a field
/// placed beside its label, the opening text is that field's continuation,
/// as the page cut joins of the PDF path.
pub(super) fn continue_cut_text(
    bs: &[Flat],
    claimed: &mut [bool],
    page: usize,
    t: &Template,
    f: &mut TextFields,
) {
    let is_text_field = |k: &str| t.field(k).is_some_and(|s| s.shape == Shape::Paragraphs);
    let Some(first) = bs.iter().position(|x| x.page == page) else {
        return;
    };
    if first == 0 || claimed[first] || !matches!(bs[first].b.kind, Kind::Paragraph(_)) {
        return;
    }
    let prev = bs[first - 1].b;
    let text = value_text(&bs[first].b.kind);
    if !matches!(prev.kind, Kind::Paragraph(_)) || holds_labels(&text, t.vocab()) {
        return;
    }
    let Some(a) = f
        .values
        .iter_mut()
        .find(|(k, a)| a.line_end == prev.line_end && is_text_field(k))
        .map(|(_, a)| a)
    else {
        return;
    };
    a.value.push('\n');
    a.value.push_str(&text);
    a.line_end = bs[first].b.line_end;
    claimed[first] = true;
}

/// Labels at least this long found inside running text mean the text is
/// a run of cells glued together, not one cell's text.
const GLUED_LABEL_MIN_CHARS: usize = 4;

/// Whether running text holds a field label of
/// [`GLUED_LABEL_MIN_CHARS`] or more characters.
pub(super) fn holds_labels(text: &str, v: &Vocabulary) -> bool {
    let key = label_key(text);
    v.exact.iter().any(|(l, term)| {
        matches!(term, crate::template::Term::Label(_))
            && l.chars().count() >= GLUED_LABEL_MIN_CHARS
            && key.contains(l.as_str())
    })
}

/// A numbered item at the start of a text: its number.
static ITEM_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([0-9]{1,2})[、.．]").expect("valid"));

/// A numbered list cut by its label: a label printed level with its
/// text's middle line (vertically centred in a tall cell) leaves the
/// text's first items in the field printed before it. When a free text
/// starts at item k > 1 and the text printed right before it holds item
/// k-1 with no later item, the part from item k-1 on moves back to it;
/// both fields are warned, as the move is inferred.
pub(super) fn mend_split_lists(f: &mut TextFields, t: &Template) {
    let texts: Vec<String> = t
        .fields
        .iter()
        .filter(|s| s.shape == Shape::Paragraphs)
        .map(|s| s.key.clone())
        .filter(|k| f.values.contains_key(k))
        .collect();
    for b in &texts {
        let (b_line, b_start) = {
            let v = &f.values[b];
            let Some(k) = ITEM_START
                .captures(&v.value)
                .and_then(|c| c[1].parse::<usize>().ok())
            else {
                continue;
            };
            (v.line, k)
        };
        if b_start < 2 {
            continue;
        }
        let Some(a) = texts
            .iter()
            .find(|a| *a != b && f.values[*a].line_end + 1 == b_line)
            .cloned()
        else {
            continue;
        };
        let prev = format!("{}、", b_start - 1);
        let a_text = &f.values[&a].value;
        let Some(at) = a_text.rfind(&prev) else {
            continue;
        };
        let tail = &a_text[at..];
        if tail.contains(&format!("{b_start}、")) || at == 0 {
            continue;
        }
        let tail = tail.to_string();
        let head = a_text[..at].trim_end().to_string();
        f.values.get_mut(&a).expect("present").value = head;
        let bv = f.values.get_mut(b).expect("present");
        bv.value = format!("{tail}\n{}", bv.value);
        for k in [&a, b] {
            f.warn(
                k,
                WarningCode::InferredValue,
                format!(
                    "item {} moved from {a} to {b}: the list was cut by {b}'s label",
                    b_start - 1
                ),
            );
        }
    }
}
