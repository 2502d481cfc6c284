//! Crafted .ods and .xls of a few kilobytes that ask for minutes or gigabytes: each is
//! built here, run through `kpiroll check` beside a good return under a memory cap and a
//! watchdog, and must be refused at a named cell (or read), its exit 0 or 1, no abort,
//! the good return's rows as when read alone.
//!
//! The builders write the files from their description (ODF's `content.xml` in a zip;
//! BIFF8 records in a minimal compound file), so the corpus needs no tool to rebuild.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Work;

/// Memory the process may map (`ulimit -v`, KiB) and the time it may take.
const CAP_KIB: u64 = 512 * 1024;
const WATCHDOG: Duration = Duration::from_secs(5);

/// The seed's header and one row: (header, row).
const HEADER: [&str; 13] = [
    "数値目標",
    "",
    "",
    "KPI",
    "担当課",
    "事業名",
    "事務事業番号",
    "事業概要",
    "KPI",
    "単位",
    "目標値",
    "R6実績値",
    "備考",
];
const ROW: [&str; 13] = [
    "目標",
    "①",
    "①施策",
    "指標",
    "課",
    "事業",
    "411-6",
    "概要",
    "件数",
    "件",
    "5",
    "3",
    "",
];

/// A string cell of `content.xml`.
fn text_cell(text: &str) -> String {
    if text.is_empty() {
        return "<table:table-cell/>".to_string();
    }
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

/// A row of string cells.
fn text_row(cells: &[&str]) -> String {
    let cells: String = cells.iter().map(|c| text_cell(c)).collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

/// A table (sheet) of `content.xml`.
fn table(name: &str, rows: &str) -> String {
    format!(r#"<table:table table:name="{name}">{rows}</table:table>"#)
}

/// Writes an .ods whose spreadsheet body is `body` (tables).
pub fn write_ods(path: &Path, body: &str) {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated = zip::write::SimpleFileOptions::default();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// The header and the row, then `extra` rows.
fn return_rows(extra: &str) -> String {
    format!("{}{}{extra}", text_row(&HEADER), text_row(&ROW))
}

/// A value repeated over 999,999,999 rows × 999,999,999 columns (calamine's
/// issue_594_dos.ods).
pub fn ods_repeat_dos(path: &Path) {
    let rows = return_rows(
        r#"<table:table-row table:number-rows-repeated="999999999"><table:table-cell table:number-columns-repeated="999999999" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#,
    );
    write_ods(path, &table("入力", &rows));
}

/// A value repeated within the limits, but over 200,000 rows × 256 columns.
pub fn ods_repeat_inside(path: &Path) {
    let rows = return_rows(
        r#"<table:table-row table:number-rows-repeated="200000"><table:table-cell table:number-columns-repeated="256" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
    );
    write_ods(path, &table("入力", &rows));
}

/// 10,000 rows, each with a blank cell spanning 250,000 rows (the areas overlap; blank,
/// they fill nothing).
pub fn ods_overlapping_spans(path: &Path) {
    let span = r#"<table:table-row><table:table-cell table:number-rows-spanned="250000"/></table:table-row>"#;
    let rows = return_rows(&span.repeat(10_000));
    write_ods(path, &table("入力", &rows));
}

/// 10,000 rows, each with a value spanning 250,000 rows in column N (past the table).
pub fn ods_overlapping_value_spans(path: &Path) {
    let span = r#"<table:table-row><table:table-cell table:number-columns-repeated="13"/><table:table-cell table:number-rows-spanned="250000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let rows = return_rows(&span.repeat(10_000));
    write_ods(path, &table("入力", &rows));
}

/// `<text:s text:c="1024"/>` 2,800 times in a cell (2.8 MB of spaces) repeated over
/// 4 rows × 1,024 columns.
pub fn ods_spaces_repeated(path: &Path) {
    let spaces = r#"<text:s text:c="1024"/>"#.repeat(2_800);
    let rows = return_rows(&format!(
        r#"<table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="1024" office:value-type="string"><text:p>a{spaces}b</text:p></table:table-cell></table:table-row>"#
    ));
    write_ods(path, &table("入力", &rows));
}

/// 10,000 cells (100 rows of 100) of 30,720 spaces each, none repeated: 300 MB of
/// spaces from 7 MB of XML (a few kilobytes zipped).
pub fn ods_spaces_cells(path: &Path) {
    let spaces = r#"<text:s text:c="1024"/>"#.repeat(30);
    let cell = format!(
        r#"<table:table-cell office:value-type="string"><text:p>a{spaces}b</text:p></table:table-cell>"#
    );
    let row = format!("<table:table-row>{}</table:table-row>", cell.repeat(100));
    write_ods(path, &table("入力", &return_rows(&row.repeat(100))));
}

/// One cell of 300,000 × 1,024 spaces: 300 MB of text in one cell (kept up to 1 MiB,
/// blank all the same).
pub fn ods_spaces_one_cell(path: &Path) {
    let spaces = r#"<text:s text:c="1024"/>"#.repeat(300_000);
    let rows = return_rows(&format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>{spaces}</text:p></table:table-cell></table:table-row>"#
    ));
    write_ods(path, &table("入力", &rows));
}

/// A 30,000-character cell repeated over 256 columns × 4,000 rows.
pub fn ods_long_text_repeated(path: &Path) {
    let rows = return_rows(&format!(
        r#"<table:table-row table:number-rows-repeated="4000"><table:table-cell table:number-columns-repeated="256" office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>"#,
        "x".repeat(30_000)
    ));
    write_ods(path, &table("入力", &rows));
}

/// 100 tables, each one cell spanning 3,900 rows × 256 columns (each under the
/// merged cells' limit alone).
pub fn ods_merged_tables(path: &Path) {
    let mut body = table("入力", &return_rows(""));
    let area = r#"<table:table-row><table:table-cell table:number-rows-spanned="3900" table:number-columns-spanned="256" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    for i in 0..100 {
        body.push_str(&table(&format!("S{i}"), area));
    }
    write_ods(path, &body);
}

/// Five rows, the first with a table inside its 事業概要 cell (valid ODF).
pub fn ods_sub_table(path: &Path) {
    let inner = table(
        "inner",
        &format!(
            "{}{}",
            text_row(&["サブ表の見出し", "411-9"]),
            text_row(&["サブ表の文字", "9"])
        ),
    );
    let mut rows = text_row(&HEADER);
    for i in 0..5 {
        let key = format!("411-{}", i + 1);
        let mut cells: Vec<String> = ROW.iter().map(|c| text_cell(c)).collect();
        cells[6] = text_cell(&key);
        if i == 0 {
            cells[7] = format!(
                r#"<table:table-cell office:value-type="string"><text:p>概要</text:p>{inner}</table:table-cell>"#
            );
        }
        rows.push_str(&format!(
            "<table:table-row>{}</table:table-row>",
            cells.concat()
        ));
    }
    write_ods(path, &table("入力", &rows));
}

/// A good return as .ods.
pub fn ods_good(path: &Path) {
    write_ods(path, &table("入力", &return_rows("")));
}

/// One BIFF record.
fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend(typ.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
}

/// BOF of BIFF8: the globals (0x0005) or a worksheet (0x0010).
fn bof(out: &mut Vec<u8>, kind: u16) {
    let mut data = Vec::new();
    data.extend(0x0600u16.to_le_bytes());
    data.extend(kind.to_le_bytes());
    data.extend(0x0DBBu16.to_le_bytes());
    data.extend(0x07CCu16.to_le_bytes());
    data.extend([0u8; 8]);
    record(out, 0x0809, &data);
}

/// An XLUnicodeString (16-bit length, UTF-16).
fn xl_string(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u16).to_le_bytes().to_vec();
    out.push(1);
    for u in units {
        out.extend(u.to_le_bytes());
    }
    out
}

/// A sheet's cells: (row, column, text) written as LABEL, numbers as NUMBER.
type XlsCell = (u16, u16, String);

/// A sheet: its name, its DIMENSIONS (first row, last row + 1, first col, last col + 1)
/// and its cells.
pub struct XlsSheet {
    pub name: String,
    pub dimensions: (u32, u32, u16, u16),
    pub cells: Vec<XlsCell>,
}

/// The BIFF8 workbook stream for these sheets.
fn biff8(sheets: &[XlsSheet]) -> Vec<u8> {
    let mut globals = Vec::new();
    bof(&mut globals, 0x0005);
    record(&mut globals, 0x0042, &1200u16.to_le_bytes()); // CodePage: UTF-16
    let mut bound_at = Vec::new();
    for sheet in sheets {
        bound_at.push(globals.len() + 4);
        let units: Vec<u16> = sheet.name.encode_utf16().collect();
        let mut data = vec![0u8; 4];
        data.extend([0, 0, units.len() as u8, 1]);
        for u in units {
            data.extend(u.to_le_bytes());
        }
        record(&mut globals, 0x0085, &data);
    }
    record(&mut globals, 0x000A, &[]);
    let mut stream = globals;
    for (sheet, at) in sheets.iter().zip(bound_at) {
        let pos = stream.len() as u32;
        stream[at..at + 4].copy_from_slice(&pos.to_le_bytes());
        bof(&mut stream, 0x0010);
        let (r0, r1, c0, c1) = sheet.dimensions;
        let mut dims = Vec::new();
        dims.extend(r0.to_le_bytes());
        dims.extend(r1.to_le_bytes());
        dims.extend(c0.to_le_bytes());
        dims.extend(c1.to_le_bytes());
        dims.extend([0, 0]);
        record(&mut stream, 0x0200, &dims);
        for (r, c, text) in &sheet.cells {
            let mut data = Vec::new();
            data.extend(r.to_le_bytes());
            data.extend(c.to_le_bytes());
            data.extend(0u16.to_le_bytes());
            match text.parse::<f64>() {
                Ok(x) => {
                    data.extend(x.to_le_bytes());
                    record(&mut stream, 0x0203, &data);
                }
                Err(_) => {
                    data.extend(xl_string(text));
                    record(&mut stream, 0x0204, &data);
                }
            }
        }
        record(&mut stream, 0x000A, &[]);
    }
    stream
}

/// Writes a compound file (version 3, 512-byte sectors) holding one `Workbook` stream:
/// sector 0 the allocation table, sector 1 the directory, the stream after them (at
/// least 4,096 bytes, so that it lives in regular sectors).
pub fn write_xls(path: &Path, sheets: &[XlsSheet]) {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    let mut stream = biff8(sheets);
    let len = stream.len().max(4096);
    stream.resize(len.div_ceil(512) * 512, 0);
    let n = stream.len() / 512;
    assert!(n + 2 <= 128, "one sector of the allocation table");
    let mut header = Vec::new();
    header.extend([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header.extend([0u8; 16]);
    header.extend(0x003Eu16.to_le_bytes());
    header.extend(3u16.to_le_bytes());
    header.extend(0xFFFEu16.to_le_bytes());
    header.extend(9u16.to_le_bytes());
    header.extend(6u16.to_le_bytes());
    header.extend([0u8; 6]);
    header.extend(0u32.to_le_bytes()); // directory sectors (0 in version 3)
    header.extend(1u32.to_le_bytes()); // allocation table sectors
    header.extend(1u32.to_le_bytes()); // first directory sector
    header.extend(0u32.to_le_bytes());
    header.extend(4096u32.to_le_bytes());
    header.extend(END.to_le_bytes()); // no mini allocation table
    header.extend(0u32.to_le_bytes());
    header.extend(END.to_le_bytes()); // no DIFAT sectors
    header.extend(0u32.to_le_bytes());
    header.extend(0u32.to_le_bytes()); // the allocation table is sector 0
    while header.len() < 512 {
        header.extend(FREE.to_le_bytes());
    }
    let mut fat = vec![0xFFFF_FFFDu32, END];
    for i in 0..n {
        fat.push(if i + 1 == n { END } else { (i + 3) as u32 });
    }
    fat.resize(128, FREE);
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[0x40..0x42].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
        e[0x42] = kind;
        e[0x43] = 1;
        e[0x44..0x48].copy_from_slice(&FREE.to_le_bytes());
        e[0x48..0x4C].copy_from_slice(&FREE.to_le_bytes());
        e[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
        e[0x74..0x78].copy_from_slice(&start.to_le_bytes());
        e[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut dir = entry("Root Entry", 5, 1, END, 0);
    dir.extend(entry("Workbook", 2, FREE, 2, len as u32));
    dir.resize(512, 0);
    for chunk in dir.chunks_mut(128).skip(2) {
        chunk[0x44..0x50].copy_from_slice(&[0xFF; 12]);
    }
    let mut out = header;
    out.extend(fat.iter().flat_map(|x| x.to_le_bytes()));
    out.extend(dir);
    out.extend(stream);
    std::fs::write(path, out).unwrap();
}

/// The header and the row as cells of a sheet.
fn xls_return_cells() -> Vec<XlsCell> {
    let mut cells = Vec::new();
    for (r, row) in [HEADER, ROW].iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                cells.push((r as u16, c as u16, (*text).to_string()));
            }
        }
    }
    cells
}

/// A good return as .xls.
pub fn xls_good(path: &Path) {
    write_xls(
        path,
        &[XlsSheet {
            name: "入力".to_string(),
            dimensions: (0, 2, 0, 13),
            cells: xls_return_cells(),
        }],
    );
}

/// Ten sheets, each with a value at IV65536 (the last cell of an .xls sheet).
pub fn xls_far_values(path: &Path) {
    let sheets: Vec<XlsSheet> = (0..10)
        .map(|i| {
            let mut cells = if i == 0 {
                xls_return_cells()
            } else {
                Vec::new()
            };
            cells.push((65_535, 255, "1".to_string()));
            XlsSheet {
                name: format!("S{}", i + 1),
                dimensions: (0, 65_536, 0, 256),
                cells,
            }
        })
        .collect();
    write_xls(path, &sheets);
}

/// The return, its DIMENSIONS record declaring A1:IV65536 ten sheets over (the cells
/// themselves in A1:M2).
pub fn xls_declared_far(path: &Path) {
    let sheets: Vec<XlsSheet> = (0..10)
        .map(|i| XlsSheet {
            name: format!("S{}", i + 1),
            dimensions: (0, 65_536, 0, 256),
            cells: if i == 0 {
                xls_return_cells()
            } else {
                vec![(0, 0, "x".to_string())]
            },
        })
        .collect();
    write_xls(path, &sheets);
}

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
    let mut child = Command::new("sh")
        .args(["-c", &command])
        .current_dir(work.dir.path())
        .env_remove("KPIROLL_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("KPIROLL_TEMPLATES")
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

/// Builds `name` with `build`, checks it beside the good return under the cap: refused
/// at `expected` (a piece of the message naming the cell) with status 1, and the good
/// return read as when alone.
fn refused_beside_good(
    build: fn(&Path),
    name: &str,
    good: fn(&Path),
    good_name: &str,
    expected: &str,
) {
    let work = Work::new();
    build(&work.path(name));
    good(&work.path(good_name));
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
    let work = Work::new();
    ods_overlapping_spans(&work.path("blank.ods"));
    ods_good(&work.path("good.ods"));
    let (status, stdout, stderr, late) = check_capped(&work, &["blank.ods", "good.ods"]);
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
    let work = Work::new();
    ods_spaces_one_cell(&work.path("one.ods"));
    ods_good(&work.path("good.ods"));
    let (status, stdout, stderr, late) = check_capped(&work, &["one.ods", "good.ods"]);
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
    write_ods(&work.path("memo.ods"), &body);
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
    ods_sub_table(&work.path("sub.ods"));
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

/// A case: its file name and what writes it.
pub type Case = (&'static str, fn(&Path));

/// Every case of this corpus, by file name.
pub const CASES: [Case; 14] = [
    ("ods_repeat_dos.ods", ods_repeat_dos),
    ("ods_repeat_inside.ods", ods_repeat_inside),
    ("ods_overlapping_spans.ods", ods_overlapping_spans),
    (
        "ods_overlapping_value_spans.ods",
        ods_overlapping_value_spans,
    ),
    ("ods_spaces_repeated.ods", ods_spaces_repeated),
    ("ods_spaces_cells.ods", ods_spaces_cells),
    ("ods_spaces_one_cell.ods", ods_spaces_one_cell),
    ("ods_long_text_repeated.ods", ods_long_text_repeated),
    ("ods_merged_tables.ods", ods_merged_tables),
    ("ods_sub_table.ods", ods_sub_table),
    ("ods_good.ods", ods_good),
    ("xls_far_values.xls", xls_far_values),
    ("xls_declared_far.xls", xls_declared_far),
    ("xls_good.xls", xls_good),
];

/// Writes the corpus into the folder `KPIROLL_HOSTILE_DIR` names (to run kpiroll on it
/// by hand, or measure it): `KPIROLL_HOSTILE_DIR=/tmp/h cargo test --release --test cli
/// write_hostile_ods -- --ignored`.
#[test]
#[ignore = "writes files outside the test's folder"]
fn write_hostile_ods() {
    let dir = std::path::PathBuf::from(std::env::var("KPIROLL_HOSTILE_DIR").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    for (name, build) in CASES {
        build(&dir.join(name));
    }
}
