//! 推移 (more than two books): one row per KPI over every book, 実績値 and 達成率 per
//! year, each with a sparkline.

use rust_xlsxwriter::{Format, Sparkline, SparklineType, Worksheet, XlsxError};

use super::cells::{write_rate, write_value, ReportStyles};
use super::print_setup;
use crate::diff::{Diff, TrendRow};
use crate::model::Value;
use crate::numfmt;
use crate::profile::{Field, Profile};
use crate::write::diff_render::field_header;
use crate::write::page::{text_lines, LINE_PT, PAD_PT};

/// Where 推移's columns are: the fixed ones (header, width), then per year the 実績値,
/// their sparkline, per year the 達成率, their sparkline.
struct Columns {
    fixed: [(String, f64); 6],
    /// the number of years
    years: u16,
    actual_first: u16,
    actual_spark: u16,
    rate_first: u16,
    rate_spark: u16,
}

impl Columns {
    fn new(profile: &Profile, years: usize) -> Columns {
        let fixed = [
            (field_header(profile, Field::ProjectNos), 10.0),
            (profile.message("diff_kpi_no", &[]), 7.0),
            (field_header(profile, Field::Departments), 12.0),
            (field_header(profile, Field::Project), 18.0),
            (field_header(profile, Field::Kpi), 18.0),
            (field_header(profile, Field::Unit), 5.0),
        ];
        let years = years as u16;
        let actual_first = fixed.len() as u16;
        let actual_spark = actual_first + years;
        let rate_first = actual_spark + 1;
        Columns {
            fixed,
            years,
            actual_first,
            actual_spark,
            rate_first,
            rate_spark: rate_first + years,
        }
    }
}

/// 推移: one row per KPI over every book, 実績値 and 達成率 per year, each with a
/// sparkline.
pub(super) fn trend_sheet(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    let Some(trend) = &diff.trend else {
        return Ok(());
    };
    let name = profile.message("diff_sheet_trend", &[]);
    sheet.set_name(&name)?;
    let cols = Columns::new(profile, trend.years.len());
    header_row(sheet, &cols, diff, profile, styles)?;
    for (i, t) in trend.rows.iter().enumerate() {
        let r = i as u32 + 1;
        trend_row(sheet, r, t, &cols, profile, styles)?;
        sparklines(sheet, r, t, &cols, (&name, &styles.book.text))?;
        row_height(sheet, r, t, &cols, profile)?;
    }
    sheet.set_freeze_panes(1, cols.fixed.len() as u16)?;
    sheet.autofilter(0, 0, trend.rows.len().max(1) as u32, cols.rate_spark)?;
    print_setup(sheet, profile, Some((0, 0)))
}

/// The header row: the fixed columns, each year's 実績値 and 達成率, the sparklines'.
fn header_row(
    sheet: &mut Worksheet,
    cols: &Columns,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
    let Some(trend) = &diff.trend else {
        return Ok(());
    };
    let b = &styles.book;
    for (c, (h, w)) in cols.fixed.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &b.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    for (i, y) in trend.years.iter().enumerate() {
        let year = y.year_text();
        let i = i as u16;
        sheet.write_string_with_format(
            0,
            cols.actual_first + i,
            profile.message("diff_trend_actual", &[("year", &year)]),
            &b.header,
        )?;
        sheet.write_string_with_format(
            0,
            cols.rate_first + i,
            profile.message("diff_trend_rate", &[("year", &year)]),
            &b.header,
        )?;
        sheet.set_column_width(cols.actual_first + i, 10)?;
        sheet.set_column_width(cols.rate_first + i, 9)?;
    }
    for (c, id) in [
        (cols.actual_spark, "diff_trend_actual_line"),
        (cols.rate_spark, "diff_trend_rate_line"),
    ] {
        sheet.write_string_with_format(0, c, profile.message(id, &[]), &b.header)?;
        sheet.set_column_width(c, 16)?;
    }
    Ok(())
}

