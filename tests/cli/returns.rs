//! Returns shaped the way departments really send them, beyond the fixture's: a joint
//! project returned with and without section rows, two copies that disagree, new projects
//! in files without sections, flag words glued to the text after them. Each test runs
//! the binary on files written here and reads the book back cell by cell.

use std::path::Path;

use crate::common::{
    consolidate_r7, r6_and_returns, read_sheet, tsv_header, SheetCells, Work, RETURNS,
};

/// The new project 342-9 as the book shows it (担当課 to 備考) from the returns below
/// that add it.
const NEW_342_9: [&str; 9] = [
    "こども家庭課",
    "新生児訪問事業",
    "342-9",
    "新生児のいる家庭を訪問する",
    "訪問件数",
    "件",
    "300",
    "280",
    "新規",
];

/// Every cell of a sheet as text, row by row.
fn all_cells(sheet: &SheetCells) -> Vec<Vec<String>> {
    let width = sheet.values.keys().map(|(_, c)| *c + 1).max().unwrap_or(0);
    (0..sheet.height)
        .map(|r| (0..width).map(|c| sheet.text(r, c)).collect())
        .collect()
}

/// A TSV file's lines edited by `edit` (a line in, the lines out).
fn edit_lines(path: &Path, edit: impl Fn(&str) -> Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> = text.lines().flat_map(edit).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The book's 一覧 as (section row text above, the row's cells) for every row with a key
/// in column G, in book order.
fn keyed_rows(sheet: &SheetCells) -> Vec<(String, Vec<String>)> {
    let width = sheet.values.keys().map(|(_, c)| *c + 1).max().unwrap_or(0);
    let mut section = String::new();
    let mut out = Vec::new();
    for r in 0..sheet.height {
        let first = sheet.text(r, 0);
        let row: Vec<String> = (0..width).map(|c| sheet.text(r, c)).collect();
        if row.iter().skip(1).all(String::is_empty) && first.starts_with("基本目標") {
            section = first;
            continue;
        }
        let key = sheet.text(r, 6);
        if key.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            out.push((section.clone(), row));
        }
    }
    out
}

/// The R7 return こども家庭課_追加.tsv in `dir`: the header and `rows` (TSV lines).
fn added_return(dir: &Path, rows: &str) {
    std::fs::write(
        dir.join("こども家庭課_追加.tsv"),
        format!("{}\n{rows}", tsv_header("R7")),
    )
    .unwrap();
}

/// Where the row of `key` is among [`keyed_rows`].
fn position(rows: &[(String, Vec<String>)], key: &str) -> usize {
    rows.iter()
        .position(|(_, r)| r[6] == key)
        .unwrap_or_else(|| panic!("{key} in the book"))
}

#[test]
fn a_joint_project_returned_with_and_without_section_rows_is_one_row() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    consolidate_r7(&work, RETURNS, "expected.xlsx", 0);

    // 811-30 is returned by 市民課 (with section rows), 税務課 and 各支所市民窓口課 (without):
    // 税務課's copy also leaves 数値目標, 施策, 施策KPI and 事業概要 blank
    for file in ["税務課.tsv", "各支所市民窓口課.tsv"] {
        edit_lines(&dir.join(file), |l| {
            if l.starts_with("基本目標") {
                return vec![];
            }
            let mut cells: Vec<String> = l.split('\t').map(str::to_string).collect();
            if file == "税務課.tsv" && cells.len() > 7 && cells[6] == "811-30" {
                for c in [0, 1, 2, 3, 7] {
                    cells[c] = String::new();
                }
            }
            vec![cells.join("\t")]
        });
    }
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 0);
    assert!(!stderr.contains("内容が違います"), "{stderr}");

    // the same book as from the returns that all have section rows, cell for cell
    let want = read_sheet(&work.path("expected.xlsx"), "一覧");
    let got = read_sheet(&work.path("R7.xlsx"), "一覧");
    assert_eq!(all_cells(&got), all_cells(&want));
    let rows = keyed_rows(&got);
    let (section, row) = rows
        .iter()
        .find(|(_, r)| r[6] == "811-30")
        .expect("811-30 in the book");
    assert_eq!(section, "基本目標Ⅲ 次代を牽引する魅力あふれるまちづくり");
    assert_eq!(
        row[..12],
        [
            "社会増減数",
            "②",
            "②次代を担う地域づくりの推進",
            "観光客入込客数 転入者数",
            "市民課 税務課 各支所市民窓口課",
            "キャッシュレス決済対応レジ導入",
            "811-30",
            "市民の利便性向上や新型コロナウイルス感染症の感染対策としてキャッシュレスレジを導入",
            "キャッシュレス決済 利用率",
            "%",
            "36",
            "17",
        ]
    );
    assert_eq!(row[12], "", "no flag: nothing changed");
    // 提出状況: each 課 of the joint project returned it
    let status = read_sheet(&work.path("R7.xlsx"), "提出状況");
    for d in ["市民課", "税務課", "各支所市民窓口課"] {
        let r = (1..status.height)
            .find(|r| status.text(*r, 0) == d)
            .unwrap_or_else(|| panic!("{d} in 提出状況"));
        assert_eq!(status.text(r, 3), "", "{d} owes nothing");
    }
}

