//! The round trip: the seed becomes the city's book and comes back unchanged,
//! through kpiroll's reader and through an independent one; a hand-made book of the same
//! shape reads the same; the book prints on A3; exports carry every row.

use std::path::Path;

use calamine::Data;
use kpiroll::model::Row;
use kpiroll::pipeline::read_book;
use kpiroll::profile::{Lang, Profile};

use crate::common::{read_sheet, seed_rows, write_strings, zip_member, Work, SEED};
use crate::formats::make_fixtures::HEADERS;

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

fn rows_of(path: &Path) -> Vec<Row> {
    let outcome = read_book(path, &profile()).expect("book reads");
    assert_eq!(
        outcome.report.refusals(),
        0,
        "{}",
        outcome.report.render(&profile())
    );
    outcome.merged.book.rows
}

/// Writes R6.xlsx from the seed in `work`.
fn seed_book(work: &Work) -> std::path::PathBuf {
    crate::common::r6_book(work);
    work.path("R6.xlsx")
}

/// The number a raw value means, parsed here without kpiroll: `10,000` → 10000.
fn plain_number(raw: &str) -> Option<f64> {
    raw.replace(',', "").parse().ok()
}

#[test]
fn seed_book_read_independently_has_every_field_and_raw_value() {
    let work = Work::new();
    let book = seed_book(&work);
    let sheet = read_sheet(&book, "一覧");
    let expected = seed_rows();
    assert_eq!(expected.len(), 66);

    let mut got = Vec::new();
    let mut section = String::new();
    for r in 0..sheet.height {
        let cells: Vec<String> = (0..13).map(|c| sheet.text(r, c)).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if cells[0].starts_with("基本目標") && cells[1..].iter().all(String::is_empty) {
            section = cells[0].clone();
            continue;
        }
        if cells[0] == "数値目標" && cells[6] == "事務事業番号" {
            assert_eq!(cells[11], "R6実績値", "the 実績値 header follows --year");
            continue;
        }
        if section.is_empty() {
            continue; // title rows
        }
        got.push((r, section.clone(), cells));
    }
    assert_eq!(
        got.len(),
        expected.len(),
        "every KPI row is in the book once"
    );
    for ((r, got_section, got), (want_section, want)) in got.iter().zip(&expected) {
        assert_eq!(got_section, want_section, "row {}", r + 1);
        for c in 0..13 {
            let is_value = c == 10 || c == 11;
            match sheet.values.get(&(*r, c as u32)) {
                Some(Data::Float(x)) if is_value => {
                    // a number is written as a number, in a format that shows its raw text
                    let raw = &want[c];
                    assert_eq!(Some(*x), plain_number(raw), "row {} col {c}: {raw}", r + 1);
                    let code = &sheet.formats[&(*r, c as u32)];
                    assert_eq!(
                        code.contains(','),
                        raw.contains(','),
                        "format {code} for {raw}"
                    );
                }
                _ => assert_eq!(got[c], want[c], "row {} col {c}", r + 1),
            }
        }
    }
    // numbers are numbers, not text
    let numbers = got
        .iter()
        .filter(|(r, _, _)| matches!(sheet.values.get(&(*r, 11)), Some(Data::Float(_))))
        .count();
    assert!(numbers >= 55, "actuals written as numbers: {numbers}");
    // 19 / 25 / 22 rows under 基本目標Ⅰ / Ⅱ / Ⅲ
    let per_goal = |prefix: &str| got.iter().filter(|(_, s, _)| s.starts_with(prefix)).count();
    assert_eq!(
        (
            per_goal("基本目標Ⅰ "),
            per_goal("基本目標Ⅱ "),
            per_goal("基本目標Ⅲ ")
        ),
        (19, 25, 22)
    );
}

