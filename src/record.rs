//! The record every form becomes: one JSON object per form, its content
//! fields in the order of the template's field registry
//! ([`crate::template::Template::record_fields`]), then `source`,
//! `warnings`, `provenance` and (scans) `ocr_confidence`.

use crate::warning::WarningCode;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::geom::BBox;
use crate::template::{RecordField, Shape, ValueKind};

/// An amount of money in yuan, held exactly as an integer number of fen
/// (1/100 yuan) and written to JSON as a number in yuan that always has a
/// decimal point (`42429660.5`, `50620000.0`), so that a reader inferring
/// types from the first rows (DuckDB's `read_json_auto`, pandas) takes a
/// floating or decimal type, never an integer one that later amounts with
/// fen would be rounded into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// The amount in fen (1/100 yuan), exact.
    pub fn fen(self) -> i64 {
        self.0
    }
    /// The amount in yuan, as a float.
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
        // fen/100 as f64, which prints (shortest round-trip, with `.0`
        // when whole) as the exact decimal below 2^53 fen.
        s.serialize_f64(self.yuan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_yuan_exact_to_the_fen() {
        let j = |fen| serde_json::to_string(&Money(fen)).unwrap();
        assert_eq!(j(4_242_966_000), "42429660.0");
        assert_eq!(j(0), "0.0");
        assert_eq!(j(-150), "-1.5");
        assert_eq!(j(4_242_966_050), "42429660.5");
        assert_eq!(j(123_456_789_012_301), "1234567890123.01");
        let back: Money = serde_json::from_str("1234567890123.01").unwrap();
        assert_eq!(back, Money(123_456_789_012_301));
    }
}

const MONEY_DESCRIPTION: &str = "An amount in yuan, exact to the fen (at most 2 decimals).";

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "description": MONEY_DESCRIPTION
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
    /// The sub-project's name (empty when none was read).
    pub name: String,
    /// The sub-project's amount, yuan; null when none was read.
    pub amount: Option<Money>,
}

/// A target of the shape `op value unit`, e.g. `≥90%`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetParsed {
    /// One of `=`, `≥`, `≤`, `>`, `<`.
    pub op: String,
    /// The number.
    pub value: f64,
    /// The unit as printed (`%`, `次`, `个`), or empty when there is none.
    pub unit: String,
}

/// One row of the 分解目标 table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Indicator {
    /// The level-1 indicator (一级指标).
    pub level1: Option<String>,
    /// The level-2 indicator (二级指标).
    pub level2: Option<String>,
    /// The level-3 indicator (三级指标).
    pub level3: Option<String>,
    /// The target value, as printed (指标目标值).
    pub target: Option<String>,
    /// The target read as `op value unit`, when it has that shape.
    pub target_parsed: Option<TargetParsed>,
    /// The remarks column (备注), on forms whose indicator table has one;
    /// null otherwise.
    #[serde(default)]
    pub remark: Option<String>,
}

/// One row of a `table` field: each column's text (null when its cell
/// is empty), in the template's column order; a JSON object by column
/// key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row(pub Vec<(String, Option<String>)>);

impl Row {
    /// The text of column `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Where the record came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// The input file's path.
    pub file: String,
    /// Hex SHA-256 of the input file's bytes.
    pub sha256: String,
    /// 0-based index of the form within its file.
    pub form_index: usize,
    /// 1-based page numbers the form spans.
    pub pages: Vec<usize>,
    /// What the form was read from: `text_layer` (a PDF's text), `ocr`
    /// (any of its pages a scan read by OCR) or `text_dump`.
    pub kind: SourceKind,
    /// Whether any of the form's pages was read by OCR (a scan).
    #[serde(default)]
    pub ocr: bool,
    /// For each page read by OCR, what read it and which preprocessing
    /// steps ran (absent on text-layer records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr_pages: Vec<OcrPage>,
}

impl Source {
    /// The source of form `form_index` of a file, spanning `pages`; the
    /// record builder says whether OCR read any of them.
    pub fn new(file: &std::path::Path, sha256: &str, form_index: usize, pages: &[usize]) -> Source {
        Source {
            file: file.display().to_string(),
            sha256: sha256.to_string(),
            form_index,
            pages: pages.to_vec(),
            kind: SourceKind::TextLayer,
            ocr: false,
            ocr_pages: Vec::new(),
        }
    }
}

