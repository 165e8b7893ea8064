//! What `check` prints and writes: the accuracy table, the diffs of wrong
//! fields, and golden files.

use super::*;

/// Writes records as a golden file: a JSON array holding only the content
/// keys ([`Fields`]), in record order, one table row a line, row keys in
/// table order (`target_parsed` as `op`, `value`, `unit`), so the file reads
/// and edits like the form. Missing keys are written as `null` (`[]` for
/// tables). Parses back ([`parse_records`]) to the same content.
pub fn to_golden_json(fields: &Fields, records: &[Value]) -> String {
    fn ordered(v: &Value, keys: &[&str]) -> String {
        match v.as_object() {
            Some(m) => {
                let mut parts: Vec<String> = keys
                    .iter()
                    // a null remark is left out: the forms without that column
                    .filter(|k| !(**k == "remark" && m.get(**k).is_none_or(Value::is_null)))
                    .map(|k| {
                        let x = m.get(*k).unwrap_or(&NULL);
                        let x = if *k == "target_parsed" && x.is_object() {
                            ordered(x, &["op", "value", "unit"])
                        } else {
                            x.to_string()
                        };
                        format!("{}: {x}", Value::from(*k))
                    })
                    .collect();
                // Keys outside the known order are kept, after the known ones.
                let mut rest: Vec<(&String, &Value)> = m
                    .iter()
                    .filter(|(k, _)| !keys.contains(&k.as_str()))
                    .collect();
                rest.sort_by(|a, b| a.0.cmp(b.0));
                parts.extend(
                    rest.into_iter()
                        .map(|(k, x)| format!("{}: {x}", Value::from(k.as_str()))),
                );
                format!("{{{}}}", parts.join(", "))
            }
            None => v.to_string(),
        }
    }
    let mut out = String::from("[");
    for (i, rec) in records.iter().enumerate() {
        out.push_str(if i == 0 { "\n  {" } else { ",\n  {" });
        // the record's template's fields; its name unless it is the first
        let template = rec.get("template").and_then(Value::as_str);
        let mut first = true;
        if let Some(t) = template.filter(|t| Some(*t) != fields.first_template()) {
            let _ = write!(out, "\n    \"template\": {}", Value::from(t));
            first = false;
        }
        for (field, kind) in fields.of_template(template) {
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            let v = rec.get(field).unwrap_or(&NULL);
            let _ = write!(out, "    {}: ", Value::from(field.as_str()));
            match kind {
                FieldKind::Table(keys) => {
                    let rows = rows_of(v);
                    if rows.is_empty() {
                        out.push_str("[]");
                    } else {
                        out.push('[');
                        for (k, row) in rows.iter().enumerate() {
                            out.push_str(if k == 0 { "\n      " } else { ",\n      " });
                            out.push_str(&ordered(row, keys));
                        }
                        out.push_str("\n    ]");
                    }
                }
                _ => out.push_str(&v.to_string()),
            }
        }
        out.push_str("\n  }");
    }
    out.push_str(if records.is_empty() { "]\n" } else { "\n]\n" });
    out
}

/// Terminal display width (Unicode East Asian Width: 2 for wide and
/// full-width characters).
pub(super) fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

pub(super) fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// At most `w` display columns of `s`, ending in `…` when cut.
pub(super) fn clip(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(c.encode_utf8(&mut [0; 4])) + 1 > w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub(super) fn percent(right: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        100.0 * right as f64 / total as f64
    }
}

/// Up to this many files, columns carry (clipped) file names and cells read
/// `ok`, `x` or `right/total`, with a row of per-file accuracy; beyond it,
/// each file is a one-character column (numbered in a vertical header, in
/// groups of ten) reading `✓`, `✗` or `~` (partly right), and a legend
/// after the table names each number with the file's accuracy.
pub const WIDE_FILES: usize = 8;

/// The accuracy table: one row per field (record order), one column per
/// file, a last column with the field's accuracy over all files, and a
/// final line `overall: N/M fields right (P%)`.
///
/// A cell is over all forms of the file: all right, none right, or partly
/// right. A file whose form count differs from the golden one is marked `*`.
pub fn render_table(fields: &Fields, files: &[(String, FileComparison)]) -> String {
    if files.len() > WIDE_FILES {
        return render_compact(fields, files);
    }
    let headers: Vec<String> = files
        .iter()
        .map(|(name, c)| {
            let star = if c.golden_forms != c.got_forms {
                "*"
            } else {
                ""
            };
            format!("{}{star}", clip(name, 14))
        })
        .collect();
    let col_w: Vec<usize> = headers.iter().map(|h| width(h).max(5)).collect();
    let first_w = first_width(fields);
    let mut out = String::new();
    let mut line = pad("field", first_w);
    for (h, w) in headers.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(h, *w));
    }
    line.push_str("  accuracy");
    out.push_str(&line);
    out.push('\n');
    for field in compared(fields, files) {
        let mut line = pad(field, first_w);
        for ((_, c), w) in files.iter().zip(&col_w) {
            let (r, t) = c.field_tally(field);
            let cell = match (r, t) {
                (_, 0) => "-".to_string(),
                (r, t) if r == t => "ok".to_string(),
                (0, _) => "x".to_string(),
                (r, t) => format!("{r}/{t}"),
            };
            line.push_str("  ");
            line.push_str(&pad(&cell, *w));
        }
        line.push_str("  ");
        line.push_str(&field_accuracy(files, field));
        out.push_str(&line);
        out.push('\n');
    }
    let mut line = pad("all fields", first_w);
    for ((_, c), w) in files.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(&format!("{:.0}%", percent(c.right(), c.total())), *w));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    let mut line = pad("silent", first_w);
    for ((_, c), w) in files.iter().zip(&col_w) {
        line.push_str("  ");
        line.push_str(&pad(&c.silent().to_string(), *w));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    if files.iter().any(|(_, c)| c.golden_forms != c.got_forms) {
        out.push('\n');
        for (name, c) in files.iter().filter(|(_, c)| c.golden_forms != c.got_forms) {
            let _ = writeln!(out, "{name}{}", count_note(c));
        }
    }
    out.push_str(&overall_line(files));
    out
}

