//! `kpiroll diff`. The R6 book (from the seed) against the R7 book (from
//! `fixtures/R7/returns`, whose `make_returns.py` lists every change): each change under
//! its field and nothing else; a book against itself and a re-typed copy is unchanged;
//! 達成率 and grades; the JSON shape; CSV; the xlsx report read back; a trend over three
//! years following a renumbered project.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::Data;
use serde_json::Value as Json;

use crate::common::{
    cell_fill, consolidate_over, diff_json, diff_r6_r7, installed, read_sheet, soffice_pdf,
    zip_member, Work, SEED,
};

use crate::common::{RENAMES, RETURNS};

/// R6.xlsx from the seed and R7.xlsx from the returns (with --prev and --renames).
fn books(work: &Work) {
    crate::common::r7_book(work);
}

fn json_of(work: &Work, args: &[&str], status: i32) -> Json {
    let (stdout, _) = work.run_status(args, status);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The rows of a JSON diff by (key, kpi).
fn rows_by_key(diff: &Json) -> BTreeMap<(String, u64), Json> {
    diff["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["key"].as_str().unwrap().to_string(),
                    r["kpi"].as_u64().unwrap(),
                ),
                r.clone(),
            )
        })
        .collect()
}

/// (field, old, new) of every change of a row.
fn changes(row: &Json) -> Vec<Triple> {
    row["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_string(),
                c["old"].as_str().unwrap().to_string(),
                c["new"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A change as (field, old, new).
type Triple = (String, String, String);

fn t(field: &str, old: &str, new: &str) -> Triple {
    (field.to_string(), old.to_string(), new.to_string())
}

#[test]
fn r6_to_r7_every_change_under_its_field_and_nothing_else() {
    let work = Work::new();
    books(&work);
    let diff = diff_json(&work);
    let rows = rows_by_key(&diff);
    let mut want: BTreeMap<&str, (&str, Vec<Triple>)> = BTreeMap::new();
    for k in [
        "432-5", "432-9", "433-1", "433-3", "461-2", "422-2", "432-1", "432-7",
    ] {
        want.insert(
            k,
            (
                "changed",
                vec![t("担当課", "産学振興課", "産業イノベーション課")],
            ),
        );
    }
    want.insert(
        "652-6",
        (
            "changed",
            vec![t(
                "担当課",
                "産学振興課 都市計画課",
                "産業イノベーション課 都市計画課",
            )],
        ),
    );
    want.insert(
        "411-6",
        (
            "changed",
            vec![t("事業名", "新規就農者支援事業", "新規就農者育成支援事業")],
        ),
    );
    want.insert(
        "442-1",
        ("changed", vec![t("KPI", "融資決定件数", "融資実行件数")]),
    );
    want.insert("453-1", ("changed", vec![t("単位", "品", "件")]));
    want.insert("341-6", ("changed", vec![t("目標値", "350", "400")]));
    want.insert("342-25", ("added", vec![]));
    want.insert("571-16", ("removed", vec![]));
    // 事業概要: the R6 text and the sentence the return added
    let summary = &rows[&("442-5".to_string(), 1)];
    assert_eq!(summary["status"], "changed");
    let c = changes(summary);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].0, "事業概要");
    assert_eq!(
        c[0].2,
        format!("{}あわせて空き店舗の情報発信を強化する。", c[0].1)
    );

    for ((key, kpi), row) in &rows {
        if key == "442-5" {
            continue;
        }
        let (status, fields) = want
            .get(key.as_str())
            .cloned()
            .unwrap_or(("unchanged", vec![]));
        assert_eq!(row["status"], status, "{key} KPI {kpi}");
        assert_eq!(changes(row), fields, "{key} KPI {kpi}");
    }
    // every expected row is there; R6 has 66 rows, R7 one more (342-25)
    for k in want.keys() {
        assert!(rows.contains_key(&(k.to_string(), 1)), "{k}");
    }
    assert_eq!(rows.len(), 67);
    let s = &diff["summary"];
    assert_eq!(
        (
            &s["rows"],
            &s["changed"],
            &s["added"],
            &s["removed"],
            &s["unchanged"]
        ),
        (
            &Json::from(67),
            &Json::from(14),
            &Json::from(1),
            &Json::from(1),
            &Json::from(51)
        )
    );
    assert_eq!(s["fields"]["担当課"], 9);
    assert_eq!(s["fields"]["目標値"], 1);
}

#[test]
fn the_json_has_the_shape_of_the_issue_with_numbers_as_numbers() {
    let work = Work::new();
    books(&work);
    let diff = diff_json(&work);
    let keys = |v: &Json| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let mut top = keys(&diff);
    top.sort();
    assert_eq!(top, ["new", "old", "rows", "summary"]);
    assert_eq!(diff["old"]["file"], "R6.xlsx");
    assert_eq!(diff["old"]["year"], "R6");
    assert_eq!(diff["new"]["file"], "R7.xlsx");
    assert_eq!(diff["new"]["year"], "R7");
    let text = {
        let (stdout, _) = work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "--format", "json"], 0);
        stdout
    };
    // the row objects' keys, in the issue's order
    let first = text.find("\"key\"").unwrap();
    let order: Vec<usize> = [
        "\"key\"",
        "\"kpi\"",
        "\"status\"",
        "\"project\"",
        "\"departments\"",
        "\"changes\"",
        "\"actual\"",
        "\"achievement\"",
        "\"grade\"",
    ]
    .iter()
    .map(|k| first + text[first..].find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    let rows = rows_by_key(&diff);
    for row in rows.values() {
        let mut k = keys(row);
        k.sort();
        assert_eq!(
            k,
            [
                "achievement",
                "actual",
                "changes",
                "departments",
                "grade",
                "key",
                "kpi",
                "project",
                "status"
            ]
        );
        assert!(row["kpi"].is_u64());
        assert!(row["departments"].is_array());
        for pair in ["actual", "achievement", "grade"] {
            let mut k = keys(&row[pair]);
            k.sort();
            assert_eq!(k, ["new", "old"], "{pair}");
        }
        for side in ["old", "new"] {
            let a = &row["achievement"][side];
            assert!(a.is_null() || a.is_f64(), "{a}");
            let g = &row["grade"][side];
            assert!(g.is_null() || g.is_string(), "{g}");
            assert_eq!(a.is_null(), g.is_null());
        }
    }
    let row = |k: &str| &rows[&(k.to_string(), 1)];
    // more is better: 23 / 30 → 76.7 % (C), 25 / 30 → 83.3 % (B)
    let r = row("411-6");
    assert_eq!(r["project"], "新規就農者育成支援事業");
    assert_eq!(r["departments"], serde_json::json!(["農林振興課"]));
    assert_eq!(r["actual"], serde_json::json!({"old": 23, "new": 25}));
    assert_eq!(
        r["achievement"],
        serde_json::json!({"old": 76.7, "new": 83.3})
    );
    assert_eq!(r["grade"], serde_json::json!({"old": "C", "new": "B"}));
    // less is better (空き店舗 in the KPI): 88 / 91, 88 / 92
    let r = row("442-5");
    assert_eq!(
        r["achievement"],
        serde_json::json!({"old": 96.7, "new": 95.7})
    );
    assert_eq!(r["grade"], serde_json::json!({"old": "B", "new": "B"}));
    // a ratio reads as its percentage: 107% (16/14) against 100 (単位 %)
    let r = row("131-13");
    assert_eq!(r["actual"], serde_json::json!({"old": 107, "new": 112}));
    assert_eq!(
        r["achievement"],
        serde_json::json!({"old": 107.0, "new": 112.0})
    );
    // 96.4% against 100 when the 単位 is %
    assert_eq!(row("342-11")["achievement"]["new"], 96.4);
    // a target of - gives no rate and no grade
    let r = row("433-1");
    assert_eq!(
        r["achievement"],
        serde_json::json!({"old": null, "new": null})
    );
    assert_eq!(r["grade"], serde_json::json!({"old": null, "new": null}));
    // an added row has only NEW's side, a removed one only OLD's
    let r = row("342-25");
    assert_eq!(r["actual"], serde_json::json!({"old": null, "new": 87}));
    assert_eq!(
        r["achievement"],
        serde_json::json!({"old": null, "new": 72.5})
    );
    let r = row("571-16");
    assert!(r["actual"]["new"].is_null() && r["achievement"]["new"].is_null());
    // the summary: grades of both years, counts per 基本目標 and 課
    let s = &diff["summary"];
    let total = |side: &str| -> u64 {
        s["grades"][side]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    assert_eq!((total("old"), total("new")), (66, 66));
    assert_eq!(s["goals"].as_array().unwrap().len(), 3);
    let dept = s["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "産業イノベーション課")
        .unwrap();
    assert_eq!(
        (&dept["rows"], &dept["changed"]),
        (&Json::from(9), &Json::from(9))
    );
}

#[test]
fn a_book_against_itself_or_a_retyped_copy_is_unchanged() {
    let work = Work::new();
    books(&work);
    for book in ["R6.xlsx", "R7.xlsx"] {
        let (stdout, _) = work.run_status(&["diff", book, book, "--exit-code"], 0);
        assert!(stdout.contains("違いはありません"), "{stdout}");
        assert!(
            !stdout.contains("\n~ ") && !stdout.contains("\n- "),
            "{stdout}"
        );
    }
    // the seed text the book came from, and a copy typed another way
    let seed = std::fs::read_to_string(SEED).unwrap();
    let retyped = seed
        .replace("\t10,000\t5072\t", "\t１０，０００\t５０７２\t")
        .replace("\t100\t96.4\t", "\t100\t96.4%\t")
        .replace("\t—\t16,920\t", "\t－\t16920\t")
        .replace("\t利用者数\t人\t200\t", "\t利用者数 \t人\t２００\t");
    assert_ne!(retyped, seed);
    std::fs::write(work.path("retyped.txt"), retyped).unwrap();
    for other in [SEED, "retyped.txt"] {
        let diff = json_of(
            &work,
            &["diff", other, "R6.xlsx", "--format", "json", "--exit-code"],
            0,
        );
        let s = &diff["summary"];
        assert_eq!(
            (&s["unchanged"], &s["rows"], &s["actual_changed"]),
            (&Json::from(66), &Json::from(66), &Json::from(0)),
            "{other}"
        );
        assert_eq!(s["grades"]["old"], s["grades"]["new"]);
    }
    // and R6 against R7 differs: --exit-code gives 1, without it 0
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "--exit-code"], 1);
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx"], 0);
}

