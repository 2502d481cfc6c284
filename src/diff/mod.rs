//! `kpiroll diff`: two books of any years compared row by row, with 達成率 and grades;
//! more books give a trend.
//!
//! Rows are matched on (first 事務事業番号, KPI position) with a polars full join, as
//! [`crate::consolidate::merge_with_prev`] joins last year's book; keys renumbered in the
//! renames file (`[[move]]`) are followed first. A row is *added* (only in NEW),
//! *removed* (only in OLD, or newly carried as 未提出 in NEW), *changed* (a compared
//! field differs by meaning: [`crate::compare::changes`]) or *unchanged*. Each side has its
//! 達成率 and grade ([`grades`]). The result is rendered by [`crate::write::diff_render`] (text, JSON, CSV)
//! and [`crate::write::diff_report`] (xlsx).

pub mod grades;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::compare::{same_text, same_value, Change};
use crate::model::{Book, FiscalYear, Goal, Key, Row};
use crate::profile::{Field, Profile};
use crate::renames::{Moves, Renames};

/// What became of a row from OLD to NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Status {
    /// The status as JSON and CSV write it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
        }
    }

    /// The message id of the status's word (`diff_status_added` …).
    pub fn message_id(self) -> &'static str {
        match self {
            Status::Added => "diff_status_added",
            Status::Removed => "diff_status_removed",
            Status::Changed => "diff_status_changed",
            Status::Unchanged => "diff_status_unchanged",
        }
    }

    /// In the order the counts are shown.
    pub const ALL: [Status; 4] = [
        Status::Changed,
        Status::Added,
        Status::Removed,
        Status::Unchanged,
    ];
}

/// One side of a compared row: the row and its 達成率 and grade.
#[derive(Debug, Clone)]
pub struct Side {
    pub row: Row,
    /// 達成率 in %, rounded; `None` when the values give none
    pub rate: Option<f64>,
    /// the grade's name; `None` without a rate
    pub grade: Option<String>,
}

impl Side {
    fn of(row: &Row, profile: &Profile) -> Side {
        let rate = profile.grades.rate(row);
        Side {
            row: row.clone(),
            rate,
            grade: profile.grades.grade(rate).map(|g| g.name.clone()),
        }
    }
}

/// One KPI row of the diff.
#[derive(Debug, Clone)]
pub struct DiffRow {
    /// NEW's key (OLD's, followed through moves, for a removed row)
    pub key: Key,
    pub status: Status,
    pub old: Option<Side>,
    /// `None` for a removed row, also when NEW carries it as 未提出
    pub new: Option<Side>,
    /// removed because NEW carries the row as 未提出
    pub not_returned: bool,
    /// the compared fields that changed, in flag order
    pub changes: Vec<Change>,
    /// the 担当課 change is a 組織改正 of the renames file
    pub renamed: bool,
}

impl DiffRow {
    /// NEW's row, else OLD's.
    pub fn row(&self) -> &Row {
        match (&self.new, &self.old) {
            (Some(s), _) | (None, Some(s)) => &s.row,
            (None, None) => unreachable!("a diff row has a side"),
        }
    }

    /// Whether the 実績値 differs by meaning (an added or removed row's does).
    pub fn actual_changed(&self) -> bool {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => !same_value(&o.row.actual, &n.row.actual, &n.row.unit),
            _ => true,
        }
    }

    /// Whether anything about the row differs: its status or its 実績値.
    pub fn differs(&self) -> bool {
        self.status != Status::Unchanged || self.actual_changed()
    }

    /// The change of a field, if it changed.
    pub fn change(&self, field: Field) -> Option<&Change> {
        self.changes.iter().find(|c| c.field == field)
    }
}

/// One input book: where it came from and its rows.
#[derive(Debug, Clone)]
pub struct Input {
    pub file: PathBuf,
    pub book: Book,
}

impl Input {
    /// The book's fiscal year, or `None` when no header named it.
    pub fn year(&self) -> Option<FiscalYear> {
        (self.book.year.0 != 0).then_some(self.book.year)
    }

