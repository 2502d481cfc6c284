//! CSV / TSV / TXT tables in UTF-8 (with or without BOM) or Shift_JIS / CP932.
//!
//! The delimiter is a tab for .tsv/.txt and a comma for .csv, unless the first lines say
//! otherwise. Rows are numbered by the line they start on, blank lines included, so a
//! message's `L12` is the twelfth line of the file and column L, as Excel shows the
//! same file.
//!
//! The encoding is decided on the whole file, not its first bytes: UTF-8 when every
//! byte is valid UTF-8, else whichever of UTF-8 and Shift_JIS finds fewer bytes it
//! cannot read (a UTF-8 BOM is only a hint, dropped either way). Bytes the chosen
//! encoding cannot read become U+FFFD and are reported at their line and column.
//!
//! Departments' files are not RFC 4180: a `"` is text unless it opens a field and is
//! closed at the field's end (`""` inside standing for one `"`). A field that opens a
//! quote and never closes it, or has text after its closing quote, is read as the text
//! it holds, up to its delimiter, with a warning at its cell: no quote ever swallows the
//! rows after it.

use super::grid::{Grid, Limits, Note};

/// Lines with unreadable bytes reported one by one; the rest are counted.
const BAD_LINES_SHOWN: usize = 20;
/// Fields with a doubtful quote reported one by one; the rest are counted (a file of
/// nothing but quotes costs a count, not a warning per byte).
const DOUBTFUL_SHOWN: usize = 100;

/// The two encodings a text table may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    ShiftJis,
}

impl Encoding {
    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::ShiftJis => "Shift_JIS",
        }
    }
}

/// The first unreadable byte sequence of `bytes` in `encoding`: (offset, length).
fn first_bad(bytes: &[u8], encoding: Encoding) -> Option<(usize, usize)> {
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(_) => None,
            Err(e) => {
                let at = e.valid_up_to();
                Some((at, e.error_len().unwrap_or(bytes.len() - at)))
            }
        },
        Encoding::ShiftJis => {
            let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
            let mut out = String::new();
            out.reserve(
                decoder
                    .max_utf8_buffer_length_without_replacement(bytes.len())
                    .unwrap_or(bytes.len().saturating_mul(3)),
            );
            let (result, read) =
                decoder.decode_to_string_without_replacement(bytes, &mut out, true);
            match result {
                encoding_rs::DecoderResult::Malformed(bad, after) => {
                    let end = read - usize::from(after);
                    let bad = usize::from(bad);
                    Some((end - bad, bad))
                }
                _ => None,
            }
        }
    }
}

/// How many unreadable sequences `bytes` holds in `encoding`, in one pass.
fn count_bad(bytes: &[u8], encoding: Encoding) -> usize {
    let mut n = 0;
    let mut rest = bytes;
    match encoding {
        Encoding::Utf8 => {
            while let Err(e) = std::str::from_utf8(rest) {
                n += 1;
                let at = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[at.max(1)..];
            }
        }
        Encoding::ShiftJis => {
            let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
            // a small buffer used again and again: the decoder stops when it is full
            let mut out = String::with_capacity(64 * 1024);
            loop {
                out.clear();
                let (result, read) =
                    decoder.decode_to_string_without_replacement(rest, &mut out, true);
                rest = &rest[read..];
                match result {
                    encoding_rs::DecoderResult::InputEmpty => break,
                    encoding_rs::DecoderResult::OutputFull => {}
                    encoding_rs::DecoderResult::Malformed(..) => n += 1,
                }
            }
        }
    }
    n
}

/// Decodes one piece (no BOM handling) with U+FFFD for unreadable bytes.
fn decode_piece(bytes: &[u8], encoding: Encoding, out: &mut String) {
    match encoding {
        Encoding::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
        Encoding::ShiftJis => {
            out.push_str(&encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes).0)
        }
    }
}

/// Text decoded, and where bytes could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    /// (0-based line, 0-based column, the bytes in hex) of each line's first
    /// unreadable bytes
    pub bad: Vec<(u32, u32, String)>,
    /// lines with unreadable bytes beyond those in `bad`
    pub more_bad_lines: usize,
}

