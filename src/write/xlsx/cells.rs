//! The cells of a sheet, written as sheet XML: `<sheetData>` and the merged areas.
//!
//! How it fits together:
//! - [`Xfs`] numbers every cell format of one workbook, from 1 in the order first used
//!   (0 is Excel's default format); the styles part is written from it
//!   ([`super::styles`]).
//! - [`SheetCells`] gathers one sheet's rows, cells (texts inline, numbers, formatted
//!   blanks) and merged areas as XML, in row order, a megabyte at a time deflated on a
//!   thread of its own. [`Cells`] is what the table writers write into: this, or a
//!   rust_xlsxwriter `Worksheet` (the forms).
//! - [`super::Workbook::save`] puts each sheet's shell around its cells.
//!
//! A cell is written as Excel writes it (`<c r="B5" s="3" t="inlineStr">…`, numbers in
//! Rust's shortest form, texts escaped the way Excel escapes them), and Excel's limits
//! are kept: a text longer than 32,767 characters or a cell beyond Excel's grid is an
//! error.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use rust_xlsxwriter::XlsxError;
use rustc_hash::FxHashMap;

use super::deflate::{Deflated, Piece};
use super::format::Format;

/// Excel's grid (its longest text: [`crate::model::MAX_CELL_TEXT`]).
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u16 = 16_384;
/// Excel's default row height in pixels (a row of it gets no `ht`).
const DEFAULT_ROW_PX: u32 = 20;
/// The size of the pieces a sheet's XML is kept in (and compressed in, on every core):
/// no buffer of a big sheet is copied as it grows.
const CHUNK: usize = 1 << 20;

/// The cell formats of one workbook, numbered once, in the order first used.
#[derive(Debug, Default)]
pub struct Xfs {
    table: Mutex<XfTable>,
}

#[derive(Debug, Default)]
struct XfTable {
    ids: FxHashMap<Format, u32>,
    order: Vec<Format>,
}

impl Xfs {
    pub fn new() -> Arc<Xfs> {
        Arc::new(Xfs::default())
    }

    /// The number of `format` in this workbook (Excel's default format is 0).
    pub fn id(&self, format: &Format) -> u32 {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = table.ids.get(format) {
            return *id;
        }
        if *format == Format::new() {
            return 0;
        }
        table.order.push(format.clone());
        let id = table.order.len() as u32;
        table.ids.insert(format.clone(), id);
        id
    }

    /// Every format, in number order (the first is number 1).
    pub(crate) fn formats(&self) -> Vec<Format> {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.order.clone()
    }
}

/// What the table writers write cells into: a sheet gathered here (in kpiroll's
/// [`Format`]s), or a rust_xlsxwriter worksheet in its own (the forms, small and
/// protected, are written by rust_xlsxwriter alone).
pub trait Cells {
    type Format;
    /// A text (an empty one is a formatted blank, as in rust_xlsxwriter).
    fn text(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: &Self::Format,
    ) -> Result<(), XlsxError>;
    /// A merged area with its text in the first cell and `format` over all of it.
    fn merged(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: &str,
        format: &Self::Format,
    ) -> Result<(), XlsxError>;
}

impl Cells for rust_xlsxwriter::Worksheet {
    type Format = rust_xlsxwriter::Format;

    fn text(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: &rust_xlsxwriter::Format,
    ) -> Result<(), XlsxError> {
        self.write_string_with_format(row, col, text, format)?;
        Ok(())
    }

    fn merged(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: &str,
        format: &rust_xlsxwriter::Format,
    ) -> Result<(), XlsxError> {
        self.merge_range(first.0, first.1, last.0, last.1, text, format)?;
        Ok(())
    }
}

