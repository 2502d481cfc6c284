//! The stages chained, in one place: read → merge → write.
//!
//! Each command of the CLI calls one function here, one file per command or group:
//! `read.rs` the inputs read and merged (`check`, and the first step of every other
//! command), `consolidate.rs` (with and without last year's book), `diff.rs`,
//! `rollover.rs` (the forms), `handout.rs` (and its PDF), `export.rs`; `save.rs` puts a
//! workbook in place. Each command's function is re-exported here (`pipeline::diff`).
//! Stages never print and never exit: they return what they made and push problems into
//! a [`Report`]; the CLI decides what to show and the exit status. The stage timers
//! (`KPIROLL_TIMINGS`) sit in these files, around the stages they call, and nowhere
//! below.

mod consolidate;
mod diff;
mod export;
mod handout;
mod read;
mod rollover;
mod save;

pub use consolidate::{
    consolidate, consolidate_command, consolidate_with_prev, write_working, ConsolidateDone,
    ConsolidateRequest, YearOutcome,
};
pub use diff::{diff, diff_command, write_diff, DiffDone, DiffFormat, DiffRequest, Rendered};
pub use export::export;
pub use handout::{handout, handout_command, to_pdf, HandoutDone, HandoutRequest};
pub use read::{read_and_merge, read_book, read_nonempty_book, read_returns};
pub use rollover::{contact_text, due_text, rollover, Rolled};
pub use save::{refuse_input_as_output, save_workbook, write_book};

use crate::merge::{Fate, Merged};
use crate::problem::Report;
use crate::read::Source;

/// A row as read and the cell of its 事務事業番号.
#[derive(Debug, Clone, Copy)]
pub struct RowRead<'a> {
    pub at: &'a crate::problem::Location,
    pub row: &'a crate::model::Row,
}

/// What a run read and what became of it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub sources: Vec<Source>,
    pub merged: Merged,
    pub report: Report,
}

impl Outcome {
    /// Every row read from `source` (one of the inputs), in sheet and row order, with
    /// where it was read. Rows are only there while the merged book still holds them
    /// (a consolidation moves them on).
    pub fn rows_read<'a>(&'a self, source: &'a Source) -> impl Iterator<Item = RowRead<'a>> + 'a {
        self.merged
            .fates
            .iter()
            .filter(move |r| r.at.file == source.path)
            .filter_map(|r| {
                Some(RowRead {
                    at: &r.at,
                    row: self.merged.row_of(r)?,
                })
            })
    }

    /// The counts as message arguments: `files`, `read`, `taken`, `merged`, `refused`.
    pub fn count_args(&self) -> Vec<(&'static str, String)> {
        let (read, taken, merged, refused) = self.counts();
        [
            ("files", self.sources.len()),
            ("read", read),
            ("taken", taken),
            ("merged", merged),
            ("refused", refused),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    }

    /// (rows read, taken, merged with an identical row, refused): every data row of every
    /// input, including the rows refused while reading (a bad or missing key)
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |f: Fate| self.merged.fates.iter().filter(|r| r.fate == f).count();
        let refused_reading = self
            .report
            .problems
            .iter()
            .filter(|p| p.refuses_a_row())
            .count();
        let refused = count(Fate::Refused) + refused_reading;
        (
            self.merged.fates.len() + refused_reading,
            count(Fate::Taken),
            count(Fate::Merged),
            refused,
        )
    }
}

/// Lets go of what a run built without freeing it piece by piece: the process ends
/// right after and the system takes the memory back at once (freeing a national set's
/// 280,000 rows one string at a time costs a tenth of a second). With the polars
/// warm-up of [`consolidate_with_prev`] and the stage timers here, the one place where
/// speed bends the code's plain shape.
pub fn leave<T>(done: T) {
    std::mem::forget(done);
}
