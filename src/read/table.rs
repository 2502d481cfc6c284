//! A sheet's grid, below its header row, into canonical [`Row`]s.
//!
//! Walks the rows top to bottom, keeping what the book leaves implicit:
//! - a section row (`基本目標Ⅰ 地域を元気にするしごとづくり`, one text in the row) gives
//!   every row below it its goal;
//! - a repeated header row (a new page block) is skipped;
//! - blank 数値目標 / 施策 / 施策KPI cells mean "same as above" (merged cells read the
//!   same way); a higher column that changes resets the ones after it;
//! - a row whose project columns are blank, or repeat the project above, is the
//!   project's next KPI;
//! - a 施策-number cell holding text, beside a 施策 cell that starts with a number, is the
//!   second line of a two-target 数値目標 (as the seed's text extraction has it).
//!
//! Each row keeps the location of its key cell for messages and logs.

use std::collections::BTreeMap;
use std::path::Path;

use super::grid::{Cells, Grid};
use super::header::{Header, HeaderMatcher};
use crate::model::{FiscalYear, Goal, Row, Value, ValueKind};
use crate::problem::{Location, ProblemKind, Report};
use crate::profile::{Field, Profile};
use crate::value::{
    clean_raw, parse_keys, parse_number_cell, pattern_captures, pattern_matches, pattern_split,
    split_departments, split_remarks, KeyError,
};

/// A row as read, with where it came from.
#[derive(Debug, Clone)]
pub struct ReadRow {
    pub row: Row,
    /// the row's 事務事業番号 cell
    pub at: Location,
    /// the column of the sheet's 備考, when it has one (where a change flag that does
    /// not fit is reported)
    pub remarks_col: Option<u16>,
}

/// Group columns, highest first: a change in one resets those after it.
const GROUP: [Field; 4] = [
    Field::GoalTargets,
    Field::MeasureNo,
    Field::Measure,
    Field::MeasureKpi,
];
/// Project columns: blank or repeated in a project's second KPI row.
const PROJECT: [Field; 3] = [Field::Departments, Field::Project, Field::Summary];
/// Per-KPI columns: a row with none of them (and no key) holds no KPI.
const PER_KPI: [Field; 5] = [
    Field::Kpi,
    Field::Unit,
    Field::Target,
    Field::Actual,
    Field::Remarks,
];

