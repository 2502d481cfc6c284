//! `templates check` of `aliases.toml`: every required field has a column in the
//! layout, and the header search can find a header row (`min_matches`, `rows`).

use super::locate::{locate_key, locate_value};
use super::{Checker, Severity};
use crate::profile::Profile;

const FILE: &str = "aliases.toml";

pub(super) fn check(c: &mut Checker<'_>, profile: &Profile) {
    for field in &profile.aliases.required.fields {
        if profile.column_of(*field).is_none() {
            let at = locate_value(c.file_text(FILE), "required", "fields", field.name());
            let name = field.name();
            c.push(
                FILE,
                at,
                Severity::Error,
                "required_without_column",
                &[("field", name)],
            );
        }
    }
    header(c, profile);
}

/// The columns a header row can be known by: a header, aliases of the column or of
/// its field.
fn headed_columns(profile: &Profile) -> usize {
    profile
        .layout
        .columns
        .iter()
        .filter(|c| {
            !c.header.trim().is_empty()
                || !c.aliases.is_empty()
                || profile
                    .aliases
                    .fields
                    .get(&c.field)
                    .is_some_and(|a| !a.is_empty())
        })
        .count()
}

/// `[header]`: `min_matches` between 1 and the headed columns, 1 or 2 `rows`.
fn header(c: &mut Checker<'_>, profile: &Profile) {
    let h = &profile.aliases.header;
    let headed = headed_columns(profile);
    let min_at = locate_key(c.file_text(FILE), "header", "min_matches");
    if h.min_matches > headed {
        let (min, headed) = (h.min_matches.to_string(), headed.to_string());
        c.push(
            FILE,
            min_at,
            Severity::Error,
            "min_matches_over",
            &[("min", &min), ("headed", &headed)],
        );
    }
    if h.min_matches == 0 {
        c.push(FILE, min_at, Severity::Error, "min_matches_zero", &[]);
    }
    if !(1..=2).contains(&h.rows) {
        let at = locate_key(c.file_text(FILE), "header", "rows");
        let rows = h.rows.to_string();
        c.push(FILE, at, Severity::Error, "header_rows", &[("rows", &rows)]);
    }
}
