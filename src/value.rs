//! Reading cell text: values (number, percent, ratio, n/a, text), keys, 課 lists and 備考.
//!
//! Everything is compared after NFKC, so full-width digits and letters read like
//! half-width ones. The raw text is always kept beside the reading: these functions
//! never change what the book will show.

use crate::model::{Value, ValueKind};
use crate::profile::Patterns;
pub use crate::text::{header_norm, is_nfkc, nfkc, nfkc_compact};

/// How every pattern of a city profile meets a cell (one rule, patterns.toml's head
/// says it): the pattern is tried on the text as written, then on its NFKC form, and the
/// first that matches gives the groups. So `（１）創業の支援` is matched by a pattern
/// written `^\((?P<no>[0-9]+)\)` as well as by one written with the full-width
/// brackets, and `基本目標Ⅱ` by one naming the roman numeral (which NFKC spells `II`).
pub fn pattern_captures<T>(
    re: &regex::Regex,
    text: &str,
    f: impl Fn(&regex::Captures) -> T,
) -> Option<T> {
    if let Some(c) = re.captures(text) {
        return Some(f(&c));
    }
    if is_nfkc(text) {
        return None;
    }
    let n = nfkc(text);
    re.captures(&n).map(|c| f(&c))
}

/// Whether a pattern matches a cell as written or after NFKC ([`pattern_captures`]).
pub fn pattern_matches(re: &regex::Regex, text: &str) -> bool {
    re.is_match(text) || (!is_nfkc(text) && re.is_match(&nfkc(text)))
}

/// Splits a cell by a separator pattern, by the rule of [`pattern_captures`]: the text as
/// written when the pattern is found in it, else its NFKC form when found there.
pub fn pattern_split(re: &regex::Regex, text: &str) -> Vec<String> {
    let parts = |t: &str| -> Vec<String> {
        re.split(t)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    if is_nfkc(text) || re.is_match(text) {
        return parts(text);
    }
    let n = nfkc(text);
    if re.is_match(&n) {
        parts(&n)
    } else {
        parts(text)
    }
}

/// The raw text of a cell as kpiroll keeps it: surrounding whitespace removed,
/// Windows line ends made `\n`. A cell of only spaces is blank.
pub fn clean_raw(text: &str) -> String {
    let t = text.trim_matches(|c: char| c.is_whitespace());
    if t.contains('\r') {
        t.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        t.to_string()
    }
}

/// Reads a value cell (目標値, 実績値).
pub fn parse_value(raw: &str, p: &Patterns) -> Value {
    let raw = clean_raw(raw);
    let (kind, number) = read_value(&raw, p);
    Value {
        raw,
        kind,
        number,
        stored: None,
    }
}

/// Reads a value cell that held a number (`stored`) shown as `shown` by its format:
/// the reading is the shown text's, the stored number is kept for the book.
pub fn parse_number_cell(shown: &str, stored: Option<f64>, p: &Patterns) -> Value {
    let mut value = parse_value(shown, p);
    if matches!(value.kind, ValueKind::Number | ValueKind::Percent) {
        value.stored = stored.filter(|x| x.is_finite());
    }
    value
}

/// Whether a 単位 says its numbers are percentages (`%`, `％`, `パーセント`): `96.4%`
/// typed in such a row is the number 96.4, on the scale of the column's other numbers.
pub fn is_percent_unit(unit: &str) -> bool {
    let u = unit.trim();
    // the book asks for every value cell: the common spellings need no normalising
    matches!(u, "%" | "％" | "パーセント")
        || (!is_nfkc(u) && matches!(nfkc_compact(u).as_str(), "%" | "パーセント"))
}

fn read_value(raw: &str, p: &Patterns) -> (ValueKind, Option<f64>) {
    if raw.is_empty() {
        return (ValueKind::Blank, None);
    }
    if p.not_applicable.iter().any(|na| na == raw) {
        return (ValueKind::Na, None);
    }
    let t = nfkc_compact(raw);
    if let Some(n) = parse_number(&t, p) {
        return (ValueKind::Number, Some(n));
    }
    if let Some(body) = t.strip_suffix('%') {
        if let Some(n) = parse_number(body, p) {
            return (ValueKind::Percent, Some(n));
        }
    }
    // 107%(16/14): a percentage followed by the fraction it came from
    if let Some((pct, rest)) = t.split_once('%') {
        if let Some(n) = parse_number(pct, p) {
            if is_fraction(rest) {
                return (ValueKind::Ratio, Some(n));
            }
        }
    }
    (ValueKind::Text, None)
}

/// `(16/14)` after NFKC and without spaces.
fn is_fraction(rest: &str) -> bool {
    let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    let Some((a, b)) = inner.split_once('/') else {
        return false;
    };
    let num = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    };
    num(a) && num(b)
}

