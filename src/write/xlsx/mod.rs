//! kpiroll's own xlsx writer: the book, the working book and every other workbook with
//! big sheets, written part by part — nothing of another library's output is read back
//! or patched.
//!
//! Why: a national working book is 140,000 rows of 一覧 and as many of 取込ログ, about
//! five million cells. Written through rust_xlsxwriter, every cell hashes its whole
//! format under a lock to find its number, and every text goes through the
//! shared-string table: two thirds of the time of building the workbook. Here a format
//! is numbered once and a cell is a few bytes appended to a buffer, deflated on other
//! cores while the rows are still being written.
//!
//! The parts, one file each:
//! - [`format`]: [`Format`], a cell format as kpiroll defines it (rendered as an `<xf>`
//!   here, or as a rust_xlsxwriter `Format` for the workbooks it still makes: the
//!   forms, the diff report); [`styles`]: `xl/styles.xml` from the formats numbered;
//! - [`cells`]: [`SheetCells`], a sheet's `<sheetData>` and merged areas, and [`Xfs`],
//!   the formats numbered in the order first used;
//! - [`sheet`]: [`Worksheet`], the rest of a sheet (widths, panes, filter, print setup,
//!   page breaks, notes) with setters that mirror rust_xlsxwriter's, and its XML around
//!   the cells; [`notes`]: the comments and their VML boxes;
//! - [`parts`]: content types, relationships, `xl/workbook.xml` (sheets, defined
//!   names: print titles, filters, kpiroll's marks), the document properties with a
//!   fixed date;
//! - [`setup`]: the setters this writer and rust_xlsxwriter share (a sheet's shell,
//!   defined names, the creation date), so one function dresses a sheet for either;
//! - [`deflate`] and [`archive`]: the parts deflated in pieces on every core and the zip
//!   written around them by hand; [`repair`]: what rust_xlsxwriter saved (the forms,
//!   the diff report) re-packed into that zip and made well-formed, so every workbook
//!   kpiroll writes is the same bytes on Windows and Linux.
//!
//! Its oracles: golden-XML tests of each part (below each file), and the end-to-end
//! tests that read every written book back (calamine for the values, the sheet XML
//! for merges and print setup; `openxml-audit` on every workbook).

pub mod archive;
pub mod cells;
pub mod deflate;
pub mod format;
pub mod notes;
pub mod parts;
pub mod repair;
pub mod setup;
pub mod sheet;
pub mod styles;
mod xml;

use std::sync::Arc;

use rayon::prelude::*;
pub use rust_xlsxwriter::XlsxError;

pub use cells::{Cells, SheetCells, Xfs};
pub use deflate::ZIP_LEVEL;
pub use format::{Align, Format};
pub use notes::Note;
pub use setup::{BookSetup, SheetSetup};
pub use sheet::Worksheet;

use archive::{ZipOut, DEFLATE};
use deflate::{Deflated, Piece};
use parts::DefinedName;

/// A workbook: its sheets (each a shell and its cells), its own defined names and its
/// creation date; [`Workbook::save`] gives the bytes of the file.
pub struct Workbook {
    xfs: Arc<Xfs>,
    sheets: Vec<(Worksheet, SheetCells)>,
    names: Vec<(String, String)>,
    created: (u16, u8, u8),
}

impl Workbook {
    /// A workbook whose cells are numbered in `xfs` (every sheet's cells must use it).
    /// Its creation date is 1980-01-01 until set.
    pub fn new(xfs: &Arc<Xfs>) -> Workbook {
        Workbook {
            xfs: Arc::clone(xfs),
            sheets: Vec::new(),
            names: Vec::new(),
            created: (1980, 1, 1),
        }
    }

    /// A workbook-wide defined name; `formula` as Excel shows it (`="working"`).
    ///
    /// # Errors
    /// A name Excel refuses (empty, or other than letters, digits, `_` and `.`, or
    /// starting with a digit), or one defined already.
    pub fn define_name(&mut self, name: &str, formula: &str) -> Result<&mut Workbook, XlsxError> {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if !valid {
            return Err(XlsxError::ParameterError(format!(
                "invalid defined name: {name}"
            )));
        }
        if self.names.iter().any(|(n, _)| n == name) {
            return Err(XlsxError::NameReused(name.to_string()));
        }
        let formula = formula.strip_prefix('=').unwrap_or(formula);
        self.names.push((name.to_string(), formula.to_string()));
        Ok(self)
    }

