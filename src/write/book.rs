//! The city's book: the 一覧 sheet laid out like 資料2-2.
//!
//! Title rows, then one block per 基本目標: its section row, the header row (the 実績値
//! header following the year), its rows; or, with `header_once` in the layout, the
//! header once under the titles, printed on every page, and each block without one. 数値目標 / 施策 / 施策KPI are merged over their
//! groups, a project's cells over its KPI rows. Numbers are written as numbers in the
//! format of their raw text; everything else as text exactly as read (never a formula).
//! Print-ready: paper, orientation and fit from the layout, the header row repeated on
//! every page, a page break before each block, page numbers in the footer.

use std::borrow::Cow;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, Worksheet, XlsxError};
use rustc_hash::FxHashMap;

use super::package::Package;
use super::sheetxml::{Cells, SheetCells, Xfs};
use super::styles::Styles;
use crate::model::{Book, FiscalYear, OutputKind, Row, Value};
use crate::numfmt;
use crate::profile::{Field, Profile};

pub use crate::row_text::{column_text, column_text_in, extra_value, field_text};

/// Builds the workbook of a book. The file's creation date is fixed (1 April of the
/// fiscal year), so the same book gives the same bytes.
///
/// # Errors
/// Only rust_xlsxwriter's own limits (a sheet name or a cell beyond Excel's size).
pub fn book_workbook(book: &Book, profile: &Profile) -> Result<Package, XlsxError> {
    let mut workbook = Workbook::new();
    set_fixed_properties(&mut workbook, book)?;
    mark_output(&mut workbook, OutputKind::Book, book.year)?;
    let xfs = Xfs::new();
    let mut cells = SheetCells::new(&xfs);
    let sheet = workbook.add_worksheet();
    write_table(sheet, &mut cells, book, profile, &Marks::none())?;
    Ok(Package::new(workbook, xfs, vec![(0, cells)]))
}

/// Marks a workbook as kpiroll's output of `kind` for `year`, so that it is never read
/// back as a department's return. Fixed text: the same book gives the same bytes.
///
/// # Errors
/// rust_xlsxwriter's name rules (never met by these names).
pub fn mark_output(
    workbook: &mut Workbook,
    kind: OutputKind,
    year: FiscalYear,
) -> Result<(), XlsxError> {
    use crate::model::{NAME_OUTPUT, NAME_OUTPUT_YEAR};
    workbook.define_name(NAME_OUTPUT, &format!("=\"{}\"", kind.name()))?;
    workbook.define_name(NAME_OUTPUT_YEAR, &format!("=\"{year}\""))?;
    Ok(())
}

/// Document properties with a creation date that depends only on the year, and the
/// zip level every kpiroll workbook is saved with.
pub fn set_fixed_properties(workbook: &mut Workbook, book: &Book) -> Result<(), XlsxError> {
    let date = ExcelDateTime::from_ymd(book.year.0, 4, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&date));
    workbook.set_zip_compression_level(super::package::ZIP_LEVEL);
    Ok(())
}

/// The header text of a column for a year (`{year}実績値` → `R6実績値`, `{year-1}実績値`
/// → `R5実績値`, `{wareki-1}実績値` → `令和5年度実績値`).
pub fn header_text(template: &str, book: &Book) -> String {
    crate::profile::year_placeholders(template, book.year)
}

/// Writes the 一覧 table: its cells into `cells`, everything else (name, column widths,
/// notes, print setup) into `sheet`, which holds no cells (see [`super::sheetxml`]).
///
/// # Errors
/// rust_xlsxwriter's limits.
pub fn write_table(
    sheet: &mut Worksheet,
    cells: &mut SheetCells,
    book: &Book,
    profile: &Profile,
    marks: &Marks,
) -> Result<(), XlsxError> {
    let table = Table::lay_out(book, profile);
    table.dress(sheet, profile, marks)?;
    table.write_cells(cells, profile, marks)
}

/// The 一覧 table laid out: what goes on which sheet row, worked out before anything is
/// written. The sheet's dress (notes, heights, print setup) and every cell format are
/// settled from it first, so a working book can be saved by rust_xlsxwriter while the
/// cells are still being written ([`super::working`]).
pub struct Table<'a> {
    book: &'a Book,
    lines: Vec<Line<'a>>,
    breaks: Vec<u32>,
    /// the header's first and last row, repeated on every printed page (`header_once`)
    print_titles: Option<(u32, u32)>,
}

