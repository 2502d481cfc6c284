//! Stage 3, merge: the rows of every input into one table, each key once.
//!
//! Rows are keyed by (first 事務事業番号, KPI position). The same key read twice with the
//! same content (a joint project returned by each of its 課) is one row; with different
//! content it is a conflict: the later row is refused, naming the cell of the first.
//! Rows keep the order they were read in (inputs sorted by path), grouped by 基本目標 in
//! the order the goals first appear, so the result does not depend on thread timing.

use std::collections::BTreeMap;

use crate::model::{Book, FiscalYear, Key, Row};
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

/// The merged table and the fate of every row read, in read order.
#[derive(Debug, Clone)]
pub struct Merged {
    pub book: Book,
    pub fates: Vec<(ReadRow, Fate)>,
}

/// Combines the rows of all sources into one book of `year`.
pub fn merge_sources(sources: &[Source], year: FiscalYear, report: &mut Report) -> Merged {
    let mut taken: BTreeMap<Key, usize> = BTreeMap::new();
    let mut rows: Vec<ReadRow> = Vec::new();
    let mut fates = Vec::new();
    for read in sources.iter().flat_map(Source::rows) {
        let key = read.row.key();
        match taken.get(&key) {
            None => {
                taken.insert(key, rows.len());
                rows.push(read.clone());
                fates.push((read.clone(), Fate::Taken));
            }
            Some(&i) if same_content(&rows[i].row, &read.row) => {
                fates.push((read.clone(), Fate::Merged))
            }
            Some(&i) => {
                report.push(
                    read.at.clone(),
                    ProblemKind::Conflict {
                        key: key.project_no.clone(),
                        other: rows[i].at.to_string(),
                    },
                );
                fates.push((read.clone(), Fate::Refused));
            }
        }
    }
    // group by goal, in the order the goals first appear; stable within a goal
    let mut goal_order: Vec<crate::model::Goal> = Vec::new();
    for r in &rows {
        if !goal_order.contains(&r.row.goal) {
            goal_order.push(r.row.goal.clone());
        }
    }
    let mut ordered: Vec<Row> = Vec::with_capacity(rows.len());
    for goal in &goal_order {
        ordered.extend(
            rows.iter()
                .filter(|r| &r.row.goal == goal)
                .map(|r| r.row.clone()),
        );
    }
    Merged {
        book: Book {
            year,
            rows: ordered,
        },
        fates,
    }
}

/// Two readings of a row are the same when every field but the year agrees.
fn same_content(a: &Row, b: &Row) -> bool {
    Row {
        year: b.year,
        ..a.clone()
    } == *b
}
