//! Returns as departments send them: tables on a later sheet under title rows, headers
//! spelled another way and in another order, extra columns, full-width keys and digits,
//! formulas, formatted empty rows, joint projects returned twice, conflicts, lock files.
//! Every return is generated here (rust_xlsxwriter) and read back field by field.

use kpiroll::pipeline::read_and_merge;
use kpiroll::profile::{Lang, Profile};
use rust_xlsxwriter::{Format, Formula, Workbook};

use crate::common::Work;

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

/// A return: instruction sheet first, title rows, the header on row 10 in another order
/// with other spellings and an extra column, then the rows given as
/// (所管課, 事業番号, 事業名, KPI, 目標値, 実績値 cell, 備考).
fn write_return(path: &std::path::Path, rows: &[(&str, &str, &str, &str, &str, Cell, &str)]) {
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("記入要領")
        .unwrap()
        .write_string(0, 0, "黄色のセルに記入してください")
        .unwrap();
    let ws = wb.add_worksheet().set_name("入力").unwrap();
    ws.write_string(0, 0, "令和7年度 KPI 実績調査").unwrap();
    ws.write_string(2, 0, "担当者：").unwrap();
    let headers = [
        "事業番号",
        "所管課",
        "事業名",
        "ＫＰＩ",
        "単位",
        "目標値",
        "実績値（R7）",
        "備考",
        "担当者メモ",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(9, c as u16, *h).unwrap();
    }
    let boxed = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    for (i, (dept, key, name, kpi, target, actual, remarks)) in rows.iter().enumerate() {
        let r = 10 + i as u32;
        ws.write_string(r, 0, *key).unwrap();
        ws.write_string(r, 1, *dept).unwrap();
        ws.write_string(r, 2, *name).unwrap();
        ws.write_string(r, 3, *kpi).unwrap();
        ws.write_string(r, 4, "件").unwrap();
        ws.write_string(r, 5, *target).unwrap();
        match actual {
            Cell::Text(t) => ws.write_string(r, 6, *t).map(|_| ()).unwrap(),
            Cell::Number(x, code) => ws
                .write_number_with_format(r, 6, *x, &Format::new().set_num_format(*code))
                .map(|_| ())
                .unwrap(),
            Cell::Formula(f, result) => ws
                .write_formula(r, 6, Formula::new(*f).set_result(*result))
                .map(|_| ())
                .unwrap(),
        }
        ws.write_string(r, 7, *remarks).unwrap();
        ws.write_string(r, 8, "確認済み").unwrap();
    }
    // formatting that runs far below the data: blank bordered cells
    for r in 40..400 {
        ws.write_blank(r, 0, &boxed).unwrap();
        ws.write_string(r, 7, " ").unwrap();
    }
    wb.save(path).unwrap();
}