/// One line of the table, or a run of its rows.
enum Line<'a> {
    Title {
        row: u32,
        text: String,
    },
    /// a goal's section line or a 数値目標 line
    Section {
        row: u32,
        text: String,
    },
    Header {
        row: u32,
    },
    /// rows of one page block (of one 数値目標 with a 数値目標 line), from `first_row`;
    /// `index` gives each row's position in the book, for its [`Marks`]
    Rows {
        first_row: u32,
        rows: Vec<&'a Row>,
        index: Vec<usize>,
        heights: Vec<f64>,
    },
}

impl<'a> Table<'a> {
    /// Titles, then per goal its page blocks: section line, header, rows (row heights
    /// estimated on every core).
    pub fn lay_out(book: &'a Book, profile: &Profile) -> Table<'a> {
        let layout = &profile.layout;
        let mut lines = Vec::new();
        let mut r: u32 = 0;
        for title in &layout.book.title_rows {
            lines.push(Line::Title {
                row: r,
                text: header_text(title, book),
            });
            r += 1;
        }
        r += 1; // a blank row under the titles
                // one header at the top, printed on every page (`header_once`), or one under
                // every section row
        let once = layout.book.header_once;
        let mut print_titles = None;
        if once {
            lines.push(Line::Header { row: r });
            print_titles = Some((r, r + header_rows(profile) - 1));
            r += header_rows(profile);
        }

        let mut breaks = Vec::new();
        let page_height = printable_height(profile);
        let mut room = page_height - f64::from(r) * LINE_PT; // the titles take some of page 1
                                                             // every row's height, on every core at once
        let all_heights: Vec<f64> = {
            use rayon::prelude::*;
            book.rows
                .par_iter()
                .map(|row| row_height(row, profile))
                .collect()
        };
        for (goal, index) in book.rows_by_goal() {
            let rows: Vec<&Row> = index.iter().map(|i| &book.rows[*i]).collect();
            let heights: Vec<f64> = index.iter().map(|i| all_heights[*i]).collect();
            for page_rows in paginate(&rows, &heights, room, page_height, header_rows(profile)) {
                if r > (layout.book.title_rows.len() + 1) as u32 {
                    breaks.push(r);
                }
                room = page_height;
                let section = if goal.no.is_empty() && goal.title.is_empty() {
                    String::new()
                } else {
                    layout
                        .book
                        .section
                        .replace("{no}", &goal.no)
                        .replace("{title}", &goal.title)
                };
                lines.push(Line::Section {
                    row: r,
                    text: section.trim().to_string(),
                });
                r += 1;
                if !once {
                    lines.push(Line::Header { row: r });
                    r += header_rows(profile);
                }
                // with a 数値目標 line: one run of rows per 数値目標, the line above each
                let mut start = page_rows.start;
                while start < page_rows.end {
                    let end = match &layout.book.targets_row {
                        Some(_) => (start..page_rows.end)
                            .take_while(|&i| rows[i].goal_targets == rows[start].goal_targets)
                            .last()
                            .map_or(start + 1, |i| i + 1),
                        None => page_rows.end,
                    };
                    if let Some(line) = &layout.book.targets_row {
                        let targets = rows[start].goal_targets.join(&layout.book.targets_join);
                        lines.push(Line::Section {
                            row: r,
                            text: line.replace("{targets}", &targets),
                        });
                        r += 1;
                    }
                    lines.push(Line::Rows {
                        first_row: r,
                        rows: rows[start..end].to_vec(),
                        index: index[start..end].to_vec(),
                        heights: heights[start..end].to_vec(),
                    });
                    r += (end - start) as u32;
                    start = end;
                }
            }
        }
        // Excel keeps at most 1,023 manual page breaks a sheet; a bigger book (a national
        // table runs to thousands of pages) breaks the rest of its pages by itself
        breaks.truncate(1023);
        Table {
            book,
            lines,
            breaks,
            print_titles,
        }
    }

    /// Everything of the sheet but its cells: name, column widths, the notes of
    /// highlighted cells (and the row heights their boxes are placed by), print setup,
    /// page breaks.
    ///
    /// # Errors
    /// rust_xlsxwriter's limits.
    pub fn dress(
        &self,
        sheet: &mut Worksheet,
        profile: &Profile,
        marks: &Marks,
    ) -> Result<(), XlsxError> {
        let columns = &profile.layout.columns;
        sheet.set_name(&profile.layout.book.sheet)?;
        for (c, column) in columns.iter().enumerate() {
            sheet.set_column_width(c as u16, column.width)?;
        }
        if !marks.is_empty() {
            for line in &self.lines {
                let Line::Rows {
                    first_row,
                    rows,
                    index,
                    heights,
                } = line
                else {
                    continue;
                };
                for (i, height) in heights.iter().enumerate() {
                    // where rust_xlsxwriter places the notes' boxes depends on them
                    sheet.set_row_height(first_row + i as u32, *height)?;
                }
                // the notes of the marked rows' cells (a merged run's cell is its first
                // row's, as `each_cell` writes it)
                for (i, book_row) in index.iter().enumerate() {
                    if !marks.has_row(*book_row) {
                        continue;
                    }
                    for (c, column) in columns.iter().enumerate() {
                        let Some(note) = marks.note(*book_row, column) else {
                            continue;
                        };
                        if inside_run(rows, i, column, profile) {
                            continue;
                        }
                        let note = Note::new(note).set_author("kpiroll");
                        sheet.insert_note(first_row + i as u32, c as u16, &note)?;
                    }
                }
            }
        }
        print_setup(sheet, profile);
        if let Some((first, last)) = self.print_titles {
            sheet.set_repeat_rows(first, last)?;
        }
        if !self.breaks.is_empty() {
            sheet.set_page_breaks(&self.breaks)?;
        }
        Ok(())
    }

    /// Numbers every format a table of `book` can take in `xfs`, in a fixed order (the
    /// line formats, the text styles, then the number formats by code; each also
    /// highlighted when there are marks), so that no cell adds one later.
    pub fn number_formats(book: &Book, xfs: &Xfs, profile: &Profile, marks: &Marks) {
        use rayon::prelude::*;
        let mut styles = Styles::new(&profile.layout.book);
        let codes: std::collections::BTreeSet<String> = book
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
        if !marks.is_empty() {
            formats.extend(cell_formats.iter().map(super::styles::with_change_fill));
        }
        for format in &formats {
            xfs.id(format);
        }
    }

    /// Writes every cell, in row order: the rows' cells planned on every core a few
    /// thousand rows at a time.
    ///
    /// # Errors
    /// rust_xlsxwriter's limits (a text too long, a row beyond Excel's grid).
    pub fn write_cells(
        &self,
        cells: &mut SheetCells,
        profile: &Profile,
        marks: &Marks,
    ) -> Result<(), XlsxError> {
        use rayon::prelude::*;
        const BATCH: usize = 4096;
        let mut styles = Styles::new(&profile.layout.book);
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
                match line {
                    Line::Title { row, text } => cells.text(*row, 0, text, &styles.title)?,
                    Line::Section { row, text } => cells.text(*row, 0, text, &styles.section)?,
                    Line::Header { row } => {
                        write_header(cells, *row, self.book, profile, &styles.header, &[])?;
                    }
                    Line::Rows {
                        first_row,
                        rows,
                        index,
                        heights,
                    } => write_rows(
                        cells,
                        &mut xfs,
                        *first_row,
                        rows,
                        index,
                        heights,
                        &planned,
                        profile,
                        &mut styles,
                        marks,
                    )?,
                }
            }
            k = m;
        }
        Ok(())
    }
}

