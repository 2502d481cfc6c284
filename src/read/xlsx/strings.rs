//! Shared strings (`xl/sharedStrings.xml`) and inline strings: rich-text runs joined,
//! phonetic runs left out, within the text budget.

use super::*;

/// Gathers the text of an `<si>` or `<is>`: every `<t>` outside a phonetic run
/// (`<rPh>`, the furigana), each trimmed of ASCII white space unless it keeps its space
/// (`xml:space="preserve"`), with Excel's escapes decoded.
#[derive(Default)]
pub(super) struct RichText {
    pub(super) out: String,
    /// inside a `<t>`: its text so far, and whether it keeps its space
    pub(super) piece: Option<(String, bool)>,
    pub(super) phonetic: bool,
}

impl RichText {
    pub(super) fn token(&mut self, token: Token) -> Result<()> {
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

    pub(super) fn finish(self) -> String {
        self.out
    }

    /// The text gathered so far, in bytes.
    pub(super) fn len(&self) -> usize {
        self.out.len() + self.piece.as_ref().map_or(0, |(p, _)| p.len())
    }
}

/// `text` without ASCII white space at either end, in place (a long text is not copied).
pub(super) fn trim_owned(mut text: String) -> String {
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
pub(super) fn shared_strings(
    part: impl Read,
    limits: &Limits,
    meter: &Meter,
) -> Result<(Vec<String>, u64)> {
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
