//! The floor of the benchmark: the bare cost of what `consolidate` must do at
//! the least, with the same libraries: read every cell of every input with calamine
//! (files in parallel, as kpiroll does), then write as many rows as the book has with
//! rust_xlsxwriter. No header search, no values, no merge, no formats.
//!
//! ```sh
//! cargo run --release --example floor -- --rows 15000 -o floor.xlsx prev.xlsx returns/
//! ```

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use rayon::prelude::*;

fn walk(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            walk(&entry.path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "xlsx") {
        files.push(path.to_path_buf());
    }
}

/// Every non-empty row of every sheet, as text.
fn read(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("read the file");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx");
    let mut rows = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("a sheet");
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            if cells.iter().any(|c| !c.is_empty()) {
                rows.push(cells);
            }
        }
    }
    rows
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("floor.xlsx");
    let mut want: Option<usize> = None;
    let mut inputs = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-o" => out = PathBuf::from(args.next().expect("-o FILE")),
            "--rows" => want = args.next().and_then(|n| n.parse().ok()),
            _ => inputs.push(PathBuf::from(a)),
        }
    }
    let mut files = Vec::new();
    for i in &inputs {
        walk(i, &mut files);
    }
    files.sort();
    let started = std::time::Instant::now();
    let read: Vec<Vec<Vec<String>>> = files.par_iter().map(|f| read(f)).collect();
    let cells: usize = read.iter().flatten().map(Vec::len).sum();
    let all: Vec<&Vec<String>> = read.iter().flatten().collect();
    let read_s = started.elapsed().as_secs_f64();

    let want = want.unwrap_or(all.len());
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for r in 0..want {
        let row = all[r % all.len().max(1)];
        for (c, text) in row.iter().enumerate().take(13) {
            if !text.is_empty() {
                sheet
                    .write_string(r as u32, c as u16, text)
                    .expect("write a cell");
            }
        }
    }
    workbook.save(&out).expect("save");
    eprintln!(
        "floor: {} files, {} rows, {} cells read in {:.2} s; {} rows written, {:.2} s in all",
        files.len(),
        all.len(),
        cells,
        read_s,
        want,
        started.elapsed().as_secs_f64()
    );
}