/// The number format codes a row's value cells are written with.
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

/// Calls `cell(i, c, last)` for every cell written of `rows` (a merged run of a group or
/// project column only at its first row, `last` the index of its last row; otherwise
/// `last == i`), row by row, column by column.
fn each_cell(
    rows: &[&Row],
    profile: &Profile,
    mut cell: impl FnMut(usize, usize, usize) -> Result<(), XlsxError>,
) -> Result<(), XlsxError> {
    let columns = &profile.layout.columns;
    for i in 0..rows.len() {
        for (c, column) in columns.iter().enumerate() {
            if inside_run(rows, i, column, profile) {
                continue; // written with the run's first row
            }
            let last = if column.group || column.project {
                run_end(rows, i, column.field, profile)
            } else {
                i
            };
            cell(i, c, last)?;
        }
    }
    Ok(())
}

/// Whether row `i`'s cell in `column` is inside a merged run that began above it (a group
/// or project column whose row above is in the same run: rows in one run are neighbours
/// that agree, see [`same_run`]).
fn inside_run(rows: &[&Row], i: usize, column: &crate::profile::Column, profile: &Profile) -> bool {
    (column.group || column.project) && i > 0 && same_run(rows, i - 1, i, column.field, profile)
}

/// How many header rows the table is written with.
pub(crate) fn header_rows(profile: &Profile) -> u32 {
    let two =
        profile.aliases.header.rows == 2 && profile.layout.columns.iter().any(|c| c.over.is_some());
    if two {
        2
    } else {
        1
    }
}

