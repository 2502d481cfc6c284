//! The second fixture city (fixtures/city2, made by make_city2.py): a profile folder
//! alone takes a table unlike the seed's through the whole cycle — two header rows, a
//! cover sheet, keys 1-2-4, 【基本目標１】 sections with a ●数値目標 line, the 施策 in one
//! cell, joint 課 separated by 、, extra columns and three years of actuals side by side.

use serde_json::Value as Json;

use crate::common::{read_sheet, Work};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/city2");

fn templates() -> String {
    format!("{DIR}/templates")
}

fn r6_sheet() -> String {
    format!("{DIR}/R6/みなみ市_KPI評価シート_R6.xlsx")
}

/// Runs kpiroll with the city's profile.
fn run(work: &Work, args: &[&str], status: i32) -> (String, String) {
    let t = templates();
    let mut all = vec!["--templates", t.as_str()];
    all.extend_from_slice(args);
    work.run_status(&all, status)
}

/// R7.xlsx from R6.xlsx and `returns` with the city's profile, taken whole.
fn consolidate_r7(work: &Work, returns: &str) -> (String, String) {
    run(
        work,
        &[
            "consolidate",
            "--year",
            "R7",
            "--prev",
            "R6.xlsx",
            returns,
            "-o",
            "R7.xlsx",
        ],
        0,
    )
}

fn export(work: &Work, book: &str, out: &str) -> Vec<Json> {
    run(work, &["export", book, "-o", out], 0);
    let text = std::fs::read_to_string(work.path(out)).expect("json");
    serde_json::from_str::<Vec<Json>>(&text).expect("array")
}

fn row<'a>(rows: &'a [Json], key: &str, kpi: u64) -> &'a Json {
    rows.iter()
        .find(|r| r["project_nos"][0] == key && r["kpi_index"] == kpi)
        .unwrap_or_else(|| panic!("{key} KPI {kpi} missing"))
}

fn raw(v: &Json) -> &str {
    v["raw"].as_str().unwrap_or_default()
}

fn extra<'a>(r: &'a Json, name: &str) -> &'a str {
    r["extra"][name]["raw"].as_str().unwrap_or("")
}

fn strings(v: &Json) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn profile_checks_clean_and_init_refuses_to_overwrite() {
    let work = Work::new();
    let (stdout, _) = work.run_status(&["templates", "check", &templates()], 0);
    assert_eq!(stdout, "", "no problem in the city2 profile");
    work.run_status(&["templates", "init", "mine"], 0);
    assert!(work.path("mine/layout.toml").is_file());
    assert!(std::fs::read_to_string(work.path("mine/patterns.toml"))
        .unwrap()
        .contains("# "));
    work.run_status(&["templates", "init", "mine"], 2);
    work.run_status(&["templates", "init", "mine", "--force"], 0);
    // a broken pattern is reported at its line and column
    let patterns = work.path("mine/patterns.toml");
    let text = std::fs::read_to_string(&patterns).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("pattern = '^[0-9]{3}"))
        .unwrap()
        + 1;
    std::fs::write(
        &patterns,
        text.replace("pattern = '^[0-9]{3}-[0-9]{1,3}$'", "pattern = '[0-9]{3'"),
    )
    .unwrap();
    let (stdout, _) = work.run_status(&["templates", "check", "mine"], 1);
    assert!(
        stdout.contains(&format!("patterns.toml:{line}:1: 誤り: key.pattern")),
        "{stdout}"
    );
    // a TOML error carries its span; a required field without a column is named
    std::fs::write(&patterns, text).unwrap();
    let layout = work.path("mine/layout.toml");
    let text = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(
        &layout,
        text.replace("field = \"target\"", "field = \"targets\""),
    )
    .unwrap();
    let (stdout, _) = work.run_status(&["templates", "check", "mine"], 1);
    let line = text
        .lines()
        .position(|l| l == "field = \"target\"")
        .unwrap()
        + 1;
    assert!(
        stdout.contains(&format!("layout.toml:{line}:9: 誤り:")),
        "{stdout}"
    );
}

