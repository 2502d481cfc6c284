//! Styles (`xl/styles.xml`): each cell format's number format, and whether calamine
//! takes numbers in it for dates.

use super::*;

/// Per cell format (`s` of a cell): its number format code, and whether calamine takes
/// numbers in it for dates (they are then shown as the serial number, in General).
#[derive(Debug, Default)]
pub(super) struct Styles {
    pub(super) formats: Vec<(String, bool)>,
}

impl Styles {
    /// The text a number shows in cell format `style`. A cell without `s` shows in the
    /// first format's code but is never a date; a format that is not there is General
    /// (as kpiroll's calamine path reads them).
    pub(super) fn render(&self, x: f64, style: Option<usize>) -> String {
        match self.formats.get(style.unwrap_or(0)) {
            Some((_, true)) if style.is_some() => numfmt::general(x),
            Some((code, _)) => numfmt::render(x, code),
            None => numfmt::general(x),
        }
    }
}

pub(super) fn styles(part: impl Read, meter: &Meter) -> Result<Styles> {
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
pub(super) fn is_date_format(code: &str) -> bool {
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
pub(super) fn is_builtin_date(id: &str) -> bool {
    matches!(id.parse::<u32>(), Ok(14..=22 | 27..=36 | 45..=47 | 50..=58))
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
}

/// The code of a built-in number format (ECMA-376 18.8.30).
pub(super) fn builtin_code(id: u32) -> Option<&'static str> {
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
