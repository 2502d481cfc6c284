//! `kpiroll export` and the diff's CSV for the office: Japanese headers and words by
//! default (English with `--lang en`), 達成率 and 評価 in every export as `diff` computes
//! them, and a Parquet file that pyarrow reads with plain string columns, field by field.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use kpiroll::model::{Row, Value};
use kpiroll::pipeline::read_book;
use kpiroll::profile::{Lang, Profile};
use serde_json::Value as Json;

use crate::common::{diff_json, diff_r6_r7, diff_r6_r7_args, r7_book, Work};

fn rows_of(path: &Path) -> Vec<Row> {
    read_book(path, &Profile::builtin(Lang::Ja))
        .unwrap()
        .merged
        .book
        .rows
}

/// The flat columns: (key, Japanese CSV header), in the order every flat export has them.
const COLUMNS: [(&str, &str); 26] = [
    ("year", "年度"),
    ("goal_no", "基本目標番号"),
    ("goal_title", "基本目標"),
    ("goal_targets", "数値目標"),
    ("measure_no", "施策番号"),
    ("measure", "施策"),
    ("measure_kpi", "施策KPI"),
    ("departments", "担当課"),
    ("project", "事業名"),
    ("project_nos", "事務事業番号"),
    ("project_nos_note", "事務事業番号の注記"),
    ("summary", "事業概要"),
    ("kpi", "KPI"),
    ("kpi_index", "KPI番号"),
    ("unit", "単位"),
    ("target_raw", "目標値"),
    ("target_kind", "目標値の種類"),
    ("target_number", "目標値（数値）"),
    ("actual_raw", "実績値"),
    ("actual_kind", "実績値の種類"),
    ("actual_number", "実績値（数値）"),
    ("achievement", "達成率"),
    ("grade", "評価"),
    ("flags", "変更の印"),
    ("remarks", "備考"),
    ("extra", "独自の列"),
];

/// The Japanese word of a value's kind in the CSV.
fn kind_word(kind: &str) -> &'static str {
    match kind {
        "number" => "数値",
        "percent" => "百分率",
        "ratio" => "比率",
        "na" => "該当なし",
        "blank" => "空欄",
        "text" => "文字",
        other => panic!("unknown kind {other}"),
    }
}

fn kind_of(v: &Value) -> String {
    serde_json::to_value(v.kind)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// What a row's flat columns hold (the 達成率 and grade given), as JSON values: text,
/// numbers, null for a number or grade that is not there.
fn flat(row: &Row, achievement: &Json, grade: &Json) -> BTreeMap<&'static str, Json> {
    let text = |s: String| Json::String(s);
    let number = |v: &Value| v.number.map_or(Json::Null, Json::from);
    BTreeMap::from([
        ("year", text(row.year.to_string())),
        ("goal_no", text(row.goal.no.clone())),
        ("goal_title", text(row.goal.title.clone())),
        ("goal_targets", text(row.goal_targets.join("\n"))),
        ("measure_no", text(row.measure_no.clone())),
        ("measure", text(row.measure.clone())),
        ("measure_kpi", text(row.measure_kpi.clone())),
        ("departments", text(row.departments.join(" "))),
        ("project", text(row.project.clone())),
        ("project_nos", text(row.project_nos.join(" "))),
        ("project_nos_note", text(row.project_nos_note.clone())),
        ("summary", text(row.summary.clone())),
        ("kpi", text(row.kpi.clone())),
        ("kpi_index", Json::from(row.kpi_index)),
        ("unit", text(row.unit.clone())),
        ("target_raw", text(row.target.raw.clone())),
        ("target_kind", text(kind_of(&row.target))),
        ("target_number", number(&row.target)),
        ("actual_raw", text(row.actual.raw.clone())),
        ("actual_kind", text(kind_of(&row.actual))),
        ("actual_number", number(&row.actual)),
        ("achievement", achievement.clone()),
        ("grade", grade.clone()),
        ("flags", text(row.flags.join(" "))),
        ("remarks", text(row.remarks.clone())),
        ("extra", text(serde_json::to_string(&row.extra).unwrap())),
    ])
}

/// R7.xlsx, its JSON export, and the rows read back from the book.
fn r7_export(work: &Work) -> (Vec<Row>, Vec<Json>) {
    let book = r7_book(work);
    work.run_status(&["export", "R7.xlsx", "-o", "R7.json"], 0);
    let json: Vec<Json> =
        serde_json::from_slice(&std::fs::read(work.path("R7.json")).unwrap()).unwrap();
    let rows = rows_of(&book);
    assert_eq!(json.len(), rows.len());
    assert_eq!(rows.len(), 67);
    (rows, json)
}

