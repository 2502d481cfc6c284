//! Hostile input, determinism and safety. Formula-like text stays text, inputs
//! are never changed, outputs are byte-identical whatever the thread count or the order
//! of the inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::common::{
    tsv_header, write_strings, zip_member, Work, R7_FROM_R6, RENAMES, RETURNS, SEED,
};
use crate::hostile::make_hostile::{ods_xls::ROW, HEADER};

fn hash(path: &Path) -> String {
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(hashes(&p));
        } else {
            out.insert(p.clone(), hash(&p));
        }
    }
    out
}

#[test]
fn formula_like_text_arrives_as_text_and_csv_neutralises_it() {
    let work = Work::new();
    let header = tsv_header("R6");
    let text = format!(
        "基本目標Ⅰ しごと\n{header}\n目標\t①\t①施策\t指標\t課\t=HYPERLINK(\"http://x\",\"y\")\t411-6\t@SUM(A1)\t+81 90\t件\t1\t=1+1\thttps://example.com/\n"
    );
    std::fs::write(work.path("inj.tsv"), text).unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R6", "inj.tsv", "-o", "R6.xlsx"],
        0,
    );
    assert!(
        stderr.contains("inj.tsv!L3: 確認してください: R6実績値「=1+1」は数値ではありません"),
        "{stderr}"
    );
    let sheet = zip_member(&work.path("R6.xlsx"), "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula in the book");
    assert!(!sheet.contains("<hyperlink"), "no hyperlink made from text");
    // the book's texts are written in its sheet (inline strings)
    for text in [
        "=HYPERLINK(\"http://x\",\"y\")",
        "@SUM(A1)",
        "+81 90",
        "=1+1",
        "https://example.com/",
    ] {
        let cell = format!("<is><t>{text}</t></is>");
        assert!(sheet.contains(&cell), "{text} kept as text");
    }
    work.run_status(&["export", "R6.xlsx", "-o", "rows.csv"], 0);
    let csv = std::fs::read_to_string(work.path("rows.csv")).unwrap();
    assert!(
        csv.contains("'=1+1") && csv.contains("'@SUM(A1)") && csv.contains("'+81 90"),
        "{csv}"
    );
    work.run_status(&["export", "R6.xlsx", "-o", "raw.csv", "--raw-csv"], 0);
    let raw = std::fs::read_to_string(work.path("raw.csv")).unwrap();
    assert!(raw.contains(",=1+1,") && !raw.contains("'="), "{raw}");
}

#[test]
fn inputs_are_never_changed_by_any_command() {
    let work = Work::new();
    let inputs = work.path("in");
    std::fs::create_dir_all(inputs.join("returns")).unwrap();
    std::fs::copy(SEED, inputs.join("seed.txt")).unwrap();
    for e in std::fs::read_dir(RETURNS).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inputs.join("returns").join(e.file_name())).unwrap();
    }
    std::fs::copy(RENAMES, inputs.join("renames.toml")).unwrap();
    work.run_status(
        &[
            "consolidate",
            "--year",
            "R6",
            "in/seed.txt",
            "-o",
            "in/R6.xlsx",
        ],
        0,
    );
    let before = hashes(&inputs);
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", "in"],
        vec![
            "consolidate",
            "--year",
            "R7",
            "--prev",
            "in/R6.xlsx",
            "--renames",
            "in/renames.toml",
            "in/returns",
            "-o",
            "R7.xlsx",
        ],
        vec!["rollover", "in/R6.xlsx", "--year", "R7", "-o", "forms"],
        vec!["handout", "R7.xlsx", "-o", "handout.xlsx"],
        vec!["export", "in/R6.xlsx", "-o", "rows.parquet"],
    ];
    for args in &commands {
        let out = work.run(args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}");
        assert_eq!(hashes(&inputs), before, "inputs unchanged by {args:?}");
    }
}

