//! Workbooks (xlsx, xlsm, xls, ods) into [`Grid`]s.
//!
//! xlsx is read by [`super::xlsx`], kpiroll's own one-pass reader; a file it does not
//! handle is read here by calamine, streamed cell by cell with each cell's number format,
//! so numbers come back as the text the user saw and a far-away stray cell costs nothing
//! either way. ods is streamed too, by
//! [`super::ods`], with the text LibreOffice saved for each cell. xls is read whole by
//! calamine, which exposes no number formats: its numbers show as Excel's General
//! (`1234` for a `#,##0` cell that shows `1,234`), and a sheet costs memory up to its
//! last cell (at most 65,536 × 256), so [`super::xls`] prices every sheet before
//! calamine opens the file. Hidden sheets are skipped.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, SheetVisible, Xls, Xlsx};

use super::grid::{Budget, Grid, GridCell, Limits};
use crate::numfmt;

/// Why a workbook could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkbookError {
    Encrypted,
    Broken(String),
    /// not well-formed, or over a budget, before anything was read (see [`super::xlsx::vet`])
    Refused(super::xlsx::Refusal),
    /// reading would take more than one file may: the sheet and 0-based (row, column)
    /// where the budget ran out, and which one
    TooCostly {
        sheet: Option<String>,
        row: u32,
        col: u32,
        what: Budget,
    },
}

fn broken(e: impl std::fmt::Display) -> WorkbookError {
    let text = e.to_string();
    if text.to_lowercase().contains("password") || text.to_lowercase().contains("encrypt") {
        WorkbookError::Encrypted
    } else {
        WorkbookError::Broken(text)
    }
}

/// Every visible sheet of an xlsx/xlsm: by [`super::xlsx`] (one pass over each part's
/// XML), or by calamine when that reader does not handle something in the file.
pub fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    match super::xlsx::read_xlsx(bytes, limits) {
        Ok(grids) => Ok(grids),
        Err(_) => read_xlsx_calamine(bytes, limits),
    }
}

/// Every visible sheet of an xlsx/xlsm, read by calamine once [`super::xlsx::vet`] has
/// found it well-formed and within the budgets (calamine reads what is not, and holds
/// every shared string before a cell is read). The budgets hold for the file: each
/// sheet's grid goes on counting from the one before, and the defined names are on the
/// first sheet only.
pub fn read_xlsx_calamine(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    let strings_cost = super::xlsx::vet(bytes, limits).map_err(WorkbookError::Refused)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let sheets: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut grids: Vec<Grid> = Vec::new();
    for name in sheets {
        let mut grid = match grids.last() {
            Some(before) => Grid::after(Some(name.clone()), before),
            None => {
                let mut first = Grid::new(Some(name.clone()));
                first.spent.bytes = strings_cost;
                first
            }
        };
        sheet_cells(&mut wb, &mut grid, limits)?;
        if let Ok(merges) = wb.merge_cells_by_sheet_name(&name) {
            for m in merges {
                grid.merge(m.start, m.end, limits);
            }
        }
        if grids.is_empty() {
            grid.workbook_names = wb.defined_names().to_vec();
        }
        let over = grid.over.is_some();
        grids.push(grid);
        if over {
            break; // the file is refused there: the sheets after it are not read
        }
    }
    Ok(grids)
}

/// A sheet's cells into `grid` (named after its sheet), streamed with each cell's number
/// format.
fn sheet_cells(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    grid: &mut Grid,
    limits: &Limits,
) -> Result<(), WorkbookError> {
    let name = grid.sheet.clone().unwrap_or_default();
    let mut cells = wb.worksheet_cells_reader(&name).map_err(broken)?;
    let codes: Vec<String> = cells
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .map_or_else(|| "General".to_string(), |f| f.format_code.clone())
        })
        .collect();
    while let Some((cell, style)) = cells.next_cell_with_style_id().map_err(broken)? {
        let (row, col) = cell.get_position();
        let code = codes.get(style).map_or("General", String::as_str);
        grid.put(row, col, cell_of_ref(cell.get_value(), code), limits);
        if grid.over.is_some() {
            break;
        }
    }
    Ok(())
}

/// Every visible sheet of an xls.
pub fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    // calamine lays every sheet out when the file is opened: priced first
    super::xls::check_cost(bytes, limits)?;
    let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(broken)?;
    let sheets = visible(wb.sheets_metadata());
    let mut grids = Vec::new();
    for name in sheets {
        let range = wb.worksheet_range(&name).map_err(broken)?;
        let mut grid = grid_of_range(&name, &range, limits);
        if let Ok(merges) = wb.merge_cells_by_sheet_name(&name) {
            for m in merges {
                grid.merge(m.start, m.end, limits);
            }
        }
        grids.push(grid);
    }
    Ok(grids)
}

/// Every visible sheet of an ods (streamed by [`super::ods`], not by calamine).
pub fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    super::ods::read_ods(bytes, limits)
}

fn visible(meta: &[calamine::Sheet]) -> Vec<String> {
    meta.iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

fn grid_of_range(name: &str, range: &calamine::Range<Data>, limits: &Limits) -> Grid {
    let mut grid = Grid::new(Some(name.to_string()));
    for (row, col, value) in range.used_cells() {
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        grid.put(
            start_row + row as u32,
            start_col + col as u32,
            cell_of(value),
            limits,
        );
    }
    grid
}

fn cell_of_ref(value: &DataRef<'_>, code: &str) -> GridCell {
    let number = |x: f64, text: String| GridCell {
        text,
        error: false,
        number: Some(x),
    };
    match value {
        DataRef::Int(i) => number(*i as f64, numfmt::render(*i as f64, code)),
        DataRef::Float(f) => number(*f, numfmt::render(*f, code)),
        DataRef::DateTime(d) => number(d.as_f64(), numfmt::general(d.as_f64())),
        DataRef::String(s) => text(s.clone()),
        DataRef::SharedString(s) => text((*s).to_string()),
        DataRef::Bool(b) => text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s.clone()),
        DataRef::Error(e) => GridCell {
            text: e.to_string(),
            error: true,
            number: None,
        },
        DataRef::Empty => text(String::new()),
    }
}

/// A cell of xls or ods: their number formats are not exposed, numbers show as General.
fn cell_of(value: &Data) -> GridCell {
    let number = |x: f64| GridCell {
        text: numfmt::general(x),
        error: false,
        number: Some(x),
    };
    match value {
        Data::Int(i) => GridCell {
            text: i.to_string(),
            error: false,
            number: Some(*i as f64),
        },
        Data::Float(f) => number(*f),
        Data::DateTime(d) => number(d.as_f64()),
        Data::String(s) => text(s.clone()),
        Data::Bool(b) => text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text(s.clone()),
        Data::Error(e) => GridCell {
            text: e.to_string(),
            error: true,
            number: None,
        },
        Data::Empty => text(String::new()),
    }
}

fn text(text: String) -> GridCell {
    GridCell {
        text,
        error: false,
        number: None,
    }
}
