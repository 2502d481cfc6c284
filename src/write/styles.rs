//! Every cell format of the books, defined once, from `templates/layout.toml`.
//!
//! Number formats are made on demand (one per distinct format code) and cached in a
//! `BTreeMap`, so the same code always gets the same format and the styles part of the
//! file does not depend on hash order.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use super::marks::Fill;
use crate::profile::BookLayout;

/// The formats of one book.
#[derive(Debug, Clone)]
pub struct Styles {
    pub title: Format,
    pub section: Format,
    pub header: Format,
    /// wrapped text, top-aligned, thin border
    pub text: Format,
    /// short text centred (施策 number, 単位)
    pub centered: Format,
    /// numbers written as text keep right alignment
    pub value_text: Format,
    /// the fills of the working book's marks (never in the handout), by [`Fill`]
    fills: [Option<Color>; 4],
    numbers: BTreeMap<String, Format>,
    base: Format,
}

/// A colour written as RGB hex in a template (`FFF2CC`, `#FFF2CC`); white when it is
/// not one.
pub fn rgb(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0xFFFFFF))
}

impl Styles {
    pub fn new(book: &BookLayout) -> Styles {
        let base = Format::new()
            .set_font_name(&book.font)
            .set_font_size(book.font_size);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        Styles {
            title: base.clone().set_font_size(book.title_font_size).set_bold(),
            section: base
                .clone()
                .set_font_size(book.section_font_size)
                .set_bold()
                .set_background_color(rgb(&book.section_fill)),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(rgb(&book.header_fill)),
            text: cell.clone().set_align(FormatAlign::Left),
            centered: cell.clone().set_align(FormatAlign::Center),
            value_text: cell.clone().set_align(FormatAlign::Right),
            fills: [
                None,
                Some(rgb(&book.changed_fill)),
                Some(rgb(&book.new_fill)),
                Some(rgb(&book.not_returned_fill)),
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
            Some(color) => format.clone().set_background_color(color),
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
                .set_align(FormatAlign::Right)
                .set_num_format(code);
            self.numbers.insert(code.to_string(), format);
        }
        &self.numbers[code]
    }
}
