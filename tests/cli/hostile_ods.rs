//! Crafted .ods and .xls of a few kilobytes that ask for minutes or gigabytes (built by
//! the hostile corpus' generator, `examples/make_hostile.rs`): each run through `kpiroll
//! check` beside a good return under a memory cap and a watchdog, and refused at the
//! named cell (or read), its exit 0 or 1, no abort, the good return's rows as when read
//! alone; and the .ods cases read rather than refused (a sub-table, blank areas).
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{without_locale, Work};
use crate::hostile::make_hostile::ods_xls::*;

/// Memory the process may map (`ulimit -v`, KiB) and the time it may take.
const CAP_KIB: u64 = 512 * 1024;
const WATCHDOG: Duration = Duration::from_secs(5);

/// Runs `kpiroll check` on `files` under the memory cap, killed past the watchdog;
/// returns (status, stdout, stderr, whether it outlived the watchdog).
fn check_capped(work: &Work, files: &[&str]) -> (Option<i32>, String, String, bool) {
    let mut command = format!(
        "ulimit -v {CAP_KIB}; exec '{}' check",
        env!("CARGO_BIN_EXE_kpiroll")
    );
    for f in files {
        command.push_str(&format!(" '{f}'"));
    }
    let mut child = without_locale(Command::new("sh").args(["-c", &command]))
        .current_dir(work.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut late = false;
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > WATCHDOG {
            late = true;
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        late,
    )
}

/// The lines `check` prints for one file (its path, then its tables).
fn block(stdout: &str, file: &str) -> Vec<String> {
    let mut lines = stdout.lines().skip_while(|l| *l != file);
    let mut out: Vec<String> = lines.next().map(str::to_string).into_iter().collect();
    out.extend(
        lines
            .take_while(|l| l.starts_with("  "))
            .map(str::to_string),
    );
    out
}

/// `name` written from `build` beside the good .ods return, both checked under the cap:
/// (status, stdout, stderr, whether it outlived the watchdog).
fn checked_beside_good_ods(
    build: fn() -> Vec<u8>,
    name: &str,
) -> (Option<i32>, String, String, bool) {
    let work = Work::new();
    std::fs::write(work.path(name), build()).unwrap();
    std::fs::write(work.path("good.ods"), ods_good()).unwrap();
    check_capped(&work, &[name, "good.ods"])
}

/// Builds `name` with `build`, checks it beside the good return under the cap: refused
/// at `expected` (a piece of the message naming the cell) with status 1, and the good
/// return read as when alone.
fn refused_beside_good(
    build: fn() -> Vec<u8>,
    name: &str,
    good: fn() -> Vec<u8>,
    good_name: &str,
    expected: &str,
) {
    let work = Work::new();
    std::fs::write(work.path(name), build()).unwrap();
    std::fs::write(work.path(good_name), good()).unwrap();
    let (status, alone, stderr, late) = check_capped(&work, &[good_name]);
    assert_eq!(
        (status, late),
        (Some(0), false),
        "{good_name} alone: {stderr}"
    );
    let (status, stdout, stderr, late) = check_capped(&work, &[name, good_name]);
    assert!(!late, "{name}: still running after {WATCHDOG:?}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert_eq!(status, Some(1), "{name}: {stdout}\n{stderr}");
    assert!(
        stderr.contains(expected),
        "{name}: expected {expected}:\n{stderr}"
    );
    assert!(
        !stderr.contains(good_name),
        "the good return has no problem: {stderr}"
    );
    let good_block = block(&stdout, good_name);
    assert!(good_block.len() > 1, "{stdout}");
    assert_eq!(
        good_block,
        block(&alone, good_name),
        "the good return's rows unchanged"
    );
}

#[test]
fn a_value_repeated_over_a_billion_rows_and_columns_is_refused_at_its_cell() {
    refused_beside_good(
        ods_repeat_dos,
        "dos.ods",
        ods_good,
        "good.ods",
        "dos.ods!入力!A3: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
    refused_beside_good(
        ods_repeat_inside,
        "inside.ods",
        ods_good,
        "good.ods",
        "inside.ods!入力!A3: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
}

#[test]
fn overlapping_merged_areas_are_counted_per_listing_and_refused() {
    // 250,000 cells each: the fifth listing goes beyond the 1,000,000 cells of a file
    refused_beside_good(
        ods_overlapping_value_spans,
        "spans.ods",
        ods_good,
        "good.ods",
        "spans.ods!入力!N7: 取り込めません: このファイルの結合セルが上限（全シートで 1000000 セル、--max-merged-cells）を超えるため",
    );
    // blank, they fill nothing and cost nothing: read at once
    let (status, stdout, stderr, late) =
        checked_beside_good_ods(ods_overlapping_spans, "blank.ods");
    assert_eq!((status, late), (Some(0), false), "{stdout}\n{stderr}");
    assert!(
        block(&stdout, "blank.ods")[1].contains("行数 1"),
        "{stdout}"
    );
}

#[test]
fn merged_areas_are_counted_over_all_sheets_of_an_ods() {
    // 998,400 cells each: the second sheet's area goes beyond the file's 1,000,000
    refused_beside_good(
        ods_merged_tables,
        "tables.ods",
        ods_good,
        "good.ods",
        "tables.ods!S1!A1: 取り込めません: このファイルの結合セルが上限（全シートで 1000000 セル、--max-merged-cells）を超えるため",
    );
}

#[test]
fn repeated_spaces_count_as_the_text_they_make() {
    refused_beside_good(
        ods_spaces_repeated,
        "spaces.ods",
        ods_good,
        "good.ods",
        "spaces.ods!入力!A3: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
    // one cell of 300 MB of spaces: read up to 1 MiB, blank, the file taken
    let (status, stdout, stderr, late) = checked_beside_good_ods(ods_spaces_one_cell, "one.ods");
    assert_eq!((status, late), (Some(0), false), "{stdout}\n{stderr}");
    assert_eq!(
        block(&stdout, "one.ods"),
        block(&stdout, "good.ods")
            .iter()
            .map(|l| l.replace("good.ods", "one.ods"))
            .collect::<Vec<_>>()
    );
    // 30 KB a cell: the 8,714th goes beyond 256 MiB
    refused_beside_good(
        ods_spaces_cells,
        "cells.ods",
        ods_good,
        "good.ods",
        "cells.ods!入力!N90: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
}

#[test]
fn a_long_text_repeated_is_counted_in_bytes_not_cells() {
    refused_beside_good(
        ods_long_text_repeated,
        "long.ods",
        ods_good,
        "good.ods",
        "long.ods!入力!A3: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
}

#[test]
fn xls_sheets_reaching_iv65536_are_refused_before_they_are_laid_out() {
    refused_beside_good(
        xls_far_values,
        "far.xls",
        xls_good,
        "good.xls",
        "far.xls!S1!IV65536: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
    // the cells reserved from DIMENSIONS alone
    refused_beside_good(
        xls_declared_far,
        "declared.xls",
        ods_good,
        "good.ods",
        "declared.xls!S1!IV65536: 取り込めません: このファイルの文字とセルが上限（256 MiB、--max-text-mib）を超えるため",
    );
}

#[test]
fn the_read_limit_is_the_files_and_can_be_changed_for_a_run() {
    // the return, and a memo sheet of 2,000 rows × 16 columns of "x" (about 2 MiB read)
    let work = Work::new();
    let memo = r#"<table:table-row table:number-rows-repeated="2000"><table:table-cell table:number-columns-repeated="16" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let body = format!("{}{}", table("入力", &return_rows("")), table("メモ", memo));
    std::fs::write(work.path("memo.ods"), ods(&body)).unwrap();
    let (stdout, _) = work.run_status(&["check", "memo.ods"], 0);
    assert!(
        stdout.contains("シート 入力 見出し行 1 年度 R6 行数 1"),
        "{stdout}"
    );
    let (_, stderr) = work.run_status(&["check", "--max-text-mib", "1", "memo.ods"], 1);
    assert!(
        stderr.contains("memo.ods!メモ!A1: 取り込めません: このファイルの文字とセルが上限（1 MiB、--max-text-mib）"),
        "{stderr}"
    );
}

#[test]
fn a_table_inside_a_cell_does_not_end_the_sheet() {
    let work = Work::new();
    std::fs::write(work.path("sub.ods"), ods_sub_table()).unwrap();
    let (status, stdout, stderr, late) = check_capped(&work, &["sub.ods"]);
    assert_eq!((status, late), (Some(0), false), "{stdout}\n{stderr}");
    assert!(stdout.contains("行数 5"), "all five rows: {stdout}");
    // in the book: the five rows, the cell's own text, nothing of the sub-table's
    work.run_status(
        &["consolidate", "--year", "R6", "sub.ods", "-o", "book.xlsx"],
        0,
    );
    let sheet = crate::common::read_sheet(&work.path("book.xlsx"), "一覧");
    let texts: Vec<String> = sheet
        .values
        .keys()
        .map(|(r, c)| sheet.text(*r, *c))
        .collect();
    for key in ["411-1", "411-2", "411-3", "411-4", "411-5"] {
        assert!(texts.iter().any(|t| t == key), "{key} in the book");
    }
    assert!(texts.iter().any(|t| t == "概要"));
    assert!(!texts.iter().any(|t| t.contains("サブ表") || t == "411-9"));
}
