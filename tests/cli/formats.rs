//! File formats and broken files, on the shipped fixtures of fixtures/ingest/ (made by
//! `just fixtures-ingest`, see fixtures/README.md):
//! - the same return as .xlsx, .xls and .ods reads into the same rows, field by field,
//!   each checked against what the generator wrote; the one documented difference (.xls
//!   carries no number format kpiroll can read: `1,234` reads `1234`) is asserted as such;
//! - keys typed with line breaks, every dash and spaces read as keys in every format; keys
//!   typed into number cells are refused with their cell;
//! - each broken file, alone and mixed into a folder with the good return, is refused
//!   with its file and a Japanese reason, and the good return's rows arrive unchanged;
//! - damaged copies of every format are refused, never a panic.

use std::path::{Path, PathBuf};

use kpiroll::model::{FiscalYear, Goal, Row, ValueKind};
use kpiroll::pipeline::{read_and_merge, read_book, Outcome};
use kpiroll::profile::{Lang, Profile};

use crate::common::Work;

#[allow(dead_code)]
#[path = "../../examples/make_fixtures.rs"]
pub mod make_fixtures;

use make_fixtures::{blocks, V};

const R7: FiscalYear = FiscalYear(2025);

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ingest")
        .join(name)
}

fn read(path: &Path) -> Outcome {
    read_and_merge(&[path.to_path_buf()], Some(R7), &profile()).unwrap()
}

/// The rows the reader made from one file, in sheet and row order.
fn rows_of(outcome: &Outcome) -> Vec<Row> {
    assert_eq!(outcome.sources.len(), 1);
    outcome
        .rows_read(&outcome.sources[0])
        .map(|r| r.row.clone())
        .collect()
}

/// Every problem of a run, one line each, with the file's extension made `EXT`.
fn messages(outcome: &Outcome, ext: &str) -> String {
    outcome
        .report
        .render(&profile())
        .replace(&format!(".{ext}!"), ".EXT!")
}

// --- the return, as the generator wrote it -------------------------------------------

/// Where a row's key was read: sheet and (row, column).
type KeyCell = (Option<String>, Option<(u32, u16)>);

