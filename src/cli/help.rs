//! The command-line help and clap's own errors in the user's language.
//!
//! The arguments are declared with clap derive (`src/cli/*.rs`); their doc comments are
//! the developer's notes. What the user reads comes from the message catalogue
//! (`[help.<command>]` in `templates/messages.ja.toml` / `messages.en.toml`): before the
//! command line is parsed, the language is picked from it (`--lang`), from
//! `KPIROLL_LANG` or from the locale, and the built clap command is rewritten from the
//! catalogue: each command's summary, its longer text and its examples (one per line, to
//! copy), each argument's help by its id, the section headings and clap's `--help` /
//! `--version`. A test checks that every argument of every command has an entry in both
//! languages.

use std::ffi::OsString;

use clap::error::{ContextKind, ErrorKind};
use clap::{Arg, CommandFactory, FromArgMatches};

use super::Cli;
use crate::profile::{Lang, Messages};

/// The catalogue path of a command: `kpiroll` for the program itself, its subcommands
/// by name (`consolidate`, `templates.init`), clap's `help` subcommand `help_command`.
const ROOT: &str = "kpiroll";

/// Parses the process's command line with the help in the user's language; prints the
/// help, the version or a usage error and exits as clap does (status 2 for an error).
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    parse_from(&args).unwrap_or_else(|status| std::process::exit(status))
}

/// Parses `args` (the program's name first) with the help in the user's language. What
/// [`parse`] would print before exiting is printed here, and the status it would exit
/// with is returned instead: the caller decides when the process ends (a console
/// opened by a double-click waits for Enter first).
///
/// # Errors
/// The exit status when the command line asked for the help or the version (0) or was
/// wrong (2).
pub fn parse_from(args: &[OsString]) -> Result<Cli, i32> {
    let messages = Messages::builtin(lang_of(args));
    let mut cmd = command(&messages);
    cmd.try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m).map_err(|e| e.format(&mut cmd)))
        .map_err(|e| print_error(&e, &messages))
}

/// The language of the help: `--lang` on the command line, else `KPIROLL_LANG`, else
/// the locale (English when it starts with `en`), else Japanese.
pub fn lang_of(args: &[OsString]) -> Lang {
    use clap::ValueEnum;
    let parse = |s: &str| Lang::from_str(s, true).ok();
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(value) = word.strip_prefix("--lang=") {
            if let Some(lang) = parse(value) {
                return lang;
            }
        } else if word == "--lang" {
            if let Some(lang) = words.next().and_then(|v| parse(&v)) {
                return lang;
            }
        }
    }
    std::env::var("KPIROLL_LANG")
        .ok()
        .and_then(|v| parse(&v))
        .unwrap_or_else(super::locale_lang)
}

/// The whole command, built, with every text the user reads taken from `messages`.
pub fn command(messages: &Messages) -> clap::Command {
    let mut cmd = Cli::command();
    // built first, so clap's own --help, --version and help subcommand exist and the
    // global arguments have been copied into every subcommand
    cmd.build();
    localize(cmd, ROOT, messages)
}

/// The catalogue entry `help.<path>.<key>`.
fn entry<'m>(messages: &'m Messages, path: &str, key: &str) -> Option<&'m str> {
    messages.get(&format!("help.{path}.{key}"))
}

/// One argument's help: its command's entry, else the program's (a global argument),
/// else the common one (clap's --help and --version).
fn arg_help<'m>(messages: &'m Messages, path: &str, id: &str) -> Option<&'m str> {
    entry(messages, path, id)
        .or_else(|| entry(messages, ROOT, id))
        .or_else(|| entry(messages, "common", id))
}

