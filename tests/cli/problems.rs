//! Bad input gets a located Japanese message and the documented exit status; the other
//! inputs are still taken; nothing is overwritten by surprise.

use crate::common::{Work, SEED};

/// A small return as TSV text: the seed's header row and the given data rows.
fn tsv(rows: &[&str]) -> String {
    let header = "数値目標\t\t\tKPI\t担当課\t事業名\t事務事業番号\t事業概要\tKPI\t単位\t目標値\tR6実績値\t備考";
    let mut text = format!("基本目標Ⅰ 地域を元気にするしごとづくり\n{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn a_malformed_key_is_refused_with_its_cell_and_the_rest_is_taken() {
    let work = Work::new();
    std::fs::write(
        work.path("産学振興課.tsv"),
        tsv(&[
            "市内事業所数\t①\t①創業の支援\t創業数\t産学振興課\t事業A\t57117\t概要\t件数\t件\t5\t2\t",
            "\t\t\t\t産学振興課\t事業B\t432-9\t概要\t件数\t件\t5\t3\t",
        ]),
    )
    .unwrap();
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "産学振興課.tsv",
            "-o",
            "out.xlsx",
        ],
        1,
    );
    assert!(
        stderr.contains(
            "産学振興課.tsv!G3: 取り込めません: 事務事業番号「57117」は NNN-N の形ではありません"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("1 行を取り込み"), "{stderr}");
    assert!(work.path("out.xlsx").is_file(), "the book is still written");
}

#[test]
fn a_text_longer_than_a_cell_holds_refuses_its_row_with_its_cell_and_the_rest_is_written() {
    let work = Work::new();
    let long = "長".repeat(40_000);
    std::fs::write(
        work.path("産学振興課.tsv"),
        tsv(&[
            "市内事業所数\t①\t①創業の支援\t創業数\t産学振興課\t事業A\t432-5\t概要\t件数\t件\t5\t2\t",
            &format!("\t\t\t\t産学振興課\t事業B\t432-9\t{long}\t件数\t件\t5\t3\t"),
        ]),
    )
    .unwrap();
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "産学振興課.tsv",
            "-o",
            "out.xlsx",
        ],
        1,
    );
    assert!(
        stderr.contains(
            "産学振興課.tsv!H4: 取り込めません: 事業概要が 40000 文字あり、Excel のセルに入る 32767 文字を超えています"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("1 行を取り込み"), "{stderr}");
    let book = crate::common::read_sheet(&work.path("out.xlsx"), "一覧");
    let keys: Vec<String> = (0..book.height).map(|r| book.text(r, 6)).collect();
    assert!(
        keys.contains(&"432-5".to_string()),
        "the other row is in the book"
    );
    assert!(!keys.contains(&"432-9".to_string()), "the long one is not");
}

#[test]
fn text_in_a_number_cell_is_kept_and_warned_about() {
    let work = Work::new();
    std::fs::write(
        work.path("r.tsv"),
        tsv(&["市内事業所数\t①\t①創業の支援\t創業数\t産学振興課\t事業A\t432-9\t概要\t件数\t件\t5\t集計中\t"]),
    )
    .unwrap();
    let (stdout, stderr) = work.run_status(&["check", "r.tsv"], 0);
    assert!(
        stderr.contains("r.tsv!L3: 確認してください: R6実績値「集計中」は数値ではありません"),
        "{stderr}"
    );
    assert!(stdout.contains("見出し行 2 年度 R6 行数 1"), "{stdout}");
}

#[test]
fn english_messages_in_an_english_locale() {
    let work = Work::new();
    std::fs::write(
        work.path("r.tsv"),
        tsv(&["x\t①\ty\tz\t課\t事業\t411_x\t\tk\t件\t1\t1\t"]),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
        .args(["check", "r.tsv"])
        .current_dir(work.dir.path())
        .env_remove("KPIROLL_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not taken"), "{stderr}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
        .args(["--lang", "ja", "check", "r.tsv"])
        .current_dir(work.dir.path())
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("取り込めません"),
        "--lang wins over the locale"
    );
}

#[test]
fn fatal_errors_and_summaries_follow_the_language_too() {
    let work = Work::new();
    let (_, stderr) = work.run_status(
        &[
            "--lang",
            "en",
            "consolidate",
            "--year",
            "R6",
            "nowhere.xlsx",
            "-o",
            "o.xlsx",
        ],
        2,
    );
    assert!(
        stderr.contains("kpiroll: error: nowhere.xlsx: input not found"),
        "{stderr}"
    );
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "nowhere.xlsx",
            "-o",
            "o.xlsx",
        ],
        2,
    );
    assert!(
        stderr.contains("kpiroll: エラー: nowhere.xlsx: 入力が見つかりません"),
        "{stderr}"
    );
    let (stdout, _) = work.run_status(&["--lang", "en", "check", SEED], 0);
    assert!(
        stdout.contains("1 files: 66 rows read; taken 66"),
        "{stdout}"
    );
}