/// A plain number after NFKC and without spaces: `1,234`, `-5`, `△5`, `12.50`.
/// Commas must sit between digit groups of three; `1,2` is not a number.
pub fn parse_number(t: &str, p: &Patterns) -> Option<f64> {
    let (negative, body) = match t.chars().next() {
        Some(c) if p.negative_signs.contains(&c) || c == '-' => (true, &t[c.len_utf8()..]),
        Some('+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let plain: String = int.chars().filter(|c| *c != ',').collect();
    let text = match frac {
        Some(f) => format!("{plain}.{f}"),
        None => plain,
    };
    let n: f64 = text.parse().ok()?;
    Some(if negative { -n } else { n })
}

/// Why a 事務事業番号 cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// the cell is blank
    Missing,
    /// this part does not have the key's shape
    Malformed(String),
}

/// The numbers of a 事務事業番号 cell, normalised, and a trailing note.
///
/// `652-6 432-10` → (`652-6`, `432-10`), ``; `511-22他` → (`511-22`), `他`;
/// `４１１－６` → (`411-6`). Numbers are separated by spaces, line breaks and the
/// profile's key separators (`、` `,` `/` for the seed city).
pub fn parse_keys(raw: &str, p: &Patterns) -> Result<(Vec<String>, String), KeyError> {
    let t = nfkc(raw);
    if t.is_empty() {
        return Err(KeyError::Missing);
    }
    let mut t: String = t
        .chars()
        .map(|c| if p.key_dashes.contains(&c) { '-' } else { c })
        .collect();
    let mut note = String::new();
    for n in &p.key_notes {
        if let Some(stripped) = t.strip_suffix(n.as_str()) {
            note = n.clone();
            t = stripped.to_string();
            break;
        }
    }
    let parts: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || p.key_separators.contains(&c))
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(KeyError::Malformed(raw.trim().to_string()));
    }
    // `411 - 6` typed with spaces around the dash is one key
    let joined = parts.concat();
    if parts.len() > 1 && p.key.is_match(&joined) && !parts.iter().all(|s| p.key.is_match(s)) {
        return Ok((vec![joined], note));
    }
    let mut keys = Vec::new();
    for part in parts {
        if !p.key.is_match(part) {
            return Err(KeyError::Malformed(raw.trim().to_string()));
        }
        keys.push(part.to_string());
    }
    Ok((keys, note))
}

/// The 課 of a 担当課 cell, split by the profile's `departments.split` (the seed's:
/// spaces or line breaks; another city's may be `、`, with `・` part of a name).
pub fn split_departments(raw: &str, p: &Patterns) -> Vec<String> {
    pattern_split(&p.department_split, raw)
}

