//! The templates a run reads with: every form is read with one of them,
//! chosen by its title and labels (`crate::place::choose`), or the one
//! `--template` forces. The store, the exports, the schema and `check`
//! follow the set's field registry: the union of its templates'
//! registries, each field once, in template order.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{BUILTIN_TEMPLATES, RecordField, Template};
use crate::error::{Error, Result};

/// A checked set of templates (at least one), in their `order`.
#[derive(Debug, Clone)]
pub struct Templates {
    list: Vec<Template>,
    /// The index of the template every form is read with (`--template`).
    forced: Option<usize>,
    /// The union of the templates' registries, built once.
    registry: Vec<RecordField>,
    /// The union of the templates' printed words, sorted.
    words: Vec<String>,
}

/// How a form's template was chosen ([`Templates::choose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateChoice {
    /// Forced (`--template`), or the set holds one template.
    Only(usize),
    /// By the title printed on the form's first page.
    Title(usize),
    /// By the most labels of a template found on the form's pages
    /// (the first in order on a tie).
    Labels(usize),
}

impl TemplateChoice {
    /// The chosen template's index in the set.
    pub fn index(self) -> usize {
        match self {
            TemplateChoice::Only(i) | TemplateChoice::Title(i) | TemplateChoice::Labels(i) => i,
        }
    }
}

#[derive(Deserialize)]
struct OrderOnly {
    #[serde(default)]
    order: i64,
}

fn order_of(text: &str) -> i64 {
    toml::from_str::<OrderOnly>(text).map_or(i64::MAX, |o| o.order)
}

/// The built-in template first in order: `(path, text)`.
pub(super) fn first_builtin() -> (&'static str, &'static str) {
    *BUILTIN_TEMPLATES
        .iter()
        .min_by_key(|(path, text)| (order_of(text), *path))
        .expect("templates/ holds a template")
}

impl Templates {
    /// The built-in templates (`templates/*.toml`).
    pub fn builtin() -> Result<Templates> {
        let list = BUILTIN_TEMPLATES
            .iter()
            .map(|(path, text)| Template::parse(text, Path::new(path)))
            .collect::<Result<Vec<_>>>()?;
        Templates::of(list, Path::new("templates/"))
    }

