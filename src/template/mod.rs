//! The form templates: labels, their variants, the field each fills and
//! the shape of its value, kept as data (`templates/*.toml`, one file per
//! form) and checked when loaded. A form is read with one template, chosen
//! by its title and labels ([`Templates`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

mod set;
mod vocabulary;
use crate::text::NORMAL_OPERATORS;
pub use set::{TemplateChoice, Templates};
pub use vocabulary::{Column, GLUED_TERM_MIN_CHARS, Term, TermMatcher, Vocabulary};

/// The templates shipped with shenbao: every `templates/*.toml` of the
/// source tree, embedded by `build.rs`, as `(path, text)`, by path.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The text of the first built-in template ([`Template::builtin`]), the
/// base tests change a copy of.
pub static DEFAULT_TEMPLATE: std::sync::LazyLock<&'static str> =
    std::sync::LazyLock::new(|| set::first_builtin().1);

/// The shape of a field's value, which decides how its cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// One line of text (white space at the ends trimmed, lines joined).
    Line,
    /// Free text: wrapped lines joined, paragraphs kept.
    Paragraphs,
    /// A list of options, the ticked one is the value.
    Option,
    /// A date, written `YYYY-MM-DD` in the record.
    Date,
    /// A date to the month or to the day, as printed (`2021年3月`,
    /// `2021.3.15`), written `YYYY-MM` or `YYYY-MM-DD`.
    PartialDate,
    /// Two partial dates, start and end (`2021年1月至2021年12月`), written
    /// as an ISO 8601 interval: `2021-01/2021-12`.
    DateRange,
    /// An amount of money in yuan.
    Money,
    /// The funding sub-table (sub-project names and amounts).
    FundingTable,
    /// The indicator sub-table (levels 1 to 3 and targets).
    IndicatorTable,
    /// A sub-table whose columns the field lists (`columns`): rows of
    /// one text per column, by the columns' keys.
    Table,
}

/// A column of a `table` field: its key in the rows, its headers as
/// printed, and the shape of its cells (`line` or `partial_date`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The column's key in each row (snake_case).
    pub key: String,
    /// The column's header, as printed, with its variants.
    pub labels: Vec<String>,
    /// How a cell is read: `line` (default) or `partial_date`.
    #[serde(default = "line_shape")]
    pub shape: Shape,
}

fn line_shape() -> Shape {
    Shape::Line
}

/// One `[[fields]]` entry of the template: a field, its labels and the
/// shape of its value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The record field this fills.
    pub key: String,
    /// The label's variants, as printed on forms.
    pub labels: Vec<String>,
    /// The shape of the value, which decides how its cell is read.
    pub shape: Shape,
    /// A missing label or an empty value gives a warning.
    #[serde(default)]
    pub required: bool,
    /// For `option` fields: the options as printed.
    #[serde(default)]
    pub options: Vec<String>,
    /// For `money` fields: the unit the amount is in when the form
    /// prints none for it (default: `[money].default`).
    #[serde(default)]
    pub unit: Option<String>,
    /// For `table` fields: the columns, left to right; the first is the
    /// row's key column (a row starts with each of its cells).
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
}

/// `[money]`: the units amounts are printed in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyUnits {
    /// Each unit's name as printed, with its power of ten of a yuan
    /// (`元` 0, `万元` 4).
    pub units: BTreeMap<String, u32>,
    /// The unit of an amount whose form prints none.
    pub default: String,
}

impl Default for MoneyUnits {
    /// Yuan only, with no name printed for it (a template without
    /// `[money]`; its amounts are read by [`crate::normalize::parse_money`]).
    fn default() -> Self {
        MoneyUnits {
            units: BTreeMap::new(),
            default: String::new(),
        }
    }
}

impl MoneyUnits {
    /// The names, longest first (a name inside another is looked for
    /// after it).
    pub fn names_longest_first(&self) -> Vec<(&str, u32)> {
        let mut v: Vec<(&str, u32)> = self.units.iter().map(|(n, e)| (n.as_str(), *e)).collect();
        v.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
        v
    }

    /// The power of ten of a unit's name.
    pub fn exponent(&self, name: &str) -> Option<u32> {
        self.units.get(name).copied()
    }
}

/// `[layout]`: cells that are not fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutTexts {
    /// Captions heading a block of fields (`项目资金（万元）`): the
    /// block is read as label/value pairs; a money unit printed in the
    /// caption applies to the block's amounts.
    #[serde(default)]
    pub captions: Vec<String>,
    /// Headings of blocks that are no form data (审核意见 with signatures
    /// and dates): their cells are not read.
    #[serde(default)]
    pub skip: Vec<String>,
}

