//! 変更一覧: one row per changed field of a KPI row; an added or removed row is one row.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::ReportStyles;
use super::{print_setup, side_label};
use crate::diff::{Diff, Status};
use crate::profile::{Field, Profile};
use crate::write::diff_render::{measure_text, status_text};
use crate::write::page::{text_lines, LINE_PT, PAD_PT};

/// 変更一覧: one row per changed field; an added or removed row is one row.
pub(super) fn changes_sheet(
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
