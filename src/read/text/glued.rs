//! Stage 1b: lines whose cells were printed with nothing between them
//! (pdfminer without layout analysis writes a page as one line) cut at
//! the labels they hold ([`unglue_page`]).
//!
//! A line is cut only when labels in it touch other text (a dump that
//! keeps spaces between cells keeps its rows as they are). The cuts are the
//! longest run of labels in the form's order (title, unit, the fields in
//! template order, each table's column headers after its label): a label's
//! words met inside running text out of that order are left alone. When
//! that run holds too few of the labels found (a shuffled stream), the
//! line is cut at all of them. In the
//! funding table's stretch each amount ends a row (`名称1,000.00名称…`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{MIN_LABELS_IN_ORDER, PageLine, TextPage};
use crate::template::{Column, Template, Term};

/// A label's words found in a line: char range and rank in form order.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    rank: usize,
}

/// Rank of the funding table's cells (they follow its label).
fn rank_of(t: &Template, term: &Term) -> Option<usize> {
    let field_rank = |key: &str| {
        t.fields
            .iter()
            .position(|f| f.key == key)
            .map(|i| 10 * (i + 1))
    };
    let table_rank = |shape: crate::template::Shape| {
        t.fields
            .iter()
            .position(|f| f.shape == shape)
            .map(|i| 10 * (i + 1))
    };
    use crate::template::Shape;
    match term {
        Term::Label(k) => field_rank(k),
        Term::Header(c) => {
            let (shape, n) = match c {
                Column::FundingName => (Shape::FundingTable, 1),
                Column::FundingAmount => (Shape::FundingTable, 2),
                Column::Level1 => (Shape::IndicatorTable, 1),
                Column::Level2 => (Shape::IndicatorTable, 2),
                Column::Level3 => (Shape::IndicatorTable, 3),
                Column::Target => (Shape::IndicatorTable, 4),
            };
            table_rank(shape).map(|r| r + n)
        }
    }
}

/// The rank in form order of each term a glued line is cut at
/// ([`crate::template::Vocabulary::glued_terms`]): title 0, unit labels 1,
/// labels and headers by form order.
fn ranks(t: &Template) -> HashMap<&str, usize> {
    let v = t.vocab();
    let mut ranks: HashMap<&str, usize> = HashMap::new();
    ranks.insert(v.title.as_str(), 0);
    for u in &v.units {
        ranks.insert(u.as_str(), 1);
    }
    for (k, term) in &v.exact {
        if let Some(r) = rank_of(t, term) {
            ranks.insert(k.as_str(), r);
        }
    }
    ranks
}

/// The terms found in the line's chars, in one pass: the leftmost, the
/// longest starting there, then on after it.
fn hits(chars: &[char], t: &Template, ranks: &HashMap<&str, usize>) -> Vec<Hit> {
    let norm: String = chars.iter().map(|&c| norm_char(c)).collect();
    let mut out: Vec<Hit> = Vec::new();
    for m in t.vocab().glued_terms.find_iter(&norm) {
        let Some(&rank) = ranks.get(m.as_str()) else {
            continue;
        };
        let start = norm[..m.start()].chars().count();
        let mut end = start + m.as_str().chars().count();
        // The colon after a label (`申报单位名称：`) stays with it.
        if chars.get(end).is_some_and(|&c| norm_char(c) == '：') {
            end += 1;
        }
        out.push(Hit { start, end, rank });
    }
    out
}

/// Fewest labels in a line for its order to tell a shuffled stream from
/// label words in running text.
const MIN_HITS_FOR_ORDER: usize = 5;

fn norm_char(c: char) -> char {
    match c {
        '(' => '（',
        ')' => '）',
        ':' => '：',
        c => c,
    }
}

/// The longest run of hits with strictly rising ranks.
fn in_form_order(hits: &[Hit]) -> Vec<Hit> {
    let n = hits.len();
    let mut len = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if hits[j].rank < hits[i].rank && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let Some(mut i) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut out = vec![hits[i]];
    while prev[i] != usize::MAX {
        i = prev[i];
        out.push(hits[i]);
    }
    out.reverse();
    out
}

/// The header's year in brackets, as printed under the title.
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（]\s*[0-9]{4}\s*年\s*[)）]").expect("valid"));

/// An amount written with thousands separators or two decimals.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+\.[0-9]{2}").expect("valid")
});

/// A funding stretch's text cut into rows, each amount ending one (a space
/// put before it, so name and amount read as two cells of one row).
fn cut_amount_rows(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    for m in AMOUNT.find_iter(s) {
        let next_is_digit = s[m.end()..].starts_with(|c: char| c.is_ascii_digit());
        if next_is_digit {
            continue;
        }
        out.push(format!("{} {}", &s[at..m.start()], m.as_str()));
        at = m.end();
    }
    if at < s.len() {
        out.push(s[at..].to_string());
    }
    out
}

