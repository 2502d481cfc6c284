//! Stage 3, merge: the rows of every input into one table, each key once.
//!
//! Rows are keyed by (first 事務事業番号, KPI position). The same key read twice (a joint
//! project returned by each of its 課) is one row when the copies agree, by meaning, on
//! everything both state: what one copy leaves blank or cannot know (the 基本目標 of a
//! return without section rows, a column it does not have) is taken from the other.
//! Copies that disagree are a conflict: the later row is refused, naming the cell of
//! the first and every differing cell of both with both values.
//!
//! With last year's book ([`merge_with_prev`]), a field no copy had a column for is
//! last year's, and a new row goes under the 施策 it names, found by meaning.
//! Rows keep the order they were read in (inputs sorted by path), grouped by 基本目標 in
//! the order the goals first appear, so the result does not depend on thread timing.

use std::collections::BTreeMap;

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
    book_row: usize,
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
                            report.push(
                                at.clone(),
                                ProblemKind::Conflict {
                                    key: key.project_no.clone(),
                                    other: fates[i].at.to_string(),
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
    // group by goal, in the order the goals first appear; stable within a goal
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
    Merged {
        book: Book { year, rows },
        fates,
        stated: stated_rows,
    }
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

/// What the comparison of a row of last year's book found, worked out on every core:
/// the changes and the flags they give (a matched row), the extra values it carries on
/// ([`carried_extras`]).
#[derive(Default)]
struct Compared {
    changes: Vec<crate::compare::Change>,
    flags: Vec<String>,
    carried: Vec<(String, crate::model::Value)>,
}

/// The extra values of year `year` that last year's row gives and `have` lacks: the
/// carried extra columns of the layout (`carried = true`: a 基準値 stays) a return left
/// out, from last year's row, and the earlier years' columns (last year's 実績値 fills
/// this year's `{year-1}実績値`). A column of this year's (評価) is not carried: blank in
/// the return is blank in the book.
fn carried_extras(
    prev_row: &Row,
    year: FiscalYear,
    have: &BTreeMap<String, crate::model::Value>,
    profile: &crate::profile::Profile,
) -> Vec<(String, crate::model::Value)> {
    let mut carried = Vec::new();
    for column in &profile.layout.columns {
        let Some(key) = column.extra_key(year) else {
            continue;
        };
        if !column.carried && !column.is_history() {
            continue;
        }
        if have.contains_key(&key) || carried.iter().any(|(k, _)| *k == key) {
            continue;
        }
        if let Some(v) = crate::row_text::extra_value(prev_row, &key, profile) {
            if v.kind != crate::model::ValueKind::Blank {
                carried.push((key, v.clone()));
            }
        }
    }
    carried
}

/// How a row of this year's book relates to last year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// in both years
    Matched,
    /// not in last year's book: 新規
    New,
    /// in last year's book, not returned: carried, 未提出
    NotReturned,
}

/// One row of this year's book and what the comparison found.
#[derive(Debug, Clone)]
pub struct BookRow {
    pub status: Status,
    /// the fields that changed, with last year's and this year's text
    pub changes: Vec<crate::compare::Change>,
    /// where the row was read (None when carried from last year)
    pub source: Option<crate::problem::Location>,
}

/// This year's book consolidated against last year's.
#[derive(Debug, Clone)]
pub struct Consolidated {
    pub book: Book,
    /// parallel to `book.rows`
    pub rows: Vec<BookRow>,
    /// per 担当課 (this year's names): what was expected and what came
    pub submissions: Vec<Submission>,
    /// last year's rows as the merge left them (their parts moved into `book`):
    /// kept rather than freed string by string during the merge, so that the caller
    /// decides when (the CLI leaves it to the system at exit; 140,000 rows' worth is a
    /// tenth of a second)
    pub spent: Vec<Row>,
}

impl Consolidated {
    /// The summary's counts as message arguments: `prev` (rows of last year's book),
    /// `new`, `missing` (not returned) and `changed` (rows with a change).
    pub fn count_args(&self) -> [(&'static str, String); 4] {
        let count = |s: Status| self.rows.iter().filter(|r| r.status == s).count();
        let new = count(Status::New);
        [
            ("prev", self.rows.len() - new),
            ("new", new),
            ("missing", count(Status::NotReturned)),
            ("changed", self.changed_rows()),
        ]
        .map(|(k, v)| (k, v.to_string()))
    }

    /// Rows with at least one change from last year.
    pub fn changed_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.changes.is_empty()).count()
    }
}

