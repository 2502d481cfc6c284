//! `handout`: the council's copy of a book, and its PDF through LibreOffice.

use std::path::{Path, PathBuf};

use super::read::read_nonempty_book;
use super::save::{refuse_input_as_output, write_book};
use super::Outcome;
use crate::error::Error;
use crate::output::refuse_existing;
use crate::problem::Report;
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

/// What `kpiroll handout` asks for.
#[derive(Debug, Clone, Copy)]
pub struct HandoutRequest<'a> {
    /// the consolidated (working) book
    pub book: &'a Path,
    /// the handout to write (.xlsx)
    pub output: &'a Path,
    /// also its PDF beside it, through LibreOffice
    pub pdf: bool,
    /// overwrite the outputs if they exist
    pub force: bool,
}

/// What `kpiroll handout` made.
#[derive(Debug, Clone)]
pub struct HandoutDone {
    /// the problems met reading the book
    pub report: Report,
    /// the PDF written beside the handout, when asked for
    pub pdf: Option<PathBuf>,
}

/// `kpiroll handout`: the outputs guarded (the handout and, with `pdf`, the PDF beside
/// it: never over an existing file without `force`, never over the book), the handout
/// written ([`handout`]), `written` handed its report and the number of rows it holds,
/// then the PDF made.
///
/// # Errors
/// An output existing or the book itself, the book unreadable or empty, the handout not
/// written; LibreOffice missing or failing (after `written`: the handout is there).
pub fn handout_command(
    request: &HandoutRequest,
    profile: &Profile,
    written: &mut dyn FnMut(&Report, usize),
) -> Result<HandoutDone, Error> {
    let HandoutRequest {
        book,
        output,
        pdf,
        force,
    } = *request;
    if pdf {
        // the PDF LibreOffice writes beside the handout is an output too
        let pdf = output.with_extension("pdf");
        refuse_existing(&pdf, force)?;
        refuse_input_as_output(&pdf, &[book.to_path_buf()])?;
    }
    let outcome = handout(book, output, force, profile)?;
    written(&outcome.report, outcome.merged.book.rows.len());
    let pdf = if pdf { Some(to_pdf(output)?) } else { None };
    Ok(HandoutDone {
        report: outcome.report,
        pdf,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FiscalYear;
    use crate::pipeline::read_book;
    use crate::profile::Lang;

    /// The seed's book (R6) written in `dir`.
    fn r6_book(dir: &Path, profile: &Profile) -> PathBuf {
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/R6/資料2-2_R6.txt");
        let book = dir.join("R6.xlsx");
        crate::pipeline::consolidate(&[seed], FiscalYear(2024), &book, false, profile).unwrap();
        book
    }

    #[test]
    fn the_handout_is_written_before_its_report_is_handed_over_and_is_the_stages_handout() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::builtin(Lang::Ja);
        let book = r6_book(dir.path(), &profile);
        let output = dir.path().join("handout.xlsx");
        let request = HandoutRequest {
            book: &book,
            output: &output,
            pdf: false,
            force: false,
        };
        let mut written_calls = Vec::new();
        let done = handout_command(&request, &profile, &mut |report, rows| {
            written_calls.push((report.render(&profile), rows, output.exists()));
        })
        .unwrap();
        assert!(done.pdf.is_none());
        let read = read_book(&book, &profile).unwrap();
        assert_eq!(
            written_calls,
            [(
                read.report.render(&profile),
                read.merged.book.rows.len(),
                true
            )]
        );
        assert_eq!(done.report.render(&profile), read.report.render(&profile));
        let expected = dir.path().join("handout by the stages.xlsx");
        handout(&book, &expected, false, &profile).unwrap();
        assert_eq!(
            std::fs::read(&output).unwrap(),
            std::fs::read(&expected).unwrap()
        );
        let back = read_book(&output, &profile).unwrap().merged.book;
        assert_eq!(back.rows.len(), read.merged.book.rows.len());
    }

    #[test]
    fn an_existing_pdf_keeps_the_handout_from_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::builtin(Lang::Ja);
        let book = r6_book(dir.path(), &profile);
        let output = dir.path().join("handout.xlsx");
        let pdf = dir.path().join("handout.pdf");
        std::fs::write(&pdf, b"last year's PDF").unwrap();
        let request = HandoutRequest {
            book: &book,
            output: &output,
            pdf: true,
            force: false,
        };
        let mut calls = 0;
        let refused = handout_command(&request, &profile, &mut |_, _| calls += 1);
        assert!(matches!(refused, Err(Error::OutputExists { path }) if path == pdf));
        assert_eq!(calls, 0);
        assert!(!output.exists());
        assert_eq!(std::fs::read(&pdf).unwrap(), b"last year's PDF");

        // the book itself as the handout: refused, even with force
        let over_book = HandoutRequest {
            output: &book,
            pdf: false,
            force: true,
            ..request
        };
        let before = std::fs::read(&book).unwrap();
        let refused = handout_command(&over_book, &profile, &mut |_, _| calls += 1);
        assert!(matches!(refused, Err(Error::OutputIsInput { .. })));
        assert_eq!(calls, 0);
        assert_eq!(std::fs::read(&book).unwrap(), before);
    }
}
