//! The page's assets, compiled into the binary (no CDN: an office PC may have no
//! internet), and its texts from the catalogue's `[web]` block.
//!
//! `index.html` holds `{{key}}` holes, each filled with the HTML-escaped text of
//! `web.key`; `{{texts}}` is the whole `[web]` block as JSON for the script (the texts
//! it shows as the check comes back).

use crate::profile::Profile;

const INDEX: &str = include_str!("assets/index.html");
/// The page's script.
pub const SCRIPT: &str = include_str!("assets/app.js");
/// The page's style.
pub const STYLE: &str = include_str!("assets/app.css");

/// The page in the profile's language.
pub fn index(profile: &Profile) -> String {
    let mut out = String::with_capacity(INDEX.len() * 2);
    let mut rest = INDEX;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let key = &after[..end];
        if key == "texts" {
            out.push_str(&texts_json(profile));
        } else {
            out.push_str(&escape(&profile.message(&format!("web.{key}"), &[])));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The `[web]` texts as a JSON object, safe inside a `<script>` element.
fn texts_json(profile: &Profile) -> String {
    let texts: std::collections::BTreeMap<&str, &str> = profile
        .messages
        .0
        .iter()
        .filter_map(|(id, text)| Some((id.strip_prefix("web.")?, text.as_str())))
        .collect();
    serde_json::to_string(&texts)
        .unwrap_or_else(|_| "{}".to_string())
        .replace("</", "<\\/")
}

/// Text as HTML shows it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;

    #[test]
    fn every_hole_of_the_page_is_in_both_catalogues() {
        for lang in [Lang::Ja, Lang::En] {
            let profile = Profile::builtin(lang);
            let page = index(&profile);
            assert!(!page.contains("{{"), "{page}");
            // a hole without its text shows its id: none may
            assert!(!page.contains("web."), "{lang:?}");
        }
        let ja = index(&Profile::builtin(Lang::Ja));
        assert!(ja.contains("<html lang=\"ja\">") && ja.contains("各課からの提出ファイル"));
        let en = index(&Profile::builtin(Lang::En));
        assert!(en.contains("<html lang=\"en\">") && en.contains("The departments' returns"));
    }

    #[test]
    fn texts_cannot_close_the_script() {
        let mut profile = Profile::builtin(Lang::Ja);
        profile
            .messages
            .0
            .insert("web.x".into(), "</script><b>".into());
        assert!(!texts_json(&profile).contains("</script>"));
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
