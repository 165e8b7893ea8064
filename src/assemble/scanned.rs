//! The record builder's part for pages read by OCR ([`annotate_scanned`]):
//! the confidence OCR gave each field's text, and warnings where it may be
//! misread or lost. It reads only what the scan reader left in the page
//! content ([`OcrInfo`]), carried here by [`crate::place::map::FormFields::ocr`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::geom::{BBox, OcrInfo, OcrReason, OcrWord};
use crate::record::{Location, OcrPage, Record, Warning};
use crate::settings::ConfidenceSettings;
use crate::template::{Shape, Template};
use crate::warning::WarningCode;

/// Tick marks: in a field of text they are strokes of a signature or a
/// seal read as one ([`annotate_record`]).
const TICK_MARKS: &[char] = &['√', '✓', '✔', '☑', '☒', '■'];

/// Mean OCR confidence (0..1) of the words whose centre lies in `bbox`
/// (points) on a page; `None` when there is none.
pub fn mean_confidence(words: &[OcrWord], bbox: &BBox) -> Option<f64> {
    let b = BBox::new(
        bbox.x0 - 1.0,
        bbox.top - 1.0,
        bbox.x1 + 1.0,
        bbox.bottom + 1.0,
    );
    let (n, sum) = words
        .iter()
        .filter(|w| {
            let (x, y) = w.bbox.center();
            b.contains(x, y)
        })
        .fold((0usize, 0.0), |(n, s), w| (n + 1, s + w.conf));
    (n > 0).then(|| sum / n as f64)
}

/// The lowest confidence of a character (of a word, where OCR gave no
/// characters) whose box centre lies in `bbox` (grown by 1 pt).
pub fn min_confidence(words: &[OcrWord], bbox: &BBox) -> Option<f64> {
    let b = BBox::new(
        bbox.x0 - 1.0,
        bbox.top - 1.0,
        bbox.x1 + 1.0,
        bbox.bottom + 1.0,
    );
    let inside = |bb: &BBox| {
        let (x, y) = bb.center();
        b.contains(x, y)
    };
    words
        .iter()
        .filter(|w| inside(&w.bbox))
        .flat_map(|w| {
            let chars = w.chars.iter().map(|c| c.conf);
            let word = w.chars.is_empty().then_some(w.conf);
            chars.chain(word)
        })
        .min_by(f64::total_cmp)
}

/// What a record says about its fields read from pages read by OCR
/// (`ocr`, by page number): `source.ocr` and `source.ocr_pages`; an
/// `ocr_text_layer_ignored` warning per page whose text layer was set
/// aside (garbage rather than none); the mean word confidence of every
/// field with a PDF provenance on such a page; an `ocr_low_confidence`
/// warning on each amount read below
/// [`ConfidenceSettings::min_amount_confidence`], on a tick mark in a
/// text field, and on any field holding a character read below
/// [`ConfidenceSettings::min_char_confidence`]; `ocr_unread` on a field
/// whose box holds ink OCR read nothing from; `label_not_found` on an
/// optional field not found (it may be there, unread).
pub fn annotate_scanned(
    r: &mut Record,
    ocr: &BTreeMap<usize, Arc<OcrInfo>>,
    t: &Template,
    s: &ConfidenceSettings,
) {
    if !r.source.pages.iter().any(|p| ocr.contains_key(p)) {
        return;
    }
    mark_source(r, ocr);
    let (conf, mut doubtful) = field_confidences(r, ocr, s);
    // An amount no check covers can be misread with nothing to show for
    // it but a low confidence: say so.
    for (field, &c) in &conf {
        if amount_read(r, field) && c < s.min_amount_confidence {
            doubtful.remove(field);
            r.warnings.push(Warning::new(
                field,
                WarningCode::OcrLowConfidence,
                format!(
                    "amount read by OCR with confidence {c:.2} (below {:.2}): check it against the scan",
                    s.min_amount_confidence
                ),
            ));
        }
    }
    let mut unread = unread_warnings(r, ocr);
    r.warnings.append(&mut unread);
    // Printed forms carry every label; on a scan an optional field whose
    // label was not found may be one OCR did not read.
    for spec in t.fields.iter().filter(|f| !f.required) {
        if !r.provenance.contains_key(&spec.key) && !r.warnings.iter().any(|w| w.field == spec.key)
        {
            r.warnings.push(Warning::new(
                &spec.key,
                WarningCode::LabelNotFound,
                format!(
                    "no cell labelled {} (on a scanned page: it may be there, unread)",
                    spec.labels[0]
                ),
            ));
        }
    }
    // A tick in a line of text is a stroke of a signature or a seal read
    // as one, not the form's text.
    for spec in &t.fields {
        if matches!(spec.shape, Shape::Line | Shape::Paragraphs)
            && r.text(&spec.key).is_some_and(|v| v.contains(TICK_MARKS))
        {
            r.warnings.push(Warning::new(
                &spec.key,
                WarningCode::OcrLowConfidence,
                "a tick mark read in a text field: a stroke of a signature or a seal may have been read as text; check the field against the scan",
            ));
        }
    }
    // Any other field: a character read below the setting may be misread.
    for (field, m) in doubtful {
        r.warnings.push(Warning::new(
            &field,
            WarningCode::OcrLowConfidence,
            format!(
                "a character read by OCR with confidence {m:.2} (below {:.2}): check the field against the scan",
                s.min_char_confidence
            ),
        ));
    }
    r.ocr_confidence = Some(conf);
}

