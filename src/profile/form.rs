//! `form.toml`: the forms rollover writes (sheets, input cells, guide, due date, contact).

use serde::Deserialize;

/// `[due_date]` of `form.toml`: a due date in the era with its weekday.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueDate {
    /// `{era_year}`, `{month}`, `{day}`, `{weekday}` (`令和{era_year}年{month}月{day}日（{weekday}）`)
    pub text: String,
    /// the Gregorian year of the era's first year (2019 for 令和)
    pub era_start: i32,
    /// how the era's first year is written (元)
    pub first_year: String,
    /// Monday first
    pub weekdays: [String; 7],
}

/// `[contact]` of `form.toml`: the parts of the 問い合わせ先, each shown only when given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactText {
    /// `{section}` and `{extension}`
    pub text: String,
    /// `{person}`
    pub person: String,
    /// `{phone}`
    pub phone: String,
    /// `{email}`
    pub email: String,
}

/// `form.toml`: the forms rollover writes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormLayout {
    pub file_name: String,
    pub input_sheet: String,
    pub guide_sheet: String,
    pub reference_header: String,
    /// the header of last year's 備考, shown beside the input for reference; without it
    /// (a profile written before there was one) the column is left out
    #[serde(default)]
    pub remarks_reference_header: Option<String>,
    pub joint_header: String,
    pub joint_text: String,
    pub blank_rows: u32,
    pub input_fill: String,
    pub actual_words: Vec<String>,
    pub remarks_choices: Vec<String>,
    pub actual_input_title: String,
    pub actual_input_message: String,
    pub actual_error_title: String,
    pub actual_error_message: String,
    pub remarks_input_title: String,
    pub remarks_input_message: String,
    pub due_unset: String,
    /// how a due date given as a date (`2026-05-31`) is shown; without it, as written
    #[serde(default)]
    pub due_date: Option<DueDate>,
    /// `{contact}` when the settings name no 問い合わせ先
    #[serde(default)]
    pub contact_unset: String,
    /// how the settings' `[contact]` is shown as `{contact}`; without it, `contact_unset`
    #[serde(default)]
    pub contact: Option<ContactText>,
    pub form_title: String,
    pub guide_title: String,
    pub guide: Vec<String>,
}
