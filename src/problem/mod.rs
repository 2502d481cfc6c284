//! Non-fatal problems with the inputs, located to the cell, collected over the whole run.
//!
//! A [`Problem`] says where (file, sheet, A1 cell, the header the user sees) and what
//! (a [`ProblemKind`] carrying the data of the message). The text comes from the message
//! catalogue in `templates/messages.*.toml`, so every sentence lives in one file.
//! A refusal means something was not taken (exit status 1); a warning means it was
//! taken with something to check.
//!
//! - `kind.rs`: the kinds of problem and how bad each is;
//! - `location.rs`: where one is, shown as `file!sheet!cell`;
//! - `args.rs`: each kind's message id and the values for its holes, by family;
//! - `report.rs`: the problems of a run, collected and counted;
//! - `shown.rs`: text made safe for a terminal.

mod args;
mod kind;
mod location;
mod report;
mod shown;

pub use kind::{ProblemKind, Severity, Skip, Unreadable};
pub use location::Location;
pub use report::Report;
pub use shown::shown;

use crate::profile::Profile;

/// One located problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Location,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(at: Location, kind: ProblemKind) -> Problem {
        Problem { at, kind }
    }

    /// Whether this problem refused one data row (as opposed to a file, a sheet or a
    /// column): such rows count as refused in the run's summary.
    pub fn refuses_a_row(&self) -> bool {
        self.kind.refuses_a_row()
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// The message alone, without location and level (for logs that show those apart).
    pub fn text(&self, profile: &Profile) -> String {
        let (id, args) = args::message_args(&self.kind);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        profile.message(id, &args)
    }

    /// `産学振興課.xlsx!入力!K12: 事務事業番号「57117」は NNN-N の形ではありません…`
    pub fn render(&self, profile: &Profile) -> String {
        let level = match self.severity() {
            Severity::Refusal => profile.message("refused", &[]),
            Severity::Warning => profile.message("warning", &[]),
        };
        let line = format!("{}: {level}: {}", self.at, self.text(profile));
        shown(&line).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Lang;
    use std::path::Path;

    #[test]
    fn message_names_file_sheet_cell_and_header() {
        let p = Problem::new(
            Location::cell(Path::new("returns/産学振興課.xlsx"), Some("入力"), 11, 10),
            ProblemKind::BadKey {
                header: "事務事業番号".into(),
                value: "57117".into(),
                shape: "NNN-N".into(),
            },
        );
        let text = p.render(&Profile::builtin(Lang::Ja));
        assert!(text.starts_with("産学振興課.xlsx!入力!K12: "), "{text}");
        assert!(!text.contains('\n'));
        assert!(
            text.contains("事務事業番号「57117」は NNN-N の形ではありません"),
            "{text}"
        );
        let en = p.render(&Profile::builtin(Lang::En));
        assert!(en.contains("57117"), "{en}");
    }
}
