//! `kpiroll consolidate`: returns (with last year's book) → this year's book.

use std::path::PathBuf;

use super::settings::need;
use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;
use crate::renames::Renames;

/// Reads every input and writes one book for the year.
///
/// Without --prev the book is the inputs as they are (備考 carried as written). With
/// --prev it is this year's working book: rows in last year's order with the change
/// flags in 備考 (新規, 課名変更, 事業名変更, 事業内容変更, KPI変更, 目標値変更, 未提出),
/// changed cells highlighted with last year's value in a note, and the sheets 変更点,
/// 取込ログ and 提出状況.
///
/// Examples:
///   kpiroll consolidate --year R6 資料2-2_R6.txt -o R6.xlsx
///   kpiroll consolidate --year R7 --prev R6.xlsx returns/ -o R7.xlsx
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fiscal year of the book: R7, 令和7, 令和7年度 or 2025.
    #[arg(long)]
    pub year: Option<String>,
    /// Last year's book: rows are compared with it and flagged in 備考.
    #[arg(long, value_name = "BOOK")]
    pub prev: Option<PathBuf>,
    /// 組織改正: a TOML file mapping old 課 names to new ones (see README).
    #[arg(long, value_name = "FILE")]
    pub renames: Option<PathBuf>,
    /// Files or folders (read recursively): .xlsx .xlsm .xls .ods .csv .tsv .txt
    pub inputs: Vec<PathBuf>,
    /// The book to write (.xlsx).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// Bad year, missing input, nothing read, output not writable.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let year_text = need(args.year, "--year", "year")?;
    let year = FiscalYear::parse(&year_text).ok_or(Error::BadYear { text: year_text })?;
    let output = need(args.output, "--output", "output")?;
    need(args.inputs.first(), "INPUTS", "returns")?;
    if args.renames.is_some() {
        need(args.prev.as_ref(), "--prev", "prev")?;
    }
    crate::output::refuse_existing(&output, args.force)?;
    let mut inputs = args.inputs.clone();
    inputs.extend(args.prev.clone());
    inputs.extend(args.renames.clone());
    pipeline::refuse_input_as_output(&output, &inputs)?;
    let outcome = match &args.prev {
        None => {
            let outcome = pipeline::read_returns(&args.inputs, year, false, profile)?;
            print_report(&outcome.report, profile);
            if outcome.merged.book.rows.is_empty() {
                return Err(Error::NothingRead);
            }
            pipeline::write_book(&outcome.merged.book, &output, args.force, profile)?;
            outcome
        }
        Some(prev) => {
            let renames = Renames::load_opt(args.renames.as_ref())?;
            let done =
                pipeline::consolidate_with_prev(&args.inputs, prev, &renames, year, profile)?;
            print_report(&done.outcome.report, profile);
            // every return refused: a book of nothing but 未提出 is not written
            if done.outcome.merged.fates.is_empty() {
                return Err(Error::NothingRead);
            }
            pipeline::write_working(&done, &output, args.force, profile)?;
            let counts = done.consolidated.count_args();
            let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            errln!("{}", profile.message("consolidate_prev_summary", &args));
            let pipeline::YearOutcome {
                outcome,
                consolidated,
                last_year_left,
            } = done;
            pipeline::leave((consolidated, last_year_left));
            outcome
        }
    };
    let mut counts = outcome.count_args();
    counts.push((
        "output",
        crate::problem::shown(&output.display().to_string()).into_owned(),
    ));
    let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    errln!("{}", profile.message("consolidate_summary", &args));
    let status = Status::of(&outcome.report);
    pipeline::leave(outcome);
    Ok(status)
}
