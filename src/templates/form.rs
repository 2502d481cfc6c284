//! `templates check` of `form.toml`: every `{…}` hole of the forms' texts is one kpiroll
//! fills (the 課, the due date, last year, the contact, the year's forms).

use super::locate::{holes, locate_text};
use super::{Checker, Severity};
use crate::profile::{is_year_placeholder, Profile};

const FILE: &str = "form.toml";

pub(super) fn check(c: &mut Checker<'_>, profile: &Profile) {
    let f = &profile.form;
    let filled = [
        &f.form_title,
        &f.guide_title,
        &f.reference_header,
        &f.actual_input_title,
        &f.actual_input_message,
        &f.actual_error_title,
        &f.actual_error_message,
        &f.remarks_input_title,
        &f.remarks_input_message,
    ];
    let texts = filled
        .into_iter()
        .chain(&f.guide)
        .map(|t| (t, &["department", "due", "prev", "contact"][..]))
        .chain([
            (&f.joint_text, &["lead"][..]),
            (&f.file_name, &["department"][..]),
        ]);
    for (text, own) in texts {
        for hole in holes(text) {
            // a file name takes the plain year only
            let year = if std::ptr::eq(text, &f.file_name) {
                hole == "year"
            } else {
                is_year_placeholder(hole)
            };
            if !own.contains(&hole) && !year {
                let shown = format!("{{{hole}}}");
                let at = locate_text(c.file_text(FILE), &shown);
                c.push(FILE, at, Severity::Error, "form_hole", &[("hole", &shown)]);
            }
        }
    }
}