/// A KPI's row: its key and latest wording, then each year's 実績値 and 達成率 (blank
/// for a year without the row).
fn trend_row(
    sheet: &mut Worksheet,
    r: u32,
    t: &TrendRow,
    cols: &Columns,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    let latest = t.latest();
    let b = &styles.book;
    sheet.write_string_with_format(r, 0, &t.key.project_no, &b.text)?;
    sheet.write_number_with_format(r, 1, f64::from(t.key.kpi_index), &b.centered)?;
    sheet.write_string_with_format(
        r,
        2,
        latest
            .departments
            .join(&profile.patterns.department_separator),
        &b.text,
    )?;
    sheet.write_string_with_format(r, 3, &latest.project, &b.text)?;
    sheet.write_string_with_format(r, 4, &latest.kpi, &b.text)?;
    sheet.write_string_with_format(r, 5, &latest.unit, &b.centered)?;
    for (y, cell) in t.cells.iter().enumerate() {
        let y = y as u16;
        let (actual, rate) = (cols.actual_first + y, cols.rate_first + y);
        match cell {
            Some(side) => {
                write_trend_value(sheet, r, actual, &side.row.actual, profile, styles)?;
                write_rate(sheet, r, rate, side.rate, profile, styles)?;
            }
            None => {
                sheet.write_blank(r, actual, &styles.book.text)?;
                sheet.write_blank(r, rate, &styles.book.text)?;
            }
        }
    }
    Ok(())
}

/// The row's two sparklines: columns from 0 (LibreOffice draws column sparklines, not
/// line ones); a row with a negative actual keeps Excel's automatic axis.
fn sparklines(
    sheet: &mut Worksheet,
    r: u32,
    t: &TrendRow,
    cols: &Columns,
    (name, blank): (&str, &Format),
) -> Result<(), XlsxError> {
    let negative = t
        .cells
        .iter()
        .flatten()
        .any(|s| s.row.actual.number.is_some_and(|x| x < 0.0));
    for (c, first, from_zero) in [
        (cols.actual_spark, cols.actual_first, !negative),
        (cols.rate_spark, cols.rate_first, true),
    ] {
        sheet.write_blank(r, c, blank)?;
        let mut bars = Sparkline::new()
            .set_range((name, r, first, r, first + cols.years - 1))
            .set_type(SparklineType::Column)
            .show_high_point(true);
        if from_zero {
            bars = bars.set_custom_min(0.0);
        }
        sheet.add_sparkline(r, c, &bars)?;
    }
    Ok(())
}

/// The row's height: the most lines its 課, 事業名 or KPI wraps to, two at least (room
/// for the sparklines).
fn row_height(
    sheet: &mut Worksheet,
    r: u32,
    t: &TrendRow,
    cols: &Columns,
    profile: &Profile,
) -> Result<(), XlsxError> {
    let latest = t.latest();
    let lines = cols
        .fixed
        .iter()
        .enumerate()
        .map(|(c, (_, w))| {
            let text = match c {
                2 => latest
                    .departments
                    .join(&profile.patterns.department_separator),
                3 => latest.project.clone(),
                4 => latest.kpi.clone(),
                _ => String::new(),
            };
            text_lines(&text, *w)
        })
        .max()
        .unwrap_or(1)
        .max(2);
    sheet.set_row_height(r, lines as f64 * LINE_PT + PAD_PT)?;
    Ok(())
}

/// A 実績値 of 推移: every value with a number is written as that number, so the
/// sparkline compares like with like: `96.4%` and `107% (16/14)` as 96.4 and 107 shown
/// with a `%`, plain numbers in the format of their text; the rest as text.
fn write_trend_value(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Value,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    use crate::model::ValueKind;
    match (v.kind, v.number) {
        (ValueKind::Percent | ValueKind::Ratio, Some(x)) => {
            let text = numfmt::general(x);
            let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
            let code = if decimals == 0 {
                "0\"%\"".to_string()
            } else {
                format!("0.{}\"%\"", "0".repeat(decimals))
            };
            let f = styles.book.number(&code).clone();
            sheet.write_number_with_format(r, c, x, &f)?;
            Ok(())
        }
        _ => write_value(sheet, (r, c), (v, ""), false, profile, styles),
    }
}
