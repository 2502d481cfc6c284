//! Consolidate a year against the last. The R6 book (from the seed) and the R7
//! returns of `fixtures/R7/returns` (made by `fixtures/R7/make_returns.py`, which lists
//! every change it makes) consolidate to exactly the expected book; the working sheets,
//! the handout and its PDF are read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::Data;
use kpiroll::model::{FiscalYear, Row};
use kpiroll::pipeline::{read_and_merge, read_book};
use kpiroll::profile::{Lang, Profile};

use crate::common::{
    cell_fill, consolidate_over, consolidate_r7, installed, pdf_page, r6_and_returns, read_sheet,
    zip_member, Work, RETURNS,
};

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

fn rows_of(path: &Path) -> Vec<Row> {
    read_book(path, &profile()).unwrap().merged.book.rows
}

fn by_key(rows: &[Row]) -> BTreeMap<(String, u32), Row> {
    rows.iter()
        .map(|r| ((r.project_nos[0].clone(), r.kpi_index), r.clone()))
        .collect()
}

/// R6.xlsx and R7.xlsx (see [`crate::common::r7_book`]).
fn consolidate(work: &Work) -> PathBuf {
    crate::common::r7_book(work)
}

/// The flags and free text the fixture's changes must give (every other row: none).
fn expected_remarks() -> BTreeMap<&'static str, (Vec<&'static str>, &'static str)> {
    let mut m = BTreeMap::new();
    for k in [
        "432-5", "432-9", "433-1", "433-3", "461-2", "422-2", "432-1", "432-7", "652-6",
    ] {
        m.insert(k, (vec!["課名変更"], ""));
    }
    m.insert("411-6", (vec!["事業名変更"], ""));
    m.insert("442-5", (vec!["事業内容変更"], ""));
    m.insert("442-1", (vec!["KPI変更"], ""));
    m.insert("453-1", (vec!["KPI変更"], ""));
    m.insert("341-6", (vec!["目標値変更"], ""));
    m.insert("346-4", (vec!["【事業休止】"], ""));
    m.insert(
        "543-36",
        (vec!["【事業休止】"], "令和7年度は設計見直しのため休止"),
    );
    m.insert("342-25", (vec!["新規"], ""));
    m.insert("571-16", (vec!["未提出"], ""));
    m.insert("521-11", (vec![], "指標の定義を見直し"));
    m
}

#[test]
fn r6_and_the_r7_returns_give_exactly_the_expected_book() {
    let work = Work::new();
    let book = consolidate(&work);
    let got = rows_of(&book);
    let prev = by_key(&rows_of(&work.path("R6.xlsx")));
    let returned = by_key(
        &read_and_merge(
            &[PathBuf::from(RETURNS)],
            Some(FiscalYear(2025)),
            &profile(),
        )
        .unwrap()
        .merged
        .book
        .rows,
    );
    let remarks = expected_remarks();

    // order: last year's, with the new project under its 施策 (after 342-20)
    let mut want_order: Vec<(String, u32)> = Vec::new();
    for r in rows_of(&work.path("R6.xlsx")) {
        want_order.push((r.project_nos[0].clone(), r.kpi_index));
        if r.project_nos[0] == "342-20" {
            want_order.push(("342-25".to_string(), 1));
        }
    }
    let got_order: Vec<(String, u32)> = got
        .iter()
        .map(|r| (r.project_nos[0].clone(), r.kpi_index))
        .collect();
    assert_eq!(got_order, want_order);

    for row in &got {
        let key = (row.project_nos[0].clone(), row.kpi_index);
        let k = key.0.as_str();
        let (flags, free) = remarks.get(k).cloned().unwrap_or_default();
        assert_eq!(row.flags, flags, "{k} flags");
        assert_eq!(row.remarks, free, "{k} 備考");
        assert_eq!(row.year, FiscalYear(2025));
        match (prev.get(&key), returned.get(&key)) {
            (Some(p), Some(r)) => {
                // what the department returned, in last year's structure
                for (what, a, b) in [
                    ("事業名", &row.project, &r.project),
                    ("事業概要", &row.summary, &r.summary),
                    ("KPI", &row.kpi, &r.kpi),
                    ("単位", &row.unit, &r.unit),
                ] {
                    assert_eq!(a, b, "{k} {what}");
                }
                assert_eq!(row.departments, r.departments, "{k}");
                assert_eq!(row.project_nos, r.project_nos, "{k}");
                // a number typed in full-width numerals is a number, shown half-width
                let r = crate::common::as_the_book_shows(r.clone());
                assert_eq!(row.target, r.target, "{k} 目標値");
                assert_eq!(row.actual, r.actual, "{k} 実績値");
                assert_eq!(
                    (&row.goal, &row.goal_targets, &row.measure_no),
                    (&p.goal, &p.goal_targets, &p.measure_no),
                    "{k}"
                );
                assert_eq!(
                    (&row.measure, &row.measure_kpi),
                    (&p.measure, &p.measure_kpi),
                    "{k}"
                );
            }
            (Some(p), None) => {
                assert_eq!(k, "571-16", "only 文化課's own project is not returned");
                assert_eq!(row.actual.kind, kpiroll::model::ValueKind::Blank);
                let carried = Row {
                    actual: row.actual.clone(),
                    flags: row.flags.clone(),
                    remarks: row.remarks.clone(),
                    year: row.year,
                    ..p.clone()
                };
                assert_eq!(row, &carried, "carried with last year's values");
            }
            (None, Some(r)) => {
                assert_eq!(k, "342-25");
                assert_eq!((row.goal.no.as_str(), row.measure_no.as_str()), ("Ⅱ", "①"));
                assert_eq!(
                    (row.project.as_str(), row.actual.raw.as_str()),
                    (r.project.as_str(), "87")
                );
            }
            (None, None) => unreachable!(),
        }
    }
    // values compared by meaning did not flag: １０，０００ = 10,000, 96.4% = 96.4 (単位 %);
    // the full-width number is a number in the book, shown half-width
    let r = got.iter().find(|r| r.project_nos[0] == "443-16").unwrap();
    assert_eq!((r.target.raw.as_str(), r.flags.len()), ("10,000", 0));
    let r = got.iter().find(|r| r.project_nos[0] == "342-11").unwrap();
    assert_eq!((r.actual.raw.as_str(), r.flags.len()), ("96.4%", 0));
}

