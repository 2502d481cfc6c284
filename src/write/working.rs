//! The working book of a consolidation: 一覧 (the book, changed cells highlighted, each
//! with a note giving last year's value), 変更点 (one row per change), 取込ログ (every
//! input row and problem) and 提出状況 (per 担当課: expected, received, missing, files).
//!
//! Sheet names and column headers come from the message catalogue.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::layout::{Purpose, Table};
use super::marks::{Fill, Marks};
use super::page::{text_lines, Page, Shell, LINE_PT, PAD_PT};
use super::styles::Formats;
use super::workbook::{mark_output, set_fixed_properties};
use super::xlsx::{Cells, SheetCells, Workbook, Worksheet, Xfs, XlsxError};
use crate::consolidate::{Consolidated, Status};
use crate::merge::{Fate, Read};
use crate::problem::{Problem, ProblemKind};
use crate::profile::Profile;
use crate::read::Source;

/// The working book laid out: 一覧's rows placed and paged and every format numbered
/// (the lists' two first, then 一覧's), so the file is the same whatever the timing of
/// what follows; [`LaidOut::write`] then writes the cells and sheets. Two steps, so that
/// the pipeline can say how long each takes.
pub struct LaidOut<'a> {
    consolidated: &'a Consolidated,
    xfs: Arc<Xfs>,
    workbook: Workbook,
    marks: Marks,
    styles: Formats,
    table: Table<'a>,
}

/// Lays out the working book of `consolidated`.
///
/// # Errors
/// Excel's limits.
pub fn lay_out<'a>(
    consolidated: &'a Consolidated,
    profile: &Profile,
) -> Result<LaidOut<'a>, XlsxError> {
    let book = &consolidated.book;
    let xfs = Xfs::new();
    let mut workbook = Workbook::new(&xfs);
    set_fixed_properties(&mut workbook, book)?;
    mark_output(&mut workbook, crate::model::OutputKind::Working, book.year)?;
    let mut marks = Marks::none();
    for (i, info) in consolidated.rows.iter().enumerate() {
        match info.status {
            Status::New => marks.add_row(i, Fill::New),
            Status::NotReturned => marks.add_row(i, Fill::NotReturned),
            Status::Matched => {}
        }
        for change in &info.changes {
            let note = profile.message("note_last_year", &[("old", &change.old)]);
            // last year's text may fill a cell already: the note says as much as fits
            let note = crate::model::fit_text(&note, crate::model::MAX_NOTE_TEXT).into_owned();
            marks.add(i, change.field, change.extra.clone(), note);
        }
    }
    let styles = Formats::new(&profile.layout.book);
    xfs.id(&styles.header);
    xfs.id(&styles.text);
    let table = Table::lay_out(book, profile, Purpose::Work);
    table.number_formats(&xfs, profile, &marks);
    Ok(LaidOut {
        consolidated,
        xfs,
        workbook,
        marks,
        styles,
        table,
    })
}

impl LaidOut<'_> {
    /// Writes the working book: 一覧's cells on one core; on the other, the rest of
    /// 一覧's sheet (notes, row heights, print setup) and the three lists.
    ///
    /// # Errors
    /// Excel's limits.
    pub fn write(
        self,
        sources: &[Source],
        fates: &[Read],
        report: &crate::problem::Report,
        profile: &Profile,
    ) -> Result<Workbook, XlsxError> {
        let LaidOut {
            consolidated,
            xfs,
            mut workbook,
            marks,
            styles,
            table,
        } = self;
        let mut list_cells = SheetCells::new(&xfs);
        let (list, lists) = rayon::join(
            || table.write_cells(&mut list_cells, profile, &marks),
            || -> Result<(Worksheet, Vec<(Worksheet, SheetCells)>), XlsxError> {
                let mut list = Worksheet::new();
                table.dress(&mut list, profile, &marks)?;
                let mut cells: Vec<SheetCells> = (0..3).map(|_| SheetCells::new(&xfs)).collect();
                let [changes_cells, log_cells, status_cells] = &mut cells[..] else {
                    unreachable!("three sheets of cells");
                };
                let mut sheets: Vec<Worksheet> = (0..3).map(|_| Worksheet::new()).collect();
                let [changes, log, status] = &mut sheets[..] else {
                    unreachable!("three sheets");
                };
                changes_sheet((changes, changes_cells), consolidated, profile, &styles)?;
                log_sheet((log, log_cells), sources, fates, report, profile, &styles)?;
                status_sheet((status, status_cells), consolidated, profile, &styles)?;
                Ok((list, sheets.into_iter().zip(cells).collect()))
            },
        );
        list?;
        let (list, lists) = lists?;
        workbook.push_worksheet(list, list_cells);
        for (sheet, cells) in lists {
            workbook.push_worksheet(sheet, cells);
        }
        Ok(workbook)
    }
}

/// A sheet kpiroll fills: its shell (name, widths, print setup) and its cells.
type Sheet<'a> = (&'a mut Worksheet, &'a mut SheetCells);

