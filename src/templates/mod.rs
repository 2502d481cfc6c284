//! A city profile folder: writing a commented copy of the built-in one to start from
//! (`kpiroll templates init`) and checking one, every problem located as
//! `file:line:col` (`kpiroll templates check`).
//!
//! The check parses each file on its own (so a TOML error in one file does not hide the
//! others, [`parse`]), loads the whole profile as every command would, then asks what a
//! parser cannot, one file at a time: whether every field has one column and every
//! `{…}` hole is one kpiroll fills ([`layout`], [`form`]), whether every required field
//! has a column ([`aliases`]), whether the patterns accept what they should and refuse
//! what they should not ([`patterns`]), whether a catalogue has every message
//! ([`messages`]). What it says comes from the message catalogue (`[templates_check]`).

mod aliases;
mod form;
mod layout;
mod locate;
mod messages;
mod parse;
mod patterns;

use std::path::{Path, PathBuf};

pub use locate::line_col;

use crate::error::Error;
use crate::profile::{Messages, DEFAULT_FILES};

/// How bad a problem of a profile is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// the profile cannot be used as it is
    Error,
    /// it can, but probably not as meant
    Warning,
}

/// One problem of a profile folder, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    pub file: PathBuf,
    /// 1-based
    pub line: usize,
    /// 1-based, in characters
    pub col: usize,
    pub severity: Severity,
    /// the sentence, in the language of the catalogue the check was given
    pub message: String,
}