/// What a value cell of the return must read as: raw text, kind, number.
type Expected = (&'static str, ValueKind, Option<f64>);

/// Per KPI row of the return, top to bottom: keys, note, KPI position, 目標値, 実績値 as
/// the .xlsx shows them, flags, 備考 text.
#[allow(clippy::type_complexity)]
fn expected() -> Vec<(
    Vec<&'static str>,
    &'static str,
    u32,
    Expected,
    Expected,
    Vec<&'static str>,
    &'static str,
)> {
    use ValueKind::*;
    vec![
        (
            vec!["432-5"],
            "",
            1,
            ("１００", Number, Some(100.0)),
            ("１０５", Number, Some(105.0)),
            vec!["課名変更"],
            "",
        ),
        (
            vec!["432-9"],
            "",
            1,
            ("5", Number, Some(5.0)),
            ("2", Number, Some(2.0)),
            vec![],
            "",
        ),
        (
            vec!["432-9"],
            "",
            2,
            ("-", Na, None),
            ("１２", Number, Some(12.0)),
            vec!["KPI変更"],
            "令和7年度から2つ目のKPIを追加",
        ),
        (
            vec!["433-1"],
            "",
            1,
            ("90%", Percent, Some(90.0)),
            ("96.4%", Percent, Some(96.4)),
            vec![],
            "",
        ),
        (
            vec!["421-3"],
            "",
            1,
            ("1", Number, Some(1.0)),
            ("5", Number, Some(5.0)), // the formula's cached value
            vec![],
            "",
        ),
        (
            vec!["652-6", "432-10"],
            "",
            1,
            ("5,000", Number, Some(5000.0)),
            ("1,234", Number, Some(1234.0)), // a number cell formatted #,##0
            vec![],
            "",
        ),
        (
            vec!["511-22"],
            "他",
            1,
            ("1,000", Number, Some(1000.0)),
            ("107% (16/14)", Ratio, Some(107.0)),
            vec![],
            "",
        ),
        (
            vec!["512-3"],
            "",
            1,
            ("—", Na, None),
            ("集計中", Text, None),
            vec!["【事業休止】"],
            "年度途中で休止",
        ),
    ]
}

/// Asserts `rows` are the return's rows, every field against the generator's cells.
fn assert_is_the_return(rows: &[Row], what: &str) {
    let expected = expected();
    assert_eq!(rows.len(), expected.len(), "{what}: {rows:#?}");
    let mut i = 0;
    for (section, groups) in blocks() {
        let (no, title) = section
            .strip_prefix("基本目標")
            .unwrap()
            .split_once(' ')
            .unwrap();
        let goal = Goal {
            no: no.to_string(),
            title: title.to_string(),
        };
        let mut goal_targets = "";
        for group in groups {
            if !group.goal_targets.is_empty() {
                goal_targets = group.goal_targets;
            }
            let mut project = [""; 4];
            for kpi in &group.rows {
                if let Some(p) = kpi.project {
                    project = p;
                }
                let row = &rows[i];
                let (keys, note, index, target, actual, flags, remarks) = &expected[i];
                let at = format!("{what}, row {} ({})", i + 1, keys[0]);
                assert_eq!(row.goal, goal, "{at}");
                assert_eq!(row.goal_targets, vec![goal_targets], "{at}");
                assert_eq!(
                    [&row.measure_no, &row.measure, &row.measure_kpi],
                    group.measure,
                    "{at}"
                );
                assert_eq!(
                    row.departments,
                    project[0].split(' ').collect::<Vec<_>>(),
                    "{at}"
                );
                assert_eq!(row.project, project[1], "{at}");
                assert_eq!(row.project_nos, *keys, "{at}");
                assert_eq!(row.project_nos_note, *note, "{at}");
                assert_eq!(row.summary, project[3], "{at}: line breaks kept");
                assert_eq!(row.kpi, kpi.kpi, "{at}");
                assert_eq!(row.kpi_index, *index, "{at}");
                assert_eq!(row.unit, kpi.unit, "{at}");
                for (value, (raw, kind, number), cell) in [
                    (&row.target, target, kpi.target),
                    (&row.actual, actual, kpi.actual),
                ] {
                    assert_eq!(
                        (value.raw.as_str(), value.kind, value.number),
                        (*raw, *kind, *number),
                        "{at}"
                    );
                    if let V::T(typed) = cell {
                        assert_eq!(value.raw, typed, "{at}: text is kept as typed");
                    }
                }
                assert_eq!(row.flags, *flags, "{at}");
                assert_eq!(row.remarks, *remarks, "{at}");
                assert_eq!(row.year, R7, "{at}");
                assert!(row.extra.is_empty(), "{at}");
                i += 1;
            }
        }
    }
}

#[test]
fn the_return_reads_the_same_from_xlsx_xls_and_ods() {
    let xlsx = read(&fixture("return.xlsx"));
    let reference = rows_of(&xlsx);
    assert_is_the_return(&reference, "return.xlsx");
    let table = &xlsx.sources[0].tables;
    assert_eq!(table.len(), 1, "the instruction sheet holds no table");
    assert_eq!(
        (table[0].sheet.as_deref(), table[0].header_row),
        (Some("入力"), 4)
    );
    let reference_messages = messages(&xlsx, "xlsx");
    assert_eq!(
        reference_messages,
        "return.EXT!入力!L15: 確認してください: 令和7年度実績値「集計中」は数値ではありません。文字のまま取り込みました\n"
    );

    for ext in ["xls", "ods"] {
        let name = format!("return.{ext}");
        let outcome = read(&fixture(&name));
        let mut rows = rows_of(&outcome);
        let joint = rows
            .iter_mut()
            .find(|r| r.project_nos[0] == "652-6")
            .unwrap();
        if ext == "xls" {
            // the documented difference: calamine gives no number formats for xls, so
            // 1234 in a #,##0 cell reads as General shows it; the number is the same
            assert_eq!(
                (
                    joint.actual.raw.as_str(),
                    joint.actual.kind,
                    joint.actual.number
                ),
                ("1234", ValueKind::Number, Some(1234.0)),
                "{name}"
            );
            joint.actual.raw = "1,234".to_string();
        } else {
            // ods keeps the text LibreOffice showed
            assert_eq!(joint.actual.raw, "1,234", "{name}");
        }
        // every other field of every row is the same as the .xlsx's
        assert_eq!(rows, reference, "{name}");
        assert_is_the_return(&rows, &name);
        let t = &outcome.sources[0].tables;
        assert_eq!(
            t.iter()
                .map(|t| (t.sheet.clone(), t.header_row, t.year))
                .collect::<Vec<_>>(),
            table
                .iter()
                .map(|t| (t.sheet.clone(), t.header_row, t.year))
                .collect::<Vec<_>>(),
            "{name}: same sheet, header row, year"
        );
        // the same problems at the same cells
        assert_eq!(messages(&outcome, ext), reference_messages, "{name}");
        let cells = |o: &Outcome| -> Vec<KeyCell> {
            o.rows_read(&o.sources[0])
                .map(|r| (r.at.sheet.clone(), r.at.cell))
                .collect()
        };
        assert_eq!(cells(&outcome), cells(&xlsx), "{name}: same key cells");
    }
}

// --- keys --------------------------------------------------------------------------

#[test]
fn keys_with_line_breaks_dashes_and_spaces_read_in_every_format_and_number_keys_are_refused() {
    let taken: Vec<Vec<&str>> = vec![
        vec!["411-6"],
        vec!["421-7"],
        vec!["652-6", "432-10"],
        vec!["432-5"],
        vec!["432-9"],
        vec!["433-1"],
        vec!["433-3"],
        vec!["442-1"],
        vec!["442-5"],
    ];
    assert_eq!(
        make_fixtures::KEYS.len(),
        taken.len() + 2,
        "two number cells"
    );
    let mut reference: Option<Vec<Row>> = None;
    for ext in ["xlsx", "xls", "ods"] {
        let name = format!("keys.{ext}");
        let outcome = read(&fixture(&name));
        let rows = rows_of(&outcome);
        assert_eq!(
            rows.iter()
                .map(|r| r.project_nos.clone())
                .collect::<Vec<_>>(),
            taken,
            "{name}"
        );
        // each row is its own project, its values read (実績値 1, 2, … by row)
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.project, format!("事業{}", i + 1), "{name}");
            assert_eq!(row.kpi_index, 1, "{name}");
            assert_eq!(row.actual.number, Some(i as f64 + 1.0), "{name}");
        }
        let text = outcome.report.render(&profile());
        assert_eq!(
            text,
            format!(
                "{name}!入力!G12: 取り込めません: 事業番号が数値のセルになっています（値 461.2）。番号は NNN-N の形で、文字として入力してください（セルの書式を「文字列」にしてから入力し直します）。この行は取り込んでいません\n\
                 {name}!入力!G13: 取り込めません: 事業番号が数値のセルになっています（値 422.2）。番号は NNN-N の形で、文字として入力してください（セルの書式を「文字列」にしてから入力し直します）。この行は取り込んでいません\n"
            ),
            "{name}: a number cell is refused with its cell, not read as 461 or 461-2"
        );
        assert_eq!(outcome.report.refusals(), 2);
        match &reference {
            None => reference = Some(rows),
            Some(r) => assert_eq!(&rows, r, "{name} reads like keys.xlsx"),
        }
    }
    // and the command line says so, exit status 1
    let work = Work::new();
    let (_, stderr) = work.run_status(
        &[
            "check",
            "--year",
            "R7",
            fixture("keys.xlsx").to_str().unwrap(),
        ],
        1,
    );
    assert!(
        stderr.contains(
            "keys.xlsx!入力!G12: 取り込めません: 事業番号が数値のセルになっています（値 461.2）"
        ),
        "{stderr}"
    );
}