#[test]
fn text_is_a_unified_diff_grouped_by_goal_and_measure_uncoloured_in_a_pipe() {
    let work = Work::new();
    books(&work);
    let (text, _) = work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "--renames", RENAMES], 0);
    assert!(!text.contains('\u{1b}'), "no colours when stdout is a pipe");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("--- R6.xlsx") && lines[0].ends_with("R6"));
    assert!(lines[1].starts_with("+++ R7.xlsx") && lines[1].ends_with("R7"));
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| *l == needle || l.starts_with(needle))
            .unwrap_or_else(|| panic!("{needle}\n{text}"))
    };
    let goal = at("@@ 基本目標Ⅰ 地域を元気にするしごとづくり @@");
    let measure = at("@@ ①創業の支援");
    let row = at("~ 411-6 (KPI 1) 新規就農者育成支援事業（農林振興課）");
    assert!(goal < measure && measure < row);
    assert_eq!(lines[row + 1], "-    事業名: 新規就農者支援事業");
    assert_eq!(lines[row + 2], "+    事業名: 新規就農者育成支援事業");
    assert!(lines[row + 3].contains("23 → 25") && lines[row + 3].contains("76.7% C → 83.3% B"));
    let renamed = at("~ 432-5 (KPI 1)");
    assert_eq!(
        lines[renamed + 2],
        "+    担当課: 産業イノベーション課（組織改正）"
    );
    assert!(at("+ 342-25 (KPI 1) 産後ドゥーラ派遣事業") > at("@@ 基本目標Ⅱ"));
    assert!(lines[at("- 571-16 (KPI 1)")].ends_with("削除（未提出）"));
    // unchanged rows are not listed; the counts close the report
    assert!(!text.contains("421-7"), "{text}");
    assert!(text.contains("変更 14 行・追加 1 行・削除 1 行・変更なし 51 行（計 67 行）"));
    assert!(
        text.contains("評価 R6: A 27・B 10・C 13・D 7・— 9"),
        "{text}"
    );
}

