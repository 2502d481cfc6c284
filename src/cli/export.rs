//! `kpiroll export`: a book's rows to JSON, CSV or Parquet.

use std::path::PathBuf;

use super::{print_report, print_rows_written, Status};
use crate::error::Error;
use crate::pipeline;
use crate::profile::Profile;

/// Writes one record per KPI row; the format follows the output's extension.
///
/// Example: kpiroll export R6.xlsx -o rows.json
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The book to export (any file of the book's shape).
    pub book: PathBuf,
    /// Output: .json, .csv (UTF-8 with BOM) or .parquet
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write CSV cells exactly as read: do not prefix `'` to cells that start with
    /// = + - @ (by default they are neutralised so a spreadsheet cannot run them).
    #[arg(long)]
    pub raw_csv: bool,
}

/// Runs the command.
///
/// # Errors
/// Unknown format, unreadable book, output not writable.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let outcome = pipeline::export(&args.book, &args.output, args.force, !args.raw_csv, profile)?;
    print_report(&outcome.report, profile);
    print_rows_written(outcome.merged.book.rows.len(), &args.output, profile);
    Ok(Status::of(&outcome.report))
}
