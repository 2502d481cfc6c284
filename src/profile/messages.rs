//! `messages.*.toml`: the message catalogue of one language, and the languages.

use serde::Deserialize;

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
        toml::from_str(super::default_file(name)).expect("the built-in catalogue is valid (tested)")
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
