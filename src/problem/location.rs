//! Where a problem is: a file, a sheet of it, or a cell, shown as the user finds it
//! (`産学振興課.xlsx!入力!K12`).

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input: a file, a sheet of it, or a cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    /// `None` for text files (CSV/TSV) and for problems with the whole file
    pub sheet: Option<String>,
    /// 0-based absolute (row, column); shown as A1
    pub cell: Option<(u32, u16)>,
}

impl Location {
    pub fn file(file: &Path) -> Location {
        Location {
            file: file.to_path_buf(),
            sheet: None,
            cell: None,
        }
    }

    pub fn cell(file: &Path, sheet: Option<&str>, row: u32, col: u16) -> Location {
        Location {
            file: file.to_path_buf(),
            sheet: sheet.map(str::to_string),
            cell: Some((row, col)),
        }
    }

    /// `B14`
    pub fn a1(&self) -> Option<String> {
        self.cell
            .map(|(r, c)| rust_xlsxwriter::utility::row_col_to_cell(r, c))
    }
}

impl fmt::Display for Location {
    /// `産学振興課.xlsx!入力!K12`: the file's name, the sheet, the cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .file
            .file_name()
            .map_or_else(|| self.file.to_string_lossy(), |n| n.to_string_lossy());
        write!(f, "{name}")?;
        if let Some(sheet) = &self.sheet {
            write!(f, "!{sheet}")?;
        }
        if let Some(a1) = self.a1() {
            write!(f, "!{a1}")?;
        }
        Ok(())
    }
}
