//! Rollover. The R6 book becomes one protected form per 担当課; the forms, filled
//! with another library the way a department would in Excel, consolidate back into
//! every row once with the typed actuals and no change flags.

use std::path::Path;

use calamine::{Reader, Xlsx};
use kpiroll::pipeline::read_book;
use kpiroll::profile::{Lang, Profile};

use crate::common::{consolidate_over, edit_part, zip_member, Work, R7_FORMS};

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

/// Last year's book R6.xlsx and this year's forms rolled over from it into `forms/`,
/// due 2026-05-31; what rollover printed.
fn r7_forms(work: &Work) -> String {
    crate::common::r6_book(work);
    let (stdout, _) = work.run_status(&[&R7_FORMS[..], &["--due", "2026-05-31"]].concat(), 0);
    stdout
}

const FILL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/fill_forms.py");

#[test]
fn forms_filled_by_another_library_come_back_as_every_row_with_no_flags() {
    let work = Work::new();
    let stdout = r7_forms(&work);
    let r6 = read_book(&work.path("R6.xlsx"), &profile())
        .unwrap()
        .merged
        .book
        .rows;
    let mut departments: Vec<&String> = r6.iter().flat_map(|r| &r.departments).collect();
    departments.sort();
    departments.dedup();
    let forms: Vec<_> = std::fs::read_dir(work.path("forms"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(forms.len(), departments.len(), "one form per 課: {stdout}");
    assert!(work.path("forms/R7_産学振興課.xlsx").is_file());

    // fill with openpyxl (.ci/run installs it)
    let out = std::process::Command::new("python3")
        .arg(FILL)
        .arg(work.path("forms"))
        .arg(work.path("filled"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "fill_forms.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (_, stderr) = consolidate_over(&work, "R7", "R6.xlsx", "filled", "R7.xlsx", 0);
    assert!(
        !stderr.contains("確認してください"),
        "no warnings: {stderr}"
    );
    let r7 = read_book(&work.path("R7.xlsx"), &profile())
        .unwrap()
        .merged
        .book
        .rows;
    assert_eq!(r7.len(), r6.len(), "every row once");
    for (a, b) in r6.iter().zip(&r7) {
        assert_eq!(a.key(), b.key(), "last year's order");
        assert!(
            b.flags.is_empty(),
            "{} no change flags: {:?}",
            b.key(),
            b.flags
        );
        let typed: u32 = b.project_nos[0].replace('-', "").parse::<u32>().unwrap() + b.kpi_index;
        assert_eq!(
            b.actual.raw,
            typed.to_string(),
            "{} the typed actual",
            b.key()
        );
        assert_eq!(b.actual.number, Some(f64::from(typed)));
        for (what, x, y) in [
            ("事業名", &a.project, &b.project),
            ("KPI", &a.kpi, &b.kpi),
            ("目標値", &a.target.raw, &b.target.raw),
        ] {
            assert_eq!(x, y, "{} {what}", b.key());
        }
        assert_eq!(a.departments, b.departments);
    }
}

#[test]
fn a_form_is_protected_validated_guided_and_fingerprinted() {
    let work = Work::new();
    r7_forms(&work);
    let form = work.path("forms/R7_都市計画課.xlsx");
    let sheet = zip_member(&form, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "input sheet protected");
    assert!(sheet.contains("<dataValidations"), "validations");
    assert!(
        sheet.contains("ISNUMBER("),
        "実績値: a number or an accepted word"
    );
    assert!(sheet.contains("【事業休止】"), "備考 offers 【事業休止】");
    assert!(
        sheet.contains("promptTitle=\"実績値\""),
        "input message in Japanese"
    );
    let workbook = zip_member(&form, "xl/workbook.xml");
    assert!(
        workbook.contains("kpiroll_department") && workbook.contains("都市計画課"),
        "fingerprint 課"
    );
    assert!(
        workbook.contains(r#"<definedName name="kpiroll_year">"R7"</definedName>"#),
        "fingerprint year"
    );
    assert!(
        workbook.contains("kpiroll_source"),
        "fingerprint source hash"
    );

    let mut wb: Xlsx<_> = calamine::open_workbook(&form).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["入力".to_string(), "記入要領".to_string()]
    );
    let range = wb.worksheet_range("入力").unwrap();
    let (r0, c0) = range.start().unwrap();
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let header = (r0..=range.end().unwrap().0)
        .find(|r| cell(*r, 6) == "事務事業番号")
        .unwrap();
    assert_eq!(cell(header, 11), "R7実績値");
    assert_eq!(
        cell(header, 12),
        "R6実績値（参考）",
        "beside this year's, before 備考"
    );
    assert_eq!(cell(header, 13), "備考");
    let joint = (header..=range.end().unwrap().0)
        .find(|r| cell(*r, 6).starts_with("652-6"))
        .unwrap();
    assert_eq!(cell(joint, 14), "共同事業（主担当: 産学振興課）");
    assert_eq!(cell(joint, 12), "174", "last year's 実績値 beside");
    assert_eq!(cell(joint, 11), "", "this year's to fill");
    let _ = c0;
    let styles = wb.worksheet_style("入力").unwrap();
    let locked = |r: u32, c: u32| {
        styles
            .get((r, c))
            .and_then(|s| s.protection.as_ref())
            .is_none_or(|p| p.locked)
    };
    assert!(!locked(joint, 11), "実績値 unlocked");
    assert!(!locked(joint, 13), "備考 unlocked");
    assert!(locked(joint, 12), "last year's 実績値 locked");
    assert!(locked(joint, 10), "目標値 locked");
    assert!(locked(joint, 6), "事務事業番号 locked");
    let last_key = (header..=range.end().unwrap().0)
        .filter(|r| !cell(*r, 6).is_empty())
        .max()
        .unwrap();
    assert!(
        !locked(last_key + 1, 6),
        "a blank row for a new project is open"
    );
    assert!(!locked(last_key + 3, 9), "three of them");
    let guide = wb.worksheet_range("記入要領").unwrap();
    let text: String = guide
        .used_cells()
        .map(|(_, _, d)| d.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("令和7年度"), "{text}");
    // the due date in the era with its weekday; without a kpiroll.toml, form.toml's 問い合わせ先
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&"7. 提出期限: 令和8年5月31日（日）"),
        "{text}"
    );
    assert!(lines.contains(&"8. 問い合わせ先: 企画政策室"), "{text}");
    // joint keys on one line in the key cell
    assert_eq!(cell(joint, 6), "652-6 432-10");
}

#[test]
fn hostile_department_names_never_leave_the_folder() {
    let work = Work::new();
    let header = "数値目標\t\t\tKPI\t担当課\t事業名\t事務事業番号\t事業概要\tKPI\t単位\t目標値\tR6実績値\t備考";
    let mut text = format!("基本目標Ⅰ しごと\n{header}\n");
    for (i, dept) in ["../x", "a/b", "CON", "..\\..\\evil", "普通課"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!(
            "目標\t①\t①施策\t指標\t{dept}\t事業{i}\t411-{i}\t概要\t件数\t件\t1\t1\t\n"
        ));
    }
    std::fs::write(work.path("hostile.tsv"), text).unwrap();
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "hostile.tsv",
            "-o",
            "R6.xlsx",
        ],
        0,
    );
    std::fs::create_dir_all(work.path("out/forms")).unwrap();
    work.run_status(
        &["rollover", "R6.xlsx", "--year", "R7", "-o", "out/forms"],
        0,
    );
    let mut names: Vec<String> = std::fs::read_dir(work.path("out/forms"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "R7_.._.._evil.xlsx".replace("..", "_"),
            "R7___x.xlsx".into(),
            "R7__CON.xlsx".into(),
            "R7_a_b.xlsx".into(),
            "R7_普通課.xlsx".into()
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read_dir(work.path("out")).unwrap().count(),
        1,
        "nothing beside the forms folder"
    );
    for n in &names {
        assert!(
            Path::new(n).components().count() == 1,
            "{n} is a plain file name"
        );
    }
}

