//! The record every form becomes (see `FORM.md` in the shared docs): one
//! JSON object per form, with keys in the order below.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::geom::BBox;

/// An amount of money in yuan, held exactly as an integer number of fen
/// (1/100 yuan) and written to JSON as a number in yuan (`42429660.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    pub fn fen(self) -> i64 {
        self.0
    }
    pub fn yuan(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole yuan as an integer; otherwise fen/100 as f64, which prints
        // (shortest round-trip) as the exact decimal below 2^53 fen.
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.yuan())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_yuan_exact_to_the_fen() {
        let j = |fen| serde_json::to_string(&Money(fen)).unwrap();
        assert_eq!(j(4_242_966_000), "42429660");
        assert_eq!(j(4_242_966_050), "42429660.5");
        assert_eq!(j(123_456_789_012_301), "1234567890123.01");
        let back: Money = serde_json::from_str("1234567890123.01").unwrap();
        assert_eq!(back, Money(123_456_789_012_301));
    }
}

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "description": "An amount in yuan, exact to the fen (at most 2 decimals)."
        })
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Ok(Money((v * 100.0).round() as i64))
    }
}

/// One row of 项目当年投入资金构成.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FundingComponent {
    pub name: String,
    pub amount: Option<Money>,
}

/// A target of the shape `op value unit`, e.g. `≥90%`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetParsed {
    /// One of `=`, `≥`, `≤`, `>`, `<`.
    pub op: String,
    pub value: f64,
    /// The unit as printed (`%`, `次`, `个`), or empty when there is none.
    pub unit: String,
}

/// One row of the 分解目标 table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Indicator {
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub level3: Option<String>,
    pub target: Option<String>,
    pub target_parsed: Option<TargetParsed>,
}

/// Where the record came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    pub file: String,
    pub sha256: String,
    /// 0-based index of the form within its file.
    pub form_index: usize,
    /// 1-based page numbers the form spans.
    pub pages: Vec<usize>,
    /// Whether any of the form's pages was read by OCR (a scan).
    #[serde(default)]
    pub ocr: bool,
    /// For each page read by OCR, what read it and which preprocessing
    /// steps ran (absent on text-layer records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr_pages: Vec<OcrPage>,
}

/// How one scanned page was read ([`Source::ocr_pages`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OcrPage {
    /// 1-based page number.
    pub page: usize,
    /// `ppocr` (PP-OCRv4) or `tesseract`.
    pub recognizer: String,
    /// The skew corrected, degrees.
    pub skew_deg: f64,
    /// The sheet was found on a darker surround (a photo) and resampled
    /// to fill the page.
    pub sheet_found: bool,
    /// Uneven light (a gradient, a shadow) was divided out.
    pub illumination_normalized: bool,
    /// A keystone was rectified from the table's frame.
    pub perspective_corrected: bool,
    /// Red ink (a seal) was taken out.
    pub seal_removed: bool,
}

/// A note about one field: a repair, a failed check, a field not found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Warning {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Warning {
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// Where one field (or table row) was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Location {
    /// A PDF region: 1-based page and box in points, top-left origin.
    Pdf { page: usize, bbox: BBox },
    /// Lines of a text dump (1-based, inclusive).
    Text { line: usize, line_end: usize },
}

/// The JSON Schema (draft 2020-12) of [`Record`], derived from the types.
pub fn record_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Record)).expect("a schema is JSON")
}

/// One extracted form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Record {
    pub title: Option<String>,
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub project_name: Option<String>,
    pub project_type: Option<String>,
    pub fund_use: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub overview: Option<String>,
    pub basis: Option<String>,
    pub necessity: Option<String>,
    pub safeguards: Option<String>,
    pub total_budget: Option<Money>,
    pub current_year_budget: Option<Money>,
    pub prior_year_budget: Option<Money>,
    pub prior_year_spent: Option<Money>,
    pub funding_components: Vec<FundingComponent>,
    pub implementation_plan: Option<String>,
    pub overall_goal: Option<String>,
    pub annual_goal: Option<String>,
    pub indicators: Vec<Indicator>,
    pub remarks: Option<String>,
    pub source: Source,
    pub warnings: Vec<Warning>,
    /// Field name (or `funding_components[i]`, `indicators[i]`) to location.
    pub provenance: BTreeMap<String, Location>,
    /// OCR'd forms only: field name (as in `provenance`) to the mean
    /// confidence (0..1) of the OCR words inside its box. Absent for
    /// text-layer forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<BTreeMap<String, f64>>,
}

/// The content fields of a record (what golden files hold), in record
/// order, with their JSON names.
pub const CONTENT_FIELDS: &[&str] = &[
    "title",
    "year",
    "unit",
    "project_name",
    "project_type",
    "fund_use",
    "start_date",
    "end_date",
    "overview",
    "basis",
    "necessity",
    "safeguards",
    "total_budget",
    "current_year_budget",
    "prior_year_budget",
    "prior_year_spent",
    "funding_components",
    "implementation_plan",
    "overall_goal",
    "annual_goal",
    "indicators",
    "remarks",
];

/// Whether a content field holds one value (not a table).
pub fn is_scalar_field(key: &str) -> bool {
    CONTENT_FIELDS.contains(&key) && key != "funding_components" && key != "indicators"
}

/// Fields holding free text (compared white-space-insensitively).
pub const TEXT_FIELDS: &[&str] = &[
    "overview",
    "basis",
    "necessity",
    "safeguards",
    "implementation_plan",
    "overall_goal",
    "annual_goal",
    "remarks",
];
