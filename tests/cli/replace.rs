//! An output that is there but cannot be replaced — on Windows, a workbook open in
//! Excel, which the system refuses to replace — is refused with a message that says to
//! close it, in both languages; the file there is left as it was and nothing else is
//! left behind. On Linux the same refusal comes from an immutable file (`chattr +i`,
//! which needs root and a file system that has it; skipped, with a line on stderr,
//! where it cannot be set).

use std::process::Command;

use crate::common::{Work, SEED};

/// `chattr +i` on a path, undone when dropped (so the folder can be removed).
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: std::path::PathBuf) -> Option<Immutable> {
        let set = Command::new("chattr").arg("+i").arg(&path).output();
        set.is_ok_and(|o| o.status.success())
            .then_some(Immutable(path))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
    }
}

#[test]
fn an_output_that_cannot_be_replaced_says_to_close_it_in_excel() {
    let work = Work::new();
    work.run_status(&["consolidate", "--year", "R6", SEED, "-o", "R6.xlsx"], 0);
    let book = work.path("R6.xlsx");
    let before = std::fs::read(&book).unwrap();
    let Some(_held) = Immutable::set(book.clone()) else {
        eprintln!("chattr +i cannot be set here (root and ext4 or the like are needed): skipped");
        return;
    };
    let args = [
        "consolidate",
        "--force",
        "--year",
        "R6",
        SEED,
        "-o",
        "R6.xlsx",
    ];
    let (_, ja) = work.run_status(&args, 2);
    let (_, en) = work.run_status(&[&["--lang", "en"], &args[..]].concat(), 2);
    assert!(
        ja.contains("R6.xlsx: 出力先のファイルを置き換えられません（")
            && ja.contains("）。Excel などで開いている場合は閉じてから、もう一度実行してください"),
        "{ja}"
    );
    assert!(
        en.contains("R6.xlsx: cannot replace the output file (")
            && en.contains("). If it is open in Excel or another program, close it and run again"),
        "{en}"
    );
    assert_eq!(
        std::fs::read(&book).unwrap(),
        before,
        "the book there changed"
    );
    let mut left: Vec<String> = std::fs::read_dir(work.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["R6.xlsx"], "files left in the folder");
}
