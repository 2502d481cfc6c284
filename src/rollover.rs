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
            let base = file_name(file_template, year, &department);
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

/// The longest form file name, in bytes: file systems take 255 (Linux, macOS; Windows
/// 255 UTF-16 units, never more than the bytes), with room for the `_N` that keeps
/// names unique.
pub const MAX_NAME_BYTES: usize = 240;

/// The form's file name for `department` from the profile's template. A name longer
/// than [`MAX_NAME_BYTES`] has its 課 part cut at a character and followed by `~` and
/// eight hex digits of a hash of the whole 課 name, so two long names that begin alike
/// still get two files.
pub fn file_name(template: &str, year: FiscalYear, department: &str) -> String {
    let with = |part: &str| {
        template
            .replace("{year}", &year.to_string())
            .replace("{department}", part)
    };
    let safe = safe_name(department);
    let name = with(&safe);
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(department.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let uses = template.matches("{department}").count().max(1);
    let fixed = with("").len();
    let room = (MAX_NAME_BYTES.saturating_sub(fixed) / uses).saturating_sub(1 + hash.len());
    let mut end = room.min(safe.len());
    while !safe.is_char_boundary(end) {
        end -= 1;
    }
    let cut = safe[..end].trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    with(&format!("{cut}~{hash}"))
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
    fn long_names_are_cut_in_bytes_and_stay_apart() {
        let year = FiscalYear::parse("R7").unwrap();
        let a = format!("{}企画課", "あ".repeat(300));
        let b = format!("{}財政課", "あ".repeat(300));
        let (na, nb) = (
            file_name("{year}_{department}.xlsx", year, &a),
            file_name("{year}_{department}.xlsx", year, &b),
        );
        assert!(
            na.len() <= MAX_NAME_BYTES && nb.len() <= MAX_NAME_BYTES,
            "{na}"
        );
        assert_ne!(na, nb);
        assert!(na.starts_with("R7_ああ") && na.ends_with(".xlsx"), "{na}");
        assert_eq!(
            file_name("{department}.xlsx", year, "企画課"),
            "企画課.xlsx"
        );
    }

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
