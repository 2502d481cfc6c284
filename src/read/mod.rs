//! Stage 1, read: input paths → canonical rows, with every problem located.
//!
//! `expand_inputs` expands folders (recursively; `~$` lock files and hidden files are
//! passed over; links inside folders are not followed and what is not a regular file is
//! listed as skipped, with its reason); `read_inputs` reads the files in parallel and
//! returns them in a stable order (sorted by path) whatever the thread timing. A file
//! that cannot be read is refused with its reason; the others go on.
//!
//! Submodules, in the order data flows: [`sniff`] (what the bytes are), [`xlsx`] (xlsx
//! by kpiroll's own one-pass reader) / [`workbook`] (calamine: xls, priced first by
//! [`xls`], and any xlsx the first hands over) / [`ods`] / [`text`] (bytes →
//! [`grid::Grid`]), [`header`] (find and map the header row), [`table`] (grid → rows).

pub mod grid;
pub mod header;
pub mod ods;
pub mod sniff;
pub mod table;
pub mod text;
pub mod workbook;
pub mod xls;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::model::{FiscalYear, OutputKind, NAME_OUTPUT, NAME_OUTPUT_YEAR};
use crate::problem::{Location, ProblemKind, Report, Unreadable};
use crate::profile::{Field, Profile};
use grid::{Grid, Limits};
use header::HeaderMatcher;
pub use table::ReadRow;

/// What the reader needs to know besides the files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// the fiscal year being read; headers naming another year are refused.
    /// `None`: taken from each sheet's 実績値 header.
    pub year: Option<FiscalYear>,
    pub limits: Limits,
}

/// One sheet that held a table.
#[derive(Debug, Clone)]
pub struct SheetTable {
    /// `None` for text files
    pub sheet: Option<String>,
    /// 0-based header row
    pub header_row: u32,
    pub year: Option<FiscalYear>,
    /// the year a title above the header states (`令和7年度 …実績調査`), when the header
    /// states none: the year the department meant, for telling a wrong `--year`
    pub title_year: Option<TitleYear>,
    /// the rows as read; the merge moves them out (see `rows_read` for how many)
    pub rows: Vec<ReadRow>,
    /// how many rows the sheet gave
    pub rows_read: usize,
    /// the sheet's header: each field's column and header text as the user sees it
    /// (messages about a row's cells name them)
    pub header: header::Header,
}

/// A fiscal year a title row states, with its cell (0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct TitleYear {
    pub year: FiscalYear,
    pub row: u32,
    pub col: u16,
    pub text: String,
}

/// A 年度 in a title: `令和7年度`, `R7年度`, `令和元年度` (NFKC); a date's `令和8年5月28日`
/// is no 年度.
static TITLE_YEAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?:^|[^A-Za-z])((?:令和|[Rr])\s*(?:[0-9]{1,2}|元)\s*年度)")
        .expect("a valid pattern")
});

/// The fiscal year the rows above the header (`header_row`) state as a 年度, when they
/// state exactly one; `None` when none or several.
fn title_year(grid: &Grid, header_row: u32) -> Option<TitleYear> {
    let mut found: Option<TitleYear> = None;
    for (row, col, text) in grid.cells_above(header_row) {
        let norm = crate::value::nfkc(text);
        for caps in TITLE_YEAR.captures_iter(&norm) {
            let Some(year) = FiscalYear::parse(&caps[1]) else {
                continue;
            };
            match &found {
                Some(f) if f.year != year => return None,
                Some(_) => {}
                None => {
                    found = Some(TitleYear {
                        year,
                        row,
                        col,
                        text: text.trim().to_string(),
                    })
                }
            }
        }
    }
    found
}

/// One input file and what was read from it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub tables: Vec<SheetTable>,
    pub report: Report,
    /// the fingerprint, when the file is a form kpiroll's rollover wrote
    pub form: Option<FormMark>,
    /// what it is, when the file is a book, working book or diff kpiroll wrote
    pub made: Option<OutputMark>,
}