/// `source.ocr`, `source.ocr_pages`, and an `ocr_text_layer_ignored`
/// warning per page whose text layer was set aside.
fn mark_source(r: &mut Record, ocr: &BTreeMap<usize, Arc<OcrInfo>>) {
    r.source.ocr = true;
    r.source.kind = crate::record::SourceKind::Ocr;
    r.source.ocr_pages = r
        .source
        .pages
        .iter()
        .filter_map(|&p| {
            let inf = ocr.get(&p)?;
            Some(OcrPage {
                page: p,
                recognizer: inf.recognizer.to_string(),
                skew_deg: (inf.skew_deg * 100.0).round() / 100.0,
                sheet_found: inf.sheet_found,
                illumination_normalized: inf.illumination_normalized,
                perspective_corrected: inf.perspective_corrected,
                seal_removed: inf.seal_removed,
            })
        })
        .collect();
    for &p in &r.source.pages {
        if let Some(inf) = ocr.get(&p)
            && inf.reason != OcrReason::NoTextLayer
        {
            r.warnings.push(Warning::new(
                "source",
                WarningCode::OcrTextLayerIgnored,
                format!("page {p} read by OCR: {}", inf.reason.describe()),
            ));
        }
    }
}

/// Per field read from an OCR'd page: its mean word confidence (to three
/// decimals), and its lowest character confidence when below
/// [`ConfidenceSettings::min_char_confidence`].
fn field_confidences(
    r: &Record,
    ocr: &BTreeMap<usize, Arc<OcrInfo>>,
    s: &ConfidenceSettings,
) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
    let mut conf = BTreeMap::new();
    let mut doubtful = BTreeMap::new();
    for (field, loc) in &r.provenance {
        if let Location::Pdf { page, bbox } = loc
            && let Some(inf) = ocr.get(page)
            && let Some(c) = mean_confidence(&inf.words, bbox)
        {
            conf.insert(field.clone(), (c * 1000.0).round() / 1000.0);
            if let Some(m) = min_confidence(&inf.words, bbox)
                && m < s.min_char_confidence
            {
                doubtful.insert(field.clone(), m);
            }
        }
    }
    (conf, doubtful)
}

/// Whether `field` (a provenance key) holds an amount that was read: a
/// money field, or a funding row (`funding_components[i]`).
fn amount_read(r: &Record, field: &str) -> bool {
    match field.split_once('[') {
        Some((table, rest)) => rest
            .trim_end_matches(']')
            .parse::<usize>()
            .ok()
            .and_then(|i| r.funding(table).get(i))
            .is_some_and(|row| row.amount.is_some()),
        None => r.money(field).is_some(),
    }
}

