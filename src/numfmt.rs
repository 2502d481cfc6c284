//! Number formats, both ways: the Excel format that shows a number the way its raw text
//! was written (`10,000` → `#,##0`), and the text a format shows for a number (what a
//! reader sees in a cell formatted `#,##0.0`).
//!
//! Together they let a number be written as a number and still read back as the exact
//! text the department typed. Only the formats a KPI table uses are understood:
//! `General`, `0`, `#,##0`, decimals, `%`, quoted literals and `pos;neg` sections.

use crate::model::{Value, ValueKind};
use crate::value::nfkc_compact;

/// A number to write and the format code that shows it as `value.raw` (full-width
/// digits shown half-width: `１０，０００` is the number 10000 shown `10,000`).
/// `None` when the value is not a number (it is written as text).
///
/// The number is the one the cell stored when it was a number cell (a formula's
/// 114.28571428571428 in a `0.0` cell is written whole, in `0.0`), else the one its
/// text shows. `unit` is the row's 単位: where it is % a percentage is written on the
/// unit's scale, `97.5%` as 97.5 shown `97.5%` (like the column's `100`), not as the
/// fraction 0.975; elsewhere `96.4%` is Excel's 0.964 in a `%` format.
pub fn number_cell(value: &Value, unit: &str, negative_signs: &[char]) -> Option<(f64, String)> {
    let n = value.number?;
    let percent = match value.kind {
        ValueKind::Number => None,
        ValueKind::Percent => Some(crate::value::is_percent_unit(unit)),
        _ => return None,
    };
    // what the cell must show: the raw text, half-width
    let shown: std::borrow::Cow<str> = if crate::value::is_nfkc(&value.raw) {
        std::borrow::Cow::Borrowed(&value.raw)
    } else {
        std::borrow::Cow::Owned(crate::value::nfkc(&value.raw))
    };
    let t = nfkc_compact(&value.raw);
    let body = match percent {
        None => t.as_str(),
        Some(_) => t.strip_suffix('%')?,
    };
    let sign = body.chars().next().filter(|c| negative_signs.contains(c));
    let digits = body.trim_start_matches(|c: char| !c.is_ascii_digit());
    let decimals = digits.split_once('.').map_or(0, |(_, f)| f.len());
    let comma = digits.contains(',');
    let mut code = if comma {
        "#,##0".to_string()
    } else {
        "0".to_string()
    };
    if decimals > 0 {
        code.push('.');
        code.push_str(&"0".repeat(decimals));
    }
    match percent {
        Some(true) => code.push_str("\"%\""), // the unit's scale: a literal %
        Some(false) => code.push('%'),
        None => {}
    }
    if let Some(s) = sign {
        code = format!("{code};\"{s}\"{code}");
    }
    // the candidates, on the scale the format shows: the stored number first (as it is,
    // or moved between fraction and percent when its cell's format scaled it the other
    // way), then the number the text shows
    let (shown_x, up, down) = match percent {
        None => (n, None, None),
        Some(true) => (n, value.stored.map(|s| tidy(s * 100.0)), None),
        Some(false) => (tidy(n / 100.0), None, value.stored.map(|s| tidy(s / 100.0))),
    };
    let candidates = [value.stored, up, down, Some(shown_x)];
    for (i, x) in candidates.iter().enumerate() {
        // each number once (the stored number is most often the one the text shows)
        let Some(x) = *x else { continue };
        if candidates[..i].contains(&Some(x)) {
            continue;
        }
        if percent.is_none() && render(x, "General") == *shown {
            return Some((x, "General".to_string()));
        }
        if render(x, &code) == *shown {
            return Some((x, code));
        }
    }
    // a format that does not give the text back (`+5`, `05`) is not worth keeping
    None
}

/// `x` without the float noise a scaling by 100 leaves (97.49999999999999 → 97.5):
/// 15 significant digits, as Excel keeps.
fn tidy(x: f64) -> f64 {
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// One section of a number format taken apart: the numeric pattern (`0 # ? , .`), the
/// literal text before and after it, and whether it shows a percentage.
struct Section {
    digits: String,
    literal_before: String,
    literal_after: String,
    percent: bool,
}

impl Section {
    fn parse(body: &str) -> Section {
        let mut digits = String::new(); // the numeric pattern: 0 # , . characters
        let mut literal_before = String::new();
        let mut literal_after = String::new();
        let mut percent = false;
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    let mut lit = String::new();
                    for d in chars.by_ref() {
                        if d == '"' {
                            break;
                        }
                        lit.push(d);
                    }
                    push_literal(&digits, &mut literal_before, &mut literal_after, &lit);
                }
                '\\' => {
                    if let Some(d) = chars.next() {
                        push_literal(
                            &digits,
                            &mut literal_before,
                            &mut literal_after,
                            &d.to_string(),
                        );
                    }
                }
                '[' => {
                    // colour or locale: not shown
                    for d in chars.by_ref() {
                        if d == ']' {
                            break;
                        }
                    }
                }
                '_' | '*' => {
                    chars.next();
                }
                '0' | '#' | '?' | ',' | '.' => digits.push(c),
                '%' => {
                    percent = true;
                    push_literal(&digits, &mut literal_before, &mut literal_after, "%");
                }
                other => push_literal(
                    &digits,
                    &mut literal_before,
                    &mut literal_after,
                    &other.to_string(),
                ),
            }
        }
        Section {
            digits,
            literal_before,
            literal_after,
            percent,
        }
    }
}