/// The print setup of every table kpiroll writes: paper, orientation, one page wide,
/// centred, margins and the page-number footer, all from layout.toml `[book]`.
pub(crate) fn print_setup(sheet: &mut Worksheet, profile: &Profile) {
    let page = &profile.layout.book;
    sheet.set_paper_size(page.paper);
    if page.landscape {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(page.fit_width, 0);
    sheet.set_print_center_horizontally(true);
    let m = page.margin_inches;
    sheet.set_margins(m, m, m + 0.1, m + 0.1, m / 2.0, m / 2.0);
    sheet.set_footer(format!("&C{}", page.footer));
}

/// Writes the header of the table at row `r` and returns how many rows it took: one
/// row, or two when the profile reads two (`rows = 2`) and a column has `over` — the
/// group header merged across its columns, their `sub` texts below, every other header
/// merged over both rows. `after` adds headers right of the layout's (the forms'
/// reference columns).
pub(crate) fn write_header(
    sheet: &mut impl Cells,
    r: u32,
    book: &Book,
    profile: &Profile,
    format: &Format,
    after: &[String],
) -> Result<u32, XlsxError> {
    let columns = &profile.layout.columns;
    let two = header_rows(profile) == 2;
    let n = columns.len();
    let cell = |sheet: &mut dyn Cells, c: usize, text: &str| -> Result<(), XlsxError> {
        if two {
            sheet.merged((r, c as u16), (r + 1, c as u16), text, format)
        } else {
            sheet.text(r, c as u16, text, format)
        }
    };
    // row by row (a gathered sheet is written in row order): the top row, then the sub
    // headers under the groups
    let mut subs: Vec<(usize, String)> = Vec::new();
    let mut c = 0;
    while c < n {
        let column = &columns[c];
        match (&column.over, two) {
            (Some(over), true) => {
                let end = (c..n)
                    .take_while(|&d| columns[d].over.as_ref() == Some(over))
                    .last()
                    .unwrap_or(c);
                let text = header_text(over, book);
                if end > c {
                    sheet.merged((r, c as u16), (r, end as u16), &text, format)?;
                } else {
                    sheet.text(r, c as u16, &text, format)?;
                }
                for (d, under) in columns.iter().enumerate().take(end + 1).skip(c) {
                    let sub = under.sub.as_deref().unwrap_or(&under.header);
                    subs.push((d, header_text(sub, book)));
                }
                c = end + 1;
            }
            _ => {
                cell(sheet, c, &header_text(&column.header, book))?;
                c += 1;
            }
        }
    }
    for (i, text) in after.iter().enumerate() {
        cell(sheet, n + i, text)?;
    }
    for (d, text) in subs {
        sheet.text(r + 1, d as u16, &text, format)?;
    }
    Ok(if two { 2 } else { 1 })
}

/// Cells to highlight in the working book, each with a note (last year's value).
/// The handout and plain books have none.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// book row index → (field, extra column name, note text)
    notes: FxHashMap<usize, Vec<(Field, Option<String>, String)>>,
}

impl Marks {
    /// No highlights.
    pub fn none() -> Marks {
        Marks::default()
    }

    /// Highlights `field` (for [`Field::Extra`], the column named `extra`) of book row
    /// `row` with `note`.
    pub fn add(&mut self, row: usize, field: Field, extra: Option<String>, note: String) {
        self.notes
            .entry(row)
            .or_default()
            .push((field, extra, note));
    }