#[test]
fn a_conflict_names_every_differing_cell_with_both_values() {
    let work = Work::new();
    let header = tsv_header("R7");
    // a.tsv has a section row and a title above its header; b.tsv neither
    std::fs::write(
        work.path("a.tsv"),
        format!(
            "調査票\n基本目標Ⅰ 地域を元気にするしごとづくり\n{header}\n\
             市内事業所数\t①\t①創業の支援\t創業数\t商工観光課 文化課\t交流事業\t452-2\t概要\t入込客数\t人\t100\t35\t\n"
        ),
    )
    .unwrap();
    std::fs::write(
        work.path("b.tsv"),
        format!(
            "{header}\n\
             \t\t\t\t商工観光課 文化課\t交流推進事業\t452-2\t\t入込客数\t人\t１００\t53\t\n"
        ),
    )
    .unwrap();
    let (_, stderr) = work.run_status(
        &[
            "consolidate",
            "--year",
            "R7",
            "a.tsv",
            "b.tsv",
            "-o",
            "out.xlsx",
        ],
        1,
    );
    assert!(
        stderr.contains("b.tsv!G2: 取り込めません: 452-2 は a.tsv!G4 にもあり、内容が違います"),
        "{stderr}"
    );
    // every differing cell, with both values; what b.tsv leaves blank (数値目標, 施策,
    // 事業概要) or writes another way (１００) is no difference
    assert!(
        stderr.contains(
            "b.tsv!F2: 取り込めません: 事業名「交流推進事業」が a.tsv!F4 の「交流事業」と違います"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("b.tsv!L2: 取り込めません: R7実績値「53」が a.tsv!L4 の「35」と違います"),
        "{stderr}"
    );
    let cells: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("と違います"))
        .collect();
    assert_eq!(cells.len(), 2, "{stderr}");
    // the first copy is in the book as it was read
    let book = read_sheet(&work.path("out.xlsx"), "一覧");
    let rows = keyed_rows(&book);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1[5], "交流事業");
    assert_eq!(rows[0].1[11], "35");
}