    /// The date the workbook says it was created and last modified (midnight UTC).
    ///
    /// # Errors
    /// A date that is not one.
    pub fn set_creation_date(
        &mut self,
        year: u16,
        month: u8,
        day: u8,
    ) -> Result<&mut Workbook, XlsxError> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day)
        {
            return Err(XlsxError::DateTimeRangeError(format!(
                "{year}-{month}-{day}"
            )));
        }
        self.created = (year, month, day);
        Ok(self)
    }

    /// Adds a sheet (in the order they are pushed; the first is the one open when the
    /// book is).
    pub fn push_worksheet(&mut self, sheet: Worksheet, cells: SheetCells) -> &mut Workbook {
        self.sheets.push((sheet, cells));
        self
    }

    /// The formats of this workbook's cells.
    pub fn xfs(&self) -> &Arc<Xfs> {
        &self.xfs
    }

    /// The bytes of the xlsx file.
    ///
    /// # Errors
    /// No sheet, two sheets of one name, cells numbered in another workbook's formats,
    /// or a part over 4 GiB.
    pub fn save(self) -> Result<Vec<u8>, XlsxError> {
        let Workbook {
            xfs,
            sheets,
            names,
            created,
        } = self;
        if sheets.is_empty() {
            return Err(XlsxError::ParameterError(
                "a workbook without sheets".into(),
            ));
        }
        let mut sheet_names: Vec<String> = Vec::with_capacity(sheets.len());
        for (i, (sheet, cells)) in sheets.iter().enumerate() {
            if !cells.numbered_in(&xfs) {
                return Err(XlsxError::ParameterError(
                    "a sheet's cells numbered in another workbook's formats".into(),
                ));
            }
            let name = match sheet.name() {
                "" => format!("Sheet{}", i + 1),
                name => name.to_string(),
            };
            if sheet_names
                .iter()
                .any(|n| n.to_lowercase() == name.to_lowercase())
            {
                return Err(XlsxError::SheetnameReused(name));
            }
            sheet_names.push(name);
        }
        let mut defined: Vec<DefinedName> = names
            .into_iter()
            .map(|(name, formula)| DefinedName {
                name,
                sheet: None,
                formula,
                hidden: false,
            })
            .collect();
        // each sheet: its XML in pieces (the shell before the cells, the cells, the
        // shell after them), and its notes' parts
        let mut parts: Vec<(String, Vec<Piece>)> = Vec::new();
        let mut notes_parts: Vec<(String, Vec<Piece>)> = Vec::new();
        let mut notes_count = 0;
        let mut data_id = 1;
        for (i, (mut sheet, cells)) in sheets.into_iter().enumerate() {
            if sheet.name().is_empty() {
                sheet.set_name(&sheet_names[i])?;
            }
            defined.extend(
                sheet
                    .defined_names()
                    .into_iter()
                    .map(|(name, formula, hidden)| DefinedName {
                        name: name.to_string(),
                        sheet: Some(i),
                        formula,
                        hidden,
                    }),
            );
            let gathered = cells.finish();
            let drawing = sheet.has_notes().then_some("rId1");
            let head = sheet.head_xml(&gathered.dimension, i == 0);
            let tail = sheet.tail_xml(&gathered.merges, drawing);
            let mut pieces = vec![Piece::Raw(head.into_bytes())];
            pieces.extend(gathered.data);
            pieces.push(Piece::Raw(tail.into_bytes()));
            parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), pieces));
            if drawing.is_some() {
                notes_count += 1;
                let k = notes_count;
                let placed = sheet.placed_notes();
                let raw = |text: String| vec![Piece::Raw(text.into_bytes())];
                parts.push((
                    format!("xl/worksheets/_rels/sheet{}.xml.rels", i + 1),
                    raw(parts::sheet_rels_xml(k)),
                ));
                notes_parts.push((
                    format!("xl/comments{k}.xml"),
                    raw(notes::comments_xml(&placed)),
                ));
                notes_parts.push((
                    format!("xl/drawings/vmlDrawing{k}.vml"),
                    raw(notes::vml_xml(data_id, &placed)),
                ));
                data_id += notes::id_blocks(placed.len());
            }
        }
        let names: Vec<&str> = sheet_names.iter().map(String::as_str).collect();
        let raw = |text: String| vec![Piece::Raw(text.into_bytes())];
        let mut all: Vec<(String, Vec<Piece>)> = vec![
            (
                "[Content_Types].xml".into(),
                raw(parts::content_types_xml(names.len(), notes_count)),
            ),
            ("_rels/.rels".into(), raw(parts::root_rels_xml())),
            ("docProps/app.xml".into(), raw(parts::app_xml(&names))),
            ("docProps/core.xml".into(), raw(parts::core_xml(created))),
            (
                "xl/workbook.xml".into(),
                raw(parts::workbook_xml(&names, &defined)),
            ),
            (
                "xl/_rels/workbook.xml.rels".into(),
                raw(parts::workbook_rels_xml(names.len())),
            ),
            (
                "xl/styles.xml".into(),
                raw(styles::styles_xml(&xfs.formats())),
            ),
            ("xl/theme/theme1.xml".into(), raw(parts::THEME_XML.into())),
        ];
        all.extend(parts);
        all.extend(notes_parts);
        zipped(all)
    }
}

