//! Where LibreOffice is looked for when a handout is turned into PDF. On Linux and
//! macOS `soffice` is on the PATH. On Windows the installer puts it under Program Files
//! and leaves the PATH alone, so after the PATH the program folders Windows names
//! (`ProgramFiles`, `ProgramW6432`, `ProgramFiles(x86)`) are tried, and the usual
//! `C:\Program Files` when none is named. When none of them runs, the handout's message
//! says what to do instead ([`crate::error::Error::NoLibreOffice`]).

use std::ffi::OsString;
use std::path::PathBuf;

/// The programs to try, in order: `soffice` itself elsewhere; on Windows (`windows`)
/// `soffice.exe` on the PATH, then `<folder>\LibreOffice\program\soffice.exe` for each
/// program folder `env` names (each once). `env` reads an environment variable.
pub fn candidates(windows: bool, env: impl Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    if !windows {
        return vec![PathBuf::from("soffice")];
    }
    let mut folders: Vec<OsString> = ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"]
        .iter()
        .filter_map(|v| env(v).filter(|f| !f.is_empty()))
        .collect();
    if folders.is_empty() {
        folders.push(r"C:\Program Files".into());
    }
    let mut out = vec![PathBuf::from("soffice.exe")];
    for folder in folders {
        // Windows separators, whatever the platform this list is made on (the tests)
        let mut path = folder;
        path.push(r"\LibreOffice\program\soffice.exe");
        let path = PathBuf::from(path);
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn elsewhere_the_path_has_it() {
        let vars = [("ProgramFiles", r"C:\Program Files")];
        assert_eq!(
            candidates(false, env(&vars)),
            vec![PathBuf::from("soffice")]
        );
    }

    #[test]
    fn windows_tries_the_path_then_each_program_folder_once() {
        let vars = [
            ("ProgramFiles", r"C:\Program Files"),
            ("ProgramW6432", r"C:\Program Files"),
            ("ProgramFiles(x86)", r"C:\Program Files (x86)"),
        ];
        assert_eq!(
            candidates(true, env(&vars)),
            vec![
                PathBuf::from("soffice.exe"),
                PathBuf::from(r"C:\Program Files\LibreOffice\program\soffice.exe"),
                PathBuf::from(r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
            ]
        );
        // installed on another drive
        let vars = [("ProgramFiles", r"D:\Programme")];
        assert_eq!(
            candidates(true, env(&vars))[1],
            PathBuf::from(r"D:\Programme\LibreOffice\program\soffice.exe")
        );
    }

    #[test]
    fn windows_without_the_variables_tries_the_usual_folder() {
        assert_eq!(
            candidates(true, env(&[("ProgramFiles", "")])),
            vec![
                PathBuf::from("soffice.exe"),
                PathBuf::from(r"C:\Program Files\LibreOffice\program\soffice.exe"),
            ]
        );
    }
}
