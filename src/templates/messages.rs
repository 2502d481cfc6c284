//! `templates check` of `messages.ja.toml` / `messages.en.toml`: a city's catalogue
//! holds every id of the built-in one (a missing text would show as its id).

use super::{Checker, Severity};
use crate::profile::{Lang, Profile};

pub(super) fn check(c: &mut Checker<'_>, [ja, en]: [&Profile; 2]) {
    for (name, lang, profile) in [
        ("messages.ja.toml", Lang::Ja, ja),
        ("messages.en.toml", Lang::En, en),
    ] {
        if !c.get(name).own {
            continue;
        }
        let builtin = Profile::builtin(lang);
        for id in builtin.messages.0.keys() {
            if !profile.messages.0.contains_key(id) {
                c.push(
                    name,
                    (1, 1),
                    Severity::Error,
                    "message_missing",
                    &[("id", id)],
                );
            }
        }
    }
}
