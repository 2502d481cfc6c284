//! A sheet as cells: sparse rows of display text, plus merged areas.
//!
//! Every format is turned into a [`Grid`] first (xlsx is streamed cell by cell, so a
//! stray value in XFD1048576 costs one cell, not a grid up to it). Numbers become the
//! text their number format shows, so `10000` formatted `#,##0` reads as `10,000`,
//! exactly what the user saw.
//!
//! What one file may cost is bounded for the file, not per sheet: the text and cells held
//! and the cells covered by merged areas are counted across its sheets ([`Spent`], carried
//! from one sheet's grid to the next), and a file beyond a budget is that file's refusal
//! ([`Grid::over`]), never the process's end.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

/// One cell's text and what kind of cell it was.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub text: String,
    /// an Excel error value (`#REF!`)
    pub error: bool,
    /// the value of a number cell (dates included); `None` for text and for text files
    pub number: Option<f64>,
}

/// One row's cells by column, in column order: a short vector (cells arrive in column
/// order when streamed; a tree per row cost a tenth of reading).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cells(Vec<(u16, GridCell)>);

impl Cells {
    /// The cell in column `col`.
    pub fn get(&self, col: &u16) -> Option<&GridCell> {
        self.0
            .binary_search_by_key(col, |(c, _)| *c)
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Sets the cell in column `col` (replacing one there).
    pub fn insert(&mut self, col: u16, cell: GridCell) {
        match self.0.last() {
            Some((last, _)) if *last < col => self.0.push((col, cell)),
            None => self.0.push((col, cell)),
            Some(_) => match self.0.binary_search_by_key(&col, |(c, _)| *c) {
                Ok(i) => self.0[i].1 = cell,
                Err(i) => self.0.insert(i, (col, cell)),
            },
        }
    }

    /// (column, cell) in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&u16, &GridCell)> {
        self.0.iter().map(|(c, cell)| (c, cell))
    }

    /// The cells in column order.
    pub fn values(&self) -> impl Iterator<Item = &GridCell> {
        self.0.iter().map(|(_, cell)| cell)
    }

    /// The columns that hold a cell, in order.
    pub fn keys(&self) -> impl Iterator<Item = &u16> {
        self.0.iter().map(|(c, _)| c)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A sheet's cells; positions are 0-based absolute (row, column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// `None` for CSV/TSV
    pub sheet: Option<String>,
    pub rows: BTreeMap<u32, Cells>,
    /// merged area covered cell → its top-left cell
    merged: FxHashMap<(u32, u16), (u32, u16)>,
    /// set when cells beyond the limits were ignored: (row, column) of the first one
    pub clipped: Option<(u32, u32)>,
    /// set when the file went over a budget here: where, and which; nothing more is kept
    pub over: Option<Over>,
    /// the workbook's defined names (name, formula text), on the first sheet of an xlsx
    /// only (once per file, however many sheets): a rollover form's fingerprint is there
    pub workbook_names: Vec<(String, String)>,
    /// what the file has cost so far, this sheet and the ones read before it
    pub spent: Spent,
    /// the merged areas recorded, each once however often a file lists it
    areas: FxHashSet<((u32, u32), (u32, u32))>,
    /// what the reader found doubtful, at its 0-based (row, column): reported as the
    /// file is read (a text file's unclosed quote, bytes it could not decode)
    pub notes: Vec<(u32, u32, Note)>,
}

/// Something a reader found doubtful in a cell it read all the same (each becomes a
/// located warning when the file is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// a text field opens a quote that does not close at the field's end
    UnclosedQuote,
    /// a text field has text after its closing quote
    StrayQuote,
    /// bytes the text's encoding cannot read (the line's first ones, in hex)
    BadBytes {
        encoding: &'static str,
        bytes: String,
    },
    /// more lines with unreadable bytes than are listed one by one
    MoreBadBytes { lines: usize },
    /// more fields with a doubtful quote than are listed one by one
    MoreDoubtful { fields: usize },
}

/// What reading a file has cost so far, counted across its sheets: a reader starts each
/// sheet's grid with what the sheets before it spent ([`Grid::after`]). It is how much
/// was read, not what was read: grids compare equal whatever they cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spent {
    /// text and cells held, in bytes (a cell costs its text and [`CELL_BYTES`], a row
    /// [`ROW_BYTES`] more)
    pub bytes: u64,
    /// cells covered by merged areas (each area's cells, counted once per area)
    pub merged: u64,
}

impl PartialEq for Spent {
    fn eq(&self, _: &Spent) -> bool {
        true
    }
}

/// What a cell costs besides its text: its slot in a row, and half as much again for the
/// room a row's vector keeps to grow.
pub const CELL_BYTES: u64 = std::mem::size_of::<(u16, GridCell)>() as u64 * 3 / 2;
/// What a row costs besides its cells (its entry in the sheet's tree).
pub const ROW_BYTES: u64 = 48;

/// A budget a file went over: where (0-based row, column) and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Over {
    pub at: (u32, u32),
    pub budget: Budget,
}

/// The budgets of one file (see [`Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// text and cells held ([`Limits::max_text_mib`])
    Text,
    /// cells covered by merged areas ([`Limits::max_merged_cells`])
    Merged,
}

pub use crate::limits::Limits;

