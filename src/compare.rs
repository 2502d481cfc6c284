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
        crate::row_text::field_text(row, f, profile)
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

/// The city's extra columns marked `compared = true` in layout.toml (a 基準値) whose
/// meaning changed. A column of one year (評価, 今後の方向性: the default) is not: its
/// difference from last year is no change of the project. Columns named after a year
/// relative to the book (`{year-1}実績値`) are history, never compared.
fn extra_changes(prev: &Row, cur: &Row, profile: &Profile) -> Vec<Change> {
    let blank = Value::blank();
    profile
        .layout
        .columns
        .iter()
        .filter(|c| c.field == Field::Extra && c.compared)
        .map(|c| (c.name.as_deref().unwrap_or(&c.header), c.carried))
        .filter(|(name, _)| !name.contains("{year"))
        .filter_map(|(name, carried)| {
            let (a, b) = (
                prev.extra.get(name).unwrap_or(&blank),
                cur.extra.get(name).unwrap_or(&blank),
            );
            // a carried column left blank keeps last year's value: no change
            let kept = carried && b.kind == ValueKind::Blank;
            (!kept && !same_value(a, b, &cur.unit)).then(|| Change {
                field: Field::Extra,
                extra: Some(name.to_string()),
                old: a.raw.clone(),
                new: b.raw.clone(),
            })
        })
        .collect()
}

/// A field two copies of one row both state and mean differently: its text in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Differs {
    /// `None`: the 基本目標 (a section row above the row, not a cell of it)
    pub field: Option<Field>,
    /// for [`Field::Extra`]: the city's column (`評価`)
    pub extra: Option<String>,
    /// the text in the copy kept
    pub kept: String,
    /// the text in the other copy
    pub other: String,
}

/// Two copies of one key (a joint project returned by each of its 課) compared on what
/// both state, by meaning: a field one copy leaves blank or cannot know (the 基本目標 of a
/// return without section rows, a column the return does not have) is no difference.
/// The differences, in column order (the goal first).
pub fn copy_differences(kept: &Row, other: &Row, profile: &Profile) -> Vec<Differs> {
    let mut out = Vec::new();
    structure_differences(kept, other, &mut out);
    field_differences(kept, other, profile, &mut out);
    out
}

/// The differences in the strategy's structure: 基本目標, 数値目標, 施策 number and name.
fn structure_differences(kept: &Row, other: &Row, out: &mut Vec<Differs>) {
    let mut differ = |field: Option<Field>, extra: Option<&str>, a: String, b: String| {
        out.push(Differs {
            field,
            extra: extra.map(str::to_string),
            kept: a,
            other: b,
        })
    };
    let both = |a: &str, b: &str| !a.trim().is_empty() && !b.trim().is_empty();
    let goal_text = |g: &crate::model::Goal| format!("{} {}", g.no, g.title).trim().to_string();
    let (a, b) = (&kept.goal, &other.goal);
    let goal_known = |g: &crate::model::Goal| !g.no.trim().is_empty() || !g.title.trim().is_empty();
    if goal_known(a)
        && goal_known(b)
        && ((both(&a.no, &b.no) && !same_text(&a.no, &b.no))
            || (both(&a.title, &b.title) && !same_text(&a.title, &b.title)))
    {
        differ(None, None, goal_text(a), goal_text(b));
    }
    let lines = |v: &[String]| v.join("\n");
    if !kept.goal_targets.is_empty()
        && !other.goal_targets.is_empty()
        && !same_text(&lines(&kept.goal_targets), &lines(&other.goal_targets))
    {
        differ(
            Some(Field::GoalTargets),
            None,
            lines(&kept.goal_targets),
            lines(&other.goal_targets),
        );
    }
    if both(&kept.measure_no, &other.measure_no)
        && measure_no_key(&kept.measure_no) != measure_no_key(&other.measure_no)
    {
        differ(
            Some(Field::MeasureNo),
            None,
            kept.measure_no.clone(),
            other.measure_no.clone(),
        );
    }
    if both(&kept.measure, &other.measure)
        && measure_name_key(&kept.measure) != measure_name_key(&other.measure)
    {
        differ(
            Some(Field::Measure),
            None,
            kept.measure.clone(),
            other.measure.clone(),
        );
    }
}

