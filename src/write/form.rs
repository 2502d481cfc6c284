//! A rollover form: the 課's rows laid out like the book, protected, with only the input
//! cells unlocked and coloured (実績値, 備考, and blank rows at the end of each block for
//! new projects), validations with Japanese input messages, last year's 実績値 and 備考
//! beside for reference (this year's 備考 starts blank: last year's free text, a
//! 【事業休止】's reason, is not this year's), a 記入要領 sheet, and a fingerprint (defined names: 課, year, source hash)
//! that consolidate reads to tell a form from a hand-made sheet.

use rust_xlsxwriter::{
    utility::row_col_to_cell, DataValidation, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::cells::write_header;
use super::layout::{row_height, run};
use super::page::{text_lines, Page, LINE_PT, PAD_PT};
use super::styles::{rgb, Styles};
use super::workbook::set_fixed_properties;
use crate::model::{Book, FiscalYear, Row};
use crate::numfmt;
use crate::profile::{Field, Profile};
use crate::row_text::{column_text_in, extra_value, field_text};

pub use crate::model::{NAME_DEPARTMENT, NAME_SOURCE, NAME_SOURCE_FILE, NAME_YEAR};

/// Options of a form.
#[derive(Debug, Clone)]
pub struct FormOptions {
    pub year: FiscalYear,
    pub department: String,
    pub password: Option<String>,
    /// the due date as the user wrote it
    pub due: Option<String>,
    /// 問い合わせ先 from the settings
    pub contact: Option<crate::model::Contact>,
    /// hash of last year's book
    pub source_hash: String,
    /// the file name of last year's book
    pub source_file: String,
}

fn fill(text: &str, profile: &Profile, o: &FormOptions) -> String {
    let prev = FiscalYear(o.year.0 - 1);
    crate::profile::year_placeholders(text, o.year)
        .replace("{prev}", &prev.to_string())
        .replace("{department}", &o.department)
        .replace("{due}", &due_text(o.due.as_deref(), profile))
        .replace("{contact}", &contact_text(o.contact.as_ref(), profile))
}

/// The due date as the form shows it: a date (`2026-05-31`) in the era with its weekday
/// (`令和8年5月31日（日）`) when form.toml says how; anything else as written.
fn due_text(due: Option<&str>, profile: &Profile) -> String {
    let Some(due) = due else {
        return profile.form.due_unset.clone();
    };
    let (Some(f), Some((y, m, d))) = (&profile.form.due_date, parse_date(due)) else {
        return due.to_string();
    };
    let era_year = y - f.era_start + 1;
    if era_year < 1 {
        return due.to_string();
    }
    let era_year = if era_year == 1 {
        f.first_year.clone()
    } else {
        era_year.to_string()
    };
    // 1970-01-01 was a Thursday; weekdays are Monday first
    let weekday = (days_from_civil(y, m, d) + 3).rem_euclid(7) as usize;
    f.text
        .replace("{era_year}", &era_year)
        .replace("{month}", &m.to_string())
        .replace("{day}", &d.to_string())
        .replace("{weekday}", &f.weekdays[weekday])
}

/// `2026-05-31` or `2026/5/31` (full-width digits too), a day that exists.
fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let t = crate::value::nfkc_compact(text);
    let mut parts = t.split(['-', '/']);
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (d <= days).then_some((y, m, d))
}

/// Days since 1970-01-01 of a Gregorian date.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The 問い合わせ先 as the form shows it: the settings' `[contact]` as form.toml writes
/// it, or form.toml's own text when the settings name none.
fn contact_text(contact: Option<&crate::model::Contact>, profile: &Profile) -> String {
    let (Some(c), Some(f)) = (contact, &profile.form.contact) else {
        return profile.form.contact_unset.clone();
    };
    let mut text = f
        .text
        .replace("{section}", &c.section)
        .replace("{extension}", &c.extension);
    let parts = [
        (&c.person, &f.person, "{person}"),
        (&c.phone, &f.phone, "{phone}"),
        (&c.email, &f.email, "{email}"),
    ];
    for (value, part, hole) in parts {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            text.push_str(&part.replace(hole, v));
        }
    }
    text
}

