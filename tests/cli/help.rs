//! `--help` of every command: Japanese by default, English with `--lang en` or an
//! English locale, from the message catalogue; none of the code's own (English) doc
//! lines left; examples one per line; clap's usage errors with Japanese headings.

use clap::CommandFactory;

use crate::common::Work;

/// Every command, with a Japanese and an English text its help must show.
const COMMANDS: [(&[&str], &str, &str); 13] = [
    (&[], "年度ごとに取りまとめます", "year over year"),
    (
        &["consolidate"],
        "前年度のブック: 行を突き合わせ",
        "Last year's book: rows are compared",
    ),
    (&["check"], "何も書き出しません", "writes nothing"),
    (&["export"], "JSON・CSV・Parquet", "JSON, CSV or Parquet"),
    (&["handout"], "議会配布用", "council's copy"),
    (
        &["rollover"],
        "入力シートをこのパスワードで保護",
        "Protect the input sheet",
    ),
    (
        &["diff"],
        "違いがあれば終了ステータス 1",
        "Exit with status 1",
    ),
    (&["demo"], "既定は kpiroll-demo", "default kpiroll-demo"),
    (&["templates"], "市のテンプレート", "city profile"),
    (
        &["templates", "init"],
        "書き出すフォルダ（なければ作ります）",
        "created if needed",
    ),
    (&["templates", "check"], "確かめるフォルダ", "The folder"),
    (
        &["init"],
        "kpiroll.toml がすでにあれば上書き",
        "Overwrite kpiroll.toml",
    ),
    (
        &["serve"],
        "ブラウザを開きません",
        "Do not open the browser",
    ),
];

/// The doc comments of a command and its arguments: the English the help must not show.
fn english_doc_lines(path: &[&str]) -> Vec<String> {
    let mut cmd = kpiroll::cli::Cli::command();
    cmd.build();
    let mut cmd = &cmd;
    for name in path {
        cmd = cmd.find_subcommand(name).expect("command");
    }
    let mut texts = Vec::new();
    texts.extend(cmd.get_about().map(ToString::to_string));
    texts.extend(cmd.get_long_about().map(ToString::to_string));
    for arg in cmd.get_arguments() {
        texts.extend(arg.get_help().map(ToString::to_string));
        texts.extend(arg.get_long_help().map(ToString::to_string));
    }
    texts
        .iter()
        .flat_map(|t| {
            t.lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        // the examples are the same commands in every language
        .filter(|l| !l.starts_with("kpiroll ") && !l.starts_with("Example"))
        .filter(|l| l.chars().filter(char::is_ascii_alphabetic).count() > 12)
        .collect()
}

fn help(work: &Work, path: &[&str], extra: &[&str]) -> String {
    let mut args: Vec<&str> = path.to_vec();
    args.extend(extra);
    args.push("--help");
    let (stdout, _) = work.run_status(&args, 0);
    stdout
}

#[test]
fn every_commands_help_is_japanese_by_default() {
    let work = Work::new();
    for (path, japanese, _) in COMMANDS {
        let text = help(&work, path, &[]);
        assert!(
            text.contains(japanese),
            "{path:?}: no {japanese} in\n{text}"
        );
        assert!(text.contains("使い方: kpiroll"), "{path:?}:\n{text}");
        assert!(text.contains("-h, --help") && text.contains("このヘルプを表示します"));
        for english in [
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "Print help",
            "[env:",
            "[default:",
            "[possible values",
        ] {
            assert!(
                !text.contains(english),
                "{path:?}: {english} left in\n{text}"
            );
        }
        for line in english_doc_lines(path) {
            assert!(
                !text.contains(&line),
                "{path:?}: doc line left: {line}\n{text}"
            );
        }
    }
}

#[test]
fn every_commands_help_is_english_with_lang_en_or_an_english_locale() {
    let work = Work::new();
    for (path, japanese, english) in COMMANDS {
        let text = help(&work, path, &["--lang", "en"]);
        assert!(text.contains(english), "{path:?}: no {english} in\n{text}");
        assert!(text.contains("Usage: kpiroll"), "{path:?}:\n{text}");
        assert!(
            !text.contains(japanese) && !text.contains("使い方"),
            "{path:?}:\n{text}"
        );
    }
    let mut args = vec!["rollover", "--help"];
    for (var, value) in [("LANG", "en_US.UTF-8"), ("LC_ALL", "en_GB.UTF-8")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
            .args(&args)
            .env_remove("KPIROLL_LANG")
            .env_remove("LC_ALL")
            .env_remove("LANG")
            .env(var, value)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Protect the input sheet"), "{var}:\n{text}");
        args = vec!["rollover", "-h"];
    }
}

#[test]
fn examples_are_one_per_line_to_copy() {
    let work = Work::new();
    let text = help(&work, &["consolidate"], &[]);
    let examples = &text[text.find("例:").expect("例:")..];
    let lines: Vec<&str> = examples.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert!(lines.len() >= 3, "{examples}");
    for line in &lines {
        assert!(
            line.trim_start().starts_with("kpiroll consolidate"),
            "{line}"
        );
        assert_eq!(line.matches("kpiroll ").count(), 1, "{line}");
    }
    assert!(lines.contains(&"  kpiroll consolidate --year R7 --prev R6.xlsx returns/ -o R7.xlsx"));
}

#[test]
fn a_usage_error_has_japanese_headings_and_status_2() {
    let work = Work::new();
    let (_, stderr) = work.run_status(&["consolidate", "--yeer", "R7"], 2);
    assert!(
        stderr.starts_with("エラー: '--yeer' という指定はありません"),
        "{stderr}"
    );
    assert!(stderr.contains("似た指定があります: '--year'"), "{stderr}");
    assert!(stderr.contains("使い方: kpiroll consolidate"), "{stderr}");
    assert!(
        !stderr.contains("error:") && !stderr.contains("Usage:"),
        "{stderr}"
    );
    let (_, stderr) = work.run_status(&["diff", "--format", "pdf", "a", "b"], 2);
    assert!(
        stderr.contains("'pdf' は --format <形式> に使えません（使える値: xlsx, text, json, csv）"),
        "{stderr}"
    );
    let (_, stderr) = work.run_status(&["--lang", "en", "check", "--bogus"], 2);
    assert!(
        stderr.starts_with("error: unexpected argument '--bogus'"),
        "{stderr}"
    );
}
