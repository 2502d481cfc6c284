//! The working book's 一覧 is made for work: a legend, one header row at the top
//! (frozen, filtered, printed on every page), the 基本目標 as section rows that do not
//! repeat the header, 新規 and 未提出 rows filled as well as worded; its lists wrap their
//! long texts. Read back from the sheet XML and with calamine.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kpiroll::profile::{Lang, Profile};

use crate::common::{cell_fill, r7_book, read_sheet, zip_member, SheetCells, Work};

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// The builtin layout's columns: 事務事業番号, 担当課, 備考, KPI.
const NOS: u32 = 6;
const DEPARTMENTS: u32 = 4;
const REMARKS: u32 = 12;
const KPI: u32 = 8;

/// Whether a 事務事業番号 cell starts with a key (`411-6`, `511-22他`, `652-6 432-10`).
fn is_key(text: &str) -> bool {
    let text = text.trim_end_matches(|c: char| !c.is_ascii_digit());
    let mut parts = text.split('-');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next())
}

/// The data rows of a sheet (rows whose 事務事業番号 is a key), with the section row
/// above each: (sheet row, section, the 13 texts).
fn data_rows(sheet: &SheetCells) -> Vec<(u32, String, Vec<String>)> {
    let mut out = Vec::new();
    let mut section = String::new();
    for r in 0..sheet.height {
        let first = sheet.text(r, 0);
        if first.starts_with("基本目標") && sheet.text(r, NOS).is_empty() {
            section = first;
            continue;
        }
        let nos = sheet.text(r, NOS);
        if nos.split([' ', '\n']).next().is_some_and(is_key) {
            let texts = (0..13).map(|c| sheet.text(r, c)).collect();
            out.push((r, section.clone(), texts));
        }
    }
    out
}

/// An A1 cell name (0-based row and column; columns A–Z).
fn a1(r: u32, c: u32) -> String {
    format!("{}{}", (b'A' + c as u8) as char, r + 1)
}

/// The R7 working book in `work`, its 一覧's cells and that sheet's XML.
fn r7_list(work: &Work) -> (PathBuf, SheetCells, String) {
    let book = r7_book(work);
    let sheet = read_sheet(&book, "一覧");
    let xml = zip_member(&book, SHEET);
    (book, sheet, xml)
}

