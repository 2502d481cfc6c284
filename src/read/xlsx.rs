//! xlsx read straight from its XML, each part inflated once: the fast path.
//!
//! calamine reads a sheet through quick-xml's events with a copy of every tag, and gives
//! the merged areas only by parsing the sheet a second time; opening a workbook also
//! parses its fonts, fills and borders, which kpiroll never looks at. For 1,741 small
//! returns and a national book that was twice the cost of the cells themselves. Here each
//! part is inflated a chunk at a time and its tags found by byte search ([`tokens`]):
//! a sheet's cells, their number formats and its merged areas in one pass.
//!
//! It understands the SpreadsheetML that Excel, LibreOffice, openpyxl and rust_xlsxwriter
//! write. Anything else (a CDATA section, a DTD, an unknown entity or cell type, a part it
//! cannot find, a chart sheet) is [`Unsupported`], and the caller reads the file with
//! calamine instead ([`super::workbook`]), so an unusual file is read the old way, never
//! differently. What it yields is what calamine yields, cell for cell: the same texts
//! (shared strings with their rich-text runs joined and phonetic runs left out, `<t>`
//! trimmed unless `xml:space="preserve"`, `_xHHHH_` escapes decoded), the same numbers
//! shown through the same number formats, dates as their serial number; the tests compare
//! the two readers on every xlsx in `fixtures/` and on hand-written edge cases.

use std::io::{Cursor, Read};

use rustc_hash::FxHashMap;

use super::grid::{Budget, Grid, GridCell, Limits, Over};
use crate::numfmt;

/// Why this reader handed a file to calamine (never shown to a user: calamine then reads
/// the file, or says what is wrong with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

type Result<T> = std::result::Result<T, Unsupported>;

/// Every visible sheet of an xlsx/xlsm, as [`super::workbook::read_xlsx`] reads it.
///
/// # Errors
/// Anything this reader does not handle itself: read the file with calamine (which
/// [`vet`]s it first). A file this reader finds not well-formed or over a budget is
/// handed over too, and refused there: both readers refuse it alike.
pub fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Unsupported("not a zip"))?;
    let meter = Meter::new(limits);
    let book = workbook(&mut zip, &meter)?;
    let sheets: Vec<&Sheet> = book.sheets.iter().filter(|s| s.visible).collect();
    // what the sheets will inflate to, from the sizes the zip declares (the meter counts
    // what they really inflate to): twenty listings of one part read it twenty times
    let declared: u64 = sheets
        .iter()
        .map(|s| zip.by_name(&s.part).map_or(0, |p| p.size()))
        .sum();
    if declared > meter.0.get() {
        return Err(OVER_READ);
    }
    let (strings, strings_cost) = match zip.by_name("xl/sharedStrings.xml") {
        Ok(part) => shared_strings(part, limits, &meter)?,
        Err(zip::result::ZipError::FileNotFound) => (Vec::new(), 0),
        Err(_) => return Err(Unsupported("shared strings unreadable")),
    };
    let styles = match zip.by_name("xl/styles.xml") {
        Ok(part) => styles(part, &meter)?,
        Err(zip::result::ZipError::FileNotFound) => Styles::default(),
        Err(_) => return Err(Unsupported("styles unreadable")),
    };
    let mut grids: Vec<Grid> = Vec::new();
    let mut names = Some(book.names);
    for sheet in sheets {
        let part = zip
            .by_name(&sheet.part)
            .map_err(|_| Unsupported("sheet part missing"))?;
        let mut grid = match grids.last() {
            Some(before) => Grid::after(Some(sheet.name.clone()), before),
            None => {
                let mut first = Grid::new(Some(sheet.name.clone()));
                first.spent.bytes = strings_cost;
                first
            }
        };
        worksheet(part, &strings, &styles, limits, &meter, &mut grid)?;
        grid.workbook_names = names.take().unwrap_or_default();
        let over = grid.over.is_some();
        grids.push(grid);
        if over {
            break; // the file is refused there: the sheets after it are not read
        }
    }
    Ok(grids)
}

/// Why a workbook is refused before calamine reads it (see [`vet`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// a part that is not well-formed XML
    Malformed { part: String },
    /// shared strings beyond [`Limits::max_text_mib`]
    SharedStrings { part: String },
    /// the parts the sheets need inflate beyond [`Limits::max_read_mib`], all together
    Read { mib: u64 },
}

/// Checks what calamine would read of an xlsx before it does: every part it reads
/// (relationships, workbook, shared strings, styles, each sheet) is well-formed XML, the
/// sheets' parts inflate within [`Limits::max_read_mib`] together (a part listed for
/// two sheets counts twice), and the shared strings fit [`Limits::max_text_mib`], each
/// counted as its text and the 24 bytes of its slot. calamine reads unclosed tags,
/// `&#0;` and millions of empty strings as they come; this refuses them as kpiroll's own
/// reader does. Returns what the shared strings cost (the first sheet starts with it).
/// A zip it cannot open, or a part it cannot inflate, is left to calamine to name.
///
/// # Errors
/// The first part that is not well-formed or over a budget.
pub fn vet(bytes: &[u8], limits: &Limits) -> std::result::Result<u64, Refusal> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(0);
    };
    let max_read = limits.max_read_mib.saturating_mul(1 << 20);
    let malformed = |part: &str| Refusal::Malformed {
        part: part.to_string(),
    };
    // the sheets as the workbook lists them, hidden ones left out; when this reader
    // cannot tell them, every part that is a worksheet, once each
    let unlimited = Meter::unlimited();
    let listed: Vec<String> = match workbook(&mut zip, &unlimited) {
        Ok(book) => book
            .sheets
            .into_iter()
            .filter(|s| s.visible)
            .map(|s| s.part)
            .collect(),
        Err(MALFORMED) => {
            let part = [
                "_rels/.rels",
                "xl/_rels/workbook.xml.rels",
                "xl/workbook.xml",
            ]
            .into_iter()
            .find(|p| scan(&mut zip, p, &unlimited, |_| Ok(())) == Err(MALFORMED))
            .unwrap_or("xl/workbook.xml");
            return Err(malformed(part));
        }
        Err(_) => zip
            .file_names()
            .filter_map(std::result::Result::ok)
            .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
            .map(|n| n.to_string())
            .collect(),
    };
    let mut parts: Vec<String> = [
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/workbook.xml",
        "xl/styles.xml",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(listed.iter().cloned())
    .collect();
    parts.sort();
    parts.dedup();
    // what the zip declares, before anything is inflated
    let declared: u64 = listed
        .iter()
        .map(|p| zip.by_name(p).map_or(0, |f| f.size()))
        .sum();
    if declared > max_read {
        return Err(Refusal::Read {
            mib: declared >> 20,
        });
    }
    let mut sizes: FxHashMap<String, u64> = FxHashMap::default();
    let mut read = 0u64;
    for part in &parts {
        let meter = Meter(std::cell::Cell::new(max_read.saturating_sub(read)));
        match scan(&mut zip, part, &meter, |_| Ok(())) {
            Ok(size) => {
                read += size;
                sizes.insert(part.clone(), size);
            }
            Err(MALFORMED) => return Err(malformed(part)),
            Err(OVER_READ) => {
                return Err(Refusal::Read {
                    mib: (read >> 20) + 1,
                })
            }
            Err(_) => {} // missing, or not inflatable: calamine says what it finds
        }
    }
    let total: u64 = listed.iter().filter_map(|p| sizes.get(p)).sum();
    if total > max_read {
        return Err(Refusal::Read { mib: total >> 20 });
    }
    let part = "xl/sharedStrings.xml";
    let max_text = limits.max_text_mib.saturating_mul(1 << 20);
    let (mut count, mut text) = (0usize, 0u64);
    let meter = Meter(std::cell::Cell::new(max_read.saturating_sub(read)));
    let result = scan(&mut zip, part, &meter, |t| {
        match t {
            Token::Start { name, .. } if local(name) == b"si" => count += 1,
            Token::Text(t) => text += t.len() as u64,
            _ => {}
        };
        if strings_cost(count, text) > max_text {
            return Err(OVER_TEXT);
        }
        Ok(())
    });
    let cost = strings_cost(count, text);
    match result {
        Err(MALFORMED) => Err(malformed(part)),
        Err(OVER_TEXT) => Err(Refusal::SharedStrings {
            part: part.to_string(),
        }),
        Err(OVER_READ) => Err(Refusal::Read {
            mib: (read >> 20) + 1,
        }),
        _ => Ok(cost),
    }
}

