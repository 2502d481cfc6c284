//! What every workbook kpiroll writes carries: a creation date fixed by the year (the
//! same book gives the same bytes), one zip level, and the defined names that mark it
//! as kpiroll's output so it is never read back as a department's return.

use super::xlsx::{BookSetup, XlsxError};

use crate::model::{Book, FiscalYear, OutputKind};

/// Marks a workbook as kpiroll's output of `kind` for `year`, so that it is never read
/// back as a department's return. Fixed text: the same book gives the same bytes.
///
/// # Errors
/// Excel's name rules (never met by these names).
pub fn mark_output(
    workbook: &mut impl BookSetup,
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
/// A year that cannot be dated (before 1900).
pub fn set_fixed_properties(workbook: &mut impl BookSetup, book: &Book) -> Result<(), XlsxError> {
    workbook.set_creation_date(book.year.0, 4, 1)
}
