//! The city profile: everything city-specific, read from the TOML files in `templates/`.
//!
//! The seed city's profile is compiled in, so kpiroll works with no files beside it.
//! Code never spells a header, a key pattern or a layout constant: it asks the profile.

use std::path::{Path, PathBuf};

mod aliases;
mod colour;
mod error;
mod field;
mod form;
pub mod grades;
mod layout;
mod messages;
mod patterns;

pub use aliases::{Aliases, HeaderSearch, Required};
pub use colour::is_rgb;
pub use error::TemplateError;
pub use field::Field;
pub use form::{ContactText, DueDate, FormLayout};
pub use layout::{is_year_placeholder, year_placeholders, BookLayout, Column, Layout};
pub use messages::{Lang, Messages};
pub(crate) use patterns::PatternsFile;
pub use patterns::{FlagWords, Patterns};

/// The compiled-in default profile (the seed city's).
pub const DEFAULT_FILES: [(&str, &str); 8] = [
    ("limits.toml", include_str!("../../templates/limits.toml")),
    ("grades.toml", include_str!("../../templates/grades.toml")),
    ("form.toml", include_str!("../../templates/form.toml")),
    ("layout.toml", include_str!("../../templates/layout.toml")),
    ("aliases.toml", include_str!("../../templates/aliases.toml")),
    (
        "patterns.toml",
        include_str!("../../templates/patterns.toml"),
    ),
    (
        "messages.ja.toml",
        include_str!("../../templates/messages.ja.toml"),
    ),
    (
        "messages.en.toml",
        include_str!("../../templates/messages.en.toml"),
    ),
];

/// A whole city profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub layout: Layout,
    pub aliases: Aliases,
    pub patterns: Patterns,
    pub messages: Messages,
    pub form: FormLayout,
    /// `grades.toml`: 達成率 and grades for `diff`
    pub grades: grades::Grades,
    /// `limits.toml`: how much of an input is read (overridden on the command line)
    pub limits: crate::limits::Limits,
}

impl Profile {
    /// A goal as its section row shows it (`基本目標Ⅰ 地域を元気にするしごとづくり`).
    pub fn section_text(&self, goal: &crate::model::Goal) -> String {
        self.layout
            .book
            .section
            .replace("{no}", &goal.no)
            .replace("{title}", &goal.title)
            .trim()
            .to_string()
    }

    /// The seed city's profile, compiled in.
    pub fn builtin(lang: Lang) -> Profile {
        Self::from_sources(&|name| Ok(default_file(name).to_string()), lang)
            .expect("the built-in templates are valid (tested)")
    }

    /// Loads a profile folder; files missing from it come from the built-in profile.
    ///
    /// # Errors
    /// A file that cannot be read or parsed, or a pattern that is not a valid regex.
    pub fn load(dir: Option<&Path>, lang: Lang) -> Result<Profile, TemplateError> {
        match dir {
            None => Ok(Self::builtin(lang)),
            Some(dir) => Self::from_sources(
                &|name| {
                    let path = dir.join(name);
                    match std::fs::read_to_string(&path) {
                        Ok(text) => Ok(text),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                            Ok(default_file(name).to_string())
                        }
                        Err(source) => Err(TemplateError::ReadTemplate { path, source }),
                    }
                },
                lang,
            ),
        }
    }

    fn from_sources(
        read: &dyn Fn(&str) -> Result<String, TemplateError>,
        lang: Lang,
    ) -> Result<Profile, TemplateError> {
        let layout: Layout = parse(read, "layout.toml")?;
        let aliases: Aliases = parse(read, "aliases.toml")?;
        let form: FormLayout = parse(read, "form.toml")?;
        let limits: crate::limits::Limits = parse(read, "limits.toml")?;
        let grades = parse::<grades::Grades>(read, "grades.toml")?.checked()?;
        let p: PatternsFile = parse(read, "patterns.toml")?;
        // a city's catalogue over the built-in one: an id it lacks keeps the built-in text
        let mut messages = Messages::builtin(lang);
        let own: Messages = parse(
            read,
            match lang {
                Lang::Ja => "messages.ja.toml",
                Lang::En => "messages.en.toml",
            },
        )?;
        messages.0.extend(own.0);
        let patterns = Patterns::compile(p, &aliases.header.skip_sheets)?;
        colour::check(&layout, &form, &grades)?;
        Ok(Profile {
            layout,
            aliases,
            patterns,
            messages,
            form,
            limits,
            grades,
        })
    }

    /// The layout column of a field, if the book has one.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.layout.columns.iter().position(|c| c.field == field)
    }

    /// A message from the catalogue with its `{name}` holes filled.
    pub fn message(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut text = self
            .messages
            .0
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string());
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

fn default_file(name: &str) -> &'static str {
    DEFAULT_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or("")
}

fn parse<T: serde::de::DeserializeOwned>(
    read: &dyn Fn(&str) -> Result<String, TemplateError>,
    name: &str,
) -> Result<T, TemplateError> {
    let text = read(name)?;
    toml::from_str(&text).map_err(|e| TemplateError::ParseTemplate {
        path: PathBuf::from(name),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profile_loads_in_both_languages() {
        let ja = Profile::builtin(Lang::Ja);
        let en = Profile::builtin(Lang::En);
        assert_eq!(ja.layout.columns.len(), 13);
        assert_eq!(
            ja.messages.0.keys().collect::<Vec<_>>(),
            en.messages.0.keys().collect::<Vec<_>>()
        );
        assert!(ja.patterns.key.is_match("411-6"));
    }

    #[test]
    fn year_placeholders_in_both_forms() {
        let r7 = crate::model::FiscalYear(2025);
        assert_eq!(
            year_placeholders("{wareki-2}〜{wareki}（{year-1} {year}）", r7),
            "令和5年度〜令和7年度（R6 R7）"
        );
        assert_eq!(year_placeholders("{wareki-6}", r7), "令和元年度");
        for hole in ["year", "wareki", "year-1", "wareki-9"] {
            assert!(is_year_placeholder(hole), "{hole}");
        }
        for hole in ["nendo", "wareki-0", "wareki-10", "year-01", "year+1", "no"] {
            assert!(!is_year_placeholder(hole), "{hole}");
        }
    }
}
