//! `kpiroll.toml`, the year's settings: `kpiroll consolidate` with nothing else gives the
//! book of the long command; `kpiroll init` writes a file it accepts; flags override the
//! file; a bad file is reported as file:line:col with status 2 and nothing written.

use crate::common::{r6_book, r7_book, read_sheet, Work, RENAMES, RETURNS};

/// Settings naming the fixtures: last year's book beside the file (a relative path),
/// the R7 returns and renames (absolute), the output folder `out`.
fn settings(year: &str) -> String {
    format!(
        "year = \"{year}\"\nprev = \"R6.xlsx\"\nreturns = '{RETURNS}'\nrenames = '{RENAMES}'\n\
         due = 2026-05-31\noutput = \"out\"\n\n[contact]\nsection = \"企画政策課 企画係\"\nextension = \"1234\"\n"
    )
}

#[test]
fn consolidate_with_the_settings_file_alone_writes_the_long_commands_book() {
    let work = Work::new();
    let long = r7_book(&work);
    std::fs::write(work.path("kpiroll.toml"), settings("R7")).unwrap();
    let (_, stderr) = work.run_status(&["consolidate"], 0);
    // which settings were taken is said, so none passes unseen
    assert!(
        stderr.contains("kpiroll.toml から: output, prev, renames, returns, year"),
        "{stderr}"
    );
    let short = work.path("out/R7.xlsx");
    assert_eq!(
        std::fs::read(&short).unwrap(),
        std::fs::read(&long).unwrap()
    );
    // a working book with rows, not two empty files alike
    let status = read_sheet(&short, "提出状況");
    assert!(status.height > 1, "提出状況 has rows");
    // run again: the book exists, so nothing is overwritten without --force
    let (_, stderr) = work.run_status(&["consolidate"], 2);
    assert!(stderr.contains("--force"), "{stderr}");
}

#[test]
fn init_writes_a_commented_file_that_consolidate_accepts() {
    let work = Work::new();
    let (_, stderr) = work.run_status(&["init"], 0);
    assert!(stderr.contains("kpiroll.toml"), "{stderr}");
    let text = std::fs::read_to_string(work.path("kpiroll.toml")).unwrap();
    // every key, each with an example and a Japanese comment
    for key in [
        "year =",
        "prev =",
        "returns =",
        "renames =",
        "due =",
        "output =",
        "book =",
        "forms =",
        "handout =",
        "[contact]",
        "section =",
        "extension =",
    ] {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in\n{text}"));
        let lines: Vec<&str> = text.lines().collect();
        let commented = lines[line].contains('#') || lines[line - 1].starts_with('#');
        assert!(commented, "{key} has no comment");
    }
    assert!(
        text.contains("# 提出期限") && text.contains("内線"),
        "{text}"
    );
    // never overwritten without --force
    std::fs::write(work.path("kpiroll.toml"), "year = \"R7\"\n").unwrap();
    let (_, stderr) = work.run_status(&["init"], 2);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(work.path("kpiroll.toml")).unwrap(),
        "year = \"R7\"\n"
    );
    work.run_status(&["init", "--force"], 0);
    assert_eq!(
        std::fs::read_to_string(work.path("kpiroll.toml")).unwrap(),
        text
    );

    // the paths filled in: last year's book where the file says, the fixtures' returns
    let long = r7_book(&work);
    std::fs::rename(&long, work.path("long.xlsx")).unwrap();
    let filled = text
        .replace("returns = \"returns\"", &format!("returns = '{RETURNS}'"))
        .replace(
            "renames = \"renames.toml\"",
            &format!("renames = '{RENAMES}'"),
        );
    assert_ne!(filled, text, "the template's paths were found");
    std::fs::write(work.path("kpiroll.toml"), filled).unwrap();
    work.run_status(&["consolidate"], 0);
    assert_eq!(
        std::fs::read(work.path("R7/R7.xlsx")).unwrap(),
        std::fs::read(work.path("long.xlsx")).unwrap()
    );
    // and the handout takes its book and name from the same file
    work.run_status(&["handout"], 0);
    let handout = read_sheet(&work.path("R7/資料2-2_R7.xlsx"), "一覧");
    assert!(handout.height > 10);
}