/// One sheet's cells as `<sheetData>` XML, gathered row by row.
///
/// Rows come in order (a row may be written again while it is the last one); within a
/// row, cells in any order (they are sorted when the row is done; a cell written twice
/// keeps its last value). The blanks that carry a merged area's
/// format below its first row wait until their rows come.
#[derive(Debug)]
pub struct SheetCells {
    xfs: Arc<Xfs>,
    /// `<sheetData>` and the `<row>` elements done, in the chunk being filled; full
    /// chunks go to be deflated on a thread of their own as the rows are written
    xml: Vec<u8>,
    deflater: Deflater,
    /// the row being gathered, its height in pixels, its cells: (column, start, end)
    /// of each cell's XML in `scratch`
    row: Option<u32>,
    height_px: Option<u32>,
    cells: Vec<(u16, usize, usize)>,
    scratch: Vec<u8>,
    /// merged areas' blanks in rows not reached yet: row → (column, format number)
    pending: BTreeMap<u32, Vec<(u16, u32)>>,
    merges: Vec<((u32, u16), (u32, u16))>,
    /// the first and last row and column written, for `<dimension>`
    extent: Option<((u32, u16), (u32, u16))>,
    column_names: Vec<String>,
}

impl SheetCells {
    pub fn new(xfs: &Arc<Xfs>) -> SheetCells {
        SheetCells {
            xfs: Arc::clone(xfs),
            xml: b"<sheetData>".to_vec(),
            deflater: Deflater::Idle,
            row: None,
            height_px: None,
            cells: Vec::new(),
            scratch: Vec::new(),
            pending: BTreeMap::new(),
            merges: Vec::new(),
            extent: None,
            column_names: Vec::new(),
        }
    }

    /// Whether the cells are numbered in `xfs`.
    pub(crate) fn numbered_in(&self, xfs: &Arc<Xfs>) -> bool {
        Arc::ptr_eq(&self.xfs, xfs)
    }

    /// The number of `format` in the workbook (for a cell written many times over, look
    /// it up once and use [`SheetCells::text_xf`] / [`SheetCells::number_xf`]).
    pub fn xf(&self, format: &Format) -> u32 {
        self.xfs.id(format)
    }

    /// Sets a row's height in points.
    pub fn set_row_height(&mut self, row: u32, points: f64) -> Result<(), XlsxError> {
        self.at(row)?;
        self.height_px = Some((points * 4.0 / 3.0).round() as u32);
        Ok(())
    }

