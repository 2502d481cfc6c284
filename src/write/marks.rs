//! What the working book marks on its table: changed cells (filled, each with a note
//! giving last year's value), and whole rows that are new this year or not returned
//! (filled, beside the word their 備考 carries). The handout and plain books carry no
//! marks.

use rustc_hash::FxHashMap;

use crate::profile::{Column, Field};

/// The fill a cell of the table gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(usize)]
pub enum Fill {
    None,
    /// a value changed from last year
    Changed,
    /// a row not in last year's book (新規)
    New,
    /// a row of last year's book no return gave this year (未提出)
    NotReturned,
}

impl Fill {
    /// Every fill, in the order their formats are numbered.
    pub const ALL: [Fill; 4] = [Fill::None, Fill::Changed, Fill::New, Fill::NotReturned];
}

/// Cells and rows to mark in the working book.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// book row index → (field, extra column name, note text)
    notes: FxHashMap<usize, Vec<(Field, Option<String>, String)>>,
    /// book row index → the fill of the whole row (新規, 未提出)
    rows: FxHashMap<usize, Fill>,
}

impl Marks {
    /// No marks.
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

    /// Fills every cell of book row `row` (new, or not returned).
    pub fn add_row(&mut self, row: usize, fill: Fill) {
        self.rows.insert(row, fill);
    }

    /// Whether nothing is marked.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.rows.is_empty()
    }

    /// Whether any cell of book row `row` has a note.
    pub fn has_notes(&self, row: usize) -> bool {
        self.notes.contains_key(&row)
    }

    /// The fill of book row `row`'s cell in `column`: the row's own, or a changed
    /// cell's.
    pub fn fill(&self, row: usize, column: &Column) -> Fill {
        if let Some(fill) = self.rows.get(&row) {
            return *fill;
        }
        if self.find(row, column).is_some() {
            Fill::Changed
        } else {
            Fill::None
        }
    }

    /// The note of a cell, when it is highlighted.
    pub fn note(&self, row: usize, column: &Column) -> Option<String> {
        self.find(row, column).map(|(_, _, n)| n.clone())
    }

    /// The mark of book row `row` in `column` (an extra column's by its name).
    fn find(&self, row: usize, column: &Column) -> Option<&(Field, Option<String>, String)> {
        let extra = (column.field == Field::Extra)
            .then(|| column.name.as_deref().unwrap_or(&column.header));
        self.notes
            .get(&row)?
            .iter()
            .find(|(f, e, _)| *f == column.field && e.as_deref() == extra)
    }
}

impl super::layout::Table<'_> {
    /// The notes of the changed cells, each giving last year's value, and the heights of
    /// the rows that hold them (a note's box is placed by them). A merged run's cell is
    /// its first row's, as the cells are written.
    ///
    /// # Errors
    /// Excel's limits.
    pub fn write_notes(
        &self,
        sheet: &mut super::xlsx::Worksheet,
        profile: &crate::profile::Profile,
        marks: &Marks,
    ) -> Result<(), super::xlsx::XlsxError> {
        use super::layout::{inside_run, Line};
        if marks.notes.is_empty() {
            return Ok(());
        }
        let columns = &profile.layout.columns;
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
                sheet.set_row_height(first_row + i as u32, *height)?;
            }
            for (i, book_row) in index.iter().enumerate() {
                if !marks.has_notes(*book_row) {
                    continue;
                }
                for (c, column) in columns.iter().enumerate() {
                    let Some(note) = marks.note(*book_row, column) else {
                        continue;
                    };
                    if inside_run(rows, i, column, profile) {
                        continue;
                    }
                    let note = super::xlsx::Note::new(note).set_author("kpiroll");
                    sheet.insert_note(first_row + i as u32, c as u16, &note)?;
                }
            }
        }
        Ok(())
    }
}