// --- broken files ------------------------------------------------------------------

/// Each broken fixture, where its message is located, and the reason it must give.
const BROKEN: [(&str, &str, &str); 8] = [
    (
        "truncated.xlsx",
        "truncated.xlsx",
        "このファイルは読めません（ファイルが途中で切れています。送信かコピーが最後まで済んでいません）",
    ),
    (
        "not-a-workbook.xlsx",
        "not-a-workbook.xlsx",
        "このファイルは読めません（zip ですが Excel のブックではありません）",
    ),
    (
        "encrypted.xlsx",
        "encrypted.xlsx",
        "パスワードで保護されています。パスワードを外して保存し直してください",
    ),
    (
        "encrypted.xls",
        "encrypted.xls",
        "パスワードで保護されています。パスワードを外して保存し直してください",
    ),
    (
        "encrypted.ods",
        "encrypted.ods",
        "パスワードで保護されています。パスワードを外して保存し直してください",
    ),
    (
        "empty.xlsx",
        "empty.xlsx",
        "文字の入ったセルがありません（空のファイルです）",
    ),
    (
        "no-header.xlsx",
        "no-header.xlsx",
        "見出し行（事務事業番号・KPI・目標値・実績値 の並ぶ行）が見つかりません",
    ),
    (
        "missing-column.xlsx",
        "missing-column.xlsx!入力!A5",
        "見出し「目標値」の列がありません",
    ),
];

