//! Merged areas of an xlsx sheet, found in the sheet's XML by a byte search.
//!
//! calamine gives a sheet's merged areas by parsing the whole sheet a second time (its
//! cell reader stops at the end of the cells, and the areas come after them): a fifth
//! of the time of reading a big sheet. In XML every `<` is markup (text and attribute
//! values cannot hold one), so an element `<mergeCell ref="A1:B2"/>` (or
//! `<x:mergeCell …>` with a prefix) is found by searching the bytes, which is many
//! times faster. Only a comment or CDATA section holding such a tag could fool it, and
//! it would merge cells of its own file, within the limits, nothing more.

use std::io::Read;

use quick_xml::events::Event;

/// A merged area: its first and last (row, column), 0-based.
pub type Area = ((u32, u32), (u32, u32));

/// Each visible-or-not sheet's name and its part in the zip, from `xl/workbook.xml`
/// and its relationships. Empty when they cannot be read (the caller falls back to
/// calamine).
pub fn sheet_parts(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Vec<(String, String)> {
    let (Some(workbook), Some(rels)) = (
        part_text(zip, "xl/workbook.xml"),
        part_text(zip, "xl/_rels/workbook.xml.rels"),
    ) else {
        return Vec::new();
    };
    // relationship id → target
    let mut targets: Vec<(String, String)> = Vec::new();
    for (_, attrs) in elements(&rels, "Relationship") {
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let (Some(id), Some(target)) = (get("Id"), get("Target")) {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            };
            targets.push((id, path));
        }
    }
    let mut parts = Vec::new();
    for (_, attrs) in elements(&workbook, "sheet") {
        let name = attrs.iter().find(|(n, _)| n == "name").map(|(_, v)| v);
        // r:id, whatever the relationships namespace's prefix
        let id = attrs
            .iter()
            .find(|(n, _)| n == "id" || n.ends_with(":id"))
            .map(|(_, v)| v);
        if let (Some(name), Some(id)) = (name, id) {
            if let Some((_, path)) = targets.iter().find(|(i, _)| i == id) {
                parts.push((name.clone(), path.clone()));
            }
        }
    }
    parts
}

/// The merged areas of the sheet at `part`, or `None` when the part cannot be read.
///
/// The part is inflated a chunk at a time and each chunk searched up to its last `<`
/// (a tag is never cut: the rest waits for the next chunk), so a sheet of 80 MB of XML
/// costs a buffer of a few MB, not 80.
pub fn merged_areas(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    part: &str,
) -> Option<Vec<Area>> {
    let file = zip.by_name(part).ok()?;
    scan_reader(file, 1 << 20)
}

/// Every merged area in XML read from `reader`, `chunk` bytes at a time.
fn scan_reader(mut reader: impl Read, chunk: usize) -> Option<Vec<Area>> {
    let mut areas = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(2 * chunk);
    let mut piece = vec![0u8; chunk];
    loop {
        let n = reader.read(&mut piece).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&piece[..n]);
        if let Some(cut) = memchr::memrchr(b'<', &buf) {
            areas.extend(scan(&buf[..cut]));
            buf.drain(..cut);
        }
    }
    areas.extend(scan(&buf));
    Some(areas)
}

/// Every `mergeCell` element's `ref` in a sheet's XML.
fn scan(xml: &[u8]) -> Vec<Area> {
    let mut areas = Vec::new();
    for at in memchr::memmem::find_iter(xml, b"mergeCell") {
        // the element, not `mergeCells`
        if !xml
            .get(at + 9)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            continue;
        }
        // markup: `<mergeCell` or `<prefix:mergeCell`
        let before = &xml[..at];
        let tag_start = before.iter().rposition(|b| !is_name_byte(*b));
        let is_tag = match tag_start {
            Some(i) if xml[i] == b'<' => true,
            Some(i) if xml[i] == b':' => before[..i]
                .iter()
                .rposition(|b| !is_name_byte(*b))
                .is_some_and(|j| xml[j] == b'<'),
            _ => false,
        };
        if !is_tag {
            continue;
        }
        let rest = &xml[at..];
        let end = memchr::memchr(b'>', rest).unwrap_or(rest.len());
        let tag = &rest[..end];
        let Some(r) = memchr::memmem::find(tag, b"ref=") else {
            continue;
        };
        let value = &tag[r + 4..];
        let Some(quote) = value.first().copied().filter(|q| *q == b'"' || *q == b'\'') else {
            continue;
        };
        let value = &value[1..];
        let Some(close) = memchr::memchr(quote, value) else {
            continue;
        };
        if let Some(area) = parse_area(&value[..close]) {
            areas.push(area);
        }
    }
    areas
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// `B3:D7` (or `B3` alone) → ((2, 1), (6, 3)).
fn parse_area(text: &[u8]) -> Option<Area> {
    let text = std::str::from_utf8(text).ok()?;
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    let (a, b) = (parse_cell(first)?, parse_cell(last)?);
    Some(((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1))))
}

/// `AB12` (or `$AB$12`) → (11, 27).
fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (col, row) = text.split_at(letters);
    if col.is_empty() || col.len() > 3 {
        return None;
    }
    let col = col.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = row.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A small part's text (the workbook and its relationships), at most 16 MiB.
fn part_text(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Option<String> {
    let file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.take(16 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Every element with local name `local` and its attributes (local names as written,
/// prefixed ones with their prefix, values unescaped).
fn elements(xml: &str, local: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => {
                let attrs = e
                    .attributes()
                    .filter_map(Result::ok)
                    .filter_map(|a| {
                        let key = a.key.as_ref().to_string();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()?
                            .into_owned();
                        Some((key, value))
                    })
                    .collect();
                out.push((e.name().as_ref().to_string(), attrs));
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_cells_are_found_with_or_without_a_prefix_and_never_in_text() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell ref="A1:Z99"</t></is></c></row></sheetData>
<mergeCells count="3"><mergeCell ref="B3:D7"/><x:mergeCell ref='$A$10:$A$12'/><mergeCell
 ref="AB12"/></mergeCells></worksheet>"#;
        assert_eq!(
            scan(xml),
            vec![((2, 1), (6, 3)), ((9, 0), (11, 0)), ((11, 27), (11, 27))]
        );
    }

    #[test]
    fn a_tag_cut_between_chunks_is_found_once() {
        // the XML read in chunks of every size: tags cut anywhere
        let xml: &[u8] =
            b"<x><mergeCells><mergeCell ref=\"B3:D7\"/><mergeCell ref=\"A1:A2\"/></mergeCells></x>";
        let whole = scan(xml);
        assert_eq!(whole, vec![((2, 1), (6, 3)), ((0, 0), (1, 0))]);
        for chunk in 1..xml.len() {
            assert_eq!(
                scan_reader(xml, chunk),
                Some(whole.clone()),
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn cells_parse_as_excel_names_them() {
        assert_eq!(parse_cell("A1"), Some((0, 0)));
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell("A0"), None);
        assert_eq!(parse_cell("1A"), None);
        assert_eq!(parse_area(b"D7:B3"), Some(((2, 1), (6, 3))));
    }
}