/// What a form was read from, in the order of trust a copy read from it
/// gets when one form was read more than once (the store's
/// `forms_latest`): a text layer, then OCR, then a text dump.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A PDF's text layer.
    TextLayer,
    /// A scan read by OCR (any of the form's pages).
    Ocr,
    /// A text dump.
    TextDump,
}

impl SourceKind {
    /// The kind as written in JSON: `text_layer`, `ocr` or `text_dump`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::TextLayer => "text_layer",
            SourceKind::Ocr => "ocr",
            SourceKind::TextDump => "text_dump",
        }
    }
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
/// Its `code` is one of [`WarningCode`]'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Warning {
    /// The field the warning is about, or a row of it (`indicators[3]`).
    pub field: String,
    /// The warning's code.
    #[schemars(with = "WarningCode")]
    pub code: String,
    /// What happened, readable.
    pub message: String,
}

impl Warning {
    /// A warning on `field` with `code` and `message`.
    pub fn new(field: &str, code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            field: field.to_string(),
            code: code.as_str().to_string(),
            message: message.into(),
        }
    }
}

/// Where one field (or table row) was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Location {
    /// A PDF region: 1-based page and box in points, top-left origin.
    Pdf {
        /// 1-based page number.
        page: usize,
        /// The box, points, top-left origin.
        bbox: BBox,
    },
    /// Lines of a text dump (1-based, inclusive).
    Text {
        /// First line, 1-based.
        line: usize,
        /// Last line, 1-based, inclusive.
        line_end: usize,
    },
}

/// One content field's value; its variant is the field's
/// [`ValueKind`] (from the template's field registry).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A text field (dates as `YYYY-MM-DD`); `None` is null.
    Text(Option<String>),
    /// An integer field (e.g. `year`); `None` is null.
    Int(Option<i64>),
    /// An amount of money; `None` is null.
    Money(Option<Money>),
    /// The funding table's rows.
    Funding(Vec<FundingComponent>),
    /// The indicator table's rows.
    Indicators(Vec<Indicator>),
    /// A `table` field's rows.
    Rows(Vec<Row>),
}

impl Value {
    /// The empty value of a kind: null, or no rows.
    pub fn empty(kind: ValueKind) -> Value {
        match kind {
            ValueKind::Text => Value::Text(None),
            ValueKind::Int => Value::Int(None),
            ValueKind::Money => Value::Money(None),
            ValueKind::FundingTable => Value::Funding(Vec::new()),
            ValueKind::IndicatorTable => Value::Indicators(Vec::new()),
            ValueKind::Rows => Value::Rows(Vec::new()),
        }
    }

    /// The value of a field read back from JSON (a stored record).
    pub fn from_json(f: &RecordField, v: serde_json::Value) -> serde_json::Result<Value> {
        use serde_json::from_value;
        Ok(match f.kind {
            ValueKind::Rows => {
                let rows: Option<Vec<BTreeMap<String, Option<String>>>> = from_value(v)?;
                let row = |mut m: BTreeMap<String, Option<String>>| {
                    Row(f
                        .columns
                        .iter()
                        .map(|c| (c.clone(), m.remove(c).flatten()))
                        .collect())
                };
                Value::Rows(rows.unwrap_or_default().into_iter().map(row).collect())
            }
            ValueKind::Text => Value::Text(from_value(v)?),
            ValueKind::Int => Value::Int(from_value(v)?),
            ValueKind::Money => Value::Money(from_value(v)?),
            ValueKind::FundingTable => Value::Funding(from_value(v)?),
            ValueKind::IndicatorTable => Value::Indicators(from_value(v)?),
        })
    }

    /// Null, or a table without rows.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(v) => v.is_none(),
            Value::Int(v) => v.is_none(),
            Value::Money(v) => v.is_none(),
            Value::Funding(v) => v.is_empty(),
            Value::Indicators(v) => v.is_empty(),
            Value::Rows(v) => v.is_empty(),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(v) => v.serialize(s),
            Value::Int(v) => v.serialize(s),
            Value::Money(v) => v.serialize(s),
            Value::Funding(v) => v.serialize(s),
            Value::Indicators(v) => v.serialize(s),
            Value::Rows(v) => v.serialize(s),
        }
    }
}

