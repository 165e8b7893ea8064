//! The report's pages as HTML text.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::View;
use super::svg::escape;
use crate::out::check::FormComparison;
use crate::record::{Location, Record, Value};

/// One page's picture, for a form page.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// 1-based page number.
    pub page: usize,
    /// Page size in points.
    pub width: f64,
    /// Page size in points.
    pub height: f64,
    /// The picture.
    pub picture: Picture,
}

/// Where a page's picture is.
#[derive(Debug, Clone)]
pub enum Picture {
    /// An SVG drawing, an item of the report's packs (its key).
    Item(String),
    /// An image file, relative to the report.
    File(String),
}

/// What a form page shows.
pub(super) struct FormView<'a> {
    pub record: &'a Record,
    pub view: &'a View,
    pub comparison: Option<&'a FormComparison>,
    pub low_confidence: f64,
}

/// A provenance key's field: `indicators[3]` → `indicators`.
fn base(key: &str) -> &str {
    key.split('[').next().unwrap_or(key)
}

/// The state a field (or table row) is drawn in: with golden files,
/// `silent` or `wrong` first; then `warned`, `low` (OCR confidence), and
/// `right` (golden) or `read`.
fn state(v: &FormView<'_>, key: &str) -> &'static str {
    let r = v.record;
    let golden = v
        .comparison
        .and_then(|c| c.fields.iter().find(|f| f.field == base(key)));
    if let Some(g) = golden.filter(|g| !g.right) {
        return if g.silent() { "silent" } else { "wrong" };
    }
    let warned = r
        .warnings
        .iter()
        .any(|w| w.field == key || (!key.contains('[') && w.field == base(key)));
    if warned {
        return "warned";
    }
    let conf = r.ocr_confidence.as_ref().and_then(|c| c.get(key));
    if conf.is_some_and(|c| *c < v.low_confidence) {
        return "low";
    }
    if golden.is_some() { "right" } else { "read" }
}

/// A field's value as shown: text as is, other values as JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::Text(Some(t)) => t.clone(),
        v if v.is_empty() => "null".to_string(),
        v => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// The keys listed beside the pages: each field, and each table row
/// (`indicators[3]`) after its table.
fn listed_keys(r: &Record) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in &r.fields {
        match v {
            Value::Funding(rows) => {
                out.push((k.clone(), format!("{} rows", rows.len())));
                for (i, row) in rows.iter().enumerate() {
                    out.push((
                        format!("{k}[{i}]"),
                        serde_json::to_string(row).unwrap_or_default(),
                    ));
                }
            }
            Value::Indicators(rows) => {
                out.push((k.clone(), format!("{} rows", rows.len())));
                for (i, row) in rows.iter().enumerate() {
                    let mut text = [&row.level1, &row.level2, &row.level3, &row.target]
                        .map(|c| c.as_deref().unwrap_or("·"))
                        .join(" | ");
                    if let Some(remark) = &row.remark {
                        text.push_str(" | ");
                        text.push_str(remark);
                    }
                    out.push((format!("{k}[{i}]"), text));
                }
            }
            Value::Rows(rows) => {
                out.push((k.clone(), format!("{} rows", rows.len())));
                for (i, row) in rows.iter().enumerate() {
                    let text: Vec<&str> = row
                        .0
                        .iter()
                        .map(|(_, v)| v.as_deref().unwrap_or("·"))
                        .collect();
                    out.push((format!("{k}[{i}]"), text.join(" | ")));
                }
            }
            v => out.push((k.clone(), shown(v))),
        }
    }
    out
}

/// A form's title: its project name.
pub(super) fn form_title(r: &Record) -> &str {
    r.text("project_name").unwrap_or("(no project name)")
}

/// A form's page, the part the viewer (`form.html`) puts in its body:
/// its header, its pages (or dump) and its fields.
pub(super) fn form_body(v: &FormView<'_>) -> String {
    let r = v.record;
    let mut out = String::with_capacity(16 << 10);
    let _ = write!(
        out,
        "<header><a href=\"index.html\">index</a><h1>{}</h1><p>{} · form {} · pages {:?} · {} · {} warnings</p></header>\n<main class=\"form\">\n",
        escape(form_title(r)),
        escape(&r.source.file),
        r.source.form_index,
        r.source.pages,
        r.source.kind.as_str(),
        r.warnings.len()
    );
    out.push_str("<section class=\"pages\">\n");
    match v.view {
        View::Pages(sheets, marks) => pages(&mut out, v, sheets, marks),
        View::Dump(item) => dump(&mut out, r, item),
    }
    out.push_str("</section>\n");
    fields(&mut out, v);
    out.push_str("</main>\n");
    out
}

