//! The form template: labels, their variants, the field each fills and the
//! shape of its value, kept as data (`templates/form.toml`) and checked when
//! loaded.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::text::NORMAL_OPERATORS;

/// The template shipped with shenbao.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/form.toml");
const DEFAULT_TEMPLATE_NAME: &str = "templates/form.toml (built in)";

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
    Date,
    Money,
    FundingTable,
    IndicatorTable,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The record field this fills.
    pub key: String,
    pub labels: Vec<String>,
    pub shape: Shape,
    /// A missing label or an empty value gives a warning.
    #[serde(default)]
    pub required: bool,
    /// For `option` fields: the options as printed.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub title: String,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingColumns {
    pub name: Vec<String>,
    pub amount: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumns {
    pub level1: Vec<String>,
    pub level2: Vec<String>,
    pub level3: Vec<String>,
    pub target: Vec<String>,
}

/// What the indicator table's cells hold (their values, not the column
/// headers).
#[derive(Debug, Clone, Deserialize)]
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

/// A target suffix ([`IndicatorValues`]) with its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSuffix {
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
}

/// A loaded and checked template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub header: Header,
    pub checkbox: Checkbox,
    pub funding_table: FundingColumns,
    pub indicator_table: IndicatorColumns,
    pub indicator_values: IndicatorValues,
    #[serde(default)]
    pub text_layout: TextLayout,
    pub fields: Vec<FieldSpec>,
    /// Normalized label to index in `fields`.
    #[serde(skip)]
    label_index: HashMap<String, usize>,
    /// [`Template::vocabulary`], built once at load.
    #[serde(skip)]
    vocabulary: Vec<String>,
    /// [`Template::target_suffixes`], built once at load.
    #[serde(skip)]
    target_suffixes: Vec<TargetSuffix>,
}

