//! A worksheet's shell: everything of a sheet but its cells (name, column widths, frozen
//! panes, filter, print setup, page breaks, notes), and the XML around its
//! `<sheetData>`. The setters mirror rust_xlsxwriter's `Worksheet`, so a sheet is
//! dressed the same way whichever writer makes it.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_xlsxwriter::utility::{column_number_to_name, row_col_to_cell};
use rust_xlsxwriter::XlsxError;

use super::notes::{self, Note, Placed};
use super::xml::escape;

const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u16 = 16_384;
/// Excel's default column width and row height in pixels (Calibri 11).
const DEFAULT_COL_PX: u32 = 64;
const DEFAULT_ROW_PX: u32 = 20;
/// Pixels per character of column width, and a column's padding.
const DIGIT_PX: u32 = 7;
const PADDING_PX: u32 = 5;
/// The widest column Excel allows, in pixels (255 characters).
const MAX_COL_PX: u32 = 1790;

/// A worksheet's shell (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub struct Worksheet {
    name: String,
    /// column → width in pixels
    widths: BTreeMap<u16, u32>,
    /// row → height in pixels (only to place the notes' boxes: the cells' rows carry
    /// their own heights)
    heights: BTreeMap<u32, u32>,
    notes: BTreeMap<(u32, u16), Note>,
    freeze: Option<(u32, u16)>,
    filter: Option<((u32, u16), (u32, u16))>,
    repeat_rows: Option<(u32, u32)>,
    breaks: Vec<u32>,
    paper: u8,
    landscape: bool,
    fit: Option<(u16, u16)>,
    center_horizontally: bool,
    /// left, right, top, bottom, header, footer (inches)
    margins: Option<[f64; 6]>,
    header: String,
    footer: String,
}

/// rust_xlsxwriter's default margins (Excel's).
const DEFAULT_MARGINS: [f64; 6] = [0.7, 0.7, 0.75, 0.75, 0.3, 0.3];

impl Worksheet {
    pub fn new() -> Worksheet {
        Worksheet::default()
    }

    /// The sheet's name (Excel's rules: 1 to 31 characters, none of `[]:*?/\`, no
    /// apostrophe at either end).
    ///
    /// # Errors
    /// A name Excel refuses.
    pub fn set_name(&mut self, name: &str) -> Result<&mut Worksheet, XlsxError> {
        let owned = || name.to_string();
        if name.is_empty() {
            return Err(XlsxError::SheetnameCannotBeBlank(owned()));
        }
        if name.chars().count() > 31 {
            return Err(XlsxError::SheetnameLengthExceeded(owned()));
        }
        if name.contains(['[', ']', ':', '*', '?', '/', '\\']) {
            return Err(XlsxError::SheetnameContainsInvalidCharacter(owned()));
        }
        if name.starts_with('\'') || name.ends_with('\'') {
            return Err(XlsxError::SheetnameStartsOrEndsWithApostrophe(owned()));
        }
        self.name = name.to_string();
        Ok(self)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A column's width in characters (Excel's unit: the width of a digit).
    ///
    /// # Errors
    /// A column beyond Excel's grid.
    pub fn set_column_width(
        &mut self,
        col: u16,
        width: impl Into<f64>,
    ) -> Result<&mut Worksheet, XlsxError> {
        if col >= MAX_COLS {
            return Err(XlsxError::RowColumnLimitError);
        }
        let width: f64 = width.into();
        let px = if width <= 0.0 {
            0
        } else if width < 1.0 {
            (width * f64::from(DIGIT_PX + PADDING_PX)).round() as u32
        } else {
            (width * f64::from(DIGIT_PX)).round() as u32 + PADDING_PX
        };
        self.widths.insert(col, px.min(MAX_COL_PX));
        Ok(self)
    }

    /// A row's height in points. Only the notes' boxes are placed by it here: a row's
    /// height is written with its cells ([`super::SheetCells::set_row_height`]).
    ///
    /// # Errors
    /// A row beyond Excel's grid.
    pub fn set_row_height(
        &mut self,
        row: u32,
        points: impl Into<f64>,
    ) -> Result<&mut Worksheet, XlsxError> {
        if row >= MAX_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        let px = (points.into() * 4.0 / 3.0).round() as u32;
        self.heights.insert(row, px);
        Ok(self)
    }