/// One line of 提出状況.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub department: String,
    /// rows of last year's book this 課 owes (joint projects count for each 課)
    pub expected: usize,
    /// rows of this year's book returned for this 課
    pub received: usize,
    /// keys owed and not returned
    pub missing: Vec<String>,
    /// files that held this 課's rows
    pub files: Vec<String>,
}

/// The 備考 cell of a row read at `at` (its key cell), when its sheet has a 備考 column;
/// else the key cell.
fn remarks_at(at: Option<&Location>, col: Option<u16>) -> Option<Location> {
    let at = at?;
    Some(match (at.cell, col) {
        (Some((row, _)), Some(col)) => Location {
            cell: Some((row, col)),
            ..at.clone()
        },
        _ => at.clone(),
    })
}

/// Keeps a row's change flags only if 備考 with them still fits in an Excel cell: a
/// department's 備考 may fill the cell by itself. Its text is kept whole, the flags are
/// left out and the row is reported at the cell where it was read.
fn flags_that_fit(
    row: &mut Row,
    at: Option<Location>,
    profile: &crate::profile::Profile,
    report: &mut Report,
) {
    if row.flags.is_empty()
        || !crate::model::too_long_for_a_cell(&crate::value::join_remarks(&row.flags, &row.remarks))
    {
        return;
    }
    let flags = std::mem::take(&mut row.flags).join(" ");
    if let Some(at) = at {
        report.push(
            at,
            ProblemKind::FlagsDoNotFit {
                header: crate::read::table::default_header(profile, crate::profile::Field::Remarks),
                flags,
            },
        );
    }
}

