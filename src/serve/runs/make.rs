//! The outputs a button makes, each by the same pipeline call as the command line on
//! the run's book in `out/`: the book itself, the handout (`handout`) and its PDF, the
//! diff with last year's book (`diff -o …xlsx`), the exports (`export`); next year's
//! forms are `forms.rs`. Each is made once: a file already made is offered again.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
use crate::pipeline;
use crate::profile::Profile;
use crate::serve::App;

use super::{forms, Failed, Run, RUN_FILE};

/// What a button makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Book,
    Handout,
    Pdf,
    Forms,
    Diff,
    Json,
    Csv,
    Parquet,
}

impl Output {
    /// By its name in the page's request.
    pub fn from_name(name: &str) -> Option<Output> {
        Some(match name {
            "book" => Output::Book,
            "handout" => Output::Handout,
            "pdf" => Output::Pdf,
            "forms" => Output::Forms,
            "diff" => Output::Diff,
            "json" => Output::Json,
            "csv" => Output::Csv,
            "parquet" => Output::Parquet,
            _ => return None,
        })
    }
}

/// What was made: its file name in `out/` and its size.
#[derive(Debug, Clone, Serialize)]
pub struct Made {
    pub name: String,
    pub bytes: u64,
    pub text: String,
}

/// Makes one output of the run in `dir` (once: a file already made is offered again;
/// the forms are made again, for their due date may have changed), by the same
/// pipeline call as the command line.
///
/// # Errors
/// The run's year or book is gone, the output cannot be made (no last year's book for
/// the diff, no LibreOffice for the PDF …).
pub fn make(
    app: &App,
    dir: &Path,
    what: Output,
    forms_due: Option<String>,
    profile: &Profile,
) -> Result<Made, Failed> {
    let run = Run::load(dir).ok_or_else(|| Error::InputNotFound {
        path: dir.join(RUN_FILE),
    })?;
    let out = dir.join("out");
    let book = out.join(&run.book);
    let path = match what {
        Output::Book => book,
        Output::Handout => handout(&out.join(&run.handout), &book, profile)?,
        Output::Pdf => pdf(&out.join(&run.handout), &book, profile)?,
        Output::Forms => forms::forms(app, &run, &out, &book, forms_due, profile)?,
        Output::Diff => diff(&run, &out, &book, profile)?,
        Output::Json => export(&run, &out, &book, "json", profile)?,
        Output::Csv => export(&run, &out, &book, "csv", profile)?,
        Output::Parquet => export(&run, &out, &book, "parquet", profile)?,
    };
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let kib = bytes.div_ceil(1024).to_string();
    Ok(Made {
        text: profile.message("web.made", &[("name", &name), ("kib", &kib)]),
        name,
        bytes,
    })
}

/// The council's copy of the book (`handout`).
fn handout(handout: &Path, book: &Path, profile: &Profile) -> Result<PathBuf, Failed> {
    if !handout.is_file() {
        pipeline::handout(book, handout, false, profile)?;
    }
    Ok(handout.to_path_buf())
}

/// The handout as PDF, through LibreOffice (`handout --pdf`): the handout first.
fn pdf(handout_path: &Path, book: &Path, profile: &Profile) -> Result<PathBuf, Failed> {
    let handout = handout(handout_path, book, profile)?;
    let pdf = handout.with_extension("pdf");
    if !pdf.is_file() {
        pipeline::to_pdf(&handout)?;
    }
    Ok(pdf)
}

/// Last year's book against this one (`diff PREV BOOK -o …xlsx`): only with last
/// year's book.
fn diff(run: &Run, out: &Path, book: &Path, profile: &Profile) -> Result<PathBuf, Failed> {
    let prev = run.prev.clone().ok_or(Failed::Page("web.needs_prev"))?;
    let path = out.join(&run.diff);
    if !path.is_file() {
        let (diff, _) = pipeline::diff(&[prev, book.to_path_buf()], run.renames.as_ref(), profile)?;
        pipeline::write_diff(&diff, &path, false, profile)?;
    }
    Ok(path)
}

/// The book's rows as JSON, CSV or Parquet (`export`), by the extension.
fn export(
    run: &Run,
    out: &Path,
    book: &Path,
    ext: &str,
    profile: &Profile,
) -> Result<PathBuf, Failed> {
    let path = out.join(format!("{}.{ext}", run.export));
    if !path.is_file() {
        pipeline::export(book, &path, false, true, profile)?;
    }
    Ok(path)
}
