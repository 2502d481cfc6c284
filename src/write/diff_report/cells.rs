//! What the report's sheets share: its formats besides the book's, and the cells of a
//! 目標値 / 実績値 and of a 達成率 (対照表 and 推移 write them alike).

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::diff::Side;
use crate::model::Value;
use crate::numfmt;
use crate::profile::Profile;
use crate::write::styles::{rgb, Styles};

/// The formats of the report besides the book's: text without a border, the rate's
/// percentage, each grade's fill.
pub(super) struct ReportStyles {
    pub(super) book: Styles,
    pub(super) plain: Format,
    /// `0.0%` with the profile's decimals
    rate_code: String,
    /// per grade name: its centred, filled format
    grades: Vec<(String, Format)>,
}

impl ReportStyles {
    pub(super) fn new(profile: &Profile) -> ReportStyles {
        let layout = &profile.layout.book;
        let book = Styles::new(layout);
        let plain = Format::new()
            .set_font_name(&layout.font)
            .set_font_size(layout.font_size);
        let decimals = usize::from(profile.grades.rate.decimals);
        let rate_code = if decimals == 0 {
            "0%".to_string()
        } else {
            format!("0.{}%", "0".repeat(decimals))
        };
        let grades = profile
            .grades
            .grade
            .iter()
            .map(|g| {
                let f = book.centered.clone();
                let f = match &g.fill {
                    Some(hex) => f.set_background_color(rgb(hex)),
                    None => f,
                };
                (g.name.clone(), f)
            })
            .collect();
        ReportStyles {
            plain,
            book,
            rate_code,
            grades,
        }
    }

    pub(super) fn grade(&self, side: &Side) -> Format {
        side.grade
            .as_ref()
            .and_then(|g| self.grades.iter().find(|(n, _)| n == g))
            .map_or_else(|| self.book.centered.clone(), |(_, f)| f.clone())
    }
}

/// A 目標値 / 実績値 cell: a number in the format of its raw text, else the text;
/// `unit` is the row's 単位 (a percentage where it is % is written on its scale).
pub(super) fn write_value(
    sheet: &mut Worksheet,
    (r, c): (u32, u16),
    (v, unit): (&Value, &str),
    changed: bool,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    let mark = |b: &Styles, f: &Format| if changed { b.highlighted(f) } else { f.clone() };
    if let Some((x, code)) = numfmt::number_cell(v, unit, &profile.patterns.negative_signs) {
        let f = styles.book.number(&code).clone();
        sheet.write_number_with_format(r, c, x, &mark(&styles.book, &f))?;
    } else {
        let b = &styles.book;
        sheet.write_string_with_format(r, c, &v.raw, &mark(b, &b.value_text))?;
    }
    Ok(())
}

/// A 達成率 cell: the rate as a percentage, or the "no rate" text centred.
pub(super) fn write_rate(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    rate: Option<f64>,
    profile: &Profile,
    styles: &mut ReportStyles,
) -> Result<(), XlsxError> {
    match rate {
        Some(rate) => {
            let code = styles.rate_code.clone();
            let f = styles.book.number(&code).clone();
            // the fraction Excel shows as the rate: 93.3 → 0.933, not 0.93299…
            let digits = usize::from(profile.grades.rate.decimals) + 2;
            let x: f64 = format!("{:.digits$}", rate / 100.0)
                .parse()
                .unwrap_or(rate / 100.0);
            sheet.write_number_with_format(r, c, x, &f)?;
        }
        None => {
            sheet.write_string_with_format(
                r,
                c,
                &profile.grades.none.grade,
                &styles.book.centered,
            )?;
        }
    }
    Ok(())
}