#[test]
fn the_working_sheets_list_changes_log_and_submissions() {
    let work = Work::new();
    let book = consolidate(&work);
    let workbook = zip_member(&book, "xl/workbook.xml");
    let names: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(names, vec!["一覧", "変更点", "取込ログ", "提出状況"]);

    // 変更点: one row per change, with the source cell
    let changes = read_sheet(&book, "変更点");
    let rows: Vec<Vec<String>> = (1..changes.height)
        .map(|r| (0..7).map(|c| changes.text(r, c)).collect())
        .collect();
    assert_eq!(
        rows.len(),
        9 + 5 + 2,
        "9 課名変更, 5 other changes, 新規 and 未提出: {rows:#?}"
    );
    let find = |key: &str, field: &str| {
        rows.iter()
            .find(|r| r[0] == key && r[3] == field)
            .unwrap_or_else(|| panic!("{key} {field}"))
    };
    assert_eq!(
        find("411-6", "事業名")[4..6],
        [
            "新規就農者支援事業".to_string(),
            "新規就農者育成支援事業".to_string()
        ]
    );
    assert_eq!(
        find("432-5", "担当課")[4..6],
        ["産学振興課".to_string(), "産業イノベーション課".to_string()]
    );
    assert_eq!(
        find("453-1", "単位")[4..6],
        ["品".to_string(), "件".to_string()]
    );
    assert_eq!(
        find("341-6", "目標値")[4..6],
        ["350".to_string(), "400".to_string()]
    );
    assert!(
        find("411-6", "事業名")[6].starts_with("農林振興課.tsv!"),
        "source file!cell"
    );
    find("342-25", "新規");
    find("571-16", "未提出");

    // 取込ログ: every row of every return
    let log = read_sheet(&book, "取込ログ");
    let results: Vec<String> = (1..log.height).map(|r| log.text(r, 5)).collect();
    assert_eq!(results.iter().filter(|r| *r == "取込").count(), 66);
    assert_eq!(
        results.iter().filter(|r| *r == "統合").count(),
        4,
        "joint projects returned by each 課"
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| *r == "取込" || *r == "統合" || *r == "取込不可")
            .count(),
        70
    );
    assert_eq!(
        results.iter().filter(|r| *r == "様式以外").count(),
        24,
        "each return is a hand-made table, not a form"
    );

    // 提出状況
    let status = read_sheet(&book, "提出状況");
    let line = |dept: &str| -> Vec<String> {
        let r = (1..status.height)
            .find(|r| status.text(*r, 0) == dept)
            .unwrap_or_else(|| panic!("{dept}"));
        (0..5).map(|c| status.text(r, c)).collect()
    };
    assert_eq!(
        line("文化課")[1..4],
        ["2".to_string(), "1".to_string(), "571-16".to_string()]
    );
    assert_eq!(
        line("産業イノベーション課")[1..3],
        ["9".to_string(), "9".to_string()],
        "the rename owes 産学振興課's rows"
    );
    assert_eq!(
        line("こども家庭課")[1..3],
        ["8".to_string(), "9".to_string()],
        "its 8 rows and the new one"
    );

    // highlights: a note with last year's value on each changed cell
    let comments = zip_member(&book, "xl/comments1.xml");
    assert!(
        comments.contains("前年度: 新規就農者支援事業"),
        "{comments}"
    );
    assert!(comments.contains("前年度: 350"));

    // and each changed cell filled, in its own format: a cell's format number and the
    // styles part are written apart (a number off by one would show here as a wrong
    // fill or number format)
    let list = read_sheet(&book, "一覧");
    let row_of = |key: &str| {
        (0..list.height)
            .find(|r| list.text(*r, 6) == key)
            .unwrap_or_else(|| panic!("{key} in 一覧"))
    };
    let part = "xl/worksheets/sheet1.xml";
    let a1 = |r: u32, c: u16| rust_xlsxwriter::utility::row_col_to_cell(r, c);
    let r = row_of("411-6");
    assert_eq!(list.text(r, 5), "新規就農者育成支援事業");
    assert_eq!(cell_fill(&book, part, &a1(r, 5)).as_deref(), Some("FFF2CC"));
    assert_eq!(
        cell_fill(&book, part, &a1(r, 8)),
        None,
        "its KPI did not change"
    );
    let r = row_of("341-6");
    assert!(matches!(list.values[&(r, 10)], Data::Float(x) if x == 400.0));
    assert_eq!(
        cell_fill(&book, part, &a1(r, 10)).as_deref(),
        Some("FFF2CC")
    );
    assert_eq!(
        list.formats[&(r, 10)],
        "General",
        "a plain number stays General"
    );
    assert_eq!(
        cell_fill(&book, part, &a1(r, 11)),
        None,
        "its 実績値 is not marked"
    );
}

