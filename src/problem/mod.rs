//! Non-fatal problems with the inputs, located to the cell, collected over the whole run.
//!
//! A [`Problem`] says where (file, sheet, A1 cell, the header the user sees) and what
//! (a [`ProblemKind`] carrying the data of the message). The text comes from the message
//! catalogue in `templates/messages.*.toml`, so every sentence lives in one file.
//! A refusal means something was not taken (exit status 1); a warning means it was
//! taken with something to check.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::profile::Profile;

/// `text` as it may be shown on a terminal: control characters that would move the
/// cursor, clear the screen, set the window title, hide text or start a new line (a
/// forged report line) are shown escaped (`\x1b`, `\n`, `\r`, `\u{202e}`); a tab stays.
/// Every message kpiroll prints and diff's text report go through it.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if hidden(c) && u32::from(c) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A place in an input: a file, a sheet of it, or a cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    /// `None` for text files (CSV/TSV) and for problems with the whole file
    pub sheet: Option<String>,
    /// 0-based absolute (row, column); shown as A1
    pub cell: Option<(u32, u16)>,
}

impl Location {
    pub fn file(file: &Path) -> Location {
        Location {
            file: file.to_path_buf(),
            sheet: None,
            cell: None,
        }
    }

    pub fn cell(file: &Path, sheet: Option<&str>, row: u32, col: u16) -> Location {
        Location {
            file: file.to_path_buf(),
            sheet: sheet.map(str::to_string),
            cell: Some((row, col)),
        }
    }

    /// `B14`
    pub fn a1(&self) -> Option<String> {
        self.cell
            .map(|(r, c)| rust_xlsxwriter::utility::row_col_to_cell(r, c))
    }
}

impl fmt::Display for Location {
    /// `産学振興課.xlsx!入力!K12`: the file's name, the sheet, the cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .file
            .file_name()
            .map_or_else(|| self.file.to_string_lossy(), |n| n.to_string_lossy());
        write!(f, "{name}")?;
        if let Some(sheet) = &self.sheet {
            write!(f, "!{sheet}")?;
        }
        if let Some(a1) = self.a1() {
            write!(f, "!{a1}")?;
        }
        Ok(())
    }
}