/// Reads the rows of one sheet below `header`.
pub fn read_rows(
    file: &Path,
    grid: &Grid,
    header: &Header,
    matcher: &HeaderMatcher,
    year: FiscalYear,
    profile: &Profile,
    report: &mut Report,
) -> Vec<ReadRow> {
    let p = &profile.patterns;
    let sheet = grid.sheet.as_deref();
    let col = |f: Field| header.columns.get(&f).copied();
    let head = |f: Field| {
        header
            .texts
            .get(&f)
            .cloned()
            .unwrap_or_else(|| default_header(profile, f))
    };
    let key_col = col(Field::ProjectNos).unwrap_or(0);
    let project_extras: Vec<String> = profile
        .layout
        .columns
        .iter()
        .filter(|c| c.field == Field::Extra && (c.project || c.group))
        .filter_map(|c| c.name.clone())
        .collect();

    let mut goal = Goal::default();
    let mut goal_targets: Vec<String> = Vec::new();
    let mut carry: BTreeMap<Field, String> = BTreeMap::new();
    // the project whose KPIs are being read: its last row read, an index into `out`
    let mut current: Option<usize> = None;
    let mut refused_project = false;
    // at most a row read per row below the header: one allocation, not a growing
    // vector copied again and again (a national book is 140,000 rows in one sheet)
    let below = grid.rows.range(header.row + 1..);
    let mut out: Vec<ReadRow> = Vec::with_capacity(below.clone().count());

    // the section row above the first header row starts the first block
    let mut texts: Vec<&str> = Vec::new();
    for (_, cells) in grid.rows.range(..header.row) {
        row_texts(cells, &mut texts);
        if let Some(g) = section_goal(&texts, profile) {
            goal = g;
        }
    }
    let mut sub_header_row: Option<u32> = None;
    let mut last_group_raw: [&str; GROUP.len()] = [""; GROUP.len()];
    for (&r, cells) in below {
        let cell =
            |f: Field| col(f).map_or(String::new(), |c| clean_raw(grid.text_in(cells, r, c)));
        row_texts(cells, &mut texts);

        if let Some(g) = section_goal(&texts, profile) {
            goal = g;
            goal_targets.clear();
            carry.clear();
            last_group_raw = [""; GROUP.len()];
            current = None;
            continue;
        }
        // the goal's 数値目標 on a line of its own under the section row
        if let Some(targets) = targets_line(&texts, profile) {
            goal_targets = targets;
            continue;
        }
        let key_raw = cell(Field::ProjectNos);
        // which project this row belongs to, and its KPI position
        let keys = if key_raw.is_empty() {
            Err(KeyError::Missing)
        } else {
            parse_keys(&key_raw, p)
        };
        // a row with a good key is data; only the others may be a repeated header (the
        // check normalises every cell: most of a row's cost when done for every row)
        if keys.is_err() && matcher.is_header_row(grid, r) {
            // a repeated header of two rows (a new page block): its sub row too
            if matcher.header_rows_at(grid, r) == 2 {
                sub_header_row = Some(r + 1);
            }
            continue;
        }
        if sub_header_row == Some(r) {
            continue;
        }

        // group columns: same as above unless given. Merged over their runs, they read
        // the same row after row: only a row whose group cells differ from the row
        // above's can change what is carried
        let raw: [&str; GROUP.len()] =
            GROUP.map(|f| col(f).map_or("", |c| grid.text_in(cells, r, c).trim()));
        if raw != last_group_raw {
            last_group_raw = raw;
            let mut group: Vec<String> = GROUP.iter().map(|f| cell(*f)).collect();
            split_two_target_goal(&mut group, profile);
            split_combined_measure(&mut group, profile);
            if let Some(changed) = (0..GROUP.len()).find(|i| {
                !group[*i].is_empty() && carry.get(&GROUP[*i]).is_none_or(|c| *c != group[*i])
            }) {
                for (i, field) in GROUP.iter().enumerate().skip(changed) {
                    carry.insert(*field, group[i].clone());
                }
            }
        }

        let given =
            |f: &Field| col(*f).is_some_and(|c| !grid.text_in(cells, r, c).trim().is_empty());
        let project_given = PROJECT.iter().any(given);
        let per_kpi_given = PER_KPI.iter().any(given);
        let key_at = Location::cell(file, sheet, r, key_col);

        // the key of the project above again with the same KPI: that row once more
        // (identical rows merge later; different ones are a conflict)
        let cur_row = current.map(|i| &out[i].row);
        let repeat = match (&keys, cur_row) {
            (Ok((k, _)), Some(cur)) => {
                cur.project_nos.first() == k.first() && cell(Field::Kpi) == cur.kpi
            }
            _ => false,
        };
        let continuation = match (&keys, cur_row) {
            (Ok((k, _)), Some(cur)) => {
                !repeat && cur.project_nos.first() == k.first() && same_project(cur, &cell, profile)
            }
            (Err(KeyError::Missing), Some(_)) => !project_given,
            _ => false,
        };
        if !project_given && !per_kpi_given && key_raw.is_empty() {
            continue; // only group columns (or nothing): no KPI here
        }
        if continuation && !per_kpi_given {
            continue; // a merged project area running past its KPIs
        }
        if key_raw.is_empty() && !project_given && refused_project {
            report.push(
                key_at,
                ProblemKind::MissingKey {
                    header: head(Field::ProjectNos),
                },
            );
            continue;
        }
        // a text longer than an Excel cell holds cannot go into the book: its row is
        // refused, each such cell named
        if too_long_cells((file, sheet), grid, cells, r, header, &head, report) {
            current = None;
            refused_project = true;
            continue;
        }
        let mut row = if continuation {
            let cur = cur_row.expect("continuation has a current project");
            let mut row = cur.clone();
            row.kpi_index += 1;
            row
        } else {
            match keys {
                Ok((project_nos, note)) => Row {
                    goal: goal.clone(),
                    goal_targets: Vec::new(),
                    measure_no: String::new(),
                    measure: String::new(),
                    measure_kpi: String::new(),
                    departments: split_departments(&cell(Field::Departments), p),
                    project: cell(Field::Project),
                    project_nos,
                    project_nos_note: note,
                    summary: cell(Field::Summary),
                    kpi: String::new(),
                    kpi_index: if repeat {
                        cur_row.map_or(1, |c| c.kpi_index)
                    } else {
                        1
                    },
                    unit: String::new(),
                    target: Value::blank(),
                    actual: Value::blank(),
                    year,
                    flags: Vec::new(),
                    remarks: String::new(),
                    extra: BTreeMap::new(),
                },
                Err(error) => {
                    let number = grid.get(r, key_col).and_then(|c| c.number);
                    let header = head(Field::ProjectNos);
                    report.push(key_at, key_problem(error, number, header, p));
                    current = None;
                    refused_project = true;
                    continue;
                }
            }
        };
        refused_project = false;
        let text_of = |f: Field| carry.get(&f).cloned().unwrap_or_default();
        row.goal_targets = text_of(Field::GoalTargets)
            .split('\n')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if row.goal_targets.is_empty() {
            row.goal_targets = goal_targets.clone();
        }
        row.measure_no = text_of(Field::MeasureNo);
        row.measure = text_of(Field::Measure);
        row.measure_kpi = text_of(Field::MeasureKpi);
        row.kpi = cell(Field::Kpi);
        row.unit = cell(Field::Unit);
        read_values(
            &mut row,
            (file, sheet),
            grid,
            cells,
            r,
            &col,
            &head,
            p,
            report,
        );
        read_extras(
            &mut row,
            header,
            grid,
            cells,
            r,
            continuation,
            &project_extras,
            p,
        );
        let (flags, remarks) = split_remarks(&cell(Field::Remarks), &p.flags);
        row.flags = flags;
        row.remarks = remarks;
        current = Some(out.len());
        out.push(ReadRow {
            row,
            at: key_at,
            remarks_col: header.columns.get(&Field::Remarks).copied(),
        });
    }
    out
}

