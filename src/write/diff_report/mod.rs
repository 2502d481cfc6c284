//! The diff workbook: 概要 (counts per 基本目標 and per 課, the grade distribution of
//! both years with a chart), 変更一覧 (one row per change), 対照表 (both years side by
//! side with 達成率 and grade, changed cells highlighted) and, for more than two books,
//! 推移 (one row per KPI, 実績値 and 達成率 per year, a sparkline of each). One file per
//! sheet; [`cells`] holds the report's formats and the value cells two sheets share.
//!
//! Printed like the book: the layout's paper and orientation, one page wide, the
//! header rows repeated on every page, page numbers in the footer. The creation date is
//! fixed (as the book's), so the same books give the same bytes.

mod cells;
mod changes;
mod compare;
mod summary;
mod trend;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::page::Page;
use super::workbook::{mark_output, set_fixed_properties};
use crate::diff::{Diff, Input};
use crate::model::{Book, FiscalYear, OutputKind};
use crate::profile::Profile;
use cells::ReportStyles;

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
    mark_output(&mut workbook, OutputKind::Diff, FiscalYear(year))?;
    let mut styles = ReportStyles::new(profile);
    summary::summary_sheet(workbook.add_worksheet(), diff, profile, &styles)?;
    changes::changes_sheet(workbook.add_worksheet(), diff, profile, &styles)?;
    compare::compare_sheet(workbook.add_worksheet(), diff, profile, &mut styles)?;
    if diff.trend.is_some() {
        trend::trend_sheet(workbook.add_worksheet(), diff, profile, &mut styles)?;
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
