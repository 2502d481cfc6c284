//! Next year's forms from the run's book, as `rollover` makes them, in one zip to
//! download. Made again at each request, for their due date may have changed.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::FiscalYear;
use crate::pipeline;
use crate::profile::Profile;
use crate::renames::Renames;
use crate::serve::{settings, App};

use super::{Failed, Run};

/// The forms of next year from `book` into `out/` (the contact from `kpiroll.toml`, the
/// due date the page gave, if any), and their zip beside them: the zip's path.
pub(super) fn forms(
    app: &App,
    run: &Run,
    out: &Path,
    book: &Path,
    due: Option<String>,
    profile: &Profile,
) -> Result<PathBuf, Failed> {
    let next = FiscalYear(run.year()?.0 + 1);
    let folder = out.join(&run.forms);
    let (contact, _) = settings::contact_and_due(&app.dir, profile);
    let due = due.filter(|d| !d.trim().is_empty());
    let rolled = pipeline::rollover(
        book,
        next,
        &folder,
        &Renames::default(),
        None,
        due,
        contact.as_ref(),
        true,
        profile,
    )?;
    let zip = out.join(format!("{}.zip", run.forms));
    let files: Vec<PathBuf> = rolled.forms.iter().map(|(_, p, _)| p.clone()).collect();
    crate::output::write_atomic(&zip, &zip_of(&files, &zip)?, true)?;
    Ok(zip)
}

/// The forms in one zip, by their file names, in the order given, written by the same
/// zip writer as the workbooks (no time stamp of its own, the same bytes on every system).
fn zip_of(files: &[PathBuf], zip: &Path) -> Result<Vec<u8>, Error> {
    let mut named = Vec::with_capacity(files.len());
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let bytes = std::fs::read(file).map_err(|source| Error::Write {
            path: file.clone(),
            source,
        })?;
        named.push((name, bytes));
    }
    crate::write::xlsx::archive::zip_of(&named).map_err(|e| Error::Write {
        path: zip.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}
