//! A sheet as cells: sparse rows of display text, plus merged areas.
//!
//! Every format is turned into a [`Grid`] first (xlsx is streamed cell by cell, so a
//! stray value in XFD1048576 costs one cell, not a grid up to it). Numbers become the
//! text their number format shows, so `10000` formatted `#,##0` reads as `10,000`,
//! exactly what the user saw.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

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
    /// the workbook's defined names (name, formula text), on every sheet of an xlsx:
    /// a rollover form's fingerprint is there
    pub workbook_names: Vec<(String, String)>,
}

/// How much of an input is considered (`templates/limits.toml`, overridable per run).
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_rows: u32,
    pub max_cols: u16,
    /// cells covered by merged areas, all areas of a sheet together
    pub max_merged_cells: u64,
    /// uncompressed size of any one part of an xlsx / ods, in MiB
    pub max_part_mib: u64,
    /// input files in one run
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // every row of an Excel sheet: a national book (140,000 KPI rows in page
            // blocks) is one sheet, and the grid is sparse, so blank rows cost nothing
            max_rows: 1_048_576,
            max_cols: 256,
            max_merged_cells: 1_000_000,
            max_part_mib: 256,
            max_files: 20_000,
        }
    }
}

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

    /// Adds a cell; blank text is not stored. Cells beyond the limits are counted, not kept.
    pub fn put(&mut self, row: u32, col: u32, cell: GridCell, limits: &Limits) {
        if cell.text.trim().is_empty() {
            return;
        }
        if row >= limits.max_rows || col >= u32::from(limits.max_cols) {
            self.clipped.get_or_insert((row, col));
            return;
        }
        self.rows.entry(row).or_default().insert(col as u16, cell);
    }

    /// Records a merged area; cells beyond the limits are left out.
    pub fn merge(&mut self, first: (u32, u32), last: (u32, u32), limits: &Limits) {
        let last_row = last.0.min(limits.max_rows.saturating_sub(1));
        let last_col = last.1.min(u32::from(limits.max_cols).saturating_sub(1));
        if first.0 > last_row || first.1 > last_col {
            return;
        }
        let area = u64::from(last_row - first.0 + 1) * u64::from(last_col - first.1 + 1);
        if self.merged.len() as u64 + area > limits.max_merged_cells {
            self.clipped.get_or_insert(first);
            return;
        }
        let top_left = (first.0, first.1 as u16);
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
