//! The XML tokenizer: a part inflated a chunk at a time, its tags and texts found by
//! byte search, entities and Excel's `_xHHHH_` escapes decoded; what is not well-formed
//! or outside the subset is [`Unsupported`].

use super::*;

/// One piece of XML: a tag (a self-closing one comes as `Start` then `End`, as calamine
/// sets its reader up) or the text between tags. Names keep their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Start { name: &'a [u8], attrs: &'a [u8] },
    End { name: &'a [u8] },
    Text(&'a [u8]),
}

/// Calls `f` with every token of the XML read from `reader`, a chunk at a time (a sheet
/// of 120 MB costs a buffer of a few MB). Declarations, processing instructions and
/// comments are passed over; CDATA and DTDs are [`Unsupported`]. What is not well-formed
/// XML is [`MALFORMED`]; every byte inflated is taken from `meter`.
pub(super) fn tokens(
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
pub(crate) struct Meter(pub(super) std::cell::Cell<u64>);

impl Meter {
    pub(crate) fn new(limits: &Limits) -> Meter {
        Meter(std::cell::Cell::new(
            limits.max_read_mib.saturating_mul(1 << 20),
        ))
    }

    pub(super) fn unlimited() -> Meter {
        Meter(std::cell::Cell::new(u64::MAX))
    }

    pub(super) fn take(&self, n: u64) -> Result<()> {
        let left = self.0.get();
        if n > left {
            return Err(OVER_READ);
        }
        self.0.set(left - n);
        Ok(())
    }
}

/// The parts read from one file inflate beyond [`Limits::max_read_mib`].
pub(super) const OVER_READ: Unsupported = Unsupported("the parts read inflate beyond the budget");

/// What the tokenizer keeps from one chunk to the next: the elements open (their names,
/// one after the other), whether CDATA is read (as text) or handed over.
#[derive(Default)]
pub(super) struct Xml {
    pub(super) names: Vec<u8>,
    pub(super) ends: Vec<usize>,
    pub(super) cdata: bool,
    /// inside a comment or processing instruction longer than a chunk: its end (what
    /// came of it is passed over, not held)
    pub(super) skipping: Option<&'static [u8]>,
}

impl Xml {
    pub(super) fn open(&mut self, name: &[u8]) {
        self.names.extend_from_slice(name);
        self.ends.push(self.names.len());
    }

    pub(super) fn close(&mut self, name: &[u8]) -> Result<()> {
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
pub(super) fn chunked(
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
pub(super) fn walk(
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
pub(super) fn text_piece(text: &[u8]) -> Option<&[u8]> {
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
pub(super) fn well_formed_text(text: &[u8]) -> Result<()> {
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
pub(super) fn chars_allowed(bytes: &[u8]) -> bool {
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
pub(super) fn utf8_declared(pi: &[u8]) -> bool {
    let Some(i) = memchr::memmem::find(pi, b"encoding=") else {
        return true;
    };
    // a declaration cut short before its value says nothing yet
    let value = pi.get(i + 10..).unwrap_or_default();
    value.len() < 5 || value[..5].eq_ignore_ascii_case(b"utf-8")
}

/// A comment or processing instruction that goes on past `xml`: passed over from here
/// (all but the bytes that could begin its `end`), the rest in the chunks to come.
pub(super) fn skip_long(
    state: &mut Xml,
    end: &'static [u8],
    xml: &[u8],
    last: bool,
) -> Result<usize> {
    if last {
        return Err(MALFORMED);
    }
    state.skipping = Some(end);
    Ok(xml.len() - (end.len() - 1))
}

pub(super) fn incomplete(at: usize, last: bool) -> Result<usize> {
    if last {
        Err(MALFORMED)
    } else {
        Ok(at)
    }
}

/// The `>` that ends the start tag at the front of `xml` (not one inside a quoted value).
pub(super) fn tag_end(xml: &[u8]) -> Option<usize> {
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

pub(super) fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// A name without its namespace prefix (`x:c` → `c`).
pub(super) fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Calls `f` with each attribute's name (as written) and raw value.
pub(super) fn attributes<'a>(attrs: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) -> Result<()> {
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
pub(super) fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>> {
    let mut found = None;
    attributes(attrs, |name, value| {
        if name == key && found.is_none() {
            found = Some(value);
        }
    })?;
    Ok(found)
}

pub(super) fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Unsupported("text that is not UTF-8"))
}

/// Appends XML text with its entities decoded; `eols`: line ends as XML 1.0 reads them
/// (`\r\n` and a lone `\r` become `\n`), as calamine's text has them (its attributes do
/// not).
pub(super) fn push_text(raw: &[u8], eols: bool, out: &mut String) -> Result<()> {
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
pub(super) fn entity(name: &str) -> Result<char> {
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
pub(super) fn attr_text(raw: &[u8]) -> Result<String> {
    let mut out = String::new();
    push_text(raw, false, &mut out)?;
    Ok(out)
}

/// Excel's escapes of characters XML cannot hold (`_x000D_` for a carriage return, a
/// pair of them for a character beyond U+FFFF, `_x005F_` for a `_` that would read as
/// one); a lone surrogate becomes U+FFFD, as calamine reads it.
pub(super) fn unescape_excel(text: String) -> String {
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
