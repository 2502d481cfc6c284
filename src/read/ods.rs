//! OpenDocument spreadsheets (.ods), streamed from `content.xml`.
//!
//! calamine builds each sheet as a dense grid from its first to its last cell, so one
//! stray cell far below the table costs a gigabyte or has the file refused; it also drops
//! merged areas and number formats. Read here as a stream instead:
//! - a cell's text is the text LibreOffice saved with it (`<text:p>`), which is what the
//!   user saw: `1,234` for 1234 in a `#,##0` cell, `96.4%` for 0.964, as for .xlsx;
//! - merged areas (`number-columns-spanned` / `number-rows-spanned`) are kept;
//! - repeated rows and columns (`number-*-repeated`) cost nothing when blank, and at most
//!   [`REPEATED_CELLS`] cells when not; hidden sheets are skipped.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::grid::{Grid, GridCell, Limits};
use super::workbook::WorkbookError;
use crate::numfmt;

/// Cells made by repeating a non-blank row or cell, all sheets together; past this the
/// sheet is clipped (reported as too large) rather than expanded.
pub const REPEATED_CELLS: u64 = 1_000_000;

/// Every visible sheet of an ods.
pub fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    let broken = |e: &dyn std::fmt::Display| WorkbookError::Broken(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let content = zip.by_name("content.xml").map_err(|e| broken(&e))?;
    let mut reader = Reader::from_reader(BufReader::new(content));
    reader.config_mut().trim_text(false);
    let mut state = State {
        limits: *limits,
        budget: REPEATED_CELLS,
        ..State::default()
    };
    state.read(&mut reader).map_err(|e| broken(&e))?;
    Ok(state.grids)
}

#[derive(Default)]
struct State {
    limits: Limits,
    budget: u64,
    grids: Vec<Grid>,
    /// table styles with `table:display="false"`: hidden sheets
    hidden_styles: HashSet<String>,
    /// the table style being read in the automatic styles
    style: Option<String>,
    /// the sheet being read, `None` when hidden or outside a table
    grid: Option<Grid>,
    in_table: bool,
    row: u32,
    row_repeat: u32,
    col: u32,
    /// the current row's cells: (column, repeat, cell, spans (rows, columns))
    cells: Vec<(u32, u32, GridCell, (u32, u32))>,
}

type XmlResult<T> = Result<T, quick_xml::Error>;

impl State {
    fn read<R: BufRead>(&mut self, reader: &mut Reader<R>) -> XmlResult<()> {
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let e = e.into_owned();
                    match e.name().as_ref() {
                        "style:style" => {
                            let table = attr(&e, "style:family")?.as_deref() == Some("table");
                            self.style = if table { attr(&e, "style:name")? } else { None };
                        }
                        "style:table-properties"
                            if attr(&e, "table:display")?.as_deref() == Some("false") =>
                        {
                            if let Some(style) = &self.style {
                                self.hidden_styles.insert(style.clone());
                            }
                        }
                        "table:table" if !self.in_table => {
                            let name = attr(&e, "table:name")?.unwrap_or_default();
                            let style = attr(&e, "table:style-name")?.unwrap_or_default();
                            let hidden = self.hidden_styles.contains(&style);
                            self.grid = (!hidden).then(|| Grid::new(Some(name)));
                            self.in_table = !empty;
                            self.row = 0;
                            if empty {
                                self.end_table();
                            }
                        }
                        "table:table-row" if self.in_table => {
                            self.row_repeat = repeat(&e, "table:number-rows-repeated")?;
                            self.col = 0;
                            self.cells.clear();
                            if empty {
                                self.end_row();
                            }
                        }
                        "table:table-cell" | "table:covered-table-cell" if self.in_table => {
                            let covered = e.name().as_ref() == "table:covered-table-cell";
                            let n = repeat(&e, "table:number-columns-repeated")?;
                            let mut paragraphs = None;
                            if !empty {
                                paragraphs = Some(cell_text(reader, &e)?);
                            }
                            if !covered {
                                let cell = cell_of(&e, paragraphs)?;
                                let spans = (
                                    repeat(&e, "table:number-rows-spanned")?,
                                    repeat(&e, "table:number-columns-spanned")?,
                                );
                                if !cell.text.trim().is_empty() || spans != (1, 1) {
                                    self.cells.push((self.col, n, cell, spans));
                                }
                            }
                            self.col = self.col.saturating_add(n);
                        }
                        // a cell's contents are read with the cell; shapes, forms and
                        // annotations outside cells hold no table text
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    "style:style" => self.style = None,
                    "table:table-row" if self.in_table => self.end_row(),
                    "table:table" if self.in_table => self.end_table(),
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(())
    }

    /// Puts the row's cells into the sheet, once per repeat of the row.
    fn end_row(&mut self) {
        let cells = std::mem::take(&mut self.cells);
        let first = self.row;
        let repeat = self.row_repeat.max(1);
        self.row = self.row.saturating_add(repeat);
        let Some(grid) = self.grid.as_mut() else {
            return;
        };
        if cells.is_empty() {
            return;
        }
        for k in 0..repeat {
            let r = first.saturating_add(k);
            for (c, n, cell, spans) in &cells {
                if k > 0 && cell.text.trim().is_empty() {
                    continue; // a merged blank: its area was recorded with the first row
                }
                for j in 0..*n {
                    let col = c.saturating_add(j);
                    if k + j > 0 && !cell.text.trim().is_empty() {
                        if self.budget == 0 {
                            grid.clipped.get_or_insert((r, col));
                            continue;
                        }
                        self.budget -= 1;
                    }
                    grid.put(r, col, cell.clone(), &self.limits);
                    if *spans != (1, 1) && k == 0 {
                        let last = (r + spans.0.max(1) - 1, col + spans.1.max(1) - 1);
                        grid.merge((r, col), last, &self.limits);
                    }
                    if col >= u32::from(self.limits.max_cols) {
                        break; // the rest of the repeat is clipped too
                    }
                }
            }
            if r >= self.limits.max_rows {
                break;
            }
        }
    }

    fn end_table(&mut self) {
        self.in_table = false;
        if let Some(grid) = self.grid.take() {
            self.grids.push(grid);
        }
    }
}

/// An attribute's value, unescaped.
fn attr(e: &BytesStart<'_>, name: &str) -> XmlResult<Option<String>> {
    match e.try_get_attribute(name)? {
        Some(a) => Ok(Some(
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                .into_owned(),
        )),
        None => Ok(None),
    }
}

/// A repeat or span count (1 when absent or unreadable as a count).
fn repeat(e: &BytesStart<'_>, name: &str) -> XmlResult<u32> {
    Ok(attr(e, name)?
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1))
}