/// Shared strings beyond [`Limits::max_text_mib`].
const OVER_TEXT: Unsupported = Unsupported("shared strings beyond the budget");

/// What a shared string costs besides its text (its slot in the list).
const STRING_BYTES: u64 = std::mem::size_of::<String>() as u64;

/// What `count` shared strings of `text` bytes cost: their text and the list's slots,
/// the room the list grows to included (it doubles), so the budget holds before it grows.
fn strings_cost(count: usize, text: u64) -> u64 {
    let room = if count == 0 {
        0
    } else {
        count.next_power_of_two().max(4) as u64
    };
    text + room * STRING_BYTES
}

/// Tokens of one part, CDATA read as text (as calamine reads it); the bytes inflated.
fn scan(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    meter: &Meter,
    f: impl FnMut(Token) -> Result<()>,
) -> Result<u64> {
    let part = zip
        .by_name(name)
        .map_err(|_| Unsupported("a part missing"))?;
    let size = part.size();
    let before = meter.0.get();
    let mut xml = Xml {
        cdata: true,
        ..Xml::default()
    };
    match chunked(part, size.clamp(4 << 10, 1 << 20), meter, &mut xml, f) {
        // another encoding than UTF-8 is calamine's to decode
        Err(Unsupported("an encoding other than UTF-8")) => {}
        other => other?,
    }
    Ok(before - meter.0.get())
}

// ---------------------------------------------------------------------------------------
// Tokens

