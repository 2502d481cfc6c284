//! The handout prints like the city's book: every page starts with its 基本目標's
//! section row and the header, and no page ends or starts with a single row of a 施策
//! that goes on over the page (its merged text would be clipped to one row). Read from
//! the sheet XML (page breaks, merges) and, where LibreOffice is installed, from the PDF
//! it prints.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{installed, pdf_page, r7_book, read_sheet, soffice_pdf, zip_member, Work};

/// The builtin layout's columns: 施策, 事務事業番号.
const MEASURE: u32 = 2;
const NOS: u32 = 6;

/// A book of one 基本目標 whose 施策 have one to four projects of short and long
/// texts: enough pages that some 施策 go on over a page.
fn varied_book(work: &Work) -> std::path::PathBuf {
    let mut csv = String::from("基本目標Ⅰ 試しの目標\n");
    csv.push_str(
        "数値目標,,,KPI,担当課,事業名,事務事業番号,事業概要,KPI,単位,目標値,R6実績値,備考\n",
    );
    let mut n = 100;
    for m in 1..=30 {
        let projects = [1, 2, 3, 2, 4, 1, 3][m % 7];
        let name = format!(
            "施策{m}　{}",
            "地域の産業と暮らしを支えるしくみづくり".repeat(2)
        );
        for p in 0..projects {
            n += 1;
            let summary = "事業の概要を説明する文章です。".repeat([1, 2, 4, 6][(m + p) % 4]);
            let no = if m < 16 { "①" } else { "②" };
            writeln!(
                csv,
                "市内事業所数,{no},{name},施策KPI{m},商工観光課,事業{n},{n}-1,{summary},指標{n},件,10,5,"
            )
            .unwrap();
        }
    }
    std::fs::write(work.path("varied.csv"), csv).unwrap();
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "varied.csv",
            "-o",
            "varied.xlsx",
        ],
        0,
    );
    work.run_status(&["handout", "varied.xlsx", "-o", "handout.xlsx"], 0);
    work.path("handout.xlsx")
}

/// The rows that start a page after the first (the sheet's manual page breaks).
fn page_starts(handout: &Path) -> Vec<u32> {
    let xml = zip_member(handout, "xl/worksheets/sheet1.xml");
    xml.split("<brk id=\"")
        .skip(1)
        .map(|b| b[..b.find('"').unwrap()].parse::<u32>().unwrap())
        .collect()
}

/// Checks the pages of a handout as its sheet lays them out; returns how many pages.
fn check_pages(handout: &Path) -> usize {
    let sheet = read_sheet(handout, "一覧");
    let starts = page_starts(handout);
    assert!(!starts.is_empty(), "more than one page");
    let mut bounds = vec![0];
    bounds.extend(&starts);
    bounds.push(sheet.height);
    let is_data = |r: u32| {
        let nos = sheet.text(r, NOS);
        nos.contains('-') && nos.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    // the rows each page holds of the table, and whether its 施策 cell is merged there
    let mut pages: Vec<Vec<u32>> = Vec::new();
    for (k, w) in bounds.windows(2).enumerate() {
        let (from, to) = (w[0], w[1]);
        let mut r = from;
        if k == 0 {
            while r < to && !sheet.text(r, 0).starts_with("基本目標") {
                r += 1; // the titles
            }
        }
        assert!(
            sheet.text(r, 0).starts_with("基本目標"),
            "page {} starts with its section row, not {:?}",
            k + 1,
            sheet.text(r, 0)
        );
        assert_eq!(
            sheet.text(r + 1, 0),
            "数値目標",
            "page {} then the header",
            k + 1
        );
        assert_eq!(sheet.text(r + 1, 4), "担当課");
        pages.push((r + 2..to).filter(|r| is_data(*r)).collect());
    }
    // a piece of a 施策 on a page: the rows of one run of its merged cell
    let merged_rows = |r: u32| -> u32 {
        sheet
            .merges
            .iter()
            .find(|(s, e)| s.1 == MEASURE && e.1 == MEASURE && s.0 <= r && r <= e.0)
            .map_or(1, |(s, e)| e.0 - s.0 + 1)
    };
    let mut split = 0;
    for k in 1..pages.len() {
        let (Some(&end), Some(&start)) = (pages[k - 1].last(), pages[k].first()) else {
            continue;
        };
        if sheet.text(end, MEASURE) != sheet.text(start, MEASURE)
            || sheet.text(end, 1) != sheet.text(start, 1)
        {
            continue; // the page ends between 施策
        }
        split += 1;
        assert!(
            merged_rows(end) > 1,
            "page {} ends with one row of {:?}, which goes on over the page",
            k,
            sheet.text(end, MEASURE)
        );
        assert!(
            merged_rows(start) > 1,
            "page {} starts with one row of {:?}, begun on the page before",
            k + 1,
            sheet.text(start, MEASURE)
        );
    }
    eprintln!("{} pages, {split} 施策 go on over a page", pages.len());
    pages.len()
}

/// The handout printed by LibreOffice: as many pages as the sheet lays out (so its
/// page breaks are the only ones), each starting with a section row and the header.
fn check_pdf(work: &Work, handout: &Path, pages: usize) {
    if !installed("soffice") || !installed("pdftotext") {
        eprintln!(
            "!!! LibreOffice or poppler-utils not installed: the handout's PDF pages NOT checked"
        );
        return;
    }
    let pdf = soffice_pdf(work, handout);
    let mut page = 1;
    // to the last page
    while let Some(text) = pdf_page(&pdf, page) {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('【') && !l.starts_with("第2次"))
            .collect();
        assert!(
            lines.first().is_some_and(|l| l.starts_with("基本目標")),
            "PDF page {page} starts with a section row: {:?}",
            lines.first()
        );
        assert!(
            lines
                .get(1)
                .is_some_and(|l| l.starts_with("数値目標") && l.contains("担当課")),
            "PDF page {page} then the header: {:?}",
            lines.get(1)
        );
        page += 1;
    }
    assert_eq!(
        page - 1,
        pages,
        "LibreOffice breaks the pages where the sheet does"
    );
}

#[test]
fn no_page_of_the_handout_holds_one_stray_row_of_a_measure() {
    let work = Work::new();
    let handout = varied_book(&work);
    let pages = check_pages(&handout);
    assert!(pages >= 5, "{pages} pages");
    check_pdf(&work, &handout, pages);
}

#[test]
fn every_page_of_the_r7_handout_starts_with_its_section_and_the_header() {
    let work = Work::new();
    r7_book(&work);
    work.run_status(&["handout", "R7.xlsx", "-o", "h7.xlsx"], 0);
    let handout = work.path("h7.xlsx");
    let pages = check_pages(&handout);
    check_pdf(&work, &handout, pages);
}