/// Why a row's key cell is refused: blank, or not of the key's shape. A number cell
/// (`number`): the dash was never stored (411.6 typed for 411-6, shown as 412 in a `0`
/// format), so the number the cell holds is named.
fn key_problem(
    error: KeyError,
    number: Option<f64>,
    header: String,
    p: &crate::profile::Patterns,
) -> ProblemKind {
    match (error, number) {
        (KeyError::Missing, _) => ProblemKind::MissingKey { header },
        (KeyError::Malformed(_), Some(x)) => ProblemKind::NumberKey {
            header,
            number: crate::numfmt::general(x),
            shape: p.key_shape.clone(),
        },
        (KeyError::Malformed(value), None) => ProblemKind::BadKey {
            header,
            value,
            shape: p.key_shape.clone(),
        },
    }
}

/// A text longer than an Excel cell holds cannot go into the book: each such cell of
/// row `r` is named; `true` when there is one (the row is refused).
fn too_long_cells(
    (file, sheet): (&Path, Option<&str>),
    grid: &Grid,
    cells: &Cells,
    r: u32,
    header: &Header,
    head: &dyn Fn(Field) -> String,
    report: &mut Report,
) -> bool {
    let mut too_long = false;
    for (field, c) in &header.columns {
        let text = grid.text_in(cells, r, *c);
        if crate::model::too_long_for_a_cell(text) {
            report.push(
                Location::cell(file, sheet, r, *c),
                ProblemKind::TooLongText {
                    header: head(*field),
                    chars: text.encode_utf16().count(),
                    max: crate::model::MAX_CELL_TEXT,
                },
            );
            too_long = true;
        }
    }
    too_long
}

/// 目標値 and 実績値 of row `r`, read as values; an error cell or text where a number
/// belongs is said at its cell.
#[allow(clippy::too_many_arguments)]
fn read_values(
    row: &mut Row,
    (file, sheet): (&Path, Option<&str>),
    grid: &Grid,
    cells: &Cells,
    r: u32,
    col: &dyn Fn(Field) -> Option<u16>,
    head: &dyn Fn(Field) -> String,
    p: &crate::profile::Patterns,
    report: &mut Report,
) {
    for (field, slot) in [(Field::Target, 0), (Field::Actual, 1)] {
        let Some(c) = col(field) else { continue };
        let got = grid.get_in(cells, r, c);
        let value = parse_number_cell(
            got.map_or("", |g| g.text.as_str()),
            got.and_then(|g| g.number),
            p,
        );
        let at = Location::cell(file, sheet, r, c);
        if got.is_some_and(|g| g.error) {
            report.push(
                at,
                ProblemKind::CellError {
                    header: head(field),
                    value: value.raw.clone(),
                },
            );
        } else if value.kind == ValueKind::Text {
            report.push(
                at,
                ProblemKind::TextValue {
                    header: head(field),
                    value: value.raw.clone(),
                },
            );
        }
        if slot == 0 {
            row.target = value;
        } else {
            row.actual = value;
        }
    }
}

