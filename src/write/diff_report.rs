//! The diff workbook: 概要 (counts per 基本目標 and per 課, the grade distribution of
//! both years with a chart), 変更一覧 (one row per change), 対照表 (both years side by
//! side with 達成率 and grade, changed cells highlighted) and, for more than two books,
//! 推移 (one row per KPI, 実績値 and 達成率 per year, a sparkline of each).
//!
//! Printed like the book: the layout's paper and orientation, one page wide, the
//! header rows repeated on every page, page numbers in the footer. The creation date is
//! fixed (as the book's), so the same books give the same bytes.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFont, ChartLegendPosition, ChartType, Format, Sparkline,
    SparklineType, Workbook, Worksheet, XlsxError,
};

use super::book::header_text;
use super::page::{text_lines, Page, LINE_PT, PAD_PT};
use super::styles::rgb;
use super::styles::Styles;
use super::workbook::set_fixed_properties;
use crate::diff::{Counts, Diff, DiffRow, Input, Side, Status};
use crate::model::{Book, FiscalYear, Value};
use crate::numfmt;
use crate::profile::{Field, Profile};
use crate::write::diff_render::{field_header, measure_text, status_text};

/// The formats of the report besides the book's: text without a border, the rate's
/// percentage, each grade's fill.
struct ReportStyles {
    book: Styles,
    plain: Format,
    /// `0.0%` with the profile's decimals
    rate_code: String,
    /// per grade name: its centred, filled format
    grades: Vec<(String, Format)>,
}

impl ReportStyles {
    fn new(profile: &Profile) -> ReportStyles {
        let layout = &profile.layout.book;
        let book = Styles::new(layout);
        let plain = Format::new()
            .set_font_name(&layout.font)
            .set_font_size(layout.font_size);
        let decimals = usize::from(profile.grades.rate.decimals);
        let rate_code = if decimals == 0 {
            "0%".to_string()
        } else {
            format!("0.{}%", "0".repeat(decimals))
        };
        let grades = profile
            .grades
            .grade
            .iter()
            .map(|g| {
                let f = book.centered.clone();
                let f = match &g.fill {
                    Some(hex) => f.set_background_color(rgb(hex)),
                    None => f,
                };
                (g.name.clone(), f)
            })
            .collect();
        ReportStyles {
            plain,
            book,
            rate_code,
            grades,
        }
    }

    fn grade(&self, side: &Side) -> Format {
        side.grade
            .as_ref()
            .and_then(|g| self.grades.iter().find(|(n, _)| n == g))
            .map_or_else(|| self.book.centered.clone(), |(_, f)| f.clone())
    }
}

/// Builds the diff workbook.
///
/// # Errors
/// rust_xlsxwriter's limits.
pub fn diff_workbook(diff: &Diff, profile: &Profile) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let year = diff.new.book.year.0.max(1900);
    set_fixed_properties(
        &mut workbook,
        &Book {
            year: FiscalYear(year),
            rows: Vec::new(),
        },
    )?;
    super::workbook::mark_output(
        &mut workbook,
        crate::model::OutputKind::Diff,
        FiscalYear(year),
    )?;
    let mut styles = ReportStyles::new(profile);
    summary_sheet(workbook.add_worksheet(), diff, profile, &styles)?;
    changes_sheet(workbook.add_worksheet(), diff, profile, &styles)?;
    compare_sheet(workbook.add_worksheet(), diff, profile, &mut styles)?;
    if diff.trend.is_some() {
        trend_sheet(workbook.add_worksheet(), diff, profile, &mut styles)?;
    }
    Ok(workbook)
}

