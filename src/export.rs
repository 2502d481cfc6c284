//! `kpiroll export`: a book's rows as JSON, CSV or Parquet for scripts and BI tools.
//!
//! JSON is an array of objects with the field names of ARCHITECTURE.md (the export's shape) (nested `goal`,
//! `target` / `actual` as `{raw, kind, number}`, lists as arrays). CSV (UTF-8 with a BOM,
//! so Excel opens it) and Parquet carry the same fields flattened: `goal_no`,
//! `goal_title`, `target_raw`, `target_kind`, `target_number`, …; lists are joined with
//! a line break (`goal_targets`) or a space (`departments`, `project_nos`, `flags`);
//! `extra` becomes one JSON object text per row.
//!
//! A field the city's table has no column for (`measure_kpi` in a city without a 施策
//! KPI) is absent, not blank: `null` in JSON and Parquet (CSV has no null: empty).

use std::path::Path;

use polars::prelude::*;

use crate::error::Error;
use crate::model::{Row, Value, ValueKind};
use crate::profile::{Field, Profile};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Parquet,
}

impl Format {
    /// From the output's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        match crate::read::sniff::extension(path).as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// CSV cells that a spreadsheet would run as a formula (OWASP "CSV injection"): text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
/// Excel shows it as text. Plain numbers (`-5`) and the lone `-` (not applicable) stay
/// as they are. `kpiroll export --raw-csv` turns this off.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let harmless =
        cell == "-" || (cell.starts_with(['-', '+']) && cell[1..].parse::<f64>().is_ok());
    if risky && !harmless {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The bytes of the export of `rows` in `format`; `guard` neutralises CSV cells a
/// spreadsheet would run as formulas (see [`neutralise`]).
///
/// # Errors
/// Parquet encoding failures (polars).
pub fn export_bytes(
    rows: &[Row],
    format: Format,
    path: &Path,
    guard: bool,
    profile: &Profile,
) -> Result<Vec<u8>, Error> {
    let absent = absent_fields(profile);
    match format {
        Format::Json => {
            let mut json = serde_json::to_value(rows).expect("rows serialise");
            if let (false, Some(list)) = (absent.is_empty(), json.as_array_mut()) {
                for row in list.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                    for name in &absent {
                        if let Some(v) = row.get_mut(*name) {
                            if is_blank(v) {
                                *v = serde_json::Value::Null;
                            }
                        }
                    }
                }
            }
            let mut bytes = serde_json::to_vec_pretty(&json).expect("rows serialise");
            bytes.push(b'\n');
            Ok(bytes)
        }
        Format::Csv => Ok(csv_bytes(rows, guard)),
        Format::Parquet => parquet_bytes(rows, &absent).map_err(|e| Error::Parquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

/// The text fields the city's layout has no column for: blank in a row, they are absent
/// (a field filled another way, a 数値目標 line or a 施策 written with its number, keeps
/// its value).
fn absent_fields(profile: &Profile) -> Vec<&'static str> {
    let has = |f: Field| profile.column_of(f).is_some();
    [
        Field::GoalTargets,
        Field::MeasureNo,
        Field::Measure,
        Field::MeasureKpi,
        Field::Summary,
    ]
    .into_iter()
    .filter(|f| !has(*f))
    .map(Field::name)
    .collect()
}

fn is_blank(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A flat text column: its name and the text of a row.
type TextColumn = (&'static str, fn(&Row) -> String);

/// The flat columns, in order: name and the text of each row.
fn flat_text_columns() -> Vec<TextColumn> {
    vec![
        ("year", |r| r.year.to_string()),
        ("goal_no", |r| r.goal.no.clone()),
        ("goal_title", |r| r.goal.title.clone()),
        ("goal_targets", |r| r.goal_targets.join("\n")),
        ("measure_no", |r| r.measure_no.clone()),
        ("measure", |r| r.measure.clone()),
        ("measure_kpi", |r| r.measure_kpi.clone()),
        ("departments", |r| r.departments.join(" ")),
        ("project", |r| r.project.clone()),
        ("project_nos", |r| r.project_nos.join(" ")),
        ("project_nos_note", |r| r.project_nos_note.clone()),
        ("summary", |r| r.summary.clone()),
        ("kpi", |r| r.kpi.clone()),
    ]
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Number => "number",
        ValueKind::Percent => "percent",
        ValueKind::Ratio => "ratio",
        ValueKind::Na => "na",
        ValueKind::Blank => "blank",
        ValueKind::Text => "text",
    }
}

fn number_text(v: &Value) -> String {
    v.number.map(|n| n.to_string()).unwrap_or_default()
}

fn csv_bytes(rows: &[Row], guard: bool) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        let text_cols = flat_text_columns();
        let mut header: Vec<&str> = text_cols.iter().map(|(n, _)| *n).collect();
        header.extend([
            "kpi_index",
            "unit",
            "target_raw",
            "target_kind",
            "target_number",
            "actual_raw",
            "actual_kind",
            "actual_number",
            "flags",
            "remarks",
            "extra",
        ]);
        w.write_record(&header).expect("in-memory write");
        for r in rows {
            let mut rec: Vec<String> = text_cols.iter().map(|(_, f)| f(r)).collect();
            rec.extend([
                r.kpi_index.to_string(),
                r.unit.clone(),
                r.target.raw.clone(),
                kind_name(r.target.kind).to_string(),
                number_text(&r.target),
                r.actual.raw.clone(),
                kind_name(r.actual.kind).to_string(),
                number_text(&r.actual),
                r.flags.join(" "),
                r.remarks.clone(),
                serde_json::to_string(&r.extra).expect("extra serialises"),
            ]);
            if guard {
                rec = rec.iter().map(|c| neutralise(c).into_owned()).collect();
            }
            w.write_record(&rec).expect("in-memory write");
        }
        w.flush().expect("in-memory write");
    }
    out
}

fn parquet_bytes(rows: &[Row], absent: &[&str]) -> PolarsResult<Vec<u8>> {
    let mut columns: Vec<Column> = Vec::new();
    for (name, f) in flat_text_columns() {
        if absent.contains(&name) {
            let values: Vec<Option<String>> = rows
                .iter()
                .map(|r| Some(f(r)).filter(|t| !t.is_empty()))
                .collect();
            columns.push(Column::new(name.into(), values));
            continue;
        }
        let values: Vec<String> = rows.iter().map(f).collect();
        columns.push(Column::new(name.into(), values));
    }
    columns.push(Column::new(
        "kpi_index".into(),
        rows.iter().map(|r| r.kpi_index).collect::<Vec<u32>>(),
    ));
    columns.push(Column::new(
        "unit".into(),
        rows.iter().map(|r| r.unit.clone()).collect::<Vec<_>>(),
    ));
    for (prefix, get) in [
        ("target", (|r: &Row| &r.target) as fn(&Row) -> &Value),
        ("actual", |r: &Row| &r.actual),
    ] {
        columns.push(Column::new(
            format!("{prefix}_raw").into(),
            rows.iter().map(|r| get(r).raw.clone()).collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            format!("{prefix}_kind").into(),
            rows.iter()
                .map(|r| kind_name(get(r).kind).to_string())
                .collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            format!("{prefix}_number").into(),
            rows.iter()
                .map(|r| get(r).number)
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    columns.push(Column::new(
        "flags".into(),
        rows.iter().map(|r| r.flags.join(" ")).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "remarks".into(),
        rows.iter().map(|r| r.remarks.clone()).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "extra".into(),
        rows.iter()
            .map(|r| serde_json::to_string(&r.extra).expect("extra serialises"))
            .collect::<Vec<_>>(),
    ));
    let mut df = DataFrame::new(rows.len(), columns)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_like_cells_are_neutralised_numbers_are_not() {
        for (cell, want) in [
            ("=1+1", "'=1+1"),
            ("+81 90", "'+81 90"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-cmd", "'-cmd"),
            ("\tx", "'\tx"),
            ("-", "-"),
            ("-5", "-5"),
            ("+3.5", "+3.5"),
            ("産学振興課", "産学振興課"),
        ] {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }
}
