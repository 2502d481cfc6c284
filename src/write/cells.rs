//! The 一覧 table's cells: each row planned on every core (a number in the format of its
//! raw text, everything else as text exactly as read, never a formula), then written in
//! row order with group and project cells merged over their runs, and the marks' fills.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::layout::{each_cell, header_rows, Line, Purpose, Table};
use super::marks::{Fill, Marks};
use super::styles::Formats;
use super::xlsx::{Cells, Format, SheetCells, Xfs, XlsxError};
use crate::model::{Book, Row, Value};
use crate::numfmt;
use crate::profile::{Field, Profile};
use crate::row_text::{column_text, extra_value};

impl Table<'_> {
    /// Numbers every format the table can take in `xfs`, in a fixed order (the line
    /// formats, the text styles, then the number formats by code; each also with every
    /// mark's fill when the table carries marks), so that no cell adds one later.
    pub fn number_formats(&self, xfs: &Xfs, profile: &Profile, marks: &Marks) {
        use rayon::prelude::*;
        let mut styles = Formats::new(&profile.layout.book);
        let codes: std::collections::BTreeSet<String> = self
            .book
            .rows
            .par_iter()
            .fold(std::collections::BTreeSet::new, |mut codes, row| {
                codes.extend(number_codes(row, profile));
                codes
            })
            .reduce(std::collections::BTreeSet::new, |mut a, b| {
                a.extend(b);
                a
            });
        let mut formats = vec![
            styles.title.clone(),
            styles.section.clone(),
            styles.header.clone(),
        ];
        let mut cell_formats = vec![
            styles.text.clone(),
            styles.centered.clone(),
            styles.value_text.clone(),
        ];
        for code in &codes {
            cell_formats.push(styles.number(code).clone());
        }
        formats.extend(cell_formats.iter().cloned());
        if self.purpose == Purpose::Work || !marks.is_empty() {
            for fill in &Fill::ALL[1..] {
                formats.extend(cell_formats.iter().map(|f| styles.marked(f, *fill)));
            }
        }
        for format in &formats {
            xfs.id(format);
        }
    }

    /// Writes every cell, in row order: the rows' cells planned on every core a few
    /// thousand rows at a time.
    ///
    /// # Errors
    /// Excel's limits (a text too long, a row beyond Excel's grid).
    pub fn write_cells(
        &self,
        cells: &mut SheetCells,
        profile: &Profile,
        marks: &Marks,
    ) -> Result<(), XlsxError> {
        use rayon::prelude::*;
        const BATCH: usize = 4096;
        let mut styles = Formats::new(&profile.layout.book);
        let mut xfs = TableXfs::default();
        let mut k = 0;
        while k < self.lines.len() {
            // the lines k..m hold about BATCH rows
            let mut m = k;
            let mut n = 0;
            while m < self.lines.len() && n < BATCH {
                if let Line::Rows { rows, .. } = &self.lines[m] {
                    n += rows.len();
                }
                m += 1;
            }
            let planned: Vec<Vec<Vec<Planned>>> = self.lines[k..m]
                .par_iter()
                .map(|line| match line {
                    Line::Rows { rows, .. } => rows.iter().map(|r| plan_row(r, profile)).collect(),
                    _ => Vec::new(),
                })
                .collect();
            for (line, planned) in self.lines[k..m].iter().zip(planned) {
                let mut rows = RowsWriter {
                    cells,
                    xfs: &mut xfs,
                    styles: &mut styles,
                    profile,
                    marks,
                };
                rows.line(line, &planned, self.book)?;
            }
            k = m;
        }
        Ok(())
    }
}

/// Writes the lines of the table into its cells.
struct RowsWriter<'w> {
    cells: &'w mut SheetCells,
    xfs: &'w mut TableXfs,
    styles: &'w mut Formats,
    profile: &'w Profile,
    marks: &'w Marks,
}

