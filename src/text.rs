//! Text as kpiroll compares it: NFKC (full-width digits and letters read like
//! half-width ones), with the ends trimmed or every space removed. The ground every
//! other module stands on: it imports nothing of the crate.

use unicode_normalization::UnicodeNormalization;

/// Whether `text` is surely NFKC already (most cell text is): a range test per
/// character for the scripts a Japanese table is written in, the Unicode quick check
/// (a table lookup per character) for anything else; normalising decomposes and
/// recomposes every character.
pub fn is_nfkc(text: &str) -> bool {
    // ASCII is always NFKC; most keys, numbers and units are ASCII
    text.is_ascii()
        || text.chars().all(stable_char)
        || unicode_normalization::is_nfkc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes
}

/// Characters NFKC leaves alone whatever surrounds them: ASCII (but not control
/// characters that whitespace rules care about), hiragana and katakana without the
/// combining or spacing sound marks and without ゟ/ヿ (ligatures NFKC spells out), the
/// unified ideographs (not the compatibility ones at U+F900), 々〆〇 and the common
/// Japanese brackets and stops. Full-width forms (`１`, `Ａ`), half-width katakana, the
/// ideographic space and circled numbers are not in the list: NFKC changes them.
fn stable_char(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{3041}'..='\u{3096}' // hiragana
        | '\u{309D}'..='\u{309E}' // ゝゞ
        | '\u{30A1}'..='\u{30FE}' // katakana, ・ー ヽヾ
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{3001}'..='\u{3002}' // 、。
        | '\u{3005}'..='\u{3007}' // 々〆〇
        | '\u{3008}'..='\u{3011}' // 〈〉《》「」『』【】
        | '\u{3014}'..='\u{301B}' // 〔〕〖〗〘〙〚〛
        | '\n')
}

/// NFKC with the ends trimmed: `１，０００ ` → `1,000`.
pub fn nfkc(text: &str) -> String {
    if is_nfkc(text) {
        return text.trim().to_string();
    }
    text.nfkc().collect::<String>().trim().to_string()
}

/// NFKC with every whitespace character removed: `K P I` → `KPI`.
pub fn nfkc_compact(text: &str) -> String {
    if is_nfkc(text) {
        return text.chars().filter(|c| !c.is_whitespace()).collect();
    }
    text.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// How headers are compared: NFKC, no spaces, lower case.
pub fn header_norm(text: &str) -> String {
    nfkc_compact(text).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stable_ranges_are_left_alone_by_nfkc() {
        use unicode_normalization::UnicodeNormalization;
        // every character the fast path calls stable, alone and after every other one
        let stable: Vec<char> = (0..0x11_0000u32)
            .filter_map(char::from_u32)
            .filter(|c| stable_char(*c))
            .collect();
        assert!(stable.len() > 20_000);
        for c in &stable {
            let one = c.to_string();
            assert_eq!(one.nfkc().collect::<String>(), one, "U+{:04X}", *c as u32);
        }
        let text: String = stable.iter().collect();
        assert_eq!(text.nfkc().collect::<String>(), text);
        // and the ones a Japanese return does hold that NFKC changes are not stable
        for c in [
            '１', 'Ａ', '\u{3000}', '①', 'ｶ', '\u{3099}', '\u{309B}', 'ヿ', '\u{F900}',
        ] {
            assert!(!stable_char(c), "U+{:04X}", c as u32);
        }
    }
}
