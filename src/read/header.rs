//! Finding the header row of a sheet and mapping its cells to canonical fields.
//!
//! Headers are matched through the aliases of `templates/aliases.toml` after
//! [`crate::value::header_norm`]. A header naming the year (`R7実績値`,
//! `令和7年度実績値`, `実績値（R7）`) also gives the sheet's fiscal year.

use std::collections::BTreeMap;

use regex::{Regex, RegexSet};

use super::grid::Grid;
use crate::model::FiscalYear;
use crate::profile::{Field, Profile};
use crate::value::header_norm;

/// A sheet's header row, mapped.
#[derive(Debug, Clone)]
pub struct Header {
    /// 0-based absolute row
    pub row: u32,
    /// field → column
    pub columns: BTreeMap<Field, u16>,
    /// field → the header text as the user sees it
    pub texts: BTreeMap<Field, String>,
    /// the year named by the 実績値 header, if any
    pub year: Option<FiscalYear>,
    /// headers of columns no field takes: (column, text)
    pub unknown: Vec<(u16, String)>,
    /// the city's extra columns found: (name kept under, column)
    pub extras: Vec<(String, u16)>,
}

/// Matches header cells against the profile's aliases; built once per run.
#[derive(Debug)]
pub struct HeaderMatcher {
    /// (field, alias pattern) in layout order
    aliases: Vec<(Field, Regex)>,
    /// every alias pattern at once: whether a cell is a header at all, in one pass
    /// (every row of a sheet is asked, so this is the reader's hot path)
    known: RegexSet,
    /// fields whose layout header is blank, in layout order
    blank_fields: Vec<Field>,
    /// headers read past without a word
    ignore: Vec<Regex>,
    search_rows: u32,
    min_matches: usize,
    /// 1, or 2: a group row over sub headers
    header_rows: u8,
    /// extra columns of the layout: (name, header pattern), layout order
    extras: Vec<(String, Regex)>,
    /// the layout's 実績値 header (`{year}実績値`): names an earlier year's 実績値 column
    /// when the layout keeps those (an extra column named `{year-1}…`)
    earlier_actuals: Option<String>,
}

const YEAR: &str =
    r"(?P<year>r[0-9]{1,2}|令和(?:[0-9]{1,2}|元)|h[0-9]{1,2}|平成[0-9]{1,2}|[0-9]{4})(?:年度|年)?";

static YEAR_HOLE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"\{(?:year|wareki)(?:-[1-9])?\}").expect("a valid pattern")
});

/// A header spelling as a pattern: normalised, `{year}` matching any year spelling.
fn alias_regex(spelling: &str) -> Option<Regex> {
    // `{wareki}` and an earlier year (`{year-1}`, `{wareki-1}`) are a year spelling too
    let mut norm = header_norm(spelling);
    if norm.contains('{') {
        norm = YEAR_HOLE.replace_all(&norm, "{year}").into_owned();
    }
    let pattern = norm
        .split("{year}")
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(YEAR);
    Regex::new(&format!("^{pattern}$")).ok()
}

impl HeaderMatcher {
    pub fn new(profile: &Profile) -> HeaderMatcher {
        let mut aliases = Vec::new();
        let mut extras = Vec::new();
        for column in &profile.layout.columns {
            if column.field == Field::Extra {
                let name = column.name.clone().unwrap_or_else(|| column.header.clone());
                if name.contains("{year") {
                    continue; // an earlier year's column: read as such (below)
                }
                for spelling in std::iter::once(&column.header).chain(&column.aliases) {
                    if spelling.trim().is_empty() {
                        continue;
                    }
                    if let Some(re) = alias_regex(spelling) {
                        extras.push((name.clone(), re));
                    }
                }
                continue;
            }
            let spellings = profile
                .aliases
                .fields
                .get(&column.field)
                .cloned()
                .unwrap_or_default();
            let mut spellings: Vec<String> = spellings;
            if !column.header.is_empty() {
                spellings.push(column.header.clone());
            }
            for spelling in spellings {
                if let Some(re) = alias_regex(&spelling) {
                    aliases.push((column.field, re));
                }
            }
        }
        let blank_fields = profile
            .layout
            .columns
            .iter()
            .filter(|c| c.header.trim().is_empty())
            .map(|c| c.field)
            .collect();
        let ignore = profile
            .aliases
            .header
            .ignore
            .iter()
            .filter_map(|s| alias_regex(s))
            .collect();
        let known = RegexSet::new(
            aliases
                .iter()
                .map(|(_, re)| re.as_str())
                .chain(extras.iter().map(|(_, re)| re.as_str())),
        )
        .unwrap_or_else(|_| RegexSet::empty());
        let earlier_actuals = profile
            .layout
            .columns
            .iter()
            .any(|c| {
                c.field == Field::Extra && c.name.as_deref().unwrap_or(&c.header).contains("{year-")
            })
            .then(|| {
                profile
                    .column_of(Field::Actual)
                    .map(|i| profile.layout.columns[i].header.clone())
            })
            .flatten();
        HeaderMatcher {
            aliases,
            known,
            blank_fields,
            ignore,
            search_rows: profile.aliases.header.search_rows,
            min_matches: profile.aliases.header.min_matches,
            header_rows: profile.aliases.header.rows,
            extras,
            earlier_actuals,
        }
    }