#[test]
fn csv_has_one_line_per_row_with_what_changed_and_a_bom() {
    let work = Work::new();
    books(&work);
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.csv"], 0);
    let bytes = std::fs::read(work.path("diff.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().unwrap().iter().take(6).collect::<Vec<_>>(),
        [
            "事務事業番号",
            "KPI番号",
            "区分",
            "変更点",
            "基本目標",
            "施策"
        ]
    );
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(records.len(), 67, "every row, changed or not");
    let line = |key: &str| records.iter().find(|r| r[0] == key).unwrap();
    assert_eq!(line("341-6")[2..4], ["変更", "目標値"]);
    assert_eq!(line("342-25")[2..4], ["追加", ""]);
    assert_eq!(line("571-16")[2..4], ["削除（未提出）", ""]);
    assert_eq!(
        records.iter().filter(|r| r[2] == "変更なし").count(),
        51,
        "{records:?}"
    );
}

fn sheet_names(book: &Path) -> Vec<String> {
    let workbook = zip_member(book, "xl/workbook.xml");
    workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_xlsx_report_reads_back_with_its_sheets_chart_highlights_and_print_setup() {
    let work = Work::new();
    books(&work);
    let (_, stderr) = diff_r6_r7(&work, "diff.xlsx");
    assert!(stderr.contains("変更 14 行"), "{stderr}");
    let book = work.path("diff.xlsx");
    assert_eq!(sheet_names(&book), ["概要", "変更一覧", "対照表"]);

    // 概要: counts per 基本目標 (rows 4…), grades of both years, a column chart of them
    let summary = read_sheet(&book, "概要");
    assert_eq!(summary.text(3, 0), "基本目標");
    assert_eq!(summary.text(4, 0), "基本目標Ⅰ 地域を元気にするしごとづくり");
    assert_eq!(
        (1..6).map(|c| summary.text(7, c)).collect::<Vec<_>>(),
        ["67", "14", "1", "1", "51"],
        "the total: rows, changed, added, removed, unchanged"
    );
    let grades: Vec<(String, String, String)> = (4..9)
        .map(|r| (summary.text(r, 8), summary.text(r, 9), summary.text(r, 10)))
        .collect();
    assert_eq!(grades[0], ("A".into(), "27".into(), "31".into()));
    assert_eq!(grades[4].0, "—");
    let chart = zip_member(&book, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>"), "a column chart");
    assert!(chart.contains("概要!$J$5:$J$9") && chart.contains("概要!$K$5:$K$9"));

    // 変更一覧: one row per change, added and removed rows once each
    let list = read_sheet(&book, "変更一覧");
    assert_eq!(list.height, 1 + 16);
    let find = |key: &str| {
        (1..list.height)
            .find(|r| list.text(*r, 0) == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    let r = find("341-6");
    assert_eq!(
        (7..10).map(|c| list.text(r, c)).collect::<Vec<_>>(),
        ["目標値", "350", "400"]
    );
    assert_eq!(list.text(find("432-5"), 10), "組織改正");
    assert_eq!(list.text(find("571-16"), 6), "削除（未提出）");

    // 対照表: both years side by side, 達成率 as a percentage, the grade, highlights
    let table = read_sheet(&book, "対照表");
    assert_eq!(table.text(0, 5), "比較元 R6（R6.xlsx）");
    assert_eq!(table.text(1, 11), "R6実績値");
    assert_eq!(table.text(1, 20), "R7実績値");
    let r = (2..table.height)
        .find(|r| table.text(*r, 2) == "411-6")
        .unwrap();
    assert_eq!(table.text(r, 4), "変更");
    assert_eq!(table.text(r, 6), "新規就農者支援事業");
    assert_eq!(table.text(r, 15), "新規就農者育成支援事業");
    assert!(matches!(table.values[&(r, 12)], Data::Float(x) if (x - 0.767).abs() < 1e-9));
    assert!(matches!(table.values[&(r, 21)], Data::Float(x) if (x - 0.833).abs() < 1e-9));
    assert_eq!(table.formats[&(r, 12)], "0.0%");
    assert_eq!(
        (table.text(r, 13), table.text(r, 22)),
        ("C".into(), "B".into())
    );
    let part = "xl/worksheets/sheet3.xml";
    let a1 = |c: u16| rust_xlsxwriter::utility::row_col_to_cell(r, c);
    assert_eq!(
        cell_fill(&book, part, &a1(6)).as_deref(),
        Some("FFF2CC"),
        "old 事業名"
    );
    assert_eq!(
        cell_fill(&book, part, &a1(15)).as_deref(),
        Some("FFF2CC"),
        "new 事業名"
    );
    assert_eq!(cell_fill(&book, part, &a1(8)), None, "KPI did not change");
    assert_eq!(
        cell_fill(&book, part, &a1(22)).as_deref(),
        Some("DDEBF7"),
        "grade B"
    );
    let removed = (2..table.height)
        .find(|r| table.text(*r, 2) == "571-16")
        .unwrap();
    assert_eq!(table.text(removed, 15), "", "no NEW side for a removed row");

    // print setup like the book: A3 landscape, one page wide, headers on every page
    for n in 1..=3 {
        let xml = zip_member(&book, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(xml.contains("paperSize=\"8\""), "sheet{n}");
        assert!(xml.contains("orientation=\"landscape\""), "sheet{n}");
        assert!(xml.contains("fitToHeight=\"0\""), "sheet{n}");
    }
    let workbook = zip_member(&book, "xl/workbook.xml");
    assert!(workbook.contains("'変更一覧'!$1:$1") || workbook.contains("変更一覧!$1:$1"));
    assert!(workbook.contains("対照表!$1:$2"), "{workbook}");

    // the same books give the same bytes
    diff_r6_r7(&work, "diff2.xlsx");
    assert_eq!(
        std::fs::read(&book).unwrap(),
        std::fs::read(work.path("diff2.xlsx")).unwrap()
    );
}

/// R8.xlsx from the R7 returns retitled for R8, with 411-6 renumbered 411-16 and one
/// actual changed; returns the renames file with the `[[move]]`.
fn r8_with_a_move(work: &Work) -> PathBuf {
    let dir = work.path("r8");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(RETURNS).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path())
            .unwrap()
            .replace("R7実績値", "R8実績値")
            .replace("令和7年度", "令和8年度")
            .replace("\t411-6\t", "\t411-16\t")
            .replace("\t30\t25\t", "\t30\t28\t");
        std::fs::write(dir.join(e.file_name()), text).unwrap();
    }
    consolidate_over(work, "R8", "R7.xlsx", "r8", "R8.xlsx", 0);
    let renames = work.path("renames.toml");
    let mut text = std::fs::read_to_string(RENAMES).unwrap();
    text.push_str("\n[[move]]\nfrom = \"411-6\"\nto = \"411-16\"\nyear = \"R8\"\n");
    std::fs::write(&renames, text).unwrap();
    renames
}

#[test]
fn three_books_give_a_trend_that_follows_a_renumbered_project() {
    let work = Work::new();
    books(&work);
    let renames = r8_with_a_move(&work);
    let renames = renames.to_str().unwrap();

    // R7 → R8: the renumbered project is matched, its number a change; R7's 未提出 row,
    // still not returned, is unchanged
    let diff = json_of(
        &work,
        &[
            "diff",
            "R7.xlsx",
            "R8.xlsx",
            "--renames",
            renames,
            "--format",
            "json",
        ],
        0,
    );
    let rows = rows_by_key(&diff);
    let moved = &rows[&("411-16".to_string(), 1)];
    assert_eq!(moved["status"], "changed");
    assert_eq!(changes(moved), [t("事務事業番号", "411-6", "411-16")]);
    assert_eq!(moved["actual"], serde_json::json!({"old": 25, "new": 28}));
    assert!(!rows.contains_key(&("411-6".to_string(), 1)));
    assert_eq!(rows[&("571-16".to_string(), 1)]["status"], "unchanged");

    work.run_status(
        &[
            "diff",
            "R6.xlsx",
            "R7.xlsx",
            "R8.xlsx",
            "--renames",
            renames,
            "-o",
            "trend.xlsx",
        ],
        0,
    );
    let book = work.path("trend.xlsx");
    assert_eq!(sheet_names(&book), ["概要", "変更一覧", "対照表", "推移"]);
    let trend = read_sheet(&book, "推移");
    assert_eq!(
        (6..9).map(|c| trend.text(0, c)).collect::<Vec<_>>(),
        ["R6実績値", "R7実績値", "R8実績値"]
    );
    let row_of = |key: &str| {
        (1..trend.height)
            .filter(|r| trend.text(*r, 0) == key)
            .collect::<Vec<_>>()
    };
    assert!(row_of("411-6").is_empty(), "followed to its new number");
    let r = row_of("411-16");
    assert_eq!(r.len(), 1);
    let r = r[0];
    assert_eq!(
        (6..9).map(|c| trend.text(r, c)).collect::<Vec<_>>(),
        ["23", "25", "28"]
    );
    // 達成率 per year (R6 76.7 %, R7 83.3 %, R8 93.3 %)
    let rates: Vec<f64> = (10..13)
        .map(|c| match trend.values[&(r, c)] {
            Data::Float(x) => x,
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rates, [0.767, 0.833, 0.933]);
    // one row per KPI of any year; two sparklines per row
    assert_eq!(trend.height - 1, 67);
    let xml = zip_member(&book, "xl/worksheets/sheet4.xml");
    assert_eq!(xml.matches("<x14:sparkline>").count(), 2 * 67);
    let a1 = rust_xlsxwriter::utility::row_col_to_cell;
    assert!(xml.contains(&format!(
        "<xm:f>推移!{}:{}</xm:f><xm:sqref>{}</xm:sqref>",
        a1(r, 6),
        a1(r, 8),
        a1(r, 9)
    )));
}

#[test]
fn grades_follow_the_templates_and_can_be_overridden_per_key() {
    let work = Work::new();
    books(&work);
    let dir = work.path("city");
    std::fs::create_dir_all(&dir).unwrap();
    let grades = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/grades.toml"
    ))
    .unwrap()
    .replace(
        "# [[direction.key]]\n# key = \"442-5\"\n# kpi = 1\n# better = \"less\"",
        "[[direction.key]]\nkey = \"421-3\"\nbetter = \"less\"",
    );
    assert!(grades.contains("key = \"421-3\""));
    std::fs::write(dir.join("grades.toml"), grades).unwrap();
    let args = ["diff", "R6.xlsx", "R7.xlsx", "--format", "json"];
    let rate = |diff: &Json| {
        diff["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "421-3")
            .unwrap()["achievement"]
            .clone()
    };
    // 誘致企業数 target 1, actual 5 (R6) and 6 (R7): 500 % and 600 % where more is better
    let plain = json_of(&work, &args, 0);
    assert_eq!(
        rate(&plain),
        serde_json::json!({"old": 500.0, "new": 600.0})
    );
    let templates = dir.to_str().unwrap();
    let with: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--templates", templates])
        .collect();
    let ruled = json_of(&work, &with, 0);
    assert_eq!(rate(&ruled), serde_json::json!({"old": 20.0, "new": 16.7}));
    // a grade list that cannot grade every rate is refused with the file named
    std::fs::write(dir.join("grades.toml"), "[rate]\ndecimals = 1\n").unwrap();
    let (_, stderr) = work.run_status(&with, 2);
    assert!(stderr.contains("grades.toml"), "{stderr}");
}

#[test]
fn bad_usage_is_refused_before_anything_is_written() {
    let work = Work::new();
    books(&work);
    let (_, stderr) = work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "--format", "xlsx"], 2);
    assert!(stderr.contains("-o"), "{stderr}");
    let (_, stderr) = work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.pdf"], 2);
    assert!(stderr.contains(".xlsx .json .csv .txt"), "{stderr}");
    work.run_status(&["diff", "R6.xlsx"], 2);
    std::fs::write(work.path("diff.json"), "keep").unwrap();
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.json"], 2);
    assert_eq!(
        std::fs::read_to_string(work.path("diff.json")).unwrap(),
        "keep"
    );
    // --format picks the format when -o has another extension
    work.run_status(
        &[
            "diff", "R6.xlsx", "R7.xlsx", "-o", "diff.out", "--format", "json",
        ],
        0,
    );
    let mut text = String::new();
    std::fs::File::open(work.path("diff.out"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.starts_with('{'));
}

#[test]
fn the_report_converts_to_pdf_with_libreoffice() {
    if !installed("soffice") || !installed("pdfinfo") || !installed("pdftotext") {
        eprintln!("LibreOffice or poppler-utils not installed: PDF not checked");
        return;
    }
    let work = Work::new();
    books(&work);
    work.run_status(&["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.xlsx"], 0);
    let pdf = soffice_pdf(&work, &work.path("diff.xlsx"));
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.contains("1190.55 x 841.89"), "A3 landscape: {info}");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("R6 → R7 の比較"), "{text}");
    assert!(text.contains("評価の分布"), "the chart's title");
    assert!(text.contains("新規就農者育成支援事業"));
}
