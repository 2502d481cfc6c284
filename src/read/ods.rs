//! OpenDocument spreadsheets (.ods), streamed from `content.xml`.
//!
//! calamine builds each sheet as a dense grid from its first to its last cell, so one
//! stray cell far below the table costs a gigabyte or has the file refused; it also drops
//! merged areas and number formats. Read here as a stream instead:
//! - a cell's text is the text LibreOffice saved with it (`<text:p>`), which is what the
//!   user saw: `1,234` for 1234 in a `#,##0` cell, `96.4%` for 0.964, as for .xlsx;
//! - merged areas (`number-columns-spanned` / `number-rows-spanned`) are kept;
//! - repeated rows and columns (`number-*-repeated`) cost nothing when blank; hidden
//!   sheets are skipped; a table inside a cell (valid ODF, not shown by Calc) is skipped
//!   with its rows, and the sheet's own rows go on after it.
//!
//! A few kilobytes of XML can ask for far more than they hold: a value repeated over
//! 999,999,999 rows × columns, `<text:s text:c="1024"/>` a thousand times, one merged area
//! in each of a hundred tables. What the file would cost is counted as it is read, for the
//! whole file: the bytes of the cells kept and their texts against
//! [`Limits::max_text_mib`], the cells covered by merged areas against
//! [`Limits::max_merged_cells`]. A repeat is priced before it is expanded; past either
//! budget reading stops and the file is refused at the cell that ran over
//! ([`WorkbookError::TooCostly`]).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::grid::{Budget, Grid, GridCell, Limits};
use super::workbook::WorkbookError;
use crate::numfmt;

/// What one kept cell costs besides its text: its place in the row (column and
/// [`GridCell`]), and half as much again for the room a row's vector keeps to grow.
const CELL_BYTES: u64 = std::mem::size_of::<(u16, GridCell)>() as u64 * 3 / 2;

/// The most of one cell's text kept, in bytes: 32 times what an Excel cell holds. A
/// longer text is cut there; its row is refused all the same for a text longer than a
/// cell holds, and a text of gigabytes never has to be held whole.
const CELL_TEXT_BYTES: usize = 32 * crate::model::MAX_CELL_TEXT;

