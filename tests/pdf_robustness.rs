//! Damaged inputs: every mutation must come back as a value (pages or an
//! error of a known kind), never a crash or a hang.

use std::path::Path;

use shenbao::Error;
use shenbao::read::pdf::{PdfSettings, read_pages};

mod common;

use common::rng::Rng;

#[test]
fn mutated_pdfs_return_pages_or_errors_never_crash() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut kinds = std::collections::BTreeMap::new();
    for name in [
        "libreoffice_form.pdf",
        "gbk_euc_h.pdf",
        "kangxi_tounicode.pdf",
        "rulings.pdf",
    ] {
        let orig = std::fs::read(dir.join(name)).unwrap();
        for _ in 0..60 {
            let mut b = orig.clone();
            match rng.next() % 3 {
                0 => {
                    // Flip a few bytes.
                    for _ in 0..1 + rng.next() % 8 {
                        let i = (rng.next() as usize) % b.len();
                        b[i] ^= 1 << (rng.next() % 8);
                    }
                }
                1 => {
                    // Cut.
                    let n = 10 + (rng.next() as usize) % (b.len() - 10);
                    b.truncate(n);
                }
                _ => {
                    // Overwrite a span with garbage.
                    let i = (rng.next() as usize) % b.len();
                    let n = (1 + rng.next() % 64) as usize;
                    for k in i..(i + n).min(b.len()) {
                        b[k] = rng.next() as u8;
                    }
                }
            }
            let r = read_pages(Path::new(name), &b, &PdfSettings::default());
            let k = match &r {
                Ok(_) => "ok".to_string(),
                Err(e) => e.code().to_string(),
            };
            *kinds.entry(k).or_insert(0) += 1;
            if let Err(e) = &r {
                assert!(
                    matches!(
                        e,
                        Error::Damaged { .. }
                            | Error::Page { .. }
                            | Error::Internal { .. }
                            | Error::NotPdf { .. }
                    ),
                    "{e:?}"
                );
            }
        }
    }
    eprintln!("outcomes: {kinds:?}");
}
