//! `kpiroll.toml` as the page reads and writes it: the same file, read by the same code
//! as the command line's ([`crate::cli::settings::Settings`]); written back with its
//! comments and the keys the page does not show kept as they were.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::settings::{Settings, FILE_NAME};
use crate::error::Error;
use crate::model::Contact;
use crate::profile::Profile;

/// What the page shows of the settings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct View {
    /// the file's path, and whether it is there
    pub path: String,
    pub exists: bool,
    /// the file's error, located, when it cannot be read
    pub error: Option<String>,
    pub year: String,
    /// last year's book and the renames, and whether each is there
    pub prev: Option<String>,
    pub prev_exists: bool,
    pub renames: Option<String>,
    pub renames_exists: bool,
    pub due: String,
    pub contact_section: String,
    pub contact_extension: String,
    pub contact_person: String,
    /// LibreOffice is on this PC (the handout's PDF)
    pub pdf: bool,
    /// `limits.toml`'s bounds of an upload
    pub file_mib: u64,
    pub total_mib: u64,
    pub files: usize,
}

/// What the page saves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Saved {
    pub year: String,
    pub due: String,
    pub contact_section: String,
    pub contact_extension: String,
    pub contact_person: String,
}

/// The settings file of the working folder.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// The settings of the working folder, `None` when there is no file.
///
/// # Errors
/// The file cannot be read or is wrong (located).
pub fn load(dir: &Path, profile: &Profile) -> Result<Option<Settings>, Error> {
    let path = path(dir);
    if !path.is_file() {
        return Ok(None);
    }
    Settings::load(&path, profile).map(Some)
}

/// The settings as the page shows them.
pub fn view(dir: &Path, profile: &Profile) -> View {
    let file = path(dir);
    let limits = &profile.limits;
    let mut view = View {
        path: file.display().to_string(),
        exists: file.is_file(),
        pdf: soffice_found(),
        file_mib: limits.max_upload_mib,
        total_mib: limits.max_upload_total_mib,
        files: limits.max_files,
        ..View::default()
    };
    match load(dir, profile) {
        Err(e) => view.error = Some(e.render(profile)),
        Ok(None) => {}
        Ok(Some(s)) => {
            view.year = s.year.unwrap_or_default();
            view.prev_exists = s.prev.as_ref().is_some_and(|p| p.is_file());
            view.prev = s.prev.map(|p| p.display().to_string());
            view.renames_exists = s.renames.as_ref().is_some_and(|p| p.is_file());
            view.renames = s.renames.map(|p| p.display().to_string());
            view.due = s.due.unwrap_or_default();
            if let Some(c) = s.contact {
                view.contact_section = c.section;
                view.contact_extension = c.extension;
                view.contact_person = c.person.unwrap_or_default();
            }
        }
    }
    view
}

