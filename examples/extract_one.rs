//! The library without the command line: read one PDF (or text dump) and
//! print each form's project, budget and warnings, then the record as
//! JSON.
//!
//! ```sh
//! cargo run --example extract_one -- fixtures/synth-09.pdf
//! # the library alone, without clap, indicatif and SQLite:
//! cargo run --no-default-features --example extract_one -- fixtures/synth-09.pdf
//! ```
//!
//! In a project: `shenbao = { path = "…", default-features = false }`.

use std::path::PathBuf;

use shenbao::Extractor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: extract_one FILE.pdf")?
        .into();
    // The built-in templates (templates/*.toml) and default settings.
    let ex = Extractor::builtin()?;
    // Every form of the file; an error names the file and the reason
    // (`e.code()` is the failure code the store keeps).
    let records = ex.extract_file(&path)?;
    for r in &records {
        println!(
            "{} form {}: {} ({}), total budget {} yuan",
            r.source.file,
            r.source.form_index,
            r.text("project_name").unwrap_or("?"),
            r.text("unit").unwrap_or("?"),
            r.money("total_budget")
                .map_or("not read".to_string(), |m| m.to_string()),
        );
        // A value that was not read is None, with a warning on its field.
        for w in &r.warnings {
            println!("  warning on {}: {} ({})", w.field, w.code, w.message);
        }
        println!("{}", serde_json::to_string(r)?);
    }
    Ok(())
}
