//! `export`: a book's rows to JSON / CSV / Parquet.

use std::path::Path;

use super::read::read_nonempty_book;
use super::save::refuse_input_as_output;
use super::Outcome;
use crate::error::Error;
use crate::output::{refuse_existing, write_atomic};
use crate::profile::Profile;

/// `export`: a book's rows to JSON / CSV / Parquet, chosen by the output's extension.
///
/// # Errors
/// Unknown extension, nothing read, or the output cannot be written.
pub fn export(
    book: &Path,
    output: &Path,
    force: bool,
    guard: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    let format =
        crate::export::Format::from_path(output).ok_or_else(|| Error::UnknownOutputFormat {
            path: output.to_path_buf(),
            expected: ".json .csv .parquet".to_string(),
        })?;
    refuse_existing(output, force)?;
    refuse_input_as_output(output, &[book.to_path_buf()])?;
    let outcome = read_nonempty_book(book, profile)?;
    let bytes =
        crate::export::export_bytes(&outcome.merged.book.rows, format, output, guard, profile)?;
    write_atomic(output, &bytes, force)?;
    Ok(outcome)
}