/// The differences in the project's own fields, its values, extra columns and 備考.
fn field_differences(kept: &Row, other: &Row, profile: &Profile, out: &mut Vec<Differs>) {
    let mut differ = |field: Option<Field>, extra: Option<&str>, a: String, b: String| {
        out.push(Differs {
            field,
            extra: extra.map(str::to_string),
            kept: a,
            other: b,
        })
    };
    let both = |a: &str, b: &str| !a.trim().is_empty() && !b.trim().is_empty();
    for (field, a, b) in [
        (Field::MeasureKpi, &kept.measure_kpi, &other.measure_kpi),
        (Field::Project, &kept.project, &other.project),
        (Field::Summary, &kept.summary, &other.summary),
        (Field::Kpi, &kept.kpi, &other.kpi),
        (Field::Unit, &kept.unit, &other.unit),
    ] {
        if both(a, b) && !same_text(a, b) {
            differ(Some(field), None, a.clone(), b.clone());
        }
    }
    if !kept.departments.is_empty() && !other.departments.is_empty() {
        let set = |v: &[String]| {
            let mut keys: Vec<String> = v.iter().map(|d| text_key(d)).collect();
            keys.sort();
            keys.dedup();
            keys
        };
        if set(&kept.departments) != set(&other.departments) {
            let sep = &profile.patterns.department_separator;
            differ(
                Some(Field::Departments),
                None,
                kept.departments.join(sep),
                other.departments.join(sep),
            );
        }
    }
    if kept.project_nos.len() > 1
        && other.project_nos.len() > 1
        && kept.project_nos != other.project_nos
    {
        differ(
            Some(Field::ProjectNos),
            None,
            kept.project_nos.join(" "),
            other.project_nos.join(" "),
        );
    }
    let unit = if kept.unit.trim().is_empty() {
        &other.unit
    } else {
        &kept.unit
    };
    let blank = |v: &Value| v.kind == ValueKind::Blank;
    for (field, a, b) in [
        (Field::Target, &kept.target, &other.target),
        (Field::Actual, &kept.actual, &other.actual),
    ] {
        if !blank(a) && !blank(b) && !same_value(a, b, unit) {
            differ(Some(field), None, a.raw.clone(), b.raw.clone());
        }
    }
    for (name, a) in &kept.extra {
        if let Some(b) = other.extra.get(name) {
            if !blank(a) && !blank(b) && !same_value(a, b, unit) {
                differ(Some(Field::Extra), Some(name), a.raw.clone(), b.raw.clone());
            }
        }
    }
    let flag_set = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    if (!kept.flags.is_empty() || !kept.remarks.is_empty())
        && (!other.flags.is_empty() || !other.remarks.is_empty())
        && (flag_set(&kept.flags) != flag_set(&other.flags)
            || !same_text(&kept.remarks, &other.remarks))
    {
        differ(
            Some(Field::Remarks),
            None,
            crate::value::join_remarks(&kept.flags, &kept.remarks),
            crate::value::join_remarks(&other.flags, &other.remarks),
        );
    }
}

/// Fills what `kept` leaves blank or cannot know from `other`, a copy of the same key
/// that agrees with it on everything both state ([`copy_differences`] found nothing).
pub fn fill_from_copy(kept: &mut Row, other: &Row) {
    let goal_known = |g: &crate::model::Goal| !g.no.trim().is_empty() || !g.title.trim().is_empty();
    if !goal_known(&kept.goal) && goal_known(&other.goal) {
        kept.goal = other.goal.clone();
    }
    if kept.goal_targets.is_empty() {
        kept.goal_targets = other.goal_targets.clone();
    }
    for (a, b) in [
        (&mut kept.measure_no, &other.measure_no),
        (&mut kept.measure, &other.measure),
        (&mut kept.measure_kpi, &other.measure_kpi),
        (&mut kept.project, &other.project),
        (&mut kept.project_nos_note, &other.project_nos_note),
        (&mut kept.summary, &other.summary),
        (&mut kept.kpi, &other.kpi),
        (&mut kept.unit, &other.unit),
        (&mut kept.remarks, &other.remarks),
    ] {
        if a.trim().is_empty() && !b.trim().is_empty() {
            a.clone_from(b);
        }
    }
    if kept.departments.is_empty() {
        kept.departments = other.departments.clone();
    }
    if kept.project_nos.len() < other.project_nos.len() {
        kept.project_nos = other.project_nos.clone();
    }
    if kept.flags.is_empty() {
        kept.flags = other.flags.clone();
    }
    for (a, b) in [
        (&mut kept.target, &other.target),
        (&mut kept.actual, &other.actual),
    ] {
        if a.kind == ValueKind::Blank && b.kind != ValueKind::Blank {
            *a = b.clone();
        }
    }
    for (name, b) in &other.extra {
        if b.kind == ValueKind::Blank {
            continue;
        }
        let a = kept.extra.entry(name.clone()).or_default();
        if a.kind == ValueKind::Blank {
            *a = b.clone();
        }
    }
}

/// A 施策 number as compared: NFKC (`①` is `1`, `（１）` is `(1)`), without spaces and
/// brackets: `①`, `(1)`, `1` and `１．` are the same number.
pub fn measure_no_key(text: &str) -> String {
    nfkc(text)
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '(' | ')' | '.' | '、' | '［' | '］' | '[' | ']')
        })
        .collect()
}

/// A 施策 name as compared: NFKC, spaces and line breaks removed, and the number it may
/// start with (`①妊娠・出産子育ての一貫した支援`, `（１）…`, `1. …`) left off.
pub fn measure_name_key(text: &str) -> String {
    let compact: String = nfkc(text).chars().filter(|c| !c.is_whitespace()).collect();
    let rest = compact.trim_start_matches(['(', '[']);
    let after_digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    if after_digits.len() < rest.len() {
        after_digits
            .trim_start_matches([')', ']', '.', '、', ':'])
            .to_string()
    } else {
        compact
    }
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
