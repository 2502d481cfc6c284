//! What stops a profile from loading: a template file that cannot be read or parsed, a
//! pattern that is no regular expression, a grade list that cannot grade, or a colour
//! that is not RGB hex. Its own enum
//! so that the profile, below every stage, names nothing above it;
//! [`crate::error::Error`] wraps it.

use std::path::PathBuf;

/// A template file (or a file read the same way: renames, settings) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: テンプレートを読めません: {source}")]
    ReadTemplate {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: テンプレートの書式が正しくありません: {message}")]
    ParseTemplate { path: PathBuf, message: String },
    #[error("{file}: {field} の正規表現が正しくありません: {message}")]
    TemplatePattern {
        file: PathBuf,
        field: String,
        message: String,
    },
    #[error("grades.toml: [[grade]] が1つもありません")]
    NoGrade,
    #[error("grades.toml: grade「{grade}」に min がありません")]
    GradeWithoutMin { grade: String },
    #[error("grades.toml: grade「{grade}」の min {min} が前の grade の min 以上です")]
    GradeMinNotFalling { grade: String, min: f64 },
    #[error("{file}: {key} の「{value}」は色ではありません")]
    TemplateColour {
        file: PathBuf,
        /// `table.key` as the file spells it (`book.changed_fill`)
        key: String,
        value: String,
    },
}

impl TemplateError {
    /// The message id in the catalogue (`templates/messages.*.toml`) and its values.
    pub fn message_args(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            TemplateError::ReadTemplate { path, source } => (
                "error_read_template",
                vec![
                    ("path", path.display().to_string()),
                    ("source", source.to_string()),
                ],
            ),
            TemplateError::ParseTemplate { path, message } => (
                "error_parse_template",
                vec![
                    ("path", path.display().to_string()),
                    ("message", message.to_string()),
                ],
            ),
            TemplateError::TemplatePattern {
                file,
                field,
                message,
            } => (
                "error_template_pattern",
                vec![
                    ("file", file.display().to_string()),
                    ("field", field.to_string()),
                    ("message", message.to_string()),
                ],
            ),
            TemplateError::NoGrade => ("error_no_grade", vec![]),
            TemplateError::GradeWithoutMin { grade } => {
                ("error_grade_without_min", vec![("grade", grade.clone())])
            }
            TemplateError::GradeMinNotFalling { grade, min } => (
                "error_grade_min_not_falling",
                vec![("grade", grade.clone()), ("min", min.to_string())],
            ),
            TemplateError::TemplateColour { file, key, value } => (
                "error_template_colour",
                vec![
                    ("file", file.display().to_string()),
                    ("key", key.to_string()),
                    ("value", value.to_string()),
                ],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Lang, Profile};

    #[test]
    fn every_profile_error_is_in_both_catalogues_with_every_hole_filled() {
        let errors = [
            TemplateError::ReadTemplate {
                path: PathBuf::from("layout.toml"),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
            TemplateError::ParseTemplate {
                path: PathBuf::from("layout.toml"),
                message: "expected `=`".into(),
            },
            TemplateError::TemplatePattern {
                file: PathBuf::from("patterns.toml"),
                field: "key.pattern".into(),
                message: "unclosed group".into(),
            },
            TemplateError::NoGrade,
            TemplateError::GradeWithoutMin { grade: "B".into() },
            TemplateError::GradeMinNotFalling {
                grade: "C".into(),
                min: 90.5,
            },
            TemplateError::TemplateColour {
                file: PathBuf::from("layout.toml"),
                key: "book.changed_fill".into(),
                value: "黄色".into(),
            },
        ];
        for lang in [Lang::Ja, Lang::En] {
            let profile = Profile::builtin(lang);
            for e in &errors {
                let (id, args) = e.message_args();
                assert!(profile.messages.get(id).is_some(), "{lang:?}: {id}");
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let text = profile.message(id, &args);
                assert!(!text.contains('{'), "{lang:?}: {id}: {text}");
                for (_, value) in &args {
                    assert!(text.contains(value), "{lang:?}: {id} lacks {value}: {text}");
                }
            }
        }
    }
}