fn copy_into(work: &Work, folder: &str, names: &[&str]) -> PathBuf {
    let dir = work.path(folder);
    std::fs::create_dir_all(&dir).unwrap();
    for name in names {
        let from = if name.starts_with("return.") {
            fixture(name)
        } else {
            fixture(&format!("broken/{name}"))
        };
        std::fs::copy(from, dir.join(name)).unwrap();
    }
    dir
}

fn assert_refused(stderr: &str, at: &str, reason: &str) {
    let line = format!("{at}: 取り込めません: {reason}");
    assert!(stderr.contains(&line), "expected {line}\nin:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// check and consolidate on a folder of the good return and `bad`: exit 1, each bad
/// file refused with its reason, the book holding the good return's rows unchanged.
fn assert_folder(work: &Work, folder: &str, bad: &[(&str, &str, &str)]) {
    let mut names: Vec<&str> = bad.iter().map(|(n, _, _)| *n).collect();
    names.push("return.xlsx");
    copy_into(work, folder, &names);
    let (stdout, stderr) = work.run_status(&["check", "--year", "R7", folder], 1);
    assert!(
        stdout.contains("シート 入力 見出し行 5 年度 R7 行数 8"),
        "{stdout}"
    );
    for (_, at, reason) in bad {
        assert_refused(&stderr, at, reason);
    }
    let out = format!("{folder}.xlsx");
    let (_, stderr) = work.run_status(&["consolidate", "--year", "R7", folder, "-o", &out], 1);
    for (_, at, reason) in bad {
        assert_refused(&stderr, at, reason);
    }
    let book = read_book(&work.path(&out), &profile()).unwrap();
    let mut rows = book.merged.book.rows.clone();
    for row in &mut rows {
        // a book is read without --year: its rows carry the year of its header (R7)
        assert_eq!(row.year, R7);
    }
    rows.sort_by_key(Row::key);
    let mut good = rows_of(&read(&fixture("return.xlsx")));
    good.sort_by_key(Row::key);
    let shown: Vec<Row> = good
        .iter()
        .cloned()
        .map(crate::common::as_the_book_shows)
        .collect();
    assert_eq!(
        rows, shown,
        "{folder}: the good rows arrive unchanged (full-width numerals as numbers)"
    );
    let mut in_order = good.clone();
    in_order.sort_by_key(expected_position);
    assert_is_the_return(&in_order, &out);
}

fn expected_position(row: &Row) -> usize {
    expected()
        .iter()
        .position(|(keys, _, index, ..)| keys[0] == row.project_nos[0] && *index == row.kpi_index)
        .unwrap()
}

#[test]
fn each_broken_file_alone_is_refused_with_its_reason() {
    let work = Work::new();
    for (name, at, reason) in BROKEN {
        copy_into(&work, "alone", &[name]);
        let path = format!("alone/{name}");
        let (stdout, stderr) = work.run_status(&["check", "--year", "R7", &path], 1);
        assert_refused(&stderr, at, reason);
        assert!(stdout.contains("表なし"), "{name}: {stdout}");
        // nothing readable at all: status 2 and no book
        let (_, stderr) =
            work.run_status(&["consolidate", "--year", "R7", &path, "-o", "out.xlsx"], 2);
        assert_refused(&stderr, at, reason);
        assert!(stderr.contains("取り込める行が1行もありません"), "{stderr}");
        assert!(!work.path("out.xlsx").exists(), "{name}");
    }
}

#[test]
fn the_reasons_are_in_the_message_catalogue_so_english_too() {
    let work = Work::new();
    copy_into(
        &work,
        "en",
        &["truncated.xlsx", "not-a-workbook.xlsx", "empty.xlsx"],
    );
    let (_, stderr) = work.run_status(&["--lang", "en", "check", "--year", "R7", "en"], 1);
    for line in [
        "truncated.xlsx: not taken: cannot read this file (it is cut short",
        "not-a-workbook.xlsx: not taken: cannot read this file (a zip, but not an Excel workbook)",
        "empty.xlsx: not taken: no cell has any text (the file is empty)",
    ] {
        assert!(stderr.contains(line), "{line}\n{stderr}");
    }
    assert!(
        !stderr.contains("ファイル"),
        "no Japanese reason left: {stderr}"
    );
}

#[test]
fn each_broken_file_beside_a_good_return_leaves_its_rows_unchanged() {
    let work = Work::new();
    for (i, bad) in BROKEN.iter().enumerate() {
        assert_folder(&work, &format!("mixed{i}"), &[*bad]);
    }
}

#[test]
fn every_broken_file_in_one_folder_with_a_good_return() {
    let work = Work::new();
    assert_folder(&work, "returns", &BROKEN);
}

/// Damaged copies of each format (cut at several places, bytes overwritten) are refused or
/// read, never a panic, and every file is accounted for on the command line.
#[test]
fn damaged_copies_of_every_format_are_refused_never_a_panic() {
    let work = Work::new();
    let dir = work.path("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    let mut seed: u64 = 0x6b70_6972_6f6c_6c21;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let mut names = Vec::new();
    for ext in ["xlsx", "xls", "ods"] {
        let bytes = std::fs::read(fixture(&format!("return.{ext}"))).unwrap();
        for i in 0..16 {
            let mut b = bytes.clone();
            match i % 4 {
                0 => b.truncate(1 + next(b.len() - 1)),
                1 => {
                    for _ in 0..1 + next(16) {
                        let p = next(b.len());
                        b[p] ^= 1 + next(255) as u8;
                    }
                }
                2 => {
                    let p = next(b.len());
                    let end = (p + 1 + next(512)).min(b.len());
                    for x in &mut b[p..end] {
                        *x = next(256) as u8;
                    }
                }
                _ => {
                    // a block of the file's own bytes copied over another place
                    let from = next(b.len() / 2);
                    let to = b.len() / 2 + next(b.len() / 2);
                    let n = (1 + next(256)).min(b.len() - to).min(b.len() / 2 - from);
                    let block = b[from..from + n].to_vec();
                    b[to..to + n].copy_from_slice(&block);
                }
            }
            let name = format!("damaged-{i:02}.{ext}");
            std::fs::write(dir.join(&name), b).unwrap();
            names.push(name);
        }
    }
    let out = work.run(&["check", "--year", "R7", "damaged"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for name in &names {
        // listed with its table, or refused by name
        let listed = stdout
            .lines()
            .skip_while(|l| !l.ends_with(name.as_str()))
            .nth(1)
            .unwrap_or("");
        assert!(
            listed.contains("シート") || stderr.contains(&format!("{name}: 取り込めません")),
            "{name}\n{stdout}\n{stderr}"
        );
    }
    // the files cut short say so
    assert!(stderr.contains("ファイルが途中で切れています"), "{stderr}");
}

// --- the fixtures are what the recipe makes ------------------------------------------

#[test]
fn shipped_fixtures_are_what_the_generator_makes() {
    let work = Work::new();
    let dir = work.path("fresh");
    make_fixtures::write_all(&dir).unwrap();
    for name in [
        "return.xlsx",
        "keys.xlsx",
        "broken/truncated.xlsx",
        "broken/not-a-workbook.xlsx",
        "broken/empty.xlsx",
        "broken/no-header.xlsx",
        "broken/missing-column.xlsx",
    ] {
        assert!(
            std::fs::read(dir.join(name)).unwrap() == std::fs::read(fixture(name)).unwrap(),
            "fixtures/ingest/{name} is not what examples/make_fixtures.rs writes: run `just fixtures-ingest`"
        );
    }
}