/// The layout's print setup, and the rows repeated on every page.
fn print_setup(
    sheet: &mut Worksheet,
    profile: &Profile,
    repeat: Option<(u32, u32)>,
) -> Result<(), XlsxError> {
    Page::of_book(&profile.layout.book).apply(sheet);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// `比較元 R6` / `比較先 R7`: the label of a side.
fn side_label(profile: &Profile, input: &Input, old: bool) -> String {
    let id = if old {
        "diff_side_old"
    } else {
        "diff_side_new"
    };
    profile.message(id, &[("year", &input.year_text())])
}

/// 概要: counts per 基本目標 and per 課, the grade distribution and its chart.
fn summary_sheet(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
    let name = profile.message("diff_sheet_summary", &[]);
    sheet.set_name(&name)?;
    let (old_year, new_year) = (diff.old.year_text(), diff.new.year_text());
    sheet.write_string_with_format(
        0,
        0,
        profile.message("diff_title", &[("old", &old_year), ("new", &new_year)]),
        &styles.book.title,
    )?;
    sheet.write_string_with_format(
        1,
        0,
        profile.message(
            "diff_files",
            &[
                ("old", &old_year),
                ("new", &new_year),
                ("old_file", &diff.old.name()),
                ("new_file", &diff.new.name()),
            ],
        ),
        &styles.plain,
    )?;
    let statuses = Status::ALL;
    let count_headers: Vec<String> = std::iter::once(profile.message("diff_rows", &[]))
        .chain(
            statuses
                .iter()
                .map(|s| profile.message(s.message_id(), &[])),
        )
        .collect();
    let b = &styles.book;
    let write_counts = |sheet: &mut Worksheet,
                        r: u32,
                        title: String,
                        groups: Vec<(String, Counts)>|
     -> Result<u32, XlsxError> {
        sheet.write_string_with_format(r, 0, title, &b.header)?;
        for (i, h) in count_headers.iter().enumerate() {
            sheet.write_string_with_format(r, 1 + i as u16, h, &b.header)?;
        }
        let mut r = r + 1;
        let mut total = Counts::default();
        for (label, c) in &groups {
            sheet.write_string_with_format(r, 0, label, &b.text)?;
            sheet.write_number_with_format(r, 1, c.rows as f64, &b.value_text)?;
            for (i, s) in statuses.iter().enumerate() {
                sheet.write_number_with_format(r, 2 + i as u16, c.of(*s) as f64, &b.value_text)?;
            }
            total.rows += c.rows;
            total.changed += c.changed;
            total.added += c.added;
            total.removed += c.removed;
            total.unchanged += c.unchanged;
            r += 1;
        }
        sheet.write_string_with_format(r, 0, profile.message("diff_total", &[]), &b.header)?;
        sheet.write_number_with_format(r, 1, total.rows as f64, &b.header)?;
        for (i, s) in statuses.iter().enumerate() {
            sheet.write_number_with_format(r, 2 + i as u16, total.of(*s) as f64, &b.header)?;
        }
        Ok(r + 2)
    };
    let goals = diff
        .by_goal()
        .into_iter()
        .map(|(g, c)| (profile.section_text(&g), c))
        .collect();
    let r = write_counts(sheet, 3, profile.message("diff_goal", &[]), goals)?;
    let departments = diff.by_department();
    let r = write_counts(
        sheet,
        r,
        field_header(profile, Field::Departments),
        departments,
    )?;
    sheet.write_string_with_format(
        r - 1,
        0,
        profile.message("diff_joint_note", &[]),
        &styles.plain,
    )?;

    // the grade distribution, right of the counts, and its chart under it
    let gc: u16 = 8;
    let top: u32 = 3;
    sheet.write_string_with_format(top, gc, profile.message("diff_grade", &[]), &b.header)?;
    sheet.write_string_with_format(top, gc + 1, side_label(profile, &diff.old, true), &b.header)?;
    sheet.write_string_with_format(
        top,
        gc + 2,
        side_label(profile, &diff.new, false),
        &b.header,
    )?;
    let grades = diff.grade_counts(profile);
    for (i, (grade, old, new)) in grades.iter().enumerate() {
        let r = top + 1 + i as u32;
        sheet.write_string_with_format(r, gc, grade, &b.centered)?;
        sheet.write_number_with_format(r, gc + 1, *old as f64, &b.value_text)?;
        sheet.write_number_with_format(r, gc + 2, *new as f64, &b.value_text)?;
    }
    let last = top + grades.len() as u32;
    let mut font = ChartFont::new();
    font.set_name(&profile.layout.book.font);
    let mut title_font = font.clone();
    title_font.set_size(12).set_bold();
    let mut label = ChartDataLabel::new();
    label.show_value();
    let mut chart = Chart::new(ChartType::Column);
    for c in [gc + 1, gc + 2] {
        chart
            .add_series()
            .set_name((name.as_str(), top, c))
            .set_categories((name.as_str(), top + 1, gc, last, gc))
            .set_values((name.as_str(), top + 1, c, last, c))
            .set_data_label(&label);
    }
    chart
        .title()
        .set_name(&profile.message(
            "diff_grade_chart",
            &[("old", &old_year), ("new", &new_year)],
        ))
        .set_font(&title_font);
    chart.x_axis().set_font(&font);
    chart.y_axis().set_font(&font);
    chart
        .legend()
        .set_position(ChartLegendPosition::Bottom)
        .set_font(&font);
    chart.set_width(560).set_height(340);
    sheet.insert_chart(last + 2, gc, &chart)?;

    sheet.set_column_width(0, 44)?;
    for c in 1..=5 {
        sheet.set_column_width(c, 9)?;
    }
    sheet.set_column_width(6, 3)?;
    sheet.set_column_width(7, 3)?;
    sheet.set_column_width(gc, 10)?;
    sheet.set_column_width(gc + 1, 12)?;
    sheet.set_column_width(gc + 2, 12)?;
    print_setup(sheet, profile, None)
}

/// 変更一覧: one row per changed field; an added or removed row is one row.
fn changes_sheet(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
    sheet.set_name(profile.message("diff_sheet_changes", &[]))?;
    let headers = profile.message(
        "diff_changes_headers",
        &[
            ("old", &side_label(profile, &diff.old, true)),
            ("new", &side_label(profile, &diff.new, false)),
        ],
    );
    let headers: Vec<&str> = headers.split('|').collect();
    let mut lines: Vec<Vec<String>> = Vec::new();
    for r in diff.rows.iter().filter(|r| r.status != Status::Unchanged) {
        let row = r.row();
        let base = vec![
            r.key.project_no.clone(),
            r.key.kpi_index.to_string(),
            profile.section_text(&row.goal),
            measure_text(row),
            row.departments.join(&profile.patterns.department_separator),
            row.project.clone(),
            status_text(r, profile),
        ];
        if r.changes.is_empty() {
            lines.push([base.clone(), vec![String::new(); 4]].concat());
        }
        for c in &r.changes {
            let note = if c.field == Field::Departments && r.renamed {
                profile.message("diff_renamed", &[])
            } else {
                String::new()
            };
            lines.push(
                [
                    base.clone(),
                    vec![c.label(profile), c.old.clone(), c.new.clone(), note],
                ]
                .concat(),
            );
        }
    }
    let widths = [
        10.0, 6.0, 24.0, 18.0, 14.0, 22.0, 12.0, 8.0, 36.0, 36.0, 10.0,
    ];
    let b = &styles.book;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &b.header)?;
        sheet.set_column_width(c as u16, *widths.get(c).unwrap_or(&12.0))?;
    }
    for (i, line) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        let height = line
            .iter()
            .enumerate()
            .map(|(c, t)| text_lines(t, *widths.get(c).unwrap_or(&12.0)))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(r, height as f64 * LINE_PT + PAD_PT)?;
        for (c, text) in line.iter().enumerate() {
            let format = if c == 1 { &b.centered } else { &b.text };
            if c == 1 {
                let n: f64 = text.parse().unwrap_or(0.0);
                sheet.write_number_with_format(r, c as u16, n, format)?;
            } else {
                sheet.write_string_with_format(r, c as u16, text, format)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, lines.len() as u32, (headers.len() - 1) as u16)?;
    print_setup(sheet, profile, Some((0, 0)))
}

