//! Stage 3, merge: the rows of every input into one table, each key once.
//!
//! Rows are keyed by (first 事務事業番号, KPI position). The same key read twice (a joint
//! project returned by each of its 課) is one row when the copies agree, by meaning, on
//! everything both state: what one copy leaves blank or cannot know (the 基本目標 of a
//! return without section rows, a column it does not have) is taken from the other.
//! Copies that disagree are a conflict: the later row is refused, naming the cell of
//! the first and every differing cell of both with both values.
//!
//! Rows keep the order they were read in (inputs sorted by path), grouped by 基本目標 in
//! the order the goals first appear, so the result does not depend on thread timing.

use rustc_hash::FxHashMap;

use crate::model::{Book, FiscalYear, Key, Row};
use crate::problem::Location;
use crate::problem::{ProblemKind, Report};
use crate::read::{ReadRow, Source};

/// What happened to each row read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// in the book
    Taken,
    /// the same as a row already taken
    Merged,
    /// refused (conflict)
    Refused,
}

/// One row read and what became of it.
#[derive(Debug, Clone)]
pub struct Read {
    /// the row's 事務事業番号 cell
    pub at: Location,
    /// the column of its sheet's 備考, when the sheet has one
    pub remarks_col: Option<u16>,
    pub key: Key,
    pub fate: Fate,
    /// the row as read when it is not in the book (merged or refused); a taken row has
    /// moved into the book, at `book_row` (rows are not copied: a national set is
    /// 140,000 rows)
    row: Option<Box<Row>>,
    pub(crate) book_row: usize,
}

/// The merged table and the fate of every row read, in read order.
#[derive(Debug, Clone)]
pub struct Merged {
    pub book: Book,
    pub fates: Vec<Read>,
    /// per row of `book`: the fields some table it was read from has a column for (a
    /// bit per [`Field`](crate::profile::Field), see [`stated_bit`]); a field no copy
    /// has a column for is not known, and comes from last year's book
    pub stated: Vec<u32>,
}

/// The bit of a field in [`Merged::stated`].
pub fn stated_bit(field: crate::profile::Field) -> u32 {
    1 << (field as u32)
}

impl Merged {
    /// The row as read: a taken row from the book, `None` once the book's rows have
    /// moved on (into a consolidation).
    pub fn row_of<'a>(&'a self, read: &'a Read) -> Option<&'a Row> {
        match read.fate {
            Fate::Taken => self.book.rows.get(read.book_row),
            Fate::Merged | Fate::Refused => read.row.as_deref(),
        }
    }
}

/// Combines the rows of all sources into one book of `year`.
pub fn merge_sources(
    sources: &mut [Source],
    year: FiscalYear,
    profile: &crate::profile::Profile,
    report: &mut Report,
) -> Merged {
    // key → the read (index into `fates`) that was taken for it. The rows move out of
    // the sources: a taken row into `taken_rows` (its place there kept in `book_row`
    // until the book is put together), a merged or refused one into its read
    let mut taken: FxHashMap<Key, usize> = FxHashMap::default();
    let mut kept: Vec<usize> = Vec::new();
    let total: usize = sources
        .iter()
        .flat_map(|s| &s.tables)
        .map(|t| t.rows.len())
        .sum();
    let mut fates: Vec<Read> = Vec::with_capacity(total);
    let mut taken_rows: Vec<Row> = Vec::with_capacity(total);
    // the table each taken row came from (source, table): its header names the cells
    // of a conflict
    let mut taken_from: Vec<(usize, usize)> = Vec::with_capacity(total);
    let mut stated: Vec<u32> = Vec::with_capacity(total);
    for s in 0..sources.len() {
        for t in 0..sources[s].tables.len() {
            let reads = std::mem::take(&mut sources[s].tables[t].rows);
            let columns: u32 = sources[s].tables[t]
                .header
                .columns
                .keys()
                .map(|f| stated_bit(*f))
                .fold(0, |a, b| a | b);
            for ReadRow {
                row,
                at,
                remarks_col,
            } in reads
            {
                let key = row.key();
                let (fate, kept_row, book_row) = match taken.get(&key) {
                    None => {
                        taken.insert(key.clone(), fates.len());
                        kept.push(fates.len());
                        taken_rows.push(row);
                        taken_from.push((s, t));
                        stated.push(columns);
                        (Fate::Taken, None, taken_rows.len() - 1)
                    }
                    Some(&i) => {
                        let first = fates[i].book_row;
                        let kept_copy = &taken_rows[first];
                        let differs = crate::compare::copy_differences(kept_copy, &row, profile);
                        if differs.is_empty() {
                            // the same project: what one copy leaves blank or cannot know
                            // (its goal, without section rows) is the other's
                            crate::compare::fill_from_copy(&mut taken_rows[first], &row);
                            stated[first] |= columns;
                            (Fate::Merged, Some(Box::new(row)), 0)
                        } else {
                            let (fs, ft) = taken_from[first];
                            let cells = Cells {
                                table: &sources[s].tables[t],
                                at: &at,
                            };
                            let other = Cells {
                                table: &sources[fs].tables[ft],
                                at: &fates[i].at,
                            };
                            report_conflict(&key, &cells, &other, differs, profile, report);
                            (Fate::Refused, Some(Box::new(row)), 0)
                        }
                    }
                };
                fates.push(Read {
                    at,
                    remarks_col,
                    key,
                    fate,
                    row: kept_row,
                    book_row,
                });
            }
        }
    }
    let (rows, stated_rows) = in_goal_order(kept, &mut fates, &mut taken_rows, &stated);
    Merged {
        book: Book { year, rows },
        fates,
        stated: stated_rows,
    }
}