    /// `R6`, or `?` when the year is unknown.
    pub fn year_text(&self) -> String {
        self.year()
            .map_or_else(|| "?".to_string(), |y| y.to_string())
    }

    /// The file's name.
    pub fn name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.to_string_lossy().to_string(),
            |n| n.to_string_lossy().to_string(),
        )
    }
}

/// The comparison of two books (the first and the last given), and the trend over all
/// of them when more than two were given.
#[derive(Debug, Clone)]
pub struct Diff {
    pub old: Input,
    pub new: Input,
    /// in NEW's order; removed rows after the last row of their 施策 (else 基本目標)
    pub rows: Vec<DiffRow>,
    pub trend: Option<Trend>,
    /// the renames file's 組織改正 (counts per 課 use NEW's names)
    pub renames: Renames,
}

/// A KPI across several years: one row per KPI, the side of every year (`None` where
/// the year has no such row or carries it as 未提出).
#[derive(Debug, Clone)]
pub struct Trend {
    pub years: Vec<Input>,
    pub rows: Vec<TrendRow>,
}

/// One KPI of the trend.
#[derive(Debug, Clone)]
pub struct TrendRow {
    /// the key in the latest year that has the KPI, followed through moves to the last book
    pub key: Key,
    /// parallel to [`Trend::years`]
    pub cells: Vec<Option<Side>>,
}

impl TrendRow {
    /// The row of the latest year that has the KPI.
    pub fn latest(&self) -> &Row {
        &self
            .cells
            .iter()
            .rev()
            .flatten()
            .next()
            .expect("a trend row has a year")
            .row
    }
}

/// Counts of one group (a 基本目標, a 課, or all).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub rows: usize,
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.rows += 1;
        match status {
            Status::Added => self.added += 1,
            Status::Removed => self.removed += 1,
            Status::Changed => self.changed += 1,
            Status::Unchanged => self.unchanged += 1,
        }
    }

    /// The count of one status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Added => self.added,
            Status::Removed => self.removed,
            Status::Changed => self.changed,
            Status::Unchanged => self.unchanged,
        }
    }
}

impl Diff {
    /// Compares the first book with the last; with more than two, also builds the trend.
    ///
    /// # Errors
    /// polars failures joining the key frames.
    pub fn new(
        inputs: Vec<Input>,
        renames: &Renames,
        moves: &Moves,
        profile: &Profile,
    ) -> polars::prelude::PolarsResult<Diff> {
        assert!(inputs.len() >= 2, "diff needs two books");
        let old = inputs[0].clone();
        let new = inputs[inputs.len() - 1].clone();
        let rows = compare_books(&old.book, &new.book, renames, moves, profile)?;
        let trend = (inputs.len() > 2).then(|| trend(inputs, moves, profile));
        Ok(Diff {
            old,
            new,
            rows,
            trend,
            renames: renames.clone(),
        })
    }

    /// Whether anything differs (a row's status or its 実績値).
    pub fn differs(&self) -> bool {
        self.rows.iter().any(DiffRow::differs)
    }