/// Toggles for the layout's marks (the script shows or hides them).
const TOGGLES: &str = "<div class=\"toggles\">show: <label><input type=\"checkbox\" data-kind=\"cell\"> cells</label> \
<label><input type=\"checkbox\" data-kind=\"join\" checked> page-cut joins</label> \
<label><input type=\"checkbox\" data-kind=\"orphan\" checked> unclaimed cells</label> \
<label><input type=\"checkbox\" data-kind=\"free\" checked> free text</label></div>\n";

/// The form's pages, each with the layout's marks under its fields' boxes.
fn pages(out: &mut String, v: &FormView<'_>, sheets: &[Sheet], marks: &[super::Mark]) {
    out.push_str(TOGGLES);
    let mut boxes: BTreeMap<usize, Vec<(&str, &crate::geom::BBox)>> = BTreeMap::new();
    for (k, loc) in &v.record.provenance {
        if let Location::Pdf { page, bbox } = loc {
            boxes.entry(*page).or_default().push((k, bbox));
        }
    }
    for s in sheets
        .iter()
        .filter(|s| v.record.source.pages.contains(&s.page))
    {
        let _ = write!(
            out,
            "<figure class=\"page\" data-page=\"{p}\"><div class=\"sheet\" style=\"aspect-ratio: {w:.1} / {h:.1}\">\
             <img {src} alt=\"page {p}\"><svg class=\"overlay\" viewBox=\"0 0 {w:.1} {h:.1}\" preserveAspectRatio=\"none\">",
            p = s.page,
            w = s.width,
            h = s.height,
            src = match &s.picture {
                Picture::Item(k) => format!("data-item=\"{}\"", escape(k)),
                Picture::File(f) => format!("src=\"{}\"", escape(f)),
            }
        );
        let form_pages = &v.record.source.pages;
        for m in marks.iter().filter(|m| m.page == s.page) {
            if m.form_pages.as_ref().is_some_and(|p| p != form_pages) {
                continue;
            }
            let _ = write!(
                out,
                "<rect data-kind=\"{k}\" class=\"mark {k}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\">",
                m.bbox.x0,
                m.bbox.top,
                (m.bbox.x1 - m.bbox.x0).max(0.5),
                (m.bbox.bottom - m.bbox.top).max(0.5),
                k = m.kind,
            );
            // a cell's text is on the drawing; the others say what they are
            match m.kind {
                "cell" => out.push_str("</rect>"),
                k => {
                    let _ = write!(out, "<title>{k}: {}</title></rect>", escape(&m.text));
                }
            }
        }
        for (k, b) in boxes.get(&s.page).into_iter().flatten() {
            let _ = write!(
                out,
                "<rect data-field=\"{k}\" class=\"{st}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{k}</title></rect>",
                b.x0,
                b.top,
                (b.x1 - b.x0).max(0.5),
                (b.bottom - b.top).max(0.5),
                k = escape(k),
                st = state(v, k)
            );
        }
        let _ = writeln!(
            out,
            "</svg></div><figcaption>page {}</figcaption></figure>",
            s.page
        );
    }
}

/// A dump's lines (an item of the packs, drawn by the script), the lines
/// each field came from.
fn dump(out: &mut String, r: &Record, item: &str) {
    let claims: BTreeMap<&str, [usize; 2]> = r
        .provenance
        .iter()
        .filter_map(|(k, loc)| match loc {
            Location::Text { line, line_end } => Some((k.as_str(), [*line, *line_end])),
            Location::Pdf { .. } => None,
        })
        .collect();
    let claims = serde_json::to_string(&claims).unwrap_or_default();
    let _ = writeln!(
        out,
        "<pre class=\"dump\" data-item=\"{}\" data-claims=\"{}\"></pre>",
        escape(item),
        escape(&claims)
    );
}

