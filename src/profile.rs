//! The city profile: everything city-specific, read from the TOML files in `templates/`.
//!
//! The seed city's profile is compiled in, so kpiroll works with no files beside it.
//! Code never spells a header, a key pattern or a layout constant: it asks the profile.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;

use crate::error::Error;

/// The compiled-in default profile (the seed city's).
pub const DEFAULT_FILES: [(&str, &str); 8] = [
    ("limits.toml", include_str!("../templates/limits.toml")),
    ("grades.toml", include_str!("../templates/grades.toml")),
    ("form.toml", include_str!("../templates/form.toml")),
    ("layout.toml", include_str!("../templates/layout.toml")),
    ("aliases.toml", include_str!("../templates/aliases.toml")),
    ("patterns.toml", include_str!("../templates/patterns.toml")),
    (
        "messages.ja.toml",
        include_str!("../templates/messages.ja.toml"),
    ),
    (
        "messages.en.toml",
        include_str!("../templates/messages.en.toml"),
    ),
];

/// `layout.toml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub book: BookLayout,
    pub columns: Vec<Column>,
}

/// `[book]` of layout.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookLayout {
    pub sheet: String,
    pub section: String,
    pub title_rows: Vec<String>,
    pub font: String,
    pub font_size: f64,
    pub title_font_size: f64,
    pub section_font_size: f64,
    pub paper: u8,
    pub landscape: bool,
    pub fit_width: u16,
    pub footer: String,
    pub margin_inches: f64,
    pub header_fill: String,
    pub section_fill: String,
    /// a line of its own for the goal's 数値目標 (`●数値目標：{targets}`), written under
    /// the header wherever the targets change; none when the book has a 数値目標 column only
    #[serde(default)]
    pub targets_row: Option<String>,
    /// how the targets are joined on that line
    #[serde(default = "default_targets_join")]
    pub targets_join: String,
    /// the header once at the top of the table, printed on every page (print titles),
    /// instead of under every 基本目標 row
    #[serde(default)]
    pub header_once: bool,
    /// the working book's fills (RGB hex): a changed cell, a new row, a row not returned
    #[serde(default = "default_changed_fill")]
    pub changed_fill: String,
    #[serde(default = "default_new_fill")]
    pub new_fill: String,
    #[serde(default = "default_not_returned_fill")]
    pub not_returned_fill: String,
}

fn default_changed_fill() -> String {
    "FFF2CC".to_string()
}

fn default_new_fill() -> String {
    "DDEBF7".to_string()
}

fn default_not_returned_fill() -> String {
    "E7E6E6".to_string()
}

fn default_targets_join() -> String {
    "／".to_string()
}

/// One `[[columns]]` of layout.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub field: Field,
    pub header: String,
    pub width: f64,
    #[serde(default)]
    pub group: bool,
    #[serde(default)]
    pub project: bool,
    /// `field = "extra"`: the name the value is kept under (`Row::extra`, the export's
    /// `extra` object); `{year-1}`, `{year-2}` … name an earlier year (`R5実績値`)
    #[serde(default)]
    pub name: Option<String>,
    /// more header spellings of this column (an extra column's; other fields have
    /// theirs in aliases.toml)
    #[serde(default)]
    pub aliases: Vec<String>,
    /// with two header rows (`rows = 2` in aliases.toml): the group header written above
    /// this column, merged across the columns that share it (`実績値` over R5 R6 R7)
    #[serde(default)]
    pub over: Option<String>,
    /// with `over`: the text of the second header row (`{year}`); default `header`
    #[serde(default)]
    pub sub: Option<String>,
    /// the 施策 column in one cell: `（{no}）{name}` writes the 施策 number and name
    /// together (read back with `measure.combined` of patterns.toml)
    #[serde(default)]
    pub format: Option<String>,
    /// an extra column: a return that leaves it blank (or a 課 that returns nothing)
    /// gets last year's value (a 基準値 that stays from year to year). Default false:
    /// the column is this year's (評価, 今後の方向性), blank stays blank. Columns named
    /// after an earlier year (`{year-1}実績値`) are history and always carried.
    #[serde(default)]
    pub carried: bool,
    /// an extra column: a difference from last year is a change of the project (in
    /// 変更点, highlighted, counted, in `diff`). Default false: this year's 評価 differs
    /// from last year's without the project changing. Earlier years' columns never are.
    #[serde(default)]
    pub compared: bool,
}

