//! 提出状況 (per 担当課: rows owed, rows returned, keys missing, files) and the 課 that
//! probably changed their name (every returned row under one other name).

use std::collections::BTreeMap;

use super::{BookRow, Status, Submission};
use crate::merge::{Fate, Merged};
use crate::model::{Book, FiscalYear, Row};

/// 提出状況 in the making: per 担当課 (this year's names), expected rows from last
/// year, received rows, missing keys and the files that held the 課's rows.
pub(super) struct Submissions(BTreeMap<String, Submission>);

impl Submissions {
    /// What last year's book owes and which files held each 課's rows this year.
    pub(super) fn expected(
        prev: &Book,
        current: &Merged,
        renames: &crate::renames::Renames,
        year: FiscalYear,
    ) -> Submissions {
        let mut s = Submissions(BTreeMap::new());
        for row in &prev.rows {
            for d in &row.departments {
                s.entry(&renames.current_cow(d, year)).expected += 1;
            }
        }
        // the reads come file by file: each file's name is made once
        let mut file = String::new();
        let mut file_path: Option<&std::path::Path> = None;
        for read in &current.fates {
            if read.fate == Fate::Refused {
                continue;
            }
            let Some(row) = current.row_of(read) else {
                continue;
            };
            if file_path != Some(read.at.file.as_path()) {
                file_path = Some(read.at.file.as_path());
                file = read
                    .at
                    .file
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().to_string());
            }
            for d in &row.departments {
                let s = s.entry(&renames.current_cow(d, year));
                if s.files.last() != Some(&file) && !s.files.contains(&file) {
                    s.files.push(file.clone());
                }
            }
        }
        s
    }

    /// The rows of this year's book: received, or missing (carried as 未提出).
    pub(super) fn received(
        &mut self,
        rows: &[Row],
        info: &[BookRow],
        renames: &crate::renames::Renames,
        year: FiscalYear,
    ) {
        for (row, i) in rows.iter().zip(info) {
            for d in &row.departments {
                let s = self.entry(&renames.current_cow(d, year));
                if i.status == Status::NotReturned {
                    s.missing.push(row.key().project_no);
                } else {
                    s.received += 1;
                }
            }
        }
    }

    pub(super) fn entry(&mut self, d: &str) -> &mut Submission {
        // looked up before a key is made: called for every row of both years
        if self.0.contains_key(d) {
            return self.0.get_mut(d).expect("just found");
        }
        self.0.entry(d.to_string()).or_insert_with(|| Submission {
            department: d.to_string(),
            expected: 0,
            received: 0,
            missing: Vec::new(),
            files: Vec::new(),
        })
    }

    /// Sorted by 課 name, each 課's files by name.
    pub(super) fn done(self) -> Vec<Submission> {
        self.0
            .into_values()
            .map(|mut s| {
                s.files.sort();
                s
            })
            .collect()
    }
}

/// 課 of last year's book whose every returned row came back under one other name.
pub(super) fn probable_renames(
    prev: &Book,
    match_of_prev: &[Option<usize>],
    current: &Merged,
) -> Vec<(String, String)> {
    // 課 name → last year's rows naming it, in one pass (a scan of every row for each
    // name is quadratic: 1,741 returns × 140,000 rows)
    let mut rows_of: BTreeMap<&String, Vec<usize>> = BTreeMap::new();
    for (i, r) in prev.rows.iter().enumerate() {
        for d in &r.departments {
            let rows = rows_of.entry(d).or_default();
            if rows.last() != Some(&i) {
                rows.push(i);
            }
        }
    }
    let mut found = Vec::new();
    for (name, rows) in rows_of {
        let mut candidates: Option<Vec<String>> = None;
        let mut any = false;
        for &i in &rows {
            let p = &prev.rows[i];
            let Some(c) = match_of_prev[i] else { continue };
            let cur = &current.book.rows[c];
            if cur.departments.contains(name) {
                candidates = Some(Vec::new());
                break;
            }
            any = true;
            let added: Vec<String> = cur
                .departments
                .iter()
                .filter(|d| !p.departments.contains(d))
                .cloned()
                .collect();
            candidates = Some(match candidates {
                None => added,
                Some(prevc) => prevc.into_iter().filter(|d| added.contains(d)).collect(),
            });
        }
        if let (true, Some(c)) = (any, candidates) {
            if c.len() == 1 {
                found.push((name.clone(), c[0].clone()));
            }
        }
    }
    found
}
