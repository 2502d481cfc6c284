//! Runs: one folder each under `kpiroll-web/` (`001`, `002` …, taken by creating it, so
//! two tabs never get the same), holding what was uploaded (`returns/`, `prev/`,
//! `renames/`), what the run is (`run.json`) and what it made (`out/`).
//!
//! The check and every output call the same [`crate::pipeline`] functions the command
//! line calls, on the same files: the working book as `consolidate --prev` writes it,
//! the handout as `handout`, next year's forms as `rollover` (zipped), the diff as
//! `diff -o …xlsx`, the exports as `export`.
//!
//! - here: the run's folder, what the run is, why it could not go on;
//! - `check.rs`: the check, the returns consolidated and the working book written;
//! - `views.rs`: what the page shows of a check (files, problems, 提出状況);
//! - `make.rs`: the outputs a button makes from the run's book: the handout, its PDF,
//!   the diff, the exports;
//! - `forms.rs`: next year's forms, made again each time and zipped.

mod check;
mod forms;
mod make;
mod views;

pub use check::check;
pub use make::{make, Made, Output};
pub use views::{Checked, FileView, ProblemView, SubmissionView};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::FiscalYear;
use crate::profile::Profile;

use super::App;

/// Why a run could not go on: an error of the pipeline, or a word of the page's own
/// (no year given, no returns).
#[derive(Debug)]
pub enum Failed {
    Error(Error),
    /// the catalogue id of the page's message
    Page(&'static str),
}

impl From<Error> for Failed {
    fn from(e: Error) -> Failed {
        Failed::Error(e)
    }
}

impl Failed {
    /// As the page shows it: for returns all of another year, the files passed over and
    /// the first return's refusal before the error, as the command line prints them.
    pub fn render(&self, profile: &Profile) -> String {
        match self {
            Failed::Page(id) => profile.message(id, &[]),
            Failed::Error(e) => {
                let mut lines = Vec::new();
                if let Error::ReturnsOfAnotherYear { first, skipped, .. } = e {
                    lines.extend(skipped.iter().cloned());
                    lines.push(first.clone());
                }
                lines.push(e.render(profile));
                lines
                    .iter()
                    .map(|l| crate::problem::shown(l).into_owned())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }
}

/// A run's folder, made anew.
///
/// # Errors
/// The runs' folder cannot be made.
pub fn new_run(app: &App) -> Result<(String, PathBuf), Error> {
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(&app.runs).map_err(write(&app.runs))?;
    let mut n = std::fs::read_dir(&app.runs).map(|d| d.count()).unwrap_or(0) + 1;
    loop {
        let id = format!("{n:03}");
        let dir = app.runs.join(&id);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok((id, dir)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(source) => return Err(Error::Write { path: dir, source }),
        }
    }
}

/// A run's folder by its id, when it is one.
pub fn run_dir(app: &App, id: &str) -> Option<PathBuf> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let dir = app.runs.join(id);
    dir.join(RUN_FILE).is_file().then_some(dir)
}

const RUN_FILE: &str = "run.json";

/// What a run is, in its folder (`run.json`): what every later request of the run reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub year: String,
    pub prev: Option<PathBuf>,
    pub renames: Option<PathBuf>,
    /// the outputs' file names in `out/`
    pub book: String,
    pub handout: String,
    pub forms: String,
    pub diff: String,
    pub export: String,
}

impl Run {
    fn load(dir: &Path) -> Option<Run> {
        serde_json::from_slice(&std::fs::read(dir.join(RUN_FILE)).ok()?).ok()
    }

    fn year(&self) -> Result<FiscalYear, Error> {
        FiscalYear::parse(&self.year).ok_or_else(|| Error::BadYear {
            text: self.year.clone(),
        })
    }
}

/// A file the run made, by its name in `out/`: only a plain name, never a path.
pub fn made_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control);
    let path = dir.join("out").join(name);
    (plain && path.is_file()).then_some(path)
}