impl Column {
    /// Whether an extra column is named after an earlier year than the book's
    /// (`{year-1}実績値`): history, carried and never compared.
    pub fn is_history(&self) -> bool {
        self.field == Field::Extra
            && self
                .name
                .as_deref()
                .unwrap_or(&self.header)
                .contains("{year-")
    }

    /// The name an extra column's value is kept under for a row of `year`: `{year}` is
    /// the year (`R6`), `{year-1}` the year before (`R5`) … `None` for other fields.
    pub fn extra_key(&self, year: crate::model::FiscalYear) -> Option<String> {
        if self.field != Field::Extra {
            return None;
        }
        Some(year_placeholders(
            self.name.as_deref().unwrap_or(&self.header),
            year,
        ))
    }
}

/// `{year}`, `{year-1}` … `{year-9}` of a template replaced for `year` (`R6`, `R5` …),
/// and `{wareki}`, `{wareki-1}` … `{wareki-9}` in 令和 form (`令和6年度`, `令和5年度` …).
pub fn year_placeholders(template: &str, year: crate::model::FiscalYear) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut text = template.to_string();
    for back in 1..=9u16 {
        let earlier = crate::model::FiscalYear(year.0.saturating_sub(back));
        let hole = format!("{{year-{back}}}");
        if text.contains(&hole) {
            text = text.replace(&hole, &earlier.to_string());
        }
        let hole = format!("{{wareki-{back}}}");
        if text.contains(&hole) {
            text = text.replace(&hole, &earlier.wareki());
        }
    }
    text.replace("{year}", &year.to_string())
        .replace("{wareki}", &year.wareki())
}

/// The year placeholders a layout text may hold: `{year}`, `{wareki}` and the same
/// 1 to 9 years back (`{year-1}`, `{wareki-2}`).
pub fn is_year_placeholder(hole: &str) -> bool {
    let base = match hole.split_once('-') {
        Some((base, back)) => {
            if !matches!(back.parse::<u16>(), Ok(1..=9)) || back.starts_with('0') {
                return false;
            }
            base
        }
        None => hole,
    };
    matches!(base, "year" | "wareki")
}

/// The canonical fields a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GoalTargets,
    MeasureNo,
    Measure,
    MeasureKpi,
    Departments,
    Project,
    ProjectNos,
    Summary,
    Kpi,
    Unit,
    Target,
    Actual,
    Remarks,
    /// a column the city adds (基準値, 評価, an earlier year's 実績値): its `name` says which
    Extra,
}

impl Field {
    /// The field's name in TOML and exports.
    pub fn name(self) -> &'static str {
        match self {
            Field::GoalTargets => "goal_targets",
            Field::MeasureNo => "measure_no",
            Field::Measure => "measure",
            Field::MeasureKpi => "measure_kpi",
            Field::Departments => "departments",
            Field::Project => "project",
            Field::ProjectNos => "project_nos",
            Field::Summary => "summary",
            Field::Kpi => "kpi",
            Field::Unit => "unit",
            Field::Target => "target",
            Field::Actual => "actual",
            Field::Remarks => "remarks",
            Field::Extra => "extra",
        }
    }
}

/// `aliases.toml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aliases {
    pub fields: std::collections::BTreeMap<Field, Vec<String>>,
    pub required: Required,
    pub header: HeaderSearch,
}

/// `[required]` of aliases.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub fields: Vec<Field>,
}

/// `[header]` of aliases.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSearch {
    pub search_rows: u32,
    pub min_matches: usize,
    /// headers read past without a word (the forms' reference columns)
    #[serde(default)]
    pub ignore: Vec<String>,
    /// header rows: 1, or 2 (a group row merged over sub headers: 実績値 over R5 R6)
    #[serde(default = "one")]
    pub rows: u8,
    /// sheets not read at all (a cover or legend sheet), by name (regular expressions)
    #[serde(default)]
    pub skip_sheets: Vec<String>,
}

fn one() -> u8 {
    1
}

