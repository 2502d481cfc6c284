//! `kpiroll serve`: the clerks' local web page, served by the binary itself.
//!
//! One page walks the year: the year and last year's book, the returns dropped in (files
//! or a whole folder), the check at once (every problem at its cell, 提出状況 with a
//! reminder to copy), and the outputs made and downloaded. Every output is made by the
//! same [`crate::pipeline`] call the command line makes, so it is the same file, byte
//! for byte.
//!
//! The server listens on 127.0.0.1 only: nothing outside this PC can reach it, so there
//! is no login. It holds no mutable state of its own: each run is a folder of its own
//! under `kpiroll-web/` in the working folder (the uploads, `run.json`, the outputs), so
//! two browser tabs never share a run. The page's HTML, style and script are compiled in
//! ([`page`]), their texts are the catalogue's `[web]` block.
//!
//! - [`routes`]: the HTTP surface (axum), the guard against other sites' requests;
//! - [`upload`]: an upload streamed into a run's folder within `limits.toml`;
//! - [`runs`]: run folders, the check and what the page shows of it, the outputs;
//! - [`settings`]: `kpiroll.toml` as the page reads and writes it;
//! - [`page`]: the page's assets and its texts.

pub mod page;
pub mod routes;
pub mod runs;
pub mod settings;
pub mod upload;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::profile::{Lang, Profile};

/// How the server starts.
#[derive(Debug, Clone)]
pub struct Options {
    /// the port on 127.0.0.1; a free one when `None`
    pub port: Option<u16>,
    /// open the default browser on the page
    pub open: bool,
    /// the working folder: its `kpiroll.toml`, and `kpiroll-web/` for the runs
    pub dir: PathBuf,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            port: None,
            open: true,
            dir: PathBuf::from("."),
        }
    }
}

/// The runs' folder in the working folder.
pub const RUNS_DIR: &str = "kpiroll-web";

/// What every request reads and none changes: the profile in both languages and the
/// working folder.
#[derive(Debug)]
pub struct App {
    ja: Profile,
    en: Profile,
    /// the language of a request that names none
    pub lang: Lang,
    /// the working folder (`kpiroll.toml`)
    pub dir: PathBuf,
    /// `dir/kpiroll-web`: one folder per run
    pub runs: PathBuf,
}

impl App {
    /// The profile given in its language, and the same profile in the other language
    /// (its folder's catalogue, else the built-in one), with the same limits.
    ///
    /// # Errors
    /// The other language's catalogue cannot be read.
    pub fn new(profile: &Profile, templates: Option<&Path>, dir: &Path) -> Result<App, Error> {
        let lang = if profile.message("web.lang_attr", &[]) == "en" {
            Lang::En
        } else {
            Lang::Ja
        };
        let other_lang = match lang {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        };
        let mut other = profile.clone();
        other.messages = Profile::load(templates, other_lang)?.messages;
        let (ja, en) = match lang {
            Lang::Ja => (profile.clone(), other),
            Lang::En => (other, profile.clone()),
        };
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Ok(App {
            ja,
            en,
            lang,
            runs: dir.join(RUNS_DIR),
            dir,
        })
    }

    /// The profile in `lang`, else in the server's language.
    pub fn profile(&self, lang: Option<Lang>) -> &Profile {
        match lang.unwrap_or(self.lang) {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

/// A line on stderr (never a panic when stderr is closed).
fn say(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", crate::problem::shown(line)).and_then(|()| err.flush());
}

/// Starts the page: binds 127.0.0.1 (`options.port`, or a free port), says on stderr
/// what it is doing, where, that nothing outside this PC can reach it and how to stop,
/// opens the default browser, and serves until Ctrl+C. The command line's `kpiroll
/// serve` and a start with no arguments (a double-click) both call this.
///
/// # Errors
/// [`Error::ServeBind`] when the port is taken; [`Error::Serve`] when the server cannot
/// run.
pub fn start(options: &Options, profile: &Profile, templates: Option<&Path>) -> Result<(), Error> {
    let app = Arc::new(App::new(profile, templates, &options.dir)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Serve { source })?;
    runtime.block_on(async move {
        let port = options.port.unwrap_or(0);
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| Error::ServeBind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Serve { source })?;
        let url = format!("http://{addr}/");
        let runs = app.runs.display().to_string();
        say(&profile.message("web.server_started", &[("url", &url)]));
        say(&profile.message("web.server_local", &[]));
        say(&profile.message("web.server_folder", &[("path", &runs)]));
        say(&profile.message("web.server_stop", &[]));
        if options.open && !open_browser(&url) {
            say(&profile.message("web.server_no_browser", &[]));
        }
        axum::serve(listener, routes::router(app.clone()))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|source| Error::Serve { source })?;
        say(&profile.message("web.server_stopped", &[]));
        Ok::<(), Error>(())
    })
}

/// Opens `url` in the default browser: `xdg-open` (Linux and the BSDs), `open` (macOS),
/// `cmd /c start` (Windows). False when no opener could be started.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        // the empty title: `start` takes a first quoted argument as the window's title
        c.args(["/c", "start", ""]).arg(url);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            // reaped when it ends, so no zombie is left while the server runs
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}
