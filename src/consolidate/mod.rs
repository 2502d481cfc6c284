//! This year × last year: this year's merged returns joined with last year's book on
//! (first 事務事業番号, KPI position), the book built in last year's order with the change
//! flags in 備考, carried values, 未提出 rows and 提出状況. A new row goes under the 施策
//! it names, found by meaning ([`place`]).

mod place;
mod submissions;

use std::collections::BTreeMap;

use crate::join::join_keys;
use crate::merge::{stated_bit, Fate, Merged};
use crate::model::{Book, FiscalYear, Key, Row};
use crate::problem::{Location, ProblemKind, Report};
use place::{measure_text, Place, Placer};
use submissions::{probable_renames, Submissions};

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
/// set is 140,000 rows a book); `current` keeps its fates, its book is left empty, and
/// `prev` keeps what is left of last year's rows (their parts moved into the result):
/// the caller decides when to free them.
///
/// # Errors
/// polars failures building or joining the key frames.
pub fn merge_with_prev(
    prev: &mut Book,
    current: &mut Merged,
    renames: &crate::renames::Renames,
    profile: &crate::profile::Profile,
    prev_path: &std::path::Path,
    report: &mut Report,
) -> polars::prelude::PolarsResult<Consolidated> {
    let year = current.book.year;
    let mut read_at = ReadAt::of(current);
    let joined = Joined::of(prev, current)?;
    fill_unstated(prev, current, &joined.match_of_prev);
    let (renamed, mut submissions, compared) =
        compare_rows(prev, current, &joined.match_of_prev, renames, profile);
    for (from, to) in renamed {
        report.push(
            Location::file(prev_path),
            ProblemKind::ProbableRename { from, to },
        );
    }
    let mut cur_rows: Vec<Row> = std::mem::take(&mut current.book.rows);
    let (rows, info) = carry_rows(
        &mut prev.rows,
        &mut cur_rows,
        &joined,
        compared,
        &mut read_at,
        year,
        profile,
        report,
    );
    let placed = place_new_rows(
        &rows,
        &mut cur_rows,
        joined.new_rows,
        &mut read_at,
        year,
        (profile, prev_path),
        report,
    );
    let (rows, info) = put_together(rows, info, placed);
    submissions.received(&rows, &info, renames, year);
    Ok(Consolidated {
        book: Book { year, rows },
        rows: info,
        submissions: submissions.done(),
    })
}

/// Where each row of this year's merged book was read, and the column of its 備考 there.
struct ReadAt {
    source: Vec<Option<Location>>,
    remarks: Vec<Option<u16>>,
}

impl ReadAt {
    fn of(current: &Merged) -> ReadAt {
        let mut source: Vec<Option<Location>> = vec![None; current.book.rows.len()];
        let mut remarks: Vec<Option<u16>> = vec![None; current.book.rows.len()];
        for read in current.fates.iter().filter(|r| r.fate == Fate::Taken) {
            source[read.book_row] = Some(read.at.clone());
            remarks[read.book_row] = read.remarks_col;
        }
        ReadAt { source, remarks }
    }

    /// The 備考 cell of this year's row `c` (its key cell without a 備考 column).
    fn remarks_cell(&self, c: usize) -> Option<Location> {
        remarks_at(self.source[c].as_ref(), self.remarks[c])
    }
}

/// The two books' keys paired: per row of last year's, this year's row with its key;
/// this year's rows with a key last year's book lacks, in return order.
struct Joined {
    match_of_prev: Vec<Option<usize>>,
    new_rows: Vec<usize>,
}

impl Joined {
    fn of(prev: &Book, current: &Merged) -> polars::prelude::PolarsResult<Joined> {
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
        Ok(Joined {
            match_of_prev,
            new_rows,
        })
    }
}

/// What no return of a row has a column for (a hand-made sheet without 事業概要) is not
/// known this year: last year's, so it is no change.
fn fill_unstated(prev: &Book, current: &mut Merged, match_of_prev: &[Option<usize>]) {
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
}

