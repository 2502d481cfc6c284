//! `handout`: the council's copy of a book, and its PDF through LibreOffice.

use std::path::{Path, PathBuf};

use super::read::read_nonempty_book;
use super::save::{refuse_input_as_output, write_book};
use super::Outcome;
use crate::error::Error;
use crate::output::refuse_existing;
use crate::profile::Profile;

/// `handout`: the council's copy of a book: only the table sheet, no highlights or
/// notes, laid out and printed like the book.
///
/// # Errors
/// The book cannot be read or the output written.
pub fn handout(
    book: &Path,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    refuse_existing(output, force)?;
    refuse_input_as_output(output, &[book.to_path_buf()])?;
    let outcome = read_nonempty_book(book, profile)?;
    write_book(&outcome.merged.book, output, force, profile)?;
    Ok(outcome)
}

/// Converts a workbook to PDF beside it with LibreOffice (`soffice --headless`).
///
/// # Errors
/// [`Error::NoLibreOffice`] when soffice is not installed (looked for where
/// [`crate::libreoffice::candidates`] says); [`Error::Pdf`] when the
/// conversion fails.
pub fn to_pdf(workbook: &Path) -> Result<PathBuf, Error> {
    let dir = match workbook.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let pdf = workbook.with_extension("pdf");
    let mut programs = crate::libreoffice::candidates(cfg!(windows), |v| std::env::var_os(v))
        .into_iter()
        .map(|program| {
            std::process::Command::new(program)
                .args(["--headless", "--convert-to", "pdf", "--outdir"])
                .arg(&dir)
                .arg(workbook)
                .output()
        });
    // the first that runs at all
    let run = programs
        .find(Result::is_ok)
        .unwrap_or_else(|| Err(std::io::ErrorKind::NotFound.into()));
    match run {
        Err(_) => Err(Error::NoLibreOffice {
            handout: workbook.to_path_buf(),
        }),
        Ok(out) if out.status.success() && pdf.is_file() => Ok(pdf),
        Ok(out) => Err(Error::Pdf {
            path: pdf,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }),
    }
}