    /// A note on a cell (a later one on the same cell replaces it).
    ///
    /// # Errors
    /// A cell beyond Excel's grid, a text longer than a cell holds.
    pub fn insert_note(
        &mut self,
        row: u32,
        col: u16,
        note: &Note,
    ) -> Result<&mut Worksheet, XlsxError> {
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(XlsxError::RowColumnLimitError);
        }
        if note.too_long() {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.notes.insert((row, col), note.clone());
        Ok(self)
    }

    /// Rows above `row` and columns left of `col` stay in view.
    ///
    /// # Errors
    /// A cell beyond Excel's grid.
    pub fn set_freeze_panes(&mut self, row: u32, col: u16) -> Result<&mut Worksheet, XlsxError> {
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.freeze = (row > 0 || col > 0).then_some((row, col));
        Ok(self)
    }

    /// A filter over the area (its first row the header).
    ///
    /// # Errors
    /// An area beyond Excel's grid or upside down.
    pub fn autofilter(
        &mut self,
        first_row: u32,
        first_col: u16,
        last_row: u32,
        last_col: u16,
    ) -> Result<&mut Worksheet, XlsxError> {
        check_area(first_row, first_col, last_row, last_col)?;
        self.filter = Some(((first_row, first_col), (last_row, last_col)));
        Ok(self)
    }

    /// Rows printed at the top of every page.
    ///
    /// # Errors
    /// Rows beyond Excel's grid or upside down.
    pub fn set_repeat_rows(
        &mut self,
        first_row: u32,
        last_row: u32,
    ) -> Result<&mut Worksheet, XlsxError> {
        check_area(first_row, 0, last_row, 0)?;
        self.repeat_rows = Some((first_row, last_row));
        Ok(self)
    }

    /// A page break above each of `rows` (Excel keeps 1,023).
    ///
    /// # Errors
    /// More than 1,023 breaks.
    pub fn set_page_breaks(&mut self, rows: &[u32]) -> Result<&mut Worksheet, XlsxError> {
        if rows.len() > 1023 {
            return Err(XlsxError::ParameterError(
                "more than 1023 page breaks".to_string(),
            ));
        }
        let mut rows: Vec<u32> = rows.iter().copied().filter(|r| *r > 0).collect();
        rows.sort_unstable();
        rows.dedup();
        self.breaks = rows;
        Ok(self)
    }

    /// Excel's paper code (8 = A3, 9 = A4; 0 the printer's default).
    pub fn set_paper_size(&mut self, paper: u8) -> &mut Worksheet {
        self.paper = paper;
        self
    }

    pub fn set_landscape(&mut self) -> &mut Worksheet {
        self.landscape = true;
        self
    }

    pub fn set_portrait(&mut self) -> &mut Worksheet {
        self.landscape = false;
        self
    }

    /// Printed `width` pages wide and `height` pages high (0: as many as it takes).
    pub fn set_print_fit_to_pages(&mut self, width: u16, height: u16) -> &mut Worksheet {
        self.fit = Some((width, height));
        self
    }

    pub fn set_print_center_horizontally(&mut self, enable: bool) -> &mut Worksheet {
        self.center_horizontally = enable;
        self
    }

    /// Margins in inches; a negative one keeps Excel's default.
    pub fn set_margins(
        &mut self,
        left: f64,
        right: f64,
        top: f64,
        bottom: f64,
        header: f64,
        footer: f64,
    ) -> &mut Worksheet {
        let given = [left, right, top, bottom, header, footer];
        let mut margins = DEFAULT_MARGINS;
        for (m, g) in margins.iter_mut().zip(given) {
            if g >= 0.0 {
                *m = g;
            }
        }
        self.margins = Some(margins);
        self
    }

    /// The page header, in Excel's codes (`&C` centre, `&P` page number …).
    pub fn set_header(&mut self, header: impl Into<String>) -> &mut Worksheet {
        self.header = header.into();
        self
    }

    /// The page footer, in Excel's codes (`&C&P / &N`: page k of n, centred).
    pub fn set_footer(&mut self, footer: impl Into<String>) -> &mut Worksheet {
        self.footer = footer.into();
        self
    }