/// Every visible sheet of an ods.
pub fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, WorkbookError> {
    let broken = |e: &dyn std::fmt::Display| WorkbookError::Broken(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let content = zip.by_name("content.xml").map_err(|e| broken(&e))?;
    let mut reader = Reader::from_reader(BufReader::new(content));
    reader.config_mut().trim_text(false);
    let mut state = State {
        limits: *limits,
        bytes_left: limits.max_text_mib.saturating_mul(1024 * 1024),
        merged_left: limits.max_merged_cells,
        ..State::default()
    };
    match state.read(&mut reader) {
        Ok(()) => Ok(state.grids),
        Err(Stop::Xml(e)) => Err(broken(&e)),
        Err(Stop::Over { at, what }) => Err(WorkbookError::TooCostly {
            sheet: state.grid.and_then(|g| g.sheet),
            row: at.0,
            col: at.1,
            what,
        }),
    }
}

/// Why reading stopped before the end.
enum Stop {
    Xml(quick_xml::Error),
    /// a budget ran out at this (row, column) of the sheet being read
    Over {
        at: (u32, u32),
        what: Budget,
    },
}

impl From<quick_xml::Error> for Stop {
    fn from(e: quick_xml::Error) -> Stop {
        Stop::Xml(e)
    }
}

#[derive(Default)]
struct State {
    limits: Limits,
    /// bytes of cells and texts the file may still take
    bytes_left: u64,
    /// cells merged areas may still cover, all sheets together
    merged_left: u64,
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
    fn read<R: BufRead>(&mut self, reader: &mut Reader<R>) -> Result<(), Stop> {
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
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
                                self.end_row()?;
                            }
                        }
                        "table:table-cell" | "table:covered-table-cell" if self.in_table => {
                            self.cell(reader, &e, empty)?;
                        }
                        // a cell's contents are read with the cell; shapes, forms and
                        // annotations outside cells hold no table text
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    "style:style" => self.style = None,
                    "table:table-row" if self.in_table => {
                        self.end_row()?;
                        // a cell beyond the limits refuses the file: no need to read on
                        if self.grid.as_ref().is_some_and(|g| g.clipped.is_some()) {
                            self.end_table();
                            return Ok(());
                        }
                    }
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

    /// One `<table:table-cell>` (or covered cell): its text read, priced, and kept for
    /// the row's end when it holds text or starts a merged area.
    fn cell<R: BufRead>(
        &mut self,
        reader: &mut Reader<R>,
        e: &BytesStart<'_>,
        empty: bool,
    ) -> Result<(), Stop> {
        let at = (self.row, self.col);
        let covered = e.name().as_ref() == "table:covered-table-cell";
        let n = repeat(e, "table:number-columns-repeated")?;
        self.col = self.col.saturating_add(n);
        let mut paragraphs = None;
        if !empty {
            match cell_text(reader, e, self.bytes_left)? {
                Some(text) => paragraphs = Some(text),
                None => {
                    return Err(Stop::Over {
                        at,
                        what: Budget::Text,
                    })
                }
            }
        }
        if covered {
            return Ok(());
        }
        let cell = cell_of(e, paragraphs)?;
        let spans = (
            repeat(e, "table:number-rows-spanned")?,
            repeat(e, "table:number-columns-spanned")?,
        );
        if (cell.text.trim().is_empty() && spans == (1, 1)) || self.grid.is_none() {
            return Ok(()); // nothing kept: its text is freed
        }
        let cost = CELL_BYTES + cell.text.capacity() as u64;
        if cost > self.bytes_left {
            return Err(Stop::Over {
                at,
                what: Budget::Text,
            });
        }
        self.bytes_left -= cost;
        self.cells.push((at.1, n, cell, spans));
        Ok(())
    }

    /// Puts the row's cells into the sheet, once per repeat of the row. Each repeated
    /// cell is priced (rows × columns within the limits) before it is expanded, and each
    /// merged area by the cells it covers.
    fn end_row(&mut self) -> Result<(), Stop> {
        let cells = std::mem::take(&mut self.cells);
        let first = self.row;
        let repeat = self.row_repeat.max(1);
        self.row = self.row.saturating_add(repeat);
        let Some(grid) = self.grid.as_mut() else {
            return Ok(());
        };
        let limits = &self.limits;
        let max_cols = u32::from(limits.max_cols);
        // the rows of the repeat within the limits
        let rows = u64::from(
            first
                .saturating_add(repeat)
                .min(limits.max_rows)
                .saturating_sub(first),
        );
        for (c, n, cell, spans) in &cells {
            let blank = cell.text.trim().is_empty();
            let cols = u64::from(c.saturating_add(*n).min(max_cols).saturating_sub(*c));
            if !blank {
                // the first copy was priced with the cell; every other one costs as much
                let copies = rows.saturating_mul(cols).saturating_sub(1);
                let cost = copies.saturating_mul(CELL_BYTES + cell.text.len() as u64);
                if cost > self.bytes_left {
                    return Err(Stop::Over {
                        at: (first, *c),
                        what: Budget::Text,
                    });
                }
                self.bytes_left -= cost;
                // a copy beyond the limits refuses the file, at the first one
                if rows < u64::from(repeat) {
                    grid.clipped
                        .get_or_insert((first.saturating_add(rows as u32), *c));
                } else if cols < u64::from(*n) {
                    grid.clipped
                        .get_or_insert((first, c.saturating_add(cols as u32)));
                }
                for r in first..first.saturating_add(rows as u32) {
                    for col in *c..c.saturating_add(cols as u32) {
                        grid.put(r, col, cell.clone(), limits);
                    }
                }
            }
            // an area whose top-left cell is blank fills nothing: it costs nothing
            if *spans == (1, 1) || blank {
                continue;
            }
            // an area is recorded once per column of the repeat, from the row's first
            // listing (the repeat of a row does not repeat its areas)
            for col in *c..c.saturating_add(cols as u32) {
                let last = (
                    first
                        .saturating_add(spans.0 - 1)
                        .min(limits.max_rows.saturating_sub(1)),
                    col.saturating_add(spans.1 - 1)
                        .min(max_cols.saturating_sub(1)),
                );
                if first > last.0 || col > last.1 {
                    continue;
                }
                let area = u64::from(last.0 - first + 1) * u64::from(last.1 - col + 1);
                if area > self.merged_left {
                    return Err(Stop::Over {
                        at: (first, col),
                        what: Budget::Merged,
                    });
                }
                self.merged_left -= area;
                grid.merge((first, col), last, limits);
            }
        }
        Ok(())
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

/// The text of a cell's paragraphs, one line each, read up to the cell's end; notes,
/// drawings and tables anchored in the cell are skipped. Kept up to [`CELL_TEXT_BYTES`];
/// `None` when the text would grow beyond `limit` bytes (what the file may still take).
fn cell_text<R: BufRead>(
    reader: &mut Reader<R>,
    cell: &BytesStart<'_>,
    limit: u64,
) -> XmlResult<Option<String>> {
    let limit = limit.min(CELL_TEXT_BYTES as u64 + 1);
    let mut text = String::new();
    let mut paragraphs = 0;
    let mut buf = Vec::new();
    // what is added before it is added: past the cell's own limit nothing more is kept
    let add = |text: &mut String, piece: &str, full: bool| -> bool {
        if full {
            return true; // read, not kept
        }
        if (text.len() + piece.len()) as u64 > limit {
            return false;
        }
        text.push_str(piece);
        true
    };
    let mut full = false;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        let start = matches!(event, Event::Start(_));
        let fits = match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                match name.as_ref() {
                    "text:p" | "text:h" => {
                        paragraphs += 1;
                        paragraphs == 1 || add(&mut text, "\n", full)
                    }
                    "text:s" => {
                        let n = (repeat(&e, "text:c")? as usize).min(1024);
                        add(&mut text, &" ".repeat(n), full)
                    }
                    "text:tab" => add(&mut text, "\t", full),
                    "text:line-break" => add(&mut text, "\n", full),
                    // a sub-table's cells are cells too: skipped whole, so that its
                    // cells' ends do not end this one (and with it the sheet's row)
                    n if n == "office:annotation"
                        || n == "table:table"
                        || n.starts_with("draw:") =>
                    {
                        let owned = e.to_end().into_owned();
                        if start {
                            let mut skip = Vec::new();
                            reader.read_to_end_into(owned.name(), &mut skip)?;
                        }
                        true
                    }
                    _ => true,
                }
            }
            Event::Text(t) => add(&mut text, &t.xml10_content(), full),
            Event::CData(t) => add(&mut text, &t.xml10_content(), full),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref()? {
                    add(&mut text, c.encode_utf8(&mut [0; 4]), full)
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    add(&mut text, s, full)
                } else {
                    true
                }
            }
            Event::End(e) if e.name() == cell.name() => break,
            Event::Eof => break,
            _ => true,
        };
        if !fits && !full {
            if limit <= CELL_TEXT_BYTES as u64 {
                return Ok(None); // the file's budget, not the cell's
            }
            // the cell's own limit: the rest of it is read, not kept
            full = true;
        }
        buf.clear();
    }
    text.shrink_to_fit();
    Ok(Some(text))
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
