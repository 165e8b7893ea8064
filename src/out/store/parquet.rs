//! Parquet exports (`export --format parquet`, Cargo feature `parquet`):
//! each table as `NAME.parquet`, Snappy-compressed as Spark writes it,
//! every column typed from its [`Kind`]: money DECIMAL(18,2) (exact to the
//! fen), dates DATE, flags BOOLEAN, integers INT64, other numbers DOUBLE,
//! text and JSON text UTF8; NULL kept.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rusqlite::types::Value as SqlValue;

use super::export::{Kind, TableSpec};
use super::{Store, StoreResult};
use crate::out::file::OutputFile;

/// Rows written per row group batch.
const BATCH_ROWS: usize = 8192;

/// The Arrow type of a column kind.
fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Int => DataType::Int64,
        Kind::Bool => DataType::Boolean,
        Kind::Real => DataType::Float64,
        Kind::Money => DataType::Decimal128(18, 2),
        Kind::Date => DataType::Date32,
        Kind::Text | Kind::Json => DataType::Utf8,
    }
}

/// The table's Arrow schema: every column nullable, typed by its kind.
pub fn schema(spec: &TableSpec) -> Schema {
    Schema::new(
        spec.columns
            .iter()
            .map(|(name, kind)| Field::new(name, data_type(*kind), true))
            .collect::<Vec<_>>(),
    )
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// `YYYY-MM-DD` as days since 1970-01-01; `None` for anything else.
fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let days_in = [
        31,
        28 + i64::from(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

/// One column being filled.
enum Column {
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Real(Float64Builder),
    Money(Decimal128Builder),
    Date(Date32Builder),
    Text(StringBuilder),
}

impl Column {
    fn new(kind: Kind) -> Column {
        match kind {
            Kind::Int => Column::Int(Int64Builder::new()),
            Kind::Bool => Column::Bool(BooleanBuilder::new()),
            Kind::Real => Column::Real(Float64Builder::new()),
            Kind::Money => {
                Column::Money(Decimal128Builder::new().with_data_type(DataType::Decimal128(18, 2)))
            }
            Kind::Date => Column::Date(Date32Builder::new()),
            Kind::Text | Kind::Json => Column::Text(StringBuilder::new()),
        }
    }

    /// Appends one value; `Err` names what does not fit the column.
    fn push(&mut self, v: &SqlValue) -> Result<(), String> {
        use SqlValue::*;
        match (self, v) {
            (Column::Int(b), Integer(i)) => b.append_value(*i),
            (Column::Int(b), Null) => b.append_null(),
            (Column::Bool(b), Integer(i)) => b.append_value(*i != 0),
            (Column::Bool(b), Null) => b.append_null(),
            (Column::Real(b), Real(x)) => b.append_value(*x),
            (Column::Real(b), Integer(i)) => b.append_value(*i as f64),
            (Column::Real(b), Null) => b.append_null(),
            (Column::Money(b), Real(x)) => b.append_value((x * 100.0).round() as i128),
            (Column::Money(b), Integer(i)) => b.append_value(i128::from(*i) * 100),
            (Column::Money(b), Null) => b.append_null(),
            (Column::Date(b), Text(s)) => {
                b.append_value(parse_date(s).ok_or_else(|| format!("not a date: {s:?}"))?)
            }
            (Column::Date(b), Null) => b.append_null(),
            (Column::Text(b), Text(s)) => b.append_value(s),
            (Column::Text(b), Integer(i)) => b.append_value(i.to_string()),
            (Column::Text(b), Real(x)) => b.append_value(x.to_string()),
            (Column::Text(b), Null) => b.append_null(),
            (_, v) => return Err(format!("unexpected value {v:?}")),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Int(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Real(b) => Arc::new(b.finish()),
            Column::Money(b) => Arc::new(b.finish()),
            Column::Date(b) => Arc::new(b.finish()),
            Column::Text(b) => Arc::new(b.finish()),
        }
    }
}

/// Writes `spec`'s rows of `store` to `path` as Parquet; the row count.
pub fn export_table(store: &Store, spec: &TableSpec, path: &Path) -> StoreResult<u64> {
    let err = |e: String| std::io::Error::other(format!("{}: {e}", path.display()));
    let schema = Arc::new(schema(spec));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let out = OutputFile::create(path)?;
    let mut w =
        ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(|e| err(e.to_string()))?;
    let mut st = store.conn.prepare(&spec.query).map_err(store.sql())?;
    let mut rows = st.query([]).map_err(store.sql())?;
    let new_columns =
        || -> Vec<Column> { spec.columns.iter().map(|(_, k)| Column::new(*k)).collect() };
    let mut cols = new_columns();
    let (mut n, mut pending) = (0u64, 0usize);
    let flush = |cols: &mut Vec<Column>, w: &mut ArrowWriter<OutputFile>| -> StoreResult<()> {
        let arrays: Vec<ArrayRef> = cols.iter_mut().map(Column::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| err(e.to_string()))?;
        w.write(&batch).map_err(|e| err(e.to_string()))?;
        Ok(())
    };
    while let Some(r) = rows.next().map_err(store.sql())? {
        for (i, c) in cols.iter_mut().enumerate() {
            let v: SqlValue = r.get(i).map_err(store.sql())?;
            c.push(&v)
                .map_err(|e| err(format!("{}.{}: {e}", spec.name, spec.columns[i].0)))?;
        }
        n += 1;
        pending += 1;
        if pending == BATCH_ROWS {
            flush(&mut cols, &mut w)?;
            pending = 0;
        }
    }
    if pending > 0 || n == 0 {
        flush(&mut cols, &mut w)?;
    }
    let out = w.into_inner().map_err(|e| err(e.to_string()))?;
    out.commit()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_since_1970_and_anything_else_is_refused() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2019-12-31"), Some(18261));
        assert_eq!(parse_date("2020-02-29"), Some(18321));
        assert_eq!(parse_date("2019-02-29"), None);
        assert_eq!(parse_date("2019/12/31"), None);
        assert_eq!(parse_date("2019-13-01"), None);
    }
}
