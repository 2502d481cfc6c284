//! The command line: clap derive. One small file per subcommand holds its arguments and
//! a `run` that calls [`crate::pipeline`]; the doc comments are notes for the code, the
//! help the user reads comes from the message catalogue ([`help`]); what a command line
//! leaves out may come from the year's `kpiroll.toml` ([`settings`]).
//!
//! Exit status (README.md, ARCHITECTURE.md): 0 every input row was taken; 1 the run finished but refused
//! something (each refusal printed); 2 bad usage or nothing could be written.
//!
//! Everything the commands print goes through `outln!` and `errln!`, never
//! `println!`: a closed stdout or stderr (`kpiroll … 2>&1 | head`) silences what is
//! left to print, and the run ends as it would have (its files written), without a
//! panic.

/// `println!` that never panics: when stdout is closed the line is dropped.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::say(&mut std::io::stdout().lock(), format_args!($($arg)*), true)
    };
}

/// `print!` that never panics: when stdout is closed the text is dropped.
macro_rules! outp {
    ($($arg:tt)*) => {
        $crate::cli::say(&mut std::io::stdout().lock(), format_args!($($arg)*), false)
    };
}

/// `eprintln!` that never panics: when stderr is closed the line is dropped.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::say(&mut std::io::stderr().lock(), format_args!($($arg)*), true)
    };
}

/// `eprint!` that never panics.
macro_rules! errp {
    ($($arg:tt)*) => {
        $crate::cli::say(&mut std::io::stderr().lock(), format_args!($($arg)*), false)
    };
}

/// Writes `args` (and a line end) to `to`. A write that fails (a closed pipe: nobody is
/// reading any more) is dropped: printing is only ever a report of the run, and the
/// run goes on to its end.
pub fn say(to: &mut impl std::io::Write, args: std::fmt::Arguments<'_>, line: bool) {
    let _ = to
        .write_fmt(args)
        .and_then(|()| if line { to.write_all(b"\n") } else { Ok(()) })
        .and_then(|()| to.flush());
}

pub mod check;
pub mod consolidate;
pub mod demo;
pub mod desktop;
pub mod diff;
pub mod export;
pub mod handout;
pub mod help;
pub mod rollover;
pub mod serve;
pub mod settings;
pub mod templates;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::problem::Report;
use crate::profile::{Lang, Profile};

/// kpiroll: consolidates a strategy's KPI table (資料2-2) year over year.
///
/// Reads the returns departments send back (xlsx, xlsm, xls, ods, csv, tsv/txt; UTF-8 or
/// Shift_JIS), reports every problem with its file, sheet and cell, and writes the
/// city's book, ready to print on A3.
#[derive(Debug, Parser)]
#[command(name = "kpiroll", version, propagate_version = true)]
pub struct Cli {
    /// Language of messages (ja: 日本語, en: English). Default: KPIROLL_LANG, else English
    /// when the locale (LC_ALL, LC_MESSAGES, LANG) is English, else Japanese.
    #[arg(long, global = true, value_enum, env = "KPIROLL_LANG")]
    pub lang: Option<Lang>,
    /// A city profile folder (layout.toml, aliases.toml, …); files it lacks come from the
    /// built-in profile.
    #[arg(long, global = true, env = "KPIROLL_TEMPLATES", value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Rows considered per sheet (default from templates/limits.toml).
    #[arg(long, global = true, value_name = "N")]
    pub max_rows: Option<u32>,
    /// Columns considered per sheet.
    #[arg(long, global = true, value_name = "N")]
    pub max_cols: Option<u16>,
    /// Largest uncompressed part of an xlsx / ods, in MiB (zip bombs).
    #[arg(long, global = true, value_name = "MIB")]
    pub max_part_mib: Option<u64>,
    /// Input files in one run.
    #[arg(long, global = true, value_name = "N")]
    pub max_files: Option<usize>,
    /// Text and cells held from one file, in MiB.
    #[arg(long, global = true, value_name = "MIB")]
    pub max_text_mib: Option<u64>,
    /// Uncompressed size of the parts read from one file, all together, in MiB.
    #[arg(long, global = true, value_name = "MIB")]
    pub max_read_mib: Option<u64>,
    /// Cells covered by merged areas in one file.
    #[arg(long, global = true, value_name = "N")]
    pub max_merged_cells: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Consolidate(consolidate::Args),
    Check(check::Args),
    Export(export::Args),
    Handout(handout::Args),
    Rollover(rollover::Args),
    Diff(diff::Args),
    Demo(demo::Args),
    Templates(templates::Args),
    Init(settings::InitArgs),
    Serve(serve::Args),
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// everything was taken
    Ok,
    /// something was refused (printed, logged)
    Refused,
}