#[test]
fn the_citys_own_sheet_is_read_field_by_field() {
    let work = Work::new();
    // the cover sheet's 記入例 (9-9-9) is skipped; the table's header is two rows
    let (stdout, stderr) = run(&work, &["check", &r6_sheet()], 0);
    assert!(
        stdout.contains("シート KPI一覧 見出し行 4 年度 R6 行数 7"),
        "{stdout}"
    );
    assert!(!stdout.contains("表紙"), "{stdout}");
    assert!(!stderr.contains("確認"), "{stderr}");
    run(
        &work,
        &["consolidate", "--year", "R6", &r6_sheet(), "-o", "R6.xlsx"],
        0,
    );
    let rows = export(&work, "R6.xlsx", "R6.json");
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r["project_nos"][0] != "9-9-9"));

    let r = row(&rows, "1-1-2", 1);
    assert_eq!(r["goal"]["no"], "1");
    assert_eq!(r["goal"]["title"], "稼ぐ地域をつくる");
    assert_eq!(
        strings(&r["goal_targets"]),
        ["観光入込客数 120万人", "市内就業者数 3万人"]
    );
    assert_eq!(r["measure_no"], "１");
    assert_eq!(r["measure"], "観光の振興");
    assert_eq!(r["measure_kpi"], Json::Null, "no 施策KPI column: absent");
    assert_eq!(strings(&r["departments"]), ["観光・文化課", "地域振興課"]);
    assert_eq!(r["project"], "インバウンド誘客事業");
    assert_eq!(r["summary"], "海外向けの誘客と受入環境の整備");
    assert_eq!(r["kpi"], "外国人宿泊者数");
    assert_eq!(r["unit"], "人");
    assert_eq!(raw(&r["target"]), "6,000");
    assert_eq!(r["target"]["number"], 6000.0);
    assert_eq!(raw(&r["actual"]), "4,100");
    assert_eq!(r["year"], "R6");
    for (name, want) in [
        ("基準値", "3,000"),
        ("R4実績値", "1,200"),
        ("R5実績値", "2,800"),
        ("評価", "B"),
        ("今後の方向性", "継続"),
    ] {
        assert_eq!(extra(r, name), want, "{name}");
    }
    assert_eq!(r["extra"].as_object().unwrap().len(), 5);
    // the project's second KPI row: project columns and 今後の方向性 from the merge
    let r2 = row(&rows, "1-1-2", 2);
    assert_eq!(r2["kpi"], "多言語案内板設置数");
    assert_eq!(r2["project"], "インバウンド誘客事業");
    assert_eq!(extra(r2, "今後の方向性"), "継続");
    assert_eq!(extra(r2, "評価"), "A");
    assert_eq!(extra(r2, "R4実績値"), "4");
    // a key typed full-width, a percent, free text in 備考, the second goal's one target
    let r = row(&rows, "2-1-3", 1);
    assert_eq!(r["goal"]["no"], "2");
    assert_eq!(strings(&r["goal_targets"]), ["合計特殊出生率 1.50"]);
    assert_eq!(strings(&r["departments"]), ["保育・幼稚園課"]);
    let r = row(&rows, "2-2-1", 1);
    assert_eq!(r["actual"]["kind"], "percent");
    assert_eq!(extra(r, "基準値"), "38.0%");
    assert_eq!(row(&rows, "1-2-4", 1)["remarks"], "R6から対象を拡大");
    assert_eq!(row(&rows, "1-2-4", 1)["measure"], "地域産業の強化");

    // the book: the city's title, sheet, headers (three years of actuals), 、 joined
    let sheet = read_sheet(&work.path("R6.xlsx"), "KPI一覧");
    assert_eq!(
        sheet.text(0, 0),
        "みなみ市総合戦略 KPI 評価シート（令和6年度）"
    );
    assert_eq!(sheet.text(2, 0), "【基本目標1】稼ぐ地域をつくる");
    // two header rows, as the city's own sheet: 目標値 over R9, 実績値 over the years, the
    // other headers merged over both rows
    let group: Vec<String> = (0..17).map(|c| sheet.text(3, c)).collect();
    let sub: Vec<String> = (0..17).map(|c| sheet.text(4, c)).collect();
    let header = |texts: &[&str]| texts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let merged = [
        "数値目標",
        "施策番号",
        "施策",
        "事業コード",
        "事業名",
        "所管課",
        "事業の内容",
        "成果指標",
        "単位",
        "基準値",
    ];
    assert_eq!(group[..10], header(&merged)[..]);
    assert_eq!(sub[..10], header(&merged)[..], "merged over both rows");
    assert_eq!(
        group[10..],
        header(&[
            "目標値",
            "実績値",
            "実績値",
            "実績値",
            "評価",
            "今後の方向性",
            "備考"
        ])[..]
    );
    assert_eq!(sub[10..14], header(&["R9", "R4", "R5", "R6"])[..]);
    assert!(
        sheet.merges.contains(&((3, 11), (3, 13))),
        "実績値 merged across the three years"
    );
    assert_eq!(sheet.text(6, 5), "観光・文化課、地域振興課");
    assert_eq!(sheet.text(6, 9), "3000", "基準値 written as a number");
    assert_eq!(sheet.text(6, 11), "1200");
}