fn localize(cmd: clap::Command, path: &str, m: &Messages) -> clap::Command {
    let common = |key: &str| entry(m, "common", key).unwrap_or(key).to_string();
    let mut cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            common("usage")
        ))
        .subcommand_help_heading(common("commands"))
        .subcommand_value_name(common("command_value"));
    if let Some(about) = entry(m, path, "about") {
        let long = match entry(m, path, "long") {
            Some(long) => format!("{about}\n\n{long}"),
            None => about.to_string(),
        };
        cmd = cmd.about(about.to_string()).long_about(long);
    }
    if let Some(examples) = entry(m, path, "examples") {
        let lines: Vec<String> = examples
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("  {}", l.trim()))
            .collect();
        cmd = cmd.after_help(format!("{}\n{}", common("examples"), lines.join("\n")));
    }
    let (arguments, options, global) = (
        common("arguments"),
        common("options"),
        common("global_options"),
    );
    cmd = cmd.mut_args(|arg: Arg| {
        let heading = if arg.is_positional() {
            arguments.clone()
        } else if arg.is_global_set() {
            global.clone()
        } else {
            options.clone()
        };
        let arg = value_names(arg.help_heading(heading), m);
        match arg_help(m, path, arg.get_id().as_str()) {
            // the catalogue's text says the defaults, values and variables in words
            Some(text) => arg
                .help(text.to_string())
                .long_help(text.to_string())
                .hide_env(true)
                .hide_possible_values(true)
                .hide_default_value(true),
            None => arg,
        }
    });
    let cmd = localized_usage(cmd, m);
    cmd.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        if name == "help" {
            // clap's help subcommand: its copies of the commands are not shown
            let sub = sub.about(entry(m, "help_command", "about").unwrap_or("").to_string());
            return sub.mut_args(|arg: Arg| {
                let arg = value_names(arg, m);
                match entry(m, "help_command", "subcommand") {
                    Some(text) => arg.help(text.to_string()),
                    None => arg,
                }
            });
        }
        let sub_path = if path == ROOT {
            name
        } else {
            format!("{path}.{name}")
        };
        localize(sub, &sub_path, m)
    })
}

/// The usage line with clap's `[OPTIONS]` in the catalogue's words (`[オプション]`); the
/// names of values and of the command are already the catalogue's.
fn localized_usage(mut cmd: clap::Command, m: &Messages) -> clap::Command {
    let Some(word) = entry(m, "common", "options_value") else {
        return cmd;
    };
    let usage = cmd.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
    let usage = usage.replace("[OPTIONS]", &format!("[{word}]"));
    cmd.override_usage(usage)
}

/// The names of an argument's values (`<YEAR>`, `[INPUTS]...`) as the catalogue's
/// `[help.values]` words them (`<年度>`), by the name clap gives them; a name the
/// catalogue lacks is kept.
fn value_names(arg: Arg, m: &Messages) -> Arg {
    let names = value_names_of(&arg);
    if names.is_empty() {
        return arg;
    }
    let words: Vec<String> = names
        .iter()
        .map(|n| entry(m, "values", n).unwrap_or(n).to_string())
        .collect();
    arg.value_names(words)
}

/// The names clap shows for an argument's values: those given, else its id in capitals
/// (none for a flag).
fn value_names_of(arg: &Arg) -> Vec<String> {
    if !arg.get_num_args().is_some_and(|n| n.takes_values()) {
        return Vec::new();
    }
    match arg.get_value_names() {
        Some(names) => names.iter().map(ToString::to_string).collect(),
        None => vec![arg.get_id().as_str().to_uppercase()],
    }
}

/// Prints a clap error with the catalogue's words and returns the status to exit with:
/// help and version on stdout (status 0, as clap does; the help a bare `kpiroll` shows
/// on stderr with status 2); a usage error on stderr with status 2.
fn print_error(e: &clap::Error, m: &Messages) -> i32 {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return e.exit_code();
    }
    errp!("{}", error_text(e, m));
    2
}

