//! The zip around a workbook's parts, written by hand: each part's bytes already
//! deflated (a sheet in pieces deflated apart, see [`super::deflate`]), local headers
//! and data, then the central directory. Every part is dated 1980-01-01 (the same book
//! gives the same bytes). The web page's zip of next year's forms is written by it too
//! ([`zip_of`]): a name that is not ASCII is marked UTF-8, as Explorer expects.

use super::XlsxError;

pub(crate) const STORED: u16 = 0;
pub(crate) const DEFLATE: u16 = 8;
/// 1980-01-01 00:00 in MS-DOS form
const DOS_DATE: u16 = (1 << 5) | 1;
/// General-purpose flag bit 11: the name is UTF-8
const UTF8_NAME: u16 = 1 << 11;

/// Files (name, bytes) in one zip, each deflated, in the order given: the same files
/// make the same bytes on every system.
///
/// # Errors
/// A file or the whole over 4 GiB.
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, XlsxError> {
    let size: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut out = ZipOut::with_capacity(size + 4096);
    for (name, bytes) in files {
        let d = super::deflate::Deflated::of(bytes, true);
        out.add(name, DEFLATE, d.crc.finalize(), d.size, &[&d.bytes])?;
    }
    out.finish()
}

/// A zip written part by part: local headers and data, then the central directory.
/// Parts and the whole stay under 4 GiB (no zip64); a bigger one is an error.
pub(crate) struct ZipOut {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl ZipOut {
    pub(crate) fn with_capacity(n: usize) -> ZipOut {
        ZipOut {
            out: Vec::with_capacity(n),
            central: Vec::new(),
            count: 0,
        }
    }

    /// Adds part `name` whose compressed bytes are `data` joined.
    pub(crate) fn add(
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
        let flags = if name.is_ascii() { 0 } else { UTF8_NAME };
        // local header
        let o = &mut self.out;
        o.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, flags, method, 0, DOS_DATE] {
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
        // central directory entry: made on Unix, -rw-------
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [(3u16 << 8) | 20, 20, flags, method, 0, DOS_DATE] {
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

    pub(crate) fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
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
    use std::io::{Cursor, Read};

    use super::super::deflate::Deflated;
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

    #[test]
    fn a_japanese_name_is_marked_utf8_and_reads_back() {
        let files = vec![
            ("市民課.xlsx".to_string(), b"form one".to_vec()),
            ("a.txt".to_string(), b"two".to_vec()),
        ];
        let bytes = zip_of(&files).unwrap();
        // the first local header's flags: UTF-8 for the Japanese name
        assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), UTF8_NAME);
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        for (name, want) in &files {
            let mut got = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut got).unwrap();
            assert_eq!(&got, want, "{name}");
        }
        assert_eq!(
            zip_of(&files).unwrap(),
            bytes,
            "the same files, the same bytes"
        );
    }
}
