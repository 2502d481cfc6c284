//! What calamine would lay out for an .xls, priced before it does.
//!
//! calamine reads every sheet of an .xls (hidden ones too) when the file is opened, each
//! as a dense grid from its first to its last cell, values and formulas apart, after
//! reserving room for the cells the sheet's DIMENSIONS record declares. Ten sheets with
//! one value each at IV65536 (a 13 KB file) ask for gigabytes, and an allocation that
//! fails ends the process, every other file's rows with it. So the file is walked here
//! first, reading only the compound file's directory and the records' positions (cell
//! records start with their row and column), and refused at the sheet's last cell when
//! what calamine would allocate for all its sheets together is beyond
//! [`Limits::max_text_mib`]. A file this walk cannot follow is left to calamine, which
//! says what is wrong with it.

use calamine::{Cell, Data};

use super::grid::{Budget, Limits};
use super::workbook::WorkbookError;

/// Refuses the file when calamine's grids for its sheets would take more than the limit.
///
/// # Errors
/// [`WorkbookError::TooCostly`] at the last cell of the sheet that goes beyond it.
pub fn check_cost(bytes: &[u8], limits: &Limits) -> Result<(), WorkbookError> {
    let Some(stream) = workbook_stream(bytes) else {
        return Ok(());
    };
    let budget = limits.max_text_mib.saturating_mul(1024 * 1024);
    let mut total: u64 = 0;
    for (pos, name) in sheets(&stream) {
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        let extent = Extent::of(sheet);
        total = total.saturating_add(extent.bytes());
        if total > budget {
            let (row, col) = extent.far_cell();
            return Err(WorkbookError::TooCostly {
                sheet: Some(name),
                row,
                col,
                what: Budget::Text,
            });
        }
    }
    Ok(())
}

/// A sheet's extent as calamine would allocate it.
#[derive(Default)]
struct Extent {
    /// cells reserved from the DIMENSIONS record (rows × columns as calamine counts them)
    declared: u64,
    declared_last: (u32, u32),
    values: Option<Bounds>,
    formulas: Option<Bounds>,
}

/// First and last (row, column) of a set of cells.
#[derive(Clone, Copy)]
struct Bounds {
    first: (u32, u32),
    last: (u32, u32),
}

impl Bounds {
    fn add(bounds: &mut Option<Bounds>, row: u32, col: u32) {
        let b = bounds.get_or_insert(Bounds {
            first: (row, col),
            last: (row, col),
        });
        b.first = (b.first.0.min(row), b.first.1.min(col));
        b.last = (b.last.0.max(row), b.last.1.max(col));
    }

    fn cells(bounds: Option<Bounds>) -> u64 {
        bounds.map_or(0, |b| {
            u64::from(b.last.0 - b.first.0 + 1) * u64::from(b.last.1 - b.first.1 + 1)
        })
    }
}