#[test]
fn consolidate_reads_the_fingerprint_of_a_form() {
    let work = Work::new();
    crate::common::r6_book(&work);
    work.run_status(&R7_FORMS, 0);
    // a form of another year is refused before its cells are read
    let (_, stderr) = work.run_status(&["check", "--year", "R8", "forms/R7_都市計画課.xlsx"], 1);
    assert!(stderr.contains("R7_都市計画課.xlsx: 取り込めません: R7 年度の様式です。R8 年度の様式に記入し直してください"), "{stderr}");
    // a form made for one 課 holding another's rows is noted
    edit_part(
        &work.path("forms/R7_都市計画課.xlsx"),
        &work.path("swapped.xlsx"),
        "xl/workbook.xml",
        |x| x.replace(">\"都市計画課\"<", ">\"文化課\"<"),
    );
    let (_, stderr) = work.run_status(&["check", "--year", "R7", "swapped.xlsx"], 0);
    assert!(
        stderr.contains(
            "swapped.xlsx: 確認してください: 文化課 用の様式ですが、文化課 の行がありません"
        ),
        "{stderr}"
    );
    // the log tells forms from hand-made tables
    consolidate_over(&work, "R7", "R6.xlsx", "forms", "R7.xlsx", 0);
    let log = crate::common::read_sheet(&work.path("R7.xlsx"), "取込ログ");
    let line = (1..log.height)
        .find(|r| log.text(*r, 0) == "R7_都市計画課.xlsx" && log.text(*r, 5) == "様式")
        .expect("form line");
    assert!(
        log.text(line, 6)
            .starts_with("都市計画課 用 R7 年度の様式（元のブック "),
        "{}",
        log.text(line, 6)
    );
}

