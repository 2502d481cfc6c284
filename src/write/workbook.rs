//! What every workbook kpiroll writes carries: a creation date fixed by the year (the
//! same book gives the same bytes), one zip level, and the defined names that mark it
//! as kpiroll's output so it is never read back as a department's return.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::model::{Book, FiscalYear, OutputKind};

/// Marks a workbook as kpiroll's output of `kind` for `year`, so that it is never read
/// back as a department's return. Fixed text: the same book gives the same bytes.
///
/// # Errors
/// rust_xlsxwriter's name rules (never met by these names).
pub fn mark_output(
    workbook: &mut Workbook,
    kind: OutputKind,
    year: FiscalYear,
) -> Result<(), XlsxError> {
    use crate::model::{NAME_OUTPUT, NAME_OUTPUT_YEAR};
    workbook.define_name(NAME_OUTPUT, &format!("=\"{}\"", kind.name()))?;
    workbook.define_name(NAME_OUTPUT_YEAR, &format!("=\"{year}\""))?;
    Ok(())
}

/// Document properties with a creation date that depends only on the year, and the
/// zip level every kpiroll workbook is saved with.
///
/// # Errors
/// A year rust_xlsxwriter cannot date (before 1900).
pub fn set_fixed_properties(workbook: &mut Workbook, book: &Book) -> Result<(), XlsxError> {
    let date = ExcelDateTime::from_ymd(book.year.0, 4, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&date));
    workbook.set_zip_compression_level(super::package::ZIP_LEVEL);
    Ok(())
}