/// What is wrong. Each variant carries the values its message shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// the file is not a workbook or text table kpiroll can read: why (each reason has
    /// its own message), and what the library said when that helps (else "")
    Unreadable { why: Unreadable, detail: String },
    /// the workbook is encrypted (password to open)
    Encrypted,
    /// the file has no cell with text
    Empty,
    /// no sheet has a header row
    NoHeader,
    /// a required column is not in the header row
    MissingColumn { header: String },
    /// the header's year is not the year asked for
    YearMismatch {
        header: String,
        found: String,
        expected: String,
    },
    /// a 事務事業番号 that does not have the key's shape
    BadKey {
        header: String,
        value: String,
        shape: String,
    },
    /// a 事務事業番号 typed into a number cell (`411.6`, which a `0` format shows as `412`)
    NumberKey {
        header: String,
        number: String,
        shape: String,
    },
    /// a row with data but no 事務事業番号
    MissingKey { header: String },
    /// a text longer than an Excel cell holds: the row could not be written
    TooLongText {
        header: String,
        chars: usize,
        max: usize,
    },
    /// text where a number belongs: kept as text
    TextValue { header: String, value: String },
    /// a cell Excel shows as an error (`#REF!`)
    CellError { header: String, value: String },
    /// a column the layout does not know: not read
    UnknownColumn { header: String },
    /// the same key twice with different values; `other` is where it was first seen
    Conflict { key: String, other: String },
    /// one cell of a conflict: what this copy says, and what the copy at `other` says
    ConflictCell {
        header: String,
        value: String,
        other: String,
        other_value: String,
    },
    /// a row before any 基本目標 section row
    NoSection,
    /// a new project whose 施策 last year's book does not have: placed at the end of
    /// its 基本目標 (`goal`, as its section row shows it)
    NewRowMeasureNotFound {
        key: String,
        measure: String,
        goal: String,
    },
    /// a new project whose 施策 and 基本目標 last year's book does not have: placed at
    /// the end of the book, under `goal`
    NewRowGoalNotFound {
        key: String,
        measure: String,
        goal: String,
    },
    /// more input files than `--max-files`: each one beyond it is refused
    TooManyFiles { max: usize },
    /// a cell beyond the rows and columns considered per sheet refuses its file
    FarCell { max_rows: u32, max_cols: u16 },
    /// a part of an xlsx / ods that would inflate beyond the limit (a zip bomb)
    PartTooLarge {
        part: String,
        mib: u64,
        max_mib: u64,
    },
    /// a file holding more text and cells than the budget: at the cell where it went
    /// over, or (`part`) in an xlsx's shared strings, which are read before any cell
    TooMuchText { max_mib: u64, part: Option<String> },
    /// a file whose merged areas cover more cells than the budget, at the area that went
    /// over
    TooManyMerged { max: u64 },
    /// the parts a file's sheets need, read together, inflate beyond the budget (a part
    /// listed for twenty sheets counts twenty times)
    TooMuchRead { mib: u64, max_mib: u64 },
    /// a part of a workbook that is not well-formed XML (a tag not closed, a character
    /// XML does not allow): the file is refused, never read halfway
    Malformed { part: String },
    /// every row of a 課 in last year's book came back under one other name
    ProbableRename { from: String, to: String },
    /// a rollover form of another year than the one being read
    FormWrongYear { found: String, expected: String },
    /// a form made for one 課 holding none of that 課's rows
    FormOfAnotherDepartment { department: String },
    /// a file in an input folder that is no table kpiroll reads (a PDF, an image): not
    /// read; `ext` is its extension, lower case ("" when none)
    NotATable { ext: String },
    /// a book kpiroll wrote among the returns (last run's output saved there): not read
    KpirollBook { year: String },
    /// a working book kpiroll wrote among the returns: not read
    KpirollWorkingBook { year: String },
    /// a diff report kpiroll wrote among the returns: not read
    KpirollDiff,
    /// last year's book among the returns: not read, it belongs to `--prev`
    PrevBookAmongReturns { year: String },
    /// rollover forms consolidated without last year's book: the book they came from
    /// (its fingerprint, and its file name when the form says), and how many forms
    FormsWithoutPrev {
        forms: usize,
        source: String,
        book: String,
    },
    /// a path among the inputs that is not read: a link inside a folder, a named pipe
    /// or device, a folder reached twice
    Skipped { why: Skip },
    /// a text file's field opens a quote that is not closed at the field's end: read as
    /// the text it holds, up to its delimiter
    UnclosedQuote,
    /// a text file's field has text after its closing quote: read as written
    StrayQuote,
    /// bytes the text file's encoding cannot read (the first ones of the line, in hex):
    /// read as U+FFFD
    BadBytes { encoding: String, bytes: String },
    /// more lines with unreadable bytes than are listed one by one
    MoreBadBytes { lines: usize },
    /// more fields with a doubtful quote than are listed one by one
    MoreDoubtfulQuotes { fields: usize },
    /// a rollover form that could not be written (the others were)
    FormNotWritten { department: String, reason: String },
    /// 備考 with the change flags added would be longer than an Excel cell holds: the
    /// department's text is kept whole and the flags are not written
    FlagsDoNotFit { header: String, flags: String },
}

/// Why a file could not be read at all; each has its own message (`unreadable_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// the file could not be opened or read (the detail says why)
    Io,
    /// a workbook's extension, but the bytes are text (a CSV renamed .xlsx)
    TextNamedAsWorkbook,
    /// neither a workbook nor text
    NotTable,
    /// a zip, but not a workbook (a .docx, a folder zipped and renamed)
    OtherZip,
    /// an Excel binary workbook (.xlsb), which kpiroll does not read
    Xlsb,
    /// the bytes stop before the end of the file (a copy or a mail cut short)
    Truncated,
    /// a workbook whose inside is damaged (the detail says what the library found)
    Damaged,
}

