//! Text made safe for an XML part: the five markup characters as entities, and every
//! character XML 1.0 forbids (control characters other than tab, newline and carriage
//! return; U+FFFE, U+FFFF) as U+FFFD, so a sheet name, a note or a footer taken from a
//! file or a profile can never make a part unreadable. (Cell text keeps Excel's own
//! `_xHHHH_` escapes: [`super::cells`].)

use std::borrow::Cow;

/// `text` escaped for element text and attribute values alike.
pub fn escape(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

/// `text` escaped for element text (quotes as they are).
pub fn escape_text(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

fn escaped(text: &str, quotes: bool) -> Cow<'_, str> {
    let markup = |c: char| {
        matches!(c, '&' | '<' | '>' | '\u{FFFE}' | '\u{FFFF}')
            || (quotes && matches!(c, '"' | '\''))
    };
    let clean = |c: char| !markup(c) && (c >= ' ' || matches!(c, '\t' | '\n' | '\r'));
    if text.chars().all(clean) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            '\'' if quotes => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters() {
        assert_eq!(escape("一覧"), "一覧");
        assert_eq!(
            escape("a<b>&\"c'\u{1}\u{FFFE}\u{FFFF}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\u{FFFD}\u{FFFD}\n"
        );
        assert_eq!(escape_text("\"R7\" & 'x'"), "\"R7\" &amp; 'x'");
    }
}
