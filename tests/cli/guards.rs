//! Guards against a silently wrong book: the mistakes a clerk makes with the inputs
//! (the wrong --year, last run's output or last year's book saved among the returns,
//! forms consolidated without last year's book, a PDF in the returns folder, nothing
//! readable at all) are said once, located, and never give a book that looks right
//! and is not. Also: a closed stdout / stderr ends a run without a panic, and the demo
//! runs from a binary copied away from the source tree.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use calamine::{Data, Reader, Xlsx};
use sha2::Digest;

use crate::common::{
    consolidate_over, consolidate_r7, r6_and_returns, r6_book, r7_book, read_sheet, returns_copy,
    Work, R7_FORMS, RENAMES, RETURNS, SEED,
};

/// The first sheet's name of a workbook.
fn first_sheet(path: &Path) -> String {
    let wb: Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    wb.sheet_names()[0].clone()
}

/// Every cell of the book's table sheet (merged areas filled), by (row, column).
fn table_cells(path: &Path) -> HashMap<(u32, u32), Data> {
    read_sheet(path, &first_sheet(path)).values
}

#[test]
fn returns_of_another_year_are_said_once_and_nothing_is_written() {
    let work = Work::new();
    r6_book(&work);
    // the fixture's R7 returns (R7実績値 headers), consolidated as R8
    let (_, stderr) = consolidate_over(&work, "R8", "R6.xlsx", RETURNS, "R8.xlsx", 2);
    let said = "kpiroll: エラー: 提出されたファイルはどれも R7 年度のものです（--year R8）。--year R7 の誤りではありませんか。何も書き出していません";
    // said once, after the first return's refusal (where it says so), and nothing else
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "こども家庭課.tsv!L5: 取り込めません: 見出し「R7実績値」は R7 年度ですが、R8 年度を読もうとしています。年度の正しい様式か確かめてください",
            said
        ],
        "{stderr}"
    );
    assert!(!work.path("R8.xlsx").exists(), "nothing written");

    // forms that kpiroll rolled over for R7, consolidated as R8, without --prev
    work.run_status(&R7_FORMS, 0);
    let (_, stderr) = work.run_status(
        &[
            "--lang",
            "en",
            "consolidate",
            "--year",
            "R8",
            "forms",
            "-o",
            "R8.xlsx",
        ],
        2,
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("R7_"), "a form: {stderr}");
    assert!(lines[0].contains("this is a form for R7"), "{stderr}");
    assert_eq!(
        lines[1],
        "kpiroll: error: the returns are R7 forms (--year R8): did you mean --year R7? Nothing was written",
    );
    assert!(!work.path("R8.xlsx").exists(), "nothing written");

    // one return of the right year among them: the others are refused one by one
    let dir = returns_copy(&work, "mixed", &[]);
    let text = std::fs::read_to_string(dir.join("税務課.tsv"))
        .unwrap()
        .replace("R7実績値", "R8実績値");
    std::fs::write(dir.join("税務課.tsv"), text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R8", "mixed", "-o", "R8.xlsx"],
        1,
    );
    assert!(!stderr.contains(said), "{stderr}");
    assert_eq!(
        stderr.matches("R8 年度を読もうとしています").count(),
        23,
        "{stderr}"
    );
    assert!(work.path("R8.xlsx").is_file());
}

