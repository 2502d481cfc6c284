//! The canonical table: one [`Row`] per KPI of one project, as ARCHITECTURE.md describes it.
//!
//! Nothing here does I/O. Every cell value keeps the text the user typed ([`Value::raw`])
//! next to the reading kpiroll made of it, so nothing is rounded or reformatted on the
//! way through: what a department typed is what the book shows.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A fiscal year (April–March), stored as the western year it starts in: R6 = FY2024.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct FiscalYear(pub u16);

impl FiscalYear {
    /// 令和 year number (R6 → 6), or `None` before 令和 (FY2019).
    pub fn reiwa(self) -> Option<u16> {
        self.0.checked_sub(2018).filter(|n| *n > 0)
    }

    /// `令和6年度` (or `2018年度` before 令和).
    pub fn wareki(self) -> String {
        match self.reiwa() {
            Some(1) => "令和元年度".to_string(),
            Some(n) => format!("令和{n}年度"),
            None => format!("{}年度", self.0),
        }
    }

    /// Parses `R7`, `令和7`, `令和7年度`, `令和元年度`, `H30`, `平成30年度` or `2025`.
    /// Full-width digits are accepted.
    pub fn parse(text: &str) -> Option<FiscalYear> {
        let t = crate::text::nfkc_compact(text);
        let t = t
            .strip_suffix("年度")
            .or_else(|| t.strip_suffix('年'))
            .unwrap_or(&t);
        let (era, digits) = if let Some(d) = t.strip_prefix("令和") {
            (2018, d)
        } else if let Some(d) = t.strip_prefix("平成") {
            (1988, d)
        } else if let Some(d) = t.strip_prefix(['R', 'r']) {
            (2018, d)
        } else if let Some(d) = t.strip_prefix(['H', 'h']) {
            (1988, d)
        } else {
            (0, t)
        };
        let n: u16 = if digits == "元" {
            1
        } else {
            digits.parse().ok()?
        };
        match era {
            0 if (1900..=2200).contains(&n) => Some(FiscalYear(n)),
            0 => None,
            _ if (1..=99).contains(&n) => Some(FiscalYear(era + n)),
            _ => None,
        }
    }
}

impl fmt::Display for FiscalYear {
    /// `R6`: the way the city's headers write it (`R6実績値`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reiwa() {
            Some(n) => write!(f, "R{n}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<FiscalYear> for String {
    fn from(y: FiscalYear) -> String {
        y.to_string()
    }
}

/// What a rollover form says about itself (its fingerprint), as defined names: the
/// form writer puts them on every form, the reader knows a form by them.
pub const NAME_DEPARTMENT: &str = "kpiroll_department";
/// the form's fiscal year (`R7`)
pub const NAME_YEAR: &str = "kpiroll_year";
/// a hash of the book the form was rolled over from
pub const NAME_SOURCE: &str = "kpiroll_source";
/// the file name of the book the form was rolled over from
pub const NAME_SOURCE_FILE: &str = "kpiroll_source_file";

/// The defined name that marks a workbook as kpiroll's output: its [`OutputKind`]
/// (`book`, `working`, `diff`). The writer puts it on every book, working book and diff
/// report, so the reader never takes kpiroll's own output for a department's return.
pub const NAME_OUTPUT: &str = "kpiroll_output";
/// the output's fiscal year (`R7`)
pub const NAME_OUTPUT_YEAR: &str = "kpiroll_output_year";

/// What kind of workbook kpiroll wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// a book: `consolidate` without last year's book, or a `handout`
    Book,
    /// a working book: `consolidate --prev` (一覧, 変更点, 取込ログ, 提出状況)
    Working,
    /// a `diff` report
    Diff,
}

impl OutputKind {
    /// The value of [`NAME_OUTPUT`].
    pub fn name(self) -> &'static str {
        match self {
            OutputKind::Book => "book",
            OutputKind::Working => "working",
            OutputKind::Diff => "diff",
        }
    }

    /// From the value of [`NAME_OUTPUT`] (a book when unknown).
    pub fn from_name(name: &str) -> OutputKind {
        [OutputKind::Working, OutputKind::Diff]
            .into_iter()
            .find(|k| k.name() == name)
            .unwrap_or(OutputKind::Book)
    }
}

/// A 基本目標: its number as written (`Ⅰ`) and its title.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Goal {
    pub no: String,
    pub title: String,
}

/// How a value cell was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// `1,234`, `１２３`, `△5`, `96.4`
    Number,
    /// `96.4%`: `number` holds 96.4
    Percent,
    /// `107% (16/14)`: `number` holds 107
    Ratio,
    /// `-`, `—`, `－`: not applicable
    Na,
    /// nothing in the cell
    Blank,
    /// anything else (`集計中`)
    Text,
}

/// The longest text an Excel cell holds, in UTF-16 units: a longer one cannot be written
/// into a book (the reader refuses its row, the writer errs).
pub const MAX_CELL_TEXT: usize = 32_767;

/// Whether `text` is longer than an Excel cell holds ([`MAX_CELL_TEXT`]).
pub fn too_long_for_a_cell(text: &str) -> bool {
    text.len() > MAX_CELL_TEXT && text.encode_utf16().count() > MAX_CELL_TEXT
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn texts_are_cut_to_fit_with_an_ellipsis() {
        assert_eq!(fit_text("abc", 3), "abc");
        assert_eq!(fit_text("abcd", 3), "ab…");
        // a character outside the BMP is two units and is never split
        assert_eq!(fit_text("a😀b", 3), "a…");
        let long = "あ".repeat(MAX_CELL_TEXT + 10);
        let cut = fit_text(&long, MAX_CELL_TEXT);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);
        assert!(cut.ends_with('…') && !too_long_for_a_cell(&cut));
    }
}

