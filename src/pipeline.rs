//! The stages chained, in one place: read → merge → write.
//!
//! Each command of the CLI calls one function here. Stages never print and never exit:
//! they return what they made and push problems into a [`Report`]; the CLI decides what
//! to show and the exit status.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::merge::{merge_sources, Fate, Merged};
use crate::model::{Book, FiscalYear};
use crate::output::{refuse_existing, write_atomic};
use crate::problem::Report;
use crate::profile::Profile;
use crate::read::{expand_inputs, read_inputs, ReadOptions, Source};
use crate::write::book::book_workbook;

/// A row as read and the cell of its 事務事業番号.
#[derive(Debug, Clone, Copy)]
pub struct RowRead<'a> {
    pub at: &'a crate::problem::Location,
    pub row: &'a crate::model::Row,
}

/// What a run read and what became of it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub sources: Vec<Source>,
    pub merged: Merged,
    pub report: Report,
}

impl Outcome {
    /// Every row read from `source` (one of the inputs), in sheet and row order, with
    /// where it was read. Rows are only there while the merged book still holds them
    /// (a consolidation moves them on).
    pub fn rows_read<'a>(&'a self, source: &'a Source) -> impl Iterator<Item = RowRead<'a>> + 'a {
        self.merged
            .fates
            .iter()
            .filter(move |r| r.at.file == source.path)
            .filter_map(|r| {
                Some(RowRead {
                    at: &r.at,
                    row: self.merged.row_of(r)?,
                })
            })
    }

    /// The counts as message arguments: `files`, `read`, `taken`, `merged`, `refused`.
    pub fn count_args(&self) -> Vec<(&'static str, String)> {
        let (read, taken, merged, refused) = self.counts();
        [
            ("files", self.sources.len()),
            ("read", read),
            ("taken", taken),
            ("merged", merged),
            ("refused", refused),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    }

    /// (rows read, taken, merged with an identical row, refused): every data row of every
    /// input, including the rows refused while reading (a bad or missing key)
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |f: Fate| self.merged.fates.iter().filter(|r| r.fate == f).count();
        let refused_reading = self
            .report
            .problems
            .iter()
            .filter(|p| p.refuses_a_row())
            .count();
        let refused = count(Fate::Refused) + refused_reading;
        (
            self.merged.fates.len() + refused_reading,
            count(Fate::Taken),
            count(Fate::Merged),
            refused,
        )
    }
}

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

/// `consolidate` without last year's book: returns → one book of `year` at `output`.
///
/// # Errors
/// A missing input, nothing to write, or the output cannot be written.
pub fn consolidate(
    inputs: &[PathBuf],
    year: FiscalYear,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    let outcome = read_returns(inputs, year, false, profile)?;
    if outcome.merged.book.rows.is_empty() {
        return Err(Error::NothingRead);
    }
    write_book(&outcome.merged.book, output, force, profile)?;
    Ok(outcome)
}

/// Writes a book to `output` (atomically; refuses to overwrite without `force`).
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_book(book: &Book, output: &Path, force: bool, profile: &Profile) -> Result<(), Error> {
    save_workbook(output, force, profile, || book_workbook(book, profile))
}

/// Builds a workbook and puts it at `output` (atomically; never over an existing file
/// without `force`), with a spinner on stderr while it is built and compressed.
///
/// # Errors
/// The output exists (without `force`), the workbook cannot be built or written.
pub fn save_workbook(
    output: &Path,
    force: bool,
    profile: &Profile,
    build: impl FnOnce() -> Result<crate::write::xlsx::Workbook, rust_xlsxwriter::XlsxError>,
) -> Result<(), Error> {
    refuse_existing(output, force)?;
    let xlsx = |source| Error::Xlsx {
        path: output.to_path_buf(),
        source,
    };
    let spinner = crate::progress::spinner(&profile.message(
        "progress_write",
        &[(
            "output",
            &crate::problem::shown(&output.display().to_string()),
        )],
    ));
    let built = crate::progress::stage("build the workbook");
    let workbook = build();
    drop(built);
    let saved = crate::progress::stage("save the workbook");
    let bytes = workbook.and_then(|workbook| workbook.save()).map_err(xlsx);
    drop(saved);
    spinner.finish_and_clear();
    let _write = crate::progress::stage("write the file");
    write_atomic(output, &bytes?, force)
}

