//! Stage 1c: free texts whose labels were printed beside them, in the
//! form's label column, put back in label-then-text order
//! ([`unmargin_page`]).
//!
//! Dumpers that print a page's lines top to bottom (pdfplumber, PyMuPDF
//! with `sort=True`, `pdftotext -layout`) print a label cell on the line
//! of its text at the label's height: a label set in the middle of its
//! cell comes out amid its text (`立项依据   全等级保护管理办法》…`), a
//! two-line label as two pieces lines apart (`项目设立的必` … `要性`), and
//! nothing marks where one field's text ends and the next one's begins.
//! The label's place does: it sits at the middle (or the top, or the
//! bottom) of its text. Between two lines that are no free text (options,
//! amounts, dates, other labels), the text lines are cut into one run per
//! label so that every label sits where its alignment puts it; when exactly
//! one cut fits, the stretch is rewritten label first, as stream-order
//! dumps print it, and the later stages read it like those. When no cut
//! fits, or several do, the stretch is left as printed (and the later
//! stages warn where they are unsure).

use super::blocks::{LineKind, is_date_shaped, is_money_shaped, is_target_shaped, line_kind};
use super::pages::is_blank_line;
use super::*;
use crate::template::{Column, Term};

/// How far (in lines) a label may sit from where its alignment puts it: a
/// label between two lines of its text is half a line off either.
const LABEL_PLACE_SLACK: f64 = 0.25;

/// A dump is read as printed by position when the stretches whose first
/// label sits amid its text outnumber those printed label first by more
/// than this (a long text cut by a page break, its label on one page,
/// reads label first on the other).
const MARGIN_VOTES_PER_STREAM_VOTE: usize = 2;

/// Lines a label's pieces may be apart (a two-line label beside a text of
/// many lines has its pieces a line or two apart).
const LABEL_PIECES_MAX_GAP: usize = 3;

/// One line of a stretch: its label piece (a free-text label's start or
/// rest, first on the line), and the text after it.
struct Line<'a> {
    orig: &'a PageLine,
    piece: Option<&'a str>,
    text: &'a str,
}

/// A free-text label assembled from its pieces: the field's printed label,
/// its pieces' lines (indices into the stretch).
struct Label {
    text: String,
    parts: Vec<usize>,
}

/// Rewrites the dump's stretches of free text printed beside their labels
/// in label-then-text order (see the module docs), with the lines of the
/// labels whose stretch no single cut fits. Only a dump whose
/// labels sit beside or amid their text is rewritten
/// ([`MARGIN_VOTES_PER_STREAM_VOTE`]): in a dump whose stretches print
/// their first label before all its text (stream order), a stretch that
/// seems to fit a cut began mid-field.
pub fn unmargin_pages(pages: Vec<TextPage>, t: &Template) -> (Vec<TextPage>, Vec<usize>) {
    let free = free_text_labels(t);
    let mut in_table = false;
    let parts: Vec<Vec<Stretch>> = pages
        .iter()
        .map(|p| stretches(p, &free, t, &mut in_table))
        .collect();
    let firsts: Vec<f64> = parts
        .iter()
        .flatten()
        .filter_map(|s| first_label_place(s, &free))
        .collect();
    let amid = firsts.iter().filter(|&&p| p > 0.0).count();
    let before = firsts.iter().filter(|&&p| p < 0.0).count();
    if amid <= MARGIN_VOTES_PER_STREAM_VOTE * before || amid == 0 {
        drop(parts);
        return (pages, Vec::new());
    }
    let mut unsure = Vec::new();
    let out = pages
        .iter()
        .zip(parts)
        .map(|(p, s)| unmargin_page(p.number, s, &free, &mut unsure))
        .collect();
    (out, unsure)
}