/// Builds the form workbook for one 課 from its rows of last year's book.
///
/// # Errors
/// rust_xlsxwriter's limits.
pub fn form_workbook(
    rows: &[Row],
    profile: &Profile,
    o: &FormOptions,
) -> Result<Workbook, XlsxError> {
    let f = &profile.form;
    let book = Book {
        year: o.year,
        rows: rows.to_vec(),
    };
    let mut workbook = Workbook::new();
    set_fixed_properties(&mut workbook, &book)?;
    for (name, value) in [
        (NAME_DEPARTMENT, &o.department),
        (NAME_YEAR, &o.year.to_string()),
        (NAME_SOURCE, &o.source_hash),
        (NAME_SOURCE_FILE, &o.source_file),
    ] {
        workbook.define_name(name, &format!("=\"{}\"", value.replace('"', "\"\"")))?;
    }
    let mut styles = Styles::new(&profile.layout.book);
    let fill_color = rgb(&f.input_fill);
    let input = styles
        .text
        .clone()
        .set_unlocked()
        .set_background_color(fill_color);
    let input_number = styles
        .value_text
        .clone()
        .set_unlocked()
        .set_background_color(fill_color);

    let sheet = workbook.add_worksheet();
    sheet.set_name(&f.input_sheet)?;
    let columns = &profile.layout.columns;
    let n = columns.len() as u16;
    for (c, column) in columns.iter().enumerate() {
        sheet.set_column_width(c as u16, column.width)?;
    }
    sheet.set_column_width(n, 12)?;
    sheet.set_column_width(n + 1, 22)?;
    let remarks_reference = f
        .remarks_reference_header
        .as_ref()
        .map(|h| fill(h, profile, o));
    if remarks_reference.is_some() {
        sheet.set_column_width(n + 2, 30)?;
    }
    let col = |field: Field| {
        columns
            .iter()
            .position(|c| c.field == field)
            .map(|c| c as u16)
    };
    let actual_col = col(Field::Actual).unwrap_or(0);
    let remarks_col = col(Field::Remarks).unwrap_or(0);

    let mut r = 0u32;
    sheet.write_string_with_format(r, 0, fill(&f.form_title, profile, o), &styles.title)?;
    r += 2;
    let mut input_ranges: Vec<(u32, u32)> = Vec::new();
    for (goal, index) in book.rows_by_goal() {
        let block: Vec<&Row> = index.iter().map(|i| &book.rows[*i]).collect();
        let section = profile
            .layout
            .book
            .section
            .replace("{no}", &goal.no)
            .replace("{title}", &goal.title);
        if !goal.no.is_empty() || !goal.title.is_empty() {
            sheet.write_string_with_format(r, 0, section.trim(), &styles.section)?;
            r += 1;
        }
        let mut reference = vec![
            fill(&f.reference_header, profile, o),
            f.joint_header.clone(),
        ];
        reference.extend(remarks_reference.clone());
        r += write_header(sheet, r, &book, profile, &styles.header, &reference)?;
        let first = r;
        for (i, row) in block.iter().enumerate() {
            let at = first + i as u32;
            sheet.set_row_height(at, row_height(row, profile))?;
            for (c, column) in columns.iter().enumerate() {
                let c = c as u16;
                match column.field {
                    Field::Actual => {
                        sheet.write_blank(at, c, &input_number)?;
                    }
                    // this year's 備考 is this year's: last year's is beside, for reference
                    Field::Remarks => {
                        sheet.write_blank(at, c, &input)?;
                    }
                    field if column.group || column.project => {
                        let (start, end) = run(&block, i, field, profile);
                        if start != i {
                            continue;
                        }
                        let text = column_text_in(row, column, o.year, profile);
                        if end > start {
                            sheet.merge_range(at, c, first + end as u32, c, &text, &styles.text)?;
                        } else {
                            sheet.write_string_with_format(at, c, text, &styles.text)?;
                        }
                    }
                    Field::Target => {
                        write_value(sheet, at, c, &row.target, &row.unit, profile, &mut styles)?
                    }
                    Field::Extra => {
                        let key = column.extra_key(o.year).unwrap_or_default();
                        match extra_value(row, &key, profile) {
                            Some(v) => {
                                write_value(sheet, at, c, v, &row.unit, profile, &mut styles)?
                            }
                            None => {
                                sheet.write_string_with_format(at, c, "", &styles.text)?;
                            }
                        }
                    }
                    field => {
                        sheet.write_string_with_format(
                            at,
                            c,
                            field_text(row, field, profile),
                            &styles.text,
                        )?;
                    }
                }
            }
            // last year's actual, for reference
            write_value(sheet, at, n, &row.actual, &row.unit, profile, &mut styles)?;
            let joint = if row.departments.len() > 1 {
                f.joint_text.replace("{lead}", &row.departments[0])
            } else {
                String::new()
            };
            sheet.write_string_with_format(at, n + 1, joint, &styles.text)?;
            if remarks_reference.is_some() {
                let remarks = crate::value::join_remarks(&row.flags, &row.remarks);
                sheet.write_string_with_format(at, n + 2, remarks, &styles.text)?;
            }
        }
        let mut end = first + block.len() as u32;
        // blank rows for new projects: every cell of the table open
        for _ in 0..f.blank_rows {
            for c in 0..n {
                sheet.write_blank(end, c, &input)?;
            }
            end += 1;
        }
        input_ranges.push((first, end - 1));
        r = end + 1;
    }

    // validations: 実績値 a number or an accepted word; 備考 offers the flag choices
    for (first, last) in &input_ranges {
        let top = row_col_to_cell(*first, actual_col);
        let mut rule = format!("ISNUMBER({top})");
        for w in &f.actual_words {
            rule.push_str(&format!(",{top}=\"{}\"", w.replace('"', "\"\"")));
        }
        let actual = DataValidation::new()
            .allow_custom(Formula::new(format!("=OR({rule})")))
            .set_input_title(fill(&f.actual_input_title, profile, o))?
            .set_input_message(fill(&f.actual_input_message, profile, o))?
            .set_error_title(fill(&f.actual_error_title, profile, o))?
            .set_error_message(fill(&f.actual_error_message, profile, o))?;
        sheet.add_data_validation(*first, actual_col, *last, actual_col, &actual)?;
        let choices: Vec<&str> = f.remarks_choices.iter().map(String::as_str).collect();
        let remarks = DataValidation::new()
            .allow_list_strings(&choices)?
            .show_error_message(false)
            .set_input_title(fill(&f.remarks_input_title, profile, o))?
            .set_input_message(fill(&f.remarks_input_message, profile, o))?;
        sheet.add_data_validation(*first, remarks_col, *last, remarks_col, &remarks)?;
    }
    Page::of_book(&profile.layout.book).apply(sheet);
    let page = &profile.layout.book;
    match &o.password {
        Some(p) => sheet.protect_with_password(p),
        None => sheet.protect(),
    };

    let guide = workbook.add_worksheet();
    guide.set_name(&f.guide_sheet)?;
    guide.set_column_width(0, 110)?;
    let wrap = Format::new()
        .set_font_name(&page.font)
        .set_font_size(page.font_size + 1.0)
        .set_text_wrap();
    guide.write_string_with_format(0, 0, fill(&f.guide_title, profile, o), &styles.title)?;
    for (i, line) in f.guide.iter().enumerate() {
        let text = fill(line, profile, o);
        let lines = text_lines(&text, 110.0) as f64;
        guide.set_row_height(2 + i as u32, lines * (LINE_PT + 2.0) + PAD_PT)?;
        guide.write_string_with_format(2 + i as u32, 0, text, &wrap)?;
    }
    guide.protect();
    Ok(workbook)
}

fn write_value(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    value: &crate::model::Value,
    unit: &str,
    profile: &Profile,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    match numfmt::number_cell(value, unit, &profile.patterns.negative_signs) {
        Some((x, code)) => {
            let format = styles.number(&code);
            sheet.write_number_with_format(r, c, x, format)?;
        }
        None => {
            sheet.write_string_with_format(r, c, &value.raw, &styles.value_text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_in_the_era_with_their_weekday() {
        let profile = Profile::builtin(crate::profile::Lang::Ja);
        let shown = |t: &str| due_text(Some(t), &profile);
        assert_eq!(shown("2026-05-31"), "令和8年5月31日（日）");
        assert_eq!(shown("2026/5/29"), "令和8年5月29日（金）");
        assert_eq!(shown("2019-05-01"), "令和元年5月1日（水）");
        assert_eq!(shown("2024-02-29"), "令和6年2月29日（木）");
        assert_eq!(shown("2025-02-29"), "2025-02-29");
        assert_eq!(shown("2018-12-31"), "2018-12-31");
        assert_eq!(shown("5月31日"), "5月31日");
        assert_eq!(due_text(None, &profile), profile.form.due_unset);
    }
}