/// Joins this year's merged returns with last year's book on (first 事務事業番号, KPI
/// position) with a polars full join, then builds the book in last year's order with
/// the change flags in 備考. New rows go under their 施策 (after the last row of the
/// same 基本目標 and 施策), or at the end of their 基本目標, or at the end.
///
/// Both books' rows move into the result (nothing is copied row by row: a national
/// set is 140,000 rows a book); `current` keeps its fates, its book is left empty.
///
/// # Errors
/// polars failures building or joining the key frames.
pub fn merge_with_prev(
    prev: Book,
    current: &mut Merged,
    renames: &crate::renames::Renames,
    profile: &crate::profile::Profile,
    prev_path: &std::path::Path,
    report: &mut Report,
) -> polars::prelude::PolarsResult<Consolidated> {
    let words = &profile.patterns.flag_words;
    let year = current.book.year;
    // where each current row was read
    let mut source_of: Vec<Option<Location>> = vec![None; current.book.rows.len()];
    // and the column of its 備考 there
    let mut remarks_of: Vec<Option<u16>> = vec![None; current.book.rows.len()];
    for read in current.fates.iter().filter(|r| r.fate == Fate::Taken) {
        source_of[read.book_row] = Some(read.at.clone());
        remarks_of[read.book_row] = read.remarks_col;
    }

    let stage = crate::progress::stage("  keys joined");
    let prev_keys: Vec<Key> = prev.rows.iter().map(Row::key).collect();
    let cur_keys: Vec<Key> = current.book.rows.iter().map(Row::key).collect();
    let pairs = join_keys(&prev_keys, &cur_keys)?;
    drop((prev_keys, cur_keys));
    let mut match_of_prev: Vec<Option<usize>> = vec![None; prev.rows.len()];
    let mut new_rows: Vec<usize> = Vec::new();
    for (p, c) in pairs {
        match (p, c) {
            (Some(p), c) => match_of_prev[p] = c,
            (None, Some(c)) => new_rows.push(c),
            (None, None) => {}
        }
    }
    new_rows.sort_unstable(); // return order, not join order

    // what no return of a row has a column for (a hand-made sheet without 事業概要) is
    // not known this year: last year's, so it is no change
    use crate::profile::Field as F;
    let known = [
        F::Departments,
        F::Project,
        F::Summary,
        F::Kpi,
        F::Unit,
        F::Target,
    ]
    .map(stated_bit)
    .iter()
    .fold(0, |a, b| a | b);
    for (p, m) in match_of_prev.iter().enumerate() {
        let Some(c) = *m else { continue };
        let stated = current.stated[c];
        if stated & known == known {
            continue;
        }
        let lacks = |f: F| stated & stated_bit(f) == 0;
        let (prev_row, cur) = (&prev.rows[p], &mut current.book.rows[c]);
        for (field, slot, from) in [
            (F::Project, &mut cur.project, &prev_row.project),
            (F::Summary, &mut cur.summary, &prev_row.summary),
            (F::Kpi, &mut cur.kpi, &prev_row.kpi),
            (F::Unit, &mut cur.unit, &prev_row.unit),
        ] {
            if lacks(field) && slot.is_empty() {
                slot.clone_from(from);
            }
        }
        if lacks(F::Departments) && cur.departments.is_empty() {
            cur.departments.clone_from(&prev_row.departments);
        }
        if lacks(F::Target) && cur.target.kind == crate::model::ValueKind::Blank {
            cur.target = prev_row.target.clone();
        }
    }
    drop(stage);
    let stage = crate::progress::stage("  rows compared");
    // what needs both books whole, before their rows move: the comparisons, row by row
    // on every core, beside the renames and the submissions expected
    let ((renamed, mut submissions), mut compared) = rayon::join(
        || {
            let renamed = if renames.0.is_empty() {
                probable_renames(&prev, &match_of_prev, current)
            } else {
                Vec::new()
            };
            (
                renamed,
                Submissions::expected(&prev, current, renames, year),
            )
        },
        || -> Vec<Compared> {
            use rayon::prelude::*;
            let cur = &current.book.rows;
            let none = BTreeMap::new();
            prev.rows
                .par_iter()
                .zip(&match_of_prev)
                .map(|(p, m)| match m {
                    Some(c) => {
                        let cur = &cur[*c];
                        let changes = crate::compare::changes(p, cur, profile);
                        Compared {
                            flags: crate::compare::flags_for(&changes, &cur.flags, words),
                            carried: carried_extras(p, year, &cur.extra, profile),
                            changes,
                        }
                    }
                    None => Compared {
                        changes: Vec::new(),
                        flags: Vec::new(),
                        carried: carried_extras(p, year, &none, profile),
                    },
                })
                .collect()
        },
    );
    for (from, to) in renamed {
        report.push(
            Location::file(prev_path),
            ProblemKind::ProbableRename { from, to },
        );
    }
    drop(stage);
    let stage = crate::progress::stage("  rows moved");
    // rows are taken out of both books in place (a default row left behind), so no
    // book is copied whole; what is left of last year's is kept for the caller
    let mut cur_rows: Vec<Row> = std::mem::take(&mut current.book.rows);
    let mut prev_rows = prev.rows;
    let mut rows: Vec<Row> = Vec::with_capacity(prev_rows.len() + new_rows.len());
    let mut info: Vec<BookRow> = Vec::with_capacity(rows.capacity());
    for p in 0..prev_rows.len() {
        match match_of_prev[p] {
            Some(c) => {
                let prev_row = &mut prev_rows[p];
                let mut row = std::mem::take(&mut cur_rows[c]);
                let Compared {
                    changes,
                    flags,
                    carried,
                } = std::mem::take(&mut compared[p]);
                row.flags = flags;
                flags_that_fit(
                    &mut row,
                    remarks_at(source_of[c].as_ref(), remarks_of[c]),
                    profile,
                    report,
                );
                row.year = year;
                row.extra.extend(carried);
                // the strategy's structure is last year's book's
                row.goal = std::mem::take(&mut prev_row.goal);
                row.goal_targets = std::mem::take(&mut prev_row.goal_targets);
                row.measure_no = std::mem::take(&mut prev_row.measure_no);
                row.measure = std::mem::take(&mut prev_row.measure);
                row.measure_kpi = std::mem::take(&mut prev_row.measure_kpi);
                info.push(BookRow {
                    status: Status::Matched,
                    changes,
                    source: source_of[c].take(),
                });
                rows.push(row);
            }
            None => {
                let carried = std::mem::take(&mut compared[p].carried);
                let mut row = std::mem::take(&mut prev_rows[p]);
                row.actual = crate::model::Value::blank();
                row.flags = vec![words.not_returned.clone()];
                row.remarks = String::new();
                row.year = year;
                row.extra = carried.into_iter().collect();
                info.push(BookRow {
                    status: Status::NotReturned,
                    changes: Vec::new(),
                    source: None,
                });
                rows.push(row);
            }
        }
    }
    // New rows go under the 施策 they name, found by meaning (see [`Placer`]), next to
    // the nearest key; else at the end of the 基本目標 they can be tied to; else at the
    // end, under a marked 基本目標. Anchors are found in last year's rows through maps,
    // and the rows are put in place in one pass at the end (an insert per new row moves
    // the whole book each time: quadratic at a national 140,000 rows).
    drop(stage);
    let stage = crate::progress::stage("  new rows placed");
    let placer = Placer::new(&rows);
    // anchor (position in `rows` the new rows go before) → the new rows there, in order,
    // each with how it was placed (0 under its 施策, 1 at the end of its goal, 2 last)
    let mut placed: BTreeMap<usize, Vec<(Row, BookRow, u8)>> = BTreeMap::new();
    let mut unplaced_goal: Option<crate::model::Goal> = None;
    for c in new_rows {
        let mut row = std::mem::take(&mut cur_rows[c]);
        let mut flags = vec![words.new.clone()];
        flags.extend(
            words
                .set_by_department()
                .into_iter()
                .filter(|f| row.flags.contains(f)),
        );
        row.flags = flags;
        flags_that_fit(
            &mut row,
            remarks_at(source_of[c].as_ref(), remarks_of[c]),
            profile,
            report,
        );
        row.year = year;
        let at = source_of[c]
            .clone()
            .unwrap_or_else(|| Location::file(prev_path));
        let (anchor, rank) = match placer.place(&row) {
            Place::Measure { anchor, like } => {
                // the strategy's structure is last year's book's
                let like = &rows[like];
                row.goal = like.goal.clone();
                row.goal_targets = like.goal_targets.clone();
                row.measure_no = like.measure_no.clone();
                row.measure = like.measure.clone();
                row.measure_kpi = like.measure_kpi.clone();
                (anchor, 0)
            }
            Place::Goal { anchor, like } => {
                let goal = rows[like].goal.clone();
                report.push(
                    at,
                    ProblemKind::NewRowMeasureNotFound {
                        key: row.key().project_no,
                        measure: measure_text(&row),
                        goal: profile.section_text(&goal),
                    },
                );
                row.goal = goal;
                (anchor, 1)
            }
            Place::Nowhere => {
                if row.goal == crate::model::Goal::default() {
                    row.goal = unplaced_goal
                        .get_or_insert_with(|| crate::model::Goal {
                            no: String::new(),
                            title: profile.message("unplaced_goal", &[]),
                        })
                        .clone();
                }
                report.push(
                    at,
                    ProblemKind::NewRowGoalNotFound {
                        key: row.key().project_no,
                        measure: measure_text(&row),
                        goal: profile.section_text(&row.goal),
                    },
                );
                (rows.len(), 2)
            }
        };
        let here = placed.entry(anchor).or_default();
        // among the new rows already at this anchor: those under their 施策 first, then
        // those at the end of their goal, then the rest; each after the last of its own
        // 施策 there, else after the last of its kind
        let same = |r: &Row| {
            r.goal == row.goal
                && crate::compare::measure_no_key(&r.measure_no)
                    == crate::compare::measure_no_key(&row.measure_no)
                && crate::compare::measure_name_key(&r.measure)
                    == crate::compare::measure_name_key(&row.measure)
        };
        let at = here
            .iter()
            .rposition(|(r, _, k)| *k == rank && same(r))
            .or_else(|| here.iter().rposition(|(_, _, k)| *k <= rank))
            .map_or(0, |i| i + 1);
        here.insert(
            at,
            (
                row,
                BookRow {
                    status: Status::New,
                    changes: Vec::new(),
                    source: source_of[c].take(),
                },
                rank,
            ),
        );
    }
    drop(placer);
    drop(stage);
    let stage = crate::progress::stage("  book put together");
    if !placed.is_empty() {
        let size = rows.len() + placed.values().map(Vec::len).sum::<usize>();
        let old_rows = std::mem::replace(&mut rows, Vec::with_capacity(size));
        let old_info = std::mem::replace(&mut info, Vec::with_capacity(size));
        let mut at_end = placed.split_off(&old_rows.len());
        for (i, (r, b)) in old_rows.into_iter().zip(old_info).enumerate() {
            if let Some(new) = placed.remove(&i) {
                for (nr, nb, _) in new {
                    rows.push(nr);
                    info.push(nb);
                }
            }
            rows.push(r);
            info.push(b);
        }
        for (nr, nb, _) in at_end.values_mut().flat_map(std::mem::take) {
            rows.push(nr);
            info.push(nb);
        }
    }

    drop(stage);
    let _stage = crate::progress::stage("  submissions received");
    submissions.received(&rows, &info, renames, year);
    Ok(Consolidated {
        book: Book { year, rows },
        rows: info,
        submissions: submissions.done(),
        spent: prev_rows,
    })
}

