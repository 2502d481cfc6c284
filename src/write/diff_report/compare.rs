//! 対照表: each KPI row with both years side by side, 達成率 and grade on each side;
//! changed fields highlighted on both sides.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{write_rate, write_value, ReportStyles};
use super::{print_setup, side_label};
use crate::diff::{Diff, DiffRow, Status};
use crate::profile::{Field, Profile};
use crate::write::book::header_text;
use crate::write::diff_render::status_text;
use crate::write::page::{text_lines, LINE_PT, PAD_PT};

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
pub(super) fn compare_sheet(
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