/// `ocr_unread` on every field whose box holds ink the recognizer read
/// nothing from: the field may have lost text (a null may be a value not
/// read).
fn unread_warnings(r: &Record, ocr: &BTreeMap<usize, Arc<OcrInfo>>) -> Vec<Warning> {
    let mut out = Vec::new();
    for (field, loc) in &r.provenance {
        if let Location::Pdf { page, bbox } = loc
            && let Some(inf) = ocr.get(page)
            && let Some(u) = inf.unread.iter().find(|u| {
                let (cx, cy) = ((u.x0 + u.x1) / 2.0, (u.top + u.bottom) / 2.0);
                cx >= bbox.x0 && cx <= bbox.x1 && cy >= bbox.top && cy <= bbox.bottom
            })
        {
            out.push(Warning::new(
                field,
                WarningCode::OcrUnread,
                format!(
                    "page {page}: ink at [{:.0} {:.0} {:.0} {:.0}] was not read as text: check the field against the scan",
                    u.x0, u.top, u.x1, u.bottom
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_doubtful_characters_read_by_ocr_are_warned_about() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let ex = crate::Extractor::builtin().unwrap();
        let mut r = ex
            .extract_file(&root.join("fixtures/synth-01.pdf"))
            .unwrap()
            .remove(0);
        r.warnings.clear();
        let word = |k: &str, conf: f64| {
            let Some(Location::Pdf { bbox, .. }) = r.provenance.get(k) else {
                panic!("{k}: no PDF provenance");
            };
            OcrWord {
                text: "1,000".into(),
                bbox: *bbox,
                conf,
                line: (1, 1, 1),
                chars: Vec::new(),
            }
        };
        let mut overview = word("overview", 0.99);
        overview.chars = vec![
            crate::geom::OcrChar {
                ch: "覆".into(),
                bbox: overview.bbox,
                conf: 0.85,
            },
            crate::geom::OcrChar {
                ch: "盖".into(),
                bbox: overview.bbox,
                conf: 0.99,
            },
        ];
        let words = vec![
            word("total_budget", 0.59),
            word("current_year_budget", 0.95),
            word("funding_components[0]", 0.5),
            word("project_name", 0.1),
            word("basis", 0.97),
            overview,
        ];
        let info: BTreeMap<usize, Arc<OcrInfo>> = r
            .source
            .pages
            .iter()
            .map(|&p| {
                (
                    p,
                    Arc::new(OcrInfo {
                        words: words.clone(),
                        unread: Vec::new(),
                        skew_deg: 0.0,
                        illumination_normalized: false,
                        perspective_corrected: false,
                        sheet_found: false,
                        seal_removed: false,
                        reason: OcrReason::NoTextLayer,
                        recognizer: "tesseract",
                    }),
                )
            })
            .collect();
        let t = crate::template::Template::builtin().unwrap();
        annotate_scanned(&mut r, &info, &t, &ConfidenceSettings::default());
        assert!(r.source.ocr);
        let low: Vec<(&str, bool)> = r
            .warnings
            .iter()
            .filter(|w| w.code == WarningCode::OcrLowConfidence.as_str())
            .map(|w| (w.field.as_str(), w.message.starts_with("amount")))
            .collect();
        // amounts below 0.7 (mean); any field holding a character below
        // 0.92 (a word's own confidence where it has no characters): the
        // project name, and the overview for one doubtful character of a
        // confident word; not the current-year budget (0.95) nor the basis
        assert_eq!(
            low,
            [
                ("funding_components[0]", true),
                ("total_budget", true),
                ("overview", false),
                ("project_name", false)
            ]
        );
        assert!(
            !r.warnings
                .iter()
                .any(|w| w.code == WarningCode::OcrTextLayerIgnored.as_str())
        );
    }
}
