//! `kpiroll.toml`: the year's settings in the working folder, so the yearly run is
//! `kpiroll consolidate` with nothing else.
//!
//! The file names the year, last year's book, the returns folder, the renames, the due
//! date, the 問い合わせ先 and the output folder. A command takes from it only what its
//! command line left out (flags override the file); paths in the file are relative to
//! the file's folder. A file that does not parse, an unknown key or a value of the wrong
//! kind stops the run with `kpiroll.toml:line:col` (exit status 2).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Command;
use crate::error::{Error, TemplateError};
use crate::model::FiscalYear;
use crate::profile::Profile;

/// The settings file's name, looked for in the working folder.
pub const FILE_NAME: &str = "kpiroll.toml";

/// The commented settings file `kpiroll init` writes.
pub const TEMPLATE: &str = include_str!("../../templates/kpiroll.toml");

/// `kpiroll.toml` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    year: Option<toml::Spanned<String>>,
    prev: Option<PathBuf>,
    returns: Option<PathBuf>,
    renames: Option<PathBuf>,
    due: Option<Due>,
    output: Option<PathBuf>,
    book: Option<PathBuf>,
    forms: Option<PathBuf>,
    handout: Option<PathBuf>,
    contact: Option<Contact>,
}

/// A due date as a TOML date (`2026-05-31`) or as text (`"5月31日"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Due {
    Text(String),
    Date(toml::value::Datetime),
}

pub use crate::model::Contact;

/// The settings, paths resolved against the file's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// where they were read from
    pub path: PathBuf,
    /// the year as written (checked to parse)
    pub year: Option<String>,
    pub prev: Option<PathBuf>,
    pub returns: Option<PathBuf>,
    pub renames: Option<PathBuf>,
    pub due: Option<String>,
    pub output: Option<PathBuf>,
    /// the working book's file name in `output` (default: the year, `R7.xlsx`)
    pub book: Option<PathBuf>,
    /// the forms' folder in `output`
    pub forms: Option<PathBuf>,
    /// the handout's file name in `output`
    pub handout: Option<PathBuf>,
    pub contact: Option<Contact>,
}

impl Settings {
    /// Reads and checks a settings file.
    ///
    /// # Errors
    /// [`Error::Settings`] with the line and column of what is wrong; an unreadable
    /// file is [`TemplateError::ReadTemplate`].
    pub fn load(path: &Path, profile: &Profile) -> Result<Settings, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::ReadTemplate {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path, profile)
    }

    /// Parses the text of a settings file read from `path`.
    ///
    /// # Errors
    /// [`Error::Settings`], located.
    pub fn parse(text: &str, path: &Path, profile: &Profile) -> Result<Settings, Error> {
        let located = |offset: usize, message: String| {
            let (line, col) = crate::templates::line_col(text, offset);
            Error::Settings {
                path: path.to_path_buf(),
                line,
                col,
                message,
            }
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            located(offset, toml_message(&e, profile))
        })?;
        if let Some(year) = &file.year {
            if FiscalYear::parse(year.get_ref()).is_none() {
                let message = Error::BadYear {
                    text: year.get_ref().clone(),
                }
                .render(profile);
                return Err(located(year.span().start, message));
            }
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        let at = |p: Option<PathBuf>| p.map(|p| dir.join(p));
        Ok(Settings {
            path: path.to_path_buf(),
            year: file.year.map(toml::Spanned::into_inner),
            prev: at(file.prev),
            returns: at(file.returns),
            renames: at(file.renames),
            due: file.due.map(|d| match d {
                Due::Text(t) => t,
                Due::Date(d) => d.to_string(),
            }),
            output: at(file.output),
            book: file.book,
            forms: file.forms,
            handout: file.handout,
            contact: file.contact,
        })
    }

    /// The working book: `output/book`, by default `output/R7.xlsx` for the year.
    fn book_path(&self) -> Option<PathBuf> {
        let output = self.output.as_ref()?;
        match &self.book {
            Some(name) => Some(output.join(name)),
            None => {
                let year = FiscalYear::parse(self.year.as_deref()?)?;
                Some(output.join(format!("{year}.xlsx")))
            }
        }
    }

    fn in_output(&self, name: Option<&PathBuf>) -> Option<PathBuf> {
        Some(self.output.as_ref()?.join(name?))
    }
}

/// The toml crate's message for what went wrong, in the catalogue's words where it is
/// one of the usual mistakes (a key misspelt, a value of the wrong kind).
fn toml_message(e: &toml::de::Error, profile: &Profile) -> String {
    let raw = e.message().trim();
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return profile.message("settings_unknown_key", &[("key", key)]);
    }
    if raw.starts_with("invalid type") || raw.starts_with("data did not match") {
        return profile.message("settings_bad_value", &[("detail", raw)]);
    }
    profile.message("settings_syntax", &[("detail", raw)])
}

