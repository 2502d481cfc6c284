//! `templates check` of `messages.ja.toml` / `messages.en.toml`: the ids a city's
//! catalogue leaves out, which keep the built-in text (a catalogue written for an
//! earlier kpiroll lacks the texts added since).

use super::{Checker, Severity};
use crate::profile::{Lang, Messages};

/// How many of the missing ids the warning names.
const NAMED: usize = 5;

pub(super) fn check(c: &mut Checker<'_>) {
    for (name, lang) in [
        ("messages.ja.toml", Lang::Ja),
        ("messages.en.toml", Lang::En),
    ] {
        if !c.get(name).own {
            continue;
        }
        // the city's file alone: the loaded profile has the built-in texts under it
        let Ok(own) = toml::from_str::<Messages>(c.file_text(name)) else {
            continue; // a file that does not parse is reported by its parse
        };
        let missing: Vec<String> = Messages::builtin(lang)
            .0
            .into_keys()
            .filter(|id| !own.0.contains_key(id))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let mut ids = missing[..missing.len().min(NAMED)].join(", ");
        if missing.len() > NAMED {
            ids.push_str(", …");
        }
        let count = missing.len().to_string();
        c.push(
            name,
            (1, 1),
            Severity::Warning,
            "message_missing",
            &[("count", &count), ("ids", &ids)],
        );
    }
}