/// The width of a `<col …>` element of the sheet XML (the text after `<col `).
fn col_width(col: &str) -> f64 {
    col.split("width=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn one_header_row_frozen_and_filtered_and_sections_without_headers() {
    let work = Work::new();
    let (book, sheet, xml) = r7_list(&work);

    // exactly one header row, the second; the legend above it
    let header_rows: Vec<u32> = (0..sheet.height)
        .filter(|r| sheet.text(*r, DEPARTMENTS) == "担当課")
        .collect();
    assert_eq!(header_rows, vec![2], "one header row, under the legend");
    assert_eq!(sheet.text(2, REMARKS), "備考");
    assert_eq!(sheet.text(2, 11), "R7実績値");
    assert_eq!(sheet.text(0, 0), "凡例");

    // frozen below it, filtered from it to the last row, printed on every page
    assert!(
        xml.contains(r#"ySplit="3""#)
            && xml.contains(r#"topLeftCell="A4""#)
            && xml.contains(r#"state="frozen""#),
        "pane frozen below the header: {}",
        &xml[xml.find("<sheetView").unwrap()..][..300]
    );
    let last = sheet.height;
    assert!(
        xml.contains(&format!(r#"<autoFilter ref="A3:M{last}"/>"#)),
        "autofilter over the table: {}",
        xml.split("<autoFilter").nth(1).unwrap_or("none")
    );
    let workbook = zip_member(&book, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="_xlnm.Print_Titles" localSheetId="0">一覧!$3:$3<"#),
        "print titles: the header row: {workbook}"
    );
    assert!(
        workbook
            .contains(r#"name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">一覧!$A$3:$M$"#),
        "the filter's range named: {workbook}"
    );
    // the titles printed in the page header
    assert!(
        xml.contains("<oddHeader>&amp;C【資料 2 -2】"),
        "page header"
    );

    // every section row is followed by data, never by a header
    let rows = data_rows(&sheet);
    assert_eq!(rows.len(), 67);
    for r in 3..sheet.height {
        if sheet.text(r, 0).starts_with("基本目標") && sheet.text(r, NOS).is_empty() {
            assert!(
                rows.iter().any(|(d, _, _)| *d == r + 1),
                "row {} after section {} is data",
                r + 2,
                r + 1
            );
        }
    }
    let section_rows = (0..sheet.height)
        .filter(|r| sheet.text(*r, 0).starts_with("基本目標") && sheet.text(*r, NOS).is_empty())
        .count();
    assert_eq!(section_rows, 3, "one section row per 基本目標");
    let sections: Vec<&String> = rows.iter().map(|(_, s, _)| s).collect();
    let mut distinct = sections.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "each 基本目標 once: {distinct:?}");
}

#[test]
fn new_and_not_returned_rows_are_filled_and_the_legend_names_the_fills() {
    let work = Work::new();
    let book = r7_book(&work);
    let sheet = read_sheet(&book, "一覧");
    let layout = Profile::builtin(Lang::Ja).layout.book;
    let words = [
        ("新規", &layout.new_fill),
        ("未提出", &layout.not_returned_fill),
    ];

    // the legend: each word in a cell of its fill
    for (word, fill) in words {
        let c = (0..13)
            .find(|c| sheet.text(0, *c).starts_with(word))
            .unwrap_or_else(|| panic!("legend names {word}"));
        assert_eq!(
            cell_fill(&book, SHEET, &a1(0, c)).as_deref(),
            Some(fill.as_str())
        );
    }
    let c = (0..13)
        .find(|c| sheet.text(0, *c).contains("前年度から"))
        .unwrap();
    assert_eq!(
        cell_fill(&book, SHEET, &a1(0, c)).as_deref(),
        Some(layout.changed_fill.as_str())
    );

    // a row's own cells are filled exactly when its 備考 carries the word
    let mut filled = BTreeMap::new();
    for (r, _, texts) in data_rows(&sheet) {
        let remarks = &texts[REMARKS as usize];
        let expected = words
            .iter()
            .find(|(w, _)| remarks.split_whitespace().any(|t| t == *w))
            .map(|(_, f)| f.to_string());
        for c in [KPI, 9, 10, 11, REMARKS] {
            let fill = cell_fill(&book, SHEET, &a1(r, c)).filter(|f| *f != layout.changed_fill);
            assert_eq!(fill, expected, "{} ({remarks})", a1(r, c));
        }
        if let Some(fill) = expected {
            filled.insert(texts[NOS as usize].clone(), fill);
        }
    }
    assert_eq!(
        filled,
        BTreeMap::from([
            ("342-25".to_string(), layout.new_fill.clone()),
            ("571-16".to_string(), layout.not_returned_fill.clone())
        ]),
        "the fixture's one new and one missing row"
    );
}

#[test]
fn the_working_table_holds_the_same_rows_as_the_printed_one() {
    let work = Work::new();
    let book = r7_book(&work);
    work.run_status(&["handout", "R7.xlsx", "-o", "h.xlsx"], 0);
    let working = data_rows(&read_sheet(&book, "一覧"));
    let printed = data_rows(&read_sheet(&work.path("h.xlsx"), "一覧"));
    let strip = |rows: Vec<(u32, String, Vec<String>)>| -> Vec<(String, Vec<String>)> {
        rows.into_iter().map(|(_, s, t)| (s, t)).collect()
    };
    let (working, printed) = (strip(working), strip(printed));
    assert_eq!(working.len(), printed.len());
    for (w, p) in working.iter().zip(&printed) {
        assert_eq!(w, p, "every field of every row");
    }
}

#[test]
fn common_department_names_fit_their_column() {
    let work = Work::new();
    let (_, sheet, xml) = r7_list(&work);
    let col = xml
        .split("<col ")
        .find(|c| c.starts_with(&format!(r#"min="{0}" max="{0}""#, DEPARTMENTS + 1)))
        .expect("担当課's width");
    let width = col_width(col);
    let units = |t: &str| -> f64 {
        t.chars()
            .map(|c| if (c as u32) < 0x2E80 { 1.0 } else { 2.0 })
            .sum()
    };
    let mut names: Vec<String> = data_rows(&sheet)
        .into_iter()
        .flat_map(|(_, _, t)| {
            t[DEPARTMENTS as usize]
                .split('\n')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    let short: Vec<&String> = names.iter().filter(|n| n.chars().count() <= 10).collect();
    assert!(short.len() >= 20, "{names:?}");
    for name in short {
        assert!(units(name) + 1.0 <= width, "{name} fits in {width}");
    }
}

#[test]
fn the_changes_sheet_wraps_long_texts_in_tall_rows() {
    let work = Work::new();
    let book = r7_book(&work);
    let sheet = read_sheet(&book, "変更点");
    let xml = zip_member(&book, "xl/worksheets/sheet2.xml");
    let widths: Vec<f64> = xml.split("<col ").skip(1).map(col_width).collect();
    assert!(widths.iter().all(|w| *w <= 41.0), "{widths:?}");
    let mut tall = 0;
    for r in 1..sheet.height {
        let longest = (0..widths.len() as u32)
            .map(|c| sheet.text(r, c).chars().count())
            .max()
            .unwrap();
        let row = xml
            .split("<row ")
            .find(|t| t.starts_with(&format!(r#"r="{}""#, r + 1)))
            .unwrap();
        if longest > 25 {
            // a long text: the row is as tall as its wrapped lines, its cell wraps
            let ht: f64 = row
                .split("ht=\"")
                .nth(1)
                .expect("a set height")
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                ht >= 29.0,
                "row {} holds {longest} characters in {ht}pt",
                r + 1
            );
            tall += 1;
        }
    }
    assert!(tall >= 1, "the fixture's 事業概要 change is long");
    let styles = zip_member(&book, "xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#));
    assert!(xml.contains(r#"state="frozen""#) && xml.contains("<autoFilter"));
}