/// One page (its stretches) with its stretches put back in
/// label-then-text order where exactly one cut fits; the lines of the
/// labels of the other stretches go to `unsure` (their text is read as
/// printed, its end uncertain), as do those of a cut stretch's last label
/// when the stretch ends the page and its first when it starts a page
/// after the first (a text may run over the page break).
fn unmargin_page(
    number: usize,
    parts: Vec<Stretch>,
    free: &[&str],
    unsure: &mut Vec<usize>,
) -> TextPage {
    let mut out = Vec::new();
    let last = parts.len().saturating_sub(1);
    for (k, s) in parts.into_iter().enumerate() {
        let lines = match s {
            Stretch::Other(l) => {
                out.push(l.clone());
                continue;
            }
            Stretch::Text(lines) => lines,
        };
        let labels = assemble_labels(&lines, free);
        let lines_of = |l: &Label| {
            l.parts
                .iter()
                .map(|&i| lines[i].orig.no)
                .collect::<Vec<_>>()
        };
        match reorder(&lines, free) {
            Some(new) => {
                out.extend(new);
                if k == last
                    && let Some(l) = labels.last()
                {
                    unsure.extend(lines_of(l));
                }
                if k == 0
                    && number > 1
                    && let Some(l) = labels.first()
                {
                    unsure.extend(lines_of(l));
                }
            }
            None => {
                for l in &labels {
                    unsure.extend(lines_of(l));
                }
                out.extend(lines.iter().map(|l| l.orig.clone()));
            }
        }
    }
    TextPage { number, lines: out }
}

/// A run of free-text lines, or a line that is none.
enum Stretch<'a> {
    Text(Vec<Line<'a>>),
    Other(&'a PageLine),
}

/// The page as runs of free-text lines and the lines between them. The
/// lines of the indicator table (from its column headers or label on) are none,
/// up to the next line led by a free-text label piece (over page breaks:
/// `in_table` says whether the page starts in the table): a table's rows
/// with no value shape (`资金使用合规性 合规`) would read as text.
fn stretches<'a>(
    page: &'a TextPage,
    free: &[&str],
    t: &Template,
    in_table: &mut bool,
) -> Vec<Stretch<'a>> {
    let mut out = Vec::new();
    let mut run: Vec<Line> = Vec::new();
    for l in &page.lines {
        *in_table |= opens_table(&l.text, t);
        let line = text_line(l, free, t).filter(|x| !*in_table || x.piece.is_some());
        match line {
            Some(line) => {
                *in_table = false;
                run.push(line);
            }
            None => {
                if !run.is_empty() {
                    out.push(Stretch::Text(std::mem::take(&mut run)));
                }
                out.push(Stretch::Other(l));
            }
        }
    }
    if !run.is_empty() {
        out.push(Stretch::Text(run));
    }
    out
}

/// Whether a line holds a column header or the label of the indicator
/// table (the funding table's rows hold amounts, which end a stretch).
fn opens_table(line: &str, t: &Template) -> bool {
    line.split_whitespace()
        .any(|tok| match t.vocab().exact.get(&label_key(tok)) {
            Some(Term::Header(c)) => !matches!(c, Column::FundingName | Column::FundingAmount),
            Some(Term::Label(k)) => t.field(k).is_some_and(|s| s.shape == Shape::IndicatorTable),
            None => false,
        })
}

/// Where the first free-text label of a stretch sits among its text lines.
fn first_label_place(s: &Stretch, free: &[&str]) -> Option<f64> {
    let Stretch::Text(lines) = s else { return None };
    let labels = assemble_labels(lines, free);
    let first = labels.first()?;
    let text_lines = text_lines(lines, &labels);
    // A label with no text after it (an empty last field) says nothing.
    (!text_lines.is_empty()).then(|| label_place(first, &text_lines))
}

/// The stretch's text lines, in order: a line's text, unless it is blank
/// or only a label piece.
fn text_lines(lines: &[Line], labels: &[Label]) -> Vec<usize> {
    let is_part = |i: usize| labels.iter().any(|l| l.parts.contains(&i));
    (0..lines.len())
        .filter(|&i| !lines[i].text.is_empty() || (lines[i].piece.is_some() && !is_part(i)))
        .collect()
}

/// The labels of the template's free-text fields, as [`label_key`]s.
fn free_text_labels(t: &Template) -> Vec<&str> {
    t.labels()
        .filter(|(_, s)| s.shape == Shape::Paragraphs)
        .map(|(l, _)| l)
        .collect()
}

