//! What the commands say comes from the message catalogue in the user's language: the
//! names of values in `--help`, `templates init` / `templates check`, the demo's steps.
//! Japanese by default, English with `--lang en`.

use crate::common::Work;

/// Whether a text holds hiragana or katakana (Japanese words; kanji alone may be a 課
/// or sheet name kept as data in English).
fn has_kana(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{3041}'..='\u{30ff}').contains(&c) && c != '・')
}

/// The `<…>` and `[…]` names of values in a help text.
fn value_names(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [('<', '>'), ('[', ']')] {
        let mut rest = help;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len_utf8()..];
            let Some(j) = after.find(close) else { break };
            let name = &after[..j];
            if !name.is_empty() && !name.contains(char::is_whitespace) {
                out.push(name.to_string());
            }
            rest = &after[j..];
        }
    }
    out
}

#[test]
fn help_names_values_in_japanese_by_default_and_in_english_with_lang_en() {
    let work = Work::new();
    let cases: [(&[&str], &[&str], &[&str]); 4] = [
        (
            &["consolidate"],
            &[
                "--year <年度>",
                "--prev <ブック>",
                "--renames <ファイル>",
                "--output <出力先>",
                "[入力]...",
                "--templates <フォルダ>",
                "--max-rows <数>",
                "--lang <言語>",
            ],
            &[
                "--year <YEAR>",
                "--prev <BOOK>",
                "--renames <FILE>",
                "--output <OUTPUT>",
                "[INPUTS]...",
                "--templates <DIR>",
                "--max-rows <N>",
                "--lang <LANG>",
            ],
        ),
        (
            &["diff"],
            &["<ブック> <ブック>...", "--format <形式>"],
            &["<BOOK> <BOOK>...", "--format <FORMAT>"],
        ),
        (
            &["rollover"],
            &["--due <期限>", "--password <パスワード>"],
            &["--due <DUE>", "--password <PASSWORD>"],
        ),
        (&["templates", "check"], &["<フォルダ>"], &["<DIR>"]),
    ];
    for (command, ja_names, en_names) in cases {
        let mut args = command.to_vec();
        args.push("--help");
        let (ja, _) = work.run_status(&args, 0);
        let mut en_args = vec!["--lang", "en"];
        en_args.extend(&args);
        let (en, _) = work.run_status(&en_args, 0);
        for name in ja_names {
            assert!(ja.contains(name), "{name} in\n{ja}");
        }
        for name in en_names {
            assert!(en.contains(name), "{name} in\n{en}");
        }
        // no value named in capitals in the Japanese help, [OPTIONS] of the usage either
        assert!(ja.contains(" [オプション]"), "{ja}");
        let english: Vec<String> = value_names(&ja)
            .into_iter()
            .filter(|n| n.chars().all(|c| c.is_ascii_uppercase()))
            .collect();
        assert!(english.is_empty(), "{command:?}: {english:?}\n{ja}");
    }
}