/// A copy of a key that differs from the one taken: refused at its key cell, each
/// differing cell named with both values.
fn report_conflict(
    key: &Key,
    cells: &Cells<'_>,
    other: &Cells<'_>,
    differs: Vec<crate::compare::Differs>,
    profile: &crate::profile::Profile,
    report: &mut Report,
) {
    report.push(
        cells.at.clone(),
        ProblemKind::Conflict {
            key: key.project_no.clone(),
            other: other.at.to_string(),
        },
    );
    for d in differs {
        let (here, there) = (cells.of(&d), other.of(&d).to_string());
        report.push(
            here,
            ProblemKind::ConflictCell {
                header: cells.header(&d, profile),
                value: d.other,
                other: there,
                other_value: d.kept,
            },
        );
    }
}

/// The taken rows grouped by goal, in the order the goals first appear (stable within
/// a goal), moved out of `taken_rows`; each read's `book_row` set to its place.
fn in_goal_order(
    kept: Vec<usize>,
    fates: &mut [Read],
    taken_rows: &mut [Row],
    stated: &[u32],
) -> (Vec<Row>, Vec<u32>) {
    let mut goal_order: FxHashMap<&crate::model::Goal, usize> = FxHashMap::default();
    for &i in &kept {
        let next = goal_order.len();
        goal_order
            .entry(&taken_rows[fates[i].book_row].goal)
            .or_insert(next);
    }
    let order: Vec<usize> = kept
        .iter()
        .map(|&i| goal_order[&taken_rows[fates[i].book_row].goal])
        .collect();
    drop(goal_order);
    let mut by_goal: Vec<(usize, usize)> = order.into_iter().zip(kept).collect();
    by_goal.sort_by_key(|(goal, _)| *goal);
    let mut rows = Vec::with_capacity(by_goal.len());
    let mut stated_rows = Vec::with_capacity(by_goal.len());
    for (_, i) in by_goal {
        let row = std::mem::take(&mut taken_rows[fates[i].book_row]);
        stated_rows.push(stated[fates[i].book_row]);
        fates[i].book_row = rows.len();
        rows.push(row);
    }
    (rows, stated_rows)
}

/// The cells of one row read from a table, for messages about its fields.
struct Cells<'a> {
    table: &'a crate::read::SheetTable,
    /// the row's 事務事業番号 cell
    at: &'a Location,
}

impl Cells<'_> {
    /// The cell of a field of the row (its key cell for the 基本目標, which a section
    /// row above gives, or for a column the table does not have).
    fn of(&self, d: &crate::compare::Differs) -> Location {
        let header = &self.table.header;
        let col = match (d.field, &d.extra) {
            (Some(crate::profile::Field::Extra), Some(name)) => header
                .extras
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| *c),
            (Some(f), _) => header.columns.get(&f).copied(),
            (None, _) => None,
        };
        match (col, self.at.cell) {
            (Some(c), Some((r, _))) => Location {
                cell: Some((r, c)),
                ..self.at.clone()
            },
            _ => self.at.clone(),
        }
    }

    /// The field's header as the user sees it in this table.
    fn header(&self, d: &crate::compare::Differs, profile: &crate::profile::Profile) -> String {
        match (d.field, &d.extra) {
            (Some(crate::profile::Field::Extra), Some(name)) => name.clone(),
            // a blank header cell (the 施策 number and name): the field's first spelling
            (Some(f), _) => [
                self.table.header.texts.get(&f).cloned(),
                Some(crate::read::table::default_header(profile, f)),
                profile
                    .aliases
                    .fields
                    .get(&f)
                    .and_then(|a| a.first().cloned()),
            ]
            .into_iter()
            .flatten()
            .find(|t| !t.trim().is_empty())
            .unwrap_or_else(|| f.name().to_string()),
            (None, _) => {
                let section = &profile.layout.book.section;
                section
                    .replace("{no}", "")
                    .replace("{title}", "")
                    .trim()
                    .to_string()
            }
        }
    }
}