/// Splits 備考 into its flag words and the free text around them.
///
/// A flag word in brackets (`【事業休止】`) is one wherever it stands and whatever follows
/// it (`【事業休止】県の広域連携へ移行`, `…へ移行【事業休止】`); a plain word (`新規`, `廃止`)
/// when it stands apart: at the start or after a space or another flag, and followed by
/// a space, a bracket, punctuation or the end, so `新規事業として開始` stays free text.
/// The free text keeps its words in order, a space where a flag was taken out.
pub fn split_remarks(raw: &str, flags: &[String]) -> (Vec<String>, String) {
    let mut found: Vec<String> = Vec::new();
    let mut rest = clean_raw(raw);
    // the earliest flag standing as one, repeatedly
    while let Some((at, f)) = flags
        .iter()
        .filter(|f| !f.is_empty())
        .filter_map(|f| flag_at(&rest, f).map(|at| (at, f)))
        .min_by_key(|(at, f)| (*at, std::cmp::Reverse(f.len())))
    {
        if !found.contains(f) {
            found.push(f.clone());
        }
        let before = rest[..at].trim_end();
        // a plain word's punctuation (`廃止。…`) goes with it
        let after = rest[at + f.len()..]
            .trim_start_matches(['、', '。', '，', ',', '．', '：', ':', '；', ';'])
            .trim_start();
        rest = match (before.is_empty(), after.is_empty()) {
            (true, _) => after.to_string(),
            (_, true) => before.to_string(),
            _ => format!("{before} {after}"),
        };
    }
    (found, rest.trim().to_string())
}

/// Where the flag word `flag` stands as a flag in `text` (see [`split_remarks`]).
fn flag_at(text: &str, flag: &str) -> Option<usize> {
    let bracketed = |c: Option<char>| c.is_some_and(|c| "【】[]［］〔〕<>＜＞《》".contains(c));
    let self_delimited = bracketed(flag.chars().next()) || bracketed(flag.chars().last());
    let apart_before = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '】');
    let apart_after = |c: Option<char>| {
        c.is_none_or(|c| c.is_whitespace() || "【（(「、。，,．.：:；;・".contains(c))
    };
    text.match_indices(flag).map(|(at, _)| at).find(|&at| {
        self_delimited
            || (apart_before(text[..at].chars().next_back())
                && apart_after(text[at + flag.len()..].chars().next()))
    })
}

