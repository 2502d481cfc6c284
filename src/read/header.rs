//! Finding the header row of a sheet and mapping its cells to canonical fields.
//!
//! Headers are matched through the aliases of `templates/aliases.toml` after
//! [`header_norm`](crate::value::header_norm). A header naming the year (`R7実績値`,
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
}

const YEAR: &str =
    r"(?P<year>r[0-9]{1,2}|令和(?:[0-9]{1,2}|元)|h[0-9]{1,2}|平成[0-9]{1,2}|[0-9]{4})(?:年度|年)?";

/// A header spelling as a pattern: normalised, `{year}` matching any year spelling.
fn alias_regex(spelling: &str) -> Option<Regex> {
    let pattern = header_norm(spelling)
        .split("{year}")
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(YEAR);
    Regex::new(&format!("^{pattern}$")).ok()
}

impl HeaderMatcher {
    pub fn new(profile: &Profile) -> HeaderMatcher {
        let mut aliases = Vec::new();
        for column in &profile.layout.columns {
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
        let known = RegexSet::new(aliases.iter().map(|(_, re)| re.as_str()))
            .unwrap_or_else(|_| RegexSet::empty());
        HeaderMatcher {
            aliases,
            known,
            blank_fields,
            ignore,
            search_rows: profile.aliases.header.search_rows,
            min_matches: profile.aliases.header.min_matches,
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
                if let Some(y) = caps.name("year") {
                    year = year.or_else(|| FiscalYear::parse(y.as_str()));
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

    /// The first header row within the first rows of the sheet, mapped.
    pub fn find(&self, grid: &Grid) -> Option<Header> {
        let first = *grid.rows.keys().next()?;
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
        let max_col = cells.last().map_or(0, |(c, _)| *c);
        let mut columns = BTreeMap::new();
        let mut texts = BTreeMap::new();
        let mut unknown = Vec::new();
        let mut year = None;
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
            let (fields, y) = self.candidates(text);
            year = year.or(y);
            if fields.is_empty() {
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
            let taken = columns.values().any(|c| *c == col);
            let blank = grid.rows.get(&row).and_then(|r| r.get(&col)).is_none();
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
        }
    }
}
