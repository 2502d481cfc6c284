//! Text as a terminal may show it: what kpiroll prints comes from files a department
//! made, so a control character in a cell must not move the cursor or forge a line.

use std::borrow::Cow;

/// `text` as it may be shown on a terminal: control characters that would move the
/// cursor, clear the screen, set the window title, hide text or start a new line (a
/// forged report line) are shown escaped (`\x1b`, `\n`, `\r`, `\u{202e}`); a tab stays.
/// Every message kpiroll prints and diff's text report go through it.
pub fn shown(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if hidden(c) && u32::from(c) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("産学振興課\tR7"), "産学振興課\tR7");
        assert_eq!(
            shown("a\u{1b}]0;x\u{7}b\u{1b}[2J\nc\rd\u{202e}e\u{85}"),
            "a\\x1b]0;x\\x07b\\x1b[2J\\nc\\rd\\u{202e}e\\x85"
        );
    }
}
