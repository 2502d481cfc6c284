//! `kpiroll handout`: the council's copy of a book.

use std::path::PathBuf;

use super::settings::need;
use super::{print_report, print_rows_written, Status};
use crate::error::Error;
use crate::pipeline;
use crate::profile::Profile;

/// Writes the council version of a book: only the table sheet, laid out like 資料2-2,
/// no highlights or notes, the title's year from the book; optionally a PDF beside it.
///
/// Example: kpiroll handout R7.xlsx -o 資料2-2_R7.xlsx --pdf
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The consolidated (working) book.
    pub book: Option<PathBuf>,
    /// The handout to write (.xlsx).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Also convert it to PDF with LibreOffice (soffice), beside the .xlsx.
    #[arg(long)]
    pub pdf: bool,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// Unreadable book, output not writable, PDF conversion failed.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let book = need(args.book, "BOOK", "output, book")?;
    let output = need(args.output, "--output", "output, handout")?;
    let request = pipeline::HandoutRequest {
        book: &book,
        output: &output,
        pdf: args.pdf,
        force: args.force,
    };
    let done = pipeline::handout_command(&request, profile, &mut |report, rows| {
        print_report(report, profile);
        print_rows_written(rows, &output, profile);
    })?;
    if let Some(pdf) = done.pdf {
        errln!(
            "PDF → {}",
            crate::problem::shown(&pdf.display().to_string())
        );
    }
    Ok(Status::of(&done.report))
}
