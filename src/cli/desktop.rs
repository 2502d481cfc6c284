//! kpiroll started from Windows Explorer rather than typed in a console: a double-click
//! (no arguments) starts the local web page, the `serve` command; files or folders
//! dropped onto `kpiroll.exe` are checked as `kpiroll check` would, and the report is
//! left as a text file beside the first of them. Either way the console window Windows
//! opens says, in the user's language, what is going on, and it stays open until Enter
//! is pressed: a window that flashes and vanishes tells a clerk nothing.
//!
//! What to do is decided from the command line alone ([`launch`]), tested on every
//! platform; the binary asks it only on Windows (`src/main.rs`), where a program gets no
//! arguments from a double-click and the dropped paths from a drop. A typed command line
//! is parsed as everywhere else. The calls into Windows itself (the console's code page
//! and title) are in the private `console` module, compiled on Windows only.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::help;
use crate::error::Error;
use crate::output::write_atomic;
use crate::pipeline;
use crate::problem::shown;
use crate::profile::{Lang, Messages, Profile};

/// The command a double-click runs (by name, as a typed command line would).
pub const SERVE: &str = "serve";

/// What a start of the program asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// A typed command line: parsed and run as usual.
    Command,
    /// No arguments at all (a double-click): the local web page.
    Serve,
    /// Only existing paths, each absolute (what Explorer passes for a drop): checked.
    Check(Vec<PathBuf>),
}

/// What the command line `args` (the program's name first) asks for; `exists` says
/// whether a path names a file or folder. A typed command (`kpiroll check returns`)
/// begins with a command's name or an option, never with an absolute path that exists,
/// so it is never taken for a drop.
pub fn launch(args: &[OsString], exists: impl Fn(&Path) -> bool) -> Launch {
    let given = args.get(1..).unwrap_or_default();
    if given.is_empty() {
        return Launch::Serve;
    }
    let paths: Vec<PathBuf> = given.iter().map(PathBuf::from).collect();
    if paths.iter().all(|p| p.is_absolute() && exists(p)) {
        Launch::Check(paths)
    } else {
        Launch::Command
    }
}

/// The command line a double-click runs: the program's name and [`SERVE`].
pub fn serve_args(args: &[OsString]) -> Vec<OsString> {
    let program = args.first().cloned().unwrap_or_else(|| "kpiroll".into());
    vec![program, SERVE.into()]
}

/// The text report of a drop: beside the first path dropped, named after it by the
/// catalogue's `windows.report_file` (`R7回答` → `R7回答_確認結果.txt`).
pub fn report_path(first: &Path, profile: &Profile) -> PathBuf {
    let name = first
        .file_name()
        .map_or_else(|| "kpiroll".into(), |n| n.to_string_lossy().into_owned());
    let file = profile.message("windows.report_file", &[("name", &name)]);
    match first.parent() {
        Some(dir) => dir.join(file),
        None => PathBuf::from(file),
    }
}

