//! `kpiroll check`: reads inputs and reports, writes nothing.

use std::path::PathBuf;

use super::settings::need;
use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::problem::shown;
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
    need(args.inputs.first(), "INPUTS", "returns")?;
    let outcome = pipeline::read_and_merge(&args.inputs, year, profile)?;
    outp!("{}", listing(&outcome, profile));
    print_report(&outcome.report, profile);
    outln!("{}", summary(&outcome, profile));
    Ok(Status::of(&outcome.report))
}

/// What `check` prints on stdout before the problems: per file its path, then per table
/// its sheet, header row, year and rows read (or that it has no table); a line each.
pub fn listing(outcome: &pipeline::Outcome, profile: &Profile) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    for source in &outcome.sources {
        line(&shown(&source.path.display().to_string()));
        for t in &source.tables {
            let year = t.year.map_or_else(|| "?".to_string(), |y| y.to_string());
            let (header, rows) = ((t.header_row + 1).to_string(), t.rows_read.to_string());
            let sheet = t.sheet.as_deref().unwrap_or("-");
            let args = [
                ("sheet", sheet),
                ("header", header.as_str()),
                ("year", year.as_str()),
                ("rows", rows.as_str()),
            ];
            line(&format!(
                "  {}",
                shown(&profile.message("check_table", &args))
            ));
        }
        if source.tables.is_empty() {
            line(&format!("  {}", profile.message("check_no_table", &[])));
        }
    }
    out
}

/// `check`'s last line: files, rows read, taken, merged and refused, problems.
pub fn summary(outcome: &pipeline::Outcome, profile: &Profile) -> String {
    let mut args = outcome.count_args();
    args.push(("problems", outcome.report.problems.len().to_string()));
    args.push(("refusals", outcome.report.refusals().to_string()));
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    profile.message("check_summary", &args)
}