/// The fields of each side of 対照表, then 達成率 and 評価.
const SIDE_FIELDS: [Field; 7] = [
    Field::Departments,
    Field::Project,
    Field::Summary,
    Field::Kpi,
    Field::Unit,
    Field::Target,
    Field::Actual,
];
const SIDE_WIDTHS: [f64; 9] = [12.0, 16.0, 28.0, 16.0, 5.0, 9.0, 9.0, 7.0, 5.0];
const KEY_WIDTHS: [f64; 5] = [6.0, 4.0, 9.0, 5.0, 10.0];

/// 対照表: each KPI row with both years side by side; changed fields highlighted on
/// both sides.
fn compare_sheet(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    sheet.set_name(profile.message("diff_sheet_compare", &[]))?;
    let key_headers = profile.message("diff_key_headers", &[]);
    let key_headers: Vec<&str> = key_headers.split('|').collect();
    let nk = key_headers.len() as u16;
    let side_cols = (SIDE_FIELDS.len() + 2) as u16;
    {
        let b = &styles.book;
        for (c, h) in key_headers.iter().enumerate() {
            sheet.merge_range(0, c as u16, 1, c as u16, h, &b.header)?;
            sheet.set_column_width(c as u16, *KEY_WIDTHS.get(c).unwrap_or(&8.0))?;
        }
        for (s, input) in [(0u16, &diff.old), (1u16, &diff.new)] {
            let first = nk + s * side_cols;
            let label = format!("{}（{}）", side_label(profile, input, s == 0), input.name());
            sheet.merge_range(0, first, 0, first + side_cols - 1, &label, &b.header)?;
            let book = &input.book;
            for (i, f) in SIDE_FIELDS.iter().enumerate() {
                let header = profile
                    .layout
                    .columns
                    .iter()
                    .find(|c| c.field == *f)
                    .map_or_else(|| f.name().to_string(), |c| header_text(&c.header, book));
                sheet.write_string_with_format(1, first + i as u16, header, &b.header)?;
            }
            let n = SIDE_FIELDS.len() as u16;
            sheet.write_string_with_format(
                1,
                first + n,
                profile.message("diff_rate", &[]),
                &b.header,
            )?;
            sheet.write_string_with_format(
                1,
                first + n + 1,
                profile.message("diff_grade", &[]),
                &b.header,
            )?;
            for (i, w) in SIDE_WIDTHS.iter().enumerate() {
                sheet.set_column_width(first + i as u16, *w)?;
            }
        }
    }
    let mut r: u32 = 2;
    for row in &diff.rows {
        write_compare_row(sheet, r, row, profile, styles, nk, side_cols)?;
        r += 1;
    }
    sheet.set_freeze_panes(2, nk)?;
    sheet.autofilter(1, 0, r.max(3) - 1, nk + 2 * side_cols - 1)?;
    print_setup(sheet, profile, Some((0, 1)))
}