    pub(crate) fn has_notes(&self) -> bool {
        !self.notes.is_empty()
    }

    /// The sheet's defined names: (name, formula, hidden) — its filter's range and its
    /// print titles.
    pub(crate) fn defined_names(&self) -> Vec<(&'static str, String, bool)> {
        let sheet = quoted_sheet_name(&self.name);
        let mut names = Vec::new();
        if let Some(((r0, c0), (r1, c1))) = self.filter {
            let cell = |r: u32, c: u16| format!("${}${}", column_number_to_name(c), r + 1);
            names.push((
                "_xlnm._FilterDatabase",
                format!("{sheet}!{}:{}", cell(r0, c0), cell(r1, c1)),
                true,
            ));
        }
        if let Some((first, last)) = self.repeat_rows {
            names.push((
                "_xlnm.Print_Titles",
                format!("{sheet}!${}:${}", first + 1, last + 1),
                false,
            ));
        }
        names
    }

    /// The sheet's XML before `<sheetData>`: `dimension` is the `ref` of the cells
    /// written, `selected` whether it is the sheet open when the book is.
    pub(crate) fn head_xml(&self, dimension: &str, selected: bool) -> String {
        let mut x = String::with_capacity(2048);
        x.push_str(concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ",
            "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        ));
        if self.fit.is_some() {
            x.push_str("<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
        }
        let _ = write!(x, "<dimension ref=\"{dimension}\"/><sheetViews><sheetView");
        if selected {
            x.push_str(" tabSelected=\"1\"");
        }
        x.push_str(" workbookViewId=\"0\"");
        match self.freeze {
            None => x.push_str("/>"),
            Some((row, col)) => {
                x.push('>');
                let top_left = row_col_to_cell(row, col);
                let (split, active, selections): (String, &str, &[&str]) = match (row, col) {
                    (r, 0) => (format!("ySplit=\"{r}\""), "bottomLeft", &["bottomLeft"]),
                    (0, c) => (format!("xSplit=\"{c}\""), "topRight", &["topRight"]),
                    (r, c) => (
                        format!("xSplit=\"{c}\" ySplit=\"{r}\""),
                        "bottomRight",
                        &["topRight", "bottomLeft", "bottomRight"],
                    ),
                };
                let _ = write!(
                    x,
                    "<pane {split} topLeftCell=\"{top_left}\" activePane=\"{active}\" \
                     state=\"frozen\"/>"
                );
                for pane in selections {
                    let _ = write!(x, "<selection pane=\"{pane}\"/>");
                }
                x.push_str("</sheetView>");
            }
        }
        x.push_str("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        self.cols_xml(&mut x);
        x
    }

    /// `<cols>`: the columns of a set width, neighbours of the same width in one `<col>`.
    fn cols_xml(&self, x: &mut String) {
        if self.widths.is_empty() {
            return;
        }
        x.push_str("<cols>");
        let mut runs: Vec<(u16, u16, u32)> = Vec::new();
        for (&col, &px) in &self.widths {
            match runs.last_mut() {
                Some((_, last, w)) if *last + 1 == col && *w == px => *last = col,
                _ => runs.push((col, col, px)),
            }
        }
        for (first, last, px) in runs {
            if px == 0 {
                let _ = write!(
                    x,
                    "<col min=\"{}\" max=\"{}\" width=\"0\" hidden=\"1\" customWidth=\"1\"/>",
                    first + 1,
                    last + 1
                );
                continue;
            }
            // characters, to 1/256, as Excel stores them
            let width = f64::from(px * 256 / DIGIT_PX) / 256.0;
            let _ = write!(
                x,
                "<col min=\"{}\" max=\"{}\" width=\"{width}\" customWidth=\"1\"/>",
                first + 1,
                last + 1
            );
        }
        x.push_str("</cols>");
    }

    /// The sheet's XML after `</sheetData>`: `merges` is its `<mergeCells>` (or
    /// nothing); `legacy_drawing` the relationship id of its notes' drawing.
    pub(crate) fn tail_xml(&self, merges: &str, legacy_drawing: Option<&str>) -> String {
        let mut x = String::with_capacity(1024 + merges.len());
        if let Some((first, last)) = self.filter {
            let _ = write!(
                x,
                "<autoFilter ref=\"{}:{}\"/>",
                row_col_to_cell(first.0, first.1),
                row_col_to_cell(last.0, last.1)
            );
        }
        x.push_str(merges);
        if self.center_horizontally {
            x.push_str("<printOptions horizontalCentered=\"1\"/>");
        }
        let [l, r, t, b, h, f] = self.margins.unwrap_or(DEFAULT_MARGINS);
        let _ = write!(
            x,
            "<pageMargins left=\"{l}\" right=\"{r}\" top=\"{t}\" bottom=\"{b}\" \
             header=\"{h}\" footer=\"{f}\"/>"
        );
        if self.paper > 0 || self.landscape || self.fit.is_some() {
            x.push_str("<pageSetup");
            if self.paper > 0 {
                let _ = write!(x, " paperSize=\"{}\"", self.paper);
            }
            if let Some((width, height)) = self.fit {
                if width != 1 {
                    let _ = write!(x, " fitToWidth=\"{width}\"");
                }
                if height != 1 {
                    let _ = write!(x, " fitToHeight=\"{height}\"");
                }
            }
            let orientation = if self.landscape {
                "landscape"
            } else {
                "portrait"
            };
            let _ = write!(
                x,
                " orientation=\"{orientation}\" horizontalDpi=\"200\" verticalDpi=\"200\"/>"
            );
        }
        if !self.header.is_empty() || !self.footer.is_empty() {
            x.push_str("<headerFooter>");
            if !self.header.is_empty() {
                let _ = write!(x, "<oddHeader>{}</oddHeader>", escape(&self.header));
            }
            if !self.footer.is_empty() {
                let _ = write!(x, "<oddFooter>{}</oddFooter>", escape(&self.footer));
            }
            x.push_str("</headerFooter>");
        }
        if !self.breaks.is_empty() {
            let n = self.breaks.len();
            let _ = write!(x, "<rowBreaks count=\"{n}\" manualBreakCount=\"{n}\">");
            for row in &self.breaks {
                let _ = write!(x, "<brk id=\"{row}\" max=\"16383\" man=\"1\"/>");
            }
            x.push_str("</rowBreaks>");
        }
        if let Some(id) = legacy_drawing {
            let _ = write!(x, "<legacyDrawing r:id=\"{id}\"/>");
        }
        x.push_str("</worksheet>");
        x
    }

    /// The notes, in row and column order, each with its box placed by the column
    /// widths and row heights (Excel's placement: see [`super::notes`]).
    pub(crate) fn placed_notes(&self) -> Vec<Placed<'_>> {
        let col_px = |c: u16| self.widths.get(&c).copied().unwrap_or(DEFAULT_COL_PX);
        let row_px = |r: u32| self.heights.get(&r).copied().unwrap_or(DEFAULT_ROW_PX);
        notes::place(&self.notes, col_px, row_px)
    }
}

/// An area's corners in order and inside Excel's grid.
fn check_area(r0: u32, c0: u16, r1: u32, c1: u16) -> Result<(), XlsxError> {
    if r1 >= MAX_ROWS || c1 >= MAX_COLS {
        return Err(XlsxError::RowColumnLimitError);
    }
    if r0 > r1 || c0 > c1 {
        return Err(XlsxError::RowColumnOrderError);
    }
    Ok(())
}

/// A sheet name as a formula names it: as it is when it is letters, digits and `_`
/// only (not starting with a digit, and no ASCII digit that could make it read as a
/// cell), otherwise in apostrophes (an apostrophe in it doubled).
pub(crate) fn quoted_sheet_name(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| (c.is_alphanumeric() || c == '_') && !c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dressed() -> Worksheet {
        let mut sheet = Worksheet::new();
        sheet.set_name("取込ログ").unwrap();
        sheet.set_column_width(0, 12).unwrap();
        sheet.set_column_width(1, 14).unwrap();
        sheet.set_column_width(2, 14).unwrap();
        sheet.set_column_width(4, 0.5).unwrap();
        sheet.set_freeze_panes(1, 0).unwrap();
        sheet.autofilter(0, 0, 9, 2).unwrap();
        sheet.set_repeat_rows(0, 0).unwrap();
        sheet.set_page_breaks(&[18, 5]).unwrap();
        sheet.set_paper_size(8).set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_print_center_horizontally(true);
        sheet.set_margins(0.4, 0.4, 0.5, 0.5, 0.2, 0.2);
        sheet.set_footer("&C&P / &N");
        sheet
    }

    #[test]
    fn the_shell_around_the_cells() {
        let sheet = dressed();
        assert_eq!(
            sheet.head_xml("A1:C10", false),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr><dimension ref=\"A1:C10\"/>\
             <sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" \
             activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/>\
             </sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>\
             <cols><col min=\"1\" max=\"1\" width=\"12.7109375\" customWidth=\"1\"/>\
             <col min=\"2\" max=\"3\" width=\"14.7109375\" customWidth=\"1\"/>\
             <col min=\"5\" max=\"5\" width=\"0.85546875\" customWidth=\"1\"/></cols>"
        );
        assert_eq!(
            sheet.tail_xml("<mergeCells count=\"1\"><mergeCell ref=\"A2:A3\"/></mergeCells>", None),
            "<autoFilter ref=\"A1:C10\"/>\
             <mergeCells count=\"1\"><mergeCell ref=\"A2:A3\"/></mergeCells>\
             <printOptions horizontalCentered=\"1\"/>\
             <pageMargins left=\"0.4\" right=\"0.4\" top=\"0.5\" bottom=\"0.5\" header=\"0.2\" footer=\"0.2\"/>\
             <pageSetup paperSize=\"8\" fitToHeight=\"0\" orientation=\"landscape\" horizontalDpi=\"200\" verticalDpi=\"200\"/>\
             <headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>\
             <rowBreaks count=\"2\" manualBreakCount=\"2\"><brk id=\"5\" max=\"16383\" man=\"1\"/>\
             <brk id=\"18\" max=\"16383\" man=\"1\"/></rowBreaks></worksheet>"
        );
        assert_eq!(
            sheet.defined_names(),
            vec![
                (
                    "_xlnm._FilterDatabase",
                    "取込ログ!$A$1:$C$10".to_string(),
                    true
                ),
                ("_xlnm.Print_Titles", "取込ログ!$1:$1".to_string(), false),
            ]
        );
    }

    #[test]
    fn a_plain_sheet_selected_with_a_note() {
        let mut sheet = Worksheet::new();
        sheet.set_name("Sheet 1").unwrap();
        sheet.insert_note(0, 0, &Note::new("n")).unwrap();
        assert_eq!(
            sheet.head_xml("A1", true),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <dimension ref=\"A1\"/><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/>\
             </sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
        );
        assert_eq!(
            sheet.tail_xml("", Some("rId1")),
            "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" \
             footer=\"0.3\"/><legacyDrawing r:id=\"rId1\"/></worksheet>"
        );
        assert_eq!(quoted_sheet_name("Sheet 1"), "'Sheet 1'");
        assert_eq!(quoted_sheet_name("it's"), "'it''s'");
        assert_eq!(quoted_sheet_name("一覧"), "一覧");
    }

    #[test]
    fn a_notes_box_is_placed_by_the_widths_and_heights() {
        let mut sheet = Worksheet::new();
        for (c, w) in [12.0, 4.0, 14.0, 14.0, 12.0, 18.0].into_iter().enumerate() {
            sheet.set_column_width(c as u16, w).unwrap();
        }
        for r in 0..10 {
            sheet.set_row_height(r, 41.25).unwrap(); // 55 px
        }
        sheet.insert_note(6, 4, &Note::new("x")).unwrap();
        let placed = sheet.placed_notes();
        // column F starts at 89+33+103+103+89 px, the box 15 px in; row 6 at 5×55 px,
        // 10 px down; 128 px wide: F is 131 px, so it ends 128+15 = 143 - 131 = 12 px
        // into G; 74+10 = 84 - 55 = 29 px into row 7
        assert_eq!(placed[0].left_px, 89 + 33 + 103 + 103 + 89 + 15);
        assert_eq!(placed[0].top_px, 5 * 55 + 10);
        assert_eq!(placed[0].anchor, [5, 15, 5, 10, 6, 12, 6, 29]);
    }
}