/// `[due_date]` of `form.toml`: a due date in the era with its weekday.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueDate {
    /// `{era_year}`, `{month}`, `{day}`, `{weekday}` (`令和{era_year}年{month}月{day}日（{weekday}）`)
    pub text: String,
    /// the Gregorian year of the era's first year (2019 for 令和)
    pub era_start: i32,
    /// how the era's first year is written (元)
    pub first_year: String,
    /// Monday first
    pub weekdays: [String; 7],
}

/// `[contact]` of `form.toml`: the parts of the 問い合わせ先, each shown only when given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactText {
    /// `{section}` and `{extension}`
    pub text: String,
    /// `{person}`
    pub person: String,
    /// `{phone}`
    pub phone: String,
    /// `{email}`
    pub email: String,
}

/// `form.toml`: the forms rollover writes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormLayout {
    pub file_name: String,
    pub input_sheet: String,
    pub guide_sheet: String,
    pub reference_header: String,
    /// the header of last year's 備考, shown beside the input for reference; without it
    /// (a profile written before there was one) the column is left out
    #[serde(default)]
    pub remarks_reference_header: Option<String>,
    pub joint_header: String,
    pub joint_text: String,
    pub blank_rows: u32,
    pub input_fill: String,
    pub actual_words: Vec<String>,
    pub remarks_choices: Vec<String>,
    pub actual_input_title: String,
    pub actual_input_message: String,
    pub actual_error_title: String,
    pub actual_error_message: String,
    pub remarks_input_title: String,
    pub remarks_input_message: String,
    pub due_unset: String,
    /// how a due date given as a date (`2026-05-31`) is shown; without it, as written
    #[serde(default)]
    pub due_date: Option<DueDate>,
    /// `{contact}` when the settings name no 問い合わせ先
    #[serde(default)]
    pub contact_unset: String,
    /// how the settings' `[contact]` is shown as `{contact}`; without it, `contact_unset`
    #[serde(default)]
    pub contact: Option<ContactText>,
    pub form_title: String,
    pub guide_title: String,
    pub guide: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternsFile {
    key: KeyFile,
    section: SectionFile,
    measure: MeasureFile,
    values: ValuesFile,
    departments: DepartmentsFile,
    remarks: RemarksFile,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    pattern: String,
    shape: String,
    dashes: Vec<String>,
    notes: Vec<String>,
    /// characters between several keys in one cell (besides spaces and line breaks)
    #[serde(default = "default_key_separators")]
    separators: Vec<String>,
}

fn default_key_separators() -> Vec<String> {
    vec!["、".to_string(), ",".to_string(), "/".to_string()]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    pattern: String,
    /// a line under the section row holding the goal's 数値目標 (group `targets`)
    #[serde(default)]
    targets: Option<String>,
    /// what separates two targets in that line
    #[serde(default = "targets_split")]
    targets_split: String,
}