impl RowsWriter<'_> {
    fn line(
        &mut self,
        line: &Line,
        planned: &[Vec<Planned>],
        book: &Book,
    ) -> Result<(), XlsxError> {
        let styles = &*self.styles;
        match line {
            Line::Title { row, text } => self.cells.text(*row, 0, text, &styles.title),
            Line::Section { row, text } => self.cells.text(*row, 0, text, &styles.section),
            Line::Header { row } => {
                let header = styles.header.clone();
                write_header(self.cells, *row, book, self.profile, &header, &[]).map(|_| ())
            }
            Line::Legend { row, items } => {
                for item in items {
                    let format = styles.marked(&styles.text, item.fill);
                    if item.last > item.first {
                        self.cells.merged(
                            (*row, item.first),
                            (*row, item.last),
                            &item.text,
                            &format,
                        )?;
                    } else {
                        self.cells.text(*row, item.first, &item.text, &format)?;
                    }
                }
                Ok(())
            }
            Line::Rows {
                first_row,
                index,
                heights,
                rows,
            } => self.rows(*first_row, rows, index, heights, planned),
        }
    }

    /// Writes the data rows of one page block from row `first_row`, merging group and
    /// project cells over their runs within the block, with the estimated row heights.
    /// `planned` holds each row's cells, worked out beforehand ([`plan_row`]); `index`
    /// gives each row's position in the book, for its marks (a marked cell is filled;
    /// a group column's cell, spanning other rows, never by a row's mark).
    fn rows(
        &mut self,
        first_row: u32,
        rows: &[&Row],
        index: &[usize],
        heights: &[f64],
        planned: &[Vec<Planned>],
    ) -> Result<(), XlsxError> {
        let columns = &self.profile.layout.columns;
        let mut height_set = None;
        each_cell(rows, self.profile, |i, c, last| {
            let r = first_row + i as u32;
            if height_set != Some(i) {
                self.cells.set_row_height(r, heights[i])?;
                height_set = Some(i);
            }
            let cell = &planned[i][c];
            let fill = if self.marks.is_empty() || columns[c].group {
                Fill::None
            } else {
                self.marks.fill(index[i], &columns[c])
            };
            let xf = self.xfs.of(cell, fill, self.styles, self.cells);
            let c = c as u16;
            match &cell.content {
                Content::Number(x, _) => self.cells.number_xf(r, c, *x, xf),
                Content::Text(text) if last > i => {
                    self.cells
                        .merged_xf((r, c), (first_row + last as u32, c), text, xf)
                }
                Content::Text(text) => self.cells.text_xf(r, c, text, xf),
            }
        })
    }
}

/// The number codes a row's value cells are written with.
fn number_codes(row: &Row, profile: &Profile) -> Vec<String> {
    profile
        .layout
        .columns
        .iter()
        .filter(|c| !(c.group || c.project))
        .filter_map(|column| cell_value(row, column, profile))
        .filter_map(|value| numfmt::number_cell(value, &row.unit, &profile.patterns.negative_signs))
        .map(|(_, code)| code)
        .collect()
}

/// Writes the header of the table at row `r` and returns how many rows it took: one
/// row, or two when the profile reads two (`rows = 2`) and a column has `over` — the
/// group header merged across its columns, their `sub` texts below, every other header
/// merged over both rows. `inserted` adds headers between the layout's (the forms'
/// reference columns: `(k, text)` right after layout column `k`, see
/// [`column_positions`]); never inside a group header.
pub(crate) fn write_header<C: Cells>(
    sheet: &mut C,
    r: u32,
    book: &Book,
    profile: &Profile,
    format: &C::Format,
    inserted: &[(usize, String)],
) -> Result<u32, XlsxError> {
    use super::book::header_text;
    let columns = &profile.layout.columns;
    let two = header_rows(profile) == 2;
    let n = columns.len();
    let (pos, at) = column_positions(n, inserted);
    let cell = |sheet: &mut C, c: u16, text: &str| -> Result<(), XlsxError> {
        if two {
            sheet.merged((r, c), (r + 1, c), text, format)
        } else {
            sheet.text(r, c, text, format)
        }
    };
    // the cells of the top row, in sheet order: the layout's and the inserted ones
    let mut top: Vec<(u16, usize)> = (0..n).map(|c| (pos[c], c)).collect();
    top.extend(at.iter().enumerate().map(|(i, p)| (*p, n + i)));
    top.sort_unstable();
    // row by row (a gathered sheet is written in row order): the top row, then the sub
    // headers under the groups
    let mut subs: Vec<(u16, String)> = Vec::new();
    let mut k = 0;
    while k < top.len() {
        let (p, c) = top[k];
        if c >= n {
            cell(sheet, p, &inserted[c - n].1)?;
            k += 1;
            continue;
        }
        let column = &columns[c];
        match (&column.over, two) {
            (Some(over), true) => {
                let end = (c..n)
                    .take_while(|&d| columns[d].over.as_ref() == Some(over))
                    .last()
                    .unwrap_or(c);
                let text = header_text(over, book);
                if end > c {
                    sheet.merged((r, p), (r, pos[end]), &text, format)?;
                } else {
                    sheet.text(r, p, &text, format)?;
                }
                for (d, under) in columns.iter().enumerate().take(end + 1).skip(c) {
                    let sub = under.sub.as_deref().unwrap_or(&under.header);
                    subs.push((pos[d], header_text(sub, book)));
                }
                k += end - c + 1;
            }
            _ => {
                cell(sheet, p, &header_text(&column.header, book))?;
                k += 1;
            }
        }
    }
    for (d, text) in subs {
        sheet.text(r + 1, d, &text, format)?;
    }
    Ok(if two { 2 } else { 1 })
}