/// The report file's bytes: UTF-8 with a byte-order mark and CRLF line ends, so that
/// every Notepad (older ones guess the code page without the mark) shows the Japanese.
pub fn report_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 16 + 3);
    out.extend_from_slice("\u{feff}".as_bytes());
    for line in text.lines() {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Checks the dropped `paths` as `kpiroll check` does (the same lines, in one text),
/// prints the text and writes it beside the first path ([`report_path`], replaced when
/// it exists: it is the report of an earlier drop). Returns the status `check` would
/// have: 0 everything can be taken, 1 something is refused, 2 nothing could be read or
/// the report could not be written.
pub fn check_dropped(paths: &[PathBuf], profile: &Profile) -> ExitCode {
    let listed: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    errln!(
        "{}",
        shown(&profile.message("windows.check_start", &[("paths", &listed.join(", "))]))
    );
    let (text, status) = match pipeline::read_and_merge(paths, None, profile) {
        Ok(outcome) => {
            let text = format!(
                "{}{}{}\n",
                super::check::listing(&outcome, profile),
                outcome.report.render(profile),
                super::check::summary(&outcome, profile)
            );
            let status = match super::Status::of(&outcome.report) {
                super::Status::Ok => 0,
                super::Status::Refused => 1,
            };
            (text, status)
        }
        Err(e) => (
            format!(
                "kpiroll: {}: {}\n",
                profile.message("error", &[]),
                shown(&e.render(profile))
            ),
            2,
        ),
    };
    outp!("{text}");
    let report = report_path(&paths[0], profile);
    let path = report.display().to_string();
    match write_atomic(&report, &report_bytes(&text), true) {
        Ok(()) => {
            errln!(
                "{}",
                shown(&profile.message("windows.report_written", &[("path", &path)]))
            );
            ExitCode::from(status)
        }
        Err(e) => {
            let reason = shown(&e.render(profile)).into_owned();
            let args = [("path", path.as_str()), ("reason", reason.as_str())];
            errln!(
                "{}",
                shown(&profile.message("windows.report_not_written", &args))
            );
            ExitCode::from(2)
        }
    }
}

/// Runs the program as Windows started it (see the module doc): a typed command line as
/// usual; a double-click or a drop with the console set up and kept open at the end (for
/// the page, only when it did not start: stopped with Ctrl+C, the window may go).
pub fn start(args: &[OsString]) -> ExitCode {
    let launch = launch(args, Path::exists);
    if launch == Launch::Command {
        return match help::parse_from(args) {
            Ok(cli) => super::run(cli),
            Err(status) => exit_code(status),
        };
    }
    console::set_up();
    let lang = help::lang_of(args);
    let messages = Messages::builtin(lang);
    let status = match launch {
        Launch::Check(paths) => match load_profile(lang) {
            Ok(profile) => check_dropped(&paths, &profile),
            Err(e) => super::fatal(&e),
        },
        _ => {
            errln!(
                "{}",
                messages.get("windows.serve_start").unwrap_or_default()
            );
            let status = match help::parse_from(&serve_args(args)) {
                Ok(cli) => super::run(cli),
                Err(status) => exit_code(status),
            };
            // stopped with Ctrl+C: the clerk asked the window to go
            if status == ExitCode::SUCCESS {
                return status;
            }
            status
        }
    };
    wait_for_enter(&messages);
    status
}

/// The profile a dropped folder is checked with: `KPIROLL_TEMPLATES` when it is set
/// (as for a typed command), else the built-in one.
fn load_profile(lang: Lang) -> Result<Profile, Error> {
    let dir = std::env::var_os("KPIROLL_TEMPLATES").filter(|d| !d.is_empty());
    Ok(Profile::load(dir.as_deref().map(Path::new), lang)?)
}

/// A status from the command line's parser as the process's exit code.
fn exit_code(status: i32) -> ExitCode {
    ExitCode::from(u8::try_from(status).unwrap_or(2))
}

/// Says how to close the window and waits for Enter (or for the input to end).
fn wait_for_enter(messages: &Messages) {
    errln!(
        "{}",
        messages.get("windows.press_enter").unwrap_or_default()
    );
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

/// The console window Windows opens for the program.
#[cfg(windows)]
mod console {
    #[link(name = "kernel32")]
    extern "system" {
        fn SetConsoleOutputCP(code_page: u32) -> i32;
        fn SetConsoleCP(code_page: u32) -> i32;
        fn SetConsoleTitleW(title: *const u16) -> i32;
    }

    /// UTF-8, the code page of everything kpiroll writes, for output and input, and the
    /// program's name as the window's title. Rust writes text to a console as UTF-16
    /// already; the code page is for what else writes to this console (LibreOffice's
    /// messages, a panic's) and lasts only as long as the window. A call that fails
    /// leaves the console as it was.
    pub fn set_up() {
        let title: Vec<u16> = "kpiroll".encode_utf16().chain([0]).collect();
        // SAFETY: plain values and a NUL-terminated UTF-16 string that outlives the call;
        // each call only changes this process's console
        unsafe {
            SetConsoleOutputCP(65001);
            SetConsoleCP(65001);
            SetConsoleTitleW(title.as_ptr());
        }
    }
}

/// Elsewhere a console needs nothing.
#[cfg(not(windows))]
mod console {
    pub fn set_up() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn no_arguments_serve_the_page_by_the_command_name() {
        let a = args(&["kpiroll.exe"]);
        assert_eq!(launch(&a, |_| true), Launch::Serve);
        assert_eq!(serve_args(&a), args(&["kpiroll.exe", "serve"]));
        assert_eq!(launch(&[], |_| true), Launch::Serve);
        assert_eq!(serve_args(&[]), args(&["kpiroll", "serve"]));
    }

    #[test]
    fn absolute_existing_paths_are_a_drop() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("R7回答 (総務)");
        let file = dir.path().join("[再提出] 産学振興課.xlsx");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(&file, b"x").unwrap();
        let a = vec!["kpiroll.exe".into(), folder.clone().into_os_string()];
        assert_eq!(
            launch(&a, Path::exists),
            Launch::Check(vec![folder.clone()])
        );
        let both = vec![
            "kpiroll.exe".into(),
            folder.clone().into_os_string(),
            file.clone().into_os_string(),
        ];
        assert_eq!(
            launch(&both, Path::exists),
            Launch::Check(vec![folder, file])
        );
    }

    #[test]
    fn typed_command_lines_stay_commands() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().to_string_lossy().into_owned();
        let gone = dir.path().join("gone").to_string_lossy().into_owned();
        for line in [
            vec!["kpiroll", "check", folder.as_str()],
            vec!["kpiroll", "--help"],
            vec!["kpiroll", "serve"],
            vec!["kpiroll", "demo"],
            // a relative path is typed, not dropped
            vec!["kpiroll", "."],
            // one that does not exist is a typo, reported by the parser
            vec!["kpiroll", gone.as_str()],
            vec!["kpiroll", folder.as_str(), "--lang"],
        ] {
            assert_eq!(
                launch(&args(&line), Path::exists),
                Launch::Command,
                "{line:?}"
            );
        }
    }

    #[test]
    fn every_text_of_a_windows_start_is_in_both_catalogues() {
        // the ids the code asks for: a missing one would be shown as its id
        let ids = [
            "windows.serve_start",
            "windows.check_start",
            "windows.report_file",
            "windows.report_written",
            "windows.report_not_written",
            "windows.press_enter",
            "windows.no_libre_office",
            "windows.output_in_use",
        ];
        for lang in [Lang::Ja, Lang::En] {
            let messages = Messages::builtin(lang);
            for id in ids {
                assert!(
                    messages.get(id).is_some_and(|t| !t.trim().is_empty()),
                    "{id} in {lang:?}"
                );
            }
            let ours = messages.0.keys().filter(|k| k.starts_with("windows."));
            assert_eq!(ours.count(), ids.len(), "{lang:?}: no text left unused");
        }
    }

    #[test]
    fn the_report_sits_beside_the_first_path_in_utf8_with_a_mark() {
        let profile = Profile::builtin(Lang::Ja);
        let base = Path::new("/home/clerk/デスクトップ");
        assert_eq!(
            report_path(&base.join("R7回答"), &profile),
            base.join("R7回答_確認結果.txt")
        );
        let en = Profile::builtin(Lang::En);
        assert_eq!(
            report_path(&base.join("R7 returns [v2].xlsx"), &en),
            base.join("R7 returns [v2].xlsx_check.txt")
        );
        assert_eq!(
            report_bytes("行1\n行2\n"),
            "\u{feff}行1\r\n行2\r\n".as_bytes().to_vec()
        );
    }
}
