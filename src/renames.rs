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

use crate::error::{Error, TemplateError};
use crate::model::{FiscalYear, Key};

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
    /// renumbered projects ([`Moves`]); read by `diff`, ignored by [`Renames::load`]
    #[serde(default, rename = "move")]
    moves: Vec<MoveEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    from: String,
    to: String,
    year: String,
}

/// Reads and parses the renames file (both `[[rename]]` and `[[move]]` entries).
fn read_file(path: &Path) -> Result<File, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| TemplateError::ReadTemplate {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| {
        Error::from(TemplateError::ParseTemplate {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    })
}

impl Renames {
    /// Reads a renames file.
    ///
    /// # Errors
    /// The file cannot be read, is not valid TOML, or a year cannot be read.
    pub fn load(path: &Path) -> Result<Renames, Error> {
        let file = read_file(path)?;
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
        self.current_cow(name, year).into_owned()
    }

    /// [`Renames::current`] without a copy when the name stays (most names, every
    /// name without a renames file).
    pub fn current_cow<'a>(&self, name: &'a str, year: FiscalYear) -> std::borrow::Cow<'a, str> {
        if !self.0.iter().any(|r| r.from == name && r.year <= year) {
            return std::borrow::Cow::Borrowed(name);
        }
        let mut name = name.to_string();
        for _ in 0..self.0.len() {
            match self.0.iter().find(|r| r.from == name && r.year <= year) {
                Some(r) => name = r.to.clone(),
                None => break,
            }
        }
        std::borrow::Cow::Owned(name)
    }
}

/// A renumbered project (`[[move]]` of the renames file): its KPI rows are followed from
/// the old 事務事業番号 to the new one by `diff`.
///
/// ```toml
/// [[move]]
/// from = "432-5"     # the old 事務事業番号
/// to = "432-15"      # the new one
/// year = "R8"        # the fiscal year the new number took effect
/// # from_kpi = 2     # only this KPI position (every position when omitted)
/// # to_kpi = 1       # … now at this position (the same when omitted)
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub from_kpi: Option<u32>,
    pub to: String,
    pub to_kpi: Option<u32>,
    pub year: FiscalYear,
}

/// Every move of a renames file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves(pub Vec<Move>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveEntry {
    from: String,
    to: String,
    year: String,
    #[serde(default)]
    from_kpi: Option<u32>,
    #[serde(default)]
    to_kpi: Option<u32>,
}

impl Moves {
    /// Reads the moves of a renames file (its `[[rename]]` entries are checked, not kept).
    ///
    /// # Errors
    /// As [`Renames::load`].
    pub fn load(path: &Path) -> Result<Moves, Error> {
        Renames::load(path)?;
        let file = read_file(path)?;
        let mut moves = Vec::new();
        for e in file.moves {
            let year = FiscalYear::parse(&e.year).ok_or(Error::BadYear {
                text: e.year.clone(),
            })?;
            let key = |k: &str| crate::value::nfkc_compact(k);
            moves.push(Move {
                from: key(&e.from),
                from_kpi: e.from_kpi,
                to: key(&e.to),
                to_kpi: e.to_kpi,
                year,
            });
        }
        Ok(Moves(moves))
    }

    /// Loads when a path is given, else no moves.
    ///
    /// # Errors
    /// As [`Moves::load`].
    pub fn load_opt(path: Option<&PathBuf>) -> Result<Moves, Error> {
        path.map_or_else(|| Ok(Moves::default()), |p| Moves::load(p))
    }

    /// The key a row of year `from` has in year `to`, following the moves that took
    /// effect after `from` and by `to` (chains too).
    pub fn forward(&self, key: &Key, from: FiscalYear, to: FiscalYear) -> Key {
        let mut key = key.clone();
        for _ in 0..self.0.len() {
            let found = self.0.iter().find(|m| {
                from < m.year
                    && m.year <= to
                    && m.from == key.project_no
                    && m.from_kpi.is_none_or(|k| k == key.kpi_index)
            });
            match found {
                Some(m) => {
                    key = Key {
                        project_no: m.to.clone(),
                        kpi_index: m.to_kpi.unwrap_or(key.kpi_index),
                    }
                }
                None => break,
            }
        }
        key
    }

    /// Whether a key of year `to` was moved away from during (`from`, `to`].
    pub fn moved_away(&self, key: &Key, from: FiscalYear, to: FiscalYear) -> bool {
        self.0.iter().any(|m| {
            from < m.year
                && m.year <= to
                && m.from == key.project_no
                && m.from_kpi.is_none_or(|k| k == key.kpi_index)
        })
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

    #[test]
    fn moves_follow_keys_and_positions_by_year() {
        let m = Moves(vec![
            Move {
                from: "432-5".into(),
                from_kpi: None,
                to: "432-15".into(),
                to_kpi: None,
                year: FiscalYear(2025),
            },
            Move {
                from: "432-15".into(),
                from_kpi: Some(2),
                to: "433-1".into(),
                to_kpi: Some(1),
                year: FiscalYear(2026),
            },
        ]);
        let k = |p: &str, i| Key {
            project_no: p.into(),
            kpi_index: i,
        };
        let (r6, r7, r8) = (FiscalYear(2024), FiscalYear(2025), FiscalYear(2026));
        assert_eq!(m.forward(&k("432-5", 2), r6, r7), k("432-15", 2));
        assert_eq!(m.forward(&k("432-5", 2), r6, r8), k("433-1", 1));
        assert_eq!(m.forward(&k("432-5", 1), r6, r8), k("432-15", 1));
        assert_eq!(
            m.forward(&k("432-5", 1), r7, r8),
            k("432-5", 1),
            "moved before R7"
        );
        assert!(m.moved_away(&k("432-5", 1), r6, r7));
        assert!(!m.moved_away(&k("432-5", 1), r7, r8));
    }
}
