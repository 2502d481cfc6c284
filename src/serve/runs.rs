//! Runs: one folder each under `kpiroll-web/` (`001`, `002` …, taken by creating it, so
//! two tabs never get the same), holding what was uploaded (`returns/`, `prev/`,
//! `renames/`), what the run is (`run.json`) and what it made (`out/`).
//!
//! The check and every output call the same [`crate::pipeline`] functions the command
//! line calls, on the same files: the working book as `consolidate --prev` writes it,
//! the handout as `handout`, next year's forms as `rollover` (zipped), the diff as
//! `diff -o …xlsx`, the exports as `export`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::consolidate::Submission;
use crate::error::Error;
use crate::merge::Fate;
use crate::model::FiscalYear;
use crate::pipeline::{self, Outcome};
use crate::problem::{Problem, Severity};
use crate::profile::Profile;
use crate::renames::Renames;

use super::upload::Received;
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

/// What the page shows of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    pub run: String,
    pub folder: String,
    /// the run stopped: why (the texts the command line prints before it, then the
    /// error)
    pub error: Option<String>,
    pub summary: String,
    pub summary_prev: Option<String>,
    pub refusals: usize,
    pub warnings: usize,
    /// files with problems first, then the others, each in read order
    pub files: Vec<FileView>,
    /// 課 not returned first, then partly returned, then returned
    pub submissions: Vec<SubmissionView>,
    pub has_prev: bool,
    pub next_year: String,
    /// what each output will be called
    pub names: Vec<(String, String)>,
}

/// One file of the check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileView {
    pub name: String,
    pub problems: Vec<ProblemView>,
    pub tables: Vec<String>,
    pub taken: Option<String>,
    pub keys: Option<String>,
}

/// One problem: where (`file!sheet!cell`), how bad, what, what to do.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub at: String,
    pub refused: bool,
    pub level: String,
    pub text: String,
    pub todo: String,
}

/// One line of 提出状況.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub department: String,
    /// `missing`, `partial` or `done`
    pub state: String,
    pub state_text: String,
    pub expected: usize,
    pub received: usize,
    pub missing: Vec<String>,
    pub files: Vec<String>,
    /// the reminder to paste into a mail, for a 課 that owes something
    pub reminder: Option<String>,
}