/// Decodes text bytes, choosing the encoding on the whole file (see the module doc);
/// `delimiter` places unreadable bytes in their column.
pub fn decode(bytes: &[u8], delimiter: u8) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            encoding: Encoding::Utf8,
            bad: Vec::new(),
            more_bad_lines: 0,
        };
    }
    let encoding = if count_bad(bytes, Encoding::ShiftJis) < count_bad(bytes, Encoding::Utf8) {
        Encoding::ShiftJis
    } else {
        Encoding::Utf8
    };
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut bad = Vec::new();
    let mut more_bad_lines = 0;
    // `\n` is never part of a multi-byte character in either encoding
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        decode_piece(line, encoding, &mut text);
        if let Some((at, len)) = first_bad(line, encoding) {
            if bad.len() < BAD_LINES_SHOWN {
                let col = line[..at].iter().filter(|&&b| b == delimiter).count();
                let hex: Vec<String> = line[at..at + len.max(1)]
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect();
                bad.push((i as u32, col as u32, hex.join(" ")));
            } else {
                more_bad_lines += 1;
            }
        }
    }
    Decoded {
        text,
        encoding,
        bad,
        more_bad_lines,
    }
}

/// Reads delimited text into a grid; what was doubtful (an unclosed quote, unreadable
/// bytes) is in the grid's notes at its cell.
pub fn read_text(bytes: &[u8], extension: &str, limits: &Limits) -> Grid {
    let delimiter = sniff_delimiter(bytes, extension);
    let decoded = decode(bytes, delimiter);
    let mut grid = Grid::new(None);
    for (line, col, hex) in &decoded.bad {
        grid.notes.push((
            *line,
            *col,
            Note::BadBytes {
                encoding: decoded.encoding.name(),
                bytes: hex.clone(),
            },
        ));
    }
    if decoded.more_bad_lines > 0 {
        let (line, col, _) = decoded.bad.last().cloned().unwrap_or_default();
        grid.notes.push((
            line,
            col,
            Note::MoreBadBytes {
                lines: decoded.more_bad_lines,
            },
        ));
    }
    let mut doubtful = 0;
    let mut last = (0, 0);
    parse(&decoded.text, delimiter, |row, col, field| match field {
        Field::Text(text) => grid.set(row, col, text, false, limits),
        Field::Doubtful(text, kind) => {
            doubtful += 1;
            if doubtful <= DOUBTFUL_SHOWN {
                grid.notes.push((row, col, kind));
                last = (row, col);
            }
            grid.set(row, col, text, false, limits);
        }
    });
    if doubtful > DOUBTFUL_SHOWN {
        grid.notes.push((
            last.0,
            last.1,
            Note::MoreDoubtful {
                fields: doubtful - DOUBTFUL_SHOWN,
            },
        ));
    }
    grid
}

/// A field as read.
enum Field {
    Text(String),
    /// read as this text, with a warning
    Doubtful(String, Note),
}

