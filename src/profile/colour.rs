//! The colours a profile names (the header's and the marks' fills in `layout.toml`, the
//! forms' input cells in `form.toml`, each grade's fill in `grades.toml`), checked when
//! the profile loads: a colour that is not RGB hex would otherwise be written as white,
//! and a working book whose marks are all white says nothing changed.

use std::path::PathBuf;

use super::{FormLayout, Layout, TemplateError};

/// Whether `text` is a colour as the templates write one: six hexadecimal digits, RGB,
/// with or without a leading `#` (`FFF2CC`, `#FFF2CC`).
pub fn is_rgb(text: &str) -> bool {
    let hex = text.strip_prefix('#').unwrap_or(text);
    hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first colour of the profile that is not one, as the error that stops it loading
/// (its file, its key as `table.key`, what is written there).
pub fn check(
    layout: &Layout,
    form: &FormLayout,
    grades: &super::grades::Grades,
) -> Result<(), TemplateError> {
    let book = &layout.book;
    let named = [
        ("layout.toml", "book.header_fill", Some(&book.header_fill)),
        ("layout.toml", "book.section_fill", Some(&book.section_fill)),
        ("layout.toml", "book.changed_fill", Some(&book.changed_fill)),
        ("layout.toml", "book.new_fill", Some(&book.new_fill)),
        (
            "layout.toml",
            "book.not_returned_fill",
            Some(&book.not_returned_fill),
        ),
        ("form.toml", "input_fill", Some(&form.input_fill)),
    ];
    let grade_fills = grades
        .grade
        .iter()
        .map(|g| ("grades.toml", "grade.fill", g.fill.as_ref()));
    for (file, key, value) in named.into_iter().chain(grade_fills) {
        match value {
            Some(value) if !is_rgb(value) => {
                return Err(TemplateError::TemplateColour {
                    file: PathBuf::from(file),
                    key: key.to_string(),
                    value: value.clone(),
                })
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_hex_digits_with_or_without_a_hash_are_a_colour() {
        for good in ["FFF2CC", "#fff2cc", "000000", "#D9D9D9"] {
            assert!(is_rgb(good), "{good}");
        }
        for bad in [
            "",
            "FFF2C",
            "FFF2CCC",
            "##FFF2CC",
            "黄色",
            "FFF2CG",
            "red",
            "ＦＦＦ２ＣＣ",
        ] {
            assert!(!is_rgb(bad), "{bad}");
        }
    }
}