/// One extracted form: its content fields, in the order of the template's
/// field registry ([`crate::template::Template::record_fields`]), then where it came from,
/// its warnings, where each field was read, and (OCR'd forms) confidences.
/// Written to JSON as one flat object with the keys in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The name of the template the form was read with
    /// ([`crate::template::Template::name`]).
    pub template: String,
    /// Field key to value, in the template's registry order; every field
    /// of the template's registry is here.
    pub fields: Vec<(String, Value)>,
    /// Each money field with a value: the unit its amount was printed in
    /// (`元`, `万元`), as the form says it (in the value, its label or the
    /// caption of its block) or, where it says none, as the template
    /// declares it; the value itself is always in yuan.
    pub units: BTreeMap<String, String>,
    /// The project's identity from year to year, and with the year the
    /// form's across copies ([`crate::Template::form_key`]).
    pub form_key: Option<String>,
    /// Where the record came from.
    pub source: Source,
    /// Notes about fields: repairs, failed checks, fields not found.
    pub warnings: Vec<Warning>,
    /// Field name (or `funding_components[i]`, `indicators[i]`) to location.
    pub provenance: BTreeMap<String, Location>,
    /// OCR'd forms only: field name (as in `provenance`) to the mean
    /// confidence (0..1) of the OCR words inside its box. Absent for
    /// text-layer forms.
    pub ocr_confidence: Option<BTreeMap<String, f64>>,
}

/// The keys of a record that are not content fields.
pub const META_KEYS: [&str; 7] = [
    "template",
    "units",
    "form_key",
    "source",
    "warnings",
    "provenance",
    "ocr_confidence",
];

impl Record {
    /// A record of template `t` with every field empty.
    pub fn empty(t: &crate::template::Template, source: Source) -> Record {
        Record {
            template: t.name.clone(),
            fields: t
                .record_fields()
                .iter()
                .map(|f| (f.key.clone(), Value::empty(f.kind)))
                .collect(),
            units: BTreeMap::new(),
            form_key: None,
            source,
            warnings: Vec::new(),
            provenance: BTreeMap::new(),
            ocr_confidence: None,
        }
    }

    /// A field's value, `None` when the record has no such field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets a field. A key the record does not have, or a value of another
    /// kind, is a bug of the caller: it panics (the file fails as
    /// `internal`).
    pub fn set(&mut self, key: &str, value: Value) {
        let slot = self
            .fields
            .iter_mut()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("the record has no field `{key}`"));
        assert_eq!(
            std::mem::discriminant(&slot.1),
            std::mem::discriminant(&value),
            "field `{key}`: value of another kind"
        );
        slot.1 = value;
    }

    /// A text field's value (`None` when null or not a text field).
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Text(v)) => v.as_deref(),
            _ => None,
        }
    }

    /// A money field's value (`None` when null or not a money field).
    pub fn money(&self, key: &str) -> Option<Money> {
        match self.get(key) {
            Some(Value::Money(v)) => *v,
            _ => None,
        }
    }

    /// An integer field's value (`None` when null or not an integer field).
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Value::Int(v)) => *v,
            _ => None,
        }
    }

    /// A funding table's rows (none when not a funding table).
    pub fn funding(&self, key: &str) -> &[FundingComponent] {
        match self.get(key) {
            Some(Value::Funding(v)) => v,
            _ => &[],
        }
    }

    /// An indicator table's rows (none when not an indicator table).
    pub fn indicators(&self, key: &str) -> &[Indicator] {
        match self.get(key) {
            Some(Value::Indicators(v)) => v,
            _ => &[],
        }
    }

    /// A `table` field's rows (none when it is no such field).
    pub fn rows(&self, key: &str) -> &[Row] {
        match self.get(key) {
            Some(Value::Rows(v)) => v,
            _ => &[],
        }
    }

    /// Whether this is a form: it holds the title or one of the template's
    /// identifying fields (`identifying_fields`). A run of pages before the
    /// first title page holding none is not.
    pub fn is_form(&self, identifying: &[String]) -> bool {
        std::iter::once("title")
            .chain(identifying.iter().map(String::as_str))
            .any(|k| self.get(k).is_some_and(|v| !v.is_empty()))
    }

    /// A record read back from its JSON (a stored record), its fields
    /// typed by the registry of the template it names.
    pub fn from_json(
        text: &str,
        templates: &crate::template::Templates,
    ) -> serde_json::Result<Record> {
        use serde::de::Error as _;
        let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)?;
        let mut take = |k: &str| map.remove(k).unwrap_or(serde_json::Value::Null);
        let template: String = serde_json::from_value(take("template"))?;
        let fields = templates.fields_of(Some(&template)).ok_or_else(|| {
            serde_json::Error::custom(format!("template `{template}` is not known"))
        })?;
        let values = fields
            .iter()
            .map(|f| Ok((f.key.clone(), Value::from_json(f, take(&f.key))?)))
            .collect::<serde_json::Result<_>>()?;
        let units = serde_json::from_value(take("units"))?;
        let form_key = serde_json::from_value(take("form_key"))?;
        let source = serde_json::from_value(take("source"))?;
        let warnings = serde_json::from_value(take("warnings"))?;
        let provenance = serde_json::from_value(take("provenance"))?;
        let ocr_confidence = serde_json::from_value(take("ocr_confidence"))?;
        if let Some(k) = map.keys().next() {
            return Err(serde_json::Error::custom(format!(
                "key `{k}` is no field of the template"
            )));
        }
        Ok(Record {
            template,
            fields: values,
            units,
            form_key,
            source,
            warnings,
            provenance,
            ocr_confidence,
        })
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let n = self.fields.len() + 6 + usize::from(self.ocr_confidence.is_some());
        let mut m = s.serialize_map(Some(n))?;
        m.serialize_entry("template", &self.template)?;
        for (k, v) in &self.fields {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("units", &self.units)?;
        m.serialize_entry("form_key", &self.form_key)?;
        m.serialize_entry("source", &self.source)?;
        m.serialize_entry("warnings", &self.warnings)?;
        m.serialize_entry("provenance", &self.provenance)?;
        if let Some(c) = &self.ocr_confidence {
            m.serialize_entry("ocr_confidence", c)?;
        }
        m.end()
    }
}