/// The text Excel shows for `x` in a cell of format `code`.
pub fn render(x: f64, code: &str) -> String {
    if code == "General" {
        return general(x); // most cells: no code to take apart
    }
    if code.len() > MAX_CODE_BYTES {
        // no spreadsheet writes such a code (Excel holds 255 characters): taking it
        // apart for every cell would cost its length each time
        return general(x);
    }
    let sections = split_sections(code);
    let (section, x, signed) = match sections.len() {
        0 => ("General".to_string(), x, true),
        1 => (sections[0].clone(), x, true),
        _ if x < 0.0 => (sections[1].clone(), -x, false),
        _ if x == 0.0 && sections.len() > 2 => (sections[2].clone(), x, true),
        _ => (sections[0].clone(), x, true),
    };
    let body = section.trim();
    if body.is_empty() || body.eq_ignore_ascii_case("general") || body == "@" {
        return general(x);
    }
    let Section {
        digits,
        literal_before,
        literal_after,
        percent,
    } = Section::parse(body);
    let mut out = String::new();
    if digits.is_empty() {
        return format!("{literal_before}{literal_after}");
    }
    let x = if percent { x * 100.0 } else { x };
    let (int_pat, frac_pat) = digits.split_once('.').unwrap_or((&digits, ""));
    // Excel shows at most 30 decimals and holds a format of at most 255 characters: a
    // code of a million zeros (no Excel makes one) shows as one of those would
    let decimals = frac_pat
        .chars()
        .filter(|c| *c == '0' || *c == '#')
        .count()
        .min(MAX_DECIMALS);
    let grouping = int_pat.contains(',') && int_pat.trim_end_matches(',').contains(',');
    let min_int = int_pat
        .chars()
        .filter(|c| *c == '0')
        .count()
        .min(MAX_CODE_CHARS);
    let neg = signed && x < 0.0;
    let fixed = if decimals == 0 && x.fract() == 0.0 && x.abs() < 1e15 {
        // a whole number shown without decimals: integer formatting gives the same text
        // as `{:.0}` without the float's slow exact-decimals path
        format!("{}", x.abs() as i64)
    } else {
        format!("{:.*}", decimals, x.abs())
    };
    let (int_part, frac_part) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let int_part = int_part.trim_start_matches('0');
    let mut int_part = "0".repeat(min_int.saturating_sub(int_part.len())) + int_part;
    if grouping {
        int_part = group_thousands(&int_part);
    }
    let optional = frac_pat.chars().filter(|c| *c == '#').count();
    let mut frac = frac_part.to_string();
    let zeros = frac.len() - frac.trim_end_matches('0').len();
    frac.truncate(frac.len() - zeros.min(optional));
    if neg && (int_part.chars().any(|c| c != '0' && c != ',') || frac.chars().any(|c| c != '0')) {
        out.push('-');
    }
    out.push_str(&literal_before);
    out.push_str(&int_part);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out.push_str(&literal_after);
    out
}

/// The most decimals Excel shows.
const MAX_DECIMALS: usize = 30;
/// The longest number format code Excel holds.
const MAX_CODE_CHARS: usize = 255;
/// A longer code is shown as General: four times what Excel holds, in bytes (a
/// character of a quoted literal may take three).
const MAX_CODE_BYTES: usize = 4 * MAX_CODE_CHARS;

fn push_literal(digits: &str, before: &mut String, after: &mut String, lit: &str) {
    if digits.is_empty() {
        before.push_str(lit);
    } else {
        after.push_str(lit);
    }
}

fn split_sections(code: &str) -> Vec<String> {
    let mut sections = vec![String::new()];
    let mut quoted = false;
    for c in code.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                sections.last_mut().expect("never empty").push(c);
            }
            ';' if !quoted => sections.push(String::new()),
            _ => sections.last_mut().expect("never empty").push(c),
        }
    }
    sections
}

fn group_thousands(int: &str) -> String {
    let bytes: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, c) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    out
}

