//! Every workbook kpiroll writes leaves through its own zip writer, so the same
//! workbook is the same bytes on Windows and Linux: the zip read byte by byte (each
//! local header, the central directory, its end) must hold the fixed fields — made on
//! Unix, version 2.0, no flags (no data descriptors), dated 1980-01-01 00:00, the same
//! attributes, no extra fields — whatever system wrote it. The workbooks rust_xlsxwriter
//! makes (the forms, the diff report) are re-packed: read back part for part and cell
//! for cell, they are what rust_xlsxwriter saved.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::Reader;
use kpiroll::profile::{Lang, Profile};

use crate::common::{r7_book, Work, RENAMES};

/// "version made by": Unix (3), zip 2.0
const MADE_BY: u16 = (3 << 8) | 20;
/// 1980-01-01 in MS-DOS form; the time is 00:00
const DOS_DATE: u16 = (1 << 5) | 1;
/// a regular file, -rw-------
const ATTRIBUTES: u32 = 0o100_600 << 16;

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// The first thing in `bytes` that is not kpiroll's fixed package, or `None`: local
/// headers one after another from the start, each with its data and nothing else, then
/// the central directory, then its end record (no comment) closing the file.
fn package_fault(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 22 {
        return Some(format!("{} bytes", bytes.len()));
    }
    let end = bytes.len() - 22;
    if u32_at(bytes, end) != 0x0605_4b50 {
        return Some("the file does not close with the end record".into());
    }
    let count = u16_at(bytes, end + 10);
    let (central_size, central_at) = (u32_at(bytes, end + 12), u32_at(bytes, end + 16));
    let end_fields = [
        u16_at(bytes, end + 4),
        u16_at(bytes, end + 6),
        u16_at(bytes, end + 8),
        u16_at(bytes, end + 20),
    ];
    if end_fields != [0, 0, count, 0] || (central_at + central_size) as usize != end {
        return Some(format!(
            "end record {end_fields:?}, directory at {central_at}"
        ));
    }
    let (mut local, mut c) = (0usize, central_at as usize);
    for k in 0..count {
        if c + 46 > end || u32_at(bytes, c) != 0x0201_4b50 {
            return Some(format!("entry {k}: no directory entry at {c}"));
        }
        let name_len = u16_at(bytes, c + 28) as usize;
        let name = String::from_utf8_lossy(&bytes[c + 46..c + 46 + name_len]).into_owned();
        let method = u16_at(bytes, c + 10);
        let fields = [
            u16_at(bytes, c + 4),  // made by
            u16_at(bytes, c + 6),  // needed
            u16_at(bytes, c + 8),  // flags
            u16_at(bytes, c + 12), // time
            u16_at(bytes, c + 14), // date
            u16_at(bytes, c + 30), // extra
            u16_at(bytes, c + 32), // comment
            u16_at(bytes, c + 34), // disk
            u16_at(bytes, c + 36), // internal attributes
        ];
        if fields != [MADE_BY, 20, 0, 0, DOS_DATE, 0, 0, 0, 0] || !matches!(method, 0 | 8) {
            return Some(format!(
                "{name}: directory fields {fields:04x?}, method {method}"
            ));
        }
        if u32_at(bytes, c + 38) != ATTRIBUTES {
            return Some(format!(
                "{name}: attributes {:#010x}",
                u32_at(bytes, c + 38)
            ));
        }
        if u32_at(bytes, c + 42) as usize != local {
            return Some(format!(
                "{name}: at {} in the directory, {local} after the part before",
                u32_at(bytes, c + 42)
            ));
        }
        let l = local;
        if l + 30 > end || u32_at(bytes, l) != 0x0403_4b50 {
            return Some(format!("{name}: no local header at {l}"));
        }
        let local_fields = [
            u16_at(bytes, l + 4),  // needed
            u16_at(bytes, l + 6),  // flags
            u16_at(bytes, l + 8),  // method
            u16_at(bytes, l + 10), // time
            u16_at(bytes, l + 12), // date
            u16_at(bytes, l + 26), // name
            u16_at(bytes, l + 28), // extra
        ];
        // crc, compressed size, size
        let sizes = [
            u32_at(bytes, l + 14),
            u32_at(bytes, l + 18),
            u32_at(bytes, l + 22),
        ];
        let central_sizes = [
            u32_at(bytes, c + 16),
            u32_at(bytes, c + 20),
            u32_at(bytes, c + 24),
        ];
        if local_fields != [20, 0, method, 0, DOS_DATE, name_len as u16, 0]
            || sizes != central_sizes
            || bytes[l + 30..l + 30 + name_len] != bytes[c + 46..c + 46 + name_len]
        {
            return Some(format!(
                "{name}: local header {local_fields:04x?} {sizes:?}, directory {central_sizes:?}"
            ));
        }
        local = l + 30 + name_len + central_sizes[1] as usize;
        c += 46 + name_len;
    }
    if local != central_at as usize || c != end {
        return Some(format!(
            "the parts end at {local}, the directory starts at {central_at} and ends at {c}"
        ));
    }
    None
}

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            xlsx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xlsx") {
            out.push(path);
        }
    }
}

