//! The inputs read and merged: files and folders expanded, each file read (on every
//! core), their rows merged into one book. `check` is this alone; every other command
//! starts here (a book is read as one input).

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::error::Error;
use crate::merge::merge_sources;
use crate::model::FiscalYear;
use crate::problem::Report;
use crate::profile::Profile;
use crate::read::{expand_inputs, read_inputs, ReadOptions, Source};

/// Reads and merges inputs (files or folders) for `year`.
///
/// # Errors
/// An input path that does not exist.
pub fn read_and_merge(
    inputs: &[PathBuf],
    year: Option<FiscalYear>,
    profile: &Profile,
) -> Result<Outcome, Error> {
    let mut report = Report::default();
    let sources = read_sources(inputs, year, profile, &mut report)?;
    Ok(merge(sources, year, profile, report))
}

/// Reads the departments' returns for `year` (`with_prev`: last year's book is given
/// beside them), and merges them. Guards against a silently wrong book:
/// - a book kpiroll wrote among the returns is not read, with a warning: last year's
///   book belongs to `--prev`, this year's is last run's output saved among the
///   returns (a book given alone, with no `--prev`, is read: it is made again);
/// - returns that all state one other year than `year`, and nothing else, are
///   [`Error::ReturnsOfAnotherYear`], said once (with the first return's refusal as
///   the example of where);
/// - rollover forms without last year's book get a warning naming the book they came
///   from.
///
/// # Errors
/// An input path that does not exist; returns all of another year.
pub fn read_returns(
    inputs: &[PathBuf],
    year: FiscalYear,
    with_prev: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    use crate::problem::ProblemKind;
    let mut report = Report::default();
    let mut sources = read_sources(inputs, Some(year), profile, &mut report)?;
    set_aside_own_outputs(&mut sources, year, with_prev);
    // a return whose header states no year (`実績値`) states its title's (`令和7年度 …`):
    // the first table's title, when every table it read rows from has one of another year
    let title_of_another_year = |s: &Source| -> Option<crate::problem::Problem> {
        let mut read = s.tables.iter().filter(|t| !t.rows.is_empty()).peekable();
        read.peek()?;
        let mut first = None;
        for t in read {
            let title = t.title_year.as_ref().filter(|t| t.year != year)?;
            first.get_or_insert_with(|| {
                crate::problem::Problem::new(
                    crate::problem::Location::cell(
                        &s.path,
                        t.sheet.as_deref(),
                        title.row,
                        title.col,
                    ),
                    ProblemKind::YearMismatch {
                        header: title.text.clone(),
                        found: title.year.to_string(),
                        expected: year.to_string(),
                    },
                )
            });
        }
        first
    };
    let titled: Vec<Option<crate::problem::Problem>> =
        sources.iter().map(title_of_another_year).collect();
    if sources
        .iter()
        .zip(&titled)
        .all(|(s, t)| s.rows().next().is_none() || t.is_some())
    {
        let mut stated = std::collections::BTreeSet::new();
        let mut first = None;
        for (s, t) in sources.iter().zip(&titled) {
            for p in s.report.problems.iter().chain(t) {
                let found = match &p.kind {
                    ProblemKind::FormWrongYear { found, .. } => found,
                    ProblemKind::YearMismatch { found, .. } if found != "?" => found,
                    _ => continue,
                };
                stated.insert(found.clone());
                first.get_or_insert(p);
            }
        }
        if let (1, Some(first)) = (stated.len(), first) {
            return Err(Error::ReturnsOfAnotherYear {
                found: stated.into_iter().next().unwrap_or_default(),
                given: year.to_string(),
                first: first.render(profile),
                skipped: report
                    .problems
                    .iter()
                    .filter(|p| matches!(p.kind, ProblemKind::NotATable { .. }))
                    .map(|p| p.render(profile))
                    .collect(),
            });
        }
    }
    if !with_prev {
        forms_without_prev(&sources, &mut report);
    }
    Ok(merge(sources, Some(year), profile, report))
}