    /// Counts over every row.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            c.add(r.status);
        }
        c
    }

    /// Counts per 基本目標, in book order.
    pub fn by_goal(&self) -> Vec<(Goal, Counts)> {
        let mut out: Vec<(Goal, Counts)> = Vec::new();
        for r in &self.rows {
            let goal = &r.row().goal;
            match out.iter_mut().find(|(g, _)| g == goal) {
                Some((_, c)) => c.add(r.status),
                None => {
                    let mut c = Counts::default();
                    c.add(r.status);
                    out.push((goal.clone(), c));
                }
            }
        }
        out
    }

    /// Counts per 担当課 (NEW's names; a removed row's 課 renamed as the renames file
    /// says), sorted by name. A joint project counts for each of its 課.
    pub fn by_department(&self) -> Vec<(String, Counts)> {
        let renames = &self.renames;
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        let year = self.new.book.year;
        for r in &self.rows {
            let departments: Vec<String> = match &r.new {
                Some(s) => s.row.departments.clone(),
                None => r
                    .row()
                    .departments
                    .iter()
                    .map(|d| renames.current(d, year))
                    .collect(),
            };
            for d in departments {
                out.entry(d).or_default().add(r.status);
            }
        }
        out.into_iter().collect()
    }

    /// How many rows of each year have each grade (names best first, then "no rate").
    pub fn grade_counts(&self, profile: &Profile) -> Vec<(String, usize, usize)> {
        let names = profile.grades.names();
        let none = &profile.grades.none.grade;
        let name_of = |s: &Option<Side>| -> Option<String> {
            s.as_ref()
                .map(|s| s.grade.clone().unwrap_or_else(|| none.clone()))
        };
        names
            .iter()
            .map(|n| {
                let count = |pick: &dyn Fn(&DiffRow) -> &Option<Side>| {
                    self.rows
                        .iter()
                        .filter(|r| name_of(pick(r)).as_ref() == Some(n))
                        .count()
                };
                (n.clone(), count(&|r| &r.old), count(&|r| &r.new))
            })
            .collect()
    }

    /// How many rows changed each compared field, in flag order (事務事業番号 first
    /// when a row was followed through a move).
    pub fn field_counts(&self) -> Vec<(Field, usize)> {
        let count = |f: Field| self.rows.iter().filter(|r| r.change(f).is_some()).count();
        let moved = count(Field::ProjectNos);
        (moved > 0)
            .then_some((Field::ProjectNos, moved))
            .into_iter()
            .chain(crate::compare::COMPARED.iter().map(|f| (*f, count(*f))))
            .collect()
    }
}

/// The rows of two books matched with a polars full join on (first 事務事業番号, KPI
/// position), OLD's keys followed through `moves` to NEW's year first.
///
/// # Errors
/// polars failures building or joining the key frames.
pub fn compare_books(
    old: &Book,
    new: &Book,
    renames: &Renames,
    moves: &Moves,
    profile: &Profile,
) -> polars::prelude::PolarsResult<Vec<DiffRow>> {
    let not_returned = &profile.patterns.flag_words.not_returned;
    let old_keys: Vec<Key> = old
        .rows
        .iter()
        .map(|r| moves.forward(&r.key(), old.year, new.year))
        .collect();
    let new_keys: Vec<Key> = new.rows.iter().map(Row::key).collect();
    let pairs = crate::join::join_keys(&old_keys, &new_keys)?;
    let mut match_of_new: Vec<Option<usize>> = vec![None; new.rows.len()];
    let mut removed: Vec<usize> = Vec::new();
    for (o, n) in pairs {
        match (o, n) {
            // two OLD rows moved onto one key: the second is removed
            (Some(o), Some(n)) if match_of_new[n].is_some() => removed.push(o),
            (o, Some(n)) => match_of_new[n] = o,
            (Some(o), None) => removed.push(o),
            (None, None) => {}
        }
    }
    removed.sort_unstable(); // OLD's order, not the join's

    let mut rows: Vec<DiffRow> = Vec::new();
    for (n, new_row) in new.rows.iter().enumerate() {
        let old_side = match_of_new[n].map(|o| Side::of(&old.rows[o], profile));
        let still_not_returned = old_side
            .as_ref()
            .is_some_and(|s| s.row.flags.contains(not_returned));
        // carried as 未提出 in NEW: removed, unless OLD carried it already (a book does
        // not differ from itself)
        if new_row.flags.contains(not_returned) && !still_not_returned {
            if let Some(old_side) = old_side {
                rows.push(DiffRow {
                    key: new_keys[n].clone(),
                    status: Status::Removed,
                    old: Some(old_side),
                    new: None,
                    not_returned: true,
                    changes: Vec::new(),
                    renamed: false,
                });
            }
            // not in OLD either (or followed to its new key): nothing to compare
            continue;
        }
        let new_side = Side::of(new_row, profile);
        let row = match old_side {
            None => DiffRow {
                key: new_keys[n].clone(),
                status: Status::Added,
                old: None,
                new: Some(new_side),
                not_returned: false,
                changes: Vec::new(),
                renamed: false,
            },
            Some(old_side) => matched_row(
                old_side,
                new_side,
                new_row,
                &new_keys[n],
                (renames, new.year),
                profile,
            ),
        };
        rows.push(row);
    }
    for o in removed {
        let row = DiffRow {
            key: old_keys[o].clone(),
            status: Status::Removed,
            old: Some(Side::of(&old.rows[o], profile)),
            new: None,
            not_returned: false,
            changes: Vec::new(),
            renamed: false,
        };
        let r = row.row();
        let at = rows
            .iter()
            .rposition(|x| {
                let x = x.row();
                x.goal == r.goal && x.measure_no == r.measure_no && x.measure == r.measure
            })
            .or_else(|| rows.iter().rposition(|x| x.row().goal == r.goal))
            .map_or(rows.len(), |i| i + 1);
        rows.insert(at, row);
    }
    Ok(rows)
}

