//! The unseen corpus (fixtures/unseen): returns made by another recipe than the tests'
//! own, scored against their answer key by `fixtures/unseen/score.py`, which runs the
//! built binary, reads the books it writes with openpyxl and exits 0 only when every
//! row, field and scenario is as the key says.

use std::process::Command;

/// `label: A / B` of the scorer's output, as (A, B).
fn counted(stdout: &str, label: &str) -> (u32, u32) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in\n{stdout}"));
    let (a, b) = line[label.len()..]
        .split_once('/')
        .unwrap_or_else(|| panic!("`{line}`"));
    (a.trim().parse().unwrap(), b.trim().parse().unwrap())
}

#[test]
fn the_unseen_corpus_scores_in_full() {
    let openpyxl = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output();
    if !openpyxl.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: the unseen corpus is scored with python3 and openpyxl \
             (`pip install openpyxl`), not found here"
        );
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg(format!("{root}/fixtures/unseen/score.py"))
        .args(["--kpiroll", env!("CARGO_BIN_EXE_kpiroll"), "--root", root])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // the full score, every count against its total
    for label in ["rows exact:", "fields exact:", "guards passed:"] {
        let (exact, total) = counted(&stdout, label);
        assert!(total > 0, "{label} of nothing\n{stdout}");
        assert_eq!(exact, total, "{label}\n{stdout}");
    }
    assert!(stdout.contains("misses (0):"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}