#[test]
fn english_messages_with_lang_en() {
    let work = Work::new();
    std::fs::write(
        work.path("r.tsv"),
        tsv(&["x\t①\ty\tz\t課\t事業\t411_x\t\tk\t件\t1\t1\t"]),
    )
    .unwrap();
    let (_, stderr) = work.run_status(&["--lang", "en", "check", "r.tsv"], 1);
    assert!(
        stderr
            .contains("r.tsv!G3: not taken: 事務事業番号 \"411_x\" does not have the shape NNN-N"),
        "{stderr}"
    );
}

#[test]
fn a_csv_renamed_xlsx_is_refused_and_the_good_input_still_taken() {
    let work = Work::new();
    std::fs::write(work.path("壊れた.xlsx"), "担当課,事業名\n産学振興課,x\n").unwrap();
    std::fs::write(
        work.path("暗号.xlsx"),
        [0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
    )
    .unwrap();
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            SEED,
            "壊れた.xlsx",
            "-o",
            "out.xlsx",
        ],
        1,
    );
    assert!(stderr.contains("壊れた.xlsx: 取り込めません: このファイルは読めません（拡張子は Excel ですが中身はテキストです）"), "{stderr}");
    assert!(stderr.contains("66 行を取り込み"), "{stderr}");
    let (_, stderr) = work.run_status(&["check", "暗号.xlsx"], 1);
    assert!(stderr.contains("暗号.xlsx: 取り込めません:"), "{stderr}");
}

#[test]
fn nothing_readable_is_exit_2_and_nothing_written() {
    let work = Work::new();
    std::fs::write(work.path("empty.csv"), "").unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R6", "empty.csv", "-o", "out.xlsx"],
        2,
    );
    assert!(
        stderr.contains("empty.csv: 取り込めません: 文字の入ったセルがありません"),
        "{stderr}"
    );
    assert!(stderr.contains("取り込める行が1行もありません"), "{stderr}");
    assert!(!work.path("out.xlsx").exists());
}

#[test]
fn a_header_of_another_year_is_refused() {
    let work = Work::new();
    let (_, stderr) = work.run_status(&["consolidate", "--year", "R7", SEED, "-o", "out.xlsx"], 2);
    assert!(
        stderr.contains("見出し「R6実績値」は R6 年度ですが、R7 年度を読もうとしています"),
        "{stderr}"
    );
}

#[test]
fn an_existing_output_is_kept_without_force() {
    let work = Work::new();
    std::fs::write(work.path("out.xlsx"), b"keep me").unwrap();
    let (_, stderr) = work.run_status(&["consolidate", "--year", "R6", SEED, "-o", "out.xlsx"], 2);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read(work.path("out.xlsx")).unwrap(), b"keep me");
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            SEED,
            "-o",
            "out.xlsx",
            "--force",
        ],
        0,
    );
    assert_ne!(std::fs::read(work.path("out.xlsx")).unwrap(), b"keep me");
}

#[test]
fn bad_usage_is_exit_2() {
    let work = Work::new();
    work.run_status(&["consolidate", "--year", "七", SEED, "-o", "o.xlsx"], 2);
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "nowhere.xlsx",
            "-o",
            "o.xlsx",
        ],
        2,
    );
    work.run_status(&["frobnicate"], 2);
}

#[test]
fn the_seed_in_shift_jis_reads_like_the_utf8_one() {
    let work = Work::new();
    // CP932 has no EM DASH; the seed's one — becomes the full-width hyphen, also "n/a"
    let text = std::fs::read_to_string(SEED).unwrap().replace('—', "－");
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    std::fs::write(work.path("sjis.txt"), &sjis).unwrap();
    std::fs::write(work.path("utf8.txt"), &text).unwrap();
    let profile = kpiroll::profile::Profile::builtin(kpiroll::profile::Lang::Ja);
    let a = kpiroll::pipeline::read_book(&work.path("sjis.txt"), &profile).unwrap();
    let b = kpiroll::pipeline::read_book(&work.path("utf8.txt"), &profile).unwrap();
    assert_eq!(a.merged.book.rows, b.merged.book.rows);
    assert_eq!(a.merged.book.rows.len(), 66);
}