/// One piece of XML: a tag (a self-closing one comes as `Start` then `End`, as calamine
/// sets its reader up) or the text between tags. Names keep their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Start { name: &'a [u8], attrs: &'a [u8] },
    End { name: &'a [u8] },
    Text(&'a [u8]),
}

/// Calls `f` with every token of the XML read from `reader`, a chunk at a time (a sheet
/// of 120 MB costs a buffer of a few MB). Declarations, processing instructions and
/// comments are passed over; CDATA and DTDs are [`Unsupported`]. What is not well-formed
/// XML is [`MALFORMED`]; every byte inflated is taken from `meter`.
fn tokens(
    reader: impl Read,
    size: u64,
    meter: &Meter,
    f: impl FnMut(Token) -> Result<()>,
) -> Result<()> {
    let mut xml = Xml::default();
    chunked(reader, size.clamp(4 << 10, 1 << 20), meter, &mut xml, f)
}

/// Not well-formed XML: a tag not closed or closed by another name, a character XML 1.0
/// does not allow (`&#0;`, a control character, U+FFFE), an unknown entity, a part that
/// stops inside a tag. A file with one is refused by both readers, never read halfway.
pub const MALFORMED: Unsupported = Unsupported("not well-formed XML");

/// How many bytes a file's parts may still inflate to, all parts together.
pub(crate) struct Meter(std::cell::Cell<u64>);

impl Meter {
    pub(crate) fn new(limits: &Limits) -> Meter {
        Meter(std::cell::Cell::new(
            limits.max_read_mib.saturating_mul(1 << 20),
        ))
    }

    fn unlimited() -> Meter {
        Meter(std::cell::Cell::new(u64::MAX))
    }

    fn take(&self, n: u64) -> Result<()> {
        let left = self.0.get();
        if n > left {
            return Err(OVER_READ);
        }
        self.0.set(left - n);
        Ok(())
    }
}

/// The parts read from one file inflate beyond [`Limits::max_read_mib`].
const OVER_READ: Unsupported = Unsupported("the parts read inflate beyond the budget");

/// What the tokenizer keeps from one chunk to the next: the elements open (their names,
/// one after the other), whether CDATA is read (as text) or handed over.
#[derive(Default)]
struct Xml {
    names: Vec<u8>,
    ends: Vec<usize>,
    cdata: bool,
    /// inside a comment or processing instruction longer than a chunk: its end (what
    /// came of it is passed over, not held)
    skipping: Option<&'static [u8]>,
}

impl Xml {
    fn open(&mut self, name: &[u8]) {
        self.names.extend_from_slice(name);
        self.ends.push(self.names.len());
    }

    fn close(&mut self, name: &[u8]) -> Result<()> {
        let end = self.ends.pop().ok_or(MALFORMED)?;
        let start = self.ends.last().copied().unwrap_or(0);
        if &self.names[start..end] != name {
            return Err(MALFORMED);
        }
        self.names.truncate(start);
        Ok(())
    }
}

/// [`tokens`], `chunk` bytes inflated at a time. A token longer than a chunk makes the
/// next read as long as what waits (so a 64 MB string is looked through a few times,
/// not once per chunk: linear, however long).
fn chunked(
    mut reader: impl Read,
    chunk: u64,
    meter: &Meter,
    xml: &mut Xml,
    mut f: impl FnMut(Token) -> Result<()>,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(2 * chunk as usize);
    loop {
        let want = chunk.max(buf.len() as u64);
        let n = (&mut reader)
            .take(want)
            .read_to_end(&mut buf)
            .map_err(|_| Unsupported("part cannot be inflated"))?;
        meter.take(n as u64)?;
        let last = n == 0;
        let used = walk(&buf, last, xml, &mut f)?;
        if last {
            return if used == buf.len() && xml.ends.is_empty() {
                Ok(())
            } else {
                Err(MALFORMED)
            };
        }
        buf.drain(..used);
    }
}

/// The tokens of `xml` that are complete; returns how many bytes they took (the rest
/// waits for the next chunk, unless `last`).
fn walk(
    xml: &[u8],
    last: bool,
    state: &mut Xml,
    f: &mut impl FnMut(Token) -> Result<()>,
) -> Result<usize> {
    let mut at = 0;
    if let Some(end) = state.skipping {
        match memchr::memmem::find(xml, end) {
            Some(i) => {
                at = i + end.len();
                state.skipping = None;
            }
            None if last => return Err(MALFORMED),
            None => return Ok(xml.len().saturating_sub(end.len() - 1)),
        }
    }
    while at < xml.len() {
        if xml[at] != b'<' {
            let text = match memchr::memchr(b'<', &xml[at..]) {
                Some(i) => &xml[at..at + i],
                None if last => &xml[at..],
                // a long text goes in pieces (a 200 MB string is never held twice)
                None => match text_piece(&xml[at..]) {
                    Some(piece) => piece,
                    None => return Ok(at),
                },
            };
            well_formed_text(text)?;
            f(Token::Text(text))?;
            at += text.len();
            continue;
        }
        let rest = &xml[at..];
        if rest.len() < 9 && !last {
            return Ok(at);
        }
        let skip_to = |end: &[u8]| memchr::memmem::find(rest, end).map(|i| i + end.len());
        if rest.starts_with(b"<?") {
            match skip_to(b"?>") {
                Some(n) => {
                    if !utf8_declared(&rest[..n]) {
                        return Err(Unsupported("an encoding other than UTF-8"));
                    }
                    at += n;
                }
                None if !utf8_declared(rest) => {
                    return Err(Unsupported("an encoding other than UTF-8"))
                }
                None => return skip_long(state, b"?>", xml, last),
            }
        } else if rest.starts_with(b"<!--") {
            match skip_to(b"-->") {
                Some(n) => at += n,
                None => return skip_long(state, b"-->", xml, last),
            }
        } else if rest.starts_with(b"<![CDATA[") && state.cdata {
            match skip_to(b"]]>") {
                Some(n) => {
                    let text = &rest[9..n - 3];
                    if !chars_allowed(text) {
                        return Err(MALFORMED);
                    }
                    at += n;
                }
                None => return incomplete(at, last),
            }
        } else if rest.starts_with(b"<![CDATA[") {
            return Err(Unsupported("CDATA"));
        } else if rest.starts_with(b"<!") {
            return Err(MALFORMED); // a DTD: never in a workbook (XXE, billion laughs)
        } else if rest.starts_with(b"</") {
            let Some(close) = memchr::memchr(b'>', rest) else {
                return incomplete(at, last);
            };
            let name = trim(&rest[2..close]);
            state.close(name)?;
            f(Token::End { name })?;
            at += close + 1;
        } else {
            let Some(close) = tag_end(rest) else {
                return incomplete(at, last);
            };
            let inner = &rest[1..close];
            let (inner, empty) = match inner.strip_suffix(b"/") {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let name_len = inner
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(inner.len());
            let name = &inner[..name_len];
            if name.is_empty() {
                return Err(MALFORMED);
            }
            let attrs = &inner[name_len..];
            well_formed_text(attrs)?;
            f(Token::Start { name, attrs })?;
            if empty {
                f(Token::End { name })?;
            } else {
                state.open(name);
            }
            at += close + 1;
        }
    }
    Ok(at)
}

/// The front of a text whose end has not come yet that can go as a token of its own: not
/// cutting a character, an entity or a `\r\n` in two; `None` while it is short.
fn text_piece(text: &[u8]) -> Option<&[u8]> {
    if text.len() < 1 << 16 {
        return None;
    }
    let mut cut = text.len();
    if let Some(amp) = memchr::memrchr(b'&', text) {
        if !text[amp..].contains(&b';') {
            cut = amp;
        }
    }
    while cut > 0 && (text[cut - 1] & 0xC0 == 0x80 || text[cut - 1] >= 0xC0) {
        // back to the first byte of the last character, then before it
        if text[cut - 1] >= 0xC0 {
            cut -= 1;
            break;
        }
        cut -= 1;
    }
    if cut > 0 && text[cut - 1] == b'\r' {
        cut -= 1;
    }
    (cut > 0).then(|| &text[..cut])
}

/// Text (or a tag's attributes) as XML 1.0 allows it: characters it allows, and `&`
/// only as an entity it knows or a reference to a character it allows.
fn well_formed_text(text: &[u8]) -> Result<()> {
    if !chars_allowed(text) {
        return Err(MALFORMED);
    }
    let mut rest = text;
    while let Some(i) = memchr::memchr(b'&', rest) {
        let end = memchr::memchr(b';', &rest[i..]).ok_or(MALFORMED)?;
        let name = std::str::from_utf8(&rest[i + 1..i + end]).map_err(|_| MALFORMED)?;
        entity(name)?;
        rest = &rest[i + end + 1..];
    }
    Ok(())
}

/// Whether every character of `bytes` is one XML 1.0 allows (tab, line feed, carriage
/// return and U+0020 on, but not U+FFFE and U+FFFF), the bytes UTF-8.
fn chars_allowed(bytes: &[u8]) -> bool {
    if bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return false;
    }
    if bytes.is_ascii() {
        return true;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    !text.contains(['\u{FFFE}', '\u{FFFF}'])
}

/// Whether a processing instruction (the XML declaration) leaves the text UTF-8.
fn utf8_declared(pi: &[u8]) -> bool {
    let Some(i) = memchr::memmem::find(pi, b"encoding=") else {
        return true;
    };
    // a declaration cut short before its value says nothing yet
    let value = pi.get(i + 10..).unwrap_or_default();
    value.len() < 5 || value[..5].eq_ignore_ascii_case(b"utf-8")
}

/// A comment or processing instruction that goes on past `xml`: passed over from here
/// (all but the bytes that could begin its `end`), the rest in the chunks to come.
fn skip_long(state: &mut Xml, end: &'static [u8], xml: &[u8], last: bool) -> Result<usize> {
    if last {
        return Err(MALFORMED);
    }
    state.skipping = Some(end);
    Ok(xml.len() - (end.len() - 1))
}

fn incomplete(at: usize, last: bool) -> Result<usize> {
    if last {
        Err(MALFORMED)
    } else {
        Ok(at)
    }
}

/// The `>` that ends the start tag at the front of `xml` (not one inside a quoted value).
fn tag_end(xml: &[u8]) -> Option<usize> {
    let mut at = 1;
    loop {
        let i = at + memchr::memchr3(b'>', b'"', b'\'', &xml[at..])?;
        if xml[i] == b'>' {
            return Some(i);
        }
        let quote = xml[i];
        at = i + 1 + memchr::memchr(quote, &xml[i + 1..])? + 1;
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// A name without its namespace prefix (`x:c` → `c`).
fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Calls `f` with each attribute's name (as written) and raw value.
fn attributes<'a>(attrs: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) -> Result<()> {
    let bad = Unsupported("a malformed attribute");
    let mut rest = attrs.trim_ascii_start();
    while !rest.is_empty() {
        let eq = memchr::memchr(b'=', rest).ok_or(bad)?;
        let name = trim(&rest[..eq]);
        let after = rest[eq + 1..].trim_ascii_start();
        let quote = *after.first().ok_or(bad)?;
        if quote != b'"' && quote != b'\'' {
            return Err(bad);
        }
        let end = memchr::memchr(quote, &after[1..]).ok_or(bad)?;
        if name.is_empty() {
            return Err(bad);
        }
        f(name, &after[1..1 + end]);
        rest = after[end + 2..].trim_ascii_start();
    }
    Ok(())
}

/// The raw value of the attribute named `key` (exactly as written).
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>> {
    let mut found = None;
    attributes(attrs, |name, value| {
        if name == key && found.is_none() {
            found = Some(value);
        }
    })?;
    Ok(found)
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Unsupported("text that is not UTF-8"))
}

/// Appends XML text with its entities decoded; `eols`: line ends as XML 1.0 reads them
/// (`\r\n` and a lone `\r` become `\n`), as calamine's text has them (its attributes do
/// not).
fn push_text(raw: &[u8], eols: bool, out: &mut String) -> Result<()> {
    let text = utf8(raw)?;
    if !(text.contains('&') || eols && text.contains('\r')) {
        out.push_str(text);
        return Ok(());
    }
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' && eols {
            out.push('\n');
            rest = rest[i + 1..].strip_prefix('\n').unwrap_or(&rest[i + 1..]);
            continue;
        } else if rest.as_bytes()[i] == b'\r' {
            out.push('\r');
            rest = &rest[i + 1..];
            continue;
        }
        let end = rest[i..]
            .find(';')
            .ok_or(Unsupported("an unfinished entity"))?;
        out.push(entity(&rest[i + 1..i + end])?);
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// The character an entity or character reference names: one of XML's five, or a
/// character XML 1.0 allows (`&#0;` is not one: [`MALFORMED`], as an unknown name is).
fn entity(name: &str) -> Result<char> {
    let unknown = MALFORMED;
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code = match name.strip_prefix("#x") {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => name.strip_prefix('#').ok_or(unknown)?.parse(),
            };
            let c = char::from_u32(code.map_err(|_| unknown)?).ok_or(unknown)?;
            let mut utf8 = [0; 4];
            if !chars_allowed(c.encode_utf8(&mut utf8).as_bytes()) {
                return Err(unknown);
            }
            c
        }
    })
}