/// The city's extra columns: a project-wide one (merged over the project's KPI rows)
/// keeps the first row's value when blank below; a per-KPI one is this row's.
#[allow(clippy::too_many_arguments)]
fn read_extras(
    row: &mut Row,
    header: &Header,
    grid: &Grid,
    cells: &Cells,
    r: u32,
    continuation: bool,
    project_extras: &[String],
    p: &crate::profile::Patterns,
) {
    for (name, c) in &header.extras {
        let got = grid.get_in(cells, r, *c);
        let value = parse_number_cell(
            got.map_or("", |g| g.text.as_str()),
            got.and_then(|g| g.number),
            p,
        );
        if value.kind == ValueKind::Blank {
            if !(continuation && project_extras.contains(name)) {
                row.extra.remove(name);
            }
        } else {
            row.extra.insert(name.clone(), value);
        }
    }
}

/// The non-blank texts of a row.
fn row_texts<'g>(cells: &'g Cells, texts: &mut Vec<&'g str>) {
    texts.clear();
    texts.extend(
        cells
            .values()
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty()),
    );
}

/// The goal a section row starts: one text (or one text repeated by a merge) matching
/// the profile's section pattern.
fn section_goal(texts: &[&str], profile: &Profile) -> Option<Goal> {
    let first = texts.first()?;
    if !texts.iter().all(|t| t == first) {
        return None;
    }
    // as written first: NFKC would turn the roman numeral Ⅰ into the letter I
    pattern_captures(&profile.patterns.section, first, |caps| Goal {
        no: caps.name("no").map_or("", |m| m.as_str()).to_string(),
        title: caps
            .name("title")
            .map_or("", |m| m.as_str())
            .trim()
            .to_string(),
    })
}

/// The 数値目標 of a line such as `●数値目標：a／b` (the profile's `section.targets`).
fn targets_line(texts: &[&str], profile: &Profile) -> Option<Vec<String>> {
    let p = &profile.patterns;
    let re = p.goal_targets.as_ref()?;
    let first = texts.first()?;
    if !texts.iter().all(|t| t == first) {
        return None;
    }
    let targets = pattern_captures(re, first, |caps| {
        caps.name("targets").map_or("", |m| m.as_str()).to_string()
    })?;
    Some(pattern_split(&p.goal_targets_split, &targets))
}

/// A 施策 written in one cell (`（１）創業の支援`) into its number and name, when the
/// profile says how (`measure.combined`) and the number has no cell of its own.
fn split_combined_measure(group: &mut [String], profile: &Profile) {
    let Some(re) = &profile.patterns.measure_combined else {
        return;
    };
    if !group[1].is_empty() {
        return;
    }
    let Some((no, name)) = pattern_captures(re, &group[2], |caps| {
        let group = |g: &str| caps.name(g).map_or("", |m| m.as_str()).trim().to_string();
        (group("no"), group("name"))
    }) else {
        return;
    };
    group[1] = no;
    group[2] = name;
}

/// A row repeating the project's key is the same project unless it names another one.
fn same_project(cur: &Row, cell: &dyn Fn(Field) -> String, _profile: &Profile) -> bool {
    let project = cell(Field::Project);
    project.is_empty() || project == cur.project
}

/// `[市内の児童・学生数, 出生数, ②, …]` → `[市内の児童・学生数\n出生数, ②, ②, …]`.
fn split_two_target_goal(group: &mut [String], profile: &Profile) {
    let number = &profile.patterns.measure_number;
    let (no, measure) = (&group[1], &group[2]);
    if no.is_empty() || pattern_matches(number, no) {
        return;
    }
    // the 施策 cell's leading number, as written (or after NFKC when only that matches)
    let Some(Some(leading)) = pattern_captures(number, measure, |caps| {
        let m = caps.get(0).expect("the whole match");
        (m.start() == 0).then(|| m.as_str().to_string())
    }) else {
        return;
    };
    let second = std::mem::replace(&mut group[1], leading);
    group[0] = if group[0].is_empty() {
        second
    } else {
        format!("{}\n{}", group[0], second)
    };
}

/// The layout's header for a field (messages need a header even when the sheet has none).
pub fn default_header(profile: &Profile, field: Field) -> String {
    profile
        .layout
        .columns
        .iter()
        .find(|c| c.field == field)
        .map_or_else(|| field.name().to_string(), |c| c.header.clone())
}
