//! A form is data: no string literal in the library or the binary (tests
//! aside) names a text a template prints — a label, a header, an option, a
//! caption, a title. Such a text in code would tie the code to one form;
//! it belongs in `templates/*.toml`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every string of the built-in templates holding a CJK character and at
/// least two characters: the texts the forms print.
fn printed_texts() -> Vec<String> {
    fn walk(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::String(s) => {
                let cjk = s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                if cjk && s.chars().count() >= 2 {
                    out.push(s.clone());
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            toml::Value::Table(t) => t.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (_, text) in shenbao::template::BUILTIN_TEMPLATES {
        walk(&toml::from_str::<toml::Value>(text).unwrap(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// The code of a source file that is not a test: up to its `#[cfg(test)]`
/// module (last in every file here), comment lines dropped.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The string literals of some code (`"…"` and `r"…"`, no escapes needed
/// for this check).
fn literals(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

#[test]
fn no_string_literal_in_src_names_a_text_a_template_prints() {
    let texts = printed_texts();
    assert!(texts.len() > 100, "{} texts", texts.len());
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("tests.rs") {
            continue;
        }
        let code = code_of(path);
        for lit in literals(&code) {
            if let Some(t) = texts.iter().find(|t| lit.contains(t.as_str())) {
                offenders.push(format!("{}: {lit:?} names {t:?}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

#[test]
fn the_check_finds_a_label_in_a_literal() {
    let code = code_of_str("let x = \"项目名称\";\n// \"备注\" in a comment\nlet y = \"a\";");
    let lits = literals(&code);
    assert!(lits.contains(&"项目名称"), "{lits:?}");
    assert!(!lits.iter().any(|l| l.contains("备注")), "{lits:?}");
    assert!(printed_texts().iter().any(|t| t == "项目名称"));
}

fn code_of_str(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}
