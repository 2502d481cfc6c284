//! `diff`: the books read and compared, the diff rendered as the output asks (xlsx,
//! text, JSON, CSV) and put in place or handed back for stdout.

use std::path::{Path, PathBuf};

use super::read::read_book;
use super::save::refuse_input_as_output;
use crate::error::Error;
use crate::output::{refuse_existing, write_atomic};
use crate::problem::Report;
use crate::profile::Profile;
use crate::write::diff_render;
pub use crate::write::diff_render::Format as DiffFormat;

/// `diff`: reads every book (their problems into one report) and compares the first with
/// the last; more than two books also give the trend. `renames` is the renames file
/// (its 課 renames and `[[move]]` renumberings).
///
/// # Errors
/// A book that cannot be read or holds no rows, a bad renames file, polars failures.
pub fn diff(
    books: &[PathBuf],
    renames: Option<&PathBuf>,
    profile: &Profile,
) -> Result<(crate::diff::Diff, Report), Error> {
    let moves = crate::renames::Moves::load_opt(renames)?;
    let renames = crate::renames::Renames::load_opt(renames)?;
    let mut report = Report::default();
    let mut inputs = Vec::new();
    for path in books {
        let outcome = read_book(path, profile)?;
        report.extend(outcome.report);
        if outcome.merged.book.rows.is_empty() {
            return Err(Error::DiffNoRows { path: path.clone() });
        }
        inputs.push(crate::diff::Input {
            file: path.clone(),
            book: outcome.merged.book,
        });
    }
    let diff =
        crate::diff::Diff::new(inputs, &renames, &moves, profile).map_err(|e| Error::Merge {
            message: e.to_string(),
        })?;
    Ok((diff, report))
}

/// Writes the diff workbook (概要, 変更一覧, 対照表, 推移) to `output`.
///
/// # Errors
/// The output exists (without `force`) or cannot be written.
pub fn write_diff(
    diff: &crate::diff::Diff,
    output: &Path,
    force: bool,
    profile: &Profile,
) -> Result<(), Error> {
    write_atomic(output, &diff_xlsx_bytes(diff, output, profile)?, force)
}

/// The bytes of the diff workbook (`output` names it in errors).
///
/// # Errors
/// rust_xlsxwriter's limits.
fn diff_xlsx_bytes(
    diff: &crate::diff::Diff,
    output: &Path,
    profile: &Profile,
) -> Result<Vec<u8>, Error> {
    let xlsx = |source| Error::Xlsx {
        path: output.to_path_buf(),
        source,
    };
    crate::write::diff_report::diff_workbook(diff, profile)
        .map_err(xlsx)?
        .save_to_buffer()
        .and_then(crate::write::xlsx::repair::well_formed)
        .map_err(xlsx)
}

/// What `kpiroll diff` asks for: the books, and where and how the diff goes.
#[derive(Debug, Clone, Copy)]
pub struct DiffRequest<'a> {
    /// the books, oldest first: the first against the last, a trend over all of them
    pub books: &'a [PathBuf],
    /// the renames file (its 課 renames and `[[move]]` renumberings)
    pub renames: Option<&'a PathBuf>,
    /// where the diff goes, its extension naming the format; stdout when none
    pub output: Option<&'a Path>,
    /// the format when the output's extension names none, or on stdout (text by default)
    pub format: Option<DiffFormat>,
    /// stdout takes colour (a terminal, `NO_COLOR` unset): text on stdout is coloured
    pub color_terminal: bool,
    /// overwrite the output if it exists
    pub force: bool,
}

/// What `kpiroll diff` made.
pub struct DiffDone {
    pub diff: crate::diff::Diff,
    /// the problems met reading the books
    pub report: Report,
    /// the diff rendered and put in place, or why it could not be (the books were read:
    /// their report is shown all the same)
    pub rendered: Result<Rendered, Error>,
}

/// The diff rendered in its format.
#[derive(Debug, Clone)]
pub enum Rendered {
    /// written to `path`; `summary` says in a few lines what it holds
    Written { path: PathBuf, summary: Vec<String> },
    /// the bytes for stdout
    Stdout(Vec<u8>),
}

/// `kpiroll diff`: the format chosen (the output's extension, else `format`, else text),
/// the output guarded (never over an existing file without `force`, never over an
/// input), the books read and compared, the diff rendered and written to the output or
/// handed back for stdout.
///
/// # Errors
/// An unknown format, an xlsx without an output, the output existing or one of the
/// inputs, a book that cannot be read or holds no rows; writing the output fails in
/// [`DiffDone::rendered`].
pub fn diff_command(request: &DiffRequest, profile: &Profile) -> Result<DiffDone, Error> {
    let format = diff_format(request)?;
    if let Some(path) = request.output {
        refuse_existing(path, request.force)?;
        let mut inputs = request.books.to_vec();
        inputs.extend(request.renames.cloned());
        refuse_input_as_output(path, &inputs)?;
    }
    let (diff, report) = diff(request.books, request.renames, profile)?;
    let rendered = render(&diff, format, request, profile);
    Ok(DiffDone {
        diff,
        report,
        rendered,
    })
}

