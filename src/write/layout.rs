//! The 一覧 table laid out: which line goes on which sheet row, worked out before
//! anything is written, and the sheet's shell that follows from it.
//!
//! Two purposes, one table. **Print** (the book, the handout) keeps the city's printed
//! look: title rows, then one block per page: its 基本目標 section row, the header row,
//! its rows (or, with `header_once`, the header once under the titles, printed on every
//! page). A page block ends before a project, never inside one, and never leaves a
//! 施策's merged text on a piece of page too short for it. **Work** (the working book)
//! is made for filtering: a legend row, a blank row, one header row (frozen, filtered, printed on
//! every page), then each 基本目標's section row once and its rows.

use super::page::{header_footer_text, printable_height, text_lines, Page, Shell, LINE_PT, PAD_PT};
use crate::model::{Book, Row};
use crate::profile::{Field, Profile};

pub use crate::row_text::{column_text, field_text};

/// What the table is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// the book and the handout: printed like the city's own
    Print,
    /// the working book: one header row to filter and sort by
    Work,
}

/// The 一覧 table laid out (see the module's note).
pub struct Table<'a> {
    pub(super) book: &'a Book,
    pub(super) purpose: Purpose,
    pub(super) lines: Vec<Line<'a>>,
    breaks: Vec<u32>,
    /// the (first) header's first and last row
    header: Option<(u32, u32)>,
    /// the next free row while laying out; the row after the table after
    next: u32,
}

/// One line of the table, or a run of its rows.
pub(super) enum Line<'a> {
    Title {
        row: u32,
        text: String,
    },
    /// the working book's legend: the texts and the fill each names, each over columns
    /// `first..=last`
    Legend {
        row: u32,
        items: Vec<LegendItem>,
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
    /// `index` gives each row's position in the book, for its marks
    Rows {
        first_row: u32,
        rows: Vec<&'a Row>,
        index: Vec<usize>,
        heights: Vec<f64>,
    },
}

/// One text of the legend, the fill it names, the columns it spans.
pub(super) struct LegendItem {
    pub text: String,
    pub fill: super::marks::Fill,
    pub first: u16,
    pub last: u16,
}

