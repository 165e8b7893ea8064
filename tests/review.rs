//! `shenbao review`: the report opens in headless Chromium with no
//! console error, draws one box per provenance entry of a form, and
//! marks a wrong field; a screenshot is written.

mod common;

use common::hostile;
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

/// The page (with `#fragment`, may be empty) as Chromium has it after its
/// scripts ran, and what its console said.
fn open(browser: &str, page: &Path, fragment: &str, screenshot: Option<&Path>) -> (String, String) {
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
        // the form pages are drawn once their packs are decompressed
        "--virtual-time-budget=10000",
    ]);
    match screenshot {
        Some(s) => c.arg(format!("--screenshot={}", s.display())),
        None => c.arg("--dump-dom"),
    };
    let out = c
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .unwrap();
    let console: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// The index's links to form pages: their `#PACK/ID` fragments.
fn form_links(index: &str) -> Vec<&str> {
    index
        .split("href=\"form.html")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect()
}

/// Every form page's body, read from the report's packs.
fn form_bodies(report: &Path) -> Vec<String> {
    use base64::Engine;
    use std::io::Read;
    let mut out = Vec::new();
    for e in std::fs::read_dir(report.join("packs")).unwrap() {
        let script = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let b64 = script.split('"').nth(1).unwrap();
        let gz = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let mut json = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut json)
            .unwrap();
        let pack: serde_json::Value = serde_json::from_str(&json).unwrap();
        for f in pack["forms"].as_object().unwrap().values() {
            out.push(f["body"].as_str().unwrap().to_string());
        }
    }
    out
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
    let forms = form_links(&index);
    let form = forms[0];
    // the record of synth-04, as extract writes it
    let rec = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(["extract", "-q", "fixtures/synth-04.pdf"])
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&rec.stdout).unwrap();
    let boxes = rec["provenance"].as_object().unwrap().len();
    assert!(boxes > 20);

    let (dom, console) = open(browser, &report.join("index.html"), "", None);
    assert_eq!(console, "", "index console");
    assert!(dom.contains("synth-04.pdf") && dom.contains("<select id=\"filter\""));
    let (dom, console) = open(browser, &report.join("form.html"), form, None);
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
    let (dom, console) = open(browser, &report.join("form.html"), forms[1], None);
    assert_eq!(console, "", "dump page console");
    assert!(
        dom.matches("class=\"line claimed\"").count() > 10,
        "claimed lines"
    );
    let shot = dir.path().join("form.png");
    open(browser, &report.join("form.html"), form, Some(&shot));
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
    let bodies = form_bodies(&report);
    assert_eq!(bodies.len(), 2);
    let drawn = |kind: &str| -> usize {
        bodies
            .iter()
            .map(|html| html.matches(&format!("<rect data-kind=\"{kind}\"")).count())
            .sum()
    };
    assert!(drawn("join") as u64 >= joins);
    assert!(drawn("cell") as u64 >= r["cells"].as_u64().unwrap());
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(index.contains("How each file was read"));
    if let Some(browser) = chromium() {
        let form = form_links(&index)[0];
        let (dom, console) = open(browser, &report.join("form.html"), form, None);
        assert_eq!(console, "");
        // cells hidden at first, joins shown (the toggles ran)
        assert!(dom.contains("class=\"mark cell\""));
        assert!(
            dom.contains("data-kind=\"cell\" class=\"mark cell\"")
                && dom.contains("style=\"display: none;\"")
        );
    }
}

/// Hovering a field's row highlights its box on the page and hovering the
/// box highlights the row; a page beside the report's own form page
/// (`form.html` plus a script that hovers once the viewer has marked the
/// form drawn, `data-drawn`) tells
/// what it saw in its body's `data-seen`.
#[test]
fn hovering_a_field_highlights_its_box_and_the_reverse() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is missing");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .current_dir(root())
        .args(["review", "fixtures/synth-04.pdf", "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.success());
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    let form = form_links(&index)[0];
    let probe = r#"<script>
(function wait() {
  if (!document.querySelector('#form[data-drawn]')) { setTimeout(wait, 50); return; }
  var row = document.querySelector('tr[data-field="unit"]');
  var box = document.querySelector('rect[data-field="unit"]');
  var seen = [];
  row.dispatchEvent(new MouseEvent('mouseenter'));
  seen.push('row-box:' + box.classList.contains('hl'));
  row.dispatchEvent(new MouseEvent('mouseleave'));
  seen.push('left:' + box.classList.contains('hl'));
  box.dispatchEvent(new MouseEvent('mouseenter'));
  seen.push('box-row:' + row.classList.contains('hl'));
  document.body.setAttribute('data-seen', seen.join(' '));
})();
</script></body>"#;
    let page = std::fs::read_to_string(report.join("form.html"))
        .unwrap()
        .replace("</body>", probe);
    std::fs::write(report.join("probe.html"), page).unwrap();
    let (dom, console) = open(browser, &report.join("probe.html"), form, None);
    assert_eq!(console, "");
    assert!(
        dom.contains(r#"data-seen="row-box:true left:false box-row:true""#),
        "{}",
        dom.lines().find(|l| l.contains("<body")).unwrap_or("")
    );
}

#[test]
fn a_report_written_twice_has_the_same_packs() {
    let dir = tempfile::tempdir().unwrap();
    // 15 files, about 20 forms: two packs or more
    let files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/producers/tuning"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| *p.file_name().unwrap().to_string_lossy() < *"pf-04")
        .collect();
    assert_eq!(files.len(), 15);
    let write = |name: &str| -> Vec<(String, Vec<u8>)> {
        let report = dir.path().join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
            .arg("review")
            .args(&files)
            .arg(root().join("fixtures/text"))
            .arg("--out")
            .arg(&report)
            .output()
            .unwrap();
        assert!(out.status.success());
        let mut packs: Vec<(String, Vec<u8>)> = std::fs::read_dir(report.join("packs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        packs.sort();
        packs
    };
    let a = write("a");
    assert!(a.len() > 1, "several packs");
    assert!(a == write("b"), "the same packs");
}

#[test]
fn a_file_past_its_time_limit_is_a_failed_row_and_the_report_goes_on() {
    // 3.6 million glyphs: 7 s to read with no limit
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.pdf");
    std::fs::write(&slow, hostile::slow_pages(9, 8000)).unwrap();
    let report = dir.path().join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["review", "--timeout", "0.05", "--page-timeout", "0"])
        .arg(&slow)
        .arg(root().join("fixtures/synth-04.pdf"))
        .arg("--out")
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.success());
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(index.contains("timeout: "), "the failed row's reason");
    assert_eq!(form_links(&index).len(), 1, "synth-04's form");
}
