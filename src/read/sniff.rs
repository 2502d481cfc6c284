//! What a file really is, from its first bytes, not its name: a CSV renamed .xlsx is
//! text, an .xlsx with a password is an encrypted OLE container.

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
    /// an OLE compound file holding an encrypted xlsx
    Encrypted,
    /// .csv / .tsv / .txt
    Text,
}

/// Why a file is not one of the [`Kind`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTable {
    /// the extension is a workbook's but the bytes are text
    TextNamedAsWorkbook,
    /// the bytes are neither a workbook nor text
    Binary,
    /// a zip that is neither xlsx nor ods
    OtherZip,
}

/// Extensions kpiroll reads when walking a folder.
pub const EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt"];

/// Lower-case extension of a path ("" when none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Decides the kind from the bytes, using the extension only to tell text formats apart.
pub fn sniff(path: &Path, bytes: &[u8]) -> Result<Kind, NotTable> {
    let ext = extension(path);
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(4096)];
        if contains(head, b"mimetypeapplication/vnd.oasis.opendocument") {
            return Ok(Kind::Ods);
        }
        if ext == "ods" {
            return Ok(Kind::Ods);
        }
        if matches!(ext.as_str(), "xlsx" | "xlsm") || contains(bytes, b"xl/workbook") {
            return Ok(Kind::Xlsx);
        }
        return Err(NotTable::OtherZip);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        let utf16: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if contains(bytes, &utf16) {
            return Ok(Kind::Encrypted);
        }
        return Ok(Kind::Xls);
    }
    if looks_like_text(bytes) {
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
            return Err(NotTable::TextNamedAsWorkbook);
        }
        return Ok(Kind::Text);
    }
    Err(NotTable::Binary)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// No NUL bytes in the first 8 KiB and it decodes as UTF-8 or Shift_JIS without errors
/// (a character cut at the end of the window does not count).
fn looks_like_text(bytes: &[u8]) -> bool {
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
        assert_eq!(
            sniff(
                Path::new("x.xls"),
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]
            ),
            Ok(Kind::Xls)
        );
    }
}