/// A usage error in the catalogue's words: the heading, the sentence where the
/// catalogue has one for its kind (else clap's), the usage line and the pointer to
/// `--help`.
pub fn error_text(e: &clap::Error, m: &Messages) -> String {
    let common = |key: &str| entry(m, "common", key).unwrap_or(key).to_string();
    let context = |kind: ContextKind| e.get(kind).map(ToString::to_string).unwrap_or_default();
    let sentence = error_id(e.kind())
        .and_then(|id| entry(m, "errors", id))
        .map(|template| {
            template
                .replace("{arg}", &context(ContextKind::InvalidArg))
                .replace("{value}", &context(ContextKind::InvalidValue))
                .replace("{valid}", &context(ContextKind::ValidValue))
                .replace("{command}", &context(ContextKind::InvalidSubcommand))
                .replace("{other}", &context(ContextKind::PriorArg))
        });
    let rendered = e.render().to_string();
    let mut out = String::new();
    for (i, line) in rendered.lines().enumerate() {
        let line = if i == 0 {
            let english = line.strip_prefix("error: ").unwrap_or(line);
            format!(
                "{} {}",
                common("error"),
                sentence.as_deref().unwrap_or(english)
            )
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            format!("{} {usage}", common("usage"))
        } else if line.starts_with("For more information, try '") {
            let help = line.split('\'').nth(1).unwrap_or("--help");
            common("more").replace("{help}", help)
        } else if let Some(tip) = line.trim_start().strip_prefix("tip: ") {
            let quoted = tip.split('\'').nth(1).unwrap_or_default();
            let tip = if tip.starts_with("a similar") {
                common("similar").replace("{x}", quoted)
            } else if tip.starts_with("to pass") {
                common("trailing").replace("{x}", quoted)
            } else {
                tip.to_string()
            };
            format!("  {} {tip}", common("tip"))
        } else if sentence.is_some() && line.trim_start().starts_with("[possible values:") {
            // the sentence lists them
            continue;
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The catalogue id of an error kind the catalogue words itself (`[help.errors]`).
fn error_id(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::UnknownArgument => "unknown_argument",
        ErrorKind::InvalidValue => "invalid_value",
        ErrorKind::InvalidSubcommand => "invalid_subcommand",
        ErrorKind::MissingRequiredArgument => "missing_argument",
        ErrorKind::ArgumentConflict => "conflict",
        ErrorKind::ValueValidation => "value_validation",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            "number_of_values"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and argument the user can ask help for, in both languages.
    #[test]
    fn every_command_and_argument_has_help_in_both_languages() {
        fn walk(cmd: &clap::Command, path: &str, m: &Messages, missing: &mut Vec<String>) {
            if cmd.get_name() == "help" {
                for key in ["about", "subcommand"] {
                    if entry(m, "help_command", key).is_none() {
                        missing.push(format!("help.help_command.{key}"));
                    }
                }
                return;
            }
            if entry(m, path, "about").is_none() {
                missing.push(format!("help.{path}.about"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg_help(m, path, id).is_none() {
                    missing.push(format!("help.{path}.{id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                let sub_path = if path == ROOT {
                    sub.get_name().to_string()
                } else {
                    format!("{path}.{}", sub.get_name())
                };
                walk(sub, &sub_path, m, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        for lang in [Lang::Ja, Lang::En] {
            let m = Messages::builtin(lang);
            let mut missing = Vec::new();
            walk(&cmd, ROOT, &m, &mut missing);
            for key in [
                "usage",
                "commands",
                "command_value",
                "arguments",
                "options",
                "examples",
                "error",
                "more",
                "tip",
                "similar",
                "trailing",
                "global_options",
            ] {
                if entry(&m, "common", key).is_none() {
                    missing.push(format!("help.common.{key}"));
                }
            }
            assert!(missing.is_empty(), "{lang:?}: no help for {missing:?}");
        }
    }

    /// Every value name of every argument, in both languages; Japanese help shows
    /// none of clap's English ones.
    #[test]
    fn every_value_name_has_a_word_in_both_languages() {
        fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                out.extend(value_names_of(arg));
            }
            for sub in cmd.get_subcommands() {
                walk(sub, out);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut names = Vec::new();
        walk(&cmd, &mut names);
        names.sort();
        names.dedup();
        assert!(names.contains(&"YEAR".to_string()), "{names:?}");
        for lang in [Lang::Ja, Lang::En] {
            let m = Messages::builtin(lang);
            let missing: Vec<&String> = names
                .iter()
                .filter(|n| entry(&m, "values", n).is_none())
                .collect();
            assert!(
                missing.is_empty(),
                "{lang:?}: no help.values for {missing:?}"
            );
        }
        let help = |lang: Lang, args: &[&str]| {
            let e = command(&Messages::builtin(lang))
                .try_get_matches_from(args)
                .unwrap_err();
            e.render().to_string()
        };
        let ja = help(Lang::Ja, &["kpiroll", "consolidate", "--help"]);
        let en = help(Lang::En, &["kpiroll", "consolidate", "--help"]);
        for name in &names {
            assert!(!ja.contains(&format!("<{name}>")), "{name} in\n{ja}");
        }
        assert!(
            ja.contains("--year <年度>") && ja.contains("[入力]..."),
            "{ja}"
        );
        assert!(
            en.contains("--year <YEAR>") && en.contains("[INPUTS]..."),
            "{en}"
        );
    }

    #[test]
    fn the_language_comes_from_the_command_line_first() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_of(&args(&["kpiroll", "--lang", "en", "check"])),
            Lang::En
        );
        assert_eq!(lang_of(&args(&["kpiroll", "check", "--lang=ja"])), Lang::Ja);
        assert_eq!(lang_of(&args(&["kpiroll", "check", "--lang=EN"])), Lang::En);
    }

    #[test]
    fn a_usage_error_reads_in_japanese() {
        let m = Messages::builtin(Lang::Ja);
        let e = command(&m)
            .try_get_matches_from(["kpiroll", "check", "--bogus"])
            .unwrap_err();
        let text = error_text(&e, &m);
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("エラー:"), "{text}");
        assert!(first.contains("--bogus"), "{text}");
        assert!(
            !text.contains("error:") && !text.contains("Usage:"),
            "{text}"
        );
        assert!(text.contains("使い方: kpiroll check"), "{text}");
    }
}