#[test]
fn a_return_whose_header_has_no_year_states_its_titles_year() {
    let work = Work::new();
    // 税務課's header says only 実績値; its title says 令和7年度, its date 令和8年
    let dir = r6_and_returns(&work, "titled");
    let text = std::fs::read_to_string(dir.join("税務課.tsv")).unwrap();
    assert!(text.starts_with("令和7年度 総合戦略KPI実績調査（税務課）\n\n"));
    let text = text
        .replacen("\n\n", "\n提出日: 令和8年5月28日\n", 1)
        .replace("R7実績値", "実績値");
    std::fs::write(dir.join("税務課.tsv"), &text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R8", "titled", "-o", "R8.xlsx"],
        2,
    );
    let said = "kpiroll: エラー: 提出されたファイルはどれも R7 年度のものです（--year R8）。--year R7 の誤りではありませんか。何も書き出していません";
    assert_eq!(stderr.lines().filter(|l| *l == said).count(), 1, "{stderr}");
    assert_eq!(stderr.lines().last(), Some(said), "{stderr}");
    assert!(!work.path("R8.xlsx").exists(), "nothing written");

    // only 税務課 left, the title alone says the year: the same
    let alone = work.path("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::write(alone.join("税務課.tsv"), &text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R8", "alone", "-o", "R8.xlsx"],
        2,
    );
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "税務課.tsv!A1: 取り込めません: 見出し「令和7年度 総合戦略KPI実績調査（税務課）」は R7 年度ですが、R8 年度を読もうとしています。年度の正しい様式か確かめてください",
            said
        ],
        "{stderr}"
    );
    assert!(!work.path("R8.xlsx").exists(), "nothing written");

    // a date's 令和7年 is no 年度: 税務課 states no year and is read as R8
    let text = text.replacen(
        "令和7年度 総合戦略KPI実績調査",
        "総合戦略KPI実績調査 令和7年5月",
        1,
    );
    std::fs::write(dir.join("税務課.tsv"), &text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R8", "titled", "-o", "R8.xlsx"],
        1,
    );
    assert!(!stderr.contains(said), "{stderr}");
    let cells = table_cells(&work.path("R8.xlsx"));
    let row = (0..500u32)
        .find(|r| matches!(cells.get(&(*r, 6)), Some(Data::String(k)) if k == "811-30"))
        .expect("811-30 in the R8 book");
    assert!(
        matches!(cells.get(&(row, 4)), Some(Data::String(d)) if d.contains("税務課")),
        "{:?}",
        cells.get(&(row, 4))
    );
}

#[test]
fn a_book_kpiroll_wrote_among_the_returns_is_skipped_and_the_missing_department_shows() {
    let work = Work::new();
    // last run's outputs: the working book, its handout and a diff report
    r7_book(&work);
    work.run_status(&["handout", "R7.xlsx", "-o", "handout.xlsx"], 0);
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.xlsx"], 0);
    // this year 保育課 has not returned; last run's outputs were saved among the returns
    returns_copy(&work, "clean", &["保育課.tsv"]);
    let dir = returns_copy(&work, "returns", &["保育課.tsv"]);
    for name in ["R7.xlsx", "handout.xlsx", "diff.xlsx"] {
        std::fs::copy(work.path(name), dir.join(name)).unwrap();
    }
    let (_, stderr) = consolidate_r7(&work, "returns", "with_books.xlsx", 0);
    for line in [
        "R7.xlsx: 確認してください: kpiroll が書いた R7 年度の集計ブックで、課からの提出ではありません。読み飛ばしました",
        "handout.xlsx: 確認してください: kpiroll が書いた R7 年度のブックで、課からの提出ではありません。読み飛ばしました",
        "diff.xlsx: 確認してください: kpiroll が書いた比較表（diff）で、課からの提出ではありません。読み飛ばしました",
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}\n{stderr}");
    }
    consolidate_r7(&work, "clean", "clean.xlsx", 0);
    let with_books = table_cells(&work.path("with_books.xlsx"));
    let clean = table_cells(&work.path("clean.xlsx"));
    assert_eq!(
        with_books, clean,
        "the books among the returns changed nothing"
    );
    // 保育課's rows are there, flagged 未提出 (not hidden by last run's book)
    let sheet = read_sheet(
        &work.path("with_books.xlsx"),
        &first_sheet(&work.path("clean.xlsx")),
    );
    let header = (0..sheet.height)
        .find(|&r| (0..20).any(|c| sheet.text(r, c) == "担当課"))
        .expect("header row");
    let col = |name: &str| {
        (0..20)
            .find(|&c| sheet.text(header, c) == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (department, remarks) = (col("担当課"), col("備考"));
    let own_rows: Vec<u32> = (header + 1..sheet.height)
        .filter(|&r| sheet.text(r, department).split_whitespace().eq(["保育課"]))
        .collect();
    assert!(!own_rows.is_empty(), "保育課 has rows of its own");
    for r in own_rows {
        assert!(
            sheet.text(r, remarks).contains("未提出"),
            "row {}: {}",
            r + 1,
            sheet.text(r, remarks)
        );
    }
    // and the log lists the skipped books with why
    let log = read_sheet(&work.path("with_books.xlsx"), "取込ログ");
    let logged: Vec<String> = (0..log.height)
        .filter(|&r| log.text(r, 0) == "R7.xlsx")
        .map(|r| log.text(r, 6))
        .collect();
    assert!(
        logged
            .iter()
            .any(|t| t == "kpiroll が書いた R7 年度の集計ブックで、課からの提出ではありません。読み飛ばしました"),
        "{logged:?}"
    );
}

#[test]
fn last_years_book_among_the_returns_is_pointed_to_prev() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    std::fs::copy(work.path("R6.xlsx"), dir.join("R6.xlsx")).unwrap();
    let said = "R6.xlsx: 確認してください: これは R6 年度のブックで、課からの提出ではありません。読み飛ばしました。前年度のブックは --prev で渡してください";
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R7", "returns", "-o", "R7.xlsx"],
        0,
    );
    assert_eq!(stderr.lines().filter(|l| *l == said).count(), 1, "{stderr}");
    // given alone, it is still said, and with nothing else to read nothing is written
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R7", "R6.xlsx", "-o", "alone.xlsx"],
        2,
    );
    assert!(stderr.lines().any(|l| l == said), "{stderr}");
    assert!(!work.path("alone.xlsx").exists());
    // a book of the same year given alone is made again (as before)
    work.run_status(
        &["consolidate", "--year", "R6", "R6.xlsx", "-o", "R6b.xlsx"],
        0,
    );
    assert_eq!(
        table_cells(&work.path("R6.xlsx")),
        table_cells(&work.path("R6b.xlsx"))
    );
}