/// The mark kpiroll leaves on every book it writes (the defined names [`NAME_OUTPUT`]
/// and [`NAME_OUTPUT_YEAR`]), so that its own output is never read back
/// as a department's return. A working book or diff written before the mark existed
/// is known by its set of sheets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputMark {
    pub kind: OutputKind,
    /// the book's fiscal year, when it says
    pub year: Option<FiscalYear>,
}

impl OutputMark {
    /// The mark of a workbook: its defined names, else its sheets' names.
    pub fn of(grids: &[Grid], profile: &Profile) -> Option<OutputMark> {
        let names = &grids.first()?.workbook_names;
        let get = |name: &str| {
            names.iter().find(|(n, _)| n == name).map(|(_, v)| {
                v.trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        };
        if let Some(kind) = get(NAME_OUTPUT) {
            let kind = OutputKind::from_name(&kind);
            let year = get(NAME_OUTPUT_YEAR).and_then(|y| FiscalYear::parse(&y));
            return Some(OutputMark { kind, year });
        }
        let sheets: Vec<&str> = grids.iter().filter_map(|g| g.sheet.as_deref()).collect();
        let has_all = |ids: &[&str]| {
            ids.iter()
                .all(|id| sheets.contains(&profile.message(id, &[]).as_str()))
        };
        let kind = if has_all(&["sheet_changes", "sheet_log", "sheet_status"]) {
            OutputKind::Working
        } else if has_all(&[
            "diff_sheet_summary",
            "diff_sheet_changes",
            "diff_sheet_compare",
        ]) {
            OutputKind::Diff
        } else {
            return None;
        };
        Some(OutputMark { kind, year: None })
    }
}

/// A rollover form's fingerprint (defined names written by [`crate::write::form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormMark {
    pub department: String,
    pub year: Option<FiscalYear>,
    pub year_text: String,
    pub source: String,
    /// the file name of that book ("" in a form that does not say)
    pub source_file: String,
}

impl FormMark {
    /// Reads the fingerprint from a workbook's defined names, if it has one.
    pub fn from_names(names: &[(String, String)]) -> Option<FormMark> {
        let get = |name: &str| {
            names.iter().find(|(n, _)| n == name).map(|(_, v)| {
                v.trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .replace("\"\"", "\"")
            })
        };
        let department = get(crate::model::NAME_DEPARTMENT)?;
        let year_text = get(crate::model::NAME_YEAR).unwrap_or_default();
        Some(FormMark {
            department,
            year: FiscalYear::parse(&year_text),
            year_text,
            source: get(crate::model::NAME_SOURCE).unwrap_or_default(),
            source_file: get(crate::model::NAME_SOURCE_FILE).unwrap_or_default(),
        })
    }
}

impl Source {
    /// A file not read: no rows, only the report that says why.
    fn refused(path: &Path, report: Report) -> Source {
        Source {
            path: path.to_path_buf(),
            tables: Vec::new(),
            report,
            form: None,
            made: None,
        }
    }

    /// Every row read from the file and not yet merged, in sheet and row order (the
    /// merge moves them into [`crate::merge::Merged::fates`]).
    pub fn rows(&self) -> impl Iterator<Item = &ReadRow> {
        self.tables.iter().flat_map(|t| t.rows.iter())
    }
}

pub use crate::problem::Skip;

/// A path not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: Skip,
}

/// The inputs expanded: the files to read (sorted by path) and what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// Expands folders into the files kpiroll reads, sorted by path; what is skipped (see
/// [`find_inputs`]) is listed in `report`: a file in a folder that is no table kpiroll
/// reads (a PDF, a Word document, an image) with its extension; a link, a named pipe or
/// a device as not taken.
///
/// # Errors
/// A path given on the command line that does not exist.
pub fn expand_inputs(inputs: &[PathBuf], report: &mut Report) -> Result<Vec<PathBuf>, Error> {
    let found = find_inputs(inputs)?;
    for Skipped { path, why } in found.skipped {
        let kind = match why {
            Skip::NotATable => ProblemKind::NotATable {
                ext: sniff::extension(&path),
            },
            why => ProblemKind::Skipped { why },
        };
        report.push(Location::file(&path), kind);
    }
    Ok(found.files)
}