/// Writes what the page saved into the working folder's `kpiroll.toml`: `year`, `due`
/// and `[contact]` set (a blank one removed), every other key and comment kept; a file
/// not there yet is made with those alone. What is written is read back as the command
/// line reads it before it replaces the file.
///
/// # Errors
/// The file cannot be read or parsed, what would be written is no valid settings file,
/// or it cannot be written.
pub fn save(dir: &Path, saved: &Saved, profile: &Profile) -> Result<PathBuf, Error> {
    use toml_edit::{value, DocumentMut, Item, Table};
    let file = path(dir);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(crate::profile::TemplateError::ReadTemplate { path: file, source }.into())
        }
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let (line, col) = e
            .span()
            .map_or((1, 1), |s| crate::templates::line_col(&text, s.start));
        Error::Settings {
            path: file.clone(),
            line,
            col,
            message: e.message().to_string(),
        }
    })?;
    let set = |doc: &mut Table, key: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            doc.remove(key);
        } else {
            doc[key] = value(text);
        }
    };
    set(doc.as_table_mut(), "year", &saved.year);
    let due = saved.due.trim();
    match due.parse::<toml_edit::Datetime>() {
        Ok(date) if date.date.is_some() && date.time.is_none() => doc["due"] = value(date),
        _ => set(doc.as_table_mut(), "due", due),
    }
    if saved.contact_section.trim().is_empty() && saved.contact_extension.trim().is_empty() {
        doc.remove("contact");
    } else {
        if !doc.contains_table("contact") {
            doc["contact"] = Item::Table(Table::new());
        }
        if let Some(contact) = doc["contact"].as_table_mut() {
            set(contact, "section", &saved.contact_section);
            // both are required by the settings file: a blank one is written blank
            if saved.contact_extension.trim().is_empty() {
                contact["extension"] = value("");
            } else {
                set(contact, "extension", &saved.contact_extension);
            }
            if saved.contact_section.trim().is_empty() {
                contact["section"] = value("");
            }
            set(contact, "person", &saved.contact_person);
        }
    }
    let text = doc.to_string();
    Settings::parse(&text, &file, profile)?;
    crate::output::write_atomic(&file, text.as_bytes(), true)?;
    Ok(file)
}

/// The contact and due date of the settings, for the reminders and the forms.
pub fn contact_and_due(dir: &Path, profile: &Profile) -> (Option<Contact>, Option<String>) {
    match load(dir, profile) {
        Ok(Some(s)) => (s.contact, s.due),
        _ => (None, None),
    }
}

/// LibreOffice's `soffice` is on the PATH.
pub fn soffice_found() -> bool {
    let names: &[&str] = if cfg!(windows) {
        &["soffice.exe", "soffice.com"]
    } else {
        &["soffice"]
    };
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| names.iter().any(|n| dir.join(n).is_file()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    #[test]
    fn saving_keeps_the_comments_and_the_other_keys() {
        let profile = Profile::builtin(Lang::Ja);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            path(dir.path()),
            crate::cli::settings::TEMPLATE.replace("R7", "R6"),
        )
        .unwrap();
        let saved = Saved {
            year: "R7".into(),
            due: "2026-05-31".into(),
            contact_section: "企画政策課 企画係".into(),
            contact_extension: "2345".into(),
            contact_person: String::new(),
        };
        save(dir.path(), &saved, &profile).unwrap();
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        let s = Settings::parse(&text, &path(dir.path()), &profile).unwrap();
        assert_eq!(s.year.as_deref(), Some("R7"));
        assert_eq!(s.due.as_deref(), Some("2026-05-31"));
        assert!(text.contains("due = 2026-05-31"), "a TOML date: {text}");
        let contact = s.contact.unwrap();
        assert_eq!(
            (contact.section.as_str(), contact.extension.as_str()),
            ("企画政策課 企画係", "2345")
        );
        assert_eq!(contact.person, None);
        // the keys the page does not show and the comments are as they were
        assert_eq!(s.prev, Some(dir.path().join("R6.xlsx")));
        assert!(text.contains("# 前年度のブック"), "{text}");
    }

    #[test]
    fn a_new_file_holds_what_the_page_saved() {
        let profile = Profile::builtin(Lang::En);
        let dir = tempfile::tempdir().unwrap();
        let saved = Saved {
            year: "令和7年度".into(),
            due: "5月31日".into(),
            ..Saved::default()
        };
        save(dir.path(), &saved, &profile).unwrap();
        let view = view(dir.path(), &profile);
        assert!(view.exists && view.error.is_none(), "{view:?}");
        assert_eq!(
            (view.year.as_str(), view.due.as_str()),
            ("令和7年度", "5月31日")
        );
        let bad = Saved {
            year: "R七x".into(),
            ..Saved::default()
        };
        assert!(matches!(
            save(dir.path(), &bad, &profile),
            Err(Error::Settings { .. })
        ));
        // the file is as it was
        assert_eq!(super::view(dir.path(), &profile).year, "令和7年度");
    }
}
