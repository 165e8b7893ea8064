//! The batch driver: results in input order whatever the number of jobs,
//! and a failing sink stops the batch with its error.

use std::path::PathBuf;

use shenbao::{Extractor, collect_inputs};

fn inputs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    // The text-layer PDFs and the text dump; the scanned fixtures (OCR,
    // seconds a page) are covered by tests/ocr.rs.
    let files = collect_inputs(&[root.join("text")])
        .into_iter()
        .chain(
            collect_inputs(std::slice::from_ref(&root))
                .into_iter()
                .filter(|p| p.parent() == Some(root.as_path())),
        )
        .collect::<Vec<_>>();
    // Each file twice, so workers overtake each other.
    files.iter().chain(&files).cloned().collect()
}

fn run(ex: &Extractor, files: &[PathBuf], jobs: usize) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    ex.extract_batch(files, jobs, |r| {
        let json = match &r.result {
            Ok(recs) => serde_json::to_string(recs).unwrap(),
            Err(e) => e.to_string(),
        };
        out.push((r.path, json));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn results_come_in_input_order_for_any_number_of_jobs() {
    let ex = Extractor::builtin().unwrap();
    let files = inputs();
    let one = run(&ex, &files, 1);
    assert_eq!(
        one.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        files
    );
    for jobs in [0, 2, 5] {
        assert!(run(&ex, &files, jobs) == one, "jobs = {jobs}");
    }
}

#[test]
fn a_failing_sink_stops_the_batch_with_its_error() {
    let ex = Extractor::builtin().unwrap();
    let files = inputs();
    for jobs in [1, 2, 4] {
        let mut seen = 0;
        let err = ex
            .extract_batch(&files, jobs, |_| {
                seen += 1;
                if seen == 5 {
                    Err(std::io::Error::other("disk full"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(seen, 5, "jobs = {jobs}");
    }
}
