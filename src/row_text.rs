//! How a row reads through the city profile: the text each column shows (a list
//! joined with the profile's separator, 備考 with its flags, an extra column's value).
//! The book writer, the comparisons and the diff all read a row this way, so a row
//! shows and compares the same everywhere.

use std::borrow::Cow;

use crate::model::{Row, Value};
use crate::profile::{Field, Profile};
use crate::value::join_remarks;

/// The text a column shows for a row (an extra column: its value's raw text),
/// borrowed from the row where it is one field as it is.
pub fn column_text<'r>(
    row: &'r Row,
    column: &crate::profile::Column,
    profile: &Profile,
) -> Cow<'r, str> {
    column_text_in(row, column, row.year, profile)
}

/// [`column_text`] in a book of `year` (a form for next year shows this row's 実績値 in
/// the column of `{year-1}`).
pub fn column_text_in<'r>(
    row: &'r Row,
    column: &crate::profile::Column,
    year: crate::model::FiscalYear,
    profile: &Profile,
) -> Cow<'r, str> {
    match (column.extra_key(year), &column.format) {
        (Some(key), _) => {
            extra_value(row, &key, profile).map_or(Cow::Borrowed(""), |v| Cow::Borrowed(&v.raw))
        }
        (None, Some(format)) if column.field == Field::Measure && !row.measure.is_empty() => {
            Cow::Owned(
                format
                    .replace("{no}", &row.measure_no)
                    .replace("{name}", &row.measure),
            )
        }
        (None, _) => field_text(row, column.field, profile),
    }
}

/// An extra value of a row by name; the name of the row's own year's 実績値 column
/// (`R6実績値` for a row of R6) gives its actual.
pub fn extra_value<'a>(row: &'a Row, key: &str, profile: &Profile) -> Option<&'a Value> {
    row.extra.get(key).or_else(|| {
        let actual = profile.column_of(Field::Actual)?;
        let header = &profile.layout.columns[actual].header;
        (crate::profile::year_placeholders(header, row.year) == key).then_some(&row.actual)
    })
}

/// The text a text column shows for a row (an extra column's: see [`column_text`]),
/// borrowed from the row where it is one field as it is.
pub fn field_text<'r>(row: &'r Row, field: Field, profile: &Profile) -> Cow<'r, str> {
    let sep = &profile.patterns.department_separator;
    /// a list joined, borrowed when it has one item
    fn joined<'r>(items: &'r [String], sep: &str) -> Cow<'r, str> {
        match items {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(one),
            _ => Cow::Owned(items.join(sep)),
        }
    }
    match field {
        Field::GoalTargets => joined(&row.goal_targets, "\n"),
        Field::MeasureNo => Cow::Borrowed(&row.measure_no),
        Field::Measure => Cow::Borrowed(&row.measure),
        Field::MeasureKpi => Cow::Borrowed(&row.measure_kpi),
        Field::Departments => joined(&row.departments, sep),
        Field::Project => Cow::Borrowed(&row.project),
        Field::ProjectNos if row.project_nos_note.is_empty() => joined(&row.project_nos, " "),
        Field::ProjectNos => Cow::Owned(format!(
            "{}{}",
            row.project_nos.join(" "),
            row.project_nos_note
        )),
        Field::Summary => Cow::Borrowed(&row.summary),
        Field::Kpi => Cow::Borrowed(&row.kpi),
        Field::Unit => Cow::Borrowed(&row.unit),
        Field::Target => Cow::Borrowed(&row.target.raw),
        Field::Actual => Cow::Borrowed(&row.actual.raw),
        Field::Remarks if row.flags.is_empty() => Cow::Borrowed(&row.remarks),
        Field::Remarks => Cow::Owned(join_remarks(&row.flags, &row.remarks)),
        Field::Extra => Cow::Borrowed(""),
    }
}
