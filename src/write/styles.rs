//! Every cell format of the books, defined once, from `templates/layout.toml`.
//!
//! [`Formats`] are kpiroll's own ([`super::xlsx::Format`]): the book and the working
//! book are written with them by [`super::xlsx`]. [`Styles`] are the same formats
//! rendered for rust_xlsxwriter, for the workbooks it makes (the forms, the diff
//! report). Number formats are made on demand (one per distinct format code) and cached
//! in a `BTreeMap`, so the same code always gets the same format and the styles part of
//! the file does not depend on hash order.

use std::collections::BTreeMap;

use rust_xlsxwriter::Color;

use super::marks::Fill;
use super::xlsx::{Align, Format};
use crate::profile::BookLayout;

/// The formats of one book.
#[derive(Debug, Clone)]
pub struct Formats {
    pub title: Format,
    pub section: Format,
    pub header: Format,
    /// wrapped text, top-aligned, thin border
    pub text: Format,
    /// short text centred (施策 number, 単位)
    pub centered: Format,
    /// numbers written as text keep right alignment
    pub value_text: Format,
    /// the fills (RGB) of the working book's marks (never in the handout), by [`Fill`]
    fills: [Option<u32>; 4],
    numbers: BTreeMap<String, Format>,
    base: Format,
}

/// A colour written as RGB hex in a template (`FFF2CC`, `#FFF2CC`). A profile whose
/// colour is not one does not load ([`crate::profile::is_rgb`]); white stands in here.
pub fn rgb_value(hex: &str) -> u32 {
    u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0xFFFFFF)
}

/// The same colour for rust_xlsxwriter.
pub fn rgb(hex: &str) -> Color {
    Color::RGB(rgb_value(hex))
}

impl Formats {
    pub fn new(book: &BookLayout) -> Formats {
        let base = Format::new()
            .set_font_name(&book.font)
            .set_font_size(book.font_size);
        let cell = base
            .clone()
            .set_border_thin()
            .set_align(Align::VerticalCenter)
            .set_text_wrap();
        Formats {
            title: base.clone().set_font_size(book.title_font_size).set_bold(),
            section: base
                .clone()
                .set_font_size(book.section_font_size)
                .set_bold()
                .set_background_color(rgb_value(&book.section_fill)),
            header: cell
                .clone()
                .set_bold()
                .set_align(Align::Center)
                .set_background_color(rgb_value(&book.header_fill)),
            text: cell.clone().set_align(Align::Left),
            centered: cell.clone().set_align(Align::Center),
            value_text: cell.clone().set_align(Align::Right),
            fills: [
                None,
                Some(rgb_value(&book.changed_fill)),
                Some(rgb_value(&book.new_fill)),
                Some(rgb_value(&book.not_returned_fill)),
            ],
            numbers: BTreeMap::new(),
            base: cell,
        }
    }

    /// `format` with the fill of a changed cell.
    pub fn highlighted(&self, format: &Format) -> Format {
        self.marked(format, Fill::Changed)
    }

    /// `format` with the fill of a mark (working book only).
    pub fn marked(&self, format: &Format, fill: Fill) -> Format {
        match self.fills[fill as usize] {
            Some(rgb) => format.clone().set_background_color(rgb),
            None => format.clone(),
        }
    }

    /// The format for a number shown with `code` (right-aligned, bordered), made once
    /// per code.
    pub fn number(&mut self, code: &str) -> &Format {
        if !self.numbers.contains_key(code) {
            let format = self
                .base
                .clone()
                .set_align(Align::Right)
                .set_num_format(code);
            self.numbers.insert(code.to_string(), format);
        }
        &self.numbers[code]
    }
}

/// The same formats for rust_xlsxwriter (the forms, the diff report).
#[derive(Debug, Clone)]
pub struct Styles {
    pub title: rust_xlsxwriter::Format,
    pub section: rust_xlsxwriter::Format,
    pub header: rust_xlsxwriter::Format,
    pub text: rust_xlsxwriter::Format,
    pub centered: rust_xlsxwriter::Format,
    pub value_text: rust_xlsxwriter::Format,
    formats: Formats,
    numbers: BTreeMap<String, rust_xlsxwriter::Format>,
}

impl Styles {
    pub fn new(book: &BookLayout) -> Styles {
        let formats = Formats::new(book);
        Styles {
            title: formats.title.to_xlsxwriter(),
            section: formats.section.to_xlsxwriter(),
            header: formats.header.to_xlsxwriter(),
            text: formats.text.to_xlsxwriter(),
            centered: formats.centered.to_xlsxwriter(),
            value_text: formats.value_text.to_xlsxwriter(),
            formats,
            numbers: BTreeMap::new(),
        }
    }

    /// `format` with the fill of a changed cell.
    pub fn highlighted(&self, format: &rust_xlsxwriter::Format) -> rust_xlsxwriter::Format {
        self.marked(format, Fill::Changed)
    }

    /// `format` with the fill of a mark.
    pub fn marked(&self, format: &rust_xlsxwriter::Format, fill: Fill) -> rust_xlsxwriter::Format {
        match self.formats.fills[fill as usize] {
            Some(rgb) => format.clone().set_background_color(Color::RGB(rgb)),
            None => format.clone(),
        }
    }

    /// The format for a number shown with `code` (right-aligned, bordered), made once
    /// per code.
    pub fn number(&mut self, code: &str) -> &rust_xlsxwriter::Format {
        if !self.numbers.contains_key(code) {
            let format = self.formats.number(code).to_xlsxwriter();
            self.numbers.insert(code.to_string(), format);
        }
        &self.numbers[code]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_formats_are_the_books() {
        let layout = crate::profile::Profile::builtin(crate::profile::Lang::Ja).layout;
        let mut formats = Formats::new(&layout.book);
        let mut styles = Styles::new(&layout.book);
        assert_eq!(styles.header, formats.header.to_xlsxwriter());
        assert_eq!(
            styles.number("#,##0"),
            &formats.number("#,##0").to_xlsxwriter()
        );
        for fill in Fill::ALL {
            assert_eq!(
                styles.marked(&styles.text, fill),
                formats.marked(&formats.text, fill).to_xlsxwriter()
            );
        }
    }
}
