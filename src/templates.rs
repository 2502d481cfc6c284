//! A city profile folder: writing a commented copy of the built-in one to start from
//! (`kpiroll templates init`) and checking one, every problem located as
//! `file:line:col` (`kpiroll templates check`).
//!
//! The check parses each file on its own (so a TOML error in one file does not hide the
//! others), loads the whole profile as every command would, then asks what a parser
//! cannot: whether every required field has a column, whether the patterns accept what
//! they should and refuse what they should not.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, TemplateError};
use crate::profile::{Field, Lang, Profile, DEFAULT_FILES};

/// How bad a problem of a profile is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// the profile cannot be used as it is
    Error,
    /// it can, but probably not as meant
    Warning,
}

/// One problem of a profile folder, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    pub file: PathBuf,
    /// 1-based
    pub line: usize,
    /// 1-based, in characters
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Error => "誤り",
            Severity::Warning => "確認",
        };
        write!(
            f,
            "{}:{}:{}: {what}: {}",
            self.file.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

/// Writes the built-in profile, with its comments, into `dir` (created if needed).
/// Returns the files written.
///
/// # Errors
/// A file that exists already (without `force`, before anything is written), or one
/// that cannot be written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    if !force {
        if let Some((name, _)) = DEFAULT_FILES.iter().find(|(n, _)| dir.join(n).exists()) {
            return Err(Error::OutputExists {
                path: dir.join(name),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in DEFAULT_FILES {
        let path = dir.join(name);
        crate::output::write_atomic(&path, text.as_bytes(), force)?;
        written.push(path);
    }
    Ok(written)
}

/// The text of one file of a profile folder and where it came from.
struct Source {
    path: PathBuf,
    text: String,
    /// false: not in the folder, the built-in one is used
    own: bool,
}

/// Checks a profile folder. An empty list: every command can use it as it is.
pub fn check(dir: &Path) -> Vec<TemplateProblem> {
    let mut problems = Vec::new();
    if !dir.is_dir() {
        problems.push(TemplateProblem {
            file: dir.to_path_buf(),
            line: 1,
            col: 1,
            severity: Severity::Error,
            message: "フォルダがありません".to_string(),
        });
        return problems;
    }
    let sources: Vec<(&str, Source)> = DEFAULT_FILES
        .iter()
        .map(|(name, builtin)| {
            let path = dir.join(name);
            let source = match std::fs::read_to_string(&path) {
                Ok(text) => Source {
                    path,
                    text,
                    own: true,
                },
                Err(_) => Source {
                    path,
                    text: (*builtin).to_string(),
                    own: false,
                },
            };
            (*name, source)
        })
        .collect();
    let get = |name: &str| &sources.iter().find(|(n, _)| *n == name).expect("known").1;

    // each file on its own: TOML syntax, unknown keys, wrong types
    for (name, source) in &sources {
        if !source.own {
            continue;
        }
        let result = match *name {
            "layout.toml" => parse_as::<crate::profile::Layout>(&source.text),
            "aliases.toml" => parse_as::<crate::profile::Aliases>(&source.text),
            "patterns.toml" => parse_as::<crate::profile::PatternsFile>(&source.text),
            "form.toml" => parse_as::<crate::profile::FormLayout>(&source.text),
            "limits.toml" => parse_as::<crate::read::grid::Limits>(&source.text),
            "grades.toml" => parse_as::<crate::diff::grades::Grades>(&source.text),
            _ => parse_as::<crate::profile::Messages>(&source.text),
        };
        if let Err(e) = result {
            let (line, col) = e
                .span()
                .map_or((1, 1), |span| line_col(&source.text, span.start));
            problems.push(TemplateProblem {
                file: source.path.clone(),
                line,
                col,
                severity: Severity::Error,
                message: e.message().trim().to_string(),
            });
        }
    }
    if !problems.is_empty() {
        return problems;
    }

    // the whole profile, as a command loads it
    let mut profiles = Vec::new();
    for lang in [Lang::Ja, Lang::En] {
        match Profile::load(Some(dir), lang) {
            Ok(p) => profiles.push(p),
            Err(e) => {
                let (name, table, key) = match &e {
                    TemplateError::TemplatePattern { file, field, .. } => {
                        let (table, key) = field.rsplit_once('.').unwrap_or(("", field));
                        (
                            file.display().to_string(),
                            table.to_string(),
                            key.to_string(),
                        )
                    }
                    TemplateError::ParseTemplate { path, .. } => {
                        (path.display().to_string(), String::new(), String::new())
                    }
                    _ => (String::new(), String::new(), String::new()),
                };
                let source = sources.iter().find(|(n, _)| *n == name).map(|(_, s)| s);
                let (line, col) = source.map_or((1, 1), |s| locate_key(&s.text, &table, &key));
                problems.push(TemplateProblem {
                    file: source.map_or_else(|| dir.to_path_buf(), |s| s.path.clone()),
                    line,
                    col,
                    severity: Severity::Error,
                    message: error_detail(&e),
                });
                return problems;
            }
        }
    }
    let profile = &profiles[0];
    let mut push = |name: &str, (line, col): (usize, usize), severity, message: String| {
        problems.push(TemplateProblem {
            file: get(name).path.clone(),
            line,
            col,
            severity,
            message,
        });
    };

    // layout.toml: each field once, extra columns named once
    let layout = &get("layout.toml").text;
    let mut seen_fields = Vec::new();
    let mut seen_names = Vec::new();
    for (i, column) in profile.layout.columns.iter().enumerate() {
        let at = nth_line_of(layout, "[[columns]]", i);
        if column.field == Field::Extra {
            match column.name.as_deref().map(str::trim) {
                None | Some("") => push(
                    "layout.toml",
                    at,
                    Severity::Error,
                    format!(
                        "{} 番目の列は field = \"extra\" ですが name がありません（例: name = \"基準値\"）",
                        i + 1
                    ),
                ),
                Some(name) if seen_names.contains(&name.to_string()) => push(
                    "layout.toml",
                    at,
                    Severity::Error,
                    format!("列の name「{name}」が2回あります"),
                ),
                Some(name) => seen_names.push(name.to_string()),
            }
        } else if seen_fields.contains(&column.field) {
            push(
                "layout.toml",
                at,
                Severity::Error,
                format!("field「{}」の列が2回あります", column.field.name()),
            );
        } else {
            seen_fields.push(column.field);
        }
    }

    // layout.toml and form.toml: every `{…}` hole is one kpiroll fills (a hole it does
    // not know would be printed as it is, `{wareki-2}` in a title)
    let b = &profile.layout.book;
    let mut texts: Vec<(&str, &[&str])> = vec![(&b.section, &["no", "title"])];
    texts.extend(b.title_rows.iter().map(|t| (t.as_str(), &[][..])));
    if let Some(t) = &b.targets_row {
        texts.push((t, &["targets"]));
    }
    for column in &profile.layout.columns {
        texts.push((&column.header, &[]));
        texts.extend(column.over.iter().map(|t| (t.as_str(), &[][..])));
        texts.extend(column.sub.iter().map(|t| (t.as_str(), &[][..])));
        texts.extend(
            column
                .format
                .iter()
                .map(|t| (t.as_str(), &["no", "name"][..])),
        );
        texts.extend(column.aliases.iter().map(|t| (t.as_str(), &[][..])));
    }
    for (text, own) in texts {
        for hole in holes(text) {
            if !own.contains(&hole) && !crate::profile::is_year_placeholder(hole) {
                push(
                    "layout.toml",
                    locate_text(layout, &format!("{{{hole}}}")),
                    Severity::Error,
                    format!("「{{{hole}}}」は埋められません。使えるのは {{year}} {{year-1}}…{{year-9}}（R6 の形）と {{wareki}} {{wareki-1}}…{{wareki-9}}（令和6年度 の形）です"),
                );
            }
        }
    }
    // an extra column's name is the key its values are kept under: the R6 form only
    for column in &profile.layout.columns {
        let Some(name) = &column.name else { continue };
        for hole in holes(name) {
            if !(hole == "year"
                || hole.starts_with("year-") && crate::profile::is_year_placeholder(hole))
            {
                push(
                    "layout.toml",
                    locate_text(layout, &format!("{{{hole}}}")),
                    Severity::Error,
                    format!("name の「{{{hole}}}」は使えません。name には {{year}} {{year-1}}…（R6 の形）を使い、令和の形は header に書いてください"),
                );
            }
        }
    }
    let form_text = &get("form.toml").text;
    let f = &profile.form;
    let filled = [
        &f.form_title,
        &f.guide_title,
        &f.reference_header,
        &f.actual_input_title,
        &f.actual_input_message,
        &f.actual_error_title,
        &f.actual_error_message,
        &f.remarks_input_title,
        &f.remarks_input_message,
    ];
    let texts = filled
        .into_iter()
        .chain(&f.guide)
        .map(|t| (t, &["department", "due", "prev", "contact"][..]))
        .chain([
            (&f.joint_text, &["lead"][..]),
            (&f.file_name, &["department"][..]),
        ]);
    for (text, own) in texts {
        for hole in holes(text) {
            let year = if std::ptr::eq(text, &f.file_name) {
                hole == "year"
            } else {
                crate::profile::is_year_placeholder(hole)
            };
            if !own.contains(&hole) && !year {
                push(
                    "form.toml",
                    locate_text(form_text, &format!("{{{hole}}}")),
                    Severity::Error,
                    format!("「{{{hole}}}」は埋められません（使えるのは {{year}} {{wareki}} {{prev}} {{department}} {{due}} {{lead}} など）"),
                );
            }
        }
    }

    // aliases.toml: required fields need a column; the header search must be able to match
    let aliases = &get("aliases.toml").text;
    for field in &profile.aliases.required.fields {
        if profile.column_of(*field).is_none() {
            push(
                "aliases.toml",
                locate_value(aliases, "required", "fields", field.name()),
                Severity::Error,
                format!(
                    "必須の項目「{}」の列が layout.toml にありません（列を足すか、[required] から外してください）",
                    field.name()
                ),
            );
        }
    }
    let headed = profile
        .layout
        .columns
        .iter()
        .filter(|c| {
            !c.header.trim().is_empty()
                || !c.aliases.is_empty()
                || profile
                    .aliases
                    .fields
                    .get(&c.field)
                    .is_some_and(|a| !a.is_empty())
        })
        .count();
    if profile.aliases.header.min_matches > headed {
        push(
            "aliases.toml",
            locate_key(aliases, "header", "min_matches"),
            Severity::Error,
            format!(
                "min_matches = {} ですが、見出しのある列は {headed} 列しかありません。見出し行が見つかりません",
                profile.aliases.header.min_matches
            ),
        );
    }
    if profile.aliases.header.min_matches == 0 {
        push(
            "aliases.toml",
            locate_key(aliases, "header", "min_matches"),
            Severity::Error,
            "min_matches = 0 では、どの行も見出し行になります".to_string(),
        );
    }
    if !(1..=2).contains(&profile.aliases.header.rows) {
        push(
            "aliases.toml",
            locate_key(aliases, "header", "rows"),
            Severity::Error,
            format!(
                "rows = {} です。見出しは 1 行か 2 行です",
                profile.aliases.header.rows
            ),
        );
    }

    // patterns.toml: the key pattern accepts a key of its shape and nothing absurd
    let patterns_text = &get("patterns.toml").text;
    let p = &profile.patterns;
    let key_at = locate_key(patterns_text, "key", "pattern");
    for absurd in ["", "事業名", "-", "備考"] {
        if p.key.is_match(absurd) {
            let shown = if absurd.is_empty() {
                "空欄".to_string()
            } else {
                format!("「{absurd}」")
            };
            push(
                "patterns.toml",
                key_at,
                Severity::Error,
                format!("key.pattern が{shown}にも合います。番号だけに合う形にしてください（^…$ で囲みます）"),
            );
        }
    }
    if let Some(example) = shape_example(&p.key_shape) {
        if !p.key.is_match(&example) {
            push(
                "patterns.toml",
                key_at,
                Severity::Warning,
                format!(
                    "key.pattern が shape「{}」の例「{example}」に合いません",
                    p.key_shape
                ),
            );
        } else if p.key.is_match(&format!("x{example}x")) {
            push(
                "patterns.toml",
                key_at,
                Severity::Warning,
                format!("key.pattern が「x{example}x」にも合います。^ と $ で囲んでください"),
            );
        }
    }
    for (table, key, re, groups) in [
        ("section", "pattern", Some(&p.section), &["title"][..]),
        (
            "section",
            "targets",
            p.goal_targets.as_ref(),
            &["targets"][..],
        ),
        (
            "measure",
            "combined",
            p.measure_combined.as_ref(),
            &["no", "name"][..],
        ),
    ] {
        let Some(re) = re else { continue };
        let at = locate_key(patterns_text, table, key);
        for group in groups {
            if !re.capture_names().flatten().any(|n| n == *group) {
                push(
                    "patterns.toml",
                    at,
                    Severity::Error,
                    format!("{table}.{key} に名前付きのグループ (?P<{group}>…) がありません"),
                );
            }
        }
        if re.is_match("") {
            push(
                "patterns.toml",
                at,
                Severity::Error,
                format!("{table}.{key} が空欄にも合います"),
            );
        }
    }
    if p.department_split.is_match("") {
        push(
            "patterns.toml",
            locate_key(patterns_text, "departments", "split"),
            Severity::Error,
            "departments.split が空の文字列に合います（課名が1文字ずつに分かれます）".to_string(),
        );
    }

    // messages: every id of the built-in catalogue
    for (name, profile) in [
        ("messages.ja.toml", &profiles[0]),
        ("messages.en.toml", &profiles[1]),
    ] {
        if !get(name).own {
            continue;
        }
        let builtin = Profile::builtin(if name.contains(".ja.") {
            Lang::Ja
        } else {
            Lang::En
        });
        for id in builtin.messages.0.keys() {
            if !profile.messages.0.contains_key(id) {
                push(
                    name,
                    (1, 1),
                    Severity::Error,
                    format!("メッセージ「{id}」がありません（templates init で書き出したものから写してください）"),
                );
            }
        }
    }
    problems
}

fn parse_as<T: serde::de::DeserializeOwned>(text: &str) -> Result<(), toml::de::Error> {
    toml::from_str::<T>(text).map(|_| ())
}

/// The detail of a profile error, without the file name (the location says it).
fn error_detail(e: &TemplateError) -> String {
    match e {
        TemplateError::TemplatePattern { field, message, .. } => {
            format!("{field} の正規表現が正しくありません: {message}")
        }
        TemplateError::ParseTemplate { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The line of `key = …` inside `[table]` (or at the top when `table` is empty).
fn locate_key(text: &str, table: &str, key: &str) -> (usize, usize) {
    let start = table_start(text, table);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if offset > start && trimmed.starts_with('[') {
            break; // the next table
        }
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return line_col(text, offset + (line.len() - trimmed.len()));
            }
        }
        offset += line.len();
    }
    line_col(text, start)
}

/// Where `value` is written in `key = […]` of `[table]`.
fn locate_value(text: &str, table: &str, key: &str, value: &str) -> (usize, usize) {
    let (line, _) = locate_key(text, table, key);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    match line_text.find(&format!("\"{value}\"")) {
        Some(i) => (line, line_text[..i].chars().count() + 1),
        None => (line, 1),
    }
}

/// Byte offset of the line after `[table]` (0 for the top).
fn table_start(text: &str, table: &str) -> usize {
    if table.is_empty() {
        return 0;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t == format!("[{table}]") || t.starts_with(&format!("[{table}]")) {
            return offset + line.len();
        }
        offset += line.len();
    }
    0
}

/// The `{name}` holes of a template text.
fn holes(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// Where `needle` first stands in `text` (line 1 when nowhere).
fn locate_text(text: &str, needle: &str) -> (usize, usize) {
    text.find(needle).map_or((1, 1), |i| line_col(text, i))
}

/// The `n`th (0-based) line that is exactly `marker`.
fn nth_line_of(text: &str, marker: &str, n: usize) -> (usize, usize) {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == marker)
        .nth(n)
        .map_or((1, 1), |(i, _)| (i + 1, 1))
}

/// A key of a shape such as `NNN-N` or `N-N-N` (`111-1`); `None` when the shape is
/// described in words.
fn shape_example(shape: &str) -> Option<String> {
    let shape = crate::value::nfkc(shape);
    if !shape.contains('N')
        || !shape
            .chars()
            .all(|c| c == 'N' || c.is_ascii_digit() || c.is_ascii_punctuation())
    {
        return None;
    }
    Some(shape.replace('N', "1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profile_checks_clean() {
        let dir = tempfile::tempdir().expect("temp");
        init(dir.path(), false).expect("init");
        assert!(
            init(dir.path(), false).is_err(),
            "no overwrite without force"
        );
        assert_eq!(check(dir.path()), Vec::new());
    }

    #[test]
    fn problems_are_located() {
        let dir = tempfile::tempdir().expect("temp");
        init(dir.path(), false).expect("init");
        let patterns = dir.path().join("patterns.toml");
        let text = std::fs::read_to_string(&patterns).expect("read");
        std::fs::write(
            &patterns,
            text.replace("pattern = '^[0-9]{3}-[0-9]{1,3}$'", "pattern = '[0-9]*'"),
        )
        .expect("write");
        let problems = check(dir.path());
        let line = text
            .lines()
            .position(|l| l.starts_with("pattern = '^[0-9]{3}"))
            .expect("line")
            + 1;
        assert!(!problems.is_empty());
        assert!(
            problems.iter().all(|p| p.line == line && p.col == 1),
            "{problems:?}"
        );

        std::fs::write(&patterns, "[key\npattern = 1").expect("write");
        let problems = check(dir.path());
        assert_eq!((problems[0].line, problems[0].col), (1, 5), "{problems:?}");
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncdé\nf", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé\nf", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé\nf", 8), (3, 1));
    }
}
