//! What a file really is, from its first bytes, not its name: a CSV renamed .xlsx is
//! text, an .xlsx with a password is an encrypted OLE container, a zip is told by the
//! parts it holds (and a zip without its end record was cut short).

use std::path::Path;

/// The kinds of input kpiroll reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// .xlsx / .xlsm (a zip with xl/workbook.xml)
    Xlsx,
    /// .ods (a zip with a mimetype of OpenDocument)
    Ods,
    /// .xls (an OLE compound file)
    Xls,
    /// an OLE compound file holding an encrypted xlsx, or an ods with encrypted parts
    Encrypted,
    /// .csv / .tsv / .txt
    Text,
}

/// Why a file is not one of the [`Kind`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTable {
    /// no bytes at all
    Empty,
    /// the extension is a workbook's but the bytes are text
    TextNamedAsWorkbook,
    /// the bytes are neither a workbook nor text
    Binary,
    /// a zip that is neither xlsx nor ods
    OtherZip,
    /// an Excel binary workbook (.xlsb)
    Xlsb,
    /// a zip whose end (the central directory) is missing: the file was cut short
    Truncated,
    /// a zip that cannot be opened for another reason
    DamagedZip(String),
}

/// Extensions kpiroll reads when walking a folder.
pub const EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt"];

/// Lower-case extension of a path ("" when none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decides the kind from the bytes, using the extension only to tell text formats apart.
pub fn sniff(path: &Path, bytes: &[u8]) -> Result<Kind, NotTable> {
    let ext = extension(path);
    if bytes.is_empty() {
        return Err(NotTable::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes, &ext);
    }
    if bytes.starts_with(&OLE) {
        if ole_cut_short(bytes) {
            return Err(NotTable::Truncated);
        }
        if contains(bytes, &utf16("EncryptedPackage")) {
            return Ok(Kind::Encrypted);
        }
        // BIFF8 keeps its cells in a stream named Workbook, BIFF5 in one named Book
        if contains(bytes, &utf16("Workbook")) || contains(bytes, &utf16("Book")) {
            return Ok(Kind::Xls);
        }
        return Err(NotTable::Binary);
    }
    if looks_like_text(bytes) {
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
            return Err(NotTable::TextNamedAsWorkbook);
        }
        return Ok(Kind::Text);
    }
    Err(NotTable::Binary)
}

/// A zip: xlsx/xlsm when it holds `xl/workbook.xml`, ods when its mimetype says so (or,
/// named .ods, it holds `content.xml`), encrypted when its manifest says its parts are.
fn sniff_zip(bytes: &[u8], ext: &str) -> Result<Kind, NotTable> {
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(zip) => zip,
        // the end of central directory record is the zip's last 22 bytes (plus a comment
        // of at most 64 KiB): without it the file stops before its end
        Err(_) if !has_end_record(bytes) => return Err(NotTable::Truncated),
        Err(e) => return Err(NotTable::DamagedZip(e.to_string())),
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_string())
        .collect();
    let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if has("xl/workbook.xml") {
        return Ok(Kind::Xlsx);
    }
    if has("xl/workbook.bin") {
        return Err(NotTable::Xlsb);
    }
    let member = |zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str| {
        let mut text = String::new();
        if let Ok(mut file) = zip.by_name(name) {
            // a mimetype or manifest is small; a bigger one is not what is looked for
            let _ = std::io::Read::read_to_string(
                &mut std::io::Read::take(&mut file, 1 << 20),
                &mut text,
            );
        }
        text
    };
    let mimetype = member(&mut zip, "mimetype");
    // a damaged .ods may not give its mimetype back: its content.xml and name still tell
    let ods = mimetype
        .trim()
        .starts_with("application/vnd.oasis.opendocument.spreadsheet")
        || (ext == "ods" && has("content.xml"));
    if ods {
        if member(&mut zip, "META-INF/manifest.xml").contains("encryption-data") {
            return Ok(Kind::Encrypted);
        }
        return Ok(Kind::Ods);
    }
    Err(NotTable::OtherZip)
}