/// An attribute's value as text (entities decoded).
fn attr_text(raw: &[u8]) -> Result<String> {
    let mut out = String::new();
    push_text(raw, false, &mut out)?;
    Ok(out)
}

/// Excel's escapes of characters XML cannot hold (`_x000D_` for a carriage return, a
/// pair of them for a character beyond U+FFFF, `_x005F_` for a `_` that would read as
/// one); a lone surrogate becomes U+FFFD, as calamine reads it.
fn unescape_excel(text: String) -> String {
    if !text.contains("_x") {
        return text;
    }
    let unit_at = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while let Some(off) = text[i..].find('_') {
        let at = i + off;
        let Some(unit) = unit_at(&text, at) else {
            i = at + 1;
            continue;
        };
        out.push_str(&text[copied..at]);
        let mut next = at + 7;
        let c = match unit {
            0xD800..=0xDBFF => match unit_at(&text, next) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    next += 7;
                    char::from_u32(
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    )
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = next;
        i = next;
    }
    out.push_str(&text[copied..]);
    out
}

// ---------------------------------------------------------------------------------------
// Rich text: a shared string (`<si>`) or an inline one (`<is>`)

/// Gathers the text of an `<si>` or `<is>`: every `<t>` outside a phonetic run
/// (`<rPh>`, the furigana), each trimmed of ASCII white space unless it keeps its space
/// (`xml:space="preserve"`), with Excel's escapes decoded.
#[derive(Default)]
struct RichText {
    out: String,
    /// inside a `<t>`: its text so far, and whether it keeps its space
    piece: Option<(String, bool)>,
    phonetic: bool,
}

impl RichText {
    fn token(&mut self, token: Token) -> Result<()> {
        match token {
            Token::Start { name, attrs } => match local(name) {
                b"rPh" => self.phonetic = true,
                b"t" if !self.phonetic && self.piece.is_none() => {
                    let preserve = attr(attrs, b"xml:space")? == Some(b"preserve");
                    self.piece = Some((String::new(), preserve));
                }
                _ => {}
            },
            Token::End { name } => match local(name) {
                b"rPh" => self.phonetic = false,
                b"t" => {
                    if let Some((text, preserve)) = self.piece.take() {
                        let text = if preserve { text } else { trim_owned(text) };
                        let text = unescape_excel(text);
                        if self.out.is_empty() {
                            self.out = text; // the one piece of most strings: not copied
                        } else {
                            self.out.push_str(&text);
                        }
                    }
                }
                _ => {}
            },
            Token::Text(raw) => {
                if let Some((text, _)) = &mut self.piece {
                    push_text(raw, true, text)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> String {
        self.out
    }

    /// The text gathered so far, in bytes.
    fn len(&self) -> usize {
        self.out.len() + self.piece.as_ref().map_or(0, |(p, _)| p.len())
    }
}

/// `text` without ASCII white space at either end, in place (a long text is not copied).
fn trim_owned(mut text: String) -> String {
    let blank = [' ', '\t', '\r', '\n'];
    let end = text.trim_end_matches(blank).len();
    text.truncate(end);
    let start = text.len() - text.trim_start_matches(blank).len();
    text.drain(..start);
    text
}

/// The shared strings, in order, and what they cost: each string's text and its slot
/// ([`STRING_BYTES`]), within [`Limits::max_text_mib`] (fifty million empty `<si/>`
/// would hold 1.2 GB of slots).
fn shared_strings(part: impl Read, limits: &Limits, meter: &Meter) -> Result<(Vec<String>, u64)> {
    let mut strings = Vec::new();
    let mut in_sst = false;
    let mut closed = false;
    let mut current: Option<RichText> = None;
    let mut text_bytes = 0u64;
    let max = limits.max_text_mib.saturating_mul(1 << 20);
    tokens(part, 0, meter, |token| {
        if let Some(rich) = &mut current {
            if let Token::End { name } = token {
                if local(name) == b"si" {
                    let text = current.take().expect("in a string").finish();
                    text_bytes += text.len() as u64;
                    if strings_cost(strings.len() + 1, text_bytes) > max {
                        return Err(OVER_TEXT);
                    }
                    strings.push(text);
                    return Ok(());
                }
            }
            rich.token(token)?;
            // a string of 200 MB is refused as it grows, not once it is whole
            if strings_cost(strings.len() + 1, text_bytes + rich.len() as u64) > max {
                return Err(OVER_TEXT);
            }
            return Ok(());
        }
        match token {
            Token::Start { name, attrs } if local(name) == b"sst" => {
                in_sst = true;
                if let Some(n) = attr(attrs, b"uniqueCount")? {
                    if let Ok(n) = utf8(n)?.parse::<usize>() {
                        strings.reserve(n.min(1 << 20));
                    }
                }
            }
            Token::Start { name, .. } if in_sst && local(name) == b"si" => {
                current = Some(RichText::default());
            }
            Token::End { name } if in_sst && local(name) == b"sst" => closed = true,
            _ => {}
        }
        Ok(())
    })?;
    if !closed {
        return Err(Unsupported("shared strings not closed"));
    }
    let cost = strings_cost(strings.len(), text_bytes);
    Ok((strings, cost))
}

// ---------------------------------------------------------------------------------------
// Styles: each cell format's number format

/// Per cell format (`s` of a cell): its number format code, and whether calamine takes
/// numbers in it for dates (they are then shown as the serial number, in General).
#[derive(Debug, Default)]
struct Styles {
    formats: Vec<(String, bool)>,
}

impl Styles {
    /// The text a number shows in cell format `style`. A cell without `s` shows in the
    /// first format's code but is never a date; a format that is not there is General
    /// (as kpiroll's calamine path reads them).
    fn render(&self, x: f64, style: Option<usize>) -> String {
        match self.formats.get(style.unwrap_or(0)) {
            Some((_, true)) if style.is_some() => numfmt::general(x),
            Some((code, _)) => numfmt::render(x, code),
            None => numfmt::general(x),
        }
    }
}

fn styles(part: impl Read, meter: &Meter) -> Result<Styles> {
    let mut custom: FxHashMap<String, String> = FxHashMap::default();
    let mut formats = Vec::new();
    let mut in_num_fmts = false;
    let mut in_cell_xfs = false;
    tokens(part, 0, meter, |token| {
        match token {
            Token::Start { name, attrs } => match local(name) {
                b"numFmts" => in_num_fmts = true,
                b"cellXfs" => in_cell_xfs = true,
                b"numFmt" if in_num_fmts => {
                    if let (Some(id), Some(code)) =
                        (attr(attrs, b"numFmtId")?, attr(attrs, b"formatCode")?)
                    {
                        custom.insert(utf8(id)?.to_string(), attr_text(code)?);
                    }
                }
                b"xf" if in_cell_xfs => {
                    let id = attr(attrs, b"numFmtId")?.map(utf8).transpose()?;
                    let date = id.is_some_and(|id| match custom.get(id) {
                        Some(code) => is_date_format(code),
                        None => is_builtin_date(id),
                    });
                    let code = id
                        .and_then(|id| id.parse::<u32>().ok().map(|n| (id, n)))
                        .and_then(|(id, n)| {
                            custom
                                .get(id)
                                .cloned()
                                .or_else(|| builtin_code(n).map(str::to_string))
                        })
                        .unwrap_or_else(|| "General".to_string());
                    formats.push((code, date));
                }
                _ => {}
            },
            Token::End { name } => match local(name) {
                b"numFmts" => in_num_fmts = false,
                b"cellXfs" => in_cell_xfs = false,
                _ => {}
            },
            Token::Text(_) => {}
        }
        Ok(())
    })?;
    Ok(Styles { formats })
}

/// Whether numbers in a format of this code are dates or times, by calamine's rule: in
/// the first section, outside quotes, brackets and escaped characters, a date or time
/// letter (`d m h y s`, or after an `AM/PM` marker's `a`, one of `m p /`), or an elapsed
/// time (`[h]`, `[mm]`, `[ss]`).
fn is_date_format(code: &str) -> bool {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut elapsed = false;
    let mut am = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if quoted {
            quoted = c != '"';
        } else {
            match c {
                '_' | '\\' | '*' => escaped = true,
                '"' => quoted = true,
                ';' => return false,
                '[' => brackets = brackets.saturating_add(1),
                ']' if brackets == 1 && elapsed => return true,
                ']' => brackets = brackets.saturating_sub(1),
                'a' | 'A' if !am && brackets == 0 => am = true,
                'p' | 'm' | '/' | 'P' | 'M' if am && brackets == 0 => return true,
                'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S'
                    if !am && brackets == 0 =>
                {
                    return true
                }
                _ => {
                    if !(elapsed && c.eq_ignore_ascii_case(&prev)) {
                        elapsed = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                    }
                }
            }
        }
        prev = c;
    }
    false
}

/// The built-in number formats that are dates or times (ECMA-376 18.8.30, and the East
/// Asian ones, which vary by locale).
fn is_builtin_date(id: &str) -> bool {
    matches!(id.parse::<u32>(), Ok(14..=22 | 27..=36 | 45..=47 | 50..=58))
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
}

/// The code of a built-in number format (ECMA-376 18.8.30).
fn builtin_code(id: u32) -> Option<&'static str> {
    Some(match id {
        0 => "General",
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        41 => "_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)",
        42 => "_($* #,##0_);_($* (#,##0);_($* \"-\"_);_(@_)",
        43 => "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)",
        44 => "_($* #,##0.00_);_($* (#,##0.00);_($* \"-\"??_);_(@_)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// The workbook: its sheets and defined names

struct Sheet {
    name: String,
    visible: bool,
    part: String,
}

struct Book {
    sheets: Vec<Sheet>,
    names: Vec<(String, String)>,
}

fn small_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    meter: &Meter,
) -> Result<Vec<u8>> {
    let mut part = zip
        .by_name(name)
        .map_err(|_| Unsupported("a part missing"))?;
    let mut bytes = Vec::new();
    (&mut part)
        .take((64 << 20) + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Unsupported("part cannot be inflated"))?;
    meter.take(bytes.len() as u64)?;
    if bytes.len() > 64 << 20 {
        return Err(Unsupported("a workbook part beyond 64 MiB"));
    }
    Ok(bytes)
}

fn workbook(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, meter: &Meter) -> Result<Book> {
    // the workbook where Excel puts it: any other place is calamine's to find
    let root = small_part(zip, "_rels/.rels", meter)?;
    let mut main = None;
    tokens(&root[..], 0, &Meter::unlimited(), |t| {
        if let Token::Start { name, attrs } = t {
            if local(name) == b"Relationship"
                && attr(attrs, b"Type")?.is_some_and(|t| t.ends_with(b"/officeDocument"))
            {
                main = attr(attrs, b"Target")?.map(<[u8]>::to_vec);
            }
        }
        Ok(())
    })?;
    if !matches!(
        main.as_deref(),
        Some(b"xl/workbook.xml" | b"/xl/workbook.xml")
    ) {
        return Err(Unsupported("the workbook is not xl/workbook.xml"));
    }
    let rels = small_part(zip, "xl/_rels/workbook.xml.rels", meter)?;
    let mut targets: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = Vec::new(); // id, type, target
    tokens(&rels[..], 0, &Meter::unlimited(), |t| {
        if let Token::Start { name, attrs } = t {
            if local(name) == b"Relationship" {
                if let Some(id) = attr(attrs, b"Id")? {
                    let typ = attr(attrs, b"Type")?.unwrap_or_default();
                    let target = attr(attrs, b"Target")?.unwrap_or_default();
                    targets.push((id.to_vec(), typ.to_vec(), target.to_vec()));
                }
            }
        }
        Ok(())
    })?;
    let xml = small_part(zip, "xl/workbook.xml", meter)?;
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    // inside a definedName: its name and text so far
    let mut defined: Option<(String, String)> = None;
    let mut closed = false;
    tokens(&xml[..], 0, &Meter::unlimited(), |t| {
        match t {
            Token::Start { name, attrs } if local(name) == b"sheet" => {
                let (mut sheet, mut state, mut id) = (None, None, None);
                attributes(attrs, |key, value| match key {
                    b"name" => sheet = Some(value),
                    b"state" => state = Some(value),
                    _ if local(key) == b"id" => id = Some(value),
                    _ => {}
                })?;
                let visible = match state {
                    None | Some(b"visible") => true,
                    Some(b"hidden" | b"veryHidden") => false,
                    Some(_) => return Err(Unsupported("an unknown sheet state")),
                };
                let (_, typ, target) = targets
                    .iter()
                    .find(|(i, _, _)| Some(i.as_slice()) == id)
                    .ok_or(Unsupported("a sheet without its relationship"))?;
                if !typ.ends_with(b"/worksheet") {
                    return Err(Unsupported("a chart or dialog sheet"));
                }
                let target = utf8(target)?;
                let part = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                sheets.push(Sheet {
                    name: attr_text(sheet.unwrap_or_default())?,
                    visible,
                    part,
                });
            }
            Token::Start { name, attrs } if local(name) == b"definedName" => {
                if let Some(n) = attr(attrs, b"name")? {
                    defined = Some((attr_text(n)?, String::new()));
                }
            }
            Token::Text(raw) => {
                if let Some((_, text)) = &mut defined {
                    push_text(raw, true, text)?;
                }
            }
            Token::End { name } if local(name) == b"definedName" => {
                names.extend(defined.take());
            }
            Token::End { name } if local(name) == b"workbook" => closed = true,
            _ => {}
        }
        Ok(())
    })?;
    if !closed {
        return Err(Unsupported("the workbook not closed"));
    }
    Ok(Book { sheets, names })
}

// ---------------------------------------------------------------------------------------
// A worksheet: its cells and merged areas

/// A cell's `t`: what its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `n`, or no `t`
    Number {
        typed: bool,
    },
    Shared,
    Bool,
    Error,
    /// `str`: a formula's text result
    FormulaText,
    /// `d`: an ISO 8601 date
    Date,
    /// `inlineStr` (`is`): the text is in `<is>`, not `<v>`
    Inline,
}

fn kind(t: Option<&[u8]>) -> Result<Kind> {
    Ok(match t {
        None => Kind::Number { typed: false },
        Some(b"n") => Kind::Number { typed: true },
        Some(b"s") => Kind::Shared,
        Some(b"b") => Kind::Bool,
        Some(b"e") => Kind::Error,
        Some(b"str") => Kind::FormulaText,
        Some(b"d") => Kind::Date,
        Some(b"inlineStr" | b"is") => Kind::Inline,
        Some(_) => return Err(Unsupported("an unknown cell type")),
    })
}

/// The cell being read.
struct Cell {
    at: (u32, u32),
    style: Option<usize>,
    kind: Kind,
    value: Option<GridCell>,
}

/// Where in a cell the reader is.
enum InCell {
    Nothing,
    /// `<v>` of a plain value (number, shared string, boolean, error): whether its text
    /// came (calamine takes the first text as it is)
    Plain {
        got: bool,
    },
    /// `<v>` of a text value (`str`, `d`): its text so far, entities decoded
    Text(String),
    Formula,
    Inline(RichText),
}

/// A cell position as Excel writes it (`AB12`), 0-based (row, column).
fn cell_ref(r: &[u8]) -> Result<(u32, u32)> {
    let bad = Unsupported("a cell reference");
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (col, row) = r.split_at(letters);
    if col.is_empty() || col.len() > 3 || row.is_empty() || row.len() > 7 {
        return Err(bad);
    }
    let col = col.iter().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    Ok((row_number(row)?, col - 1))
}

/// A row's `r` (1-based) as a 0-based row.
fn row_number(r: &[u8]) -> Result<u32> {
    let bad = Unsupported("a row number");
    if r.is_empty() || r.len() > 7 || !r.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    let n = r.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    n.checked_sub(1).ok_or(bad)
}

fn index(bytes: &[u8]) -> Result<usize> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Unsupported("an index"));
    }
    Ok(bytes
        .iter()
        .fold(0usize, |n, b| n * 10 + usize::from(b - b'0')))
}

fn text_cell(text: String) -> GridCell {
    GridCell {
        text,
        error: false,
        number: None,
    }
}

/// The cell a `<v>`'s text makes, read as calamine reads it.
fn value(kind: Kind, style: Option<usize>, v: &str, cx: &Context) -> Result<Option<GridCell>> {
    Ok(match kind {
        Kind::Inline => None,
        Kind::FormulaText => Some(text_cell(unescape_excel(v.to_string()))),
        Kind::Date => Some(text_cell(v.to_string())),
        _ if v.is_empty() => None,
        Kind::Shared => {
            let s = cx
                .strings
                .get(index(v.as_bytes())?)
                .ok_or(Unsupported("a shared string that is not there"))?;
            Some(text_cell(s.clone()))
        }
        Kind::Bool => match v.trim() {
            "" => None,
            "1" | "true" => Some(text_cell("TRUE".to_string())),
            "0" | "false" => Some(text_cell("FALSE".to_string())),
            _ => return Err(Unsupported("a boolean")),
        },
        // any error Excel shows (`#SPILL!`, `#CALC!` of dynamic arrays, `#GETTING_DATA`,
        // ones to come) is an error value; calamine knows only the seven classic ones
        Kind::Error if v.starts_with('#') && v.len() <= 32 => Some(GridCell {
            text: v.to_string(),
            error: true,
            number: None,
        }),
        Kind::Error => return Err(Unsupported("an error value that is not one")),
        Kind::Number { typed } => {
            let plain = v
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            // an untyped cell's text that is no number is that text; anything with a
            // letter (`inf`, `NaN`) is read as calamine reads it
            match v.parse::<f64>() {
                Ok(x) if plain => Some(GridCell {
                    text: cx.styles.render(x, style),
                    error: false,
                    number: Some(x),
                }),
                _ if !typed && !plain && !v.bytes().any(|b| b.is_ascii_alphabetic()) => {
                    Some(text_cell(v.to_string()))
                }
                _ => return Err(Unsupported("a number")),
            }
        }
    })
}

struct Context<'a> {
    strings: &'a [String],
    styles: &'a Styles,
}