#[test]
fn forms_consolidated_without_prev_name_the_book_they_came_from() {
    let work = Work::new();
    r6_book(&work);
    work.run_status(&R7_FORMS, 0);
    let forms = std::fs::read_dir(work.path("forms")).unwrap().count();
    let hash: String = sha2::Sha256::digest(std::fs::read(work.path("R6.xlsx")).unwrap())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R7", "forms", "-o", "R7.xlsx"],
        0,
    );
    let said = format!(
        "{forms} 件の様式は前年度のブック R6.xlsx（指紋 {hash}）から作られていますが、--prev がありません。このままでは提出のない課の行が抜け、前年度の備考の印も残ります。そのブックを --prev で渡してください"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(&said)).collect();
    assert_eq!(lines.len(), 1, "once, for all the forms: {stderr}");
    // located at the first form
    let mut names: Vec<String> = std::fs::read_dir(work.path("forms"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(lines[0], format!("{}: 確認してください: {said}", names[0]));
    // with last year's book, no such warning
    let (_, stderr) = consolidate_over(&work, "R7", "R6.xlsx", "forms", "R7p.xlsx", 0);
    assert!(!stderr.contains("--prev がありません"), "{stderr}");
}

#[test]
fn files_that_are_not_tables_in_a_returns_folder_are_listed_as_skipped() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    std::fs::create_dir_all(dir.join("添付")).unwrap();
    std::fs::write(dir.join("報告書.pdf"), b"%PDF-1.7\n").unwrap();
    std::fs::write(dir.join("添付/写真.PNG"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::write(dir.join("説明.docx"), b"PK\x03\x04").unwrap();
    std::fs::write(dir.join("メモ"), b"to do").unwrap();
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 0);
    let want = [
        ("メモ", "拡張子のないファイルは表か分からないため、読み飛ばしました（読めるのは .xlsx .xlsm .xls .ods .csv .tsv .txt）"),
        ("写真.PNG", "拡張子 .png のファイルは表ではないため、読み飛ばしました（読めるのは .xlsx .xlsm .xls .ods .csv .tsv .txt）"),
        ("報告書.pdf", "拡張子 .pdf のファイルは表ではないため、読み飛ばしました（読めるのは .xlsx .xlsm .xls .ods .csv .tsv .txt）"),
        ("説明.docx", "拡張子 .docx のファイルは表ではないため、読み飛ばしました（読めるのは .xlsx .xlsm .xls .ods .csv .tsv .txt）"),
    ];
    for (file, text) in want {
        let line = format!("{file}: 確認してください: {text}");
        assert_eq!(
            stderr.lines().filter(|l| *l == line).count(),
            1,
            "{line}\n{stderr}"
        );
    }
    // in the book's 取込ログ too
    let log = read_sheet(&work.path("R7.xlsx"), "取込ログ");
    for (file, text) in want {
        assert!(
            (0..log.height).any(|r| log.text(r, 0) == file && log.text(r, 6) == text),
            "{file} in 取込ログ"
        );
    }
    // and `check` says so as well
    let (_, stderr) = work.run_status(&["check", "returns"], 0);
    assert!(
        stderr.contains("報告書.pdf: 確認してください: 拡張子 .pdf"),
        "{stderr}"
    );
}

#[test]
fn when_every_return_is_refused_nothing_is_written() {
    let work = Work::new();
    r6_book(&work);
    let dir = work.path("returns");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("壊れた.xlsx"), "not,a,workbook\n").unwrap();
    std::fs::write(dir.join("空.csv"), "").unwrap();
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 2);
    assert!(stderr.contains("壊れた.xlsx: 取り込めません"), "{stderr}");
    assert!(stderr.contains("空.csv: 取り込めません"), "{stderr}");
    assert!(
        stderr
            .ends_with("kpiroll: エラー: 取り込める行が1行もありません。何も書き出していません\n"),
        "{stderr}"
    );
    assert!(!work.path("R7.xlsx").exists(), "nothing written");

    // a PDF, a .docx and a return of another year: the year is said, and the files
    // that are no table are still named
    let dir = work.path("old");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("控え.pdf"), b"%PDF-1.7\n").unwrap();
    std::fs::write(dir.join("メモ.docx"), b"PK\x03\x04").unwrap();
    let r5 = std::fs::read_to_string(Path::new(RETURNS).join("税務課.tsv"))
        .unwrap()
        .replace("R7実績値", "R5実績値");
    std::fs::write(dir.join("税務課.tsv"), r5).unwrap();
    let (_, stderr) = consolidate_r7(&work, "old", "R7.xlsx", 2);
    let readable = "（読めるのは .xlsx .xlsm .xls .ods .csv .tsv .txt）";
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            format!("メモ.docx: 確認してください: 拡張子 .docx のファイルは表ではないため、読み飛ばしました{readable}"),
            format!("控え.pdf: 確認してください: 拡張子 .pdf のファイルは表ではないため、読み飛ばしました{readable}"),
            "税務課.tsv!L5: 取り込めません: 見出し「R5実績値」は R5 年度ですが、R7 年度を読もうとしています。年度の正しい様式か確かめてください".to_string(),
            "kpiroll: エラー: 提出されたファイルはどれも R5 年度のものです（--year R7）。--year R5 の誤りではありませんか。何も書き出していません".to_string(),
        ],
        "{stderr}"
    );
    assert!(!work.path("R7.xlsx").exists(), "nothing written");
}