/// The template's `[header]`: what is printed above the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The form's title, as printed (a page holding it starts a form).
    pub title: String,
    /// Labels of the unit line (`申报单位名称`, ...).
    pub unit_labels: Vec<String>,
}

/// The box glyphs after each option.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkbox {
    /// Glyphs of a ticked box, as a text layer has them.
    pub ticked: Vec<String>,
    /// Glyphs of an unticked box, as a text layer has them.
    pub unticked: Vec<String>,
    /// What OCR reads for a ticked box (a dark square: `■`, or a dense
    /// character such as `国`), one character each; used on scanned pages
    /// only. Checked at load: one character each, none also in
    /// `ocr_unticked`.
    pub ocr_ticked: Vec<String>,
    /// What OCR reads for an unticked box (`口`, `0` …), one character
    /// each; used on scanned pages only.
    pub ocr_unticked: Vec<String>,
}

/// The funding sub-table's column headers (`[funding_table]`), each with
/// its variants as printed; needed only by a template with a
/// `funding_table` field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingColumns {
    /// Headers of the sub-project name column (`子项目名称`, ...).
    pub name: Vec<String>,
    /// Headers of the amount column (`预算金额（元）`, ...).
    pub amount: Vec<String>,
}

/// The indicator sub-table's column headers (`[indicator_table]`), each
/// with its variants as printed; needed only by a template with an
/// `indicator_table` field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumns {
    /// Headers of the level-1 column (`一级指标`).
    pub level1: Vec<String>,
    /// Headers of the level-2 column (`二级指标`).
    pub level2: Vec<String>,
    /// Headers of the level-3 column (`三级指标`).
    pub level3: Vec<String>,
    /// Headers of the target column (`指标目标值`, ...).
    pub target: Vec<String>,
    /// Headers of a remarks column right of the target (`备注`), on forms
    /// that have one; none: no such column.
    #[serde(default)]
    pub remark: Vec<String>,
}

/// What the indicator table's cells hold (their values, not the column
/// headers).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorValues {
    /// Level-1 and level-2 indicator names seen on real forms. Names stay
    /// open text: on scanned pages a reading very close to one of these is
    /// snapped to it.
    pub level_names: Vec<String>,
    /// Words printed after a target's number and unit that stand for its
    /// operator (`90%以上` is `≥ 90 %`), by the operator's normal form
    /// (`≥ ≤ > < =`). Where two fit, the longer wins (`及以上` before
    /// `以上`).
    target_suffixes: BTreeMap<String, Vec<String>>,
}

impl IndicatorValues {
    /// Whether `s` is one of the template's level names, as printed.
    pub fn is_level_name(&self, s: &str) -> bool {
        self.level_names.iter().any(|n| n == s)
    }
}

/// A target suffix ([`IndicatorValues`]) with its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSuffix {
    /// The words, as printed after the number and unit (`以上`).
    pub suffix: String,
    /// One of `≥ ≤ > < =`.
    pub op: &'static str,
}

/// Hints for text dumps, where no geometry ties a value to its label.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextLayout {
    /// Pairs of field keys whose cells share one printed row.
    #[serde(default)]
    pub rows: Vec<[String; 2]>,
    /// The text path has not been measured on dumps of this form: every
    /// value read from a dump is a draft, warned `inferred_value`.
    #[serde(default)]
    pub drafts: bool,
}

/// `[years]`: a project's years side by side (`project_years`, the same
/// `form_key`, year Y beside year Y-1) and the checks across them: this
/// year's `prior_budget` is last year's `budget`, and this year's
/// `prior_spent` is not above it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearsSpec {
    /// The year's budget (a money field).
    pub budget: String,
    /// Last year's budget as this year's form declares it.
    pub prior_budget: String,
    /// Last year's spending as this year's form declares it.
    pub prior_spent: String,
}

