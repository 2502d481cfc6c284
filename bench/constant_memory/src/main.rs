//! Writes every cell of a workbook (a working book kpiroll wrote: `just bench` leaves one
//! in target/bench/L/out/) again with rust_xlsxwriter, three times in each mode,
//! interleaved: normal, and constant memory (rows streamed to a temporary file, texts
//! inline). Each cell gets its format as the book's table writer made them (a clone per
//! cell, one in 97 of the first sheet's highlighted), the first sheet its row heights;
//! no notes, no merged areas. Deflate level 1, as kpiroll saves.
//!
//! ```sh
//! cargo run --release --manifest-path bench/constant_memory/Cargo.toml -- BOOK.xlsx
//! ```

use std::time::Instant;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

type Sheets = Vec<(String, Vec<Vec<Data>>)>;

fn write(sheets: &Sheets, constant_memory: bool) -> (f64, usize) {
    let base = Format::new()
        .set_font_name("ＭＳ ゴシック")
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let text = base.clone().set_align(FormatAlign::Left);
    let number = base
        .clone()
        .set_align(FormatAlign::Right)
        .set_num_format("#,##0");
    let marked = |f: &Format| f.clone().set_background_color(Color::RGB(0xFFF2CC));
    let started = Instant::now();
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(1);
    for (s, (name, rows)) in sheets.iter().enumerate() {
        let sheet = if constant_memory {
            workbook
                .add_worksheet_with_constant_memory()
                .expect("a sheet")
        } else {
            workbook.add_worksheet()
        };
        sheet.set_name(name).expect("a name");
        for (r, row) in rows.iter().enumerate() {
            if s == 0 {
                sheet.set_row_height(r as u32, 29.0).expect("a row");
            }
            for (c, value) in row.iter().enumerate() {
                let highlighted = s == 0 && (r * 13 + c) % 97 == 0;
                let format = |f: &Format| if highlighted { marked(f) } else { f.clone() };
                let (r, c) = (r as u32, c as u16);
                let written = match value {
                    Data::Empty => continue,
                    Data::Float(x) => sheet.write_number_with_format(r, c, *x, &format(&number)),
                    Data::Int(x) => {
                        sheet.write_number_with_format(r, c, *x as f64, &format(&number))
                    }
                    other => {
                        sheet.write_string_with_format(r, c, other.to_string(), &format(&text))
                    }
                };
                written.expect("a cell");
            }
        }
    }
    let bytes = workbook.save_to_buffer().expect("saved");
    (started.elapsed().as_secs_f64(), bytes.len())
}

fn main() {
    let path = std::env::args().nth(1).expect("a workbook");
    let mut book: Xlsx<_> = calamine::open_workbook(&path).expect("an xlsx");
    let mut sheets: Sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("a sheet");
        sheets.push((name, range.rows().map(<[Data]>::to_vec).collect()));
    }
    let cells: usize = sheets.iter().flat_map(|(_, rows)| rows).map(Vec::len).sum();
    println!("{} sheets, {cells} cells", sheets.len());
    for round in 0..3 {
        for constant_memory in [round % 2 == 0, round % 2 == 1] {
            let (seconds, size) = write(&sheets, constant_memory);
            let mode = if constant_memory {
                "constant memory"
            } else {
                "normal"
            };
            println!("{mode}: {seconds:.2} s, {} MiB", size >> 20);
        }
    }
}
