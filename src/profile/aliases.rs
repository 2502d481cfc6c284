//! `aliases.toml`: the header spellings of each field, the fields a return must have, and
//! where the header is searched.

use serde::Deserialize;

use super::Field;

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
