//! xlsx read straight from its XML, each part inflated once: the fast path.
//!
//! calamine reads a sheet through quick-xml's events with a copy of every tag, and gives
//! the merged areas only by parsing the sheet a second time; opening a workbook also
//! parses its fonts, fills and borders, which kpiroll never looks at. For 1,741 small
//! returns and a national book that was twice the cost of the cells themselves. Here each
//! part is inflated a chunk at a time and its tags found by byte search ([`tokens`]):
//! a sheet's cells, their number formats and its merged areas in one pass.
//!
//! It understands the SpreadsheetML that Excel, LibreOffice, openpyxl and rust_xlsxwriter
//! write. Anything else (a CDATA section, a DTD, an unknown entity or cell type, a part it
//! cannot find, a chart sheet) is [`Unsupported`], and the caller reads the file with
//! calamine instead ([`super::workbook`]), so an unusual file is read the old way, never
//! differently. What it yields is what calamine yields, cell for cell: the same texts
//! (shared strings with their rich-text runs joined and phonetic runs left out, `<t>`
//! trimmed unless `xml:space="preserve"`, `_xHHHH_` escapes decoded), the same numbers
//! shown through the same number formats, dates as their serial number; the tests compare
//! the two readers on every xlsx in `fixtures/` and on hand-written edge cases.

use std::io::{Cursor, Read};

use rustc_hash::FxHashMap;

use super::grid::{Budget, Grid, GridCell, Limits, Over};
use crate::numfmt;

mod sheet;
mod strings;
mod styles;
mod tokens;
mod workbook;

use sheet::*;
use strings::*;
use styles::*;
use tokens::*;
use workbook::*;

/// Why this reader handed a file to calamine (never shown to a user: calamine then reads
/// the file, or says what is wrong with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

type Result<T> = std::result::Result<T, Unsupported>;

/// Every visible sheet of an xlsx/xlsm, as [`super::workbook::read_xlsx`] reads it.
///
/// # Errors
/// Anything this reader does not handle itself: read the file with calamine (which
/// [`vet`]s it first). A file this reader finds not well-formed or over a budget is
/// handed over too, and refused there: both readers refuse it alike.
pub fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Unsupported("not a zip"))?;
    let meter = Meter::new(limits);
    let book = workbook(&mut zip, &meter)?;
    let sheets: Vec<&Sheet> = book.sheets.iter().filter(|s| s.visible).collect();
    // what the sheets will inflate to, from the sizes the zip declares (the meter counts
    // what they really inflate to): twenty listings of one part read it twenty times
    let declared: u64 = sheets
        .iter()
        .map(|s| zip.by_name(&s.part).map_or(0, |p| p.size()))
        .sum();
    if declared > meter.0.get() {
        return Err(OVER_READ);
    }
    let (strings, strings_cost) = match zip.by_name("xl/sharedStrings.xml") {
        Ok(part) => shared_strings(part, limits, &meter)?,
        Err(zip::result::ZipError::FileNotFound) => (Vec::new(), 0),
        Err(_) => return Err(Unsupported("shared strings unreadable")),
    };
    let styles = match zip.by_name("xl/styles.xml") {
        Ok(part) => styles(part, &meter)?,
        Err(zip::result::ZipError::FileNotFound) => Styles::default(),
        Err(_) => return Err(Unsupported("styles unreadable")),
    };
    let mut grids: Vec<Grid> = Vec::new();
    let mut names = Some(book.names);
    for sheet in sheets {
        let part = zip
            .by_name(&sheet.part)
            .map_err(|_| Unsupported("sheet part missing"))?;
        let mut grid = match grids.last() {
            Some(before) => Grid::after(Some(sheet.name.clone()), before),
            None => {
                let mut first = Grid::new(Some(sheet.name.clone()));
                first.spent.bytes = strings_cost;
                first
            }
        };
        worksheet(part, &strings, &styles, limits, &meter, &mut grid)?;
        grid.workbook_names = names.take().unwrap_or_default();
        let over = grid.over.is_some();
        grids.push(grid);
        if over {
            break; // the file is refused there: the sheets after it are not read
        }
    }
    Ok(grids)
}

