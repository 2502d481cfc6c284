//! `xl/styles.xml`: the workbook's cell formats, numbered as [`super::Xfs`] numbered them
//! (format k is `<xf>` k of `<cellXfs>`; 0 is Excel's default).
//!
//! Fonts, fills, borders and number formats are each written once, in the order the
//! formats first use them, so the part depends only on the formats and their order.

use std::fmt::Write;

use super::format::{Font, Format, Horizontal, Vertical};
use super::xml::escape;

/// The first number a custom number format gets (Excel's built-in ones are below).
const FIRST_CUSTOM_NUM_FORMAT: u32 = 164;

/// The styles part for `formats` (format number k + 1 is `formats[k]`).
pub fn styles_xml(formats: &[Format]) -> String {
    let default = Format::new();
    let all: Vec<&Format> = std::iter::once(&default).chain(formats).collect();
    let mut fonts = Vec::new();
    let mut fills: Vec<u32> = Vec::new();
    let mut codes: Vec<&str> = Vec::new();
    let mut ids = Vec::with_capacity(all.len());
    for f in &all {
        let font = position_or_push(&mut fonts, &f.font);
        // fills 0 and 1 are Excel's own (none, gray125)
        let fill = f
            .fill
            .map_or(0, |rgb| 2 + position_or_push(&mut fills, &rgb));
        let code = f.num_format.as_deref().map_or(0, |c| {
            FIRST_CUSTOM_NUM_FORMAT + position_or_push(&mut codes, &c) as u32
        });
        ids.push((font, fill, code));
    }
    let mut x = String::with_capacity(1024 + 300 * all.len());
    x.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    ));
    if !codes.is_empty() {
        let _ = write!(x, "<numFmts count=\"{}\">", codes.len());
        for (k, code) in codes.iter().enumerate() {
            let _ = write!(
                x,
                "<numFmt numFmtId=\"{}\" formatCode=\"{}\"/>",
                FIRST_CUSTOM_NUM_FORMAT + k as u32,
                escape(code)
            );
        }
        x.push_str("</numFmts>");
    }
    let _ = write!(x, "<fonts count=\"{}\">", fonts.len());
    for font in &fonts {
        x.push_str("<font>");
        if font.bold {
            x.push_str("<b/>");
        }
        let _ = write!(
            x,
            "<sz val=\"{}\"/><color theme=\"1\"/><name val=\"{}\"/><family val=\"2\"/>",
            font.size(),
            escape(&font.name)
        );
        if *font == Font::default() {
            x.push_str("<scheme val=\"minor\"/>");
        }
        x.push_str("</font>");
    }
    x.push_str("</fonts>");
    let _ = write!(
        x,
        "<fills count=\"{}\"><fill><patternFill patternType=\"none\"/></fill>\
         <fill><patternFill patternType=\"gray125\"/></fill>",
        fills.len() + 2
    );
    for rgb in &fills {
        let _ = write!(
            x,
            "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF{rgb:06X}\"/>\
             <bgColor indexed=\"64\"/></patternFill></fill>"
        );
    }
    x.push_str("</fills>");
    x.push_str(
        "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
         <border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\">\
         <color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top>\
         <bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>",
    );
    x.push_str(
        "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" \
         borderId=\"0\"/></cellStyleXfs>",
    );
    let _ = write!(x, "<cellXfs count=\"{}\">", all.len());
    for (f, (font, fill, code)) in all.iter().zip(&ids) {
        xf(&mut x, f, *font, *fill, *code);
    }
    x.push_str(
        "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" \
         builtinId=\"0\"/></cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" \
         defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>\
         </styleSheet>",
    );
    x
}

/// One `<xf>` of `<cellXfs>`.
fn xf(x: &mut String, f: &Format, font: usize, fill: usize, code: u32) {
    let border = usize::from(f.border);
    let _ = write!(
        x,
        "<xf numFmtId=\"{code}\" fontId=\"{font}\" fillId=\"{fill}\" borderId=\"{border}\" xfId=\"0\""
    );
    for (apply, name) in [
        (code > 0, "applyNumberFormat"),
        (font > 0, "applyFont"),
        (fill > 0, "applyFill"),
        (border > 0, "applyBorder"),
    ] {
        if apply {
            let _ = write!(x, " {name}=\"1\"");
        }
    }
    let horizontal = match f.horizontal {
        Horizontal::General => None,
        Horizontal::Left => Some("left"),
        Horizontal::Center => Some("center"),
        Horizontal::Right => Some("right"),
    };
    let vertical = match f.vertical {
        Vertical::Bottom => None,
        Vertical::Top => Some("top"),
        Vertical::Center => Some("center"),
    };
    if horizontal.is_none() && vertical.is_none() && !f.wrap {
        x.push_str("/>");
        return;
    }
    x.push_str(" applyAlignment=\"1\"><alignment");
    if let Some(h) = horizontal {
        let _ = write!(x, " horizontal=\"{h}\"");
    }
    if let Some(v) = vertical {
        let _ = write!(x, " vertical=\"{v}\"");
    }
    if f.wrap {
        x.push_str(" wrapText=\"1\"");
    }
    x.push_str("/></xf>");
}

/// The position of `item` in `list`, pushed at the end when it is not there.
fn position_or_push<T: PartialEq + Clone>(list: &mut Vec<T>, item: &T) -> usize {
    match list.iter().position(|i| i == item) {
        Some(k) => k,
        None => {
            list.push(item.clone());
            list.len() - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::xlsx::format::Align;

    #[test]
    fn the_styles_part_of_three_formats() {
        let base = Format::new()
            .set_font_name("ＭＳ ゴシック")
            .set_font_size(10.0);
        let header = base
            .clone()
            .set_bold()
            .set_border_thin()
            .set_align(Align::Center)
            .set_align(Align::VerticalCenter)
            .set_text_wrap()
            .set_background_color(0xD9D9D9);
        let number = base
            .clone()
            .set_border_thin()
            .set_align(Align::Right)
            .set_num_format("0.0\"%\"");
        let xml = styles_xml(&[header, number, base]);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
             <numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.0&quot;%&quot;\"/></numFmts>\
             <fonts count=\"3\">\
             <font><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>\
             <font><b/><sz val=\"10\"/><color theme=\"1\"/><name val=\"ＭＳ ゴシック\"/><family val=\"2\"/></font>\
             <font><sz val=\"10\"/><color theme=\"1\"/><name val=\"ＭＳ ゴシック\"/><family val=\"2\"/></font>\
             </fonts>\
             <fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill>\
             <fill><patternFill patternType=\"gray125\"/></fill>\
             <fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFD9D9D9\"/><bgColor indexed=\"64\"/></patternFill></fill>\
             </fills>\
             <borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
             <border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right>\
             <top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
             <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
             <cellXfs count=\"4\">\
             <xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
             <xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>\
             <xf numFmtId=\"164\" fontId=\"2\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"right\"/></xf>\
             <xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
             </cellXfs>\
             <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
             <dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>\
             </styleSheet>"
        );
    }
}