/// A loaded and checked template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// The template's name (`shanghai-2019`), written in each record it
    /// reads (`template`) and given to `--template`.
    pub name: String,
    /// Templates are tried in this order (lowest first) when title and
    /// labels do not decide, and their fields become the store's columns
    /// in this order.
    #[serde(default)]
    pub order: i64,
    /// What is printed above the table: the title and the unit's labels.
    pub header: Header,
    /// The checkbox glyphs of option fields.
    pub checkbox: Checkbox,
    /// The funding sub-table's column headers.
    #[serde(default)]
    pub funding_table: FundingColumns,
    /// The indicator sub-table's column headers.
    #[serde(default)]
    pub indicator_table: IndicatorColumns,
    /// What the indicator table's cells hold.
    #[serde(default)]
    pub indicator_values: IndicatorValues,
    /// Hints for text dumps.
    #[serde(default)]
    pub text_layout: TextLayout,
    /// The units amounts are printed in.
    #[serde(default)]
    pub money: MoneyUnits,
    /// Cells that are not fields: block captions, blocks skipped.
    #[serde(default)]
    pub layout: LayoutTexts,
    /// Checks tying fields together, run on every record.
    #[serde(default)]
    pub checks: Vec<FieldCheck>,
    /// A run of pages (before the first title page) holding neither the
    /// title nor any of these fields is not a form.
    pub identifying_fields: Vec<String>,
    /// The one-value fields whose values, normalized, make a record's
    /// `form_key` ([`Template::form_key`]), the project's identity from
    /// year to year; none: no record has a key.
    #[serde(default)]
    pub form_key: Vec<String>,
    /// The integer field holding a form's year: a form is its `form_key`
    /// and this year; a record whose year is null or warned has no key.
    #[serde(default)]
    pub form_year: Option<String>,
    /// The money fields `project_years` puts beside last year's form;
    /// none: no `project_years`.
    #[serde(default)]
    pub years: Option<YearsSpec>,
    /// The template's `[[fields]]`, in record order.
    pub fields: Vec<FieldSpec>,
    /// Normalized label to index in `fields`.
    #[serde(skip)]
    label_index: HashMap<String, usize>,
    /// [`Template::vocab`], built once at load.
    #[serde(skip)]
    vocab: Vocabulary,
    /// [`Template::record_fields`], built once at load.
    #[serde(skip)]
    record_fields: Vec<RecordField>,
    /// [`Template::target_suffixes`], built once at load.
    #[serde(skip)]
    target_suffixes: Vec<TargetSuffix>,
}

/// What a record field holds, as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A string or null.
    Text,
    /// An integer or null.
    Int,
    /// An amount in yuan ([`crate::record::Money`]) or null.
    Money,
    /// Rows of `{name, amount}`.
    FundingTable,
    /// Rows of `{level1, level2, level3, target, target_parsed, remark}`.
    IndicatorTable,
    /// Rows of a `table` field: one text (or null) per column key.
    Rows,
}

impl Shape {
    /// What a field of this shape holds in the record.
    pub fn kind(self) -> ValueKind {
        match self {
            Shape::Line
            | Shape::Paragraphs
            | Shape::Option
            | Shape::Date
            | Shape::PartialDate
            | Shape::DateRange => ValueKind::Text,
            Shape::Money => ValueKind::Money,
            Shape::FundingTable => ValueKind::FundingTable,
            Shape::IndicatorTable => ValueKind::IndicatorTable,
            Shape::Table => ValueKind::Rows,
        }
    }
}

/// One field of the record, in record order: the field registry every
/// part of shenbao derives from (the record, the store's columns, the
/// schema, `check`'s table). Built once at load from the template: the
/// header's `title`, `year` and `unit`, then the template's `[[fields]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordField {
    /// The field's key in the record (snake_case).
    pub key: String,
    /// What the field holds, as JSON.
    pub kind: ValueKind,
    /// The template field's shape; `None` for the header's three.
    pub shape: Option<Shape>,
    /// The first label, as printed (the header's: none).
    pub label: Option<String>,
    /// The options of an option field.
    pub options: Vec<String>,
    /// The column keys of a `table` field.
    pub columns: Vec<String>,
}

impl RecordField {
    /// Free text: compared white-space-insensitively by `check`.
    pub fn is_paragraphs(&self) -> bool {
        self.shape == Some(Shape::Paragraphs)
    }
    /// Whether the field is a funding or indicator table.
    pub fn is_table(&self) -> bool {
        matches!(
            self.kind,
            ValueKind::FundingTable | ValueKind::IndicatorTable | ValueKind::Rows
        )
    }
}

/// The header's fields, read above the table, first in every record.
pub const HEADER_FIELDS: [(&str, ValueKind); 3] = [
    ("title", ValueKind::Text),
    ("year", ValueKind::Int),
    ("unit", ValueKind::Text),
];

/// A check tying two fields together ([`Template::checks`]); a
/// disagreement is a warning on both.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldCheck {
    /// What is checked.
    pub rule: CheckRule,
    /// The fields, in the order the rule names them: two, or for
    /// `parts_sum` the total and then its parts.
    pub fields: Vec<String>,
    /// The warning's message: `{a}` and `{b}` stand for the two values
    /// (for `sum`, the rows' sum and the money field).
    pub message: String,
}

