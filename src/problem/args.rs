//! Each problem kind's message in the catalogue (`templates/messages.*.toml`): its id
//! and the values for its holes. The kinds are taken by family: the file as a whole,
//! what one input may cost, the header and the cells, text files, and how rows meet
//! (copies of a row, last year's book) and the rollover forms.

use super::kind::ProblemKind;

/// The values for a message's holes, by the holes' names.
pub type Args = Vec<(&'static str, String)>;

/// The message id in the catalogue and the values for its holes. Every kind is routed
/// to its family here, so a new kind does not compile until it has one.
pub fn message_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
        Unreadable { .. }
        | Encrypted
        | Empty
        | NoHeader
        | Malformed { .. }
        | Skipped { .. }
        | NotATable { .. }
        | KpirollBook { .. }
        | KpirollWorkingBook { .. }
        | KpirollDiff
        | PrevBookAmongReturns { .. } => file_args(kind),
        TooManyFiles { .. }
        | FarCell { .. }
        | PartTooLarge { .. }
        | TooMuchText { .. }
        | TooManyMerged { .. }
        | TooMuchRead { .. } => limit_args(kind),
        MissingColumn { .. }
        | YearMismatch { .. }
        | UnknownColumn { .. }
        | BadKey { .. }
        | NumberKey { .. }
        | MissingKey { .. }
        | TooLongText { .. }
        | TextValue { .. }
        | CellError { .. }
        | NoSection
        | FlagsDoNotFit { .. } => cell_args(kind),
        UnclosedQuote
        | StrayQuote
        | BadBytes { .. }
        | MoreBadBytes { .. }
        | MoreDoubtfulQuotes { .. } => text_args(kind),
        Conflict { .. }
        | ConflictCell { .. }
        | NewRowMeasureNotFound { .. }
        | NewRowGoalNotFound { .. }
        | ProbableRename { .. } => rows_args(kind),
        FormWrongYear { .. }
        | FormOfAnotherDepartment { .. }
        | FormsWithoutPrev { .. }
        | FormNotWritten { .. } => form_args(kind),
    }
}

/// A kind routed to a family that does not hold it: a mistake in [`message_args`].
fn not_in_family(family: &str, kind: &ProblemKind) -> ! {
    unreachable!("{kind:?} routed to the {family} problems")
}

/// The file as a whole: not readable, not well-formed, or not a return at all.
fn file_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
        Unreadable { why, detail } => (why.message_id(), vec![("reason", detail.clone())]),
        Encrypted => ("encrypted", vec![]),
        Empty => ("empty", vec![]),
        NoHeader => ("no_header", vec![]),
        Malformed { part } => ("malformed_xml", vec![("part", part.clone())]),
        Skipped { why } => (why.message_id(), vec![]),
        NotATable { ext } if ext.is_empty() => ("not_a_table_no_ext", vec![]),
        NotATable { ext } => ("not_a_table", vec![("ext", ext.clone())]),
        KpirollBook { year } => ("output_book", vec![("year", year.clone())]),
        KpirollWorkingBook { year } => ("output_working", vec![("year", year.clone())]),
        KpirollDiff => ("output_diff", vec![]),
        PrevBookAmongReturns { year } => ("output_prev_book", vec![("year", year.clone())]),
        _ => not_in_family("file", kind),
    }
}

/// What one input may cost (`limits.toml`): files, cells, inflated parts, text, merges.
fn limit_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
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
        _ => not_in_family("limit", kind),
    }
}

