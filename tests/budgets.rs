//! Per-file budgets: a file over one fails with `too_complex`, naming it.

use shenbao::{Extractor, Template};

#[test]
fn a_file_over_the_size_budget_fails_as_too_complex() {
    let mut ex = Extractor::new(Template::builtin().unwrap());
    ex.pdf.max_file_bytes = 1000;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    std::fs::write(&big, vec![b'x'; 1001]).unwrap();
    let e = ex.extract_file(&big).unwrap_err();
    assert_eq!(e.code(), "too_complex");
    assert!(
        e.to_string().contains("file size budget of 1000 bytes"),
        "{e}"
    );
    // At the budget: read (and then refused for what it is, not its size).
    let fits = dir.path().join("fits.pdf");
    std::fs::write(&fits, vec![b'x'; 1000]).unwrap();
    assert_ne!(ex.extract_file(&fits).unwrap_err().code(), "too_complex");
}

#[test]
fn an_endless_device_is_read_no_further_than_the_budget() {
    let mut ex = Extractor::new(Template::builtin().unwrap());
    ex.pdf.max_file_bytes = 1 << 20;
    let e = ex
        .extract_file(std::path::Path::new("/dev/zero"))
        .unwrap_err();
    assert_eq!(e.code(), "too_complex");
}