/// A line of free text, maybe led by a piece of a free-text label, or a
/// blank line (no text); `None` for a line that is no free text.
fn text_line<'a>(l: &'a PageLine, free: &[&str], t: &Template) -> Option<Line<'a>> {
    let v = t.vocab();
    if is_blank_line(&l.text) {
        return Some(Line {
            orig: l,
            piece: None,
            text: "",
        });
    }
    if !matches!(
        line_kind(&l.text, t, v),
        LineKind::ParagraphStart | LineKind::Tokens
    ) {
        return None;
    }
    let trimmed = l.text.trim();
    let first = trimmed.split_whitespace().next()?;
    let key = label_key(first);
    let is_piece = key.chars().count() >= 2 && free.iter().any(|f| f.contains(key.as_str()));
    let (piece, text) = if is_piece {
        (Some(first), trimmed[first.len()..].trim())
    } else {
        (None, trimmed)
    };
    let hard = text.split_whitespace().any(|tok| {
        let k = label_key(tok);
        v.exact.contains_key(&k)
            || is_money_shaped(tok)
            || is_date_shaped(tok)
            || is_target_shaped(tok, t)
            || t.indicator_values.is_level_name(tok)
    });
    let other_label = piece.is_none() && v.exact.contains_key(&key);
    (!hard && !other_label).then_some(Line {
        orig: l,
        piece,
        text,
    })
}

/// The stretch in label-then-text order, when exactly one cut of its text
/// lines puts every label where one alignment puts it.
fn reorder(lines: &[Line], free: &[&str]) -> Option<Vec<PageLine>> {
    let labels = assemble_labels(lines, free);
    if labels.is_empty() {
        return None;
    }
    if labels.is_empty() {
        return None;
    }
    let is_part = |i: usize| labels.iter().any(|l| l.parts.contains(&i));
    let text_lines = text_lines(lines, &labels);
    let places: Vec<f64> = labels.iter().map(|l| label_place(l, &text_lines)).collect();
    // Printed label first (stream order): nothing to put back.
    if places[0] < 0.0 {
        return None;
    }
    let cut = the_one_cut(&places, text_lines.len())?;
    let mut out = Vec::new();
    for (l, run) in labels.iter().zip(cut.windows(2)) {
        out.push(PageLine {
            no: lines[l.parts[0]].orig.no,
            text: l.text.clone(),
        });
        for &i in &text_lines[run[0]..run[1]] {
            let line = &lines[i];
            let text = if is_part(i) {
                line.text.to_string()
            } else {
                line.orig.text.trim().to_string()
            };
            out.push(PageLine {
                no: line.orig.no,
                text,
            });
        }
    }
    Some(out)
}

/// Free-text labels made of the stretch's pieces, in order; pieces that
/// make no label are left as text.
fn assemble_labels(lines: &[Line], free: &[&str]) -> Vec<Label> {
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut parts: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(p) = l.piece else { continue };
        let key = label_key(p);
        let joined = format!("{acc}{key}");
        let near = parts.last().is_some_and(|&j| i - j <= LABEL_PIECES_MAX_GAP);
        if near && free.iter().any(|f| f.starts_with(joined.as_str())) {
            acc = joined;
            parts.push(i);
        } else {
            acc = key;
            parts = vec![i];
        }
        if free.contains(&acc.as_str()) {
            let longer = lines[i + 1..]
                .iter()
                .take(LABEL_PIECES_MAX_GAP)
                .filter_map(|l| l.piece)
                .next()
                .is_some_and(|n| {
                    let more = format!("{acc}{}", label_key(n));
                    free.iter().any(|f| f.starts_with(more.as_str()))
                });
            if !longer {
                let text = parts.iter().filter_map(|&j| lines[j].piece).collect();
                out.push(Label {
                    text,
                    parts: std::mem::take(&mut parts),
                });
                acc.clear();
            }
        }
    }
    out
}