fn worksheet(
    part: zip::read::ZipFile<'_, Cursor<&[u8]>>,
    strings: &[String],
    styles: &Styles,
    limits: &Limits,
    meter: &Meter,
    grid: &mut Grid,
) -> Result<()> {
    let size = part.size();
    let cx = Context { strings, styles };
    let mut in_data = false;
    let mut seen_data = false;
    let (mut row, mut col) = (0u32, 0u32);
    let mut cell: Option<Cell> = None;
    let mut inside = InCell::Nothing;
    let mut areas = Vec::new();
    tokens(part, size, meter, |token| {
        if let Some(c) = &mut cell {
            return match (&mut inside, token) {
                (InCell::Inline(_), Token::End { name }) if local(name) == b"is" => {
                    if let InCell::Inline(rich) = std::mem::replace(&mut inside, InCell::Nothing) {
                        c.value = Some(text_cell(rich.finish()));
                    }
                    Ok(())
                }
                (InCell::Inline(rich), t) => {
                    rich.token(t)?;
                    within_text(grid, c.at, rich.len(), limits)
                }
                (InCell::Formula, Token::End { name }) if local(name) == b"f" => {
                    inside = InCell::Nothing;
                    Ok(())
                }
                (InCell::Formula, _) => Ok(()),
                (InCell::Plain { got }, Token::Text(raw)) => {
                    if *got {
                        return Err(Unsupported("a plain value in pieces"));
                    }
                    if raw.contains(&b'&') {
                        return Err(Unsupported("an entity in a plain value"));
                    }
                    *got = true;
                    c.value = value(c.kind, c.style, utf8(raw)?, &cx)?;
                    Ok(())
                }
                (InCell::Text(text), Token::Text(raw)) => {
                    push_text(raw, true, text)?;
                    within_text(grid, c.at, text.len(), limits)
                }
                (InCell::Plain { got }, Token::End { name }) if local(name) == b"v" => {
                    if !*got {
                        c.value = None;
                    }
                    inside = InCell::Nothing;
                    Ok(())
                }
                (InCell::Text(text), Token::End { name }) if local(name) == b"v" => {
                    c.value = value(c.kind, c.style, text, &cx)?;
                    inside = InCell::Nothing;
                    Ok(())
                }
                (InCell::Plain { .. } | InCell::Text(_), Token::Start { .. }) => {
                    Err(Unsupported("markup inside a value"))
                }
                (InCell::Plain { .. } | InCell::Text(_), Token::End { .. }) => Ok(()),
                (InCell::Nothing, Token::Start { name, .. }) => {
                    inside = match local(name) {
                        b"v" if matches!(c.kind, Kind::FormulaText | Kind::Date) => {
                            InCell::Text(String::new())
                        }
                        b"v" => InCell::Plain { got: false },
                        b"f" => {
                            c.value = None;
                            InCell::Formula
                        }
                        b"is" => InCell::Inline(RichText::default()),
                        _ => return Err(Unsupported("an unknown element in a cell")),
                    };
                    Ok(())
                }
                (InCell::Nothing, Token::End { name }) if local(name) == b"c" => {
                    let c = cell.take().expect("in a cell");
                    col = c.at.1 + 1;
                    if let Some(value) = c.value {
                        grid.put(c.at.0, c.at.1, value, limits);
                        if grid.over.is_some() {
                            return Err(OVER_TEXT);
                        }
                    }
                    Ok(())
                }
                (InCell::Nothing, _) => Ok(()),
            };
        }
        match token {
            Token::Start { name, attrs } => match local(name) {
                b"sheetData" => {
                    in_data = true;
                    seen_data = true;
                }
                b"row" if in_data => {
                    if let Some(r) = attr(attrs, b"r")? {
                        row = row_number(r)?;
                    }
                }
                b"c" if in_data => {
                    let (mut r, mut s, mut t) = (None, None, None);
                    attributes(attrs, |key, value| match key {
                        b"r" => r = Some(value),
                        b"s" => s = Some(value),
                        b"t" => t = Some(value),
                        _ => {}
                    })?;
                    let at = match r {
                        Some(r) => cell_ref(r)?,
                        None => (row, col),
                    };
                    cell = Some(Cell {
                        at,
                        style: s.map(index).transpose()?,
                        kind: kind(t)?,
                        value: None,
                    });
                    inside = InCell::Nothing;
                }
                b"mergeCell" if !in_data => {
                    if let Some(area) = attr(attrs, b"ref")?.and_then(parse_area) {
                        areas.push(area);
                    }
                }
                _ => {}
            },
            Token::End { name } => match local(name) {
                b"row" if in_data => {
                    row += 1;
                    col = 0;
                }
                b"sheetData" => in_data = false,
                _ => {}
            },
            Token::Text(_) => {}
        }
        Ok(())
    })
    .or_else(|e| match e {
        OVER_TEXT if grid.over.is_some() => Ok(()),
        e => Err(e),
    })?;
    if grid.over.is_some() {
        return Ok(()); // refused at the cell that went over: the rest is not read
    }
    if !seen_data || in_data || cell.is_some() {
        return Err(Unsupported("no sheetData, or one not closed"));
    }
    for (first, last) in areas {
        grid.merge(first, last, limits);
    }
    Ok(())
}