/// Why a workbook is refused before calamine reads it (see [`vet`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// a part that is not well-formed XML
    Malformed { part: String },
    /// shared strings beyond [`Limits::max_text_mib`]
    SharedStrings { part: String },
    /// the parts the sheets need inflate beyond [`Limits::max_read_mib`], all together
    Read { mib: u64 },
}

/// Checks what calamine would read of an xlsx before it does: every part it reads
/// (relationships, workbook, shared strings, styles, each sheet) is well-formed XML, the
/// sheets' parts inflate within [`Limits::max_read_mib`] together (a part listed for
/// two sheets counts twice), and the shared strings fit [`Limits::max_text_mib`], each
/// counted as its text and the 24 bytes of its slot. calamine reads unclosed tags,
/// `&#0;` and millions of empty strings as they come; this refuses them as kpiroll's own
/// reader does. Returns what the shared strings cost (the first sheet starts with it).
/// A zip it cannot open, or a part it cannot inflate, is left to calamine to name.
///
/// # Errors
/// The first part that is not well-formed or over a budget.
pub fn vet(bytes: &[u8], limits: &Limits) -> std::result::Result<u64, Refusal> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(0);
    };
    let max_read = limits.max_read_mib.saturating_mul(1 << 20);
    let malformed = |part: &str| Refusal::Malformed {
        part: part.to_string(),
    };
    // the sheets as the workbook lists them, hidden ones left out; when this reader
    // cannot tell them, every part that is a worksheet, once each
    let unlimited = Meter::unlimited();
    let listed: Vec<String> = match workbook(&mut zip, &unlimited) {
        Ok(book) => book
            .sheets
            .into_iter()
            .filter(|s| s.visible)
            .map(|s| s.part)
            .collect(),
        Err(MALFORMED) => {
            let part = [
                "_rels/.rels",
                "xl/_rels/workbook.xml.rels",
                "xl/workbook.xml",
            ]
            .into_iter()
            .find(|p| scan(&mut zip, p, &unlimited, |_| Ok(())) == Err(MALFORMED))
            .unwrap_or("xl/workbook.xml");
            return Err(malformed(part));
        }
        Err(_) => zip
            .file_names()
            .filter_map(std::result::Result::ok)
            .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
            .map(|n| n.to_string())
            .collect(),
    };
    let mut parts: Vec<String> = [
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/workbook.xml",
        "xl/styles.xml",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(listed.iter().cloned())
    .collect();
    parts.sort();
    parts.dedup();
    // what the zip declares, before anything is inflated
    let declared: u64 = listed
        .iter()
        .map(|p| zip.by_name(p).map_or(0, |f| f.size()))
        .sum();
    if declared > max_read {
        return Err(Refusal::Read {
            mib: declared >> 20,
        });
    }
    let mut sizes: FxHashMap<String, u64> = FxHashMap::default();
    let mut read = 0u64;
    for part in &parts {
        let meter = Meter(std::cell::Cell::new(max_read.saturating_sub(read)));
        match scan(&mut zip, part, &meter, |_| Ok(())) {
            Ok(size) => {
                read += size;
                sizes.insert(part.clone(), size);
            }
            Err(MALFORMED) => return Err(malformed(part)),
            Err(OVER_READ) => {
                return Err(Refusal::Read {
                    mib: (read >> 20) + 1,
                })
            }
            Err(_) => {} // missing, or not inflatable: calamine says what it finds
        }
    }
    let total: u64 = listed.iter().filter_map(|p| sizes.get(p)).sum();
    if total > max_read {
        return Err(Refusal::Read { mib: total >> 20 });
    }
    let part = "xl/sharedStrings.xml";
    let max_text = limits.max_text_mib.saturating_mul(1 << 20);
    let (mut count, mut text) = (0usize, 0u64);
    let meter = Meter(std::cell::Cell::new(max_read.saturating_sub(read)));
    let result = scan(&mut zip, part, &meter, |t| {
        match t {
            Token::Start { name, .. } if local(name) == b"si" => count += 1,
            Token::Text(t) => text += t.len() as u64,
            _ => {}
        };
        if strings_cost(count, text) > max_text {
            return Err(OVER_TEXT);
        }
        Ok(())
    });
    let cost = strings_cost(count, text);
    match result {
        Err(MALFORMED) => Err(malformed(part)),
        Err(OVER_TEXT) => Err(Refusal::SharedStrings {
            part: part.to_string(),
        }),
        Err(OVER_READ) => Err(Refusal::Read {
            mib: (read >> 20) + 1,
        }),
        _ => Ok(cost),
    }
}