/// Excel's General format: integers without a decimal point, others with up to
/// 10 significant digits after rounding away float noise (`0.1+0.2` shows `0.3`).
pub fn general(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{}", x);
    if s.len() <= 12 {
        return s;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (10 - magnitude - 1).clamp(0, 15) as usize;
    let t = format!("{:.*}", decimals, x);
    let t = t.trim_end_matches('0').trim_end_matches('.');
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Lang, Profile};
    use crate::value::parse_value;

    #[test]
    fn every_number_written_reads_back_as_its_raw_text() {
        let p = Profile::builtin(Lang::Ja).patterns;
        for raw in [
            "30",
            "10,000",
            "16,920",
            "96.4",
            "103.8",
            "96.0",
            "1,300",
            "0.5",
            "96.4%",
            "100%",
            "△5",
            "▲1,200.5",
            "-3",
            "1890",
            "12.50",
        ] {
            let v = parse_value(raw, &p);
            let (x, code) = number_cell(&v, "", &p.negative_signs)
                .unwrap_or_else(|| panic!("{raw} is a number"));
            assert_eq!(render(x, &code), raw, "{raw} as {x} in {code}");
        }
        // full-width digits are a number too, shown half-width
        for (raw, x, shown) in [
            ("１，０００", 1000.0, "1,000"),
            ("２４，１０２", 24102.0, "24,102"),
            ("７０", 70.0, "70"),
        ] {
            let v = parse_value(raw, &p);
            let (n, code) = number_cell(&v, "件", &p.negative_signs).expect(raw);
            assert_eq!((n, render(n, &code).as_str()), (x, shown), "{raw}");
        }
        // text whose spelling no format gives back is written as text
        for raw in ["+5", "05"] {
            let v = parse_value(raw, &p);
            assert!(number_cell(&v, "", &p.negative_signs).is_none(), "{raw}");
        }
    }

    #[test]
    fn the_stored_number_is_written_whole_in_a_format_showing_the_text() {
        let p = Profile::builtin(Lang::Ja).patterns;
        let cell =
            |shown: &str, stored: f64| crate::value::parse_number_cell(shown, Some(stored), &p);
        let exact = 800.0 / 7.0;
        // a formula's cached value in a `0.0` cell, and in a General one
        for (shown, code) in [("114.3", "0.0"), ("114.2857143", "General")] {
            let (x, c) = number_cell(&cell(shown, exact), "%", &p.negative_signs).unwrap();
            assert_eq!((x, c.as_str()), (exact, code));
            assert_eq!(render(x, &c), shown);
        }
        // a stored fraction in a `%` format: the fraction where 単位 is not %, the unit's
        // scale where it is
        let v = cell("97.5%", 0.975);
        assert_eq!(
            number_cell(&v, "人", &p.negative_signs),
            Some((0.975, "0.0%".into()))
        );
        assert_eq!(
            number_cell(&v, "%", &p.negative_signs),
            Some((97.5, "0.0\"%\"".into()))
        );
        // and so back: the book's 97.5 shown `97.5%` is 97.5 again
        let v = cell("97.5%", 97.5);
        assert_eq!(
            number_cell(&v, "％", &p.negative_signs),
            Some((97.5, "0.0\"%\"".into()))
        );
        // percent typed as text where 単位 is %
        let v = parse_value("97.5%", &p);
        assert_eq!(
            number_cell(&v, "%", &p.negative_signs),
            Some((97.5, "0.0\"%\"".into()))
        );
        assert_eq!(render(97.5, "0.0\"%\""), "97.5%");
        // a stored number the text does not show (rounded by another program) falls back
        // to the number the text shows
        let v = cell("1,235", 7.0);
        assert_eq!(
            number_cell(&v, "", &p.negative_signs),
            Some((1235.0, "#,##0".into()))
        );
    }

    #[test]
    fn formats_a_hand_made_book_uses() {
        assert_eq!(render(10000.0, "#,##0"), "10,000");
        assert_eq!(render(1234.5, "#,##0.00"), "1,234.50");
        assert_eq!(render(0.964, "0.0%"), "96.4%");
        assert_eq!(render(-5.0, "#,##0;[Red]\"△\"#,##0"), "△5");
        assert_eq!(render(-5.0, "0"), "-5");
        assert_eq!(render(42.0, "General"), "42");
        assert_eq!(render(0.1 + 0.2, "General"), "0.3");
        assert_eq!(render(3.0, "0\"件\""), "3件");
        assert_eq!(render(1234.0, "#,##0_ "), "1,234");
        assert_eq!(render(0.0, "#,##0"), "0");
        // whole numbers (integer formatting) and the rest (the float's own) alike
        assert_eq!(render(1234567.0, "#,##0"), "1,234,567");
        assert_eq!(render(-7.0, "0"), "-7");
        assert_eq!(render(1234567.4, "#,##0"), "1,234,567");
    }

    #[test]
    fn long_codes_cost_their_length_at_most() {
        // zeros pad as Excel pads them, to what a code Excel holds can ask for
        assert_eq!(render(12.0, "00000"), "00012");
        assert_eq!(render(1.5, "0.00##"), "1.50");
        assert_eq!(
            render(0.5, &format!("0.{}", "0".repeat(34))),
            format!("0.5{}", "0".repeat(MAX_DECIMALS - 1))
        );
        let zeros = "0".repeat(MAX_CODE_CHARS + 10);
        assert_eq!(
            render(7.0, &zeros),
            format!("{}7", "0".repeat(MAX_CODE_CHARS - 1))
        );
        // a code of a million zeros is no code a spreadsheet writes: General
        assert_eq!(render(7.0, &"0".repeat(1_000_000)), "7");
        assert_eq!(
            render(7.25, &format!("0.{}", "0".repeat(1_000_000))),
            "7.25"
        );
    }
}