/// The `less_words` of the built-in grades.toml (read here as a city would edit it).
fn less_words() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/grades.toml"
    ))
    .unwrap();
    let toml: toml::Table = text.parse().unwrap();
    toml["direction"]["less_words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn json_export_keeps_its_keys_and_adds_the_rate_and_grade_the_diff_gives() {
    let work = Work::new();
    let (rows, json) = r7_export(&work);
    // the keys scripts depend on, unchanged, and the two new ones
    for (row, record) in rows.iter().zip(&json) {
        let mut record = record.as_object().unwrap().clone();
        let achievement = record.remove("achievement").expect("achievement");
        let grade = record.remove("grade").expect("grade");
        assert_eq!(Json::Object(record), serde_json::to_value(row).unwrap());
        assert!(
            achievement.is_null() || achievement.is_f64(),
            "{achievement}"
        );
        assert_eq!(achievement.is_null(), grade.is_null(), "{row:?}");
    }
    // the same 達成率 and grade as the diff's NEW side, row by row
    let diff: Json = diff_json(&work);
    let mut by_key = BTreeMap::new();
    for r in diff["rows"].as_array().unwrap() {
        let key = (
            r["key"].as_str().unwrap().to_string(),
            r["kpi"].as_u64().unwrap(),
        );
        by_key.insert(
            key,
            (r["achievement"]["new"].clone(), r["grade"]["new"].clone()),
        );
    }
    let mut compared = 0;
    for (row, record) in rows.iter().zip(&json) {
        let key = (row.project_nos[0].clone(), u64::from(row.kpi_index));
        let (rate, grade) = &by_key[&key];
        if !row.flags.iter().any(|f| f == "未提出") {
            assert_eq!(&record["achievement"], rate, "{key:?}");
            assert_eq!(&record["grade"], grade, "{key:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 66, "every row returned this year");
    // and as grades.toml defines them, where more is better and both values are plain
    // numbers: 実績値 ÷ 目標値 × 100 to one decimal; A ≥ 100, B ≥ 80, C ≥ 50, else D
    let less = less_words();
    let mut computed = 0;
    for (row, record) in rows.iter().zip(&json) {
        let plain = |v: &Value| (kind_of(v) == "number").then_some(v.number).flatten();
        let (Some(t), Some(a)) = (plain(&row.target), plain(&row.actual)) else {
            continue;
        };
        if t <= 0.0 || a < 0.0 || less.iter().any(|w| row.kpi.contains(w.as_str())) {
            continue;
        }
        let rate = (a / t * 1000.0).round() / 10.0;
        let grade = match rate {
            r if r >= 100.0 => "A",
            r if r >= 80.0 => "B",
            r if r >= 50.0 => "C",
            _ => "D",
        };
        assert_eq!(record["achievement"].as_f64(), Some(rate), "{row:?}");
        assert_eq!(record["grade"], grade, "{row:?}");
        computed += 1;
    }
    assert!(computed > 40, "{computed} rows checked by hand");
}

/// The records of a CSV file with a BOM: (headers, records).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "BOM so Excel opens it as UTF-8"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, records)
}

#[test]
fn csv_export_is_japanese_by_default_and_english_with_lang_en_field_by_field() {
    let work = Work::new();
    let (rows, json) = r7_export(&work);
    work.run_status(&["export", "R7.xlsx", "-o", "ja.csv"], 0);
    work.run_status(&["--lang", "en", "export", "R7.xlsx", "-o", "en.csv"], 0);
    let (ja_headers, ja) = read_csv(&work.path("ja.csv"));
    let (en_headers, en) = read_csv(&work.path("en.csv"));
    assert_eq!(ja_headers, COLUMNS.map(|(_, h)| h.to_string()));
    assert_eq!(en_headers, COLUMNS.map(|(k, _)| k.to_string()));
    assert_eq!(ja.len(), rows.len());
    assert_eq!(en.len(), rows.len());
    for (i, row) in rows.iter().enumerate() {
        let want = flat(row, &json[i]["achievement"], &json[i]["grade"]);
        for (c, (key, _)) in COLUMNS.iter().enumerate() {
            let (ja_cell, en_cell) = (&ja[i][c], &en[i][c]);
            match &want[key] {
                Json::String(s) if key.ends_with("_kind") => {
                    assert_eq!(ja_cell, kind_word(s), "{key} of {row:?}");
                    assert_eq!(en_cell, s, "{key} of {row:?}");
                }
                Json::String(s) => {
                    assert_eq!(ja_cell, s, "{key} of {row:?}");
                    assert_eq!(en_cell, s, "{key} of {row:?}");
                }
                Json::Null if *key == "grade" => {
                    assert_eq!(ja_cell, "—", "no rate: shown as the diff workbook shows it");
                    assert_eq!(en_cell, "—");
                }
                Json::Null => {
                    assert_eq!(ja_cell, "", "{key} of {row:?}");
                    assert_eq!(en_cell, "");
                }
                Json::Number(n) => {
                    assert_eq!(ja_cell.parse::<f64>().ok(), n.as_f64(), "{key} of {row:?}");
                    assert_eq!(en_cell, ja_cell);
                }
                other => panic!("{other}"),
            }
        }
    }
    // the words of the cells are the catalogue's: a 目標値 of text and one not applicable
    let kinds: Vec<&str> = ja.iter().map(|r| r[16].as_str()).collect();
    assert!(
        kinds.contains(&"数値") && kinds.contains(&"該当なし"),
        "{kinds:?}"
    );
}

/// Whether pyarrow can be imported; a missing pyarrow fails the test when
/// KPIROLL_REQUIRE_PYARROW is set (as `.ci/run` sets it), else skips it loudly.
fn pyarrow_present() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyarrow.parquet"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("KPIROLL_REQUIRE_PYARROW").is_none(),
            "pyarrow is required (KPIROLL_REQUIRE_PYARROW is set): pip install pyarrow"
        );
        eprintln!(
            "\n**************************************************************\n\
             SKIPPED: the Parquet export was NOT checked with pyarrow\n\
             (python3 -c 'import pyarrow' failed): pip install pyarrow\n\
             **************************************************************\n"
        );
    }
    ok
}