/// Checks what was uploaded into `dir` (run `id`): the returns read and consolidated
/// with last year's book as `consolidate --prev` does (or without it, as `consolidate`),
/// and the working book written into `out/`, as the command line writes it.
pub fn check(app: &App, id: &str, dir: &Path, received: Received, profile: &Profile) -> Checked {
    let mut checked = Checked {
        run: id.to_string(),
        folder: dir.display().to_string(),
        ..Checked::default()
    };
    let refused_uploads: Vec<FileView> = received
        .refused
        .iter()
        .map(|(name, why)| FileView {
            name: name.clone(),
            problems: vec![ProblemView {
                at: name.clone(),
                refused: true,
                level: profile.message("web.level_refused", &[]),
                text: why.clone(),
                todo: String::new(),
            }],
            ..FileView::default()
        })
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

fn consolidate(
    app: &App,
    dir: &Path,
    received: &Received,
    profile: &Profile,
    checked: &mut Checked,
) -> Result<(), Failed> {
    let settings = super::settings::load(&app.dir, profile)?;
    if received.year.is_empty() {
        return Err(Failed::Page("web.year_missing"));
    }
    let year = FiscalYear::parse(&received.year).ok_or_else(|| Error::BadYear {
        text: received.year.clone(),
    })?;
    let from_settings =
        |wanted: bool, pick: fn(&crate::cli::settings::Settings) -> Option<PathBuf>| {
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
    let names = |key: &str, default: &str| -> String {
        let default = profile.message(default, &[]);
        let chosen = match key {
            "book" => settings.as_ref().and_then(|s| s.book.clone()),
            "handout" => settings.as_ref().and_then(|s| s.handout.clone()),
            "forms" => settings.as_ref().and_then(|s| s.forms.clone()),
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
    let run = Run {
        year: received.year.clone(),
        prev: prev.clone(),
        renames: renames.clone(),
        book: fill(names("book", "web.file_book")),
        handout: fill(names("handout", "web.file_handout")),
        forms: fill(names("forms", "web.file_forms")),
        diff: fill(profile.message("web.file_diff", &[])),
        export: fill(profile.message("web.file_export", &[])),
    };
    let json = serde_json::to_vec_pretty(&run).unwrap_or_default();
    crate::output::write_atomic(&dir.join(RUN_FILE), &json, true)?;
    checked.has_prev = prev.is_some();
    checked.next_year = next.to_string();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).map_err(|source| Error::Write {
        path: out.clone(),
        source,
    })?;
    let book = out.join(&run.book);
    let inputs = [returns.clone()];
    let (outcome, consolidated) = match &prev {
        Some(prev) => {
            let renames = Renames::load_opt(renames.as_ref())?;
            let done = pipeline::consolidate_with_prev(&inputs, prev, &renames, year, profile)?;
            if done.outcome.merged.fates.is_empty() {
                return Err(Error::NothingRead.into());
            }
            pipeline::write_working(&done, &book, false, profile)?;
            (done.outcome, Some(done.consolidated))
        }
        None => {
            let outcome = pipeline::read_returns(&inputs, year, false, profile)?;
            if outcome.merged.book.rows.is_empty() {
                return Err(Error::NothingRead.into());
            }
            pipeline::write_book(&outcome.merged.book, &book, false, profile)?;
            (outcome, None)
        }
    };
    let args = outcome.count_args();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    checked.summary = profile.message("web.summary", &args);
    checked.refusals = outcome.report.refusals();
    checked.warnings = outcome.report.warnings();
    checked.files = file_views(&outcome, &returns, profile);
    if let Some(c) = &consolidated {
        let args = c.count_args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        checked.summary_prev = Some(profile.message("web.summary_prev", &args));
        let (contact, due) = super::settings::contact_and_due(&app.dir, profile);
        let reminder = Reminder {
            wareki: year.wareki(),
            due: pipeline::due_text(due.as_deref(), profile),
            contact: pipeline::contact_text(contact.as_ref(), profile),
        };
        checked.submissions = submission_views(&c.submissions, &reminder, profile);
    }
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

/// The name a file is shown by: its path in the returns as dropped, else its name.
fn shown_name(path: &Path, returns: &Path) -> String {
    match path.strip_prefix(returns) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        ),
    }
}

fn problem_view(p: &Problem, profile: &Profile) -> ProblemView {
    let refused = p.severity() == Severity::Refusal;
    let (level, todo) = if refused {
        ("web.level_refused", "web.todo_refusal")
    } else {
        ("web.level_warning", "web.todo_warning")
    };
    ProblemView {
        at: crate::problem::shown(&p.at.to_string()).into_owned(),
        refused,
        level: profile.message(level, &[]),
        text: crate::problem::shown(&p.text(profile)).into_owned(),
        todo: profile.message(todo, &[]),
    }
}

/// Per file: its problems, the tables read, the rows taken and their 事務事業番号; files
/// with problems first. Problems of a file that is no return (last year's book, a file
/// passed over) make an entry of their own.
fn file_views(outcome: &Outcome, returns: &Path, profile: &Profile) -> Vec<FileView> {
    let mut views: Vec<(PathBuf, FileView)> = Vec::new();
    for source in &outcome.sources {
        let fates = outcome
            .merged
            .fates
            .iter()
            .filter(|r| r.at.file == source.path);
        let (mut taken, mut merged, mut refused) = (0, 0, 0);
        let mut keys: Vec<&str> = Vec::new();
        for r in fates {
            match r.fate {
                Fate::Taken => taken += 1,
                Fate::Merged => merged += 1,
                Fate::Refused => refused += 1,
            }
            if r.fate != Fate::Refused && !keys.contains(&r.key.project_no.as_str()) {
                keys.push(&r.key.project_no);
            }
        }
        refused += outcome
            .report
            .problems
            .iter()
            .filter(|p| p.at.file == source.path && p.refuses_a_row())
            .count();
        let tables = source
            .tables
            .iter()
            .map(|t| {
                let (header, rows) = ((t.header_row + 1).to_string(), t.rows_read.to_string());
                match &t.sheet {
                    Some(sheet) => profile.message(
                        "web.table_read",
                        &[("sheet", sheet), ("header", &header), ("rows", &rows)],
                    ),
                    None => profile.message(
                        "web.table_read_text",
                        &[("header", &header), ("rows", &rows)],
                    ),
                }
            })
            .collect::<Vec<_>>();
        let (t, m, r) = (taken.to_string(), merged.to_string(), refused.to_string());
        let view = FileView {
            name: shown_name(&source.path, returns),
            problems: Vec::new(),
            tables: if tables.is_empty() && source.made.is_none() {
                vec![profile.message("web.no_table", &[])]
            } else {
                tables
            },
            taken: Some(profile.message(
                "web.taken",
                &[("taken", &t), ("merged", &m), ("refused", &r)],
            )),
            keys: (!keys.is_empty())
                .then(|| profile.message("web.keys_taken", &[("keys", &keys.join("、"))])),
        };
        views.push((source.path.clone(), view));
    }
    for p in &outcome.report.problems {
        let i = match views.iter().position(|(path, _)| *path == p.at.file) {
            Some(i) => i,
            None => {
                views.push((
                    p.at.file.clone(),
                    FileView {
                        name: shown_name(&p.at.file, returns),
                        ..FileView::default()
                    },
                ));
                views.len() - 1
            }
        };
        views[i].1.problems.push(problem_view(p, profile));
    }
    let (mut with, without): (Vec<_>, Vec<_>) = views
        .into_iter()
        .map(|(_, v)| v)
        .partition(|v| !v.problems.is_empty());
    with.extend(without);
    with
}

/// What a reminder says beside the 課 and its keys.
struct Reminder {
    wareki: String,
    due: String,
    contact: String,
}

/// 提出状況 for the page: not returned first, then partly returned, then returned; each
/// that owes something with its reminder.
fn submission_views(
    submissions: &[Submission],
    reminder: &Reminder,
    profile: &Profile,
) -> Vec<SubmissionView> {
    let mut views: Vec<(u8, SubmissionView)> = submissions
        .iter()
        .map(|s| {
            let (rank, state) = if s.received == 0 && s.expected > 0 {
                (0, "missing")
            } else if !s.missing.is_empty() {
                (1, "partial")
            } else {
                (2, "done")
            };
            let keys = s.missing.join("、");
            let text = (rank < 2).then(|| {
                profile
                    .message("web.reminder", &[])
                    .replace("{department}", &s.department)
                    .replace("{wareki}", &reminder.wareki)
                    .replace("{keys}", &keys)
                    .replace("{due}", &reminder.due)
                    .replace("{contact}", &reminder.contact)
                    .trim()
                    .to_string()
            });
            let view = SubmissionView {
                department: s.department.clone(),
                state: state.to_string(),
                state_text: profile.message(&format!("web.state_{state}"), &[]),
                expected: s.expected,
                received: s.received,
                missing: s.missing.clone(),
                files: s.files.clone(),
                reminder: text,
            };
            (rank, view)
        })
        .collect();
    views.sort_by_key(|(rank, _)| *rank);
    views.into_iter().map(|(_, v)| v).collect()
}

/// What a button makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Book,
    Handout,
    Pdf,
    Forms,
    Diff,
    Json,
    Csv,
    Parquet,
}

impl Output {
    /// By its name in the page's request.
    pub fn from_name(name: &str) -> Option<Output> {
        Some(match name {
            "book" => Output::Book,
            "handout" => Output::Handout,
            "pdf" => Output::Pdf,
            "forms" => Output::Forms,
            "diff" => Output::Diff,
            "json" => Output::Json,
            "csv" => Output::Csv,
            "parquet" => Output::Parquet,
            _ => return None,
        })
    }
}

/// What was made: its file name in `out/` and its size.
#[derive(Debug, Clone, Serialize)]
pub struct Made {
    pub name: String,
    pub bytes: u64,
    pub text: String,
}

/// Makes one output of the run in `dir` (once: a file already made is offered again;
/// the forms are made again, for their due date may have changed), by the same
/// pipeline call as the command line.
///
/// # Errors
/// The run's year or book is gone, the output cannot be made (no last year's book for
/// the diff, no LibreOffice for the PDF …).
pub fn make(
    app: &App,
    dir: &Path,
    what: Output,
    forms_due: Option<String>,
    profile: &Profile,
) -> Result<Made, Failed> {
    let run = Run::load(dir).ok_or_else(|| Error::InputNotFound {
        path: dir.join(RUN_FILE),
    })?;
    let out = dir.join("out");
    let book = out.join(&run.book);
    let handout = out.join(&run.handout);
    let path = match what {
        Output::Book => book.clone(),
        Output::Handout | Output::Pdf => {
            if !handout.is_file() {
                pipeline::handout(&book, &handout, false, profile)?;
            }
            if what == Output::Pdf {
                let pdf = handout.with_extension("pdf");
                if !pdf.is_file() {
                    pipeline::to_pdf(&handout)?;
                }
                pdf
            } else {
                handout
            }
        }
        Output::Forms => {
            let next = FiscalYear(run.year()?.0 + 1);
            let folder = out.join(&run.forms);
            let (contact, _) = super::settings::contact_and_due(&app.dir, profile);
            let due = forms_due.filter(|d| !d.trim().is_empty());
            let rolled = pipeline::rollover(
                &book,
                next,
                &folder,
                &Renames::default(),
                None,
                due,
                contact.as_ref(),
                true,
                profile,
            )?;
            let zip = out.join(format!("{}.zip", run.forms));
            let files: Vec<PathBuf> = rolled.forms.iter().map(|(_, p, _)| p.clone()).collect();
            crate::output::write_atomic(&zip, &zip_of(&files, &zip)?, true)?;
            zip
        }
        Output::Diff => {
            let prev = run.prev.clone().ok_or(Failed::Page("web.needs_prev"))?;
            let path = out.join(&run.diff);
            if !path.is_file() {
                let (diff, _) =
                    pipeline::diff(&[prev, book.clone()], run.renames.as_ref(), profile)?;
                pipeline::write_diff(&diff, &path, false, profile)?;
            }
            path
        }
        Output::Json | Output::Csv | Output::Parquet => {
            let ext = match what {
                Output::Json => "json",
                Output::Csv => "csv",
                _ => "parquet",
            };
            let path = out.join(format!("{}.{ext}", run.export));
            if !path.is_file() {
                pipeline::export(&book, &path, false, true, profile)?;
            }
            path
        }
    };
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let kib = bytes.div_ceil(1024).to_string();
    Ok(Made {
        text: profile.message("web.made", &[("name", &name), ("kib", &kib)]),
        name,
        bytes,
    })
}

/// The forms in one zip, by their file names, in the order given; no time stamp of
/// its own (the same forms make the same zip).
fn zip_of(files: &[PathBuf], zip: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let failed = |e: &dyn std::fmt::Display| Error::Write {
        path: zip.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let bytes = std::fs::read(file).map_err(|source| Error::Write {
            path: file.clone(),
            source,
        })?;
        writer.start_file(name, options).map_err(|e| failed(&e))?;
        writer.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
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
