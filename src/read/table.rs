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
use crate::model::{FiscalYear, Goal, Row, ValueKind};
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
    let mut sheet = SheetRows::new(file, grid, header, matcher, year, profile);
    for (&r, cells) in grid.rows.range(header.row + 1..) {
        sheet.read_row(r, cells, report);
    }
    sheet.out
}

/// One sheet being read top to bottom: how to read it, and what the rows read so far
/// leave for the rows below (the goal, the "same as above" group cells, the project
/// whose KPIs are being read).
struct SheetRows<'g> {
    file: &'g Path,
    sheet: Option<&'g str>,
    grid: &'g Grid,
    header: &'g Header,
    matcher: &'g HeaderMatcher,
    year: FiscalYear,
    profile: &'g Profile,
    key_col: u16,                           // 事務事業番号 (0 when the sheet has none)
    project_extras: Vec<String>,            // the extra columns held project-wide
    goal: Goal,                             // the latest section row's
    goal_targets: Vec<String>,              // the 数値目標 line under the section row
    carry: BTreeMap<Field, String>,         // the group texts "same as above"
    last_group_raw: [&'g str; GROUP.len()], // the group cells last looked at
    current: Option<usize>,                 // the project being read: its last row in `out`
    refused_project: bool,                  // its keyless KPI rows are refused too
    sub_header_row: Option<u32>,            // a repeated two-row header's second row
    texts: Vec<&'g str>,                    // the row's non-blank texts (reused)
    out: Vec<ReadRow>,
}

/// A row's 事務事業番号 cell read: the project's keys and their note.
type Keys = Result<(Vec<String>, String), KeyError>;

/// A data row beside the project above it.
struct Kinship {
    repeat: bool,        // the project's key and KPI again: that row once more
    continuation: bool,  // the project's next KPI
    project_given: bool, // a project column (課, 事業, 概要) is not blank
    per_kpi_given: bool, // a per-KPI column is not blank
}

impl<'g> SheetRows<'g> {
    fn new(
        file: &'g Path,
        grid: &'g Grid,
        header: &'g Header,
        matcher: &'g HeaderMatcher,
        year: FiscalYear,
        profile: &'g Profile,
    ) -> Self {
        let project_extras = profile
            .layout
            .columns
            .iter()
            .filter(|c| c.field == Field::Extra && (c.project || c.group))
            .filter_map(|c| c.name.clone())
            .collect();
        // at most a row read per row below the header: one allocation, not a growing
        // vector copied again and again (a national book is 140,000 rows in one sheet)
        let below = grid.rows.range(header.row + 1..).count();
        let mut sheet = SheetRows {
            file,
            sheet: grid.sheet.as_deref(),
            grid,
            header,
            matcher,
            year,
            profile,
            key_col: header.columns.get(&Field::ProjectNos).copied().unwrap_or(0),
            project_extras,
            goal: Goal::default(),
            goal_targets: Vec::new(),
            carry: BTreeMap::new(),
            last_group_raw: [""; GROUP.len()],
            current: None,
            refused_project: false,
            sub_header_row: None,
            texts: Vec::new(),
            out: Vec::with_capacity(below),
        };
        // the section row above the first header row starts the first block
        for (_, cells) in grid.rows.range(..header.row) {
            row_texts(cells, &mut sheet.texts);
            if let Some(g) = section_goal(&sheet.texts, profile) {
                sheet.goal = g;
            }
        }
        sheet
    }

    fn col(&self, f: Field) -> Option<u16> {
        self.header.columns.get(&f).copied()
    }

    /// The field's header as the sheet has it (the layout's when the sheet has none).
    fn head(&self, f: Field) -> String {
        self.header
            .texts
            .get(&f)
            .cloned()
            .unwrap_or_else(|| default_header(self.profile, f))
    }

    /// The field's cell of row `r`, cleaned ("" when the sheet has no such column).
    fn cell(&self, cells: &Cells, r: u32, f: Field) -> String {
        self.col(f)
            .map_or(String::new(), |c| clean_raw(self.grid.text_in(cells, r, c)))
    }

    fn key_at(&self, r: u32) -> Location {
        Location::cell(self.file, self.sheet, r, self.key_col)
    }

