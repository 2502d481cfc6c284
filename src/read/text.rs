//! CSV / TSV / TXT tables in UTF-8 (with or without BOM) or Shift_JIS / CP932.
//!
//! The delimiter is a tab for .tsv/.txt and a comma for .csv, unless the first lines say
//! otherwise. Rows are numbered by the line they start on, so a message's `L12` is the
//! twelfth line of the file and column L, as Excel shows the same file.

use super::grid::{Grid, Limits};

/// Decodes text bytes: UTF-8 when valid, else Shift_JIS (CP932).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// Reads delimited text into a grid.
///
/// # Errors
/// A malformed record (for example an unclosed quote), as the csv reader reports it.
pub fn read_text(bytes: &[u8], extension: &str, limits: &Limits) -> Result<Grid, csv::Error> {
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text, extension);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Grid::new(None);
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line().saturating_sub(1)) as u32;
        for (col, field) in record.iter().enumerate() {
            grid.set(line, col as u32, field.to_string(), false, limits);
        }
    }
    Ok(grid)
}

fn sniff_delimiter(text: &str, extension: &str) -> u8 {
    let head: String = text.lines().take(30).collect::<Vec<_>>().join("\n");
    let tabs = head.matches('\t').count();
    let commas = head.matches(',').count();
    match extension {
        "csv" if tabs <= commas => b',',
        "csv" => b'\t',
        _ if tabs == 0 && commas > 0 => b',',
        _ => b'\t',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_and_utf8_give_the_same_cells() {
        let text = "担当課\t事務事業番号\n産学振興課\t432-5\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let a = read_text(text.as_bytes(), "txt", &Limits::default()).unwrap();
        let b = read_text(&sjis, "txt", &Limits::default()).unwrap();
        assert_eq!(a.text(1, 0), "産学振興課");
        assert_eq!(b.text(1, 0), "産学振興課");
        assert_eq!(b.text(1, 1), "432-5");
    }

    #[test]
    fn quoted_line_breaks_stay_in_their_cell_and_rows_follow_lines() {
        let text = "a,b\n\"x\ny\",z\nlast,row\n";
        let g = read_text(text.as_bytes(), "csv", &Limits::default()).unwrap();
        assert_eq!(g.text(1, 0), "x\ny");
        assert_eq!(g.text(3, 0), "last");
    }
}
