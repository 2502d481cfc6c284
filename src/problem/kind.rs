//! What can be wrong with an input: the kinds of problem, each carrying the values its
//! message shows, and how bad each is (a refusal: something not taken; a warning: taken,
//! worth a look).

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

impl ProblemKind {
    /// Whether this problem refuses one data row (as opposed to a file, a sheet or a
    /// column): such rows count as refused in the run's summary.
    pub fn refuses_a_row(&self) -> bool {
        matches!(
            self,
            ProblemKind::BadKey { .. }
                | ProblemKind::NumberKey { .. }
                | ProblemKind::MissingKey { .. }
                | ProblemKind::TooLongText { .. }
        )
    }

    /// How bad it is: a refusal unless it is one of the warnings.
    pub fn severity(&self) -> Severity {
        use ProblemKind::*;
        match self {
            TextValue { .. }
            | CellError { .. }
            | UnknownColumn { .. }
            | ProbableRename { .. }
            | FormOfAnotherDepartment { .. }
            | NotATable { .. }
            | KpirollBook { .. }
            | KpirollWorkingBook { .. }
            | KpirollDiff
            | PrevBookAmongReturns { .. }
            | FormsWithoutPrev { .. }
            | UnclosedQuote
            | StrayQuote
            | BadBytes { .. }
            | MoreBadBytes { .. }
            | MoreDoubtfulQuotes { .. }
            | FlagsDoNotFit { .. }
            | NoSection
            | NewRowMeasureNotFound { .. }
            | NewRowGoalNotFound { .. } => Severity::Warning,
            _ => Severity::Refusal,
        }
    }
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