    /// Fields a header cell may be, in layout order, and the year it names.
    fn candidates(&self, text: &str) -> (Vec<Field>, Option<FiscalYear>) {
        let norm = header_norm(text);
        let mut fields = Vec::new();
        let mut year = None;
        if norm.is_empty() {
            return (fields, year);
        }
        for (field, re) in &self.aliases {
            if let Some(caps) = re.captures(&norm) {
                if !fields.contains(field) {
                    fields.push(*field);
                }
                // only the 実績値 names the sheet's year (`目標値（R7）` is a target for R7)
                if *field == Field::Actual {
                    if let Some(y) = caps.name("year") {
                        year = year.or_else(|| FiscalYear::parse(y.as_str()));
                    }
                }
            }
        }
        (fields, year)
    }

    /// Whether a row looks like a header row (enough cells are known headers).
    pub fn is_header_row(&self, grid: &Grid, row: u32) -> bool {
        let Some(cells) = grid.rows.get(&row) else {
            return false;
        };
        let matches = cells
            .values()
            .filter(|c| {
                let norm = header_norm(&c.text);
                !norm.is_empty() && self.known.is_match(&norm)
            })
            .count();
        matches >= self.min_matches
    }

    /// How many rows the header starting at `row` takes: 2 when the profile reads two
    /// header rows and the row below holds sub headers of this one, else 1.
    pub fn header_rows_at(&self, grid: &Grid, row: u32) -> u32 {
        if self.header_rows == 2 && self.combined(grid, row).1 {
            2
        } else {
            1
        }
    }

    /// The header of two rows starting at `row` (a group row over sub headers) as one
    /// row of texts: for each column, the first of `sub+group`, `group+sub`,
    /// `group(sub)`, `sub`, `group` that is a known header (`R6` under a merged `実績値`
    /// is `R6実績値`), else the sub header, else the group's. The flag: whether a sub
    /// header made a known header (else `row` is a header of one row, such as the books
    /// kpiroll writes, and the row below it is data).
    fn combined(&self, grid: &Grid, row: u32) -> (Vec<(u16, String)>, bool) {
        let cols: std::collections::BTreeSet<u16> = [row, row + 1]
            .iter()
            .filter_map(|r| grid.rows.get(r))
            .flat_map(|cells| cells.keys().copied())
            .collect();
        let (Some(first), Some(last)) = (cols.first().copied(), cols.last().copied()) else {
            return (Vec::new(), false);
        };
        let mut out = Vec::new();
        let mut used_sub = false;
        for col in first..=last {
            let group = grid.text(row, col).trim();
            let sub = grid.text(row + 1, col).trim();
            let known = |t: &str| self.known.is_match(&header_norm(t));
            let text = if sub.is_empty() || group == sub {
                group.to_string()
            } else if group.is_empty() {
                used_sub |= known(sub);
                sub.to_string()
            } else {
                let combos = [
                    format!("{sub}{group}"),
                    format!("{group}{sub}"),
                    format!("{group}({sub})"),
                    sub.to_string(),
                ];
                match combos.into_iter().find(|t| known(t)) {
                    Some(t) => {
                        used_sub = true;
                        t
                    }
                    None => group.to_string(),
                }
            };
            if !text.is_empty() {
                out.push((col, text));
            }
        }
        (out, used_sub)
    }

    /// The first header row within the first rows of the sheet, mapped.
    pub fn find(&self, grid: &Grid) -> Option<Header> {
        let first = *grid.rows.keys().next()?;
        if self.header_rows == 2 {
            let row = grid
                .rows
                .iter()
                .take_while(|(r, _)| **r < first.saturating_add(self.search_rows))
                .filter(|(_, cells)| cells.len() >= 2) // a title row is one cell
                .map(|(r, _)| *r)
                .find(|r| {
                    self.combined(grid, *r)
                        .0
                        .iter()
                        .filter(|(_, t)| self.known.is_match(&header_norm(t)))
                        .count()
                        >= self.min_matches
                })?;
            let (cells, used_sub) = self.combined(grid, row);
            if !used_sub && self.is_header_row(grid, row) {
                return Some(self.map(grid, row)); // one header row after all
            }
            // the sub header row is the header's last: rows are read below it
            return Some(self.map_cells(row + 1, cells));
        }
        let row = grid
            .rows
            .keys()
            .copied()
            .take_while(|r| *r < first.saturating_add(self.search_rows))
            .find(|r| self.is_header_row(grid, *r))?;
        Some(self.map(grid, row))
    }