/// The zip of `parts`: what is not deflated yet deflated on every core (the last piece
/// of a part ends its stream), then written in order.
fn zipped(mut parts: Vec<(String, Vec<Piece>)>) -> Result<Vec<u8>, XlsxError> {
    parts.par_iter_mut().for_each(|(_, pieces)| {
        let last = pieces.len() - 1;
        pieces.par_iter_mut().enumerate().for_each(|(k, piece)| {
            if let Piece::Raw(data) = piece {
                *piece = Piece::Deflated(Deflated::of(data, k == last));
            }
        });
    });
    let size: usize = parts
        .iter()
        .flat_map(|(_, pieces)| pieces)
        .map(|p| match p {
            Piece::Deflated(d) => d.bytes.len(),
            Piece::Raw(r) => r.len(),
        })
        .sum();
    let mut out = ZipOut::with_capacity(size + 4096);
    for (name, pieces) in &parts {
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        let mut data: Vec<&[u8]> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let Piece::Deflated(piece) = piece else {
                unreachable!("every piece was deflated above");
            };
            crc.combine(&piece.crc);
            size += piece.size;
            data.push(&piece.bytes);
        }
        out.add(name, DEFLATE, crc.finalize(), size, &data)?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// Two sheets: 一覧 with a width, a note, a merged area and a number; 変更点 with a
    /// frozen header, a filter and print titles. Its bytes, and the bold format used.
    fn small_workbook() -> (Vec<u8>, Format) {
        let xfs = Xfs::new();
        let bold = Format::new().set_bold();
        let mut workbook = Workbook::new(&xfs);
        workbook.set_creation_date(2025, 4, 1).unwrap();
        workbook.define_name("kpiroll_output", "=\"book\"").unwrap();
        let mut first = Worksheet::new();
        first.set_name("一覧").unwrap();
        first.set_column_width(0, 12).unwrap();
        first
            .insert_note(1, 0, &Note::new("前年度: 350").set_author("kpiroll"))
            .unwrap();
        let mut cells = SheetCells::new(&xfs);
        cells.text(0, 0, "見出し", &bold).unwrap();
        cells
            .merged((1, 0), (2, 0), "a & b", &Format::new())
            .unwrap();
        cells.number_xf(1, 1, 1.5, 0).unwrap();
        workbook.push_worksheet(first, cells);
        let mut second = Worksheet::new();
        second.set_name("変更点").unwrap();
        second.set_freeze_panes(1, 0).unwrap();
        second.autofilter(0, 0, 1, 1).unwrap();
        second.set_repeat_rows(0, 0).unwrap();
        let mut cells = SheetCells::new(&xfs);
        cells.text(0, 0, "番号", &bold).unwrap();
        cells.number_xf(1, 0, 7.0, 0).unwrap();
        workbook.push_worksheet(second, cells);
        (workbook.save().unwrap(), bold)
    }

    /// A small workbook of two sheets, one with a note, a merge, a filter and print
    /// titles: every part exactly as expected, and the values as calamine reads them.
    #[test]
    fn a_small_workbook_part_by_part() {
        let (bytes, bold) = small_workbook();

        let names: Vec<String> = zip::ZipArchive::new(Cursor::new(&bytes[..]))
            .unwrap()
            .file_names()
            .map(|n| n.unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "docProps/app.xml",
                "docProps/core.xml",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                "xl/theme/theme1.xml",
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/_rels/sheet1.xml.rels",
                "xl/worksheets/sheet2.xml",
                "xl/comments1.xml",
                "xl/drawings/vmlDrawing1.vml",
            ]
        );
        assert_eq!(
            part(&bytes, "xl/worksheets/sheet1.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <dimension ref=\"A1:B3\"/><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/>\
             </sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>\
             <cols><col min=\"1\" max=\"1\" width=\"12.7109375\" customWidth=\"1\"/></cols>\
             <sheetData><row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>見出し</t></is></c></row>\
             <row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a &amp; b</t></is></c><c r=\"B2\"><v>1.5</v></c></row>\
             <row r=\"3\"><c r=\"A3\"/></row></sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:A3\"/></mergeCells>\
             <pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
             <legacyDrawing r:id=\"rId1\"/></worksheet>"
        );
        assert_eq!(
            part(&bytes, "xl/worksheets/sheet2.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <dimension ref=\"A1:A2\"/><sheetViews><sheetView workbookViewId=\"0\">\
             <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
             <selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>\
             <sheetData><row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>番号</t></is></c></row>\
             <row r=\"2\"><c r=\"A2\"><v>7</v></c></row></sheetData><autoFilter ref=\"A1:B2\"/>\
             <pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
             </worksheet>"
        );
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(workbook.contains(
            "<definedNames>\
             <definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">変更点!$A$1:$B$2</definedName>\
             <definedName name=\"kpiroll_output\">\"book\"</definedName>\
             <definedName name=\"_xlnm.Print_Titles\" localSheetId=\"1\">変更点!$1:$1</definedName>\
             </definedNames>"
        ), "{workbook}");
        assert_eq!(part(&bytes, "xl/styles.xml"), styles::styles_xml(&[bold]));
        assert_eq!(
            part(&bytes, "docProps/core.xml"),
            parts::core_xml((2025, 4, 1))
        );
        assert_eq!(
            part(&bytes, "[Content_Types].xml"),
            parts::content_types_xml(2, 1)
        );
        assert_eq!(
            part(&bytes, "xl/worksheets/_rels/sheet1.xml.rels"),
            parts::sheet_rels_xml(1)
        );
        // the note's box: column B (64 px) from 89 + 15 px, row 1 from 10 px
        let vml = part(&bytes, "xl/drawings/vmlDrawing1.vml");
        assert!(vml.contains("margin-left:78pt;margin-top:7.5pt;"), "{vml}");
        assert!(
            vml.contains("<x:Anchor>1, 15, 0, 10, 3, 15, 4, 4</x:Anchor>"),
            "{vml}"
        );
        assert!(part(&bytes, "xl/comments1.xml").contains("<comment ref=\"A2\" authorId=\"0\">"));

        // and read back
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let first = book.worksheet_range("一覧").unwrap();
        assert_eq!(
            first.get_value((0, 0)),
            Some(&Data::String("見出し".into()))
        );
        assert_eq!(first.get_value((1, 0)), Some(&Data::String("a & b".into())));
        assert_eq!(first.get_value((1, 1)), Some(&Data::Float(1.5)));
        let second = book.worksheet_range("変更点").unwrap();
        assert_eq!(second.get_value((1, 0)), Some(&Data::Float(7.0)));
    }

    #[test]
    fn two_sheets_of_one_name_are_refused() {
        let xfs = Xfs::new();
        let mut workbook = Workbook::new(&xfs);
        for _ in 0..2 {
            let mut sheet = Worksheet::new();
            sheet.set_name("一覧").unwrap();
            workbook.push_worksheet(sheet, SheetCells::new(&xfs));
        }
        assert!(matches!(
            workbook.save(),
            Err(XlsxError::SheetnameReused(_))
        ));
        let other = Xfs::new();
        let mut workbook = Workbook::new(&xfs);
        workbook.push_worksheet(Worksheet::new(), SheetCells::new(&other));
        assert!(
            workbook.save().is_err(),
            "cells of another workbook's formats"
        );
    }
}