/// 変更点: one row per change of a row kept from last year, one per new or missing row.
fn changes_sheet(
    sheet: Sheet,
    consolidated: &Consolidated,
    profile: &Profile,
    styles: &Formats,
) -> Result<(), XlsxError> {
    let book = &consolidated.book;
    let words = &profile.patterns.flag_words;
    // 変更点
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (row, info) in book.rows.iter().zip(&consolidated.rows) {
        let key = row.key();
        let source = info
            .source
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        let base = [
            key.project_no.clone(),
            key.kpi_index.to_string(),
            row.project.clone(),
        ];
        match info.status {
            Status::New | Status::NotReturned => {
                let word = if info.status == Status::New {
                    &words.new
                } else {
                    &words.not_returned
                };
                rows.push(
                    [
                        &base[..],
                        &[word.clone(), String::new(), String::new(), source],
                    ]
                    .concat(),
                );
            }
            Status::Matched => {
                for c in &info.changes {
                    let header = c.label(profile);
                    rows.push(
                        [
                            &base[..],
                            &[header, c.old.clone(), c.new.clone(), source.clone()],
                        ]
                        .concat(),
                    );
                }
            }
        }
    }
    table_sheet(
        sheet,
        &profile.message("sheet_changes", &[]),
        &profile.message("changes_headers", &[]),
        &rows,
        styles,
    )
}

/// 取込ログ: every input file (a form or not, and whose), its problems, and every row it
/// gave with what became of it.
fn log_sheet(
    sheet: Sheet,
    sources: &[Source],
    fates: &[Read],
    report: &crate::problem::Report,
    profile: &Profile,
    styles: &Formats,
) -> Result<(), XlsxError> {
    // 取込ログ: problems and rows grouped by file in one pass (filtering all of them
    // once per file is quadratic: 1,741 files × 140,000 rows)
    let mut problems_of: HashMap<&Path, Vec<&Problem>> = HashMap::new();
    for p in &report.problems {
        problems_of.entry(p.at.file.as_path()).or_default().push(p);
    }
    let mut fates_of: HashMap<&Path, Vec<&Read>> = HashMap::new();
    for f in fates {
        fates_of.entry(f.at.file.as_path()).or_default().push(f);
    }
    // the same few words on every row: looked up once
    let (taken, merged, refused) = (
        profile.message("log_taken", &[]),
        profile.message("log_merged", &[]),
        profile.message("log_refused", &[]),
    );
    let none: Vec<&Problem> = Vec::new();
    // a row per input row: its texts borrowed where they are kept anyway
    let files: Vec<String> = sources.iter().map(|s| file_name(&s.path)).collect();
    let mut rows: Vec<Vec<Cow<str>>> = Vec::new();
    for (source, file) in sources.iter().zip(&files) {
        let file = Cow::Borrowed(file.as_str());
        rows.push(file_row(source, file.clone(), profile));
        let problems = problems_of.get(source.path.as_path()).unwrap_or(&none);
        for p in problems {
            if matches!(p.kind, ProblemKind::Conflict { .. }) {
                continue; // listed with its row below
            }
            let level = match p.severity() {
                crate::problem::Severity::Refusal => profile.message("log_refused", &[]),
                crate::problem::Severity::Warning => profile.message("log_warning", &[]),
            };
            rows.push(vec![
                file.clone(),
                Cow::Borrowed(p.at.sheet.as_deref().unwrap_or("")),
                Cow::Owned(p.at.a1().unwrap_or_default()),
                Cow::Borrowed(""),
                Cow::Borrowed(""),
                Cow::Owned(level),
                Cow::Owned(p.text(profile)),
            ]);
        }
        for read in fates_of.get(source.path.as_path()).into_iter().flatten() {
            let (result, reason) = match read.fate {
                Fate::Taken => (taken.as_str(), Cow::Borrowed("")),
                Fate::Merged => (merged.as_str(), Cow::Borrowed("")),
                Fate::Refused => (
                    refused.as_str(),
                    Cow::Owned(
                        problems
                            .iter()
                            .find(|p| {
                                p.at == read.at && matches!(p.kind, ProblemKind::Conflict { .. })
                            })
                            .map(|p| p.text(profile))
                            .unwrap_or_default(),
                    ),
                ),
            };
            rows.push(vec![
                file.clone(),
                Cow::Borrowed(read.at.sheet.as_deref().unwrap_or("")),
                Cow::Owned(read.at.a1().unwrap_or_default()),
                Cow::Borrowed(read.key.project_no.as_str()),
                Cow::Owned(read.key.kpi_index.to_string()),
                Cow::Borrowed(result),
                reason,
            ]);
        }
    }
    let read_files: HashSet<&Path> = sources.iter().map(|s| s.path.as_path()).collect();
    for p in report
        .problems
        .iter()
        .filter(|p| !read_files.contains(p.at.file.as_path()))
    {
        rows.push(vec![
            Cow::Owned(file_name(&p.at.file)),
            Cow::Borrowed(p.at.sheet.as_deref().unwrap_or("")),
            Cow::Owned(p.at.a1().unwrap_or_default()),
            Cow::Borrowed(""),
            Cow::Borrowed(""),
            Cow::Owned(profile.message("log_warning", &[])),
            Cow::Owned(p.text(profile)),
        ]);
    }
    table_sheet(
        sheet,
        &profile.message("sheet_log", &[]),
        &profile.message("log_headers", &[]),
        &rows,
        styles,
    )
}

