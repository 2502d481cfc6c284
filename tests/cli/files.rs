//! The file system and text files as found: folders with links, pipes and devices,
//! text files with stray quotes, blank lines and mixed encodings, texts at Excel's
//! limit, characters XML forbids, outputs that are inputs or not files at all, the
//! temporary file of a killed run, control characters in names and values. Every
//! written workbook is read back, each XML part parsed by a strict parser, and the
//! inputs' bytes are checked unchanged.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{consolidate_over, kpiroll_in, read_sheet, tsv_header, Work, R7_FORMS};

/// A table as TSV text: a section row, the header for `year`, the rows.
fn tsv(year: &str, rows: &[String]) -> String {
    let mut text = format!(
        "基本目標Ⅰ 地域を元気にするしごとづくり\n{}\n",
        tsv_header(year)
    );
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

/// One data row: 課, 事業名, key, 事業概要, 実績値, 備考.
fn row(
    department: &str,
    project: &str,
    key: &str,
    summary: &str,
    actual: &str,
    remarks: &str,
) -> String {
    format!("市内事業所数\t①\t①創業の支援\t創業数\t{department}\t{project}\t{key}\t{summary}\t件数\t件\t5\t{actual}\t{remarks}")
}

/// A table of one row of 産学振興課 (432-5 事業A) with `actual` as `year`'s 実績値, at `path`.
fn one_row_table(path: &Path, year: &str, actual: &str) {
    std::fs::write(
        path,
        tsv(
            year,
            &[row("産学振興課", "事業A", "432-5", "概要", actual, "")],
        ),
    )
    .unwrap();
}

/// `consolidate --year R6 r6.tsv -o OUT --force` in `work`, refused as bad usage (2).
fn consolidate_r6_forced(work: &Work, out: &str) -> (String, String) {
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "r6.tsv",
            "-o",
            out,
            "--force",
        ],
        2,
    )
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            out.extend(contents(&e.path()));
        } else if kind.is_file() {
            out.insert(e.path(), std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Parses every XML part of the workbook at `path` with a strict parser (roxmltree:
/// characters XML 1.0 forbids, unclosed elements, bad entities are all errors).
fn assert_well_formed(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = 0;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        if ![".xml", ".rels", ".vml"].iter().any(|e| name.ends_with(e)) {
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{}: {name} is not UTF-8: {e}", path.display()));
        if let Err(e) = roxmltree::Document::parse(&text) {
            panic!("{}: {name} is not well-formed XML: {e}", path.display());
        }
        parts += 1;
    }
    assert!(parts > 3, "{}: a workbook has its parts", path.display());
}

/// Runs kpiroll in `work` and kills it if it has not ended after a generous while: a
/// walk that does not end fails the test instead of hanging the suite.
fn run_watched(work: &Work, args: &[&str]) -> Output {
    let mut child = kpiroll_in(work.dir.path())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "kpiroll {args:?} did not end: killed\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_folder_walk_reads_regular_files_once_and_lists_what_it_skips() {
    use std::os::unix::fs::symlink;
    let work = Work::new();
    let dir = work.path("in");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    one_row_table(&dir.join("sub/r.tsv"), "R6", "2");
    // two self-links: 2^n paths if followed
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    symlink(".", dir.join("sub/a")).unwrap();
    // a loop through the parent, a way out of the folder, a link to a table
    symlink("..", dir.join("sub/up")).unwrap();
    symlink("/etc", dir.join("etc")).unwrap();
    symlink("sub/r.tsv", dir.join("link.tsv")).unwrap();
    // a named pipe nobody writes to, an endless device behind a table's name
    mkfifo(&dir.join("pipe.tsv"));
    symlink("/dev/zero", dir.join("zero.csv")).unwrap();
    let out = run_watched(&work, &["check", "in"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // the one return, read once
    let listed: Vec<&str> = stdout.lines().filter(|l| l.ends_with(".tsv")).collect();
    assert_eq!(listed, vec!["in/sub/r.tsv"], "{stdout}");
    assert!(stdout.contains("行数 1"), "{stdout}");
    for (name, why) in [
        ("a", "リンク"),
        ("b", "リンク"),
        ("up", "リンク"),
        ("etc", "リンク"),
        ("link.tsv", "リンク"),
        ("zero.csv", "リンク"),
        ("pipe.tsv", "普通のファイルではない"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("{name}: 取り込めません: ")))
            .unwrap_or_else(|| panic!("{name} listed as skipped\n{stderr}"));
        assert!(line.contains(why), "{line}");
    }
    // named on the command line: a pipe and a device are skipped, a link is followed
    let out = run_watched(
        &work,
        &["check", "in/pipe.tsv", "in/zero.csv", "in/link.tsv"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("pipe.tsv: 取り込めません: 普通のファイルではない"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.csv: 取り込めません: 普通のファイルではない"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("行数 1"));
}

#[test]
fn an_unclosed_quote_in_a_tsv_swallows_nothing() {
    let work = Work::new();
    let rows: Vec<String> = (1..=5)
        .map(|i| {
            let summary = if i == 2 {
                "\"引用の始まり"
            } else {
                "概要"
            };
            row(
                "産学振興課",
                &format!("事業{i}"),
                &format!("432-{i}"),
                summary,
                "2",
                "",
            )
        })
        .collect();
    let text = tsv("R6", &rows);
    std::fs::write(work.path("r.tsv"), &text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R6", "r.tsv", "-o", "out.xlsx"],
        0,
    );
    assert!(
        stderr.contains("r.tsv!H4: 確認してください: 「\"」で始まるフィールド"),
        "{stderr}"
    );
    let book = read_sheet(&work.path("out.xlsx"), "一覧");
    let keys: Vec<String> = (0..book.height)
        .map(|r| book.text(r, 6))
        .filter(|k| k.starts_with("432-"))
        .collect();
    assert_eq!(keys, ["432-1", "432-2", "432-3", "432-4", "432-5"]);
    let summary = (0..book.height)
        .find(|r| book.text(*r, 6) == "432-2")
        .map(|r| book.text(r, 7));
    assert_eq!(summary.as_deref(), Some("\"引用の始まり"));
    assert_well_formed(&work.path("out.xlsx"));
    assert_eq!(std::fs::read_to_string(work.path("r.tsv")).unwrap(), text);
}

#[test]
fn blank_lines_keep_every_reported_cell_on_its_own_line() {
    let work = Work::new();
    let good = row("産学振興課", "事業A", "432-5", "概要", "2", "");
    let bad = row("産学振興課", "事業B", "57117", "概要", "2", "");
    // lines: 1 section, 2 header, 3 blank, 4 row, 5 blank, 6 the bad key
    let text = tsv("R6", &[String::new(), good, String::new(), bad]);
    std::fs::write(work.path("r.tsv"), &text).unwrap();
    let (_, stderr) = work.run_status(&["check", "r.tsv"], 1);
    assert!(
        stderr.contains("r.tsv!G6: 取り込めません: 事務事業番号「57117」"),
        "{stderr}"
    );
}

#[test]
fn the_encoding_is_decided_on_the_whole_file_and_bad_bytes_are_located() {
    let work = Work::new();
    let many: Vec<String> = (1..=300)
        .map(|i| {
            row(
                "産学振興課",
                &format!("事業{i}"),
                &format!("432-{i}"),
                "市内の創業を支援する事業",
                "2",
                "",
            )
        })
        .collect();
    // UTF-8, one stray byte in 備考 of line 302, far beyond the first 8 KiB
    let mut utf8 = tsv("R6", &many).into_bytes();
    assert!(utf8.len() > 8192 * 3);
    let at = utf8.len() - 1; // the last line's 備考, before its newline
    utf8.splice(at..at, [b'x', 0xFF]);
    std::fs::write(work.path("utf8.tsv"), &utf8).unwrap();
    // Shift_JIS, one byte it cannot read in line 302
    let text = tsv("R6", &many);
    let mut sjis = encoding_rs::SHIFT_JIS.encode(&text).0.into_owned();
    let at = sjis.len() - 1;
    sjis.splice(at..at, [b'x', 0xFD]);
    std::fs::write(work.path("sjis.tsv"), &sjis).unwrap();
    // a UTF-8 BOM, then Shift_JIS
    let small = tsv("R6", &many[..3]);
    let (small, _, _) = encoding_rs::SHIFT_JIS.encode(&small);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&small);
    std::fs::write(work.path("bom.tsv"), &bom).unwrap();
    for (file, encoding, bytes, rows) in [
        ("utf8.tsv", "UTF-8", "FF", 300),
        ("sjis.tsv", "Shift_JIS", "FD", 300),
    ] {
        let (stdout, stderr) = work.run_status(&["check", file], 0);
        assert!(stdout.contains(&format!("行数 {rows}")), "{file}: {stdout}");
        assert!(
            stderr.contains(&format!(
                "{file}!M302: 確認してください: {encoding} として読めないバイト（{bytes}）"
            )),
            "{file}: {stderr}"
        );
    }
    let (stdout, stderr) = work.run_status(&["check", "bom.tsv"], 0);
    assert!(stdout.contains("行数 3"), "{stdout}{stderr}");
    // the texts read as written, in both encodings
    work.run_status(
        &["consolidate", "--year", "R6", "sjis.tsv", "-o", "sjis.xlsx"],
        0,
    );
    work.run_status(
        &["consolidate", "--year", "R6", "bom.tsv", "-o", "bom.xlsx"],
        0,
    );
    for book in ["sjis.xlsx", "bom.xlsx"] {
        let sheet = read_sheet(&work.path(book), "一覧");
        let r = (0..sheet.height)
            .find(|r| sheet.text(*r, 6) == "432-1")
            .unwrap();
        assert_eq!(sheet.text(r, 7), "市内の創業を支援する事業", "{book}");
        assert_eq!(sheet.text(r, 4), "産学振興課", "{book}");
        assert_well_formed(&work.path(book));
    }
    assert_eq!(std::fs::read(work.path("utf8.tsv")).unwrap(), utf8);
    assert_eq!(std::fs::read(work.path("sjis.tsv")).unwrap(), sjis);
}

#[test]
fn what_kpiroll_adds_to_a_full_cell_is_cut_or_reported_and_the_book_is_written() {
    let work = Work::new();
    let full = |c: &str| c.repeat(32_767);
    std::fs::write(
        work.path("r6.tsv"),
        tsv(
            "R6",
            &[
                row("産学振興課", "事業A", "432-5", &full("旧"), "2", ""),
                row("産学振興課", "事業B", "432-6", "概要", "3", ""),
            ],
        ),
    )
    .unwrap();
    work.run_status(
        &["consolidate", "--year", "R6", "r6.tsv", "-o", "R6.xlsx"],
        0,
    );
    // this year: a new 事業概要 (a flag, a note with last year's full text), a full
    // 備考 (no room for the flag), a full text where a number belongs (quoted in 取込ログ)
    let text = tsv(
        "R7",
        &[
            row(
                "産学振興課",
                "事業A",
                "432-5",
                &full("新"),
                &full("集"),
                &full("備"),
            ),
            row("産学振興課", "事業B", "432-6", "概要", "4", ""),
        ],
    );
    std::fs::write(work.path("r7.tsv"), &text).unwrap();
    let prev = std::fs::read(work.path("R6.xlsx")).unwrap();
    let (_, stderr) = consolidate_over(&work, "R7", "R6.xlsx", "r7.tsv", "R7.xlsx", 0);
    assert!(
        stderr.contains("r7.tsv!M3: 確認してください: 備考に変更の印（事業内容変更）を書き足すと"),
        "{stderr}"
    );
    let book = work.path("R7.xlsx");
    assert_well_formed(&book);
    let list = read_sheet(&book, "一覧");
    let r = (0..list.height)
        .find(|r| list.text(*r, 6) == "432-5")
        .unwrap();
    assert_eq!(list.text(r, 7), full("新"));
    assert_eq!(
        list.text(r, 12),
        full("備"),
        "the department's 備考 kept whole"
    );
    let r = (0..list.height)
        .find(|r| list.text(*r, 6) == "432-6")
        .unwrap();
    assert_eq!(list.text(r, 11), "4");
    // 取込ログ quotes the full value cut to fit, with …
    let log = read_sheet(&book, "取込ログ");
    let quoted: Vec<String> = (0..log.height)
        .flat_map(|r| (0..8).map(move |c| (r, c)))
        .map(|(r, c)| log.text(r, c))
        .filter(|t| t.contains("集集集"))
        .collect();
    assert_eq!(quoted.len(), 1, "the value is quoted once");
    assert!(quoted[0].ends_with('…'), "cut with …");
    assert_eq!(quoted[0].encode_utf16().count(), 32_767);
    // the note with last year's text is cut to fit, with …
    let comments = crate::common::zip_member(&book, "xl/comments1.xml");
    assert!(comments.contains("旧旧旧") && comments.contains('…'));
    assert_eq!(std::fs::read(work.path("R6.xlsx")).unwrap(), prev);
    assert_eq!(std::fs::read_to_string(work.path("r7.tsv")).unwrap(), text);
}

#[test]
fn characters_xml_forbids_never_reach_a_written_workbook() {
    let work = Work::new();
    let odd = "a\u{FFFE}b\u{FFFF}c\u{1}d\u{1B}e";
    let text = tsv(
        "R6",
        &[
            row("産学振興課", &format!("事業{odd}"), "432-5", odd, "2", odd),
            row(&format!("課{odd}"), "事業B", "432-6", "概要", "3", ""),
        ],
    );
    let input = work.path("r\u{FFFF}.tsv");
    std::fs::write(&input, &text).unwrap();
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "r\u{FFFF}.tsv",
            "-o",
            "R6.xlsx",
        ],
        0,
    );
    assert_well_formed(&work.path("R6.xlsx"));
    // the texts come back as they were read
    let list = read_sheet(&work.path("R6.xlsx"), "一覧");
    let r = (0..list.height)
        .find(|r| list.text(*r, 6) == "432-5")
        .unwrap();
    assert_eq!(list.text(r, 7), odd);
    std::fs::write(
        work.path("r7.tsv"),
        tsv(
            "R7",
            &[row("産学振興課", "事業A", "432-5", "新しい概要", "4", odd)],
        ),
    )
    .unwrap();
    let runs: [&[&str]; 5] = [
        &[
            "consolidate",
            "--year",
            "R7",
            "--prev",
            "R6.xlsx",
            "r7.tsv",
            "r\u{FFFF}.tsv",
            "-o",
            "R7.xlsx",
        ],
        &["handout", "R6.xlsx", "-o", "handout.xlsx"],
        &["rollover", "R6.xlsx", "--year", "R7", "-o", "forms"],
        &["diff", "R6.xlsx", "R7.xlsx", "-o", "diff.xlsx"],
        &["export", "R6.xlsx", "-o", "rows.json"],
    ];
    for args in runs {
        let out = work.run(args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for book in ["R7.xlsx", "handout.xlsx", "diff.xlsx"] {
        assert_well_formed(&work.path(book));
    }
    let forms: Vec<PathBuf> = std::fs::read_dir(work.path("forms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(forms.len(), 2);
    for form in &forms {
        assert_well_formed(form);
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
}

#[test]
fn a_long_department_name_gets_its_form_and_the_others_theirs() {
    let work = Work::new();
    let long = format!("{}課", "あ".repeat(300));
    std::fs::write(
        work.path("r6.tsv"),
        tsv(
            "R6",
            &[
                row("企画課", "事業A", "432-5", "概要", "2", ""),
                row(&long, "事業B", "432-6", "概要", "3", ""),
                row(
                    &format!("{}別課", "あ".repeat(300)),
                    "事業C",
                    "432-7",
                    "概要",
                    "3",
                    "",
                ),
                row("んん課", "事業D", "432-8", "概要", "3", ""),
            ],
        ),
    )
    .unwrap();
    work.run_status(
        &["consolidate", "--year", "R6", "r6.tsv", "-o", "R6.xlsx"],
        0,
    );
    let (stdout, _) = work.run_status(&R7_FORMS, 0);
    let forms: Vec<PathBuf> = std::fs::read_dir(work.path("forms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(forms.len(), 4, "{stdout}");
    let profile = kpiroll::profile::Profile::builtin(kpiroll::profile::Lang::Ja);
    let mut departments: Vec<String> = Vec::new();
    for form in &forms {
        assert!(form.file_name().unwrap().len() <= 255);
        let read = kpiroll::pipeline::read_book(form, &profile).unwrap();
        departments.push(read.sources[0].form.as_ref().unwrap().department.clone());
    }
    departments.sort();
    let mut want = vec![
        "企画課".to_string(),
        long.clone(),
        format!("{}別課", "あ".repeat(300)),
        "んん課".to_string(),
    ];
    want.sort();
    assert_eq!(departments, want);
    // one form that cannot be written does not stop the others
    let blocked = work.path("forms2");
    std::fs::create_dir_all(blocked.join("R7_企画課.xlsx")).unwrap();
    let (_, stderr) = work.run_status(
        &[
            "rollover", "R6.xlsx", "--year", "R7", "-o", "forms2", "--force",
        ],
        1,
    );
    assert!(
        stderr.contains("企画課 の様式を書き出せませんでした"),
        "{stderr}"
    );
    let written = std::fs::read_dir(&blocked).unwrap().count();
    assert_eq!(written, 4, "three forms and the folder in the way");
}

#[cfg(unix)]
#[test]
fn an_input_or_a_device_is_never_an_output() {
    let work = Work::new();
    one_row_table(&work.path("r6.tsv"), "R6", "2");
    one_row_table(&work.path("r7.tsv"), "R7", "3");
    work.run_status(
        &["consolidate", "--year", "R6", "r6.tsv", "-o", "R6.xlsx"],
        0,
    );
    std::fs::hard_link(work.path("R6.xlsx"), work.path("same.xlsx")).unwrap();
    std::os::unix::fs::symlink("R6.xlsx", work.path("link.xlsx")).unwrap();
    let before = contents(work.dir.path());
    for output in ["R6.xlsx", "./R6.xlsx", "same.xlsx", "link.xlsx"] {
        let (_, stderr) = work.run_status(
            &[
                "consolidate",
                "--year",
                "R7",
                "--prev",
                "R6.xlsx",
                "r7.tsv",
                "-o",
                output,
                "--force",
            ],
            2,
        );
        assert!(stderr.contains("入力のファイル"), "{output}: {stderr}");
        let (_, stderr) = work.run_status(&["handout", "R6.xlsx", "-o", output, "--force"], 2);
        assert!(stderr.contains("入力のファイル"), "{output}: {stderr}");
    }
    let (_, stderr) = consolidate_r6_forced(&work, "r6.tsv");
    assert!(stderr.contains("入力のファイル"), "{stderr}");
    assert_eq!(contents(work.dir.path()), before, "no input changed");
    // a named pipe as the output, even with --force, stays a pipe
    mkfifo(&work.path("out.xlsx"));
    let (_, stderr) = consolidate_r6_forced(&work, "out.xlsx");
    assert!(stderr.contains("普通のファイルではありません"), "{stderr}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(work.path("out.xlsx"))
        .unwrap()
        .file_type()
        .is_fifo());
    // an existing PDF is kept without --force, and nothing else is written either
    std::fs::write(work.path("h.pdf"), b"%PDF-1.4 kept").unwrap();
    let (_, stderr) = work.run_status(&["handout", "R6.xlsx", "-o", "h.xlsx", "--pdf"], 2);
    assert!(
        stderr.contains("h.pdf: 出力先にすでにファイルがあります"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(work.path("h.pdf")).unwrap(), b"%PDF-1.4 kept");
    assert!(!work.path("h.xlsx").exists());
}

#[test]
fn a_killed_run_s_temporary_file_goes_at_the_next_run_and_nothing_else() {
    let work = Work::new();
    one_row_table(&work.path("r6.tsv"), "R6", "2");
    std::fs::create_dir_all(work.path("out")).unwrap();
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    let make = |name: &str, when: std::time::SystemTime| {
        let path = work.path("out").join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(when).unwrap();
        path
    };
    let stale = make(".kpiroll-Ab12Cd.tmp", long_ago);
    let fresh = make(".kpiroll-Ef34Gh.tmp", std::time::SystemTime::now());
    let other = make(".kpiroll-mine.txt", long_ago);
    let data = make("data.kpiroll-Ab12Cd.tmp", long_ago);
    work.run_status(
        &["consolidate", "--year", "R6", "r6.tsv", "-o", "out/R6.xlsx"],
        0,
    );
    assert!(!stale.exists(), "the killed run's file is gone");
    assert!(
        fresh.exists() && other.exists() && data.exists(),
        "nothing else"
    );
    assert!(work.path("out/R6.xlsx").is_file());
}

#[test]
fn control_characters_in_names_and_values_are_shown_escaped() {
    let work = Work::new();
    let name = "r\u{1b}]0;title\u{7}.tsv";
    let forged = "\"集計中\u{1b}[2J\nr.tsv!G9: 取り込めません: forged\"";
    one_row_table(&work.path(name), "R6", forged);
    let (_, stderr) = work.run_status(&["consolidate", "--year", "R6", name, "-o", "R6.xlsx"], 0);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("r\\x1b]0;title\\x07.tsv!L3: 確認してください"),
        "{stderr}"
    );
    assert!(stderr.contains("集計中\\x1b[2J\\nr.tsv!G9"), "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("r.tsv!G9")),
        "no forged line: {stderr}"
    );
    // diff's text report
    std::fs::write(
        work.path("r7.tsv"),
        tsv(
            "R7",
            &[row(
                "産学振興課",
                "事業\u{1b}[8m隠し",
                "432-5",
                "概要",
                "3",
                "",
            )],
        ),
    )
    .unwrap();
    work.run_status(
        &["consolidate", "--year", "R7", "r7.tsv", "-o", "R7.xlsx"],
        0,
    );
    let out = work.run(&["diff", "R6.xlsx", "R7.xlsx"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stdout.contains("事業\\x1b[8m隠し"), "{stdout}");
}