impl TemplateProblem {
    /// `file:line:col: 誤り: …` (the severity's word from the catalogue).
    pub fn render(&self, m: &Messages) -> String {
        let what = match self.severity {
            Severity::Error => text(m, "templates_check.error", &[]),
            Severity::Warning => text(m, "templates_check.warning", &[]),
        };
        format!(
            "{}:{}:{}: {what}: {}",
            self.file.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

/// A catalogue text with its `{name}` holes filled (the id itself when the catalogue
/// lacks it).
pub fn text(m: &Messages, id: &str, args: &[(&str, &str)]) -> String {
    let mut out = m.get(id).unwrap_or(id).to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Writes the built-in profile, with its comments, into `dir` (created if needed).
/// Returns the files written.
///
/// # Errors
/// A file that exists already (without `force`, before anything is written), or one
/// that cannot be written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    if !force {
        if let Some((name, _)) = DEFAULT_FILES.iter().find(|(n, _)| dir.join(n).exists()) {
            return Err(Error::OutputExists {
                path: dir.join(name),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in DEFAULT_FILES {
        let path = dir.join(name);
        crate::output::write_atomic(&path, text.as_bytes(), force)?;
        written.push(path);
    }
    Ok(written)
}

/// The text of one file of a profile folder and where it came from.
struct Source {
    path: PathBuf,
    text: String,
    /// false: not in the folder, the built-in one is used
    own: bool,
}

/// A profile folder being checked: its files, the catalogue that words the problems,
/// and the problems found so far.
struct Checker<'m> {
    sources: Vec<(&'static str, Source)>,
    messages: &'m Messages,
    problems: Vec<TemplateProblem>,
}

impl Checker<'_> {
    /// The file `name` of the folder (or the built-in one it lacks).
    fn get(&self, name: &str) -> &Source {
        &self
            .sources
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a file of the profile")
            .1
    }

    /// The text of a file of the folder.
    fn file_text(&self, name: &str) -> &str {
        &self.get(name).text
    }

    /// The catalogue's sentence `templates_check.<id>`, filled.
    fn say(&self, id: &str, args: &[(&str, &str)]) -> String {
        text(self.messages, &format!("templates_check.{id}"), args)
    }

    /// A problem at `line:col` of the file `name`, worded by `templates_check.<id>`.
    fn push(
        &mut self,
        name: &str,
        (line, col): (usize, usize),
        severity: Severity,
        id: &str,
        args: &[(&str, &str)],
    ) {
        let message = self.say(id, args);
        let file = self.get(name).path.clone();
        self.problems.push(TemplateProblem {
            file,
            line,
            col,
            severity,
            message,
        });
    }
}

/// Checks a profile folder, the problems worded by the catalogue `messages` (the user's
/// language). An empty list: every command can use it as it is.
pub fn check(dir: &Path, messages: &Messages) -> Vec<TemplateProblem> {
    if !dir.is_dir() {
        return vec![TemplateProblem {
            file: dir.to_path_buf(),
            line: 1,
            col: 1,
            severity: Severity::Error,
            message: text(messages, "templates_check.no_folder", &[]),
        }];
    }
    let sources = DEFAULT_FILES
        .iter()
        .map(|(name, builtin)| {
            let path = dir.join(name);
            let source = match std::fs::read_to_string(&path) {
                Ok(text) => Source {
                    path,
                    text,
                    own: true,
                },
                Err(_) => Source {
                    path,
                    text: (*builtin).to_string(),
                    own: false,
                },
            };
            (*name, source)
        })
        .collect();
    let mut checker = Checker {
        sources,
        messages,
        problems: Vec::new(),
    };
    parse::each_file(&mut checker);
    if !checker.problems.is_empty() {
        return checker.problems;
    }
    let Some([ja, _en]) = parse::whole_profile(&mut checker, dir) else {
        return checker.problems;
    };
    layout::check(&mut checker, &ja);
    form::check(&mut checker, &ja);
    aliases::check(&mut checker, &ja);
    patterns::check(&mut checker, &ja);
    messages::check(&mut checker);
    checker.problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    #[test]
    fn builtin_profile_checks_clean() {
        let dir = tempfile::tempdir().expect("temp");
        init(dir.path(), false).expect("init");
        assert!(
            init(dir.path(), false).is_err(),
            "no overwrite without force"
        );
        assert_eq!(check(dir.path(), &Messages::builtin(Lang::Ja)), Vec::new());
    }

    #[test]
    fn problems_are_located() {
        let dir = tempfile::tempdir().expect("temp");
        init(dir.path(), false).expect("init");
        let patterns = dir.path().join("patterns.toml");
        let text = std::fs::read_to_string(&patterns).expect("read");
        std::fs::write(
            &patterns,
            text.replace("pattern = '^[0-9]{3}-[0-9]{1,3}$'", "pattern = '[0-9]*'"),
        )
        .expect("write");
        let m = Messages::builtin(Lang::Ja);
        let problems = check(dir.path(), &m);
        let line = text
            .lines()
            .position(|l| l.starts_with("pattern = '^[0-9]{3}"))
            .expect("line")
            + 1;
        assert!(!problems.is_empty());
        assert!(
            problems.iter().all(|p| p.line == line && p.col == 1),
            "{problems:?}"
        );

        std::fs::write(&patterns, "[key\npattern = 1").expect("write");
        let problems = check(dir.path(), &m);
        assert_eq!((problems[0].line, problems[0].col), (1, 5), "{problems:?}");
    }

    #[test]
    fn every_sentence_of_the_check_is_in_both_catalogues() {
        let ids = [
            "error",
            "warning",
            "no_folder",
            "pattern_invalid",
            "colour_invalid",
            "no_grade",
            "grade_without_min",
            "grade_min_not_falling",
            "extra_without_name",
            "name_twice",
            "field_twice",
            "unknown_hole",
            "name_hole",
            "form_hole",
            "required_without_column",
            "min_matches_over",
            "min_matches_zero",
            "header_rows",
            "key_matches",
            "blank",
            "quoted",
            "key_misses_example",
            "key_unanchored",
            "group_missing",
            "matches_blank",
            "split_empty",
            "message_missing",
            "unusable",
            "usable",
            "init_written",
        ];
        for lang in [Lang::Ja, Lang::En] {
            let m = Messages::builtin(lang);
            for id in ids {
                assert!(
                    m.get(&format!("templates_check.{id}")).is_some(),
                    "{lang:?}: templates_check.{id}"
                );
            }
        }
    }
}
