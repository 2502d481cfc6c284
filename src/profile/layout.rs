//! `layout.toml`: the book's sheet, title, section row, columns, fonts and paper, and the
//! year placeholders its texts may hold.

use serde::Deserialize;

use super::Field;

/// `layout.toml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub book: BookLayout,
    pub columns: Vec<Column>,
}

/// `[book]` of layout.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookLayout {
    pub sheet: String,
    pub section: String,
    pub title_rows: Vec<String>,
    pub font: String,
    pub font_size: f64,
    pub title_font_size: f64,
    pub section_font_size: f64,
    pub paper: u8,
    pub landscape: bool,
    pub fit_width: u16,
    pub footer: String,
    pub margin_inches: f64,
    pub header_fill: String,
    pub section_fill: String,
    /// a line of its own for the goal's 数値目標 (`●数値目標：{targets}`), written under
    /// the header wherever the targets change; none when the book has a 数値目標 column only
    #[serde(default)]
    pub targets_row: Option<String>,
    /// how the targets are joined on that line
    #[serde(default = "default_targets_join")]
    pub targets_join: String,
    /// the header once at the top of the table, printed on every page (print titles),
    /// instead of under every 基本目標 row
    #[serde(default)]
    pub header_once: bool,
    /// the working book's fills (RGB hex): a changed cell, a new row, a row not returned
    #[serde(default = "default_changed_fill")]
    pub changed_fill: String,
    #[serde(default = "default_new_fill")]
    pub new_fill: String,
    #[serde(default = "default_not_returned_fill")]
    pub not_returned_fill: String,
}

fn default_changed_fill() -> String {
    "FFF2CC".to_string()
}

fn default_new_fill() -> String {
    "DDEBF7".to_string()
}

fn default_not_returned_fill() -> String {
    "E7E6E6".to_string()
}

fn default_targets_join() -> String {
    "／".to_string()
}

/// One `[[columns]]` of layout.toml
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub field: Field,
    pub header: String,
    pub width: f64,
    #[serde(default)]
    pub group: bool,
    #[serde(default)]
    pub project: bool,
    /// `field = "extra"`: the name the value is kept under (`Row::extra`, the export's
    /// `extra` object); `{year-1}`, `{year-2}` … name an earlier year (`R5実績値`)
    #[serde(default)]
    pub name: Option<String>,
    /// more header spellings of this column (an extra column's; other fields have
    /// theirs in aliases.toml)
    #[serde(default)]
    pub aliases: Vec<String>,
    /// with two header rows (`rows = 2` in aliases.toml): the group header written above
    /// this column, merged across the columns that share it (`実績値` over R5 R6 R7)
    #[serde(default)]
    pub over: Option<String>,
    /// with `over`: the text of the second header row (`{year}`); default `header`
    #[serde(default)]
    pub sub: Option<String>,
    /// the 施策 column in one cell: `（{no}）{name}` writes the 施策 number and name
    /// together (read back with `measure.combined` of patterns.toml)
    #[serde(default)]
    pub format: Option<String>,
    /// an extra column: a return that leaves it blank (or a 課 that returns nothing)
    /// gets last year's value (a 基準値 that stays from year to year). Default false:
    /// the column is this year's (評価, 今後の方向性), blank stays blank. Columns named
    /// after an earlier year (`{year-1}実績値`) are history and always carried.
    #[serde(default)]
    pub carried: bool,
    /// an extra column: a difference from last year is a change of the project (in
    /// 変更点, highlighted, counted, in `diff`). Default false: this year's 評価 differs
    /// from last year's without the project changing. Earlier years' columns never are.
    #[serde(default)]
    pub compared: bool,
}

impl Column {
    /// Whether an extra column is named after an earlier year than the book's
    /// (`{year-1}実績値`): history, carried and never compared.
    pub fn is_history(&self) -> bool {
        self.field == Field::Extra
            && self
                .name
                .as_deref()
                .unwrap_or(&self.header)
                .contains("{year-")
    }

    /// The name an extra column's value is kept under for a row of `year`: `{year}` is
    /// the year (`R6`), `{year-1}` the year before (`R5`) … `None` for other fields.
    pub fn extra_key(&self, year: crate::model::FiscalYear) -> Option<String> {
        if self.field != Field::Extra {
            return None;
        }
        Some(year_placeholders(
            self.name.as_deref().unwrap_or(&self.header),
            year,
        ))
    }
}

/// `{year}`, `{year-1}` … `{year-9}` of a template replaced for `year` (`R6`, `R5` …),
/// and `{wareki}`, `{wareki-1}` … `{wareki-9}` in 令和 form (`令和6年度`, `令和5年度` …).
pub fn year_placeholders(template: &str, year: crate::model::FiscalYear) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut text = template.to_string();
    for back in 1..=9u16 {
        let earlier = crate::model::FiscalYear(year.0.saturating_sub(back));
        let hole = format!("{{year-{back}}}");
        if text.contains(&hole) {
            text = text.replace(&hole, &earlier.to_string());
        }
        let hole = format!("{{wareki-{back}}}");
        if text.contains(&hole) {
            text = text.replace(&hole, &earlier.wareki());
        }
    }
    text.replace("{year}", &year.to_string())
        .replace("{wareki}", &year.wareki())
}

/// The year placeholders a layout text may hold: `{year}`, `{wareki}` and the same
/// 1 to 9 years back (`{year-1}`, `{wareki-2}`).
pub fn is_year_placeholder(hole: &str) -> bool {
    let base = match hole.split_once('-') {
        Some((base, back)) => {
            if !matches!(back.parse::<u16>(), Ok(1..=9)) || back.starts_with('0') {
                return false;
            }
            base
        }
        None => hole,
    };
    matches!(base, "year" | "wareki")
}