/// The log's row of an input file: a form (and whose) or a hand-made sheet.
fn file_row<'a>(source: &Source, file: Cow<'a, str>, profile: &Profile) -> Vec<Cow<'a, str>> {
    // is it one of our forms, and whose?
    let (kind, note) = match &source.form {
        Some(f) => (
            profile.message("log_form", &[]),
            profile.message(
                "log_form_note",
                &[
                    ("department", &f.department),
                    ("year", &f.year_text),
                    ("source", &f.source),
                ],
            ),
        ),
        None => (profile.message("log_handmade", &[]), String::new()),
    };
    vec![
        file,
        Cow::Borrowed(""),
        Cow::Borrowed(""),
        Cow::Borrowed(""),
        Cow::Borrowed(""),
        Cow::Owned(kind),
        Cow::Owned(note),
    ]
}

/// 提出状況: per 担当課, the rows expected and received, the keys missing, the files.
fn status_sheet(
    sheet: Sheet,
    consolidated: &Consolidated,
    profile: &Profile,
    styles: &Formats,
) -> Result<(), XlsxError> {
    // 提出状況
    let rows: Vec<Vec<String>> = consolidated
        .submissions
        .iter()
        .map(|s| {
            vec![
                s.department.clone(),
                s.expected.to_string(),
                s.received.to_string(),
                s.missing.join(" "),
                s.files.join(" "),
            ]
        })
        .collect();
    table_sheet(
        sheet,
        &profile.message("sheet_status", &[]),
        &profile.message("status_headers", &[]),
        &rows,
        styles,
    )
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.to_string_lossy().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}

/// A simple list sheet: a header row (`|`-separated), frozen and filtered, and text
/// rows; cells that hold a whole number are written as numbers. A column is as wide as
/// its longest text up to [`LIST_WIDTH`]; a longer text wraps in its cell, its row as
/// tall as its lines (so a printed page shows it whole).
fn table_sheet(
    (sheet, cells): Sheet,
    name: &str,
    headers: &str,
    rows: &[Vec<impl AsRef<str>>],
    styles: &Formats,
) -> Result<(), XlsxError> {
    let headers: Vec<&str> = headers.split('|').collect();
    let widths: Vec<f64> = headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let longest = rows
                .iter()
                .filter_map(|r| r.get(c))
                .flat_map(|t| t.as_ref().split('\n').map(super::page::text_units))
                .fold(super::page::text_units(h), f64::max);
            (longest + 2.0).clamp(8.0, LIST_WIDTH)
        })
        .collect();
    list_shell(name, widths.clone(), rows.len(), headers.len()).apply(sheet)?;
    for (c, h) in headers.iter().enumerate() {
        cells.text(0, c as u16, h, &styles.header)?;
    }
    let text = cells.xf(&styles.text);
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let lines = row
            .iter()
            .zip(&widths)
            .map(|(value, width)| text_lines(value.as_ref(), *width))
            .max()
            .unwrap_or(1);
        if lines > 1 {
            cells.set_row_height(r, lines as f64 * LINE_PT + PAD_PT)?;
        }
        for (c, value) in row.iter().enumerate() {
            // a value quoted in a message may fill a cell by itself: cut to fit, with …
            let value = crate::model::fit_text(value.as_ref(), crate::model::MAX_CELL_TEXT);
            let value = value.as_ref();
            match value.parse::<u32>() {
                Ok(n) if !value.starts_with('0') || value == "0" => {
                    cells.number_xf(r, c as u16, f64::from(n), text)?
                }
                _ => cells.text_xf(r, c as u16, value, text)?,
            };
        }
    }
    Ok(())
}

/// The widest a list's column grows before its texts wrap.
const LIST_WIDTH: f64 = 40.0;

/// A list sheet's shell: the header row frozen, filtered over the rows and printed on
/// every page; landscape, one page wide, page numbers in the footer.
fn list_shell(name: &str, widths: Vec<f64>, rows: usize, columns: usize) -> Shell {
    let page = Page {
        paper: 0,
        landscape: true,
        fit: (1, 0),
        center: false,
        margin: 0.5,
        header: None,
        footer: "&C&P / &N".to_string(),
    };
    let mut shell = Shell::new(name, page);
    shell.widths = widths;
    shell.freeze_rows = 1;
    shell.filter = Some((0, 0, rows as u32, columns.saturating_sub(1) as u16));
    shell.print_titles = Some((0, 0));
    shell
}