    /// Maps the cells of a header row to fields.
    ///
    /// A header that several fields accept (KPI) and that `k` columns carry goes to the
    /// last `k` of those fields, left to right: two KPI columns are the 施策's and the
    /// project's, a single one is the project's. Blank header cells between known columns
    /// go to the fields whose layout header is blank, left to right.
    pub fn map(&self, grid: &Grid, row: u32) -> Header {
        let cells: Vec<(u16, String)> = match grid.rows.get(&row) {
            Some(cells) => cells
                .iter()
                .map(|(c, cell)| (*c, cell.text.clone()))
                .collect(),
            None => Vec::new(),
        };
        self.map_cells(row, cells)
    }

    /// Maps header cells (column, text) of the header ending at `row` to fields.
    fn map_cells(&self, row: u32, cells: Vec<(u16, String)>) -> Header {
        let max_col = cells.last().map_or(0, |(c, _)| *c);
        let mut columns = BTreeMap::new();
        let mut texts = BTreeMap::new();
        let mut unknown = Vec::new();
        let mut extras: Vec<(String, u16)> = Vec::new();
        let mut year = None;
        // several years of 実績値 side by side: the latest is the actual, the others
        // earlier years' (kept as extras when the layout has such columns)
        let mut earlier: BTreeMap<u16, FiscalYear> = BTreeMap::new();
        if self.earlier_actuals.is_some() {
            let years: Vec<(u16, FiscalYear)> = cells
                .iter()
                .filter_map(|(col, text)| {
                    let (fields, y) = self.candidates(text);
                    (fields.contains(&Field::Actual)).then_some((*col, y?))
                })
                .collect();
            if let Some(latest) = years.iter().map(|(_, y)| *y).max() {
                earlier = years.into_iter().filter(|(_, y)| *y < latest).collect();
                year = Some(latest);
            }
        }
        // group columns by normalised header text
        let mut groups: BTreeMap<String, Vec<(u16, String)>> = BTreeMap::new();
        for (col, text) in &cells {
            groups
                .entry(header_norm(text))
                .or_default()
                .push((*col, text.clone()));
        }
        for (col, text) in &cells {
            let norm = header_norm(text);
            if let (Some(y), Some(template)) = (earlier.get(col), &self.earlier_actuals) {
                extras.push((crate::profile::year_placeholders(template, *y), *col));
                continue;
            }
            let (fields, y) = self.candidates(text);
            year = year.or(y);
            if fields.is_empty() {
                if let Some((name, _)) = self.extras.iter().find(|(_, re)| re.is_match(&norm)) {
                    if !extras.iter().any(|(n, _)| n == name) {
                        extras.push((name.clone(), *col));
                        continue;
                    }
                }
                if !self.ignore.iter().any(|re| re.is_match(&norm)) {
                    unknown.push((*col, text.clone()));
                }
                continue;
            }
            let same = &groups[&norm];
            let k = same.len();
            let position = same.iter().position(|(c, _)| c == col).unwrap_or(0);
            let offset = fields.len().saturating_sub(k);
            match fields.get(offset + position) {
                Some(field) if !columns.contains_key(field) => {
                    columns.insert(*field, *col);
                    texts.insert(*field, text.trim().to_string());
                }
                _ => unknown.push((*col, text.clone())),
            }
        }
        let first_known = columns.values().min().copied().unwrap_or(0);
        let last_known = columns.values().max().copied().unwrap_or(0);
        let unmapped: Vec<Field> = self
            .blank_fields
            .iter()
            .copied()
            .filter(|f| !columns.contains_key(f))
            .collect();
        let mut blanks = unmapped.iter();
        for col in first_known..=last_known.min(max_col) {
            let taken =
                columns.values().any(|c| *c == col) || extras.iter().any(|(_, c)| *c == col);
            let blank = !cells.iter().any(|(c, _)| *c == col);
            if !taken && blank {
                if let Some(field) = blanks.next() {
                    columns.insert(*field, col);
                    texts.insert(*field, String::new());
                }
            }
        }
        Header {
            row,
            columns,
            texts,
            year,
            unknown,
            extras,
        }
    }
}
