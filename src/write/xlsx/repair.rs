//! Workbooks rust_xlsxwriter makes (the forms, the diff report) made well-formed: it
//! escapes control characters in cell text but not in attributes, and neither U+FFFE
//! nor U+FFFF, so a file name, a sheet name or a text that holds one would make a part
//! unreadable. Each XML part that holds one is rewritten with U+FFFD in its place; the
//! others are copied as they were compressed.

use std::io::{Cursor, Read};

use super::archive::{ZipOut, DEFLATE, STORED};
use super::deflate::Deflated;
use super::XlsxError;

/// Whether a part of a workbook is XML (the parts whose text must be well-formed).
fn is_xml_part(name: &str) -> bool {
    [".xml", ".rels", ".vml"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// `xml` with every character XML 1.0 forbids (control characters other than tab,
/// newline and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD, or `None` when it
/// holds none. rust_xlsxwriter escapes control characters in cell text but not in
/// attributes, and neither U+FFFE nor U+FFFF: a file name, a sheet name or a text that
/// holds one would make the part unreadable.
pub fn xml_repaired(xml: &[u8]) -> Option<Vec<u8>> {
    let bad = |i: usize| -> usize {
        match xml[i] {
            b'\t' | b'\n' | b'\r' => 0,
            0..=0x1F => 1,
            0xEF if xml.get(i + 1) == Some(&0xBF)
                && matches!(xml.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                3
            }
            _ => 0,
        }
    };
    let first = (0..xml.len()).find(|&i| bad(i) > 0)?;
    let mut out = Vec::with_capacity(xml.len() + 16);
    out.extend_from_slice(&xml[..first]);
    let mut i = first;
    while i < xml.len() {
        match bad(i) {
            0 => {
                out.push(xml[i]);
                i += 1;
            }
            n => {
                out.extend_from_slice("\u{FFFD}".as_bytes());
                i += n;
            }
        }
    }
    Some(out)
}

/// A workbook saved by rust_xlsxwriter, with any XML part that holds a character XML
/// forbids repaired ([`xml_repaired`]); the bytes as they are when none does.
///
/// # Errors
/// The bytes are not a zip.
pub fn well_formed(bytes: Vec<u8>) -> Result<Vec<u8>, XlsxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..]))?;
    let mut repaired: Vec<(usize, Vec<u8>)> = Vec::new();
    for k in 0..zip.len() {
        let mut file = zip.by_index(k)?;
        if !file.name().is_ok_and(|n| is_xml_part(&n)) {
            continue;
        }
        let mut xml = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut xml)?;
        if let Some(fixed) = xml_repaired(&xml) {
            repaired.push((k, fixed));
        }
    }
    if repaired.is_empty() {
        return Ok(bytes);
    }
    let mut out = ZipOut::with_capacity(bytes.len());
    for k in 0..zip.len() {
        let mut file = zip.by_index_raw(k)?;
        let name = file.name()?.to_string();
        match repaired.iter().find(|(i, _)| *i == k) {
            Some((_, xml)) => {
                let d = Deflated::of(xml, true);
                out.add(&name, DEFLATE, d.crc.finalize(), d.size, &[&d.bytes])?;
            }
            None => copy_raw(&mut out, &name, &mut file)?,
        }
    }
    out.finish()
}

/// Copies a part as it was compressed.
fn copy_raw(
    out: &mut ZipOut,
    name: &str,
    file: &mut zip::read::ZipFile<'_, Cursor<&[u8]>>,
) -> Result<(), XlsxError> {
    let (method, crc, size) = (file.compression(), file.crc32(), file.size());
    let mut raw = Vec::with_capacity(file.compressed_size() as usize);
    file.read_to_end(&mut raw)?;
    let method = match method {
        zip::CompressionMethod::Stored => STORED,
        _ => DEFLATE,
    };
    out.add(name, method, crc, size, &[&raw])
}