/// kpiroll's own outputs among the returns are not read, each with a warning: last
/// year's book belongs to `--prev`, this year's is last run's output saved among the
/// returns (a book given alone, with no `--prev`, is read: it is made again).
fn set_aside_own_outputs(sources: &mut [Source], year: FiscalYear, with_prev: bool) {
    use crate::model::OutputKind;
    use crate::problem::{Location, ProblemKind};
    let only_books = sources.iter().all(|s| s.made.is_some());
    for source in sources.iter_mut() {
        let Some(made) = &source.made else {
            continue;
        };
        let last_year =
            made.kind != OutputKind::Diff && made.year.is_some_and(|y| y.0 + 1 == year.0);
        let kind = if last_year {
            ProblemKind::PrevBookAmongReturns {
                year: made.year.map(|y| y.to_string()).unwrap_or_default(),
            }
        } else if with_prev || !only_books || made.kind == OutputKind::Diff {
            let year = made
                .year
                .or_else(|| source.tables.iter().find_map(|t| t.year))
                .map_or_else(|| "?".to_string(), |y| y.to_string());
            match made.kind {
                OutputKind::Book => ProblemKind::KpirollBook { year },
                OutputKind::Working => ProblemKind::KpirollWorkingBook { year },
                OutputKind::Diff => ProblemKind::KpirollDiff,
            }
        } else {
            continue;
        };
        source.tables.clear();
        source.report = Report::default();
        source.report.push(Location::file(&source.path), kind);
    }
}

/// Rollover forms read without last year's book: a warning per book they came from.
fn forms_without_prev(sources: &[Source], report: &mut Report) {
    use crate::problem::{Location, ProblemKind};
    // forms by the book they came from, each book named once
    let mut books: std::collections::BTreeMap<(&str, &str), (&Path, usize)> =
        std::collections::BTreeMap::new();
    for s in sources {
        if let Some(form) = &s.form {
            let entry = books
                .entry((form.source.as_str(), form.source_file.as_str()))
                .or_insert((&s.path, 0));
            entry.1 += 1;
        }
    }
    for ((source, book), (first, forms)) in books {
        report.push(
            Location::file(first),
            ProblemKind::FormsWithoutPrev {
                forms,
                source: source.to_string(),
                book: book.to_string(),
            },
        );
    }
}

/// Expands and reads the inputs; problems of the folders' walk go into `report`.
fn read_sources(
    inputs: &[PathBuf],
    year: Option<FiscalYear>,
    profile: &Profile,
    report: &mut Report,
) -> Result<Vec<Source>, Error> {
    let files = expand_inputs(inputs, report)?;
    let options = ReadOptions {
        year,
        limits: profile.limits,
    };
    let read = crate::progress::stage("read");
    let sources = read_inputs(&files, &options, profile);
    drop(read);
    Ok(sources)
}

/// Merges what was read; `report` holds the problems found before the files were read.
fn merge(
    mut sources: Vec<Source>,
    year: Option<FiscalYear>,
    profile: &Profile,
    mut report: Report,
) -> Outcome {
    for s in &sources {
        report.extend(s.report.clone());
    }
    let year = match year.or_else(|| sources.iter().flat_map(|s| &s.tables).find_map(|t| t.year)) {
        Some(y) => y,
        None => FiscalYear(0),
    };
    let _merge = crate::progress::stage("merge the inputs");
    let merged = merge_sources(&mut sources, year, profile, &mut report);
    Outcome {
        sources,
        merged,
        report,
    }
}

/// Reads a book and insists it has rows.
///
/// # Errors
/// The file does not exist, or no row could be read from it.
pub fn read_nonempty_book(book: &Path, profile: &Profile) -> Result<Outcome, Error> {
    let outcome = read_book(book, profile)?;
    if outcome.merged.book.rows.is_empty() {
        return Err(Error::NothingRead);
    }
    Ok(outcome)
}

/// Reads one book (any file of this shape) into its rows.
///
/// # Errors
/// The file does not exist.
pub fn read_book(path: &Path, profile: &Profile) -> Result<Outcome, Error> {
    read_and_merge(&[path.to_path_buf()], None, profile)
}