impl Unreadable {
    /// The message id in the catalogue.
    pub fn message_id(self) -> &'static str {
        match self {
            Unreadable::Io => "unreadable",
            Unreadable::TextNamedAsWorkbook => "unreadable_text",
            Unreadable::NotTable => "unreadable_binary",
            Unreadable::OtherZip => "unreadable_zip",
            Unreadable::Xlsb => "unreadable_xlsb",
            Unreadable::Truncated => "unreadable_truncated",
            Unreadable::Damaged => "unreadable_damaged",
        }
    }
}

/// Why a path found among the inputs is not read (listed as skipped, with its reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// a symbolic link inside a folder: not followed (it may lead out of the folder, to
    /// a device, or round in a loop); a link named on the command line is followed
    Link,
    /// a folder already walked, reached again (a bind mount or a loop of folders)
    Loop,
    /// not a regular file: a named pipe (FIFO), a device, a socket
    NotRegular,
    /// a file in a folder that is no table kpiroll reads (a PDF, an image): reported
    /// as [`ProblemKind::NotATable`], with its extension
    NotATable,
}

impl Skip {
    /// The message id in the catalogue.
    pub fn message_id(self) -> &'static str {
        match self {
            Skip::Link => "skipped_link",
            Skip::Loop => "skipped_loop",
            Skip::NotRegular => "skipped_not_regular",
            Skip::NotATable => "not_a_table",
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// taken, but worth a look
    Warning,
    /// something was not taken: exit status 1
    Refusal,
}

/// One located problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Location,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(at: Location, kind: ProblemKind) -> Problem {
        Problem { at, kind }
    }

    /// Whether this problem refused one data row (as opposed to a file, a sheet or a
    /// column): such rows count as refused in the run's summary.
    pub fn refuses_a_row(&self) -> bool {
        matches!(
            self.kind,
            ProblemKind::BadKey { .. }
                | ProblemKind::NumberKey { .. }
                | ProblemKind::MissingKey { .. }
                | ProblemKind::TooLongText { .. }
        )
    }

    pub fn severity(&self) -> Severity {
        match self.kind {
            ProblemKind::TextValue { .. }
            | ProblemKind::CellError { .. }
            | ProblemKind::UnknownColumn { .. }
            | ProblemKind::ProbableRename { .. }
            | ProblemKind::FormOfAnotherDepartment { .. }
            | ProblemKind::NotATable { .. }
            | ProblemKind::KpirollBook { .. }
            | ProblemKind::KpirollWorkingBook { .. }
            | ProblemKind::KpirollDiff
            | ProblemKind::PrevBookAmongReturns { .. }
            | ProblemKind::FormsWithoutPrev { .. }
            | ProblemKind::UnclosedQuote
            | ProblemKind::StrayQuote
            | ProblemKind::BadBytes { .. }
            | ProblemKind::MoreBadBytes { .. }
            | ProblemKind::MoreDoubtfulQuotes { .. }
            | ProblemKind::FlagsDoNotFit { .. }
            | ProblemKind::NoSection
            | ProblemKind::NewRowMeasureNotFound { .. }
            | ProblemKind::NewRowGoalNotFound { .. } => Severity::Warning,
            _ => Severity::Refusal,
        }
    }

    /// The message id in the catalogue and the values for its holes.
    fn message_args(&self) -> (&'static str, Vec<(&'static str, String)>) {
        use ProblemKind::*;
        match &self.kind {
            Unreadable { why, detail } => (why.message_id(), vec![("reason", detail.clone())]),
            Encrypted => ("encrypted", vec![]),
            Empty => ("empty", vec![]),
            NoHeader => ("no_header", vec![]),
            MissingColumn { header } => ("missing_column", vec![("header", header.clone())]),
            YearMismatch {
                header,
                found,
                expected,
            } => (
                "year_mismatch",
                vec![
                    ("header", header.clone()),
                    ("found", found.clone()),
                    ("expected", expected.clone()),
                ],
            ),
            BadKey {
                header,
                value,
                shape,
            } => (
                "bad_key",
                vec![
                    ("header", header.clone()),
                    ("value", value.clone()),
                    ("shape", shape.clone()),
                ],
            ),
            NumberKey {
                header,
                number,
                shape,
            } => (
                "number_key",
                vec![
                    ("header", header.clone()),
                    ("number", number.clone()),
                    ("shape", shape.clone()),
                ],
            ),
            MissingKey { header } => ("missing_key", vec![("header", header.clone())]),
            TooLongText { header, chars, max } => (
                "too_long_text",
                vec![
                    ("header", header.clone()),
                    ("chars", chars.to_string()),
                    ("max", max.to_string()),
                ],
            ),
            TextValue { header, value } => (
                "text_value",
                vec![("header", header.clone()), ("value", value.clone())],
            ),
            CellError { header, value } => (
                "cell_error",
                vec![("header", header.clone()), ("value", value.clone())],
            ),
            UnknownColumn { header } => ("unknown_column", vec![("header", header.clone())]),
            Conflict { key, other } => (
                "conflict",
                vec![("key", key.clone()), ("other", other.clone())],
            ),
            ConflictCell {
                header,
                value,
                other,
                other_value,
            } => (
                "conflict_cell",
                vec![
                    ("header", header.clone()),
                    ("value", value.clone()),
                    ("other", other.clone()),
                    ("other_value", other_value.clone()),
                ],
            ),
            NoSection => ("no_section", vec![]),
            NewRowMeasureNotFound { key, measure, goal } => (
                "new_row_measure_not_found",
                vec![
                    ("key", key.clone()),
                    ("measure", measure.clone()),
                    ("goal", goal.clone()),
                ],
            ),
            NewRowGoalNotFound { key, measure, goal } => (
                "new_row_goal_not_found",
                vec![
                    ("key", key.clone()),
                    ("measure", measure.clone()),
                    ("goal", goal.clone()),
                ],
            ),
            TooManyFiles { max } => ("too_many_files", vec![("max", max.to_string())]),
            FarCell { max_rows, max_cols } => (
                "far_cell",
                vec![
                    ("rows", max_rows.to_string()),
                    ("cols", max_cols.to_string()),
                ],
            ),
            PartTooLarge { part, mib, max_mib } => (
                "part_too_large",
                vec![
                    ("part", part.clone()),
                    ("mib", mib.to_string()),
                    ("max", max_mib.to_string()),
                ],
            ),
            TooMuchText {
                max_mib,
                part: None,
            } => ("too_much_text", vec![("max", max_mib.to_string())]),
            TooMuchText {
                max_mib,
                part: Some(part),
            } => (
                "too_much_text_part",
                vec![("max", max_mib.to_string()), ("part", part.clone())],
            ),
            TooManyMerged { max } => ("too_many_merged", vec![("max", max.to_string())]),
            TooMuchRead { mib, max_mib } => (
                "too_much_read",
                vec![("mib", mib.to_string()), ("max", max_mib.to_string())],
            ),
            Malformed { part } => ("malformed_xml", vec![("part", part.clone())]),
            ProbableRename { from, to } => (
                "probable_rename",
                vec![("from", from.clone()), ("to", to.clone())],
            ),
            FormWrongYear { found, expected } => (
                "form_wrong_year",
                vec![("found", found.clone()), ("expected", expected.clone())],
            ),
            FormOfAnotherDepartment { department } => (
                "form_other_department",
                vec![("department", department.clone())],
            ),
            NotATable { ext } if ext.is_empty() => ("not_a_table_no_ext", vec![]),
            NotATable { ext } => ("not_a_table", vec![("ext", ext.clone())]),
            KpirollBook { year } => ("output_book", vec![("year", year.clone())]),
            KpirollWorkingBook { year } => ("output_working", vec![("year", year.clone())]),
            KpirollDiff => ("output_diff", vec![]),
            PrevBookAmongReturns { year } => ("output_prev_book", vec![("year", year.clone())]),
            FormsWithoutPrev {
                forms,
                source,
                book,
            } => (
                if book.is_empty() {
                    "forms_without_prev_unnamed"
                } else {
                    "forms_without_prev"
                },
                vec![
                    ("forms", forms.to_string()),
                    ("source", source.clone()),
                    ("book", book.clone()),
                ],
            ),
            Skipped { why } => (why.message_id(), vec![]),
            UnclosedQuote => ("unclosed_quote", vec![]),
            StrayQuote => ("stray_quote", vec![]),
            BadBytes { encoding, bytes } => (
                "bad_bytes",
                vec![("encoding", encoding.clone()), ("bytes", bytes.clone())],
            ),
            MoreBadBytes { lines } => ("more_bad_bytes", vec![("lines", lines.to_string())]),
            MoreDoubtfulQuotes { fields } => {
                ("more_doubtful_quotes", vec![("fields", fields.to_string())])
            }
            FormNotWritten { department, reason } => (
                "form_not_written",
                vec![
                    ("department", department.clone()),
                    ("reason", reason.clone()),
                ],
            ),
            FlagsDoNotFit { header, flags } => (
                "flags_do_not_fit",
                vec![("header", header.clone()), ("flags", flags.clone())],
            ),
        }
    }

    /// The message alone, without location and level (for logs that show those apart).
    pub fn text(&self, profile: &Profile) -> String {
        let (id, args) = self.message_args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        profile.message(id, &args)
    }

    /// `産学振興課.xlsx!入力!K12: 事務事業番号「57117」は NNN-N の形ではありません…`
    pub fn render(&self, profile: &Profile) -> String {
        let (id, args) = self.message_args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let level = match self.severity() {
            Severity::Refusal => profile.message("refused", &[]),
            Severity::Warning => profile.message("warning", &[]),
        };
        let line = format!("{}: {level}: {}", self.at, profile.message(id, &args));
        shown(&line).into_owned()
    }
}

