//! 組織改正: `--renames renames.toml` maps old 課 names to new ones.
//!
//! ```toml
//! [[rename]]
//! from = "産学振興課"
//! to = "産業イノベーション課"
//! year = "R7"        # the fiscal year the new name took effect
//! ```
//! A rename still shows as 課名変更 in the book; it tells 提出状況 (and rollover) which
//! department now owes last year's rows.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::model::FiscalYear;

/// One rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
    pub year: FiscalYear,
}

/// Every rename, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames(pub Vec<Rename>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rename: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    from: String,
    to: String,
    year: String,
}

impl Renames {
    /// Reads a renames file.
    ///
    /// # Errors
    /// The file cannot be read, is not valid TOML, or a year cannot be read.
    pub fn load(path: &Path) -> Result<Renames, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadTemplate {
            path: path.to_path_buf(),
            source,
        })?;
        let file: File = toml::from_str(&text).map_err(|e| Error::ParseTemplate {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut renames = Vec::new();
        for e in file.rename {
            let year = FiscalYear::parse(&e.year).ok_or(Error::BadYear {
                text: e.year.clone(),
            })?;
            renames.push(Rename {
                from: e.from,
                to: e.to,
                year,
            });
        }
        Ok(Renames(renames))
    }

    /// Loads when a path is given, else no renames.
    ///
    /// # Errors
    /// As [`Renames::load`].
    pub fn load_opt(path: Option<&PathBuf>) -> Result<Renames, Error> {
        path.map_or_else(|| Ok(Renames::default()), |p| Renames::load(p))
    }

    /// The name a 課 has in `year`, following renames in effect by then (chains too).
    pub fn current(&self, name: &str, year: FiscalYear) -> String {
        let mut name = name.to_string();
        for _ in 0..self.0.len() {
            match self.0.iter().find(|r| r.from == name && r.year <= year) {
                Some(r) => name = r.to.clone(),
                None => break,
            }
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_follow_chains_and_years() {
        let r = Renames(vec![
            Rename {
                from: "A課".into(),
                to: "B課".into(),
                year: FiscalYear(2025),
            },
            Rename {
                from: "B課".into(),
                to: "C課".into(),
                year: FiscalYear(2026),
            },
        ]);
        assert_eq!(r.current("A課", FiscalYear(2024)), "A課");
        assert_eq!(r.current("A課", FiscalYear(2025)), "B課");
        assert_eq!(r.current("A課", FiscalYear(2026)), "C課");
        assert_eq!(r.current("D課", FiscalYear(2026)), "D課");
    }
}