#[allow(clippy::too_many_arguments)]
fn write_compare_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &DiffRow,
    profile: &Profile,
    styles: &mut ReportStyles,
    nk: u16,
    side_cols: u16,
) -> Result<(), XlsxError> {
    let main = row.row();
    let mark = row.status != Status::Unchanged;
    let b = &styles.book;
    let status_format = if mark {
        b.highlighted(&b.centered)
    } else {
        b.centered.clone()
    };
    sheet.write_string_with_format(r, 0, &main.goal.no, &b.centered)?;
    sheet.write_string_with_format(r, 1, &main.measure_no, &b.centered)?;
    let key_format = if row.change(Field::ProjectNos).is_some() {
        b.highlighted(&b.text)
    } else {
        b.text.clone()
    };
    sheet.write_string_with_format(r, 2, &row.key.project_no, &key_format)?;
    sheet.write_number_with_format(r, 3, f64::from(row.key.kpi_index), &b.centered)?;
    sheet.write_string_with_format(r, 4, status_text(row, profile), &status_format)?;
    let mut lines = 1;
    for (s, side) in [(0u16, &row.old), (1u16, &row.new)] {
        let first = nk + s * side_cols;
        let Some(side) = side else {
            for c in 0..side_cols {
                sheet.write_blank(r, first + c, &styles.book.text)?;
            }
            continue;
        };
        for (i, f) in SIDE_FIELDS.iter().enumerate() {
            let c = first + i as u16;
            let changed = row.change(*f).is_some();
            let text = crate::row_text::field_text(&side.row, *f, profile);
            let width = SIDE_WIDTHS[i];
            if matches!(
                f,
                Field::Project | Field::Summary | Field::Kpi | Field::Departments
            ) {
                lines = lines.max(text_lines(&text, width));
            }
            match f {
                Field::Target | Field::Actual => {
                    let v = if *f == Field::Target {
                        &side.row.target
                    } else {
                        &side.row.actual
                    };
                    write_value(sheet, (r, c), (v, &side.row.unit), changed, profile, styles)?;
                }
                _ => {
                    let b = &styles.book;
                    let plain = if *f == Field::Unit {
                        &b.centered
                    } else {
                        &b.text
                    };
                    let format = if changed {
                        b.highlighted(plain)
                    } else {
                        plain.clone()
                    };
                    sheet.write_string_with_format(r, c, text, &format)?;
                }
            }
        }
        let c = first + SIDE_FIELDS.len() as u16;
        write_rate(sheet, r, c, side.rate, profile, styles)?;
        let grade_format = styles.grade(side);
        sheet.write_string_with_format(
            r,
            c + 1,
            crate::write::diff_render::grade_text(side, profile),
            &grade_format,
        )?;
    }
    sheet.set_row_height(r, lines as f64 * LINE_PT + PAD_PT)?;
    Ok(())
}

/// A 目標値 / 実績値 cell: a number in the format of its raw text, else the text;
/// `unit` is the row's 単位 (a percentage where it is % is written on its scale).
fn write_value(
    sheet: &mut Worksheet,
    (r, c): (u32, u16),
    (v, unit): (&Value, &str),
    changed: bool,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    let mark = |b: &Styles, f: &Format| if changed { b.highlighted(f) } else { f.clone() };
    if let Some((x, code)) = numfmt::number_cell(v, unit, &profile.patterns.negative_signs) {
        let f = styles.book.number(&code).clone();
        sheet.write_number_with_format(r, c, x, &mark(&styles.book, &f))?;
    } else {
        let b = &styles.book;
        sheet.write_string_with_format(r, c, &v.raw, &mark(b, &b.value_text))?;
    }
    Ok(())
}