/// Fills what `command` left out from `kpiroll.toml` in the working folder, when the
/// command takes settings and the file is there. Prints on stderr which settings were
/// taken, so a value from the file never passes unseen.
///
/// # Errors
/// A settings file that cannot be read or is wrong ([`Error::Settings`]).
pub fn apply(command: &mut Command, profile: &Profile) -> Result<(), Error> {
    let takes = matches!(
        command,
        Command::Consolidate(_) | Command::Check(_) | Command::Rollover(_) | Command::Handout(_)
    );
    let path = Path::new(FILE_NAME);
    if !takes || !path.is_file() {
        return Ok(());
    }
    let s = Settings::load(path, profile)?;
    // a run of another year (`--year R6` in an R7 folder) is not this year's run
    let asked = match command {
        Command::Consolidate(a) => a.year.as_deref(),
        Command::Check(a) => a.year.as_deref(),
        Command::Rollover(a) => a.year.as_deref(),
        _ => None,
    };
    if let (Some(asked), Some(own)) = (asked.and_then(FiscalYear::parse), s.year.as_deref()) {
        let own = FiscalYear::parse(own).expect("checked when loaded");
        if own != asked {
            let (path, own, asked) = (
                s.path.display().to_string(),
                own.to_string(),
                asked.to_string(),
            );
            let args = [("path", path.as_str()), ("own", &own), ("year", &asked)];
            eprintln!("{}", profile.message("settings_other_year", &args));
            return Ok(());
        }
    }
    let mut taken: Vec<&str> = Vec::new();
    let mut fill = |slot: &mut Option<PathBuf>, value: Option<PathBuf>, key: &'static str| {
        if slot.is_none() && value.is_some() {
            *slot = value;
            taken.push(key);
        }
    };
    let mut text: Vec<(&mut Option<String>, Option<String>, &'static str)> = Vec::new();
    match command {
        Command::Consolidate(a) => {
            text.push((&mut a.year, s.year.clone(), "year"));
            fill(&mut a.prev, s.prev.clone(), "prev");
            fill(&mut a.renames, s.renames.clone(), "renames");
            if a.inputs.is_empty() {
                let mut returns = None;
                fill(&mut returns, s.returns.clone(), "returns");
                a.inputs.extend(returns);
            }
            fill(&mut a.output, s.book_path(), "output");
        }
        // inputs named on the command line may be of any year
        Command::Check(a) if a.inputs.is_empty() => {
            text.push((&mut a.year, s.year.clone(), "year"));
            let mut returns = None;
            fill(&mut returns, s.returns.clone(), "returns");
            a.inputs.extend(returns);
        }
        Command::Rollover(a) => {
            fill(&mut a.book, s.prev.clone(), "prev");
            text.push((&mut a.year, s.year.clone(), "year"));
            fill(&mut a.output, s.in_output(s.forms.as_ref()), "forms");
            fill(&mut a.renames, s.renames.clone(), "renames");
            text.push((&mut a.due, s.due.clone(), "due"));
            if a.contact.is_none() && s.contact.is_some() {
                a.contact = s.contact.clone();
                taken.push("contact");
            }
        }
        Command::Handout(a) => {
            fill(&mut a.book, s.book_path(), "book");
            fill(&mut a.output, s.in_output(s.handout.as_ref()), "handout");
        }
        _ => {}
    }
    for (slot, value, key) in text {
        if slot.is_none() && value.is_some() {
            *slot = value;
            taken.push(key);
        }
    }
    taken.sort_unstable();
    if !taken.is_empty() {
        let (path, keys) = (s.path.display().to_string(), taken.join(", "));
        errln!(
            "{}",
            profile.message("settings_used", &[("path", &path), ("keys", &keys)])
        );
    }
    Ok(())
}

/// A value a command needs, from its flag or the settings file.
///
/// # Errors
/// [`Error::MissingArgument`] naming both.
pub fn need<T>(value: Option<T>, flag: &str, key: &str) -> Result<T, Error> {
    value.ok_or_else(|| Error::MissingArgument {
        flag: flag.to_string(),
        key: key.to_string(),
    })
}

/// `kpiroll init`: writes the commented settings file into the working folder.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Overwrite kpiroll.toml if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs `kpiroll init`.
///
/// # Errors
/// The file exists (without --force) or cannot be written.
pub fn init(args: InitArgs, profile: &Profile) -> Result<super::Status, Error> {
    let path = Path::new(FILE_NAME);
    crate::output::write_atomic(path, TEMPLATE.as_bytes(), args.force)?;
    let path = path.display().to_string();
    errln!("{}", profile.message("init_written", &[("path", &path)]));
    Ok(super::Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    #[test]
    fn the_template_parses_with_every_key() {
        let profile = Profile::builtin(Lang::Ja);
        let s = Settings::parse(TEMPLATE, Path::new("dir/kpiroll.toml"), &profile).unwrap();
        assert_eq!(s.year.as_deref(), Some("R7"));
        assert_eq!(s.prev, Some(PathBuf::from("dir/R6.xlsx")));
        assert!(s.returns.is_some() && s.renames.is_some() && s.output.is_some());
        assert!(s.due.is_some() && s.forms.is_some() && s.handout.is_some());
        assert!(s.book.is_some());
        let contact = s.contact.unwrap();
        assert!(!contact.section.is_empty() && !contact.extension.is_empty());
    }

    #[test]
    fn a_wrong_value_is_located() {
        let profile = Profile::builtin(Lang::Ja);
        let text = "year = \"R7\"\nprev = \"R6.xlsx\"\ndue = 20260531\n";
        let e = Settings::parse(text, Path::new("kpiroll.toml"), &profile).unwrap_err();
        match e {
            Error::Settings { line, col, .. } => assert_eq!((line, col), (3, 7)),
            other => panic!("{other:?}"),
        }
        let text = "year = \"R七x\"\n";
        let e = Settings::parse(text, Path::new("kpiroll.toml"), &profile).unwrap_err();
        match e {
            Error::Settings { line, col, .. } => assert_eq!((line, col), (1, 8)),
            other => panic!("{other:?}"),
        }
    }
}