impl<'a> Table<'a> {
    /// Lays out `book` for `purpose` (row heights estimated on every core).
    pub fn lay_out(book: &'a Book, profile: &Profile, purpose: Purpose) -> Table<'a> {
        let mut table = Table {
            book,
            purpose,
            lines: Vec::new(),
            breaks: Vec::new(),
            header: None,
            next: 0,
        };
        match purpose {
            Purpose::Print => table.print_top(profile),
            Purpose::Work => table.work_top(profile),
        }
        let heights: Vec<f64> = {
            use rayon::prelude::*;
            book.rows
                .par_iter()
                .map(|row| row_height(row, profile))
                .collect()
        };
        let page_height = printable_height(profile);
        // the titles take some of page 1
        let mut room = page_height - f64::from(table.next) * LINE_PT;
        for (k, (goal, index)) in book.rows_by_goal().into_iter().enumerate() {
            let rows: Vec<&Row> = index.iter().map(|i| &book.rows[*i]).collect();
            let heights: Vec<f64> = index.iter().map(|i| heights[*i]).collect();
            let section = profile.section_text(goal);
            let goal = Goal {
                section: &section,
                rows: &rows,
                index: &index,
                heights: &heights,
            };
            match purpose {
                Purpose::Print => {
                    let blocks = paginate(&rows, &heights, room, page_height, profile);
                    for block in blocks {
                        table.page_block(&goal, block, profile);
                    }
                    room = page_height;
                }
                Purpose::Work => {
                    if k > 0 {
                        table.breaks.push(table.next);
                    }
                    table.push_section(&section);
                    table.push_runs(&goal, 0..rows.len(), profile);
                }
            }
        }
        // Excel keeps at most 1,023 manual page breaks a sheet; a bigger book (a national
        // table runs to thousands of pages) breaks the rest of its pages by itself
        table.breaks.truncate(1023);
        table
    }

    /// The printed book's top: its title rows, a blank row, and with `header_once` the
    /// header, printed on every page.
    fn print_top(&mut self, profile: &Profile) {
        let layout = &profile.layout.book;
        for title in &layout.title_rows {
            self.lines.push(Line::Title {
                row: self.next,
                text: super::book::header_text(title, self.book),
            });
            self.next += 1;
        }
        self.next += 1; // a blank row under the titles
        if layout.header_once {
            self.push_header(profile);
        }
    }

    /// The working book's top: the legend, a blank row, then the one header row (the
    /// titles are printed in the page header instead).
    fn work_top(&mut self, profile: &Profile) {
        let items = legend(profile);
        self.lines.push(Line::Legend {
            row: self.next,
            items,
        });
        // a row between: the legend is never read as the group row of a two-row header
        self.next += 2;
        self.push_header(profile);
    }

    fn push_header(&mut self, profile: &Profile) {
        let rows = header_rows(profile);
        self.lines.push(Line::Header { row: self.next });
        self.header.get_or_insert((self.next, self.next + rows - 1));
        self.next += rows;
    }

    fn push_section(&mut self, text: &str) {
        self.lines.push(Line::Section {
            row: self.next,
            text: text.to_string(),
        });
        self.next += 1;
    }

    /// One printed page block of a goal: a page break before it (but the first), the
    /// section row, the header (unless it is printed once), the rows.
    fn page_block(
        &mut self,
        goal: &Goal<'_, 'a>,
        block: std::ops::Range<usize>,
        profile: &Profile,
    ) {
        let titles = profile.layout.book.title_rows.len() as u32 + 1;
        if self.next > titles && self.header.is_none_or(|(_, last)| self.next > last + 1) {
            self.breaks.push(self.next);
        }
        self.push_section(goal.section);
        if !profile.layout.book.header_once {
            self.push_header(profile);
        }
        self.push_runs(goal, block, profile);
    }

    /// The rows `range` of a goal: one run, or with a 数値目標 line one run per
    /// 数値目標, the line above each.
    fn push_runs(&mut self, goal: &Goal<'_, 'a>, range: std::ops::Range<usize>, profile: &Profile) {
        let layout = &profile.layout.book;
        let rows = goal.rows;
        let mut start = range.start;
        while start < range.end {
            let end = match &layout.targets_row {
                Some(_) => (start..range.end)
                    .take_while(|&i| rows[i].goal_targets == rows[start].goal_targets)
                    .last()
                    .map_or(start + 1, |i| i + 1),
                None => range.end,
            };
            if let Some(line) = &layout.targets_row {
                let targets = rows[start].goal_targets.join(&layout.targets_join);
                let text = line.replace("{targets}", &targets);
                self.push_section(&text);
            }
            self.lines.push(Line::Rows {
                first_row: self.next,
                rows: rows[start..end].to_vec(),
                index: goal.index[start..end].to_vec(),
                heights: goal.heights[start..end].to_vec(),
            });
            self.next += (end - start) as u32;
            start = end;
        }
    }

    /// The 一覧 sheet's shell: name, widths, print setup; for work also the frozen
    /// header, its filter over the table and the titles in the page header.
    pub fn shell(&self, profile: &Profile) -> Shell {
        let layout = &profile.layout;
        let mut shell = Shell::new(&layout.book.sheet, Page::of_book(&layout.book));
        shell.widths = layout.columns.iter().map(|c| c.width).collect();
        shell.breaks.clone_from(&self.breaks);
        match self.purpose {
            Purpose::Print => {
                if layout.book.header_once {
                    shell.print_titles = self.header;
                }
            }
            Purpose::Work => {
                shell.print_titles = self.header;
                if let Some((_, last)) = self.header {
                    shell.freeze_rows = last + 1;
                    let columns = layout.columns.len().max(1) as u16;
                    shell.filter = Some((last, 0, self.next.max(last + 1) - 1, columns - 1));
                }
                let titles: Vec<String> = layout
                    .book
                    .title_rows
                    .iter()
                    .map(|t| super::book::header_text(t, self.book))
                    .collect();
                shell.page.header = Some(format!("&C{}", header_footer_text(&titles.join("　"))));
            }
        }
        shell
    }
}

/// A goal's rows, their places in the book and their heights.
struct Goal<'g, 'a> {
    section: &'g str,
    rows: &'g [&'a Row],
    index: &'g [usize],
    heights: &'g [f64],
}