/// Where a label sits among the text lines: a piece on a text line at that
/// line, a piece alone halfway between the text lines round it; a label
/// of several pieces at their middle.
fn label_place(l: &Label, text_lines: &[usize]) -> f64 {
    let at = |i: usize| -> f64 {
        match text_lines.iter().position(|&k| k == i) {
            Some(p) => p as f64,
            None => text_lines.iter().filter(|&&k| k < i).count() as f64 - 0.5,
        }
    };
    l.parts.iter().map(|&i| at(i)).sum::<f64>() / l.parts.len() as f64
}

/// How a label sits in its cell.
const ALIGNMENTS: [fn(usize, usize) -> f64; 3] = [
    |s, _| s as f64,
    |s, e| (s + e) as f64 / 2.0,
    |_, e| e as f64,
];

/// The cut of `n` text lines into one run per label (run `i` is
/// `cut[i]..cut[i + 1]`, none empty) that puts every label within
/// [`LABEL_PLACE_SLACK`] of where one alignment puts it, when exactly one
/// such cut exists over all alignments.
fn the_one_cut(places: &[f64], n: usize) -> Option<Vec<usize>> {
    let mut found: Vec<Vec<usize>> = Vec::new();
    for align in ALIGNMENTS {
        for cut in cuts(places, n, align) {
            if !found.contains(&cut) {
                found.push(cut);
            }
            if found.len() > 1 {
                return None;
            }
        }
    }
    found.pop()
}

/// Up to two cuts that fit one alignment (a search over run ends).
fn cuts(places: &[f64], n: usize, align: fn(usize, usize) -> f64) -> Vec<Vec<usize>> {
    fn go(
        places: &[f64],
        n: usize,
        align: fn(usize, usize) -> f64,
        cut: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() > 1 {
            return;
        }
        let k = cut.len() - 1;
        let s = cut[k];
        if k == places.len() {
            if s == n {
                out.push(cut.clone());
            }
            return;
        }
        for e in s..n {
            if (align(s, e) - places[k]).abs() <= LABEL_PLACE_SLACK {
                cut.push(e + 1);
                go(places, n, align, cut, out);
                cut.pop();
            }
        }
    }
    let mut out = Vec::new();
    go(places, n, align, &mut vec![0], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<String> {
        let t = Template::builtin().unwrap();
        let (pages, _) = unmargin_pages(text_to_pages(text), &t);
        pages
            .into_iter()
            .flat_map(|p| p.lines)
            .map(|l| l.text.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Two free texts of a form printed by position: each label at the
    /// middle of its text, the second in two pieces.
    const BESIDE: &str = "开始时间 2023/1/1 结束时间 2023/12/31\n\
        概况第一行，\n\
        项目概况\n\
        概况第二行。\n\
        依据第一行，\n\
        立项依据 依据第二行，\n\
        依据第三行。\n\
        项目设立的必 必要第一行，\n\
        要性 必要第二行。\n\
        项目总预算（元） 100.00\n";

    #[test]
    fn free_texts_printed_beside_their_labels_are_put_label_first() {
        let v = lines_of(&format!("{BESIDE}{BESIDE}"));
        assert_eq!(
            v[1..9],
            [
                "项目概况",
                "概况第一行，",
                "概况第二行。",
                "立项依据",
                "依据第一行，",
                "依据第二行，",
                "依据第三行。",
                "项目设立的必要性",
            ]
        );
        assert_eq!(v[9..11], ["必要第一行，", "必要第二行。"]);
    }

    #[test]
    fn a_dump_printing_labels_first_is_left_as_printed() {
        let stream = "开始时间 2023/1/1 结束时间 2023/12/31\n\
            项目概况\n概况第一行，\n概况第二行。\n\
            立项依据\n依据第一行。\n\
            项目总预算（元） 100.00\n";
        let v = lines_of(stream);
        assert_eq!(
            v[1..5],
            ["项目概况", "概况第一行，", "概况第二行。", "立项依据"]
        );
    }

    #[test]
    fn only_one_cut_is_taken() {
        // A label between the two lines of a two-line text: one cut.
        assert_eq!(the_one_cut(&[0.5], 2), Some(vec![0, 2]));
        // Centred on line 1 of three, or topped on line 1 of two with one
        // line left for the second label: two cuts, none taken.
        assert_eq!(the_one_cut(&[1.0, 3.0], 4), None);
    }
}