/// Problems collected over a run, in input order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn push(&mut self, at: Location, kind: ProblemKind) {
        self.problems.push(Problem::new(at, kind));
    }

    pub fn extend(&mut self, other: Report) {
        self.problems.extend(other.problems);
    }

    pub fn refusals(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity() == Severity::Refusal)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity() == Severity::Warning)
            .count()
    }

    /// Every problem, one line each, grouped by file (stable: input order).
    pub fn render(&self, profile: &Profile) -> String {
        let mut files: Vec<&PathBuf> = Vec::new();
        for p in &self.problems {
            if !files.contains(&&p.at.file) {
                files.push(&p.at.file);
            }
        }
        let mut out = String::new();
        for file in files {
            for p in self.problems.iter().filter(|p| &p.at.file == file) {
                out.push_str(&p.render(profile));
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("産学振興課\tR7"), "産学振興課\tR7");
        assert_eq!(
            shown("a\u{1b}]0;x\u{7}b\u{1b}[2J\nc\rd\u{202e}e\u{85}"),
            "a\\x1b]0;x\\x07b\\x1b[2J\\nc\\rd\\u{202e}e\\x85"
        );
    }

    #[test]
    fn message_names_file_sheet_cell_and_header() {
        let p = Problem::new(
            Location::cell(Path::new("returns/産学振興課.xlsx"), Some("入力"), 11, 10),
            ProblemKind::BadKey {
                header: "事務事業番号".into(),
                value: "57117".into(),
                shape: "NNN-N".into(),
            },
        );
        let text = p.render(&Profile::builtin(Lang::Ja));
        assert!(text.starts_with("産学振興課.xlsx!入力!K12: "), "{text}");
        assert!(!text.contains('\n'));
        assert!(
            text.contains("事務事業番号「57117」は NNN-N の形ではありません"),
            "{text}"
        );
        let en = p.render(&Profile::builtin(Lang::En));
        assert!(en.contains("57117"), "{en}");
    }
}