/// 備考 as written back: flags, then the free text, separated by spaces.
pub fn join_remarks(flags: &[String], remarks: &str) -> String {
    let mut parts: Vec<&str> = flags.iter().map(String::as_str).collect();
    if !remarks.is_empty() {
        parts.push(remarks);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Lang, Profile};

    fn p() -> Patterns {
        Profile::builtin(Lang::Ja).patterns
    }

    fn read(raw: &str) -> (ValueKind, Option<f64>) {
        let v = parse_value(raw, &p());
        assert_eq!(v.raw, raw.trim(), "raw text is kept");
        (v.kind, v.number)
    }

    #[test]
    fn values_of_every_kind() {
        use ValueKind::*;
        assert_eq!(read("30"), (Number, Some(30.0)));
        assert_eq!(read("10,000"), (Number, Some(10000.0)));
        assert_eq!(read("１，０００"), (Number, Some(1000.0)));
        assert_eq!(read("96.4"), (Number, Some(96.4)));
        assert_eq!(read("△5"), (Number, Some(-5.0)));
        assert_eq!(read("▲1,200.5"), (Number, Some(-1200.5)));
        assert_eq!(read("96.4%"), (Percent, Some(96.4)));
        assert_eq!(read("９６．４％"), (Percent, Some(96.4)));
        assert_eq!(read("107% (16/14)"), (Ratio, Some(107.0)));
        assert_eq!(read("107%（16／14）"), (Ratio, Some(107.0)));
        assert_eq!(read("-"), (Na, None));
        assert_eq!(read("—"), (Na, None));
        assert_eq!(read("－"), (Na, None));
        assert_eq!(read(""), (Blank, None));
        assert_eq!(read("   "), (Blank, None));
        assert_eq!(read("集計中"), (Text, None));
        assert_eq!(read("1,2"), (Text, None));
        assert_eq!(read("12."), (Text, None));
        assert_eq!(read("=1+1"), (Text, None));
    }

    #[test]
    fn keys_single_joint_noted_fullwidth() {
        let p = p();
        let k = |raw: &str| parse_keys(raw, &p);
        assert_eq!(k("411-6"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(
            k("652-6 432-10"),
            Ok((vec!["652-6".into(), "432-10".into()], String::new()))
        );
        assert_eq!(k("511-22他"), Ok((vec!["511-22".into()], "他".into())));
        assert_eq!(k("４１１－６"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(k("411ー6"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(k("411 - 6"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(k("411-6\n"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(k("411_6"), Ok((vec!["411-6".into()], String::new())));
        assert_eq!(k("57117"), Err(KeyError::Malformed("57117".into())));
        assert_eq!(k(""), Err(KeyError::Missing));
    }

    #[test]
    fn remarks_split_into_flags_and_text() {
        let flags = p().flags;
        let (f, r) = split_remarks("課名変更 事業内容変更", &flags);
        assert_eq!(f, vec!["課名変更", "事業内容変更"]);
        assert_eq!(r, "");
        let (f, r) = split_remarks("【事業休止】", &flags);
        assert_eq!((f, r.as_str()), (vec!["【事業休止】".to_string()], ""));
        let (f, r) = split_remarks("KPI変更 令和5年度から指標を変更", &flags);
        assert_eq!(
            (f, r.as_str()),
            (vec!["KPI変更".to_string()], "令和5年度から指標を変更")
        );
        let (f, r) = split_remarks("新規事業として開始", &flags);
        assert_eq!((f.len(), r.as_str()), (0, "新規事業として開始"));
        // a bracketed flag wherever it stands, followed by anything
        let (f, r) = split_remarks("【事業休止】県の広域連携へ移行", &flags);
        assert_eq!(
            (f, r.as_str()),
            (vec!["【事業休止】".to_string()], "県の広域連携へ移行")
        );
        let (f, r) = split_remarks("県の広域連携へ移行【事業休止】", &flags);
        assert_eq!(
            (f, r.as_str()),
            (vec!["【事業休止】".to_string()], "県の広域連携へ移行")
        );
        let (f, r) = split_remarks("説明 廃止。令和8年度から", &flags);
        assert_eq!(
            (f, r.as_str()),
            (vec!["廃止".to_string()], "説明 令和8年度から")
        );
        let (f, r) = split_remarks("令和8年度に廃止予定", &flags);
        assert_eq!((f.len(), r.as_str()), (0, "令和8年度に廃止予定"));
        assert_eq!(join_remarks(&["KPI変更".into()], "説明"), "KPI変更 説明");
    }

    #[test]
    fn patterns_meet_a_cell_as_written_or_after_nfkc() {
        let half = regex::Regex::new(r"^\((?P<no>[0-9]+)\)(?P<name>.+)$").unwrap();
        let no = |t: &str| pattern_captures(&half, t, |c| c["no"].to_string());
        assert_eq!(no("(1)創業の支援").as_deref(), Some("1"));
        assert_eq!(no("（１）創業の支援").as_deref(), Some("1"));
        assert_eq!(no("①創業の支援"), None);
        // a roman numeral matches as written, though NFKC spells it II
        let roman = regex::Regex::new("^基本目標(?P<no>[ⅠⅡ]+)").unwrap();
        let goal = pattern_captures(&roman, "基本目標Ⅱ　結婚", |c| c["no"].to_string());
        assert_eq!(goal.as_deref(), Some("Ⅱ"));
        assert!(pattern_matches(
            &regex::Regex::new("^Cover$").unwrap(),
            "Ｃｏｖｅｒ"
        ));
        let comma = regex::Regex::new("[、,]").unwrap();
        assert_eq!(
            pattern_split(&comma, "健康推進課，子ども課"),
            ["健康推進課", "子ども課"]
        );
        assert_eq!(
            pattern_split(&comma, "観光・文化課、地域振興課"),
            ["観光・文化課", "地域振興課"]
        );
        for unit in ["%", "％", " パーセント ", "ﾊﾟｰｾﾝﾄ"] {
            assert!(is_percent_unit(unit), "{unit}");
        }
        for unit in ["", "人", "割合", "%以上"] {
            assert!(!is_percent_unit(unit), "{unit}");
        }
    }

    #[test]
    fn departments_split_on_spaces() {
        assert_eq!(
            split_departments("商工観光課 文化課\nスポーツ振興課", &p()),
            vec!["商工観光課", "文化課", "スポーツ振興課"]
        );
    }
}