#[test]
fn the_whole_cycle_with_flags_extras_rollover_diff_handout() {
    let work = Work::new();
    run(
        &work,
        &["consolidate", "--year", "R6", &r6_sheet(), "-o", "R6.xlsx"],
        0,
    );
    let returns = format!("{DIR}/R7/returns");
    consolidate_r7(&work, &returns);
    let rows = export(&work, "R7.xlsx", "R7.json");
    assert_eq!(rows.len(), 8);
    let flags = |key: &str| strings(&row(&rows, key, 1)["flags"]).join(" ");
    assert_eq!(flags("1-1-1"), "事業名変更");
    assert_eq!(flags("1-1-2"), "");
    assert_eq!(flags("1-2-4"), "目標値変更");
    assert_eq!(flags("1-2-7"), "新規");
    assert_eq!(flags("2-1-1"), "");
    assert_eq!(flags("2-1-3"), "未提出");
    assert_eq!(flags("2-2-1"), "");
    let r = row(&rows, "1-1-1", 1);
    assert_eq!(r["year"], "R7");
    assert_eq!(r["project"], "観光プロモーション・発信事業");
    assert_eq!(raw(&r["actual"]), "64,000");
    // last year's actual moved one column left; the oldest year dropped out
    assert_eq!(extra(r, "R6実績値"), "61,200");
    assert_eq!(extra(r, "R5実績値"), "58,300");
    assert_eq!(extra(r, "R4実績値"), "");
    assert_eq!(extra(r, "基準値"), "50,000");
    assert_eq!(extra(row(&rows, "2-2-1", 1), "評価"), "B");
    // the new project under its 施策, from the two-row hand-made return
    let r = row(&rows, "1-2-7", 1);
    assert_eq!(r["measure_no"], "２");
    assert_eq!(raw(&r["actual"]), "3");
    assert_eq!(raw(&r["target"]), "10");
    let order: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["project_nos"][0].as_str())
        .collect();
    assert_eq!(
        order,
        ["1-1-1", "1-1-2", "1-1-2", "1-2-4", "1-2-7", "2-1-1", "2-1-3", "2-2-1"]
    );
    // not returned: actual blank, earlier actuals carried from last year's book
    let r = row(&rows, "2-1-3", 1);
    assert_eq!(raw(&r["actual"]), "");
    assert_eq!(extra(r, "R6実績値"), "4");
    // the working book: its legend, a blank row, the two header rows
    let sheet = read_sheet(&work.path("R7.xlsx"), "KPI一覧");
    assert_eq!(
        (sheet.text(2, 11).as_str(), sheet.text(3, 11).as_str()),
        ("実績値", "R5")
    );
    assert_eq!(
        (sheet.text(2, 13).as_str(), sheet.text(3, 13).as_str()),
        ("実績値", "R7")
    );

    // rollover: one form per 課, this year's columns, last year's actual beside
    run(
        &work,
        &["rollover", "R7.xlsx", "--year", "R8", "-o", "forms"],
        0,
    );
    let forms: Vec<_> = std::fs::read_dir(work.path("forms")).unwrap().collect();
    assert_eq!(forms.len(), 6);
    let form = read_sheet(&work.path("forms/R8_商工労政課.xlsx"), "入力");
    let header = (0..40)
        .find(|r| form.text(*r, 3) == "事業コード")
        .expect("form header");
    // the form has the book's two header rows
    assert_eq!(
        (
            form.text(header, 12).as_str(),
            form.text(header + 1, 12).as_str()
        ),
        ("実績値", "R7")
    );
    assert_eq!(form.text(header + 1, 13), "R8");
    assert_eq!(form.text(header + 2, 3), "1-2-4");
    assert_eq!(form.text(header + 2, 12), "18");
    assert_eq!(form.text(header + 2, 13), "");
    let guide = read_sheet(&work.path("forms/R8_商工労政課.xlsx"), "記入要領");
    let guide: Vec<String> = (0..guide.height).map(|r| guide.text(r, 0)).collect();
    assert!(
        guide.iter().any(|l| l.contains("事業コード（N-N-N）")),
        "the city's own guide: {guide:?}"
    );
    assert!(
        guide.iter().any(|l| l.contains("みなみ市 企画課")),
        "{guide:?}"
    );
    let (stdout, _) = run(&work, &["check", "--year", "R8", "forms"], 0);
    assert!(stdout.contains("取り込み 8 行・統合 2 行"), "{stdout}");

    // diff: the changes by field, the new and the not returned
    let (stdout, _) = run(
        &work,
        &["diff", "R6.xlsx", "R7.xlsx", "--format", "json"],
        0,
    );
    let diff: Json = serde_json::from_str(&stdout).unwrap();
    let status = |key: &str| {
        diff["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status("1-1-1"), "changed");
    assert_eq!(status("1-2-4"), "changed");
    assert_eq!(status("1-2-7"), "added");
    assert_eq!(status("2-1-3"), "removed");
    assert_eq!(status("2-1-1"), "unchanged");
    // 評価 is a column of one year (not `compared` in the profile): 2-2-1's C → B is
    // no change of the project, and no 備考 flag
    assert_eq!(status("2-2-1"), "unchanged");
    let r221 = diff["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "2-2-1")
        .unwrap();
    assert_eq!(r221["changes"], serde_json::json!([]));
    assert!(row(&rows, "2-2-1", 1)["flags"]
        .as_array()
        .unwrap()
        .is_empty());

    // handout: the table alone, read back with every row
    run(&work, &["handout", "R7.xlsx", "-o", "handout.xlsx"], 0);
    let again = export(&work, "handout.xlsx", "handout.json");
    assert_eq!(again, rows, "the handout reads back as the book");
}

/// A profile whose book writes the goal's 数値目標 on a line of its own and the 施策 number
/// and name in one cell (as city2's own sheet does): the seed city written that way reads
/// back into exactly the rows the built-in profile reads from the seed.
#[test]
fn a_targets_line_and_a_one_cell_measure_are_written_and_read_back() {
    let work = Work::new();
    let dir = work.path("profile");
    std::fs::create_dir_all(&dir).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let layout = std::fs::read_to_string(format!("{root}/templates/layout.toml")).unwrap();
    let columns = "[[columns]]\nfield = \"goal_targets\"\nheader = \"数値目標\"\nwidth = 12\ngroup = true\n\n\
                   [[columns]]\nfield = \"measure_no\"\nheader = \"\"\nwidth = 4\ngroup = true\n\n\
                   [[columns]]\nfield = \"measure\"\nheader = \"\"\nwidth = 14\ngroup = true\n";
    assert!(
        layout.contains(columns),
        "the built-in layout's first columns"
    );
    let layout = layout
        .replace(columns, "[[columns]]\nfield = \"measure\"\nheader = \"施策\"\nwidth = 18\ngroup = true\nformat = \"（{no}）{name}\"\n")
        .replace("[book]\n", "[book]\ntargets_row = \"●数値目標：{targets}\"\n");
    std::fs::write(dir.join("layout.toml"), layout).unwrap();
    let patterns = std::fs::read_to_string(format!("{root}/templates/patterns.toml")).unwrap();
    let patterns = patterns
        .replacen(
            "[section]\n",
            "[section]\ntargets = '^●数値目標[:：]\\s*(?P<targets>.+)$'\ntargets_split = '／'\n",
            1,
        )
        .replacen(
            "[measure]\n",
            "[measure]\ncombined = '^（(?P<no>[^）]+)）(?P<name>.*)$'\n",
            1,
        );
    std::fs::write(dir.join("patterns.toml"), patterns).unwrap();
    let profile_dir = dir.to_str().unwrap().to_string();
    work.run_status(&["templates", "check", &profile_dir], 0);
    // the seed's rows (read with the built-in profile) written with this profile
    let builtin = kpiroll::profile::Profile::builtin(kpiroll::profile::Lang::Ja);
    let seed =
        kpiroll::pipeline::read_book(std::path::Path::new(crate::common::SEED), &builtin).unwrap();
    let profile = kpiroll::profile::Profile::load(Some(&dir), kpiroll::profile::Lang::Ja).unwrap();
    kpiroll::pipeline::write_book(&seed.merged.book, &work.path("R6.xlsx"), false, &profile)
        .unwrap();

    let sheet = read_sheet(&work.path("R6.xlsx"), "一覧");
    let texts: Vec<String> = (0..sheet.height).map(|r| sheet.text(r, 0)).collect();
    assert!(
        texts.contains(&"●数値目標：市内事業所数".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"●数値目標：市内の児童・学生数／出生数".to_string()),
        "{texts:?}"
    );
    let row = (0..sheet.height)
        .find(|r| sheet.text(*r, 4) == "411-6")
        .expect("411-6 row");
    assert_eq!(
        sheet.text(row, 0),
        "（①）①創業の支援",
        "施策 number and name in one cell"
    );

    let back = kpiroll::pipeline::read_book(&work.path("R6.xlsx"), &profile).unwrap();
    assert_eq!(
        back.report.refusals(),
        0,
        "{}",
        back.report.render(&profile)
    );
    assert_eq!(back.merged.book.rows, seed.merged.book.rows);
}

/// 評価, 今後の方向性 and 実績値 are this year's: a blank in a return stays blank, and a
/// difference from last year is no change (not in 変更点, not highlighted, not counted);
/// 基準値, which the profile marks `carried` and `compared`, is carried and compared.
#[test]
fn this_years_columns_are_this_years_and_a_baseline_is_carried() {
    let work = Work::new();
    run(
        &work,
        &["consolidate", "--year", "R6", &r6_sheet(), "-o", "R6.xlsx"],
        0,
    );
    let dir = work.path("returns");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(format!("{DIR}/R7/returns")).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                let mut cells: Vec<String> = l.split('\t').map(str::to_string).collect();
                match cells.get(3).map(String::as_str) {
                    // 評価 left blank, 実績値 not yet known, 今後の方向性 拡充 → 縮小
                    Some("1-1-1") => {
                        cells[13] = String::new();
                        cells[14] = String::new();
                        cells[15] = "縮小".to_string();
                    }
                    // 基準値 left blank: last year's is kept
                    Some("2-1-1") => cells[9] = String::new(),
                    // 基準値 10 → 12: a change
                    Some("1-2-4") => cells[9] = "12".to_string(),
                    _ => {}
                }
                cells.join("\t")
            })
            .collect();
        std::fs::write(dir.join(e.file_name()), lines.join("\n") + "\n").unwrap();
    }
    let (_, stderr) = consolidate_r7(&work, "returns");
    // 1-1-1 (事業名変更) and 1-2-4 (目標値変更, 基準値): 2-2-1's 評価 C → B is not a change
    assert!(
        stderr.contains("新規 1 行、未提出 1 行、変更のある行 2 行"),
        "{stderr}"
    );
    let rows = export(&work, "R7.xlsx", "R7.json");
    let r = row(&rows, "1-1-1", 1);
    assert_eq!(
        extra(r, "評価"),
        "",
        "blank in the return, blank in the book"
    );
    assert_eq!(extra(r, "今後の方向性"), "縮小");
    assert_eq!(raw(&r["actual"]), "");
    assert_eq!(
        extra(r, "R6実績値"),
        "61,200",
        "last year's actual is history"
    );
    assert_eq!(strings(&r["flags"]), ["事業名変更"]);
    let r = row(&rows, "2-2-1", 1);
    assert_eq!(extra(r, "評価"), "B");
    assert!(strings(&r["flags"]).is_empty());
    assert_eq!(extra(row(&rows, "2-1-1", 1), "基準値"), "800", "carried");
    assert_eq!(extra(row(&rows, "1-2-4", 1), "基準値"), "12");

    // 変更点: no 評価, no 今後の方向性; 基準値 of 1-2-4 is there
    let changes = read_sheet(&work.path("R7.xlsx"), "変更点");
    let listed: Vec<(String, String)> = (1..changes.height)
        .map(|r| (changes.text(r, 0), changes.text(r, 3)))
        .collect();
    let want: Vec<(String, String)> = [
        ("1-1-1", "事業名"),
        ("1-2-4", "目標値（R9）"),
        ("1-2-4", "基準値"),
        ("1-2-7", "新規"),
        ("2-1-3", "未提出"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(listed, want);

    // no highlight on this year's columns: 1-1-1's 評価 and 今後の方向性 are filled like
    // 2-1-1's (unchanged), while its changed 事業名 is highlighted
    let sheet = read_sheet(&work.path("R7.xlsx"), "KPI一覧");
    let at = |key: &str| {
        (0..sheet.height)
            .find(|r| sheet.text(*r, 3) == key)
            .unwrap()
    };
    let (changed, same) = (at("1-1-1"), at("2-1-1"));
    assert_eq!(sheet.text(changed, 14), "");
    assert_eq!(sheet.text(changed, 15), "縮小");
    let part = "xl/worksheets/sheet1.xml";
    let fill = |r: u32, c: u32| {
        crate::common::cell_fill(&work.path("R7.xlsx"), part, &crate::common::a1(r, c))
    };
    assert_ne!(fill(changed, 4), fill(same, 4), "事業名 highlighted");
    for c in [13, 14, 15] {
        assert_eq!(
            fill(changed, c),
            fill(same, c),
            "column {c} not highlighted"
        );
    }
}