/// The record's fields: value, warnings, OCR confidence, golden result.
fn fields(out: &mut String, v: &FormView<'_>) {
    let r = v.record;
    out.push_str("<section class=\"fields\"><table><thead><tr><th>field</th><th>value</th><th>state</th></tr></thead><tbody>\n");
    for (key, value) in listed_keys(r) {
        let st = state(v, &key);
        let _ = write!(
            out,
            "<tr data-field=\"{k}\"><th>{k}</th><td class=\"value\">{}",
            escape(&value),
            k = escape(&key)
        );
        for w in r.warnings.iter().filter(|w| w.field == key) {
            let _ = write!(
                out,
                "<div class=\"warn\">{}: {}</div>",
                escape(&w.code),
                escape(&w.message)
            );
        }
        if let Some(g) = v
            .comparison
            .and_then(|c| c.fields.iter().find(|f| f.field == key))
            .and_then(|f| f.diff.as_ref())
        {
            let _ = write!(out, "<div class=\"warn\">golden: {}</div>", escape(g));
        }
        let conf = r.ocr_confidence.as_ref().and_then(|c| c.get(&key));
        let conf = conf.map_or(String::new(), |c| format!(" {c:.2}"));
        let _ = writeln!(
            out,
            "</td><td><span class=\"state {st}\">{st}</span>{conf}</td></tr>"
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The index of every file and form, then every file's parsing report.
pub(super) fn index_page(rows: &[super::IndexRow], reports: &[super::ParseReport]) -> String {
    let mut out = String::with_capacity(rows.len() * 300 + 4096);
    out.push_str(
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>shenbao review</title>\
         <link rel=\"stylesheet\" href=\"review.css\"></head><body>\n",
    );
    let forms = rows.iter().filter(|r| r.form.is_some()).count();
    let failed = rows.len() - forms;
    let _ = writeln!(
        out,
        "<header><h1>shenbao review</h1><p>{forms} forms, {failed} files failed</p></header>"
    );
    let mut codes: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.codes.iter().map(String::as_str))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    out.push_str("<div class=\"controls\">show <select id=\"filter\"><option value=\"\">all</option><option value=\"failed\">failed files</option><option value=\"warnings\">forms with warnings</option>");
    for c in &codes {
        let _ = write!(out, "<option value=\"{c}\">{c}</option>", c = escape(c));
    }
    out.push_str("</select></div>\n");
    let golden = rows.iter().any(|r| r.golden.is_some());
    out.push_str("<table class=\"index\"><thead><tr><th>file</th><th>form</th><th>project</th><th>status</th><th>warnings</th><th>OCR pages</th>");
    if golden {
        out.push_str("<th>right</th><th>wrong</th><th>silent</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        let mut codes = r.codes.clone();
        codes.sort_unstable();
        codes.dedup();
        let link = match (&r.href, &r.project) {
            (Some(h), p) => format!(
                "<a href=\"{}\">{}</a>",
                escape(h),
                escape(p.as_deref().unwrap_or("(no project name)"))
            ),
            (None, _) => escape(r.reason.as_deref().unwrap_or("")),
        };
        let _ = write!(
            out,
            "<tr data-status=\"{st}\" data-codes=\"{}\"><td>{}</td><td>{}</td><td>{link}</td><td><span class=\"state {st}\">{st}</span></td><td data-v=\"{}\" title=\"{}\">{}</td><td>{}</td>",
            escape(&codes.join(" ")),
            escape(&r.file),
            r.form.map_or(String::new(), |f| f.to_string()),
            r.codes.len(),
            escape(&codes.join(", ")),
            r.codes.len(),
            r.ocr_pages,
            st = r.status,
        );
        if golden {
            match r.golden {
                Some((right, wrong, silent)) => {
                    let _ = write!(out, "<td>{right}</td><td>{wrong}</td><td>{silent}</td>");
                }
                None => out.push_str("<td></td><td></td><td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    parse_reports(&mut out, reports);
    out.push_str("<script src=\"review.js\"></script></body></html>\n");
    out
}

/// Per file how it was read (also in `report.json`).
fn parse_reports(out: &mut String, reports: &[super::ParseReport]) {
    out.push_str("<h2>How each file was read</h2><table class=\"index reports\"><thead><tr><th>file</th><th>pages</th><th>tables</th><th>cells</th><th>unclaimed cells</th><th>free lines unused</th><th>page-cut joins</th><th>OCR pages</th><th>OCR confidence</th><th>forms</th><th>ms</th><th>error</th></tr></thead><tbody>\n");
    for r in reports {
        let conf = r
            .ocr_mean_confidence
            .map_or(String::new(), |c| format!("{c:.3}"));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{conf}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.file),
            r.pages,
            r.tables,
            r.cells,
            r.cells_unassigned,
            r.free_lines_unused,
            r.page_cut_joins,
            r.ocr_pages,
            r.forms,
            r.elapsed_ms,
            escape(r.error.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</tbody></table>\n");
}
