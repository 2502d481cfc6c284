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

mod file;
mod inputs;

pub use file::read_file;
pub use inputs::{expand_inputs, find_inputs, Inputs, Skipped};

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::model::{FiscalYear, OutputKind, NAME_OUTPUT, NAME_OUTPUT_YEAR};
use crate::problem::{Location, ProblemKind, Report};
use crate::profile::Profile;
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