/// A row in both books: its changes (a renumbering through a `[[move]]` first) and
/// whether its 課 was renamed.
fn matched_row(
    old_side: Side,
    new_side: Side,
    new_row: &Row,
    new_key: &Key,
    (renames, year): (&Renames, FiscalYear),
    profile: &Profile,
) -> DiffRow {
    let mut changes = crate::compare::changes(&old_side.row, new_row, profile);
    let old_key = old_side.row.key();
    if old_key != *new_key {
        // followed through a `[[move]]`: the renumbering is a change too
        let text = |k: &Key, row: &Row| {
            if k.kpi_index == new_key.kpi_index && old_key.kpi_index == new_key.kpi_index {
                crate::row_text::field_text(row, Field::ProjectNos, profile).into_owned()
            } else {
                k.to_string()
            }
        };
        changes.insert(
            0,
            Change {
                field: Field::ProjectNos,
                extra: None,
                old: text(&old_key, &old_side.row),
                new: text(new_key, new_row),
            },
        );
    }
    let renamed = changes.iter().any(|c| c.field == Field::Departments)
        && is_rename(&old_side.row, new_row, renames, year);
    DiffRow {
        key: new_key.clone(),
        status: if changes.is_empty() {
            Status::Unchanged
        } else {
            Status::Changed
        },
        old: Some(old_side),
        new: Some(new_side),
        not_returned: false,
        changes,
        renamed,
    }
}

/// Whether NEW's 担当課 are OLD's renamed as the renames file says.
fn is_rename(old: &Row, new: &Row, renames: &Renames, year: FiscalYear) -> bool {
    old.departments.len() == new.departments.len()
        && old
            .departments
            .iter()
            .zip(&new.departments)
            .all(|(o, n)| same_text(&renames.current(o, year), n))
}

/// One row per KPI over every year: keys followed through moves to the last book's year;
/// rows carried as 未提出 count as missing. Ordered as the last book, then KPIs only in
/// earlier books (latest first).
fn trend(inputs: Vec<Input>, moves: &Moves, profile: &Profile) -> Trend {
    let not_returned = &profile.patterns.flag_words.not_returned;
    let last_year = inputs[inputs.len() - 1].book.year;
    let mut rows: Vec<TrendRow> = Vec::new();
    let mut index: BTreeMap<Key, usize> = BTreeMap::new();
    for (y, input) in inputs.iter().enumerate().rev() {
        for row in &input.book.rows {
            if row.flags.contains(not_returned) {
                continue;
            }
            let key = moves.forward(&row.key(), input.book.year, last_year);
            let i = *index.entry(key.clone()).or_insert_with(|| {
                rows.push(TrendRow {
                    key,
                    cells: vec![None; inputs.len()],
                });
                rows.len() - 1
            });
            if rows[i].cells[y].is_none() {
                rows[i].cells[y] = Some(Side::of(row, profile));
            }
        }
    }
    Trend {
        years: inputs,
        rows,
    }
}