/// The format: the output's extension, else the one asked for, else text; an xlsx needs
/// an output.
fn diff_format(request: &DiffRequest) -> Result<DiffFormat, Error> {
    let format = match request.output {
        Some(path) => DiffFormat::from_path(path)
            .or(request.format)
            .ok_or_else(|| Error::UnknownOutputFormat {
                path: path.to_path_buf(),
                expected: ".xlsx .json .csv .txt".to_string(),
            })?,
        None => request.format.unwrap_or(DiffFormat::Text),
    };
    if format == DiffFormat::Xlsx && request.output.is_none() {
        return Err(Error::DiffXlsxNeedsOutput);
    }
    Ok(format)
}

/// The diff rendered in `format`, written to the output (atomically) or kept for stdout.
fn render(
    diff: &crate::diff::Diff,
    format: DiffFormat,
    request: &DiffRequest,
    profile: &Profile,
) -> Result<Rendered, Error> {
    let bytes = match format {
        DiffFormat::Text => {
            let color = request.output.is_none() && request.color_terminal;
            diff_render::text(diff, profile, color).into_bytes()
        }
        DiffFormat::Json => diff_render::json(diff, profile),
        DiffFormat::Csv => diff_render::csv(diff, profile),
        DiffFormat::Xlsx => {
            let path = request.output.map(Path::to_path_buf).unwrap_or_default();
            diff_xlsx_bytes(diff, &path, profile)?
        }
    };
    match request.output {
        Some(path) => {
            write_atomic(path, &bytes, request.force)?;
            Ok(Rendered::Written {
                path: path.to_path_buf(),
                summary: diff_render::summary_lines(diff, profile),
            })
        }
        None => Ok(Rendered::Stdout(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FiscalYear;
    use crate::profile::Lang;

    /// The seed's book (R6) and a copy of it under another name: two books to compare.
    fn two_books(dir: &Path, profile: &Profile) -> Vec<PathBuf> {
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/R6/資料2-2_R6.txt");
        let old = dir.join("R6.xlsx");
        crate::pipeline::consolidate(&[seed], FiscalYear(2024), &old, false, profile).unwrap();
        let new = dir.join("R6 copy.xlsx");
        std::fs::copy(&old, &new).unwrap();
        vec![old, new]
    }

    fn request<'a>(books: &'a [PathBuf], output: Option<&'a Path>) -> DiffRequest<'a> {
        DiffRequest {
            books,
            renames: None,
            output,
            format: None,
            color_terminal: true,
            force: false,
        }
    }

    #[test]
    fn the_format_follows_the_output_then_the_request_and_colour_only_on_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::builtin(Lang::Ja);
        let books = two_books(dir.path(), &profile);
        let (diff, _) = diff(&books, None, &profile).unwrap();

        // stdout: text by default, coloured for a terminal that takes colour
        let done = diff_command(&request(&books, None), &profile).unwrap();
        let Ok(Rendered::Stdout(bytes)) = done.rendered else {
            panic!("the diff for stdout");
        };
        assert_eq!(bytes, diff_render::text(&diff, &profile, true).into_bytes());
        assert!(bytes.contains(&0x1b), "coloured for a terminal");
        let plain = DiffRequest {
            color_terminal: false,
            format: Some(DiffFormat::Json),
            ..request(&books, None)
        };
        let Ok(Rendered::Stdout(bytes)) = diff_command(&plain, &profile).unwrap().rendered else {
            panic!("the diff for stdout");
        };
        assert_eq!(bytes, diff_render::json(&diff, &profile));

        // a file: its extension wins over --format, never coloured, the summary beside it
        let txt = dir.path().join("diff.txt");
        let to_file = DiffRequest {
            format: Some(DiffFormat::Csv),
            ..request(&books, Some(&txt))
        };
        let done = diff_command(&to_file, &profile).unwrap();
        let Ok(Rendered::Written { path, summary }) = done.rendered else {
            panic!("the diff written");
        };
        assert_eq!(path, txt);
        assert_eq!(summary, diff_render::summary_lines(&diff, &profile));
        let written = std::fs::read(&txt).unwrap();
        assert_eq!(
            written,
            diff_render::text(&diff, &profile, false).into_bytes()
        );
        assert!(!written.contains(&0x1b), "a file is never coloured");

        // an xlsx needs an output; an output of no known format names the ones there are
        let xlsx = DiffRequest {
            format: Some(DiffFormat::Xlsx),
            ..request(&books, None)
        };
        assert!(matches!(
            diff_command(&xlsx, &profile),
            Err(Error::DiffXlsxNeedsOutput)
        ));
        let pdf = dir.path().join("diff.pdf");
        assert!(matches!(
            diff_command(&request(&books, Some(&pdf)), &profile),
            Err(Error::UnknownOutputFormat { .. })
        ));
        assert!(!pdf.exists());
        // an existing output is kept without force
        assert!(diff_command(&to_file, &profile).is_err());
        assert_eq!(
            std::fs::read(&txt).unwrap(),
            diff_render::text(&diff, &profile, false).into_bytes()
        );
    }
}
