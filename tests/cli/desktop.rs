//! kpiroll.exe started from Windows Explorer: a folder dropped onto it is checked and the
//! report left beside the folder (the same text `kpiroll check` prints), and the PDF
//! handout's message when LibreOffice is missing. The start-up decision itself is
//! unit-tested in `cli::desktop`; the whole of it runs under wine in `just windows-check`.

use std::path::Path;
use std::process::ExitCode;

use kpiroll::cli::desktop::check_dropped;
use kpiroll::profile::{Lang, Profile};

use crate::common::{Work, RETURNS};

/// A returns folder as a clerk's PC has it: Japanese names with spaces and brackets, a
/// re-sent return, a locked file Excel has open (`~$`), a return kpiroll refuses.
fn clerks_folder(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let copy = |from: &str, to: &str| {
        std::fs::copy(Path::new(RETURNS).join(from), dir.join(to)).unwrap();
    };
    copy("市民課.tsv", "[再提出] 市民課 (1).tsv");
    copy("税務課.tsv", "税務課 （R7）.tsv");
    std::fs::write(dir.join("~$市民課 (1).xlsx"), b"\x05clerk   lock").unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/ingest/broken/encrypted.xlsx"
        ),
        dir.join("財政課【暗号】.xlsx"),
    )
    .unwrap();
}

#[test]
fn a_dropped_folder_is_checked_and_its_report_left_beside_it() {
    let work = Work::new();
    let folder = work.path("R7回答 [総務部] (2)");
    clerks_folder(&folder);

    let status = check_dropped(std::slice::from_ref(&folder), &Profile::builtin(Lang::Ja));
    assert_eq!(status, ExitCode::from(1), "the encrypted return is refused");

    let bytes = std::fs::read(work.path("R7回答 [総務部] (2)_確認結果.txt")).unwrap();
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a byte-order mark");
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        text.split("\r\n").all(|l| !l.contains('\n')),
        "CRLF line ends only"
    );
    let text = text.replace("\r\n", "\n");

    // the same text as `kpiroll check`: the files, the problems, the summary
    let (stdout, stderr) = work.run_status(&["check", "R7回答 [総務部] (2)"], 1);
    let (listing, summary) = stdout.trim_end().rsplit_once('\n').unwrap();
    let relative = |s: &str| s.replace(&format!("{}/", work.dir.path().display()), "");
    assert_eq!(relative(&text), format!("{listing}\n{stderr}{summary}\n"));
    assert!(
        text.contains("[再提出] 市民課 (1).tsv\n  シート - 見出し行 "),
        "{text}"
    );
    assert!(text.contains("税務課 （R7）.tsv\n"), "{text}");
    assert!(text.contains("財政課【暗号】.xlsx"), "{text}");
    assert!(text.contains("パスワードで保護されています"), "{text}");
    assert!(!text.contains("~$"), "the lock file is passed over: {text}");
    assert!(summary.starts_with("3 ファイル"), "{summary}");

    // a second drop replaces the first report
    std::fs::remove_file(folder.join("財政課【暗号】.xlsx")).unwrap();
    let status = check_dropped(std::slice::from_ref(&folder), &Profile::builtin(Lang::Ja));
    assert_eq!(status, ExitCode::from(0));
    let again = std::fs::read_to_string(work.path("R7回答 [総務部] (2)_確認結果.txt")).unwrap();
    assert!(
        again.contains("2 ファイル") && !again.contains("暗号"),
        "{again}"
    );
}

#[test]
fn a_dropped_file_s_report_in_english_and_a_report_that_cannot_be_written() {
    let work = Work::new();
    let folder = work.path("R7 returns");
    clerks_folder(&folder);
    let file = folder.join("[再提出] 市民課 (1).tsv");
    let status = check_dropped(std::slice::from_ref(&file), &Profile::builtin(Lang::En));
    assert_eq!(status, ExitCode::from(0));
    let text = std::fs::read_to_string(folder.join("[再提出] 市民課 (1).tsv_check.txt")).unwrap();
    assert!(text.starts_with("\u{feff}"), "{text}");
    assert!(text.contains("1 files: "), "{text}");

    // where the report cannot be written (here a folder holds its name): the report is
    // still shown, and the status says nothing was written
    let inner = work.path("R7");
    clerks_folder(&inner);
    std::fs::create_dir(work.path("R7_確認結果.txt")).unwrap();
    let status = check_dropped(std::slice::from_ref(&inner), &Profile::builtin(Lang::Ja));
    assert_eq!(status, ExitCode::from(2));
    assert!(work.path("R7_確認結果.txt").is_dir());
}

#[test]
fn without_libreoffice_the_handout_says_how_to_get_a_pdf() {
    let work = Work::new();
    work.run_status(&["demo", "-o", "demo"], 0);
    let empty = work.path("no-programs");
    std::fs::create_dir(&empty).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
        .args([
            "--lang",
            "ja",
            "handout",
            "demo/R7.xlsx",
            "-o",
            "h.xlsx",
            "--pdf",
        ])
        .current_dir(work.dir.path())
        .env("PATH", &empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // elsewhere than on Windows: the package to install
    assert!(
        stderr.contains("LibreOffice（soffice）が見つからない"),
        "{stderr}"
    );
    assert!(
        stderr.contains("apt-get install libreoffice-calc"),
        "{stderr}"
    );
    assert!(
        work.path("h.xlsx").is_file(),
        "the handout itself is written"
    );
}