#[test]
fn a_flag_overrides_the_file() {
    let work = Work::new();
    let long = r7_book(&work);
    // the file names another book and folder: the flags win
    let text = settings("R7").replace("prev = \"R6.xlsx\"", "prev = \"R5.xlsx\"");
    std::fs::write(work.path("kpiroll.toml"), text).unwrap();
    let (_, stderr) = work.run_status(&["consolidate", "--prev", "R6.xlsx", "-o", "mine.xlsx"], 0);
    assert!(
        stderr.contains("kpiroll.toml から: renames, returns, year"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(work.path("mine.xlsx")).unwrap(),
        std::fs::read(&long).unwrap()
    );
    assert!(!work.path("out").exists());
    // a run of another year does not take this year's settings at all
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            crate::common::SEED,
            "-o",
            "R6b.xlsx",
        ],
        0,
    );
    assert!(
        stderr.contains("R7 年度の設定のため、R6 年度のこの実行には使いません"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(work.path("R6b.xlsx")).unwrap(),
        std::fs::read(work.path("R6.xlsx")).unwrap()
    );
    // inputs named on the command line: neither the returns nor the year of the file
    let (stdout, stderr) = work.run_status(&["check", "R6.xlsx"], 0);
    assert!(!stderr.contains("kpiroll.toml から"), "{stderr}");
    assert!(stdout.contains("年度 R6"), "{stdout}");
}

#[test]
fn a_bad_settings_file_is_located_and_stops_the_run() {
    let work = Work::new();
    r6_book(&work);
    let cases = [
        // a misspelt key
        (
            "year = \"R7\"\nprev = \"R6.xlsx\"\nyeer = \"R7\"\n",
            "kpiroll.toml:3:1: ",
            "yeer",
        ),
        // a value of the wrong kind
        (
            "year = \"R7\"\nprev = 6\n",
            "kpiroll.toml:2:8: ",
            "値の種類が違います",
        ),
        // a year that is none
        (
            "year = \"R七年\"\n",
            "kpiroll.toml:1:8: ",
            "「R七年」は年度として読めません",
        ),
        // not TOML
        ("year = R7\n", "kpiroll.toml:1:8: ", "TOML の書き方"),
        // 内線 missing from 問い合わせ先
        (
            "year = \"R7\"\n[contact]\nsection = \"企画課\"\n",
            "kpiroll.toml:2:1: ",
            "extension",
        ),
    ];
    for (text, at, what) in cases {
        std::fs::write(work.path("kpiroll.toml"), text).unwrap();
        let (_, stderr) = work.run_status(&["consolidate", RETURNS, "-o", "R7.xlsx"], 2);
        assert!(stderr.contains(at), "{text}: {stderr}");
        assert!(stderr.contains(what), "{text}: {stderr}");
        assert!(!work.path("R7.xlsx").exists());
    }
    // a command that takes no settings is not stopped by them
    work.run_status(&["export", "R6.xlsx", "-o", "rows.json"], 0);
}

#[test]
fn without_a_flag_or_a_setting_the_message_names_both() {
    let work = Work::new();
    let (_, stderr) = work.run_status(&["consolidate", RETURNS, "-o", "R7.xlsx"], 2);
    assert!(
        stderr.contains("--year") && stderr.contains("kpiroll.toml に year"),
        "{stderr}"
    );
    let (_, stderr) = work.run_status(&["--lang", "en", "consolidate", "--year", "R7"], 2);
    assert!(
        stderr.contains("give --output") && stderr.contains("kpiroll.toml"),
        "{stderr}"
    );
}

#[test]
fn rollover_forms_show_the_settings_due_date_and_contact() {
    let work = Work::new();
    r6_book(&work);
    let text = format!(
        "{}person = \"山田\"\nphone = \"0123-45-6789\"\nemail = \"kikaku@example.jp\"\n",
        settings("R7").replace("output = \"out\"", "output = \"out\"\nforms = \"forms\"")
    );
    std::fs::write(work.path("kpiroll.toml"), text).unwrap();
    let (_, stderr) = work.run_status(&["rollover"], 0);
    assert!(
        stderr.contains("kpiroll.toml から: contact, due, forms, prev, renames, year"),
        "{stderr}"
    );
    // the 課 after the renames, as the settings name them
    let form = work.path("out/forms/R7_産業イノベーション課.xlsx");
    let guide = read_sheet(&form, "記入要領");
    let lines: Vec<String> = (0..guide.height).map(|r| guide.text(r, 0)).collect();
    assert!(
        lines.contains(&"7. 提出期限: 令和8年5月31日（日）".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(
            &"8. 問い合わせ先: 企画政策課 企画係（内線 1234）　担当: 山田　電話: 0123-45-6789　メール: kikaku@example.jp"
                .to_string()
        ),
        "{lines:?}"
    );

    // only the parts given: section and 内線
    std::fs::write(work.path("kpiroll.toml"), settings("R7")).unwrap();
    work.run_status(&["rollover", "-o", "plain"], 0);
    let guide = read_sheet(&work.path("plain/R7_都市計画課.xlsx"), "記入要領");
    let lines: Vec<String> = (0..guide.height).map(|r| guide.text(r, 0)).collect();
    assert!(
        lines.contains(&"8. 問い合わせ先: 企画政策課 企画係（内線 1234）".to_string()),
        "{lines:?}"
    );
}