/// The shape each record field must have.
const FIELD_SHAPES: &[(&str, &[Shape])] = &[
    ("project_name", &[Shape::Line, Shape::Paragraphs]),
    ("project_type", &[Shape::Option]),
    ("fund_use", &[Shape::Option]),
    ("start_date", &[Shape::Date]),
    ("end_date", &[Shape::Date]),
    ("overview", &[Shape::Paragraphs, Shape::Line]),
    ("basis", &[Shape::Paragraphs, Shape::Line]),
    ("necessity", &[Shape::Paragraphs, Shape::Line]),
    ("safeguards", &[Shape::Paragraphs, Shape::Line]),
    ("total_budget", &[Shape::Money]),
    ("current_year_budget", &[Shape::Money]),
    ("prior_year_budget", &[Shape::Money]),
    ("prior_year_spent", &[Shape::Money]),
    ("funding_components", &[Shape::FundingTable]),
    ("implementation_plan", &[Shape::Paragraphs, Shape::Line]),
    ("overall_goal", &[Shape::Paragraphs, Shape::Line]),
    ("annual_goal", &[Shape::Paragraphs, Shape::Line]),
    ("indicators", &[Shape::IndicatorTable]),
    ("remarks", &[Shape::Paragraphs, Shape::Line]),
];

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
        Template::parse(DEFAULT_TEMPLATE, Path::new(DEFAULT_TEMPLATE_NAME))
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
            let Some((_, shapes)) = FIELD_SHAPES.iter().find(|(k, _)| *k == f.key) else {
                return Err(err(format!("unknown field key `{}`", f.key)));
            };
            if !shapes.contains(&f.shape) {
                return Err(err(format!(
                    "field `{}` cannot have shape {:?}",
                    f.key, f.shape
                )));
            }
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
        for (k, _) in FIELD_SHAPES {
            if !seen_keys.contains_key(*k) {
                return Err(err(format!("field `{k}` is missing")));
            }
        }
        let lists: [(&str, &Vec<String>); 11] = [
            ("header.unit_labels", &t.header.unit_labels),
            ("checkbox.ticked", &t.checkbox.ticked),
            ("checkbox.unticked", &t.checkbox.unticked),
            ("checkbox.ocr_ticked", &t.checkbox.ocr_ticked),
            ("checkbox.ocr_unticked", &t.checkbox.ocr_unticked),
            (
                "indicator_values.level_names",
                &t.indicator_values.level_names,
            ),
            ("funding_table.name", &t.funding_table.name),
            ("funding_table.amount", &t.funding_table.amount),
            ("indicator_table.level1", &t.indicator_table.level1),
            ("indicator_table.level3", &t.indicator_table.level3),
            ("indicator_table.target", &t.indicator_table.target),
        ];
        for (name, list) in lists {
            if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
                return Err(err(format!(
                    "`{name}` must list at least one non-empty entry"
                )));
            }
        }
        if t.indicator_table.level2.is_empty() {
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
        t.vocabulary = t.build_vocabulary();
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
    /// [`Checkbox::ocr_unticked`]), and whether it is ticked.
    pub fn ocr_checkbox(&self, c: char) -> Option<bool> {
        let is = |list: &Vec<String>| list.iter().any(|s| s.chars().eq(std::iter::once(c)));
        if is(&self.checkbox.ocr_unticked) {
            Some(false)
        } else if is(&self.checkbox.ocr_ticked) {
            Some(true)
        } else {
            None
        }
    }

    /// The form's printed words as label keys ([`label_key`]): the title,
    /// the unit, field, funding and indicator column labels. Text holding
    /// none of them is not this form's (a page's garbage text layer).
    pub fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }

    fn build_vocabulary(&self) -> Vec<String> {
        let mut v: Vec<String> = std::iter::once(&self.header.title)
            .chain(&self.header.unit_labels)
            .chain(&self.funding_table.name)
            .chain(&self.funding_table.amount)
            .chain(&self.indicator_table.level1)
            .chain(&self.indicator_table.level2)
            .chain(&self.indicator_table.level3)
            .chain(&self.indicator_table.target)
            .map(|s| label_key(s))
            .chain(self.label_index.keys().cloned())
            .filter(|k| k.chars().count() >= 2)
            .collect();
        v.sort();
        v.dedup();
        v
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_template_loads_and_covers_every_field() {
        let t = Template::builtin().unwrap();
        assert_eq!(t.fields.len(), FIELD_SHAPES.len());
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
    fn template_with_unknown_key_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replace("key = \"remarks\"", "key = \"remark\"");
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("unknown field key `remark`"), "{e}");
    }

    #[test]
    fn template_with_wrong_shape_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replacen("shape = \"money\"", "shape = \"date\"", 1);
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("cannot have shape"), "{e}");
    }

    #[test]
    fn template_with_duplicate_label_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replace("labels = [\"备注\"]", "labels = [\"项目名称\"]");
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("is given to both"), "{e}");
    }

    #[test]
    fn text_layout_row_with_mixed_shapes_is_an_error() {
        let bad = DEFAULT_TEMPLATE.replace(
            "[\"start_date\", \"end_date\"]",
            "[\"start_date\", \"total_budget\"]",
        );
        let e = Template::parse(&bad, Path::new("bad.toml")).unwrap_err();
        assert!(e.to_string().contains("different shapes"), "{e}");
        let t = Template::builtin().unwrap();
        assert_eq!(t.row_partner("end_date"), Some(("start_date", false)));
    }

    #[test]
    fn template_missing_a_field_is_an_error() {
        let cut = DEFAULT_TEMPLATE
            .rsplit_once("[[fields]]")
            .map(|(a, _)| a)
            .unwrap();
        let e = Template::parse(cut, Path::new("cut.toml")).unwrap_err();
        assert!(e.to_string().contains("field `remarks` is missing"), "{e}");
    }

    #[test]
    fn indicator_values_are_checked_at_load() {
        let t = Template::builtin().unwrap();
        let suffixes: Vec<(&str, &str)> = t
            .target_suffixes()
            .iter()
            .map(|s| (s.suffix.as_str(), s.op))
            .collect();
        assert_eq!(
            suffixes,
            [
                ("及以下", "≤"),
                ("及以上", "≥"),
                ("以下", "≤"),
                ("以内", "≤"),
                ("以上", "≥")
            ]
        );
        assert_eq!(t.indicator_values.level_names.len(), 19);
        let bad = |from: &str, to: &str| {
            let text = DEFAULT_TEMPLATE.replace(from, to);
            assert_ne!(text, DEFAULT_TEMPLATE, "{from}");
            Template::parse(&text, Path::new("bad.toml"))
                .unwrap_err()
                .to_string()
        };
        let e = bad(r#""≥" = ["#, r#""≧" = ["#);
        assert!(
            e.contains("`≧` is not an operator (one of ≥ ≤ > < =)"),
            "{e}"
        );
        let e = bad(r#""≥" = ["及以上", "以上"]"#, r#""≥" = ["及以上", "以内"]"#);
        assert!(e.contains("`以内` is listed twice"), "{e}");
        let e = bad(r#""满意度", "#, r#""满意度", "满意度", "#);
        assert!(e.contains("`满意度` is listed twice"), "{e}");
        let e = bad("[indicator_values]", "[indicator_valuez]");
        assert!(e.contains("indicator_values"), "{e}");
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