#[test]
fn every_workbook_kpiroll_writes_is_one_fixed_package() {
    let work = Work::new();
    work.run_status(&["demo", "-o", "demo"], 0);
    work.run_status(
        &[
            "handout",
            work.path("demo/資料2-2_R7.xlsx").to_str().unwrap(),
            "-o",
            "handout.xlsx",
        ],
        0,
    );
    let mut books = Vec::new();
    xlsx_files(&work.path(""), &mut books);
    books.sort();
    let names: Vec<String> = books
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // the book, the working book, the handout, the diff report, the forms
    for kind in [
        "R7.xlsx",
        "資料2-2_R7.xlsx",
        "handout.xlsx",
        "R6-R7_diff.xlsx",
        "R7_市民課.xlsx",
    ] {
        assert!(
            names.iter().any(|n| n == kind),
            "{kind} not among {names:?}"
        );
    }
    for book in &books {
        let bytes = std::fs::read(book).unwrap();
        if let Some(fault) = package_fault(&bytes) {
            panic!("{}: {fault}", book.display());
        }
    }
}

/// Every part's name and bytes, in the zip's order.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|k| {
            let mut file = zip.by_index(k).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().unwrap().to_string(), data)
        })
        .collect()
}

/// The workbook rust_xlsxwriter saved and the one kpiroll re-packed from it: the second
/// is the fixed package, the first is not (so the check above can tell them apart), and
/// both hold the same parts and, read by calamine, the same value and formula in every
/// cell of every sheet.
fn assert_repacked_alike(what: &str, saved: &[u8]) {
    let repacked = kpiroll::write::xlsx::repair::well_formed(saved.to_vec()).unwrap();
    assert!(
        package_fault(saved).is_some(),
        "{what}: rust_xlsxwriter's own zip passed as kpiroll's"
    );
    if let Some(fault) = package_fault(&repacked) {
        panic!("{what} re-packed: {fault}");
    }
    let (a, b) = (parts(saved), parts(&repacked));
    assert_eq!(
        a.iter().map(|p| &p.0).collect::<Vec<_>>(),
        b.iter().map(|p| &p.0).collect::<Vec<_>>(),
        "{what}: the parts"
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{what}: {name} differs once re-packed");
    }
    let mut saved = calamine::Xlsx::new(Cursor::new(saved)).unwrap();
    let mut repacked = calamine::Xlsx::new(Cursor::new(&repacked[..])).unwrap();
    let sheets = saved.sheet_names();
    assert_eq!(sheets, repacked.sheet_names(), "{what}: the sheets");
    let mut cells = 0;
    for sheet in &sheets {
        let (x, y) = (
            saved.worksheet_range(sheet).unwrap(),
            repacked.worksheet_range(sheet).unwrap(),
        );
        assert_eq!((x.start(), x.end()), (y.start(), y.end()), "{what}!{sheet}");
        for (r, c, value) in x.used_cells() {
            let at = (
                r as u32 + x.start().unwrap().0,
                c as u32 + x.start().unwrap().1,
            );
            assert_eq!(Some(value), y.get_value(at), "{what}!{sheet} {at:?}");
            cells += 1;
        }
        let (x, y) = (
            saved.worksheet_formula(sheet).unwrap(),
            repacked.worksheet_formula(sheet).unwrap(),
        );
        assert_eq!(x, y, "{what}!{sheet}: the formulas");
    }
    assert!(cells > 20, "{what}: {cells} cells");
}

#[test]
fn the_forms_and_the_diff_repacked_read_back_part_for_part_and_cell_for_cell() {
    let work = Work::new();
    let r7 = r7_book(&work);
    let r6 = work.path("R6.xlsx");
    let profile = Profile::builtin(Lang::Ja);
    let book = kpiroll::pipeline::read_book(&r6, &profile)
        .unwrap()
        .merged
        .book;
    let department = "市民課";
    let rows: Vec<_> = book
        .rows
        .iter()
        .filter(|r| r.departments.iter().any(|d| d == department))
        .cloned()
        .collect();
    assert!(!rows.is_empty(), "no rows of {department}");
    let options = kpiroll::write::form::FormOptions {
        year: kpiroll::model::FiscalYear(2025),
        department: department.to_string(),
        password: Some("secret".to_string()),
        due: Some("2026-05-31".to_string()),
        contact: None,
        source_hash: "0123456789abcdef".to_string(),
        source_file: "R6.xlsx".to_string(),
    };
    let saved = kpiroll::write::form::form_workbook(&rows, &profile, &options)
        .unwrap()
        .save_to_buffer()
        .unwrap();
    assert_repacked_alike("the form", &saved);

    let (diff, _) =
        kpiroll::pipeline::diff(&[r6, r7], Some(&PathBuf::from(RENAMES)), &profile).unwrap();
    let saved = kpiroll::write::diff_report::diff_workbook(&diff, &profile)
        .unwrap()
        .save_to_buffer()
        .unwrap();
    assert_repacked_alike("the diff report", &saved);
}