/// Splits `text` into fields, calling `cell(line, column, field)` for each (line and
/// column 0-based; a record's line is the line it starts on).
fn parse(text: &str, delimiter: u8, mut cell: impl FnMut(u32, u32, Field)) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut line: u32 = 0;
    // the bytes looked through for quotes that did not close: once they add up to the
    // file's size, quoted fields are no longer looked for beyond their own line, so
    // the file is read in at most two passes whatever it holds
    let mut wasted = 0usize;
    let mut across_lines = true;
    // the end of an unquoted field starting at `from`, `\r` before `\n` left out
    let plain_end = |from: usize| -> (usize, usize) {
        let end = b[from..]
            .iter()
            .position(|&c| c == delimiter || c == b'\n')
            .map_or(n, |p| from + p);
        let text_end = if end > from && b[end - 1] == b'\r' && (end == n || b[end] == b'\n') {
            end - 1
        } else {
            end
        };
        (text_end, end)
    };
    while i < n {
        let record_line = line;
        let mut col: u32 = 0;
        loop {
            let next;
            if b[i..].first() == Some(&b'"') {
                match quoted(b, i + 1, delimiter, across_lines) {
                    Quoted::Closed { value, end, lines } => {
                        line += lines;
                        cell(record_line, col, Field::Text(value));
                        next = end;
                    }
                    Quoted::TextAfter => {
                        let (text_end, end) = plain_end(i);
                        let raw = text[i..text_end].to_string();
                        cell(record_line, col, Field::Doubtful(raw, Note::StrayQuote));
                        next = end;
                    }
                    Quoted::Unclosed { scanned } => {
                        wasted += scanned;
                        across_lines &= wasted <= n;
                        let (text_end, end) = plain_end(i);
                        let raw = text[i..text_end].to_string();
                        cell(record_line, col, Field::Doubtful(raw, Note::UnclosedQuote));
                        next = end;
                    }
                }
            } else {
                let (text_end, end) = plain_end(i);
                if text_end > i {
                    cell(record_line, col, Field::Text(text[i..text_end].to_string()));
                }
                next = end;
            }
            i = next;
            match b.get(i) {
                Some(&c) if c == delimiter => {
                    i += 1;
                    col += 1;
                }
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        // a file ending in a delimiter has one more empty field: nothing to keep
        if i >= n {
            break;
        }
    }
}

/// What a field opening with `"` turned out to be.
enum Quoted {
    /// closed at the field's end: its text, where the field ends (at the delimiter,
    /// line end or end of file), and how many line breaks it holds
    Closed {
        value: String,
        end: usize,
        lines: u32,
    },
    /// closed, but text follows the closing quote before the delimiter
    TextAfter,
    /// never closed, or closed lines later with a delimiter between or text after (a
    /// quote that was text, and a later one that happened to close it); `scanned`:
    /// the bytes looked through
    Unclosed { scanned: usize },
}

/// Reads a quoted field's text from `from` (just after its opening quote).
fn quoted(b: &[u8], from: usize, delimiter: u8, across_lines: bool) -> Quoted {
    let mut value = Vec::new();
    let mut j = from;
    let mut lines = 0;
    let mut delimiter_inside = false;
    while j < b.len() {
        match b[j] {
            b'"' if b.get(j + 1) == Some(&b'"') => {
                value.push(b'"');
                j += 2;
            }
            b'"' => {
                let after = j + 1;
                let ends = match b.get(after) {
                    None | Some(b'\n') => true,
                    Some(&c) if c == delimiter => true,
                    Some(b'\r') => matches!(b.get(after + 1), None | Some(b'\n')),
                    _ => false,
                };
                if lines > 0 && (!ends || delimiter_inside) {
                    return Quoted::Unclosed { scanned: j - from };
                }
                if !ends {
                    return Quoted::TextAfter;
                }
                let end = if b.get(after) == Some(&b'\r') {
                    after + 1
                } else {
                    after
                };
                // the quotes and delimiters are ASCII: the bytes between are whole
                // characters of the decoded text
                let value = String::from_utf8(value).unwrap_or_default();
                return Quoted::Closed { value, end, lines };
            }
            b'\n' if !across_lines => return Quoted::Unclosed { scanned: j - from },
            c => {
                if c == b'\n' {
                    lines += 1;
                }
                delimiter_inside |= c == delimiter;
                value.push(c);
                j += 1;
            }
        }
    }
    Quoted::Unclosed {
        scanned: b.len() - from,
    }
}

/// Tab or comma, from the first 30 lines' bytes (both are ASCII, never part of a
/// character in UTF-8 or Shift_JIS, so the bytes say what the text would).
fn sniff_delimiter(bytes: &[u8], extension: &str) -> u8 {
    let head = bytes
        .split(|&b| b == b'\n')
        .take(30)
        .fold((0usize, 0usize), |(t, c), line| {
            (
                t + line.iter().filter(|&&b| b == b'\t').count(),
                c + line.iter().filter(|&&b| b == b',').count(),
            )
        });
    let (tabs, commas) = head;
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

    fn read(text: &[u8], ext: &str) -> Grid {
        read_text(text, ext, &Limits::default())
    }

    #[test]
    fn shift_jis_and_utf8_give_the_same_cells() {
        let text = "担当課\t事務事業番号\n産学振興課\t432-5\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let a = read(text.as_bytes(), "txt");
        let b = read(&sjis, "txt");
        assert_eq!(a.text(1, 0), "産学振興課");
        assert_eq!(b.text(1, 0), "産学振興課");
        assert_eq!(b.text(1, 1), "432-5");
        assert!(a.notes.is_empty() && b.notes.is_empty());
    }

    #[test]
    fn quoted_line_breaks_stay_in_their_cell_and_rows_follow_lines() {
        let text = "a,b\n\"x\ny\",z\nlast,row\n";
        let g = read(text.as_bytes(), "csv");
        assert_eq!(g.text(1, 0), "x\ny");
        assert_eq!(g.text(1, 1), "z");
        assert_eq!(g.text(3, 0), "last");
        assert!(g.notes.is_empty());
    }

    #[test]
    fn an_unclosed_quote_is_text_and_the_rows_after_it_are_read() {
        let text = "a\tb\n\"open\tx\nc\td\n\"q\"\"r\"\te\n";
        let g = read(text.as_bytes(), "tsv");
        assert_eq!(g.text(1, 0), "\"open");
        assert_eq!(g.text(1, 1), "x");
        assert_eq!(g.text(2, 0), "c");
        assert_eq!(g.text(3, 0), "q\"r");
        assert_eq!(g.text(3, 1), "e");
        assert_eq!(g.notes, vec![(1, 0, Note::UnclosedQuote)]);
        // a quote inside a field is text; text after a closing quote is doubtful
        let g = read(b"ab\"c\t\"x\"y\n", "tsv");
        assert_eq!(g.text(0, 0), "ab\"c");
        assert_eq!(g.text(0, 1), "\"x\"y");
        assert_eq!(g.notes, vec![(0, 1, Note::StrayQuote)]);
        // a quote closed lines later with tabs between did not open a cell
        let g = read(b"a\t\"open\tx\nb\tc\nd\"\te\n", "tsv");
        assert_eq!(g.text(0, 1), "\"open");
        assert_eq!(g.text(1, 1), "c");
        assert_eq!(g.text(2, 0), "d\"");
        assert_eq!(g.notes, vec![(0, 1, Note::UnclosedQuote)]);
    }

    #[test]
    fn many_quotes_that_never_close_each_stay_on_their_line() {
        // every line opens a quote, the last closes one: no line takes the next ones
        let mut text = "\"a\tb\n".repeat(10_000);
        text.push_str("x\"\n");
        let g = read(text.as_bytes(), "tsv");
        assert_eq!(g.row_numbers().len(), 10_001);
        assert_eq!((g.text(0, 0), g.text(9_999, 1)), ("\"a", "b"));
        assert_eq!(g.text(10_000, 0), "x\"");
        assert_eq!(g.notes.len(), DOUBTFUL_SHOWN + 1);
        assert_eq!(
            g.notes.last(),
            Some(&(
                DOUBTFUL_SHOWN as u32 - 1,
                0,
                Note::MoreDoubtful {
                    fields: 10_000 - DOUBTFUL_SHOWN
                }
            ))
        );
    }

    #[test]
    fn blank_lines_keep_their_row_numbers() {
        let g = read(b"a\tb\n\n\r\nc\td\r\n\ne\n", "tsv");
        assert_eq!(g.text(3, 0), "c");
        assert_eq!(g.text(3, 1), "d");
        assert_eq!(g.text(5, 0), "e");
    }

    #[test]
    fn the_encoding_is_decided_on_the_whole_file() {
        // UTF-8 with one stray byte far after the start stays UTF-8
        let mut utf8 = "担当課\t番号\n".repeat(2000).into_bytes();
        utf8.extend(b"x\t\xFF\n");
        let d = decode(&utf8, b'\t');
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.text.starts_with("担当課\t番号\n"));
        assert_eq!(d.bad, vec![(2000, 1, "FF".to_string())]);
        // a BOM before Shift_JIS: Shift_JIS
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("担当課\t番号\n");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(sjis.iter());
        let d = decode(&bom, b'\t');
        assert_eq!(
            (d.encoding, d.text.as_str()),
            (Encoding::ShiftJis, "担当課\t番号\n")
        );
        // bad Shift_JIS is reported at its line
        let mut bad = sjis.repeat(3000);
        bad.extend(b"\x81\x20\n");
        let d = decode(&bad, b'\t');
        assert_eq!(d.encoding, Encoding::ShiftJis);
        assert_eq!(d.bad, vec![(3000, 0, "81".to_string())]);
    }
}
