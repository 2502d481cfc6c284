//! Every kind of workbook kpiroll writes (the book, the working book, the handout, the
//! diff report, the forms, and a second city's book) checked by `openxml-audit` (PyPI),
//! which applies the Open XML rules Excel applies: 0 errors. Its warnings (inline
//! strings, which Excel moves to a shared-string table when it next saves) are allowed.
//! Skipped, with a line on stderr, where `openxml-audit` is not installed (`.ci/run`
//! installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::Work;

fn audit_available() -> bool {
    Command::new("openxml-audit")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn workbooks(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            workbooks(&path, out);
        } else if path.extension().is_some_and(|e| e == "xlsx") {
            out.push(path);
        }
    }
}

/// The number of errors `openxml-audit` finds in `path`, and its report.
fn audit(path: &Path) -> (u64, String) {
    let out = Command::new("openxml-audit")
        .args(["-o", "json", "-m", "20"])
        .arg(path)
        .output()
        .expect("openxml-audit runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {text}", path.display()));
    let first = report.get(0).unwrap_or(&report);
    let errors = first["error_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: no error_count in {text}", path.display()));
    (errors, text)
}

#[test]
fn every_workbook_kpiroll_writes_passes_openxml_audit() {
    if !audit_available() {
        eprintln!("openxml-audit is not installed (pip install openxml-audit): skipped");
        return;
    }
    let work = Work::new();
    work.run_status(&["demo", "-o", "demo"], 0);
    let city2 = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/city2");
    work.run_status(
        &[
            "--templates",
            city2.join("templates").to_str().unwrap(),
            "consolidate",
            "--year",
            "R6",
            city2.join("R6").to_str().unwrap(),
            "-o",
            "city2_R6.xlsx",
        ],
        0,
    );
    let mut books = Vec::new();
    workbooks(&work.path("demo"), &mut books);
    books.push(work.path("city2_R6.xlsx"));
    // the demo writes each kind: the R6 book, the R7 working book, the handout, the
    // diff report and one form per 課
    let names: Vec<String> = books
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for kind in [
        "R6.xlsx",
        "R7.xlsx",
        "資料2-2_R7.xlsx",
        "R6-R7_diff.xlsx",
        "city2_R6.xlsx",
    ] {
        assert!(names.iter().any(|n| n == kind), "{kind} among {names:?}");
    }
    assert!(
        names.iter().any(|n| n.starts_with("R7_")),
        "forms among {names:?}"
    );
    for book in &books {
        let (errors, report) = audit(book);
        assert_eq!(errors, 0, "{}: {report}", book.display());
    }
}
