//! `kpiroll diff`: two books of any years compared, with 達成率 and grades.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::pipeline::{self, DiffFormat as Format, Rendered};
use crate::profile::Profile;

/// Compares two books row by row: added, removed (also a row newly carried as 未提出),
/// changed (担当課, 事業名, 事業概要, KPI, 単位, 目標値, by meaning) and unchanged, with
/// the 実績値, 達成率 and grade of both years (rules in templates/grades.toml).
///
/// The format follows -o's extension (.xlsx .json .csv .txt), else --format, else text
/// on stdout (coloured on a terminal). With more than two books the diff is the first
/// against the last, and the xlsx gains a 推移 sheet over all of them.
///
/// Examples:
///   kpiroll diff R6.xlsx R7.xlsx
///   kpiroll diff R6.xlsx R7.xlsx -o diff.xlsx
///   kpiroll diff R6.xlsx R7.xlsx --format json > diff.json
///   kpiroll diff R4.xlsx R5.xlsx R6.xlsx R7.xlsx -o trend.xlsx
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The books, oldest first: OLD NEW, or more for a trend.
    #[arg(required = true, num_args = 2.., value_name = "BOOK")]
    pub books: Vec<PathBuf>,
    /// Write here (.xlsx, .json, .csv with BOM, .txt) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The format when -o has none of those extensions, or on stdout.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// 組織改正 (see README): 課 renames, and `[[move]]` renumbered projects to follow.
    #[arg(long, value_name = "FILE")]
    pub renames: Option<PathBuf>,
    /// Exit with status 1 when anything differs (a row's status or its 実績値), as
    /// `git diff --exit-code` does.
    #[arg(long)]
    pub exit_code: bool,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// A book that cannot be read or holds no rows, an unknown format, an xlsx without -o,
/// the output not writable.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let color_terminal = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let done = pipeline::diff_command(
        &pipeline::DiffRequest {
            books: &args.books,
            renames: args.renames.as_ref(),
            output: args.output.as_deref(),
            format: args.format,
            color_terminal,
            force: args.force,
        },
        profile,
    )?;
    print_report(&done.report, profile);
    let mut status = Status::of(&done.report);
    match done.rendered? {
        Rendered::Written { path, summary } => {
            for line in summary {
                errln!("{}", crate::problem::shown(&line));
            }
            errln!("→ {}", crate::problem::shown(&path.display().to_string()));
        }
        Rendered::Stdout(bytes) => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error
            let _ = out.write_all(&bytes).and_then(|()| out.flush());
        }
    }
    if args.exit_code && done.diff.differs() {
        status = Status::Refused;
    }
    Ok(status)
}