    /// One row below the header: a section row, a 数値目標 line, a repeated header, a
    /// row holding no KPI, a refused row, or a KPI row read into `out`.
    fn read_row(&mut self, r: u32, cells: &'g Cells, report: &mut Report) {
        if self.section_or_targets(cells) {
            return;
        }
        let key_raw = self.cell(cells, r, Field::ProjectNos);
        // which project this row belongs to, and its KPI position
        let keys = if key_raw.is_empty() {
            Err(KeyError::Missing)
        } else {
            parse_keys(&key_raw, &self.profile.patterns)
        };
        // a row with a good key is data; only the others may be a repeated header (the
        // check normalises every cell: most of a row's cost when done for every row)
        if (keys.is_err() && self.repeated_header(r)) || self.sub_header_row == Some(r) {
            return;
        }
        self.carry_group(r, cells);
        let kin = self.kinship(&keys, r, cells);
        if self.holds_no_kpi(&kin, key_raw.is_empty(), r, report) {
            return;
        }
        if self.too_long_cells(cells, r, report) {
            self.current = None;
            self.refused_project = true;
            return;
        }
        let Some(mut row) = self.start_row(keys, &kin, r, cells, report) else {
            return;
        };
        self.refused_project = false;
        self.fill_row(&mut row, r, cells, kin.continuation, report);
        self.current = Some(self.out.len());
        self.out.push(ReadRow {
            row,
            at: self.key_at(r),
            remarks_col: self.col(Field::Remarks),
        });
    }

    /// A section row (a new goal: what was carried ends) or the goal's 数値目標 on a line
    /// of its own under it; `true` when the row is one of them.
    fn section_or_targets(&mut self, cells: &'g Cells) -> bool {
        row_texts(cells, &mut self.texts);
        if let Some(g) = section_goal(&self.texts, self.profile) {
            self.goal = g;
            self.goal_targets.clear();
            self.carry.clear();
            self.last_group_raw = [""; GROUP.len()];
            self.current = None;
            return true;
        }
        if let Some(targets) = targets_line(&self.texts, self.profile) {
            self.goal_targets = targets;
            return true;
        }
        false
    }

    /// A repeated header row (a new page block); one of two rows marks its sub row too.
    fn repeated_header(&mut self, r: u32) -> bool {
        if !self.matcher.is_header_row(self.grid, r) {
            return false;
        }
        if self.matcher.header_rows_at(self.grid, r) == 2 {
            self.sub_header_row = Some(r + 1);
        }
        true
    }

    /// Group columns: same as above unless given; a higher one that changes resets the
    /// ones after it. Merged over their runs, they read the same row after row: only a
    /// row whose group cells differ from the row above's can change what is carried.
    fn carry_group(&mut self, r: u32, cells: &'g Cells) {
        let grid = self.grid;
        let raw: [&str; GROUP.len()] =
            GROUP.map(|f| self.col(f).map_or("", |c| grid.text_in(cells, r, c).trim()));
        if raw == self.last_group_raw {
            return;
        }
        self.last_group_raw = raw;
        let mut group: Vec<String> = GROUP.iter().map(|f| self.cell(cells, r, *f)).collect();
        split_two_target_goal(&mut group, self.profile);
        split_combined_measure(&mut group, self.profile);
        let carry = &mut self.carry;
        if let Some(changed) = (0..GROUP.len()).find(|i| {
            !group[*i].is_empty() && carry.get(&GROUP[*i]).is_none_or(|c| *c != group[*i])
        }) {
            for (i, field) in GROUP.iter().enumerate().skip(changed) {
                carry.insert(*field, group[i].clone());
            }
        }
    }

    /// How row `r` stands to the project being read.
    fn kinship(&self, keys: &Keys, r: u32, cells: &Cells) -> Kinship {
        let given = |f: &Field| {
            self.col(*f)
                .is_some_and(|c| !self.grid.text_in(cells, r, c).trim().is_empty())
        };
        let project_given = PROJECT.iter().any(given);
        let per_kpi_given = PER_KPI.iter().any(given);
        let cur_row = self.current.map(|i| &self.out[i].row);
        let same_key =
            |cur: &Row| matches!(keys, Ok((k, _)) if cur.project_nos.first() == k.first());
        let repeat =
            cur_row.is_some_and(|cur| same_key(cur) && self.cell(cells, r, Field::Kpi) == cur.kpi);
        let continuation = cur_row.is_some_and(|cur| match keys {
            Ok(_) => !repeat && same_key(cur) && same_project(cur, &|f| self.cell(cells, r, f)),
            Err(KeyError::Missing) => !project_given,
            Err(_) => false,
        });
        Kinship {
            repeat,
            continuation,
            project_given,
            per_kpi_given,
        }
    }

    /// A row with no KPI of its own to read: only group columns, a merged project area
    /// running past its KPIs, or a keyless KPI of a refused project (said at its key).
    fn holds_no_kpi(&self, kin: &Kinship, key_blank: bool, r: u32, report: &mut Report) -> bool {
        if !kin.per_kpi_given && (kin.continuation || (!kin.project_given && key_blank)) {
            return true;
        }
        if key_blank && !kin.project_given && self.refused_project {
            report.push(
                self.key_at(r),
                ProblemKind::MissingKey {
                    header: self.head(Field::ProjectNos),
                },
            );
            return true;
        }
        false
    }

