//! `kpiroll templates`: start a city profile from the built-in one, and check one.

use std::path::PathBuf;

use super::Status;
use crate::error::Error;
use crate::profile::{Lang, Messages};
use crate::templates::{text, Severity};

/// A city profile folder: `init` writes a commented copy of the built-in profile to
/// edit, `check` reports every problem of one as file:line:col.
///
/// Example: kpiroll templates init mycity/ && kpiroll templates check mycity/
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// What to do with the folder.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Writes the built-in profile (layout.toml, aliases.toml, patterns.toml, …, with
    /// their comments) into DIR, to edit.
    Init {
        /// The folder (created if needed).
        dir: PathBuf,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Loads the profile in DIR as every command would and reports each problem with
    /// its file, line and column; exit status 1 when one makes the profile unusable.
    Check {
        /// The folder.
        dir: PathBuf,
    },
}

/// Runs the command; what it says is worded by the built-in catalogue of `lang` (the
/// folder being made or checked may not hold a usable one).
///
/// # Errors
/// `init`: a file exists (without --force) or cannot be written.
pub fn run(args: Args, lang: Lang) -> Result<Status, Error> {
    let m = Messages::builtin(lang);
    match args.action {
        Action::Init { dir, force } => {
            let written = crate::templates::init(&dir, force)?;
            for path in &written {
                outln!("{}", crate::problem::shown(&path.display().to_string()));
            }
            let (files, dir) = (written.len().to_string(), dir.display().to_string());
            errln!(
                "{}",
                crate::problem::shown(&text(
                    &m,
                    "templates_check.init_written",
                    &[("files", &files), ("dir", &dir)]
                ))
            );
            Ok(Status::Ok)
        }
        Action::Check { dir } => {
            let problems = crate::templates::check(&dir, &m);
            for p in &problems {
                outln!("{}", p.render(&m));
            }
            let errors = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            let warnings = (problems.len() - errors).to_string();
            let (shown_dir, errors_text) = (dir.display().to_string(), errors.to_string());
            let args = [
                ("dir", shown_dir.as_str()),
                ("errors", errors_text.as_str()),
                ("warnings", warnings.as_str()),
            ];
            if errors > 0 {
                errln!("{}", text(&m, "templates_check.unusable", &args));
                Ok(Status::Refused)
            } else {
                errln!("{}", text(&m, "templates_check.usable", &args));
                Ok(Status::Ok)
            }
        }
    }
}
