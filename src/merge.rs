//! Stage 3, merge: the rows of every input into one table, each key once.
//!
//! Rows are keyed by (first 事務事業番号, KPI position). The same key read twice with the
//! same content (a joint project returned by each of its 課) is one row; with different
//! content it is a conflict: the later row is refused, naming the cell of the first.
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
pub fn merge_sources(sources: &mut [Source], year: FiscalYear, report: &mut Report) -> Merged {
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
    let reads = sources
        .iter_mut()
        .flat_map(|s| s.tables.iter_mut())
        .flat_map(|t| std::mem::take(&mut t.rows));
    for ReadRow { row, at } in reads {
        let key = row.key();
        let (fate, kept_row, book_row) = match taken.get(&key) {
            None => {
                taken.insert(key.clone(), fates.len());
                kept.push(fates.len());
                taken_rows.push(row);
                (Fate::Taken, None, taken_rows.len() - 1)
            }
            Some(&i) if same_content(&taken_rows[fates[i].book_row], &row) => {
                (Fate::Merged, Some(Box::new(row)), 0)
            }
            Some(&i) => {
                report.push(
                    at.clone(),
                    ProblemKind::Conflict {
                        key: key.project_no.clone(),
                        other: fates[i].at.to_string(),
                    },
                );
                (Fate::Refused, Some(Box::new(row)), 0)
            }
        };
        fates.push(Read {
            at,
            key,
            fate,
            row: kept_row,
            book_row,
        });
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
    for (_, i) in by_goal {
        let row = std::mem::take(&mut taken_rows[fates[i].book_row]);
        fates[i].book_row = rows.len();
        rows.push(row);
    }
    Merged {
        book: Book { year, rows },
        fates,
    }
}

/// Two readings of a row are the same when every field but the year agrees.
fn same_content(a: &Row, b: &Row) -> bool {
    if a.year == b.year {
        return a == b;
    }
    Row {
        year: b.year,
        ..a.clone()
    } == *b
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
/// extra columns of the layout a return left out, from last year's row (a 基準値 stays,
/// and last year's 実績値 fills this year's `{year-1}実績値` column).
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
        if have.contains_key(&key) || carried.iter().any(|(k, _)| *k == key) {
            continue;
        }
        if let Some(v) = crate::write::book::extra_value(prev_row, &key, profile) {
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
    for read in current.fates.iter().filter(|r| r.fate == Fate::Taken) {
        source_of[read.book_row] = Some(read.at.clone());
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
    // New rows go after the last row of their 施策 (goal, 施策 number and name), else
    // after the last row of their 基本目標, else at the end; in return order, each after
    // the new rows of its 施策 placed before it. Anchors are found in last year's rows
    // through maps, and the rows are put in place in one pass at the end (an insert per
    // new row moves the whole book each time: quadratic at a national 140,000 rows).
    drop(stage);
    let stage = crate::progress::stage("  new rows placed");
    let mut last_of_measure: FxHashMap<(&crate::model::Goal, &str, &str), usize> =
        FxHashMap::default();
    let mut last_of_goal: FxHashMap<&crate::model::Goal, usize> = FxHashMap::default();
    for (i, r) in rows.iter().enumerate() {
        last_of_measure.insert((&r.goal, r.measure_no.as_str(), r.measure.as_str()), i);
        last_of_goal.insert(&r.goal, i);
    }
    // anchor (position in `rows` the new rows go before) → the new rows there, in order
    let mut placed: BTreeMap<usize, Vec<(Row, BookRow)>> = BTreeMap::new();
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
        row.year = year;
        let same_measure = |r: &Row| {
            r.goal == row.goal && r.measure_no == row.measure_no && r.measure == row.measure
        };
        let by_measure =
            last_of_measure.get(&(&row.goal, row.measure_no.as_str(), row.measure.as_str()));
        let by_goal = last_of_goal.get(&row.goal);
        let anchor = by_measure.or(by_goal).map_or(rows.len(), |i| i + 1);
        let here = placed.entry(anchor).or_default();
        // among the new rows already at this anchor, as an insert into the whole book
        // would have found them: after the last of the same 施策; else (anchored by its
        // 施策) first; else after the last of the same 基本目標; else (no anchor) last
        let at = here
            .iter()
            .rposition(|(r, _)| same_measure(r))
            .map(|i| i + 1)
            .or_else(|| by_measure.map(|_| 0))
            .or_else(|| {
                here.iter()
                    .rposition(|(r, _)| r.goal == row.goal)
                    .map(|i| i + 1)
            })
            .unwrap_or(if by_goal.is_some() { 0 } else { here.len() });
        here.insert(
            at,
            (
                row,
                BookRow {
                    status: Status::New,
                    changes: Vec::new(),
                    source: source_of[c].take(),
                },
            ),
        );
    }
    drop(last_of_measure);
    drop(last_of_goal);
    drop(stage);
    let stage = crate::progress::stage("  book put together");
    if !placed.is_empty() {
        let size = rows.len() + placed.values().map(Vec::len).sum::<usize>();
        let old_rows = std::mem::replace(&mut rows, Vec::with_capacity(size));
        let old_info = std::mem::replace(&mut info, Vec::with_capacity(size));
        let mut at_end = placed.split_off(&old_rows.len());
        for (i, (r, b)) in old_rows.into_iter().zip(old_info).enumerate() {
            if let Some(new) = placed.remove(&i) {
                for (nr, nb) in new {
                    rows.push(nr);
                    info.push(nb);
                }
            }
            rows.push(r);
            info.push(b);
        }
        for (nr, nb) in at_end.values_mut().flat_map(std::mem::take) {
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