#[test]
fn new_projects_from_a_return_without_sections_go_under_the_measure_they_name() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    // no section rows; the 施策 written with a space and a line break, full-width number
    added_return(
        &dir,
        "市内の児童・学生数\t１\t\"① 妊娠・出産子育ての\n一貫した支援と環境の充実\"\t\tこども家庭課\t新生児訪問事業\t342-9\t新生児のいる家庭を訪問する\t訪問件数\t件\t300\t280\t\n\
         市内の児童・学生数\t⑨\t⑨まだ無い施策\t\tこども家庭課\t子育てアプリ事業\t342-40\tアプリで情報を届ける\t登録者数\t人\t1000\t400\t\n\
         どこにも無い目標\t⑨\t⑨まだ無い施策\t\tこども家庭課\t謎の事業\t999-1\t不明\t件数\t件\t1\t1\t\n",
    );
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 0);
    let book = read_sheet(&work.path("R7.xlsx"), "一覧");
    let rows = keyed_rows(&book);
    let at = |key: &str| position(&rows, key);

    // under 基本目標Ⅱ ①, next to the nearest key: after 342-8, before 342-11
    let i = at("342-9");
    let (section, row) = &rows[i];
    assert_eq!(section, "基本目標Ⅱ 未来を創るひとづくり");
    assert_eq!(rows[i - 1].1[6], "342-8");
    assert_eq!(rows[i + 1].1[6], "342-11");
    let neighbour = &rows[i - 1].1;
    assert_eq!(
        row[..4],
        neighbour[..4],
        "数値目標 and 施策 as last year's book writes them"
    );
    assert_eq!(row[2], "①妊娠・出産子育ての一貫した支援と環境の充実");
    assert_eq!(row[4..13], NEW_342_9);

    // a 施策 not in last year's book, but 数値目標 tie it to 基本目標Ⅱ: at the end of it
    let j = at("342-40");
    assert_eq!(rows[j].0, "基本目標Ⅱ 未来を創るひとづくり");
    assert_ne!(rows[j + 1].0, "基本目標Ⅱ 未来を創るひとづくり");
    assert!(
        stderr.contains("こども家庭課_追加.tsv!G4: 確認してください: 新規の 342-40 の施策「⑨まだ無い施策」が前年度のブックの 基本目標Ⅱ 未来を創るひとづくり にありません"),
        "{stderr}"
    );
    // tied to nothing: last, under a marked section, with a located warning
    let k = at("999-1");
    assert_eq!(k, rows.len() - 1);
    assert_eq!(rows[k].0, "基本目標 （基本目標の分からない新規事業）");
    assert_ne!(rows[k - 1].0, rows[k].0);
    assert!(
        stderr.contains("こども家庭課_追加.tsv!G5: 確認してください: 新規の 999-1 の施策「⑨まだ無い施策」も基本目標も前年度のブックに見つかりません"),
        "{stderr}"
    );
    // every other row where the fixture's book has it
    let want = {
        consolidate_r7(&work, RETURNS, "expected.xlsx", 0);
        keyed_rows(&read_sheet(&work.path("expected.xlsx"), "一覧"))
    };
    let others: Vec<&(String, Vec<String>)> = rows
        .iter()
        .filter(|(_, r)| !["342-9", "342-40", "999-1"].contains(&r[6].as_str()))
        .collect();
    assert_eq!(others, want.iter().collect::<Vec<_>>());
}