#[test]
fn outputs_are_byte_identical_whatever_threads_and_input_order() {
    let work = Work::new();
    crate::common::r6_book(&work);
    let mut files: Vec<PathBuf> = std::fs::read_dir(RETURNS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let run = |name: &str, files: &[PathBuf], threads: &str| {
        let mut args: Vec<String> = R7_FROM_R6
            .iter()
            .chain(&["-o", name])
            .map(|s| s.to_string())
            .collect();
        args.extend(files.iter().map(|f| f.to_string_lossy().to_string()));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
            .args(&args)
            .current_dir(work.dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(work.path(name)).unwrap()
    };
    let a = run("a.xlsx", &files, "1");
    let mut reversed = files.clone();
    reversed.reverse();
    let b = run("b.xlsx", &reversed, "2");
    let c = run("c.xlsx", &[PathBuf::from(RETURNS)], "4");
    assert!(
        a == b,
        "same bytes with 1 and 2 threads, inputs in either order"
    );
    assert!(a == c, "same bytes from the folder");
    // rollover and handout too
    work.run_status(&["rollover", "R6.xlsx", "--year", "R7", "-o", "f1"], 0);
    work.run_status(&["rollover", "R6.xlsx", "--year", "R7", "-o", "f2"], 0);
    assert_eq!(
        hashes(&work.path("f1")).into_values().collect::<Vec<_>>(),
        hashes(&work.path("f2")).into_values().collect::<Vec<_>>()
    );
    work.run_status(&["handout", "a.xlsx", "-o", "h1.xlsx"], 0);
    work.run_status(&["handout", "b.xlsx", "-o", "h2.xlsx"], 0);
    assert!(
        std::fs::read(work.path("h1.xlsx")).unwrap()
            == std::fs::read(work.path("h2.xlsx")).unwrap()
    );
}

/// A return with the seed's header and one row (the hostile corpus' small return), plus
/// whatever `extra` adds.
fn small_return(path: &Path, extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    write_strings(ws, 0, &HEADER);
    write_strings(ws, 1, &ROW);
    extra(ws);
    wb.save(path).unwrap();
}

#[test]
fn a_far_cell_refuses_its_file_at_once_and_a_raised_limit_reads_it() {
    let work = Work::new();
    small_return(&work.path("far.xlsx"), |ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    small_return(&work.path("good.xlsx"), |_| {});
    let (_, stderr) = work.run_status(&["check", "far.xlsx", "good.xlsx"], 1);
    assert!(
        stderr.contains("far.xlsx!Sheet1!XFD1048576: 取り込めません: 表の外の離れたセル"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--max-cols"),
        "says how to change the limit: {stderr}"
    );
    let (stdout, _) = work.run_status(&["check", "--max-cols", "16384", "far.xlsx"], 0);
    assert!(stdout.contains("行数 1"), "{stdout}");
}

#[test]
fn a_part_inflating_beyond_the_limit_is_refused_before_inflating() {
    use std::io::Write;
    let work = Work::new();
    small_return(&work.path("base.xlsx"), |_| {});
    // the same workbook with an 8 MiB part of zeros added (a few KiB compressed)
    let base = std::fs::read(work.path("base.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(work.path("bomb.xlsx")).unwrap());
    for i in 0..zip.len() {
        out.raw_copy_file(zip.by_index_raw(i).unwrap()).unwrap();
    }
    out.start_file(
        "xl/media/zeros.bin",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    out.write_all(&vec![0u8; 8 << 20]).unwrap();
    out.finish().unwrap();
    assert!(std::fs::metadata(work.path("bomb.xlsx")).unwrap().len() < 200_000);
    let (_, stderr) = work.run_status(
        &["check", "--max-part-mib", "4", "bomb.xlsx", "base.xlsx"],
        1,
    );
    assert!(
        stderr.contains("bomb.xlsx: 取り込めません: 展開後のサイズ（xl/media/zeros.bin が 8 MiB）"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("base.xlsx"),
        "the other file goes on: {stderr}"
    );
    work.run_status(&["check", "bomb.xlsx"], 0);
}

#[test]
fn files_beyond_the_limit_are_refused_by_name() {
    let work = Work::new();
    for name in ["a.xlsx", "b.xlsx", "c.xlsx"] {
        small_return(&work.path(name), |_| {});
    }
    let (_, stderr) = work.run_status(
        &["check", "--max-files", "2", "a.xlsx", "b.xlsx", "c.xlsx"],
        1,
    );
    assert!(
        stderr.contains("c.xlsx: 取り込めません: 入力ファイルの数"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("a.xlsx:") && !stderr.contains("b.xlsx:"),
        "{stderr}"
    );
}

/// A book is built without the system's temporary folder (which may be missing,
/// read-only or small): its only temporary file is the atomic write's, in the output's
/// folder. Nothing is left there but the book.
#[test]
fn books_are_built_beside_the_output_whatever_the_system_temp_folder() {
    let work = Work::new();
    for (year, prev) in [("R6", None), ("R7", Some("R6.xlsx"))] {
        let out = format!("out/{year}.xlsx");
        let mut args = vec!["consolidate", "--year", year];
        if let Some(prev) = prev {
            args.extend(["--prev", prev, "--renames", RENAMES, RETURNS]);
        } else {
            args.push(SEED);
        }
        args.extend(["-o", &out]);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_kpiroll"))
            .args(&args)
            .current_dir(work.dir.path())
            .env("TMPDIR", work.path("no-such-folder"))
            .env_remove("KPIROLL_LANG")
            .env_remove("KPIROLL_TEMPLATES")
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(work.path(&out).is_file(), "{out} written");
        if prev.is_none() {
            std::fs::copy(work.path(&out), work.path("R6.xlsx")).unwrap();
        }
    }
    let left: Vec<String> = std::fs::read_dir(work.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(left, ["R6.xlsx", "R7.xlsx"]);
    // and the R7 working book holds every sheet, read back
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(work.path("out/R7.xlsx")).unwrap();
    use calamine::Reader;
    let names = wb.sheet_names();
    assert_eq!(names.len(), 4);
    let table = wb.worksheet_range(&names[0]).unwrap();
    let keys = table
        .rows()
        .filter(|r| {
            r.iter()
                .any(|c| matches!(c, calamine::Data::String(s) if s == "411-6"))
        })
        .count();
    assert_eq!(keys, 1, "一覧 holds the rows");
}

/// An output that cannot be written (here its folder is a file) is a located message and
/// exit status 2, with nothing written anywhere.
#[test]
fn an_unwritable_output_is_named_with_exit_2() {
    let work = Work::new();
    std::fs::write(work.path("taken"), b"a file, not a folder").unwrap();
    let (_, stderr) = work.run_status(
        &["consolidate", "--year", "R6", SEED, "-o", "taken/R6.xlsx"],
        2,
    );
    assert!(stderr.contains("taken/R6.xlsx: 書き込めません"), "{stderr}");
    assert_eq!(
        std::fs::read(work.path("taken")).unwrap(),
        b"a file, not a folder"
    );
    assert_eq!(std::fs::read_dir(work.dir.path()).unwrap().count(), 1);
}
