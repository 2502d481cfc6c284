//! `kpiroll templates`: start a city profile from the built-in one, and check one.

use std::path::PathBuf;

use super::Status;
use crate::error::Error;
use crate::templates::Severity;

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

/// Runs the command.
///
/// # Errors
/// `init`: a file exists (without --force) or cannot be written.
pub fn run(args: Args) -> Result<Status, Error> {
    match args.action {
        Action::Init { dir, force } => {
            let written = crate::templates::init(&dir, force)?;
            for path in &written {
                outln!("{}", crate::problem::shown(&path.display().to_string()));
            }
            errln!(
                "{} ファイルを書き出しました。編集したら kpiroll templates check {} で確かめてください",
                written.len(),
                dir.display()
            );
            Ok(Status::Ok)
        }
        Action::Check { dir } => {
            let problems = crate::templates::check(&dir);
            for p in &problems {
                outln!("{p}");
            }
            let errors = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            if errors > 0 {
                errln!(
                    "{}: 誤り {errors} 件、確認 {} 件。このままでは使えません",
                    dir.display(),
                    problems.len() - errors
                );
                Ok(Status::Refused)
            } else {
                errln!("{}: 使えます（確認 {} 件）", dir.display(), problems.len());
                Ok(Status::Ok)
            }
        }
    }
}
