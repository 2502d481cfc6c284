//! The page every sheet is printed on, and each sheet's shell.
//!
//! A [`Shell`] is everything of a sheet but its cells, as plain data: name, column
//! widths, frozen rows, the filter's range, the rows printed on every page, page breaks
//! and the page itself (paper, orientation, fit, margins, header and footer). Each sheet
//! kpiroll writes states its shell in one place and [`Shell::apply`] hands it to the
//! sheet, so another writer of the package can take the same data.
//!
//! How much text a row holds on paper ([`LINE_PT`], [`PAD_PT`], [`text_lines`]) is
//! measured here too: every sheet's row heights and the handout's page breaks use it.

use super::xlsx::{SheetSetup, XlsxError};

use crate::profile::{BookLayout, Profile};

/// Points per line of text at the book's font size, and a cell's padding.
pub const LINE_PT: f64 = 13.0;
pub const PAD_PT: f64 = 3.0;

/// How a sheet is printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Excel's paper code (8 = A3, 9 = A4)
    pub paper: u8,
    pub landscape: bool,
    /// pages wide and tall the sheet is fitted to (0 = as many as it takes)
    pub fit: (u16, u16),
    pub center: bool,
    /// left/right margin in inches (top/bottom a tenth more, header/footer half)
    pub margin: f64,
    /// the page header (`&C…`), when there is one
    pub header: Option<String>,
    /// the page footer (`&C&P / &N`)
    pub footer: String,
}

impl Page {
    /// The page of every table kpiroll writes: paper, orientation, pages wide, margins
    /// and the footer from layout.toml `[book]`, centred.
    pub fn of_book(book: &BookLayout) -> Page {
        Page {
            paper: book.paper,
            landscape: book.landscape,
            fit: (book.fit_width, 0),
            center: true,
            margin: book.margin_inches,
            header: None,
            footer: format!("&C{}", book.footer),
        }
    }
}

impl Page {
    /// Hands the page to a sheet of either writer.
    pub fn apply(&self, sheet: &mut impl SheetSetup) {
        let page = self;
        sheet.set_paper_size(page.paper);
        if page.landscape {
            sheet.set_landscape();
        }
        sheet.set_print_fit_to_pages(page.fit.0, page.fit.1);
        if page.center {
            sheet.set_print_center_horizontally(true);
        }
        let m = page.margin;
        sheet.set_margins(m, m, m + 0.1, m + 0.1, m / 2.0, m / 2.0);
        if let Some(header) = &page.header {
            sheet.set_header(header);
        }
        sheet.set_footer(&page.footer);
    }
}

/// A sheet's shell: all but its cells (see the module's note).
#[derive(Debug, Clone, PartialEq)]
pub struct Shell {
    pub name: String,
    /// column widths from column A, in Excel's character units
    pub widths: Vec<f64>,
    /// rows frozen at the top (the pane starts below them)
    pub freeze_rows: u32,
    /// the filter's range: first row (its header), first column, last row, last column
    pub filter: Option<(u32, u16, u32, u16)>,
    /// the first and last row printed at the top of every page
    pub print_titles: Option<(u32, u32)>,
    /// manual page breaks: the rows that start a page
    pub breaks: Vec<u32>,
    pub page: Page,
}

impl Shell {
    /// A shell named `name` printed on `page`, with nothing else set.
    pub fn new(name: &str, page: Page) -> Shell {
        Shell {
            name: name.to_string(),
            widths: Vec::new(),
            freeze_rows: 0,
            filter: None,
            print_titles: None,
            breaks: Vec::new(),
            page,
        }
    }

    /// Hands the shell to a sheet of either writer.
    ///
    /// # Errors
    /// Excel's limits (a name Excel refuses, a row beyond the grid).
    pub fn apply(&self, sheet: &mut impl SheetSetup) -> Result<(), XlsxError> {
        sheet.set_name(&self.name)?;
        for (c, width) in self.widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *width)?;
        }
        if self.freeze_rows > 0 {
            sheet.set_freeze_panes(self.freeze_rows, 0)?;
        }
        if let Some((r1, c1, r2, c2)) = self.filter {
            sheet.autofilter(r1, c1, r2, c2)?;
        }
        if let Some((first, last)) = self.print_titles {
            sheet.set_repeat_rows(first, last)?;
        }
        if !self.breaks.is_empty() {
            sheet.set_page_breaks(&self.breaks)?;
        }
        self.page.apply(sheet);
        Ok(())
    }
}

/// Text for a page header or footer as it is printed: `&` doubled (a single one starts
/// a code).
pub fn header_footer_text(text: &str) -> String {
    text.replace('&', "&&")
}

/// Lines a text wraps to in a column `width` characters wide (a full-width character
/// takes about two digits' width: Excel's width unit is the width of a digit).
pub fn text_lines(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| ((text_units(line) / room).ceil() as usize).max(1))
        .sum()
}

/// The width of one line of text in digit widths.
pub fn text_units(line: &str) -> f64 {
    line.chars()
        .map(|c| {
            if (c as u32) < 0x2E80 || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                1.0
            } else {
                2.0
            }
        })
        .sum()
}

/// The sheet height (in points) one printed page of the table holds, after fitting its
/// columns to the page width.
pub fn printable_height(profile: &Profile) -> f64 {
    let b = &profile.layout.book;
    // ISO A3 / A4 in points; other papers are treated as A3
    let (long, short) = if b.paper == 9 {
        (841.9, 595.3)
    } else {
        (1190.6, 841.9)
    };
    let (width, height) = if b.landscape {
        (long, short)
    } else {
        (short, long)
    };
    let margin = b.margin_inches * 72.0;
    let columns_pt: f64 = profile
        .layout
        .columns
        .iter()
        .map(|c| (c.width * 7.0 + 5.0) * 0.75)
        .sum();
    let scale = ((width - 2.0 * margin) / columns_pt).min(1.0);
    (height - 2.0 * (margin + 7.2)) * 0.95 / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_text_takes_two_digits_a_character() {
        assert_eq!(text_units("産業振興課"), 10.0);
        assert_eq!(text_units("R7ｶﾅ"), 4.0);
        assert_eq!(text_lines("産業振興課", 11.0), 1);
        assert_eq!(text_lines("産業振興課", 10.0), 2);
        assert_eq!(text_lines("a\nb", 10.0), 2);
    }

    #[test]
    fn an_ampersand_in_a_page_header_is_printed_as_one() {
        assert_eq!(header_footer_text("A&B"), "A&&B");
    }
}