/// The JSON Schema (draft 2020-12) of a record of this field registry:
/// the content fields typed by their kind, the rest derived from the
/// types, then made strict by [`tighten`]: every key required (null where
/// a value may be missing), no other key, codes, options and operators as
/// enums, dates as `YYYY-MM-DD`, pages and lines 1-based.
///
/// Money is a number "exact to the fen" (`x-fen-exact`), without
/// `multipleOf: 0.01`: validators divide in floating point, and
/// python-jsonschema 4.26 rejected 26,086 of 200,000 valid amounts with
/// it (`0.07 / 0.01` is `7.000000000000001`).
pub fn record_schema(t: &crate::template::Template) -> serde_json::Value {
    use serde_json::json;
    let fields = t.record_fields();
    let mut g = schemars::SchemaGenerator::default();
    let sub = |schema: schemars::Schema| serde_json::to_value(schema).expect("JSON");
    let funding = sub(g.subschema_for::<Vec<FundingComponent>>());
    let indicators = sub(g.subschema_for::<Vec<Indicator>>());
    let money = sub(g.subschema_for::<Money>());
    let mut props = serde_json::Map::new();
    props.insert(
        "template".into(),
        json!({ "const": t.name, "description": "The template the form was read with." }),
    );
    for f in fields {
        let mut p = match f.kind {
            ValueKind::Text if !f.options.is_empty() => {
                json!({ "enum": f.options.iter().map(|o| json!(o)).chain([json!(null)]).collect::<Vec<_>>() })
            }
            ValueKind::Text if f.shape == Some(Shape::Date) => json!({
                "type": ["string", "null"],
                "format": "date",
                "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            }),
            ValueKind::Text if f.shape == Some(Shape::PartialDate) => json!({
                "type": ["string", "null"],
                "pattern": PARTIAL_DATE,
            }),
            ValueKind::Text if f.shape == Some(Shape::DateRange) => json!({
                "type": ["string", "null"],
                "description": "start/end, an ISO 8601 interval",
                "pattern": format!("^{0}/{0}$", &PARTIAL_DATE[1..PARTIAL_DATE.len() - 1]),
            }),
            ValueKind::Text => json!({ "type": ["string", "null"] }),
            ValueKind::Rows => {
                let cols: serde_json::Map<String, serde_json::Value> = f
                    .columns
                    .iter()
                    .map(|c| (c.clone(), json!({ "type": ["string", "null"] })))
                    .collect();
                json!({ "type": "array", "items": {
                    "type": "object",
                    "properties": cols,
                    "required": f.columns,
                    "additionalProperties": false,
                }})
            }
            ValueKind::Int if f.key == "year" => json!({
                "type": ["integer", "null"],
                "minimum": crate::normalize::YEARS.start(),
                "maximum": crate::normalize::YEARS.end(),
            }),
            ValueKind::Int => json!({ "type": ["integer", "null"] }),
            ValueKind::Money => json!({ "anyOf": [money, { "type": "null" }] }),
            ValueKind::FundingTable => funding.clone(),
            ValueKind::IndicatorTable => indicators.clone(),
        };
        if let (Some(label), Some(o)) = (&f.label, p.as_object_mut()) {
            o.insert("description".into(), json!(label));
        }
        props.insert(f.key.clone(), p);
    }
    let money_keys: Vec<&String> = fields
        .iter()
        .filter(|f| f.kind == ValueKind::Money)
        .map(|f| &f.key)
        .collect();
    props.insert(
        "units".into(),
        json!({
            "type": "object",
            "description": "Each money field with a value: the unit its amount was printed in (the value is in yuan).",
            "propertyNames": { "enum": money_keys },
            "additionalProperties": { "type": "string" },
        }),
    );
    props.insert(
        "form_key".into(),
        json!({
            "type": ["string", "null"],
            "description": "The project's identity from year to year: the template's form_key fields (unit, project name), normalized, joined by `|`; with the year, the form's identity across copies (a PDF, its scan, a text dump). Null when one of them or the year is null or warned.",
        }),
    );
    props.insert("source".into(), sub(g.subschema_for::<Source>()));
    props.insert("warnings".into(), sub(g.subschema_for::<Vec<Warning>>()));
    props.insert(
        "provenance".into(),
        sub(g.subschema_for::<BTreeMap<String, Location>>()),
    );
    props.insert(
        "ocr_confidence".into(),
        json!({
            "type": "object",
            "description": "OCR'd forms only: field (as in provenance) to the mean confidence of its characters.",
            "additionalProperties": { "type": "number", "minimum": 0, "maximum": 1 },
        }),
    );
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:shenbao:{}:record:{}", env!("CARGO_PKG_VERSION"), t.name),
        "title": format!("Record ({})", t.name),
        "description": format!("One form read with template {}: {}.", t.name, t.header.title),
        "type": "object",
        "properties": props,
    });
    let defs = serde_json::to_value(g.definitions()).expect("JSON");
    if defs.as_object().is_some_and(|d| !d.is_empty()) {
        schema["$defs"] = defs;
    }
    tighten(&mut schema);
    schema
}

