//! A workbook saved by rust_xlsxwriter with its big sheets' cells spliced in: the end of
//! every book and working book kpiroll writes.
//!
//! rust_xlsxwriter makes the workbook with everything but those cells (sheet names,
//! column widths, print setup, notes, panes, filters, styles); their cells were gathered
//! as XML by [`super::sheetxml`]. [`Package::save`]:
//! 1. gives the first sheet one blank "probe" cell per format, in the order
//!    [`Xfs`] numbered them, so rust_xlsxwriter numbers its formats the same way, and
//!    gives every gathered sheet one merged area, so it writes a `<mergeCells>` where
//!    one belongs;
//! 2. saves it, and checks in what it wrote that probe k has format number k;
//! 3. in each gathered sheet's XML, puts the gathered `<sheetData>`, `<mergeCells>` and
//!    dimension in place of rust_xlsxwriter's;
//! 4. compresses those sheets in pieces on every core (each piece a deflate stream
//!    flushed to a byte boundary, so the pieces joined are one stream, as pigz does) and
//!    writes the zip: the sheets from their pieces, every other part copied as
//!    rust_xlsxwriter compressed it.
//!
//! Steps 1 and 2 need every format numbered, not every cell written: the working book
//! runs them ([`save_workbook`]) on one core while 一覧's cells are still being written
//! on the other, then hands the result over ([`Package::saved`]).

use std::io::{Cursor, Read};
use std::sync::Arc;

use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub use super::deflate::ZIP_LEVEL;
use super::deflate::{Deflated, Piece};
use super::sheetxml::{Gathered, SheetCells, Xfs};

/// A workbook made by rust_xlsxwriter whose big sheets' cells were gathered apart.
pub struct Package {
    made: Made,
    xfs: Arc<Xfs>,
    /// (sheet position, its cells); sheet 0 must be one (it carries the probes)
    sheets: Vec<(usize, SheetCells)>,
}

/// rust_xlsxwriter's part of a package: the workbook, or already saved.
enum Made {
    Workbook(Box<Workbook>),
    Saved(Saved),
}

/// A workbook saved by rust_xlsxwriter with the probes (steps 1 and 2 above), waiting
/// for its gathered cells.
pub struct Saved {
    bytes: Vec<u8>,
    probes: u32,
}

impl Package {
    /// `sheets` pairs each gathered sheet with its position in `workbook`; sheet 0 must
    /// be one of them, and no gathered sheet may have cells written through
    /// rust_xlsxwriter.
    pub fn new(workbook: Workbook, xfs: Arc<Xfs>, sheets: Vec<(usize, SheetCells)>) -> Package {
        Package {
            made: Made::Workbook(Box::new(workbook)),
            xfs,
            sheets,
        }
    }

    /// A package whose workbook was saved already ([`save_workbook`]), while the cells
    /// were being gathered.
    pub fn saved(saved: Saved, xfs: Arc<Xfs>, sheets: Vec<(usize, SheetCells)>) -> Package {
        Package {
            made: Made::Saved(saved),
            xfs,
            sheets,
        }
    }

    /// The bytes of the xlsx file.
    ///
    /// # Errors
    /// rust_xlsxwriter's and the zip's, and [`XlsxError::ParameterError`] when
    /// rust_xlsxwriter numbered the formats otherwise than [`Xfs`] (a change in
    /// rust_xlsxwriter: the tests would show it), a format was numbered after the
    /// workbook was saved, or a part is over 4 GiB.
    pub fn save(self) -> Result<Vec<u8>, XlsxError> {
        let Package { made, xfs, sheets } = self;
        let saved = match made {
            Made::Saved(saved) => saved,
            Made::Workbook(mut workbook) => {
                let gathered: Vec<usize> = sheets.iter().map(|(i, _)| *i).collect();
                save_workbook(&mut workbook, &xfs, &gathered)?
            }
        };
        if xfs.formats().len() as u32 != saved.probes {
            return Err(XlsxError::ParameterError(
                "a cell format was numbered after the workbook was saved".into(),
            ));
        }
        splice_cells(&saved, sheets)
    }
}

