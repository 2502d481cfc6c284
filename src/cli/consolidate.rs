//! `kpiroll consolidate`: returns (with last year's book) → this year's book.

use std::path::PathBuf;

use super::settings::need;
use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;

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
    let request = pipeline::ConsolidateRequest {
        inputs: &args.inputs,
        year,
        prev: args.prev.as_deref(),
        renames: args.renames.as_ref(),
        output: &output,
        force: args.force,
    };
    let done = pipeline::consolidate_command(&request, profile, &mut |report| {
        print_report(report, profile);
    })?;
    if let Some(counts) = &done.prev_counts {
        let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        errln!("{}", profile.message("consolidate_prev_summary", &args));
    }
    let mut counts = done.counts;
    counts.push((
        "output",
        crate::problem::shown(&output.display().to_string()).into_owned(),
    ));
    let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    errln!("{}", profile.message("consolidate_summary", &args));
    Ok(Status::of(&done.report))
}