impl Extent {
    /// The sheet substream starting at its BOF, up to its EOF; records of nested
    /// substreams (embedded charts) skipped, as calamine skips them.
    fn of(sheet: &[u8]) -> Extent {
        let mut extent = Extent::default();
        let mut seen_bof = false;
        let mut depth = 0usize;
        for (typ, data) in Records(sheet) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let u16_at = |i: usize| {
                data.get(i..i + 2)
                    .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
            };
            let u32_at = |i: usize| {
                data.get(i..i + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            };
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                // DIMENSIONS, read as calamine reads it (its row and column counts wrap
                // as u32 when the record is inverted)
                0x0200 => {
                    let fields = match data.len() {
                        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                        _ => continue,
                    };
                    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = fields else {
                        continue;
                    };
                    if cf > 0xFF || cl < cf {
                        cf = 0;
                    }
                    let (first, last) = if rl >= 1 && cl >= 1 {
                        ((rf, cf), (rl - 1, cl - 1))
                    } else {
                        ((rf, cf), (rf, cf))
                    };
                    let rows = u64::from(last.0.wrapping_sub(first.0).wrapping_add(1));
                    let cols = u64::from(last.1.wrapping_sub(first.1).wrapping_add(1));
                    extent.declared = rows.saturating_mul(cols);
                    extent.declared_last = last;
                }
                // Number, Label, RString, BoolErr, Rk, LabelSst: one cell at (row, col)
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let (Some(r), Some(c)) = (u16_at(0), u16_at(2)) {
                        Bounds::add(&mut extent.values, r, c);
                    }
                }
                // MulRk: one row, from its first column to the last one (at the end)
                0x00BD if data.len() >= 6 => {
                    if let (Some(r), Some(c0), Some(c1)) =
                        (u16_at(0), u16_at(2), u16_at(data.len() - 2))
                    {
                        Bounds::add(&mut extent.values, r, c0);
                        Bounds::add(&mut extent.values, r, c1.max(c0));
                    }
                }
                // Formula: its value among the values, its text among the formulas
                0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(0), u16_at(2)) {
                        Bounds::add(&mut extent.values, r, c);
                        Bounds::add(&mut extent.formulas, r, c);
                    }
                }
                _ => {}
            }
        }
        extent
    }

    /// What calamine allocates for the sheet: the reserved cells, the grid of values, the
    /// grid of formulas.
    fn bytes(&self) -> u64 {
        let size = |n: usize| n as u64;
        self.declared
            .saturating_mul(size(std::mem::size_of::<Cell<Data>>()))
            .saturating_add(
                Bounds::cells(self.values).saturating_mul(size(std::mem::size_of::<Data>())),
            )
            .saturating_add(
                Bounds::cells(self.formulas).saturating_mul(size(std::mem::size_of::<String>())),
            )
    }

    /// The cell to name: the farthest of the sheet's last value, last formula and the
    /// last cell its DIMENSIONS record declares.
    fn far_cell(&self) -> (u32, u32) {
        [self.values, self.formulas]
            .iter()
            .flatten()
            .map(|b| b.last)
            .fold(self.declared_last, Ord::max)
    }
}

/// BIFF records: (type, data), following calamine's record walk (a CONTINUE record is
/// read as a record of its own: none of those priced here is continued).
struct Records<'a>(&'a [u8]);

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let head = self.0.get(..4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = self.0.get(4..4 + len)?;
        self.0 = &self.0[4 + len..];
        Some((typ, data))
    }
}

/// The workbook globals' sheet entries (BoundSheet8): where each sheet's substream
/// starts, and its name. None for an encrypted file (FilePass other than the XOR
/// obfuscation calamine reads through): calamine refuses it before any sheet.
fn sheets(stream: &[u8]) -> Vec<(usize, String)> {
    let mut sheets = Vec::new();
    for (typ, data) in Records(stream) {
        match typ {
            0x000A => break,
            0x002F if data.get(..2).is_some_and(|t| t != [0, 0]) => return Vec::new(),
            0x0085 if data.len() >= 8 => {
                let pos = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
                sheets.push((pos, sheet_name(&data[6..])));
            }
            _ => {}
        }
    }
    sheets
}

/// A BoundSheet8 name: a length, a flag (UTF-16 or one byte a character), the characters.
fn sheet_name(data: &[u8]) -> String {
    let n = usize::from(data[0]);
    let wide = data.get(1).is_some_and(|f| f & 1 == 1);
    let chars = data.get(2..).unwrap_or_default();
    if wide {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(n)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(n).map(|&b| char::from(b)).collect()
    }
}

const END_OF_CHAIN: u32 = 0xFFFF_FFFA;

