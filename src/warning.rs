//! Every warning code a record can carry, in one place: what each means
//! is said here, and the README's warning table lists the same codes
//! (`tests/warning_codes.rs` checks both ways). Every input kind (PDF,
//! scan, text dump) warns with these codes only.

use serde::Serialize;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        /// A warning's code (written as the string in the record).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum WarningCode {
            $( $(#[$doc])* $variant, )*
        }

        impl WarningCode {
            /// Every code, in the order of the README's table.
            pub const ALL: &[WarningCode] = &[$(WarningCode::$variant,)*];

            /// The code as written in records (`label_not_found`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( WarningCode::$variant => $code, )*
                }
            }
        }
    };
}

codes! {
    /// A required field's label is not on the form (on a scanned form or
    /// in a text dump, any field's: it may be there, unread or
    /// unrecognized).
    LabelNotFound = "label_not_found",
    /// The label is there, its value is empty (or a table row lacks a
    /// cell; in a text dump, the label is there but no value was placed).
    EmptyValue = "empty_value",
    /// A date typo was repaired (`201912/31` → `2019-12-31`).
    DateRepaired = "date_repaired",
    /// A date of the wrong shape; the field is null.
    UnparsedDate = "unparsed_date",
    /// An amount of the wrong shape; the field (or row amount) is null.
    UnparsedAmount = "unparsed_amount",
    /// No box of an option field is ticked.
    NoOptionTicked = "no_option_ticked",
    /// Several boxes of an option field are ticked; the field is null.
    SeveralOptionsTicked = "several_options_ticked",
    /// A ticked box's text is no option of the template.
    UnknownOption = "unknown_option",
    /// The funding rows do not sum to the current-year budget (on both).
    FundingSumMismatch = "funding_sum_mismatch",
    /// The current-year budget is larger than the total (on both).
    ExceedsTotal = "exceeds_total",
    /// The start date is after the end date (on both).
    DateOrder = "date_order",
    /// Scanned forms: a value whose OCR reading was repaired.
    OcrRepaired = "ocr_repaired",
    /// A page's text layer was set aside and the page read by OCR.
    OcrTextLayerIgnored = "ocr_text_layer_ignored",
    /// Scanned forms: a value read with low OCR confidence.
    OcrLowConfidence = "ocr_low_confidence",
    /// Scanned forms: ink in the field's box that OCR read nothing from.
    OcrUnread = "ocr_unread",
    /// A label appears twice on one form; the first is used.
    DuplicateLabel = "duplicate_label",
    /// A value is (the head of) one of the form's labels.
    ValueIsLabel = "value_is_label",
    /// A cell meets a page break its text may run across, read as two parts.
    PageCut = "page_cut",
    /// A non-empty table cell no label claimed.
    UnassignedCell = "unassigned_cell",
    /// The title, year or unit was not found.
    NotFound = "not_found",
    /// Text dumps: a value placed by order or structure (form order, a run
    /// of labels, reading order, a list cut by a label), not beside its
    /// label.
    InferredValue = "inferred_value",
    /// Text dumps: a close call between placements; the value (or its
    /// absence) may be another field's.
    AmbiguousAssignment = "ambiguous_assignment",
    /// Text dumps: text no label claimed.
    UnassignedText = "unassigned_text",
    /// Text dumps: funding rows whose total was not read, so rows may be
    /// missing.
    Unchecked = "unchecked",
    /// Text dumps: a value (amount, table cell) no label claimed.
    UnassignedValue = "unassigned_value",
    /// Text dumps: a funding row without an amount.
    MissingAmount = "missing_amount",
}

impl std::fmt::Display for WarningCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_codes_are_their_strings() {
        for c in WarningCode::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.as_str())
            );
        }
    }
}