fn targets_split() -> String {
    "[／/]".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFile {
    number: String,
    /// a 施策 written in one cell (`（１）創業の支援`): groups `no` and `name`
    #[serde(default)]
    combined: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    not_applicable: Vec<String>,
    negative_signs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    separator: String,
    /// what separates the 課 of a joint project when reading (a regular expression)
    #[serde(default = "department_split")]
    split: String,
}

fn department_split() -> String {
    r"\s+".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemarksFile {
    flags: FlagWords,
}

/// The words of the change flags (`[remarks.flags]` of patterns.toml).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagWords {
    pub new: String,
    pub department: String,
    pub project: String,
    pub summary: String,
    pub kpi: String,
    pub target: String,
    pub suspended: String,
    pub abolished: String,
    pub not_returned: String,
}

impl FlagWords {
    /// Every flag word in the order 備考 writes them.
    pub fn in_order(&self) -> Vec<String> {
        [
            &self.new,
            &self.department,
            &self.project,
            &self.summary,
            &self.kpi,
            &self.target,
            &self.suspended,
            &self.abolished,
            &self.not_returned,
        ]
        .into_iter()
        .cloned()
        .collect()
    }

    /// The flags a department sets itself (kept from a return's 備考).
    pub fn set_by_department(&self) -> Vec<String> {
        vec![self.suspended.clone(), self.abolished.clone()]
    }
}

/// `patterns.toml`, compiled.
#[derive(Debug, Clone)]
pub struct Patterns {
    pub key: Regex,
    pub key_shape: String,
    pub key_dashes: Vec<char>,
    pub key_notes: Vec<String>,
    /// characters between several keys in one cell (spaces and line breaks always are)
    pub key_separators: Vec<char>,
    pub section: Regex,
    pub measure_number: Regex,
    /// `（１）施策名` in one cell: groups `no` and `name`
    pub measure_combined: Option<Regex>,
    /// the 数値目標 line under a section row: group `targets`
    pub goal_targets: Option<Regex>,
    pub goal_targets_split: Regex,
    pub department_split: Regex,
    pub not_applicable: Vec<String>,
    pub negative_signs: Vec<char>,
    pub department_separator: String,
    /// sheets not read (aliases.toml `[header] skip_sheets`)
    pub skip_sheets: Vec<Regex>,
    /// flag words in 備考 order
    pub flags: Vec<String>,
    pub flag_words: FlagWords,
}

/// The message catalogue of one language: message id → template with `{name}` holes.
/// A table's entries are ids joined with dots: `[help.consolidate]` `year = …` is
/// `help.consolidate.year` (the command-line help, by command and argument).
#[derive(Debug, Clone)]
pub struct Messages(pub std::collections::BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Messages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn flatten(
            prefix: &str,
            table: toml::Table,
            out: &mut std::collections::BTreeMap<String, String>,
        ) -> Result<(), String> {
            for (key, value) in table {
                let id = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                match value {
                    toml::Value::String(text) => {
                        out.insert(id, text);
                    }
                    toml::Value::Table(table) => flatten(&id, table, out)?,
                    _ => return Err(format!("{id}: a message is text in quotes")),
                }
            }
            Ok(())
        }
        let table = toml::Table::deserialize(d)?;
        let mut out = std::collections::BTreeMap::new();
        flatten("", table, &mut out).map_err(serde::de::Error::custom)?;
        Ok(Messages(out))
    }
}

impl Messages {
    /// The built-in catalogue of a language (the command-line help is read from it
    /// before any profile is loaded).
    pub fn builtin(lang: Lang) -> Messages {
        let name = match lang {
            Lang::Ja => "messages.ja.toml",
            Lang::En => "messages.en.toml",
        };
        toml::from_str(default_file(name)).expect("the built-in catalogue is valid (tested)")
    }

    /// The text of an id, if the catalogue has it.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }
}

/// The languages of the message catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

/// A whole city profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub layout: Layout,
    pub aliases: Aliases,
    pub patterns: Patterns,
    pub messages: Messages,
    pub form: FormLayout,
    /// `grades.toml`: 達成率 and grades for `diff`
    pub grades: crate::diff::grades::Grades,
    /// `limits.toml`: how much of an input is read (overridden on the command line)
    pub limits: crate::limits::Limits,
}

impl Profile {
    /// A goal as its section row shows it (`基本目標Ⅰ 地域を元気にするしごとづくり`).
    pub fn section_text(&self, goal: &crate::model::Goal) -> String {
        self.layout
            .book
            .section
            .replace("{no}", &goal.no)
            .replace("{title}", &goal.title)
            .trim()
            .to_string()
    }

    /// The seed city's profile, compiled in.
    pub fn builtin(lang: Lang) -> Profile {
        Self::from_sources(&|name| Ok(default_file(name).to_string()), lang)
            .expect("the built-in templates are valid (tested)")
    }

