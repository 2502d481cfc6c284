//! `consolidate`: the returns → this year's book; with last year's book (`--prev`),
//! the consolidation with it → the working book.

use std::path::{Path, PathBuf};

use super::read::{read_book, read_returns};
use super::save::{save_workbook, write_book};
use super::Outcome;
use crate::error::Error;
use crate::merge::Merged;
use crate::model::{Book, FiscalYear};
use crate::profile::Profile;

/// `consolidate` without last year's book: returns → one book of `year` at `output`.
///
/// # Errors
/// A missing input, nothing to write, or the output cannot be written.
pub fn consolidate(
    inputs: &[PathBuf],
    year: FiscalYear,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<Outcome, Error> {
    let outcome = read_returns(inputs, year, false, profile)?;
    if outcome.merged.book.rows.is_empty() {
        return Err(Error::NothingRead);
    }
    write_book(&outcome.merged.book, output, force, profile)?;
    Ok(outcome)
}

/// What `consolidate --prev` made.
#[derive(Debug, Clone)]
pub struct YearOutcome {
    pub outcome: Outcome,
    pub consolidated: crate::consolidate::Consolidated,
    /// last year's rows as the consolidation left them (their parts moved into
    /// `consolidated`): kept rather than freed string by string during the merge, so
    /// that the caller decides when ([`leave`]: at exit; 140,000 rows' worth is a tenth
    /// of a second)
    pub last_year_left: Book,
}

/// `consolidate --prev`: last year's book + this year's returns → this year's working
/// book (一覧 with highlights, 変更点, 取込ログ, 提出状況) at `output`.
///
/// # Errors
/// A missing input, last year's book unreadable, nothing returned, the output cannot be
/// written.
pub fn consolidate_with_prev(
    inputs: &[PathBuf],
    prev: &Path,
    renames: &crate::renames::Renames,
    year: FiscalYear,
    profile: &Profile,
) -> Result<YearOutcome, Error> {
    // polars starts its threads and plans on its first join (~40 ms): done on a thread
    // of its own while the books are read
    let warm = std::thread::spawn(|| crate::join::join_keys(&[], &[]).is_ok());
    // last year's book is one file, read on one core: read it beside the returns
    let (last, outcome) = rayon::join(
        || read_book(prev, profile),
        || read_returns(inputs, year, true, profile),
    );
    // only its rows and problems are kept
    let Outcome {
        merged: Merged {
            book: mut last_book,
            ..
        },
        mut report,
        ..
    } = last?;
    if last_book.rows.is_empty() {
        return Err(Error::PrevUnreadable {
            path: prev.to_path_buf(),
        });
    }
    let mut outcome = outcome?;
    let _ = warm.join();
    report.extend(std::mem::take(&mut outcome.report));
    let spinner = crate::progress::spinner(&profile.message("progress_merge", &[]));
    let _merge = crate::progress::stage("merge with last year");
    // both books' rows move into the consolidation
    let consolidated = crate::consolidate::merge_with_prev(
        &mut last_book,
        &mut outcome.merged,
        renames,
        profile,
        prev,
        &mut report,
    )
    .map_err(|e| Error::Merge {
        message: e.to_string(),
    })?;
    spinner.finish_and_clear();
    outcome.report = report;
    Ok(YearOutcome {
        outcome,
        consolidated,
        last_year_left: last_book,
    })
}

/// Writes the working book of a consolidation.
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_working(
    year: &YearOutcome,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<(), Error> {
    save_workbook(output, force, profile, || {
        let laid_out = crate::progress::stage("  the table laid out");
        let working = crate::write::working::lay_out(&year.consolidated, profile)?;
        drop(laid_out);
        let _written = crate::progress::stage("  the table's cells, its sheet and the three lists");
        working.write(
            &year.outcome.sources,
            &year.outcome.merged.fates,
            &year.outcome.report,
            profile,
        )
    })
}
