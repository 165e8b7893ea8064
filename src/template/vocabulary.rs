//! The template's printed texts as the stages look for them, built once at
//! load ([`super::Template::vocab`]): the mapping finds labels and sub-table
//! headers in cells, the text reader in lines, the layout snaps OCR'd text
//! to them, the scan reader tells a garbage text layer by them.

use std::collections::{BTreeMap, HashSet};

use regex::Regex;

use super::{Shape, Template, label_key};

/// A column header of a sub-table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The funding table's sub-project name column.
    FundingName,
    /// The funding table's amount column.
    FundingAmount,
    /// The indicator table's level-1 column.
    Level1,
    /// The indicator table's level-2 column.
    Level2,
    /// The indicator table's level-3 column.
    Level3,
    /// The indicator table's target column.
    Target,
}

/// What a printed text is: a field's label (the field's key) or a
/// sub-table's column header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A field's label: the field's key.
    Label(String),
    /// A sub-table's column header.
    Header(Column),
}

/// Every text the form prints as it is, by [`label_key`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    /// The title's key.
    pub title: String,
    /// The unit labels' keys.
    pub units: Vec<String>,
    /// The funding table's column headers: name, amount.
    pub funding: [Vec<String>; 2],
    /// The indicator table's column headers: levels 1-3, target.
    pub indicator: [Vec<String>; 4],
    /// The indicator table's remarks column headers (none: no such
    /// column).
    pub indicator_remark: Vec<String>,
    /// Each `table` field's key with its columns' header keys, in order.
    pub tables: Vec<(String, Vec<Vec<String>>)>,
    /// The keys of the `[layout]` captions.
    pub captions: Vec<String>,
    /// The keys of the `[layout]` headings of blocks not read.
    pub skip: Vec<String>,
    /// Label or header key to what it is (a label wins over a header).
    pub exact: BTreeMap<String, Term>,
    /// Every prefix of every key of `exact` (labels wrapped over lines).
    pub prefixes: HashSet<String>,
    /// The form's printed words of two characters or more, sorted: text
    /// holding none of them is not this form's.
    pub words: Vec<String>,
    /// The fixed texts a table cell may hold on its own, as printed: the
    /// field labels (in field order), then the sub-table headers.
    pub cell_texts: Vec<String>,
    /// [`label_key`] of each of `cell_texts`, in that order.
    pub cell_keys: Vec<String>,
    /// The title, unit labels and `exact` keys of
    /// [`GLUED_TERM_MIN_CHARS`] or more characters, found in one pass
    /// (text dumps whose cells were printed with nothing between them).
    pub glued_terms: TermMatcher,
    /// Each option field's key and its options' [`label_key`]s.
    pub option_keys: Vec<(String, Vec<String>)>,
}

/// Shortest label a line of glued cells is cut at: shorter label words
/// (`备注`) are too common in running text.
pub const GLUED_TERM_MIN_CHARS: usize = 4;

/// Several fixed texts found in one pass over a line: the leftmost, the
/// longest of those starting there, then on after it (alternatives
/// longest first, leftmost-first matching).
#[derive(Debug, Clone)]
pub struct TermMatcher(Regex);

impl TermMatcher {
    fn of<'a>(terms: impl Iterator<Item = &'a str>) -> TermMatcher {
        let mut terms: Vec<&str> = terms.collect();
        terms.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
        terms.dedup();
        let alternation: Vec<String> = terms.iter().map(|k| regex::escape(k)).collect();
        let pattern = if alternation.is_empty() {
            // matches nothing
            r"[^\s\S]".to_string()
        } else {
            alternation.join("|")
        };
        TermMatcher(Regex::new(&pattern).expect("escaped literals form a valid regex"))
    }

    /// The non-overlapping matches in `s`, as above.
    pub fn find_iter<'h>(&self, s: &'h str) -> impl Iterator<Item = regex::Match<'h>> {
        self.0.find_iter(s)
    }
}

impl Default for TermMatcher {
    fn default() -> Self {
        TermMatcher::of(std::iter::empty())
    }
}

impl PartialEq for TermMatcher {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Vocabulary {
    pub(super) fn of(t: &Template) -> Vocabulary {
        let keys = |ls: &[String]| ls.iter().map(|l| label_key(l)).collect::<Vec<_>>();
        let (f, i) = (&t.funding_table, &t.indicator_table);
        let columns = [
            (&f.name, Column::FundingName),
            (&f.amount, Column::FundingAmount),
            (&i.level1, Column::Level1),
            (&i.level2, Column::Level2),
            (&i.level3, Column::Level3),
            (&i.target, Column::Target),
        ];
        let mut exact = BTreeMap::new();
        for (l, spec) in t.labels() {
            exact.insert(l.to_string(), Term::Label(spec.key.clone()));
        }
        for (names, col) in columns {
            for n in names {
                exact.entry(label_key(n)).or_insert(Term::Header(col));
            }
        }
        let prefixes = exact
            .keys()
            .flat_map(|k| {
                let chars: Vec<char> = k.chars().collect();
                (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
            })
            .collect();
        let labels = t.fields.iter().flat_map(|f| f.labels.iter());
        // headers of the remarks column and of `table` fields' columns,
        // and the layout's captions and skipped headings: fixed texts too
        let more: Vec<&String> = i
            .remark
            .iter()
            .chain(
                t.fields
                    .iter()
                    .flat_map(|f| f.columns.iter().flat_map(|c| &c.labels)),
            )
            .chain(&t.layout.captions)
            .chain(&t.layout.skip)
            .collect();
        let headers = columns.iter().flat_map(|(names, _)| names.iter());
        let cell_texts: Vec<String> = labels
            .chain(headers)
            .chain(more.iter().copied())
            .cloned()
            .collect();
        let mut words: Vec<String> = std::iter::once(&t.header.title)
            .chain(&t.header.unit_labels)
            .chain(columns.iter().flat_map(|(names, _)| names.iter()))
            .chain(more.iter().copied())
            .map(|s| label_key(s))
            .chain(t.labels().map(|(l, _)| l.to_string()))
            .filter(|k| k.chars().count() >= 2)
            .collect();
        words.sort();
        words.dedup();
        let title_key = label_key(&t.header.title);
        let unit_keys = keys(&t.header.unit_labels);
        Vocabulary {
            funding: [keys(&f.name), keys(&f.amount)],
            indicator: [
                keys(&i.level1),
                keys(&i.level2),
                keys(&i.level3),
                keys(&i.target),
            ],
            indicator_remark: keys(&i.remark),
            captions: keys(&t.layout.captions),
            skip: keys(&t.layout.skip),
            tables: t
                .fields
                .iter()
                .filter(|f| f.shape == Shape::Table)
                .map(|f| {
                    let cols = f.columns.iter().map(|c| keys(&c.labels)).collect();
                    (f.key.clone(), cols)
                })
                .collect(),
            glued_terms: TermMatcher::of(
                std::iter::once(title_key.as_str())
                    .chain(unit_keys.iter().map(String::as_str))
                    .chain(exact.keys().map(String::as_str))
                    .filter(|k| k.chars().count() >= GLUED_TERM_MIN_CHARS),
            ),
            title: title_key,
            units: unit_keys,
            exact,
            prefixes,
            words,
            option_keys: t
                .fields
                .iter()
                .filter(|f| f.shape == Shape::Option)
                .map(|f| (f.key.clone(), keys(&f.options)))
                .collect(),
            cell_keys: cell_texts.iter().map(|c| label_key(c)).collect(),
            cell_texts,
        }
    }
}
