//! `kpiroll diff`: two books of any years compared, with 達成率 and grades.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{print_report, Status};
use crate::error::Error;
use crate::output::write_atomic;
use crate::pipeline;
use crate::profile::Profile;
use crate::write::diff_render::{self as render, Format};

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
    let format = match &args.output {
        Some(path) => match Format::from_path(path).or(args.format) {
            Some(f) => f,
            None => {
                return Err(Error::UnknownOutputFormat {
                    path: path.clone(),
                    expected: ".xlsx .json .csv .txt".to_string(),
                })
            }
        },
        None => args.format.unwrap_or(Format::Text),
    };
    if format == Format::Xlsx && args.output.is_none() {
        return Err(Error::DiffXlsxNeedsOutput);
    }
    if let Some(path) = &args.output {
        crate::output::refuse_existing(path, args.force)?;
        let mut inputs = args.books.clone();
        inputs.extend(args.renames.clone());
        pipeline::refuse_input_as_output(path, &inputs)?;
    }
    let (diff, report) = pipeline::diff(&args.books, args.renames.as_ref(), profile)?;
    print_report(&report, profile);
    let mut status = Status::of(&report);
    let bytes = match format {
        Format::Text => {
            let color = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            render::text(&diff, profile, color).into_bytes()
        }
        Format::Json => render::json(&diff, profile),
        Format::Csv => render::csv(&diff, profile),
        Format::Xlsx => {
            let path = args.output.clone().unwrap_or_default();
            pipeline::diff_xlsx_bytes(&diff, &path, profile)?
        }
    };
    match &args.output {
        Some(path) => {
            write_atomic(path, &bytes, args.force)?;
            for line in render::summary_lines(&diff, profile) {
                errln!("{}", crate::problem::shown(&line));
            }
            errln!("→ {}", crate::problem::shown(&path.display().to_string()));
        }
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error
            let _ = out.write_all(&bytes).and_then(|()| out.flush());
        }
    }
    if args.exit_code && diff.differs() {
        status = Status::Refused;
    }
    Ok(status)
}