    /// The row's project part: the project's next KPI, or a new project from its key
    /// (`None`, said at the key cell, when the key is refused).
    fn start_row(
        &mut self,
        keys: Keys,
        kin: &Kinship,
        r: u32,
        cells: &Cells,
        report: &mut Report,
    ) -> Option<Row> {
        let cur_row = self.current.map(|i| &self.out[i].row);
        if kin.continuation {
            let mut row = cur_row.expect("continuation has a current project").clone();
            row.kpi_index += 1;
            return Some(row);
        }
        let p = &self.profile.patterns;
        match keys {
            Ok((project_nos, project_nos_note)) => Some(Row {
                goal: self.goal.clone(),
                departments: split_departments(&self.cell(cells, r, Field::Departments), p),
                project: self.cell(cells, r, Field::Project),
                project_nos,
                project_nos_note,
                summary: self.cell(cells, r, Field::Summary),
                kpi_index: match cur_row {
                    Some(cur) if kin.repeat => cur.kpi_index,
                    _ => 1,
                },
                year: self.year,
                ..Row::default()
            }),
            Err(error) => {
                let number = self.grid.get(r, self.key_col).and_then(|c| c.number);
                let problem = key_problem(error, number, self.head(Field::ProjectNos), p);
                report.push(self.key_at(r), problem);
                self.current = None;
                self.refused_project = true;
                None
            }
        }
    }

    /// The row's KPI part: the carried group texts, the KPI, its values, the extra
    /// columns, the change flags and 備考.
    fn fill_row(
        &self,
        row: &mut Row,
        r: u32,
        cells: &Cells,
        continuation: bool,
        report: &mut Report,
    ) {
        let text_of = |f: Field| self.carry.get(&f).cloned().unwrap_or_default();
        row.goal_targets = text_of(Field::GoalTargets)
            .split('\n')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if row.goal_targets.is_empty() {
            row.goal_targets = self.goal_targets.clone();
        }
        row.measure_no = text_of(Field::MeasureNo);
        row.measure = text_of(Field::Measure);
        row.measure_kpi = text_of(Field::MeasureKpi);
        row.kpi = self.cell(cells, r, Field::Kpi);
        row.unit = self.cell(cells, r, Field::Unit);
        self.read_values(row, cells, r, report);
        self.read_extras(row, cells, r, continuation);
        let (flags, remarks) = split_remarks(
            &self.cell(cells, r, Field::Remarks),
            &self.profile.patterns.flags,
        );
        row.flags = flags;
        row.remarks = remarks;
    }

    /// A text longer than an Excel cell holds cannot go into the book: each such cell of
    /// row `r` is named; `true` when there is one (the row is refused).
    fn too_long_cells(&self, cells: &Cells, r: u32, report: &mut Report) -> bool {
        let mut too_long = false;
        for (field, c) in &self.header.columns {
            let text = self.grid.text_in(cells, r, *c);
            if crate::model::too_long_for_a_cell(text) {
                report.push(
                    Location::cell(self.file, self.sheet, r, *c),
                    ProblemKind::TooLongText {
                        header: self.head(*field),
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
    fn read_values(&self, row: &mut Row, cells: &Cells, r: u32, report: &mut Report) {
        for (field, slot) in [(Field::Target, 0), (Field::Actual, 1)] {
            let Some(c) = self.col(field) else { continue };
            let got = self.grid.get_in(cells, r, c);
            let value = parse_number_cell(
                got.map_or("", |g| g.text.as_str()),
                got.and_then(|g| g.number),
                &self.profile.patterns,
            );
            let at = Location::cell(self.file, self.sheet, r, c);
            if got.is_some_and(|g| g.error) {
                report.push(
                    at,
                    ProblemKind::CellError {
                        header: self.head(field),
                        value: value.raw.clone(),
                    },
                );
            } else if value.kind == ValueKind::Text {
                report.push(
                    at,
                    ProblemKind::TextValue {
                        header: self.head(field),
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
    fn read_extras(&self, row: &mut Row, cells: &Cells, r: u32, continuation: bool) {
        for (name, c) in &self.header.extras {
            let got = self.grid.get_in(cells, r, *c);
            let value = parse_number_cell(
                got.map_or("", |g| g.text.as_str()),
                got.and_then(|g| g.number),
                &self.profile.patterns,
            );
            if value.kind == ValueKind::Blank {
                if !(continuation && self.project_extras.contains(name)) {
                    row.extra.remove(name);
                }
            } else {
                row.extra.insert(name.clone(), value);
            }
        }
    }
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
fn same_project(cur: &Row, cell: &dyn Fn(Field) -> String) -> bool {
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
