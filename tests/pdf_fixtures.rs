//! The backend on the fixture PDFs (`fixtures/*.pdf` with truth in
//! `golden/*.json`, brought in by the fixtures branch): every text field of
//! every golden record must appear, whitespace aside, in the glyph text of
//! the PDF in content-stream order. Skipped when the folders are absent;
//! `SHENBAO_FIXTURES=/path/to/repo` points elsewhere.

use std::path::PathBuf;

use shenbao::read::pdf::{PdfSettings, read_pages};

use shenbao::text::strip_whitespace as strip;

fn texts(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(strip(s)),
        serde_json::Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                // Dates and parsed targets are normalized, not printed as is.
                if !matches!(
                    k.as_str(),
                    "start_date" | "end_date" | "target_parsed" | "project_type" | "fund_use"
                ) {
                    texts(x, out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn fixture_pdfs_contain_every_golden_text_field() {
    let root = std::env::var("SHENBAO_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let dir = std::fs::read_dir(root.join("fixtures"))
        .unwrap_or_else(|e| panic!("no fixtures/ under {}: {e}", root.display()));
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in dir {
        let pdf = entry.unwrap().path();
        if pdf.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let golden = root
            .join("golden")
            .join(pdf.file_stem().unwrap())
            .with_extension("json");
        let Ok(g) = std::fs::read_to_string(&golden) else {
            continue;
        };
        let g: serde_json::Value = serde_json::from_str(&g).unwrap();
        let bytes = std::fs::read(&pdf).unwrap();
        let pages = read_pages(&pdf, &bytes, &PdfSettings::default()).unwrap();
        assert!(
            pages.iter().all(|p| !p.edges.is_empty()),
            "{}: a page without rulings",
            pdf.display()
        );
        let all: String = pages
            .iter()
            .flat_map(|p| p.glyphs.iter().map(|g| g.ch))
            .collect();
        let all = strip(&all);
        let mut want = Vec::new();
        texts(&g, &mut want);
        for w in want.iter().filter(|w| !w.is_empty()) {
            checked += 1;
            if !all.contains(w.as_str()) {
                failures.push(format!(
                    "{}: {:?}",
                    pdf.display(),
                    w.chars().take(40).collect::<String>()
                ));
            }
        }
    }
    eprintln!("{checked} golden text fields checked");
    assert!(
        failures.is_empty(),
        "{} missing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
