//! The check of a run: what was uploaded read and consolidated with last year's book as
//! `consolidate --prev` does (or without it, as `consolidate`), the working book written
//! into `out/` as the command line writes it, and what the run is (`run.json`) written
//! for every later request.

use std::path::{Path, PathBuf};

use crate::cli::settings::Settings;
use crate::consolidate::Consolidated;
use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline::{self, Outcome};
use crate::profile::Profile;
use crate::renames::Renames;
use crate::serve::upload::Received;
use crate::serve::{settings, App};

use super::views::{file_views, refused_upload, submission_views, Checked, Reminder};
use super::{Failed, Run, RUN_FILE};

/// Checks what was uploaded into `dir` (run `id`): the returns read and consolidated
/// with last year's book as `consolidate --prev` does (or without it, as `consolidate`),
/// and the working book written into `out/`, as the command line writes it.
pub fn check(app: &App, id: &str, dir: &Path, received: Received, profile: &Profile) -> Checked {
    let mut checked = Checked {
        run: id.to_string(),
        folder: dir.display().to_string(),
        ..Checked::default()
    };
    let refused_uploads: Vec<_> = received
        .refused
        .iter()
        .map(|(name, why)| refused_upload(name, why, profile))
        .collect();
    if let Err(e) = consolidate(app, dir, &received, profile, &mut checked) {
        checked.error = Some(e.render(profile));
    }
    checked.refusals += refused_uploads.len();
    let mut files = refused_uploads;
    files.append(&mut checked.files);
    checked.files = files;
    checked
}

/// The run's year, last year's book and renames (uploaded, else from `kpiroll.toml`
/// when the page says so), `run.json` written, then the returns consolidated into the
/// working book and what the page shows of it.
fn consolidate(
    app: &App,
    dir: &Path,
    received: &Received,
    profile: &Profile,
    checked: &mut Checked,
) -> Result<(), Failed> {
    let settings = settings::load(&app.dir, profile)?;
    if received.year.is_empty() {
        return Err(Failed::Page("web.year_missing"));
    }
    let year = FiscalYear::parse(&received.year).ok_or_else(|| Error::BadYear {
        text: received.year.clone(),
    })?;
    let from_settings = |wanted: bool, pick: fn(&Settings) -> Option<PathBuf>| {
        settings.as_ref().filter(|_| wanted).and_then(pick)
    };
    let prev = received
        .prev
        .clone()
        .or_else(|| from_settings(received.prev_from_settings, |s| s.prev.clone()));
    let renames = received
        .renames
        .clone()
        .or_else(|| from_settings(received.renames_from_settings, |s| s.renames.clone()));
    let returns = dir.join("returns");
    if received.returns == 0 {
        return Err(Failed::Page("web.returns_missing"));
    }
    let run = run_record(received, year, prev, renames, settings.as_ref(), profile);
    let json = serde_json::to_vec_pretty(&run).unwrap_or_default();
    crate::output::write_atomic(&dir.join(RUN_FILE), &json, true)?;
    checked.has_prev = run.prev.is_some();
    checked.next_year = FiscalYear(year.0 + 1).to_string();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).map_err(|source| Error::Write {
        path: out.clone(),
        source,
    })?;
    let (outcome, consolidated) =
        working_book(&run, &returns, &out.join(&run.book), year, profile)?;
    show_outcome(
        app,
        &outcome,
        consolidated.as_ref(),
        &returns,
        year,
        profile,
        checked,
    );
    checked.names = [
        ("book", &run.book),
        ("handout", &run.handout),
        ("forms", &run.forms),
        ("diff", &run.diff),
        ("export", &run.export),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    Ok(())
}

/// What the run is: its year, last year's book and renames, and what each output will
/// be called (`kpiroll.toml`'s names, else the catalogue's, `{year}`, `{prev}` and
/// `{next}` filled).
fn run_record(
    received: &Received,
    year: FiscalYear,
    prev: Option<PathBuf>,
    renames: Option<PathBuf>,
    settings: Option<&Settings>,
    profile: &Profile,
) -> Run {
    let names = |key: &str, default: &str| -> String {
        let default = profile.message(default, &[]);
        let chosen = match key {
            "book" => settings.and_then(|s| s.book.clone()),
            "handout" => settings.and_then(|s| s.handout.clone()),
            "forms" => settings.and_then(|s| s.forms.clone()),
            _ => None,
        };
        chosen
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or(default)
    };
    let next = FiscalYear(year.0 + 1);
    let prev_year = FiscalYear(year.0 - 1);
    let fill = |text: String| {
        text.replace("{year}", &year.to_string())
            .replace("{prev}", &prev_year.to_string())
            .replace("{next}", &next.to_string())
    };
    Run {
        year: received.year.clone(),
        prev,
        renames,
        book: fill(names("book", "web.file_book")),
        handout: fill(names("handout", "web.file_handout")),
        forms: fill(names("forms", "web.file_forms")),
        diff: fill(profile.message("web.file_diff", &[])),
        export: fill(profile.message("web.file_export", &[])),
    }
}

/// The returns consolidated with last year's book into the working book (`consolidate
/// --prev`), or without one into the book (`consolidate`), written to `book`.
fn working_book(
    run: &Run,
    returns: &Path,
    book: &Path,
    year: FiscalYear,
    profile: &Profile,
) -> Result<(Outcome, Option<Consolidated>), Failed> {
    let inputs = [returns.to_path_buf()];
    match &run.prev {
        Some(prev) => {
            let renames = Renames::load_opt(run.renames.as_ref())?;
            let done = pipeline::consolidate_with_prev(&inputs, prev, &renames, year, profile)?;
            if done.outcome.merged.fates.is_empty() {
                return Err(Error::NothingRead.into());
            }
            pipeline::write_working(&done, book, false, profile)?;
            Ok((done.outcome, Some(done.consolidated)))
        }
        None => {
            let outcome = pipeline::read_returns(&inputs, year, false, profile)?;
            if outcome.merged.book.rows.is_empty() {
                return Err(Error::NothingRead.into());
            }
            pipeline::write_book(&outcome.merged.book, book, false, profile)?;
            Ok((outcome, None))
        }
    }
}

/// What the page shows of the check: the counts, every file with its problems, and
/// with last year's book 提出状況 with each reminder.
fn show_outcome(
    app: &App,
    outcome: &Outcome,
    consolidated: Option<&Consolidated>,
    returns: &Path,
    year: FiscalYear,
    profile: &Profile,
    checked: &mut Checked,
) {
    let args = outcome.count_args();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    checked.summary = profile.message("web.summary", &args);
    checked.refusals = outcome.report.refusals();
    checked.warnings = outcome.report.warnings();
    checked.files = file_views(outcome, returns, profile);
    if let Some(c) = consolidated {
        let args = c.count_args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        checked.summary_prev = Some(profile.message("web.summary_prev", &args));
        let (contact, due) = settings::contact_and_due(&app.dir, profile);
        let reminder = Reminder {
            wareki: year.wareki(),
            due: pipeline::due_text(due.as_deref(), profile),
            contact: pipeline::contact_text(contact.as_ref(), profile),
        };
        checked.submissions = submission_views(&c.submissions, &reminder, profile);
    }
}
