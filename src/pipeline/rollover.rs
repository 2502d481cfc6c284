//! `rollover`: last year's book → one protected form per 担当課; and the due date and
//! 問い合わせ先 as the forms word them (a reminder to a 課 says them alike).

use std::path::{Path, PathBuf};

use super::read::read_nonempty_book;
use super::save::refuse_input_as_output;
use super::Outcome;
use crate::error::Error;
use crate::model::FiscalYear;
use crate::output::write_atomic;
use crate::profile::Profile;

/// What rollover wrote.
#[derive(Debug, Clone)]
pub struct Rolled {
    pub book: Outcome,
    /// (課, form path, rows)
    pub forms: Vec<(String, PathBuf, usize)>,
}

/// `rollover`: last year's book → one protected form per 担当課 in `dir`.
#[allow(clippy::too_many_arguments)] // the command's options, passed through as they are
///
/// # Errors
/// The book cannot be read; a form exists (without `force`) or cannot be written.
pub fn rollover(
    book: &Path,
    year: FiscalYear,
    dir: &Path,
    renames: &crate::renames::Renames,
    password: Option<String>,
    due: Option<String>,
    contact: Option<&crate::model::Contact>,
    force: bool,
    profile: &Profile,
) -> Result<Rolled, Error> {
    use sha2::Digest;
    let bytes = std::fs::read(book).map_err(|_| Error::InputNotFound {
        path: book.to_path_buf(),
    })?;
    let hash: String = sha2::Sha256::digest(&bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut outcome = read_nonempty_book(book, profile)?;
    let plans = crate::rollover::plan(
        &outcome.merged.book,
        year,
        renames,
        dir,
        &profile.form.file_name,
    );
    for p in &plans {
        // a form in the way of one 課 is its own failure below (not regular), not the run's
        crate::output::refuse_overwrite(&p.path, force)?;
        refuse_input_as_output(&p.path, &[book.to_path_buf()])?;
    }
    let mut forms = Vec::new();
    for plan in plans {
        // last year's 備考 (flags and text) is shown beside the input, never in it
        let rows = plan.rows.clone();
        let options = crate::write::form::FormOptions {
            year,
            department: plan.department.clone(),
            password: password.clone(),
            due: due.clone(),
            contact: contact.cloned(),
            source_hash: hash.clone(),
            source_file: book
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        };
        let xlsx = |source| Error::Xlsx {
            path: plan.path.clone(),
            source,
        };
        // one form that cannot be written is reported; the other 課 still get theirs
        let written = crate::write::form::form_workbook(&rows, profile, &options)
            .and_then(|mut workbook| workbook.save_to_buffer())
            .and_then(crate::write::xlsx::repair::well_formed)
            .map_err(xlsx)
            .and_then(|bytes| write_atomic(&plan.path, &bytes, force));
        match written {
            Ok(()) => forms.push((plan.department, plan.path, rows.len())),
            Err(e) => outcome.report.push(
                crate::problem::Location::file(&plan.path),
                crate::problem::ProblemKind::FormNotWritten {
                    department: plan.department,
                    reason: e.render(profile),
                },
            ),
        }
    }
    Ok(Rolled {
        book: outcome,
        forms,
    })
}

/// The due date as the forms show it (`令和8年5月31日（日）` for `2026-05-31`, other
/// text as written, `form.toml`'s own text when none): a reminder to a 課 says it alike.
pub fn due_text(due: Option<&str>, profile: &Profile) -> String {
    crate::write::form::due_text(due, profile)
}

/// The 問い合わせ先 as the forms show it (kpiroll.toml's `[contact]` in `form.toml`'s
/// wording, or its own text when none): a reminder to a 課 says it alike.
pub fn contact_text(contact: Option<&crate::model::Contact>, profile: &Profile) -> String {
    crate::write::form::contact_text(contact, profile)
}
