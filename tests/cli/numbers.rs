//! Numbers as the department meant them: the book writes the number a cell stored (a
//! formula's cached value, every digit) in a format that shows what the cell showed;
//! a percentage where 単位 is % on the column's scale; full-width numerals as numbers.
//! Every return is written here, the book read back with calamine (values) and its
//! styles (number format codes), and by kpiroll (what each cell shows).

use calamine::Data;
use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::Value as Json;

use crate::common::{
    a1, consolidate_over, edit_part, read_sheet, write_strings, Work, PROJECT_KPI_R7, R7_FORMS,
};

/// A value cell of the return.
enum Cell {
    Text(&'static str),
    Number(f64, &'static str),
    Formula(&'static str, f64, &'static str),
}

/// A book cell: its value (calamine) and its number format code.
type BookCell = (Data, String);

/// One row of the return: key, 単位, 目標値, 実績値.
type Line = (&'static str, &'static str, Cell, Cell);

fn write_return(path: &std::path::Path, rows: &[Line]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("入力").unwrap();
    let headers = [&PROJECT_KPI_R7[..], &["備考"]].concat();
    write_strings(ws, 0, &headers);
    for (i, (key, unit, target, actual)) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, "産学振興課").unwrap();
        ws.write_string(r, 1, format!("事業{key}")).unwrap();
        ws.write_string(r, 2, *key).unwrap();
        ws.write_string(r, 3, format!("指標{key}")).unwrap();
        ws.write_string(r, 4, *unit).unwrap();
        for (c, cell) in [(5u16, target), (6, actual)] {
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                Cell::Number(x, code) => {
                    let f = Format::new().set_num_format(*code);
                    ws.write_number_with_format(r, c, *x, &f).unwrap();
                }
                Cell::Formula(f, result, code) => {
                    let format = Format::new().set_num_format(*code);
                    let formula = Formula::new(*f).set_result(result.to_string());
                    ws.write_formula_with_format(r, c, formula, &format)
                        .unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

/// The book's (value, number format) of the 目標値 and 実績値 of the row of `key`.
fn book_values(sheet: &crate::common::SheetCells, key: &str) -> (BookCell, BookCell) {
    let r = (0..sheet.height)
        .find(|r| sheet.text(*r, 6) == key)
        .unwrap_or_else(|| panic!("{key} in the book"));
    let cell = |c: u32| {
        (
            sheet.values.get(&(r, c)).cloned().unwrap_or(Data::Empty),
            sheet.formats.get(&(r, c)).cloned().unwrap_or_default(),
        )
    };
    (cell(10), cell(11))
}

fn exported(work: &Work, book: &str, out: &str) -> Vec<Json> {
    work.run_status(&["export", book, "-o", out], 0);
    serde_json::from_str(&std::fs::read_to_string(work.path(out)).unwrap()).unwrap()
}

fn shown<'a>(rows: &'a [Json], key: &str) -> (&'a str, &'a str) {
    let r = rows
        .iter()
        .find(|r| r["project_nos"][0] == key)
        .unwrap_or_else(|| panic!("{key} exported"));
    (
        r["target"]["raw"].as_str().unwrap(),
        r["actual"]["raw"].as_str().unwrap(),
    )
}

#[test]
fn the_book_writes_the_stored_number_in_a_format_showing_what_the_cell_showed() {
    let work = Work::new();
    let exact = 800.0 / 7.0; // 114.28571428571428
    let rows: Vec<Line> = vec![
        // a formula's cached value in a `0.0` cell
        (
            "411-6",
            "件",
            Cell::Number(100.0, "General"),
            Cell::Formula("=800/7", exact, "0.0"),
        ),
        // a value typed into a General cell (shows 114.2857143)
        (
            "411-7",
            "人",
            Cell::Number(100.0, "General"),
            Cell::Number(exact, "General"),
        ),
        // percent typed as text where 単位 is %, beside a target of 100
        (
            "411-8",
            "%",
            Cell::Number(100.0, "General"),
            Cell::Text("97.5%"),
        ),
        // a stored fraction in a % cell where 単位 is %
        (
            "411-9",
            "％",
            Cell::Number(100.0, "General"),
            Cell::Number(0.975, "0.0%"),
        ),
        // full-width numerals typed as text, beside half-width numbers
        (
            "411-10",
            "件",
            Cell::Text("１０，０００"),
            Cell::Text("２４，１０２"),
        ),
        (
            "411-11",
            "人",
            Cell::Number(5073.0, "General"),
            Cell::Text("７０"),
        ),
        // a percentage where 単位 is not %: Excel's fraction, as before
        (
            "411-12",
            "割合",
            Cell::Number(100.0, "0"),
            Cell::Text("96.4%"),
        ),
    ];
    write_return(&work.path("return.xlsx"), &rows);
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R7",
            "return.xlsx",
            "-o",
            "R7.xlsx",
        ],
        0,
    );

    let general = || "General".to_string();
    let want: Vec<(&str, BookCell, BookCell)> = vec![
        (
            "411-6",
            (Data::Float(100.0), general()),
            (Data::Float(exact), "0.0".into()),
        ),
        (
            "411-7",
            (Data::Float(100.0), general()),
            (Data::Float(exact), general()),
        ),
        (
            "411-8",
            (Data::Float(100.0), general()),
            (Data::Float(97.5), "0.0\"%\"".into()),
        ),
        (
            "411-9",
            (Data::Float(100.0), general()),
            (Data::Float(97.5), "0.0\"%\"".into()),
        ),
        (
            "411-10",
            (Data::Float(10000.0), "#,##0".into()),
            (Data::Float(24102.0), "#,##0".into()),
        ),
        (
            "411-11",
            (Data::Float(5073.0), general()),
            (Data::Float(70.0), general()),
        ),
        (
            "411-12",
            (Data::Float(100.0), general()),
            (Data::Float(0.964), "0.0%".into()),
        ),
    ];
    let sheet = read_sheet(&work.path("R7.xlsx"), "一覧");
    for (key, target, actual) in &want {
        assert_eq!(
            book_values(&sheet, key),
            (target.clone(), actual.clone()),
            "{key}"
        );
    }

    // what each cell shows, read back by kpiroll: what the department saw (half-width)
    let rows = exported(&work, "R7.xlsx", "R7.json");
    for (key, target, actual) in [
        ("411-6", "100", "114.3"),
        ("411-7", "100", "114.2857143"),
        ("411-8", "100", "97.5%"),
        ("411-9", "100", "97.5%"),
        ("411-10", "10,000", "24,102"),
        ("411-11", "5073", "70"),
        ("411-12", "100", "96.4%"),
    ] {
        assert_eq!(shown(&rows, key), (target, actual), "{key}");
    }

    // and the book consolidated again keeps every digit and every format
    work.run_status(
        &["consolidate", "--year", "R7", "R7.xlsx", "-o", "again.xlsx"],
        0,
    );
    let again = read_sheet(&work.path("again.xlsx"), "一覧");
    for (key, target, actual) in &want {
        assert_eq!(
            book_values(&again, key),
            (target.clone(), actual.clone()),
            "{key} again"
        );
    }
}

#[test]
fn an_empty_workbook_is_refused_naming_its_sheets() {
    let work = Work::new();
    let mut wb = Workbook::new();
    wb.add_worksheet();
    wb.save(work.path("empty.xlsx")).unwrap();
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("入力").unwrap();
    wb.add_worksheet().set_name("記入要領").unwrap();
    wb.save(work.path("two.xlsx")).unwrap();

    for (file, sheets) in [
        ("empty.xlsx", &["Sheet1"][..]),
        ("two.xlsx", &["入力", "記入要領"]),
    ] {
        let (_, stderr) = work.run_status(&["check", "--year", "R7", file], 1);
        for sheet in sheets {
            let line = format!(
                "{file}!{sheet}: 取り込めません: 文字の入ったセルがありません（空のファイルです）"
            );
            assert!(stderr.contains(&line), "{line}\n{stderr}");
        }
        let (_, stderr) = work.run_status(&["--lang", "en", "check", "--year", "R7", file], 1);
        let line = format!("{file}!{}: not taken: no cell has any text", sheets[0]);
        assert!(stderr.contains(&line), "{line}\n{stderr}");
    }
}

#[test]
fn a_value_typed_into_a_general_cell_of_a_rollover_form_is_written_whole() {
    let work = Work::new();
    crate::common::r6_book(&work);
    work.run_status(&R7_FORMS, 0);
    let form = work.path("forms/R7_都市計画課.xlsx");
    let sheet = read_sheet(&form, "入力");
    let (header, actual_col) = (0..sheet.height)
        .find_map(|r| {
            (0..30)
                .find(|c| sheet.text(r, *c) == "R7実績値")
                .map(|c| (r, c))
        })
        .expect("the form's R7実績値 column");
    let key_col = (0..30)
        .find(|c| sheet.text(header, *c) == "事務事業番号")
        .expect("the key column");
    let row = header + 1;
    let key = sheet.text(row, key_col);
    assert!(!key.is_empty(), "a project under the header");
    // the department types 800/7 into the blank General cell, as Excel stores it
    let at = a1(row, actual_col);
    let exact = 800.0 / 7.0;
    let filled = work.path("filled");
    std::fs::create_dir_all(&filled).unwrap();
    edit_part(
        &form,
        &filled.join("R7_都市計画課.xlsx"),
        "xl/worksheets/sheet1.xml",
        |x| {
            let start = x
                .find(&format!("<c r=\"{at}\""))
                .expect("the input cell is written");
            let open = start + x[start..].find('>').unwrap();
            let end = if x[..open].ends_with('/') {
                open + 1
            } else {
                open + x[open..].find("</c>").unwrap() + 4
            };
            let tag = &x[start..end];
            let style = tag
                .split(" s=\"")
                .nth(1)
                .map(|s| format!(" s=\"{}\"", &s[..s.find('"').unwrap()]))
                .unwrap_or_default();
            format!(
                "{}<c r=\"{at}\"{style}><v>{exact}</v></c>{}",
                &x[..start],
                &x[end..]
            )
        },
    );
    let typed = read_sheet(&filled.join("R7_都市計画課.xlsx"), "入力");
    assert_eq!(
        typed.values.get(&(row, actual_col)),
        Some(&Data::Float(exact))
    );
    assert_eq!(
        typed.formats[&(row, actual_col)],
        "General",
        "a General cell"
    );

    // every other 課 is 未提出: owed, not refused
    consolidate_over(&work, "R7", "R6.xlsx", "filled", "R7.xlsx", 0);
    let book = read_sheet(&work.path("R7.xlsx"), "一覧");
    let r = (0..book.height)
        .find(|r| book.text(*r, 6).split_whitespace().next() == Some(key.as_str()))
        .unwrap_or_else(|| panic!("{key} in the book"));
    assert_eq!(
        book.values.get(&(r, 11)),
        Some(&Data::Float(exact)),
        "{key}"
    );
    assert_eq!(book.formats[&(r, 11)], "General", "{key}");
    let rows = exported(&work, "R7.xlsx", "R7.json");
    let shown = rows
        .iter()
        .find(|x| x["project_nos"][0] == key.as_str() && x["kpi_index"] == 1)
        .map(|x| x["actual"]["raw"].as_str().unwrap().to_string());
    assert_eq!(shown.as_deref(), Some("114.2857143"), "{key}");
}
