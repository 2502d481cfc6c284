//! `kpiroll export`: a book's rows as JSON, CSV or Parquet for scripts and BI tools.
//!
//! JSON is an array of objects with the field names of ARCHITECTURE.md (the export's
//! shape) (nested `goal`, `target` / `actual` as `{raw, kind, number}`, lists as arrays),
//! and each row's 達成率 and grade (`achievement`, `grade`) computed as `diff` does, by
//! `templates/grades.toml`. Parquet carries the same fields flattened: `goal_no`,
//! `goal_title`, `target_raw`, `target_kind`, `target_number`, …; lists are joined with
//! a line break (`goal_targets`) or a space (`departments`, `project_nos`, `flags`);
//! `extra` becomes one JSON object text per row; its text columns are declared plain
//! UTF-8 strings, so common tools (pyarrow, pandas) read it. CSV (UTF-8 with a BOM, so
//! Excel opens it) has the same columns for the office: headers and the words of a
//! value's kind from the message catalogue (`[export]`: Japanese by default, the keys
//! themselves in English), the grade shown as the diff workbook shows it.
//!
//! A field the city's table has no column for (`measure_kpi` in a city without a 施策
//! KPI) is absent, not blank: `null` in JSON and Parquet (CSV has no null: empty).

use std::path::Path;

