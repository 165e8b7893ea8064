//! `shenbao review`: the report opens in headless Chromium with no
//! console error, draws one box per provenance entry of a form, and
//! marks a wrong field; a screenshot is written.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "chromium is missing (scripts/setup.sh installs it)"
    );
    found
}

/// The page as Chromium has it after its scripts ran, and what its
/// console said.
fn open(browser: &str, page: &Path, screenshot: Option<&Path>) -> (String, String) {
    let mut c = Command::new(browser);
    c.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
    ])
    .args([
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1400,1000",
    ]);
    match screenshot {
        Some(s) => c.arg(format!("--screenshot={}", s.display())),
        None => c.arg("--dump-dom"),
    };
    let out = c
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let console: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn report_opens_with_no_console_error_and_one_box_per_provenance_entry() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is missing");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // a wrong golden value, to be drawn as wrong
    let golden = dir.path().join("golden");
    std::fs::create_dir_all(&golden).unwrap();
    let g = std::fs::read_to_string(root().join("golden/synth-04.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&g).unwrap();
    v[0]["total_budget"] = serde_json::json!(1.5);
    std::fs::write(golden.join("synth-04.json"), v.to_string()).unwrap();
    let report = dir.path().join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args([
            "review",
            "fixtures/synth-04.pdf",
            "fixtures/text/2019-dsjzx-forms-1-3.txt",
        ])
        .args([
            "--out".as_ref(),
            report.as_os_str(),
            "--golden".as_ref(),
            golden.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    let form = index
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.starts_with("forms/"))
        .unwrap();
    // the record of synth-04, as extract writes it
    let rec = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(["extract", "-q", "fixtures/synth-04.pdf"])
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&rec.stdout).unwrap();
    let boxes = rec["provenance"].as_object().unwrap().len();
    assert!(boxes > 20);

    let (dom, console) = open(browser, &report.join("index.html"), None);
    assert_eq!(console, "", "index console");
    assert!(dom.contains("synth-04.pdf") && dom.contains("<select id=\"filter\""));
    let (dom, console) = open(browser, &report.join(form), None);
    assert_eq!(console, "", "form page console");
    assert_eq!(
        dom.matches("<rect data-field=").count(),
        boxes,
        "one box per provenance entry"
    );
    assert!(dom.contains("<rect data-field=\"indicators[3]\""));
    assert_eq!(
        dom.matches("<rect data-field=\"total_budget\" class=\"wrong\"")
            .count()
            + dom
                .matches("<rect data-field=\"total_budget\" class=\"silent\"")
                .count(),
        1,
        "the wrong golden value is drawn wrong"
    );
    // the dump's form page: its lines drawn by the script, the claimed ones marked
    let dump_form = index
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .filter(|h| h.starts_with("forms/"))
        .nth(1)
        .unwrap();
    let (dom, console) = open(browser, &report.join(dump_form), None);
    assert_eq!(console, "", "dump page console");
    assert!(
        dom.matches("class=\"line claimed\"").count() > 10,
        "claimed lines"
    );
    let shot = dir.path().join("form.png");
    open(browser, &report.join(form), Some(&shot));
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "screenshot"
    );
}

#[test]
fn parsing_report_counts_what_the_layout_found_and_the_page_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let file = "fixtures/producers/tuning/pt-06-wkhtmltopdf.pdf";
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(["review", file, "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("report.json")).unwrap())
            .unwrap();
    let r = &reports[0];
    assert_eq!(r["file"], file);
    assert_eq!(r["pages"], 5);
    assert_eq!(r["forms"], 2);
    assert!(r["cells"].as_u64().unwrap() > 100, "{r}");
    let joins = r["page_cut_joins"].as_u64().unwrap();
    assert!(joins > 0, "this producer cuts rows at page breaks: {r}");
    // every join and cell is drawn on some form page
    let drawn = |kind: &str| -> usize {
        std::fs::read_dir(report.join("forms"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .map(|html| html.matches(&format!("<rect data-kind=\"{kind}\"")).count())
            .sum()
    };
    assert!(drawn("join") as u64 >= joins);
    assert!(drawn("cell") as u64 >= r["cells"].as_u64().unwrap());
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(index.contains("How each file was read"));
    if let Some(browser) = chromium() {
        let form = index
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|h| h.starts_with("forms/"))
            .unwrap();
        let (dom, console) = open(browser, &report.join(form), None);
        assert_eq!(console, "");
        // cells hidden at first, joins shown (the toggles ran)
        assert!(dom.contains("class=\"mark cell\""));
        assert!(
            dom.contains("data-kind=\"cell\" class=\"mark cell\"")
                && dom.contains("style=\"display: none;\"")
        );
    }
}
