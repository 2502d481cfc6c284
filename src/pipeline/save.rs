//! A workbook put in place: built, saved and written atomically, never over an existing
//! file without `--force` and never over an input.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::Book;
use crate::output::{refuse_existing, write_atomic};
use crate::profile::Profile;
use crate::write::book::book_workbook;

/// Writes a book to `output` (atomically; refuses to overwrite without `force`).
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_book(book: &Book, output: &Path, force: bool, profile: &Profile) -> Result<(), Error> {
    save_workbook(output, force, profile, || book_workbook(book, profile))
}

/// Builds a workbook and puts it at `output` (atomically; never over an existing file
/// without `force`), with a spinner on stderr while it is built and compressed.
///
/// # Errors
/// The output exists (without `force`), the workbook cannot be built or written.
pub fn save_workbook(
    output: &Path,
    force: bool,
    profile: &Profile,
    build: impl FnOnce() -> Result<crate::write::xlsx::Workbook, rust_xlsxwriter::XlsxError>,
) -> Result<(), Error> {
    refuse_existing(output, force)?;
    let xlsx = |source| Error::Xlsx {
        path: output.to_path_buf(),
        source,
    };
    let spinner = crate::progress::spinner(&profile.message(
        "progress_write",
        &[(
            "output",
            &crate::problem::shown(&output.display().to_string()),
        )],
    ));
    let built = crate::progress::stage("build the workbook");
    let workbook = build();
    drop(built);
    let saved = crate::progress::stage("save the workbook");
    let bytes = workbook.and_then(|workbook| workbook.save()).map_err(xlsx);
    drop(saved);
    spinner.finish_and_clear();
    let _write = crate::progress::stage("write the file");
    write_atomic(output, &bytes?, force)
}

/// An output that is one of the inputs (the same file, however named, or a file in an
/// input folder) is refused whatever `--force` says: inputs are only ever read.
///
/// # Errors
/// [`Error::OutputIsInput`].
pub fn refuse_input_as_output(output: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    use crate::output::same_file;
    if !output.exists() {
        return Ok(());
    }
    let refused = |input: &Path| Error::OutputIsInput {
        path: output.to_path_buf(),
        input: input.to_path_buf(),
    };
    for input in inputs {
        if same_file(output, input) {
            return Err(refused(input));
        }
    }
    if let Ok(expanded) = crate::read::find_inputs(inputs) {
        if let Some(input) = expanded.files.iter().find(|f| same_file(output, f)) {
            return Err(refused(input));
        }
    }
    Ok(())
}