/// The files to read among `inputs`, sorted by path, and what is skipped, with why.
///
/// Only regular files are read. A path named on the command line is taken as named
/// (a link to a file or folder is followed); inside a folder, links are not followed
/// and each folder is walked once, so a walk ends whatever links and mounts it meets.
/// A link, a named pipe, a device with a table's extension, a link to a folder, a
/// folder reached twice and a file that is no table are listed in [`Inputs::skipped`].
///
/// # Errors
/// A path given on the command line that does not exist.
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Inputs, Error> {
    let mut found = Inputs::default();
    let mut walked = Walked::default();
    for input in inputs {
        let Ok(meta) = std::fs::metadata(input) else {
            return Err(Error::InputNotFound {
                path: input.clone(),
            });
        };
        if meta.is_dir() {
            if walked.first_time(&meta) {
                walk(input, &mut found, &mut walked);
            }
        } else if meta.is_file() {
            found.files.push(input.clone());
        } else {
            found.skipped.push(Skipped {
                path: input.clone(),
                why: Skip::NotRegular,
            });
        }
    }
    found.files.sort();
    found.files.dedup();
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    found.skipped.dedup();
    Ok(found)
}

/// The folders walked, by identity (device and inode), not by name.
#[derive(Default)]
struct Walked(std::collections::HashSet<(u64, u64)>);

impl Walked {
    /// Whether the folder of `meta` is met for the first time (and note it).
    fn first_time(&mut self, meta: &std::fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            self.0.insert((meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            true
        }
    }
}

fn walk(dir: &Path, found: &mut Inputs, walked: &mut Walked) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let table = sniff::EXTENSIONS.contains(&sniff::extension(&path).as_str());
        let skip = |why| Skipped {
            path: path.clone(),
            why,
        };
        if kind.is_symlink() {
            // listed when it would have been read: a table's name, or a folder (or a
            // link that leads nowhere, round in a loop)
            let target = std::fs::metadata(&path);
            let folder = match &target {
                Ok(meta) => meta.is_dir(),
                Err(_) => true,
            };
            found.skipped.push(skip(if table || folder {
                Skip::Link
            } else {
                Skip::NotATable
            }));
        } else if kind.is_dir() {
            match entry.metadata() {
                Ok(meta) if walked.first_time(&meta) => walk(&path, found, walked),
                Ok(_) => found.skipped.push(skip(Skip::Loop)),
                Err(_) => {}
            }
        } else if table && kind.is_file() {
            found.files.push(path);
        } else if table {
            found.skipped.push(skip(Skip::NotRegular));
        } else {
            found.skipped.push(skip(Skip::NotATable));
        }
    }
}