/// Shared strings beyond [`Limits::max_text_mib`].
const OVER_TEXT: Unsupported = Unsupported("shared strings beyond the budget");

/// What a shared string costs besides its text (its slot in the list).
const STRING_BYTES: u64 = std::mem::size_of::<String>() as u64;

/// What `count` shared strings of `text` bytes cost: their text and the list's slots,
/// the room the list grows to included (it doubles), so the budget holds before it grows.
fn strings_cost(count: usize, text: u64) -> u64 {
    let room = if count == 0 {
        0
    } else {
        count.next_power_of_two().max(4) as u64
    };
    text + room * STRING_BYTES
}

/// Tokens of one part, CDATA read as text (as calamine reads it); the bytes inflated.
fn scan(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    meter: &Meter,
    f: impl FnMut(Token) -> Result<()>,
) -> Result<u64> {
    let part = zip
        .by_name(name)
        .map_err(|_| Unsupported("a part missing"))?;
    let size = part.size();
    let before = meter.0.get();
    let mut xml = Xml {
        cdata: true,
        ..Xml::default()
    };
    match chunked(part, size.clamp(4 << 10, 1 << 20), meter, &mut xml, f) {
        // another encoding than UTF-8 is calamine's to decode
        Err(Unsupported("an encoding other than UTF-8")) => {}
        other => other?,
    }
    Ok(before - meter.0.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token of `xml` read in chunks of `chunk` bytes, as text.
    fn all_tokens(xml: &[u8], chunk: usize) -> Result<Vec<String>> {
        let mut out = Vec::new();
        chunked(
            xml,
            chunk as u64,
            &Meter::unlimited(),
            &mut Xml::default(),
            |t| {
                out.push(match t {
                    Token::Start { name, attrs } => format!(
                        "<{}|{}>",
                        String::from_utf8_lossy(name),
                        String::from_utf8_lossy(attrs.trim_ascii())
                    ),
                    Token::End { name } => format!("</{}>", String::from_utf8_lossy(name)),
                    Token::Text(t) => String::from_utf8_lossy(t).to_string(),
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn tokens_are_the_same_wherever_the_chunks_are_cut() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?><!-- a < comment --><a x="1>2" y='q"'><b/>text &amp; more</a>"#;
        let whole = all_tokens(xml, xml.len()).unwrap();
        assert_eq!(
            whole,
            vec![
                r#"<a|x="1>2" y='q"'>"#,
                "<b|>",
                "</b>",
                "text &amp; more",
                "</a>"
            ]
        );
        for chunk in 1..xml.len() {
            assert_eq!(all_tokens(xml, chunk).unwrap(), whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn what_is_not_well_formed_is_refused_wherever_the_chunks_are_cut() {
        for xml in [
            &b"<a><t>x</a>"[..],                     // a tag closed by another name
            b"<a><t>x</t>",                          // the root not closed
            b"<a>x&#0;y</a>",                        // a character XML does not allow
            b"<a>x&#xFFFE;</a>",                     // nor this one
            b"<a>x\x01y</a>",                        // nor raw
            "<a>x\u{FFFF}</a>".as_bytes(),           // nor this raw
            b"<a b=\"&nbsp;\"/>",                    // an entity without a DTD
            b"<a>x &amp y</a>",                      // an entity not finished
            b"<!DOCTYPE a [<!ENTITY e \"x\">]><a/>", // a DTD
            b"<a><!-- not closed </a>",
        ] {
            for chunk in [1, 3, 64] {
                assert_eq!(
                    all_tokens(xml, chunk),
                    Err(MALFORMED),
                    "{} in chunks of {chunk}",
                    String::from_utf8_lossy(xml)
                );
            }
        }
    }

    #[test]
    fn a_long_text_comes_in_pieces_that_join_into_it() {
        // a text longer than a chunk, with characters, entities and line ends that must
        // not be cut in two: the pieces join into what one piece would have been
        let body = "円&amp;x\r\n".repeat(40_000);
        let xml = format!("<a><!--{}--><t>{body}</t></a>", "c".repeat(200_000));
        let text = |chunk: usize| {
            let mut pieces = Vec::new();
            chunked(
                xml.as_bytes(),
                chunk as u64,
                &Meter::unlimited(),
                &mut Xml::default(),
                |t| {
                    if let Token::Text(t) = t {
                        pieces.push(t.to_vec());
                    }
                    Ok(())
                },
            )
            .unwrap();
            pieces
        };
        for chunk in [4096, 65_536, 1 << 20] {
            let pieces = text(chunk);
            assert_eq!(pieces.concat(), body.as_bytes(), "chunks of {chunk}");
            for piece in &pieces {
                let mut out = String::new();
                push_text(piece, true, &mut out).expect("each piece decodes alone");
                assert!(!out.ends_with('\n') || piece.ends_with(b"\n"));
            }
        }
        assert!(text(4096).len() > 1, "a long text comes in pieces");
    }

    #[test]
    fn the_meter_stops_a_file_whose_parts_inflate_beyond_the_budget() {
        let xml = format!("<a>{}</a>", "x".repeat(10_000));
        let meter = Meter(std::cell::Cell::new(20_000));
        let read = |m: &Meter| chunked(xml.as_bytes(), 4096, m, &mut Xml::default(), |_| Ok(()));
        assert_eq!(read(&meter), Ok(()));
        assert_eq!(read(&meter), Err(OVER_READ), "the second part goes over");
    }

    #[test]
    fn xml_it_does_not_handle_is_unsupported() {
        assert!(all_tokens(b"<a><![CDATA[x]]></a>", 64).is_err());
        assert!(all_tokens(b"<!DOCTYPE a><a/>", 64).is_err());
        assert!(all_tokens(b"<a><b", 64).is_err(), "cut short");
        assert!(all_tokens(br#"<?xml version="1.0" encoding="Shift_JIS"?><a/>"#, 64).is_err());
    }

    #[test]
    fn texts_decode_as_calamine_decodes_them() {
        let mut out = String::new();
        push_text(b"a&amp;b&#x5186;&#20870;\r\n", false, &mut out).unwrap();
        assert_eq!(out, "a&b円円\r\n");
        let mut out = String::new();
        push_text(b"x\r\ny\rz", true, &mut out).unwrap();
        assert_eq!(out, "x\ny\nz");
        assert!(push_text(b"&nbsp;", true, &mut String::new()).is_err());
        assert_eq!(unescape_excel("a_x000D_b".into()), "a\rb");
        assert_eq!(unescape_excel("_x005F_x000D_".into()), "_x000D_");
        assert_eq!(unescape_excel("_xD83D__xDCF7_".into()), "\u{1F4F7}");
        assert_eq!(unescape_excel("_xD83D_".into()), "\u{FFFD}");
        assert_eq!(unescape_excel("_x12_".into()), "_x12_");
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        for code in [
            "yyyy/m/d",
            "m/d/yy h:mm",
            "[h]:mm:ss",
            "h:mm AM/PM",
            "ge.m.d",
            "[$-411]ggge\"年\"m\"月\"d\"日\"",
        ] {
            assert!(is_date_format(code), "{code}");
        }
        for code in [
            "#,##0",
            "0.0%",
            "\"約\"0\"人\"",
            "[Red]0.00",
            "0;\"△\"0",
            "General",
            "0_);(0)",
        ] {
            assert!(!is_date_format(code), "{code}");
        }
        assert!(is_builtin_date("14") && is_builtin_date("57") && !is_builtin_date("3"));
        assert!(!is_builtin_date("014"));
    }

    #[test]
    fn cells_and_areas_parse_as_excel_names_them() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"XFD1048576"), Ok((1_048_575, 16_383)));
        assert!(cell_ref(b"A0").is_err() && cell_ref(b"1A").is_err());
        assert_eq!(parse_cell("$AB$12"), Some((11, 27)));
        assert_eq!(parse_area(b"D7:B3"), Some(((2, 1), (6, 3))));
        assert_eq!(parse_area(b"B3"), Some(((2, 1), (2, 1))));
    }
}