/// A profile folder whose key pattern accepts anything, and the line of that pattern.
fn broken_profile(work: &Work) -> usize {
    work.run_status(&["templates", "init", "mine"], 0);
    let path = work.path("mine/patterns.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let good = "pattern = '^[0-9]{3}-[0-9]{1,3}$'";
    assert!(text.contains(good));
    std::fs::write(&path, text.replace(good, "pattern = '[0-9]*'")).unwrap();
    text.lines().position(|l| l.starts_with(good)).unwrap() + 1
}

#[test]
fn templates_check_speaks_japanese_by_default_and_english_with_lang_en() {
    let work = Work::new();
    let line = broken_profile(&work);
    let at = format!("mine/patterns.toml:{line}:1: ");
    let (ja, ja_err) = work.run_status(&["templates", "check", "mine"], 1);
    let (en, en_err) = work.run_status(&["--lang", "en", "templates", "check", "mine"], 1);
    let ja: Vec<&str> = ja.lines().collect();
    let en: Vec<&str> = en.lines().collect();
    assert_eq!(
        ja,
        [
            format!("{at}誤り: key.pattern が空欄にも合います。番号だけに合う形にしてください（^…$ で囲みます）"),
            format!("{at}誤り: key.pattern が「事業名」にも合います。番号だけに合う形にしてください（^…$ で囲みます）"),
            format!("{at}誤り: key.pattern が「-」にも合います。番号だけに合う形にしてください（^…$ で囲みます）"),
            format!("{at}誤り: key.pattern が「備考」にも合います。番号だけに合う形にしてください（^…$ で囲みます）"),
            format!("{at}確認: key.pattern が「x111-1x」にも合います。^ と $ で囲んでください"),
        ]
    );
    assert_eq!(
        en,
        [
            format!("{at}error: key.pattern also matches a blank; make it match numbers only (enclose it in ^…$)"),
            format!("{at}error: key.pattern also matches \"事業名\"; make it match numbers only (enclose it in ^…$)"),
            format!("{at}error: key.pattern also matches \"-\"; make it match numbers only (enclose it in ^…$)"),
            format!("{at}error: key.pattern also matches \"備考\"; make it match numbers only (enclose it in ^…$)"),
            format!("{at}warning: key.pattern also matches \"x111-1x\"; enclose it in ^ and $"),
        ]
    );
    assert_eq!(
        ja_err,
        "mine: 誤り 4 件、確認 1 件。このままでは使えません\n"
    );
    assert_eq!(
        en_err,
        "mine: 4 errors, 1 warnings; it cannot be used as it is\n"
    );

    // other checks, one per file: a hole the layout cannot fill, a form's, a pattern
    // that is no regex
    let layout = work.path("mine/layout.toml");
    let text = std::fs::read_to_string(&layout).unwrap();
    let title = "具体的事業一覧（{wareki}）";
    assert!(text.contains(title));
    std::fs::write(
        &layout,
        text.replace(title, "具体的事業一覧（{wareki-10}）"),
    )
    .unwrap();
    let (ja, _) = work.run_status(&["templates", "check", "mine"], 1);
    let (en, _) = work.run_status(&["--lang", "en", "templates", "check", "mine"], 1);
    assert!(
        ja.contains("誤り: 「{wareki-10}」は埋められません。使えるのは {year} {year-1}…{year-9}"),
        "{ja}"
    );
    assert!(
        en.contains(
            "error: \"{wareki-10}\" cannot be filled; the holes are {year} {year-1}…{year-9}"
        ),
        "{en}"
    );
    assert!(!has_kana(&en), "{en}");
    let patterns = work.path("mine/patterns.toml");
    std::fs::write(&patterns, "[key\npattern = 1").unwrap();
    let (en, _) = work.run_status(&["--lang", "en", "templates", "check", "mine"], 1);
    assert!(en.starts_with("mine/patterns.toml:1:5: error: "), "{en}");

    // a folder that is not there
    let (ja, _) = work.run_status(&["templates", "check", "nowhere"], 1);
    let (en, _) = work.run_status(&["--lang", "en", "templates", "check", "nowhere"], 1);
    assert_eq!(ja, "nowhere:1:1: 誤り: フォルダがありません\n");
    assert_eq!(en, "nowhere:1:1: error: the folder does not exist\n");
}

#[test]
fn templates_init_says_what_it_wrote_in_the_users_language() {
    let work = Work::new();
    let (_, ja) = work.run_status(&["templates", "init", "a"], 0);
    let (_, en) = work.run_status(&["--lang", "en", "templates", "init", "b"], 0);
    let files = std::fs::read_dir(work.path("a")).unwrap().count();
    assert_eq!(
        ja,
        format!("{files} ファイルを書き出しました。編集したら kpiroll templates check a で確かめてください\n")
    );
    assert_eq!(
        en,
        format!("{files} files written; once edited, check them with kpiroll templates check b\n")
    );
}

#[test]
fn the_demo_says_each_step_in_japanese_by_default_and_in_english_with_lang_en() {
    let work = Work::new();
    let (ja, _) = work.run_status(&["demo", "-o", "ja"], 0);
    let (en, _) = work.run_status(&["--lang", "en", "demo", "-o", "en"], 0);
    let ja: Vec<&str> = ja.lines().collect();
    let en: Vec<&str> = en.lines().collect();
    assert_eq!(ja.len(), 10, "{ja:?}");
    assert_eq!(en.len(), 10, "{en:?}");
    let ja_words = [
        "1. 元の表（R6, テキスト）",
        "2. R6 のブック（66 行）",
        "3. 書き出し（json）",
        "3. 書き出し（csv）",
        "3. 書き出し（parquet）",
        "4. R7 の各課への様式（25 課）",
        "5. R7 の各課の提出（24 ファイル）",
        "6. R7 のブック（変更 14 行、変更点・取込ログ・提出状況つき）",
        "7. 議会配布用（一覧のみ）",
        "8. R6 → R7 の比較（変更 14 行・追加 1 行・削除 1 行、達成率と評価つき）",
    ];
    let en_words = [
        "1. the seed table (R6, text)",
        "2. the R6 book (66 rows)",
        "3. export (json)",
        "3. export (csv)",
        "3. export (parquet)",
        "4. the R7 forms, one per 課 (25)",
        "5. the R7 returns (24 files)",
        "6. the R7 book (14 rows changed; with 変更点, 取込ログ, 提出状況)",
        "7. the council's handout (the table only)",
        "8. R6 → R7 compared (14 changed, 1 added, 1 removed; achievement and grades)",
    ];
    let files = [
        "資料2-2_R6.txt",
        "R6.xlsx",
        "R6.json",
        "R6.csv",
        "R6.parquet",
        "R7_forms",
        "R7_returns",
        "R7.xlsx",
        "資料2-2_R7.xlsx",
        "R6-R7_diff.xlsx",
    ];
    for i in 0..10 {
        assert!(ja[i].starts_with(ja_words[i]), "{}", ja[i]);
        assert!(en[i].starts_with(en_words[i]), "{}", en[i]);
        assert!(ja[i].ends_with(&format!("ja/{}", files[i])), "{}", ja[i]);
        assert!(en[i].ends_with(&format!("en/{}", files[i])), "{}", en[i]);
        assert!(work.path("en").join(files[i]).exists(), "{}", files[i]);
        if i != 7 {
            // the sheet names are the city's words (取込ログ), kept in English
            assert!(!has_kana(en[i]), "{}", en[i]);
        }
    }
}
