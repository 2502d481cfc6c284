//! `grades.toml`: how 達成率 is rounded and divided by zero, which KPIs are
//! less-is-better, and the grades with their thresholds. Computing a row's rate and
//! grade is `diff::grades`'s job; this is the schema and what it alone decides.

use serde::Deserialize;

use super::TemplateError;

/// `grades.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub rate: RateRules,
    pub direction: DirectionRules,
    pub grade: Vec<Grade>,
    pub none: NoneText,
}

/// `[rate]`: rounding and the division by zero.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRules {
    pub decimals: u8,
    pub zero_met: f64,
    pub zero_missed: f64,
}

/// Whether a bigger actual is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    More,
    Less,
}

/// `[direction]`: which KPIs are less-is-better.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectionRules {
    pub default: Better,
    #[serde(default)]
    pub less_words: Vec<String>,
    #[serde(default)]
    pub key: Vec<KeyRule>,
}

/// `[[direction.key]]`: the rule of one project (or one KPI of it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRule {
    pub key: String,
    #[serde(default)]
    pub kpi: Option<u32>,
    pub better: Better,
}

/// `[[grade]]`: a grade and the least rate that earns it (none: every other rate).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub fill: Option<String>,
}

/// `[none]`: what is shown when there is no rate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoneText {
    pub grade: String,
}

impl Grades {
    /// The parsed file, checked: at least one grade, thresholds falling, only the last
    /// grade without `min`.
    ///
    /// # Errors
    /// A grade list that cannot grade every rate in one way, naming the grade.
    pub fn checked(self) -> Result<Grades, TemplateError> {
        if self.grade.is_empty() {
            return Err(TemplateError::NoGrade);
        }
        let last = self.grade.len() - 1;
        let mut previous = f64::INFINITY;
        for (i, g) in self.grade.iter().enumerate() {
            match g.min {
                None if i != last => {
                    return Err(TemplateError::GradeWithoutMin {
                        grade: g.name.clone(),
                    })
                }
                Some(min) if min >= previous => {
                    return Err(TemplateError::GradeMinNotFalling {
                        grade: g.name.clone(),
                        min,
                    })
                }
                Some(m) => previous = m,
                None => {}
            }
        }
        Ok(self)
    }

    /// The grade a rate earns (`None` without a rate).
    pub fn grade(&self, rate: Option<f64>) -> Option<&Grade> {
        let rate = rate?;
        self.grade.iter().find(|g| g.min.is_none_or(|m| rate >= m))
    }

    /// The grade's name, or the text shown without a rate.
    pub fn grade_text(&self, rate: Option<f64>) -> String {
        self.grade(rate)
            .map_or_else(|| self.none.grade.clone(), |g| g.name.clone())
    }

    /// Every grade name, best first, then the text of "no rate".
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.grade.iter().map(|g| g.name.clone()).collect();
        names.push(self.none.grade.clone());
        names
    }
}