/// A 達成率 cell: the rate as a percentage, or the "no rate" text centred.
fn write_rate(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    rate: Option<f64>,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    match rate {
        Some(rate) => {
            let code = styles.rate_code.clone();
            let f = styles.book.number(&code).clone();
            // the fraction Excel shows as the rate: 93.3 → 0.933, not 0.93299…
            let digits = usize::from(profile.grades.rate.decimals) + 2;
            let x: f64 = format!("{:.digits$}", rate / 100.0)
                .parse()
                .unwrap_or(rate / 100.0);
            sheet.write_number_with_format(r, c, x, &f)?;
        }
        None => {
            sheet.write_string_with_format(
                r,
                c,
                &profile.grades.none.grade,
                &styles.book.centered,
            )?;
        }
    }
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

/// 推移: one row per KPI over every book, 実績値 and 達成率 per year, each with a
/// sparkline.
fn trend_sheet(
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
    let fixed = [
        (field_header(profile, Field::ProjectNos), 10.0),
        (profile.message("diff_kpi_no", &[]), 7.0),
        (field_header(profile, Field::Departments), 12.0),
        (field_header(profile, Field::Project), 18.0),
        (field_header(profile, Field::Kpi), 18.0),
        (field_header(profile, Field::Unit), 5.0),
    ];
    let n = trend.years.len() as u16;
    let nf = fixed.len() as u16;
    let actual_first = nf;
    let actual_spark = actual_first + n;
    let rate_first = actual_spark + 1;
    let rate_spark = rate_first + n;
    {
        let b = &styles.book;
        for (c, (h, w)) in fixed.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &b.header)?;
            sheet.set_column_width(c as u16, *w)?;
        }
        for (i, y) in trend.years.iter().enumerate() {
            let year = y.year_text();
            let i = i as u16;
            sheet.write_string_with_format(
                0,
                actual_first + i,
                profile.message("diff_trend_actual", &[("year", &year)]),
                &b.header,
            )?;
            sheet.write_string_with_format(
                0,
                rate_first + i,
                profile.message("diff_trend_rate", &[("year", &year)]),
                &b.header,
            )?;
            sheet.set_column_width(actual_first + i, 10)?;
            sheet.set_column_width(rate_first + i, 9)?;
        }
        for (c, id) in [
            (actual_spark, "diff_trend_actual_line"),
            (rate_spark, "diff_trend_rate_line"),
        ] {
            sheet.write_string_with_format(0, c, profile.message(id, &[]), &b.header)?;
            sheet.set_column_width(c, 16)?;
        }
    }
    for (i, t) in trend.rows.iter().enumerate() {
        let r = i as u32 + 1;
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
            match cell {
                Some(side) => {
                    write_trend_value(
                        sheet,
                        r,
                        actual_first + y,
                        &side.row.actual,
                        profile,
                        styles,
                    )?;
                    write_rate(sheet, r, rate_first + y, side.rate, profile, styles)?;
                }
                None => {
                    sheet.write_blank(r, actual_first + y, &styles.book.text)?;
                    sheet.write_blank(r, rate_first + y, &styles.book.text)?;
                }
            }
        }
        // columns from 0 (LibreOffice draws column sparklines, not line ones); a row
        // with a negative actual keeps Excel's automatic axis
        let negative = t
            .cells
            .iter()
            .flatten()
            .any(|s| s.row.actual.number.is_some_and(|x| x < 0.0));
        for (c, first, from_zero) in [
            (actual_spark, actual_first, !negative),
            (rate_spark, rate_first, true),
        ] {
            sheet.write_blank(r, c, &styles.book.text)?;
            let mut bars = Sparkline::new()
                .set_range((name.as_str(), r, first, r, first + n - 1))
                .set_type(SparklineType::Column)
                .show_high_point(true);
            if from_zero {
                bars = bars.set_custom_min(0.0);
            }
            sheet.add_sparkline(r, c, &bars)?;
        }
        let lines = fixed
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
    }
    sheet.set_freeze_panes(1, nf)?;
    sheet.autofilter(0, 0, trend.rows.len().max(1) as u32, rate_spark)?;
    print_setup(sheet, profile, Some((0, 0)))
}