#[test]
fn a_new_project_whose_measure_name_is_shortened_goes_under_that_measure() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    // no section rows; last year's 施策 is ①妊娠・出産子育ての一貫した支援と環境の充実
    added_return(
        &dir,
        "市内の児童・学生数\t①\t①妊娠・出産子育ての一貫した支援\t\tこども家庭課\t新生児訪問事業\t342-9\t新生児のいる家庭を訪問する\t訪問件数\t件\t300\t280\t\n\
         市内の児童・学生数\t②\t②妊娠・出産子育ての一貫した支援\t\tこども家庭課\t番号違い事業\t342-41\t番号が違う\t件数\t件\t10\t5\t\n\
         市内の児童・学生数\t①\t①妊娠・出産支援\t\tこども家庭課\t略し方違い事業\t342-42\t名の始まりではない\t件数\t件\t10\t5\t\n",
    );
    let (_, stderr) = consolidate_r7(&work, "returns", "R7.xlsx", 0);
    let rows = keyed_rows(&read_sheet(&work.path("R7.xlsx"), "一覧"));
    let at = |key: &str| position(&rows, key);

    // the shortened name with its number names ①: next to the nearest key, after 342-8,
    // before 342-11
    let i = at("342-9");
    let (section, row) = &rows[i];
    assert_eq!(section, "基本目標Ⅱ 未来を創るひとづくり");
    assert_eq!(rows[i - 1].1[6], "342-8");
    assert_eq!(rows[i + 1].1[6], "342-11");
    assert_eq!(
        row[..4],
        rows[i - 1].1[..4],
        "施策 as last year's book writes it"
    );
    assert_eq!(row[2], "①妊娠・出産子育ての一貫した支援と環境の充実");
    assert_eq!(row[4..13], NEW_342_9);
    assert!(!stderr.contains("342-9 の施策"), "{stderr}");

    // another number, or a name that is not the beginning of the 施策's: not that 施策,
    // said at the cell, at the end of the goal
    for (key, cell, measure) in [
        ("342-41", "G3", "②妊娠・出産子育ての一貫した支援"),
        ("342-42", "G4", "①妊娠・出産支援"),
    ] {
        let j = at(key);
        assert_eq!(rows[j].0, "基本目標Ⅱ 未来を創るひとづくり");
        assert_ne!(rows[j].1[2], "①妊娠・出産子育ての一貫した支援と環境の充実");
        assert!(
            rows[j + 1..]
                .iter()
                .take_while(|(s, _)| s == "基本目標Ⅱ 未来を創るひとづくり")
                .all(|(_, r)| ["342-41", "342-42"].contains(&r[6].as_str())),
            "{key} at the end of Ⅱ"
        );
        assert!(
            stderr.contains(&format!(
                "こども家庭課_追加.tsv!{cell}: 確認してください: 新規の {key} の施策「{measure}」が前年度のブックの 基本目標Ⅱ 未来を創るひとづくり にありません"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn a_flag_word_glued_to_the_text_after_it_is_a_flag() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    consolidate_r7(&work, RETURNS, "expected.xlsx", 0);
    let mut edited = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        edit_lines(&path, |l| {
            vec![l.replace("【事業休止】 令和7年度", "【事業休止】令和7年度")]
        });
        if std::fs::read_to_string(&path)
            .unwrap()
            .contains("【事業休止】令和7年度は設計見直しのため休止")
        {
            edited += 1;
        }
    }
    assert_eq!(edited, 1, "543-36's 備考 glued in its return");
    consolidate_r7(&work, "returns", "R7.xlsx", 0);
    let got = read_sheet(&work.path("R7.xlsx"), "一覧");
    let want = read_sheet(&work.path("expected.xlsx"), "一覧");
    assert_eq!(all_cells(&got), all_cells(&want));
    let rows = keyed_rows(&got);
    let row = &rows.iter().find(|(_, r)| r[6] == "543-36").unwrap().1;
    assert_eq!(row[12], "【事業休止】 令和7年度は設計見直しのため休止");
    // and the export sees the flag
    work.run_status(&["export", "R7.xlsx", "-o", "R7.json"], 0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.path("R7.json")).unwrap()).unwrap();
    let r = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["project_nos"][0] == "543-36")
        .unwrap();
    assert_eq!(r["flags"], serde_json::json!(["【事業休止】"]));
    assert_eq!(r["remarks"], "令和7年度は設計見直しのため休止");
}

#[test]
fn a_column_a_return_does_not_have_is_last_years_not_a_change() {
    let work = Work::new();
    let dir = r6_and_returns(&work, "returns");
    consolidate_r7(&work, RETURNS, "expected.xlsx", 0);
    // 国際政策課's sheet has neither 事業概要 nor 単位 (the columns deleted, not blanked)
    edit_lines(&dir.join("国際政策課.tsv"), |l| {
        let cells: Vec<&str> = l.split('\t').collect();
        if cells.len() < 13 {
            return vec![l.to_string()];
        }
        let kept: Vec<&str> = cells
            .iter()
            .enumerate()
            .filter(|(i, _)| ![7, 9].contains(i))
            .map(|(_, c)| *c)
            .collect();
        vec![kept.join("\t")]
    });
    let text = std::fs::read_to_string(dir.join("国際政策課.tsv")).unwrap();
    assert!(text.contains("422-8") && !text.contains("事業概要") && !text.contains("単位"));
    consolidate_r7(&work, "returns", "R7.xlsx", 0);
    let got = read_sheet(&work.path("R7.xlsx"), "一覧");
    let want = read_sheet(&work.path("expected.xlsx"), "一覧");
    assert_eq!(all_cells(&got), all_cells(&want));
    let rows = keyed_rows(&got);
    let row = &rows.iter().find(|(_, r)| r[6] == "422-8").unwrap().1;
    assert_eq!(
        row[7],
        "市内事業者の海外における事業展開を促進し、地域経済の活性化を図るため、活動に要した費用を補助"
    );
    assert_eq!(row[9], "件");
    assert_eq!(row[12], "", "no 事業内容変更, no KPI変更");
    let changes = read_sheet(&work.path("R7.xlsx"), "変更点");
    assert!((1..changes.height)
        .all(|r| !["422-8", "422-9", "425-5"].contains(&changes.text(r, 0).as_str())));
}