/// What a [`FieldCheck`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRule {
    /// A funding table's amounts, all read, sum to a money field
    /// (`funding_sum_mismatch`).
    Sum,
    /// A money field is not above another (`exceeds_total`).
    NotAbove,
    /// A date is not after another (`date_order`).
    NotAfter,
    /// Money fields: the first is the sum of the others, a blank part
    /// counting as 0, when any part has a value and none is warned
    /// (`funding_sum_mismatch`).
    PartsSum,
}

/// Keys that SQLite, DuckDB or Spark SQL reserve: no field or column may
/// be named so.
const SQL_KEYWORDS: &[&str] = &[
    "all",
    "and",
    "as",
    "between",
    "by",
    "case",
    "check",
    "column",
    "create",
    "default",
    "distinct",
    "else",
    "end",
    "from",
    "group",
    "having",
    "in",
    "index",
    "is",
    "join",
    "key",
    "like",
    "limit",
    "not",
    "null",
    "on",
    "or",
    "order",
    "references",
    "select",
    "table",
    "then",
    "to",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "when",
    "where",
    "with",
];

/// A field key must be a snake_case name (`[a-z][a-z0-9_]*`, a column
/// name in every export) and not one of the header's or the record's
/// own keys.
fn check_key(key: &str) -> std::result::Result<(), String> {
    let mut chars = key.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(format!("field key `{key}` is not a snake_case name"));
    }
    if SQL_KEYWORDS.contains(&key) {
        return Err(format!(
            "field key `{key}` is an SQL keyword (a column name every engine must quote)"
        ));
    }
    let reserved = HEADER_FIELDS
        .iter()
        .map(|(k, _)| *k)
        .chain(crate::record::META_KEYS);
    if reserved.into_iter().any(|k| k == key) {
        return Err(format!("field key `{key}` is reserved"));
    }
    Ok(())
}

/// The key a label or a cell's text is matched by: white space removed
/// (U+3000 included, as [`crate::text::strip_whitespace`] does),
/// ASCII parentheses and colons folded to full width, a trailing colon
/// dropped.
pub fn label_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    label_key_into(s.chars(), &mut out);
    out
}

/// [`label_key`] of the text made of `chars`, written into `out` (cleared
/// first), so a caller can reuse one buffer.
pub fn label_key_into(chars: impl Iterator<Item = char>, out: &mut String) {
    out.clear();
    out.extend(chars.filter(|c| !c.is_whitespace()).map(|c| match c {
        '(' => '（',
        ')' => '）',
        ':' => '：',
        c => c,
    }));
    while out.ends_with('：') {
        out.pop();
    }
}

/// The target suffixes of the template's table (operator → suffixes),
/// checked, longest suffix first.
fn target_suffixes(
    table: &BTreeMap<String, Vec<String>>,
) -> std::result::Result<Vec<TargetSuffix>, String> {
    let name = "indicator_values.target_suffixes";
    let mut out: Vec<TargetSuffix> = Vec::new();
    for (op, suffixes) in table {
        let Some(&op) = NORMAL_OPERATORS.iter().find(|o| *o == op) else {
            return Err(format!(
                "`{name}`: `{op}` is not an operator (one of {})",
                NORMAL_OPERATORS.join(" ")
            ));
        };
        for s in suffixes {
            if s.trim().is_empty() {
                return Err(format!("`{name}`: an empty suffix for `{op}`"));
            }
            if out.iter().any(|x| x.suffix == *s) {
                return Err(format!("`{name}`: `{s}` is listed twice"));
            }
            out.push(TargetSuffix {
                suffix: s.clone(),
                op,
            });
        }
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.suffix.chars().count()));
    Ok(out)
}

impl Template {
    /// The built-in template.
    pub fn builtin() -> Result<Template> {
        let (path, text) = set::first_builtin();
        Template::parse(text, Path::new(path))
    }