/// Each of `n` layout columns' sheet column, and the sheet column of each inserted one
/// (`(k, _)`: right after layout column `k`, in the order given).
pub(crate) fn column_positions(n: usize, inserted: &[(usize, String)]) -> (Vec<u16>, Vec<u16>) {
    let mut layout = Vec::with_capacity(n);
    let mut at = vec![0u16; inserted.len()];
    let mut p = 0u16;
    for c in 0..n {
        layout.push(p);
        p += 1;
        for (i, (k, _)) in inserted.iter().enumerate() {
            if *k == c {
                at[i] = p;
                p += 1;
            }
        }
    }
    (layout, at)
}

/// The format numbers of the table's cells, looked up once per style or number code
/// (and fill), not once per cell.
#[derive(Default)]
struct TableXfs {
    /// [style][fill]
    styles: [[Option<u32>; 4]; 3],
    /// number format code → [fill]
    numbers: FxHashMap<String, [Option<u32>; 4]>,
}

impl TableXfs {
    fn of(&mut self, cell: &Planned, fill: Fill, styles: &mut Formats, cells: &SheetCells) -> u32 {
        let slot = match &cell.content {
            Content::Number(_, code) => {
                if !self.numbers.contains_key(code.as_str()) {
                    self.numbers.insert(code.clone(), [None; 4]);
                }
                &mut self.numbers.get_mut(code.as_str()).expect("just added")[fill as usize]
            }
            Content::Text(_) => &mut self.styles[cell.style as usize][fill as usize],
        };
        *slot.get_or_insert_with(|| {
            let plain = match &cell.content {
                Content::Number(_, code) => styles.number(code).clone(),
                Content::Text(_) => cell.style.of(styles).clone(),
            };
            if fill == Fill::None {
                cells.xf(&plain)
            } else {
                cells.xf(&styles.marked(&plain, fill))
            }
        })
    }
}

/// What one cell of the table holds and how it looks, worked out before the sheet is
/// written (so on every core).
pub(crate) struct Planned<'r> {
    content: Content<'r>,
    style: Style,
}

enum Content<'r> {
    Text(Cow<'r, str>),
    /// a number and the format code that shows it as it was typed
    Number(f64, String),
}

/// The format of a text cell.
#[derive(Clone, Copy)]
#[repr(usize)]
enum Style {
    Text,
    Centered,
    /// a value that is not a number (`-`, `集計中`): right-aligned like the numbers
    ValueText,
}

impl Style {
    fn of(self, styles: &Formats) -> &Format {
        match self {
            Style::Text => &styles.text,
            Style::Centered => &styles.centered,
            Style::ValueText => &styles.value_text,
        }
    }
}

/// Every cell of a row, column by column: a value column's number (or its text), the
/// text of the others (group and project columns too, though only the first row of
/// a merged run is written).
fn plan_row<'r>(row: &'r Row, profile: &Profile) -> Vec<Planned<'r>> {
    profile
        .layout
        .columns
        .iter()
        .map(|column| {
            let field = column.field;
            let value = cell_value(row, column, profile);
            if column.group || column.project {
                let style = if field == Field::MeasureNo {
                    Style::Centered
                } else {
                    Style::Text
                };
                return Planned {
                    content: Content::Text(column_text(row, column, profile)),
                    style,
                };
            }
            if let Some(value) = value {
                return match numfmt::number_cell(value, &row.unit, &profile.patterns.negative_signs)
                {
                    Some((x, code)) => Planned {
                        content: Content::Number(x, code),
                        style: Style::ValueText,
                    },
                    None => Planned {
                        content: Content::Text(Cow::Borrowed(&value.raw)),
                        style: Style::ValueText,
                    },
                };
            }
            let style = if field == Field::Unit {
                Style::Centered
            } else {
                Style::Text
            };
            Planned {
                content: Content::Text(column_text(row, column, profile)),
                style,
            }
        })
        .collect()
}

/// The value a value column (目標値, 実績値, an extra column) shows for a row; `None`
/// for a text column.
fn cell_value<'r>(
    row: &'r Row,
    column: &crate::profile::Column,
    profile: &Profile,
) -> Option<&'r Value> {
    match column.field {
        Field::Target => Some(&row.target),
        Field::Actual => Some(&row.actual),
        Field::Extra => {
            let key = column.extra_key(row.year)?;
            extra_value(row, &key, profile)
        }
        _ => None,
    }
}