    /// Every `*.toml` of a directory.
    pub fn load_dir(dir: &Path) -> Result<Templates> {
        let err = |reason: String| Error::Template {
            file: dir.to_path_buf(),
            reason,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| err(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(err("no *.toml template in the directory".into()));
        }
        let list = paths
            .iter()
            .map(|p| Template::load(p))
            .collect::<Result<Vec<_>>>()?;
        Templates::of(list, dir)
    }

    /// A set of one template, which reads every form.
    pub fn one(t: Template) -> Templates {
        let name = PathBuf::from(&t.name);
        let mut set = Templates::of(vec![t], &name).expect("one checked template is a set");
        set.forced = Some(0);
        set
    }

    /// The set of `list`, checked: names unique; a field key two
    /// templates share has one shape in both (it is one store column);
    /// the templates naming a `form_year` name the same field.
    pub fn of(mut list: Vec<Template>, name: &Path) -> Result<Templates> {
        let err = |reason: String| Error::Template {
            file: name.to_path_buf(),
            reason,
        };
        if list.is_empty() {
            return Err(err("no template".into()));
        }
        list.sort_by(|a, b| (a.order, &a.name).cmp(&(b.order, &b.name)));
        let mut registry: Vec<RecordField> = Vec::new();
        for (i, t) in list.iter().enumerate() {
            if list[..i].iter().any(|o| o.name == t.name) {
                return Err(err(format!("two templates are named `{}`", t.name)));
            }
            for f in t.record_fields() {
                match registry.iter().find(|r| r.key == f.key) {
                    Some(r) if (r.kind, r.shape) != (f.kind, f.shape) => {
                        return Err(err(format!(
                            "field `{}` has another shape in template `{}` than before it",
                            f.key, t.name
                        )));
                    }
                    Some(_) => {}
                    None => registry.push(RecordField {
                        options: Vec::new(),
                        ..f.clone()
                    }),
                }
            }
        }
        // an option column allows every template's options
        for r in &mut registry {
            for t in &list {
                for o in t.record_field(&r.key).map_or(&[][..], |f| &f.options) {
                    if !r.options.contains(o) {
                        r.options.push(o.clone());
                    }
                }
            }
        }
        let years: Vec<&String> = list.iter().filter_map(|t| t.form_year.as_ref()).collect();
        if years.windows(2).any(|w| w[0] != w[1]) {
            return Err(err("the templates name different `form_year` fields".into()));
        }
        let with_years: Vec<&Template> = list.iter().filter(|t| t.years.is_some()).collect();
        if with_years
            .windows(2)
            .any(|w| w[0].years != w[1].years || w[0].form_key.len() != w[1].form_key.len())
        {
            return Err(err(
                "the templates with [years] differ in it or in their form_key's length".into(),
            ));
        }
        let mut words: Vec<String> = list
            .iter()
            .flat_map(|t| t.vocabulary().iter().cloned())
            .collect();
        words.sort();
        words.dedup();
        Ok(Templates {
            list,
            forced: None,
            registry,
            words,
        })
    }

    /// The templates, in order.
    pub fn list(&self) -> &[Template] {
        &self.list
    }

    /// The template named `name`.
    pub fn get(&self, name: &str) -> Option<&Template> {
        self.list.iter().find(|t| t.name == name)
    }

    /// The template at `i` ([`TemplateChoice::index`]).
    pub fn at(&self, i: usize) -> &Template {
        &self.list[i]
    }

    /// The first template in order: a golden record naming no template
    /// is one of its forms.
    pub fn first(&self) -> &Template {
        &self.list[0]
    }

    /// Reads every form with the template named `name` (`--template`).
    pub fn force(&mut self, name: &str) -> Result<()> {
        match self.list.iter().position(|t| t.name == name) {
            Some(i) => {
                self.forced = Some(i);
                Ok(())
            }
            None => Err(Error::Template {
                file: PathBuf::from(name),
                reason: format!(
                    "no such template; the templates are: {}",
                    self.names().collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    /// The template every form is read with, when one is forced or the
    /// set holds one.
    pub fn forced(&self) -> Option<usize> {
        self.forced.or((self.list.len() == 1).then_some(0))
    }

    /// The templates' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|t| t.name.as_str())
    }

    /// The union of the templates' field registries: each key once, in
    /// template order, an option field allowing every template's options.
    pub fn record_fields(&self) -> &[RecordField] {
        &self.registry
    }

    /// The first template with `[years]` (the set checks they agree).
    pub fn years_template(&self) -> Option<&Template> {
        self.list.iter().find(|t| t.years.is_some())
    }

    /// The field `form_year` names in the templates that name one.
    pub fn form_year(&self) -> Option<&str> {
        self.list.iter().find_map(|t| t.form_year.as_deref())
    }

    /// The printed words of every template (text holding none of them
    /// is no form's).
    pub fn vocabulary(&self) -> &[String] {
        &self.words
    }

    /// The template a text is read with (its [`super::label_key`], the
    /// white space dropped): the forced one; else the one whose title it
    /// holds (the longest title, when it holds several); else the one
    /// with the largest share of its fields' labels in it, the first in
    /// order on a tie.
    pub fn choose_by_text(&self, key: &str) -> TemplateChoice {
        if let Some(i) = self.forced() {
            return TemplateChoice::Only(i);
        }
        let titled = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, t)| key.contains(t.vocab().title.as_str()))
            .max_by_key(|(i, t)| (t.vocab().title.len(), std::cmp::Reverse(*i)));
        if let Some((i, _)) = titled {
            return TemplateChoice::Title(i);
        }
        TemplateChoice::Labels(self.by_labels(key))
    }

    /// The template with the largest share of its fields' labels in
    /// `key`, the first in order on a tie.
    pub fn by_labels(&self, key: &str) -> usize {
        if let Some(i) = self.forced() {
            return i;
        }
        // the labels' keys made at load, one per label variant
        let share = |t: &Template| {
            let mut found: Vec<&str> = t
                .labels()
                .filter(|(l, _)| key.contains(l))
                .map(|(_, f)| f.key.as_str())
                .collect();
            found.sort_unstable();
            found.dedup();
            found.len() as f64 / t.fields.len().max(1) as f64
        };
        let mut best = (0, 0.0);
        for (i, t) in self.list.iter().enumerate() {
            let s = share(t);
            if s > best.1 {
                best = (i, s);
            }
        }
        best.0
    }

    /// The record fields of the template named `name` (the first
    /// template's when `name` is `None`).
    pub fn fields_of(&self, name: Option<&str>) -> Option<&[RecordField]> {
        match name {
            Some(n) => self.get(n).map(Template::record_fields),
            None => Some(self.first().record_fields()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_load_as_a_set_with_the_first_in_order_first() {
        let set = Templates::builtin().unwrap();
        assert!(
            set.list().len() >= 2,
            "{:?}",
            set.names().collect::<Vec<_>>()
        );
        assert_eq!(set.first().name, Template::builtin().unwrap().name);
        let orders: Vec<i64> = set.list().iter().map(|t| t.order).collect();
        assert!(orders.is_sorted(), "{orders:?}");
        // the union holds each template's keys, each once
        for t in set.list() {
            for f in t.record_fields() {
                let n = set
                    .record_fields()
                    .iter()
                    .filter(|r| r.key == f.key)
                    .count();
                assert_eq!(n, 1, "{}", f.key);
            }
        }
    }

    #[test]
    fn a_key_with_two_shapes_in_a_set_is_an_error() {
        let a = Template::builtin().unwrap();
        let text = DEFAULT_TEXT
            .replace("name = \"shanghai-2019\"", "name = \"other\"")
            .replace(
                "key = \"remarks\"\nlabels = [\"备注\"]\nshape = \"paragraphs\"",
                "key = \"remarks\"\nlabels = [\"备注\"]\nshape = \"date\"",
            );
        let b = Template::parse(&text, Path::new("other.toml")).unwrap();
        let e = Templates::of(vec![a, b], Path::new("set")).unwrap_err();
        assert!(e.to_string().contains("another shape"), "{e}");
    }

    #[test]
    fn two_templates_of_one_name_are_an_error() {
        let a = Template::builtin().unwrap();
        let e = Templates::of(vec![a.clone(), a], Path::new("set")).unwrap_err();
        assert!(e.to_string().contains("two templates are named"), "{e}");
    }

    #[test]
    fn forcing_an_unknown_template_names_the_known_ones() {
        let mut set = Templates::builtin().unwrap();
        let e = set.force("no-such-form").unwrap_err().to_string();
        assert!(
            e.contains("no such template") && e.contains(&set.first().name),
            "{e}"
        );
        set.force(&set.first().name.clone()).unwrap();
        assert_eq!(set.forced(), Some(0));
    }

    static DEFAULT_TEXT: std::sync::LazyLock<&str> =
        std::sync::LazyLock::new(|| *super::super::DEFAULT_TEMPLATE);
}