/// Runs kpiroll in `work` with stdout and stderr on one pipe whose reading end is
/// closed at once (as `… 2>&1 | head -0` does); returns the exit status.
fn run_into_closed_pipe(work: &Work, args: &[&str]) -> std::process::ExitStatus {
    let (reader, writer) = std::io::pipe().expect("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kpiroll"))
        .args(args)
        .current_dir(work.dir.path())
        .env_remove("KPIROLL_LANG")
        .stdout(writer.try_clone().expect("pipe"))
        .stderr(writer)
        .spawn()
        .expect("kpiroll runs");
    drop(reader);
    child.wait().expect("kpiroll ends")
}

#[test]
fn a_closed_stdout_or_stderr_ends_the_run_without_a_panic() {
    let work = Work::new();
    r6_book(&work);
    // consolidate … 2>&1 | head: every line goes to a closed pipe
    let status = run_into_closed_pipe(
        &work,
        &[
            "consolidate",
            "--year",
            "R7",
            "--prev",
            "R6.xlsx",
            RETURNS,
            "-o",
            "R7.xlsx",
        ],
    );
    assert_ne!(status.code(), Some(101), "a panic");
    assert_eq!(status.code(), Some(0));
    assert!(work.path("R7.xlsx").is_file(), "the run went to its end");
    for args in [
        vec!["check", RETURNS],
        vec!["diff", "R6.xlsx", "R7.xlsx"],
        vec!["rollover", "R6.xlsx", "--year", "R7", "-o", "forms"],
        vec!["consolidate", "--year", "R8", RETURNS, "-o", "R8.xlsx"],
    ] {
        let status = run_into_closed_pipe(&work, &args);
        assert_ne!(status.code(), Some(101), "{args:?}: a panic");
        assert!(status.code().is_some(), "{args:?}: ended by a signal");
    }
    // stdout closed, stderr read: no panic message
    let (reader, writer) = std::io::pipe().expect("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kpiroll"))
        .args(["check", RETURNS, SEED])
        .current_dir(work.dir.path())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("kpiroll runs");
    drop(reader);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
}