impl Status {
    /// 1 when the report has a refusal, else 0.
    pub fn of(report: &Report) -> Status {
        if report.refusals() > 0 {
            Status::Refused
        } else {
            Status::Ok
        }
    }
}

/// Runs a parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let lang = cli.lang.unwrap_or_else(locale_lang);
    // a profile folder is made and checked without loading one
    let mut command = match cli.command {
        Command::Templates(args) => return exit(templates::run(args, lang)),
        command => command,
    };
    let mut profile = match Profile::load(cli.templates.as_deref(), lang) {
        Ok(p) => p,
        // said in the user's language by the built-in catalogue
        Err(e) => return failed(&e.into(), &Profile::builtin(lang)),
    };
    let limits = &mut profile.limits;
    limits.max_rows = cli.max_rows.unwrap_or(limits.max_rows);
    limits.max_cols = cli.max_cols.unwrap_or(limits.max_cols);
    limits.max_part_mib = cli.max_part_mib.unwrap_or(limits.max_part_mib);
    limits.max_files = cli.max_files.unwrap_or(limits.max_files);
    limits.max_text_mib = cli.max_text_mib.unwrap_or(limits.max_text_mib);
    limits.max_read_mib = cli.max_read_mib.unwrap_or(limits.max_read_mib);
    limits.max_merged_cells = cli.max_merged_cells.unwrap_or(limits.max_merged_cells);
    let result = match settings::apply(&mut command, &profile) {
        Err(e) => Err(e),
        Ok(()) => dispatch(command, &profile, cli.templates.as_deref()),
    };
    match result {
        Ok(status) => exit(Ok(status)),
        Err(e) => {
            // returns all of another year: the files skipped as no table are named, one
            // of the returns says where, the error says it once
            if let Error::ReturnsOfAnotherYear { first, skipped, .. } = &e {
                for line in skipped {
                    errln!("{line}");
                }
                errln!("{first}");
            }
            failed(&e, &profile)
        }
    }
}

/// A fatal error worded by `profile`'s catalogue: status 2.
fn failed(e: &Error, profile: &Profile) -> ExitCode {
    errln!(
        "kpiroll: {}: {}",
        profile.message("error", &[]),
        crate::problem::shown(&e.render(profile))
    );
    ExitCode::from(2)
}

/// Runs one command with its profile (`templates`: the profile's folder, for a command
/// that loads the catalogue of the other language too).
fn dispatch(
    command: Command,
    profile: &Profile,
    templates: Option<&std::path::Path>,
) -> Result<Status, Error> {
    match command {
        Command::Consolidate(args) => consolidate::run(args, profile),
        Command::Check(args) => check::run(args, profile),
        Command::Export(args) => export::run(args, profile),
        Command::Handout(args) => handout::run(args, profile),
        Command::Rollover(args) => rollover::run(args, profile),
        Command::Diff(args) => diff::run(args, profile),
        Command::Demo(args) => demo::run(args, profile),
        Command::Init(args) => settings::init(args, profile),
        Command::Serve(args) => serve::run(args, profile, templates),
        Command::Templates(_) => unreachable!("handled above"),
    }
}

fn exit(result: Result<Status, Error>) -> ExitCode {
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Refused) => ExitCode::from(1),
        Err(e) => fatal(&e),
    }
}

/// English when the first locale variable set says so (`en_US.UTF-8`), else Japanese.
pub(crate) fn locale_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map_or(Lang::Ja, |s| {
            if s.starts_with("en") {
                Lang::En
            } else {
                Lang::Ja
            }
        })
}

/// A fatal error before a profile could be loaded: its Japanese `Display` text.
fn fatal(e: &Error) -> ExitCode {
    errln!("kpiroll: エラー: {}", crate::problem::shown(&e.to_string()));
    ExitCode::from(2)
}

/// Prints every problem of a report on stderr, grouped by file.
pub fn print_report(report: &Report, profile: &Profile) {
    errp!("{}", report.render(profile));
}

/// The last line of a command that wrote a book's rows to `output` (export, handout).
pub fn print_rows_written(rows: usize, output: &std::path::Path, profile: &Profile) {
    let (rows, output) = (rows.to_string(), output.display().to_string());
    errln!(
        "{}",
        crate::problem::shown(
            &profile.message("rows_written", &[("rows", &rows), ("output", &output)])
        )
    );
}
