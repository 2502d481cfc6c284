//! 概要: the title and the two books compared, counts per 基本目標 and per 課 by status,
//! and the grade distribution of both years beside them with its chart.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFont, ChartLegendPosition, ChartType, Worksheet, XlsxError,
};

use super::cells::ReportStyles;
use super::{print_setup, side_label};
use crate::diff::{Counts, Diff, Status};
use crate::profile::{Field, Profile};
use crate::write::diff_render::field_header;
use crate::write::styles::Styles;

/// The grade distribution's first column, right of the counts.
const GRADE_COL: u16 = 8;
/// The first row of the tables (under the title and the files' line).
const TOP: u32 = 3;

/// 概要: counts per 基本目標 and per 課, the grade distribution and its chart.
pub(super) fn summary_sheet(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
    let name = profile.message("diff_sheet_summary", &[]);
    sheet.set_name(&name)?;
    title_rows(sheet, diff, profile, styles)?;
    counts_tables(sheet, diff, profile, styles)?;
    let last = grade_table(sheet, diff, profile, &styles.book)?;
    grade_chart(sheet, &name, last, diff, profile)?;
    sheet.set_column_width(0, 44)?;
    for c in 1..=5 {
        sheet.set_column_width(c, 9)?;
    }
    sheet.set_column_width(6, 3)?;
    sheet.set_column_width(7, 3)?;
    sheet.set_column_width(GRADE_COL, 10)?;
    sheet.set_column_width(GRADE_COL + 1, 12)?;
    sheet.set_column_width(GRADE_COL + 2, 12)?;
    print_setup(sheet, profile, None)
}

/// The title (`R6 → R7`) and the line naming both books' files.
fn title_rows(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
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
    Ok(())
}

/// The counts per 基本目標, then per 課, and the note that a joint project counts once
/// for each of its 課.
fn counts_tables(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    styles: &ReportStyles,
) -> Result<(), XlsxError> {
    let headers: Vec<String> = std::iter::once(profile.message("diff_rows", &[]))
        .chain(
            Status::ALL
                .iter()
                .map(|s| profile.message(s.message_id(), &[])),
        )
        .collect();
    let goals = diff
        .by_goal()
        .into_iter()
        .map(|(g, c)| (profile.section_text(&g), c))
        .collect();
    let table = CountsTable {
        headers: &headers,
        profile,
        b: &styles.book,
    };
    let r = table.write(sheet, TOP, profile.message("diff_goal", &[]), goals)?;
    let departments = diff.by_department();
    let r = table.write(
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
    Ok(())
}

/// A table of counts by status: its header row, one row per group, the total.
struct CountsTable<'a> {
    /// 行数, then each status's word
    headers: &'a [String],
    profile: &'a Profile,
    b: &'a Styles,
}

impl CountsTable<'_> {
    /// Writes the table from row `r` with `title` over the groups' column; returns the
    /// row after it and a blank one.
    fn write(
        &self,
        sheet: &mut Worksheet,
        r: u32,
        title: String,
        groups: Vec<(String, Counts)>,
    ) -> Result<u32, XlsxError> {
        let b = self.b;
        sheet.write_string_with_format(r, 0, title, &b.header)?;
        for (i, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(r, 1 + i as u16, h, &b.header)?;
        }
        let mut r = r + 1;
        let mut total = Counts::default();
        for (label, c) in &groups {
            sheet.write_string_with_format(r, 0, label, &b.text)?;
            sheet.write_number_with_format(r, 1, c.rows as f64, &b.value_text)?;
            for (i, s) in Status::ALL.iter().enumerate() {
                sheet.write_number_with_format(r, 2 + i as u16, c.of(*s) as f64, &b.value_text)?;
            }
            total.rows += c.rows;
            total.changed += c.changed;
            total.added += c.added;
            total.removed += c.removed;
            total.unchanged += c.unchanged;
            r += 1;
        }
        let total_text = self.profile.message("diff_total", &[]);
        sheet.write_string_with_format(r, 0, total_text, &b.header)?;
        sheet.write_number_with_format(r, 1, total.rows as f64, &b.header)?;
        for (i, s) in Status::ALL.iter().enumerate() {
            sheet.write_number_with_format(r, 2 + i as u16, total.of(*s) as f64, &b.header)?;
        }
        Ok(r + 2)
    }
}

/// The grade distribution of both years, right of the counts; returns its last row.
fn grade_table(
    sheet: &mut Worksheet,
    diff: &Diff,
    profile: &Profile,
    b: &Styles,
) -> Result<u32, XlsxError> {
    let gc = GRADE_COL;
    sheet.write_string_with_format(TOP, gc, profile.message("diff_grade", &[]), &b.header)?;
    sheet.write_string_with_format(TOP, gc + 1, side_label(profile, &diff.old, true), &b.header)?;
    sheet.write_string_with_format(
        TOP,
        gc + 2,
        side_label(profile, &diff.new, false),
        &b.header,
    )?;
    let grades = diff.grade_counts(profile);
    for (i, (grade, old, new)) in grades.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        sheet.write_string_with_format(r, gc, grade, &b.centered)?;
        sheet.write_number_with_format(r, gc + 1, *old as f64, &b.value_text)?;
        sheet.write_number_with_format(r, gc + 2, *new as f64, &b.value_text)?;
    }
    Ok(TOP + grades.len() as u32)
}

/// The grade distribution's column chart, under its table (which ends at `last`) on
/// the sheet `name`.
fn grade_chart(
    sheet: &mut Worksheet,
    name: &str,
    last: u32,
    diff: &Diff,
    profile: &Profile,
) -> Result<(), XlsxError> {
    let gc = GRADE_COL;
    let (old_year, new_year) = (diff.old.year_text(), diff.new.year_text());
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
            .set_name((name, TOP, c))
            .set_categories((name, TOP + 1, gc, last, gc))
            .set_values((name, TOP + 1, c, last, c))
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
    Ok(())
}
