//! `patterns.toml`: the key's shape, section rows, 施策 numbers, not-applicable words,
//! 課 separators and the change flags' words; as written and compiled.

use std::path::PathBuf;

use regex::Regex;
use serde::Deserialize;

use super::TemplateError;

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

impl Patterns {
    /// `patterns.toml` compiled, with the sheets to skip of `aliases.toml`.
    ///
    /// # Errors
    /// A pattern that is not a valid regular expression.
    pub(crate) fn compile(
        p: PatternsFile,
        skip_sheets: &[String],
    ) -> Result<Patterns, TemplateError> {
        let re = |field: &str, pattern: &str| {
            Regex::new(pattern).map_err(|e| TemplateError::TemplatePattern {
                file: PathBuf::from("patterns.toml"),
                field: field.to_string(),
                message: e.to_string(),
            })
        };
        Ok(Patterns {
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
            skip_sheets: skip_sheets
                .iter()
                .map(|s| {
                    Regex::new(s).map_err(|e| TemplateError::TemplatePattern {
                        file: PathBuf::from("aliases.toml"),
                        field: "header.skip_sheets".to_string(),
                        message: e.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?,
            flags: p.remarks.flags.in_order(),
            flag_words: p.remarks.flags,
        })
    }
}
