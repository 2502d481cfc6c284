//! `kpiroll rollover`: last year's book → next year's forms, one per 担当課.

use std::path::PathBuf;

use super::settings::need;
use super::{print_report, Status};
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;
use crate::renames::Renames;

/// Writes one protected form per 担当課 (after renames), pre-filled with its rows of the
/// book: only 実績値, 備考 and a few blank rows for new projects can be edited; last
/// year's 実績値 stands beside for reference; a 記入要領 sheet explains what to fill.
///
/// Example: kpiroll rollover R6.xlsx --year R7 -o forms/ --due 2026-05-31
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Last year's book.
    pub book: Option<PathBuf>,
    /// The forms' fiscal year: R7, 令和7, 令和7年度 or 2025.
    #[arg(long)]
    pub year: Option<String>,
    /// Folder for the forms (created if missing).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 組織改正: a TOML file mapping old 課 names to new ones.
    #[arg(long, value_name = "FILE")]
    pub renames: Option<PathBuf>,
    /// Protect the input sheet with this password (default: protected, no password).
    #[arg(long)]
    pub password: Option<String>,
    /// Due date shown in 記入要領 (e.g. 2026-05-31).
    #[arg(long)]
    pub due: Option<String>,
    /// Overwrite forms that exist.
    #[arg(long)]
    pub force: bool,
    /// 問い合わせ先: `[contact]` of kpiroll.toml (no flag)
    #[arg(skip)]
    pub contact: Option<super::settings::Contact>,
}

/// Runs the command.
///
/// # Errors
/// Bad year, unreadable book, a form exists or cannot be written.
pub fn run(args: Args, profile: &Profile) -> Result<Status, Error> {
    let book = need(args.book, "BOOK", "prev")?;
    let year_text = need(args.year, "--year", "year")?;
    let year = FiscalYear::parse(&year_text).ok_or(Error::BadYear { text: year_text })?;
    let output = need(args.output, "--output", "output, forms")?;
    let renames = Renames::load_opt(args.renames.as_ref())?;
    let rolled = pipeline::rollover(
        &book,
        year,
        &output,
        &renames,
        args.password,
        args.due,
        args.contact.as_ref(),
        args.force,
        profile,
    )?;
    print_report(&rolled.book.report, profile);
    for (department, path, rows) in &rolled.forms {
        let (rows, path) = (rows.to_string(), path.display().to_string());
        let args = [
            ("department", department.as_str()),
            ("rows", rows.as_str()),
            ("path", path.as_str()),
        ];
        outln!(
            "{}",
            crate::problem::shown(&profile.message("rollover_form", &args))
        );
    }
    let (forms, output) = (rolled.forms.len().to_string(), output.display().to_string());
    errln!(
        "{}",
        crate::problem::shown(&profile.message(
            "rollover_summary",
            &[("forms", &forms), ("output", &output)]
        ))
    );
    Ok(Status::of(&rolled.book.report))
}