    /// A text in format number `xf`.
    pub fn text_xf(&mut self, row: u32, col: u16, text: &str, xf: u32) -> Result<(), XlsxError> {
        if text.is_empty() {
            return self.blank_xf(row, col, xf);
        }
        if crate::model::too_long_for_a_cell(text) {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.cell_at(row, col)?;
        let start = self.scratch.len();
        let preserve = text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']);
        self.open_cell(row, col, xf);
        self.scratch.extend_from_slice(br#" t="inlineStr"><is><t"#);
        if preserve {
            self.scratch.extend_from_slice(br#" xml:space="preserve""#);
        }
        self.scratch.push(b'>');
        push_escaped(&mut self.scratch, text);
        self.scratch.extend_from_slice(b"</t></is></c>");
        self.cells.push((col, start, self.scratch.len()));
        Ok(())
    }

    /// A number in format number `xf` (a number that is not finite is written as its
    /// text).
    pub fn number_xf(&mut self, row: u32, col: u16, x: f64, xf: u32) -> Result<(), XlsxError> {
        if !x.is_finite() {
            return self.text_xf(row, col, &x.to_string(), xf);
        }
        self.cell_at(row, col)?;
        let start = self.scratch.len();
        self.open_cell(row, col, xf);
        // writing into a Vec cannot fail
        let _ = write!(self.scratch, "><v>{x}</v></c>");
        self.cells.push((col, start, self.scratch.len()));
        Ok(())
    }

    /// A blank cell in format number `xf` (an unformatted blank is no cell at all).
    pub fn blank_xf(&mut self, row: u32, col: u16, xf: u32) -> Result<(), XlsxError> {
        self.cell_at(row, col)?;
        if xf == 0 {
            return Ok(());
        }
        let start = self.scratch.len();
        self.open_cell(row, col, xf);
        self.scratch.extend_from_slice(b"/>");
        self.cells.push((col, start, self.scratch.len()));
        Ok(())
    }

    /// A merged area: `text` in its first cell, format number `xf` over all of it.
    pub fn merged_xf(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: &str,
        xf: u32,
    ) -> Result<(), XlsxError> {
        if last.0 < first.0 || last.1 < first.1 || last.0 >= MAX_ROWS || last.1 >= MAX_COLS {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.text_xf(first.0, first.1, text, xf)?;
        if first == last {
            return Ok(());
        }
        for col in first.1 + 1..=last.1 {
            self.blank_xf(first.0, col, xf)?;
        }
        for row in first.0 + 1..=last.0 {
            let blanks = self.pending.entry(row).or_default();
            blanks.extend((first.1..=last.1).map(|col| (col, xf)));
        }
        self.grow(last.0, last.1);
        self.merges.push((first, last));
        Ok(())
    }

    /// Moves to the cell's row and notes the cell in the extent.
    fn cell_at(&mut self, row: u32, col: u16) -> Result<(), XlsxError> {
        if col >= MAX_COLS {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.at(row)?;
        self.grow(row, col);
        Ok(())
    }

    /// Moves to `row`, finishing the rows before it.
    fn at(&mut self, row: u32) -> Result<(), XlsxError> {
        if row >= MAX_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        match self.row {
            Some(current) if current == row => {}
            Some(current) if current > row => {
                return Err(XlsxError::ParameterError(format!(
                    "row {} written after row {} (rows go in order)",
                    row + 1,
                    current + 1
                )))
            }
            _ => {
                self.finish_row();
                // rows that hold only the blanks of merged areas above
                while let Some(entry) = self.pending.first_entry() {
                    if *entry.key() >= row {
                        break;
                    }
                    let (r, blanks) = entry.remove_entry();
                    self.start_row(r, blanks);
                    self.finish_row();
                }
                let blanks = self.pending.remove(&row).unwrap_or_default();
                self.start_row(row, blanks);
            }
        }
        Ok(())
    }

    fn grow(&mut self, row: u32, col: u16) {
        self.extent = Some(match self.extent {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
    }

    fn start_row(&mut self, row: u32, blanks: Vec<(u16, u32)>) {
        self.row = Some(row);
        self.height_px = None;
        for (col, xf) in blanks {
            let start = self.scratch.len();
            self.open_cell(row, col, xf);
            self.scratch.extend_from_slice(b"/>");
            self.cells.push((col, start, self.scratch.len()));
        }
    }

    /// `<c r="B5" s="3"` for a cell of row `row`, column `col` (0-based).
    fn open_cell(&mut self, row: u32, col: u16, xf: u32) {
        while self.column_names.len() <= usize::from(col) {
            let next = self.column_names.len() as u16;
            self.column_names
                .push(rust_xlsxwriter::utility::column_number_to_name(next));
        }
        self.scratch.extend_from_slice(b"<c r=\"");
        self.scratch
            .extend_from_slice(self.column_names[usize::from(col)].as_bytes());
        push_u32(&mut self.scratch, row + 1);
        self.scratch.push(b'"');
        if xf > 0 {
            self.scratch.extend_from_slice(b" s=\"");
            push_u32(&mut self.scratch, xf);
            self.scratch.push(b'"');
        }
    }

    /// Writes the row being gathered: its cells in column order, the last of a column's.
    fn finish_row(&mut self) {
        let Some(row) = self.row.take() else {
            return;
        };
        let height = self.height_px.take().filter(|px| *px != DEFAULT_ROW_PX);
        if self.cells.is_empty() && height.is_none() {
            self.scratch.clear();
            return;
        }
        self.xml.extend_from_slice(b"<row r=\"");
        push_u32(&mut self.xml, row + 1);
        self.xml.push(b'"');
        if let Some(px) = height {
            let _ = write!(
                self.xml,
                " ht=\"{}\" customHeight=\"1\"",
                f64::from(px) * 0.75
            );
        }
        if self.cells.is_empty() {
            self.xml.extend_from_slice(b"/>");
        } else {
            self.xml.push(b'>');
            // stable: of cells written twice, the later stays last
            if !self.cells.is_sorted_by_key(|c| c.0) {
                self.cells.sort_by_key(|c| c.0);
            }
            for (i, &(col, start, end)) in self.cells.iter().enumerate() {
                if self.cells.get(i + 1).is_some_and(|next| next.0 == col) {
                    continue;
                }
                self.xml.extend_from_slice(&self.scratch[start..end]);
            }
            self.xml.extend_from_slice(b"</row>");
        }
        self.cells.clear();
        self.scratch.clear();
        if self.xml.len() >= CHUNK {
            let full = std::mem::replace(&mut self.xml, Vec::with_capacity(CHUNK + CHUNK / 4));
            self.deflater.send(full);
        }
    }

    /// The sheet's `<sheetData>` (in chunks), `<mergeCells>` (empty when none) and
    /// dimension.
    pub(crate) fn finish(mut self) -> Gathered {
        self.finish_row();
        while let Some((r, blanks)) = self.pending.pop_first() {
            self.start_row(r, blanks);
            self.finish_row();
        }
        let mut data = self.deflater.finish();
        if data.is_empty() && self.xml == b"<sheetData>" {
            self.xml = b"<sheetData/>".to_vec();
        } else {
            self.xml.extend_from_slice(b"</sheetData>");
        }
        data.push(Piece::Raw(self.xml));
        let name = |(r, c): (u32, u16)| rust_xlsxwriter::utility::row_col_to_cell(r, c);
        let mut merges = String::new();
        if !self.merges.is_empty() {
            merges.push_str(&format!("<mergeCells count=\"{}\">", self.merges.len()));
            for (first, last) in &self.merges {
                merges.push_str(&format!(
                    "<mergeCell ref=\"{}:{}\"/>",
                    name(*first),
                    name(*last)
                ));
            }
            merges.push_str("</mergeCells>");
        }
        let dimension = match self.extent {
            None => "A1".to_string(),
            Some((first, last)) if first == last => name(first),
            Some((first, last)) => format!("{}:{}", name(first), name(last)),
        };
        Gathered {
            data,
            merges,
            dimension,
        }
    }
}

impl Cells for SheetCells {
    type Format = Format;

    fn text(&mut self, row: u32, col: u16, text: &str, format: &Format) -> Result<(), XlsxError> {
        let xf = self.xf(format);
        self.text_xf(row, col, text, xf)
    }

    fn merged(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        let xf = self.xf(format);
        self.merged_xf(first, last, text, xf)
    }
}

/// Where a sheet's full chunks go: a thread that deflates them while the rows are
/// written (started with the first; a small sheet never starts one), or, when no
/// thread could be started, kept to be deflated with the rest.
#[derive(Debug)]
enum Deflater {
    Idle,
    Running {
        send: mpsc::Sender<Vec<u8>>,
        done: std::thread::JoinHandle<Vec<Piece>>,
    },
    Kept(Vec<Piece>),
}

impl Deflater {
    fn send(&mut self, chunk: Vec<u8>) {
        if let Deflater::Idle = self {
            let (send, receive) = mpsc::channel::<Vec<u8>>();
            let started = std::thread::Builder::new()
                .name("kpiroll-deflate".into())
                .spawn(move || {
                    receive
                        .into_iter()
                        .map(|chunk| Piece::Deflated(Deflated::of(&chunk, false)))
                        .collect()
                });
            *self = match started {
                Ok(done) => Deflater::Running { send, done },
                Err(_) => Deflater::Kept(Vec::new()),
            };
        }
        match self {
            Deflater::Running { send, .. } => {
                if let Err(mpsc::SendError(chunk)) = send.send(chunk) {
                    // the thread is gone (it panicked): its panic surfaces at finish
                    drop(chunk);
                }
            }
            Deflater::Kept(pieces) => pieces.push(Piece::Raw(chunk)),
            Deflater::Idle => unreachable!("started above"),
        }
    }

    /// Every chunk sent, in order.
    fn finish(self) -> Vec<Piece> {
        match self {
            Deflater::Idle => Vec::new(),
            Deflater::Kept(pieces) => pieces,
            Deflater::Running { send, done } => {
                drop(send);
                done.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
        }
    }
}

/// A finished sheet's cells, ready to go inside its shell.
pub(crate) struct Gathered {
    /// `<sheetData>…</sheetData>`, in pieces of about [`CHUNK`] bytes (all deflated
    /// but the last)
    pub data: Vec<Piece>,
    /// `<mergeCells …>…</mergeCells>`, or nothing
    pub merges: String,
    /// the `ref` of `<dimension>`
    pub dimension: String,
}

/// Appends `n` in decimal.
fn push_u32(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `text` escaped as Excel escapes cell text: `&`, `<`, `>` as entities, control
/// characters other than tab and newline, and U+FFFE / U+FFFF (which XML 1.0 forbids
/// too), as `_xHHHH_`, and a literal `_xHHHH_` by escaping its underscore
/// (`_x005F_xHHHH_`).
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut done = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if i < done {
            continue; // inside a character escaped whole
        }
        let escape: Option<&[u8]> = match b {
            // U+FFFE and U+FFFF in UTF-8
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                out.extend_from_slice(&bytes[done..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xBE {
                    b"_xFFFE_"
                } else {
                    b"_xFFFF_"
                });
                done = i + 3;
                continue;
            }
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\t' | b'\n' => None,
            0..=0x1F => {
                out.extend_from_slice(&bytes[done..i]);
                let _ = write!(out, "_x{b:04X}_");
                done = i + 1;
                continue;
            }
            b'_' if is_excel_escape(&bytes[i..]) => {
                out.extend_from_slice(&bytes[done..i]);
                out.extend_from_slice(b"_x005F");
                done = i; // the underscore itself follows
                continue;
            }
            _ => None,
        };
        if let Some(escape) = escape {
            out.extend_from_slice(&bytes[done..i]);
            out.extend_from_slice(escape);
            done = i + 1;
        }
    }
    out.extend_from_slice(&bytes[done..]);
}

/// Whether `bytes` starts with `_xHHHH_` (four hex digits).
fn is_excel_escape(bytes: &[u8]) -> bool {
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        push_escaped(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn texts_are_escaped_like_excel() {
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped("改行\nタブ\t"), "改行\nタブ\t");
        assert_eq!(escaped("x\u{1}y\u{1F}"), "x_x0001_y_x001F_");
        assert_eq!(
            escaped("a\u{FFFE}b\u{FFFF}\u{FFFD}"),
            "a_xFFFE_b_xFFFF_\u{FFFD}"
        );
        assert_eq!(escaped("_x00A9_ and _xZZ00_"), "_x005F_x00A9_ and _xZZ00_");
        assert_eq!(escaped("__x0041_"), "__x005F_x0041_");
    }

    #[test]
    fn numbers_print_in_decimal() {
        for n in [0, 7, 10, 99, 1_048_576, u32::MAX] {
            let mut out = Vec::new();
            push_u32(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn rows_come_in_order_and_cells_sorted() {
        let xfs = Xfs::new();
        let mut cells = SheetCells::new(&xfs);
        cells.text_xf(0, 2, "c", 0).unwrap();
        cells.text_xf(0, 0, "a", 0).unwrap();
        cells.text_xf(0, 2, "C", 0).unwrap();
        cells.merged_xf((1, 1), (3, 1), "m", 1).unwrap();
        cells.number_xf(2, 0, 1.5, 0).unwrap();
        assert!(cells.text_xf(1, 0, "late", 0).is_err());
        let gathered = cells.finish();
        let raw: Vec<u8> = gathered
            .data
            .into_iter()
            .flat_map(|p| match p {
                Piece::Raw(bytes) => bytes,
                Piece::Deflated(_) => panic!("a small sheet is not deflated as it is written"),
            })
            .collect();
        let data = String::from_utf8(raw).unwrap();
        assert_eq!(
            data,
            "<sheetData>\
             <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>\
             <c r=\"C1\" t=\"inlineStr\"><is><t>C</t></is></c></row>\
             <row r=\"2\"><c r=\"B2\" s=\"1\" t=\"inlineStr\"><is><t>m</t></is></c></row>\
             <row r=\"3\"><c r=\"A3\"><v>1.5</v></c><c r=\"B3\" s=\"1\"/></row>\
             <row r=\"4\"><c r=\"B4\" s=\"1\"/></row>\
             </sheetData>"
        );
        assert_eq!(
            gathered.merges,
            "<mergeCells count=\"1\"><mergeCell ref=\"B2:B4\"/></mergeCells>"
        );
        assert_eq!(gathered.dimension, "A1:C4");
    }
}