/// The fields compared in any of the files (a set's templates' fields
/// that none of the files' forms has are left out), in record order.
pub(super) fn compared<'a>(
    fields: &'a Fields,
    files: &'a [(String, FileComparison)],
) -> impl Iterator<Item = &'a str> {
    fields
        .names()
        .filter(|f| files.iter().any(|(_, c)| c.field_tally(f).1 > 0))
}

pub(super) fn first_width(fields: &Fields) -> usize {
    fields
        .names()
        .map(|f| f.len())
        .max()
        .unwrap_or(0)
        .max("all fields".len())
}

pub(super) fn field_accuracy(files: &[(String, FileComparison)], field: &str) -> String {
    let (right, total) = files.iter().fold((0, 0), |(r, t), (_, c)| {
        let (fr, ft) = c.field_tally(field);
        (r + fr, t + ft)
    });
    format!("{right}/{total} {:.0}%", percent(right, total))
}

pub(super) fn overall_line(files: &[(String, FileComparison)]) -> String {
    let (right, total) = files
        .iter()
        .fold((0, 0), |(r, t), (_, c)| (r + c.right(), t + c.total()));
    let silent: usize = files.iter().map(|(_, c)| c.silent()).sum();
    format!(
        "overall: {right}/{total} fields right ({:.1}%), {silent} silent (wrong, no warning)\n",
        percent(right, total)
    )
}

/// The table for many files: one character per file.
pub(super) fn render_compact(fields: &Fields, files: &[(String, FileComparison)]) -> String {
    let first_w = first_width(fields);
    let n = files.len();
    let digits = n.to_string().len();
    // Columns of file i (0-based) with a space before every group of ten.
    let row = |cells: &mut dyn Iterator<Item = String>| -> String {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i % 10 == 0 && i > 0 {
                s.push(' ');
            }
            s.push_str(&c);
        }
        s
    };
    let mut out = String::new();
    for d in 0..digits {
        let mut cells = (1..=n).map(|i| {
            let num = format!("{i:>digits$}");
            num[d..d + 1].to_string()
        });
        let label = if d + 1 == digits { "field" } else { "" };
        let mut line = format!("{}  {}", pad(label, first_w), row(&mut cells));
        if d + 1 == digits {
            line.push_str("  accuracy");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for field in compared(fields, files) {
        let mut cells = files.iter().map(|(_, c)| {
            let (r, t) = c.field_tally(field);
            match (r, t) {
                (_, 0) => "-",
                (r, t) if r == t => "✓",
                (0, _) => "✗",
                _ => "~",
            }
            .to_string()
        });
        let _ = writeln!(
            out,
            "{}  {}  {}",
            pad(field, first_w),
            row(&mut cells),
            field_accuracy(files, field)
        );
    }
    out.push_str("\nfiles (✓ all forms right, ✗ none, ~ some, - no forms):\n");
    for (i, (name, c)) in files.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>w$}  {name}: {}/{} {:.0}%{}{}",
            i + 1,
            c.right(),
            c.total(),
            percent(c.right(), c.total()),
            match c.silent() {
                0 => String::new(),
                n => format!(", {n} silent"),
            },
            count_note(c),
            w = digits.max(3)
        );
    }
    out.push_str(&overall_line(files));
    out
}

pub(super) fn count_note(c: &FileComparison) -> String {
    if c.golden_forms == c.got_forms {
        String::new()
    } else {
        format!(
            " (* form count: golden {}, extracted {})",
            c.golden_forms, c.got_forms
        )
    }
}

/// Every wrong field with its diff, file by file.
pub fn render_diffs(files: &[(String, FileComparison)]) -> String {
    let mut out = String::new();
    for (name, c) in files {
        let wrong = c.total() - c.right();
        if wrong == 0 && c.golden_forms == c.got_forms {
            continue;
        }
        let _ = writeln!(
            out,
            "== {name}: {wrong} wrong of {} fields, {} of them silent",
            c.total(),
            c.silent()
        );
        if c.golden_forms != c.got_forms {
            let _ = writeln!(
                out,
                "form count: golden {}, extracted {}",
                c.golden_forms, c.got_forms
            );
        }
        for form in &c.forms {
            let label = match &form.label {
                Some(l) => format!(" ({l})"),
                None => String::new(),
            };
            if form.presence != FormPresence::Both {
                let what = match form.presence {
                    FormPresence::Missing => "missing from the extraction",
                    _ => "extra, not in the golden file",
                };
                let _ = writeln!(
                    out,
                    "form {}{label}: {what}: all {} fields wrong",
                    form.index + 1,
                    form.fields.len()
                );
                continue;
            }
            for r in form.fields.iter().filter(|r| !r.right) {
                let _ = writeln!(
                    out,
                    "form {}{label} {}{}: {}",
                    form.index + 1,
                    r.field,
                    if r.warned { " (warned)" } else { " (SILENT)" },
                    r.diff.as_deref().unwrap_or("differs")
                );
            }
        }
        out.push('\n');
    }
    out
}