    /// Loads a profile folder; files missing from it come from the built-in profile.
    ///
    /// # Errors
    /// A file that cannot be read or parsed, or a pattern that is not a valid regex.
    pub fn load(dir: Option<&Path>, lang: Lang) -> Result<Profile, Error> {
        match dir {
            None => Ok(Self::builtin(lang)),
            Some(dir) => Self::from_sources(
                &|name| {
                    let path = dir.join(name);
                    match std::fs::read_to_string(&path) {
                        Ok(text) => Ok(text),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                            Ok(default_file(name).to_string())
                        }
                        Err(source) => Err(Error::ReadTemplate { path, source }),
                    }
                },
                lang,
            ),
        }
    }

    fn from_sources(
        read: &dyn Fn(&str) -> Result<String, Error>,
        lang: Lang,
    ) -> Result<Profile, Error> {
        let layout: Layout = parse(read, "layout.toml")?;
        let aliases: Aliases = parse(read, "aliases.toml")?;
        let form: FormLayout = parse(read, "form.toml")?;
        let limits: crate::limits::Limits = parse(read, "limits.toml")?;
        let grades = parse::<crate::diff::grades::Grades>(read, "grades.toml")?
            .checked()
            .map_err(|message| Error::ParseTemplate {
                path: PathBuf::from("grades.toml"),
                message,
            })?;
        let p: PatternsFile = parse(read, "patterns.toml")?;
        let messages: Messages = parse(
            read,
            match lang {
                Lang::Ja => "messages.ja.toml",
                Lang::En => "messages.en.toml",
            },
        )?;
        let re = |field: &str, pattern: &str| {
            Regex::new(pattern).map_err(|e| Error::TemplatePattern {
                file: PathBuf::from("patterns.toml"),
                field: field.to_string(),
                message: e.to_string(),
            })
        };
        let patterns = Patterns {
            key: re("key.pattern", &p.key.pattern)?,
            key_shape: p.key.shape,
            key_dashes: p.key.dashes.iter().flat_map(|s| s.chars()).collect(),
            key_notes: p.key.notes,
            key_separators: p.key.separators.iter().flat_map(|s| s.chars()).collect(),
            section: re("section.pattern", &p.section.pattern)?,
            measure_number: re("measure.number", &p.measure.number)?,
            measure_combined: p
                .measure
                .combined
                .as_deref()
                .map(|s| re("measure.combined", s))
                .transpose()?,
            goal_targets: p
                .section
                .targets
                .as_deref()
                .map(|s| re("section.targets", s))
                .transpose()?,
            goal_targets_split: re("section.targets_split", &p.section.targets_split)?,
            department_split: re("departments.split", &p.departments.split)?,
            not_applicable: p.values.not_applicable,
            negative_signs: p
                .values
                .negative_signs
                .iter()
                .flat_map(|s| s.chars())
                .collect(),
            department_separator: p.departments.separator,
            skip_sheets: aliases
                .header
                .skip_sheets
                .iter()
                .map(|s| {
                    Regex::new(s).map_err(|e| Error::TemplatePattern {
                        file: PathBuf::from("aliases.toml"),
                        field: "header.skip_sheets".to_string(),
                        message: e.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?,
            flags: p.remarks.flags.in_order(),
            flag_words: p.remarks.flags,
        };
        Ok(Profile {
            layout,
            aliases,
            patterns,
            messages,
            form,
            limits,
            grades,
        })
    }

    /// The layout column of a field, if the book has one.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.layout.columns.iter().position(|c| c.field == field)
    }

    /// A message from the catalogue with its `{name}` holes filled.
    pub fn message(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut text = self
            .messages
            .0
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string());
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

fn default_file(name: &str) -> &'static str {
    DEFAULT_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or("")
}

fn parse<T: serde::de::DeserializeOwned>(
    read: &dyn Fn(&str) -> Result<String, Error>,
    name: &str,
) -> Result<T, Error> {
    let text = read(name)?;
    toml::from_str(&text).map_err(|e| Error::ParseTemplate {
        path: PathBuf::from(name),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profile_loads_in_both_languages() {
        let ja = Profile::builtin(Lang::Ja);
        let en = Profile::builtin(Lang::En);
        assert_eq!(ja.layout.columns.len(), 13);
        assert_eq!(
            ja.messages.0.keys().collect::<Vec<_>>(),
            en.messages.0.keys().collect::<Vec<_>>()
        );
        assert!(ja.patterns.key.is_match("411-6"));
    }

    #[test]
    fn year_placeholders_in_both_forms() {
        let r7 = crate::model::FiscalYear(2025);
        assert_eq!(
            year_placeholders("{wareki-2}〜{wareki}（{year-1} {year}）", r7),
            "令和5年度〜令和7年度（R6 R7）"
        );
        assert_eq!(year_placeholders("{wareki-6}", r7), "令和元年度");
        for hole in ["year", "wareki", "year-1", "wareki-9"] {
            assert!(is_year_placeholder(hole), "{hole}");
        }
        for hole in ["nendo", "wareki-0", "wareki-10", "year-01", "year+1", "no"] {
            assert!(!is_year_placeholder(hole), "{hole}");
        }
    }
}
