//! A worksheet: its cells (values through the shared strings and number formats) and
//! its merged areas, in one pass.

use super::*;

/// A cell's `t`: what its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

pub(super) fn kind(t: Option<&[u8]>) -> Result<Kind> {
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
pub(super) struct Cell {
    pub(super) at: (u32, u32),
    pub(super) style: Option<usize>,
    pub(super) kind: Kind,
    pub(super) value: Option<GridCell>,
}

/// Where in a cell the reader is.
pub(super) enum InCell {
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
pub(super) fn cell_ref(r: &[u8]) -> Result<(u32, u32)> {
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
pub(super) fn row_number(r: &[u8]) -> Result<u32> {
    let bad = Unsupported("a row number");
    if r.is_empty() || r.len() > 7 || !r.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    let n = r.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    n.checked_sub(1).ok_or(bad)
}

pub(super) fn index(bytes: &[u8]) -> Result<usize> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Unsupported("an index"));
    }
    Ok(bytes
        .iter()
        .fold(0usize, |n, b| n * 10 + usize::from(b - b'0')))
}

pub(super) fn text_cell(text: String) -> GridCell {
    GridCell {
        text,
        error: false,
        number: None,
    }
}

/// The cell a `<v>`'s text makes, read as calamine reads it.
pub(super) fn value(
    kind: Kind,
    style: Option<usize>,
    v: &str,
    cx: &Context,
) -> Result<Option<GridCell>> {
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

pub(super) struct Context<'a> {
    pub(super) strings: &'a [String],
    pub(super) styles: &'a Styles,
}

pub(super) fn worksheet(
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
            if !cell_token(c, &mut inside, token, grid, limits, &cx)? {
                return Ok(());
            }
            let c = cell.take().expect("in a cell");
            col = c.at.1 + 1;
            if let Some(value) = c.value {
                grid.put(c.at.0, c.at.1, value, limits);
                if grid.over.is_some() {
                    return Err(OVER_TEXT);
                }
            }
            return Ok(());
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

/// One token inside a cell (`<c>` … `</c>`): its value gathered as [`InCell`] says;
/// `true` at the cell's end.
#[inline]
fn cell_token(
    c: &mut Cell,
    inside: &mut InCell,
    token: Token<'_>,
    grid: &mut Grid,
    limits: &Limits,
    cx: &Context<'_>,
) -> Result<bool> {
    match (&mut *inside, token) {
        (InCell::Inline(_), Token::End { name }) if local(name) == b"is" => {
            if let InCell::Inline(rich) = std::mem::replace(inside, InCell::Nothing) {
                c.value = Some(text_cell(rich.finish()));
            }
            Ok(false)
        }
        (InCell::Inline(rich), t) => {
            rich.token(t)?;
            within_text(grid, c.at, rich.len(), limits).map(|()| false)
        }
        (InCell::Formula, Token::End { name }) if local(name) == b"f" => {
            *inside = InCell::Nothing;
            Ok(false)
        }
        (InCell::Formula, _) => Ok(false),
        (InCell::Plain { got }, Token::Text(raw)) => {
            if *got {
                return Err(Unsupported("a plain value in pieces"));
            }
            if raw.contains(&b'&') {
                return Err(Unsupported("an entity in a plain value"));
            }
            *got = true;
            c.value = value(c.kind, c.style, utf8(raw)?, cx)?;
            Ok(false)
        }
        (InCell::Text(text), Token::Text(raw)) => {
            push_text(raw, true, text)?;
            within_text(grid, c.at, text.len(), limits).map(|()| false)
        }
        (InCell::Plain { got }, Token::End { name }) if local(name) == b"v" => {
            if !*got {
                c.value = None;
            }
            *inside = InCell::Nothing;
            Ok(false)
        }
        (InCell::Text(text), Token::End { name }) if local(name) == b"v" => {
            c.value = value(c.kind, c.style, text, cx)?;
            *inside = InCell::Nothing;
            Ok(false)
        }
        (InCell::Plain { .. } | InCell::Text(_), Token::Start { .. }) => {
            Err(Unsupported("markup inside a value"))
        }
        (InCell::Plain { .. } | InCell::Text(_), Token::End { .. }) => Ok(false),
        (InCell::Nothing, Token::Start { name, .. }) => {
            *inside = match local(name) {
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
            Ok(false)
        }
        (InCell::Nothing, Token::End { name }) if local(name) == b"c" => Ok(true),
        (InCell::Nothing, _) => Ok(false),
    }
}

/// Stops reading a sheet whose cell, `bytes` long so far, takes the file over its text
/// budget (a cell of 200 MB is not gathered whole before it is refused).
pub(super) fn within_text(
    grid: &mut Grid,
    at: (u32, u32),
    bytes: usize,
    limits: &Limits,
) -> Result<()> {
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
pub(super) type Area = ((u32, u32), (u32, u32));

/// `B3:D7` (or `B3` alone, or `$B$3:$D$7`) → ((2, 1), (6, 3)).
pub(super) fn parse_area(text: &[u8]) -> Option<Area> {
    let text = std::str::from_utf8(text).ok()?;
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    let (a, b) = (parse_cell(first)?, parse_cell(last)?);
    Some(((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1))))
}

/// `AB12` (or `$AB$12`) → (11, 27): [`cell_ref`] once the `$` are gone.
pub(super) fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    cell_ref(text.as_bytes()).ok()
}
