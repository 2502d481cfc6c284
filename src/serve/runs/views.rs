//! What the page shows of a check: the counts, per file its problems (each at its cell,
//! how bad, what to do), the tables read and the rows taken, and 提出状況 with a reminder
//! to paste into a mail for each 課 that owes something. Every text is the catalogue's.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::consolidate::Submission;
use crate::merge::Fate;
use crate::pipeline::Outcome;
use crate::problem::{Problem, Severity};
use crate::profile::Profile;
use crate::read::Source;

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

/// An upload refused before the check (`name`, and `why` as the page says it).
pub(super) fn refused_upload(name: &str, why: &str, profile: &Profile) -> FileView {
    FileView {
        name: name.to_string(),
        problems: vec![ProblemView {
            at: name.to_string(),
            refused: true,
            level: profile.message("web.level_refused", &[]),
            text: why.to_string(),
            todo: String::new(),
        }],
        ..FileView::default()
    }
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
pub(super) fn file_views(outcome: &Outcome, returns: &Path, profile: &Profile) -> Vec<FileView> {
    let mut views: Vec<(PathBuf, FileView)> = outcome
        .sources
        .iter()
        .map(|source| {
            let view = source_view(source, outcome, returns, profile);
            (source.path.clone(), view)
        })
        .collect();
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

/// One return read: the tables found, how many rows were taken, merged with a copy or
/// refused, and the 事務事業番号 taken; its problems come after.
fn source_view(source: &Source, outcome: &Outcome, returns: &Path, profile: &Profile) -> FileView {
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
    FileView {
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
    }
}

/// What a reminder says beside the 課 and its keys.
pub(super) struct Reminder {
    pub wareki: String,
    pub due: String,
    pub contact: String,
}

/// 提出状況 for the page: not returned first, then partly returned, then returned; each
/// that owes something with its reminder.
pub(super) fn submission_views(
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
