//! `kpiroll check`: reads inputs and reports, writes nothing.

use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;

/// Reads every input and reports per file: sheet, header row, rows taken, problems.
///
/// Example: kpiroll check returns/
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fiscal year expected in the headers; taken from the headers when omitted.
    #[arg(long)]
    pub year: Option<String>,
    /// Files or folders (read recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Runs the command.
///
/// # Errors
/// Bad year or a missing input.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let year = match &args.year {
        Some(text) => Some(FiscalYear::parse(text).ok_or(Error::BadYear { text: text.clone() })?),
        None => None,
    };
    let outcome = pipeline::read_and_merge(&args.inputs, year, profile)?;
    for source in &outcome.sources {
        println!("{}", source.path.display());
        for t in &source.tables {
            println!(
                "  シート {} 見出し行 {} 年度 {} 行数 {}",
                t.sheet.as_deref().unwrap_or("-"),
                t.header_row + 1,
                t.year.map_or_else(|| "?".to_string(), |y| y.to_string()),
                t.rows.len()
            );
        }
        if source.tables.is_empty() {
            println!("  表なし");
        }
    }
    print_report(&outcome.report, profile);
    let (read, taken, merged, refused) = outcome.counts();
    println!(
        "{} ファイル: {} 行を読み、取り込み {} 行・統合 {} 行・取り込めない {} 行、問題 {} 件（うち取り込めないもの {} 件）",
        outcome.sources.len(),
        read,
        taken,
        merged,
        refused,
        outcome.report.problems.len(),
        outcome.report.refusals()
    );
    Ok(Status::of(&outcome.report))
}