/// What needs both books whole, before their rows move: the comparisons, row by row on
/// every core, beside the probable renames of 課 and the submissions expected.
fn compare_rows(
    prev: &Book,
    current: &Merged,
    match_of_prev: &[Option<usize>],
    renames: &crate::renames::Renames,
    profile: &crate::profile::Profile,
) -> (Vec<(String, String)>, Submissions, Vec<Compared>) {
    let year = current.book.year;
    let words = &profile.patterns.flag_words;
    let ((renamed, submissions), compared) = rayon::join(
        || {
            let renamed = if renames.0.is_empty() {
                probable_renames(prev, match_of_prev, current)
            } else {
                Vec::new()
            };
            (renamed, Submissions::expected(prev, current, renames, year))
        },
        || -> Vec<Compared> {
            use rayon::prelude::*;
            let cur = &current.book.rows;
            let none = BTreeMap::new();
            prev.rows
                .par_iter()
                .zip(match_of_prev)
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
    (renamed, submissions, compared)
}

/// Last year's rows in their order, each as this year's matched row (with last year's
/// structure: goal, 施策) or carried as 未提出. Rows are taken out of both books in place
/// (a default row left behind), so no book is copied whole.
#[allow(clippy::too_many_arguments)]
fn carry_rows(
    prev_rows: &mut [Row],
    cur_rows: &mut [Row],
    joined: &Joined,
    mut compared: Vec<Compared>,
    read_at: &mut ReadAt,
    year: FiscalYear,
    profile: &crate::profile::Profile,
    report: &mut Report,
) -> (Vec<Row>, Vec<BookRow>) {
    let words = &profile.patterns.flag_words;
    let mut rows: Vec<Row> = Vec::with_capacity(prev_rows.len() + joined.new_rows.len());
    let mut info: Vec<BookRow> = Vec::with_capacity(rows.capacity());
    for (p, prev_row) in prev_rows.iter_mut().enumerate() {
        match joined.match_of_prev[p] {
            Some(c) => {
                let mut row = std::mem::take(&mut cur_rows[c]);
                let Compared {
                    changes,
                    flags,
                    carried,
                } = std::mem::take(&mut compared[p]);
                row.flags = flags;
                flags_that_fit(&mut row, read_at.remarks_cell(c), profile, report);
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
                    source: read_at.source[c].take(),
                });
                rows.push(row);
            }
            None => {
                let carried = std::mem::take(&mut compared[p].carried);
                let mut row = std::mem::take(prev_row);
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
    (rows, info)
}

/// The new rows of this year and where each goes: anchor (position in `rows` the new
/// rows go before) → the new rows there, in order, each with how it was placed (0 under
/// its 施策, 1 at the end of its goal, 2 last).
type Placed = BTreeMap<usize, Vec<(Row, BookRow, u8)>>;

/// New rows go under the 施策 they name, found by meaning (see [`Placer`]), next to the
/// nearest key; else at the end of the 基本目標 they can be tied to; else at the end,
/// under a marked 基本目標. Anchors are found in last year's rows through maps, and the
/// rows are put in place in one pass at the end ([`put_together`]: an insert per new row
/// moves the whole book each time, quadratic at a national 140,000 rows).
fn place_new_rows(
    rows: &[Row],
    cur_rows: &mut [Row],
    new_rows: Vec<usize>,
    read_at: &mut ReadAt,
    year: FiscalYear,
    (profile, prev_path): (&crate::profile::Profile, &std::path::Path),
    report: &mut Report,
) -> Placed {
    let words = &profile.patterns.flag_words;
    let placer = Placer::new(rows);
    let mut placed: Placed = BTreeMap::new();
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
        flags_that_fit(&mut row, read_at.remarks_cell(c), profile, report);
        row.year = year;
        let at = read_at.source[c]
            .clone()
            .unwrap_or_else(|| Location::file(prev_path));
        let place = placer.place(&row);
        let (anchor, rank) = anchor_of(
            &mut row,
            place,
            rows,
            &mut unplaced_goal,
            profile,
            at,
            report,
        );
        let here = placed.entry(anchor).or_default();
        let at = place_among(here, &row, rank);
        here.insert(
            at,
            (
                row,
                BookRow {
                    status: Status::New,
                    changes: Vec::new(),
                    source: read_at.source[c].take(),
                },
                rank,
            ),
        );
    }
    placed
}

/// Where a new row goes and how it was placed (see [`Placed`]); it takes last year's
/// structure where its 施策 is found, and a problem is reported where it is not.
fn anchor_of(
    row: &mut Row,
    place: Place,
    rows: &[Row],
    unplaced_goal: &mut Option<crate::model::Goal>,
    profile: &crate::profile::Profile,
    at: Location,
    report: &mut Report,
) -> (usize, u8) {
    match place {
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
                    measure: measure_text(row),
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
                    measure: measure_text(row),
                    goal: profile.section_text(&row.goal),
                },
            );
            (rows.len(), 2)
        }
    }
}

/// Among the new rows already at one anchor: those under their 施策 first, then those
/// at the end of their goal, then the rest; each after the last of its own 施策 there,
/// else after the last of its kind.
fn place_among(here: &[(Row, BookRow, u8)], row: &Row, rank: u8) -> usize {
    let same = |r: &Row| {
        r.goal == row.goal
            && crate::compare::measure_no_key(&r.measure_no)
                == crate::compare::measure_no_key(&row.measure_no)
            && crate::compare::measure_name_key(&r.measure)
                == crate::compare::measure_name_key(&row.measure)
    };
    here.iter()
        .rposition(|(r, _, k)| *k == rank && same(r))
        .or_else(|| here.iter().rposition(|(_, _, k)| *k <= rank))
        .map_or(0, |i| i + 1)
}

/// Last year's rows with the new rows put before their anchors, in one pass.
fn put_together(
    mut rows: Vec<Row>,
    mut info: Vec<BookRow>,
    mut placed: Placed,
) -> (Vec<Row>, Vec<BookRow>) {
    if placed.is_empty() {
        return (rows, info);
    }
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
    (rows, info)
}
