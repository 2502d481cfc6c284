//! `kpiroll consolidate`: returns (or last year's book, or the seed) → this year's book.

use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;

/// Reads every input and writes one book for the year.
///
/// Example: kpiroll consolidate --year R6 資料2-2_R6.txt -o R6.xlsx
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fiscal year of the book: R7, 令和7, 令和7年度 or 2025.
    #[arg(long)]
    pub year: String,
    /// Files or folders (read recursively): .xlsx .xlsm .xls .ods .csv .tsv .txt
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The book to write (.xlsx).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// Bad year, missing input, nothing read, output not writable.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let year = FiscalYear::parse(&args.year).ok_or(Error::BadYear {
        text: args.year.clone(),
    })?;
    if args.output.exists() && !args.force {
        return Err(Error::OutputExists {
            path: args.output.clone(),
        });
    }
    let outcome = pipeline::read_and_merge(&args.inputs, Some(year), profile)?;
    print_report(&outcome.report, profile);
    if outcome.merged.book.rows.is_empty() {
        return Err(Error::NothingRead);
    }
    pipeline::write_book(&outcome.merged.book, &args.output, args.force, profile)?;
    let (read, taken, merged, refused) = outcome.counts();
    eprintln!(
        "{} ファイル {} 行を読み、{} 行を取り込み、{} 行は同じ行と統合、{} 行は取り込めませんでした → {}",
        outcome.sources.len(),
        read,
        taken,
        merged,
        refused,
        args.output.display()
    );
    Ok(Status::of(&outcome.report))
}