/// The `Workbook` (or `Book`) stream of a compound file, or `None` when the container
/// cannot be followed.
fn workbook_stream(b: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if b.get(..8)? != SIGNATURE {
        return None;
    }
    let u16_at = |i: usize| b.get(i..i + 2).map(|x| u16::from_le_bytes([x[0], x[1]]));
    let u32_at = |buf: &[u8], i: usize| {
        buf.get(i..i + 4)
            .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
    };
    let shift = u16_at(0x1E)?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let size = 1usize << shift;
    let sectors = b.len() / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        b.get(start..start + size)
    };
    // the FAT's sectors: 109 in the header, the rest in a chain of DIFAT sectors
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(b, 0x4C + 4 * i)).collect();
    let mut next = u32_at(b, 0x44)?;
    let mut steps = 0;
    while next < END_OF_CHAIN && steps <= sectors {
        let s = sector(next)?;
        let entries = size / 4;
        difat.extend((0..entries - 1).filter_map(|i| u32_at(s, 4 * i)));
        next = u32_at(s, 4 * (entries - 1))?;
        steps += 1;
    }
    // no more of the table than the file has sectors (a crafted DIFAT may list one
    // sector many times over)
    difat.retain(|id| *id < END_OF_CHAIN);
    difat.truncate(sectors.div_ceil(size / 4) + 1);
    let mut fat = Vec::new();
    for id in difat {
        let s = sector(id)?;
        fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    // a chain of sectors through an allocation table, at most `count` long (a loop
    // would go on for ever)
    let chain = |start: u32, table: &[u32], count: usize, data: &dyn Fn(u32) -> Option<Vec<u8>>| {
        let mut out = Vec::new();
        let mut id = start;
        let mut steps = 0;
        while id < END_OF_CHAIN && steps < count {
            out.extend(data(id)?);
            id = *table.get(id as usize)?;
            steps += 1;
        }
        Some(out)
    };
    let regular = |id: u32| sector(id).map(<[u8]>::to_vec);
    let dirs = chain(u32_at(b, 0x30)?, &fat, sectors, &regular)?;
    let entry = |d: &[u8]| {
        let len = usize::from(u16::from_le_bytes([d[0x40], d[0x41]])).min(64);
        let units: Vec<u16> = d[..len]
            .chunks_exact(2)
            .map(|x| u16::from_le_bytes([x[0], x[1]]))
            .take_while(|u| *u != 0)
            .collect();
        let start = u32::from_le_bytes([d[0x74], d[0x75], d[0x76], d[0x77]]);
        let len = u32::from_le_bytes([d[0x78], d[0x79], d[0x7A], d[0x7B]]) as usize;
        (String::from_utf16_lossy(&units), start, len)
    };
    let entries: Vec<_> = dirs.chunks_exact(128).map(entry).collect();
    let (_, start, len) = entries
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case("Workbook"))
        .or_else(|| {
            entries
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case("Book"))
        })?;
    let cutoff = u32_at(b, 0x38).unwrap_or(4096) as usize;
    let mut stream = if *len < cutoff {
        // a small stream lives in 64-byte sectors inside the root entry's stream
        let (_, root_start, _) = entries.first()?;
        let mini = chain(*root_start, &fat, sectors, &regular)?;
        let count = mini.len() / 64;
        let minifat_bytes = chain(u32_at(b, 0x3C)?, &fat, sectors, &regular)?;
        let minifat: Vec<u32> = minifat_bytes
            .chunks_exact(4)
            .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
            .collect();
        let small = |id: u32| {
            let at = (id as usize).checked_mul(64)?;
            mini.get(at..at + 64).map(<[u8]>::to_vec)
        };
        chain(*start, &minifat, count, &small)?
    } else {
        chain(*start, &fat, sectors, &regular)?
    };
    stream.truncate(*len);
    Some(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A return saved by LibreOffice as .xls: its sheets found and priced.
    #[test]
    fn a_real_xls_is_walked_to_its_sheets_and_cells() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ingest/return.xls");
        let bytes = std::fs::read(path).unwrap();
        let stream = workbook_stream(&bytes).expect("the Workbook stream");
        let names: Vec<String> = sheets(&stream).into_iter().map(|(_, n)| n).collect();
        assert!(names.contains(&"入力".to_string()), "{names:?}");
        assert_eq!(check_cost(&bytes, &Limits::default()), Ok(()));
        let none = Limits {
            max_text_mib: 0,
            ..Limits::default()
        };
        match check_cost(&bytes, &none) {
            Err(WorkbookError::TooCostly {
                sheet: Some(sheet),
                row,
                col,
                what: Budget::Text,
            }) => {
                // the first sheet, at its last cell as calamine reads it
                assert_eq!(sheet, names[0]);
                let mut wb: calamine::Xls<_> =
                    calamine::Reader::new(std::io::Cursor::new(&bytes)).unwrap();
                let range = calamine::Reader::worksheet_range(&mut wb, &sheet).unwrap();
                assert_eq!(range.end(), Some((row, col)));
            }
            other => panic!("{other:?}"),
        }
    }
}