/// Stops reading a sheet whose cell, `bytes` long so far, takes the file over its text
/// budget (a cell of 200 MB is not gathered whole before it is refused).
fn within_text(grid: &mut Grid, at: (u32, u32), bytes: usize, limits: &Limits) -> Result<()> {
    if grid.spent.bytes + bytes as u64 > limits.max_text_mib.saturating_mul(1 << 20) {
        grid.over = Some(Over {
            at,
            budget: Budget::Text,
        });
        return Err(OVER_TEXT);
    }
    Ok(())
}

/// A merged area: its first and last (row, column), 0-based.
type Area = ((u32, u32), (u32, u32));

/// `B3:D7` (or `B3` alone, or `$B$3:$D$7`) → ((2, 1), (6, 3)).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token of `xml` read in chunks of `chunk` bytes, as text.
    fn all_tokens(xml: &[u8], chunk: usize) -> Result<Vec<String>> {
        let mut out = Vec::new();
        chunked(
            xml,
            chunk as u64,
            &Meter::unlimited(),
            &mut Xml::default(),
            |t| {
                out.push(match t {
                    Token::Start { name, attrs } => format!(
                        "<{}|{}>",
                        String::from_utf8_lossy(name),
                        String::from_utf8_lossy(attrs.trim_ascii())
                    ),
                    Token::End { name } => format!("</{}>", String::from_utf8_lossy(name)),
                    Token::Text(t) => String::from_utf8_lossy(t).to_string(),
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn tokens_are_the_same_wherever_the_chunks_are_cut() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?><!-- a < comment --><a x="1>2" y='q"'><b/>text &amp; more</a>"#;
        let whole = all_tokens(xml, xml.len()).unwrap();
        assert_eq!(
            whole,
            vec![
                r#"<a|x="1>2" y='q"'>"#,
                "<b|>",
                "</b>",
                "text &amp; more",
                "</a>"
            ]
        );
        for chunk in 1..xml.len() {
            assert_eq!(all_tokens(xml, chunk).unwrap(), whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn what_is_not_well_formed_is_refused_wherever_the_chunks_are_cut() {
        for xml in [
            &b"<a><t>x</a>"[..],                     // a tag closed by another name
            b"<a><t>x</t>",                          // the root not closed
            b"<a>x&#0;y</a>",                        // a character XML does not allow
            b"<a>x&#xFFFE;</a>",                     // nor this one
            b"<a>x\x01y</a>",                        // nor raw
            "<a>x\u{FFFF}</a>".as_bytes(),           // nor this raw
            b"<a b=\"&nbsp;\"/>",                    // an entity without a DTD
            b"<a>x &amp y</a>",                      // an entity not finished
            b"<!DOCTYPE a [<!ENTITY e \"x\">]><a/>", // a DTD
            b"<a><!-- not closed </a>",
        ] {
            for chunk in [1, 3, 64] {
                assert_eq!(
                    all_tokens(xml, chunk),
                    Err(MALFORMED),
                    "{} in chunks of {chunk}",
                    String::from_utf8_lossy(xml)
                );
            }
        }
    }

    #[test]
    fn a_long_text_comes_in_pieces_that_join_into_it() {
        // a text longer than a chunk, with characters, entities and line ends that must
        // not be cut in two: the pieces join into what one piece would have been
        let body = "円&amp;x\r\n".repeat(40_000);
        let xml = format!("<a><!--{}--><t>{body}</t></a>", "c".repeat(200_000));
        let text = |chunk: usize| {
            let mut pieces = Vec::new();
            chunked(
                xml.as_bytes(),
                chunk as u64,
                &Meter::unlimited(),
                &mut Xml::default(),
                |t| {
                    if let Token::Text(t) = t {
                        pieces.push(t.to_vec());
                    }
                    Ok(())
                },
            )
            .unwrap();
            pieces
        };
        for chunk in [4096, 65_536, 1 << 20] {
            let pieces = text(chunk);
            assert_eq!(pieces.concat(), body.as_bytes(), "chunks of {chunk}");
            for piece in &pieces {
                let mut out = String::new();
                push_text(piece, true, &mut out).expect("each piece decodes alone");
                assert!(!out.ends_with('\n') || piece.ends_with(b"\n"));
            }
        }
        assert!(text(4096).len() > 1, "a long text comes in pieces");
    }

    #[test]
    fn the_meter_stops_a_file_whose_parts_inflate_beyond_the_budget() {
        let xml = format!("<a>{}</a>", "x".repeat(10_000));
        let meter = Meter(std::cell::Cell::new(20_000));
        let read = |m: &Meter| chunked(xml.as_bytes(), 4096, m, &mut Xml::default(), |_| Ok(()));
        assert_eq!(read(&meter), Ok(()));
        assert_eq!(read(&meter), Err(OVER_READ), "the second part goes over");
    }

    #[test]
    fn xml_it_does_not_handle_is_unsupported() {
        assert!(all_tokens(b"<a><![CDATA[x]]></a>", 64).is_err());
        assert!(all_tokens(b"<!DOCTYPE a><a/>", 64).is_err());
        assert!(all_tokens(b"<a><b", 64).is_err(), "cut short");
        assert!(all_tokens(br#"<?xml version="1.0" encoding="Shift_JIS"?><a/>"#, 64).is_err());
    }

    #[test]
    fn texts_decode_as_calamine_decodes_them() {
        let mut out = String::new();
        push_text(b"a&amp;b&#x5186;&#20870;\r\n", false, &mut out).unwrap();
        assert_eq!(out, "a&b円円\r\n");
        let mut out = String::new();
        push_text(b"x\r\ny\rz", true, &mut out).unwrap();
        assert_eq!(out, "x\ny\nz");
        assert!(push_text(b"&nbsp;", true, &mut String::new()).is_err());
        assert_eq!(unescape_excel("a_x000D_b".into()), "a\rb");
        assert_eq!(unescape_excel("_x005F_x000D_".into()), "_x000D_");
        assert_eq!(unescape_excel("_xD83D__xDCF7_".into()), "\u{1F4F7}");
        assert_eq!(unescape_excel("_xD83D_".into()), "\u{FFFD}");
        assert_eq!(unescape_excel("_x12_".into()), "_x12_");
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        for code in [
            "yyyy/m/d",
            "m/d/yy h:mm",
            "[h]:mm:ss",
            "h:mm AM/PM",
            "ge.m.d",
            "[$-411]ggge\"年\"m\"月\"d\"日\"",
        ] {
            assert!(is_date_format(code), "{code}");
        }
        for code in [
            "#,##0",
            "0.0%",
            "\"約\"0\"人\"",
            "[Red]0.00",
            "0;\"△\"0",
            "General",
            "0_);(0)",
        ] {
            assert!(!is_date_format(code), "{code}");
        }
        assert!(is_builtin_date("14") && is_builtin_date("57") && !is_builtin_date("3"));
        assert!(!is_builtin_date("014"));
    }

    #[test]
    fn cells_and_areas_parse_as_excel_names_them() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"XFD1048576"), Ok((1_048_575, 16_383)));
        assert!(cell_ref(b"A0").is_err() && cell_ref(b"1A").is_err());
        assert_eq!(parse_cell("$AB$12"), Some((11, 27)));
        assert_eq!(parse_area(b"D7:B3"), Some(((2, 1), (6, 3))));
        assert_eq!(parse_area(b"B3"), Some(((2, 1), (2, 1))));
    }
}