const READ_PARQUET: &str = r#"
import json, sys
import pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
print(json.dumps({
    "types": [[f.name, str(f.type)] for f in table.schema],
    "rows": table.to_pylist(),
}, ensure_ascii=False))
"#;

#[test]
fn parquet_reads_in_pyarrow_with_plain_string_columns_field_by_field() {
    if !pyarrow_present() {
        return;
    }
    let work = Work::new();
    let (rows, json) = r7_export(&work);
    work.run_status(&["export", "R7.xlsx", "-o", "R7.parquet"], 0);
    let out = Command::new("python3")
        .args(["-c", READ_PARQUET])
        .arg(work.path("R7.parquet"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Json = serde_json::from_slice(&out.stdout).unwrap();
    let types: Vec<(String, String)> = read["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().into(), t[1].as_str().unwrap().into()))
        .collect();
    let want_type = |key: &str| match key {
        "kpi_index" => "uint32",
        "target_number" | "actual_number" | "achievement" => "double",
        _ => "string",
    };
    assert_eq!(
        types,
        COLUMNS
            .iter()
            .map(|(k, _)| (k.to_string(), want_type(k).to_string()))
            .collect::<Vec<_>>(),
        "plain strings, not string views"
    );
    let records = read["rows"].as_array().unwrap();
    assert_eq!(records.len(), rows.len());
    for (i, (row, record)) in rows.iter().zip(records).enumerate() {
        let want = flat(row, &json[i]["achievement"], &json[i]["grade"]);
        for (key, _) in COLUMNS {
            let got = &record[key];
            match (&want[key], got) {
                // pyarrow gives a whole double as 30.0, JSON's number as 30
                (Json::Number(w), Json::Number(g)) => {
                    assert_eq!(w.as_f64(), g.as_f64(), "{key} of {row:?}");
                }
                (w, g) => assert_eq!(w, g, "{key} of {row:?}"),
            }
        }
    }
}

/// The diff CSV's side columns, each side: (id, Japanese, English).
const SIDE: [(&str, &str); 9] = [
    ("担当課", "departments"),
    ("事業名", "project"),
    ("事業概要", "summary"),
    ("KPI", "kpi_text"),
    ("単位", "unit"),
    ("目標値", "target"),
    ("実績値", "actual"),
    ("達成率", "achievement"),
    ("評価", "grade"),
];

#[test]
fn diff_csv_lists_every_row_with_what_changed_and_both_years_rates() {
    let work = Work::new();
    r7_book(&work);
    diff_r6_r7(&work, "ja.csv");
    let mut en_args = vec!["--lang", "en"];
    en_args.extend(diff_r6_r7_args("en.csv"));
    work.run_status(&en_args, 0);
    let diff: Json = diff_json(&work);
    let (ja_headers, ja) = read_csv(&work.path("ja.csv"));
    let (en_headers, en) = read_csv(&work.path("en.csv"));
    let mut want_ja = vec![
        "事務事業番号",
        "KPI番号",
        "区分",
        "変更点",
        "基本目標",
        "施策",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    let mut want_en = vec!["key", "kpi", "status", "changes", "goal", "measure"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    for (ja_side, en_side) in [("比較元", "old"), ("比較先", "new")] {
        want_ja.extend(SIDE.iter().map(|(j, _)| format!("{ja_side}の{j}")));
        want_en.extend(SIDE.iter().map(|(_, e)| format!("{en_side}_{e}")));
    }
    assert_eq!(ja_headers, want_ja);
    assert_eq!(en_headers, want_en);

    // one line per row of the diff, in its order, every field as the JSON report has it
    let rows = diff["rows"].as_array().unwrap();
    assert_eq!(ja.len(), rows.len());
    assert_eq!(en.len(), rows.len());
    assert_eq!(rows.len(), 67);
    let old_rows = rows_of(&work.path("R6.xlsx"));
    let new_rows = rows_of(&work.path("R7.xlsx"));
    let find = |rows: &[Row], key: &str, kpi: u64| -> Option<Row> {
        rows.iter()
            .find(|r| r.project_nos[0] == key && u64::from(r.kpi_index) == kpi)
            .cloned()
    };
    let status_ja = |s: &str| match s {
        "added" => "追加",
        "removed" => "削除",
        "changed" => "変更",
        "unchanged" => "変更なし",
        other => panic!("{other}"),
    };
    for ((r, ja), en) in rows.iter().zip(&ja).zip(&en) {
        let (key, kpi) = (r["key"].as_str().unwrap(), r["kpi"].as_u64().unwrap());
        assert_eq!(
            (ja[0].as_str(), ja[1].as_str()),
            (key, kpi.to_string().as_str())
        );
        let status = r["status"].as_str().unwrap();
        assert!(ja[2].starts_with(status_ja(status)), "{ja:?}");
        assert!(en[2].starts_with(status), "{en:?}");
        let fields: Vec<&str> = r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        let flag: Vec<&str> = ja[3].split(' ').filter(|s| !s.is_empty()).collect();
        let flag_fields: Vec<&str> = flag.iter().map(|f| f.split('（').next().unwrap()).collect();
        assert_eq!(flag_fields, fields, "{key} changes");
        assert_eq!(fields.is_empty(), status != "changed", "{key}");
        let old = (status != "added")
            .then(|| find(&old_rows, key, kpi))
            .flatten();
        let new = (status != "removed")
            .then(|| find(&new_rows, key, kpi))
            .flatten();
        for (s, side, name) in [(6usize, &old, "old"), (15, &new, "new")] {
            let cells = &ja[s..s + 9];
            let Some(row) = side else {
                assert!(
                    cells.iter().all(String::is_empty),
                    "{key} {name}: {cells:?}"
                );
                continue;
            };
            let rate = &r["achievement"][name];
            let grade = r["grade"][name].as_str().unwrap_or("—");
            assert_eq!(
                cells[..7],
                [
                    row.departments.join(" "),
                    row.project.clone(),
                    row.summary.clone(),
                    row.kpi.clone(),
                    row.unit.clone(),
                    row.target.raw.clone(),
                    row.actual.raw.clone(),
                ],
                "{key} {name}"
            );
            assert_eq!(cells[7].parse::<f64>().ok(), rate.as_f64(), "{key} {name}");
            assert_eq!(cells[8], grade, "{key} {name}");
        }
        assert_eq!(ja[4..], en[4..], "the same values in both languages");
    }
    // the 組織改正 says so in the flag column
    let renamed = ja.iter().find(|r| r[0] == "432-5").unwrap();
    assert_eq!(renamed[3], "担当課（組織改正）");
    assert_eq!(ja.iter().filter(|r| r[2] == "変更なし").count(), 51);
}