/// The legend of the working book's marks: its title, then one text per fill, each
/// spread over as many columns from the left as it needs to show on one line.
fn legend(profile: &Profile) -> Vec<LegendItem> {
    use super::marks::Fill;
    let words = &profile.patterns.flag_words;
    let texts = [
        (profile.message("legend.title", &[]), Fill::None),
        (profile.message("legend.changed", &[]), Fill::Changed),
        (
            profile.message("legend.new", &[("word", &words.new)]),
            Fill::New,
        ),
        (
            profile.message("legend.not_returned", &[("word", &words.not_returned)]),
            Fill::NotReturned,
        ),
    ];
    let widths: Vec<f64> = profile.layout.columns.iter().map(|c| c.width).collect();
    let last_column = widths.len().saturating_sub(1);
    let mut items = Vec::new();
    let mut first = 0;
    for (text, fill) in texts {
        let first_col = first.min(last_column);
        let need = super::page::text_units(&text) + 1.0;
        let mut last = first_col;
        let mut room = widths.get(first_col).copied().unwrap_or(need);
        while room < need && last < last_column {
            last += 1;
            room += widths[last];
        }
        items.push(LegendItem {
            text,
            fill,
            first: first_col as u16,
            last: last as u16,
        });
        first = last + 1;
    }
    items
}

/// Splits a goal's rows into page blocks: each block fits a page after its section and
/// header rows; a project's KPI rows stay together, and a page never ends or starts
/// with a piece of a 施策 (a group column's merged run) too short for its text: the
/// break moves before the run. `first_room` is what is left of the first page (the
/// titles take some of it).
fn paginate(
    rows: &[&Row],
    heights: &[f64],
    first_room: f64,
    page: f64,
    profile: &Profile,
) -> Vec<std::ops::Range<usize>> {
    // section + header rows
    let chrome = (1.0 + f64::from(header_rows(profile))) * (LINE_PT + PAD_PT);
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut used = chrome + (page - first_room);
    for i in 0..rows.len() {
        let starts_project = rows[i].kpi_index == 1;
        if i > start && starts_project && used + heights[i] > page {
            let at = unclipped_break(rows, heights, start, i, profile);
            blocks.push(start..at);
            start = at;
            used = chrome + heights[at..i].iter().sum::<f64>();
        }
        used += heights[i];
    }
    if start < rows.len() || blocks.is_empty() {
        blocks.push(start..rows.len());
    }
    blocks
}

/// Where a page break meant before row `at` goes so that no group column's merged run
/// is split into a piece shorter than its text: before that run, when it began after
/// `start` (a run that fills its page from the top is split where it must be).
fn unclipped_break(
    rows: &[&Row],
    heights: &[f64],
    start: usize,
    mut at: usize,
    profile: &Profile,
) -> usize {
    loop {
        let moved = profile
            .layout
            .columns
            .iter()
            .filter(|c| c.group)
            .find_map(|column| {
                let field = column.field;
                if !same_run(rows, at - 1, at, field, profile) {
                    return None; // the break is between runs
                }
                let (first, last) = run(rows, at - 1, field, profile);
                let need = text_lines(&column_text(rows[first], column, profile), column.width)
                    as f64
                    * LINE_PT
                    + PAD_PT;
                let before: f64 = heights[first.max(start)..at].iter().sum();
                let after: f64 = heights[at..=last].iter().sum();
                (first > start && (before < need || after < need)).then_some(first)
            });
        match moved {
            Some(first) if first < at => at = first,
            _ => return at,
        }
    }
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

/// Calls `cell(i, c, last)` for every cell written of `rows` (a merged run of a group or
/// project column only at its first row, `last` the index of its last row; otherwise
/// `last == i`), row by row, column by column.
pub(super) fn each_cell<E>(
    rows: &[&Row],
    profile: &Profile,
    mut cell: impl FnMut(usize, usize, usize) -> Result<(), E>,
) -> Result<(), E> {
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
pub(super) fn inside_run(
    rows: &[&Row],
    i: usize,
    column: &crate::profile::Column,
    profile: &Profile,
) -> bool {
    (column.group || column.project) && i > 0 && same_run(rows, i - 1, i, column.field, profile)
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
