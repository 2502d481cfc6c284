//! A [`Diff`] as text (like a unified diff, grouped by 基本目標 and 施策), JSON (the
//! shape scripts depend on) and CSV (one line per KPI row with what changed, UTF-8 with
//! a BOM, for the office). Words and sentences come from the message catalogue, the CSV
//! headers too; JSON keys are fixed.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::diff::{Diff, DiffRow, Side, Status};
use crate::model::{Row, Value, ValueKind};
use crate::profile::{Field, Profile};

/// The output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Xlsx,
    Text,
    Json,
    Csv,
}

impl Format {
    /// From an output's extension (`.txt` is text).
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match crate::read::sniff::extension(path).as_str() {
            "xlsx" => Some(Format::Xlsx),
            "txt" | "diff" => Some(Format::Text),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// A field's header as the book writes it (担当課, 事業名, …).
pub fn field_header(profile: &Profile, field: Field) -> String {
    crate::read::table::default_header(profile, field)
}

/// A rate as shown: `76.7%`, or the "no rate" text.
pub fn rate_text(rate: Option<f64>, profile: &Profile) -> String {
    let decimals = usize::from(profile.grades.rate.decimals);
    rate.map_or_else(
        || profile.grades.none.grade.clone(),
        |r| format!("{r:.decimals$}%"),
    )
}

/// A side's grade as shown (the "no rate" text without one).
pub fn grade_text(side: &Side, profile: &Profile) -> String {
    side.grade
        .clone()
        .unwrap_or_else(|| profile.grades.none.grade.clone())
}

/// The status word of a row (削除（未提出） for a row NEW carries as 未提出).
pub fn status_text(row: &DiffRow, profile: &Profile) -> String {
    let word = profile.message(row.status.message_id(), &[]);
    if row.not_returned {
        format!("{word}（{}）", profile.patterns.flag_words.not_returned)
    } else {
        word
    }
}

/// The 施策 of a row as shown (`①創業の支援`; the number first when the name lacks it).
pub fn measure_text(row: &Row) -> String {
    if row.measure.starts_with(&row.measure_no) {
        row.measure.clone()
    } else {
        format!("{}{}", row.measure_no, row.measure)
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The text report: the two files, then every added, removed and changed row under its
/// 基本目標 and 施策 (`@@` lines), `-` OLD's text and `+` NEW's for each changed field,
/// the 実績値 and 達成率 of both years; then the counts. ANSI colours when `color`.
pub fn text(diff: &Diff, profile: &Profile, color: bool) -> String {
    // the files' names and the rows' texts are shown with their control characters
    // escaped: a value cannot clear the terminal or forge a line of the report
    let paint = |code: &str, line: String| {
        let line = crate::problem::shown(&line).into_owned();
        if color {
            format!("{code}{line}{RESET}")
        } else {
            line
        }
    };
    let mut out: Vec<String> = vec![
        paint(
            BOLD,
            format!("--- {}\t{}", diff.old.file.display(), diff.old.year_text()),
        ),
        paint(
            BOLD,
            format!("+++ {}\t{}", diff.new.file.display(), diff.new.year_text()),
        ),
    ];
    let actual_label = profile.message("diff_actual", &[]);
    let rate_label = profile.message("diff_rate", &[]);
    let none = &profile.grades.none.grade;
    let (mut goal, mut measure) = (None, None);
    for r in diff.rows.iter().filter(|r| r.status != Status::Unchanged) {
        let row = r.row();
        if goal.as_ref() != Some(&row.goal) {
            goal = Some(row.goal.clone());
            measure = None;
            out.push(paint(
                CYAN,
                format!("@@ {} @@", profile.section_text(&row.goal)),
            ));
        }
        let m = measure_text(row);
        if measure.as_ref() != Some(&m) {
            out.push(paint(CYAN, format!("@@ {m}")));
            measure = Some(m);
        }
        let head = format!(
            "{} {}（{}）",
            r.key,
            row.project,
            row.departments.join(&profile.patterns.department_separator)
        );
        match r.status {
            Status::Added => out.push(paint(
                GREEN,
                format!("+ {head} {}", status_text(r, profile)),
            )),
            Status::Removed => {
                out.push(paint(RED, format!("- {head} {}", status_text(r, profile))))
            }
            _ => out.push(paint(YELLOW, format!("~ {head}"))),
        }
        for c in &r.changes {
            let header = c.label(profile);
            let one_line = |t: &str| t.replace('\n', " ");
            let renamed = if c.field == Field::Departments && r.renamed {
                format!("（{}）", profile.message("diff_renamed", &[]))
            } else {
                String::new()
            };
            out.push(paint(RED, format!("-    {header}: {}", one_line(&c.old))));
            out.push(paint(
                GREEN,
                format!("+    {header}: {}{renamed}", one_line(&c.new)),
            ));
        }
        let value = |v: &Value| {
            if v.kind == ValueKind::Blank {
                none.clone()
            } else {
                v.raw.clone()
            }
        };
        let side = |s: &Side| {
            (
                value(&s.row.actual),
                match s.rate {
                    Some(_) => format!("{} {}", rate_text(s.rate, profile), grade_text(s, profile)),
                    None => none.clone(),
                },
            )
        };
        let line = match (&r.old, &r.new) {
            (Some(o), Some(n)) => {
                let (oa, or) = side(o);
                let (na, nr) = side(n);
                format!("     {actual_label} {oa} → {na}　{rate_label} {or} → {nr}")
            }
            (Some(s), None) | (None, Some(s)) => {
                let (a, rate) = side(s);
                format!("     {actual_label} {a}　{rate_label} {rate}")
            }
            (None, None) => unreachable!(),
        };
        out.push(crate::problem::shown(&line).into_owned());
    }
    out.push(String::new());
    if !diff.differs() {
        out.push(profile.message("diff_no_difference", &[]));
    }
    out.extend(
        summary_lines(diff, profile)
            .iter()
            .map(|l| crate::problem::shown(l).into_owned()),
    );
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The counts: rows per status, rows whose 実績値 changed, grades of both years.
pub fn summary_lines(diff: &Diff, profile: &Profile) -> Vec<String> {
    let c = diff.counts();
    let actual = diff.rows.iter().filter(|r| r.actual_changed()).count();
    let mut lines = vec![profile.message(
        "diff_summary",
        &[
            ("changed", &c.changed.to_string()),
            ("added", &c.added.to_string()),
            ("removed", &c.removed.to_string()),
            ("unchanged", &c.unchanged.to_string()),
            ("rows", &c.rows.to_string()),
            ("actual", &actual.to_string()),
        ],
    )];
    let grades = diff.grade_counts(profile);
    for (year, pick) in [
        (diff.old.year_text(), 0usize),
        (diff.new.year_text(), 1usize),
    ] {
        let counts: Vec<String> = grades
            .iter()
            .map(|(name, o, n)| format!("{name} {}", if pick == 0 { o } else { n }))
            .collect();
        lines.push(profile.message(
            "diff_grades_line",
            &[("year", &year), ("counts", &counts.join("・"))],
        ));
    }
    lines
}

/// A map serialised in the order given.
struct Ordered<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct JsonDiff<'a> {
    old: JsonBook,
    new: JsonBook,
    rows: Vec<JsonRow<'a>>,
    summary: JsonSummary,
}

#[derive(serde::Serialize)]
struct JsonBook {
    file: String,
    year: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonRow<'a> {
    key: &'a str,
    kpi: u32,
    status: Status,
    project: &'a str,
    departments: &'a [String],
    changes: Vec<JsonChange>,
    actual: Pair<serde_json::Value>,
    achievement: Pair<Option<f64>>,
    grade: Pair<Option<String>>,
}

#[derive(serde::Serialize)]
struct JsonChange {
    field: String,
    old: String,
    new: String,
}

#[derive(serde::Serialize)]
struct Pair<T> {
    old: T,
    new: T,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    rows: usize,
    changed: usize,
    added: usize,
    removed: usize,
    unchanged: usize,
    actual_changed: usize,
    fields: Ordered<usize>,
    grades: Pair<Ordered<usize>>,
    goals: Vec<JsonGroup>,
    departments: Vec<JsonGroup>,
}

#[derive(serde::Serialize)]
struct JsonGroup {
    name: String,
    #[serde(flatten)]
    counts: crate::diff::Counts,
}

/// A value for JSON: its number (a whole number as an integer), else its text, else null.
fn json_value(v: &Value) -> serde_json::Value {
    match (v.kind, v.number) {
        (ValueKind::Blank, _) => serde_json::Value::Null,
        (_, Some(n)) if n.fract() == 0.0 && n.abs() < 9.0e15 => (n as i64).into(),
        (_, Some(n)) => n.into(),
        (_, None) => v.raw.clone().into(),
    }
}

/// The JSON report, pretty-printed, ending in a newline.
pub fn json(diff: &Diff, profile: &Profile) -> Vec<u8> {
    let side_value = |s: &Option<Side>| {
        s.as_ref()
            .map_or(serde_json::Value::Null, |s| json_value(&s.row.actual))
    };
    let rows = diff
        .rows
        .iter()
        .map(|r| {
            let row = r.row();
            JsonRow {
                key: &r.key.project_no,
                kpi: r.key.kpi_index,
                status: r.status,
                project: &row.project,
                departments: &row.departments,
                changes: r
                    .changes
                    .iter()
                    .map(|c| JsonChange {
                        field: c.label(profile),
                        old: c.old.clone(),
                        new: c.new.clone(),
                    })
                    .collect(),
                actual: Pair {
                    old: side_value(&r.old),
                    new: side_value(&r.new),
                },
                achievement: Pair {
                    old: r.old.as_ref().and_then(|s| s.rate),
                    new: r.new.as_ref().and_then(|s| s.rate),
                },
                grade: Pair {
                    old: r.old.as_ref().and_then(|s| s.grade.clone()),
                    new: r.new.as_ref().and_then(|s| s.grade.clone()),
                },
            }
        })
        .collect();
    let c = diff.counts();
    let grades = diff.grade_counts(profile);
    let none = &profile.grades.none.grade;
    let grade_map = |pick: fn(&(String, usize, usize)) -> usize| {
        Ordered(
            grades
                .iter()
                .map(|g| {
                    let name = if &g.0 == none {
                        "none".to_string()
                    } else {
                        g.0.clone()
                    };
                    (name, pick(g))
                })
                .collect(),
        )
    };
    let book = |i: &crate::diff::Input| JsonBook {
        file: i.file.to_string_lossy().to_string(),
        year: i.year().map(|y| y.to_string()),
    };
    let out = JsonDiff {
        old: book(&diff.old),
        new: book(&diff.new),
        rows,
        summary: JsonSummary {
            rows: c.rows,
            changed: c.changed,
            added: c.added,
            removed: c.removed,
            unchanged: c.unchanged,
            actual_changed: diff.rows.iter().filter(|r| r.actual_changed()).count(),
            fields: Ordered(
                diff.field_counts()
                    .into_iter()
                    .map(|(f, n)| (field_header(profile, f), n))
                    .collect(),
            ),
            grades: Pair {
                old: grade_map(|g| g.1),
                new: grade_map(|g| g.2),
            },
            goals: diff
                .by_goal()
                .into_iter()
                .map(|(g, counts)| JsonGroup {
                    name: profile.section_text(&g),
                    counts,
                })
                .collect(),
            departments: diff
                .by_department()
                .into_iter()
                .map(|(name, counts)| JsonGroup { name, counts })
                .collect(),
        },
    };
    let mut bytes = serde_json::to_vec_pretty(&out).expect("the diff serialises");
    bytes.push(b'\n');
    bytes
}

/// The CSV report (UTF-8 with a BOM, so Excel opens it): one line per KPI row, changed
/// or not (NEW's order, as 対照表): key, status word, what changed (the labels of the
/// changed fields, empty when none), the row's 基本目標 and 施策, then OLD's and NEW's
/// 担当課 事業名 事業概要 KPI 単位 目標値 実績値, 達成率 and grade (blank for a side the
/// row is not on). Headers and words from the catalogue (`[diff_csv]`); cells a
/// spreadsheet would run as a formula get a leading `'` ([`crate::export::neutralise`]).
pub fn csv(diff: &Diff, profile: &Profile) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record(csv_headers(profile))
            .expect("in-memory write");
        for r in &diff.rows {
            let rec = csv_record(r, profile);
            w.write_record(
                rec.iter()
                    .map(|c| crate::export::neutralise(c).into_owned()),
            )
            .expect("in-memory write");
        }
        w.flush().expect("in-memory write");
    }
    out
}

/// The ids (`diff_csv.<id>`) of the columns of each side in the CSV report.
const CSV_SIDE: [&str; 9] = [
    "departments",
    "project",
    "summary",
    "kpi_text",
    "unit",
    "target",
    "actual",
    "achievement",
    "grade",
];

/// The header line of the CSV report.
fn csv_headers(profile: &Profile) -> Vec<String> {
    let word = |id: &str| profile.message(&format!("diff_csv.{id}"), &[]);
    let mut headers: Vec<String> = ["key", "kpi", "status", "changes", "goal", "measure"]
        .iter()
        .map(|id| word(id))
        .collect();
    for side in ["old", "new"] {
        let side = word(side);
        headers.extend(CSV_SIDE.iter().map(|id| {
            profile.message(
                "diff_csv.side_header",
                &[("side", &side), ("header", &word(id))],
            )
        }));
    }
    headers
}

/// One KPI row of the CSV report.
fn csv_record(r: &DiffRow, profile: &Profile) -> Vec<String> {
    let row = r.row();
    let changes: Vec<String> = r
        .changes
        .iter()
        .map(|c| {
            if c.field == Field::Departments && r.renamed {
                format!(
                    "{}（{}）",
                    c.label(profile),
                    profile.message("diff_renamed", &[])
                )
            } else {
                c.label(profile)
            }
        })
        .collect();
    let mut rec = vec![
        r.key.project_no.clone(),
        r.key.kpi_index.to_string(),
        status_text(r, profile),
        changes.join(" "),
        profile.section_text(&row.goal),
        measure_text(row),
    ];
    for side in [&r.old, &r.new] {
        match side {
            Some(s) => rec.extend([
                s.row.departments.join(" "),
                s.row.project.clone(),
                s.row.summary.clone(),
                s.row.kpi.clone(),
                s.row.unit.clone(),
                s.row.target.raw.clone(),
                s.row.actual.raw.clone(),
                s.rate.map(|x| x.to_string()).unwrap_or_default(),
                grade_text(s, profile),
            ]),
            None => rec.extend(CSV_SIDE.iter().map(|_| String::new())),
        }
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Input;
    use crate::profile::Lang;
    use crate::renames::{Moves, Renames};

    /// The seed's book against a copy with one project renamed and one row dropped.
    fn seed_diff(profile: &Profile) -> Diff {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("R6.txt");
        std::fs::write(&path, crate::SEED_R6).unwrap();
        let options = crate::read::ReadOptions {
            year: None,
            limits: profile.limits,
        };
        let matcher = crate::read::header::HeaderMatcher::new(profile);
        let mut sources = vec![crate::read::read_file(&path, &options, profile, &matcher)];
        let year = crate::model::FiscalYear(2024);
        let mut report = crate::problem::Report::default();
        let book = crate::merge::merge_sources(&mut sources, year, profile, &mut report).book;
        let mut new = book.clone();
        new.rows[0].project = "新しい事業名".into();
        new.rows.remove(1);
        let input = |book| Input {
            file: path.clone(),
            book,
        };
        Diff::new(
            vec![input(book), input(new)],
            &Renames::default(),
            &Moves::default(),
            profile,
        )
        .unwrap()
    }

    #[test]
    fn text_is_coloured_only_when_asked() {
        let profile = Profile::builtin(Lang::Ja);
        let diff = seed_diff(&profile);
        let plain = text(&diff, &profile, false);
        assert!(!plain.contains('\u{1b}'));
        assert!(plain.contains("\n+    事業名: 新しい事業名\n"), "{plain}");
        assert!(plain.contains("\n- 432-5 (KPI 1) "), "{plain}");
        let coloured = text(&diff, &profile, true);
        assert!(coloured.contains("\u{1b}[32m+    事業名: 新しい事業名\u{1b}[0m"));
        assert!(coloured.contains("\u{1b}[31m- 432-5 (KPI 1) "));
        assert!(coloured.contains("\u{1b}[36m@@ 基本目標Ⅰ"));
        // the same lines once the colours are taken out
        let stripped = regex::Regex::new("\u{1b}\\[[0-9]+m")
            .unwrap()
            .replace_all(&coloured, "");
        assert_eq!(stripped, plain);
    }
}