/// Opens a file to read only if it is a regular file, without waiting on a named pipe
/// put there since the folder was walked (opened non-blocking, checked once open).
fn read_regular(path: &Path) -> Result<Vec<u8>, ProblemKind> {
    let io = |e: std::io::Error| ProblemKind::Unreadable {
        why: Unreadable::Io,
        detail: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ProblemKind::Skipped {
            why: Skip::NotRegular,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(io)?;
    Ok(bytes)
}

/// Reads every file, in parallel, with a progress bar on stderr when it is a terminal.
pub fn read_inputs(files: &[PathBuf], options: &ReadOptions, profile: &Profile) -> Vec<Source> {
    let matcher = HeaderMatcher::new(profile);
    let bar = crate::progress::bar(files.len() as u64, &profile.message("progress_read", &[]));
    let max_files = options.limits.max_files;
    let sources: Vec<Source> = files
        .par_iter()
        .enumerate()
        .map(|(i, path)| {
            let source = if i < max_files {
                read_file(path, options, profile, &matcher)
            } else {
                let mut report = Report::default();
                report.push(
                    Location::file(path),
                    ProblemKind::TooManyFiles { max: max_files },
                );
                Source::refused(path, report)
            };
            bar.inc(1);
            source
        })
        .collect();
    bar.finish_and_clear();
    sources
}

/// Reads one file; every problem lands in the source's report.
pub fn read_file(
    path: &Path,
    options: &ReadOptions,
    profile: &Profile,
    matcher: &HeaderMatcher,
) -> Source {
    let mut report = Report::default();
    let grids = match load_grids(path, &options.limits) {
        Ok(grids) => grids,
        Err(refusal) => {
            let (at, kind) = *refusal;
            report.push(at, kind);
            return Source::refused(path, report);
        }
    };
    // a rollover form says whose and which year's it is
    let form = grids
        .first()
        .and_then(|g| FormMark::from_names(&g.workbook_names));
    // and so does a book kpiroll wrote
    let made = OutputMark::of(&grids, profile);
    if let (Some(form), Some(expected)) = (&form, options.year) {
        if form.year != Some(expected) {
            report.push(
                Location::file(path),
                ProblemKind::FormWrongYear {
                    found: form.year_text.clone(),
                    expected: expected.to_string(),
                },
            );
            return Source::refused(path, report);
        }
    }
    for grid in &grids {
        for (row, col, note) in &grid.notes {
            let col = (*col).min(u32::from(u16::MAX)) as u16;
            let kind = match note {
                grid::Note::UnclosedQuote => ProblemKind::UnclosedQuote,
                grid::Note::StrayQuote => ProblemKind::StrayQuote,
                grid::Note::BadBytes { encoding, bytes } => ProblemKind::BadBytes {
                    encoding: (*encoding).to_string(),
                    bytes: bytes.clone(),
                },
                grid::Note::MoreBadBytes { lines } => ProblemKind::MoreBadBytes { lines: *lines },
                grid::Note::MoreDoubtful { fields } => {
                    ProblemKind::MoreDoubtfulQuotes { fields: *fields }
                }
            };
            report.push(Location::cell(path, grid.sheet.as_deref(), *row, col), kind);
        }
    }
    let mut tables = Vec::new();
    if grids.iter().all(Grid::is_empty) {
        // a workbook names its empty sheets (`file!Sheet1`), so the user sees which
        // sheet was looked at; a text file has none
        let sheets: Vec<&str> = grids.iter().filter_map(|g| g.sheet.as_deref()).collect();
        if sheets.is_empty() {
            report.push(Location::file(path), ProblemKind::Empty);
        }
        for sheet in sheets {
            let at = Location {
                sheet: Some(sheet.to_string()),
                ..Location::file(path)
            };
            report.push(at, ProblemKind::Empty);
        }
    }
    // a file over a budget is refused at the cell where it went over
    if let Some(grid) = grids.iter().find(|g| g.over.is_some()) {
        let over = grid.over.expect("found above");
        let kind = match over.budget {
            grid::Budget::Text => ProblemKind::TooMuchText {
                max_mib: options.limits.max_text_mib,
                part: None,
            },
            grid::Budget::Merged => ProblemKind::TooManyMerged {
                max: options.limits.max_merged_cells,
            },
        };
        let (r, c) = over.at;
        report.push(
            Location::cell(
                path,
                grid.sheet.as_deref(),
                r,
                c.min(u32::from(u16::MAX)) as u16,
            ),
            kind,
        );
        return Source::refused(path, report);
    }
    // a cell beyond the limits refuses the file: say which cell, so it can be cleared
    if let Some(grid) = grids.iter().find(|g| g.clipped.is_some()) {
        let (r, c) = grid.clipped.expect("found above");
        report.push(
            Location::cell(
                path,
                grid.sheet.as_deref(),
                r,
                c.min(u32::from(u16::MAX)) as u16,
            ),
            ProblemKind::FarCell {
                max_rows: options.limits.max_rows,
                max_cols: options.limits.max_cols,
            },
        );
        return Source::refused(path, report);
    }
    for grid in &grids {
        // a cover or legend sheet the profile names is not read
        if let Some(name) = &grid.sheet {
            if profile
                .patterns
                .skip_sheets
                .iter()
                .any(|re| crate::value::pattern_matches(re, name))
            {
                continue;
            }
        }
        let Some(header) = matcher.find(grid) else {
            continue;
        };
        let sheet = grid.sheet.as_deref();
        let missing: Vec<Field> = profile
            .aliases
            .required
            .fields
            .iter()
            .copied()
            .filter(|f| !header.columns.contains_key(f))
            .collect();
        if !missing.is_empty() {
            for field in missing {
                report.push(
                    Location::cell(path, sheet, header.row, 0),
                    ProblemKind::MissingColumn {
                        header: table::default_header(profile, field),
                    },
                );
            }
            continue;
        }
        let actual_col = header.columns[&Field::Actual];
        if let (Some(found), Some(expected)) = (header.year, options.year) {
            if found != expected {
                report.push(
                    Location::cell(path, sheet, header.row, actual_col),
                    ProblemKind::YearMismatch {
                        header: header.texts[&Field::Actual].clone(),
                        found: found.to_string(),
                        expected: expected.to_string(),
                    },
                );
                continue;
            }
        }
        for (col, text) in &header.unknown {
            report.push(
                Location::cell(path, sheet, header.row, *col),
                ProblemKind::UnknownColumn {
                    header: text.clone(),
                },
            );
        }
        let year = options.year.or(header.year);
        let Some(row_year) = year else {
            report.push(
                Location::cell(path, sheet, header.row, actual_col),
                ProblemKind::YearMismatch {
                    header: header.texts[&Field::Actual].clone(),
                    found: "?".to_string(),
                    expected: "?".to_string(),
                },
            );
            continue;
        };
        let rows = table::read_rows(path, grid, &header, matcher, row_year, profile, &mut report);
        tables.push(SheetTable {
            sheet: grid.sheet.clone(),
            header_row: header.row,
            year,
            title_year: if header.year.is_none() {
                title_year(grid, header.row)
            } else {
                None
            },
            rows_read: rows.len(),
            rows,
            header,
        });
    }
    if tables.is_empty() && !grids.iter().all(Grid::is_empty) && report.refusals() == 0 {
        report.push(Location::file(path), ProblemKind::NoHeader);
    }
    if let Some(form) = &form {
        let departments: Vec<&String> = tables
            .iter()
            .flat_map(|t| &t.rows)
            .flat_map(|r| &r.row.departments)
            .collect();
        if !departments.is_empty() && !departments.contains(&&form.department) {
            report.push(
                Location::file(path),
                ProblemKind::FormOfAnotherDepartment {
                    department: form.department.clone(),
                },
            );
        }
    }
    Source {
        path: path.to_path_buf(),
        tables,
        report,
        form,
        made,
    }
}

/// The file's sheets, or why it is refused and where (the file, or the cell where a
/// budget ran out).
fn load_grids(path: &Path, limits: &Limits) -> Result<Vec<Grid>, Box<(Location, ProblemKind)>> {
    let file = |kind| Box::new((Location::file(path), kind));
    let unreadable = |why: Unreadable, detail: String| ProblemKind::Unreadable { why, detail };
    let bytes = read_regular(path).map_err(file)?;
    let kind = sniff::sniff(path, &bytes)
        .map_err(|e| match e {
            sniff::NotTable::Empty => ProblemKind::Empty,
            sniff::NotTable::TextNamedAsWorkbook => {
                unreadable(Unreadable::TextNamedAsWorkbook, String::new())
            }
            sniff::NotTable::Binary => unreadable(Unreadable::NotTable, String::new()),
            sniff::NotTable::OtherZip => unreadable(Unreadable::OtherZip, String::new()),
            sniff::NotTable::Xlsb => unreadable(Unreadable::Xlsb, String::new()),
            sniff::NotTable::Truncated => unreadable(Unreadable::Truncated, String::new()),
            sniff::NotTable::DamagedZip(detail) => unreadable(Unreadable::Damaged, detail),
        })
        .map_err(file)?;
    let workbook = |r: Result<Vec<Grid>, workbook::WorkbookError>| {
        r.map_err(|e| match e {
            workbook::WorkbookError::Encrypted => file(ProblemKind::Encrypted),
            workbook::WorkbookError::Broken(detail) => {
                file(unreadable(Unreadable::Damaged, detail))
            }
            workbook::WorkbookError::Refused(refusal) => file(match refusal {
                xlsx::Refusal::Malformed { part } => ProblemKind::Malformed { part },
                xlsx::Refusal::SharedStrings { part } => ProblemKind::TooMuchText {
                    max_mib: limits.max_text_mib,
                    part: Some(part),
                },
                xlsx::Refusal::Read { mib } => ProblemKind::TooMuchRead {
                    mib,
                    max_mib: limits.max_read_mib,
                },
            }),
            workbook::WorkbookError::TooCostly {
                sheet,
                row,
                col,
                what,
            } => Box::new((
                Location::cell(
                    path,
                    sheet.as_deref(),
                    row,
                    col.min(u32::from(u16::MAX)) as u16,
                ),
                match what {
                    grid::Budget::Text => ProblemKind::TooMuchText {
                        max_mib: limits.max_text_mib,
                        part: None,
                    },
                    grid::Budget::Merged => ProblemKind::TooManyMerged {
                        max: limits.max_merged_cells,
                    },
                },
            )),
        })
    };
    if matches!(kind, sniff::Kind::Xlsx | sniff::Kind::Ods) {
        check_part_sizes(&bytes, limits).map_err(file)?;
    }
    // calamine may panic on malformed input; a panic is this file's refusal, not the run's,
    // and its message is not printed (the refusal says what happened)
    let result = quietly(|| match kind {
        sniff::Kind::Xlsx => workbook(workbook::read_xlsx(&bytes, limits)),
        sniff::Kind::Xls => workbook(workbook::read_xls(&bytes, limits)),
        sniff::Kind::Ods => workbook(workbook::read_ods(&bytes, limits)),
        sniff::Kind::Encrypted => Err(file(ProblemKind::Encrypted)),
        sniff::Kind::Text => Ok(vec![text::read_text(
            &bytes,
            &sniff::extension(path),
            limits,
        )]),
    });
    result.unwrap_or_else(|panic| Err(file(unreadable(Unreadable::Damaged, panic))))
}

/// Refuses a zip whose parts would inflate beyond the limit (a zip bomb), from the sizes
/// its directory declares, before anything is inflated.
fn check_part_sizes(bytes: &[u8], limits: &Limits) -> Result<(), ProblemKind> {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(()); // the workbook reader says what is wrong with it
    };
    let max = limits.max_part_mib.saturating_mul(1024 * 1024);
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_raw(i) else {
            continue;
        };
        if part.size() > max {
            return Err(ProblemKind::PartTooLarge {
                part: part.name().unwrap_or_default().to_string(),
                mib: part.size() / (1024 * 1024),
                max_mib: limits.max_part_mib,
            });
        }
    }
    Ok(())
}

thread_local! {
    /// set while this thread reads a file under [`quietly`]
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic as `Err(its message)` without printing it. Panics of other
/// threads, and of this one outside `f`, are reported by the hook as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_is_an_error_not_a_crash() {
        assert_eq!(quietly(|| 3), Ok(3));
        assert_eq!(
            quietly(|| -> u8 { panic!("boom") }),
            Err("boom".to_string())
        );
        let n = 5;
        assert_eq!(quietly(|| -> u8 { panic!("{n}") }), Err("5".to_string()));
        // the flag is down again: a panic outside is reported as usual (not tested here:
        // it would print), and reading goes on
        assert!(!QUIET.with(std::cell::Cell::get));
    }
}