impl Grid {
    pub fn new(sheet: Option<String>) -> Grid {
        Grid {
            sheet,
            ..Grid::default()
        }
    }

    /// Adds a text cell; blank text is not stored. Cells beyond the limits are counted,
    /// not kept.
    pub fn set(&mut self, row: u32, col: u32, text: String, error: bool, limits: &Limits) {
        let cell = GridCell {
            text,
            error,
            number: None,
        };
        self.put(row, col, cell, limits);
    }

    /// A sheet's grid that goes on counting from `before`, the file's sheet read before
    /// it: the budgets hold for the file.
    pub fn after(sheet: Option<String>, before: &Grid) -> Grid {
        Grid {
            sheet,
            spent: before.spent,
            ..Grid::default()
        }
    }

    /// Adds a cell; blank text is not stored. Cells beyond the limits are counted, not
    /// kept; past the file's text budget nothing is kept ([`Grid::over`]).
    pub fn put(&mut self, row: u32, col: u32, cell: GridCell, limits: &Limits) {
        if cell.text.trim().is_empty() || self.over.is_some() {
            return;
        }
        if row >= limits.max_rows || col >= u32::from(limits.max_cols) {
            self.clipped.get_or_insert((row, col));
            return;
        }
        self.spent.bytes += cell.text.capacity() as u64 + CELL_BYTES;
        if !self.rows.contains_key(&row) {
            self.spent.bytes += ROW_BYTES;
        }
        if self.spent.bytes > limits.max_text_mib.saturating_mul(1 << 20) {
            self.over = Some(Over {
                at: (row, col),
                budget: Budget::Text,
            });
            return;
        }
        self.rows.entry(row).or_default().insert(col as u16, cell);
    }

    /// Records a merged area, once however often it is listed; cells beyond the limits
    /// are left out. An area whose top-left cell is blank fills nothing and costs nothing
    /// (call this after the sheet's cells are in). Past the file's budget of merged cells
    /// nothing more is kept ([`Grid::over`]).
    pub fn merge(&mut self, first: (u32, u32), last: (u32, u32), limits: &Limits) {
        let last_row = last.0.min(limits.max_rows.saturating_sub(1));
        let last_col = last.1.min(u32::from(limits.max_cols).saturating_sub(1));
        if first.0 > last_row || first.1 > last_col || self.over.is_some() {
            return;
        }
        let top_left = (first.0, first.1 as u16);
        if self
            .rows
            .get(&top_left.0)
            .and_then(|r| r.get(&top_left.1))
            .is_none()
        {
            return;
        }
        if !self.areas.insert((first, (last_row, last_col))) {
            return;
        }
        let area = u64::from(last_row - first.0 + 1) * u64::from(last_col - first.1 + 1);
        self.spent.merged += area;
        if self.spent.merged > limits.max_merged_cells {
            self.over = Some(Over {
                at: first,
                budget: Budget::Merged,
            });
            return;
        }
        for r in first.0..=last_row {
            for c in first.1..=last_col {
                if (r, c) != first {
                    self.merged.insert((r, c as u16), top_left);
                }
            }
        }
    }

    /// The cell at (row, col), or the top-left cell of the merged area covering it.
    pub fn get(&self, row: u32, col: u16) -> Option<&GridCell> {
        let own = self.rows.get(&row).and_then(|r| r.get(&col));
        own.or_else(|| self.merged_into(row, col))
    }

    /// The top-left cell of the merged area covering (row, col), when one does.
    fn merged_into(&self, row: u32, col: u16) -> Option<&GridCell> {
        let (r, c) = self.merged.get(&(row, col))?;
        self.rows.get(r)?.get(c)
    }

    /// [`Grid::get`] with the row's cells already in hand (`cells` is row `row`'s):
    /// one lookup of the row instead of one per cell.
    pub fn get_in<'a>(&'a self, cells: &'a Cells, row: u32, col: u16) -> Option<&'a GridCell> {
        cells.get(&col).or_else(|| self.merged_into(row, col))
    }

    /// [`Grid::text`] with the row's cells in hand (see [`Grid::get_in`]).
    pub fn text_in<'a>(&'a self, cells: &'a Cells, row: u32, col: u16) -> &'a str {
        self.get_in(cells, row, col).map_or("", |c| c.text.as_str())
    }

    /// Text at (row, col) ("" when blank), merged areas filled.
    pub fn text(&self, row: u32, col: u16) -> &str {
        self.get(row, col).map_or("", |c| c.text.as_str())
    }

    /// The cells of the rows above `row`, in order: (row, column, text).
    pub fn cells_above(&self, row: u32) -> impl Iterator<Item = (u32, u16, &str)> {
        self.rows
            .range(..row)
            .flat_map(|(r, cells)| cells.iter().map(move |(c, g)| (*r, *c, g.text.as_str())))
    }

    /// Row numbers that hold a cell, in order (merged areas add no rows of their own).
    pub fn row_numbers(&self) -> Vec<u32> {
        self.rows.keys().copied().collect()
    }

    /// Whether a row's cell at `col` was filled from a merged area above or beside it.
    pub fn is_merged(&self, row: u32, col: u16) -> bool {
        self.merged.contains_key(&(row, col))
    }

    /// Whether the sheet has no text at all.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