#[test]
fn without_renames_a_probable_rename_is_reported() {
    let work = Work::new();
    crate::common::r6_book(&work);
    let (_, stderr) = consolidate_over(&work, "R7", "R6.xlsx", RETURNS, "R7.xlsx", 0);
    assert!(
        stderr.contains("前年度の 産学振興課 の行はすべて 産業イノベーション課 から返ってきました"),
        "{stderr}"
    );
}

#[test]
fn bad_returns_mixed_in_are_refused_and_every_good_row_still_arrives() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    std::fs::write(dir.join("壊れた.xlsx"), "not,a,workbook\n").unwrap();
    // a second 農林振興課 return with another actual for 411-6: a conflict
    let text = std::fs::read_to_string(dir.join("農林振興課.tsv"))
        .unwrap()
        .replace("\t25\t", "\t26\t");
    std::fs::write(dir.join("農林振興課_再提出.tsv"), text).unwrap();
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 1);
    assert!(stderr.contains("壊れた.xlsx: 取り込めません"), "{stderr}");
    assert!(stderr.contains("農林振興課_再提出.tsv!"), "{stderr}");
    let good_work = Work::new();
    let good = consolidate(&good_work);
    assert_eq!(
        rows_of(&work.path("R7.xlsx")),
        rows_of(&good),
        "every good row unchanged"
    );
    let log = read_sheet(&work.path("R7.xlsx"), "取込ログ");
    let refused: Vec<String> = (1..log.height)
        .filter(|r| log.text(*r, 5) == "取込不可")
        .map(|r| log.text(r, 0))
        .collect();
    assert!(refused.contains(&"壊れた.xlsx".to_string()), "{refused:?}");
    assert!(
        refused.contains(&"農林振興課_再提出.tsv".to_string()),
        "{refused:?}"
    );
}

#[test]
fn the_handout_is_the_table_alone_and_prints_a_page_per_block() {
    let work = Work::new();
    consolidate(&work);
    work.run_status(&["handout", "R7.xlsx", "-o", "資料2-2_R7.xlsx"], 0);
    let handout = work.path("資料2-2_R7.xlsx");
    assert_eq!(
        rows_of(&handout),
        rows_of(&work.path("R7.xlsx")),
        "the same table"
    );
    let workbook = zip_member(&handout, "xl/workbook.xml");
    assert_eq!(workbook.matches("<sheet name=").count(), 1, "one sheet");
    let file = std::fs::File::open(&handout).unwrap();
    let zip = zip::ZipArchive::new(file).unwrap();
    assert!(
        !zip.file_names()
            .any(|n| n.is_ok_and(|n| n.contains("comments"))),
        "no notes"
    );
    let styles = zip_member(&handout, "xl/styles.xml");
    assert!(!styles.contains("FFF2CC"), "no highlights");
    let sheet = read_sheet(&handout, "一覧");
    assert!(
        sheet.text(1, 0).contains("令和7年度"),
        "title with the year: {}",
        sheet.text(1, 0)
    );

    // the PDF, when LibreOffice is installed (.ci/run installs it)
    if !installed("soffice") || !installed("pdfinfo") || !installed("pdftotext") {
        eprintln!("LibreOffice or poppler-utils not installed: PDF not checked");
        return;
    }
    work.run_status(
        &[
            "handout",
            "R7.xlsx",
            "-o",
            "資料2-2_R7.xlsx",
            "--force",
            "--pdf",
        ],
        0,
    );
    let pdf = work.path("資料2-2_R7.pdf");
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.contains("1190.55 x 841.89"), "A3 landscape: {info}");
    let pages: usize = info.lines().find(|l| l.starts_with("Pages:")).unwrap()[6..]
        .trim()
        .parse()
        .unwrap();
    assert!(pages >= 3);
    for page in 1..=pages {
        let text = pdf_page(&pdf, page).unwrap_or_default();
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('【') && !l.starts_with("第2次"))
            .unwrap_or("");
        assert!(
            first.starts_with("基本目標"),
            "page {page} starts a block: {first}"
        );
    }
}
