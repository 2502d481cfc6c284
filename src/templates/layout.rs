//! `templates check` of `layout.toml`: each field in one column, each extra column
//! named once, and every `{…}` hole of a title, header or name one kpiroll fills (a
//! hole it does not know would be printed as it is, `{wareki-2}` in a title).

use super::locate::{holes, locate_text, nth_line_of};
use super::{Checker, Severity};
use crate::profile::{is_year_placeholder, Field, Profile};

const FILE: &str = "layout.toml";

pub(super) fn check(c: &mut Checker<'_>, profile: &Profile) {
    columns(c, profile);
    layout_holes(c, profile);
    name_holes(c, profile);
}

/// Each field once, extra columns named once.
fn columns(c: &mut Checker<'_>, profile: &Profile) {
    let mut seen_fields = Vec::new();
    let mut seen_names: Vec<String> = Vec::new();
    for (i, column) in profile.layout.columns.iter().enumerate() {
        let at = nth_line_of(c.file_text(FILE), "[[columns]]", i);
        if column.field == Field::Extra {
            match column.name.as_deref().map(str::trim) {
                None | Some("") => {
                    let n = (i + 1).to_string();
                    c.push(
                        FILE,
                        at,
                        Severity::Error,
                        "extra_without_name",
                        &[("n", &n)],
                    );
                }
                Some(name) if seen_names.iter().any(|s| s == name) => {
                    c.push(FILE, at, Severity::Error, "name_twice", &[("name", name)]);
                }
                Some(name) => seen_names.push(name.to_string()),
            }
        } else if seen_fields.contains(&column.field) {
            let field = column.field.name();
            c.push(
                FILE,
                at,
                Severity::Error,
                "field_twice",
                &[("field", field)],
            );
        } else {
            seen_fields.push(column.field);
        }
    }
}

/// The texts of the layout and the holes each may hold besides the year's.
fn texts(profile: &Profile) -> Vec<(&str, &'static [&'static str])> {
    let b = &profile.layout.book;
    let mut texts: Vec<(&str, &[&str])> = vec![(&b.section, &["no", "title"])];
    texts.extend(b.title_rows.iter().map(|t| (t.as_str(), &[][..])));
    if let Some(t) = &b.targets_row {
        texts.push((t, &["targets"]));
    }
    for column in &profile.layout.columns {
        texts.push((&column.header, &[]));
        texts.extend(column.over.iter().map(|t| (t.as_str(), &[][..])));
        texts.extend(column.sub.iter().map(|t| (t.as_str(), &[][..])));
        texts.extend(
            column
                .format
                .iter()
                .map(|t| (t.as_str(), &["no", "name"][..])),
        );
        texts.extend(column.aliases.iter().map(|t| (t.as_str(), &[][..])));
    }
    texts
}

/// Every hole of a title, section row, header or format: its own or a year's.
fn layout_holes(c: &mut Checker<'_>, profile: &Profile) {
    for (text, own) in texts(profile) {
        for hole in holes(text) {
            if !own.contains(&hole) && !is_year_placeholder(hole) {
                let shown = format!("{{{hole}}}");
                let at = locate_text(c.file_text(FILE), &shown);
                c.push(
                    FILE,
                    at,
                    Severity::Error,
                    "unknown_hole",
                    &[("hole", &shown)],
                );
            }
        }
    }
}

/// An extra column's name is the key its values are kept under: the R6 form only.
fn name_holes(c: &mut Checker<'_>, profile: &Profile) {
    for column in &profile.layout.columns {
        let Some(name) = &column.name else { continue };
        for hole in holes(name) {
            if !(hole == "year" || hole.starts_with("year-") && is_year_placeholder(hole)) {
                let shown = format!("{{{hole}}}");
                let at = locate_text(c.file_text(FILE), &shown);
                c.push(FILE, at, Severity::Error, "name_hole", &[("hole", &shown)]);
            }
        }
    }
}