/// Steps 1 and 2: the probes and merged areas, then rust_xlsxwriter's save. Every
/// format the gathered cells use must be numbered in `xfs` by then. `gathered` are the
/// positions of the gathered sheets (0 among them).
///
/// # Errors
/// rust_xlsxwriter's.
pub fn save_workbook(
    workbook: &mut Workbook,
    xfs: &Xfs,
    gathered: &[usize],
) -> Result<Saved, XlsxError> {
    if !gathered.contains(&0) {
        return Err(XlsxError::ParameterError(
            "the first sheet must be a gathered one (it carries the format probes)".into(),
        ));
    }
    let formats = xfs.formats();
    let probes = formats.len() as u32;
    {
        let sheet = workbook.worksheet_from_index(0)?;
        for (k, format) in formats.iter().enumerate() {
            sheet.write_blank(k as u32, 0, format)?;
        }
    }
    for i in gathered {
        let row = if *i == 0 { probes } else { 0 };
        workbook
            .worksheet_from_index(*i)?
            .merge_range(row, 0, row, 1, "", &Format::new())?;
    }
    let _stage = crate::progress::stage("  rust_xlsxwriter's parts");
    // the cells kpiroll writes itself are escaped as they are written; what
    // rust_xlsxwriter wrote (notes, names, sheet names) is made well-formed here
    Ok(Saved {
        bytes: well_formed(workbook.save_to_buffer()?)?,
        probes,
    })
}

/// Steps 3 and 4: the gathered cells into the sheets of `saved`, the zip written.
fn splice_cells(saved: &Saved, sheets: Vec<(usize, SheetCells)>) -> Result<Vec<u8>, XlsxError> {
    let probes = saved.probes;
    let saved = &saved.bytes;
    let mut zip = zip::ZipArchive::new(Cursor::new(&saved[..]))?;
    let parts = crate::read::xlsx::sheet_parts(&mut zip);
    // each gathered sheet: its part and its XML in pieces (rust_xlsxwriter's XML
    // before the cells, the cells, its XML after them)
    let mut sheets_xml: Vec<(String, Vec<Piece>)> = Vec::new();
    for (i, cells) in sheets {
        let Some((_, part)) = parts.get(i) else {
            return Err(XlsxError::ParameterError(format!("no part for sheet {i}")));
        };
        let mut xml = String::new();
        zip.by_name(part)?.read_to_string(&mut xml)?;
        if i == 0 {
            check_probes(&xml, probes)?;
        }
        let gathered = cells.finish();
        let (head, tail) = splice(&xml, &gathered)?;
        let mut pieces = vec![Piece::Raw(head.into_bytes())];
        pieces.extend(gathered.data);
        pieces.push(Piece::Raw(tail.into_bytes()));
        sheets_xml.push((part.clone(), pieces));
    }
    // what is not deflated yet, deflated on every core; the last piece of a sheet
    // ends its stream
    let stage = crate::progress::stage("  the sheets deflated");
    sheets_xml.par_iter_mut().for_each(|(_, pieces)| {
        let last = pieces.len() - 1;
        pieces.par_iter_mut().enumerate().for_each(|(k, piece)| {
            if let Piece::Raw(data) = piece {
                *piece = Piece::Deflated(Deflated::of(data, k == last));
            }
        });
    });
    drop(stage);
    let _stage = crate::progress::stage("  the zip");
    let mut out = ZipOut::with_capacity(saved.len() + (saved.len() >> 2));
    for k in 0..zip.len() {
        let mut file = zip.by_index_raw(k)?;
        let name = file.name()?.to_string();
        match sheets_xml.iter().find(|(part, _)| *part == name) {
            Some((_, pieces)) => {
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
                out.add(&name, DEFLATE, crc.finalize(), size, &data)?;
            }
            None => {
                let (method, crc, size) = (file.compression(), file.crc32(), file.size());
                let mut raw = Vec::with_capacity(file.compressed_size() as usize);
                file.read_to_end(&mut raw)?;
                let method = match method {
                    zip::CompressionMethod::Stored => STORED,
                    _ => DEFLATE,
                };
                out.add(&name, method, crc, size, &[&raw])?;
            }
        }
    }
    out.finish()
}

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

/// Checks that probe k (row k + 1) carries format number k + 1.
fn check_probes(xml: &str, probes: u32) -> Result<(), XlsxError> {
    for k in 0..probes {
        let cell = format!("<c r=\"A{}\" s=\"{}\"/>", k + 1, k + 1);
        if !xml.contains(&cell) {
            return Err(XlsxError::ParameterError(format!(
                "rust_xlsxwriter numbered the cell formats otherwise (no {cell})"
            )));
        }
    }
    Ok(())
}

