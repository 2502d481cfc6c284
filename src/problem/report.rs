//! The problems of a run, collected in input order and reported together at the end:
//! how many refusals (any sets the exit status to 1) and warnings, and every problem one
//! line each, grouped by file.

use std::path::PathBuf;

use crate::profile::Profile;

use super::{Location, Problem, ProblemKind, Severity};

/// Problems collected over a run, in input order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn push(&mut self, at: Location, kind: ProblemKind) {
        self.problems.push(Problem::new(at, kind));
    }

    pub fn extend(&mut self, other: Report) {
        self.problems.extend(other.problems);
    }

    pub fn refusals(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity() == Severity::Refusal)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity() == Severity::Warning)
            .count()
    }

    /// Every problem, one line each, grouped by file (stable: input order).
    pub fn render(&self, profile: &Profile) -> String {
        let mut files: Vec<&PathBuf> = Vec::new();
        for p in &self.problems {
            if !files.contains(&&p.at.file) {
                files.push(&p.at.file);
            }
        }
        let mut out = String::new();
        for file in files {
            for p in self.problems.iter().filter(|p| &p.at.file == file) {
                out.push_str(&p.render(profile));
                out.push('\n');
            }
        }
        out
    }
}