/// Cuts the page's glued lines at their labels (see the module docs).
pub fn unglue_page(page: TextPage, t: &Template) -> TextPage {
    let funding_rank = rank_of(t, &Term::Header(Column::FundingName)).map(|r| r - 1);
    let ranks = ranks(t);
    let mut lines = Vec::with_capacity(page.lines.len());
    for l in page.lines {
        let chars: Vec<char> = l.text.chars().collect();
        let all = hits(&chars, t, &ranks);
        let chain = in_form_order(&all);
        // Labels mostly out of form order: the line is a shuffled stream,
        // cut at every label so the later stages see (and warn about) the
        // disorder instead of a tidy run of the few in order.
        let in_order = all.len() < MIN_HITS_FOR_ORDER
            || chain.len() as f64 >= MIN_LABELS_IN_ORDER * all.len() as f64;
        let hs = if in_order { chain } else { all };
        let touches = |h: &Hit| {
            let glued = |i: Option<&char>| i.is_some_and(|c| !c.is_whitespace());
            glued(h.start.checked_sub(1).and_then(|i| chars.get(i))) || glued(chars.get(h.end))
        };
        if hs.iter().filter(|h| touches(h)).count() < 2 {
            lines.push(l);
            continue;
        }
        // The header's year (`(2023年)`) is a line of its own too.
        let mut push = |s: String| {
            let mut at = 0;
            for m in YEAR.find_iter(&s) {
                for piece in [&s[at..m.start()], m.as_str()] {
                    if !piece.trim().is_empty() {
                        lines.push(PageLine {
                            no: l.no,
                            text: piece.to_string(),
                        });
                    }
                }
                at = m.end();
            }
            if !s[at..].trim().is_empty() {
                lines.push(PageLine {
                    no: l.no,
                    text: s[at..].to_string(),
                });
            }
        };
        let mut at = 0;
        let mut in_funding = false;
        for h in &hs {
            let before: String = chars[at..h.start].iter().collect();
            if in_funding {
                cut_amount_rows(&before).into_iter().for_each(&mut push);
            } else {
                push(before);
            }
            push(chars[h.start..h.end].iter().collect());
            in_funding = funding_rank.is_some_and(|f| h.rank >= f && h.rank <= f + 2);
            at = h.end;
        }
        let rest: String = chars[at..].iter().collect();
        if in_funding {
            cut_amount_rows(&rest).into_iter().for_each(&mut push);
        } else {
            push(rest);
        }
    }
    TextPage {
        number: page.number,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> TextPage {
        TextPage {
            number: 1,
            lines: vec![PageLine {
                no: 1,
                text: text.to_string(),
            }],
        }
    }

    fn texts(p: &TextPage) -> Vec<&str> {
        p.lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_page_printed_as_one_line_is_cut_at_its_labels() {
        let t = Template::builtin().unwrap();
        let p = unglue_page(
            page("项目名称某系统运维项目类型经常性专项业务费■开始时间2020/1/1结束时间2020/12/31"),
            &t,
        );
        assert_eq!(
            texts(&p),
            [
                "项目名称",
                "某系统运维",
                "项目类型",
                "经常性专项业务费■",
                "开始时间",
                "2020/1/1",
                "结束时间",
                "2020/12/31"
            ]
        );
    }

    #[test]
    fn funding_rows_glued_together_are_cut_after_each_amount() {
        let t = Template::builtin().unwrap();
        let p = unglue_page(
            page(
                "子项目名称预算金额（元）宣传推广费367,000.00安全服务费659,000.00项目实施计划全年运维",
            ),
            &t,
        );
        assert_eq!(
            texts(&p),
            [
                "子项目名称",
                "预算金额（元）",
                "宣传推广费 367,000.00",
                "安全服务费 659,000.00",
                "项目实施计划",
                "全年运维"
            ]
        );
    }

    #[test]
    fn a_row_with_spaces_between_its_cells_is_kept() {
        let t = Template::builtin().unwrap();
        let line = "项目总预算（元） 42,429,660.00 项目当年预算（元） 42,429,660.00";
        assert_eq!(texts(&unglue_page(page(line), &t)), [line]);
    }

    #[test]
    fn label_words_out_of_form_order_in_running_text_are_not_cut() {
        let t = Template::builtin().unwrap();
        let p = unglue_page(page("项目概况本项目的项目名称沿用上年立项依据依据文件"), &t);
        assert_eq!(
            texts(&p),
            [
                "项目概况",
                "本项目的项目名称沿用上年",
                "立项依据",
                "依据文件"
            ]
        );
    }
}