use polars::io::parquet::write::KeyValueMetadata;
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
        Format::Json => Ok(json_bytes(rows, &absent, profile)),
        Format::Csv => Ok(csv_bytes(rows, guard, profile)),
        Format::Parquet => parquet_bytes(rows, &absent, profile).map_err(|e| Error::Parquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

/// The JSON export: the rows as they serialise, each with its `achievement` (達成率,
/// a number or null) and `grade` (null without a rate); a text field the city has no
/// column for is null where blank.
fn json_bytes(rows: &[Row], absent: &[&str], profile: &Profile) -> Vec<u8> {
    let mut json = serde_json::to_value(rows).expect("rows serialise");
    let list = json.as_array_mut().expect("rows serialise as an array");
    for (row, object) in rows.iter().zip(list.iter_mut()) {
        let object = object
            .as_object_mut()
            .expect("a row serialises as an object");
        for name in absent {
            if let Some(v) = object.get_mut(*name) {
                if is_blank(v) {
                    *v = serde_json::Value::Null;
                }
            }
        }
        let graded = Graded::of(row, profile);
        object.insert("achievement".into(), graded.achievement.into());
        object.insert("grade".into(), graded.grade.into());
    }
    let mut bytes = serde_json::to_vec_pretty(&json).expect("rows serialise");
    bytes.push(b'\n');
    bytes
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

/// What one flat column (CSV, Parquet) holds for a row.
#[derive(Clone, Copy)]
enum Flat {
    /// a text of the row
    Text(fn(&Row) -> String),
    /// the KPI position
    Index,
    /// how a value was read (`number`, `percent` …; in CSV the catalogue's word)
    Kind(fn(&Row) -> &Value),
    /// the number a value shows
    Number(fn(&Row) -> &Value),
    /// 達成率 in % (`grades.toml`), none without a rate
    Achievement,
    /// 評価: the grade's name (`grades.toml`), none without a rate
    Grade,
}

/// The flat columns in order: each one's key (the JSON key it flattens, the Parquet
/// column, the catalogue id `export.<key>` of its CSV header) and what it holds.
fn flat_columns() -> Vec<(&'static str, Flat)> {
    use Flat::{Kind, Number, Text};
    vec![
        ("year", Text(|r| r.year.to_string())),
        ("goal_no", Text(|r| r.goal.no.clone())),
        ("goal_title", Text(|r| r.goal.title.clone())),
        ("goal_targets", Text(|r| r.goal_targets.join("\n"))),
        ("measure_no", Text(|r| r.measure_no.clone())),
        ("measure", Text(|r| r.measure.clone())),
        ("measure_kpi", Text(|r| r.measure_kpi.clone())),
        ("departments", Text(|r| r.departments.join(" "))),
        ("project", Text(|r| r.project.clone())),
        ("project_nos", Text(|r| r.project_nos.join(" "))),
        ("project_nos_note", Text(|r| r.project_nos_note.clone())),
        ("summary", Text(|r| r.summary.clone())),
        ("kpi", Text(|r| r.kpi.clone())),
        ("kpi_index", Flat::Index),
        ("unit", Text(|r| r.unit.clone())),
        ("target_raw", Text(|r| r.target.raw.clone())),
        ("target_kind", Kind(|r| &r.target)),
        ("target_number", Number(|r| &r.target)),
        ("actual_raw", Text(|r| r.actual.raw.clone())),
        ("actual_kind", Kind(|r| &r.actual)),
        ("actual_number", Number(|r| &r.actual)),
        ("achievement", Flat::Achievement),
        ("grade", Flat::Grade),
        ("flags", Text(|r| r.flags.join(" "))),
        ("remarks", Text(|r| r.remarks.clone())),
        (
            "extra",
            Text(|r| serde_json::to_string(&r.extra).expect("extra serialises")),
        ),
    ]
}

/// A row's 達成率 and grade, as `diff` computes them (`grades.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// 達成率 in %, rounded as `grades.toml` says; `None` when the values give none
    pub achievement: Option<f64>,
    /// the grade's name; `None` without a rate
    pub grade: Option<String>,
}

impl Graded {
    /// The 達成率 and grade of a row.
    pub fn of(row: &Row, profile: &Profile) -> Graded {
        let achievement = profile.grades.rate(row);
        Graded {
            achievement,
            grade: profile.grades.grade(achievement).map(|g| g.name.clone()),
        }
    }
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

/// A number as CSV writes it (`96.4`, `30`); empty for none.
fn number_text(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The catalogue's text of `id`, or `fallback` when the catalogue lacks it.
fn catalogue_text(profile: &Profile, id: &str, fallback: &str) -> String {
    profile
        .messages
        .get(id)
        .map_or_else(|| fallback.to_string(), str::to_string)
}

/// The CSV header of a flat column: `export.<key>` of the catalogue (年度, 目標値 … in
/// Japanese, the key itself in English).
pub fn csv_header(profile: &Profile, key: &str) -> String {
    catalogue_text(profile, &format!("export.{key}"), key)
}

/// The CSV word of a value's kind: `export.kinds.<kind>` (数値, 該当なし … in Japanese).
pub fn csv_kind(profile: &Profile, kind: ValueKind) -> String {
    let name = kind_name(kind);
    catalogue_text(profile, &format!("export.kinds.{name}"), name)
}

/// One CSV cell of a flat column.
fn csv_cell(column: Flat, row: &Row, graded: &Graded, profile: &Profile) -> String {
    match column {
        Flat::Text(f) => f(row),
        Flat::Index => row.kpi_index.to_string(),
        Flat::Kind(f) => csv_kind(profile, f(row).kind),
        Flat::Number(f) => number_text(f(row).number),
        Flat::Achievement => number_text(graded.achievement),
        // the office reads the grade as the diff workbook shows it: "no rate" as its text
        Flat::Grade => graded
            .grade
            .clone()
            .unwrap_or_else(|| profile.grades.none.grade.clone()),
    }
}

fn csv_bytes(rows: &[Row], guard: bool, profile: &Profile) -> Vec<u8> {
    let columns = flat_columns();
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        let header: Vec<String> = columns
            .iter()
            .map(|(key, _)| csv_header(profile, key))
            .collect();
        w.write_record(&header).expect("in-memory write");
        for r in rows {
            let graded = Graded::of(r, profile);
            let rec = columns.iter().map(|(_, c)| {
                let cell = csv_cell(*c, r, &graded, profile);
                if guard {
                    neutralise(&cell).into_owned()
                } else {
                    cell
                }
            });
            w.write_record(rec).expect("in-memory write");
        }
        w.flush().expect("in-memory write");
    }
    out
}

/// One Parquet column of a flat column; a text field the city has no column for
/// (`absent`) is null where blank.
fn parquet_column(
    key: &'static str,
    column: Flat,
    rows: &[Row],
    graded: &[Graded],
    absent: &[&str],
) -> Column {
    let name = key.into();
    match column {
        Flat::Text(f) if absent.contains(&key) => Column::new(
            name,
            rows.iter()
                .map(|r| Some(f(r)).filter(|t| !t.is_empty()))
                .collect::<Vec<Option<String>>>(),
        ),
        Flat::Text(f) => Column::new(name, rows.iter().map(f).collect::<Vec<String>>()),
        Flat::Index => Column::new(name, rows.iter().map(|r| r.kpi_index).collect::<Vec<u32>>()),
        Flat::Kind(f) => Column::new(
            name,
            rows.iter()
                .map(|r| kind_name(f(r).kind))
                .collect::<Vec<&str>>(),
        ),
        Flat::Number(f) => Column::new(
            name,
            rows.iter()
                .map(|r| f(r).number)
                .collect::<Vec<Option<f64>>>(),
        ),
        Flat::Achievement => Column::new(
            name,
            graded
                .iter()
                .map(|g| g.achievement)
                .collect::<Vec<Option<f64>>>(),
        ),
        Flat::Grade => Column::new(
            name,
            graded
                .iter()
                .map(|g| g.grade.clone())
                .collect::<Vec<Option<String>>>(),
        ),
    }
}

fn parquet_bytes(rows: &[Row], absent: &[&str], profile: &Profile) -> PolarsResult<Vec<u8>> {
    let graded: Vec<Graded> = rows.iter().map(|r| Graded::of(r, profile)).collect();
    let columns: Vec<Column> = flat_columns()
        .into_iter()
        .map(|(key, c)| parquet_column(key, c, rows, &graded, absent))
        .collect();
    let mut df = DataFrame::new(rows.len(), columns)?;
    let schema = plain_string_schema(&df);
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_key_value_metadata(Some(KeyValueMetadata::Static(vec![schema])))
        .finish(&mut df)?;
    Ok(out)
}

/// The Arrow schema the file declares (its `ARROW:schema` entry): text as plain UTF-8
/// strings. polars declares its own string views, which pyarrow, pandas and other
/// readers either refuse or hand on as a type most tools do not know; the values in
/// the file are the same either way (Parquet's UTF-8 byte arrays).
fn plain_string_schema(df: &DataFrame) -> polars_parquet::write::KeyValue {
    let fields = df
        .schema()
        .to_arrow(CompatLevel::oldest())
        .iter_values()
        .map(|f| {
            let dtype = match f.dtype {
                ArrowDataType::Utf8View | ArrowDataType::LargeUtf8 => ArrowDataType::Utf8,
                ref other => other.clone(),
            };
            ArrowField::new(f.name.clone(), dtype, f.is_nullable)
        })
        .collect::<Vec<_>>();
    polars_parquet::write::schema_to_metadata_key(&ArrowSchema::from_iter(fields))
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
