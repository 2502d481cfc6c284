//! Comparing a row with last year's by meaning, not by spelling.
//!
//! `１，０００` equals `1000`, `96.4%` equals `96.4` when the 単位 is %, `-` equals `—`,
//! surrounding and repeated spaces do not count, full-width letters equal half-width
//! ones. The result is a list of [`Change`]s, from which the 備考 flags follow.

use crate::model::{Row, Value, ValueKind};
use crate::profile::{Field, FlagWords, Profile};
use crate::value::nfkc;

/// One changed field of a row: its text last year and this year.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: Field,
    /// for [`Field::Extra`]: the city's column (`評価`)
    pub extra: Option<String>,
    pub old: String,
    pub new: String,
}

impl Change {
    /// The column as the user sees it: the layout header, or the extra column's name.
    pub fn label(&self, profile: &Profile) -> String {
        match &self.extra {
            Some(name) => name.clone(),
            None => crate::read::table::default_header(profile, self.field),
        }
    }
}

/// Text as compared: NFKC, trimmed, runs of whitespace made one space.
pub fn text_key(text: &str) -> String {
    nfkc(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two texts mean the same.
pub fn same_text(a: &str, b: &str) -> bool {
    // most fields are unchanged from year to year: equal text needs no normalising
    a == b || text_key(a) == text_key(b)
}

/// Whether two values mean the same, given the row's 単位.
pub fn same_value(a: &Value, b: &Value, unit: &str) -> bool {
    use ValueKind::*;
    let percent_unit = matches!(text_key(unit).as_str(), "%" | "パーセント");
    match (a.kind, b.kind) {
        (Blank, Blank) | (Na, Na) => true,
        (Number, Number) | (Percent, Percent) | (Ratio, Ratio) => a.number == b.number,
        (Number, Percent) | (Percent, Number) if percent_unit => a.number == b.number,
        (Text, Text) => same_text(&a.raw, &b.raw),
        _ => false,
    }
}

/// The fields compared for the change flags, in flag order.
pub const COMPARED: [Field; 6] = [
    Field::Departments,
    Field::Project,
    Field::Summary,
    Field::Kpi,
    Field::Unit,
    Field::Target,
];

/// Every compared field whose meaning changed from `prev` to `cur`.
pub fn changes(prev: &Row, cur: &Row, profile: &Profile) -> Vec<Change> {
    fn text<'r>(row: &'r Row, f: Field, profile: &Profile) -> std::borrow::Cow<'r, str> {
        crate::write::book::field_text(row, f, profile)
    }
    COMPARED
        .iter()
        .filter(|f| match f {
            Field::Departments => {
                prev.departments.len() != cur.departments.len()
                    || prev
                        .departments
                        .iter()
                        .zip(&cur.departments)
                        .any(|(a, b)| !same_text(a, b))
            }
            Field::Target => !same_value(&prev.target, &cur.target, &cur.unit),
            f => !same_text(&text(prev, **f, profile), &text(cur, **f, profile)),
        })
        .map(|f| Change {
            field: *f,
            extra: None,
            old: text(prev, *f, profile).into_owned(),
            new: text(cur, *f, profile).into_owned(),
        })
        .chain(extra_changes(prev, cur, profile))
        .collect()
}

/// The city's extra columns (基準値, 評価, 今後の方向性 …) whose meaning changed. Columns
/// named after a year relative to the book (`{year-1}実績値`) are history, not compared.
fn extra_changes(prev: &Row, cur: &Row, profile: &Profile) -> Vec<Change> {
    let blank = Value::blank();
    profile
        .layout
        .columns
        .iter()
        .filter(|c| c.field == Field::Extra)
        .filter_map(|c| c.name.as_deref().or(Some(c.header.as_str())))
        .filter(|name| !name.contains("{year"))
        .filter_map(|name| {
            let (a, b) = (
                prev.extra.get(name).unwrap_or(&blank),
                cur.extra.get(name).unwrap_or(&blank),
            );
            (!same_value(a, b, &cur.unit)).then(|| Change {
                field: Field::Extra,
                extra: Some(name.to_string()),
                old: a.raw.clone(),
                new: b.raw.clone(),
            })
        })
        .collect()
}

/// The 備考 flags of a row that is in last year's book: one per kind of change, then
/// the flags the department set itself (【事業休止】, 廃止). Flag words a return carried
/// over from last year are not kept: they are recomputed here.
pub fn flags_for(changes: &[Change], returned_flags: &[String], words: &FlagWords) -> Vec<String> {
    let has = |fields: &[Field]| changes.iter().any(|c| fields.contains(&c.field));
    let mut flags = Vec::new();
    for (fields, word) in [
        (&[Field::Departments][..], &words.department),
        (&[Field::Project][..], &words.project),
        (&[Field::Summary][..], &words.summary),
        (&[Field::Kpi, Field::Unit][..], &words.kpi),
        (&[Field::Target][..], &words.target),
    ] {
        if has(fields) {
            flags.push(word.clone());
        }
    }
    for own in words.set_by_department() {
        if returned_flags.contains(&own) {
            flags.push(own);
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;
    use crate::value::parse_value;

    #[test]
    fn values_compare_by_meaning() {
        let p = Profile::builtin(Lang::Ja).patterns;
        let v = |s: &str| parse_value(s, &p);
        assert!(same_value(&v("１，０００"), &v("1000"), "人"));
        assert!(same_value(&v("96.4%"), &v("96.4"), "%"));
        assert!(!same_value(&v("96.4%"), &v("96.4"), "人"));
        assert!(same_value(&v("-"), &v("—"), "件"));
        assert!(same_value(&v(" 集計中 "), &v("集計中"), "件"));
        assert!(!same_value(&v("350"), &v("400"), "人"));
        assert!(!same_value(&v(""), &v("0"), "人"));
        assert!(same_text("ＫＰＩ  変更", "KPI 変更"));
    }
}