/// The header and the cells under it, each named by the header the user sees.
fn cell_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    let header = |header: &String| ("header", header.clone());
    match kind {
        MissingColumn { header: h } => ("missing_column", vec![header(h)]),
        YearMismatch {
            header: h,
            found,
            expected,
        } => (
            "year_mismatch",
            vec![
                header(h),
                ("found", found.clone()),
                ("expected", expected.clone()),
            ],
        ),
        UnknownColumn { header: h } => ("unknown_column", vec![header(h)]),
        BadKey {
            header: h,
            value,
            shape,
        } => (
            "bad_key",
            vec![
                header(h),
                ("value", value.clone()),
                ("shape", shape.clone()),
            ],
        ),
        NumberKey {
            header: h,
            number,
            shape,
        } => (
            "number_key",
            vec![
                header(h),
                ("number", number.clone()),
                ("shape", shape.clone()),
            ],
        ),
        MissingKey { header: h } => ("missing_key", vec![header(h)]),
        TooLongText {
            header: h,
            chars,
            max,
        } => (
            "too_long_text",
            vec![
                header(h),
                ("chars", chars.to_string()),
                ("max", max.to_string()),
            ],
        ),
        TextValue { header: h, value } => ("text_value", vec![header(h), ("value", value.clone())]),
        CellError { header: h, value } => ("cell_error", vec![header(h), ("value", value.clone())]),
        NoSection => ("no_section", vec![]),
        FlagsDoNotFit { header: h, flags } => (
            "flags_do_not_fit",
            vec![header(h), ("flags", flags.clone())],
        ),
        _ => not_in_family("cell", kind),
    }
}

/// A text file's quotes and bytes.
fn text_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
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
        _ => not_in_family("text file", kind),
    }
}

/// How rows meet: copies of one row that differ, new rows placed in last year's book,
/// a 課 renamed.
fn rows_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
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
        ProbableRename { from, to } => (
            "probable_rename",
            vec![("from", from.clone()), ("to", to.clone())],
        ),
        _ => not_in_family("rows", kind),
    }
}