/// An output that is one of the inputs (the same file, however named, or a file in an
/// input folder) is refused whatever `--force` says: inputs are only ever read.
///
/// # Errors
/// [`Error::OutputIsInput`].
pub fn refuse_input_as_output(output: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    use crate::output::same_file;
    if !output.exists() {
        return Ok(());
    }
    let refused = |input: &Path| Error::OutputIsInput {
        path: output.to_path_buf(),
        input: input.to_path_buf(),
    };
    for input in inputs {
        if same_file(output, input) {
            return Err(refused(input));
        }
    }
    if let Ok(expanded) = crate::read::find_inputs(inputs) {
        if let Some(input) = expanded.files.iter().find(|f| same_file(output, f)) {
            return Err(refused(input));
        }
    }
    Ok(())
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

/// `export`: a book's rows to JSON / CSV / Parquet, chosen by the output's extension.
///
/// # Errors
/// Unknown extension, nothing read, or the output cannot be written.
pub fn export(
    book: &Path,
    output: &Path,
    force: bool,
    guard: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    let format =
        crate::export::Format::from_path(output).ok_or_else(|| Error::UnknownOutputFormat {
            path: output.to_path_buf(),
            expected: ".json .csv .parquet".to_string(),
        })?;
    refuse_existing(output, force)?;
    refuse_input_as_output(output, &[book.to_path_buf()])?;
    let outcome = read_nonempty_book(book, profile)?;
    let bytes =
        crate::export::export_bytes(&outcome.merged.book.rows, format, output, guard, profile)?;
    write_atomic(output, &bytes, force)?;
    Ok(outcome)
}

/// Lets go of what a run built without freeing it piece by piece: the process ends
/// right after and the system takes the memory back at once (freeing a national set's
/// 280,000 rows one string at a time costs a tenth of a second). With the polars
/// warm-up of [`consolidate_with_prev`] and the stage timers here, the one place where
/// speed bends the code's plain shape.
pub fn leave<T>(done: T) {
    std::mem::forget(done);
}

/// What `consolidate --prev` made.
#[derive(Debug, Clone)]
pub struct YearOutcome {
    pub outcome: Outcome,
    pub consolidated: crate::consolidate::Consolidated,
    /// last year's rows as the consolidation left them (their parts moved into
    /// `consolidated`): kept rather than freed string by string during the merge, so
    /// that the caller decides when ([`leave`]: at exit; 140,000 rows' worth is a tenth
    /// of a second)
    pub last_year_left: Book,
}

/// `consolidate --prev`: last year's book + this year's returns → this year's working
/// book (一覧 with highlights, 変更点, 取込ログ, 提出状況) at `output`.
///
/// # Errors
/// A missing input, last year's book unreadable, nothing returned, the output cannot be
/// written.
pub fn consolidate_with_prev(
    inputs: &[PathBuf],
    prev: &Path,
    renames: &crate::renames::Renames,
    year: FiscalYear,
    profile: &Profile,
) -> Result<YearOutcome, Error> {
    // polars starts its threads and plans on its first join (~40 ms): done on a thread
    // of its own while the books are read
    let warm = std::thread::spawn(|| crate::join::join_keys(&[], &[]).is_ok());
    // last year's book is one file, read on one core: read it beside the returns
    let (last, outcome) = rayon::join(
        || read_book(prev, profile),
        || read_returns(inputs, year, true, profile),
    );
    // only its rows and problems are kept
    let Outcome {
        merged: Merged {
            book: mut last_book,
            ..
        },
        mut report,
        ..
    } = last?;
    if last_book.rows.is_empty() {
        return Err(Error::PrevUnreadable {
            path: prev.to_path_buf(),
        });
    }
    let mut outcome = outcome?;
    let _ = warm.join();
    report.extend(std::mem::take(&mut outcome.report));
    let spinner = crate::progress::spinner(&profile.message("progress_merge", &[]));
    let _merge = crate::progress::stage("merge with last year");
    // both books' rows move into the consolidation
    let consolidated = crate::consolidate::merge_with_prev(
        &mut last_book,
        &mut outcome.merged,
        renames,
        profile,
        prev,
        &mut report,
    )
    .map_err(|e| Error::Merge {
        message: e.to_string(),
    })?;
    spinner.finish_and_clear();
    outcome.report = report;
    Ok(YearOutcome {
        outcome,
        consolidated,
        last_year_left: last_book,
    })
}

/// Writes the working book of a consolidation.
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_working(
    year: &YearOutcome,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<(), Error> {
    save_workbook(output, force, profile, || {
        crate::write::working::working_workbook(
            &year.consolidated,
            &year.outcome.sources,
            &year.outcome.merged.fates,
            &year.outcome.report,
            profile,
        )
    })
}

/// `handout`: the council's copy of a book: only the table sheet, no highlights or
/// notes, laid out and printed like the book.
///
/// # Errors
/// The book cannot be read or the output written.
pub fn handout(
    book: &Path,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    refuse_existing(output, force)?;
    refuse_input_as_output(output, &[book.to_path_buf()])?;
    let outcome = read_nonempty_book(book, profile)?;
    write_book(&outcome.merged.book, output, force, profile)?;
    Ok(outcome)
}

/// Converts a workbook to PDF beside it with LibreOffice (`soffice --headless`).
///
/// # Errors
/// [`Error::NoLibreOffice`] when soffice is not installed (looked for where
/// [`crate::libreoffice::candidates`] says); [`Error::Pdf`] when the
/// conversion fails.
pub fn to_pdf(workbook: &Path) -> Result<PathBuf, Error> {
    let dir = match workbook.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let pdf = workbook.with_extension("pdf");
    let mut programs = crate::libreoffice::candidates(cfg!(windows), |v| std::env::var_os(v))
        .into_iter()
        .map(|program| {
            std::process::Command::new(program)
                .args(["--headless", "--convert-to", "pdf", "--outdir"])
                .arg(&dir)
                .arg(workbook)
                .output()
        });
    // the first that runs at all
    let run = programs
        .find(Result::is_ok)
        .unwrap_or_else(|| Err(std::io::ErrorKind::NotFound.into()));
    match run {
        Err(_) => Err(Error::NoLibreOffice {
            handout: workbook.to_path_buf(),
        }),
        Ok(out) if out.status.success() && pdf.is_file() => Ok(pdf),
        Ok(out) => Err(Error::Pdf {
            path: pdf,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }),
    }
}

/// What rollover wrote.
#[derive(Debug, Clone)]
pub struct Rolled {
    pub book: Outcome,
    /// (課, form path, rows)
    pub forms: Vec<(String, PathBuf, usize)>,
}

/// `rollover`: last year's book → one protected form per 担当課 in `dir`.
#[allow(clippy::too_many_arguments)] // the command's options, passed through as they are
///
/// # Errors
/// The book cannot be read; a form exists (without `force`) or cannot be written.
pub fn rollover(
    book: &Path,
    year: FiscalYear,
    dir: &Path,
    renames: &crate::renames::Renames,
    password: Option<String>,
    due: Option<String>,
    contact: Option<&crate::model::Contact>,
    force: bool,
    profile: &Profile,
) -> Result<Rolled, Error> {
    use sha2::Digest;
    let bytes = std::fs::read(book).map_err(|_| Error::InputNotFound {
        path: book.to_path_buf(),
    })?;
    let hash: String = sha2::Sha256::digest(&bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut outcome = read_nonempty_book(book, profile)?;
    let plans = crate::rollover::plan(
        &outcome.merged.book,
        year,
        renames,
        dir,
        &profile.form.file_name,
    );
    for p in &plans {
        // a form in the way of one 課 is its own failure below (not regular), not the run's
        crate::output::refuse_overwrite(&p.path, force)?;
        refuse_input_as_output(&p.path, &[book.to_path_buf()])?;
    }
    let mut forms = Vec::new();
    for plan in plans {
        // last year's 備考 (flags and text) is shown beside the input, never in it
        let rows = plan.rows.clone();
        let options = crate::write::form::FormOptions {
            year,
            department: plan.department.clone(),
            password: password.clone(),
            due: due.clone(),
            contact: contact.cloned(),
            source_hash: hash.clone(),
            source_file: book
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        };
        let xlsx = |source| Error::Xlsx {
            path: plan.path.clone(),
            source,
        };
        // one form that cannot be written is reported; the other 課 still get theirs
        let written = crate::write::form::form_workbook(&rows, profile, &options)
            .and_then(|mut workbook| workbook.save_to_buffer())
            .and_then(crate::write::xlsx::repair::well_formed)
            .map_err(xlsx)
            .and_then(|bytes| write_atomic(&plan.path, &bytes, force));
        match written {
            Ok(()) => forms.push((plan.department, plan.path, rows.len())),
            Err(e) => outcome.report.push(
                crate::problem::Location::file(&plan.path),
                crate::problem::ProblemKind::FormNotWritten {
                    department: plan.department,
                    reason: e.render(profile),
                },
            ),
        }
    }
    Ok(Rolled {
        book: outcome,
        forms,
    })
}

/// `diff`: reads every book (their problems into one report) and compares the first with
/// the last; more than two books also give the trend. `renames` is the renames file
/// (its 課 renames and `[[move]]` renumberings).
///
/// # Errors
/// A book that cannot be read or holds no rows, a bad renames file, polars failures.
pub fn diff(
    books: &[PathBuf],
    renames: Option<&PathBuf>,
    profile: &Profile,
) -> Result<(crate::diff::Diff, Report), Error> {
    let moves = crate::renames::Moves::load_opt(renames)?;
    let renames = crate::renames::Renames::load_opt(renames)?;
    let mut report = Report::default();
    let mut inputs = Vec::new();
    for path in books {
        let outcome = read_book(path, profile)?;
        report.extend(outcome.report);
        if outcome.merged.book.rows.is_empty() {
            return Err(Error::DiffNoRows { path: path.clone() });
        }
        inputs.push(crate::diff::Input {
            file: path.clone(),
            book: outcome.merged.book,
        });
    }
    let diff =
        crate::diff::Diff::new(inputs, &renames, &moves, profile).map_err(|e| Error::Merge {
            message: e.to_string(),
        })?;
    Ok((diff, report))
}

/// Writes the diff workbook (概要, 変更一覧, 対照表, 推移) to `output`.
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_diff(
    diff: &crate::diff::Diff,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<(), Error> {
    write_atomic(output, &diff_xlsx_bytes(diff, output, profile)?, force)
}

/// The bytes of the diff workbook (`output` names it in errors).
///
/// # Errors
/// rust_xlsxwriter's limits.
pub fn diff_xlsx_bytes(
    diff: &crate::diff::Diff,
    output: &Path,
    profile: &Profile,
) -> Result<Vec<u8>, Error> {
    let xlsx = |source| Error::Xlsx {
        path: output.to_path_buf(),
        source,
    };
    crate::write::diff_report::diff_workbook(diff, profile)
        .map_err(xlsx)?
        .save_to_buffer()
        .and_then(crate::write::xlsx::repair::well_formed)
        .map_err(xlsx)
}

/// The due date as the forms show it (`令和8年5月31日（日）` for `2026-05-31`, other
/// text as written, `form.toml`'s own text when none): a reminder to a 課 says it alike.
pub fn due_text(due: Option<&str>, profile: &Profile) -> String {
    crate::write::form::due_text(due, profile)
}

/// The 問い合わせ先 as the forms show it (kpiroll.toml's `[contact]` in `form.toml`'s
/// wording, or its own text when none): a reminder to a 課 says it alike.
pub fn contact_text(contact: Option<&crate::model::Contact>, profile: &Profile) -> String {
    crate::write::form::contact_text(contact, profile)
}
