//! One file read: its grids loaded (each format by its reader, within the budgets), the
//! marks of a form or of kpiroll's own output, and each sheet's header and rows as a
//! table; every problem in the file's report.

use std::path::Path;

use super::grid::{self, Grid, Limits};
use super::header::HeaderMatcher;
use super::inputs::read_regular;
use super::{
    sniff, table, text, title_year, workbook, xlsx, FormMark, OutputMark, ReadOptions, SheetTable,
    Source,
};
use crate::problem::{Location, ProblemKind, Report, Unreadable};
use crate::profile::{Field, Profile};

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
    notes_of(path, &grids, &mut report);
    if grids.iter().all(Grid::is_empty) {
        report_empty(path, &grids, &mut report);
    }
    if let Some((at, kind)) = over_a_limit(path, &grids, &options.limits) {
        report.push(at, kind);
        return Source::refused(path, report);
    }
    let mut tables = Vec::new();
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
        if let Some(table) = read_table(path, grid, options, profile, matcher, &mut report) {
            tables.push(table);
        }
    }
    if tables.is_empty() && !grids.iter().all(Grid::is_empty) && report.refusals() == 0 {
        report.push(Location::file(path), ProblemKind::NoHeader);
    }
    if let Some(form) = &form {
        form_of_another_department(path, form, &tables, &mut report);
    }
    Source {
        path: path.to_path_buf(),
        tables,
        report,
        form,
        made,
    }
}

/// The notes a grid's reader left (a text file's quotes and bytes) as problems at their
/// cells.
fn notes_of(path: &Path, grids: &[Grid], report: &mut Report) {
    for grid in grids {
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
}

/// A file with nothing in it: said of each sheet looked at (`file!Sheet1`), or of the
/// file when it has none (a text file).
fn report_empty(path: &Path, grids: &[Grid], report: &mut Report) {
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

/// A file over a budget is refused at the cell where it went over; a cell beyond the
/// limits refuses it too, at that cell, so it can be cleared.
fn over_a_limit(path: &Path, grids: &[Grid], limits: &Limits) -> Option<(Location, ProblemKind)> {
    // a file over a budget is refused at the cell where it went over
    if let Some(grid) = grids.iter().find(|g| g.over.is_some()) {
        let over = grid.over.expect("found above");
        let kind = match over.budget {
            grid::Budget::Text => ProblemKind::TooMuchText {
                max_mib: limits.max_text_mib,
                part: None,
            },
            grid::Budget::Merged => ProblemKind::TooManyMerged {
                max: limits.max_merged_cells,
            },
        };
        let (r, c) = over.at;
        return Some((
            Location::cell(
                path,
                grid.sheet.as_deref(),
                r,
                c.min(u32::from(u16::MAX)) as u16,
            ),
            kind,
        ));
    }
    // a cell beyond the limits refuses the file: say which cell, so it can be cleared
    if let Some(grid) = grids.iter().find(|g| g.clipped.is_some()) {
        let (r, c) = grid.clipped.expect("found above");
        return Some((
            Location::cell(
                path,
                grid.sheet.as_deref(),
                r,
                c.min(u32::from(u16::MAX)) as u16,
            ),
            ProblemKind::FarCell {
                max_rows: limits.max_rows,
                max_cols: limits.max_cols,
            },
        ));
    }
    None
}

/// One sheet's table: its header found and checked (the required columns, the year of
/// 実績値, unknown columns), then its rows; `None` (with the problems said) when the
/// sheet holds no table that can be read.
fn read_table(
    path: &Path,
    grid: &Grid,
    options: &ReadOptions,
    profile: &Profile,
    matcher: &HeaderMatcher,
    report: &mut Report,
) -> Option<SheetTable> {
    let header = matcher.find(grid)?;
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
        return None;
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
            return None;
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
        return None;
    };
    let rows = table::read_rows(path, grid, &header, matcher, row_year, profile, report);
    Some(SheetTable {
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
    })
}

/// A rollover form whose rows all name other 課 than the form's own.
fn form_of_another_department(
    path: &Path,
    form: &FormMark,
    tables: &[SheetTable],
    report: &mut Report,
) {
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

/// The file's sheets, or why it is refused and where (the file, or the cell where a
/// budget ran out).
pub(super) fn load_grids(
    path: &Path,
    limits: &Limits,
) -> Result<Vec<Grid>, Box<(Location, ProblemKind)>> {
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
pub(super) fn check_part_sizes(bytes: &[u8], limits: &Limits) -> Result<(), ProblemKind> {
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
pub(super) fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
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