#[test]
fn seed_book_and_its_rereading_give_the_same_rows() {
    let work = Work::new();
    let book = seed_book(&work);
    let from_seed = rows_of(Path::new(SEED));
    let from_book = rows_of(&book);
    assert_eq!(from_seed.len(), 66);
    assert_eq!(
        from_seed
            .iter()
            .map(|r| r.project_nos[0].as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        65
    );
    for (a, b) in from_seed.iter().zip(&from_book) {
        assert_eq!(a, b);
    }
    assert_eq!(from_seed, from_book);

    work.run_status(
        &["consolidate", "--year", "R6", "R6.xlsx", "-o", "R6b.xlsx"],
        0,
    );
    assert_eq!(rows_of(&work.path("R6b.xlsx")), from_seed);
    assert_eq!(
        std::fs::read(&book).unwrap(),
        std::fs::read(work.path("R6b.xlsx")).unwrap(),
        "the same rows give a byte-identical book"
    );
}

#[test]
fn the_seed_reads_into_the_canonical_model() {
    let rows = rows_of(Path::new(SEED));
    let by_key = |k: &str, i: u32| {
        rows.iter()
            .find(|r| r.project_nos[0] == k && r.kpi_index == i)
            .unwrap()
    };
    // a joint project keyed by its first number
    let joint = by_key("652-6", 1);
    assert_eq!(joint.project_nos, vec!["652-6", "432-10"]);
    assert_eq!(joint.departments, vec!["産学振興課", "都市計画課"]);
    // 他 kept as a note
    assert_eq!(by_key("511-22", 1).project_nos_note, "他");
    // a project with two KPI rows
    let second = by_key("521-7", 2);
    assert_eq!(second.kpi, "中学校標準学力分析検査の得点率");
    assert_eq!(second.project, "学力向上推進事業");
    assert_eq!(second.actual.number, Some(96.9));
    assert!(second.flags.is_empty());
    assert_eq!(by_key("521-7", 1).flags, vec!["KPI変更"]);
    // two targets in 基本目標Ⅱ②
    assert_eq!(
        by_key("511-2", 1).goal_targets,
        vec!["市内の児童・学生数", "出生数"]
    );
    assert_eq!(by_key("511-2", 1).measure_no, "②");
    // same-as-above filled
    let r = by_key("442-5", 1);
    assert_eq!(
        (
            r.goal.no.as_str(),
            r.goal_targets[0].as_str(),
            r.measure_no.as_str()
        ),
        ("Ⅰ", "市内事業所数", "①")
    );
    assert_eq!(r.goal.title, "地域を元気にするしごとづくり");
    // values: raw kept, reading made
    let ratio = &by_key("131-13", 1).actual;
    assert_eq!(
        (ratio.raw.as_str(), ratio.number),
        ("107% (16/14)", Some(107.0))
    );
    assert_eq!(by_key("443-16", 1).target.number, Some(10000.0));
    assert_eq!(by_key("341-2", 1).target.raw, "—");
    assert_eq!(by_key("346-4", 1).flags, vec!["【事業休止】"]);
    assert_eq!(by_key("433-3", 1).flags, vec!["課名変更", "事業内容変更"]);
}

/// A book of this shape made another way: an instruction sheet first, title rows, the
/// header on row 4 with `K P I` spaced and 令和6年度実績値, section rows merged across,
/// group and project cells merged, numbers with `#,##0`.
#[test]
fn a_hand_made_book_of_this_shape_reads_the_same() {
    use rust_xlsxwriter::{Format, Workbook};
    let work = Work::new();
    let path = work.path("hand.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("記入要領")
        .unwrap()
        .write_string(0, 0, "この様式に記入してください")
        .unwrap();
    let ws = wb.add_worksheet().set_name("R6").unwrap();
    ws.write_string(0, 0, "具体的事業一覧（手作り）").unwrap();
    ws.write_string(1, 0, "令和6年度").unwrap();
    let thousands = Format::new().set_num_format("#,##0");
    let plain = Format::new();
    let rows = seed_rows();
    let mut r = 3u32;
    let mut i = 0;
    while i < rows.len() {
        let section = &rows[i].0;
        let block: Vec<&Vec<String>> = rows[i..]
            .iter()
            .take_while(|(s, _)| s == section)
            .map(|(_, c)| c)
            .collect();
        ws.merge_range(r, 0, r, 12, section, &plain).unwrap();
        r += 1;
        // the fixture return's spelling of the header, for R6
        let mut headers = HEADERS;
        headers[11] = "令和6年度実績値";
        write_strings(ws, r, &headers);
        r += 1;
        let start = r;
        for (j, cells) in block.iter().enumerate() {
            for c in 0..13u16 {
                let text = &cells[c as usize];
                let merged_above =
                    j > 0 && (c < 4 && block[j - 1][..=c as usize] == cells[..=c as usize]);
                let project_above = j > 0 && (4..8).contains(&c) && block[j - 1][6] == cells[6];
                if merged_above || project_above {
                    continue;
                }
                let mut end = j;
                while end + 1 < block.len()
                    && ((c < 4 && block[end + 1][..=c as usize] == cells[..=c as usize])
                        || ((4..8).contains(&c) && block[end + 1][6] == cells[6]))
                {
                    end += 1;
                }
                let row = start + j as u32;
                if (c == 10 || c == 11) && text.replace(',', "").parse::<f64>().is_ok() {
                    let fmt = if text.contains(',') {
                        &thousands
                    } else {
                        &plain
                    };
                    ws.write_number_with_format(
                        row,
                        c,
                        text.replace(',', "").parse::<f64>().unwrap(),
                        fmt,
                    )
                    .unwrap();
                } else if end > j {
                    ws.merge_range(row, c, start + end as u32, c, text, &plain)
                        .unwrap();
                } else if !text.is_empty() {
                    ws.write_string(row, c, text).unwrap();
                }
            }
        }
        r = start + block.len() as u32 + 1;
        i += block.len();
    }
    wb.save(&path).unwrap();
    assert_eq!(rows_of(&path), rows_of(Path::new(SEED)));
}

/// Printed like the seed: A3 landscape, one page wide, and every page a block that starts
/// with its section row and the header row (the seed's page blocks), so a page never
/// begins without its headers; a page break before each such block.
#[test]
fn the_book_is_print_ready_a3_landscape_in_page_blocks_with_merges() {
    let work = Work::new();
    let book = seed_book(&work);
    let xml = zip_member(&book, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"paperSize="8""#), "A3");
    assert!(xml.contains(r#"orientation="landscape""#));
    assert!(
        xml.contains(r#"fitToHeight="0""#) && xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
        "one page wide"
    );
    assert!(xml.contains("&amp;P"), "page numbers in the footer");
    assert!(
        xml.contains(r#"customHeight="1""#),
        "row heights fit the wrapped text"
    );
    let workbook = zip_member(&book, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"<sheet name="一覧""#),
        "first sheet is 一覧"
    );

    // page breaks: each one starts a block (section row, then the header row)
    let breaks: Vec<u32> = xml
        .split("<brk id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    let sheet = read_sheet(&book, "一覧");
    assert!(
        breaks.len() >= 2,
        "at least one page per 基本目標: {breaks:?}"
    );
    let mut goals_starting = Vec::new();
    for b in &breaks {
        let section = sheet.text(*b, 0);
        assert!(
            section.starts_with("基本目標"),
            "row {} starts a page with its section: {section}",
            b + 1
        );
        assert_eq!(sheet.text(b + 1, 0), "数値目標", "then the header row");
        assert_eq!(sheet.text(b + 1, 11), "R6実績値");
        if !goals_starting.contains(&section) {
            goals_starting.push(section);
        }
    }
    assert!(
        goals_starting.iter().any(|s| s.starts_with("基本目標Ⅱ"))
            && goals_starting.iter().any(|s| s.starts_with("基本目標Ⅲ"))
    );

    // merges: 数値目標 and 施策① over their rows, 521-7's 事業概要 over its two KPI rows
    let spans: Vec<(u32, u32, u32)> = sheet
        .merges
        .iter()
        .filter(|(s, e)| s.1 == e.1)
        .map(|(s, e)| (s.1, s.0, e.0 - s.0 + 1))
        .collect();
    assert!(
        spans.iter().any(|(c, _, n)| *c == 0 && *n >= 8),
        "数値目標 merged over its rows: {spans:?}"
    );
    assert!(
        spans.iter().any(|(c, _, n)| *c == 1 && *n == 8),
        "施策① merged over its 8 rows"
    );
    assert!(
        spans.iter().any(|(c, _, n)| *c == 7 && *n == 2),
        "521-7's 事業概要 merged over its two KPI rows"
    );
}

#[test]
fn export_writes_every_row_as_json_csv_and_parquet() {
    let work = Work::new();
    let book = seed_book(&work);
    let rows = rows_of(&book);
    for ext in ["json", "csv", "parquet"] {
        work.run_status(&["export", "R6.xlsx", "-o", &format!("rows.{ext}")], 0);
    }
    // JSON: the objects are the rows, field by field
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path("rows.json")).unwrap()).unwrap();
    let records = json.as_array().unwrap();
    assert_eq!(records.len(), 66);
    // every key of a row as it serialises, plus its 達成率 and grade (tests/cli/exports.rs)
    let mut without_grades = json.clone();
    for record in without_grades.as_array_mut().unwrap() {
        let record = record.as_object_mut().unwrap();
        assert!(record.remove("achievement").is_some() && record.remove("grade").is_some());
    }
    assert_eq!(without_grades, serde_json::to_value(&rows).unwrap());
    let first = &records[0];
    assert_eq!(
        first["goal"],
        serde_json::json!({"no": "Ⅰ", "title": "地域を元気にするしごとづくり"})
    );
    assert_eq!(
        first["target"],
        serde_json::json!({"raw": "30", "kind": "number", "number": 30.0})
    );
    assert_eq!(first["kpi_index"], 1);
    assert_eq!(first["year"], "R6");
    // CSV: BOM, 66 records, raw and parsed values
    let bytes = std::fs::read(work.path("rows.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "BOM so Excel opens it as UTF-8"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 66);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(&rec[col("事務事業番号")], row.project_nos.join(" "));
        assert_eq!(&rec[col("実績値")], row.actual.raw);
        assert_eq!(&rec[col("事業概要")], row.summary);
        assert_eq!(
            rec[col("目標値（数値）")].parse::<f64>().ok(),
            row.target.number
        );
    }
    // Parquet: read back with polars
    use polars::prelude::*;
    let file = std::fs::File::open(work.path("rows.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    assert_eq!(df.height(), 66);
    let raws: Vec<String> = df
        .column("actual_raw")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect();
    assert_eq!(
        raws,
        rows.iter()
            .map(|r| r.actual.raw.clone())
            .collect::<Vec<_>>()
    );
    let numbers: Vec<Option<f64>> = df
        .column("target_number")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        numbers,
        rows.iter().map(|r| r.target.number).collect::<Vec<_>>()
    );
}

#[test]
fn demo_runs_the_cycle_and_says_where_it_wrote() {
    let work = Work::new();
    let (stdout, _) = work.run_status(&["demo", "-o", "out"], 0);
    for name in [
        "R6.xlsx",
        "R6.json",
        "R6.csv",
        "R6.parquet",
        "R7_returns",
        "R7.xlsx",
        "資料2-2_R7.xlsx",
    ] {
        assert!(work.path("out").join(name).exists(), "{name}");
        assert!(stdout.contains(name), "{stdout}");
    }
    // runs again over its own folder
    work.run_status(&["demo", "-o", "out"], 0);
    assert_eq!(rows_of(&work.path("out/R6.xlsx")).len(), 66);
    assert_eq!(
        rows_of(&work.path("out/資料2-2_R7.xlsx")).len(),
        67,
        "66 rows and the new project"
    );
}
