//! The city's book: the 一覧 sheet laid out like 資料2-2, as one workbook.
//!
//! The table is laid out in [`super::layout`], its cells written in [`super::cells`],
//! its marks (the working book's) in [`super::marks`]; the page every sheet is printed on
//! in [`super::page`]. Numbers are written as numbers in the format of their raw text;
//! everything else as text exactly as read (never a formula).

use super::layout::{Purpose, Table};
use super::marks::Marks;
use super::workbook::{mark_output, set_fixed_properties};
use super::xlsx::{SheetCells, Workbook, Worksheet, Xfs, XlsxError};
use crate::model::{Book, OutputKind};
use crate::profile::Profile;

/// Builds the workbook of a book (printed like the city's: the book and the handout).
/// The file's creation date is fixed (1 April of the fiscal year), so the same book
/// gives the same bytes.
///
/// # Errors
/// Only Excel's limits (a sheet name or a cell beyond Excel's size).
pub fn book_workbook(book: &Book, profile: &Profile) -> Result<Workbook, XlsxError> {
    let xfs = Xfs::new();
    let mut workbook = Workbook::new(&xfs);
    set_fixed_properties(&mut workbook, book)?;
    mark_output(&mut workbook, OutputKind::Book, book.year)?;
    let mut cells = SheetCells::new(&xfs);
    let mut sheet = Worksheet::new();
    let table = Table::lay_out(book, profile, Purpose::Print);
    let marks = Marks::none();
    table.dress(&mut sheet, profile, &marks)?;
    table.write_cells(&mut cells, profile, &marks)?;
    workbook.push_worksheet(sheet, cells);
    Ok(workbook)
}

/// The header text of a column for a year (`{year}実績値` → `R6実績値`, `{year-1}実績値`
/// → `R5実績値`, `{wareki-1}実績値` → `令和5年度実績値`).
pub fn header_text(template: &str, book: &Book) -> String {
    crate::profile::year_placeholders(template, book.year)
}

impl Table<'_> {
    /// Everything of the 一覧 sheet but its cells: its shell ([`Table::shell`]) and the
    /// notes of marked cells.
    ///
    /// # Errors
    /// Excel's limits.
    pub fn dress(
        &self,
        sheet: &mut Worksheet,
        profile: &Profile,
        marks: &Marks,
    ) -> Result<(), XlsxError> {
        self.write_notes(sheet, profile, marks)?;
        self.shell(profile).apply(sheet)
    }
}
