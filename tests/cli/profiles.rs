//! Another city by its profile, as a new user writes one from `templates init`: every
//! option is in the init copy (commented out, with an example that checks clean), the
//! patterns match a cell as written or after NFKC, year placeholders in 令和 form are
//! filled (or refused by `templates check`), the header can stand once at the top with
//! print titles, and a field the city has no column for is absent from exports.

use rust_xlsxwriter::Workbook;
use serde_json::Value as Json;

use crate::common::{read_sheet, write_strings, zip_member, Work, PROJECT_KPI_R7, SEED};

/// The options another city needs, each with the file it belongs in.
const OPTIONS: [(&str, &str); 14] = [
    ("aliases.toml", "rows"),
    ("aliases.toml", "skip_sheets"),
    ("patterns.toml", "targets"),
    ("patterns.toml", "targets_split"),
    ("patterns.toml", "combined"),
    ("patterns.toml", "split"),
    ("layout.toml", "targets_row"),
    ("layout.toml", "targets_join"),
    ("layout.toml", "header_once"),
    ("layout.toml", "format"),
    ("layout.toml", "over"),
    ("layout.toml", "sub"),
    ("layout.toml", "name"),
    ("layout.toml", "aliases"),
];

#[test]
fn the_init_copy_holds_every_option_commented_out_and_each_example_checks_clean() {
    let work = Work::new();
    work.run_status(&["templates", "init", "mine"], 0);
    for (file, key) in OPTIONS {
        let text = std::fs::read_to_string(work.path(&format!("mine/{file}"))).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with(&format!("# {key} = "))),
            "{file} shows `{key}` commented out with an example"
        );
    }
    let layout = std::fs::read_to_string(work.path("mine/layout.toml")).unwrap();
    assert!(layout.contains("# field = \"extra\""), "an extra column");

    // every one-line example, uncommented, is a profile `templates check` accepts
    for file in ["aliases.toml", "patterns.toml", "layout.toml"] {
        let path = work.path(&format!("mine/{file}"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        let mut in_example_column = false;
        for line in text.lines() {
            if line == "# [[columns]]" {
                in_example_column = true;
            } else if !line.starts_with("# ") {
                in_example_column = false;
            }
            let key = line
                .strip_prefix("# ")
                .and_then(|l| l.split_once(" = "))
                .map(|(k, _)| k);
            match key {
                Some(k) if !in_example_column && OPTIONS.iter().any(|(_, o)| *o == k) => {
                    out.push_str(&line[2..]);
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
    }
    let (stdout, _) = work.run_status(&["templates", "check", "mine"], 0);
    assert_eq!(stdout, "", "the examples together check clean");
    // and the seed goes through it: the book has the one-cell 施策 and the print titles
    consolidate_with(&work, "mine", "R6", SEED, "R6.xlsx");
    let workbook = zip_member(&work.path("R6.xlsx"), "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
}

/// `kpiroll --templates PROFILE consolidate --year YEAR INPUT -o OUT` in `work`, taken whole.
fn consolidate_with(work: &Work, profile: &str, year: &str, input: &str, out: &str) {
    work.run_status(
        &[
            "--templates",
            profile,
            "consolidate",
            "--year",
            year,
            input,
            "-o",
            out,
        ],
        0,
    );
}

/// A profile folder: the built-in files with `edit` applied to one of them.
fn profile_with(work: &Work, name: &str, file: &str, edit: impl Fn(String) -> String) -> String {
    let dir = work.path(name);
    if !dir.exists() {
        work.run_status(&["templates", "init", name], 0);
    }
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
    name.to_string()
}

#[test]
fn patterns_match_a_cell_as_written_or_after_nfkc() {
    let work = Work::new();
    // written for half-width text: `(1)` and a sheet called Cover
    let p = profile_with(&work, "nfkc", "patterns.toml", |t| {
        t.replacen(
            "[measure]\n",
            "[measure]\ncombined = '^\\((?P<no>[0-9]+)\\)\\s*(?P<name>.+)$'\n",
            1,
        )
    });
    profile_with(&work, "nfkc", "aliases.toml", |t| {
        t.replace(
            "min_matches = 4\n",
            "min_matches = 4\nskip_sheets = ['^Cover$']\n",
        )
    });
    work.run_status(&["templates", "check", &p], 0);

    let mut wb = Workbook::new();
    let headers = [&["施策"][..], &PROJECT_KPI_R7].concat();
    // a cover sheet named in full-width letters, with an example table that is no return
    for (sheet, rows) in [
        (
            "Ｃｏｖｅｒ",
            vec![[
                "（９）記入例",
                "例課",
                "例事業",
                "999-1",
                "例",
                "件",
                "1",
                "1",
            ]],
        ),
        (
            "入力",
            vec![
                [
                    "（１）創業の支援",
                    "産学振興課",
                    "創業支援事業",
                    "411-6",
                    "相談件数",
                    "件",
                    "100",
                    "90",
                ],
                [
                    "（２）雇用の確保",
                    "商工観光課",
                    "雇用促進事業",
                    "421-1",
                    "就職者数",
                    "人",
                    "50",
                    "40",
                ],
            ],
        ),
    ] {
        let ws = wb.add_worksheet().set_name(sheet).unwrap();
        write_strings(ws, 0, &headers);
        for (r, row) in rows.iter().enumerate() {
            write_strings(ws, 1 + r as u32, row);
        }
    }
    wb.save(work.path("return.xlsx")).unwrap();
    consolidate_with(&work, &p, "R7", "return.xlsx", "R7.xlsx");
    let sheet = read_sheet(&work.path("R7.xlsx"), "一覧");
    let row_of = |key: &str| (0..sheet.height).find(|r| sheet.text(*r, 6) == key);
    assert_eq!(
        row_of("999-1"),
        None,
        "the sheet Ｃｏｖｅｒ is skipped by ^Cover$"
    );
    for (key, no, name) in [("411-6", "1", "創業の支援"), ("421-1", "2", "雇用の確保")] {
        let r = row_of(key).unwrap_or_else(|| panic!("{key}"));
        assert_eq!(
            (sheet.text(r, 1), sheet.text(r, 2)),
            (no.to_string(), name.to_string()),
            "{key}: （１） matched by \\((?P<no>…)\\)"
        );
    }
}

#[test]
fn year_placeholders_in_reiwa_form_are_filled_and_unknown_ones_refused() {
    let work = Work::new();
    let p = profile_with(&work, "wareki", "layout.toml", |t| {
        t.replace(
            "\"第2次飯塚市まち・ひと・しごと創生総合戦略 具体的事業一覧（{wareki}）\"",
            "\"具体的事業一覧（{wareki-2}〜{wareki}）\"",
        )
        .replace("header = \"{year}実績値\"", "header = \"{wareki}実績値\"")
    });
    let (stdout, _) = work.run_status(&["templates", "check", &p], 0);
    assert_eq!(stdout, "");
    consolidate_with(&work, &p, "R6", SEED, "R6.xlsx");
    let sheet = read_sheet(&work.path("R6.xlsx"), "一覧");
    assert_eq!(sheet.text(1, 0), "具体的事業一覧（令和4年度〜令和6年度）");
    let header = (0..sheet.height)
        .find(|r| sheet.text(*r, 6) == "事務事業番号")
        .expect("a header row");
    assert_eq!(sheet.text(header, 11), "令和6年度実績値");
    // the book reads back with its 令和 header: every row taken
    let (stdout, _) = work.run_status(&["--templates", &p, "check", "R6.xlsx"], 0);
    assert!(stdout.contains("年度 R6"), "{stdout}");

    // a hole kpiroll does not fill is refused at its place, not printed as it is
    let bad = profile_with(&work, "bad", "layout.toml", |t| {
        t.replace("（{wareki}）", "（{nendo}）")
    });
    let text = std::fs::read_to_string(work.path("bad/layout.toml")).unwrap();
    let line = text.lines().position(|l| l.contains("{nendo}")).unwrap() + 1;
    let col = text.lines().nth(line - 1).unwrap().find("{nendo}").unwrap();
    let col = text.lines().nth(line - 1).unwrap()[..col].chars().count() + 1;
    let (stdout, _) = work.run_status(&["templates", "check", &bad], 1);
    assert!(
        stdout.contains(&format!(
            "layout.toml:{line}:{col}: 誤り: 「{{nendo}}」は埋められません"
        )),
        "{stdout}"
    );
}

#[test]
fn one_header_at_the_top_with_print_titles_reads_back_as_the_same_rows() {
    let work = Work::new();
    let p = profile_with(&work, "once", "layout.toml", |t| {
        t.replace("[book]\n", "[book]\nheader_once = true\n")
    });
    work.run_status(&["templates", "check", &p], 0);
    work.run_status(
        &["consolidate", "--year", "R6", SEED, "-o", "every.xlsx"],
        0,
    );
    consolidate_with(&work, &p, "R6", SEED, "once.xlsx");
    let headers = |book: &str| {
        let sheet = read_sheet(&work.path(book), "一覧");
        (0..sheet.height)
            .filter(|r| sheet.text(*r, 6) == "事務事業番号")
            .collect::<Vec<u32>>()
    };
    let every = headers("every.xlsx");
    assert!(every.len() > 3, "a header under every section: {every:?}");
    let once = headers("once.xlsx");
    assert_eq!(
        once,
        vec![3],
        "one header, under the titles and a blank row"
    );
    let sheet = read_sheet(&work.path("once.xlsx"), "一覧");
    assert!(
        sheet.text(4, 0).starts_with("基本目標"),
        "the first section row under the header"
    );
    let workbook = zip_member(&work.path("once.xlsx"), "xl/workbook.xml");
    let titles = workbook
        .split("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">")
        .nth(1)
        .and_then(|t| t.split("</definedName>").next())
        .unwrap_or_else(|| panic!("print titles: {workbook}"));
    assert!(
        titles.ends_with("!$4:$4"),
        "the header row on every page: {titles}"
    );
    // the same rows either way
    let export = |book: &str, out: &str| -> Vec<Json> {
        work.run_status(&["export", book, "-o", out], 0);
        serde_json::from_str(&std::fs::read_to_string(work.path(out)).unwrap()).unwrap()
    };
    let a = export("every.xlsx", "every.json");
    let b = export("once.xlsx", "once.json");
    assert_eq!(a.len(), b.len());
    assert_eq!(a, b);
}

#[test]
fn a_field_the_city_has_no_column_for_is_null_in_exports() {
    let work = Work::new();
    let block =
        "[[columns]]\nfield = \"measure_kpi\"\nheader = \"KPI\"\nwidth = 14\ngroup = true\n\n";
    let p = profile_with(&work, "nokpi", "layout.toml", |t| {
        assert!(t.contains(block));
        t.replace(block, "")
    });
    profile_with(&work, "nokpi", "aliases.toml", |t| {
        t.replace(
            "measure_kpi = [\"施策KPI\", \"施策のKPI\", \"KPI\"]",
            "measure_kpi = []",
        )
    });
    work.run_status(&["templates", "check", &p], 0);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        [
            "事務事業番号",
            "担当課",
            "事業名",
            "KPI",
            "単位",
            "目標値",
            "R7実績値",
        ],
        [
            "411-6",
            "産学振興課",
            "創業支援事業",
            "相談件数",
            "件",
            "100",
            "90",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        write_strings(ws, r as u32, row);
    }
    wb.save(work.path("return.xlsx")).unwrap();
    consolidate_with(&work, &p, "R7", "return.xlsx", "R7.xlsx");
    work.run_status(
        &["--templates", &p, "export", "R7.xlsx", "-o", "R7.json"],
        0,
    );
    let rows: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(work.path("R7.json")).unwrap()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["kpi"], "相談件数");
    assert_eq!(rows[0]["unit"], "件");
    assert_eq!(rows[0]["measure_kpi"], Json::Null, "absent, not blank");
    // a field the city has, blank in the row, stays blank
    assert_eq!(rows[0]["measure"], "");
}

/// `consolidate` of the seed with `profile` (after the options `first`): refused with
/// status 2 before anything is written; what it said.
fn refused_profile(work: &Work, first: &[&str], profile: &str) -> String {
    let mut args = first.to_vec();
    args.extend(["--templates", profile, "consolidate", "--year", "R6", SEED]);
    args.extend(["-o", "R6.xlsx"]);
    let (_, stderr) = work.run_status(&args, 2);
    assert!(!work.path("R6.xlsx").exists(), "{stderr}");
    stderr
}

#[test]
fn a_colour_that_is_not_rgb_hex_is_refused_at_its_place_not_written_as_white() {
    let work = Work::new();
    // the mark of a changed cell, written as a word; a grade's fill with a letter too many
    let p = profile_with(&work, "colours", "layout.toml", |t| {
        t.replace("changed_fill = \"FFF2CC\"", "changed_fill = \"黄色\"")
    });
    let text = std::fs::read_to_string(work.path("colours/layout.toml")).unwrap();
    let line = text.lines().position(|l| l.contains("\"黄色\"")).unwrap() + 1;
    let col = "changed_fill = ".chars().count() + 1;
    let (stdout, _) = work.run_status(&["templates", "check", &p], 1);
    assert!(
        stdout.contains(&format!(
            "layout.toml:{line}:{col}: 誤り: book.changed_fill の「黄色」は色ではありません。RGB の16進数6桁で書いてください（例: FFF2CC）"
        )),
        "{stdout}"
    );
    // every command that loads the profile stops before writing anything
    let stderr = refused_profile(&work, &[], &p);
    assert!(
        stderr.contains("layout.toml: book.changed_fill の「黄色」は色ではありません"),
        "{stderr}"
    );

    let g = profile_with(&work, "grades", "grades.toml", |t| {
        t.replace("fill = \"FFEB9C\"", "fill = \"FFEB9CC\"")
    });
    let text = std::fs::read_to_string(work.path("grades/grades.toml")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"FFEB9CC\""))
        .unwrap()
        + 1;
    let (stdout, _) = work.run_status(&["--lang", "en", "templates", "check", &g], 1);
    assert!(
        stdout.contains(&format!(
            "grades.toml:{line}:8: error: grade.fill \"FFEB9CC\" is not a colour: write it as six hexadecimal RGB digits (e.g. FFF2CC)"
        )),
        "{stdout}"
    );
}

#[test]
fn a_grade_list_that_cannot_grade_is_refused_at_the_grade_in_the_users_language() {
    let work = Work::new();
    // B loses its min: only the last grade may go without one
    let p = profile_with(&work, "nomin", "grades.toml", |t| {
        t.replacen("min = 80.0\n", "", 1)
    });
    let text = std::fs::read_to_string(work.path("nomin/grades.toml")).unwrap();
    let line = text.lines().position(|l| l == "name = \"B\"").unwrap() + 1;
    let (stdout, _) = work.run_status(&["templates", "check", &p], 1);
    assert!(
        stdout.contains(&format!(
            "grades.toml:{line}:1: 誤り: grade「B」に min がありません（min を省けるのは最後の grade だけです）"
        )),
        "{stdout}"
    );
    let stderr = refused_profile(&work, &["--lang", "en"], &p);
    assert!(
        stderr.contains(
            "grades.toml: the grade \"B\" has no min (only the last grade may leave it out)"
        ),
        "{stderr}"
    );

    // C's min above B's: the order is refused at C
    let q = profile_with(&work, "order", "grades.toml", |t| {
        t.replace("name = \"C\"\nmin = ", "name = \"C\"\nmin = 9")
    });
    let text = std::fs::read_to_string(work.path("order/grades.toml")).unwrap();
    let line = text.lines().position(|l| l == "name = \"C\"").unwrap() + 1;
    let min = text
        .lines()
        .nth(line)
        .unwrap()
        .trim_start_matches("min = ")
        .to_string();
    let (stdout, _) = work.run_status(&["--lang", "en", "templates", "check", &q], 1);
    assert!(
        stdout.contains(&format!(
            "grades.toml:{line}:1: error: the min {} of the grade \"C\" is not below",
            min.parse::<f64>().unwrap()
        )),
        "{stdout}"
    );
}

#[test]
fn a_catalogue_with_a_few_texts_changes_those_and_keeps_the_built_in_rest() {
    let work = Work::new();
    // a city's catalogue holding one text of its own: the word before a fatal error
    let p = profile_with(&work, "words", "messages.ja.toml", |_| {
        "error = \"誤り\"\n".to_string()
    });
    let (stdout, _) = work.run_status(&["templates", "check", &p], 0);
    assert!(
        stdout.contains("messages.ja.toml:1:1: 確認: メッセージ ")
            && stdout.contains("件（")
            && stdout.contains("がないため、組み込みの文を使います"),
        "{stdout}"
    );
    // its own word, then the built-in sentence, not a bare id
    let (_, stderr) = work.run_status(
        &[
            "--templates",
            &p,
            "consolidate",
            "--year",
            "平成",
            SEED,
            "-o",
            "R6.xlsx",
        ],
        2,
    );
    assert!(
        stderr.starts_with("kpiroll: 誤り: 「平成」は年度として読めません（"),
        "{stderr}"
    );
    // and a whole run with it writes the same book as the built-in profile
    consolidate_with(&work, &p, "R6", SEED, "own.xlsx");
    work.run_status(
        &["consolidate", "--year", "R6", SEED, "-o", "builtin.xlsx"],
        0,
    );
    assert_eq!(
        std::fs::read(work.path("own.xlsx")).unwrap(),
        std::fs::read(work.path("builtin.xlsx")).unwrap()
    );
}
