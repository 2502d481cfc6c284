//! `templates check` of `patterns.toml`: the key pattern accepts a key of its shape and
//! nothing absurd (a blank, a header, `-`), the section and 施策 patterns have the named
//! groups kpiroll reads and do not match a blank, the 課 separator splits no name into
//! letters.

use super::locate::locate_key;
use super::{Checker, Severity};
use crate::profile::Profile;

const FILE: &str = "patterns.toml";

pub(super) fn check(c: &mut Checker<'_>, profile: &Profile) {
    key(c, profile);
    groups(c, profile);
    if profile.patterns.department_split.is_match("") {
        let at = locate_key(c.file_text(FILE), "departments", "split");
        c.push(FILE, at, Severity::Error, "split_empty", &[]);
    }
}

/// `[key] pattern`: nothing absurd, the shape's example, anchored.
fn key(c: &mut Checker<'_>, profile: &Profile) {
    let p = &profile.patterns;
    let at = locate_key(c.file_text(FILE), "key", "pattern");
    for absurd in ["", "事業名", "-", "備考"] {
        if p.key.is_match(absurd) {
            let shown = if absurd.is_empty() {
                c.say("blank", &[])
            } else {
                c.say("quoted", &[("text", absurd)])
            };
            c.push(
                FILE,
                at,
                Severity::Error,
                "key_matches",
                &[("shown", &shown)],
            );
        }
    }
    let Some(example) = shape_example(&p.key_shape) else {
        return;
    };
    if !p.key.is_match(&example) {
        c.push(
            FILE,
            at,
            Severity::Warning,
            "key_misses_example",
            &[("shape", &p.key_shape), ("example", &example)],
        );
    } else if p.key.is_match(&format!("x{example}x")) {
        let wrapped = format!("x{example}x");
        c.push(
            FILE,
            at,
            Severity::Warning,
            "key_unanchored",
            &[("text", &wrapped)],
        );
    }
}

/// The named groups kpiroll reads from each pattern that has them; none matches a blank.
fn groups(c: &mut Checker<'_>, profile: &Profile) {
    let p = &profile.patterns;
    for (table, key, re, groups) in [
        ("section", "pattern", Some(&p.section), &["title"][..]),
        (
            "section",
            "targets",
            p.goal_targets.as_ref(),
            &["targets"][..],
        ),
        (
            "measure",
            "combined",
            p.measure_combined.as_ref(),
            &["no", "name"][..],
        ),
    ] {
        let Some(re) = re else { continue };
        let at = locate_key(c.file_text(FILE), table, key);
        let args = |group: &'static str| [("table", table), ("key", key), ("group", group)];
        for group in groups {
            if !re.capture_names().flatten().any(|n| n == *group) {
                c.push(FILE, at, Severity::Error, "group_missing", &args(group));
            }
        }
        if re.is_match("") {
            c.push(FILE, at, Severity::Error, "matches_blank", &args(""));
        }
    }
}

/// A key of a shape such as `NNN-N` or `N-N-N` (`111-1`); `None` when the shape is
/// described in words.
fn shape_example(shape: &str) -> Option<String> {
    let shape = crate::value::nfkc(shape);
    if !shape.contains('N')
        || !shape
            .chars()
            .all(|c| c == 'N' || c.is_ascii_digit() || c.is_ascii_punctuation())
    {
        return None;
    }
    Some(shape.replace('N', "1"))
}