    /// Whether no cell is highlighted.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// Whether any cell of book row `row` is highlighted.
    pub fn has_row(&self, row: usize) -> bool {
        self.notes.contains_key(&row)
    }

    /// Whether a cell is highlighted.
    pub fn has_note(&self, row: usize, column: &crate::profile::Column) -> bool {
        self.find(row, column).is_some()
    }

    /// The note of a cell, when it is highlighted.
    pub fn note(&self, row: usize, column: &crate::profile::Column) -> Option<String> {
        self.find(row, column).map(|(_, _, n)| n.clone())
    }

    /// The mark of book row `row` in `column` (an extra column's by its name).
    fn find(
        &self,
        row: usize,
        column: &crate::profile::Column,
    ) -> Option<&(Field, Option<String>, String)> {
        let extra = (column.field == Field::Extra)
            .then(|| column.name.as_deref().unwrap_or(&column.header));
        self.notes
            .get(&row)?
            .iter()
            .find(|(f, e, _)| *f == column.field && e.as_deref() == extra)
    }
}

/// Points per line of text at the book's font size, and a cell's padding.
pub(crate) const LINE_PT: f64 = 13.0;
pub(crate) const PAD_PT: f64 = 3.0;

/// Writes the data rows of one page block from row `first_row`, merging group and
/// project cells over their runs within the block, with the estimated row heights.
/// `planned` holds each row's cells, worked out beforehand ([`plan_row`]); `index`
/// gives each row's position in the book, for its [`Marks`] (a marked cell is filled).
#[allow(clippy::too_many_arguments)]
fn write_rows(
    cells: &mut SheetCells,
    xfs: &mut TableXfs,
    first_row: u32,
    rows: &[&Row],
    index: &[usize],
    heights: &[f64],
    planned: &[Vec<Planned>],
    profile: &Profile,
    styles: &mut Styles,
    marks: &Marks,
) -> Result<(), XlsxError> {
    let columns = &profile.layout.columns;
    let mut height_set = None;
    each_cell(rows, profile, |i, c, last| {
        let r = first_row + i as u32;
        if height_set != Some(i) {
            cells.set_row_height(r, heights[i])?;
            height_set = Some(i);
        }
        let cell = &planned[i][c];
        let noted = !marks.is_empty() && marks.has_note(index[i], &columns[c]);
        let xf = xfs.of(cell, noted, styles, cells);
        let c = c as u16;
        match &cell.content {
            Content::Number(x, _) => cells.number_xf(r, c, *x, xf),
            Content::Text(text) if last > i => {
                cells.merged_xf((r, c), (first_row + last as u32, c), text, xf)
            }
            Content::Text(text) => cells.text_xf(r, c, text, xf),
        }
    })
}

/// The format numbers of the table's cells, looked up once per style or number code
/// (and highlight), not once per cell.
#[derive(Default)]
struct TableXfs {
    /// [style][highlighted]
    styles: [[Option<u32>; 2]; 3],
    /// number format code → [highlighted]
    numbers: FxHashMap<String, [Option<u32>; 2]>,
}