/// Where a new row goes in this year's book.
enum Place {
    /// before `anchor` (a position in the book's rows), under the 施策 of row `like`
    Measure { anchor: usize, like: usize },
    /// before `anchor`, at the end of the 基本目標 of row `like`: the 施策 is not found
    Goal { anchor: usize, like: usize },
    /// neither 施策 nor 基本目標 found: at the end
    Nowhere,
}

/// One 施策 of last year's book: its goal, its 数値目標, number and name as compared, its
/// rows.
struct Measure<'a> {
    goal: &'a crate::model::Goal,
    targets: String,
    no: String,
    name: String,
    rows: Vec<usize>,
    /// the rows' keys for ordering, worked out the first time a new row lands here (a
    /// national book has 施策 of thousands of rows, and a new row is placed by them)
    orders: std::cell::OnceCell<Vec<Vec<(u64, String)>>>,
}

/// Finds where new rows go among last year's rows (in this year's book, before the new
/// rows are put in): the 施策 a row names, by meaning (NFKC, spaces and line breaks
/// ignored, its circled or bracketed number and its name, within the 基本目標 the row
/// names or whose 数値目標 it gives), so a return without section rows places its new
/// project as well as one with them. A name written shortened (`①妊娠・出産子育ての一貫した
/// 支援` for `①妊娠・出産子育ての一貫した支援と環境の充実`) names the 施策 when its number is
/// the 施策's and the name begins exactly one 施策 of that goal; an ambiguous one names
/// none (the row is then placed at the end of its goal, with a located warning).
struct Placer<'a> {
    rows: &'a [Row],
    measures: Vec<Measure<'a>>,
    /// 施策 name as compared → the 施策 of that name, in book order
    by_name: FxHashMap<String, Vec<usize>>,
    /// 施策 number as compared → the 施策 of that number, in book order
    by_no: FxHashMap<String, Vec<usize>>,
    /// each goal with its last row
    goals: Vec<(&'a crate::model::Goal, usize)>,
}

