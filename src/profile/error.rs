//! What stops a profile from loading: a template file that cannot be read or parsed, or a
//! pattern that is no regular expression. Its own enum so that the profile, below every
//! stage, names nothing above it; [`crate::error::Error`] wraps it.

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
        }
    }
}
