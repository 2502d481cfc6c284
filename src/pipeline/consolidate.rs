//! `consolidate`: the returns → this year's book; with last year's book (`--prev`),
//! the consolidation with it → the working book.

use std::path::{Path, PathBuf};

use super::read::{read_book, read_returns};
use super::save::{refuse_input_as_output, save_workbook, write_book};
use super::{leave, Outcome};
use crate::error::Error;
use crate::merge::Merged;
use crate::model::{Book, FiscalYear};
use crate::output::refuse_existing;
use crate::problem::Report;
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

/// What `kpiroll consolidate` asks for: the returns, the year, last year's book (with
/// its renames) when there is one, and where the book goes.
#[derive(Debug, Clone, Copy)]
pub struct ConsolidateRequest<'a> {
    /// the returns: files or folders
    pub inputs: &'a [PathBuf],
    pub year: FiscalYear,
    /// last year's book: with it the output is this year's working book
    pub prev: Option<&'a Path>,
    /// the renames file (組織改正), read only with last year's book
    pub renames: Option<&'a PathBuf>,
    /// the book to write
    pub output: &'a Path,
    /// overwrite the output if it exists
    pub force: bool,
}

/// What `kpiroll consolidate` made, once the book is written.
#[derive(Debug, Clone)]
pub struct ConsolidateDone {
    /// the problems met (already handed to the caller before the book was written)
    pub report: Report,
    /// [`Outcome::count_args`]: `files`, `read`, `taken`, `merged`, `refused`
    pub counts: Vec<(&'static str, String)>,
    /// with last year's book, [`crate::consolidate::Consolidated::count_args`]: the
    /// rows by what became of them against last year
    pub prev_counts: Option<[(&'static str, String); 4]>,
}

/// `kpiroll consolidate`: the output guarded (never over an existing file without
/// `force`, never over an input), the returns read (with last year's book, consolidated
/// with it), `report_ready` handed the problems before the book is written (a long write
/// comes after the report, and a refused book still shows why), then the book (or the
/// working book) written. What the run built is left to the system at exit ([`leave`]):
/// the caller is the command, which ends right after.
///
/// # Errors
/// The output existing or one of the inputs, a bad renames file, a missing input, last
/// year's book unreadable, nothing read (after `report_ready`), the output not written.
pub fn consolidate_command(
    request: &ConsolidateRequest,
    profile: &Profile,
    report_ready: &mut dyn FnMut(&Report),
) -> Result<ConsolidateDone, Error> {
    let ConsolidateRequest {
        inputs,
        year,
        output,
        force,
        ..
    } = *request;
    refuse_existing(output, force)?;
    let mut guarded = inputs.to_vec();
    guarded.extend(request.prev.map(Path::to_path_buf));
    guarded.extend(request.renames.cloned());
    refuse_input_as_output(output, &guarded)?;
    let Some(prev) = request.prev else {
        let outcome = read_returns(inputs, year, false, profile)?;
        report_ready(&outcome.report);
        if outcome.merged.book.rows.is_empty() {
            return Err(Error::NothingRead);
        }
        write_book(&outcome.merged.book, output, force, profile)?;
        return Ok(consolidate_done(outcome, None));
    };
    let renames = crate::renames::Renames::load_opt(request.renames)?;
    let done = consolidate_with_prev(inputs, prev, &renames, year, profile)?;
    report_ready(&done.outcome.report);
    // every return refused: a book of nothing but 未提出 is not written
    if done.outcome.merged.fates.is_empty() {
        return Err(Error::NothingRead);
    }
    write_working(&done, output, force, profile)?;
    let prev_counts = done.consolidated.count_args();
    let YearOutcome {
        outcome,
        consolidated,
        last_year_left,
    } = done;
    leave((consolidated, last_year_left));
    Ok(consolidate_done(outcome, Some(prev_counts)))
}

/// The counts and the report kept, the rest of the run left to the system.
fn consolidate_done(
    mut outcome: Outcome,
    prev_counts: Option<[(&'static str, String); 4]>,
) -> ConsolidateDone {
    let counts = outcome.count_args();
    let report = std::mem::take(&mut outcome.report);
    leave(outcome);
    ConsolidateDone {
        report,
        counts,
        prev_counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    fn fixture(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    fn request<'a>(inputs: &'a [PathBuf], output: &'a Path) -> ConsolidateRequest<'a> {
        ConsolidateRequest {
            inputs,
            year: FiscalYear(2024),
            prev: None,
            renames: None,
            output,
            force: false,
        }
    }

    #[test]
    fn the_report_is_handed_over_before_the_book_is_written_and_the_book_is_the_stages_book() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::builtin(Lang::Ja);
        let seed = [fixture("fixtures/R6/資料2-2_R6.txt")];

        // without last year's book: the returns' book, as `consolidate` writes it
        let r6 = dir.path().join("R6.xlsx");
        let mut shown = Vec::new();
        let done = consolidate_command(&request(&seed, &r6), &profile, &mut |report| {
            shown.push((report.render(&profile), r6.exists()));
        })
        .unwrap();
        let expected = dir.path().join("R6 by the stages.xlsx");
        let outcome = consolidate(&seed, FiscalYear(2024), &expected, false, &profile).unwrap();
        assert_eq!(shown, [(outcome.report.render(&profile), false)]);
        assert_eq!(
            done.report.render(&profile),
            outcome.report.render(&profile)
        );
        assert_eq!(done.counts, outcome.count_args());
        assert!(done.prev_counts.is_none());
        assert_eq!(
            std::fs::read(&r6).unwrap(),
            std::fs::read(&expected).unwrap()
        );
        let read_back = read_book(&r6, &profile).unwrap().merged.book;
        assert_eq!(read_back.rows.len(), outcome.merged.book.rows.len());

        // with it (and the renames): the working book, as the stages write it
        // the returns and a file that is no workbook: a problem for the report
        let broken = dir.path().join("壊れた提出.xlsx");
        std::fs::write(&broken, b"not a workbook").unwrap();
        let returns = [fixture("fixtures/R7/returns"), broken];
        let renames_file = fixture("fixtures/R7/renames.toml");
        let r7 = dir.path().join("R7.xlsx");
        let with_prev = ConsolidateRequest {
            year: FiscalYear(2025),
            prev: Some(&r6),
            renames: Some(&renames_file),
            ..request(&returns, &r7)
        };
        let mut shown = Vec::new();
        let done = consolidate_command(&with_prev, &profile, &mut |report| {
            shown.push((report.render(&profile), r7.exists()));
        })
        .unwrap();
        let renames = crate::renames::Renames::load_opt(Some(&renames_file)).unwrap();
        let year =
            consolidate_with_prev(&returns, &r6, &renames, FiscalYear(2025), &profile).unwrap();
        let expected = dir.path().join("R7 by the stages.xlsx");
        write_working(&year, &expected, false, &profile).unwrap();
        let report = year.outcome.report.render(&profile);
        assert!(report.contains("壊れた提出.xlsx"), "{report}");
        assert_eq!(shown, [(report.clone(), false)]);
        assert_eq!(done.report.render(&profile), report);
        assert_eq!(done.counts, year.outcome.count_args());
        assert_eq!(done.prev_counts, Some(year.consolidated.count_args()));
        assert_eq!(
            std::fs::read(&r7).unwrap(),
            std::fs::read(&expected).unwrap()
        );
    }

    #[test]
    fn an_existing_output_or_an_input_is_kept_and_nothing_read_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::builtin(Lang::Ja);
        let seed = [fixture("fixtures/R6/資料2-2_R6.txt")];
        let mut calls = 0;

        // an existing output without force: refused before anything is read
        let kept = dir.path().join("kept.xlsx");
        std::fs::write(&kept, b"not to be lost").unwrap();
        let refused = consolidate_command(&request(&seed, &kept), &profile, &mut |_| calls += 1);
        assert!(matches!(refused, Err(Error::OutputExists { .. })));
        assert_eq!(std::fs::read(&kept).unwrap(), b"not to be lost");

        // last year's book as the output, even with force
        let r6 = dir.path().join("R6.xlsx");
        consolidate(&seed, FiscalYear(2024), &r6, false, &profile).unwrap();
        let before = std::fs::read(&r6).unwrap();
        let returns = [fixture("fixtures/R7/returns")];
        let over_prev = ConsolidateRequest {
            prev: Some(&r6),
            force: true,
            ..request(&returns, &r6)
        };
        let refused = consolidate_command(&over_prev, &profile, &mut |_| calls += 1);
        assert!(matches!(refused, Err(Error::OutputIsInput { .. })));
        assert_eq!(std::fs::read(&r6).unwrap(), before);
        assert_eq!(calls, 0, "nothing read, no report");

        // no row read: the report is still shown, no book written
        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, "").unwrap();
        let out = dir.path().join("out.xlsx");
        let inputs = [empty];
        let mut shown = 0;
        let refused = consolidate_command(&request(&inputs, &out), &profile, &mut |_| shown += 1);
        assert!(matches!(refused, Err(Error::NothingRead)), "{refused:?}");
        assert_eq!(shown, 1);
        assert!(!out.exists());
    }
}