/// The sheet XML before the cells (with the gathered dimension) and after them (with
/// the gathered merged areas).
fn splice(xml: &str, gathered: &Gathered) -> Result<(String, String), XlsxError> {
    let missing = |what: &str| XlsxError::ParameterError(format!("no {what} in a sheet"));
    let start = xml
        .find("<sheetData")
        .ok_or_else(|| missing("<sheetData>"))?;
    let end = match xml[start..].find("</sheetData>") {
        Some(e) => start + e + "</sheetData>".len(),
        None => {
            start
                + xml[start..]
                    .find("/>")
                    .ok_or_else(|| missing("</sheetData>"))?
                + 2
        }
    };
    let mut head = xml[..start].to_string();
    if let Some(d) = head.find("<dimension ref=\"") {
        let from = d + "<dimension ref=\"".len();
        let to = from + head[from..].find('"').ok_or_else(|| missing("dimension"))?;
        head.replace_range(from..to, &gathered.dimension);
    }
    let rest = &xml[end..];
    let m0 = rest
        .find("<mergeCells")
        .ok_or_else(|| missing("<mergeCells>"))?;
    let m1 = m0
        + rest[m0..]
            .find("</mergeCells>")
            .ok_or_else(|| missing("</mergeCells>"))?
        + "</mergeCells>".len();
    let tail = format!("{}{}{}", &rest[..m0], gathered.merges, &rest[m1..]);
    Ok((head, tail))
}

const STORED: u16 = 0;
const DEFLATE: u16 = 8;
/// 1980-01-01 00:00 in MS-DOS form, as rust_xlsxwriter dates every part
const DOS_DATE: u16 = (1 << 5) | 1;

/// A zip written part by part: local headers and data, then the central directory.
/// Parts and the whole stay under 4 GiB (no zip64); a bigger one is an error.
struct ZipOut {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl ZipOut {
    fn with_capacity(n: usize) -> ZipOut {
        ZipOut {
            out: Vec::with_capacity(n),
            central: Vec::new(),
            count: 0,
        }
    }

    /// Adds part `name` whose compressed bytes are `data` joined.
    fn add(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        size: u64,
        data: &[&[u8]],
    ) -> Result<(), XlsxError> {
        let too_big = || XlsxError::ParameterError(format!("{name} is over 4 GiB"));
        let compressed: usize = data.iter().map(|d| d.len()).sum();
        let compressed = u32::try_from(compressed).map_err(|_| too_big())?;
        let size = u32::try_from(size).map_err(|_| too_big())?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let name_len = name.len() as u16;
        // local header
        let o = &mut self.out;
        o.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, method, 0, DOS_DATE] {
            o.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, compressed, size] {
            o.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0] {
            o.extend_from_slice(&v.to_le_bytes());
        }
        o.extend_from_slice(name.as_bytes());
        for d in data {
            o.extend_from_slice(d);
        }
        // central directory entry: made on Unix, -rw------- like rust_xlsxwriter's
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [(3u16 << 8) | 20, 20, 0, method, 0, DOS_DATE] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, compressed, size] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        for v in [0o100_600u32 << 16, offset] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let too_big = || XlsxError::ParameterError("the workbook is over 4 GiB".into());
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let size = u32::try_from(self.central.len()).map_err(|_| too_big())?;
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for v in [0u16, 0, self.count, self.count] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [size, offset] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        self.out.extend_from_slice(&0u16.to_le_bytes());
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zip_reads_back() {
        let mut out = ZipOut::with_capacity(0);
        let a = Deflated::of(b"hello ", false);
        let b = Deflated::of(b"world", true);
        let mut crc = a.crc.clone();
        crc.combine(&b.crc);
        out.add(
            "x/a.xml",
            DEFLATE,
            crc.finalize(),
            11,
            &[&a.bytes, &b.bytes],
        )
        .unwrap();
        out.add("b.bin", STORED, crc32fast::hash(b"raw"), 3, &[b"raw"])
            .unwrap();
        let bytes = out.finish().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name("x/a.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello world");
        text.clear();
        zip.by_name("b.bin")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "raw");
    }
}
