//! Property tests: the value and key parsers never panic and keep the raw text; any
//! table the model can hold comes back equal through the book (model → xlsx → model).

use std::collections::BTreeMap;

use kpiroll::model::{Book, FiscalYear, Goal, Row};
use kpiroll::profile::{Lang, Profile};
use kpiroll::value::{clean_raw, parse_keys, parse_value};
use proptest::prelude::*;

fn profile() -> Profile {
    Profile::builtin(Lang::Ja)
}

/// Text a cell of the model can hold: Japanese and ASCII words, inner spaces, no
/// surrounding whitespace.
fn words() -> impl Strategy<Value = String> {
    "[あ-んア-ン一-龥A-Za-z0-9（）・、。%=+@/-]{1,12}( [あ-ん一-龥a-z0-9]{1,6}){0,2}"
}

fn raw_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..2_000_000).prop_map(|n| n.to_string()),
        (1_000u32..2_000_000).prop_map(|n| {
            let s = n.to_string();
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }),
        (0u32..100_000, 1usize..3).prop_map(|(n, d)| format!(
            "{}.{:0d$}",
            n / 100,
            n % 10usize.pow(d as u32) as u32,
            d = d
        )),
        (0u32..1000, 0usize..2).prop_map(|(n, d)| if d == 0 {
            format!("{n}%")
        } else {
            format!("{}.{}%", n / 10, n % 10)
        }),
        Just("-".to_string()),
        Just("—".to_string()),
        Just(String::new()),
        Just("集計中".to_string()),
        Just("107% (16/14)".to_string()),
        (1u32..500).prop_map(|n| format!("△{n}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn value_parser_keeps_raw_text_and_never_panics(s in "\\PC{0,20}") {
        let v = parse_value(&s, &profile().patterns);
        prop_assert_eq!(v.raw, clean_raw(&s));
    }

    #[test]
    fn key_parser_reads_any_spelling_of_a_key(a in 100u32..1000, b in 1u32..1000, dash in 0usize..6, wide in any::<bool>(), pad in any::<bool>()) {
        let dashes = ["-", "－", "−", "‐", "ー", "_"];
        let mut text = format!("{a}{}{b}", dashes[dash]);
        if wide {
            text = text.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap() } else { c }).collect();
        }
        if pad {
            text = format!(" {text}\n");
        }
        let (keys, note) = parse_keys(&text, &profile().patterns).unwrap();
        prop_assert_eq!(keys, vec![format!("{a}-{b}")]);
        prop_assert_eq!(note, "");
    }

    #[test]
    fn key_parser_never_panics(s in "\\PC{0,16}") {
        let _ = parse_keys(&s, &profile().patterns);
    }
}

/// A random table: 1–3 goals, each with 1–3 measures of 1–4 projects of 1–2 KPIs.
fn table() -> impl Strategy<Value = Vec<Row>> {
    let kpi = (
        words(),
        words(),
        raw_value(),
        raw_value(),
        prop_oneof![Just(String::new()), words()],
    );
    let project = (
        words(),
        words(),
        words(),
        prop::collection::vec(kpi, 1..3),
        any::<bool>(),
    );
    let measure = (words(), words(), prop::collection::vec(project, 1..5));
    let goal = (words(), words(), prop::collection::vec(measure, 1..4));
    prop::collection::vec(goal, 1..4).prop_map(|goals| {
        let p = profile().patterns;
        let numerals = ["Ⅰ", "Ⅱ", "Ⅲ"];
        let circled = ["①", "②", "③", "④"];
        let mut rows = Vec::new();
        let mut key = 100;
        for (g, (title, target, measures)) in goals.into_iter().enumerate() {
            for (m, (measure, measure_kpi, projects)) in measures.into_iter().enumerate() {
                for (dept, name, summary, kpis, joint) in projects {
                    key += 1;
                    for (i, (kpi, unit, target_raw, actual_raw, remarks)) in kpis.iter().enumerate()
                    {
                        let mut departments = vec![dept.split(' ').next().unwrap().to_string()];
                        if joint {
                            departments.push("共同課".to_string());
                        }
                        rows.push(Row {
                            goal: Goal {
                                no: numerals[g].to_string(),
                                title: title.clone(),
                            },
                            goal_targets: vec![target.clone()],
                            measure_no: circled[m].to_string(),
                            measure: format!("{}{}", circled[m], measure),
                            measure_kpi: measure_kpi.clone(),
                            departments,
                            project: name.clone(),
                            project_nos: vec![format!("{key}-{}", g + 1)],
                            project_nos_note: String::new(),
                            summary: summary.clone(),
                            kpi: format!("{kpi}{i}"),
                            kpi_index: i as u32 + 1,
                            unit: unit.clone(),
                            target: parse_value(target_raw, &p),
                            actual: parse_value(actual_raw, &p),
                            year: FiscalYear(2024),
                            flags: Vec::new(),
                            remarks: remarks.clone(),
                            extra: BTreeMap::new(),
                        });
                    }
                }
            }
        }
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_table_comes_back_equal_through_the_book(rows in table()) {
        let profile = profile();
        let book = Book { year: FiscalYear(2024), rows };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        kpiroll::pipeline::write_book(&book, &path, false, &profile).unwrap();
        let back = kpiroll::pipeline::read_book(&path, &profile).unwrap();
        prop_assert_eq!(back.report.refusals(), 0, "{}", back.report.render(&profile));
        prop_assert_eq!(back.merged.book.rows, book.rows);
    }
}