impl TableXfs {
    fn of(&mut self, cell: &Planned, noted: bool, styles: &mut Styles, cells: &SheetCells) -> u32 {
        let slot = match &cell.content {
            Content::Number(_, code) => {
                if !self.numbers.contains_key(code.as_str()) {
                    self.numbers.insert(code.clone(), [None; 2]);
                }
                &mut self.numbers.get_mut(code.as_str()).expect("just added")[usize::from(noted)]
            }
            Content::Text(_) => &mut self.styles[cell.style as usize][usize::from(noted)],
        };
        *slot.get_or_insert_with(|| {
            let plain = match &cell.content {
                Content::Number(_, code) => styles.number(code),
                Content::Text(_) => cell.style.of(styles),
            };
            if noted {
                cells.xf(&super::styles::with_change_fill(plain))
            } else {
                cells.xf(plain)
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
    fn of(self, styles: &Styles) -> &Format {
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

/// Splits a goal's rows into page blocks: each block fits a page after its section and
/// header rows; a project's KPI rows stay together. `first_room` is what is left of the
/// first page (the titles take some of it).
fn paginate(
    rows: &[&Row],
    heights: &[f64],
    first_room: f64,
    page: f64,
    header_rows: u32,
) -> Vec<std::ops::Range<usize>> {
    let chrome = (1.0 + f64::from(header_rows)) * (LINE_PT + PAD_PT); // section + header rows
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut used = chrome + (page - first_room);
    for i in 0..rows.len() {
        let starts_project = rows[i].kpi_index == 1;
        if i > start && starts_project && used + heights[i] > page {
            blocks.push(start..i);
            start = i;
            used = chrome;
        }
        used += heights[i];
    }
    if start < rows.len() || blocks.is_empty() {
        blocks.push(start..rows.len());
    }
    blocks
}

/// The height a row needs: the most wrapped lines of its cells in their column widths.
pub(crate) fn row_height(row: &Row, profile: &Profile) -> f64 {
    let lines = profile
        .layout
        .columns
        .iter()
        .filter(|c| !c.group) // group cells span many rows
        .map(|c| text_lines(&column_text(row, c, profile), c.width))
        .max()
        .unwrap_or(1);
    lines as f64 * LINE_PT + PAD_PT
}

/// Lines a text wraps to in a column `width` characters wide (a full-width character
/// takes about one and a half: Excel's width unit is the width of a digit).
pub(crate) fn text_lines(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line
                .chars()
                .map(|c| {
                    if (c as u32) < 0x2E80 || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                        1.0
                    } else {
                        2.0
                    }
                })
                .sum();
            ((units / room).ceil() as usize).max(1)
        })
        .sum()
}

/// The sheet height (in points) one printed page holds, after fitting the columns to the
/// page width.
fn printable_height(profile: &Profile) -> f64 {
    let b = &profile.layout.book;
    // ISO A3 / A4 in points; other papers are treated as A3
    let (long, short) = if b.paper == 9 {
        (841.9, 595.3)
    } else {
        (1190.6, 841.9)
    };
    let (width, height) = if b.landscape {
        (long, short)
    } else {
        (short, long)
    };
    let margin = b.margin_inches * 72.0;
    let columns_pt: f64 = profile
        .layout
        .columns
        .iter()
        .map(|c| (c.width * 7.0 + 5.0) * 0.75)
        .sum();
    let scale = ((width - 2.0 * margin) / columns_pt).min(1.0);
    (height - 2.0 * (margin + 7.2)) * 0.95 / scale
}

/// The rows `start..=end` (indexes into `rows`) that a merged cell of `field` covers.
pub(crate) fn run(rows: &[&Row], i: usize, field: Field, profile: &Profile) -> (usize, usize) {
    let mut start = i;
    while start > 0 && same_run(rows, start - 1, start, field, profile) {
        start -= 1;
    }
    (start, run_end(rows, i, field, profile))
}

/// The last row of the run that row `i` is in, scanning forward only.
fn run_end(rows: &[&Row], i: usize, field: Field, profile: &Profile) -> usize {
    let mut end = i;
    while end + 1 < rows.len() && same_run(rows, end, end + 1, field, profile) {
        end += 1;
    }
    end
}

/// Whether rows `a` and `b = a + 1` are in one run of `field`'s column: a group column
/// while it and every group column before it agree (an equivalence, so neighbours
/// decide), a project column over the KPI rows of one project.
fn same_run(rows: &[&Row], a: usize, b: usize, field: Field, profile: &Profile) -> bool {
    let (a, b) = (rows[a], rows[b]);
    const GROUPS: [Field; 4] = [
        Field::GoalTargets,
        Field::MeasureNo,
        Field::Measure,
        Field::MeasureKpi,
    ];
    if !GROUPS.contains(&field) {
        return a.project_nos == b.project_nos && b.kpi_index == a.kpi_index + 1;
    }
    GROUPS
        .iter()
        .take_while(|f| **f != field)
        .chain(std::iter::once(&field))
        .all(|f| match f {
            // the fields themselves, without building their text (equal fields show
            // equal text; the text is compared only when they differ)
            Field::GoalTargets => a.goal_targets == b.goal_targets,
            Field::MeasureNo => a.measure_no == b.measure_no,
            Field::Measure => a.measure == b.measure,
            Field::MeasureKpi => a.measure_kpi == b.measure_kpi,
            _ => false,
        } || field_text(a, *f, profile) == field_text(b, *f, profile))
}
