//! Workbooks rust_xlsxwriter makes (the forms, the diff report) put into kpiroll's own
//! package, so that every workbook kpiroll writes leaves through one zip writer
//! ([`super::archive`]): the parts in the order rust_xlsxwriter wrote them, each dated
//! 1980-01-01, made on Unix with the same attributes, no data descriptors and no extra
//! fields. The zip library rust_xlsxwriter saves through records the system it runs on
//! ("version made by" MS-DOS and other attributes on Windows): re-packed, the same
//! workbook is the same bytes on Windows and Linux.
//!
//! And made well-formed: rust_xlsxwriter escapes control characters in cell text but
//! not in attributes, and neither U+FFFE nor U+FFFF, so a file name, a sheet name or a
//! text that holds one would make a part unreadable. Each XML part that holds one is
//! rewritten with U+FFFD in its place; the others are copied as they were compressed.

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

/// A workbook saved by rust_xlsxwriter, re-packed by kpiroll's own zip writer (the same
/// bytes on every system), with any XML part that holds a character XML forbids
/// repaired ([`xml_repaired`]).
///
/// # Errors
/// The bytes are not a zip.
pub fn well_formed(bytes: Vec<u8>) -> Result<Vec<u8>, XlsxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..]))?;
    let mut out = ZipOut::with_capacity(bytes.len());
    for k in 0..zip.len() {
        let (name, method) = {
            let file = zip.by_index_raw(k)?;
            (file.name()?.to_string(), file.compression())
        };
        let known = matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        );
        let mut part = Vec::new();
        if is_xml_part(&name) || !known {
            zip.by_index(k)?.read_to_end(&mut part)?;
        }
        match xml_repaired(&part).filter(|_| is_xml_part(&name)) {
            Some(fixed) => add_deflated(&mut out, &name, &fixed)?,
            // compressed in a way kpiroll does not write: deflated here
            None if !known => add_deflated(&mut out, &name, &part)?,
            None => copy_raw(&mut out, &name, &mut zip.by_index_raw(k)?)?,
        }
    }
    out.finish()
}

/// Adds a part deflated here.
fn add_deflated(out: &mut ZipOut, name: &str, part: &[u8]) -> Result<(), XlsxError> {
    let d = Deflated::of(part, true);
    out.add(name, DEFLATE, d.crc.finalize(), d.size, &[&d.bytes])
}

/// Copies a part (stored or deflated) as it was compressed.
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