#[test]
fn the_demo_runs_from_a_binary_copied_away_from_the_source_tree() {
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join("kpiroll");
    std::fs::copy(env!("CARGO_BIN_EXE_kpiroll"), &bin).unwrap();
    // the binary does not look for the source tree's fixtures
    let bytes = std::fs::read(&bin).unwrap();
    let tree = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures").as_bytes();
    assert!(
        !bytes.windows(tree.len()).any(|w| w == tree),
        "the binary names {}",
        String::from_utf8_lossy(tree)
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(&bin)
        .args(["demo", "-o", "demo"])
        .current_dir(elsewhere.path())
        .env_remove("KPIROLL_LANG")
        .env_remove("KPIROLL_TEMPLATES")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("省きました"), "{stdout}");
    let demo = elsewhere.path().join("demo");
    // its R7 book is the one the fixture's returns make, cell for cell
    let work = Work::new();
    r7_book(&work);
    assert_eq!(
        table_cells(&demo.join("R7.xlsx")),
        table_cells(&work.path("R7.xlsx"))
    );
    for name in ["変更点", "取込ログ", "提出状況"] {
        assert!(read_sheet(&demo.join("R7.xlsx"), name).height > 1, "{name}");
    }
    // the handout, the forms and the diff read back
    work.run_status(&["handout", "R7.xlsx", "-o", "handout.xlsx"], 0);
    assert_eq!(
        table_cells(&demo.join("資料2-2_R7.xlsx")),
        table_cells(&work.path("handout.xlsx"))
    );
    let returns = std::fs::read_dir(demo.join("R7_returns")).unwrap().count();
    assert_eq!(returns, std::fs::read_dir(RETURNS).unwrap().count());
    work.run_status(&[&R7_FORMS[..], &["--renames", RENAMES]].concat(), 0);
    let forms = std::fs::read_dir(demo.join("R7_forms")).unwrap().count();
    assert_eq!(
        forms,
        std::fs::read_dir(work.path("forms")).unwrap().count()
    );
    let diff: Xlsx<_> = calamine::open_workbook(demo.join("R6-R7_diff.xlsx")).unwrap();
    assert!(diff.sheet_names().len() >= 3);
}

/// `src` with the defined names taken out of its workbook part (as a book written
/// before kpiroll marked its outputs), at `dst`.
fn without_names(src: &Path, dst: &Path) {
    crate::common::edit_part(src, dst, "xl/workbook.xml", |text| {
        let (start, end) = (
            text.find("<definedNames>").expect("marked"),
            text.find("</definedNames>").expect("marked") + "</definedNames>".len(),
        );
        assert!(text[start..end].contains("kpiroll_output"));
        format!("{}{}", &text[..start], &text[end..])
    });
}

#[test]
fn an_unmarked_working_book_or_diff_is_known_by_its_sheets() {
    let work = Work::new();
    r7_book(&work);
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.xlsx"], 0);
    let dir = returns_copy(&work, "returns", &["保育課.tsv"]);
    without_names(&work.path("R7.xlsx"), &dir.join("old_R7.xlsx"));
    without_names(&work.path("diff.xlsx"), &dir.join("old_diff.xlsx"));
    let (_, stderr) = consolidate_r7(&work, "returns", "R7b.xlsx", 0);
    for line in [
        "old_R7.xlsx: 確認してください: kpiroll が書いた R7 年度の集計ブックで、課からの提出ではありません。読み飛ばしました",
        "old_diff.xlsx: 確認してください: kpiroll が書いた比較表（diff）で、課からの提出ではありません。読み飛ばしました",
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}\n{stderr}");
    }
    returns_copy(&work, "clean", &["保育課.tsv"]);
    consolidate_r7(&work, "clean", "clean.xlsx", 0);
    assert_eq!(
        table_cells(&work.path("R7b.xlsx")),
        table_cells(&work.path("clean.xlsx"))
    );
}
