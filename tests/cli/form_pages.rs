//! A form a department reads at a glance: last year's 実績値 right beside this year's
//! input, 記入要領 on one printed page, the due date in the era with its weekday (the
//! second city's templates too). Read back with calamine, from the sheet XML and, where
//! LibreOffice is installed, from the PDF it prints.

use crate::common::{
    installed, pdf_page, r7_book, read_sheet, soffice_pdf, zip_member, Work, R7_FORMS,
};

const CITY2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/city2");

#[test]
fn last_years_actual_sits_beside_this_years_input_for_every_row() {
    let work = Work::new();
    r7_book(&work);
    let prev = crate::common::read_sheet(&work.path("R7.xlsx"), "一覧");
    work.run_status(&["rollover", "R7.xlsx", "--year", "R8", "-o", "forms"], 0);
    // last year's 実績値 of each key, from the book
    let mut last_year = std::collections::BTreeMap::new();
    for r in 0..prev.height {
        let key = prev.text(r, 6);
        if key.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            last_year
                .entry(key)
                .or_insert_with(Vec::new)
                .push(prev.text(r, 11));
        }
    }
    let mut seen = 0;
    for entry in std::fs::read_dir(work.path("forms")).unwrap() {
        let path = entry.unwrap().path();
        let sheet = read_sheet(&path, "入力");
        let headers: Vec<u32> = (0..sheet.height)
            .filter(|r| sheet.text(*r, 6) == "事務事業番号")
            .collect();
        assert!(!headers.is_empty());
        for h in &headers {
            assert_eq!(sheet.text(*h, 11), "R8実績値");
            assert_eq!(sheet.text(*h, 12), "R7実績値（参考）", "{}", path.display());
            assert_eq!(sheet.text(*h, 13), "備考");
        }
        let mut kpi = std::collections::BTreeMap::<String, usize>::new();
        for r in 0..sheet.height {
            let key = sheet.text(r, 6);
            if headers.contains(&r) || !key.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            let k = kpi.entry(key.clone()).or_default();
            let expected = &last_year[&key][*k];
            *k += 1;
            assert_eq!(&sheet.text(r, 12), expected, "{key} in {}", path.display());
            assert_eq!(sheet.text(r, 11), "", "this year's to fill");
            seen += 1;
        }
    }
    assert!(seen >= 67, "every row of the book in some form: {seen}");
}

/// The pages of a PDF, as text.
fn pdf_pages(work: &Work, book: &std::path::Path) -> Option<Vec<String>> {
    if !installed("soffice") || !installed("pdftotext") {
        eprintln!("!!! LibreOffice or poppler-utils not installed: the form's PDF NOT checked");
        return None;
    }
    let pdf = soffice_pdf(work, book);
    Some((1..).map_while(|page| pdf_page(&pdf, page)).collect())
}

#[test]
fn the_guide_is_one_printed_page_with_the_due_date_in_the_era() {
    let work = Work::new();
    r7_book(&work);
    work.run_status(
        &[
            "rollover",
            "R7.xlsx",
            "--year",
            "R8",
            "-o",
            "forms",
            "--due",
            "2026-05-29",
        ],
        0,
    );
    let form = work.path("forms/R8_産業イノベーション課.xlsx");
    let guide = read_sheet(&form, "記入要領");
    let lines: Vec<String> = (0..guide.height).map(|r| guide.text(r, 0)).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("提出期限: 令和8年5月29日（金）")),
        "{lines:?}"
    );
    // fitted to one page: A4 portrait, one page wide and tall
    let xml = zip_member(&form, "xl/worksheets/sheet2.xml");
    assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{xml}");
    assert!(
        xml.contains(r#"<pageSetup paperSize="9" orientation="portrait""#)
            || (xml.contains(r#"paperSize="9""#) && !xml.contains("landscape")),
        "{xml}"
    );
    assert!(!xml.contains(r#"fitToHeight="0""#), "one page tall: {xml}");
    let Some(pages) = pdf_pages(&work, &form) else {
        return;
    };
    let guide_pages: Vec<&String> = pages.iter().filter(|p| p.contains("記入要領")).collect();
    assert_eq!(guide_pages.len(), 1, "記入要領 on one page");
    // every line of the guide whole on the page: its start and its end (nothing cut
    // off at either edge)
    let page: String = guide_pages[0].split_whitespace().collect();
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let line: String = line.split_whitespace().collect();
        let chars: Vec<char> = line.chars().collect();
        let head: String = chars[..6.min(chars.len())].iter().collect();
        let tail: String = chars[chars.len().saturating_sub(6)..].iter().collect();
        assert!(
            page.contains(&head) && page.contains(&tail),
            "{line} on the page:\n{page}"
        );
    }
}

#[test]
fn the_second_citys_forms_state_the_due_date_in_the_era_too() {
    let work = Work::new();
    let t = format!("{CITY2}/templates");
    let r6 = format!("{CITY2}/R6/みなみ市_KPI評価シート_R6.xlsx");
    work.run_status(
        &[
            "--templates",
            &t,
            "consolidate",
            "--year",
            "R6",
            &r6,
            "-o",
            "R6.xlsx",
        ],
        0,
    );
    work.run_status(
        &[
            &["--templates", &t][..],
            &R7_FORMS,
            &["--due", "2025-05-30"],
        ]
        .concat(),
        0,
    );
    let form = std::fs::read_dir(work.path("forms"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let guide = read_sheet(&form, "記入要領");
    let lines: Vec<String> = (0..guide.height).map(|r| guide.text(r, 0)).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("提出期限: 令和7年5月30日（金）")),
        "{lines:?}"
    );
    // its layout shows last year's 実績値 in the table: no second copy beside it
    let sheet = read_sheet(&form, "入力");
    let texts: Vec<String> = (0..sheet.height)
        .flat_map(|r| (0..20).map(move |c| (r, c)))
        .map(|(r, c)| sheet.text(r, c))
        .collect();
    assert!(
        !texts.iter().any(|t| t.contains("実績値（参考）")),
        "no reference copy"
    );
}
