//! A rollover form: the 課's rows laid out like the book, protected, with only the input
//! cells unlocked and coloured (実績値, 備考, and blank rows at the end of each block for
//! new projects), validations with Japanese input messages, last year's 実績値 and 備考
//! beside for reference (this year's 備考 starts blank: last year's free text, a
//! 【事業休止】's reason, is not this year's), a 記入要領 sheet, and a fingerprint (defined names: 課, year, source hash)
//! that consolidate reads to tell a form from a hand-made sheet.

use rust_xlsxwriter::{
    utility::row_col_to_cell, DataValidation, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::cells::{column_positions, write_header};
use super::layout::{row_height, run};
use super::page::{text_lines, Page, Shell, LINE_PT, PAD_PT};
use super::styles::{rgb, Styles};
use super::workbook::set_fixed_properties;
use crate::model::{Book, FiscalYear, Row};
use crate::numfmt;
use crate::profile::{year_placeholders, Field, Profile};
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
pub fn due_text(due: Option<&str>, profile: &Profile) -> String {
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
pub fn contact_text(contact: Option<&crate::model::Contact>, profile: &Profile) -> String {
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
    input_sheet(workbook.add_worksheet(), &book, profile, o)?;
    guide_sheet(workbook.add_worksheet(), profile, o)?;
    Ok(workbook)
}

/// Where the input sheet's columns go: the layout's, last year's 実績値 right after
/// this year's (after the group its header sits in; none when the layout has a column
/// of last year's 実績値 itself), and after 備考 the joint note and last year's 備考.
struct FormColumns {
    /// each layout column's sheet column
    layout: Vec<u16>,
    prev_actual: Option<u16>,
    joint: u16,
    prev_remarks: Option<u16>,
    /// the reference headers and the layout column each follows
    inserted: Vec<(usize, String)>,
}

impl FormColumns {
    fn new(profile: &Profile, o: &FormOptions) -> FormColumns {
        let f = &profile.form;
        let columns = &profile.layout.columns;
        let n = columns.len();
        let actual = columns
            .iter()
            .position(|c| c.field == Field::Actual)
            .unwrap_or(n.saturating_sub(1));
        // not inside a group header merged over several columns
        let after_actual = (actual..n)
            .take_while(|&d| {
                columns[actual].over.is_some() && columns[d].over == columns[actual].over
            })
            .last()
            .unwrap_or(actual);
        // a history column of the layout (`{year-1}実績値`) that is last year's 実績値
        let prev = FiscalYear(o.year.0 - 1);
        let last_years = year_placeholders(&columns[actual].header, prev);
        let shown = columns
            .iter()
            .any(|c| c.field == Field::Extra && year_placeholders(&c.header, o.year) == last_years);
        let mut inserted = Vec::new();
        if !shown {
            inserted.push((after_actual, fill(&f.reference_header, profile, o)));
        }
        inserted.push((n - 1, f.joint_header.clone()));
        if let Some(h) = &f.remarks_reference_header {
            inserted.push((n - 1, fill(h, profile, o)));
        }
        let (layout, mut at) = column_positions(n, &inserted);
        let prev_actual = (!shown).then(|| at.remove(0));
        FormColumns {
            layout,
            prev_actual,
            joint: at[0],
            prev_remarks: at.get(1).copied(),
            inserted,
        }
    }

    /// The sheet column of the layout's column of `field`.
    fn of(&self, profile: &Profile, field: Field) -> u16 {
        profile
            .layout
            .columns
            .iter()
            .position(|c| c.field == field)
            .map_or(0, |c| self.layout[c])
    }
}

/// The input sheet's shell: the layout's widths and the reference columns', printed
/// like the book.
fn input_shell(profile: &Profile, at: &FormColumns) -> Shell {
    let f = &profile.form;
    let mut shell = Shell::new(&f.input_sheet, Page::of_book(&profile.layout.book));
    let last = at.joint.max(at.prev_remarks.unwrap_or(0));
    shell.widths = vec![10.0; usize::from(last) + 1];
    for (c, column) in profile.layout.columns.iter().enumerate() {
        shell.widths[usize::from(at.layout[c])] = column.width;
    }
    if let Some(c) = at.prev_actual {
        shell.widths[usize::from(c)] = 12.0;
    }
    shell.widths[usize::from(at.joint)] = 22.0;
    if let Some(c) = at.prev_remarks {
        shell.widths[usize::from(c)] = 30.0;
    }
    shell
}

/// The input sheet: per 基本目標 its section row, the header, the 課's rows with their
/// input cells open and last year's values beside, blank open rows for new projects;
/// validations on the inputs; protected.
fn input_sheet(
    sheet: &mut Worksheet,
    book: &Book,
    profile: &Profile,
    o: &FormOptions,
) -> Result<(), XlsxError> {
    let f = &profile.form;
    let mut styles = Styles::new(&profile.layout.book);
    let at = FormColumns::new(profile, o);
    input_shell(profile, &at).apply(sheet)?;
    let mut r = 0u32;
    sheet.write_string_with_format(r, 0, fill(&f.form_title, profile, o), &styles.title)?;
    r += 2;
    let mut input_ranges: Vec<(u32, u32)> = Vec::new();
    for (goal, index) in book.rows_by_goal() {
        let block: Vec<&Row> = index.iter().map(|i| &book.rows[*i]).collect();
        if !goal.no.is_empty() || !goal.title.is_empty() {
            sheet.write_string_with_format(r, 0, profile.section_text(goal), &styles.section)?;
            r += 1;
        }
        r += write_header(sheet, r, book, profile, &styles.header, &at.inserted)?;
        let first = r;
        for (i, row) in block.iter().enumerate() {
            form_row(sheet, (first, i), &block, &at, profile, o, &mut styles)?;
            write_references(sheet, first + i as u32, row, &at, profile, &mut styles)?;
        }
        let mut end = first + block.len() as u32;
        // blank rows for new projects: every cell of the table open
        let input = input_format(&styles.text, profile);
        for _ in 0..f.blank_rows {
            for c in &at.layout {
                sheet.write_blank(end, *c, &input)?;
            }
            end += 1;
        }
        input_ranges.push((first, end - 1));
        r = end + 1;
    }
    validations(sheet, &input_ranges, &at, profile, o)?;
    match &o.password {
        Some(p) => sheet.protect_with_password(p),
        None => sheet.protect(),
    };
    Ok(())
}

/// `format` unlocked and filled as a cell the department writes in.
fn input_format(format: &Format, profile: &Profile) -> Format {
    format
        .clone()
        .set_unlocked()
        .set_background_color(rgb(&profile.form.input_fill))
}

/// One row of the 課's table, at sheet row `first + i`: 実績値 and 備考 open and blank,
/// the group and project cells merged over their runs, the rest as last year's book.
fn form_row(
    sheet: &mut Worksheet,
    (first, i): (u32, usize),
    block: &[&Row],
    at: &FormColumns,
    profile: &Profile,
    o: &FormOptions,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    let row = block[i];
    let r = first + i as u32;
    sheet.set_row_height(r, row_height(row, profile))?;
    for (c, column) in profile.layout.columns.iter().enumerate() {
        let c = at.layout[c];
        match column.field {
            Field::Actual => {
                sheet.write_blank(r, c, &input_format(&styles.value_text, profile))?;
            }
            // this year's 備考 is this year's: last year's is beside, for reference
            Field::Remarks => {
                sheet.write_blank(r, c, &input_format(&styles.text, profile))?;
            }
            field if column.group || column.project => {
                let (start, end) = run(block, i, field, profile);
                if start != i {
                    continue;
                }
                let text = column_text_in(row, column, o.year, profile);
                if end > start {
                    sheet.merge_range(r, c, first + end as u32, c, &text, &styles.text)?;
                } else {
                    sheet.write_string_with_format(r, c, text, &styles.text)?;
                }
            }
            Field::Target => write_value(sheet, r, c, &row.target, &row.unit, profile, styles)?,
            Field::Extra => {
                let key = column.extra_key(o.year).unwrap_or_default();
                match extra_value(row, &key, profile) {
                    Some(v) => write_value(sheet, r, c, v, &row.unit, profile, styles)?,
                    None => {
                        sheet.write_string_with_format(r, c, "", &styles.text)?;
                    }
                }
            }
            field => {
                sheet.write_string_with_format(
                    r,
                    c,
                    field_text(row, field, profile),
                    &styles.text,
                )?;
            }
        }
    }
    Ok(())
}

/// Last year's 実績値 (beside this year's), the joint note and last year's 備考 of a row.
fn write_references(
    sheet: &mut Worksheet,
    r: u32,
    row: &Row,
    at: &FormColumns,
    profile: &Profile,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    let f = &profile.form;
    if let Some(c) = at.prev_actual {
        write_value(sheet, r, c, &row.actual, &row.unit, profile, styles)?;
    }
    let joint = if row.departments.len() > 1 {
        f.joint_text.replace("{lead}", &row.departments[0])
    } else {
        String::new()
    };
    sheet.write_string_with_format(r, at.joint, joint, &styles.text)?;
    if let Some(c) = at.prev_remarks {
        let remarks = crate::value::join_remarks(&row.flags, &row.remarks);
        sheet.write_string_with_format(r, c, remarks, &styles.text)?;
    }
    Ok(())
}

/// 実績値 a number or an accepted word; 備考 offers the flag choices.
fn validations(
    sheet: &mut Worksheet,
    input_ranges: &[(u32, u32)],
    at: &FormColumns,
    profile: &Profile,
    o: &FormOptions,
) -> Result<(), XlsxError> {
    let f = &profile.form;
    let actual_col = at.of(profile, Field::Actual);
    let remarks_col = at.of(profile, Field::Remarks);
    for (first, last) in input_ranges {
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
    Ok(())
}

/// The width of the guide's one column, in Excel's character units: narrower than an A4
/// page in portrait, so its lines wrap within the page at any scale.
const GUIDE_WIDTH: f64 = 72.0;

/// 記入要領: the title and one wrapped line per item, on one printed page (A4 portrait,
/// fitted), protected.
fn guide_sheet(guide: &mut Worksheet, profile: &Profile, o: &FormOptions) -> Result<(), XlsxError> {
    let f = &profile.form;
    let book = &profile.layout.book;
    let mut shell = Shell::new(
        &f.guide_sheet,
        Page {
            paper: 9,
            landscape: false,
            fit: (1, 1),
            center: false,
            ..Page::of_book(book)
        },
    );
    shell.widths = vec![GUIDE_WIDTH];
    shell.apply(guide)?;
    let styles = Styles::new(book);
    let wrap = Format::new()
        .set_font_name(&book.font)
        .set_font_size(book.font_size + 1.0)
        .set_text_wrap();
    guide.write_string_with_format(0, 0, fill(&f.guide_title, profile, o), &styles.title)?;
    for (i, line) in f.guide.iter().enumerate() {
        let text = fill(line, profile, o);
        let lines = text_lines(&text, GUIDE_WIDTH) as f64;
        guide.set_row_height(2 + i as u32, lines * (LINE_PT + 2.0) + PAD_PT)?;
        guide.write_string_with_format(2 + i as u32, 0, text, &wrap)?;
    }
    guide.protect();
    Ok(())
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
