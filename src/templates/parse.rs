//! The first two steps of `templates check`: each file of the folder parsed on its own
//! (TOML syntax, unknown keys, wrong types: one file's error does not hide another's),
//! then the whole profile loaded in both languages as every command loads it.

use std::path::{Path, PathBuf};

use super::locate::{line_col, locate_key, locate_text};
use super::{Checker, Severity, TemplateProblem};
use crate::profile::{Lang, Profile, TemplateError};

/// Parses every file the folder has (not the built-in ones it lacks) as its schema.
pub(super) fn each_file(c: &mut Checker<'_>) {
    let mut found = Vec::new();
    for (name, source) in &c.sources {
        if !source.own {
            continue;
        }
        let result = match *name {
            "layout.toml" => parse_as::<crate::profile::Layout>(&source.text),
            "aliases.toml" => parse_as::<crate::profile::Aliases>(&source.text),
            "patterns.toml" => parse_as::<crate::profile::PatternsFile>(&source.text),
            "form.toml" => parse_as::<crate::profile::FormLayout>(&source.text),
            "limits.toml" => parse_as::<crate::read::grid::Limits>(&source.text),
            "grades.toml" => parse_as::<crate::diff::grades::Grades>(&source.text),
            _ => parse_as::<crate::profile::Messages>(&source.text),
        };
        if let Err(e) = result {
            let (line, col) = e
                .span()
                .map_or((1, 1), |span| line_col(&source.text, span.start));
            found.push(TemplateProblem {
                file: source.path.clone(),
                line,
                col,
                severity: Severity::Error,
                message: e.message().trim().to_string(),
            });
        }
    }
    c.problems.extend(found);
}

fn parse_as<T: serde::de::DeserializeOwned>(text: &str) -> Result<(), toml::de::Error> {
    toml::from_str::<T>(text).map(|_| ())
}

/// The profile in Japanese and English, or `None` with the problem that stops it
/// (a pattern that is no regex, a grade list that cannot grade …) located at its key.
pub(super) fn whole_profile(c: &mut Checker<'_>, dir: &Path) -> Option<[Profile; 2]> {
    let mut loaded = Vec::new();
    for lang in [Lang::Ja, Lang::En] {
        match Profile::load(Some(dir), lang) {
            Ok(p) => loaded.push(p),
            Err(e) => {
                let problem = located(c, dir, &e);
                c.problems.push(problem);
                return None;
            }
        }
    }
    loaded.try_into().ok()
}

/// A profile error as a problem at its file and key.
fn located(c: &Checker<'_>, dir: &Path, e: &TemplateError) -> TemplateProblem {
    let grades = PathBuf::from("grades.toml");
    // the file, and the key (`table`, `key`) or the text (`written`) to point at
    let (name, table, key, written) = match e {
        TemplateError::TemplatePattern { file, field, .. } => {
            let (table, key) = field.rsplit_once('.').unwrap_or(("", field));
            (file, table, key, None)
        }
        TemplateError::ParseTemplate { path, .. } | TemplateError::ReadTemplate { path, .. } => {
            (path, "", "", None)
        }
        // the value itself: a grade's `fill` is one of several alike
        TemplateError::TemplateColour { file, value, .. } => {
            (file, "", "", Some(format!("\"{value}\"")))
        }
        TemplateError::NoGrade => (&grades, "", "", None),
        // the grade's name: each [[grade]] has the same keys
        TemplateError::GradeWithoutMin { grade }
        | TemplateError::GradeMinNotFalling { grade, .. } => {
            (&grades, "", "", Some(format!("name = \"{grade}\"")))
        }
    };
    let name = name.display().to_string();
    let source = c.sources.iter().find(|(n, _)| *n == name).map(|(_, s)| s);
    let (line, col) = source.map_or((1, 1), |s| match &written {
        Some(text) => locate_text(&s.text, text),
        None => locate_key(&s.text, table, key),
    });
    TemplateProblem {
        file: source.map_or_else(|| dir.to_path_buf(), |s| s.path.clone()),
        line,
        col,
        severity: Severity::Error,
        message: detail(c, e),
    }
}

/// The detail of a profile error, without the file name (the location says it).
fn detail(c: &Checker<'_>, e: &TemplateError) -> String {
    match e {
        TemplateError::TemplatePattern { field, message, .. } => c.say(
            "pattern_invalid",
            &[("field", field.as_str()), ("message", message.as_str())],
        ),
        TemplateError::ParseTemplate { message, .. } => message.clone(),
        TemplateError::TemplateColour { key, value, .. } => c.say(
            "colour_invalid",
            &[("key", key.as_str()), ("value", value.as_str())],
        ),
        TemplateError::NoGrade => c.say("no_grade", &[]),
        TemplateError::GradeWithoutMin { grade } => {
            c.say("grade_without_min", &[("grade", grade.as_str())])
        }
        TemplateError::GradeMinNotFalling { grade, min } => c.say(
            "grade_min_not_falling",
            &[("grade", grade.as_str()), ("min", &min.to_string())],
        ),
        other => other.to_string(),
    }
}
