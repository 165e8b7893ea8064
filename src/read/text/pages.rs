//! Stage 1: a dump's text split into pages (form feeds, runs of blank
//! lines) of numbered lines ([`text_to_pages`]).

/// One physical line of the dump (1-based number), blank or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLine {
    /// 1-based line number within the dump.
    pub no: usize,
    /// The line's text.
    pub text: String,
}

/// The lines of one printed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPage {
    /// 1-based page number within the dump.
    pub number: usize,
    /// The page's lines, blank ones included.
    pub lines: Vec<PageLine>,
}

/// Blank lines in a row that end a page.
pub const PAGE_BREAK_BLANKS: usize = 3;

/// Whether a line is all white space (U+3000 included: see [`crate::text`]).
pub(super) fn is_blank_line(s: &str) -> bool {
    s.trim().is_empty()
}

/// Splits a dump into pages: a form feed, or a run of
/// [`PAGE_BREAK_BLANKS`] or more blank lines, breaks a page. Pages without
/// any text are dropped.
pub fn text_to_pages(text: &str) -> Vec<TextPage> {
    let mut pages = Vec::new();
    let mut cur: Vec<PageLine> = Vec::new();
    let mut blanks = 0usize;
    let flush = |cur: &mut Vec<PageLine>, pages: &mut Vec<TextPage>| {
        if cur.iter().any(|l| !is_blank_line(&l.text)) {
            pages.push(TextPage {
                number: pages.len() + 1,
                lines: std::mem::take(cur),
            });
        } else {
            cur.clear();
        }
    };
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        for (k, part) in raw.split('\u{c}').enumerate() {
            if k > 0 {
                flush(&mut cur, &mut pages);
                blanks = 0;
            }
            if is_blank_line(part) {
                blanks += 1;
                if k == 0 || !part.is_empty() {
                    cur.push(PageLine {
                        no: i + 1,
                        text: String::new(),
                    });
                }
                continue;
            }
            if blanks >= PAGE_BREAK_BLANKS {
                flush(&mut cur, &mut pages);
            }
            blanks = 0;
            cur.push(PageLine {
                no: i + 1,
                text: part.to_string(),
            });
        }
    }
    flush(&mut cur, &mut pages);
    pages
}

/// Joins a label cut by a page break: a page whose last word and the next
/// page's first word together make a label (`项目当年投入资金` `构成`, a
/// table row split over two pages by a dumper that writes the pages'
/// text back to back) has the next page's word moved back to its end.
pub fn join_labels_cut_by_page_breaks(
    mut pages: Vec<TextPage>,
    t: &crate::template::Template,
) -> Vec<TextPage> {
    use crate::template::label_key;
    let v = t.vocab();
    for k in 1..pages.len() {
        let (before, after) = pages.split_at_mut(k);
        let (Some(last), Some(first)) = (
            before[k - 1]
                .lines
                .iter_mut()
                .rfind(|l| !is_blank_line(&l.text)),
            after[0].lines.iter_mut().find(|l| !is_blank_line(&l.text)),
        ) else {
            continue;
        };
        let (Some(tail), Some(head)) = (
            last.text.split_whitespace().last(),
            first.text.split_whitespace().next(),
        ) else {
            continue;
        };
        if v.exact.contains_key(&label_key(tail))
            || !v.exact.contains_key(&label_key(&format!("{tail}{head}")))
        {
            continue;
        }
        let head = head.to_string();
        last.text = format!("{}{head}", last.text.trim_end());
        first.text = first.text.trim_start()[head.len()..].to_string();
    }
    pages
}