#[derive(Clone, Copy)]
enum Cell {
    Text(&'static str),
    Number(f64, &'static str),
    Formula(&'static str, &'static str),
}

#[test]
fn returns_as_departments_send_them_read_field_by_field() {
    let work = Work::new();
    let dir = work.path("returns");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write_return(
        &dir.join("産学振興課.xlsx"),
        &[
            (
                "産学振興課",
                "４３２－５",
                "スマートアプリコンテスト事業",
                "エントリー件数",
                "１００",
                Cell::Text("１０５"),
                "",
            ),
            (
                "産学振興課 都市計画課",
                "652ー6 432-10",
                "空家等流通プラットフォーム構築事業",
                "利用者数",
                "5,000",
                Cell::Number(1234.0, "#,##0"),
                "",
            ),
            (
                "産学振興課",
                "433 - 1",
                "トライバレーセンター管理運営事業",
                "申請数",
                "-",
                Cell::Formula("=1+1", "2"),
                "【事業休止】 年度途中で休止",
            ),
            (
                "産学振興課",
                "461-2\n",
                "地域雇用活性化推進事業",
                "就職者数",
                "80",
                Cell::Text("集計中"),
                "",
            ),
        ],
    );
    // the joint project again, identical, from the other 課, in a sub folder
    write_return(
        &dir.join("sub/都市計画課.xlsx"),
        &[(
            "産学振興課 都市計画課",
            "652-6 432-10",
            "空家等流通プラットフォーム構築事業",
            "利用者数",
            "5,000",
            Cell::Number(1234.0, "#,##0"),
            "",
        )],
    );
    // lock files and hidden files are not inputs
    std::fs::write(dir.join("~$産学振興課.xlsx"), b"lock").unwrap();
    std::fs::write(dir.join(".hidden.csv"), b"x").unwrap();

    let outcome = read_and_merge(
        std::slice::from_ref(&dir),
        Some(kpiroll::model::FiscalYear(2025)),
        &profile(),
    )
    .unwrap();
    assert_eq!(outcome.sources.len(), 2, "lock and hidden files skipped");
    let (read, taken, merged, refused) = outcome.counts();
    assert_eq!((read, taken, merged, refused), (5, 4, 1, 0));
    let rows = &outcome.merged.book.rows;
    let get = |k: &str| rows.iter().find(|r| r.project_nos[0] == k).unwrap();

    let r = get("432-5");
    assert_eq!(
        (r.target.number, r.actual.number),
        (Some(100.0), Some(105.0))
    );
    assert_eq!(
        (r.target.raw.as_str(), r.actual.raw.as_str()),
        ("１００", "１０５"),
        "raw text kept"
    );
    assert_eq!(r.departments, vec!["産学振興課"]);
    assert_eq!(r.kpi, "エントリー件数");
    assert_eq!(r.unit, "件");
    let joint = get("652-6");
    assert_eq!(joint.project_nos, vec!["652-6", "432-10"]);
    assert_eq!(joint.departments, vec!["産学振興課", "都市計画課"]);
    assert_eq!(
        (joint.actual.raw.as_str(), joint.actual.number),
        ("1,234", Some(1234.0))
    );
    let r = get("433-1");
    assert_eq!(r.actual.raw, "2", "a formula gives its cached value");
    assert_eq!(r.target.kind, kpiroll::model::ValueKind::Na);
    assert_eq!(
        (r.flags.clone(), r.remarks.as_str()),
        (vec!["【事業休止】".to_string()], "年度途中で休止")
    );
    let r = get("461-2");
    assert_eq!(
        (r.actual.raw.as_str(), r.actual.kind),
        ("集計中", kpiroll::model::ValueKind::Text)
    );

    // messages: the text actual and the extra column, located
    let text = outcome.report.render(&profile());
    assert!(text.contains("産学振興課.xlsx!入力!G14: 確認してください: 実績値（R7）「集計中」は数値ではありません"), "{text}");
    assert!(
        text.contains(
            "産学振興課.xlsx!入力!I10: 確認してください: 見出し「担当者メモ」は様式にない列です"
        ),
        "{text}"
    );
    assert_eq!(outcome.report.refusals(), 0, "{text}");

    // check on the folder: exit 0, per file sheet / header row / rows
    let (stdout, _) = work.run_status(&["check", "--year", "R7", "returns"], 0);
    assert!(
        stdout.contains("シート 入力 見出し行 10 年度 R7 行数 4"),
        "{stdout}"
    );
}

#[test]
fn conflicts_and_missing_columns_are_refused_with_both_cells() {
    let work = Work::new();
    let dir = work.path("returns");
    std::fs::create_dir_all(&dir).unwrap();
    let row = (
        "産学振興課",
        "432-5",
        "事業",
        "件数",
        "10",
        Cell::Text("5"),
        "",
    );
    write_return(&dir.join("a.xlsx"), &[row]);
    write_return(
        &dir.join("b.xlsx"),
        &[(
            "産学振興課",
            "432-5",
            "事業",
            "件数",
            "10",
            Cell::Text("6"),
            "",
        )],
    );
    write_return(&dir.join("c.xlsx"), &[row, row]);
    // a return whose 目標値 column was deleted
    std::fs::write(
        dir.join("d.csv"),
        "事業番号,所管課,事業名,KPI,単位,実績値（R7）\n411-6,農林振興課,x,y,人,3\n",
    )
    .unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R7", "returns", "-o", "out.xlsx"],
        1,
    );
    assert!(
        stderr.contains(
            "b.xlsx!入力!A11: 取り込めません: 432-5 は a.xlsx!入力!A11 にもあり、内容が違います"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("d.csv!A1: 取り込めません: 見出し「目標値」の列がありません"),
        "{stderr}"
    );
    // the same row twice in one file is one row (the second is the first's next KPI only
    // when it follows it; here both are KPI 1 of 432-5 and identical)
    let rows = kpiroll::pipeline::read_book(&work.path("out.xlsx"), &profile())
        .unwrap()
        .merged
        .book
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actual.raw, "5");
}

/// A return typed in LibreOffice Calc by hand (pasted text, saved as .ods, then saved as
/// .xlsx by LibreOffice): see fixtures/README.md. Both read the same, as the cells show.
#[test]
fn a_return_made_in_libreoffice_reads_as_its_cells_show() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ingest/hand");
    let read = |name: &str| {
        let o = read_and_merge(
            &[dir.join(name)],
            Some(kpiroll::model::FiscalYear(2025)),
            &profile(),
        )
        .unwrap();
        assert_eq!(o.report.refusals(), 0, "{}", o.report.render(&profile()));
        o.merged.book.rows
    };
    let ods = read("sangaku_hand.ods");
    let xlsx = read("sangaku_hand.xlsx");
    assert_eq!(ods, xlsx);
    let keys: Vec<&str> = ods.iter().map(|r| r.project_nos[0].as_str()).collect();
    assert_eq!(
        keys,
        ["432-5", "432-9", "433-1", "461-2", "422-2", "432-7"],
        "４３２－５ and 433 - 1 normalised"
    );
    let raw: Vec<&str> = ods.iter().map(|r| r.actual.raw.as_str()).collect();
    // LibreOffice turned the pasted 1,234 into the number 1234 (General) and 96.4% into
    // 0.964 shown 96.40%: the book keeps what the cell shows
    assert_eq!(raw, ["１０８", "3", "2", "集計中", "1234", "96.40%"]);
    assert_eq!(ods[0].actual.number, Some(108.0));
    assert_eq!(ods[5].actual.number, Some(96.4));
    assert_eq!(
        (ods[2].flags.clone(), ods[2].remarks.as_str()),
        (vec!["【事業休止】".to_string()], "年度末で休止")
    );
}
