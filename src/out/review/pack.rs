//! Packs: the report's form pages, page drawings and dump lines, written
//! gzip-compressed in groups (`packs/N.js`, each a script calling
//! `shenbaoPack(N, "<base64 of the gzip of a JSON object>")`), which the
//! viewer (`form.html#N/ID`) loads and opens with the browser's own
//! `DecompressionStream`. A script, not a fetch: pages opened from the
//! file system may load scripts but not read files.
//!
//! Forms are packed in order of their project name, so a pack holds
//! forms alike (the same project read from several files, the copies of
//! an archive), whose text gzip's 32 KiB window finds again: the
//! bundled fixtures' 57 MB of form pages, drawings and dump lines become
//! a few MB. Each drawing or dump is written once, into the pack of the
//! first form that shows it; a form names the other packs it needs.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

/// A form's page, before packing.
#[derive(Debug, Clone)]
pub struct FormOut {
    /// Its id in the viewer's address (`form.html#PACK/ID`).
    pub id: String,
    /// What forms are packed in order of: project name, file, form index.
    pub order: (String, String, usize),
    /// The page's title.
    pub title: String,
    /// The page's body ([`super::html::form_body`]).
    pub body: String,
    /// The items (drawings, dumps) the body shows, by key.
    pub refs: Vec<String>,
}

/// One pack as the viewer reads it: `forms` by id, `items` by key, each
/// in packing order (forms alike next to each other, for gzip).
#[derive(Serialize)]
struct PackJson<'a> {
    forms: InOrder<'a, FormJson<'a>>,
    items: InOrder<'a, &'a str>,
}

/// A JSON object whose members are written in the order given.
struct InOrder<'a, V>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for InOrder<'_, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
struct FormJson<'a> {
    title: &'a str,
    body: &'a str,
    /// Items held by other packs: key → pack.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    needs: BTreeMap<&'a str, usize>,
}

/// Which forms and items go into which pack.
#[derive(Debug, Default, PartialEq)]
struct Plan {
    forms: Vec<usize>,
    items: Vec<String>,
}

/// Cuts `forms` (in packing order) into packs: a pack is closed once its
/// forms and the items first shown by them reach `max_bytes` (before
/// compression). Returns the packs and each item's pack.
fn plan(
    forms: &[FormOut],
    item_len: impl Fn(&str) -> usize,
    max_bytes: usize,
) -> (Vec<Plan>, HashMap<String, usize>) {
    let mut plans = vec![Plan::default()];
    let mut home = HashMap::new();
    let mut bytes = 0;
    for (i, f) in forms.iter().enumerate() {
        if bytes >= max_bytes {
            plans.push(Plan::default());
            bytes = 0;
        }
        let n = plans.len() - 1;
        plans[n].forms.push(i);
        bytes += f.body.len();
        for r in &f.refs {
            if !home.contains_key(r) {
                home.insert(r.clone(), n);
                plans[n].items.push(r.clone());
                bytes += item_len(r);
            }
        }
    }
    (plans, home)
}

/// Writes the packs of `forms` into `out/packs/`; `items` holds every
/// item a form refers to. Returns each form's address in the viewer
/// (`form.html#PACK/ID`), by form id.
pub fn write_packs(
    out: &Path,
    mut forms: Vec<FormOut>,
    items: &HashMap<String, String>,
    max_bytes: usize,
) -> io::Result<HashMap<String, String>> {
    let dir = out.join("packs");
    std::fs::create_dir_all(&dir)?;
    forms.sort_by(|a, b| a.order.cmp(&b.order));
    let item_len = |k: &str| items.get(k).map_or(0, String::len);
    let (plans, home) = plan(&forms, item_len, max_bytes);
    plans.par_iter().enumerate().try_for_each(|(n, p)| {
        let json = pack_json(n, p, &forms, items, &home)?;
        std::fs::write(dir.join(format!("{n}.js")), pack_script(n, &json)?)
    })?;
    let mut addr = HashMap::new();
    for (n, p) in plans.iter().enumerate() {
        for &i in &p.forms {
            addr.insert(
                forms[i].id.clone(),
                format!("form.html#{n}/{}", forms[i].id),
            );
        }
    }
    Ok(addr)
}

/// Pack `n`'s JSON text.
fn pack_json(
    n: usize,
    p: &Plan,
    forms: &[FormOut],
    items: &HashMap<String, String>,
    home: &HashMap<String, usize>,
) -> io::Result<String> {
    let forms = p
        .forms
        .iter()
        .map(|&i| {
            let f = &forms[i];
            let needs = f
                .refs
                .iter()
                .filter_map(|r| home.get(r).filter(|&&h| h != n).map(|&h| (r.as_str(), h)))
                .collect();
            let json = FormJson {
                title: &f.title,
                body: &f.body,
                needs,
            };
            (f.id.as_str(), json)
        })
        .collect();
    let items = p
        .items
        .iter()
        .filter_map(|k| items.get(k).map(|v| (k.as_str(), v.as_str())))
        .collect();
    let (forms, items) = (InOrder(forms), InOrder(items));
    serde_json::to_string(&PackJson { forms, items }).map_err(io::Error::from)
}

/// `shenbaoPack(N, "<base64 of gzip(json)>");`
pub fn pack_script(n: usize, json: &str) -> io::Result<String> {
    use base64::Engine;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(json.as_bytes())?;
    let bytes = gz.finish()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(format!("shenbaoPack({n}, \"{b64}\");\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str, body: usize, refs: &[&str]) -> FormOut {
        FormOut {
            id: id.into(),
            order: (id.into(), String::new(), 0),
            title: id.into(),
            body: "x".repeat(body),
            refs: refs.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn a_pack_closes_at_its_size_and_an_item_lives_in_the_first_pack_showing_it() {
        let forms = [
            form("a", 60, &["p1"]),
            form("b", 30, &["p1", "p2"]),
            form("c", 10, &["p2"]),
        ];
        let (plans, home) = plan(&forms, |_| 20, 100);
        // a (60) + p1 (20) + b (30) + p2 (20) = 130 ≥ 100: c starts pack 1
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].forms, vec![0, 1]);
        assert_eq!(plans[0].items, vec!["p1", "p2"]);
        assert_eq!(plans[1].forms, vec![2]);
        assert!(plans[1].items.is_empty());
        assert_eq!(home["p2"], 0);
    }

    #[test]
    fn a_pack_script_holds_the_gzip_of_its_json_in_base64() {
        use base64::Engine;
        use std::io::Read;
        let json = r#"{"forms":{},"items":{"k":"项目名称"}}"#;
        let script = pack_script(7, json).unwrap();
        let b64 = script
            .strip_prefix("shenbaoPack(7, \"")
            .and_then(|s| s.strip_suffix("\");\n"))
            .unwrap();
        let gz = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, json);
    }
}