/// The longest note text rust_xlsxwriter writes, in UTF-16 units (its limit leaves room
/// for the note's own markup).
pub const MAX_NOTE_TEXT: usize = MAX_CELL_TEXT - 54;

/// `text` as it fits in `max` UTF-16 units: whole when it does, else cut at a character
/// and ended with `…` (for what kpiroll itself adds: a value quoted in a log, a note).
pub fn fit_text(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max || text.encode_utf16().count() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        // the `…` takes one unit
        if units + c.len_utf16() > max - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    std::borrow::Cow::Owned(format!("{}…", &text[..end]))
}

/// One value cell: the raw text (what the cell shows) and its reading. Two values are
/// equal when they show and mean the same (`stored`, how a cell held it, aside).
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    pub raw: String,
    pub kind: ValueKind,
    /// the number the text shows (`96.4%` → 96.4): what values are compared by
    pub number: Option<f64>,
    /// the number a number cell held, every digit of it (a formula's 114.28571428571428
    /// shown `114.3`), `None` for text: what the book writes, in a format that shows
    /// `raw` again, so the book shows the same and sums the same
    #[serde(skip)]
    pub stored: Option<f64>,
}

impl Value {
    /// The blank value.
    pub fn blank() -> Value {
        Value {
            raw: String::new(),
            kind: ValueKind::Blank,
            number: None,
            stored: None,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.raw == other.raw && self.kind == other.kind && self.number == other.number
    }
}

impl Default for Value {
    /// The blank value.
    fn default() -> Value {
        Value::blank()
    }
}

/// One KPI of one project: a row of the book.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    pub goal: Goal,
    pub goal_targets: Vec<String>,
    pub measure_no: String,
    pub measure: String,
    pub measure_kpi: String,
    pub departments: Vec<String>,
    pub project: String,
    /// every 事務事業番号 of the project, normalised (`652-6`, `432-10`); the first is the key
    pub project_nos: Vec<String>,
    /// a word after the numbers (`他` of `511-22他`)
    pub project_nos_note: String,
    pub summary: String,
    pub kpi: String,
    /// 1-based position of this KPI within its project
    pub kpi_index: u32,
    pub unit: String,
    pub target: Value,
    pub actual: Value,
    pub year: FiscalYear,
    /// change flags of 備考, in the order they were written
    pub flags: Vec<String>,
    /// 備考 without the flags
    pub remarks: String,
    /// columns a city adds (基準値, 評価, …), by header
    pub extra: BTreeMap<String, Value>,
}

impl Row {
    /// The row key: (first 事務事業番号, KPI position).
    pub fn key(&self) -> Key {
        Key {
            project_no: self.project_nos.first().cloned().unwrap_or_default(),
            kpi_index: self.kpi_index,
        }
    }
}

/// (first 事務事業番号, KPI position within the project)
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub project_no: String,
    pub kpi_index: u32,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (KPI {})", self.project_no, self.kpi_index)
    }
}

/// A whole table for one fiscal year, rows in book order.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    pub year: FiscalYear,
    pub rows: Vec<Row>,
}

impl Book {
    /// The 基本目標 in book order, each once.
    pub fn goals(&self) -> Vec<&Goal> {
        self.rows_by_goal().into_iter().map(|(g, _)| g).collect()
    }

    /// Each 基本目標 in order of first appearance with the positions of its rows, in
    /// one pass (a scan of every row per goal is quadratic when every municipality
    /// of a national set brings its own goals).
    pub fn rows_by_goal(&self) -> Vec<(&Goal, Vec<usize>)> {
        let mut slot: rustc_hash::FxHashMap<&Goal, usize> = rustc_hash::FxHashMap::default();
        let mut goals: Vec<(&Goal, Vec<usize>)> = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let at = *slot.entry(&row.goal).or_insert_with(|| {
                goals.push((&row.goal, Vec::new()));
                goals.len() - 1
            });
            goals[at].1.push(i);
        }
        goals
    }
}

/// `[contact]`: 問い合わせ先, for the forms sent to each 課.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// 課・係 (`企画政策課 企画係`)
    pub section: String,
    /// 担当 (a name), if any
    #[serde(default)]
    pub person: Option<String>,
    /// 内線
    pub extension: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_in_every_spelling() {
        for text in [
            "R7",
            "r7",
            "令和7",
            "令和7年度",
            "令和７年度",
            "2025",
            "Ｒ７",
        ] {
            assert_eq!(FiscalYear::parse(text), Some(FiscalYear(2025)), "{text}");
        }
        assert_eq!(FiscalYear::parse("令和元年度"), Some(FiscalYear(2019)));
        assert_eq!(FiscalYear::parse("H30"), Some(FiscalYear(2018)));
        assert_eq!(FiscalYear::parse("R"), None);
        assert_eq!(FiscalYear::parse("七"), None);
        assert_eq!(FiscalYear(2024).to_string(), "R6");
        assert_eq!(FiscalYear(2024).wareki(), "令和6年度");
    }
}