/// An OLE compound file (xls, encrypted xlsx) is whole sectors after its header sector:
/// 512 bytes each (version 3) or 4096 (version 4), as the header says at offset 30.
fn ole_cut_short(bytes: &[u8]) -> bool {
    let Some(shift) = bytes.get(30..32).map(|b| u16::from_le_bytes([b[0], b[1]])) else {
        return true;
    };
    let sector = match shift {
        9 => 512,
        12 => 4096,
        _ => return false, // not a header kpiroll knows: let the reader say what it finds
    };
    bytes.len() < 2 * sector || !bytes.len().is_multiple_of(sector)
}

fn has_end_record(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(22 + 65_535)..];
    contains(tail, b"PK\x05\x06")
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// No NUL bytes in the first 8 KiB and it decodes as UTF-8 or Shift_JIS without errors
/// (a character cut at the end of the window does not count; a UTF-8 BOM is left out,
/// whatever follows it). Which encoding the whole file is in is decided on all its bytes
/// when it is read ([`super::text::decode`]).
fn looks_like_text(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return false;
    }
    let whole = head.len() == bytes.len();
    match std::str::from_utf8(head) {
        Ok(_) => return true,
        Err(e) if e.error_len().is_none() && !whole => return true,
        Err(_) => {}
    }
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(head.len() * 3);
    let (_, _, had_errors) = decoder.decode_to_string(head, &mut out, whole);
    !had_errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_bytes_not_names() {
        let p = Path::new("x.xlsx");
        assert_eq!(sniff(p, b"a,b\n1,2\n"), Err(NotTable::TextNamedAsWorkbook));
        assert_eq!(
            sniff(Path::new("x.csv"), "担当課,番号\n".as_bytes()),
            Ok(Kind::Text)
        );
        assert_eq!(sniff(p, &[0, 1, 2, 3, 0, 0]), Err(NotTable::Binary));
        // an OLE file without a workbook stream (a Word .doc renamed .xls) is no workbook
        let mut ole = OLE.to_vec();
        ole.resize(30, 0);
        ole.extend([9, 0]); // 512-byte sectors
        ole.resize(1024, 0);
        assert_eq!(sniff(Path::new("x.xls"), &ole), Err(NotTable::Binary));
        let mut xls = ole.clone();
        xls[600..616].copy_from_slice(&utf16("Workbook"));
        assert_eq!(sniff(Path::new("x.xls"), &xls), Ok(Kind::Xls));
        assert_eq!(
            sniff(Path::new("x.xls"), &xls[..700]),
            Err(NotTable::Truncated)
        );
        assert_eq!(sniff(Path::new("x.xls"), &OLE), Err(NotTable::Truncated));
        assert_eq!(sniff(p, b""), Err(NotTable::Empty));
    }

    fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in members {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn zips_by_their_members_and_cut_ones_as_truncated() {
        let p = Path::new("x.xlsx");
        let xlsx = zip_of(&[("[Content_Types].xml", "<x/>"), ("xl/workbook.xml", "<x/>")]);
        assert_eq!(sniff(p, &xlsx), Ok(Kind::Xlsx));
        assert_eq!(sniff(p, &xlsx[..xlsx.len() / 2]), Err(NotTable::Truncated));
        let docx = zip_of(&[("word/document.xml", "<x/>")]);
        assert_eq!(sniff(p, &docx), Err(NotTable::OtherZip));
        let xlsb = zip_of(&[("xl/workbook.bin", "x")]);
        assert_eq!(sniff(p, &xlsb), Err(NotTable::Xlsb));
        let mime = "application/vnd.oasis.opendocument.spreadsheet";
        let ods = zip_of(&[("mimetype", mime), ("content.xml", "<x/>")]);
        assert_eq!(sniff(Path::new("x.ods"), &ods), Ok(Kind::Ods));
        let locked = zip_of(&[
            ("mimetype", mime),
            ("META-INF/manifest.xml", "<manifest:encryption-data/>"),
        ]);
        assert_eq!(sniff(Path::new("x.ods"), &locked), Ok(Kind::Encrypted));
    }
}
