//! A cell format as kpiroll defines it: font, bold, fill, thin border, alignment, wrap
//! and number format — the few properties its books use.
//!
//! It is kpiroll's own value (equal formats compare equal and hash alike, whatever
//! order they were set in), rendered two ways: as an `<xf>` of the styles part this
//! module writes ([`super::styles`]), and as a [`rust_xlsxwriter::Format`] for the
//! workbooks rust_xlsxwriter still makes (the forms, the diff report). The setters
//! mirror rust_xlsxwriter's, so a format reads the same in either.

/// Horizontal or vertical alignment, as rust_xlsxwriter's `FormatAlign` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Align {
    Left,
    Center,
    Right,
    Top,
    VerticalCenter,
}

/// A cell's horizontal alignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Horizontal {
    #[default]
    General,
    Left,
    Center,
    Right,
}

/// A cell's vertical alignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vertical {
    #[default]
    Bottom,
    Top,
    Center,
}

/// The font of a format: name, size in points (as bits, so the format hashes), bold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Font {
    pub name: String,
    size_bits: u64,
    pub bold: bool,
}

/// Excel's default font.
pub(crate) const DEFAULT_FONT: &str = "Calibri";
pub(crate) const DEFAULT_FONT_SIZE: f64 = 11.0;

impl Default for Font {
    fn default() -> Font {
        Font {
            name: DEFAULT_FONT.to_string(),
            size_bits: DEFAULT_FONT_SIZE.to_bits(),
            bold: false,
        }
    }
}

impl Font {
    /// The size in points.
    pub fn size(&self) -> f64 {
        f64::from_bits(self.size_bits)
    }
}

/// A cell format (see the module's documentation). `Format::new()` is Excel's default
/// format, number 0 of every workbook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Format {
    pub font: Font,
    /// a solid fill, RGB
    pub fill: Option<u32>,
    /// a thin border on all four sides
    pub border: bool,
    pub horizontal: Horizontal,
    pub vertical: Vertical,
    pub wrap: bool,
    /// a number format code (`None`: General)
    pub num_format: Option<String>,
}

impl Format {
    pub fn new() -> Format {
        Format::default()
    }

    #[must_use]
    pub fn set_font_name(mut self, name: &str) -> Format {
        self.font.name = name.to_string();
        self
    }

    #[must_use]
    pub fn set_font_size(mut self, points: f64) -> Format {
        self.font.size_bits = points.to_bits();
        self
    }

    #[must_use]
    pub fn set_bold(mut self) -> Format {
        self.font.bold = true;
        self
    }

    /// A solid fill of colour `rgb` (0xRRGGBB).
    #[must_use]
    pub fn set_background_color(mut self, rgb: u32) -> Format {
        self.fill = Some(rgb & 0xFF_FFFF);
        self
    }

    /// A thin border on every side.
    #[must_use]
    pub fn set_border_thin(mut self) -> Format {
        self.border = true;
        self
    }

    #[must_use]
    pub fn set_align(mut self, align: Align) -> Format {
        match align {
            Align::Left => self.horizontal = Horizontal::Left,
            Align::Center => self.horizontal = Horizontal::Center,
            Align::Right => self.horizontal = Horizontal::Right,
            Align::Top => self.vertical = Vertical::Top,
            Align::VerticalCenter => self.vertical = Vertical::Center,
        }
        self
    }

    #[must_use]
    pub fn set_text_wrap(mut self) -> Format {
        self.wrap = true;
        self
    }

    #[must_use]
    pub fn set_num_format(mut self, code: &str) -> Format {
        self.num_format = Some(code.to_string());
        self
    }

    /// The same format as rust_xlsxwriter's, for a workbook it makes.
    pub fn to_xlsxwriter(&self) -> rust_xlsxwriter::Format {
        use rust_xlsxwriter::{Color, Format as X, FormatAlign, FormatBorder};
        let mut x = X::new();
        if self.font != Font::default() {
            x = x
                .set_font_name(&self.font.name)
                .set_font_size(self.font.size());
        }
        if self.font.bold {
            x = x.set_bold();
        }
        if let Some(rgb) = self.fill {
            x = x.set_background_color(Color::RGB(rgb));
        }
        if self.border {
            x = x.set_border(FormatBorder::Thin);
        }
        x = match self.vertical {
            Vertical::Bottom => x,
            Vertical::Top => x.set_align(FormatAlign::Top),
            Vertical::Center => x.set_align(FormatAlign::VerticalCenter),
        };
        if self.wrap {
            x = x.set_text_wrap();
        }
        x = match self.horizontal {
            Horizontal::General => x,
            Horizontal::Left => x.set_align(FormatAlign::Left),
            Horizontal::Center => x.set_align(FormatAlign::Center),
            Horizontal::Right => x.set_align(FormatAlign::Right),
        };
        if let Some(code) = &self.num_format {
            x = x.set_num_format(code);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_formats_are_equal_whatever_order_they_were_set_in() {
        let a = Format::new()
            .set_bold()
            .set_align(Align::Center)
            .set_align(Align::VerticalCenter);
        let b = Format::new()
            .set_align(Align::VerticalCenter)
            .set_align(Align::Center)
            .set_bold();
        assert_eq!(a, b);
        assert_ne!(a, Format::new());
    }

    #[test]
    fn rendered_for_rust_xlsxwriter_it_is_the_same_format() {
        use rust_xlsxwriter::{Color, FormatAlign, FormatBorder};
        let ours = Format::new()
            .set_font_name("ＭＳ ゴシック")
            .set_font_size(10.0)
            .set_border_thin()
            .set_align(Align::VerticalCenter)
            .set_text_wrap()
            .set_align(Align::Right)
            .set_background_color(0xFFF2CC)
            .set_num_format("#,##0");
        let theirs = rust_xlsxwriter::Format::new()
            .set_font_name("ＭＳ ゴシック")
            .set_font_size(10.0)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
            .set_align(FormatAlign::Right)
            .set_background_color(Color::RGB(0xFFF2CC))
            .set_num_format("#,##0");
        assert_eq!(ours.to_xlsxwriter(), theirs);
        assert_eq!(
            Format::new().to_xlsxwriter(),
            rust_xlsxwriter::Format::new()
        );
    }
}