    /// Loads and checks a template file.
    pub fn load(path: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Template {
            file: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Template::parse(&text, path)
    }

    /// Parses and checks template text; `name` is used in errors.
    pub fn parse(text: &str, name: &Path) -> Result<Template> {
        let err = |reason: String| Error::Template {
            file: PathBuf::from(name),
            reason,
        };
        let mut t: Template = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut seen_keys = HashMap::new();
        for (i, f) in t.fields.iter().enumerate() {
            check_key(&f.key).map_err(err)?;
            if seen_keys.insert(f.key.clone(), i).is_some() {
                return Err(err(format!("field `{}` is listed twice", f.key)));
            }
            if f.labels.is_empty() || f.labels.iter().any(|l| label_key(l).is_empty()) {
                return Err(err(format!("field `{}` has an empty label", f.key)));
            }
            if (f.shape == Shape::Option) == f.options.is_empty() {
                return Err(err(format!(
                    "field `{}`: options are required for shape option and only there",
                    f.key
                )));
            }
            for l in &f.labels {
                if let Some(&j) = t.label_index.get(&label_key(l)) {
                    return Err(err(format!(
                        "label `{l}` is given to both `{}` and `{}`",
                        t.fields[j].key, f.key
                    )));
                }
                t.label_index.insert(label_key(l), i);
            }
        }
        t.check_shapes().map_err(err)?;
        t.record_fields = t.build_record_fields();
        t.check_checks().map_err(err)?;
        let has = |shape| t.fields.iter().any(|f| f.shape == shape);
        let mut lists: Vec<(&str, &Vec<String>)> = vec![
            ("header.unit_labels", &t.header.unit_labels),
            ("checkbox.ticked", &t.checkbox.ticked),
            ("checkbox.unticked", &t.checkbox.unticked),
            ("checkbox.ocr_ticked", &t.checkbox.ocr_ticked),
            ("checkbox.ocr_unticked", &t.checkbox.ocr_unticked),
        ];
        if has(Shape::FundingTable) {
            lists.extend([
                ("funding_table.name", &t.funding_table.name),
                ("funding_table.amount", &t.funding_table.amount),
            ]);
        }
        if has(Shape::IndicatorTable) {
            lists.extend([
                (
                    "indicator_values.level_names",
                    &t.indicator_values.level_names,
                ),
                ("indicator_table.level1", &t.indicator_table.level1),
                ("indicator_table.level3", &t.indicator_table.level3),
                ("indicator_table.target", &t.indicator_table.target),
            ]);
        }
        for (name, list) in lists {
            if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
                return Err(err(format!(
                    "`{name}` must list at least one non-empty entry"
                )));
            }
        }
        if has(Shape::IndicatorTable) && t.indicator_table.level2.is_empty() {
            return Err(err("`indicator_table.level2` is empty".into()));
        }
        for (name, list) in [
            ("checkbox.ocr_ticked", &t.checkbox.ocr_ticked),
            ("checkbox.ocr_unticked", &t.checkbox.ocr_unticked),
        ] {
            if let Some(s) = list.iter().find(|s| s.chars().count() != 1) {
                return Err(err(format!("`{name}`: `{s}` is not one character")));
            }
        }
        if let Some(s) = t
            .checkbox
            .ocr_ticked
            .iter()
            .find(|s| t.checkbox.ocr_unticked.contains(s))
        {
            return Err(err(format!(
                "`checkbox`: `{s}` is in both `ocr_ticked` and `ocr_unticked`"
            )));
        }
        let names = &t.indicator_values.level_names;
        if let Some(n) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n))
        {
            return Err(err(format!(
                "`indicator_values.level_names`: `{}` is listed twice",
                n.1
            )));
        }
        t.target_suffixes = target_suffixes(&t.indicator_values.target_suffixes).map_err(err)?;
        for [a, b] in &t.text_layout.rows {
            let shape = |k: &String| t.fields.iter().find(|f| &f.key == k).map(|f| f.shape);
            match (shape(a), shape(b)) {
                (Some(x), Some(y)) if x == y => {}
                (Some(_), Some(_)) => {
                    return Err(err(format!(
                        "`text_layout.rows`: `{a}` and `{b}` have different shapes"
                    )));
                }
                _ => {
                    return Err(err(format!(
                        "`text_layout.rows`: unknown field in [`{a}`, `{b}`]"
                    )));
                }
            }
        }
        if label_key(&t.header.title).is_empty() {
            return Err(err("`header.title` is empty".into()));
        }
        t.vocab = Vocabulary::of(&t);
        Ok(t)
    }

    /// The field whose label is exactly this text (compared by [`label_key`]).
    pub fn field_for_label(&self, text: &str) -> Option<&FieldSpec> {
        self.label_index
            .get(&label_key(text))
            .map(|&i| &self.fields[i])
    }

    /// The field whose label starts this text, with the rest of the text
    /// (label and value printed in one cell). Longest label wins.
    pub fn field_with_prefix<'a>(&'a self, text: &str) -> Option<(&'a FieldSpec, String)> {
        let key = label_key(text);
        self.label_index
            .iter()
            .filter(|(l, _)| key.starts_with(l.as_str()) && key.len() > l.len())
            .max_by_key(|(l, _)| l.len())
            .map(|(l, &i)| {
                (
                    &self.fields[i],
                    key[l.len()..].trim_start_matches('：').to_string(),
                )
            })
    }

    /// The other field of the printed row `key` shares (see
    /// [`TextLayout::rows`]), and whether `key` is the row's first field.
    pub fn row_partner(&self, key: &str) -> Option<(&str, bool)> {
        self.text_layout.rows.iter().find_map(|[a, b]| {
            if a == key {
                Some((b.as_str(), true))
            } else if b == key {
                Some((a.as_str(), false))
            } else {
                None
            }
        })
    }

    /// All label keys (normalized), with their field.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &FieldSpec)> {
        self.label_index
            .iter()
            .map(|(l, &i)| (l.as_str(), &self.fields[i]))
    }

    /// The target suffixes (`indicator_values.target_suffixes` in the
    /// template file) with their operators, longest suffix first.
    pub fn target_suffixes(&self) -> &[TargetSuffix] {
        &self.target_suffixes
    }

    /// Whether OCR's reading `c` is a checkbox ([`Checkbox::ocr_ticked`],
    /// [`Checkbox::ocr_unticked`], or the mark as printed:
    /// [`Checkbox::ticked`], [`Checkbox::unticked`], such as a tick `√`
    /// read right), and whether it is ticked.
    pub fn ocr_checkbox(&self, c: char) -> Option<bool> {
        let is = |list: &Vec<String>| list.iter().any(|s| s.chars().eq(std::iter::once(c)));
        let cb = &self.checkbox;
        if is(&cb.ocr_unticked) || is(&cb.unticked) {
            Some(false)
        } else if is(&cb.ocr_ticked) || is(&cb.ticked) {
            Some(true)
        } else {
            None
        }
    }

    /// The form's printed texts as the stages look for them, built once
    /// at load ([`Vocabulary`]).
    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The form's printed words as label keys ([`label_key`]): the title,
    /// the unit, field, funding and indicator column labels. Text holding
    /// none of them is not this form's (a page's garbage text layer).
    pub fn vocabulary(&self) -> &[String] {
        &self.vocab.words
    }

    /// The fixed texts a table cell may hold on its own, as printed: the
    /// field labels (in field order), then the funding and indicator
    /// column headers.
    pub fn cell_texts(&self) -> &[String] {
        &self.vocab.cell_texts
    }

    /// The field registry: every record field, in record order (see
    /// [`RecordField`]).
    pub fn record_fields(&self) -> &[RecordField] {
        &self.record_fields
    }

    /// The registry entry of a record field.
    pub fn record_field(&self, key: &str) -> Option<&RecordField> {
        self.record_fields.iter().find(|f| f.key == key)
    }

    fn build_record_fields(&self) -> Vec<RecordField> {
        let header = HEADER_FIELDS.iter().map(|&(key, kind)| RecordField {
            key: key.to_string(),
            kind,
            shape: None,
            label: None,
            options: Vec::new(),
            columns: Vec::new(),
        });
        let fields = self.fields.iter().map(|f| RecordField {
            key: f.key.clone(),
            kind: f.shape.kind(),
            shape: Some(f.shape),
            label: f.labels.first().cloned(),
            options: f.options.clone(),
            columns: f.columns.iter().map(|c| c.key.clone()).collect(),
        });
        header.chain(fields).collect()
    }

    /// A record's `form_key`: the values of the template's `form_key`
    /// fields, each normalized by [`normalize_key_part`], joined by `|`
    /// (`上海市统计局|建筑市场信用管理平台升级改造项目`): one project, the
    /// same key every year; with the `form_year` field, one form, read
    /// from a PDF, its scan or its text dump. `None` when the template
    /// names no such fields, or one of them or the year is null or carries
    /// a warning: a key read with doubt (a misread unit, a project name
    /// placed by guess in a dump) would make one form two.
    pub fn form_key(&self, r: &crate::record::Record) -> Option<String> {
        use crate::record::Value;
        let doubtful = |k: &String| r.warnings.iter().any(|w| &w.field == k);
        if self.form_key.is_empty() || self.form_key.iter().any(doubtful) {
            return None;
        }
        if let Some(y) = &self.form_year
            && (doubtful(y) || !matches!(r.get(y), Some(Value::Int(Some(_)))))
        {
            return None;
        }
        let parts = self.form_key.iter().map(|k| match r.get(k)? {
            Value::Text(Some(t)) => Some(normalize_key_part(t)).filter(|t| !t.is_empty()),
            Value::Int(Some(i)) => Some(i.to_string()),
            _ => None,
        });
        parts.collect::<Option<Vec<String>>>().map(|p| p.join("|"))
    }

    /// The checks and the identifying fields name fields of the right
    /// kinds.
    /// Checks what the shapes need: a money unit the template knows, a
    /// table's columns (keys snake_case and unique, headers non-empty,
    /// shapes `line` or `partial_date`) given to tables only.
    fn check_shapes(&self) -> std::result::Result<(), String> {
        let m = &self.money;
        if !m.units.is_empty() && m.exponent(&m.default).is_none() {
            return Err(format!(
                "[money] default `{}` is not in its units",
                m.default
            ));
        }
        if let Some((u, e)) = m.units.iter().find(|(_, e)| **e > 12) {
            return Err(format!(
                "[money] unit `{u}`: 10^{e} yuan is beyond any budget"
            ));
        }
        for f in &self.fields {
            if let Some(u) = &f.unit
                && (f.shape != Shape::Money || m.exponent(u).is_none())
            {
                return Err(format!(
                    "field `{}`: unit `{u}` is not a [money] unit of a money field",
                    f.key
                ));
            }
            if (f.shape == Shape::Table) == f.columns.is_empty() {
                return Err(format!(
                    "field `{}`: columns are required for shape table and only there",
                    f.key
                ));
            }
            for (i, c) in f.columns.iter().enumerate() {
                check_key(&c.key)?;
                if f.columns[..i].iter().any(|o| o.key == c.key) {
                    return Err(format!("field `{}`: column `{}` twice", f.key, c.key));
                }
                if c.labels.is_empty() || c.labels.iter().any(|l| label_key(l).is_empty()) {
                    return Err(format!(
                        "field `{}`: column `{}` has no header",
                        f.key, c.key
                    ));
                }
                if !matches!(c.shape, Shape::Line | Shape::PartialDate) {
                    return Err(format!(
                        "field `{}`: column `{}` is neither line nor partial_date",
                        f.key, c.key
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_checks(&self) -> std::result::Result<(), String> {
        let kind = |k: &str| self.record_field(k).map(|f| f.kind);
        for c in &self.checks {
            let want = match c.rule {
                CheckRule::Sum => vec![ValueKind::FundingTable, ValueKind::Money],
                CheckRule::NotAbove => vec![ValueKind::Money, ValueKind::Money],
                CheckRule::NotAfter => vec![ValueKind::Text, ValueKind::Text],
                CheckRule::PartsSum => vec![ValueKind::Money; c.fields.len().max(2)],
            };
            if c.fields.len() != want.len() {
                return Err(format!(
                    "check {:?}: {} fields, not {}",
                    c.rule,
                    want.len(),
                    c.fields.len()
                ));
            }
            for (f, w) in c.fields.iter().zip(want) {
                if kind(f) != Some(w) {
                    return Err(format!("check {:?}: `{f}` is no {w:?} field", c.rule));
                }
            }
            if c.rule == CheckRule::NotAfter
                && c.fields
                    .iter()
                    .any(|f| self.field(f).map(|f| f.shape) != Some(Shape::Date))
            {
                return Err(format!("check {:?}: both fields must be dates", c.rule));
            }
        }
        for k in &self.identifying_fields {
            if kind(k).is_none() {
                return Err(format!("identifying field `{k}` is no field"));
            }
        }
        for k in &self.form_key {
            if !matches!(kind(k), Some(ValueKind::Text | ValueKind::Int)) {
                return Err(format!("form_key field `{k}` is no text or integer field"));
            }
        }
        if let Some(y) = &self.form_year
            && kind(y) != Some(ValueKind::Int)
        {
            return Err(format!("form_year field `{y}` is no integer field"));
        }
        if let Some(y) = &self.years {
            if self.form_key.is_empty() || self.form_year.is_none() {
                return Err("[years] needs form_key and form_year".into());
            }
            for f in [&y.budget, &y.prior_budget, &y.prior_spent] {
                if kind(f) != Some(ValueKind::Money) {
                    return Err(format!("[years] field `{f}` is no money field"));
                }
            }
        }
        Ok(())
    }

    /// The `[[fields]]` entry with this key, if any.
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Whether the character is a checkbox glyph, and whether it is ticked.
    pub fn checkbox(&self, c: char) -> Option<bool> {
        let is = |list: &Vec<String>| list.iter().any(|s| s.chars().eq(std::iter::once(c)));
        if is(&self.checkbox.ticked) {
            Some(true)
        } else if is(&self.checkbox.unticked) {
            Some(false)
        } else {
            None
        }
    }
}

/// One part of a `form_key`: white space (U+3000 too) and `|` removed,
/// full-width ASCII forms (U+FF01–FF5E: `（`, `：`, `Ａ`, `１`) folded to
/// ASCII, ASCII letters lower-cased, quotation marks (`“ ” ‘ ’ 「 」 『 』
/// ' "`) made `"` (a unit types `“一网通办”` one year and `"一网通办"` the
/// next). Nothing else is changed: two spellings of a name that differ in
/// any other character are two keys.
pub fn normalize_key_part(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '|')
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| match c {
            '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' | '\'' => '"',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_key_is_normalized_and_none_when_a_key_field_is_null_or_warned() {
        use crate::record::{Record, Source, Value, Warning};
        use crate::warning::WarningCode;
        let t = Template::builtin().unwrap();
        let source = Source::new(Path::new("a.pdf"), "", 0, &[1]);
        let mut r = Record::empty(&t, source);
        r.set("unit", Value::Text(Some("上海市 统计局".into())));
        r.set("year", Value::Int(Some(2021)));
        assert_eq!(t.form_key(&r), None, "no project name");
        r.set(
            "project_name",
            Value::Text(Some("“一网通办”平台（ＡＢ）升级".into())),
        );
        assert_eq!(
            t.form_key(&r).as_deref(),
            Some("上海市统计局|\"一网通办\"平台(ab)升级"),
            "the project, not the year"
        );
        r.set("year", Value::Int(None));
        assert_eq!(t.form_key(&r), None, "no year");
        r.set("year", Value::Int(Some(2022)));
        r.warnings
            .push(Warning::new("year", WarningCode::OcrLowConfidence, "x"));
        assert_eq!(t.form_key(&r), None, "a warned year");
        r.warnings.clear();
        r.warnings
            .push(Warning::new("unit", WarningCode::OcrLowConfidence, "x"));
        assert_eq!(t.form_key(&r), None, "a warned unit");
    }

    #[test]
    fn builtin_template_loads_with_the_header_first_in_its_registry() {
        let t = Template::builtin().unwrap();
        let keys: Vec<&str> = t.record_fields().iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys[..4], ["title", "year", "unit", "project_name"]);
        assert_eq!(keys.len(), 3 + t.fields.len());
        assert_eq!(
            t.field_for_label("同名项目上年预算执行数(元)").unwrap().key,
            "prior_year_spent"
        );
        assert_eq!(
            t.field_for_label("保证项目实施的制度、\n措施").unwrap().key,
            "safeguards"
        );
    }

    #[test]
    fn template_with_a_key_that_is_no_column_name_or_reserved_is_an_error() {
        for (key, why) in [
            ("Remarks", "snake_case"),
            ("re-marks", "snake_case"),
            ("source", "reserved"),
            ("title", "reserved"),
        ] {
            let bad = DEFAULT_TEMPLATE.replace("key = \"remarks\"", &format!("key = \"{key}\""));
            let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
            assert!(e.to_string().contains(why), "{key}: {e}");
        }
    }

    #[test]
    fn a_check_on_fields_of_the_wrong_kind_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replace(
            "fields = [\"start_date\", \"end_date\"]",
            "fields = [\"start_date\", \"total_budget\"]",
        );
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(
            e.to_string().contains("`total_budget` is no Text field"),
            "{e}"
        );
    }

    #[test]
    fn template_with_duplicate_label_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replace("labels = [\"备注\"]", "labels = [\"项目名称\"]");
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("is given to both"), "{e}");
    }

    #[test]
    fn text_layout_row_with_mixed_shapes_is_an_error() {
        // the first such pair is the text layout's (the checks follow)
        let bad = DEFAULT_TEMPLATE.replacen(
            "[\"start_date\", \"end_date\"]",
            "[\"start_date\", \"total_budget\"]",
            1,
        );
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("different shapes"), "{e}");
        let t = Template::builtin().unwrap();
        assert_eq!(t.row_partner("end_date"), Some(("start_date", false)));
    }

    #[test]
    fn label_and_value_in_one_cell_split_at_the_label() {
        let t = Template::builtin().unwrap();
        let (f, rest) = t.field_with_prefix("项目名称：市政务外网").unwrap();
        assert_eq!(
            (f.key.as_str(), rest.as_str()),
            ("project_name", "市政务外网")
        );
    }
}
