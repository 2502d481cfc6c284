//! Rollover: last year's book → one form per 担当課 for the new year.
//!
//! Decides which rows go into which form (a joint project into each of its 課's forms,
//! 課 names after renames) and names each file safely from its 課: no path separators,
//! no `..`, no character or name Windows refuses, never outside the output folder.
//! Writing the workbook is [`crate::write::form`]'s job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{Book, FiscalYear, Row};
use crate::renames::Renames;

/// One form to write.
#[derive(Debug, Clone)]
pub struct FormPlan {
    /// the 課 (this year's name)
    pub department: String,
    /// where the form goes (inside the output folder)
    pub path: PathBuf,
    /// the 課's rows of last year's book, in book order, their 担当課 after renames
    pub rows: Vec<Row>,
}

/// The forms for `year` from last year's `book`, sorted by 課 name.
pub fn plan(
    book: &Book,
    year: FiscalYear,
    renames: &Renames,
    dir: &Path,
    file_template: &str,
) -> Vec<FormPlan> {
    let mut by: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in &book.rows {
        let mut owners: Vec<String> = row
            .departments
            .iter()
            .map(|d| renames.current(d, year))
            .collect();
        owners.dedup();
        // the forms speak of this year's 課: a renamed 課's locked 担当課 cells and the
        // 主担当 of a joint project show the new name
        let mut renamed = row.clone();
        renamed.departments = row
            .departments
            .iter()
            .map(|d| renames.current(d, year))
            .collect();
        renamed.departments.dedup();
        for d in owners {
            let rows = by.entry(d).or_default();
            if !rows.iter().any(|r| r.key() == row.key()) {
                rows.push(renamed.clone());
            }
        }
    }
    let mut used: Vec<String> = Vec::new();
    by.into_iter()
        .map(|(department, rows)| {
            let base = file_template
                .replace("{year}", &year.to_string())
                .replace("{department}", &safe_name(&department));
            let mut name = base.clone();
            let mut n = 2;
            while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
                name = match base.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}_{n}.{ext}"),
                    None => format!("{base}_{n}"),
                };
                n += 1;
            }
            used.push(name.clone());
            FormPlan {
                department,
                path: dir.join(name),
                rows,
            }
        })
        .collect()
}

/// A 課 name made safe as part of a file name on Windows, macOS and Linux.
pub fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", "_");
    }
    let s = s
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    match (s.is_empty(), reserved) {
        (true, _) => "_".to_string(),
        (_, true) => format!("_{s}"),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside_the_folder() {
        for (name, want) in [
            ("../x", "__x"),
            ("a/b", "a_b"),
            ("CON", "_CON"),
            ("com1", "_com1"),
            ("産学振興課", "産学振興課"),
            ("..", "_"),
            ("", "_"),
            ("a\\b:c*?", "a_b_c__"),
        ] {
            let safe = safe_name(name);
            assert_eq!(safe, want, "{name}");
            let path = Path::new("/out").join(format!("R7_{safe}.xlsx"));
            assert_eq!(path.parent(), Some(Path::new("/out")), "{name}");
        }
    }
}
