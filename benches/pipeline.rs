//! Each stage of the pipeline on its own, over every page of the fixture
//! PDFs (`fixtures/*.pdf`), and the whole pipeline end to end.
//!
//!     cargo bench --bench pipeline            # all stages
//!     cargo bench --bench pipeline -- grid    # one stage (criterion filter)
//!
//! Every benchmark reports throughput in fixture pages (criterion's
//! "elem/s"), so the stages compare directly: a stage's input is computed
//! once, outside the timed loop, from the previous stage's output.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use shenbao::Extractor;
use shenbao::PageContent;
use shenbao::assemble::fields_to_record;
use shenbao::layout::PageLayout;
use shenbao::layout::{dedupe_glyphs, glyphs_to_words, words_to_lines};
use shenbao::place::map::{FormFields, pages_to_fields};
use shenbao::read::pdf::read_pages;
use shenbao::record::{Record, Source};
use shenbao::run::extract::split_forms;

struct Corpus {
    ex: Extractor,
    /// (path, bytes) of every fixture PDF.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// Pages of every file, in file order.
    pages: Vec<Vec<PageContent>>,
    layouts: Vec<Vec<PageLayout>>,
    /// Per file: its forms' fields.
    fields: Vec<Vec<FormFields>>,
    records: Vec<Record>,
    page_count: u64,
}

fn corpus() -> Corpus {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixture PDFs in {}", dir.display());
    let ex = Extractor::builtin().unwrap();
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let pages: Vec<Vec<PageContent>> = files
        .iter()
        .map(|(p, b)| read_pages(p, b, &ex.pdf).unwrap())
        .collect();
    let layouts: Vec<Vec<PageLayout>> = pages.iter().map(|ps| ex.layouts(ps)).collect();
    let fields: Vec<Vec<FormFields>> = layouts.iter().map(|ls| ex.fields(ls)).collect();
    let records = fields
        .iter()
        .zip(&files)
        .flat_map(|(fs, (p, _))| {
            fs.iter().enumerate().map(|(i, f)| {
                let t = ex.templates.get(&f.template).unwrap();
                fields_to_record(f, t, source(p, i, f), &ex.confidence)
            })
        })
        .collect();
    let page_count = pages.iter().map(|p| p.len() as u64).sum();
    Corpus {
        ex,
        files,
        pages,
        layouts,
        fields,
        records,
        page_count,
    }
}

fn source(path: &Path, i: usize, f: &FormFields) -> Source {
    Source::new(path, "", i, &f.pages)
}

fn stages(c: &mut Criterion) {
    let k = corpus();
    let mut g = c.benchmark_group("fixture_pages");
    g.throughput(Throughput::Elements(k.page_count));

    g.bench_function("1_pdf_parse", |b| {
        b.iter(|| {
            for (p, bytes) in &k.files {
                black_box(read_pages(p, bytes, &k.ex.pdf).unwrap());
            }
        })
    });

    g.bench_function("2_glyphs_to_lines", |b| {
        b.iter(|| {
            for page in k.pages.iter().flatten() {
                let glyphs = dedupe_glyphs(&page.glyphs, &k.ex.layout);
                let words = glyphs_to_words(&glyphs, &k.ex.layout);
                black_box(words_to_lines(&words, &k.ex.layout));
            }
        })
    });

    g.bench_function("3_grid_cells", |b| {
        b.iter(|| {
            for page in k.pages.iter().flatten() {
                black_box(k.ex.layout(page));
            }
        })
    });

    g.bench_function("4_mapping", |b| {
        b.iter(|| {
            for ls in &k.layouts {
                for (r, choice) in split_forms(ls, &k.ex.templates) {
                    let t = k.ex.templates.at(choice.index());
                    black_box(pages_to_fields(&ls[r], t, &k.ex.layout));
                }
            }
        })
    });

    g.bench_function("5_assembly", |b| {
        b.iter(|| {
            for (fs, (p, _)) in k.fields.iter().zip(&k.files) {
                for (i, f) in fs.iter().enumerate() {
                    let t = k.ex.templates.get(&f.template).unwrap();
                    black_box(fields_to_record(f, t, source(p, i, f), &k.ex.confidence));
                }
            }
        })
    });

    g.bench_function("6_serialize", |b| {
        let mut buf = Vec::with_capacity(1 << 20);
        b.iter(|| {
            buf.clear();
            for r in &k.records {
                serde_json::to_writer(&mut buf, r).unwrap();
                buf.push(b'\n');
            }
            black_box(buf.len());
        })
    });

    g.bench_function("7_end_to_end", |b| {
        b.iter(|| {
            for (p, bytes) in &k.files {
                black_box(k.ex.extract_bytes(p, bytes).unwrap());
            }
        })
    });
    g.finish();
}

/// Glyph de-duplication on generated pages of 1k to 1M glyphs, the worst
/// cases of hostile PDFs: one glyph painted at one spot over and over, and
/// dashes overlapping along one line. Time per glyph should stay flat.
fn dedupe_scaling(c: &mut Criterion) {
    use shenbao::geom::{BBox, Glyph};
    let settings = shenbao::LayoutSettings::default();
    let tol = settings.dedupe_tolerance;
    let mut g = c.benchmark_group("dedupe_glyphs");
    for n in [1_000usize, 10_000, 100_000, 1_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        let glyph = |x: f64| Glyph {
            ch: '-',
            bbox: BBox::new(x, 0.0, x + 5.0, 10.0),
            size: 10.0,
        };
        let same: Vec<Glyph> = (0..n).map(|_| glyph(5.0)).collect();
        let line: Vec<Glyph> = (0..n).map(|i| glyph(i as f64 * tol * 0.6)).collect();
        g.bench_function(format!("same_spot/{n}"), |b| {
            b.iter(|| dedupe_glyphs(&same, &settings).len())
        });
        g.bench_function(format!("overlapping_line/{n}"), |b| {
            b.iter(|| dedupe_glyphs(&line, &settings).len())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = stages, dedupe_scaling
}
criterion_main!(benches);