/// A partial date: `YYYY-MM` or `YYYY-MM-DD`.
const PARTIAL_DATE: &str = "^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$";

/// The JSON Schema of a record read with any template of the set: one of
/// the templates' schemas ([`record_schema`]), told apart by `template`.
pub fn records_schema(set: &crate::template::Templates) -> serde_json::Value {
    let one_of: Vec<serde_json::Value> = set.list().iter().map(record_schema).collect();
    if one_of.len() == 1 {
        return one_of.into_iter().next().expect("one");
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": concat!("urn:shenbao:", env!("CARGO_PKG_VERSION"), ":record"),
        "title": "Record",
        "description": "One extracted form; `template` says which of these it is.",
        "oneOf": one_of,
    })
}

/// Keys a record may lack: the OCR-only ones.
const OPTIONAL_KEYS: [&str; 2] = ["ocr_confidence", "ocr_pages"];

/// Makes a generated schema strict, recursively: an object with
/// properties requires them all (but [`OPTIONAL_KEYS`]) and allows no
/// other; a `page`, `line` or `line_end` integer is 1-based (and so are
/// `pages`' items); `op` is one of the five operators; a `sha256` is 64 hex
/// digits; Money carries `x-fen-exact`.
fn tighten(v: &mut serde_json::Value) {
    use serde_json::json;
    match v {
        serde_json::Value::Object(o) => {
            if let Some(serde_json::Value::Object(props)) = o.get_mut("properties") {
                for (k, p) in props.iter_mut() {
                    match k.as_str() {
                        "page" | "line" | "line_end" => p["minimum"] = json!(1),
                        "pages" => {
                            p["items"]["minimum"] = json!(1);
                            p["minItems"] = json!(1);
                        }
                        "op" => p["enum"] = json!(["=", "≥", "≤", ">", "<"]),
                        "sha256" => p["pattern"] = json!("^[0-9a-f]{64}$"),
                        _ => {}
                    }
                }
                let required: Vec<String> = props
                    .keys()
                    .filter(|k| !OPTIONAL_KEYS.contains(&k.as_str()))
                    .cloned()
                    .collect();
                o.insert("required".into(), json!(required));
                o.insert("additionalProperties".into(), json!(false));
            }
            if o.get("description").and_then(|d| d.as_str()) == Some(MONEY_DESCRIPTION) {
                o.insert("x-fen-exact".into(), json!(true));
            }
            for x in o.values_mut() {
                tighten(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(tighten),
        _ => {}
    }
}