/// The rollover forms among the returns, and a form that could not be written.
fn form_args(kind: &ProblemKind) -> (&'static str, Args) {
    use ProblemKind::*;
    match kind {
        FormWrongYear { found, expected } => (
            "form_wrong_year",
            vec![("found", found.clone()), ("expected", expected.clone())],
        ),
        FormOfAnotherDepartment { department } => (
            "form_other_department",
            vec![("department", department.clone())],
        ),
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
        FormNotWritten { department, reason } => (
            "form_not_written",
            vec![
                ("department", department.clone()),
                ("reason", reason.clone()),
            ],
        ),
        _ => not_in_family("form", kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Skip, Unreadable as Why};
    use crate::profile::{Lang, Profile};
    use ProblemKind::*;

    fn s(text: &str) -> String {
        text.to_string()
    }

    /// One of every problem kind, by family as [`message_args`] routes them (each reason
    /// of the unreadable and skipped ones, each form of a kind whose message depends on
    /// its data).
    fn every_kind() -> Vec<ProblemKind> {
        let mut kinds = file_kinds();
        kinds.extend(limit_kinds());
        kinds.extend(cell_kinds());
        kinds.extend(text_kinds());
        kinds.extend(row_and_form_kinds());
        kinds
    }

    fn file_kinds() -> Vec<ProblemKind> {
        let whys = [
            Why::Io,
            Why::TextNamedAsWorkbook,
            Why::NotTable,
            Why::OtherZip,
            Why::Xlsb,
            Why::Truncated,
            Why::Damaged,
        ];
        let mut kinds: Vec<ProblemKind> = whys
            .into_iter()
            .map(|why| Unreadable {
                why,
                detail: s("zip: invalid"),
            })
            .collect();
        // a file that is no table is reported as `NotATable`, with its extension
        let skips = [Skip::Link, Skip::Loop, Skip::NotRegular];
        kinds.extend(skips.into_iter().map(|why| Skipped { why }));
        kinds.extend([
            Encrypted,
            Empty,
            NoHeader,
            Malformed {
                part: s("xl/workbook.xml"),
            },
            NotATable { ext: s("pdf") },
            NotATable { ext: s("") },
            KpirollBook { year: s("R7") },
            KpirollWorkingBook { year: s("R7") },
            KpirollDiff,
            PrevBookAmongReturns { year: s("R6") },
        ]);
        kinds
    }

    fn limit_kinds() -> Vec<ProblemKind> {
        vec![
            TooManyFiles { max: 500 },
            FarCell {
                max_rows: 100000,
                max_cols: 200,
            },
            PartTooLarge {
                part: s("xl/worksheets/sheet1.xml"),
                mib: 900,
                max_mib: 512,
            },
            TooMuchText {
                max_mib: 256,
                part: None,
            },
            TooMuchText {
                max_mib: 256,
                part: Some(s("xl/sharedStrings.xml")),
            },
            TooManyMerged { max: 1000000 },
            TooMuchRead {
                mib: 2048,
                max_mib: 1024,
            },
        ]
    }

    fn cell_kinds() -> Vec<ProblemKind> {
        let key = || s("事務事業番号");
        vec![
            MissingColumn { header: s("KPI") },
            YearMismatch {
                header: s("R6実績値"),
                found: s("R6"),
                expected: s("R7"),
            },
            UnknownColumn {
                header: s("メモ")
            },
            BadKey {
                header: key(),
                value: s("57117"),
                shape: s("NNN-N"),
            },
            NumberKey {
                header: key(),
                number: s("411.6"),
                shape: s("NNN-N"),
            },
            MissingKey { header: key() },
            TooLongText {
                header: s("事業概要"),
                chars: 40000,
                max: 32767,
            },
            TextValue {
                header: s("目標値"),
                value: s("約10"),
            },
            CellError {
                header: s("実績値"),
                value: s("#REF!"),
            },
            NoSection,
            FlagsDoNotFit {
                header: s("備考"),
                flags: s("新規 目標値変更"),
            },
        ]
    }

    fn text_kinds() -> Vec<ProblemKind> {
        vec![
            UnclosedQuote,
            StrayQuote,
            BadBytes {
                encoding: s("Shift_JIS"),
                bytes: s("82 a0"),
            },
            MoreBadBytes { lines: 12 },
            MoreDoubtfulQuotes { fields: 7 },
        ]
    }

    fn row_and_form_kinds() -> Vec<ProblemKind> {
        let forms_without_prev = |book: &str| FormsWithoutPrev {
            forms: 3,
            source: s("ab12cd34"),
            book: s(book),
        };
        vec![
            Conflict {
                key: s("101-1"),
                other: s("a.xlsx!入力!A5"),
            },
            ConflictCell {
                header: s("目標値"),
                value: s("10"),
                other: s("a.xlsx!入力!H5"),
                other_value: s("12"),
            },
            NewRowMeasureNotFound {
                key: s("901-1"),
                measure: s("新しい施策"),
                goal: s("Ⅰ"),
            },
            NewRowGoalNotFound {
                key: s("902-1"),
                measure: s("別の施策"),
                goal: s("Ⅸ"),
            },
            ProbableRename {
                from: s("企画課"),
                to: s("政策企画課"),
            },
            FormWrongYear {
                found: s("R6"),
                expected: s("R7"),
            },
            FormOfAnotherDepartment {
                department: s("産学振興課"),
            },
            forms_without_prev("R6.xlsx"),
            forms_without_prev(""),
            FormNotWritten {
                department: s("産学振興課"),
                reason: s("disk full"),
            },
        ]
    }

    #[test]
    fn every_kind_has_its_message_in_both_catalogues_with_every_hole_filled() {
        let hole = regex::Regex::new(r"\{[a-z_]+\}").unwrap();
        for lang in [Lang::Ja, Lang::En] {
            let profile = Profile::builtin(lang);
            for kind in &every_kind() {
                let (id, args) = message_args(kind);
                let template = profile.messages.0.get(id);
                assert!(template.is_some(), "{lang:?}: no message {id} for {kind:?}");
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let text = profile.message(id, &args);
                assert!(!hole.is_match(&text), "{lang:?}: {id} left a hole: {text}");
                for (name, value) in &args {
                    let used = template.is_some_and(|t| t.contains(&format!("{{{name}}}")));
                    assert!(
                        !used || text.contains(value),
                        "{lang:?}: {id} does not show its {name}: {text}"
                    );
                }
            }
        }
    }
}