/// A 数値目標 as compared: every line, NFKC, without spaces.
fn targets_key(targets: &[String]) -> String {
    targets
        .iter()
        .map(|t| crate::value::nfkc_compact(t))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a goal as a row names it is `goal` of the book, by meaning (its number, or
/// else its title).
fn same_goal(named: &crate::model::Goal, goal: &crate::model::Goal) -> bool {
    use crate::compare::same_text;
    let no = !named.no.trim().is_empty() && !goal.no.trim().is_empty();
    let title = !named.title.trim().is_empty() && !goal.title.trim().is_empty();
    (no || title)
        && (!no || same_text(&named.no, &goal.no))
        && (!title
            || crate::value::nfkc_compact(&named.title) == crate::value::nfkc_compact(&goal.title))
}

/// A key's numbers for ordering (`432-10` after `432-9`).
fn key_order(key: &str) -> Vec<(u64, String)> {
    key.split('-')
        .map(|p| (p.trim().parse::<u64>().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

impl<'a> Placer<'a> {
    fn new(rows: &'a [Row]) -> Placer<'a> {
        use crate::compare::{measure_name_key, measure_no_key};
        let mut measures: Vec<Measure<'a>> = Vec::new();
        let mut slot: FxHashMap<(&crate::model::Goal, &str, &str), usize> = FxHashMap::default();
        let mut by_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut by_no: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut goals: Vec<(&crate::model::Goal, usize)> = Vec::new();
        let mut goal_slot: FxHashMap<&crate::model::Goal, usize> = FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            let g = *goal_slot.entry(&r.goal).or_insert_with(|| {
                goals.push((&r.goal, i));
                goals.len() - 1
            });
            goals[g].1 = i;
            let m = *slot
                .entry((&r.goal, r.measure_no.as_str(), r.measure.as_str()))
                .or_insert_with(|| {
                    let no = measure_no_key(&r.measure_no);
                    let name = measure_name_key(&r.measure);
                    by_no.entry(no.clone()).or_default().push(measures.len());
                    by_name
                        .entry(name.clone())
                        .or_default()
                        .push(measures.len());
                    measures.push(Measure {
                        goal: &r.goal,
                        targets: targets_key(&r.goal_targets),
                        no,
                        name,
                        rows: Vec::new(),
                        orders: std::cell::OnceCell::new(),
                    });
                    measures.len() - 1
                });
            measures[m].rows.push(i);
        }
        Placer {
            rows,
            measures,
            by_name,
            by_no,
            goals,
        }
    }

    /// The 施策 a shortened name names: number `no` given and the same as the 施策's, the
    /// name (at least two characters) the beginning of the 施策's name, and no other 施策
    /// of the goal (`in_goal`) whose name begins so. `None` when not exactly one.
    fn shortened(
        &self,
        no: &str,
        name: &str,
        in_goal: &dyn Fn(&Measure) -> bool,
    ) -> Option<&Measure<'a>> {
        if no.is_empty() || name.chars().count() < 2 {
            return None;
        }
        let mut begun = self
            .measures
            .iter()
            .filter(|m| in_goal(m) && m.name.len() > name.len() && m.name.starts_with(name));
        let first = begun.next()?;
        // the same 施策 may appear as more than one entry (spelled apart in the book)
        let same = |m: &Measure| m.goal == first.goal && m.no == first.no && m.name == first.name;
        (first.no == no && begun.all(same)).then_some(first)
    }

    /// Where `row` goes.
    fn place(&self, row: &Row) -> Place {
        use crate::compare::{measure_name_key, measure_no_key};
        let goal_named = row.goal != crate::model::Goal::default();
        let targets = targets_key(&row.goal_targets);
        let (no, name) = (
            measure_no_key(&row.measure_no),
            measure_name_key(&row.measure),
        );
        // the goal a 施策 may be in: the one the row names, else (no section rows) the
        // ones whose 数値目標 the row gives; without either, any
        let in_goal = |m: &Measure| {
            if goal_named {
                same_goal(&row.goal, m.goal)
            } else {
                targets.is_empty() || m.targets == targets
            }
        };
        let candidates: &[usize] = if !name.is_empty() {
            self.by_name.get(&name).map_or(&[], Vec::as_slice)
        } else if !no.is_empty() {
            self.by_no.get(&no).map_or(&[], Vec::as_slice)
        } else {
            &[]
        };
        let found = candidates
            .iter()
            .map(|&m| &self.measures[m])
            .find(|m| in_goal(m) && (no.is_empty() || m.no.is_empty() || m.no == no))
            .or_else(|| self.shortened(&no, &name, &in_goal));
        if let Some(m) = found {
            // next to the nearest key: after the last project of the 施策 whose key is
            // not after the new one's, else before the 施策's first row
            let first_no = |r: &'a Row| r.project_nos.first().map_or("", String::as_str);
            let key = key_order(row.project_nos.first().map_or("", String::as_str));
            let orders = m.orders.get_or_init(|| {
                m.rows
                    .iter()
                    .map(|&i| key_order(first_no(&self.rows[i])))
                    .collect()
            });
            let anchor = m
                .rows
                .iter()
                .zip(orders)
                .rev()
                .find(|(_, order)| **order <= key)
                .map_or(m.rows[0], |(i, _)| i + 1);
            return Place::Measure {
                anchor,
                like: m.rows[0],
            };
        }
        // the goal alone: named, or given by its 数値目標
        let goal = if goal_named {
            self.goals.iter().find(|(g, _)| same_goal(&row.goal, g))
        } else if !targets.is_empty() {
            self.measures
                .iter()
                .find(|m| m.targets == targets)
                .and_then(|m| self.goals.iter().find(|(g, _)| *g == m.goal))
        } else {
            None
        };
        match goal {
            Some(&(_, last)) => Place::Goal {
                anchor: last + 1,
                like: last,
            },
            None => Place::Nowhere,
        }
    }
}

/// A row's 施策 as the user wrote it (number and name), for messages.
fn measure_text(row: &Row) -> String {
    let no = row.measure_no.trim();
    let name = row.measure.trim();
    if no.is_empty() || crate::compare::measure_name_key(name) != crate::value::nfkc_compact(name) {
        name.to_string()
    } else {
        format!("{no} {name}")
    }
}

/// Pairs two lists of keys (事務事業番号, KPI position) with a polars full join: for
/// each pair the position in `left`, in `right`, or both. The consolidation (last year ×
/// this year) and `diff` (old × new book) both match rows this way.
///
/// # Errors
/// polars failures building or joining the key frames.
pub fn join_keys(
    left: &[Key],
    right: &[Key],
) -> polars::prelude::PolarsResult<Vec<(Option<usize>, Option<usize>)>> {
    use polars::prelude::*;
    let frame = |keys: &[Key], idx: &str| {
        df!(
            "key" => keys.iter().map(|k| k.project_no.as_str()).collect::<Vec<_>>(),
            "kpi" => keys.iter().map(|k| k.kpi_index).collect::<Vec<u32>>(),
            idx => (0..keys.len() as u32).collect::<Vec<u32>>(),
        )
    };
    let joined = frame(left, "left")?
        .lazy()
        .join(
            frame(right, "right")?.lazy(),
            [col("key"), col("kpi")],
            [col("key"), col("kpi")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .collect()?;
    let position = |c: Option<u32>| c.map(|i| i as usize);
    Ok(joined
        .column("left")?
        .u32()?
        .iter()
        .zip(joined.column("right")?.u32()?.iter())
        .map(|(l, r)| (position(l), position(r)))
        .collect())
}

/// 提出状況 in the making: per 担当課 (this year's names), expected rows from last
/// year, received rows, missing keys and the files that held the 課's rows.
struct Submissions(BTreeMap<String, Submission>);

impl Submissions {
    /// What last year's book owes and which files held each 課's rows this year.
    fn expected(
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
    fn received(
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

    fn entry(&mut self, d: &str) -> &mut Submission {
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
    fn done(self) -> Vec<Submission> {
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
fn probable_renames(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(no: &str, measure: &str, key: &str) -> Row {
        Row {
            goal: crate::model::Goal {
                no: "Ⅱ".into(),
                title: "未来を創るひとづくり".into(),
            },
            goal_targets: vec!["市内の児童・学生数".into()],
            measure_no: no.into(),
            measure: measure.into(),
            project_nos: vec![key.into()],
            kpi_index: 1,
            ..Row::default()
        }
    }

    fn placed(book: &[Row], no: &str, measure: &str, key: &str) -> Option<usize> {
        let mut new = row(no, measure, key);
        new.goal = crate::model::Goal::default();
        match Placer::new(book).place(&new) {
            Place::Measure { like, .. } => Some(like),
            _ => None,
        }
    }

    #[test]
    fn a_shortened_measure_name_names_the_one_measure_it_begins() {
        let book = [
            row("①", "①子育て支援と環境の充実", "342-5"),
            row("②", "②子育て支援の拠点づくり", "343-1"),
            row("③", "③学びの充実", "511-9"),
        ];
        // begins ① and ② alike: ambiguous, none
        assert_eq!(placed(&book, "①", "①子育て支援", "342-9"), None);
        // begins ① alone, number ①
        assert_eq!(placed(&book, "①", "①子育て支援と環境", "342-9"), Some(0));
        // begins ① alone, but numbered ②: none
        assert_eq!(placed(&book, "②", "②子育て支援と環境", "342-9"), None);
        // no number given: none
        assert_eq!(placed(&book, "", "子育て支援と環境", "342-9"), None);
        // one character is no clear shortening
        assert_eq!(placed(&book, "③", "③学", "511-10"), None);
        // the whole name, as before
        assert_eq!(placed(&book, "③", "③ 学びの 充実", "511-10"), Some(2));
    }
}