/// The 入力 sheet of a form: (header row, the rows with a key in column G).
fn form_rows(form: &Path) -> (crate::common::SheetCells, u32, Vec<u32>) {
    let sheet = crate::common::read_sheet(form, "入力");
    let header = (0..sheet.height)
        .find(|r| sheet.text(*r, 6) == "事務事業番号")
        .expect("form header");
    let keyed: Vec<u32> = (header + 1..sheet.height)
        .filter(|r| {
            sheet
                .text(*r, 6)
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    (sheet, header, keyed)
}

/// After a 組織改正, the renamed 課's form names it by its new name, in its locked 担当課
/// cells and as 主担当 of a joint project in the other 課's form.
#[test]
fn forms_after_a_rename_show_the_new_name() {
    let work = Work::new();
    crate::common::r6_book(&work);
    work.run_status(
        &[
            "rollover",
            "R6.xlsx",
            "--year",
            "R7",
            "--renames",
            crate::common::RENAMES,
            "-o",
            "forms",
        ],
        0,
    );
    assert!(!work.path("forms/R7_産学振興課.xlsx").exists());
    let (sheet, _, keyed) = form_rows(&work.path("forms/R7_産業イノベーション課.xlsx"));
    let r6 = read_book(&work.path("R6.xlsx"), &profile())
        .unwrap()
        .merged
        .book
        .rows;
    let owed: Vec<&String> = r6
        .iter()
        .filter(|r| r.departments.iter().any(|d| d == "産学振興課"))
        .map(|r| &r.project_nos[0])
        .collect();
    assert_eq!(keyed.len(), owed.len(), "every row of the old 課");
    for r in &keyed {
        let departments = sheet.text(*r, 4);
        assert!(
            departments.split(' ').any(|d| d == "産業イノベーション課")
                && !departments.contains("産学振興課"),
            "{}: {departments}",
            sheet.text(*r, 6)
        );
    }
    let joint = keyed
        .iter()
        .find(|r| sheet.text(**r, 6).starts_with("652-6"))
        .unwrap();
    assert_eq!(sheet.text(*joint, 4), "産業イノベーション課 都市計画課");
    assert_eq!(
        sheet.text(*joint, 14),
        "共同事業（主担当: 産業イノベーション課）"
    );
    let (other, _, keyed) = form_rows(&work.path("forms/R7_都市計画課.xlsx"));
    let joint = keyed
        .iter()
        .find(|r| other.text(**r, 6).starts_with("652-6"))
        .unwrap();
    assert_eq!(other.text(*joint, 4), "産業イノベーション課 都市計画課");
    assert_eq!(
        other.text(*joint, 14),
        "共同事業（主担当: 産業イノベーション課）"
    );
    // the forms read back without a word about their 課
    let (_, stderr) = work.run_status(&["check", "--year", "R7", "forms"], 0);
    assert!(!stderr.contains("確認してください"), "{stderr}");
}

/// Last year's 備考 (a 【事業休止】 and its reason, or free text) is shown beside the input
/// for reference; this year's 備考 starts blank.
#[test]
fn last_years_remarks_are_a_reference_not_this_years_input() {
    let work = Work::new();
    crate::common::r7_book(&work);
    work.run_status(&["rollover", "R7.xlsx", "--year", "R8", "-o", "forms"], 0);
    for (form, key, last_year) in [
        (
            "R8_生涯学習課.xlsx",
            "543-36",
            "【事業休止】 令和7年度は設計見直しのため休止",
        ),
        ("R8_学校教育課.xlsx", "521-11", "指標の定義を見直し"),
    ] {
        let path = work.path("forms").join(form);
        let (sheet, header, keyed) = form_rows(&path);
        assert_eq!(sheet.text(header, 13), "備考");
        assert_eq!(sheet.text(header, 15), "R7備考（参考）");
        let r = *keyed
            .iter()
            .find(|r| sheet.text(**r, 6) == key)
            .unwrap_or_else(|| panic!("{key} in {form}"));
        assert_eq!(sheet.text(r, 13), "", "{key}: this year's 備考 to fill");
        assert_eq!(sheet.text(r, 15), last_year, "{key}: last year's beside");
        let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let styles = wb.worksheet_style("入力").unwrap();
        let locked = |c: u32| {
            styles
                .get((r, c))
                .and_then(|s| s.protection.as_ref())
                .is_none_or(|p| p.locked)
        };
        assert!(!locked(13), "備考 open");
        assert!(locked(15), "the reference locked");
    }
    // the reference column is read past without a word; the forms come back with no
    // flag of last year's
    let (_, stderr) = work.run_status(&["check", "--year", "R8", "forms"], 0);
    assert!(!stderr.contains("様式にない列"), "{stderr}");
    consolidate_over(&work, "R8", "R7.xlsx", "forms", "R8.xlsx", 0);
    let r8 = read_book(&work.path("R8.xlsx"), &profile())
        .unwrap()
        .merged
        .book
        .rows;
    let row = r8.iter().find(|r| r.project_nos[0] == "543-36").unwrap();
    assert!(row.flags.is_empty(), "{:?}", row.flags);
    assert_eq!(row.remarks, "");
}