/// The text of a cell's paragraphs, one line each, read up to the cell's end; notes and
/// drawings anchored in the cell are skipped.
fn cell_text<R: BufRead>(reader: &mut Reader<R>, cell: &BytesStart<'_>) -> XmlResult<String> {
    let mut text = String::new();
    let mut paragraphs = 0;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf)?;
        let start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                match name.as_ref() {
                    "text:p" | "text:h" => {
                        if paragraphs > 0 {
                            text.push('\n');
                        }
                        paragraphs += 1;
                    }
                    "text:s" => {
                        let n = repeat(&e, "text:c")? as usize;
                        text.extend(std::iter::repeat_n(' ', n.min(1024)));
                    }
                    "text:tab" => text.push('\t'),
                    "text:line-break" => text.push('\n'),
                    n if n == "office:annotation" || n.starts_with("draw:") => {
                        let owned = e.to_end().into_owned();
                        if start {
                            let mut skip = Vec::new();
                            reader.read_to_end_into(owned.name(), &mut skip)?;
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref()? {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(e) if e.name() == cell.name() => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(text)
}

/// A cell from its attributes and the text it shows.
fn cell_of(e: &BytesStart<'_>, shown: Option<String>) -> XmlResult<GridCell> {
    let kind = attr(e, "office:value-type")?.unwrap_or_default();
    let error = attr(e, "calcext:value-type")?.as_deref() == Some("error");
    let number = match kind.as_str() {
        "float" | "percentage" | "currency" => attr(e, "office:value")?
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|x| x.is_finite()),
        _ => None,
    };
    let shown = shown.unwrap_or_default();
    let text = if !shown.is_empty() {
        shown
    } else if let Some(s) = attr(e, "office:string-value")? {
        s
    } else if let Some(x) = number {
        numfmt::general(x)
    } else {
        String::new()
    };
    Ok(GridCell {
        text,
        error,
        number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ods(body: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x" xmlns:style="s" xmlns:calcext="c">
<office:automatic-styles>
<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", options).unwrap();
        std::io::Write::write_all(&mut zip, b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", options).unwrap();
        std::io::Write::write_all(&mut zip, content.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn shown_text_merges_repeats_and_hidden_sheets() {
        let bytes = ods(r#"
<table:table table:name="隠し" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>
<table:table table:name="入力" table:style-name="ta1">
 <table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3"/></table:table-row>
 <table:table-header-rows><table:table-row>
  <table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>産学<text:s text:c="2"/>振興課</text:p><text:p>都市計画課</text:p></table:table-cell>
  <table:table-cell office:value-type="float" office:value="1234"><text:p>1,234</text:p></table:table-cell>
  <table:table-cell office:value-type="percentage" office:value="0.964"><text:p>96.4%</text:p><office:annotation><text:p>メモ</text:p></office:annotation></table:table-cell>
  <table:table-cell office:value-type="float" office:value="7"/>
  <table:table-cell calcext:value-type="error" office:value-type="string" office:string-value=""><text:p>#DIV/0!</text:p></table:table-cell>
 </table:table-row></table:table-header-rows>
 <table:table-row><table:covered-table-cell/><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>&lt;同&gt;</text:p></table:table-cell></table:table-row>
 <table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
 <table:table-row><table:table-cell table:number-columns-repeated="16000"/><table:table-cell office:value-type="string"><text:p>far</text:p></table:table-cell></table:table-row>
</table:table>"#);
        let grids = read_ods(&bytes, &Limits::default()).unwrap();
        assert_eq!(grids.len(), 1, "the hidden sheet is skipped");
        let g = &grids[0];
        assert_eq!(g.sheet.as_deref(), Some("入力"));
        assert_eq!(g.text(2, 0), "産学  振興課\n都市計画課");
        assert_eq!(g.text(3, 0), "産学  振興課\n都市計画課", "merged down");
        assert!(g.is_merged(3, 0));
        let c = g.get(2, 1).unwrap();
        assert_eq!((c.text.as_str(), c.number), ("1,234", Some(1234.0)));
        assert_eq!(g.text(2, 2), "96.4%", "annotation skipped");
        assert_eq!(g.text(2, 3), "7", "no text saved: General");
        assert!(g.get(2, 4).unwrap().error);
        assert_eq!((g.text(3, 1), g.text(3, 2)), ("<同>", "<同>"));
        // the stray cell far away is beyond the limits: counted, not a grid up to it
        assert_eq!(g.rows.len(), 2);
        assert!(g.clipped.is_some());
    }
}
